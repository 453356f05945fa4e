"""Helpers shared by the admin commands: the store, the clock, times in Asia/Shanghai.

What residents wrote is printed cleaned (civic.domain.privacy.clean): a terminal escape
sequence in a description must not clear or rewrite the staff member's screen.
"""
from __future__ import annotations

import argparse
import datetime as dt
import json
from zoneinfo import ZoneInfo

from civic.domain.privacy import clean

SHANGHAI = ZoneInfo("Asia/Shanghai")


def now() -> dt.datetime:
    return dt.datetime.now(dt.timezone.utc)


def store():
    """The store DATABASE_URL names, schema brought up to date."""
    from civic.bootstrap import bootstrap

    return bootstrap()


def local(at: dt.datetime | None) -> str:
    """A stored instant as staff read it: Asia/Shanghai, to the minute."""
    return at.astimezone(SHANGHAI).strftime("%Y-%m-%d %H:%M") if at else "—"


def iso(at: dt.datetime | None) -> str | None:
    return at.astimezone(SHANGHAI).isoformat() if at else None


def local_minute(text: str) -> dt.datetime:
    """argparse type: YYYY-MM-DDTHH:MM (or a space for the T) in Asia/Shanghai."""
    try:
        value = dt.datetime.strptime(text.strip().replace(" ", "T"), "%Y-%m-%dT%H:%M")
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not YYYY-MM-DDTHH:MM") from None
    return value.replace(tzinfo=SHANGHAI)


def staff_label(district, staff_id: str | None) -> str:
    if not staff_id:
        return "—"
    member = district.staff.get(staff_id)
    return f"{staff_id} {member.name}" if member else staff_id


def cleaned(value):
    """Every string in a JSON value cleaned (JSON escapes C0 controls, not C1 or format ones)."""
    if isinstance(value, str):
        return clean(value)
    if isinstance(value, dict):
        return {key: cleaned(item) for key, item in value.items()}
    if isinstance(value, (list, tuple)):
        return [cleaned(item) for item in value]
    return value


def print_json(value) -> None:
    print(json.dumps(cleaned(value), ensure_ascii=False, indent=2))


def clip(text: str, width: int) -> str:
    text = " ".join(clean(text).split())
    return text if len(text) <= width else text[:width - 1] + "…"
