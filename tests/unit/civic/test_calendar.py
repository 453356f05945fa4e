from __future__ import annotations

import datetime as dt
import logging
import time
from zoneinfo import ZoneInfo

import pytest
import yaml

from civic.domain.calendar import WorkCalendar, load_published

SHANGHAI = ZoneInfo("Asia/Shanghai")
NEW_YORK = ZoneInfo("America/New_York")
UTC = dt.timezone.utc

# The demo district's office hours (data/district.yml).
OFFICE_HOURS = [(dt.time(8, 30), dt.time(12, 0)), (dt.time(13, 30), dt.time(17, 30))]

LOGGER = "civic.domain.calendar"


def local(year, month, day, hour=0, minute=0):
    return dt.datetime(year, month, day, hour, minute, tzinfo=SHANGHAI)


@pytest.fixture
def calendar():
    return WorkCalendar(OFFICE_HOURS)


def fallback_warnings(caplog):
    return [r for r in caplog.records if r.name == LOGGER and r.levelno == logging.WARNING]


# --- working hours ------------------------------------------------------------


def test_a_case_dispatched_friday_at_five_pm_with_two_working_hours_is_due_monday_at_ten(calendar):
    # Half an hour on Friday before 17:30, then an hour and a half from 08:30 on Monday.
    due = calendar.add_working_hours(local(2026, 11, 20, 17, 0), 2)
    assert due == local(2026, 11, 23, 10, 0)


def test_a_case_dispatched_friday_at_half_past_four_with_two_working_hours_is_due_monday_at_half_past_nine(
    calendar,
):
    due = calendar.add_working_hours(local(2026, 11, 20, 16, 30), 2)
    assert due == local(2026, 11, 23, 9, 30)


def test_the_lunch_break_does_not_count_as_working_time(calendar):
    assert calendar.add_working_hours(local(2026, 11, 18, 11, 0), 2) == local(2026, 11, 18, 14, 30)


def test_a_deadline_that_uses_up_the_afternoon_ends_at_closing_time_not_the_next_morning(calendar):
    assert calendar.add_working_hours(local(2026, 11, 18, 15, 30), 2) == local(2026, 11, 18, 17, 30)


def test_working_hours_started_at_the_weekend_begin_on_monday_morning(calendar):
    assert calendar.add_working_hours(local(2026, 11, 21, 22, 0), 2) == local(2026, 11, 23, 10, 30)


def test_working_hours_skip_the_national_day_week_of_2026(calendar):
    assert calendar.add_working_hours(local(2026, 9, 30, 17, 0), 2) == local(2026, 10, 8, 10, 0)


# --- working days -------------------------------------------------------------


def test_one_working_day_after_friday_morning_is_monday_at_the_same_time(calendar):
    assert calendar.add_working_days(local(2026, 11, 20, 10, 0), 1) == local(2026, 11, 23, 10, 0)


def test_working_days_from_a_saturday_start_counting_at_monday_opening(calendar):
    assert calendar.add_working_days(local(2026, 11, 21, 15, 0), 1) == local(2026, 11, 24, 8, 30)


def test_working_days_from_the_lunch_break_keep_the_afternoon_opening_time(calendar):
    assert calendar.add_working_days(local(2026, 11, 18, 12, 30), 1) == local(2026, 11, 19, 13, 30)


def test_national_day_2026_is_skipped_and_the_make_up_saturday_counts(calendar):
    # Oct 1-7 off; Thu 8th, Fri 9th and the make-up Saturday 10th are working days.
    assert calendar.add_working_days(local(2026, 9, 30, 10, 0), 3) == local(2026, 10, 10, 10, 0)


def test_fifteen_working_days_across_mid_autumn_and_national_day(calendar):
    assert calendar.add_working_days(local(2026, 9, 21, 10, 0), 15) == local(2026, 10, 19, 10, 0)


# --- days ---------------------------------------------------------------------


def test_national_day_2026_is_a_named_holiday_and_the_make_up_saturday_a_working_day(calendar):
    for day in range(1, 8):
        assert not calendar.is_workday(dt.date(2026, 10, day))
        assert calendar.holiday_name(dt.date(2026, 10, day)) == "国庆节"
    assert calendar.is_workday(dt.date(2026, 10, 10))
    assert calendar.holiday_name(dt.date(2026, 10, 10)) is None


def test_an_ordinary_weekend_is_a_day_off_without_a_holiday_name(calendar):
    assert not calendar.is_workday(dt.date(2026, 11, 21))
    assert calendar.holiday_name(dt.date(2026, 11, 21)) is None
    assert calendar.is_workday(dt.date(2026, 11, 23))


def test_holiday_names_are_in_chinese(calendar):
    assert calendar.holiday_name(dt.date(2026, 2, 17)) == "春节"
    assert calendar.holiday_name(dt.date(2026, 9, 25)) == "中秋节"


def test_an_instant_late_in_the_evening_utc_is_already_the_next_day_in_shanghai(calendar):
    # 2026-09-30 16:30 UTC is 00:30 on National Day in Shanghai.
    assert not calendar.is_workday(dt.datetime(2026, 9, 30, 16, 30, tzinfo=UTC))


# --- office hours -------------------------------------------------------------


@pytest.mark.parametrize(
    "at, open_",
    [
        (local(2026, 11, 18, 8, 30), True),
        (local(2026, 11, 18, 8, 29), False),
        (local(2026, 11, 18, 12, 30), False),
        (local(2026, 11, 18, 17, 29), True),
        (local(2026, 11, 18, 17, 30), False),
        (local(2026, 11, 21, 10, 0), False),
        (local(2026, 10, 10, 10, 0), True),
        (local(2026, 10, 5, 10, 0), False),
    ],
)
def test_office_time_is_office_hours_on_working_days(calendar, at, open_):
    assert calendar.is_office_time(at) is open_


def test_the_next_office_time_inside_office_hours_is_now(calendar):
    at = local(2026, 11, 18, 9, 15)
    assert calendar.next_office_time(at) == at


def test_the_next_office_time_after_lunch_starts_is_half_past_one(calendar):
    assert calendar.next_office_time(local(2026, 11, 18, 12, 0)) == local(2026, 11, 18, 13, 30)


def test_the_next_office_time_on_a_saturday_evening_is_monday_morning(calendar):
    assert calendar.next_office_time(local(2026, 11, 21, 19, 0)) == local(2026, 11, 23, 8, 30)


def test_the_next_office_time_on_the_eve_of_national_day_is_after_the_holiday(calendar):
    assert calendar.next_office_time(local(2026, 9, 30, 18, 0)) == local(2026, 10, 8, 8, 30)


# --- clock hours --------------------------------------------------------------


def test_clock_hours_run_through_the_night_and_the_weekend(calendar):
    assert calendar.add_hours(local(2026, 11, 20, 23, 0), 2) == local(2026, 11, 21, 1, 0)


# --- zones --------------------------------------------------------------------


@pytest.mark.parametrize("zone", [UTC, NEW_YORK, SHANGHAI])
def test_the_answer_does_not_depend_on_the_zone_the_instant_is_written_in(calendar, zone):
    dispatched = local(2026, 11, 20, 17, 0).astimezone(zone)
    assert calendar.add_working_hours(dispatched, 2) == local(2026, 11, 23, 10, 0)
    assert calendar.add_working_days(dispatched, 1) == local(2026, 11, 23, 17, 0)
    assert calendar.next_office_time(dispatched) == local(2026, 11, 20, 17, 0)


def test_a_machine_in_another_zone_gets_the_same_answer(calendar, monkeypatch):
    # Simulate a server whose clock zone is New York; nothing may read it.
    monkeypatch.setenv("TZ", "America/New_York")
    time.tzset()
    try:
        dispatched = dt.datetime(2026, 11, 20, 9, 0, tzinfo=UTC)  # Fri 17:00 in Shanghai
        assert calendar.add_working_hours(dispatched, 2) == local(2026, 11, 23, 10, 0)
        assert calendar.is_office_time(dispatched)
    finally:
        monkeypatch.undo()
        time.tzset()


def test_results_are_aware_datetimes_in_utc(calendar):
    start = local(2026, 11, 18, 10, 0)
    for result in (
        calendar.next_office_time(start),
        calendar.add_working_hours(start, 1),
        calendar.add_working_days(start, 1),
        calendar.add_hours(start, 1),
    ):
        assert result.tzinfo is not None and result.utcoffset() == dt.timedelta(0)


def test_a_naive_datetime_is_refused_rather_than_guessed(calendar):
    with pytest.raises(ValueError, match="timezone-aware"):
        calendar.add_working_hours(dt.datetime(2026, 11, 20, 17, 0), 2)


# --- years nobody has published ------------------------------------------------


def test_a_deadline_set_on_2026_12_20_runs_into_2027_and_logs_one_warning(calendar, caplog):
    caplog.set_level(logging.WARNING, logger=LOGGER)
    # Sunday, so counting starts Monday 21st 08:30; 1 January 2027 is skipped.
    due = calendar.add_working_days(local(2026, 12, 20, 10, 0), 15)
    assert due == local(2027, 1, 12, 8, 30)
    warnings = fallback_warnings(caplog)
    assert len(warnings) == 1
    assert "2027" in warnings[0].getMessage()


def test_a_year_nobody_published_keeps_weekends_and_the_fixed_statutory_holidays(calendar, caplog):
    caplog.set_level(logging.WARNING, logger=LOGGER)
    assert calendar.holiday_name(dt.date(2027, 1, 1)) == "元旦"
    assert calendar.holiday_name(dt.date(2027, 5, 1)) == "劳动节"
    for day in (1, 2, 3):
        assert not calendar.is_workday(dt.date(2027, 10, day))
        assert calendar.holiday_name(dt.date(2027, 10, day)) == "国庆节"
    assert calendar.is_workday(dt.date(2027, 10, 4))  # a Monday
    assert not calendar.is_workday(dt.date(2027, 10, 9))  # a Saturday
    assert len(fallback_warnings(caplog)) == 1


def test_each_unpublished_year_is_warned_about_once(calendar, caplog):
    caplog.set_level(logging.WARNING, logger=LOGGER)
    for _ in range(3):
        calendar.is_workday(dt.date(2027, 3, 1))
        calendar.is_workday(dt.date(2028, 3, 1))
    assert sorted(r.args[0] for r in fallback_warnings(caplog)) == [2027, 2028]


# --- published years --------------------------------------------------------------

HOLIDAYS_2027_YAML = """
2027:
  holidays:
    - {name: 元旦, from: 2027-01-01, to: 2027-01-03}
    - {name: 春节, from: 2027-02-06, to: 2027-02-13}
  workdays: [2027-02-20]
"""


@pytest.fixture
def published_2027():
    return load_published(yaml.safe_load(HOLIDAYS_2027_YAML))


def test_load_published_reads_the_holidays_file_format(published_2027):
    days = published_2027[2027]
    assert days[dt.date(2027, 1, 1)] == "元旦"
    assert days[dt.date(2027, 1, 3)] == "元旦"
    assert days[dt.date(2027, 2, 13)] == "春节"
    assert days[dt.date(2027, 2, 20)] is None
    assert len(days) == 3 + 8 + 1


def test_the_empty_holidays_file_publishes_nothing():
    assert load_published(yaml.safe_load("{}")) == {}
    assert load_published(None) == {}


def test_a_published_2027_block_is_honoured_without_a_warning(published_2027, caplog):
    caplog.set_level(logging.WARNING, logger=LOGGER)
    calendar = WorkCalendar(OFFICE_HOURS, published_2027)
    assert calendar.holiday_name(dt.date(2027, 2, 8)) == "春节"
    assert not calendar.is_workday(dt.date(2027, 2, 8))  # a Monday off for the festival
    assert calendar.is_workday(dt.date(2027, 2, 20))  # a make-up Saturday
    # Friday 5 February 17:00: the festival week is skipped.
    assert calendar.add_working_hours(local(2027, 2, 5, 17, 0), 2) == local(2027, 2, 15, 10, 0)
    assert fallback_warnings(caplog) == []


def test_days_a_published_year_does_not_list_follow_the_weekends(published_2027):
    calendar = WorkCalendar(OFFICE_HOURS, published_2027)
    # The fallback would make 1 October a holiday; the published year is authoritative.
    assert calendar.is_workday(dt.date(2027, 10, 1))
    assert not calendar.is_workday(dt.date(2027, 10, 2))  # a Saturday


def test_a_published_year_overrides_the_package():
    published = load_published({2026: {"holidays": [{"name": "测试", "from": "2026-11-18"}]}})
    calendar = WorkCalendar(OFFICE_HOURS, published)
    assert calendar.holiday_name(dt.date(2026, 11, 18)) == "测试"
    assert calendar.is_workday(dt.date(2026, 10, 1))  # not listed, a Thursday


@pytest.mark.parametrize(
    "data, problem",
    [
        ({2027: {"holidays": [{"name": "元旦", "from": "2027-01-03", "to": "2027-01-01"}]}}, "ends before"),
        ({2027: {"holidays": [{"name": "元旦", "from": "2027-01-01"}], "workdays": ["2027-01-01"]}}, "both"),
        ({2027: {"holidays": [{"from": "2027-01-01"}]}}, "name"),
        ({2027: {"workdays": ["2027-13-01"]}}, "YYYY-MM-DD"),
        ({2027: {"workdays": ["2072-01-02"]}}, "not in or next to"),
        ({2027: {"holiday": []}}, "unknown keys"),
        ({"next year": {}}, "not a year"),
    ],
)
def test_mistakes_in_the_holidays_file_are_reported(data, problem):
    with pytest.raises(ValueError, match=problem):
        load_published(data)


def test_office_hours_that_end_before_they_start_are_refused():
    with pytest.raises(ValueError):
        WorkCalendar([(dt.time(17, 30), dt.time(8, 30))])
