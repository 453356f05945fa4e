import pytest

from nlu.address import find_addresses
from nlu.normalise import normalise


@pytest.mark.parametrize(
    "text, value, canonical",
    [
        ("阳光花园小区三号楼二单元楼道灯坏了", "阳光花园小区3号楼2单元", "阳光花园"),
        ("望江花园3-2-502漏水", "望江花园3-2-502", "望江花园"),
        ("清溪路18号门口堆了垃圾", "清溪路18号", "清溪路"),
        ("东湖公园南门有人跳舞", "东湖公园南门", "东湖公园"),
        ("金桂3栋楼下", "金桂3栋", "金桂园"),  # a short form with a building number
        ("望花十二号楼", "望花12号楼", "望江花园"),
        ("老纺织厂宿舍那边", "老纺织厂宿舍", "纺织厂宿舍"),
        ("地铁望江站A口有人摆摊", "地铁望江站A口", "地铁望江站A口"),
        ("幸福里小区门口", "幸福里小区", "幸福里"),
    ],
)
def test_known_places_with_house_numbers(text, value, canonical):
    found = find_addresses(normalise(text))
    assert [(a.value, a.place.canonical) for a in found] == [(value, canonical)]


@pytest.mark.parametrize(
    "text, value",
    [("我住在东方红小区5栋", "东方红小区5栋"), ("人民路88号有个坑", "人民路88号")],
)
def test_places_outside_the_district_are_still_addresses(text, value):
    found = find_addresses(normalise(text))
    assert [(a.value, a.place) for a in found] == [(value, None)]


@pytest.mark.parametrize("text", ["今天阳光很好", "我家楼下", "金桂花开了", "东湖很美"])
def test_short_forms_alone_are_not_places(text):
    assert find_addresses(normalise(text)) == []
