"""cases, history, followers, counters, outbox

Revision ID: 0001
Revises: 
"""
from alembic import op
import sqlalchemy as sa


revision = '0001'
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('case_counters',
    sa.Column('day', sa.Date(), nullable=False),
    sa.Column('last', sa.Integer(), nullable=False),
    sa.PrimaryKeyConstraint('day')
    )
    op.create_table('cases',
    sa.Column('number', sa.String(length=32), nullable=False),
    sa.Column('reporter_id', sa.String(length=64), nullable=True),
    sa.Column('category', sa.String(length=32), nullable=False),
    sa.Column('tier', sa.String(length=16), nullable=False),
    sa.Column('description', sa.Text(), nullable=False),
    sa.Column('address', sa.Text(), nullable=False),
    sa.Column('grid_id', sa.String(length=32), nullable=True),
    sa.Column('community_id', sa.String(length=32), nullable=True),
    sa.Column('state', sa.String(length=16), nullable=False),
    sa.Column('assignee_id', sa.String(length=64), nullable=True),
    sa.Column('informed_ids', sa.Text(), nullable=False),
    sa.Column('escalation_level', sa.Integer(), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.Column('dispatched_at', sa.DateTime(), nullable=True),
    sa.Column('signed_at', sa.DateTime(), nullable=True),
    sa.Column('contacted_at', sa.DateTime(), nullable=True),
    sa.Column('resolved_at', sa.DateTime(), nullable=True),
    sa.Column('closed_at', sa.DateTime(), nullable=True),
    sa.Column('sign_due', sa.DateTime(), nullable=True),
    sa.Column('contact_due', sa.DateTime(), nullable=True),
    sa.Column('resolve_due', sa.DateTime(), nullable=True),
    sa.Column('solved', sa.Boolean(), nullable=True),
    sa.Column('satisfaction', sa.String(length=32), nullable=True),
    sa.Column('duplicate_of', sa.String(length=32), nullable=True),
    sa.Column('contact_phone', sa.String(length=32), nullable=True),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.PrimaryKeyConstraint('number')
    )
    op.create_index('ix_cases_grid_dispatched', 'cases', ['grid_id', 'dispatched_at'], unique=False)
    op.create_index('ix_cases_reporter_created', 'cases', ['reporter_id', 'created_at'], unique=False)
    op.create_index(op.f('ix_cases_reporter_id'), 'cases', ['reporter_id'], unique=False)
    op.create_index('ix_cases_state', 'cases', ['state'], unique=False)
    op.create_table('outbox',
    sa.Column('id', sa.Integer(), autoincrement=True, nullable=False),
    sa.Column('name', sa.String(length=32), nullable=False),
    sa.Column('case_number', sa.String(length=32), nullable=True),
    sa.Column('at', sa.DateTime(), nullable=False),
    sa.Column('payload', sa.Text(), nullable=False),
    sa.Column('delivered_at', sa.DateTime(), nullable=True),
    sa.PrimaryKeyConstraint('id')
    )
    op.create_index(op.f('ix_outbox_case_number'), 'outbox', ['case_number'], unique=False)
    op.create_table('case_followers',
    sa.Column('case_number', sa.String(length=32), nullable=False),
    sa.Column('resident_id', sa.String(length=64), nullable=False),
    sa.ForeignKeyConstraint(['case_number'], ['cases.number'], ),
    sa.PrimaryKeyConstraint('case_number', 'resident_id')
    )
    op.create_index(op.f('ix_case_followers_resident_id'), 'case_followers', ['resident_id'], unique=False)
    op.create_table('case_history',
    sa.Column('id', sa.Integer(), autoincrement=True, nullable=False),
    sa.Column('case_number', sa.String(length=32), nullable=False),
    sa.Column('at', sa.DateTime(), nullable=False),
    sa.Column('actor_id', sa.String(length=64), nullable=False),
    sa.Column('actor_role', sa.String(length=32), nullable=False),
    sa.Column('action', sa.String(length=32), nullable=False),
    sa.Column('from_state', sa.String(length=16), nullable=False),
    sa.Column('to_state', sa.String(length=16), nullable=False),
    sa.Column('note', sa.Text(), nullable=False),
    sa.ForeignKeyConstraint(['case_number'], ['cases.number'], ),
    sa.PrimaryKeyConstraint('id')
    )
    op.create_index(op.f('ix_case_history_case_number'), 'case_history', ['case_number'], unique=False)


def downgrade() -> None:
    op.drop_index(op.f('ix_case_history_case_number'), table_name='case_history')
    op.drop_table('case_history')
    op.drop_index(op.f('ix_case_followers_resident_id'), table_name='case_followers')
    op.drop_table('case_followers')
    op.drop_index(op.f('ix_outbox_case_number'), table_name='outbox')
    op.drop_table('outbox')
    op.drop_index('ix_cases_state', table_name='cases')
    op.drop_index(op.f('ix_cases_reporter_id'), table_name='cases')
    op.drop_index('ix_cases_reporter_created', table_name='cases')
    op.drop_index('ix_cases_grid_dispatched', table_name='cases')
    op.drop_table('cases')
    op.drop_table('case_counters')
