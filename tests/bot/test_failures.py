"""No silent failure: whatever fails in a turn (a custom action, a service, the agent, the
store) answers the resident, files what they sent for staff and logs the traceback
masked; when even the filing fails, the reply says so to the channel."""
import asyncio
import json

import pytest

from actions import texts
from bot.agent import ActionServer, InProcessActions
from bot.app import build_application, fixed_clock
from bot.failures import ACTION_FAILED, failed_action_response
from bot.turn import BUTTON, LOCATION, TEXT, Incoming
from civic.domain.actors import Actor
from civic.services import handoff
from turn_support import WEDNESDAY_TEN, run

PHONE, MASKED = "13912345678", "139****5678"
SAID = f"我的电话{PHONE}，3-2-501室楼道灯坏了"


class Boom(Exception):
    pass


def say(app, text, user="r-1"):
    return run(app.turn.handle(Incoming(user, TEXT, text=text)))


def kept_for_staff(app, user="r-1"):
    """What the resident's open handoff keeps, as staff read it."""
    with app.civic.reader() as uow:
        current = uow.handoffs.open_for(user)
        return current and [(sender, text) for _, sender, text in uow.handoffs.messages(current.id)]


def logged_masked(caplog):
    return "Traceback" in caplog.text and MASKED in caplog.text and PHONE not in caplog.text


def test_an_agent_that_raises_answers_files_what_was_said_and_logs_it_masked(app, agent, caplog,
                                                                           monkeypatch):
    async def broken(message):
        raise Boom(f"could not store {message.text}")  # as a database error quotes values

    monkeypatch.setattr(agent, "handle_message", broken)
    replies = say(app, SAID)
    assert len(replies) == 1 and replies[0].text.startswith(texts.SYSTEM_FAILED)
    assert "结束人工" in replies[0].text  # from now on staff read the messages: said once
    assert not replies[0].unfiled
    assert kept_for_staff(app) == [("resident", SAID)]  # the phone kept: staff call back
    assert logged_masked(caplog) and "Boom" in caplog.text


def test_a_service_the_turn_calls_that_raises_is_answered_the_same(app, agent, caplog, monkeypatch):
    def broken(uow, *, actor):
        raise Boom(f"no handoff table for {actor.id} {PHONE}")

    monkeypatch.setattr(handoff, "is_handed_off", broken)
    replies = say(app, SAID)
    assert replies[0].text.startswith(texts.SYSTEM_FAILED) and agent.received == []
    assert kept_for_staff(app) == [("resident", SAID)]
    assert logged_masked(caplog)


def test_a_custom_action_that_failed_is_answered_instead_of_what_the_dialogue_said_next(app, agent, caplog):
    agent.replies = [{"custom": {ACTION_FAILED: "action_submit_report"}},
                     {"text": "请问问题发生在哪里？"}]
    replies = say(app, SAID)
    assert [r.text.split("\n")[0] for r in replies] == [texts.SYSTEM_FAILED]
    assert kept_for_staff(app) == [("resident", SAID)]
    assert "action_submit_report" in caplog.text and PHONE not in caplog.text


def test_when_filing_fails_too_the_reply_says_unfiled_and_the_log_keeps_it_masked(app, agent, caplog,
                                                                                  monkeypatch):
    async def broken(message):
        raise Boom(f"store gone ({PHONE})")

    def no_handoff(*args, **kwargs):
        raise Boom("store gone")

    monkeypatch.setattr(agent, "handle_message", broken)
    monkeypatch.setattr(handoff, "request_handoff", no_handoff)
    replies = say(app, SAID)
    assert [(r.text, r.unfiled) for r in replies] == [(texts.SYSTEM_FAILED, True)]
    assert logged_masked(caplog)
    assert "楼道灯坏了" in caplog.text and "***室" in caplog.text  # the log is the record, masked


def test_out_of_hours_a_failing_case_does_not_stop_the_handoff(store, agent, monkeypatch, caplog):
    """Out of office hours a handoff with a summary opens a case: when that is what fails,
    the handoff goes without one and still keeps the words."""
    import datetime as dt

    from civic.services import cases

    night = dt.datetime(2026, 11, 18, 23, 0, tzinfo=WEDNESDAY_TEN.tzinfo)
    app = build_application(civic=store, agent=agent, clock=fixed_clock(night))

    def broken(*args, **kwargs):
        raise Boom("cases table locked")

    monkeypatch.setattr(agent, "handle_message", broken)
    monkeypatch.setattr(cases, "_file", broken)
    replies = say(app, "小区门口的路灯坏了")
    assert replies[0].text.startswith(texts.SYSTEM_FAILED) and not replies[0].unfiled
    assert kept_for_staff(app) == [("resident", "小区门口的路灯坏了")]


def test_a_press_or_a_location_is_filed_as_what_it_was(app, agent, monkeypatch):
    def broken(*args, **kwargs):
        raise Boom("down")

    monkeypatch.setattr("bot.turn.grid_at", broken)
    replies = run(app.turn.handle(Incoming("r-7", LOCATION, location=(30.5935, 114.2918), what="location")))
    assert replies[0].text.startswith(texts.SYSTEM_FAILED)
    assert kept_for_staff(app, "r-7") == [("resident", "[位置] 30.59350, 114.29180")]
    agent.replies = [{"text": "选一个", "buttons": [{"title": "确认", "payload": "/affirm"}]}]
    monkeypatch.undo()
    (button,) = run(app.turn.handle(Incoming("r-8", TEXT, text="你好")))[0].buttons
    monkeypatch.setattr(agent, "handle_message", broken)
    replies = run(app.turn.handle(Incoming("r-8", BUTTON, data=button.data)))
    assert replies[0].text.startswith(texts.SYSTEM_FAILED)
    assert kept_for_staff(app, "r-8") == [("resident", texts.SENT_FOR_STAFF["button"])]


def test_a_handed_off_residents_message_replayed_after_a_crash_is_kept_once(app, agent):
    with app.civic.uow() as uow:
        handoff.request_handoff(uow, app.civic.services, actor=Actor.resident("r-1"), reason="asked",
                                summary="想问问", now=WEDNESDAY_TEN)
    for _ in range(2):  # the same Telegram update, handled again after a kill
        run(app.turn.handle(Incoming("r-1", TEXT, text="灯还没修好", key="update-77")))
    run(app.turn.handle(Incoming("r-1", TEXT, text="灯还没修好", key="update-78")))  # said again: kept
    assert kept_for_staff(app) == [("resident", "灯还没修好"), ("resident", "灯还没修好")]


def test_a_resident_already_handed_off_is_not_acknowledged_twice(app, agent, monkeypatch):
    with app.civic.uow() as uow:
        handoff.request_handoff(uow, app.civic.services, actor=Actor.resident("r-1"), reason="asked",
                                summary="想问问", now=WEDNESDAY_TEN)
    say(app, "第一条")  # acknowledged
    original, calls = handoff.relay_from_resident, []

    def relay_once_broken(uow, *, actor, text, now, **kept):
        calls.append(text)
        if len(calls) == 1:
            raise Boom("relay failed")
        return original(uow, actor=actor, text=text, now=now, **kept)

    monkeypatch.setattr(handoff, "relay_from_resident", relay_once_broken)
    replies = say(app, "第二条")
    assert [r.text for r in replies] == [texts.SYSTEM_FAILED]
    assert kept_for_staff(app)[-1] == ("resident", "第二条")


# --- the action endpoints -------------------------------------------------------------


def test_an_action_that_raises_in_process_answers_with_the_failure_marker(caplog, monkeypatch):
    endpoint = InProcessActions()

    def boom(dispatcher, tracker, domain):
        raise Boom(f"could not file {tracker.latest_message.get('text')}")

    monkeypatch.setitem(endpoint.executor.actions, "action_boom", boom)
    call = {"next_action": "action_boom", "sender_id": "r-1",
            "tracker": {"sender_id": "r-1", "slots": {}, "latest_message": {"text": SAID},
                        "events": [], "paused": False, "followup_action": None,
                        "active_loop": {}, "latest_action_name": None}}
    response = run(endpoint.request(json=call, method="post"))
    assert response == failed_action_response("action_boom")
    from rasa.core.actions.action import RemoteAction
    assert RemoteAction("action_boom", endpoint)._validate_action_result(response)
    assert logged_masked(caplog) and "action_boom" in caplog.text

    unknown = run(endpoint.request(json={**call, "next_action": "action_nobody"}, method="post"))
    assert unknown == failed_action_response("action_nobody")


def test_a_separate_action_server_that_fails_answers_the_same(caplog, monkeypatch):
    from rasa.utils.endpoints import ClientResponseError, EndpointConfig

    statuses = iter([500, 400])

    async def answered(self, *args, **kwargs):
        status = next(statuses)
        raise ClientResponseError(status, "", json.dumps({"action_name": "action_x", "error": "no"}))

    monkeypatch.setattr(EndpointConfig, "request", answered)
    server = ActionServer(url="http://actions.invalid/webhook")
    call = {"next_action": "action_x", "sender_id": "r-1"}
    assert run(server.request(json=call)) == failed_action_response("action_x")
    with pytest.raises(ClientResponseError):  # a form's rejection stays Rasa's to handle
        run(server.request(json=call))

    async def no_answer(self, *args, **kwargs):
        raise asyncio.TimeoutError()

    monkeypatch.setattr(EndpointConfig, "request", no_answer)
    assert run(server.request(json=call)) == failed_action_response("action_x")


# --- the real dialogue ------------------------------------------------------------------


def test_a_real_custom_action_that_raises_is_answered_and_filed(real_app, rasa_agent, caplog, monkeypatch):
    def boom(dispatcher, tracker, domain):
        raise Boom(f"welcome failed for {tracker.sender_id} {PHONE}")

    monkeypatch.setitem(rasa_agent.action_endpoint.executor.actions, "action_welcome", boom)
    replies = run(real_app.turn.handle(Incoming("r-fail-1", TEXT, text="/help")))
    assert len(replies) == 1 and replies[0].text.startswith(texts.SYSTEM_FAILED)
    assert kept_for_staff(real_app, "r-fail-1") == [("resident", "/help")]
    assert logged_masked(caplog) and "action_welcome" in caplog.text
    monkeypatch.undo()
    # Handed to a person now: the next message goes to staff, not to the broken action.
    assert run(real_app.turn.handle(Incoming("r-fail-1", TEXT, text="有人吗"))) == []
    assert kept_for_staff(real_app, "r-fail-1")[-1] == ("resident", "有人吗")


# --- the console's own failures ------------------------------------------------------------


def test_the_console_answers_a_line_it_failed_on_and_reads_the_next(app, agent, caplog, monkeypatch):
    import io

    from bot.console import Console

    handle, calls = app.turn.handle, []

    async def first_one_breaks(incoming):
        calls.append(incoming.text)
        if len(calls) == 1:
            raise Boom(f"console broke on {incoming.text}")
        return await handle(incoming)

    async def no_deliveries(user_id):
        raise Boom("outbox locked")

    monkeypatch.setattr(app.turn, "handle", first_one_breaks)
    monkeypatch.setattr(app, "deliver_to", no_deliveries)
    out = io.StringIO()
    run(Console(app, "r-1", out=out).run(io.StringIO(f"{SAID}\n你好\n")))
    printed = out.getvalue().splitlines()
    assert printed[0] == f"bot> {texts.TURN_FAILED}" and printed[1] == "bot> 请选一个："
    assert agent.texts == ["你好"]
    assert logged_masked(caplog) and "outbox locked" in caplog.text
