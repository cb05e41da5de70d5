"""What the employee's own page reads beyond the record (api/routes/self_service.py): the notices
sent to them and the documents those carried."""

from __future__ import annotations

from sqlalchemy import and_, select

from store import document_rows
from store import notices as notice_store
from store.db import engine_for
from store.models import CaseRow, DocumentRow, NoticeRow, OnboardingRow, table_of
from store.self_service import subject_of

_ONBOARDINGS, _CASES = table_of(OnboardingRow), table_of(CaseRow)


def notices_of(db_url: str, employee_id: str) -> list[NoticeRow]:
    """The notices sent to the employee themselves (not their manager's or contact's), newest
    first: of their onboardings, their cases and their own record."""
    notices = table_of(NoticeRow)
    with engine_for(db_url).connect() as conn:
        subjects = [subject_of(employee_id)] + list(conn.execute(
            select(_ONBOARDINGS.c.id).where(_ONBOARDINGS.c.employee_id == employee_id)).scalars()) \
            + list(conn.execute(select(_CASES.c.id).where(_CASES.c.employee_id == employee_id))
                   .scalars())
        rows = conn.execute(select(notices).where(and_(
            notices.c.subject_id.in_(subjects), notices.c.recipient_role == "employee"))
            .order_by(notices.c.created_at.desc()).limit(50)).mappings().all()
    return [NoticeRow.model_validate(dict(r)) for r in rows]


def documents_of(db_url: str, notices: list[NoticeRow]) -> list[DocumentRow]:
    """The documents those notices carried (as their recorded content names them), each once."""
    seen: dict[str, DocumentRow] = {}
    for notice in notices:
        content = notice_store.content(db_url, notice)
        ids = content.data.get("documents") if content is not None else None
        for document_id in ids if isinstance(ids, list) else []:
            row = document_rows.get(db_url, str(document_id))
            if row is not None and row.subject_id == notice.subject_id and row.id not in seen:
                seen[row.id] = row
    return list(seen.values())
