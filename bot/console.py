"""The console channel: one resident chatting in a terminal or through a pipe.

A thin adapter around the turn: read a line, print the replies. Each bot message is
printed on lines starting with "bot> "; buttons as "  [N] title", and typing N presses
button N of the latest message that had buttons. After every turn, what happened to
the resident's cases and bookings is printed (the console sender of the dispatcher).

A number is any Unicode digit an input method types ("2", "２", "②", "❷", "²"). A line
that fails anyway is answered (texts.TURN_FAILED), logged masked, and the next read.
"""
from __future__ import annotations

import logging
import sys
import unicodedata
from typing import TextIO

from actions import texts
from bot.app import Application
from bot.buttons import Button
from bot.failures import masked_traceback
from bot.turn import BUTTON, TEXT, Incoming, Reply

log = logging.getLogger(__name__)

MAX_BUTTON_NUMBER = 2  # digits: "12" presses button 12; "123" is text


def button_number(line: str) -> int | None:
    """The number a line of at most MAX_BUTTON_NUMBER digits names, any Unicode digit
    ("①" is 1); None for anything else."""
    if not 0 < len(line) <= MAX_BUTTON_NUMBER:
        return None
    try:
        return int("".join(str(unicodedata.digit(ch)) for ch in line))
    except ValueError:  # not a digit
        return None


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
        try:
            replies = await self.app.deliver_to(self.user)
        except Exception as error:  # what is not marked sent is printed after the next line
            log.error("console deliveries to %s failed:\n%s", self.user, masked_traceback(error))
            return
        self.show(replies)

    async def handle(self, line: str) -> None:
        line = line.strip()
        if not line:
            return
        number = button_number(line)
        if number is not None and self.buttons:
            index = number - 1
            if not 0 <= index < len(self.buttons):
                self.show([Reply(texts.NO_SUCH_OPTION.format(count=len(self.buttons)))])
                return
            incoming = Incoming(self.user, BUTTON, data=self.buttons[index].data)
        else:
            incoming = Incoming(self.user, TEXT, text=line)
        self.show(await self.app.turn.handle(incoming))
        await self.deliver()

    async def run(self, lines) -> None:
        if hasattr(lines, "reconfigure"):  # bytes that are not UTF-8 are read, replaced
            lines.reconfigure(errors="replace")
        await self.deliver()
        interactive = sys.stdin.isatty()
        while True:
            if interactive:
                self.out.write(texts.CONSOLE_PROMPT)
                self.out.flush()
            line = lines.readline()
            if not line:
                return
            try:
                await self.handle(line)
            except Exception as error:  # the turn answers its own failures; this is the console's
                log.error("console line of %s failed:\n%s", self.user, masked_traceback(error))
                self.show([Reply(texts.TURN_FAILED)])
