"""The clocks of an injury case: Civil Code day counting, alarms, retirement, and what GET shows."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from functools import cache

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from domain.injury.actions import employer_window_missed
from domain.injury.clocks import (
    _MAX_SERIES,
    Alarm,
    alarms,
    determination_deadline,
    due_now,
    end_of,
    is_overdue,
    local_date,
    return_date,
)
from domain.injury.messages import deadline_message
from domain.injury.overview import late_application, open_tasks, view_of
from domain.injury.payloads import CaseInput
from domain.injury.state import CaseDeadline, CaseState, Stage
from domain.shared import calendar
from domain.shared.calendar import LEGACY_CALENDAR, SHANGHAI, is_rest_day
from tests.factories import case_input
from tests.unit.injury_driver import Case


def beijing(*args: int) -> datetime:
    return datetime(*args, tzinfo=SHANGHAI)  # type: ignore[misc]


def keys(case: Case) -> list[str]:
    return [a.key for a in alarms(case.inp, case.state, case.now)]


def last_day(deadline: CaseDeadline) -> date:
    return local_date(deadline.due_at) - timedelta(days=1)


# ---- the 30-day application window (Reg. art. 17; Civil Code arts. 201-203) ------------------


def test_the_application_is_due_30_days_after_the_accident_day_which_is_not_counted():
    d = Case().deadline("determination_application")
    assert last_day(d) == date(2025, 4, 2)            # 3 March + 30 days; 3 March itself not counted
    assert d.due_at == d.raw_due_at == beijing(2025, 4, 3)  # 24:00 of 2 April
    assert d.kind == "duty" and d.article.endswith("art. 17 ¶1, ¶4")
    assert d.status(beijing(2025, 4, 2, 23, 59)) == "upcoming"
    assert d.status(beijing(2025, 4, 3, 0, 1)) == "missed"


def test_the_window_counts_from_the_beijing_date_of_the_accident():
    late_evening = Case(beijing(2025, 3, 3, 23, 30).astimezone(UTC)).deadline("determination_application")
    after_midnight = Case(beijing(2025, 3, 4, 0, 30).astimezone(UTC)).deadline("determination_application")
    assert last_day(late_evening) == date(2025, 4, 2)
    assert last_day(after_midnight) == date(2025, 4, 3)


def test_a_window_ending_on_a_weekend_ends_on_the_next_working_day():
    d = Case(beijing(2025, 5, 8, 10)).deadline("determination_application")
    assert is_rest_day(date(2025, 6, 7)) and is_rest_day(date(2025, 6, 8))   # Saturday, Sunday
    assert d.raw_due_at == end_of(date(2025, 6, 7))
    assert d.due_at == end_of(date(2025, 6, 9))                               # Monday
    assert d.calendar_verified


def test_a_window_ending_in_the_national_day_holiday_ends_after_it():
    d = Case(beijing(2025, 9, 1, 10)).deadline("determination_application")
    assert d.raw_due_at == end_of(date(2025, 10, 1))
    assert d.due_at == end_of(date(2025, 10, 9))  # 1-8 October 2025 off (National Day + Mid-Autumn)


def test_a_window_ending_on_a_working_sunday_is_not_moved():
    d = Case(beijing(2025, 8, 29, 10)).deadline("determination_application")
    assert date(2025, 9, 28).weekday() == 6 and not is_rest_day(date(2025, 9, 28))  # 调休 working day
    assert d.due_at == d.raw_due_at == end_of(date(2025, 9, 28))


@settings(max_examples=300)
@given(st.datetimes(min_value=datetime(2020, 1, 1), max_value=datetime(2026, 11, 30)),
       st.sampled_from([SHANGHAI, UTC]))
def test_the_application_deadline_for_any_accident(wall, zone):
    accident_at = wall.replace(tzinfo=zone)
    d = determination_deadline(case_input(accident_at))
    day = accident_at.astimezone(SHANGHAI).date()
    assert d.raw_due_at == datetime.combine(day + timedelta(days=31), datetime.min.time(), SHANGHAI)
    assert d.due_at >= d.raw_due_at
    for moment in (d.due_at, d.raw_due_at):
        assert moment.tzinfo is not None and moment.utcoffset() == timedelta(hours=8)
        assert moment.astimezone(SHANGHAI).time() == datetime.min.time()   # 24:00 of the day before
    last = last_day(d)
    assert not is_rest_day(last)
    skipped = [local_date(d.raw_due_at) - timedelta(days=1) + timedelta(days=n)
               for n in range((last - (local_date(d.raw_due_at) - timedelta(days=1))).days)]
    assert all(is_rest_day(x) for x in skipped)


# ---- reminders and escalations of the application -------------------------------------------


def test_reminders_go_out_on_days_7_20_and_27_at_nine_and_the_escalation_at_the_due():
    case = Case()
    found = [a for a in alarms(case.inp, case.state, case.now) if a.deadline == "determination_application"]
    assert [(a.kind, a.at) for a in found] == [
        ("reminder", beijing(2025, 3, 10, 9)),
        ("reminder", beijing(2025, 3, 23, 9)),
        ("reminder", beijing(2025, 3, 30, 9)),
        ("escalation", beijing(2025, 4, 3)),
    ]


def test_reminders_due_before_the_case_was_reported_are_dropped():
    case = Case(reported_after=timedelta(days=10))
    assert [a.at for a in alarms(case.inp, case.state, case.now) if a.kind == "reminder"] == [
        beijing(2025, 3, 23, 9), beijing(2025, 3, 30, 9)]
    late = Case(reported_after=timedelta(days=29))
    assert [a.kind for a in alarms(late.inp, late.state, late.now)
            if a.deadline == "determination_application"] == ["escalation"]


def test_a_reminder_day_past_the_due_is_dropped():
    case = Case()
    case.inp = replace(case.inp, timing=replace(case.inp.timing, determination_reminder_days=(7, 45)))
    assert "determination_application:reminder:day45" not in keys(case)
    assert "determination_application:reminder:day7" in keys(case)


def test_the_materials_target_escalates_24_hours_after_the_report_until_everything_is_filed():
    case = Case()
    assert case.deadline("materials_filed").due_at == case.inp.reported_at + timedelta(hours=24)
    assert "materials_filed:escalation:2025-03-04T10:00:00+08:00" in keys(case)
    case.do("file_materials", materials=("application_form", "diagnosis"))
    assert any(k.startswith("materials_filed:") for k in keys(case))
    case.file_all()
    assert case.deadline("materials_filed").status(case.now) == "met"
    assert not any(k.startswith("materials_filed:") for k in keys(case))


def test_an_extension_moves_the_application_deadline_and_gets_alarms_of_its_own():
    case = Case().do("grant_extension", until=date(2025, 4, 20), reference="京人社延期001")
    d = case.deadline("determination_application")
    assert d.extended
    assert d.raw_due_at == end_of(date(2025, 4, 20)) and d.due_at == end_of(date(2025, 4, 21))  # Sunday
    assert "determination_application:escalation:2025-04-03T00:00:00+08:00" not in keys(case)
    found = {a.key: a for a in alarms(case.inp, case.state, case.now)}
    escalation = found["determination_application:escalation:2025-04-22T00:00:00+08:00"]
    reminder = found["determination_application:reminder:2025-04-22T00:00:00+08:00"]
    assert escalation.at == d.due_at and reminder.at == d.due_at - timedelta(days=3)
    assert "determination_application:reminder:day27" in found
    assert case.events[-1] == ("extension_granted", {
        "deadline": "determination_application", "from": "2025-04-03T00:00:00+08:00",
        "to": "2025-04-22T00:00:00+08:00", "reference": "京人社延期001", "note": None,
        "documents": None, "on": "2025-03-03"})


def test_applying_meets_the_deadline_and_silences_it():
    case = Case().wait(timedelta(days=5)).apply()
    assert case.deadline("determination_application").status(beijing(2025, 5, 1)) == "met"
    assert not any(k.startswith("determination_application:") for k in keys(case))


def test_applying_after_the_due_is_recorded_as_missed_but_no_longer_overdue():
    case = Case().go_to(beijing(2025, 4, 10, 10)).apply()
    d = case.deadline("determination_application")
    assert d.status(case.now) == "missed"
    assert not is_overdue(d, case.now)


# ---- the authority's periods and the chase ---------------------------------------------------


def test_acceptance_starts_the_60_day_decision_period_moved_past_may_day():
    case = Case().apply().wait(timedelta(days=2)).accept()
    d = case.deadline("determination_decision")
    assert case.state.determination.accepted_on == date(2025, 3, 5)
    assert d.raw_due_at == end_of(date(2025, 5, 4)) and d.due_at == end_of(date(2025, 5, 6))
    assert d.kind == "authority" and "art. 20" in d.article


def test_a_simple_case_is_decided_within_15_days():
    case = Case().apply(simple_case=True).wait(timedelta(days=2)).accept()
    assert case.deadline("determination_decision").due_at == end_of(date(2025, 3, 20))


def test_an_overdue_authority_is_chased_at_the_due_and_every_interval_after():
    case = Case().apply().wait(timedelta(days=2)).accept()
    due = case.deadline("determination_decision").due_at
    assert [a for a in alarms(case.inp, case.state, case.now) if a.kind == "chase"][0].at == due
    case.go_to(due + timedelta(days=15))
    chases = [a for a in alarms(case.inp, case.state, case.now) if a.kind == "chase"]
    assert [a.at for a in chases] == [due, due + timedelta(days=7), due + timedelta(days=14)]
    assert len({a.series for a in chases}) == 1


def test_after_a_long_gap_only_the_newest_chase_fires():
    case = Case().apply().wait(timedelta(days=2)).accept()
    due = case.deadline("determination_decision").due_at
    case.go_to(due + timedelta(days=45))
    firing = due_now(alarms(case.inp, case.state, case.now), case.now)
    assert [(a.kind, a.at) for a in firing] == [("chase", due + timedelta(days=42))]


def test_due_now_keeps_every_due_one_off_alarm():
    case = Case(reported_after=timedelta(minutes=5))
    case.go_to(beijing(2025, 3, 31))
    firing = [a.key for a in due_now(alarms(case.inp, case.state, case.now), case.now)]
    assert firing == ["materials_filed:escalation:2025-03-04T09:05:00+08:00",
                      "determination_application:reminder:day7",
                      "determination_application:reminder:day20",
                      "determination_application:reminder:day27"]


def test_materials_never_filed_stop_counting_as_overdue_once_the_authority_decides():
    case = Case().do("apply_determination", override_reason="劳动合同原件在总部").wait(timedelta(days=3))
    assert is_overdue(case.deadline("materials_filed"), case.now)  # still fileable: still chased
    assert "file_materials" in view_of(case.inp, case.state, [], case.now).allowed_actions
    case.accept().wait(timedelta(days=10)).decide().do("start_suspension", months=3)
    view = view_of(case.inp, case.state, [], case.now)
    assert "file_materials" not in view.allowed_actions
    assert not view.overdue
    assert not any(k.startswith("materials_filed:") for k in keys(case))


def test_the_decision_stops_the_chase():
    case = Case().apply().wait(timedelta(days=2)).accept().wait(timedelta(days=70)).decide()
    assert case.deadline("determination_decision").status(case.now) == "missed"
    assert not any(a.kind == "chase" for a in alarms(case.inp, case.state, case.now))


def test_the_appraisal_committee_is_chased_and_an_extension_starts_a_new_series():
    case = Case().appraising()
    d = case.deadline("appraisal_conclusion")
    assert d.due_at == calendar.count_days(case.today, 60).due_at()
    assert keys(case) == [f"appraisal_conclusion:chase:{d.due_at.isoformat()}:0"]
    case.do("grant_extension", deadline="appraisal_conclusion", until=last_day(d) + timedelta(days=20))
    moved = case.deadline("appraisal_conclusion").due_at
    assert keys(case) == [f"appraisal_conclusion:chase:{moved.isoformat()}:0"]


def test_an_overdue_re_appraisal_is_chased_too():
    case = Case().concluded().wait(timedelta(days=5)).do("request_reappraisal")
    d = case.deadline("reappraisal_conclusion")
    assert d.due_at == calendar.count_days(case.today, 60).due_at()
    case.go_to(d.due_at + timedelta(days=8))
    assert [a.at for a in alarms(case.inp, case.state, case.now) if a.kind == "chase"] == [
        d.due_at, d.due_at + timedelta(days=7)]


# ---- patch 2026-12-weekly-chase: the next chase is always listed -----------------------------

CHASING = ("determination_decision", "appraisal_conclusion", "reappraisal_conclusion")


@cache
def chasing(name: str) -> Case:
    """A case whose `name` deadline is open (the authority or committee has not answered)."""
    if name == "determination_decision":
        return Case().apply().wait(timedelta(days=2)).accept()
    if name == "appraisal_conclusion":
        return Case().appraising()
    return Case().concluded().wait(timedelta(days=5)).do("request_reappraisal")


def weekly(case: Case) -> CaseState:
    return replace(case.state, weekly_chase=True)


def chases(inp: CaseInput, state: CaseState, now: datetime, name: str) -> list[Alarm]:
    return [a for a in alarms(inp, state, now) if a.kind == "chase" and a.deadline == name]


def keep_clocks(inp: CaseInput, state: CaseState, start: datetime, until: datetime) -> list[Alarm]:
    """What InjuryCaseWorkflow._keep_clocks fires from `start` to `until` with nobody acting: fire
    what is due, then sleep until the first pending alarm (or for good, if there is none)."""
    fired: set[str] = set()
    sent: list[Alarm] = []
    now = start
    while True:
        pending = [a for a in alarms(inp, state, now) if a.key not in fired]
        firing = due_now(pending, now)
        if firing:
            fired.update(a.key for a in pending if a.at <= now)
            sent.extend(firing)
            continue
        if not pending or pending[0].at >= until:
            return sent
        now = pending[0].at


def test_with_the_weekly_chase_the_next_chase_is_listed_beside_the_due_ones():
    case = chasing("determination_decision")
    due = case.deadline("determination_decision").due_at
    week = case.inp.timing.chase_interval
    assert [a.at for a in chases(case.inp, weekly(case), case.now, "determination_decision")] == [due]
    assert [a.at for a in chases(case.inp, weekly(case), due, "determination_decision")] == [
        due, due + week]
    later = due + timedelta(days=15)
    found = chases(case.inp, weekly(case), later, "determination_decision")
    assert [a.at for a in found] == [due, due + week, due + 2 * week, due + 3 * week]
    assert [a.at for a in due_now(found, later)] == [due + 2 * week]  # after downtime: the newest


@pytest.mark.parametrize("name", CHASING)
def test_an_unanswered_authority_is_chased_every_interval_only_with_the_weekly_chase(name):
    case = chasing(name)
    due = case.deadline(name).due_at
    week = case.inp.timing.chase_interval
    five_weeks = due + 5 * week - timedelta(minutes=1)
    sent = [a for a in keep_clocks(case.inp, weekly(case), case.now, five_weeks) if a.kind == "chase"]
    assert [a.at for a in sent] == [due + k * week for k in range(5)]
    # a case started before the patch replays as it ran: chased at the end, then never again
    before = [a for a in keep_clocks(case.inp, case.state, case.now, five_weeks) if a.kind == "chase"]
    assert [a.at for a in before] == [due]


@settings(max_examples=200)
@given(st.sampled_from(CHASING), st.integers(min_value=-70 * 24 * 60, max_value=11 * 366 * 24 * 60),
       st.integers(min_value=1, max_value=14))
def test_with_the_weekly_chase_an_open_chasing_deadline_has_exactly_one_future_chase(
        name, minutes, days):
    case = chasing(name)
    interval = timedelta(days=days)
    inp = replace(case.inp, timing=replace(case.inp.timing, chase_interval=interval))
    due = case.deadline(name).due_at
    now = due + timedelta(minutes=minutes)
    found = chases(inp, weekly(case), now, name)
    assert [a.at for a in found] == [due + k * interval for k in range(len(found))]
    assert len({a.series for a in found}) == 1
    future = [a for a in found if a.at > now]
    if now < due + (_MAX_SERIES - 1) * interval:
        assert future == found[-1:]  # the next one: the first, or one interval after a due one
        assert future[0].at == due or future[0].at - interval <= now
    else:
        assert not future and len(found) == _MAX_SERIES  # the series is over
    firing = due_now(found, now)
    assert firing == ([max((a for a in found if a.at <= now), key=lambda a: a.at)]
                      if now >= due else [])
    before = chases(inp, case.state, now, name)  # without the flag: the same, less the next one
    assert found[:len(before)] == before and len(found) - len(before) <= 1


def test_every_alarmed_deadline_has_a_chinese_message_with_its_article():
    case = Case().concluded().wait(timedelta(days=3)).do("request_reappraisal")
    d = case.deadline("reappraisal_conclusion")
    for name in ("materials_filed", "determination_application", "determination_acceptance",
                 "determination_decision",
                 "appraisal_conclusion", "reappraisal_conclusion", "suspension_end", "reappraisal_request",
                 "administrative_review", "settlement_agreement", "arbitration_claim"):
        subject, body = deadline_message("chase", case.inp, replace(d, name=name), case.now)
        assert name not in subject and subject.startswith("【工伤案件·催办】张三")
        assert d.article in body and case.inp.case_id in body


# ---- the paid suspension period (Reg. art. 33) -----------------------------------------------


def suspended_on(start: date, months: int) -> Case:
    case = Case(beijing(2025, 7, 1, 9)).recognised()
    return case.do("start_suspension", months=months, on=start)


def test_the_suspension_ends_on_its_raw_last_day_even_in_a_holiday():
    case = suspended_on(date(2025, 7, 4), 3)
    d = case.deadline("suspension_end")
    assert d.raw_due_at == d.due_at == end_of(date(2025, 10, 4))  # a Saturday in the National Day week
    assert "art. 33" in d.article and d.kind == "duty"


def test_the_employee_returns_on_the_first_working_day_after_the_end():
    def back_on(start: date, months: int) -> date:
        return return_date(suspended_on(start, months).deadline("suspension_end"), LEGACY_CALENDAR)

    assert back_on(date(2025, 7, 4), 3) == date(2025, 10, 9)
    assert back_on(date(2025, 7, 8), 1) == date(2025, 8, 11)


def test_a_suspension_from_the_last_day_of_a_month_ends_on_the_last_day_of_a_shorter_month():
    case = Case(beijing(2025, 1, 20, 9)).wait(timedelta(days=40)).recognised()
    case.do("start_suspension", months=1, on=date(2025, 1, 31))
    assert case.deadline("suspension_end").due_at == end_of(date(2025, 2, 28))


def test_the_return_notice_goes_out_a_lead_before_the_end_and_the_escalation_at_it():
    case = suspended_on(date(2025, 7, 4), 3)
    d = case.deadline("suspension_end")
    found = {a.kind: a for a in alarms(case.inp, case.state, case.now) if a.deadline == "suspension_end"}
    assert found["return_notice"].at == d.due_at - timedelta(days=7) == beijing(2025, 9, 28)
    assert found["escalation"].at == d.due_at


def test_extending_the_suspension_moves_its_end_and_its_alarms():
    case = suspended_on(date(2025, 7, 4), 3)
    before = set(keys(case))
    case.do("extend_suspension", months=2, reference="鉴定委确认001")
    d = case.deadline("suspension_end")
    assert d.extended and d.due_at == end_of(date(2025, 12, 4))
    assert case.state.suspension.extended_months == 2
    assert "suspension_end:return_notice:2025-12-05T00:00:00+08:00" in keys(case)
    assert not before & {k for k in keys(case) if k.startswith("suspension_end:")}


def test_the_return_meets_the_end_and_stops_its_alarms():
    case = suspended_on(date(2025, 7, 4), 3).wait(timedelta(days=40)).do("record_return")
    assert case.state.stage == Stage.returned
    assert case.state.suspension.ended_by == "return"
    assert case.deadline("suspension_end").status(beijing(2026, 1, 1)) == "met"
    assert not any(k.startswith("suspension_end:") for k in keys(case))


def test_a_return_after_the_end_is_on_record_as_late():
    case = suspended_on(date(2025, 7, 4), 3).go_to(beijing(2025, 10, 13, 9)).do("record_return")
    assert case.deadline("suspension_end").status(case.now) == "missed"
    assert not is_overdue(case.deadline("suspension_end"), case.now)


def test_an_appraisal_conclusion_ends_a_running_suspension():
    case = suspended_on(date(2025, 7, 4), 6).do("apply_appraisal").wait(timedelta(days=30))
    case.do("record_appraisal", grade=6)
    assert case.state.suspension.ended_by == "appraisal"
    assert case.deadline("suspension_end").met_at == case.now


# ---- rights and targets ----------------------------------------------------------------------


def test_a_refusal_opens_the_60_day_review_window_which_lapses_without_being_overdue():
    case = Case().apply().go_to(beijing(2025, 3, 20, 10)).decide(recognised=False)
    d = case.deadline("administrative_review")
    assert d.kind == "right" and d.due_at == end_of(date(2025, 5, 19))
    assert [(a.kind, a.at) for a in alarms(case.inp, case.state, case.now)] == [
        ("reminder", d.due_at - timedelta(days=3))]
    assert not is_overdue(d, d.due_at + timedelta(days=1))


def test_recognition_needs_no_review_window():
    case = Case().recognised()
    assert "administrative_review" not in case.state.deadlines


def test_the_re_appraisal_window_is_15_days_after_the_conclusion_and_is_met_by_a_request():
    case = Case().concluded()
    d = case.deadline("reappraisal_request")
    assert d.due_at == calendar.count_days(case.today, 15).due_at() and d.kind == "right"
    assert f"reappraisal_request:reminder:{d.due_at.isoformat()}" in keys(case)
    case.wait(timedelta(days=2)).do("request_reappraisal")
    assert case.deadline("reappraisal_request").met_at == case.now
    assert case.state.appraisals[-1].round == 2


def test_the_settlement_target_is_15_days_with_a_reminder_and_an_escalation():
    case = Case().settling()
    d = case.deadline("settlement_agreement")
    assert d.kind == "target" and d.due_at == calendar.count_days(case.today, 15).due_at()
    assert [(a.kind, a.at) for a in alarms(case.inp, case.state, case.now)
            if a.deadline == "settlement_agreement"] == [("reminder", d.due_at - timedelta(days=3)),
                                                         ("escalation", d.due_at)]
    case.do("record_agreement", amount=Decimal("80000"))
    assert not any(k.startswith("settlement_agreement:") for k in keys(case))


def test_a_dispute_opens_the_one_year_arbitration_limit_once_and_filing_meets_it():
    case = Case().recognised().do("record_dispute", event="arose", note="对停工留薪期有争议")
    d = case.deadline("arbitration_claim")
    assert d.due_at == calendar.count_years(case.today, 1).due_at()
    assert [a.at for a in alarms(case.inp, case.state, case.now)] == [d.due_at - timedelta(days=30)]
    case.wait(timedelta(days=10)).do("record_dispute", event="arose", note="又一争议")
    assert case.deadline("arbitration_claim") == d
    case.do("record_dispute", event="arbitration_filed", forum="北京市劳动人事争议仲裁委", note="申请仲裁")
    assert case.deadline("arbitration_claim").met_at == case.now


# ---- a whole case ----------------------------------------------------------------------------


def statuses(case: Case) -> dict[str, str]:
    return {name: d.status(case.now) for name, d in case.state.deadlines.items()}


def test_a_whole_case_from_the_report_to_closed():
    case = Case()
    assert case.state.stage == Stage.reported
    assert statuses(case) == {"materials_filed": "upcoming", "determination_application": "upcoming"}

    case.wait(timedelta(hours=3)).file_all()
    assert case.state.stage == Stage.materials_filed
    case.wait(timedelta(days=2)).do("apply_determination")
    assert case.state.stage == Stage.determination_applied
    case.wait(timedelta(days=1)).accept()
    assert statuses(case) == {"materials_filed": "met", "determination_application": "met",
                              "determination_decision": "upcoming"}

    case.go_to(beijing(2025, 5, 20, 10)).decide()               # two weeks after the 60 days
    assert case.state.stage == Stage.determination_decided
    assert statuses(case)["determination_decision"] == "missed"
    case.do("start_suspension", months=2, on=date(2025, 3, 3))
    assert case.state.stage == Stage.suspension
    assert case.deadline("suspension_end").due_at == end_of(date(2025, 5, 3))
    assert is_overdue(case.deadline("suspension_end"), case.now)  # already past: HR must act
    case.do("record_return", on=date(2025, 5, 3))                # HR records it late
    assert case.state.stage == Stage.returned
    assert case.deadline("suspension_end").met_at == beijing(2025, 5, 3, 12)  # noon of the day named

    case.wait(timedelta(days=1)).do("apply_appraisal")
    assert case.state.stage == Stage.appraisal
    case.wait(timedelta(days=40)).do("record_appraisal", grade=9, reference="京劳鉴001")
    assert statuses(case)["appraisal_conclusion"] == "met"
    assert statuses(case)["reappraisal_request"] == "upcoming"
    case.wait(timedelta(days=20)).do("open_negotiation")
    assert case.state.stage == Stage.settlement
    case.do("record_offer", party="employer", amount=Decimal("40000"))
    case.do("record_offer", party="employee", amount=Decimal("60000"))
    case.wait(timedelta(days=5)).do("record_agreement", amount=Decimal("50000"))
    case.do("record_payment", amount=Decimal("20000"))
    assert case.state.stage == Stage.settlement and case.events[-1][1]["outstanding"] == "30000"
    case.do("record_payment", amount=Decimal("30000"))
    assert case.state.stage == Stage.paid and case.state.settlement.paid_on == case.today
    case.do("close", reason="赔偿已付清")

    assert case.state.stage == Stage.closed and case.state.closed_reason == "赔偿已付清"
    assert statuses(case) == {
        "materials_filed": "met", "determination_application": "met", "determination_decision": "missed",
        "suspension_end": "met", "appraisal_conclusion": "met", "reappraisal_request": "missed",
        "settlement_agreement": "met"}
    assert not case.deadline("reappraisal_request").active   # a lapsed right, retired on closing
    assert all(d.active for d in case.state.deadlines.values() if d.met_at is not None)
    assert alarms(case.inp, case.state, case.now) == []
    assert [kind for kind, _ in case.events] == [
        "materials_filed", "determination_applied", "determination_accepted", "determination_decided",
        "suspension_started", "return_recorded", "appraisal_applied", "appraisal_concluded",
        "negotiation_opened", "offer_recorded", "offer_recorded", "agreement_recorded",
        "payment_recorded", "payment_recorded", "closed"]


def test_withdrawing_retires_every_open_deadline():
    case = Case().go_to(beijing(2025, 4, 10))
    assert is_overdue(case.deadline("determination_application"), case.now)
    case.do("withdraw", reason="职工不申请工伤认定")
    assert case.state.stage == Stage.withdrawn
    assert not any(d.active for d in case.state.deadlines.values())
    assert not any(is_overdue(d, case.now) for d in case.state.deadlines.values())
    assert alarms(case.inp, case.state, case.now) == []
    view = view_of(case.inp, case.state, [], case.now)
    assert not view.overdue and view.tasks == () and view.allowed_actions == ()


def test_closing_a_refused_case_retires_the_review_window():
    case = Case().apply().decide(recognised=False).do("close", reason="不申请复议")
    assert case.deadline("administrative_review").active is False
    assert alarms(case.inp, case.state, case.now) == []


# ---- the late application (Reg. art. 17 ¶4) --------------------------------------------------


def test_no_late_application_while_the_window_is_open_or_after_an_application_in_time():
    case = Case().go_to(beijing(2025, 4, 2, 23))
    assert late_application(case.inp, case.state, case.now) is None
    case.apply().go_to(beijing(2025, 6, 1))
    assert late_application(case.inp, case.state, case.now) is None


def test_a_missed_window_shows_the_employers_costs_and_the_employees_own_window():
    case = Case().go_to(beijing(2025, 4, 3, 0, 1))
    late = late_application(case.inp, case.state, case.now)
    assert late is not None
    assert late["employer_bears_costs_from"] == "2025-03-03" and late["ongoing"] is True
    assert late["employer_bears_costs_until"] is None
    assert late["employee_application_due_at"] == "2026-03-04T00:00:00+08:00"  # one year, art. 17 ¶2
    assert "art. 17" in late["article"]
    view = view_of(case.inp, case.state, [], case.now)
    assert view.overdue and view.late_application == late


def test_the_employees_window_joins_the_case_clocks_once_the_employer_misses_its_own():
    case = Case().go_to(beijing(2025, 4, 3, 0, 1))
    assert "employee_application" not in case.state.deadlines
    employer_window_missed(case.inp, case.state)          # what the workflow does at the escalation
    d = case.deadline("employee_application")
    assert d.kind == "right" and d.due_at == end_of(date(2026, 3, 3)) and "art. 17 ¶2" in d.article
    late = late_application(case.inp, case.state, case.now)
    assert late["employee_application_due_at"] == d.due_at.isoformat()
    assert not is_overdue(d, d.due_at + timedelta(days=1))  # a lapsed right is not overdue
    case.apply()
    assert case.deadline("employee_application").met_at == case.now


def test_a_late_application_fixes_the_end_of_the_employers_costs_at_acceptance():
    """Reg. art. 17 ¶4, national reading: the employer bears the costs up to the acceptance."""
    case = Case().go_to(beijing(2025, 4, 15, 10)).apply()
    late = late_application(case.inp, case.state, case.now)
    assert late["employer_bears_costs_until"] is None and late["ongoing"] is True
    assert late["ends_on"] == "accepted"
    case.wait(timedelta(days=5)).accept()
    late = late_application(case.inp, case.state, case.now)
    assert late["employer_bears_costs_until"] == "2025-04-20" and late["ongoing"] is False
    assert late["employer_bears_costs_from"] == "2025-03-03" and "art. 17 ¶4" in late["rule_article"]


# ---- what HR sees to do ----------------------------------------------------------------------


def test_the_open_tasks_follow_the_case():
    case = Case()
    tasks = {t.code: t for t in open_tasks(case.inp, case.state, case.now)}
    assert set(tasks) == {"file_materials", "apply_determination"}
    assert tasks["apply_determination"].due_at == case.deadline("determination_application").due_at
    case.apply().accept()
    (task,) = open_tasks(case.inp, case.state, case.now)
    assert (task.code, task.owner_role) == ("await_determination", "authority")
    case.decide()
    assert [t.code for t in open_tasks(case.inp, case.state, case.now)] == ["next_step"]


@settings(max_examples=200)
@given(st.datetimes(min_value=datetime(2020, 1, 1), max_value=datetime(2026, 11, 30)),
       st.integers(min_value=0, max_value=40 * 24))
def test_alarms_are_in_time_order_with_unique_keys_and_no_reminder_before_the_report(wall, hours):
    case = Case(wall.replace(tzinfo=SHANGHAI), reported_after=timedelta(hours=hours))
    found = alarms(case.inp, case.state, case.now)
    assert found == sorted(found, key=lambda a: a.at)
    assert len({a.key for a in found}) == len(found)
    assert all(a.at >= case.inp.reported_at for a in found if a.kind == "reminder")
    due = case.deadline("determination_application").due_at
    assert f"determination_application:escalation:{due.isoformat()}" in {a.key for a in found}
