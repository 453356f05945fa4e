"""Reporting a problem: report_form, its questions and validators, and filing the case."""
from __future__ import annotations

import re
from typing import Any

from rasa_sdk import Action
from rasa_sdk.events import SlotSet

from actions import runtime
from actions.common import (REPORT_PREFIX, SWITCH_HINT, FormValidator, accept, another_errand, button,
                            choice, entity, intent, offer, offered_just_now, reject, text, too_long,
                            yes_or_no)
from actions.handoff import hand_off
from actions.texts import CATEGORIES, URGENT_ADVICE, deadline_lines, handler_text, mask_phone
from civic.domain.accounts import InvalidPhone, mobile_number
from civic.domain.deadlines import Emergency, emergency
from civic.domain.routing import AMBIGUOUS, UNKNOWN, resolve_address
from civic.services import cases
from nlu.intents import canonical

FORM_SLOTS = ("category", "description", "address", "contact_phone", "report_confirmed",
              "duplicate_choice", "grid_id", "duplicates")
# "我要投诉" says that there is a problem, not what it is.
NO_DETAILS = re.compile(r"^(你好|您好)?[,，]?(我)?(要|想)?(投诉|反映|举报|报修|报告|说)(一下|个|一个)?"
                        r"(问题|情况|事情?)?[。！!]*$")
MIN_DESCRIPTION = 5
# An address the district data does not know must at least look like a place.
PLACE_WORD = re.compile(r"[路街道巷弄号楼栋幢单元室区苑园村庄院场站桥门口旁边对面附近里湾城府]|\d")


def _resets() -> list:
    return [SlotSet(slot, None) for slot in FORM_SLOTS] + [SlotSet("form_failures", 0.0)]


def _categories(tracker) -> list[str]:
    return canonical(tracker.latest_message or {}).get("categories") or []


class ActionStartReport(Action):
    """The first message of a report fills what it can; an emergency is filed at once."""

    def name(self) -> str:
        return "action_start_report"

    def run(self, dispatcher, tracker, domain):
        events = _resets()
        said = text(tracker)
        found = _categories(tracker)
        category = found[0] if len(found) == 1 else None
        if choice(tracker) in CATEGORIES:
            category = choice(tracker)
        description = said if len(said) >= MIN_DESCRIPTION and not NO_DETAILS.match(said) else None
        if description is None and category == "other":  # "我要投诉": which kind is still open
            category = None
        if description and too_long(description):
            dispatcher.utter_message(text="您的描述有点长，我先记下前1000个字，详细情况可以稍后补充给工作人员。")
            description = description[:1000]
        address, phone = entity(tracker, "address"), entity(tracker, "phone")
        guessed = category or (found[0] if found else "safety")
        urgent = emergency(guessed, description or said)
        if urgent:
            return events + self._emergency(dispatcher, tracker, urgent, guessed, description or said,
                                            address, phone)
        if len(found) > 1:
            names = "、".join(CATEGORIES[c] for c in found)
            dispatcher.utter_message(text=f"您说到了几件事（{names}）。我们一件一件登记，每件一个工单，"
                                          "先登记哪一件？另一件登记完可以接着说。")
        events += [SlotSet("category", category), SlotSet("description", description),
                   SlotSet("address", address), SlotSet("contact_phone", phone)]
        return events

    def _emergency(self, dispatcher, tracker, urgent: Emergency, category, description, address, phone):
        # The numbers to call come before anything else is said or stored.
        dispatcher.utter_message(text=URGENT_ADVICE + f"\n（您这件事请先拨打 {' / '.join(urgent.call)}）")
        civic, now = runtime.civic(), runtime.now(tracker)
        with civic.uow() as uow:
            case = cases.report_emergency(uow, civic.services, actor=runtime.resident(tracker),
                                          category=category, description=description,
                                          address=address or "", now=now, contact_phone=phone).case
        dispatcher.utter_message(text=f"已按紧急事项登记，工单号 {case.number}，"
                                      f"由{handler_text(civic.services.district, case)}处理，"
                                      f"{deadline_lines(case, now)}。")
        return hand_off(dispatcher, tracker, reason="urgent", summary=description,
                        category=case.category, case_number=case.number) + [
            SlotSet("report_confirmed", "filed")]


class AskCategory(Action):
    def name(self) -> str:
        return "action_ask_category"

    def run(self, dispatcher, tracker, domain):
        found = _categories(tracker)
        offered = found if len(found) > 1 else list(CATEGORIES)
        dispatcher.utter_message(text="请问是哪一类问题？点选一项，或直接描述问题。",
                                 buttons=[button(CATEGORIES[c], choice=c) for c in offered])
        return []


class AskAddress(Action):
    def name(self) -> str:
        return "action_ask_address"

    def run(self, dispatcher, tracker, domain):
        if offered_just_now(tracker):
            return [SlotSet("options_offered", None)]
        home = runtime.profile(tracker).household_address
        if home:
            dispatcher.utter_message(text=f"问题发生在哪里？如果就在您登记的住址（{home}），点“就在这里”；"
                                          "不在的话请写出小区和楼号，或路名和门牌号。",
                                     buttons=[button("就在这里", choice="home")])
        else:
            dispatcher.utter_message(text="问题发生在哪里？请写出小区和楼号，或路名和门牌号，"
                                          "如“望江花园3号楼”“清溪路18号”。")
        return []


class AskContactPhone(Action):
    def name(self) -> str:
        return "action_ask_contact_phone"

    def run(self, dispatcher, tracker, domain):
        phone = runtime.profile(tracker).phone
        buttons = [button(f"用 {mask_phone(phone)}", choice="profile")] if phone else []
        dispatcher.utter_message(text="方便留个手机号吗？只给处理这件事的工作人员看，方便他们联系您。不留请点“跳过”。",
                                 buttons=buttons + [button("跳过", choice="skip")])
        return []


class AskReportConfirmed(Action):
    def name(self) -> str:
        return "action_ask_report_confirmed"

    def run(self, dispatcher, tracker, domain):
        phone = tracker.get_slot("contact_phone")
        lines = [f"类别：{CATEGORIES.get(tracker.get_slot('category'), '其他事项')}",
                 f"问题：{tracker.get_slot('description')}",
                 f"地点：{tracker.get_slot('address') or '（未说明）'}",
                 f"联系电话：{mask_phone(phone) if phone and phone != 'none' else '不留'}"]
        dispatcher.utter_message(text="请核对：\n" + "\n".join(lines) + "\n确认无误就提交，我会马上派给负责的工作人员。",
                                 buttons=[button("确认提交", choice="yes"), button("修改", choice="no"),
                                          button("不报了", "cancel")])
        return []


class AskDuplicateChoice(Action):
    def name(self) -> str:
        return "action_ask_duplicate_choice"

    def run(self, dispatcher, tracker, domain):
        number = (tracker.get_slot("duplicates") or [""])[0]
        dispatcher.utter_message(
            text=f"附近已经有人反映过类似的问题（工单 {number}，正在办理）。"
                 "您可以关注这个工单，办理进展会同步告诉您；也可以仍然单独登记。",
            buttons=[button("关注这个工单", choice="follow"), button("仍然单独登记", choice="file")])
        return []


class ValidateReportForm(FormValidator):
    def name(self) -> str:
        return "validate_report_form"

    async def required_slots(self, domain_slots, dispatcher, tracker, domain):
        if tracker.get_slot("report_confirmed") == "filed":
            return []
        if tracker.get_slot("duplicates"):
            return domain_slots
        return [slot for slot in domain_slots if slot != "duplicate_choice"]

    def validate_category(self, value, dispatcher, tracker, domain) -> dict[str, Any]:
        picked = choice(tracker)
        said = intent(tracker)
        if picked in CATEGORIES:
            return accept("category", picked)
        if said.startswith(REPORT_PREFIX) and said[len(REPORT_PREFIX):] in CATEGORIES:
            found = said[len(REPORT_PREFIX):]
            updates = accept("category", found)
            if not tracker.get_slot("description") and len(text(tracker)) >= MIN_DESCRIPTION:
                updates["description"] = text(tracker)[:1000]
            return updates
        return reject(dispatcher, tracker, "category", "没看出是哪一类问题，请点下面的一项，或者换个说法描述一下。")

    def validate_description(self, value, dispatcher, tracker, domain) -> dict[str, Any]:
        said = text(tracker) if tracker.get_slot("requested_slot") == "description" else (value or "")
        if tracker.get_slot("requested_slot") == "description" and another_errand(tracker):
            return reject(dispatcher, tracker, "description",
                          "这好像不是要反映的问题。请说说具体是什么问题；" + SWITCH_HINT)
        if len(said.strip()) < MIN_DESCRIPTION or NO_DETAILS.match(said.strip()):
            return reject(dispatcher, tracker, "description",
                          "请再具体一点，比如“3号楼楼道灯坏了一个星期”，工作人员才好处理。")
        if too_long(said):
            return reject(dispatcher, tracker, "description",
                          "描述太长了（超过1000字），请先说最要紧的情况，其余的提交后可以补充。")
        return accept("description", said.strip())

    def validate_address(self, value, dispatcher, tracker, domain) -> dict[str, Any]:
        picked = choice(tracker)
        district = runtime.civic().services.district
        if picked and picked.startswith("grid:"):
            grid_id, _, label = picked[5:].partition("|")
            if grid_id in district.grids:
                # The slot holds the pressed button's text ("/inform{...}"); the address the
                # resident typed travels in the button's label.
                return {**accept("address", label or district.grids[grid_id].name), "grid_id": grid_id}
        if picked == "home":
            value = runtime.profile(tracker).household_address
        elif tracker.get_slot("requested_slot") == "address":
            value = entity(tracker, "address") or text(tracker)
        value = (value or "").strip()
        if not value or too_long(value):
            return reject(dispatcher, tracker, "address", "请写出问题所在的小区和楼号，或路名和门牌号。")
        resolution = resolve_address(district, value)
        if resolution.kind == AMBIGUOUS:
            return offer(dispatcher, "address", f"“{value}”可能指下面几处，请选一个：",
                         [button(c.label, choice=f"grid:{c.grid_id}|{value}")
                          for c in resolution.candidates[:8]])
        if resolution.kind == UNKNOWN and not PLACE_WORD.search(value):
            return reject(dispatcher, tracker, "address",
                          f"“{value}”看不出是哪里。请写出小区和楼号，或路名和门牌号，如“望江花园3号楼”“清溪路18号”。")
        if resolution.kind == UNKNOWN:
            dispatcher.utter_message(text=f"“{value}”我没能对应到具体网格，会交给街道综合指挥中心人工分派，不影响办理。")
        return {**accept("address", value), "grid_id": resolution.grid_id}

    def validate_contact_phone(self, value, dispatcher, tracker, domain) -> dict[str, Any]:
        picked = choice(tracker)
        if picked == "skip" or (tracker.get_slot("requested_slot") == "contact_phone"
                                and yes_or_no(tracker) is False) or re.fullmatch(r"(跳过|不留|不用了?)", text(tracker)):
            return accept("contact_phone", "none")
        if picked == "profile":
            return accept("contact_phone", runtime.profile(tracker).phone)
        typed = entity(tracker, "phone") or (value or "")
        try:
            return accept("contact_phone", mobile_number(typed))
        except InvalidPhone:
            return reject(dispatcher, tracker, "contact_phone",
                          "这个手机号好像不对，请输入11位手机号（如13812345678），不想留请点“跳过”。")

    def validate_report_confirmed(self, value, dispatcher, tracker, domain) -> dict[str, Any]:
        if value == "filed":
            return {"report_confirmed": "filed"}
        answer = yes_or_no(tracker)
        if answer is None:
            return reject(dispatcher, tracker, "report_confirmed", "请点“确认提交”或“修改”。")
        if answer is False:
            dispatcher.utter_message(text="好的，我们重新填一遍问题和地点。")
            return {"report_confirmed": None, "description": None, "address": None,
                    "contact_phone": None, "grid_id": None, "form_failures": 0.0}
        return {**accept("report_confirmed", "yes"), "duplicates": self._duplicates(tracker)}

    def validate_duplicate_choice(self, value, dispatcher, tracker, domain) -> dict[str, Any]:
        picked = choice(tracker) or ("follow" if yes_or_no(tracker) else
                                     "file" if yes_or_no(tracker) is False else None)
        if picked not in ("follow", "file"):
            return reject(dispatcher, tracker, "duplicate_choice", "请点“关注这个工单”或“仍然单独登记”。")
        return accept("duplicate_choice", picked)

    @staticmethod
    def _duplicates(tracker) -> list[str] | None:
        """The service's likely duplicate, asked now so the form can offer it."""
        civic = runtime.civic()
        with civic.uow() as uow:
            found = cases.find_duplicates(uow, civic.services, actor=runtime.resident(tracker),
                                          category=tracker.get_slot("category") or "other",
                                          description=tracker.get_slot("description") or "",
                                          address=tracker.get_slot("address") or "",
                                          grid_id=tracker.get_slot("grid_id"))
        return [found.number] if found else None


class ActionSubmitReport(Action):
    """File the confirmed report (or follow the duplicate) and say who does what by when."""

    def name(self) -> str:
        return "action_submit_report"

    def run(self, dispatcher, tracker, domain):
        if tracker.get_slot("report_confirmed") != "yes":
            return _resets()
        civic, now = runtime.civic(), runtime.now(tracker)
        duplicates = tracker.get_slot("duplicates") or []
        if duplicates and tracker.get_slot("duplicate_choice") == "follow":
            return self._follow(dispatcher, tracker, duplicates[0])
        phone = tracker.get_slot("contact_phone")
        with civic.uow() as uow:
            # Filed anyway only when the resident was offered a likely duplicate and chose so.
            filed = cases.report_case(
                uow, civic.services, actor=runtime.resident(tracker),
                category=tracker.get_slot("category") or "other",
                description=tracker.get_slot("description") or "",
                address=tracker.get_slot("address") or "", now=now,
                contact_phone=phone if phone and phone != "none" else None,
                grid_id=tracker.get_slot("grid_id"),
                file_anyway=bool(duplicates) and tracker.get_slot("duplicate_choice") == "file")
        if isinstance(filed, cases.LikelyDuplicate):
            # Someone reported the same a moment after the confirmation checked: follow it,
            # and say how to report separately (the check then offers the choice).
            return self._follow(dispatcher, tracker, filed.number, just_now=True)
        case = filed.case
        dispatcher.utter_message(
            text=f"已受理，工单号 {case.number}。\n由{handler_text(civic.services.district, case)}负责，"
                 f"{deadline_lines(case, now)}。\n有进展我会第一时间告诉您；发“我的工单”可随时查看、补充或催办。")
        if case.category == "dispute":
            dispatcher.utter_message(text="邻里纠纷也可以预约人民调解员当面调解，需要的话点下面的按钮。",
                                     buttons=[button("预约人民调解", "book_mediation", case_id=case.number)])
        return _resets()

    @staticmethod
    def _follow(dispatcher, tracker, number: str, just_now: bool = False) -> list:
        civic = runtime.civic()
        with civic.uow() as uow:
            followed = cases.follow_case(uow, actor=runtime.resident(tracker), number=number,
                                         now=runtime.now(tracker))
        reply = f"已为您关注工单 {followed.number}，办理进展和结果都会告诉您。发“我的工单”可以随时查看。"
        if just_now:
            reply = (f"刚刚有人反映了同样的问题（工单 {followed.number}）。{reply}"
                     "如果您的情况不一样，可以重新反映，选“仍然单独登记”。")
        dispatcher.utter_message(text=reply)
        return _resets()
