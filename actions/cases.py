"""Following cases: my cases, one case's history, add details, hurry, withdraw, rate."""
from __future__ import annotations

import re
from typing import Any

from rasa_sdk import Action
from rasa_sdk.events import SlotSet

from actions import runtime
from actions.common import (SWITCH_HINT, FormValidator, accept, another_errand, button, by_words, choice, entity,
                            reject, text, too_long)
from actions.texts import (ACTIONS, CATEGORIES, SATISFACTION, STATES, STEPS, deadline_lines, handler_text,
                           local, when)
from civic.domain.case import OPEN
from civic.domain.commands import Detail, Hurry, Rate, Withdraw
from civic.domain.errors import CaseNotFound, DomainError, NotAllowed
from civic.services import cases, commands


def _own_cases(tracker, states=None):
    civic = runtime.civic()
    with civic.uow() as uow:
        found = cases.my_cases(uow, actor=runtime.resident(tracker))
    return [c for c in found if c.own and (states is None or c.state in states)]


def _case_buttons(view) -> list[dict]:
    if view.state in {s.value for s in OPEN}:
        buttons = [button("催办", "hurry_case", case_id=view.number)]
        if view.own:
            buttons = [button("补充情况", "add_detail", case_id=view.number)] + buttons + [
                button("撤回", "withdraw_case", case_id=view.number)]
        return buttons
    if view.state == "resolved" and view.own:
        return [button("评价", "rate_case", case_id=view.number)]
    return []


def show_case(dispatcher, tracker, number: str) -> None:
    civic, now = runtime.civic(), runtime.now(tracker)
    try:
        with civic.uow() as uow:
            view = cases.case_for_resident(uow, actor=runtime.resident(tracker), number=number)
    except CaseNotFound:
        dispatcher.utter_message(text=f"没有找到您名下的工单 {number}。请核对工单号，或发“我的工单”查看您的全部工单。")
        return
    lines = [f"工单 {view.number}（{CATEGORIES.get(view.category, '其他事项')}）：{STATES.get(view.state, view.state)}"]
    if view.next_due:
        lines.append(f"下一步：{when(view.next_due, now)}前{STEPS.get(view.next_step, '处理')}")
    for at, action, note in view.updates:
        lines.append(f"· {local(at):%m-%d %H:%M} {ACTIONS.get(action, action)}" + (f"：{note}" if note else ""))
    dispatcher.utter_message(text="\n".join(lines), buttons=_case_buttons(view))


class ActionMyCases(Action):
    """"我的工单": the list; a case number: that case's history, if the resident may see it."""

    def name(self) -> str:
        return "action_my_cases"

    def run(self, dispatcher, tracker, domain):
        number = entity(tracker, "case_id")
        if number:
            show_case(dispatcher, tracker, number)
            return []
        civic, now = runtime.civic(), runtime.now(tracker)
        with civic.uow() as uow:
            views = cases.my_cases(uow, actor=runtime.resident(tracker))
        if not views:
            dispatcher.utter_message(text="您还没有反映过问题。遇到问题直接告诉我，我帮您登记派单。")
            return []
        lines = ["您的工单（含关注的）："]
        for view in views[:10]:
            due = f"，{when(view.next_due, now)}前{STEPS.get(view.next_step, '处理')}" if view.next_due else ""
            mark = "" if view.own else "（关注）"
            lines.append(f"{view.number}{mark} {CATEGORIES.get(view.category, '')}：{STATES.get(view.state, view.state)}{due}")
        lines.append("点工单号查看进度和办理记录。")
        dispatcher.utter_message(text="\n".join(lines),
                                 buttons=[button(v.number, "check_case", case_id=v.number) for v in views[:10]])
        return []


def _target(dispatcher, tracker, what: str, intent: str, states) -> str | None:
    """The case a hurry or withdraw is about: named, the only one, or asked for."""
    number = entity(tracker, "case_id")
    if number:
        return number
    candidates = [v for v in _own_cases(tracker) if v.state in states]
    if len(candidates) == 1:
        return candidates[0].number
    if not candidates:
        dispatcher.utter_message(text=f"您目前没有可以{what}的工单。发“我的工单”可以查看全部工单。")
        return None
    dispatcher.utter_message(text=f"您要{what}哪一个工单？",
                             buttons=[button(f"{v.number} {CATEGORIES.get(v.category, '')}", intent, case_id=v.number)
                                      for v in candidates[:8]])
    return None


OPEN_STATES = {s.value for s in OPEN}


class ActionHurryCase(Action):
    def name(self) -> str:
        return "action_hurry_case"

    def run(self, dispatcher, tracker, domain):
        number = _target(dispatcher, tracker, "催办", "hurry_case", OPEN_STATES)
        if number is None:
            return []
        civic, now = runtime.civic(), runtime.now(tracker)
        try:
            with civic.uow() as uow:
                hurried = commands.handle(uow, civic.services, Hurry(number, runtime.resident(tracker), now))
        except CaseNotFound:
            dispatcher.utter_message(text=f"没有找到您名下的工单 {number}，请核对工单号。")
            return []
        except DomainError:
            dispatcher.utter_message(text=f"工单 {number} 已经办结或关闭，不能催办了。有新情况可以重新反映。")
            return []
        reply = f"已催办工单 {number}，已通知{handler_text(civic.services.district, hurried.case)}"
        if hurried.escalated:
            reply += "。这件事已经超过时限，已升级给上一级督办"
        due = deadline_lines(hurried.case, now)
        dispatcher.utter_message(text=reply + (f"。时限：{due}。" if due else "。") + "有进展我会告诉您。")
        return []


class ActionWithdrawCase(Action):
    """Ask to confirm; the withdrawal itself happens on yes (action_answer_pending)."""

    def name(self) -> str:
        return "action_withdraw_case"

    def run(self, dispatcher, tracker, domain):
        number = _target(dispatcher, tracker, "撤回", "withdraw_case", OPEN_STATES)
        if number is None:
            return []
        civic = runtime.civic()
        try:
            with civic.uow() as uow:
                view = cases.case_for_resident(uow, actor=runtime.resident(tracker), number=number)
        except CaseNotFound:
            view = None
        if view is None or not view.own:
            dispatcher.utter_message(text=f"没有找到您反映的工单 {number}，请核对工单号。")
            return []
        if view.state not in OPEN_STATES:
            dispatcher.utter_message(text=f"工单 {number} 现在是“{STATES.get(view.state, view.state)}”，不能撤回了。")
            return []
        dispatcher.utter_message(text=f"确定撤回工单 {number} 吗？撤回后工作人员不再处理这件事。",
                                 buttons=[button("确认撤回", "affirm"), button("不撤回", "deny")])
        return [SlotSet("pending", f"withdraw:{number}")]


def withdraw(dispatcher, tracker, number: str) -> None:
    civic, now = runtime.civic(), runtime.now(tracker)
    try:
        with civic.uow() as uow:
            commands.handle(uow, civic.services,
                            Withdraw(number, runtime.resident(tracker), now, note="居民撤回"))
    except DomainError:
        dispatcher.utter_message(text=f"工单 {number} 已经不能撤回了（可能刚刚办结）。发“我的工单”查看最新状态。")
        return
    dispatcher.utter_message(text=f"工单 {number} 已撤回，工作人员不会再处理。以后有问题随时告诉我。")


# --- add details ----------------------------------------------------------------------


class ActionStartDetail(Action):
    def name(self) -> str:
        return "action_start_detail"

    def run(self, dispatcher, tracker, domain):
        number = entity(tracker, "case_id") or tracker.get_slot("detail_case")
        if not number:
            candidates = [v for v in _own_cases(tracker) if v.state in OPEN_STATES]
            if len(candidates) == 1:
                number = candidates[0].number
            elif candidates:
                dispatcher.utter_message(text="您要给哪一个工单补充情况？",
                                         buttons=[button(v.number, "add_detail", case_id=v.number)
                                                  for v in candidates[:8]])
            else:
                dispatcher.utter_message(text="您目前没有在办的工单。有新问题可以直接告诉我。")
        detail = text(tracker)
        inline = re.sub(r"^.{0,12}?(补充|还有|另外|漏说了)[一下点几句的情况:：，,\s]*", "", detail)
        return [SlotSet("detail_case", number), SlotSet("form_failures", 0.0),
                SlotSet("detail_text", inline if number and len(inline) >= 5 and inline != detail else None)]


class ValidateDetailForm(FormValidator):
    def name(self) -> str:
        return "validate_detail_form"

    async def required_slots(self, domain_slots, dispatcher, tracker, domain):
        return domain_slots if tracker.get_slot("detail_case") else []

    def validate_detail_text(self, value, dispatcher, tracker, domain) -> dict[str, Any]:
        value = (value or "").strip()
        if another_errand(tracker):
            return reject(dispatcher, tracker, "detail_text", "请直接输入要补充的内容。" + SWITCH_HINT)
        if len(value) < 2 or value.startswith("/"):
            return reject(dispatcher, tracker, "detail_text", "请直接输入要补充的内容。")
        if too_long(value):
            return reject(dispatcher, tracker, "detail_text", "内容太长了（超过1000字），请分几次补充。")
        return accept("detail_text", value)


class ActionSubmitDetail(Action):
    def name(self) -> str:
        return "action_submit_detail"

    def run(self, dispatcher, tracker, domain):
        number, detail = tracker.get_slot("detail_case"), tracker.get_slot("detail_text")
        events = [SlotSet("detail_case", None), SlotSet("detail_text", None)]
        if not (number and detail):
            return events
        civic = runtime.civic()
        try:
            with civic.uow() as uow:
                commands.handle(uow, civic.services,
                                Detail(number, runtime.resident(tracker), runtime.now(tracker), note=detail))
        except (CaseNotFound, NotAllowed):  # NotAllowed: a case the resident follows, not reported
            dispatcher.utter_message(text=f"没有找到您反映的工单 {number}，请核对工单号。")
            return events
        except DomainError:
            dispatcher.utter_message(text=f"工单 {number} 已经办结或关闭，不能再补充了。有新情况可以重新反映。")
            return events
        dispatcher.utter_message(text=f"已把补充的情况转给工单 {number} 的工作人员。有进展我会告诉您。")
        return events


# --- rating -------------------------------------------------------------------------------

SOLVED = {"solved": True, "unsolved": False}
# First match wins: the negative forms contain the positive words.
SOLVED_WORDS = ((r"没(有)?解决|未解决|还没好|没弄好|没修好|不行", "unsolved"),
                (r"解决了|好了|弄好了|修好了|已解决", "solved"))
SATISFACTION_WORDS = (("不满意", "dissatisfied"), ("基本满意|还行|一般", "basically_satisfied"),
                      ("满意", "satisfied"))


class ActionStartRating(Action):
    def name(self) -> str:
        return "action_start_rating"

    def run(self, dispatcher, tracker, domain):
        number = entity(tracker, "case_id")
        events = [SlotSet("satisfaction", None), SlotSet("rate_reason", None), SlotSet("form_failures", 0.0)]
        if choice(tracker) not in SOLVED:
            events.append(SlotSet("solved", None))
        if not number:
            waiting = _own_cases(tracker, {"resolved"})
            if len(waiting) == 1:
                number = waiting[0].number
            elif waiting:
                dispatcher.utter_message(text="您有几个已办结、待评价的工单，评价哪一个？",
                                         buttons=[button(v.number, "rate_case", case_id=v.number) for v in waiting[:8]])
            else:
                dispatcher.utter_message(text="您目前没有待评价的工单。工单办结后我会请您评价。")
        elif not any(v.number == number and v.state == "resolved" for v in _own_cases(tracker)):
            dispatcher.utter_message(text=f"工单 {number} 现在不能评价（只有您本人反映、已办结的工单可以评价）。")
            number = None
        return events + [SlotSet("rate_case", number)]


class AskSolved(Action):
    def name(self) -> str:
        return "action_ask_solved"

    def run(self, dispatcher, tracker, domain):
        dispatcher.utter_message(text=f"工单 {tracker.get_slot('rate_case')} 已办结。您反映的问题解决了吗？",
                                 buttons=[button("解决了", "rate_case", case_id=tracker.get_slot("rate_case"), choice="solved"),
                                          button("没解决", "rate_case", case_id=tracker.get_slot("rate_case"), choice="unsolved")])
        return []


class AskSatisfaction(Action):
    def name(self) -> str:
        return "action_ask_satisfaction"

    def run(self, dispatcher, tracker, domain):
        dispatcher.utter_message(text="您对这次办理满意吗？",
                                 buttons=[button(label, choice=value) for value, label in SATISFACTION.items()])
        return []


class ValidateRatingForm(FormValidator):
    def name(self) -> str:
        return "validate_rating_form"

    async def required_slots(self, domain_slots, dispatcher, tracker, domain):
        if not tracker.get_slot("rate_case"):
            return []
        needs_reason = tracker.get_slot("solved") == "unsolved" or tracker.get_slot("satisfaction") == "dissatisfied"
        return domain_slots if needs_reason else [s for s in domain_slots if s != "rate_reason"]

    def validate_solved(self, value, dispatcher, tracker, domain) -> dict[str, Any]:
        picked = choice(tracker) or value or ""
        if picked in SOLVED:
            return accept("solved", picked)
        said = by_words(text(tracker), SOLVED_WORDS)
        if said:
            return accept("solved", said)
        return reject(dispatcher, tracker, "solved", "请点“解决了”或“没解决”。")

    def validate_satisfaction(self, value, dispatcher, tracker, domain) -> dict[str, Any]:
        picked = choice(tracker)
        if picked in SATISFACTION:
            return accept("satisfaction", picked)
        said = by_words(text(tracker), SATISFACTION_WORDS)
        if said:
            return accept("satisfaction", said)
        return reject(dispatcher, tracker, "satisfaction", "请点“满意”“基本满意”或“不满意”。")

    def validate_rate_reason(self, value, dispatcher, tracker, domain) -> dict[str, Any]:
        value = text(tracker) or ""
        if len(value) < 2:
            return reject(dispatcher, tracker, "rate_reason", "请简单说说还有什么问题，我们好重新安排。")
        return accept("rate_reason", value[:1000])


class ActionSubmitRating(Action):
    def name(self) -> str:
        return "action_submit_rating"

    def run(self, dispatcher, tracker, domain):
        number = tracker.get_slot("rate_case")
        events = [SlotSet(s, None) for s in ("rate_case", "solved", "satisfaction", "rate_reason")]
        if not number or not tracker.get_slot("solved") or not tracker.get_slot("satisfaction"):
            return events
        civic, now = runtime.civic(), runtime.now(tracker)
        try:
            with civic.uow() as uow:
                rated = commands.handle(uow, civic.services, Rate(
                    number, runtime.resident(tracker), now, solved=tracker.get_slot("solved") == "solved",
                    satisfaction=tracker.get_slot("satisfaction"), note=tracker.get_slot("rate_reason") or ""))
        except DomainError:
            dispatcher.utter_message(text=f"工单 {number} 现在不能评价了（可能已经评价过）。发“我的工单”查看最新状态。")
            return events
        if rated.rerouted:
            dispatcher.utter_message(
                text=f"收到，工单 {number} 已重新办理，派给{handler_text(civic.services.district, rated.case)}，"
                     f"{deadline_lines(rated.case, now)}。您说的情况已转给工作人员，有进展我会告诉您。")
        else:
            dispatcher.utter_message(text=f"谢谢您的评价！工单 {number} 已关闭。以后有问题随时告诉我。")
        return events
