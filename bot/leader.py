"""One leader per store: a PostgreSQL session advisory lock on a connection kept open.

The dispatcher (bot/delivery_loop.py) and the scheduler (bot/scheduler.py) each run in
one bot process at a time: the one holding their lock. On SQLite the store is a file on
one machine, where one bot process runs: it always leads (``NoLock``).
"""
from __future__ import annotations

import asyncio
import contextlib
import logging

from sqlalchemy import text
from sqlalchemy.engine import Connection, Engine
from sqlalchemy.exc import DBAPIError

log = logging.getLogger(__name__)


async def until_stopped(stop: asyncio.Event, seconds: float) -> None:
    """Wait ``seconds``, or less when ``stop`` is set meanwhile: the pause of a loop that
    runs until the process stops (the dispatcher, the scheduler, the staff group's feeds)."""
    with contextlib.suppress(asyncio.TimeoutError):
        await asyncio.wait_for(stop.wait(), seconds)


class NoLock:
    """SQLite: the store is a file on this machine, where one bot process runs."""

    engine = None
    fresh = False

    def hold(self) -> bool:
        return True

    def release(self) -> None:
        pass


class AdvisoryLock:
    """``pg_try_advisory_lock(lock_class, hashtext(current_schema()))`` on a connection of
    its own. ``hold()`` checks the connection when the lock is held (a session lock lives
    exactly as long as its connection), else tries to take it; False when another session
    holds it or the server does not answer. ``what`` names the leader in the log."""

    def __init__(self, engine: Engine, lock_class: int, what: str, *, dispose: bool = False):
        self.engine, self.lock_class, self.what = engine, lock_class, what
        self._dispose = dispose  # the engine is the lock's own: closed with the lock
        self._conn: Connection | None = None
        self.fresh = False  # taken by the last hold(), not yet led under

    @property
    def held(self) -> bool:
        return self._conn is not None

    def hold(self) -> bool:
        if self._conn is not None:
            try:
                self._conn.execute(text("SELECT 1"))
                return True
            except DBAPIError as error:
                log.warning("the %s lock's connection dropped: %s", self.what, type(error).__name__)
                self._discard()
        try:
            conn = self.engine.connect().execution_options(isolation_level="AUTOCOMMIT")
        except DBAPIError as error:
            log.warning("no store to take the %s lock in: %s", self.what, type(error).__name__)
            return False
        try:
            got = conn.execute(text("SELECT pg_try_advisory_lock(:class, hashtext(current_schema()))"),
                               {"class": self.lock_class}).scalar()
        except DBAPIError:
            conn.invalidate()
            conn.close()
            return False
        if not got:
            conn.close()
            return False
        self._conn, self.fresh = conn, True
        log.info("this process holds the %s lock", self.what)
        return True

    def release(self) -> None:
        if self._conn is not None:
            try:
                self._conn.execute(text("SELECT pg_advisory_unlock(:class, hashtext(current_schema()))"),
                                   {"class": self.lock_class})
                self._conn.close()
                self._conn = None
            except DBAPIError:
                self._discard()
        if self._dispose:
            self.engine.dispose()

    def _discard(self) -> None:
        """Close for good, never back to the pool (a pooled session would keep the lock)."""
        conn, self._conn = self._conn, None
        with contextlib.suppress(Exception):
            conn.invalidate()
        with contextlib.suppress(Exception):
            conn.close()
