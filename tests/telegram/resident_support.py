"""Helpers for the Telegram tests: the bot against the Bot API stand-in, in-process (one
event loop runs the stand-in, python-telegram-bot, the agent and the dispatcher, as the
bot process does), the clock, and waiting for the bot to settle."""
from __future__ import annotations

import asyncio
import contextlib
import datetime as dt
import itertools
import os
import time

from bot.telegram.runner import Settings, serve
from standin import StandIn

USER_BLOCKS = itertools.count(2_000_000_000 + (os.getpid() % 10_000) * 1_000_000, 1_000)
# A Wednesday at 10:00 in Shanghai: office hours, so the dialogue's answers are fixed.
WEDNESDAY_TEN = dt.datetime(2026, 11, 18, 10, 0, tzinfo=dt.timezone(dt.timedelta(hours=8)))


class Clock:
    """Wednesday 10:00 plus the seconds the test has run: the stand-in's message dates
    and the bot's clock agree."""

    def __init__(self):
        self.start = time.monotonic()

    def __call__(self) -> dt.datetime:
        return WEDNESDAY_TEN + dt.timedelta(seconds=time.monotonic() - self.start)

    def timestamp(self) -> float:
        return self().timestamp()


@contextlib.asynccontextmanager
async def running(app, standin, **settings):
    """The bot serving the stand-in until the block ends (then stopped as by SIGTERM)."""
    stop, started = asyncio.Event(), asyncio.get_running_loop().create_future()
    options = {"token": standin.token, "api_url": standin.base_url, "poll_timeout": 1, **settings}
    task = asyncio.create_task(serve(app, Settings(**options), stop=stop, started=started))
    done, _ = await asyncio.wait({task, started}, timeout=20, return_when=asyncio.FIRST_COMPLETED)
    if task in done:
        task.result()  # start-up failed: raise why
    assert started in done, "the bot did not start"
    try:
        yield started.result()
    finally:
        stop.set()
        await asyncio.wait_for(task, 30)


@contextlib.asynccontextmanager
async def standin_and_bot(app, clock, **settings):
    async with StandIn(seed=1, clock=clock.timestamp) as standin:
        # Residents of their own: the Rasa agent (and its tracker store) is shared by the
        # whole session, and a user id met again would carry another test's conversation.
        standin._next_ids["user"] = next(USER_BLOCKS)
        async with running(app, standin, **settings) as bot:
            yield standin, bot


def run(coroutine):
    return asyncio.run(coroutine)


async def until(predicate, timeout: float = 20.0, every: float = 0.05):
    """Poll ``predicate`` until it returns something true (the bot's own store changes do
    not wake the stand-in's wait_until)."""
    loop = asyncio.get_running_loop()
    deadline = loop.time() + timeout
    while True:
        result = predicate()
        if result:
            return result
        if loop.time() > deadline:
            raise asyncio.TimeoutError(f"not within {timeout} s")
        await asyncio.sleep(every)


async def settled(standin, bot, timeout: float = 20.0) -> None:
    """Every update the stand-in made is in the inbox and handled, nothing queued."""
    def idle() -> bool:
        ids = {u["update_id"] for u in standin.pending_updates()}
        with bot.inbox.engine.begin() as conn:
            from sqlalchemy import select

            from civic.adapters.tables_channels import inbox
            rows = dict(conn.execute(select(inbox.c.update_id, inbox.c.state)).all())
        return (ids <= rows.keys() and not {"pending", "answered"} & set(rows.values())
                and bot.processor.chats == 0)

    await until(idle, timeout)
