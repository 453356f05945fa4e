"""The bot process on Telegram: one event loop for python-telegram-bot, the Rasa agent
and the dispatcher, started and stopped by us (never ``run_polling`` beside Rasa).

Start: the Application is initialised, the updates left unhandled in the inbox by an
earlier run are handled, the Application and the dispatcher start, then updates come
by long polling (the default) or by a webhook (``WEBHOOK_URL``). Stop (SIGTERM,
Ctrl-C, or ``stop`` set): no more updates are taken; the Updater's last getUpdates
acknowledges what was fetched; the updates already queued are handled to the end; the
dispatcher finishes its round (a delivery in flight is sent and recorded, or left
pending under its lease); then everything shuts down.

Every update is in the inbox before Telegram can consider it delivered: polling stores
what getUpdates returned before handing it to the Updater (``InboxBot``), which only
acknowledges it with its next call; the webhook stores a request before answering 200.
"""
from __future__ import annotations

import asyncio
import dataclasses
import hmac
import logging
import os
import secrets
import signal
from urllib.parse import urlparse

from telegram import Update
from telegram.ext import Application as PTBApplication
from telegram.ext import ApplicationBuilder, ExtBot, TypeHandler
from telegram.request import HTTPXRequest

from bot.app import Application
from bot.leader import until_stopped
from bot.telegram.channel import TelegramChannel
from bot.telegram.inbox import Inbox, Row, inbox_call
from bot.telegram.ordering import PerChatProcessor
from bot.telegram.staff import StaffDesk
from bot.telegram.staff_group import Board, Relay, StaffGroup
from bot.telegram.staff_store import StaffStore
from bot.telegram.throttle import Throttle

log = logging.getLogger(__name__)

ALLOWED_UPDATES = ["message", "edited_message", "callback_query", "channel_post",
                   "edited_channel_post", "my_chat_member"]
SECRET_HEADER = "X-Telegram-Bot-Api-Secret-Token"
TELEGRAM = "https://api.telegram.org"


class InboxBot(ExtBot):
    """The bot whose getUpdates writes what Telegram returned to the inbox, as Telegram
    sent it, before python-telegram-bot reads it: the Updater acknowledges an update with
    its next getUpdates, which may come before the handler ran.

    An update python-telegram-bot cannot read would fail the whole batch, which would then
    never be acknowledged (every resident stuck behind it) and be logged with everything
    in it. So each update is read here first; one that cannot be is kept as failed in the
    inbox and handed on as a bare update (its id only), so the offset moves past it."""

    __slots__ = ("_inbox", "_clock")

    def __init__(self, *args, inbox: Inbox, clock, **kwargs):
        super().__init__(*args, **kwargs)
        self._inbox, self._clock = inbox, clock

    async def _post(self, endpoint: str, data=None, **kwargs):
        result = await super()._post(endpoint, data, **kwargs)
        if endpoint != "getUpdates" or not result:
            return result
        unreadable = []
        for raw in result:
            try:
                Update.de_json(raw, self)
            except Exception as error:
                unreadable.append(raw["update_id"])
                log.error("update %s cannot be read: %s", raw.get("update_id"), type(error).__name__)
        new = await inbox_call(self._inbox.store, result, self._clock(), unreadable)
        self._inbox.fresh.update(set(new) - set(unreadable))
        return [{"update_id": raw["update_id"]} if raw["update_id"] in unreadable else raw for raw in result]


@dataclasses.dataclass(frozen=True)
class Settings:
    token: str
    api_url: str = TELEGRAM  # the Bot API server's root, or its .../bot form
    webhook_url: str | None = None
    webhook_listen: str = "0.0.0.0"
    webhook_port: int = 8443
    webhook_secret: str | None = None
    poll_timeout: int = 30  # seconds a getUpdates long poll waits
    # Chats handled at once, their replies' sending included (a send may wait a second
    # on the chat's flood limit: that must not hold up other residents' turns) ...
    chats: int = 64
    turns: int = 8  # ... and turns run at once among them (the CPU's share)
    staff_chat_id: int | None = None  # the staff supergroup (forum topics on; the bot an admin)
    group_per_minute: int = 20  # Telegram's limit for one group, all its topics and edits together
    summary_after: float = 180.0  # seconds the cards may queue before a burst is summarised

    @classmethod
    def from_env(cls, env=os.environ) -> Settings:
        return cls(token=env["TELEGRAM_BOT_TOKEN"], api_url=env.get("TELEGRAM_API_URL") or TELEGRAM,
                   webhook_url=env.get("WEBHOOK_URL") or None,
                   webhook_listen=env.get("WEBHOOK_LISTEN", "0.0.0.0"),
                   webhook_port=int(env.get("WEBHOOK_PORT", "8443")),
                   webhook_secret=env.get("WEBHOOK_SECRET") or None,
                   poll_timeout=int(env.get("TELEGRAM_POLL_TIMEOUT", "30")),
                   staff_chat_id=int(env["STAFF_CHAT_ID"]) if env.get("STAFF_CHAT_ID", "").strip() else None)

    def urls(self) -> tuple[str, str]:
        """python-telegram-bot's base_url and base_file_url (it appends the token)."""
        root = self.api_url.rstrip("/")
        root = root[:-len("/bot")] if root.endswith("/bot") else root
        return f"{root}/bot", f"{root}/file/bot"


@dataclasses.dataclass
class Bot:
    """What ``build`` wires: python-telegram-bot's Application, our channel and inbox."""
    ptb: PTBApplication
    channel: TelegramChannel
    inbox: Inbox
    processor: PerChatProcessor
    staff_group: StaffGroup | None = None
    board: Board | None = None
    relay: Relay | None = None


def build(app: Application, settings: Settings) -> Bot:
    inbox = Inbox(app.civic.engine)
    base_url, base_file_url = settings.urls()
    bot = InboxBot(settings.token, base_url=base_url, base_file_url=base_file_url,
                   request=HTTPXRequest(connection_pool_size=64),
                   get_updates_request=HTTPXRequest(connection_pool_size=2),
                   inbox=inbox, clock=app.clock)
    processor = PerChatProcessor(inbox, workers=settings.chats)
    ptb = ApplicationBuilder().bot(bot).concurrent_updates(processor).build()
    throttle, store = Throttle(group_per_minute=settings.group_per_minute), StaffStore(app.civic.engine)
    group = (StaffGroup(ptb.bot, store, throttle, settings.staff_chat_id, app.clock)
             if settings.staff_chat_id is not None else None)
    desk = StaffDesk(app, store, group)
    channel = TelegramChannel(app, inbox, throttle=throttle, turns=settings.turns, staff=desk)
    ptb.add_handler(TypeHandler(Update, channel.on_update))

    async def replay(row: Row) -> None:
        await channel.handle(Update.de_json(row.body, ptb.bot), ptb.bot)

    processor.replay = replay
    board = Board(group, app.civic, app.clock, summary_after=settings.summary_after) if group is not None else None
    relay = Relay(group, app.civic, app.clock) if group is not None else None
    return Bot(ptb, channel, inbox, processor, group, board, relay)


async def serve(app: Application, settings: Settings, stop: asyncio.Event | None = None,
                started: asyncio.Future | None = None) -> Bot:
    """Run until ``stop`` is set (or SIGTERM / SIGINT when it is not given); ``started``
    gets what was wired once updates are being taken."""
    from bot.delivery_loop import run_dispatcher
    from bot.scheduler import run_scheduler
    from bot.telegram.sender import TelegramSender

    loop = asyncio.get_running_loop()
    own_signals = stop is None
    stop = stop or asyncio.Event()
    if own_signals:
        for number in (signal.SIGTERM, signal.SIGINT):
            loop.add_signal_handler(number, stop.set)
    wired = build(app, settings)
    ptb = wired.ptb
    dispatch_stop, dispatcher, webhook, pruner = asyncio.Event(), None, None, None
    staff_feeds: list[asyncio.Task] = []
    scheduler = None
    await ptb.initialize()
    try:
        left = await inbox_call(wired.inbox.unhandled)
        if left:
            log.info("handling %d updates left from the last run", len(left))
            await wired.processor.replay_all(left)
        await ptb.start()
        dispatcher = asyncio.create_task(
            run_dispatcher(app, TelegramSender(ptb.bot, app.codec, app.clock, throttle=wired.channel.throttle,
                                               staff_group=wired.staff_group), dispatch_stop),
            name="dispatcher")
        # Deadlines, reminders, the weekly report, the heartbeat (one scheduler per store).
        scheduler = asyncio.create_task(run_scheduler(app, dispatch_stop), name="scheduler")
        if wired.board is not None:  # the staff group's cards and handoff topics
            staff_feeds = [asyncio.create_task(wired.board.run(dispatch_stop), name="card board"),
                           asyncio.create_task(wired.relay.run(dispatch_stop), name="handoff relay")]
        if settings.webhook_url:
            webhook = await _start_webhook(wired, settings)
        else:
            await ptb.updater.start_polling(timeout=settings.poll_timeout, allowed_updates=ALLOWED_UPDATES,
                                            drop_pending_updates=False)
        pruner = asyncio.create_task(_prune_inbox(wired.inbox, app.clock, stop), name="inbox pruner")
        log.info("the bot is up (%s)", "webhook" if webhook else "long polling")
        if started is not None:
            started.set_result(wired)
        await stop.wait()
    finally:
        # Also after a failed start: whatever was started is stopped, in reverse order.
        log.info("stopping")
        if webhook is not None:
            await webhook.cleanup()  # no new requests; Telegram keeps what it could not deliver
        if ptb.updater.running:
            await ptb.updater.stop()  # its last getUpdates acknowledges what was fetched
        if ptb.running:
            await ptb.stop()  # the updates already queued are handled to the end
        await wired.processor.drained()
        if scheduler is not None:
            dispatch_stop.set()
            await scheduler
        if dispatcher is not None:
            dispatch_stop.set()
            await dispatcher
        if staff_feeds:
            # A feed may be waiting minutes for the group's budget: what it was about to
            # post stays waiting in the store for the next start.
            dispatch_stop.set()
            _, waiting = await asyncio.wait(staff_feeds, timeout=FEEDS_STOP)
            for feed in waiting:
                feed.cancel()
            await asyncio.gather(*staff_feeds, return_exceptions=True)
        if pruner is not None:
            await pruner
        await ptb.shutdown()
        if own_signals:
            for number in (signal.SIGTERM, signal.SIGINT):
                loop.remove_signal_handler(number)
        log.info("stopped: %s", await inbox_call(wired.inbox.counts))
    return wired


PRUNE_EVERY = 3600.0  # seconds
FEEDS_STOP = 5.0  # seconds the staff group's feeds get to finish a send at stop


async def _prune_inbox(inbox: Inbox, clock, stop: asyncio.Event) -> None:
    """Drop done inbox rows past keeping, at start and then hourly, until ``stop``."""
    while not stop.is_set():
        try:
            pruned = await inbox_call(inbox.prune, clock())
            if pruned:
                log.info("inbox: %d done rows pruned", pruned)
        except Exception as error:  # a failed prune keeps rows one more hour, no more
            log.warning("inbox prune failed: %s", type(error).__name__)
        await until_stopped(stop, PRUNE_EVERY)


async def _start_webhook(wired: Bot, settings: Settings):
    """Serve the webhook (aiohttp) and register it with its secret token. A request
    without the secret, or with a wrong one, is refused with 403 before anything is
    read or stored; a good one is stored, answered 200 at once, and handled after."""
    from aiohttp import web

    secret = settings.webhook_secret or secrets.token_urlsafe(32)
    expected = secret.encode()
    ptb, inbox, clock = wired.ptb, wired.inbox, wired.channel.app.clock

    async def receive(request: web.Request) -> web.Response:
        given = request.headers.get(SECRET_HEADER, "").encode()
        if not hmac.compare_digest(given, expected):  # constant time
            return web.Response(status=403)
        try:
            body = await request.json()
        except ValueError:
            return web.Response(status=400)
        if not isinstance(body, dict) or not isinstance(body.get("update_id"), int):
            return web.Response(status=400)
        try:
            update = Update.de_json(body, ptb.bot)
        except Exception as error:  # kept as failed and answered 200, or Telegram resends it forever
            log.error("update %s cannot be read: %s", body["update_id"], type(error).__name__)
            await inbox_call(inbox.store, [body], clock(), [body["update_id"]])
            return web.Response(status=200)
        inbox.fresh.update(await inbox_call(inbox.store, [body], clock()))
        await ptb.update_queue.put(update)
        return web.Response(status=200)

    server = web.Application()
    server.router.add_post(urlparse(settings.webhook_url).path or "/", receive)
    runner = web.AppRunner(server, access_log=None)
    await runner.setup()
    await web.TCPSite(runner, settings.webhook_listen, settings.webhook_port).start()
    await ptb.bot.set_webhook(settings.webhook_url, secret_token=secret, allowed_updates=ALLOWED_UPDATES)
    return runner
