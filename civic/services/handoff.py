"""Handing a resident's conversation to a person (DESIGN.md, "Human handoff").

The handoff is an outbox event the staff channel acts on. Outside office hours a
case is opened as well, so what the resident said waits in the store, not in a chat.
"""
from __future__ import annotations

import dataclasses
import datetime as dt

from civic.domain.events import Event
from civic.services.cases import open_case

ANSWER_WITHIN_WORKING_HOURS = 0.5
REASONS = ("asked", "not_understood", "urgent")


@dataclasses.dataclass(frozen=True)
class Handoff:
    answer_by: dt.datetime
    in_office_hours: bool
    case_number: str | None


def request_handoff(uow, services, *, resident_id: str, reason: str, summary: str,
                    now: dt.datetime, category: str = "other", address: str = "",
                    case_number: str | None = None) -> Handoff:
    """Mark the conversation handed off; open a case out of hours unless one exists."""
    if reason not in REASONS:
        raise ValueError(f"unknown handoff reason {reason!r}")
    calendar = services.calendar
    in_hours = calendar.is_office_time(now)
    if not in_hours and case_number is None and summary.strip():
        profile = uow.accounts.resident(resident_id)
        case = open_case(uow, services, reporter_id=resident_id, category=category,
                         description=summary.strip(), address=address, now=now,
                         file_anyway=True,
                         household_address=getattr(profile, "household_address", None))
        case_number = case.number
    answer_by = calendar.add_working_hours(now, ANSWER_WITHIN_WORKING_HOURS)
    uow.events.append(Event("handoff_requested", now, {
        "resident_id": resident_id, "reason": reason, "summary": summary,
        "category": category, "case_number": case_number,
        "answer_by": answer_by.isoformat()}, case_number=case_number))
    uow.commit()
    return Handoff(answer_by=answer_by, in_office_hours=in_hours, case_number=case_number)
