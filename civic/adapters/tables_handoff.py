"""Conversations handed to a person, and what was said in them."""
from sqlalchemy import Boolean, Column, DateTime, ForeignKey, Index, Integer, String, Table, Text

from civic.adapters.tables import metadata

handoffs = Table(
    "handoffs", metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("resident_id", String(64), nullable=False, index=True),
    Column("state", String(16), nullable=False),  # open | ended
    Column("reason", String(32), nullable=False),
    Column("case_number", String(32)),
    Column("requested_at", DateTime, nullable=False),
    Column("answer_by", DateTime, nullable=False),
    # The resident is told once that their messages reach staff, not after every one.
    Column("acknowledged", Boolean, nullable=False, default=False),
    Column("ended_at", DateTime),
    Column("ended_by", String(64)),
    Column("satisfaction", String(32)),
    # The staff group's topic of this handoff shows its messages up to this id (None:
    # its opening summary is not posted yet): the relay posts what came after.
    Column("relayed_upto", Integer),
)

handoff_messages = Table(
    "handoff_messages", metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("handoff_id", Integer, ForeignKey("handoffs.id"), nullable=False, index=True),
    Column("at", DateTime, nullable=False),
    Column("sender", String(16), nullable=False),  # resident | staff
    Column("staff_id", String(64)),
    Column("text", Text, nullable=False),
    Column("file_id", String(255)),  # a photo sent with it (the channel's file id)
    # The channel's update it came in (a replay after a crash finds it kept already).
    Column("update_key", String(64)),
    Index("ux_handoff_messages_update", "handoff_id", "update_key", unique=True),
)
