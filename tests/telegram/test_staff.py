"""Staff on Telegram, end to end over the Bot API stand-in: case cards in the grids'
topics of the staff group, moves from the card's buttons with the resident told of
each, refusals, two staff pressing at once, escalation, handed-off residents' topics."""
from __future__ import annotations

import asyncio

from actions import texts
from civic.domain.case import State
from civic.services.commands import check_deadlines
from resident_support import run, until
from staff_support import card, card_showing, file_case, linked, staff_world, topic_of


def _case(app, number):
    with app.civic.reader() as uow:
        return uow.cases.get(number)


def _pressed(standin, user, group_id, message, data) -> str:
    """Press a card's button; the words the bot answered the press with."""
    press = standin.press_button(user["id"], message["message_id"], data, chat_id=group_id)
    query_id = press["update"]["callback_query"]["id"]
    return query_id


async def _answer_of(standin, query_id) -> str:
    answers = await until(lambda: standin.callback_answers(query_id))
    return answers[-1].get("text", "")


def _data(message, title) -> str:
    for row in message["reply_markup"]["inline_keyboard"]:
        for button in row:
            if button["text"] == title:
                return button["callback_data"]
    raise AssertionError(f"no button {title!r} on {message.get('text')!r}")


def test_a_grid_worker_works_a_case_from_its_card_and_the_resident_hears_each_step(app, clock):
    async def scenario():
        async with staff_world(app, clock) as (standin, bot, group_id):
            worker = await linked(standin, app, "gw-wj-01")
            ada = standin.add_user("Ada", started=True)
            number = file_case(app, ada["id"])

            # The card is in the topic of the case's grid, masked, with the moves of its state.
            shown = await card_showing(standin, app, group_id, number, "待签收")
            topic = topic_of(standin, group_id, "望江社区第一网格")
            assert topic is not None and shown["message_thread_id"] == topic["message_thread_id"]
            assert "138****5678" not in shown["text"] and "13812345678" not in shown["text"]
            assert "2单元***" in shown["text"] and "502" not in shown["text"]  # the flat is masked in the group
            titles = [b["text"] for row in shown["reply_markup"]["inline_keyboard"] for b in row]
            assert titles[0] == "签收" and "办结" not in titles

            # The assignee also has the case in a private chat, with the full phone.
            await until(lambda: any(number in t for t in standin.texts(worker["id"])))

            answer = await _answer_of(standin, _pressed(standin, worker, group_id, shown, _data(shown, "签收")))
            assert "已签收" in answer
            shown = await card_showing(standin, app, group_id, number, "已签收")
            await until(lambda: any(texts.SIGNED_NOTICE in t for t in standin.texts(ada["id"])))

            _pressed(standin, worker, group_id, shown, _data(shown, "已联系"))
            await until(lambda: any(texts.CONTACTED_NOTICE in t for t in standin.texts(ada["id"])))

            # 进展 asks for the note; the worker's next message in the topic is the note.
            shown = await card_showing(standin, app, group_id, number, "已联系")
            _pressed(standin, worker, group_id, shown, _data(shown, "进展"))
            await until(lambda: any("进展说明" in t for t in standin.texts(group_id)))
            standin.send_text(worker["id"], "已通知保洁公司，下午清运", chat_id=group_id,
                              message_thread_id=topic["message_thread_id"])
            await until(lambda: any("已通知保洁公司，下午清运" in t for t in standin.texts(ada["id"])))

            shown = await card_showing(standin, app, group_id, number, "进展")
            _pressed(standin, worker, group_id, shown, _data(shown, "办结"))
            await until(lambda: any("办理结果" in t for t in standin.texts(group_id)))
            standin.send_text(worker["id"], "垃圾已清运完毕", chat_id=group_id,
                              message_thread_id=topic["message_thread_id"])
            resolved = await until(lambda: next((m for m in standin.bot_messages(ada["id"])
                                                 if "垃圾已清运完毕" in m.get("text", "")), None))
            shown = await card_showing(standin, app, group_id, number, "已办结")
            assert "reply_markup" not in shown or not shown["reply_markup"]["inline_keyboard"]

            # The resident rates with the notice's buttons.
            standin.press_button(ada["id"], resolved["message_id"], _data(resolved, "解决了"))
            await until(lambda: _case(app, number).state is not State.RESOLVED
                        or any("满意" in t for t in standin.texts(ada["id"])[-1:]))
            assert _case(app, number).resolved_at is not None
    run(scenario())


def test_refusals_name_who_may_and_two_staff_signing_at_once_get_one_answer_each(app, clock):
    async def scenario():
        async with staff_world(app, clock) as (standin, bot, group_id):
            worker = await linked(standin, app, "gw-wj-01")
            leader = await linked(standin, app, "gl-wangjiang")
            other_grid = await linked(standin, app, "gw-wj-02")
            stranger = standin.add_user("Mallory")
            standin.set_member(group_id, stranger["id"])
            ada = standin.add_user("Ada", started=True)
            number = file_case(app, ada["id"])
            shown = await card_showing(standin, app, group_id, number, "待签收")
            sign = _data(shown, "签收")

            refused = await _answer_of(standin, _pressed(standin, stranger, group_id, shown, sign))
            assert "还不是已绑定的工作人员" in refused
            refused = await _answer_of(standin, _pressed(standin, other_grid, group_id, shown, sign))
            assert "承办人王建国" in refused and "网格长郑国华" in refused
            assert _case(app, number).state is State.DISPATCHED

            # A forged button for a move the state does not allow changes nothing either.
            forged = standin.press_button(worker["id"], shown["message_id"], f"case:resolve:{number}",
                                          chat_id=group_id, force=True)
            said = await _answer_of(standin, forged["update"]["callback_query"]["id"])
            assert "不能办结" in said and _case(app, number).state is State.DISPATCHED

            first = _pressed(standin, worker, group_id, shown, sign)
            second = _pressed(standin, leader, group_id, shown, sign)
            answers = [await _answer_of(standin, first), await _answer_of(standin, second)]
            assert "已签收" in answers[0] and "已由王建国" in answers[1] and "签收" in answers[1]
            history = [h.action for h in _case(app, number).history]
            assert history.count("signed") == 1

            # The grid leader reassigns from the card: the choices are the grid's staff.
            shown = await card_showing(standin, app, group_id, number, "已签收")
            _pressed(standin, leader, group_id, shown, _data(shown, "改派"))
            choice = await until(lambda: next((m for m in standin.bot_messages(group_id)
                                               if "改派给谁" in m.get("text", "")), None))
            standin.press_button(leader["id"], choice["message_id"], _data(choice, "孟凡（城管队员）"),
                                 chat_id=group_id)
            await card_showing(standin, app, group_id, number, "承办：孟凡")
            assert _case(app, number).assignee_id == "cg-north"
    run(scenario())


def test_a_missed_sign_for_deadline_escalates_and_the_card_says_so(app, clock):
    async def scenario():
        async with staff_world(app, clock) as (standin, bot, group_id):
            leader = await linked(standin, app, "gl-wangjiang")
            ada = standin.add_user("Ada", started=True)
            number = file_case(app, ada["id"])
            await card_showing(standin, app, group_id, number, "待签收")
            late = _case(app, number).sign_due + __import__("datetime").timedelta(minutes=1)
            with app.civic.uow() as uow:
                assert number in check_deadlines(uow, app.civic.services, late)
            await card_showing(standin, app, group_id, number, "已升级（第1级）")
            await until(lambda: any(number in t and "升级督办" in t for t in standin.texts(leader["id"])))
    run(scenario())


def test_a_handed_off_resident_talks_with_staff_in_a_topic_of_their_own(app, clock):
    async def scenario():
        async with staff_world(app, clock) as (standin, bot, group_id):
            worker = await linked(standin, app, "gw-wj-01")
            stranger = standin.add_user("Mallory")
            standin.set_member(group_id, stranger["id"])
            ada = standin.add_user("Ada")
            standin.send_command(ada["id"], "start")
            standin.send_text(ada["id"], "转人工")
            topic = await until(lambda: next((t for t in standin.topics(group_id)
                                              if t["name"].startswith("转人工")), None))
            thread = topic["message_thread_id"]
            await until(lambda: any("/done" in t for t in standin.texts(group_id, message_thread_id=thread)))

            standin.send_text(ada["id"], "我家在望江花园3号楼502，电话13812345678，楼上天天漏水")
            said = await until(lambda: next((t for t in standin.texts(group_id, message_thread_id=thread)
                                             if "楼上天天漏水" in t), None))
            assert "13812345678" not in said and "502" not in said

            standin.send_text(stranger["id"], "我来回复", chat_id=group_id, message_thread_id=thread)
            await until(lambda: any(texts.HANDOFF_STAFF_ONLY in t
                                    for t in standin.texts(group_id, message_thread_id=thread)))
            standin.send_text(worker["id"], "您好，我们下午上门查看", chat_id=group_id, message_thread_id=thread)
            await until(lambda: any("王建国" in t and "下午上门查看" in t for t in standin.texts(ada["id"])))
            assert not any("我来回复" in t for t in standin.texts(ada["id"]))

            # Staff deleted the topic by hand: the resident's next message opens a new one.
            standin.delete_topic(group_id, thread)
            standin.send_text(ada["id"], "好的，我下午在家")
            again = await until(lambda: next((t for t in standin.topics(group_id)
                                              if t["name"].startswith("转人工") and not t["deleted"]), None))
            await until(lambda: any("我下午在家" in t for t in standin.texts(
                group_id, message_thread_id=again["message_thread_id"])))

            standin.send_text(worker["id"], "/done", chat_id=group_id,
                              message_thread_id=again["message_thread_id"])
            await until(lambda: any(texts.HANDOFF_ENDED_BY_STAFF in t for t in standin.texts(ada["id"])))
            await until(lambda: next(t for t in standin.topics(group_id)
                                     if t["message_thread_id"] == again["message_thread_id"])["closed"])
    run(scenario())
