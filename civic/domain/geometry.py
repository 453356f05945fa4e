"""Grid areas on the map: a centre with a radius, or a polygon, in (latitude, longitude).

A street office covers a few square kilometres, so distances are taken on a local flat
projection (metres east and north of a reference point): at that size its error is far
below a GPS fix's. A point on an area's edge is inside it, so that two grids sharing a
border leave no gap between them.
"""
from __future__ import annotations

import dataclasses
import itertools
import math

EARTH_RADIUS_M = 6_371_000.0
# Two areas closer than this (a centimetre) only touch: a shared border is no overlap.
TOUCH_M = 0.01

LatLon = tuple[float, float]
XY = tuple[float, float]


@dataclasses.dataclass(frozen=True)
class Circle:
    centre: LatLon
    radius_m: float

    def contains(self, lat: float, lon: float) -> bool:
        return distance_m(self.centre, (lat, lon)) <= self.radius_m + TOUCH_M


@dataclasses.dataclass(frozen=True)
class Polygon:
    points: tuple[LatLon, ...]  # three or more corners, not closed (the last is not the first)

    def contains(self, lat: float, lon: float) -> bool:
        origin = self.points[0]
        ring = [_xy(origin, p) for p in self.points]
        return _in_ring(ring, _xy(origin, (lat, lon)), edge=True)


Area = Circle | Polygon


def distance_m(a: LatLon, b: LatLon) -> float:
    x, y = _xy(a, b)
    return math.hypot(x, y)


def _xy(origin: LatLon, point: LatLon) -> XY:
    """Metres east and north of ``origin`` (equirectangular: exact enough for a street)."""
    lat0 = math.radians(origin[0])
    east = math.radians(point[1] - origin[1]) * math.cos(lat0) * EARTH_RADIUS_M
    north = math.radians(point[0] - origin[0]) * EARTH_RADIUS_M
    return east, north


# --- inside, on the edge ----------------------------------------------------------------


def _on_segment(p: XY, a: XY, b: XY) -> bool:
    return _segment_distance(p, a, b) <= TOUCH_M


def _segment_distance(p: XY, a: XY, b: XY) -> float:
    (px, py), (ax, ay), (bx, by) = p, a, b
    dx, dy = bx - ax, by - ay
    length2 = dx * dx + dy * dy
    t = 0.0 if length2 == 0 else max(0.0, min(1.0, ((px - ax) * dx + (py - ay) * dy) / length2))
    return math.hypot(px - (ax + t * dx), py - (ay + t * dy))


def _edges(ring: list[XY]):
    return zip(ring, ring[1:] + ring[:1])


def _in_ring(ring: list[XY], p: XY, edge: bool) -> bool:
    """Inside the polygon; on its edge counts as ``edge`` says."""
    if any(_on_segment(p, a, b) for a, b in _edges(ring)):
        return edge
    inside = False
    x, y = p
    for (ax, ay), (bx, by) in _edges(ring):
        if (ay > y) != (by > y) and x < ax + (y - ay) * (bx - ax) / (by - ay):
            inside = not inside
    return inside


# --- checks the district loader makes -----------------------------------------------------


def self_crossing(polygon: Polygon) -> bool:
    """Whether two edges that are not neighbours meet (a bow tie, a doubled corner)."""
    origin = polygon.points[0]
    edges = list(_edges([_xy(origin, p) for p in polygon.points]))
    n = len(edges)
    for i, j in itertools.combinations(range(n), 2):
        if j == i + 1 or (i == 0 and j == n - 1):
            continue  # neighbours share a corner
        if _segments_meet(*edges[i], *edges[j]):
            return True
    return False


def area_m2(polygon: Polygon) -> float:
    origin = polygon.points[0]
    ring = [_xy(origin, p) for p in polygon.points]
    return abs(sum(ax * by - bx * ay for (ax, ay), (bx, by) in _edges(ring))) / 2


def overlap(a: Area, b: Area) -> bool:
    """Whether the two areas share more than a border: some point lies inside both."""
    if isinstance(a, Circle) and isinstance(b, Circle):
        return distance_m(a.centre, b.centre) < a.radius_m + b.radius_m - TOUCH_M
    if isinstance(a, Circle):
        a, b = b, a
    origin = a.points[0]
    ring_a = [_xy(origin, p) for p in a.points]
    if isinstance(b, Circle):
        centre = _xy(origin, b.centre)
        nearest = min(_segment_distance(centre, p, q) for p, q in _edges(ring_a))
        return _in_ring(ring_a, centre, edge=True) or nearest < b.radius_m - TOUCH_M
    return _rings_overlap(ring_a, [_xy(origin, p) for p in b.points])


def _rings_overlap(a: list[XY], b: list[XY]) -> bool:
    """Some point strictly inside both polygons.

    If the insides meet, the common part has a border made of pieces of the two
    outlines; just beside such a piece lies a point inside both. So: cut every edge
    where the other outline meets it, and look a little to either side of the middle
    of every piece.
    """
    for ring, other in ((a, b), (b, a)):
        for p, q in _edges(ring):
            for s, t in _pieces(p, q, other):
                mx, my = (s[0] + t[0]) / 2, (s[1] + t[1]) / 2
                length = math.hypot(t[0] - s[0], t[1] - s[1])
                if length <= TOUCH_M:
                    continue
                nx, ny = -(t[1] - s[1]) / length, (t[0] - s[0]) / length
                for side in (1, -1):
                    probe = (mx + side * 10 * TOUCH_M * nx, my + side * 10 * TOUCH_M * ny)
                    if _in_ring(a, probe, edge=False) and _in_ring(b, probe, edge=False):
                        return True
    return False


def _pieces(p: XY, q: XY, other: list[XY]) -> list[tuple[XY, XY]]:
    """The edge p-q cut wherever the other outline crosses or touches it."""
    dx, dy = q[0] - p[0], q[1] - p[1]
    length2 = dx * dx + dy * dy
    cuts = {0.0, 1.0}
    for r, s in _edges(other):
        for point in (r, s):  # the other's corners lying on this edge
            if length2 and _on_segment(point, p, q):
                cuts.add(((point[0] - p[0]) * dx + (point[1] - p[1]) * dy) / length2)
        crossing = _crossing(p, q, r, s)
        if crossing is not None:
            cuts.add(crossing)
    ts = sorted(min(1.0, max(0.0, t)) for t in cuts)
    at = [(p[0] + t * dx, p[1] + t * dy) for t in ts]
    return list(zip(at, at[1:]))


def _crossing(p: XY, q: XY, r: XY, s: XY) -> float | None:
    """Where along p-q the segment r-s crosses it (0..1), if they cross at one point."""
    d1 = (q[0] - p[0], q[1] - p[1])
    d2 = (s[0] - r[0], s[1] - r[1])
    denominator = d1[0] * d2[1] - d1[1] * d2[0]
    if denominator == 0:
        return None  # parallel: shared stretches are cut at the corners instead
    t = ((r[0] - p[0]) * d2[1] - (r[1] - p[1]) * d2[0]) / denominator
    u = ((r[0] - p[0]) * d1[1] - (r[1] - p[1]) * d1[0]) / denominator
    return t if 0 <= t <= 1 and 0 <= u <= 1 else None


def _segments_meet(p: XY, q: XY, r: XY, s: XY) -> bool:
    return (_crossing(p, q, r, s) is not None or _on_segment(r, p, q) or _on_segment(s, p, q)
            or _on_segment(p, r, s) or _on_segment(q, r, s))
