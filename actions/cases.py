"""Following cases: my cases, one case's history, add details, hurry, withdraw, rate."""
from __future__ import annotations

import re
from typing import Any

from rasa_sdk import Action
from rasa_sdk.events import FollowupAction, SlotSet

from actions import runtime, texts
from actions.common import (FormValidator, accept, another_errand, button, by_words, choice, entity, intent,
                            reject, stop_here, text, too_long)
from actions.report import describes_problem, report_instead
from actions.texts import (ACTIONS, CATEGORIES, SATISFACTION, STATES, STEPS, deadline_lines, handler_text,
                           local, when)
from civic.domain.case import OPEN, AlreadyHurried
from civic.domain.commands import Detail, Hurry, Rate, Withdraw
from civic.domain.errors import CaseNotFound, DomainError, NotAllowed
from civic.services import cases, commands


def _own_cases(tracker, states=None):
    with runtime.civic().reader() as uow:
        found = cases.my_cases(uow, actor=runtime.resident(tracker))
    return [c for c in found if c.own and (states is None or c.state in states)]


def _case_buttons(view) -> list[dict]:
    if view.state in {s.value for s in OPEN}:
        buttons = [button(texts.HURRY, "hurry_case", case_id=view.number)]
        if view.own:
            buttons = [button(texts.ADD_DETAIL, "add_detail", case_id=view.number)] + buttons + [
                button(texts.WITHDRAW, "withdraw_case", case_id=view.number)]
        return buttons
    if view.state == "resolved" and view.own:
        return [button(texts.RATE, "rate_case", case_id=view.number)]
    return []


def show_case(dispatcher, tracker, number: str) -> None:
    civic, now = runtime.civic(), runtime.now(tracker)
    try:
        with civic.reader() as uow:
            view = cases.case_for_resident(uow, actor=runtime.resident(tracker), number=number)
    except CaseNotFound:
        dispatcher.utter_message(text=texts.CASE_NOT_FOUND.format(number=number))
        return
    lines = [texts.CASE_TITLE.format(number=view.number, category=CATEGORIES.get(view.category, CATEGORIES["other"]),
                                     state=STATES.get(view.state, view.state))]
    if view.next_due:
        lines.append(texts.CASE_NEXT.format(when=when(view.next_due, now),
                                            step=STEPS.get(view.next_step, texts.ANY_STEP)))
    for at, action, note in view.updates:
        lines.append(texts.CASE_UPDATE.format(at=f"{local(at):%m-%d %H:%M}", action=ACTIONS.get(action, action))
                     + (texts.CASE_UPDATE_NOTE.format(note=note) if note else ""))
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
        now = runtime.now(tracker)
        with runtime.civic().reader() as uow:
            views = cases.my_cases(uow, actor=runtime.resident(tracker))
        if not views:
            dispatcher.utter_message(text=texts.NO_CASES)
            return []
        lines = [texts.MY_CASES]
        for view in views[:10]:
            due = texts.MY_CASE_DUE.format(when=when(view.next_due, now), step=STEPS.get(view.next_step, texts.ANY_STEP)) \
                if view.next_due else ""
            lines.append(texts.MY_CASE.format(number=view.number, followed="" if view.own else texts.FOLLOWED_MARK,
                                              category=CATEGORIES.get(view.category, ""),
                                              state=STATES.get(view.state, view.state), due=due))
        lines.append(texts.MY_CASES_END)
        dispatcher.utter_message(text="\n".join(lines),
                                 buttons=[button(v.number, "check_case", case_id=v.number) for v in views[:10]])
        return []


REPORT_INSTEAD = "report instead"  # no case to act on, and the message tells of a problem


def _target(dispatcher, tracker, what: str, intent: str, states) -> str | None:
    """The case a hurry or withdraw is about: named, the only one, or asked for; or
    REPORT_INSTEAD."""
    number = entity(tracker, "case_id")
    if number:
        return number
    candidates = [v for v in _own_cases(tracker) if v.state in states]
    if len(candidates) == 1:
        return candidates[0].number
    if not candidates:
        if describes_problem(tracker):
            return REPORT_INSTEAD
        dispatcher.utter_message(text=texts.NOTHING_TO.format(what=what))
        return None
    dispatcher.utter_message(text=texts.WHICH_CASE_TO.format(what=what),
                             buttons=[button(texts.CASE_BUTTON.format(number=v.number,
                                                                      category=CATEGORIES.get(v.category, "")),
                                             intent, case_id=v.number)
                                      for v in candidates[:8]])
    return None


OPEN_STATES = {s.value for s in OPEN}


class ActionHurryCase(Action):
    def name(self) -> str:
        return "action_hurry_case"

    def run(self, dispatcher, tracker, domain):
        number = _target(dispatcher, tracker, texts.HURRY, "hurry_case", OPEN_STATES)
        if number == REPORT_INSTEAD:
            return report_instead(dispatcher, tracker, texts.HURRY)
        if number is None:
            return []
        civic, now = runtime.civic(), runtime.now(tracker)
        try:
            with civic.uow() as uow:
                hurried = commands.handle(uow, civic.services, Hurry(number, runtime.resident(tracker), now))
        except CaseNotFound:
            dispatcher.utter_message(text=texts.CASE_NOT_FOUND_SHORT.format(number=number))
            return []
        except AlreadyHurried as already:  # counted once per working half-day
            if already.reply_by is not None:
                said = texts.HURRIED_ALREADY.format(number=number, when=when(already.reply_by, now))
            else:
                said = texts.HURRIED_ALREADY_LATE.format(number=number, when=when(already.counts_again, now))
            dispatcher.utter_message(text=said)
            return []
        except DomainError:
            dispatcher.utter_message(text=texts.CANNOT_HURRY.format(number=number))
            return []
        due = deadline_lines(hurried.case, now)
        dispatcher.utter_message(text=texts.HURRIED.format(
            number=number, handler=handler_text(civic.services.district, hurried.case),
            escalated=texts.HURRY_ESCALATED if hurried.escalated else "",
            deadlines=texts.HURRY_DEADLINES.format(deadlines=due) if due else ""))
        return []


class ActionWithdrawCase(Action):
    """Ask to confirm; the withdrawal itself happens on yes (action_answer_pending)."""

    def name(self) -> str:
        return "action_withdraw_case"

    def run(self, dispatcher, tracker, domain):
        from actions.welcome import typed_other_press

        typed = typed_other_press(dispatcher, tracker, domain, ActionWithdrawCase)
        if typed is not None:  # "确认撤回" typed, read as withdraw_case
            return typed
        number = _target(dispatcher, tracker, texts.WITHDRAW, "withdraw_case", OPEN_STATES)
        if number == REPORT_INSTEAD:
            return report_instead(dispatcher, tracker, texts.WITHDRAW)
        if number is None:
            return []
        try:
            with runtime.civic().reader() as uow:
                view = cases.case_for_resident(uow, actor=runtime.resident(tracker), number=number)
        except CaseNotFound:
            view = None
        if view is None or not view.own:
            dispatcher.utter_message(text=texts.NOT_YOUR_REPORT.format(number=number))
            return []
        if view.state not in OPEN_STATES:
            dispatcher.utter_message(text=texts.CANNOT_WITHDRAW_NOW.format(
                number=number, state=STATES.get(view.state, view.state)))
            return []
        dispatcher.utter_message(text=texts.CONFIRM_WITHDRAW.format(number=number),
                                 buttons=[button(texts.CONFIRM_WITHDRAW_YES, "affirm"),
                                          button(texts.CONFIRM_WITHDRAW_NO, "deny")])
        return [SlotSet("pending", f"withdraw:{number}")]


def withdraw(dispatcher, tracker, number: str) -> None:
    civic, now = runtime.civic(), runtime.now(tracker)
    try:
        with civic.uow() as uow:
            commands.handle(uow, civic.services,
                            Withdraw(number, runtime.resident(tracker), now, note=texts.WITHDRAWN_NOTE))
    except DomainError:
        dispatcher.utter_message(text=texts.TOO_LATE_TO_WITHDRAW.format(number=number))
        return
    dispatcher.utter_message(text=texts.WITHDRAWN.format(number=number))


# --- add details ----------------------------------------------------------------------


class ActionStartDetail(Action):
    def name(self) -> str:
        return "action_start_detail"

    def run(self, dispatcher, tracker, domain):
        number = entity(tracker, "case_id") or tracker.get_slot("detail_case")
        if number:
            refusal = _detail_refusal(tracker, number)
            if refusal:  # refused before any question is asked
                dispatcher.utter_message(text=refusal)
                number = None
        else:
            candidates = [v for v in _own_cases(tracker) if v.state in OPEN_STATES]
            if len(candidates) == 1:
                number = candidates[0].number
            elif candidates:
                dispatcher.utter_message(text=texts.WHICH_CASE_DETAIL,
                                         buttons=[button(v.number, "add_detail", case_id=v.number)
                                                  for v in candidates[:8]])
            elif describes_problem(tracker):
                return [SlotSet("detail_case", None), SlotSet("detail_text", None)] + report_instead(
                    dispatcher, tracker, texts.ADD_DETAIL)
            else:
                dispatcher.utter_message(text=texts.NO_OPEN_CASES)
        if not number:
            return [SlotSet("detail_case", None), SlotSet("detail_text", None), stop_here()]
        return [SlotSet("detail_case", number), SlotSet("form_failures", 0.0),
                SlotSet("detail_text", inline_detail(text(tracker)) if number else None)]


INLINE_DETAIL = re.compile(r"^.{0,12}?(补充|还有|另外|漏说了)[一下点几句的情况:：，,\s]*")


def inline_detail(typed: str) -> str | None:
    """The detail said with the errand itself ("补充一下：3楼到5楼那段不亮"), else None."""
    rest = INLINE_DETAIL.sub("", typed or "")
    return rest if len(rest) >= 5 and rest != typed else None


def _own_view(tracker, number: str):
    """The resident's own report by number, else None (someone else's, followed or unknown)."""
    try:
        with runtime.civic().reader() as uow:
            view = cases.case_for_resident(uow, actor=runtime.resident(tracker), number=number)
    except CaseNotFound:
        return None
    return view if view.own else None


def _detail_refusal(tracker, number: str) -> str | None:
    view = _own_view(tracker, number)
    if view is None:
        return texts.NOT_YOUR_REPORT.format(number=number)
    if view.state not in OPEN_STATES:
        return texts.CANNOT_ADD_DETAIL.format(number=number)
    return None


class ValidateDetailForm(FormValidator):
    def name(self) -> str:
        return "validate_detail_form"

    async def required_slots(self, domain_slots, dispatcher, tracker, domain):
        return domain_slots if tracker.get_slot("detail_case") else []

    def validate_detail_text(self, value, dispatcher, tracker, domain) -> dict[str, Any]:
        value = (value or "").strip()
        if intent(tracker) == "add_detail":
            # "补充一下：……" is this form's own errand, not another: what follows its words is
            # the detail ("我要补充" alone has none). A value ActionStartDetail took is kept.
            if value == text(tracker):
                value = inline_detail(value) or ""
        elif another_errand(tracker):
            return reject(dispatcher, tracker, "detail_text", texts.TYPE_DETAIL + texts.SWITCH_HINT)
        if len(value) < 2 or value.startswith("/"):
            return reject(dispatcher, tracker, "detail_text", texts.TYPE_DETAIL)
        if too_long(value):
            return reject(dispatcher, tracker, "detail_text", texts.DETAIL_TOO_LONG)
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
            dispatcher.utter_message(text=texts.NOT_YOUR_REPORT.format(number=number))
            return events
        except DomainError:
            dispatcher.utter_message(text=texts.CANNOT_ADD_DETAIL.format(number=number))
            return events
        dispatcher.utter_message(text=texts.DETAIL_SENT.format(number=number))
        return events


# --- rating -------------------------------------------------------------------------------

SOLVED = {"solved": True, "unsolved": False}
# First match wins: the negative forms contain the positive words.
SOLVED_WORDS = ((r"没(有)?解决|未解决|还没(有)?好|没(有)?弄好|没(有)?修好|还没修|不行", "unsolved"),
                (r"解决了|好了|弄好了|修好了|已解决", "solved"))
SATISFACTION_WORDS = ((r"不(太|怎么|是很|很)?满意", "dissatisfied"), ("基本满意|还行|还可以|一般|凑合", "basically_satisfied"),
                      ("满意", "satisfied"))
# Outside any question, only a short "解决了" / "没解决" answers the notice "问题解决了吗？".
NOTICE_ANSWER = re.compile(r"解决|好|修|弄")


def typed_solved(tracker) -> str | None:
    """"解决了" / "没解决" (好了, 还没好, 没修好, ...) typed as a short answer, else None."""
    said = re.sub(r"[\s。.!！,，~～啊呀吧呢的]+$", "", text(tracker))
    if len(said) > 10 or not NOTICE_ANSWER.search(said):
        return None
    return by_words(said, SOLVED_WORDS)


def _rating_refusal(tracker, number: str) -> str | None:
    """Why this case cannot be rated now, or None; someone else's case is "not found"."""
    view = _own_view(tracker, number)
    if view is None:
        return texts.NOT_YOUR_REPORT.format(number=number)
    if view.state in OPEN_STATES:
        return texts.CANNOT_RATE_YET.format(number=number)
    if view.state != "resolved":
        return texts.CANNOT_RATE_STATE.format(number=number, state=STATES.get(view.state, view.state))
    return None


class ActionStartRating(Action):
    def name(self) -> str:
        return "action_start_rating"

    def run(self, dispatcher, tracker, domain):
        number = entity(tracker, "case_id")
        events = [SlotSet("satisfaction", None), SlotSet("rate_reason", None), SlotSet("form_failures", 0.0)]
        # A press of 解决了/没解决 (or its words typed, "评价一下，没解决") answers the first question.
        solved = choice(tracker) if choice(tracker) in SOLVED else typed_solved(tracker)
        events.append(SlotSet("solved", solved))
        if not number:
            waiting = _own_cases(tracker, {"resolved"})
            if len(waiting) == 1:
                number = waiting[0].number
            elif waiting:
                answered = {"choice": solved} if solved else {}
                dispatcher.utter_message(text=texts.WHICH_CASE_RATE,
                                         buttons=[button(texts.CASE_BUTTON.format(
                                             number=v.number, category=CATEGORIES.get(v.category, "")),
                                             "rate_case", case_id=v.number, **answered) for v in waiting[:8]])
            else:
                dispatcher.utter_message(text=texts.NOTHING_TO_RATE)
        else:
            refusal = _rating_refusal(tracker, number)
            if refusal:
                dispatcher.utter_message(text=refusal)
                number = None
        events.append(SlotSet("rate_case", number))
        return events if number else events + [stop_here()]  # nothing to rate: no question


def rate_from_typed(dispatcher, tracker, domain) -> list | None:
    """A typed 解决了/没解决 outside any question answers the resolved notice (its buttons
    are not in the conversation): the resident's one case awaiting a rating is rated as
    if the button was pressed; with several, which one is asked. None: not such an answer,
    or nothing awaits a rating."""
    if choice(tracker) or not typed_solved(tracker) or not _own_cases(tracker, {"resolved"}):
        return None
    events = ActionStartRating().run(dispatcher, tracker, domain)
    started = any(e.get("event") == "slot" and e.get("name") == "rate_case" and e.get("value") for e in events)
    return events + [FollowupAction("rating_form")] if started else events


class AskSolved(Action):
    def name(self) -> str:
        return "action_ask_solved"

    def run(self, dispatcher, tracker, domain):
        number = tracker.get_slot("rate_case")
        dispatcher.utter_message(text=texts.ASK_SOLVED.format(number=number),
                                 buttons=[button(title, "rate_case", case_id=number, choice=value)
                                          for value, title in texts.SOLVED_ANSWERS.items()])
        return []


class AskSatisfaction(Action):
    def name(self) -> str:
        return "action_ask_satisfaction"

    def run(self, dispatcher, tracker, domain):
        dispatcher.utter_message(text=texts.ASK_SATISFACTION,
                                 buttons=[button(label, choice=value) for value, label in SATISFACTION.items()])
        return []


class ValidateRatingForm(FormValidator):
    def name(self) -> str:
        return "validate_rating_form"

    def typed_words(self, slot, tracker) -> bool:
        words = {"solved": SOLVED_WORDS, "satisfaction": SATISFACTION_WORDS}.get(slot)
        return bool(words and intent(tracker) != "cancel" and by_words(text(tracker), words))

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
        return reject(dispatcher, tracker, "solved", texts.PICK_SOLVED)

    def validate_satisfaction(self, value, dispatcher, tracker, domain) -> dict[str, Any]:
        picked = choice(tracker)
        if picked in SATISFACTION:
            return accept("satisfaction", picked)
        said = by_words(text(tracker), SATISFACTION_WORDS)
        if said:
            return accept("satisfaction", said)
        return reject(dispatcher, tracker, "satisfaction", texts.PICK_SATISFACTION)

    def validate_rate_reason(self, value, dispatcher, tracker, domain) -> dict[str, Any]:
        value = text(tracker) or ""
        if len(value) < 2:
            return reject(dispatcher, tracker, "rate_reason", texts.RATE_REASON_AGAIN)
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
            dispatcher.utter_message(text=texts.RATING_TOO_LATE.format(number=number))
            return events
        if rated.rerouted:
            dispatcher.utter_message(text=texts.REOPENED.format(
                number=number, handler=handler_text(civic.services.district, rated.case),
                deadlines=deadline_lines(rated.case, now)))
        else:
            dispatcher.utter_message(text=texts.RATED.format(number=number))
        return events
