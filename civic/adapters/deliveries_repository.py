"""Deliveries in the store: one row per (outbox event, recipient).

pending -> sent | failed | blocked. A dispatcher claims due rows under a lease (its
claim is committed before it sends), and records each result in a transaction of
its own. A recipient's deliveries go out one at a time in event order: only the
earliest pending delivery of a recipient is ever claimable, so two dispatchers never
send to one person at once and a retried notice is not overtaken by a later one.
"""
from __future__ import annotations

import dataclasses
import datetime as dt
import json
from typing import Iterable

from sqlalchemy import bindparam, func, insert, or_, select, update
from sqlalchemy.engine import Connection

from civic.adapters.repository import CaseRepository, _aware, _naive_utc
from civic.adapters.tables import deliveries, outbox

PENDING, SENT, FAILED, BLOCKED = "pending", "sent", "failed", "blocked"
MAX_ERROR = 500


@dataclasses.dataclass(frozen=True)
class Due:
    """A claimed delivery with its event: what a renderer needs."""

    event_id: int
    recipient: str  # resident:<id> | staff:<id> | centre:desk
    audience: str  # the role the recipient hears it in (civic.domain.events)
    attempts: int
    lease_until: dt.datetime
    name: str
    case_number: str | None
    at: dt.datetime
    data: dict
    case: object = None  # the case as it is now, for case events


class DeliveryRepository:
    def __init__(self, connection: Connection):
        self._conn = connection

    def add(self, event_id: int, recipients: Iterable) -> None:
        """A pending delivery per recipient (civic.domain.recipients.Recipient)."""
        rows = [{"event_id": event_id, "recipient": r.address, "audience": r.audience,
                 "state": PENDING, "attempts": 0} for r in recipients]
        if rows:
            self._conn.execute(insert(deliveries), rows)

    def claim(self, now: dt.datetime, lease: dt.timedelta, limit: int,
              recipients: Iterable[str] | None = None) -> list[Due]:
        """Lease up to ``limit`` due deliveries, each the earliest pending one of its recipient.

        On PostgreSQL rows another transaction is claiming are skipped (FOR UPDATE SKIP
        LOCKED); on SQLite the writer lock taken at BEGIN serialises claims. The caller
        commits, so the lease holds before anything is sent.
        """
        d, earlier = deliveries, deliveries.alias("earlier")
        at = _naive_utc(now)
        ahead = select(earlier.c.event_id).where(
            earlier.c.recipient == d.c.recipient, earlier.c.state == PENDING,
            earlier.c.event_id < d.c.event_id).exists()
        query = (select(d.c.event_id, d.c.recipient, d.c.audience, d.c.attempts)
                 .where(d.c.state == PENDING,
                        or_(d.c.next_attempt_at.is_(None), d.c.next_attempt_at <= at),
                        or_(d.c.lease_until.is_(None), d.c.lease_until <= at),
                        ~ahead)
                 .order_by(d.c.event_id, d.c.recipient).limit(max(1, limit)))
        if recipients is not None:
            query = query.where(d.c.recipient.in_(list(recipients)))
        if self._conn.dialect.name == "postgresql":
            query = query.with_for_update(skip_locked=True, of=d)
        rows = self._conn.execute(query).all()
        if not rows:
            return []
        until = at + lease
        self._conn.execute(
            update(d).where(d.c.event_id == bindparam("key_event"),
                            d.c.recipient == bindparam("key_recipient"))
            .values(lease_until=until),
            [{"key_event": r.event_id, "key_recipient": r.recipient} for r in rows])
        events = {e["id"]: e for e in self._conn.execute(
            select(outbox).where(outbox.c.id.in_({r.event_id for r in rows}))).mappings()}
        cases = CaseRepository(self._conn)
        loaded: dict[str, object] = {}
        claimed = []
        for r in rows:
            event = events[r.event_id]
            number = event["case_number"]
            if number and number not in loaded:
                loaded[number] = cases.get(number)
            claimed.append(Due(r.event_id, r.recipient, r.audience, r.attempts, _aware(until),
                               event["name"], number, _aware(event["at"]),
                               json.loads(event["payload"]), loaded.get(number)))
        return claimed

    # --- results: each in its own short transaction, after the send ---------------

    def sent(self, due: Due, now: dt.datetime) -> None:
        """Sent, whoever holds the lease now: the message reached the sender."""
        d = deliveries
        self._conn.execute(update(d).where(*self._key(due), d.c.state != SENT).values(
            state=SENT, sent_at=_naive_utc(now), attempts=d.c.attempts + 1,
            lease_until=None, last_error=None))

    def retry(self, due: Due, at: dt.datetime, error: str, attempted: bool = True) -> bool:
        """Try again at ``at``; ``attempted`` is false when the sender refused before
        trying (a rate limit), which does not count against the recipient."""
        d = deliveries
        return self._settle(due, next_attempt_at=_naive_utc(at), last_error=error[:MAX_ERROR],
                            attempts=d.c.attempts + (1 if attempted else 0))

    def fail(self, due: Due, error: str) -> bool:
        return self._settle(due, state=FAILED, last_error=error[:MAX_ERROR],
                            attempts=deliveries.c.attempts + 1)

    def block(self, due: Due, error: str) -> bool:
        return self._settle(due, state=BLOCKED, last_error=error[:MAX_ERROR],
                            attempts=deliveries.c.attempts + 1)

    def release(self, due: Due) -> bool:
        """Give a claimed delivery back unsent (the dispatcher is stopping)."""
        return self._settle(due)

    def _settle(self, due: Due, **values) -> bool:
        """Record a result only while this claim still holds the lease: once it expired,
        another dispatcher owns the row and its result counts."""
        d = deliveries
        done = self._conn.execute(update(d).where(
            *self._key(due), d.c.state == PENDING, d.c.lease_until == _naive_utc(due.lease_until)
        ).values(lease_until=None, **values))
        return done.rowcount == 1

    @staticmethod
    def _key(due: Due):
        return deliveries.c.event_id == due.event_id, deliveries.c.recipient == due.recipient

    # --- reading --------------------------------------------------------------------

    def of_event(self, event_id: int) -> list[dict]:
        rows = self._conn.execute(select(deliveries).where(deliveries.c.event_id == event_id)
                                  .order_by(deliveries.c.recipient)).mappings()
        return [dict(r) for r in rows]

    def count(self, state: str | None = None, recipient: str | None = None) -> int:
        query = select(func.count()).select_from(deliveries)
        if state is not None:
            query = query.where(deliveries.c.state == state)
        if recipient is not None:
            query = query.where(deliveries.c.recipient == recipient)
        return self._conn.execute(query).scalar_one()
