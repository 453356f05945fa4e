"""The scheduler and its job store: jobs keep their ids and next run times over a
restart, a run missed while the bot was down runs once (within the grace time) or not
at all (past it), and on PostgreSQL one process of several runs the jobs, another
taking over when the leader's lock connection drops."""
from __future__ import annotations

import asyncio
import datetime as dt
import time
import types

import psycopg2
import pytest
from apscheduler.jobstores.sqlalchemy import SQLAlchemyJobStore
from apscheduler.schedulers.asyncio import AsyncIOScheduler
from apscheduler.triggers.interval import IntervalTrigger
from sqlalchemy import event, text

import scheduler_support
from bot.scheduler import CONSOLE_JOBS, JOBS, LOCK_CLASS, ZONE, JobSpec, Scheduler, plain_engine, stored_jobs

FAST = dict(lock_check=0.2, lock_retry=0.2, handover=0.6, grace=1.0)


def run(coroutine):
    return asyncio.run(coroutine)


def tick_every(**interval) -> JobSpec:
    return JobSpec("tick", "scheduler_support:tick", lambda: IntervalTrigger(timezone=ZONE, **interval), grace=600)


@pytest.fixture(autouse=True)
def no_ticks():
    scheduler_support.TICKS.clear()


async def until(predicate, timeout: float) -> None:
    deadline = time.monotonic() + timeout
    while not predicate():
        assert time.monotonic() < deadline, "not within the time"
        await asyncio.sleep(0.02)


async def set_next_run(url: str, job_id: str, when: dt.datetime, connect_args=None) -> None:
    """What a stop of the bot does to a job: its next run time passes while nobody runs it."""
    engine = plain_engine(url, connect_args)
    aps = AsyncIOScheduler(timezone=ZONE, jobstores={"default": SQLAlchemyJobStore(engine=engine)})
    aps.start(paused=True)
    aps.modify_job(job_id, next_run_time=when)
    aps.shutdown(wait=False)
    await asyncio.sleep(0)
    engine.dispose()


def url_of(app) -> str:
    return app.civic.engine.url.render_as_string(hide_password=False)


# --- one process (SQLite) ----------------------------------------------------------------------


def test_jobs_survive_a_restart_with_their_ids_and_next_run_times(app):
    async def scenario():
        first = Scheduler(app)
        await first.start()
        assert first.leading  # SQLite: one process, it always leads
        before = {job.id: (str(job.trigger), job.next_run_time) for job in first.jobs()}
        await first.stop()
        await asyncio.sleep(1.1)  # an interval's next run would move if the job were made again
        second = Scheduler(app)
        await second.start()
        after = {job.id: (str(job.trigger), job.next_run_time) for job in second.jobs()}
        await second.stop()
        return before, after

    before, after = run(scenario())
    assert set(before) == {"deadlines", "mediation_reminders", "rating_reminder", "weekly_rates", "heartbeat"}
    assert after == before
    monday = before["weekly_rates"][1]
    assert (monday.isoweekday(), monday.hour, monday.minute, str(monday.tzinfo)) == (1, 9, 0, "Asia/Shanghai")
    assert before["deadlines"][0] == "interval[0:02:00]"
    # What an operator sees (python -m bot jobs): the same, with each job's grace time.
    stored = {job.id: (job.next_run_time, job.grace) for job in stored_jobs(url_of(app))}
    assert stored == {spec.id: (before[spec.id][1], spec.grace) for spec in JOBS}


def test_the_console_set_of_jobs_drops_the_heartbeat_and_keeps_the_others_as_they_were(app):
    async def scenario():
        full = Scheduler(app)
        await full.start()
        before = {job.id: job.next_run_time for job in full.jobs()}
        await full.stop()
        console = Scheduler(app, jobs=CONSOLE_JOBS)
        await console.start()
        after = {job.id: job.next_run_time for job in console.jobs()}
        await console.stop()
        return before, after

    before, after = run(scenario())
    assert after == {job_id: at for job_id, at in before.items() if job_id != "heartbeat"}


def test_a_run_missed_while_down_runs_once_within_its_grace_time_and_not_past_it(app):
    url = url_of(app)

    async def scenario():
        scheduler = Scheduler(app, jobs=[tick_every(hours=1)])
        await scheduler.start()
        await scheduler.stop()
        # Down for three hours and a bit: four hourly runs missed, the last 5 minutes ago.
        await set_next_run(url, "tick", dt.datetime.now(dt.timezone.utc) - dt.timedelta(hours=3, minutes=5))
        scheduler = Scheduler(app, jobs=[tick_every(hours=1)])
        await scheduler.start()
        await until(lambda: scheduler_support.TICKS, timeout=5)
        await asyncio.sleep(0.5)
        ran = len(scheduler_support.TICKS)
        [job] = scheduler.jobs()
        later = job.next_run_time - dt.datetime.now(dt.timezone.utc)
        await scheduler.stop()

        # Down for half an hour: the one run missed is 30 minutes late, past the 10 minutes of grace.
        await set_next_run(url, "tick", dt.datetime.now(dt.timezone.utc) - dt.timedelta(minutes=30))
        scheduler = Scheduler(app, jobs=[tick_every(hours=1)])
        await scheduler.start()
        await asyncio.sleep(1.0)
        [job] = scheduler.jobs()
        skipped_to = job.next_run_time - dt.datetime.now(dt.timezone.utc)
        await scheduler.stop()
        return ran, later, skipped_to

    ran, later, skipped_to = run(scenario())
    assert ran == 1  # coalesced: once, not four times
    assert dt.timedelta(minutes=54) < later < dt.timedelta(minutes=56)
    assert len(scheduler_support.TICKS) == 1  # the run past its grace was skipped
    assert dt.timedelta(minutes=29) < skipped_to < dt.timedelta(minutes=31)


def test_the_console_runs_the_scheduler_on_a_thread_while_it_reads(app):
    from bot.scheduler import in_thread

    with in_thread(app, jobs=[tick_every(seconds=1)]):
        deadline = time.monotonic() + 5
        while not scheduler_support.TICKS and time.monotonic() < deadline:
            time.sleep(0.05)  # the console's loop is blocked reading a line; the thread's is not
    assert scheduler_support.TICKS
    with in_thread(app):  # and stops within the block's end
        pass
    assert {job.id for job in stored_jobs(url_of(app))} == {spec.id for spec in JOBS}


# --- several processes (PostgreSQL) ---------------------------------------------------------------


def lock_holders(admin, schema: str) -> list[int]:
    with admin.connect() as conn:
        return [row.pid for row in conn.execute(text(
            "SELECT pid FROM pg_locks WHERE locktype = 'advisory' AND classid = :class AND granted "
            "AND objid = (hashtext(:schema)::bigint & 4294967295)::text::oid"),
            {"class": LOCK_CLASS, "schema": schema})]


def refuse_when(cut: list, i: int):
    def refuse(dialect, record, cargs, cparams):
        if cut[i]:
            raise psycopg2.OperationalError("network cut (test)")
    return refuse


def test_on_postgresql_one_scheduler_runs_the_jobs_and_another_takes_over_when_its_lock_drops(postgres):
    url, connect_args, _, admin, schema = postgres
    stand_in = types.SimpleNamespace(civic=None)  # the tick job needs no application

    async def scenario():
        schedulers = [Scheduler(stand_in, url, jobs=[tick_every(seconds=1)], connect_args=connect_args, **FAST)
                      for _ in range(2)]
        cut = [False, False]
        for i, scheduler in enumerate(schedulers):
            event.listen(scheduler.lock.engine, "do_connect", refuse_when(cut, i))
        for scheduler in schedulers:
            await scheduler.start()
        await until(lambda: any(s.leading for s in schedulers), timeout=5)
        await asyncio.sleep(3.2)
        assert [s.leading for s in schedulers].count(True) == 1
        assert len(lock_holders(admin, schema)) == 1
        first = next(i for i, s in enumerate(schedulers) if s.leading)
        ticks = list(scheduler_support.TICKS)

        # The leader is cut off from the server: its lock's session ends, and it cannot
        # open another. It stops; the other takes the lock and runs the jobs.
        cut[first] = True
        [pid] = lock_holders(admin, schema)
        with admin.begin() as conn:
            conn.execute(text("SELECT pg_terminate_backend(:pid)"), {"pid": pid})
        other = schedulers[1 - first]
        await until(lambda: other.leading and not schedulers[first].leading, timeout=5)
        cut[first] = False  # back: the lock is taken, so it stays a follower
        handed_over = len(scheduler_support.TICKS)
        await asyncio.sleep(3.2)
        assert other.leading and not schedulers[first].leading
        for scheduler in schedulers:
            await scheduler.stop()
        return ticks, handed_over

    ticks, handed_over = run(scenario())
    assert 3 <= len(ticks) <= 5  # about one a second while one leads
    assert 3 <= len(scheduler_support.TICKS) - handed_over <= 4
    gaps = [b - a for a, b in zip(scheduler_support.TICKS, scheduler_support.TICKS[1:])]
    assert min(gaps) > 0.5, gaps  # never two runs of one firing
