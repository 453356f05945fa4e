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


@pytest.fixture(scope="session")
def rasa_agent(model_path, tmp_path_factory):
    """One in-process Rasa agent for every test that talks to the real dialogue; each
    test uses resident ids of its own, so their conversations never meet."""
    from bot.agent import load_agent

    return load_agent(model_path, tracker_db=str(tmp_path_factory.mktemp("rasa") / "trackers.db"))


@pytest.fixture(scope="session")
def civic_services():
    """The district, calendar and rules, loaded once."""
    from civic.bootstrap import load_services

    return load_services()


@pytest.fixture(scope="session")
def migrated_sqlite(tmp_path_factory):
    """A SQLite store migrated (and the rewards synced) once per test session: each test
    copies the file instead of running every migration again."""
    from civic.bootstrap import bootstrap

    path = tmp_path_factory.mktemp("template") / "civic.db"
    bootstrap(f"sqlite:///{path}").engine.dispose()  # the last close folds the WAL in
    return path


@pytest.fixture
def fresh_store(tmp_path, migrated_sqlite, civic_services, monkeypatch):
    """An empty, migrated SQLite store of this test's own; DATABASE_URL names it."""
    import shutil

    from civic.adapters.database import make_engine
    from civic.bootstrap import Civic

    path = tmp_path / "civic.db"
    shutil.copyfile(migrated_sqlite, path)
    url = f"sqlite:///{path}"
    monkeypatch.setenv("DATABASE_URL", url)
    core = Civic(engine=make_engine(url), services=civic_services)
    yield core
    core.engine.dispose()
