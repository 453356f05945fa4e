"""Cases stored for real, on SQLite and PostgreSQL."""
import datetime as dt

import pytest
from sqlalchemy import select, text

from civic.adapters.tables import case_counters, outbox
from civic.domain.actors import Actor
from civic.domain.errors import CaseNotFound, ConcurrentUpdate, DomainError
from civic.services import accounts, commands
from civic.services import cases as handlers
from civic.services.rates import three_rates
from races import run_at_once

NOW = dt.datetime(2026, 11, 18, 2, 0, tzinfo=dt.timezone.utc)  # Wednesday 10:00 Shanghai


def asked(civic, reporter="r-1", description="望江花园3号楼楼道灯坏了", address="望江花园3号楼",
          category="repair", now=NOW, **kw):
    """What report_case answers: a filed case, or a question back."""
    with civic.uow() as uow:
        return handlers.report_case(uow, civic.services, actor=Actor.resident(reporter),
                                    category=category, description=description, address=address,
                                    now=now, **kw)


def report(civic, *args, **kw):
    return asked(civic, *args, **kw).case


def move(civic, number, actor, action, now=NOW, **kw):
    with civic.uow() as uow:
        return commands.handle(uow, civic.services, commands.named(
            action, number=number, actor=actor, now=now, **kw)).case


def staff(civic, staff_id):
    return handlers.staff_actor(civic.services.district, staff_id)


def outbox_names(civic, number):
    with civic.engine.connect() as conn:
        return list(conn.execute(select(outbox.c.name).where(outbox.c.case_number == number)
                                 .order_by(outbox.c.id)).scalars())


def test_a_report_is_stored_routed_and_announced(civic):
    case = report(civic)
    assert case.number == "20261118-0001"
    with civic.uow() as uow:
        stored = uow.cases.get(case.number)
    assert stored.state.value == "dispatched" and stored.grid_id == "WJ-01"
    assert stored.assignee_id == case.assignee_id and stored.sign_due is not None
    assert [h.action for h in stored.history] == ["received", "routed"]
    assert outbox_names(civic, case.number) == ["received", "routed"]


def test_nothing_is_kept_unless_committed(civic):
    with civic.uow() as uow:
        uow.cases.next_number(dt.date(2026, 11, 18))
    with civic.engine.connect() as conn:
        assert conn.execute(select(case_counters)).all() == []


def test_case_numbers_are_sequential_per_shanghai_day_and_grow_past_9999(civic):
    first = report(civic)
    late_evening_utc = dt.datetime(2026, 11, 18, 16, 30, tzinfo=dt.timezone.utc)  # 00:30 on the 19th
    second = report(civic, reporter="r-2", description="锦秀大道有坑", address="锦秀大道5号",
                    now=late_evening_utc)
    assert (first.number, second.number) == ("20261118-0001", "20261119-0001")
    with civic.engine.begin() as conn:
        conn.execute(text("UPDATE case_counters SET last = 9999"))
    third = report(civic, reporter="r-3", description="和平路路灯不亮", address="和平路10号")
    assert third.number == "20261118-10000"


def test_every_move_is_history_and_outbox_in_one_transaction(civic):
    case = report(civic)
    worker = staff(civic, case.assignee_id)
    move(civic, case.number, worker, "sign")
    move(civic, case.number, worker, "contact", note="已电话联系")
    move(civic, case.number, worker, "resolve", note="已更换灯泡")
    move(civic, case.number, Actor.resident("r-1"), "rate", solved=False,
         satisfaction="dissatisfied", note="还是不亮")
    with civic.uow() as uow:
        stored = uow.cases.get(case.number)
    assert stored.state.value == "dispatched"  # reopened, and routed again at once
    assert outbox_names(civic, case.number)[-5:] == ["signed", "contacted", "resolved", "reopened",
                                                     "routed"]


def test_an_illegal_move_leaves_the_store_unchanged(civic):
    case = report(civic)
    with pytest.raises(DomainError):
        move(civic, case.number, Actor.resident("r-1"), "rate", solved=True, satisfaction="satisfied")
    with civic.uow() as uow:
        assert uow.cases.get(case.number).state.value == "dispatched"
    assert outbox_names(civic, case.number) == ["received", "routed"]


def test_an_unknown_place_goes_to_the_street_centre_triage(civic):
    case = report(civic, description="人民路有个大坑", address="人民路88号")
    assert case.grid_id is None
    assert civic.services.district.staff[case.assignee_id].role == "command_centre"


def test_a_report_without_a_place_uses_the_remembered_household_address(civic):
    with civic.uow() as uow:
        accounts.change_address(uow, actor=Actor.resident("r-1"), address="和平里5号楼")
    case = report(civic, description="楼下的路灯坏了", address="")
    assert (case.address, case.grid_id) == ("和平里5号楼", "HP-01")


def test_an_ambiguous_place_is_asked_back_with_candidates(civic):
    question = asked(civic, address="阳光花园")
    assert isinstance(question, handlers.AmbiguousAddress)
    assert {c.grid_id for c in question.candidates} == {"JX-01", "JX-02"}
    case = report(civic, address="阳光花园", grid_id="JX-02")
    assert case.grid_id == "JX-02"


def test_a_similar_open_report_in_the_same_grid_is_offered_as_a_duplicate(civic):
    first = report(civic)
    found = asked(civic, reporter="r-2", description="望江花园3号楼的楼道灯坏了好几天")
    assert found == handlers.LikelyDuplicate((first.number,))
    with civic.uow() as uow:
        handlers.follow_case(uow, actor=Actor.resident("r-2"), number=first.number, now=NOW)
    with civic.uow() as uow:
        views = handlers.my_cases(uow, actor=Actor.resident("r-2"))
    assert [(v.number, v.own) for v in views] == [(first.number, False)]


def test_residents_see_only_their_own_or_followed_cases(civic):
    mine = report(civic)
    theirs = report(civic, reporter="r-9", description="和平里5号楼噪音", address="和平里5号楼",
                    category="noise")
    me = Actor.resident("r-1")
    with civic.uow() as uow:
        assert [v.number for v in handlers.my_cases(uow, actor=me)] == [mine.number]
        assert handlers.case_for_resident(uow, actor=me, number=mine.number).state == "dispatched"
        with pytest.raises(CaseNotFound):
            handlers.case_for_resident(uow, actor=me, number=theirs.number)
        with pytest.raises(CaseNotFound):
            handlers.case_for_resident(uow, actor=me, number="20991231-0001")


def test_overdue_cases_escalate_and_week_old_resolved_ones_close(civic):
    case = report(civic)
    done = report(civic, reporter="r-2", description="和平里5号楼噪音", address="和平里5号楼",
                  category="noise")
    worker = staff(civic, done.assignee_id)
    move(civic, done.number, worker, "sign")
    move(civic, done.number, worker, "resolve", note="已劝导")
    later = NOW + dt.timedelta(days=8)
    with civic.uow() as uow:
        assert commands.check_deadlines(uow, civic.services, later) == [case.number, done.number]
    with civic.uow() as uow:
        stored, closed = uow.cases.get(case.number), uow.cases.get(done.number)
    assert stored.escalation_level == 1 and stored.assignee_id != case.assignee_id
    assert stored.history[-1].action == "escalated" and stored.history[-1].actor_id == "system"
    assert (closed.state.value, closed.history[-1].action) == ("closed", "closed_unrated")


def test_staff_see_open_cases_in_their_scope_soonest_deadline_first(civic):
    wj = report(civic)  # repair: the property manager of WJ-01
    urgent = report(civic, reporter="r-2", description="望江花园5号楼的楼道里堆满了杂物，很危险",
                    address="望江花园5号楼", category="safety")  # urgent: due in minutes
    plain = report(civic, reporter="r-3", description="望江花园3号楼门口垃圾没人收",
                   address="望江花园3号楼", category="environment")
    heping = report(civic, reporter="r-4", description="和平里5号楼噪音", address="和平里5号楼",
                    category="noise")
    leader = staff(civic, "gl-wangjiang")
    with civic.uow() as uow:
        theirs = handlers.staff_cases(uow, civic.services, actor=leader, scope="grids")
        centre = handlers.staff_cases(uow, civic.services, actor=staff(civic, "cc-liang"),
                                      scope="grids")
        mine = handlers.staff_cases(uow, civic.services, actor=staff(civic, plain.assignee_id))
    assert [c.number for c in theirs] == [urgent.number, wj.number, plain.number]
    assert {c.number for c in centre} == {wj.number, urgent.number, plain.number, heping.number}
    assert [c.number for c in mine] == [plain.number] and heping.number not in [c.number for c in theirs]


def test_three_rates_follow_the_history(civic):
    cases = [report(civic, reporter=f"r-{i}", description=f"第{i}个问题 {'甲乙丙丁戊'[i]}",
                    address=f"和平路{i + 1}号", category="environment", file_anyway=True)
             for i in range(4)]
    for i, case in enumerate(cases[:3]):
        worker = staff(civic, case.assignee_id)
        move(civic, case.number, worker, "sign", now=NOW + dt.timedelta(minutes=30))
        move(civic, case.number, worker, "contact", now=NOW + dt.timedelta(hours=1))
        move(civic, case.number, worker, "resolve", note="已处理", now=NOW + dt.timedelta(hours=2))
    rate = [(True, "satisfied"), (True, "basically_satisfied"), (False, "dissatisfied")]
    for case, (solved, satisfaction) in zip(cases, rate):
        move(civic, case.number, Actor.resident(case.reporter_id), "rate", solved=solved,
             satisfaction=satisfaction)
    # Not solved: routed again at once; its new round is responded to on time as well.
    with civic.uow() as uow:
        again = uow.cases.get(cases[2].number)
    assert again.state.value == "dispatched" and again.signed_at is None
    worker = staff(civic, again.assignee_id)
    move(civic, again.number, worker, "sign", now=NOW + dt.timedelta(minutes=30))
    move(civic, again.number, worker, "contact", now=NOW + dt.timedelta(hours=1))
    with civic.uow() as uow:
        street = three_rates(uow)
        other = three_rates(uow, category="noise")
        grid = three_rates(uow, grid_id=cases[0].grid_id)
        community = three_rates(uow, community_id="heping")
        before = three_rates(uow, end=NOW)
    assert street.response_rate == 3 / 4
    assert grid.dispatched == sum(c.grid_id == cases[0].grid_id for c in cases) > 0
    assert community.dispatched == 4 and before.dispatched == 0
    assert street.resolution_rate == 2 / 3 and street.satisfaction_rate == 2 / 3
    assert other.dispatched == 0 and other.response_rate is None


# --- races (PostgreSQL) --------------------------------------------------------------


def test_fifty_concurrent_reports_get_fifty_distinct_numbers(postgres):
    results = run_at_once([
        (lambda i=i: report(postgres, reporter=f"r-{i}", description=f"问题{i} " + "abcdefghij"[i % 10] * (i + 1),
                            address=f"幸福街{i + 1}号", category="other", file_anyway=True))
        for i in range(50)
    ])
    numbers = [r.number for r in results]
    assert len(set(numbers)) == 50
    assert sorted(numbers) == [f"20261118-{i:04d}" for i in range(1, 51)]


def test_two_staff_signing_at_once_exactly_one_wins(postgres):
    case = report(postgres)
    worker = staff(postgres, case.assignee_id)
    leader = staff(postgres, "gl-wangjiang")
    results = run_at_once([lambda: move(postgres, case.number, worker, "sign"),
                           lambda: move(postgres, case.number, leader, "sign")])
    wins = [r for r in results if not isinstance(r, Exception)]
    losses = [r for r in results if isinstance(r, Exception)]
    assert len(wins) == 1 and len(losses) == 1
    assert isinstance(losses[0], (ConcurrentUpdate, DomainError))
    assert outbox_names(postgres, case.number).count("signed") == 1


def test_a_reopen_racing_a_rating_has_one_consistent_outcome(postgres):
    case = report(postgres)
    worker = staff(postgres, case.assignee_id)
    move(postgres, case.number, worker, "sign")
    move(postgres, case.number, worker, "resolve", note="已处理")
    reporter = Actor.resident("r-1")
    results = run_at_once([
        lambda: move(postgres, case.number, reporter, "rate", solved=True, satisfaction="satisfied"),
        lambda: move(postgres, case.number, reporter, "rate", solved=False,
                     satisfaction="dissatisfied", note="没修好"),
    ])
    assert sum(isinstance(r, Exception) for r in results) == 1
    with postgres.uow() as uow:
        stored = uow.cases.get(case.number)
    last = stored.history[-1]
    # A reopened case is routed again in the same transaction.
    assert (stored.state.value, last.action) in (("closed", "rated"), ("dispatched", "routed"))
    assert [h.action for h in stored.history].count("rated") + \
        [h.action for h in stored.history].count("reopened") == 1


def test_saving_twice_in_one_unit_of_work_writes_each_history_line_once(civic):
    case = report(civic)
    worker = staff(civic, case.assignee_id)
    with civic.uow() as uow:
        stored = uow.cases.get(case.number)
        stored.sign(worker, NOW)
        uow.cases.save(stored)
        stored.start(worker, NOW)
        uow.cases.save(stored)
        uow.commit()
    with civic.uow() as uow:
        actions = [h.action for h in uow.cases.get(case.number).history]
    assert actions == ["received", "routed", "signed", "started"]
