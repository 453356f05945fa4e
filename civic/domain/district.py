"""The district: street office, communities, grids with their places, staff and forces.

Pure data plus the lookups routing needs. The loader (civic.adapters.district_file)
validates the file before anything here is built, so the helpers trust the data
but never fail on a grid or role they do not know: they answer "nobody".
"""
from __future__ import annotations

import dataclasses
import datetime as dt
import types
from typing import Mapping

from civic.domain.geometry import Area

GRID_WORKER = "grid_worker"
GRID_LEADER = "grid_leader"
URBAN_MANAGEMENT = "urban_management"
PROPERTY = "property"
SOCIAL_WORKER = "social_worker"
MEDIATOR = "mediator"
RESPONDER = "responder"
COMMAND_CENTRE = "command_centre"

ROLES = (GRID_WORKER, GRID_LEADER, URBAN_MANAGEMENT, PROPERTY, SOCIAL_WORKER,
         MEDIATOR, RESPONDER, COMMAND_CENTRE)

CATEGORIES = ("parking", "elderly_care", "dispute", "repair", "noise", "environment",
              "safety", "other")

# What a mediator (调解员) is good at; residents choose by it (DESIGN, "Mediation").
SPECIALITIES = ("neighbours", "family", "property", "tenancy", "labour")

SIDES = ("odd", "even", "both")
ISO_WEEKDAYS = tuple(range(1, 8))  # Monday is 1, as datetime.isoweekday() counts


@dataclasses.dataclass(frozen=True)
class Community:
    id: str
    name: str
    aliases: tuple[str, ...] = ()


@dataclasses.dataclass(frozen=True)
class Estate:
    """An estate (小区) or the part of it that lies in one grid: buildings first..last."""

    name: str
    aliases: tuple[str, ...]
    first: int
    last: int

    def has_building(self, number: int) -> bool:
        return self.first <= number <= self.last


@dataclasses.dataclass(frozen=True)
class Road:
    """A section of a road: house numbers first..last on one side or both."""

    name: str
    first: int
    last: int
    side: str  # odd | even | both

    def has_number(self, number: int) -> bool:
        if not self.first <= number <= self.last:
            return False
        if self.side == "odd":
            return number % 2 == 1
        if self.side == "even":
            return number % 2 == 0
        return True


@dataclasses.dataclass(frozen=True)
class Landmark:
    name: str
    aliases: tuple[str, ...] = ()


@dataclasses.dataclass(frozen=True)
class Grid:
    id: str
    name: str
    community_id: str
    estates: tuple[Estate, ...] = ()
    roads: tuple[Road, ...] = ()
    landmarks: tuple[Landmark, ...] = ()
    # Where the grid lies on the map, for a shared location; None: found by name only.
    area: Area | None = None


@dataclasses.dataclass(frozen=True)
class Staff:
    id: str
    name: str
    role: str
    grids: frozenset[str] = frozenset()
    communities: frozenset[str] = frozenset()
    phone_masked: str = ""
    telegram_id: int | None = None
    # Responders only: the ISO weekdays (1-7) they answer urgent cases out of
    # office hours, and whether they also answer on public holidays.
    on_duty: frozenset[int] = frozenset()
    holidays: bool = False
    # Mediators only: the kinds of dispute they take (SPECIALITIES).
    specialities: frozenset[str] = frozenset()

    def is_on_duty(self, weekday: int, is_holiday: bool) -> bool:
        # A public holiday has its own roster: the weekday it falls on does not count.
        return self.holidays if is_holiday else weekday in self.on_duty


@dataclasses.dataclass(frozen=True)
class CategoryForce:
    """Who is assigned a category's cases (a role) and which roles are informed."""

    assignee: str
    informed: tuple[str, ...] = ()


@dataclasses.dataclass(frozen=True)
class Room:
    """A mediation room (调解室): one in-person booking at a time."""

    id: str
    name: str


@dataclasses.dataclass(frozen=True)
class PlaceExamples:
    """Addresses of the district shown to residents as examples of what to type: an
    estate with a building (望江花园3号楼), a road with a house number, a household
    address. The loader checks that each is a place of one grid."""

    place: str
    road: str
    home: str


@dataclasses.dataclass(frozen=True)
class District:
    street_name: str
    street_aliases: tuple[str, ...]
    centre_name: str
    communities: Mapping[str, Community]  # id -> Community, in file order
    grids: Mapping[str, Grid]  # id -> Grid, in file order
    office_hours: tuple[tuple[dt.time, dt.time], ...]
    categories: Mapping[str, CategoryForce]
    staff: Mapping[str, Staff]  # id -> Staff
    examples: PlaceExamples
    # The mediation office: its rooms and the length of a bookable slot. A file
    # without a mediation section has no rooms, so only online slots are offered.
    rooms: tuple[Room, ...] = ()
    slot_minutes: int = 60

    def __post_init__(self) -> None:
        # Frozen all the way down: the district is shared by every request, so
        # nobody may change a mapping under someone else's feet.
        for field in ("communities", "grids", "categories", "staff"):
            object.__setattr__(self, field, types.MappingProxyType(dict(getattr(self, field))))
        object.__setattr__(self, "street_aliases", tuple(self.street_aliases))
        object.__setattr__(self, "rooms", tuple(self.rooms))
        object.__setattr__(self, "office_hours", tuple(tuple(r) for r in self.office_hours))

    def grids_of_community(self, community_id: str) -> tuple[Grid, ...]:
        return tuple(g for g in self.grids.values() if g.community_id == community_id)

    def community_of(self, grid_id: str) -> Community | None:
        grid = self.grids.get(grid_id)
        return self.communities.get(grid.community_id) if grid else None

    def staff_by_role(self, role: str) -> tuple[Staff, ...]:
        """Staff with this role, ordered by id (so "first by id" is [0])."""
        return tuple(sorted((s for s in self.staff.values() if s.role == role), key=lambda s: s.id))

    def covers(self, member: Staff, grid_id: str) -> bool:
        """Whether a staff member's scope includes the grid.

        A grid is covered when it is listed, when its community is listed (that is
        how a grid leader covers the grids of its community), or always for the
        command centre, whose scope is the whole street.
        """
        grid = self.grids.get(grid_id)
        if grid is None:
            return False
        if member.role == COMMAND_CENTRE:
            return True
        return grid_id in member.grids or grid.community_id in member.communities

    def staff_covering(self, grid_id: str, role: str) -> tuple[Staff, ...]:
        """Staff of a role whose scope includes the grid, ordered by id."""
        return tuple(s for s in self.staff_by_role(role) if self.covers(s, grid_id))
