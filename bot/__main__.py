"""python -m bot chat --user ID [--now YYYY-MM-DDTHH:MM] | python -m bot run | python -m bot jobs"""
from __future__ import annotations

import argparse
import asyncio
import contextlib
import datetime as dt
import logging
import os
import sys
from zoneinfo import ZoneInfo

SHANGHAI = ZoneInfo("Asia/Shanghai")


def _chat(user: str, now: str | None) -> int:
    from bot.app import build_application, fixed_clock, system_clock
    from bot.console import Console
    from bot.scheduler import CONSOLE_JOBS, in_thread

    clock = fixed_clock(dt.datetime.fromisoformat(now).replace(tzinfo=SHANGHAI)) if now else system_clock
    console = Console(build_application(clock=clock), user)
    # The scheduler runs on a thread of its own (the console's loop blocks reading a line);
    # what its jobs send the resident is printed with the next reply, like every notice.
    # Not with --now: a pinned clock never moves, so nothing would come due as time passes.
    scheduler = contextlib.nullcontext() if now else in_thread(console.app, jobs=CONSOLE_JOBS)
    logging.getLogger("apscheduler").setLevel(logging.ERROR)  # its log stays out of the chat
    with scheduler:
        asyncio.run(console.run(sys.stdin))
    return 0


def _jobs() -> int:
    """The scheduler's jobs in the store (DATABASE_URL): id, trigger, next run, grace."""
    from bot.scheduler import stored_jobs
    from civic.adapters.database import database_url

    found = stored_jobs(database_url())
    for job in found:
        when = f"{job.next_run_time:%Y-%m-%d %H:%M:%S} (Asia/Shanghai)" if job.next_run_time else "paused"
        print(f"{job.id:<20} {job.trigger:<48} next {when}  grace {job.grace} s")
    if not found:
        print("no jobs stored: no scheduler has run on this store yet")
    return 0


def _telegram() -> int:
    """The bot on Telegram: one event loop for python-telegram-bot, Rasa and the
    dispatcher, until SIGTERM or Ctrl-C (bot/telegram/runner.py)."""
    import logging

    from bot.app import build_application
    from bot.telegram.runner import Settings, serve

    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    # httpx logs every request's URL, and a URL holds the bot's token.
    logging.getLogger("httpx").setLevel(logging.WARNING)
    # The scheduler's jobs log what each run did; APScheduler's own lines per run add nothing
    # (a missed run is still a warning).
    logging.getLogger("apscheduler.executors").setLevel(logging.WARNING)
    settings = Settings.from_env()
    app = build_application()
    asyncio.run(serve(app, settings))
    return 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bot")
    commands = parser.add_subparsers(dest="command", required=True)
    chat = commands.add_parser("chat", help="chat as one resident in the terminal (or through a pipe)")
    chat.add_argument("--user", default="console", help="the resident's id (default: console)")
    chat.add_argument("--now", help="fix the clock, Asia/Shanghai: YYYY-MM-DDTHH:MM")
    commands.add_parser("run", help="Telegram when TELEGRAM_BOT_TOKEN is set, else the console chat")
    commands.add_parser("jobs", help="list the scheduler's jobs in the store (DATABASE_URL)")
    args = parser.parse_args(argv)
    if args.command == "jobs":
        return _jobs()
    if args.command == "run" and os.environ.get("TELEGRAM_BOT_TOKEN"):
        return _telegram()
    return _chat(getattr(args, "user", "console"), getattr(args, "now", None))


if __name__ == "__main__":
    sys.exit(main())
