"""Mediation bookings (人民调解超市): slots, the booking aggregate and its rules.

A slot is ``slot_minutes`` long and starts at the opening of an office range, then
every ``slot_minutes`` while the slot still ends inside the range (08:30-12:00 with
an hour gives 08:30, 09:30, 10:30). Slots are in Asia/Shanghai on working days; the
instants handed out are aware UTC datetimes, as the calendar's are. Plain Python:
the calendar is passed in and only its ``is_workday`` and ``office_hours`` are used.
"""
from __future__ import annotations

import dataclasses
import datetime as dt
import re
from typing import Iterable
from zoneinfo import ZoneInfo

from civic.domain import events as ev
from civic.domain.actors import COMMAND_CENTRE, RESIDENT, Actor
from civic.domain.district import MEDIATOR
from civic.domain.errors import DomainError, IllegalMove, NotAllowed
from civic.domain.events import Event

LOCAL_ZONE = ZoneInfo("Asia/Shanghai")
UTC = dt.timezone.utc

IN_PERSON, ONLINE = "in_person", "online"
MODES = (IN_PERSON, ONLINE)
BOOKED, CANCELLED, DONE = "booked", "cancelled", "done"
OUTCOMES = ("settled", "not_settled", "referred_to_court")
# The line a linked dispute case gets in its history (pushed to the resident, so
# Chinese); it is the record of a result, like a staff member's own note.
OUTCOME_NOTES = {"settled": "人民调解：调解成功", "not_settled": "人民调解：调解未成功",
                 "referred_to_court": "人民调解：已引导至法院诉讼"}
DISPUTE_MAX_CHARS = 200
_PHONE = re.compile(r"^(?:\+?86)?(\d{7,12})$")


# --- errors -------------------------------------------------------------------------


class Unbookable(DomainError):
    """A time that cannot be booked; ``reason`` names why, for an entry point to phrase."""

    reason = ""


class InThePast(Unbookable):
    """The chosen time has already begun."""

    reason = "past"


class OutsideOfficeHours(Unbookable):
    """The chosen time is on a day off or outside office hours."""

    reason = "outside_office_hours"


class NotASlot(Unbookable):
    """The time is in office hours but is not the start of a bookable slot."""

    reason = "not_a_slot"


class SlotTaken(Unbookable):
    """The mediator or room (or every one that would do) is booked at that time."""

    reason = "taken"

    def __init__(self, resource: str, starts_at: dt.datetime):
        super().__init__(f"{resource} is already booked at {_local(starts_at):%Y-%m-%d %H:%M}")
        self.resource = resource
        self.starts_at = starts_at


class UnknownMediator(DomainError):
    """No mediator by that id (or none with that speciality)."""


class InvalidBooking(DomainError):
    """A field of the booking request is missing or malformed."""


class BookingNotFound(DomainError):
    """No such booking, or not one the actor may see (the same answer, on purpose)."""


# --- slots --------------------------------------------------------------------------


@dataclasses.dataclass(frozen=True)
class Slot:
    """A free slot and who could take it: mediators least busy that day first; rooms
    in the district's order (none for an online slot)."""

    starts_at: dt.datetime
    ends_at: dt.datetime
    mediator_ids: tuple[str, ...]
    room_ids: tuple[str, ...] = ()


def slot_starts(calendar, day: dt.date, slot_minutes: int) -> list[dt.datetime]:
    """Every slot start on a local Shanghai date; none on a day off."""
    if not calendar.is_workday(day):
        return []
    length = dt.timedelta(minutes=slot_minutes)
    starts = []
    for open_at, close_at in calendar.office_hours:
        at = dt.datetime.combine(day, open_at, tzinfo=LOCAL_ZONE)
        close = dt.datetime.combine(day, close_at, tzinfo=LOCAL_ZONE)
        while at + length <= close:
            starts.append(at.astimezone(UTC))
            at += length
    return starts


def check_start(calendar, starts_at: dt.datetime, slot_minutes: int, now: dt.datetime) -> dt.datetime:
    """The slot's end when ``starts_at`` may be booked at ``now``; otherwise say why."""
    _require_aware(starts_at, "starts_at")
    local = _local(starts_at)
    if starts_at <= now:
        raise InThePast(f"{local:%Y-%m-%d %H:%M} has already begun; choose a later time")
    if not calendar.is_workday(local.date()):
        raise OutsideOfficeHours(f"{local:%Y-%m-%d} is not a working day")
    starts = slot_starts(calendar, local.date(), slot_minutes)
    if starts_at not in starts:
        hours = ", ".join(f"{a:%H:%M}-{b:%H:%M}" for a, b in calendar.office_hours)
        inside = any(a <= local.time().replace(tzinfo=None) < b for a, b in calendar.office_hours)
        if not inside:
            raise OutsideOfficeHours(f"{local:%H:%M} is outside office hours ({hours})")
        offered = ", ".join(f"{_local(s):%H:%M}" for s in starts)
        raise NotASlot(f"{local:%H:%M} is not the start of a {slot_minutes}-minute slot "
                       f"(slots start at {offered})")
    return starts_at + dt.timedelta(minutes=slot_minutes)


def free_slots(calendar, day: dt.date, slot_minutes: int, mediators: Iterable, rooms: Iterable,
               bookings: Iterable[Booking], mode: str, mediator_id: str | None = None,
               now: dt.datetime | None = None) -> list[Slot]:
    """The slots of ``day`` that can still be booked in ``mode``.

    A slot is free when the chosen mediator (or, with none chosen, any of
    ``mediators``) has no booking overlapping it and, in person, a room is free
    too. ``mediators`` and ``rooms`` are ids or objects with an ``id``; bookings
    that are not ``booked`` are ignored. With ``now``, slots already begun are left
    out.
    """
    check_mode(mode)
    mediator_ids = [getattr(m, "id", m) for m in mediators]
    room_ids = [getattr(r, "id", r) for r in rooms]
    if mediator_id is not None:
        mediator_ids = [m for m in mediator_ids if m == mediator_id]
    active = [b for b in bookings if b.state == BOOKED]
    load = {m: sum(b.mediator_id == m for b in active) for m in mediator_ids}
    ranked = sorted(mediator_ids, key=lambda m: (load[m], m))
    slots = []
    for start in slot_starts(calendar, day, slot_minutes):
        if now is not None and start <= now:
            continue
        end = start + dt.timedelta(minutes=slot_minutes)
        overlapping = [b for b in active if b.starts_at < end and start < b.ends_at]
        free_mediators = tuple(m for m in ranked if all(b.mediator_id != m for b in overlapping))
        free_rooms = () if mode == ONLINE else tuple(
            r for r in room_ids if all(b.room_id != r for b in overlapping))
        if free_mediators and (mode == ONLINE or free_rooms):
            slots.append(Slot(start, end, free_mediators, free_rooms))
    return slots


# --- the booking --------------------------------------------------------------------


@dataclasses.dataclass
class Booking:
    id: str
    resident_id: str
    mediator_id: str
    room_id: str | None  # None when online
    mode: str
    starts_at: dt.datetime
    ends_at: dt.datetime
    dispute: str
    other_party_name: str
    other_party_phone: str | None = None
    case_number: str | None = None
    state: str = BOOKED
    outcome: str | None = None
    created_at: dt.datetime | None = None
    version: int = 0
    events: list[Event] = dataclasses.field(default_factory=list, compare=False, repr=False)

    @classmethod
    def new(cls, *, id: str, resident_id: str, mediator_id: str, room_id: str | None, mode: str,
            starts_at: dt.datetime, ends_at: dt.datetime, dispute: str, other_party_name: str,
            other_party_phone: str | None, case_number: str | None, at: dt.datetime) -> Booking:
        """A checked new booking that has recorded its booking_created event."""
        check_mode(mode)
        if (mode == IN_PERSON) != (room_id is not None):
            raise InvalidBooking("an in-person booking needs a room and an online one none")
        booking = cls(id=id, resident_id=resident_id, mediator_id=mediator_id, room_id=room_id,
                      mode=mode, starts_at=starts_at, ends_at=ends_at,
                      dispute=clean_dispute(dispute), other_party_name=clean_name(other_party_name),
                      other_party_phone=clean_phone(other_party_phone),
                      case_number=(case_number or "").strip() or None, created_at=at)
        booking._record(ev.BOOKING_CREATED, Actor.resident(resident_id), at,
                        dispute=booking.dispute, case_number=booking.case_number)
        return booking

    def resources(self) -> tuple[str, ...]:
        """What the booking occupies for its slot: its mediator and, in person, its room."""
        mediator = f"mediator:{self.mediator_id}"
        return (mediator, f"room:{self.room_id}") if self.room_id else (mediator,)

    # --- who may --------------------------------------------------------------------

    def is_booker(self, actor: Actor) -> bool:
        return actor.role == RESIDENT and actor.id == self.resident_id

    def is_its_mediator(self, actor: Actor) -> bool:
        return actor.role == MEDIATOR and actor.id == self.mediator_id

    def visible_to(self, actor: Actor) -> bool:
        return self.is_booker(actor) or self.is_its_mediator(actor) or actor.role == COMMAND_CENTRE

    def _require(self, allowed: bool, actor: Actor, move: str) -> None:
        if not allowed:
            raise NotAllowed(f"{actor.role} {actor.id} may not {move} booking {self.id}")

    def check_change(self, actor: Actor, move: str, at: dt.datetime) -> None:
        """Whether ``actor`` may still reschedule or cancel (asked before a new slot is sought)."""
        self._require(self.visible_to(actor), actor, move)
        self._require_upcoming(move, at)

    def _require_upcoming(self, move: str, at: dt.datetime) -> None:
        if self.state != BOOKED:
            raise IllegalMove(f"cannot {move} booking {self.id}: it is {self.state}")
        if self.starts_at <= at:
            raise IllegalMove(f"cannot {move} booking {self.id}: it has already begun")

    # --- moves ----------------------------------------------------------------------

    def reschedule(self, actor: Actor, starts_at: dt.datetime, ends_at: dt.datetime,
                   room_id: str | None, at: dt.datetime) -> None:
        """Move to another slot with the same mediator; ``room_id`` is the new slot's room."""
        self.check_change(actor, "reschedule", at)
        if (self.mode == IN_PERSON) != (room_id is not None):
            raise InvalidBooking("an in-person booking needs a room and an online one none")
        previous = self.starts_at
        self.starts_at, self.ends_at, self.room_id = starts_at, ends_at, room_id
        self._record(ev.BOOKING_RESCHEDULED, actor, at, previous_starts_at=previous.isoformat())

    def cancel(self, actor: Actor, at: dt.datetime, reason: str = "") -> None:
        self.check_change(actor, "cancel", at)
        self.state = CANCELLED
        self._record(ev.BOOKING_CANCELLED, actor, at, reason=(reason or "").strip())

    def record_outcome(self, actor: Actor, outcome: str, at: dt.datetime, **data) -> None:
        """The booking's mediator (or the command centre) records how it ended."""
        self._require(self.is_its_mediator(actor) or actor.role == COMMAND_CENTRE, actor,
                      "record the outcome of")
        if outcome not in OUTCOMES:
            raise InvalidBooking(f"unknown outcome {outcome!r} (known: {', '.join(OUTCOMES)})")
        if self.state != BOOKED:
            raise IllegalMove(f"cannot record an outcome for booking {self.id}: it is {self.state}")
        if at < self.starts_at:
            raise IllegalMove(f"booking {self.id} has not begun yet")
        self.state, self.outcome = DONE, outcome
        self._record(ev.BOOKING_OUTCOME, actor, at, outcome=outcome, case_number=self.case_number,
                     **data)

    def _record(self, name: str, actor: Actor, at: dt.datetime, **data) -> None:
        # The mediator's id is always there: the dispatcher tells them of every change.
        self.events.append(Event(name, at, {
            "booking_id": self.id, "resident_id": self.resident_id,
            "mediator_id": self.mediator_id, "room_id": self.room_id, "mode": self.mode,
            "starts_at": self.starts_at.isoformat(), "ends_at": self.ends_at.isoformat(),
            "state": self.state, "actor_id": actor.id, "actor_role": actor.role, **data,
        }))


# --- checks of single fields --------------------------------------------------------


def check_mode(mode: str) -> str:
    if mode not in MODES:
        raise InvalidBooking(f"unknown mode {mode!r} (known: {', '.join(MODES)})")
    return mode


def clean_dispute(text: str) -> str:
    """One sentence saying what the dispute is about."""
    text = " ".join((text or "").split())
    if not text:
        raise InvalidBooking("say in one sentence what the dispute is about")
    if len(text) > DISPUTE_MAX_CHARS:
        raise InvalidBooking(f"the dispute should be one sentence (at most {DISPUTE_MAX_CHARS} characters)")
    return text


def clean_name(name: str) -> str:
    name = " ".join((name or "").split())
    if not name:
        raise InvalidBooking("the other party's name is needed")
    if len(name) > 64:
        raise InvalidBooking("the other party's name is too long")
    return name


def clean_phone(phone: str | None) -> str | None:
    """Digits only (spaces, dashes and a +86 prefix dropped); None when not given."""
    if phone is None or not str(phone).strip():
        return None
    match = _PHONE.match(re.sub(r"[\s\-()]", "", str(phone)))
    if match is None:
        raise InvalidBooking(f"{phone!r} is not a phone number")
    return match.group(1)


def _require_aware(at: dt.datetime, what: str) -> None:
    if not isinstance(at, dt.datetime) or at.tzinfo is None or at.utcoffset() is None:
        raise ValueError(f"{what} must be a timezone-aware datetime, got {at!r}")


def _local(at: dt.datetime) -> dt.datetime:
    return at.astimezone(LOCAL_ZONE)
