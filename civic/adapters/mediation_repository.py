"""Mediation bookings in the store: rows to bookings and back, slot claims, versions.

A live booking (booked, or done: the time was used) holds one ``booking_slots`` row
per resource it occupies. Every write that claims a slot runs in a savepoint, so a
slot someone else took leaves this transaction exactly as it was (the caller may
try another mediator or room) and surfaces as SlotTaken, never as a database error.
"""
from __future__ import annotations

import datetime as dt

from sqlalchemy import and_, delete, insert, select, update
from sqlalchemy.engine import Connection
from sqlalchemy.exc import IntegrityError

from civic.adapters.repository import _aware, _naive_utc
from civic.adapters.tables_mediation import booking_slots, bookings
from civic.domain.errors import ConcurrentUpdate
from civic.domain.mediation import BOOKED, CANCELLED, Booking, SlotTaken

_FIELDS = [c.name for c in bookings.columns if c.name != "version"]


class BookingRepository:
    def __init__(self, connection: Connection):
        self._conn = connection

    # --- aggregates --------------------------------------------------------------

    def add(self, booking: Booking) -> None:
        """Store a new booking and claim its slot; SlotTaken leaves nothing behind."""
        row = self._row(booking)
        with self._conn.begin_nested():
            self._conn.execute(insert(bookings).values(**row, version=1))
            self._claim(booking, booking.resources())
        booking.version = 1

    def get(self, booking_id: str) -> Booking | None:
        row = self._conn.execute(
            select(bookings).where(bookings.c.id == booking_id)).mappings().first()
        return self._booking(row) if row else None

    def save(self, booking: Booking) -> None:
        """Write a changed booking and move its slot claims with it.

        ConcurrentUpdate when someone saved it first; SlotTaken when the new slot is
        taken. Either way the savepoint is rolled back and the stored booking (and
        ``booking.version``) stay as they were.
        """
        with self._conn.begin_nested():
            done = self._conn.execute(
                update(bookings).where(and_(bookings.c.id == booking.id,
                                            bookings.c.version == booking.version))
                .values(**self._row(booking), version=booking.version + 1))
            if done.rowcount != 1:
                raise ConcurrentUpdate(f"booking {booking.id} was changed by someone else")
            held = {(r.resource, _aware(r.starts_at)) for r in self._conn.execute(
                select(booking_slots.c.resource, booking_slots.c.starts_at)
                .where(booking_slots.c.booking_id == booking.id))}
            wanted = set() if booking.state == CANCELLED else {
                (resource, booking.starts_at) for resource in booking.resources()}
            for resource, starts_at in held - wanted:
                self._conn.execute(delete(booking_slots).where(and_(
                    booking_slots.c.resource == resource,
                    booking_slots.c.starts_at == _naive_utc(starts_at))))
            new = [resource for resource, _ in sorted(wanted - held)]
            self._claim(booking, new)
        booking.version += 1

    def _claim(self, booking: Booking, resources) -> None:
        # One insert per resource, so the error can say which one was taken.
        for resource in resources:
            try:
                self._conn.execute(insert(booking_slots).values(
                    resource=resource, starts_at=_naive_utc(booking.starts_at),
                    booking_id=booking.id))
            except IntegrityError as error:
                raise SlotTaken(resource, booking.starts_at) from error

    # --- queries -----------------------------------------------------------------

    def booked_between(self, start: dt.datetime, end: dt.datetime) -> list[Booking]:
        """Live bookings starting in [start, end), by start (what free slots are cut from)."""
        rows = self._conn.execute(
            select(bookings).where(bookings.c.state == BOOKED,
                                   bookings.c.starts_at >= _naive_utc(start),
                                   bookings.c.starts_at < _naive_utc(end))
            .order_by(bookings.c.starts_at, bookings.c.id)).mappings()
        return [self._booking(r) for r in rows]

    def for_resident(self, resident_id: str, limit: int = 50) -> list[Booking]:
        """A resident's bookings, latest slot first."""
        rows = self._conn.execute(
            select(bookings).where(bookings.c.resident_id == resident_id)
            .order_by(bookings.c.starts_at.desc(), bookings.c.id).limit(limit)).mappings()
        return [self._booking(r) for r in rows]

    def latest(self, mediator_id: str | None = None, limit: int = 50) -> list[Booking]:
        """Bookings of every state, latest slot first, of one mediator or all.

        Walks ix_bookings_starts backwards; a district has a handful of mediators, so
        one mediator's bookings are found after a few times ``limit`` rows at most.
        """
        query = select(bookings)
        if mediator_id is not None:
            query = query.where(bookings.c.mediator_id == mediator_id)
        rows = self._conn.execute(
            query.order_by(bookings.c.starts_at.desc(), bookings.c.id)
            .limit(max(1, limit))).mappings()
        return [self._booking(r) for r in rows]

    # --- rows --------------------------------------------------------------------

    @staticmethod
    def _row(booking: Booking) -> dict:
        return {name: _naive_utc(getattr(booking, name)) for name in _FIELDS}

    @staticmethod
    def _booking(row) -> Booking:
        return Booking(**{name: _aware(row[name]) for name in _FIELDS}, version=row["version"])
