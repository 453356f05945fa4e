"""Residents on Telegram, end to end over the Bot API stand-in: the real dialogue, the
inbox, the per-chat ordering and the keyboards, in one event loop as in the bot process."""
from __future__ import annotations

import json
import re

from sqlalchemy import func, select

from actions import texts
from civic.adapters.tables import cases
from civic.adapters.tables_channels import inbox
from resident_support import run, running, settled, standin_and_bot
from standin import StandIn


def inline_data(message: dict, title: str) -> str:
    for row in (message.get("reply_markup") or {}).get("inline_keyboard", []):
        for button in row:
            if title in button["text"]:
                return button["callback_data"]
    raise AssertionError(f"no button {title!r} on {message.get('text', '')[:40]!r}")


async def said(standin, user: dict, count: int) -> list[dict]:
    """The bot's messages once there are ``count`` of them."""
    return await standin.wait_for_messages(user["id"], count, timeout=20)


def with_button(messages: list[dict], title: str) -> dict:
    return next(m for m in reversed(messages) if any(
        title in b["text"] for row in (m.get("reply_markup") or {}).get("inline_keyboard", []) for b in row))


def case_count(app) -> int:
    with app.civic.engine.begin() as conn:
        return conn.execute(select(func.count()).select_from(cases)).scalar_one()


def inbox_states(app) -> list[str]:
    with app.civic.engine.begin() as conn:
        return [row.state for row in conn.execute(select(inbox.c.state, inbox.c.body, inbox.c.chat_id))
                if row.state != "done" or row.body is not None or row.chat_id is not None]


def test_a_report_by_text_then_buttons_with_the_shared_phone(app, clock):
    async def scenario():
        async with standin_and_bot(app, clock) as (standin, bot):
            ada = standin.add_user("Ada")
            standin.send_text(ada["id"], "望江花园3号楼楼道灯坏了一个星期了 晚上黑漆漆的")
            found = await standin.wait_until(lambda: [m for m in standin.bot_messages(ada["id"])
                                                      if texts.SHARE_PHONE_HINT in m["text"]], timeout=20)
            # One message: the phone question with a reply keyboard that shares the phone
            # and offers the question's other answer.
            question = found[-1]
            assert "手机号" in question["text"]
            keyboard = standin.reply_keyboard(ada["id"])
            assert keyboard["keyboard"][0][0]["request_contact"] is True
            assert [b["text"] for b in keyboard["keyboard"][1]] == ["跳过"]
            before = len(standin.bot_messages(ada["id"]))
            standin.send_contact(ada["id"], "13812345678")
            await said(standin, ada, before + 1)
            await settled(standin, bot)
            # Used, the keyboard hid itself: no extra message to close it.
            assert len(standin.bot_messages(ada["id"])) == before + 1
            summary = with_button(standin.bot_messages(ada["id"]), "确认提交")
            assert "138****5678" in summary["text"]
            before = len(standin.bot_messages(ada["id"]))
            press = standin.press_button(ada["id"], summary["message_id"], inline_data(summary, "确认提交"))
            filed = await said(standin, ada, before + 1)
            assert "已受理" in "".join(m["text"] for m in filed[before:])
            # Answered at once, and the answered question's keyboard is gone.
            assert standin.callback_answers(press["callback_query"]["id"])
            assert standin.keyboard(ada["id"], summary["message_id"]) is None
            number = re.search(r"(\d{8}-\d{4})", "".join(m["text"] for m in filed[before:])).group(1)
            await settled(standin, bot)
            assert standin.reply_keyboard(ada["id"]) is None  # removed with the next plain message
            return number, found

    number, _ = run(scenario())
    with app.civic.reader() as uow:
        case = uow.cases.get(number)
    assert case.grid_id == "WJ-01" and case.contact_phone == "13812345678"
    # Every update is done, and no resident's words are kept past handling.
    assert inbox_states(app) == []


def test_a_double_press_has_one_effect_and_a_forged_press_none(app, clock):
    async def scenario():
        async with standin_and_bot(app, clock) as (standin, bot):
            ada, bob = standin.add_user("Ada"), standin.add_user("Bob")
            standin.send_text(ada["id"], "望江花园3号楼楼道灯坏了一个星期了 晚上黑漆漆的")
            await standin.wait_until(lambda: [m for m in standin.bot_messages(ada["id"])
                                              if texts.SHARE_PHONE_HINT in m["text"]], timeout=20)
            standin.send_text(ada["id"], "跳过")  # the phone keyboard's 跳过 sends its title
            await standin.wait_until(lambda: [m for m in standin.bot_messages(ada["id"])
                                              if "确认提交" in str(m.get("reply_markup"))], timeout=20)
            await settled(standin, bot)
            summary = with_button(standin.bot_messages(ada["id"]), "确认提交")
            # Bob presses Ada's button data, and a made-up staff move on her case: refused.
            standin.send_text(bob["id"], "你好")
            await said(standin, bob, 1)
            await settled(standin, bot)
            shown = len(standin.bot_messages(bob["id"]))
            bob_message = standin.bot_messages(bob["id"])[-1]
            standin.press_button(bob["id"], bob_message["message_id"], inline_data(summary, "确认提交"),
                                 force=True)
            standin.press_button(bob["id"], bob_message["message_id"], "case:sign:20261118-0001", force=True)
            replies = await said(standin, bob, shown + 2)
            assert [m["text"] for m in replies[shown:]] == [texts.UNKNOWN_BUTTON] * 2
            assert len(standin.callback_answers()) == 2
            # Ada's own question is still open. Two presses before the keyboard goes (a
            # client sends both): one answer, one case.
            before = len(standin.bot_messages(ada["id"]))
            confirm = inline_data(summary, "确认提交")
            standin.press_button(ada["id"], summary["message_id"], confirm)
            standin.press_button(ada["id"], summary["message_id"], confirm, force=True)
            await said(standin, ada, before + 2)
            await settled(standin, bot)
            later = [m["text"] for m in standin.bot_messages(ada["id"])[before:]]
            assert sum("工单号" in t for t in later) == 1 and later.count(texts.STALE_BUTTON) == 1, later
            assert len(standin.callback_answers()) == 4
            number = re.search(r"工单号 (\d{8}-\d{4})", "".join(later)).group(1)
            # Bob forges staff moves and a rating on Ada's real case number: nothing moves.
            shown = len(standin.bot_messages(bob["id"]))
            for data in (f"case:sign:{number}", f"case:resolve:{number}", f"r:{number[:10]}"):
                standin.press_button(bob["id"], bob_message["message_id"], data, force=True)
            replies = await said(standin, bob, shown + 3)
            assert [m["text"] for m in replies[shown:]] == [texts.UNKNOWN_BUTTON] * 3
            await settled(standin, bot)
            return number

    number = run(scenario())
    assert case_count(app) == 1
    with app.civic.reader() as uow:
        case = uow.cases.get(number)
    assert case.state.value == "dispatched" and len(case.history) == 2


def test_what_the_bot_cannot_take_gets_a_short_answer_and_changes_nothing(app, clock):
    async def scenario():
        async with standin_and_bot(app, clock) as (standin, bot):
            ada = standin.add_user("Ada")
            standin.send_sticker(ada["id"])
            standin.send_voice(ada["id"])
            standin.send_document(ada["id"])
            sent = standin.send_text(ada["id"], "你好")
            await said(standin, ada, 4)
            standin.edit_message(ada["id"], sent["message"]["message_id"], "改过的")
            standin.send_location(ada["id"], 30.65, 104.06)
            standin.send_photo(ada["id"], file_id="photo-1")
            standin.send_contact(ada["id"], "13900000000", contact_user_id=None)  # not her own
            await settled(standin, bot)
            texts_now = [m["text"] for m in standin.bot_messages(ada["id"])]
            group = standin.add_group("楼栋群", bot_status="member")
            standin.set_member(group["id"], ada["id"])
            standin.send_command(ada["id"], "start", chat_id=group["id"], mention_bot=True)
            standin.send_text(ada["id"], "@standin_bot 望江花园3号楼楼道灯坏了", chat_id=group["id"])
            standin.send_text(ada["id"], "今晚谁去接孩子", chat_id=group["id"])  # chatter: not for the bot
            channel = standin.add_channel("公告")
            standin.post_to_channel(channel["id"], "停水通知")
            await standin.wait_for_messages(group["id"], 2, timeout=10)
            await settled(standin, bot)
            return texts_now, standin.texts(group["id"]), standin.texts(channel["id"])

    replies, in_group, in_channel = run(scenario())
    assert replies[:3] == [texts.CANNOT_TAKE["sticker"], texts.CANNOT_TAKE["voice"], texts.CANNOT_TAKE["document"]]
    assert texts.CANNOT_TAKE["edited"] in replies
    assert texts.NOT_OWN_CONTACT in replies
    # The command and the mention are answered with the way to the private chat; chatter is not.
    assert in_group == [texts.GROUP_PRIVATE_ONLY] * 2 and in_channel == []
    assert case_count(app) == 0


def test_long_and_markup_like_text_goes_out_plain_and_split(app, clock):
    text = "\n".join(f"第{i}行 <b>不是标签</b> *星号* _下划线_ & [链接](x)" for i in range(400))

    async def scenario():
        async with standin_and_bot(app, clock) as (standin, bot):
            ada = standin.add_user("Ada", started=True)
            await bot.channel._send_all(bot.ptb.bot, [{"chat_id": ada["id"], "text": text, "buttons": [["好", "r:aaaaaaaaaa"]],
                                                       "asks_phone": False}])
            return standin.bot_messages(ada["id"])

    messages = run(scenario())
    assert len(messages) > 1 and all(len(m["text"]) <= 4096 for m in messages)
    assert "\n".join(m["text"] for m in messages) == text
    assert [bool(m.get("reply_markup")) for m in messages] == [False] * (len(messages) - 1) + [True]


def test_a_replay_after_the_turn_sends_its_replies_again_and_runs_nothing_twice(app, clock):
    """A kill between the turn's end (its replies recorded) and the last send: on start the
    recorded replies go out again, the turn is not run a second time (no second case)."""
    from bot.telegram.inbox import ANSWERED

    async def scenario():
        async with standin_and_bot(app, clock) as (standin, bot):
            ada = standin.add_user("Ada")
            sent = standin.send_text(ada["id"], "望江花园3号楼楼道灯坏了一个星期了 晚上黑漆漆的")
            await settled(standin, bot)
            first = standin.texts(ada["id"])
        # As the killed process left it: the update answered, not done.
        row = {"update_id": sent["update"]["update_id"]}
        with app.civic.engine.begin() as conn:
            conn.execute(inbox.update().where(inbox.c.update_id == row["update_id"]).values(
                state=ANSWERED, body=json.dumps(sent["update"], ensure_ascii=False),
                replies=json.dumps([{"chat_id": ada["id"], "text": first[0], "buttons": [],
                                     "asks_phone": False}], ensure_ascii=False)))
        async with StandIn(seed=2, clock=clock.timestamp) as again:
            again.add_user("Ada", user_id=ada["id"], started=True)
            async with running(app, again) as bot:
                await settled(again, bot)
                return first, again.texts(ada["id"])

    first, resent = run(scenario())
    assert resent == [first[0]]
    assert case_count(app) == 0 and inbox_states(app) == []


def test_a_turn_that_keeps_failing_is_given_up_politely_and_logged_without_its_words(app, clock, caplog):
    calls = []

    async def broken(incoming):
        calls.append(incoming.text)
        raise ValueError(f"could not store {incoming.text}")  # as a database error quotes values

    app.turn.handle = broken

    async def scenario():
        async with standin_and_bot(app, clock) as (standin, bot):
            ada = standin.add_user("Ada")
            standin.send_text(ada["id"], "我的电话13912345678")
            await settled(standin, bot)
            return standin.texts(ada["id"]), bot.inbox.counts()

    with caplog.at_level("INFO"):
        said, counts = run(scenario())
    assert said == [texts.TURN_FAILED] and counts == {"failed": 1} and len(calls) == 3
    assert "ValueError" in caplog.text and "13912345678" not in caplog.text
