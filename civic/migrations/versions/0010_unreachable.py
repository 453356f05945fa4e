"""residents the bot cannot reach on Telegram (they blocked it), for staff to see

Revision ID: 0010
Revises: 0009
"""
from alembic import op
import sqlalchemy as sa

revision = '0010'
down_revision = '0009'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('residents') as batch:
        batch.add_column(sa.Column('unreachable_at', sa.DateTime(), nullable=True))
        batch.add_column(sa.Column('unreachable_why', sa.Text(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table('residents') as batch:
        batch.drop_column('unreachable_why')
        batch.drop_column('unreachable_at')
