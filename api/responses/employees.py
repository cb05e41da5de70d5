"""The employee record: the list, one person across re-hires, and a bulk import's answer."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from pydantic import BaseModel


class EmployeeListItem(BaseModel):
    """A person as the list shows them: the latest employment and the SI status in force."""

    employee_id: str
    name: str
    id_number: str | None
    phone: str | None
    email: str | None
    department: str
    active: bool
    employments: int
    hire_date: date | None = None
    leave_date: date | None = None
    contract_start: date | None = None
    contract_end: date | None = None
    si_status: str | None
    si_status_label: str | None
    si_since: date | None


class EmployeePage(BaseModel):
    total: int
    limit: int
    offset: int
    items: list[EmployeeListItem]


class EvidenceRef(BaseModel):
    """The ledger entry a status change cites (GET /api/v1/<kind>/<subject_id>/evidence)."""

    subject_id: str
    seq: int
    kind: str
    at: datetime
    actor: str
    entry_hash: str


class LeaveCorrectionOut(BaseModel):
    """A leave day corrected (POST …/leave/correction): both days, why (HR roles only), and the
    entry on the employee's ledger (employee-<id>) that records it."""

    leave_date_before: date
    leave_date: date
    reason: str | None
    evidence: EvidenceRef


class EmploymentOut(BaseModel):
    """One employment (任职期间): hire to leave (None: employed), its contract and onboarding;
    `leave_corrections`, oldest first, when the leave day on record was corrected."""

    seq: int
    onboarding_id: str | None
    department: str
    region: str
    hire_date: date
    leave_date: date | None
    leave_reason: str
    contract_start: date | None
    contract_end: date | None
    leave_corrections: list[LeaveCorrectionOut] = []


class SiStatusChangeOut(BaseModel):
    """One change on the SI timeline: the status (code and 未参保/参保/正常缴费/中断/停保), from
    when, what recorded it, and its evidence (None: a key the ledger does not hold)."""

    status: str
    label: str
    effective_on: date
    recorded_at: datetime
    source: str
    evidence_key: str
    evidence: EvidenceRef | None


class EmployeeDetail(BaseModel):
    """The person once, across re-hires (GET /api/v1/employees/{employee_id})."""

    employee_id: str
    name: str
    id_number: str | None
    birth_date: date | None
    phone: str | None
    email: str | None
    department: str
    contacts: dict[str, Any]
    # {"bank", "number"} from self-service; anyone but HR roles reads the number's last 4 only
    bank_account: dict[str, Any] | None = None
    active: bool
    si_status: str | None
    si_status_label: str | None
    employments: list[EmploymentOut]
    si_timeline: list[SiStatusChangeOut]
    onboardings: list[dict[str, Any]]
    cases: list[dict[str, Any]]
    notices: list[dict[str, Any]]
    documents: list[dict[str, Any]]
    # each employment's written contract (LCL art. 10): name, employment, due_at, status, …
    deadlines: list[dict[str, Any]] = []


class ImportedRow(BaseModel):
    row: int
    employee_id: str
    onboarding_id: str
    outcome: str  # registered | already_registered


class HiresImported(BaseModel):
    """A bulk registration: every row registered, or found registered by an earlier import."""

    rows: int
    registered: int
    already_registered: int
    items: list[ImportedRow]


class ContractWatchOut(BaseModel):
    id: str
    due_at: datetime
    article: str


class ContractRecorded(BaseModel):
    """A contract on the open employment, and the contract/SI watch it started (None: enrolled
    already, or the registration's contract, which its onboarding watches)."""

    employee_id: str
    employment: int
    onboarding_id: str | None
    contract_start: date
    contract_end: date | None
    watch: ContractWatchOut | None
