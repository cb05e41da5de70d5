"""The injury-case gateway simulators: deterministic answers, refusals, input checks."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest
from temporalio.exceptions import ApplicationError
from temporalio.testing import ActivityEnvironment

from activities.gateways.injury import InjuryGatewayActivities, SimulatedAuthority, SimulatedHospital
from domain.injury.payloads import (
    AuthorityReceipt,
    BenefitClaim,
    CourierRegistration,
    DeterminationApplication,
    DiagnosisRequest,
)

# 23:30 UTC on 1 March is 07:30 on 2 March in Beijing
ACCIDENT = datetime(2025, 3, 1, 23, 30, tzinfo=UTC)
gateways = InjuryGatewayActivities()


def application(key: str = "case-E1:1") -> DeterminationApplication:
    return DeterminationApplication(
        idempotency_key=key, case_id="E1", region="sh", employee_name="张三",
        id_number="110101199003074514", accident_at=ACCIDENT, injury="右手骨折",
        simple_case=False, materials=("application_form", "diagnosis"))


def claim(si_enrolled: bool, key: str = "case-E1:7") -> BenefitClaim:
    return BenefitClaim(idempotency_key=key, case_id="E1", region="sh",
                        id_number="110101199003074514", employee_name="张三",
                        si_enrolled=si_enrolled, grade=9, accident_at=ACCIDENT)


def courier(tracking_number: str) -> CourierRegistration:
    return CourierRegistration(idempotency_key="case-E1:9", case_id="E1", carrier="SF",
                               tracking_number=tracking_number, purpose="return_to_work")


def test_same_key_same_receipt_and_the_workflow_dates_it() -> None:
    first = ActivityEnvironment().run(gateways.submit_determination_application, application())
    again = SimulatedAuthority().submit(application())
    assert first == again
    assert first.accepted and first.accepted_on is None
    assert first.reference.startswith("SIM-GSRD-SH-") and len(first.reference) == len("SIM-GSRD-SH-") + 10


def test_another_key_gets_another_reference() -> None:
    one: AuthorityReceipt = gateways.submit_determination_application(application("case-E1:1"))
    two: AuthorityReceipt = gateways.submit_determination_application(application("case-E1:2"))
    assert one.reference != two.reference


def test_diagnosis_is_issued_on_the_beijing_date_of_the_accident() -> None:
    req = DiagnosisRequest(idempotency_key="case-E1:3", case_id="E1", id_number="110101199003074514",
                           employee_name="张三", accident_at=ACCIDENT, injury="右手骨折")
    summary = ActivityEnvironment().run(gateways.fetch_diagnosis, req)
    assert summary == SimulatedHospital().diagnosis(req)
    assert summary.found and summary.source == "simulator"
    assert summary.issued_on == date(2025, 3, 2)
    assert summary.diagnosis == "右手骨折（模拟诊断）"
    assert summary.hospital == "模拟医院 (simulator)"
    assert summary.reference.startswith("SIM-ZD-")


def test_naive_accident_time_is_beijing_wall_time() -> None:
    req = DiagnosisRequest(idempotency_key="k", case_id="E1", id_number="x", employee_name="张三",
                           accident_at=datetime(2025, 3, 1, 23, 30), injury="扭伤")
    assert SimulatedHospital().diagnosis(req).issued_on == date(2025, 3, 1)


def test_uninsured_claim_is_refused_the_employer_pays() -> None:
    receipt = ActivityEnvironment().run(gateways.claim_injury_benefits, claim(si_enrolled=False))
    assert not receipt.accepted and receipt.code == "not_insured" and receipt.reference == ""
    assert "第六十二条第二款" in receipt.reason and "art. 62 ¶2" in receipt.reason


def test_insured_claim_is_accepted_deterministically() -> None:
    receipt = gateways.claim_injury_benefits(claim(si_enrolled=True))
    assert receipt.accepted and receipt.code == ""
    assert receipt.reference.startswith("SIM-GSDY-")
    assert receipt == gateways.claim_injury_benefits(claim(si_enrolled=True))


def test_courier_reference() -> None:
    assert ActivityEnvironment().run(gateways.register_courier_tracking,
                                     courier("SF1234567890")) == "SF:SF1234567890"


@pytest.mark.parametrize("number", ["", "12345", "A" * 31, "SF 123456", "SF-123456", "顺丰123456",
                                    "SF123456\n"])
def test_invalid_tracking_number_is_a_non_retryable_error(number: str) -> None:
    with pytest.raises(ApplicationError) as raised:
        ActivityEnvironment().run(gateways.register_courier_tracking, courier(number))
    assert raised.value.type == "InvalidInput" and raised.value.non_retryable
    assert raised.value.details[0]["field"] == "tracking_number"


def test_injected_implementations_are_used() -> None:
    class Fixed:
        def submit(self, app: DeterminationApplication) -> AuthorityReceipt:
            return AuthorityReceipt(accepted=False, reference="", accepted_on=None,
                                    missing=("diagnosis",), reason="补正")

    receipt = InjuryGatewayActivities(authority=Fixed()).submit_determination_application(application())
    assert receipt.missing == ("diagnosis",)
