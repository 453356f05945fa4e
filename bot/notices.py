"""The words of every delivery: an event heard by a recipient in one audience.

``render(due, now, district=None) -> Message`` for a claimed delivery
(civic.adapters.deliveries_repository.Due); ``Renderer(district)`` is the same as a
callable for the dispatcher. WORDS holds one function per (event, audience) the
registry (civic.domain.events) delivers; a test checks that none is missing.

- the reporter hears what happened, with staff notes, and is asked to rate a
  resolved case (two buttons);
- a follower hears the status in neutral words: never a note, a name or a contact;
- staff hear short texts: a new case for them (number, category, tier, grid,
  deadlines), a resident's detail or 催办, an escalation, a booking; the command
  centre's desk a handoff request. Phone numbers are masked: staff texts may be
  posted in a group chat.
- every text passes civic.domain.privacy.mask (phones, ID numbers, house and room
  numbers), notes written by staff included; the full phone and address are in the
  case's detail for the one handling it.

The words themselves, templates with named placeholders, are in the messages module
(actions/texts.py); this module puts them together per event and audience.
"""
from __future__ import annotations

import datetime as dt
import json
import logging
from typing import Callable

from actions import texts
from actions.texts import (CATEGORIES, HANDOFF_REASONS, MODES, OUTCOMES, ROLES, SATISFACTION, STATES, TIERS,
                           mask_phone, when)
from bot.senders import Message
from civic.domain import events as ev
from civic.domain.case import OPEN, State
from civic.domain.privacy import mask


log = logging.getLogger(__name__)


class NoWords(LookupError):
    """No words for this (event, audience): a delivery the registry should not have made."""


def _rate_buttons(number: str) -> list[dict]:
    def payload(value):
        return "/rate_case" + json.dumps({"case_id": number, "choice": value}, ensure_ascii=False)
    return [{"title": title, "payload": payload(value)} for value, title in texts.SOLVED_ANSWERS.items()]


def _at(value: str | None, now: dt.datetime) -> str:
    return when(dt.datetime.fromisoformat(value), now) if value else ""


def _note(data: dict) -> str:
    return (data.get("note") or "").strip()


# --- the reporter ---------------------------------------------------------------------


def _head(due) -> str:
    return texts.CASE_HEAD.format(number=due.case_number)


def _reporter_resolved(due, now, district):
    text = _head(due) + texts.RESOLVED_NOTICE.format(note=_note(due.data))
    return text, _rate_buttons(due.case_number)


def _reporter_extended(due, now, district):
    due_text = _at(due.data.get("new_due"), now)
    later = texts.NEW_RESOLVE_DUE.format(when=due_text) if due_text else ""
    return _head(due) + texts.EXTENDED_NOTICE.format(later=later, note=_note(due.data))


REPORTER_WORDS: dict[str, Callable] = {
    ev.SIGNED: lambda due, now, d: _head(due) + texts.SIGNED_NOTICE,
    ev.CONTACTED: lambda due, now, d: _head(due) + texts.CONTACTED_NOTICE
    + (texts.CONTACT_NOTE.format(note=_note(due.data)) if _note(due.data) else ""),
    ev.STARTED: lambda due, now, d: _head(due) + texts.STARTED_NOTICE,
    ev.PROGRESS: lambda due, now, d: _head(due) + texts.PROGRESS_NOTICE.format(note=_note(due.data)),
    ev.RESOLVED: _reporter_resolved,
    ev.RETURNED: lambda due, now, d: _head(due) + texts.RETURNED_NOTICE,
    ev.REASSIGNED: lambda due, now, d: _head(due) + texts.REASSIGNED_NOTICE,
    ev.EXTENDED: _reporter_extended,
    ev.CLOSED_UNRATED: lambda due, now, d: _head(due) + texts.CLOSED_UNRATED_NOTICE,
    ev.MERGED: lambda due, now, d: _head(due) + texts.MERGED_NOTICE.format(into=due.data.get("into", "")),
    ev.REJECTED: lambda due, now, d: _head(due) + texts.REJECTED_NOTICE.format(note=_note(due.data)),
}

# --- a follower: status only ----------------------------------------------------------


def _followed(status: str) -> Callable:
    return lambda due, now, district: texts.FOLLOWED_HEAD.format(number=due.case_number) + status


FOLLOWER_WORDS: dict[str, Callable] = {
    ev.SIGNED: _followed(texts.SIGNED_NOTICE),
    ev.STARTED: _followed(texts.STARTED_NOTICE),
    ev.RESOLVED: _followed(texts.FOLLOWED_RESOLVED),
    ev.RATED: _followed(texts.FOLLOWED_CLOSED),
    ev.CLOSED_UNRATED: _followed(texts.FOLLOWED_CLOSED_UNRATED),
    ev.REOPENED: _followed(texts.FOLLOWED_REOPENED),
    ev.WITHDRAWN: _followed(texts.FOLLOWED_WITHDRAWN),
    ev.MERGED: _followed(texts.FOLLOWED_MERGED),
    ev.REJECTED: _followed(texts.FOLLOWED_REJECTED),
}

# --- the resident of a booking, points or handoff event --------------------------------


def _handoff_ended(due, now, district):
    from bot.turn import rating_buttons  # the turn answers these presses

    text = texts.HANDOFF_ENDED_BY_STAFF
    handoff_id = due.data.get("handoff_id")
    return text, (rating_buttons(int(handoff_id)) if handoff_id is not None else [])


RESIDENT_WORDS: dict[str, Callable] = {
    ev.BOOKING_CANCELLED: lambda due, now, d:
        texts.BOOKING_CANCELLED_NOTICE.format(when=_at(due.data["starts_at"], now)),
    ev.BOOKING_RESCHEDULED: lambda due, now, d:
        texts.BOOKING_RESCHEDULED_NOTICE.format(when=_at(due.data["starts_at"], now)),
    ev.BOOKING_OUTCOME: lambda due, now, d: texts.BOOKING_OUTCOME_NOTICE.format(
        outcome=OUTCOMES.get(due.data.get("outcome"), due.data.get("outcome", ""))),
    ev.POINTS_AWARDED: lambda due, now, d: texts.POINTS_AWARDED_NOTICE.format(
        amount=due.data.get("amount"), reason=due.data.get("reason", ""), balance=due.data.get("balance")),
    ev.POINTS_REVERSED: lambda due, now, d: texts.POINTS_REVERSED_NOTICE.format(
        amount=abs(int(due.data.get("amount", 0))), reason=due.data.get("reason", ""),
        balance=due.data.get("balance")),
    ev.REWARD_COLLECTED: lambda due, now, d: texts.REWARD_COLLECTED_NOTICE.format(code=due.data.get("code")),
    ev.HANDOFF_ENDED: _handoff_ended,
    ev.HANDOFF_REPLY: lambda due, now, d: texts.HANDOFF_REPLY.format(
        name=due.data.get("staff_name", ""), text=due.data.get("text", "")),
}

# --- staff ----------------------------------------------------------------------------


def _grid(case, district) -> str:
    if case is None or not case.grid_id:
        return texts.NO_GRID
    grid = district.grids.get(case.grid_id) if district is not None else None
    return grid.name if grid is not None else case.grid_id


def _role_of(staff_id: str | None, district) -> str:
    staff = district.staff.get(staff_id) if district is not None and staff_id else None
    return ROLES.get(getattr(staff, "role", ""), texts.ANY_STAFF)


def _card(title: str, due, now, district) -> str:
    """A case for the one who handles it: what, where, by when."""
    case = due.case
    if case is None:
        return texts.CARD_TITLE.format(title=title, number=due.case_number)
    lines = [texts.CARD_HEAD.format(title=title, number=case.number,
                                    category=CATEGORIES.get(case.category, case.category),
                                    tier=TIERS.get(case.tier, case.tier), grid=_grid(case, district)),
             case.description]
    if case.address:
        lines.append(texts.CARD_PLACE.format(address=case.address))
    if case.contact_phone:
        lines.append(texts.CARD_PHONE.format(phone=mask_phone(case.contact_phone)))
    steps = [(case.sign_due, case.signed_at, "sign"), (case.contact_due, case.contacted_at, "contact"),
             (case.resolve_due, case.resolved_at, "resolve")]
    dues = [texts.CARD_DUE.format(when=when(at, now), step=texts.CARD_STEPS[step])
            for at, done, step in steps if at and not done]
    if dues and case.state in OPEN:
        lines.append(texts.CARD_DUES.format(dues="，".join(dues)))
    return "\n".join(lines)


def _informed_card(title: str, due, now, district) -> str:
    case = due.case
    if case is None:
        return texts.CARD_TITLE.format(title=title, number=due.case_number)
    return texts.INFORMED_CARD.format(title=title, number=case.number,
                                      category=CATEGORIES.get(case.category, case.category),
                                      grid=_grid(case, district), description=case.description,
                                      role=_role_of(case.assignee_id, district))


def _staff_reopened(due, now, district):
    solved = texts.SOLVED_ANSWERS["solved" if due.data.get("solved") else "unsolved"]
    satisfaction = SATISFACTION.get(due.data.get("satisfaction"), "")
    reason = texts.REOPEN_REASON.format(note=_note(due.data)) if _note(due.data) else ""
    return texts.STAFF_REOPENED.format(number=due.case_number, solved=solved, satisfaction=satisfaction,
                                       reason=reason)


def _staff_escalated(due, now, district):
    level = due.data.get("level")
    return (_card(texts.ESCALATED_TO_YOU, due, now, district)
            + texts.STAFF_ESCALATED.format(level=level, note=_note(due.data)))


def _centre_escalated(due, now, district):
    case = due.case
    where = texts.CENTRE_ESCALATED_WHERE.format(category=CATEGORIES.get(case.category, case.category),
                                                grid=_grid(case, district)) if case else ""
    return texts.CENTRE_ESCALATED.format(number=due.case_number, where=where,
                                         state=STATES.get(getattr(case, "state", ""), ""), note=_note(due.data))


def _staff_hurried(due, now, district):
    case, text = due.case, texts.STAFF_HURRIED.format(number=due.case_number)
    if case is not None and case.resolve_due:
        text += texts.STAFF_HURRIED_DUE.format(when=when(case.resolve_due, now))
    return text


ASSIGNEE_WORDS: dict[str, Callable] = {
    ev.ROUTED: lambda due, now, d: _card(texts.NEW_CASE, due, now, d),
    ev.REASSIGNED: lambda due, now, d: _card(texts.REASSIGNED_TO_YOU, due, now, d),
    ev.ESCALATED: _staff_escalated,
    ev.EXTENDED: lambda due, now, d: texts.STAFF_EXTENDED.format(
        number=due.case_number, when=_at(due.data.get("new_due"), now), note=_note(due.data)),
    ev.REOPENED: _staff_reopened,
    ev.MERGED: lambda due, now, d:
        texts.STAFF_MERGED.format(number=due.case_number, into=due.data.get("into", "")),
    ev.REJECTED: lambda due, now, d: texts.STAFF_REJECTED.format(number=due.case_number, note=_note(due.data)),
    ev.WITHDRAWN: lambda due, now, d: texts.STAFF_WITHDRAWN.format(number=due.case_number),
    ev.DETAIL: lambda due, now, d: texts.STAFF_DETAIL.format(number=due.case_number, note=_note(due.data)),
    ev.HURRIED: _staff_hurried,
    ev.PHOTO: lambda due, now, d: texts.PHOTO_STAFF_NOTICE.format(number=due.case_number,
                                                                  count=due.data.get("count", 1)),
}

INFORMED_WORDS: dict[str, Callable] = {
    ev.ROUTED: lambda due, now, d: _informed_card(texts.FOR_INFORMATION, due, now, d),
    ev.REASSIGNED: lambda due, now, d: _informed_card(texts.REASSIGNED_FOR_INFORMATION, due, now, d),
}


def _booking(due, now, district) -> str:
    data = due.data
    rooms = {r.id: r.name for r in getattr(district, "rooms", ())}
    room = (texts.BOOKING_ROOM.format(room=rooms.get(data["room_id"], data["room_id"]))
            if data.get("room_id") else "")
    return texts.BOOKING_SUMMARY.format(when=_at(data.get("starts_at"), now),
                                        mode=MODES.get(data.get("mode"), data.get("mode", "")), room=room)


MEDIATOR_WORDS: dict[str, Callable] = {
    ev.BOOKING_CREATED: lambda due, now, d: texts.MEDIATOR_BOOKED.format(
        booking=due.data.get("booking_id"), summary=_booking(due, now, d), dispute=due.data.get("dispute", "")),
    ev.BOOKING_RESCHEDULED: lambda due, now, d: texts.MEDIATOR_RESCHEDULED.format(
        booking=due.data.get("booking_id"), summary=_booking(due, now, d),
        previous=_at(due.data.get("previous_starts_at"), now)),
    ev.BOOKING_CANCELLED: lambda due, now, d: texts.MEDIATOR_CANCELLED.format(
        booking=due.data.get("booking_id"), when=_at(due.data.get("starts_at"), now))
        + (texts.MEDIATOR_CANCEL_REASON.format(reason=texts.CANCEL_REASONS.get(due.data["reason"], due.data["reason"]))
           if due.data.get("reason") else ""),
    ev.BOOKING_OUTCOME: lambda due, now, d: texts.MEDIATOR_OUTCOME.format(
        booking=due.data.get("booking_id"),
        outcome=OUTCOMES.get(due.data.get("outcome"), due.data.get("outcome", ""))),
}


def _handoff_requested(due, now, district):
    data = due.data
    summary = (data.get("summary") or "").strip()
    lines = [texts.HANDOFF_REQUEST.format(resident=data.get("resident_id"),
                                          reason=HANDOFF_REASONS.get(data.get("reason"), data.get("reason", "")),
                                          when=_at(data.get("answer_by"), now))]
    if summary:
        lines.append(texts.HANDOFF_SAID.format(summary=summary))
    if data.get("case_number"):
        lines.append(texts.HANDOFF_CASE.format(number=data["case_number"]))
    return "\n".join(lines)


CENTRE_WORDS: dict[str, Callable] = {
    ev.ESCALATED: _centre_escalated,
    ev.HANDOFF_REQUESTED: _handoff_requested,
}

# --- reminders and the weekly report (the scheduler's jobs: bot/jobs.py) -----------------


def _deadline_reminder(due, now, district):
    data, case = due.data, due.case
    step = texts.CARD_STEPS.get(data.get("step"), "")
    level = case.escalation_level if case is not None else int(data.get("level") or 0)
    then = texts.DEADLINE_THEN_TOP if level >= 2 else texts.DEADLINE_THEN_ESCALATE.format(step=step)
    values = dict(number=due.case_number, grid=_grid(case, district), when=_at(data.get("due"), now),
                  step=step, then=then,
                  category=CATEGORIES.get(case.category, case.category) if case is not None else "")
    if data.get("on_duty"):
        return texts.DEADLINE_REMINDER_ON_DUTY.format(handler=_role_of(data.get("handler_id"), district),
                                                      **values)
    return texts.DEADLINE_REMINDER.format(**values)


def _room(data: dict, district) -> str:
    rooms = {r.id: r.name for r in getattr(district, "rooms", ())}
    room_id = data.get("room_id")
    return texts.BOOKING_ROOM.format(room=rooms.get(room_id, room_id)) if room_id else ""


def _booking_reminder(due, now, district):
    data = due.data
    template = texts.BOOKING_REMINDER_RESIDENT.get(data.get("ahead"), texts.BOOKING_REMINDER_RESIDENT["day"])
    return template.format(when=_at(data.get("starts_at"), now), room=_room(data, district),
                           mode=MODES.get(data.get("mode"), data.get("mode", "")))


def _mediator_booking_reminder(due, now, district):
    data = due.data
    return texts.BOOKING_REMINDER_MEDIATOR.format(
        booking=data.get("booking_id"), summary=_booking(due, now, district), dispute=data.get("dispute", ""),
        then=texts.BOOKING_REMINDER_MEDIATOR_THEN.get(data.get("ahead"), ""))


def _rating_reminder(due, now, district):
    return _head(due) + texts.RATING_REMINDER, _rate_buttons(due.case_number)


def _percent(share) -> str:
    return texts.WEEKLY_RATES_NONE if share is None else texts.WEEKLY_RATES_PERCENT.format(share=share)


def _week(start: str) -> str:
    first = dt.date.fromisoformat(start)
    last = first + dt.timedelta(days=6)
    return texts.WEEKLY_RATES_WEEK.format(
        start=texts.WEEKLY_RATES_DATE.format(month=first.month, day=first.day),
        end=texts.WEEKLY_RATES_DATE.format(month=last.month, day=last.day))


def _weekly_line(name: str, this: dict, last: dict) -> str:
    rates = {key: _percent(this.get(key)) for key in ("response", "resolution", "satisfaction")}
    rates.update({f"{key}_last": _percent(last.get(key)) for key in ("response", "resolution", "satisfaction")})
    return texts.WEEKLY_RATES_LINE.format(name=name, dispatched=this.get("dispatched", 0),
                                          dispatched_last=last.get("dispatched", 0), **rates)


def _weekly_rates(due, now, district):
    data = due.data
    street = data.get("street") or {}
    lines = [texts.WEEKLY_RATES_HEAD.format(week=_week(data["week_start"]), previous=_week(data["previous_start"])),
             _weekly_line(texts.WEEKLY_RATES_STREET, street.get("this") or {}, street.get("last") or {})]
    lines += [_weekly_line(grid.get("name", ""), grid.get("this") or {}, grid.get("last") or {})
              for grid in data.get("grids", [])]
    lines.append(texts.WEEKLY_RATES_NEXT)
    return "\n".join(lines)


ASSIGNEE_WORDS[ev.DEADLINE_REMINDER] = _deadline_reminder
RESIDENT_WORDS[ev.BOOKING_REMINDER] = _booking_reminder
MEDIATOR_WORDS[ev.BOOKING_REMINDER] = _mediator_booking_reminder
REPORTER_WORDS[ev.RATING_REMINDER] = _rating_reminder
CENTRE_WORDS[ev.WEEKLY_RATES] = _weekly_rates

WORDS: dict[tuple[str, str], Callable] = {
    (name, audience): words
    for audience, table in ((ev.REPORTER, REPORTER_WORDS), (ev.FOLLOWER, FOLLOWER_WORDS),
                            (ev.RESIDENT, RESIDENT_WORDS), (ev.ASSIGNEE, ASSIGNEE_WORDS),
                            (ev.INFORMED, INFORMED_WORDS), (ev.MEDIATOR, MEDIATOR_WORDS),
                            (ev.CENTRE, CENTRE_WORDS))
    for name, words in table.items()
}


# What goes with the words: photos the resident or staff sent, the weekly chart.
PHOTOS: dict[tuple[str, str], Callable] = {
    (ev.PHOTO, ev.ASSIGNEE): lambda due: tuple(due.data.get("file_ids") or ()) or None,
    (ev.HANDOFF_REPLY, ev.RESIDENT): lambda due: due.data.get("photo_id"),
    (ev.WEEKLY_RATES, ev.CENTRE): lambda due: _chart(due.data),
}
# Reminders that events may overtake before they go out: said only while still true.
STEP_DONE = {"sign": "signed_at", "contact": "contacted_at", "resolve": "resolved_at"}
STILL_TRUE: dict[tuple[str, str], Callable] = {
    (ev.RATING_REMINDER, ev.REPORTER): lambda due: due.case is None or due.case.state is State.RESOLVED,
    (ev.DEADLINE_REMINDER, ev.ASSIGNEE): lambda due: due.case is None or (
        due.case.state in OPEN and getattr(due.case, STEP_DONE.get(due.data.get("step"), ""), None) is None),
}
# The case given to its new handler, privately: the full address and phone go with it.
FULL_DETAIL = frozenset({ev.ROUTED, ev.REASSIGNED, ev.ESCALATED})


def _chart(data: dict) -> bytes | None:
    from bot.charts import rates_chart

    try:
        return rates_chart(data)
    except Exception:  # the summary still goes; the log says why the chart did not
        log.exception("the weekly chart could not be drawn")
        return None


def render(due, now: dt.datetime, district=None) -> Message | None:
    """Text and buttons for one delivery; ``district`` names grids and roles in staff texts.
    None for a reminder events overtook (STILL_TRUE)."""
    words = WORDS.get((due.name, due.audience))
    if words is None:
        raise NoWords(f"no words for {due.name} to a {due.audience}")
    still_true = STILL_TRUE.get((due.name, due.audience))
    if still_true is not None and not still_true(due):
        return None
    said = words(due, now, district)
    text, buttons = said if isinstance(said, tuple) else (said, [])
    # Every delivery may be read where others look (a shared phone, the group's topic):
    # masked. Only the one the case is given to, in their private chat, gets its full
    # address and phone (staff:<id> deliveries go to the private chat only).
    text = mask(text)
    if due.audience == ev.ASSIGNEE and due.name in FULL_DETAIL and due.case is not None:
        from bot.cards import private_detail

        text += "\n" + private_detail(due.case)
    photo = PHOTOS.get((due.name, due.audience))
    return Message(text, tuple(buttons), photo=photo(due) if photo else None)


class Renderer:
    """render() with the district bound: what the dispatcher is given."""

    def __init__(self, district=None):
        self.district = district

    def __call__(self, due, now: dt.datetime) -> Message | None:
        return render(due, now, self.district)
