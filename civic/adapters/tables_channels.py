"""What the chat channels keep in the store: the buttons offered to each person.

A button's callback data carries only a short id; the payload it stands for stays
here, so a press can only ever mean something that was offered to that person.
"""
from sqlalchemy import Column, DateTime, Index, String, Table, Text

from civic.adapters.tables import metadata

button_offers = Table(
    "button_offers", metadata,
    Column("user_id", String(64), primary_key=True),
    Column("offer_id", String(16), primary_key=True),
    # The buttons shown together under one message: pressing one answers them all.
    Column("group_id", String(16), nullable=False),
    Column("kind", String(16), nullable=False),  # dialogue | notice
    Column("title", Text, nullable=False),
    Column("payload", Text, nullable=False),
    Column("created_at", DateTime, nullable=False),
    Column("closed_at", DateTime),
    Column("closed_why", String(16)),  # answered | superseded
    # The incoming update that pressed it: a replay of that update may press it again.
    Column("pressed_by", String(64)),
    Index("ix_button_offers_user_open", "user_id", "kind", "closed_at"),
)
