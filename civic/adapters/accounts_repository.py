"""accounts in the store (filled in by the accounts work)."""
from __future__ import annotations

from sqlalchemy.engine import Connection


class AccountRepository:
    def __init__(self, connection: Connection):
        self._conn = connection
