"""A notice's recipient as the records hold them now: a person of the directory by `person_id`, an
employee by `employee_id` (the employee record). Workflows carry only these ids; the activities
that open a notice and send its attempts read the addresses here, at that moment."""

from __future__ import annotations

from dataclasses import fields, replace
from typing import Any

from domain.notices.payloads import NoticeRecipient
from store.db import reading
from store.models import EmployeeRecordRow, PersonRow

ADDRESSES = ("phone", "email", "wecom_user_id", "dingtalk_user_id")


def addressed(db_url: str, recipient: NoticeRecipient) -> NoticeRecipient:
    """The recipient with the addresses on file (none if the record is gone: the attempt fails
    over to the next channel); a recipient named by neither id is returned as it is."""
    if recipient.person_id is None and recipient.employee_id is None:
        return recipient
    with reading(db_url) as session:
        row: Any = session.get(PersonRow, recipient.person_id) if recipient.person_id is not None \
            else session.get(EmployeeRecordRow, recipient.employee_id)
    names = {f.name for f in fields(recipient)}
    found: dict[str, Any] = {name: getattr(row, name, None) if row is not None else None
                             for name in ADDRESSES if name in names}
    return replace(recipient, **found)
