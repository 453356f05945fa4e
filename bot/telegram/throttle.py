"""Telegram's flood limits, kept by the bot itself (DESIGN.md, "Channels and delivery").

About 30 messages a second overall, one a second per private chat, 20 a minute per group
(all its topics together, edits included). python-telegram-bot's ``AIORateLimiter`` is not
used: one ``RetryAfter`` pauses every request there, and the pause ends early as soon as any
other request finishes (its ``finally`` sets the event again).

How a send is counted. Telegram counts a message when its request arrives, which we never
see: only that it lies between our start of the request and its answer. So a send counts
against a window from the moment it starts until its answer plus the window's length
(still in flight: counted). Then no window Telegram can see holds more than the limit,
whatever the latency or an event-loop stall, and on loopback the cost is only the latency
(about 29.7 a second instead of 30). A request that timed out counts until it gave up.

- overall: at most ``per_second`` sends counted in the last second; those waiting line up
  first come, first served (``asyncio.Lock`` is fair), so no delivery starves;
- a private chat: one send at a time; a short burst of ``chat_burst`` goes at once (the
  Bots FAQ: "short bursts that go over this limit" are allowed), then one a
  ``chat_interval`` counted from the answers: a direct answer of two or three messages is
  not held back, a chat never averages more than one a second;
- a group: at most ``group_per_minute`` counted in the last minute;
- ``pause(seconds, chat_id)``: a RetryAfter for that chat, waited exactly as long as told,
  from now (a later, shorter one does not shorten it); ``pause(seconds)`` without a chat
  when Telegram says the bot as a whole is limited (a call that names no chat).

One Throttle per bot token in one process: two processes would each allow 30 a second,
which is why one dispatcher runs per store (bot/delivery_loop.py).
"""
from __future__ import annotations

import asyncio
import collections
import contextlib
import time
import warnings
from typing import AsyncIterator, Callable

from telegram.warnings import PTBDeprecationWarning

OVERALL_PER_SECOND = 30
CHAT_INTERVAL = 1.0  # seconds between two messages to one private chat, on average
CHAT_BURST = 3  # messages to one private chat that may go at once before the interval holds
GROUP_PER_MINUTE = 20
FORGET_AFTER = 120.0  # seconds: a chat idle this long has no state left worth keeping


class Throttle:
    def __init__(self, *, per_second: int = OVERALL_PER_SECOND, chat_interval: float = CHAT_INTERVAL,
                 chat_burst: int = CHAT_BURST, group_per_minute: int = GROUP_PER_MINUTE, group_window: float = 60.0,
                 clock: Callable[[], float] = time.monotonic):
        self.per_second, self.chat_interval, self.chat_burst = per_second, chat_interval, max(1, chat_burst)
        self.group_per_minute, self.group_window = group_per_minute, group_window
        self._clock = clock
        self._overall = _Window(1.0, per_second)
        self._queue = asyncio.Lock()  # the line for the overall limit, first come first served
        self._paused_until = 0.0  # everything (the bot as a whole was limited)
        self._chat_paused: dict[int, float] = {}
        # Private chats: the theoretical time of the next send (GCRA): each answer moves it
        # one interval on from itself or from the answer, whichever is later.
        self._chat_due: dict[int, float] = {}
        self._chat_busy: set[int] = set()
        self._groups: dict[int, _Window] = {}
        self._changed = asyncio.Event()
        self._forgotten_at = clock()

    @contextlib.asynccontextmanager
    async def slot(self, chat_id: int, *, group: bool = False) -> AsyncIterator[None]:
        """Wait until one message to ``chat_id`` may go, and count it while inside."""
        await self._acquire(chat_id, group)
        try:
            yield
        finally:
            self._release(chat_id, group)

    def pause(self, seconds: float, chat_id: int | None = None) -> None:
        """Telegram said to wait ``seconds`` (RetryAfter): this chat, or everything."""
        until = self._clock() + max(0.0, float(seconds))
        if chat_id is None:
            self._paused_until = max(self._paused_until, until)
        else:
            self._chat_paused[chat_id] = max(self._chat_paused.get(chat_id, 0.0), until)
        self._notify()

    def paused_for(self, chat_id: int | None = None) -> float:
        """Seconds until a send to ``chat_id`` (or any send) is no longer paused."""
        now = self._clock()
        until = max(self._paused_until, self._chat_paused.get(chat_id, 0.0) if chat_id is not None else 0.0)
        return max(0.0, until - now)

    # --- inside --------------------------------------------------------------------------

    async def _acquire(self, chat_id: int, group: bool) -> None:
        while True:
            # The chat first, outside the line: a chat that must wait holds nobody up.
            while (ready := self._chat_ready_at(chat_id, group)) > self._clock() or chat_id in self._chat_busy:
                await self._wait(None if chat_id in self._chat_busy else ready)
            async with self._queue:
                while (ready := max(self._overall.free_at(self._clock()), self._paused_until)) > self._clock():
                    await self._wait(ready)
                # A RetryAfter for this chat may have come while in line: then line up again.
                if self._chat_ready_at(chat_id, group) <= self._clock() and chat_id not in self._chat_busy:
                    self._overall.start()
                    self._chat_busy.add(chat_id)
                    if group:
                        self._group(chat_id).start()
                    return

    def _release(self, chat_id: int, group: bool) -> None:
        now = self._clock()
        self._overall.finish(now)
        self._chat_busy.discard(chat_id)
        if group:
            self._group(chat_id).finish(now)
        else:
            self._chat_due[chat_id] = max(self._chat_due.get(chat_id, 0.0), now) + self.chat_interval
        self._forget(now)
        self._notify()

    def _chat_ready_at(self, chat_id: int, group: bool) -> float:
        now = self._clock()
        ready = max(self._chat_paused.get(chat_id, 0.0), self._paused_until)
        if group:
            return max(ready, self._group(chat_id).free_at(now))
        due = self._chat_due.get(chat_id)
        if due is None:
            return ready
        return max(ready, due - (self.chat_burst - 1) * self.chat_interval)

    def _group(self, chat_id: int) -> _Window:
        if chat_id not in self._groups:
            self._groups[chat_id] = _Window(self.group_window, self.group_per_minute)
        return self._groups[chat_id]

    async def _wait(self, until: float | None) -> None:
        """Until ``until`` (monotonic seconds) or until anything changed, whichever is first."""
        changed = self._changed
        timeout = None if until is None else max(0.0, until - self._clock())
        with contextlib.suppress(asyncio.TimeoutError):
            await asyncio.wait_for(changed.wait(), timeout)

    def _notify(self) -> None:
        self._changed.set()
        self._changed = asyncio.Event()

    def _forget(self, now: float) -> None:
        """Drop the state of chats long idle (two thousand residents a day add up)."""
        if now - self._forgotten_at < FORGET_AFTER:
            return
        self._forgotten_at = now
        for table in (self._chat_due, self._chat_paused):
            for chat_id in [c for c, t in table.items() if t < now]:
                del table[chat_id]
        for chat_id in [c for c, w in self._groups.items() if w.idle(now)]:
            del self._groups[chat_id]


class _Window:
    """Sends counted from their start until their answer plus ``length`` seconds."""

    def __init__(self, length: float, limit: int):
        self.length, self.limit = length, limit
        self.in_flight = 0
        self.ends: collections.deque[float] = collections.deque()  # answers, in order

    def start(self) -> None:
        self.in_flight += 1

    def finish(self, now: float) -> None:
        self.in_flight -= 1
        self.ends.append(now)

    def free_at(self, now: float) -> float:
        """When one more send may start: now, or when the oldest counted answer leaves."""
        while self.ends and self.ends[0] + self.length <= now:
            self.ends.popleft()
        if self.in_flight + len(self.ends) < self.limit:
            return now
        if not self.ends:  # all in flight: the first answer to come frees nothing for a window
            return now + self.length
        return self.ends[0] + self.length

    def idle(self, now: float) -> bool:
        return self.in_flight == 0 and self.free_at(now) == now and not self.ends


def retry_seconds(error) -> float:
    """How long Telegram's RetryAfter says to wait: ``retry_after`` is seconds as an int,
    or a timedelta with PTB_TIMEDELTA set (python-telegram-bot 22.2 warns that the int
    goes away; either is read here)."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", PTBDeprecationWarning)
        retry_after = error.retry_after
    return retry_after.total_seconds() if hasattr(retry_after, "total_seconds") else float(retry_after)
