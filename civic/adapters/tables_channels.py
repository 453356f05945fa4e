"""What the chat channels keep in the store: the buttons offered to each person.

A button's callback data carries only a short id; the payload it stands for stays
here, so a press can only ever mean something that was offered to that person.
"""
from sqlalchemy import BigInteger, Column, DateTime, Index, Integer, String, Table, Text

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

# Every update a channel received, written before it is handled (DESIGN.md, "Inbox"):
# Telegram's update_id makes a redelivered update find its row, and rows not done are
# handled first on start. The update's body (a resident's words, phone, address) and
# its chat are kept only until the row is done.
inbox = Table(
    "inbox", metadata,
    Column("update_id", BigInteger, primary_key=True, autoincrement=False),
    Column("chat_id", String(32)),  # None for updates without a chat, and once done
    Column("received_at", DateTime, nullable=False),
    Column("state", String(16), nullable=False),  # pending | answered | done | failed
    Column("attempts", Integer, nullable=False, default=0),
    Column("body", Text),  # the update as JSON; cleared when done
    # The turn's replies, written before they are sent: a replay sends them again
    # instead of running the turn a second time.
    Column("replies", Text),
    Column("handled_at", DateTime),
    Column("error", Text),
    Index("ix_inbox_state", "state", "update_id"),
)

# The staff group's forum topics (DESIGN.md, "Staff group"): one per grid for case
# cards ("grid:<id>"), the command centre's ("centre"), one per handed-off resident
# ("handoff:<resident id>"). Created on first use and remembered; a topic staff
# deleted by hand is forgotten and created again.
staff_topics = Table(
    "staff_topics", metadata,
    Column("key", String(80), primary_key=True),
    Column("chat_id", BigInteger, nullable=False),
    Column("thread_id", BigInteger, nullable=False),
    Column("name", String(128), nullable=False),
    Column("created_at", DateTime, nullable=False),
    Index("ix_staff_topics_thread", "chat_id", "thread_id"),
)

# A case's card in its grid's topic, edited in place as the case moves: ``shown`` is
# the case's version the group shows (cases.version counts every change), so a card
# with shown < version waits for the group's budget (about 20 messages a minute),
# urgent cases first. ``summarised``: a burst was posted as one summary per topic,
# and the case gets its own card with its next change.
case_cards = Table(
    "case_cards", metadata,
    Column("case_number", String(32), primary_key=True),
    Column("topic_key", String(80), nullable=False),
    Column("chat_id", BigInteger),
    Column("message_id", BigInteger),
    Column("shown", Integer, nullable=False, default=0),
    Column("summarised", Integer, nullable=False, default=0),
    Column("photos", Integer, nullable=False, default=0),  # the case's photos posted under the card
)

# A question a staff member was asked after a press (进展 asks for the note, 延期 for
# the new deadline): their next message in that chat answers it.
staff_prompts = Table(
    "staff_prompts", metadata,
    Column("chat_id", BigInteger, primary_key=True, autoincrement=False),
    Column("user_id", BigInteger, primary_key=True, autoincrement=False),
    Column("move", String(16), nullable=False),
    Column("case_number", String(32), nullable=False),
    Column("argument", String(64)),
    Column("asked_at", DateTime, nullable=False),
)
