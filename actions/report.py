"""Reporting a problem: report_form, its questions and validators, and filing the case."""
from __future__ import annotations

import re
from typing import Any

from rasa_sdk import Action
from rasa_sdk.events import FollowupAction, SlotSet

from actions import runtime
from actions import texts
from actions.common import (NO, REPORT_PREFIX, SKIP, YES, FormValidator, accept, another_errand, button,
                            choice, entity, intent, offer, offered_just_now, reject, shared_location,
                            text, too_long, yes_or_no)
from actions.handoff import hand_off
from actions.texts import CATEGORIES, URGENT_ADVICE, deadline_lines, handler_text, mask_phone
from civic.domain.accounts import InvalidPhone, mobile_number
from civic.domain.deadlines import Emergency, emergency
from civic.domain.routing import AMBIGUOUS, UNKNOWN, grid_at, resolve_address
from civic.services import cases
from nlu.intents import canonical, may_be_report, plausible_categories, report_share

FORM_SLOTS = ("category", "description", "address", "contact_phone", "report_confirmed",
              "duplicate_choice", "grid_id", "duplicates")
# "我要投诉" says that there is a problem, not what it is.
NO_DETAILS = re.compile(r"^(你好|您好)?[,，]?(我)?(要|想)?(投诉|反映|举报|报修|报告|说)(一下|个|一个)?"
                        r"(问题|情况|事情?)?[。！!]*$")
MIN_DESCRIPTION = 5
# An address the district data does not know must at least look like a place.
PLACE_WORD = re.compile(r"[路街道巷弄号楼栋幢单元室区苑园村庄院场站桥门口旁边对面附近里湾城府角]|胡同|\d")


def _resets() -> list:
    return [SlotSet(slot, None) for slot in FORM_SLOTS] + [SlotSet("form_failures", 0.0)]


def _categories(tracker) -> list[str]:
    return canonical(tracker.latest_message or {}).get("categories") or []


class ActionStartReport(Action):
    """The first message of a report fills what it can; an emergency is filed at once."""

    def name(self) -> str:
        return "action_start_report"

    def run(self, dispatcher, tracker, domain):
        return self.start(dispatcher, tracker, _categories(tracker))

    def start(self, dispatcher, tracker, found: list[str]) -> list:
        """Fill the report from the latest message, ``found`` its categories."""
        events = _resets()
        said = text(tracker)
        earlier = _suggested_for(tracker) if not said and choice(tracker) in CATEGORIES else None
        if earlier is not None:  # a kind picked for a message first heard as out of scope
            said = (earlier.get("text") or "").strip()
        category = found[0] if len(found) == 1 else None
        if choice(tracker) in CATEGORIES:
            category = choice(tracker)
        description = said if len(said) >= MIN_DESCRIPTION and not NO_DETAILS.match(said) else None
        if description is None and category == "other":  # "我要投诉": which kind is still open
            category = None
        if description and too_long(description):
            dispatcher.utter_message(text=texts.DESCRIPTION_CUT)
            description = description[:1000]
        address, phone = entity(tracker, "address"), entity(tracker, "phone")
        if earlier is not None:
            found_there = {e.get("entity"): e.get("value") for e in (earlier.get("parse_data") or {}).get("entities") or []}
            address, phone = address or found_there.get("address"), phone or found_there.get("phone")
        guessed = category or (found[0] if found else "safety")
        urgent = emergency(guessed, description or said)
        if urgent:
            return events + self._emergency(dispatcher, tracker, urgent, guessed, description or said,
                                            address, phone)
        if len(found) > 1:
            names = "、".join(CATEGORIES[c] for c in found)
            dispatcher.utter_message(text=texts.SEVERAL_PROBLEMS.format(names=names))
        events += [SlotSet("category", category), SlotSet("description", description),
                   SlotSet("address", address), SlotSet("contact_phone", phone)]
        return events

    def _emergency(self, dispatcher, tracker, urgent: Emergency, category, description, address, phone):
        # The numbers to call come before anything else is said or stored.
        dispatcher.utter_message(text=URGENT_ADVICE + texts.CALL_FIRST.format(numbers=" / ".join(urgent.call)))
        civic, now = runtime.civic(), runtime.now(tracker)
        with civic.uow() as uow:
            case = cases.report_emergency(uow, civic.services, actor=runtime.resident(tracker),
                                          category=category, description=description,
                                          address=address or "", now=now, contact_phone=phone).case
        dispatcher.utter_message(text=texts.EMERGENCY_FILED.format(
            number=case.number, handler=handler_text(civic.services.district, case),
            deadlines=deadline_lines(case, now)))
        return hand_off(dispatcher, tracker, reason="urgent", summary=description,
                        category=case.category, case_number=case.number) + [
            SlotSet("report_confirmed", "filed")]


def _suggested_for(tracker) -> dict | None:
    """The user event a "您是想反映……吗？" question was about, when the latest message
    answers that question; else None."""
    asked, latest_seen = False, False
    for event in reversed(tracker.events):
        if event.get("event") == "user":
            if latest_seen:
                return event if asked else None
            latest_seen = True
        elif event.get("event") == "bot" and latest_seen:
            asked = asked or (event.get("text") or "").startswith(MEANT_TO_REPORT_OPENING)
    return None


MEANT_TO_REPORT_OPENING = texts.MEANT_TO_REPORT.split("{", 1)[0]
# Ranked this high, a category is taken for a report that began as another errand.
SURE_CATEGORY_SHARE = 0.30


def describes_problem(tracker) -> bool:
    """The latest message tells of a problem, whatever else the model heard in it."""
    return may_be_report(text(tracker), report_share(tracker.latest_message or {}),
                         bool(entity(tracker, "address")))


def report_instead(dispatcher, tracker, what: str) -> list:
    """An errand with nothing to act on (催办, 撤回, 补充 without a case) on a message that
    describes a problem: that problem becomes a report, rather than being lost."""
    dispatcher.utter_message(text=texts.NOTHING_TO_SO_REPORT.format(what=what))
    found = plausible_categories(tracker.latest_message or {}, SURE_CATEGORY_SHARE)
    events = ActionStartReport().start(dispatcher, tracker, found)
    if any(isinstance(e, dict) and e.get("name") == "report_confirmed" and e.get("value") == "filed"
           for e in events):
        return events  # an emergency: filed at once and handed to staff
    return events + [FollowupAction("report_form")]


class AskCategory(Action):
    def name(self) -> str:
        return "action_ask_category"

    def run(self, dispatcher, tracker, domain):
        found = _categories(tracker)
        offered = found if len(found) > 1 else list(CATEGORIES)
        dispatcher.utter_message(text=texts.ASK_CATEGORY,
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
            dispatcher.utter_message(text=texts.ASK_PLACE_OR_HOME.format(home=home),
                                     buttons=[button(texts.AT_HOME, choice="home")])
        else:
            dispatcher.utter_message(text=texts.fill(texts.ASK_PLACE, runtime.civic().services.district))
        return []


class AskContactPhone(Action):
    def name(self) -> str:
        return "action_ask_contact_phone"

    def run(self, dispatcher, tracker, domain):
        phone = runtime.profile(tracker).phone
        buttons = [button(texts.USE_PHONE.format(phone=mask_phone(phone)), choice="profile")] if phone else []
        dispatcher.utter_message(text=texts.ASK_CONTACT_PHONE,
                                 buttons=buttons + [button(texts.SKIP, choice="skip")])
        return []


class AskReportConfirmed(Action):
    def name(self) -> str:
        return "action_ask_report_confirmed"

    def run(self, dispatcher, tracker, domain):
        phone = tracker.get_slot("contact_phone")
        dispatcher.utter_message(
            text=texts.CONFIRM_REPORT.format(
                category=CATEGORIES.get(tracker.get_slot("category"), CATEGORIES["other"]),
                description=tracker.get_slot("description"), address=tracker.get_slot("address") or texts.NO_PLACE,
                phone=mask_phone(phone) if phone and phone != "none" else texts.NO_PHONE),
            buttons=[button(texts.SUBMIT, choice="yes"), button(texts.CHANGE, choice="no"),
                     button(texts.DROP_REPORT, "cancel")])
        return []


class AskDuplicateChoice(Action):
    def name(self) -> str:
        return "action_ask_duplicate_choice"

    def run(self, dispatcher, tracker, domain):
        number = (tracker.get_slot("duplicates") or [""])[0]
        dispatcher.utter_message(text=texts.DUPLICATE.format(number=number),
                                 buttons=[button(texts.FOLLOW, choice="follow"),
                                          button(texts.FILE_ANYWAY, choice="file")])
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

    def typed_words(self, slot, tracker) -> bool:
        if slot == "contact_phone":  # "不用了" skips the phone even when read as cancel
            return bool(SKIP.fullmatch(text(tracker)))
        return slot in ("report_confirmed", "duplicate_choice") and intent(tracker) != "cancel" \
            and bool(YES.match(text(tracker)) or NO.match(text(tracker)))

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
        return reject(dispatcher, tracker, "category", texts.WHICH_CATEGORY)

    def validate_description(self, value, dispatcher, tracker, domain) -> dict[str, Any]:
        said = text(tracker) if tracker.get_slot("requested_slot") == "description" else (value or "")
        if tracker.get_slot("requested_slot") == "description" and another_errand(tracker):
            return reject(dispatcher, tracker, "description", texts.NOT_A_PROBLEM)
        if len(said.strip()) < MIN_DESCRIPTION or NO_DETAILS.match(said.strip()):
            return reject(dispatcher, tracker, "description", texts.MORE_DETAIL)
        if too_long(said):
            return reject(dispatcher, tracker, "description", texts.DESCRIPTION_TOO_LONG)
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
        located = shared_location(tracker)
        if located:
            return self._location(dispatcher, district, *located)
        if picked == "home":
            value = runtime.profile(tracker).household_address
        elif tracker.get_slot("requested_slot") == "address":
            value = entity(tracker, "address") or text(tracker)
        value = (value or "").strip()
        if not value or too_long(value):
            return reject(dispatcher, tracker, "address", texts.PLACE_AGAIN)
        resolution = resolve_address(district, value)
        if resolution.kind == AMBIGUOUS:
            return offer(dispatcher, "address", texts.WHICH_PLACE.format(place=value),
                         [button(c.label, choice=f"grid:{c.grid_id}|{value}")
                          for c in resolution.candidates[:8]])
        if resolution.kind == UNKNOWN and not PLACE_WORD.search(value):
            return reject(dispatcher, tracker, "address", texts.fill(texts.NOT_A_PLACE, district, place=value))
        if resolution.kind == UNKNOWN:
            dispatcher.utter_message(text=texts.PLACE_TO_TRIAGE.format(place=value))
        return {**accept("address", value), "grid_id": resolution.grid_id}

    @staticmethod
    def _location(dispatcher, district, lat: float, lon: float) -> dict[str, Any]:
        """A shared location answers "where": its grid, or triage with the coordinates kept
        in the address, so that whoever sorts it out can find the place."""
        grid = grid_at(district, lat, lon)
        if grid is None:
            dispatcher.utter_message(text=texts.LOCATION_OUTSIDE.format(street=district.street_name))
        else:
            dispatcher.utter_message(text=texts.LOCATION_IN_GRID.format(grid=grid.name))
        return {**accept("address", texts.LOCATION_ADDRESS.format(lat=lat, lon=lon)),
                "grid_id": grid.id if grid else None}

    def validate_contact_phone(self, value, dispatcher, tracker, domain) -> dict[str, Any]:
        picked = choice(tracker)
        if picked == "skip" or (tracker.get_slot("requested_slot") == "contact_phone"
                                and yes_or_no(tracker) is False) or SKIP.fullmatch(text(tracker)):
            return accept("contact_phone", "none")
        if picked == "profile":
            return accept("contact_phone", runtime.profile(tracker).phone)
        typed = entity(tracker, "phone") or (value or "")
        try:
            return accept("contact_phone", mobile_number(typed))
        except InvalidPhone:
            return reject(dispatcher, tracker, "contact_phone", texts.BAD_CONTACT_PHONE)

    def validate_report_confirmed(self, value, dispatcher, tracker, domain) -> dict[str, Any]:
        if value == "filed":
            return {"report_confirmed": "filed"}
        answer = yes_or_no(tracker)
        if answer is None:
            return reject(dispatcher, tracker, "report_confirmed", texts.SUBMIT_OR_CHANGE)
        if answer is False:
            dispatcher.utter_message(text=texts.REPORT_AGAIN)
            return {"report_confirmed": None, "description": None, "address": None,
                    "contact_phone": None, "grid_id": None, "form_failures": 0.0}
        return {**accept("report_confirmed", "yes"), "duplicates": self._duplicates(tracker)}

    def validate_duplicate_choice(self, value, dispatcher, tracker, domain) -> dict[str, Any]:
        picked = choice(tracker) or ("follow" if yes_or_no(tracker) else
                                     "file" if yes_or_no(tracker) is False else None)
        if picked not in ("follow", "file"):
            return reject(dispatcher, tracker, "duplicate_choice", texts.FOLLOW_OR_FILE)
        return accept("duplicate_choice", picked)

    @staticmethod
    def _duplicates(tracker) -> list[str] | None:
        """The service's likely duplicate, asked now so the form can offer it."""
        civic = runtime.civic()
        with civic.reader() as uow:
            found = cases.find_duplicates(uow, civic.services, actor=runtime.resident(tracker),
                                          category=tracker.get_slot("category") or "other",
                                          description=tracker.get_slot("description") or "",
                                          address=tracker.get_slot("address") or "",
                                          grid_id=tracker.get_slot("grid_id"))
        return [found.number] if found else None


def submission_key(tracker) -> str | None:
    """The conversation and the turn that confirmed the report. Replayed after a crash
    (the case committed, the conversation not saved), the turn meets the same saved
    conversation, so the key is the same and the case filed then is found."""
    events = tracker.events
    confirmed = max((i for i, e in enumerate(events) if e.get("event") == "user"), default=0)
    before = events[confirmed - 1].get("timestamp") if confirmed else None
    return f"report:{tracker.sender_id}:{before}" if before else None


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
                file_anyway=bool(duplicates) and tracker.get_slot("duplicate_choice") == "file",
                submission_key=submission_key(tracker))
        if isinstance(filed, cases.LikelyDuplicate):
            # Someone reported the same a moment after the confirmation checked: follow it,
            # and say how to report separately (the check then offers the choice).
            return self._follow(dispatcher, tracker, filed.number, just_now=True)
        case = filed.case
        dispatcher.utter_message(text=texts.FILED.format(
            number=case.number, handler=handler_text(civic.services.district, case),
            deadlines=deadline_lines(case, now)))
        if case.category == "dispute":
            dispatcher.utter_message(text=texts.OFFER_MEDIATION,
                                     buttons=[button(texts.BOOK_MEDIATION, "book_mediation", case_id=case.number)])
        return _resets()

    @staticmethod
    def _follow(dispatcher, tracker, number: str, just_now: bool = False) -> list:
        civic = runtime.civic()
        with civic.uow() as uow:
            followed = cases.follow_case(uow, actor=runtime.resident(tracker), number=number,
                                         now=runtime.now(tracker))
        reply = texts.FOLLOWING.format(number=followed.number)
        if just_now:
            reply = texts.FOLLOWING_JUST_FILED.format(number=followed.number, following=reply)
        dispatcher.utter_message(text=reply)
        return _resets()
