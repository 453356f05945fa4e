"""Reports the scheduler makes: the weekly 三率 for the command centre, and the state of
the delivery pipeline for the log (bot/jobs.py runs them).

``weekly_rates(uow, services, now)`` computes 三率 (civic.services.rates) for the whole
street and each grid, for the last full week (Monday to Sunday, Asia/Shanghai, before
the week holding ``now``) and the week before, and records one WEEKLY_RATES event for
the command centre's desk, once per week. Its payload, which a chart is drawn from:

    {"week_start": "YYYY-MM-DD", "previous_start": "YYYY-MM-DD",
     "street": {"this": R, "last": R},
     "grids": [{"id": grid_id, "name": 中文名, "this": R, "last": R}, ...]}

R = {"dispatched", "responded", "rated", "solved", "satisfied": int,
     "response", "resolution", "satisfaction": float or None (nothing to count)};
"this" is the last full week, "last" the week before; grids in the district file's order.
"""
from __future__ import annotations

import dataclasses
import datetime as dt

from sqlalchemy import func, select

from civic.adapters.deliveries_repository import FAILED, PENDING
from civic.adapters.repository import _aware, _naive_utc
from civic.adapters.tables import deliveries, outbox
from civic.adapters.tables_reminders import first_time
from civic.domain import events as ev
from civic.domain.events import Event
from civic.services.cases import SHANGHAI, Services
from civic.services.rates import ThreeRates, three_rates

WEEK = dt.timedelta(days=7)
STREET = "street"  # the subject of the weekly report's record


def week_bounds(now: dt.datetime) -> tuple[dt.date, dt.date]:
    """(Monday of the last full week, Monday of the week before), Asia/Shanghai."""
    today = now.astimezone(SHANGHAI).date()
    this_monday = today - dt.timedelta(days=today.weekday())
    return this_monday - WEEK, this_monday - 2 * WEEK


def weekly_rates(uow, services: Services, now: dt.datetime) -> dict | None:
    """Record the weekly report's event and return its payload; None when this week's
    report was made already."""
    week_start, previous_start = week_bounds(now)
    this, last = _instant(week_start), _instant(previous_start)
    if not first_time(uow.connection, STREET, ev.WEEKLY_RATES, this, now):
        return None

    def both(**scope) -> dict:
        return {"this": _rates(three_rates(uow, start=this, end=this + WEEK, **scope)),
                "last": _rates(three_rates(uow, start=last, end=last + WEEK, **scope))}

    payload = {
        "week_start": week_start.isoformat(), "previous_start": previous_start.isoformat(),
        "street": both(),
        "grids": [{"id": grid.id, "name": grid.name, **both(grid_id=grid.id)}
                  for grid in services.district.grids.values()],
    }
    uow.events.append(Event(ev.WEEKLY_RATES, now, payload))
    uow.commit()
    return payload


def _instant(day: dt.date) -> dt.datetime:
    """Midnight of a Shanghai date, in UTC."""
    return dt.datetime.combine(day, dt.time(), tzinfo=SHANGHAI).astimezone(dt.timezone.utc)


def _rates(rates: ThreeRates) -> dict:
    return {"dispatched": rates.dispatched, "responded": rates.responded, "rated": rates.rated,
            "solved": rates.solved, "satisfied": rates.satisfied, "response": rates.response_rate,
            "resolution": rates.resolution_rate, "satisfaction": rates.satisfaction_rate}


# --- the delivery pipeline, for the heartbeat --------------------------------------------


@dataclasses.dataclass(frozen=True)
class DispatchState:
    pending: int  # deliveries not sent yet
    due: int  # of them, those the dispatcher could send now
    failed: int  # given up
    oldest_due_wait: dt.timedelta | None  # how long the longest-waiting due one has waited


def dispatch_state(uow, now: dt.datetime) -> DispatchState:
    """Counts of the deliveries table. Due: what the dispatcher could claim now (its time
    has come and it is the first pending one of its recipient, as the dispatcher sends a
    recipient's in order), waiting since its event (never tried) or since its next
    attempt time (tried and failed). A recipient held back (a staff member not linked
    yet, a retry later) is not waiting on the dispatcher."""
    d, at = deliveries.c, _naive_utc(now)
    counts = dict(uow.connection.execute(
        select(d.state, func.count()).where(d.state.in_([PENDING, FAILED])).group_by(d.state)).all())
    earlier = deliveries.alias("earlier")
    ahead = select(earlier.c.event_id).where(
        earlier.c.recipient == d.recipient, earlier.c.state == PENDING,
        earlier.c.event_id < d.event_id).exists()
    is_due = (d.state == PENDING) & (d.next_attempt_at.is_(None) | (d.next_attempt_at <= at)) & ~ahead
    due, oldest = uow.connection.execute(
        select(func.count(), func.min(func.coalesce(d.next_attempt_at, outbox.c.at)))
        .select_from(deliveries.join(outbox, outbox.c.id == d.event_id)).where(is_due)).one()
    wait = max(now - _aware(oldest), dt.timedelta(0)) if oldest is not None else None
    return DispatchState(pending=int(counts.get(PENDING, 0)), due=int(due),
                         failed=int(counts.get(FAILED, 0)), oldest_due_wait=wait)
