"""The staff supergroup (``STAFF_CHAT_ID``): its forum topics and what the bot keeps there.

- ``StaffGroup``: a topic per key (a grid's cards, the command centre's, a handed-off
  resident's), created on first use and remembered in the store; every send and edit
  goes through the throttle's group budget (about 20 a minute for the whole group, all
  topics and edits together). A topic staff deleted by hand (Telegram: TOPIC_DELETED,
  "message thread not found") is created again and the message sent again; a closed one
  (TOPIC_CLOSED) is reopened.
- ``Board``: each case's card in its grid's topic, edited in place as the case moves.
  The store is the queue: a card whose case changed since it was shown waits (urgent
  cases first, then oldest). When the queue would wait more than ``SUMMARY_AFTER``,
  the new cases of a burst are posted as one summary per topic instead of a card each
  (nothing dropped: each gets its card with its next change).
- ``Relay``: a handed-off resident's topic, opened with a summary, then what the
  resident writes there, masked. Staff answers in the topic go back through the staff
  desk (bot/telegram/staff.py) and the delivery pipeline.

Only one bot process may run these feeds on a shared store (the dispatcher's leader);
there is one process until the multi-worker deployment.
"""
from __future__ import annotations

import asyncio
import json
import logging

from sqlalchemy import select
from telegram.error import BadRequest, Forbidden, NetworkError, RetryAfter, TelegramError

from actions import texts
from actions.texts import CATEGORIES, HANDOFF_REASONS, STATES, TIERS, when
from bot.buttons import Button
from bot.cards import card_buttons, card_text, grid_name
from bot.leader import AdvisoryLock, NoLock, until_stopped
from bot.telegram.keyboards import MAX_TEXT, inline_keyboard, split_text
from bot.telegram.staff_store import CENTRE_TOPIC, TRIAGE_TOPIC, Card, StaffStore, Topic, handoff_topic
from bot.telegram.throttle import Throttle, retry_seconds
from civic.adapters.tables import outbox
from civic.domain import events as ev
from civic.domain.case import OPEN
from civic.domain.privacy import mask

log = logging.getLogger(__name__)

TOPIC_GONE = ("topic_deleted", "message thread not found", "topic_id_invalid")
TOPIC_CLOSED = "topic_closed"
NOT_MODIFIED = "message is not modified"
MESSAGE_GONE = ("message to edit not found", "message can't be edited")
SUMMARY_AFTER = 180.0  # seconds the card queue may wait before a burst is summarised
SUMMARY_LINES = 40  # cases per summary message
IDLE = 1.0  # seconds between looks when nothing waits
ROUND = 20  # cards a round, between checks that this process still keeps them
LEADER_RETRY = 15.0  # seconds between tries for the lock of a feed another process runs
BOARD_LOCK, RELAY_LOCK = 0x51_58_42, 0x51_58_52  # "QXB", "QXR": pg_try_advisory_lock's first key


def _said(error: TelegramError) -> str:
    return (getattr(error, "message", "") or str(error)).lower()


class StaffGroup:
    def __init__(self, bot, store: StaffStore, throttle: Throttle, chat_id: int, clock):
        self.bot, self.store, self.throttle = bot, store, throttle
        self.chat_id, self.clock = chat_id, clock

    async def _call(self, method, **kwargs):
        """One Bot API call into the group (``chat_id`` given), within its budget: a
        message, an edit, a topic's creation or closing, Telegram counts them all."""
        async with self.throttle.slot(self.chat_id, group=True):
            return await method(chat_id=kwargs.pop("chat_id", self.chat_id), **kwargs)

    async def topic(self, key: str, name: str) -> Topic:
        known = await asyncio.to_thread(self.store.topic, key)
        if known is not None:
            return known
        created = await self._call(self.bot.create_forum_topic, name=name[:128])
        await asyncio.to_thread(self.store.remember_topic, key, self.chat_id, created.message_thread_id,
                                name, self.clock())
        log.info("staff group: topic %s created (thread %s)", key.partition(":")[0], created.message_thread_id)
        return Topic(key, self.chat_id, created.message_thread_id)

    async def send(self, key: str, name: str, text: str, markup=None, *, photo: bytes | str | None = None):
        """Send into a topic (its pieces, the markup under the last); the last Message.
        A topic deleted by hand is created again, a closed one reopened, and sent again."""
        for attempt in range(3):
            topic = await self.topic(key, name)
            try:
                return await self._send_to(topic, text, markup, photo)
            except BadRequest as error:
                said = _said(error)
                if attempt < 2 and any(gone in said for gone in TOPIC_GONE):
                    log.info("staff group: topic %s was deleted; creating it again", key.partition(":")[0])
                    await asyncio.to_thread(self.store.forget_topic, key)
                    continue
                if attempt < 2 and TOPIC_CLOSED in said:
                    await self._reopen(topic)
                    continue
                raise
        raise RuntimeError("unreachable")

    async def _send_to(self, topic: Topic, text: str, markup, photo: bytes | str | None):
        pieces = split_text(text) or ["…"]
        sent = None
        if photo is not None:
            sent = await self._call(self.bot.send_photo, photo=photo, message_thread_id=topic.thread_id)
        for number, piece in enumerate(pieces, 1):
            sent = await self._call(self.bot.send_message, text=piece, message_thread_id=topic.thread_id,
                                    reply_markup=markup if number == len(pieces) else None)
        return sent

    async def reply_photo(self, key: str, message_id: int, photo: str) -> None:
        """A photo in reply to a message of a topic (a case's photos under its card)."""
        topic = await asyncio.to_thread(self.store.topic, key)
        await self._call(self.bot.send_photo, photo=photo, message_thread_id=topic.thread_id if topic else None,
                         reply_to_message_id=message_id)

    async def edit(self, chat_id: int, message_id: int, text: str, markup) -> bool:
        """Edit a card in place; False when the message is gone (deleted by hand)."""
        try:
            await self._call(self.bot.edit_message_text, text=text[:MAX_TEXT], chat_id=chat_id,
                             message_id=message_id, reply_markup=markup)
            return True
        except BadRequest as error:
            said = _said(error)
            if NOT_MODIFIED in said:
                return True
            if any(gone in said for gone in MESSAGE_GONE):
                return False
            raise

    async def close(self, key: str) -> None:
        topic = await asyncio.to_thread(self.store.topic, key)
        if topic is None:
            return
        try:
            await self._call(self.bot.close_forum_topic, message_thread_id=topic.thread_id)
        except BadRequest as error:  # already closed, or deleted by hand: nothing to close
            log.info("staff group: topic not closed: %s", _said(error))

    async def reopen(self, key: str) -> None:
        topic = await asyncio.to_thread(self.store.topic, key)
        if topic is not None:
            await self._reopen(topic)

    async def _reopen(self, topic: Topic) -> None:
        try:
            await self._call(self.bot.reopen_forum_topic, message_thread_id=topic.thread_id)
        except BadRequest as error:
            log.info("staff group: topic not reopened: %s", _said(error))

    async def post(self, thread_id: int | None, text: str) -> None:
        """One line in a topic the bot knows is there (a handoff's last word before /done)."""
        try:
            await self._call(self.bot.send_message, text=text, message_thread_id=thread_id)
        except TelegramError as error:
            log.info("staff group: a line was not sent: %s", _said(error))

    async def announce_blocked(self, resident_id: str) -> None:
        """A handed-off resident who blocked the bot: staff in their topic should know."""
        store = self.store
        if await asyncio.to_thread(store.open_handoff_of, resident_id) is None:
            return
        topic = await asyncio.to_thread(store.topic, handoff_topic(resident_id))
        if topic is None:
            return
        try:
            await self.send(topic.key, texts.TOPIC_HANDOFF.format(category="", name=texts.TOPIC_HANDOFF_ANYONE),
                            texts.HANDOFF_RESIDENT_BLOCKED)
        except TelegramError as error:  # a courtesy: the block itself is recorded
            log.warning("staff group: the block was not announced: %s", type(error).__name__)

    async def wait_out(self, error: RetryAfter) -> None:
        wait = retry_seconds(error)
        self.throttle.pause(wait, self.chat_id)
        await asyncio.sleep(wait)


def feed_lock(engine, lock_class: int, what: str):
    """One process keeps the cards (and one relays) per store: on PostgreSQL the holder of
    an advisory lock; on SQLite the one bot process."""
    return AdvisoryLock(engine, lock_class, what) if engine.dialect.name == "postgresql" else NoLock()


def topic_name(key: str, district) -> str:
    if key == TRIAGE_TOPIC:
        return texts.TOPIC_TRIAGE
    if key == CENTRE_TOPIC:
        return texts.TOPIC_CENTRE
    return grid_name(district, key.partition(":")[2])


class Board:
    """Case cards in the grids' topics, kept as current as the group's budget allows."""

    def __init__(self, group: StaffGroup, civic, clock, summary_after: float = SUMMARY_AFTER):
        self.group, self.civic, self.clock = group, civic, clock
        self.district = civic.services.district
        self.summary_after = summary_after
        self.posted = 0  # cards sent or edited, and summaries (for the log and the bench)

    async def run(self, stop: asyncio.Event) -> None:
        leader = feed_lock(self.civic.engine, BOARD_LOCK, "card board")
        while not stop.is_set():
            if not await asyncio.to_thread(leader.hold):  # another process keeps the cards
                await until_stopped(stop, LEADER_RETRY)
                continue
            try:
                worked = await self.flush_once(stop)
            except RetryAfter as error:
                await self.group.wait_out(error)
                continue
            except (NetworkError, Forbidden) as error:
                log.warning("staff group: cards wait: %s", type(error).__name__)
                worked = False
            except Exception:
                log.exception("staff group: a card failed; trying again shortly")
                worked = False
            if not worked:
                await until_stopped(stop, IDLE)
        await asyncio.to_thread(leader.release)

    async def flush_once(self, stop: asyncio.Event | None = None) -> bool:
        """Show what waits, one card at a time, looking again after each (an urgent case
        goes next; a queue grown past ``summary_after`` has its new cases summarised), a
        round of at most ``ROUND`` (then the caller checks it still leads). False:
        nothing waited."""
        worked = False
        for _ in range(ROUND):
            if stop is not None and stop.is_set():
                break
            waiting = await asyncio.to_thread(self.group.store.waiting_cards)
            if not waiting:
                break
            worked = True
            burst = [c for c in waiting if c.message_id is None and not c.urgent]
            if burst and len(waiting) * 60.0 / self.group.throttle.group_per_minute > self.summary_after:
                await self._summarise(burst)
                continue
            await self._show(waiting[0])
        return worked

    def _load(self, number: str):
        """The case and the file ids of its photos, oldest first."""
        with self.civic.reader() as uow:
            case = uow.cases.get(number)
            photos = [e.file_id for e in uow.evidence.for_case(number)] if case is not None else []
        return case, photos

    async def _show(self, card: Card) -> None:
        case, photos = await asyncio.to_thread(self._load, card.number)
        if case is None:
            return
        now = self.clock()
        text = card_text(case, self.district, now, photos=len(photos))
        markup = inline_keyboard([Button(b["title"], b["payload"]) for b in card_buttons(case)])
        message_id, posted = card.message_id, card.photos
        key = card.topic_key
        try:
            if card.message_id is None or not await self.group.edit(card.chat_id, card.message_id, text, markup):
                message_id = (await self.group.send(key, topic_name(key, self.district), text, markup)).message_id
                posted = 0  # a new card: its photos go under it again
            for photo in photos[posted:]:  # the resident's photos, as replies to the card
                await self.group.reply_photo(key, message_id, photo)
                posted += 1
        except BadRequest as error:  # never sendable as it is: this version is skipped, not retried forever
            log.warning("staff group: the card of %s was refused: %s", card.number, _said(error))
        await asyncio.to_thread(self.group.store.card_shown, card.number, key, case.version,
                                chat_id=self.group.chat_id, message_id=message_id, photos=posted)
        self.posted += 1

    async def _summarise(self, burst: list[Card]) -> None:
        by_topic: dict[str, list[Card]] = {}
        for card in burst:
            by_topic.setdefault(card.topic_key, []).append(card)
        for key, cards in by_topic.items():
            for start in range(0, len(cards), SUMMARY_LINES):
                part = cards[start:start + SUMMARY_LINES]
                loaded = [(c, (await asyncio.to_thread(self._load, c.number))[0]) for c in part]
                lines = [texts.BOARD_SUMMARY_LINE.format(
                    number=case.number, category=CATEGORIES.get(case.category, case.category),
                    tier=TIERS.get(case.tier, case.tier), address=case.address or texts.BOARD_NO_ADDRESS)
                    for _, case in loaded if case is not None]
                text = mask(texts.BOARD_SUMMARY.format(count=len(lines), lines="\n".join(lines)))
                await self.group.send(key, topic_name(key, self.district), text)
                for card, case in loaded:
                    if case is not None:
                        await asyncio.to_thread(self.group.store.card_shown, card.number, key, case.version,
                                                chat_id=None, message_id=None, summarised=True)
                self.posted += 1
            log.info("staff group: %d new cases summarised in topic %s", len(cards), key.partition(":")[0])


class Relay:
    """Handed-off residents' topics: the opening summary, then each message, masked."""

    def __init__(self, group: StaffGroup, civic, clock):
        self.group, self.civic, self.clock = group, civic, clock
        self.district = civic.services.district
        self._names: dict[str, str | None] = {}  # residents' first names, for topic titles

    async def run(self, stop: asyncio.Event) -> None:
        leader = feed_lock(self.civic.engine, RELAY_LOCK, "handoff relay")
        while not stop.is_set():
            if not await asyncio.to_thread(leader.hold):  # another process relays
                await until_stopped(stop, LEADER_RETRY)
                continue
            worked = False
            try:
                worked = await self.relay_once()
            except RetryAfter as error:
                await self.group.wait_out(error)
                continue
            except (NetworkError, Forbidden) as error:
                log.warning("staff group: handoff relay waits: %s", type(error).__name__)
            except Exception:
                log.exception("staff group: a handoff relay failed; trying again shortly")
            if not worked:
                await until_stopped(stop, IDLE)
        await asyncio.to_thread(leader.release)

    async def relay_once(self) -> bool:
        relays = await asyncio.to_thread(self.group.store.relays, self.clock())
        for relay in relays:
            key = handoff_topic(relay.resident_id)
            if relay.resident_id not in self._names:
                self._names[relay.resident_id] = await self._first_name(relay.resident_id)
            name, opening = await asyncio.to_thread(self._opening, relay, self._names[relay.resident_id])
            if relay.relayed_upto is None:
                await self.group.reopen(key)  # the topic of an earlier handoff, closed by /done
                await self.group.send(key, name, opening)
                await asyncio.to_thread(self.group.store.relayed, relay.handoff_id, 0)
            for message_id, text, photo in relay.messages:  # each once, in order, photos too
                try:
                    await self.group.send(key, name, mask(texts.HANDOFF_RESIDENT_SAID.format(text=text)),
                                          photo=photo)
                except BadRequest as error:  # never sendable (a photo gone): the store keeps it
                    log.warning("staff group: handoff message %s not relayed: %s", message_id, _said(error))
                await asyncio.to_thread(self.group.store.relayed, relay.handoff_id, message_id)
        return bool(relays)

    async def _first_name(self, resident_id: str) -> str | None:
        """The resident's name as Telegram shows it (for the topic's masked title)."""
        if not resident_id.isdigit():
            return None
        try:
            chat = await self.group.bot.get_chat(int(resident_id))
        except TelegramError:
            return None
        return chat.first_name

    def _opening(self, relay, first_name: str | None = None) -> tuple[str, str]:
        """The topic's name and its first message: reason, category, masked address, what
        the resident said, their open cases."""
        with self.civic.reader() as uow:
            record = uow.handoffs.get(relay.handoff_id)
            resident = uow.accounts.resident(relay.resident_id)
            request = _request_event(uow.connection, relay.handoff_id)
            open_cases = [c for c in uow.cases.list_for_resident(relay.resident_id) if c.state in OPEN]
            case = uow.cases.get(record.case_number) if record.case_number else None
        category = (request or {}).get("category") or (case.category if case else "other")
        address = (case.address if case else "") or (resident.household_address if resident else "") or ""
        # What the resident said when handed off; what they say after follows one by one.
        said = [request["summary"]] if request and request.get("summary") else []
        now = self.clock()
        lines = texts.HANDOFF_TOPIC_OPENED.format(
            reason=HANDOFF_REASONS.get(record.reason, record.reason), when=when(record.answer_by, now),
            category=CATEGORIES.get(category, category), address=address or texts.BOARD_NO_ADDRESS,
            said="\n".join(f"· {s}" for s in said) or texts.HANDOFF_NOTHING_SAID,
            cases="，".join(f"{c.number}（{STATES.get(c.state.value, c.state.value)}）" for c in open_cases)
            or texts.HANDOFF_NO_CASES)
        calendar = self.civic.services.calendar
        if not calendar.is_office_time(record.requested_at) and record.case_number:
            lines += "\n" + texts.HANDOFF_OUT_OF_HOURS.format(number=record.case_number)
        display = (resident.display_name if resident and resident.display_name else first_name) or texts.TOPIC_HANDOFF_ANYONE
        title = (record.case_number if record.case_number else CATEGORIES.get(category, category))
        name = texts.TOPIC_HANDOFF.format(category=title, name=display[:1] + "*" * max(1, min(len(display) - 1, 2)))
        return name, mask(lines)


def _request_event(connection, handoff_id: int) -> dict | None:
    """The handoff_requested event of a handoff (its summary and category)."""
    rows = connection.execute(select(outbox.c.payload).where(outbox.c.name == ev.HANDOFF_REQUESTED)
                              .order_by(outbox.c.id.desc()).limit(200)).scalars()
    for raw in rows:
        data = json.loads(raw)
        if data.get("handoff_id") == handoff_id:
            return data
    return None
