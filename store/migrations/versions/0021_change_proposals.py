"""employee self-service: the bank account on the record, and proposals HR reviews

employees.bank_account (JSON {"bank", "number"}, NULL: none on file); change_proposals: an
employee's proposed change to their own phone, email, emergency contact or bank account, with
each field's before and after, pending until HR approves or rejects it (or a newer one
supersedes it).

Revision ID: 0021
Revises: 0020
"""
import sqlalchemy as sa
import sqlmodel
from alembic import op

from store.models import UtcDateTime

revision = "0021"
down_revision = "0020"
branch_labels = None
depends_on = None

S = sqlmodel.sql.sqltypes.AutoString


def upgrade() -> None:
    op.add_column("employees", sa.Column("bank_account", sa.JSON(), nullable=True))
    op.create_table(
        "change_proposals",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("employee_id", S(length=64), nullable=False),
        sa.Column("status", S(length=20), nullable=False),
        sa.Column("changes", sa.JSON(), nullable=False),
        sa.Column("notice_id", S(length=60), nullable=False),
        sa.Column("proposed_at", UtcDateTime(), nullable=False),
        sa.Column("decided_by", S(length=80), nullable=True),
        sa.Column("decided_at", UtcDateTime(), nullable=True),
        sa.Column("reason", S(), nullable=False),
        sa.ForeignKeyConstraint(["employee_id"], ["employees.employee_id"]),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("ix_change_proposals_employee_id", "change_proposals", ["employee_id"])
    op.create_index("ix_change_proposals_status", "change_proposals", ["status"])


def downgrade() -> None:
    op.drop_index("ix_change_proposals_status", table_name="change_proposals")
    op.drop_index("ix_change_proposals_employee_id", table_name="change_proposals")
    op.drop_table("change_proposals")
    op.drop_column("employees", "bank_account")
