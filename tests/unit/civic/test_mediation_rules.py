"""Mediation rules: slots in office hours, who may change a booking, the district's office."""
from __future__ import annotations

import datetime as dt
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
import yaml

from civic.adapters.district_file import DistrictDataError, district_from_data, load_district
from civic.domain.actors import Actor
from civic.domain.calendar import WorkCalendar
from civic.domain.errors import DomainError, IllegalMove, NotAllowed
from civic.domain.mediation import (Booking, InThePast, InvalidBooking, NotASlot,
                                    OutsideOfficeHours, check_start, clean_phone, free_slots,
                                    slot_starts)

ROOT = Path(__file__).resolve().parents[3]
SHANGHAI = ZoneInfo("Asia/Shanghai")
CALENDAR = WorkCalendar([(dt.time(8, 30), dt.time(12, 0)), (dt.time(13, 30), dt.time(17, 30))])
NOW = dt.datetime(2026, 11, 18, 10, 0, tzinfo=SHANGHAI)  # a Wednesday morning
THURSDAY = dt.date(2026, 11, 19)
MEDIATORS = ("md-lu", "md-qian", "md-shen")
ROOMS = ("room-1", "room-2")


def at(hour: int, minute: int = 0, day: dt.date = THURSDAY) -> dt.datetime:
    return dt.datetime.combine(day, dt.time(hour, minute), tzinfo=SHANGHAI)


def local_times(slots) -> list[str]:
    return [f"{s.starts_at.astimezone(SHANGHAI):%H:%M}" for s in slots]


def booking(mediator="md-shen", room="room-1", start=None, resident="r-1", state="booked",
            booking_id="mb-1") -> Booking:
    start = start or at(9, 30)
    made = Booking.new(id=booking_id, resident_id=resident, mediator_id=mediator, room_id=room,
                       mode="in_person" if room else "online", starts_at=start,
                       ends_at=start + dt.timedelta(hours=1), dispute="楼上漏水到我家，协商不成",
                       other_party_name="李四", other_party_phone=None, case_number=None, at=NOW)
    made.state = state
    return made


def free(bookings=(), mode="in_person", mediator_id=None, day=THURSDAY, now=None):
    return free_slots(CALENDAR, day, 60, MEDIATORS, ROOMS, list(bookings), mode, mediator_id, now=now)


# --- slots and times ----------------------------------------------------------------


def test_a_working_day_has_hour_slots_that_fit_inside_each_office_range():
    starts = slot_starts(CALENDAR, THURSDAY, 60)
    assert [f"{s.astimezone(SHANGHAI):%H:%M}" for s in starts] == [
        "08:30", "09:30", "10:30", "13:30", "14:30", "15:30", "16:30"]
    assert all(s.tzinfo is not None and s.utcoffset() == dt.timedelta(0) for s in starts)


def test_weekends_and_public_holidays_have_no_slots():
    assert slot_starts(CALENDAR, dt.date(2026, 11, 21), 60) == []  # Saturday
    assert slot_starts(CALENDAR, dt.date(2026, 10, 1), 60) == []  # 国庆节


def test_a_booking_in_the_past_is_refused_saying_so():
    with pytest.raises(InThePast, match="already begun"):
        check_start(CALENDAR, at(9, 30, NOW.date()), 60, NOW)


def test_a_booking_at_eight_in_the_evening_is_refused_as_outside_office_hours():
    reason = r"20:00 is outside office hours \(08:30-12:00, 13:30-17:30\)"
    with pytest.raises(OutsideOfficeHours, match=reason):
        check_start(CALENDAR, at(20), 60, NOW)


def test_a_booking_on_a_saturday_is_refused_as_not_a_working_day():
    with pytest.raises(OutsideOfficeHours, match="2026-11-21 is not a working day"):
        check_start(CALENDAR, at(9, 30, dt.date(2026, 11, 21)), 60, NOW)


def test_a_time_between_slot_starts_is_refused_with_the_slots_offered():
    with pytest.raises(NotASlot, match="09:00 is not the start .* 08:30, 09:30"):
        check_start(CALENDAR, at(9), 60, NOW)
    with pytest.raises(NotASlot):  # would run past the lunch break
        check_start(CALENDAR, at(11, 30), 60, NOW)


def test_a_slot_start_gives_the_slot_end():
    assert check_start(CALENDAR, at(14, 30), 60, NOW) == at(15, 30)


def test_every_slot_is_free_on_an_empty_day_with_every_mediator_and_room():
    slots = free()
    assert len(slots) == 7
    assert slots[0].mediator_ids == MEDIATORS and slots[0].room_ids == ROOMS


def test_a_slot_stays_free_while_another_mediator_and_room_are_free():
    slot = free([booking("md-shen", "room-1")])[1]
    assert local_times([slot]) == ["09:30"]
    assert slot.mediator_ids == ("md-lu", "md-qian") and slot.room_ids == ("room-2",)


def test_an_in_person_slot_without_a_free_room_is_not_offered_but_online_still_is():
    taken = [booking("md-shen", "room-1", booking_id="a"), booking("md-lu", "room-2", booking_id="b")]
    assert "09:30" not in local_times(free(taken))
    online = next(s for s in free(taken, mode="online") if local_times([s]) == ["09:30"])
    assert online.mediator_ids == ("md-qian",) and online.room_ids == ()


def test_a_slot_with_every_mediator_booked_is_not_offered():
    taken = [booking(m, None, booking_id=m) for m in MEDIATORS]
    assert "09:30" not in local_times(free(taken, mode="online"))


def test_a_chosen_mediator_is_offered_only_their_own_free_slots():
    slots = free([booking("md-shen", "room-1")], mediator_id="md-shen")
    assert "09:30" not in local_times(slots) and len(slots) == 6
    assert all(s.mediator_ids == ("md-shen",) for s in slots)


def test_the_least_busy_mediator_is_offered_first():
    slot = free([booking("md-lu", None, start=at(8, 30))], mode="online")[-1]
    assert slot.mediator_ids == ("md-qian", "md-shen", "md-lu")


def test_cancelled_bookings_do_not_hold_a_slot():
    assert len(free([booking(state="cancelled")])) == 7


def test_slots_already_begun_today_are_left_out():
    today = free(day=NOW.date(), now=NOW)
    assert local_times(today) == ["10:30", "13:30", "14:30", "15:30", "16:30"]


def test_an_unknown_mode_is_refused():
    with pytest.raises(InvalidBooking, match="unknown mode"):
        free(mode="by_pigeon")


# --- the booking ----------------------------------------------------------------------


def test_a_new_booking_records_an_event_for_its_mediator():
    made = booking()
    assert [e.name for e in made.events] == ["booking_created"]
    assert made.events[0].data["mediator_id"] == "md-shen"
    assert made.resources() == ("mediator:md-shen", "room:room-1")


def test_an_online_booking_occupies_only_its_mediator():
    assert booking(room=None).resources() == ("mediator:md-shen",)


def test_a_booking_needs_a_dispute_in_one_sentence_and_the_other_party():
    with pytest.raises(InvalidBooking, match="what the dispute is about"):
        Booking.new(id="x", resident_id="r", mediator_id="md-lu", room_id=None, mode="online",
                    starts_at=at(9, 30), ends_at=at(10, 30), dispute="  ", other_party_name="李四",
                    other_party_phone=None, case_number=None, at=NOW)
    with pytest.raises(InvalidBooking, match="one sentence"):
        Booking.new(id="x", resident_id="r", mediator_id="md-lu", room_id=None, mode="online",
                    starts_at=at(9, 30), ends_at=at(10, 30), dispute="吵" * 201,
                    other_party_name="李四", other_party_phone=None, case_number=None, at=NOW)
    with pytest.raises(InvalidBooking, match="other party"):
        Booking.new(id="x", resident_id="r", mediator_id="md-lu", room_id=None, mode="online",
                    starts_at=at(9, 30), ends_at=at(10, 30), dispute="邻里噪音", other_party_name="",
                    other_party_phone=None, case_number=None, at=NOW)


def test_a_phone_number_is_kept_as_digits_and_nonsense_is_refused():
    assert clean_phone("+86 138-0013 8000") == "13800138000"
    assert clean_phone("") is None
    with pytest.raises(InvalidBooking):
        clean_phone("call me maybe")


@pytest.mark.parametrize("actor", [Actor.resident("r-1"), Actor("md-shen", "mediator"),
                                   Actor("cc-liang", "command_centre")],
                         ids=["the resident who booked", "its mediator", "the command centre"])
def test_the_booker_its_mediator_or_the_command_centre_may_cancel(actor):
    made = booking()
    made.cancel(actor, NOW, "双方已和解")
    assert made.state == "cancelled"
    assert made.events[-1].name == "booking_cancelled"
    assert made.events[-1].data["actor_id"] == actor.id


@pytest.mark.parametrize("actor", [Actor.resident("r-2"), Actor("md-lu", "mediator"),
                                   Actor("gw-wj-01", "grid_worker")],
                         ids=["another resident", "another mediator", "a grid worker"])
def test_nobody_else_may_cancel_or_reschedule(actor):
    made = booking()
    with pytest.raises(NotAllowed):
        made.cancel(actor, NOW)
    with pytest.raises(NotAllowed):
        made.reschedule(actor, at(14, 30), at(15, 30), "room-2", NOW)
    assert made.state == "booked" and made.starts_at == at(9, 30)


def test_a_cancelled_or_begun_booking_cannot_be_cancelled_or_moved():
    made = booking()
    made.cancel(Actor.resident("r-1"), NOW)
    with pytest.raises(IllegalMove, match="it is cancelled"):
        made.cancel(Actor.resident("r-1"), NOW)
    begun = booking()
    with pytest.raises(IllegalMove, match="already begun"):
        begun.reschedule(Actor.resident("r-1"), at(14, 30), at(15, 30), "room-1", at(9, 45))


def test_rescheduling_moves_the_slot_and_tells_the_mediator_when_it_was():
    made = booking()
    made.reschedule(Actor.resident("r-1"), at(14, 30), at(15, 30), "room-2", NOW)
    assert (made.starts_at, made.room_id) == (at(14, 30), "room-2")
    event = made.events[-1]
    assert event.name == "booking_rescheduled" and event.data["mediator_id"] == "md-shen"
    assert event.data["previous_starts_at"] == at(9, 30).isoformat()


def test_only_its_mediator_or_the_command_centre_records_the_outcome():
    for actor in (Actor.resident("r-1"), Actor("md-lu", "mediator")):
        with pytest.raises(NotAllowed):
            booking().record_outcome(actor, "settled", at(10, 30))
    made = booking()
    made.record_outcome(Actor("md-shen", "mediator"), "settled", at(10, 30))
    assert (made.state, made.outcome) == ("done", "settled")
    assert made.events[-1].data["outcome"] == "settled"
    centre = booking()
    centre.record_outcome(Actor("cc-liang", "command_centre"), "referred_to_court", at(10, 30))
    assert centre.outcome == "referred_to_court"


def test_an_outcome_before_the_meeting_or_of_an_unknown_kind_is_refused():
    mediator = Actor("md-shen", "mediator")
    with pytest.raises(IllegalMove, match="not begun"):
        booking().record_outcome(mediator, "settled", NOW)
    with pytest.raises(InvalidBooking, match="unknown outcome"):
        booking().record_outcome(mediator, "hugged_it_out", at(10, 30))


def test_mediation_errors_are_domain_errors():
    for error in (InThePast, OutsideOfficeHours, NotASlot, InvalidBooking):
        assert issubclass(error, DomainError)


# --- the district's mediation office ----------------------------------------------------


def district_data() -> dict:
    return yaml.safe_load((ROOT / "data" / "district.yml").read_text(encoding="utf-8"))


def mediator_entry(data: dict, staff_id: str) -> dict:
    return next(s for s in data["staff"] if s["id"] == staff_id)


def refusal(data: dict) -> str:
    with pytest.raises(DistrictDataError) as caught:
        district_from_data(data, "district.yml")
    return str(caught.value)


def test_the_real_district_has_three_mediators_with_specialities_and_two_rooms():
    district = load_district(ROOT / "data" / "district.yml")
    mediators = {m.id: m.specialities for m in district.staff_by_role("mediator")}
    assert set(mediators) == {"md-shen", "md-lu", "md-qian"}
    assert all(2 <= len(s) <= 3 for s in mediators.values())
    assert mediators["md-qian"] == frozenset({"labour", "tenancy"})
    assert [(r.id, r.name) for r in district.rooms] == [("room-1", "调解一室"), ("room-2", "调解二室")]
    assert district.slot_minutes == 60


def test_an_unknown_speciality_is_refused_by_name():
    data = district_data()
    mediator_entry(data, "md-lu")["specialities"] = ["family", "gardening"]
    assert "staff md-lu: unknown speciality gardening" in refusal(data)


def test_a_mediator_without_specialities_is_refused():
    data = district_data()
    del mediator_entry(data, "md-qian")["specialities"]
    assert "staff md-qian: no specialities" in refusal(data)


def test_specialities_on_someone_who_is_not_a_mediator_are_refused():
    data = district_data()
    mediator_entry(data, "gw-wj-01")["specialities"] = ["family"]
    assert "staff gw-wj-01: specialities are for mediators only" in refusal(data)


def test_duplicate_room_ids_are_refused():
    data = district_data()
    data["mediation"]["rooms"].append({"id": "room-1", "name": "又一个调解室"})
    assert "mediation: room room-1: duplicate id" in refusal(data)


def test_a_slot_longer_than_every_office_range_is_refused():
    data = district_data()
    data["mediation"]["slot_minutes"] = 300
    assert "mediation: slot_minutes 300 is longer than every office range" in refusal(data)


def test_a_district_without_a_mediation_office_loads_with_no_rooms():
    data = district_data()
    del data["mediation"]
    for member in data["staff"]:
        member.pop("specialities", None)
    district = district_from_data(data)
    assert district.rooms == () and district.slot_minutes == 60
    assert district.staff["md-shen"].specialities == frozenset()
