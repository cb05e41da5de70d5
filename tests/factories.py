"""Builders for test inputs: a valid registration and the OnboardingInput the API would build."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from decimal import Decimal
from typing import Any

from domain.employees.si_standing import RecordFacts
from domain.injury.intake import CaseReport, CaseSettings, build_case_input
from domain.injury.payloads import CaseInput, Witness
from domain.onboarding.intake import ProcessSettings, build_input
from domain.onboarding.payloads import OnboardingInput
from domain.onboarding.policy import PolicyTable
from domain.shared.identity import check_digit
from domain.shared.people import Contact, EmergencyContact, Employee

VALID_ID = "11010519491231002X"
OTHER_VALID_ID = "440524188001010014"
_ID_NUMBERS: dict[str, str] = {"E1001": VALID_ID}


def id_number_for(employee_id: str) -> str:
    """A valid resident ID number of its own for each employee id (VALID_ID for E1001): the
    employee record takes one ID number for one person, so two hires need two numbers."""
    if employee_id not in _ID_NUMBERS:
        n = len(_ID_NUMBERS)
        born = date(1960, 1, 1) + timedelta(days=n % 20000)
        body = f"110105{born:%Y%m%d}{n // 20000 % 1000:03d}"
        _ID_NUMBERS[employee_id] = body + check_digit(body)
    return _ID_NUMBERS[employee_id]


def registration(employee_id: str = "E1001", **overrides: Any) -> dict[str, Any]:
    """The JSON body of POST /api/v1/onboardings for a Beijing new hire."""
    body: dict[str, Any] = {
        "employee": {
            "employee_id": employee_id, "name": "张三", "id_number": id_number_for(employee_id),
            "phone": "13800138000", "email": "zhangsan@example.com", "department": "生产部",
            "manager": {"name": "李经理", "phone": "13900139000", "email": "li@example.com"},
            "emergency_contact": {"name": "王芳", "relation": "配偶", "phone": "13700137000"},
        },
        "hire_date": date.today().isoformat(),
        "region": "beijing",
        "contribution_base": "8000",
    }
    body.update(overrides)
    return body


def employee(employee_id: str = "E1001", id_number: str = VALID_ID) -> Employee:
    return Employee(employee_id=employee_id, name="张三", id_number=id_number,
                    phone="13800138000", email="zhangsan@example.com", department="生产部",
                    manager=Contact(name="李经理", phone="13900139000", email="li@example.com"))


def onboarding_input(hire_date: date, *, employee_id: str = "E1001", id_number: str = VALID_ID,
                     contract_start: date | None = None, base: str = "8000",
                     hold: timedelta = timedelta(hours=1), time_scale: float = 1.0,
                     policy: PolicyTable | None = None) -> OnboardingInput:
    return build_input(
        employee=employee(employee_id, id_number), hire_date=hire_date, region="beijing",
        contribution_base=Decimal(base), contract_start=contract_start, created_by="hr-alice",
        policy=policy or PolicyTable.bundled(), today=hire_date,
        process=ProcessSettings(enrollment_hold=hold, time_scale=time_scale,
                                hr_manager=Contact(name="HR Manager Chen",
                                                   email="chen@example.com")),
    )


def case_report(accident_at: datetime, *, employee_id: str = "E1001", case_id: str | None = None,
                witnesses: tuple[str, ...] = ("李四",), si_enrolled: bool | None = True,
                traffic_accident: bool = False, si_facts: RecordFacts | None = None,
                region: str = "beijing", occupational_disease: bool = False,
                diagnosed_on: date | None = None) -> CaseReport:
    return CaseReport(
        employee=Employee(
            employee_id=employee_id, name="张三", id_number=VALID_ID, phone="13800138000",
            email="zhangsan@example.com", department="生产部",
            manager=Contact(name="李经理", phone="13900139000", email="li@example.com"),
            emergency_contact=EmergencyContact(name="王芳", relation="配偶", phone="13700137000")),
        region=region, accident_at=accident_at, location="二号车间冲压机旁",
        description="操作冲压机时右手拇指被夹伤", injury="右手拇指肌腱断裂",
        witnesses=tuple(Witness(name=w) for w in witnesses), si_enrolled=si_enrolled,
        traffic_accident=traffic_accident, case_id=case_id, si_facts=si_facts,
        occupational_disease=occupational_disease, diagnosed_on=diagnosed_on)


def case_input(accident_at: datetime, *, now: datetime | None = None, time_scale: float = 1.0,
               **report: Any) -> CaseInput:
    return build_case_input(
        case_report(accident_at, **report), created_by="hr-alice", now=now or accident_at,
        process=CaseSettings(time_scale=time_scale,
                             hr_manager=Contact(name="HR Manager Chen", email="chen@example.com")))


def case_body(employee_id: str = "E1001", accident_at: datetime | None = None,
              **overrides: Any) -> dict[str, Any]:
    """The JSON body of POST /api/v1/cases: a thumb-tendon injury in a Beijing workshop."""
    employee = registration(employee_id)["employee"]
    body: dict[str, Any] = {
        "employee": employee,
        "accident_at": (accident_at or datetime.now().astimezone() - timedelta(hours=2)).isoformat(),
        "location": "二号车间冲压机旁", "description": "操作冲压机时右手拇指被夹伤",
        "injury": "右手拇指肌腱断裂", "witnesses": [{"name": "李四", "phone": "13600136000"}],
        "si_enrolled": True, "region": "beijing",
    }
    body.update(overrides)
    return body
