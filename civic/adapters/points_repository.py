"""Points in the store: the ledger, the reward catalogue and redemptions.

The ledger is append-only. What must hold under concurrency is held by the store:
a retried change counts once (unique resident + idempotency key), stock never goes
below zero (a conditional UPDATE, and a CHECK behind it), a code is collected once.
"""
from __future__ import annotations

from pathlib import Path

import yaml
from sqlalchemy import distinct, func, insert, or_, select, text, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.engine import Connection

from civic.adapters.repository import _aware, _naive_utc
from civic.adapters.tables import cases
from civic.adapters.tables_points import points_ledger, redemptions, rewards
from civic.domain.points import AwardLimits, Entry, Redemption, Reward

# First key of pg_advisory_xact_lock(int, int): the two-key lock space never meets the
# one-key locks (the migration lock), and this number keeps it apart from other users.
RESIDENT_LOCK_SPACE = 7272


class PointsRepository:
    def __init__(self, connection: Connection):
        self._conn = connection

    # --- ledger -------------------------------------------------------------------

    def lock_resident(self, resident_id: str) -> None:
        """Serialise balance-checked changes of one resident until the transaction ends.

        PostgreSQL: a transaction-scoped advisory lock. SQLite: the unit of work began
        with BEGIN IMMEDIATE, so this transaction already holds the only write lock.
        """
        if self._conn.dialect.name == "postgresql":
            self._conn.execute(text("SELECT pg_advisory_xact_lock(:space, hashtext(:resident))"),
                               {"space": RESIDENT_LOCK_SPACE, "resident": resident_id})

    def add(self, entry: Entry) -> tuple[Entry, bool]:
        """Append an entry; with a key already used, the stored entry and False."""
        module = postgresql if self._conn.dialect.name == "postgresql" else sqlite
        row = {name: _naive_utc(getattr(entry, name)) for name in _ENTRY_COLUMNS}
        statement = module.insert(points_ledger).values(**row).on_conflict_do_nothing(
            index_elements=["resident_id", "idempotency_key"])
        created = self._conn.execute(statement).rowcount == 1
        return self.by_key(entry.resident_id, entry.idempotency_key), created

    def by_key(self, resident_id: str, key: str) -> Entry | None:
        return self._one(points_ledger.c.resident_id == resident_id,
                         points_ledger.c.idempotency_key == key)

    def entry(self, entry_id: int) -> Entry | None:
        return self._one(points_ledger.c.id == entry_id)

    def balance(self, resident_id: str) -> int:
        return int(self._conn.execute(
            select(func.coalesce(func.sum(points_ledger.c.amount), 0))
            .where(points_ledger.c.resident_id == resident_id)).scalar_one())

    def reversed_amount(self, entry_id: int) -> int:
        """Points already taken back from an award (a positive number)."""
        return -int(self._conn.execute(
            select(func.coalesce(func.sum(points_ledger.c.amount), 0))
            .where(points_ledger.c.reverses == entry_id)).scalar_one())

    def awarded_between(self, resident_id: str, start, end) -> int:
        """Points awarded to the resident in [start, end), less what was taken back of
        those awards (whenever): what the daily limit counts."""
        awards = select(points_ledger.c.id).where(
            points_ledger.c.resident_id == resident_id, points_ledger.c.amount > 0,
            points_ledger.c.reverses.is_(None), points_ledger.c.at >= _naive_utc(start),
            points_ledger.c.at < _naive_utc(end))
        return int(self._conn.execute(
            select(func.coalesce(func.sum(points_ledger.c.amount), 0))
            .where(points_ledger.c.resident_id == resident_id,
                   or_(points_ledger.c.id.in_(awards), points_ledger.c.reverses.in_(awards)))
        ).scalar_one())

    def reported_grids(self, resident_id: str) -> set[str]:
        """The grids of the cases the resident reported (any state): part of what makes
        them a resident of a grid for points staff."""
        return set(self._conn.execute(
            select(distinct(cases.c.grid_id))
            .where(cases.c.reporter_id == resident_id, cases.c.grid_id.isnot(None))).scalars())

    def history(self, resident_id: str, limit: int = 10) -> list[Entry]:
        rows = self._conn.execute(
            select(points_ledger).where(points_ledger.c.resident_id == resident_id)
            .order_by(points_ledger.c.at.desc(), points_ledger.c.id.desc()).limit(limit)).mappings()
        return [_entry(r) for r in rows]

    def _one(self, *conditions) -> Entry | None:
        row = self._conn.execute(select(points_ledger).where(*conditions)).mappings().first()
        return _entry(row) if row else None

    # --- catalogue ----------------------------------------------------------------

    def catalogue(self) -> list[Reward]:
        rows = self._conn.execute(select(rewards).order_by(rewards.c.price, rewards.c.id))
        return [Reward(r.id, r.name, r.price, r.stock) for r in rows]

    def reward(self, reward_id: str) -> Reward | None:
        r = self._conn.execute(select(rewards).where(rewards.c.id == reward_id)).first()
        return Reward(r.id, r.name, r.price, r.stock) if r else None

    def add_reward(self, reward: Reward) -> None:
        self._conn.execute(insert(rewards).values(id=reward.id, name=reward.name,
                                                  price=reward.price, stock=reward.stock))

    def describe_reward(self, reward: Reward) -> None:
        """Change name and price; stock is left as it is."""
        self._conn.execute(update(rewards).where(rewards.c.id == reward.id)
                           .values(name=reward.name, price=reward.price))

    def take_one(self, reward_id: str) -> bool:
        """One item off the shelf, atomically; False when none was left.

        Under READ COMMITTED a racing UPDATE waits for the row and re-checks
        `stock > 0` on the committed value, so stock can reach zero, never below.
        """
        done = self._conn.execute(
            update(rewards).where(rewards.c.id == reward_id, rewards.c.stock > 0)
            .values(stock=rewards.c.stock - 1))
        return done.rowcount == 1

    # --- redemptions --------------------------------------------------------------

    def code_taken(self, code: str) -> bool:
        return self._conn.execute(
            select(redemptions.c.id).where(redemptions.c.code == code)).first() is not None

    def add_redemption(self, redemption: Redemption) -> None:
        self._conn.execute(insert(redemptions).values(
            code=redemption.code, resident_id=redemption.resident_id,
            reward_id=redemption.reward_id, at=_naive_utc(redemption.at),
            collected_at=_naive_utc(redemption.collected_at), collected_by=redemption.collected_by))

    def redemption(self, code: str) -> Redemption | None:
        r = self._conn.execute(select(redemptions).where(redemptions.c.code == code)).first()
        if r is None:
            return None
        return Redemption(r.code, r.resident_id, r.reward_id, _aware(r.at),
                          _aware(r.collected_at), r.collected_by)

    def mark_collected(self, redemption: Redemption) -> bool:
        """Record the pick-up; False when someone recorded it first."""
        done = self._conn.execute(
            update(redemptions).where(redemptions.c.code == redemption.code,
                                      redemptions.c.collected_at.is_(None))
            .values(collected_at=_naive_utc(redemption.collected_at),
                    collected_by=redemption.collected_by))
        return done.rowcount == 1


_ENTRY_COLUMNS = ("resident_id", "kind", "amount", "reason", "actor_id", "at",
                  "idempotency_key", "reverses")


def _entry(row) -> Entry:
    return Entry(**{name: _aware(row[name]) for name in _ENTRY_COLUMNS}, id=row["id"])


def load_catalogue_file(path: Path) -> list[Reward]:
    """The reward catalogue (data/rewards.yml), checked: unique ids, price > 0, stock >= 0."""
    data = yaml.safe_load(Path(path).read_text(encoding="utf-8")) or {}
    items, seen = [], set()
    for raw in data.get("rewards") or []:
        reward = Reward(str(raw["id"]), str(raw["name"]), raw["price"], raw["stock"])
        if reward.id in seen:
            raise ValueError(f"{path}: reward {reward.id} is listed twice")
        if not (isinstance(reward.price, int) and reward.price > 0):
            raise ValueError(f"{path}: reward {reward.id} needs a price above zero")
        if not (isinstance(reward.stock, int) and reward.stock >= 0):
            raise ValueError(f"{path}: reward {reward.id} needs a stock of zero or more")
        seen.add(reward.id)
        items.append(reward)
    return items


# The ledger's amount column is a 32-bit integer on PostgreSQL: no limit may exceed it.
_LIMIT_CEILING = 2**31 - 1
_LIMIT_KEYS = ("per_award", "per_resident_per_day")


def load_award_limits(path: Path) -> AwardLimits:
    """The award limits (data/rewards.yml, `limits:`), checked: both given, whole numbers
    above zero, one award no more than a day's."""
    data = yaml.safe_load(Path(path).read_text(encoding="utf-8")) or {}
    raw = data.get("limits")
    if not isinstance(raw, dict):
        raise ValueError(f"{path}: limits: needs {' and '.join(_LIMIT_KEYS)}")
    unknown = sorted(set(map(str, raw)) - set(_LIMIT_KEYS))
    if unknown:
        raise ValueError(f"{path}: limits: unknown keys {', '.join(unknown)}")
    for key in _LIMIT_KEYS:
        value = raw.get(key)
        if isinstance(value, bool) or not isinstance(value, int) or not 0 < value <= _LIMIT_CEILING:
            raise ValueError(f"{path}: limits.{key} needs a whole number from 1 to {_LIMIT_CEILING}, "
                             f"not {value!r}")
    limits = AwardLimits(raw["per_award"], raw["per_resident_per_day"])
    if limits.per_award > limits.per_resident_per_day:
        raise ValueError(f"{path}: limits.per_award ({limits.per_award}) is above "
                         f"limits.per_resident_per_day ({limits.per_resident_per_day})")
    return limits
