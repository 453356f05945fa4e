"""Every text a person reads is Chinese: no identifier leaks into it.

Gathers what residents and staff read: every constant, table and template of the
messages module (actions/texts.py), rendered with the district's words and sample
values; every delivery rendered for every (event, audience) of the registry, from the
scenario that produces every event (tests/integration/test_event_registry.py); and
the notes the services write into case histories and events in that scenario. None
may contain an ASCII word such as "sign" or "triage" (an escalation note once read
"超时未sign、contact").
"""
from __future__ import annotations

import asyncio
import json
import re
import string

import pytest
from sqlalchemy import select

from actions import texts
from bot import notices
from bot.dispatcher import Dispatcher
from bot.senders import FakeSender
from civic.adapters.tables import case_history, outbox
from civic.domain import events as ev
from test_event_registry import DAY, NOW, scenario, store  # noqa: F401  (store is a fixture)

IDENTIFIER = re.compile(r"[A-Za-z_]{3,}")
# ASCII a person reads on purpose, each for a reason; kept as small as it can be.
ALLOWED = {
    "/start": "the Telegram command that shows the welcome again: residents type it",
    # The staff's own commands, typed by staff (bot/telegram/staff.py); longest first.
    "/bookings": "a mediator's bookings of today and tomorrow",
    "/points award": "staff award points", "/points reverse": "staff reverse points",
    "/points": "the points command", "/cases": "a staff member's open cases",
    "/case": "one case by number", "/rates": "三率 of one's scope", "/code": "a link code (command centre)",
    "/done": "ends a handoff in its topic", "/link": "links a staff member's Telegram",
}
SAMPLE = "样例"
# Events whose "reason" is words (elsewhere, as for a handoff, it is a code with words
# of its own in the messages module).
FREE_REASONS = {ev.BOOKING_CANCELLED, ev.POINTS_AWARDED, ev.POINTS_REVERSED}


def leaks(text: str) -> list[str]:
    for allowed in ALLOWED:
        text = text.replace(allowed, "")
    return IDENTIFIER.findall(text)


def test_the_check_catches_the_escalation_note_it_was_written_for():
    assert leaks("超时未sign、contact") == ["sign", "contact"]
    assert leaks("【工单 20261118-0001】已办结。发 /start 看说明") == []


def render(template: str, district) -> str:
    """A template with the district's words and a sample for every other placeholder
    (a number where the placeholder formats one, as {lat:.5f})."""
    words = texts.district_words(district)
    values = {field: words.get(field, 1.0 if spec else SAMPLE)
              for _, field, spec, _ in string.Formatter().parse(template) if field}
    return template.format(**values)


def readable(where: str, value):
    """(where, text) for every string in a constant: table values, not their keys (codes)."""
    if isinstance(value, str):
        yield where, value
    elif isinstance(value, dict):
        for key, item in value.items():
            yield from readable(f"{where}[{key!r}]", item)
    elif isinstance(value, (tuple, list)):
        for index, item in enumerate(value):
            yield from readable(f"{where}[{index}]", item)


def module_texts(district) -> list[tuple[str, str]]:
    found = []
    for name, value in vars(texts).items():
        if name.isupper():
            found += [(where, render(text, district)) for where, text in readable(name, value)]
    return found


def test_the_messages_module_has_no_identifier_in_any_text(services):
    found = module_texts(services.district)
    assert len(found) > 200  # the whole module, not a part of it
    assert {where: leaks(text) for where, text in found if leaks(text)} == {}


def test_the_district_words_are_the_district_files(services):
    words = texts.district_words(services.district)
    assert words["street"] == services.district.street_name
    assert words["hours"] == "上午8:30—12:00、下午13:30—17:30"
    assert words["slot"] == "1小时"
    assert not leaks("".join(words.values()))


@pytest.mark.parametrize("minutes, said", [(60, "1小时"), (90, "1小时30分钟"), (45, "45分钟"),
                                           (120, "2小时")])
def test_a_slot_length_reads_as_hours_and_minutes(minutes, said):
    assert texts.duration(minutes) == said


def codes_and_words():
    """(the codes a person may be shown the words of, the table of those words)."""
    from civic.domain import district, mediation, notes, routing
    from civic.domain.case import State
    from civic.domain.deadlines import Tier
    from civic.services import handoff
    from civic.services.cases import PUBLIC_ACTIONS

    refusals = {kind.reason for kind in mediation.Unbookable.__subclasses__()}
    reasons = {routing.TRIAGE, routing.CATEGORY, routing.ON_DUTY, routing.SAFETY, routing.FALLBACK}
    return [
        (set(district.CATEGORIES), texts.CATEGORIES), (set(district.ROLES), texts.ROLES),
        ({s.value for s in State}, texts.STATES), (set(PUBLIC_ACTIONS), texts.ACTIONS),
        (set(notes.STEPS), texts.STEPS), (set(notes.STEPS), texts.CARD_STEPS),
        (set(district.SPECIALITIES), texts.SPECIALITIES), (set(mediation.MODES), texts.MODES),
        (set(mediation.MODES), texts.MODE_BUTTONS), (set(mediation.OUTCOMES), texts.OUTCOMES),
        ({t.value for t in Tier}, texts.TIERS), (set(handoff.SATISFACTION), texts.SATISFACTION),
        (set(handoff.REASONS), texts.HANDOFF_REASONS), (refusals, texts.SLOT_REFUSED),
        (reasons, notes.ROUTED),
    ]


def test_every_code_a_person_may_be_shown_has_words():
    # A code without words would be shown as it is ("photo", "triage"): the tables'
    # fallbacks are for data from an older version, not for codes of this one.
    assert [sorted(codes - set(table)) for codes, table in codes_and_words() if codes - set(table)] == []


def references(store) -> set[str]:
    """What a person copies rather than reads: booking numbers and pick-up codes."""
    with store.engine.connect() as conn:
        payloads = conn.execute(select(outbox.c.payload)).scalars().all()
    found = set()
    for payload in payloads:
        data = json.loads(payload)
        found |= {str(data[key]) for key in ("booking_id", "code") if data.get(key)}
    return found


def test_every_delivery_and_every_note_the_services_write_is_chinese(store):
    scenario(store)
    with store.engine.connect() as conn:
        notes = set(conn.execute(select(case_history.c.note)).scalars())
        events = conn.execute(select(outbox.c.name, outbox.c.payload)).all()
    for name, payload in events:
        data = json.loads(payload)
        notes |= {str(data.get(key) or "") for key in ("note", "summary")}
        if name in FREE_REASONS:
            notes.add(str(data.get("reason") or ""))
    sender = FakeSender()
    asyncio.run(Dispatcher(store, notices.Renderer(store.services.district), sender)
                .dispatch_once(NOW + 30 * DAY))
    said = [message.text for _, message in sender.sent]
    said += [button["title"] if isinstance(button, dict) else button.title
             for _, message in sender.sent for button in message.buttons]
    assert len(sender.sent) >= len(ev.DELIVERED)

    hidden = references(store)

    def clean(text: str) -> str:
        for reference in hidden:
            text = text.replace(reference, "")
        return text

    assert sorted(note for note in notes if leaks(note)) == [], sorted(note for note in notes if leaks(note))
    assert sorted(text for text in said if leaks(clean(text))) == []
