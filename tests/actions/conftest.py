"""Fixtures for the action tests: a fresh migrated SQLite store per test (a copy of one
migrated once per session), handed to the actions with runtime.configure, a dispatcher
and the domain.
"""
from __future__ import annotations

import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
# The project's actions/ package, not this tests/actions folder, whatever runs pytest.
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))
if "actions" in sys.modules and getattr(sys.modules["actions"], "__file__", None) is None:
    del sys.modules["actions"]

from rasa_sdk.executor import CollectingDispatcher  # noqa: E402

from actions import runtime  # noqa: E402
from action_support import make_tracker  # noqa: E402


@pytest.fixture(scope="session")
def domain():
    import warnings

    from rasa.shared.core.domain import Domain

    with warnings.catch_warnings():  # Rasa's note on slot auto-fill, not about this domain
        warnings.simplefilter("ignore", UserWarning)
        return Domain.load(str(ROOT / "domain.yml")).as_dict()


@pytest.fixture
def civic(fresh_store):
    """A fresh SQLite store for this test, migrated and with the rewards synced, handed
    to the actions as the composition root would."""
    runtime.configure(fresh_store)
    yield fresh_store
    runtime.configure(None)


@pytest.fixture
def dispatcher():
    return CollectingDispatcher()


@pytest.fixture
def tracker():
    return make_tracker
