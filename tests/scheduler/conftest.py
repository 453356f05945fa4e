"""Fixtures of the scheduler tests: an application on a fresh SQLite store whose clock
the test sets, and a migrated PostgreSQL schema of their own (skipped, saying why,
when no server answers at TEST_POSTGRES_URL)."""
from __future__ import annotations

import os
import uuid

import pytest
from sqlalchemy import create_engine, text

from bot import jobs
from bot.app import build_application
from civic.adapters import migrate
from civic.adapters.database import make_engine
from scheduler_support import Clock, Inboxes, shanghai

POSTGRES_URL = os.environ.get("TEST_POSTGRES_URL", "postgresql://postgres@127.0.0.1:5432/test")


@pytest.fixture
def clock():
    return Clock(shanghai(2026, 11, 18, 10, 0))  # a Wednesday, in office hours


@pytest.fixture
def app(fresh_store, clock):
    application = build_application(civic=fresh_store, agent=object(), clock=clock)  # no dialogue here
    jobs.use(application)
    yield application
    jobs.use(None)
    from actions import runtime
    runtime.configure(None)


@pytest.fixture
def inboxes(app):
    return Inboxes(app)


@pytest.fixture
def postgres():
    """(url, connect_args, engine maker) of a migrated schema of this test's own."""
    admin = make_engine(POSTGRES_URL)
    try:
        with admin.connect() as conn:
            conn.execute(text("SELECT 1"))
    except Exception as error:  # no server here: say so and skip
        admin.dispose()
        pytest.skip(f"PostgreSQL at {POSTGRES_URL} does not answer ({error.__class__.__name__})")
    schema = f"test_{uuid.uuid4().hex[:10]}"
    with admin.begin() as conn:
        conn.execute(text(f'CREATE SCHEMA "{schema}"'))
    connect_args = {"options": f"-csearch_path={schema}"}
    engines = []

    def engine():
        made = create_engine(POSTGRES_URL, future=True, pool_pre_ping=True, isolation_level="READ COMMITTED",
                             connect_args=connect_args)
        engines.append(made)
        return made

    try:
        migrate.upgrade(engine())
        yield POSTGRES_URL, connect_args, engine, admin, schema
    finally:
        for made in engines:
            made.dispose()
        with admin.begin() as conn:
            conn.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
        admin.dispose()
