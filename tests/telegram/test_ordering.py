"""The per-chat processor: one chat's updates in order, chats at once, a chatty chat held
to one slot and to a bounded queue in memory (the rest waits in the inbox), nothing kept
once idle. And the keyboards and text splitting shared with the sender."""
from __future__ import annotations

import asyncio
import datetime as dt

from telegram import Update

from bot.buttons import Button
from bot.telegram.inbox import Inbox
from bot.telegram.keyboards import MAX_TEXT, inline_keyboard, split_text
from bot.telegram.ordering import PerChatProcessor

NOW = dt.datetime(2026, 11, 18, 2, 0, tzinfo=dt.timezone.utc)


def update(update_id: int, chat: int) -> dict:
    return {"update_id": update_id, "message": {
        "message_id": update_id, "date": 0, "chat": {"id": chat, "type": "private"},
        "from": {"id": chat, "is_bot": False, "first_name": "R"}, "text": f"m{update_id}"}}


class Recorder:
    def __init__(self, pause: float = 0.01):
        self.pause, self.log, self.running, self.peak = pause, [], 0, 0

    async def work(self, raw: dict) -> None:
        self.running += 1
        self.peak = max(self.peak, self.running)
        chat = raw["message"]["chat"]["id"]
        self.log.append(("start", chat, raw["update_id"]))
        await asyncio.sleep(self.pause)
        self.log.append(("end", chat, raw["update_id"]))
        self.running -= 1

    def order(self, chat: int) -> list[int]:
        return [u for what, c, u in self.log if what == "end" and c == chat]


def processor_for(store, recorder: Recorder, **options) -> tuple[PerChatProcessor, Inbox]:
    inbox = Inbox(store.engine)
    processor = PerChatProcessor(inbox, **options)

    async def replay(row):
        await recorder.work(row.body)

    processor.replay = replay
    return processor, inbox


async def feed(processor, inbox, recorder, raws: list[dict]) -> None:
    """As python-telegram-bot does: stored first (by InboxBot), then one task per update."""
    inbox.store(raws, NOW)
    tasks = [asyncio.create_task(processor.process_update(Update.de_json(raw, None), recorder.work(raw)))
             for raw in raws]
    await asyncio.gather(*tasks)
    await processor.drained()


def test_one_chat_in_order_chats_at_once_and_nothing_kept_when_idle(fresh_store):
    recorder = Recorder()
    processor, inbox = processor_for(fresh_store, recorder, workers=4)
    raws = [update(i * 2 + chat, 100 + chat) for i in range(6) for chat in (0, 1)]
    asyncio.run(feed(processor, inbox, recorder, raws))
    assert recorder.order(100) == [0, 2, 4, 6, 8, 10] and recorder.order(101) == [1, 3, 5, 7, 9, 11]
    assert recorder.peak == 2  # the two chats ran side by side, each one at a time
    assert processor.chats == 0


def test_a_chatty_resident_takes_one_slot_and_a_bounded_queue(fresh_store):
    recorder = Recorder(pause=0.005)
    processor, inbox = processor_for(fresh_store, recorder, workers=2, backlog=3)
    chatty = [update(i, 200) for i in range(1, 31)]
    quiet = [update(100 + i, 300 + i) for i in range(3)]
    asyncio.run(feed(processor, inbox, recorder, chatty + quiet))
    # All 30 in order, though only 3 were ever queued in memory: the rest came from the inbox.
    assert recorder.order(200) == list(range(1, 31))
    ends = [u for what, _, u in recorder.log if what == "end"]
    assert all(ends.index(100 + i) < ends.index(6) for i in range(3))  # not stuck behind the chatty one
    assert recorder.peak <= 2 and processor.chats == 0


def test_split_text_cuts_at_line_breaks_below_the_limit():
    lines = [f"第{i}行 <b>*_" + "字" * 50 for i in range(300)]
    pieces = split_text("\n".join(lines))
    assert all(0 < len(p) <= MAX_TEXT for p in pieces) and len(pieces) > 1
    assert "\n".join(pieces) == "\n".join(lines)  # nothing lost, every cut at a line break
    assert split_text("短") == ["短"] and split_text("  \n") == []
    assert [len(p) for p in split_text("x" * (MAX_TEXT + 10))] == [MAX_TEXT, 10]


def test_inline_keyboard_keeps_the_codec_data():
    markup = inline_keyboard([Button("是", "r:aaaaaaaaaa"), Button("否", "r:bbbbbbbbbb"),
                              Button("到调解室当面调解", "r:cccccccccc")])
    rows = [[(b.text, b.callback_data) for b in row] for row in markup.inline_keyboard]
    assert rows == [[("是", "r:aaaaaaaaaa"), ("否", "r:bbbbbbbbbb")], [("到调解室当面调解", "r:cccccccccc")]]
    assert inline_keyboard([]) is None


def test_done_inbox_rows_go_after_two_days_failed_and_unhandled_ones_stay(fresh_store):
    inbox = Inbox(fresh_store.engine)
    inbox.store([update(n, 500 + n) for n in range(1, 5)], NOW)
    inbox.done(1, NOW)
    inbox.done(2, NOW + dt.timedelta(days=1))
    inbox.kept(3, "turn failed, message not filed", NOW)  # failed: its words are kept for staff
    assert inbox.prune(NOW + dt.timedelta(days=2, hours=1)) == 1
    assert inbox.counts() == {"done": 1, "failed": 1, "pending": 1}
    # A redelivery of the pruned update would be new: Telegram stopped redelivering it long ago.
    assert [row.update_id for row in inbox.unhandled()] == [4]
