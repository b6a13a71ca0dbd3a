"""email

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-26 14:00:00
"""
from alembic import op
import sqlalchemy as sa
import sqlmodel


revision = '0004'
down_revision = '0003'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('emailthread',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('conversation_id', sqlmodel.sql.sqltypes.AutoString(length=32), nullable=False),
    sa.Column('token', sqlmodel.sql.sqltypes.AutoString(length=32), nullable=False),
    sa.Column('customer_address', sqlmodel.sql.sqltypes.AutoString(length=320), nullable=False),
    sa.Column('our_address', sqlmodel.sql.sqltypes.AutoString(length=320), nullable=False),
    sa.Column('subject', sqlmodel.sql.sqltypes.AutoString(length=300), nullable=False),
    sa.Column('language', sqlmodel.sql.sqltypes.AutoString(length=2), nullable=False),
    sa.Column('created_at', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
    sa.ForeignKeyConstraint(['conversation_id'], ['conversation.id'], ),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('token')
    )
    with op.batch_alter_table('emailthread', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_emailthread_conversation_id'), ['conversation_id'], unique=False)

    op.create_table('inboundemail',
    sa.Column('raw', sa.LargeBinary(), nullable=True),
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('source', sqlmodel.sql.sqltypes.AutoString(length=10), nullable=False),
    sa.Column('status', sa.String(length=10), nullable=False),
    sa.Column('size', sa.Integer(), nullable=False),
    sa.Column('envelope_from', sqlmodel.sql.sqltypes.AutoString(length=320), nullable=True),
    sa.Column('message_id', sqlmodel.sql.sqltypes.AutoString(length=500), nullable=True),
    sa.Column('from_address', sqlmodel.sql.sqltypes.AutoString(length=320), nullable=True),
    sa.Column('subject', sqlmodel.sql.sqltypes.AutoString(length=300), nullable=False),
    sa.Column('text', sqlmodel.sql.sqltypes.AutoString(length=10000), nullable=False),
    sa.Column('auto_reason', sqlmodel.sql.sqltypes.AutoString(length=100), nullable=True),
    sa.Column('error', sqlmodel.sql.sqltypes.AutoString(length=500), nullable=True),
    sa.Column('thread_id', sa.Integer(), nullable=True),
    sa.Column('conversation_id', sqlmodel.sql.sqltypes.AutoString(length=32), nullable=True),
    sa.Column('received_at', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
    sa.ForeignKeyConstraint(['thread_id'], ['emailthread.id'], ),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('inboundemail', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_inboundemail_message_id'), ['message_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_inboundemail_status'), ['status'], unique=False)
        batch_op.create_index(batch_op.f('ix_inboundemail_thread_id'), ['thread_id'], unique=False)

    op.create_table('emailattachment',
    sa.Column('data', sa.LargeBinary(), nullable=False),
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('inbound_id', sa.Integer(), nullable=False),
    sa.Column('filename', sqlmodel.sql.sqltypes.AutoString(length=255), nullable=False),
    sa.Column('content_type', sqlmodel.sql.sqltypes.AutoString(length=127), nullable=False),
    sa.Column('size', sa.Integer(), nullable=False),
    sa.Column('sha256', sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
    sa.ForeignKeyConstraint(['inbound_id'], ['inboundemail.id'], ),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('emailattachment', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_emailattachment_inbound_id'), ['inbound_id'], unique=False)

    op.create_table('outboxemail',
    sa.Column('raw', sa.LargeBinary(), nullable=False),
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('status', sa.String(length=10), nullable=False),
    sa.Column('kind', sqlmodel.sql.sqltypes.AutoString(length=20), nullable=False),
    sa.Column('conversation_id', sqlmodel.sql.sqltypes.AutoString(length=32), nullable=True),
    sa.Column('thread_id', sa.Integer(), nullable=True),
    sa.Column('message_id', sqlmodel.sql.sqltypes.AutoString(length=500), nullable=False),
    sa.Column('to_address', sqlmodel.sql.sqltypes.AutoString(length=320), nullable=False),
    sa.Column('from_address', sqlmodel.sql.sqltypes.AutoString(length=320), nullable=False),
    sa.Column('subject', sqlmodel.sql.sqltypes.AutoString(length=300), nullable=False),
    sa.Column('attempts', sa.Integer(), nullable=False),
    sa.Column('next_attempt_at', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
    sa.Column('claimed_at', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=True),
    sa.Column('last_error', sqlmodel.sql.sqltypes.AutoString(length=500), nullable=True),
    sa.Column('created_at', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
    sa.Column('sent_at', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=True),
    sa.ForeignKeyConstraint(['thread_id'], ['emailthread.id'], ),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('outboxemail', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_outboxemail_conversation_id'), ['conversation_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_outboxemail_message_id'), ['message_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_outboxemail_next_attempt_at'), ['next_attempt_at'], unique=False)
        batch_op.create_index(batch_op.f('ix_outboxemail_status'), ['status'], unique=False)
        batch_op.create_index(batch_op.f('ix_outboxemail_thread_id'), ['thread_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_outboxemail_to_address'), ['to_address'], unique=False)


def downgrade() -> None:
    op.drop_table('outboxemail')
    op.drop_table('emailattachment')
    op.drop_table('inboundemail')
    op.drop_table('emailthread')
