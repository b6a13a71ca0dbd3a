"""lockout counters: verification and rep sign-in failures, counted atomically per subject

Revision ID: 0006
Revises: 0004
Create Date: 2026-12-02 17:30:00
"""
from alembic import op
import sqlalchemy as sa
import sqlmodel


revision = '0006'
down_revision = '0004'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('lockoutcounter',
    sa.Column('subject', sqlmodel.sql.sqltypes.AutoString(length=120), nullable=False),
    sa.Column('failures', sa.Integer(), nullable=False),
    sa.Column('window_start', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
    sa.PrimaryKeyConstraint('subject')
    )


def downgrade() -> None:
    op.drop_table('lockoutcounter')
