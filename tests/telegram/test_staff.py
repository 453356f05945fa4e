"""Staff on Telegram, end to end over the Bot API stand-in: case cards in the grids'
topics of the staff group, moves from the card's buttons with the resident told of
each, refusals, two staff pressing at once, escalation, handed-off residents' topics."""
from __future__ import annotations

from actions import texts
from civic.domain.case import State
from civic.services.commands import check_deadlines
from resident_support import run, until
from staff_support import card_showing, file_case, linked, staff_world, topic_of


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
            await until(lambda: any(number in t and "13812345678" in t for t in standin.texts(worker["id"])))

            # The resident's photo goes under the card in the topic, and to the assignee.
            standin.send_photo(ada["id"], file_id="ada-case-photo")
            shown = await card_showing(standin, app, group_id, number, "居民附了 1 张照片")
            await until(lambda: any("photo" in m and m.get("reply_to_message", {}).get("message_id") == shown["message_id"]
                                    for m in standin.bot_messages(group_id, message_thread_id=topic["message_thread_id"])))
            await until(lambda: any("photo" in m for m in standin.bot_messages(worker["id"])))

            answer = await _answer_of(standin, _pressed(standin, worker, group_id, shown, _data(shown, "签收")))
            assert "“签收”已办好" in answer
            shown = await card_showing(standin, app, group_id, number, "已签收")
            await until(lambda: any(texts.SIGNED_NOTICE in t for t in standin.texts(ada["id"])))

            _pressed(standin, worker, group_id, shown, _data(shown, "已联系"))
            await until(lambda: any(texts.CONTACTED_NOTICE in t for t in standin.texts(ada["id"])))

            # 进展 asks for the note; the worker's next message in the topic is the note.
            shown = await card_showing(standin, app, group_id, number, "已联系")
            _pressed(standin, worker, group_id, shown, _data(shown, "进展"))
            question = await until(lambda: next((m for m in standin.bot_messages(group_id)
                                                 if "进展说明" in m.get("text", "")), None))
            # Chatter in the topic is no note; the reply to the question is.
            standin.send_text(worker["id"], "大家辛苦了", chat_id=group_id, message_thread_id=topic["message_thread_id"])
            standin.send_text(worker["id"], "已通知保洁公司，下午清运", chat_id=group_id,
                              message_thread_id=topic["message_thread_id"], reply_to_message_id=question["message_id"])
            await until(lambda: any("已通知保洁公司，下午清运" in t for t in standin.texts(ada["id"])))
            assert not any("大家辛苦了" in t for t in standin.texts(ada["id"]))

            shown = await card_showing(standin, app, group_id, number, "进展")
            _pressed(standin, worker, group_id, shown, _data(shown, "办结"))
            question = await until(lambda: next((m for m in standin.bot_messages(group_id)
                                                 if "办理结果" in m.get("text", "")), None))
            standin.send_text(worker["id"], "垃圾已清运完毕", chat_id=group_id,
                              message_thread_id=topic["message_thread_id"], reply_to_message_id=question["message_id"])
            resolved = await until(lambda: next((m for m in standin.bot_messages(ada["id"])
                                                 if "垃圾已清运完毕" in m.get("text", "")), None))
            shown = await card_showing(standin, app, group_id, number, "已办结")
            assert "reply_markup" not in shown or not shown["reply_markup"]["inline_keyboard"]

            # The resident rates with the notice's buttons: the case closes.
            standin.press_button(ada["id"], resolved["message_id"], _data(resolved, "解决了"))
            asked = await until(lambda: next((m for m in reversed(standin.bot_messages(ada["id"]))
                                              if "基本满意" in str(m.get("reply_markup"))), None))
            standin.press_button(ada["id"], asked["message_id"], _data(asked, "满意"))
            await until(lambda: _case(app, number).state is State.CLOSED)
            assert _case(app, number).satisfaction == "satisfied"
            await card_showing(standin, app, group_id, number, "已关闭")
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
            assert "“签收”已办好" in answers[0] and "已由王建国" in answers[1] and "签收" in answers[1]
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
    # Many posts into the group within a minute: its limit is raised here (both sides),
    # the budget has a test of its own.
    async def scenario():
        async with staff_world(app, clock, group_per_minute=60) as (standin, bot, group_id):
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
            # The worker was asked for another case's result a moment ago: what they write in
            # this topic answers the resident all the same, and that case stays as it was.
            bob = standin.add_user("Bob", started=True)
            other = file_case(app, bob["id"])
            card_now = await card_showing(standin, app, group_id, other, "待签收")
            _pressed(standin, worker, group_id, card_now, _data(card_now, "签收"))
            card_now = await card_showing(standin, app, group_id, other, "已签收")
            _pressed(standin, worker, group_id, card_now, _data(card_now, "办结"))
            await until(lambda: any("办理结果" in t for t in standin.texts(group_id)))
            standin.send_text(worker["id"], "您好，我们下午上门查看", chat_id=group_id, message_thread_id=thread)
            await until(lambda: any("王建国" in t and "下午上门查看" in t for t in standin.texts(ada["id"])))
            assert _case(app, other).state is State.ACCEPTED
            assert not any("我来回复" in t for t in standin.texts(ada["id"]))

            # Photos go both ways: the resident's into the topic, staff's to the resident.
            standin.send_photo(ada["id"], caption="漏水的地方", file_id="ada-photo-1")
            await until(lambda: any("photo" in m for m in standin.bot_messages(group_id, message_thread_id=thread)))
            await until(lambda: any("漏水的地方" in t for t in standin.texts(group_id, message_thread_id=thread)))
            standin.send_photo(worker["id"], caption="这是维修单", file_id="staff-photo-1", chat_id=group_id,
                               message_thread_id=thread)
            await until(lambda: any("photo" in m for m in standin.bot_messages(ada["id"])))
            await until(lambda: any("王建国" in t and "这是维修单" in t for t in standin.texts(ada["id"])))

            # A resident who blocked the bot is announced in their topic.
            standin.block(ada["id"])
            standin.send_text(worker["id"], "您还在吗？", chat_id=group_id, message_thread_id=thread)
            await until(lambda: any(texts.HANDOFF_RESIDENT_BLOCKED in t
                                    for t in standin.texts(group_id, message_thread_id=thread)))
            standin.unblock(ada["id"])

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

            # Handed off again later: the same topic opens again with a new summary.
            openings = len([t for t in standin.texts(group_id, message_thread_id=again["message_thread_id"])
                            if "/done" in t])
            standin.send_text(ada["id"], "转人工")
            await until(lambda: not next(t for t in standin.topics(group_id)
                                         if t["message_thread_id"] == again["message_thread_id"])["closed"])
            await until(lambda: len([t for t in standin.texts(group_id, message_thread_id=again["message_thread_id"])
                                     if "/done" in t]) == openings + 1)
    run(scenario())


def test_a_burst_of_new_cases_is_summarised_per_topic_within_the_group_limit_and_none_is_lost(app, clock):
    # The group's limit scaled to 120 a minute (the stand-in enforces the same) and the
    # summary threshold from 3 minutes to 30 s, so the test runs in seconds: 200 cards
    # would wait 100 s.
    numbers = []

    def burst(standin):
        ada = standin.add_user("Ada", started=True)
        places = ["望江花园3号楼", "锦绣家园2号楼", "江畔人家1号楼", "滨江路15号", "望江菜市场"]
        numbers.extend(file_case(app, ada["id"], address=places[i % len(places)],
                                 description=f"楼下垃圾桶满了没人清第{i}次") for i in range(200))

    async def scenario():
        async with staff_world(app, clock, group_per_minute=120, summary_after=30, before=burst) as (standin, bot, group_id):
            await until(lambda: all(any(n in t for t in standin.texts(group_id)) for n in numbers), timeout=90)
            posted = standin.bot_messages(group_id)
            assert len(posted) < 40  # summaries, not 200 cards
            assert standin.call_count("sendMessage", status=429) == 0
            assert standin.call_count("editMessageText", status=429) == 0
            # Each case is listed in its own grid's topic.
            topics = {t["message_thread_id"]: t["name"] for t in standin.topics(group_id)}
            with app.civic.reader() as uow:
                grids = {n: uow.cases.get(n).grid_id for n in numbers}
            for number in numbers[:10]:
                where = next(m for m in posted if number in m.get("text", ""))
                name = topics[where["message_thread_id"]]
                expected = app.civic.services.district.grids[grids[number]].name if grids[number] else "待分派（指挥中心）"
                assert name == expected
    run(scenario())


def test_staff_commands_in_a_private_chat_and_strangers_refused(app, clock):
    async def scenario():
        async with staff_world(app, clock) as (standin, bot, group_id):
            stranger = standin.add_user("Mallory")
            standin.send_text(stranger["id"], "/cases")
            await until(lambda: any("还不是已绑定的工作人员" in t for t in standin.texts(stranger["id"])))
            standin.send_text(stranger["id"], "ABCDEFGH")  # a code's shape, but no code
            await until(lambda: any("绑定码无效" in t for t in standin.texts(stranger["id"])))

            centre = await linked(standin, app, "cc-liang")
            standin.send_text(centre["id"], "/code 李秀英")
            issued = await until(lambda: next((t for t in standin.texts(centre["id"]) if "绑定码" in t
                                               and "李秀英" in t), None))
            code = __import__("re").search(r"绑定码：([A-Z0-9]{8})", issued).group(1)
            newcomer = standin.add_user("李秀英")
            standin.send_text(newcomer["id"], f"/link {code}")
            await until(lambda: any("绑定成功：李秀英" in t for t in standin.texts(newcomer["id"])))
            standin.send_text(stranger["id"], code)  # used once: not again
            await until(lambda: len([t for t in standin.texts(stranger["id"]) if "绑定码无效" in t]) == 2)

            ada = standin.add_user("Ada", started=True)
            number = file_case(app, ada["id"], address="锦绣家园2号楼")  # grid WJ-02: 李秀英's
            standin.send_text(newcomer["id"], "/cases")
            listed = await until(lambda: next((m for m in standin.bot_messages(newcomer["id"])
                                               if "未办结工单" in m.get("text", "")), None))
            assert number in listed["text"]
            standin.press_button(newcomer["id"], listed["message_id"], _data(listed, number))
            private = await until(lambda: next((m for m in standin.bot_messages(newcomer["id"])
                                                if "居民电话：13812345678" in m.get("text", "")), None))
            standin.press_button(newcomer["id"], private["message_id"], _data(private, "签收"))
            await until(lambda: _case(app, number).state is State.ACCEPTED)

            # Out of scope: another grid's worker may not even see the case.
            outsider = await linked(standin, app, "gw-qx-01")
            standin.send_text(outsider["id"], f"/case {number}")
            await until(lambda: any(f"没有找到工单 {number}" in t for t in standin.texts(outsider["id"])))
            standin.send_text(outsider["id"], f"/case {number.replace('-', '')}")  # typed without its dash
            await until(lambda: len([t for t in standin.texts(outsider["id"]) if f"没有找到工单 {number}" in t]) == 2)

            standin.send_text(newcomer["id"], "/rates")
            await until(lambda: any("三率（望江社区第二网格）" in t and "本周" in t
                                    for t in standin.texts(newcomer["id"])))
            # A staff command in the group is pointed to the private chat.
            standin.send_text(newcomer["id"], "/cases", chat_id=group_id)
            await until(lambda: any(texts.STAFF_PRIVATE_ONLY in t for t in standin.texts(group_id)))
    run(scenario())


def test_the_weekly_report_is_a_chart_with_its_summary_in_the_command_centres_topic(app, clock):
    from civic.services.reports import weekly_rates

    async def scenario():
        async with staff_world(app, clock) as (standin, bot, group_id):
            ada = standin.add_user("Ada", started=True)
            file_case(app, ada["id"])
            with app.civic.uow() as uow:
                assert weekly_rates(uow, app.civic.services, app.clock()) is not None
            topic = await until(lambda: topic_of(standin, group_id, texts.TOPIC_CENTRE))
            thread = topic["message_thread_id"]
            chart = await until(lambda: next((m for m in standin.bot_messages(group_id, message_thread_id=thread)
                                              if "photo" in m), None))
            assert chart["photo"][-1]["width"] >= 1000  # the PNG as drawn, not a placeholder
            await until(lambda: any("响应率" in t for t in standin.texts(group_id, message_thread_id=thread)))
    run(scenario())
