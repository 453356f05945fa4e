"""What every action needs: the civic core (built once per process), the clock, the resident."""
from __future__ import annotations

import datetime as dt
import functools
import os

from civic.bootstrap import Civic, bootstrap
from civic.domain.actors import Actor
from civic.services import accounts


@functools.lru_cache(maxsize=None)
def _civic(database_url: str | None) -> Civic:
    return bootstrap(database_url)


def civic() -> Civic:
    """The store named by DATABASE_URL (SQLite by default), migrated once per process."""
    return _civic(os.environ.get("DATABASE_URL"))


def now(tracker) -> dt.datetime:
    """The time of the latest message: a channel may fix it (console --now), else the clock."""
    fixed = (tracker.latest_message or {}).get("metadata") or next(
        (e.get("metadata") for e in reversed(tracker.events) if e.get("event") == "user"), None) or {}
    if fixed.get("now"):
        return dt.datetime.fromisoformat(fixed["now"]).astimezone(dt.timezone.utc)
    return dt.datetime.now(dt.timezone.utc)


def resident(tracker) -> Actor:
    return Actor.resident(tracker.sender_id)


def profile(tracker):
    """The resident's profile, created on first contact (consent is the first message)."""
    with civic().uow() as uow:
        found = accounts.profile(uow, actor=resident(tracker))
        if found is None or found.erased_at is not None:
            found = accounts.register(uow, actor=resident(tracker), display_name=None,
                                      now=now(tracker))
        return found
