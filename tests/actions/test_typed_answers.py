"""Answers typed, not only pressed: every question with buttons understands the typed
answer (a button's label counts as its press), and 解决了/没解决 typed after the
resolved notice rates the case awaiting a rating."""
import datetime as dt

import pytest
from rasa_sdk.executor import CollectingDispatcher

from actions import texts as words
from actions.cases import ActionStartRating, ActionSubmitRating, AskSolved, ValidateRatingForm
from actions.common import choice, typed_press, yes_or_no
from actions.handoff import ActionNotUnderstood
from actions.mediation import (ActionMyBookings, AskBookingConfirmed, AskMediator, AskSlotStart,
                               ValidateMediationForm)
from actions.points import AskRedeemConfirmed, AskReward, ValidateRedeemForm
from actions.questions import ASK_ACTIONS
from actions.report import AskCategory, AskContactPhone, AskDuplicateChoice, AskReportConfirmed, ValidateReportForm
from actions.welcome import ActionAnswerPending, ActionCancel, ActionWhatToDo
from action_support import (NOW, SHANGHAI, at, award, make_tracker, payloads, report, resolve, run, set_profile,
                            slot_events, stored_case, texts, user_event)
from civic.domain.actors import Actor
from civic.services import mediation as bookings_service

THURSDAY_1430 = "2026-11-19T14:30:00+08:00"


def book(civic, resident="r-1"):
    with civic.uow() as uow:
        return bookings_service.book(uow, civic.services, actor=Actor.resident(resident), mediator_id="md-shen",
                                     mode="in_person", starts_at=at(THURSDAY_1430), dispute="楼上漏水到我家",
                                     other_party_name="李四", now=at(NOW))


def bookings(civic, resident="r-1"):
    with civic.uow() as uow:
        return bookings_service.bookings_for(uow, actor=Actor.resident(resident))


def asked(action, domain, text="上一句", **kw) -> list[dict]:
    """The events of a question just asked: the resident's previous message, then what
    ``action`` said (its buttons as the tracker keeps them)."""
    said = CollectingDispatcher()
    run(action, said, make_tracker(text, **kw), domain)
    return [user_event(text, "inform")] + [
        {"event": "bot", "text": m.get("text"), "data": {"buttons": m.get("buttons")}, "timestamp": 0}
        for m in said.messages]


def bot_said(text: str, buttons: list[dict]) -> list[dict]:
    return [user_event("上一句", "inform"), {"event": "bot", "text": text, "data": {"buttons": buttons},
                                              "timestamp": 0}]


def followups(events) -> list[str]:
    return [e["name"] for e in events if e.get("event") == "followup"]


# --- the label of a button just offered is its press ----------------------------------------


def test_a_typed_label_is_the_press_and_older_buttons_are_stale(civic, domain):
    offered = bot_said("?", [{"title": "都可以，帮我安排", "payload": '/inform{"choice": "any"}'},
                             {"title": "11月25日（周三）10:00", "payload": '/inform{"choice": "x"}'}])
    for typed in ("都可以,帮我安排", "都可以，帮我安排。", "11月25日(周三) 10:00"):
        tracker = make_tracker(typed, events=offered)
        assert typed_press(tracker) and choice(tracker) in ("any", "x")
    stale = offered + [user_event("后来一句", "inform")]
    assert choice(make_tracker("都可以，帮我安排", events=stale)) is None
    twice = bot_said("?", [{"title": "取消预约", "payload": '/my_bookings{"choice": "cancel:b-1"}'},
                           {"title": "取消预约", "payload": '/my_bookings{"choice": "cancel:b-2"}'}])
    assert typed_press(make_tracker("取消预约", events=twice)) is None  # which one? not guessed


def test_a_typed_affirm_or_deny_label_is_yes_or_no(civic, domain):
    offered = bot_said("?", [{"title": "确认撤回", "payload": "/affirm"}, {"title": "不撤回", "payload": "/deny"}])
    assert yes_or_no(make_tracker("确认撤回", "withdraw_case", events=offered)) is True
    assert yes_or_no(make_tracker("不撤回", "withdraw_case", events=offered)) is False


# --- the resolved notice "问题解决了吗？" answered by typing -------------------------------------


@pytest.mark.parametrize("action,typed,intent,solved", [
    (ActionWhatToDo, "没解决", "inform", "unsolved"), (ActionAnswerPending, "没有解决", "deny", "unsolved"),
    (ActionNotUnderstood, "还没好", "nlu_fallback", "unsolved"), (ActionWhatToDo, "没修好。", "inform", "unsolved"),
    (ActionAnswerPending, "好了", "affirm", "solved"), (ActionWhatToDo, "解决了", "inform", "solved"),
])
def test_a_typed_notice_answer_rates_the_one_case_awaiting_a_rating(civic, dispatcher, domain, action, typed,
                                                                       intent, solved):
    case = resolve(civic, report(civic).number)
    events = run(action(), dispatcher, make_tracker(typed, intent), domain)
    slots = slot_events(events)
    assert (slots["rate_case"], slots["solved"]) == (case.number, solved)
    assert followups(events) == ["rating_form"] and words.WHAT_TO_DO not in texts(dispatcher)


def test_typed_unsolved_reopens_the_case_as_the_button_does(civic, dispatcher, domain):
    case = resolve(civic, report(civic).number)
    slots = slot_events(run(ActionWhatToDo(), dispatcher, make_tracker("没解决", "inform"), domain))
    slots.update(satisfaction="dissatisfied", rate_reason="灯还是不亮")
    run(ActionSubmitRating(), dispatcher, make_tracker("灯还是不亮", slots=slots), domain)
    assert stored_case(civic, case.number).state.value != "resolved" and "已重新办理" in texts(dispatcher)


def test_with_several_cases_awaiting_a_rating_it_asks_which_keeping_the_answer(civic, dispatcher, domain):
    first = resolve(civic, report(civic).number)
    second = resolve(civic, report(civic, description="和平巷12号路灯不亮", address="和平巷12号").number)
    events = run(ActionWhatToDo(), dispatcher, make_tracker("没解决", "inform"), domain)
    assert words.WHICH_CASE_RATE in texts(dispatcher) and "rating_form" not in followups(events)
    assert set(payloads(dispatcher)) == {f'/rate_case{{"case_id": "{n}", "choice": "unsolved"}}'
                                         for n in (first.number, second.number)}


@pytest.mark.parametrize("typed", ["没解决", "我家门口的路灯坏了好几天了一直没解决呢"])
def test_no_case_awaiting_a_rating_or_a_long_message_is_no_notice_answer(civic, dispatcher, domain, typed):
    if len(typed) > 5:
        resolve(civic, report(civic).number)
    else:
        report(civic)  # open, not resolved
    events = run(ActionWhatToDo(), dispatcher, make_tracker(typed, "inform"), domain)
    assert texts(dispatcher) == words.WHAT_TO_DO and events == []


def test_rating_started_by_typing_keeps_the_typed_answer(civic, dispatcher, domain):
    case = resolve(civic, report(civic).number)
    slots = slot_events(run(ActionStartRating(), dispatcher, make_tracker("没解决", "rate_case"), domain))
    assert (slots["rate_case"], slots["solved"]) == (case.number, "unsolved")


# --- the rating questions ------------------------------------------------------------------


def test_the_solved_question_takes_its_typed_labels_whatever_their_intent(civic, dispatcher, domain):
    case = resolve(civic, report(civic).number)
    offered = asked(AskSolved(), domain, slots={"rate_case": case.number})
    for typed, intent, expected in (("没解决", "deny", "unsolved"), ("解决了", "affirm", "solved"),
                                    ("没有解决", "check_case", "unsolved"), ("还没好", "inform", "unsolved")):
        tracker = make_tracker(typed, intent, events=offered, active_loop="rating_form", requested_slot="solved",
                               slots={"rate_case": case.number})
        assert slot_events(run(ValidateRatingForm(), dispatcher, tracker, domain))["solved"] == expected


@pytest.mark.parametrize("typed,intent,expected", [
    ("满意，谢谢", "thanks", "satisfied"), ("基本满意", "inform", "basically_satisfied"),
    ("不满意", "deny", "dissatisfied"), ("不太满意", "inform", "dissatisfied"),
])
def test_the_satisfaction_question_takes_typed_answers_read_as_thanks(civic, dispatcher, domain, typed, intent,
                                                                       expected):
    tracker = make_tracker(typed, intent, active_loop="rating_form", requested_slot="satisfaction",
                           slots={"rate_case": "20261118-0001", "solved": "solved"})
    assert slot_events(run(ValidateRatingForm(), dispatcher, tracker, domain))["satisfaction"] == expected


# --- the report form -------------------------------------------------------------------------

REPORT = {"category": "repair", "description": "望江花园3号楼楼道灯坏了", "address": "望江花园3号楼",
          "grid_id": "WJ-01"}


@pytest.mark.parametrize("typed,intent", [("跳过", "inform"), ("不留了", "deny"), ("不用了", "cancel"),
                                          ("不用了。", "deny")])
def test_the_phone_is_skipped_by_typing_whatever_the_intent(civic, dispatcher, domain, typed, intent):
    offered = asked(AskContactPhone(), domain)
    tracker = make_tracker(typed, intent, events=offered, active_loop="report_form",
                           requested_slot="contact_phone", slots=REPORT)
    assert slot_events(run(ValidateReportForm(), dispatcher, tracker, domain))["contact_phone"] == "none"


def test_the_remembered_phone_is_used_by_typing_its_label(civic, dispatcher, domain):
    set_profile(civic, phone="13912345678")
    offered = asked(AskContactPhone(), domain)
    label = next(b["title"] for m in offered if m.get("data") for b in m["data"]["buttons"] if "用" in b["title"])
    tracker = make_tracker(label, "nlu_fallback", events=offered, active_loop="report_form",
                           requested_slot="contact_phone", slots=REPORT)
    assert slot_events(run(ValidateReportForm(), dispatcher, tracker, domain))["contact_phone"] == "13912345678"


@pytest.mark.parametrize("typed,expected", [("确认提交", "yes"), ("确认", "yes"), ("对", "yes"), ("好的", "yes"),
                                            ("是的", "yes"), ("修改", None)])
def test_the_report_is_confirmed_by_typing(civic, dispatcher, domain, typed, expected):
    slots = {**REPORT, "contact_phone": "none"}
    offered = asked(AskReportConfirmed(), domain, slots=slots)
    tracker = make_tracker(typed, "inform", events=offered, active_loop="report_form",
                           requested_slot="report_confirmed", slots=slots)
    updates = slot_events(run(ValidateReportForm(), dispatcher, tracker, domain))
    assert updates["report_confirmed"] == expected and (expected or updates["description"] is None)


def test_a_category_and_a_duplicate_choice_by_typed_labels(civic, dispatcher, domain):
    offered = asked(AskCategory(), domain)
    tracker = make_tracker("噪音扰民", "check_points", events=offered, active_loop="report_form",
                           requested_slot="category")
    assert slot_events(run(ValidateReportForm(), dispatcher, tracker, domain))["category"] == "noise"
    slots = {**REPORT, "contact_phone": "none", "report_confirmed": "yes", "duplicates": ["20261118-0001"]}
    offered = asked(AskDuplicateChoice(), domain, slots=slots)
    for typed, expected in (("关注这个工单", "follow"), ("仍然单独登记", "file")):
        tracker = make_tracker(typed, "check_case", events=offered, active_loop="report_form",
                               requested_slot="duplicate_choice", slots=slots)
        assert slot_events(run(ValidateReportForm(), dispatcher, tracker, domain))["duplicate_choice"] == expected


# --- the mediation form ----------------------------------------------------------------------

PARTY = {"dispute": "楼上漏水到我家，赔偿谈不拢", "other_party": "502室王先生"}
SHEN = {**PARTY, "other_phone": "none", "mediator": "md-shen", "mode": "in_person"}


def mediation(typed, intent, slot, slots, events, dispatcher, domain):
    tracker = make_tracker(typed, intent, events=events, active_loop="mediation_form", requested_slot=slot,
                           slots=slots)
    return slot_events(run(ValidateMediationForm(), dispatcher, tracker, domain))


@pytest.mark.parametrize("typed,intent", [("跳过", "inform"), ("不用了", "cancel"), ("不留了", "deny")])
def test_the_other_phone_is_skipped_by_typing(civic, dispatcher, domain, typed, intent):
    offered = asked(ASK_ACTIONS[[a().name() for a in ASK_ACTIONS].index("action_ask_other_phone")](), domain)
    assert mediation(typed, intent, "other_phone", PARTY, offered, dispatcher, domain)["other_phone"] == "none"


@pytest.mark.parametrize("typed,intent,expected", [
    ("沈德明", "book_mediation", "md-shen"), ("都可以，帮我安排", "book_mediation", "any"),
    ("哪个都行", "inform", "any"), ("随便", "inform", "any"), ("都可以", "affirm", "any"),
])
def test_the_mediator_by_typed_name_or_any(civic, dispatcher, domain, typed, intent, expected):
    slots = {**PARTY, "other_phone": "none"}
    offered = asked(AskMediator(), domain)
    assert mediation(typed, intent, "mediator", slots, offered, dispatcher, domain)["mediator"] == expected


def first_offered(events) -> tuple[str, dt.datetime]:
    button = next(b for m in events if m.get("data") for b in m["data"]["buttons"])
    return button["title"], dt.datetime.fromisoformat(button["payload"].split('"choice": "')[1].rstrip('"}'))


def test_a_time_by_its_typed_label_or_as_said(civic, dispatcher, domain):
    offered = asked(AskSlotStart(), domain, slots=SHEN)
    label, starts = first_offered(offered)
    for typed, intent in ((label, "book_mediation"), ("随便", "inform"), ("都可以", "affirm")):
        updates = mediation(typed, intent, "slot_start", SHEN, offered, dispatcher, domain)
        assert dt.datetime.fromisoformat(updates["slot_start"]) == starts
    for typed in ("明天下午2:30", "周四 14:30", "明天 14:30"):
        updates = mediation(typed, "book_mediation", "slot_start", SHEN, offered, dispatcher, domain)
        assert dt.datetime.fromisoformat(updates["slot_start"]) == dt.datetime.fromisoformat(THURSDAY_1430)


def test_a_time_label_with_a_weekday_is_that_time(civic, dispatcher, domain):
    monday = dt.datetime(2026, 11, 23, 9, 30, tzinfo=SHANGHAI)  # labelled "11月23日（周一）09:30"
    label = words.when(monday, dt.datetime(2026, 11, 18, 10, tzinfo=SHANGHAI))
    assert "（周一）" in label
    for typed in (label, "11月23日 09:30"):
        updates = mediation(typed, "inform", "slot_start", SHEN, [], dispatcher, domain)
        assert dt.datetime.fromisoformat(updates["slot_start"]) == monday


@pytest.mark.parametrize("typed,expected", [("确认预约", "yes"), ("好的", "yes"), ("对的", "yes"),
                                            ("重新选时间", None)])
def test_the_booking_is_confirmed_by_typing(civic, dispatcher, domain, typed, expected):
    slots = {**SHEN, "slot_start": THURSDAY_1430}
    offered = asked(AskBookingConfirmed(), domain, slots=slots)
    updates = mediation(typed, "inform", "booking_confirmed", slots, offered, dispatcher, domain)
    assert updates["booking_confirmed"] == expected and (expected or updates["slot_start"] is None)


# --- points, pending yes/no questions, case buttons -----------------------------------------


def test_a_reward_and_its_confirmation_by_typed_labels(civic, dispatcher, domain):
    award(civic)
    offered = asked(AskReward(), domain)
    tracker = make_tracker("毛巾（20分）", "redeem", events=offered, active_loop="redeem_form", requested_slot="reward")
    assert slot_events(run(ValidateRedeemForm(), dispatcher, tracker, domain))["reward"] == "towel"
    offered = asked(AskRedeemConfirmed(), domain, slots={"reward": "towel"})
    for typed, expected in (("确认兑换", "yes"), ("不换了", "no")):
        tracker = make_tracker(typed, "cancel", events=offered, active_loop="redeem_form",
                               requested_slot="redeem_confirmed", slots={"reward": "towel"})
        assert slot_events(run(ValidateRedeemForm(), dispatcher, tracker, domain))["redeem_confirmed"] == expected


def test_a_typed_confirm_cancel_read_as_cancel_cancels_the_booking(civic, dispatcher, domain):
    booking = book(civic, resident="r-1")
    offered = asked(ActionMyBookings(), domain, entities=[{"entity": "choice", "value": f"cancel:{booking.id}"}])
    pending = {"pending": f"cancel_booking:{booking.id}"}
    events = run(ActionCancel(), dispatcher, make_tracker("确认取消", "cancel", events=offered, slots=pending),
                 domain)
    assert bookings(civic)[0].state == "cancelled" and slot_events(events)["pending"] is None


def test_a_typed_case_label_does_what_its_button_does(civic, dispatcher, domain):
    first, second = report(civic), report(civic, description="和平巷12号路灯不亮", address="和平巷12号")
    label = f"{second.number} {words.CATEGORIES['repair']}"
    offered = bot_said(words.WHICH_CASE_TO.format(what=words.HURRY),
                       [{"title": f"{n} {words.CATEGORIES['repair']}", "payload": f'/hurry_case{{"case_id": "{n}"}}'}
                        for n in (first.number, second.number)])
    run(ActionWhatToDo(), dispatcher, make_tracker(label, "inform", events=offered), domain)
    assert f"已催办工单 {second.number}" in texts(dispatcher)


def test_a_typed_case_label_of_which_to_rate_starts_that_rating_with_the_answer(civic, dispatcher, domain):
    first = resolve(civic, report(civic).number)
    second = resolve(civic, report(civic, description="和平巷12号路灯不亮", address="和平巷12号").number)
    offered = asked(ActionWhatToDo(), domain, text="没解决")
    label = f"{second.number} {words.CATEGORIES['repair']}"
    events = run(ActionWhatToDo(), dispatcher, make_tracker(label, "inform", events=offered), domain)
    slots = slot_events(events)
    assert (slots["rate_case"], slots["solved"]) == (second.number, "unsolved") and first.number != second.number
    assert followups(events) == ["rating_form"]


def test_a_typed_case_label_of_which_to_add_details_to_starts_that_form(civic, dispatcher, domain):
    first, second = report(civic), report(civic, description="和平巷12号路灯不亮", address="和平巷12号")
    offered = bot_said(words.WHICH_CASE_DETAIL, [{"title": n, "payload": f'/add_detail{{"case_id": "{n}"}}'}
                                                 for n in (first.number, second.number)])
    events = run(ActionNotUnderstood(), dispatcher, make_tracker(first.number, "nlu_fallback", events=offered),
                 domain)
    assert slot_events(events)["detail_case"] == first.number and followups(events) == ["detail_form"]


def test_a_typed_reschedule_label_read_as_inform_reschedules(civic, dispatcher, domain):
    booking = book(civic, resident="r-1")
    offered = asked(ActionMyBookings(), domain, intent="my_bookings")
    events = run(ActionWhatToDo(), dispatcher, make_tracker(words.RESCHEDULE, "inform", events=offered), domain)
    assert slot_events(events)["reschedule_booking"] == booking.id and followups(events) == ["mediation_form"]


def test_solved_with_thanks_after_the_notice_rates_and_plain_thanks_is_thanked(civic, dispatcher, domain):
    from actions.welcome import SAYINGS
    thanks = next(a for a in SAYINGS if a().name() == "action_thanks")
    case = resolve(civic, report(civic).number)
    events = run(thanks(), dispatcher, make_tracker("解决了，谢谢", "thanks"), domain)
    assert slot_events(events)["solved"] == "solved" and slot_events(events)["rate_case"] == case.number
    said = CollectingDispatcher()
    assert run(thanks(), said, make_tracker("谢谢", "thanks"), domain) == [] and texts(said) == words.THANKS


def test_a_typed_confirmation_read_as_the_errand_itself_confirms(civic, dispatcher, domain):
    from actions.cases import ActionWithdrawCase
    from actions.my_data import ActionMyData
    case = report(civic)
    offered = asked(ActionWithdrawCase(), domain, intent="withdraw_case", entities=[{"entity": "case_id",
                                                                                     "value": case.number}])
    pending = {"pending": f"withdraw:{case.number}"}
    run(ActionWithdrawCase(), dispatcher, make_tracker("确认撤回", "withdraw_case", events=offered, slots=pending),
        domain)
    assert stored_case(civic, case.number).state.value == "withdrawn"
    booking = book(civic)
    offered = asked(ActionMyBookings(), domain, entities=[{"entity": "choice", "value": f"cancel:{booking.id}"}])
    run(ActionMyBookings(), dispatcher, make_tracker("确认取消", "my_bookings", events=offered,
                                                     slots={"pending": f"cancel_booking:{booking.id}"}), domain)
    assert bookings(civic)[0].state == "cancelled"
    set_profile(civic, address="望江花园3号楼")
    offered = asked(ActionMyData(), domain, text="删除我的数据", intent="my_data")
    events = run(ActionMyData(), dispatcher, make_tracker("确认删除", "my_data", events=offered,
                                                          slots={"pending": "delete_data"}), domain)
    assert slot_events(events)["new_address"] == "unchanged" and "forget_conversation" in str(dispatcher.messages)


def test_the_place_is_home_by_typing_its_label(civic, dispatcher, domain):
    from actions.report import AskAddress
    set_profile(civic, address="望江花园3号楼")
    slots = {"category": "repair", "description": "楼道灯坏了一个星期"}
    offered = asked(AskAddress(), domain, slots=slots)
    tracker = make_tracker(words.AT_HOME, "nlu_fallback", events=offered, active_loop="report_form",
                           requested_slot="address", slots=slots)
    assert slot_events(run(ValidateReportForm(), dispatcher, tracker, domain))["address"] == "望江花园3号楼"


def test_the_notice_answer_wins_over_an_older_yes_no_question(civic, dispatcher, domain):
    case = resolve(civic, report(civic).number)
    other = report(civic, description="和平巷12号路灯不亮", address="和平巷12号")
    pending = {"pending": f"withdraw:{other.number}"}
    events = run(ActionAnswerPending(), dispatcher, make_tracker("没解决", "deny", slots=pending), domain)
    slots = slot_events(events)
    assert (slots["rate_case"], slots["solved"], slots["pending"]) == (case.number, "unsolved", None)
    assert stored_case(civic, other.number).state.value != "withdrawn"


def test_a_reward_button_label_typed_starts_redeeming_it(civic, dispatcher, domain):
    from actions.points import ActionShowPoints, ActionStartRedeem
    award(civic)
    offered = asked(ActionShowPoints(), domain, intent="check_points")
    slots = slot_events(run(ActionStartRedeem(), dispatcher, make_tracker("兑换毛巾", "redeem", events=offered),
                            domain))
    assert slots["reward"] == "towel"
