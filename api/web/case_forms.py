"""The case page's action forms. Which fields a form has comes from the action's own type
(domain/injury/payloads.py `action_fields`), so a form never asks for what the action does not
take; how each field is asked for (a date, a choice, the case's checklist, its documents) is
decided here by the field's name. What HR filled in is read back into the API's `CaseActionIn`,
and the action then goes through the API's route function: no rule is checked twice or here."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from starlette.datastructures import FormData

from api.errors import ApiError
from api.schemas import CaseActionIn
from api.web.checks import validated
from domain.injury import rules
from domain.injury.payloads import action_fields
from domain.shared import labels
from domain.shared.calendar import SHANGHAI
from domain.shared.wording import DOCUMENT_KINDS

TEXT, LONG_TEXT, DATE, MOMENT, YES_NO, TICK, NUMBER, MONEY, CHOICE, MANY, LINES = (
    "text", "long_text", "date", "moment", "yes_no", "tick", "number", "money", "choice",
    "many", "lines")
WIDGETS: dict[str, str] = {
    "note": LONG_TEXT, "reason": LONG_TEXT, "override_reason": LONG_TEXT,
    "reference": TEXT, "carrier": TEXT, "signed_by": TEXT, "place": TEXT, "forum": TEXT,
    "tracking_number": TEXT, "on": DATE, "until": DATE, "meeting_at": MOMENT,
    "received_on": DATE, "awaiting": TEXT,
    "recognised": YES_NO, "accepted": YES_NO, "si_enrolled": YES_NO, "simple_case": TICK,
    "months": NUMBER, "amount": MONEY, "grade": CHOICE, "party": CHOICE, "purpose": CHOICE,
    "status": CHOICE, "event": CHOICE, "deadline": CHOICE, "materials": MANY,
    "documents": MANY, "bring": LINES,
}
"""How each field of an action is asked for; a field missing here fails a unit test."""
ORDER = ("materials", "on", "received_on", "recognised", "accepted", "si_enrolled", "grade",
         "months", "until", "deadline", "party", "amount", "purpose", "carrier", "tracking_number", "status",
         "signed_by", "event", "forum", "awaiting", "meeting_at", "place", "bring", "reference",
         "simple_case", "override_reason", "reason", "documents", "note")


@dataclass(frozen=True)
class Choice:
    value: str
    label: str


@dataclass(frozen=True)
class FormField:
    name: str
    widget: str
    choices: tuple[Choice, ...] = ()


@dataclass(frozen=True)
class ActionForm:
    action: str      # wire name, file_materials
    path: str        # URL name, file-materials
    label: str       # 提交认定材料
    fields: tuple[FormField, ...]


def action_forms(case: dict[str, Any], documents: list[dict[str, Any]]) -> list[ActionForm]:
    """A form for each action the case takes now, in the rules' order."""
    return [action_form(name, case, documents) for name in case["allowed_actions"]]


def action_form(name: str, case: dict[str, Any], documents: list[dict[str, Any]]) -> ActionForm:
    taken = action_fields(rules.action_type(name))
    fields = tuple(FormField(f, WIDGETS[f], _choices(f, case, documents))
                   for f in sorted(taken, key=ORDER.index))
    return ActionForm(name, name.replace("_", "-"), labels.CASE_ACTIONS[name], fields)


def _choices(field: str, case: dict[str, Any],
             documents: list[dict[str, Any]]) -> tuple[Choice, ...]:
    if field == "materials":
        missing = set(case["missing_materials"])
        return tuple(Choice(m["code"], m["label_zh"] + ("（尚缺）" if m["code"] in missing else ""))
                     for m in case["materials"])
    if field == "documents":
        return tuple(Choice(d["id"], f"{DOCUMENT_KINDS.get(d['kind'], d['kind'])} · "
                            f"{d['filename']}") for d in documents)
    if field == "deadline":
        return tuple(Choice(d["name"], labels.DEADLINE_NAMES.get(d["name"], d["name"]))
                     for d in case["deadlines"] if d["status"] == "upcoming")
    table = {"grade": {**{str(g): f"{g} 级" for g in range(1, 11)}, "none": "未达伤残等级"},
             "party": labels.OFFER_PARTIES, "status": labels.COURIER_STATUS,
             "event": labels.DISPUTE_EVENTS,
             "purpose": {p: labels.NOTICE_PURPOSES.get(p, "其他通知")
                         for p in rules.COURIER_PURPOSES}}.get(field, {})
    return tuple(Choice(value, text) for value, text in table.items())


def filled_in(form: FormData, name: str) -> dict[str, Any]:
    """The form as HR left it, to show it again beside a refusal."""
    return {f: form.getlist(f) if WIDGETS[f] == MANY else str(form.get(f) or "")
            for f in action_fields(rules.action_type(name))}


def action_body(name: str, filled: dict[str, Any]) -> CaseActionIn:
    """What HR filled in as the API's body; an empty field is not given. A value the body's type
    refuses is a 422 naming the field, as the API's own answer would."""
    given: dict[str, Any] = {}
    for field, raw in filled.items():
        value = _value(field, raw)
        if value not in (None, "", []):
            given[field] = value
    return validated(CaseActionIn, given)


def _value(field: str, raw: Any) -> Any:
    widget = WIDGETS[field]
    if widget == MANY:
        return [str(v) for v in raw]
    text = str(raw).strip()
    if widget == LINES:
        return [line.strip() for line in text.splitlines() if line.strip()]
    if widget == YES_NO:
        return {"yes": True, "no": False}.get(text)
    if widget == TICK:
        return text == "yes" or None
    if widget == NUMBER and text:
        return _whole(field, text)
    if widget == CHOICE and field == "grade" and text.isdigit():
        return int(text)
    if widget == MOMENT and text:
        return _beijing(field, text)
    return text


def _whole(field: str, text: str) -> int:
    if not text.isdigit():
        raise ApiError(422, f"{field}.invalid", f"{field} must be a whole number", field)
    return int(text)


def _beijing(field: str, text: str) -> str:
    """A browser's datetime-local (no zone) is Beijing time."""
    try:
        moment = datetime.fromisoformat(text)
    except ValueError:
        raise ApiError(422, f"{field}.invalid", f"{field} must be a date and time",
                       field) from None
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=SHANGHAI)
    return moment.isoformat()
