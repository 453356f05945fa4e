"""The scheduler: APScheduler 3.9's AsyncIOScheduler in the bot's event loop, its jobs
kept in the store, one scheduler running them per store.

Use:

    scheduler = Scheduler(app)        # app: bot.app.Application (civic, clock)
    await scheduler.start()           # returns at once; jobs run while this process leads
    ...
    await scheduler.stop()            # no new runs; a run in flight gets GRACE s to end

    await run_scheduler(app, stop)    # the same as one task: start, wait for ``stop``, stop
    with in_thread(app): ...          # on a thread with a loop of its own (the console,
                                      # whose loop blocks reading standard input)

``Scheduler(app, url=None, *, jobs=JOBS, connect_args=None, lock_check, lock_retry,
grace, handover)``: ``url`` is the store's (``app.civic.engine.url`` when None), ``jobs``
the JobSpecs to run (the console: CONSOLE_JOBS), ``connect_args`` the DBAPI's (a test's
search_path); the rest are seconds (see below). ``start`` sets the application the jobs
act for (bot.jobs.use).

The jobs (bot/jobs.py; ``JOBS``), each with a stable id, ``coalesce=True`` and
``max_instances=1``; a run missed while no scheduler ran (the bot was down, or no process
led) runs once when the scheduler is back within the job's misfire grace time, and is
skipped for the next regular run after that:

| id                  | trigger (Asia/Shanghai) | grace  |
|---------------------|-------------------------|--------|
| deadlines           | every 2 minutes         | 90 s   |
| mediation_reminders | every 5 minutes         | 4 min  |
| rating_reminder     | every 10 minutes        | 9 min  |
| weekly_rates        | Mondays 09:00           | 1 day  |
| heartbeat           | every minute            | 30 s   |

The job store is APScheduler's SQLAlchemyJobStore (table ``apscheduler_jobs``, which it
creates; Alembic ignores it) on an engine of its own: a plain ``create_engine(url)``,
since APScheduler 3.9 calls ``engine.execute``, which a ``future=True`` engine lacks.
APScheduler calls its store synchronously on the event loop; those are one-row
statements, and the jobs themselves run the services on worker threads.

Restarts: when a process starts to lead, the stored jobs that match ``jobs`` (function,
trigger, grace) are kept as they are, so their next run times survive a restart; a job
missing or defined differently is added with ``replace_existing=True``, and a stored
job no longer wanted is removed. Ids never change.

One scheduler per store. On PostgreSQL a process runs jobs only while it holds a
session advisory lock, ``pg_try_advisory_lock(LOCK_CLASS, hashtext(current_schema()))``,
on a connection of its own (autocommit, no pool) that stays open and is checked with
``SELECT 1`` every ``LOCK_CHECK`` seconds. If it fails, the lock went with it: the
scheduler is paused at once, a run in flight gets ``GRACE`` seconds, the scheduler is
shut down, and the process tries to take the lock again every ``LOCK_RETRY`` seconds,
as does every process that does not hold it: one of them takes over when the leader
dies. A process that has just taken the lock waits ``handover`` seconds (a check plus
HANDOVER_MARGIN) before it runs jobs, while a previous holder notices its loss; and
every job is idempotent (each reminder is recorded once in the store), so a run that
overlaps a handover anyway sends nothing twice. On SQLite one process runs (the file
lives on one machine): it always leads.
"""
from __future__ import annotations

import asyncio
import contextlib
import dataclasses
import datetime as dt
import logging
import threading
from typing import Callable, Iterable

from apscheduler.jobstores.base import BaseJobStore
from apscheduler.jobstores.sqlalchemy import SQLAlchemyJobStore
from apscheduler.schedulers.asyncio import AsyncIOScheduler
from apscheduler.triggers.base import BaseTrigger
from apscheduler.triggers.cron import CronTrigger
from apscheduler.triggers.interval import IntervalTrigger
from sqlalchemy import create_engine, inspect
from sqlalchemy.engine import Engine
from sqlalchemy.pool import NullPool

from bot import jobs as job_functions
from bot.leader import AdvisoryLock, NoLock, until_stopped

log = logging.getLogger(__name__)

ZONE = "Asia/Shanghai"
TABLE = "apscheduler_jobs"
LOCK_CLASS = 0x51_58_53  # "QXS": the first key of pg_try_advisory_lock(int, int); the dispatcher's is "QXY"
LOCK_CHECK = 15.0  # seconds between checks of the lock's connection while leading
LOCK_RETRY = 15.0  # seconds between tries to take the lock another process holds
GRACE = 10.0  # seconds a run in flight gets to end when stopping or losing the lock
HANDOVER_MARGIN = 2.0  # seconds beyond a lock check before a lock just taken is used
THREAD_JOIN = 20.0  # seconds in_thread waits for its thread to stop


@dataclasses.dataclass(frozen=True)
class JobSpec:
    id: str
    func: str  # "module:function", resolved by APScheduler when the job is loaded
    trigger: Callable[[], BaseTrigger]  # a new trigger (an interval's start is when it is made)
    grace: int  # misfire_grace_time, seconds


def _every(**interval) -> Callable[[], BaseTrigger]:
    return lambda: IntervalTrigger(timezone=ZONE, **interval)


JOBS: tuple[JobSpec, ...] = (
    # Reminders come when a quarter of a deadline's window is left (an urgent sign-for:
    # 7.5 minutes), so every 2 minutes; a late run is no use after the next one.
    JobSpec("deadlines", "bot.jobs:deadlines", _every(minutes=2), grace=90),
    JobSpec("mediation_reminders", "bot.jobs:mediation_reminders", _every(minutes=5), grace=240),
    JobSpec("rating_reminder", "bot.jobs:rating_reminder", _every(minutes=10), grace=540),
    # Still worth sending on Monday afternoon or Tuesday morning (once per week anyway).
    JobSpec("weekly_rates", "bot.jobs:weekly_rates",
            lambda: CronTrigger(day_of_week="mon", hour=9, minute=0, timezone=ZONE), grace=24 * 3600),
    JobSpec("heartbeat", "bot.jobs:heartbeat", _every(minutes=1), grace=30),
)
# The console has no dispatcher loop whose state the heartbeat would report.
CONSOLE_JOBS = tuple(spec for spec in JOBS if spec.id != "heartbeat")


def plain_engine(url: str, connect_args: dict | None = None, **options) -> Engine:
    """An engine APScheduler 3.9 can use: not future=True."""
    args = dict(connect_args or {})
    if url.startswith("sqlite"):
        args.setdefault("timeout", 10)  # seconds a write waits for the bot's writers
    return create_engine(url, connect_args=args, **options)


class _JobStore(SQLAlchemyJobStore):
    """The store on the Scheduler's engine, which outlives it (a new APScheduler is made
    each time this process starts to lead): shutting the store down leaves it open."""

    def shutdown(self) -> None:
        pass


class Scheduler:
    def __init__(self, app, url: str | None = None, *, jobs: Iterable[JobSpec] = JOBS,
                 connect_args: dict | None = None, lock_check: float = LOCK_CHECK,
                 lock_retry: float = LOCK_RETRY, grace: float = GRACE, handover: float | None = None):
        self.app = app
        self.specs = tuple(jobs)
        url = url or app.civic.engine.url.render_as_string(hide_password=False)
        self.engine = plain_engine(url, connect_args)
        self.lock = (AdvisoryLock(create_engine(url, future=True, poolclass=NullPool,
                                                connect_args=dict(connect_args or {})), LOCK_CLASS, "scheduler",
                                  dispose=True)
                     if self.engine.dialect.name == "postgresql" else NoLock())
        self.lock_check, self.lock_retry, self.grace = lock_check, lock_retry, grace
        # A lock just taken is used only after this long: a previous holder that lost it
        # (its connection dropped) notices within a check and stops running jobs.
        self.handover = lock_check + HANDOVER_MARGIN if handover is None else handover
        self._aps: AsyncIOScheduler | None = None
        self._stop: asyncio.Event | None = None
        self._watcher: asyncio.Task | None = None

    @property
    def leading(self) -> bool:
        """Whether this process runs the jobs now."""
        return self._aps is not None

    def jobs(self) -> list:
        """The jobs as stored (APScheduler Jobs: id, trigger, next_run_time), while leading."""
        return self._aps.get_jobs() if self._aps is not None else []

    async def start(self) -> None:
        """Lead at once on SQLite; on PostgreSQL take the lead in the background when the
        store has no leader (after ``handover``), and keep watching either way."""
        job_functions.use(self.app)
        self._stop = asyncio.Event()
        if isinstance(self.lock, NoLock):
            await self._lead()
        self._watcher = asyncio.create_task(self._watch(), name="scheduler lock")

    async def stop(self) -> None:
        if self._stop is None:
            return
        self._stop.set()
        if self._watcher is not None:
            await self._watcher
        if self._aps is not None:
            await self._follow()
        await asyncio.to_thread(self.lock.release)
        self.engine.dispose()
        self._stop = None

    async def _watch(self) -> None:
        """Lead while the lock is held; stop leading as soon as it is not."""
        while not self._stop.is_set():
            try:
                held = await asyncio.to_thread(self.lock.hold)
                if held and self._aps is None:
                    if self.lock.fresh:  # taken just now: let a previous holder notice first
                        self.lock.fresh = False
                        await until_stopped(self._stop, self.handover)
                        continue
                    await self._lead()
                elif not held and self._aps is not None:
                    log.warning("the scheduler lock was lost: no jobs run here until it is taken again")
                    await self._follow()
            except Exception:  # a bug or the store gone: say so and look again later
                log.exception("the scheduler's watch failed")
            await until_stopped(self._stop, self.lock_check if self.leading else self.lock_retry)

    async def _lead(self) -> None:
        aps = AsyncIOScheduler(timezone=ZONE, jobstores={"default": _JobStore(engine=self.engine)},
                               job_defaults={"coalesce": True, "max_instances": 1})
        try:
            aps.start(paused=True)
            await asyncio.to_thread(ensure_jobs, aps, self.specs)
            aps.resume()
        except Exception as error:  # the store went away: try again at the next check
            log.error("the scheduler could not start: %s: %s", type(error).__name__, error)
            with contextlib.suppress(Exception):
                aps.shutdown(wait=False)
            return
        self._aps = aps
        log.info("this process runs the scheduler's jobs: %s", ", ".join(spec.id for spec in self.specs))

    async def _follow(self) -> None:
        """Stop running jobs: none is started from now; those running get ``grace`` s."""
        aps, self._aps = self._aps, None
        aps.pause()
        loop = asyncio.get_running_loop()
        running = {task for task in job_functions.RUNNING if not task.done() and task.get_loop() is loop}
        if running:
            _, late = await asyncio.wait(running, timeout=self.grace)
            if late:
                log.warning("%d job runs still going after %g s are cancelled", len(late), self.grace)
        aps.shutdown(wait=False)
        await asyncio.sleep(0)  # AsyncIOScheduler.shutdown runs on the loop's next turn


def ensure_jobs(aps, specs: Iterable[JobSpec]) -> None:
    """Make the store hold exactly ``specs``; a stored job that matches its spec is kept
    with its next run time."""
    specs = {spec.id: spec for spec in specs}
    for stored in aps.get_jobs():
        if stored.id not in specs:
            aps.remove_job(stored.id)
            log.info("scheduler: job %s is no longer wanted and was removed", stored.id)
    for spec in specs.values():
        stored = aps.get_job(spec.id)
        if stored is not None and _matches(stored, spec):
            continue
        aps.add_job(spec.func, spec.trigger(), id=spec.id, name=spec.id, replace_existing=True,
                    misfire_grace_time=spec.grace, coalesce=True, max_instances=1)
        log.info("scheduler: job %s %s", spec.id, "redefined" if stored is not None else "added")


def _trigger_key(trigger) -> tuple:
    return type(trigger).__name__, str(trigger), str(getattr(trigger, "timezone", ""))


def _matches(job, spec: JobSpec) -> bool:
    return (job.func_ref == spec.func and _trigger_key(job.trigger) == _trigger_key(spec.trigger())
            and job.misfire_grace_time == spec.grace and job.coalesce and job.max_instances == 1
            and job.next_run_time is not None)


async def run_scheduler(app, stop: asyncio.Event, **options) -> None:
    """A Scheduler from start until ``stop`` is set (options: Scheduler's)."""
    scheduler = Scheduler(app, **options)
    await scheduler.start()
    try:
        await stop.wait()
    finally:
        await scheduler.stop()


@contextlib.contextmanager
def in_thread(app, **options):
    """run_scheduler on a daemon thread with an event loop of its own, for the block."""
    ready, held = threading.Event(), {}

    def main() -> None:
        async def run() -> None:
            held["loop"], held["stop"] = asyncio.get_running_loop(), asyncio.Event()
            ready.set()
            await run_scheduler(app, held["stop"], **options)
        try:
            asyncio.run(run())
        except Exception:  # the console goes on without reminders
            log.exception("the scheduler stopped")
        finally:
            ready.set()

    thread = threading.Thread(target=main, name="scheduler", daemon=True)
    thread.start()
    ready.wait()
    try:
        yield
    finally:
        if thread.is_alive():
            with contextlib.suppress(RuntimeError):  # its loop has ended already
                held["loop"].call_soon_threadsafe(held["stop"].set)
            thread.join(THREAD_JOIN)


# --- what is stored, for people ------------------------------------------------------------


@dataclasses.dataclass(frozen=True)
class StoredJob:
    id: str
    trigger: str
    next_run_time: dt.datetime | None  # Asia/Shanghai; None: paused
    grace: int | None


def stored_jobs(url: str, connect_args: dict | None = None) -> list[StoredJob]:
    """The jobs in a store's job table, soonest first (none when no scheduler ever ran)."""
    engine = plain_engine(url, connect_args)
    try:
        if not inspect(engine).has_table(TABLE):
            return []
        store = SQLAlchemyJobStore(engine=engine)
        BaseJobStore.start(store, AsyncIOScheduler(timezone=ZONE), "default")  # reads; creates nothing
        return [StoredJob(job.id, str(job.trigger), job.next_run_time, job.misfire_grace_time)
                for job in store.get_all_jobs()]
    finally:
        engine.dispose()

