"""People's mediation: mediation_form (book or reschedule), my bookings, cancel."""
import datetime as dt

import pytest

from actions.mediation import (ActionMyBookings, ActionStartMediation, ActionSubmitBooking,
                               AskBookingConfirmed, AskMediator, AskSlotStart, ValidateMediationForm)
from actions.welcome import ActionAnswerPending
from action_support import (NOW, SHANGHAI, at, call, ent, make_tracker, payloads, pick, report, run,
                            slot_events, texts)
from civic.domain.actors import Actor
from civic.services import mediation

FORM = "mediation_form"
MEDIATION_SLOTS = ["dispute", "other_party", "other_phone", "mediator", "mode", "slot_start",
                   "booking_confirmed"]
THURSDAY_1430 = "2026-11-19T14:30:00+08:00"
CHOSEN = {"dispute": "楼上漏水到我家，赔偿谈不拢", "other_party": "502室王先生", "other_phone": "none",
          "mediator": "md-shen", "mode": "in_person", "slot_start": THURSDAY_1430, "booking_confirmed": "yes"}


def local_button(payload: str) -> str:
    """'/inform{"choice": "<iso>"}' -> '11-19 14:30' in Shanghai time."""
    iso = payload.split('"choice": "')[1].rstrip('"}')
    return f"{dt.datetime.fromisoformat(iso).astimezone(SHANGHAI):%m-%d %H:%M}"


def validate(slot, value, dispatcher, domain, **kw):
    kw.setdefault("requested_slot", slot)
    kw.setdefault("active_loop", FORM)
    kw.setdefault("text", value)
    return getattr(ValidateMediationForm(), f"validate_{slot}")(value, dispatcher, make_tracker(**kw), domain)


def book(civic, resident="r-2", mediator_id="md-shen", starts_at=THURSDAY_1430, mode="in_person"):
    with civic.uow() as uow:
        return mediation.book(uow, civic.services, actor=Actor.resident(resident), mediator_id=mediator_id,
                              mode=mode, starts_at=at(starts_at), dispute="楼上漏水到我家",
                              other_party_name="李四", now=at(NOW))


def bookings(civic, resident="r-1"):
    with civic.uow() as uow:
        return mediation.bookings_for(uow, actor=Actor.resident(resident))


def test_mediation_form_validator_handles_every_required_slot(domain):
    assert domain["forms"][FORM]["required_slots"] == MEDIATION_SLOTS
    for slot in MEDIATION_SLOTS:
        assert callable(getattr(ValidateMediationForm(), f"validate_{slot}"))


# --- action_start_mediation ---------------------------------------------------------------------


def test_asking_for_mediation_starts_an_empty_form(civic, dispatcher, domain):
    events = run(ActionStartMediation(), dispatcher, make_tracker("我想预约调解", "book_mediation",
                                                                  slots={"slot_start": THURSDAY_1430}), domain)
    slots = slot_events(events)
    assert all(slots[s] is None for s in MEDIATION_SLOTS)
    assert "调解免费" in texts(dispatcher)


def test_a_described_dispute_is_kept(civic, dispatcher, domain):
    said = "楼上漏水到我家好几次了，想找调解员调解一下"
    events = run(ActionStartMediation(), dispatcher, make_tracker(said, "book_mediation"), domain)
    assert slot_events(events)["dispute"] == said


def test_booking_from_ones_own_dispute_case_links_it(civic, dispatcher, domain):
    case = report(civic, category="dispute", description="楼上漏水到我家，谈不拢赔偿")
    events = run(ActionStartMediation(), dispatcher,
                 make_tracker("/book_mediation", "book_mediation", [ent("case_id", case.number)]), domain)
    slots = slot_events(events)
    assert (slots["dispute_case"], slots["dispute"]) == (case.number, "楼上漏水到我家，谈不拢赔偿")


def test_someone_elses_case_is_not_linked(civic, dispatcher, domain):
    case = report(civic, reporter="r-2", category="dispute", description="楼上漏水到我家，谈不拢赔偿")
    events = run(ActionStartMediation(), dispatcher,
                 make_tracker("/book_mediation", "book_mediation", [ent("case_id", case.number)]), domain)
    slots = slot_events(events)
    assert slots["dispute_case"] is None and slots["dispute"] is None


def test_rescheduling_keeps_everything_but_the_time(civic, dispatcher, domain):
    booking = book(civic, resident="r-1")
    events = run(ActionStartMediation(), dispatcher, make_tracker(
        "/book_mediation", "book_mediation", pick(f"reschedule:{booking.id}")), domain)
    slots = slot_events(events)
    assert slots["reschedule_booking"] == booking.id
    assert (slots["mediator"], slots["mode"], slots["other_party"], slots["other_phone"]) == (
        "md-shen", "in_person", "李四", "none")
    assert slots["slot_start"] is None and "换个时间" in texts(dispatcher)


def test_rescheduling_asks_only_for_the_time(civic, dispatcher, domain):
    """At activation Rasa validates the prefilled slots with the "改时间" button as the latest message."""
    booking = book(civic, resident="r-1")
    pressed = make_tracker("/book_mediation", "book_mediation", pick(f"reschedule:{booking.id}"))
    started = slot_events(run(ActionStartMediation(), dispatcher, pressed, domain))
    prefilled = {k: v for k, v in started.items() if v is not None and k in MEDIATION_SLOTS}
    tracker = make_tracker("/book_mediation", "book_mediation", pick(f"reschedule:{booking.id}"),
                           active_loop=FORM, slots=started, candidates=prefilled)
    asked = type(dispatcher)()
    slots = slot_events(run(ValidateMediationForm(), asked, tracker, domain))
    assert {k: slots[k] for k in prefilled} == prefilled  # the mode is not asked again
    assert slots["form_failures"] == 0.0 and asked.messages == []


def test_rescheduling_a_booking_that_is_not_ones_own(civic, dispatcher, domain):
    booking = book(civic, resident="r-2")
    events = run(ActionStartMediation(), dispatcher, make_tracker(
        "/book_mediation", "book_mediation", pick(f"reschedule:{booking.id}")), domain)
    assert slot_events(events)["booking_confirmed"] == "none"
    assert "没有找到这个预约" in texts(dispatcher)
    done = make_tracker("x", slots={"booking_confirmed": "none"})
    assert call(ValidateMediationForm().required_slots(MEDIATION_SLOTS, dispatcher, done, domain)) == []
    assert call(ValidateMediationForm().required_slots(MEDIATION_SLOTS, dispatcher, make_tracker("x"),
                                                       domain)) == MEDIATION_SLOTS


# --- the questions -------------------------------------------------------------------------------


def test_the_mediator_question_lists_mediators_with_their_specialities(civic, dispatcher, domain):
    run(AskMediator(), dispatcher, make_tracker("x"), domain)
    said = texts(dispatcher)
    assert "沈德明：擅长邻里纠纷、物业纠纷" in said and "钱立新" in said and "陆慧" in said
    assert "133" not in said  # no phones
    assert sorted(payloads(dispatcher)) == sorted(['/inform{"choice": "md-shen"}', '/inform{"choice": "md-lu"}',
                                                   '/inform{"choice": "md-qian"}', '/inform{"choice": "any"}'])


def test_the_time_question_offers_the_next_free_slots_in_office_hours(civic, dispatcher, domain):
    run(AskSlotStart(), dispatcher, make_tracker("x", slots={"mediator": "md-shen", "mode": "in_person"}), domain)
    offered = [local_button(p) for p in payloads(dispatcher)]
    assert offered == ["11-18 10:30", "11-18 13:30", "11-18 14:30", "11-18 15:30", "11-18 16:30", "11-19 08:30"]
    assert "明天下午两点半" in texts(dispatcher)


def test_the_time_question_on_a_saturday_night_starts_on_monday(civic, dispatcher, domain):
    run(AskSlotStart(), dispatcher, make_tracker("x", slots={"mediator": "any", "mode": "online"},
                                                 now="2026-11-21T22:00:00+08:00"), domain)
    assert local_button(payloads(dispatcher)[0]) == "11-23 08:30"


def test_the_confirmation_shows_the_booking(civic, dispatcher, domain):
    run(AskBookingConfirmed(), dispatcher, make_tracker("x", slots={**CHOSEN, "other_phone": "13812345678"}),
        domain)
    said = texts(dispatcher)
    assert "对方：502室王先生（138****5678）" in said and "调解员：沈德明" in said
    assert "方式：到调解室" in said and "时间：明天14:30" in said
    assert payloads(dispatcher) == ['/inform{"choice": "yes"}', '/inform{"choice": "no"}', "/cancel"]


def test_the_confirmation_when_the_street_chooses_the_mediator(civic, dispatcher, domain):
    run(AskBookingConfirmed(), dispatcher, make_tracker("x", slots={**CHOSEN, "mediator": "any", "mode": "online"}),
        domain)
    assert "调解员：由街道安排" in texts(dispatcher) and "方式：线上视频" in texts(dispatcher)


# --- validate_mediation_form ----------------------------------------------------------------------


@pytest.mark.parametrize("value,ok", [("楼上漏水赔偿谈不拢", True), ("漏水", False), ("/inform", False)])
def test_the_dispute(civic, dispatcher, domain, value, ok):
    assert (validate("dispute", value, dispatcher, domain)["dispute"] == value) is ok


def test_the_other_party_with_a_phone_fills_both(civic, dispatcher, domain):
    said = "502室王先生 13812345678"
    updates = validate("other_party", said, dispatcher, domain, entities=[ent("phone", "13812345678")])
    assert updates == {"other_party": "502室王先生", "form_failures": 0.0, "other_phone": "13812345678"}


def test_the_other_party_too_long(civic, dispatcher, domain):
    assert validate("other_party", "王" * 31, dispatcher, domain)["other_party"] is None
    assert "30字以内" in texts(dispatcher)


@pytest.mark.parametrize("said,entities,expected", [
    ("13912345678", [ent("phone", "13912345678")], "13912345678"),
    ("跳过", [], "none"), ("不知道", [], "none"), ('/inform{"choice": "skip"}', pick("skip"), "none"),
    ("123", [], None),
])
def test_the_other_phone(civic, dispatcher, domain, said, entities, expected):
    assert validate("other_phone", said, dispatcher, domain, entities=entities)["other_phone"] == expected


@pytest.mark.parametrize("said,entities,expected", [
    ('/inform{"choice": "md-lu"}', pick("md-lu"), "md-lu"), ("沈德明吧", [], "md-shen"),
    ("都可以", [], "any"), ('/inform{"choice": "any"}', pick("any"), "any"), ("张三", [], None),
])
def test_the_mediator(civic, dispatcher, domain, said, entities, expected):
    assert validate("mediator", said, dispatcher, domain, entities=entities)["mediator"] == expected


@pytest.mark.parametrize("said,entities,expected", [
    ('/inform{"choice": "online"}', pick("online"), "online"), ("线上视频吧", [], "online"),
    ("当面谈", [], "in_person"), ("随便", [], None),
])
def test_the_mode(civic, dispatcher, domain, said, entities, expected):
    assert validate("mode", said, dispatcher, domain, entities=entities)["mode"] == expected


@pytest.mark.parametrize("said,intent,expected", [
    ("到调解室", "book_mediation", "in_person"), ("线上调解", "book_mediation", "online"),
    ("线上视频", "inform", "online"), ("我想预约调解", "book_mediation", None), ("取消线上", "cancel", None),
])
def test_a_typed_mode_label_answers_the_mode_question_whatever_its_intent(civic, dispatcher, domain, said, intent,
                                                                          expected):
    """A label typed is read as book_mediation, which the domain's mapping leaves out (issue 13)."""
    slots = {k: v for k, v in CHOSEN.items() if k in ("dispute", "other_party", "other_phone", "mediator")}
    tracker = make_tracker(said, intent, active_loop=FORM, requested_slot="mode", slots=slots)
    assert slot_events(run(ValidateMediationForm(), dispatcher, tracker, domain)).get("mode") == expected


SHEN = {"mediator": "md-shen", "mode": "in_person"}


def test_a_typed_free_time_is_taken(civic, dispatcher, domain):
    updates = validate("slot_start", "明天下午两点半", dispatcher, domain, slots=SHEN)
    assert updates == {"slot_start": THURSDAY_1430, "form_failures": 0.0}
    assert dispatcher.messages == []


def test_a_typed_time_between_slots_offers_the_nearest(civic, dispatcher, domain):
    # Slots start at half past (office hours begin 08:30), so 15:00 is no slot of its own.
    updates = validate("slot_start", "明天下午三点", dispatcher, domain, slots=SHEN)
    assert updates == {"slot_start": None, "options_offered": True}
    assert "明天15:00不是预约时段的开始" in texts(dispatcher)
    assert [local_button(p) for p in payloads(dispatcher)] == ["11-19 13:30", "11-19 14:30", "11-19 15:30"]


def test_a_typed_time_someone_took_offers_the_nearest_free_ones(civic, dispatcher, domain):
    book(civic)
    updates = validate("slot_start", "明天下午两点半", dispatcher, domain, slots=SHEN)
    assert updates == {"slot_start": None, "options_offered": True}
    assert "明天14:30已经约满了" in texts(dispatcher)
    offered = [local_button(p) for p in payloads(dispatcher)]
    assert "11-19 14:30" not in offered and {"11-19 13:30", "11-19 15:30"} <= set(offered)


def test_a_time_someone_took_is_free_with_another_mediator(civic, dispatcher, domain):
    book(civic)
    updates = validate("slot_start", "明天下午两点半", dispatcher, domain, slots={"mediator": "any",
                                                                                 "mode": "in_person"})
    assert updates["slot_start"] == THURSDAY_1430


def test_a_typed_half_day_offers_its_free_slots(civic, dispatcher, domain):
    updates = validate("slot_start", "明天上午", dispatcher, domain, slots=SHEN)
    assert updates == {"slot_start": None, "options_offered": True}
    assert [local_button(p) for p in payloads(dispatcher)] == ["11-19 08:30", "11-19 09:30", "11-19 10:30"]


def test_a_half_day_with_one_free_slot_takes_it(civic, dispatcher, domain):
    book(civic, starts_at="2026-11-19T08:30:00+08:00")
    book(civic, starts_at="2026-11-19T09:30:00+08:00")
    updates = validate("slot_start", "明天上午", dispatcher, domain, slots=SHEN)
    assert dt.datetime.fromisoformat(updates["slot_start"]) == at("2026-11-19T10:30:00+08:00")


def test_a_weekend_day_offers_the_nearest_free_times(civic, dispatcher, domain):
    updates = validate("slot_start", "这周六上午", dispatcher, domain, slots=SHEN)
    assert updates["slot_start"] is None
    assert payloads(dispatcher)  # something else is offered


def test_a_time_button_is_taken(civic, dispatcher, domain):
    iso = at(THURSDAY_1430).isoformat()
    updates = validate("slot_start", "/inform", dispatcher, domain, text=f'/inform{{"choice": "{iso}"}}',
                       entities=pick(iso), slots=SHEN)
    assert dt.datetime.fromisoformat(updates["slot_start"]) == at(THURSDAY_1430)


def test_a_stale_time_button_says_the_time_has_passed_and_offers_the_nearest(civic, dispatcher, domain):
    iso = at("2026-11-18T08:30:00+08:00").isoformat()  # 08:30 today; it is 10:00
    updates = validate("slot_start", "/inform", dispatcher, domain, text=f'/inform{{"choice": "{iso}"}}',
                       entities=pick(iso), slots=SHEN)
    assert updates == {"slot_start": None, "options_offered": True}
    assert "今天08:30已经过去了" in texts(dispatcher)
    assert [local_button(p) for p in payloads(dispatcher)] == ["11-18 10:30", "11-18 13:30", "11-18 14:30"]


def test_change_mediator_asks_for_the_mediator_again(civic, dispatcher, domain):
    updates = validate("slot_start", "/inform", dispatcher, domain, text='/inform{"choice": "change_mediator"}',
                       entities=pick("change_mediator"), slots=SHEN)
    assert updates == {"slot_start": None, "mediator": None}


def test_an_unreadable_time_is_asked_again(civic, dispatcher, domain):
    updates = validate("slot_start", "看情况吧", dispatcher, domain, slots=SHEN)
    assert updates["slot_start"] is None and "没看懂这个时间" in texts(dispatcher)


@pytest.mark.parametrize("said,entities,intent,expected", [
    ('/inform{"choice": "yes"}', pick("yes"), "inform", {"booking_confirmed": "yes", "form_failures": 0.0}),
    ("确认", [], "affirm", {"booking_confirmed": "yes", "form_failures": 0.0}),
    ('/inform{"choice": "no"}', pick("no"), "inform", {"booking_confirmed": None, "slot_start": None}),
])
def test_the_confirmation(civic, dispatcher, domain, said, entities, intent, expected):
    assert validate("booking_confirmed", said, dispatcher, domain, entities=entities, intent=intent) == expected


def test_an_unclear_confirmation_is_asked_again(civic, dispatcher, domain):
    assert validate("booking_confirmed", "嗯？", dispatcher, domain)["booking_confirmed"] is None
    assert "确认预约" in texts(dispatcher)


# --- action_submit_booking -------------------------------------------------------------------------


def test_booking_creates_a_booking_and_says_when_who_and_where(civic, dispatcher, domain):
    events = run(ActionSubmitBooking(), dispatcher, make_tracker("确认", "affirm", slots=CHOSEN), domain)
    [booking] = bookings(civic)
    assert booking.state == "booked" and booking.mediator_id == "md-shen"
    assert booking.starts_at == at(THURSDAY_1430) and booking.other_party_phone is None
    said = texts(dispatcher)
    assert "预约成功" in said and "时间：明天14:30" in said and "调解员：沈德明" in said
    assert "人民调解室（调解" in said and f"预约号：{booking.id}" in said
    assert all(value is None for value in slot_events(events).values())


def test_an_online_booking_with_any_mediator(civic, dispatcher, domain):
    run(ActionSubmitBooking(), dispatcher, make_tracker("确认", "affirm", slots={
        **CHOSEN, "mediator": "any", "mode": "online", "other_phone": "13912345678"}), domain)
    [booking] = bookings(civic)
    assert booking.mode == "online" and booking.room_id is None
    assert booking.other_party_phone == "13912345678"
    assert "线上视频" in texts(dispatcher)


def test_a_booking_from_a_case_is_linked_to_it(civic, dispatcher, domain):
    case = report(civic, category="dispute", description="楼上漏水到我家，谈不拢赔偿")
    run(ActionSubmitBooking(), dispatcher, make_tracker("确认", "affirm", slots={**CHOSEN,
                                                                                "dispute_case": case.number}),
        domain)
    assert bookings(civic)[0].case_number == case.number


def test_a_slot_taken_meanwhile_is_answered_politely(civic, dispatcher, domain):
    book(civic)  # someone else took 14:30 with the same mediator since it was offered
    events = run(ActionSubmitBooking(), dispatcher, make_tracker("确认", "affirm", slots=CHOSEN), domain)
    assert "刚被别人约走了" in texts(dispatcher) and "预约调解" in texts(dispatcher)
    assert bookings(civic) == []
    assert slot_events(events)["slot_start"] is None


def test_a_time_in_the_past_is_not_booked(civic, dispatcher, domain):
    run(ActionSubmitBooking(), dispatcher, make_tracker("确认", "affirm", slots={
        **CHOSEN, "slot_start": "2026-11-18T08:30:00+08:00"}), domain)
    assert "预约没有成功" in texts(dispatcher) and bookings(civic) == []


def test_nothing_is_booked_without_a_confirmation(civic, dispatcher, domain):
    run(ActionSubmitBooking(), dispatcher, make_tracker("x", slots={**CHOSEN, "booking_confirmed": "none"}), domain)
    assert bookings(civic) == [] and dispatcher.messages == []


def test_rescheduling_moves_the_booking(civic, dispatcher, domain):
    booking = book(civic, resident="r-1")
    later = "2026-11-20T09:30:00+08:00"
    run(ActionSubmitBooking(), dispatcher, make_tracker("确认", "affirm", slots={
        **CHOSEN, "slot_start": later, "reschedule_booking": booking.id}), domain)
    [moved] = bookings(civic)
    assert moved.id == booking.id and moved.starts_at == at(later)
    assert "预约成功" in texts(dispatcher) and "后天09:30" in texts(dispatcher)


# --- my bookings and cancel -----------------------------------------------------------------------


def test_no_bookings(civic, dispatcher, domain):
    run(ActionMyBookings(), dispatcher, make_tracker("我的预约", "my_bookings"), domain)
    assert "没有待进行的调解预约" in texts(dispatcher)


def test_my_bookings_lists_upcoming_bookings_with_reschedule_and_cancel(civic, dispatcher, domain):
    mine = book(civic, resident="r-1")
    book(civic, resident="r-2", mediator_id="md-lu")
    run(ActionMyBookings(), dispatcher, make_tracker("我的预约", "my_bookings"), domain)
    assert texts(dispatcher) == f"明天14:30 到调解室，调解员沈德明（预约号 {mine.id}）"
    assert payloads(dispatcher) == [f'/book_mediation{{"choice": "reschedule:{mine.id}"}}',
                                    f'/my_bookings{{"choice": "cancel:{mine.id}"}}']


def test_past_bookings_are_not_listed(civic, dispatcher, domain):
    book(civic, resident="r-1")
    run(ActionMyBookings(), dispatcher, make_tracker("我的预约", "my_bookings", now="2026-11-20T10:00:00+08:00"),
        domain)
    assert "没有待进行的调解预约" in texts(dispatcher)


def test_cancel_asks_to_confirm(civic, dispatcher, domain):
    mine = book(civic, resident="r-1")
    events = run(ActionMyBookings(), dispatcher,
                 make_tracker("/my_bookings", "my_bookings", pick(f"cancel:{mine.id}")), domain)
    assert slot_events(events) == {"pending": f"cancel_booking:{mine.id}"}
    assert "确定取消明天14:30的调解预约吗" in texts(dispatcher)
    assert payloads(dispatcher) == ["/affirm", "/deny"]
    assert bookings(civic)[0].state == "booked"


def test_cancel_of_a_booking_not_ones_own(civic, dispatcher, domain):
    theirs = book(civic, resident="r-2")
    events = run(ActionMyBookings(), dispatcher,
                 make_tracker("/my_bookings", "my_bookings", pick(f"cancel:{theirs.id}")), domain)
    assert events == [] and "没有找到这个预约" in texts(dispatcher)


def test_yes_cancels_the_booking_and_frees_the_slot(civic, dispatcher, domain):
    mine = book(civic, resident="r-1")
    run(ActionAnswerPending(), dispatcher,
        make_tracker("确认取消", "affirm", slots={"pending": f"cancel_booking:{mine.id}"}), domain)
    assert "预约已取消" in texts(dispatcher)
    assert bookings(civic)[0].state == "cancelled"
    assert book(civic, resident="r-3").starts_at == at(THURSDAY_1430)


def test_no_keeps_the_booking(civic, dispatcher, domain):
    mine = book(civic, resident="r-1")
    run(ActionAnswerPending(), dispatcher,
        make_tracker("不取消", "deny", slots={"pending": f"cancel_booking:{mine.id}"}), domain)
    assert "没有做任何改动" in texts(dispatcher) and bookings(civic)[0].state == "booked"


def test_cancelling_twice(civic, dispatcher, domain):
    mine = book(civic, resident="r-1")
    for _ in range(2):
        run(ActionAnswerPending(), dispatcher,
            make_tracker("确认", "affirm", slots={"pending": f"cancel_booking:{mine.id}"}), domain)
    assert "已经不能取消了" in texts(dispatcher)


def test_the_form_after_its_start_action_asks_only_the_first_question(civic, dispatcher, domain):
    # The start action resets every form slot to None; none of those is an answer to reject.
    start = run(ActionStartMediation(), dispatcher, make_tracker("我想预约人民调解", intent="book_mediation"),
                domain)
    dispatcher.messages.clear()
    tracker = make_tracker("我想预约人民调解", intent="book_mediation", active_loop="mediation_form",
                           candidates={e["name"]: e["value"] for e in start if e.get("event") == "slot"})
    events = run(ValidateMediationForm(), dispatcher, tracker, domain)
    assert dispatcher.messages == []
    assert all(e.get("value") is None for e in events if e.get("name") in ("dispute", "mode", "slot_start"))
