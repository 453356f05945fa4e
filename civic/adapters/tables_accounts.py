"""Residents, staff account links and one-time link codes."""
from sqlalchemy import BigInteger, Column, DateTime, Index, Integer, String, Table, Text

from civic.adapters.tables import metadata

residents = Table(
    "residents", metadata,
    Column("id", String(64), primary_key=True),
    Column("display_name", Text),
    Column("household_address", Text),
    Column("phone", String(32)),
    Column("consent_at", DateTime),
    # Set when Telegram refused a message to them (they blocked the bot): deliveries to
    # them stop and staff see it with their cases; cleared (mark_reachable) when they
    # write to the bot again.
    Column("unreachable_at", DateTime),
    Column("unreachable_why", Text),
)

staff_links = Table(
    "staff_links", metadata,
    Column("staff_id", String(64), primary_key=True),
    Column("telegram_id", BigInteger, nullable=False, unique=True),
    Column("linked_at", DateTime, nullable=False),
)

link_codes = Table(
    "link_codes", metadata,
    Column("code", String(16), primary_key=True),
    Column("staff_id", String(64), nullable=False),
    Column("issued_by", String(64), nullable=False),
    Column("issued_at", DateTime, nullable=False),
    Column("expires_at", DateTime, nullable=False),
    Column("used_at", DateTime),
    Column("used_by", BigInteger),
)

# One row per erasure a resident asked for: when, and what the street office kept and
# why. The resident's id stays here (the record that they asked); nothing links it to
# the marker their cases and ledger rows carry now.
erasures = Table(
    "erasures", metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("resident_id", String(64), nullable=False),
    Column("erased_at", DateTime, nullable=False),
    Column("kept", Text, nullable=False),
    Index("ix_erasures_resident_id", "resident_id"),
)
