"""The case clocks of issue 20 §2, each named by its article, with worked examples (fixed dates)."""

from __future__ import annotations

from dataclasses import replace
from datetime import date, datetime, timedelta

import pytest

from domain.injury.actions import not_accepted
from domain.injury.calendar_update import recompute_case
from domain.injury.clocks import alarms, end_of, is_overdue
from domain.injury.intake import CaseReport
from domain.injury.overview import (
    late_application,
    late_costs_event,
    open_tasks,
    projection,
    view_of,
)
from domain.injury.pause import remaining_days
from domain.shared.calendar import SHANGHAI, CalendarYear
from domain.shared.errors import ActionRefused, RuleViolation
from tests.factories import case_input
from tests.unit.injury_driver import Case


def beijing(*args: int) -> datetime:
    return datetime(*args, tzinfo=SHANGHAI)  # type: ignore[misc]


def new_case(**report: object) -> Case:
    """A case as the workflow opens it since patch 2026-12-case-clocks."""
    case = Case(**report)
    case.state.case_clocks = True
    return case


def accepted_on_10_march() -> Case:
    """Accident Mon 3 March 2025, applied 7 March, accepted Mon 10 March: the 60-day decision
    period's raw last day is Fri 9 May 2025 (Civil Code art. 201: 10 March not counted)."""
    case = new_case().go_to(beijing(2025, 3, 7, 10)).apply()
    return case.go_to(beijing(2025, 3, 10, 10)).accept()


def refused(case: Case, action: str, **fields: object) -> ActionRefused:
    with pytest.raises(ActionRefused) as caught:
        case.check(action, **fields)
    return caught.value


def invalid(case: Case, action: str, **fields: object) -> RuleViolation:
    with pytest.raises(RuleViolation) as caught:
        case.check(action, **fields)
    return caught.value


# ---- 1. the decision period suspended (中止), Reg. art. 20 ¶3 ---------------------------------


def test_art_20_3_a_suspension_stops_the_decision_period_its_chases_and_its_overdue():
    case = accepted_on_10_march()
    assert case.deadline("determination_decision").due_at == end_of(date(2025, 5, 9))
    case.go_to(beijing(2025, 3, 31, 15)).do("pause_determination", reason="等待法院确认劳动关系",
                                             awaiting="朝阳区人民法院")
    d = case.deadline("determination_decision")
    assert d.paused and d.status(beijing(2025, 6, 1, 0)) == "paused"
    assert not is_overdue(d, beijing(2025, 6, 1, 0))  # past the old end, yet not overdue
    assert not [a for a in alarms(case.inp, case.state, beijing(2025, 6, 1, 0))
                if a.deadline == "determination_decision"]  # no chase, no escalation
    kind, data = case.events[-1]
    assert kind == "determination_paused" and data["remaining_days"] == 39
    assert data["article"] == "工伤保险条例 art. 20 ¶3" and data["reason"] == "等待法院确认劳动关系"
    assert "await_conclusion" in {t.code for t in open_tasks(case.inp, case.state, case.now)}


def test_art_20_3_the_period_runs_on_from_the_conclusion_with_the_days_left():
    """Suspended Mon 31 March: 31 March counts as used, 39 days left (to 9 May). Conclusion made
    Mon 16 June: the period ends 16 June + 39 days = Fri 25 July 2025."""
    case = accepted_on_10_march().go_to(beijing(2025, 3, 31, 15))
    case.do("pause_determination", reason="等待劳动关系仲裁")
    case.go_to(beijing(2025, 6, 18, 10)).do("resume_determination", on=date(2025, 6, 16),
                                             reference="（2025）京0105民初123号")
    d = case.deadline("determination_decision")
    assert not d.paused and d.due_at == end_of(date(2025, 7, 25)) and d.calendar_verified
    kind, data = case.events[-1]
    assert kind == "determination_resumed" and data["remaining_days"] == 39
    assert data["paused_days"] == 77 and "silent" in data["rule"]
    chases = [a for a in alarms(case.inp, case.state, case.now)
              if a.deadline == "determination_decision"]
    assert chases and chases[0].at == d.due_at  # chased again at the new end


def test_art_20_3_a_period_already_overdue_has_no_days_left():
    case = accepted_on_10_march()
    assert remaining_days(case.deadline("determination_decision"), date(2025, 5, 20)) == 0
    case.go_to(beijing(2025, 5, 20, 10)).do("pause_determination", reason="等待公安机关结论")
    case.go_to(beijing(2025, 6, 3, 10)).do("resume_determination")
    assert case.deadline("determination_decision").due_at == end_of(date(2025, 6, 3))


def test_art_20_3_a_decision_while_suspended_meets_the_period():
    case = accepted_on_10_march().go_to(beijing(2025, 3, 31, 15))
    case.do("pause_determination", reason="等待法院判决")
    case.go_to(beijing(2025, 8, 1, 10)).decide()
    d = case.deadline("determination_decision")
    assert d.status(case.now) == "met" and case.state.determination.paused_on is None


def test_art_20_3_suspension_refusals_name_the_field_and_change_nothing():
    case = new_case().go_to(beijing(2025, 3, 7, 10)).apply()
    assert refused(case, "pause_determination", reason="x").code == "stage.conflict"  # not accepted
    case.go_to(beijing(2025, 3, 10, 10)).accept()
    error = invalid(case, "pause_determination", reason=" ")
    assert (error.field, error.code) == ("reason", "reason.required")
    error = invalid(case, "pause_determination", reason="等待", on=date(2025, 3, 9))
    assert (error.field, error.code) == ("on", "on.before_acceptance")
    assert refused(case, "resume_determination").code == "stage.conflict"  # nothing suspended
    case.go_to(beijing(2025, 3, 31, 15)).do("pause_determination", reason="等待")
    assert refused(case, "pause_determination", reason="again").code == "stage.conflict"
    before = case.deadline("determination_decision")
    error = invalid(case, "resume_determination", on=date(2025, 3, 30))
    assert (error.field, error.code) == ("on", "on.before_pause")
    assert case.deadline("determination_decision") == before


# ---- 2. review and re-appraisal windows from receipt (Reg. art. 26, 55; 行政复议法) --------------


def test_administrative_review_runs_60_days_from_the_day_the_decision_was_received():
    """Decided Tue 6 May, received Mon 12 May: the last day is 12 May + 60 = Fri 11 July 2025."""
    case = accepted_on_10_march().go_to(beijing(2025, 5, 14, 10))
    case.do("record_determination", recognised=False, on=date(2025, 5, 6),
            received_on=date(2025, 5, 12))
    assert case.deadline("administrative_review").due_at == end_of(date(2025, 7, 11))
    assert case.state.determination.received_on == date(2025, 5, 12)
    assert case.events[-1][1]["received_on"] == "2025-05-12"


def test_without_a_receipt_date_the_review_counts_from_the_decision_with_a_note():
    case = accepted_on_10_march().go_to(beijing(2025, 5, 14, 10))
    case.do("record_determination", recognised=False, on=date(2025, 5, 6))
    assert case.deadline("administrative_review").due_at == end_of(date(2025, 7, 7))  # 5 Jul: Sat
    data = case.events[-1][1]
    assert data["received_on"] == "2025-05-06" and "earliest possible receipt" in \
        data["received_on_note"]


def test_a_receipt_before_the_decision_or_in_the_future_is_refused_naming_received_on():
    case = accepted_on_10_march().go_to(beijing(2025, 5, 14, 10))
    error = invalid(case, "record_determination", recognised=False, on=date(2025, 5, 6),
                    received_on=date(2025, 5, 5))
    assert (error.field, error.code) == ("received_on", "received_on.before_decision")
    error = invalid(case, "record_determination", recognised=False, received_on=date(2025, 5, 15))
    assert (error.field, error.code) == ("received_on", "received_on.future")
    assert "administrative_review" not in case.state.deadlines


def test_art_26_re_appraisal_runs_15_days_from_the_day_the_conclusion_was_received():
    case = Case().appraising()
    concluded = case.today + timedelta(days=20)
    case.go_to(datetime.combine(concluded + timedelta(days=5), datetime.min.time(), SHANGHAI)
               + timedelta(hours=10))
    case.do("record_appraisal", grade=7, on=concluded, received_on=concluded + timedelta(days=4))
    d = case.deadline("reappraisal_request")
    assert d.raw_due_at == end_of(concluded + timedelta(days=19))
    error = invalid(case.__class__().appraising(), "record_appraisal", grade=7,
                    received_on=date(2099, 1, 1))
    assert error.field == "received_on"


# ---- 6. the 15-day acceptance review (工伤认定办法 art. 8) ------------------------------------


def test_order_8_art_8_the_authority_accepts_within_15_days_or_is_chased():
    """Applied Fri 7 March 2025: acceptance due by the end of Sat 22 March → Mon 24 March."""
    case = new_case().go_to(beijing(2025, 3, 7, 10)).apply()
    d = case.deadline("determination_acceptance")
    assert d.kind == "authority" and "工伤认定办法" in d.article
    assert d.due_at == end_of(date(2025, 3, 24)) and d.raw_due_at == end_of(date(2025, 3, 22))
    chases = [a for a in alarms(case.inp, case.state, case.now)
              if a.deadline == "determination_acceptance"]
    assert chases[0].at == d.due_at and chases[0].kind == "chase"
    assert "await_acceptance" in {t.code for t in open_tasks(case.inp, case.state, case.now)}
    case.go_to(beijing(2025, 3, 28, 10)).accept()
    assert case.deadline("determination_acceptance").status(case.now) == "missed"  # late, on record
    assert not is_overdue(case.deadline("determination_acceptance"), case.now)


def test_order_8_art_8_a_non_acceptance_answers_the_review_and_old_cases_keep_none():
    case = new_case().go_to(beijing(2025, 3, 7, 10)).apply()
    not_accepted(case.state, beijing(2025, 3, 12, 10))
    assert case.deadline("determination_acceptance").status(case.now) == "met"
    old = Case().go_to(beijing(2025, 3, 7, 10)).apply()  # a case started before the patch
    assert "determination_acceptance" not in old.state.deadlines


# ---- 5. occupational disease (Reg. art. 17 ¶1, ¶2) -------------------------------------------


def test_art_17_an_occupational_disease_counts_from_the_diagnosis_not_the_exposure():
    case = Case(beijing(2025, 3, 3, 9), reported_after=timedelta(days=95),
                occupational_disease=True, diagnosed_on=date(2025, 6, 2))
    d = case.deadline("determination_application")
    assert d.due_at == end_of(date(2025, 7, 2)) and d.started_at == beijing(2025, 6, 2, 0)
    view = view_of(case.inp, case.state, [], case.now)
    assert not view.overdue  # 95 days after the exposure, but 3 after the diagnosis


@pytest.mark.parametrize(("fields", "code"), [
    ({"occupational_disease": True}, "diagnosed_on.required"),
    ({"occupational_disease": True, "diagnosed_on": date(2025, 3, 1)}, "diagnosed_on.before_accident"),
    ({"occupational_disease": True, "diagnosed_on": date(2025, 3, 9)}, "diagnosed_on.future"),
    ({"diagnosed_on": date(2025, 3, 4)}, "diagnosed_on.not_occupational"),
])
def test_art_17_an_occupational_disease_case_needs_a_plausible_diagnosis_day(fields, code):
    with pytest.raises(RuleViolation) as caught:
        case_input(beijing(2025, 3, 3, 9), now=beijing(2025, 3, 5, 9), **fields)
    assert (caught.value.field, caught.value.code) == ("diagnosed_on", code)
    assert "occupational_disease" in CaseReport.__dataclass_fields__


# ---- 4. late application (Reg. art. 17 ¶4) ----------------------------------------------------


def test_art_17_4_a_late_application_records_the_employers_period_once_accepted():
    case = new_case().go_to(beijing(2025, 4, 15, 10)).apply()
    assert late_costs_event(case.inp, case.state) is None  # acceptance not known yet
    case.go_to(beijing(2025, 4, 22, 10)).accept()
    data = late_costs_event(case.inp, case.state)
    assert data is not None and data["employer_bears_costs_from"] == "2025-03-03"
    assert data["employer_bears_costs_until"] == "2025-04-22" and "art. 17 ¶4" in data["rule_article"]


def test_art_17_4_an_application_on_the_adjusted_last_day_is_in_time():
    """30 days after Mon 3 March 2025 is Wed 2 April: filed that day, nothing is the employer's."""
    case = new_case().go_to(beijing(2025, 4, 2, 18)).apply().accept()
    assert late_costs_event(case.inp, case.state) is None
    assert late_application(case.inp, case.state, case.now) is None


def test_art_17_4_zhejiang_ends_the_period_at_the_filing():
    case = new_case(region="zhejiang").go_to(beijing(2025, 4, 15, 10)).apply()
    data = late_costs_event(case.inp, case.state)
    assert data is not None and data["employer_bears_costs_until"] == "2025-04-15"
    assert data["ends_on"] == "filed" and "浙江" in data["rule_article"]


@pytest.mark.parametrize(("region", "ends_on", "until"), [
    ("hangzhou", "filed", "2025-04-15"),      # a city follows 浙江省工伤保险条例 art. 13
    ("chengdu", "received", "2025-04-15"),    # Sichuan: the receipt (filed = received here)
    ("guangzhou", "accepted", None),          # Guangdong has no rule of its own: national
])
def test_art_17_4_a_city_follows_its_provinces_rule(region, ends_on, until):
    case = new_case(region=region).go_to(beijing(2025, 4, 15, 10)).apply()
    assert case.inp.late_rule_key == {"hangzhou": "zhejiang", "chengdu": "sichuan"}.get(region, region)
    view = late_application(case.inp, case.state, case.now)
    assert view is not None and view["ends_on"] == ends_on
    assert view["employer_bears_costs_until"] == until and view["rule_region"] == case.inp.late_rule_key


def test_art_17_4_a_case_reported_before_the_pinning_keeps_its_own_regions_rule():
    """A case whose input has no late_rule_region (reported before it was pinned) replays as it
    ran: Hangzhou then read as the national rule."""
    case = new_case(region="hangzhou")
    case.inp = replace(case.inp, late_rule_region=None)
    case.go_to(beijing(2025, 4, 15, 10)).apply()
    assert late_costs_event(case.inp, case.state) is None  # the acceptance ends it: not known yet


# ---- 7. calendar_verified on every derived deadline ---------------------------------------------


def test_every_deadline_counted_into_an_unpublished_year_says_so():
    """The case calendar holds official schedules to 2026: a period ending in 2027 is counted
    with the fallback (weekends and fixed holidays) and carries calendar_verified = False."""
    case = new_case(accident_at=beijing(2026, 12, 1, 9)).go_to(beijing(2026, 12, 28, 10))
    case.apply()
    assert case.deadline("determination_acceptance").calendar_verified is False
    case.go_to(beijing(2026, 12, 29, 10)).accept()
    assert case.deadline("determination_decision").calendar_verified is False
    case.do("pause_determination", reason="等待")
    case.go_to(beijing(2027, 1, 10, 10)).do("resume_determination")
    assert case.deadline("determination_decision").calendar_verified is False
    views = {v.name: v for v in view_of(case.inp, case.state, [], case.now).deadlines}
    assert views["determination_decision"].calendar_verified is False
    assert views["determination_application"].calendar_verified is True  # ends in 2026


def test_a_suspended_period_is_not_counted_again_when_its_year_is_loaded():
    """Its due moment no longer holds: resume_determination counts it from the days left."""
    case = new_case(accident_at=beijing(2026, 12, 1, 9)).go_to(beijing(2026, 12, 28, 10))
    case.apply().go_to(beijing(2026, 12, 29, 10)).accept()
    case.do("pause_determination", reason="等待")
    year = CalendarYear(2027, (date(2027, 2, 26), date(2027, 3, 1)), (), "国务院办公厅通知 (test)")
    changes = recompute_case(case.state, year)
    assert "determination_decision" not in {c.name for c in changes}


def test_art_17_4_an_occupational_disease_filed_before_its_diagnosis_is_in_time():
    case = new_case(accident_at=beijing(2025, 3, 3, 9), reported_after=timedelta(days=95),
                    occupational_disease=True, diagnosed_on=date(2025, 6, 2))
    case.do("file_materials", materials=tuple(m.code for m in case.inp.materials))
    case.do("apply_determination", on=date(2025, 5, 30)).accept()
    assert late_costs_event(case.inp, case.state) is None
    assert late_application(case.inp, case.state, case.now) is None


def test_art_20_3_a_suspended_period_is_not_an_open_deadline_in_the_case_list():
    case = accepted_on_10_march().go_to(beijing(2025, 3, 31, 15))
    case.do("pause_determination", reason="等待")
    rows = {r.name: r for r in projection(case.inp, case.state, []).deadlines}
    assert rows["determination_decision"].active is False
    case.go_to(beijing(2025, 4, 30, 10)).do("resume_determination")
    rows = {r.name: r for r in projection(case.inp, case.state, []).deadlines}
    assert rows["determination_decision"].active is True


def test_order_8_art_8_supplements_after_a_list_of_missing_items_give_15_days_again():
    """Applied Fri 7 March 2025, answered 12 March with a list of what is missing, supplements
    filed Mon 17 March: the authority has until the end of Tue 1 April to accept."""
    case = new_case().go_to(beijing(2025, 3, 7, 10))
    case.do("apply_determination", override_reason="诊断证明随后补交")
    not_accepted(case.state, beijing(2025, 3, 12, 10))
    case.go_to(beijing(2025, 3, 17, 10)).do("file_materials", materials=("diagnosis",))
    d = case.deadline("determination_acceptance")
    assert d.met_at is None and d.due_at == end_of(date(2025, 4, 1))
    assert case.events[-1][1]["acceptance_due_at"] == d.due_at.isoformat()
    case.accept()
    case.do("file_materials", materials=("diagnosis",))  # after the acceptance: no new review
    assert case.deadline("determination_acceptance").met_at is not None
