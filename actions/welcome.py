"""Welcome, help, small talk, cancel and yes/no answers to a pending question."""
from __future__ import annotations

from rasa_sdk import Action
from rasa_sdk.events import ActionExecuted, ActiveLoop, FollowupAction, SessionStarted, SlotSet

from actions import runtime, texts
from actions.common import REPORT_PREFIX, button, choice, entity, typed_press, yes_or_no
from actions.texts import CATEGORIES
from nlu.intents import plausible_categories

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
        # A typed label read as cancel ("确认取消" of a booking, "取消预约"): what its press does.
        typed = None if tracker.active_loop_name else typed_answer(dispatcher, tracker, domain, ActionCancel)
        if typed is not None:
            return typed
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

        from actions.cases import rate_from_typed

        # 没解决 after the resolved notice answers the notice, not an older yes/no question.
        rated = None if typed_press(tracker) else rate_from_typed(dispatcher, tracker, domain)
        if rated is not None:
            return rated + [SlotSet("pending", None)]
        pending = tracker.get_slot("pending") or ""
        answer = yes_or_no(tracker)
        if not pending:
            typed = typed_answer(dispatcher, tracker, domain, ActionAnswerPending)
            if typed is not None:
                return typed
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


def _saying(action: str, words: str, answers: bool = False) -> type:
    """An action that says one fixed text: small talk, whose words live in texts, not in
    domain.yml responses (a change of wording there would retrain the model). ``answers``:
    a typed answer read as this ("解决了，谢谢" after the resolved notice) is answered first."""
    def run(self, dispatcher, tracker, domain):
        typed = typed_answer(dispatcher, tracker, domain, type(self)) if answers else None
        if typed is not None:
            return typed
        dispatcher.utter_message(text=words)
        return []

    return type(f"Say_{action}", (Action,), {"name": lambda self: action, "run": run})


SAYINGS = [_saying("action_goodbye", texts.GOODBYE), _saying("action_thanks", texts.THANKS, answers=True)]

# Categories offered when a message the model put out of scope may be a report.
SUGGESTED = 3
NONE = "none"  # the choice of 都不是


class ActionOutOfScope(Action):
    """Out of scope, unless a report is plausible (the ranking gives the report intents a
    share, or the message names a place): then "您是想反映……吗？" with the likely
    categories and 都不是, instead of turning a resident with a problem away."""

    def name(self) -> str:
        return "action_out_of_scope"

    def run(self, dispatcher, tracker, domain):
        from actions.report import describes_problem

        typed = typed_answer(dispatcher, tracker, domain, ActionOutOfScope)
        if typed is not None:
            return typed
        if choice(tracker) == NONE or not describes_problem(tracker):
            dispatcher.utter_message(text=texts.OUT_OF_SCOPE)
            return []
        offer_report(dispatcher, tracker)
        return []


def offer_report(dispatcher, tracker) -> None:
    """"您是想反映……吗？" with the likeliest categories as buttons, and 都不是; a press
    files the message the resident wrote (actions.report)."""
    likely = plausible_categories(tracker.latest_message or {}, 0.0)[:SUGGESTED] or ["other"]
    names = "、".join(CATEGORIES[c] for c in likely)
    dispatcher.utter_message(
        text=texts.MEANT_TO_REPORT.format(names=names),
        buttons=[button(CATEGORIES[c], f"{REPORT_PREFIX}{c}", choice=c) for c in likely]
        + [button(texts.NONE_OF_THEM, "out_of_scope", choice=NONE)])


class ActionWhatToDo(Action):
    """A bare answer outside any question; a case number alone shows that case, as the
    welcome invites (someone else's or an unknown one: "not found"); a detail that tells
    of a problem ("3号楼楼道灯坏了好几天了") is offered as a report, as out of scope is."""

    def name(self) -> str:
        return "action_what_to_do"

    def run(self, dispatcher, tracker, domain):
        from actions.cases import show_case

        typed = typed_answer(dispatcher, tracker, domain, ActionWhatToDo)
        if typed is not None:
            return typed
        from actions.report import describes_problem

        number = entity(tracker, "case_id")
        if number:
            show_case(dispatcher, tracker, number)
        elif describes_problem(tracker):
            offer_report(dispatcher, tracker)
        else:
            dispatcher.utter_message(text=texts.WHAT_TO_DO)
        return []


def typed_answer(dispatcher, tracker, domain, own: type) -> list | None:
    """What pressing would have done, when the resident typed the label of a button just
    offered and the model read it as a bare answer, yes/no, cancel or nothing (rules send
    those to ``own``); or typed 解决了/没解决 after the resolved notice. None: neither."""
    from actions.cases import (ActionHurryCase, ActionMyCases, ActionStartDetail, ActionStartRating,
                               ActionWithdrawCase, rate_from_typed)
    from actions.mediation import ActionMyBookings, ActionStartMediation
    from actions.my_data import ActionMyData
    from actions.points import ActionStartRedeem

    pressed = (typed_press(tracker) or {}).get("intent")
    plain = {"affirm": ActionAnswerPending, "deny": ActionAnswerPending, "hurry_case": ActionHurryCase,
             "withdraw_case": ActionWithdrawCase, "check_case": ActionMyCases, "my_bookings": ActionMyBookings,
             "cancel": ActionCancel}
    # The rule's start action, then its form (unless the start found nothing to do: slot unset).
    forms = {"rate_case": (ActionStartRating, "rate_case", "rating_form"),
             "add_detail": (ActionStartDetail, "detail_case", "detail_form"),
             "book_mediation": (ActionStartMediation, None, "mediation_form"),
             "redeem": (ActionStartRedeem, None, "redeem_form"), "my_data": (ActionMyData, None, "address_form")}
    if own in (plain.get(pressed), forms.get(pressed, (None,))[0]):
        return None  # read right: ``own`` answers it
    if pressed in plain:
        return plain[pressed]().run(dispatcher, tracker, domain)
    if pressed in forms:
        start, slot, form = forms[pressed]
        events = start().run(dispatcher, tracker, domain)
        started = slot is None or any(e.get("event") == "slot" and e.get("name") == slot and e.get("value")
                                      for e in events)
        return events + [FollowupAction(form)] if started else events
    return None if pressed else rate_from_typed(dispatcher, tracker, domain)


def typed_other_press(dispatcher, tracker, domain, own: type) -> list | None:
    """A typed label read as ``own``'s intent but another button's ("确认撤回" read as
    withdraw_case, "确认删除" as my_data): what that press does. None: no such label."""
    return typed_answer(dispatcher, tracker, domain, own) if typed_press(tracker) else None
