"""Helpers for the staff tests: the staff group in the stand-in, staff who link their
Telegram with a code from the command centre, cases filed straight into the store, and
finding a case's card in its grid's topic."""
from __future__ import annotations

import asyncio
import contextlib

from bot.telegram.staff_store import StaffStore, grid_topic
from civic.domain.actors import Actor
from civic.services import accounts
from civic.services.cases import report_case, staff_actor
from resident_support import USER_BLOCKS, running, until
from standin import StandIn
from standin.botapi import RateLimits


@contextlib.asynccontextmanager
async def staff_world(app, clock, *, group_per_minute: int = 20, before=None, **settings):
    """The stand-in with a forum supergroup, and the bot serving it as STAFF_CHAT_ID;
    ``before(standin)`` runs before the bot starts (a queue waiting for it)."""
    async with StandIn(seed=1, clock=clock.timestamp, enforce_rate_limits=True,
                       rate_limits=RateLimits(group_per_minute=group_per_minute)) as standin:
        standin._next_ids["user"] = next(USER_BLOCKS)
        group = standin.add_supergroup("望江街道工作群")
        if before is not None:
            await asyncio.to_thread(before, standin)
        async with running(app, standin, staff_chat_id=group["id"], group_per_minute=group_per_minute,
                           **settings) as bot:
            yield standin, bot, group["id"]


async def linked(standin, app, staff_id: str) -> dict:
    """A Telegram user who linked to ``staff_id`` with a code the command centre issued."""
    staff = app.civic.services.district.staff[staff_id]
    user = standin.add_user(staff.name)
    with app.civic.uow() as uow:
        code = accounts.issue_link_code(uow, app.civic.services, actor=staff_actor(app.civic.services.district,
                                                                                 "cc-liang"),
                                        staff_id=staff_id, now=app.clock())
    standin.send_text(user["id"], code.code)
    await until(lambda: any("绑定成功" in t for t in standin.texts(user["id"])))
    return user


def file_case(app, resident_id: int, *, category: str = "environment", address: str = "望江花园3号楼2单元502",
              description: str = "3号楼门口垃圾堆了三天没人清，味道很大", phone: str | None = "13812345678") -> str:
    with app.civic.uow() as uow:
        filed = report_case(uow, app.civic.services, actor=Actor.resident(str(resident_id)), category=category,
                            description=description, address=address, now=app.clock(), contact_phone=phone)
    return filed.case.number


def topic_of(standin, chat_id: int, name: str) -> dict | None:
    return next((t for t in standin.topics(chat_id) if t["name"] == name and not t["deleted"]), None)


def card(standin, app, chat_id: int, number: str) -> dict | None:
    """The bot's message in the staff group that is this case's card (the latest state)."""
    shown = StaffStore(app.civic.engine).card_of(number)
    if shown is None or shown.message_id is None:
        return None
    return standin.message(chat_id, shown.message_id)


async def card_showing(standin, app, chat_id: int, number: str, words: str, timeout: float = 20.0) -> dict:
    return await until(lambda: (lambda m: m if m and words in m.get("text", "") else None)(
        card(standin, app, chat_id, number)), timeout)


def grid_key(app, number: str) -> str:
    with app.civic.reader() as uow:
        return grid_topic(uow.cases.get(number).grid_id)
