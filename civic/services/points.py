"""Points handlers: award, reverse, balance, history, catalogue, redeem, hand out.

Each checks who asks before anything else; a domain error leaves the store as it was.
Awards and reversals go to registered residents who have not erased their data, from
staff whose grids the resident is of (the command centre: anyone); awards stay within
the limits of data/rewards.yml.
Changes that check a balance first lock the resident (PostgreSQL advisory lock; on
SQLite the unit of work's BEGIN IMMEDIATE already serialises writers), so concurrent
redemptions and reversals can never overdraw.
"""
from __future__ import annotations

import datetime as dt

from civic.domain import events as ev
from civic.domain import points as rules
from civic.domain.actors import COMMAND_CENTRE, Actor
from civic.domain.errors import NotAllowed
from civic.domain.events import Event
from civic.domain.points import Entry, Redemption, Reward
from civic.domain.routing import GRID, resolve_address

HISTORY_MAX = 100
CODE_TRIES = 5


def _registered_staff(services, actor: Actor) -> None:
    """The actor is points staff and in the district's register with that role."""
    rules.require_points_staff(actor, "change points")
    staff = services.district.staff.get(actor.id)
    if staff is None or staff.role != actor.role:
        raise NotAllowed(f"{actor.id} is not registered as {actor.role}")


def _require_read(actor: Actor, resident_id: str) -> None:
    if not rules.may_read(actor, resident_id):
        raise NotAllowed(f"{actor.role} {actor.id} may not read the points of {resident_id}")


def _retried(existing: Entry, asked: Entry) -> Entry:
    """A change already made under this key: the same change counts once, another is refused."""
    if not existing.same_change(asked):
        raise rules.KeyReused(f"key {asked.idempotency_key} was used for entry {existing.id}")
    return existing


def _changed(name: str, entry: Entry, balance: int, **data) -> Event:
    return Event(name, entry.at, {
        "resident_id": entry.resident_id, "entry_id": entry.id, "kind": entry.kind,
        "amount": entry.amount, "reason": entry.reason, "actor_id": entry.actor_id,
        "balance": balance, **data})


def _resident_grids(uow, services, resident_id: str, household_address: str | None) -> set[str]:
    """The grids a resident is of: where their household address routes (one grid, not
    a guess among several) and where they reported cases."""
    grids = uow.points.reported_grids(resident_id)
    if household_address:
        resolution = resolve_address(services.district, household_address)
        if resolution.kind == GRID:
            grids.add(resolution.grid_id)
    return grids


def _require_resident_in_scope(uow, services, actor: Actor, resident_id: str, move: str) -> None:
    """A registered resident who has not erased their data, of a grid the actor covers."""
    resident = uow.accounts.resident(resident_id)
    rules.require_known(resident_id, resident)
    if actor.role != COMMAND_CENTRE:  # the whole street is the centre's: no need to look
        rules.require_in_scope(actor, resident_id,
                               _resident_grids(uow, services, resident_id, resident.household_address),
                               services.district, move)


def award(uow, services, *, actor: Actor, resident_id: str, kind: str, amount: int, reason: str,
          key: str, now: dt.datetime) -> Entry:
    """Staff award points to a known resident of their grids, within the limits of
    data/rewards.yml; a retry with the same key returns the first award."""
    _registered_staff(services, actor)
    _require_resident_in_scope(uow, services, actor, resident_id, "award points")
    asked = rules.award(actor, resident_id, kind, amount, reason, key, now,
                        limits=services.award_limits)
    uow.points.lock_resident(resident_id)  # the daily limit holds under concurrent awards
    existing = uow.points.by_key(resident_id, asked.idempotency_key)
    if existing is not None:  # a retry counts once, however full the day is now
        return _retried(existing, asked)
    rules.require_within_day(asked, uow.points.awarded_between(resident_id, *rules.award_day(now)),
                             services.award_limits)
    entry, created = uow.points.add(asked)
    if not created:
        return _retried(entry, asked)
    uow.events.append(_changed(ev.POINTS_AWARDED, entry, uow.points.balance(resident_id)))
    uow.commit()
    return entry


def reverse(uow, services, *, actor: Actor, resident_id: str, entry_id: int, amount: int,
            reason: str, key: str, now: dt.datetime) -> Entry:
    """Staff take back all or part of an award to a known resident of their grids,
    never below a zero balance."""
    _registered_staff(services, actor)
    _require_resident_in_scope(uow, services, actor, resident_id, "reverse points")
    uow.points.lock_resident(resident_id)
    original = uow.points.entry(entry_id)
    if original is None or original.resident_id != resident_id:
        raise rules.EntryNotFound(f"no entry {entry_id} for {resident_id}")
    existing = uow.points.by_key(resident_id, key.strip()) if (key or "").strip() else None
    if existing is not None:  # a retry: checked against the first reversal, not the balance now
        taken = -amount if isinstance(amount, int) else 0  # 0 never matches a stored reversal
        asked = Entry(resident_id, original.kind, taken, reason, actor.id, now, key, entry_id)
        return _retried(existing, asked)
    entry = rules.reverse(actor, original, uow.points.reversed_amount(entry_id),
                          uow.points.balance(resident_id), amount, reason, key, now)
    entry, _ = uow.points.add(entry)
    uow.events.append(_changed(ev.POINTS_REVERSED, entry, uow.points.balance(resident_id)))
    uow.commit()
    return entry


def balance(uow, resident_id: str, *, actor: Actor) -> int:
    _require_read(actor, resident_id)
    return uow.points.balance(resident_id)


def history(uow, resident_id: str, limit: int = 10, *, actor: Actor) -> list[Entry]:
    """Newest first."""
    _require_read(actor, resident_id)
    return uow.points.history(resident_id, max(1, min(limit, HISTORY_MAX)))


def catalogue(uow) -> list[Reward]:
    """Everything on offer, cheapest first, out-of-stock items included (shown as such)."""
    return uow.points.catalogue()


def redeem(uow, *, actor: Actor, resident_id: str, reward_id: str, now: dt.datetime,
           make_code=rules.pickup_code) -> Redemption:
    """The resident spends points on a reward and gets a pick-up code."""
    rules.require_self(actor, resident_id, "redeem rewards")
    uow.points.lock_resident(resident_id)
    reward = uow.points.reward(reward_id)
    if reward is None:
        raise rules.RewardNotFound(reward_id)
    entry, redemption = rules.redeem(actor, resident_id, reward, uow.points.balance(resident_id),
                                     _fresh_code(uow, make_code), now)
    if not uow.points.take_one(reward_id):  # someone took the last one since we read it
        raise rules.OutOfStock(reward_id)
    entry, _ = uow.points.add(entry)
    uow.points.add_redemption(redemption)
    uow.events.append(_changed(ev.REWARD_REDEEMED, entry, uow.points.balance(resident_id),
                               reward_id=reward.id, reward_name=reward.name,
                               code=redemption.code))
    uow.commit()
    return redemption


def _fresh_code(uow, make_code) -> str:
    for _ in range(CODE_TRIES):
        code = rules.normalise_code(make_code())
        if not uow.points.code_taken(code):
            return code
    raise RuntimeError(f"no unused pick-up code in {CODE_TRIES} tries")


def mark_collected(uow, *, actor: Actor, code: str, now: dt.datetime) -> Redemption:
    """Staff hand the reward over; each code once."""
    rules.require_points_staff(actor, "hand out rewards")
    redemption = uow.points.redemption(rules.normalise_code(code))
    if redemption is None:
        raise rules.RedemptionNotFound(code)
    redemption.collect(actor, now)
    if not uow.points.mark_collected(redemption):  # another desk recorded it first
        raise rules.AlreadyCollected(f"code {redemption.code} was collected already")
    uow.events.append(Event(ev.REWARD_COLLECTED, now, {
        "resident_id": redemption.resident_id, "reward_id": redemption.reward_id,
        "code": redemption.code, "actor_id": actor.id}))
    uow.commit()
    return redemption


def sync_catalogue(uow, items: list[Reward]) -> dict[str, list[str]]:
    """Bring the catalogue file into the store: new items with their stock; for items
    already there, name and price follow the file but stock never does (it is counted
    down by redemptions; raising it is a staff decision). Returns what was added and
    which items' stock differs from the file, for the log.
    """
    stored = {r.id: r for r in uow.points.catalogue()}
    added, stock_differs = [], []
    for item in items:
        current = stored.get(item.id)
        if current is None:
            uow.points.add_reward(item)
            added.append(item.id)
            continue
        if (current.name, current.price) != (item.name, item.price):
            uow.points.describe_reward(item)
        if current.stock != item.stock:
            stock_differs.append(item.id)
    uow.commit()
    return {"added": added, "stock_differs": stock_differs}
