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
from collections.abc import Callable, Hashable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import NamedTuple, TypeVar

from fsr_opt.core.schema import ExclusionReason, RuleSet
from fsr_opt.core.words import describe, text
from fsr_opt.engine.outcomes import UnitOutcome


class AnnexRow(NamedTuple):
    """One unit of the annex (amounts in cents).

    A named tuple, not a dataclass: a large Ambito makes one per unit, and a frozen
    dataclass takes several times longer to build (benchmarks/RESULTS.md, "The annex").

    Attributes:
        reasons: why the unit gets nothing (its exclusion reason codes, or the binding limit
            such as ``BELOW_MINIMUM``), or, when funded, the limit that sets its award.
        shortfall: entitlement minus award, at least 0 (the module's docstring).
        position: the unit's place in the outcomes the annex was made from (their input
            order), so that a writer can take the unit's cells already written for
            allocation.csv.
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
    position: int = -1  # the unit's place among the outcomes (input order); -1 if unknown

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
    outside_ambito: int = 0  # units excluded as located outside the Ambito


def reason_text(row: AnnexRow, lang: str, history_year: int) -> str:
    """The annex's "reason or limit" in words: why nothing, or which limit sets the award."""
    return reason_words(row.funded, row.reasons, lang, history_year)


@functools.lru_cache(maxsize=1024)
def reason_words(funded: bool, codes: tuple[str, ...], lang: str, history_year: int) -> str:
    """`reason_text` of a row, funded or not, with these reason codes.

    Cached: an annex of 100,000 units says a handful of different things.
    """
    table = "binding" if funded else "reason"
    return "; ".join(describe(table, code, lang, history_year=history_year) for code in codes)


def area_labels(rules: RuleSet) -> dict[str, str]:
    """The label of every area, by code (the annex names areas and lines as people know them).

    The deliberation's annex is read by the Assemblea, which knows the areas and service
    lines by their names; allocation.csv keeps the codes.
    """
    return rules.area_labels


def line_labels(rules: RuleSet) -> dict[str, str]:
    """The label of every service line, by code (`area_labels`)."""
    return rules.line_labels

def _order(text: str) -> tuple[str, str]:
    """Sort key of a name: without case first, then as written (a stable, total order)."""
    return text.casefold(), text


@dataclass(frozen=True)
class Annex:
    """The whole annex of a run: its rows, the totals per Comune and per ente, the TOTALE.

    Made once per run (`build_annex`) and given to both the workbook and report.html: at a
    large Ambito each part costs a noticeable share of the run.
    """

    rows: list[AnnexRow]
    municipalities: list[GroupTotal]
    operators: list[GroupTotal]
    whole: GroupTotal


def build_annex(outcomes: Sequence[UnitOutcome]) -> Annex:
    """The annex of these outcomes: rows in the annex's order, group totals, TOTALE.

    A row names its Comune and ente as its group does (``BERGAMO`` under ``Bergamo``): the
    annex lists the units by group, and one group written two ways would read as two.
    allocation.csv keeps each name as the table wrote it.
    """
    rows = annex_rows(outcomes)
    municipalities, operators, whole = _all_totals(rows)
    return Annex(_as_grouped(rows, municipalities, operators), municipalities, operators, whole)


def shown_name(group: GroupTotal, unknown: str, lang: str) -> str:
    """A Comune's name as its totals row shows it: marked when it lies outside the Ambito.

    A unit in a Comune that is not the Ambito's is excluded, but still listed: its Comune's
    row says why the Comune appears at all. `unknown` stands for a name not given.
    """
    name = group.name or unknown
    if group.units and group.outside_ambito == group.units:
        return f"{name} {text('word.outside_ambito', lang)}"
    return name


def _as_grouped(rows: list[AnnexRow], municipalities: Sequence[GroupTotal],
                operators: Sequence[GroupTotal]) -> list[AnnexRow]:
    """The rows with each Comune and ente spelled as its group is (most rows already are)."""
    names = {_fold(group.name): group.name for group in municipalities}
    enti = {_fold(group.name): group.name for group in operators}
    odd_municipalities = {n for n in {r.municipality for r in rows} if names[_fold(n)] != n}
    odd_operators = {n for n in {r.operator for r in rows} if enti[_fold(n)] != n}
    if not odd_municipalities and not odd_operators:
        return rows
    return [row._replace(municipality=names[_fold(row.municipality)],
                         operator=enti[_fold(row.operator)])
            if row.municipality in odd_municipalities or row.operator in odd_operators else row
            for row in rows]


def annex_rows(outcomes: Sequence[UnitOutcome]) -> list[AnnexRow]:
    """Every unit, ordered by Comune, ente gestore and unit id (the annex's order)."""
    rows = []
    codes: dict[tuple[object, ...], tuple[str, ...]] = {}  # a few distinct reason sets
    for position, outcome in enumerate(outcomes):
        item = outcome.assessment
        unit = item.unit
        key = (item.reasons, outcome.binding)
        reasons = codes.get(key)
        if reasons is None:
            reasons = codes[key] = (tuple(r.value for r in item.reasons)
                                    or (outcome.binding.value,))
        entitlement, award = item.entitlement, outcome.award
        rows.append(AnnexRow(
            unit.unit_id, unit.name, unit.municipality, unit.operator, item.area, item.service,
            entitlement, award, outcome.residual_award, outcome.tranche_1,
            outcome.tranche_2, reasons, entitlement - award if entitlement > award else 0,
            position,
        ))
    # each name folded once: a table of 100,000 units names a few hundred Comuni and enti
    fold = {name: _fold(name) for name in {r.municipality for r in rows} | {r.operator
                                                                           for r in rows}}
    rows.sort(key=lambda r: (fold[r.municipality], fold[r.operator], r.unit_id.casefold(),
                             r.unit_id))
    return rows


def _fold(name: str) -> str:
    """A name as a group compares it: ``BERGAMO`` and ``Bergamo `` are one Comune."""
    return " ".join(name.casefold().split())


# An accumulator of a group: units, funded, entitlement, award, residual, tranches, shortfall,
# units outside the Ambito.
_Sums = list[int]
_SUMS = 9
_OUTSIDE = ExclusionReason.OUTSIDE_AMBITO.value
K = TypeVar("K", bound=Hashable)


def _add(sums: dict[K, _Sums], key: K, row: AnnexRow) -> None:
    acc = sums.get(key)
    if acc is None:
        acc = sums[key] = [0] * _SUMS
    acc[0] += 1
    if row.award > 0:
        acc[1] += 1
    acc[2] += row.entitlement
    acc[3] += row.award
    acc[4] += row.residual_award
    acc[5] += row.tranche_1
    acc[6] += row.tranche_2
    acc[7] += row.shortfall
    if _OUTSIDE in row.reasons:
        acc[8] += 1


def _summed(accumulators: Iterable[_Sums]) -> _Sums:
    """Accumulators added up column by column (zeros when there are none)."""
    return [sum(column) for column in zip(*accumulators, strict=True)] or [0] * _SUMS


def spelling_groups(counts: Mapping[str, int]) -> dict[str, str]:
    """Each spelling of a name -> the spelling its group is shown under.

    Names are one group without regard to case and extra spaces (``BERGAMO``, ``Bergamo ``);
    a group is shown under its most frequent spelling (`counts`: units per spelling), the first
    in name order on a tie. The annex's groups and the page's filter of Comuni use it.
    """
    groups: dict[str, list[str]] = {}
    for name in counts:
        groups.setdefault(_fold(name), []).append(name)
    shown: dict[str, str] = {}
    for spellings in groups.values():
        chosen = (spellings[0] if len(spellings) == 1  # most names have one spelling
                  else min(spellings, key=lambda name: (-counts[name], *_order(name))))
        shown.update((name, chosen) for name in spellings)
    return shown


def _merge(sums: dict[str, _Sums]) -> list[GroupTotal]:
    """Totals per spelling joined into groups (`spelling_groups`), in name order."""
    shown = spelling_groups({name: acc[0] for name, acc in sums.items()})
    groups: dict[str, list[_Sums]] = {}
    for name, acc in sums.items():
        groups.setdefault(shown[name], []).append(acc)
    totals = [GroupTotal(name, *(accs[0] if len(accs) == 1 else _summed(accs)))
              for name, accs in groups.items()]
    return sorted(totals, key=lambda t: _order(t.name))


def _all_totals(rows: Sequence[AnnexRow]) -> tuple[list[GroupTotal], list[GroupTotal],
                                                   GroupTotal]:
    """`by_municipality`, `by_operator` and `total` in one pass over the rows.

    The rows are added up per (Comune, ente) as spelled, a few thousand pairs even at a
    large Ambito, then the pairs into the Comuni, the enti and the TOTALE.
    """
    pairs: dict[tuple[str, str], _Sums] = {}
    for row in rows:
        _add(pairs, (row.municipality, row.operator), row)
    municipalities: dict[str, list[_Sums]] = {}
    operators: dict[str, list[_Sums]] = {}
    for (municipality, operator), acc in pairs.items():
        municipalities.setdefault(municipality, []).append(acc)
        operators.setdefault(operator, []).append(acc)
    return (_merge({name: _summed(accs) for name, accs in municipalities.items()}),
            _merge({name: _summed(accs) for name, accs in operators.items()}),
            GroupTotal("", *_summed(pairs.values())))


def group_totals(rows: Sequence[AnnexRow], key: Callable[[AnnexRow], str]) -> list[GroupTotal]:
    """The rows added up per `key` (the Comune or the ente), groups in name order.

    Names are compared without case and extra spaces (a units table often spells one Comune
    two ways); a group is shown under its most frequent spelling (the first in name order on
    a tie).
    """
    sums: dict[str, _Sums] = {}
    for row in rows:
        _add(sums, key(row), row)
    return _merge(sums)


def total(name: str, rows: Sequence[AnnexRow]) -> GroupTotal:
    """`rows` added up under `name` (a group, or the whole annex's TOTALE)."""
    sums: dict[str, _Sums] = {}
    for row in rows:
        _add(sums, name, row)
    return GroupTotal(name, *sums.get(name, [0] * _SUMS))


def by_municipality(rows: Sequence[AnnexRow]) -> list[GroupTotal]:
    """Totals per Comune."""
    return group_totals(rows, lambda r: r.municipality)


def by_operator(rows: Sequence[AnnexRow]) -> list[GroupTotal]:
    """Totals per ente gestore."""
    return group_totals(rows, lambda r: r.operator)
