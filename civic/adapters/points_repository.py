"""points in the store (filled in by the points work)."""
from __future__ import annotations

from sqlalchemy.engine import Connection


class PointsRepository:
    def __init__(self, connection: Connection):
        self._conn = connection
