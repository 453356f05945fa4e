from __future__ import annotations

import dataclasses
import datetime as dt
from zoneinfo import ZoneInfo

import pytest

from civic.domain.calendar import WorkCalendar
from civic.domain.deadlines import (
    TIER_LABELS,
    Deadlines,
    Tier,
    assess_tier,
    deadlines_for,
    overdue,
)

SHANGHAI = ZoneInfo("Asia/Shanghai")
UTC = dt.timezone.utc
OFFICE_HOURS = [(dt.time(8, 30), dt.time(12, 0)), (dt.time(13, 30), dt.time(17, 30))]


def local(year, month, day, hour=0, minute=0):
    return dt.datetime(year, month, day, hour, minute, tzinfo=SHANGHAI)


@pytest.fixture
def calendar():
    return WorkCalendar(OFFICE_HOURS)


# --- tiers --------------------------------------------------------------------


@pytest.mark.parametrize(
    "category, description, tier",
    [
        ("safety", "楼道里有人给电动车充电", Tier.URGENT),
        ("safety", "", Tier.URGENT),
        ("other", "想开一个居住证明", Tier.COMPLEX),
        ("elderly_care", "隔壁独居的王奶奶走失了", Tier.URGENT),
        ("elderly_care", "我妈出门买菜现在找不到了", Tier.URGENT),
        ("elderly_care", "楼下李大爷在家摔倒了起不来", Tier.URGENT),
        ("elderly_care", "有个老人晕倒在小区门口", Tier.URGENT),
        ("elderly_care", "想给老人申请助餐服务", Tier.ORDINARY),
        ("repair", "电梯坏了有人被困在里面", Tier.URGENT),
        ("repair", "孩子被关在楼道铁门里出不来", Tier.URGENT),
        ("repair", "停电了电梯里困着人", Tier.URGENT),
        ("repair", "我们楼从早上开始停水", Tier.UTILITIES),
        ("repair", "家里没电了，整栋楼都黑了", Tier.UTILITIES),
        ("repair", "燃气公司说今天要停，到现在还没来", Tier.UTILITIES),
        ("repair", "暖气一点都不热", Tier.UTILITIES),
        ("repair", "小区停暖三天了", Tier.UTILITIES),
        ("repair", "楼道的灯坏了", Tier.ORDINARY),
        ("repair", "电梯又停了，修了好几次", Tier.ORDINARY),
        ("repair", "楼顶漏水困扰我们好几个月了", Tier.ORDINARY),
        ("repair", "门口停电动车的地方雨棚坏了", Tier.ORDINARY),
        ("dispute", "楼上邻居漏水到我家，老人为此摔倒了", Tier.ORDINARY),
        ("parking", "消防通道被车堵了", Tier.ORDINARY),
        ("noise", "广场舞音响太吵", Tier.ORDINARY),
        ("environment", "垃圾好几天没人清", Tier.ORDINARY),
    ],
)
def test_the_tier_follows_the_category_and_what_the_resident_says(category, description, tier):
    assert assess_tier(category, description) is tier


def test_an_unknown_category_is_refused():
    with pytest.raises(ValueError, match="category"):
        assess_tier("weather", "明天下雨吗")


def test_tiers_compare_equal_to_their_stored_names():
    assert Tier.URGENT == "urgent"
    assert Tier("complex") is Tier.COMPLEX


def test_residents_are_told_each_tier_in_plain_chinese():
    assert set(TIER_LABELS) == set(Tier)
    assert TIER_LABELS[Tier.URGENT] == "2小时内办结"
    assert TIER_LABELS[Tier.UTILITIES] == "24小时内办结"
    assert TIER_LABELS[Tier.ORDINARY] == "7个工作日内办结"
    assert TIER_LABELS[Tier.COMPLEX] == "15个工作日内办结"


# --- deadlines ----------------------------------------------------------------


def test_urgent_deadlines_ignore_nights_and_weekends(calendar):
    deadlines = deadlines_for(Tier.URGENT, local(2026, 11, 21, 23, 0), calendar)  # Saturday night
    assert deadlines == Deadlines(
        sign=local(2026, 11, 21, 23, 30),
        contact=local(2026, 11, 22, 0, 0),
        resolve=local(2026, 11, 22, 1, 0),
    )


def test_urgent_deadlines_ignore_public_holidays(calendar):
    deadlines = deadlines_for(Tier.URGENT, local(2026, 10, 1, 3, 0), calendar)
    assert deadlines.resolve == local(2026, 10, 1, 5, 0)


def test_utilities_deadlines_count_on_the_clock(calendar):
    deadlines = deadlines_for(Tier.UTILITIES, local(2026, 11, 20, 20, 0), calendar)  # Friday evening
    assert deadlines == Deadlines(
        sign=local(2026, 11, 20, 22, 0),
        contact=local(2026, 11, 21, 0, 0),
        resolve=local(2026, 11, 21, 20, 0),
    )


def test_an_ordinary_case_dispatched_friday_at_five_pm_waits_for_monday(calendar):
    deadlines = deadlines_for(Tier.ORDINARY, local(2026, 11, 20, 17, 0), calendar)
    assert deadlines == Deadlines(
        sign=local(2026, 11, 23, 10, 0),
        contact=local(2026, 11, 23, 17, 0),
        resolve=local(2026, 12, 1, 17, 0),
    )


def test_an_ordinary_case_dispatched_before_national_day_is_resolved_after_it(calendar):
    deadlines = deadlines_for(Tier.ORDINARY, local(2026, 9, 30, 10, 0), calendar)
    assert deadlines.sign == local(2026, 9, 30, 12, 0)
    assert deadlines.contact == local(2026, 10, 8, 10, 0)
    # Oct 8, 9, the make-up Saturday 10th, 12, 13, 14, 15.
    assert deadlines.resolve == local(2026, 10, 15, 10, 0)


def test_a_complex_case_has_fifteen_working_days(calendar):
    deadlines = deadlines_for(Tier.COMPLEX, local(2026, 9, 21, 10, 0), calendar)
    assert deadlines.sign == local(2026, 9, 21, 12, 0)
    assert deadlines.contact == local(2026, 9, 22, 10, 0)
    assert deadlines.resolve == local(2026, 10, 19, 10, 0)


def test_a_complex_case_dispatched_in_late_december_gets_a_deadline_in_2027(calendar):
    deadlines = deadlines_for(Tier.COMPLEX, local(2026, 12, 20, 10, 0), calendar)
    assert deadlines.resolve == local(2027, 1, 12, 8, 30)


def test_deadlines_are_in_utc_whatever_zone_the_dispatch_time_is_written_in(calendar):
    in_new_york = local(2026, 11, 20, 17, 0).astimezone(ZoneInfo("America/New_York"))
    deadlines = deadlines_for(Tier.ORDINARY, in_new_york, calendar)
    assert deadlines.sign == dt.datetime(2026, 11, 23, 2, 0, tzinfo=UTC)
    for field in dataclasses.fields(deadlines):
        assert getattr(deadlines, field.name).utcoffset() == dt.timedelta(0)


def test_deadlines_cannot_be_changed_in_place(calendar):
    deadlines = deadlines_for(Tier.URGENT, local(2026, 11, 18, 10, 0), calendar)
    with pytest.raises(dataclasses.FrozenInstanceError):
        deadlines.resolve = local(2026, 11, 30)


# --- overdue ------------------------------------------------------------------

DISPATCHED = local(2026, 11, 18, 10, 0)  # a Wednesday


@pytest.fixture
def ordinary(calendar):
    # sign 12:00, contact Thu 19th 10:00, resolve Fri 27th 10:00
    return deadlines_for(Tier.ORDINARY, DISPATCHED, calendar)


def test_nothing_is_overdue_before_the_first_deadline(ordinary):
    assert overdue(ordinary, local(2026, 11, 18, 11, 59)) == []


def test_a_deadline_is_not_overdue_at_the_very_minute_it_falls_due(ordinary):
    assert overdue(ordinary, local(2026, 11, 18, 12, 0)) == []


def test_an_unsigned_case_is_overdue_for_signing_once_the_deadline_passes(ordinary):
    assert overdue(ordinary, local(2026, 11, 18, 12, 1)) == ["sign"]


def test_every_passed_deadline_of_an_untouched_case_is_reported(ordinary):
    assert overdue(ordinary, local(2026, 11, 30, 9, 0)) == ["sign", "contact", "resolve"]


def test_a_step_done_late_is_not_reported_as_overdue(ordinary):
    now = local(2026, 11, 19, 11, 0)
    signed_late = local(2026, 11, 18, 15, 0)
    assert overdue(ordinary, now, signed_at=signed_late) == ["contact"]


def test_a_contacted_case_is_not_overdue_for_signing(ordinary):
    now = local(2026, 11, 19, 11, 0)
    assert overdue(ordinary, now, contacted_at=local(2026, 11, 18, 11, 0)) == []


def test_a_resolved_case_has_nothing_overdue(ordinary):
    now = local(2026, 12, 10, 9, 0)
    assert overdue(ordinary, now, resolved_at=local(2026, 12, 1, 9, 0)) == []


def test_overdue_compares_instants_not_wall_clocks(ordinary):
    # 04:01 UTC is 12:01 in Shanghai, a minute past the signing deadline.
    assert overdue(ordinary, dt.datetime(2026, 11, 18, 4, 1, tzinfo=UTC)) == ["sign"]


def test_overdue_refuses_a_naive_now(ordinary):
    with pytest.raises(ValueError):
        overdue(ordinary, dt.datetime(2026, 11, 18, 12, 1))
