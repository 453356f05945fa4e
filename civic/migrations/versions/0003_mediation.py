"""mediation bookings and their slot claims

Revision ID: 0003
Revises: 0001
"""
from alembic import op
import sqlalchemy as sa


revision = '0003'
down_revision = '0001'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('bookings',
    sa.Column('id', sa.String(length=32), nullable=False),
    sa.Column('resident_id', sa.String(length=64), nullable=False),
    sa.Column('mediator_id', sa.String(length=64), nullable=False),
    sa.Column('room_id', sa.String(length=32), nullable=True),
    sa.Column('mode', sa.String(length=16), nullable=False),
    sa.Column('starts_at', sa.DateTime(), nullable=False),
    sa.Column('ends_at', sa.DateTime(), nullable=False),
    sa.Column('dispute', sa.Text(), nullable=False),
    sa.Column('other_party_name', sa.String(length=64), nullable=False),
    sa.Column('other_party_phone', sa.String(length=32), nullable=True),
    sa.Column('case_number', sa.String(length=32), nullable=True),
    sa.Column('state', sa.String(length=16), nullable=False),
    sa.Column('outcome', sa.String(length=32), nullable=True),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.PrimaryKeyConstraint('id')
    )
    op.create_index('ix_bookings_resident_starts', 'bookings', ['resident_id', 'starts_at'], unique=False)
    op.create_index('ix_bookings_starts', 'bookings', ['starts_at'], unique=False)
    # One row per (resource, slot start): the primary key is what refuses a double booking.
    op.create_table('booking_slots',
    sa.Column('resource', sa.String(length=80), nullable=False),
    sa.Column('starts_at', sa.DateTime(), nullable=False),
    sa.Column('booking_id', sa.String(length=32), nullable=False),
    sa.ForeignKeyConstraint(['booking_id'], ['bookings.id'], ),
    sa.PrimaryKeyConstraint('resource', 'starts_at')
    )
    op.create_index(op.f('ix_booking_slots_booking_id'), 'booking_slots', ['booking_id'], unique=False)


def downgrade() -> None:
    op.drop_index(op.f('ix_booking_slots_booking_id'), table_name='booking_slots')
    op.drop_table('booking_slots')
    op.drop_index('ix_bookings_starts', table_name='bookings')
    op.drop_index('ix_bookings_resident_starts', table_name='bookings')
    op.drop_table('bookings')
