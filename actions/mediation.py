"""People's mediation: mediation_form (book or reschedule), my bookings, cancel."""
from __future__ import annotations

import datetime as dt
import re
from typing import Any

from rasa_sdk import Action
from rasa_sdk.events import SlotSet

from actions import runtime, texts
from actions.common import (ANY, NO, SKIP, YES, FormValidator, accept, another_errand, button, by_words, choice,
                            entity, intent, offer, offered, offered_just_now, reject, text, too_long, yes_or_no)
from actions.texts import MODES, SHANGHAI, SPECIALITIES, local, mask_phone, when
from civic.domain.accounts import InvalidPhone, mobile_number
from civic.domain.errors import DomainError
from civic.domain.mediation import SlotTaken
from civic.services import mediation
from nlu.entities import local_now
from nlu.timeparse import find_times

SLOTS_OFFERED = 6
DAYS_AHEAD = 14
PART_HOURS = {"morning": (0, 12), "afternoon": (12, 24), "evening": (17, 24), "night": (0, 24)}
MODE_WORDS = ((r"线上|视频|网上|远程", "online"), (r"现场|当面|到场|调解室|线下|面对面", "in_person"))
FORM_SLOTS = ("dispute", "other_party", "other_phone", "mediator", "mode", "slot_start",
              "booking_confirmed", "dispute_case", "reschedule_booking")


def _mediators():
    return runtime.civic().services.district.staff_by_role("mediator")


def _chosen(tracker) -> tuple[str | None, str]:
    """The mediator (None: any) and the mode the resident chose so far."""
    mediator = tracker.get_slot("mediator")
    return (None if mediator in (None, "any") else mediator), tracker.get_slot("mode") or "in_person"


def free_slots(tracker, *, day: dt.date | None = None, limit: int = SLOTS_OFFERED) -> list:
    """Free slot starts for the chosen mediator and mode: one day, or the next days in order."""
    civic, now = runtime.civic(), runtime.now(tracker)
    mediator, mode = _chosen(tracker)
    days = [day] if day else [local(now).date() + dt.timedelta(days=n) for n in range(DAYS_AHEAD)]
    found = []
    with civic.reader() as uow:
        for each in days:
            found += [s.starts_at for s in mediation.available_slots(
                uow, civic.services, day=each, mode=mode, mediator_id=mediator, now=now)]
            if len(found) >= limit:
                break
    return found[:limit]


def _slot_buttons(starts, now) -> list[dict]:
    return [button(when(s, now), choice=s.isoformat()) for s in starts]


class ActionStartMediation(Action):
    def name(self) -> str:
        return "action_start_mediation"

    def run(self, dispatcher, tracker, domain):
        events = [SlotSet(s, None) for s in FORM_SLOTS] + [SlotSet("form_failures", 0.0)]
        picked = choice(tracker) or ""
        civic = runtime.civic()
        if picked.startswith("reschedule:"):
            with civic.reader() as uow:
                booking = next((b for b in mediation.bookings_for(uow, actor=runtime.resident(tracker))
                                if b.id == picked[len("reschedule:"):]), None)
            if booking is None:
                dispatcher.utter_message(text=texts.NO_SUCH_BOOKING)
                return events + [SlotSet("booking_confirmed", "none")]
            dispatcher.utter_message(text=texts.RESCHEDULING)
            return events + [SlotSet("reschedule_booking", booking.id), SlotSet("dispute", booking.dispute),
                             SlotSet("other_party", booking.other_party_name),
                             SlotSet("other_phone", booking.other_party_phone or "none"),
                             SlotSet("mediator", booking.mediator_id), SlotSet("mode", booking.mode)]
        number = entity(tracker, "case_id")
        if number:
            with civic.reader() as uow:
                case = uow.cases.get(number)
            if case is not None and case.reporter_id == tracker.sender_id:
                events += [SlotSet("dispute_case", number), SlotSet("dispute", case.description[:200])]
        said = text(tracker)
        if not number and len(said) >= 12 and not re.fullmatch(r".{0,6}(预约|约|想|要).{0,4}调解.{0,6}", said):
            events.append(SlotSet("dispute", said[:200]))
        dispatcher.utter_message(text=texts.MEDIATION_START)
        return events


class AskMediator(Action):
    def name(self) -> str:
        return "action_ask_mediator"

    def run(self, dispatcher, tracker, domain):
        lines = [texts.ASK_MEDIATOR]
        for m in _mediators():
            lines.append(texts.MEDIATOR_LINE.format(
                name=m.name, specialities="、".join(SPECIALITIES.get(s, s) for s in sorted(m.specialities))))
        dispatcher.utter_message(text="\n".join(lines),
                                 buttons=[button(m.name, choice=m.id) for m in _mediators()] +
                                 [button(texts.ANY_MEDIATOR, choice="any")])
        return []


class AskSlotStart(Action):
    def name(self) -> str:
        return "action_ask_slot_start"

    def run(self, dispatcher, tracker, domain):
        if offered_just_now(tracker):
            return [SlotSet("options_offered", None)]
        now = runtime.now(tracker)
        starts = free_slots(tracker)
        if not starts:
            dispatcher.utter_message(text=texts.NO_FREE_SLOTS,
                                     buttons=[button(texts.CHANGE_MEDIATOR, choice="change_mediator")])
            return []
        dispatcher.utter_message(text=texts.fill(texts.ASK_SLOT, runtime.civic().services.district),
                                 buttons=_slot_buttons(starts, now))
        return []


class AskBookingConfirmed(Action):
    def name(self) -> str:
        return "action_ask_booking_confirmed"

    def run(self, dispatcher, tracker, domain):
        now = runtime.now(tracker)
        mediator = runtime.civic().services.district.staff.get(tracker.get_slot("mediator") or "")
        phone = tracker.get_slot("other_phone")
        dispatcher.utter_message(
            text=texts.CONFIRM_BOOKING.format(
                dispute=tracker.get_slot("dispute"), other_party=tracker.get_slot("other_party"),
                other_phone=texts.OTHER_PHONE.format(phone=mask_phone(phone)) if phone and phone != "none" else "",
                mediator=mediator.name if mediator else texts.ANY_MEDIATOR_CHOSEN,
                mode=MODES.get(tracker.get_slot("mode"), ""),
                when=when(dt.datetime.fromisoformat(tracker.get_slot("slot_start")), now)),
            buttons=[button(texts.BOOK, choice="yes"), button(texts.PICK_AGAIN, choice="no"),
                     button(texts.DROP_BOOKING, "cancel")])
        return []


class ValidateMediationForm(FormValidator):
    def name(self) -> str:
        return "validate_mediation_form"

    async def required_slots(self, domain_slots, dispatcher, tracker, domain):
        return [] if tracker.get_slot("booking_confirmed") == "none" else domain_slots

    def typed_words(self, slot, tracker) -> bool:
        said = text(tracker)
        if slot == "other_phone":  # "不用了" skips the phone even when read as cancel
            return bool(SKIP.fullmatch(said))
        if intent(tracker) == "cancel":
            return False
        if slot == "mediator":
            return bool(ANY.search(said)) or any(m.name in said for m in _mediators())
        if slot == "slot_start":  # "明天上午9点" read as book_mediation
            return bool(ANY.search(said)) or bool(find_times(_time_text(said), local_now(runtime.now(tracker))))
        return slot == "booking_confirmed" and bool(YES.match(said) or NO.match(said))

    def validate_dispute(self, value, dispatcher, tracker, domain) -> dict[str, Any]:
        value = (value or "").strip()
        if tracker.get_slot("requested_slot") == "dispute" and another_errand(tracker):
            return reject(dispatcher, tracker, "dispute", texts.DISPUTE_AGAIN)
        if len(value) < 4 or value.startswith("/"):
            return reject(dispatcher, tracker, "dispute", texts.DISPUTE_EXAMPLE)
        if too_long(value):
            return reject(dispatcher, tracker, "dispute", texts.DISPUTE_TOO_LONG)
        return accept("dispute", value[:200])

    def validate_other_party(self, value, dispatcher, tracker, domain) -> dict[str, Any]:
        value = (value or "").strip()
        phone = entity(tracker, "phone")
        name = re.sub(r"[\s,，]*(\+?86)?1[3-9]\d[\d\s-]{8,}", "", value).strip() if phone else value
        if not name or name.startswith("/") or len(name) > 30:
            return reject(dispatcher, tracker, "other_party", texts.OTHER_PARTY_AGAIN)
        updates = accept("other_party", name)
        if phone:
            updates["other_phone"] = phone
        return updates

    def validate_other_phone(self, value, dispatcher, tracker, domain) -> dict[str, Any]:
        if choice(tracker) == "skip" or yes_or_no(tracker) is False or SKIP.fullmatch(text(tracker)):
            return accept("other_phone", "none")
        if value == "none":
            return accept("other_phone", "none")
        typed = entity(tracker, "phone") or value or ""
        try:
            return accept("other_phone", mobile_number(typed))
        except InvalidPhone:
            return reject(dispatcher, tracker, "other_phone", texts.BAD_OTHER_PHONE)

    def validate_mediator(self, value, dispatcher, tracker, domain) -> dict[str, Any]:
        picked = choice(tracker) or ""
        mediators = _mediators()
        if picked == "any" or ANY.search(text(tracker)) or "安排" in text(tracker):
            return accept("mediator", "any")
        found = next((m for m in mediators if m.id == picked or (m.name in text(tracker)) or m.id == value), None)
        if found is None:
            return reject(dispatcher, tracker, "mediator", texts.PICK_MEDIATOR)
        return accept("mediator", found.id)

    def extract_mode(self, dispatcher, tracker, domain) -> dict[str, Any]:
        """A typed label ("到调解室", "线上调解") reads as book_mediation, which the domain's
        mapping leaves to the "start a booking" rule: here it answers the mode question."""
        if tracker.get_slot("requested_slot") != "mode" or choice(tracker) \
                or intent(tracker) in ("cancel", "request_human"):
            return {}
        said = by_words(text(tracker), MODE_WORDS)
        return {"mode": said} if said else {}

    def validate_mode(self, value, dispatcher, tracker, domain) -> dict[str, Any]:
        # A button of another question (the "改时间" reschedule:<id> that prefills the mode)
        # is no answer to this one: fall back to the slot's value.
        picked = choice(tracker) if choice(tracker) in MODES else (value or "")
        said = picked if picked in MODES else by_words(text(tracker), MODE_WORDS)
        if said:
            return accept("mode", said)
        return reject(dispatcher, tracker, "mode", texts.PICK_MODE)

    def validate_slot_start(self, value, dispatcher, tracker, domain) -> dict[str, Any]:
        now = runtime.now(tracker)
        picked = choice(tracker) or ""
        if picked == "change_mediator":
            return {"slot_start": None, "mediator": None}
        if picked:
            try:
                wanted = dt.datetime.fromisoformat(picked)
            except ValueError:
                return reject(dispatcher, tracker, "slot_start", texts.PICK_TIME)
            return self._match(dispatcher, tracker, wanted, None, now)
        spans = find_times(_time_text(text(tracker)), local_now(now))
        if not spans and ANY.search(text(tracker)):  # "随便": the first time offered, else the first free
            firsts = [c for c in (_offered_time(b) for b in offered(tracker)) if c] or free_slots(tracker, limit=1)
            if not firsts:
                return reject(dispatcher, tracker, "slot_start", texts.ALL_TAKEN)
            return self._match(dispatcher, tracker, firsts[0], None, now)
        if not spans:
            return reject(dispatcher, tracker, "slot_start", texts.TIME_NOT_UNDERSTOOD)
        span = spans[0]
        if "T" in span.value:
            wanted = dt.datetime.fromisoformat(span.value).replace(tzinfo=SHANGHAI)
            return self._match(dispatcher, tracker, wanted, None, now)
        return self._match(dispatcher, tracker, None, (dt.date.fromisoformat(span.value), span.part), now)

    def _match(self, dispatcher, tracker, wanted, day_part, now) -> dict[str, Any]:
        if wanted is not None:
            refused = _refusal(tracker, wanted)
            if refused is None:
                return accept("slot_start", wanted.isoformat())
            day_free = free_slots(tracker, day=local(wanted).date(), limit=50)
            nearest = sorted(day_free or free_slots(tracker, limit=50), key=lambda s: abs(s - wanted))[:3]
            nearest.sort()
            if not nearest:
                return reject(dispatcher, tracker, "slot_start", texts.ALL_TAKEN)
            return offer(dispatcher, "slot_start",
                         texts.NEAREST_FREE.format(when=when(wanted, now), why=_why_not(refused.reason)),
                         _slot_buttons(nearest, now))
        day, part = day_part
        starts = free_slots(tracker, day=day, limit=50)
        if part in PART_HOURS:
            low, high = PART_HOURS[part]
            starts = [s for s in starts if low <= local(s).hour < high]
        if not starts:
            return offer(dispatcher, "slot_start", texts.DAY_TAKEN,
                         _slot_buttons(free_slots(tracker), now))
        if len(starts) == 1:
            return accept("slot_start", starts[0].isoformat())
        return offer(dispatcher, "slot_start", texts.PART_FREE,
                     _slot_buttons(starts[:SLOTS_OFFERED], now))

    def validate_booking_confirmed(self, value, dispatcher, tracker, domain) -> dict[str, Any]:
        answer = yes_or_no(tracker)
        if answer is None:
            return reject(dispatcher, tracker, "booking_confirmed", texts.BOOK_OR_PICK_AGAIN)
        if answer is False:
            return {"booking_confirmed": None, "slot_start": None}
        return accept("booking_confirmed", "yes")


def _time_text(said: str) -> str:
    """A typed time as the parser reads it: "周四 9:30" and a slot button's label
    "11月25日(周三)10:00" without the space and the weekday after a date."""
    said = re.sub(r"(\d+日)\s*[(（](周|星期)[一二三四五六日天][)）]", r"\1", said)
    return re.sub(r"\s+", "", said)


def _offered_time(offered_button: dict) -> dt.datetime | None:
    found = re.search(r'"choice":\s*"(\d{4}-\d\d-\d\dT[^"]+)"', offered_button.get("payload") or "")
    try:
        return dt.datetime.fromisoformat(found.group(1)) if found else None
    except ValueError:
        return None


def _refusal(tracker, wanted: dt.datetime):
    """None when the typed time is free with the chosen mediator and mode; else why not."""
    civic = runtime.civic()
    mediator, mode = _chosen(tracker)
    with civic.reader() as uow:
        return mediation.slot_refusal(uow, civic.services, starts_at=wanted, mode=mode,
                                      mediator_id=mediator, now=runtime.now(tracker))


def _why_not(reason: str) -> str:
    """The domain's reason a time cannot be booked, as the resident is told it."""
    return texts.fill(texts.SLOT_REFUSED[reason], runtime.civic().services.district)


class ActionSubmitBooking(Action):
    def name(self) -> str:
        return "action_submit_booking"

    def run(self, dispatcher, tracker, domain):
        if tracker.get_slot("booking_confirmed") != "yes":
            return [SlotSet(s, None) for s in FORM_SLOTS]
        civic, now = runtime.civic(), runtime.now(tracker)
        starts_at = dt.datetime.fromisoformat(tracker.get_slot("slot_start"))
        mediator = tracker.get_slot("mediator")
        phone = tracker.get_slot("other_phone")
        try:
            with civic.uow() as uow:
                if tracker.get_slot("reschedule_booking"):
                    booking = mediation.reschedule(uow, civic.services, actor=runtime.resident(tracker),
                                                   booking_id=tracker.get_slot("reschedule_booking"),
                                                   starts_at=starts_at, now=now)
                else:
                    booking = mediation.book(
                        uow, civic.services, actor=runtime.resident(tracker),
                        mediator_id=None if mediator == "any" else mediator, mode=tracker.get_slot("mode"),
                        starts_at=starts_at, dispute=tracker.get_slot("dispute"),
                        other_party_name=tracker.get_slot("other_party"),
                        other_party_phone=None if phone in (None, "none") else phone,
                        case_number=tracker.get_slot("dispute_case"), now=now)
        except SlotTaken:
            dispatcher.utter_message(text=texts.SLOT_JUST_TAKEN)
            return [SlotSet(s, None) for s in FORM_SLOTS]
        except DomainError:
            dispatcher.utter_message(text=texts.BOOKING_FAILED)
            return [SlotSet(s, None) for s in FORM_SLOTS]
        district = civic.services.district
        room = next((r.name for r in district.rooms if r.id == booking.room_id), None)
        where = texts.fill(texts.BOOKED_IN_ROOM, district, room=room) if room else texts.BOOKED_ONLINE
        dispatcher.utter_message(text=texts.BOOKED.format(
            when=when(booking.starts_at, now), mediator=district.staff[booking.mediator_id].name, where=where,
            booking=booking.id))
        return [SlotSet(s, None) for s in FORM_SLOTS]


class ActionMyBookings(Action):
    def name(self) -> str:
        return "action_my_bookings"

    def run(self, dispatcher, tracker, domain):
        from actions.welcome import typed_other_press

        typed = typed_other_press(dispatcher, tracker, domain, ActionMyBookings)
        if typed is not None:  # "确认取消" typed, read as my_bookings
            return typed
        picked = choice(tracker) or ""
        now = runtime.now(tracker)
        civic = runtime.civic()
        with civic.reader() as uow:
            upcoming = [b for b in mediation.bookings_for(uow, actor=runtime.resident(tracker))
                        if b.state == "booked" and b.starts_at > now]
        if picked.startswith("cancel:"):
            booking = next((b for b in upcoming if b.id == picked[len("cancel:"):]), None)
            if booking is None:
                dispatcher.utter_message(text=texts.BOOKING_GONE)
                return []
            dispatcher.utter_message(text=texts.CONFIRM_CANCEL_BOOKING.format(when=when(booking.starts_at, now)),
                                     buttons=[button(texts.CANCEL_BOOKING_YES, "affirm"),
                                              button(texts.CANCEL_BOOKING_NO, "deny")])
            return [SlotSet("pending", f"cancel_booking:{booking.id}")]
        if not upcoming:
            dispatcher.utter_message(text=texts.NO_BOOKINGS)
            return []
        district = civic.services.district
        for booking in upcoming[:5]:
            dispatcher.utter_message(
                text=texts.MY_BOOKING.format(when=when(booking.starts_at, now), mode=MODES.get(booking.mode, ""),
                                             mediator=district.staff[booking.mediator_id].name, booking=booking.id),
                buttons=[button(texts.RESCHEDULE, "book_mediation", choice=f"reschedule:{booking.id}"),
                         button(texts.CANCEL_BOOKING, "my_bookings", choice=f"cancel:{booking.id}")])
        return []


def cancel_booking(dispatcher, tracker, booking_id: str) -> None:
    civic = runtime.civic()
    try:
        with civic.uow() as uow:
            mediation.cancel(uow, civic.services, actor=runtime.resident(tracker), booking_id=booking_id,
                             now=runtime.now(tracker), reason=texts.CANCELLED_BY_RESIDENT)
    except DomainError:
        dispatcher.utter_message(text=texts.CANNOT_CANCEL_BOOKING)
        return
    dispatcher.utter_message(text=texts.BOOKING_CANCELLED)
