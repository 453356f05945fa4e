"""Address spans in normalised text: known places from the gazetteer, then generic forms.

The value is the span itself (normalised text); resolving it to a grid is civic's job.
"""
from __future__ import annotations

import dataclasses
import functools
import re

from nlu.gazetteer import PlaceName, place_names

# House-number parts that may follow an estate or road name, in order.
_BUILDING = r"(?:\d+(?:号楼|号院|栋|幢|座|号)|\d+-\d+(?:-\d+)?)"
_UNIT = r"(?:-?\d+单元)"
_ROOM = r"(?:-?\d{3,4}(?:室|号)?|\d+楼)"
_ESTATE_TAIL = re.compile(f"(?:小区)?(?:{_BUILDING}{_UNIT}?{_ROOM}?|{_UNIT}{_ROOM}?)?")
_ROAD_TAIL = re.compile(rf"(?:\d+号(?:院)?(?:{_BUILDING}{_UNIT}?{_ROOM}?)?)?")
_LANDMARK_TAIL = re.compile(r"(?:[东南西北]门|[A-Da-d]口|\d号口)?")
# A short alias (阳光, 金桂) is a place only when a house number or 小区 follows it.
_SHORT_ALIAS_NEEDS = re.compile(rf"(?:小区|{_BUILDING}|{_UNIT})")

# Places outside the gazetteer: a name ending in an estate or road word.
_GENERIC = re.compile(
    rf"([\u4e00-\u9fa5]{{2,6}}?(?:小区|花园|家园|新村|公寓|大厦|苑|宿舍)(?:{_BUILDING}{_UNIT}?{_ROOM}?)?"
    rf"|[\u4e00-\u9fa5]{{1,5}}?(?:路|街|大道|巷)\d+号(?:{_BUILDING}{_UNIT}?{_ROOM}?)?)"
)
# Characters that do not occur in the generic part of a name: a generic match
# starts after the last of them (来我们星河湾小区 -> 星河湾小区).
_NOT_IN_NAME = set("我你他她它们的在是了这那个到去从和与跟对把被给说住家有就还也都很太想要请帮着过让来"
                   "附近旁边门口楼下上午天晚早隔壁,.!?;:、 ")


@dataclasses.dataclass(frozen=True)
class AddressSpan:
    start: int
    end: int
    value: str
    place: PlaceName | None  # None for a place outside the gazetteer


@functools.lru_cache(maxsize=4)
def _name_pattern(names: tuple[PlaceName, ...]) -> tuple[re.Pattern, dict[str, PlaceName]]:
    by_surface: dict[str, PlaceName] = {}
    for name in names:
        by_surface.setdefault(name.surface, name)
    alternation = "|".join(re.escape(s) for s in by_surface)  # longest first
    return re.compile(alternation), by_surface


def _tail_for(kind: str) -> re.Pattern:
    return {"estate": _ESTATE_TAIL, "road": _ROAD_TAIL, "landmark": _LANDMARK_TAIL}.get(
        kind, _LANDMARK_TAIL
    )


def _known_places(text: str, names: tuple[PlaceName, ...]) -> list[AddressSpan]:
    pattern, by_surface = _name_pattern(names)
    spans = []
    for match in pattern.finditer(text):
        place = by_surface[match.group()]
        if place.kind in ("street", "community"):
            continue
        end = match.end()
        if len(place.surface) <= 2 and place.surface != place.canonical:
            if not _SHORT_ALIAS_NEEDS.match(text, end):
                continue
        tail = _tail_for(place.kind).match(text, end)
        end = tail.end() if tail else end
        spans.append(AddressSpan(match.start(), end, text[match.start():end], place))
    return spans


def _generic_places(text: str, taken: list[AddressSpan]) -> list[AddressSpan]:
    spans = []
    for match in _GENERIC.finditer(text):
        start, end = match.span()
        cut = max((i for i in range(start, end) if text[i] in _NOT_IN_NAME), default=start - 1)
        start = cut + 1
        if end - start < 3 or any(s.start < end and start < s.end for s in taken):
            continue
        spans.append(AddressSpan(start, end, text[start:end], None))
    return spans


def find_addresses(text: str, names: tuple[PlaceName, ...] | None = None) -> list[AddressSpan]:
    """Address spans in order of appearance; known places win over generic ones."""
    names = place_names() if names is None else names
    known = _known_places(text, names)
    return sorted(known + _generic_places(text, known), key=lambda s: s.start)
