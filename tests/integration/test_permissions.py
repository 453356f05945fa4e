"""No service acts for someone whose role does not allow it."""
import datetime as dt
import inspect

import pytest

from civic.domain.actors import Actor
from civic.domain.errors import NotAllowed
from civic.services import accounts, cases, handoff, mediation, notifications, points, rates

NOW = dt.datetime(2026, 11, 18, 2, 0, tzinfo=dt.timezone.utc)
THURSDAY_TEN = dt.datetime(2026, 11, 19, 2, 30, tzinfo=dt.timezone.utc)  # 10:30 Shanghai
RESIDENT = Actor.resident("r-1")
NEIGHBOUR = Actor.resident("r-2")
WORKER = Actor("gw-wj-01", "grid_worker", grids=frozenset({"WJ-01"}))
LEADER = Actor("gl-qingxi", "grid_leader", communities=frozenset({"qingxi"}))

# Service functions that take no actor, and why that is safe.
NO_ACTOR = {
    "cases.report_case": "the reporter is the resident whose chat it is",
    "cases.open_case": "report_case without its commit",
    "handoff.request_handoff": "the resident whose chat it is",
    "notifications.pending_notices": "reads the given resident's own notices only",
    "notifications.mark_shown": "moves the given resident's own cursor",
    "cases.follow_case": "the follower is the resident whose chat it is",
    "cases.check_deadlines": "a scheduler job acting as the system",
    "cases.my_cases": "reads the given resident's own cases only",
    "cases.case_for_resident": "answers not found for anyone else's case",
    "cases.staff_actor": "builds an actor from the district data",
    "cases.view": "a projection that leaves out the reporter",
    "accounts.link_staff": "the one-time code is the credential",
    "accounts.staff_for_telegram": "resolves who is acting",
    "accounts.random_code": "a helper",
    "points.catalogue": "public catalogue",
    "points.sync_catalogue": "start-up, from data/rewards.yml",
    "mediation.available_slots": "public free slots, no personal data",
    "mediation.bookings_for": "reads the given resident's own bookings only",
    "rates.three_rates": "aggregate figures without personal data",
}


def public_functions():
    for module in (cases, accounts, points, mediation, rates, handoff, notifications):
        for name, fn in inspect.getmembers(module, inspect.isfunction):
            if fn.__module__ == module.__name__ and not name.startswith("_"):
                yield f"{module.__name__.rsplit('.', 1)[1]}.{name}", fn


@pytest.mark.parametrize("name, fn", list(public_functions()), ids=lambda v: v if isinstance(v, str) else "")
def test_every_service_takes_an_actor_or_says_why_not(name, fn):
    assert "actor" in inspect.signature(fn).parameters or name in NO_ACTOR


def a_case(civic):
    with civic.uow() as uow:
        return cases.report_case(uow, civic.services, reporter_id="r-1", category="repair",
                                 description="楼道灯坏了", address="望江花园3号楼", now=NOW)


def a_booking(civic):
    with civic.uow() as uow:
        return mediation.book(uow, civic.services, actor=RESIDENT, mediator_id=None,
                              mode="online", starts_at=THURSDAY_TEN, dispute="楼上漏水",
                              other_party_name="李先生", now=NOW)


REFUSALS = {  # who: (what to set up first, the refused call)
    "a resident signs their own case": (a_case, lambda c, uow, case: cases.move(
        uow, c.services, number=case.number, actor=RESIDENT, action="sign", now=NOW)),
    "a grid worker reassigns": (a_case, lambda c, uow, case: cases.move(
        uow, c.services, number=case.number, actor=WORKER, action="reassign",
        assignee_id="gw-wj-02", now=NOW)),
    "a leader of another community extends": (a_case, lambda c, uow, case: cases.move(
        uow, c.services, number=case.number, actor=LEADER, action="extend",
        new_due=NOW + dt.timedelta(days=9), note="等配件", now=NOW)),
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
