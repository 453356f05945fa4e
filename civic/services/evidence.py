"""Photos a resident sends (DESIGN: "discover → submit"): kept by the channel's file id as
evidence of a case, for the staff who handle it.

Where a photo goes: to the report the resident is writing (kept pending, attached when
it is filed); else to the resident's most recent open case of their own; else kept
pending for the report they are asked to make next. A pending photo older than
PENDING_FOR is not attached to a new report: by then it was likely about something else.
"""
from __future__ import annotations

import dataclasses
import datetime as dt

from civic.domain.actors import RESIDENT, Actor
from civic.domain.case import OPEN, Case
from civic.domain.errors import CaseNotFound, DomainError, NotAllowed

PENDING_FOR = dt.timedelta(hours=24)


class NoFileId(DomainError):
    """A photo without the channel's id of it: there is nothing to keep."""


@dataclasses.dataclass(frozen=True)
class PhotoKept:
    case_number: str | None  # the case it was attached to; None: pending for the next report
    reporting: bool = False  # pending because a report is being written


def attach_photo(uow, *, actor: Actor, file_id: str, now: dt.datetime, case_number: str | None = None,
                 reporting: bool = False) -> PhotoKept:
    """Keep a resident's photo: on ``case_number`` (their own open case), pending while
    ``reporting``, else on their most recent open case, else pending.

    The same photo sent again (a replayed update) is kept once and answered as before.
    """
    if actor.role != RESIDENT:
        raise NotAllowed(f"{actor.role} {actor.id} may not send photos as a resident")
    file_id = (file_id or "").strip()
    if not file_id:
        raise NoFileId("a photo needs the channel's file id")
    known = uow.evidence.find(actor.id, file_id)
    if known is not None:
        return PhotoKept(known.case_number, reporting=known.case_number is None and reporting)
    if case_number is not None:
        case = uow.cases.get(case_number)
        if case is None or case.reporter_id != actor.id or case.state not in OPEN:
            raise CaseNotFound(case_number)
    else:
        latest = None if reporting else latest_open_case(uow, actor)
        # Loaded whole (a list leaves history out), so that the move is saved and published.
        case = uow.cases.get(latest.number) if latest else None
    if case is None:
        uow.evidence.add(resident_id=actor.id, file_id=file_id, received_at=now)
        uow.commit()
        return PhotoKept(None, reporting)
    case.add_photos(actor, now, (file_id,))
    uow.cases.save(case)
    uow.evidence.add(resident_id=actor.id, file_id=file_id, received_at=now, case_number=case.number)
    uow.commit()
    return PhotoKept(case.number)


def latest_open_case(uow, actor: Actor) -> Case | None:
    """The resident's own open case reported last (followed cases are someone else's)."""
    own = [c for c in uow.cases.list_for_resident(actor.id)
           if c.reporter_id == actor.id and c.state in OPEN]
    return max(own, key=lambda c: c.created_at, default=None)


def claim_pending(uow, *, actor: Actor, case: Case, now: dt.datetime) -> int:
    """Attach the resident's pending photos to the case being filed, in the caller's
    transaction (no commit); how many were attached."""
    photos = uow.evidence.pending(actor.id, since=now - PENDING_FOR)
    if photos:
        case.add_photos(actor, now, tuple(p.file_id for p in photos))
        uow.evidence.attach([p.id for p in photos], case.number, now)
    return len(photos)


def photos_of(uow, *, case_number: str) -> list:
    """The case's photos with their file ids and times, for staff (never shown to residents)."""
    return uow.evidence.for_case(case_number)
