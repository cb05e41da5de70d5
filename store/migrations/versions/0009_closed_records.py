"""final state of closed onboardings and cases (closed_records)

Revision ID: 0009
Revises: 0008
"""
import sqlalchemy as sa
import sqlmodel
from alembic import op

from store.models import UtcDateTime

revision = "0009"
down_revision = "0008"
branch_labels = None
depends_on = None

S = sqlmodel.sql.sqltypes.AutoString


def upgrade() -> None:
    op.create_table(
        "closed_records",
        sa.Column("subject_id", S(length=120), nullable=False),
        sa.Column("kind", S(length=20), nullable=False),
        sa.Column("state", sa.JSON(), nullable=False),
        sa.Column("closed_at", UtcDateTime(), nullable=False),
        sa.PrimaryKeyConstraint("subject_id"),
    )


def downgrade() -> None:
    op.drop_table("closed_records")
