"""back office: approvals for every referral, pending charges, outage reports, bounced e-bills

Referred fee waivers used to wait as pending_review fee adjustments; they move to the approval
table, and a fee adjustment now exists only once a waiver is granted or approved.

Revision ID: 0009
Revises: 0008
Create Date: 2026-12-03 16:30:00
"""
from alembic import op
import sqlalchemy as sa
import sqlmodel


revision = '0009'
down_revision = '0008'
branch_labels = None
depends_on = None


def upgrade() -> None:

    op.create_table('approval',
    sa.Column('kind', sa.String(length=24), nullable=False),
    sa.Column('status', sa.String(length=12), nullable=False),
    sa.Column('rule', sqlmodel.sql.sqltypes.AutoString(length=60), nullable=False),
    sa.Column('reasons', sa.JSON(), nullable=True),
    sa.Column('request', sa.JSON(), nullable=True),
    sa.Column('customer_reason', sqlmodel.sql.sqltypes.AutoString(length=1000), nullable=False),
    sa.Column('requested_by', sqlmodel.sql.sqltypes.AutoString(length=100), nullable=False),
    sa.Column('requested_on', sa.Date(), nullable=False),
    sa.Column('conversation_id', sqlmodel.sql.sqltypes.AutoString(length=32), nullable=True),
    sa.Column('language', sqlmodel.sql.sqltypes.AutoString(length=2), nullable=False),
    sa.Column('decided_by', sqlmodel.sql.sqltypes.AutoString(length=100), nullable=True),
    sa.Column('decided_at', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=True),
    sa.Column('decision_note', sqlmodel.sql.sqltypes.AutoString(length=1000), nullable=True),
    sa.Column('result_reference', sqlmodel.sql.sqltypes.AutoString(length=40), nullable=True),
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('account_id', sa.Integer(), nullable=False),
    sa.Column('created_at', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
    sa.ForeignKeyConstraint(['account_id'], ['account.id'], ),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('approval', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_approval_account_id'), ['account_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_approval_conversation_id'), ['conversation_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_approval_status'), ['status'], unique=False)

    op.create_table('outagereport',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('report_number', sqlmodel.sql.sqltypes.AutoString(length=20), nullable=False),
    sa.Column('kind', sa.String(length=16), nullable=False),
    sa.Column('account_id', sa.Integer(), nullable=True),
    sa.Column('location', sqlmodel.sql.sqltypes.AutoString(length=300), nullable=False),
    sa.Column('zip', sqlmodel.sql.sqltypes.AutoString(length=10), nullable=True),
    sa.Column('description', sqlmodel.sql.sqltypes.AutoString(length=2000), nullable=False),
    sa.Column('outage_id', sa.Integer(), nullable=True),
    sa.Column('work_order_id', sa.Integer(), nullable=True),
    sa.Column('conversation_id', sqlmodel.sql.sqltypes.AutoString(length=32), nullable=True),
    sa.Column('created_at', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
    sa.ForeignKeyConstraint(['account_id'], ['account.id'], ),
    sa.ForeignKeyConstraint(['outage_id'], ['outage.id'], ),
    sa.ForeignKeyConstraint(['work_order_id'], ['workorder.id'], ),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('outagereport', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_outagereport_account_id'), ['account_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_outagereport_report_number'), ['report_number'], unique=True)

    op.create_table('pendingcharge',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('account_id', sa.Integer(), nullable=False),
    sa.Column('fee_kind', sa.String(length=20), nullable=False),
    sa.Column('amount_cents', sa.Integer(), nullable=False),
    sa.Column('description', sqlmodel.sql.sqltypes.AutoString(length=200), nullable=False),
    sa.Column('source', sqlmodel.sql.sqltypes.AutoString(length=40), nullable=True),
    sa.Column('status', sa.String(length=12), nullable=False),
    sa.Column('billed_on_bill_id', sa.Integer(), nullable=True),
    sa.Column('created_on', sa.Date(), nullable=False),
    sa.Column('created_at', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
    sa.ForeignKeyConstraint(['account_id'], ['account.id'], ),
    sa.ForeignKeyConstraint(['billed_on_bill_id'], ['bill.id'], ),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('pendingcharge', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_pendingcharge_account_id'), ['account_id'], unique=False)

    # Not in batch mode: adding a column needs no rebuild, and rebuilding account (the parent of
    # most tables) would break their foreign keys on SQLite.
    op.add_column('account', sa.Column('email_bounced', sa.Boolean(), nullable=False,
                                       server_default=sa.false()))

    with op.batch_alter_table('auditlog', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_auditlog_action'), ['action'], unique=False)
        batch_op.create_index(batch_op.f('ix_auditlog_actor_id'), ['actor_id'], unique=False)

    with op.batch_alter_table('feeadjustment', schema=None) as batch_op:
        batch_op.add_column(sa.Column('charge_id', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('deposit_id', sa.Integer(), nullable=True))
        batch_op.create_unique_constraint('uq_feeadjustment_deposit_id', ['deposit_id'])
        batch_op.create_unique_constraint('uq_feeadjustment_charge_id', ['charge_id'])
        batch_op.create_foreign_key('fk_feeadjustment_deposit_id', 'deposit', ['deposit_id'], ['id'])
        batch_op.create_foreign_key('fk_feeadjustment_charge_id', 'pendingcharge', ['charge_id'], ['id'])

    with op.batch_alter_table('payment', schema=None) as batch_op:
        batch_op.add_column(sa.Column('channel', sa.String(length=12), nullable=False,
                                      server_default='mail'))
        batch_op.add_column(sa.Column('reference', sqlmodel.sql.sqltypes.AutoString(length=40), nullable=True))
        batch_op.create_unique_constraint('uq_payment_reference', ['reference'])

    # The server defaults stay: dropping one makes SQLite rebuild the table, and account is the
    # parent of most tables, so the rebuild would break their foreign keys.
    conn = op.get_bind()
    pending = conn.execute(sa.text(
        "SELECT account_id, fee_kind, amount_cents, policy_rule, reason, requested_on, created_at "
        "FROM feeadjustment WHERE status = 'pending_review'")).mappings().all()
    if pending:
        approval = sa.table(
            'approval', sa.column('kind'), sa.column('status'), sa.column('rule'),
            sa.column('reasons', sa.JSON), sa.column('request', sa.JSON),
            sa.column('customer_reason'), sa.column('requested_by'), sa.column('requested_on'),
            sa.column('language'), sa.column('account_id'), sa.column('created_at'))
        op.bulk_insert(approval, [
            {"kind": "fee_waiver", "status": "pending", "rule": r["policy_rule"], "reasons": [],
             "request": {"fee_kind": r["fee_kind"], "amount_cents": r["amount_cents"]},
             "customer_reason": r["reason"], "requested_by": "system",
             "requested_on": r["requested_on"], "language": "en", "account_id": r["account_id"],
             "created_at": r["created_at"]} for r in pending])
    op.execute("DELETE FROM feeadjustment WHERE status = 'pending_review'")



def downgrade() -> None:
    with op.batch_alter_table('payment', schema=None) as batch_op:
        batch_op.drop_constraint('uq_payment_reference', type_='unique')
        batch_op.drop_column('reference')
        batch_op.drop_column('channel')

    with op.batch_alter_table('feeadjustment', schema=None) as batch_op:
        batch_op.drop_constraint('fk_feeadjustment_charge_id', type_='foreignkey')
        batch_op.drop_constraint('fk_feeadjustment_deposit_id', type_='foreignkey')
        batch_op.drop_constraint('uq_feeadjustment_charge_id', type_='unique')
        batch_op.drop_constraint('uq_feeadjustment_deposit_id', type_='unique')
        batch_op.drop_column('deposit_id')
        batch_op.drop_column('charge_id')

    with op.batch_alter_table('auditlog', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_auditlog_actor_id'))
        batch_op.drop_index(batch_op.f('ix_auditlog_action'))

    op.drop_column('account', 'email_bounced')

    with op.batch_alter_table('pendingcharge', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_pendingcharge_account_id'))

    op.drop_table('pendingcharge')
    with op.batch_alter_table('outagereport', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_outagereport_report_number'))
        batch_op.drop_index(batch_op.f('ix_outagereport_account_id'))

    op.drop_table('outagereport')
    with op.batch_alter_table('approval', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_approval_status'))
        batch_op.drop_index(batch_op.f('ix_approval_conversation_id'))
        batch_op.drop_index(batch_op.f('ix_approval_account_id'))

    op.drop_table('approval')
