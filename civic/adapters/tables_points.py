"""The points tables: ledger, rewards and redemptions (migration 0002 creates them)."""
from sqlalchemy import (CheckConstraint, Column, DateTime, ForeignKey, Index, Integer, String,
                        Table, Text, UniqueConstraint)

from civic.adapters.tables import metadata

# Append-only: rows are inserted, never updated or deleted.
points_ledger = Table(
    "points_ledger", metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("resident_id", String(64), nullable=False),
    Column("kind", String(32)),  # NULL for redemptions
    Column("amount", Integer, nullable=False),
    Column("reason", Text, nullable=False),
    Column("actor_id", String(64), nullable=False),
    Column("at", DateTime, nullable=False),
    Column("idempotency_key", String(128), nullable=False),
    Column("reverses", Integer, ForeignKey("points_ledger.id")),
    # A retried award or reversal counts once, even when two retries race.
    UniqueConstraint("resident_id", "idempotency_key", name="uq_points_ledger_resident_key"),
    Index("ix_points_ledger_resident_at", "resident_id", "at"),
    Index("ix_points_ledger_reverses", "reverses"),
)

rewards = Table(
    "rewards", metadata,
    Column("id", String(32), primary_key=True),
    Column("name", String(64), nullable=False),
    Column("price", Integer, nullable=False),
    Column("stock", Integer, nullable=False),
    # The last line of defence: the store refuses stock below zero whatever the code does.
    CheckConstraint("stock >= 0", name="ck_rewards_stock_not_negative"),
    CheckConstraint("price > 0", name="ck_rewards_price_positive"),
)

redemptions = Table(
    "redemptions", metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("code", String(8), nullable=False, unique=True),
    Column("resident_id", String(64), nullable=False, index=True),
    Column("reward_id", String(32), ForeignKey("rewards.id"), nullable=False),
    Column("at", DateTime, nullable=False),
    Column("collected_at", DateTime),
    Column("collected_by", String(64)),
)
