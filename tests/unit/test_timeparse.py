import datetime as dt

import pytest

from nlu.normalise import normalise
from nlu.timeparse import find_times

WEDNESDAY = dt.datetime(2026, 11, 18, 10, 0)


def times(text, now=WEDNESDAY):
    return [(t.value, t.part) for t in find_times(normalise(text), now)]


@pytest.mark.parametrize(
    "text, value, part",
    [
        ("明天下午三点", "2026-11-19T15:00", None),
        ("下周二上午", "2026-11-24", "morning"),
        ("今晚", "2026-11-18", "evening"),
        ("明早", "2026-11-19", "morning"),
        ("明早八点", "2026-11-19T08:00", None),
        ("昨晚十一点", "2026-11-17T23:00", None),
        ("月底", "2026-11-30", None),
        ("三点", "2026-11-18T15:00", None),  # a bare hour is the next one
        ("九点", "2026-11-18T21:00", None),  # 09:00 has passed at 10:00
        ("下午两点半", "2026-11-18T14:30", None),
        ("3点15分", "2026-11-18T15:15", None),
        ("15:30", "2026-11-18T15:30", None),
        ("周五", "2026-11-20", None),
        ("周三", "2026-11-25", None),  # a bare weekday said on that weekday: next week
        ("这周一", "2026-11-16", None),
        ("上周五", "2026-11-13", None),
        ("下周一", "2026-11-23", None),
        ("后天", "2026-11-20", None),
        ("前天晚上", "2026-11-16", "evening"),
        ("凌晨两点", "2026-11-19T02:00", None),
        ("晚上十二点", "2026-11-19T00:00", None),
        ("11月25号", "2026-11-25", None),
        ("十二月三日下午", "2026-12-03", "afternoon"),
        ("5号", "2026-12-05", None),  # the next 5th is next month
    ],
)
def test_resolved_against_a_wednesday_morning(text, value, part):
    assert times(text) == [(value, part)]


def test_weeks_start_on_monday():
    monday = dt.datetime(2026, 11, 23, 9, 0)
    assert times("下周二", monday) == [("2026-12-01", None)]  # eight days ahead
    assert times("周二", monday) == [("2026-11-24", None)]


def test_month_and_year_boundaries():
    new_years_eve = dt.datetime(2026, 12, 31, 20, 0)
    assert times("明天上午", new_years_eve) == [("2027-01-01", "morning")]
    assert times("下周一", new_years_eve) == [("2027-01-04", None)]
    assert times("月底", new_years_eve) == [("2026-12-31", None)]
    assert times("下个月底", new_years_eve) == [("2027-01-31", None)]
    assert times("1月3号", new_years_eve) == [("2027-01-03", None)]
    assert times("今晚十一点", new_years_eve) == [("2026-12-31T23:00", None)]
    assert times("月初", dt.datetime(2026, 1, 20, 9)) == [("2026-02-01", None)]


def test_holidays_and_working_days():
    before_national_day = dt.datetime(2026, 9, 30, 9, 0)
    assert times("下个工作日", before_national_day) == [("2026-10-08", None)]
    assert times("国庆节后", before_national_day) == [("2026-10-08", None)]
    assert times("国庆", dt.datetime(2026, 8, 1, 9)) == [("2026-10-01", None)]
    # Saturday 2026-10-10 is a make-up working day.
    assert times("下个工作日", dt.datetime(2026, 10, 9, 9)) == [("2026-10-10", None)]


def test_unpublished_years_fall_back_without_failing(caplog):
    assert times("元旦", dt.datetime(2026, 12, 20, 9)) == [("2027-01-01", None)]
    assert times("下个工作日", dt.datetime(2027, 1, 1, 9)) == [("2027-01-04", None)]


@pytest.mark.parametrize(
    "text", ["快一点", "小声一点", "每天早上六点就开始吵", "有两点建议", "十分吵", "3号楼", "一点都不管"]
)
def test_what_is_not_a_concrete_time(text):
    assert times(text) == []
