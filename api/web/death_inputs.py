"""The death inputs of the compensation page: the death itself, when it came (Reg. art. 39 ¶2/¶3)
and the dependants the deceased supported, one fixed row each (the pages run no script), read
into the arguments of GET /api/v1/cases/{id}/compensation. A row left empty is ignored; a value
of the wrong form is a 422 naming its field, which the page shows beside that field."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date
from decimal import Decimal
from typing import Any

from api.errors import ApiError
from domain.compensation.rules import DEPENDANT_RELATIONS

DEPENDANT_ROWS = 6
TIMINGS = {"": None, "during": False, "after": True}
"""died_after_suspension as the page asks it: not said, during the suspension period, after it."""


def relation_field(row: int) -> str:
    return f"dependants[{row}].relation"


def orphan_field(row: int) -> str:
    return f"dependants[{row}].orphan_or_lone_elder"


DEATH_FIELDS = ("death", "died_after_suspension", "died_on",
                *(f(r) for r in range(DEPENDANT_ROWS) for f in (relation_field, orphan_field)))


def death_args(filled: Mapping[str, str]) -> dict[str, Any]:
    """`death`, `died_after_suspension`, `died_on`, `dependant` and `orphan_or_lone_elder` from the
    form."""
    if filled["death"] not in ("", "yes"):
        raise ApiError(422, "death.invalid", "death must be ticked or not", "death")
    timing = filled["died_after_suspension"]
    if timing not in TIMINGS:
        raise ApiError(422, "died_after_suspension.invalid",
                       "died_after_suspension must be one of: not said, during, after",
                       "died_after_suspension")
    relations: list[str] = []
    marked: list[int] = []
    for row in range(DEPENDANT_ROWS):
        relation, orphan = filled[relation_field(row)], filled[orphan_field(row)]
        if orphan not in ("", "yes"):
            raise ApiError(422, "dependant.orphan_invalid",
                           f"{orphan_field(row)} must be ticked or not", orphan_field(row))
        if not relation:
            if orphan:
                raise ApiError(422, "compensation.relation_missing",
                               f"{relation_field(row)}: give the relation of the dependant marked "
                               "as an orphan or lone elder (MOLSS Order 18 art. 2)",
                               relation_field(row))
            continue
        if relation not in DEPENDANT_RELATIONS:
            raise ApiError(422, "compensation.relation",
                           f"{relation_field(row)} {relation!r}: one of "
                           f"{', '.join(DEPENDANT_RELATIONS)}", relation_field(row))
        relations.append(relation)
        if orphan:
            marked.append(len(relations))
    args: dict[str, Any] = {"death": filled["death"] == "yes",
                            "died_after_suspension": TIMINGS[timing]}
    if filled["died_on"]:
        args["died_on"] = _day(filled["died_on"], "died_on")
    if relations:
        args["dependant"], args["orphan_or_lone_elder"] = relations, marked
    return args


def _day(text: str, field: str) -> date:
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise ApiError(422, f"{field}.invalid", f"{field} {text!r}: a date as YYYY-MM-DD",
                       field) from None


def pension_cap(result: Mapping[str, Any]) -> dict[str, Any] | None:
    """The dependants' pensions against their cap, the deceased's own wage (Reg. art. 39(2))."""
    shares = result.get("dependant_pensions") or []
    if not shares:
        return None
    uncapped = sum((Decimal(s["uncapped"]) for s in shares), Decimal("0.00"))
    total = sum((Decimal(s["amount"]) for s in shares), Decimal("0.00"))
    return {"cap": result["wage_basis"]["own_average"], "uncapped": f"{uncapped:.2f}",
            "total": f"{total:.2f}", "cut": f"{uncapped - total:.2f}", "applied": total < uncapped}
