"""Every event the system records, in one registry: its name, and who hears of it.

Producers (civic.domain.case, civic.domain.mediation, civic.services.points,
.accounts, .handoff) name events with the constants below. The unit of work writes
each event to the outbox and, in the same transaction, one delivery per recipient
(civic.domain.recipients finds them); bot/notices.py has the words for every
(event, audience) pair a delivered event goes to. An event with no audiences is
internal: kept in the outbox as the record, told to nobody.

An audience is the role in which someone hears of an event; it decides the words
(a follower hears status only, the reporter hears notes and is asked to rate).
"""
from __future__ import annotations

import dataclasses
import datetime as dt


@dataclasses.dataclass(frozen=True)
class Event:
    """An event of an aggregate other than a case (bookings, points, accounts, handoffs)."""

    name: str  # one of the constants below
    at: dt.datetime
    data: dict
    case_number: str | None = None


# --- audiences, and the kind of recipient each reaches ------------------------------

REPORTER = "reporter"  # the resident who reported the case
FOLLOWER = "follower"  # a resident following someone else's case: status only, never notes
RESIDENT = "resident"  # the resident a booking, points or handoff event is about
ASSIGNEE = "assignee"  # the staff member handling the case
INFORMED = "informed"  # staff kept informed of the case (the category's informed forces)
MEDIATOR = "mediator"  # the mediator of a booking
CENTRE = "centre"  # the street command centre's desk

RESIDENT_KIND, STAFF_KIND, CENTRE_KIND = "resident", "staff", "centre"
KIND_OF_AUDIENCE = {
    REPORTER: RESIDENT_KIND, FOLLOWER: RESIDENT_KIND, RESIDENT: RESIDENT_KIND,
    ASSIGNEE: STAFF_KIND, INFORMED: STAFF_KIND, MEDIATOR: STAFF_KIND,
    CENTRE: CENTRE_KIND,
}


@dataclasses.dataclass(frozen=True)
class EventKind:
    name: str
    audiences: tuple[str, ...] = ()  # in order of precedence: one person hears once, as the first
    internal_why: str = ""  # for internal events: why nobody is told

    @property
    def delivered(self) -> bool:
        return bool(self.audiences)

    @property
    def recipient_kinds(self) -> frozenset[str]:
        return frozenset(KIND_OF_AUDIENCE[a] for a in self.audiences)


# --- case events (civic.domain.case names them after the move) ------------------------

RECEIVED = "received"
ROUTED = "routed"
SIGNED = "signed"
CONTACTED = "contacted"
STARTED = "started"
PROGRESS = "progress"
RESOLVED = "resolved"
RETURNED = "returned"
REASSIGNED = "reassigned"
ESCALATED = "escalated"
EXTENDED = "extended"
RATED = "rated"
REOPENED = "reopened"
CLOSED_UNRATED = "closed_unrated"
MERGED = "merged"
REJECTED = "rejected"
WITHDRAWN = "withdrawn"
DETAIL = "detail"
HURRIED = "hurried"
PHOTO = "photo"  # the reporter sent photos (civic.services.evidence keeps them)
FOLLOWED = "followed"

# --- mediation bookings ---------------------------------------------------------------

BOOKING_CREATED = "booking_created"
BOOKING_RESCHEDULED = "booking_rescheduled"
BOOKING_CANCELLED = "booking_cancelled"
BOOKING_OUTCOME = "booking_outcome"

# --- volunteer points -----------------------------------------------------------------

POINTS_AWARDED = "points_awarded"
POINTS_REVERSED = "points_reversed"
REWARD_REDEEMED = "reward_redeemed"
REWARD_COLLECTED = "reward_collected"

# --- accounts and handoffs ------------------------------------------------------------

LINK_CODE_ISSUED = "link_code_issued"
STAFF_LINKED = "staff_linked"
HANDOFF_REQUESTED = "handoff_requested"
HANDOFF_ENDED = "handoff_ended"  # data {"resident_id": ...}; produced when staff end a handoff
HANDOFF_REPLY = "handoff_reply"  # data {"resident_id", "staff_name", "text"}: staff answer in the chat

# --- reminders and reports (the scheduler's jobs: civic.services.reminders, .reports) -----

# data {"step", "due", "assignee_id"}; "on_duty": the responder on duty is told for the
# assignee ("handler_id") of an urgent case out of office hours.
DEADLINE_REMINDER = "deadline_reminder"
BOOKING_REMINDER = "booking_reminder"  # a booking's data and "ahead": "day" or "hour"
RATING_REMINDER = "rating_reminder"  # a case resolved a day ago and not rated yet
WEEKLY_RATES = "weekly_rates"  # 三率 of the last full week and the one before (reports.weekly_rates)

_KINDS = (
    EventKind(RECEIVED, internal_why="the reporter has the reply in the chat; routing tells staff"),
    EventKind(ROUTED, (ASSIGNEE, INFORMED)),
    EventKind(SIGNED, (REPORTER, FOLLOWER)),
    EventKind(CONTACTED, (REPORTER,)),
    EventKind(STARTED, (REPORTER, FOLLOWER)),
    EventKind(PROGRESS, (REPORTER,)),  # a note: never to followers
    EventKind(RESOLVED, (REPORTER, FOLLOWER)),
    EventKind(RETURNED, (REPORTER,)),
    EventKind(REASSIGNED, (ASSIGNEE, REPORTER, INFORMED)),
    # The new assignee; the command centre too once the case reaches the top (level 2).
    EventKind(ESCALATED, (ASSIGNEE, CENTRE)),
    EventKind(EXTENDED, (REPORTER, ASSIGNEE)),
    EventKind(RATED, (FOLLOWER,)),  # closed; the reporter rated it themselves
    # The staff member who resolved it hears that the resident was not content.
    EventKind(REOPENED, (ASSIGNEE, FOLLOWER)),
    EventKind(CLOSED_UNRATED, (REPORTER, FOLLOWER)),
    EventKind(MERGED, (REPORTER, FOLLOWER, ASSIGNEE)),
    EventKind(REJECTED, (REPORTER, FOLLOWER, ASSIGNEE)),
    EventKind(WITHDRAWN, (ASSIGNEE, FOLLOWER)),
    EventKind(DETAIL, (ASSIGNEE,)),
    EventKind(HURRIED, (ASSIGNEE,)),
    EventKind(PHOTO, (ASSIGNEE,)),
    EventKind(FOLLOWED, internal_why="the follower chose it in the chat; nobody else need know"),
    EventKind(BOOKING_CREATED, (MEDIATOR,)),
    EventKind(BOOKING_RESCHEDULED, (RESIDENT, MEDIATOR)),
    EventKind(BOOKING_CANCELLED, (RESIDENT, MEDIATOR)),
    EventKind(BOOKING_OUTCOME, (RESIDENT, MEDIATOR)),
    EventKind(POINTS_AWARDED, (RESIDENT,)),
    EventKind(POINTS_REVERSED, (RESIDENT,)),
    EventKind(REWARD_REDEEMED, internal_why="the resident redeemed it and has the code in the reply"),
    EventKind(REWARD_COLLECTED, (RESIDENT,)),
    EventKind(LINK_CODE_ISSUED, internal_why="the command centre hands the code over in person"),
    EventKind(STAFF_LINKED, internal_why="the staff member linked the account themselves"),
    EventKind(HANDOFF_REQUESTED, (CENTRE,)),
    EventKind(HANDOFF_ENDED, (RESIDENT,)),
    EventKind(HANDOFF_REPLY, (RESIDENT,)),
    EventKind(DEADLINE_REMINDER, (ASSIGNEE,)),
    EventKind(BOOKING_REMINDER, (RESIDENT, MEDIATOR)),
    EventKind(RATING_REMINDER, (REPORTER,)),
    EventKind(WEEKLY_RATES, (CENTRE,)),
)

REGISTRY: dict[str, EventKind] = {kind.name: kind for kind in _KINDS}
DELIVERED = frozenset(name for name, kind in REGISTRY.items() if kind.delivered)
INTERNAL = frozenset(REGISTRY) - DELIVERED


class UnknownEvent(KeyError):
    """An event name that is not in the registry: register it before producing it."""


def kind(name: str) -> EventKind:
    try:
        return REGISTRY[name]
    except KeyError:
        raise UnknownEvent(name) from None
