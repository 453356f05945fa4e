"""Helpers of the scheduler tests: a clock the test moves, what each person was sent,
the civic moves the scenarios need, and small jobs whose runs a test can count."""
from __future__ import annotations

import asyncio
import datetime as dt
import time
from collections import defaultdict
from zoneinfo import ZoneInfo

from bot.dispatcher import Dispatcher
from bot.senders import FakeSender
from civic.domain.actors import Actor
from civic.services import cases, commands

SHANGHAI = ZoneInfo("Asia/Shanghai")


def shanghai(year, month, day, hour=0, minute=0) -> dt.datetime:
    return dt.datetime(year, month, day, hour, minute, tzinfo=SHANGHAI)


class Clock:
    """The application's clock, set by the test."""

    def __init__(self, at: dt.datetime):
        self.at = at

    def __call__(self) -> dt.datetime:
        return self.at


class Inboxes:
    """What every recipient was sent since the last look, as the dispatcher renders it."""

    def __init__(self, app):
        self.app, self.sender, self.seen = app, FakeSender(), 0

    def new(self) -> dict[str, list]:
        dispatcher = Dispatcher(self.app.civic, self.app.renderer, self.sender)
        asyncio.run(dispatcher.dispatch_once(self.app.clock()))
        fresh, self.seen = self.sender.sent[self.seen:], len(self.sender.sent)
        found = defaultdict(list)
        for recipient, message in fresh:
            found[recipient].append(message)
        return dict(found)

    def texts(self) -> dict[str, list[str]]:
        return {recipient: [m.text for m in messages] for recipient, messages in self.new().items()}


def report(app, reporter: str, category: str, description: str, address: str):
    with app.civic.uow() as uow:
        return cases.report_case(uow, app.civic.services, actor=Actor.resident(reporter), category=category,
                                 description=description, address=address, now=app.clock(),
                                 file_anyway=True).case


def move(app, number: str, staff_id: str | None, action: str, note: str = "", actor: Actor | None = None, **options):
    actor = actor or cases.staff_actor(app.civic.services.district, staff_id)
    with app.civic.uow() as uow:
        command = commands.named(action, number=number, actor=actor, now=app.clock(), note=note, **options)
        return commands.handle(uow, app.civic.services, command).case


# --- jobs for the tests of the scheduler itself (named by text: "scheduler_support:tick") ----

TICKS: list[float] = []


async def tick() -> None:
    TICKS.append(time.monotonic())
