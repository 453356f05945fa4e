"""Session start, welcome and help, cancel, pending answers, handoff and not understood;
and that every registered action is one the domain knows."""
import json
from pathlib import Path

import pytest
from rasa_sdk.executor import ActionExecutor

from actions.handoff import ActionHandoff, ActionNotUnderstood
from actions.welcome import (FORM_SLOTS, SAYINGS, ActionAnswerPending, ActionCancel, ActionOutOfScope,
                             ActionSessionStart, ActionWelcome, ActionWhatToDo)
from action_support import (SATURDAY_NIGHT, buttons, ent, make_tracker, my_case_numbers, outbox, pick, profile_of,
                            report, run, slot_events, stored_case, texts, user_event)
from actions.texts import PRIVACY


def registered():
    executor = ActionExecutor()
    executor.register_package("actions")
    return executor.actions


def test_every_registered_action_is_in_the_domain_and_back(domain):
    assert sorted(registered()) == sorted(domain["actions"])
    assert len(registered()) == 53


def test_every_registered_action_has_tests_here():
    """Each action class is used by a test in this folder (the generated plain questions
    of actions/questions.py and the small-talk sayings are each run by one parametrised test)."""
    from actions.questions import ASK_ACTIONS

    source = "".join(path.read_text(encoding="utf-8") for path in Path(__file__).parent.glob("test_*.py"))
    generated = {action().name() for action in ASK_ACTIONS + SAYINGS}
    untested = [name for name, run_method in registered().items()
                if name not in generated and type(run_method.__self__).__name__ + "()" not in source]
    assert untested == []


# --- session start and welcome ------------------------------------------------------------------


def test_the_first_session_welcomes_with_the_privacy_text_and_registers(civic, dispatcher, domain):
    events = run(ActionSessionStart(), dispatcher, make_tracker(""), domain)
    said = texts(dispatcher)
    assert "您好！我是望江街道“全响应”服务助手" in said and PRIVACY in said and "转人工" in said
    assert [e["event"] for e in events] == ["session_started", "slot", "action"]
    assert slot_events(events) == {"welcomed": True}
    assert events[-1]["name"] == "action_listen"
    assert profile_of(civic).consent_at is not None


def test_a_later_session_does_not_welcome_again_and_keeps_what_is_remembered(civic, dispatcher, domain):
    events = run(ActionSessionStart(), dispatcher, make_tracker("", slots={
        "welcomed": True, "handed_off": True, "category": "noise", "pending": "delete_data"}), domain)
    assert dispatcher.messages == []
    assert slot_events(events) == {"welcomed": True, "handed_off": True}
    assert profile_of(civic) is None


EARLIER = [user_event("查积分", "check_points")]


def test_a_greeting_right_after_the_welcome_does_not_repeat_it(civic, dispatcher, domain):
    assert run(ActionWelcome(), dispatcher, make_tracker("你好", "greet"), domain) == []
    assert texts(dispatcher) == "请直接说您要办的事，比如“小区门口乱停车”。"
    assert profile_of(civic).consent_at is not None


def test_greet_later_answers_with_what_the_bot_can_do(civic, dispatcher, domain):
    assert run(ActionWelcome(), dispatcher, make_tracker("你好", "greet", events=EARLIER), domain) == []
    said = texts(dispatcher)
    assert said.startswith("您好！我可以帮您") and PRIVACY not in said and said.endswith("请直接说您要办的事。")


def test_help_adds_the_privacy_text(civic, dispatcher, domain):
    run(ActionWelcome(), dispatcher, make_tracker("帮助", "help", events=EARLIER), domain)
    assert texts(dispatcher).startswith("我可以帮您") and PRIVACY in texts(dispatcher)


@pytest.mark.parametrize("action, said", [
    ("action_goodbye", "再见！有需要随时找我，您反映的事办理有进展时我会告诉您。"),
    ("action_thanks", "不客气！还有别的事可以直接说，办理进展我会及时告诉您。"),
])
def test_small_talk_says_what_the_domain_responses_said(dispatcher, domain, action, said):
    saying = next(kind for kind in SAYINGS if kind().name() == action)
    assert action in domain["actions"] and not domain.get("responses")  # no words in domain.yml
    assert run(saying(), dispatcher, make_tracker("再见", "goodbye"), domain) == []
    assert texts(dispatcher) == said and dispatcher.messages[0].get("buttons") == []


def test_a_bare_answer_asks_what_to_do(civic, dispatcher, domain):
    assert "action_what_to_do" in domain["actions"]
    assert run(ActionWhatToDo(), dispatcher, make_tracker("好的", "inform"), domain) == []
    assert texts(dispatcher) == "收到。请告诉我您想办什么事：反映问题、查看工单、预约调解、查积分，或者转人工。"


def test_a_detail_outside_any_question_that_tells_of_a_problem_is_offered_as_a_report(
        civic, dispatcher, domain):
    from rasa_sdk.executor import CollectingDispatcher
    from actions.report import ActionStartReport

    said = "翠竹苑3号楼楼道灯坏了好几天，晚上黑漆漆的"
    ranking = [{"name": "inform", "confidence": 0.5}, {"name": "report_repair", "confidence": 0.3},
               {"name": "report_safety", "confidence": 0.1}]
    first = make_tracker(said, "inform", [ent("address", "翠竹苑3号楼")], intent_ranking=ranking)
    run(ActionWhatToDo(), dispatcher, first, domain)
    asked = texts(dispatcher)
    assert asked.startswith("您是想反映设施报修、安全隐患方面的问题吗")
    offered = buttons(dispatcher)
    assert [b["title"] for b in offered] == ["设施报修", "安全隐患", "都不是"]
    history = [first.events[-1], {"event": "bot", "text": asked, "timestamp": 0}]
    pressed = make_tracker(offered[0]["payload"], "report_repair", pick("repair"), events=history)
    filled = slot_events(run(ActionStartReport(), CollectingDispatcher(), pressed, domain))
    assert filled["category"] == "repair" and filled["description"] == said and filled["address"] == "翠竹苑3号楼"


def test_a_short_detail_outside_any_question_asks_what_to_do(civic, dispatcher, domain):
    ranking = [{"name": "inform", "confidence": 0.6}, {"name": "report_noise", "confidence": 0.3}]
    run(ActionWhatToDo(), dispatcher, make_tracker("声音像电钻", "inform", intent_ranking=ranking), domain)
    assert texts(dispatcher).startswith("收到。请告诉我您想办什么事") and buttons(dispatcher) == []


def test_a_case_number_alone_shows_ones_own_case_and_nobody_elses(civic, dispatcher, domain):
    mine, theirs = report(civic), report(civic, reporter="r-2")
    run(ActionWhatToDo(), dispatcher, make_tracker(mine.number, "inform", [ent("case_id", mine.number)]), domain)
    assert f"工单 {mine.number}" in texts(dispatcher) and "想办什么事" not in texts(dispatcher)
    dispatcher.messages.clear()
    run(ActionWhatToDo(), dispatcher, make_tracker(theirs.number, "inform", [ent("case_id", theirs.number)]),
        domain)
    assert texts(dispatcher) == f"没有找到您名下的工单 {theirs.number}。请核对工单号，或发“我的工单”查看您的全部工单。"


# --- cancel and pending answers -------------------------------------------------------------------


def test_cancel_deactivates_the_form_and_clears_every_form_slot(civic, dispatcher, domain):
    tracker = make_tracker("算了不报了", "cancel", active_loop="report_form", requested_slot="address",
                           slots={"category": "noise", "description": "楼下广场舞太吵", "form_failures": 2.0})
    events = run(ActionCancel(), dispatcher, tracker, domain)
    assert events[0] == {"event": "active_loop", "timestamp": None, "name": None}
    slots = slot_events(events)
    assert all(slots[name] is None for name in FORM_SLOTS)
    assert slots["requested_slot"] is None and slots["pending"] is None and slots["form_failures"] == 0.0
    assert "已取消，刚才填的内容没有提交" in texts(dispatcher)
    assert my_case_numbers(civic) == []


def test_cancel_clears_the_slots_of_every_form(domain):
    required = {slot for form in domain["forms"].values() for slot in form["required_slots"]}
    assert required <= set(FORM_SLOTS)


def test_cancel_with_nothing_going_on(civic, dispatcher, domain):
    run(ActionCancel(), dispatcher, make_tracker("算了", "cancel"), domain)
    assert "发“帮助”可以看我能做什么" in texts(dispatcher)


def test_cancel_drops_a_pending_question(civic, dispatcher, domain):
    events = run(ActionCancel(), dispatcher, make_tracker("算了", "cancel", slots={"pending": "delete_data"}), domain)
    assert "已取消" in texts(dispatcher) and slot_events(events)["pending"] is None


@pytest.mark.parametrize("intent", ["affirm", "deny"])
def test_yes_or_no_with_nothing_pending(civic, dispatcher, domain, intent):
    assert run(ActionAnswerPending(), dispatcher, make_tracker("好的", intent), domain) == []
    assert "还有什么可以帮您" in texts(dispatcher)


# --- handoff --------------------------------------------------------------------------------------


def test_handoff_in_office_hours_promises_an_answer_soon_and_opens_no_case(civic, dispatcher, domain):
    tracker = make_tracker("转人工", "request_human", events=[user_event("我家楼上天天半夜装修", "report_noise")])
    events = run(ActionHandoff(), dispatcher, tracker, domain)
    assert texts(dispatcher) == "已为您转接人工，工作人员会在今天10:30前在这里回复您，请稍候。"
    assert slot_events(events) == {"handed_off": True}
    [handoff] = outbox(civic, "handoff_requested")
    payload = json.loads(handoff.payload)
    assert payload["reason"] == "asked" and payload["case_number"] is None
    assert "我家楼上天天半夜装修" in payload["summary"]
    assert my_case_numbers(civic) == []


def test_handoff_outside_office_hours_opens_a_case(civic, dispatcher, domain):
    tracker = make_tracker("转人工", "request_human", now=SATURDAY_NIGHT,
                           events=[user_event("楼下一直有人吵架", "nlu_fallback", SATURDAY_NIGHT)])
    run(ActionHandoff(), dispatcher, tracker, domain)
    [(number, own)] = my_case_numbers(civic)
    said = texts(dispatcher)
    assert "现在是下班时间" in said and "后天09:00前" in said  # Monday 09:00
    assert f"已登记为工单 {number}" in said
    assert own and "楼下一直有人吵架" in stored_case(civic, number).description
    [handoff] = outbox(civic, "handoff_requested")
    assert handoff.case_number == number


def test_handoff_during_a_form_closes_the_form(civic, dispatcher, domain):
    tracker = make_tracker("转人工", "request_human", active_loop="report_form", requested_slot="contact_phone")
    events = run(ActionHandoff(), dispatcher, tracker, domain)
    assert events[0] == {"event": "active_loop", "timestamp": None, "name": None}
    assert slot_events(events) == {"requested_slot": None, "handed_off": True}


def test_the_first_misunderstanding_explains(civic, dispatcher, domain):
    tracker = make_tracker("啊啊啊", "nlu_fallback", events=[user_event("你好", "greet")])
    assert run(ActionNotUnderstood(), dispatcher, tracker, domain) == []
    assert "抱歉，我没看懂" in texts(dispatcher) and "转人工" in texts(dispatcher)
    assert outbox(civic, "handoff_requested") == []


def test_the_second_misunderstanding_in_a_row_hands_off(civic, dispatcher, domain):
    earlier = [user_event("哦哦哦", "nlu_fallback"), {"event": "bot", "text": "抱歉，我没看懂。", "timestamp": 0}]
    events = run(ActionNotUnderstood(), dispatcher, make_tracker("嗯嗯嗯", "nlu_fallback", events=earlier), domain)
    assert "我还是没看懂，帮您转给工作人员" in texts(dispatcher) and "已为您转接人工" in texts(dispatcher)
    assert slot_events(events) == {"handed_off": True}
    [handoff] = outbox(civic, "handoff_requested")
    assert json.loads(handoff.payload)["reason"] == "not_understood"
    assert json.loads(handoff.payload)["summary"] == "哦哦哦；嗯嗯嗯"


def test_a_case_number_alone_read_as_not_understood_still_shows_the_case(civic, dispatcher, domain):
    mine = report(civic)
    earlier = [user_event("哦哦哦", "nlu_fallback")]
    tracker = make_tracker(mine.number, "nlu_fallback", [ent("case_id", mine.number)], events=earlier)
    assert run(ActionNotUnderstood(), dispatcher, tracker, domain) == []
    assert f"工单 {mine.number}（" in texts(dispatcher) and outbox(civic, "handoff_requested") == []


def test_an_understood_message_in_between_starts_the_count_again(civic, dispatcher, domain):
    earlier = [user_event("哦哦哦", "nlu_fallback"), user_event("查积分", "check_points")]
    run(ActionNotUnderstood(), dispatcher, make_tracker("嗯嗯嗯", "nlu_fallback", events=earlier), domain)
    assert "抱歉，我没看懂" in texts(dispatcher) and outbox(civic, "handoff_requested") == []


OUT_OF_SCOPE_SAID = ("抱歉，这件事我帮不上忙。我可以帮您：反映问题、查看工单进度、预约人民调解、"
                     "查询和兑换志愿积分，或者转人工。请直接说您要办的事，或发“帮助”查看说明。")


def test_out_of_scope_with_no_report_in_sight_says_what_the_bot_can_do(civic, dispatcher, domain):
    ranking = [{"name": "out_of_scope", "confidence": 0.95}, {"name": "report_repair", "confidence": 0.02}]
    run(ActionOutOfScope(), dispatcher, make_tracker("帮我查一下明天的天气预报怎么样", "out_of_scope",
                                                     intent_ranking=ranking), domain)
    assert texts(dispatcher) == OUT_OF_SCOPE_SAID


def test_out_of_scope_that_may_be_a_report_asks_which_kind_and_a_press_files_the_first_message(
        civic, dispatcher, domain):
    from rasa_sdk.executor import CollectingDispatcher
    from actions.report import ActionStartReport

    said = "清溪路那边的井盖好像松了，踩上去咣当咣当响"
    ranking = [{"name": "out_of_scope", "confidence": 0.55}, {"name": "report_safety", "confidence": 0.2},
               {"name": "report_repair", "confidence": 0.15}, {"name": "report_noise", "confidence": 0.05}]
    first = make_tracker(said, "out_of_scope", [ent("address", "清溪路")], intent_ranking=ranking)
    run(ActionOutOfScope(), dispatcher, first, domain)
    asked = texts(dispatcher)
    assert asked.startswith("您是想反映") and "帮不上忙" not in asked
    offered = buttons(dispatcher)
    assert [b["title"] for b in offered] == ["安全隐患", "设施报修", "噪音扰民", "都不是"]
    # Pressing a kind starts the report with the first message as the problem and its place.
    history = [first.events[-1], {"event": "bot", "text": asked, "timestamp": 0}]
    pressed = make_tracker(offered[1]["payload"], "report_repair", pick("repair"), events=history)
    filled = slot_events(run(ActionStartReport(), CollectingDispatcher(), pressed, domain))
    assert filled["category"] == "repair" and filled["description"] == said and filled["address"] == "清溪路"
    # 都不是: what the bot can do, and nothing asked again.
    again = CollectingDispatcher()
    run(ActionOutOfScope(), again, make_tracker(offered[-1]["payload"], "out_of_scope", pick("none"),
                                                intent_ranking=ranking), domain)
    assert "\n".join(m["text"] for m in again.messages) == OUT_OF_SCOPE_SAID
