"""Cases in the store: rows to aggregates and back, with optimistic concurrency."""
from __future__ import annotations

import abc
import datetime as dt
import json

from sqlalchemy import and_, case, func, insert, select, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.engine import Connection

from civic.adapters.tables import case_counters, case_followers, case_history, cases, outbox
from civic.domain.case import OPEN, Case, HistoryEntry, State
from civic.domain.errors import ConcurrentUpdate
from civic.domain.events import FOLLOWED

_SCALARS = [c.name for c in cases.columns if c.name not in ("informed_ids", "state", "version")]


def _naive_utc(value):
    """The store keeps UTC without a zone (SQLite has none); the domain uses aware times."""
    if isinstance(value, dt.datetime) and value.tzinfo is not None:
        return value.astimezone(dt.timezone.utc).replace(tzinfo=None)
    return value


def _aware(value):
    if isinstance(value, dt.datetime) and value.tzinfo is None:
        return value.replace(tzinfo=dt.timezone.utc)
    return value


class AbstractCaseRepository(abc.ABC):
    """The port the case handlers use; tests of the services fake it in memory.

    ``seen`` holds every case added or loaded, so the unit of work can write their
    events when it commits.
    """

    seen: list[Case]

    @abc.abstractmethod
    def next_number(self, day: dt.date) -> str: ...

    @abc.abstractmethod
    def add(self, case: Case) -> None: ...

    @abc.abstractmethod
    def get(self, number: str) -> Case | None: ...

    @abc.abstractmethod
    def by_submission(self, key: str) -> Case | None: ...

    @abc.abstractmethod
    def save(self, case: Case) -> None: ...

    @abc.abstractmethod
    def list_for_resident(self, resident_id: str, limit: int = 20) -> list[Case]: ...

    @abc.abstractmethod
    def open_in_grid(self, grid_id: str | None, category: str) -> list[Case]: ...

    @abc.abstractmethod
    def open_by_deadline(self, *, assignee_id: str | None = None,
                         grid_ids: list[str] | None = None, limit: int = 50) -> list[Case]: ...

    @abc.abstractmethod
    def open_numbers(self) -> list[str]: ...

    @abc.abstractmethod
    def resolved_before(self, at: dt.datetime) -> list[str]: ...


class CaseRepository(AbstractCaseRepository):
    def __init__(self, connection: Connection):
        self._conn = connection
        self.seen: list[Case] = []

    # --- numbers ------------------------------------------------------------------

    def next_number(self, day: dt.date) -> str:
        """YYYYMMDD-NNNN, sequential per (Asia/Shanghai) day; more digits past 9,999.

        The upsert takes a row lock (PostgreSQL) or the write lock (SQLite), so two
        transactions creating cases at once get distinct numbers.
        """
        dialect = self._conn.dialect.name
        module = postgresql if dialect == "postgresql" else sqlite
        upsert = module.insert(case_counters).values(day=day, last=1)
        upsert = upsert.on_conflict_do_update(
            index_elements=[case_counters.c.day], set_={"last": case_counters.c.last + 1})
        self._conn.execute(upsert)
        last = self._conn.execute(
            select(case_counters.c.last).where(case_counters.c.day == day)).scalar_one()
        return f"{day:%Y%m%d}-{last:04d}"

    # --- aggregates --------------------------------------------------------------

    def add(self, case: Case) -> None:
        row = self._row(case)
        row["version"] = case.version = 1
        self._conn.execute(insert(cases).values(**row))
        self._write_children(case)
        self.seen.append(case)

    def by_submission(self, key: str) -> Case | None:
        """The case a confirmation filed (its key: the conversation and the turn)."""
        number = self._conn.execute(
            select(cases.c.number).where(cases.c.submission_key == key)).scalar_one_or_none()
        return self.get(number) if number else None

    def get(self, number: str) -> Case | None:
        row = self._conn.execute(select(cases).where(cases.c.number == number)).mappings().first()
        if row is None:
            return None
        case = self._case(row)
        case.history = [
            HistoryEntry(_aware(h.at), h.actor_id, h.actor_role, h.action, h.from_state,
                         h.to_state, h.note)
            for h in self._conn.execute(
                select(case_history).where(case_history.c.case_number == number)
                .order_by(case_history.c.id))
        ]
        case.followers = set(self._conn.execute(
            select(case_followers.c.resident_id).where(case_followers.c.case_number == number)
        ).scalars())
        case._loaded_history = len(case.history)
        case._loaded_followers = set(case.followers)
        self.seen.append(case)
        return case

    def save(self, case: Case) -> None:
        """Write a changed case; fails with ConcurrentUpdate when someone saved it first."""
        row = self._row(case)
        row["version"] = case.version + 1
        done = self._conn.execute(
            update(cases).where(and_(cases.c.number == case.number,
                                     cases.c.version == case.version)).values(**row))
        if done.rowcount != 1:
            raise ConcurrentUpdate(f"case {case.number} was changed by someone else")
        case.version += 1
        self._write_children(case)

    def _write_children(self, case: Case) -> None:
        """Append the history lines and followers the store has not seen yet.

        What was loaded or written is remembered on the object, so saving twice in one
        unit of work writes each line once.
        """
        new_history = case.history[getattr(case, "_loaded_history", 0):]
        if new_history:
            self._conn.execute(insert(case_history), [
                {"case_number": case.number, "at": _naive_utc(h.at), "actor_id": h.actor_id,
                 "actor_role": h.actor_role, "action": h.action, "from_state": h.from_state,
                 "to_state": h.to_state, "note": h.note}
                for h in new_history
            ])
        new_followers = case.followers - getattr(case, "_loaded_followers", set())
        if new_followers:
            self._conn.execute(insert(case_followers), [
                {"case_number": case.number, "resident_id": r} for r in sorted(new_followers)])
        case._loaded_followers = set(case.followers)
        case._loaded_history = len(case.history)

    @staticmethod
    def _row(case: Case) -> dict:
        row = {name: _naive_utc(getattr(case, name)) for name in _SCALARS}
        row["state"] = case.state.value
        row["informed_ids"] = ",".join(case.informed_ids)
        return row

    @staticmethod
    def _case(row) -> Case:
        values = {name: _aware(row[name]) for name in _SCALARS}
        return Case(**values, state=State(row["state"]),
                    informed_ids=tuple(filter(None, row["informed_ids"].split(","))),
                    version=row["version"])

    # --- queries -----------------------------------------------------------------

    def list_for_resident(self, resident_id: str, limit: int = 20) -> list[Case]:
        """The resident's own and followed cases, newest first, without their history.

        One query: a list needs states and deadlines, not every history line.
        """
        # Two indexed lookups in a union: an OR across the two would scan every case.
        own = select(cases).where(cases.c.reporter_id == resident_id)
        followed = select(cases).join(
            case_followers, case_followers.c.case_number == cases.c.number
        ).where(case_followers.c.resident_id == resident_id)
        both = own.union_all(followed).subquery()
        rows = self._conn.execute(
            select(both).order_by(both.c.created_at.desc()).limit(limit)).mappings()
        found = [self._case(r) for r in rows]
        if found:
            followers = self._conn.execute(
                select(case_followers.c.case_number)
                .where(case_followers.c.resident_id == resident_id,
                       case_followers.c.case_number.in_([c.number for c in found]))).scalars()
            for number in set(followers):
                next(c for c in found if c.number == number).followers.add(resident_id)
        return found

    def open_in_grid(self, grid_id: str | None, category: str) -> list[Case]:
        rows = self._conn.execute(
            select(cases).where(cases.c.grid_id == grid_id, cases.c.category == category,
                                cases.c.state.in_([s.value for s in OPEN]))
            .order_by(cases.c.created_at.desc()).limit(50)).mappings()
        return [self._case(r) for r in rows]

    def list_for_staff(self, *, grid_id: str | None = None, state: str | None = None,
                       assignee_id: str | None = None, limit: int = 50) -> list[Case]:
        """Cases by grid, state and assignee, newest first, without their history.

        The grid and the state each narrow an indexed lookup (ix_cases_grid_dispatched,
        ix_cases_state); the assignee filters what those find.
        """
        conditions = []
        if grid_id is not None:
            conditions.append(cases.c.grid_id == grid_id)
        if state is not None:
            conditions.append(cases.c.state == state)
        if assignee_id is not None:
            conditions.append(cases.c.assignee_id == assignee_id)
        rows = self._conn.execute(
            select(cases).where(*conditions)
            .order_by(cases.c.created_at.desc(), cases.c.number.desc())
            .limit(max(1, limit))).mappings()
        return [self._case(r) for r in rows]

    def open_by_deadline(self, *, assignee_id: str | None = None,
                         grid_ids: list[str] | None = None, limit: int = 50) -> list[Case]:
        """Open cases, soonest next deadline first, without their history: all of
        them, those assigned to one staff member, or those in some grids.

        The next deadline is Case.next_deadline's: sign for until signed, then
        contact until contacted, then resolve (an open case is not resolved).
        """
        c = cases.c
        conditions = [c.state.in_([s.value for s in OPEN])]
        if assignee_id is not None:
            conditions.append(c.assignee_id == assignee_id)
        if grid_ids is not None:
            conditions.append(c.grid_id.in_(list(grid_ids)))
        next_due = case((c.signed_at.is_(None), c.sign_due),
                        (c.contacted_at.is_(None), c.contact_due), else_=c.resolve_due)
        rows = self._conn.execute(
            select(cases).where(*conditions)
            .order_by(next_due.is_(None), next_due, c.number)  # never dispatched: last
            .limit(max(1, limit))).mappings()
        return [self._case(r) for r in rows]

    def open_numbers(self) -> list[str]:
        return self._numbers(cases.c.state.in_([s.value for s in OPEN]))

    def resolved_before(self, at: dt.datetime) -> list[str]:
        return self._numbers(cases.c.state == State.RESOLVED.value,
                             cases.c.resolved_at <= _naive_utc(at))

    def _numbers(self, *conditions) -> list[str]:
        query = select(cases.c.number).where(*conditions).order_by(cases.c.number)
        return list(self._conn.execute(query).scalars())

    def count(self) -> int:
        return self._conn.execute(select(func.count()).select_from(cases)).scalar_one()


class OutboxRepository:
    def __init__(self, connection: Connection):
        self._conn = connection

    def add(self, event) -> int:
        """Write one event (a CaseEvent or civic.domain.events.Event); its outbox id."""
        done = self._conn.execute(insert(outbox).values(
            name=event.name, case_number=getattr(event, "case_number", None),
            at=_naive_utc(event.at),
            payload=json.dumps(event.data, ensure_ascii=False, default=str),
            resident_id=event.data.get("resident_id") if event.name != FOLLOWED else None))
        return done.inserted_primary_key[0]


def rate_counts(connection: Connection, *, grid_id=None, community_id=None, category=None,
                start: dt.datetime | None = None, end: dt.datetime | None = None) -> dict:
    """Counts behind the three rates, for cases dispatched in [start, end)."""
    c = cases.c
    conditions = [c.dispatched_at.isnot(None)]
    if grid_id:
        conditions.append(c.grid_id == grid_id)
    if community_id:
        conditions.append(c.community_id == community_id)
    if category:
        conditions.append(c.category == category)
    if start:
        conditions.append(c.dispatched_at >= _naive_utc(start))
    if end:
        conditions.append(c.dispatched_at < _naive_utc(end))
    responded = and_(c.signed_at <= c.sign_due, c.contacted_at <= c.contact_due)
    row = connection.execute(select(
        func.count().label("dispatched"),
        func.coalesce(func.sum(case((responded, 1), else_=0)), 0).label("responded"),
        func.coalesce(func.sum(case((c.solved.isnot(None), 1), else_=0)), 0).label("rated"),
        func.coalesce(func.sum(case((c.solved.is_(True), 1), else_=0)), 0).label("solved"),
        func.coalesce(func.sum(case((c.satisfaction.in_(["satisfied", "basically_satisfied"]), 1),
                                    else_=0)), 0).label("satisfied"),
    ).where(*conditions)).mappings().one()
    return {k: int(v) for k, v in row.items()}
