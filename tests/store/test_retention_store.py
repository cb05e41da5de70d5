"""Retention on the database: a dry run changes nothing; applying deletes what is past its period
and not held, redacts its evidence so every chain still verifies, and records each deletion."""

from __future__ import annotations

import json
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from sqlmodel import SQLModel, func, select

from domain.shared.directory import PersonFields
from domain.shared.retention import is_redacted
from store import evidence, legal_holds, people, retention, verify
from store.access_log import AccessLogRow
from store.db import session_for
from store.documents import LocalContentStore
from store.load_deliveries import LoadSignalRow
from store.models import (
    CaseRow,
    ClosedRecord,
    DocumentRow,
    EvidenceEntry,
    ExpenseRow,
    NoticeAttemptRow,
    NoticeRow,
    OnboardingRow,
    OutboxMessage,
    PersonRow,
)
from store.retention import RetentionDeletionRow, RetentionRunRow

CLOSED = datetime(2026, 1, 10, tzinfo=UTC)
LATER = datetime(2031, 6, 1, tzinfo=UTC)  # past every period counted from CLOSED
TABLES: list[type[SQLModel]] = [OnboardingRow, CaseRow, ClosedRecord, DocumentRow, ExpenseRow,
                                NoticeRow, NoticeAttemptRow, OutboxMessage, AccessLogRow, PersonRow,
                                EvidenceEntry, LoadSignalRow]


def _onboarding(db_url: str, store: LocalContentStore, employee: str, *,
                content: bytes = b"%PDF-1.7 contract") -> str:
    sid = f"onboarding-{employee}"
    sha = store.put(content)
    with session_for(db_url) as s:
        s.add(OnboardingRow(id=sid, employee_id=employee, employee_name="张三", department="生产部",
                            region="110000", hire_date=date(2025, 12, 1), status="cancelled",
                            si_due_at=CLOSED, created_by="hr-alice", created_at=CLOSED,
                            updated_at=CLOSED))
        s.add(ClosedRecord(subject_id=sid, kind="onboarding", state={"view": {"id": sid}},
                           closed_at=CLOSED))
        s.add(DocumentRow(id=f"doc-{employee}", subject_id=sid, kind="other", filename="合同.pdf",
                          content_type="application/pdf", size=len(content), sha256=sha,
                          uploaded_by="hr-alice", uploaded_at=CLOSED))
        s.add(NoticeRow(id=f"n-{employee}", subject_id=sid, purpose="p", code=f"c{employee}"[:12],
                        recipient_name="张三", recipient_role="employee", phone="+8613800138000",
                        created_at=CLOSED))
        s.add(NoticeAttemptRow(idempotency_key=f"a-{employee}", notice_id=f"n-{employee}",
                               attempt_no=1, channel="sms", to_address="+8613800138000",
                               created_at=CLOSED))
        s.add(LoadSignalRow(load_key="policy:1", workflow_id=sid, signal="policy_updated",
                            payload="{}", queued_at=CLOSED, delivered_at=CLOSED, outcome="told"))
        s.add(OutboxMessage(idempotency_key=f"o-{employee}", subject_id=sid, purpose="p",
                            recipient_role="employee", recipient_name="张三",
                            phone="+8613800138000", subject="s", body="b", created_at=CLOSED))
        s.add(AccessLogRow(at=CLOSED, principal="hr-alice", role="hr", method="GET",
                           route="/api/v1/onboardings/{id}", subject_id=sid,
                           client_address="127.0.0.1", user_agent="t"))
        s.commit()
    for n in range(2):
        evidence.append(db_url, evidence.NewEntry(
            subject_id=sid, idempotency_key=f"{sid}:{n}", at=CLOSED, actor="hr-alice",
            kind="registered", payload={"id_number": "11010519491231002X", "n": n}))
    return sid


def _case(db_url: str, employee: str, *, closed_at: datetime | None) -> str:
    sid = f"case-{employee}-1"
    with session_for(db_url) as s:
        s.add(CaseRow(id=sid, employee_id=employee, employee_name="李四", department="生产部",
                      region="110000", accident_at=CLOSED, stage="closed" if closed_at else "reported",
                      created_by="hr-alice", created_at=CLOSED, updated_at=CLOSED))
        s.add(ExpenseRow(id=f"x-{employee}", case_id=sid, invoice_number="1", invoice_key="1",
                         hospital="医院", hospital_key="医院", bill_date=date(2026, 1, 2),
                         amount=Decimal("10.00"), paid_by="employer",
                         medical_insurance_amount=Decimal("0"), third_party_amount=Decimal("0"),
                         entered_by="hr-alice", entered_at=CLOSED))
        if closed_at:
            s.add(ClosedRecord(subject_id=sid, kind="case", state={}, closed_at=closed_at))
        s.commit()
    return sid


def _counts(db_url: str) -> dict[str, int]:
    with session_for(db_url) as s:
        return {m.__name__: s.exec(select(func.count()).select_from(m)).one() for m in TABLES}


@pytest.fixture
def store(tmp_path: Path) -> LocalContentStore:
    return LocalContentStore(tmp_path / "documents")


def test_a_dry_run_reports_and_changes_nothing(db_url: str, store: LocalContentStore):
    due = _onboarding(db_url, store, "E1")
    before = _counts(db_url)
    report = retention.run(db_url, store, apply=False, now=LATER, by="ops")
    assert report["mode"] == "dry_run" and report["due"] == [due] and report["access_log"] == 1
    assert _counts(db_url) == before
    with session_for(db_url) as s:
        assert s.exec(select(func.count()).select_from(RetentionRunRow)).one() == 0
    early = retention.run(db_url, store, apply=False, now=CLOSED + timedelta(days=365), by="ops")
    assert early["due"] == [] and early["access_log"] == 0


def test_apply_deletes_only_what_is_past_and_not_held(db_url: str, store: LocalContentStore):
    due = _onboarding(db_url, store, "E1", content=b"%PDF due")
    held = _onboarding(db_url, store, "E2", content=b"%PDF held")
    disputed = _onboarding(db_url, store, "E3", content=b"%PDF disputed")
    _case(db_url, "E3", closed_at=None)  # an open case: E3's records are held
    recent_case = _case(db_url, "E4", closed_at=LATER - timedelta(days=30))
    legal_holds.place(db_url, "employee", "E2", "劳动仲裁 2031-001", "root", CLOSED)
    files = {sid: _file(db_url, sid) for sid in (due, held, disputed)}

    report = retention.run(db_url, store, apply=True, now=LATER, by="ops")
    assert report["due"] == [due]
    assert set(report["held"]) == {held, disputed}
    assert report["held"][disputed] == "open dispute of employee E3"
    assert report["deleted"]["onboarding"] == 1 and report["deleted"]["evidence"] == 2
    assert report["deleted"]["document_file"] == 1 and report["deleted"]["access_log"] == 1

    with session_for(db_url) as s:
        assert s.get(OnboardingRow, due) is None and s.get(ClosedRecord, due) is None
        assert s.get(OnboardingRow, held) and s.get(OnboardingRow, disputed)
        assert s.get(CaseRow, recent_case) is not None
        assert not s.exec(select(NoticeRow).where(NoticeRow.subject_id == due)).all()
        assert not s.exec(select(OutboxMessage).where(OutboxMessage.subject_id == due)).all()
        assert not s.exec(select(LoadSignalRow).where(LoadSignalRow.workflow_id == due)).all()
        assert s.exec(select(LoadSignalRow).where(LoadSignalRow.workflow_id == held)).all()
        kept_log = s.exec(select(AccessLogRow.subject_id)).all()
        deletions = s.exec(select(RetentionDeletionRow).where(
            RetentionDeletionRow.subject_id == due)).all()
    root = Path(store.describe())
    assert not (root / files[due][:2] / files[due]).exists()
    assert (root / files[held][:2] / files[held]).exists()
    assert set(kept_log) == {held, disputed}  # past their period, but held
    assert {d.record_type: d.count for d in deletions}["document"] == 1

    _, entries = evidence.page(db_url, due)
    assert [is_redacted(e.payload) for e in entries] == [True, True, False]
    assert entries[-1].kind == "records_deleted" and "11010519491231002X" not in str(entries)
    assert entries[-1].payload["run"] == report["run"]
    assert verify.main(["--database-url", db_url]) == 0
    assert all(evidence.verify(db_url, s).valid for s in evidence.subjects(db_url))

    again = retention.run(db_url, store, apply=True, now=LATER, by="ops")
    assert again["due"] == [] and again["deleted"] == {}


def _file(db_url: str, subject_id: str) -> str:
    with session_for(db_url) as s:
        doc = s.exec(select(DocumentRow).where(DocumentRow.subject_id == subject_id)).one()
        return doc.sha256


def test_deactivated_people_lose_their_contacts_and_go_once_nothing_names_them(
        db_url: str, store: LocalContentStore):
    ids = {}
    for name in ("gone-hr", "named-hr", "still-hr"):
        row = people.create(db_url, PersonFields(name, ("hr",), phone="13800138000",
                                                 email=f"{name}@example.com"), "root", CLOSED)
        assert row.id is not None
        ids[name] = row.id
    for name in ("gone-hr", "named-hr"):
        people.change(db_url, ids[name], {"active": False}, "root", CLOSED)
    evidence.append(db_url, evidence.NewEntry(subject_id="case-X-1", idempotency_key="x:1",
                                              at=CLOSED, actor="named-hr", kind="k", payload={}))

    report = retention.run(db_url, store, apply=True, now=LATER, by="ops")
    assert report["deleted"]["person"] == 1 and report["deleted"]["person_contacts"] == 1
    with session_for(db_url) as s:
        assert s.get(PersonRow, ids["gone-hr"]) is None
        named = s.get(PersonRow, ids["named-hr"])
        still = s.get(PersonRow, ids["still-hr"])
    assert named is not None and (named.phone, named.email, named.name) == (None, None, "named-hr")
    assert still is not None and still.phone == "+8613800138000"  # active: untouched
    _, entries = evidence.page(db_url, people.PEOPLE_SUBJECT)
    about = {e.seq: is_redacted(e.payload) for e in entries}
    assert sum(about.values()) == 4  # created and deactivated, of each of the two
    assert "gone-hr@example.com" not in str([e.payload for e in entries])
    assert "still-hr@example.com" in str([e.payload for e in entries])
    assert evidence.verify(db_url, people.PEOPLE_SUBJECT).valid


def test_the_command_prints_its_report(db_url: str, store: LocalContentStore,
                                       capsys: pytest.CaptureFixture[str]):
    _onboarding(db_url, store, "E1")
    before = _counts(db_url)
    assert retention.main(["--dry-run", "--database-url", db_url,
                           "--as-of", "2031-06-01T00:00:00+08:00"]) == 0
    report: dict[str, Any] = json.loads(capsys.readouterr().out)
    assert report["due"] == ["onboarding-E1"] and _counts(db_url) == before
    with pytest.raises(SystemExit):
        retention.main(["--database-url", db_url])  # --dry-run or --apply is required


def test_messages_of_no_record_go_a_year_after_they_were_written(db_url: str,
                                                                 store: LocalContentStore):
    with session_for(db_url) as s:
        for n, created in enumerate((CLOSED, LATER - timedelta(days=30))):
            s.add(OutboxMessage(idempotency_key=f"admin:{n}", subject_id="admin-tasks",
                                purpose="recipient_missing", recipient_role="admin",
                                recipient_name="root", subject="s", body="b", created_at=created))
        s.commit()
    report = retention.run(db_url, store, apply=True, now=LATER, by="ops")
    assert report["loose_outbox"] == 1 and report["deleted"]["outbox"] == 1
    with session_for(db_url) as s:
        assert [m.idempotency_key for m in s.exec(select(OutboxMessage))] == ["admin:1"]
        [run] = s.exec(select(RetentionRunRow)).all()
    assert run.finished_at is not None and run.counts == report["deleted"] and run.run_by == "ops"
    _, entries = evidence.page(db_url, legal_holds.PERSONAL_DATA_SUBJECT)
    assert [(e.kind, e.payload["deleted"]) for e in entries] == [
        ("retention_applied", report["deleted"])]


def test_decided_proposals_go_a_year_after_the_decision_unless_held(db_url: str,
                                                                    store: LocalContentStore):
    from store.models import ChangeProposalRow, EmployeeRecordRow

    change = [{"field": "bank_account", "before": None,
               "after": {"bank": "工商银行", "number": "6222020200112233445"}}]
    with session_for(db_url) as s:
        for employee in ("E900", "E901"):
            s.add(EmployeeRecordRow(employee_id=employee, name="李四", created_at=CLOSED,
                                    updated_at=CLOSED))
        s.commit()
        for employee, status, decided in (("E900", "approved", CLOSED),
                                          ("E900", "pending", None),
                                          ("E900", "rejected", LATER - timedelta(days=30)),
                                          ("E901", "superseded", CLOSED)):
            s.add(ChangeProposalRow(employee_id=employee, status=status, changes=change,
                                    notice_id="ntc-1", proposed_at=CLOSED, decided_at=decided,
                                    decided_by="hr-alice" if decided else None))
        s.commit()
    legal_holds.place(db_url, "employee", "E901", "仲裁中", "root", CLOSED)
    report = retention.run(db_url, store, apply=True, now=LATER, by="ops")
    assert report["change_proposals"] == 1 and report["deleted"]["change_proposal"] == 1
    with session_for(db_url) as s:
        left = sorted((p.employee_id, p.status) for p in s.exec(select(ChangeProposalRow)))
    assert left == [("E900", "pending"), ("E900", "rejected"), ("E901", "superseded")]
