"""Fixtures of the Telegram tests: the clock and the application (the session's agent)."""
from __future__ import annotations

import pytest

from bot.app import build_application
from resident_support import Clock


@pytest.fixture
def clock():
    return Clock()


@pytest.fixture
def app(fresh_store, rasa_agent, clock):
    application = build_application(civic=fresh_store, agent=rasa_agent, clock=clock)
    yield application
    from actions import runtime
    runtime.configure(None)
