"""A history written through the payload codec: Temporal holds no personal data of the case, not
even in a failed activity's message, the workflow still reads that message, and the history replays
(the recorded histories in tests/histories/: test_replay)."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import timedelta
from pathlib import Path

import pytest
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from temporalio import activity
from temporalio.api.common.v1 import Payload
from temporalio.client import WorkflowHistory
from temporalio.exceptions import ApplicationError
from temporalio.testing import WorkflowEnvironment
from temporalio.worker import Replayer

from domain.injury.payloads import DiagnosisRequest, DiagnosisSummary
from payload_codec import DEFLATED, ENCODING, NONCE_BYTES
from settings import DEV_PAYLOAD_KEY, DEV_PAYLOAD_KEY_ID
from temporal_client import dev_data_converter
from tests.factories import VALID_ID, case_input
from tests.workflows.conftest import Harness, harness_replacing
from tests.workflows.test_injury_case_clocks import events, query
from worker import GUARD_RUNNER, WORKFLOW_RUNNER, WORKFLOWS

NAME = "张三"


@activity.defn(name="fetch_diagnosis")
async def hospital_names_the_patient(request: DiagnosisRequest) -> DiagnosisSummary:
    raise ApplicationError(f"no record of {request.employee_name} ({request.id_number})",
                           type="hospital.unknown_patient", non_retryable=True)


@pytest.fixture
async def harness(time_skipping_env: WorkflowEnvironment, sqlite_url: str,
                  tmp_path: Path) -> AsyncIterator[Harness]:
    async with harness_replacing(time_skipping_env, sqlite_url, tmp_path,
                                 [hospital_names_the_patient]) as harness:
        yield harness


async def test_a_sealed_history_leaks_nothing_and_replays(harness: Harness):
    now = await harness.env.get_current_time()
    handle = await harness.start_case(case_input(now - timedelta(days=1), now=now))
    await harness.env.sleep(timedelta(seconds=1))
    [failed] = events(await query(harness, handle), "diagnosis_failed")
    assert VALID_ID in failed.data["reason"], "the workflow reads the decrypted message"

    history = await handle.fetch_history()
    stored = b"".join(e.SerializeToString() for e in history.events)
    assert VALID_ID.encode() not in stored and NAME.encode() not in stored
    [activity_failure] = [e.activity_task_failed_event_attributes.failure
                          for e in history.events if e.HasField("activity_task_failed_event_attributes")]
    assert activity_failure.message == "Encoded failure" and not activity_failure.stack_trace
    assert activity_failure.encoded_attributes.metadata["encoding"] == ENCODING
    assert activity_failure.application_failure_info.type == "hospital.unknown_patient"
    [case_in] = history.events[0].workflow_execution_started_event_attributes.input.payloads
    assert sealed_inside(case_in).metadata["encoding"] == DEFLATED, "the replay opens it deflated"

    for runner in (WORKFLOW_RUNNER, GUARD_RUNNER):
        replayer = Replayer(workflows=list(WORKFLOWS), workflow_runner=runner,
                            data_converter=dev_data_converter())
        await replayer.replay_workflow(WorkflowHistory.from_json(handle.id, history.to_json()))


def sealed_inside(sealed: Payload) -> Payload:
    """What the dev key's seal holds, before the codec would inflate it."""
    data, key_id = sealed.data, DEV_PAYLOAD_KEY_ID.encode()
    return Payload.FromString(AESGCM(DEV_PAYLOAD_KEY).decrypt(data[:NONCE_BYTES],
                                                              data[NONCE_BYTES:], key_id))
