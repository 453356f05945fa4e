"""Resident profiles and staff account links."""
from __future__ import annotations

import datetime as dt
import secrets
from typing import Callable

from civic.domain import events as ev
from civic.domain.accounts import CODE_ALPHABET, LINK_CODE_LIFETIME, InvalidLinkCode, LinkCode, Resident
from civic.domain.actors import COMMAND_CENTRE, RESIDENT, Actor
from civic.domain.errors import NotAllowed
from civic.domain.events import Event
from civic.services.cases import staff_actor


def random_code(length: int = 8) -> str:
    return "".join(secrets.choice(CODE_ALPHABET) for _ in range(length))


def _own(actor: Actor, resident_id: str) -> None:
    if actor.role != RESIDENT or actor.id != resident_id:
        raise NotAllowed(f"{actor.role} {actor.id} may not change resident {resident_id}")


def register(uow, *, actor: Actor, display_name: str | None, now: dt.datetime) -> Resident:
    """First contact (/start): the resident's account, with the time they were told how
    their data is used."""
    _own(actor, actor.id)
    resident = uow.accounts.resident(actor.id) or Resident(actor.id, display_name)
    resident.display_name = display_name or resident.display_name
    resident.consent_at = resident.consent_at or now
    uow.accounts.save_resident(resident)
    uow.commit()
    return resident


def profile(uow, *, actor: Actor) -> Resident | None:
    _own(actor, actor.id)
    return uow.accounts.resident(actor.id)


def change_address(uow, *, actor: Actor, address: str) -> Resident:
    return _change_profile(uow, actor, lambda resident: resident.change_address(address))


def set_phone(uow, *, actor: Actor, phone: str) -> Resident:
    return _change_profile(uow, actor, lambda resident: resident.set_phone(phone))


def _change_profile(uow, actor: Actor, change: Callable[[Resident], None]) -> Resident:
    _own(actor, actor.id)
    resident = uow.accounts.resident(actor.id) or Resident(actor.id, None)
    change(resident)
    uow.accounts.save_resident(resident)
    uow.commit()
    return resident


def issue_link_code(uow, services, *, actor: Actor, staff_id: str, now: dt.datetime,
                    make_code: Callable[[], str] = random_code) -> LinkCode:
    """The command centre gives a staff member a one-time code to link their Telegram."""
    if actor.role != COMMAND_CENTRE:
        raise NotAllowed(f"{actor.role} {actor.id} may not issue link codes")
    if staff_id not in services.district.staff:
        raise NotAllowed(f"unknown staff member {staff_id}")
    code = LinkCode(make_code(), staff_id, actor.id, now, now + LINK_CODE_LIFETIME)
    uow.accounts.add_code(code)
    uow.events.append(Event(ev.LINK_CODE_ISSUED, now, {"staff_id": staff_id, "by": actor.id}))
    uow.commit()
    return code


def link_staff(uow, services, *, telegram_id: int, code: str, now: dt.datetime) -> str:
    """Link a Telegram account to the staff member the code was issued for; once."""
    link = uow.accounts.code(code.strip().upper())
    if link is None or link.staff_id not in services.district.staff:
        raise InvalidLinkCode(code)
    link.use(telegram_id, now)
    if not uow.accounts.use_code(link):
        raise InvalidLinkCode(code)
    uow.accounts.link_staff(link.staff_id, telegram_id, now)
    uow.events.append(Event(ev.STAFF_LINKED, now, {"staff_id": link.staff_id}))
    uow.commit()
    return link.staff_id


def staff_for_telegram(uow, services, telegram_id: int) -> Actor | None:
    """The staff actor behind a Telegram account: a link in the store, or the district file."""
    staff_id = uow.accounts.staff_id_for(telegram_id)
    if staff_id is None:
        staff_id = next((s.id for s in services.district.staff.values()
                         if s.telegram_id == telegram_id), None)
    return staff_actor(services.district, staff_id) if staff_id in services.district.staff else None
