"""Evidence residents send with their reports: photos, kept by the channel's file id."""
from sqlalchemy import Column, DateTime, Index, Integer, String, Table, Text, UniqueConstraint

from civic.adapters.tables import metadata

# A row without a case is pending: sent during (or just before) a report, it goes to
# the case that report files. The channel's file id is all that is kept: Telegram
# serves the photo to the bot (and so to staff) by that id, no image bytes are stored.
evidence = Table(
    "evidence", metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("resident_id", String(64)),  # None once the resident's data was deleted
    Column("kind", String(16), nullable=False),  # photo
    Column("file_id", Text, nullable=False),
    Column("received_at", DateTime, nullable=False),
    Column("case_number", String(32)),
    Column("attached_at", DateTime),
    # The same update handled twice (a replay) keeps the photo once.
    UniqueConstraint("resident_id", "file_id", name="uq_evidence_resident_file"),
    Index("ix_evidence_resident_pending", "resident_id", "case_number"),
    Index("ix_evidence_case_number", "case_number"),
)
