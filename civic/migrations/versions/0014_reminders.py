"""reminders_sent: each reminder and weekly report the scheduler's jobs sent, once

Revision ID: 0014
Revises: 0013
"""
from alembic import op
import sqlalchemy as sa

revision = '0014'
down_revision = '0013'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('reminders_sent',
    sa.Column('subject', sa.String(length=64), nullable=False),
    sa.Column('kind', sa.String(length=32), nullable=False),
    sa.Column('at', sa.DateTime(), nullable=False),
    sa.Column('sent_at', sa.DateTime(), nullable=False),
    sa.PrimaryKeyConstraint('subject', 'kind', 'at')
    )


def downgrade() -> None:
    op.drop_table('reminders_sent')
