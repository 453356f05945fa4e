"""Helpers for the action tests: trackers with a pinned clock, running actions, reading
replies and events, and small store helpers (report, move, staff, award, ...)."""
from __future__ import annotations

import asyncio
import datetime as dt
import inspect
from zoneinfo import ZoneInfo

from rasa_sdk import Tracker

from civic.domain.actors import Actor
from civic.services import accounts
from civic.services import cases as case_handlers
from civic.services import commands
from civic.services import points as points_handlers

SHANGHAI = ZoneInfo("Asia/Shanghai")
NOW = "2026-11-18T10:00:00+08:00"          # Wednesday, office time
SATURDAY_NIGHT = "2026-11-21T22:00:00+08:00"  # Saturday 22:00, no office
RESIDENT = "r-1"


def make_tracker(text: str = "", intent: str | None = None, entities: list | None = None,
                 slots: dict | None = None, active_loop: str | None = None,
                 requested_slot: str | None = None, now: str | None = NOW,
                 sender_id: str = RESIDENT, events: list | None = None,
                 intent_ranking: list | None = None, candidates: dict | None = None) -> Tracker:
    """A tracker whose latest message is ``text`` (with intent and entities), sent at ``now``.

    ``events`` come before the latest message; ``candidates`` are slot values the form
    extracted from it (set after it, as Rasa does before calling a form validator).
    """
    metadata = {"now": now} if now else {}
    intent_name = intent or ("inform" if text else None)
    parse = {"text": text, "intent": {"name": intent_name, "confidence": 0.9} if intent_name else {},
             "entities": list(entities or []), "metadata": metadata,
             "intent_ranking": intent_ranking or ([{"name": intent_name, "confidence": 0.9}]
                                                  if intent_name else [])}
    slot_values = dict(slots or {})
    if requested_slot is not None:
        slot_values["requested_slot"] = requested_slot
    user_event = {"event": "user", "text": text, "parse_data": parse, "metadata": metadata,
                  "timestamp": 0}
    history = list(events or []) + [user_event]
    for name, value in (candidates or {}).items():
        slot_values[name] = value
        history.append({"event": "slot", "name": name, "value": value, "timestamp": 0})
    return Tracker(sender_id, slot_values, parse, history, False, None,
                   {"name": active_loop} if active_loop else {}, "action_listen")


def user_event(text: str, intent: str, now: str = NOW) -> dict:
    parse = {"text": text, "intent": {"name": intent, "confidence": 0.9}, "entities": [],
             "metadata": {"now": now}}
    return {"event": "user", "text": text, "parse_data": parse, "metadata": {"now": now},
            "timestamp": 0}


def run(action, dispatcher, tracker, domain) -> list[dict]:
    """Run an action (sync or async) and return its events."""
    result = action.run(dispatcher, tracker, domain)
    if inspect.isawaitable(result):
        result = asyncio.run(result)
    return result


def call(awaitable):
    return asyncio.run(awaitable) if inspect.isawaitable(awaitable) else awaitable


# --- reading the replies and events -------------------------------------------------------


def texts(dispatcher) -> str:
    return "\n".join(m.get("text") or "" for m in dispatcher.messages)


def buttons(dispatcher) -> list[dict]:
    return [b for m in dispatcher.messages for b in (m.get("buttons") or [])]


def payloads(dispatcher) -> list[str]:
    return [b["payload"] for b in buttons(dispatcher)]


def slot_events(events) -> dict:
    """The last value each SlotSet event gives a slot."""
    return {e["name"]: e["value"] for e in events if e.get("event") == "slot"}


def pick(value: str) -> list[dict]:
    return [{"entity": "choice", "value": value}]


def ent(name: str, value: str) -> dict:
    return {"entity": name, "value": value}


# --- store helpers -----------------------------------------------------------------------


def at(text: str) -> dt.datetime:
    return dt.datetime.fromisoformat(text).astimezone(dt.timezone.utc)


def report(civic, reporter=RESIDENT, description="望江花园3号楼楼道灯坏了", address="望江花园3号楼",
           category="repair", now=NOW, **kw):
    """A case filed straight in the store (file_anyway: the tests choose their duplicates)."""
    kw.setdefault("file_anyway", True)
    with civic.uow() as uow:
        return case_handlers.report_case(uow, civic.services, actor=Actor.resident(reporter),
                                         category=category, description=description,
                                         address=address, now=at(now), **kw).case


def move(civic, number, actor, action, now=NOW, **kw):
    with civic.uow() as uow:
        return commands.handle(uow, civic.services, commands.named(
            action, number=number, actor=actor, now=at(now), **kw)).case


def staff(civic, staff_id):
    return case_handlers.staff_actor(civic.services.district, staff_id)


def stored_case(civic, number):
    with civic.uow() as uow:
        return uow.cases.get(number)


def resolve(civic, number, now=NOW):
    case = stored_case(civic, number)
    worker = staff(civic, case.assignee_id)
    move(civic, number, worker, "sign", now=now)
    move(civic, number, worker, "resolve", now=now, note="已处理")
    return stored_case(civic, number)


def award(civic, resident=RESIDENT, amount=100, key="k-1", reason="协助疏导交通", now=NOW):
    """Points from the grid worker of WJ-01 (grid workers may award points) to a resident
    who talked to the bot and lives in WJ-01 (望江花园3号楼)."""
    with civic.uow() as uow:
        accounts.register(uow, actor=Actor.resident(resident), display_name=None, now=at(now))
    with civic.uow() as uow:
        accounts.change_address(uow, actor=Actor.resident(resident), address="望江花园3号楼")
    with civic.uow() as uow:
        return points_handlers.award(uow, civic.services, actor=staff(civic, "gw-wj-01"),
                                     resident_id=resident, kind="public_virtue", amount=amount,
                                     reason=reason, key=key, now=at(now))


def balance(civic, resident=RESIDENT):
    with civic.uow() as uow:
        return points_handlers.balance(uow, resident, actor=Actor.resident(resident))


def outbox(civic, name=None):
    from sqlalchemy import select

    from civic.adapters.tables import outbox as table

    with civic.engine.connect() as conn:
        rows = conn.execute(select(table.c.name, table.c.case_number, table.c.payload)
                            .order_by(table.c.id)).all()
    return [r for r in rows if name is None or r.name == name]


def set_profile(civic, resident=RESIDENT, address=None, phone=None, now=NOW):
    from civic.services import accounts

    actor = Actor.resident(resident)
    with civic.uow() as uow:
        accounts.register(uow, actor=actor, display_name=None, now=at(now))
    if address:
        with civic.uow() as uow:
            accounts.change_address(uow, actor=actor, address=address)
    if phone:
        with civic.uow() as uow:
            accounts.set_phone(uow, actor=actor, phone=phone)


def profile_of(civic, resident=RESIDENT):
    with civic.uow() as uow:
        return uow.accounts.resident(resident)


def my_case_numbers(civic, resident=RESIDENT):
    with civic.uow() as uow:
        return [(v.number, v.own) for v in case_handlers.my_cases(uow, actor=Actor.resident(resident))]


def staff_names_and_phones(civic) -> list[str]:
    return [s for staff in civic.services.district.staff.values() for s in (staff.name, staff.phone_masked) if s]
