"""Address spans in normalised text: known places from the gazetteer, then generic forms.

The value is the span itself (normalised text); resolving it to a grid is civic's job.
"""
from __future__ import annotations

import bisect
import dataclasses
import functools
import re

from nlu.gazetteer import PlaceName, place_names

# House-number parts that may follow an estate or road name, in order.
_BUILDING = r"(?:\d+(?:号楼|号院|栋|幢|座|号)|\d+-\d+(?:-\d+)?)"
_UNIT = r"(?:-?\d+单元)"
_ROOM = r"(?:-?\d{3,4}(?:室|号)?|\d+楼)"
_HOUSE = f"{_BUILDING}{_UNIT}?{_ROOM}?"
# A space may come before a building (望江花园 3号楼), not before a bare 3号 (a date).
_SPACED_HOUSE = rf" (?:\d+(?:号楼|号院|栋|幢)|\d+-\d+(?:-\d+)?){_UNIT}?{_ROOM}?"
_ESTATE_TAIL = re.compile(f"(?:小区)?(?:{_HOUSE}|{_UNIT}{_ROOM}?|{_SPACED_HOUSE})?")
_ROAD_TAIL = re.compile(rf"(?:\d+号(?:院)?(?:{_HOUSE})?)?")
_LANDMARK_TAIL = re.compile(r"(?:[东南西北]门|[A-Da-d]口|\d号口)?")
# A short alias (阳光, 金桂) is a place only when a house number or 小区 follows it,
# or, for an estate, a gate (望花东门).
_SHORT_ALIAS_NEEDS = re.compile(rf"(?:小区|{_BUILDING}|{_UNIT})")
_ESTATE_GATE = re.compile(r"[东南西北]门")

_CJK = re.compile(r"[\u4e00-\u9fa5]")
# Characters that do not occur in the name of a place outside the gazetteer: the
# name starts after the last of them (来我们星河湾小区 -> 星河湾小区).
_NOT_IN_NAME = set("我你他她它们的在是了这那个到去从和与跟对把被给说住家有就还也都很太想要请帮着过让来"
                   "附近旁隔壁午晚早而且及此该本按问因离至往像走为么内变次几号栋幢室,.!?;:、 ")
# Words that end a stretch of speech before a name: the name starts after them.
_BEFORE_NAME = ("门口", "楼上", "楼下", "楼道", "路上", "路边", "晚上", "早上", "马上", "上午", "下午", "上班", "上学",
                "一下", "上面", "下面", "边上", "这边", "那边", "东边", "西边", "南边", "北边", "今天", "昨天", "明天",
                "前天", "后天", "每天", "天天", "白天", "当天", "整天", "半天", "几天", "聊天", "中午", "傍晚", "投诉",
                "反映", "举报", "位于", "地处", "路过", "经过", "通过", "穿过", "穿越", "靠近", "紧邻", "临近", "地址",
                "地点", "建议", "另外", "一句", "希望", "麻烦", "请问", "或者", "但是", "所以", "如果", "一直", "已经",
                "经常", "总是", "现在", "目前", "原本", "问题", "情况", "居民", "业主", "住户", "老人", "孩子", "小孩",
                "邻居", "自己", "小区", "所在", "整个", "周围", "周边", "导致", "造成", "影响", "使得", "距离", "作为",
                "关于", "进出", "进入", "出入", "未经", "占用", "侵占", "破坏", "维护", "改善", "解决", "发现", "听说",
                "看到", "重视", "缓解", "分流", "打通", "拉通", "左转", "右转", "调头", "掉头", "搬到", "来到", "回到",
                "走到", "同一", "大型", "期间", "全体", "假如", "统计", "回复", "听闻", "用于", "排入", "入读", "计算",
                "违建", "高危", "密集", "加建", "考虑", "拓宽", "处于", "其中", "同时", "加快", "规划", "街道", "社区",
                "辖区", "区", "县", "单元")
_BEFORE_NAME_WORD = re.compile("|".join(sorted(_BEFORE_NAME, key=len, reverse=True)))

# Places outside the gazetteer, each found from the word that ends its name.
_ESTATE_WORD = re.compile("小区|花园|家园|新村|公寓|大厦|家属院|宿舍|苑")
# A gate, corner or side locates a spot of an estate for whoever sorts the case out.
_ESTATE_SIDE = r"(?:[东南西北]{1,2}(?:门口?|角|侧)|(?:大|正|后|侧)门口?)"
_ESTATE_AFTER = re.compile(f"(?:小区)?(?:{_HOUSE}|{_UNIT}{_ROOM}?|{_SPACED_HOUSE}|{_ESTATE_SIDE})?")
# Modifiers that make 小区, 花园 or 公寓 a common noun (老旧小区, 小花园).
_ESTATE_NOT_NAMES = ("老旧", "其他", "其它", "封闭", "开放", "高档", "安置", "回迁", "拆迁", "商品房",
                     "保障房", "新建", "一些", "这些", "那些", "很多", "好多", "许多", "所有", "各个",
                     "美好", "精神", "学生", "女生", "男生", "员工", "职工", "生活", "文明", "城镇",
                     "复式", "商业", "空中", "屋顶", "小", "大", "后")
# 花园小区 and 二期小区 name no estate.
_ESTATE_NOT_NAME = re.compile(f"(?:{_ESTATE_WORD.pattern})|[一二三四五六七八九十\\d]+期")

_ROAD_WORD = re.compile("大道|大街|胡同|路|街|巷")
_ROAD_AFTER = re.compile(
    rf"(?:\d+弄(?:\d+号)?|\d+号院?(?:{_HOUSE})?|[东南西北]{{1,2}}(?:头|口|段|侧|边)|口)?")
# What the road word means when this follows it: 路灯, 路面, 街道, 巷子.
_ROAD_NOT_BEFORE = {"路": set("灯费况线程由面基障霸数子过演径途遇标友"), "街": set("道坊头区舞机拍景霸溜"),
                    "巷": set("子尾战"), "大道": set("理"), "大街": set("小道")}
# Common words and verbs ending in a road word: 马路, 走路, 沿街, 小巷, 死胡同.
_ROAD_NOT_NAMES = tuple(
    [c + "路" for c in "马道公铁水山土网线电思出一半小大岔弯近远夜后来去活死正歪套退走修让带迷上"
                       "过开断引领问赶绕抄拦封铺挖压堵占挡同顺沿满字往向朝多"]
    + [c + "街" for c in "上逛满沿临当过小整炸"]
    + ["小巷", "深巷", "陋巷", "里巷", "死胡同", "小胡同", "后街", "之路", "之街", "无路", "头路", "速路",
       "荫路", "灯路", "叉路", "石路", "泥路", "油路", "巴路", "山路", "支路", "辅路", "停路", "临路",
       "挤路", "余路", "分路", "旧路", "跑路", "救命路", "规划路", "施工路", "市政路", "临时路", "人行路",
       "主干路", "单行路", "荫大道", "性大道", "为大道"]
)
# 三条巷 is a lane, 三条街 three streets; 一条巷 and 这条胡同 are no names at all.
_COUNT = re.compile("[一二两三四五六七八九十几半整每这那哪]+条$")
_COUNT_WORD = re.compile("[一两几半整每这那哪]")
# Lanes named 里 only with a house number: 这里, 家里 and 心里 are no places.
_LANE_WORD = re.compile(r"里(?=\d+号)")
_LANE_AFTER = re.compile(rf"\d+号(?:{_HOUSE})?")
_LANE_NOT_NAMES = ("单元", "楼道", "院子", "村", "屋")  # 单元里, 村里: "inside"

# A landmark is a place only with where at it: 菜场对面, 学校附近, 人民医院东门.
_FREE_HEAD = ("菜市场|农贸市场|菜场|超市|学校|小学|中学|幼儿园|医院|卫生院|诊所|药店|药房|银行|派出所|"
              "居委会|公园|广场|商场|快递站|公交站|公交车站|地铁站|地铁口|火车站|汽车站|加油站|停车场|"
              "体育馆|图书馆|电影院|邮局|市场")
_NAMED_HEAD = "大桥|桥|酒店|宾馆|饭店|大楼|公司|厂|站|中心"  # a name must come before these
_LANDMARK = re.compile(rf"(?:(?P<free>{_FREE_HEAD})|(?P<named>{_NAMED_HEAD}))"
                       r"(?:(?P<gate>(?:[东南西北]{1,2}|大|正|后|侧)门)口?)?"
                       r"(?P<where>附近|对面|旁边|边上|门口|隔壁|周边|一带|后面|后边|前面|前边)?")

# A house number said alone (2号楼1单元): a building with 号, a building with its unit
# or room, a unit with its room, or 3-2-502. A bare 5栋 is left out: 两栋楼 counts.
_BARE_HOUSE = re.compile(
    rf"(?<![\d\-A-Za-z])(?:第?\d{{1,3}}(?:号楼|号院){_UNIT}?{_ROOM}?"
    rf"|第\d{{1,3}}(?:栋|幢){_UNIT}?{_ROOM}?"
    rf"|\d{{1,3}}(?:栋|幢)(?:{_UNIT}{_ROOM}?|-?\d{{3,4}}(?:室|号)?)"
    rf"|\d{{1,2}}单元-?\d{{3,4}}(?:室|号)?"
    rf"|\d{{1,3}}-\d{{1,2}}-\d{{3,4}}(?![\d\-]))"
)


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
            if not (_SHORT_ALIAS_NEEDS.match(text, end)
                    or place.kind == "estate" and _ESTATE_GATE.match(text, end)):
                continue
        tail = _tail_for(place.kind).match(text, end)
        end = tail.end() if tail else end
        spans.append(AddressSpan(match.start(), end, text[match.start():end], place))
    return spans


class _Taken:
    """Spans found so far, sorted and apart, for quick look-ups in long messages."""

    def __init__(self, spans: list[AddressSpan]):
        self.spans: list[AddressSpan] = []
        self._starts: list[int] = []
        self._ends: list[int] = []
        for span in sorted(spans, key=lambda s: s.start):
            self.add(span)

    def add(self, span: AddressSpan) -> None:
        i = bisect.bisect_left(self._starts, span.start)
        self.spans.insert(i, span)
        self._starts.insert(i, span.start)
        self._ends.insert(i, span.end)

    def overlaps(self, start: int, end: int) -> bool:
        i = bisect.bisect_left(self._starts, end) - 1
        return i >= 0 and self._ends[i] > start

    def end_before(self, at: int) -> int:
        """The end of the last span that ends at or before `at` (0 without one)."""
        i = bisect.bisect_right(self._ends, at) - 1
        return self._ends[i] if i >= 0 else 0


def _name_start(text: str, end: int, longest: int, taken: _Taken) -> int:
    """Where the name that ends at `end` starts: Chinese characters only, none of
    _NOT_IN_NAME, nothing of a span already taken, and after any _BEFORE_NAME word."""
    start = end
    floor = max(taken.end_before(end), end - longest)
    while start > floor and _CJK.match(text, start - 1) and text[start - 1] not in _NOT_IN_NAME:
        start -= 1
    cut = None
    for cut in _BEFORE_NAME_WORD.finditer(text, start, end):
        pass
    return cut.end() if cut else start


def _estates(text: str, taken: _Taken) -> None:
    for word in _ESTATE_WORD.finditer(text):
        if taken.overlaps(word.start(), word.end()):
            continue
        start = _name_start(text, word.start(), 6, taken)
        name = text[start:word.start()]
        if len(name) < 2 or name.endswith(_ESTATE_NOT_NAMES) or _ESTATE_NOT_NAME.fullmatch(name):
            continue
        end = _ESTATE_AFTER.match(text, word.end()).end()
        _add(text, start, end, taken)


def _roads(text: str, taken: _Taken) -> None:
    for word in _ROAD_WORD.finditer(text):
        if taken.overlaps(word.start(), word.end()):
            continue
        following = text[word.end():word.end() + 1]
        if following and following in _ROAD_NOT_BEFORE.get(word.group(), ""):
            continue
        start = _name_start(text, word.start(), 5, taken)
        name = text[start:word.start()]
        if len(name) < 2 or (name + word.group()).endswith(_ROAD_NOT_NAMES):
            continue
        count = _COUNT.search(name)
        if count and (word.group() not in ("巷", "胡同") or count.start() > 0 or _COUNT_WORD.match(name)):
            continue
        end = _ROAD_AFTER.match(text, word.end()).end()
        _add(text, start, end, taken)


def _lanes(text: str, taken: _Taken) -> None:
    for word in _LANE_WORD.finditer(text):
        start = _name_start(text, word.start(), 4, taken)
        end = _LANE_AFTER.match(text, word.end()).end()
        name = text[start:word.start()]
        if len(name) >= 2 and not name.endswith(_LANE_NOT_NAMES):
            _add(text, start, end, taken)


def _landmarks(text: str, taken: _Taken) -> None:
    for head in _LANDMARK.finditer(text):
        if not (head.group("gate") or head.group("where")) or taken.overlaps(head.start(), head.end()):
            continue
        start = _name_start(text, head.start(), 5, taken)
        if head.group("free") or head.start() - start >= 2:
            _add(text, start, head.end(), taken)


def _bare_house_numbers(text: str, taken: _Taken) -> None:
    for match in _BARE_HOUSE.finditer(text):
        _add(text, match.start(), match.end(), taken)


def _add(text: str, start: int, end: int, taken: _Taken) -> None:
    if not taken.overlaps(start, end):
        taken.add(AddressSpan(start, end, text[start:end], None))


def _generic_places(text: str, known: list[AddressSpan]) -> list[AddressSpan]:
    """Places outside the gazetteer, where no known place is: estates, landmarks with
    where at them, roads and lanes by name, then house numbers said alone.

    A message that names a known place gets no landmarks: 菜市场门口 would come
    first and hide 清溪菜市场 later on.
    """
    taken = _Taken(known)
    finders = [_estates, _landmarks, _roads, _lanes, _bare_house_numbers]
    if known:
        finders.remove(_landmarks)
    for finder in finders:
        finder(text, taken)
    return [s for s in taken.spans if s.place is None]


def could_name_a_place(text: str) -> bool:
    """Two to eight Chinese characters that may be a place's name (no 我, 的, 在 ...)."""
    return 2 <= len(text) <= 8 and all(_CJK.match(c) and c not in _NOT_IN_NAME for c in text)


def find_addresses(text: str, names: tuple[PlaceName, ...] | None = None) -> list[AddressSpan]:
    """Address spans in order of appearance; known places win over generic ones."""
    names = place_names() if names is None else names
    known = _known_places(text, names)
    return sorted(known + _generic_places(text, known), key=lambda s: s.start)
