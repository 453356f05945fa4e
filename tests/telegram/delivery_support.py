"""Helpers for the outbound tests: deliveries queued in bulk, a Bot for the stand-in, and
what arrived in each chat."""
from __future__ import annotations

import collections
import contextlib
import datetime as dt
import json

from sqlalchemy import insert, select
from telegram import Bot
from telegram.request import HTTPXRequest

import pg_support
from bot.buttons import ButtonCodec
from bot.notices import Renderer
from civic.adapters.deliveries_repository import DeliveryRepository
from civic.adapters.repository import _naive_utc
from civic.adapters.tables import deliveries, outbox
from civic.domain import events as ev
from civic.domain.recipients import Recipient, resident

NOW = dt.datetime(2026, 11, 18, 2, 0, tzinfo=dt.timezone.utc)  # Wednesday 10:00 Shanghai


def system_clock() -> dt.datetime:
    return dt.datetime.now(dt.timezone.utc)


def make_bot(standin, read_timeout: float = 5.0) -> Bot:
    """A Bot on the stand-in with a pool as large as the bot process's."""
    request = HTTPXRequest(connection_pool_size=64, read_timeout=read_timeout, connect_timeout=2.0,
                           pool_timeout=5.0)
    return Bot(**standin.bot_kwargs(), request=request)


def tag(n: int) -> str:
    """The reason of queue_points' n-th notice to a user: it makes each text unique."""
    return f"第{n}次社区清洁"


def queue_points(engine, user_ids, per_user: int = 1, at: dt.datetime = NOW, first: int = 0) -> int:
    """A points_awarded notice per user, per_user times in turn (numbered from ``first``),
    each with its own text; returns how many deliveries were queued."""
    count = 0
    with engine.begin() as conn:
        store = DeliveryRepository(conn)
        for n in range(first, first + per_user):
            for user_id in user_ids:
                payload = {"resident_id": str(user_id), "amount": 5, "reason": tag(n),
                           "balance": 5 * (n + 1)}
                event_id = conn.execute(insert(outbox).values(
                    name=ev.POINTS_AWARDED, case_number=None, at=_naive_utc(at),
                    payload=json.dumps(payload, ensure_ascii=False), resident_id=str(user_id))
                ).inserted_primary_key[0]
                store.add(event_id, [Recipient(resident(str(user_id)), ev.RESIDENT)])
                count += 1
    return count


def states(engine) -> collections.Counter:
    with engine.connect() as conn:
        return collections.Counter(row.state for row in conn.execute(select(deliveries.c.state)))


def arrivals(standin, user_ids, per_user: int, first: int = 0) -> dict[tuple[int, int], int]:
    """How many times each (user, n) notice of queue_points arrived."""
    counts = {}
    for uid in user_ids:
        texts = standin.texts(uid)
        for n in range(first, first + per_user):
            counts[(uid, n)] = sum(1 for t in texts if tag(n) in t)
    return counts


def codec_and_renderer(civic):
    return ButtonCodec(civic.engine), Renderer(civic.services.district)


class Counting:
    """A sender that counts what it got through (which of two processes sent)."""

    def __init__(self, inner):
        self.inner, self.sent = inner, []

    async def send(self, recipient, message) -> None:
        await self.inner.send(recipient, message)
        self.sent.append(recipient)


@contextlib.contextmanager
def postgres_schema():
    """A migrated PostgreSQL schema of its own, and a maker of engines on it (one per
    'process'); skips when no server answers."""
    with pg_support.postgres_schema(pool_size=20, max_overflow=10) as (engine, admin, schema, _):
        yield engine, admin, schema
