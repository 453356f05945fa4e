"""The inbox: every incoming update in the store before it is handled, done after.

Guarantees (DESIGN.md, "Inbox"):
- ``store`` runs before python-telegram-bot's Updater can acknowledge an update (its
  next getUpdates) and before a webhook request is answered: a kill at any moment
  loses nothing, since what Telegram saw acknowledged is in the store.
- The row is unique by ``update_id``: an update delivered again (not acknowledged
  before a kill, a webhook retried) finds its row and is handled once.
- A row goes pending → answered (the turn's replies recorded, before any is sent) →
  done (all sent). A replay of an answered row sends the recorded replies again
  instead of running the turn twice; a replay of a pending row runs the turn, which
  finds its own earlier button press by the update id.
- A row whose handling raised is retried, up to ``MAX_ATTEMPTS``; then it is failed
  with its update kept (what the resident sent is never lost by a crash).
- Done rows are pruned two days after handling (``prune``, hourly in the bot process);
  failed rows stay.
- A turn that failed and could not file what the resident sent for staff (Reply.unfiled)
  leaves its row failed with the update kept: answered, not replayed, readable by staff.

The methods are synchronous SQLAlchemy: call them off the event loop, with ``inbox_call``
(a thread of the inbox's own, so they never wait behind the dialogue's store work on
bot.offload's pool; SQLite takes one writer at a time anyway).
"""
from __future__ import annotations

import asyncio
import contextlib
import dataclasses
import functools
import datetime as dt
import json

from concurrent.futures import ThreadPoolExecutor

from sqlalchemy import delete, func, insert, select, update
from sqlalchemy.engine import Engine

from civic.adapters.accounts_repository import AccountRepository
from civic.adapters.repository import _naive_utc
from civic.adapters.tables_channels import inbox

PENDING, ANSWERED, DONE, FAILED = "pending", "answered", "done", "failed"
_thread = ThreadPoolExecutor(max_workers=1, thread_name_prefix="inbox")


async def inbox_call(function, *args):
    """Run an inbox method on the inbox's thread."""
    return await asyncio.get_running_loop().run_in_executor(_thread, functools.partial(function, *args))
MAX_ATTEMPTS = 3
# A done row only stops a redelivered update_id from running twice. Telegram keeps an
# update it could not hand over for 24 hours; two days later its row can go.
KEEP_DONE = dt.timedelta(days=2)


@dataclasses.dataclass(frozen=True)
class Row:
    update_id: int
    chat_id: str | None
    state: str
    body: dict | None
    replies: list | None  # as recorded by ``answered``
    attempts: int


def chat_of(update: dict) -> str | None:
    """The chat an update belongs to, read off its raw form (any update type)."""
    for value in update.values():
        if isinstance(value, dict):
            chat = value.get("chat") or (value.get("message") or {}).get("chat")
            if chat and "id" in chat:
                return str(chat["id"])
            if "from" in value and "id" in value["from"]:
                return str(value["from"]["id"])
    return None


def _row(mapping) -> Row:
    return Row(mapping["update_id"], mapping["chat_id"], mapping["state"],
               json.loads(mapping["body"]) if mapping["body"] else None,
               json.loads(mapping["replies"]) if mapping["replies"] else None, mapping["attempts"])


class Inbox:
    def __init__(self, engine: Engine):
        self.engine = engine
        # Updates this process stored as new and has not begun: their row is known to be
        # pending, so ``fresh_or_begin`` need not read it (one store round trip less).
        self.fresh: set[int] = set()

    def store(self, updates: list[dict], now: dt.datetime, unreadable: list[int] = ()) -> list[int]:
        """Write the updates not yet known; return the ids of those that were new. The
        ``unreadable`` ones are kept as failed (never handled, their body kept to look at)."""
        if not updates:
            return []
        ids = [u["update_id"] for u in updates]
        with self.engine.begin() as conn:
            known = set(conn.execute(select(inbox.c.update_id).where(inbox.c.update_id.in_(ids))).scalars())
            rows = [{"update_id": u["update_id"], "chat_id": chat_of(u), "received_at": _naive_utc(now),
                     "state": FAILED if u["update_id"] in unreadable else PENDING, "attempts": 0,
                     "body": json.dumps(u, ensure_ascii=False),
                     "error": "unreadable" if u["update_id"] in unreadable else None}
                    for u in updates if u["update_id"] not in known]
            if rows:
                # Writers take the lock at BEGIN on SQLite; on PostgreSQL two processes
                # could race here, which the primary key settles (the loser retries).
                conn.execute(insert(inbox), rows)
                self._reachability(AccountRepository(conn), [u for u in updates if u["update_id"] not in known],
                                   now)
        return [row["update_id"] for row in rows]

    @staticmethod
    def _reachability(accounts: AccountRepository, updates: list[dict], now: dt.datetime) -> None:
        """A resident who writes to the bot (or unblocks it) can be reached again; one who
        blocks it cannot: the dispatcher reads this before sending them anything. In the
        transaction that stores the updates, so it costs no round trip of its own."""
        for update in updates:
            member = update.get("my_chat_member")
            if member and member.get("chat", {}).get("type") == "private":
                status = member.get("new_chat_member", {}).get("status")
                if status == "kicked":
                    accounts.mark_unreachable(str(member["chat"]["id"]), now, "blocked the bot")
                elif status == "member":
                    accounts.mark_reachable(str(member["chat"]["id"]))
                continue
            sent = update.get("message") or update.get("callback_query")
            chat = (sent or {}).get("chat") or ((sent or {}).get("message") or {}).get("chat") or {}
            if chat.get("type") == "private" and "from" in sent:
                accounts.mark_reachable(str(sent["from"]["id"]))

    def fresh_or_begin(self, update_id: int) -> Row | None:
        """``begin``, without reading the store for an update just stored as new."""
        if update_id in self.fresh:
            self.fresh.discard(update_id)
            return Row(update_id, None, PENDING, None, None, 0)
        return self.begin(update_id)

    @contextlib.contextmanager
    def _reading(self):
        # A read takes no write lock on SQLite (a deferred BEGIN; WAL reads a snapshot),
        # so looking a row up never queues behind the dialogue's writers.
        with self.engine.connect() as conn:
            conn.execution_options(read_only=True)
            with conn.begin():
                yield conn

    def begin(self, update_id: int) -> Row | None:
        """The row to handle, or None when it is done, failed or unknown."""
        with self._reading() as conn:
            found = conn.execute(select(inbox).where(inbox.c.update_id == update_id)).mappings().first()
        if found is None or found["state"] in (DONE, FAILED):
            return None
        return _row(found)

    def answered(self, update_id: int, replies: list) -> None:
        self._set(update_id, state=ANSWERED, replies=json.dumps(replies, ensure_ascii=False))

    def done(self, update_id: int, now: dt.datetime) -> None:
        # The body and replies carry what the resident said, the chat who said it: neither
        # is kept past handling (a done row only stops a redelivered update_id).
        self._set(update_id, state=DONE, chat_id=None, body=None, replies=None, handled_at=_naive_utc(now),
                  error=None)

    def kept(self, update_id: int, error: str, now: dt.datetime) -> None:
        """Handled, but what the resident sent is filed nowhere else: failed, the update kept."""
        self._set(update_id, state=FAILED, replies=None, handled_at=_naive_utc(now), error=error[:500])

    def attempt_failed(self, update_id: int, error: str, now: dt.datetime) -> bool:
        """Count a failed attempt; True when the row is given up (failed, the update kept:
        the turn may not have run)."""
        with self.engine.begin() as conn:
            attempts = conn.execute(select(inbox.c.attempts).where(
                inbox.c.update_id == update_id)).scalar_one() + 1
            given_up = attempts >= MAX_ATTEMPTS
            values = {"attempts": attempts, "error": error[:500]}
            if given_up:
                values.update(state=FAILED, replies=None, handled_at=_naive_utc(now))
            conn.execute(update(inbox).where(inbox.c.update_id == update_id).values(**values))
        return given_up

    def unhandled(self, chat_id: str | None = None, after: int | None = None, limit: int = 1000) -> list[Row]:
        """Rows not done, oldest first (all chats, or one)."""
        query = select(inbox).where(inbox.c.state.in_((PENDING, ANSWERED)))
        if chat_id is not None:
            query = query.where(inbox.c.chat_id == chat_id)
        if after is not None:
            query = query.where(inbox.c.update_id > after)
        with self._reading() as conn:
            found = conn.execute(query.order_by(inbox.c.update_id).limit(limit)).mappings().all()
        return [_row(m) for m in found]

    def prune(self, now: dt.datetime, keep: dt.timedelta = KEEP_DONE) -> int:
        """Delete done rows handled more than ``keep`` ago; failed rows stay for staff."""
        with self.engine.begin() as conn:
            return conn.execute(delete(inbox).where(inbox.c.state == DONE,
                                                    inbox.c.handled_at < _naive_utc(now - keep))).rowcount

    def counts(self) -> dict[str, int]:
        with self._reading() as conn:
            return dict(conn.execute(select(inbox.c.state, func.count()).group_by(inbox.c.state)).all())

    def _set(self, update_id: int, **values) -> None:
        with self.engine.begin() as conn:
            conn.execute(update(inbox).where(inbox.c.update_id == update_id).values(**values))
