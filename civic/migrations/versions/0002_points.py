"""points ledger, rewards, redemptions

Revision ID: 0002
Revises: 0001
"""
from alembic import op
import sqlalchemy as sa


revision = '0002'
down_revision = '0001'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('points_ledger',
    sa.Column('id', sa.Integer(), autoincrement=True, nullable=False),
    sa.Column('resident_id', sa.String(length=64), nullable=False),
    sa.Column('kind', sa.String(length=32), nullable=True),
    sa.Column('amount', sa.Integer(), nullable=False),
    sa.Column('reason', sa.Text(), nullable=False),
    sa.Column('actor_id', sa.String(length=64), nullable=False),
    sa.Column('at', sa.DateTime(), nullable=False),
    sa.Column('idempotency_key', sa.String(length=128), nullable=False),
    sa.Column('reverses', sa.Integer(), nullable=True),
    sa.ForeignKeyConstraint(['reverses'], ['points_ledger.id'], ),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('resident_id', 'idempotency_key', name='uq_points_ledger_resident_key')
    )
    op.create_index('ix_points_ledger_resident_at', 'points_ledger', ['resident_id', 'at'], unique=False)
    op.create_index('ix_points_ledger_reverses', 'points_ledger', ['reverses'], unique=False)
    op.create_table('rewards',
    sa.Column('id', sa.String(length=32), nullable=False),
    sa.Column('name', sa.String(length=64), nullable=False),
    sa.Column('price', sa.Integer(), nullable=False),
    sa.Column('stock', sa.Integer(), nullable=False),
    sa.CheckConstraint('stock >= 0', name='ck_rewards_stock_not_negative'),
    sa.CheckConstraint('price > 0', name='ck_rewards_price_positive'),
    sa.PrimaryKeyConstraint('id')
    )
    op.create_table('redemptions',
    sa.Column('id', sa.Integer(), autoincrement=True, nullable=False),
    sa.Column('code', sa.String(length=8), nullable=False),
    sa.Column('resident_id', sa.String(length=64), nullable=False),
    sa.Column('reward_id', sa.String(length=32), nullable=False),
    sa.Column('at', sa.DateTime(), nullable=False),
    sa.Column('collected_at', sa.DateTime(), nullable=True),
    sa.Column('collected_by', sa.String(length=64), nullable=True),
    sa.ForeignKeyConstraint(['reward_id'], ['rewards.id'], ),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('code')
    )
    op.create_index(op.f('ix_redemptions_resident_id'), 'redemptions', ['resident_id'], unique=False)


def downgrade() -> None:
    op.drop_index(op.f('ix_redemptions_resident_id'), table_name='redemptions')
    op.drop_table('redemptions')
    op.drop_table('rewards')
    op.drop_index('ix_points_ledger_reverses', table_name='points_ledger')
    op.drop_index('ix_points_ledger_resident_at', table_name='points_ledger')
    op.drop_table('points_ledger')
