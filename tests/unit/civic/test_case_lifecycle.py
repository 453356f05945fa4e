"""The case life cycle: every move of DESIGN.md's table, with its roles."""
import dataclasses
import datetime as dt

import pytest

from civic.domain.actors import Actor
from civic.domain.case import Case, State
from civic.domain.errors import IllegalMove, NotAllowed, NoteRequired

T0 = dt.datetime(2026, 11, 18, 2, 0, tzinfo=dt.timezone.utc)  # 10:00 in Shanghai
HOUR = dt.timedelta(hours=1)
WORKER = Actor("gw-1", "grid_worker", grids=frozenset({"WJ-01"}))
OTHER_WORKER = Actor("gw-2", "grid_worker", grids=frozenset({"WJ-02"}))
LEADER = Actor("gl-wj", "grid_leader", communities=frozenset({"wangjiang"}))
OTHER_LEADER = Actor("gl-qx", "grid_leader", communities=frozenset({"qingxi"}))
CENTRE = Actor("cc-1", "command_centre")
REPORTER = Actor.resident("r-1")
STRANGER = Actor.resident("r-2")


@dataclasses.dataclass
class Due:
    sign: dt.datetime
    contact: dt.datetime
    resolve: dt.datetime


DUE = Due(T0 + 2 * HOUR, T0 + 24 * HOUR, T0 + 7 * 24 * HOUR)


def new_case(state=State.RECEIVED) -> Case:
    case = Case(number="20261118-0001", reporter_id="r-1", category="repair", tier="ordinary",
                description="楼道灯坏了", address="望江花园3号楼", grid_id="WJ-01",
                community_id="wangjiang", created_at=T0)
    case.receive(REPORTER, T0)
    if state != State.RECEIVED:
        case.route(Actor.system(), "gw-1", ("pm-north",), DUE, T0)
    if state in (State.ACCEPTED, State.IN_PROGRESS, State.RESOLVED):
        case.sign(WORKER, T0 + HOUR)
    if state in (State.IN_PROGRESS, State.RESOLVED):
        case.start(WORKER, T0 + HOUR)
    if state == State.RESOLVED:
        case.resolve(WORKER, T0 + 3 * HOUR, "已换灯泡")
    return case


def snapshot(case):
    return dataclasses.asdict(case)


def test_routing_dispatches_to_the_assignee_with_deadlines():
    case = new_case(State.DISPATCHED)
    assert case.state == State.DISPATCHED
    assert case.assignee_id == "gw-1" and case.sign_due == DUE.sign
    assert [e.name for e in case.events] == ["received", "routed"]


def test_the_happy_path_ends_closed_after_a_good_rating():
    case = new_case(State.RESOLVED)
    case.rate(REPORTER, True, "satisfied", T0 + 5 * HOUR)
    assert case.state == State.CLOSED
    assert [h.action for h in case.history] == [
        "received", "routed", "signed", "started", "resolved", "rated"]


@pytest.mark.parametrize("satisfaction, solved", [("dissatisfied", True), ("satisfied", False)])
def test_not_solved_or_dissatisfied_reopens_with_the_reason(satisfaction, solved):
    case = new_case(State.RESOLVED)
    case.rate(REPORTER, solved, satisfaction, T0 + 5 * HOUR, "灯还是不亮")
    assert case.state == State.REOPENED
    assert case.history[-1].note == "灯还是不亮"
    case.route(Actor.system(), "gw-1", (), DUE, T0 + 6 * HOUR)
    assert case.state == State.DISPATCHED


@pytest.mark.parametrize(
    "state, move",
    [
        (State.ACCEPTED, lambda c: c.sign(WORKER, T0)),
        (State.DISPATCHED, lambda c: c.start(WORKER, T0)),
        (State.DISPATCHED, lambda c: c.resolve(WORKER, T0, "done")),
        (State.ACCEPTED, lambda c: c.rate(REPORTER, True, "satisfied", T0)),
        (State.IN_PROGRESS, lambda c: c.return_(WORKER, T0, "not mine")),
        (State.RESOLVED, lambda c: c.withdraw(REPORTER, T0)),
        (State.ACCEPTED, lambda c: c.merge(CENTRE, "x", T0, "dup")),
        (State.RESOLVED, lambda c: c.escalate(LEADER, "cc-1", T0, "late")),
    ],
)
def test_an_illegal_move_raises_and_changes_nothing(state, move):
    case = new_case(state)
    before = snapshot(case)
    with pytest.raises(IllegalMove):
        move(case)
    assert snapshot(case) == before


@pytest.mark.parametrize(
    "state, move",
    [
        (State.DISPATCHED, lambda c: c.sign(OTHER_WORKER, T0)),
        (State.DISPATCHED, lambda c: c.sign(OTHER_LEADER, T0)),
        (State.ACCEPTED, lambda c: c.resolve(LEADER, T0, "done")),
        (State.RESOLVED, lambda c: c.rate(STRANGER, True, "satisfied", T0)),
        (State.DISPATCHED, lambda c: c.withdraw(STRANGER, T0)),
        (State.DISPATCHED, lambda c: c.reassign(OTHER_LEADER, "gw-9", DUE, T0)),
        (State.DISPATCHED, lambda c: c.reassign(WORKER, "gw-9", DUE, T0)),
        (State.DISPATCHED, lambda c: c.extend(WORKER, T0, T0, "need parts")),
        (State.RECEIVED, lambda c: c.reject(LEADER, T0, "not ours")),
        (State.RECEIVED, lambda c: c.route(WORKER, "gw-1", (), DUE, T0)),
    ],
)
def test_an_actor_without_the_right_is_refused_and_nothing_changes(state, move):
    case = new_case(state)
    before = snapshot(case)
    with pytest.raises(NotAllowed):
        move(case)
    assert snapshot(case) == before


def test_the_grid_leader_may_sign_for_their_community():
    case = new_case(State.DISPATCHED)
    case.sign(LEADER, T0 + HOUR)
    assert case.state == State.ACCEPTED and case.signed_at == T0 + HOUR


@pytest.mark.parametrize(
    "state, move",
    [
        (State.IN_PROGRESS, lambda c: c.resolve(WORKER, T0, "  ")),
        (State.ACCEPTED, lambda c: c.return_(WORKER, T0, "")),
        (State.DISPATCHED, lambda c: c.extend(LEADER, T0, T0, "")),
        (State.RECEIVED, lambda c: c.reject(CENTRE, T0, "")),
        (State.IN_PROGRESS, lambda c: c.note_progress(WORKER, T0, "")),
    ],
)
def test_moves_that_need_a_note_refuse_without_one(state, move):
    case = new_case(state)
    with pytest.raises(NoteRequired):
        move(case)


def test_return_sends_the_case_back_to_received_with_the_reason():
    case = new_case(State.ACCEPTED)
    case.return_(WORKER, T0 + HOUR, "不是本网格")
    assert case.state == State.RECEIVED and case.assignee_id is None
    assert case.history[-1].note == "不是本网格"


def test_escalation_is_a_level_not_a_state():
    case = new_case(State.ACCEPTED)
    case.escalate(Actor.system(), "gl-wj", T0 + 3 * HOUR, "超时未联系")
    assert case.state == State.ACCEPTED
    assert case.escalation_level == 1 and case.assignee_id == "gl-wj"


def test_an_extension_moves_the_resolve_deadline_and_is_kept_in_history():
    case = new_case(State.IN_PROGRESS)
    later = DUE.resolve + 72 * HOUR
    case.extend(CENTRE, later, T0 + HOUR, "等待配件")
    assert case.resolve_due == later
    assert case.history[-1].action == "extended" and case.history[-1].note == "等待配件"


@pytest.mark.parametrize("new_due", [T0, T0 + HOUR - dt.timedelta(minutes=1), DUE.resolve],
                         ids=["before now", "just before now", "the current deadline"])
def test_an_extension_must_be_later_than_now_and_than_the_current_deadline(new_due):
    case = new_case(State.IN_PROGRESS)
    with pytest.raises(IllegalMove):
        case.extend(CENTRE, new_due, T0 + HOUR, "等待配件")
    assert case.resolve_due == DUE.resolve and case.history[-1].action != "extended"


@pytest.mark.parametrize("move", [
    lambda c, note: c.note_progress(WORKER, T0 + 2 * HOUR, note),
    lambda c, note: c.contact(WORKER, T0 + 2 * HOUR, note),
    lambda c, note: c.resolve(WORKER, T0 + 2 * HOUR, note),
    lambda c, note: c.withdraw(REPORTER, T0 + 2 * HOUR, note),
], ids=["progress", "contact", "resolve", "withdraw"])
def test_a_note_longer_than_a_chat_message_is_refused_and_changes_nothing(move):
    from civic.domain.case import MAX_NOTE

    case = new_case(State.IN_PROGRESS)
    state, entries = case.state, len(case.history)
    with pytest.raises(IllegalMove):
        move(case, "漏" * (MAX_NOTE + 1))
    assert (case.state, len(case.history)) == (state, entries)
    move(case, "漏" * MAX_NOTE)  # as long as a chat message may be: fine
    assert len(case.history) == entries + 1


def test_the_reporter_may_withdraw_before_it_is_resolved():
    case = new_case(State.IN_PROGRESS)
    case.withdraw(REPORTER, T0 + HOUR, "已自行解决")
    assert case.state == State.WITHDRAWN


def test_the_command_centre_merges_a_duplicate():
    case = new_case(State.DISPATCHED)
    case.merge(CENTRE, "20261117-0003", T0 + HOUR, "同一问题")
    assert case.state == State.MERGED and case.duplicate_of == "20261117-0003"


def test_resolved_cases_unrated_for_seven_days_close_themselves():
    case = new_case(State.RESOLVED)
    with pytest.raises(IllegalMove):
        case.close_unrated(T0 + 3 * HOUR + dt.timedelta(days=6))
    case.close_unrated(T0 + 3 * HOUR + dt.timedelta(days=7))
    assert case.state == State.CLOSED


def test_overdue_lists_only_pending_deadlines_that_passed():
    case = new_case(State.DISPATCHED)
    assert case.overdue(T0 + HOUR) == []
    assert case.overdue(T0 + 3 * HOUR) == ["sign"]
    case.sign(WORKER, T0 + 3 * HOUR)
    assert case.overdue(T0 + 30 * HOUR) == ["contact"]


def test_a_follower_sees_the_case_but_is_not_the_reporter():
    case = new_case(State.DISPATCHED)
    case.follow("r-2", T0)
    assert case.visible_to("r-2") and not case.visible_to("r-3")
    with pytest.raises(NotAllowed):
        case.rate(Actor.resident("r-2"), True, "satisfied", T0)
