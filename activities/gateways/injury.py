"""Outside systems of a work-injury case, each an interface whose default is a deterministic simulator.

The simulators keep no state: every answer is a function of the request, so a retry (same
idempotency key) always gets the answer it got the first time. Their outcomes:

1. Injury-determination authority (工伤认定, Regs. art. 17-20): every application is accepted
   (`accepted=True`) with a reference `SIM-GSRD-<REGION>-<10 hex of sha256(key)>`. It accepts on
   receipt and returns `accepted_on=None`: the workflow records its own receipt date. The decision
   comes later, as the `authority_decision` signal (in dev: POST /api/v1/dev/authority/decide).
2. Hospital: a diagnosis is always found, issued by "模拟医院 (simulator)" on the Beijing date of the
   accident, its text derived from the reported injury, reference `SIM-ZD-<10 hex>`.
3. SI fund benefit claim (工伤保险待遇): an employee who is not insured is refused with code
   `not_insured` (the employer pays every item itself, Regs. art. 62 ¶2); anything else is accepted
   with a reference `SIM-GSDY-<10 hex>`.
4. Courier: registering a paper notice returns `<carrier>:<tracking number>`; tracking events come
   later as the `courier_status` signal (in dev: POST /api/v1/dev/courier/status).

Whatever the courier, a tracking number that is not 6-30 ASCII letters or digits is refused by the
activity with a non-retryable `InvalidInput` error.
"""

from __future__ import annotations

import hashlib
import re
from datetime import datetime
from typing import Protocol
from zoneinfo import ZoneInfo

from temporalio import activity
from temporalio.exceptions import ApplicationError

from domain.injury.payloads import (
    AuthorityReceipt,
    BenefitClaim,
    BenefitClaimReceipt,
    CourierRegistration,
    DeterminationApplication,
    DiagnosisRequest,
    DiagnosisSummary,
)

SHANGHAI = ZoneInfo("Asia/Shanghai")
TRACKING_NUMBER = re.compile(r"[A-Za-z0-9]{6,30}")
NOT_INSURED_REASON = (
    "用人单位未参加工伤保险，工伤保险基金不予支付；由用人单位按照《工伤保险条例》规定的工伤保险待遇项目和标准"
    "支付费用（第六十二条第二款）。 The employer did not insure the employee, so the fund pays nothing: "
    "the employer pays every benefit item itself, at the Regulations' rates "
    "(Regs. on Work-Related Injury Insurance art. 62 ¶2)."
)


class InjuryAuthority(Protocol):
    def submit(self, app: DeterminationApplication) -> AuthorityReceipt: ...


class Hospital(Protocol):
    def diagnosis(self, req: DiagnosisRequest) -> DiagnosisSummary: ...


class SiBenefits(Protocol):
    def claim(self, c: BenefitClaim) -> BenefitClaimReceipt: ...


class Courier(Protocol):
    def register(self, r: CourierRegistration) -> str: ...


def _digest(idempotency_key: str) -> str:
    return hashlib.sha256(idempotency_key.encode()).hexdigest()[:10]


def in_beijing(moment: datetime) -> datetime:
    """`moment` in Beijing time; a naive datetime is taken to be Beijing wall time already."""
    if moment.tzinfo is None:
        return moment.replace(tzinfo=SHANGHAI)
    return moment.astimezone(SHANGHAI)


class SimulatedAuthority:
    """The simulator accepts on receipt; the workflow records its own receipt date (accepted_on=None)."""

    def submit(self, app: DeterminationApplication) -> AuthorityReceipt:
        """Accept the application with a reference derived from its idempotency key."""
        reference = f"SIM-GSRD-{app.region.upper()}-{_digest(app.idempotency_key)}"
        return AuthorityReceipt(accepted=True, reference=reference, accepted_on=None)


class SimulatedHospital:
    """Finds a diagnosis for every request, issued on the Beijing date of the accident."""

    def diagnosis(self, req: DiagnosisRequest) -> DiagnosisSummary:
        """A simulated diagnosis summary derived from the reported injury."""
        return DiagnosisSummary(
            found=True, hospital="模拟医院 (simulator)", diagnosis=f"{req.injury}（模拟诊断）",
            treatment="门诊/住院治疗（模拟）", issued_on=in_beijing(req.accident_at).date(),
            reference=f"SIM-ZD-{_digest(req.idempotency_key)}", source="simulator")


class SimulatedSiBenefits:
    """Refuses claims for uninsured employees (art. 62 ¶2), accepts the rest."""

    def claim(self, c: BenefitClaim) -> BenefitClaimReceipt:
        """The fund's answer to a benefit claim."""
        if not c.si_enrolled:
            return BenefitClaimReceipt(accepted=False, code="not_insured", reason=NOT_INSURED_REASON)
        return BenefitClaimReceipt(accepted=True, reference=f"SIM-GSDY-{_digest(c.idempotency_key)}")


class SimulatedCourier:
    """Registers a tracking number for status callbacks."""

    def register(self, r: CourierRegistration) -> str:
        """The tracking reference: `<carrier>:<tracking number>`."""
        return f"{r.carrier}:{r.tracking_number}"


def check_tracking_number(tracking_number: str) -> str:
    """6-30 ASCII letters or digits, else a non-retryable InvalidInput error."""
    if not TRACKING_NUMBER.fullmatch(tracking_number or ""):
        raise ApplicationError(
            f"tracking number {tracking_number!r} must be 6-30 letters or digits",
            {"code": "tracking_number.format", "field": "tracking_number"},
            type="InvalidInput", non_retryable=True)
    return tracking_number


class InjuryGatewayActivities:
    """Calls to the outside systems of an injury case; each implementation is injected."""

    def __init__(self, authority: InjuryAuthority | None = None, hospital: Hospital | None = None,
                 benefits: SiBenefits | None = None, courier: Courier | None = None) -> None:
        self._authority: InjuryAuthority = authority or SimulatedAuthority()
        self._hospital: Hospital = hospital or SimulatedHospital()
        self._benefits: SiBenefits = benefits or SimulatedSiBenefits()
        self._courier: Courier = courier or SimulatedCourier()

    @activity.defn(name="submit_determination_application", no_thread_cancel_exception=True)
    def submit_determination_application(self, app: DeterminationApplication) -> AuthorityReceipt:
        """Send the injury-determination application (工伤认定申请) and return the receipt."""
        return self._authority.submit(app)

    @activity.defn(name="fetch_diagnosis", no_thread_cancel_exception=True)
    def fetch_diagnosis(self, req: DiagnosisRequest) -> DiagnosisSummary:
        """Fetch the hospital's diagnosis summary of the injury."""
        return self._hospital.diagnosis(req)

    @activity.defn(name="claim_injury_benefits", no_thread_cancel_exception=True)
    def claim_injury_benefits(self, c: BenefitClaim) -> BenefitClaimReceipt:
        """Claim the fund-paid benefit items (工伤保险待遇) and return the fund's answer."""
        return self._benefits.claim(c)

    @activity.defn(name="register_courier_tracking", no_thread_cancel_exception=True)
    def register_courier_tracking(self, r: CourierRegistration) -> str:
        """Register a paper notice's tracking number with the courier; returns the reference."""
        check_tracking_number(r.tracking_number)
        return self._courier.register(r)
