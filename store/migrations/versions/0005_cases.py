"""injury cases and their deadlines (list projection)

Revision ID: 0005
Revises: 0004
"""
import sqlalchemy as sa
import sqlmodel
from alembic import op

from store.models import UtcDateTime

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None

S = sqlmodel.sql.sqltypes.AutoString


def upgrade() -> None:
    op.create_table(
        "cases",
        sa.Column("id", S(length=80), nullable=False),
        sa.Column("employee_id", S(length=64), nullable=False),
        sa.Column("employee_name", S(), nullable=False),
        sa.Column("department", S(), nullable=False),
        sa.Column("region", S(length=40), nullable=False),
        sa.Column("accident_at", UtcDateTime(), nullable=False),
        sa.Column("stage", S(length=40), nullable=False),
        sa.Column("created_by", S(), nullable=False),
        sa.Column("created_at", UtcDateTime(), nullable=False),
        sa.Column("updated_at", UtcDateTime(), nullable=False),
        sa.Column("last_seq", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("ix_cases_employee_id", "cases", ["employee_id"])
    op.create_index("ix_cases_stage", "cases", ["stage"])
    op.create_table(
        "case_deadlines",
        sa.Column("case_id", S(length=80), nullable=False),
        sa.Column("name", S(length=40), nullable=False),
        sa.Column("due_at", UtcDateTime(), nullable=False),
        sa.Column("met_at", UtcDateTime(), nullable=True),
        sa.Column("kind", S(length=20), nullable=False),
        sa.Column("article", S(), nullable=False),
        sa.Column("active", sa.Boolean(), nullable=False),
        sa.PrimaryKeyConstraint("case_id", "name"),
    )
    op.create_index("ix_case_deadlines_due_at", "case_deadlines", ["due_at"])


def downgrade() -> None:
    op.drop_index("ix_case_deadlines_due_at", table_name="case_deadlines")
    op.drop_table("case_deadlines")
    op.drop_index("ix_cases_stage", table_name="cases")
    op.drop_index("ix_cases_employee_id", table_name="cases")
    op.drop_table("cases")
