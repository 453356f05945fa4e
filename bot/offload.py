"""Blocking work off the event loop: the store (SQLAlchemy), Rasa's SQL tracker store and
the custom actions, which call the store synchronously.

One resident's slow transaction must not stall every other resident's turn, so such work
runs on a small pool of threads, each with an event loop of its own (the actions and
Rasa's tracker store are coroutines that block inside).
"""
from __future__ import annotations

import asyncio
import functools
import threading
from concurrent.futures import ThreadPoolExecutor
from typing import Awaitable, Callable, TypeVar

T = TypeVar("T")
WORKERS = 4

_pool = ThreadPoolExecutor(max_workers=WORKERS, thread_name_prefix="store")
_local = threading.local()


def _thread_loop() -> asyncio.AbstractEventLoop:
    loop = getattr(_local, "loop", None)
    if loop is None:
        loop = _local.loop = asyncio.new_event_loop()
    return loop


def _run(factory: Callable[[], Awaitable[T]]) -> T:
    return _thread_loop().run_until_complete(factory())


async def coroutine_off_loop(factory: Callable[[], Awaitable[T]]) -> T:
    """Await factory() on a worker thread's own loop (the coroutine is made there)."""
    return await asyncio.get_running_loop().run_in_executor(_pool, _run, factory)


async def off_loop(function: Callable[..., T], *args, **kwargs) -> T:
    """Call a blocking function on a worker thread."""
    return await asyncio.get_running_loop().run_in_executor(
        _pool, functools.partial(function, *args, **kwargs))
