"""Points awards staff can trust (issue 13): bounded amounts, known residents, own grids.

The pure rules; tests/integration/test_points_trust.py runs them through the store.
"""
import datetime as dt

import pytest

from civic.bootstrap import DATA, load_services
from civic.adapters.points_repository import load_award_limits
from civic.domain import points
from civic.domain.accounts import Resident
from civic.domain.actors import Actor
from civic.domain.errors import DomainError, NotAllowed
from civic.domain.points import AwardLimits

T0 = dt.datetime(2026, 11, 18, 2, 0, tzinfo=dt.timezone.utc)  # Wednesday 10:00 Shanghai
LIMITS = AwardLimits(per_award=200, per_resident_per_day=300)
WORKER = Actor("gw-wj-01", "grid_worker", grids=frozenset({"WJ-01"}))
CENTRE = Actor("cc-liang", "command_centre")


@pytest.fixture(scope="module")
def district():
    return load_services().district


def award(amount, actor=WORKER):
    return points.award(actor, "r-1", "public_virtue", amount, "协助疏导交通", "k-1", T0, limits=LIMITS)


# --- amounts --------------------------------------------------------------------------


def test_the_award_that_overflowed_the_ledger_is_refused_with_the_limit():
    with pytest.raises(points.AwardTooLarge) as refused:
        award(9_223_372_036_854_775_807)
    assert refused.value.limit == 200
    assert "at most 200 points" in str(refused.value)


def test_an_award_up_to_the_limit_is_accepted_and_one_more_point_is_not():
    assert award(200).amount == 200
    with pytest.raises(points.AwardTooLarge):
        award(201)


def test_the_command_centre_is_bound_by_the_same_limits():
    with pytest.raises(points.AwardTooLarge):
        award(201, actor=CENTRE)


def test_a_day_s_awards_stop_at_the_daily_limit_and_say_what_is_left():
    points.require_within_day(award(100), 200, LIMITS)  # exactly 300: allowed
    with pytest.raises(points.DailyLimitReached) as refused:
        points.require_within_day(award(101), 200, LIMITS)
    assert "100 left" in str(refused.value) and refused.value.limit == 300


def test_the_day_is_the_street_office_s_day_in_shanghai():
    late_evening = dt.datetime(2026, 11, 18, 15, 30, tzinfo=dt.timezone.utc)  # 23:30 Shanghai
    start, end = points.award_day(late_evening)
    assert start == dt.datetime(2026, 11, 17, 16, 0, tzinfo=dt.timezone.utc)  # 00:00 on the 18th
    assert end - start == dt.timedelta(days=1) and start <= late_evening < end
    assert points.award_day(end)[0] == end  # midnight starts the next day


def test_the_limits_come_from_data_and_are_sane():
    limits = load_award_limits(DATA / "rewards.yml")
    assert 0 < limits.per_award <= limits.per_resident_per_day < 2**31
    assert load_services().award_limits == limits


@pytest.mark.parametrize("limits, says", [
    (None, "limits: needs per_award and per_resident_per_day"),
    ({"per_award": 200}, "limits.per_resident_per_day needs a whole number"),
    ({"per_award": 0, "per_resident_per_day": 300}, "limits.per_award needs a whole number"),
    ({"per_award": 2.5, "per_resident_per_day": 300}, "limits.per_award needs a whole number"),
    ({"per_award": True, "per_resident_per_day": 300}, "limits.per_award needs a whole number"),
    ({"per_award": 200, "per_resident_per_day": 9_223_372_036_854_775_807},
     "limits.per_resident_per_day needs a whole number"),
    ({"per_award": 400, "per_resident_per_day": 300}, "limits.per_award (400) is above"),
    ({"per_award": 200, "per_resident_per_day": 300, "per_month": 9000}, "unknown keys per_month"),
])
def test_bad_limits_are_refused_on_load_naming_the_file_and_the_key(tmp_path, limits, says):
    import yaml

    path = tmp_path / "rewards.yml"
    path.write_text(yaml.safe_dump({"limits": limits, "rewards": []}), encoding="utf-8")
    with pytest.raises(ValueError) as refused:
        load_award_limits(path)
    assert str(path) in str(refused.value) and says in str(refused.value)


# --- who gets points ----------------------------------------------------------------------


def test_only_a_registered_resident_gets_points():
    registered = Resident("r-1", None, consent_at=T0)
    points.require_known("r-1", registered)
    # None: no such id, or one whose profile was erased; a row without consent: never registered.
    for unknown in (None, Resident("r-1", None)):
        with pytest.raises(points.UnknownResident) as refused:
            points.require_known("r-1", unknown)
        assert "no registered resident r-1" in str(refused.value)


def test_staff_award_within_the_grids_they_cover(district):
    points.require_in_scope(WORKER, "r-1", {"WJ-01"}, district, "award points")
    with pytest.raises(points.OutsideScope) as refused:
        points.require_in_scope(WORKER, "r-1", {"QX-01"}, district, "award points")
    assert "gw-wj-01 may not award points for r-1" in str(refused.value) and "QX-01" in str(refused.value)
    with pytest.raises(points.OutsideScope):
        points.require_in_scope(WORKER, "r-1", set(), district, "award points")


def test_a_grid_leader_covers_the_community_and_a_social_worker_their_grids(district):
    leader = Actor("gl-wangjiang", "grid_leader", communities=frozenset({"wangjiang"}))
    points.require_in_scope(leader, "r-1", {"WJ-03"}, district, "award points")
    with pytest.raises(points.OutsideScope):
        points.require_in_scope(leader, "r-1", {"QX-01"}, district, "award points")
    social = Actor("sw-south", "social_worker")
    points.require_in_scope(social, "r-1", {"HP-02"}, district, "award points")
    with pytest.raises(points.OutsideScope):
        points.require_in_scope(social, "r-1", {"WJ-01"}, district, "award points")


def test_the_command_centre_may_award_anyone(district):
    points.require_in_scope(CENTRE, "r-1", set(), district, "award points")


def test_the_refusals_are_domain_errors_the_entry_points_put_into_words():
    for error in (points.AwardTooLarge, points.DailyLimitReached, points.UnknownResident):
        assert issubclass(error, DomainError)
    assert issubclass(points.OutsideScope, NotAllowed)
