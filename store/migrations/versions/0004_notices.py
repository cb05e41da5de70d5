"""notices, their attempts and receipts

Revision ID: 0004
Revises: 0003
"""
import sqlalchemy as sa
import sqlmodel
from alembic import op

from store.models import UtcDateTime

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None

S = sqlmodel.sql.sqltypes.AutoString


def upgrade() -> None:
    op.create_table(
        "notices",
        sa.Column("id", S(length=60), nullable=False),
        sa.Column("subject_id", S(length=80), nullable=False),
        sa.Column("purpose", S(length=60), nullable=False),
        sa.Column("code", S(length=12), nullable=False),
        sa.Column("recipient_name", S(), nullable=False),
        sa.Column("recipient_role", S(length=40), nullable=False),
        sa.Column("phone", S(length=20), nullable=True),
        sa.Column("email", S(), nullable=True),
        sa.Column("locale", S(length=10), nullable=False),
        sa.Column("channels", sa.JSON(), nullable=False),
        sa.Column("status", S(length=20), nullable=False),
        sa.Column("answer", sa.JSON(), nullable=True),
        sa.Column("created_at", UtcDateTime(), nullable=False),
        sa.Column("closed_at", UtcDateTime(), nullable=True),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("code"),
    )
    op.create_index("ix_notices_subject_id", "notices", ["subject_id"])
    op.create_index("ix_notices_phone", "notices", ["phone"])
    op.create_index("ix_notices_status", "notices", ["status"])
    op.create_table(
        "notice_attempts",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("idempotency_key", S(length=200), nullable=False),
        sa.Column("notice_id", S(length=60), nullable=False),
        sa.Column("attempt_no", sa.Integer(), nullable=False),
        sa.Column("channel", S(length=10), nullable=False),
        sa.Column("to_address", S(), nullable=False),
        sa.Column("reminder", sa.Boolean(), nullable=False),
        sa.Column("state", S(length=20), nullable=False),
        sa.Column("status", S(length=20), nullable=False),
        sa.Column("provider_id", S(length=200), nullable=True),
        sa.Column("segments", sa.Integer(), nullable=False),
        sa.Column("error", S(), nullable=False),
        sa.Column("subject", S(), nullable=False),
        sa.Column("body", S(), nullable=False),
        sa.Column("created_at", UtcDateTime(), nullable=False),
        sa.Column("sent_at", UtcDateTime(), nullable=True),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("idempotency_key", name="uq_notice_attempt_key"),
        sa.UniqueConstraint("notice_id", "attempt_no", name="uq_notice_attempt_no"),
    )
    op.create_index("ix_notice_attempts_notice_id", "notice_attempts", ["notice_id"])
    op.create_index("ix_notice_attempts_provider_id", "notice_attempts", ["provider_id"])
    op.create_table(
        "notice_receipts",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("attempt_id", sa.Integer(), nullable=False),
        sa.Column("notice_id", S(length=60), nullable=False),
        sa.Column("status", S(length=20), nullable=False),
        sa.Column("source", S(length=20), nullable=False),
        sa.Column("error_code", S(), nullable=False),
        sa.Column("at", UtcDateTime(), nullable=False),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("attempt_id", "status", "source", name="uq_notice_receipt"),
    )
    op.create_index("ix_notice_receipts_attempt_id", "notice_receipts", ["attempt_id"])
    op.create_index("ix_notice_receipts_notice_id", "notice_receipts", ["notice_id"])


def downgrade() -> None:
    op.drop_table("notice_receipts")
    op.drop_table("notice_attempts")
    op.drop_table("notices")
