"""删除我的数据: a resident's identifiers leave every record the store keeps.

What the street office keeps, and why (recorded with the erasure):
- their cases, as the record of work done and for the rates, with the reporter
  replaced by a marker, the address reduced to the estate, road or grid, the
  contact phone gone and names, phones, ID and room numbers in the text masked;
- the points ledger's balance, for audit, under the same marker;
- the history, outbox and deliveries of those cases, with the same replacements.

What goes: the profile, upcoming mediation bookings (cancelled, the mediator told;
the other party's name and phone removed from every booking), an open handoff
(ended), buttons, inbox bodies, pending photos. The channel forgets the
conversation (Rasa's tracker) itself, told by the reply. A later message starts a
new, empty profile; the erasure record stays.
"""
from __future__ import annotations

import dataclasses
import datetime as dt

from civic.domain.accounts import erased_marker
from civic.domain.actors import RESIDENT, Actor
from civic.domain.errors import NotAllowed
from civic.domain.mediation import BOOKED
from civic.domain.privacy import ERASED_WORD, scrub
from civic.domain.routing import place_of

CANCELLED_BY_ERASURE = "erasure"  # the reason a booking was cancelled: words in the texts
WHY_KEPT = {
    "cases": "the street office's record of work done and its rates, without the reporter",
    "points": "the ledger's balance, for audit, under an erased-resident marker",
}


@dataclasses.dataclass(frozen=True)
class Erased:
    cases: int  # kept without them
    bookings_cancelled: int
    points_balance: int  # kept under the marker


def erase_my_data(uow, services, *, actor: Actor, now: dt.datetime) -> Erased:
    if actor.role != RESIDENT:
        raise NotAllowed(f"{actor.role} {actor.id} may not erase a resident's data")
    resident_id, marker = actor.id, erased_marker()
    district = services.district
    profile = uow.accounts.resident(resident_id)
    reported = uow.erasure.reported_cases(resident_id)
    words = tuple(w for w in (profile.display_name, profile.phone) if w) if profile else ()
    words += tuple(row["contact_phone"] for row in reported if row["contact_phone"])
    booked = uow.bookings.for_resident(resident_id, limit=1000)
    words += tuple(w for b in booked for w in (b.other_party_name, b.other_party_phone) if w)
    places = {}
    for exact in [profile.household_address if profile else None, *(row["address"] for row in reported)]:
        if exact:
            places[exact] = _reduced(district, exact)

    def scrubbed(text: str) -> str:
        return scrub(text, words=words, places=places)

    def reduce(address: str) -> str:
        return places.get(address, _reduced(district, address))

    cancelled = _cancel_upcoming(uow, booked, marker, now)
    numbers = uow.erasure.cases(resident_id, marker, scrubbed, reduce)
    uow.erasure.history(resident_id, marker, numbers, scrubbed)
    uow.erasure.deliveries(resident_id, marker)
    uow.erasure.handoffs(resident_id, marker, scrubbed, now)
    uow.erasure.bookings(resident_id, marker, scrubbed, ERASED_WORD)
    balance = uow.points.balance(resident_id)
    uow.erasure.points(resident_id, marker, scrubbed)
    uow.evidence.forget(resident_id)
    uow.erasure.channels(resident_id)
    uow.erasure.profile(resident_id)
    # Events written by this commit (the cancellations) name the marker only.
    uow.erasure.outbox(resident_id, marker, numbers, scrubbed)
    erased = Erased(len(numbers), cancelled, balance)
    uow.erasure.record(resident_id, now, {"cases": erased.cases, "bookings_cancelled": cancelled,
                                          "points_balance": balance, "why": WHY_KEPT})
    uow.commit()
    return erased


def _reduced(district, address: str) -> str:
    return place_of(district, address) or ""


def _cancel_upcoming(uow, booked: list, marker: str, now: dt.datetime) -> int:
    """Upcoming bookings are cancelled as the marker (the mediator is told; nobody else),
    so the cancellation's event names no one."""
    cancelled = 0
    for booking in booked:
        if booking.state == BOOKED and booking.starts_at > now:
            booking.resident_id = marker
            booking.cancel(Actor.resident(marker), now, CANCELLED_BY_ERASURE)
            uow.bookings.save(booking)
            uow.events.extend(booking.events)
            booking.events = []
            cancelled += 1
    return cancelled
