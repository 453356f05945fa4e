"""Who hears of an event: pure rules over the payload and the case (civic.domain.recipients)."""
import dataclasses
import datetime as dt

import pytest

from civic.domain import events as ev
from civic.domain.actors import Actor
from civic.domain.calendar import WorkCalendar
from civic.domain.case import Case
from civic.domain.recipients import CENTRE_DESK, recipients

T0 = dt.datetime(2026, 11, 18, 2, 0, tzinfo=dt.timezone.utc)
HOUR = dt.timedelta(hours=1)
WORKER = Actor("gw-1", "grid_worker", grids=frozenset({"WJ-01"}))
LEADER = Actor("gl-wj", "grid_leader", communities=frozenset({"wangjiang"}))
CENTRE = Actor("cc-1", "command_centre")
REPORTER = Actor.resident("r-1")
OFFICE = WorkCalendar([(dt.time(8, 30), dt.time(12)), (dt.time(13, 30), dt.time(17, 30))])


@dataclasses.dataclass
class Due:
    sign: dt.datetime = T0 + 2 * HOUR
    contact: dt.datetime = T0 + 24 * HOUR
    resolve: dt.datetime = T0 + 7 * 24 * HOUR


def routed_case() -> Case:
    case = Case(number="20261118-0001", reporter_id="r-1", category="repair", tier="ordinary",
                description="楼道灯坏了", address="望江花园3号楼", grid_id="WJ-01",
                community_id="wangjiang", created_at=T0)
    case.receive(REPORTER, T0)
    case.route(Actor.system(), "gw-1", ("pm-north",), Due(), T0)
    case.follow("r-2", T0)
    return case


def heard(case, event=None) -> list[tuple[str, str]]:
    event = event or case.events[-1]
    return [(r.address, r.audience) for r in recipients(event.name, event.data, case)]


def test_a_routed_case_reaches_its_assignee_and_the_informed_staff_only():
    case = routed_case()
    assert heard(case, case.events[1]) == [("staff:gw-1", "assignee"), ("staff:pm-north", "informed")]
    assert heard(case, case.events[0]) == []  # received: internal


def test_a_status_change_reaches_reporter_and_followers_but_not_the_actor():
    case = routed_case()
    case.sign(WORKER, T0 + HOUR)
    assert heard(case) == [("resident:r-1", "reporter"), ("resident:r-2", "follower")]


def test_notes_never_reach_followers():
    case = routed_case()
    case.sign(WORKER, T0 + HOUR)
    case.contact(WORKER, T0 + HOUR, "电话联系了")
    assert heard(case) == [("resident:r-1", "reporter")]
    case.note_progress(WORKER, T0 + HOUR, "已订配件")
    assert heard(case) == [("resident:r-1", "reporter")]


def test_a_residents_detail_and_hurry_reach_the_assignee_not_themselves():
    case = routed_case()
    case.add_detail(REPORTER, T0 + HOUR, "二楼")
    assert heard(case) == [("staff:gw-1", "assignee")]
    case.hurry(Actor.resident("r-2"), T0 + HOUR, OFFICE.half_day)
    assert heard(case) == [("staff:gw-1", "assignee")]


def test_an_escalation_reaches_the_new_assignee_and_at_the_top_the_centre():
    case = routed_case()
    case.escalate(Actor.system(), "gl-wj", T0 + 3 * HOUR, "超时未签收")
    assert heard(case) == [("staff:gl-wj", "assignee")]
    case.escalate(Actor.system(), "cc-1", T0 + 30 * HOUR, "超时未联系")
    assert heard(case) == [("staff:cc-1", "assignee"), (CENTRE_DESK, "centre")]


def test_the_leader_escalating_to_themselves_is_not_told():
    case = routed_case()
    case.escalate(LEADER, "gl-wj", T0 + HOUR, "我来督办")
    assert heard(case) == []


def test_a_rating_that_reopens_reaches_whoever_resolved_it_even_once_routed_again():
    case = routed_case()
    case.sign(WORKER, T0 + HOUR)
    case.resolve(WORKER, T0 + 2 * HOUR, "已换灯泡")
    case.rate(REPORTER, False, "dissatisfied", T0 + 3 * HOUR, "还是不亮")
    reopened = case.events[-1]
    case.route(Actor.system(), "gw-9", (), Due(), T0 + 3 * HOUR)  # same transaction
    assert heard(case, reopened) == [("staff:gw-1", "assignee"), ("resident:r-2", "follower")]


def test_a_withdrawal_tells_the_assignee_and_followers_not_the_reporter():
    case = routed_case()
    case.withdraw(REPORTER, T0 + HOUR)
    assert heard(case) == [("staff:gw-1", "assignee"), ("resident:r-2", "follower")]


def test_the_centre_merging_tells_reporter_followers_and_assignee():
    case = routed_case()
    case.merge(CENTRE, "20261117-0003", T0 + HOUR, "同一件事")
    assert heard(case) == [("resident:r-1", "reporter"), ("resident:r-2", "follower"),
                           ("staff:gw-1", "assignee")]


def test_an_erased_reporter_is_told_nothing():
    case = routed_case()
    case.reporter_id = None
    case.sign(WORKER, T0 + HOUR)
    assert heard(case) == [("resident:r-2", "follower")]


def test_bookings_points_and_handoffs_name_their_recipients_in_the_payload():
    booking = {"booking_id": "mb-1", "resident_id": "r-1", "mediator_id": "md-shen",
               "actor_id": "r-1", "actor_role": "resident"}
    assert [r.address for r in recipients(ev.BOOKING_CREATED, booking)] == ["staff:md-shen"]
    cancelled = dict(booking, actor_id="md-shen", actor_role="mediator")
    assert [r.address for r in recipients(ev.BOOKING_CANCELLED, cancelled)] == ["resident:r-1"]
    by_centre = dict(booking, actor_id="cc-1", actor_role="command_centre")
    assert [r.address for r in recipients(ev.BOOKING_OUTCOME, by_centre)] == ["resident:r-1",
                                                                             "staff:md-shen"]
    award = {"resident_id": "r-1", "actor_id": "gw-wj-01", "amount": 5}
    assert [r.address for r in recipients(ev.POINTS_AWARDED, award)] == ["resident:r-1"]
    assert recipients(ev.REWARD_REDEEMED, {"resident_id": "r-1", "actor_id": "r-1"}) == []
    assert [r.address for r in recipients(ev.HANDOFF_REQUESTED, {"resident_id": "r-1"})] == [CENTRE_DESK]
    ended_by_staff = {"resident_id": "r-1", "actor_id": "cc-1", "actor_role": "command_centre"}
    assert [r.address for r in recipients(ev.HANDOFF_ENDED, ended_by_staff)] == ["resident:r-1"]
    ended_by_resident = {"resident_id": "r-1", "actor_id": "r-1", "actor_role": "resident"}
    assert recipients(ev.HANDOFF_ENDED, ended_by_resident) == []


def test_an_unregistered_event_is_refused():
    with pytest.raises(ev.UnknownEvent):
        recipients("redemption_collected", {"resident_id": "r-1"})


def test_every_delivered_audience_has_a_finder_and_internal_events_say_why():
    from civic.domain.recipients import FIND, RULES

    for kind in ev.REGISTRY.values():
        assert set(kind.audiences) <= set(FIND), kind.name
        assert kind.delivered or kind.internal_why, kind.name
        assert len(set(kind.audiences)) == len(kind.audiences), kind.name
    for name, audience in RULES:
        assert audience in ev.REGISTRY[name].audiences
