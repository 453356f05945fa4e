"""With a fifth of the Bot API calls failing (429 with retry_after, 500, 502, time-outs that
delivered the message and time-outs that did not), every delivery reaches its resident, in
order, within Telegram's limits, and the only duplicates are messages whose send timed out
after Telegram had carried it out."""
from __future__ import annotations

import asyncio
import collections
import datetime as dt
import time

from bot.app import build_application
from bot.delivery_loop import delivery_dispatcher, run_dispatcher
from bot.telegram.sender import TelegramSender
from delivery_support import arrivals, make_bot, queue_points, states, system_clock, tag
from standin import StandIn

USERS = [700_000 + i for i in range(60)]
PER_USER = 3
FAULTS = [("retry_after", 0.05, {"retry_after": 1}), ("server_error", 0.05, {}), ("bad_gateway", 0.05, {}),
          ("timeout", 0.04, {"deliver": True, "hang": 1.5}), ("timeout", 0.02, {"hang": 1.5})]


def test_every_delivery_arrives_through_a_fifth_of_calls_failing_and_only_timed_out_sends_twice(fresh_store):
    app = build_application(civic=fresh_store, agent=object(), clock=system_clock)
    total = queue_points(fresh_store.engine, USERS, per_user=PER_USER)

    async def scenario():
        async with StandIn(seed=7, enforce_rate_limits=True) as standin:
            for uid in USERS:
                standin.add_user("居民", user_id=uid, started=True)
            for kind, probability, options in FAULTS:
                standin.set_fault_rate("sendMessage", kind, probability, **options)
            async with make_bot(standin, read_timeout=0.5) as bot:
                sender = TelegramSender(bot, app.codec, app.clock)
                stop = asyncio.Event()
                loop = asyncio.create_task(run_dispatcher(app, sender, stop, dispatcher=delivery_dispatcher(
                    app, sender, backoff=dt.timedelta(seconds=0.3))))
                deadline = time.monotonic() + 60
                while states(fresh_store.engine)["sent"] < total and time.monotonic() < deadline:
                    await asyncio.sleep(0.2)
                stop.set()
                await asyncio.wait_for(loop, 15)
            return standin

    try:
        standin = asyncio.run(scenario())
    finally:
        from actions import runtime
        runtime.configure(None)
    assert states(fresh_store.engine) == {"sent": total}
    calls = standin.calls("sendMessage")
    faults = collections.Counter(c["fault"] for c in calls if c["fault"])
    assert 0.12 < sum(faults.values()) / len(calls) < 0.30 and len(faults) == 4, faults
    # Every notice arrived; the extra copies are exactly the time-outs Telegram carried out.
    counts = arrivals(standin, USERS, PER_USER)
    assert min(counts.values()) == 1
    carried_out = collections.Counter(
        (int(c["params"]["chat_id"]), n) for c in calls if c["fault"] == "timeout" and c["delivered"]
        for n in range(PER_USER) if tag(n) in c["params"]["text"])
    assert carried_out, "no time-out delivered: the test did not test duplicates"
    duplicates = {key: count - 1 for key, count in counts.items() if count > 1}
    assert duplicates == dict(carried_out)
    # In order per resident, and never over a flood limit (a 429 here is an injected one).
    for uid in USERS:
        firsts = [n for text in standin.texts(uid) for n in range(PER_USER) if tag(n) in text]
        assert sorted(set(firsts)) == list(dict.fromkeys(firsts))
    assert standin.rate_violations() == []
