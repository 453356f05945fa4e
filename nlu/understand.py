"""Understanding one message: normalise, run the Rasa model, map to canonical form."""
from __future__ import annotations

import asyncio
import datetime as dt
import logging
import os
import sys
from pathlib import Path

from nlu.entities import local_now
from nlu.intents import canonical
from nlu.normalise import normalise

# The model reads the head of a message; residents state the problem first, and the
# transformer's cost grows with the square of the length. Rules read it all.
MODEL_CHARS = 400
PUBLIC_KEYS = ("entity", "value", "part")


def quiet_libraries() -> None:
    """Keep TensorFlow and Rasa chatter off the terminal (stderr only, and less of it)."""
    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
    os.environ.setdefault("LOG_LEVEL_LIBRARIES", "ERROR")
    for name in ("rasa", "tensorflow", "absl", "jieba", "sanic", "asyncio"):
        logging.getLogger(name).setLevel(logging.ERROR)
    import structlog

    # Unconfigured, structlog prints Rasa's debug events to stdout.
    structlog.configure(
        wrapper_class=structlog.make_filtering_bound_logger(logging.WARNING),
        logger_factory=structlog.PrintLoggerFactory(sys.stderr),
    )


class Understanding:
    """A loaded model; parse() is safe to call thousands of times."""

    def __init__(self, model: Path):
        quiet_libraries()
        from nlu.loading import speed_up_model_loading

        speed_up_model_loading()  # for a model with DIET: bench/nlu.py's Rasa recipe
        from rasa.core.agent import Agent

        self._agent = Agent.load(str(model))
        self._loop = asyncio.new_event_loop()

    def parse(self, text: str, now: dt.datetime | None = None) -> dict:
        """The canonical result for one raw message (see `python -m nlu classify`)."""
        from rasa.core.channels.channel import UserMessage

        normal = normalise(text or "")
        if not normal:
            return empty_result(text)
        now = local_now(now)
        message = UserMessage(normal[:MODEL_CHARS], metadata={"now": now.isoformat()})
        parse = self._loop.run_until_complete(self._agent.processor.parse_message(message))
        result = {"text": text, **canonical(parse)}
        result["entities"] = [
            {k: e[k] for k in PUBLIC_KEYS if k in e} for e in parse.get("entities", [])
        ]
        return result


def empty_result(text: str) -> dict:
    return {"text": text, "intent": "out_of_scope", "category": None, "categories": [],
            "confidence": 0.0, "entities": []}
