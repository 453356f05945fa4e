"""An in-memory unit of work for testing the services where a database adds nothing
(Architecture Patterns with Python, chapter 6: FakeRepository, FakeUnitOfWork).

The fake keeps what the real store keeps and answers as it does: a loaded case is a
copy, so a change is seen only once saved; saving checks the version; commit moves
the events of every case seen (and the other aggregates' events) to the outbox;
nothing is kept without a commit.
"""
from __future__ import annotations

import copy
import dataclasses
import datetime as dt

from civic.adapters.repository import AbstractCaseRepository
from civic.domain.case import OPEN, Case, State
from civic.domain.errors import ConcurrentUpdate


class FakeCaseRepository(AbstractCaseRepository):
    def __init__(self, cases: dict[str, Case], counters: dict[dt.date, int]):
        self._cases, self._counters = cases, counters
        self.seen: list[Case] = []

    def next_number(self, day: dt.date) -> str:
        self._counters[day] = self._counters.get(day, 0) + 1
        return f"{day:%Y%m%d}-{self._counters[day]:04d}"

    def add(self, case: Case) -> None:
        case.version = 1
        self._cases[case.number] = _stored(case)
        self.seen.append(case)

    def get(self, number: str) -> Case | None:
        stored = self._cases.get(number)
        if stored is None:
            return None
        case = copy.deepcopy(stored)
        self.seen.append(case)
        return case

    def by_submission(self, key: str) -> Case | None:
        number = next((c.number for c in self._cases.values() if c.submission_key == key), None)
        return self.get(number) if number else None

    def save(self, case: Case) -> None:
        stored = self._cases.get(case.number)
        if stored is None or stored.version != case.version:
            raise ConcurrentUpdate(f"case {case.number} was changed by someone else")
        case.version += 1
        self._cases[case.number] = _stored(case)

    def list_for_resident(self, resident_id: str, limit: int = 20) -> list[Case]:
        found = [c for c in self._cases.values() if c.visible_to(resident_id)]
        return [copy.deepcopy(c) for c in sorted(found, key=lambda c: c.created_at, reverse=True)][:limit]

    def open_in_grid(self, grid_id: str | None, category: str) -> list[Case]:
        found = [c for c in self._open() if c.grid_id == grid_id and c.category == category]
        return sorted(found, key=lambda c: c.created_at, reverse=True)[:50]

    def open_by_deadline(self, *, assignee_id: str | None = None,
                         grid_ids: list[str] | None = None, limit: int = 50) -> list[Case]:
        found = [c for c in self._open()
                 if (assignee_id is None or c.assignee_id == assignee_id)
                 and (grid_ids is None or c.grid_id in grid_ids)]

        def soonest(case: Case):
            step = case.next_deadline()
            return (step is None, step[1] if step else None, case.number)

        return sorted(found, key=soonest)[:limit]

    def open_numbers(self) -> list[str]:
        return sorted(c.number for c in self._open())

    def resolved_before(self, at: dt.datetime) -> list[str]:
        return sorted(c.number for c in self._cases.values()
                      if c.state is State.RESOLVED and c.resolved_at <= at)

    def _open(self) -> list[Case]:
        return [copy.deepcopy(c) for c in self._cases.values() if c.state in OPEN]


def _stored(case: Case) -> Case:
    """What the store keeps: the case without the events it has not committed yet."""
    stored = copy.deepcopy(case)
    stored.events = []
    return stored


class FakeAccounts:
    """Resident profiles, as much of civic.adapters.accounts_repository as reports read."""

    def __init__(self, residents: dict):
        self._residents = residents

    def resident(self, resident_id: str):
        return copy.deepcopy(self._residents.get(resident_id))

    def save_resident(self, resident) -> None:
        self._residents[resident.id] = copy.deepcopy(resident)


class FakeEvidence:
    """Photos, as civic.adapters.evidence_repository keeps them."""

    def __init__(self, rows: list):
        self._rows = rows

    def find(self, resident_id: str, file_id: str):
        return next((r for r in self._rows if (r.resident_id, r.file_id) == (resident_id, file_id)), None)

    def add(self, *, resident_id, file_id, received_at, case_number=None, kind="photo") -> int:
        from civic.adapters.evidence_repository import Evidence

        self._rows.append(Evidence(len(self._rows) + 1, resident_id, kind, file_id, received_at, case_number,
                                   received_at if case_number else None))
        return len(self._rows)

    def pending(self, resident_id: str, since: dt.datetime) -> list:
        return [r for r in self._rows
                if r.resident_id == resident_id and r.case_number is None and r.received_at >= since]

    def attach(self, ids: list[int], case_number: str, at: dt.datetime) -> None:
        self._rows[:] = [dataclasses.replace(r, case_number=case_number, attached_at=at)
                         if r.id in ids and r.case_number is None else r for r in self._rows]

    def for_case(self, case_number: str) -> list:
        return [r for r in self._rows if r.case_number == case_number]


class FakeStore:
    """What outlives a unit of work: the committed cases, profiles, photos and outbox."""

    def __init__(self):
        self.cases: dict[str, Case] = {}
        self.counters: dict[dt.date, int] = {}
        self.residents: dict = {}
        self.evidence: list = []
        self.outbox: list = []


class FakeUnitOfWork:
    def __init__(self, store: FakeStore | None = None):
        self.store = store or FakeStore()
        self.commits = 0

    def __enter__(self) -> FakeUnitOfWork:
        # Work on copies, so that leaving without a commit keeps nothing.
        self._cases, self._counters = dict(self.store.cases), dict(self.store.counters)
        self._residents = dict(self.store.residents)
        self._evidence = list(self.store.evidence)
        self.cases = FakeCaseRepository(self._cases, self._counters)
        self.accounts = FakeAccounts(self._residents)
        self.evidence = FakeEvidence(self._evidence)
        self.events: list = []
        return self

    def __exit__(self, *exc) -> None:
        pass

    def commit(self) -> None:
        for case in {id(c): c for c in self.cases.seen}.values():
            self.store.outbox.extend(case.events)
            case.events = []
        self.store.outbox.extend(self.events)
        self.events = []
        self.store.cases, self.store.counters = dict(self._cases), dict(self._counters)
        self.store.residents = dict(self._residents)
        self.store.evidence = list(self._evidence)
        self.commits += 1
