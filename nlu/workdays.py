"""Working days and public holidays on the Chinese calendar, plus data/holidays.yml."""
from __future__ import annotations

import datetime as dt
import functools
import logging
from pathlib import Path

import chinese_calendar
import yaml

log = logging.getLogger(__name__)
HOLIDAYS_FILE = Path(__file__).resolve().parent.parent / "data" / "holidays.yml"

# chinese_calendar's English names, keyed by the words residents use.
HOLIDAY_NAMES = {
    "元旦": "New Year's Day", "春节": "Spring Festival", "清明": "Tomb-sweeping Day",
    "清明节": "Tomb-sweeping Day", "劳动节": "Labour Day", "五一": "Labour Day",
    "端午": "Dragon Boat Festival", "端午节": "Dragon Boat Festival",
    "中秋": "Mid-autumn Festival", "中秋节": "Mid-autumn Festival",
    "国庆": "National Day", "国庆节": "National Day",
}
# Statutory dates that never move, for years nobody has published yet.
_FIXED = {(1, 1): "New Year's Day", (5, 1): "Labour Day", (10, 1): "National Day",
          (10, 2): "National Day", (10, 3): "National Day"}


@functools.lru_cache(maxsize=1)
def _published(path: Path = HOLIDAYS_FILE) -> dict[int, dict[dt.date, str | None]]:
    """{year: {date: holiday name, or None for a make-up working day}} from the YAML file."""
    data = yaml.safe_load(path.read_text(encoding="utf-8")) if path.exists() else None
    years: dict[int, dict[dt.date, str | None]] = {}
    for year, spec in (data or {}).items():
        days = years.setdefault(int(year), {})
        for block in spec.get("holidays", []):
            day = block["from"]
            while day <= block["to"]:
                days[day] = HOLIDAY_NAMES.get(block["name"], block["name"])
                day += dt.timedelta(days=1)
        for day in spec.get("workdays", []):
            days[day] = None
    return years


@functools.lru_cache(maxsize=None)
def _warn_unpublished(year: int) -> None:
    log.warning("no holiday data for %s: using weekends and fixed statutory dates", year)


def holiday_name(day: dt.date) -> str | None:
    """The public holiday on this day, or None on a working day or a plain weekend."""
    if day.year in _published():
        return _published()[day.year].get(day)
    try:
        is_holiday, name = chinese_calendar.get_holiday_detail(day)
        return name if is_holiday else None
    except NotImplementedError:
        _warn_unpublished(day.year)
        return _FIXED.get((day.month, day.day))


def is_workday(day: dt.date) -> bool:
    if day.year in _published():
        known = _published()[day.year]
        if day in known:
            return known[day] is None
        return day.weekday() < 5
    try:
        return chinese_calendar.is_workday(day)
    except NotImplementedError:
        _warn_unpublished(day.year)
        return day.weekday() < 5 and (day.month, day.day) not in _FIXED


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
