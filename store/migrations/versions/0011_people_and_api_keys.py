"""the directory of people and their API keys (hashed)

people: principal name (unique), roles, departments, contacts, preferred channels, active.
api_keys: the SHA-256 of each key with a short prefix, its person, an optional single role,
created, last used, revoked. The API fills both from CASEGUARD_API_KEYS at start.

Revision ID: 0011
Revises: 0010
"""
import sqlalchemy as sa
import sqlmodel
from alembic import op

from store.models import UtcDateTime

revision = "0011"
down_revision = "0010"
branch_labels = None
depends_on = None

S = sqlmodel.sql.sqltypes.AutoString


def upgrade() -> None:
    op.create_table(
        "people",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("name", S(length=80), nullable=False),
        sa.Column("roles", sa.JSON(), nullable=False),
        sa.Column("departments", sa.JSON(), nullable=False),
        sa.Column("phone", S(length=20), nullable=True),
        sa.Column("email", S(length=254), nullable=True),
        sa.Column("wecom_user_id", S(length=64), nullable=True),
        sa.Column("dingtalk_user_id", S(length=64), nullable=True),
        sa.Column("channels", sa.JSON(), nullable=False),
        sa.Column("active", sa.Boolean(), nullable=False),
        sa.Column("created_at", UtcDateTime(), nullable=False),
        sa.Column("updated_at", UtcDateTime(), nullable=False),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("name", name="uq_people_name"),
    )
    op.create_table(
        "api_keys",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("person_id", sa.Integer(), nullable=False),
        sa.Column("key_hash", S(length=64), nullable=False),
        sa.Column("prefix", S(length=16), nullable=False),
        sa.Column("role", S(length=20), nullable=True),
        sa.Column("created_at", UtcDateTime(), nullable=False),
        sa.Column("created_by", S(length=80), nullable=False),
        sa.Column("last_used_at", UtcDateTime(), nullable=True),
        sa.Column("revoked_at", UtcDateTime(), nullable=True),
        sa.Column("revoked_by", S(length=80), nullable=True),
        sa.ForeignKeyConstraint(["person_id"], ["people.id"]),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("key_hash", name="uq_api_keys_hash"),
    )
    op.create_index("ix_api_keys_person_id", "api_keys", ["person_id"])


def downgrade() -> None:
    op.drop_index("ix_api_keys_person_id", table_name="api_keys")
    op.drop_table("api_keys")
    op.drop_table("people")
