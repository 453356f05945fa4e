"""Stores for integration tests: a SQLite file and this machine's PostgreSQL.

The schema is built by running the Alembic migrations, so they are tested too.
PostgreSQL tests use a schema of their own per run and skip, saying why, when no
server answers.
"""
from __future__ import annotations

import os
import uuid

import pytest
from sqlalchemy import text

from civic.adapters import migrate
from civic.adapters.database import make_engine
from civic.bootstrap import Civic, load_services

POSTGRES_URL = os.environ.get("TEST_POSTGRES_URL", "postgresql://postgres@127.0.0.1:5432/test")


@pytest.fixture(scope="session")
def services():
    return load_services()


def _postgres_engine():
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
    from sqlalchemy import create_engine

    engine = create_engine(POSTGRES_URL, future=True, pool_size=60, max_overflow=10,
                           isolation_level="READ COMMITTED",
                           connect_args={"options": f"-csearch_path={schema}"})
    return admin, engine, schema


@pytest.fixture(params=["sqlite", "postgresql"])
def civic(request, tmp_path, services):
    if request.param == "sqlite":
        engine = make_engine(f"sqlite:///{tmp_path / 'civic.db'}")
        migrate.upgrade(engine)
        yield Civic(engine=engine, services=services)
        engine.dispose()
        return
    admin, engine, schema = _postgres_engine()
    migrate.upgrade(engine)
    yield Civic(engine=engine, services=services)
    engine.dispose()
    with admin.begin() as conn:
        conn.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
    admin.dispose()


@pytest.fixture
def postgres(civic):
    if civic.engine.dialect.name != "postgresql":
        pytest.skip("this race is specified on PostgreSQL")
    return civic
