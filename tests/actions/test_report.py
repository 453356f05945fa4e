"""Reporting a problem: action_start_report, report_form's questions and validator,
action_submit_report, and the plain-text form questions of actions/questions.py."""
import json

import pytest
from rasa_sdk.executor import CollectingDispatcher

from actions.questions import ASK_ACTIONS, QUESTIONS
from actions.texts import fill
from actions.report import (ActionStartReport, ActionSubmitReport, AskAddress, AskCategory,
                            AskContactPhone, AskDuplicateChoice, AskReportConfirmed,
                            ValidateReportForm)
from action_support import (SATURDAY_NIGHT, buttons, call, ent, make_tracker, my_case_numbers,
                      outbox, payloads, pick, report, run, set_profile, slot_events,
                      staff_names_and_phones, stored_case, texts)

FORM = "report_form"
REPORT_SLOTS = ["category", "description", "address", "contact_phone", "report_confirmed",
                "duplicate_choice"]
CONFIRMED = {"category": "repair", "description": "望江花园3号楼楼道灯坏了一个星期",
             "address": "望江花园3号楼", "grid_id": "WJ-01", "contact_phone": "13812345678",
             "report_confirmed": "yes"}


def validate(slot, value, dispatcher, domain, **kw):
    kw.setdefault("requested_slot", slot)
    kw.setdefault("active_loop", FORM)
    tracker = make_tracker(**kw)
    return getattr(ValidateReportForm(), f"validate_{slot}")(value, dispatcher, tracker, domain)


def test_report_form_validator_handles_every_required_slot(domain):
    assert domain["forms"][FORM]["required_slots"] == REPORT_SLOTS
    for slot in REPORT_SLOTS:
        assert callable(getattr(ValidateReportForm(), f"validate_{slot}"))


# --- action_start_report -------------------------------------------------------------------


def test_a_noise_report_with_an_address_fills_category_description_and_address(civic, dispatcher, domain):
    said = "望江花园3号楼楼下广场舞噪音太大了"
    events = run(ActionStartReport(), dispatcher,
                 make_tracker(said, "report_noise", [ent("address", "望江花园3号楼")]), domain)
    slots = slot_events(events)
    assert slots["category"] == "noise"
    assert slots["description"] == said
    assert slots["address"] == "望江花园3号楼"
    assert slots["contact_phone"] is None and slots["report_confirmed"] is None
    assert slots["form_failures"] == 0.0
    assert dispatcher.messages == []  # the form asks what is missing


def test_a_phone_in_the_first_message_is_kept(civic, dispatcher, domain):
    events = run(ActionStartReport(), dispatcher,
                 make_tracker("清溪路18号门口有车堵着消防通道 13812345678", "report_parking",
                              [ent("phone", "13812345678")]), domain)
    assert slot_events(events)["contact_phone"] == "13812345678"


@pytest.mark.parametrize("said", ["我要投诉", "你好，我想反映一个问题", "我要报修"])
def test_saying_only_that_there_is_a_problem_leaves_the_description_empty(civic, dispatcher, domain, said):
    events = run(ActionStartReport(), dispatcher, make_tracker(said, "report_other"), domain)
    assert slot_events(events)["description"] is None


def test_a_new_report_forgets_the_previous_one(civic, dispatcher, domain):
    old = {"description": "旧的问题描述", "address": "旧地址", "duplicates": ["20261117-0001"],
           "report_confirmed": "yes", "grid_id": "WJ-01"}
    events = run(ActionStartReport(), dispatcher, make_tracker("我要投诉", "report_other", slots=old), domain)
    slots = slot_events(events)
    assert all(slots[name] is None for name in ("description", "address", "duplicates",
                                                 "report_confirmed", "grid_id", "duplicate_choice"))


def test_two_problems_in_one_message_are_taken_one_at_a_time(civic, dispatcher, domain):
    ranking = [{"name": "report_noise", "confidence": 0.6}, {"name": "report_parking", "confidence": 0.3}]
    tracker = make_tracker("楼下晚上很吵，门口还总有车乱停", "report_noise", intent_ranking=ranking)
    events = run(ActionStartReport(), dispatcher, tracker, domain)
    assert slot_events(events)["category"] is None
    assert "噪音扰民" in texts(dispatcher) and "停车秩序" in texts(dispatcher)
    assert "每件一个工单" in texts(dispatcher)
    asked = CollectingDispatcher()
    run(AskCategory(), asked, tracker, domain)
    assert payloads(asked) == ['/inform{"choice": "noise"}', '/inform{"choice": "parking"}']


def test_a_very_long_first_message_is_cut_and_the_resident_told(civic, dispatcher, domain):
    said = "望江花园3号楼楼道灯坏了" + "很久" * 600
    events = run(ActionStartReport(), dispatcher, make_tracker(said, "report_repair"), domain)
    assert len(slot_events(events)["description"]) == 1000
    assert "前1000个字" in texts(dispatcher)


def test_a_fire_is_answered_first_with_119_and_filed_as_urgent_with_a_handoff(civic, dispatcher, domain):
    tracker = make_tracker("望江花园3号楼楼道里着火了，好多烟", "report_safety", [ent("address", "望江花园3号楼")])
    events = run(ActionStartReport(), dispatcher, tracker, domain)

    first = dispatcher.messages[0]["text"]
    assert "119" in first and "（您这件事请先拨打 119）" in first
    assert "紧急" in dispatcher.messages[1]["text"]
    number = dispatcher.messages[1]["text"].split("工单号 ")[1].split("，")[0]
    case = stored_case(civic, number)
    assert case.tier == "urgent" and case.category == "safety" and case.grid_id == "WJ-01"
    assert case.state.value == "dispatched"
    assert civic.services.district.staff[case.assignee_id].role == "responder"
    assert "前联系您" in texts(dispatcher) and "前办结" in texts(dispatcher)

    handoffs = outbox(civic, "handoff_requested")
    assert len(handoffs) == 1 and handoffs[0].case_number == number
    assert json.loads(handoffs[0].payload)["reason"] == "urgent"
    assert "已为您转接人工" in texts(dispatcher)  # Wednesday 10:00: office time
    slots = slot_events(events)
    assert slots["report_confirmed"] == "filed" and slots["handed_off"] is True


def test_a_fire_taken_for_a_noise_complaint_is_filed_as_an_urgent_safety_case(civic, dispatcher, domain):
    tracker = make_tracker("望江花园3号楼楼下噪音很大，还有人在烧东西，着火了", "report_noise",
                           [ent("address", "望江花园3号楼")])
    run(ActionStartReport(), dispatcher, tracker, domain)
    assert "119" in dispatcher.messages[0]["text"]
    [(number, _)] = my_case_numbers(civic)
    case = stored_case(civic, number)
    assert (case.category, case.tier) == ("safety", "urgent")
    assert json.loads(outbox(civic, "handoff_requested")[0].payload)["category"] == "safety"


def test_a_fire_at_night_opens_one_case_only(civic, dispatcher, domain):
    tracker = make_tracker("和平里5号楼有燃气味，好像漏气了", "report_safety", [ent("address", "和平里5号楼")],
                           now=SATURDAY_NIGHT)
    run(ActionStartReport(), dispatcher, tracker, domain)
    assert "119" in dispatcher.messages[0]["text"]
    assert "下班时间" in texts(dispatcher)
    assert "已登记为工单" not in texts(dispatcher)  # the urgent case is the one
    assert len(my_case_numbers(civic)) == 1


def test_an_emergency_at_an_ambiguous_place_is_still_filed_with_the_place_in_the_description(
        civic, dispatcher, domain):
    tracker = make_tracker("阳光花园有人被困在电梯里了", "report_repair", [ent("address", "阳光花园")])
    run(ActionStartReport(), dispatcher, tracker, domain)
    assert "110" in dispatcher.messages[0]["text"]
    [(number, _)] = my_case_numbers(civic)
    case = stored_case(civic, number)
    assert case.tier == "urgent" and "（地点：阳光花园）" in case.description


def test_an_emergency_report_closes_the_form_without_a_second_case(civic, dispatcher, domain):
    validator = ValidateReportForm()
    filed = make_tracker("着火了", "report_safety", slots={"report_confirmed": "filed"})
    assert call(validator.required_slots(REPORT_SLOTS, dispatcher, filed, domain)) == []
    assert validator.validate_report_confirmed("filed", dispatcher, filed, domain) == {"report_confirmed": "filed"}
    events = run(ActionSubmitReport(), dispatcher, filed, domain)
    assert my_case_numbers(civic) == [] and dispatcher.messages == []
    assert slot_events(events)["report_confirmed"] is None


# --- the questions ---------------------------------------------------------------------------


def test_the_category_question_offers_every_category(civic, dispatcher, domain):
    run(AskCategory(), dispatcher, make_tracker("我要投诉", "report_other"), domain)
    assert len(buttons(dispatcher)) == 8
    assert {b["title"] for b in buttons(dispatcher)} >= {"噪音扰民", "设施报修", "安全隐患"}


def test_the_address_question_offers_the_remembered_home(civic, dispatcher, domain):
    run(AskAddress(), dispatcher, make_tracker("x"), domain)
    assert buttons(dispatcher) == [] and "小区和楼号" in texts(dispatcher)
    set_profile(civic, address="和平里5号楼")
    again = CollectingDispatcher()
    run(AskAddress(), again, make_tracker("x"), domain)
    assert "和平里5号楼" in texts(again)
    assert payloads(again) == ['/inform{"choice": "home"}']


def test_the_phone_question_offers_the_remembered_phone_masked_and_skip(civic, dispatcher, domain):
    run(AskContactPhone(), dispatcher, make_tracker("x"), domain)
    assert payloads(dispatcher) == ['/inform{"choice": "skip"}']
    set_profile(civic, phone="13812345678")
    again = CollectingDispatcher()
    run(AskContactPhone(), again, make_tracker("x"), domain)
    assert [b["title"] for b in buttons(again)] == ["用 138****5678", "跳过"]
    assert "13812345678" not in json.dumps(again.messages, ensure_ascii=False)


def test_the_confirmation_shows_what_will_be_filed_with_the_phone_masked(civic, dispatcher, domain):
    run(AskReportConfirmed(), dispatcher, make_tracker("x", slots=CONFIRMED), domain)
    said = texts(dispatcher)
    assert "类别：设施报修" in said and "望江花园3号楼楼道灯坏了一个星期" in said
    assert "地点：望江花园3号楼" in said and "138****5678" in said and "13812345678" not in said
    assert payloads(dispatcher) == ['/inform{"choice": "yes"}', '/inform{"choice": "no"}', "/cancel"]


def test_the_confirmation_says_no_phone_when_skipped(civic, dispatcher, domain):
    run(AskReportConfirmed(), dispatcher, make_tracker("x", slots={**CONFIRMED, "contact_phone": "none",
                                                                    "address": None}), domain)
    assert "联系电话：不留" in texts(dispatcher) and "地点：（未说明）" in texts(dispatcher)


def test_the_duplicate_question_names_the_open_case_and_offers_follow_or_file(civic, dispatcher, domain):
    run(AskDuplicateChoice(), dispatcher, make_tracker("x", slots={"duplicates": ["20261118-0001"]}), domain)
    assert "20261118-0001" in texts(dispatcher)
    assert payloads(dispatcher) == ['/inform{"choice": "follow"}', '/inform{"choice": "file"}']


@pytest.mark.parametrize("action", ASK_ACTIONS, ids=lambda a: a().name())
def test_each_plain_question_asks_with_its_buttons(civic, dispatcher, domain, action):
    slot = action().name()[len("action_ask_"):]
    question, choices = QUESTIONS[slot]
    assert action().name() in domain["actions"]
    assert run(action(), dispatcher, make_tracker("x"), domain) == []
    assert texts(dispatcher) == fill(question, civic.services.district)
    assert payloads(dispatcher) == [f'/inform{{"choice": "{value}"}}' for _, value in choices]


# --- validate_report_form ---------------------------------------------------------------------


def test_a_category_button_is_accepted(civic, dispatcher, domain):
    assert validate("category", "/inform", dispatcher, domain, text='/inform{"choice": "noise"}',
                    entities=pick("noise")) == {"category": "noise", "form_failures": 0.0}


def test_a_described_problem_answers_the_category_question_and_the_description(civic, dispatcher, domain):
    said = "小区门口垃圾好几天没人收"
    updates = validate("category", said, dispatcher, domain, text=said, intent="report_environment")
    assert updates == {"category": "environment", "form_failures": 0.0, "description": said}


def test_an_unclear_category_is_asked_again(civic, dispatcher, domain):
    updates = validate("category", "嗯", dispatcher, domain, text="嗯")
    assert updates["category"] is None and updates["form_failures"] == 1.0
    assert "哪一类" in texts(dispatcher)


@pytest.mark.parametrize("said", ["灯坏了", "我要投诉"])
def test_a_description_without_details_is_refused_with_an_example(civic, dispatcher, domain, said):
    updates = validate("description", said, dispatcher, domain, text=said)
    assert updates["description"] is None
    assert "请再具体一点" in texts(dispatcher)


def test_a_description_over_1000_characters_is_refused(civic, dispatcher, domain):
    said = "灯坏了" * 400
    updates = validate("description", said, dispatcher, domain, text=said)
    assert updates["description"] is None and "超过1000字" in texts(dispatcher)


def test_a_description_is_kept_as_typed(civic, dispatcher, domain):
    said = " 3号楼楼道灯坏了一个星期 "
    assert validate("description", said, dispatcher, domain, text=said)["description"] == said.strip()


def test_a_known_address_is_accepted_with_its_grid(civic, dispatcher, domain):
    updates = validate("address", "望江花园3号楼", dispatcher, domain, text="望江花园3号楼")
    assert updates == {"address": "望江花园3号楼", "form_failures": 0.0, "grid_id": "WJ-01"}
    assert dispatcher.messages == []


def test_an_ambiguous_address_offers_candidate_buttons_and_leaves_the_slot_empty(civic, dispatcher, domain):
    updates = validate("address", "阳光花园", dispatcher, domain, text="阳光花园")
    assert updates["address"] is None
    assert "可能指下面几处" in texts(dispatcher)
    assert payloads(dispatcher) == ['/inform{"choice": "grid:JX-01|阳光花园"}',
                                    '/inform{"choice": "grid:JX-02|阳光花园"}']
    assert [b["title"] for b in buttons(dispatcher)][1].startswith("阳光花园16-30号楼")


def test_picking_a_candidate_keeps_the_typed_address_not_the_button_text(civic, dispatcher, domain):
    # As Rasa calls it: the from_text mapping put the pressed button's text into the slot.
    pressed = '/inform{"choice": "grid:JX-02|阳光花园"}'
    updates = validate("address", pressed, dispatcher, domain, text=pressed,
                       entities=pick("grid:JX-02|阳光花园"), candidates={"address": pressed})
    assert updates == {"address": "阳光花园", "form_failures": 0.0, "grid_id": "JX-02"}


def test_an_unknown_address_is_accepted_and_goes_to_the_command_centre(civic, dispatcher, domain):
    updates = validate("address", "人民路88号", dispatcher, domain, text="人民路88号")
    assert updates == {"address": "人民路88号", "form_failures": 0.0, "grid_id": None}
    assert "街道综合指挥中心" in texts(dispatcher)


def test_here_at_home_uses_the_remembered_address(civic, dispatcher, domain):
    set_profile(civic, address="和平里5号楼")
    updates = validate("address", '/inform{"choice": "home"}', dispatcher, domain,
                       text='/inform{"choice": "home"}', entities=pick("home"))
    assert (updates["address"], updates["grid_id"]) == ("和平里5号楼", "HP-01")


def test_an_address_entity_wins_over_the_rest_of_the_sentence(civic, dispatcher, domain):
    said = "就在望江花园3号楼下面"
    updates = validate("address", said, dispatcher, domain, text=said,
                       entities=[ent("address", "望江花园3号楼")])
    assert updates["address"] == "望江花园3号楼"


def test_an_empty_address_is_asked_again(civic, dispatcher, domain):
    updates = validate("address", "/inform", dispatcher, domain, text='/inform{"choice": "home"}',
                       entities=pick("home"))  # home, but no home is remembered
    assert updates["address"] is None and "小区和楼号" in texts(dispatcher)


def test_an_invalid_phone_is_rejected_with_an_explanation(civic, dispatcher, domain):
    updates = validate("contact_phone", "12345", dispatcher, domain, text="12345")
    assert updates == {"contact_phone": None, "form_failures": 1.0}
    assert "11位手机号" in texts(dispatcher)
    assert buttons(dispatcher) == []


def test_the_third_failed_answer_in_a_row_offers_a_person(civic, dispatcher, domain):
    updates = validate("contact_phone", "12345", dispatcher, domain, text="12345",
                       slots={"form_failures": 2.0})
    assert updates == {"contact_phone": None, "form_failures": 3.0}
    assert "11位手机号" in texts(dispatcher) and "转人工" in texts(dispatcher)
    assert payloads(dispatcher) == ["/request_human", "/cancel"]
    assert buttons(dispatcher)[0]["title"] == "转人工"


def test_a_good_answer_resets_the_failures(civic, dispatcher, domain):
    updates = validate("contact_phone", "13812345678", dispatcher, domain, text="13812345678",
                       entities=[ent("phone", "13812345678")], slots={"form_failures": 2.0})
    assert updates == {"contact_phone": "13812345678", "form_failures": 0.0}


@pytest.mark.parametrize("said,entities", [("跳过", []), ("不用了", []), ("不留", []), ("不留了", []),
                                           ("不留了。", []), ('/inform{"choice": "skip"}', pick("skip"))])
def test_the_phone_may_be_skipped(civic, dispatcher, domain, said, entities):
    updates = validate("contact_phone", said, dispatcher, domain, text=said, entities=entities)
    assert updates["contact_phone"] == "none"


def test_the_remembered_phone_may_be_used(civic, dispatcher, domain):
    set_profile(civic, phone="13912345678")
    updates = validate("contact_phone", "/inform", dispatcher, domain, text='/inform{"choice": "profile"}',
                       entities=pick("profile"))
    assert updates["contact_phone"] == "13912345678"


def test_modify_at_the_confirmation_clears_the_description_and_the_address(civic, dispatcher, domain):
    updates = validate("report_confirmed", "修改", dispatcher, domain, text="修改", slots=CONFIRMED)
    assert updates["report_confirmed"] is None
    assert updates["description"] is None and updates["address"] is None
    assert updates["contact_phone"] is None and updates["grid_id"] is None
    assert "重新填" in texts(dispatcher)


def test_confirming_a_report_with_nothing_similar_open(civic, dispatcher, domain):
    updates = validate("report_confirmed", "/inform", dispatcher, domain, text='/inform{"choice": "yes"}',
                       entities=pick("yes"), slots=CONFIRMED)
    assert updates == {"report_confirmed": "yes", "form_failures": 0.0, "duplicates": None}


def test_confirming_finds_a_similar_open_case_of_someone_else_but_not_ones_own(civic, dispatcher, domain):
    own = report(civic, description="望江花园3号楼的楼道灯坏了")
    updates = validate("report_confirmed", "确认", dispatcher, domain, text="确认", intent="affirm",
                       slots=CONFIRMED)
    assert updates["duplicates"] is None  # one's own earlier report is no duplicate
    theirs = report(civic, reporter="r-2", description="望江花园3号楼的楼道灯坏了")
    updates = validate("report_confirmed", "确认", dispatcher, domain, text="确认", intent="affirm",
                       slots=CONFIRMED)
    assert updates["duplicates"] == [theirs.number] and own.number != theirs.number


def test_an_unclear_confirmation_is_asked_again(civic, dispatcher, domain):
    updates = validate("report_confirmed", "嗯？啥", dispatcher, domain, text="嗯？啥", slots=CONFIRMED)
    assert updates["report_confirmed"] is None and "确认提交" in texts(dispatcher)


@pytest.mark.parametrize("said,entities,intent,expected", [
    ('/inform{"choice": "follow"}', pick("follow"), "inform", "follow"),
    ('/inform{"choice": "file"}', pick("file"), "inform", "file"),
    ("好的", [], "affirm", "follow"),
    ("不要", [], "deny", "file"),
])
def test_the_duplicate_answer(civic, dispatcher, domain, said, entities, intent, expected):
    updates = validate("duplicate_choice", said, dispatcher, domain, text=said, entities=entities, intent=intent)
    assert updates["duplicate_choice"] == expected


def test_an_unclear_duplicate_answer_is_asked_again(civic, dispatcher, domain):
    updates = validate("duplicate_choice", "啥", dispatcher, domain, text="啥")
    assert updates["duplicate_choice"] is None and "关注这个工单" in texts(dispatcher)


def test_the_duplicate_question_is_asked_only_when_there_is_a_duplicate(civic, dispatcher, domain):
    validator = ValidateReportForm()
    plain = call(validator.required_slots(REPORT_SLOTS, dispatcher, make_tracker("x"), domain))
    assert plain == REPORT_SLOTS[:-1]
    with_dup = make_tracker("x", slots={"duplicates": ["20261118-0001"]})
    assert call(validator.required_slots(REPORT_SLOTS, dispatcher, with_dup, domain)) == REPORT_SLOTS


def test_the_form_prefilled_by_the_first_message_asks_for_the_phone_next(civic, dispatcher, domain):
    said = "望江花园3号楼楼下广场舞噪音太大了"
    prefilled = {"category": "noise", "description": said, "address": "望江花园3号楼"}
    tracker = make_tracker(said, "report_noise", [ent("address", "望江花园3号楼")], active_loop=FORM,
                           candidates=prefilled)
    events = run(ValidateReportForm(), dispatcher, tracker, domain)
    slots = slot_events(events)
    assert slots["category"] == "noise" and slots["description"] == said
    assert slots["address"] == "望江花园3号楼" and slots["grid_id"] == "WJ-01"
    assert slots["requested_slot"] == "contact_phone"
    assert dispatcher.messages == []


def test_confirming_next_to_a_similar_case_asks_follow_or_file(civic, dispatcher, domain):
    theirs = report(civic, reporter="r-2", description="望江花园3号楼的楼道灯坏了")
    pressed = '/inform{"choice": "yes"}'
    tracker = make_tracker(pressed, entities=pick("yes"), active_loop=FORM, requested_slot="report_confirmed",
                           slots={k: v for k, v in CONFIRMED.items() if k != "report_confirmed"},
                           candidates={"report_confirmed": pressed})
    events = run(ValidateReportForm(), dispatcher, tracker, domain)
    slots = slot_events(events)
    assert slots["report_confirmed"] == "yes" and slots["duplicates"] == [theirs.number]
    # All of the domain's slots are required again: Rasa asks the first empty one, the duplicate.
    assert "requested_slot" not in slots
    after = make_tracker("x", slots={**tracker.slots, **slots})
    assert call(ValidateReportForm().required_slots(REPORT_SLOTS, dispatcher, after, domain)) == REPORT_SLOTS
    assert after.get_slot("duplicate_choice") is None


def test_confirming_with_nothing_similar_open_completes_the_form(civic, dispatcher, domain):
    pressed = '/inform{"choice": "yes"}'
    tracker = make_tracker(pressed, entities=pick("yes"), active_loop=FORM, requested_slot="report_confirmed",
                           slots={k: v for k, v in CONFIRMED.items() if k != "report_confirmed"},
                           candidates={"report_confirmed": pressed})
    slots = slot_events(run(ValidateReportForm(), dispatcher, tracker, domain))
    assert slots["report_confirmed"] == "yes" and slots["requested_slot"] is None


# --- action_submit_report ---------------------------------------------------------------------


def test_a_replayed_confirmation_files_one_case_and_says_its_number_again(civic, dispatcher, domain):
    # The process died after the case was committed, before the conversation was saved:
    # the same confirmation meets the same saved conversation again.
    before = [{"event": "action", "name": "report_form", "timestamp": 1763431200.25}]
    confirm = make_tracker("确认", "affirm", slots=CONFIRMED, events=before)
    run(ActionSubmitReport(), dispatcher, confirm, domain)
    again = CollectingDispatcher()
    run(ActionSubmitReport(), again, make_tracker("确认", "affirm", slots=CONFIRMED, events=before), domain)
    [(number, _)] = my_case_numbers(civic)
    assert f"工单号 {number}" in texts(again)
    later = [{"event": "action", "name": "report_form", "timestamp": 1763431500.5}]
    run(ActionSubmitReport(), CollectingDispatcher(), make_tracker("确认", "affirm", slots=CONFIRMED, events=later),
        domain)
    assert len(my_case_numbers(civic)) == 2  # a report confirmed later is another report


def test_submit_files_a_case_and_says_number_handler_and_deadlines(civic, dispatcher, domain):
    events = run(ActionSubmitReport(), dispatcher, make_tracker("确认", "affirm", slots=CONFIRMED), domain)
    [(number, own)] = my_case_numbers(civic)
    assert own
    said = texts(dispatcher)
    assert f"工单号 {number}" in said
    assert "望江社区第一网格的物业/房管专员" in said  # role and grid
    assert "明天10:00前联系您" in said and "11月27日（周五）10:00前办结" in said
    assert not any(private in said for private in staff_names_and_phones(civic))
    case = stored_case(civic, number)
    assert (case.category, case.grid_id, case.contact_phone) == ("repair", "WJ-01", "13812345678")
    assert case.description == CONFIRMED["description"] and case.state.value == "dispatched"
    assert all(value in (None, 0.0) for value in slot_events(events).values())


def test_a_skipped_phone_is_not_stored(civic, dispatcher, domain):
    run(ActionSubmitReport(), dispatcher,
        make_tracker("确认", "affirm", slots={**CONFIRMED, "contact_phone": "none"}), domain)
    [(number, _)] = my_case_numbers(civic)
    assert stored_case(civic, number).contact_phone is None


def test_a_report_at_an_unknown_place_goes_to_the_command_centre(civic, dispatcher, domain):
    slots = {**CONFIRMED, "address": "人民路88号", "grid_id": None, "category": "environment",
             "description": "人民路88号门口垃圾堆成山"}
    run(ActionSubmitReport(), dispatcher, make_tracker("确认", "affirm", slots=slots), domain)
    assert "由街道综合指挥中心负责" in texts(dispatcher)


def test_a_dispute_report_offers_mediation(civic, dispatcher, domain):
    slots = {**CONFIRMED, "category": "dispute", "description": "楼上漏水到我家，谈不拢赔偿"}
    run(ActionSubmitReport(), dispatcher, make_tracker("确认", "affirm", slots=slots), domain)
    [(number, _)] = my_case_numbers(civic)
    assert "人民调解员" in texts(dispatcher)
    assert payloads(dispatcher) == [f'/book_mediation{{"case_id": "{number}"}}']


def test_follow_makes_the_resident_a_follower_instead_of_filing(civic, dispatcher, domain):
    theirs = report(civic, reporter="r-2", description="望江花园3号楼的楼道灯坏了")
    slots = {**CONFIRMED, "duplicates": [theirs.number], "duplicate_choice": "follow"}
    run(ActionSubmitReport(), dispatcher, make_tracker("关注", slots=slots), domain)
    assert f"已为您关注工单 {theirs.number}" in texts(dispatcher)
    assert my_case_numbers(civic) == [(theirs.number, False)]
    assert theirs.number not in [n for n, _ in my_case_numbers(civic, "r-3")]


def test_file_anyway_opens_a_case_of_ones_own(civic, dispatcher, domain):
    theirs = report(civic, reporter="r-2", description="望江花园3号楼的楼道灯坏了")
    slots = {**CONFIRMED, "duplicates": [theirs.number], "duplicate_choice": "file"}
    run(ActionSubmitReport(), dispatcher, make_tracker("单独登记", slots=slots), domain)
    [(number, own)] = my_case_numbers(civic)
    assert own and number != theirs.number and f"工单号 {number}" in texts(dispatcher)


def test_a_similar_case_reported_since_the_confirmation_is_followed_and_the_choice_explained(
        civic, dispatcher, domain):
    # Confirmed with nothing similar open (no duplicates slot); someone else reported it since.
    theirs = report(civic, reporter="r-2", description="望江花园3号楼的楼道灯坏了")
    run(ActionSubmitReport(), dispatcher, make_tracker("确认", "affirm", slots=CONFIRMED), domain)
    said = texts(dispatcher)
    assert f"刚刚有人反映了同样的问题（工单 {theirs.number}）" in said and "仍然单独登记" in said
    assert my_case_numbers(civic) == [(theirs.number, False)]


def test_nothing_is_filed_without_a_confirmation(civic, dispatcher, domain):
    events = run(ActionSubmitReport(), dispatcher,
                 make_tracker("x", slots={**CONFIRMED, "report_confirmed": None}), domain)
    assert my_case_numbers(civic) == [] and dispatcher.messages == []
    assert slot_events(events)["description"] is None


def test_the_deadlines_are_told_in_shanghai_time_at_night(civic, dispatcher, domain):
    run(ActionSubmitReport(), dispatcher, make_tracker("确认", "affirm", slots=CONFIRMED,
                                                       now=SATURDAY_NIGHT), domain)
    # Saturday 22:00: the working-day clock starts on Monday 08:30.
    assert "11月24日（周二）08:30前联系您" in texts(dispatcher)
    assert "12月2日（周三）08:30前办结" in texts(dispatcher)


# --- answers that are no answers -------------------------------------------------------------


def test_the_address_question_is_not_repeated_over_the_candidates_just_offered(civic, dispatcher, domain):
    set_profile(civic, address="望江花园3号楼")  # its "就在这里" button would hide the candidates
    updates = validate("address", "菜市场旁边", dispatcher, domain, text="菜市场旁边")
    assert updates["options_offered"] is True and updates["address"] is None
    asked = CollectingDispatcher()
    events = run(AskAddress(), asked, make_tracker("菜市场旁边", slots={"options_offered": True}), domain)
    assert asked.messages == [] and slot_events(events) == {"options_offered": None}


def test_gibberish_is_no_address(civic, dispatcher, domain):
    updates = validate("address", "asdfgh", dispatcher, domain, text="asdfgh", intent="nlu_fallback")
    assert updates["address"] is None and "看不出是哪里" in texts(dispatcher)


def test_another_errand_is_no_description_and_the_resident_is_told_how_to_switch(civic, dispatcher, domain):
    updates = validate("description", "我有多少积分", dispatcher, domain, text="我有多少积分",
                       intent="check_points")
    assert updates["description"] is None and "取消" in texts(dispatcher)


def test_a_fragment_the_model_cannot_place_is_still_a_description(civic, dispatcher, domain):
    updates = validate("description", "邻居家狗天天叫", dispatcher, domain, text="邻居家狗天天叫",
                       intent="nlu_fallback")
    assert updates["description"] == "邻居家狗天天叫"


def test_a_bare_i_want_to_complain_asks_which_kind(civic, dispatcher, domain):
    events = run(ActionStartReport(), dispatcher, make_tracker("我要投诉", intent="report_other"), domain)
    assert slot_events(events)["category"] is None and slot_events(events)["description"] is None


# --- a shared location answers "where" (the turn builds the payload) ------------------


@pytest.mark.parametrize("lat, lon, grid_id, said", [
    (30.5935, 114.2918, "WJ-01", "这个位置在望江社区第一网格"),
    (30.6200, 114.2500, None, "街道综合指挥中心"),  # inside no grid's area: triage
])
def test_a_shared_location_is_the_address_with_its_grid_or_triage(civic, dispatcher, domain, lat, lon,
                                                                  grid_id, said):
    pressed = f'/inform{{"choice": "loc:{lat:.5f},{lon:.5f}"}}'
    updates = validate("address", pressed, dispatcher, domain, text=pressed,
                       entities=pick(f"loc:{lat:.5f},{lon:.5f}"), candidates={"address": pressed})
    assert updates == {"address": f"位置（{lat:.5f}, {lon:.5f}）附近", "form_failures": 0.0, "grid_id": grid_id}
    assert said in texts(dispatcher)


@pytest.mark.parametrize("value", ["loc:130.00000,30.00000", "loc:95.00000,30.00000", "loc:30.5,"])
def test_a_location_choice_out_of_range_is_no_location(civic, dispatcher, domain, value):
    pressed = f'/inform{{"choice": "{value}"}}'
    updates = validate("address", pressed, dispatcher, domain, text=pressed,
                       entities=pick(value), candidates={"address": pressed})
    assert updates["address"] is None  # refused as an address that says nothing
