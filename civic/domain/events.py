"""Events of aggregates other than cases; written to the outbox with the change."""
from __future__ import annotations

import dataclasses
import datetime as dt


@dataclasses.dataclass(frozen=True)
class Event:
    name: str  # e.g. booking_created, points_awarded
    at: dt.datetime
    data: dict
    case_number: str | None = None
