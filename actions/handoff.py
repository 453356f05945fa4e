"""Handing the conversation to a person: on request, after two misunderstandings, for emergencies."""
from __future__ import annotations

from rasa_sdk import Action
from rasa_sdk.events import ActiveLoop, SlotSet

from actions import runtime
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
        reply = f"已为您转接人工，工作人员会在{when(result.answer_by, now)}前在这里回复您，请稍候。"
    else:
        reply = (f"现在是下班时间，工作人员会在{when(result.answer_by, now)}前在这里回复您。")
        if result.case_number and result.case_number != case_number:
            reply += f"您说的情况已登记为工单 {result.case_number}，不会遗漏。"
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
        misses = 0
        for event in reversed(tracker.events):
            if event.get("event") != "user":
                continue
            if (event.get("parse_data", {}).get("intent") or {}).get("name") != "nlu_fallback":
                break
            misses += 1
        if misses >= NOT_UNDERSTOOD_LIMIT:
            dispatcher.utter_message(text="抱歉，我还是没看懂，帮您转给工作人员。")
            return hand_off(dispatcher, tracker, reason="not_understood")
        dispatcher.utter_message(text="抱歉，我没看懂。您可以直接说遇到的问题，比如“小区门口乱停车”，"
                                      "或发“帮助”看看我能做什么；也可以发“转人工”。")
        return []
