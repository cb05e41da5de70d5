"""Admin tasks: what only an admin can mend, found while the processes ran. Today one kind,
`recipient_missing`: a reminder or an escalation found nobody reachable in a role (the owner has no
contact on file, no HR manager, no manager of the department), so it reached the outbox only.

One task stays open per problem (`open_key`, unique, cleared when an admin closes it); each further
message that meets the problem counts on it, and a retried activity (same `last_key`) counts once."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime

from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, col, func, select

from domain.shared.errors import ActionRefused
from store.db import reading, session_for
from store.models import AdminTaskRow

RECIPIENT_MISSING = "recipient_missing"
_ROLE_ZH = {"hr": "负责 HR", "hr_manager": "HR 经理", "department_manager": "部门经理"}


def describe(role: str, owner: str, department: str) -> str:
    """What the admin reads: Chinese first, then English."""
    if role == "hr":
        return (f"负责人「{owner}」在人员目录中没有可用的联系方式（短信、邮件、企业微信或钉钉），"
                f"提醒只进入了发件箱。请在人员目录中补充其联系方式，或将事项转给其他 HR。"
                f" / The owner '{owner}' has no phone, email, WeCom or DingTalk id in the "
                "directory: reminders reached the outbox only. Add a contact or reassign.")
    if role == "hr_team":
        return ("人员目录中没有可联系的 HR（hr），社保缴费提醒只进入了发件箱。请为 HR 补充联系方式。"
                " / Nobody reachable holds the role hr: SI payment reminders reached the outbox "
                "only. Add a contact to the HR people.")
    if role == "hr_manager":
        return ("人员目录中没有可联系的 HR 经理（hr_manager），升级通知只进入了发件箱。"
                "请添加一位有联系方式的 HR 经理。 / Nobody reachable holds the role hr_manager: "
                "escalations reached the outbox only. Add an HR manager with a contact.")
    return (f"部门「{department}」在人员目录中没有可联系的部门经理（manager），且登记时未填写经理的"
            f"联系方式，升级通知只进入了发件箱。 / Nobody reachable manages the department "
            f"'{department}' and the registration gave the manager no contact: escalations "
            "reached the outbox only. Add the department's manager to the directory.")


def open_key(role: str, owner: str, department: str) -> str:
    return f"{RECIPIENT_MISSING}:{role}:" + {"hr": owner, "department_manager": department}.get(
        role, "")


def note_missing(db_url: str, *, subject_id: str, key: str, purpose: str, roles: Sequence[str],
                 owner: str, department: str, at: datetime | None = None) -> list[int]:
    """Open (or count on) one task per missing role; answers the tasks' ids."""
    at = at or datetime.now(UTC)
    ids = []
    for role in roles:
        for _ in range(2):  # a concurrent first opening wins the unique key: count on it instead
            try:
                ids.append(_note(db_url, subject_id, key, purpose, role, owner, department, at))
                break
            except IntegrityError:
                continue
    return ids


def _note(db_url: str, subject_id: str, key: str, purpose: str, role: str, owner: str,
          department: str, at: datetime) -> int:
    task_key = open_key(role, owner, department)
    with session_for(db_url) as session:
        row = session.exec(select(AdminTaskRow).where(AdminTaskRow.open_key == task_key)).first()
        if row is None:
            row = AdminTaskRow(kind=RECIPIENT_MISSING, open_key=task_key, role=role,
                               department=department if role == "department_manager" else "",
                               owner=owner if role == "hr" else "", subject_id=subject_id,
                               purpose=purpose, detail=describe(role, owner, department),
                               last_key=key, opened_at=at, last_seen_at=at)
        elif row.last_key != key:
            row.occurrences, row.last_key, row.last_seen_at = row.occurrences + 1, key, at
        session.add(row)
        session.commit()
        assert row.id is not None
        return row.id


def listing(db_url: str, *, state: str | None, limit: int, offset: int
            ) -> tuple[int, list[AdminTaskRow]]:
    """Tasks, newest first; `state` open or closed; the total before paging."""
    with reading(db_url) as session:
        query = select(AdminTaskRow)
        if state == "open":
            query = query.where(col(AdminTaskRow.closed_at).is_(None))
        elif state == "closed":
            query = query.where(col(AdminTaskRow.closed_at).is_not(None))
        total = session.exec(select(func.count()).select_from(query.subquery())).one()
        rows = session.exec(query.order_by(col(AdminTaskRow.opened_at).desc(),
                                           col(AdminTaskRow.id).desc())
                            .offset(offset).limit(limit)).all()
        return total, list(rows)


def close(db_url: str, task_id: int, by: str, note: str, at: datetime) -> AdminTaskRow | None:
    """Close a task with what was done; None for an unknown id, 409 if already closed."""
    with session_for(db_url) as session:
        row = session.get(AdminTaskRow, task_id)
        if row is None:
            return None
        _check_open(row)
        row.closed_at, row.closed_by, row.close_note, row.open_key = at, by, note, None
        session.add(row)
        session.commit()
        session.refresh(row)
        return row


def _check_open(row: AdminTaskRow) -> None:
    if row.closed_at is not None:
        raise ActionRefused("task.closed", f"task {row.id} was closed by {row.closed_by}",
                            "id")


def open_count(session: Session) -> int:
    return session.exec(select(func.count()).select_from(AdminTaskRow).where(
        col(AdminTaskRow.closed_at).is_(None))).one()
