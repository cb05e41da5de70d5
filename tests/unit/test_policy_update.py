"""A period's figures loaded while workflows run: provisional base limits are taken again, a
case is told what moved in the figures its estimate uses, and only concerned workflows are told."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, date, datetime
from decimal import Decimal

from domain.compensation.data import CompensationTables
from domain.injury.estimate_figures import Figure
from domain.onboarding.policy import PolicyTable
from domain.onboarding.policy_update import PolicyUpdate, recompute_figures
from domain.onboarding.state import CostEstimate, EnrollmentRequest, RequestStatus
from domain.policy.targets import (
    Load,
    case_targets,
    estimate_figures,
    figure_changes,
    onboarding_targets,
)
from tests.factories import onboarding_input

HIRED = date(2026, 9, 1)  # after Beijing's newest bundled period (to 2026-06-30): provisional
AT = datetime(2026, 12, 3, 2, 0, tzinfo=UTC)
NOTICE = "京人社发〔2026〕1号 关于公布2026年度社会保险缴费基数上下限的通知 (test)"
ROW = {"region": "beijing", "period_start": "2026-07-01", "period_end": "2027-06-30",
       "lower": "7500", "upper": "37000", "document": NOTICE, "source": "read from the notice",
       "verified": True}


def update(*rows: dict, load: int = 7) -> PolicyUpdate:
    return PolicyUpdate(load, "北京市人社局 notice", "root", AT,
                        PolicyTable.from_rows(contribution_bases=rows).bases)


def request(number: int, base: str, status: RequestStatus) -> EnrollmentRequest:
    return EnrollmentRequest(number=number, type="new", contribution_base=Decimal(base),
                             status=status, submitted_by="hr-alice", submitted_at=AT)


def test_provisional_limits_are_taken_from_the_loaded_row_with_every_figure_from_and_to():
    inp = onboarding_input(HIRED, base="8000")
    assert inp.base_limits.provisional and inp.base_limits.lower == Decimal("7162")
    change = recompute_figures(inp, (), update(ROW), AT)
    assert change is not None
    assert (change.new_limits.lower, change.new_limits.upper) == (Decimal(7500), Decimal(37000))
    assert change.new_limits.verified and not change.new_limits.provisional
    assert change.within_limits and change.new_clamped_base == Decimal(8000)
    assert change.document == NOTICE and change.requests_outside == ()
    data = change.event_data()
    assert data["lower"] == {"from": "7162", "to": "7500"}
    assert data["upper"] == {"from": "35811", "to": "37000"}
    assert data["provisional"] == {"from": True, "to": False}
    assert data["load"] == 7 and data["document"] == NOTICE and "7500–37000" in data["note"]


def test_a_base_below_the_new_lower_limit_is_clamped_and_its_contributions_move():
    inp = onboarding_input(HIRED, base="7200")  # within 7162–35811, below the loaded 7500
    change = recompute_figures(inp, (), update(ROW), AT)
    assert change is not None and not change.within_limits
    assert (change.old_clamped_base, change.new_clamped_base) == (Decimal(7200), Decimal(7500))
    employer, employee = inp.rates.employer_rate, inp.rates.employee_rate
    assert change.old_monthly == ((7200 * employer).quantize(Decimal("0.01")),
                                  (7200 * employee).quantize(Decimal("0.01")))
    assert change.new_monthly == ((7500 * employer).quantize(Decimal("0.01")),
                                  (7500 * employee).quantize(Decimal("0.01")))
    assert change.new_monthly[0] > change.old_monthly[0]
    assert "outside" in change.note and "clamped: 7500" in change.note


def test_held_requests_whose_base_is_now_outside_are_named_and_settled_ones_are_not():
    inp = onboarding_input(HIRED, base="8000")
    requests = (request(1, "7200", RequestStatus.rejected),
                request(2, "7200", RequestStatus.revoked),
                request(3, "7300", RequestStatus.approved))
    change = recompute_figures(inp, requests, update(ROW), AT)
    assert change is not None and change.requests_outside == (3,)
    assert "enrolment request 3" in change.note


def test_verified_limits_pinned_at_registration_are_kept():
    verified = PolicyTable.bundled().with_overrides({"contribution_bases": [
        {**ROW, "lower": "7000", "upper": "36000"}]})
    inp = onboarding_input(HIRED, policy=verified)
    assert inp.base_limits.verified and not inp.base_limits.provisional
    assert recompute_figures(inp, (), update(ROW), AT) is None


def test_a_load_without_a_row_for_the_region_and_hire_date_changes_nothing():
    inp = onboarding_input(HIRED)
    elsewhere = {**ROW, "region": "shanghai"}
    earlier = {**ROW, "period_start": "2025-07-01", "period_end": "2026-06-30"}
    assert recompute_figures(inp, (), update(elsewhere, earlier), AT) is None
    assert recompute_figures(inp, (), update(), AT) is None


def test_the_same_figures_loaded_again_change_nothing_and_a_correction_is_taken():
    inp = onboarding_input(HIRED)
    unverified = {**ROW, "verified": False}
    change = recompute_figures(inp, (), update(unverified), AT)
    assert change is not None and not change.new_limits.verified
    taken = replace(inp, base_limits=change.new_limits)
    assert recompute_figures(taken, (), update(unverified), AT) is None
    corrected = recompute_figures(taken, (), update({**unverified, "upper": "36500"}), AT)
    assert corrected is not None and corrected.event_data()["upper"] == {"from": "37000",
                                                                          "to": "36500"}
    confirmed = recompute_figures(taken, (), update(ROW), AT)  # the same figures, now checked
    assert confirmed is not None and confirmed.event_data()["verified"] == {"from": False,
                                                                            "to": True}
    checked = replace(inp, base_limits=confirmed.new_limits)
    assert recompute_figures(checked, (), update({**ROW, "upper": "40000"}), AT) is None


# ---- cases: the figures their estimate uses -----------------------------------------------------

# Sichuan: no average wage on file (make data-report), so the load is the first one.
WAGE = {"region": "sichuan", "scope": "regional", "period_start": "2026-01-01",
        "period_end": "2026-12-31", "monthly": "11000", "document": "川人社 (test)",
        "source": "read from the notice", "verified": True}


def test_a_loaded_average_wage_is_a_change_of_the_figures_an_estimate_uses():
    before = CompensationTables.bundled()
    after = before.with_overrides({"average_wages": [WAGE]})
    [change] = figure_changes(before, after, "sichuan", date(2026, 3, 2))
    assert change.figure == "regional_average_monthly_wage" and change.old is None
    assert change.new == Figure("11000", "2026-01-01 to 2026-12-31", "read from the notice",
                                True, "川人社 (test)")
    assert figure_changes(before, after, "sichuan", date(2025, 12, 31)) == ()  # before it
    assert figure_changes(before, after, "shanghai", date(2026, 3, 2)) == ()  # elsewhere


def test_the_death_subsidy_uses_the_national_income_of_the_year_before_the_accident():
    before = CompensationTables.bundled()
    newest = max(r.year for r in before.incomes)
    after = before.with_overrides({"national_income": [
        {"year": newest, "amount": "99999", "source": "NBS (test)", "verified": True}]})
    [change] = figure_changes(before, after, "beijing", date(newest + 1, 5, 1))
    assert change.figure == "national_income" and change.new is not None
    assert change.new.value == "99999" and change.old is not None and change.old.value != "99999"
    assert figure_changes(before, after, "beijing", date(newest, 5, 1)) == ()
    assert estimate_figures(before, "atlantis", date(2026, 1, 1)) == {}  # unknown region


# ---- who is told ---------------------------------------------------------------------------------


def load(sections: dict, policy: PolicyTable | None = None,
         tables: CompensationTables | None = None) -> Load:
    policy = policy or PolicyTable.bundled()
    tables = tables or CompensationTables.bundled()
    return Load(3, "notice", "root", AT, sections, policy, tables, tables.with_overrides(sections))


def test_only_onboardings_whose_region_and_hire_date_a_loaded_row_covers_are_told():
    running = [("onboarding-E1", "beijing", HIRED), ("onboarding-E2", "beijing", date(2026, 5, 4)),
               ("onboarding-E3", "shanghai", HIRED)]
    targets = onboarding_targets(load({"contribution_bases": [ROW]}), running)
    assert [i for i, _ in targets] == ["onboarding-E1"]
    [(_, told)] = targets
    assert told.load == 3 and told.loaded_by == "root" and len(told.bases) == 1
    assert onboarding_targets(load({"average_wages": [WAGE]}), running) == []


def test_a_verified_row_loaded_again_tells_no_onboarding():
    in_force = PolicyTable.bundled().with_overrides({"contribution_bases": [ROW]})
    running = [("onboarding-E1", "beijing", HIRED)]
    assert onboarding_targets(load({"contribution_bases": [ROW]}, policy=in_force), running) == []


def test_only_cases_whose_estimate_figures_change_are_told():
    running = [("case-1", "sichuan", datetime(2026, 3, 1, 20, 0, tzinfo=UTC)),  # 03-02 Chengdu
               ("case-2", "sichuan", datetime(2025, 3, 1, 20, 0, tzinfo=UTC)),
               ("case-3", "shanghai", datetime(2026, 3, 1, 20, 0, tzinfo=UTC))]
    [(case_id, told)] = case_targets(load({"average_wages": [WAGE]}), running)
    assert case_id == "case-1" and told.injury_date == date(2026, 3, 2)
    data = told.event_data()
    assert data["changes"][0]["figure"] == "regional_average_monthly_wage"
    assert data["changes"][0]["from"] is None and data["changes"][0]["to"]["value"] == "11000"
    assert data["note"] == ("统筹地区上年度职工月平均工资 无数据 → 11000（川人社 (test)） / "
                            "regional_average_monthly_wage: not on file → 11000")
    assert case_targets(load({"contribution_bases": [ROW]}), running) == []



# ---- contribution rates --------------------------------------------------------------------------

RATES = {"region": "beijing", "period_start": "2026-01-01", "period_end": "2026-12-31",
         "components": {"pension": {"employer": "0.16", "employee": "0.08"},
                        "medical": {"employer": "0.09", "employee": "0.02"},
                        "unemployment": {"employer": "0.005", "employee": "0.005"},
                        "work_injury": {"employer": "0.004", "employee": "0"}},
         "document": NOTICE, "source": "read from the 2026 notice", "verified": True}


def rates_update(*rows: dict, bases: tuple[dict, ...] = ()) -> PolicyUpdate:
    table = PolicyTable.from_rows(contribution_bases=bases, contribution_rates=rows)
    return PolicyUpdate(8, "北京市人社局 notice", "root", AT, table.bases, table.rates)


def back_payment(number: int, status: RequestStatus) -> EnrollmentRequest:
    priced = CostEstimate(total=Decimal("100.00"), items=(), as_of=HIRED, verified=False)
    return replace(request(number, "8000", status), type="back_payment", cost_estimate=priced)


def test_unverified_rates_are_taken_from_a_loaded_row_and_the_contributions_move():
    inp = onboarding_input(HIRED, base="8000")
    assert not inp.rates.verified  # the bundled Beijing rates are not verified
    held, settled = back_payment(1, RequestStatus.submitted), back_payment(2, RequestStatus.rejected)
    change = recompute_figures(inp, (held, settled), rates_update(RATES), AT)
    assert change is not None and change.new_rates is not None and change.old_rates == inp.rates
    # 16 + 9 + 0.5 + 0.4 = 25.9 % employer, 8 + 2 + 0.5 = 10.5 % employee
    assert (change.new_rates.employer_rate, change.new_rates.employee_rate) == (
        Decimal("0.259"), Decimal("0.105"))
    assert change.new_rates.verified and change.new_limits == inp.base_limits  # limits untouched
    # 8,000 × 25.9 % and × 10.5 %; before, 8,000 × 26.5 % (bundled: 16 + 9.8 + 0.5 + 0.2)
    assert change.new_monthly == (Decimal("2072.00"), Decimal("840.00"))
    assert change.old_monthly == (Decimal("2120.00"), Decimal("840.00"))
    assert change.requests_repriced == (1,) and change.requests_outside == ()
    data = change.event_data()
    assert data["rates"]["employer"] == {"from": "0.265", "to": "0.259"}
    assert data["rates"]["verified"] == {"from": False, "to": True}
    assert data["requests_repriced"] == [1]
    assert "缴费比例" in change.note and "第 1 号补缴申请" in change.note
    assert "缴费基数上下限" not in change.note  # the limits did not move


def test_verified_rates_and_other_regions_rows_are_kept():
    inp = onboarding_input(HIRED, base="8000")
    verified = replace(inp, rates=replace(inp.rates, verified=True))
    assert recompute_figures(verified, (), rates_update(RATES), AT) is None
    assert recompute_figures(inp, (), rates_update({**RATES, "region": "shanghai"}), AT) is None
    before_hire = {**RATES, "period_start": "2025-01-01", "period_end": "2025-12-31"}
    assert recompute_figures(inp, (), rates_update(before_hire), AT) is None


def test_limits_and_rates_in_one_load_move_together():
    inp = onboarding_input(HIRED, base="8000")
    change = recompute_figures(inp, (), rates_update(RATES, bases=(ROW,)), AT)
    assert change is not None and change.new_limits.lower == Decimal(7500)
    assert change.new_rates is not None and "缴费基数上下限" in change.note and "缴费比例" in change.note


def test_onboardings_are_told_of_a_rates_row_of_their_region_unless_already_in_force():
    running = [("onboarding-E1", "beijing", HIRED), ("onboarding-E3", "shanghai", HIRED)]
    targets = onboarding_targets(load({"contribution_rates": [RATES]}), running)
    assert [i for i, _ in targets] == ["onboarding-E1"] and len(targets[0][1].rates) == 1
    in_force = PolicyTable.bundled().with_overrides({"contribution_rates": [RATES]})
    assert onboarding_targets(load({"contribution_rates": [RATES]}, policy=in_force), running) == []


DEFAULT_RATES = {**RATES, "region": "*", "period_start": None, "period_end": None}


def test_an_onboarding_that_pinned_the_national_default_takes_a_loaded_default_row():
    bundled = PolicyTable.bundled()
    only_default = PolicyTable(bundled.bases, bundled.windows,
                               tuple(r for r in bundled.rates if r.region == "*"))
    inp = onboarding_input(HIRED, base="8000", policy=only_default)
    assert inp.rates.region == "*" and not inp.rates.verified
    change = recompute_figures(inp, (), rates_update(DEFAULT_RATES), AT)
    assert change is not None and change.new_rates is not None
    assert change.new_rates.region == "*" and change.new_rates.verified
    own = onboarding_input(HIRED, base="8000")  # pinned Beijing's own row: a default row is not its
    assert own.rates.region == "beijing"
    assert recompute_figures(own, (), rates_update(DEFAULT_RATES), AT) is None
    legacy = replace(inp, rates=replace(inp.rates, region=None))  # registered before: own rows only
    assert recompute_figures(legacy, (), rates_update(DEFAULT_RATES), AT) is None


def test_the_same_figures_loaded_again_unverified_change_nothing():
    inp = onboarding_input(HIRED, base="8000")
    legacy = replace(inp, rates=replace(inp.rates, region=None))
    bundled = next(r for r in PolicyTable.bundled().rates if r.region == "beijing")
    same = {"region": "beijing", "components": {c.name: {"employer": str(c.employer),
                                                         "employee": str(c.employee)}
                                                for c in bundled.components},
            "source": bundled.source, "verified": False}
    assert recompute_figures(legacy, (), rates_update(same), AT) is None


def test_a_default_row_tells_only_onboardings_of_regions_without_their_own_rates():
    running = [("onboarding-E1", "beijing", HIRED), ("onboarding-E3", "shanghai", HIRED)]
    targets = onboarding_targets(load({"contribution_rates": [DEFAULT_RATES]}), running)
    assert [i for i, _ in targets] == ["onboarding-E3"]


# ---- the withdrawal window -----------------------------------------------------------------------

WINDOW = {"region": "beijing", "hours": 48, "source": "北京市社保中心 notice (test)", "verified": True}


def window_update(*rows: dict) -> PolicyUpdate:
    return PolicyUpdate(9, "notice", "root", AT,
                        windows=PolicyTable.from_rows(withdrawal_windows=rows).windows)


def test_an_unverified_default_window_is_taken_from_a_loaded_row_of_the_region():
    from datetime import timedelta

    from domain.onboarding.policy_update import recompute_window
    inp = onboarding_input(HIRED)
    assert (inp.timing.withdrawal_window, inp.timing.withdrawal_window_region) == (
        timedelta(hours=72), "*")
    taken = recompute_window(inp.timing, inp.region, window_update(WINDOW))
    assert taken is not None
    timing, change = taken
    assert timing.withdrawal_window == timedelta(hours=48) and timing.withdrawal_window_verified
    assert (change.old_hours, change.new_hours, change.region, change.load) == (72.0, 48.0, "beijing", 9)
    assert recompute_window(timing, inp.region, window_update({**WINDOW, "hours": 24})) is None
    assert recompute_window(inp.timing, inp.region, window_update({**WINDOW, "region": "shanghai"})) \
        is None
    default = {**WINDOW, "region": "*", "hours": 24}
    assert recompute_window(inp.timing, inp.region, window_update(default)) is not None
    own = replace(inp.timing, withdrawal_window_region="beijing")  # pinned a row of its own
    assert recompute_window(own, inp.region, window_update(default)) is None
    legacy = replace(inp.timing, withdrawal_window_region=None, withdrawal_window_source=None)
    assert recompute_window(legacy, inp.region, window_update(WINDOW)) is not None
    same = {**WINDOW, "region": "*", "hours": 72, "source": inp.timing.withdrawal_window_source,
            "verified": False}
    assert recompute_window(inp.timing, inp.region, window_update(same)) is None


def test_onboardings_are_told_of_a_window_of_their_region_or_the_default_unless_in_force():
    running = [("onboarding-E1", "beijing", HIRED), ("onboarding-E3", "shanghai", HIRED)]
    targets = onboarding_targets(load({"withdrawal_windows": [WINDOW]}), running)
    assert [i for i, _ in targets] == ["onboarding-E1"]
    assert len(targets[0][1].windows) == 1
    default = {**WINDOW, "region": "*"}
    assert [i for i, _ in onboarding_targets(load({"withdrawal_windows": [default]}), running)] == [
        "onboarding-E1", "onboarding-E3"]
    in_force = PolicyTable.bundled().with_overrides({"withdrawal_windows": [WINDOW]})
    assert onboarding_targets(load({"withdrawal_windows": [WINDOW]}, policy=in_force),
                              running) == []
