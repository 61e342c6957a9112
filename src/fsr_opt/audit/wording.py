"""How figures and subjects are written in violations, the same way by every check.

An auditor re-computes a violation by hand from its text, so amounts are written exactly:
cents as euros with two decimals, fractions of a cent (targets, shares times entitlements)
with six, shares as ratios with six decimals.
"""

from __future__ import annotations

from fractions import Fraction

from fsr_opt.core.money import format_cents, round_half_up

__all__ = ["euros", "exact_euros", "ratio", "unit_subject"]


def euros(cents: int) -> str:
    """Cents as euros with two decimals (``123456`` -> ``1234.56``)."""
    return format_cents(cents)


def exact_euros(value: Fraction) -> str:
    """Exact cents as euros: two decimals when whole, else six (targets are fractions)."""
    if value.denominator == 1:
        return format_cents(value.numerator)
    scaled = round_half_up(value * 10**4)
    sign = "-" if scaled < 0 else ""
    whole, frac = divmod(abs(scaled), 10**6)
    return f"{sign}{whole}.{frac:06d}"


def ratio(value: Fraction) -> str:
    """A share as a ratio with six decimals, rounded half up (``0.090154``)."""
    scaled = round_half_up(value * 10**6)
    whole, frac = divmod(scaled, 10**6)
    return f"{whole}.{frac:06d}"


def unit_subject(unit_id: str, row: int | None) -> str:
    """Name a unit and, for an allocation read from a file, its row: ``unit U1 (row 7)``."""
    return f"unit {unit_id}" + (f" (row {row})" if row is not None else "")
