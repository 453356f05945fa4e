"""No silent failure: how a failed action reaches the turn, and what a failure logs.

A custom action that raises answers with one response that carries ``ACTION_FAILED``
(bot/agent.py); the turn raises ``ActionFailed`` on seeing it and answers the resident
like any other failure (bot/turn.py). Tracebacks go to the log cleaned and masked:
an exception's text may quote what the resident said.
"""
from __future__ import annotations

import traceback

from civic.domain.privacy import clean, mask

ACTION_FAILED = "action_failed"  # key of the custom payload: the failed action's name


class ActionFailed(Exception):
    """A custom action failed (its traceback was logged where it ran)."""


def failed_action_response(action: str) -> dict:
    """The action server's answer for an action that failed: no events, one marker."""
    return {"events": [], "responses": [{"custom": {ACTION_FAILED: action}}]}


def masked_traceback(error: BaseException) -> str:
    """The traceback and the exception's text, with personal data masked."""
    text = "".join(traceback.format_exception(type(error), error, error.__traceback__))
    return mask(clean(text))
