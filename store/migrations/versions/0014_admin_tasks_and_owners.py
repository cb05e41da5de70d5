"""admin tasks, and the owner of each onboarding and case

admin_tasks: what only an admin can mend (a role nobody reachable holds), one open per problem.
onboardings.owner, cases.owner: the HR person it was assigned to (NULL: who registered it).

Revision ID: 0014
Revises: 0013
"""
import sqlalchemy as sa
import sqlmodel
from alembic import op

from store.models import UtcDateTime

revision = "0014"
down_revision = "0013"
branch_labels = None
depends_on = None

S = sqlmodel.sql.sqltypes.AutoString


def upgrade() -> None:
    op.create_table(
        "admin_tasks",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("kind", S(length=40), nullable=False),
        sa.Column("open_key", S(length=200), nullable=True),
        sa.Column("role", S(length=40), nullable=False),
        sa.Column("department", S(length=80), nullable=False),
        sa.Column("owner", S(length=80), nullable=False),
        sa.Column("subject_id", S(length=120), nullable=False),
        sa.Column("purpose", S(length=80), nullable=False),
        sa.Column("detail", S(), nullable=False),
        sa.Column("occurrences", sa.Integer(), nullable=False),
        sa.Column("last_key", S(length=200), nullable=False),
        sa.Column("opened_at", UtcDateTime(), nullable=False),
        sa.Column("last_seen_at", UtcDateTime(), nullable=False),
        sa.Column("closed_at", UtcDateTime(), nullable=True),
        sa.Column("closed_by", S(length=80), nullable=True),
        sa.Column("close_note", S(), nullable=True),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("open_key"),
    )
    for table in ("onboardings", "cases"):
        op.add_column(table, sa.Column("owner", S(length=80), nullable=True))
        op.create_index(f"ix_{table}_owner", table, ["owner"])


def downgrade() -> None:
    for table in ("onboardings", "cases"):
        with op.batch_alter_table(table) as batch:
            batch.drop_index(f"ix_{table}_owner")
            batch.drop_column("owner")
    op.drop_table("admin_tasks")
