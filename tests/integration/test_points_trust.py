"""Points awards staff can trust (issue 13), stored for real on SQLite and PostgreSQL.

The award of 9,223,372,036,854,775,807 that overflowed every later award, awards to
ids nobody registered, and grid workers awarding anyone: each refused, by the same
handlers the admin command line and the chat use, with words the command line prints.
"""
import datetime as dt

import pytest

from civic.domain.actors import Actor
from civic.domain.points import (AwardTooLarge, DailyLimitReached, OutsideScope,
                                 UnknownResident)
from civic.services import accounts, cases
from civic.services import points as handlers
from civic.services.cases import staff_actor
from races import run_at_once
from test_admin_cli import cli

NOW = dt.datetime(2026, 11, 18, 2, 0, tzinfo=dt.timezone.utc)  # Wednesday 10:00 Shanghai
DAY = dt.timedelta(days=1)
HUGE = 9_223_372_036_854_775_807


def known(civic, resident="r-1", address="望江花园3号楼"):
    """A resident who talked to the bot; 望江花园3号楼 is in WJ-01 (gw-wj-01's grid)."""
    with civic.uow() as uow:
        accounts.register(uow, actor=Actor.resident(resident), display_name=None, now=NOW)
    if address:
        with civic.uow() as uow:
            accounts.change_address(uow, actor=Actor.resident(resident), address=address)


def staff(civic, staff_id="gw-wj-01"):
    return staff_actor(civic.services.district, staff_id)


def award(civic, amount=20, resident="r-1", key="k-1", by="gw-wj-01", now=NOW):
    with civic.uow() as uow:
        return handlers.award(uow, civic.services, actor=staff(civic, by), resident_id=resident,
                              kind="public_virtue", amount=amount, reason="社区清洁", key=key,
                              now=now)


def reverse(civic, entry_id, amount, resident="r-1", key="rev-1", by="gw-wj-01"):
    with civic.uow() as uow:
        return handlers.reverse(uow, civic.services, actor=staff(civic, by), resident_id=resident,
                                entry_id=entry_id, amount=amount, reason="登记有误", key=key, now=NOW)


def balance(civic, resident="r-1"):
    with civic.uow() as uow:
        return handlers.balance(uow, resident, actor=Actor.resident(resident))


# --- amounts ------------------------------------------------------------------------------


def test_the_overflowing_award_is_refused_and_later_awards_still_work(civic):
    known(civic)
    with pytest.raises(AwardTooLarge):
        award(civic, HUGE)
    assert award(civic, 20, key="k-2").amount == 20
    assert balance(civic) == 20


def test_awards_to_one_resident_stop_at_the_daily_limit_and_start_again_the_next_day(civic):
    known(civic)
    award(civic, 200, key="k-1")
    award(civic, 100, key="k-2")  # 300: the day's limit in data/rewards.yml
    with pytest.raises(DailyLimitReached) as refused:
        award(civic, 1, key="k-3")
    assert "0 left" in str(refused.value)
    assert balance(civic) == 300
    award(civic, 50, key="k-4", now=NOW + DAY)  # Thursday is a new day
    assert balance(civic) == 350


def test_the_day_is_shanghai_s_day_not_utc_s(civic):
    known(civic)
    before_midnight = dt.datetime(2026, 11, 18, 15, 50, tzinfo=dt.timezone.utc)  # 23:50 Shanghai
    award(civic, 200, key="k-1", now=before_midnight)
    award(civic, 200, key="k-2", now=before_midnight + dt.timedelta(minutes=20))  # 00:10: the 19th
    assert balance(civic) == 400


def test_a_reversed_award_gives_its_room_back_the_same_day(civic):
    known(civic)
    slip = award(civic, 200, key="k-1")  # meant 20
    reverse(civic, slip.id, 200)
    award(civic, 20, key="k-2")
    award(civic, 200, key="k-3")
    assert balance(civic) == 220


def test_a_retried_award_counts_once_even_when_the_day_is_full(civic):
    known(civic)
    first = award(civic, 200, key="k-1")
    award(civic, 100, key="k-2")
    assert award(civic, 200, key="k-1").id == first.id
    assert balance(civic) == 300


def test_the_limits_hold_for_the_command_centre_too(civic):
    known(civic)
    with pytest.raises(AwardTooLarge):
        award(civic, 201, by="cc-liang")
    assert balance(civic) == 0


# --- who gets points ----------------------------------------------------------------------


def test_an_id_nobody_registered_gets_nothing(civic):
    with pytest.raises(UnknownResident):
        award(civic, resident="r-404", by="cc-liang")
    assert balance(civic, "r-404") == 0


def test_a_resident_who_erased_their_data_gets_nothing_and_keeps_nothing_reversible(civic):
    erasure = pytest.importorskip("civic.services.erasure")
    known(civic)
    entry = award(civic, 20)
    with civic.uow() as uow:
        erasure.erase_my_data(uow, civic.services, actor=Actor.resident("r-1"), now=NOW)
    with pytest.raises(UnknownResident):
        award(civic, 20, key="k-2", by="cc-liang")
    with pytest.raises(UnknownResident):
        reverse(civic, entry.id, 5, by="cc-liang")


def test_a_grid_worker_awards_residents_of_their_grid_only(civic):
    known(civic, "r-1", "望江花园3号楼")  # WJ-01
    known(civic, "r-2", "锦绣家园2号楼")  # WJ-02
    award(civic, resident="r-1")
    with pytest.raises(OutsideScope) as refused:
        award(civic, resident="r-2")
    assert "WJ-02" in str(refused.value)
    assert balance(civic, "r-2") == 0
    award(civic, resident="r-2", by="gw-wj-02")
    assert balance(civic, "r-2") == 20


def test_a_resident_is_also_of_the_grids_where_they_reported_a_case(civic):
    known(civic, "r-2", "锦绣家园2号楼")  # lives in WJ-02
    with pytest.raises(OutsideScope):
        award(civic, resident="r-2")
    with civic.uow() as uow:  # reports a broken light in WJ-01
        cases.report_case(uow, civic.services, actor=Actor.resident("r-2"), category="repair",
                          description="望江花园5号楼楼道灯坏了", address="望江花园5号楼", now=NOW)
    award(civic, resident="r-2")
    assert balance(civic, "r-2") == 20


def test_an_address_that_may_be_several_grids_makes_no_one_s_resident(civic):
    known(civic, "r-1", "望江花园")  # WJ-01 or WJ-02: no building said
    with pytest.raises(OutsideScope):
        award(civic)
    with pytest.raises(OutsideScope):
        award(civic, by="gw-wj-02")
    with pytest.raises(OutsideScope) as refused:
        award(civic, by="gl-wangjiang")
    assert "of no grid" in str(refused.value)
    award(civic, by="cc-liang")
    assert balance(civic) == 20


def test_a_grid_leader_awards_in_their_community_and_the_command_centre_anyone(civic):
    known(civic, "r-1", "锦绣家园2号楼")  # WJ-02, community wangjiang
    known(civic, "r-2", address=None)  # no address, no case
    award(civic, resident="r-1", by="gl-wangjiang")
    with pytest.raises(OutsideScope):
        award(civic, resident="r-1", by="gl-qingxi")
    award(civic, resident="r-2", by="cc-liang")
    assert (balance(civic, "r-1"), balance(civic, "r-2")) == (20, 20)


def test_a_reversal_outside_one_s_grids_is_refused(civic):
    known(civic, "r-2", "锦绣家园2号楼")  # WJ-02
    entry = award(civic, resident="r-2", by="gw-wj-02")
    with pytest.raises(OutsideScope):
        reverse(civic, entry.id, 5, resident="r-2", by="gw-wj-01")
    reverse(civic, entry.id, 5, resident="r-2", by="gw-wj-02")
    assert balance(civic, "r-2") == 15


# --- the admin command line ---------------------------------------------------------------


def test_the_command_line_prints_each_refusal_plainly(civic):
    known(civic, "r-9", "锦绣家园2号楼")  # WJ-02
    huge = cli(civic, "points", "award", "r-9", "public_virtue", str(HUGE), "--reason", "社区清洁",
               "--as", "gw-wj-02")
    assert huge.returncode == 1 and "refused: an award is at most 200 points" in huge.stderr
    nobody = cli(civic, "points", "award", "r-404", "public_virtue", "20", "--reason", "社区清洁",
                 "--as", "cc-liang")
    assert nobody.returncode == 1 and "refused: no registered resident r-404" in nobody.stderr
    outside = cli(civic, "points", "award", "r-9", "public_virtue", "20", "--reason", "社区清洁",
                  "--as", "gw-wj-01")
    assert outside.returncode == 1
    assert "refused: gw-wj-01 may not award points for r-9" in outside.stderr
    done = cli(civic, "points", "award", "r-9", "public_virtue", "200", "--reason", "社区清洁",
               "--as", "gw-wj-02")
    assert done.returncode == 0, done.stderr
    full = cli(civic, "points", "award", "r-9", "public_virtue", "150", "--reason", "捡到钱包上交",
               "--as", "gw-wj-02")
    assert full.returncode == 1 and "limit of 300 a day (100 left)" in full.stderr
    assert balance(civic, "r-9") == 200


# --- a race (PostgreSQL) --------------------------------------------------------------------


def test_ten_different_awards_at_once_stop_at_the_daily_limit(postgres):
    known(postgres)
    results = run_at_once([lambda i=i: award(postgres, 100, key=f"k-{i}") for i in range(10)])
    wins = [r for r in results if not isinstance(r, Exception)]
    assert len(wins) == 3
    assert all(isinstance(r, DailyLimitReached) for r in results if isinstance(r, Exception))
    assert balance(postgres) == 300
