"""The console channel's own handling of input, with a stand-in agent that records
what reaches it."""
import asyncio
import io

import pytest

from bot.console import MAX_MESSAGE, Console


class RecordingAgent:
    def __init__(self, replies):
        self.received, self.replies = [], replies

    async def handle_message(self, message):
        self.received.append((message.text, message.sender_id, message.metadata))
        for reply in self.replies:
            message.output_channel.messages.append(reply)


@pytest.fixture
def console(monkeypatch, tmp_path):
    monkeypatch.setenv("DATABASE_URL", f"sqlite:///{tmp_path / 'civic.db'}")
    out = io.StringIO()
    agent = RecordingAgent([{"text": "请选一个：\n第二行", "buttons": [
        {"title": "跳过", "payload": '/inform{"choice":"skip"}'},
        {"title": "确认", "payload": '/inform{"choice":"yes"}'}]}])
    return Console(agent, "r-1", out=out), agent, out


def chat(console, *lines):
    for line in lines:
        asyncio.run(console.handle(line))


def test_every_line_of_a_reply_is_marked_and_buttons_are_numbered(console):
    channel, agent, out = console
    chat(channel, "你好")
    assert out.getvalue().splitlines() == ["bot> 请选一个：", "bot> 第二行", "  [1] 跳过", "  [2] 确认"]
    assert agent.received[0][:2] == ("你好", "r-1")


def test_a_number_presses_the_button(console):
    channel, agent, _ = console
    chat(channel, "你好", "2")
    assert agent.received[-1][0] == '/inform{"choice":"yes"}'


def test_a_number_without_such_a_button_is_answered_and_sent_nowhere(console):
    channel, agent, out = console
    chat(channel, "你好", "7")
    assert len(agent.received) == 1 and "1 到 2" in out.getvalue()


def test_an_unknown_command_is_answered_and_sent_nowhere(console):
    channel, agent, out = console
    chat(channel, "/rm -rf")
    assert agent.received == [] and "不认识这个命令" in out.getvalue()


def test_start_shows_the_welcome(console):
    channel, agent, _ = console
    chat(channel, "/start")
    assert agent.received[0][0] == "/help"


def test_an_over_long_message_is_refused_politely(console):
    channel, agent, out = console
    chat(channel, "吵" * (MAX_MESSAGE + 1))
    assert agent.received == [] and "太长" in out.getvalue()


def test_typed_text_is_normalised_and_a_pinned_clock_travels_with_it(console, monkeypatch):
    import datetime as dt
    channel, agent, _ = console
    channel.fixed_now = dt.datetime(2026, 11, 18, 10, 0, tzinfo=dt.timezone(dt.timedelta(hours=8)))
    chat(channel, "望江花园三号楼")
    text, _, metadata = agent.received[0]
    assert text == "望江花园3号楼" and metadata == {"now": "2026-11-18T10:00:00+08:00"}
