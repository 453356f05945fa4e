"""Photos residents send, on SQLite and PostgreSQL: where each one goes, and who sees it."""
import datetime as dt
import json

import pytest
from sqlalchemy import select

from civic.adapters.tables import deliveries, outbox
from civic.adapters.tables_evidence import evidence as evidence_table
from civic.domain.actors import Actor
from civic.domain.errors import CaseNotFound, NotAllowed
from civic.services import cases, evidence
from test_admin_cli import cli
from test_case_store import NOW, move, report

R1 = Actor.resident("r-1")
MINUTE = dt.timedelta(minutes=1)


def send(civic, file_id, actor=R1, now=NOW, **kw):
    with civic.uow() as uow:
        return evidence.attach_photo(uow, actor=actor, file_id=file_id, now=now, **kw)


def photos(civic, number):
    with civic.reader() as uow:
        return [p.file_id for p in evidence.photos_of(uow, case_number=number)]


def history(civic, number):
    with civic.reader() as uow:
        return [(h.action, h.note) for h in uow.cases.get(number).history]


def test_a_photo_without_an_open_case_waits_for_the_report_and_is_filed_with_it(civic):
    assert send(civic, "AgAD-1") == evidence.PhotoKept(None)
    case = report(civic, now=NOW + 5 * MINUTE)
    assert photos(civic, case.number) == ["AgAD-1"]
    assert history(civic, case.number)[-1] == ("photo", "")
    later = report(civic, description="望江花园5号楼门口垃圾没人清", address="望江花园5号楼",
                   category="environment", now=NOW + 10 * MINUTE)
    assert photos(civic, later.number) == []  # claimed once


def test_a_photo_goes_to_the_residents_latest_open_case_and_says_which(civic):
    older = report(civic)
    newer = report(civic, description="望江花园5号楼门口垃圾没人清", address="望江花园5号楼",
                   category="environment", now=NOW + MINUTE)
    assert send(civic, "AgAD-2", now=NOW + 2 * MINUTE) == evidence.PhotoKept(newer.number)
    assert photos(civic, newer.number) == ["AgAD-2"] and photos(civic, older.number) == []


def test_only_the_assignee_is_told_of_the_photo_with_its_file_id_to_show_it(civic):
    case = report(civic)
    with civic.uow() as uow:
        cases.follow_case(uow, actor=Actor.resident("r-2"), number=case.number, now=NOW)
    send(civic, "AgAD-3")
    with civic.engine.connect() as conn:
        told = conn.execute(select(outbox.c.payload, deliveries.c.audience, deliveries.c.recipient)
                            .join(outbox, outbox.c.id == deliveries.c.event_id)
                            .where(outbox.c.name == "photo")).all()
    assert [(audience, recipient) for _, audience, recipient in told] == [
        ("assignee", f"staff:{case.assignee_id}")]
    assert json.loads(told[0][0])["file_ids"] == ["AgAD-3"]


def test_while_a_report_is_written_the_photo_waits_for_it_not_the_open_case(civic):
    open_case = report(civic)
    assert send(civic, "AgAD-4", reporting=True) == evidence.PhotoKept(None, reporting=True)
    assert photos(civic, open_case.number) == []
    new = report(civic, description="望江花园5号楼门口垃圾没人清", address="望江花园5号楼",
                 category="environment", now=NOW + MINUTE)
    assert photos(civic, new.number) == ["AgAD-4"]


def test_followed_and_finished_cases_take_no_photos(civic):
    someone_elses = report(civic, reporter="r-2")
    with civic.uow() as uow:
        cases.follow_case(uow, actor=R1, number=someone_elses.number, now=NOW)
    own = report(civic, description="望江花园5号楼门口垃圾没人清", address="望江花园5号楼",
                 category="environment")
    move(civic, own.number, R1, "withdraw")
    assert send(civic, "AgAD-5") == evidence.PhotoKept(None)
    assert photos(civic, someone_elses.number) == [] and photos(civic, own.number) == []


def test_the_same_photo_handled_twice_is_kept_once(civic):
    case = report(civic)
    assert send(civic, "AgAD-6") == send(civic, "AgAD-6", now=NOW + MINUTE) == evidence.PhotoKept(case.number)
    assert photos(civic, case.number) == ["AgAD-6"]
    assert [a for a, _ in history(civic, case.number)].count("photo") == 1


def test_a_pending_photo_older_than_a_day_is_not_filed_with_a_new_report(civic):
    send(civic, "AgAD-7")
    case = report(civic, now=NOW + evidence.PENDING_FOR + MINUTE)
    assert photos(civic, case.number) == []


def test_a_photo_for_a_named_case_must_be_for_the_residents_own_open_one(civic):
    someone_elses = report(civic, reporter="r-2")
    with pytest.raises(CaseNotFound):
        send(civic, "AgAD-8", case_number=someone_elses.number)
    own = report(civic, description="望江花园5号楼门口垃圾没人清", address="望江花园5号楼",
                 category="environment")
    assert send(civic, "AgAD-8", case_number=own.number) == evidence.PhotoKept(own.number)
    with pytest.raises(NotAllowed):
        send(civic, "AgAD-9", actor=Actor("gw-wj-01", "grid_worker"))


def test_staff_see_the_file_ids_and_residents_only_that_a_photo_came(civic):
    case = report(civic)
    send(civic, "AgADBAADq6cxG3Ld", now=NOW + MINUTE)
    shown = cli(civic, "cases", "show", case.number)
    assert shown.returncode == 0, shown.stderr
    assert "照片 1 张" in shown.stdout and "2026-11-18 10:01  AgADBAADq6cxG3Ld" in shown.stdout
    as_json = json.loads(cli(civic, "cases", "show", case.number, "--json").stdout)
    assert [(p["file_id"], p["received_at"]) for p in as_json["evidence"]] == [
        ("AgADBAADq6cxG3Ld", "2026-11-18T10:01:00+08:00")]
    with civic.reader() as uow:
        seen = cases.case_for_resident(uow, actor=R1, number=case.number)
    assert seen.updates[-1][1:] == ("photo", "")
    assert "AgADBAADq6cxG3Ld" not in repr(seen)


def test_deleting_my_data_drops_pending_photos_and_unlinks_the_cases_ones(civic):
    from civic.services import erasure

    case = report(civic)
    send(civic, "AgAD-10")
    move(civic, case.number, R1, "withdraw")
    send(civic, "AgAD-11")  # no open case any more: pending
    with civic.uow() as uow:
        erasure.erase_my_data(uow, civic.services, actor=R1, now=NOW)
    with civic.engine.connect() as conn:
        rows = conn.execute(select(evidence_table.c.file_id, evidence_table.c.resident_id,
                                   evidence_table.c.case_number)).all()
    assert [tuple(r) for r in rows] == [("AgAD-10", None, case.number)]
