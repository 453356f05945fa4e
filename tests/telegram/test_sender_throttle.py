"""The throttle on its own, in real time with small limits: what goes when, and pauses that
last exactly as long as Telegram said (AIORateLimiter's early release does not happen)."""
from __future__ import annotations

import asyncio
import time

from bot.telegram.throttle import Throttle


def run(coroutine):
    return asyncio.run(coroutine)


async def send(throttle: Throttle, chat: int, log: list, *, group: bool = False, takes: float = 0.01):
    async with throttle.slot(chat, group=group):
        started = time.monotonic()
        await asyncio.sleep(takes)  # the request
        log.append((chat, started, time.monotonic()))


def test_one_chat_gets_its_next_message_an_interval_after_the_previous_answer():
    async def scenario():
        throttle, log = Throttle(chat_interval=0.2, chat_burst=1), []
        await asyncio.gather(*(send(throttle, 7, log) for _ in range(4)))
        for (_, _, ended), (_, started, _) in zip(log, log[1:]):
            assert started - ended >= 0.2
    run(scenario())


def test_a_short_burst_to_one_chat_goes_at_once_then_one_an_interval():
    async def scenario():
        throttle, log = Throttle(chat_interval=0.2, chat_burst=3), []
        begun = time.monotonic()
        await asyncio.gather(*(send(throttle, 7, log) for _ in range(6)))
        starts = [started - begun for _, started, _ in log]
        assert max(starts[:3]) < 0.1  # a direct answer of three messages is not held back
        for (_, _, ended), (_, started, _) in zip(log, log[3:]):
            assert started >= ended + 0.2  # never more than three within an interval
        assert starts[5] >= 0.55  # and then one an interval: the sixth 3 intervals on
    run(scenario())


def test_overall_no_second_holds_more_than_the_limit_counting_from_start_to_answer():
    async def scenario():
        throttle, log = Throttle(per_second=5), []
        begun = time.monotonic()
        await asyncio.gather(*(send(throttle, chat, log) for chat in range(12)))
        log.sort(key=lambda entry: entry[1])
        # The sixth send starts only a second after the first one's answer: so whenever
        # Telegram saw each request arrive, no one-second window held six.
        for earlier, later in zip(log, log[5:]):
            assert later[1] >= earlier[2] + 1.0
        assert time.monotonic() - begun < 2.6  # and it does not wait more than that
    run(scenario())


def test_a_pause_for_one_chat_holds_only_that_chat_and_ends_as_told():
    async def scenario():
        throttle, log = Throttle(), []
        throttle.pause(0.5, chat_id=1)
        begun = time.monotonic()
        await asyncio.gather(send(throttle, 1, log), send(throttle, 2, log))
        when = {chat: started - begun for chat, started, _ in log}
        assert when[2] < 0.1 and 0.5 <= when[1] < 0.7
    run(scenario())


def test_a_pause_is_not_released_early_by_other_sends_nor_shortened_by_a_later_one():
    async def scenario():
        throttle, log = Throttle(), []
        throttle.pause(0.6, chat_id=1)
        begun = time.monotonic()
        waiting = asyncio.create_task(send(throttle, 1, log))
        for chat in range(2, 8):  # other chats finishing wake the waiters: chat 1 still waits
            await send(throttle, chat, log)
        throttle.pause(0.1, chat_id=1)
        await waiting
        assert [chat for chat, _, _ in log][-1] == 1
        assert log[-1][1] - begun >= 0.6
    run(scenario())


def test_a_pause_of_the_whole_bot_holds_every_chat():
    async def scenario():
        throttle, log = Throttle(), []
        throttle.pause(0.4)
        begun = time.monotonic()
        await asyncio.gather(*(send(throttle, chat, log) for chat in (1, 2, 3)))
        assert min(started for _, started, _ in log) - begun >= 0.4
        assert throttle.paused_for() == 0.0
    run(scenario())


def test_a_group_gets_its_budget_per_window():
    async def scenario():
        throttle, log = Throttle(group_per_minute=3, group_window=0.5), []
        await asyncio.gather(*(send(throttle, -100, log, group=True) for _ in range(5)))
        starts = sorted(started for _, started, _ in log)
        ends = sorted(ended for _, _, ended in log)
        assert starts[3] >= ends[0] + 0.5  # the fourth waits for the first to leave the window
    run(scenario())
