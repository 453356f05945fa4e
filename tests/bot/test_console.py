"""The console channel: a thin adapter that prints the turn's replies and presses
buttons by number."""
import io

import pytest

from bot.console import Console
from turn_support import run


@pytest.fixture
def console(app):
    out = io.StringIO()
    return Console(app, "r-1", out=out), out


def chat(console, *lines):
    for line in lines:
        run(console.handle(line))


def test_every_line_of_a_reply_is_marked_and_buttons_are_numbered(console, agent):
    channel, out = console
    chat(channel, "你好")
    assert out.getvalue().splitlines() == ["bot> 请选一个：", "bot> 第二行", "  [1] 跳过", "  [2] 确认"]
    assert agent.received[0][:2] == ("你好", "r-1")


def test_a_number_presses_the_button(console, agent):
    channel, _ = console
    chat(channel, "你好", "2")
    assert agent.texts[-1] == '/inform{"choice":"yes"}'


def test_a_number_without_such_a_button_is_answered_and_sent_nowhere(console, agent):
    channel, out = console
    chat(channel, "你好", "7")
    assert len(agent.received) == 1 and "1 到 2" in out.getvalue()


def test_a_number_without_any_buttons_is_text(console, agent):
    channel, _ = console
    chat(channel, "3")
    assert agent.texts == ["3"]
