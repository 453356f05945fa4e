"""What every action needs: the civic core, the clock, the resident.

The composition root (``bot.app.build_application``) hands the actions its civic core
with ``configure``. Run alone (a separate rasa_sdk action server, the action tests),
the actions build their own from DATABASE_URL, once per URL.
"""
from __future__ import annotations

import datetime as dt
import functools
import os

from civic.bootstrap import Civic, bootstrap
from civic.domain.actors import Actor
from civic.services import accounts

_configured: Civic | None = None


def configure(core: Civic | None) -> None:
    global _configured
    _configured = core


@functools.lru_cache(maxsize=None)
def _own_civic(database_url: str | None) -> Civic:
    return bootstrap(database_url)


def civic() -> Civic:
    """The composition root's civic core, else the store named by DATABASE_URL."""
    return _configured or _own_civic(os.environ.get("DATABASE_URL"))


def now(tracker) -> dt.datetime:
    """The time of the latest message, as the channel's turn stamped it (else the clock)."""
    fixed = (tracker.latest_message or {}).get("metadata") or next(
        (e.get("metadata") for e in reversed(tracker.events) if e.get("event") == "user"), None) or {}
    if fixed.get("now"):
        return dt.datetime.fromisoformat(fixed["now"]).astimezone(dt.timezone.utc)
    return dt.datetime.now(dt.timezone.utc)


def resident(tracker) -> Actor:
    return Actor.resident(tracker.sender_id)


def profile(tracker):
    """The resident's profile, created on first contact (consent is the first message).

    Read without the write lock; only a first contact (or the first after an erasure,
    which starts a new, empty profile) writes."""
    with civic().reader() as uow:
        found = accounts.profile(uow, actor=resident(tracker))
    if found is None:
        with civic().uow() as uow:
            found = accounts.register(uow, actor=resident(tracker), display_name=None, now=now(tracker))
    return found
