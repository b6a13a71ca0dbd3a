"""daily night flow and leak alerts, job runs, ratings, message intents, claim times

Account.leak_alerts and the conversation and message columns are added in place (a batch
rebuild of a referenced table breaks SQLite's foreign keys on a database with data).

Revision ID: 0010
Revises: 0009
Create Date: 2026-12-03 19:40:00
"""
from alembic import op
import sqlalchemy as sa
import sqlmodel


revision = '0010'
down_revision = '0009'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('jobrun',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('job', sqlmodel.sql.sqltypes.AutoString(length=40), nullable=False),
    sa.Column('run_for', sa.Date(), nullable=False),
    sa.Column('started_at', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
    sa.Column('finished_at', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=True),
    sa.Column('status', sa.String(length=12), nullable=False),
    sa.Column('scanned', sa.Integer(), nullable=False),
    sa.Column('acted', sa.Integer(), nullable=False),
    sa.Column('seconds', sa.Float(), nullable=False),
    sa.Column('error', sqlmodel.sql.sqltypes.AutoString(length=2000), nullable=True),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('jobrun', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_jobrun_job'), ['job'], unique=False)

    op.create_table('nightflow',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('meter_id', sa.Integer(), nullable=False),
    sa.Column('day', sa.Date(), nullable=False),
    sa.Column('min_gph', sa.Float(), nullable=False),
    sa.Column('gallons', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['meter_id'], ['meter.id'], ),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('meter_id', 'day')
    )
    with op.batch_alter_table('nightflow', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_nightflow_day'), ['day'], unique=False)
        batch_op.create_index(batch_op.f('ix_nightflow_meter_id'), ['meter_id'], unique=False)

    op.create_table('rating',
    sa.Column('score', sa.Integer(), nullable=False),
    sa.Column('comment', sqlmodel.sql.sqltypes.AutoString(length=2000), nullable=True),
    sa.Column('channel', sqlmodel.sql.sqltypes.AutoString(length=20), nullable=False),
    sa.Column('language', sqlmodel.sql.sqltypes.AutoString(length=2), nullable=False),
    sa.Column('intents', sa.JSON(), nullable=True),
    sa.Column('person_involved', sa.Boolean(), nullable=False),
    sa.Column('trigger', sa.String(length=12), nullable=False),
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('conversation_id', sqlmodel.sql.sqltypes.AutoString(length=32), nullable=False),
    sa.Column('created_at', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
    sa.ForeignKeyConstraint(['conversation_id'], ['conversation.id'], ),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('conversation_id')
    )
    with op.batch_alter_table('rating', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_rating_created_at'), ['created_at'], unique=False)

    op.create_table('leakalert',
    sa.Column('episode_start', sa.Date(), nullable=False),
    sa.Column('last_flow_day', sa.Date(), nullable=False),
    sa.Column('days', sa.Integer(), nullable=False),
    sa.Column('gallons', sa.Integer(), nullable=False),
    sa.Column('cost_cents', sa.Integer(), nullable=False),
    sa.Column('language', sqlmodel.sql.sqltypes.AutoString(length=2), nullable=False),
    sa.Column('status', sa.String(length=12), nullable=False),
    sa.Column('email', sqlmodel.sql.sqltypes.AutoString(length=254), nullable=True),
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('account_id', sa.Integer(), nullable=False),
    sa.Column('meter_id', sa.Integer(), nullable=False),
    sa.Column('outbox_id', sa.Integer(), nullable=True),
    sa.Column('created_at', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
    sa.ForeignKeyConstraint(['account_id'], ['account.id'], ),
    sa.ForeignKeyConstraint(['meter_id'], ['meter.id'], ),
    sa.ForeignKeyConstraint(['outbox_id'], ['outboxemail.id'], ),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('account_id', 'episode_start')
    )
    with op.batch_alter_table('leakalert', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_leakalert_account_id'), ['account_id'], unique=False)

    op.add_column('account', sa.Column('leak_alerts', sa.Boolean(), nullable=False,
                                       server_default=sa.true()))
    op.add_column('conversation', sa.Column('claimed_at', sqlmodel.sql.sqltypes.UTCDateTime(),
                                            nullable=True))
    op.add_column('conversation', sa.Column('link_account',
                                            sqlmodel.sql.sqltypes.AutoString(length=12),
                                            nullable=True))
    op.add_column('conversation', sa.Column('rating_requested_at',
                                            sqlmodel.sql.sqltypes.UTCDateTime(), nullable=True))
    op.add_column('message', sa.Column('intent', sqlmodel.sql.sqltypes.AutoString(length=60),
                                       nullable=True))
    op.create_index('ix_conversation_created_at', 'conversation', ['created_at'])
    op.create_index('ix_payment_paid_on', 'payment', ['paid_on'])
    # Conversations claimed before this revision: their first claim is in the audit log.
    op.execute(sa.text(
        "UPDATE conversation SET claimed_at = (SELECT MIN(auditlog.at) FROM auditlog "
        "WHERE auditlog.action = 'conversation_claimed' AND auditlog.entity = 'conversation' "
        "AND auditlog.entity_id = conversation.id) WHERE claimed_at IS NULL"))


def downgrade() -> None:
    op.drop_index('ix_payment_paid_on', table_name='payment')
    op.drop_index('ix_conversation_created_at', table_name='conversation')
    with op.batch_alter_table('message', schema=None) as batch_op:
        batch_op.drop_column('intent')
    with op.batch_alter_table('conversation', schema=None) as batch_op:
        batch_op.drop_column('rating_requested_at')
        batch_op.drop_column('link_account')
        batch_op.drop_column('claimed_at')
    with op.batch_alter_table('account', schema=None) as batch_op:
        batch_op.drop_column('leak_alerts')
    with op.batch_alter_table('leakalert', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_leakalert_account_id'))

    op.drop_table('leakalert')
    with op.batch_alter_table('rating', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_rating_created_at'))

    op.drop_table('rating')
    with op.batch_alter_table('nightflow', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_nightflow_meter_id'))
        batch_op.drop_index(batch_op.f('ix_nightflow_day'))

    op.drop_table('nightflow')
    with op.batch_alter_table('jobrun', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_jobrun_job'))

    op.drop_table('jobrun')
