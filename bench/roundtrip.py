"""Round trip over Telegram: a resident's message to the bot's reply, with the bot as a
process (``python -m bot run``, long polling) and the Bot API stand-in as Telegram.

    python bench/roundtrip.py [--residents 1 10 50] [--pause 0 3]

Each resident runs a report conversation (the problem with its place, 跳过 on the
phone keyboard, press 确认提交, then "我的工单") in their own private chat; all residents of
a round at once. "pause 0" sends the next message the moment the bot has answered (the
worst case); "pause 3" waits as people do while reading and typing (exponential, mean
3 s; arrivals spread over the first 6 s). The latency of a message is the time from the
stand-in receiving it to the first message of the bot's answer in that chat: polling,
the inbox, the per-chat queue, the turn and the send, all included. Prints p50/p95/p99
per round, and the bot process's peak memory (VmHWM) after the 50-resident rounds.
"""
from __future__ import annotations

import argparse
import asyncio
import os
import random
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "tests"))

from dialogue import PROBLEMS  # noqa: E402  (bench/ is on the path: the same residents)

# Each step and what shows the bot has finished answering it.
STEPS = [("text", None, "跳过"), ("press", "跳过", "确认提交"), ("press", "确认提交", None),
         ("text", "我的工单", None)]


STEP_NAMES = ("problem", "跳过", "确认提交", "我的工单")


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(share * (len(ordered) - 1))))]


def cpu_seconds(pid: int) -> float:
    """User + system CPU time of a process so far."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def peak_mb(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    return float("nan")


def _count(standin, chat: int) -> int:
    # The chat's message count without copying every message (50 waiters are woken at
    # each change of the stand-in's state: the bench must not eat the bot's CPU).
    return sum(1 for record in standin.chats[chat].messages.values() if record.sender == "bot")


def _reply_keyboard_titles(standin, chat: int) -> list[str]:
    keyboard = standin.reply_keyboard(chat) or {}
    return [button["text"] for row in keyboard.get("keyboard", []) for button in row]


def _button(standin, chat: int, title: str):
    for message in reversed(standin.bot_messages(chat)):
        for row in (message.get("reply_markup") or {}).get("inline_keyboard", []):
            for button in row:
                if button["text"] == title:
                    return message["message_id"], button["callback_data"]
    return None


async def resident(standin, problem: str, latencies: list[float], pause: float, rng: random.Random,
                   incomplete: list[str], by_step: dict[int, list[float]]) -> None:
    user = standin.add_user("居民")
    chat = user["id"]
    if pause:
        await asyncio.sleep(rng.uniform(0, 2 * pause))
    for step, (kind, what, done_when) in enumerate(STEPS):
        before = _count(standin, chat)
        started = time.perf_counter()
        if kind == "text":
            standin.send_text(chat, what or problem)
        elif what in _reply_keyboard_titles(standin, chat):  # the phone keyboard sends its title
            standin.send_text(chat, what)
        else:
            found = _button(standin, chat, what)
            if found is None:  # the dialogue went another way (a likely duplicate offered, ...)
                incomplete.append(standin.texts(chat)[-1][:60])
                return
            standin.press_button(chat, *found)
        await standin.wait_until(lambda: _count(standin, chat) > before, timeout=120)
        latencies.append(time.perf_counter() - started)
        by_step.setdefault(step, []).append(latencies[-1])
        # The whole answer is out before the next step: the sign of its end, or a quiet chat.
        if done_when is not None:
            try:
                await standin.wait_until(lambda: any(
                    done_when in m["text"] or done_when in str(m.get("reply_markup"))
                    for m in standin.bot_messages(chat)[before:]), timeout=10)
            except asyncio.TimeoutError:
                pass
        if pause:
            await asyncio.sleep(rng.expovariate(1 / pause))


async def round_of(standin, count: int, pause: float, bot_pid: int) -> list[float]:
    cpu = cpu_seconds(bot_pid), cpu_seconds(os.getpid())
    sent_before = len(standin.calls("sendMessage"))
    latencies: list[float] = []
    incomplete: list[str] = []
    by_step: dict[int, list[float]] = {}
    rng = random.Random(count)
    started = time.perf_counter()
    await asyncio.gather(*(resident(standin, PROBLEMS[n % len(PROBLEMS)], latencies, pause, rng, incomplete,
                                    by_step)
                           for n in range(count)))
    elapsed = time.perf_counter() - started
    ms = [x * 1000 for x in latencies]
    print(f"{count:>3} residents, pause {pause:g} s: {len(ms)} messages in {elapsed:.1f} s; "
          f"message to reply p50 {statistics.median(ms):.0f} ms, p95 {percentile(ms, 0.95):.0f} ms, "
          f"p99 {percentile(ms, 0.99):.0f} ms"
          + f"; CPU s: bot {cpu_seconds(bot_pid) - cpu[0]:.1f}, stand-in and residents "
            f"{cpu_seconds(os.getpid()) - cpu[1]:.1f}"
          + f"; {(len(standin.calls('sendMessage')) - sent_before) / max(1, len(ms)):.2f} bot messages a message (notices included)"
          + (f"; {len(incomplete)} conversations took another way, e.g. {incomplete[0]!r}" if incomplete else ""),
          flush=True)
    if count > 1:
        print("      p95 by step: " + ", ".join(
            f"{STEP_NAMES[step]} {percentile([x * 1000 for x in values], 0.95):.0f} ms"
            for step, values in sorted(by_step.items())), flush=True)
    return ms


async def main(residents: list[int], pauses: list[float], store_url: str | None = None) -> None:
    from standin import StandIn

    from civic.bootstrap import bootstrap
    from nlu.model import ensure_model

    ensure_model()
    home = Path(tempfile.mkdtemp(prefix="bench-roundtrip-"))
    store = store_url or f"sqlite:///{home / 'civic.db'}"
    bootstrap(store).engine.dispose()
    async with StandIn(seed=5) as standin:
        env = {**os.environ, "TELEGRAM_BOT_TOKEN": standin.token, "TELEGRAM_API_URL": standin.base_url,
               "DATABASE_URL": store, "TRACKER_DB": str(home / "trackers.db"), "TELEGRAM_POLL_TIMEOUT": "10"}
        log = (home / "bot.log").open("w")
        started = time.perf_counter()
        bot = subprocess.Popen([sys.executable, "-m", "bot", "run"], cwd=ROOT, env=env,
                               stdout=subprocess.DEVNULL, stderr=log)
        try:
            while "the bot is up" not in (home / "bot.log").read_text(errors="replace"):
                if bot.poll() is not None:
                    raise SystemExit((home / "bot.log").read_text()[-3000:])
                await asyncio.sleep(0.2)
            print(f"startup: python -m bot run to polling in {time.perf_counter() - started:.1f} s", flush=True)
            await round_of(standin, 1, 0.0, bot.pid)  # warm-up (jieba, the first session), not counted
            for pause in pauses:
                for count in residents:
                    await round_of(standin, count, pause, bot.pid)
            print(f"bot process peak memory (VmHWM) after the {max(residents)}-resident rounds: "
                  f"{peak_mb(bot.pid):.0f} MB; flood-limit breaches counted by the stand-in: "
                  f"{len(standin.rate_violations())}", flush=True)
        finally:
            bot.terminate()  # SIGTERM: a clean stop, which needs the stand-in answering
            await asyncio.to_thread(bot.wait, 60)


if __name__ == "__main__":
    parser = argparse.ArgumentParser()
    parser.add_argument("--residents", type=int, nargs="+", default=[1, 10, 50])
    parser.add_argument("--pause", type=float, nargs="+", default=[0.0, 3.0])
    parser.add_argument("--store", help="DATABASE_URL of an empty database (default: a new SQLite file)")
    args = parser.parse_args()
    asyncio.run(main(args.residents, args.pause, args.store))
