"""The resident side of Telegram: an update in, the turn, the replies out.

A thin adapter (README, "Channels: one turn, thin adapters"): it maps an update to an
``Incoming``, runs the turn and sends the replies, through the inbox (bot/telegram/
inbox.py) so that a kill at any moment loses nothing and a replay has no second effect.

- Private chats only run the dialogue. In groups the bot answers what is addressed to
  it (a command, a mention, a reply to it) with one line pointing to the private chat
  and stays silent otherwise; channel posts are
  never answered (an answer there would be public). Nothing in a group or channel
  reaches the dialogue or the store beyond the inbox row.
- A button press is answered at once (the spinner stops), then the turn runs; the
  pressed message's keyboard is removed, since pressing answered its question.
- When the turn asks for the resident's own phone, a reply keyboard offers to share it
  (request_contact); the next turn's replies remove it.
- Text goes out plain, without parse_mode, split at line breaks below 4,096 characters;
  the turn's replies run together into as few messages as their buttons allow.
"""
from __future__ import annotations

import asyncio
import dataclasses
import logging
import time
import traceback

from telegram import ForceReply, Message, ReplyKeyboardRemove, Update
from telegram.constants import ChatType
from telegram.error import BadRequest, Forbidden, NetworkError, RetryAfter, TelegramError

from actions import texts
from bot.app import Application
from bot.buttons import Button
from bot.telegram.inbox import ANSWERED, Inbox, inbox_call
from bot.telegram.throttle import retry_seconds
from bot.telegram.keyboards import MAX_TEXT, contact_keyboard, inline_keyboard, split_text
from bot.turn import BUTTON, CONTACT, LOCATION, OTHER, PHOTO, TEXT, Incoming, Reply

log = logging.getLogger(__name__)

SEND_TRIES = 3
# The share-my-phone keyboard: SHOWN while its question waits; ANSWERED by typing or a
# press elsewhere (still on screen: it goes now, with a message of its own if need be);
# HIDDEN by the client once pressed (it goes with the next message that has no keyboard).
SHOWN, ANSWERED_BY_TEXT, HIDDEN = "shown", "answered", "hidden"
PRIVATE = ChatType.PRIVATE
# Message content the turn answers with what the bot can take, by Telegram's field name.
OTHER_KINDS = (("sticker", "sticker"), ("voice", "voice"), ("audio", "voice"), ("video", "video"),
               ("video_note", "video"), ("animation", "video"), ("document", "document"))


class Blocked(Exception):
    """The resident blocked the bot: nothing more can be sent to them."""


def incoming_of(update: Update) -> Incoming | None:
    """What a resident sent in a private chat, or None when it is nothing for the turn."""
    key = str(update.update_id)
    if update.callback_query is not None:
        query = update.callback_query
        return Incoming(str(query.from_user.id), BUTTON, data=query.data or "", key=key)
    if update.edited_message is not None:
        return Incoming(str(update.edited_message.from_user.id), OTHER, what="edited", key=key)
    message = update.message
    if message is None or message.from_user is None:
        return None
    user, at = str(message.from_user.id), message.date
    if message.text is not None:
        return Incoming(user, TEXT, text=message.text, at=at, key=key)
    if message.contact is not None:
        own = message.contact.user_id is not None and message.contact.user_id == message.from_user.id
        return Incoming(user, CONTACT, phone=message.contact.phone_number, own_contact=own, at=at, key=key)
    if message.location is not None:
        where = (message.location.latitude, message.location.longitude)
        return Incoming(user, LOCATION, location=where, what="location", at=at, key=key)
    if message.photo:
        return Incoming(user, PHOTO, file_id=message.photo[-1].file_id, text=message.caption or "", what="photo",
                        at=at, key=key)
    for field, what in OTHER_KINDS:
        if getattr(message, field, None) is not None:
            return Incoming(user, OTHER, what=what, at=at, key=key)
    return Incoming(user, OTHER, what="other", at=at, key=key)


def _kind(update: Update) -> str:
    incoming = incoming_of(update) if _private(update) else None
    if incoming is not None:
        return incoming.what or incoming.kind
    return next((name for name, value in update.to_dict().items() if name != "update_id" and value), "?")


def _addressed_to(message: Message, bot) -> bool:
    """A group message meant for the bot: a command, a mention of it, or a reply to it.
    The rest of a group's chatter is not ours to answer."""
    if (message.text or "").startswith("/"):
        return True
    username = f"@{bot.username}".lower() if getattr(bot, "username", None) else None
    if username and any(mention.lower() == username for mention in message.parse_entities(["mention"]).values()):
        return True
    replied = message.reply_to_message
    return replied is not None and replied.from_user is not None and replied.from_user.id == bot.id


def _private(update: Update) -> bool:
    chat = update.effective_chat
    return chat is not None and chat.type == PRIVATE


def _outgoing(chat_id: int, reply: Reply) -> dict:
    """A reply as the inbox records it (JSON), before it is sent."""
    item = {"chat_id": chat_id, "text": reply.text, "buttons": [[b.title, b.data] for b in reply.buttons],
            "asks_phone": reply.asks_phone}
    if reply.unfiled:  # the turn failed and could not file the message: the row keeps it
        item["unfiled"] = True
    return item


def joined(outgoing: list[dict]) -> list[dict]:
    """The turn's replies as few messages as they fit in: a reply without buttons runs on
    into the next one (a blank line between), so an answer is usually one message. Fewer
    messages keep a chat under Telegram's one a second and read as one answer."""
    messages: list[dict] = []
    for item in outgoing:
        previous = messages[-1] if messages else None
        if (previous is not None and not previous["buttons"] and not previous["asks_phone"]
                and not previous.get("unfiled") and previous["chat_id"] == item["chat_id"]
                and len(previous["text"]) + 2 + len(item["text"]) <= MAX_TEXT):
            messages[-1] = {**item, "text": f"{previous['text']}\n\n{item['text']}".strip()}
        else:
            messages.append(dict(item))
    return messages


@dataclasses.dataclass
class PhoneKeyboard:
    titles: frozenset[str]  # its answers besides sharing the phone (跳过)
    state: str = SHOWN


class TelegramChannel:
    def __init__(self, app: Application, inbox: Inbox, throttle=None, turns: int = 8, staff=None):
        self.app, self.inbox = app, inbox
        # The staff desk (bot/telegram/staff.py): staff commands, card presses, the staff
        # group; what it does not take goes to the resident turn.
        self.staff = staff
        # Turns at once: the chat's slot in the processor covers sending too, which may
        # wait on the chat's flood limit; the turn itself takes one of these.
        self._turns = asyncio.Semaphore(turns)
        # The same throttle as the deliveries' sender: replies and pushed notices
        # together keep Telegram's limits (one message a second per chat, 30 overall).
        self.throttle = throttle
        # Chats with the share-my-phone keyboard: its state (SHOWN, ...) and its titles.
        # Kept in memory: after a restart a keyboard left up goes with the next phone
        # question's answer.
        self._phone_keyboard: dict[int, PhoneKeyboard] = {}
        self.handled = 0  # updates handled to the end (for the log and the bench)

    async def on_update(self, update: Update, context) -> None:
        """python-telegram-bot's handler callback (a TypeHandler for every Update)."""
        await self.handle(update, context.bot)

    async def handle(self, update: Update, bot) -> None:
        row = await inbox_call(self.inbox.fresh_or_begin, update.update_id)
        if row is None:  # handled before (delivered again after a restart), or given up
            return
        started = time.monotonic()
        answered_in = 0.0
        while True:
            try:
                if row.state == ANSWERED:
                    outgoing = row.replies  # the turn ran; only sending was cut short
                else:
                    outgoing = await self._answer(update, bot)
                    answered_in = time.monotonic() - started
                    await inbox_call(self.inbox.answered, update.update_id, outgoing)
                await self._send_all(bot, outgoing)
            except Blocked:
                log.info("update %s: the resident blocked the bot; nothing sent", update.update_id)
            except Exception as error:
                # Never the update's words in the log, and so not the error's message either
                # (a database error quotes its parameters): the type and the frames only.
                log.error("update %s failed: %s\n%s", update.update_id, type(error).__name__,
                          "".join(traceback.format_tb(error.__traceback__)).rstrip())
                given_up = await inbox_call(self.inbox.attempt_failed, update.update_id,
                                          type(error).__name__, self.app.clock())
                if not given_up:
                    row = await inbox_call(self.inbox.begin, update.update_id) or row
                    await asyncio.sleep(0.2)
                    continue
                if _private(update):
                    await self._quietly(bot.send_message(update.effective_chat.id, texts.TURN_FAILED))
                return
            if any(item.get("unfiled") for item in outgoing):
                await inbox_call(self.inbox.kept, update.update_id, "turn failed, message not filed",
                                 self.app.clock())
            else:
                await inbox_call(self.inbox.done, update.update_id, self.app.clock())
            self.handled += 1
            # What happened, never what was said: no text, number or place in the log.
            log.info("update %s (%s) from chat %s handled in %.0f ms (answered in %.0f), %d replies",
                     update.update_id, _kind(update), update.effective_chat.id if update.effective_chat else "-",
                     (time.monotonic() - started) * 1000, answered_in * 1000, len(outgoing))
            return

    async def _answer(self, update: Update, bot) -> list[dict]:
        """Run the turn (or the group answer) and return the replies to send."""
        if update.channel_post is not None or update.edited_channel_post is not None:
            return []
        if self.staff is not None:
            handled = await self.staff.answer(update, bot)
            if handled is not None:
                return handled
        if not _private(update):
            message = update.message
            if message is not None and _addressed_to(message, bot):
                return [{"chat_id": message.chat.id, "text": texts.GROUP_PRIVATE_ONLY, "buttons": [],
                         "asks_phone": False}]
            if update.callback_query is not None:
                await self._quietly(update.callback_query.answer())
            return []
        incoming = incoming_of(update)
        if incoming is None:
            return []
        chat_id = update.effective_chat.id
        if update.callback_query is not None:
            # Answered before the turn runs, so the spinner stops at once.
            await self._quietly(update.callback_query.answer())
        self._note_keyboard_use(chat_id, incoming)
        async with self._turns:
            replies = await self.app.turn.handle(incoming)
        if update.callback_query is not None and isinstance(update.callback_query.message, Message):
            # The press answered that question (or it was stale): its keyboard goes.
            pressed = update.callback_query.message
            if pressed.reply_markup is not None:
                await self._quietly(bot.edit_message_reply_markup(chat_id, pressed.message_id,
                                                                  reply_markup=None))
        return joined([_outgoing(chat_id, reply) for reply in replies])

    async def _send_all(self, bot, outgoing: list[dict]) -> None:
        for item in outgoing:
            chat_id = item["chat_id"]
            if item["asks_phone"]:
                # One message: the question, and a reply keyboard with the share-my-phone
                # button and the question's answers (a message carries one keyboard).
                titles = [title for title, _ in item["buttons"]]
                pieces = split_text(f"{item['text']}\n{texts.SHARE_PHONE_HINT}")
                for number, piece in enumerate(pieces, 1):
                    last = number == len(pieces)
                    await self._send(bot, chat_id, piece, contact_keyboard(texts.SHARE_PHONE, titles) if last else None)
                self._phone_keyboard[chat_id] = PhoneKeyboard(frozenset(titles))
                continue
            keyboard = inline_keyboard([Button(title, data) for title, data in item["buttons"]])
            if item.get("force_reply") and keyboard is None:
                # Not selective: a press has no message of the presser's to reply to; only
                # the presser's answer is taken (bot/telegram/staff.py).
                keyboard = ForceReply()
            pieces = split_text(item["text"]) or ([] if keyboard is None else ["…"])
            shown = self._phone_keyboard.get(chat_id)
            removing = shown is not None and shown.state in (ANSWERED_BY_TEXT, HIDDEN)
            if removing and keyboard is not None and len(pieces) < 2 and shown.state != HIDDEN:
                # Still on screen (answered by typing) and this message needs the inline
                # keyboard: a short word closes the phone keyboard first.
                await self._send(bot, chat_id, texts.PHONE_KEYBOARD_CLOSED, ReplyKeyboardRemove())
                removing = False
                del self._phone_keyboard[chat_id]
            for number, piece in enumerate(pieces, 1):
                markup = keyboard if number == len(pieces) else None
                if markup is None and removing:
                    markup, removing = ReplyKeyboardRemove(), False
                    del self._phone_keyboard[chat_id]
                await self._send(bot, chat_id, piece, markup, thread_id=item.get("thread_id"))

    async def _send(self, bot, chat_id: int, text: str, markup, thread_id: int | None = None) -> None:
        """One message; flood control waited as told, a network error tried again (a
        send that timed out may have arrived: that one can reach the resident twice)."""
        for attempt in range(1, SEND_TRIES + 1):
            try:
                if self.throttle is None:
                    await bot.send_message(chat_id, text, reply_markup=markup, message_thread_id=thread_id)
                else:
                    async with self.throttle.slot(chat_id, group=chat_id < 0):
                        await bot.send_message(chat_id, text, reply_markup=markup, message_thread_id=thread_id)
                return
            except Forbidden as error:
                raise Blocked() from error
            except RetryAfter as error:
                if attempt == SEND_TRIES:
                    raise
                wait = retry_seconds(error)
                if self.throttle is None:
                    await asyncio.sleep(wait)
                else:  # the chat waits for everyone who sends to it, deliveries included
                    self.throttle.pause(wait, chat_id)
            except BadRequest as error:  # never accepted as it is: not tried again
                log.error("a reply to chat %s was refused: %s", chat_id, error.message)
                return
            except NetworkError:
                if attempt == SEND_TRIES:
                    raise
                await asyncio.sleep(0.5 * attempt)

    def _note_keyboard_use(self, chat_id: int, incoming: Incoming) -> None:
        """How the phone question was answered: a shared contact, or text that is one of
        the keyboard's titles, was the keyboard pressed (the client hid it); other text or
        a press answered it otherwise. A photo or a location answers nothing."""
        shown = self._phone_keyboard.get(chat_id)
        if shown is None or shown.state != SHOWN:
            return
        if incoming.kind == CONTACT or (incoming.kind == TEXT and (incoming.text or "").strip() in shown.titles):
            shown.state = HIDDEN
        elif incoming.kind in (TEXT, BUTTON):
            shown.state = ANSWERED_BY_TEXT

    @staticmethod
    async def _quietly(call) -> None:
        """A call whose failure changes nothing for the resident (answering an old
        press, removing a keyboard already gone)."""
        try:
            await call
        except Forbidden:
            raise Blocked() from None
        except TelegramError as error:
            log.info("ignored: %s", getattr(error, "message", error))
