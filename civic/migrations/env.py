"""Alembic environment: the URL comes from the application's configuration."""
from alembic import context
from sqlalchemy import text

from civic.adapters.database import make_engine
from civic.adapters.schema import metadata

# Tables that belong to Rasa's tracker store or APScheduler's job store share the
# database; autogenerate must neither drop nor create them.
FOREIGN_TABLES = {"events", "apscheduler_jobs"}


def include_object(obj, name, type_, reflected, compare_to):
    return not (type_ == "table" and name in FOREIGN_TABLES)


def run_migrations_online() -> None:
    config = context.config
    connectable = config.attributes.get("connection")
    if connectable is None:
        engine = make_engine(config.get_main_option("sqlalchemy.url") or None)
        with engine.connect() as connection:
            _run(connection)
        engine.dispose()
    else:
        _run(connectable)


def _run(connection) -> None:
    context.configure(connection=connection, target_metadata=metadata,
                      include_object=include_object, compare_type=True)
    with context.begin_transaction():
        if connection.dialect.name == "postgresql":
            # Two processes starting at once must not both migrate.
            connection.execute(text("SELECT pg_advisory_xact_lock(727001)"))
        context.run_migrations()


run_migrations_online()
