"""The Telegram sender of the dispatcher (bot.senders.Sender): one delivery, one message.

Recipients (civic.domain.recipients) to chats:

- ``resident:<id>``: the resident id is their Telegram user id, and a private chat's id is
  the user's id. A resident Telegram refused (they blocked the bot) is marked unreachable
  in the store, for staff to see (``python -m civic cases show``); their deliveries are
  then marked blocked without calling Telegram, until they write to the bot again.
- ``staff:<id>``: the private chat of the Telegram account the staff member linked
  (``staff_links``). Not linked yet: the delivery stays pending (RetryLater of
  ``UNLINKED_WAIT``, not counted as an attempt) and goes out once they link.
- ``centre:desk``: the staff group ``STAFF_CHAT_ID`` (its topics come with the staff
  issue). Unset: pending the same way.

A message's text goes plain (bot.telegram.keyboards), split below 4,096 characters at
line breaks; its buttons are offered through the codec (resident buttons stand for
payloads kept in the store) and shown as an inline keyboard under the last piece. A
retried message keeps its offered buttons and the pieces Telegram already took (in
memory), so a resident never sees two live copies of one question.

Telegram's answers (python-telegram-bot's errors; BadRequest and TimedOut are
NetworkErrors, so they are caught first):

=================  ===========================================================  ==================
error              what it means and what happens                               the dispatcher
=================  ===========================================================  ==================
RetryAfter         flood control: the throttle pauses that chat exactly as      RetryLater(s):
                   long as told                                                 not an attempt
ChatMigrated       a group became a supergroup: sent again at once to the new   (sent)
                   id, which is kept (and logged: update STAFF_CHAT_ID)
Forbidden          blocked by the resident (or kicked from the group): the      RecipientBlocked:
                   resident is marked unreachable                               never retried
BadRequest         this message can never be sent                               PermanentFailure
TimedOut           no answer in time; it may have arrived (the only message     TimeoutError:
                   that can reach someone twice)                                backoff, retried
NetworkError       connection lost, 5xx, 502 from the proxy                     ConnectionError:
                                                                                backoff, retried
=================  ===========================================================  ==================

Returning means Telegram answered every piece with a Message: only then is a delivery
marked sent.
"""
from __future__ import annotations

import asyncio
import collections
import contextlib
import dataclasses
import logging
import os
from typing import Callable

from telegram import InlineKeyboardMarkup
from telegram.error import BadRequest, ChatMigrated, Forbidden, NetworkError, RetryAfter, TimedOut

from bot.buttons import NOTICE, Button, ButtonCodec, is_staff_data
from bot.senders import Message, PermanentFailure, RecipientBlocked, RetryLater
from bot.telegram.keyboards import inline_keyboard, split_text
from bot.telegram.throttle import Throttle, retry_seconds
from civic.adapters.accounts_repository import AccountRepository
from civic.domain import events as ev
from civic.domain.recipients import CENTRE_DESK, id_of, kind_of

log = logging.getLogger(__name__)

UNLINKED_WAIT = 15 * 60.0  # seconds: a staff member without Telegram, or no staff group yet
MAX_MIGRATIONS = 3  # a chat that keeps moving is a bug somewhere, not a reason to loop
HOLD_THROUGH_PAUSE = 2.0  # seconds of a RetryAfter pause worth waiting out inside one send
REMEMBERED = 10_000  # messages part-sent or with offered buttons, kept for their retry


def staff_chat_from_env() -> int | None:
    value = os.environ.get("STAFF_CHAT_ID", "").strip()
    return int(value) if value else None


@dataclasses.dataclass
class _Outgoing:
    """A message on its way to one chat: its pieces, its keyboard, how many went out."""

    pieces: list[str]
    keyboard: InlineKeyboardMarkup | None
    sent: int = 0
    photo: bytes | str | tuple | None = None  # sent before the first piece; None once it went


class TelegramSender:
    def __init__(self, bot, codec: ButtonCodec, clock: Callable, *, throttle: Throttle | None = None,
                 staff_chat_id: int | None = None, staff_group=None):
        self.bot, self.codec, self.clock = bot, codec, clock
        self.throttle = throttle or Throttle()
        # The staff group's topics (bot/telegram/staff_group.py): the command centre's desk
        # posts in its topic there, and a handed-off resident who blocked the bot is
        # announced in theirs.
        self.staff_group = staff_group
        if staff_chat_id is None and staff_group is not None:
            staff_chat_id = staff_group.chat_id
        self.staff_chat_id = staff_chat_id if staff_chat_id is not None else staff_chat_from_env()
        self.moved: dict[int, int] = {}  # chat id -> the supergroup it became
        self._outgoing: collections.OrderedDict[tuple, _Outgoing] = collections.OrderedDict()

    async def send(self, recipient: str, message: Message) -> None:
        if recipient == CENTRE_DESK and self.staff_group is not None:
            await self._to_centre_topic(message)
            return
        chat_id = await self._chat_of(recipient)
        key = (recipient, message.text, tuple(b["payload"] for b in message.buttons))
        outgoing = self._outgoing.get(key)
        if outgoing is None:
            outgoing = await self._prepare(recipient, message)
            self._remember(key, outgoing)
        try:
            while outgoing.photo:  # a tuple of file ids: one at a time, each once
                photos = outgoing.photo if isinstance(outgoing.photo, tuple) else (outgoing.photo,)
                chat_id = await self._send_piece(recipient, chat_id, None, None, photo=photos[0])
                outgoing.photo = photos[1:] or None
            while outgoing.sent < len(outgoing.pieces):
                last = outgoing.sent == len(outgoing.pieces) - 1
                chat_id = await self._send_piece(recipient, chat_id, outgoing.pieces[outgoing.sent],
                                                 outgoing.keyboard if last else None)
                outgoing.sent += 1
        except (RecipientBlocked, PermanentFailure):
            self._outgoing.pop(key, None)
            raise
        self._outgoing.pop(key, None)

    # --- recipients to chats ---------------------------------------------------------------

    async def _chat_of(self, recipient: str) -> int:
        kind, who = kind_of(recipient), id_of(recipient)
        if kind == ev.RESIDENT_KIND:
            if not who.isdigit():
                raise PermanentFailure(f"{recipient} is no Telegram user id")
            unreachable = await asyncio.to_thread(self._read, lambda r: r.unreachable(who))
            if unreachable is not None:
                raise RecipientBlocked(f"unreachable since {unreachable[0]:%Y-%m-%d %H:%M}Z: {unreachable[1]}")
            return int(who)
        if kind == ev.STAFF_KIND:
            linked = await asyncio.to_thread(self._read, lambda r: r.telegram_id_for(who))
            if linked is None:
                raise RetryLater(UNLINKED_WAIT, f"staff member {who} has not linked a Telegram account")
            return int(linked)
        if recipient == CENTRE_DESK:
            if self.staff_chat_id is None:
                raise RetryLater(UNLINKED_WAIT, "STAFF_CHAT_ID is not set")
            return self.moved.get(self.staff_chat_id, self.staff_chat_id)
        raise PermanentFailure(f"no Telegram chat for {recipient}")

    async def _prepare(self, recipient: str, message: Message) -> _Outgoing:
        pieces = split_text(message.text)
        if not pieces:
            raise PermanentFailure("empty message")
        buttons: list[Button] = []
        if message.buttons and kind_of(recipient) == ev.RESIDENT_KIND:
            [buttons] = await asyncio.to_thread(
                self.codec.offer, id_of(recipient), [list(message.buttons)], kind=NOTICE, now=self.clock())
        elif message.buttons:  # staff buttons carry their callback data (case:<move>:<number>)
            for item in message.buttons:
                if not is_staff_data(item["payload"]):
                    raise PermanentFailure(f"not a staff button: {item['payload']!r}")
                buttons.append(Button(item["title"], item["payload"]))
        return _Outgoing(pieces, inline_keyboard(buttons), photo=message.photo)

    def _remember(self, key: tuple, outgoing: _Outgoing) -> None:
        self._outgoing[key] = outgoing
        while len(self._outgoing) > REMEMBERED:
            self._outgoing.popitem(last=False)

    # --- one sendMessage, through the throttle ---------------------------------------------

    async def _send_piece(self, recipient: str, chat_id: int, text: str | None, keyboard, *,
                          photo: bytes | str | None = None) -> int:
        """Send one piece (or the photo); returns the chat it went to (a migrated group's new id)."""
        for _ in range(MAX_MIGRATIONS + 1):
            paused = self.throttle.paused_for(chat_id)
            if paused > HOLD_THROUGH_PAUSE:  # give the claim back rather than sit on its lease
                raise RetryLater(paused, "Telegram flood control")
            try:
                with _port_errors():
                    async with self.throttle.slot(chat_id, group=chat_id < 0):
                        if photo is not None:
                            await self.bot.send_photo(chat_id=chat_id, photo=photo)
                        else:
                            await self.bot.send_message(chat_id=chat_id, text=text, reply_markup=keyboard)
                return chat_id
            except RetryAfter as error:
                seconds = retry_seconds(error)
                self.throttle.pause(seconds, chat_id)
                raise RetryLater(seconds, "Telegram flood control") from error
            except ChatMigrated as error:
                log.warning("chat %s became %s: set STAFF_CHAT_ID=%s", chat_id, error.new_chat_id,
                            error.new_chat_id)
                for old in [k for k, v in self.moved.items() if v == chat_id]:  # moved twice
                    self.moved[old] = error.new_chat_id
                self.moved[chat_id] = error.new_chat_id
                chat_id = error.new_chat_id
            except Forbidden as error:
                await self._unreachable(recipient, str(error))
                raise RecipientBlocked(str(error)) from error
        raise PermanentFailure(f"chat {chat_id} keeps migrating")

    async def _to_centre_topic(self, message: Message) -> None:
        """The command centre's desk: a message (a chart with its caption) in its topic."""
        from bot.telegram.staff_group import topic_name
        from bot.telegram.staff_store import CENTRE_TOPIC

        group = self.staff_group
        markup = None
        if message.buttons:
            markup = inline_keyboard([Button(b["title"], b["payload"]) for b in message.buttons
                                      if is_staff_data(b["payload"])])
        try:
            with _port_errors():
                await group.send(CENTRE_TOPIC, topic_name(CENTRE_TOPIC, None), message.text, markup,
                                 photo=message.photo)
        except RetryAfter as error:
            seconds = retry_seconds(error)
            self.throttle.pause(seconds, group.chat_id)
            raise RetryLater(seconds, "Telegram flood control") from error
        except Forbidden as error:
            log.warning("Telegram refused messages to the staff group: %s", error)
            raise RecipientBlocked(str(error)) from error

    async def _unreachable(self, recipient: str, why: str) -> None:
        if kind_of(recipient) != ev.RESIDENT_KIND:
            log.warning("Telegram refused messages to %s: %s", recipient, why)
            return
        log.info("resident %s is unreachable: %s", id_of(recipient), why)
        now = self.clock()
        await asyncio.to_thread(self._write, lambda r: r.mark_unreachable(id_of(recipient), now, why))
        await self._announce_blocked(id_of(recipient))

    async def _announce_blocked(self, resident_id: str) -> None:
        if self.staff_group is not None:
            await self.staff_group.announce_blocked(resident_id)

    def _read(self, work):
        # read_only: on SQLite a deferred BEGIN, so a lookup never takes the writers' lock
        with self.codec.engine.connect() as conn:
            conn.execution_options(read_only=True)
            return work(AccountRepository(conn))

    def _write(self, work):
        with self.codec.engine.begin() as conn:
            return work(AccountRepository(conn))


@contextlib.contextmanager
def _port_errors():
    """Telegram's errors that mean the same for every send, as the sender port says them
    (BadRequest and TimedOut are NetworkErrors: caught first)."""
    try:
        yield
    except BadRequest as error:
        raise PermanentFailure(str(error)) from error
    except TimedOut as error:
        raise TimeoutError(f"Telegram did not answer in time: {error}") from error
    except NetworkError as error:
        raise ConnectionError(f"Telegram: {error}") from error
