"""The console channel: one resident chatting in a terminal or through a pipe.

A thin adapter around the turn: read a line, print the replies. Each bot message is
printed on lines starting with "bot> "; buttons as "  [N] title", and typing N presses
button N of the latest message that had buttons. After every turn, what happened to
the resident's cases and bookings is printed (the console sender of the dispatcher).
"""
from __future__ import annotations

import sys
from typing import TextIO

from actions import texts
from bot.app import Application
from bot.buttons import Button
from bot.turn import BUTTON, TEXT, Incoming, Reply

MAX_BUTTON_NUMBER = 2  # digits: "12" presses button 12; "123" is text


class Console:
    def __init__(self, app: Application, user: str, out: TextIO = sys.stdout):
        self.app, self.user, self.out = app, user, out
        self.buttons: list[Button] = []

    def show(self, replies: list[Reply]) -> None:
        for reply in replies:
            for line in reply.text.splitlines() or [""]:
                self.out.write(f"bot> {line}\n")
            if reply.buttons:
                self.buttons = list(reply.buttons)
                for number, button in enumerate(reply.buttons, 1):
                    self.out.write(f"  [{number}] {button.title}\n")
        self.out.flush()

    async def deliver(self) -> None:
        """Print what is pending for this resident: case moves, booking changes, points."""
        self.show(await self.app.deliver_to(self.user))

    async def handle(self, line: str) -> None:
        line = line.strip()
        if not line:
            return
        if line.isdigit() and len(line) <= MAX_BUTTON_NUMBER and self.buttons:
            index = int(line) - 1
            if not 0 <= index < len(self.buttons):
                self.show([Reply(texts.NO_SUCH_OPTION.format(count=len(self.buttons)))])
                return
            incoming = Incoming(self.user, BUTTON, data=self.buttons[index].data)
        else:
            incoming = Incoming(self.user, TEXT, text=line)
        self.show(await self.app.turn.handle(incoming))
        await self.deliver()

    async def run(self, lines) -> None:
        await self.deliver()
        interactive = sys.stdin.isatty()
        while True:
            if interactive:
                self.out.write(texts.CONSOLE_PROMPT)
                self.out.flush()
            line = lines.readline()
            if not line:
                return
            await self.handle(line)
