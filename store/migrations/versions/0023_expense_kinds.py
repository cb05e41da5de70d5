"""the ledger's other fund items: hospital food allowance and travel for treatment elsewhere

case_expenses gains kind (medical for every row so far), the hospital stay of a food allowance
(admitted_on, discharged_on, daily_standard and the regional document standard_source) and the
agency's consent to travel (approval_reference). Reg. art. 30 ¶4; SIL art. 38 (2), (3).
invoice_key widens to 64 for the kind's prefix ("H:" a stay's admission number, "T:" a ticket).

Revision ID: 0023
Revises: 0022
"""
import sqlalchemy as sa
import sqlmodel
from alembic import op

from store.models import Fen

revision = "0023"
down_revision = "0022"
branch_labels = None
depends_on = None

S = sqlmodel.sql.sqltypes.AutoString


def upgrade() -> None:
    with op.batch_alter_table("case_expenses") as table:
        table.alter_column("invoice_key", type_=S(length=64), existing_type=S(length=60),
                           existing_nullable=False)
        table.add_column(sa.Column("kind", S(length=20), nullable=False, server_default="medical"))
        table.add_column(sa.Column("admitted_on", sa.Date(), nullable=True))
        table.add_column(sa.Column("discharged_on", sa.Date(), nullable=True))
        table.add_column(sa.Column("daily_standard", Fen(), nullable=True))
        table.add_column(sa.Column("standard_source", S(length=300), nullable=True))
        table.add_column(sa.Column("approval_reference", S(length=100), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("case_expenses") as table:
        for name in ("approval_reference", "standard_source", "daily_standard", "discharged_on",
                     "admitted_on", "kind"):
            table.drop_column(name)
        table.alter_column("invoice_key", type_=S(length=60), existing_type=S(length=64),
                           existing_nullable=False)
