"""staff_topics, case_cards, staff_prompts: the staff group's topics, the case cards
edited in place there, and the question a staff member was asked after a press; handoffs.relayed_upto:
how far a handed-off resident's messages are posted in their topic;
handoff_messages.file_id and update_key: a photo sent in a handoff, and the update a
message came in (kept once, however often the update is replayed)

Revision ID: 0013
Revises: 0012
"""
from alembic import op
import sqlalchemy as sa

revision = '0013'
down_revision = '0012'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('staff_topics',
    sa.Column('key', sa.String(length=80), nullable=False),
    sa.Column('chat_id', sa.BigInteger(), nullable=False),
    sa.Column('thread_id', sa.BigInteger(), nullable=False),
    sa.Column('name', sa.String(length=128), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.PrimaryKeyConstraint('key')
    )
    op.create_index('ix_staff_topics_thread', 'staff_topics', ['chat_id', 'thread_id'])
    op.create_table('case_cards',
    sa.Column('case_number', sa.String(length=32), nullable=False),
    sa.Column('topic_key', sa.String(length=80), nullable=False),
    sa.Column('chat_id', sa.BigInteger(), nullable=True),
    sa.Column('message_id', sa.BigInteger(), nullable=True),
    sa.Column('shown', sa.Integer(), nullable=False),
    sa.Column('summarised', sa.Integer(), nullable=False),
    sa.Column('photos', sa.Integer(), nullable=False),
    sa.PrimaryKeyConstraint('case_number')
    )
    op.create_table('staff_prompts',
    sa.Column('chat_id', sa.BigInteger(), autoincrement=False, nullable=False),
    sa.Column('user_id', sa.BigInteger(), autoincrement=False, nullable=False),
    sa.Column('move', sa.String(length=16), nullable=False),
    sa.Column('case_number', sa.String(length=32), nullable=False),
    sa.Column('argument', sa.String(length=64), nullable=True),
    sa.Column('asked_at', sa.DateTime(), nullable=False),
    sa.PrimaryKeyConstraint('chat_id', 'user_id')
    )


    with op.batch_alter_table('handoffs') as batch:
        batch.add_column(sa.Column('relayed_upto', sa.Integer(), nullable=True))
    with op.batch_alter_table('handoff_messages') as batch:
        batch.add_column(sa.Column('file_id', sa.String(length=255), nullable=True))
        batch.add_column(sa.Column('update_key', sa.String(length=64), nullable=True))
        batch.create_index('ux_handoff_messages_update', ['handoff_id', 'update_key'], unique=True)


def downgrade() -> None:
    with op.batch_alter_table('handoff_messages') as batch:
        batch.drop_index('ux_handoff_messages_update')
        batch.drop_column('update_key')
        batch.drop_column('file_id')
    with op.batch_alter_table('handoffs') as batch:
        batch.drop_column('relayed_upto')
    op.drop_table('staff_prompts')
    op.drop_table('case_cards')
    op.drop_index('ix_staff_topics_thread', table_name='staff_topics')
    op.drop_table('staff_topics')
