"""The KPI counts in SQL (store/kpis.py) on SQLite and PostgreSQL: exact figures of a seeded
quarter, the quarters beside it empty, a manager's departments only."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import delete

from domain.kpis.quarters import Quarter
from domain.shared.scoping import COMPANY, Scope
from store import kpis
from store.db import session_for
from store.models import CaseRow
from tests.kpi_seed import EXPECTED, MAKING, STORES, seed

QUARTER = Quarter.of(datetime.now(UTC)).previous()
LATER = QUARTER.ends_at + timedelta(days=200)


def _table(figures: list[kpis.rules.Figure], quarter: Quarter) -> dict[str, dict[str, tuple[int, int]]]:
    found: dict[str, dict[str, tuple[int, int]]] = {}
    for f in figures:
        if f.quarter == quarter.code:
            found.setdefault(f.kpi, {})[f.department] = (f.numerator, f.denominator)
    return found


def test_each_kpi_counts_the_seeded_quarter_exactly(db_url: str):
    seed(db_url, QUARTER)
    figures = kpis.figures(db_url, kpis.Ask(QUARTER.next().trail(3), COMPANY, None, LATER))
    assert _table(figures, QUARTER) == EXPECTED
    # the quarters beside it: the department's headcount, no injury; O6's window ends the day
    # after the quarter and no enrollment_executed event says it was met (its status alone is
    # not the fact)
    assert _table(figures, QUARTER.previous()) == {"injuries_per_100": {MAKING: (0, 4)}}
    assert _table(figures, QUARTER.next()) == {"si_enrolled_in_window": {MAKING: (0, 1)},
                                               "injuries_per_100": {MAKING: (0, 4)}}
    by = {(f.kpi, f.department): f.value for f in figures if f.quarter == QUARTER.code}
    assert str(by[("injuries_per_100", MAKING)]) == "50.0000"
    assert by[("injuries_per_100", STORES)] is None  # no employments: 无数据
    assert str(by[("si_enrolled_in_window", MAKING)]) == "0.3333"


def test_a_window_still_running_is_not_counted_yet(db_url: str):
    seed(db_url, QUARTER)
    early = QUARTER.starts_at + timedelta(days=5, hours=12)  # C2's materials due at day 5
    figures = kpis.figures(db_url, kpis.Ask((QUARTER,), COMPANY, None, early))
    table = _table(figures, QUARTER)
    assert table["materials_in_time"] == {MAKING: (1, 2), STORES: (1, 2)}
    # O3 (not enrolled, its window ends at day 30) is not counted while its window runs
    assert table["si_enrolled_in_window"] == {MAKING: (1, 2), STORES: (1, 1)}
    # C2's unanswered notice (sent at day 30) has not run out its window
    assert table["return_notice_answered"] == {MAKING: (1, 1), STORES: (0, 1)}


def test_a_manager_counts_their_departments_only(db_url: str):
    seed(db_url, QUARTER)
    stores = Scope(company=False, departments=frozenset({STORES}))
    figures = kpis.figures(db_url, kpis.Ask((QUARTER,), stores, None, LATER))
    assert {f.department for f in figures} == {STORES}
    assert _table(figures, QUARTER)["materials_in_time"] == {STORES: (1, 2)}
    one = kpis.figures(db_url, kpis.Ask((QUARTER,), COMPANY, MAKING, LATER))
    assert {f.department for f in one} == {MAKING}


@settings(max_examples=25, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.lists(st.tuples(st.sampled_from([MAKING, STORES]),
                          st.integers(-2 * 86400, 2 * 86400)), max_size=12))
def test_each_case_counts_in_exactly_one_department_quarter(sqlite_url: str,
                                                            accidents: list[tuple[str, int]]):
    """Accidents within two days either side of a quarter's first midnight (Beijing time, which
    is 16:00 UTC the day before): each is an injury of its own quarter and department once."""
    with session_for(sqlite_url) as session:
        session.execute(delete(CaseRow))
        for n, (department, seconds) in enumerate(accidents):
            at = QUARTER.starts_at + timedelta(seconds=seconds)
            session.add(CaseRow(id=f"case-P{n}", employee_id=f"P{n}", employee_name="赵六",
                                department=department, region="beijing", accident_at=at,
                                stage="reported", created_by="hr-alice", created_at=at,
                                updated_at=at))
        session.commit()
    figures = kpis.figures(sqlite_url, kpis.Ask(QUARTER.trail(2), COMPANY, None, LATER))
    counted = {(f.quarter, f.department): f.numerator for f in figures
               if f.kpi == "injuries_per_100"}
    expected: dict[tuple[str, str], int] = {}
    for department, seconds in accidents:
        key = (Quarter.of(QUARTER.starts_at + timedelta(seconds=seconds)).code, department)
        expected[key] = expected.get(key, 0) + 1
    assert counted == expected
