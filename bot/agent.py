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

from rasa.utils.endpoints import ClientResponseError, EndpointConfig

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
            return await self.executor.run(kwargs["json"])
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


def tracker_store(domain=None):
    """Rasa's conversations: SQLite beside the civic store unless TRACKER_DB names a file."""
    from rasa.core.tracker_store import SQLTrackerStore

    path = os.environ.get("TRACKER_DB") or str(ROOT / "trackers.db")
    return SQLTrackerStore(domain, dialect="sqlite", db=path)


def load_agent(model: Path):
    from nlu.loading import speed_up_model_loading
    from nlu.understand import quiet_libraries

    quiet_libraries()
    speed_up_model_loading()
    validate_action_results_with_one_validator()
    from rasa.core.agent import Agent

    url = os.environ.get("ACTION_SERVER_URL")
    actions = EndpointConfig(url=url) if url else InProcessActions()
    agent = Agent(tracker_store=tracker_store(), action_endpoint=actions)
    agent.load_model(str(model))
    return agent
