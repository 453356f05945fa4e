"""A composition root on a fresh SQLite store: ``app`` with a stand-in agent that records
what reaches the dialogue and answers with canned replies, ``real_app`` with the real one."""
from __future__ import annotations

import pytest

from bot.app import build_application, fixed_clock
from turn_support import WEDNESDAY_TEN, RecordingAgent


@pytest.fixture
def store(fresh_store):
    return fresh_store


@pytest.fixture
def agent():
    return RecordingAgent()


@pytest.fixture
def app(store, agent):
    application = build_application(civic=store, agent=agent, clock=fixed_clock(WEDNESDAY_TEN))
    yield application
    from actions import runtime
    runtime.configure(None)


@pytest.fixture
def real_app(fresh_store, rasa_agent):
    application = build_application(civic=fresh_store, agent=rasa_agent, clock=fixed_clock(WEDNESDAY_TEN))
    yield application
    from actions import runtime
    runtime.configure(None)
