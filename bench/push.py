"""Delivery throughput: queued notices out to residents through the Bot API stand-in with
Telegram's flood limits enforced (a breach is answered 429 and counted).

    python bench/push.py [--deliveries 10000] [--residents 2000] [--cases 500]
                         [--only clean|faults|cards] [--database-url sqlite:///...]

Runs the bot process's own delivery loop (bot/delivery_loop.py: its dispatcher settings,
the TelegramSender, the throttle at 30/s overall and 1/s per chat, a Bot with the runner's
64 connections and python-telegram-bot's 5 s read timeout) on a fresh store (a SQLite file
in a temporary directory unless --database-url) with the deliveries queued up front
(points notices, each text unique), then prints for each run: throughput (deliveries
marked sent per second, from the loop's start to the last one), lost (not sent), messages
that arrived twice and how many sends timed out after Telegram carried them out, the
flood-limit breaches, and the faults met.

"cards": staff cards for ``--cases`` new cases filed at once (they wait when the bot
starts): the staff group's card board (bot/telegram/staff_group.py) with the group's real
limit of 20 messages a minute enforced; prints the time until the last case is in its
grid's topic (as a card or in a burst's summary), the cases lost (in no topic), the
messages posted and the breaches of the group's limit.

"clean": no injected faults. "faults": a fifth of sendMessage calls fail: 5 % 429 with
retry_after 1, 5 % 500, 5 % 502 from the proxy, 4 % time-outs that delivered the message
and 2 % that did not (the stand-in holds them 10 s; the Bot gives up after 5 s).
"""
from __future__ import annotations

import argparse
import asyncio
import collections
import datetime as dt
import json
import logging
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "tests"))  # the stand-in

from sqlalchemy import func, insert, select  # noqa: E402
from telegram import Bot  # noqa: E402
from telegram.request import HTTPXRequest  # noqa: E402

from bot.app import build_application  # noqa: E402
from bot.delivery_loop import run_dispatcher  # noqa: E402
from bot.telegram.sender import TelegramSender  # noqa: E402
from civic.adapters.deliveries_repository import DeliveryRepository  # noqa: E402
from civic.adapters.repository import _naive_utc  # noqa: E402
from civic.adapters.tables import deliveries, outbox  # noqa: E402
from civic.bootstrap import bootstrap  # noqa: E402
from civic.domain import events as ev  # noqa: E402
from civic.domain.recipients import Recipient, resident  # noqa: E402
from standin import StandIn  # noqa: E402

FIRST_USER = 800_000
FAULTS = [("retry_after", 0.05, {"retry_after": 1}), ("server_error", 0.05, {}), ("bad_gateway", 0.05, {}),
          ("timeout", 0.04, {"deliver": True, "hang": 10}), ("timeout", 0.02, {"hang": 10})]


def now() -> dt.datetime:
    return dt.datetime.now(dt.timezone.utc)


def tag(n: int) -> str:
    return f"第{n}次社区清洁"


def queue(engine, users: list[int], per_user: int) -> int:
    """Round n of notices to every user, then round n + 1: each text unique per user."""
    with engine.begin() as conn:
        store = DeliveryRepository(conn)
        for n in range(per_user):
            for uid in users:
                payload = {"resident_id": str(uid), "amount": 5, "reason": tag(n), "balance": 5 * (n + 1)}
                event_id = conn.execute(insert(outbox).values(
                    name=ev.POINTS_AWARDED, at=_naive_utc(now()), resident_id=str(uid),
                    payload=json.dumps(payload, ensure_ascii=False))).inserted_primary_key[0]
                store.add(event_id, [Recipient(resident(str(uid)), ev.RESIDENT)])
    return len(users) * per_user


def counts(engine) -> collections.Counter:
    with engine.connect() as conn:
        return collections.Counter(dict(conn.execute(
            select(deliveries.c.state, func.count()).group_by(deliveries.c.state)).all()))


async def push(app, standin, total: int) -> float:
    """Seconds from the loop's start until every delivery left pending."""
    request = HTTPXRequest(connection_pool_size=64)  # as bot/telegram/runner.py
    async with Bot(**standin.bot_kwargs(), request=request) as bot:
        stop = asyncio.Event()
        began = time.monotonic()
        loop = asyncio.create_task(run_dispatcher(app, TelegramSender(bot, app.codec, app.clock), stop))
        while counts(app.civic.engine)["pending"] and not loop.done():
            await asyncio.sleep(0.2)
        took = time.monotonic() - began
        stop.set()
        await loop
    return took


def one_run(name: str, args, faults: list) -> None:
    directory = tempfile.mkdtemp(prefix="push-")
    civic = bootstrap(args.database_url or f"sqlite:///{directory}/push.db")
    app = build_application(civic=civic, agent=object(), clock=now)  # no dialogue: deliveries only
    per_user = args.deliveries // args.residents
    users = [FIRST_USER + i for i in range(args.residents)]
    total = queue(civic.engine, users, per_user)
    with StandIn.run_in_thread(seed=11, enforce_rate_limits=True) as standin:
        for uid in users:
            standin.add_user("居民", user_id=uid, started=True)
        for kind, probability, options in faults:
            standin.set_fault_rate("sendMessage", kind, probability, **options)
        took = asyncio.run(push(app, standin, total))
        states = counts(civic.engine)
        calls = standin.calls("sendMessage")
        arrived = collections.Counter()
        for uid in users:
            for text in standin.texts(uid):
                arrived.update((uid, n) for n in range(per_user) if tag(n) in text)
        violations = standin.rate_violations()
    lost = total - states["sent"]
    missing = sum(1 for uid in users for n in range(per_user) if not arrived[(uid, n)])
    twice = sum(c - 1 for c in arrived.values() if c > 1)
    carried_out = sum(1 for c in calls if c["fault"] == "timeout" and c["delivered"])
    met = collections.Counter(c["fault"] for c in calls if c["fault"])
    print(f"{name:<7} {total:,} deliveries to {len(users):,} residents in {took:6.1f} s: "
          f"{states['sent'] / took:5.1f} sent/s; lost {lost} (never arrived {missing}); "
          f"arrived twice {twice} (time-outs carried out {carried_out}); "
          f"flood-limit breaches {len(violations)}; calls {len(calls):,}"
          + (f"; faults {sum(met.values()):,} ({sum(met.values()) / len(calls):.0%}: "
             + ", ".join(f"{k} {v}" for k, v in sorted(met.items())) + ")" if met else ""), flush=True)
    civic.engine.dispose()


def cards_run(args) -> None:
    from bot.telegram.staff_group import Board, StaffGroup
    from bot.telegram.staff_store import StaffStore
    from bot.telegram.throttle import Throttle
    from civic.domain.actors import Actor
    from civic.services.cases import report_case

    directory = tempfile.mkdtemp(prefix="cards-")
    civic = bootstrap(args.database_url or f"sqlite:///{directory}/cards.db")
    # A landmark of every grid, and one place no grid knows (the command centre's triage).
    places = [g.landmarks[0].name for g in civic.services.district.grids.values() if g.landmarks] + ["柳树胡同"]
    numbers = []
    for i in range(args.cases):
        with civic.uow() as uow:
            filed = report_case(uow, civic.services, actor=Actor.resident(str(FIRST_USER + i)), category="environment",
                                description=f"门口垃圾没人清理（第{i}件）", address=places[i % len(places)], now=now(), file_anyway=True)
        numbers.append(filed.case.number)
    with StandIn.run_in_thread(seed=11, enforce_rate_limits=True) as standin:
        group_id = standin.add_supergroup("望江街道工作群")["id"]

        async def post() -> float:
            async with Bot(**standin.bot_kwargs(), request=HTTPXRequest(connection_pool_size=8)) as bot:
                group = StaffGroup(bot, StaffStore(civic.engine), Throttle(), group_id, now)
                board, stop = Board(group, civic, now), asyncio.Event()
                began = time.monotonic()
                task = asyncio.create_task(board.run(stop))
                while not all(any(n in t for t in texts) for n in numbers
                              for texts in [standin.texts(group_id)]) and not task.done():
                    await asyncio.sleep(0.5)
                took = time.monotonic() - began
                stop.set()
                await task
                return took

        took = asyncio.run(post())
        shown = "\n".join(standin.texts(group_id))
        posted = len(standin.bot_messages(group_id))
        violations = standin.rate_violations()
    lost = sum(1 for n in numbers if n not in shown)
    print(f"cards   {len(numbers):,} new cases: the last in its topic after {took:6.1f} s; lost {lost}; "
          f"{posted} messages in the staff group; group-limit breaches {len(violations)}", flush=True)
    civic.engine.dispose()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--deliveries", type=int, default=10_000)
    parser.add_argument("--residents", type=int, default=2_000)
    parser.add_argument("--cases", type=int, default=500)
    parser.add_argument("--only", choices=("clean", "faults", "cards"), action="append")
    parser.add_argument("--database-url")
    args = parser.parse_args()
    # The retries' warnings (and python-telegram-bot's on each 502 page) would drown the figures.
    logging.basicConfig(level=logging.CRITICAL)
    runs = args.only or ["clean", "faults", "cards"]
    if "clean" in runs:
        one_run("clean", args, [])
    if "faults" in runs:
        one_run("faults", args, FAULTS)
    if "cards" in runs:
        cards_run(args)


if __name__ == "__main__":
    main()
