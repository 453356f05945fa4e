"""One engine per process, configured for the store it talks to."""
from __future__ import annotations

import os
from pathlib import Path

from sqlalchemy import create_engine, event
from sqlalchemy.pool import QueuePool
from sqlalchemy.engine import Engine

ROOT = Path(__file__).resolve().parents[2]
DEFAULT_URL = f"sqlite:///{ROOT / 'civic.db'}"
SQLITE_BUSY_TIMEOUT_MS = 10_000


def database_url() -> str:
    return os.environ.get("DATABASE_URL") or DEFAULT_URL


def make_engine(url: str | None = None) -> Engine:
    url = url or database_url()
    if url.startswith("sqlite"):
        args = {"timeout": SQLITE_BUSY_TIMEOUT_MS / 1000}
        pooling = {}
        if _file_database(url):
            # SQLAlchemy 1.4 opens a new file connection per checkout (NullPool): with the
            # pragmas that is about a millisecond each, several times a turn. A pool keeps them.
            args["check_same_thread"] = False
            pooling = {"poolclass": QueuePool, "pool_size": 5, "max_overflow": 10}
        engine = create_engine(url, future=True, connect_args=args, **pooling)
        event.listen(engine, "connect", _sqlite_pragmas)
        # pysqlite's own transaction handling defers BEGIN; take it over so that a
        # transaction that will write takes the lock at BEGIN (no lost updates).
        event.listen(engine, "begin", _sqlite_begin)
        return engine
    return create_engine(url, future=True, pool_size=10, max_overflow=10, pool_pre_ping=True,
                         isolation_level="READ COMMITTED")


def _file_database(url: str) -> bool:
    path = url.split("///", 1)[1] if "///" in url else ""
    return bool(path) and path != ":memory:" and "mode=memory" not in path


def _sqlite_begin(conn) -> None:
    # Readers (UnitOfWork(read_only=True)) begin deferred: WAL lets them read a snapshot
    # without the write lock, so a lookup never queues behind a writer.
    read_only = conn.get_execution_options().get("read_only")
    conn.exec_driver_sql("BEGIN" if read_only else "BEGIN IMMEDIATE")


def _sqlite_pragmas(dbapi_connection, _record) -> None:
    # The bot, the action server and the admin CLI share the file: WAL lets readers
    # go on while one writes, and the busy timeout makes writers wait, not fail.
    dbapi_connection.isolation_level = None
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute(f"PRAGMA busy_timeout={SQLITE_BUSY_TIMEOUT_MS}")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.close()
