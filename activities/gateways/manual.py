"""The gateways of a deployment that does an outside step by hand (CASEGUARD_GATEWAY_<NAME>=manual).

No simulator answers in production. A workflow pinned to the manual route asks HR itself (the SI
bureau: a task, then Update record_bureau_outcome); these classes answer the gateway activities that
are still called, by a workflow started under another setting or a step with no manual route in the
workflow yet: they give up at once (non-retryable), and the workflow turns that into an HR task to
do the step by hand with this reason (see the give-up handling in workflows/). Nothing is sent,
nothing is pretended.
"""

from __future__ import annotations

from typing import NoReturn

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
from domain.onboarding.payloads import BureauAnswer, BureauEnrollment

BY_HAND = "manual_step"


def _by_hand(zh: str, en: str) -> NoReturn:
    raise ApplicationError(f"{zh} ({en})", {"code": BY_HAND}, type=BY_HAND, non_retryable=True)


class ManualSiBureau:
    def enroll(self, request: BureauEnrollment) -> BureauAnswer:
        _by_hand("本部署没有社保经办机构的接口，增员须在经办平台手工办理",
                 "this deployment has no SI bureau gateway: enter the enrolment in the bureau's portal")


class ManualInjuryAuthority:
    def submit(self, app: DeterminationApplication) -> AuthorityReceipt:
        _by_hand("本部署没有工伤认定部门的接口，认定申请须由 HR 提交并登记受理情况",
                 "no injury-determination gateway: HR submits the application and records its receipt")


class ManualHospital:
    def diagnosis(self, req: DiagnosisRequest) -> DiagnosisSummary:
        _by_hand("本部署没有医院的接口，诊断证明须由 HR 上传",
                 "no hospital gateway: HR uploads the diagnosis certificate")


class ManualSiBenefits:
    def claim(self, c: BenefitClaim) -> BenefitClaimReceipt:
        _by_hand("本部署没有工伤保险基金的接口，待遇申领须由 HR 在经办机构办理",
                 "no SI benefits gateway: HR claims the benefits at the bureau")


class ManualCourier:
    def register(self, r: CourierRegistration) -> str:
        _by_hand("本部署没有快递公司的接口，邮寄状态须由 HR 查询并登记",
                 "no courier gateway: HR tracks the letter and records its status")
