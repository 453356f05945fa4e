"""Welcome, help, small talk, cancel and yes/no answers to a pending question."""
from __future__ import annotations

from rasa_sdk import Action
from rasa_sdk.events import ActionExecuted, ActiveLoop, SessionStarted, SlotSet

from actions import runtime, texts
from actions.common import yes_or_no

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
            dispatcher.utter_message(text=texts.fill(texts.WELCOME, runtime.civic().services.district))
            events.append(SlotSet("welcomed", True))
        return events + [ActionExecuted("action_listen")]


class ActionWelcome(Action):
    def name(self) -> str:
        return "action_welcome"

    def run(self, dispatcher, tracker, domain):
        greeting = texts.HELLO if (tracker.latest_message.get("intent") or {}).get("name") == "greet" else ""
        runtime.profile(tracker)
        if sum(e.get("event") == "user" for e in tracker.events) <= 1:
            # The session start has just shown the whole welcome.
            dispatcher.utter_message(text=texts.FIRST_ERRAND)
            return []
        asked_help = (tracker.latest_message.get("intent") or {}).get("name") == "help"
        extra = ("\n" + texts.PRIVACY) if asked_help else ""
        dispatcher.utter_message(text=greeting + texts.CAPABILITIES + extra + texts.NEXT_ERRAND)
        return []


class ActionCancel(Action):
    def name(self) -> str:
        return "action_cancel"

    def run(self, dispatcher, tracker, domain):
        if tracker.active_loop_name or tracker.get_slot("pending"):
            dispatcher.utter_message(text=texts.CANCELLED)
        else:
            dispatcher.utter_message(text=texts.NOTHING_TO_CANCEL)
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
            dispatcher.utter_message(text=texts.NOTHING_PENDING)
            return []
        if answer is not True:
            dispatcher.utter_message(text=texts.NOTHING_CHANGED)
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


def _saying(action: str, words: str) -> type:
    """An action that says one fixed text: small talk, whose words live in texts, not in
    domain.yml responses (a change of wording there would retrain the model)."""
    def run(self, dispatcher, tracker, domain):
        dispatcher.utter_message(text=words)
        return []

    return type(f"Say_{action}", (Action,), {"name": lambda self: action, "run": run})


SAYINGS = [_saying("action_goodbye", texts.GOODBYE), _saying("action_thanks", texts.THANKS),
           _saying("action_out_of_scope", texts.OUT_OF_SCOPE), _saying("action_what_to_do", texts.WHAT_TO_DO)]
