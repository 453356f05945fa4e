"""per-recipient notice cursors; outbox rows name the resident they concern

Revision ID: 0006
Revises: 0005
"""
from alembic import op
import sqlalchemy as sa

revision = '0006'
down_revision = '0005'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('notice_cursors',
    sa.Column('recipient_id', sa.String(length=64), nullable=False),
    sa.Column('last_event_id', sa.Integer(), nullable=False),
    sa.PrimaryKeyConstraint('recipient_id')
    )
    with op.batch_alter_table('outbox') as batch:
        batch.add_column(sa.Column('resident_id', sa.String(length=64), nullable=True))
        batch.create_index('ix_outbox_resident_id', ['resident_id'])


def downgrade() -> None:
    with op.batch_alter_table('outbox') as batch:
        batch.drop_index('ix_outbox_resident_id')
        batch.drop_column('resident_id')
    op.drop_table('notice_cursors')
