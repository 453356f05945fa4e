"""The console channel: one resident chatting in a terminal or through a pipe.

Each bot message is printed on lines starting with "bot> "; buttons as "  [N] title",
and typing N presses button N of the latest message that had buttons.
"""
from __future__ import annotations

import datetime as dt
import sys
from typing import TextIO

from actions.runtime import civic
from bot import notices
from civic.services import notifications
from nlu.normalise import normalise

COMMANDS = {"/start": "/help", "/help": "/help", "/帮助": "/help", "/cancel": "/cancel"}
MAX_MESSAGE = 2000


class Console:
    def __init__(self, agent, user: str, now: dt.datetime | None = None,
                 out: TextIO = sys.stdout):
        self.agent, self.user, self.fixed_now, self.out = agent, user, now, out
        self.buttons: list[dict] = []

    def now(self) -> dt.datetime:
        return self.fixed_now or dt.datetime.now(dt.timezone.utc)

    def say(self, text: str, buttons: list[dict] | None = None) -> None:
        for line in (text or "").splitlines() or [""]:
            self.out.write(f"bot> {line}\n")
        if buttons:
            self.buttons = buttons
            for number, item in enumerate(buttons, 1):
                self.out.write(f"  [{number}] {item['title']}\n")
        self.out.flush()

    def deliver_notices(self) -> None:
        """What happened since this resident last looked; marked shown once printed."""
        app = civic()
        with app.uow() as uow:
            pending, last_id = notifications.pending_notices(uow, self.user)
        for notice in pending:
            self.say(*notices.render(notice, self.now()))
        if last_id is not None:
            with app.uow() as uow:
                notifications.mark_shown(uow, self.user, last_id)

    async def handle(self, line: str) -> None:
        line = line.strip()
        if not line:
            return
        if len(line) > MAX_MESSAGE:
            self.say(f"消息太长了（超过{MAX_MESSAGE}字），没有处理。请分几条发，或先说最要紧的情况。")
            return
        if line.isdigit() and len(line) <= 2 and self.buttons:
            index = int(line) - 1
            if not 0 <= index < len(self.buttons):
                self.say(f"没有这个选项，请输入 1 到 {len(self.buttons)} 之间的数字，或直接打字。")
                return
            await self.send(self.buttons[index]["payload"])
            return
        if line.startswith("/"):
            command = line.split()[0]
            if command not in COMMANDS:
                self.say("不认识这个命令。可以发 /start 看说明，或直接说您要办的事。")
                return
            await self.send(COMMANDS[command])
            return
        await self.send(normalise(line))

    async def send(self, text: str) -> None:
        from rasa.core.channels.channel import CollectingOutputChannel, UserMessage

        metadata = {"now": self.fixed_now.isoformat()} if self.fixed_now else {}
        channel = CollectingOutputChannel()
        await self.agent.handle_message(UserMessage(text, channel, self.user, metadata=metadata))
        self.buttons = []
        for message in channel.messages:
            self.say(message.get("text", ""), message.get("buttons"))
        self.deliver_notices()

    async def run(self, lines) -> None:
        self.deliver_notices()
        interactive = sys.stdin.isatty()
        while True:
            if interactive:
                self.out.write("你> ")
                self.out.flush()
            line = lines.readline()
            if not line:
                return
            await self.handle(line)
