"""Case handlers: report, move, check deadlines, resident lookups.

Each handler is a plain function of its inputs and a unit of work; a domain error
leaves the store as it was.
"""
from __future__ import annotations

import dataclasses
import datetime as dt
from zoneinfo import ZoneInfo

from civic.domain.actors import RESIDENT, Actor
from civic.domain.case import OPEN, UNRATED_CLOSE_AFTER, Case, State
from civic.domain.deadlines import Tier, assess_tier, deadlines_for
from civic.domain.errors import CaseNotFound, DomainError, NotAllowed
from civic.domain.routing import choose_assignee, escalation_chain, resolve_address
from civic.domain.similarity import similar

SHANGHAI = ZoneInfo("Asia/Shanghai")


class AmbiguousAddress(DomainError):
    def __init__(self, candidates):
        super().__init__("the address matches several grids")
        self.candidates = candidates


class LikelyDuplicate(DomainError):
    def __init__(self, numbers: list[str]):
        super().__init__("an open case looks the same")
        self.numbers = numbers


@dataclasses.dataclass(frozen=True)
class Services:
    """What handlers need besides the unit of work."""

    district: object
    calendar: object


def staff_actor(district, staff_id: str) -> Actor:
    staff = district.staff.get(staff_id)
    if staff is None:
        raise NotAllowed(f"unknown staff member {staff_id}")
    return Actor(id=staff.id, role=staff.role, grids=frozenset(staff.grids),
                 communities=frozenset(staff.communities))


def _assign(services: Services, grid_id, category: str, tier: str, now: dt.datetime):
    calendar = services.calendar
    local_day = now.astimezone(SHANGHAI).date()
    return choose_assignee(services.district, grid_id, category, urgent=tier == "urgent", at=now,
                           is_office_time=calendar.is_office_time(now),
                           is_holiday=calendar.holiday_name(local_day) is not None)


def report_case(uow, services: Services, *, reporter_id: str, category: str, description: str,
                address: str, now: dt.datetime, contact_phone: str | None = None,
                grid_id: str | None = None, file_anyway: bool = False,
                household_address: str | None = None) -> Case:
    """Open a case and route it; ambiguous places and likely duplicates are asked back.

    A report that names no place is about the resident's remembered household address.
    """
    case = open_case(uow, services, reporter_id=reporter_id, category=category,
                     description=description, address=address, now=now,
                     contact_phone=contact_phone, grid_id=grid_id, file_anyway=file_anyway,
                     household_address=household_address)
    uow.commit()
    return case


def open_case(uow, services: Services, *, reporter_id: str, category: str, description: str,
              address: str, now: dt.datetime, contact_phone: str | None = None,
              grid_id: str | None = None, file_anyway: bool = False,
              household_address: str | None = None) -> Case:
    """report_case without the commit, for handlers that open a case as one of several steps."""
    address = address or household_address or ""
    if grid_id is None and address:
        resolution = resolve_address(services.district, address)
        if resolution.kind == "ambiguous":
            raise AmbiguousAddress(resolution.candidates)
        grid_id = resolution.grid_id
    if not file_anyway:
        duplicates = [c.number for c in uow.cases.open_in_grid(grid_id, category)
                      if similar(c.description, description)]
        if duplicates:
            raise LikelyDuplicate(duplicates)
    tier = assess_tier(category, description)
    number = uow.cases.next_number(now.astimezone(SHANGHAI).date())
    community = services.district.community_of(grid_id) if grid_id else None
    case = Case(number=number, reporter_id=reporter_id, category=category, tier=tier.value,
                description=description, address=address, grid_id=grid_id,
                community_id=getattr(community, "id", community), created_at=now,
                contact_phone=contact_phone)
    case.receive(Actor.resident(reporter_id), now)
    assignment = _assign(services, grid_id, category, tier.value, now)
    case.route(Actor.system(), assignment.assignee_id, assignment.informed_ids,
               deadlines_for(tier, now, services.calendar), now, note=assignment.reason)
    uow.cases.add(case)
    return case


def follow_case(uow, *, resident_id: str, number: str, now: dt.datetime) -> Case:
    case = _get(uow, number)
    if case.state not in OPEN:
        raise CaseNotFound(number)
    case.follow(resident_id, now)
    uow.cases.save(case)
    uow.commit()
    return case


def move(uow, services: Services, *, number: str, actor: Actor, action: str,
         now: dt.datetime, note: str = "", **options) -> Case:
    """Perform one move of the transition table as actor."""
    case = _get(uow, number)
    if actor.role == RESIDENT and not case.visible_to(actor.id):
        raise CaseNotFound(number)
    tier = case.tier
    if action == "sign":
        case.sign(actor, now)
    elif action == "contact":
        case.contact(actor, now, note)
    elif action == "start":
        case.start(actor, now)
    elif action == "progress":
        case.note_progress(actor, now, note)
    elif action == "resolve":
        case.resolve(actor, now, note)
    elif action == "return":
        case.return_(actor, now, note)
        # Back to the street centre's triage, not to the one who returned it.
        assignment = _assign(services, None, case.category, tier, now)
        case.route(Actor.system(), assignment.assignee_id, (), _deadlines(case, services, now),
                   now, note="triage after return")
    elif action == "reassign":
        staff_actor(services.district, options["assignee_id"])
        case.reassign(actor, options["assignee_id"], _deadlines(case, services, now), now, note)
    elif action == "escalate":
        case.escalate(actor, _next_up(services, case), now, note)
    elif action == "extend":
        case.extend(actor, options["new_due"], now, note)
    elif action == "rate":
        case.rate(actor, options["solved"], options["satisfaction"], now, note)
    elif action == "merge":
        _get(uow, options["into"])
        case.merge(actor, options["into"], now, note)
    elif action == "reject":
        case.reject(actor, now, note)
    elif action == "withdraw":
        case.withdraw(actor, now, note)
    elif action == "detail":
        case.add_detail(actor, now, note)
    elif action == "hurry":
        case.hurry(actor, now)
        # An overdue case hurried by a resident goes one level up at once.
        overdue = case.overdue(now)
        if overdue and case.escalation_level < 2:
            case.escalate(Actor.system(), _next_up(services, case), now,
                          "居民催办，超时未" + "、".join(overdue))
    elif action == "route":
        assignment = _assign(services, case.grid_id, case.category, tier, now)
        case.route(actor, options.get("assignee_id") or assignment.assignee_id,
                   assignment.informed_ids, _deadlines(case, services, now), now, note)
    else:
        raise DomainError(f"unknown move {action!r}")
    uow.cases.save(case)
    uow.commit()
    return case


def rate(uow, services: Services, *, number: str, actor: Actor, solved: bool, satisfaction: str,
         now: dt.datetime, note: str = "") -> Case:
    """The reporter rates a resolved case; a reopened one is routed again at once."""
    case = _get(uow, number)
    if not case.visible_to(actor.id):
        raise CaseNotFound(number)
    case.rate(actor, solved, satisfaction, now, note)
    if case.state is State.REOPENED:
        assignment = _assign(services, case.grid_id, case.category, case.tier, now)
        case.route(Actor.system(), assignment.assignee_id, assignment.informed_ids,
                   _deadlines(case, services, now), now, note="居民评价后重新办理")
    uow.cases.save(case)
    uow.commit()
    return case


def check_deadlines(uow, services: Services, now: dt.datetime) -> list[str]:
    """Escalate overdue cases one level per overdue deadline; close week-old unrated ones."""
    touched = []
    for number in uow.cases.open_numbers():
        case = uow.cases.get(number)
        wanted = min(len(case.overdue(now)), 2)
        if case.escalation_level < wanted:
            case.escalate(Actor.system(), _next_up(services, case), now,
                          "超时未" + "、".join(case.overdue(now)))
            uow.cases.save(case)
            touched.append(number)
    for number in uow.cases.resolved_before(now - UNRATED_CLOSE_AFTER):
        case = uow.cases.get(number)
        case.close_unrated(now)
        uow.cases.save(case)
        touched.append(number)
    uow.commit()
    return touched


def _next_up(services: Services, case: Case) -> str:
    chain = escalation_chain(services.district, case.grid_id) if case.grid_id else ()
    chain = chain or (services.district.staff_by_role("command_centre")[0].id,)
    return chain[min(case.escalation_level + 1, len(chain) - 1)]


def _deadlines(case: Case, services: Services, now: dt.datetime):
    return deadlines_for(Tier(case.tier), now, services.calendar)


def _get(uow, number: str) -> Case:
    case = uow.cases.get(number)
    if case is None:
        raise CaseNotFound(number)
    return case


# --- resident lookups ---------------------------------------------------------------


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
                  "detail", "hurried"}


def view(case: Case, resident_id: str) -> CaseView:
    pending = [("sign", case.sign_due, case.signed_at), ("contact", case.contact_due, case.contacted_at),
               ("resolve", case.resolve_due, case.resolved_at)]
    next_step, next_due = next(((step, due) for step, due, done in pending if done is None and due),
                               (None, None))
    updates = tuple((h.at, h.action, h.note if h.action in ("progress", "resolved", "extended") else "")
                    for h in case.history if h.action in PUBLIC_ACTIONS)
    is_open = case.state in OPEN
    return CaseView(case.number, case.category, case.state.value, case.address,
                    next_due if is_open else None, updates,
                    own=case.reporter_id == resident_id, next_step=next_step if is_open else None)


def my_cases(uow, resident_id: str) -> list[CaseView]:
    """Own and followed cases with status and next deadline (no history in a list)."""
    return [view(case, resident_id) for case in uow.cases.list_for_resident(resident_id)]


def case_for_resident(uow, resident_id: str, number: str) -> CaseView:
    """One case by number if it is the resident's own or followed; else "not found"."""
    case = uow.cases.get(number)
    if case is None or not case.visible_to(resident_id):
        raise CaseNotFound(number)
    return view(case, resident_id)
