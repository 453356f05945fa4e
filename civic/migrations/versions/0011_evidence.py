"""evidence: photos residents send, pending or attached to a case

Revision ID: 0011
Revises: 0010
"""
from alembic import op
import sqlalchemy as sa

revision = '0011'
down_revision = '0010'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('evidence',
    sa.Column('id', sa.Integer(), autoincrement=True, nullable=False),
    sa.Column('resident_id', sa.String(length=64), nullable=True),
    sa.Column('kind', sa.String(length=16), nullable=False),
    sa.Column('file_id', sa.Text(), nullable=False),
    sa.Column('received_at', sa.DateTime(), nullable=False),
    sa.Column('case_number', sa.String(length=32), nullable=True),
    sa.Column('attached_at', sa.DateTime(), nullable=True),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('resident_id', 'file_id', name='uq_evidence_resident_file')
    )
    op.create_index('ix_evidence_resident_pending', 'evidence', ['resident_id', 'case_number'])
    op.create_index('ix_evidence_case_number', 'evidence', ['case_number'])


def downgrade() -> None:
    op.drop_index('ix_evidence_case_number', table_name='evidence')
    op.drop_index('ix_evidence_resident_pending', table_name='evidence')
    op.drop_table('evidence')
