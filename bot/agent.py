"""The Rasa agent, loaded in-process, with the custom actions run in-process too.

Rasa 3.6 open source calls custom actions over HTTP. InProcessActions answers those
calls with rasa_sdk's own executor in this process: one process to start, no port,
and the same action code a separate action server would run (set ACTION_SERVER_URL
to use one instead).
"""
from __future__ import annotations

import json
import os
from pathlib import Path

from rasa.core.tracker_store import SQLTrackerStore
from rasa.utils.endpoints import ClientResponseError, EndpointConfig

from bot.offload import coroutine_off_loop

ROOT = Path(__file__).resolve().parent.parent


class InProcessActions(EndpointConfig):
    def __init__(self) -> None:
        from rasa_sdk.executor import ActionExecutor

        super().__init__(url="inprocess://actions")
        self.executor = ActionExecutor()
        self.executor.register_package("actions")

    async def request(self, method: str = "post", subpath=None, content_type="application/json",
                      compress: bool = False, **kwargs):
        from rasa_sdk.interfaces import ActionExecutionRejection, ActionNotFoundException

        try:
            # The actions call the store synchronously: they run off the event loop.
            return await coroutine_off_loop(lambda: self.executor.run(kwargs["json"]))
        except (ActionExecutionRejection, ActionNotFoundException) as error:
            status = 400 if isinstance(error, ActionExecutionRejection) else 404
            body = {"error": error.message, "action_name": error.action_name}
            raise ClientResponseError(status, "", json.dumps(body)) from None


def validate_action_results_with_one_validator() -> None:
    """Rasa checks every action result with jsonschema.validate, which first checks the
    schema itself: about 30 ms of every action call on this machine. Keep the check of
    the result, with a validator built once."""
    from jsonschema import ValidationError
    from jsonschema.validators import validator_for
    from rasa.core.actions.action import RemoteAction

    spec = RemoteAction.action_response_format_spec()
    validator = validator_for(spec)(spec)

    def validate(self, result) -> bool:
        try:
            validator.validate(result)
        except ValidationError as error:
            error.message += ". Failed to validate the action server's response."
            raise
        return True

    RemoteAction._validate_action_result = validate


class OffLoopSQLTrackerStore(SQLTrackerStore):
    """Rasa's SQL tracker store, whose async methods block on SQLAlchemy inside: run
    them on a worker thread so one resident's load or save does not stall the others."""

    async def _retrieve(self, sender_id, fetch_events_from_all_sessions):
        retrieve = super()._retrieve
        return await coroutine_off_loop(lambda: retrieve(sender_id, fetch_events_from_all_sessions))

    async def save(self, tracker) -> None:
        save = super().save
        await coroutine_off_loop(lambda: save(tracker))


def tracker_store(domain=None, path: str | None = None):
    """Rasa's conversations: SQLite beside the civic store unless TRACKER_DB names a file."""
    path = path or os.environ.get("TRACKER_DB") or str(ROOT / "trackers.db")
    return OffLoopSQLTrackerStore(domain, dialect="sqlite", db=path)


def load_agent(model: Path, tracker_db: str | None = None):
    from nlu.loading import speed_up_model_loading
    from nlu.understand import quiet_libraries

    quiet_libraries()
    speed_up_model_loading()
    validate_action_results_with_one_validator()
    from rasa.core.agent import Agent

    url = os.environ.get("ACTION_SERVER_URL")
    actions = EndpointConfig(url=url) if url else InProcessActions()
    agent = Agent(tracker_store=tracker_store(path=tracker_db), action_endpoint=actions)
    agent.load_model(str(model))
    return agent
