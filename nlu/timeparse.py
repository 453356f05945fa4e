"""Time expressions in normalised Chinese text, resolved against "now" (Asia/Shanghai).

Direction follows the words: 昨/前天/上周 look back, everything else looks ahead. A bare
weekday or hour means the next one, as for an appointment; weeks start on Monday.
When only a part of day is known the value is the date plus a part.
"""
from __future__ import annotations

import calendar
import dataclasses
import datetime as dt
import re

from nlu import workdays
from nlu.numerals import parse_number

_N = r"(?:[0-9]{1,2}|[零一二两三四五六七八九十]{1,3})"

_DAY_OFFSETS = {
    "大前天": -3, "前天": -2, "昨天": -1, "昨日": -1, "昨儿个": -1, "昨儿": -1,
    "今天": 0, "今日": 0, "今儿个": 0, "今儿": 0,
    "明天": 1, "明日": 1, "明儿个": 1, "明儿": 1, "后天": 2, "大后天": 3,
}
_DAY_PARTS = {  # one word for a day and a part of it
    "今早": (0, "morning"), "今晨": (0, "morning"), "今晚": (0, "evening"),
    "今夜": (0, "night"), "明早": (1, "morning"), "明晨": (1, "morning"),
    "明晚": (1, "evening"), "昨晚": (-1, "evening"), "昨夜": (-1, "night"),
}
_PARTS = {
    "早上": "morning", "早晨": "morning", "清晨": "morning", "上午": "morning", "一早": "morning",
    "中午": "afternoon", "下午": "afternoon", "午后": "afternoon",
    "傍晚": "evening", "晚上": "evening",
    "夜里": "night", "夜间": "night", "半夜": "night", "深夜": "night", "凌晨": "night",
}
_WEEK_OFFSETS = {"上上": -2, "上": -1, "这": 0, "本": 0, "下": 1, "下下": 2}
_WEEKDAYS = {"一": 1, "二": 2, "三": 3, "四": 4, "五": 5, "六": 6, "日": 7, "天": 7,
             "1": 1, "2": 2, "3": 3, "4": 4, "5": 5, "6": 6, "7": 7}
_MONTH_ENDS = ("月底", "月末", "月初", "年底", "年末")
_HOLIDAYS = ("元旦", "春节", "清明节", "清明", "劳动节", "五一", "端午节", "端午",
             "中秋节", "中秋", "国庆节", "国庆")


def _alternation(words) -> str:
    return "|".join(sorted(words, key=len, reverse=True))


_DATE = (
    rf"(?P<daypart>{_alternation(_DAY_PARTS)})"
    rf"|(?P<day>{_alternation(_DAY_OFFSETS)})"
    rf"|(?P<wprefix>{_alternation(_WEEK_OFFSETS)})?个?(?:周|星期|礼拜)(?:(?P<wd>[一二三四五六日天1-7])|(?P<weekend>末))"
    rf"|(?P<mprefix>下个?|本|这个?)?(?P<mend>{_alternation(_MONTH_ENDS)})"
    rf"|(?:(?P<y>\d{{4}})年)?(?:(?P<m>{_N})月)(?:(?P<d>{_N})[号日])?"
    rf"|(?P<d2>{_N})[号日](?![楼院线门栋])"
    rf"|(?P<holiday>{_alternation(_HOLIDAYS)})(?P<after>后)?"
    rf"|(?P<workday>下一?个工作日|节后)"
)
_CLOCK = (
    rf"(?P<h>{_N})(?:点钟?|时|:(?=\d{{2}}))"
    rf"(?:(?P<half>半)|(?P<quarter>一刻|三刻)|(?P<min>[0-9]{{2}}|[一二三四五]?十[一二三四五六七八九]?|[零〇][一二三四五六七八九]|[0-9])分?)?"
)
_PATTERN = re.compile(
    rf"(?P<date>{_DATE})?的?(?P<part>{_alternation(_PARTS)})?(?P<clock>{_CLOCK})?"
)
_HABITUAL = re.compile(r"(?:每|天天|经常|一到)\S?$")


@dataclasses.dataclass(frozen=True)
class TimeSpan:
    start: int
    end: int
    value: str  # YYYY-MM-DDTHH:MM, or YYYY-MM-DD
    part: str | None = None


def find_times(text: str, now: dt.datetime) -> list[TimeSpan]:
    """Concrete time expressions in text, resolved relative to now (local, naive)."""
    spans = []
    for match in _PATTERN.finditer(text):
        if not (match.group("date") or match.group("clock")):
            continue
        if _HABITUAL.search(text[max(0, match.start() - 2):match.start()]):
            continue
        span = _resolve(match, now)
        if span is not None:
            spans.append(span)
    return spans


def _resolve(match: re.Match, now: dt.datetime) -> TimeSpan | None:
    date, part = _date(match, now.date()) if match.group("date") else (None, None)
    if match.group("date") and date is None:
        return None
    part = _PARTS.get(match.group("part") or "", part)
    if not match.group("clock"):
        if date is None:
            return None
        return TimeSpan(match.start(), match.end(), date.isoformat(), part)
    clock = _clock(match, part, has_context=bool(date or match.group("part")))
    if clock is None:
        if date is None:
            return None
        # "明天一点儿" and the like: keep the date, drop what is not a clock.
        end = match.start("clock")
        return TimeSpan(match.start(), end, date.isoformat(), part)
    hour, minute, twelve_hour = clock
    if date is not None and twelve_hour and hour <= 6:
        hour += 12  # 明天三点 is an afternoon, as for an appointment
    at = _when(now, date, hour, minute, twelve_hour)
    return TimeSpan(match.start(), match.end(), at.strftime("%Y-%m-%dT%H:%M"))


def _clock(match: re.Match, part: str | None, has_context: bool):
    """(hour, minute, ambiguous 12-hour?) or None when it is not a time of day."""
    hour_text = match.group("h")
    hour = parse_number(hour_text)
    if hour_text in ("一", "两") and not has_context and not (
        match.group("half") or match.group("min") or match.group("quarter")
        or match.group("clock").startswith(hour_text + "点钟")
    ):
        return None  # 快一点, 小声一点, 两点意见
    minute = 0
    if match.group("half"):
        minute = 30
    elif match.group("quarter"):
        minute = 15 if match.group("quarter") == "一刻" else 45
    elif match.group("min"):
        minute = parse_number(match.group("min"))
    if hour is None or minute is None or hour > 24 or minute > 59:
        return None
    if part == "evening" and (hour < 5 or hour == 12):
        hour += 24 if hour < 5 else 12  # 晚上一点 and 晚上十二点 are after midnight
    elif part in ("afternoon", "evening") and hour < 12:
        if not (part == "afternoon" and hour >= 11):
            hour += 12
    elif part == "night" and 7 <= hour <= 11:
        hour += 12
    elif part == "night" and hour == 12:
        hour = 24
    return hour, minute, part is None and 1 <= hour <= 12


def _when(now: dt.datetime, date, hour: int, minute: int, twelve_hour: bool) -> dt.datetime:
    if date is not None:
        return dt.datetime.combine(date, dt.time()) + dt.timedelta(hours=hour, minutes=minute)
    today = dt.datetime.combine(now.date(), dt.time())
    hours = [hour, hour + 12] if twelve_hour and hour < 12 else [hour % 24]
    candidates = [today + dt.timedelta(days=d, hours=h, minutes=minute)
                  for d in (0, 1) for h in hours]
    return min(c for c in candidates if c > now)


def _date(match: re.Match, today: dt.date):
    """(date, part) for the date group, or (None, None) when it names no real date."""
    g = match.group
    if g("daypart"):
        offset, part = _DAY_PARTS[g("daypart")]
        return today + dt.timedelta(days=offset), part
    if g("day"):
        return today + dt.timedelta(days=_DAY_OFFSETS[g("day")]), None
    if g("wd") or g("weekend"):
        return _weekday(today, g("wprefix"), 6 if g("weekend") else _WEEKDAYS[g("wd")]), None
    if g("mend"):
        return _month_edge(today, g("mprefix") or "", g("mend")), None
    if g("m") or g("d2"):
        return _calendar_date(today, g("y"), g("m"), g("d") or g("d2")), None
    if g("holiday"):
        holiday = workdays.next_holiday(today, g("holiday"))
        if holiday is not None and g("after"):
            return workdays.first_workday_after_holiday(holiday), None
        return holiday, None
    if g("workday") == "节后":
        return workdays.first_workday_after_holiday(today), None
    return workdays.next_workday(today), None


def _weekday(today: dt.date, prefix: str | None, weekday: int) -> dt.date:
    monday = today - dt.timedelta(days=today.weekday())
    if prefix is None:
        # A bare weekday is the next one after today.
        ahead = (weekday - 1 - today.weekday()) % 7 or 7
        return today + dt.timedelta(days=ahead)
    return monday + dt.timedelta(days=7 * _WEEK_OFFSETS[prefix] + weekday - 1)


def _month_edge(today: dt.date, prefix: str, edge: str) -> dt.date:
    if edge in ("年底", "年末"):
        return dt.date(today.year, 12, 31)
    year, month = today.year, today.month
    if prefix.startswith("下") or (edge == "月初" and today.day > 1 and not prefix):
        year, month = (year + 1, 1) if month == 12 else (year, month + 1)
    if edge == "月初":
        return dt.date(year, month, 1)
    return dt.date(year, month, calendar.monthrange(year, month)[1])


def _calendar_date(today: dt.date, year_text, month_text, day_text) -> dt.date | None:
    if month_text and not day_text:
        return None  # a month alone (11月份) names no date
    month = parse_number(month_text) if month_text else None
    day = parse_number(day_text)
    year = int(year_text) if year_text else today.year
    if day is None or (month_text and month is None):
        return None
    try:
        if month is None:  # 25号: the next 25th, this month or the next
            candidate = _safe_date(year, today.month, day)
            if candidate is None or candidate < today:
                y, m = (year + 1, 1) if today.month == 12 else (year, today.month + 1)
                candidate = _safe_date(y, m, day)
            return candidate
        candidate = dt.date(year, month, day)
        if not year_text and candidate < today:
            candidate = dt.date(year + 1, month, day)
        return candidate
    except ValueError:
        return None


def _safe_date(year: int, month: int, day: int) -> dt.date | None:
    try:
        return dt.date(year, month, day)
    except ValueError:
        return None
