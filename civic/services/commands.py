"""Case commands through one handler table: staff moves, the resident's own, the deadline checks.

The admin command line, the chat, the staff buttons and the scheduler send the
commands of civic.domain.commands to handle(), so a move means the same whoever
asks: a rating of "not solved" routes the case again at once by every entry point.
Each handler gets the case loaded and checked for the actor, moves it through the
domain and says what else happened; handle() saves and commits.
"""
from __future__ import annotations

import dataclasses
import datetime as dt
from typing import Callable

from civic.domain import commands as c
from civic.domain import notes
from civic.domain.actors import GRID_LEADER, RESIDENT, Actor
from civic.domain.case import UNRATED_CLOSE_AFTER, Case, State
from civic.domain.errors import CaseNotFound, DomainError, NotAllowed
from civic.services.cases import Services, assign, fresh_deadlines, next_up, staff_actor


@dataclasses.dataclass(frozen=True)
class Moved:
    """The case after a command, and what the command set off besides."""

    case: Case
    escalated: bool = False  # also sent one level up (an overdue case hurried)
    rerouted: bool = False  # routed again at once (returned, or reopened by its rating)


def handle(uow, services: Services, command: c.Command) -> Moved:
    """Run one command as its actor and commit; a domain error changes nothing."""
    moved = execute(uow, services, command)
    uow.commit()
    return moved


def execute(uow, services: Services, command: c.Command) -> Moved:
    """handle() without the commit, for a job that issues several commands at once."""
    handler = HANDLERS.get(type(command))
    if handler is None:
        raise DomainError(f"no handler for {type(command).__name__}")
    case = uow.cases.get(command.number)
    # A resident acts on their own or followed cases only; anyone else's is "not found".
    if case is None or (command.actor.role == RESIDENT and not case.visible_to(command.actor.id)):
        raise CaseNotFound(command.number)
    moved = handler(uow, services, case, command)
    uow.cases.save(case)
    return moved


def named(action: str, *, number: str, actor: Actor, now: dt.datetime, note: str = "",
          **options) -> c.Command:
    """The command a move's name stands for ("sign", "reassign", ...), as the admin
    command line and the staff buttons name them."""
    kind = c.BY_NAME.get(action)
    if kind is None:
        raise DomainError(f"unknown move {action!r}")
    fields = {f.name: f for f in dataclasses.fields(kind)}
    if "note" in fields:
        options["note"] = note
    elif note:
        raise DomainError(f"{action} takes no note")
    unknown = sorted(set(options) - set(fields))
    if unknown:
        raise DomainError(f"{action} takes no {', '.join(unknown)}")
    missing = sorted(name for name, f in fields.items() if f.default is dataclasses.MISSING
                     and name not in ("number", "actor", "now") and name not in options)
    if missing:
        raise DomainError(f"{action} needs {', '.join(missing)}")
    return kind(number=number, actor=actor, now=now, **options)


# --- the handlers -------------------------------------------------------------------


def _sign(uow, services, case: Case, command: c.Sign) -> Moved:
    case.sign(command.actor, command.now)
    return Moved(case)


def _contact(uow, services, case: Case, command: c.Contact) -> Moved:
    case.contact(command.actor, command.now, command.note)
    return Moved(case)


def _start(uow, services, case: Case, command: c.Start) -> Moved:
    case.start(command.actor, command.now)
    return Moved(case)


def _progress(uow, services, case: Case, command: c.Progress) -> Moved:
    case.note_progress(command.actor, command.now, command.note)
    return Moved(case)


def _resolve(uow, services, case: Case, command: c.Resolve) -> Moved:
    case.resolve(command.actor, command.now, command.note)
    return Moved(case)


def _return(uow, services: Services, case: Case, command: c.Return) -> Moved:
    case.return_(command.actor, command.now, command.note)
    # Back to the street centre's triage, not to the one who returned it.
    assignment = assign(services, None, case.category, case.tier, command.now)
    case.route(Actor.system(), assignment.assignee_id, (),
               fresh_deadlines(services, case, command.now), command.now, note=notes.RETURNED_TO_TRIAGE)
    return Moved(case, rerouted=True)


def _reassign(uow, services: Services, case: Case, command: c.Reassign) -> Moved:
    target = staff_actor(services.district, command.assignee_id)  # an assignee the district knows
    # A grid leader hands a case on within its grid; the command centre anywhere (a case
    # routed to the wrong grid is theirs to put right).
    if command.actor.role == GRID_LEADER and case.grid_id and case.grid_id not in target.grids:
        raise NotAllowed(f"{target.id} does not work in grid {case.grid_id}")
    case.reassign(command.actor, command.assignee_id, fresh_deadlines(services, case, command.now),
                  command.now, command.note)
    return Moved(case)


def _escalate(uow, services: Services, case: Case, command: c.Escalate) -> Moved:
    case.escalate(command.actor, next_up(services, case), command.now, command.note)
    return Moved(case, escalated=True)


def _extend(uow, services, case: Case, command: c.Extend) -> Moved:
    case.extend(command.actor, command.new_due, command.now, command.note)
    return Moved(case)


def _merge(uow, services, case: Case, command: c.Merge) -> Moved:
    if command.into == case.number or uow.cases.get(command.into) is None:
        raise CaseNotFound(command.into)
    case.merge(command.actor, command.into, command.now, command.note)
    return Moved(case)


def _reject(uow, services, case: Case, command: c.Reject) -> Moved:
    case.reject(command.actor, command.now, command.note)
    return Moved(case)


def _route(uow, services: Services, case: Case, command: c.Route) -> Moved:
    assignment = assign(services, case.grid_id, case.category, case.tier, command.now)
    if command.assignee_id:
        staff_actor(services.district, command.assignee_id)
    case.route(command.actor, command.assignee_id or assignment.assignee_id, assignment.informed_ids,
               fresh_deadlines(services, case, command.now), command.now, command.note)
    return Moved(case)


def _rate(uow, services: Services, case: Case, command: c.Rate) -> Moved:
    case.rate(command.actor, command.solved, command.satisfaction, command.now, command.note)
    if case.state is not State.REOPENED:
        return Moved(case)
    # Not solved or dissatisfied: someone works on it again at once, not after a triage.
    assignment = assign(services, case.grid_id, case.category, case.tier, command.now)
    case.route(Actor.system(), assignment.assignee_id, assignment.informed_ids,
               fresh_deadlines(services, case, command.now), command.now, note=notes.REOPENED_BY_RATING)
    return Moved(case, rerouted=True)


def _withdraw(uow, services, case: Case, command: c.Withdraw) -> Moved:
    case.withdraw(command.actor, command.now, command.note)
    return Moved(case)


def _detail(uow, services, case: Case, command: c.Detail) -> Moved:
    case.add_detail(command.actor, command.now, command.note)
    return Moved(case)


def _hurry(uow, services: Services, case: Case, command: c.Hurry) -> Moved:
    # One counted per case per working half-day; another raises AlreadyHurried.
    case.hurry(command.actor, command.now, services.calendar.half_day)
    # An overdue case hurried by a resident goes one level up at once, as the system.
    overdue = case.overdue(command.now)
    if not overdue or case.escalation_level >= 2:
        return Moved(case)
    escalate = c.Escalate(case.number, Actor.system(), command.now,
                          note=notes.overdue(overdue, hurried=True))
    return _escalate(uow, services, case, escalate)


HANDLERS: dict[type[c.Command], Callable[..., Moved]] = {
    c.Sign: _sign, c.Contact: _contact, c.Start: _start, c.Progress: _progress,
    c.Resolve: _resolve, c.Return: _return, c.Reassign: _reassign, c.Escalate: _escalate,
    c.Extend: _extend, c.Merge: _merge, c.Reject: _reject, c.Route: _route, c.Rate: _rate,
    c.Withdraw: _withdraw, c.Detail: _detail, c.Hurry: _hurry,
}


# --- the deadline checks (a scheduler job, acting as the system) --------------------


def check_deadlines(uow, services: Services, now: dt.datetime) -> list[str]:
    """Escalate overdue cases one level per overdue deadline, by Escalate commands of
    the system; close cases resolved and unrated for 7 days. The numbers touched."""
    touched = []
    for number in uow.cases.open_numbers():
        case = uow.cases.get(number)
        late = case.overdue(now)
        if case.escalation_level < min(len(late), 2):
            # The command loads the case again, as every command does: the same path as
            # a grid leader's escalation, permissions and all.
            execute(uow, services, c.Escalate(number, Actor.system(), now,
                                              note=notes.overdue(late)))
            touched.append(number)
    for number in uow.cases.resolved_before(now - UNRATED_CLOSE_AFTER):
        case = uow.cases.get(number)
        case.close_unrated(now)
        uow.cases.save(case)
        touched.append(number)
    uow.commit()
    return touched
