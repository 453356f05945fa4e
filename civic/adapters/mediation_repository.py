"""mediation in the store (filled in by the mediation work)."""
from __future__ import annotations

from sqlalchemy.engine import Connection


class BookingRepository:
    def __init__(self, connection: Connection):
        self._conn = connection
