"""Erasing one resident from every table that holds them (civic.services.erasure says
what is kept). Each method rewrites the rows of one kind: the resident's id becomes
the erasure's marker, their free text is passed through ``scrub``, their exact
address through ``reduce``; what cannot be kept without them is deleted.
"""
from __future__ import annotations

import json
from typing import Callable

from sqlalchemy import delete, insert, or_, select, update
from sqlalchemy.engine import Connection

from civic.adapters.repository import _naive_utc
from civic.adapters.tables import case_followers, case_history, cases, deliveries, outbox
from civic.adapters.tables_accounts import erasures, residents
from civic.adapters.tables_channels import button_offers, inbox
from civic.adapters.tables_handoff import handoff_messages, handoffs
from civic.adapters.tables_mediation import bookings
from civic.adapters.tables_points import points_ledger, redemptions

Scrub = Callable[[str], str]
# Payload keys that hold what someone wrote (or a name or phone): scrubbed.
FREE_TEXT = frozenset({"note", "summary", "text", "dispute", "reason", "description", "address",
                       "other_party_name", "other_party_phone", "contact_phone", "phone"})
RESIDENT = "resident:"


class ErasureRepository:
    def __init__(self, connection: Connection):
        self._conn = connection

    def reported_cases(self, resident_id: str) -> list[dict]:
        """number, address, description, contact_phone of the cases they reported."""
        return [dict(row) for row in self._conn.execute(
            select(cases.c.number, cases.c.address, cases.c.description, cases.c.contact_phone)
            .where(cases.c.reporter_id == resident_id)).mappings()]

    def cases(self, resident_id: str, marker: str, scrub: Scrub, reduce: Callable[[str], str]) -> list[str]:
        """Their cases stay (the street office's record of the work) without them."""
        numbers = []
        for row in self.reported_cases(resident_id):
            numbers.append(row["number"])
            self._conn.execute(update(cases).where(cases.c.number == row["number"]).values(
                reporter_id=marker, contact_phone=None, address=reduce(row["address"] or ""),
                description=scrub(row["description"] or "")))
        self._conn.execute(update(case_followers).where(case_followers.c.resident_id == resident_id)
                           .values(resident_id=marker))
        return numbers

    def history(self, resident_id: str, marker: str, numbers: list[str], scrub: Scrub) -> None:
        """What they did becomes the marker's; notes on their cases or by them are scrubbed
        (staff write the reporter's name and phone into them)."""
        rows = self._conn.execute(select(case_history.c.id, case_history.c.actor_id, case_history.c.note).where(
            or_(case_history.c.actor_id == resident_id, case_history.c.case_number.in_(numbers)))).mappings()
        for row in list(rows):
            self._conn.execute(update(case_history).where(case_history.c.id == row["id"]).values(
                actor_id=marker if row["actor_id"] == resident_id else row["actor_id"],
                note=scrub(row["note"] or "")))

    def outbox(self, resident_id: str, marker: str, numbers: list[str], scrub: Scrub) -> None:
        rows = self._conn.execute(select(outbox.c.id, outbox.c.resident_id, outbox.c.case_number, outbox.c.payload).where(or_(
            outbox.c.resident_id == resident_id, outbox.c.case_number.in_(numbers),
            outbox.c.payload.contains(resident_id)))).mappings()
        for row in list(rows):
            payload = json.loads(row["payload"] or "{}")
            if not (row["resident_id"] == resident_id or row["case_number"] in numbers
                    or _mentions(payload, resident_id)):
                continue  # the id was only part of another value
            payload = _rewrite(payload, resident_id, marker, scrub)
            self._conn.execute(update(outbox).where(outbox.c.id == row["id"]).values(
                resident_id=marker if row["resident_id"] == resident_id else row["resident_id"],
                payload=json.dumps(payload, ensure_ascii=False)))

    def deliveries(self, resident_id: str, marker: str) -> None:
        """Deliveries to them are kept as the marker's; what was still to be sent is not."""
        mine = deliveries.c.recipient == RESIDENT + resident_id
        self._conn.execute(update(deliveries).where(mine, deliveries.c.state != "sent")
                           .values(state="failed", last_error="the resident erased their data",
                                   lease_until=None))
        self._conn.execute(update(deliveries).where(mine).values(recipient=RESIDENT + marker))

    def handoffs(self, resident_id: str, marker: str, scrub: Scrub, now) -> None:
        ids = list(self._conn.execute(select(handoffs.c.id).where(handoffs.c.resident_id == resident_id)).scalars())
        self._conn.execute(update(handoffs).where(handoffs.c.resident_id == resident_id, handoffs.c.state == "open")
                           .values(state="ended", ended_at=_naive_utc(now), ended_by="erasure"))
        self._conn.execute(update(handoffs).where(handoffs.c.id.in_(ids)).values(resident_id=marker))
        for row in list(self._conn.execute(select(handoff_messages.c.id, handoff_messages.c.text)
                                           .where(handoff_messages.c.handoff_id.in_(ids))).mappings()):
            self._conn.execute(update(handoff_messages).where(handoff_messages.c.id == row["id"])
                               .values(text=scrub(row["text"] or "")))

    def bookings(self, resident_id: str, marker: str, scrub: Scrub, erased_word: str) -> None:
        """The other party's name and phone go with the resident's own (bookings just
        cancelled for the erasure carry the marker already)."""
        rows = self._conn.execute(select(bookings.c.id, bookings.c.dispute)
                                  .where(bookings.c.resident_id.in_((resident_id, marker)))).mappings()
        for row in list(rows):
            self._conn.execute(update(bookings).where(bookings.c.id == row["id"]).values(
                resident_id=marker, dispute=scrub(row["dispute"] or ""), other_party_name=erased_word,
                other_party_phone=None))

    def points(self, resident_id: str, marker: str, scrub: Scrub) -> None:
        """The ledger is append-only but for this: the balance stays, for audit, under the marker."""
        for row in list(self._conn.execute(select(points_ledger.c.id, points_ledger.c.reason)
                                           .where(points_ledger.c.resident_id == resident_id)).mappings()):
            self._conn.execute(update(points_ledger).where(points_ledger.c.id == row["id"])
                               .values(resident_id=marker, reason=scrub(row["reason"] or "")))
        # A redemption is the resident's own act.
        self._conn.execute(update(points_ledger).where(points_ledger.c.actor_id == resident_id)
                           .values(actor_id=marker))
        self._conn.execute(update(redemptions).where(redemptions.c.resident_id == resident_id)
                           .values(resident_id=marker))

    def channels(self, resident_id: str) -> None:
        """Buttons offered to them go; failed inbox rows forget their chat and body (done
        rows kept neither; a row still pending, such as the message that asked for
        erasure, is handled as it stands and cleared when done)."""
        self._conn.execute(delete(button_offers).where(button_offers.c.user_id == resident_id))
        self._conn.execute(update(inbox).where(inbox.c.chat_id == resident_id,
                                               inbox.c.state.in_(("done", "failed")))
                           .values(chat_id=None, body=None, replies=None, error=None))

    def profile(self, resident_id: str) -> None:
        self._conn.execute(delete(residents).where(residents.c.id == resident_id))

    def record(self, resident_id: str, at, kept: dict) -> None:
        self._conn.execute(insert(erasures).values(resident_id=resident_id, erased_at=_naive_utc(at),
                                                   kept=json.dumps(kept, ensure_ascii=False)))

    def erased_at(self, resident_id: str) -> list:
        return list(self._conn.execute(select(erasures.c.erased_at).where(erasures.c.resident_id == resident_id)
                                       .order_by(erasures.c.id)).scalars())


def _rewrite(value, resident_id: str, marker: str, scrub: Scrub, key: str = ""):
    if isinstance(value, dict):
        return {k: _rewrite(v, resident_id, marker, scrub, k) for k, v in value.items()}
    if isinstance(value, list):
        return [_rewrite(v, resident_id, marker, scrub, key) for v in value]
    if isinstance(value, str):
        if value == resident_id:
            return marker
        return scrub(value) if key in FREE_TEXT else value
    return value


def _mentions(value, resident_id: str) -> bool:
    if isinstance(value, dict):
        return any(_mentions(v, resident_id) for v in value.values())
    if isinstance(value, list):
        return any(_mentions(v, resident_id) for v in value)
    return value == resident_id
