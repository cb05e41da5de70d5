"""contribution payments: each month's SI contributions recorded paid for a region's account

contribution_payments: the account, region and month (YYYY-MM), the amount (fen), the day paid,
the tax bureau voucher's number and documents, the employees it covers (empty: all insured), the
days late and the late fee priced on the day paid (SIL art. 86), the source in words, who and when.

Revision ID: 0016
Revises: 0015
"""
import sqlalchemy as sa
import sqlmodel
from alembic import op

from store.models import UtcDateTime

revision = "0016"
down_revision = "0015"
branch_labels = None
depends_on = None

S = sqlmodel.sql.sqltypes.AutoString


def upgrade() -> None:
    op.create_table(
        "contribution_payments",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("key", S(length=200), nullable=False),
        sa.Column("account_id", S(length=80), nullable=False),
        sa.Column("region", S(length=40), nullable=False),
        sa.Column("period", S(length=7), nullable=False),
        sa.Column("amount", sa.BigInteger(), nullable=False),
        sa.Column("paid_on", sa.Date(), nullable=False),
        sa.Column("reference", S(), nullable=False),
        sa.Column("documents", sa.JSON(), nullable=False),
        sa.Column("employees", sa.JSON(), nullable=False),
        sa.Column("days_late", sa.Integer(), nullable=False),
        sa.Column("late_fee", sa.BigInteger(), nullable=False),
        sa.Column("source", S(), nullable=False),
        sa.Column("recorded_by", S(length=80), nullable=False),
        sa.Column("recorded_at", UtcDateTime(), nullable=False),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("key"),
    )
    op.create_index("ix_contribution_payments_account_id", "contribution_payments",
                    ["account_id"])
    op.create_index("ix_contribution_payments_period", "contribution_payments", ["period"])


def downgrade() -> None:
    op.drop_index("ix_contribution_payments_period", table_name="contribution_payments")
    op.drop_index("ix_contribution_payments_account_id", table_name="contribution_payments")
    op.drop_table("contribution_payments")
