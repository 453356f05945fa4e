"""Volunteer points (社会治理积分): an append-only ledger, a reward catalogue, pick-up codes.

DESIGN.md, "Mediation, points, people". A balance is the sum of a resident's ledger
entries: awards add, reversals and redemptions subtract; nothing is ever edited.
The rules below are pure: the service layer loads the balance and the entries they
need, under a per-resident lock, and stores what they return.
"""
from __future__ import annotations

import dataclasses
import datetime as dt
import secrets
from typing import Iterable
from zoneinfo import ZoneInfo

from civic.domain.accounts import Resident
from civic.domain.actors import COMMAND_CENTRE, GRID_LEADER, GRID_WORKER, RESIDENT, Actor
from civic.domain.district import District
from civic.domain.errors import DomainError, NotAllowed, NoteRequired

SOCIAL_WORKER = "social_worker"
# Who may award and reverse points and hand out rewards.
POINTS_STAFF_ROLES = frozenset({GRID_WORKER, GRID_LEADER, SOCIAL_WORKER, COMMAND_CENTRE})

# The three kinds of points, as the seeds name them: id -> label shown to residents.
KINDS = {
    "community_building": "社区建设",
    "public_virtue": "公共美德",
    "public_safety": "公共安全",
}

# Pick-up codes are read aloud and typed from a phone screen: no 0/O, 1/I/L.
CODE_ALPHABET = "23456789ABCDEFGHJKMNPQRSTUVWXYZ"
CODE_LENGTH = 6

# The daily limit counts the street office's own day.
LOCAL_ZONE = ZoneInfo("Asia/Shanghai")


class UnknownKind(DomainError):
    """Points come in three kinds only."""


class InvalidAmount(DomainError):
    """An amount of points is a whole number above zero."""


class AwardTooLarge(DomainError):
    """One award is at most the configured limit (data/rewards.yml, limits.per_award)."""

    def __init__(self, amount: int, limit: int):
        super().__init__(f"an award is at most {limit} points, not {amount}")
        self.amount, self.limit = amount, limit


class DailyLimitReached(DomainError):
    """Awards to one resident in one day stay within limits.per_resident_per_day."""

    def __init__(self, resident_id: str, awarded: int, amount: int, limit: int):
        super().__init__(f"{resident_id} was awarded {awarded} points today; {amount} more would pass "
                         f"the limit of {limit} a day ({max(limit - awarded, 0)} left)")
        self.resident_id, self.awarded, self.amount, self.limit = resident_id, awarded, amount, limit


class UnknownResident(DomainError):
    """Points go to registered residents who have not erased their data."""

    def __init__(self, resident_id: str):
        super().__init__(f"no registered resident {resident_id} (never talked to the bot, "
                         "or erased their data)")
        self.resident_id = resident_id


class OutsideScope(NotAllowed):
    """Staff change the points of residents of their own grids only."""


class KeyRequired(DomainError):
    """A change of points needs an idempotency key, so a retry counts once."""


class KeyReused(DomainError):
    """The idempotency key was already used for a different change."""


class EntryNotFound(DomainError):
    """No such ledger entry for this resident."""


class NotReversible(DomainError):
    """Only awards can be reversed."""


class ReversalTooLarge(DomainError):
    """A reversal takes back at most what the award gave and is not yet reversed."""


class BalanceWouldGoNegative(DomainError):
    """A reversal may not take the balance below zero (reverse part instead)."""

    def __init__(self, balance: int, amount: int):
        super().__init__(f"reversing {amount} would take the balance of {balance} below zero")
        self.balance, self.amount = balance, amount


class RewardNotFound(DomainError):
    """No such reward in the catalogue."""


class NotEnoughPoints(DomainError):
    """The balance is below the reward's price."""

    def __init__(self, balance: int, price: int):
        super().__init__(f"the reward costs {price} points, the balance is {balance}")
        self.balance, self.price = balance, price

    @property
    def missing(self) -> int:
        return self.price - self.balance


class OutOfStock(DomainError):
    """The reward has none left."""

    def __init__(self, reward_id: str):
        super().__init__(f"reward {reward_id} is out of stock")
        self.reward_id = reward_id


class RedemptionNotFound(DomainError):
    """No redemption with this pick-up code."""


class AlreadyCollected(DomainError):
    """The reward for this pick-up code was handed out already."""


@dataclasses.dataclass(frozen=True)
class AwardLimits:
    """Upper bounds on awards, from data/rewards.yml (`limits:`); checked when loaded."""

    per_award: int
    per_resident_per_day: int


@dataclasses.dataclass(frozen=True)
class Entry:
    """One line of the ledger; amount > 0 awards, < 0 reverses or redeems."""

    resident_id: str
    kind: str | None  # None for redemptions: spent points are of no kind
    amount: int
    reason: str
    actor_id: str
    at: dt.datetime
    idempotency_key: str
    reverses: int | None = None
    id: int | None = None

    @property
    def type(self) -> str:
        if self.amount > 0:
            return "award"
        return "reversal" if self.reverses is not None else "redemption"

    def same_change(self, other: Entry) -> bool:
        """A retry asks for the same change (who and when may differ)."""
        return (self.resident_id, self.kind, self.amount, self.reverses) == (
            other.resident_id, other.kind, other.amount, other.reverses)


@dataclasses.dataclass(frozen=True)
class Reward:
    id: str
    name: str
    price: int
    stock: int


@dataclasses.dataclass
class Redemption:
    code: str
    resident_id: str
    reward_id: str
    at: dt.datetime
    collected_at: dt.datetime | None = None
    collected_by: str | None = None

    def collect(self, actor: Actor, at: dt.datetime) -> None:
        """Staff hand the reward over; a code is good for one pick-up."""
        require_points_staff(actor, "hand out rewards")
        if self.collected_at is not None:
            raise AlreadyCollected(f"code {self.code} was collected at {self.collected_at}")
        self.collected_at, self.collected_by = at, actor.id


# --- rules ----------------------------------------------------------------------------


def require_points_staff(actor: Actor, move: str) -> None:
    if actor.role not in POINTS_STAFF_ROLES:
        raise NotAllowed(f"{actor.role} {actor.id} may not {move}")


def require_self(actor: Actor, resident_id: str, move: str) -> None:
    if actor.role != RESIDENT or actor.id != resident_id:
        raise NotAllowed(f"{actor.role} {actor.id} may not {move} for {resident_id}")


def may_read(actor: Actor, resident_id: str) -> bool:
    """A resident reads their own points; points staff read anyone's."""
    own = actor.role == RESIDENT and actor.id == resident_id
    return own or actor.role in POINTS_STAFF_ROLES


def require_known(resident_id: str, resident: Resident | None) -> None:
    """The resident registered (first contact) and has not erased their data since."""
    if resident is None or resident.consent_at is None:  # an erased profile is gone
        raise UnknownResident(resident_id)


def require_in_scope(actor: Actor, resident_id: str, resident_grids: Iterable[str],
                     district: District, move: str) -> None:
    """Staff change the points of residents of a grid they cover; the command centre,
    anyone's. A resident is of a grid when their household address routes to it or
    they reported a case there (``resident_grids``, found by the service)."""
    if actor.role == COMMAND_CENTRE:
        return
    member = district.staff.get(actor.id)
    grids = sorted(set(resident_grids))
    if member is None or not any(district.covers(member, grid) for grid in grids):
        where = (f"is of {', '.join(grids)}, outside the grids they cover" if grids else
                 "is of no grid (no household address of one grid, no case reported)")
        raise OutsideScope(f"{actor.id} may not {move} for {resident_id}: the resident {where}")


def award_day(at: dt.datetime) -> tuple[dt.datetime, dt.datetime]:
    """The Asia/Shanghai day holding ``at``, as [start, end) instants in UTC."""
    day = at.astimezone(LOCAL_ZONE).date()
    start = dt.datetime.combine(day, dt.time(), tzinfo=LOCAL_ZONE)
    end = dt.datetime.combine(day + dt.timedelta(days=1), dt.time(), tzinfo=LOCAL_ZONE)
    return start.astimezone(dt.timezone.utc), end.astimezone(dt.timezone.utc)


def require_within_day(entry: Entry, awarded_today: int, limits: AwardLimits) -> None:
    """``awarded_today``: what the resident got today, less reversals of today's awards."""
    if awarded_today + entry.amount > limits.per_resident_per_day:
        raise DailyLimitReached(entry.resident_id, awarded_today, entry.amount,
                                limits.per_resident_per_day)


def _amount(amount) -> int:
    if isinstance(amount, bool) or not isinstance(amount, int) or amount <= 0:
        raise InvalidAmount(f"{amount!r} is not a whole number of points above zero")
    return amount


def _reason(reason: str, move: str) -> str:
    if not (reason or "").strip():
        raise NoteRequired(f"{move} needs a reason")
    return reason.strip()


def _key(key: str) -> str:
    if not (key or "").strip():
        raise KeyRequired("a change of points needs an idempotency key")
    return key.strip()


def award(actor: Actor, resident_id: str, kind: str, amount: int, reason: str, key: str,
          at: dt.datetime, *, limits: AwardLimits) -> Entry:
    """An award within the per-award limit; the daily limit needs the store
    (require_within_day)."""
    require_points_staff(actor, "award points")
    if kind not in KINDS:
        raise UnknownKind(f"unknown kind of points {kind!r}; known: {', '.join(KINDS)}")
    amount = _amount(amount)
    if amount > limits.per_award:
        raise AwardTooLarge(amount, limits.per_award)
    return Entry(resident_id, kind, amount, _reason(reason, "an award"), actor.id, at, _key(key))


def reverse(actor: Actor, original: Entry, already_reversed: int, balance: int, amount: int,
            reason: str, key: str, at: dt.datetime) -> Entry:
    """Take back all or part of an award, never below a zero balance."""
    require_points_staff(actor, "reverse points")
    reason, key, amount = _reason(reason, "a reversal"), _key(key), _amount(amount)
    if original.type != "award":
        raise NotReversible(f"entry {original.id} is a {original.type}, not an award")
    left = original.amount - already_reversed
    if amount > left:
        raise ReversalTooLarge(f"entry {original.id} has {left} points left to reverse, not {amount}")
    if balance - amount < 0:
        raise BalanceWouldGoNegative(balance, amount)
    return Entry(original.resident_id, original.kind, -amount, reason, actor.id, at, key,
                 reverses=original.id)


def redeem(actor: Actor, resident_id: str, reward: Reward, balance: int, code: str,
           at: dt.datetime) -> tuple[Entry, Redemption]:
    """The resident spends points on a reward; the store still takes the stock atomically."""
    require_self(actor, resident_id, "redeem rewards")
    if reward.stock <= 0:
        raise OutOfStock(reward.id)
    if balance < reward.price:
        raise NotEnoughPoints(balance, reward.price)
    entry = Entry(resident_id, None, -reward.price, reward.name, actor.id, at, f"redeem:{code}")
    return entry, Redemption(code, resident_id, reward.id, at)


def pickup_code(choice=secrets.choice) -> str:
    """A fresh pick-up code; pass `choice` for a deterministic one."""
    return "".join(choice(CODE_ALPHABET) for _ in range(CODE_LENGTH))


def normalise_code(text: str) -> str:
    """What staff type (lower case, spaces, a dash) to the stored form."""
    return "".join(ch for ch in (text or "").upper() if ch.isalnum())
