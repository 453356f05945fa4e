"""Residents and staff accounts, stored for real."""
import datetime as dt

import pytest

from civic.domain.accounts import InvalidLinkCode
from civic.domain.actors import Actor
from civic.domain.errors import NotAllowed
from civic.services import accounts, erasure
from civic.services import cases as handlers

NOW = dt.datetime(2026, 11, 18, 2, 0, tzinfo=dt.timezone.utc)
RESIDENT = Actor.resident("5001")
CENTRE = Actor("cc-liang", "command_centre")


def test_a_resident_is_remembered_with_address_and_phone(civic):
    with civic.uow() as uow:
        accounts.register(uow, actor=RESIDENT, display_name="王阿姨", now=NOW)
    with civic.uow() as uow:
        accounts.change_address(uow, actor=RESIDENT, address="和平里5号楼2单元")
    with civic.uow() as uow:
        accounts.set_phone(uow, actor=RESIDENT, phone="138 1234 5678")
    with civic.uow() as uow:
        me = accounts.profile(uow, actor=RESIDENT)
    assert (me.display_name, me.household_address, me.phone) == ("王阿姨", "和平里5号楼2单元", "13812345678")
    assert me.consent_at == NOW


def test_deleting_my_data_keeps_the_case_without_me(civic):
    with civic.uow() as uow:
        accounts.register(uow, actor=RESIDENT, display_name="王阿姨", now=NOW)
    with civic.uow() as uow:
        case = handlers.report_case(uow, civic.services, actor=RESIDENT, category="repair",
                                    description="楼道灯坏了", address="和平里5号楼", now=NOW,
                                    contact_phone="13812345678").case
    with civic.uow() as uow:
        assert erasure.erase_my_data(uow, civic.services, actor=RESIDENT, now=NOW).cases == 1
    with civic.uow() as uow:
        kept = uow.cases.get(case.number)
        me = accounts.profile(uow, actor=RESIDENT)
        assert handlers.my_cases(uow, actor=RESIDENT) == []
    assert kept.state.value == "dispatched"
    assert kept.reporter_id.startswith("erased:") and kept.contact_phone is None
    assert kept.address == "和平里"  # the estate, not the building
    assert me is None


def test_a_resident_cannot_change_someone_else(civic):
    with civic.uow() as uow, pytest.raises(NotAllowed):
        accounts.change_address(uow, actor=Actor("gw-wj-01", "grid_worker"), address="x")


def test_staff_link_their_telegram_once_with_a_code_from_the_command_centre(civic):
    with civic.uow() as uow:
        code = accounts.issue_link_code(uow, civic.services, actor=CENTRE, staff_id="gw-wj-01",
                                        now=NOW, make_code=lambda: "K7M2P9QX")
    with civic.uow() as uow:
        assert accounts.link_staff(uow, civic.services, telegram_id=9001, code="k7m2p9qx",
                                   now=NOW + dt.timedelta(minutes=5)) == "gw-wj-01"
    with civic.uow() as uow:
        actor = accounts.staff_for_telegram(uow, civic.services, 9001)
        assert (actor.id, actor.role, actor.grids) == ("gw-wj-01", "grid_worker", frozenset({"WJ-01"}))
    with civic.uow() as uow, pytest.raises(InvalidLinkCode):
        accounts.link_staff(uow, civic.services, telegram_id=9002, code=code.code, now=NOW)
    with civic.uow() as uow:
        assert accounts.staff_for_telegram(uow, civic.services, 9002) is None


def test_link_codes_expire_and_only_the_command_centre_issues_them(civic):
    with civic.uow() as uow:
        accounts.issue_link_code(uow, civic.services, actor=CENTRE, staff_id="gl-heping",
                                 now=NOW, make_code=lambda: "ZZZZ2222")
    with civic.uow() as uow, pytest.raises(InvalidLinkCode):
        accounts.link_staff(uow, civic.services, telegram_id=1, code="ZZZZ2222",
                            now=NOW + dt.timedelta(days=2))
    with civic.uow() as uow, pytest.raises(NotAllowed):
        accounts.issue_link_code(uow, civic.services, actor=Actor("gl-heping", "grid_leader"),
                                 staff_id="gl-heping", now=NOW)
