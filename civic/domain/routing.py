"""Routing (DESIGN.md, "Routing"): an address to a grid, a grid and category to people.

Nothing here may leave a case with nobody: an address that does not resolve goes to
the street centre's triage, and a force missing for a grid falls back to the
command centre. Time is passed in; nothing here reads the clock.
"""
from __future__ import annotations

import dataclasses
import datetime as dt
import re
from typing import Callable, Iterable
from zoneinfo import ZoneInfo

from civic.domain.district import (COMMAND_CENTRE, GRID_LEADER, GRID_WORKER, RESPONDER,
                                   District, Estate, Grid, Road, Staff)

LOCAL_ZONE = ZoneInfo("Asia/Shanghai")

# Resolution kinds
GRID = "grid"
AMBIGUOUS = "ambiguous"
UNKNOWN = "unknown"

# Assignment reasons
TRIAGE = "triage"  # no grid: the command centre sorts it out
CATEGORY = "category"  # the category's own force for the grid
ON_DUTY = "on_duty"  # urgent out of office hours: the responder on duty
SAFETY = "safety"  # a safety case in office hours: a responder of the grid
FALLBACK = "fallback"  # nobody of the right force: the command centre

# A building number right after an estate name: 3号楼, 16栋, 3-2-502 (building 3), 第5幢.
_BUILDING = re.compile(r"^第?(\d+)(?=号楼|号院|栋|幢|座|号|-\d|$)")
# A house number right after a road name: 18号, 18号院, 18-2.
_HOUSE = re.compile(r"^(\d+)(?=号|-\d|$)")
_SIDE_LABELS = {"odd": "单号", "even": "双号", "both": ""}
# What may follow a short alias that names its place: nothing, a number, 小区, a gate,
# or words of where (金桂3栋, 阳光小区, 望花东门, 东湖那边).
_AFTER_SHORT_ALIAS = re.compile(r"$|[^\u4e00-\u9fa5]|小区|[东南西北]{1,2}门|这|那|附近|旁边|边上|对面|门口|"
                                r"一带|周边|隔壁|后面|前面|里|的|楼|栋|幢|单元")


@dataclasses.dataclass(frozen=True)
class Candidate:
    grid_id: str
    label: str  # for the resident to choose: 望江花园1-12号楼（望江社区第一网格）


@dataclasses.dataclass(frozen=True)
class Resolution:
    """``grid``: one grid (candidates holds it, labelled, for a confirmation);
    ``ambiguous``: ask the resident to choose among candidates;
    ``unknown``: no grid (no candidates); the case goes to triage."""

    kind: str
    grid_id: str | None
    candidates: tuple[Candidate, ...] = ()


@dataclasses.dataclass(frozen=True)
class Assignment:
    assignee_id: str
    informed_ids: tuple[str, ...]
    reason: str


# --- Address to grid ------------------------------------------------------------------


@dataclasses.dataclass(frozen=True)
class _Place:
    kind: str  # estate | road | landmark | community
    canonical: str  # the estate, road or landmark name, or a community id


def resolve_address(district: District, text: str) -> Resolution:
    """Resolve a normalised address span (Arabic digits) to a grid.

    Known names and aliases are matched longest first; places (estates, roads,
    landmarks) win over a bare community name. Without any known name, a word that
    ends some landmark names (菜市场, 小学) offers those landmarks to choose from,
    even when only one fits, because it is a guess the resident should confirm.
    """
    text = re.sub(r"\s+", "", text or "").upper()
    if not text:
        return Resolution(UNKNOWN, None)
    places = _place_names(district)
    for kinds in (("estate", "road", "landmark"), ("community",)):
        found = _longest_match(text, {s: p for s, p in places.items()
                                      if any(x.kind in kinds for x in p) and _names_here(text, s, p)})
        if found is not None:
            surface, end = found
            tail = text[end:]
            # "ignore a trailing 小区": 阳光花园小区3号楼 reads as 阳光花园3号楼.
            tail = tail[2:] if tail.startswith("小区") else tail
            candidates = [c for place in places[surface] if place.kind in kinds
                          for c in _candidates(district, place, tail)]
            return _decide(_one_per_grid(candidates))
    # The street office itself is no grid: its names must not feed the landmark guess
    # (综合指挥中心 would otherwise suggest 清溪社区卫生服务中心).
    street_names = (district.centre_name, district.street_name, *district.street_aliases)
    for name in sorted(street_names, key=len, reverse=True):
        text = text.replace(name.upper(), " ")
    candidates = _landmark_word_candidates(district, text)
    if candidates:
        return Resolution(AMBIGUOUS, None, candidates)
    return Resolution(UNKNOWN, None)


def place_of(district: District, text: str) -> str | None:
    """The estate, road, landmark or community an address names, without the building
    or door: what is kept of a resident's address when their data is erased."""
    text = re.sub(r"\s+", "", text or "").upper()
    places = _place_names(district)
    found = _longest_match(text, places)
    if found is None:
        return None
    place = places[found[0]][0]
    if place.kind == "community":
        return district.communities[place.canonical].name
    return place.canonical


def _place_names(district: District) -> dict[str, list[_Place]]:
    """Every surface form (upper-cased) and the places it names.

    Built per call: the district is small, and a cache keyed on a mutable-looking
    object is not worth the risk of serving an old district after a reload.
    """
    names: dict[str, list[_Place]] = {}

    def add(surfaces: Iterable[str], place: _Place) -> None:
        for surface in surfaces:
            entry = names.setdefault(surface.upper(), [])
            if place not in entry:
                entry.append(place)

    for community in district.communities.values():
        add([community.name, *community.aliases], _Place("community", community.id))
    for grid in district.grids.values():
        # Aliases belong to the place, not to the grid that lists them: 望花 names
        # 望江花园 in every grid that holds a part of it.
        for estate in grid.estates:
            add([estate.name, *estate.aliases], _Place("estate", estate.name))
        for road in grid.roads:
            add([road.name], _Place("road", road.name))
        for landmark in grid.landmarks:
            add([landmark.name, *landmark.aliases], _Place("landmark", landmark.name))
    return names


def _names_here(text: str, surface: str, places: list[_Place]) -> bool:
    """A short alias (金桂, 东湖) names its place unless more of another name follows
    it: 金桂路, 东湖小学 and 书香门第小区 are places outside the district (triage)."""
    if len(surface) > 2 or any(surface == p.canonical.upper() for p in places):
        return True
    return _AFTER_SHORT_ALIAS.match(text, text.find(surface) + len(surface)) is not None


def _longest_match(text: str, surfaces: Iterable[str]) -> tuple[str, int] | None:
    """The longest surface found in the text (the earliest of equals), and where it ends."""
    best: tuple[int, int, str] | None = None  # (-length, start, surface)
    for surface in surfaces:
        start = text.find(surface)
        if start >= 0 and (best is None or (-len(surface), start) < best[:2]):
            best = (-len(surface), start, surface)
    if best is None:
        return None
    return best[2], best[1] - best[0]


def _candidates(district: District, place: _Place, tail: str) -> list[Candidate]:
    if place.kind == "estate":
        return _numbered_candidates(district, place.canonical, tail, _BUILDING, _estates_named)
    if place.kind == "road":
        return _numbered_candidates(district, place.canonical, tail, _HOUSE, _roads_named)
    if place.kind == "landmark":
        return [Candidate(g.id, _label(g, [place.canonical]))
                for g in district.grids.values() if any(m.name == place.canonical for m in g.landmarks)]
    return [Candidate(g.id, g.name) for g in district.grids_of_community(place.canonical)]


def _numbered_candidates(district: District, name: str, tail: str, number_pattern: re.Pattern,
                         parts_named: Callable[[District, str], list]) -> list[Candidate]:
    """Estates by building, roads by house number; without a number, every part."""
    match = number_pattern.match(tail)
    number = int(match.group(1)) if match else None
    candidates = []
    for grid, parts in parts_named(district, name):
        if number is not None:
            parts = [p for p in parts if _part_has(p, number)]
        if parts:
            candidates.append(Candidate(grid.id, _label(grid, [_part_label(p) for p in parts])))
    return candidates


def _estates_named(district: District, name: str) -> list[tuple[Grid, list[Estate]]]:
    located = [(g, [e for e in g.estates if e.name == name]) for g in district.grids.values()]
    return [(g, parts) for g, parts in located if parts]


def _roads_named(district: District, name: str) -> list[tuple[Grid, list[Road]]]:
    located = [(g, [r for r in g.roads if r.name == name]) for g in district.grids.values()]
    return [(g, parts) for g, parts in located if parts]


def _part_has(part: Estate | Road, number: int) -> bool:
    return part.has_building(number) if isinstance(part, Estate) else part.has_number(number)


def _part_label(part: Estate | Road) -> str:
    numbers = f"{part.first}" if part.first == part.last else f"{part.first}-{part.last}"
    if isinstance(part, Estate):
        return f"{part.name}{numbers}号楼"
    return f"{part.name}{numbers}号{_SIDE_LABELS[part.side]}"


def _label(grid: Grid, places: list[str]) -> str:
    return f"{'、'.join(places)}（{grid.name}）"


def _one_per_grid(candidates: list[Candidate]) -> tuple[Candidate, ...]:
    by_grid: dict[str, Candidate] = {}
    for candidate in candidates:
        by_grid.setdefault(candidate.grid_id, candidate)
    return tuple(by_grid.values())


def _decide(candidates: tuple[Candidate, ...]) -> Resolution:
    if not candidates:
        return Resolution(UNKNOWN, None)
    if len(candidates) == 1:
        return Resolution(GRID, candidates[0].grid_id, candidates)
    return Resolution(AMBIGUOUS, None, candidates)


def _landmark_word_candidates(district: District, text: str) -> tuple[Candidate, ...]:
    """Landmarks whose name contains the longest landmark-name ending found in the text.

    Endings need two Chinese characters, so that 菜市场 or 小学 count but a lone
    口 or 站 does not.
    """
    landmarks = [(g, m.name) for g in district.grids.values() for m in g.landmarks]
    words = {name[i:].upper() for _, name in landmarks for i in range(1, len(name))
             if _chinese_count(name[i:]) >= 2}
    found = _longest_match(text, words)
    if found is None:
        return ()
    word = found[0]
    return _one_per_grid([Candidate(g.id, _label(g, [name])) for g, name in landmarks if word in name.upper()])


def _chinese_count(text: str) -> int:
    return sum(1 for ch in text if "\u4e00" <= ch <= "\u9fff")


# --- A shared location to grid -----------------------------------------------------------


def grid_at(district: District, lat: float, lon: float) -> Grid | None:
    """The grid whose area holds the point, or None (outside every grid: triage).

    The loader refuses areas that overlap, so at most one grid holds a point, except
    on a border two grids share: the first of them in the file takes it.
    """
    return next((g for g in district.grids.values() if g.area is not None and g.area.contains(lat, lon)),
                None)


# --- Grid and category to people ------------------------------------------------------


def choose_assignee(district: District, grid_id: str | None, category: str, urgent: bool,
                    at: dt.datetime, is_office_time: bool, is_holiday: bool) -> Assignment:
    """Who is assigned a case, who is informed, and why.

    ``at`` must be timezone-aware (the roster's weekday is the Asia/Shanghai one);
    ``is_office_time`` and ``is_holiday`` come from the work calendar, so this
    function needs no calendar of its own. A safety case out of office hours is
    treated as urgent whatever ``urgent`` says: its tier is always urgent.
    """
    if category not in district.categories:
        raise ValueError(f"unknown category {category!r}")
    if at.tzinfo is None or at.utcoffset() is None:
        raise ValueError("at must be timezone-aware")
    centre = _centre(district)
    if grid_id is None or grid_id not in district.grids:
        return Assignment(centre, (), TRIAGE)

    force = district.categories[category]
    usual = _first(district.staff_covering(grid_id, force.assignee))
    informed = [s.id for role in force.informed for s in district.staff_covering(grid_id, role)]
    weekday = at.astimezone(LOCAL_ZONE).isoweekday()
    responders = district.staff_covering(grid_id, RESPONDER)

    if not is_office_time and (urgent or category == "safety"):
        on_duty = [r for r in responders if r.is_on_duty(weekday, is_holiday)]
        # The usual assignee hears of it too, to follow up in the morning; when
        # that force is the responders themselves, an off-duty one is not woken.
        if usual is not None and force.assignee != RESPONDER:
            informed.insert(0, usual)
        if on_duty:
            return _assignment(on_duty[0].id, informed, ON_DUTY)
        return _assignment(centre, informed, FALLBACK)

    if category == "safety":
        # In office hours any responder of the grid can go; today's one first.
        ranked = sorted(responders, key=lambda r: (not r.is_on_duty(weekday, is_holiday), r.id))
        if ranked:
            return _assignment(ranked[0].id, informed, SAFETY)
        return _assignment(centre, informed, FALLBACK)

    if usual is not None:
        return _assignment(usual, informed, CATEGORY)
    return _assignment(centre, informed, FALLBACK)


def escalation_chain(district: District, grid_id: str | None) -> tuple[str, ...]:
    """Staff ids for escalation levels 0, 1, 2: grid worker, grid leader, command centre.

    Always three ids, so ``chain[level]`` works; a missing link (an unknown grid,
    a grid without a leader) is filled by the next level up.
    """
    centre = _centre(district)
    if grid_id is None or grid_id not in district.grids:
        return (centre, centre, centre)
    leader = _first(district.staff_covering(grid_id, GRID_LEADER)) or centre
    worker = _first(district.staff_covering(grid_id, GRID_WORKER)) or leader
    return (worker, leader, centre)


def _centre(district: District) -> str:
    centre = _first(district.staff_by_role(COMMAND_CENTRE))
    if centre is None:  # the loader refuses such a district
        raise LookupError("the district has no command_centre member")
    return centre


def _first(staff: tuple[Staff, ...]) -> str | None:
    return staff[0].id if staff else None


def _assignment(assignee: str, informed: Iterable[str], reason: str) -> Assignment:
    unique = tuple(i for i in dict.fromkeys(informed) if i != assignee)
    return Assignment(assignee, unique, reason)
