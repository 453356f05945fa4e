"""Notices for a resident: the outbox events that concern them, once each.

A channel shows a resident what happened since it last showed them anything
(their cases moved, a booking changed, points were awarded); the cursor moves
only after the channel has shown them, so a crash repeats a notice, never loses one.
"""
from __future__ import annotations

import dataclasses
import datetime as dt

CASE_NOTICES = frozenset({"signed", "contacted", "started", "progress", "resolved", "returned",
                          "reassigned", "extended", "reopened", "closed_unrated", "merged",
                          "rejected"})
OTHER_NOTICES = frozenset({"booking_cancelled", "booking_rescheduled", "booking_outcome",
                           "points_awarded", "points_reversed", "redemption_collected",
                           "handoff_answered"})


@dataclasses.dataclass(frozen=True)
class Notice:
    event_id: int
    name: str
    case_number: str | None
    at: dt.datetime
    data: dict
    own_case: bool  # the resident reported the case (and so may rate it)


def pending_notices(uow, resident_id: str) -> tuple[list[Notice], int | None]:
    """The notices not shown yet, and the outbox id to mark shown once they are."""
    cases = uow.cases.list_for_resident(resident_id, limit=50)
    own = {c.number for c in cases if c.reporter_id == resident_id}
    rows = uow.notices.events_after(uow.notices.cursor(resident_id), resident_id=resident_id,
                                    case_numbers=[c.number for c in cases])
    notices = []
    for row in rows:
        data = row["payload"]
        wanted = CASE_NOTICES if row["case_number"] and row["name"] in CASE_NOTICES else OTHER_NOTICES
        if row["name"] not in wanted or data.get("actor_id") == resident_id:
            continue
        at = row["at"].replace(tzinfo=dt.timezone.utc) if row["at"].tzinfo is None else row["at"]
        notices.append(Notice(row["id"], row["name"], row["case_number"], at, data,
                              own_case=row["case_number"] in own))
    return notices, (rows[-1]["id"] if rows else None)


def mark_shown(uow, resident_id: str, last_event_id: int | None) -> None:
    if last_event_id:
        uow.notices.advance(resident_id, last_event_id)
        uow.commit()
