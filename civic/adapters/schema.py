"""Every table of the store on one MetaData (Alembic and the tests compare against it)."""
from civic.adapters import tables
from civic.adapters import tables_mediation  # noqa: F401
from civic.adapters import tables_accounts  # noqa: F401
from civic.adapters import tables_points  # noqa: F401
from civic.adapters import tables_channels  # noqa: F401
from civic.adapters import tables_handoff  # noqa: F401
from civic.adapters import tables_evidence  # noqa: F401
from civic.adapters import tables_reminders  # noqa: F401
from civic.adapters.tables import metadata

__all__ = ["metadata", "tables"]
