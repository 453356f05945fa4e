"""The dispatcher: due deliveries out through the sender port, each marked sent only
after the sender accepted it (DESIGN.md, "Channels and delivery").

``dispatch_once(now)`` claims until nothing is due (or ``limit`` deliveries were
claimed): claim a batch under a lease and commit the claim; render each and hand it
to the sender, recipients concurrently (at most ``concurrency`` at once); record each
result in a short transaction of its own. A new batch is claimed as soon as there is
room for a whole one, so one slow send (a time-out) never holds up the next batch; when
a claim finds nothing while sends still run, it looks again every ``relook`` seconds.
Only the earliest pending delivery of a recipient is ever claimed, so a person's
messages go out in order, one at a time, across dispatchers.

With a ``clock`` the claims and results of a long call use the time they happen
(the delivery loop's); without one, the ``now`` given. With ``stop`` set, nothing more
is claimed and claimed deliveries not yet handed to the sender are given back.

A crash between the send and its record leaves the row pending with a lease: when
the lease has passed another dispatcher sends it again. That message, the one in
flight, is the only one that can arrive twice.

The store work is synchronous SQLAlchemy and runs off the event loop
(``asyncio.to_thread``), so one slow transaction does not hold up other residents.
"""
from __future__ import annotations

import asyncio
import dataclasses
import datetime as dt
import logging
from typing import Callable, Iterable

from sqlalchemy.engine import Engine

from bot.senders import Message, PermanentFailure, RecipientBlocked, RetryLater, Sender
from civic.adapters.deliveries_repository import DeliveryRepository, Due

log = logging.getLogger(__name__)

# The message of a delivery; None when events overtook it (a reminder to rate a case the
# resident has rated meanwhile): it is marked sent without a word.
Render = Callable[[Due, dt.datetime], Message | None]


@dataclasses.dataclass
class DispatchReport:
    claimed: int = 0
    sent: int = 0
    retried: int = 0  # to be tried again later
    blocked: int = 0
    failed: int = 0
    superseded: int = 0  # results not recorded: the lease had passed to another dispatcher
    sent_to: list[tuple[int, str]] = dataclasses.field(default_factory=list)  # (event id, recipient)


class Dispatcher:
    def __init__(self, engine_or_civic, render: Render, sender: Sender, *,
                 lease: dt.timedelta = dt.timedelta(minutes=2), max_attempts: int = 8,
                 backoff: dt.timedelta = dt.timedelta(seconds=10),
                 backoff_cap: dt.timedelta = dt.timedelta(hours=1),
                 batch: int = 50, concurrency: int = 8,
                 clock: Callable[[], dt.datetime] | None = None, relook: float = 0.5):
        self.engine: Engine = getattr(engine_or_civic, "engine", engine_or_civic)
        self.render, self.sender = render, sender
        self.clock, self.relook = clock, relook
        self.lease, self.max_attempts = lease, max_attempts
        self.backoff, self.backoff_cap = backoff, backoff_cap
        self.batch, self.concurrency = batch, concurrency

    async def dispatch_once(self, now: dt.datetime, recipients: Iterable[str] | None = None,
                            limit: int = 500, stop: asyncio.Event | None = None) -> DispatchReport:
        """Send what is due at ``now`` (to ``recipients`` only, when given)."""
        if isinstance(recipients, str):
            recipients = [recipients]
        recipients = None if recipients is None else list(recipients)
        report = DispatchReport()
        gate = asyncio.Semaphore(self.concurrency)
        running: set[asyncio.Task] = set()
        clock = asyncio.get_running_loop().time
        dry_at = None  # when a claim last found nothing: look again only a moment later
        try:
            while True:
                stopping = stop is not None and stop.is_set()
                room = not running or len(running) + self.batch <= self.concurrency
                looked = dry_at is not None and clock() - dry_at < self.relook
                if room and not looked and not stopping and report.claimed < limit:
                    size, at = min(self.batch, limit - report.claimed), self._now(now)
                    claimed = await asyncio.to_thread(
                        self._store, lambda store: store.claim(at, self.lease, size, recipients))
                    report.claimed += len(claimed)
                    running |= {asyncio.create_task(self._deliver(due, now, report, gate, stop))
                                for due in claimed}
                    dry_at = None if claimed else clock()
                    if claimed:
                        continue
                if not running:
                    break
                # Wake when one finishes, or when it is time to look again for deliveries that
                # became due meanwhile (a retry's time came) while slow sends still run.
                timeout = max(0.0, dry_at + self.relook - clock()) if dry_at is not None and room else None
                done, running = await asyncio.wait(running, timeout=timeout,
                                                   return_when=asyncio.FIRST_COMPLETED)
                for task in done:
                    task.result()  # a store error: stop here, the leases expire
                if not running:
                    dry_at = None  # what finished may have let a recipient's next one through
        finally:
            for task in running:
                task.cancel()
        return report

    def _now(self, now: dt.datetime) -> dt.datetime:
        return self.clock() if self.clock is not None else now

    async def _deliver(self, due: Due, now: dt.datetime, report: DispatchReport,
                       gate: asyncio.Semaphore, stop: asyncio.Event | None = None) -> None:
        async with gate:
            if stop is not None and stop.is_set():  # claimed but never handed over: give it back
                await asyncio.to_thread(self._store, lambda s: s.release(due))
                return
            try:
                message = self.render(due, self._now(now))
                if message is not None:  # None: overtaken by events, nothing to say any more
                    await self.sender.send(due.recipient, message)
            except RetryLater as wait:
                # The channel refused before trying (flood control): wait as told,
                # not counted against the recipient.
                at = self._now(now) + max(dt.timedelta(seconds=wait.after), dt.timedelta(seconds=1))
                await self._record(report, "retried", lambda s: s.retry(
                    due, at, str(wait), attempted=False))
            except RecipientBlocked as error:
                await self._record(report, "blocked", lambda s: s.block(due, _describe(error)))
            except PermanentFailure as error:
                await self._record(report, "failed", lambda s: s.fail(due, _describe(error)))
            except Exception as error:  # time-outs, network, a renderer's bug: try again later
                log.warning("delivery of event %s to %s failed (attempt %d): %s", due.event_id,
                            due.recipient, due.attempts + 1, _describe(error),
                            exc_info=not isinstance(error, (ConnectionError, TimeoutError, OSError)))
                if due.attempts + 1 >= self.max_attempts:
                    await self._record(report, "failed", lambda s: s.fail(due, _describe(error)))
                else:
                    at = self._now(now) + self._backoff(due.attempts)
                    await self._record(report, "retried", lambda s: s.retry(due, at, _describe(error)))
            else:
                at = self._now(now)
                await asyncio.to_thread(self._store, lambda s: s.sent(due, at))
                report.sent += 1
                report.sent_to.append((due.event_id, due.recipient))

    def _backoff(self, attempts_before: int) -> dt.timedelta:
        """10 s, 20 s, 40 s, ... up to the cap."""
        return min(self.backoff * (2 ** min(attempts_before, 30)), self.backoff_cap)

    async def _record(self, report: DispatchReport, outcome: str, change) -> None:
        if await asyncio.to_thread(self._store, change):
            setattr(report, outcome, getattr(report, outcome) + 1)
        else:
            report.superseded += 1

    def _store(self, work):
        with self.engine.begin() as conn:
            return work(DeliveryRepository(conn))


def _describe(error: BaseException) -> str:
    return f"{type(error).__name__}: {error}"
