"""Handing the conversation to a person: on request, after two misunderstandings, for emergencies."""
from __future__ import annotations

from rasa_sdk import Action
from rasa_sdk.events import ActiveLoop, SlotSet

from actions import runtime, texts
from actions.texts import when
from civic.services import handoff

# A handoff summary carries the resident's last few messages for the staff topic.
SUMMARY_MESSAGES = 3
NOT_UNDERSTOOD_LIMIT = 2


def recent_messages(tracker, count: int = SUMMARY_MESSAGES) -> list[str]:
    said = [e.get("text") or "" for e in tracker.events if e.get("event") == "user"
            and ((e.get("parse_data") or {}).get("intent") or {}).get("name") != "request_human"]
    return [s for s in said if s and not s.startswith("/")][-count:]


def hand_off(dispatcher, tracker, *, reason: str, summary: str | None = None,
             category: str = "other", case_number: str | None = None) -> list:
    """Mark the conversation handed off and tell the resident who answers by when."""
    civic, now = runtime.civic(), runtime.now(tracker)
    summary = summary or "；".join(recent_messages(tracker))
    with civic.uow() as uow:
        result = handoff.request_handoff(uow, civic.services, actor=runtime.resident(tracker),
                                         reason=reason, summary=summary, now=now,
                                         category=category, case_number=case_number)
    if result.in_office_hours:
        reply = texts.HANDED_OFF.format(when=when(result.answer_by, now))
    else:
        reply = texts.HANDED_OFF_AFTER_HOURS.format(when=when(result.answer_by, now))
        if result.case_number and result.case_number != case_number:
            reply += texts.HANDOFF_CASE_OPENED.format(number=result.case_number)
    dispatcher.utter_message(text=reply)
    return [SlotSet("handed_off", True)]


class ActionHandoff(Action):
    def name(self) -> str:
        return "action_handoff"

    def run(self, dispatcher, tracker, domain):
        events = [ActiveLoop(None), SlotSet("requested_slot", None)] if tracker.active_loop_name else []
        return events + hand_off(dispatcher, tracker, reason="asked")


class ActionNotUnderstood(Action):
    """Explain what the bot can do; the second miss in a row hands off to a person."""

    def name(self) -> str:
        return "action_not_understood"

    def run(self, dispatcher, tracker, domain):
        from actions.cases import show_case
        from actions.common import entity, text
        from actions.welcome import typed_answer

        typed = typed_answer(dispatcher, tracker, domain, ActionNotUnderstood)
        if typed is not None:  # a typed button label, or 没解决 after the resolved notice
            return typed
        number = entity(tracker, "case_id")
        if number and text(tracker).strip(" 。.，,!！?？") == number:  # a case number alone
            show_case(dispatcher, tracker, number)
            return []
        misses = 0
        for event in reversed(tracker.events):
            if event.get("event") != "user":
                continue
            if (event.get("parse_data", {}).get("intent") or {}).get("name") != "nlu_fallback":
                break
            misses += 1
        if misses >= NOT_UNDERSTOOD_LIMIT:
            dispatcher.utter_message(text=texts.STILL_NOT_UNDERSTOOD)
            return hand_off(dispatcher, tracker, reason="not_understood")
        dispatcher.utter_message(text=texts.NOT_UNDERSTOOD)
        return []
