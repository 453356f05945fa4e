"""Every flow a resident can take, through the turn with the real dialogue: every button
shown fits Telegram's 64 bytes of callback data, and pressing it does what it says."""
from __future__ import annotations

import datetime as dt
import uuid

import pytest

from bot.buttons import MAX_CALLBACK_BYTES
from bot.turn import BUTTON, TEXT, Incoming
from civic.domain.actors import Actor
from civic.services import cases, commands, points
from turn_support import WEDNESDAY_TEN, run


class Walk:
    """One resident talking to the bot; remembers every button it was shown."""

    def __init__(self, app):
        self.app, self.user = app, f"r-{uuid.uuid4().hex[:8]}"
        self.buttons, self.seen, self.said = [], [], []

    def _show(self, replies):
        for reply in replies:
            self.said.append(reply.text)
            if reply.buttons:
                self.buttons = list(reply.buttons)
                self.seen += reply.buttons
        return "\n".join(r.text for r in replies)

    def say(self, text: str) -> str:
        return self._show(run(self.app.turn.handle(Incoming(self.user, TEXT, text=text))))

    def press(self, title: str) -> str:
        button = next((b for b in self.buttons if title in b.title), None)
        assert button, f"no button {title!r} among {[b.title for b in self.buttons]}"
        return self._show(run(self.app.turn.handle(Incoming(self.user, BUTTON, data=button.data))))

    def notices(self) -> str:
        return self._show(run(self.app.deliver_to(self.user)))


@pytest.fixture
def app(real_app):
    return real_app


@pytest.fixture
def walk(app):
    walker = Walk(app)
    yield walker
    too_long = [b.data for b in walker.seen if len(b.data.encode("utf-8")) > MAX_CALLBACK_BYTES]
    assert walker.seen and too_long == []


def case_of(app, number):
    with app.civic.reader() as uow:
        return uow.cases.get(number)


def number_in(text):
    import re
    return re.search(r"工单号 (\d{8}-\d{4})", text).group(1)


def test_a_report_with_the_phone_skipped_and_confirmed(walk):
    walk.say("望江花园3号楼楼道灯坏了一个星期了 晚上黑漆漆的")
    walk.press("跳过")
    out = walk.press("确认提交")
    assert "已受理" in out and case_of(walk.app, number_in(out)).grid_id == "WJ-01"


def test_a_report_whose_category_is_chosen_by_button(walk):
    walk.say("我要投诉")
    walk.press("噪音扰民")
    walk.say("楼下广场舞音响每天晚上放到十点多")
    walk.say("江畔人家")
    walk.press("跳过")
    out = walk.press("确认提交")
    assert case_of(walk.app, number_in(out)).category == "noise"


def test_an_ambiguous_place_is_chosen_by_button_with_what_the_resident_typed(walk):
    walk.say("阳光花园门口的路灯坏了好几天了")
    walk.say("阳光花园")
    walk.press("第二网格")
    walk.press("跳过")
    out = walk.press("确认提交")
    case = case_of(walk.app, number_in(out))
    assert case.grid_id == "JX-02" and case.address == "阳光花园"


def test_follow_up_buttons_withdraw_a_case(walk):
    walk.say("清溪路18号门口有个井盖松了 车压上去咣咣响")
    walk.press("跳过")
    number = number_in(walk.press("确认提交"))
    walk.say("我的工单")
    walk.press(number)
    walk.press("撤回")
    out = walk.press("确认撤回")
    assert "已撤回" in out and case_of(walk.app, number).state.value == "withdrawn"


def test_the_resolved_notice_is_rated_from_its_buttons(walk):
    walk.say("和平巷12号的路灯不亮了 晚上看不清路")
    walk.press("跳过")
    number = number_in(walk.press("确认提交"))
    app = walk.app
    case = case_of(app, number)
    worker = cases.staff_actor(app.civic.services.district, case.assignee_id)
    for action, note in (("sign", ""), ("resolve", "已更换灯泡")):
        with app.civic.uow() as uow:
            commands.handle(uow, app.civic.services, commands.named(
                action, number=number, actor=worker, now=WEDNESDAY_TEN + dt.timedelta(hours=1),
                note=note))
    assert "已更换灯泡" in walk.notices()
    walk.press("解决了")
    out = walk.press("满意")
    assert "谢谢" in out and case_of(app, number).state.value == "closed"


def test_a_mediation_booking_by_buttons(walk):
    walk.say("我想预约人民调解")
    walk.say("楼上漏水泡了我家天花板 赔偿谈不拢")
    walk.say("502室王先生")
    walk.press("跳过")  # the other party's phone
    walk.press(walk.buttons[0].title)  # the first mediator offered
    walk.press("到调解室")
    walk.press(walk.buttons[0].title)  # the first free slot
    out = walk.press("确认")
    assert "预约成功" in out


def test_points_are_redeemed_by_buttons(walk):
    app = walk.app
    walk.say("你好")  # points go to residents who talked to the bot; the command centre awards anyone
    with app.civic.uow() as uow:
        points.award(uow, app.civic.services, actor=cases.staff_actor(app.civic.services.district, "cc-liang"),
                     resident_id=walk.user, kind="public_virtue", amount=100, reason="社区清洁",
                     now=WEDNESDAY_TEN, key=f"k-{walk.user}")
    walk.say("我有多少积分")
    walk.press("兑换毛巾")
    out = walk.press("确认")
    assert "取货码" in out


def test_my_data_offers_to_change_or_delete_and_a_refusal_keeps_it(walk):
    walk.say("我的资料")
    walk.press("删除")
    out = walk.press("不删了")
    assert "删除" not in out or "没有删除" in out


def test_deleting_my_data_forgets_the_conversation_too(walk):
    walk.say("望江花园3号楼楼道灯坏了，我是张秀英，电话13912345678")
    walk.say("13912345678")
    walk.press("确认提交")
    walk.say("我的资料")
    walk.press("删除")
    out = walk.press("确认删除")
    assert "已删除您的资料和聊天记录" in out
    store = walk.app.agent.tracker_store._tracker_store  # inside Rasa's FailSafeTrackerStore
    with store.session_scope() as session:
        kept = [e.data for e in session.query(store.SQLEvent).filter(store.SQLEvent.sender_id == walk.user)]
    assert kept == []  # nothing of what they said, not even that they asked to delete it
    assert "查不到" in walk.say("我的工单") or "没有" in walk.say("我的工单")


def test_a_dispute_report_offers_mediation_by_button(walk):
    walk.say("楼上邻居家漏水把我家天花板泡坏了 找他好几次都不管")
    walk.say("和平里5号楼")
    walk.press("跳过")
    walk.press("确认提交")
    out = walk.press("预约人民调解")
    assert "调解" in out


@pytest.mark.parametrize("where, grid_id, said", [
    ((30.5867, 114.3083), "HP-02", "这个位置在和平社区第二网格"),
    ((30.6200, 114.2500), None, "不在望江街道的网格范围内"),  # outside the street: triage
], ids=["in-HP-02", "outside-triage"])
def test_a_shared_location_answers_where_and_a_photo_goes_with_the_report(walk, where, grid_id, said):
    from actions import texts
    from bot.turn import LOCATION, PHOTO
    from civic.services import evidence

    def send(**incoming):
        return walk._show(run(walk.app.turn.handle(Incoming(walk.user, **incoming))))

    walk.say("楼道灯坏了一个星期了 晚上黑漆漆的")  # no place: the form asks where
    assert said in send(kind=LOCATION, location=where, what="location")
    assert texts.PHOTO_FOR_REPORT in send(kind=PHOTO, file_id=f"AgAD-{walk.user}", what="photo")
    walk.press("跳过")  # the phone question's buttons are still the latest
    out = walk.press("确认提交")
    case = case_of(walk.app, number_in(out))
    assert case.grid_id == grid_id and case.address == "位置（{:.5f}, {:.5f}）附近".format(*where)
    with walk.app.civic.reader() as uow:
        assert [p.file_id for p in evidence.photos_of(uow, case_number=case.number)] == [f"AgAD-{walk.user}"]


# --- dialogue defects of issue 13 ("Trust") ---------------------------------------------------


def reported(walk, text="清溪路18号门口有个井盖松了 车压上去咣咣响"):
    walk.say(text)
    walk.press("跳过")
    return number_in(walk.press("确认提交"))


def move(app, number, *steps):
    case = case_of(app, number)
    worker = cases.staff_actor(app.civic.services.district, case.assignee_id)
    for action, note in steps:
        with app.civic.uow() as uow:
            commands.handle(uow, app.civic.services, commands.named(
                action, number=number, actor=worker, now=WEDNESDAY_TEN + dt.timedelta(hours=1), note=note))


def in_form(walk):
    tracker = run(walk.app.agent.tracker_store.retrieve(walk.user))
    return tracker.active_loop_name


def test_a_case_number_typed_alone_shows_ones_own_case_and_nobody_elses(walk):
    from actions import texts
    number = reported(walk)
    out = walk.say(number)
    assert f"工单 {number}（" in out and texts.WHAT_TO_DO not in out
    other = Walk(walk.app)
    other.say("你好")
    for typed in (number, "20261127-9999"):  # someone else's, a made-up one
        other.buttons = []
        out = other.say(typed)
        assert texts.CASE_NOT_FOUND.format(number=typed) in out and f"工单 {typed}（" not in out
        assert "清溪路" not in out and not other.buttons


def test_a_case_number_typed_without_its_dash_shows_the_case(walk):
    from actions import texts
    number = reported(walk)
    out = walk.say(number.replace("-", ""))  # 202611270001: a phone keyboard has no dash at hand
    assert f"工单 {number}（" in out and texts.WHAT_TO_DO not in out
    other = Walk(walk.app)
    other.say("你好")
    other.buttons = []
    out = other.say(number.replace("-", " "))
    assert texts.CASE_NOT_FOUND.format(number=number) in out and "清溪路" not in out


@pytest.mark.parametrize("whose", ["own-open", "someone-elses"])
def test_a_case_that_cannot_be_rated_is_refused_with_no_question(walk, whose):
    from actions import texts
    if whose == "own-open":
        number, rater = reported(walk), walk
        said = texts.CANNOT_RATE_YET.format(number=number)
    else:
        number, rater = reported(walk), Walk(walk.app)
        move(walk.app, number, ("sign", ""), ("resolve", "已修好"))  # rateable by its reporter only
        rater.say("你好")
        said = texts.NOT_YOUR_REPORT.format(number=number)
    rater.buttons = []
    out = rater.say(f"评价工单{number}")
    assert out == said and not rater.buttons and in_form(rater) is None
    rater.say("解决了")
    assert case_of(walk.app, number).state.value == ("resolved" if whose == "someone-elses" else "dispatched")


def texts_of(table):
    from actions import texts
    return getattr(texts, table).values()


@pytest.mark.parametrize("label", sorted({*texts_of("MODE_BUTTONS"), *texts_of("MODES")}))
def test_typing_an_offered_mode_label_answers_the_mode_question(walk, label):
    from actions import texts
    walk.say("我想预约人民调解")
    walk.say("楼上漏水泡了我家天花板 赔偿谈不拢")
    walk.say("502室王先生")
    walk.press("跳过")  # the other party's phone
    walk.press(walk.buttons[0].title)  # the first mediator offered
    assert texts.ASK_MODE in walk.said[-1]
    out = walk.say(label)
    assert texts.MEDIATION_START not in out and "请选一个时间" in out
    walk.press(walk.buttons[0].title)  # the first free slot
    out = walk.press("确认")
    assert "预约成功" in out
    from civic.services import mediation
    with walk.app.civic.reader() as uow:
        booking, = mediation.bookings_for(uow, actor=Actor.resident(walk.user))
    assert booking.dispute == "楼上漏水泡了我家天花板 赔偿谈不拢"
    assert texts.MODES[booking.mode] == label or texts.MODE_BUTTONS[booking.mode] == label


def test_a_detail_to_someone_elses_case_is_refused_before_any_question(walk):
    from actions import texts
    number = reported(walk)
    other = Walk(walk.app)
    other.say("你好")
    out = other.say(f"给工单{number}补充一下情况")
    assert out == texts.NOT_YOUR_REPORT.format(number=number) and in_form(other) is None
    other.say("井盖旁边还有个坑")
    assert "detail" not in [h.action for h in case_of(walk.app, number).history]


# --- addresses outside the gazetteer (NLU issue, "Addresses") ----------------------------------


@pytest.mark.parametrize("said, place", [
    ("学校附近的路灯坏了好几天了 晚上黑漆漆的", "学校附近"),
    ("二号楼一单元楼道灯坏了一个星期了", "2号楼1单元"),
], ids=["landmark", "house-number"])
def test_a_place_outside_the_gazetteer_goes_to_triage_without_asking_where_again(walk, said, place):
    from actions import texts
    out = walk.say(said)
    assert texts.PLACE_TO_TRIAGE.format(place=place) in out and "问题发生在哪里" not in out
    walk.press("跳过")
    out = walk.press("确认提交")
    case = case_of(walk.app, number_in(out))
    assert case.grid_id is None and case.address == place


# --- answers typed, not only pressed -----------------------------------------------------------


@pytest.mark.parametrize("solved,satisfaction", [("没解决", "不满意"), ("解决了", "满意")])
def test_the_resolved_notice_is_answered_by_typing(walk, solved, satisfaction):
    from actions import texts
    number = reported(walk)
    move(walk.app, number, ("sign", ""), ("resolve", "已修好"))
    assert "已修好" in walk.notices()
    out = walk.say(solved)
    assert texts.ASK_SATISFACTION in out and texts.WHAT_TO_DO not in out
    out = walk.say(satisfaction)
    if solved == "没解决":
        assert texts.ASK_RATE_REASON.split("，")[0] in out
        out = walk.say("井盖还是松的")
        assert "已重新办理" in out and case_of(walk.app, number).state.value != "resolved"
    else:
        assert "谢谢" in out and case_of(walk.app, number).state.value == "closed"


def test_a_report_whose_phone_and_confirmation_are_typed(walk):
    walk.say("清溪路18号门口有个井盖松了 车压上去咣咣响")
    out = walk.say("不用了")
    assert "请核对" in out and "不留" in out
    out = walk.say("确认")
    assert "已受理" in out


def test_a_report_typed_in_pinyin_is_filed_where_the_resident_said(walk):
    # A phone on the latin keyboard: the place, the problem and the answers in pinyin.
    out = walk.say("wangjiang huayuan 3 dong loudao deng huaile")
    assert "问题发生在哪里" not in out
    out = walk.say("bu liu le")
    assert "请核对" in out and "望江花园3栋" in out
    number = number_in(walk.say("queren"))
    case = case_of(walk.app, number)
    assert (case.grid_id, case.address, case.category) == ("WJ-01", "望江花园3栋", "repair")


def test_a_mediation_booking_by_typing_the_offered_answers(walk):
    walk.say("我想预约人民调解")
    walk.say("楼上漏水泡了我家天花板 赔偿谈不拢")
    walk.say("502室王先生")
    walk.say("不留了")  # the other party's phone
    walk.say("哪个都行")  # the mediator
    walk.say("到调解室")
    out = walk.say(walk.buttons[0].title)  # the first free slot's label, typed
    assert "请核对预约" in out
    out = walk.say("确认预约")
    assert "预约成功" in out


def test_a_case_is_withdrawn_by_typing_the_labels(walk):
    number = reported(walk)
    walk.say("我的工单")
    walk.say(number)
    walk.say("撤回")
    out = walk.say("确认撤回")
    assert "已撤回" in out and case_of(walk.app, number).state.value == "withdrawn"


LETTERS_ASKING_FOR_SPEED = [
    "望江花园5号楼的电梯坏了三天了，老人上下楼太难了，麻烦你们尽快处理，催一下",
    "我们小区门口的路灯一直不亮，晚上走路很危险，请尽快派人来修，拜托催催",
]


@pytest.mark.parametrize("letter", LETTERS_ASKING_FOR_SPEED)
def test_a_first_letter_that_asks_for_speed_is_filed_not_lost(walk, letter):
    out = walk.say(letter)
    assert "帮不上忙" not in out
    assert "没有可以催办的工单。" not in out  # the bare answer that lost the report
    for _ in range(6):  # answer whatever the report still needs, then confirm
        titles = [b.title for b in walk.buttons]
        if "确认提交" in titles:
            break
        if "在哪里" in out:
            out = walk.say("望江花园5号楼")
        elif "跳过" in titles:
            out = walk.press("跳过")
        elif "设施报修" in titles:  # which kind, when the model was not sure
            out = walk.press("设施报修")
        else:
            raise AssertionError(f"the report stalled at: {out!r} {titles}")
    filed = walk.press("确认提交")
    case = case_of(walk.app, number_in(filed))
    assert case.description.startswith(letter[:8])
