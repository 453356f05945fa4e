"""Small pieces every conversation uses: answers, buttons, failed answers, handoff offers."""
from __future__ import annotations

import abc
import copy
import json
import re

from rasa_sdk import FormValidationAction
from rasa_sdk.events import FollowupAction, SlotSet

from actions import texts

REPORT_PREFIX = "report_"
MAX_TEXT = 1000
HANDOFF_OFFER_AFTER = 3
YES = re.compile(r"^(是|是的|对|对的|好|好的|确认|确定|可以|行|没问题|嗯|提交|确认提交|ok|yes)[。!！啊吧呀的了]*$", re.I)
NO = re.compile(r"^(不|不是|不对|否|不用|不要|没有|修改|改一下|不行)[。!！啊吧呀的了]*$", re.I)


def payload(intent: str, **entities) -> str:
    return "/" + intent + (json.dumps(entities, ensure_ascii=False) if entities else "")


def button(title: str, intent: str = "inform", **entities) -> dict:
    return {"title": title, "payload": payload(intent, **entities)}


def choice(tracker) -> str | None:
    """The value of a pressed button, if the latest message was one (or typed its label)."""
    for entity in (tracker.latest_message or {}).get("entities") or []:
        if entity.get("entity") == "choice":
            return str(entity.get("value"))
    value = (typed_press(tracker) or {}).get("entities", {}).get("choice")
    return None if value is None else str(value)


def text(tracker) -> str:
    """What the resident typed (a pressed button has no text of its own)."""
    raw = ((tracker.latest_message or {}).get("text") or "").strip()
    return "" if raw.startswith("/") else raw


def intent(tracker) -> str:
    return ((tracker.latest_message or {}).get("intent") or {}).get("name") or ""


def entity(tracker, name: str) -> str | None:
    for found in (tracker.latest_message or {}).get("entities") or []:
        if found.get("entity") == name and found.get("value"):
            return str(found["value"])
    value = (typed_press(tracker) or {}).get("entities", {}).get(name)
    return str(value) if value else None


def yes_or_no(tracker) -> bool | None:
    picked = choice(tracker)
    if picked in ("yes", "no"):
        return picked == "yes"
    pressed = (typed_press(tracker) or {}).get("intent")
    if pressed in ("affirm", "deny"):  # a typed "确认撤回" / "不删了"
        return pressed == "affirm"
    said, typed = intent(tracker), text(tracker)
    if said == "affirm" or YES.match(typed):
        return True
    if said == "deny" or NO.match(typed):
        return False
    return None


# --- typed answers: typing a button's label counts as pressing it ----------------------
# Skipping an optional question, and leaving a choice to the street (a mediator, a time).
SKIP = re.compile(r"(跳过|不留了?|不用了?|不需要了?|不方便|不知道|没有)[。!！啊吧呀的了]*")
ANY = re.compile(r"都可以|随便|都行|无所谓|哪(个|位|天|一个)?都(可以|行)")
_PAYLOAD = re.compile(r"/(\w+)(\{.*\})?", re.S)
_LABEL_NOISE = re.compile(r"[\s,，。.!！?？、~～]+")


def label_key(said: str | None) -> str:
    """A label or a typed text as compared: normalised as the turn does, no spaces or stops."""
    from nlu.normalise import normalise

    return _LABEL_NOISE.sub("", normalise(said or "")).lower()


def offered(tracker) -> list[dict]:
    """The buttons of the bot's messages since the resident's previous message: the
    question the latest message answers (older turns' buttons are stale)."""
    found, users = [], 0
    for event in reversed(tracker.events or []):
        if event.get("event") == "user":
            users += 1
            if users > 1:
                break
        elif event.get("event") == "bot" and users == 1:
            found += (event.get("data") or {}).get("buttons") or []
    return found


def typed_press(tracker) -> dict | None:
    """The offered button whose label the resident typed, as {"intent", "entities"}; None
    when the typed text is no label, or the label of several different buttons."""
    key = label_key(text(tracker))
    hits = {b.get("payload") for b in offered(tracker) if key and label_key(b.get("title")) == key}
    found = _PAYLOAD.fullmatch(hits.pop() or "") if len(hits) == 1 else None
    if not found:
        return None
    try:
        entities = json.loads(found.group(2) or "{}")
    except ValueError:
        return None
    return {"intent": found.group(1), "entities": entities if isinstance(entities, dict) else {}}


# Intents a free-text answer may be misread as without harm: it is still an answer.
ANSWER_LIKE = frozenset({"inform", "affirm", "deny", "thanks", "nlu_fallback", "out_of_scope"})
SURE = 0.8


def another_errand(tracker) -> bool:
    """The message is confidently another errand ("我有多少积分"), not an answer."""
    said = (tracker.latest_message or {}).get("intent") or {}
    name = said.get("name") or ""
    return (not choice(tracker) and not name.startswith(REPORT_PREFIX) and name not in ANSWER_LIKE
            and float(said.get("confidence") or 0) >= SURE)


def by_words(typed: str, table: tuple[tuple[str, str], ...]) -> str | None:
    """The value of the first pattern found in what the resident typed."""
    return next((value for pattern, value in table if re.search(pattern, typed or "")), None)


def accept(slot: str, value) -> dict:
    return {slot: value, "form_failures": 0.0}


def offer(dispatcher, slot: str, text: str, buttons: list[dict]) -> dict:
    """Answer with choices of our own; the form's question is not asked again after them."""
    dispatcher.utter_message(text=text, buttons=buttons)
    return {slot: None, "options_offered": True}


def offered_just_now(tracker) -> bool:
    return bool(tracker.get_slot("options_offered"))


def reject(dispatcher, tracker, slot: str, explanation: str) -> dict:
    """A failed answer: say why; from the third in a row, offer a person as well."""
    failures = int(tracker.get_slot("form_failures") or 0) + 1
    if failures >= HANDOFF_OFFER_AFTER:
        dispatcher.utter_message(text=explanation + texts.OFFER_A_PERSON,
                                 buttons=[button(texts.TO_A_PERSON, "request_human"),
                                          button(texts.GIVE_UP, "cancel")])
    else:
        dispatcher.utter_message(text=explanation)
    return {slot: None, "form_failures": float(failures)}


def stop_here() -> dict:
    """Ends a rule after its start action: the form the rule runs next is not started."""
    return FollowupAction("action_listen")


def too_long(value: str) -> bool:
    return len(value) > MAX_TEXT


class FormValidator(FormValidationAction, metaclass=abc.ABCMeta):
    """A form validator that checks answers, not the resets of a start action.

    An action_start_… sets its form's slots to None; rasa_sdk would validate those
    as if they were answers and reject each one aloud. (Abstract, so that rasa_sdk
    does not register this base as an action.)
    """

    @abc.abstractmethod
    def name(self) -> str:
        ...

    async def get_validation_events(self, dispatcher, tracker, domain):
        events = list(tracker.events)
        start = len(events)
        while start and events[start - 1].get("event") == "slot":
            start -= 1
        answers = copy.copy(tracker)
        answers.events = events[:start] + [e for e in events[start:] if e.get("value") is not None]
        return await super().get_validation_events(dispatcher, answers, domain)

    async def get_extraction_events(self, dispatcher, tracker, domain):
        """Also a typed answer the model read as another topic ("不用了" as cancel, "满意，
        谢谢" as thanks): the asked slot is filled with the text for its validator."""
        events = await super().get_extraction_events(dispatcher, tracker, domain)
        slot = tracker.get_slot("requested_slot")
        if slot and not any(e.get("name") == slot for e in events) and self.typed_answer(slot, tracker):
            events.append(SlotSet(slot, text(tracker)))
        return events

    def typed_answer(self, slot: str, tracker) -> bool:
        if intent(tracker) == "request_human" or not text(tracker):
            return False
        pressed = typed_press(tracker)
        if pressed:  # an offered answer's label, not "不报了" (cancel) or "转人工"
            return "choice" in pressed["entities"] and pressed["intent"] not in ("cancel", "request_human")
        return self.typed_words(slot, tracker)

    def typed_words(self, slot: str, tracker) -> bool:
        """The typed text answers ``slot`` whatever the model read (validators say which)."""
        return False


# A location the resident shared travels to the dialogue as a button-like payload that
# only the turn builds (typed text is never a payload): /inform{"choice":"loc:30.58900,114.29500"}.
LOCATION_CHOICE = re.compile(r"loc:(-?\d{1,2}(?:\.\d+)?),(-?\d{1,3}(?:\.\d+)?)")


def location_payload(lat: float, lon: float) -> str:
    return payload("inform", choice=f"loc:{lat:.5f},{lon:.5f}")


def shared_location(tracker) -> tuple[float, float] | None:
    """(latitude, longitude) if the latest message was a shared location."""
    found = LOCATION_CHOICE.fullmatch(choice(tracker) or "")
    if not found:
        return None
    lat, lon = float(found.group(1)), float(found.group(2))
    return (lat, lon) if -90 <= lat <= 90 and -180 <= lon <= 180 else None
