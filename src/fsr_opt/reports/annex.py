"""The deliberation's annex: every unit with its Comune and ente, and the totals of each.

The Assemblea dei Sindaci attaches to its deliberation the list of the units, funded or not,
with what each receives and why, and the totals per Comune and per ente gestore. The workbook
(sheets Allegato, Per Comune, Per ente) and report.html show the same rows, built here once
from the typed outcomes, in cents.

"The amount that fell short" (``shortfall``) is the unit's entitlement (its cap: the smaller of
its deficit and its formula, prorated, `docs/model.md`) minus what it receives in all, never
below 0: what the fund did not cover of what the criteria recognise it. A unit the criteria
exclude has no entitlement, hence no shortfall; a unit below the minimum award lacks all of it.
"""

from __future__ import annotations

import functools
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from fsr_opt.core.words import describe, money
from fsr_opt.engine.outcomes import UnitOutcome


@dataclass(frozen=True)
class AnnexRow:
    """One unit of the annex (amounts in cents).

    Attributes:
        reasons: why the unit gets nothing (its exclusion reason codes, or the binding limit
            such as ``BELOW_MINIMUM``), or, when funded, the limit that sets its award.
        shortfall: entitlement minus award, at least 0 (the module's docstring).
    """

    unit_id: str
    name: str
    municipality: str
    operator: str
    area: str
    service: str
    entitlement: int
    award: int
    residual_award: int
    tranche_1: int
    tranche_2: int
    reasons: tuple[str, ...]
    shortfall: int

    @property
    def funded(self) -> bool:
        """True when the unit receives something."""
        return self.award > 0


@dataclass(frozen=True)
class GroupTotal:
    """The units of one Comune or one ente gestore, added up (cents)."""

    name: str
    units: int
    funded: int
    entitlement: int
    award: int
    residual_award: int
    tranche_1: int
    tranche_2: int
    shortfall: int


def reason_text(row: AnnexRow, lang: str, history_year: int) -> str:
    """The annex's "reason or limit" in words: why nothing, or which limit sets the award."""
    return _reason_words(row.funded, row.reasons, lang, history_year)


@functools.lru_cache(maxsize=1024)
def _reason_words(funded: bool, codes: tuple[str, ...], lang: str, history_year: int) -> str:
    """Cached: an annex of 100,000 units says a handful of different things."""
    table = "binding" if funded else "reason"
    return "; ".join(describe(table, code, lang, history_year=history_year) for code in codes)


@functools.cache
def _separators(lang: str) -> tuple[str, str, str]:
    """The minus sign, thousands and decimal separators `words.money` writes in `lang`."""
    sample = money(-123456789, lang)  # -1.234.567,89 in Italian
    minus = sample[:sample.index("1")]
    body = sample[len(minus):]
    return minus, body[1], body[-3]


def amount(cents: int, lang: str) -> str:
    """`fsr_opt.core.words.money`, fast: the same text, for tables of every unit.

    Babel lays out each amount from the locale's pattern; the annex of a large Ambito shows
    hundreds of thousands of them, so this writes them with the separators Babel gives
    (`_separators`), read once per language (tests check the two agree).
    """
    minus, group, decimal = _separators(lang)
    whole, frac = divmod(abs(cents), 100)
    text = f"{whole:,}".replace(",", group) if whole >= 1000 else str(whole)
    return f"{minus if cents < 0 else ''}{text}{decimal}{frac:02d}"


def _order(text: str) -> tuple[str, str]:
    """Sort key of a name: without case first, then as written (a stable, total order)."""
    return text.casefold(), text


def annex_rows(outcomes: Sequence[UnitOutcome]) -> list[AnnexRow]:
    """Every unit, ordered by Comune, ente gestore and unit id (the annex's order)."""
    rows = []
    for outcome in outcomes:
        item = outcome.assessment
        unit = item.unit
        reasons = tuple(r.value for r in item.reasons) or (outcome.binding.value,)
        rows.append(AnnexRow(
            unit.unit_id, unit.name, unit.municipality, unit.operator, item.area, item.service,
            item.entitlement, outcome.award, outcome.residual_award, outcome.tranche_1,
            outcome.tranche_2, reasons, max(0, item.entitlement - outcome.award),
        ))
    rows.sort(key=lambda r: (_fold(r.municipality), _fold(r.operator), *_order(r.unit_id)))
    return rows


def _fold(name: str) -> str:
    """A name as a group compares it: ``BERGAMO`` and ``Bergamo `` are one Comune."""
    return " ".join(name.casefold().split())


def group_totals(rows: Sequence[AnnexRow], key: Callable[[AnnexRow], str]) -> list[GroupTotal]:
    """The rows added up per `key` (the Comune or the ente), groups in name order.

    Names are compared without case and extra spaces (a units table often spells one Comune
    two ways); a group is shown under its most frequent spelling (the first in name order on
    a tie).
    """
    groups: dict[str, list[AnnexRow]] = {}
    for row in rows:
        groups.setdefault(_fold(key(row)), []).append(row)
    totals = []
    for members in groups.values():
        spellings = Counter(key(row) for row in members)
        name = min(spellings, key=lambda n: (-spellings[n], *_order(n)))
        totals.append(total(name, members))
    return sorted(totals, key=lambda t: _order(t.name))


def total(name: str, rows: Sequence[AnnexRow]) -> GroupTotal:
    """`rows` added up under `name` (a group, or the whole annex's TOTALE)."""
    return GroupTotal(
        name, len(rows), sum(1 for r in rows if r.funded),
        sum(r.entitlement for r in rows), sum(r.award for r in rows),
        sum(r.residual_award for r in rows), sum(r.tranche_1 for r in rows),
        sum(r.tranche_2 for r in rows), sum(r.shortfall for r in rows),
    )


def by_municipality(rows: Sequence[AnnexRow]) -> list[GroupTotal]:
    """Totals per Comune."""
    return group_totals(rows, lambda r: r.municipality)


def by_operator(rows: Sequence[AnnexRow]) -> list[GroupTotal]:
    """Totals per ente gestore."""
    return group_totals(rows, lambda r: r.operator)
