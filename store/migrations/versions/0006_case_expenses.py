"""the medical-expense ledger of a case (one row per bill)

Revision ID: 0006
Revises: 0005
"""
import sqlalchemy as sa
import sqlmodel
from alembic import op

from store.models import Fen, UtcDateTime

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None

S = sqlmodel.sql.sqltypes.AutoString


def upgrade() -> None:
    op.create_table(
        "case_expenses",
        sa.Column("id", S(length=40), nullable=False),
        sa.Column("case_id", S(length=80), nullable=False),
        sa.Column("invoice_number", S(length=60), nullable=False),
        sa.Column("invoice_key", S(length=60), nullable=False),
        sa.Column("hospital", S(length=200), nullable=False),
        sa.Column("hospital_key", S(length=200), nullable=False),
        sa.Column("bill_date", sa.Date(), nullable=False),
        sa.Column("amount", Fen(), nullable=False),
        sa.Column("eligible_amount", Fen(), nullable=True),
        sa.Column("paid_by", S(length=30), nullable=False),
        sa.Column("medical_insurance_amount", Fen(), nullable=False),
        sa.Column("slip_total", Fen(), nullable=True),
        sa.Column("third_party_amount", Fen(), nullable=False),
        sa.Column("document_id", S(length=40), nullable=True),
        sa.Column("file_sha256", S(length=64), nullable=True),
        sa.Column("note", S(), nullable=False),
        sa.Column("entered_by", S(), nullable=False),
        sa.Column("entered_at", UtcDateTime(), nullable=False),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("case_id", "invoice_key", "hospital_key", name="uq_case_expense_invoice"),
        sa.UniqueConstraint("case_id", "file_sha256", name="uq_case_expense_file"),
    )
    op.create_index("ix_case_expenses_case_id", "case_expenses", ["case_id"])


def downgrade() -> None:
    op.drop_index("ix_case_expenses_case_id", table_name="case_expenses")
    op.drop_table("case_expenses")
