"""erasures: the record that a resident's data was erased (an erased profile is gone,
no longer a tombstone row); cases.submission_key: one confirmation files one case,
however often it is replayed

Revision ID: 0012
Revises: 0011
"""
from alembic import op
import sqlalchemy as sa

revision = '0012'
down_revision = '0011'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('erasures',
    sa.Column('id', sa.Integer(), autoincrement=True, nullable=False),
    sa.Column('resident_id', sa.String(length=64), nullable=False),
    sa.Column('erased_at', sa.DateTime(), nullable=False),
    sa.Column('kept', sa.Text(), nullable=False),
    sa.PrimaryKeyConstraint('id')
    )
    op.create_index('ix_erasures_resident_id', 'erasures', ['resident_id'])
    op.execute("INSERT INTO erasures (resident_id, erased_at, kept) "
               "SELECT id, erased_at, '{}' FROM residents WHERE erased_at IS NOT NULL")
    op.execute("DELETE FROM residents WHERE erased_at IS NOT NULL")
    with op.batch_alter_table('residents') as batch:
        batch.drop_column('erased_at')
    with op.batch_alter_table('cases') as batch:
        batch.add_column(sa.Column('submission_key', sa.String(length=128), nullable=True))
        batch.create_index('ux_cases_submission_key', ['submission_key'], unique=True)


def downgrade() -> None:
    with op.batch_alter_table('cases') as batch:
        batch.drop_index('ux_cases_submission_key')
        batch.drop_column('submission_key')
    with op.batch_alter_table('residents') as batch:
        batch.add_column(sa.Column('erased_at', sa.DateTime(), nullable=True))
    op.drop_index('ix_erasures_resident_id', table_name='erasures')
    op.drop_table('erasures')
