"""Fixtures of the scheduler tests: an application on a fresh SQLite store whose clock
the test sets, and a migrated PostgreSQL schema of their own (skipped, saying why,
when no server answers at TEST_POSTGRES_URL)."""
from __future__ import annotations


import pytest

import pg_support
from bot import jobs
from bot.app import build_application
from scheduler_support import Clock, Inboxes, shanghai

POSTGRES_URL = pg_support.POSTGRES_URL


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
    """(url, connect_args, engine maker, admin engine, schema) of a migrated schema of
    this test's own."""
    with pg_support.postgres_schema() as (engine, admin, schema, connect_args):
        yield POSTGRES_URL, connect_args, engine, admin, schema
