"""The scheduler's jobs: module-level coroutines the job store names by text
("bot.jobs:deadlines"), each issuing service calls of civic and logging counts only
(no names, texts, phones or case numbers).

A job finds the running application (bot.app.Application: ``civic`` and ``clock``)
through ``use(app)``, which bot.scheduler.Scheduler calls when it starts; "now" is
always ``app.clock()``. The store is synchronous SQLAlchemy, so every service runs on
a worker thread (``asyncio.to_thread``) and the event loop stays free. A job that
fails logs a masked traceback and returns: the next run tries again (every service is
idempotent, so a run repeated by a restart or a handover changes nothing twice).

- ``deadlines``: 催办提醒 before each deadline (civic.services.reminders), then the
  deadline checks (civic.services.commands.check_deadlines: escalation one level up
  per passed deadline, cases resolved and unrated for 7 days closed);
- ``mediation_reminders``: a booking's resident and mediator, a day and an hour before;
- ``rating_reminder``: the reporter of a case resolved 24 hours ago and not rated;
- ``weekly_rates``: 三率 of the last full week and the one before, to the command
  centre's desk (civic.services.reports);
- ``heartbeat``: the delivery pipeline's state in the log; a warning when a due
  delivery has waited more than ``STALE``.
"""
from __future__ import annotations

import asyncio
import datetime as dt
import logging
import time
from typing import Callable

from bot.failures import masked_traceback
from civic.services import commands, reminders, reports

log = logging.getLogger(__name__)

STALE = dt.timedelta(minutes=5)  # a due delivery waiting longer is warned of

_app = None
# The job runs in flight (their tasks), so that a stopping scheduler can let them end.
RUNNING: set[asyncio.Task] = set()


def use(app) -> None:
    """The application the jobs act for (bot.scheduler.Scheduler.start calls it)."""
    global _app
    _app = app


def current():
    if _app is None:
        raise RuntimeError("no application for the scheduler's jobs: bot.scheduler.Scheduler.start sets it")
    return _app


def job(function: Callable) -> Callable:
    """A job: tracked while it runs, timed, and never raising (a masked traceback instead).

    The job takes no arguments: APScheduler checks a job's signature, so the wrapper has
    the name of the function it wraps but not its signature (no ``functools.wraps``)."""
    async def run() -> None:
        task = asyncio.current_task()
        RUNNING.add(task)
        started = time.monotonic()
        try:
            await function(current())
        except Exception as error:  # the next run tries again
            log.error("job %s failed:\n%s", function.__name__, masked_traceback(error))
        finally:
            RUNNING.discard(task)
            log.debug("job %s took %.2f s", function.__name__, time.monotonic() - started)
    run.__name__, run.__qualname__, run.__doc__ = function.__name__, function.__qualname__, function.__doc__
    return run


def _write(app, service, now):
    with app.civic.uow() as uow:
        return service(uow, app.civic.services, now)


def _read(app, query, now):
    with app.civic.reader() as uow:
        return query(uow, now)


@job
async def deadlines(app) -> None:
    now = app.clock()
    reminded = await asyncio.to_thread(_write, app, reminders.deadline_reminders, now)
    touched = await asyncio.to_thread(_write, app, commands.check_deadlines, now)
    log.info("deadlines: %d reminders sent, %d cases escalated or closed", reminded, len(touched))


@job
async def mediation_reminders(app) -> None:
    sent = await asyncio.to_thread(_write, app, reminders.booking_reminders, app.clock())
    log.info("mediation reminders: %d bookings reminded", sent)


@job
async def rating_reminder(app) -> None:
    sent = await asyncio.to_thread(_write, app, reminders.rating_reminders, app.clock())
    log.info("rating reminders: %d reporters reminded", sent)


@job
async def weekly_rates(app) -> None:
    payload = await asyncio.to_thread(_write, app, reports.weekly_rates, app.clock())
    if payload is None:
        log.info("weekly rates: this week's report was sent already")
        return
    street = payload["street"]["this"]
    log.info("weekly rates for the week of %s: %d dispatched, %d rated, %d grids",
             payload["week_start"], street["dispatched"], street["rated"], len(payload["grids"]))


@job
async def heartbeat(app) -> None:
    now = app.clock()
    state = await asyncio.to_thread(_read, app, reports.dispatch_state, now)
    wait = state.oldest_due_wait
    waited = f"{wait.total_seconds():.0f} s" if wait is not None else "-"
    log.info("dispatcher: %d pending (%d due, the oldest due waiting %s), %d failed",
             state.pending, state.due, waited, state.failed)
    if wait is not None and wait > STALE:
        log.warning("dispatcher: a due delivery has waited %.0f minutes (more than %.0f): is the "
                    "dispatcher running, and does it hold its lock?", wait.total_seconds() / 60,
                    STALE.total_seconds() / 60)
