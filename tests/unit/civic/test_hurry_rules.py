"""催办 counted once per case per working half-day (issue 13): the worker is told once.

Office hours as data/district.yml has them (08:30-12:00, 13:30-17:30); a 催办 outside
office hours counts for the next half-day. tests/integration/test_hurry_store.py runs
the rule through the store and the outbox.
"""
import datetime as dt

import pytest

from civic.domain import events as ev
from civic.domain.actors import Actor
from civic.domain.calendar import WorkCalendar
from civic.domain.case import AlreadyHurried, Case
from civic.domain.errors import DomainError

SHANGHAI = dt.timezone(dt.timedelta(hours=8))
OFFICE = WorkCalendar([(dt.time(8, 30), dt.time(12)), (dt.time(13, 30), dt.time(17, 30))])
REPORTER = Actor.resident("r-1")
FOLLOWER = Actor.resident("r-2")


def at(text: str) -> dt.datetime:
    """A Shanghai wall-clock time; 2026-11-18 is a Wednesday, 11-20 a Friday."""
    return dt.datetime.fromisoformat(text).replace(tzinfo=SHANGHAI)


class Due:
    sign = at("2026-11-18 11:00")
    contact = at("2026-11-19 09:00")
    resolve = at("2026-11-27 09:00")


def routed_case() -> Case:
    case = Case(number="20261118-0001", reporter_id="r-1", category="repair", tier="ordinary",
                description="楼道灯坏了", address="望江花园3号楼", grid_id="WJ-01",
                community_id="wangjiang", created_at=at("2026-11-18 09:00"))
    case.receive(REPORTER, case.created_at)
    case.route(Actor.system(), "gw-1", (), Due, case.created_at)
    case.follow("r-2", case.created_at)
    case.events.clear()
    return case


def hurry(case, when, actor=REPORTER):
    case.hurry(actor, at(when), OFFICE.half_day)


def hurried(case) -> int:
    return sum(1 for e in case.events if e.name == ev.HURRIED)


def test_eleven_hurries_in_three_hours_tell_the_worker_once():
    case = routed_case()
    hurry(case, "2026-11-18 09:00")
    refused = 0
    for minutes in range(15, 165, 15):  # ten more, every quarter of an hour until 11:45
        with pytest.raises(AlreadyHurried):
            hurry(case, f"2026-11-18 {9 + minutes // 60:02d}:{minutes % 60:02d}")
        refused += 1
    assert refused == 10
    assert hurried(case) == 1
    assert [h.action for h in case.history].count("hurried") == 1


def test_the_afternoon_is_a_new_half_day():
    case = routed_case()
    hurry(case, "2026-11-18 11:50")
    hurry(case, "2026-11-18 13:40")
    assert hurried(case) == 2


def test_a_hurry_in_the_lunch_break_counts_for_the_afternoon():
    case = routed_case()
    hurry(case, "2026-11-18 12:30")
    with pytest.raises(AlreadyHurried):
        hurry(case, "2026-11-18 14:00")
    assert hurried(case) == 1


def test_an_evening_hurry_counts_for_the_next_morning():
    case = routed_case()
    hurry(case, "2026-11-18 16:00")
    hurry(case, "2026-11-18 20:00")  # after hours: Thursday morning's
    with pytest.raises(AlreadyHurried) as again:
        hurry(case, "2026-11-19 10:00")
    assert again.value.counts_again == at("2026-11-19 12:00")
    assert hurried(case) == 2


def test_a_friday_evening_hurry_counts_for_monday_morning_and_the_weekend_adds_none():
    case = routed_case()
    hurry(case, "2026-11-20 18:00")
    for when in ("2026-11-21 10:00", "2026-11-22 15:00", "2026-11-23 09:00"):
        with pytest.raises(AlreadyHurried):
            hurry(case, when)
    hurry(case, "2026-11-23 14:00")
    assert hurried(case) == 2


def test_the_reporter_and_a_follower_share_the_case_s_one_hurry():
    case = routed_case()
    hurry(case, "2026-11-18 09:00", FOLLOWER)
    with pytest.raises(AlreadyHurried):
        hurry(case, "2026-11-18 09:30", REPORTER)
    assert hurried(case) == 1


def test_the_refusal_says_by_when_the_resident_hears_back():
    case = routed_case()
    hurry(case, "2026-11-18 09:00")
    with pytest.raises(AlreadyHurried) as again:
        hurry(case, "2026-11-18 09:30")
    # Not yet contacted: the deadline to contact them; a new 催办 counts after 12:00.
    assert again.value.reply_by == Due.contact
    assert again.value.counts_again == at("2026-11-18 12:00")
    assert isinstance(again.value, DomainError)


def test_once_contacted_the_resident_hears_back_by_the_resolve_deadline():
    case = routed_case()
    case.sign(Actor("gw-1", "grid_worker"), at("2026-11-18 09:10"))
    case.contact(Actor("gw-1", "grid_worker"), at("2026-11-18 09:20"))
    hurry(case, "2026-11-18 09:30")
    with pytest.raises(AlreadyHurried) as again:
        hurry(case, "2026-11-18 10:00")
    assert again.value.reply_by == Due.resolve


def test_an_overdue_case_promises_no_passed_deadline():
    case = routed_case()
    hurry(case, "2026-11-19 10:00")  # the contact deadline (09:00) has passed
    with pytest.raises(AlreadyHurried) as again:
        hurry(case, "2026-11-19 11:00")
    assert again.value.reply_by is None
    assert again.value.counts_again == at("2026-11-19 12:00")


def test_a_refused_hurry_changes_nothing():
    case = routed_case()
    hurry(case, "2026-11-18 09:00")
    history, events = list(case.history), list(case.events)
    with pytest.raises(AlreadyHurried):
        hurry(case, "2026-11-18 09:05")
    assert case.history == history and case.events == events


def test_the_half_day_of_an_instant_follows_office_hours_and_the_working_calendar():
    assert OFFICE.half_day(at("2026-11-18 08:00")) == (at("2026-11-18 08:30"), at("2026-11-18 12:00"))
    assert OFFICE.half_day(at("2026-11-18 12:00")) == (at("2026-11-18 13:30"), at("2026-11-18 17:30"))
    assert OFFICE.half_day(at("2026-11-18 17:30")) == (at("2026-11-19 08:30"), at("2026-11-19 12:00"))
    # 2026-10-01 to 10-07 are the National Day holidays: the next half-day is the 8th's.
    assert OFFICE.half_day(at("2026-09-30 18:00"))[0] == at("2026-10-08 08:30")
