"""Reminders and reports already sent, so that each goes once whoever runs the job.

One row per (subject, kind, at): the subject is a case number, a booking id or
"street"; the kind says which reminder ("deadline:sign", "booking:hour", "rating",
"weekly_rates"); ``at`` is the moment it is about (the deadline, the booking's start,
the resolution, the week's start), so a new deadline, a rescheduled booking or a
second resolution is reminded of again. The primary key is the once: ``first_time``
inserts the row in the caller's transaction and says whether it was new, so the
reminder's event and its row are committed together or not at all, and two
schedulers running the same job at once (a leader handing over) send it once.
"""
from __future__ import annotations

import datetime as dt

from sqlalchemy import Column, DateTime, String, Table
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.engine import Connection

from civic.adapters.repository import _naive_utc
from civic.adapters.tables import metadata

reminders_sent = Table(
    "reminders_sent", metadata,
    Column("subject", String(64), primary_key=True),
    Column("kind", String(32), primary_key=True),
    Column("at", DateTime, primary_key=True),
    Column("sent_at", DateTime, nullable=False),
)


def first_time(connection: Connection, subject: str, kind: str, at: dt.datetime,
               now: dt.datetime) -> bool:
    """Record (subject, kind, at) as sent at ``now``; False when it was already.

    ON CONFLICT DO NOTHING: on PostgreSQL a second transaction inserting the same key
    waits for the first and then inserts nothing; SQLite serialises writers anyway."""
    dialect = postgresql if connection.dialect.name == "postgresql" else sqlite
    done = connection.execute(
        dialect.insert(reminders_sent)
        .values(subject=subject, kind=kind, at=_naive_utc(at), sent_at=_naive_utc(now))
        .on_conflict_do_nothing())
    return done.rowcount == 1
