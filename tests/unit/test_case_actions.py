"""HR actions are one type per action (domain/injury/payloads.py), told apart by `action`. Cases
recorded when CaseAction was one dataclass of every field still decode: each payload to its type."""

from __future__ import annotations

import json
from dataclasses import fields
from pathlib import Path
from typing import get_type_hints

import pytest
from temporalio.api.common.v1 import Payload
from temporalio.client import WorkflowHistory

import payload_codec
from domain.injury.payloads import ACTION_TYPES, CaseAction, action_fields
from domain.injury.rules import ACTION_STAGES
from temporal_client import DATA_CONVERTER
from workflows.injury_case import InjuryCaseWorkflow

HISTORIES = sorted((Path(__file__).resolve().parents[1] / "histories" / "injury_case").glob("*.json"))
LEGACY_FIELDS = 22  # action, actor and the twenty optional fields of the one CaseAction
# The Update's argument type as the worker reads it (temporalio uses get_type_hints, which strips a
# bare Annotated and its discriminator: CaseAction is a TypeAliasType so that it survives).
ACT_ARGUMENT = get_type_hints(InjuryCaseWorkflow.act)["action"]


def _recorded_actions() -> list[Payload]:
    """The input of every `act` Update in the case histories recorded before CaseAction was typed
    (and payloads encrypted)."""
    found: list[Payload] = []
    for path in HISTORIES:
        for event in WorkflowHistory.from_json(path.stem, path.read_text()).events:
            if event.HasField("workflow_execution_update_accepted_event_attributes"):
                update = event.workflow_execution_update_accepted_event_attributes.accepted_request
                if update.input.name == "act":
                    # Histories recorded since payload encryption hold typed actions, sealed.
                    found.extend(p for p in update.input.args.payloads
                                 if p.metadata.get("encoding") != payload_codec.ENCODING)
    return found


async def _carried(payload: Payload) -> tuple[CaseAction, dict[str, object]]:
    """The action a payload decodes to, and what it says as JSON again."""
    [action] = await DATA_CONVERTER.decode([payload], [ACT_ARGUMENT])
    [again] = await DATA_CONVERTER.encode([action])
    return action, json.loads(again.data)


async def test_every_recorded_action_decodes_to_its_type_with_the_same_values():
    recorded = _recorded_actions()
    assert len(recorded) >= 40, "the case histories lost their HR actions"
    for payload in recorded:
        legacy = json.loads(payload.data)
        assert len(legacy) == LEGACY_FIELDS
        action, carried = await _carried(payload)
        assert type(action) is ACTION_TYPES[legacy["action"]]
        assert carried == {name: legacy.get(name, FIELDS_ADDED.get(name)) for name in carried}
        assert set(carried) == action_fields(type(action)) | {"action", "actor"}


# Fields added to an action after CaseAction became typed (with defaults): a legacy payload decodes
# to their defaults.
FIELDS_ADDED = {"meeting_at": None, "place": "", "bring": [],  # open_negotiation's invitation
                "received_on": None}  # record_determination / record_appraisal: the receipt
# Actions added after CaseAction became typed: no payload of the legacy shape ever named them.
ADDED_AFTER_TYPING = frozenset({"record_acceptance", "record_courier_status", "record_benefit_claim",
                                "override_si_standing", "pause_determination",
                                "resume_determination"})


@pytest.mark.parametrize("name", sorted(set(ACTION_TYPES) - ADDED_AFTER_TYPING))
async def test_each_action_decodes_from_the_legacy_shape(name: str):
    """Actions no recorded history holds (record_dispute, grant_extension…) decode from the
    legacy shape too: a recorded payload with another action named."""
    template = json.loads(_recorded_actions()[0].data)
    legacy = {**template, "action": name}
    action, carried = await _carried(Payload(metadata={"encoding": b"json/plain"},
                                             data=json.dumps(legacy).encode()))
    assert type(action) is ACTION_TYPES[name]
    assert carried == {f.name: legacy.get(f.name, FIELDS_ADDED.get(f.name))
                       for f in fields(type(action))}


@pytest.mark.parametrize("action", [{"action": "approve_everything"}, {}], ids=["unknown", "missing"])
async def test_an_action_without_a_known_name_does_not_decode(action: dict[str, object]):
    """The Update rejects it before its validator (nothing in the history), as an unknown name
    was rejected by the validator before."""
    payload = Payload(metadata={"encoding": b"json/plain"},
                      data=json.dumps({**action, "actor": {"name": "hr-alice", "role": "hr"}}).encode())
    with pytest.raises(Exception, match="action"):
        await DATA_CONVERTER.decode([payload], [ACT_ARGUMENT])


def test_every_action_has_a_type_and_stages():
    assert ACT_ARGUMENT is CaseAction
    assert set(ACTION_TYPES) == set(ACTION_STAGES)
    for name, kind in ACTION_TYPES.items():
        assert kind.action == name and {"note", "documents", "on"} <= action_fields(kind)
