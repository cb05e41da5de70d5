"""personal links kept as parameters, answered notices, webhook messages seen once

Stored texts lose their personal links (a link's token opens and answers a notice): each link in
notice_attempts.body and outbox.body becomes LINK_WITHHELD, and an attempt keeps the parameters of
its link (expiry, nonce) instead. notices.answered_at marks the first answer; webhook_messages
holds each Twilio callback once.

Revision ID: 0010
Revises: 0009
"""
import base64
import re

import sqlalchemy as sa
import sqlmodel
from alembic import op

from store.models import UtcDateTime

revision = "0010"
down_revision = "0009"
branch_labels = None
depends_on = None

S = sqlmodel.sql.sqltypes.AutoString
# Copies, as of this revision, of domain.notices.text.LINK_WITHHELD and of a link's shape.
LINK_WITHHELD = "[个人链接已隐去 · personal link withheld]"
LINK = re.compile(r"(?:https?://[^\s\"'<>]*?)?/r/([A-Za-z0-9_-]+)\.([0-9]+)\.([A-Za-z0-9_-]+)"
                  r"\.[A-Za-z0-9_-]+(?:/o\.gif)?")


def upgrade() -> None:
    op.add_column("notices", sa.Column("answered_at", UtcDateTime(), nullable=True))
    op.add_column("notice_attempts", sa.Column("link_expires", sa.BigInteger(), nullable=True))
    op.add_column("notice_attempts", sa.Column("link_nonce", S(length=40), nullable=True))
    op.create_index("ix_notice_attempts_link_nonce", "notice_attempts", ["link_nonce"])
    op.create_table(
        "webhook_messages",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("provider", S(length=20), nullable=False),
        sa.Column("kind", S(length=20), nullable=False),
        sa.Column("message_key", S(length=200), nullable=False),
        sa.Column("received_at", UtcDateTime(), nullable=False),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("provider", "kind", "message_key", name="uq_webhook_message"),
    )
    _withhold_stored_links()


def _withhold_stored_links() -> None:
    """Every stored link replaced; an attempt keeps its own link's expiry and nonce."""
    connection = op.get_bind()
    attempts = sa.table("notice_attempts", sa.column("id", sa.Integer()), sa.column("body", S()),
                        sa.column("notice_id", S()), sa.column("link_expires", sa.BigInteger()),
                        sa.column("link_nonce", S()))
    outbox = sa.table("outbox", sa.column("id", sa.Integer()), sa.column("body", S()))
    for row in connection.execute(sa.select(attempts.c.id, attempts.c.body, attempts.c.notice_id)
                                  .where(attempts.c.body.like("%/r/%"))).all():
        values: dict[str, object] = {"body": LINK.sub(LINK_WITHHELD, row.body)}
        own = [m for m in LINK.finditer(row.body) if _notice_of(m.group(1)) == row.notice_id]
        if own:
            values.update(link_expires=int(own[0].group(2)), link_nonce=own[0].group(3))
        connection.execute(attempts.update().where(attempts.c.id == row.id).values(**values))
    for row in connection.execute(sa.select(outbox.c.id, outbox.c.body)
                                  .where(outbox.c.body.like("%/r/%"))).all():
        connection.execute(outbox.update().where(outbox.c.id == row.id)
                           .values(body=LINK.sub(LINK_WITHHELD, row.body)))


def _notice_of(encoded: str) -> str:
    try:
        return base64.urlsafe_b64decode(encoded + "=" * (-len(encoded) % 4)).decode()
    except ValueError:  # UnicodeDecodeError and binascii.Error are ValueErrors
        return ""


def downgrade() -> None:
    op.drop_table("webhook_messages")
    op.drop_index("ix_notice_attempts_link_nonce", table_name="notice_attempts")
    with op.batch_alter_table("notice_attempts") as batch:
        batch.drop_column("link_nonce")
        batch.drop_column("link_expires")
    with op.batch_alter_table("notices") as batch:
        batch.drop_column("answered_at")
