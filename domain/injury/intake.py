"""Turn an injury report into a validated CaseInput (every check names its field)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from domain.compensation.data import CompensationTables
from domain.employees.si_standing import RecordFacts, SiStanding, check_declaration, standing_on
from domain.injury.late_costs import rule_region
from domain.injury.materials import checklist_for
from domain.injury.payloads import CaseInput, CaseTiming, Witness
from domain.shared import statutes
from domain.shared.calendar import SHANGHAI, HolidayCalendar
from domain.shared.calendar_sources import official_calendar
from domain.shared.errors import ActionRefused, RuleViolation
from domain.shared.ids import check_employee_id
from domain.shared.intake import employee_from
from domain.shared.people import Contact, Employee


@dataclass(frozen=True)
class CaseSettings:
    """The configurable parts of a case (CASEGUARD_* settings); defaults are the product rules."""

    materials_sla: timedelta = statutes.MATERIALS_FILED_SLA_DEFAULT
    reminder_days: tuple[int, ...] = statutes.DETERMINATION_REMINDER_DAYS_DEFAULT
    return_notice_lead: timedelta = statutes.RETURN_NOTICE_LEAD_DEFAULT
    notice_response: timedelta = statutes.NOTICE_RESPONSE_DEFAULT
    settlement_target_days: int = statutes.SETTLEMENT_TARGET.days or 15
    reminder_lead: timedelta = statutes.CASE_REMINDER_LEAD_DEFAULT
    chase_interval: timedelta = statutes.CHASE_INTERVAL_DEFAULT
    time_scale: float = 1.0
    quiet_hours: bool = False
    notice_fallback: timedelta | None = None
    hr_manager: Contact | None = None
    company: str = ""
    notify_emergency_contact: bool = False
    hr_phone: str = ""


@dataclass(frozen=True)
class CaseReport:
    """What HR reports when an employee is injured (POST /api/v1/cases)."""

    employee: Employee
    region: str
    accident_at: datetime
    location: str
    description: str
    injury: str
    witnesses: tuple[Witness, ...] = ()
    si_enrolled: bool | None = True  # HR's declaration; None: the record decides
    traffic_accident: bool = False
    case_id: str | None = None
    si_facts: RecordFacts | None = None  # the employee record on the accident date, if read
    occupational_disease: bool = False  # 职业病: the windows run from `diagnosed_on` (art. 17)
    diagnosed_on: date | None = None    # the diagnosis or appraisal (职业病诊断/鉴定) date


def default_case_id(report: CaseReport) -> str:
    """<employee_id>-<accident date>: a second report of the same accident is a conflict."""
    at = report.accident_at
    if at.tzinfo is None:
        at = at.replace(tzinfo=SHANGHAI)  # a bare time is Beijing time, not the server's zone
    day = at.astimezone(SHANGHAI).strftime("%Y%m%d")
    return f"{report.employee.employee_id}-{day}"


def check_accident_at(accident_at: datetime, now: datetime) -> datetime:
    if accident_at.tzinfo is None:
        accident_at = accident_at.replace(tzinfo=SHANGHAI)  # a bare time is Beijing time
    if accident_at > now:
        raise RuleViolation("accident_at", "accident_at.future",
                            f"accident_at ({accident_at.isoformat()}) is in the future")
    if now - accident_at > statutes.MAX_ACCIDENT_AGE:
        raise RuleViolation("accident_at", "accident_at.too_old",
                            f"accident_at is more than {statutes.MAX_ACCIDENT_AGE.days} days ago: "
                            "import such a case with its history instead")
    return accident_at


def build_case_input(report: CaseReport, *, created_by: str, now: datetime,
                     process: CaseSettings, calendar: HolidayCalendar | None = None,
                     provinces: Mapping[str, str] | None = None) -> CaseInput:
    """Everything the workflow needs, resolved now so that replay never depends on changed data
    (`calendar`: the official schedules known now, pinned from the year before the accident on;
    default: the bundled ones; `provinces`: a city's province, default the bundled regions)."""
    accident_at = check_accident_at(report.accident_at, now)
    employee = employee_from(report.employee, now.astimezone(SHANGHAI).date())
    case_id = check_employee_id(report.case_id or default_case_id(report), field="case_id")
    for field, value in (("location", report.location), ("description", report.description),
                         ("injury", report.injury), ("region", report.region)):
        if not value.strip():
            raise RuleViolation(field, f"{field}.required", f"{field} must not be empty")
    standing = si_standing_of(report, accident_at)
    provinces = provinces if provinces is not None else CompensationTables.bundled().provinces
    checklist = checklist_for(report.region, traffic_accident=report.traffic_accident,
                              has_witnesses=bool(report.witnesses), provinces=provinces)
    return CaseInput(
        case_id=case_id, employee=employee, region=report.region.strip().lower(),
        accident_at=accident_at, location=report.location, description=report.description,
        injury=report.injury, witnesses=report.witnesses,
        si_enrolled=standing.insured if standing else bool(report.si_enrolled),
        reported_at=now, created_by=created_by, materials=checklist.items,
        materials_source=checklist.source,
        timing=CaseTiming(
            materials_sla=process.materials_sla,
            determination_reminder_days=process.reminder_days,
            return_notice_lead=process.return_notice_lead,
            notice_response=process.notice_response,
            settlement_target_days=process.settlement_target_days,
            reminder_lead=process.reminder_lead, chase_interval=process.chase_interval,
            time_scale=process.time_scale, quiet_hours=process.quiet_hours,
            notice_fallback=process.notice_fallback),
        traffic_accident=report.traffic_accident, hr_manager=process.hr_manager,
        company=process.company, notify_emergency_contact=process.notify_emergency_contact,
        hr_phone=process.hr_phone,
        calendar=(calendar or official_calendar()).since(accident_at.astimezone(SHANGHAI).year - 1),
        si_standing=standing, occupational_disease=report.occupational_disease,
        diagnosed_on=check_diagnosed_on(report, accident_at, now),
        late_rule_region=rule_region(report.region, provinces))


def check_diagnosed_on(report: CaseReport, accident_at: datetime, now: datetime) -> date | None:
    """An occupational disease's windows run from the day it was diagnosed or appraised (工伤保险
    条例 art. 17 ¶1, ¶2: "被诊断、鉴定为职业病之日"), so a case opened as one must give that day;
    it is neither in the future nor before the exposure reported as `accident_at`."""
    if not report.occupational_disease:
        if report.diagnosed_on is not None:
            raise RuleViolation("diagnosed_on", "diagnosed_on.not_occupational",
                                "diagnosed_on is only for an occupational disease "
                                "(occupational_disease: true)")
        return None
    day = report.diagnosed_on
    if day is None:
        raise RuleViolation("diagnosed_on", "diagnosed_on.required", "an occupational disease "
                            "needs diagnosed_on, the diagnosis or appraisal date (art. 17)")
    today = now.astimezone(SHANGHAI).date()
    if day > today:
        raise RuleViolation("diagnosed_on", "diagnosed_on.future",
                            f"diagnosed_on ({day}) is after today ({today})")
    if day < accident_at.astimezone(SHANGHAI).date():
        raise RuleViolation("diagnosed_on", "diagnosed_on.before_accident",
                            f"diagnosed_on ({day}) is before accident_at "
                            f"({accident_at.astimezone(SHANGHAI).date()})")
    return day


def si_standing_of(report: CaseReport, accident_at: datetime) -> SiStanding | None:
    """The standing on the accident date from the record's facts (domain.employees.si_standing);
    HR's si_enrolled that disagrees with the record is refused (409: overriding takes a reason and
    a document), and with nothing on file HR must say (422)."""
    if report.si_facts is None:
        if report.si_enrolled is None:
            raise RuleViolation("si_enrolled", "si_enrolled.required",
                                "si_enrolled must be true or false")
        return None
    standing = standing_on(accident_at.astimezone(SHANGHAI).date(), report.si_facts,
                           report.si_enrolled)
    disagreement = check_declaration(standing)
    if disagreement is not None:
        raise ActionRefused("si_standing.mismatch", disagreement, "si_enrolled",
                            {"standing": standing.code, "source": standing.source})
    if standing.code == "no_record" and standing.declared is None:
        raise RuleViolation("si_enrolled", "si_enrolled.required",
                            "the employee record holds nothing for the accident date: "
                            "si_enrolled must say whether the employee was insured")
    return standing

