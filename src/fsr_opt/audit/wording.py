"""How figures, subjects and columns are written in violations, the same way by every check.

An auditor re-computes a violation by hand from its text, so amounts are written exactly:
cents as euros with two decimals, fractions of a cent (targets, shares times entitlements)
with six, and the cent of rounding they admit as ``± 0,01 EUR``; shares as percentages with
four decimals (``9,0154%``: the six of the ratio, the precision a share column is compared
at), while audit.json keeps the ratio (``0,090154``). Everything is written in the language
of the run, numbers in its form (``446.247,68`` in Italian, ``446,247.68`` in English, as
`fsr_opt.core.words.money` writes them); machine formats (audit.json's area totals) use
`fsr_opt.core.money.format_cents` instead.
"""

from __future__ import annotations

from collections.abc import Mapping
from fractions import Fraction

from fsr_opt.core.cldr import SYMBOLS
from fsr_opt.core.i18n import _, current_language
from fsr_opt.core.money import round_half_up
from fsr_opt.core.words import has_text, money, text
from fsr_opt.core.words import ratio as ratio_text

__all__ = ["area_subject", "column", "euros", "exact_euros", "labelled", "ratio", "share",
           "unit_subject", "within_a_cent"]


def euros(cents: int) -> str:
    """Cents as euros with two decimals, in the run's language (``1.234,56``/``1,234.56``)."""
    return money(cents)


def exact_euros(value: Fraction) -> str:
    """Exact cents as euros: two decimals when whole, else six (targets are fractions).

    In the run's language: ``7.473,401992`` in Italian, ``7,473.401992`` in English.
    """
    if value.denominator == 1:
        return money(value.numerator)
    minus, group, decimal = SYMBOLS[current_language()]
    scaled = round_half_up(value * 10**4)  # millionths of a euro
    whole, frac = divmod(abs(scaled), 10**6)
    digits = f"{whole:,}".replace(",", group) + f"{decimal}{frac:06d}"
    return f"{minus}{digits}" if scaled < 0 else digits


def within_a_cent(exact: Fraction) -> str:
    """An exact amount and the cent of rounding it admits: ``7.473,401992 ± 0,01 EUR``."""
    return _("{amount} ± {tolerance} EUR").format(amount=exact_euros(exact),
                                                  tolerance=euros(1))


def ratio(value: Fraction, places: int = 6) -> str:
    """A share as a ratio with six decimals, rounded half up (``0,090154``/``0.090154``).

    For audit.json (`fsr_opt.audit.report.Violation.expected_exact`); people read `share`.
    More `places` for a share column written with more.
    """
    return ratio_text(value, places)


def share(value: Fraction, places: int = 6) -> str:
    """A share as people compare them: a percentage with four decimals (``9,0154%``).

    The digits of `ratio` with as many `places`, so that a share column written with them
    can be told from the expected share, and the rule seen to hold or not.
    """
    return ratio_text(value * 100, places - 2) + "%"


def unit_subject(unit_id: str, row: int | None) -> str:
    """Name a unit and, for an allocation read from a file, its row: ``unità U1 (riga 7)``."""
    if row is None:
        return _("unit {unit}").format(unit=unit_id)
    return _("unit {unit} (row {row})").format(unit=unit_id, row=row)


def area_subject(area: str) -> str:
    """Name an area by its code: ``area minori``."""
    return _("area {area}").format(area=area)


def column(headings: Mapping[str, str], name: str) -> str:
    """A column of the allocation as its file heads it; else in the reader's words.

    An allocation read from a file keeps its headings (`ProvidedAllocation.headings`:
    ``Contributo criteri``, or ``criteria_award`` in our allocation.csv); one held in memory
    (a solve's) has none, and its column is named as the workbook heads it, in the run's
    language.
    """
    heading = headings.get(name)
    if heading:
        return heading
    key = f"workbook.column.{name}"
    return text(key) if has_text(key) else name


def labelled(pairs: list[tuple[str, str]]) -> str:
    """Figures with their names, unambiguous in either language: ``Saldo 0,00; Acconto 1,50``."""
    return "; ".join(f"{name} {value}" for name, value in pairs)
