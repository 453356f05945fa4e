"""Residents (known by their Telegram account) and staff account links."""
from __future__ import annotations

import dataclasses
import datetime as dt
import re
import secrets

from civic.domain.errors import DomainError

MOBILE = re.compile(r"1[3-9]\d{9}")
LINK_CODE_LIFETIME = dt.timedelta(hours=24)
CODE_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"  # no 0/O or 1/I
# What stands for a resident who erased their data, in the records the street office
# keeps (cases, history, outbox, ledger): one random marker per erasure, linked to
# nothing, so the records still add up without saying whose they were.
ERASED_PREFIX = "erased:"


def erased_marker() -> str:
    return ERASED_PREFIX + secrets.token_hex(6)


def is_erased_marker(resident_id: str | None) -> bool:
    return bool(resident_id) and resident_id.startswith(ERASED_PREFIX)


class InvalidPhone(DomainError):
    """Not a mainland mobile number."""


def mobile_number(phone: str | None) -> str:
    """A mainland mobile number as 11 digits (spaces and dashes dropped), or InvalidPhone."""
    digits = re.sub(r"[\s-]", "", phone or "")
    if not MOBILE.fullmatch(digits):
        raise InvalidPhone(phone)
    return digits


class InvalidLinkCode(DomainError):
    """Unknown, expired or already used link code (one answer for all three)."""


@dataclasses.dataclass
class Resident:
    id: str
    display_name: str | None
    household_address: str | None = None
    phone: str | None = None
    consent_at: dt.datetime | None = None

    def change_address(self, address: str) -> None:
        address = (address or "").strip()
        if not address:
            raise DomainError("an address cannot be empty")
        self.household_address = address

    def set_phone(self, phone: str) -> None:
        self.phone = mobile_number(phone)


@dataclasses.dataclass
class LinkCode:
    code: str
    staff_id: str
    issued_by: str
    issued_at: dt.datetime
    expires_at: dt.datetime
    used_at: dt.datetime | None = None
    used_by: int | None = None

    def use(self, telegram_id: int, at: dt.datetime) -> None:
        if self.used_at is not None or at >= self.expires_at:
            raise InvalidLinkCode(self.code)
        self.used_at, self.used_by = at, telegram_id
