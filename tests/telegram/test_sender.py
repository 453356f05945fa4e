"""The Telegram sender over the Bot API stand-in: deliveries become messages in the right
chats with their buttons, and each of Telegram's answers does what DESIGN.md says."""
from __future__ import annotations

import asyncio
import datetime as dt
import time

import pytest

from bot.dispatcher import Dispatcher
from bot.senders import Message, PermanentFailure, RetryLater
from bot.telegram.sender import UNLINKED_WAIT, TelegramSender
from bot.telegram.throttle import Throttle
from civic.adapters.accounts_repository import AccountRepository
from civic.domain.actors import Actor
from civic.services import cases, commands
from delivery_support import NOW, codec_and_renderer, make_bot, queue_points, states, system_clock
from standin import StandIn

ADA = 424242


def run(coroutine):
    return asyncio.run(coroutine)


def report_and_resolve(civic, reporter: str) -> str:
    with civic.uow() as uow:
        case = cases.report_case(uow, civic.services, actor=Actor.resident(reporter), category="repair",
                                 description="望江花园3号楼楼道灯坏了", address="望江花园3号楼", now=NOW,
                                 file_anyway=True).case
    worker = cases.staff_actor(civic.services.district, case.assignee_id)
    for action, note in (("sign", ""), ("progress", "师傅下午上门"), ("resolve", "已换灯泡")):
        with civic.uow() as uow:
            commands.handle(uow, civic.services, commands.named(
                action, number=case.number, actor=worker, now=NOW, note=note))
    return case.number


def dispatcher(civic, sender, **options) -> Dispatcher:
    codec, renderer = codec_and_renderer(civic)
    settings = dict(clock=system_clock, backoff=dt.timedelta(seconds=0.2), concurrency=16, batch=8)
    settings.update(options)
    return Dispatcher(civic, renderer, sender, **settings)


def sender_for(civic, bot, **options) -> TelegramSender:
    codec, _ = codec_and_renderer(civic)
    return TelegramSender(bot, codec, system_clock, **options)


def test_a_resolved_case_reaches_the_reporter_with_the_two_rating_buttons(fresh_store):
    number = report_and_resolve(fresh_store, str(ADA))

    async def scenario():
        async with StandIn(enforce_rate_limits=True) as standin:
            standin.add_user("Ada", user_id=ADA, started=True)
            async with make_bot(standin) as bot:
                sender = sender_for(fresh_store, bot)
                report = await dispatcher(fresh_store, sender).dispatch_once(system_clock())
                assert report.sent == 3  # signed, progress, resolved: one at a time, in order
                messages = standin.bot_messages(ADA)
                assert [number in m["text"] for m in messages] == [True, True, True]
                assert "师傅下午上门" in messages[1]["text"]
                keyboard = messages[2]["reply_markup"]["inline_keyboard"]
                buttons = [b for row in keyboard for b in row]
                assert [b["text"] for b in buttons] == ["解决了", "没解决"]
                # The callback data stands for the rating payload, for this resident only.
                press = sender.codec.press(str(ADA), buttons[0]["callback_data"], now=system_clock())
                assert press.payload.startswith("/rate_case") and '"solved"' in press.payload
                assert sender.codec.press("1", buttons[1]["callback_data"], now=system_clock()).refused
                # Within the chat's flood limit (the stand-in enforces it): kept by the throttle.
                assert standin.rate_violations() == []
    run(scenario())


def test_staff_without_telegram_wait_uncounted_then_get_it_in_their_private_chat(fresh_store):
    number = report_and_resolve(fresh_store, str(ADA))
    with fresh_store.engine.connect() as conn:
        staff = sorted({r.recipient for r in conn.exec_driver_sql(
            "SELECT recipient FROM deliveries WHERE recipient LIKE 'staff:%'")})[0]

    def staff_rows():
        with fresh_store.engine.connect() as conn:
            return conn.exec_driver_sql("SELECT state, attempts FROM deliveries WHERE recipient LIKE 'staff:%'").all()

    async def scenario():
        async with StandIn() as standin:
            standin.add_user("Ada", user_id=ADA, started=True)
            worker = standin.add_user("网格员", started=True)
            async with make_bot(standin) as bot:
                sender = sender_for(fresh_store, bot)
                with pytest.raises(RetryLater) as waited:
                    await sender.send(staff, Message("新工单"))
                assert waited.value.after == UNLINKED_WAIT and standin.call_count("sendMessage") == 0
                report = await dispatcher(fresh_store, sender).dispatch_once(system_clock())
                assert report.retried >= 1 and report.sent == 3  # the resident's three went out
                assert staff_rows() and set(staff_rows()) == {("pending", 0)}
                with fresh_store.engine.begin() as conn:
                    AccountRepository(conn).link_staff(staff.partition(":")[2], worker["id"], NOW)
                await sender.send(staff, Message(f"【工单 {number}】新工单"))
                assert standin.texts(worker["id"]) == [f"【工单 {number}】新工单"]
    run(scenario())


def test_the_centre_desk_waits_for_a_staff_group_and_follows_it_when_it_migrates(fresh_store, monkeypatch):
    monkeypatch.delenv("STAFF_CHAT_ID", raising=False)

    async def scenario():
        async with StandIn() as standin:
            group = standin.add_group("指挥中心")
            async with make_bot(standin) as bot:
                with pytest.raises(RetryLater):
                    await sender_for(fresh_store, bot).send("centre:desk", Message("转人工"))
                sender = sender_for(fresh_store, bot, staff_chat_id=group["id"])
                await sender.send("centre:desk", Message("第一条"))
                supergroup = standin.migrate_group(group["id"])
                await sender.send("centre:desk", Message("第二条"))  # ChatMigrated, followed at once
                await sender.send("centre:desk", Message("第三条"))  # straight to the new id
                assert standin.texts(group["id"]) == ["第一条"]
                assert standin.texts(supergroup["id"]) == ["第二条", "第三条"]
                assert sender.moved == {group["id"]: supergroup["id"]}
                assert [c["params"]["chat_id"] for c in standin.calls("sendMessage")][-1] == str(supergroup["id"])
    run(scenario())


def test_a_blocked_resident_is_marked_unreachable_for_staff_and_never_called_again(fresh_store, capsys):
    number = report_and_resolve(fresh_store, str(ADA))

    async def scenario():
        async with StandIn() as standin:
            standin.add_user("Ada", user_id=ADA, started=True)
            standin.block(ADA)
            async with make_bot(standin) as bot:
                sender = sender_for(fresh_store, bot)
                report = await dispatcher(fresh_store, sender).dispatch_once(system_clock())
                assert report.blocked == 3 and report.sent == 0
                # The first was refused with 403; the two after it never reached Telegram.
                assert standin.call_count("sendMessage") == 1
                assert standin.call_count("sendMessage", status=403) == 1
                report = await dispatcher(fresh_store, sender).dispatch_once(system_clock() + dt.timedelta(hours=2))
                assert report.claimed == 0 and standin.call_count("sendMessage") == 1
    run(scenario())
    with fresh_store.engine.connect() as conn:
        since, why = AccountRepository(conn).unreachable(str(ADA))
    assert "blocked" in why
    from civic.cli import main

    assert main(["cases", "show", number]) == 0
    shown = capsys.readouterr().out
    assert "报告人收不到机器人消息" in shown and "blocked" in shown
    with fresh_store.engine.begin() as conn:
        assert AccountRepository(conn).mark_reachable(str(ADA))
        assert AccountRepository(conn).unreachable(str(ADA)) is None


def test_retry_after_pauses_that_chat_as_long_as_told_while_other_chats_go_on(fresh_store):
    async def scenario():
        async with StandIn() as standin:
            ada = standin.add_user("Ada", started=True)["id"]
            bob = standin.add_user("Bob", started=True)["id"]
            async with make_bot(standin) as bot:
                sender = sender_for(fresh_store, bot, throttle=Throttle(chat_interval=0.0))
                standin.add_fault("sendMessage", "retry_after", retry_after=1)
                told = time.monotonic()
                with pytest.raises(RetryLater) as waited:
                    await sender.send(f"resident:{ada}", Message("一"))
                assert waited.value.after == 1
                await sender.send(f"resident:{bob}", Message("二"))  # not paused
                assert time.monotonic() - told < 0.5
                await sender.send(f"resident:{ada}", Message("三"))  # waits out the second
                assert time.monotonic() - told >= 1.0
                assert standin.texts(ada) == ["三"] and standin.texts(bob) == ["二"]
    run(scenario())


def test_time_outs_and_server_errors_are_retried_and_only_the_timed_out_send_arrives_twice(fresh_store):
    users = [ADA + i for i in range(4)]
    queue_points(fresh_store.engine, users, per_user=1)

    async def scenario():
        async with StandIn(enforce_rate_limits=True) as standin:
            for uid in users:
                standin.add_user("居民", user_id=uid, started=True)
            # In order: the first call times out after Telegram delivered it, then a 500,
            # a 502 from the proxy and a time-out that delivered nothing.
            standin.add_fault("sendMessage", "timeout", deliver=True, hang=1.5)
            standin.add_fault("sendMessage", "server_error")
            standin.add_fault("sendMessage", "bad_gateway")
            standin.add_fault("sendMessage", "timeout", hang=1.5)
            async with make_bot(standin, read_timeout=0.5) as bot:
                sender = sender_for(fresh_store, bot)
                ticker = dispatcher(fresh_store, sender, concurrency=1, batch=1)
                deadline = time.monotonic() + 20
                while states(fresh_store.engine)["sent"] < len(users) and time.monotonic() < deadline:
                    await ticker.dispatch_once(system_clock())
                    await asyncio.sleep(0.1)
                counts = {uid: standin.texts(uid) for uid in users}
                faulted = [c for c in standin.calls("sendMessage") if c["fault"]]
                assert [c["fault"] for c in faulted] == ["timeout", "server_error", "bad_gateway", "timeout"]
                first = int(faulted[0]["params"]["chat_id"])
                assert len(counts[first]) == 2 and counts[first][0] == counts[first][1]
                assert all(len(texts) == 1 for uid, texts in counts.items() if uid != first)
                assert states(fresh_store.engine) == {"sent": len(users)}
    run(scenario())


def test_a_bad_request_fails_the_delivery_and_an_unknown_recipient_is_refused(fresh_store):
    async def scenario():
        async with StandIn() as standin:
            async with make_bot(standin) as bot:
                sender = sender_for(fresh_store, bot)
                with pytest.raises(PermanentFailure, match="(?i)chat not found"):
                    await sender.send("resident:999999", Message("你好"))
                with pytest.raises(PermanentFailure):
                    await sender.send("resident:r-1", Message("你好"))  # a console resident
                assert standin.call_count("sendMessage") == 1
    run(scenario())


def test_a_long_notice_is_split_and_a_retry_sends_only_the_missing_piece_with_the_same_buttons(fresh_store):
    text = "\n".join(f"第{i}行：" + "办理进展" * 30 for i in range(60))  # about 7,500 characters
    buttons = ({"title": "解决了", "payload": "/rate_case{\"choice\": \"solved\"}"},
               {"title": "没解决", "payload": "/rate_case{\"choice\": \"unsolved\"}"})

    async def scenario():
        async with StandIn() as standin:
            standin.add_user("Ada", user_id=ADA, started=True)
            async with make_bot(standin) as bot:
                sender = sender_for(fresh_store, bot, throttle=Throttle(chat_interval=0.0))
                calls = []

                async def fail_the_second_piece(**kwargs):
                    calls.append(kwargs)
                    if len(calls) == 2:  # the first went through; this one gets a 500
                        standin.add_fault("sendMessage", "server_error")
                    return await bot.send_message(**kwargs)
                sender.bot = _Proxy(bot, fail_the_second_piece)
                with pytest.raises(ConnectionError):
                    await sender.send(f"resident:{ADA}", Message(text, buttons))
                await sender.send(f"resident:{ADA}", Message(text, buttons))
                messages = standin.bot_messages(ADA)
                assert len(messages) == 2 and "\n".join(m["text"] for m in messages) == text
                assert "reply_markup" not in messages[0]
                assert [b["text"] for b in messages[1]["reply_markup"]["inline_keyboard"][0]] == ["解决了", "没解决"]
                offered = sender.codec.engine.connect().exec_driver_sql(
                    "SELECT count(*) FROM button_offers").scalar()
                assert offered == 2  # offered once, kept for the retry
    run(scenario())


class _Proxy:
    """The bot with its send_message replaced (to fail one call at a chosen moment)."""

    def __init__(self, bot, send_message):
        self._bot, self.send_message = bot, send_message

    def __getattr__(self, name):
        return getattr(self._bot, name)


def test_a_chat_paused_for_long_gives_the_delivery_back_at_once_instead_of_holding_its_lease(fresh_store):
    async def scenario():
        async with StandIn() as standin:
            ada = standin.add_user("Ada", started=True)["id"]
            async with make_bot(standin) as bot:
                sender = sender_for(fresh_store, bot)
                sender.throttle.pause(30, chat_id=ada)
                told = time.monotonic()
                with pytest.raises(RetryLater) as waited:
                    await sender.send(f"resident:{ada}", Message("你好"))
                assert 29 < waited.value.after <= 30 and time.monotonic() - told < 0.5
                assert standin.call_count("sendMessage") == 0
    run(scenario())
