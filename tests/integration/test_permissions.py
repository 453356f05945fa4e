"""No service acts for someone whose role does not allow it."""
import datetime as dt
import inspect

import pytest

from civic.domain.actors import Actor
from civic.domain.errors import NotAllowed
from civic.domain.commands import Extend, Reassign, Sign
from civic.services import accounts, cases, commands, handoff, mediation, points, rates

NOW = dt.datetime(2026, 11, 18, 2, 0, tzinfo=dt.timezone.utc)
THURSDAY_TEN = dt.datetime(2026, 11, 19, 2, 30, tzinfo=dt.timezone.utc)  # 10:30 Shanghai
RESIDENT = Actor.resident("r-1")
NEIGHBOUR = Actor.resident("r-2")
WORKER = Actor("gw-wj-01", "grid_worker", grids=frozenset({"WJ-01"}))
LEADER = Actor("gl-qingxi", "grid_leader", communities=frozenset({"qingxi"}))
HOME_LEADER = Actor("gl-wangjiang", "grid_leader", communities=frozenset({"wangjiang"}))

# Handlers that act for nobody, and why that is safe.
NO_ACTOR = {
    "commands.check_deadlines": "a scheduler job acting as the system",
    "accounts.link_staff": "the one-time code is the credential",
    "accounts.staff_for_telegram": "resolves who is acting",
    "points.catalogue": "public catalogue",
    "points.sync_catalogue": "start-up, from data/rewards.yml",
    "mediation.available_slots": "public free slots, no personal data",
    "mediation.slot_refusal": "whether a time is free, no personal data",
    "rates.three_rates": "aggregate figures without personal data",
}


def handlers():
    """Public functions of a unit of work (helpers such as staff_actor take none)."""
    for module in (cases, commands, accounts, points, mediation, rates, handoff):
        for name, fn in inspect.getmembers(module, inspect.isfunction):
            if fn.__module__ == module.__name__ and not name.startswith("_") \
                    and next(iter(inspect.signature(fn).parameters), None) == "uow":
                yield f"{module.__name__.rsplit('.', 1)[1]}.{name}", fn


@pytest.mark.parametrize("name, fn", list(handlers()), ids=lambda v: v if isinstance(v, str) else "")
def test_every_handler_takes_an_actor_or_says_why_not(name, fn):
    parameters = inspect.signature(fn).parameters
    # A command carries its actor (civic.domain.commands.Command.actor).
    assert "actor" in parameters or "command" in parameters or name in NO_ACTOR


def test_no_handler_is_excused_that_needs_no_excuse():
    found = dict(handlers())
    assert all(name in found and "actor" not in inspect.signature(found[name]).parameters
               for name in NO_ACTOR)


def a_case(civic):
    with civic.uow() as uow:
        return cases.report_case(uow, civic.services, actor=RESIDENT, category="repair",
                                 description="楼道灯坏了", address="望江花园3号楼", now=NOW).case


def a_booking(civic):
    with civic.uow() as uow:
        return mediation.book(uow, civic.services, actor=RESIDENT, mediator_id=None,
                              mode="online", starts_at=THURSDAY_TEN, dispute="楼上漏水",
                              other_party_name="李先生", now=NOW)


REFUSALS = {  # who: (what to set up first, the refused call)
    "a resident signs their own case": (a_case, lambda c, uow, case: commands.handle(
        uow, c.services, Sign(case.number, RESIDENT, NOW))),
    "a grid worker reassigns": (a_case, lambda c, uow, case: commands.handle(
        uow, c.services, Reassign(case.number, WORKER, NOW, assignee_id="gw-wj-02"))),
    "a grid leader hands a case to a worker of another community": (a_case, lambda c, uow, case: commands.handle(
        uow, c.services, Reassign(case.number, HOME_LEADER, NOW, assignee_id="gw-qx-01"))),
    "a leader of another community extends": (a_case, lambda c, uow, case: commands.handle(
        uow, c.services, Extend(case.number, LEADER, NOW, new_due=NOW + dt.timedelta(days=9),
                                note="等配件"))),
    "a grid worker reports as a resident": (None, lambda c, uow, _: cases.report_case(
        uow, c.services, actor=WORKER, category="repair", description="楼道灯坏了",
        address="望江花园3号楼", now=NOW)),
    "a grid worker reads a resident's case list": (None, lambda c, uow, _: cases.my_cases(
        uow, actor=WORKER)),
    "a resident lists staff cases": (None, lambda c, uow, _: cases.staff_cases(
        uow, c.services, actor=RESIDENT, scope="grids")),
    "staff read a resident's bookings": (None, lambda c, uow, _: mediation.bookings_for(
        uow, actor=WORKER)),
    "a resident awards points": (None, lambda c, uow, _: points.award(
        uow, c.services, actor=RESIDENT, resident_id="r-1", kind="public_virtue", amount=10,
        reason="自己给自己", key="k", now=NOW)),
    "a resident reads a neighbour's balance": (None, lambda c, uow, _: points.balance(
        uow, "r-1", actor=NEIGHBOUR)),
    "a resident redeems for a neighbour": (None, lambda c, uow, _: points.redeem(
        uow, actor=NEIGHBOUR, resident_id="r-1", reward_id="towel", now=NOW)),
    "a resident marks a reward collected": (None, lambda c, uow, _: points.mark_collected(
        uow, actor=RESIDENT, code="ABCDEF", now=NOW)),
    "a grid worker books mediation as a resident": (None, lambda c, uow, _: mediation.book(
        uow, c.services, actor=WORKER, mediator_id=None, mode="online", starts_at=THURSDAY_TEN,
        dispute="x", other_party_name="y", now=NOW)),
    "a resident records a mediation outcome": (a_booking, lambda c, uow, booking: mediation.record_outcome(
        uow, c.services, actor=RESIDENT, booking_id=booking.id, outcome="settled",
        now=THURSDAY_TEN + dt.timedelta(hours=1))),
    "a grid leader issues a link code": (None, lambda c, uow, _: accounts.issue_link_code(
        uow, c.services, actor=LEADER, staff_id="gw-wj-01", now=NOW)),
    "staff change a resident's address": (None, lambda c, uow, _: accounts.change_address(
        uow, actor=WORKER, address="别处")),
}


@pytest.mark.parametrize("who", list(REFUSALS))
def test_an_actor_without_the_role_is_refused(civic, who):
    setup, call = REFUSALS[who]
    made = setup(civic) if setup else None  # before the unit of work: SQLite has one writer
    with civic.uow() as uow, pytest.raises(NotAllowed):
        call(civic, uow, made)
