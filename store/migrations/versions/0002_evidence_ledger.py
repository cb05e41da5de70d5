"""evidence ledger: hash-chained entries replace onboarding_events

Revision ID: 0002
Revises: 0001
"""
from datetime import UTC, datetime

import sqlalchemy as sa
import sqlmodel
from alembic import op

from domain.shared.evidence import GENESIS, entry_hash, payload_hash
from store.models import UtcDateTime

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "evidence_entries",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("subject_id", sqlmodel.sql.sqltypes.AutoString(length=80), nullable=False),
        sa.Column("seq", sa.Integer(), nullable=False),
        sa.Column("idempotency_key", sqlmodel.sql.sqltypes.AutoString(length=200), nullable=False),
        sa.Column("at", UtcDateTime(), nullable=False),
        sa.Column("recorded_at", UtcDateTime(), nullable=False),
        sa.Column("actor", sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.Column("kind", sqlmodel.sql.sqltypes.AutoString(length=60), nullable=False),
        sa.Column("payload", sa.JSON(), nullable=False),
        sa.Column("payload_sha256", sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
        sa.Column("prev_hash", sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
        sa.Column("entry_hash", sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("subject_id", "seq", name="uq_evidence_subject_seq"),
        sa.UniqueConstraint("idempotency_key", name="uq_evidence_key"),
    )
    op.create_index("ix_evidence_entries_subject_id", "evidence_entries", ["subject_id"])
    _move_onboarding_events()
    op.drop_index("ix_onboarding_events_onboarding_id", table_name="onboarding_events")
    op.drop_table("onboarding_events")


def _move_onboarding_events() -> None:
    """Chain the events written before the ledger existed, in their original order."""
    old = sa.table("onboarding_events", sa.column("onboarding_id", sa.String),
                   sa.column("seq", sa.Integer), sa.column("at", UtcDateTime()),
                   sa.column("kind", sa.String), sa.column("actor", sa.String),
                   sa.column("data", sa.JSON))
    new = sa.table("evidence_entries", *(sa.column(c) for c in (
        "subject_id", "seq", "idempotency_key", "at", "recorded_at", "actor", "kind", "payload",
        "payload_sha256", "prev_hash", "entry_hash")))
    bind = op.get_bind()
    rows = bind.execute(sa.select(old).order_by(old.c.onboarding_id, old.c.seq)).mappings()
    prev: dict[str, tuple[int, str]] = {}
    for r in rows:
        seq, last = prev.get(r["onboarding_id"], (0, GENESIS))
        seq += 1
        payload = {"workflow_seq": r["seq"], **(r["data"] or {})}
        digest = payload_hash(payload)
        at = r["at"]
        link = entry_hash(subject_id=r["onboarding_id"], seq=seq, at=at, actor=r["actor"],
                          kind=r["kind"], payload_sha256=digest, prev_hash=last)
        bind.execute(new.insert().values(
            subject_id=r["onboarding_id"], seq=seq,
            idempotency_key=f"{r['onboarding_id']}:event:{r['seq']}", at=at,
            recorded_at=datetime.now(UTC), actor=r["actor"], kind=r["kind"], payload=payload,
            payload_sha256=digest, prev_hash=last, entry_hash=link))
        prev[r["onboarding_id"]] = (seq, link)


def downgrade() -> None:
    raise NotImplementedError("the evidence ledger is append-only: no downgrade")
