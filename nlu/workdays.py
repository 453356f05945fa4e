"""Working days and holidays for time expressions: the civic calendar's."""
from __future__ import annotations

import datetime as dt
import functools
from pathlib import Path

import yaml

from civic.domain.calendar import WorkCalendar, load_published

HOLIDAYS_FILE = Path(__file__).resolve().parent.parent / "data" / "holidays.yml"

# The words residents use for a holiday, to the calendar's names.
HOLIDAY_NAMES = {
    "元旦": "元旦", "春节": "春节", "清明": "清明节", "清明节": "清明节",
    "劳动节": "劳动节", "五一": "劳动节", "端午": "端午节", "端午节": "端午节",
    "中秋": "中秋节", "中秋节": "中秋节", "国庆": "国庆节", "国庆节": "国庆节",
}


@functools.lru_cache(maxsize=1)
def calendar() -> WorkCalendar:
    """The street office's calendar (chinese_calendar plus data/holidays.yml).

    Time expressions ask about days only, so office hours do not matter here.
    """
    data = yaml.safe_load(HOLIDAYS_FILE.read_text(encoding="utf-8")) if HOLIDAYS_FILE.exists() else None
    return WorkCalendar([(dt.time(0, 0), dt.time(23, 59))], load_published(data or {}))


def holiday_name(day: dt.date) -> str | None:
    return calendar().holiday_name(day)


def is_workday(day: dt.date) -> bool:
    return calendar().is_workday(day)


def next_workday(today: dt.date) -> dt.date:
    day = today + dt.timedelta(days=1)
    while not is_workday(day):
        day += dt.timedelta(days=1)
    return day


def first_workday_after_holiday(today: dt.date) -> dt.date:
    """节后: the first working day after the current or next public holiday."""
    day = today
    for _ in range(400):
        if holiday_name(day):
            break
        day += dt.timedelta(days=1)
    while not is_workday(day):
        day += dt.timedelta(days=1)
    return day


def next_holiday(today: dt.date, word: str) -> dt.date | None:
    """First day off of the next holiday called word (国庆 -> 10-01), today included."""
    wanted = HOLIDAY_NAMES[word]
    for offset in range(400):
        day = today + dt.timedelta(days=offset)
        previous = holiday_name(day - dt.timedelta(days=1))
        if holiday_name(day) == wanted and previous != wanted:
            return day
    return None
