"""Every button the bot shows, encoded once into Telegram's callback data (at most 64
bytes of UTF-8) and decoded in one place.

Namespaces:
- ``r:<id>``: a resident's button. The payload it stands for (``/inform{"choice":...}``,
  a rating, an address the resident typed) stays in the store under a short random id
  for that resident, so a press can only mean something offered to that very person.
  Buttons shown together form a group: pressing one answers the group. A newer turn of
  the conversation supersedes the older turn's buttons; buttons under a pushed notice
  (rate this case) stay live until answered or expired.
- ``case:<move>:<number>[:<argument>]``: a staff member's move on a case card (the
  argument: whom 改派 goes to); the service decides per press whether that person may
  make it. ``bk:<outcome>:<booking id>``: a mediator's outcome of a booking. Staff
  buttons carry their meaning in the data: a forged one is checked like a real one.
"""
from __future__ import annotations

import dataclasses
import datetime as dt
import re
import secrets

from sqlalchemy import and_, insert, select, update
from sqlalchemy.engine import Engine

from civic.adapters.repository import _aware, _naive_utc
from civic.adapters.tables_channels import button_offers

MAX_CALLBACK_BYTES = 64
RESIDENT_PREFIX = "r:"
STAFF_PREFIX = "case:"
DIALOGUE, NOTICE = "dialogue", "notice"
LIVE_FOR = dt.timedelta(days=30)
ID_ALPHABET = "0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ"
ID_LENGTH = 10  # 59 bits: not guessable
RESIDENT_DATA = re.compile(rf"r:[{ID_ALPHABET}]{{{ID_LENGTH}}}")
STAFF_DATA = re.compile(r"case:([a-z_]{2,16}):(\d{8}-\d{4,})(?::([a-z0-9-]{1,24}))?")
BOOKING_DATA = re.compile(r"bk:([a-z_]{2,20}):([A-Za-z0-9-]{1,32})")


@dataclasses.dataclass(frozen=True)
class Button:
    title: str
    data: str  # callback data: what a press sends back


@dataclasses.dataclass(frozen=True)
class Press:
    """A decoded press: the payload offered, or why it is refused (stale, unknown)."""

    payload: str | None
    title: str = ""
    refused: str | None = None  # "stale" | "unknown"


def _new_id() -> str:
    return "".join(secrets.choice(ID_ALPHABET) for _ in range(ID_LENGTH))


def encode_staff(move: str, number: str, argument: str | None = None) -> str:
    data = f"{STAFF_PREFIX}{move}:{number}" + (f":{argument}" if argument else "")
    _check_size(data)
    return data


def decode_staff(data: str) -> tuple[str, str, str | None] | None:
    """(move, case number, argument) of a staff card's button, or None if it is no such button."""
    found = STAFF_DATA.fullmatch(data or "")
    return (found.group(1), found.group(2), found.group(3)) if found else None


def encode_booking(outcome: str, booking_id: str) -> str:
    data = f"bk:{outcome}:{booking_id}"
    _check_size(data)
    return data


def decode_booking(data: str) -> tuple[str, str] | None:
    """(outcome, booking id) of a mediator's outcome button, or None."""
    found = BOOKING_DATA.fullmatch(data or "")
    return (found.group(1), found.group(2)) if found else None


def is_staff_data(data: str) -> bool:
    return decode_staff(data) is not None or decode_booking(data) is not None


def _check_size(data: str) -> None:
    if len(data.encode("utf-8")) > MAX_CALLBACK_BYTES:
        raise ValueError(f"callback data over {MAX_CALLBACK_BYTES} bytes: {data!r}")


class ButtonCodec:
    """Resident buttons kept in the store, one row per offered button."""

    def __init__(self, engine: Engine):
        self._engine = engine

    @property
    def engine(self) -> Engine:
        """The store the offers live in (a channel's sender reads its recipients there too)."""
        return self._engine

    def offer(self, user_id: str, groups: list[list[dict]], *, kind: str,
              now: dt.datetime) -> list[list[Button]]:
        """Store each group of buttons ({"title", "payload"}) and return them encoded.

        A dialogue turn's buttons supersede the buttons of the earlier turns; a notice's
        buttons leave everything else live.
        """
        encoded: list[list[Button]] = []
        rows = []
        for group in groups:
            group_id, buttons = _new_id(), []
            for item in group:
                offer_id = _new_id()
                data = RESIDENT_PREFIX + offer_id
                _check_size(data)
                rows.append({"user_id": user_id, "offer_id": offer_id, "group_id": group_id,
                             "kind": kind, "title": item["title"], "payload": item["payload"],
                             "created_at": _naive_utc(now)})
                buttons.append(Button(item["title"], data))
            encoded.append(buttons)
        with self._engine.begin() as conn:
            if kind == DIALOGUE:
                conn.execute(update(button_offers).where(
                    button_offers.c.user_id == user_id, button_offers.c.kind == DIALOGUE,
                    button_offers.c.closed_at.is_(None)).values(
                    closed_at=_naive_utc(now), closed_why="superseded"))
            if rows:
                conn.execute(insert(button_offers), rows)
        return encoded

    def press(self, user_id: str, data: str, *, now: dt.datetime, key: str | None = None) -> Press:
        """Decode a press of one of this resident's buttons and answer its group.

        ``key`` names the incoming update: the same update pressed again (a replay after
        a crash) finds its own earlier press instead of a stale button.
        """
        if not RESIDENT_DATA.fullmatch(data or ""):
            return Press(None, refused="unknown")
        offer_id = data[len(RESIDENT_PREFIX):]
        with self._engine.begin() as conn:
            row = conn.execute(select(button_offers).where(
                button_offers.c.user_id == user_id,
                button_offers.c.offer_id == offer_id)).mappings().first()
            if row is None:
                return Press(None, refused="unknown")
            if row["closed_at"] is not None:
                if key is not None and row["pressed_by"] == key:
                    return Press(row["payload"], row["title"])
                return Press(None, row["title"], refused="stale")
            if _aware(row["created_at"]) + LIVE_FOR < now:
                return Press(None, row["title"], refused="stale")
            closed = conn.execute(update(button_offers).where(
                button_offers.c.user_id == user_id, button_offers.c.group_id == row["group_id"],
                button_offers.c.closed_at.is_(None)).values(
                closed_at=_naive_utc(now), closed_why="answered")).rowcount
            if not closed:  # a second press of the same question, a moment later
                return Press(None, row["title"], refused="stale")
            conn.execute(update(button_offers).where(and_(
                button_offers.c.user_id == user_id, button_offers.c.offer_id == offer_id))
                .values(pressed_by=key))
        return Press(row["payload"], row["title"])
