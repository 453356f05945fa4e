"""Helpers shared by the admin commands: the store, the clock, times in Asia/Shanghai."""
from __future__ import annotations

import argparse
import datetime as dt
import json
from zoneinfo import ZoneInfo

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


def print_json(value) -> None:
    print(json.dumps(value, ensure_ascii=False, indent=2))


def clip(text: str, width: int) -> str:
    text = " ".join((text or "").split())
    return text if len(text) <= width else text[:width - 1] + "…"
