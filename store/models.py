"""SQLModel tables: read-model projections, events and the outbox. Migrations in store/migrations."""

from __future__ import annotations

from datetime import UTC, date, datetime
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from sqlalchemy import JSON, BigInteger, Column, DateTime, Table, UniqueConstraint
from sqlalchemy.types import TypeDecorator
from sqlmodel import Field, SQLModel


class UtcDateTime(TypeDecorator[datetime]):
    """Aware datetimes stored as UTC and read back as UTC (SQLite keeps no offset of its own)."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Any) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime: store timezone-aware datetimes only")
        return value.astimezone(UTC)

    def process_result_value(self, value: datetime | None, dialect: Any) -> datetime | None:
        if value is None:
            return None
        return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


class Fen(TypeDecorator[Decimal]):
    """Money in yuan as a Decimal, stored as whole fen: exact on SQLite (no float) and PostgreSQL."""

    impl = BigInteger
    cache_ok = True

    def process_bind_param(self, value: Decimal | None, dialect: Any) -> int | None:
        if value is None:
            return None
        fen = Decimal(value) * 100
        if fen != fen.to_integral_value():
            raise ValueError(f"{value}: money is stored to the fen (two decimal places)")
        return int(fen.to_integral_value(rounding=ROUND_HALF_UP))

    def process_result_value(self, value: int | None, dialect: Any) -> Decimal | None:
        return None if value is None else (Decimal(value) / 100).quantize(Decimal("0.01"))


def _utc_column(**kwargs: Any) -> Any:
    return Field(sa_column=Column(UtcDateTime(), **kwargs))


class OnboardingRow(SQLModel, table=True):
    """One row per onboarding, for lists; Temporal holds the process state."""

    __tablename__ = "onboardings"

    id: str = Field(primary_key=True, max_length=80)
    employee_id: str = Field(index=True, max_length=64)
    employee_name: str
    department: str
    region: str = Field(max_length=40)
    hire_date: date
    status: str = Field(index=True, max_length=40)
    si_due_at: datetime = _utc_column(nullable=False)
    created_by: str
    owner: str | None = Field(default=None, max_length=80, index=True)  # None: created_by
    created_at: datetime = _utc_column(nullable=False)
    updated_at: datetime = _utc_column(nullable=False)
    last_seq: int = 0


class EvidenceEntry(SQLModel, table=True):
    """The append-only, hash-chained evidence ledger: every event of every onboarding and case.

    No code path deletes a row; only retention (store/retention.py) updates one, replacing its
    payload by a redaction marker with every hash kept. (subject_id, seq) and idempotency_key are
    unique, so the same event appended twice is one row.
    """

    __tablename__ = "evidence_entries"
    __table_args__ = (
        UniqueConstraint("subject_id", "seq", name="uq_evidence_subject_seq"),
        UniqueConstraint("idempotency_key", name="uq_evidence_key"),
    )

    id: int | None = Field(default=None, primary_key=True)
    subject_id: str = Field(index=True, max_length=80)
    seq: int
    idempotency_key: str = Field(max_length=200)
    at: datetime = _utc_column(nullable=False)
    recorded_at: datetime = _utc_column(nullable=False)
    actor: str
    kind: str = Field(max_length=60)
    payload: dict[str, Any] = Field(default_factory=dict, sa_column=Column(JSON, nullable=False))
    payload_sha256: str = Field(max_length=64)
    prev_hash: str = Field(max_length=64)
    entry_hash: str = Field(max_length=64)


class DocumentRow(SQLModel, table=True):
    """A document attached to an onboarding or case; the bytes live in the content store."""

    __tablename__ = "documents"

    id: str = Field(primary_key=True, max_length=40)
    subject_id: str = Field(index=True, max_length=80)
    kind: str = Field(max_length=40)
    filename: str = Field(max_length=255)
    content_type: str = Field(max_length=80)
    size: int
    sha256: str = Field(index=True, max_length=64)
    note: str = ""
    uploaded_by: str
    uploaded_at: datetime = _utc_column(nullable=False)


class OutboxMessage(SQLModel, table=True):
    """A message that a channel will deliver; for now the outbox is the delivery."""

    __tablename__ = "outbox"
    __table_args__ = (
        UniqueConstraint("idempotency_key", "recipient_role", name="uq_outbox_key_recipient"),
    )

    id: int | None = Field(default=None, primary_key=True)
    idempotency_key: str = Field(max_length=200)
    subject_id: str = Field(index=True, max_length=80)
    purpose: str = Field(max_length=60)
    recipient_role: str = Field(max_length=40)
    recipient_name: str
    phone: str | None = None
    email: str | None = None
    subject: str
    body: str
    created_at: datetime = _utc_column(nullable=False)


class BureauRegistration(SQLModel, table=True):
    """The SI-bureau simulator's register: who is enrolled, for which employer, by which request."""

    __tablename__ = "simulated_bureau_registrations"
    __table_args__ = (UniqueConstraint("idempotency_key", name="uq_bureau_request"),)

    id: int | None = Field(default=None, primary_key=True)
    idempotency_key: str = Field(max_length=200)
    id_number: str = Field(index=True, max_length=18)
    employer_ref: str = Field(max_length=80)
    accepted: bool
    reference: str | None = None
    code: str = ""
    reason: str = ""
    created_at: datetime = _utc_column(nullable=False)


class NoticeRow(SQLModel, table=True):
    """A notice to one person; `code` is the short reference an SMS carries instead of a link."""

    __tablename__ = "notices"

    id: str = Field(primary_key=True, max_length=60)
    subject_id: str = Field(index=True, max_length=80)
    purpose: str = Field(max_length=60)
    code: str = Field(unique=True, max_length=12)
    recipient_name: str
    recipient_role: str = Field(max_length=40)
    phone: str | None = Field(default=None, index=True, max_length=20)
    email: str | None = None
    locale: str = Field(default="zh-CN", max_length=10)
    channels: list[str] = Field(default_factory=list, sa_column=Column(JSON, nullable=False))
    status: str = Field(default="open", index=True, max_length=20)
    answer: dict[str, Any] | None = Field(default=None, sa_column=Column(JSON, nullable=True))
    created_at: datetime = _utc_column(nullable=False)
    closed_at: datetime | None = _utc_column(nullable=True)
    answered_at: datetime | None = _utc_column(nullable=True)  # set once: the first answer stands


class NoticeAttemptRow(SQLModel, table=True):
    """One send on one channel. `state` guards the send; `status` is the delivery status."""

    __tablename__ = "notice_attempts"
    __table_args__ = (
        UniqueConstraint("idempotency_key", name="uq_notice_attempt_key"),
        UniqueConstraint("notice_id", "attempt_no", name="uq_notice_attempt_no"),
    )

    id: int | None = Field(default=None, primary_key=True)
    idempotency_key: str = Field(max_length=200)
    notice_id: str = Field(index=True, max_length=60)
    attempt_no: int
    channel: str = Field(max_length=10)
    to_address: str = ""
    reminder: bool = False
    state: str = Field(default="sending", max_length=20)
    status: str = Field(default="pending", max_length=20)
    provider_id: str | None = Field(default=None, index=True, max_length=200)
    segments: int = 0
    error: str = ""
    subject: str = ""
    body: str = ""  # as sent, its personal link withheld (domain.notices.text.LINK_WITHHELD)
    created_at: datetime = _utc_column(nullable=False)
    sent_at: datetime | None = _utc_column(nullable=True)
    # The link's parameters (domain.shared.tokens.LinkParams): with the secret they give the link
    # again; the nonce tells which attempt a link that was opened came from.
    link_expires: int | None = Field(default=None, sa_column=Column(BigInteger, nullable=True))
    link_nonce: str | None = Field(default=None, index=True, max_length=40)


class NoticeReceiptRow(SQLModel, table=True):
    """Each status report once: the same status from the same source for an attempt is one row."""

    __tablename__ = "notice_receipts"
    __table_args__ = (UniqueConstraint("attempt_id", "status", "source", name="uq_notice_receipt"),)

    id: int | None = Field(default=None, primary_key=True)
    attempt_id: int = Field(index=True)
    notice_id: str = Field(index=True, max_length=60)
    status: str = Field(max_length=20)
    source: str = Field(max_length=20)
    error_code: str = ""
    at: datetime = _utc_column(nullable=False)


class WebhookMessageRow(SQLModel, table=True):
    """Each provider callback once: a signed request replayed later finds its key here and records
    nothing. Key: an inbound SMS's MessageSid; a status callback's MessageSid and MessageStatus."""

    __tablename__ = "webhook_messages"
    __table_args__ = (UniqueConstraint("provider", "kind", "message_key",
                                       name="uq_webhook_message"),)

    id: int | None = Field(default=None, primary_key=True)
    provider: str = Field(max_length=20)
    kind: str = Field(max_length=20)  # status | inbound
    message_key: str = Field(max_length=200)
    received_at: datetime = _utc_column(nullable=False)


class CaseRow(SQLModel, table=True):
    """One row per injury case, for lists; Temporal holds the process state."""

    __tablename__ = "cases"

    id: str = Field(primary_key=True, max_length=80)
    employee_id: str = Field(index=True, max_length=64)
    employee_name: str
    department: str
    region: str = Field(max_length=40)
    accident_at: datetime = _utc_column(nullable=False)
    stage: str = Field(index=True, max_length=40)
    created_by: str
    owner: str | None = Field(default=None, max_length=80, index=True)  # None: created_by
    created_at: datetime = _utc_column(nullable=False)
    updated_at: datetime = _utc_column(nullable=False)
    last_seq: int = 0
    next_due_at: datetime | None = _utc_column(nullable=True)  # soonest open deadline (the board)


class CaseDeadlineEntry(SQLModel, table=True):
    """A case's deadline as of its newest event: lists filter on these (overdue, due before)."""

    __tablename__ = "case_deadlines"

    case_id: str = Field(primary_key=True, max_length=80)
    name: str = Field(primary_key=True, max_length=40)
    due_at: datetime = _utc_column(nullable=False, index=True)
    met_at: datetime | None = _utc_column(nullable=True)
    kind: str = Field(max_length=20)
    article: str
    active: bool = True


def _fen_column(nullable: bool = False) -> Any:
    return Field(sa_column=Column(Fen(), nullable=nullable))


class ExpenseRow(SQLModel, table=True):
    """A bill of a case (domain.expenses.Bill); an invoice of a hospital is entered once.

    kind: a medical bill, a hospital stay's food allowance (invoice_number: the admission number)
    or travel for treatment outside the pooling region; invoice_key carries the kind for the last
    two, so a stay's admission number never collides with a medical invoice.

    invoice_key and hospital_key are the normalised invoice number and hospital the duplicate
    check compares; the unique constraints make a concurrent second entry fail too.
    """

    __tablename__ = "case_expenses"
    __table_args__ = (
        UniqueConstraint("case_id", "invoice_key", "hospital_key", name="uq_case_expense_invoice"),
        UniqueConstraint("case_id", "file_sha256", name="uq_case_expense_file"),
    )

    id: str = Field(primary_key=True, max_length=40)
    case_id: str = Field(index=True, max_length=80)
    invoice_number: str = Field(max_length=60)
    invoice_key: str = Field(max_length=64)
    hospital: str = Field(max_length=200)
    hospital_key: str = Field(max_length=200)
    bill_date: date
    amount: Decimal = _fen_column()
    eligible_amount: Decimal | None = _fen_column(nullable=True)  # None: not yet known, taken as amount
    paid_by: str = Field(max_length=30)
    medical_insurance_amount: Decimal = _fen_column()
    slip_total: Decimal | None = _fen_column(nullable=True)
    third_party_amount: Decimal = _fen_column()
    document_id: str | None = Field(default=None, max_length=40)
    file_sha256: str | None = Field(default=None, max_length=64)
    note: str = ""
    entered_by: str
    entered_at: datetime = _utc_column(nullable=False)
    kind: str = Field(default="medical", max_length=20)  # medical | hospital_food | travel
    admitted_on: date | None = None                 # hospital_food: the stay
    discharged_on: date | None = None
    daily_standard: Decimal | None = _fen_column(nullable=True)
    standard_source: str | None = Field(default=None, max_length=300)
    approval_reference: str | None = Field(default=None, max_length=100)  # travel: the agency's consent


class DisputeHistoryRow(SQLModel, table=True):
    """A finished dispute (历史纠纷数据库): a closed or withdrawn case, or a row of an imported CSV.

    source "case" rows carry case_id (unique: a case's outcome is one row however often the
    event is recorded); source "import" rows carry the batch id, the row number in the file and
    the file's SHA-256. Offers and demands are lists of decimal strings in yuan.
    """

    __tablename__ = "dispute_history"
    __table_args__ = (
        UniqueConstraint("case_id", name="uq_dispute_history_case"),
        UniqueConstraint("import_batch", "import_row", name="uq_dispute_history_import_row"),
    )

    id: int | None = Field(default=None, primary_key=True)
    source: str = Field(index=True, max_length=10)
    case_id: str | None = Field(default=None, max_length=80)
    import_batch: str | None = Field(default=None, index=True, max_length=40)
    import_row: int | None = None
    import_sha256: str | None = Field(default=None, index=True, max_length=64)
    reference: str = Field(default="", max_length=80)
    cause: str = ""
    injury: str = ""
    location: str = ""
    region: str = Field(default="", max_length=40)
    accident_on: date | None = None
    closed_on: date | None = None
    si_enrolled: bool | None = None
    traffic_accident: bool | None = None
    recognised: bool | None = None
    grade: int | None = Field(default=None, index=True)
    no_disability: bool = False
    suspension_months: int | None = None
    employer_offers: list[str] = Field(default_factory=list, sa_column=Column(JSON, nullable=False))
    employee_demands: list[str] = Field(default_factory=list, sa_column=Column(JSON, nullable=False))
    agreed_amount: Decimal | None = _fen_column(nullable=True)
    paid_amount: Decimal | None = _fen_column(nullable=True)
    duration_days: int | None = None
    outcome: str = Field(max_length=40)
    disputes: list[str] = Field(default_factory=list, sa_column=Column(JSON, nullable=False))
    missed_deadlines: list[str] = Field(default_factory=list, sa_column=Column(JSON, nullable=False))
    notes: str = ""
    recorded_by: str
    recorded_at: datetime = _utc_column(nullable=False)


class CalendarYearRow(SQLModel, table=True):
    """An official holiday schedule an admin loaded (POST /api/v1/admin/calendar); it takes
    precedence over domain/data/holidays.json and the chinesecalendar package for its year."""

    __tablename__ = "calendar_years"

    year: int = Field(primary_key=True)
    holidays: list[str] = Field(default_factory=list, sa_column=Column(JSON, nullable=False))
    workdays: list[str] = Field(default_factory=list, sa_column=Column(JSON, nullable=False))
    source: str
    loaded_by: str = Field(max_length=80)
    loaded_at: datetime = _utc_column(nullable=False)


def table_of(model: type[SQLModel]) -> Table:
    """The Core table behind a table model, for statements built once and run on a connection."""
    table: Table = model.__table__  # type: ignore[attr-defined]  # set by SQLModel, not declared
    return table


class ClosedRecord(SQLModel, table=True):
    """The final state of a closed onboarding or case, as its workflow last showed it. Temporal
    removes a closed workflow after the namespace's retention period; every read of a closed
    record (detail, bundle, expenses, compensation) then comes from here."""

    __tablename__ = "closed_records"

    subject_id: str = Field(primary_key=True, max_length=120)
    kind: str = Field(max_length=20)  # onboarding | case
    state: dict[str, Any] = Field(default_factory=dict, sa_column=Column(JSON, nullable=False))
    closed_at: datetime = _utc_column(nullable=False)


class PersonRow(SQLModel, table=True):
    """One person of the directory (POST /api/v1/people): a principal name, roles, contacts.
    Deactivated, never deleted: the evidence ledger names them."""

    __tablename__ = "people"

    id: int | None = Field(default=None, primary_key=True)
    name: str = Field(max_length=80, unique=True)
    roles: list[str] = Field(default_factory=list, sa_column=Column(JSON, nullable=False))
    departments: list[str] = Field(default_factory=list, sa_column=Column(JSON, nullable=False))
    phone: str | None = Field(default=None, max_length=20)
    email: str | None = Field(default=None, max_length=254)
    wecom_user_id: str | None = Field(default=None, max_length=64)
    dingtalk_user_id: str | None = Field(default=None, max_length=64)
    channels: list[str] = Field(default_factory=list, sa_column=Column(JSON, nullable=False))
    active: bool = True
    created_at: datetime = _utc_column(nullable=False)
    updated_at: datetime = _utc_column(nullable=False)


class ApiKeyRow(SQLModel, table=True):
    """An API key of a person: only its SHA-256 is kept, and a short prefix to recognise it.
    `role` set: the key acts with that one role (keys of CASEGUARD_API_KEYS); unset: with every
    role of its person. Revoked, never deleted."""

    __tablename__ = "api_keys"

    id: int | None = Field(default=None, primary_key=True)
    person_id: int = Field(foreign_key="people.id", index=True)
    key_hash: str = Field(max_length=64, unique=True)
    prefix: str = Field(max_length=16)
    role: str | None = Field(default=None, max_length=20)
    created_at: datetime = _utc_column(nullable=False)
    created_by: str = Field(max_length=80)
    last_used_at: datetime | None = _utc_column(nullable=True)
    revoked_at: datetime | None = _utc_column(nullable=True)
    revoked_by: str | None = Field(default=None, max_length=80)


class AdminTaskRow(SQLModel, table=True):
    """Something only an admin can mend, found while the processes ran: today, a role nobody
    reachable holds (a reminder went to the outbox only). One open task per problem (`open_key`,
    cleared on closing); each further occurrence counts on it."""

    __tablename__ = "admin_tasks"

    id: int | None = Field(default=None, primary_key=True)
    kind: str = Field(max_length=40)
    open_key: str | None = Field(default=None, max_length=200, unique=True)
    role: str = Field(max_length=40)
    department: str = Field(default="", max_length=80)
    owner: str = Field(default="", max_length=80)
    subject_id: str = Field(max_length=120)  # the first record it was found on
    purpose: str = Field(max_length=80)
    detail: str
    occurrences: int = 1
    last_key: str = Field(max_length=200)  # the message that last met it: a retry counts once
    opened_at: datetime = _utc_column(nullable=False)
    last_seen_at: datetime = _utc_column(nullable=False)
    closed_at: datetime | None = _utc_column(nullable=True)
    closed_by: str | None = Field(default=None, max_length=80)
    close_note: str | None = None


class EmployeeRecordRow(SQLModel, table=True):
    """One person (员工档案), across re-hires: the ID number is the person, employee_id how HR
    names them. id_number is NULL only for people backfilled from onboardings registered before
    the record existed; their next registration fills it in."""

    __tablename__ = "employees"

    employee_id: str = Field(primary_key=True, max_length=64)
    name: str = Field(max_length=80)
    id_number: str | None = Field(default=None, max_length=18, unique=True)
    birth_date: date | None = None
    phone: str | None = Field(default=None, max_length=20)
    email: str | None = Field(default=None, max_length=254)
    department: str = Field(default="", max_length=80, index=True)
    # {"manager": {name, phone, email}, "emergency_contact": {name, relation, phone}}
    contacts: dict[str, Any] = Field(default_factory=dict, sa_column=Column(JSON, nullable=False))
    wecom_user_id: str | None = Field(default=None, max_length=64)
    dingtalk_user_id: str | None = Field(default=None, max_length=64)
    # The order to reach them in (sms, email, wecom, dingtalk); empty: SMS, then email
    channels: list[str] = Field(default_factory=list,
                                sa_column=Column(JSON, nullable=False, server_default="[]"))
    # {"bank": 开户银行, "number": digits}: the account wages are paid into (self-service, 0021)
    bank_account: dict[str, Any] | None = Field(default=None, sa_column=Column(JSON, nullable=True))
    created_at: datetime = _utc_column(nullable=False)
    updated_at: datetime = _utc_column(nullable=False)


class EmploymentRow(SQLModel, table=True):
    """One employment (任职期间) of a person: from hire to leave, with its contract dates. A
    registered one carries its onboarding (onboarding-<employee_id>, ~<seq> from the second on)."""

    __tablename__ = "employments"
    __table_args__ = (UniqueConstraint("employee_id", "seq", name="uq_employment_seq"),)

    id: int | None = Field(default=None, primary_key=True)
    employee_id: str = Field(foreign_key="employees.employee_id", index=True, max_length=64)
    seq: int
    onboarding_id: str | None = Field(default=None, max_length=80, unique=True)
    department: str = Field(default="", max_length=80)
    region: str = Field(default="", max_length=40)
    hire_date: date
    leave_date: date | None = None
    leave_reason: str = ""
    contract_start: date | None = None
    contract_end: date | None = None
    created_at: datetime = _utc_column(nullable=False)
    updated_at: datetime = _utc_column(nullable=False)


class SiStatusChangeRow(SQLModel, table=True):
    """A change on a person's SI status timeline (domain.employees.si_status). evidence_key is
    unique: a retried write records the change once. It is the evidence ledger entry's
    idempotency_key when the change comes from a workflow's event."""

    __tablename__ = "si_status_changes"
    __table_args__ = (UniqueConstraint("evidence_key", name="uq_si_status_evidence"),)

    id: int | None = Field(default=None, primary_key=True)
    employee_id: str = Field(foreign_key="employees.employee_id", index=True, max_length=64)
    status: str = Field(max_length=20)
    effective_on: date
    recorded_at: datetime = _utc_column(nullable=False)
    source: str
    evidence_key: str = Field(max_length=200)


class ContributionPaymentRow(SQLModel, table=True):
    """A month's contributions recorded paid for a region's SI account (社保缴费), read from the
    tax bureau's voucher; `employees` empty: every insured employee of the region. `key` makes a
    retried write record once."""

    __tablename__ = "contribution_payments"

    id: int | None = Field(default=None, primary_key=True)
    key: str = Field(max_length=200, unique=True)
    account_id: str = Field(max_length=80, index=True)
    region: str = Field(max_length=40)
    period: str = Field(max_length=7, index=True)
    amount: Decimal = Field(sa_column=Column(Fen(), nullable=False))
    paid_on: date
    reference: str
    documents: list[str] = Field(default_factory=list, sa_column=Column(JSON, nullable=False))
    employees: list[str] = Field(default_factory=list, sa_column=Column(JSON, nullable=False))
    days_late: int = 0
    late_fee: Decimal = Field(sa_column=Column(Fen(), nullable=False))
    source: str
    recorded_by: str = Field(max_length=80)
    recorded_at: datetime = _utc_column(nullable=False)


class PersonCredentialRow(SQLModel, table=True):
    """How a person of the directory signs in to the HR workspace: an argon2 hash (never the
    password), failed attempts in a row and the lock they led to, and a one-time setup link
    (its SHA-256) an admin issued. Apart from `people`, so directory reads never carry a hash."""

    __tablename__ = "person_credentials"

    person_id: int = Field(foreign_key="people.id", primary_key=True)
    password_hash: str | None = Field(default=None, max_length=200)
    password_set_at: datetime | None = _utc_column(nullable=True)
    failed_attempts: int = 0
    locked_until: datetime | None = _utc_column(nullable=True)
    setup_hash: str | None = Field(default=None, max_length=64, unique=True)
    setup_expires_at: datetime | None = _utc_column(nullable=True)


class WebSessionRow(SQLModel, table=True):
    """A signed-in browser: only the SHA-256 of its cookie's token is kept. Ended, never deleted
    while it may still be presented; its CSRF token is derived from the token (api/web/auth.py)."""

    __tablename__ = "web_sessions"

    id: int | None = Field(default=None, primary_key=True)
    token_hash: str = Field(max_length=64, unique=True)
    person_id: int = Field(foreign_key="people.id", index=True)
    created_at: datetime = _utc_column(nullable=False)
    last_seen_at: datetime = _utc_column(nullable=False)
    ended_at: datetime | None = _utc_column(nullable=True)


class ChangeProposalRow(SQLModel, table=True):
    """An employee's proposed change to their own details (员工自助变更申请), through their
    personal link: each field's value before and after, pending until HR approves or rejects it;
    a newer proposal of the same employee supersedes a pending one (domain.employees.self_service)."""

    __tablename__ = "change_proposals"

    id: int | None = Field(default=None, primary_key=True)
    employee_id: str = Field(foreign_key="employees.employee_id", index=True, max_length=64)
    status: str = Field(default="pending", index=True, max_length=20)
    # [{"field": "phone", "before": …, "after": …}, …]
    changes: list[dict[str, Any]] = Field(default_factory=list,
                                          sa_column=Column(JSON, nullable=False))
    notice_id: str = Field(max_length=60)  # the notice whose link the employee came through
    proposed_at: datetime = _utc_column(nullable=False)
    decided_by: str | None = Field(default=None, max_length=80)
    decided_at: datetime | None = _utc_column(nullable=True)
    reason: str = ""
