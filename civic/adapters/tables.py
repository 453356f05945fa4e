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
    # The conversation turn that confirmed the report: a replayed confirmation finds
    # the case it filed instead of filing a second one.
    Column("submission_key", String(128)),
    Index("ix_cases_reporter_created", "reporter_id", "created_at"),
    Index("ix_cases_grid_dispatched", "grid_id", "dispatched_at"),
    Index("ix_cases_state", "state"),
    Index("ux_cases_submission_key", "submission_key", unique=True),
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
    # The resident a booking, points or handoff event concerns; case events reach
    # residents through the case's reporter and followers.
    Column("resident_id", String(64), index=True),
)

# One row per (outbox event, recipient), written with the event in its transaction
# (civic.domain.recipients says who). The dispatcher claims due rows under a lease,
# sends them and marks them sent only after the sender accepted them.
deliveries = Table(
    "deliveries", metadata,
    Column("event_id", Integer, ForeignKey("outbox.id"), primary_key=True),
    Column("recipient", String(80), primary_key=True),  # resident:<id> | staff:<id> | centre:desk
    Column("audience", String(16), nullable=False),  # reporter, follower, assignee, ...: the words
    Column("state", String(8), nullable=False),  # pending | sent | failed | blocked
    Column("attempts", Integer, nullable=False, default=0),
    # None until an attempt failed: a new delivery is due at once, whatever clock the
    # event was recorded with (the console pins one; the admin CLI uses the real one).
    Column("next_attempt_at", DateTime),
    Column("lease_until", DateTime),  # a dispatcher is sending it until then
    Column("last_error", Text),
    Column("sent_at", DateTime),
    Index("ix_deliveries_due", "state", "next_attempt_at"),
    # A recipient's pending deliveries in event order: only the first is sent (in order).
    Index("ix_deliveries_recipient", "recipient", "state", "event_id"),
)
