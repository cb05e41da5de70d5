"""the employee record: people, their employments, their SI status timeline

employees: one person across re-hires (employee_id, name, ID number unique, birth date,
contacts, department). employments: each period of employment (hire, leave, contract dates,
department, its onboarding). si_status_changes: the SI status timeline, each change with its
source and evidence key (unique: a retried write records once).

Backfill: a person and a first employment for every onboarding on file (its ID number comes with
the person's next registration); an enrolment executed in the ledger becomes `enrolled`, and a
cancelled onboarding ends its employment.

Revision ID: 0015
Revises: 0014
"""
from datetime import UTC, datetime
from zoneinfo import ZoneInfo

import sqlalchemy as sa
import sqlmodel
from alembic import op

from store.models import UtcDateTime

revision = "0015"
down_revision = "0014"
branch_labels = None
depends_on = None

S = sqlmodel.sql.sqltypes.AutoString
SHANGHAI = ZoneInfo("Asia/Shanghai")


def upgrade() -> None:
    employees = op.create_table(
        "employees",
        sa.Column("employee_id", S(length=64), nullable=False),
        sa.Column("name", S(length=80), nullable=False),
        sa.Column("id_number", S(length=18), nullable=True),
        sa.Column("birth_date", sa.Date(), nullable=True),
        sa.Column("phone", S(length=20), nullable=True),
        sa.Column("email", S(length=254), nullable=True),
        sa.Column("department", S(length=80), nullable=False),
        sa.Column("contacts", sa.JSON(), nullable=False),
        sa.Column("created_at", UtcDateTime(), nullable=False),
        sa.Column("updated_at", UtcDateTime(), nullable=False),
        sa.PrimaryKeyConstraint("employee_id"),
        sa.UniqueConstraint("id_number", name="uq_employees_id_number"),
    )
    op.create_index("ix_employees_department", "employees", ["department"])
    employments = op.create_table(
        "employments",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("employee_id", S(length=64), nullable=False),
        sa.Column("seq", sa.Integer(), nullable=False),
        sa.Column("onboarding_id", S(length=80), nullable=True),
        sa.Column("department", S(length=80), nullable=False),
        sa.Column("region", S(length=40), nullable=False),
        sa.Column("hire_date", sa.Date(), nullable=False),
        sa.Column("leave_date", sa.Date(), nullable=True),
        sa.Column("leave_reason", S(), nullable=False),
        sa.Column("contract_start", sa.Date(), nullable=True),
        sa.Column("contract_end", sa.Date(), nullable=True),
        sa.Column("created_at", UtcDateTime(), nullable=False),
        sa.Column("updated_at", UtcDateTime(), nullable=False),
        sa.ForeignKeyConstraint(["employee_id"], ["employees.employee_id"]),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("employee_id", "seq", name="uq_employment_seq"),
        sa.UniqueConstraint("onboarding_id", name="uq_employments_onboarding"),
    )
    op.create_index("ix_employments_employee_id", "employments", ["employee_id"])
    changes = op.create_table(
        "si_status_changes",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("employee_id", S(length=64), nullable=False),
        sa.Column("status", S(length=20), nullable=False),
        sa.Column("effective_on", sa.Date(), nullable=False),
        sa.Column("recorded_at", UtcDateTime(), nullable=False),
        sa.Column("source", S(), nullable=False),
        sa.Column("evidence_key", S(length=200), nullable=False),
        sa.ForeignKeyConstraint(["employee_id"], ["employees.employee_id"]),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("evidence_key", name="uq_si_status_evidence"),
    )
    op.create_index("ix_si_status_changes_employee_id", "si_status_changes", ["employee_id"])
    _backfill(employees, employments, changes)


def _backfill(employees: sa.Table, employments: sa.Table, changes: sa.Table) -> None:
    conn = op.get_bind()
    now = datetime.now(UTC)
    rows = conn.execute(sa.text(
        "SELECT id, employee_id, employee_name, department, region, hire_date, status "
        "FROM onboardings ORDER BY created_at")).all()
    seen: set[str] = set()
    for row in rows:
        if row.employee_id not in seen:
            seen.add(row.employee_id)
            conn.execute(employees.insert().values(
                employee_id=row.employee_id, name=row.employee_name, department=row.department,
                contacts={}, created_at=now, updated_at=now))
        conn.execute(employments.insert().values(
            employee_id=row.employee_id, seq=1, onboarding_id=row.id, department=row.department,
            region=row.region, hire_date=row.hire_date, leave_reason="", created_at=now,
            updated_at=now))
    by_onboarding = {row.id: row for row in rows}
    entries = conn.execute(sa.text(
        "SELECT subject_id, idempotency_key, at, kind, payload FROM evidence_entries "
        "WHERE kind IN ('enrollment_executed', 'cancelled') ORDER BY subject_id, seq")).all()
    for entry in entries:
        onboarding = by_onboarding.get(entry.subject_id)
        if onboarding is None:
            continue
        at = entry.at if isinstance(entry.at, datetime) else datetime.fromisoformat(str(entry.at))
        day = (at if at.tzinfo else at.replace(tzinfo=UTC)).astimezone(SHANGHAI).date()
        if entry.kind == "enrollment_executed":
            conn.execute(changes.insert().values(
                employee_id=onboarding.employee_id, status="enrolled", effective_on=day,
                recorded_at=now, source=f"社保增员办结 enrolment executed: {onboarding.id}",
                evidence_key=entry.idempotency_key))
        else:
            conn.execute(employments.update()
                         .where(employments.c.onboarding_id == onboarding.id)
                         .values(leave_date=day, leave_reason="onboarding cancelled"))


def downgrade() -> None:
    op.drop_index("ix_si_status_changes_employee_id", table_name="si_status_changes")
    op.drop_table("si_status_changes")
    op.drop_index("ix_employments_employee_id", table_name="employments")
    op.drop_table("employments")
    op.drop_index("ix_employees_department", table_name="employees")
    op.drop_table("employees")
