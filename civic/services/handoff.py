"""Handing a resident's conversation to a person (DESIGN.md, "Human handoff").

While a resident is handed off, what they write is kept as handoff messages for staff
and the bot stays quiet (one acknowledgment with the answer-by time); the resident or
staff end it, and the resident is asked to rate the help. Outside office hours a case
is opened as well, so what the resident said waits in the store, not in a chat.
"""
from __future__ import annotations

import dataclasses
import datetime as dt

from civic.domain import events as ev
from civic.domain.actors import RESIDENT, Actor
from civic.domain.errors import NotAllowed
from civic.domain.events import Event
from civic.services.cases import open_case

ANSWER_WITHIN_WORKING_HOURS = 0.5
REASONS = ("asked", "not_understood", "urgent", "failed")
SATISFACTION = ("satisfied", "basically_satisfied", "dissatisfied")
MAX_MESSAGE = 2000


@dataclasses.dataclass(frozen=True)
class Handoff:
    answer_by: dt.datetime
    in_office_hours: bool
    case_number: str | None
    handoff_id: int | None = None


@dataclasses.dataclass(frozen=True)
class Relayed:
    """A resident's message kept for staff; acknowledge is true the first time only."""

    handoff_id: int
    answer_by: dt.datetime
    acknowledge: bool


@dataclasses.dataclass(frozen=True)
class Ended:
    handoff_id: int
    resident_id: str


def request_handoff(uow, services, *, actor: Actor, reason: str, summary: str,
                    now: dt.datetime, category: str = "other", address: str = "",
                    case_number: str | None = None) -> Handoff:
    """Hand the resident's conversation to a person; open a case out of hours unless one exists.

    A resident already handed off keeps their open handoff (no second request for staff).
    """
    if reason not in REASONS:
        raise ValueError(f"unknown handoff reason {reason!r}")
    resident_id = _resident(actor)
    calendar = services.calendar
    in_hours = calendar.is_office_time(now)
    current = uow.handoffs.open_for(resident_id)
    if current is not None:
        return Handoff(current.answer_by, in_hours, current.case_number or case_number, current.id)
    if not in_hours and case_number is None and summary.strip():
        # No place said: open_case takes the resident's remembered household address.
        case = open_case(uow, services, actor=actor, category=category,
                         description=summary.strip(), address=address, now=now)
        case_number = case.number
    answer_by = calendar.add_working_hours(now, ANSWER_WITHIN_WORKING_HOURS)
    handoff_id = uow.handoffs.open(resident_id=resident_id, reason=reason, case_number=case_number,
                                   requested_at=now, answer_by=answer_by)
    uow.events.append(Event(ev.HANDOFF_REQUESTED, now, {
        "resident_id": resident_id, "handoff_id": handoff_id, "reason": reason,
        "summary": summary, "category": category, "case_number": case_number,
        "answer_by": answer_by.isoformat()}, case_number=case_number))
    uow.commit()
    return Handoff(answer_by=answer_by, in_office_hours=in_hours, case_number=case_number,
                   handoff_id=handoff_id)


def is_handed_off(uow, *, actor: Actor) -> bool:
    return uow.handoffs.open_for(_resident(actor)) is not None


def relay_from_resident(uow, *, actor: Actor, text: str, now: dt.datetime,
                        photo_id: str | None = None, key: str | None = None) -> Relayed | None:
    """Keep what a handed-off resident wrote (or the photo they sent) for staff; None
    when no person has the chat. ``key`` names the channel's update: the same update
    replayed after a crash is kept once."""
    current = uow.handoffs.open_for(_resident(actor))
    if current is None:
        return None
    if key is not None and uow.handoffs.has_message(current.id, key):
        return Relayed(current.id, current.answer_by, acknowledge=False)
    uow.handoffs.add_message(current.id, sender="resident", text=text[:MAX_MESSAGE], at=now, file_id=photo_id,
                             key=key)
    acknowledge = uow.handoffs.acknowledge(current.id)
    uow.commit()
    return Relayed(current.id, current.answer_by, acknowledge)


def reply_from_staff(uow, services, *, actor: Actor, resident_id: str, text: str,
                     now: dt.datetime, photo_id: str | None = None) -> int:
    """Staff answer a handed-off resident (words, or a photo with its caption): kept with
    the conversation and delivered to the resident as from "工作人员 <name>". The
    handoff's id; NotAllowed when none is open."""
    if actor.role == RESIDENT:
        raise NotAllowed("only staff answer a handed-off resident")
    text = (text or "").strip()
    if not text and not photo_id:
        raise ValueError("a reply needs words")
    current = uow.handoffs.open_for(resident_id)
    if current is None:
        raise NotAllowed(f"{resident_id} is not handed off")
    staff = services.district.staff.get(actor.id)
    uow.handoffs.add_message(current.id, sender="staff", staff_id=actor.id, text=text[:MAX_MESSAGE],
                             at=now, file_id=photo_id)
    data = {"resident_id": resident_id, "handoff_id": current.id, "actor_id": actor.id,
            "actor_role": actor.role, "staff_name": getattr(staff, "name", ""), "text": text[:MAX_MESSAGE]}
    if photo_id:
        data["photo_id"] = photo_id
    uow.events.append(Event(ev.HANDOFF_REPLY, now, data))
    uow.commit()
    return current.id


def end_handoff(uow, *, actor: Actor, now: dt.datetime, resident_id: str | None = None) -> Ended | None:
    """End the resident's handoff: the resident their own, staff anyone's. None if none was open.

    Staff ending it tells the resident (the handoff_ended event); a resident who ended it
    is answered in the chat.
    """
    if actor.role == RESIDENT:
        if resident_id not in (None, actor.id):
            raise NotAllowed("a resident ends only their own handoff")
        resident_id = actor.id
    elif not resident_id:
        raise ValueError("staff name the resident whose handoff they end")
    current = uow.handoffs.open_for(resident_id)
    if current is None or not uow.handoffs.end(current.id, by=actor.id, at=now):
        return None
    uow.events.append(Event(ev.HANDOFF_ENDED, now, {
        "resident_id": resident_id, "handoff_id": current.id, "actor_id": actor.id,
        "actor_role": actor.role}, case_number=current.case_number))
    uow.commit()
    return Ended(current.id, resident_id)


def rate_help(uow, *, actor: Actor, handoff_id: int, satisfaction: str) -> bool:
    """The resident rates the help of an ended handoff, once. False if it cannot be rated."""
    if satisfaction not in SATISFACTION:
        raise ValueError(f"unknown satisfaction {satisfaction!r}")
    record = uow.handoffs.get(handoff_id)
    if record is None or record.resident_id != _resident(actor):
        return False
    rated = uow.handoffs.rate(handoff_id, satisfaction)
    uow.commit()
    return rated


def _resident(actor: Actor) -> str:
    if actor.role != RESIDENT:
        raise NotAllowed("only a resident is handed off")
    return actor.id
