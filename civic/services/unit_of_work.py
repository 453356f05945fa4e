"""A unit of work: one transaction; rolls back unless committed explicitly.

Committing writes the events that the cases it touched recorded into the outbox,
and a delivery for each recipient of each (civic.domain.recipients), in the same
transaction, so nothing is pushed that was not committed and nothing committed is
left unpushed.
"""
from __future__ import annotations

from sqlalchemy.engine import Engine
from sqlalchemy.exc import OperationalError

from civic.adapters.accounts_repository import AccountRepository
from civic.adapters.deliveries_repository import DeliveryRepository
from civic.adapters.erasure_repository import ErasureRepository
from civic.adapters.evidence_repository import EvidenceRepository
from civic.adapters.handoff_repository import HandoffRepository
from civic.adapters.mediation_repository import BookingRepository
from civic.adapters.points_repository import PointsRepository
from civic.adapters.repository import CaseRepository, OutboxRepository
from civic.domain.errors import ConcurrentUpdate
from civic.domain.recipients import recipients


class UnitOfWork:
    def __init__(self, engine: Engine, read_only: bool = False):
        self._engine = engine
        self.read_only = read_only

    def __enter__(self) -> UnitOfWork:
        self._conn = self._engine.connect()
        if self.read_only:
            # SQLite: a deferred BEGIN, so a reader never waits for or holds the write lock.
            self._conn.execution_options(read_only=True)
        self._tx = self._conn.begin()
        self.cases = CaseRepository(self._conn)
        self.outbox = OutboxRepository(self._conn)
        self.points = PointsRepository(self._conn)
        self.bookings = BookingRepository(self._conn)
        self.accounts = AccountRepository(self._conn)
        self.handoffs = HandoffRepository(self._conn)
        self.deliveries = DeliveryRepository(self._conn)
        self.evidence = EvidenceRepository(self._conn)
        self.erasure = ErasureRepository(self._conn)
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
        if self.read_only:
            raise RuntimeError("a read-only unit of work cannot commit")
        # A case's recipients are read from the case as it is committed (reporter,
        # followers, history) and the event's payload; other events name theirs.
        for case in {id(c): c for c in self.cases.seen}.values():
            self._publish(case.events, case)
        self._publish(self.events, None)
        try:
            self._tx.commit()
        except OperationalError as error:  # serialisation failures and deadlocks
            raise ConcurrentUpdate(str(error.orig)) from error
        for case in self.cases.seen:
            case.events.clear()
        self.events = []

    def _publish(self, events: list, case) -> None:
        for event in events:
            event_id = self.outbox.add(event)
            self.deliveries.add(event_id, recipients(event.name, event.data, case))
