"""Delete what is past its retention period: `python -m store.retention --dry-run|--apply`.

The periods are domain/data/retention.json; store/retention_plan.py says what is due and what a
legal hold or an open dispute keeps. `--dry-run` prints the plan and changes nothing; `--apply`
deletes, subject by subject, each in one transaction:
- the onboarding's or case's list row, final state, deadlines, notices (attempts, receipts),
  outbox messages, documents and expenses, the load signals queued for it; a document's file once
  no document names its SHA-256;
- its evidence entries' payloads, replaced by a `_redacted` marker: the rows and their hashes stay,
  so `python -m store.verify` still passes; then one `records_deleted` entry on its chain says
  which run deleted how many of what, with no personal data.
Then notices and outbox messages of no onboarding or case, access-log rows and deactivated people
past their own periods. Each run is a `retention_runs` row, each deletion a `retention_deletions`
row (run, subject, record type, count) and the run a `retention_applied` ledger entry.
"""

from __future__ import annotations

import argparse
import json
import sys
import uuid
from collections import Counter
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import Column, Index, delete, update
from sqlmodel import JSON, Field, Session, SQLModel, col, select

from domain.shared.retention import redaction_marker
from settings import Settings
from store import evidence, legal_holds
from store import retention_people as people
from store.access_log import AccessLogRow
from store.db import session_for
from store.documents import ContentStore, content_store
from store.load_deliveries import LoadSignalRow
from store.models import (
    CaseDeadlineEntry,
    CaseRow,
    ChangeProposalRow,
    ClosedRecord,
    DocumentRow,
    EvidenceEntry,
    ExpenseRow,
    NoticeAttemptRow,
    NoticeReceiptRow,
    NoticeRow,
    OnboardingRow,
    OutboxMessage,
    UtcDateTime,
)
from store.retention_plan import Plan, SubjectDue, access_log_due, plan


class RetentionRunRow(SQLModel, table=True):
    """One run: dry run or apply, by whom, judged as of when, and its counts per record type."""

    __tablename__ = "retention_runs"

    id: str = Field(primary_key=True, max_length=40)
    mode: str = Field(max_length=10)
    run_by: str = Field(max_length=100)
    as_of: datetime = Field(sa_column=Column(UtcDateTime(), nullable=False))
    started_at: datetime = Field(sa_column=Column(UtcDateTime(), nullable=False))
    finished_at: datetime | None = Field(default=None,
                                         sa_column=Column(UtcDateTime(), nullable=True))
    counts: dict[str, Any] = Field(default_factory=dict, sa_column=Column(JSON, nullable=False))


class RetentionDeletionRow(SQLModel, table=True):
    """What one run deleted of one subject (None: of no subject): a record type and how many."""

    __tablename__ = "retention_deletions"
    __table_args__ = (Index("ix_retention_deletions_run_id", "run_id"),
                      Index("ix_retention_deletions_subject_id", "subject_id"))

    id: int | None = Field(default=None, primary_key=True)
    run_id: str = Field(max_length=40)
    subject_id: str | None = Field(default=None, max_length=120)
    record_type: str = Field(max_length=40)
    count: int
    at: datetime = Field(sa_column=Column(UtcDateTime(), nullable=False))


def run(db_url: str, documents: ContentStore, *, apply: bool, now: datetime,
        by: str) -> dict[str, Any]:
    """Plan at `now` and, with `apply`, delete; the report (JSON-able) of what was (or would be)
    deleted and what is kept by which hold."""
    found = plan(db_url, now)
    report: dict[str, Any] = {
        "mode": "apply" if apply else "dry_run", "as_of": now.isoformat(),
        "due": [s.subject_id for s in found.due],
        "held": {s.subject_id: s.held for s in found.subjects if s.held is not None},
        "loose_notices": len(found.loose_notices), "loose_outbox": len(found.loose_outbox),
        "access_log": found.access_log, "people": len(found.people),
        "change_proposals": len(found.change_proposals)}
    if not apply:
        return report
    run_id = f"ret-{uuid.uuid4().hex[:16]}"
    started = datetime.now(UTC)
    with session_for(db_url) as session:
        session.add(RetentionRunRow(id=run_id, mode="apply", run_by=by, as_of=now,
                                    started_at=started, counts={}))
        session.commit()
    totals: Counter[str] = Counter()
    for subject in found.due:
        totals.update(_delete_subject(db_url, documents, run_id, subject))
    totals.update(_delete_loose(db_url, run_id, found))
    totals.update(people.expire(db_url, run_id, found.people, by))
    counts = {k: v for k, v in sorted(totals.items()) if v}
    with session_for(db_url) as session:
        row = session.get(RetentionRunRow, run_id)
        assert row is not None
        row.finished_at, row.counts = datetime.now(UTC), counts
        session.add(row)
        evidence.append_in(session.connection(), legal_holds.PERSONAL_DATA_SUBJECT, [
            evidence.NewEntry(subject_id=legal_holds.PERSONAL_DATA_SUBJECT,
                              idempotency_key=f"retention:{run_id}", at=datetime.now(UTC),
                              actor=by, kind="retention_applied",
                              payload={"run": run_id, "as_of": now.isoformat(),
                                       "subjects": len(found.due), "deleted": counts})])
        session.commit()
    return {**report, "run": run_id, "deleted": counts}


def _delete_subject(db_url: str, documents: ContentStore, run_id: str,
                    subject: SubjectDue) -> Counter[str]:
    """Delete one onboarding's or case's records and redact its evidence, in one transaction;
    then the files no remaining document names."""
    sid, now = subject.subject_id, datetime.now(UTC)
    with session_for(db_url) as session:
        notice_ids = list(session.exec(select(NoticeRow.id).where(NoticeRow.subject_id == sid)))
        files = set(session.exec(select(DocumentRow.sha256).where(DocumentRow.subject_id == sid)))
        counts: Counter[str] = Counter({
            "notice_receipt": _gone(session, NoticeReceiptRow,
                                    col(NoticeReceiptRow.notice_id).in_(notice_ids)),
            "notice_attempt": _gone(session, NoticeAttemptRow,
                                    col(NoticeAttemptRow.notice_id).in_(notice_ids)),
            "notice": _gone(session, NoticeRow, col(NoticeRow.subject_id) == sid),
            "outbox": _gone(session, OutboxMessage, col(OutboxMessage.subject_id) == sid),
            "document": _gone(session, DocumentRow, col(DocumentRow.subject_id) == sid),
            "expense": _gone(session, ExpenseRow, col(ExpenseRow.case_id) == sid),
            "case_deadline": _gone(session, CaseDeadlineEntry, col(CaseDeadlineEntry.case_id) == sid),
            "onboarding": _gone(session, OnboardingRow, col(OnboardingRow.id) == sid),
            "case": _gone(session, CaseRow, col(CaseRow.id) == sid),
            "closed_record": _gone(session, ClosedRecord, col(ClosedRecord.subject_id) == sid),
            "load_signal": _gone(session, LoadSignalRow, col(LoadSignalRow.workflow_id) == sid),
        })
        counts["evidence"] = session.execute(  # type: ignore[attr-defined]
            update(EvidenceEntry).where(col(EvidenceEntry.subject_id) == sid)
            .values(payload=redaction_marker(run_id))).rowcount
        deleted = {k: v for k, v in counts.items() if v}
        evidence.append_in(session.connection(), sid, [evidence.NewEntry(
            subject_id=sid, idempotency_key=f"retention:{run_id}:{sid}", at=now,
            actor="retention", kind="records_deleted", payload={"run": run_id, "deleted": deleted})])
        _record(session, run_id, sid, deleted, now)
        session.commit()
    counts["document_file"] = _delete_files(db_url, documents, files)
    return counts


def _delete_files(db_url: str, documents: ContentStore, files: set[str]) -> int:
    with session_for(db_url) as session:
        still = set(session.exec(select(DocumentRow.sha256).where(col(DocumentRow.sha256).in_(files))))
    for sha256 in files - still:
        documents.delete(sha256)
    return len(files - still)


def _delete_loose(db_url: str, run_id: str, found: Plan) -> Counter[str]:
    """Notices and outbox messages of no onboarding or case, access-log rows and decided
    self-service proposals, past theirs."""
    now = datetime.now(UTC)
    with session_for(db_url) as session:
        counts: Counter[str] = Counter({
            "notice_receipt": _gone(session, NoticeReceiptRow,
                                    col(NoticeReceiptRow.notice_id).in_(found.loose_notices)),
            "notice_attempt": _gone(session, NoticeAttemptRow,
                                    col(NoticeAttemptRow.notice_id).in_(found.loose_notices)),
            "notice": _gone(session, NoticeRow, col(NoticeRow.id).in_(found.loose_notices)),
            "outbox": _gone(session, OutboxMessage, col(OutboxMessage.id).in_(found.loose_outbox)),
            "access_log": _gone(session, AccessLogRow,
                                *access_log_due(found.access_log_before, found.held_refs)),
            "change_proposal": _gone(session, ChangeProposalRow,
                                     col(ChangeProposalRow.id).in_(found.change_proposals))})
        _record(session, run_id, None, {k: v for k, v in counts.items() if v}, now)
        session.commit()
    return counts


def _gone(session: Session, model: type[SQLModel], *where: Any) -> int:
    """Delete the rows of `model` matching `where`; how many."""
    rowcount: int = session.execute(delete(model).where(*where)).rowcount  # type: ignore[attr-defined]
    return rowcount


def _record(session: Session, run_id: str, subject_id: str | None, deleted: dict[str, int],
            at: datetime) -> None:
    for record_type, count in deleted.items():
        session.add(RetentionDeletionRow(run_id=run_id, subject_id=subject_id,
                                         record_type=record_type, count=count, at=at))


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    mode = parser.add_mutually_exclusive_group(required=True)
    mode.add_argument("--dry-run", action="store_true", help="print what would go; change nothing")
    mode.add_argument("--apply", action="store_true", help="delete what is past its period")
    parser.add_argument("--as-of", type=datetime.fromisoformat,
                        help="judge periods as of this moment (ISO 8601 with offset; default now)")
    parser.add_argument("--by", default="retention", help="who runs it (recorded)")
    parser.add_argument("--database-url", help="default: CASEGUARD_DATABASE_URL or var/")
    args = parser.parse_args(argv)
    if args.as_of is not None and args.as_of.tzinfo is None:
        parser.error("--as-of needs a timezone offset, e.g. 2030-01-01T00:00:00+08:00")
    settings = Settings()
    db_url = args.database_url or settings.db_url
    report = run(db_url, content_store(settings), apply=args.apply,
                 now=args.as_of or datetime.now(UTC), by=args.by)
    print(json.dumps(report, ensure_ascii=False, indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())
