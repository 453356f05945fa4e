"""The store's tables (SQLAlchemy Core). Alembic migrations create them; this is the map."""
from sqlalchemy import (Boolean, Column, Date, DateTime, ForeignKey, Index, Integer,
                        MetaData, String, Table, Text)

metadata = MetaData()

cases = Table(
    "cases", metadata,
    Column("number", String(32), primary_key=True),
    Column("reporter_id", String(64), index=True),
    Column("category", String(32), nullable=False),
    Column("tier", String(16), nullable=False),
    Column("description", Text, nullable=False),
    Column("address", Text, nullable=False, default=""),
    Column("grid_id", String(32)),
    Column("community_id", String(32)),
    Column("state", String(16), nullable=False),
    Column("assignee_id", String(64)),
    Column("informed_ids", Text, nullable=False, default=""),
    Column("escalation_level", Integer, nullable=False, default=0),
    Column("created_at", DateTime, nullable=False),
    Column("dispatched_at", DateTime),
    Column("signed_at", DateTime),
    Column("contacted_at", DateTime),
    Column("resolved_at", DateTime),
    Column("closed_at", DateTime),
    Column("sign_due", DateTime),
    Column("contact_due", DateTime),
    Column("resolve_due", DateTime),
    Column("solved", Boolean),
    Column("satisfaction", String(32)),
    Column("duplicate_of", String(32)),
    Column("contact_phone", String(32)),
    Column("version", Integer, nullable=False, default=0),
    Index("ix_cases_reporter_created", "reporter_id", "created_at"),
    Index("ix_cases_grid_dispatched", "grid_id", "dispatched_at"),
    Index("ix_cases_state", "state"),
)

case_history = Table(
    "case_history", metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("case_number", String(32), ForeignKey("cases.number"), nullable=False, index=True),
    Column("at", DateTime, nullable=False),
    Column("actor_id", String(64), nullable=False),
    Column("actor_role", String(32), nullable=False),
    Column("action", String(32), nullable=False),
    Column("from_state", String(16), nullable=False),
    Column("to_state", String(16), nullable=False),
    Column("note", Text, nullable=False, default=""),
)

case_followers = Table(
    "case_followers", metadata,
    Column("case_number", String(32), ForeignKey("cases.number"), primary_key=True),
    Column("resident_id", String(64), primary_key=True, index=True),
)

case_counters = Table(
    "case_counters", metadata,
    Column("day", Date, primary_key=True),
    Column("last", Integer, nullable=False),
)

outbox = Table(
    "outbox", metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("name", String(32), nullable=False),
    Column("case_number", String(32), index=True),
    Column("at", DateTime, nullable=False),
    Column("payload", Text, nullable=False),
    Column("delivered_at", DateTime),
    # The resident a booking, points or handoff event concerns; case events reach
    # residents through the case's reporter and followers.
    Column("resident_id", String(64), index=True),
)

notice_cursors = Table(
    "notice_cursors", metadata,
    Column("recipient_id", String(64), primary_key=True),
    Column("last_event_id", Integer, nullable=False),
)
