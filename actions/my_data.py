"""My data: what is kept, change the remembered address, delete my data."""
from __future__ import annotations

from typing import Any

from rasa_sdk import Action
from rasa_sdk.events import SlotSet

from actions import runtime, texts
from actions.common import FormValidator, accept, button, choice, entity, reject, text, too_long
from actions.texts import mask_phone
from civic.domain.routing import UNKNOWN, resolve_address
from civic.services import accounts, erasure


class ActionMyData(Action):
    def name(self) -> str:
        return "action_my_data"

    def run(self, dispatcher, tracker, domain):
        from actions.welcome import typed_other_press

        typed = typed_other_press(dispatcher, tracker, domain, ActionMyData)
        if typed is not None:  # "确认删除" typed, read as my_data: the rule's form finds nothing to ask
            return typed + [SlotSet("new_address", "unchanged")]
        picked = choice(tracker)
        if picked == "delete" or ("删" in text(tracker) or "注销" in text(tracker)):
            dispatcher.utter_message(text=texts.CONFIRM_DELETE,
                                     buttons=[button(texts.DELETE_YES, "affirm"), button(texts.DELETE_NO, "deny")])
            return [SlotSet("pending", "delete_data"), SlotSet("new_address", "unchanged")]
        if picked == "change_address" or "地址" in text(tracker) or "搬" in text(tracker) \
                or "住址" in text(tracker) or entity(tracker, "address"):
            return [SlotSet("new_address", entity(tracker, "address"))]
        resident = runtime.profile(tracker)
        dispatcher.utter_message(
            text=texts.MY_DATA.format(address=resident.household_address or texts.NOT_GIVEN,
                                      phone=mask_phone(resident.phone) or texts.NOT_GIVEN),
            buttons=[button(texts.CHANGE_ADDRESS, "my_data", choice="change_address"),
                     button(texts.DELETE_MY_DATA, "my_data", choice="delete")])
        return [SlotSet("new_address", "unchanged")]


class ValidateAddressForm(FormValidator):
    def name(self) -> str:
        return "validate_address_form"

    async def required_slots(self, domain_slots, dispatcher, tracker, domain):
        return [] if tracker.get_slot("new_address") == "unchanged" else domain_slots

    def validate_new_address(self, value, dispatcher, tracker, domain) -> dict[str, Any]:
        value = (entity(tracker, "address") or value or "").strip()
        district = runtime.civic().services.district
        if len(value) < 3 or too_long(value) or value.startswith("/"):
            return reject(dispatcher, tracker, "new_address", texts.fill(texts.ADDRESS_AGAIN, district))
        if resolve_address(district, value).kind == UNKNOWN:
            dispatcher.utter_message(text=texts.fill(texts.OUTSIDE_STREET, district, address=value))
        return accept("new_address", value)


class ActionSubmitAddress(Action):
    def name(self) -> str:
        return "action_submit_address"

    def run(self, dispatcher, tracker, domain):
        value = tracker.get_slot("new_address")
        if value and value != "unchanged":
            runtime.profile(tracker)
            with runtime.civic().uow() as uow:
                accounts.change_address(uow, actor=runtime.resident(tracker), address=value)
            dispatcher.utter_message(text=texts.ADDRESS_CHANGED.format(address=value))
        return [SlotSet("new_address", None)]


# Tells the channel to forget this conversation (Rasa's tracker) once the turn is saved.
FORGET_CONVERSATION = {"forget_conversation": True}


def delete_data(dispatcher, tracker) -> list:
    core = runtime.civic()
    with core.uow() as uow:
        erased = erasure.erase_my_data(uow, core.services, actor=runtime.resident(tracker),
                                       now=runtime.now(tracker))
    cancelled = (texts.DATA_DELETED_BOOKINGS.format(count=erased.bookings_cancelled)
                 if erased.bookings_cancelled else "")
    dispatcher.utter_message(text=texts.DATA_DELETED.format(kept=erased.cases, cancelled=cancelled))
    dispatcher.utter_message(json_message=FORGET_CONVERSATION)
    return [SlotSet("welcomed", False)]
