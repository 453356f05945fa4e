"""Helpers for the channel tests: a stand-in agent, the pinned clock, running a coroutine."""
from __future__ import annotations

import asyncio
import datetime as dt

WEDNESDAY_TEN = dt.datetime(2026, 11, 18, 10, 0, tzinfo=dt.timezone(dt.timedelta(hours=8)))


class RecordingAgent:
    """Records (text, sender, metadata) and answers every message with ``replies``."""

    def __init__(self, replies=None):
        self.received = []
        self.replies = replies if replies is not None else [{"text": "请选一个：\n第二行", "buttons": [
            {"title": "跳过", "payload": '/inform{"choice":"skip"}'},
            {"title": "确认", "payload": '/inform{"choice":"yes"}'}]}]

    async def handle_message(self, message):
        self.received.append((message.text, message.sender_id, message.metadata))
        for reply in self.replies:
            message.output_channel.messages.append(dict(reply))

    @property
    def texts(self):
        return [text for text, _, _ in self.received]


def run(coroutine):
    return asyncio.run(coroutine)
