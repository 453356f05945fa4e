"""Whole errands of residents on Telegram over the stand-in: the case moved by staff with
``python -m civic`` reaches the resident as a push (the dispatcher in the same loop) and is
rated from the pushed buttons; a mediation booking; a redemption; a shared location and a
photo in a report; a resident who blocked the bot."""
from __future__ import annotations

import asyncio
import os
import re
import sys

from actions import texts
from civic.services import cases, points
from resident_support import WEDNESDAY_TEN, run, settled, standin_and_bot, until


class Resident:
    """One resident in their private chat with the bot."""

    def __init__(self, standin, bot, name: str):
        self.standin, self.bot = standin, bot
        self.user = standin.add_user(name)
        self.id = self.user["id"]
        self.seen = 0

    def _new(self) -> str:
        messages = self.standin.bot_messages(self.id)
        fresh, self.seen = messages[self.seen:], len(messages)
        return "\n".join(m["text"] for m in fresh)

    async def say(self, text: str) -> str:
        self.standin.send_text(self.id, text)
        await settled(self.standin, self.bot)
        return self._new()

    async def send(self, method: str, **kwargs) -> str:
        getattr(self.standin, method)(self.id, **kwargs)
        await settled(self.standin, self.bot)
        return self._new()

    async def press(self, title: str) -> str:
        keyboard = self.standin.reply_keyboard(self.id)  # the phone keyboard: its titles are sent as text
        if keyboard and any(title == b["text"] for row in keyboard["keyboard"] for b in row):
            return await self.say(title)
        for message in reversed(self.standin.bot_messages(self.id)):
            for row in (message.get("reply_markup") or {}).get("inline_keyboard", []):
                for button in row:
                    if title in button["text"]:
                        self.standin.press_button(self.id, message["message_id"], button["callback_data"])
                        await settled(self.standin, self.bot)
                        return self._new()
        raise AssertionError(f"no button {title!r} shown: {self.standin.bot_messages(self.id)[-3:]}, "
                             f"{self.standin.reply_keyboard(self.id)}")

    async def first_button(self) -> str:
        message = next(m for m in reversed(self.standin.bot_messages(self.id)) if m.get("reply_markup"))
        return message["reply_markup"]["inline_keyboard"][0][0]["text"]

    async def pushed(self, contains: str) -> str:
        """Wait for a message the dispatcher pushes (not an answer to the resident)."""
        await until(lambda: contains in "\n".join(m["text"] for m in self.standin.bot_messages(self.id)[self.seen:]))
        return self._new()


async def civic_cli(*args: str) -> str:
    process = await asyncio.create_subprocess_exec(
        sys.executable, "-m", "civic", *args, stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE,
        env={**os.environ})
    out, err = await asyncio.wait_for(process.communicate(), 60)
    assert process.returncode == 0, err.decode()[-2000:]
    return out.decode()


def test_a_report_with_a_location_and_a_photo_then_staff_resolve_it_and_the_resident_rates(app, clock):
    async def scenario():
        async with standin_and_bot(app, clock) as (standin, bot):
            ada = Resident(standin, bot, "Ada")
            await ada.say("楼道灯坏了一个星期了 晚上黑漆漆的")  # no place: asked where
            where = await ada.send("send_location", latitude=30.5867, longitude=114.3083)
            assert "和平社区第二网格" in where
            assert texts.PHOTO_FOR_REPORT in await ada.send("send_photo", file_id="AgAD-ada-1")
            await ada.press("跳过")
            filed = await ada.press("确认提交")
            number = re.search(r"工单号 (\d{8}-\d{4})", filed).group(1)
            with app.civic.reader() as uow:
                case = uow.cases.get(number)
            assert case.grid_id == "HP-02"
            await civic_cli("cases", "move", number, "sign", "--as", case.assignee_id)
            await ada.pushed("签收")
            await civic_cli("cases", "move", number, "resolve", "--as", case.assignee_id, "--note", "已更换灯泡")
            assert "已更换灯泡" in await ada.pushed("已更换灯泡")
            await ada.press("解决了")
            assert "谢谢" in await ada.press("满意")
            return number

    number = run(scenario())
    with app.civic.reader() as uow:
        assert uow.cases.get(number).state.value == "closed"


def test_a_mediation_booking_by_buttons(app, clock):
    async def scenario():
        async with standin_and_bot(app, clock) as (standin, bot):
            bob = Resident(standin, bot, "Bob")
            await bob.say("我想预约人民调解")
            await bob.say("楼上漏水泡了我家天花板 赔偿谈不拢")
            await bob.say("502室王先生")
            await bob.press("跳过")  # the other party's phone: no share-my-phone keyboard
            assert standin.reply_keyboard(bob.id) is None
            await bob.press(await bob.first_button())  # the first mediator offered
            await bob.press("到调解室")
            await bob.press(await bob.first_button())  # the first free slot
            assert "预约成功" in await bob.press("确认")

    run(scenario())


def test_points_redeemed_on_telegram(app, clock):
    async def scenario():
        async with standin_and_bot(app, clock) as (standin, bot):
            dan = Resident(standin, bot, "Dan")
            await dan.say("你好")  # a bot may not write first; and points go to residents who did
            with app.civic.uow() as uow:  # the command centre awards anyone of the street
                points.award(uow, app.civic.services,
                             actor=cases.staff_actor(app.civic.services.district, "cc-liang"),
                             resident_id=str(dan.id), kind="public_virtue", amount=100, reason="社区清洁",
                             now=WEDNESDAY_TEN, key=f"k-{dan.id}")
            await dan.pushed("积分")  # the award is pushed
            await dan.say("我有多少积分")
            await dan.press("兑换毛巾")
            assert "取货码" in await dan.press("确认")

    run(scenario())


def test_a_resident_who_blocked_the_bot_costs_nothing_and_others_are_answered(app, clock):
    async def scenario():
        async with standin_and_bot(app, clock) as (standin, bot):
            eve, fay = Resident(standin, bot, "Eve"), Resident(standin, bot, "Fay")
            standin.send_text(eve.id, "你好")
            standin.block(eve.id)  # before the bot could answer: its replies are refused
            assert await fay.say("你好")
            await settled(standin, bot)
            assert standin.bot_messages(eve.id) == []
            blocked = unreachable(app, eve.id)
            standin.unblock(eve.id)
            # An update python-telegram-bot cannot read (a message without chat or date).
            standin.send_update("message", {"message_id": 9, "text": "坏的"})
            assert await eve.say("你好")  # she is answered again
            return blocked, unreachable(app, eve.id), bot.inbox.counts()

    blocked, after, counts = run(scenario())
    # The dispatcher sends her nothing while she blocks the bot, and again once she is back.
    assert blocked is not None and after is None
    # The unreadable update is kept as failed, and polling goes on past it (before, one
    # unreadable update stopped every resident's updates).
    assert counts == {"done": counts["done"], "failed": 1}


def unreachable(app, resident_id: int):
    from civic.adapters.accounts_repository import AccountRepository

    with app.civic.engine.begin() as conn:
        return AccountRepository(conn).unreachable(str(resident_id))
