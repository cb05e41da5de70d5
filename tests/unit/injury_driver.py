"""Drive an injury case through the pure domain functions, as the workflow would (no Temporal)."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from decimal import Decimal
from typing import Any

from domain.injury.actions import accepted, apply_action, decided
from domain.injury.clocks import case_calendar, initial_state_deadlines
from domain.injury.payloads import AuthorityDecision, AuthorityReceipt, CaseAction, CaseInput
from domain.injury.rules import action_type, check_action
from domain.injury.state import CaseDeadline, CaseState, Stage
from domain.shared.calendar import SHANGHAI
from domain.shared.people import Actor
from tests.factories import case_input

HR = Actor("hr-alice", "hr")
ACCIDENT = datetime(2025, 3, 3, 9, 0, tzinfo=SHANGHAI)  # a Monday; +30 days is Wed 2 April


def act(action: str, actor: Actor = HR, **fields: Any) -> CaseAction:
    """The typed action named `action` (an unknown name is refused as the API would)."""
    return action_type(action)(actor=actor, **fields)


def opened(inp: CaseInput) -> CaseState:
    """The state a new case starts with (as InjuryCaseWorkflow.__init__ builds it)."""
    return CaseState(stage=Stage.reported, deadlines=initial_state_deadlines(inp),
                     calendar=case_calendar(inp))


class Case:
    """One case and a clock: `do` checks an action like the validator, then applies it."""

    def __init__(self, accident_at: datetime = ACCIDENT, *, reported_after: timedelta = timedelta(hours=1),
                 **report: Any) -> None:
        self.inp = case_input(accident_at, now=accident_at + reported_after, **report)
        self.state = opened(self.inp)
        self.now = self.inp.reported_at
        self.events: list[tuple[str, dict[str, Any]]] = []

    @property
    def today(self) -> date:
        return self.now.astimezone(SHANGHAI).date()

    def deadline(self, name: str) -> CaseDeadline:
        return self.state.deadlines[name]

    def wait(self, delta: timedelta) -> Case:
        self.now += delta
        return self

    def go_to(self, moment: datetime) -> Case:
        self.now = moment
        return self

    def check(self, action: str, actor: Actor = HR, **fields: Any) -> None:
        check_action(self.inp, self.state, act(action, actor, **fields), self.now)

    def do(self, action: str, **fields: Any) -> Case:
        a = act(action, **fields)
        check_action(self.inp, self.state, a, self.now)
        self.events.append(apply_action(self.inp, self.state, a, self.now))
        return self

    # ---- the usual path, one step each ------------------------------------------------------

    def file_all(self) -> Case:
        return self.do("file_materials", materials=tuple(m.code for m in self.inp.materials))

    def apply(self, **fields: Any) -> Case:
        return self.file_all().do("apply_determination", **fields)

    def accept(self, on: date | None = None) -> Case:
        self.events.append(accepted(self.state, AuthorityReceipt(True, "受理001", on or self.today),
                                    self.today, self.now))
        return self

    def decide(self, recognised: bool = True, on: date | None = None) -> Case:
        self.events.append(decided(self.state, AuthorityDecision(recognised, on or self.today,
                                                                 reference="认定001"), self.now))
        return self

    def recognised(self) -> Case:
        return self.apply().wait(timedelta(days=2)).accept().wait(timedelta(days=20)).decide()

    def suspended(self, months: int = 3) -> Case:
        return self.recognised().do("start_suspension", months=months)

    def appraising(self) -> Case:
        return self.recognised().do("apply_appraisal")

    def concluded(self, grade: int | str = 7) -> Case:
        return self.appraising().wait(timedelta(days=30)).do("record_appraisal", grade=grade)

    def settling(self) -> Case:
        return self.concluded().wait(timedelta(days=16)).do("open_negotiation")

    def agreed(self, amount: str = "80000") -> Case:
        return self.settling().do("record_agreement", amount=Decimal(amount))
