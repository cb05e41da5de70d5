"""Money in the compensation estimate: Decimal yuan, rounded half-up to the fen once per line item."""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal

FEN = Decimal("0.01")


def fen(amount: Decimal) -> Decimal:
    return amount.quantize(FEN, rounding=ROUND_HALF_UP)


def money(amount: Decimal) -> str:
    return f"{amount:.2f}"
