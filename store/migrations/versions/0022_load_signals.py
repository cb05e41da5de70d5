"""the signals an admin's load queued for running workflows (an outbox)

load_signals: one row per running onboarding or case a policy or calendar load concerns, written
in the load's transaction; the load's LoadDelivery workflow sends them a page at a time and marks
each (delivered_at, outcome told or not_running). A row still unmarked after the API restarts
has its load's delivery started again.

Revision ID: 0022
Revises: 0021
"""
import sqlalchemy as sa
import sqlmodel
from alembic import op

from store.models import UtcDateTime

revision = "0022"
down_revision = "0021"
branch_labels = None
depends_on = None

S = sqlmodel.sql.sqltypes.AutoString


def upgrade() -> None:
    op.create_table(
        "load_signals",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("load_key", S(length=80), nullable=False),
        sa.Column("workflow_id", S(length=200), nullable=False),
        sa.Column("signal", S(length=40), nullable=False),
        sa.Column("payload", sa.Text(), nullable=False),
        sa.Column("queued_at", UtcDateTime(), nullable=False),
        sa.Column("delivered_at", UtcDateTime(), nullable=True),
        sa.Column("outcome", S(length=20), nullable=True),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("load_key", "workflow_id"),
    )
    op.create_index("ix_load_signals_load_key", "load_signals", ["load_key"])
    # The API's start-up looks for rows still queued (delivered_at NULL) in every load.
    op.create_index("ix_load_signals_delivered_at", "load_signals", ["delivered_at"])


def downgrade() -> None:
    op.drop_index("ix_load_signals_delivered_at", table_name="load_signals")
    op.drop_index("ix_load_signals_load_key", table_name="load_signals")
    op.drop_table("load_signals")
