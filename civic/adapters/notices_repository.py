"""What each recipient has been shown of the outbox: one cursor per recipient."""
from __future__ import annotations

import json

from sqlalchemy import or_, select, update, insert
from sqlalchemy.engine import Connection

from civic.adapters.tables import notice_cursors, outbox


class NoticeRepository:
    def __init__(self, connection: Connection):
        self._conn = connection

    def cursor(self, recipient_id: str) -> int:
        value = self._conn.execute(select(notice_cursors.c.last_event_id)
                                   .where(notice_cursors.c.recipient_id == recipient_id)).scalar()
        return value or 0

    def advance(self, recipient_id: str, last_event_id: int) -> None:
        done = self._conn.execute(update(notice_cursors)
                                  .where(notice_cursors.c.recipient_id == recipient_id,
                                         notice_cursors.c.last_event_id < last_event_id)
                                  .values(last_event_id=last_event_id)).rowcount
        if not done and not self.cursor(recipient_id):
            self._conn.execute(insert(notice_cursors).values(recipient_id=recipient_id,
                                                             last_event_id=last_event_id))

    def events_after(self, event_id: int, *, resident_id: str, case_numbers: list[str],
                     limit: int = 50) -> list[dict]:
        concerns = outbox.c.resident_id == resident_id
        if case_numbers:
            concerns = or_(concerns, outbox.c.case_number.in_(case_numbers))
        rows = self._conn.execute(select(outbox).where(outbox.c.id > event_id, concerns)
                                  .order_by(outbox.c.id).limit(limit)).mappings()
        return [dict(r, payload=json.loads(r["payload"])) for r in rows]
