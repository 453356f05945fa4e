"""Run the Telegram Bot API stand-in by hand: cd tests && python -m standin --port 8081 --token 123:ABC"""
from __future__ import annotations

import argparse
import asyncio
import contextlib

from .botapi import DEFAULT_TOKEN, StandIn


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m standin", description=__doc__)
    parser.add_argument("--port", type=int, default=8081, help="port on 127.0.0.1 (0: any free port)")
    parser.add_argument("--token", default=DEFAULT_TOKEN, help="the bot token it accepts")
    parser.add_argument("--seed", type=int, default=0, help="seed for random faults and ids")
    parser.add_argument("--enforce-rate-limits", action="store_true",
                        help="answer flood-limit breaches with 429 (they are counted either way)")
    return parser.parse_args()


async def serve(args: argparse.Namespace) -> None:
    async with StandIn(args.token, port=args.port, seed=args.seed,
                       enforce_rate_limits=args.enforce_rate_limits) as standin:
        print(f"Bot API:  {standin.api_url}/getMe", flush=True)
        print(f"base_url={standin.base_url}  base_file_url={standin.base_file_url}", flush=True)
        print(f"control:  {standin.root}/control/add_user  (POST JSON keyword arguments)", flush=True)
        await asyncio.Event().wait()


if __name__ == "__main__":
    with contextlib.suppress(KeyboardInterrupt):
        asyncio.run(serve(parse_args()))
