"""The sender port: how the dispatcher hands one message to one recipient.

``await sender.send(recipient, message)`` returning means the channel accepted the
message (Telegram answered with a Message; the console printed it); only then is the
delivery marked sent. Anything else is said with an exception:

- ``RetryLater(after)``: the channel asked to wait (Telegram's RetryAfter): tried
  again after ``after`` seconds, not counted as a failed attempt;
- ``RecipientBlocked``: the person blocked the bot or the chat is gone (Forbidden):
  the delivery is marked blocked and never tried again;
- ``PermanentFailure``: this message can never be sent (a BadRequest): marked failed;
- any other exception (time-outs, network, 5xx): a failed attempt, tried again later
  with exponential backoff, and marked failed after the dispatcher's max attempts.
  A send that timed out may have arrived: that message can reach someone twice.

Recipients are addresses ``resident:<id>``, ``staff:<id>`` or ``centre:desk``
(civic.domain.recipients); a sender maps them to chats.
"""
from __future__ import annotations

import dataclasses
from typing import Callable, Protocol


@dataclasses.dataclass(frozen=True)
class Message:
    text: str
    buttons: tuple[dict, ...] = ()  # {"title": ..., "payload": ...}, as the dialogue's buttons
    # Images sent before the text: bytes (a chart), a channel's file id, or several ids.
    photo: bytes | str | tuple[str, ...] | None = None


class RetryLater(Exception):
    def __init__(self, after: float, reason: str = "retry later"):
        super().__init__(f"{reason} (after {after:g} s)")
        self.after = after


class RecipientBlocked(Exception):
    """The recipient cannot be reached any more."""


class PermanentFailure(Exception):
    """This message will never be accepted."""


class Sender(Protocol):
    async def send(self, recipient: str, message: Message) -> None: ...


class FakeSender:
    """For tests: records what it accepted, and fails as told.

    ``fail_times(n)`` makes the next n sends raise a transient error; ``fail_always()``
    until ``recover()``; ``block()`` answers RecipientBlocked; ``retry_after(s)``
    answers RetryLater(s) once; ``permanent()`` answers PermanentFailure. ``only`` limits
    a failure to one recipient.
    """

    def __init__(self):
        self.sent: list[tuple[str, Message]] = []
        self.calls: list[str] = []  # every recipient asked, accepted or not
        self._failures: list[tuple[Exception, str | None]] = []
        self._always: tuple[Exception, str | None] | None = None

    def fail_times(self, n: int, error: Exception | None = None, only: str | None = None) -> None:
        self._failures += [(error or ConnectionError("network down"), only)] * n

    def fail_always(self, error: Exception | None = None, only: str | None = None) -> None:
        self._always = (error or ConnectionError("network down"), only)

    def block(self, only: str | None = None) -> None:
        self._always = (RecipientBlocked("bot blocked by the user"), only)

    def permanent(self, only: str | None = None) -> None:
        self._always = (PermanentFailure("message is malformed"), only)

    def retry_after(self, seconds: float, only: str | None = None) -> None:
        self._failures.append((RetryLater(seconds, "flood control"), only))

    def recover(self) -> None:
        self._failures, self._always = [], None

    async def send(self, recipient: str, message: Message) -> None:
        self.calls.append(recipient)
        for i, (error, only) in enumerate(self._failures):
            if only in (None, recipient):
                del self._failures[i]
                raise error
        if self._always is not None and self._always[1] in (None, recipient):
            raise self._always[0]
        self.sent.append((recipient, message))

    def texts(self, recipient: str | None = None) -> list[str]:
        return [m.text for r, m in self.sent if recipient in (None, r)]


class ConsoleSender:
    """Writes each message with ``write(text, buttons)``: the console's own printer.

    The console shows one resident, so it dispatches with recipients= that resident;
    a write that returns has shown the message.
    """

    def __init__(self, write: Callable[[str, list[dict]], None]):
        self._write = write

    async def send(self, recipient: str, message: Message) -> None:
        self._write(message.text, list(message.buttons))
