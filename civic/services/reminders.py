"""Reminders the scheduler sends (bot/jobs.py runs them; each call commits its own unit
of work and returns how many reminders it recorded).

- ``deadline_reminders``: 催办提醒 to the assignee before each of a case's three
  deadlines (sign for, contact, resolve) whose step is still to do, once a quarter of
  the deadline's window (from dispatch to deadline) is left. For a tier counted in
  working time a moment outside office hours moves to the next opening, when that is
  still before the deadline (so an ordinary case is not reminded of at 6 in the
  morning). An urgent case out of office hours (nights, weekends, holidays) is
  reminded of to the responder on duty for its grid instead, when there is one and it
  is not the assignee. A deadline already passed gets no reminder: check_deadlines
  escalates it.
- ``booking_reminders``: a mediation booking's resident and mediator are reminded a
  day before and an hour before it starts; only the latest that is due (after a pause
  the hour's, not a stale day's), and none that was due before the booking was made.
- ``rating_reminders``: the reporter of a case resolved 24 hours ago and still
  unrated is asked once more, until the case closes unrated after 7 days.

Each reminder goes once per subject, kind and moment (tables_reminders.first_time:
a case's deadline, a booking's start, a resolution): a second run, a restart or two
schedulers at once send nothing twice, while a new deadline (a dispatch, an
extension), a rescheduled booking or a second resolution is reminded of again.
"""
from __future__ import annotations

import datetime as dt

from civic.adapters.tables_reminders import first_time
from civic.domain import events as ev
from civic.domain.accounts import ERASED_PREFIX
from civic.domain.case import UNRATED_CLOSE_AFTER, Case, CaseEvent
from civic.domain.deadlines import STEPS, Tier
from civic.domain.events import Event
from civic.domain.routing import ON_DUTY, choose_assignee
from civic.services.cases import SHANGHAI, Services

REMIND_SHARE = 0.25  # the share of a deadline's window left when its reminder comes
WORKING_TIERS = frozenset({Tier.ORDINARY.value, Tier.COMPLEX.value})
BOOKING_LEADS = (("hour", dt.timedelta(hours=1)), ("day", dt.timedelta(days=1)))  # latest first
RATING_AFTER = dt.timedelta(hours=24)
MAX_OPEN = 100_000  # open cases read per run: all of them


# --- deadlines ---------------------------------------------------------------------------


def deadline_reminders(uow, services: Services, now: dt.datetime) -> int:
    sent = 0
    for case in uow.cases.open_by_deadline(limit=MAX_OPEN):
        if case.dispatched_at is None or case.assignee_id is None:
            continue
        for step, due in pending_steps(case):
            if not remind_at(case, due, services) <= now < due:
                continue
            if not first_time(uow.connection, case.number, f"deadline:{step}", due, now):
                continue
            recipient, on_duty = reminded(services, case, now)
            uow.events.append(Event(ev.DEADLINE_REMINDER, now, {
                "step": step, "due": due.isoformat(), "assignee_id": recipient, "on_duty": on_duty,
                "handler_id": case.assignee_id, "level": case.escalation_level},
                case_number=case.number))
            sent += 1
    uow.commit()
    return sent


def pending_steps(case: Case) -> list[tuple[str, dt.datetime]]:
    """(step, deadline) of the steps still to do; a later step done implies the earlier."""
    done = (case.signed_at, case.contacted_at, case.resolved_at)
    dues = (case.sign_due, case.contact_due, case.resolve_due)
    return [(step, dues[i]) for i, step in enumerate(STEPS)
            if dues[i] is not None and all(at is None for at in done[i:])]


def remind_at(case: Case, due: dt.datetime, services: Services) -> dt.datetime:
    """When a quarter of the window is left; in working time for a working-time tier."""
    at = due - (due - case.dispatched_at) * REMIND_SHARE
    calendar = services.calendar
    if case.tier in WORKING_TIERS and not calendar.is_office_time(at):
        opening = calendar.next_office_time(at)
        if opening < due:
            at = opening
    return at


def reminded(services: Services, case: Case, now: dt.datetime) -> tuple[str, bool]:
    """Who hears the reminder: (staff id, whether as the responder on duty)."""
    if case.tier == Tier.URGENT.value and not services.calendar.is_office_time(now):
        on_duty = on_duty_responder(services, case, now)
        if on_duty is not None and on_duty != case.assignee_id:
            return on_duty, True
    return case.assignee_id, False


def on_duty_responder(services: Services, case: Case, now: dt.datetime) -> str | None:
    """The responder on duty for the case's grid out of office hours, or None."""
    holiday = services.calendar.holiday_name(now.astimezone(SHANGHAI).date()) is not None
    found = choose_assignee(services.district, case.grid_id, case.category, urgent=True, at=now,
                            is_office_time=False, is_holiday=holiday)
    return found.assignee_id if found.reason == ON_DUTY else None


# --- mediation bookings ------------------------------------------------------------------


def booking_reminders(uow, services: Services, now: dt.datetime) -> int:
    sent = 0
    longest = max(lead for _, lead in BOOKING_LEADS)
    for booking in uow.bookings.booked_between(now, now + longest + dt.timedelta(seconds=1)):
        ahead = booking_ahead(booking, now)
        if ahead is None or not first_time(uow.connection, booking.id, f"booking:{ahead}",
                                           booking.starts_at, now):
            continue
        uow.events.append(Event(ev.BOOKING_REMINDER, now, {
            "booking_id": booking.id, "resident_id": booking.resident_id,
            "mediator_id": booking.mediator_id, "room_id": booking.room_id, "mode": booking.mode,
            "starts_at": booking.starts_at.isoformat(), "dispute": booking.dispute, "ahead": ahead}))
        sent += 1
    uow.commit()
    return sent


def booking_ahead(booking, now: dt.datetime) -> str | None:
    """The latest reminder due for a booking ("hour", "day"), unless it was due before the
    booking was made (the resident was just told) or the booking has begun."""
    if now >= booking.starts_at:
        return None
    for ahead, lead in BOOKING_LEADS:
        due = booking.starts_at - lead
        if now >= due:
            made = booking.created_at
            return ahead if made is None or made < due else None
    return None


# --- ratings -----------------------------------------------------------------------------


def rating_reminders(uow, services: Services, now: dt.datetime) -> int:
    sent = 0
    for number in uow.cases.resolved_before(now - RATING_AFTER):
        case = uow.cases.get(number)
        if (case is None or case.resolved_at is None or not case.reporter_id
                or case.reporter_id.startswith(ERASED_PREFIX)
                or now - case.resolved_at >= UNRATED_CLOSE_AFTER):  # check_deadlines closes it
            continue
        if not first_time(uow.connection, number, "rating", case.resolved_at, now):
            continue
        # A case event, committed with the case, so that its reporter is found; it is no
        # move, so it adds no history.
        case.events.append(CaseEvent(ev.RATING_REMINDER, number, now,
                                     {"resolved_at": case.resolved_at.isoformat()}))
        sent += 1
    uow.commit()
    return sent
