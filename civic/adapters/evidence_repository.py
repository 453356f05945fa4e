"""Photos residents sent: pending ones wait for the report being written, the rest
belong to a case."""
from __future__ import annotations

import dataclasses
import datetime as dt

from sqlalchemy import delete, insert, select, update
from sqlalchemy.engine import Connection

from civic.adapters.repository import _aware, _naive_utc
from civic.adapters.tables_evidence import evidence

PHOTO = "photo"


@dataclasses.dataclass(frozen=True)
class Evidence:
    id: int
    resident_id: str | None  # None once the resident's data was deleted
    kind: str
    file_id: str
    received_at: dt.datetime
    case_number: str | None  # None: pending
    attached_at: dt.datetime | None


class EvidenceRepository:
    def __init__(self, connection: Connection):
        self._conn = connection

    def find(self, resident_id: str, file_id: str) -> Evidence | None:
        row = self._conn.execute(select(evidence).where(
            evidence.c.resident_id == resident_id, evidence.c.file_id == file_id)).mappings().first()
        return self._record(row) if row else None

    def add(self, *, resident_id: str, file_id: str, received_at: dt.datetime,
            case_number: str | None = None, kind: str = PHOTO) -> int:
        return self._conn.execute(insert(evidence).values(
            resident_id=resident_id, kind=kind, file_id=file_id, received_at=_naive_utc(received_at),
            case_number=case_number, attached_at=_naive_utc(received_at) if case_number else None,
        )).inserted_primary_key[0]

    def pending(self, resident_id: str, since: dt.datetime) -> list[Evidence]:
        """The resident's photos received since then and not yet attached, oldest first."""
        rows = self._conn.execute(select(evidence).where(
            evidence.c.resident_id == resident_id, evidence.c.case_number.is_(None),
            evidence.c.received_at >= _naive_utc(since)).order_by(evidence.c.id)).mappings()
        return [self._record(r) for r in rows]

    def attach(self, ids: list[int], case_number: str, at: dt.datetime) -> None:
        # Only still-pending rows: a photo never moves from one case to another.
        self._conn.execute(update(evidence).where(evidence.c.id.in_(ids), evidence.c.case_number.is_(None))
                           .values(case_number=case_number, attached_at=_naive_utc(at)))

    def for_case(self, case_number: str) -> list[Evidence]:
        rows = self._conn.execute(select(evidence).where(evidence.c.case_number == case_number)
                                  .order_by(evidence.c.id)).mappings()
        return [self._record(r) for r in rows]

    def forget(self, resident_id: str) -> None:
        """A resident's data is deleted: photos not yet on a case go; a case's photos stay
        with the case (the street office keeps it), no longer linked to the resident."""
        self._conn.execute(delete(evidence).where(evidence.c.resident_id == resident_id,
                                                  evidence.c.case_number.is_(None)))
        self._conn.execute(update(evidence).where(evidence.c.resident_id == resident_id)
                           .values(resident_id=None))

    @staticmethod
    def _record(row) -> Evidence:
        return Evidence(row["id"], row["resident_id"], row["kind"], row["file_id"],
                        _aware(row["received_at"]), row["case_number"], _aware(row["attached_at"]))
