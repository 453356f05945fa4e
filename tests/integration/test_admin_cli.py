"""`python -m civic`, the admin command line, against a SQLite file and PostgreSQL.

The first tests run it as a process, as staff do; the staff work on the `civic` fixture's
store calls the same entry point in-process (a process proves nothing more there).
"""
import contextlib
import dataclasses
import datetime as dt
import io
import json
import os
import subprocess
import sys
from unittest import mock

from civic.adapters.database import make_engine
from civic.adapters.points_repository import load_catalogue_file
from civic.bootstrap import DATA, bootstrap
from civic.domain.actors import Actor
from civic.services import accounts
from civic.services import cases as case_handlers
from civic.services import mediation as mediation_handlers
from civic.services import points as points_handlers

NOW = dt.datetime(2026, 11, 18, 2, 0, tzinfo=dt.timezone.utc)  # Wednesday 10:00 Shanghai
PHONE = "13912345678"


def run(tmp_path, *args):
    env = dict(os.environ, DATABASE_URL=f"sqlite:///{tmp_path / 'admin.db'}")
    return subprocess.run([sys.executable, "-m", "civic", *args], capture_output=True,
                          text=True, env=env)


def test_check_data_reports_the_district(tmp_path):
    done = run(tmp_path, "check-data")
    assert done.returncode == 0 and "13 grids" in done.stdout


def test_a_link_code_from_the_command_line_links_the_staff_member(tmp_path):
    done = run(tmp_path, "staff", "code", "王建国")
    assert done.returncode == 0, done.stderr
    code = done.stdout.split()[0]
    civic = bootstrap(engine=make_engine(f"sqlite:///{tmp_path / 'admin.db'}"))
    with civic.uow() as uow:
        staff_id = accounts.link_staff(uow, civic.services, telegram_id=42, code=code,
                                       now=dt.datetime.now(dt.timezone.utc))
    assert staff_id == "gw-wj-01"


def test_only_the_command_centre_issues_codes(civic):
    done = cli(civic, "staff", "code", "gw-wj-01", "--as", "gw-wj-02")
    assert done.returncode == 1 and "may not issue" in done.stderr


def test_rates_print_as_json(civic):
    done = cli(civic, "rates", "--json", "--community", "heping")
    assert done.returncode == 0
    assert '"dispatched": 0' in done.stdout


def test_bootstrap_brings_the_rewards_catalogue_into_the_store(tmp_path):
    civic = bootstrap(engine=make_engine(f"sqlite:///{tmp_path / 'boot.db'}"))
    with civic.uow() as uow:
        names = {r.name for r in uow.points.catalogue()}
    assert len(names) >= 8


# --- staff work on the store of the `civic` fixture (SQLite and PostgreSQL) -----------


@dataclasses.dataclass
class Done:
    returncode: int
    stdout: str
    stderr: str


def cli(civic, *args):
    """`python -m civic ARGS` in this process, on the fixture's store."""
    from civic import cli as entry
    from civic.cli import admin, cases, handoff, mediation, points

    out, err = io.StringIO(), io.StringIO()
    with contextlib.ExitStack() as stack:
        for module in (admin, cases, handoff, mediation, points):
            stack.enter_context(mock.patch.object(module, "store", lambda: civic))
        stack.enter_context(contextlib.redirect_stdout(out))
        stack.enter_context(contextlib.redirect_stderr(err))
        try:
            code = entry.main(list(args))
        except SystemExit as exit_:  # argparse refuses a malformed command line
            code = exit_.code
    return Done(code, out.getvalue(), err.getvalue())


def report(civic, reporter, description, address, **kw):
    with civic.uow() as uow:
        return case_handlers.report_case(uow, civic.services, actor=Actor.resident(reporter),
                                         category="repair", description=description,
                                         address=address, now=NOW, **kw).case


def stored(civic, number):
    with civic.uow() as uow:
        return uow.cases.get(number)


def three_cases(civic):
    """A case in WJ-01 (with a phone), one in WJ-02 and one in QX-01."""
    return (report(civic, "r-1", "望江花园3号楼楼道灯坏了", "望江花园3号楼", contact_phone=PHONE),
            report(civic, "r-2", "锦绣家园2号楼门禁坏了", "锦绣家园2号楼"),
            report(civic, "r-3", "清溪新村5号楼水管漏水", "清溪新村5号楼"))


def test_cases_list_filters_by_grid_and_state(civic):
    wj1, wj2, qx1 = three_cases(civic)
    done = cli(civic, "cases", "move", wj1.number, "sign", "--as", wj1.assignee_id)
    assert done.returncode == 0, done.stderr

    by_grid = cli(civic, "cases", "list", "--grid", "WJ-02")
    assert by_grid.returncode == 0, by_grid.stderr
    assert wj2.number in by_grid.stdout
    assert wj1.number not in by_grid.stdout and qx1.number not in by_grid.stdout

    accepted = cli(civic, "cases", "list", "--state", "accepted", "--json")
    assert [c["number"] for c in json.loads(accepted.stdout)] == [wj1.number]
    everything = json.loads(cli(civic, "cases", "list", "--json").stdout)
    assert [c["number"] for c in everything] == [qx1.number, wj2.number, wj1.number]
    assert all(PHONE not in json.dumps(c) for c in everything)  # no phones in a list
    moved = cli(civic, "cases", "move", wj2.number, "reassign", "--as", "cc-liang",
                "--assignee", "gw-wj-02", "--note", "网格员处理")
    assert moved.returncode == 0, moved.stderr
    mine = json.loads(cli(civic, "cases", "list", "--assignee", "gw-wj-02", "--json").stdout)
    assert [(c["number"], c["assignee"]) for c in mine] == [(wj2.number, "李秀英")]

    unknown = cli(civic, "cases", "list", "--grid", "XX-99")
    assert unknown.returncode == 2 and "no grid" in unknown.stderr


def test_cases_show_prints_the_history_in_shanghai_time_and_the_phone(civic):
    case, _, _ = three_cases(civic)
    worker = case.assignee_id
    assert cli(civic, "cases", "move", case.number, "sign", "--as", worker).returncode == 0
    assert cli(civic, "cases", "move", case.number, "contact", "--as", worker,
               "--note", "已电话联系住户").returncode == 0

    shown = cli(civic, "cases", "show", case.number)
    assert shown.returncode == 0, shown.stderr
    assert PHONE in shown.stdout and PHONE not in shown.stderr
    assert "2026-11-18 10:00" in shown.stdout  # reported at 02:00 UTC
    lines = [line for line in shown.stdout.splitlines() if line.startswith("  ")]
    assert " received " in lines[0] and " routed " in lines[1]
    assert any("signed" in line and "dispatched→accepted" in line
               and worker in line for line in lines)
    assert any("contacted" in line and "已电话联系住户" in line for line in lines)

    as_json = json.loads(cli(civic, "cases", "show", case.number, "--json").stdout)
    assert as_json["state"] == "accepted" and as_json["contact_phone"] == PHONE
    assert [h["action"] for h in as_json["history"]] == ["received", "routed", "signed",
                                                         "contacted"]
    assert as_json["history"][0]["at"] == "2026-11-18T10:00:00+08:00"

    missing = cli(civic, "cases", "show", "20261118-9999")
    assert missing.returncode == 1 and "no case" in missing.stderr


def test_a_grid_worker_cannot_sign_someone_elses_case(civic):
    case, _, _ = three_cases(civic)
    assert case.assignee_id != "gw-wj-01"  # the worker of the case's own grid, not its assignee
    done = cli(civic, "cases", "move", case.number, "sign", "--as", "gw-wj-01")
    assert done.returncode == 1
    assert done.stderr.startswith("refused:") and "may not sign" in done.stderr
    after = stored(civic, case.number)
    assert after.state.value == "dispatched" and after.signed_at is None
    assert [h.action for h in after.history] == ["received", "routed"]

    stranger = cli(civic, "cases", "move", case.number, "sign", "--as", "nobody")
    assert stranger.returncode == 1 and "unknown staff member" in stranger.stderr


def test_resolve_needs_a_note(civic):
    case, _, _ = three_cases(civic)
    worker = case.assignee_id
    assert cli(civic, "cases", "move", case.number, "sign", "--as", worker).returncode == 0
    bare = cli(civic, "cases", "move", case.number, "resolve", "--as", worker)
    assert bare.returncode == 1 and "needs a note" in bare.stderr
    assert stored(civic, case.number).state.value == "accepted"

    done = cli(civic, "cases", "move", case.number, "resolve", "--as", worker,
               "--note", "已更换灯泡")
    assert done.returncode == 0, done.stderr
    assert done.stdout.split()[:2] == [case.number, "resolved"]
    after = stored(civic, case.number)
    assert after.state.value == "resolved" and after.history[-1].note == "已更换灯泡"


def test_the_leader_extends_and_the_centre_reassigns_in_shanghai_time(civic):
    case, _, _ = three_cases(civic)
    worker = cli(civic, "cases", "move", case.number, "extend", "--as", case.assignee_id,
                 "--due", "2026-11-30T18:00", "--note", "等配件")
    assert worker.returncode == 1 and "may not extend" in worker.stderr

    leader = cli(civic, "cases", "move", case.number, "extend", "--as", "gl-wangjiang",
                 "--due", "2026-11-30T18:00", "--note", "等配件")
    assert leader.returncode == 0, leader.stderr
    assert stored(civic, case.number).resolve_due == dt.datetime(2026, 11, 30, 10, 0,
                                                                 tzinfo=dt.timezone.utc)

    missing = cli(civic, "cases", "move", case.number, "reassign", "--as", "cc-liang")
    assert missing.returncode == 2 and "needs --assignee" in missing.stderr
    moved = cli(civic, "cases", "move", case.number, "reassign", "--as", "cc-liang",
                "--assignee", "sw-north", "--note", "转社工")
    assert moved.returncode == 0, moved.stderr
    assert "dispatched" in moved.stdout and "sw-north" in moved.stdout
    assert stored(civic, case.number).assignee_id == "sw-north"


def test_points_award_then_a_reversal_below_zero_is_refused(civic):
    with civic.uow() as uow:  # r-9 talked to the bot and lives in WJ-01, gw-wj-01's grid
        accounts.register(uow, actor=Actor.resident("r-9"), display_name=None, now=NOW)
    with civic.uow() as uow:
        accounts.change_address(uow, actor=Actor.resident("r-9"), address="望江花园3号楼")
    award = cli(civic, "points", "award", "r-9", "public_virtue", "30", "--reason", "协助疏导交通",
                "--as", "gw-wj-01")
    assert award.returncode == 0, award.stderr
    assert "balance r-9: 30" in award.stdout
    entry_id = award.stdout.split("entry ")[1].split()[0]

    again = cli(civic, "points", "award", "r-9", "public_virtue", "30", "--reason", "协助疏导交通",
                "--as", "gw-wj-01")
    assert "already recorded" in again.stdout and "balance r-9: 30" in again.stdout

    with civic.uow() as uow:  # the catalogue, as start-up brings it into the store
        points_handlers.sync_catalogue(uow, load_catalogue_file(DATA / "rewards.yml"))
    with civic.uow() as uow:  # the resident spends 20 of the 30
        points_handlers.redeem(uow, actor=Actor.resident("r-9"), resident_id="r-9",
                               reward_id="towel", now=NOW)
    too_much = cli(civic, "points", "reverse", "r-9", entry_id, "30", "--reason", "登记有误",
                   "--as", "gw-wj-01")
    assert too_much.returncode == 1 and "below zero" in too_much.stderr
    part = cli(civic, "points", "reverse", "r-9", entry_id, "10", "--reason", "登记有误",
               "--as", "gw-wj-01")
    assert part.returncode == 0, part.stderr
    assert "balance r-9: 0" in part.stdout

    resident = cli(civic, "points", "award", "r-9", "public_virtue", "5", "--reason", "x",
                   "--as", "md-shen")
    assert resident.returncode == 1 and "refused" in resident.stderr


def test_mediation_outcome_is_recorded_and_listed(civic):
    thursday = dt.datetime(2026, 11, 19, 1, 30, tzinfo=dt.timezone.utc)  # 09:30 Shanghai, past
    with civic.uow() as uow:
        booking = mediation_handlers.book(
            uow, civic.services, actor=Actor.resident("r-1"), mediator_id="md-shen",
            mode="in_person", starts_at=thursday, dispute="楼上漏水到我家", other_party_name="李四",
            now=NOW)

    other = cli(civic, "mediation", "outcome", booking.id, "settled", "--as", "md-lu")
    assert other.returncode == 1 and "refused" in other.stderr
    done = cli(civic, "mediation", "outcome", booking.id, "settled", "--as", "md-shen")
    assert done.returncode == 0, done.stderr
    with civic.uow() as uow:
        after = uow.bookings.get(booking.id)
    assert (after.state, after.outcome) == ("done", "settled")

    listed = json.loads(cli(civic, "mediation", "list", "--mediator", "md-shen", "--json").stdout)
    assert [(b["id"], b["outcome"], b["starts_at"]) for b in listed] == [
        (booking.id, "settled", "2026-11-19T09:30:00+08:00")]
    assert json.loads(cli(civic, "mediation", "list", "--mediator", "md-lu", "--json").stdout) == []


def test_staff_end_a_handoff_and_the_resident_is_asked_to_rate_it(civic):
    from civic.adapters.tables import deliveries, outbox
    from civic.services import handoff
    from sqlalchemy import select

    assert cli(civic, "handoff", "end", "r-5", "--as", "cc-liang").returncode == 1  # none open
    with civic.uow() as uow:
        handoff.request_handoff(uow, civic.services, actor=Actor.resident("r-5"), reason="asked",
                                summary="想问问低保怎么申请", now=NOW)
    with civic.uow() as uow:
        uow.handoffs.add_message(uow.handoffs.open_for("r-5").id, sender="resident",
                                 text="我家老人腿脚不便", at=NOW)
        uow.commit()
    shown = cli(civic, "handoff", "show", "r-5")
    assert "我家老人腿脚不便" in shown.stdout
    stranger = cli(civic, "handoff", "end", "r-5", "--as", "nobody")
    assert stranger.returncode == 1 and "refused" in stranger.stderr
    done = cli(civic, "handoff", "end", "r-5", "--as", "cc-liang")
    assert done.returncode == 0, done.stderr
    with civic.engine.connect() as conn:
        told = conn.execute(select(outbox.c.name).join(deliveries, deliveries.c.event_id == outbox.c.id)
                            .where(deliveries.c.recipient == "resident:r-5")).scalars().all()
    assert told == ["handoff_ended"]
    assert "not handed off" in cli(civic, "handoff", "show", "r-5").stdout


def test_staff_answer_a_handed_off_resident_in_their_chat(civic):
    from bot.dispatcher import Dispatcher
    from bot.notices import Renderer
    from bot.senders import FakeSender
    from civic.services import handoff

    refused = cli(civic, "handoff", "reply", "r-6", "您好", "--as", "cc-liang")
    assert refused.returncode == 1  # nobody is handed off
    with civic.uow() as uow:
        handoff.request_handoff(uow, civic.services, actor=Actor.resident("r-6"), reason="asked",
                                summary="想问问", now=NOW)
    done = cli(civic, "handoff", "reply", "r-6", "您好，我是社区的工作人员", "--as", "cc-liang")
    assert done.returncode == 0, done.stderr
    assert "staff: 您好，我是社区的工作人员" in cli(civic, "handoff", "show", "r-6").stdout
    sender = FakeSender()
    import asyncio
    asyncio.run(Dispatcher(civic, Renderer(civic.services.district), sender)
                .dispatch_once(dt.datetime.now(dt.timezone.utc), recipients=["resident:r-6"]))
    name = civic.services.district.staff["cc-liang"].name
    assert sender.texts("resident:r-6") == [f"工作人员 {name}：您好，我是社区的工作人员"]


ESCAPES = ("\x1b[2J\x1b[H", "\x9b31m", "\u202e", "\x07", "\x1b]0;owned\x07")


def test_what_residents_wrote_is_printed_without_terminal_escapes(civic):
    """A description, a handoff message or a dispute that carries escape sequences (stored
    before the turn cleaned input, or by any other path) never reaches the staff
    member's terminal raw: it would clear or rewrite the screen."""
    from civic.services import handoff

    dirty = "望江花园3号楼\x1b[2J\x1b[H楼道灯坏了\x9b31m\u202e"
    case = report(civic, "r-1", dirty, "望江花园3号楼\x1b]0;owned\x07")
    with civic.uow() as uow:
        handoff.request_handoff(uow, civic.services, actor=Actor.resident("r-5"), reason="asked",
                                summary="想问问", now=NOW)
    with civic.uow() as uow:
        uow.handoffs.add_message(uow.handoffs.open_for("r-5").id, sender="resident",
                                 text="\x1b[2J我家老人\x07腿脚不便", at=NOW)
        uow.commit()
    with civic.uow() as uow:
        mediation_handlers.book(
            uow, civic.services, actor=Actor.resident("r-1"), mediator_id="md-shen", mode="in_person",
            starts_at=dt.datetime(2026, 11, 19, 1, 30, tzinfo=dt.timezone.utc),
            dispute="楼上\x1b[31m漏水", other_party_name="李四\u202e", now=NOW)

    printed = {args: cli(civic, *args) for args in [
        ("cases", "list"), ("cases", "list", "--json"), ("cases", "show", case.number),
        ("cases", "show", case.number, "--json"), ("handoff", "show", "r-5"),
        ("mediation", "list"), ("mediation", "list", "--json")]}
    for args, done in printed.items():
        assert done.returncode == 0, (args, done.stderr)
        assert not any(escape in done.stdout for escape in ESCAPES), (args, done.stdout)
        assert "\x1b" not in done.stdout and "\x9b" not in done.stdout, args
    assert "望江花园3号楼[2J[H楼道灯坏了31m" in printed[("cases", "show", case.number)].stdout
    assert "我家老人腿脚不便" in printed[("handoff", "show", "r-5")].stdout
    assert json.loads(printed[("mediation", "list", "--json")].stdout)[0]["dispute"] == "楼上[31m漏水"
