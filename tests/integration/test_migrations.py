"""The migrations build exactly the schema the code maps, and leave others' tables alone."""

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import text

from civic.adapters.migrate import MIGRATIONS
from civic.adapters.schema import metadata


def include_object():
    source = (MIGRATIONS / "env.py").read_text()
    namespace = {}
    # env.py runs migrations when imported; take only its filter.
    exec(source.split("def run_migrations_online")[0], namespace)
    return namespace["include_object"]


def test_the_migrated_schema_matches_the_tables_in_code(migrated_here):
    with migrated_here.engine.connect() as conn:
        context = MigrationContext.configure(conn, opts={"compare_type": True})
        assert compare_metadata(context, metadata) == []


def test_autogenerate_ignores_rasa_and_apscheduler_tables(migrated_here):
    with migrated_here.engine.begin() as conn:
        conn.execute(text("CREATE TABLE events (id INTEGER PRIMARY KEY)"))
        conn.execute(text("CREATE TABLE apscheduler_jobs (id VARCHAR(191) PRIMARY KEY)"))
    with migrated_here.engine.connect() as conn:
        context = MigrationContext.configure(
            conn, opts={"compare_type": True, "include_object": include_object()})
        assert compare_metadata(context, metadata) == []
