"""Case handlers: report (with the duplicate and emergency rules), follow, what
residents and staff see of cases.

Each handler is a plain function of a unit of work and, when it needs them, the
Services; it acts for an actor, returns a result that the entry point turns into
words, and a domain error leaves the store as it was. The moves of a case's life
cycle are commands, run through one table in civic.services.commands.
"""
from __future__ import annotations

import dataclasses
import datetime as dt
from zoneinfo import ZoneInfo

from civic.domain import notes
from civic.domain.actors import COMMAND_CENTRE, RESIDENT, Actor
from civic.domain.calendar import WorkCalendar
from civic.domain.case import OPEN, Case
from civic.domain.deadlines import Deadlines, Tier, assess_tier, deadlines_for, emergency
from civic.domain.district import District
from civic.domain.errors import CaseNotFound, DomainError, NotAllowed
from civic.domain.points import AwardLimits
from civic.domain.routing import (AMBIGUOUS, Assignment, Candidate, choose_assignee,
                                  escalation_chain, resolve_address)
from civic.domain.similarity import similar
from civic.services import evidence

SHANGHAI = ZoneInfo("Asia/Shanghai")


@dataclasses.dataclass(frozen=True)
class Services:
    """What handlers need besides the unit of work."""

    district: District
    calendar: WorkCalendar
    award_limits: AwardLimits  # data/rewards.yml, limits:


def staff_actor(district: District, staff_id: str) -> Actor:
    staff = district.staff.get(staff_id)
    if staff is None:
        raise NotAllowed(f"unknown staff member {staff_id}")
    return Actor(id=staff.id, role=staff.role, grids=frozenset(staff.grids),
                 communities=frozenset(staff.communities))


# --- who gets a case, and by when (civic.services.commands uses these too) -------------


def assign(services: Services, grid_id: str | None, category: str, tier: str,
           now: dt.datetime) -> Assignment:
    calendar = services.calendar
    local_day = now.astimezone(SHANGHAI).date()
    return choose_assignee(services.district, grid_id, category, urgent=tier == Tier.URGENT.value,
                           at=now, is_office_time=calendar.is_office_time(now),
                           is_holiday=calendar.holiday_name(local_day) is not None)


def next_up(services: Services, case: Case) -> str:
    """Who takes the case one escalation level up: grid worker → grid leader → command centre."""
    chain = escalation_chain(services.district, case.grid_id) if case.grid_id else ()
    chain = chain or (services.district.staff_by_role(COMMAND_CENTRE)[0].id,)
    return chain[min(case.escalation_level + 1, len(chain) - 1)]


def fresh_deadlines(services: Services, case: Case, now: dt.datetime) -> Deadlines:
    """The case's tier's deadlines, counted from a dispatch at ``now``."""
    return deadlines_for(Tier(case.tier), now, services.calendar)


# --- results ------------------------------------------------------------------------


@dataclasses.dataclass(frozen=True)
class CaseFiled:
    case: Case


@dataclasses.dataclass(frozen=True)
class LikelyDuplicate:
    """Open cases of other residents that read the same, in the same grid and
    category, newest first: the resident may follow one instead of filing."""

    numbers: tuple[str, ...]

    @property
    def number(self) -> str:
        return self.numbers[0]


@dataclasses.dataclass(frozen=True)
class AmbiguousAddress:
    """The place matches several grids: ask which, then report again with its grid_id."""

    address: str
    candidates: tuple[Candidate, ...]


@dataclasses.dataclass(frozen=True)
class EmergencyFiled:
    case: Case
    call: tuple[str, ...]  # the numbers to call at once (119 / 110 / 120)


class NotAnEmergency(DomainError):
    """report_emergency was asked to file a report that describes no emergency."""


# --- reporting ----------------------------------------------------------------------


def report_case(uow, services: Services, *, actor: Actor, category: str, description: str,
                address: str, now: dt.datetime, contact_phone: str | None = None,
                grid_id: str | None = None, file_anyway: bool = False,
                submission_key: str | None = None) -> CaseFiled | LikelyDuplicate | AmbiguousAddress:
    """A resident reports a problem; the case is filed and routed at once.

    Asked back instead of filed: a place that matches several grids, and a likely
    duplicate (find_duplicates) unless the resident chose to file anyway. A report
    that names no place is about the resident's remembered household address.
    ``submission_key`` names the confirmation: the same key again (a replay after a
    crash) gets the case it filed, not a second one.
    """
    _require_resident(actor, "report")
    if submission_key:
        filed = uow.cases.by_submission(submission_key)
        if filed is not None and filed.reporter_id == actor.id:
            return CaseFiled(filed)
    place = _place(uow, services, actor, address, grid_id)
    if isinstance(place, AmbiguousAddress):
        return place
    address, grid_id = place
    if not file_anyway:
        duplicate = _duplicates(uow, actor, category, description, grid_id)
        if duplicate is not None:
            return duplicate
    case = _file(uow, services, actor, category, description, address, grid_id, now, contact_phone,
                 submission_key)
    uow.commit()
    return CaseFiled(case)


def find_duplicates(uow, services: Services, *, actor: Actor, category: str, description: str,
                    address: str = "", grid_id: str | None = None) -> LikelyDuplicate | None:
    """What report_case would answer about duplicates, asked before the resident
    confirms, so that they may follow an open case instead of filing another."""
    _require_resident(actor, "report")
    place = _place(uow, services, actor, address, grid_id)
    if isinstance(place, AmbiguousAddress):
        return None
    return _duplicates(uow, actor, category, description, place[1])


def report_emergency(uow, services: Services, *, actor: Actor, category: str, description: str,
                     address: str, now: dt.datetime,
                     contact_phone: str | None = None) -> EmergencyFiled:
    """File an emergency at once as urgent, asking nothing back (DESIGN: fire, gas,
    trapped people, a missing or fallen elder); the domain decides its category."""
    found = emergency(category, description)
    if found is None:
        raise NotAnEmergency(f"nothing in the report calls for 119, 110 or 120: {description!r}")
    case = open_case(uow, services, actor=actor, category=found.category, description=description,
                     address=address, now=now, contact_phone=contact_phone)
    uow.commit()
    return EmergencyFiled(case, found.call)


def open_case(uow, services: Services, *, actor: Actor, category: str, description: str,
              address: str, now: dt.datetime, contact_phone: str | None = None) -> Case:
    """File what a resident said as it stands, without the commit, for handlers that
    open a case as one step of several (an emergency, a handoff out of hours).

    Nothing is asked back: there is nobody to answer. A place that matches several
    grids goes to the street centre's triage, named in the description.
    """
    _require_resident(actor, "report")
    place = _place(uow, services, actor, address, None)
    if isinstance(place, AmbiguousAddress):
        description, place = f"{description}（地点：{place.address}）", ("", None)
    address, grid_id = place
    return _file(uow, services, actor, category, description, address, grid_id, now, contact_phone)


def _place(uow, services: Services, actor: Actor, address: str, grid_id: str | None):
    """(address, grid_id) of a report, or AmbiguousAddress; None as the grid: triage."""
    address = (address or "").strip() or _household_address(uow, actor)
    if grid_id is None and address:
        resolution = resolve_address(services.district, address)
        if resolution.kind == AMBIGUOUS:
            return AmbiguousAddress(address, tuple(resolution.candidates))
        grid_id = resolution.grid_id
    return address, grid_id


def _household_address(uow, actor: Actor) -> str:
    profile = uow.accounts.resident(actor.id)
    return (getattr(profile, "household_address", None) or "").strip()


def _duplicates(uow, actor: Actor, category: str, description: str,
                grid_id: str | None) -> LikelyDuplicate | None:
    """The rule, once: an open case in the same grid and category with a similar text,
    reported by someone else (one's own earlier report is not offered to follow).
    Without a grid there is no same place: two unknown addresses may be far apart."""
    if grid_id is None:
        return None
    numbers = tuple(c.number for c in uow.cases.open_in_grid(grid_id, category)
                    if c.reporter_id != actor.id and similar(c.description, description))
    return LikelyDuplicate(numbers) if numbers else None


def _file(uow, services: Services, actor: Actor, category: str, description: str, address: str,
          grid_id: str | None, now: dt.datetime, contact_phone: str | None,
          submission_key: str | None = None) -> Case:
    tier = assess_tier(category, description)
    number = uow.cases.next_number(now.astimezone(SHANGHAI).date())
    community = services.district.community_of(grid_id) if grid_id else None
    case = Case(number=number, reporter_id=actor.id, category=category, tier=tier.value,
                description=description, address=address, grid_id=grid_id,
                community_id=community.id if community else None, created_at=now,
                contact_phone=contact_phone, submission_key=submission_key)
    case.receive(actor, now)
    assignment = assign(services, grid_id, category, tier.value, now)
    case.route(Actor.system(), assignment.assignee_id, assignment.informed_ids,
               deadlines_for(tier, now, services.calendar), now, note=notes.ROUTED[assignment.reason])
    # Photos sent while writing this report (or just before) are its evidence.
    evidence.claim_pending(uow, actor=actor, case=case, now=now)
    uow.cases.add(case)
    return case


def _require_resident(actor: Actor, what: str) -> None:
    if actor.role != RESIDENT:
        raise NotAllowed(f"{actor.role} {actor.id} may not {what} as a resident")


# --- what a resident sees -----------------------------------------------------------


@dataclasses.dataclass(frozen=True)
class CaseView:
    """What a resident may see of a case: never the reporter's identity or contact."""

    number: str
    category: str
    state: str
    address: str
    next_due: dt.datetime | None
    updates: tuple[tuple[dt.datetime, str, str], ...]  # (at, action, note)
    own: bool
    next_step: str | None = None  # sign, contact or resolve: what next_due is the deadline of


PUBLIC_ACTIONS = {"received", "routed", "signed", "contacted", "started", "progress",
                  "resolved", "returned", "reassigned", "escalated", "extended", "rated",
                  "reopened", "closed_unrated", "merged", "rejected", "withdrawn",
                  "detail", "hurried", "photo"}


def _view(case: Case, resident_id: str) -> CaseView:
    next_step, next_due = case.next_deadline() or (None, None)
    updates = tuple((h.at, h.action, h.note if h.action in ("progress", "resolved", "extended") else "")
                    for h in case.history if h.action in PUBLIC_ACTIONS)
    return CaseView(case.number, case.category, case.state.value, case.address, next_due, updates,
                    own=case.reporter_id == resident_id, next_step=next_step)


def follow_case(uow, *, actor: Actor, number: str, now: dt.datetime) -> CaseView:
    """The resident follows an open case (a likely duplicate they chose not to file)."""
    _require_resident(actor, "follow cases")
    case = uow.cases.get(number)
    if case is None or case.state not in OPEN:
        raise CaseNotFound(number)
    case.follow(actor.id, now)
    uow.cases.save(case)
    uow.commit()
    return _view(case, actor.id)


def my_cases(uow, *, actor: Actor) -> list[CaseView]:
    """Own and followed cases with status and next deadline (no history in a list)."""
    _require_resident(actor, "list cases")
    return [_view(case, actor.id) for case in uow.cases.list_for_resident(actor.id)]


def case_for_resident(uow, *, actor: Actor, number: str) -> CaseView:
    """One case by number if it is the resident's own or followed; else "not found"."""
    _require_resident(actor, "read cases")
    case = uow.cases.get(number)
    if case is None or not case.visible_to(actor.id):
        raise CaseNotFound(number)
    return _view(case, actor.id)


# --- what staff see -----------------------------------------------------------------

SCOPES = ("mine", "grids")


def staff_cases(uow, services: Services, *, actor: Actor, scope: str = "mine",
                limit: int = 50) -> list[Case]:
    """Open cases for a staff member, soonest next deadline first, without history.

    ``mine``: the cases assigned to them. ``grids``: the cases of the grids they
    cover (a grid leader: their community's; the command centre: every case,
    triage included).
    """
    if scope not in SCOPES:
        raise ValueError(f"unknown scope {scope!r} (known: {', '.join(SCOPES)})")
    member = services.district.staff.get(actor.id)
    if not actor.is_staff or member is None or member.role != actor.role:
        raise NotAllowed(f"{actor.role} {actor.id} is not registered staff")
    if scope == "mine":
        return uow.cases.open_by_deadline(assignee_id=actor.id, limit=limit)
    if actor.role == COMMAND_CENTRE:
        return uow.cases.open_by_deadline(limit=limit)
    grid_ids = [g for g in services.district.grids if services.district.covers(member, g)]
    return uow.cases.open_by_deadline(grid_ids=grid_ids, limit=limit) if grid_ids else []
