"""The case aggregate and its life cycle (DESIGN.md, "The case life cycle").

Every move checks the state and the actor, then appends history and records an
event; an illegal move raises a domain error and changes nothing.
"""
from __future__ import annotations

import dataclasses
import datetime as dt
import enum
from typing import Callable

from civic.domain import events as ev
from civic.domain.actors import COMMAND_CENTRE, GRID_LEADER, RESIDENT, SYSTEM, Actor
from civic.domain.errors import DomainError, IllegalMove, NotAllowed, NoteRequired


class State(str, enum.Enum):
    RECEIVED = "received"
    DISPATCHED = "dispatched"
    ACCEPTED = "accepted"
    IN_PROGRESS = "in_progress"
    RESOLVED = "resolved"
    CLOSED = "closed"
    REOPENED = "reopened"
    MERGED = "merged"
    REJECTED = "rejected"
    WITHDRAWN = "withdrawn"


OPEN = frozenset({State.RECEIVED, State.DISPATCHED, State.ACCEPTED, State.IN_PROGRESS, State.REOPENED})
SATISFACTION = ("satisfied", "basically_satisfied", "dissatisfied")
UNRATED_CLOSE_AFTER = dt.timedelta(days=7)
# Notes and reasons fit a chat message: the chat itself refuses longer text (bot/turn.py).
MAX_NOTE = 2000


class AlreadyHurried(DomainError):
    """The case was hurried (催办) in this working half-day already: the assignee was
    told once, and this one is not counted (no history, no event, no notice).

    ``reply_by``: the case's deadline to contact the resident (once contacted: to
    resolve), when still ahead (None when overdue); ``counts_again``: when a new 催办
    counts (the end of this working half-day)."""

    def __init__(self, number: str, reply_by: dt.datetime | None, counts_again: dt.datetime):
        super().__init__(f"case {number} was hurried in this working half-day already; "
                         f"a new one counts from {counts_again.isoformat()}")
        self.number, self.reply_by, self.counts_again = number, reply_by, counts_again


# Who may make each staff move, and in which states: the moves below check these, and
# a staff channel reads them to offer a card's buttons and to name who may press one.
ASSIGNEE, LEADER, CENTRE = "assignee", "leader", "centre"
WHO_MAY: dict[str, tuple[str, ...]] = {
    "sign": (ASSIGNEE, LEADER), "contact": (ASSIGNEE,), "start": (ASSIGNEE,),
    "progress": (ASSIGNEE,), "resolve": (ASSIGNEE,), "return": (ASSIGNEE,),
    "reassign": (LEADER, CENTRE), "escalate": (LEADER,), "extend": (LEADER, CENTRE),
}
WORKING = (State.ACCEPTED, State.IN_PROGRESS)
STATES_FOR: dict[str, tuple[State, ...]] = {
    "sign": (State.DISPATCHED,), "contact": WORKING, "start": (State.ACCEPTED,),
    "progress": WORKING, "resolve": WORKING, "return": (State.DISPATCHED, State.ACCEPTED),
    "reassign": tuple(OPEN), "escalate": tuple(OPEN), "extend": tuple(OPEN),
}


# The working half-day an instant counts for, as (start, end): WorkCalendar.half_day.
HalfDay = Callable[[dt.datetime], tuple[dt.datetime, dt.datetime]]


@dataclasses.dataclass(frozen=True)
class HistoryEntry:
    at: dt.datetime
    actor_id: str
    actor_role: str
    action: str
    from_state: str
    to_state: str
    note: str = ""


@dataclasses.dataclass(frozen=True)
class CaseEvent:
    """Something that happened to a case; committed to the outbox with it."""

    name: str
    case_number: str
    at: dt.datetime
    data: dict


@dataclasses.dataclass
class Case:
    number: str
    reporter_id: str | None
    category: str
    tier: str
    description: str
    address: str
    grid_id: str | None
    community_id: str | None
    created_at: dt.datetime
    state: State = State.RECEIVED
    assignee_id: str | None = None
    informed_ids: tuple[str, ...] = ()
    escalation_level: int = 0
    dispatched_at: dt.datetime | None = None
    signed_at: dt.datetime | None = None
    contacted_at: dt.datetime | None = None
    resolved_at: dt.datetime | None = None
    closed_at: dt.datetime | None = None
    sign_due: dt.datetime | None = None
    contact_due: dt.datetime | None = None
    resolve_due: dt.datetime | None = None
    solved: bool | None = None
    satisfaction: str | None = None
    duplicate_of: str | None = None
    contact_phone: str | None = None
    # The conversation turn that confirmed the report (a replay finds this case).
    submission_key: str | None = None
    followers: set[str] = dataclasses.field(default_factory=set)
    history: list[HistoryEntry] = dataclasses.field(default_factory=list)
    events: list[CaseEvent] = dataclasses.field(default_factory=list)
    version: int = 0

    # --- who may ------------------------------------------------------------

    def _is_assignee(self, actor: Actor) -> bool:
        return actor.is_staff and actor.id == self.assignee_id

    def _is_leader(self, actor: Actor) -> bool:
        return actor.role == GRID_LEADER and self.community_id in actor.communities

    def _is_centre(self, actor: Actor) -> bool:
        return actor.role == COMMAND_CENTRE

    def _is_reporter(self, actor: Actor) -> bool:
        return actor.role == RESIDENT and actor.id == self.reporter_id

    def may(self, move: str, actor: Actor) -> bool:
        """Whether ``actor`` may make staff move ``move`` (WHO_MAY) on this case, whatever its state."""
        holds = {ASSIGNEE: self._is_assignee, LEADER: self._is_leader, CENTRE: self._is_centre}
        return any(holds[who](actor) for who in WHO_MAY[move])

    def moves_now(self) -> list[str]:
        """The staff moves this case's state allows, in WHO_MAY's order."""
        return [move for move in WHO_MAY if self.state in STATES_FOR[move]]

    def _require_may(self, move: str, actor: Actor, *, system: bool = False) -> None:
        self._require((system and actor.role == SYSTEM) or self.may(move, actor), actor, move)
        self._require_state(move, *STATES_FOR[move])

    def _require(self, allowed: bool, actor: Actor, move: str) -> None:
        if not allowed:
            raise NotAllowed(f"{actor.role} {actor.id} may not {move} case {self.number}")

    def _require_state(self, move: str, *states: State) -> None:
        if self.state not in states:
            raise IllegalMove(f"cannot {move} case {self.number} in state {self.state.value}")

    @staticmethod
    def _require_note(note: str, move: str) -> str:
        if not (note or "").strip():
            raise NoteRequired(f"{move} needs a note")
        return Case._bounded(note, move)

    @staticmethod
    def _bounded(note: str, move: str) -> str:
        """A note or reason must fit a chat message: the chat refuses longer text too."""
        note = (note or "").strip()
        if len(note) > MAX_NOTE:
            raise IllegalMove(f"the note of {move} is longer than {MAX_NOTE} characters")
        return note

    def _record(self, actor: Actor, action: str, at: dt.datetime, to: State | None = None,
                note: str = "", **data) -> None:
        before = self.state
        if to is not None:
            self.state = to
        self.history.append(HistoryEntry(at, actor.id, actor.role, action, before.value,
                                         self.state.value, note))
        self.events.append(CaseEvent(action, self.number, at, {
            "actor_id": actor.id, "actor_role": actor.role, "from": before.value,
            "to": self.state.value, "note": note, **data,
        }))

    # --- moves ------------------------------------------------------------------

    def receive(self, actor: Actor, at: dt.datetime) -> None:
        """Record the report itself as the first line of history."""
        self._record(actor, ev.RECEIVED, at, category=self.category, tier=self.tier)

    def route(self, actor: Actor, assignee_id: str, informed_ids: tuple[str, ...],
              deadlines, at: dt.datetime, note: str = "") -> None:
        self._require(actor.role == SYSTEM or self._is_centre(actor), actor, "route")
        self._require_state("route", State.RECEIVED, State.REOPENED)
        self._dispatch(actor, ev.ROUTED, assignee_id, informed_ids, deadlines, at, note)

    def _dispatch(self, actor, action, assignee_id, informed_ids, deadlines, at, note):
        self.assignee_id, self.informed_ids = assignee_id, tuple(informed_ids)
        # Every dispatch starts the three steps again; a reopened case's earlier
        # resolution stays in its history, not in this round's steps.
        self.dispatched_at, self.signed_at, self.contacted_at, self.resolved_at = at, None, None, None
        self.sign_due, self.contact_due, self.resolve_due = (
            deadlines.sign, deadlines.contact, deadlines.resolve)
        self._record(actor, action, at, State.DISPATCHED, note, assignee_id=assignee_id,
                     informed_ids=list(self.informed_ids))

    def sign(self, actor: Actor, at: dt.datetime) -> None:
        self._require_may("sign", actor)
        self.signed_at = at
        self._record(actor, ev.SIGNED, at, State.ACCEPTED)

    def contact(self, actor: Actor, at: dt.datetime, note: str = "") -> None:
        self._require_may("contact", actor)
        note = self._bounded(note, "contact")
        self.contacted_at = self.contacted_at or at
        self._record(actor, ev.CONTACTED, at, note=note)

    def start(self, actor: Actor, at: dt.datetime) -> None:
        self._require_may("start", actor)
        self._record(actor, ev.STARTED, at, State.IN_PROGRESS)

    def note_progress(self, actor: Actor, at: dt.datetime, note: str) -> None:
        self._require_may("progress", actor)
        self._record(actor, ev.PROGRESS, at, note=self._require_note(note, "progress"))

    def resolve(self, actor: Actor, at: dt.datetime, note: str) -> None:
        self._require_may("resolve", actor)
        note = self._require_note(note, "resolve")
        self.resolved_at = at
        self._record(actor, ev.RESOLVED, at, State.RESOLVED, note)

    def return_(self, actor: Actor, at: dt.datetime, reason: str) -> None:
        """The assignee hands the case back for re-routing."""
        self._require_may("return", actor)
        reason = self._require_note(reason, "return")
        self.assignee_id = None
        self._record(actor, ev.RETURNED, at, State.RECEIVED, reason)

    def reassign(self, actor: Actor, assignee_id: str, deadlines, at: dt.datetime,
                 reason: str = "") -> None:
        self._require_may("reassign", actor)
        self._dispatch(actor, ev.REASSIGNED, assignee_id, self.informed_ids, deadlines, at, reason)

    def escalate(self, actor: Actor, assignee_id: str, at: dt.datetime, reason: str) -> None:
        """One level up the chain; the state stays, the new assignee takes over."""
        self._require_may("escalate", actor, system=True)
        self.escalation_level += 1
        self.assignee_id = assignee_id
        self._record(actor, ev.ESCALATED, at, note=reason, level=self.escalation_level,
                     assignee_id=assignee_id)

    def extend(self, actor: Actor, new_due: dt.datetime, at: dt.datetime, reason: str) -> None:
        self._require_may("extend", actor)
        reason = self._require_note(reason, "extend")
        if new_due <= at or (self.resolve_due is not None and new_due <= self.resolve_due):
            raise IllegalMove(f"a new deadline of case {self.number} must be later than now "
                              "and than the current one")
        previous, self.resolve_due = self.resolve_due, new_due
        self._record(actor, ev.EXTENDED, at, note=reason, new_due=new_due.isoformat(),
                     previous_due=previous.isoformat() if previous else None)

    def rate(self, actor: Actor, solved: bool, satisfaction: str, at: dt.datetime,
             reason: str = "") -> None:
        """The reporter answers the two questions; not solved or dissatisfied reopens."""
        self._require(self._is_reporter(actor), actor, "rate")
        self._require_state("rate", State.RESOLVED)
        if satisfaction not in SATISFACTION:
            raise IllegalMove(f"unknown satisfaction {satisfaction!r}")
        reason = self._bounded(reason, "rate")
        self.solved, self.satisfaction = solved, satisfaction
        if solved and satisfaction != "dissatisfied":
            self.closed_at = at
            self._record(actor, ev.RATED, at, State.CLOSED, reason, solved=solved,
                         satisfaction=satisfaction)
        else:
            self._record(actor, ev.REOPENED, at, State.REOPENED, reason, solved=solved,
                         satisfaction=satisfaction)

    def close_unrated(self, at: dt.datetime) -> None:
        self._require_state("close", State.RESOLVED)
        if at - self.resolved_at < UNRATED_CLOSE_AFTER:
            raise IllegalMove(f"case {self.number} was resolved less than 7 days ago")
        self.closed_at = at
        self._record(Actor.system(), ev.CLOSED_UNRATED, at, State.CLOSED)

    def merge(self, actor: Actor, into: str, at: dt.datetime, reason: str) -> None:
        self._require(self._is_centre(actor), actor, "merge")
        self._require_state("merge", State.RECEIVED, State.DISPATCHED)
        self.duplicate_of = into
        self._record(actor, ev.MERGED, at, State.MERGED, self._require_note(reason, "merge"),
                     into=into)

    def reject(self, actor: Actor, at: dt.datetime, reason: str) -> None:
        self._require(self._is_centre(actor), actor, "reject")
        self._require_state("reject", State.RECEIVED, State.DISPATCHED)
        self._record(actor, ev.REJECTED, at, State.REJECTED, self._require_note(reason, "reject"))

    def withdraw(self, actor: Actor, at: dt.datetime, reason: str = "") -> None:
        self._require(self._is_reporter(actor), actor, "withdraw")
        self._require_state("withdraw", *OPEN)
        self._record(actor, ev.WITHDRAWN, at, State.WITHDRAWN, self._bounded(reason, "withdraw"))

    def add_detail(self, actor: Actor, at: dt.datetime, note: str) -> None:
        """The reporter adds to an open case; the assignee is told."""
        self._require(self._is_reporter(actor), actor, "add details to")
        self._require_state("add details to", *OPEN)
        self._record(actor, ev.DETAIL, at, note=self._require_note(note, "detail"),
                     assignee_id=self.assignee_id)

    def hurry(self, actor: Actor, at: dt.datetime, half_day: HalfDay) -> None:
        """The reporter or a follower asks for speed (催办); the assignee is told.

        One 催办 per case counts per working half-day (``half_day``: an evening's counts
        for the next morning); another in the same one raises AlreadyHurried."""
        self._require(self._is_reporter(actor) or (actor.role == RESIDENT and actor.id in self.followers),
                      actor, "hurry")
        self._require_state("hurry", *OPEN)
        current = half_day(at)
        last = next((h for h in reversed(self.history) if h.action == ev.HURRIED), None)
        if last is not None and half_day(last.at) == current:
            raise AlreadyHurried(self.number, self.reply_due(at), current[1])
        self._record(actor, ev.HURRIED, at, assignee_id=self.assignee_id)

    def add_photos(self, actor: Actor, at: dt.datetime, file_ids: tuple[str, ...]) -> None:
        """The reporter sends photos of the problem; the assignee is told (the event
        carries the channel's file ids, so a staff channel can show them). The history
        says only that photos came: residents see that line, never the ids."""
        self._require(self._is_reporter(actor), actor, "add photos to")
        self._require_state("add photos to", *OPEN)
        self._record(actor, ev.PHOTO, at, count=len(file_ids), file_ids=list(file_ids),
                     assignee_id=self.assignee_id)

    def follow(self, resident_id: str, at: dt.datetime) -> None:
        """Another resident follows this case (a duplicate report they chose not to file)."""
        if resident_id != self.reporter_id and resident_id not in self.followers:
            self.followers.add(resident_id)
            self.events.append(CaseEvent(ev.FOLLOWED, self.number, at, {"resident_id": resident_id}))

    # --- reading ----------------------------------------------------------------

    def visible_to(self, resident_id: str) -> bool:
        return resident_id == self.reporter_id or resident_id in self.followers

    def next_deadline(self) -> tuple[str, dt.datetime] | None:
        """The first step still to do (sign, contact, resolve) and its deadline, while open."""
        if self.state not in OPEN:
            return None
        pending = [("sign", self.sign_due, self.signed_at),
                   ("contact", self.contact_due, self.contacted_at),
                   ("resolve", self.resolve_due, self.resolved_at)]
        return next(((step, due) for step, due, done in pending if done is None and due), None)

    def reply_due(self, now: dt.datetime) -> dt.datetime | None:
        """When the resident hears back at the latest: the deadline to contact them, once
        contacted the one to resolve; None when that deadline has passed (overdue)."""
        if self.state not in OPEN:
            return None
        due = self.contact_due if self.contacted_at is None and self.contact_due else self.resolve_due
        return due if due is not None and due > now else None

    def overdue(self, now: dt.datetime) -> list[str]:
        """Deadlines passed whose step has not happened yet."""
        if self.state not in OPEN or self.dispatched_at is None:
            return []
        pending = [("sign", self.sign_due, self.signed_at),
                   ("contact", self.contact_due, self.contacted_at),
                   ("resolve", self.resolve_due, self.resolved_at)]
        return [name for name, due, done in pending if done is None and due and now > due]
