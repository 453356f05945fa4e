"""Deliveries and the dispatcher, on SQLite and PostgreSQL.

An event's deliveries are written with it in one transaction, to the right people
(never the actor; a follower hears status only); the dispatcher sends each once,
marks it sent only after the sender accepted it, retries later, stops for a blocked
recipient, takes over the lease of a crashed dispatcher, and never sends one
delivery twice when two dispatchers race for it.
"""
import asyncio
import datetime as dt

import pytest
from sqlalchemy import func, select

from bot import notices
from bot.dispatcher import Dispatcher
from bot.senders import FakeSender
from civic.adapters.deliveries_repository import DeliveryRepository
from civic.adapters.tables import deliveries, outbox
from civic.domain.actors import Actor
from civic.domain.recipients import resident
from civic.services import accounts, cases, commands, mediation, points
from races import run_at_once

NOW = dt.datetime(2026, 11, 18, 2, 0, tzinfo=dt.timezone.utc)  # Wednesday 10:00 Shanghai
SECOND = dt.timedelta(seconds=1)
PHONE = "13812345678"


def report(civic, reporter="r-1", description="望江花园3号楼楼道灯坏了", address="望江花园3号楼"):
    with civic.uow() as uow:
        return cases.report_case(uow, civic.services, actor=Actor.resident(reporter), category="repair",
                                 description=description, address=address, now=NOW,
                                 contact_phone=PHONE, file_anyway=True).case


def move(civic, number, actor, action, now=NOW, note="", **kw):
    with civic.uow() as uow:
        command = commands.named(action, number=number, actor=actor, now=now, note=note, **kw)
        return commands.handle(uow, civic.services, command).case


def follow(civic, number, who="r-2"):
    with civic.uow() as uow:
        cases.follow_case(uow, actor=Actor.resident(who), number=number, now=NOW)


def staff(civic, staff_id):
    return cases.staff_actor(civic.services.district, staff_id)


def award(civic, resident_id="r-1", key="k-1", amount=10):
    """Points from gw-wj-01 to a resident who talked to the bot and lives in WJ-01."""
    with civic.uow() as uow:
        accounts.register(uow, actor=Actor.resident(resident_id), display_name=None, now=NOW)
    with civic.uow() as uow:
        accounts.change_address(uow, actor=Actor.resident(resident_id), address="望江花园3号楼")
    with civic.uow() as uow:
        points.award(uow, civic.services, actor=staff(civic, "gw-wj-01"), resident_id=resident_id,
                     kind="public_virtue", amount=amount, reason="社区清洁", key=key, now=NOW)


def heard(civic, name, number=None) -> set:
    """(recipient, audience, state) of every delivery of events called ``name``."""
    query = (select(deliveries.c.recipient, deliveries.c.audience, deliveries.c.state)
             .join(outbox, outbox.c.id == deliveries.c.event_id).where(outbox.c.name == name))
    if number:
        query = query.where(outbox.c.case_number == number)
    with civic.engine.connect() as conn:
        return {tuple(r) for r in conn.execute(query)}


def rows(civic) -> list[dict]:
    with civic.engine.connect() as conn:
        found = conn.execute(select(deliveries).order_by(deliveries.c.event_id)).mappings()
        return [dict(r) for r in found]


def count(civic, table=deliveries) -> int:
    with civic.engine.connect() as conn:
        return conn.execute(select(func.count()).select_from(table)).scalar_one()


def dispatcher(civic, sender, **kw) -> Dispatcher:
    return Dispatcher(civic, notices.Renderer(civic.services.district), sender, **kw)


def dispatch(d: Dispatcher, now=NOW, **kw):
    return asyncio.run(d.dispatch_once(now, **kw))


# --- who, in which transaction ----------------------------------------------------------


def test_a_staff_move_is_delivered_to_reporter_and_follower_not_to_the_actor(civic):
    case = report(civic)
    follow(civic, case.number)
    informed = {(f"staff:{s}", "informed", "pending") for s in case.informed_ids}
    assert heard(civic, "routed") == {(f"staff:{case.assignee_id}", "assignee", "pending")} | informed
    assert heard(civic, "received") == heard(civic, "followed") == set()
    move(civic, case.number, staff(civic, case.assignee_id), "sign")
    assert heard(civic, "signed") == {("resident:r-1", "reporter", "pending"),
                                      ("resident:r-2", "follower", "pending")}


def test_deliveries_are_written_in_the_events_transaction(civic, monkeypatch):
    case = report(civic)
    before = (count(civic, outbox), count(civic))
    worker = staff(civic, case.assignee_id)
    with civic.uow() as uow:  # moved, never committed
        moving = uow.cases.get(case.number)
        moving.sign(worker, NOW)
        uow.cases.save(moving)
    assert (count(civic, outbox), count(civic)) == before
    with civic.uow() as uow, pytest.raises(RuntimeError):  # fails after its deliveries were written
        moving = uow.cases.get(case.number)
        moving.sign(worker, NOW)
        uow.cases.save(moving)
        written = uow.deliveries.add

        def add_then_fail(event_id, recipients):
            written(event_id, recipients)
            raise RuntimeError("the store went away")
        monkeypatch.setattr(uow.deliveries, "add", add_then_fail)
        uow.commit()
    assert (count(civic, outbox), count(civic)) == before
    assert heard(civic, "signed") == set()


def test_the_actor_is_never_told_of_their_own_act(civic):
    case = report(civic)
    move(civic, case.number, Actor.resident("r-1"), "detail", note="二楼和三楼之间")
    assert heard(civic, "detail") == {(f"staff:{case.assignee_id}", "assignee", "pending")}
    move(civic, case.number, staff(civic, case.assignee_id), "sign")
    assert {r for r, _, _ in heard(civic, "signed")} == {"resident:r-1"}
    award(civic)
    assert heard(civic, "points_awarded") == {("resident:r-1", "resident", "pending")}
    with civic.uow() as uow:
        booking = mediation.book(uow, civic.services, actor=Actor.resident("r-1"), mediator_id=None,
                                 mode="online", starts_at=NOW + dt.timedelta(days=1, minutes=30),
                                 dispute="楼上漏水", other_party_name="李四", now=NOW)
    assert heard(civic, "booking_created") == {(f"staff:{booking.mediator_id}", "mediator", "pending")}


def test_a_follower_hears_status_only_never_notes_names_or_contacts(civic):
    with civic.uow() as uow:
        accounts.register(uow, actor=Actor.resident("r-1"), display_name="张小明", now=NOW)
    case = report(civic, description="张小明家门口3号楼楼道灯坏了")
    follow(civic, case.number)
    worker = staff(civic, case.assignee_id)
    notes = {"contact": "电话联系了张先生", "progress": "师傅下午上门", "resolve": "已换灯泡"}
    for action in ("sign", "contact", "start", "progress", "resolve"):
        move(civic, case.number, worker, action, note=notes.get(action, ""))
    sender = FakeSender()
    dispatch(dispatcher(civic, sender), recipients=["resident:r-1", "resident:r-2"])

    followed = sender.texts("resident:r-2")
    assert len(followed) == 3 and all(case.number in text for text in followed)  # signed, started, resolved
    told = "".join(followed)
    for secret in (*notes.values(), "张", PHONE, "r-1", case.description, case.address):
        assert secret not in told
    assert all(not message.buttons for r, message in sender.sent if r == "resident:r-2")
    own = sender.texts("resident:r-1")
    assert len(own) == 5 and all(note in "".join(own) for note in notes.values())
    [resolved] = [m for r, m in sender.sent if r == "resident:r-1" and "已办结" in m.text]
    assert [b["title"] for b in resolved.buttons] == ["解决了", "没解决"]


def test_notes_full_of_personal_data_reach_every_recipient_masked(civic):
    case = report(civic, description="3号楼2单元501室门口楼道灯坏了，电话13912345678")
    follow(civic, case.number)
    worker = staff(civic, case.assignee_id)
    secrets = ("13912345678", "110101199001011234", "501室", "0571-87654321", "长安街12号")
    move(civic, case.number, worker, "sign")
    move(civic, case.number, worker, "contact",
         note="已联系王阿姨13912345678（身份证110101199001011234），住501室，座机0571-87654321")
    move(civic, case.number, worker, "resolve", note="师傅从长安街12号仓库取了灯泡，已装好")
    sender = FakeSender()
    dispatch(dispatcher(civic, sender))

    own = "".join(sender.texts("resident:r-1"))
    assert "已联系王阿姨139****5678（身份证1101**********1234），住***室，座机0571-****4321" in own
    assert "长安街**号仓库" in own
    for recipient, message in sender.sent:
        assert not any(secret in message.text for secret in secrets), (recipient, message.text)
    assert sender.texts("resident:r-2") and "王阿姨" not in "".join(sender.texts("resident:r-2"))


# --- the dispatcher -------------------------------------------------------------------


def test_each_delivery_is_sent_once_and_marked_sent_only_after_the_sender_accepted_it(civic):
    case = report(civic)
    follow(civic, case.number)
    move(civic, case.number, staff(civic, case.assignee_id), "sign")
    award(civic)
    total = count(civic)
    seen_pending = []

    class Checking(FakeSender):
        async def send(self, recipient, message):
            mine = [r for r in rows(civic) if r["recipient"] == recipient and r["state"] == "pending"]
            seen_pending.append(bool(mine) and mine[0]["lease_until"] is not None)
            await super().send(recipient, message)

    sender = Checking()
    report_ = dispatch(dispatcher(civic, sender))
    assert report_.sent == report_.claimed == total and len(sender.sent) == total
    assert all(seen_pending) and len(seen_pending) == total
    assert {r["state"] for r in rows(civic)} == {"sent"}
    assert all(r["sent_at"] is not None and r["attempts"] == 1 and r["lease_until"] is None
               for r in rows(civic))
    again = dispatch(dispatcher(civic, sender), NOW + dt.timedelta(days=1))
    assert again.claimed == 0 and len(sender.sent) == total


def test_a_failing_sender_is_retried_later_not_before_and_sends_after_recovery(civic):
    award(civic)
    sender = FakeSender()
    sender.fail_times(2)
    d = dispatcher(civic, sender, backoff=dt.timedelta(seconds=10))
    assert dispatch(d).retried == 1
    [row] = rows(civic)
    assert (row["state"], row["attempts"]) == ("pending", 1) and "network down" in row["last_error"]
    assert dispatch(d, NOW + 9 * SECOND).claimed == 0 and len(sender.calls) == 1
    assert dispatch(d, NOW + 10 * SECOND).retried == 1  # the second failure waits twice as long
    assert dispatch(d, NOW + 29 * SECOND).claimed == 0
    done = dispatch(d, NOW + 30 * SECOND)
    assert done.sent == 1 and sender.texts("resident:r-1") and len(sender.calls) == 3
    [row] = rows(civic)
    assert (row["state"], row["attempts"], row["last_error"]) == ("sent", 3, None)


def test_a_recipients_later_notice_waits_behind_one_being_retried(civic):
    award(civic, key="k-1", amount=10)
    award(civic, key="k-2", amount=20)
    award(civic, resident_id="r-2", key="k-3")
    sender = FakeSender()
    sender.fail_times(1, only="resident:r-1")
    d = dispatcher(civic, sender)
    first = dispatch(d)
    assert (first.claimed, first.retried, first.sent) == (2, 1, 1)  # r-1's second is held back
    dispatch(d, NOW + dt.timedelta(minutes=1))
    told = [t.split("（")[0] for t in sender.texts("resident:r-1")]
    assert told == ["您获得 10 志愿积分", "您获得 20 志愿积分"]


def test_a_blocked_recipient_is_marked_blocked_and_not_tried_again(civic):
    award(civic, key="k-1")
    award(civic, resident_id="r-2", key="k-2")
    sender = FakeSender()
    sender.block(only="resident:r-1")
    done = dispatch(dispatcher(civic, sender))
    assert (done.blocked, done.sent) == (1, 1)
    assert {(r["recipient"], r["state"]) for r in rows(civic)} == {("resident:r-1", "blocked"),
                                                                   ("resident:r-2", "sent")}
    sender.recover()
    assert dispatch(dispatcher(civic, sender), NOW + dt.timedelta(days=1)).claimed == 0
    assert sender.calls.count("resident:r-1") == 1


def test_a_delivery_fails_for_good_after_max_attempts_or_at_once_when_permanent(civic):
    award(civic, key="k-1")
    sender = FakeSender()
    sender.fail_always()
    d = dispatcher(civic, sender, max_attempts=3, backoff=SECOND)
    for after in (0, 1, 3, 60):
        dispatch(d, NOW + after * SECOND)
    [row] = rows(civic)
    assert (row["state"], row["attempts"], len(sender.calls)) == ("failed", 3, 3)
    award(civic, key="k-2")
    sender.recover()
    sender.permanent()
    assert dispatch(d, NOW + dt.timedelta(hours=1)).failed == 1
    assert rows(civic)[-1]["state"] == "failed" and "PermanentFailure" in rows(civic)[-1]["last_error"]


def test_retry_after_waits_as_told_and_does_not_count_as_a_failed_attempt(civic):
    award(civic)
    sender = FakeSender()
    sender.retry_after(30)
    d = dispatcher(civic, sender)
    assert dispatch(d).retried == 1
    [row] = rows(civic)
    assert row["attempts"] == 0 and "flood control" in row["last_error"]
    assert dispatch(d, NOW + 29 * SECOND).claimed == 0
    assert dispatch(d, NOW + 30 * SECOND).sent == 1


def test_a_renderer_that_breaks_is_a_failed_attempt_not_a_lost_notice(civic):
    award(civic)

    def broken(due, now):
        raise KeyError("amount")

    sender = FakeSender()
    assert dispatch(Dispatcher(civic, broken, sender)).retried == 1
    assert sender.calls == [] and rows(civic)[0]["state"] == "pending"
    assert dispatch(dispatcher(civic, sender), NOW + dt.timedelta(minutes=5)).sent == 1


def test_the_lease_of_a_crashed_dispatcher_expires_and_another_sends_it(civic):
    award(civic)
    lease = dt.timedelta(minutes=2)
    with civic.engine.begin() as conn:  # a dispatcher claims, maybe sends, and dies
        [crashed] = DeliveryRepository(conn).claim(NOW, lease, 10)
    sender = FakeSender()
    d = dispatcher(civic, sender, lease=lease)
    assert dispatch(d, NOW + dt.timedelta(minutes=1)).claimed == 0  # its lease still holds
    assert dispatch(d, NOW + lease).sent == 1  # at most a duplicate of the one in flight
    with civic.engine.begin() as conn:  # the first one's late verdict changes nothing now
        assert not DeliveryRepository(conn).retry(crashed, NOW + lease, "late")
    assert rows(civic)[0]["state"] == "sent"
    assert dispatch(d, NOW + dt.timedelta(hours=1)).claimed == 0 and len(sender.sent) == 1


def test_recipients_restricts_what_is_sent(civic):
    award(civic, key="k-1")
    award(civic, resident_id="r-2", key="k-2")
    sender = FakeSender()
    done = dispatch(dispatcher(civic, sender), recipients=[resident("r-1")])
    assert done.sent == 1 and [r for r, _ in sender.sent] == ["resident:r-1"]
    assert {(r["recipient"], r["state"]) for r in rows(civic)} == {("resident:r-1", "sent"),
                                                                   ("resident:r-2", "pending")}


def test_two_dispatchers_claiming_at_once_never_send_the_same_delivery_twice(postgres):
    residents = [f"r-{i}" for i in range(20)]
    for i, who in enumerate(residents):
        award(postgres, resident_id=who, key=f"a-{i}", amount=10)
        award(postgres, resident_id=who, key=f"b-{i}", amount=20)

    log = []  # both dispatchers' sends, in the order they happened

    class Slow(FakeSender):
        async def send(self, recipient, message):
            await asyncio.sleep(0.01)  # claims overlap with sends in flight
            await super().send(recipient, message)
            log.append((recipient, message.text))

    senders = [Slow(), Slow()]
    racers = [dispatcher(postgres, s, batch=4, concurrency=4) for s in senders]
    results = run_at_once([lambda d=d: dispatch(d) for d in racers])
    assert not any(isinstance(r, Exception) for r in results), results
    sent = [(r, m.text) for s in senders for r, m in s.sent]
    assert len(sent) == len(set(sent)) == 2 * len(residents)
    assert sum(r.sent for r in results) == 2 * len(residents)
    assert {r["state"] for r in rows(postgres)} == {"sent"}
    for who in residents:  # each resident's two notices in order, whoever sent them
        mine = [text for r, text in log if r == resident(who)]
        assert "获得 10 " in mine[0] and "获得 20 " in mine[1]

