"""deliveries (outbox event x recipient) replace the notice cursors and outbox.delivered_at

Events recorded before this revision get no deliveries: nobody is told of them again.

Revision ID: 0007
Revises: 0006
"""
from alembic import op
import sqlalchemy as sa

revision = '0007'
down_revision = '0006'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.drop_table('notice_cursors')
    with op.batch_alter_table('outbox') as batch:
        batch.drop_column('delivered_at')
    op.create_table('deliveries',
    sa.Column('event_id', sa.Integer(), nullable=False),
    sa.Column('recipient', sa.String(length=80), nullable=False),
    sa.Column('audience', sa.String(length=16), nullable=False),
    sa.Column('state', sa.String(length=8), nullable=False),
    sa.Column('attempts', sa.Integer(), nullable=False),
    sa.Column('next_attempt_at', sa.DateTime(), nullable=True),
    sa.Column('lease_until', sa.DateTime(), nullable=True),
    sa.Column('last_error', sa.Text(), nullable=True),
    sa.Column('sent_at', sa.DateTime(), nullable=True),
    sa.ForeignKeyConstraint(['event_id'], ['outbox.id'], ),
    sa.PrimaryKeyConstraint('event_id', 'recipient')
    )
    op.create_index('ix_deliveries_due', 'deliveries', ['state', 'next_attempt_at'])
    op.create_index('ix_deliveries_recipient', 'deliveries', ['recipient', 'state', 'event_id'])


def downgrade() -> None:
    op.drop_index('ix_deliveries_recipient', table_name='deliveries')
    op.drop_index('ix_deliveries_due', table_name='deliveries')
    op.drop_table('deliveries')
    with op.batch_alter_table('outbox') as batch:
        batch.add_column(sa.Column('delivered_at', sa.DateTime(), nullable=True))
    op.create_table('notice_cursors',
    sa.Column('recipient_id', sa.String(length=64), nullable=False),
    sa.Column('last_event_id', sa.Integer(), nullable=False),
    sa.PrimaryKeyConstraint('recipient_id')
    )
