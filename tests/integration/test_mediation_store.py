"""Mediation bookings stored for real, on SQLite and PostgreSQL."""
import datetime as dt
import json
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import func, select

from civic.adapters.tables import outbox
from civic.adapters.tables_mediation import booking_slots, bookings
from civic.domain.actors import Actor
from civic.domain.commands import Sign
from civic.domain.errors import CaseNotFound, NotAllowed
from civic.domain.mediation import (BookingNotFound, InThePast, OutsideOfficeHours, SlotTaken,
                                    UnknownMediator)
from civic.services import cases as case_handlers
from civic.services import commands
from civic.services import mediation as handlers
from races import run_at_once

SHANGHAI = ZoneInfo("Asia/Shanghai")
NOW = dt.datetime(2026, 11, 18, 2, 0, tzinfo=dt.timezone.utc)  # Wednesday 10:00 Shanghai
THURSDAY = dt.date(2026, 11, 19)


def at(hour, minute=0, day=THURSDAY):
    return dt.datetime.combine(day, dt.time(hour, minute), tzinfo=SHANGHAI)


def book(civic, resident="r-1", mediator_id=None, mode="in_person", starts_at=None, now=NOW, **kw):
    kw.setdefault("dispute", "楼上卫生间漏水到我家，协商不成")
    kw.setdefault("other_party_name", "李四")
    with civic.uow() as uow:
        return handlers.book(uow, civic.services, actor=Actor.resident(resident),
                             mediator_id=mediator_id, mode=mode, starts_at=starts_at or at(9, 30),
                             now=now, **kw)


def slots(civic, mode="in_person", mediator_id=None, day=THURSDAY, now=NOW):
    with civic.uow() as uow:
        return handlers.available_slots(uow, civic.services, day=day, mode=mode,
                                        mediator_id=mediator_id, now=now)


def staff(civic, staff_id):
    return case_handlers.staff_actor(civic.services.district, staff_id)


def starts(found):
    return [f"{s.starts_at.astimezone(SHANGHAI):%H:%M}" for s in found]


def stored(civic, booking_id):
    with civic.uow() as uow:
        return uow.bookings.get(booking_id)


def claims(civic):
    with civic.engine.connect() as conn:
        return sorted((r.resource, r.booking_id) for r in conn.execute(select(booking_slots)))


def booking_events(civic):
    with civic.engine.connect() as conn:
        rows = conn.execute(select(outbox.c.name, outbox.c.payload)
                            .where(outbox.c.name.like("booking_%")).order_by(outbox.c.id))
        return [(name, json.loads(payload)) for name, payload in rows]


# --- slots ----------------------------------------------------------------------------


def test_slots_are_offered_in_office_hours_on_working_days_only(civic):
    found = slots(civic)
    assert starts(found) == ["08:30", "09:30", "10:30", "13:30", "14:30", "15:30", "16:30"]
    assert all(civic.services.calendar.is_office_time(s.starts_at) for s in found)
    assert all(civic.services.calendar.is_office_time(s.ends_at - dt.timedelta(minutes=1))
               for s in found)
    assert slots(civic, day=dt.date(2026, 11, 21)) == []  # Saturday


def test_todays_slots_that_have_begun_are_not_offered(civic):
    assert starts(slots(civic, day=NOW.date())) == ["10:30", "13:30", "14:30", "15:30", "16:30"]


def test_a_booked_mediator_is_not_offered_at_that_time(civic):
    book(civic, mediator_id="md-shen")
    assert "09:30" not in starts(slots(civic, mediator_id="md-shen"))
    nine_thirty = slots(civic)[1]
    assert nine_thirty.mediator_ids == ("md-lu", "md-qian") and nine_thirty.room_ids == ("room-2",)


def test_an_unknown_mediator_is_refused(civic):
    with pytest.raises(UnknownMediator):
        slots(civic, mediator_id="md-nobody")


# --- booking --------------------------------------------------------------------------


def test_a_booking_is_stored_with_its_slot_claimed_and_announced_to_its_mediator(civic):
    made = book(civic, mediator_id="md-lu", other_party_phone="138 0013 8000")
    again = stored(civic, made.id)
    assert (again.mediator_id, again.room_id, again.state, again.version) == (
        "md-lu", "room-1", "booked", 1)
    assert again.starts_at == at(9, 30) and again.ends_at == at(10, 30)
    assert again.other_party_phone == "13800138000"
    assert claims(civic) == [("mediator:md-lu", made.id), ("room:room-1", made.id)]
    [(name, data)] = booking_events(civic)
    assert name == "booking_created" and data["mediator_id"] == "md-lu"
    assert data["resident_id"] == "r-1" and "other_party_phone" not in data


def test_a_booking_in_the_past_is_refused_saying_so_and_nothing_is_kept(civic):
    with pytest.raises(InThePast, match="already begun"):
        book(civic, starts_at=at(8, 30, NOW.date()))
    assert claims(civic) == [] and booking_events(civic) == []


def test_a_booking_at_eight_in_the_evening_is_refused_as_outside_office_hours(civic):
    with pytest.raises(OutsideOfficeHours, match="20:00 is outside office hours"):
        book(civic, starts_at=at(20))
    assert claims(civic) == [] and booking_events(civic) == []


def test_any_mediator_means_one_with_a_free_calendar(civic):
    book(civic, resident="r-1", mediator_id="md-lu")
    book(civic, resident="r-2", mediator_id="md-qian", mode="online")
    anyone = book(civic, resident="r-3", mediator_id=None, mode="online")
    assert anyone.mediator_id == "md-shen"
    with pytest.raises(SlotTaken, match="every mediator"):
        book(civic, resident="r-4", mediator_id=None, mode="online")


def test_any_mediator_of_a_speciality_is_one_who_takes_that_kind_of_dispute(civic):
    made = book(civic, mediator_id=None, speciality="labour", dispute="老板拖欠三个月工资")
    assert made.mediator_id == "md-qian"


def test_a_chosen_mediator_who_is_booked_is_refused_with_slot_taken(civic):
    book(civic, resident="r-1", mediator_id="md-shen")
    with pytest.raises(SlotTaken, match="mediator:md-shen"):
        book(civic, resident="r-2", mediator_id="md-shen", mode="online")


@pytest.mark.parametrize("starts_at, reason", [
    (at(9, 30, day=dt.date(2026, 11, 18)), "past"),  # 09:30 today, before 10:00
    (at(9, 30, day=dt.date(2026, 11, 21)), "outside_office_hours"),  # a Saturday
    (at(20), "outside_office_hours"),
    (at(10), "not_a_slot"),  # slots start at half past
    (at(9, 30), "taken"),  # md-shen is booked then
])
def test_a_time_that_cannot_be_booked_is_refused_with_the_domains_reason(civic, starts_at, reason):
    book(civic, mediator_id="md-shen")
    with civic.uow() as uow:
        refused = handlers.slot_refusal(uow, civic.services, starts_at=starts_at, mode="in_person",
                                        mediator_id="md-shen", now=NOW)
        free = handlers.slot_refusal(uow, civic.services, starts_at=at(10, 30), mode="in_person",
                                     mediator_id="md-shen", now=NOW)
    assert refused.reason == reason and refused.detail
    assert free is None


def test_online_needs_no_room_when_both_rooms_are_taken(civic):
    book(civic, resident="r-1")
    book(civic, resident="r-2")
    with pytest.raises(SlotTaken, match="every room"):
        book(civic, resident="r-3")
    online = book(civic, resident="r-3", mode="online")
    assert online.room_id is None and online.mode == "online"
    assert len(claims(civic)) == 5  # three mediators, two rooms


def test_a_booking_can_only_link_the_residents_own_case(civic):
    with civic.uow() as uow:
        case = case_handlers.report_case(uow, civic.services, actor=Actor.resident("r-9"),
                                         category="dispute", description="邻居装修噪音太大",
                                         address="望江花园3号楼", now=NOW).case
    with pytest.raises(CaseNotFound):
        book(civic, resident="r-1", case_number=case.number)


def test_staff_cannot_book_for_themselves(civic):
    with civic.uow() as uow, pytest.raises(NotAllowed):
        handlers.book(uow, civic.services, actor=staff(civic, "gw-wj-01"), mediator_id=None,
                      mode="online", starts_at=at(9, 30), dispute="测试", other_party_name="李四",
                      now=NOW)


# --- changes --------------------------------------------------------------------------


def test_rescheduling_frees_the_old_slot_and_takes_the_new_one(civic):
    made = book(civic, mediator_id="md-shen")
    with civic.uow() as uow:
        moved = handlers.reschedule(uow, civic.services, actor=Actor.resident("r-1"),
                                    booking_id=made.id, starts_at=at(14, 30), now=NOW)
    assert stored(civic, made.id).starts_at == at(14, 30) and moved.version == 2
    assert "09:30" in starts(slots(civic, mediator_id="md-shen"))
    assert "14:30" not in starts(slots(civic, mediator_id="md-shen"))
    book(civic, resident="r-2", mediator_id="md-shen")  # the old slot, free again
    with pytest.raises(SlotTaken):
        book(civic, resident="r-3", mediator_id="md-shen", starts_at=at(14, 30))
    assert [n for n, _ in booking_events(civic)] == [
        "booking_created", "booking_rescheduled", "booking_created"]


def test_rescheduling_into_a_taken_slot_changes_nothing(civic):
    mine = book(civic, resident="r-1", mediator_id="md-shen")
    book(civic, resident="r-2", mediator_id="md-shen", starts_at=at(14, 30))
    with civic.uow() as uow, pytest.raises(SlotTaken):
        handlers.reschedule(uow, civic.services, actor=Actor.resident("r-1"), booking_id=mine.id,
                            starts_at=at(14, 30), now=NOW)
    assert stored(civic, mine.id).starts_at == at(9, 30)
    assert ("mediator:md-shen", mine.id) in claims(civic)


def test_cancelling_frees_the_slot_at_once(civic):
    made = book(civic, mediator_id="md-shen")
    with civic.uow() as uow:
        handlers.cancel(uow, civic.services, actor=Actor.resident("r-1"), booking_id=made.id,
                        now=NOW, reason="已私下和解")
    assert stored(civic, made.id).state == "cancelled"
    assert claims(civic) == []
    again = book(civic, resident="r-2", mediator_id="md-shen")
    assert again.room_id == "room-1"
    assert booking_events(civic)[1][0] == "booking_cancelled"
    assert booking_events(civic)[1][1]["mediator_id"] == "md-shen"


def test_another_resident_cannot_see_or_cancel_a_booking(civic):
    made = book(civic)
    with civic.uow() as uow, pytest.raises(BookingNotFound):
        handlers.cancel(uow, civic.services, actor=Actor.resident("r-2"), booking_id=made.id, now=NOW)
    with civic.uow() as uow:
        assert [b.id for b in handlers.bookings_for(uow, actor=Actor.resident("r-1"))] == [made.id]
        assert handlers.bookings_for(uow, actor=Actor.resident("r-2")) == []


def test_the_command_centre_may_cancel_a_booking(civic):
    made = book(civic)
    with civic.uow() as uow:
        handlers.cancel(uow, civic.services, actor=staff(civic, "cc-liang"), booking_id=made.id,
                        now=NOW)
    assert stored(civic, made.id).state == "cancelled"


# --- outcomes -------------------------------------------------------------------------


def record(civic, actor, booking_id, outcome="settled", now=None):
    with civic.uow() as uow:
        return handlers.record_outcome(uow, civic.services, actor=actor, booking_id=booking_id,
                                       outcome=outcome, now=now or at(10, 30))


def test_the_outcome_is_recorded_by_the_bookings_mediator_only(civic):
    made = book(civic, mediator_id="md-shen")
    with pytest.raises(NotAllowed):
        record(civic, Actor.resident("r-1"), made.id)
    with pytest.raises(BookingNotFound):
        record(civic, staff(civic, "md-lu"), made.id)
    with pytest.raises(NotAllowed):
        record(civic, staff(civic, "gw-wj-01"), made.id)
    assert stored(civic, made.id).state == "booked"
    done = record(civic, staff(civic, "md-shen"), made.id, "not_settled")
    again = stored(civic, made.id)
    assert (again.state, again.outcome) == ("done", "not_settled") == (done.state, done.outcome)
    name, data = booking_events(civic)[-1]
    assert name == "booking_outcome" and data["outcome"] == "not_settled"
    assert data["mediator_id"] == "md-shen"


def test_a_linked_case_gets_the_outcome_as_a_note_from_its_assigned_mediator(civic):
    with civic.uow() as uow:
        case = case_handlers.report_case(uow, civic.services, actor=Actor.resident("r-1"),
                                         category="dispute", description="楼上漏水到我家",
                                         address="望江花园3号楼", now=NOW).case
    assert case.assignee_id == "md-lu"
    with civic.uow() as uow:
        commands.handle(uow, civic.services, Sign(case.number, staff(civic, "md-lu"), NOW))
    made = book(civic, mediator_id="md-lu", case_number=case.number)
    record(civic, staff(civic, "cc-liang"), made.id, "settled")
    with civic.uow() as uow:
        history = uow.cases.get(case.number).history
    assert (history[-1].action, history[-1].actor_id) == ("progress", "md-lu")
    assert "调解成功" in history[-1].note
    assert booking_events(civic)[-1][1]["case_noted"] is True


def test_a_linked_case_of_someone_else_only_hears_of_the_outcome_through_the_event(civic):
    with civic.uow() as uow:
        case = case_handlers.report_case(uow, civic.services, actor=Actor.resident("r-1"),
                                         category="dispute", description="楼上漏水到我家",
                                         address="望江花园3号楼", now=NOW).case
    made = book(civic, mediator_id="md-shen", case_number=case.number)
    record(civic, staff(civic, "md-shen"), made.id, "referred_to_court")
    with civic.uow() as uow:
        assert [h.action for h in uow.cases.get(case.number).history] == ["received", "routed"]
    data = booking_events(civic)[-1][1]
    assert (data["case_number"], data["case_noted"], data["outcome"]) == (
        case.number, False, "referred_to_court")


# --- races (PostgreSQL) ---------------------------------------------------------------


def test_two_residents_taking_the_last_slot_at_once_make_exactly_one_booking(postgres):
    book(postgres, resident="r-1", mediator_id="md-lu", mode="online")
    book(postgres, resident="r-2", mediator_id="md-qian", mode="online")
    results = run_at_once([lambda: book(postgres, resident="r-3", mode="online"),
                           lambda: book(postgres, resident="r-4", mode="online")])
    wins = [r for r in results if not isinstance(r, Exception)]
    losses = [r for r in results if isinstance(r, Exception)]
    assert len(wins) == 1 and wins[0].mediator_id == "md-shen"
    assert len(losses) == 1 and isinstance(losses[0], SlotTaken)
    with postgres.engine.connect() as conn:
        assert conn.execute(select(func.count()).select_from(bookings)).scalar_one() == 3
    assert len(claims(postgres)) == 3


def test_two_residents_taking_the_last_room_at_once_make_exactly_one_booking(postgres):
    book(postgres, resident="r-1", mediator_id="md-lu")
    results = run_at_once([lambda: book(postgres, resident="r-2"),
                           lambda: book(postgres, resident="r-3")])
    losses = [r for r in results if isinstance(r, Exception)]
    assert len(losses) == 1 and isinstance(losses[0], SlotTaken)
    rooms = [resource for resource, _ in claims(postgres) if resource.startswith("room:")]
    assert rooms == ["room:room-1", "room:room-2"]


def test_many_residents_at_once_never_double_book_and_losers_try_the_next_mediator(postgres):
    results = run_at_once([(lambda i=i: book(postgres, resident=f"r-{i}", mode="online"))
                           for i in range(10)])
    wins = [r for r in results if not isinstance(r, Exception)]
    assert sorted(w.mediator_id for w in wins) == ["md-lu", "md-qian", "md-shen"]
    assert all(isinstance(r, SlotTaken) for r in results if isinstance(r, Exception))
    assert len(booking_events(postgres)) == 3
