"""A PostgreSQL schema of a test's own on TEST_POSTGRES_URL (the machine's server),
migrated, with a maker of engines on it; the test skips, saying why, when no server
answers."""
from __future__ import annotations

import contextlib
import os
import uuid

from sqlalchemy import create_engine, text

from civic.adapters import migrate
from civic.adapters.database import make_engine

POSTGRES_URL = os.environ.get("TEST_POSTGRES_URL", "postgresql://postgres@127.0.0.1:5432/test")


def admin_or_skip():
    """An engine on the server, or pytest.skip when none answers."""
    import pytest

    admin = make_engine(POSTGRES_URL)
    try:
        with admin.connect() as conn:
            conn.execute(text("SELECT 1"))
    except Exception as error:  # no server here: say so and skip
        admin.dispose()
        pytest.skip(f"PostgreSQL at {POSTGRES_URL} does not answer ({error.__class__.__name__})")
    return admin


def new_schema(admin) -> str:
    schema = f"test_{uuid.uuid4().hex[:10]}"
    with admin.begin() as conn:
        conn.execute(text(f'CREATE SCHEMA "{schema}"'))
    return schema


@contextlib.contextmanager
def postgres_schema(**engine_options):
    """(engine maker, admin engine, schema, connect_args) of a migrated schema; each call
    of the maker is another engine (one per 'process'), all disposed at the end."""
    admin = admin_or_skip()
    schema = new_schema(admin)
    connect_args = {"options": f"-csearch_path={schema}"}
    engines = []

    def engine():
        made = create_engine(POSTGRES_URL, future=True, pool_pre_ping=True, isolation_level="READ COMMITTED",
                             connect_args=connect_args, **engine_options)
        engines.append(made)
        return made

    try:
        migrate.upgrade(engine())
        yield engine, admin, schema, connect_args
    finally:
        for made in engines:
            made.dispose()
        with admin.begin() as conn:
            conn.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
        admin.dispose()
