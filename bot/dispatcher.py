"""The dispatcher: due deliveries out through the sender port, each marked sent only
after the sender accepted it (DESIGN.md, "Channels and delivery").

``dispatch_once(now)`` repeats rounds until nothing is due (or ``limit`` deliveries
were claimed): claim a batch under a lease and commit the claim; render each and
hand it to the sender, recipients concurrently; record each result in a short
transaction of its own. Only the earliest pending delivery of a recipient is ever
claimed, so a person's messages go out in order, one at a time, across dispatchers.

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

Render = Callable[[Due, dt.datetime], Message]


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
                 batch: int = 50, concurrency: int = 8):
        self.engine: Engine = getattr(engine_or_civic, "engine", engine_or_civic)
        self.render, self.sender = render, sender
        self.lease, self.max_attempts = lease, max_attempts
        self.backoff, self.backoff_cap = backoff, backoff_cap
        self.batch, self.concurrency = batch, concurrency

    async def dispatch_once(self, now: dt.datetime, recipients: Iterable[str] | None = None,
                            limit: int = 500) -> DispatchReport:
        """Send what is due at ``now`` (to ``recipients`` only, when given)."""
        if isinstance(recipients, str):
            recipients = [recipients]
        recipients = None if recipients is None else list(recipients)
        report = DispatchReport()
        gate = asyncio.Semaphore(self.concurrency)
        while report.claimed < limit:
            size = min(self.batch, limit - report.claimed)
            claimed = await asyncio.to_thread(
                self._store, lambda store: store.claim(now, self.lease, size, recipients))
            if not claimed:
                break
            report.claimed += len(claimed)
            await asyncio.gather(*(self._deliver(due, now, report, gate) for due in claimed))
        return report

    async def _deliver(self, due: Due, now: dt.datetime, report: DispatchReport,
                       gate: asyncio.Semaphore) -> None:
        async with gate:
            try:
                message = self.render(due, now)
                await self.sender.send(due.recipient, message)
            except RetryLater as wait:
                # The channel refused before trying (flood control): wait as told,
                # not counted against the recipient.
                after = max(dt.timedelta(seconds=wait.after), dt.timedelta(seconds=1))
                await self._record(report, "retried", lambda s: s.retry(
                    due, now + after, str(wait), attempted=False))
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
                    at = now + self._backoff(due.attempts)
                    await self._record(report, "retried", lambda s: s.retry(due, at, _describe(error)))
            else:
                await asyncio.to_thread(self._store, lambda s: s.sent(due, now))
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
