"""policy figures an admin loaded (POST /api/v1/admin/policy)

policy_loads: each load as it was sent (the rows per section, the same shape as the policy file),
its source in words, who loaded it and when. The API applies the loads in order over the bundled
rows and the deployment's policy file.

Revision ID: 0018
Revises: 0017
"""
import sqlalchemy as sa
import sqlmodel
from alembic import op

from store.models import UtcDateTime

revision = "0018"
down_revision = "0017"
branch_labels = None
depends_on = None

S = sqlmodel.sql.sqltypes.AutoString


def upgrade() -> None:
    op.create_table(
        "policy_loads",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("sections", sa.JSON(), nullable=False),
        sa.Column("source", S(), nullable=False),
        sa.Column("loaded_by", S(length=80), nullable=False),
        sa.Column("loaded_at", UtcDateTime(), nullable=False),
        sa.PrimaryKeyConstraint("id"),
    )


def downgrade() -> None:
    op.drop_table("policy_loads")
