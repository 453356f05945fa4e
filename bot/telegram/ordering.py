"""One resident's updates in order, different residents at once, none hogging the bot.

python-telegram-bot hands every update to ``do_process_update`` as a task of its own
(``concurrent_updates`` > 1). Here each chat has a lock, taken in arrival order
(asyncio's locks are fair), and a update takes one of ``workers`` slots only once it
holds its chat's lock: a chatty resident's queued messages wait on their own lock and
hold no slot, so they can take at most one slot at a time. A chat with ``backlog``
updates waiting stops queueing in memory: further updates stay in the inbox (where
they already are) and are taken from there, oldest first, once the chat catches up.
A chat's state is dropped as soon as nothing of it waits.
"""
from __future__ import annotations

import asyncio
import dataclasses
from typing import Awaitable, Callable

from telegram import Update
from telegram.ext import BaseUpdateProcessor

from bot.telegram.inbox import Inbox, Row, inbox_call


@dataclasses.dataclass
class _Chat:
    lock: asyncio.Lock = dataclasses.field(default_factory=asyncio.Lock)
    waiting: int = 0  # updates of this chat queued or running
    overflow: bool = False  # updates are being left in the inbox; a drain takes them
    deferred: int = 0  # left in the inbox since the drain last looked
    last_accepted: int = -1  # the newest update id queued in memory


def chat_key(update: object) -> str | None:
    if isinstance(update, Update):
        chat = update.effective_chat or update.effective_user
        return str(chat.id) if chat is not None else None
    return None


class PerChatProcessor(BaseUpdateProcessor):
    def __init__(self, inbox: Inbox, *, workers: int = 8, backlog: int = 20, tasks: int = 1024):
        super().__init__(tasks)  # python-telegram-bot's own bound: tasks in memory
        self.inbox, self.workers, self.backlog = inbox, workers, backlog
        self._slots = asyncio.Semaphore(workers)
        self._chats: dict[str, _Chat] = {}
        self._drains: set[asyncio.Task] = set()
        # Handles one stored row (set by the runner: rebuild the update, run the channel).
        self.replay: Callable[[Row], Awaitable[None]] | None = None

    @property
    def chats(self) -> int:
        """Chats with something queued or running (0 when idle: nothing is kept)."""
        return len(self._chats)

    async def initialize(self) -> None:
        pass

    async def shutdown(self) -> None:
        await self.drained()

    async def drained(self) -> None:
        while self._drains:
            await asyncio.gather(*list(self._drains), return_exceptions=True)

    async def do_process_update(self, update: object, coroutine: Awaitable) -> None:
        key = chat_key(update)
        if key is None:
            async with self._slots:
                await coroutine
            return
        chat = self._chats.setdefault(key, _Chat())
        if chat.overflow or chat.waiting >= self.backlog:
            coroutine.close()  # not run: the update waits in the inbox
            chat.deferred += 1
            if not chat.overflow:
                chat.overflow = True
                task = asyncio.create_task(self._drain(key, chat), name=f"drain:{key}")
                self._drains.add(task)
                task.add_done_callback(self._drains.discard)
            return
        chat.last_accepted = max(chat.last_accepted, update.update_id)
        await self._run(key, chat, coroutine)

    async def replay_all(self, rows: list[Row]) -> None:
        """Rows left unhandled by an earlier run: each chat's in order, chats at once."""
        by_chat: dict[str, list[Row]] = {}
        for row in rows:
            by_chat.setdefault(row.chat_id or "", []).append(row)

        async def one_chat(key: str, chat_rows: list[Row]) -> None:
            chat = self._chats.setdefault(key, _Chat())
            chat.waiting += 1  # the chat stays known between its rows
            try:
                for row in chat_rows:
                    chat.last_accepted = max(chat.last_accepted, row.update_id)
                    await self._run(key, chat, self.replay(row))
            finally:
                chat.waiting -= 1
                self._forget(key, chat)

        await asyncio.gather(*(one_chat(key, chat_rows) for key, chat_rows in by_chat.items()))

    async def _run(self, key: str, chat: _Chat, coroutine: Awaitable) -> None:
        chat.waiting += 1
        try:
            async with chat.lock:
                async with self._slots:
                    await coroutine
        finally:
            chat.waiting -= 1
            self._forget(key, chat)

    async def _drain(self, key: str, chat: _Chat) -> None:
        """Take this chat's updates left in the inbox, oldest first, until none is left."""
        try:
            while True:
                chat.deferred = 0
                rows = await inbox_call(self.inbox.unhandled, key, chat.last_accepted, self.backlog)
                if not rows:
                    if chat.deferred:  # one arrived while the store was read: look again
                        continue
                    chat.overflow = False
                    return
                for row in rows:
                    chat.last_accepted = row.update_id
                    await self._run(key, chat, self.replay(row))
        finally:
            chat.overflow = False
            self._forget(key, chat)

    def _forget(self, key: str, chat: _Chat) -> None:
        if chat.waiting == 0 and not chat.overflow and self._chats.get(key) is chat:
            del self._chats[key]
