"""Read data/district.yml into a validated District.

Routing trusts the district completely (a case must always reach somebody), so
every mistake in the file is refused here, at start-up, with a message that
names the file, the entry and what is wrong. All problems found are reported at
once, one per line, so that whoever edits the file can fix them in one go.
"""
from __future__ import annotations

import datetime as dt
import itertools
import re
from pathlib import Path
from typing import Any, Iterable

import yaml

from civic.domain.district import (CATEGORIES, COMMAND_CENTRE, GRID_WORKER, ISO_WEEKDAYS,
                                   MEDIATOR, RESPONDER, ROLES, SIDES, SPECIALITIES,
                                   CategoryForce, Community, District, Estate, Grid, Landmark,
                                   PlaceExamples, Road, Room, Staff)
from civic.domain.geometry import Area, Circle, Polygon, area_m2, overlap, self_crossing
from civic.domain.routing import GRID, resolve_address

DEFAULT_PATH = Path("data/district.yml")

WEEKDAY_NAMES = {"mon": 1, "tue": 2, "wed": 3, "thu": 4, "fri": 5, "sat": 6, "sun": 7}
_DAY_LABELS = {number: name for name, number in WEEKDAY_NAMES.items()}
_RANGE = re.compile(r"^\s*(\d+)\s*(?:-\s*(\d+)\s*)?$")
# The example addresses residents are shown (PlaceExamples' fields, in order).
EXAMPLE_KEYS = ("place", "road", "home")
_HOURS = re.compile(r"^\s*(\d{1,2}):(\d{2})\s*-\s*(\d{1,2}):(\d{2})\s*$")
# A grid is a few hundred metres across; a radius past this is a slip of units.
MAX_RADIUS_M = 5000
MIN_AREA_M2 = 100  # a polygon smaller than a room is a typing mistake (points in a line, or repeated)


class DistrictDataError(ValueError):
    """The district file is unusable; ``problems`` holds (entry, what is wrong) pairs."""

    def __init__(self, source: str, problems: Iterable[tuple[str, str]]):
        self.source = source
        self.problems = tuple(problems)
        super().__init__("\n".join(f"{source}: {entry}: {what}" for entry, what in self.problems))


def load_district(path: Path = DEFAULT_PATH) -> District:
    path = Path(path)
    source = str(path)
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as error:
        raise DistrictDataError(source, [("file", f"cannot be read ({error.strerror})")]) from error
    try:
        data = yaml.safe_load(text)
    except yaml.YAMLError as error:
        raise DistrictDataError(source, [("file", f"is not valid YAML ({error})")]) from error
    return district_from_data(data, source)


def district_from_data(data: Any, source: str = str(DEFAULT_PATH)) -> District:
    """Build and check a District from the parsed YAML; raise DistrictDataError if unusable."""
    reader = _Reader()
    district = reader.district(data)
    # Cross-entry rules only make sense on a district whose entries parsed.
    if not reader.problems:
        reader.problems.extend(_rule_problems(district))
    if reader.problems:
        raise DistrictDataError(source, reader.problems)
    return district


# --- Parsing: shapes and values of single entries -----------------------------------


class _Reader:
    def __init__(self) -> None:
        self.problems: list[tuple[str, str]] = []

    def fail(self, entry: str, what: str) -> None:
        self.problems.append((entry, what))

    def district(self, data: Any) -> District:
        if not isinstance(data, dict):
            self.fail("file", "expected a mapping with street, communities, office_hours, categories and staff")
            data = {}
        street = self.mapping(data.get("street"), "street")
        communities, grids = self.communities(data.get("communities"))
        office_hours = self.office_hours(data.get("office_hours"))
        staff = self.staff(data.get("staff"), grids, communities)
        rooms, slot_minutes = (), 60
        if "mediation" in data:
            rooms, slot_minutes = self.mediation(data["mediation"], office_hours)
            self.mediator_specialities(staff)
        return District(
            street_name=self.text(street, "name", "street"),
            street_aliases=self.names(street, "aliases", "street"),
            centre_name=self.text(street, "centre", "street"),
            communities=communities,
            grids=grids,
            office_hours=office_hours,
            categories=self.categories(data.get("categories")),
            staff=staff,
            examples=self.examples(data.get("examples")),
            rooms=rooms,
            slot_minutes=slot_minutes,
        )

    # Generic fields

    def mapping(self, value: Any, entry: str) -> dict:
        if isinstance(value, dict):
            return value
        self.fail(entry, "missing" if value is None else "expected a mapping")
        return {}

    def items(self, value: Any, entry: str) -> list:
        if isinstance(value, list):
            return value
        self.fail(entry, "missing" if value is None else "expected a list")
        return []

    def text(self, raw: dict, key: str, entry: str) -> str:
        value = raw.get(key)
        if isinstance(value, (str, int)) and not isinstance(value, bool) and str(value).strip():
            return str(value).strip()
        self.fail(entry, f"missing {key}" if value is None else f"{key} must be text")
        return ""

    def names(self, raw: dict, key: str, entry: str) -> tuple[str, ...]:
        value = raw.get(key) or []
        if not isinstance(value, list) or not all(isinstance(v, str) and v.strip() for v in value):
            self.fail(entry, f"{key} must be a list of names")
            return ()
        return tuple(v.strip() for v in value)

    def number(self, raw: dict, key: str, entry: str) -> int:
        value = raw.get(key)
        if isinstance(value, int) and not isinstance(value, bool) and value >= 1:
            return value
        self.fail(entry, f"missing {key}" if value is None else f"{key} must be a whole number from 1")
        return 0

    # Places

    def communities(self, value: Any) -> tuple[dict[str, Community], dict[str, Grid]]:
        communities: dict[str, Community] = {}
        grids: dict[str, Grid] = {}
        for index, raw in enumerate(self.items(value, "communities"), start=1):
            raw = self.mapping(raw, f"community #{index}")
            cid = self.text(raw, "id", f"community #{index}") if raw else ""
            entry = f"community {cid or '#' + str(index)}"
            if cid in communities:
                self.fail(entry, "duplicate id")
            community = Community(cid, self.text(raw, "name", entry), self.names(raw, "aliases", entry))
            communities.setdefault(cid, community)
            for g_index, g_raw in enumerate(self.items(raw.get("grids"), f"{entry}: grids"), start=1):
                grid = self.grid(g_raw, cid, f"{entry}: grid #{g_index}")
                if grid.id in grids:
                    self.fail(f"grid {grid.id}", "duplicate id")
                grids.setdefault(grid.id, grid)
        return communities, grids

    def grid(self, raw: Any, community_id: str, fallback_entry: str) -> Grid:
        raw = self.mapping(raw, fallback_entry)
        gid = self.text(raw, "id", fallback_entry) if raw else ""
        entry = f"grid {gid}" if gid else fallback_entry
        return Grid(
            id=gid,
            name=self.text(raw, "name", entry),
            community_id=community_id,
            estates=tuple(self.estate(e, entry) for e in raw.get("estates") or []),
            roads=tuple(self.road(r, entry) for r in raw.get("roads") or []),
            landmarks=tuple(self.landmark(m, entry) for m in raw.get("landmarks") or []),
            area=self.area(raw["area"], entry) if raw.get("area") is not None else None,
        )

    def estate(self, raw: Any, grid_entry: str) -> Estate:
        raw = self.mapping(raw, f"{grid_entry}: estate")
        name = self.text(raw, "name", f"{grid_entry}: estate")
        entry = f"{grid_entry}: estate {name}"
        first, last = self.building_range(raw.get("buildings"), entry)
        return Estate(name, self.names(raw, "aliases", entry), first, last)

    def building_range(self, value: Any, entry: str) -> tuple[int, int]:
        match = _RANGE.match(str(value)) if isinstance(value, (str, int)) and not isinstance(value, bool) else None
        if match is None:
            self.fail(entry, f"buildings must look like \"1-12\", got {value!r}")
            return 0, 0
        first = int(match.group(1))
        last = int(match.group(2) or first)
        if not 1 <= first <= last:
            self.fail(entry, f"buildings {value} must run upwards from 1")
        return first, last

    def road(self, raw: Any, grid_entry: str) -> Road:
        raw = self.mapping(raw, f"{grid_entry}: road")
        name = self.text(raw, "name", f"{grid_entry}: road")
        entry = f"{grid_entry}: road {name}"
        first, last = self.number(raw, "from", entry), self.number(raw, "to", entry)
        if first and last and first > last:
            self.fail(entry, f"numbers {first}-{last} must run upwards")
        side = raw.get("side", "both")
        if side not in SIDES:
            self.fail(entry, f"side must be one of {', '.join(SIDES)}, got {side!r}")
        return Road(name, first, last, side)

    def landmark(self, raw: Any, grid_entry: str) -> Landmark:
        raw = self.mapping(raw, f"{grid_entry}: landmark")
        name = self.text(raw, "name", f"{grid_entry}: landmark")
        return Landmark(name, self.names(raw, "aliases", f"{grid_entry}: landmark {name}"))

    def area(self, raw: Any, grid_entry: str) -> Area | None:
        """``{centre: [lat, lon], radius_m: 300}`` or ``{polygon: [[lat, lon], ...]}``."""
        entry = f"{grid_entry}: area"
        if not isinstance(raw, dict) or ("centre" in raw) == ("polygon" in raw):
            self.fail(entry, "expected either {centre: [lat, lon], radius_m: metres} "
                             "or {polygon: [[lat, lon], ...]}")
            return None
        unknown = set(raw) - ({"centre", "radius_m"} if "centre" in raw else {"polygon"})
        if unknown:
            self.fail(entry, f"unknown keys {', '.join(sorted(map(str, unknown)))}")
            return None
        if "centre" in raw:
            centre, radius = self.lat_lon(raw["centre"], f"{entry}: centre"), raw.get("radius_m")
            metres = isinstance(radius, (int, float)) and not isinstance(radius, bool)
            if not metres or not 0 < radius <= MAX_RADIUS_M:
                self.fail(entry, f"radius_m must be a number of metres from 1 to {MAX_RADIUS_M}, "
                                 f"got {radius!r}")
                return None
            return Circle(centre, float(radius)) if centre else None
        points = raw["polygon"]
        if not isinstance(points, list):
            self.fail(entry, "polygon must be a list of [lat, lon] corners")
            return None
        corners = [self.lat_lon(p, f"{entry}: corner {i}") for i, p in enumerate(points, start=1)]
        if not all(corners):
            return None
        if len(corners) > 1 and corners[0] == corners[-1]:
            corners.pop()  # a closed ring: the last corner repeats the first
        if len(corners) < 3:
            self.fail(entry, f"polygon needs at least 3 corners, got {len(corners)}")
            return None
        polygon = Polygon(tuple(corners))
        if self_crossing(polygon):
            self.fail(entry, "polygon edges cross each other (list the corners in order around it)")
            return None
        if area_m2(polygon) < MIN_AREA_M2:
            self.fail(entry, f"polygon encloses less than {MIN_AREA_M2} m² (corners in a line, or repeated?)")
            return None
        return polygon

    def lat_lon(self, value: Any, entry: str) -> tuple[float, float] | None:
        numbers = isinstance(value, list) and len(value) == 2 and all(
            isinstance(v, (int, float)) and not isinstance(v, bool) for v in value)
        if not numbers:
            self.fail(entry, f"expected [latitude, longitude], got {value!r}")
            return None
        lat, lon = float(value[0]), float(value[1])
        if not (-90 <= lat <= 90 and -180 <= lon <= 180):
            self.fail(entry, f"[{value[0]}, {value[1]}] is not [latitude, longitude] "
                             "(latitude -90..90 comes first, longitude -180..180 second)")
            return None
        return lat, lon

    # Hours and forces

    def examples(self, value: Any) -> PlaceExamples:
        raw = self.mapping(value, "examples")
        return PlaceExamples(*(self.text(raw, key, "examples") for key in EXAMPLE_KEYS))

    def office_hours(self, value: Any) -> tuple[tuple[dt.time, dt.time], ...]:
        ranges = []
        items = self.items(value, "office_hours")
        for item in items:
            match = _HOURS.match(item) if isinstance(item, str) else None
            try:
                start, end = (dt.time(int(match.group(1)), int(match.group(2))),
                              dt.time(int(match.group(3)), int(match.group(4)))) if match else (None, None)
            except ValueError:
                start = end = None
            if start is None or end is None:
                self.fail("office_hours", f"expected \"HH:MM-HH:MM\", got {item!r}")
            elif end <= start:
                self.fail("office_hours", f"{item} must end after it starts")
            else:
                ranges.append((start, end))
        if isinstance(value, list) and not items:
            self.fail("office_hours", "at least one range is needed")
        for (_, end), (start, _) in zip(ranges, ranges[1:]):
            if start < end:
                self.fail("office_hours", f"ranges must be in order and not overlap (at {start:%H:%M})")
        return tuple(ranges)

    def categories(self, value: Any) -> dict[str, CategoryForce]:
        raw_categories = self.mapping(value, "categories")
        forces: dict[str, CategoryForce] = {}
        for category in raw_categories:
            if category not in CATEGORIES:
                self.fail(f"category {category}", f"unknown category (known: {', '.join(CATEGORIES)})")
        for category in CATEGORIES:
            entry = f"category {category}"
            if category not in raw_categories:
                self.fail(entry, "missing: every category needs a force")
                continue
            raw = raw_categories[category]
            if not isinstance(raw, dict) or not raw.get("assignee"):
                self.fail(entry, "no force: an assignee role is needed")
                continue
            assignee = raw["assignee"]
            informed = raw.get("informed") or []
            if not isinstance(informed, list):
                self.fail(entry, "informed must be a list of roles")
                informed = []
            for role in [assignee, *informed]:
                if role not in ROLES:
                    self.fail(entry, f"unknown role {role}")
            forces[category] = CategoryForce(str(assignee), tuple(str(r) for r in informed))
        return forces

    # People

    def staff(self, value: Any, grids: dict[str, Grid], communities: dict[str, Community]) -> dict[str, Staff]:
        staff: dict[str, Staff] = {}
        for index, raw in enumerate(self.items(value, "staff"), start=1):
            raw = self.mapping(raw, f"staff #{index}")
            sid = self.text(raw, "id", f"staff #{index}") if raw else ""
            entry = f"staff {sid or '#' + str(index)}"
            if sid in staff:
                self.fail(entry, "duplicate id")
            member = self.member(raw, sid, entry, grids, communities)
            staff.setdefault(sid, member)
        return staff

    def member(self, raw: dict, sid: str, entry: str,
               grids: dict[str, Grid], communities: dict[str, Community]) -> Staff:
        role = raw.get("role")
        if role not in ROLES:
            self.fail(entry, "missing role" if role is None else f"unknown role {role}")
        grid_ids = self.names(raw, "grids", entry)
        community_ids = self.names(raw, "communities", entry)
        for gid in grid_ids:
            if gid not in grids:
                self.fail(entry, f"unknown grid {gid}")
        for cid in community_ids:
            if cid not in communities:
                self.fail(entry, f"unknown community {cid}")
        # The command centre covers the whole street; everyone else needs a scope,
        # or they would be in the file and never receive anything.
        if not grid_ids and not community_ids and role != COMMAND_CENTRE:
            self.fail(entry, "no scope: list grids or communities")
        telegram_id = raw.get("telegram_id")
        if telegram_id is not None and (not isinstance(telegram_id, int) or isinstance(telegram_id, bool)):
            self.fail(entry, f"telegram_id must be a number or null, got {telegram_id!r}")
            telegram_id = None
        holidays = raw.get("holidays", False)
        if not isinstance(holidays, bool):
            self.fail(entry, f"holidays must be true or false, got {holidays!r}")
            holidays = False
        phone = raw.get("phone") or ""
        if not isinstance(phone, str):
            # An unquoted number would be a real, unmasked phone number in the file.
            self.fail(entry, "phone must be quoted text, stored masked (e.g. \"138****1001\")")
            phone = ""
        specialities = self.names(raw, "specialities", entry)
        for speciality in specialities:
            if speciality not in SPECIALITIES:
                self.fail(entry, f"unknown speciality {speciality} (known: {', '.join(SPECIALITIES)})")
        if specialities and role != MEDIATOR:
            self.fail(entry, "specialities are for mediators only")
        return Staff(
            id=sid,
            name=self.text(raw, "name", entry),
            role=str(role),
            grids=frozenset(grid_ids),
            communities=frozenset(community_ids),
            phone_masked=phone,
            telegram_id=telegram_id,
            on_duty=self.weekdays(raw.get("on_duty"), entry),
            holidays=holidays,
            specialities=frozenset(specialities),
        )

    def mediator_specialities(self, staff: dict[str, Staff]) -> None:
        # Residents choose a mediator by speciality (双向选择); one without any could
        # never be chosen. Checked only when the file runs a mediation office, so a
        # district without one may list mediators just for dispute cases.
        for member in staff.values():
            if member.role == MEDIATOR and not member.specialities:
                self.fail(f"staff {member.id}",
                          f"no specialities: a mediator needs some of {', '.join(SPECIALITIES)}")

    # Mediation office

    def mediation(self, value: Any,
                  office_hours: tuple[tuple[dt.time, dt.time], ...]) -> tuple[tuple[Room, ...], int]:
        raw = self.mapping(value, "mediation")
        rooms: dict[str, Room] = {}
        for index, r_raw in enumerate(self.items(raw.get("rooms"), "mediation: rooms") if raw else [],
                                      start=1):
            r_raw = self.mapping(r_raw, f"mediation: room #{index}")
            rid = self.text(r_raw, "id", f"mediation: room #{index}") if r_raw else ""
            entry = f"mediation: room {rid or '#' + str(index)}"
            if rid in rooms:
                self.fail(entry, "duplicate id")
            rooms.setdefault(rid, Room(rid, self.text(r_raw, "name", entry)))
        slot_minutes = self.number(raw, "slot_minutes", "mediation") if raw else 0
        longest = max((_minutes(end) - _minutes(start) for start, end in office_hours), default=0)
        if slot_minutes and longest and slot_minutes > longest:
            self.fail("mediation", f"slot_minutes {slot_minutes} is longer than every office range, "
                                   "so no slot could ever be booked")
        return tuple(rooms.values()), slot_minutes or 60

    def weekdays(self, value: Any, entry: str) -> frozenset[int]:
        days = set()
        for day in value or []:
            if isinstance(day, str) and day.strip().lower()[:3] in WEEKDAY_NAMES:
                days.add(WEEKDAY_NAMES[day.strip().lower()[:3]])
            elif isinstance(day, int) and not isinstance(day, bool) and day in ISO_WEEKDAYS:
                days.add(day)
            else:
                self.fail(entry, f"on_duty day {day!r} is not one of mon..sun or 1..7")
        return frozenset(days)


def _minutes(time: dt.time) -> int:
    return time.hour * 60 + time.minute


# --- Rules across entries -------------------------------------------------------------


def _rule_problems(district: District) -> list[tuple[str, str]]:
    return [
        *_estate_overlaps(district),
        *_road_overlaps(district),
        *_area_overlaps(district),
        *_grid_worker_problems(district),
        *_force_coverage_problems(district),
        *_roster_problems(district),
        *_staff_problems(district),
        *_example_problems(district),
    ]


def _example_problems(district: District) -> Iterable[tuple[str, str]]:
    # An example residents are shown must be an address the bot itself understands.
    for key in EXAMPLE_KEYS:
        text = getattr(district.examples, key)
        if resolve_address(district, text).kind != GRID:
            yield "examples", f"{key} {text!r} is not a place of one grid"


def _same_name_pairs(district: District, parts: str):
    """Every pair of same-named estates (or roads) with their grids: a place may be
    split over grids, but its parts must not overlap, or routing would have to guess."""
    located: dict[str, list[tuple[str, Estate | Road]]] = {}
    for grid in district.grids.values():
        for part in getattr(grid, parts):
            located.setdefault(part.name, []).append((grid.id, part))
    for name, found in located.items():
        for (gid_a, a), (gid_b, b) in itertools.combinations(found, 2):
            yield name, gid_a, a, gid_b, b


def _estate_overlaps(district: District) -> Iterable[tuple[str, str]]:
    for name, gid_a, a, gid_b, b in _same_name_pairs(district, "estates"):
        if a.first <= b.last and b.first <= a.last:
            yield (f"estate {name}",
                   f"buildings {a.first}-{a.last} in {gid_a} overlap {b.first}-{b.last} in {gid_b}")


def _road_overlaps(district: District) -> Iterable[tuple[str, str]]:
    for name, gid_a, a, gid_b, b in _same_name_pairs(district, "roads"):
        if _sections_share_a_number(a, b):
            yield (f"road {name}",
                   f"numbers {a.first}-{a.last} {a.side} in {gid_a} overlap "
                   f"{b.first}-{b.last} {b.side} in {gid_b}")


def _sections_share_a_number(a: Road, b: Road) -> bool:
    low, high = max(a.first, b.first), min(a.last, b.last)
    if low > high:
        return False
    sides = {a.side, b.side} - {"both"}
    if len(sides) == 2:  # odd against even: opposite sides of the road never meet
        return False
    if not sides:
        return True
    wanted = 1 if sides == {"odd"} else 0
    return low % 2 == wanted or low + 1 <= high


def _area_overlaps(district: District) -> Iterable[tuple[str, str]]:
    # A shared location must find one grid: areas may share a border, never more.
    placed = [g for g in district.grids.values() if g.area is not None]
    for a, b in itertools.combinations(placed, 2):
        if overlap(a.area, b.area):
            yield f"grid {b.id}", f"area overlaps the area of grid {a.id}"


def _grid_worker_problems(district: District) -> Iterable[tuple[str, str]]:
    # 一员一格: the base force is exactly one worker per grid; the escalation chain
    # and most categories start with that person.
    for grid in district.grids.values():
        workers = district.staff_covering(grid.id, GRID_WORKER)
        if not workers:
            yield f"grid {grid.id}", "no grid_worker covers it"
        elif len(workers) > 1:
            ids = ", ".join(w.id for w in workers)
            yield f"grid {grid.id}", f"{len(workers)} grid_workers cover it ({ids}); 一员一格 allows one"


def _force_coverage_problems(district: District) -> Iterable[tuple[str, str]]:
    used: dict[str, list[str]] = {}
    for category, force in district.categories.items():
        for role in (force.assignee, *force.informed):
            used.setdefault(role, []).append(category)
    used.pop(GRID_WORKER, None)  # reported by _grid_worker_problems
    for grid in district.grids.values():
        for role, categories in used.items():
            if not district.staff_covering(grid.id, role):
                yield (f"grid {grid.id}",
                       f"nobody with role {role} covers it (needed by {', '.join(categories)})")


def _roster_problems(district: District) -> Iterable[tuple[str, str]]:
    # Urgent cases out of office hours go to the responder on duty; a gap in the
    # roster would leave a night with nobody awake for that grid.
    for grid in district.grids.values():
        responders = district.staff_covering(grid.id, RESPONDER)
        missing = [d for d in ISO_WEEKDAYS if not any(d in r.on_duty for r in responders)]
        if missing:
            days = ", ".join(_DAY_LABELS[d] for d in missing)
            yield f"grid {grid.id}", f"no responder on duty on {days}"
        if not any(r.holidays for r in responders):
            yield f"grid {grid.id}", "no responder on duty on public holidays (holidays: true)"


def _staff_problems(district: District) -> Iterable[tuple[str, str]]:
    # Triage and every fallback end at the command centre, so it must exist.
    if not district.staff_by_role(COMMAND_CENTRE):
        yield "staff", "no command_centre member (triage and fallbacks need one)"
    seen: dict[int, str] = {}
    for member in district.staff.values():
        if member.telegram_id is None:
            continue
        if member.telegram_id in seen:
            yield f"staff {member.id}", f"telegram_id already linked to {seen[member.telegram_id]}"
        seen.setdefault(member.telegram_id, member.id)
