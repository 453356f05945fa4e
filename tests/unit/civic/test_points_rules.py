"""Volunteer points: the pure rules of awards, reversals, redemptions and pick-up codes."""
import datetime as dt
import itertools

import pytest

from civic.domain import points
from civic.domain.actors import Actor
from civic.domain.errors import DomainError, NotAllowed, NoteRequired
from civic.domain.points import AwardLimits, Entry, Redemption, Reward

T0 = dt.datetime(2026, 11, 18, 2, 0, tzinfo=dt.timezone.utc)
WORKER = Actor("gw-wj-01", "grid_worker", grids=frozenset({"WJ-01"}))
SOCIAL = Actor("sw-north", "social_worker")
MEDIATOR = Actor("md-lu", "mediator")
RESIDENT = Actor.resident("r-1")
RICE = Reward("rice-5jin", "大米5斤", 60, 3)
LIMITS = AwardLimits(per_award=200, per_resident_per_day=300)


def awarded(amount=10, entry_id=1) -> Entry:
    entry = points.award(WORKER, "r-1", "public_virtue", amount, "扶老人过马路", "k-1", T0, limits=LIMITS)
    return Entry(**{**entry.__dict__, "id": entry_id})


def test_the_three_kinds_have_their_chinese_labels():
    assert points.KINDS == {"community_building": "社区建设", "public_virtue": "公共美德",
                            "public_safety": "公共安全"}


def test_points_staff_are_grid_workers_leaders_social_workers_and_the_command_centre():
    assert points.POINTS_STAFF_ROLES == {"grid_worker", "grid_leader", "social_worker",
                                         "command_centre"}


def test_staff_award_points_with_a_reason_and_a_key():
    entry = points.award(SOCIAL, "r-1", "community_building", 15, " 垃圾分类志愿服务 ", "k-1", T0, limits=LIMITS)
    assert (entry.amount, entry.kind, entry.reason, entry.actor_id) == (
        15, "community_building", "垃圾分类志愿服务", "sw-north")
    assert entry.type == "award" and entry.reverses is None


@pytest.mark.parametrize("actor", [RESIDENT, MEDIATOR, Actor.system()], ids=lambda a: a.role)
def test_only_points_staff_may_award(actor):
    with pytest.raises(NotAllowed):
        points.award(actor, "r-1", "public_virtue", 10, "理由", "k-1", T0, limits=LIMITS)


@pytest.mark.parametrize("kind, amount, reason, key, error", [
    ("volunteering", 10, "理由", "k", points.UnknownKind),
    ("public_virtue", 0, "理由", "k", points.InvalidAmount),
    ("public_virtue", -5, "理由", "k", points.InvalidAmount),
    ("public_virtue", 2.5, "理由", "k", points.InvalidAmount),
    ("public_virtue", True, "理由", "k", points.InvalidAmount),
    ("public_virtue", 10, "  ", "k", NoteRequired),
    ("public_virtue", 10, "理由", "", points.KeyRequired),
])
def test_an_award_needs_a_known_kind_a_positive_whole_amount_a_reason_and_a_key(
        kind, amount, reason, key, error):
    with pytest.raises(error):
        points.award(WORKER, "r-1", kind, amount, reason, key, T0, limits=LIMITS)


def test_a_partial_reversal_takes_back_what_staff_say():
    entry = points.reverse(WORKER, awarded(10), 0, 10, 4, "重复登记", "rev-1", T0)
    assert (entry.amount, entry.kind, entry.reverses, entry.type) == (-4, "public_virtue", 1,
                                                                       "reversal")


def test_a_reversal_that_would_take_the_balance_below_zero_is_refused():
    with pytest.raises(points.BalanceWouldGoNegative) as refused:
        points.reverse(WORKER, awarded(10), 0, 6, 10, "误发", "rev-1", T0)
    assert (refused.value.balance, refused.value.amount) == (6, 10)
    assert points.reverse(WORKER, awarded(10), 0, 6, 6, "误发", "rev-1", T0).amount == -6


def test_a_reversal_takes_back_no_more_than_is_left_of_the_award():
    with pytest.raises(points.ReversalTooLarge):
        points.reverse(WORKER, awarded(10), 7, 100, 4, "误发", "rev-2", T0)


def test_only_awards_can_be_reversed_and_only_by_staff_with_a_reason():
    reversal = Entry("r-1", "public_virtue", -3, "误发", "gw-wj-01", T0, "rev-1", reverses=1, id=2)
    with pytest.raises(points.NotReversible):
        points.reverse(WORKER, reversal, 0, 10, 1, "再撤", "rev-2", T0)
    with pytest.raises(NotAllowed):
        points.reverse(RESIDENT, awarded(), 0, 10, 1, "撤", "rev-2", T0)
    with pytest.raises(NoteRequired):
        points.reverse(WORKER, awarded(), 0, 10, 1, "", "rev-2", T0)


def test_a_resident_redeems_with_enough_points_and_stock():
    entry, redemption = points.redeem(RESIDENT, "r-1", RICE, 60, "ABC234", T0)
    assert (entry.amount, entry.kind, entry.type, entry.idempotency_key) == (
        -60, None, "redemption", "redeem:ABC234")
    assert (redemption.code, redemption.reward_id, redemption.collected_at) == (
        "ABC234", "rice-5jin", None)


def test_too_few_points_says_how_many_are_missing():
    with pytest.raises(points.NotEnoughPoints) as refused:
        points.redeem(RESIDENT, "r-1", RICE, 45, "ABC234", T0)
    assert refused.value.missing == 15


def test_no_stock_says_so_whatever_the_balance():
    with pytest.raises(points.OutOfStock) as refused:
        points.redeem(RESIDENT, "r-1", Reward("eggs-30", "鸡蛋30枚", 50, 0), 500, "ABC234", T0)
    assert refused.value.reward_id == "eggs-30"


@pytest.mark.parametrize("actor", [Actor.resident("r-2"), WORKER], ids=["another resident", "staff"])
def test_only_the_resident_redeems_their_own_points(actor):
    with pytest.raises(NotAllowed):
        points.redeem(actor, "r-1", RICE, 100, "ABC234", T0)


def test_a_pick_up_code_is_collected_once_by_staff():
    redemption = Redemption("ABC234", "r-1", "rice-5jin", T0)
    with pytest.raises(NotAllowed):
        redemption.collect(RESIDENT, T0)
    redemption.collect(WORKER, T0 + dt.timedelta(days=1))
    assert (redemption.collected_by, redemption.collected_at) == ("gw-wj-01", T0 + dt.timedelta(days=1))
    with pytest.raises(points.AlreadyCollected):
        redemption.collect(SOCIAL, T0 + dt.timedelta(days=2))


def test_pick_up_codes_are_six_unambiguous_characters_and_deterministic_when_asked():
    assert not set("01OIL") & set(points.CODE_ALPHABET)
    code = points.pickup_code()
    assert len(code) == 6 and set(code) <= set(points.CODE_ALPHABET)
    letters = itertools.cycle("K7M")
    assert points.pickup_code(lambda alphabet: next(letters)) == "K7MK7M"


def test_a_typed_code_is_normalised_to_the_stored_form():
    assert points.normalise_code(" k7m-k7m ") == "K7MK7M"


def test_a_retry_is_the_same_change_whoever_sends_it_and_whenever():
    first = awarded(10)
    retry = Entry(**{**first.__dict__, "at": T0 + dt.timedelta(minutes=5), "id": None})
    other = Entry(**{**first.__dict__, "amount": 20})
    assert first.same_change(retry) and not first.same_change(other)


def test_every_points_error_is_a_domain_error():
    for name in ("UnknownKind", "InvalidAmount", "KeyRequired", "KeyReused", "EntryNotFound",
                 "NotReversible", "ReversalTooLarge", "BalanceWouldGoNegative", "RewardNotFound",
                 "NotEnoughPoints", "OutOfStock", "RedemptionNotFound", "AlreadyCollected"):
        assert issubclass(getattr(points, name), DomainError)
