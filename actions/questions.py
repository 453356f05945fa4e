"""Form questions that are plain text and buttons, one action_ask_<slot> each.

Actions rather than utter_ask_ responses: Rasa's validator counts a response as
unused when only a form asks it.
"""
from __future__ import annotations

from rasa_sdk import Action

from actions import runtime, texts
from actions.common import button

# slot: (the question's template, its buttons as (title, choice)).
QUESTIONS = {
    "description": (texts.ASK_DESCRIPTION, []),
    "dispute": (texts.ASK_DISPUTE, []),
    "other_party": (texts.ASK_OTHER_PARTY, []),
    "other_phone": (texts.ASK_OTHER_PHONE, [(texts.SKIP, "skip")]),
    "mode": (texts.ASK_MODE, [(title, mode) for mode, title in texts.MODE_BUTTONS.items()]),
    "rate_reason": (texts.ASK_RATE_REASON, []),
    "detail_text": (texts.ASK_DETAIL_TEXT, []),
    "new_address": (texts.ASK_NEW_ADDRESS, []),
}


def _question(slot: str, text: str, choices: list[tuple[str, str]]) -> type:
    def run(self, dispatcher, tracker, domain):
        dispatcher.utter_message(text=texts.fill(text, runtime.civic().services.district),
                                 buttons=[button(title, choice=value) for title, value in choices])
        return []

    return type(f"Ask_{slot}", (Action,), {"name": lambda self: f"action_ask_{slot}", "run": run})


ASK_ACTIONS = [_question(slot, text, choices) for slot, (text, choices) in QUESTIONS.items()]
