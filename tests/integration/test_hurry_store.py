"""催办 counted once per case per working half-day (issue 13), stored for real.

Eleven 催办 in three hours once sent eleven notices to the worker: now the first is a
history line, an outbox event and a notice; the others change nothing in the store.
"""
import datetime as dt

import pytest
from sqlalchemy import func, select

from civic.adapters.tables import case_history, deliveries, outbox
from civic.domain.actors import Actor
from civic.domain.case import AlreadyHurried
from test_case_store import NOW, move, report

MINUTE = dt.timedelta(minutes=1)


def hurry(civic, number, at, who="r-1"):
    return move(civic, number, Actor.resident(who), "hurry", now=at)


def counted(civic, number):
    """(history lines, outbox events, deliveries) of 催办 on the case."""
    with civic.engine.connect() as conn:
        lines = conn.execute(select(func.count()).select_from(case_history).where(
            case_history.c.case_number == number, case_history.c.action == "hurried")).scalar_one()
        events = conn.execute(select(func.count()).select_from(outbox).where(
            outbox.c.case_number == number, outbox.c.name == "hurried")).scalar_one()
        sent = conn.execute(select(deliveries.c.recipient).join(outbox, outbox.c.id == deliveries.c.event_id)
                            .where(outbox.c.case_number == number, outbox.c.name == "hurried")).scalars()
        return lines, events, sorted(sent)


def test_eleven_hurries_in_three_hours_notify_the_worker_once(civic):
    opening = NOW - 90 * MINUTE  # Wednesday 08:30 Shanghai
    case = report(civic, now=opening)  # to the property officer of WJ-01
    start = opening + 10 * MINUTE
    hurry(civic, case.number, start)
    refused = []
    for i in range(1, 11):  # every 18 minutes until 11:40
        with pytest.raises(AlreadyHurried) as again:
            hurry(civic, case.number, start + 18 * i * MINUTE)
        refused.append(again.value)
    assert counted(civic, case.number) == (1, 1, [f"staff:{case.assignee_id}"])
    assert all(r.reply_by == case.contact_due for r in refused)


def test_the_next_half_day_counts_again(civic):
    case = report(civic)
    hurry(civic, case.number, NOW)  # 10:00
    with pytest.raises(AlreadyHurried):
        hurry(civic, case.number, NOW + 90 * MINUTE)  # 11:30
    hurry(civic, case.number, NOW + 4 * 60 * MINUTE)  # 14:00
    assert counted(civic, case.number)[:2] == (2, 2)


def test_a_follower_s_hurry_after_the_reporter_s_is_not_counted_either(civic):
    case = report(civic)
    with civic.uow() as uow:
        from civic.services import cases

        cases.follow_case(uow, actor=Actor.resident("r-2"), number=case.number, now=NOW)
    hurry(civic, case.number, NOW, who="r-1")
    with pytest.raises(AlreadyHurried):
        hurry(civic, case.number, NOW + 10 * MINUTE, who="r-2")
    assert counted(civic, case.number)[:2] == (1, 1)


def test_an_evening_hurry_counts_for_the_next_morning_and_is_not_doubled_there(civic):
    case = report(civic)
    evening = NOW + 10 * 60 * MINUTE  # Wednesday 20:00
    hurry(civic, case.number, evening)
    with pytest.raises(AlreadyHurried) as again:
        hurry(civic, case.number, evening + 13 * 60 * MINUTE)  # Thursday 09:00
    assert again.value.counts_again == dt.datetime(2026, 11, 19, 4, 0, tzinfo=dt.timezone.utc)  # 12:00
    assert counted(civic, case.number)[:2] == (1, 1)


def test_an_overdue_case_escalates_once_however_often_it_is_hurried(civic):
    case = report(civic)
    late = case.sign_due + 10 * MINUTE
    first = hurry(civic, case.number, late)
    assert first.escalation_level == 1
    with pytest.raises(AlreadyHurried) as again:
        hurry(civic, case.number, late + 10 * MINUTE)
    assert again.value.reply_by == case.contact_due  # sign is late; contact not yet
    with civic.uow() as uow:
        assert uow.cases.get(case.number).escalation_level == 1
