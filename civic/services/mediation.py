"""Mediation handlers: free slots, book, reschedule, cancel, a resident's bookings, outcome.

Each handler checks the actor's role first, then lets the booking check the rest;
a domain error leaves the store as it was. The database has the last word on a
slot: when someone else took it a moment ago, the next free mediator (when the
resident let us choose) or room is tried, and SlotTaken is the answer when none
is left.
"""
from __future__ import annotations

import copy
import dataclasses
import datetime as dt
import uuid

from civic.domain.actors import COMMAND_CENTRE, RESIDENT, Actor
from civic.domain.case import State
from civic.domain.district import MEDIATOR
from civic.domain.errors import CaseNotFound, NotAllowed
from civic.domain.mediation import (LOCAL_ZONE, ONLINE, OUTCOME_NOTES, Booking, BookingNotFound,
                                    SlotTaken, Unbookable, UnknownMediator, check_mode, check_start,
                                    clean_dispute, clean_name, clean_phone, free_slots)
from civic.services.cases import Services, staff_actor


def available_slots(uow, services: Services, *, day: dt.date, mode: str,
                    mediator_id: str | None = None, now: dt.datetime,
                    speciality: str | None = None) -> list:
    """Free slots of a local Shanghai day in ``mode``, for one mediator or any
    (of a speciality, when given); slots already begun are left out."""
    check_mode(mode)
    return _free(uow, services, day, mode, mediator_id, now, speciality)


@dataclasses.dataclass(frozen=True)
class SlotRefused:
    """Why a time cannot be booked: ``reason`` is past, outside_office_hours,
    not_a_slot or taken (civic.domain.mediation's Unbookable errors say which)."""

    reason: str
    detail: str


def slot_refusal(uow, services: Services, *, starts_at: dt.datetime, mode: str,
                 mediator_id: str | None = None, now: dt.datetime) -> SlotRefused | None:
    """None when ``starts_at`` is free to book in ``mode`` with the mediator (or any);
    else the domain's reason, for the resident to be told before nearer times are offered."""
    check_mode(mode)
    try:
        check_start(services.calendar, starts_at, services.district.slot_minutes, now)
        _slot(uow, services, starts_at, mode, mediator_id, now, None)
    except Unbookable as refused:
        return SlotRefused(refused.reason, str(refused))
    return None


def book(uow, services: Services, *, actor: Actor, mediator_id: str | None, mode: str,
         starts_at: dt.datetime, dispute: str, other_party_name: str,
         other_party_phone: str | None = None, case_number: str | None = None,
         now: dt.datetime, speciality: str | None = None) -> Booking:
    """A resident books a slot with the mediator they chose (双向选择) or any free one."""
    _require_role(actor, "book mediation", RESIDENT)
    check_mode(mode)
    # Bad input is answered before anything is looked up or claimed.
    dispute, other_party_name = clean_dispute(dispute), clean_name(other_party_name)
    other_party_phone = clean_phone(other_party_phone)
    ends_at = check_start(services.calendar, starts_at, services.district.slot_minutes, now)
    if case_number:
        case = uow.cases.get(case_number)
        if case is None or not case.visible_to(actor.id):
            raise CaseNotFound(case_number)
    slot = _slot(uow, services, starts_at, mode, mediator_id, now, speciality)
    booking_id = f"mb-{uuid.uuid4().hex[:12]}"
    taken: set[str] = set()
    for mediator in slot.mediator_ids:
        for room in slot.room_ids or (None,):
            if {f"mediator:{mediator}", f"room:{room}"} & taken:
                continue
            booking = Booking.new(
                id=booking_id, resident_id=actor.id, mediator_id=mediator, room_id=room, mode=mode,
                starts_at=starts_at, ends_at=ends_at, dispute=dispute,
                other_party_name=other_party_name, other_party_phone=other_party_phone,
                case_number=case_number, at=now)
            try:
                uow.bookings.add(booking)
            except SlotTaken as lost:  # someone took it since we looked: try the next one
                taken.add(lost.resource)
                continue
            _publish(uow, booking)
            uow.commit()
            return booking
    rooms_gone = bool(slot.room_ids) and all(f"room:{r}" in taken for r in slot.room_ids)
    raise SlotTaken("every room" if rooms_gone else
                    f"mediator:{mediator_id}" if mediator_id else "every mediator", starts_at)


def reschedule(uow, services: Services, *, actor: Actor, booking_id: str,
               starts_at: dt.datetime, now: dt.datetime) -> Booking:
    """Move a booking to another slot with the same mediator, in the same mode."""
    _require_role(actor, "reschedule mediation", RESIDENT, MEDIATOR, COMMAND_CENTRE)
    booking = _get(uow, actor, booking_id)
    booking.check_change(actor, "reschedule", now)
    ends_at = check_start(services.calendar, starts_at, services.district.slot_minutes, now)
    slot = _slot(uow, services, starts_at, booking.mode, booking.mediator_id, now, None,
                 except_booking=booking.id)
    for room in slot.room_ids or (None,):
        attempt = copy.deepcopy(booking)
        attempt.reschedule(actor, starts_at, ends_at, room, now)
        try:
            uow.bookings.save(attempt)
        except SlotTaken as lost:
            if lost.resource.startswith("room:"):
                continue
            raise
        _publish(uow, attempt)
        uow.commit()
        return attempt
    raise SlotTaken("every room", starts_at)


def cancel(uow, services: Services, *, actor: Actor, booking_id: str, now: dt.datetime,
           reason: str = "") -> Booking:
    """Cancel an upcoming booking; its slot is free again at once."""
    _require_role(actor, "cancel mediation", RESIDENT, MEDIATOR, COMMAND_CENTRE)
    booking = _get(uow, actor, booking_id)
    booking.cancel(actor, now, reason)
    uow.bookings.save(booking)
    _publish(uow, booking)
    uow.commit()
    return booking


def bookings_for(uow, *, actor: Actor) -> list[Booking]:
    """The resident's own bookings, latest slot first."""
    _require_role(actor, "list bookings", RESIDENT)
    return uow.bookings.for_resident(actor.id)


def record_outcome(uow, services: Services, *, actor: Actor, booking_id: str, outcome: str,
                   now: dt.datetime) -> Booking:
    """The booking's mediator or the command centre records how the mediation ended.

    A linked dispute case gets the outcome as a progress note from the mediator
    when the mediator is its assignee and the case takes notes (accepted or in
    progress); otherwise the outcome travels in the event only, for whoever
    handles the case.
    """
    _require_role(actor, "record mediation outcomes", MEDIATOR, COMMAND_CENTRE)
    booking = _get(uow, actor, booking_id)
    case = uow.cases.get(booking.case_number) if booking.case_number else None
    noted = (case is not None and case.assignee_id == booking.mediator_id
             and case.state in (State.ACCEPTED, State.IN_PROGRESS))
    booking.record_outcome(actor, outcome, now, case_noted=noted)
    if noted:
        mediator = staff_actor(services.district, booking.mediator_id)
        case.note_progress(mediator, now, OUTCOME_NOTES[outcome])
        uow.cases.save(case)
    uow.bookings.save(booking)
    _publish(uow, booking)
    uow.commit()
    return booking


# --- helpers ------------------------------------------------------------------------


def _require_role(actor: Actor, what: str, *roles: str) -> None:
    if actor.role not in roles:
        raise NotAllowed(f"{actor.role} {actor.id} may not {what}")


def _mediators(services: Services, mediator_id: str | None, speciality: str | None):
    mediators = services.district.staff_by_role(MEDIATOR)
    if mediator_id is not None and all(m.id != mediator_id for m in mediators):
        raise UnknownMediator(f"no mediator {mediator_id}")
    if speciality is not None:
        mediators = tuple(m for m in mediators if speciality in m.specialities)
        if not mediators:
            raise UnknownMediator(f"no mediator for {speciality!r} disputes")
        if mediator_id is not None and all(m.id != mediator_id for m in mediators):
            raise UnknownMediator(f"mediator {mediator_id} does not take {speciality!r} disputes")
    return mediators


def _free(uow, services: Services, day: dt.date, mode: str, mediator_id: str | None,
          now: dt.datetime, speciality: str | None, except_booking: str | None = None) -> list:
    mediators = _mediators(services, mediator_id, speciality)
    start = dt.datetime.combine(day, dt.time(0), tzinfo=LOCAL_ZONE)
    live = [b for b in uow.bookings.booked_between(start, start + dt.timedelta(days=1))
            if b.id != except_booking]
    return free_slots(services.calendar, day, services.district.slot_minutes, mediators,
                      services.district.rooms, live, mode, mediator_id, now=now)


def _slot(uow, services: Services, starts_at: dt.datetime, mode: str, mediator_id: str | None,
          now: dt.datetime, speciality: str | None, except_booking: str | None = None):
    """The free slot starting at ``starts_at`` as the store sees it now, or SlotTaken
    saying whether the mediators or the rooms ran out."""
    day = starts_at.astimezone(LOCAL_ZONE).date()

    def find(in_mode):
        slots = _free(uow, services, day, in_mode, mediator_id, now, speciality, except_booking)
        return next((s for s in slots if s.starts_at == starts_at), None)

    slot = find(mode)
    if slot is not None:
        return slot
    if mode != ONLINE and find(ONLINE) is not None:
        raise SlotTaken("every room", starts_at)
    raise SlotTaken(f"mediator:{mediator_id}" if mediator_id else "every mediator", starts_at)


def _get(uow, actor: Actor, booking_id: str) -> Booking:
    booking = uow.bookings.get(booking_id)
    if booking is None or not booking.visible_to(actor):
        raise BookingNotFound(booking_id)
    return booking


def _publish(uow, booking: Booking) -> None:
    """Hand the booking's events to the unit of work, which writes them to the outbox."""
    uow.events.extend(booking.events)
    booking.events = []
