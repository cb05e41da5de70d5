"""The onboarding an injury case's SI standing came from, as one file of the case's bundle.

An injury of an employee whose enrolment was missed is the employer's cost (Regulations on
Work-Related Injury Insurance art. 62 ¶2); what the onboarding recorded (reminders sent,
escalations, delay reasons HR gave) shows when the employer knew. The file carries the
onboarding's ledger entries with their hashes and the check of its chain, so an arbitrator can
match them against the onboarding's own bundle.
"""

from __future__ import annotations

import json
from typing import Any

from domain.shared.evidence import Verification
from store.models import EvidenceEntry

# The entries that show what the employer was told and what it answered.
SHOWN = ("registered", "reminder_sent", "escalated", "delay_reason_recorded",
         "contract_si_mismatch", "enrollment_submitted", "enrollment_approved",
         "enrollment_executed", "cancelled")


def linked_onboarding_files(onboarding_id: str, standing: dict[str, Any] | None,
                            entries: list[EvidenceEntry],
                            verification: Verification) -> dict[str, bytes]:
    """`linked/<onboarding_id>.json`: the standing, the onboarding's chain check, the entries
    that matter at a glance (reminders, escalations, delay reasons) and every entry with its
    hashes."""
    rows = [e.model_dump(mode="json", exclude={"id"}) for e in entries]
    content = {
        "onboarding_id": onboarding_id,
        "why": "事故日参保情况来自该入职流程（员工档案）；其提醒、升级与延误原因见下。"
               "The case's SI standing comes from this onboarding; its reminders, escalations "
               "and delay reasons follow (Reg. art. 62 ¶2).",
        "si_standing": standing,
        "chain": {"valid": verification.valid, "entries": verification.entries,
                  "head": verification.head, "first_broken_seq": verification.first_broken_seq},
        "highlights": [{"seq": r["seq"], "at": r["at"], "kind": r["kind"], "actor": r["actor"],
                        "payload": r["payload"], "entry_hash": r["entry_hash"]}
                       for r in rows if r["kind"] in SHOWN],
        "entries": rows,
    }
    return {f"linked/{onboarding_id}.json":
            json.dumps(content, ensure_ascii=False, indent=2).encode("utf-8")}
