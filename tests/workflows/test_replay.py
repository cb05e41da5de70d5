"""Every recorded history replays with the current workflow code (the worker's own list), both with
the production runner (unsandboxed) and in the SDK sandbox (the determinism guard, see worker.py),
through the encrypting converter: histories recorded in clear (before payload encryption) replay
unchanged, as running workflows started then do."""

from __future__ import annotations

from pathlib import Path

import pytest
from temporalio.client import WorkflowHistory
from temporalio.worker import Replayer, WorkflowRunner

from temporal_client import dev_data_converter
from worker import GUARD_RUNNER, WORKFLOW_RUNNER, WORKFLOWS

HISTORIES = sorted((Path(__file__).resolve().parents[1] / "histories").glob("*/*.json"))
RUNNERS = {"production": WORKFLOW_RUNNER, "sandbox": GUARD_RUNNER}


def test_histories_are_recorded():
    assert len(HISTORIES) >= 3, "tests/histories/ lost its recorded runs"


@pytest.mark.parametrize("runner", RUNNERS.values(), ids=RUNNERS.keys())
@pytest.mark.parametrize("path", HISTORIES, ids=lambda p: f"{p.parent.name}/{p.stem}")
async def test_history_replays(path: Path, runner: WorkflowRunner):
    replayer = Replayer(workflows=list(WORKFLOWS), workflow_runner=runner,
                        data_converter=dev_data_converter())
    history = WorkflowHistory.from_json(path.stem, path.read_text())
    await replayer.replay_workflow(history)
