"""The composition root: the one place that builds the civic core, the agent, the clock,
the button codec, the turn and the delivery pipeline, and hands them to a channel."""
from __future__ import annotations

import dataclasses
import datetime as dt
from typing import Callable

from actions import runtime
from bot.buttons import NOTICE, ButtonCodec
from bot.dispatcher import Dispatcher
from bot.notices import Renderer
from bot.senders import ConsoleSender
from bot.turn import Reply, Turn
from civic.bootstrap import Civic, bootstrap
from civic.domain.recipients import resident

Clock = Callable[[], dt.datetime]


def system_clock() -> dt.datetime:
    return dt.datetime.now(dt.timezone.utc)


def fixed_clock(at: dt.datetime) -> Clock:
    """A pinned clock (console --now, tests): every message is sent at that moment."""
    return lambda: at


@dataclasses.dataclass
class Application:
    civic: Civic
    agent: object
    clock: Clock
    codec: ButtonCodec
    turn: Turn
    renderer: Renderer

    async def deliver_to(self, user_id: str) -> list[Reply]:
        """Dispatch what is pending for one resident (the console shows one resident) and
        return it rendered, its buttons offered: a delivery is marked sent once its reply
        exists, so the caller shows the replies at once."""
        now, replies = self.clock(), []

        def write(text: str, buttons: list[dict]) -> None:
            [offered] = self.codec.offer(user_id, [buttons], kind=NOTICE, now=now)
            replies.append(Reply(text, tuple(offered)))

        dispatcher = Dispatcher(self.civic, self.renderer, ConsoleSender(write))
        await dispatcher.dispatch_once(now, recipients=[resident(user_id)])
        return replies


def build_application(*, database_url: str | None = None, clock: Clock = system_clock,
                      agent=None, civic: Civic | None = None) -> Application:
    """Everything a channel needs. The agent is loaded from the current model unless one
    is given (tests pass a stand-in)."""
    civic = civic or bootstrap(database_url)
    runtime.configure(civic)
    if agent is None:
        from bot.agent import load_agent
        from nlu.model import ensure_model
        from nlu.pinyin import warm_up

        agent = load_agent(ensure_model())
        warm_up()  # after the tokenizer's dictionary is in jieba: the same lexicon every start
    codec = ButtonCodec(civic.engine)
    turn = Turn(agent=agent, civic=civic, codec=codec, clock=clock)
    return Application(civic=civic, agent=agent, clock=clock, codec=codec, turn=turn,
                       renderer=Renderer(civic.services.district))
