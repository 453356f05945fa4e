"""Handoffs in the store: the open one per resident, and the messages relayed in it."""
from __future__ import annotations

import dataclasses
import datetime as dt

from sqlalchemy import insert, select, update
from sqlalchemy.engine import Connection

from civic.adapters.repository import _aware, _naive_utc
from civic.adapters.tables_handoff import handoff_messages, handoffs


@dataclasses.dataclass(frozen=True)
class HandoffRecord:
    id: int
    resident_id: str
    state: str
    reason: str
    case_number: str | None
    requested_at: dt.datetime
    answer_by: dt.datetime
    acknowledged: bool
    ended_at: dt.datetime | None
    ended_by: str | None
    satisfaction: str | None


class HandoffRepository:
    def __init__(self, connection: Connection):
        self._conn = connection

    def open_for(self, resident_id: str) -> HandoffRecord | None:
        row = self._conn.execute(
            select(handoffs).where(handoffs.c.resident_id == resident_id, handoffs.c.state == "open")
            .order_by(handoffs.c.id.desc()).limit(1)).mappings().first()
        return self._record(row)

    def get(self, handoff_id: int) -> HandoffRecord | None:
        row = self._conn.execute(select(handoffs).where(handoffs.c.id == handoff_id)).mappings().first()
        return self._record(row)

    def open(self, *, resident_id: str, reason: str, case_number: str | None,
             requested_at: dt.datetime, answer_by: dt.datetime) -> int:
        return self._conn.execute(insert(handoffs).values(
            resident_id=resident_id, state="open", reason=reason, case_number=case_number,
            requested_at=_naive_utc(requested_at), answer_by=_naive_utc(answer_by),
            acknowledged=False)).inserted_primary_key[0]

    def acknowledge(self, handoff_id: int) -> bool:
        """True for the first caller only: the resident is told once."""
        return self._conn.execute(update(handoffs).where(handoffs.c.id == handoff_id,
                                                         handoffs.c.acknowledged.is_(False))
                                  .values(acknowledged=True)).rowcount == 1

    def end(self, handoff_id: int, *, by: str, at: dt.datetime) -> bool:
        return self._conn.execute(update(handoffs).where(handoffs.c.id == handoff_id,
                                                         handoffs.c.state == "open")
                                  .values(state="ended", ended_by=by,
                                          ended_at=_naive_utc(at))).rowcount == 1

    def rate(self, handoff_id: int, satisfaction: str) -> bool:
        return self._conn.execute(update(handoffs).where(handoffs.c.id == handoff_id,
                                                         handoffs.c.state == "ended",
                                                         handoffs.c.satisfaction.is_(None))
                                  .values(satisfaction=satisfaction)).rowcount == 1

    def add_message(self, handoff_id: int, *, sender: str, text: str, at: dt.datetime,
                    staff_id: str | None = None, file_id: str | None = None, key: str | None = None) -> None:
        self._conn.execute(insert(handoff_messages).values(
            handoff_id=handoff_id, sender=sender, text=text, at=_naive_utc(at), staff_id=staff_id,
            file_id=file_id, update_key=key))

    def has_message(self, handoff_id: int, key: str) -> bool:
        """Whether the update ``key`` brought a message of this handoff already."""
        return self._conn.execute(select(handoff_messages.c.id).where(
            handoff_messages.c.handoff_id == handoff_id, handoff_messages.c.update_key == key)).first() is not None

    def messages(self, handoff_id: int) -> list[tuple[dt.datetime, str, str]]:
        """(at, sender, text) in the order they were said."""
        rows = self._conn.execute(select(handoff_messages).where(
            handoff_messages.c.handoff_id == handoff_id).order_by(handoff_messages.c.id))
        return [(_aware(r.at), r.sender, r.text) for r in rows]

    @staticmethod
    def _record(row) -> HandoffRecord | None:
        if row is None:
            return None
        return HandoffRecord(row["id"], row["resident_id"], row["state"], row["reason"],
                             row["case_number"], _aware(row["requested_at"]), _aware(row["answer_by"]),
                             bool(row["acknowledged"]), _aware(row["ended_at"]), row["ended_by"],
                             row["satisfaction"])
