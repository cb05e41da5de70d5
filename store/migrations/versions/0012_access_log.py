"""the access log: each read of sensitive personal information

access_log: who (principal, role), what (method, route template, subject id), when, from where
(client address, user agent). Indexed for the admin's filters: by principal, by subject, by time.

Revision ID: 0012
Revises: 0011
"""
import sqlalchemy as sa
import sqlmodel
from alembic import op

from store.models import UtcDateTime

revision = "0012"
down_revision = "0011"
branch_labels = None
depends_on = None

S = sqlmodel.sql.sqltypes.AutoString


def upgrade() -> None:
    op.create_table(
        "access_log",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("at", UtcDateTime(), nullable=False),
        sa.Column("principal", S(length=100), nullable=False),
        sa.Column("role", S(length=40), nullable=False),
        sa.Column("method", S(length=10), nullable=False),
        sa.Column("route", S(length=200), nullable=False),
        sa.Column("subject_id", S(length=120), nullable=True),
        sa.Column("client_address", S(length=64), nullable=False),
        sa.Column("user_agent", S(length=300), nullable=False),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("ix_access_log_at", "access_log", ["at"])
    op.create_index("ix_access_log_principal_at", "access_log", ["principal", "at"])
    op.create_index("ix_access_log_subject_at", "access_log", ["subject_id", "at"])


def downgrade() -> None:
    op.drop_index("ix_access_log_subject_at", table_name="access_log")
    op.drop_index("ix_access_log_principal_at", table_name="access_log")
    op.drop_index("ix_access_log_at", table_name="access_log")
    op.drop_table("access_log")
