"""Welcome, help, cancel and yes/no answers to a pending question."""
from __future__ import annotations

from rasa_sdk import Action
from rasa_sdk.events import ActionExecuted, ActiveLoop, SessionStarted, SlotSet

from actions import runtime
from actions.common import yes_or_no
from actions.texts import CAPABILITIES, PRIVACY

FORM_SLOTS = ("category", "description", "address", "contact_phone", "report_confirmed",
              "duplicate_choice", "grid_id", "duplicates", "dispute", "other_party", "other_phone",
              "mediator", "mode", "slot_start", "booking_confirmed", "dispute_case",
              "reschedule_booking", "reward", "redeem_confirmed", "rate_case", "solved",
              "satisfaction", "rate_reason", "detail_case", "detail_text", "new_address")


def clear_forms() -> list:
    return [SlotSet(slot, None) for slot in FORM_SLOTS] + [
        SlotSet("pending", None), SlotSet("form_failures", 0.0), SlotSet("requested_slot", None)]


class ActionSessionStart(Action):
    """A new session keeps the remembered slots; the very first one starts with the welcome."""

    def name(self) -> str:
        return "action_session_start"

    def run(self, dispatcher, tracker, domain):
        events = [SessionStarted()]
        carried = [SlotSet(k, v) for k, v in tracker.current_slot_values().items()
                   if k in ("welcomed", "handed_off") and v is not None]
        events += carried
        if not tracker.get_slot("welcomed"):
            runtime.profile(tracker)
            dispatcher.utter_message(text="您好！我是望江街道“全响应”服务助手。\n" + CAPABILITIES + "\n" + PRIVACY)
            events.append(SlotSet("welcomed", True))
        return events + [ActionExecuted("action_listen")]


class ActionWelcome(Action):
    def name(self) -> str:
        return "action_welcome"

    def run(self, dispatcher, tracker, domain):
        greeting = "您好！" if (tracker.latest_message.get("intent") or {}).get("name") == "greet" else ""
        runtime.profile(tracker)
        if sum(e.get("event") == "user" for e in tracker.events) <= 1:
            # The session start has just shown the whole welcome.
            dispatcher.utter_message(text="请直接说您要办的事，比如“小区门口乱停车”。")
            return []
        extra = ("\n" + PRIVACY) if (tracker.latest_message.get("intent") or {}).get("name") == "help" else ""
        dispatcher.utter_message(text=greeting + CAPABILITIES + extra + "\n请直接说您要办的事。")
        return []


class ActionCancel(Action):
    def name(self) -> str:
        return "action_cancel"

    def run(self, dispatcher, tracker, domain):
        if tracker.active_loop_name or tracker.get_slot("pending"):
            dispatcher.utter_message(text="好的，已取消，刚才填的内容没有提交。还有别的事可以直接说。")
        else:
            dispatcher.utter_message(text="好的。还有别的事可以直接说，发“帮助”可以看我能做什么。")
        return [ActiveLoop(None)] + clear_forms()


class ActionAnswerPending(Action):
    """Yes or no to the question waiting in the `pending` slot (withdraw, delete my data)."""

    def name(self) -> str:
        return "action_answer_pending"

    def run(self, dispatcher, tracker, domain):
        from actions.cases import withdraw
        from actions.mediation import cancel_booking
        from actions.my_data import delete_data

        pending = tracker.get_slot("pending") or ""
        answer = yes_or_no(tracker)
        if not pending:
            dispatcher.utter_message(text="好的。还有什么可以帮您？直接说您要办的事就行。")
            return []
        if answer is not True:
            dispatcher.utter_message(text="好的，没有做任何改动。还有别的事可以直接说。")
            return [SlotSet("pending", None)]
        kind, _, subject = pending.partition(":")
        events = [SlotSet("pending", None)]
        if kind == "withdraw":
            withdraw(dispatcher, tracker, subject)
        elif kind == "cancel_booking":
            cancel_booking(dispatcher, tracker, subject)
        elif kind == "delete_data":
            events += delete_data(dispatcher, tracker)
        return events
