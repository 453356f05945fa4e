"""删除我的数据: the resident's name, phone and address planted in every kind of record,
then searched for in every table after the erasure (SQLite and PostgreSQL)."""
import datetime as dt
import json

from sqlalchemy import String, Text, insert, select

from civic.adapters.deliveries_repository import Due
from civic.adapters.tables import deliveries, metadata, outbox
from civic.adapters.tables_channels import inbox
from civic.domain.actors import Actor
from civic.domain.points import Reward
from civic.services import accounts, erasure, evidence, handoff, mediation, points
from civic.services import cases as handlers
from civic.services.cases import SHANGHAI
from civic.services.commands import handle, named
from bot.buttons import DIALOGUE, ButtonCodec
from bot.notices import render

NOW = dt.datetime(2026, 11, 18, 2, 0, tzinfo=dt.timezone.utc)  # Wednesday 10:00 Shanghai
ME = Actor.resident("7301")
NEIGHBOUR = Actor.resident("7302")
CENTRE = Actor("cc-liang", "command_centre")
NAME, PHONE, DOOR = "张秀英", "13912345678", "和平里5号楼2单元501室"
OTHER_NAME, OTHER_PHONE = "李建国", "13787654321"
PLANTED = (NAME, PHONE, "139 1234 5678", "501室", OTHER_NAME, OTHER_PHONE)


def later(minutes):
    return NOW + dt.timedelta(minutes=minutes)


def plant_everything(civic):
    """The resident's identifiers in a profile, cases, notes, a followed case, a handoff,
    bookings, the points ledger, a redemption, photos, buttons and the inbox."""
    with civic.uow() as uow:
        accounts.register(uow, actor=ME, display_name=NAME, now=NOW)
    with civic.uow() as uow:
        accounts.change_address(uow, actor=ME, address=DOOR)
    with civic.uow() as uow:
        accounts.set_phone(uow, actor=ME, phone=PHONE)
    with civic.uow() as uow:
        mine = handlers.report_case(
            uow, civic.services, actor=ME, category="repair", address=DOOR, now=NOW, contact_phone=PHONE,
            description=f"我是{NAME}，电话139 1234 5678，{DOOR}门口的楼道灯坏了").case
    with civic.uow() as uow:
        evidence.attach_photo(uow, actor=ME, file_id="AgAD-erase-1", now=later(1))
    with civic.uow() as uow:
        theirs = handlers.report_case(uow, civic.services, actor=NEIGHBOUR, category="environment",
                                      description="和平里5号楼垃圾堆了三天没人清", address="和平里5号楼",
                                      now=later(2)).case
    with civic.uow() as uow:
        handlers.follow_case(uow, actor=ME, number=theirs.number, now=later(3))
    assignee = handlers.staff_actor(civic.services.district, mine.assignee_id)
    for move, note in (("sign", ""), ("contact", f"已电话联系{NAME}（{PHONE}），约好明早上门"),
                       ("progress", f"{NAME}家门口的灯已换新")):
        with civic.uow() as uow:
            handle(uow, civic.services, named(move, number=mine.number, actor=assignee, now=later(10),
                                              note=note))
    with civic.uow() as uow:
        handle(uow, civic.services, named("hurry", number=mine.number, actor=ME, now=later(20)))
    with civic.uow() as uow:
        handoff.request_handoff(uow, civic.services, actor=ME, reason="asked", now=later(30),
                                summary=f"我叫{NAME}，手机{PHONE}，想找人问问")
    with civic.uow() as uow:
        handoff.relay_from_resident(uow, actor=ME, text=f"我住{DOOR}，电话{PHONE}", now=later(31))
    with civic.uow() as uow:
        handoff.reply_from_staff(uow, civic.services, actor=CENTRE, resident_id=ME.id, now=later(32),
                                 text=f"{NAME}您好，我们记下了")
    thursday = dt.datetime(2026, 11, 19, 9, 30, tzinfo=SHANGHAI)
    with civic.uow() as uow:
        booking = mediation.book(uow, civic.services, actor=ME, mediator_id=None, mode="in_person",
                                 starts_at=thursday, now=later(40), other_party_name=OTHER_NAME,
                                 other_party_phone=OTHER_PHONE, dispute=f"楼上{OTHER_NAME}家漏水到{DOOR}")
    with civic.uow() as uow:
        points.sync_catalogue(uow, [Reward("towel", "毛巾", 20, 5)])
    with civic.uow() as uow:
        points.award(uow, civic.services, actor=CENTRE, resident_id=ME.id, kind="public_virtue", amount=50,
                     reason=f"{NAME}帮邻居找回钱包", key="erase-1", now=later(50))
    with civic.uow() as uow:
        points.redeem(uow, actor=ME, resident_id=ME.id, reward_id="towel", now=later(51))
    ButtonCodec(civic.engine).offer(ME.id, [[{"title": f"用 {PHONE}", "payload": "/inform"}]],
                                    kind=DIALOGUE, now=later(60))
    with civic.engine.begin() as conn:
        conn.execute(insert(inbox).values(update_id=880001, chat_id=ME.id, received_at=later(61), state="failed",
                                          attempts=3, body=json.dumps({"text": f"{NAME} {PHONE}"}),
                                          error=f"failed on {PHONE}"))
        conn.execute(insert(inbox).values(update_id=880002, chat_id=ME.id, received_at=later(62), state="done",
                                          attempts=1, body=None))
    return mine, theirs, booking


def every_text(civic) -> list[tuple[str, str, str]]:
    """(table, column, value) of every text cell of every table."""
    found = []
    with civic.engine.connect() as conn:
        for table in metadata.sorted_tables:
            columns = [c for c in table.columns if isinstance(c.type, (String, Text))]
            if not columns:
                continue
            for row in conn.execute(select(*columns)):
                found += [(table.name, c.name, v) for c, v in zip(columns, row) if isinstance(v, str)]
    return found


def erase(civic, now=later(90)):
    with civic.uow() as uow:
        return erasure.erase_my_data(uow, civic.services, actor=ME, now=now)


def test_after_erasure_no_table_holds_the_residents_name_phone_address_or_id(civic):
    mine, theirs, booking = plant_everything(civic)
    planted = every_text(civic)
    for word in PLANTED + (ME.id,):  # the test plants what it looks for
        assert any(word in value for _, _, value in planted), word

    erased = erase(civic)

    assert (erased.cases, erased.bookings_cancelled, erased.points_balance) == (1, 1, 30)
    left = [(table, column, value) for table, column, value in every_text(civic)
            if any(word in value for word in PLANTED)
            or (value == ME.id or value == f"resident:{ME.id}") and table != "erasures"]
    assert left == []


def test_the_street_office_keeps_the_work_without_the_resident(civic):
    mine, theirs, booking = plant_everything(civic)
    erase(civic)
    with civic.uow() as uow:
        kept = uow.cases.get(mine.number)
        followed = uow.cases.get(theirs.number)
        record = uow.erasure.erased_at(ME.id)
        cancelled = uow.bookings.get(booking.id)
        marker = kept.reporter_id
        assert uow.points.balance(marker) == 30  # the ledger still adds up, under the marker
        assert handlers.my_cases(uow, actor=ME) == []
        assert mediation.bookings_for(uow, actor=ME) == []
        assert accounts.profile(uow, actor=ME) is None
    assert marker.startswith("erased:") and marker in followed.followers
    assert kept.state.value == "accepted" and kept.address == "和平里" and kept.contact_phone is None
    assert "楼道灯坏了" in kept.description
    assert all(h.actor_id != ME.id for h in kept.history)
    assert cancelled.state == "cancelled" and cancelled.resident_id == marker
    assert [r.replace(tzinfo=None) for r in record] == [later(90).replace(tzinfo=None)]


def test_the_mediator_is_told_of_the_cancelled_booking_and_the_resident_of_nothing(civic):
    plant_everything(civic)
    erase(civic)
    with civic.engine.connect() as conn:
        rows = conn.execute(select(deliveries.c.recipient, deliveries.c.audience, outbox.c.payload)
                            .join(outbox, outbox.c.id == deliveries.c.event_id)
                            .where(outbox.c.name == "booking_cancelled")).all()
    assert [r.recipient.partition(":")[0] for r in rows] == ["staff"]
    due = Due(1, rows[0].recipient, rows[0].audience, 0, later(91), "booking_cancelled", None, later(90),
              json.loads(rows[0].payload))
    said = render(due, later(91), civic.services.district).text
    assert "居民删除了个人数据" in said and OTHER_NAME not in said and NAME not in said


def test_a_later_message_starts_a_new_empty_profile_and_the_erasure_stays_recorded(civic):
    plant_everything(civic)
    erase(civic)
    with civic.uow() as uow:
        again = accounts.register(uow, actor=ME, display_name=None, now=later(120))
    with civic.uow() as uow:
        assert (again.display_name, again.household_address, again.phone) == (None, None, None)
        assert len(uow.erasure.erased_at(ME.id)) == 1
        assert handlers.my_cases(uow, actor=ME) == []
        assert points.balance(uow, ME.id, actor=ME) == 0
