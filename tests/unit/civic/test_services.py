"""The case services' rules on a fake unit of work: reporting, duplicates, emergencies,
the command table and its actors, the deadline checks, the staff's case lists.

The real store's side of the same handlers is in tests/integration."""
import datetime as dt

import pytest

from civic.bootstrap import load_services
from civic.domain import commands as c
from civic.domain.accounts import Resident
from civic.domain.actors import Actor
from civic.domain.errors import CaseNotFound, DomainError, NotAllowed
from civic.services import cases, commands
from fakes import FakeUnitOfWork

NOW = dt.datetime(2026, 11, 18, 2, 0, tzinfo=dt.timezone.utc)  # Wednesday 10:00 Shanghai
HOUR = dt.timedelta(hours=1)
ME, NEIGHBOUR = Actor.resident("r-1"), Actor.resident("r-2")


@pytest.fixture(scope="module")
def services():
    return load_services()


@pytest.fixture
def uow():
    return FakeUnitOfWork()


def report(uow, services, actor=ME, description="望江花园3号楼楼道灯坏了", address="望江花园3号楼",
           category="repair", now=NOW, **kw):
    with uow:
        return cases.report_case(uow, services, actor=actor, category=category,
                                 description=description, address=address, now=now, **kw)


def filed(uow, services, **kw):
    result = report(uow, services, **kw)
    assert isinstance(result, cases.CaseFiled), result
    return result.case


def run(uow, services, command):
    with uow:
        return commands.handle(uow, services, command)


def staff(services, staff_id):
    return cases.staff_actor(services.district, staff_id)


def stored(uow, number):
    return uow.store.cases[number]


def resolved(uow, services):
    case = filed(uow, services)
    worker = staff(services, case.assignee_id)
    run(uow, services, c.Sign(case.number, worker, NOW))
    run(uow, services, c.Resolve(case.number, worker, NOW + HOUR, note="已换灯泡"))
    return case


# --- reporting --------------------------------------------------------------------------


def test_a_report_is_filed_and_routed_in_one_commit(uow, services):
    case = filed(uow, services)
    kept = stored(uow, case.number)
    assert (kept.state.value, kept.grid_id, kept.community_id) == ("dispatched", "WJ-01", "wangjiang")
    assert kept.assignee_id == "pm-north" and kept.sign_due is not None
    assert [h.action for h in kept.history] == ["received", "routed"]
    assert [e.name for e in uow.store.outbox] == ["received", "routed"] and uow.commits == 1


def test_a_report_without_a_place_is_about_the_remembered_household_address(uow, services):
    uow.store.residents["r-1"] = Resident("r-1", None, household_address="和平里5号楼")
    case = filed(uow, services, description="楼下的路灯坏了", address="")
    assert (case.address, case.grid_id) == ("和平里5号楼", "HP-01")


def test_an_ambiguous_place_is_asked_back_and_nothing_is_filed(uow, services):
    asked = report(uow, services, address="阳光花园")
    assert isinstance(asked, cases.AmbiguousAddress)
    assert {c.grid_id for c in asked.candidates} == {"JX-01", "JX-02"}
    assert uow.store.cases == {} and uow.commits == 0
    assert filed(uow, services, address="阳光花园", grid_id="JX-02").grid_id == "JX-02"


def test_only_a_resident_reports_as_a_resident(uow, services):
    with pytest.raises(NotAllowed):
        report(uow, services, actor=staff(services, "gw-wj-01"))


# --- duplicates -------------------------------------------------------------------------


def test_a_similar_open_case_of_another_resident_is_a_likely_duplicate(uow, services):
    first = filed(uow, services)
    similar = "望江花园3号楼的楼道灯坏了好几天"
    assert report(uow, services, actor=NEIGHBOUR, description=similar) == \
        cases.LikelyDuplicate((first.number,))
    assert list(uow.store.cases) == [first.number]  # nothing filed, nothing committed
    with uow:
        assert cases.find_duplicates(uow, services, actor=NEIGHBOUR, category="repair",
                                     description=similar, grid_id="WJ-01").number == first.number
    chosen = filed(uow, services, actor=NEIGHBOUR, description=similar, file_anyway=True)
    assert chosen.number != first.number


def test_ones_own_earlier_report_is_no_duplicate(uow, services):
    filed(uow, services)
    assert filed(uow, services, description="望江花园3号楼的楼道灯坏了好几天").number.endswith("0002")


@pytest.mark.parametrize("other", [
    {"category": "environment", "description": "望江花园3号楼的楼道灯坏了好几天"},  # another category
    {"address": "望江花园15号楼", "description": "望江花园15号楼的楼道灯坏了"},  # another grid
    {"description": "电梯门关不上，按钮也没有反应"},  # another problem
])
def test_no_duplicate_in_another_category_grid_or_problem(uow, services, other):
    filed(uow, services)
    assert isinstance(report(uow, services, actor=NEIGHBOUR, **other), cases.CaseFiled)


def test_two_unknown_places_are_no_same_place(uow, services):
    filed(uow, services, address="人民路88号", description="路边的垃圾桶坏了")
    asked = report(uow, services, actor=NEIGHBOUR, address="解放路12号", description="路边的垃圾桶坏了")
    assert isinstance(asked, cases.CaseFiled) and asked.case.grid_id is None


# --- emergencies ------------------------------------------------------------------------


def emergency(uow, services, category, description, address="望江花园3号楼"):
    with uow:
        return cases.report_emergency(uow, services, actor=ME, category=category,
                                      description=description, address=address, now=NOW)


def test_a_fire_told_as_noise_is_filed_urgent_as_safety_with_119(uow, services):
    done = emergency(uow, services, "noise", "楼道里着火了，好多烟")
    assert done.call == ("119",)
    assert (done.case.category, done.case.tier) == ("safety", "urgent")
    assert services.district.staff[done.case.assignee_id].role == "responder"
    assert uow.commits == 1


def test_someone_trapped_in_a_lift_stays_a_repair_and_is_urgent(uow, services):
    done = emergency(uow, services, "repair", "3号楼有人被困在电梯里了")
    assert done.call == ("110",) and (done.case.category, done.case.tier) == ("repair", "urgent")


def test_an_emergency_at_an_ambiguous_place_goes_to_triage_with_the_place_in_the_text(uow, services):
    done = emergency(uow, services, "safety", "有燃气味，好像漏气了", address="阳光花园")
    assert done.case.grid_id is None and done.case.description.endswith("（地点：阳光花园）")
    assert done.case.tier == "urgent"


def test_a_report_that_is_no_emergency_is_not_filed_as_one(uow, services):
    with pytest.raises(cases.NotAnEmergency):
        emergency(uow, services, "noise", "楼下广场舞太吵了")
    assert uow.store.cases == {}


# --- the command table ------------------------------------------------------------------


def test_every_command_has_its_handler():
    assert set(commands.HANDLERS) == set(c.BY_NAME.values())


@pytest.mark.parametrize("entry", ["command", "by name"])
def test_rating_not_solved_reopens_and_routes_again_by_either_entry_point(uow, services, entry):
    case = resolved(uow, services)
    at = NOW + 2 * HOUR
    rate = (c.Rate(case.number, ME, at, solved=False, satisfaction="dissatisfied", note="还是不亮")
            if entry == "command" else
            commands.named("rate", number=case.number, actor=ME, now=at, note="还是不亮",
                           solved=False, satisfaction="dissatisfied"))
    moved = run(uow, services, rate)
    kept = stored(uow, case.number)
    assert moved.rerouted and kept.state.value == "dispatched" and kept.assignee_id == "pm-north"
    assert [h.action for h in kept.history][-2:] == ["reopened", "routed"]
    assert kept.next_deadline()[0] == "sign" and kept.resolved_at is None  # a new round


def test_rating_solved_and_satisfied_closes(uow, services):
    case = resolved(uow, services)
    moved = run(uow, services, c.Rate(case.number, ME, NOW + 2 * HOUR, solved=True,
                                      satisfaction="satisfied"))
    assert not moved.rerouted and stored(uow, case.number).state.value == "closed"


def test_hurrying_an_overdue_case_escalates_it_one_level(uow, services):
    case = filed(uow, services)
    moved = run(uow, services, c.Hurry(case.number, ME, case.sign_due + HOUR))
    kept = stored(uow, case.number)
    assert moved.escalated and kept.escalation_level == 1 and kept.assignee_id == "gl-wangjiang"
    assert [(h.action, h.actor_id) for h in kept.history][-2:] == [("hurried", "r-1"),
                                                                   ("escalated", "system")]


def test_hurrying_a_case_on_time_only_tells_the_assignee(uow, services):
    case = filed(uow, services)
    moved = run(uow, services, c.Hurry(case.number, ME, NOW + HOUR))
    assert not moved.escalated and stored(uow, case.number).escalation_level == 0


WRONG_ACTORS = {
    "a resident signs their own case": (lambda n: c.Sign(n, ME, NOW), NotAllowed),
    "a resident escalates": (lambda n: c.Escalate(n, ME, NOW, note="太慢了"), NotAllowed),
    "a grid worker reassigns": (lambda n: c.Reassign(n, Actor("gw-wj-01", "grid_worker"), NOW,
                                                     assignee_id="gw-wj-02"), NotAllowed),
    "a leader of another community extends": (
        lambda n: c.Extend(n, Actor("gl-qingxi", "grid_leader", communities=frozenset({"qingxi"})),
                           NOW, new_due=NOW + 9 * 24 * HOUR, note="等配件"), NotAllowed),
    "staff rate a resident's case": (lambda n: c.Rate(n, Actor("pm-north", "property"), NOW,
                                                      solved=True, satisfaction="satisfied"),
                                     NotAllowed),
    "a neighbour hurries someone else's case": (lambda n: c.Hurry(n, NEIGHBOUR, NOW), CaseNotFound),
    "a neighbour withdraws it": (lambda n: c.Withdraw(n, NEIGHBOUR, NOW), CaseNotFound),
}


@pytest.mark.parametrize("who", list(WRONG_ACTORS))
def test_the_command_table_refuses_the_wrong_actor_and_changes_nothing(uow, services, who):
    case = filed(uow, services)
    command, refusal = WRONG_ACTORS[who]
    with pytest.raises(refusal):
        run(uow, services, command(case.number))
    assert [h.action for h in stored(uow, case.number).history] == ["received", "routed"]
    assert uow.commits == 1


def test_a_move_by_name_says_what_it_needs_and_what_it_does_not_take():
    with pytest.raises(DomainError, match="unknown move"):
        commands.named("approve", number="n", actor=ME, now=NOW)
    with pytest.raises(DomainError, match="reassign needs assignee_id"):
        commands.named("reassign", number="n", actor=ME, now=NOW)
    with pytest.raises(DomainError, match="sign takes no note"):
        commands.named("sign", number="n", actor=ME, now=NOW, note="好")
    assert commands.named("reassign", number="n", actor=ME, now=NOW, assignee_id="gw-wj-02",
                          note="改派") == c.Reassign("n", ME, NOW, assignee_id="gw-wj-02", note="改派")


def test_the_deadline_checks_escalate_by_the_command_table_and_close_unrated_cases(uow, services):
    late = filed(uow, services)
    quiet = filed(uow, services, actor=NEIGHBOUR, address="和平里5号楼", category="noise",
                  description="和平里5号楼晚上很吵")
    worker = staff(services, quiet.assignee_id)
    run(uow, services, c.Sign(quiet.number, worker, NOW))
    run(uow, services, c.Resolve(quiet.number, worker, NOW, note="已劝导"))
    with uow:
        touched = commands.check_deadlines(uow, services, NOW + 8 * 24 * HOUR)
    assert touched == [late.number, quiet.number]
    escalated, closed = stored(uow, late.number), stored(uow, quiet.number)
    assert (escalated.escalation_level, escalated.assignee_id) == (1, "gl-wangjiang")
    assert (escalated.history[-1].action, escalated.history[-1].actor_id) == ("escalated", "system")
    assert (closed.state.value, closed.history[-1].action) == ("closed", "closed_unrated")


# --- the staff's case lists -------------------------------------------------------------


@pytest.fixture
def district_cases(uow, services):
    """Open cases in WJ-01 (two for its grid worker), WJ-02, HP-01 and triage; one closed."""
    first = filed(uow, services, description="望江花园3号楼门口垃圾堆了好几天", category="environment")
    signed = filed(uow, services, actor=NEIGHBOUR, description="望江花园5号楼楼下晚上有人唱歌",
                   address="望江花园5号楼", category="noise")
    run(uow, services, c.Sign(signed.number, staff(services, "gw-wj-01"), NOW))  # next: contact
    later = filed(uow, services, actor=Actor.resident("r-3"), now=NOW + HOUR, category="parking",
                  description="望江花园8号楼消防通道被车堵了", address="望江花园8号楼")
    wj2 = filed(uow, services, description="锦绣家园2号楼门口垃圾没人收", address="锦绣家园2号楼",
                category="environment")
    heping = filed(uow, services, description="和平里5号楼晚上很吵", address="和平里5号楼",
                   category="noise")
    triage = filed(uow, services, description="人民路88号门口有个大坑", address="人民路88号",
                   category="other")
    gone = filed(uow, services, description="望江花园9号楼楼道堆满杂物", address="望江花园9号楼",
                 category="environment")
    run(uow, services, c.Withdraw(gone.number, ME, NOW))
    return first, later, signed, wj2, heping, triage


def numbers(uow, services, actor, scope):
    with uow:
        return [case.number for case in cases.staff_cases(uow, services, actor=actor, scope=scope)]


def test_a_grid_worker_sees_their_own_open_cases_soonest_deadline_first(uow, services, district_cases):
    first, later, signed, *_ = district_cases
    # Sign for by 12:00 and by 13:00 (dispatched an hour later); the signed one is next
    # due for contact tomorrow.
    assert numbers(uow, services, staff(services, "gw-wj-01"), "mine") == [
        first.number, later.number, signed.number]


def test_a_grid_leader_sees_the_cases_of_their_community(uow, services, district_cases):
    first, later, signed, wj2, heping, triage = district_cases
    assert set(numbers(uow, services, staff(services, "gl-wangjiang"), "grids")) == {
        first.number, later.number, signed.number, wj2.number}
    assert numbers(uow, services, staff(services, "gl-wangjiang"), "mine") == []


def test_the_command_centre_sees_every_open_case(uow, services, district_cases):
    seen = numbers(uow, services, staff(services, "cc-liang"), "grids")
    assert set(seen) == {case.number for case in district_cases}
    # Triage goes to the first command-centre member by id.
    assert numbers(uow, services, staff(services, "cc-jiang"), "mine") == [district_cases[-1].number]


def test_a_resident_or_an_unregistered_role_is_refused_the_staff_lists(uow, services):
    with pytest.raises(NotAllowed):
        numbers(uow, services, ME, "mine")
    with pytest.raises(NotAllowed):  # a forged role is not the district's
        numbers(uow, services, Actor("gw-wj-01", "command_centre"), "grids")
    with pytest.raises(ValueError):
        numbers(uow, services, staff(services, "cc-liang"), "everything")
