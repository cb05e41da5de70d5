"""HR actions as HR takes them: each on a different record, onboardings and cases, several kinds.

HR works through a list: one employee's delay reason, the next one's invoice, a case's materials,
another case's application to the authority. So every action lands on a workflow other than the
previous one, and the write an action leaves behind (the onboarding's write-behind flush, a case's
queued gateway call) runs while HR already acts on the next record. The bare baseline takes the
same path through as many different bare workflows, one `execute_update` each.

A plan is rounds of steps: in round r every record takes its r-th step, the records in a shuffled
order (a fixed seed, so two runs take the same path). Product and bare rounds alternate, the side
that goes first alternating too, so a slow spell of the shared machine falls on both.
"""

from __future__ import annotations

import random
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any

from bench.http_load import Answer, encode_multipart

# One small valid PDF: what HR scans in (an invoice, a diagnosis).
PDF = (b"%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj\n"
       b"2 0 obj<</Type/Pages/Kids[]/Count 0>>endobj\ntrailer<</Root 1 0 R>>\n%%EOF\n")

# The steps of each kind of record, in the order HR takes them. What each one does besides
# answering: an event (all), a stored document (`document`), a gateway call after the answer
# (`apply_determination`: the injury authority), a maker-checker request (`enrollment`).
ONBOARDING_STEPS = ("delay_reason", "document", "enrollment")
CASE_STEPS = ("document", "file_materials", "apply_determination")


@dataclass(frozen=True)
class Step:
    record: str  # workflow id
    kind: str  # the step's name, e.g. "onboarding:document"
    request: bytes  # the encoded HTTP request


def plan(onboardings: list[str], cases: list[str], materials: list[str],
         post: Callable[[str, Any], bytes], host: str, headers: dict[str, str],
         seed: int = 21) -> list[list[Step]]:
    """Rounds of steps over every onboarding and case, each round in a shuffled order."""
    rng = random.Random(seed)
    rounds = []
    for r in range(max(len(ONBOARDING_STEPS), len(CASE_STEPS))):
        steps = [Step(o, f"onboarding:{ONBOARDING_STEPS[r]}",
                      _onboarding_request(o, ONBOARDING_STEPS[r], post, host, headers))
                 for o in onboardings if r < len(ONBOARDING_STEPS)]
        steps += [Step(c, f"case:{CASE_STEPS[r]}",
                       _case_request(c, CASE_STEPS[r], materials, post, host, headers))
                  for c in cases if r < len(CASE_STEPS)]
        rng.shuffle(steps)
        rounds.append(steps)
    return rounds


def bare_plan(workflows: list[str], rounds: int, seed: int = 21) -> list[list[str]]:
    """The same number of rounds over as many different bare workflows, each round shuffled."""
    rng = random.Random(seed)
    planned = []
    for _ in range(rounds):
        order = list(workflows)
        rng.shuffle(order)
        planned.append(order)
    return planned


def _onboarding_request(workflow_id: str, step: str, post: Callable[[str, Any], bytes],
                        host: str, headers: dict[str, str]) -> bytes:
    base = f"/api/v1/onboardings/{workflow_id}"
    if step == "delay_reason":
        return post(f"{base}/delay-reason", {"reason": "社保系统维护，明日再办 (bench)"})
    if step == "document":
        return encode_multipart(host, f"{base}/documents", {"kind": "invoice", "note": "bench"},
                                ("file", "invoice.pdf", "application/pdf", PDF), headers)
    return post(f"{base}/enrollment", {"type": "new", "contribution_base": "8000"})


def _case_request(workflow_id: str, step: str, materials: list[str],
                  post: Callable[[str, Any], bytes], host: str, headers: dict[str, str]) -> bytes:
    base = f"/api/v1/cases/{workflow_id}"
    if step == "document":
        return encode_multipart(host, f"{base}/documents", {"kind": "diagnosis", "note": "bench"},
                                ("file", "diagnosis.pdf", "application/pdf", PDF), headers)
    if step == "file_materials":
        return post(f"{base}/actions/file-materials", {"materials": materials})
    return post(f"{base}/actions/apply-determination", {"simple_case": True})


async def timed(steps: list[Any], call: Callable[[Any], Awaitable[None]]) -> list[float]:
    """Each step in turn, sequentially; per-step milliseconds."""
    samples = []
    for step in steps:
        started = time.perf_counter()
        await call(step)
        samples.append((time.perf_counter() - started) * 1000)
    return samples


def expected_status(step: Step) -> int:
    return 201 if step.kind.endswith(":document") else 200


def check(answer: Answer, step: Step) -> None:
    if answer.status != expected_status(step):
        raise RuntimeError(f"{step.kind} on {step.record} answered {answer.status}: "
                           f"{answer.body[:400].decode(errors='replace')}")
