"""the employee's channels: WeCom and DingTalk user ids and the order to reach them in

employees.wecom_user_id, employees.dingtalk_user_id, employees.channels (JSON list, empty: SMS,
then email, as before).

Revision ID: 0019
Revises: 0018
"""
import sqlalchemy as sa
import sqlmodel
from alembic import op

revision = "0019"
down_revision = "0018"
branch_labels = None
depends_on = None

S = sqlmodel.sql.sqltypes.AutoString


def upgrade() -> None:
    op.add_column("employees", sa.Column("wecom_user_id", S(length=64), nullable=True))
    op.add_column("employees", sa.Column("dingtalk_user_id", S(length=64), nullable=True))
    op.add_column("employees", sa.Column("channels", sa.JSON(), nullable=False,
                                         server_default="[]"))


def downgrade() -> None:
    for column in ("channels", "dingtalk_user_id", "wecom_user_id"):
        op.drop_column("employees", column)
