"""The scheduler's jobs as the people they reach notice them, with the clock set by the
test: who is reminded of what and when, once; escalation and auto-close; the weekly
report to the command centre; the heartbeat in the log."""
from __future__ import annotations

import asyncio
import json
import logging
import threading
import types

import pytest
from sqlalchemy import select

from actions import texts
from bot import jobs
from bot.notices import Renderer
from civic.adapters.tables import outbox
from civic.bootstrap import Civic
from civic.domain import events as ev
from civic.domain.actors import Actor
from civic.services import mediation, reminders
from scheduler_support import Clock, Inboxes, move, report, shanghai


@pytest.fixture
def run_job(caplog):
    """Run a job once, as the scheduler does, and fail the test if it logged a failure."""
    caplog.set_level(logging.INFO, logger="bot.jobs")

    def run(name: str) -> None:
        before = len(caplog.records)
        asyncio.run(getattr(jobs, name)())
        failures = [r.getMessage() for r in caplog.records[before:] if r.levelno >= logging.ERROR]
        assert failures == []
    return run


def only(messages: dict, recipient: str) -> str:
    assert list(messages) == [recipient], messages
    [text] = messages[recipient]
    return text


def test_the_assignee_is_reminded_once_before_the_sign_for_deadline_and_an_overdue_case_goes_up(
        app, clock, inboxes, run_job):
    case = report(app, "r-1", "environment", "望江花园3号楼门口的垃圾堆了好几天", "望江花园3号楼")
    assert case.assignee_id == "gw-wj-01" and case.sign_due == shanghai(2026, 11, 18, 12, 0)
    inboxes.new()  # the new case's card and the informed staff's

    clock.at = shanghai(2026, 11, 18, 11, 0)  # an hour left: not yet a quarter of the two hours
    run_job("deadlines")
    assert inboxes.texts() == {}

    clock.at = shanghai(2026, 11, 18, 11, 31)
    run_job("deadlines")
    text = only(inboxes.texts(), "staff:gw-wj-01")
    assert text.startswith(f"【催办提醒 工单 {case.number}】环境卫生｜望江社区第一网格")
    assert "请在今天12:00前签收。超时未签收将自动升级督办。" in text

    clock.at = shanghai(2026, 11, 18, 11, 50)  # a second run, as after a restart: nothing again
    run_job("deadlines")
    assert inboxes.texts() == {}

    clock.at = shanghai(2026, 11, 18, 12, 1)  # passed: one level up, to the grid leader
    run_job("deadlines")
    text = only(inboxes.texts(), "staff:gl-wangjiang")
    assert f"【升级督办 工单 {case.number}】" in text and "超时未签收" in text

    clock.at = shanghai(2026, 11, 19, 8, 31)  # the contact deadline (Thursday 10:00): the leader now
    run_job("deadlines")
    text = only(inboxes.texts(), "staff:gl-wangjiang")
    assert f"【催办提醒 工单 {case.number}】" in text and "请在今天10:00前联系居民。" in text


def test_an_ordinary_case_dispatched_late_is_reminded_when_the_office_opens(app, clock, inboxes, run_job):
    clock.at = shanghai(2026, 11, 18, 17, 0)  # half an hour before closing: signed for by 10:00 tomorrow
    case = report(app, "r-1", "noise", "望江花园3号楼楼下每天晚上跳广场舞很吵", "望江花园3号楼")
    assert case.sign_due == shanghai(2026, 11, 19, 10, 0)
    inboxes.new()
    clock.at = shanghai(2026, 11, 19, 6, 0)  # a quarter of the window is left, but the office is closed
    run_job("deadlines")
    assert inboxes.texts() == {}
    clock.at = shanghai(2026, 11, 19, 8, 31)
    run_job("deadlines")
    assert "请在今天10:00前签收。" in only(inboxes.texts(), "staff:gw-wj-01")


def test_an_urgent_case_out_of_office_hours_is_reminded_to_the_responder_on_duty(app, clock, inboxes, run_job):
    clock.at = shanghai(2026, 11, 18, 17, 0)  # Wednesday, still in office hours
    case = report(app, "r-1", "elderly_care", "我家老人走失了，到处都找不到", "望江花园3号楼")
    assert case.tier == "urgent" and case.assignee_id == "sw-north"
    inboxes.new()

    clock.at = shanghai(2026, 11, 18, 17, 23)  # 7 minutes before the sign-for deadline, in office hours
    run_job("deadlines")
    assert "请在今天17:30前签收。" in only(inboxes.texts(), "staff:sw-north")
    move(app, case.number, "sw-north", "sign")
    inboxes.new()

    clock.at = shanghai(2026, 11, 18, 17, 46)  # the office is closed: Wednesday's responder on duty
    run_job("deadlines")
    text = only(inboxes.texts(), "staff:rs-tang")
    assert text.startswith(f"【值班提醒 工单 {case.number}】养老助老｜望江社区第一网格｜紧急")
    assert "承办的社工尚未联系居民，期限今天18:00。现在是非工作时间，请您跟进处理。" in text

    move(app, case.number, "sw-north", "contact", note="已电话联系家属")
    inboxes.new()
    clock.at = shanghai(2026, 11, 18, 18, 31)  # resolve by 19:00: the responder again, once
    run_job("deadlines")
    run_job("deadlines")
    assert "承办的社工尚未办结，期限今天19:00" in only(inboxes.texts(), "staff:rs-tang")


def test_mediation_reminders_reach_resident_and_mediator_the_day_before_and_the_hour_before_once(
        app, clock, inboxes, run_job):
    clock.at = shanghai(2026, 11, 17, 10, 0)  # booked on Tuesday for Thursday 09:30
    with app.civic.uow() as uow:
        booking = mediation.book(uow, app.civic.services, actor=Actor.resident("r-1"), mediator_id="md-shen",
                                 mode="in_person", starts_at=shanghai(2026, 11, 19, 9, 30),
                                 dispute="楼上漏水到我家", other_party_name="李四", now=clock.at)
    inboxes.new()

    clock.at = shanghai(2026, 11, 18, 9, 0)
    run_job("mediation_reminders")
    assert inboxes.texts() == {}

    clock.at = shanghai(2026, 11, 18, 9, 31)
    run_job("mediation_reminders")
    run_job("mediation_reminders")
    said = inboxes.texts()
    assert sorted(said) == ["resident:r-1", "staff:md-shen"]
    assert said["resident:r-1"] == ["【调解提醒】您预约的人民调解明天09:30开始，到调解室，调解一室。"
                                    "请准时参加；要改时间或取消，发“我的预约”。"]
    [mediator] = said["staff:md-shen"]
    assert mediator.startswith(f"【调解提醒 预约 {booking.id}】明天09:30，到调解室，调解一室。纠纷：楼上漏水到我家")

    clock.at = shanghai(2026, 11, 19, 8, 31)
    run_job("mediation_reminders")
    clock.at = shanghai(2026, 11, 19, 8, 45)
    run_job("mediation_reminders")
    said = inboxes.texts()
    assert sorted(said) == ["resident:r-1", "staff:md-shen"]
    assert said["resident:r-1"] == ["【调解提醒】您预约的人民调解一小时后开始（今天09:30，到调解室，调解一室）。"
                                    "请准时参加；来不了请发“我的预约”取消。"]
    assert said["staff:md-shen"][0].endswith("\n一小时后开始。")


def test_a_booking_made_the_day_before_gets_only_the_hour_reminder(app, clock, inboxes, run_job):
    clock.at = shanghai(2026, 11, 18, 15, 0)
    with app.civic.uow() as uow:
        mediation.book(uow, app.civic.services, actor=Actor.resident("r-2"), mediator_id=None, mode="online",
                       starts_at=shanghai(2026, 11, 19, 9, 30), dispute="房东不退押金",
                       other_party_name="王五", now=clock.at)
    inboxes.new()
    clock.at = shanghai(2026, 11, 18, 16, 0)
    run_job("mediation_reminders")
    assert inboxes.texts() == {}
    clock.at = shanghai(2026, 11, 19, 8, 40)
    run_job("mediation_reminders")
    said = inboxes.texts()
    assert said["resident:r-2"][0].startswith("【调解提醒】您预约的人民调解一小时后开始（今天09:30，线上视频）")


def test_the_reporter_is_asked_to_rate_once_a_day_after_resolution_and_the_case_closes_after_seven_days(
        app, clock, inboxes, run_job):
    case = report(app, "r-1", "repair", "望江花园3号楼楼道灯坏了", "望江花园3号楼")
    move(app, case.number, case.assignee_id, "sign")
    clock.at = shanghai(2026, 11, 18, 10, 30)
    move(app, case.number, case.assignee_id, "resolve", note="已更换灯泡")
    resolved = inboxes.new()["resident:r-1"][-1]  # the resolved notice, with the two buttons

    clock.at = shanghai(2026, 11, 19, 10, 0)
    run_job("rating_reminder")
    assert inboxes.texts() == {}

    clock.at = shanghai(2026, 11, 19, 10, 31)
    run_job("rating_reminder")
    [reminder] = inboxes.new()["resident:r-1"]
    assert reminder.text == (f"【工单 {case.number}】已办结一天了，还没收到您的评价。问题解决了吗？"
                             "请点下面的按钮回答；办结7天未评价，工单会自动关闭。")
    assert [b["title"] for b in reminder.buttons] == ["解决了", "没解决"]
    assert reminder.buttons == resolved.buttons

    clock.at = shanghai(2026, 11, 20, 10, 31)
    run_job("rating_reminder")
    assert inboxes.texts() == {}

    clock.at = shanghai(2026, 11, 25, 10, 31)  # 7 days: closed unrated, and no more reminders
    run_job("deadlines")
    run_job("rating_reminder")
    assert inboxes.texts() == {"resident:r-1": [f"【工单 {case.number}】" + texts.CLOSED_UNRATED_NOTICE]}
    with app.civic.reader() as uow:
        assert uow.cases.get(case.number).state.value == "closed"


def test_the_weekly_rates_go_to_the_command_centre_once_with_the_payload_the_chart_reads(
        app, clock, inboxes, run_job):
    # The week before the last (9-15 November): one case, never signed for.
    clock.at = shanghai(2026, 11, 10, 10, 0)
    report(app, "r-1", "environment", "清溪路18号门口垃圾没人清", "清溪路18号")
    # The last full week (16-22 November): one case handled in time and rated content.
    clock.at = shanghai(2026, 11, 18, 10, 0)
    case = report(app, "r-2", "environment", "望江花园3号楼门口的垃圾堆了好几天", "望江花园3号楼")
    clock.at = shanghai(2026, 11, 18, 10, 30)
    for action, note in (("sign", ""), ("contact", "已电话联系"), ("resolve", "已清运")):
        move(app, case.number, "gw-wj-01", action, note=note)
    move(app, case.number, None, "rate", actor=Actor.resident("r-2"), solved=True, satisfaction="satisfied")
    inboxes.new()

    clock.at = shanghai(2026, 11, 23, 9, 0)  # Monday 09:00
    run_job("weekly_rates")
    run_job("weekly_rates")  # once a week, however often it runs
    said = inboxes.texts()
    assert list(said) == ["centre:desk"] and len(said["centre:desk"]) == 1
    lines = said["centre:desk"][0].splitlines()
    assert lines[0] == "【每周三率】11月16日—11月22日，括号内为前一周（11月9日—11月15日）："
    assert lines[1] == "全街道：派单 1（1）件，响应率 100%（0%），解决率 100%（—），满意率 100%（—）"
    assert "望江社区第一网格：派单 1（0）件，响应率 100%（—），解决率 100%（—），满意率 100%（—）" in lines
    assert lines[-1] == "下周一同一时间发下一期。"

    with app.civic.reader() as uow:
        [payload] = [json.loads(p) for p in uow.connection.execute(
            select(outbox.c.payload).where(outbox.c.name == ev.WEEKLY_RATES)).scalars()]
    assert set(payload) == {"week_start", "previous_start", "street", "grids"}
    assert (payload["week_start"], payload["previous_start"]) == ("2026-11-16", "2026-11-09")
    rates = {"dispatched", "responded", "rated", "solved", "satisfied", "response", "resolution", "satisfaction"}
    assert payload["street"] == {
        "this": {"dispatched": 1, "responded": 1, "rated": 1, "solved": 1, "satisfied": 1,
                 "response": 1.0, "resolution": 1.0, "satisfaction": 1.0},
        "last": {"dispatched": 1, "responded": 0, "rated": 0, "solved": 0, "satisfied": 0,
                 "response": 0.0, "resolution": None, "satisfaction": None}}
    district = app.civic.services.district
    assert [g["id"] for g in payload["grids"]] == list(district.grids)
    for grid in payload["grids"]:
        assert set(grid) == {"id", "name", "this", "last"} and grid["name"] == district.grids[grid["id"]].name
        assert set(grid["this"]) == rates and set(grid["last"]) == rates
        assert all(isinstance(grid["this"][k], int) for k in ("dispatched", "responded", "rated"))
    [wj] = [g for g in payload["grids"] if g["id"] == "WJ-01"]
    assert wj["this"]["dispatched"] == 1 and wj["last"]["dispatched"] == 0 and wj["last"]["response"] is None


def test_the_heartbeat_warns_when_a_due_delivery_waits_more_than_five_minutes(app, clock, caplog, run_job):
    report(app, "r-1", "environment", "望江花园3号楼门口的垃圾堆了好几天", "望江花园3号楼")  # cards to send
    clock.at = shanghai(2026, 11, 18, 10, 2)
    run_job("heartbeat")
    assert [r for r in caplog.records if r.levelno == logging.WARNING] == []
    beat = [r.getMessage() for r in caplog.records if r.getMessage().startswith("dispatcher:")]
    assert beat and "pending (" in beat[-1] and "oldest due waiting 120 s" in beat[-1]

    clock.at = shanghai(2026, 11, 18, 10, 10)  # nobody sent them: the dispatcher is stuck
    run_job("heartbeat")
    [warning] = [r.getMessage() for r in caplog.records if r.levelno == logging.WARNING]
    assert "has waited 10 minutes" in warning
    assert "垃圾" not in caplog.text and "r-1" not in caplog.text  # counts only, nobody's words



def test_two_schedulers_running_the_reminders_at_once_on_postgresql_send_each_once(postgres, civic_services):
    """A leader handing over may overlap its successor by a run: each reminder still goes once."""
    _, _, engine, _, _ = postgres
    stores = [Civic(engine=engine(), services=civic_services) for _ in range(2)]
    app = types.SimpleNamespace(civic=stores[0], clock=Clock(shanghai(2026, 11, 18, 10, 0)),
                                renderer=Renderer(civic_services.district))
    numbers = [report(app, f"r-{i}", "environment", f"望江花园{i}号楼门口的垃圾堆了好几天", f"望江花园{i}号楼").number
               for i in range(1, 6)]
    inboxes = Inboxes(app)
    inboxes.new()  # the cards of the new cases
    app.clock.at = shanghai(2026, 11, 18, 11, 31)
    start, counts = threading.Barrier(2), []

    def run(store):
        start.wait()
        with store.uow() as uow:
            counts.append(reminders.deadline_reminders(uow, civic_services, app.clock()))

    threads = [threading.Thread(target=run, args=(store,)) for store in stores]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(30)
    assert sum(counts) == 5
    said = inboxes.texts()
    assert list(said) == ["staff:gw-wj-01"]
    assert sorted(text.split("】")[0] for text in said["staff:gw-wj-01"]) == [f"【催办提醒 工单 {n}" for n in numbers]


def test_in_the_console_a_reminder_is_printed_as_a_notice_with_its_buttons(app, clock, run_job):
    import io

    from bot.console import Console

    case = report(app, "console", "repair", "望江花园3号楼楼道灯坏了", "望江花园3号楼")
    move(app, case.number, case.assignee_id, "sign")
    move(app, case.number, case.assignee_id, "resolve", note="已更换灯泡")
    out = io.StringIO()
    console = Console(app, "console", out=out)
    asyncio.run(console.deliver())  # signed, resolved: shown as the console shows notices
    out.seek(0), out.truncate()

    clock.at = shanghai(2026, 11, 19, 10, 5)
    run_job("rating_reminder")
    asyncio.run(console.deliver())
    assert out.getvalue() == (f"bot> 【工单 {case.number}】已办结一天了，还没收到您的评价。问题解决了吗？"
                              "请点下面的按钮回答；办结7天未评价，工单会自动关闭。\n"
                              "  [1] 解决了\n  [2] 没解决\n")


def test_the_heartbeat_does_not_warn_of_recipients_held_back_on_purpose(app, clock, caplog, run_job):
    from bot.dispatcher import Dispatcher
    from bot.senders import FakeSender, RetryLater

    for building in (3, 5):  # two cards for the grid worker, queued one behind the other
        report(app, "r-1", "environment", f"望江花园{building}号楼门口的垃圾堆了好几天", f"望江花园{building}号楼")
    held = FakeSender()
    held.fail_always(RetryLater(900, "not linked yet"))  # as the Telegram sender does for unlinked staff
    asyncio.run(Dispatcher(app.civic, app.renderer, held).dispatch_once(clock()))
    clock.at = shanghai(2026, 11, 18, 10, 10)  # ten minutes on, within their 15 minutes of waiting
    run_job("heartbeat")
    assert [r for r in caplog.records if r.levelno == logging.WARNING] == []
    assert any("(0 due" in r.getMessage() for r in caplog.records)


def test_a_reminder_overtaken_before_it_goes_out_is_not_sent(app, clock, inboxes, run_job):
    """The reporter rated, or the assignee signed, between the job and the dispatcher: the
    reminder would ask for what is done, so it goes nowhere (and is not retried)."""
    case = report(app, "r-2", "repair", "望江花园5号楼门禁坏了", "望江花园5号楼")
    inboxes.new()
    clock.at = case.sign_due - __import__("datetime").timedelta(minutes=5)  # within the last quarter
    run_job("deadlines")
    move(app, case.number, case.assignee_id, "sign")  # before the reminder went out
    assert not any("催办提醒" in t for texts_ in inboxes.texts().values() for t in texts_)

    move(app, case.number, case.assignee_id, "resolve", note="已修好")
    inboxes.new()
    clock.at = clock.at + __import__("datetime").timedelta(hours=24, minutes=5)
    run_job("rating_reminder")
    with app.civic.uow() as uow:
        from civic.domain import commands as c
        from civic.services.commands import handle
        handle(uow, app.civic.services, c.Rate(case.number, Actor.resident("r-2"), clock.at, solved=True,
                                              satisfaction="satisfied"))
    sent = inboxes.texts().get("resident:r-2", [])
    assert not any("还没收到您的评价" in t for t in sent)
