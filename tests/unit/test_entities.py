import datetime as dt

import pytest

from nlu.entities import find_case_ids, find_phones, local_now, merge, rule_entities
from nlu.normalise import normalise


@pytest.mark.parametrize(
    "text, phone",
    [
        ("我电话13812345678", "13812345678"),
        ("138 1234 5678", "13812345678"),
        ("139-1234-5678", "13912345678"),
        ("+86 159 0000 1111 找我", "15900001111"),
        ("手机：１８６１２３４５６７８", "18612345678"),
    ],
)
def test_mobile_numbers_however_spaced(text, phone):
    assert [e["value"] for e in find_phones(normalise(text))] == [phone]


@pytest.mark.parametrize("text", ["12345678901", "010-12345678", "1381234567", "138123456789", "20261122-0007"])
def test_what_is_not_a_mobile_number(text):
    assert find_phones(text) == []


def test_case_numbers_with_four_or_more_digits():
    found = find_case_ids("查一下20261122-0007和20261105-12345，还有20261341-0001")
    assert [e["value"] for e in found] == ["20261122-0007", "20261105-12345"]


@pytest.mark.parametrize("typed", ["202611220007", "20261122 0007", "20261122—0007", "20261122_0007",
                                   "单号：20261122－0007"])
def test_a_case_number_typed_without_its_dash_is_the_same_case(typed):
    assert [e["value"] for e in find_case_ids(normalise(typed))] == ["20261122-0007"]


@pytest.mark.parametrize("text", ["2026112200071", "20261341 0001", "110101199003071234", "20261122 14:30"])
def test_what_is_not_a_case_number(text):
    assert find_case_ids(normalise(text)) == []


def test_a_house_number_is_not_a_date():
    entities = rule_entities("清溪路25号门口", dt.datetime(2026, 11, 18, 10))
    assert [(e["entity"], e["value"]) for e in entities] == [("address", "清溪路25号")]


def test_one_message_with_every_kind():
    text = normalise("望江花园三号楼明天下午三点停水，电话138 1234 5678，单号20261118-0003")
    entities = {e["entity"]: e["value"] for e in rule_entities(text, dt.datetime(2026, 11, 18, 10))}
    assert entities == {
        "address": "望江花园3号楼",
        "time": "2026-11-19T15:00",
        "phone": "13812345678",
        "case_id": "20261118-0003",
    }


def test_local_now_is_shanghai_whatever_the_clock_zone():
    utc = dt.datetime(2026, 12, 31, 17, 30, tzinfo=dt.timezone.utc)
    assert local_now(utc) == dt.datetime(2027, 1, 1, 1, 30)


def test_a_house_number_said_alone_is_an_address():
    text = normalise("二号楼一单元楼道灯坏了 电话13812345678")
    entities = rule_entities(text, dt.datetime(2026, 11, 18, 10))
    assert [(e["entity"], e["value"]) for e in entities] == [
        ("address", "2号楼1单元"), ("phone", "13812345678")]


def test_a_place_outside_the_district_next_to_a_time():
    text = normalise("学校附近今天下午三点半有人烧垃圾")
    entities = rule_entities(text, dt.datetime(2026, 11, 18, 10))
    assert [(e["entity"], e["value"]) for e in entities] == [
        ("address", "学校附近"), ("time", "2026-11-18T15:30")]


def address(start, end, value):
    return {"entity": "address", "start": start, "end": end, "value": value}


def test_the_rule_house_number_wins_over_a_model_span_missing_its_first_numeral():
    rules = rule_entities("2号楼1单元")
    assert merge([address(1, 6, "号楼1单元")], rules) == rules


def test_a_model_name_before_a_house_number_said_alone_is_kept():
    model = address(0, 6, "星河湾2号楼")
    assert merge([model], rule_entities("星河湾2号楼楼下")) == [model]


def test_a_model_span_with_more_than_a_name_before_the_house_number_is_not_kept():
    rules = rule_entities("我住2号楼")
    assert merge([address(0, 5, "我住2号楼")], rules) == rules
