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


@pytest.mark.parametrize(
    "text, value",
    [
        ("二号楼一单元", "2号楼1单元"),
        ("十二号楼三单元楼道灯坏了", "12号楼3单元"),
        ("我住在二号楼一单元五零二", "2号楼1单元502"),
        ("两号楼门口", "2号楼"),  # 两 before 号 is a number
        ("五栋二单元电梯坏了", "5栋2单元"),
        ("二单元五零一漏水", "2单元501"),
        ("第五栋楼下", "第5栋"),
        ("3-2-502漏水", "3-2-502"),
    ],
)
def test_a_house_number_said_alone_keeps_its_first_numeral(text, value):
    found = find_addresses(normalise(text))
    assert [(a.value, a.place) for a in found] == [(value, None)]


def test_a_space_between_estate_and_building_keeps_them_together():
    found = find_addresses(normalise("望江花园 二号楼一单元"))
    assert [(a.value, a.place.canonical) for a in found] == [("望江花园 2号楼1单元", "望江花园")]


@pytest.mark.parametrize(
    "text, value",
    [
        ("杨柳胡同里有人乱倒垃圾", "杨柳胡同"),
        ("杨柳胡同口停满了车", "杨柳胡同口"),
        ("三条巷的路灯不亮", "三条巷"),
        ("建设街东头有个大坑", "建设街东头"),
        ("我在人民路上班", "人民路"),
        ("路过建设路口看到井盖没了", "建设路口"),
        ("杨柳里3号楼下", "杨柳里3号"),
        ("星河湾小区北门天天堵车", "星河湾小区北门"),
        ("红星家园东南角堆了建筑垃圾", "红星家园东南角"),
        ("菜场对面有人占道卖菜", "菜场对面"),
        ("学校附近晚上有人飙车", "学校附近"),
        ("人民医院对面的工地太吵", "人民医院对面"),
        ("投诉超市门口乱停车", "超市门口"),
        ("实验小学大门口堵得很", "实验小学大门口"),
    ],
)
def test_roads_lanes_gates_and_landmarks_outside_the_district(text, value):
    found = find_addresses(normalise(text))
    assert [(a.value, a.place) for a in found] == [(value, None)]


@pytest.mark.parametrize(
    "text, value, canonical",
    [
        ("望江菜市场对面有人摆摊", "望江菜市场", "望江菜市场"),
        ("东湖公园对面", "东湖公园", "东湖公园"),
        ("望花东门停车乱收费", "望花", "望江花园"),  # a gate makes a short alias a place
        ("菜场门口鱼摊乱泼水 就是清溪菜市场", "清溪菜市场", "清溪菜市场"),  # no 菜场门口 before it
    ],
)
def test_the_gazetteer_wins_over_generic_forms(text, value, canonical):
    found = find_addresses(normalise(text))
    assert [(a.value, a.place.canonical) for a in found] == [(value, canonical)]


@pytest.mark.parametrize(
    "text",
    [
        "这里有人吵架", "那边很吵", "家里漏水了", "心里不舒服", "附近的人都知道", "我家附近", "三点半",
        "花了一百块", "明天3号停水", "2026-11-18", "电话139-1234-5678", "我们小区门口",
        "路灯坏了", "小区路面坑坑洼洼", "走路去学校", "马路对面", "满大街都是", "一条街都是烧烤摊",
        "大街小巷", "死胡同", "去街道办", "两栋楼之间的空地", "三栋楼都停电了", "建议小区里装个充电桩",
        "老旧小区改造", "饭店门口", "高速路上堵车", "十字路口", "一路上", "那条胡同", "这条巷子",
        "楼里3号", "摩托车炸街",
    ],
)
def test_ordinary_words_times_and_amounts_are_not_addresses(text):
    assert find_addresses(normalise(text)) == []


@pytest.fixture(scope="module")
def district():
    from civic.adapters.district_file import load_district
    from nlu.gazetteer import DISTRICT_FILE

    return load_district(DISTRICT_FILE)


@pytest.mark.parametrize(
    "text",
    ["二号楼一单元楼道灯坏了", "杨柳胡同口停满了车", "学校附近晚上有人飙车", "金桂路上有个坑",
     "华府大厦门口堆了垃圾", "御景花园北门天天堵车", "书香门第小区5栋2单元漏水", "东湖大道5号门口"],
)
def test_a_place_outside_the_district_goes_to_triage_not_to_a_grid_its_name_contains(district, text):
    from civic.domain.routing import UNKNOWN, resolve_address

    value, = [a.value for a in find_addresses(normalise(text))]
    assert resolve_address(district, value).kind == UNKNOWN
