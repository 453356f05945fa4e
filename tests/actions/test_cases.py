"""Following cases: my cases, one case, hurry, withdraw (and its yes/no), add details, rate."""
import pytest

from actions.cases import (ActionHurryCase, ActionMyCases, ActionStartDetail, ActionStartRating,
                           ActionSubmitDetail, ActionSubmitRating, ActionWithdrawCase, AskSatisfaction,
                           AskSolved, ValidateDetailForm, ValidateRatingForm)
from actions.welcome import ActionAnswerPending
from action_support import (NOW, at, call, ent, make_tracker, move, payloads, pick, report, resolve, run,
                            slot_events, staff, staff_names_and_phones, stored_case, texts)
from civic.domain.actors import Actor
from civic.services import cases as case_handlers

OVERDUE = "2026-11-23T10:00:00+08:00"  # Monday: the Wednesday case was due for contact on Thursday
RATING_SLOTS = ["solved", "satisfaction", "rate_reason"]


def case_id(number):
    return [ent("case_id", number)]


def history(civic, number):
    return [h.action for h in stored_case(civic, number).history]


def follow(civic, number, resident="r-1"):
    with civic.uow() as uow:
        case_handlers.follow_case(uow, actor=Actor.resident(resident), number=number, now=at(NOW))


# --- my cases -----------------------------------------------------------------------------------


def test_no_cases_yet(civic, dispatcher, domain):
    run(ActionMyCases(), dispatcher, make_tracker("我的工单", "check_case"), domain)
    assert "还没有反映过问题" in texts(dispatcher)


def test_my_cases_lists_only_own_and_followed_cases(civic, dispatcher, domain):
    mine = report(civic)
    theirs = report(civic, reporter="r-2", description="和平里5号楼晚上噪音", address="和平里5号楼",
                    category="noise")
    followed = report(civic, reporter="r-3", description="和平里6号楼门口垃圾堆了好几天",
                      address="和平里6号楼", category="environment")
    follow(civic, followed.number)
    assert run(ActionMyCases(), dispatcher, make_tracker("我的工单", "check_case"), domain) == []
    said = texts(dispatcher)
    assert f"{mine.number} 设施报修：已派单，待签收，今天12:00前" in said
    assert f"{followed.number}（关注） 环境卫生" in said
    assert theirs.number not in said
    assert payloads(dispatcher) == [f'/check_case{{"case_id": "{mine.number}"}}',
                                    f'/check_case{{"case_id": "{followed.number}"}}']


def test_someone_elses_case_number_is_not_found(civic, dispatcher, domain):
    theirs = report(civic, reporter="r-2")
    run(ActionMyCases(), dispatcher, make_tracker("查工单", "check_case", case_id(theirs.number)), domain)
    assert f"没有找到您名下的工单 {theirs.number}" in texts(dispatcher)
    assert "望江花园" not in texts(dispatcher)


def test_an_unknown_case_number_is_not_found(civic, dispatcher, domain):
    run(ActionMyCases(), dispatcher, make_tracker("查工单", "check_case", case_id("20991231-0001")), domain)
    assert "没有找到" in texts(dispatcher)


def test_one_own_case_shows_its_history_next_deadline_and_what_can_be_done(civic, dispatcher, domain):
    mine = report(civic)
    worker = staff(civic, mine.assignee_id)
    move(civic, mine.number, worker, "sign", now="2026-11-18T10:20:00+08:00")
    move(civic, mine.number, worker, "progress", now="2026-11-18T11:00:00+08:00", note="已联系电工，下午上门")
    run(ActionMyCases(), dispatcher, make_tracker("查工单", "check_case", case_id(mine.number)), domain)
    said = texts(dispatcher)
    assert f"工单 {mine.number}（设施报修）" in said
    assert "· 11-18 10:00 收到反映" in said and "· 11-18 10:20 签收" in said
    assert "进展：已联系电工，下午上门" in said
    assert "下一步：明天10:00前联系您" in said  # contact within one working day
    assert not any(private in said for private in staff_names_and_phones(civic))
    assert payloads(dispatcher) == [f'/add_detail{{"case_id": "{mine.number}"}}',
                                    f'/hurry_case{{"case_id": "{mine.number}"}}',
                                    f'/withdraw_case{{"case_id": "{mine.number}"}}']


def test_a_followed_case_can_only_be_hurried(civic, dispatcher, domain):
    theirs = report(civic, reporter="r-2")
    follow(civic, theirs.number)
    run(ActionMyCases(), dispatcher, make_tracker("查工单", "check_case", case_id(theirs.number)), domain)
    assert payloads(dispatcher) == [f'/hurry_case{{"case_id": "{theirs.number}"}}']


def test_a_resolved_own_case_offers_rating(civic, dispatcher, domain):
    mine = report(civic)
    resolve(civic, mine.number)
    run(ActionMyCases(), dispatcher, make_tracker("查工单", "check_case", case_id(mine.number)), domain)
    assert "已办结，待您评价" in texts(dispatcher)
    assert "下一步" not in texts(dispatcher)
    assert payloads(dispatcher) == [f'/rate_case{{"case_id": "{mine.number}"}}']


# --- hurry ----------------------------------------------------------------------------------------


def test_hurry_in_time_tells_the_handler_without_escalating(civic, dispatcher, domain):
    mine = report(civic)
    run(ActionHurryCase(), dispatcher, make_tracker("催一下", "hurry_case", case_id(mine.number),
                                                    now="2026-11-18T11:00:00+08:00"), domain)
    said = texts(dispatcher)
    assert f"已催办工单 {mine.number}" in said and "物业/房管专员" in said
    assert "升级" not in said
    assert history(civic, mine.number)[-1] == "hurried"
    assert stored_case(civic, mine.number).assignee_id == mine.assignee_id


def test_hurry_on_an_overdue_case_escalates(civic, dispatcher, domain):
    mine = report(civic)
    run(ActionHurryCase(), dispatcher, make_tracker("怎么还没人管", "hurry_case", now=OVERDUE), domain)
    said = texts(dispatcher)
    assert "已经超过时限，已升级给上一级督办" in said
    case = stored_case(civic, mine.number)
    assert history(civic, mine.number)[-2:] == ["hurried", "escalated"]
    assert case.escalation_level == 1 and case.assignee_id != mine.assignee_id
    assert "望江社区第一网格的网格长" in said


def test_a_second_hurry_in_the_same_half_day_is_answered_politely_and_not_passed_on(civic, dispatcher, domain):
    mine = report(civic)  # Wednesday 10:00: contact due Thursday 10:00
    run(ActionHurryCase(), dispatcher, make_tracker("催一下", "hurry_case", case_id(mine.number),
                                                    now="2026-11-18T10:30:00+08:00"), domain)
    dispatcher.messages.clear()
    run(ActionHurryCase(), dispatcher, make_tracker("怎么还没人来", "hurry_case", case_id(mine.number),
                                                    now="2026-11-18T11:30:00+08:00"), domain)
    assert texts(dispatcher) == (f"工单 {mine.number} 已催办过，工作人员已收到提醒，明天10:00前会有答复。"
                                 "到时还没有答复，可以再催办。")
    assert history(civic, mine.number).count("hurried") == 1


def test_a_second_hurry_on_an_overdue_case_says_when_to_hurry_again(civic, dispatcher, domain):
    mine = report(civic)
    run(ActionHurryCase(), dispatcher, make_tracker("怎么还没人管", "hurry_case", now=OVERDUE), domain)
    dispatcher.messages.clear()
    run(ActionHurryCase(), dispatcher, make_tracker("到底管不管", "hurry_case",
                                                    now="2026-11-23T10:30:00+08:00"), domain)
    said = texts(dispatcher)
    assert f"工单 {mine.number} 已催办过" in said and "今天12:00后可以再催办" in said
    assert "前会有答复" not in said  # no deadline that has passed is promised
    assert history(civic, mine.number).count("hurried") == 1
    assert history(civic, mine.number).count("escalated") == 1


def test_hurry_without_open_cases(civic, dispatcher, domain):
    run(ActionHurryCase(), dispatcher, make_tracker("催一下", "hurry_case"), domain)
    assert "没有可以催办的工单" in texts(dispatcher)


LETTER = "望江花园5号楼的电梯坏了三天了，老人上下楼太难了，麻烦你们催一下尽快修好"
HEARD_AS_AN_ERRAND = [{"name": "report_repair", "confidence": 0.35}, {"name": "report_elderly_care", "confidence": 0.05}]


@pytest.mark.parametrize("action, intent, what", [(ActionHurryCase, "hurry_case", "催办"),
                                                  (ActionWithdrawCase, "withdraw_case", "撤回"),
                                                  (ActionStartDetail, "add_detail", "补充情况")])
def test_an_errand_with_no_case_on_a_message_that_tells_a_problem_becomes_that_report(
        civic, dispatcher, domain, action, intent, what):
    ranking = [{"name": intent, "confidence": 0.6}] + HEARD_AS_AN_ERRAND
    events = run(action(), dispatcher, make_tracker(LETTER, intent, [ent("address", "望江花园5号楼")],
                                                    intent_ranking=ranking), domain)
    said = texts(dispatcher)
    assert f"没有可以{what}的工单" in said and "新的反映" in said
    # The report form takes over with what the message told: the problem, the place, the category.
    assert {"event": "followup", "name": "report_form"} in [
        {"event": e.get("event"), "name": e.get("name")} for e in events]
    filled = slot_events(events)
    assert filled["description"] == LETTER and filled["address"] == "望江花园5号楼"
    assert filled["category"] == "repair"


def test_a_short_errand_with_no_case_is_still_answered_that_there_is_none(civic, dispatcher, domain):
    ranking = [{"name": "hurry_case", "confidence": 0.6}, {"name": "report_repair", "confidence": 0.3}]
    events = run(ActionHurryCase(), dispatcher, make_tracker("快点修", "hurry_case", intent_ranking=ranking),
                 domain)
    assert "没有可以催办的工单" in texts(dispatcher) and "新的反映" not in texts(dispatcher)
    assert not any(e.get("event") == "followup" for e in events)


def test_hurry_with_several_open_cases_asks_which(civic, dispatcher, domain):
    first = report(civic)
    second = report(civic, description="和平里5号楼噪音很大", address="和平里5号楼", category="noise")
    run(ActionHurryCase(), dispatcher, make_tracker("催一下", "hurry_case"), domain)
    assert "催办哪一个" in texts(dispatcher)
    assert sorted(payloads(dispatcher)) == [f'/hurry_case{{"case_id": "{first.number}"}}',
                                            f'/hurry_case{{"case_id": "{second.number}"}}']
    assert history(civic, first.number)[-1] == "routed"


def test_hurry_on_a_closed_case_is_refused(civic, dispatcher, domain):
    mine = report(civic)
    resolve(civic, mine.number)
    run(ActionHurryCase(), dispatcher, make_tracker("催一下", "hurry_case", case_id(mine.number)), domain)
    assert "不能催办了" in texts(dispatcher)


def test_hurry_on_someone_elses_case_is_not_found(civic, dispatcher, domain):
    theirs = report(civic, reporter="r-2")
    run(ActionHurryCase(), dispatcher, make_tracker("催一下", "hurry_case", case_id(theirs.number)), domain)
    assert "没有找到" in texts(dispatcher)
    assert "hurried" not in history(civic, theirs.number)


def test_a_follower_may_hurry(civic, dispatcher, domain):
    theirs = report(civic, reporter="r-2")
    follow(civic, theirs.number)
    run(ActionHurryCase(), dispatcher, make_tracker("催一下", "hurry_case", case_id(theirs.number)), domain)
    assert f"已催办工单 {theirs.number}" in texts(dispatcher)


# --- withdraw -------------------------------------------------------------------------------------


def test_withdraw_asks_to_confirm_and_changes_nothing_yet(civic, dispatcher, domain):
    mine = report(civic)
    events = run(ActionWithdrawCase(), dispatcher, make_tracker("撤回", "withdraw_case", case_id(mine.number)),
                 domain)
    assert slot_events(events) == {"pending": f"withdraw:{mine.number}"}
    assert f"确定撤回工单 {mine.number}" in texts(dispatcher)
    assert payloads(dispatcher) == ["/affirm", "/deny"]
    assert stored_case(civic, mine.number).state.value == "dispatched"


def test_yes_withdraws(civic, dispatcher, domain):
    mine = report(civic)
    events = run(ActionAnswerPending(), dispatcher,
                 make_tracker("确认撤回", "affirm", slots={"pending": f"withdraw:{mine.number}"}), domain)
    assert slot_events(events) == {"pending": None}
    assert f"工单 {mine.number} 已撤回" in texts(dispatcher)
    case = stored_case(civic, mine.number)
    assert case.state.value == "withdrawn" and case.history[-1].note == "居民撤回"


def test_no_changes_nothing(civic, dispatcher, domain):
    mine = report(civic)
    events = run(ActionAnswerPending(), dispatcher,
                 make_tracker("不撤回", "deny", slots={"pending": f"withdraw:{mine.number}"}), domain)
    assert slot_events(events) == {"pending": None}
    assert "没有做任何改动" in texts(dispatcher)
    assert stored_case(civic, mine.number).state.value == "dispatched"


def test_an_unclear_answer_changes_nothing(civic, dispatcher, domain):
    mine = report(civic)
    run(ActionAnswerPending(), dispatcher,
        make_tracker("让我想想", "inform", slots={"pending": f"withdraw:{mine.number}"}), domain)
    assert stored_case(civic, mine.number).state.value == "dispatched"


def test_yes_after_the_case_was_resolved_meanwhile(civic, dispatcher, domain):
    mine = report(civic)
    resolve(civic, mine.number)
    run(ActionAnswerPending(), dispatcher,
        make_tracker("是的", "affirm", slots={"pending": f"withdraw:{mine.number}"}), domain)
    assert "已经不能撤回了" in texts(dispatcher)
    assert stored_case(civic, mine.number).state.value == "resolved"


def test_a_followed_case_cannot_be_withdrawn(civic, dispatcher, domain):
    theirs = report(civic, reporter="r-2")
    follow(civic, theirs.number)
    events = run(ActionWithdrawCase(), dispatcher,
                 make_tracker("撤回", "withdraw_case", case_id(theirs.number)), domain)
    assert events == [] and "没有找到您反映的工单" in texts(dispatcher)


def test_a_resolved_case_cannot_be_withdrawn(civic, dispatcher, domain):
    mine = report(civic)
    resolve(civic, mine.number)
    events = run(ActionWithdrawCase(), dispatcher,
                 make_tracker("撤回", "withdraw_case", case_id(mine.number)), domain)
    assert events == [] and "不能撤回了" in texts(dispatcher)


def test_withdraw_picks_the_only_open_case(civic, dispatcher, domain):
    mine = report(civic)
    events = run(ActionWithdrawCase(), dispatcher, make_tracker("我不想投诉了", "withdraw_case"), domain)
    assert slot_events(events) == {"pending": f"withdraw:{mine.number}"}


# --- add details -------------------------------------------------------------------------------


def test_details_in_the_first_message_are_taken_for_the_only_open_case(civic, dispatcher, domain):
    mine = report(civic)
    events = run(ActionStartDetail(), dispatcher, make_tracker("补充一下，晚上也不亮了", "add_detail"), domain)
    assert slot_events(events) == {"detail_case": mine.number, "form_failures": 0.0,
                                   "detail_text": "晚上也不亮了"}


def test_add_detail_alone_asks_for_the_text(civic, dispatcher, domain):
    mine = report(civic)
    events = run(ActionStartDetail(), dispatcher,
                 make_tracker("/add_detail", "add_detail", case_id(mine.number)), domain)
    assert slot_events(events)["detail_case"] == mine.number
    assert slot_events(events)["detail_text"] is None


def test_add_detail_with_several_open_cases_asks_which(civic, dispatcher, domain):
    report(civic)
    report(civic, description="和平里5号楼噪音很大", address="和平里5号楼", category="noise")
    events = run(ActionStartDetail(), dispatcher, make_tracker("我要补充情况", "add_detail"), domain)
    assert slot_events(events)["detail_case"] is None
    assert "哪一个工单" in texts(dispatcher) and len(payloads(dispatcher)) == 2
    assert call(ValidateDetailForm().required_slots(["detail_text"], dispatcher,
                                                    make_tracker("x"), domain)) == []


def test_add_detail_without_open_cases(civic, dispatcher, domain):
    run(ActionStartDetail(), dispatcher, make_tracker("我要补充情况", "add_detail"), domain)
    assert "没有在办的工单" in texts(dispatcher)


@pytest.mark.parametrize("value,ok", [("晚上也不亮了", True), ("嗯", False), ('/inform{"choice": "x"}', False),
                                      ("很" * 1001, False)])
def test_the_detail_text(civic, dispatcher, domain, value, ok):
    updates = ValidateDetailForm().validate_detail_text(value, dispatcher, make_tracker(value), domain)
    assert (updates["detail_text"] == value) is ok
    assert bool(dispatcher.messages) is not ok


@pytest.mark.parametrize("typed,detail", [("补充一下：3楼到5楼那段不亮", "3楼到5楼那段不亮"),
                                          ("补充一下：还有楼下的灯也坏了", "还有楼下的灯也坏了"),
                                          ("我要补充", None)])
def test_a_detail_said_with_the_errand_is_taken_and_the_errand_alone_is_asked_again(
        civic, dispatcher, domain, typed, detail):
    # The model is sure of add_detail: its own words are no other errand.
    mine = report(civic)
    started = slot_events(run(ActionStartDetail(), dispatcher, make_tracker(typed, "add_detail"), domain))
    tracker = make_tracker(typed, "add_detail", active_loop="detail_form", requested_slot="detail_text",
                           slots={"detail_case": mine.number},
                           candidates={"detail_text": started["detail_text"] or typed})
    slots = slot_events(run(ValidateDetailForm(), dispatcher, tracker, domain))
    assert slots["detail_text"] == detail
    assert ("请直接输入要补充的内容" in texts(dispatcher)) is (detail is None)
    assert "取消" not in texts(dispatcher)


def test_the_detail_form_takes_the_typed_text(civic, dispatcher, domain):
    tracker = make_tracker("晚上也不亮了", active_loop="detail_form", requested_slot="detail_text",
                           slots={"detail_case": "20261118-0001"}, candidates={"detail_text": "晚上也不亮了"})
    slots = slot_events(run(ValidateDetailForm(), dispatcher, tracker, domain))
    assert slots["detail_text"] == "晚上也不亮了"
    assert "requested_slot" not in slots  # the domain's slots: Rasa sees the form is done


def test_submitted_details_reach_the_case(civic, dispatcher, domain):
    mine = report(civic)
    events = run(ActionSubmitDetail(), dispatcher, make_tracker(
        "晚上也不亮了", slots={"detail_case": mine.number, "detail_text": "晚上也不亮了"}), domain)
    assert slot_events(events) == {"detail_case": None, "detail_text": None}
    assert f"已把补充的情况转给工单 {mine.number}" in texts(dispatcher)
    last = stored_case(civic, mine.number).history[-1]
    assert (last.action, last.note) == ("detail", "晚上也不亮了")


def test_details_to_a_closed_case_are_refused(civic, dispatcher, domain):
    mine = report(civic)
    resolve(civic, mine.number)
    run(ActionSubmitDetail(), dispatcher, make_tracker(
        "x", slots={"detail_case": mine.number, "detail_text": "晚上也不亮了"}), domain)
    assert "不能再补充了" in texts(dispatcher)


def test_details_to_a_followed_case_are_not_taken_as_if_it_were_closed(civic, dispatcher, domain):
    theirs = report(civic, reporter="r-2")
    follow(civic, theirs.number)
    run(ActionSubmitDetail(), dispatcher, make_tracker(
        "x", slots={"detail_case": theirs.number, "detail_text": "晚上也不亮了"}), domain)
    assert "没有找到您反映的工单" in texts(dispatcher)
    assert "办结" not in texts(dispatcher)
    assert "detail" not in history(civic, theirs.number)


def stops(events) -> bool:
    """The start action ends the rule: its form is not started, no question is asked."""
    return any(e.get("event") == "followup" and e.get("name") == "action_listen" for e in events)


@pytest.mark.parametrize("whose", ["someone-elses", "followed", "own-closed", "unknown"])
def test_details_to_a_case_that_cannot_take_them_are_refused_before_any_question(civic, dispatcher, domain, whose):
    number = "20261118-0999" if whose == "unknown" else report(
        civic, reporter="r-1" if whose == "own-closed" else "r-2").number
    if whose == "own-closed":
        resolve(civic, number)
    if whose == "followed":
        follow(civic, number)
    events = run(ActionStartDetail(), dispatcher, make_tracker("/add_detail", "add_detail", case_id(number)), domain)
    said = "不能再补充了" if whose == "own-closed" else "没有找到您反映的工单"
    assert said in texts(dispatcher) and stops(events) and slot_events(events)["detail_case"] is None


def test_add_detail_with_no_case_to_add_to_starts_no_form(civic, dispatcher, domain):
    events = run(ActionStartDetail(), dispatcher, make_tracker("我要补充情况", "add_detail"), domain)
    assert stops(events)


def test_nothing_to_submit(civic, dispatcher, domain):
    events = run(ActionSubmitDetail(), dispatcher, make_tracker("x", slots={"detail_case": None}), domain)
    assert dispatcher.messages == [] and slot_events(events)["detail_text"] is None


# --- rating -------------------------------------------------------------------------------------


def test_rating_picks_the_only_resolved_case(civic, dispatcher, domain):
    mine = report(civic)
    resolve(civic, mine.number)
    events = run(ActionStartRating(), dispatcher, make_tracker("评价一下", "rate_case"), domain)
    slots = slot_events(events)
    assert slots["rate_case"] == mine.number and slots["solved"] is None
    assert dispatcher.messages == []


def test_a_solved_button_is_kept_when_rating_starts(civic, dispatcher, domain):
    mine = report(civic)
    resolve(civic, mine.number)
    tracker = make_tracker("/rate_case", "rate_case", case_id(mine.number) + pick("solved"))
    slots = slot_events(run(ActionStartRating(), dispatcher, tracker, domain))
    assert slots.get("solved", "solved") == "solved" and slots["rate_case"] == mine.number


def test_rating_with_nothing_to_rate(civic, dispatcher, domain):
    report(civic)
    slots = slot_events(run(ActionStartRating(), dispatcher, make_tracker("评价", "rate_case"), domain))
    assert slots["rate_case"] is None and "没有待评价的工单" in texts(dispatcher)
    assert call(ValidateRatingForm().required_slots(RATING_SLOTS, dispatcher, make_tracker("x"), domain)) == []


def test_a_case_that_is_not_resolved_cannot_be_rated(civic, dispatcher, domain):
    mine = report(civic)
    slots = slot_events(run(ActionStartRating(), dispatcher,
                            make_tracker("/rate_case", "rate_case", case_id(mine.number)), domain))
    assert slots["rate_case"] is None and "不能评价" in texts(dispatcher)


@pytest.mark.parametrize("whose, said", [
    ("own-open", "还在办理中"), ("someone-elses", "没有找到您反映的工单"), ("own-closed", "不能评价了"),
])
def test_a_case_that_cannot_be_rated_says_why_and_starts_no_form(civic, dispatcher, domain, whose, said):
    case = report(civic, reporter="r-2" if whose == "someone-elses" else "r-1")
    if whose != "own-open":
        resolve(civic, case.number)
    if whose == "own-closed":
        run(ActionSubmitRating(), dispatcher, make_tracker("x", slots={
            "rate_case": case.number, "solved": "solved", "satisfaction": "satisfied"}), domain)
        dispatcher.messages.clear()
    events = run(ActionStartRating(), dispatcher,
                 make_tracker("/rate_case", "rate_case", case_id(case.number)), domain)
    assert said in texts(dispatcher) and stops(events) and slot_events(events)["rate_case"] is None


def test_rating_with_several_resolved_cases_asks_which(civic, dispatcher, domain):
    for description, address in (("望江花园3号楼楼道灯坏了", "望江花园3号楼"), ("和平里5号楼门锁坏了", "和平里5号楼")):
        resolve(civic, report(civic, description=description, address=address).number)
    slots = slot_events(run(ActionStartRating(), dispatcher, make_tracker("评价", "rate_case"), domain))
    assert slots["rate_case"] is None and len(payloads(dispatcher)) == 2


def test_the_rating_questions(civic, dispatcher, domain):
    run(AskSolved(), dispatcher, make_tracker("x", slots={"rate_case": "20261118-0001"}), domain)
    run(AskSatisfaction(), dispatcher, make_tracker("x"), domain)
    assert "工单 20261118-0001 已办结" in texts(dispatcher)
    assert payloads(dispatcher) == ['/rate_case{"case_id": "20261118-0001", "choice": "solved"}',
                                    '/rate_case{"case_id": "20261118-0001", "choice": "unsolved"}',
                                    '/inform{"choice": "satisfied"}', '/inform{"choice": "basically_satisfied"}',
                                    '/inform{"choice": "dissatisfied"}']


@pytest.mark.parametrize("said,expected", [("没解决", "unsolved"), ("还没修好", "unsolved"), ("解决了", "solved"),
                                           ("已经好了", "solved"), ("啥", None)])
def test_was_it_solved(civic, dispatcher, domain, said, expected):
    updates = ValidateRatingForm().validate_solved(said, dispatcher, make_tracker(said), domain)
    assert updates["solved"] == expected


@pytest.mark.parametrize("said,expected", [("不满意", "dissatisfied"), ("基本满意", "basically_satisfied"),
                                           ("还行吧", "basically_satisfied"), ("很满意", "satisfied"), ("嗯", None)])
def test_how_satisfied(civic, dispatcher, domain, said, expected):
    updates = ValidateRatingForm().validate_satisfaction(said, dispatcher, make_tracker(said), domain)
    assert updates["satisfaction"] == expected


def test_a_reason_is_asked_only_when_unsolved_or_dissatisfied(civic, dispatcher, domain):
    form = ValidateRatingForm()

    def required(**slots):
        return call(form.required_slots(RATING_SLOTS, dispatcher,
                                        make_tracker("x", slots={"rate_case": "20261118-0001", **slots}), domain))

    assert required(solved="solved", satisfaction="satisfied") == ["solved", "satisfaction"]
    assert required(solved="unsolved") == RATING_SLOTS
    assert required(solved="solved", satisfaction="dissatisfied") == RATING_SLOTS
    assert ValidateRatingForm().validate_rate_reason("x", dispatcher, make_tracker("x"), domain)["rate_reason"] is None


def test_unsolved_then_dissatisfied_then_a_reason_reopens_and_reroutes(civic, dispatcher, domain):
    mine = report(civic)
    resolve(civic, mine.number)
    form = ValidateRatingForm()
    slots = {"rate_case": mine.number}
    for slot, said in (("solved", "没解决"), ("satisfaction", "不满意"), ("rate_reason", "灯还是不亮")):
        tracker = make_tracker(said, active_loop="rating_form", requested_slot=slot, slots=slots,
                               candidates={slot: said})
        events = run(form, dispatcher, tracker, domain)
        slots.update(slot_events(events))
    assert (slots["solved"], slots["satisfaction"], slots["rate_reason"]) == ("unsolved", "dissatisfied", "灯还是不亮")
    still = call(form.required_slots(RATING_SLOTS, dispatcher, make_tracker("x", slots=slots), domain))
    assert still == RATING_SLOTS and all(slots[s] for s in still)  # the form is done

    events = run(ActionSubmitRating(), dispatcher, make_tracker("灯还是不亮", slots=slots,
                                                                now="2026-11-18T15:00:00+08:00"), domain)
    case = stored_case(civic, mine.number)
    assert case.state.value == "dispatched" and history(civic, mine.number)[-2:] == ["reopened", "routed"]
    assert case.history[-2].note == "灯还是不亮"
    said = texts(dispatcher)
    assert f"工单 {mine.number} 已重新办理" in said and "望江社区第一网格的物业/房管专员" in said
    assert "前联系您" in said and "前办结" in said
    assert all(value is None for value in slot_events(events).values())


def test_solved_and_satisfied_closes_the_case(civic, dispatcher, domain):
    mine = report(civic)
    resolve(civic, mine.number)
    run(ActionSubmitRating(), dispatcher, make_tracker("满意", slots={
        "rate_case": mine.number, "solved": "solved", "satisfaction": "satisfied"}), domain)
    assert "谢谢您的评价" in texts(dispatcher) and "已关闭" in texts(dispatcher)
    assert stored_case(civic, mine.number).state.value == "closed"


def test_a_second_rating_is_refused(civic, dispatcher, domain):
    mine = report(civic)
    resolve(civic, mine.number)
    rated = {"rate_case": mine.number, "solved": "solved", "satisfaction": "satisfied"}
    run(ActionSubmitRating(), dispatcher, make_tracker("满意", slots=rated), domain)
    run(ActionSubmitRating(), dispatcher, make_tracker("满意", slots=rated), domain)
    assert "不能评价了" in texts(dispatcher)


def test_an_incomplete_rating_submits_nothing(civic, dispatcher, domain):
    mine = report(civic)
    resolve(civic, mine.number)
    run(ActionSubmitRating(), dispatcher, make_tracker("x", slots={"rate_case": mine.number, "solved": "solved"}),
        domain)
    assert dispatcher.messages == [] and stored_case(civic, mine.number).state.value == "resolved"


def test_only_the_reporter_may_rate_even_with_the_case_number(civic, dispatcher, domain):
    theirs = report(civic, reporter="r-2")
    resolve(civic, theirs.number)
    run(ActionSubmitRating(), dispatcher, make_tracker("x", slots={
        "rate_case": theirs.number, "solved": "solved", "satisfaction": "satisfied"}), domain)
    assert "不能评价" in texts(dispatcher)
    assert stored_case(civic, theirs.number).state.value == "resolved"
