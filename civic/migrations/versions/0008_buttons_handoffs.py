"""buttons offered to each person; handoffs and their messages

Revision ID: 0008
Revises: 0007
"""
from alembic import op
import sqlalchemy as sa

revision = '0008'
down_revision = '0007'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('button_offers',
    sa.Column('user_id', sa.String(length=64), nullable=False),
    sa.Column('offer_id', sa.String(length=16), nullable=False),
    sa.Column('group_id', sa.String(length=16), nullable=False),
    sa.Column('kind', sa.String(length=16), nullable=False),
    sa.Column('title', sa.Text(), nullable=False),
    sa.Column('payload', sa.Text(), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.Column('closed_at', sa.DateTime(), nullable=True),
    sa.Column('closed_why', sa.String(length=16), nullable=True),
    sa.Column('pressed_by', sa.String(length=64), nullable=True),
    sa.PrimaryKeyConstraint('user_id', 'offer_id')
    )
    op.create_index('ix_button_offers_user_open', 'button_offers', ['user_id', 'kind', 'closed_at'])
    op.create_table('handoffs',
    sa.Column('id', sa.Integer(), autoincrement=True, nullable=False),
    sa.Column('resident_id', sa.String(length=64), nullable=False),
    sa.Column('state', sa.String(length=16), nullable=False),
    sa.Column('reason', sa.String(length=32), nullable=False),
    sa.Column('case_number', sa.String(length=32), nullable=True),
    sa.Column('requested_at', sa.DateTime(), nullable=False),
    sa.Column('answer_by', sa.DateTime(), nullable=False),
    sa.Column('acknowledged', sa.Boolean(), nullable=False),
    sa.Column('ended_at', sa.DateTime(), nullable=True),
    sa.Column('ended_by', sa.String(length=64), nullable=True),
    sa.Column('satisfaction', sa.String(length=32), nullable=True),
    sa.PrimaryKeyConstraint('id')
    )
    op.create_index(op.f('ix_handoffs_resident_id'), 'handoffs', ['resident_id'])
    op.create_table('handoff_messages',
    sa.Column('id', sa.Integer(), autoincrement=True, nullable=False),
    sa.Column('handoff_id', sa.Integer(), nullable=False),
    sa.Column('at', sa.DateTime(), nullable=False),
    sa.Column('sender', sa.String(length=16), nullable=False),
    sa.Column('staff_id', sa.String(length=64), nullable=True),
    sa.Column('text', sa.Text(), nullable=False),
    sa.ForeignKeyConstraint(['handoff_id'], ['handoffs.id']),
    sa.PrimaryKeyConstraint('id')
    )
    op.create_index(op.f('ix_handoff_messages_handoff_id'), 'handoff_messages', ['handoff_id'])


def downgrade() -> None:
    op.drop_index(op.f('ix_handoff_messages_handoff_id'), table_name='handoff_messages')
    op.drop_table('handoff_messages')
    op.drop_index(op.f('ix_handoffs_resident_id'), table_name='handoffs')
    op.drop_table('handoffs')
    op.drop_index('ix_button_offers_user_open', table_name='button_offers')
    op.drop_table('button_offers')
