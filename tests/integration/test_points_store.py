"""Volunteer points stored for real, on SQLite and PostgreSQL; races on PostgreSQL."""
import datetime as dt
import itertools

import pytest
from sqlalchemy import func, select, text

from civic.adapters.points_repository import load_catalogue_file
from civic.adapters.tables import outbox
from civic.adapters.tables_points import redemptions
from civic.bootstrap import DATA
from civic.domain.actors import Actor
from civic.domain.errors import NotAllowed
from civic.domain.points import (AlreadyCollected, BalanceWouldGoNegative, KeyReused,
                                 NotEnoughPoints, OutOfStock, RedemptionNotFound, Reward)
from civic.services import accounts
from civic.services import points as handlers
from civic.services.cases import staff_actor
from races import run_at_once

NOW = dt.datetime(2026, 11, 18, 2, 0, tzinfo=dt.timezone.utc)
RESIDENT = Actor.resident("r-1")
CATALOGUE = [Reward("rice-5jin", "大米5斤", 60, 3), Reward("towel", "毛巾", 20, 50),
             Reward("eggs-30", "鸡蛋30枚", 50, 0)]


def known(civic, resident="r-1", address="望江花园3号楼"):
    """A resident who talked to the bot and lives in WJ-01, the grid of gw-wj-01."""
    with civic.uow() as uow:
        accounts.register(uow, actor=Actor.resident(resident), display_name=None, now=NOW)
    with civic.uow() as uow:
        accounts.change_address(uow, actor=Actor.resident(resident), address=address)


@pytest.fixture
def store(civic):
    with civic.uow() as uow:
        handlers.sync_catalogue(uow, CATALOGUE)
    known(civic)
    return civic


def worker(civic):
    return staff_actor(civic.services.district, "gw-wj-01")


def award(civic, resident="r-1", amount=100, key="k-1", kind="public_virtue", actor=None,
          reason="协助疏导交通"):
    with civic.uow() as uow:
        return handlers.award(uow, civic.services, actor=actor or worker(civic),
                              resident_id=resident, kind=kind, amount=amount, reason=reason,
                              key=key, now=NOW)


def reverse(civic, entry_id, amount, key="rev-1", resident="r-1"):
    with civic.uow() as uow:
        return handlers.reverse(uow, civic.services, actor=worker(civic), resident_id=resident,
                                entry_id=entry_id, amount=amount, reason="登记有误", key=key,
                                now=NOW + dt.timedelta(hours=1))


def redeem(civic, reward_id="rice-5jin", resident="r-1", make_code=None):
    with civic.uow() as uow:
        return handlers.redeem(uow, actor=Actor.resident(resident), resident_id=resident,
                               reward_id=reward_id, now=NOW + dt.timedelta(days=1),
                               **({"make_code": make_code} if make_code else {}))


def balance(civic, resident="r-1"):
    with civic.uow() as uow:
        return handlers.balance(uow, resident, actor=Actor.resident(resident))


def stock(civic, reward_id="rice-5jin"):
    with civic.uow() as uow:
        return next(r.stock for r in handlers.catalogue(uow) if r.id == reward_id)


def outbox_names(civic):
    with civic.engine.connect() as conn:
        return list(conn.execute(select(outbox.c.name).order_by(outbox.c.id)).scalars())


def redemption_count(civic):
    with civic.engine.connect() as conn:
        return conn.execute(select(func.count()).select_from(redemptions)).scalar_one()


def codes(*values):
    return iter(values).__next__


def test_an_award_is_in_the_balance_the_history_and_the_outbox(store):
    entry = award(store, amount=30)
    award(store, amount=5, key="k-2", kind="community_building", reason="楼道清扫")
    assert balance(store) == 35
    with store.uow() as uow:
        lines = handlers.history(uow, "r-1", actor=RESIDENT)
    assert [(e.amount, e.kind) for e in lines] == [(5, "community_building"), (30, "public_virtue")]
    assert lines[1].id == entry.id and lines[1].at == NOW and lines[1].reason == "协助疏导交通"
    assert outbox_names(store) == ["points_awarded", "points_awarded"]


def test_a_retried_award_with_the_same_key_counts_once(store):
    first = award(store, amount=30)
    again = award(store, amount=30)
    assert again.id == first.id and balance(store) == 30
    assert outbox_names(store) == ["points_awarded"]
    with pytest.raises(KeyReused):
        award(store, amount=50)
    assert balance(store) == 30


def test_a_reversal_below_zero_is_refused_and_changes_nothing(store):
    entry = award(store, amount=60)
    redeem(store, make_code=codes("AAAAAA"))
    with pytest.raises(BalanceWouldGoNegative):
        reverse(store, entry.id, 60)
    assert balance(store) == 0
    assert outbox_names(store) == ["points_awarded", "reward_redeemed"]


def test_staff_may_reverse_part_of_an_award_and_a_retry_counts_once(store):
    entry = award(store, amount=30)
    reversal = reverse(store, entry.id, 10)
    assert (reversal.amount, reversal.reverses) == (-10, entry.id)
    assert reverse(store, entry.id, 10).id == reversal.id
    assert balance(store) == 20
    assert outbox_names(store) == ["points_awarded", "points_reversed"]


def test_a_redemption_lowers_balance_and_stock_and_issues_a_pick_up_code(store):
    award(store, amount=100)
    redemption = redeem(store, make_code=codes("K7M2P9"))
    assert (redemption.code, redemption.reward_id, redemption.collected_at) == (
        "K7M2P9", "rice-5jin", None)
    assert balance(store) == 40 and stock(store) == 2
    with store.uow() as uow:
        last = handlers.history(uow, "r-1", limit=1, actor=RESIDENT)[0]
    assert (last.amount, last.type, last.reason) == (-60, "redemption", "大米5斤")
    assert outbox_names(store)[-1] == "reward_redeemed"


def test_a_code_already_issued_is_never_issued_twice(store):
    award(store, amount=200)
    redeem(store, make_code=codes("K7M2P9"))
    assert redeem(store, make_code=codes("K7M2P9", "Q4R8ST")).code == "Q4R8ST"


def test_too_few_points_is_answered_clearly_and_changes_nothing(store):
    award(store, amount=45)
    with pytest.raises(NotEnoughPoints) as refused:
        redeem(store)
    assert (refused.value.balance, refused.value.price, refused.value.missing) == (45, 60, 15)
    assert balance(store) == 45 and stock(store) == 3 and redemption_count(store) == 0
    assert outbox_names(store) == ["points_awarded"]


def test_no_stock_is_answered_clearly_and_changes_nothing(store):
    award(store, amount=200)
    with pytest.raises(OutOfStock) as refused:
        redeem(store, reward_id="eggs-30")
    assert refused.value.reward_id == "eggs-30"
    assert balance(store) == 200 and stock(store, "eggs-30") == 0 and redemption_count(store) == 0


def test_a_pick_up_code_is_collected_once(store):
    award(store, amount=100)
    code = redeem(store, make_code=codes("K7M2P9")).code
    with store.uow() as uow:
        with pytest.raises(NotAllowed):
            handlers.mark_collected(uow, actor=RESIDENT, code=code, now=NOW)
    with store.uow() as uow:
        done = handlers.mark_collected(uow, actor=worker(store), code=" k7m-2p9 ", now=NOW)
    assert done.collected_by == "gw-wj-01"
    with store.uow() as uow:
        with pytest.raises(AlreadyCollected):
            handlers.mark_collected(uow, actor=worker(store), code=code, now=NOW)
        with pytest.raises(RedemptionNotFound):
            handlers.mark_collected(uow, actor=worker(store), code="ZZZZZZ", now=NOW)
    assert outbox_names(store).count("reward_collected") == 1


def test_a_resident_cannot_award_reverse_or_read_someone_elses_points(store):
    entry = award(store, amount=10)
    with pytest.raises(NotAllowed):
        award(store, actor=RESIDENT, key="k-2")
    with store.uow() as uow:
        with pytest.raises(NotAllowed):
            handlers.reverse(uow, store.services, actor=RESIDENT, resident_id="r-1",
                             entry_id=entry.id, amount=5, reason="想撤", key="rev-1", now=NOW)
        with pytest.raises(NotAllowed):
            handlers.balance(uow, "r-1", actor=Actor.resident("r-2"))
        with pytest.raises(NotAllowed):
            handlers.history(uow, "r-1", actor=Actor.resident("r-2"))
        with pytest.raises(NotAllowed):
            handlers.redeem(uow, actor=Actor.resident("r-2"), resident_id="r-1",
                            reward_id="towel", now=NOW)
        assert handlers.balance(uow, "r-1", actor=worker(store)) == 10


def test_staff_not_in_the_register_or_without_a_points_role_cannot_award(store):
    with pytest.raises(NotAllowed):
        award(store, actor=Actor("gw-nobody", "grid_worker"))
    with pytest.raises(NotAllowed):
        award(store, actor=staff_actor(store.services.district, "md-lu"))
    assert balance(store) == 0


def test_the_catalogue_file_loads_and_a_resync_never_raises_stock(civic):
    items = load_catalogue_file(DATA / "rewards.yml")
    assert 8 <= len(items) <= 10 and any(i.stock == 0 for i in items)
    assert all(20 <= i.price <= 300 and 0 <= i.stock <= 50 for i in items)
    with civic.uow() as uow:
        assert handlers.sync_catalogue(uow, items)["added"] == [i.id for i in items]
    with civic.engine.begin() as conn:
        conn.execute(text("UPDATE rewards SET stock = 1 WHERE id = 'rice-5jin'"))
    renamed = [Reward(i.id, i.name + "（新）", i.price + 1, i.stock) if i.id == "rice-5jin" else i
               for i in items]
    with civic.uow() as uow:
        assert handlers.sync_catalogue(uow, renamed) == {"added": [], "stock_differs": ["rice-5jin"]}
    with civic.uow() as uow:
        rice = next(r for r in handlers.catalogue(uow) if r.id == "rice-5jin")
    assert (rice.name, rice.price, rice.stock) == ("大米5斤（新）", 61, 1)


def test_the_store_refuses_negative_stock_whatever_the_code_does(store):
    with pytest.raises(Exception):
        with store.engine.begin() as conn:
            conn.execute(text("UPDATE rewards SET stock = -1 WHERE id = 'towel'"))
    assert stock(store, "towel") == 50


# --- races (PostgreSQL) --------------------------------------------------------------


def test_twenty_concurrent_redemptions_with_points_for_five_exactly_five_succeed(postgres):
    with postgres.uow() as uow:
        handlers.sync_catalogue(uow, [Reward("towel", "毛巾", 20, 50)])
    known(postgres)
    award(postgres, amount=100)
    counter = itertools.count()
    results = run_at_once([
        lambda: redeem(postgres, "towel", make_code=lambda: f"C{next(counter):05d}")
        for _ in range(20)])
    wins = [r for r in results if not isinstance(r, Exception)]
    assert len(wins) == 5
    assert all(isinstance(r, NotEnoughPoints) for r in results if isinstance(r, Exception))
    assert balance(postgres) == 0 and stock(postgres, "towel") == 45
    assert redemption_count(postgres) == 5


def test_twenty_residents_racing_for_three_in_stock_exactly_three_succeed(postgres):
    with postgres.uow() as uow:
        handlers.sync_catalogue(uow, [Reward("rice-5jin", "大米5斤", 60, 3)])
    for i in range(20):
        known(postgres, f"r-{i}")
        award(postgres, resident=f"r-{i}", amount=60, key=f"k-{i}")
    results = run_at_once([lambda i=i: redeem(postgres, resident=f"r-{i}") for i in range(20)])
    wins = [r for r in results if not isinstance(r, Exception)]
    assert len(wins) == 3 and len({w.code for w in wins}) == 3
    assert all(isinstance(r, OutOfStock) for r in results if isinstance(r, Exception))
    assert stock(postgres) == 0
    assert sorted(balance(postgres, f"r-{i}") for i in range(20)) == [0] * 3 + [60] * 17


def test_the_same_award_sent_ten_times_at_once_counts_once(postgres):
    known(postgres)
    results = run_at_once([lambda: award(postgres, amount=25) for _ in range(10)])
    assert not [r for r in results if isinstance(r, Exception)]
    assert len({r.id for r in results}) == 1 and balance(postgres) == 25
    assert outbox_names(postgres) == ["points_awarded"]
