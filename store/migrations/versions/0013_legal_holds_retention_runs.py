"""legal holds and retention runs: subject rights (PIPL art. 45, 47)

legal_holds: an admin's hold on an employee or on one onboarding or case (scope, target, reason,
who placed and lifted it, when). A lifted hold is kept, lifted_at set: the holds' history stays.
retention_runs: each run of `python -m store.retention` (dry run or apply), who ran it, the
moment it judged "now" by, and how many records of each type it deleted or would delete.
retention_deletions: what one run deleted of one subject: the record type and how many, never the
records' personal data.

Revision ID: 0013
Revises: 0012
"""
import sqlalchemy as sa
import sqlmodel
from alembic import op

from store.models import UtcDateTime

revision = "0013"
down_revision = "0012"
branch_labels = None
depends_on = None

S = sqlmodel.sql.sqltypes.AutoString


def upgrade() -> None:
    op.create_table(
        "legal_holds",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("scope", S(length=20), nullable=False),
        sa.Column("target", S(length=120), nullable=False),
        sa.Column("reason", S(length=500), nullable=False),
        sa.Column("placed_by", S(length=100), nullable=False),
        sa.Column("placed_at", UtcDateTime(), nullable=False),
        sa.Column("lifted_by", S(length=100), nullable=True),
        sa.Column("lifted_at", UtcDateTime(), nullable=True),
        sa.Column("lift_reason", S(length=500), nullable=True),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("ix_legal_holds_scope_target", "legal_holds", ["scope", "target"])
    op.create_table(
        "retention_runs",
        sa.Column("id", S(length=40), nullable=False),
        sa.Column("mode", S(length=10), nullable=False),
        sa.Column("run_by", S(length=100), nullable=False),
        sa.Column("as_of", UtcDateTime(), nullable=False),
        sa.Column("started_at", UtcDateTime(), nullable=False),
        sa.Column("finished_at", UtcDateTime(), nullable=True),
        sa.Column("counts", sa.JSON(), nullable=False),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_table(
        "retention_deletions",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("run_id", S(length=40), nullable=False),
        sa.Column("subject_id", S(length=120), nullable=True),
        sa.Column("record_type", S(length=40), nullable=False),
        sa.Column("count", sa.Integer(), nullable=False),
        sa.Column("at", UtcDateTime(), nullable=False),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("ix_retention_deletions_run_id", "retention_deletions", ["run_id"])
    op.create_index("ix_retention_deletions_subject_id", "retention_deletions", ["subject_id"])


def downgrade() -> None:
    op.drop_index("ix_retention_deletions_subject_id", table_name="retention_deletions")
    op.drop_index("ix_retention_deletions_run_id", table_name="retention_deletions")
    op.drop_table("retention_deletions")
    op.drop_table("retention_runs")
    op.drop_index("ix_legal_holds_scope_target", table_name="legal_holds")
    op.drop_table("legal_holds")
