"""Routing on the demo district: addresses to grids, grids and categories to staff."""
from __future__ import annotations

import dataclasses
import datetime as dt
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from civic.adapters.district_file import load_district
from civic.domain.routing import (Assignment, Candidate, Resolution, choose_assignee,
                                  escalation_chain, resolve_address)

ROOT = Path(__file__).resolve().parents[3]
SHANGHAI = ZoneInfo("Asia/Shanghai")

# Local Shanghai times; 2025-11-17 is a Monday, 11-18 Tuesday, 11-19 Wednesday.
MONDAY_10AM = dt.datetime(2025, 11, 17, 10, 0, tzinfo=SHANGHAI)
TUESDAY_10AM = dt.datetime(2025, 11, 18, 10, 0, tzinfo=SHANGHAI)
TUESDAY_11PM = dt.datetime(2025, 11, 18, 23, 0, tzinfo=SHANGHAI)
WEDNESDAY_2AM = dt.datetime(2025, 11, 19, 2, 0, tzinfo=SHANGHAI)
NATIONAL_DAY_NIGHT = dt.datetime(2025, 10, 2, 22, 0, tzinfo=SHANGHAI)  # a Thursday


@pytest.fixture(scope="module")
def district():
    return load_district(ROOT / "data" / "district.yml")


# --- Addresses --------------------------------------------------------------------------


@pytest.mark.parametrize("text, grid_id", [
    ("阳光花园小区3号楼2单元", "JX-01"),
    ("阳光花园16栋", "JX-02"),
    ("望江花园3-2-502", "WJ-01"),
    ("望江花园13号楼", "WJ-02"),
    ("清溪路18号", "QX-01"),
    ("清溪路150号院", "QX-02"),
    ("滨江路35号", "WJ-01"),
    ("滨江路36号", "WJ-02"),
    ("滨江路101号", "WJ-03"),
    ("东湖公园南门", "HP-03"),
    ("金桂3栋", "QX-03"),
    ("望花12号楼", "WJ-01"),
    ("地铁站A口", "WJ-01"),
    ("电厂宿舍小区5号楼", "HP-03"),
    ("锦绣家园", "WJ-02"),
    ("望江路小学", "WJ-02"),
])
def test_an_address_resolves_to_its_grid(district, text, grid_id):
    resolution = resolve_address(district, text)
    assert (resolution.kind, resolution.grid_id) == ("grid", grid_id)
    assert [c.grid_id for c in resolution.candidates] == [grid_id]


def test_a_resolved_address_carries_a_label_to_confirm_with_the_resident(district):
    assert resolve_address(district, "望江花园3号楼").candidates == (
        Candidate("WJ-01", "望江花园1-12号楼（望江社区第一网格）"),)


def test_an_estate_split_over_grids_without_a_building_asks_which_part(district):
    assert resolve_address(district, "望江花园") == Resolution("ambiguous", None, (
        Candidate("WJ-01", "望江花园1-12号楼（望江社区第一网格）"),
        Candidate("WJ-02", "望江花园13-24号楼（望江社区第二网格）"),
    ))


def test_an_estate_alias_with_a_trailing_xiaoqu_but_no_building_is_still_ambiguous(district):
    resolution = resolve_address(district, "阳光花园小区2单元301")
    assert resolution.kind == "ambiguous"
    assert [c.grid_id for c in resolution.candidates] == ["JX-01", "JX-02"]


def test_a_road_without_a_number_asks_which_section(district):
    assert resolve_address(district, "滨江路") == Resolution("ambiguous", None, (
        Candidate("WJ-01", "滨江路1-59号单号（望江社区第一网格）"),
        Candidate("WJ-02", "滨江路2-60号双号（望江社区第二网格）"),
        Candidate("WJ-03", "滨江路61-199号（望江社区第三网格）"),
    ))


def test_a_landmark_word_shared_by_several_landmarks_asks_which_one(district):
    resolution = resolve_address(district, "菜市场")
    assert resolution.kind == "ambiguous" and resolution.grid_id is None
    assert [c.label for c in resolution.candidates] == [
        "望江菜市场（望江社区第一网格）",
        "清溪菜市场（清溪社区第一网格）",
        "锦秀菜市场（锦秀社区第一网格）",
        "和平菜市场（和平社区第一网格）",
    ]


def test_a_landmark_word_matching_one_landmark_is_offered_for_confirmation(district):
    resolution = resolve_address(district, "卫生服务中心旁边")
    assert resolution.kind == "ambiguous"
    assert resolution.candidates == (Candidate("QX-03", "清溪社区卫生服务中心（清溪社区第三网格）"),)


def test_a_community_name_alone_offers_the_grids_of_that_community(district):
    resolution = resolve_address(district, "清溪社区")
    assert resolution.kind == "ambiguous"
    assert [c.grid_id for c in resolution.candidates] == ["QX-01", "QX-02", "QX-03", "QX-04"]


@pytest.mark.parametrize("text", [
    "望江花园30号楼",  # no part of the estate has building 30
    "锦绣家园15号楼",
    "滨江路200号",  # beyond every section
    "星河湾小区5号楼",  # not in the district
    "望江街道综合指挥中心",  # the street office is no grid
    "",
])
def test_an_address_outside_every_range_or_name_is_unknown(district, text):
    assert resolve_address(district, text) == Resolution("unknown", None, ())


# --- Assignees ---------------------------------------------------------------------------


def assign(district, grid_id, category, at=TUESDAY_10AM, urgent=False, office=True, holiday=False):
    return choose_assignee(district, grid_id, category, urgent=urgent, at=at,
                           is_office_time=office, is_holiday=holiday)


def test_a_case_without_a_grid_goes_to_the_command_centre_for_triage(district):
    assert assign(district, None, "parking") == Assignment("cc-jiang", (), "triage")


def test_a_case_in_a_grid_the_district_does_not_know_goes_to_triage_too(district):
    assert assign(district, "XX-9", "noise").reason == "triage"


@pytest.mark.parametrize("grid_id, category, assignee, informed", [
    ("WJ-01", "parking", "gw-wj-01", ("cg-north",)),
    ("HP-02", "noise", "gw-hp-02", ("cg-south",)),
    ("JX-02", "environment", "gw-jx-02", ("cg-south",)),
    ("JX-02", "elderly_care", "sw-south", ("gw-jx-02",)),
    ("QX-03", "dispute", "md-lu", ("gw-qx-03",)),
    ("QX-04", "repair", "pm-north", ("gw-qx-04",)),
    ("WJ-03", "other", "cc-jiang", ()),
])
def test_in_office_hours_the_category_force_of_the_grid_is_assigned(district, grid_id, category, assignee, informed):
    assert assign(district, grid_id, category) == Assignment(assignee, informed, "category")


def test_an_urgent_case_in_office_hours_stays_with_the_category_force(district):
    assert assign(district, "WJ-01", "repair", urgent=True).assignee_id == "pm-north"


def test_an_urgent_case_at_night_goes_to_the_responder_on_duty_and_informs_the_usual_force(district):
    assignment = assign(district, "WJ-01", "repair", at=TUESDAY_11PM, urgent=True, office=False)
    assert assignment == Assignment("rs-song", ("pm-north", "gw-wj-01"), "on_duty")


def test_the_roster_day_is_the_shanghai_weekday_whatever_the_zone_of_the_time_given(district):
    # 18:00 UTC on Tuesday is 02:00 on Wednesday in Shanghai: Wednesday's responder.
    at = WEDNESDAY_2AM.astimezone(dt.timezone.utc)
    assert at.isoweekday() == 2
    assignment = assign(district, "WJ-01", "elderly_care", at=at, urgent=True, office=False)
    assert assignment.assignee_id == "rs-tang"


def test_on_a_public_holiday_the_holiday_responder_is_on_duty(district):
    # Thursday's responder rs-xiao does not work holidays; rs-dong and rs-pan do.
    assert assign(district, "JX-01", "repair", at=NATIONAL_DAY_NIGHT, urgent=True,
                  office=False).assignee_id == "rs-xiao"
    assert assign(district, "JX-01", "repair", at=NATIONAL_DAY_NIGHT, urgent=True, office=False,
                  holiday=True).assignee_id == "rs-dong"


def test_a_safety_case_in_office_hours_goes_to_the_responder_on_duty_that_day_first(district):
    # rs-dong comes first by id, but Tuesday is rs-xiao's day.
    assignment = assign(district, "JX-01", "safety", at=TUESDAY_10AM, urgent=True)
    assert assignment == Assignment("rs-xiao", ("gw-jx-01", "gl-jinxiu"), "safety")
    assert assign(district, "JX-01", "safety", at=MONDAY_10AM, urgent=True).assignee_id == "rs-dong"


def test_a_safety_case_out_of_office_hours_is_urgent_even_if_not_flagged(district):
    assignment = assign(district, "QX-01", "safety", at=TUESDAY_11PM, urgent=False, office=False)
    assert assignment == Assignment("rs-song", ("gw-qx-01", "gl-qingxi"), "on_duty")


def test_with_nobody_on_duty_an_urgent_case_falls_back_to_the_command_centre(district):
    no_responders = dataclasses.replace(
        district, staff={i: s for i, s in district.staff.items() if s.role != "responder"})
    assignment = assign(no_responders, "WJ-02", "repair", at=TUESDAY_11PM, urgent=True, office=False)
    assert assignment == Assignment("cc-jiang", ("pm-north", "gw-wj-02"), "fallback")


def test_with_no_force_covering_the_grid_the_case_falls_back_to_the_command_centre(district):
    no_property = dataclasses.replace(
        district, staff={i: s for i, s in district.staff.items() if s.role != "property"})
    assert assign(no_property, "HP-01", "repair") == Assignment("cc-jiang", ("gw-hp-01",), "fallback")


def test_choosing_an_assignee_refuses_a_time_without_a_zone(district):
    with pytest.raises(ValueError, match="timezone-aware"):
        assign(district, "WJ-01", "parking", at=dt.datetime(2025, 11, 18, 10, 0))


def test_choosing_an_assignee_refuses_an_unknown_category(district):
    with pytest.raises(ValueError, match="unknown category 'weather'"):
        assign(district, "WJ-01", "weather")


# --- Escalation --------------------------------------------------------------------------


def test_the_escalation_chain_runs_worker_leader_command_centre(district):
    assert escalation_chain(district, "QX-02") == ("gw-qx-02", "gl-qingxi", "cc-jiang")


def test_the_escalation_chain_of_an_unknown_grid_is_the_command_centre_at_every_level(district):
    assert escalation_chain(district, None) == ("cc-jiang", "cc-jiang", "cc-jiang")


# --- A shared location ------------------------------------------------------------------


@pytest.mark.parametrize("lat, lon, grid_id", [
    (30.5935, 114.2918, "WJ-01"),   # the middle of a polygon grid
    (30.5984, 114.2990, "WJ-03"),   # the corner of WJ-03 that bulges north along the river
    (30.5957, 114.3080, "QX-02"),
    (30.59125, 114.30838, "QX-04"),  # the centre of a circle grid
    (30.59300, 114.30838, "QX-04"),  # 195 m north of it, inside the 230 m radius
    (30.5815, 114.2950, "JX-03"),
    (30.5822, 114.3084, "HP-03"),
])
def test_a_location_inside_a_grids_area_finds_that_grid(district, lat, lon, grid_id):
    from civic.domain.routing import grid_at

    assert grid_at(district, lat, lon).id == grid_id


@pytest.mark.parametrize("lat, lon", [
    (30.6100, 114.3000),  # a kilometre north of the street
    (30.5895, 114.3105),  # the corner of QX-04's square that its circle leaves out
    (30.59335, 114.30838),  # 234 m north of QX-04's centre: just outside its radius
    (-30.5935, 114.2918),  # the right numbers in the southern hemisphere
])
def test_a_location_outside_every_area_finds_no_grid(district, lat, lon):
    from civic.domain.routing import grid_at

    assert grid_at(district, lat, lon) is None


def test_a_location_on_a_border_two_grids_share_goes_to_the_first_in_the_file(district):
    from civic.domain.routing import grid_at

    # WJ-01 and WJ-02 share the line at longitude 114.2935.
    assert grid_at(district, 30.5935, 114.2935).id == "WJ-01"
    assert grid_at(district, 30.5935, 114.29351).id == "WJ-02"


def test_a_grid_without_an_area_is_never_found_by_location(district):
    from civic.domain.routing import grid_at

    unmapped = dataclasses.replace(district, grids={
        gid: dataclasses.replace(g, area=None) if gid == "WJ-01" else g for gid, g in district.grids.items()})
    assert grid_at(unmapped, 30.5935, 114.2918) is None
