"""Bar charts drawn on the server as inline SVG (no script: the workspace's CSP allows none, and
SVG presentation attributes are not styles, so `style-src 'self'` holds). The geometry only;
the template `_chart.html` draws it."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal

WIDTH, HEIGHT = 320, 170
_TOP, _BOTTOM, _SIDE = 22, 28, 8  # room for value labels above and quarter labels below


@dataclass(frozen=True)
class Bar:
    label: str
    text: str  # the value as shown, or the "no data" word
    x: float
    y: float
    width: float
    height: float
    centre: float
    empty: bool


@dataclass(frozen=True)
class Chart:
    width: int
    height: int
    baseline: float
    bars: tuple[Bar, ...]


def bars(points: Sequence[tuple[str, Decimal | None, str]], ceiling: Decimal) -> Chart:
    """One bar per (label, value, text), scaled so `ceiling` fills the height (a share: 1; a
    count: the largest value); a point without a value gets no bar and its text."""
    slot = (WIDTH - 2 * _SIDE) / max(len(points), 1)
    room = HEIGHT - _TOP - _BOTTOM
    baseline = HEIGHT - _BOTTOM
    drawn = []
    for n, (label, value, text) in enumerate(points):
        share = float(value / ceiling) if value is not None and ceiling > 0 else 0.0
        tall = round(room * min(max(share, 0.0), 1.0), 1)
        x = _SIDE + n * slot + slot * 0.2
        drawn.append(Bar(label, text, round(x, 1), round(baseline - tall, 1),
                         round(slot * 0.6, 1), tall, round(_SIDE + (n + 0.5) * slot, 1),
                         value is None))
    return Chart(WIDTH, HEIGHT, baseline, tuple(drawn))
