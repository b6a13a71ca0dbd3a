"""reps and queue

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-26 13:01:08
"""
from alembic import op
import sqlalchemy as sa
import sqlmodel


revision = '0003'
down_revision = '0002'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('rep',
    sa.Column('email', sqlmodel.sql.sqltypes.AutoString(length=254), nullable=False),
    sa.Column('name', sqlmodel.sql.sqltypes.AutoString(length=100), nullable=False),
    sa.Column('role', sa.String(length=12), nullable=False),
    sa.Column('skills', sa.JSON(), nullable=True),
    sa.Column('is_active', sa.Boolean(), nullable=False),
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('password_hash', sqlmodel.sql.sqltypes.AutoString(length=200), nullable=False),
    sa.Column('on_shift', sa.Boolean(), nullable=False),
    sa.Column('last_seen_at', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=True),
    sa.Column('created_at', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('rep', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_rep_email'), ['email'], unique=True)

    with op.batch_alter_table('conversation', schema=None) as batch_op:
        batch_op.add_column(sa.Column('assigned_rep_id', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('skills', sa.JSON(), nullable=True))
        batch_op.add_column(sa.Column('queued_at', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=True))
        batch_op.add_column(sa.Column('closed_at', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=True))
        batch_op.add_column(sa.Column('followup_email', sqlmodel.sql.sqltypes.AutoString(length=254), nullable=True))
        batch_op.create_foreign_key('fk_conversation_assigned_rep', 'rep', ['assigned_rep_id'], ['id'])

    with op.batch_alter_table('message', schema=None) as batch_op:
        batch_op.add_column(sa.Column('client_id', sqlmodel.sql.sqltypes.AutoString(length=64), nullable=True))
        batch_op.add_column(sa.Column('rep_id', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('internal', sa.Boolean(), nullable=False, server_default=sa.false()))
        batch_op.create_unique_constraint('uq_message_client_id', ['conversation_id', 'client_id'])
        batch_op.create_foreign_key('fk_message_rep', 'rep', ['rep_id'], ['id'])



def downgrade() -> None:
    with op.batch_alter_table('message', schema=None) as batch_op:
        batch_op.drop_constraint('fk_message_rep', type_='foreignkey')
        batch_op.drop_constraint('uq_message_client_id', type_='unique')
        batch_op.drop_column('internal')
        batch_op.drop_column('rep_id')
        batch_op.drop_column('client_id')

    with op.batch_alter_table('conversation', schema=None) as batch_op:
        batch_op.drop_constraint('fk_conversation_assigned_rep', type_='foreignkey')
        batch_op.drop_column('followup_email')
        batch_op.drop_column('closed_at')
        batch_op.drop_column('queued_at')
        batch_op.drop_column('skills')
        batch_op.drop_column('assigned_rep_id')

    with op.batch_alter_table('rep', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_rep_email'))

    op.drop_table('rep')
