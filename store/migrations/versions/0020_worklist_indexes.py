"""indexes for the workspace's first pages at 100,000 records (issue 19 §4)

The dashboard asks for open onboardings by SI due date and open case deadlines by due date;
the case board for open cases' next deadlines; the department filter for the distinct
departments; the onboarding list for the newest first; a person's dashboard for the notices sent
to them; the KPIs count by quarter over SI windows, accidents and notices sent. Open case
deadlines are a small part of all of them (a closed case retires its unmet ones), so their
indexes are partial. The case row keeps its next open deadline (`cases.next_due_at`, written
with the row), so the board takes each stage's soonest from one index instead of ranking every
open case's deadlines on each view.

Revision ID: 0020
Revises: 0019
"""
import sqlalchemy as sa
from alembic import op

from store.models import UtcDateTime

revision = "0020"
down_revision = "0019"
branch_labels = None
depends_on = None

# Written as the queries write it (`active IS TRUE`), so PostgreSQL sees the index applies.
OPEN = sa.text("active IS TRUE AND met_at IS NULL")


def upgrade() -> None:
    op.add_column("cases", sa.Column("next_due_at", UtcDateTime(), nullable=True))
    op.execute("UPDATE cases SET next_due_at = (SELECT min(d.due_at) FROM case_deadlines d "
               "WHERE d.case_id = cases.id AND d.active IS TRUE AND d.met_at IS NULL)")
    op.create_index("ix_cases_stage_next_due_at", "cases", ["stage", "next_due_at"])
    op.create_index("ix_notices_recipient_name_created_at", "notices",
                    ["recipient_name", "created_at"])
    # The KPIs (store/kpis.py) count by quarter: SI windows, accidents, notices sent.
    op.create_index("ix_onboardings_si_due_at", "onboardings", ["si_due_at"])
    op.create_index("ix_cases_accident_at", "cases", ["accident_at"])
    op.create_index("ix_notices_purpose_created_at", "notices", ["purpose", "created_at"])
    op.create_index("ix_onboardings_department", "onboardings", ["department"])
    op.create_index("ix_cases_department", "cases", ["department"])
    op.create_index("ix_onboardings_status_si_due_at", "onboardings", ["status", "si_due_at"])
    op.create_index("ix_onboardings_created_at", "onboardings", ["created_at"])
    op.create_index("ix_case_deadlines_open_due_at", "case_deadlines", ["due_at"],
                    postgresql_where=OPEN, sqlite_where=OPEN)
    op.create_index("ix_case_deadlines_open_case_id", "case_deadlines", ["case_id", "due_at"],
                    postgresql_where=OPEN, sqlite_where=OPEN)


def downgrade() -> None:
    for name, table in (("ix_notices_purpose_created_at", "notices"),
                        ("ix_cases_accident_at", "cases"),
                        ("ix_onboardings_si_due_at", "onboardings"),
                        ("ix_notices_recipient_name_created_at", "notices"),
                        ("ix_cases_stage_next_due_at", "cases"),
                        ("ix_case_deadlines_open_case_id", "case_deadlines"),
                        ("ix_case_deadlines_open_due_at", "case_deadlines"),
                        ("ix_onboardings_created_at", "onboardings"),
                        ("ix_onboardings_status_si_due_at", "onboardings"),
                        ("ix_cases_department", "cases"),
                        ("ix_onboardings_department", "onboardings")):
        op.drop_index(name, table_name=table)
    op.drop_column("cases", "next_due_at")
