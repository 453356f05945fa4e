"""The mediation office's tables, on the one MetaData of civic.adapters.tables.

``booking_slots`` is what keeps a mediator or a room from being booked twice: one
row per (resource, slot start) that a live booking occupies, resource being
"mediator:<id>" or "room:<id>". Its primary key is the unique constraint, so when
two residents take the last slot at the same moment the database lets exactly one
insert through, whatever the readers saw before.
"""
from sqlalchemy import Column, DateTime, ForeignKey, Index, Integer, String, Table, Text

from civic.adapters.tables import metadata

bookings = Table(
    "bookings", metadata,
    Column("id", String(32), primary_key=True),
    Column("resident_id", String(64), nullable=False),
    Column("mediator_id", String(64), nullable=False),
    Column("room_id", String(32)),
    Column("mode", String(16), nullable=False),
    Column("starts_at", DateTime, nullable=False),
    Column("ends_at", DateTime, nullable=False),
    Column("dispute", Text, nullable=False),
    Column("other_party_name", String(64), nullable=False),
    Column("other_party_phone", String(32)),
    Column("case_number", String(32)),
    Column("state", String(16), nullable=False),
    Column("outcome", String(32)),
    Column("created_at", DateTime, nullable=False),
    Column("version", Integer, nullable=False, default=0),
    Index("ix_bookings_resident_starts", "resident_id", "starts_at"),
    Index("ix_bookings_starts", "starts_at"),
)

booking_slots = Table(
    "booking_slots", metadata,
    Column("resource", String(80), primary_key=True),
    Column("starts_at", DateTime, primary_key=True),
    Column("booking_id", String(32), ForeignKey("bookings.id"), nullable=False, index=True),
)
