"""The district loader: the real file loads, and every kind of bad data is refused by name."""
from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
import yaml

from civic.adapters.district_file import DistrictDataError, load_district
from civic.domain.district import CATEGORIES

ROOT = Path(__file__).resolve().parents[3]

# A district small enough to read at a glance: one community, two grids, one of each force.
SMALL_DISTRICT = """
street: {name: 测试街道, aliases: [测试街道办], centre: 测试街道指挥中心}
communities:
  - id: east
    name: 东社区
    aliases: [东社区居委会]
    grids:
      - id: E-1
        name: 东社区第一网格
        estates:
          - {name: 甲小区, aliases: [甲], buildings: "1-5"}
        roads:
          - {name: 长路, from: 1, to: 49, side: odd}
        landmarks:
          - {name: 东菜市场, aliases: [东市场]}
      - id: E-2
        name: 东社区第二网格
        estates:
          - {name: 甲小区, buildings: "6-10"}
        roads:
          - {name: 长路, from: 2, to: 50, side: even}
          - {name: 长路, from: 51, to: 99}
office_hours: ["08:30-12:00", "13:30-17:30"]
examples: {place: 甲小区3号楼, road: 长路17号, home: 甲小区3号楼2单元}
categories:
  parking:      {assignee: grid_worker, informed: [urban_management]}
  elderly_care: {assignee: social_worker, informed: [grid_worker]}
  dispute:      {assignee: mediator, informed: [grid_worker]}
  repair:       {assignee: property, informed: [grid_worker]}
  noise:        {assignee: grid_worker, informed: [urban_management]}
  environment:  {assignee: grid_worker, informed: [urban_management]}
  safety:       {assignee: responder, informed: [grid_worker, grid_leader]}
  other:        {assignee: command_centre, informed: []}
staff:
  - {id: gw-1, name: 甲, role: grid_worker, grids: [E-1], phone: "138****0001", telegram_id: null}
  - {id: gw-2, name: 乙, role: grid_worker, grids: [E-2], phone: "138****0002", telegram_id: 42}
  - {id: gl-east, name: 丙, role: grid_leader, communities: [east], phone: "139****0001"}
  - {id: um-1, name: 丁, role: urban_management, grids: [E-1, E-2]}
  - {id: pm-1, name: 戊, role: property, grids: [E-1, E-2]}
  - {id: sw-1, name: 己, role: social_worker, communities: [east]}
  - {id: md-1, name: 庚, role: mediator, grids: [E-1, E-2]}
  - {id: rs-1, name: 辛, role: responder, grids: [E-1, E-2], on_duty: [mon, tue, wed, thu], holidays: true}
  - {id: rs-2, name: 壬, role: responder, grids: [E-1, E-2], on_duty: [fri, sat, sun], holidays: false}
  - {id: cc-1, name: 癸, role: command_centre}
"""


def small_district() -> dict:
    return yaml.safe_load(SMALL_DISTRICT)


def write(tmp_path: Path, data: dict) -> Path:
    path = tmp_path / "district.yml"
    path.write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False), encoding="utf-8")
    return path


def refusal(tmp_path: Path, data: dict) -> str:
    """The loader's message for data that must be refused."""
    with pytest.raises(DistrictDataError) as caught:
        load_district(write(tmp_path, data))
    return str(caught.value)


def staff_entry(data: dict, staff_id: str) -> dict:
    return next(s for s in data["staff"] if s["id"] == staff_id)


def grid_entry(data: dict, grid_id: str) -> dict:
    return next(g for c in data["communities"] for g in c["grids"] if g["id"] == grid_id)


# --- What loads ---------------------------------------------------------------------


def test_the_real_district_file_loads_with_thirteen_grids_and_every_category():
    district = load_district(ROOT / "data" / "district.yml")
    assert len(district.grids) == 13
    assert set(district.categories) == set(CATEGORIES)
    assert district.street_name == "望江街道"
    assert district.centre_name == "望江街道综合指挥中心"
    assert district.office_hours == ((dt.time(8, 30), dt.time(12, 0)), (dt.time(13, 30), dt.time(17, 30)))


def test_the_default_path_is_the_repository_district_file(monkeypatch):
    monkeypatch.chdir(ROOT)
    assert "WJ-01" in load_district().grids


def test_the_real_district_reads_places_staff_and_rosters():
    district = load_district(ROOT / "data" / "district.yml")
    wj01 = district.grids["WJ-01"]
    assert wj01.community_id == "wangjiang"
    assert wj01.estates[0].name == "望江花园" and (wj01.estates[0].first, wj01.estates[0].last) == (1, 12)
    assert "望花" in wj01.estates[0].aliases
    assert (wj01.roads[0].first, wj01.roads[0].last, wj01.roads[0].side) == (1, 59, "odd")
    tang = district.staff["rs-tang"]
    assert tang.on_duty == frozenset({1, 3, 5, 7}) and tang.holidays is True
    assert tang.phone_masked == "189****7001" and tang.telegram_id is None
    assert district.staff["gl-wangjiang"].communities == frozenset({"wangjiang"})


def test_the_small_district_loads_with_interleaved_road_sides(tmp_path):
    district = load_district(write(tmp_path, small_district()))
    assert [r.side for r in district.grids["E-2"].roads] == ["even", "both"]
    assert district.staff["gw-2"].telegram_id == 42


def test_district_helpers_answer_by_community_role_and_scope(tmp_path):
    district = load_district(write(tmp_path, small_district()))
    assert [g.id for g in district.grids_of_community("east")] == ["E-1", "E-2"]
    assert district.community_of("E-2").name == "东社区"
    assert district.community_of("XX-9") is None
    assert [s.id for s in district.staff_by_role("responder")] == ["rs-1", "rs-2"]
    # A grid leader covers the grids of its community; the command centre covers all.
    assert [s.id for s in district.staff_covering("E-2", "grid_leader")] == ["gl-east"]
    assert [s.id for s in district.staff_covering("E-2", "command_centre")] == ["cc-1"]
    assert [s.id for s in district.staff_covering("E-1", "grid_worker")] == ["gw-1"]
    assert district.staff_covering("XX-9", "command_centre") == ()


def test_the_loaded_district_cannot_be_changed_in_place(tmp_path):
    district = load_district(write(tmp_path, small_district()))
    with pytest.raises(TypeError):
        district.grids["E-9"] = district.grids["E-1"]


# --- What is refused ----------------------------------------------------------------


def test_a_refusal_names_the_file_the_entry_and_the_unknown_grid(tmp_path):
    data = small_district()
    staff_entry(data, "gw-1")["grids"] = ["XX-9"]
    path = tmp_path / "district.yml"
    message = refusal(tmp_path, data)
    assert f"{path}: staff gw-1: unknown grid XX-9" in message.splitlines()


def test_the_loader_error_is_a_value_error_listing_every_problem_at_once(tmp_path):
    data = small_district()
    staff_entry(data, "md-1")["grids"] = ["XX-9"]
    staff_entry(data, "sw-1")["communities"] = ["nowhere"]
    with pytest.raises(ValueError) as caught:
        load_district(write(tmp_path, data))
    assert isinstance(caught.value, DistrictDataError)
    assert ("staff md-1", "unknown grid XX-9") in caught.value.problems
    assert ("staff sw-1", "unknown community nowhere") in caught.value.problems


def test_a_staff_member_in_an_unknown_community_is_refused(tmp_path):
    data = small_district()
    staff_entry(data, "gl-east")["communities"] = ["west"]
    assert "staff gl-east: unknown community west" in refusal(tmp_path, data)


def test_buildings_of_one_estate_overlapping_across_grids_are_refused(tmp_path):
    data = small_district()
    grid_entry(data, "E-2")["estates"][0]["buildings"] = "5-10"
    assert "estate 甲小区: buildings 1-5 in E-1 overlap 5-10 in E-2" in refusal(tmp_path, data)


def test_buildings_of_one_estate_overlapping_within_one_grid_are_refused(tmp_path):
    data = small_district()
    grid_entry(data, "E-1")["estates"].append({"name": "甲小区", "buildings": "3-4"})
    assert "estate 甲小区: buildings 1-5 in E-1 overlap 3-4 in E-1" in refusal(tmp_path, data)


def test_a_malformed_building_range_is_refused(tmp_path):
    data = small_district()
    grid_entry(data, "E-1")["estates"][0]["buildings"] = "5-1"
    assert "grid E-1: estate 甲小区: buildings 5-1 must run upwards from 1" in refusal(tmp_path, data)


def test_road_sections_on_the_same_side_that_overlap_are_refused(tmp_path):
    data = small_district()
    grid_entry(data, "E-2")["roads"][0] = {"name": "长路", "from": 41, "to": 60, "side": "odd"}
    assert "road 长路: numbers 1-49 odd in E-1 overlap 41-60 odd in E-2" in refusal(tmp_path, data)


def test_a_road_section_on_both_sides_overlaps_an_odd_section(tmp_path):
    data = small_district()
    grid_entry(data, "E-2")["roads"][1]["from"] = 49
    assert "road 长路: numbers 1-49 odd in E-1 overlap 49-99 both in E-2" in refusal(tmp_path, data)


def test_a_both_sides_section_sharing_only_an_even_number_with_an_odd_one_loads(tmp_path):
    data = small_district()
    grid_entry(data, "E-1")["roads"][0]["to"] = 50
    grid_entry(data, "E-2")["roads"] = [{"name": "长路", "from": 50, "to": 99, "side": "both"}]
    load_district(write(tmp_path, data))  # both ranges hold 50, but 50 is not odd


def test_an_unknown_road_side_is_refused(tmp_path):
    data = small_district()
    grid_entry(data, "E-1")["roads"][0]["side"] = "left"
    assert "grid E-1: road 长路: side must be one of odd, even, both, got 'left'" in refusal(tmp_path, data)


def test_a_staff_member_without_grids_or_communities_is_refused(tmp_path):
    data = small_district()
    del staff_entry(data, "um-1")["grids"]
    assert "staff um-1: no scope: list grids or communities" in refusal(tmp_path, data)


def test_a_staff_member_with_an_unknown_role_is_refused(tmp_path):
    data = small_district()
    staff_entry(data, "pm-1")["role"] = "plumber"
    assert "staff pm-1: unknown role plumber" in refusal(tmp_path, data)


def test_a_missing_category_is_refused(tmp_path):
    data = small_district()
    del data["categories"]["noise"]
    assert "category noise: missing: every category needs a force" in refusal(tmp_path, data)


def test_a_category_without_a_force_is_refused(tmp_path):
    data = small_district()
    data["categories"]["repair"] = None
    assert "category repair: no force: an assignee role is needed" in refusal(tmp_path, data)


def test_a_category_whose_assignee_role_is_unknown_is_refused(tmp_path):
    data = small_district()
    data["categories"]["repair"]["assignee"] = "plumber"
    assert "category repair: unknown role plumber" in refusal(tmp_path, data)


def test_a_category_whose_informed_role_is_unknown_is_refused(tmp_path):
    data = small_district()
    data["categories"]["parking"]["informed"] = ["traffic_police"]
    assert "category parking: unknown role traffic_police" in refusal(tmp_path, data)


def test_a_category_the_product_does_not_know_is_refused(tmp_path):
    data = small_district()
    data["categories"]["weather"] = {"assignee": "grid_worker"}
    assert "category weather: unknown category" in refusal(tmp_path, data)


def test_a_grid_without_a_grid_worker_is_refused(tmp_path):
    data = small_district()
    data["staff"].remove(staff_entry(data, "gw-2"))
    assert "grid E-2: no grid_worker covers it" in refusal(tmp_path, data)


def test_a_grid_with_two_grid_workers_is_refused_because_of_one_worker_per_grid(tmp_path):
    data = small_district()
    staff_entry(data, "gw-1")["grids"] = ["E-1", "E-2"]
    assert "grid E-2: 2 grid_workers cover it (gw-1, gw-2); 一员一格 allows one" in refusal(tmp_path, data)


def test_a_grid_that_no_one_of_a_used_force_covers_is_refused(tmp_path):
    data = small_district()
    staff_entry(data, "um-1")["grids"] = ["E-1"]
    message = refusal(tmp_path, data)
    assert "grid E-2: nobody with role urban_management covers it (needed by parking, noise, environment)" in message


def test_duplicate_staff_ids_are_refused(tmp_path):
    data = small_district()
    data["staff"].append(dict(staff_entry(data, "cc-1")))
    assert "staff cc-1: duplicate id" in refusal(tmp_path, data)


def test_duplicate_grid_ids_are_refused(tmp_path):
    data = small_district()
    grid_entry(data, "E-2")["id"] = "E-1"
    assert "grid E-1: duplicate id" in refusal(tmp_path, data)


def test_duplicate_community_ids_are_refused(tmp_path):
    data = small_district()
    data["communities"].append({"id": "east", "name": "又一个东社区", "grids": []})
    assert "community east: duplicate id" in refusal(tmp_path, data)


def test_a_weekday_without_a_responder_on_duty_is_refused(tmp_path):
    data = small_district()
    staff_entry(data, "rs-2")["on_duty"] = ["fri"]
    assert "grid E-1: no responder on duty on sat, sun" in refusal(tmp_path, data)


def test_a_grid_without_a_holiday_responder_is_refused(tmp_path):
    data = small_district()
    staff_entry(data, "rs-1")["holidays"] = False
    message = refusal(tmp_path, data)
    assert "grid E-2: no responder on duty on public holidays (holidays: true)" in message


def test_an_unknown_roster_day_is_refused(tmp_path):
    data = small_district()
    staff_entry(data, "rs-2")["on_duty"] = ["fri", "sat", "sun", "someday"]
    assert "staff rs-2: on_duty day 'someday' is not one of mon..sun or 1..7" in refusal(tmp_path, data)


def test_a_district_without_a_command_centre_is_refused(tmp_path):
    data = small_district()
    data["staff"].remove(staff_entry(data, "cc-1"))
    assert "staff: no command_centre member (triage and fallbacks need one)" in refusal(tmp_path, data)


def test_an_unmasked_phone_number_written_as_a_number_is_refused(tmp_path):
    data = small_district()
    staff_entry(data, "gw-1")["phone"] = 13800000001
    assert "staff gw-1: phone must be quoted text" in refusal(tmp_path, data)


def test_overlapping_office_hours_are_refused(tmp_path):
    data = small_district()
    data["office_hours"] = ["08:30-12:00", "11:30-17:30"]
    assert "office_hours: ranges must be in order and not overlap (at 11:30)" in refusal(tmp_path, data)


def test_a_file_that_is_not_yaml_is_refused_by_name(tmp_path):
    path = tmp_path / "district.yml"
    path.write_text("staff: [unclosed", encoding="utf-8")
    with pytest.raises(DistrictDataError, match=f"^{path}: file: is not valid YAML"):
        load_district(path)


def test_a_missing_file_is_refused_by_name(tmp_path):
    with pytest.raises(DistrictDataError, match="nothing.yml: file: cannot be read"):
        load_district(tmp_path / "nothing.yml")


# --- Grid areas (for shared locations) ------------------------------------------------

SQUARE_1 = [[30.5900, 114.3000], [30.5900, 114.3010], [30.5890, 114.3010], [30.5890, 114.3000]]
SQUARE_2 = [[30.5900, 114.3010], [30.5900, 114.3020], [30.5890, 114.3020], [30.5890, 114.3010]]


def with_areas(area_1, area_2) -> dict:
    data = small_district()
    grid_entry(data, "E-1")["area"] = area_1
    grid_entry(data, "E-2")["area"] = area_2
    return data


def test_grids_sharing_a_border_load_with_their_areas(tmp_path):
    from civic.domain.geometry import Circle, Polygon

    district = load_district(write(tmp_path, with_areas(
        {"polygon": SQUARE_1}, {"centre": [30.5895, 114.3025], "radius_m": 48})))
    assert district.grids["E-1"].area == Polygon(tuple(tuple(p) for p in SQUARE_1))
    assert district.grids["E-2"].area == Circle((30.5895, 114.3025), 48.0)


def test_a_closed_ring_loses_its_repeated_corner(tmp_path):
    district = load_district(write(tmp_path, with_areas({"polygon": SQUARE_1 + [SQUARE_1[0]]}, None)))
    assert len(district.grids["E-1"].area.points) == 4 and district.grids["E-2"].area is None


def test_every_grid_of_the_real_district_has_an_area():
    district = load_district(ROOT / "data" / "district.yml")
    assert [g.id for g in district.grids.values() if g.area is None] == []


@pytest.mark.parametrize("area_2, entry", [
    # A square shifted half its width into the first one.
    ({"polygon": [[30.5900, 114.3005], [30.5900, 114.3015], [30.5890, 114.3015], [30.5890, 114.3005]]},
     "grid E-2: area overlaps the area of grid E-1"),
    # The same square twice: no corner strictly inside the other, no edge crossing.
    ({"polygon": SQUARE_1}, "grid E-2: area overlaps the area of grid E-1"),
    # A small square wholly inside the first one.
    ({"polygon": [[30.5897, 114.3003], [30.5897, 114.3006], [30.5894, 114.3006], [30.5894, 114.3003]]},
     "grid E-2: area overlaps the area of grid E-1"),
    # A circle whose centre is outside the square but whose radius reaches into it (50 m east).
    ({"centre": [30.5895, 114.3015], "radius_m": 60}, "grid E-2: area overlaps the area of grid E-1"),
])
def test_overlapping_areas_are_refused(tmp_path, area_2, entry):
    assert f"{tmp_path / 'district.yml'}: {entry}" in refusal(tmp_path, with_areas({"polygon": SQUARE_1}, area_2))


def test_two_circles_overlap_when_their_centres_are_closer_than_the_radii(tmp_path):
    # The centres are 111 m apart (0.001° of latitude).
    touching = with_areas({"centre": [30.5900, 114.30], "radius_m": 55}, {"centre": [30.5910, 114.30], "radius_m": 55})
    load_district(write(tmp_path, touching))
    overlapping = with_areas({"centre": [30.5900, 114.30], "radius_m": 60}, {"centre": [30.5910, 114.30], "radius_m": 60})
    assert "grid E-2: area overlaps the area of grid E-1" in refusal(tmp_path, overlapping)


@pytest.mark.parametrize("area, problem", [
    ({"centre": [114.30, 30.59], "radius_m": 200}, "grid E-1: area: centre: [114.3, 30.59] is not [latitude, longitude]"),
    ({"centre": [30.59], "radius_m": 200}, "grid E-1: area: centre: expected [latitude, longitude], got [30.59]"),
    ({"centre": [30.59, 114.30], "radius_m": 0}, "grid E-1: area: radius_m must be a number of metres from 1 to 5000, got 0"),
    ({"centre": [30.59, 114.30]}, "grid E-1: area: radius_m must be a number of metres"),
    ({"centre": [30.59, 114.30], "radius_m": 20000}, "radius_m must be a number of metres from 1 to 5000, got 20000"),
    ({"centre": [30.59, 114.30], "radius_m": 200, "polygon": SQUARE_1}, "grid E-1: area: expected either"),
    ({"radius_m": 200}, "grid E-1: area: expected either"),
    ({"polygon": SQUARE_1, "radius_m": 5}, "grid E-1: area: unknown keys radius_m"),
    ({"polygon": SQUARE_1[:2]}, "grid E-1: area: polygon needs at least 3 corners, got 2"),
    ({"polygon": [SQUARE_1[0], ["30.58", 114.3], SQUARE_1[2]]}, "grid E-1: area: corner 2: expected [latitude, longitude]"),
    ({"polygon": [SQUARE_1[0], SQUARE_1[2], SQUARE_1[1], SQUARE_1[3]]}, "grid E-1: area: polygon edges cross each other"),
    ({"polygon": [[30.59, 114.30], [30.591, 114.30], [30.592, 114.30]]}, "grid E-1: area: polygon encloses less than 100 m²"),
    ("30.59,114.30", "grid E-1: area: expected either"),
])
def test_a_bad_area_is_refused_by_grid_and_problem(tmp_path, area, problem):
    assert problem in refusal(tmp_path, with_areas(area, None))


def test_the_example_addresses_are_loaded():
    district = load_district(ROOT / "data" / "district.yml")
    assert (district.examples.place, district.examples.road) == ("望江花园3号楼", "清溪路18号")


@pytest.mark.parametrize("examples, problem", [
    (None, "examples: missing"),
    ({"place": "甲小区3号楼", "road": "长路17号"}, "examples: missing home"),
    ({"place": "乙小区3号楼", "road": "长路17号", "home": "甲小区3号楼2单元"},
     "examples: place '乙小区3号楼' is not a place of one grid"),
])
def test_example_addresses_must_be_places_of_one_grid(tmp_path, examples, problem):
    data = small_district()
    data["examples"] = examples
    if examples is None:
        del data["examples"]
    assert problem in refusal(tmp_path, data)


def test_a_circle_listed_before_the_polygon_it_reaches_into_is_refused_too(tmp_path):
    circle_first = with_areas({"centre": [30.5895, 114.3025], "radius_m": 60}, {"polygon": SQUARE_2})
    assert "grid E-2: area overlaps the area of grid E-1" in refusal(tmp_path, circle_first)
