"""What the conversation needs from civic/: details, 催办, rating that reopens, handoff.

What residents are told of it is in test_deliveries.py."""
import datetime as dt

import pytest

from civic.domain.actors import Actor
from civic.domain.errors import CaseNotFound, IllegalMove
from civic.domain.commands import Rate
from civic.services import commands, handoff
from test_case_store import NOW, move, report, staff

SATURDAY_NIGHT = dt.datetime(2026, 11, 21, 14, 0, tzinfo=dt.timezone.utc)  # 22:00 Shanghai


def test_details_from_the_reporter_reach_the_assignee(civic):
    case = report(civic)
    move(civic, case.number, Actor.resident("r-1"), "detail", note="灯在二楼和三楼之间")
    with civic.uow() as uow:
        stored = uow.cases.get(case.number)
    assert stored.history[-1].action == "detail" and stored.history[-1].note == "灯在二楼和三楼之间"
    with pytest.raises(CaseNotFound):
        move(civic, case.number, Actor.resident("r-2"), "detail", note="我也来说两句")


def test_hurrying_an_overdue_case_escalates_it_at_once(civic):
    case = report(civic)
    late = case.sign_due + dt.timedelta(hours=1)
    hurried = move(civic, case.number, Actor.resident("r-1"), "hurry", now=late)
    assert [h.action for h in hurried.history][-2:] == ["hurried", "escalated"]
    assert hurried.escalation_level == 1


def test_hurrying_a_case_on_time_only_tells_the_assignee(civic):
    case = report(civic)
    hurried = move(civic, case.number, Actor.resident("r-1"), "hurry", now=NOW + dt.timedelta(minutes=5))
    assert hurried.history[-1].action == "hurried" and hurried.escalation_level == 0


def test_a_resolved_case_rated_not_solved_is_routed_again(civic):
    case = report(civic)
    worker = staff(civic, case.assignee_id)
    for action, note in (("sign", ""), ("resolve", "已换灯泡")):
        move(civic, case.number, worker, action, note=note)
    with civic.uow() as uow:
        rated = commands.handle(uow, civic.services, Rate(
            case.number, Actor.resident("r-1"), NOW, solved=False, satisfaction="dissatisfied",
            note="还是不亮"))
    assert rated.rerouted and rated.case.state.value == "dispatched" and rated.case.assignee_id
    assert [h.action for h in rated.case.history][-2:] == ["reopened", "routed"]
    with civic.uow() as uow, pytest.raises(IllegalMove):
        commands.handle(uow, civic.services, Rate(case.number, Actor.resident("r-1"), NOW,
                                                  solved=True, satisfaction="satisfied"))


def test_a_handoff_in_office_hours_opens_no_case(civic):
    with civic.uow() as uow:
        result = handoff.request_handoff(uow, civic.services, actor=Actor.resident("r-1"), reason="asked",
                                         summary="想找人问问", now=NOW)
    assert result.in_office_hours and result.case_number is None
    assert result.answer_by == NOW + dt.timedelta(minutes=30)


def test_a_handoff_out_of_hours_opens_a_case_so_nothing_is_lost(civic):
    with civic.uow() as uow:
        result = handoff.request_handoff(uow, civic.services, actor=Actor.resident("r-1"), reason="not_understood",
                                         summary="楼下那个东西又响了一晚上", now=SATURDAY_NIGHT)
    assert not result.in_office_hours and result.case_number
    assert result.answer_by.astimezone(dt.timezone(dt.timedelta(hours=8))).strftime("%a %H:%M") == "Mon 09:00"
    with civic.uow() as uow:
        assert uow.cases.get(result.case_number).reporter_id == "r-1"

