"""What-if planning: differences between two riparti, sweeps of a parameter, one unit explained.

Planners try budgets before the Assemblea dei Sindaci votes ("what if the Region cuts 5%?",
"what if disabili goes to 15%?", "what if the minimum is 500 EUR?"). Three tools answer:

* `diff_runs` compares two runs seen through `RunView`: per area and service line (budget,
  awarded, distance from the 2024 pattern) and per unit (who gains, loses, enters or leaves
  funding, which limit starts or stops binding). A `RunView` is built from the contract's
  allocation and summary rows *as text* (`view_from_tables`), so a fresh what-if (two solves in
  memory) and ``compare`` of two saved run folders go through the same code and agree.
* `run_sweep` solves one riparto per value of a swept parameter, in parallel on the machine's
  cores; an interruption keeps the points already finished.
* `explain_unit` puts on one screen everything that decided one unit's award.

This layer sits between ``report`` and ``solve``: it never reads or writes files (the pipeline
does) and never imports the command-line library; every function is pure but `run_sweep`,
which runs the caller's point solver.
"""

from __future__ import annotations

import difflib
import math
import os
import re
import signal
from collections.abc import Callable, Hashable, Mapping, Sequence
from concurrent.futures import Future, ProcessPoolExecutor, as_completed
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal, InvalidOperation
from fractions import Fraction
from typing import TypeVar

from fsr_opt.core.errors import (
    ErrorCode,
    FsrOptError,
    InfeasibleError,
    InputError,
    Problem,
    SolverError,
)
from fsr_opt.core.money import format_cents, largest_remainder
from fsr_opt.core.schema import (
    Assessment,
    ExclusionReason,
    Ownership,
    RuleSet,
    ServiceResult,
    SolveResult,
)
from fsr_opt.core.words import (
    BINDINGS,
    CHANGES,
    REASONS,
    describe,
    money,
    ratio,
    signed_money,
    yes_no,
)
from fsr_opt.engine.eligibility import tranches
from fsr_opt.rules.lookup import normalize_name

TOTAL = "TOTAL"
K = TypeVar("K", bound=Hashable)
T = TypeVar("T")
R = TypeVar("R")
_AMOUNT = re.compile(r"-?\d+(\.\d{1,2})?")

# ---------------------------------------------------------------------------------------------
# A run as the comparison sees it
# ---------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class UnitView:
    """One row of allocation.csv, read back into cents.

    Attributes:
        row: the row in the file it came from (1 = header), for messages; 0 when in memory.
        share: the service line's share given to the unit, as printed (6 decimals).
    """

    unit_id: str
    name: str
    operator: str
    area: str
    service: str
    eligible: bool
    reasons: tuple[str, ...]
    entitlement: int
    share: Fraction
    award: int
    binding: str
    tranche_1: int
    tranche_2: int
    row: int = 0


@dataclass(frozen=True)
class LineView:
    """One service line of summary.csv, in cents (targets rounded to the cent as printed).

    Attributes:
        deviation: awarded minus target; its absolute value is the line's distance from the
            2024 pattern (the quantity stage 2 of the objective minimises).
    """

    area: str
    service: str
    target: int
    historical: int
    awarded: int
    deviation: int
    funded: int

    @property
    def distance(self) -> int:
        """Distance from the 2024 pattern, |awarded - target|, in cents."""
        return abs(self.deviation)


@dataclass(frozen=True)
class RunView:
    """A finished riparto as a comparison needs it.

    Attributes:
        label: how the run is called in messages (``base``, a folder name...).
        units: in the run's row order.
        lines: service lines in rule-set (file) order.
        budgets: area budget per area, in area order.
    """

    label: str
    units: tuple[UnitView, ...]
    lines: tuple[LineView, ...]
    budgets: Mapping[str, int]


class _Reader:
    """Reads text cells into values, collecting every problem with its file, row and column."""

    def __init__(self, source: str) -> None:
        self.source = source
        self.problems: list[Problem] = []

    def _where(self, record: Mapping[str, str]) -> int | None:
        text = record.get("__row__", "")
        return int(text) if text.isdigit() else None

    def text(self, record: Mapping[str, str], column: str) -> str:
        return record.get(column, "").strip()

    def cents(self, record: Mapping[str, str], column: str, *, blank: int | None = 0) -> int:
        text = self.text(record, column)
        if not text and blank is not None:
            return blank
        if not _AMOUNT.fullmatch(text):
            self.problems.append(Problem(
                f"'{text}' is not an amount in euros such as 1234.56", file=self.source,
                row=self._where(record), column=column, code=ErrorCode.BAD_AMOUNT))
            return 0
        return int(Decimal(text) * 100)

    def count(self, record: Mapping[str, str], column: str) -> int:
        text = self.text(record, column)
        if not text.isdigit():
            self.problems.append(Problem(
                f"'{text}' is not a count of units", file=self.source,
                row=self._where(record), column=column, code=ErrorCode.BAD_COUNT))
            return 0
        return int(text)

    def fraction(self, record: Mapping[str, str], column: str) -> Fraction:
        text = self.text(record, column)
        if not text:
            return Fraction(0)
        try:
            return Fraction(Decimal(text))
        except (InvalidOperation, ValueError):
            self.problems.append(Problem(
                f"'{text}' is not a number such as 0.125", file=self.source,
                row=self._where(record), column=column, code=ErrorCode.BAD_NUMBER))
            return Fraction(0)

    def boolean(self, record: Mapping[str, str], column: str) -> bool:
        text = self.text(record, column).lower()
        if text not in {"true", "false"}:
            self.problems.append(Problem(
                f"'{text}' is not true or false", file=self.source,
                row=self._where(record), column=column, code=ErrorCode.BAD_BOOLEAN))
        return text == "true"


ALLOCATION_NEEDS = ("unit_id", "name", "area", "service", "eligible", "award", "binding")
SUMMARY_NEEDS = ("area", "service", "budget", "target", "historical", "awarded",
                 "deviation", "units_funded")
_HISTORICAL = re.compile(r"historical(_[0-9]{4})?")
"""summary.csv heads the reference-year amounts with their year (historical_2024)."""


def _missing_columns(
    headings: Sequence[str], needed: Sequence[str], source: str
) -> list[Problem]:
    return [
        Problem(f"column '{name}' is missing: is this an allocation of fsr-opt?", file=source,
                column=name, code=ErrorCode.MISSING_COLUMN)
        for name in needed if name not in headings
    ]


def view_from_tables(
    label: str,
    allocation: Sequence[Mapping[str, str]],
    summary: Sequence[Mapping[str, str]],
    *,
    allocation_source: str = "allocation.csv",
    summary_source: str = "summary.csv",
) -> RunView:
    """Read a run from the rows of its allocation.csv and summary.csv (text cells by heading).

    Rows may carry ``"__row__"`` (their row in the file) for messages, as
    `files.load_allocation_table` gives them.

    Raises:
        InputError: a column is missing or a cell cannot be read; every problem at once, each
            naming the file, row and column.
    """
    problems: list[Problem] = []
    if allocation:
        problems += _missing_columns(list(allocation[0]), ALLOCATION_NEEDS, allocation_source)
    historical = next((name for name in (summary[0] if summary else ())
                       if _HISTORICAL.fullmatch(name)), "historical")
    if summary:
        needs = [historical if name == "historical" else name for name in SUMMARY_NEEDS]
        problems += _missing_columns(list(summary[0]), needs, summary_source)
    else:
        problems.append(Problem("the summary has no rows", file=summary_source,
                                code=ErrorCode.EMPTY_FILE))
    if problems:
        raise InputError(problems)
    units_reader = _Reader(allocation_source)
    units = []
    seen: set[str] = set()
    for record in allocation:
        unit_id = units_reader.text(record, "unit_id")
        if unit_id in seen:
            units_reader.problems.append(Problem(
                f"the unit id '{unit_id}' appears twice", file=allocation_source,
                row=units_reader._where(record), column="unit_id", code=ErrorCode.DUPLICATE_ID))
        seen.add(unit_id)
        reasons = units_reader.text(record, "exclusion_reasons")
        units.append(UnitView(
            unit_id=unit_id,
            name=units_reader.text(record, "name"),
            operator=units_reader.text(record, "operator"),
            area=units_reader.text(record, "area"),
            service=units_reader.text(record, "service"),
            eligible=units_reader.boolean(record, "eligible"),
            reasons=tuple(r for r in reasons.split(";") if r),
            entitlement=units_reader.cents(record, "entitlement"),
            share=units_reader.fraction(record, "share"),
            award=units_reader.cents(record, "award", blank=None),
            binding=units_reader.text(record, "binding"),
            tranche_1=units_reader.cents(record, "tranche_1"),
            tranche_2=units_reader.cents(record, "tranche_2"),
            row=units_reader._where(record) or 0,
        ))
    lines_reader = _Reader(summary_source)
    lines = []
    budgets: dict[str, int] = {}
    for record in summary:
        area = lines_reader.text(record, "area")
        service = lines_reader.text(record, "service")
        if area == TOTAL:
            continue
        if service == TOTAL:
            budgets[area] = lines_reader.cents(record, "budget", blank=None)
            continue
        lines.append(LineView(
            area=area,
            service=service,
            target=lines_reader.cents(record, "target"),
            historical=lines_reader.cents(record, historical),
            awarded=lines_reader.cents(record, "awarded"),
            deviation=lines_reader.cents(record, "deviation"),
            funded=lines_reader.count(record, "units_funded"),
        ))
    for line in lines:
        if line.area not in budgets:
            lines_reader.problems.append(Problem(
                f"area '{line.area}' has service lines but no TOTAL row with its budget",
                file=summary_source, column="area", code=ErrorCode.MISSING_TOTAL))
            budgets[line.area] = 0
    problems = units_reader.problems + lines_reader.problems
    if problems:
        raise InputError(problems)
    return RunView(label, tuple(units), tuple(lines), budgets)


# ---------------------------------------------------------------------------------------------
# The difference between two runs
# ---------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class UnitChange:
    """How one unit fares in the scenario against the base.

    Attributes:
        change: ``ENTERS``/``LEAVES`` funding, ``GAINS``, ``LOSES``, ``UNCHANGED``, or
            ``ONLY_BASE``/``ONLY_SCENARIO`` when the two runs do not list the same units.
        binding_before, binding_after: the limit binding in each run ("" if absent).
    """

    unit_id: str
    name: str
    operator: str
    area: str
    service: str
    before: int
    after: int
    binding_before: str
    binding_after: str
    change: str

    @property
    def delta(self) -> int:
        """Scenario award minus base award, in cents."""
        return self.after - self.before

    @property
    def binding_changed(self) -> bool:
        """True when a limit starts or stops binding (both runs list the unit)."""
        return self.change not in {"ONLY_BASE", "ONLY_SCENARIO"} and (
            self.binding_before != self.binding_after
        )


@dataclass(frozen=True)
class LineChange:
    """A service line, an area (service ``TOTAL``) or the fund (both ``TOTAL``) in two runs.

    Budgets are set on area and fund rows only (a line's budget is its target).
    """

    area: str
    service: str
    budget_before: int | None
    budget_after: int | None
    target_before: int
    target_after: int
    awarded_before: int
    awarded_after: int
    distance_before: int
    distance_after: int
    funded_before: int
    funded_after: int


@dataclass(frozen=True)
class RunDiff:
    """Everything `diff_runs` finds, in the order the reports show it."""

    base: str
    scenario: str
    lines: tuple[LineChange, ...]
    units: tuple[UnitChange, ...]

    def count(self, change: str) -> int:
        """Number of units with this ``change`` code."""
        return sum(1 for unit in self.units if unit.change == change)

    @property
    def binding_changes(self) -> int:
        """Units whose binding limit differs between the runs."""
        return sum(1 for unit in self.units if unit.binding_changed)


def _change_code(before: int | None, after: int | None) -> str:
    if before is None:
        return "ONLY_SCENARIO"
    if after is None:
        return "ONLY_BASE"
    if before == 0 and after > 0:
        return "ENTERS"
    if before > 0 and after == 0:
        return "LEAVES"
    if after > before:
        return "GAINS"
    if after < before:
        return "LOSES"
    return "UNCHANGED"


def _unit_changes(base: RunView, scenario: RunView) -> list[UnitChange]:
    """Base order first, then the units only the scenario lists, in its order."""
    after = {unit.unit_id: unit for unit in scenario.units}
    before_ids = {unit.unit_id for unit in base.units}
    changes = []
    for unit in base.units:
        other = after.get(unit.unit_id)
        changes.append(UnitChange(
            unit.unit_id, unit.name, unit.operator, unit.area, unit.service, unit.award,
            other.award if other else 0, unit.binding, other.binding if other else "",
            _change_code(unit.award, other.award if other else None),
        ))
    for unit in scenario.units:
        if unit.unit_id not in before_ids:
            changes.append(UnitChange(
                unit.unit_id, unit.name, unit.operator, unit.area, unit.service, 0, unit.award,
                "", unit.binding, "ONLY_SCENARIO",
            ))
    return changes


def _ordered_keys(first: Sequence[K], second: Sequence[K]) -> list[K]:
    """Keys of `first` in order, then those only in `second` (rule sets may differ)."""
    return list(dict.fromkeys([*first, *second]))


def _line_changes(base: RunView, scenario: RunView) -> list[LineChange]:
    empty = LineView("", "", 0, 0, 0, 0, 0)
    by_before = {(line.area, line.service): line for line in base.lines}
    by_after = {(line.area, line.service): line for line in scenario.lines}
    areas = _ordered_keys(list(base.budgets), list(scenario.budgets))
    rows: list[LineChange] = []
    fund = [0, 0, 0, 0, 0, 0, 0, 0, 0, 0]
    for area in areas:
        keys = [k for k in _ordered_keys(list(by_before), list(by_after)) if k[0] == area]
        sums = [0, 0, 0, 0, 0, 0, 0, 0]
        for key in keys:
            one, two = by_before.get(key, empty), by_after.get(key, empty)
            values = (one.target, two.target, one.awarded, two.awarded, one.distance,
                      two.distance, one.funded, two.funded)
            rows.append(LineChange(area, key[1], None, None, *values))
            sums = [s + v for s, v in zip(sums, values, strict=True)]
        budgets = (base.budgets.get(area, 0), scenario.budgets.get(area, 0))
        rows.append(LineChange(area, TOTAL, *budgets, *budgets, *sums[2:]))
        fund = [f + v for f, v in zip(fund, [*budgets, *budgets, *sums[2:]], strict=True)]
    rows.append(LineChange(TOTAL, TOTAL, *fund))
    return rows


def diff_runs(base: RunView, scenario: RunView) -> RunDiff:
    """Compare two runs: every area and service line, and every unit of either run."""
    return RunDiff(base.label, scenario.label, tuple(_line_changes(base, scenario)),
                   tuple(_unit_changes(base, scenario)))


DIFF_COLUMNS = (
    "unit_id", "name", "operator", "area", "service", "change", "award_base",
    "award_scenario", "award_change", "binding_base", "binding_scenario", "binding_changed",
)
DIFF_NUMERIC = ("award_base", "award_scenario", "award_change")
DIFF_SUMMARY_COLUMNS = (
    "area", "service", "budget_base", "budget_scenario", "budget_change", "target_base",
    "target_scenario", "awarded_base", "awarded_scenario", "awarded_change", "distance_base",
    "distance_scenario", "distance_change", "units_funded_base", "units_funded_scenario",
    "units_funded_change",
)
DIFF_SUMMARY_NUMERIC = DIFF_SUMMARY_COLUMNS[2:]


def diff_rows(diff: RunDiff) -> list[list[str]]:
    """The rows of whatif.csv / compare.csv: one per unit, in the base's order."""
    return [
        [unit.unit_id, unit.name, unit.operator, unit.area, unit.service, unit.change,
         format_cents(unit.before), format_cents(unit.after), format_cents(unit.delta),
         unit.binding_before, unit.binding_after, "true" if unit.binding_changed else "false"]
        for unit in diff.units
    ]


def diff_summary_rows(diff: RunDiff) -> list[list[str]]:
    """The rows of whatif_summary.csv: each line, its area's total, then the fund's total."""
    rows = []
    for line in diff.lines:
        budget = ["", "", ""]
        if line.budget_before is not None and line.budget_after is not None:
            budget = [format_cents(line.budget_before), format_cents(line.budget_after),
                      format_cents(line.budget_after - line.budget_before)]
        rows.append([
            line.area, line.service, *budget,
            format_cents(line.target_before), format_cents(line.target_after),
            format_cents(line.awarded_before), format_cents(line.awarded_after),
            format_cents(line.awarded_after - line.awarded_before),
            format_cents(line.distance_before), format_cents(line.distance_after),
            format_cents(line.distance_after - line.distance_before),
            str(line.funded_before), str(line.funded_after),
            str(line.funded_after - line.funded_before),
        ])
    return rows


_DIFF_TEXT = {
    "it": {
        "title": "Confronto: {base} -> {scenario}",
        "awarded": "assegnato", "distance": "distanza dal 2024",
        "area": "area / linea", "base": "base", "scenario": "scenario", "change": "differenza",
        "budget": "budget {before} -> {after} ({delta})",
        "units": "unità: {GAINS} aumentano, {LOSES} diminuiscono, {ENTERS} entrano nel "
                 "finanziamento, {LEAVES} ne escono;\n  il limite vincolante cambia per {binding}",
        "only": "{ONLY_BASE} unità solo nella base, {ONLY_SCENARIO} solo nello scenario",
        "largest": "variazioni maggiori:",
        "none": "nessuna unità cambia contributo",
        "more": "  ... e altre {n} (elenco completo in {file})",
    },
    "en": {
        "title": "Comparison: {base} -> {scenario}",
        "awarded": "awarded", "distance": "distance from 2024",
        "area": "area / line", "base": "base", "scenario": "scenario", "change": "change",
        "budget": "budget {before} -> {after} ({delta})",
        "units": "units: {GAINS} gain, {LOSES} lose, {ENTERS} enter funding, {LEAVES} leave "
                 "it;\n  the binding limit changes for {binding}",
        "only": "{ONLY_BASE} units only in the base, {ONLY_SCENARIO} only in the scenario",
        "largest": "largest changes:",
        "none": "no unit's award changes",
        "more": "  ... and {n} more (full list in {file})",
    },
}


def diff_text(diff: RunDiff, *, lang: str = "it", top: int = 8, file: str = "whatif.csv") -> str:
    """One screen: the areas and lines before and after, then the units that move most."""
    words = _DIFF_TEXT[lang]
    width = 13
    lines = [
        words["title"].format(base=diff.base, scenario=diff.scenario),
        "",
        f"{'':<22}{words['awarded']:^{3 * width}}{words['distance']:^{2 * width}}",
        f"{words['area']:<22}{words['base']:>{width}}{words['scenario']:>{width}}"
        f"{words['change']:>{width}}{words['base']:>{width}}{words['scenario']:>{width}}",
    ]
    def numbers(line: LineChange) -> str:
        return (
            f"{money(line.awarded_before, lang):>{width}}{money(line.awarded_after, lang):>{width}}"
            f"{signed_money(line.awarded_after - line.awarded_before, lang):>{width}}"
            f"{money(line.distance_before, lang):>{width}}"
            f"{money(line.distance_after, lang):>{width}}"
        )

    pending: list[str] = []  # an area's lines come before its total in `diff.lines`
    for line in diff.lines:
        if line.service != TOTAL:
            pending.append(f"  {line.service[:20]:<20}{numbers(line)}")
            continue
        lines.append(f"{line.area[:22]:<22}{numbers(line)}")
        if line.budget_before is not None and line.budget_after is not None:
            lines.append("  " + words["budget"].format(
                before=money(line.budget_before, lang), after=money(line.budget_after, lang),
                delta=signed_money(line.budget_after - line.budget_before, lang)))
        lines += pending
        pending = []
    counts = {code: diff.count(code) for code in CHANGES["en"]}
    lines += ["", words["units"].format(binding=diff.binding_changes, **counts)]
    if counts["ONLY_BASE"] or counts["ONLY_SCENARIO"]:
        lines.append(words["only"].format(**counts))
    moved = sorted((u for u in diff.units if u.delta or u.binding_changed),
                   key=lambda u: (-abs(u.delta), u.unit_id))
    if not moved:
        lines.append(words["none"])
        return "\n".join(lines)
    lines.append(words["largest"])
    id_width = min(max(len(unit.unit_id) for unit in moved[:top]), 16)
    for unit in moved[:top]:
        binding = unit.binding_after if not unit.binding_changed else (
            f"{unit.binding_before or '-'} -> {unit.binding_after or '-'}")
        lines.append(
            f"  {unit.unit_id[:id_width]:<{id_width}} {unit.name[:20]:<20} "
            f"{money(unit.before, lang):>10} -> "
            f"{money(unit.after, lang):>10} {signed_money(unit.delta, lang):>10}  {binding}"
        )
    if len(moved) > top:
        lines.append(words["more"].format(n=len(moved) - top, file=file))
    return "\n".join(lines)


# ---------------------------------------------------------------------------------------------
# Sweeps
# ---------------------------------------------------------------------------------------------

MAX_SWEEP_POINTS = 500


@dataclass(frozen=True)
class SweepAxis:
    """The parameter a sweep moves and the values it takes, smallest first.

    Attributes:
        option: ``--budget`` (the fund, euros) or ``--share`` (one area's percent).
        area: the area of a share sweep; None for the budget.
    """

    option: str
    area: str | None
    values: tuple[Decimal, ...]

    @property
    def column(self) -> str:
        """The name of the swept value's column in sweep.csv."""
        return "budget" if self.area is None else f"share_{self.area}"


def parse_range(text: str, option: str, *, places: int, upper: Decimal | None = None
                ) -> tuple[Decimal, ...]:
    """Read ``FROM:TO:STEP`` into the values FROM, FROM+STEP, ... up to TO (included).

    Args:
        text: the range as typed.
        option: the option's name, for messages.
        places: most decimals a value may have (2 for euros).
        upper: largest value allowed (100 for a percent).

    Raises:
        InputError: not three numbers, a negative or too precise value, FROM above TO,
            STEP not positive, or more than `MAX_SWEEP_POINTS` points.
    """
    shape = f"{option} FROM:TO:STEP, e.g. {option} 800000:900000:25000"
    parts = text.split(":")
    if len(parts) != 3:
        raise InputError(f"{option} '{text}' is not a range; write {shape}", ErrorCode.BAD_OPTION)
    try:
        start, stop, step = (Decimal(part.strip()) for part in parts)
    except InvalidOperation:
        raise InputError(f"{option} '{text}': FROM, TO and STEP must be numbers; write {shape}",
                         ErrorCode.BAD_OPTION) from None
    problems = []
    for name, value in (("FROM", start), ("TO", stop), ("STEP", step)):
        if not value.is_finite():
            problems.append(f"{name} {value} is not a number")
        elif value.as_tuple().exponent < -places:  # type: ignore[operator]
            problems.append(f"{name} {value} has more than {places} decimals")
    if not problems:
        if start < 0:
            problems.append(f"FROM {start} is negative")
        if upper is not None and stop > upper:
            problems.append(f"TO {stop} is above {upper}")
        if step <= 0:
            problems.append(f"STEP {step} must be greater than 0")
        elif stop < start:
            problems.append(f"FROM {start} is above TO {stop}")
    if problems:
        raise InputError(f"{option} '{text}': " + "; ".join(problems), ErrorCode.BAD_OPTION)
    count = math.floor((stop - start) / step) + 1
    if count > MAX_SWEEP_POINTS:
        raise InputError(f"{option} '{text}' gives {count} points; at most "
                         f"{MAX_SWEEP_POINTS}: use a larger STEP", ErrorCode.BAD_OPTION)
    return tuple(start + i * step for i in range(count))


def share_overrides(
    area: str, value: Decimal, shares: Mapping[str, Fraction]
) -> list[tuple[str, str]]:
    """Overrides setting one area's share; the other areas share the rest as before.

    The other areas keep their proportions, each rounded to 6 decimals of a percent by largest
    remainder, so that the shares still total exactly 100 as the rules require.

    Raises:
        InputError: the area is unknown, or the others cannot take the rest (all at 0%).
    """
    if area not in shares:
        raise InputError(f"--share: unknown area '{area}'; areas: {', '.join(shares)}",
                         ErrorCode.BAD_OPTION)
    scale = 10**6
    others = {code: share for code, share in shares.items() if code != area}
    rest = (100 - Fraction(value)) * scale
    weight = sum(others.values(), Fraction(0))
    if rest and not weight:
        raise InputError(f"--share {area}={value}: the other areas have no share to take the "
                         f"remaining {100 - value}%", ErrorCode.BAD_OPTION)
    quotas = [(code, rest * share / weight if weight else Fraction(0))
              for code, share in others.items()]
    parts = largest_remainder(int(rest), quotas)
    pairs = [(f"areas.{area}.share", format(value, "f"))]
    pairs += [(f"areas.{code}.share", format(Decimal(parts[code]) / scale, "f"))
              for code in others]
    return pairs


def point_overrides(
    axis: SweepAxis, value: Decimal, shares: Mapping[str, Fraction]
) -> list[tuple[str, str]]:
    """The rule-set overrides of one sweep point (applied after the fixed ones)."""
    if axis.area is None:
        return [("fund", format(value, "f"))]
    return share_overrides(axis.area, value, shares)


@dataclass(frozen=True)
class SweepRow:
    """The outcome of one sweep point.

    Attributes:
        status: ``optimal``, or why the point has no riparto (``infeasible``,
            ``solver_failure``, ``input_error``), with the `message`.
        awarded: cents per service line; spent: cents per area (empty if not optimal).
    """

    value: Decimal
    status: str
    awarded: Mapping[str, int] = field(default_factory=dict)
    spent: Mapping[str, int] = field(default_factory=dict)
    units_funded: int = 0
    message: str = ""


def sweep_row(value: Decimal, result: SolveResult, rules: RuleSet) -> SweepRow:
    """Summarise a solved point: per line awarded, per area spent, units funded."""
    allocation = result.allocation
    if allocation is None or not result.is_ok:
        return SweepRow(value, result.status.value, message="; ".join(result.messages))
    awarded = {s.code: allocation.services[s.code].awarded for a in rules.areas
               for s in a.services}
    spent = {a.code: sum(awarded[s.code] for s in a.services) for a in rules.areas}
    funded = sum(1 for award in allocation.awards.values() if award > 0)
    return SweepRow(value, "optimal", awarded, spent, funded, "; ".join(result.messages))


def failed_row(value: Decimal, error: FsrOptError) -> SweepRow:
    """A point whose rules cannot hold or whose solver failed: kept, with the reason."""
    if isinstance(error, InfeasibleError):
        status = "infeasible"
    elif isinstance(error, SolverError):
        status = "solver_failure"
    else:
        status = "input_error"
    return SweepRow(value, status, message=" | ".join(str(p) for p in error.problems))


@dataclass(frozen=True)
class SweepOutcome:
    """The finished points of a sweep (by value), and whether it was cut short."""

    rows: tuple[SweepRow, ...]
    total: int
    interrupted: bool


def _detach_from_ctrl_c() -> None:
    """Worker initialiser: Ctrl-C is the parent's to handle (it keeps what is finished).

    The worker ignores SIGINT and moves to its own process group, so that the terminal's
    Ctrl-C reaches neither it nor the CBC process it starts: a point running when the user
    stops the sweep finishes normally instead of being recorded as a solver failure.
    """
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    if hasattr(os, "setpgrp"):
        os.setpgrp()


def default_workers() -> int:
    """The machine's cores (at least 1)."""
    return max(1, os.cpu_count() or 1)


def run_sweep(
    values: Sequence[Decimal],
    solve_point: Callable[[Decimal], SweepRow],
    *,
    workers: int,
    progress: Callable[[SweepRow], None] | None = None,
) -> SweepOutcome:
    """Solve every point, in parallel when `workers` > 1, and keep all finished points.

    A KeyboardInterrupt (Ctrl-C in the parent, or raised by a point) stops the sweep: the
    points not started are cancelled, the running ones finish, and the outcome holds every
    finished point with ``interrupted`` set, so that the caller can still write them.

    Args:
        values: the swept values.
        solve_point: picklable when `workers` > 1 (a module-level function or a partial of
            one); returns the point's row, turning expected failures into a status.
        workers: processes to use; 1 solves in this process, in value order.
        progress: called in this process with each finished row (for a progress bar).
    """
    done: list[SweepRow] = []

    def finished(row: SweepRow) -> None:
        done.append(row)
        if progress is not None:
            progress(row)

    interrupted = False
    if workers <= 1 or len(values) <= 1:
        try:
            for value in values:
                finished(solve_point(value))
        except KeyboardInterrupt:
            interrupted = True
    else:
        interrupted = run_in_pool(values, solve_point, min(workers, len(values)), finished)
    rows = tuple(sorted(done, key=lambda row: row.value))
    # Stopped after the last point finished: nothing is missing, so nothing was interrupted.
    return SweepOutcome(rows, len(values), interrupted and len(rows) < len(values))


def run_in_pool(
    items: Sequence[T],
    work: Callable[[T], R],
    workers: int,
    finished: Callable[[R], None],
) -> bool:
    """Run `work` on every item in a process pool, calling `finished` here with each result.

    Ctrl-C is the parent's (`_detach_from_ctrl_c`): on a KeyboardInterrupt the items not
    started are cancelled, the running ones finish and are reported too.

    Args:
        items: the work's inputs, picklable.
        work: picklable (a module-level function or a partial of one); it should turn the
            failures it expects into results.
        workers: processes in the pool.
        finished: called in this process with each result, in order of completion.

    Returns:
        True if interrupted.
    """
    pool = ProcessPoolExecutor(max_workers=workers, initializer=_detach_from_ctrl_c)
    futures: list[Future[R]] = []
    reported: set[int] = set()
    interrupted = False
    try:
        futures = [pool.submit(work, item) for item in items]
        for future in as_completed(futures):
            reported.add(id(future))
            finished(future.result())
    except KeyboardInterrupt:
        interrupted = True
        pool.shutdown(wait=True, cancel_futures=True)
        for future in futures:  # items that finished while we stopped: keep them too
            if id(future) in reported or future.cancelled() or not future.done():
                continue
            if future.exception() is None:
                finished(future.result())
    finally:
        pool.shutdown(wait=True, cancel_futures=True)
    return interrupted


def sweep_columns(axis: SweepAxis, rules: RuleSet) -> tuple[str, ...]:
    """sweep.csv's heading: the value, each line's award, each area's spend, units, status."""
    return (
        axis.column,
        *(f"awarded_{s.code}" for a in rules.areas for s in a.services),
        *(f"spent_{a.code}" for a in rules.areas),
        "units_funded", "status", "message",
    )


def sweep_rows(outcome: SweepOutcome, rules: RuleSet) -> list[list[str]]:
    """One row per finished point, by value; amounts empty for a point without a riparto."""
    services = [s.code for a in rules.areas for s in a.services]
    areas = [a.code for a in rules.areas]
    rows = []
    for row in outcome.rows:
        ok = row.status == "optimal"
        rows.append([
            format(row.value, "f"),
            *(format_cents(row.awarded.get(s, 0)) if ok else "" for s in services),
            *(format_cents(row.spent.get(a, 0)) if ok else "" for a in areas),
            str(row.units_funded) if ok else "",
            row.status,
            row.message,
        ])
    return rows


# ---------------------------------------------------------------------------------------------
# One unit explained
# ---------------------------------------------------------------------------------------------

_EXPLAIN_TEXT = {
    "it": {
        "title": "Unità {id}: {name}",
        "who": "ente gestore {operator}\ncomune {municipality}; tipologia {type} ({label}), "
               "{ownership}",
        "where": "area {area}, linea di servizio {service}",
        "public": "pubblica", "private": "privata",
        "access": "Criteri di accesso",
        "pass": "ok", "fail": "NO", "off": "--",
        "eligible": "esito: ammessa", "excluded": "esito: esclusa ({codes})",
        "cap": "Importo spettante (tetto)",
        "deficit": "disavanzo {history_year} = costi {costs} - ricavi {revenues} = {deficit}",
        "formula": "formula ({cls}) = base {base} + {rate} x {users} utenti = {amount}",
        "no_formula": "nessuna formula: {why}; tetto = disavanzo",
        "why_public": "unità pubblica o servizio comunale, quota proporzionale al costo",
        "cap_is": "tetto = {rule} = {cap} ({source})",
        "proration": "proporzione attività {days}/{year_days} giorni (cessata il {end})",
        "full_year": "attiva tutto l'anno: proporzione 1",
        "entitlement": "spettanza = {cap} x {proration}, per difetto al centesimo = {value}",
        "entitlement_zero": "spettanza 0: esclusa dai criteri di accesso",
        "entitlement_full": "spettanza = tetto = {value}",
        "share": "Quota della linea {service}: lambda = {share} ({awarded} su {funded} di "
                 "spettanze finanziate)",
        "no_share": "Linea {service}: nessuna unità finanziata",
        "award": "contributo = {award}; minimo {minimum}",
        "exact": "  lambda x spettanza = {exact} EUR, arrotondato al centesimo",
        "binding": "limite vincolante: {code}\n    {text}",
        "budget": "budget area {area}: {budget}, assegnato {spent}",
        "payments": "pagamenti: prima tranche {first}, seconda tranche {second}",
        "single": "\n    importo fino a {threshold}: pagato in un'unica soluzione",
        "formula_min": "min(disavanzo, formula)",
        "deficit_only": "disavanzo",
    },
    "en": {
        "title": "Unit {id}: {name}",
        "who": "operator {operator}\nmunicipality {municipality}; type {type} ({label}), "
               "{ownership}",
        "where": "area {area}, service line {service}",
        "public": "public", "private": "private",
        "access": "Access criteria",
        "pass": "ok", "fail": "NO", "off": "--",
        "eligible": "result: eligible", "excluded": "result: excluded ({codes})",
        "cap": "Entitlement (cap)",
        "deficit": "{history_year} deficit = costs {costs} - revenues {revenues} = {deficit}",
        "formula": "formula ({cls}) = base {base} + {rate} x {users} users = {amount}",
        "no_formula": "no formula: {why}; cap = deficit",
        "why_public": "public unit or municipal service, funded in proportion to its cost",
        "cap_is": "cap = {rule} = {cap} ({source})",
        "proration": "proration {days}/{year_days} days of activity (ceased on {end})",
        "full_year": "active all year: proration 1",
        "entitlement": "entitlement = {cap} x {proration}, floored to the cent = {value}",
        "entitlement_zero": "entitlement 0: excluded by the access criteria",
        "entitlement_full": "entitlement = cap = {value}",
        "share": "Share of line {service}: lambda = {share} ({awarded} of {funded} funded "
                 "entitlements)",
        "no_share": "Line {service}: no unit funded",
        "award": "award = {award}; minimum {minimum}",
        "exact": "  lambda x entitlement = {exact} EUR, rounded to the cent",
        "binding": "binding limit: {code}\n    {text}",
        "budget": "area {area} budget: {budget}, awarded {spent}",
        "payments": "payments: first tranche {first}, second tranche {second}",
        "single": "\n    award up to {threshold}: paid at once",
        "formula_min": "min(deficit, formula)",
        "deficit_only": "deficit",
    },
}

_TEST_DATA = {
    "it": {
        "NOT_IN_REGISTRY": "presente in AFAM: {registry}",
        "NOT_AUTHORIZED": "autorizzazione/CPE: {authorized}",
        "OUTSIDE_AMBITO": "comune {municipality} {inside} comuni dell'Ambito",
        "STARTED_IN_YEAR": "inizio attività {start}; escluse se dal {year_start}",
        "CEASED_BEFORE_YEAR": "cessazione: {end}",
        "EXPERIMENTAL": "sperimentale: {experimental}; mantiene i requisiti: {keeps}",
        "MISSING_DATA_DECLARATION": "dichiarazione Minori Web: {declared}",
        "NO_DEFICIT": "disavanzo {deficit}",
        "NOT_APPLIED": "istanza presentata: {applied}",
        "switched_off": "criterio non applicato dalle regole",
        "not_applicable": "non richiesto per questa tipologia",
        "none": "nessuna",
    },
    "en": {
        "NOT_IN_REGISTRY": "in AFAM: {registry}",
        "NOT_AUTHORIZED": "authorisation/CPE: {authorized}",
        "OUTSIDE_AMBITO": "municipality {municipality} {inside} the Ambito's municipalities",
        "STARTED_IN_YEAR": "started {start}; excluded from {year_start}",
        "CEASED_BEFORE_YEAR": "ceased: {end}",
        "EXPERIMENTAL": "experimental: {experimental}; keeps requirements: {keeps}",
        "MISSING_DATA_DECLARATION": "Minori Web declaration: {declared}",
        "NO_DEFICIT": "deficit {deficit}",
        "NOT_APPLIED": "application submitted: {applied}",
        "switched_off": "criterion switched off by the rules",
        "not_applicable": "not required for this type",
        "none": "none",
    },
}


@dataclass(frozen=True)
class CriterionCheck:
    """One access criterion applied to one unit, with the data it looked at.

    Attributes:
        status: ``pass``, ``fail``, or ``off`` (switched off, or not for this unit type).
    """

    reason: ExclusionReason
    status: str
    data: str


def _date_text(day: date, lang: str) -> str:
    return day.strftime("%d/%m/%Y") if lang == "it" else day.isoformat()


def _maybe(value: bool | None, lang: str) -> str:
    return "-" if value is None else yes_no(value, lang)


def criterion_checks(
    item: Assessment, rules: RuleSet, lang: str = "it"
) -> tuple[CriterionCheck, ...]:
    """Every access criterion with the unit's data; failures are exactly `item.reasons`.

    Only the wording is built here; pass or fail is read from the assessment, so the screen can
    never disagree with the riparto.
    """
    words = _TEST_DATA[lang]
    unit = item.unit
    kind = rules.unit_types.get(unit.unit_type)
    switches = rules.eligibility
    municipal = kind.municipal_service if kind else False
    in_ambito = normalize_name(unit.municipality) in {
        normalize_name(name) for name in rules.municipalities}

    def date_text(day: date) -> str:
        return _date_text(day, lang)

    data = {
        "registry": yes_no(unit.in_registry, lang),
        "authorized": yes_no(unit.authorized, lang),
        "municipality": unit.municipality,
        "inside": (("è tra i" if lang == "it" else "among") if in_ambito
                   else ("non è tra i" if lang == "it" else "not among")),
        "start": date_text(unit.start_date),
        "year_start": date_text(unit.start_date.replace(year=rules.year, month=1, day=1)),
        "end": date_text(unit.end_date) if unit.end_date else words["none"],
        "experimental": yes_no(unit.experimental, lang),
        "keeps": _maybe(unit.keeps_requirements, lang),
        "declared": _maybe(unit.data_declared, lang),
        "deficit": money(item.deficit, lang),
        "applied": yes_no(unit.applied, lang),
    }
    active = {
        ExclusionReason.NOT_IN_REGISTRY: (switches.require_registry, not municipal),
        ExclusionReason.NOT_AUTHORIZED: (switches.require_authorization, not municipal),
        ExclusionReason.OUTSIDE_AMBITO: (switches.require_in_ambito, True),
        ExclusionReason.STARTED_IN_YEAR: (switches.exclude_started_in_year, True),
        ExclusionReason.CEASED_BEFORE_YEAR: (switches.exclude_ceased_before_year, True),
        ExclusionReason.EXPERIMENTAL: (switches.exclude_experimental, True),
        ExclusionReason.MISSING_DATA_DECLARATION: (
            switches.require_data_declaration,
            bool(kind and kind.requires_data_declaration)),
        ExclusionReason.NO_DEFICIT: (switches.require_deficit, True),
        ExclusionReason.NOT_APPLIED: (switches.require_application, True),
    }
    checks = []
    for reason in ExclusionReason:
        switched_on, applies = active[reason]
        text = words[reason.value].format(**data)
        if reason in item.reasons:
            checks.append(CriterionCheck(reason, "fail", text))
        elif not switched_on:
            checks.append(CriterionCheck(reason, "off", f"{text} ({words['switched_off']})"))
        elif not applies:
            checks.append(CriterionCheck(reason, "off", f"{text} ({words['not_applicable']})"))
        else:
            checks.append(CriterionCheck(reason, "pass", text))
    return tuple(checks)


def explain_unit(
    item: Assessment,
    view: UnitView,
    service: ServiceResult,
    rules: RuleSet,
    *,
    area_budget: int,
    area_spent: int,
    lang: str = "it",
) -> str:
    """One screen about one unit: access tests, cap arithmetic, share, binding, payments.

    Args:
        item: the unit's assessment (exact data).
        rules: the rule set of the run.
        view: its row of the allocation (award, binding, payments) as reported.
        service: its service line's result (lambda, funded entitlements).
        area_budget: cents, the budget of the unit's area.
        area_spent: cents awarded in the unit's area.
        lang: ``it`` or ``en``.
    """
    words = _EXPLAIN_TEXT[lang]
    unit = item.unit
    kind = rules.unit_types.get(unit.unit_type)

    def eur(cents: int) -> str:
        return f"{money(cents, lang)} EUR"

    lines = [
        words["title"].format(id=unit.unit_id, name=unit.name),
        words["who"].format(
            operator=unit.operator or "-", municipality=unit.municipality, type=unit.unit_type,
            label=kind.label if kind else "?",
            ownership=words["public" if unit.ownership is Ownership.PUBLIC else "private"]),
        words["where"].format(area=item.area, service=item.service),
        "",
        words["access"],
    ]
    for check in criterion_checks(item, rules, lang):
        mark = words[check.status]
        lines.append(f"  [{mark:^4}] {check.reason.value:<25} {check.data}")
    codes = ", ".join(r.value for r in item.reasons)
    lines.append("  " + (words["eligible"] if item.eligible else
                         words["excluded"].format(codes=codes)))
    lines += ["", words["cap"]]
    lines.append("  " + words["deficit"].format(
        history_year=rules.history_year, costs=money(unit.costs, lang),
        revenues=money(unit.revenues, lang), deficit=eur(item.deficit)))
    formula_class = rules.formula_classes.get(kind.formula_class) if (
        kind and kind.formula_class) else None
    if item.formula_amount is not None and formula_class is not None:
        lines.append("  " + words["formula"].format(
            cls=formula_class.code, base=money(formula_class.base, lang),
            rate=money(formula_class.rate_per_user, lang), users=unit.users,
            amount=eur(item.formula_amount)))
        rule = words["formula_min"]
        cap = min(item.formula_amount, max(item.deficit, 0))
    else:
        lines.append("  " + words["no_formula"].format(why=words["why_public"]))
        rule = words["deficit_only"]
        cap = max(item.deficit, 0)
    lines.append("  " + words["cap_is"].format(rule=rule, cap=eur(cap),
                                               source=item.cap_source.value))
    if item.proration != 1 and unit.end_date is not None:
        lines.append("  " + words["proration"].format(
            days=item.proration.numerator, year_days=item.proration.denominator,
            end=_date_text(unit.end_date, lang)))
    else:
        lines.append("  " + words["full_year"])
    if item.eligible and item.proration == 1:
        lines.append("  " + words["entitlement_full"].format(value=eur(item.entitlement)))
    elif item.eligible:
        lines.append("  " + words["entitlement"].format(
            cap=money(cap, lang), proration=_proration_text(item.proration, lang),
            value=eur(item.entitlement)))
    else:
        lines.append("  " + words["entitlement_zero"])
    lines.append("")
    if service.funded_entitlement:
        lines.append(words["share"].format(
            service=item.service, share=ratio(service.share, 6, lang),
            awarded=money(service.awarded, lang), funded=money(service.funded_entitlement, lang)))
    else:
        lines.append(words["no_share"].format(service=item.service))
    lines.append("  " + words["award"].format(award=eur(view.award),
                                              minimum=eur(rules.minimum_award)))
    if view.award and service.funded_entitlement:
        exact = service.share * item.entitlement
        lines.append(words["exact"].format(exact=ratio(exact / 100, 4, lang)))
    lines.append("  " + words["binding"].format(code=view.binding,
                                                text=describe(BINDINGS, view.binding, lang)))
    if not item.eligible:
        lines += [f"    {describe(REASONS, r.value, lang)}" for r in item.reasons]
    lines.append("  " + words["budget"].format(
        area=item.area, budget=eur(area_budget),
        spent=eur(area_spent)))
    first, second = tranches(view.award, rules)
    single = words["single"].format(threshold=eur(rules.single_payment_threshold)) if (
        0 < view.award <= rules.single_payment_threshold) else ""
    lines.append("  " + words["payments"].format(first=eur(first), second=eur(second)) + single)
    return "\n".join(lines)


def _proration_text(value: Fraction, lang: str) -> str:
    if value == 1:
        return "1"
    return f"{value.numerator}/{value.denominator}"


def find_unit(
    unit_id: str, units: Sequence[UnitView], source: str
) -> UnitView:
    """Return the unit with this id (exact, then ignoring case and spaces).

    Raises:
        InputError: no such unit; the message suggests the nearest ids.
    """
    for view in units:
        if view.unit_id == unit_id:
            return view
    folded = normalize_name(unit_id)
    matches = [view for view in units if normalize_name(view.unit_id) == folded]
    if len(matches) == 1:
        return matches[0]
    near = difflib.get_close_matches(unit_id, [v.unit_id for v in units], n=3, cutoff=0.6)
    hint = f"; did you mean {', '.join(near)}?" if near else ""
    raise InputError([Problem(f"no unit with id '{unit_id}'{hint}", file=source,
                              column="unit_id", code=ErrorCode.UNKNOWN_UNIT)])


_SWEEP_TEXT = {
    "it": {"title": "Sweep di {option}: {done} punti su {total}", "funded": "finanziate",
           "status": "esito", "more": "... e altri {n} punti (tabella completa in sweep.csv)",
           "interrupted": "INTERROTTO: conservati i {done} punti completati su {total}"},
    "en": {"title": "Sweep of {option}: {done} of {total} points", "funded": "funded",
           "status": "status", "more": "... and {n} more points (full table in sweep.csv)",
           "interrupted": "INTERRUPTED: kept the {done} finished points of {total}"},
}


def sweep_text(outcome: SweepOutcome, axis: SweepAxis, rules: RuleSet, *, lang: str = "it",
               limit: int = 20) -> str:
    """One screen: per point the swept value, each area's spend and the units funded."""
    words = _SWEEP_TEXT[lang]
    option = axis.option if axis.area is None else f"{axis.option} {axis.area}"
    areas = [area.code for area in rules.areas]
    lines = [
        words["title"].format(option=option, done=len(outcome.rows), total=outcome.total),
        "",
        f"{axis.column:>14}" + "".join(f"{code[:13]:>14}" for code in areas)
        + f"{words['funded']:>12}  {words['status']}",
    ]
    shown = outcome.rows if len(outcome.rows) <= limit else outcome.rows[:limit]
    for row in shown:
        value = money(int(row.value * 100), lang) if axis.area is None else (
            ratio(Fraction(row.value), 4, lang))
        ok = row.status == "optimal"
        spent = "".join(f"{money(row.spent.get(code, 0), lang) if ok else '-':>14}"
                        for code in areas)
        funded = str(row.units_funded) if ok else "-"
        lines.append(f"{value:>14}{spent}{funded:>12}  {row.status}")
    if len(outcome.rows) > limit:
        lines.append(words["more"].format(n=len(outcome.rows) - limit))
    if outcome.interrupted:
        lines += ["", words["interrupted"].format(done=len(outcome.rows), total=outcome.total)]
    return "\n".join(lines)
