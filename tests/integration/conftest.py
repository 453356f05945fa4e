"""Stores for integration tests: a SQLite file and this machine's PostgreSQL.

The schema is built by running the Alembic migrations once per session (so they are
tested too; tests/integration/test_migrations.py migrates stores of its own): SQLite
tests copy the migrated file, PostgreSQL tests share one schema per run whose tables are
emptied before each test. PostgreSQL tests skip, saying why, when no server answers.
"""
from __future__ import annotations

import shutil

import pytest
from sqlalchemy import text

import pg_support
from civic.adapters import migrate
from civic.adapters.database import make_engine
from civic.bootstrap import Civic, load_services

POSTGRES_URL = pg_support.POSTGRES_URL


@pytest.fixture(scope="session")
def services():
    return load_services()


def _postgres_engine():
    admin = pg_support.admin_or_skip()
    schema = pg_support.new_schema(admin)
    from sqlalchemy import create_engine

    engine = create_engine(POSTGRES_URL, future=True, pool_size=60, max_overflow=10,
                           isolation_level="READ COMMITTED",
                           connect_args={"options": f"-csearch_path={schema}"})
    return admin, engine, schema


@pytest.fixture(scope="session")
def migrated_schema_sqlite(tmp_path_factory):
    """A SQLite file migrated once per session (schema only): each test copies it."""
    path = tmp_path_factory.mktemp("schema") / "civic.db"
    engine = make_engine(f"sqlite:///{path}")
    migrate.upgrade(engine)
    engine.dispose()  # the last close folds the WAL into the file
    return path


@pytest.fixture(scope="session")
def migrated_schema_postgres():
    """A PostgreSQL schema migrated once per session; each test starts from empty tables."""
    admin, engine, schema = _postgres_engine()
    migrate.upgrade(engine)
    yield engine
    engine.dispose()
    with admin.begin() as conn:
        conn.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
    admin.dispose()


def emptied(engine):
    from civic.adapters.schema import metadata

    names = ", ".join(f'"{table.name}"' for table in metadata.sorted_tables)
    with engine.begin() as conn:
        conn.execute(text(f"TRUNCATE {names} RESTART IDENTITY CASCADE"))
    return engine


@pytest.fixture(params=["sqlite", "postgresql"])
def civic(request, tmp_path, services, migrated_schema_sqlite):
    """An empty migrated store of this test's own: a copy of the session's SQLite file, or
    the session's PostgreSQL schema with every table emptied."""
    if request.param == "sqlite":
        path = tmp_path / "civic.db"
        shutil.copyfile(migrated_schema_sqlite, path)
        engine = make_engine(f"sqlite:///{path}")
        yield Civic(engine=engine, services=services)
        engine.dispose()
        return
    engine = emptied(request.getfixturevalue("migrated_schema_postgres"))
    yield Civic(engine=engine, services=services)


@pytest.fixture(params=["sqlite", "postgresql"])
def migrated_here(request, tmp_path, services):
    """A store migrated by this very test (for the tests of the migrations themselves)."""
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
