"""The SI bureau gateway: an interface, a deterministic simulator for dev and tests (manual.py
answers for a deployment that enrols by hand).

Simulator outcomes, in order:
1. The same idempotency key gets the answer it got the first time (a retry never enrols twice).
2. An ID number already enrolled (accepted) for another employer or onboarding is rejected with
   code `already_enrolled_elsewhere` (the bureau's "已在其他单位参保").
3. Anything else is accepted with a reference `SIM-<REGION>-<10 hex>` derived from the key.
"""

from __future__ import annotations

import hashlib
from datetime import UTC, datetime
from typing import Protocol

from sqlalchemy.exc import IntegrityError
from sqlmodel import select
from temporalio import activity

from domain.onboarding.payloads import BureauAnswer, BureauEnrollment
from store.db import session_for
from store.models import BureauRegistration


class SiBureau(Protocol):
    def enroll(self, request: BureauEnrollment) -> BureauAnswer: ...


class SimulatedSiBureau:
    """A bureau with a register in the database; see the module docstring for its outcomes."""

    def __init__(self, db_url: str) -> None:
        self._db_url = db_url

    def enroll(self, request: BureauEnrollment) -> BureauAnswer:
        try:
            return self._enroll(request)
        except IntegrityError:
            return self._enroll(request)

    def _enroll(self, request: BureauEnrollment) -> BureauAnswer:
        with session_for(self._db_url) as session:
            earlier = session.exec(select(BureauRegistration).where(
                BureauRegistration.idempotency_key == request.idempotency_key)).first()
            if earlier is not None:
                return _answer(earlier)
            elsewhere = session.exec(select(BureauRegistration).where(
                BureauRegistration.id_number == request.id_number,
                BureauRegistration.accepted == True,  # noqa: E712
                BureauRegistration.employer_ref != request.onboarding_id,
            )).first()
            row = BureauRegistration(
                idempotency_key=request.idempotency_key, id_number=request.id_number,
                employer_ref=request.onboarding_id, accepted=elsewhere is None,
                created_at=datetime.now(UTC))
            if elsewhere is None:
                digest = hashlib.sha256(request.idempotency_key.encode()).hexdigest()[:10]
                row.reference = f"SIM-{request.region.upper()}-{digest}"
            else:
                row.code = "already_enrolled_elsewhere"
                row.reason = (f"ID number already enrolled by another employer "
                              f"({elsewhere.employer_ref}); 已在其他单位参保")
            session.add(row)
            session.commit()
            return _answer(row)


SIMULATED = "模拟社保经办机构（仅开发和测试环境）(simulated SI bureau, dev and tests only)"


def _answer(row: BureauRegistration) -> BureauAnswer:
    return BureauAnswer(accepted=row.accepted, reference=row.reference, reason=row.reason,
                        code=row.code, source=SIMULATED)


class GatewayActivities:
    """Calls to government systems; the bureau implementation is injected."""

    def __init__(self, bureau: SiBureau) -> None:
        self._bureau = bureau

    @activity.defn(name="submit_si_enrollment", no_thread_cancel_exception=True)
    def submit_si_enrollment(self, request: BureauEnrollment) -> BureauAnswer:
        """Send an approved enrolment to the SI bureau and return its answer."""
        return self._bureau.enroll(request)
