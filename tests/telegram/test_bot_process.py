"""The bot as a process (``python -m bot run`` with a token) against the stand-in: killed
with SIGKILL in a burst and restarted, it loses no message and repeats at most the sends
in flight; stopped with SIGTERM it stops cleanly; its log never holds a resident's phone
number or address."""
from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from sqlalchemy import create_engine, select

from actions import texts
from civic.adapters.tables_channels import inbox
from standin import StandIn

ROOT = Path(__file__).resolve().parents[2]
UP = "the bot is up"


STARTED: list[subprocess.Popen] = []


@pytest.fixture(autouse=True)
def no_bot_left():
    """A failing test must not leave a bot process behind."""
    yield
    while STARTED:
        process = STARTED.pop()
        if process.poll() is None:
            process.kill()
            process.wait(10)


class BotProcess:
    def __init__(self, server, store_url: str, tmp: Path, name: str):
        self.log = tmp / f"{name}.log"
        env = {**os.environ, "TELEGRAM_BOT_TOKEN": server.token, "TELEGRAM_API_URL": server.base_url,
               "DATABASE_URL": store_url, "TRACKER_DB": str(tmp / "trackers.db"),
               "TELEGRAM_POLL_TIMEOUT": "1", "PYTHONUNBUFFERED": "1"}
        self.process = subprocess.Popen([sys.executable, "-m", "bot", "run"], cwd=ROOT, env=env,
                                        stdout=subprocess.DEVNULL, stderr=self.log.open("w"))
        STARTED.append(self.process)
        deadline = time.monotonic() + 120
        while UP not in self.text():
            assert self.process.poll() is None, self.text()[-3000:]
            assert time.monotonic() < deadline, "the bot did not start"
            time.sleep(0.2)

    def text(self) -> str:
        return self.log.read_text(errors="replace") if self.log.exists() else ""

    def kill(self) -> None:
        self.process.send_signal(signal.SIGKILL)
        self.process.wait(10)

    def terminate(self) -> int:
        self.process.send_signal(signal.SIGTERM)
        return self.process.wait(60)


@pytest.fixture
def store_url(fresh_store):
    return str(fresh_store.engine.url)


def states(store_url: str) -> dict[str, int]:
    engine = create_engine(store_url, future=True)
    try:
        with engine.begin() as conn:
            found: dict[str, int] = {}
            for (state,) in conn.execute(select(inbox.c.state)):
                found[state] = found.get(state, 0) + 1
            return found
    finally:
        engine.dispose()


def answers(server, users: list[dict], text: str) -> dict[int, int]:
    return {u["id"]: server.texts(u["id"]).count(text) for u in users}


def test_sigkill_in_a_burst_loses_nothing_and_repeats_at_most_the_sends_in_flight(store_url, tmp_path):
    residents, burst = 10, 12
    with StandIn.run_in_thread(seed=7) as server:
        users = [server.add_user(f"居民{i}") for i in range(residents)]
        bot = BotProcess(server, store_url, tmp_path, "first")
        for user in users:  # first sessions over (the welcome) before the burst
            server.send_text(user["id"], "你好")
        for user in users:
            server.wait_for_messages(user["id"], 1, timeout=30)
        time.sleep(1)
        # The burst: commands the turn answers with exactly one message each, through the
        # inbox, the store and the per-chat queues as any message.
        for n in range(burst):
            for user in users:
                server.send_command(user["id"], f"x{n}")
        total = residents * burst
        deadline = time.monotonic() + 60
        while sum(answers(server, users, texts.UNKNOWN_COMMAND).values()) < total // 3:
            assert time.monotonic() < deadline
            time.sleep(0.005)
        bot.kill()
        at_kill = sum(answers(server, users, texts.UNKNOWN_COMMAND).values())
        left = states(store_url)
        bot = BotProcess(server, store_url, tmp_path, "second")
        deadline = time.monotonic() + 60
        while sum(answers(server, users, texts.UNKNOWN_COMMAND).values()) < total:
            assert time.monotonic() < deadline, answers(server, users, texts.UNKNOWN_COMMAND)
            time.sleep(0.1)
        time.sleep(2)  # anything more would be a duplicate
        got = answers(server, users, texts.UNKNOWN_COMMAND)
        assert bot.terminate() == 0
    duplicates = sum(got.values()) - total
    # In flight: updates whose reply was recorded (answered) but not marked sent. Their
    # reply goes out again on start; an update still inside its turn had sent nothing.
    in_flight = left.get("answered", 0)
    print(f"\nSIGKILL after {at_kill}/{total} replies; inbox at the kill: {left}; "
          f"after restart: {sum(got.values())} replies, lost 0, duplicated {duplicates} "
          f"(in flight at the kill: {in_flight})")
    assert min(got.values()) == burst  # nobody lost a message
    assert 0 <= duplicates <= in_flight
    assert set(states(store_url)) == {"done"}


def settled(server, chat_id, quiet: float = 1.5, timeout: float = 30) -> None:
    """Wait until the bot has said all it will (replies go out one a second per chat)."""
    deadline, count = time.monotonic() + timeout, -1
    while time.monotonic() < deadline:
        now = len(server.bot_messages(chat_id))
        if now == count:
            return
        count = now
        time.sleep(quiet)


def test_no_phone_or_address_in_the_log_and_sigterm_stops_cleanly(store_url, tmp_path):
    phone, own, address = "13912345678", "13787654321", "望江花园3号楼2单元301室"
    with StandIn.run_in_thread(seed=3) as server:
        ada = server.add_user("Ada")
        bot = BotProcess(server, store_url, tmp_path, "masked")
        steps = [lambda: server.send_text(ada["id"], f"{address}楼道灯坏了一个星期了 晚上黑漆漆的"),
                 lambda: server.send_contact(ada["id"], own),  # the share-my-phone button
                 lambda: server.send_command(ada["id"], "cancel"),
                 lambda: server.send_text(ada["id"], "和平巷12号的路灯不亮了 晚上看不清路"),
                 lambda: server.send_text(ada["id"], phone),
                 lambda: server.send_text(ada["id"], "确认"),
                 lambda: server.send_text(ada["id"], f"我的电话是{phone}，住{address}")]
        for step in steps:
            before = len(server.bot_messages(ada["id"]))
            step()
            server.wait_for_messages(ada["id"], before + 1, timeout=30)
            settled(server, ada["id"])
        said = "\n".join(server.texts(ada["id"]))
        # The numbers reached the dialogue (shown masked to the resident herself).
        assert "137****4321" in said and "139****5678" in said and "工单号" in said, said
        assert bot.terminate() == 0
        log = bot.text()
    assert "stopped" in log and log.count("handled in") >= len(steps)
    for secret in (phone, own, address, phone[-8:], own[-8:], "301室"):
        assert secret not in log, f"{secret} is in the log"
    assert set(states(store_url)) == {"done"}
