"""The Rasa agent, loaded in-process, with the custom actions run in-process too.

Rasa 3.6 open source calls custom actions over HTTP. InProcessActions answers those
calls with rasa_sdk's own executor in this process: one process to start, no port,
and the same action code a separate action server would run (set ACTION_SERVER_URL
to use one instead).

An action that raises (or a separate server that fails to answer) is logged, masked,
and answers with ``failed_action_response``: Rasa would log it and go on silently,
the turn answers the resident instead (bot/failures.py).
"""
from __future__ import annotations

import asyncio
import json
import logging
import os
from pathlib import Path

import aiohttp
from rasa.core.tracker_store import SQLTrackerStore
from rasa.utils.endpoints import ClientResponseError, EndpointConfig

from bot.failures import failed_action_response, masked_traceback
from bot.offload import coroutine_off_loop, off_loop

log = logging.getLogger(__name__)

ROOT = Path(__file__).resolve().parent.parent


class InProcessActions(EndpointConfig):
    def __init__(self) -> None:
        from rasa_sdk.executor import ActionExecutor

        super().__init__(url="inprocess://actions")
        self.executor = ActionExecutor()
        self.executor.register_package("actions")

    async def request(self, method: str = "post", subpath=None, content_type="application/json",
                      compress: bool = False, **kwargs):
        from rasa_sdk.interfaces import ActionExecutionRejection

        try:
            # The actions call the store synchronously: they run off the event loop.
            return await coroutine_off_loop(lambda: self.executor.run(kwargs["json"]))
        except ActionExecutionRejection as error:  # a form's: Rasa lets another policy predict
            body = {"error": error.message, "action_name": error.action_name}
            raise ClientResponseError(400, "", json.dumps(body)) from None
        except Exception as error:  # an unknown action too: the resident hears of it
            return _failed(kwargs["json"], error)


class ActionServer(EndpointConfig):
    """A separate rasa_sdk server (ACTION_SERVER_URL): an action that failed there (an
    error status other than a rejection) or no answer at all answers like one failed
    in process."""

    async def request(self, method: str = "post", subpath=None, content_type="application/json",
                      compress: bool = False, **kwargs):
        try:
            return await super().request(method, subpath, content_type, compress, **kwargs)
        except ClientResponseError as error:
            if error.status == 400:  # a rejection: Rasa lets another policy predict
                raise
            return _failed(kwargs["json"], error)
        except (aiohttp.ClientError, asyncio.TimeoutError) as error:
            return _failed(kwargs["json"], error)


def _failed(body: dict, error: Exception) -> dict:
    action = str(body.get("next_action"))
    log.error("action %s of %s failed:\n%s", action, body.get("sender_id"), masked_traceback(error))
    return failed_action_response(action)


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

    async def forget(self, sender_id: str) -> None:
        """Delete every event of one sender's conversation (删除我的数据)."""
        def forget():
            with self.session_scope() as session:
                session.query(self.SQLEvent).filter(self.SQLEvent.sender_id == sender_id).delete()
                session.commit()
        await off_loop(forget)


async def forget_conversation(agent, sender_id: str) -> None:
    """Delete one sender's conversation from the agent's tracker store (Rasa wraps
    the store it was given in a FailSafeTrackerStore)."""
    store = agent.tracker_store
    store = getattr(store, "_tracker_store", store)
    if isinstance(store, OffLoopSQLTrackerStore):
        await store.forget(sender_id)
    else:  # an in-memory store (tests)
        getattr(store, "store", {}).pop(sender_id, None)


def tracker_store(domain=None, path: str | None = None):
    """Rasa's conversations: SQLite beside the civic store unless TRACKER_DB names a file."""
    path = path or os.environ.get("TRACKER_DB") or str(ROOT / "trackers.db")
    return OffLoopSQLTrackerStore(domain, dialect="sqlite", db=path)


def load_agent(model: Path, tracker_db: str | None = None):
    from nlu.understand import quiet_libraries

    quiet_libraries()
    validate_action_results_with_one_validator()
    from rasa.core.agent import Agent

    url = os.environ.get("ACTION_SERVER_URL")
    actions = ActionServer(url=url) if url else InProcessActions()
    agent = Agent(tracker_store=tracker_store(path=tracker_db), action_endpoint=actions)
    agent.load_model(str(model))
    return agent
