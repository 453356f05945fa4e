"""Working days and office hours for deadlines, in the street office's own zone.

Deadlines that count "working hours" or "working days" depend on the Chinese
holiday calendar: public holidays are days off and some weekends are make-up
working days (调休上班). Three sources, in order of authority for a year:

1. ``published``: years added from data/holidays.yml once the State Council
   publishes them (see :func:`load_published`);
2. the ``chinese_calendar`` package, which knows the years up to its release;
3. a fallback for a year nobody has published yet: weekends plus the fixed
   statutory dates (元旦 Jan 1, 劳动节 May 1, 国庆节 Oct 1-3), with a warning
   logged once per year. A deadline must never fail just because the calendar
   runs past what is known; it is merely less exact.

Office hours and working days are always evaluated in Asia/Shanghai, whatever
the machine's zone: every instant passed in must be timezone-aware, and every
instant returned is an aware datetime in UTC (the store keeps UTC).
"""
from __future__ import annotations

import datetime as dt
import logging
from typing import Any, Iterable, Mapping
from zoneinfo import ZoneInfo

import chinese_calendar

log = logging.getLogger(__name__)

LOCAL_ZONE = ZoneInfo("Asia/Shanghai")
UTC = dt.timezone.utc

# Fixed-date statutory holidays, used only for years nobody has published.
# The lunar festivals (春节, 清明, 端午, 中秋) move every year, so they cannot be
# guessed here; the make-up working days are unknowable too.
FALLBACK_HOLIDAYS: dict[tuple[int, int], str] = {
    (1, 1): "元旦",
    (5, 1): "劳动节",
    (10, 1): "国庆节",
    (10, 2): "国庆节",
    (10, 3): "国庆节",
}

# chinese_calendar names its holidays in English; residents read Chinese, and
# data/holidays.yml names them in Chinese, so one language comes out of here.
PACKAGE_HOLIDAY_NAMES: dict[str, str] = {
    "New Year's Day": "元旦",
    "Spring Festival": "春节",
    "Tomb-sweeping Day": "清明节",
    "Labour Day": "劳动节",
    "Dragon Boat Festival": "端午节",
    "National Day": "国庆节",
    "Mid-autumn Festival": "中秋节",
    "Anti-Fascist 70th Day": "中国人民抗日战争暨世界反法西斯战争胜利70周年纪念日",
}

# Guards the day-by-day searches: a calendar with no working day for this long
# is misconfigured, and looping forever would hang a request.
_MAX_DAYS_SCANNED = 3 * 366


class WorkCalendar:
    """Office hours on Chinese working days, in Asia/Shanghai.

    ``office_hours`` are local (naive) time ranges on a working day, e.g.
    ``[(08:30, 12:00), (13:30, 17:30)]``; each range includes its start and
    excludes its end. ``published`` maps a year to its explicit days:
    ``{date: holiday name}`` for days off and ``{date: None}`` for make-up
    working days; a year present there overrides the package for that year.
    """

    def __init__(
        self,
        office_hours: list[tuple[dt.time, dt.time]],
        published: dict[int, dict[dt.date, str | None]] | None = None,
    ) -> None:
        self.office_hours = _check_office_hours(office_hours)
        self.published = dict(published or {})
        # A published block may spill over the turn of the year (the 2023 元旦
        # break began on 2022-12-31), so explicit days are indexed by date, not
        # by the year they were filed under.
        self._explicit: dict[dt.date, str | None] = {}
        for days in self.published.values():
            self._explicit.update(days)
        self._warned_years: set[int] = set()

    # --- days -----------------------------------------------------------

    def is_workday(self, day: dt.date) -> bool:
        """True when the street office works on ``day`` (a local date).

        An aware datetime is accepted and taken as its Shanghai date.
        """
        return self._day_kind(_local_date(day))[0]

    def holiday_name(self, day: dt.date) -> str | None:
        """The public holiday's Chinese name when ``day`` is a holiday day off.

        None for working days (make-up working days included) and for ordinary
        weekends.
        """
        return self._day_kind(_local_date(day))[1]

    def _day_kind(self, day: dt.date) -> tuple[bool, str | None]:
        """(is a working day, holiday name) from the most authoritative source."""
        if day in self._explicit:
            name = self._explicit[day]
            return (name is None, name)
        if day.year in self.published:
            return (day.weekday() < 5, None)
        try:
            workday = chinese_calendar.is_workday(day)
            _, name = chinese_calendar.get_holiday_detail(day)
        except NotImplementedError:
            return self._fallback_day(day)
        if workday:
            # The package names make-up working days after their festival;
            # they are working days, not holidays.
            return (True, None)
        return (False, PACKAGE_HOLIDAY_NAMES.get(name, name) if name else None)

    def _fallback_day(self, day: dt.date) -> tuple[bool, str | None]:
        if day.year not in self._warned_years:
            self._warned_years.add(day.year)
            log.warning(
                "No holiday calendar published for %d: counting weekends and "
                "the fixed statutory holidays only; add the year to "
                "data/holidays.yml when the State Council publishes it",
                day.year,
            )
        name = FALLBACK_HOLIDAYS.get((day.month, day.day))
        if name:
            return (False, name)
        return (day.weekday() < 5, None)

    # --- office hours ---------------------------------------------------

    def is_office_time(self, at: dt.datetime) -> bool:
        """True when ``at`` falls inside office hours on a working day."""
        local = _to_local(at)
        if not self.is_workday(local.date()):
            return False
        moment = local.time().replace(tzinfo=None)
        return any(start <= moment < end for start, end in self.office_hours)

    def next_office_time(self, at: dt.datetime) -> dt.datetime:
        """The first office-time instant at or after ``at`` (``at`` itself when inside)."""
        start, _ = self._office_interval_from(at)
        return start

    def half_day(self, at: dt.datetime) -> tuple[dt.datetime, dt.datetime]:
        """The working half-day ``at`` counts for, as (start, end) in UTC: the office
        range holding ``at``, else the next one (an evening counts for the next morning).
        One office range of a working day is one half-day."""
        _, end = self._office_interval_from(_aware(at, "at"))
        local_end = end.astimezone(LOCAL_ZONE)
        start = next(s for s, e in self.office_hours if e == local_end.time())
        return _instant(local_end.date(), start).astimezone(UTC), end.astimezone(UTC)

    def _office_interval_from(self, at: dt.datetime) -> tuple[dt.datetime, dt.datetime]:
        """(first office instant at or after ``at``, end of that office range), in UTC."""
        local = _to_local(at)
        day = local.date()
        for _ in range(_MAX_DAYS_SCANNED):
            if self.is_workday(day):
                for start, end in self.office_hours:
                    range_start = _instant(day, start)
                    range_end = _instant(day, end)
                    if at < range_end:
                        return (max(at, range_start).astimezone(UTC), range_end)
            day += dt.timedelta(days=1)
        raise ValueError(f"no working day within {_MAX_DAYS_SCANNED} days of {at.isoformat()}")

    # --- deadline arithmetic --------------------------------------------

    def add_working_hours(self, start: dt.datetime, hours: float) -> dt.datetime:
        """``start`` plus ``hours`` of office time, skipping nights, breaks and days off.

        Only minutes inside office hours on working days count. A deadline
        that uses up an office range exactly ends at that range's close (e.g.
        Friday 17:30), not at the next opening. Zero hours gives the next
        office time.
        """
        _check_amount(hours, "hours")
        remaining = dt.timedelta(hours=hours)
        at = _aware(start, "start")
        while True:
            range_start, range_end = self._office_interval_from(at)
            available = range_end - range_start
            if remaining <= available:
                return (range_start + remaining).astimezone(UTC)
            remaining -= available
            at = range_end

    def add_working_days(self, start: dt.datetime, days: int) -> dt.datetime:
        """``days`` working days after ``start``, at the same local time of day.

        ``start`` is first moved to the next office time when it falls outside
        office hours (a case dispatched on Saturday starts counting at Monday's
        opening), then the date advances one working day at a time while the
        Shanghai time of day is kept: Friday 10:00 plus one working day is
        Monday 10:00, and a holiday week in between is skipped. Zero days
        gives the next office time.
        """
        if not isinstance(days, int) or isinstance(days, bool):
            raise TypeError(f"days must be a whole number, got {days!r}")
        _check_amount(days, "days")
        begin = _to_local(self.next_office_time(_aware(start, "start")))
        day = begin.date()
        for _ in range(days):
            day = self._next_workday_after(day)
        return _instant(day, begin.time().replace(tzinfo=None)).astimezone(UTC)

    def add_hours(self, start: dt.datetime, hours: float) -> dt.datetime:
        """``start`` plus ``hours`` on the clock: nights, weekends and holidays count."""
        _check_amount(hours, "hours")
        return (_aware(start, "start") + dt.timedelta(hours=hours)).astimezone(UTC)

    def _next_workday_after(self, day: dt.date) -> dt.date:
        for _ in range(_MAX_DAYS_SCANNED):
            day += dt.timedelta(days=1)
            if self.is_workday(day):
                return day
        raise ValueError(f"no working day within {_MAX_DAYS_SCANNED} days after {day}")


def load_published(data: Mapping[Any, Any] | None) -> dict[int, dict[dt.date, str | None]]:
    """Convert the parsed YAML of data/holidays.yml into ``WorkCalendar``'s ``published``.

    The file maps a year to ``holidays`` (a list of ``{name, from, to}`` ranges
    of days off; ``to`` may be left out for a single day) and ``workdays`` (the
    make-up working days). Dates may be YAML dates or ISO strings. Mistakes
    raise ValueError naming the entry, because a silently wrong holiday moves
    every deadline around it.
    """
    result: dict[int, dict[dt.date, str | None]] = {}
    for raw_year, block in (data or {}).items():
        year = _parse_year(raw_year)
        if block is None:
            block = {}
        if not isinstance(block, Mapping):
            raise ValueError(f"holidays {year}: expected a mapping with holidays/workdays")
        unknown = set(block) - {"holidays", "workdays"}
        if unknown:
            raise ValueError(f"holidays {year}: unknown keys {sorted(map(str, unknown))}")
        days: dict[dt.date, str | None] = {}
        for entry in block.get("holidays") or []:
            for day, name in _holiday_range(year, entry):
                if day in days:
                    raise ValueError(f"holidays {year}: {day} listed twice")
                days[day] = name
        for raw in block.get("workdays") or []:
            day = _parse_date(raw, year, "workdays")
            if day in days:
                raise ValueError(f"holidays {year}: {day} is both a holiday and a working day")
            days[day] = None
        result[year] = days
    return result


# --- helpers ----------------------------------------------------------------


def _check_office_hours(
    office_hours: Iterable[tuple[dt.time, dt.time]],
) -> list[tuple[dt.time, dt.time]]:
    ranges = sorted(office_hours)
    if not ranges:
        raise ValueError("office_hours must contain at least one range")
    for start, end in ranges:
        if start.tzinfo is not None or end.tzinfo is not None:
            raise ValueError("office hours are local Asia/Shanghai times; pass naive times")
        if not start < end:
            raise ValueError(f"office range {start}-{end} must end after it starts")
    for (_, end), (next_start, _) in zip(ranges, ranges[1:]):
        if next_start < end:
            raise ValueError(f"office ranges overlap at {next_start}")
    return ranges


def _check_amount(amount: float, what: str) -> None:
    if amount < 0:
        raise ValueError(f"{what} must not be negative, got {amount!r}")


def _aware(at: dt.datetime, what: str) -> dt.datetime:
    # A naive datetime would silently take the machine's zone, which is the
    # exact mistake this module exists to prevent.
    if not isinstance(at, dt.datetime):
        raise TypeError(f"{what} must be a datetime, got {type(at).__name__}")
    if at.tzinfo is None or at.utcoffset() is None:
        raise ValueError(f"{what} must be timezone-aware, got {at.isoformat()}")
    return at


def _to_local(at: dt.datetime) -> dt.datetime:
    return _aware(at, "instant").astimezone(LOCAL_ZONE)


def _local_date(day: dt.date) -> dt.date:
    if isinstance(day, dt.datetime):
        return _to_local(day).date()
    return day


def _instant(day: dt.date, time: dt.time) -> dt.datetime:
    """The aware instant of a local Shanghai wall-clock time."""
    return dt.datetime.combine(day, time, tzinfo=LOCAL_ZONE)


def _parse_year(raw: Any) -> int:
    try:
        year = int(raw)
    except (TypeError, ValueError):
        raise ValueError(f"holidays: {raw!r} is not a year") from None
    if not 1900 < year < 3000:
        raise ValueError(f"holidays: {raw!r} is not a year")
    return year


def _parse_date(raw: Any, year: int, where: str) -> dt.date:
    if isinstance(raw, dt.datetime):
        day = raw.date()
    elif isinstance(raw, dt.date):
        day = raw
    elif isinstance(raw, str):
        try:
            day = dt.date.fromisoformat(raw.strip())
        except ValueError:
            raise ValueError(f"holidays {year} {where}: {raw!r} is not a YYYY-MM-DD date") from None
    else:
        raise ValueError(f"holidays {year} {where}: {raw!r} is not a date")
    # A break may start in late December of the year before (2023's 元旦 began
    # on 2022-12-31) or end in early January after; anything further away is
    # a typo in the year.
    if abs(day.year - year) > 1:
        raise ValueError(f"holidays {year} {where}: {day} is not in or next to {year}")
    return day


def _holiday_range(year: int, entry: Any) -> list[tuple[dt.date, str]]:
    if not isinstance(entry, Mapping):
        raise ValueError(f"holidays {year}: expected {{name, from, to}}, got {entry!r}")
    name = entry.get("name")
    if not isinstance(name, str) or not name.strip():
        raise ValueError(f"holidays {year}: {entry!r} needs a name")
    if "from" not in entry:
        raise ValueError(f"holidays {year}: {name} needs a 'from' date")
    first = _parse_date(entry["from"], year, name)
    last = _parse_date(entry.get("to", entry["from"]), year, name)
    if last < first:
        raise ValueError(f"holidays {year}: {name} ends before it starts")
    if (last - first).days > 31:
        raise ValueError(f"holidays {year}: {name} is longer than a month")
    return [(first + dt.timedelta(days=i), name.strip()) for i in range((last - first).days + 1)]
