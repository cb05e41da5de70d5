"""The materials checklist of a work-injury determination application (工伤认定申请材料), per region.

The national list is Regs. art. 18 (application form, proof of the employment relationship,
diagnosis) plus the items practice asks for by circumstance; a province may replace or add items.
Every item carries its source, and items that only practice requires are marked unverified
(domain/data/injury_materials.json). A region without an entry of its own uses the national list.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from types import MappingProxyType
from typing import Any

from domain.injury.payloads import MaterialItem
from domain.shared.errors import RuleViolation

__all__ = ["CONDITIONS", "DEFAULT_REGION", "Checklist", "MaterialsTable", "check_codes",
           "checklist_for", "missing"]

_DATA = Path(__file__).parents[1] / "data" / "injury_materials.json"
_CODE = re.compile(r"[a-z][a-z0-9_]{0,39}")
DEFAULT_REGION = "default"
CONDITIONS = ("", "witnesses", "traffic_accident")


@dataclass(frozen=True)
class Checklist:
    """The materials a case must file (Regs. art. 18), with the source of the list."""

    region_used: str
    items: tuple[MaterialItem, ...]
    source: str
    verified: bool
    unverified: tuple[str, ...] = ()  # codes whose requirement rests on practice, not a statute text

    @property
    def codes(self) -> tuple[str, ...]:
        return tuple(item.code for item in self.items)


@dataclass(frozen=True)
class _Entry:
    region: str
    source: str
    verified: bool
    items: tuple[MaterialItem, ...]
    item_verified: MappingProxyType[str, bool]


@dataclass(frozen=True)
class MaterialsTable:
    """All regional checklists; `bundled()` is the shipped data, `from_json` checks a document."""

    entries: MappingProxyType[str, _Entry]

    @classmethod
    def bundled(cls) -> MaterialsTable:
        """The checklists shipped in domain/data/injury_materials.json (loaded and checked once)."""
        return _bundled()

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> MaterialsTable:
        """Build the table from the JSON document (ValueError naming the region and item)."""
        rows = data.get("checklists") if isinstance(data, Mapping) else None
        if not isinstance(rows, list):
            raise ValueError("injury materials: 'checklists' must be a list of region entries")
        entries: dict[str, _Entry] = {}
        for number, row in enumerate(rows, start=1):
            entry = _entry(row, number)
            if entry.region in entries:
                raise ValueError(f"injury materials: region {entry.region!r} is listed twice")
            entries[entry.region] = entry
        if DEFAULT_REGION not in entries:
            raise ValueError(f"injury materials: no {DEFAULT_REGION!r} (national) entry")
        return cls(MappingProxyType(entries))

    def regions(self) -> tuple[str, ...]:
        """Regions with a checklist of their own (besides the national default)."""
        return tuple(sorted(r for r in self.entries if r != DEFAULT_REGION))


def checklist_for(region: str, *, traffic_accident: bool, has_witnesses: bool,
                  table: MaterialsTable | None = None,
                  provinces: Mapping[str, str] | None = None) -> Checklist:
    """The application materials of a case in `region` (Regs. art. 18; regional rules): a city
    without a list of its own takes its province's (`provinces`: a city's id → its province's)."""
    table = table or MaterialsTable.bundled()
    key = (region or "").strip().lower()
    if key not in table.entries and provinces and provinces.get(key) in table.entries:
        key = provinces[key]
    national = table.entries[DEFAULT_REGION]
    local = table.entries.get(key) if key != DEFAULT_REGION else None
    items = list(national.items)
    flags = dict(national.item_verified)
    if local is not None:
        position = {item.code: n for n, item in enumerate(items)}
        for item in local.items:
            if item.code in position:
                items[position[item.code]] = item
            else:
                items.append(item)
            flags[item.code] = local.item_verified[item.code]
    facts = {"": True, "witnesses": has_witnesses, "traffic_accident": traffic_accident}
    chosen = tuple(item for item in items if facts[item.condition])
    unverified = tuple(item.code for item in chosen if not flags[item.code])
    if local is None:
        return Checklist(DEFAULT_REGION, chosen, national.source,
                         national.verified and not unverified, unverified)
    return Checklist(local.region, chosen, f"{local.source}; other items: {national.source}",
                     local.verified and national.verified and not unverified, unverified)


def missing(items: tuple[MaterialItem, ...], provided: Iterable[str]) -> tuple[MaterialItem, ...]:
    """Required items not yet provided, in checklist order (Regs. art. 18 ¶3: one complete list)."""
    have = set(provided)
    return tuple(item for item in items if item.required and item.code not in have)


def check_codes(items: tuple[MaterialItem, ...], codes: Iterable[str],
                field: str = "materials") -> tuple[str, ...]:
    """Every code must be on the case's checklist; returns the codes once each, in order."""
    wanted = (codes,) if isinstance(codes, str) else tuple(codes)
    valid = [item.code for item in items]
    unknown = list(dict.fromkeys(c for c in wanted if c not in valid))
    if unknown:
        raise RuleViolation(
            field, "materials.unknown",
            f"{field}: {', '.join(repr(c) for c in unknown)} "
            f"{'is not a material code' if len(unknown) == 1 else 'are not material codes'} "
            f"of this case's checklist; valid codes: {', '.join(valid) or '(none)'}",
        )
    return tuple(dict.fromkeys(wanted))


@cache
def _bundled() -> MaterialsTable:
    return MaterialsTable.from_json(json.loads(_DATA.read_text(encoding="utf-8")))


def _entry(row: Any, number: int) -> _Entry:
    if not isinstance(row, Mapping):
        raise ValueError(f"injury materials: entry {number} must be an object")
    region = row.get("region")
    if not isinstance(region, str) or not region.strip():
        raise ValueError(f"injury materials: entry {number} needs a non-empty 'region'")
    region = region.strip().lower()
    where = f"injury materials: region {region!r}"
    source = _text(row, "source", where)
    verified = _flag(row, where)
    raw_items = row.get("items")
    if not isinstance(raw_items, list) or not raw_items:
        raise ValueError(f"{where}: 'items' must be a non-empty list")
    items: list[MaterialItem] = []
    flags: dict[str, bool] = {}
    for n, raw in enumerate(raw_items, start=1):
        item, item_verified = _item(raw, f"{where} item {n}")
        if item.code in flags:
            raise ValueError(f"{where}: item code {item.code!r} is listed twice")
        items.append(item)
        flags[item.code] = item_verified
    return _Entry(region, source, verified, tuple(items), MappingProxyType(flags))


def _item(raw: Any, where: str) -> tuple[MaterialItem, bool]:
    if not isinstance(raw, Mapping):
        raise ValueError(f"{where}: must be an object")
    code = raw.get("code")
    if not isinstance(code, str) or not _CODE.fullmatch(code):
        raise ValueError(f"{where}: 'code' must be lower_snake_case (a-z, 0-9, _; up to 40), "
                         f"got {code!r}")
    where = f"{where} ({code!r})"
    condition = raw.get("condition", "")
    if condition not in CONDITIONS:
        raise ValueError(f"{where}: 'condition' must be one of {CONDITIONS!r}, got {condition!r}")
    required = raw.get("required", True)
    if not isinstance(required, bool):
        raise ValueError(f"{where}: 'required' must be true or false")
    item = MaterialItem(code=code, label_zh=_text(raw, "label_zh", where),
                        label_en=_text(raw, "label_en", where), required=required,
                        condition=condition, source=_text(raw, "source", where))
    return item, _flag(raw, where)


def _text(row: Mapping[str, Any], key: str, where: str) -> str:
    value = row.get(key)
    if not isinstance(value, str) or not value.strip():
        raise ValueError(f"{where}: {key!r} must be a non-empty string")
    return value.strip()


def _flag(row: Mapping[str, Any], where: str) -> bool:
    value = row.get("verified")
    if not isinstance(value, bool):
        raise ValueError(f"{where}: 'verified' must be true or false")
    return value
