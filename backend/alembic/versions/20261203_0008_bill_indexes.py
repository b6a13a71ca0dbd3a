"""bill indexes: an account's bills by date, and extensions by bill

Every account summary reads the account's latest bill and its extension. Without these, SQLite
walked the whole bill_date index to find it and built a throwaway index on duedateextension
for each read.

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-03 14:30:00
"""
from alembic import op


revision = '0008'
down_revision = '0007'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('bill', schema=None) as batch_op:
        batch_op.create_index('ix_bill_account_id_bill_date', ['account_id', 'bill_date', 'id'],
                              unique=False)
        # The new index leads with account_id, so it serves every lookup the old one did.
        batch_op.drop_index('ix_bill_account_id')
    with op.batch_alter_table('duedateextension', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_duedateextension_bill_id'), ['bill_id'],
                              unique=False)


def downgrade() -> None:
    with op.batch_alter_table('duedateextension', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_duedateextension_bill_id'))
    with op.batch_alter_table('bill', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_bill_account_id'), ['account_id'], unique=False)
        batch_op.drop_index('ix_bill_account_id_bill_date')
