"""Rule-based entities (address, time, phone, case_id) and their merge with the model's."""
from __future__ import annotations

import datetime as dt
import re
from zoneinfo import ZoneInfo

from nlu.address import could_name_a_place, find_addresses
from nlu.timeparse import find_times

SHANGHAI = ZoneInfo("Asia/Shanghai")

_PHONE = re.compile(r"(?<![\d-])(?:\+?86[ -]?)?(1[3-9]\d(?:[ -]?\d){8})(?![\d-])")
_CJK = re.compile(r"[\u4e00-\u9fff]")
# A case number as the bot writes it (20261128-0001), or typed with another dash, a space,
# an underscore or nothing between its date and its four-digit sequence (202611280001).
_CASE_ID = re.compile(r"(?<!\d)(\d{8})(?:-(\d{4,})|(?:[—–_ ]|)(\d{4}))(?!\d)")


def local_now(now: dt.datetime | None = None) -> dt.datetime:
    """Naive Asia/Shanghai wall-clock time, whatever the machine's zone."""
    now = now or dt.datetime.now(dt.timezone.utc)
    if now.tzinfo is not None:
        now = now.astimezone(SHANGHAI).replace(tzinfo=None)
    return now


def find_phones(text: str) -> list[dict]:
    return [
        _entity("phone", m.start(), m.end(), re.sub(r"\D", "", m.group(1)))
        for m in _PHONE.finditer(text)
    ]


def find_case_ids(text: str) -> list[dict]:
    found = []
    for match in _CASE_ID.finditer(text):
        try:
            dt.datetime.strptime(match.group(1), "%Y%m%d")
        except ValueError:
            continue
        number = f"{match.group(1)}-{match.group(2) or match.group(3)}"
        found.append(_entity("case_id", match.start(), match.end(), number))
    return found


def rule_entities(text: str, now: dt.datetime | None = None) -> list[dict]:
    """All rule entities in normalised text; earlier kinds win where spans overlap."""
    now = local_now(now)
    found: list[dict] = []
    for candidate in (
        find_case_ids(text)
        + find_phones(text)
        + [_entity("address", a.start, a.end, a.value) for a in find_addresses(text)]
        + [_time_entity(t) for t in find_times(text, now)]
    ):
        if not any(_overlaps(candidate, kept) for kept in found):
            found.append(candidate)
    return sorted(found, key=lambda e: e["start"])


def merge(model_entities: list[dict], rules: list[dict]) -> list[dict]:
    """Rule entities, plus model entities that no rule entity overlaps.

    Where both find a span the rule's value wins: it is normalised and resolved.
    Only a house number said alone (2号楼) gives way to a model address that adds
    a name before it (星河湾2号楼), since rules know no name there.
    """
    model = [e for e in model_entities if _plausible(e)]
    named = [e for e in model if any(_names_house_number(e, r) for r in rules)]
    rules = [r for r in rules if not any(_names_house_number(e, r) for e in named)]
    kept = named + [e for e in model if e not in named and not any(_overlaps(e, r) for r in rules)]
    return sorted(rules + kept, key=lambda e: e["start"])


def _names_house_number(model: dict, rule: dict) -> bool:
    """The model's address is a name followed by the rule's bare house number."""
    if model.get("entity") != "address" or rule["entity"] != "address":
        return False
    if not rule["value"][:1].isdigit() and not rule["value"].startswith("第"):
        return False
    if not (model["start"] < rule["start"] and rule["end"] <= model["end"]):
        return False
    prefix = str(model.get("value", ""))[:rule["start"] - model["start"]]
    return could_name_a_place(prefix)


def _plausible(entity: dict) -> bool:
    """A model address must name something: bare numbers (150, 886) are prices and slang."""
    return entity.get("entity") != "address" or _CJK.search(str(entity.get("value", ""))) is not None


def _time_entity(span) -> dict:
    entity = _entity("time", span.start, span.end, span.value)
    if span.part:
        entity["part"] = span.part
    return entity


def _entity(kind: str, start: int, end: int, value: str) -> dict:
    return {"entity": kind, "start": start, "end": end, "value": value}


def _overlaps(a: dict, b: dict) -> bool:
    return a["start"] < b["end"] and b["start"] < a["end"]
