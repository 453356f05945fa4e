"""A unit of work: one transaction; rolls back unless committed explicitly.

Committing writes the events that the cases it touched recorded into the outbox in
the same transaction, so nothing is pushed that was not committed and nothing
committed is left unpushed.
"""
from __future__ import annotations

from sqlalchemy.engine import Engine
from sqlalchemy.exc import OperationalError

from civic.adapters.accounts_repository import AccountRepository
from civic.adapters.mediation_repository import BookingRepository
from civic.adapters.notices_repository import NoticeRepository
from civic.adapters.points_repository import PointsRepository
from civic.adapters.repository import CaseRepository, OutboxRepository
from civic.domain.errors import ConcurrentUpdate


class UnitOfWork:
    def __init__(self, engine: Engine):
        self._engine = engine

    def __enter__(self) -> UnitOfWork:
        self._conn = self._engine.connect()
        self._tx = self._conn.begin()
        self.cases = CaseRepository(self._conn)
        self.outbox = OutboxRepository(self._conn)
        self.points = PointsRepository(self._conn)
        self.bookings = BookingRepository(self._conn)
        self.accounts = AccountRepository(self._conn)
        self.notices = NoticeRepository(self._conn)
        # Events of aggregates other than cases (bookings, points, accounts) are
        # appended here by handlers and written to the outbox on commit.
        self.events: list = []
        self.connection = self._conn
        return self

    def __exit__(self, *exc) -> None:
        if self._tx.is_active:
            self._tx.rollback()
        self._conn.close()

    def commit(self) -> None:
        for case in self.cases.seen:
            self.outbox.add(case.events)
        self.outbox.add(self.events)
        try:
            self._tx.commit()
        except OperationalError as error:  # serialisation failures and deadlocks
            raise ConcurrentUpdate(str(error.orig)) from error
        for case in self.cases.seen:
            case.events.clear()
        self.events = []
