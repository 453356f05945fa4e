"""Deadline tiers and the three deadlines of a dispatched case.

Tiers follow the Beijing 12345 service rules (see DESIGN, "Understanding"):
every case gets a sign-for (签收), a contact (联系) and a resolve-or-report
(办结或答复) deadline, counted from the moment it is dispatched. Urgent and
utilities cases count on the clock because a resident in danger or without
water cannot wait for Monday; the others count office time on working days.
"""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from enum import Enum

from civic.domain.calendar import WorkCalendar


class Tier(str, Enum):
    URGENT = "urgent"  # life or property at risk
    UTILITIES = "utilities"  # water, power, gas or heating out (水电气热)
    ORDINARY = "ordinary"  # everything else in a category
    COMPLEX = "complex"  # `other`, or several departments


CATEGORIES = (
    "parking",
    "elderly_care",
    "dispute",
    "repair",
    "noise",
    "environment",
    "safety",
    "other",
)

# A missing or fallen elder cannot wait for office hours.
ELDER_IN_DANGER = ("走失", "不见了", "找不到", "摔倒", "摔了", "晕倒", "倒地")

# Someone shut in a lift or a room.
PEOPLE_TRAPPED = ("困", "被关在")

# Words that contain 困 without anyone being trapped ("it is difficult",
# "it bothers us", "sleepy"); without this a leak that has "困扰" residents
# for weeks would be treated as an emergency.
NOT_TRAPPED = ("困难", "困扰", "贫困", "困倦", "犯困", "困惑")

# Fire and gas: the resident must call 119 before anything else.
FIRE_OR_GAS = ("着火", "起火", "失火", "火灾", "冒烟", "烧起来", "火苗", "煤气味", "燃气味",
               "煤气泄漏", "燃气泄漏", "漏气", "天然气泄漏", "液化气泄漏")

# Utilities out. Each entry is a group of words that must all appear: 燃气 and
# 停 can be apart ("燃气公司通知停了"), as can 暖气 and 不热.
UTILITIES_OUT: tuple[tuple[str, ...], ...] = (
    ("停水",),
    ("没水",),
    ("停电",),
    ("没电",),
    ("停气",),
    ("没气",),
    ("燃气", "停"),
    ("暖气", "不热"),
    ("没暖气",),
    ("停暖",),
)

# Words that would match UTILITIES_OUT by accident: 停电动车 (parking an
# e-bike), 没电梯 (no lift) say nothing about the power supply.
NOT_UTILITIES = ("电梯", "电动车", "电瓶车", "电动自行车")

# Categories whose tier does not depend on what the resident wrote.
FIXED_TIERS: dict[str, Tier] = {
    "safety": Tier.URGENT,
    "other": Tier.COMPLEX,
    "dispute": Tier.ORDINARY,
    "parking": Tier.ORDINARY,
    "noise": Tier.ORDINARY,
    "environment": Tier.ORDINARY,
}

# What the resident is told about the tier: the resolve-or-report promise.
TIER_LABELS: dict[Tier, str] = {
    Tier.URGENT: "2小时内办结",
    Tier.UTILITIES: "24小时内办结",
    Tier.ORDINARY: "7个工作日内办结",
    Tier.COMPLEX: "15个工作日内办结",
}


def assess_tier(category: str, description: str) -> Tier:
    """The deadline tier of a report, from its category and the resident's words."""
    if category in FIXED_TIERS:
        return FIXED_TIERS[category]
    text = description or ""
    if category == "elderly_care":
        return Tier.URGENT if _any_word(text, ELDER_IN_DANGER) else Tier.ORDINARY
    if category == "repair":
        # Trapped people come first: a power cut with someone stuck in the lift
        # is an emergency, not a utilities case.
        if _any_word(_without(text, NOT_TRAPPED), PEOPLE_TRAPPED):
            return Tier.URGENT
        if _any_group(_without(text, NOT_UTILITIES), UTILITIES_OUT):
            return Tier.UTILITIES
        return Tier.ORDINARY
    raise ValueError(f"unknown report category {category!r}; expected one of {CATEGORIES}")


@dataclass(frozen=True)
class Deadlines:
    """When a dispatched case must be signed for, the resident contacted, and
    the case resolved or the resident told why not; aware datetimes in UTC."""

    sign: dt.datetime
    contact: dt.datetime
    resolve: dt.datetime


@dataclass(frozen=True)
class Span:
    """An amount of time in one of the units the tier table uses."""

    amount: float
    unit: str  # "hours" (clock), "working_hours" or "working_days"

    def after(self, start: dt.datetime, calendar: WorkCalendar) -> dt.datetime:
        if self.unit == "hours":
            return calendar.add_hours(start, self.amount)
        if self.unit == "working_hours":
            return calendar.add_working_hours(start, self.amount)
        if self.unit == "working_days":
            return calendar.add_working_days(start, int(self.amount))
        raise ValueError(f"unknown span unit {self.unit!r}")


# DESIGN's tier table: (sign for, contact, resolve or report).
TIER_RULES: dict[Tier, tuple[Span, Span, Span]] = {
    Tier.URGENT: (Span(0.5, "hours"), Span(1, "hours"), Span(2, "hours")),
    Tier.UTILITIES: (Span(2, "hours"), Span(4, "hours"), Span(24, "hours")),
    Tier.ORDINARY: (Span(2, "working_hours"), Span(1, "working_days"), Span(7, "working_days")),
    Tier.COMPLEX: (Span(2, "working_hours"), Span(1, "working_days"), Span(15, "working_days")),
}


def deadlines_for(tier: Tier, dispatched_at: dt.datetime, calendar: WorkCalendar) -> Deadlines:
    """The three deadlines of a case of ``tier`` dispatched at ``dispatched_at``."""
    sign, contact, resolve = TIER_RULES[Tier(tier)]
    return Deadlines(
        sign=sign.after(dispatched_at, calendar),
        contact=contact.after(dispatched_at, calendar),
        resolve=resolve.after(dispatched_at, calendar),
    )


STEPS = ("sign", "contact", "resolve")


def overdue(
    deadlines: Deadlines,
    now: dt.datetime,
    signed_at: dt.datetime | None = None,
    contacted_at: dt.datetime | None = None,
    resolved_at: dt.datetime | None = None,
) -> list[str]:
    """Names of the deadlines that have passed while their step is still pending.

    A step done late is not reported: it is met late, which the response rate
    counts from the history, not something anyone can still act on. A later
    step implies the earlier ones (contact happens only after signing, and a
    resolution is reported to the resident), so a resolved case has nothing
    overdue. A deadline is passed once ``now`` is strictly after it.
    """
    if now.tzinfo is None or now.utcoffset() is None:
        raise ValueError(f"now must be timezone-aware, got {now.isoformat()}")
    done = [signed_at, contacted_at, resolved_at]
    late: list[str] = []
    for index, step in enumerate(STEPS):
        if any(at is not None for at in done[index:]):
            continue
        if now > getattr(deadlines, step):
            late.append(step)
    return late


def emergency_numbers(category: str, description: str) -> tuple[str, ...]:
    """The numbers to call at once (119 fire and gas, 110 trapped or missing people,
    120 the injured or ill), or none when the report is no emergency."""
    text = description or ""
    numbers = []
    if _any_word(text, FIRE_OR_GAS):
        numbers.append("119")
    if _any_word(_without(text, NOT_TRAPPED), PEOPLE_TRAPPED) or (
            category == "elderly_care" and _any_word(text, ("走失", "不见了", "找不到"))):
        numbers.append("110")
    if category == "elderly_care" and _any_word(text, ("摔倒", "摔了", "晕倒", "倒地")):
        numbers.append("120")
    return tuple(numbers)


@dataclass(frozen=True)
class Emergency:
    """A report that cannot wait: whom to call at once, and how the case is filed."""

    call: tuple[str, ...]  # 119 / 110 / 120, as emergency_numbers gives them
    category: str  # a category whose tier is urgent


def emergency(category: str, description: str) -> Emergency | None:
    """The emergency a report describes, or None when it is none.

    The case of an emergency must be urgent whatever category the words were
    taken for: a fire told as a noise complaint, or a report whose category is
    not known yet, is filed as safety (always urgent). A trapped person in a
    lift stays a repair and a fallen elder elderly care: their tier is urgent
    already, and the force of that category is the one who can help.
    """
    call = emergency_numbers(category, description)
    if not call:
        return None
    urgent = category in CATEGORIES and assess_tier(category, description) is Tier.URGENT
    return Emergency(call, category if urgent else "safety")


def _any_word(text: str, words: tuple[str, ...]) -> bool:
    return any(word in text for word in words)


def _any_group(text: str, groups: tuple[tuple[str, ...], ...]) -> bool:
    return any(all(word in text for word in group) for group in groups)


def _without(text: str, words: tuple[str, ...]) -> str:
    # Replaced by a separator, not deleted, so the characters either side of
    # a removed word cannot join into a keyword that was never written.
    for word in words:
        text = text.replace(word, "|")
    return text
