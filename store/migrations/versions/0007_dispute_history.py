"""dispute history (历史纠纷数据库): finished cases and imported past disputes

Revision ID: 0007
Revises: 0006
"""
import sqlalchemy as sa
import sqlmodel
from alembic import op

from store.models import Fen, UtcDateTime

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None

S = sqlmodel.sql.sqltypes.AutoString


def upgrade() -> None:
    op.create_table(
        "dispute_history",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("source", S(length=10), nullable=False),
        sa.Column("case_id", S(length=80), nullable=True),
        sa.Column("import_batch", S(length=40), nullable=True),
        sa.Column("import_row", sa.Integer(), nullable=True),
        sa.Column("import_sha256", S(length=64), nullable=True),
        sa.Column("reference", S(length=80), nullable=False),
        sa.Column("cause", S(), nullable=False),
        sa.Column("injury", S(), nullable=False),
        sa.Column("location", S(), nullable=False),
        sa.Column("region", S(length=40), nullable=False),
        sa.Column("accident_on", sa.Date(), nullable=True),
        sa.Column("closed_on", sa.Date(), nullable=True),
        sa.Column("si_enrolled", sa.Boolean(), nullable=True),
        sa.Column("traffic_accident", sa.Boolean(), nullable=True),
        sa.Column("recognised", sa.Boolean(), nullable=True),
        sa.Column("grade", sa.Integer(), nullable=True),
        sa.Column("no_disability", sa.Boolean(), nullable=False),
        sa.Column("suspension_months", sa.Integer(), nullable=True),
        sa.Column("employer_offers", sa.JSON(), nullable=False),
        sa.Column("employee_demands", sa.JSON(), nullable=False),
        sa.Column("agreed_amount", Fen(), nullable=True),
        sa.Column("paid_amount", Fen(), nullable=True),
        sa.Column("duration_days", sa.Integer(), nullable=True),
        sa.Column("outcome", S(length=40), nullable=False),
        sa.Column("disputes", sa.JSON(), nullable=False),
        sa.Column("missed_deadlines", sa.JSON(), nullable=False),
        sa.Column("notes", S(), nullable=False),
        sa.Column("recorded_by", S(), nullable=False),
        sa.Column("recorded_at", UtcDateTime(), nullable=False),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("case_id", name="uq_dispute_history_case"),
        sa.UniqueConstraint("import_batch", "import_row", name="uq_dispute_history_import_row"),
    )
    op.create_index("ix_dispute_history_source", "dispute_history", ["source"])
    op.create_index("ix_dispute_history_import_batch", "dispute_history", ["import_batch"])
    op.create_index("ix_dispute_history_import_sha256", "dispute_history", ["import_sha256"])
    op.create_index("ix_dispute_history_grade", "dispute_history", ["grade"])


def downgrade() -> None:
    op.drop_index("ix_dispute_history_grade", table_name="dispute_history")
    op.drop_index("ix_dispute_history_import_sha256", table_name="dispute_history")
    op.drop_index("ix_dispute_history_import_batch", table_name="dispute_history")
    op.drop_index("ix_dispute_history_source", table_name="dispute_history")
    op.drop_table("dispute_history")
