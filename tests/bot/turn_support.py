"""Helpers for the channel tests: a stand-in agent, the pinned clock, running a coroutine."""
from __future__ import annotations

import asyncio
import datetime as dt
import warnings

WEDNESDAY_TEN = dt.datetime(2026, 11, 18, 10, 0, tzinfo=dt.timezone(dt.timedelta(hours=8)))


class RecordingAgent:
    """Records (text, sender, metadata) and answers every message with ``replies``.

    Its conversations are Rasa's own in-memory tracker store: ``in_form`` puts one in
    the middle of a form, as the turn reads it for a shared location or a photo."""

    def __init__(self, replies=None):
        from rasa.core.tracker_store import InMemoryTrackerStore
        from rasa.shared.core.domain import Domain

        self.received = []
        self.replies = replies if replies is not None else [{"text": "请选一个：\n第二行", "buttons": [
            {"title": "跳过", "payload": '/inform{"choice":"skip"}'},
            {"title": "确认", "payload": '/inform{"choice":"yes"}'}]}]
        with warnings.catch_warnings():  # Rasa warns of slot auto-fill for any domain with slots
            warnings.simplefilter("ignore", UserWarning)
            self.domain = Domain.from_dict({
                "forms": {f: {"required_slots": []} for f in ("report_form", "mediation_form", "detail_form")},
                "slots": {"detail_case": {"type": "text", "mappings": [{"type": "custom"}]}}})
        self.tracker_store = InMemoryTrackerStore(self.domain)

    def in_form(self, user_id: str, form: str, asks: str, seconds_ago: float = 0, **slots) -> None:
        import time

        from rasa.shared.core.events import ActiveLoop, SlotSet, UserUttered
        from rasa.shared.core.trackers import DialogueStateTracker

        events = [UserUttered("…", timestamp=time.time() - seconds_ago), ActiveLoop(form),
                  SlotSet("requested_slot", asks), *(SlotSet(k, v) for k, v in slots.items())]
        run(self.tracker_store.save(DialogueStateTracker.from_events(user_id, events, self.domain.slots)))

    async def handle_message(self, message):
        self.received.append((message.text, message.sender_id, message.metadata))
        for reply in self.replies:
            message.output_channel.messages.append(dict(reply))

    @property
    def texts(self):
        return [text for text, _, _ in self.received]


def run(coroutine):
    return asyncio.run(coroutine)
