"""Dialogue benchmark: simulated residents reporting problems, all at once.

    python bench/dialogue.py [--residents 1 10 50] [--pause 0 3] [--startup]

For each number of concurrent residents, every resident runs a full report
conversation (the problem with its place, press 跳过 for the phone, press 确认提交,
then "我的工单") through the channel-neutral turn (button codec, handoff check, the
in-process agent and action executor), on a fresh SQLite store and SQLite tracker
store. Residents send their next message as soon as the reply is out (no think time:
the worst case), all of them at once. Prints turns per second and
p50/p95/p99 latency of one turn (message in, every reply out, waiting for the other
residents' turns included) — and again with residents pausing between messages as
people do while they read and type (--pause: mean seconds, exponentially
distributed, seeded). --startup also times `python -m bot chat` from start to its
first reply, with the model already trained.
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

PROBLEMS = [
    "望江花园3号楼楼道灯坏了一个星期了 晚上上下楼很危险",
    "清溪路18号门口有个井盖松了 车一压就咣咣响",
    "锦绣家园2号楼下的垃圾桶三天没人清了 臭气熏天",
    "和平巷12号那家烧烤店每天开到凌晨两点 吵得睡不着",
    "阳光花园3号楼门口天天有车乱停 消防通道都堵了",
]
NOW = "2026-11-18T10:00:00+08:00"


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(share * (len(ordered) - 1))))]


async def resident(app, sender: str, problem: str, latencies: list[float], pause: float,
                   rng: random.Random) -> None:
    from bot.turn import BUTTON, TEXT, Incoming

    if pause:  # residents come one by one, not all in the same millisecond
        await asyncio.sleep(rng.uniform(0, 2 * pause))
    replies = []
    for step in (problem, "@跳过", "@确认提交", "我的工单"):
        if step.startswith("@"):
            button = next((b for r in replies for b in r.buttons if b.title == step[1:]), None)
            if button is None:
                raise SystemExit(f"{sender}: no button {step[1:]!r} in {[r.text for r in replies]}")
            incoming = Incoming(sender, BUTTON, data=button.data)
        else:
            incoming = Incoming(sender, TEXT, text=step)
        started = time.perf_counter()
        # Let the other residents' messages arrive too: a turn waits behind them, as it
        # would in one bot process, and that wait is part of its latency.
        await asyncio.sleep(0)
        replies = await app.turn.handle(incoming)
        latencies.append(time.perf_counter() - started)
        if not replies:
            raise SystemExit(f"no reply to {step!r} for {sender}")
        if pause:
            await asyncio.sleep(rng.expovariate(1 / pause))


async def round_of(app, count: int, label: str, pause: float = 0.0) -> None:
    latencies: list[float] = []
    rng = random.Random(count)
    started = time.perf_counter()
    await asyncio.gather(*(resident(app, f"{label}-{pause}-{count}-{n}", PROBLEMS[n % len(PROBLEMS)],
                                    latencies, pause, rng) for n in range(count)))
    elapsed = time.perf_counter() - started
    ms = [x * 1000 for x in latencies]
    print(f"{count:>3} residents, pause {pause:g} s: {len(ms)} turns in {elapsed:.1f} s = "
          f"{len(ms) / elapsed:.1f} turns/s; "
          f"turn p50 {statistics.median(ms):.0f} ms, p95 {percentile(ms, 0.95):.0f} ms, "
          f"p99 {percentile(ms, 0.99):.0f} ms", flush=True)


def startup_seconds(env: dict) -> float:
    started = time.perf_counter()
    process = subprocess.Popen([sys.executable, "-m", "bot", "chat", "--user", "bench-startup"],
                               stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL,
                               text=True, cwd=ROOT, env=env)
    process.stdin.write("你好\n")
    process.stdin.flush()
    process.stdout.readline()
    elapsed = time.perf_counter() - started
    process.stdin.close()
    process.wait(timeout=120)
    return elapsed


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--residents", type=int, nargs="+", default=[1, 10, 50])
    parser.add_argument("--pause", type=float, nargs="+", default=[0.0, 3.0])
    parser.add_argument("--startup", action="store_true")
    args = parser.parse_args()
    home = Path(tempfile.mkdtemp(prefix="bench-dialogue-"))
    os.environ["DATABASE_URL"] = f"sqlite:///{home / 'civic.db'}"
    os.environ["TRACKER_DB"] = str(home / "trackers.db")
    import datetime as dt

    from bot.agent import load_agent
    from bot.app import build_application, fixed_clock
    from nlu.model import ensure_model

    model = ensure_model()
    if args.startup:
        print(f"startup: python -m bot chat to its first reply in {startup_seconds(dict(os.environ)):.1f} s",
              flush=True)
    app = build_application(agent=load_agent(model),
                            clock=fixed_clock(dt.datetime.fromisoformat(NOW)))
    asyncio.run(round_of(app, 1, "warm-up"))
    for pause in args.pause:
        for count in args.residents:
            asyncio.run(round_of(app, count, "run", pause))


if __name__ == "__main__":
    main()
