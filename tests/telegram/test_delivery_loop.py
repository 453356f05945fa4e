"""The delivery loop of the bot process over the Bot API stand-in: it sends what is queued,
stops promptly without losing anything, and on PostgreSQL only one process dispatches."""
from __future__ import annotations

import asyncio
import datetime as dt
import time

import psycopg2
import pytest
from sqlalchemy import event, text

from bot.app import build_application
from bot.delivery_loop import LOCK_CLASS, delivery_dispatcher, run_dispatcher
from bot.telegram.sender import TelegramSender
from civic.bootstrap import Civic
from delivery_support import Counting, arrivals, make_bot, postgres_schema, queue_points, states, system_clock
from standin import StandIn

USERS = [500_000 + i for i in range(30)]
FAST = dict(backoff=dt.timedelta(seconds=0.2))  # retries within a test's time


def run(coroutine):
    return asyncio.run(coroutine)


@pytest.fixture
def application():
    made = []

    def build(civic):
        app = build_application(civic=civic, agent=object(), clock=system_clock)  # no dialogue here
        made.append(app)
        return app
    yield build
    from actions import runtime
    runtime.configure(None)


def add_users(standin, users=USERS):
    for uid in users:
        standin.add_user("居民", user_id=uid, started=True)


async def until(predicate, timeout: float) -> None:
    deadline = time.monotonic() + timeout
    while not predicate():
        assert time.monotonic() < deadline, "not within the time"
        await asyncio.sleep(0.05)


def test_the_loop_sends_what_is_queued_then_and_later_and_stops_at_once_when_idle(fresh_store, application):
    app = application(fresh_store)
    queue_points(fresh_store.engine, USERS, per_user=2)

    async def scenario():
        async with StandIn(enforce_rate_limits=True) as standin:
            add_users(standin)
            async with make_bot(standin) as bot:
                stop = asyncio.Event()
                sender = TelegramSender(bot, app.codec, app.clock)
                loop = asyncio.create_task(run_dispatcher(app, sender, stop, dispatcher=delivery_dispatcher(
                    app, sender, **FAST)))
                await until(lambda: states(fresh_store.engine)["sent"] == 60, timeout=20)
                queue_points(fresh_store.engine, USERS[:3], per_user=1, first=2)  # later, while idle
                await until(lambda: states(fresh_store.engine)["sent"] == 63, timeout=5)
                asked = time.monotonic()
                stop.set()
                await asyncio.wait_for(loop, 5)
                assert time.monotonic() - asked < 1.0
                assert set(arrivals(standin, USERS, 2).values()) == {1}
                assert set(arrivals(standin, USERS[:3], 1, first=2).values()) == {1}
                assert standin.rate_violations() == []
    run(scenario())


def test_stopping_mid_round_gives_back_what_was_not_sent_and_a_restart_sends_each_once(fresh_store, application):
    app = application(fresh_store)
    users = [600_000 + i for i in range(120)]
    queue_points(fresh_store.engine, users, per_user=1)

    async def scenario():
        async with StandIn(enforce_rate_limits=True) as standin:
            add_users(standin, users)
            async with make_bot(standin) as bot:
                sender = TelegramSender(bot, app.codec, app.clock)
                stop = asyncio.Event()
                loop = asyncio.create_task(run_dispatcher(app, sender, stop))
                await until(lambda: standin.call_count("sendMessage") >= 20, timeout=10)
                stop.set()
                await asyncio.wait_for(loop, 5)
                half = states(fresh_store.engine)
                assert 0 < half["sent"] < len(users) and half["pending"] == len(users) - half["sent"]
                with fresh_store.engine.connect() as conn:  # given back: no lease left to wait out
                    assert conn.execute(text("SELECT count(*) FROM deliveries WHERE lease_until IS NOT NULL")
                                        ).scalar() == 0
                stop = asyncio.Event()
                loop = asyncio.create_task(run_dispatcher(app, TelegramSender(bot, app.codec, app.clock), stop))
                await until(lambda: states(fresh_store.engine)["sent"] == len(users), timeout=20)
                stop.set()
                await asyncio.wait_for(loop, 5)
                assert set(arrivals(standin, users, 1).values()) == {1}
    run(scenario())


def test_two_processes_on_postgresql_never_double_send_and_one_takes_over_when_the_other_loses_the_lock(
        civic_services, application):
    with postgres_schema() as (engine, admin, schema):
        apps = [application(Civic(engine=engine(), services=civic_services)) for _ in range(2)]
        observer = engine()  # the test's own view of the store, never cut off
        cut = [False, False]
        for i, app in enumerate(apps):
            event.listen(app.civic.engine, "do_connect", _refuse_when_cut(cut, i))
        queue_points(observer, USERS, per_user=2)

        async def scenario():
            async with StandIn(enforce_rate_limits=True) as standin:
                add_users(standin)
                async with make_bot(standin) as bot_a, make_bot(standin) as bot_b:
                    senders = [Counting(TelegramSender(bot, app.codec, app.clock))
                               for bot, app in zip((bot_a, bot_b), apps)]
                    stop = asyncio.Event()
                    loops = [asyncio.create_task(run_dispatcher(
                        app, sender, stop, dispatcher=delivery_dispatcher(app, sender, **FAST), lock_check=0.2, grace=1.0))
                        for app, sender in zip(apps, senders)]
                    await until(lambda: states(observer)["sent"] == 60, timeout=20)
                    assert sorted(len(s.sent) for s in senders) == [0, 60]  # one process sent all
                    holder = 0 if senders[0].sent else 1
                    other = 1 - holder
                    # The holder is cut off from the server (its lock's connection dies and no new
                    # one can be made): it stops, and the other takes the lock and sends what comes.
                    cut[holder] = True
                    [first] = lock_holders(admin, schema)
                    with admin.begin() as conn:
                        conn.execute(text("SELECT pg_terminate_backend(:pid)"), {"pid": first})
                    await until(lambda: lock_holders(admin, schema) not in ([], [first]), timeout=10)
                    queue_points(observer, USERS, per_user=3, first=2)  # 90 more
                    await until(lambda: states(observer)["sent"] == 150, timeout=30)
                    assert len(senders[other].sent) == 90 and len(senders[holder].sent) == 60
                    cut[holder] = False  # back: the lock is taken, so it stays idle
                    queue_points(observer, USERS[:5], per_user=1, first=5)
                    await until(lambda: states(observer)["sent"] == 155, timeout=10)
                    assert len(senders[other].sent) == 95 and len(senders[holder].sent) == 60
                    stop.set()
                    await asyncio.wait_for(asyncio.gather(*loops), 10)
                    assert set(arrivals(standin, USERS, 5).values()) == {1}
                    assert set(arrivals(standin, USERS[:5], 1, first=5).values()) == {1}
                    assert standin.rate_violations() == []
        run(scenario())


def lock_holders(admin, schema: str) -> list[int]:
    """The server processes holding the dispatcher lock (of any schema)."""
    with admin.connect() as conn:
        return [row.pid for row in conn.execute(text(
            "SELECT pid FROM pg_locks WHERE locktype = 'advisory' AND classid = :class AND granted "
            "AND objid = (hashtext(:schema)::bigint & 4294967295)::text::oid"), {"class": LOCK_CLASS, "schema": schema})]


def _refuse_when_cut(cut, i):
    def refuse(dialect, record, cargs, cparams):
        if cut[i]:
            raise psycopg2.OperationalError("network cut (test)")
    return refuse
