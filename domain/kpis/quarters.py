"""Calendar quarters in Beijing time (季度): the periods the KPIs (domain/kpis/rules.py) count in.
A moment belongs to the quarter its Beijing date falls in; a quarter runs from 00:00 of its first
day to 00:00 of the next quarter's first day, Beijing time."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from domain.shared.calendar import SHANGHAI

_CODE = re.compile(r"^(\d{4})Q([1-4])$")


@dataclass(frozen=True, order=True)
class Quarter:
    """One calendar quarter: `2026Q4` is October to December 2026."""

    year: int
    number: int

    def __post_init__(self) -> None:
        if not 1 <= self.number <= 4 or not 2000 <= self.year <= 2999:
            raise ValueError(f"no such quarter: {self.year}Q{self.number}")

    @classmethod
    def parse(cls, code: str) -> Quarter:
        """`2026Q4` → Quarter(2026, 4); ValueError otherwise."""
        found = _CODE.match(code.strip().upper())
        if found is None:
            raise ValueError(f"{code!r}: a quarter is written like 2026Q4")
        return cls(int(found[1]), int(found[2]))

    @classmethod
    def of(cls, moment: datetime) -> Quarter:
        """The quarter of `moment`'s Beijing date."""
        day = moment.astimezone(SHANGHAI).date()
        return cls(day.year, (day.month - 1) // 3 + 1)

    @property
    def code(self) -> str:
        return f"{self.year}Q{self.number}"

    @property
    def first_day(self) -> date:
        return date(self.year, 3 * self.number - 2, 1)

    @property
    def next_first_day(self) -> date:
        return self.next().first_day

    @property
    def last_day(self) -> date:
        return self.next_first_day - timedelta(days=1)

    @property
    def starts_at(self) -> datetime:
        """00:00 Beijing time of the quarter's first day."""
        return datetime.combine(self.first_day, time(), SHANGHAI)

    @property
    def ends_at(self) -> datetime:
        """00:00 Beijing time of the next quarter's first day (exclusive)."""
        return datetime.combine(self.next_first_day, time(), SHANGHAI)

    def next(self) -> Quarter:
        return Quarter(self.year + 1, 1) if self.number == 4 else Quarter(self.year, self.number + 1)

    def previous(self) -> Quarter:
        return Quarter(self.year - 1, 4) if self.number == 1 \
            else Quarter(self.year, self.number - 1)

    def holds(self, moment: datetime) -> bool:
        return self.starts_at <= moment < self.ends_at

    def trail(self, count: int) -> tuple[Quarter, ...]:
        """The `count` quarters ending with this one, oldest first (a chart's x axis)."""
        found = [self]
        while len(found) < count:
            found.append(found[-1].previous())
        return tuple(reversed(found))
