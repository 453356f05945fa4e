"""The dispatcher in the bot process: deliveries out, round after round, until stopped.

One dispatcher per store. The throttle (bot/telegram/throttle.py) keeps Telegram's limits
inside one process; two bot processes each sending 30 a second would break them (and
would race for each resident's next delivery). So on PostgreSQL the loop dispatches only
while it holds a session-level advisory lock, taken with ``pg_try_advisory_lock`` on a
connection of its own that stays open (autocommit: never idle in a transaction) and is
checked every few seconds. If that connection drops, the lock is gone with it: the loop
stops claiming at once, lets what is in flight finish (``grace``, then cancels), and
tries to take the lock again; meanwhile another process may hold it. A process that
takes the lock first waits ``lock_check + grace`` seconds (the handover): the one that
lost it may still be sending that long, and the throttles of two processes know nothing
of each other's sends. The key is per schema (``hashtext(current_schema())``),
so stores sharing a database do not exclude each other.

On SQLite no lock is needed: the file lives on one machine, where one bot process runs
(a second one's claims are still safe under BEGIN IMMEDIATE and the leases, only the
throttle would be doubled).

Stopping: ``stop`` is looked at while idle and during a round. Nothing more is claimed,
deliveries claimed but not yet handed to the sender are given back, and sends in flight
get ``GRACE`` seconds to finish; after that they are cancelled and their leases expire
(a message cancelled mid-request may have arrived and is then sent again: as after a
crash, that one can arrive twice).
"""
from __future__ import annotations

import asyncio
import datetime as dt
import logging

from sqlalchemy.engine import Engine

from bot.dispatcher import Dispatcher
from bot.leader import AdvisoryLock, NoLock, until_stopped

log = logging.getLogger(__name__)

IDLE = 0.5  # seconds between looks when nothing was due
LOCK_CHECK = 2.0  # seconds between checks that the lock's connection is alive
LOCK_RETRY = 2.0  # seconds between tries to take the lock another process holds
GRACE = 10.0  # seconds for sends in flight to finish when stopping
ROUND = 5_000  # deliveries per round (a report each)
# Throughput within the throttle: ~30 sends a second with a few milliseconds each would
# need only a handful at once, but a send that times out holds its place for the Bot's
# read timeout (5 s): 64 at once keep the throttle fed through a burst of time-outs.
CONCURRENCY, BATCH = 64, 32
LEASE = dt.timedelta(minutes=5)
# 5 s, 10 s, 20 s ... up to an hour: 12 attempts span about two and a half hours of
# Telegram trouble before a delivery is given up as failed.
BACKOFF, BACKOFF_CAP, MAX_ATTEMPTS = dt.timedelta(seconds=5), dt.timedelta(hours=1), 12
LOCK_CLASS = 0x51_58_59  # "QXY": the first key of pg_try_advisory_lock(int, int)


def delivery_dispatcher(app, sender, **options) -> Dispatcher:
    """The dispatcher as the bot process runs it (options override, for tests)."""
    settings = dict(clock=app.clock, batch=BATCH, concurrency=CONCURRENCY, lease=LEASE,
                    backoff=BACKOFF, backoff_cap=BACKOFF_CAP, max_attempts=MAX_ATTEMPTS)
    settings.update(options)
    return Dispatcher(app.civic, app.renderer, sender, **settings)


async def run_dispatcher(app, sender, stop: asyncio.Event, *, dispatcher: Dispatcher | None = None,
                         idle: float = IDLE, lock_check: float = LOCK_CHECK, grace: float = GRACE) -> None:
    """Dispatch until ``stop`` is set. ``app`` is bot.app.Application (civic, clock, renderer)."""
    dispatcher = dispatcher or delivery_dispatcher(app, sender)
    lock = store_lock(app.civic.engine)
    try:
        while not stop.is_set():
            if not await asyncio.to_thread(lock.hold):
                await until_stopped(stop, LOCK_RETRY)
                continue
            if lock.fresh:  # taken just now: let a previous holder's last sends pass first
                lock.fresh = False
                await until_stopped(stop, lock_check + grace)
                continue
            try:
                report = await _round(dispatcher, app.clock(), lock, stop, lock_check, grace)
            except Exception:  # the store went away, a bug: say so, wait, and go on
                log.exception("delivery round failed")
                await until_stopped(stop, LOCK_RETRY)
                continue
            if report is not None and report.claimed == 0:
                await until_stopped(stop, idle)
    finally:
        await asyncio.to_thread(lock.release)


async def _round(dispatcher: Dispatcher, now: dt.datetime, lock, stop: asyncio.Event,
                 lock_check: float, grace: float):
    """One dispatch_once, ended early when stopping or when the lock is lost."""
    halt = asyncio.Event()  # stop, or the lock lost: claim nothing more
    work = asyncio.create_task(dispatcher.dispatch_once(now, limit=ROUND, stop=halt))
    try:
        while not work.done():
            stopper = asyncio.create_task(stop.wait())
            await asyncio.wait({work, stopper}, timeout=lock_check, return_when=asyncio.FIRST_COMPLETED)
            stopper.cancel()
            if work.done():
                break
            lost = not stop.is_set() and not await asyncio.to_thread(lock.hold)
            if stop.is_set() or lost:
                if lost:
                    log.warning("the dispatcher lock was lost: no deliveries from here until it is back")
                halt.set()
                await asyncio.wait({work}, timeout=grace)
                if not work.done():
                    log.warning("sends still in flight after %g s are cancelled", grace)
                    work.cancel()
                break
        await asyncio.wait({work})
    finally:
        work.cancel()  # the loop itself was cancelled: take the round with it (no-op when done)
    return None if work.cancelled() else work.result()


# --- one dispatcher per store -------------------------------------------------------------


def store_lock(engine: Engine):
    return AdvisoryLock(engine, LOCK_CLASS, "dispatcher") if engine.dialect.name == "postgresql" else NoLock()
