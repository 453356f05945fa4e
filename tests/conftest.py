"""Shared fixtures: the trained model (trained once if missing) and the dev-set clock."""
from __future__ import annotations

import pytest

from nlu.evaluate import DEV_NOW


@pytest.fixture(scope="session")
def model_path():
    from nlu.model import ensure_model

    return ensure_model()


@pytest.fixture(scope="session")
def understanding(model_path):
    from nlu.understand import Understanding

    return Understanding(model_path)


@pytest.fixture(scope="session")
def dev_now():
    return DEV_NOW
