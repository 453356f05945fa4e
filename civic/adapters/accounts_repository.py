"""Residents and staff links in the store."""
from __future__ import annotations

from sqlalchemy import delete, insert, select, update
from sqlalchemy.engine import Connection

from civic.adapters.repository import _aware, _naive_utc
from civic.adapters.tables_accounts import link_codes, residents, staff_links
from civic.domain.accounts import LinkCode, Resident

_RESIDENT_FIELDS = ("display_name", "household_address", "phone", "consent_at")
_CODE_FIELDS = ("staff_id", "issued_by", "issued_at", "expires_at", "used_at", "used_by")


class AccountRepository:
    def __init__(self, connection: Connection):
        self._conn = connection

    def resident(self, resident_id: str) -> Resident | None:
        row = self._conn.execute(
            select(residents).where(residents.c.id == resident_id)).mappings().first()
        if row is None:
            return None
        return Resident(id=row["id"], **{f: _aware(row[f]) for f in _RESIDENT_FIELDS})

    def save_resident(self, resident: Resident) -> None:
        values = {f: _naive_utc(getattr(resident, f)) for f in _RESIDENT_FIELDS}
        done = self._conn.execute(
            update(residents).where(residents.c.id == resident.id).values(**values))
        if done.rowcount == 0:
            self._conn.execute(insert(residents).values(id=resident.id, **values))

    def add_code(self, code: LinkCode) -> None:
        self._conn.execute(insert(link_codes).values(
            code=code.code, **{f: _naive_utc(getattr(code, f)) for f in _CODE_FIELDS}))

    def code(self, code: str) -> LinkCode | None:
        row = self._conn.execute(
            select(link_codes).where(link_codes.c.code == code).with_for_update()).mappings().first()
        if row is None:
            return None
        return LinkCode(code=row["code"], **{f: _aware(row[f]) for f in _CODE_FIELDS})

    def use_code(self, code: LinkCode) -> bool:
        """Mark used unless someone used it first (the code works once)."""
        done = self._conn.execute(
            update(link_codes).where(link_codes.c.code == code.code, link_codes.c.used_at.is_(None))
            .values(used_at=_naive_utc(code.used_at), used_by=code.used_by))
        return done.rowcount == 1

    def link_staff(self, staff_id: str, telegram_id: int, at) -> None:
        self._conn.execute(delete(staff_links).where(
            (staff_links.c.staff_id == staff_id) | (staff_links.c.telegram_id == telegram_id)))
        self._conn.execute(insert(staff_links).values(
            staff_id=staff_id, telegram_id=telegram_id, linked_at=_naive_utc(at)))

    def staff_id_for(self, telegram_id: int) -> str | None:
        return self._conn.execute(
            select(staff_links.c.staff_id).where(staff_links.c.telegram_id == telegram_id)
        ).scalar_one_or_none()

    def telegram_id_for(self, staff_id: str) -> int | None:
        """The Telegram account a staff member linked, if any (a private chat with the bot)."""
        return self._conn.execute(
            select(staff_links.c.telegram_id).where(staff_links.c.staff_id == staff_id)
        ).scalar_one_or_none()

    # --- residents the bot cannot reach (they blocked it): for staff to see ------------

    def mark_unreachable(self, resident_id: str, at, why: str) -> None:
        """Telegram refused a message to them. Kept on the resident's row, made if missing
        (a resident who never gave their data is still someone's reporter)."""
        values = {"unreachable_at": _naive_utc(at), "unreachable_why": why[:500]}
        done = self._conn.execute(update(residents).where(residents.c.id == resident_id).values(**values))
        if done.rowcount == 0:
            self._conn.execute(insert(residents).values(id=resident_id, **values))

    def mark_reachable(self, resident_id: str) -> bool:
        """They wrote to the bot again (which also unblocks it on Telegram's side)."""
        return self._conn.execute(
            update(residents).where(residents.c.id == resident_id, residents.c.unreachable_at.isnot(None))
            .values(unreachable_at=None, unreachable_why=None)).rowcount == 1

    def unreachable(self, resident_id: str):
        """(since, why) when the resident cannot be reached, else None."""
        row = self._conn.execute(
            select(residents.c.unreachable_at, residents.c.unreachable_why)
            .where(residents.c.id == resident_id, residents.c.unreachable_at.isnot(None))).first()
        return (_aware(row.unreachable_at), row.unreachable_why) if row else None
