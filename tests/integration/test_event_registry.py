"""The event registry against what the real services produce.

One scenario through the services on a SQLite store produces every event the system
can: a whole case life cycle with each move, a follower, a rating that reopens,
merge, reject and withdraw, deadlines that escalate to the top and close an unrated
case, mediation bookings changed, cancelled and concluded, points awarded, reversed,
redeemed and collected, staff accounts linked, a handoff requested and ended by staff, the
scheduler's reminders and weekly report. Then: every produced name
is registered; every registered name (so everything the renderer and the recipients
rules consume) is produced; every delivery made has words, and all of them render
and reach a sender.
"""
import asyncio
import datetime as dt
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import select

from bot import notices
from bot.dispatcher import Dispatcher
from bot.senders import FakeSender
from civic.adapters import migrate
from civic.adapters.database import make_engine
from civic.adapters.tables import deliveries, outbox
from civic.bootstrap import Civic
from civic.domain import events as ev
from civic.domain import recipients as rules
from civic.domain.actors import Actor
from civic.domain.points import Reward
from civic.services import accounts, cases, commands, evidence, handoff, mediation, points
from civic.services import reminders, reports  # the scheduler's jobs

SHANGHAI = ZoneInfo("Asia/Shanghai")
NOW = dt.datetime(2026, 11, 18, 2, 0, tzinfo=dt.timezone.utc)  # Wednesday 10:00 Shanghai
HOUR, DAY = dt.timedelta(hours=1), dt.timedelta(days=1)


@pytest.fixture
def store(tmp_path, services):
    engine = make_engine(f"sqlite:///{tmp_path / 'civic.db'}")
    migrate.upgrade(engine)
    yield Civic(engine=engine, services=services)
    engine.dispose()


def scenario(civic) -> None:
    district = civic.services.district

    def staff(staff_id):
        return cases.staff_actor(district, staff_id)

    def report(reporter, description, address, now=NOW):
        with civic.uow() as uow:
            return cases.report_case(uow, civic.services, actor=Actor.resident(reporter),
                                     category="repair", description=description, address=address,
                                     now=now, contact_phone="13812345678", file_anyway=True).case

    def move(number, actor, action, now=NOW, note="", **kw):
        with civic.uow() as uow:
            command = commands.named(action, number=number, actor=actor, now=now, note=note, **kw)
            return commands.handle(uow, civic.services, command).case

    def rate(number, solved, satisfaction, now):
        return move(number, Actor.resident("r-1"), "rate", now=now, note="灯还是不亮",
                    solved=solved, satisfaction=satisfaction)

    leader, centre = staff("gl-wangjiang"), staff("cc-liang")
    # A: the whole life cycle, with a follower.
    a = report("r-1", "望江花园3号楼楼道灯坏了", "望江花园3号楼")
    with civic.uow() as uow:
        cases.follow_case(uow, actor=Actor.resident("r-2"), number=a.number, now=NOW)
    worker = staff(a.assignee_id)
    move(a.number, worker, "sign")
    move(a.number, worker, "contact", note="电话联系了居民")
    move(a.number, worker, "start")
    move(a.number, worker, "progress", note="已订配件")
    move(a.number, leader, "extend", new_due=NOW + 10 * DAY, note="等配件")
    move(a.number, Actor.resident("r-1"), "detail", note="二楼和三楼之间")
    with civic.uow() as uow:
        evidence.attach_photo(uow, actor=Actor.resident("r-1"), file_id="AgACAgUAAxkBAAIB", now=NOW)
    move(a.number, Actor.resident("r-2"), "hurry", now=NOW + HOUR)
    move(a.number, leader, "escalate", note="居民着急")
    a = move(a.number, leader, "resolve", note="已换灯泡")
    a = rate(a.number, False, "dissatisfied", NOW + 2 * HOUR)  # reopened, routed again
    move(a.number, staff(a.assignee_id), "sign", now=NOW + 3 * HOUR)
    move(a.number, staff(a.assignee_id), "resolve", now=NOW + 4 * HOUR, note="换了整条线路")
    rate(a.number, True, "satisfied", NOW + 5 * HOUR)
    # B: returned, reassigned, withdrawn.
    b = report("r-3", "清溪路18号井盖松了", "清溪路18号")
    move(b.number, staff(b.assignee_id), "return", note="不归物业管")
    move(b.number, centre, "reassign", assignee_id="gw-wj-01", note="改派网格员")
    move(b.number, Actor.resident("r-3"), "withdraw", note="已经修好了")
    # C merged into A, D rejected.
    c = report("r-4", "望江花园3号楼灯不亮", "望江花园3号楼")
    move(c.number, centre, "merge", into=a.number, note="同一件事")
    d = report("r-5", "我家电视坏了", "望江花园5号楼")
    move(d.number, centre, "reject", note="属于个人家电维修")
    # E resolved and never rated; F left alone until it reaches the command centre.
    e = report("r-6", "望江花园6号楼门禁坏了", "望江花园6号楼")
    move(e.number, staff(e.assignee_id), "sign")
    move(e.number, staff(e.assignee_id), "resolve", note="已修好门禁")
    report("r-7", "望江花园7号楼路灯不亮", "望江花园7号楼")
    # The scheduler: F's contact deadline comes near (Thursday 10:00); E waits for a rating.
    for service, at in ((reminders.deadline_reminders, NOW + 23 * HOUR), (reminders.rating_reminders, NOW + 25 * HOUR)):
        with civic.uow() as uow:
            service(uow, civic.services, at)
    for late in (NOW + 8 * DAY, NOW + 9 * DAY):
        with civic.uow() as uow:
            commands.check_deadlines(uow, civic.services, late)

    # Mediation: booked, rescheduled, cancelled by the mediator; another concluded.
    thursday = dt.datetime(2026, 11, 19, 9, 30, tzinfo=SHANGHAI)
    r1 = Actor.resident("r-1")
    with civic.uow() as uow:
        booking = mediation.book(uow, civic.services, actor=r1, mediator_id=None, mode="online",
                                 starts_at=thursday, dispute="楼上漏水", other_party_name="李四",
                                 now=NOW)
    with civic.uow() as uow:
        mediation.reschedule(uow, civic.services, actor=r1, booking_id=booking.id,
                             starts_at=thursday + HOUR, now=NOW)
    with civic.uow() as uow:
        mediation.cancel(uow, civic.services, actor=staff(booking.mediator_id), booking_id=booking.id,
                         now=NOW, reason="调解员出差")
    with civic.uow() as uow:
        other = mediation.book(uow, civic.services, actor=r1, mediator_id=None, mode="online",
                               starts_at=thursday, dispute="噪音纠纷", other_party_name="王五", now=NOW)
    with civic.uow() as uow:  # an hour before it, resident and mediator are reminded
        reminders.booking_reminders(uow, civic.services, thursday - 50 * dt.timedelta(minutes=1))
    with civic.uow() as uow:
        mediation.record_outcome(uow, civic.services, actor=centre, booking_id=other.id,
                                 outcome="settled", now=thursday + 2 * HOUR)

    # Points: awarded, reversed in part, redeemed, collected.
    with civic.uow() as uow:
        points.sync_catalogue(uow, [Reward("towel", "毛巾", 20, 5)])
    desk = staff("gw-wj-01")
    with civic.uow() as uow:  # points go to residents who talked to the bot (r-1 reported in WJ-01)
        accounts.register(uow, actor=r1, display_name=None, now=NOW)
    with civic.uow() as uow:
        entry = points.award(uow, civic.services, actor=desk, resident_id="r-1", kind="public_virtue",
                             amount=50, reason="社区清洁", key="a-1", now=NOW)
    with civic.uow() as uow:
        points.reverse(uow, civic.services, actor=desk, resident_id="r-1", entry_id=entry.id, amount=5,
                       reason="重复登记", key="r-1", now=NOW)
    with civic.uow() as uow:
        redemption = points.redeem(uow, actor=r1, resident_id="r-1", reward_id="towel", now=NOW)
    with civic.uow() as uow:
        points.mark_collected(uow, actor=desk, code=redemption.code, now=NOW + DAY)

    # Accounts and a handoff.
    with civic.uow() as uow:
        code = accounts.issue_link_code(uow, civic.services, actor=centre, staff_id="gw-wj-02", now=NOW)
    with civic.uow() as uow:
        accounts.link_staff(uow, civic.services, telegram_id=4242, code=code.code, now=NOW)
    with civic.uow() as uow:
        handoff.request_handoff(uow, civic.services, actor=Actor.resident("r-8"), reason="asked",
                                summary="我的电话13812345678，想找人问问", now=NOW)
    with civic.uow() as uow:
        handoff.reply_from_staff(uow, civic.services, actor=centre, resident_id="r-8",
                                 text="您好，低保请带户口本到社区办理", now=NOW + HOUR)
    with civic.uow() as uow:
        handoff.end_handoff(uow, actor=centre, now=NOW + HOUR, resident_id="r-8")
    with civic.uow() as uow:  # Monday's 三率 for the command centre
        reports.weekly_rates(uow, civic.services, NOW + 5 * DAY)


def test_the_registry_is_exactly_what_the_services_produce_and_every_delivery_has_words(store):
    scenario(store)
    with store.engine.connect() as conn:
        produced = set(conn.execute(select(outbox.c.name)).scalars())
        made = conn.execute(select(outbox.c.name, deliveries.c.audience, deliveries.c.recipient)
                            .join(outbox, outbox.c.id == deliveries.c.event_id)).all()

    assert produced <= set(ev.REGISTRY), produced - set(ev.REGISTRY)
    # Everything registered is produced, so nothing the renderer or the recipient rules
    # consume (all of it registered: see below) waits for an event that never comes.
    assert set(ev.REGISTRY) == produced
    consumed = {name for name, _ in notices.WORDS} | {name for name, _ in rules.RULES}
    assert consumed <= produced

    # Words for every audience of every delivered event, and none for anyone else.
    wanted = {(name, audience) for name in ev.DELIVERED for audience in ev.REGISTRY[name].audiences}
    assert set(notices.WORDS) == wanted
    # Each delivered kind reached someone in the scenario, in a registered audience.
    assert {name for name, _, _ in made} == (ev.DELIVERED & produced)
    assert all(audience in ev.REGISTRY[name].audiences for name, audience, _ in made)
    assert all(ev.KIND_OF_AUDIENCE[audience] == rules.kind_of(address) for _, audience, address in made)

    sender = FakeSender()
    dispatcher = Dispatcher(store, notices.Renderer(store.services.district), sender)
    report = asyncio.run(dispatcher.dispatch_once(NOW + 30 * DAY))
    assert (report.sent, report.retried, report.failed, report.blocked) == (len(made), 0, 0, 0)
    assert all(message.text.strip() for _, message in sender.sent)
    centre = sender.texts(rules.CENTRE_DESK)
    # The full phone only in the private message that gives a case to its handler.
    full = [(recipient, message.text) for recipient, message in sender.sent if "13812345678" in message.text]
    assert full and all(recipient.startswith("staff:") and "居民电话：13812345678" in text
                        for recipient, text in full)
    assert any("138****5678" in text for text in centre)  # the handoff summary, masked
