"""Every flow a resident can take, through the turn with the real dialogue: every button
shown fits Telegram's 64 bytes of callback data, and pressing it does what it says."""
from __future__ import annotations

import datetime as dt
import uuid

import pytest

from bot.app import build_application, fixed_clock
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
def app(store, rasa_agent):
    application = build_application(civic=store, agent=rasa_agent, clock=fixed_clock(WEDNESDAY_TEN))
    yield application
    from actions import runtime
    runtime.configure(None)


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
    with app.civic.uow() as uow:
        points.award(uow, app.civic.services, actor=cases.staff_actor(app.civic.services.district, "gw-wj-01"),
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
