"""The difference between two runs: per area and service line, and per unit.

`diff_runs` compares two `RunView`s (a what-if's two solves, or two saved folders): per area
and service line the budget, the amount awarded and the distance from the historical pattern;
per unit who gains, loses, enters or leaves funding, and which limit starts or stops binding.
`diff_rows`, `diff_summary_rows` and `diff_text` render it for whatif.csv / compare.csv and
the screen.
"""

from __future__ import annotations

from collections.abc import Hashable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from enum import StrEnum
from typing import TypeVar

from fsr_opt.core.i18n import translate
from fsr_opt.core.money import format_cents
from fsr_opt.core.words import (
    binding_label,
    money,
    phrases,
    signed_money,
    text,
    with_year,
)
from fsr_opt.io.cells import normalize_id
from fsr_opt.whatif.view import TOTAL, LineView, RunView

K = TypeVar("K", bound=Hashable)


class Change(StrEnum):
    """How one unit's award moves from the base to the scenario (whatif.csv ``change``)."""

    ENTERS = "ENTERS"
    LEAVES = "LEAVES"
    GAINS = "GAINS"
    LOSES = "LOSES"
    UNCHANGED = "UNCHANGED"
    ONLY_BASE = "ONLY_BASE"
    ONLY_SCENARIO = "ONLY_SCENARIO"


@dataclass(frozen=True)
class UnitChange:
    """How one unit fares in the scenario against the base.

    Attributes:
        change: ``ENTERS``/``LEAVES`` funding, ``GAINS``, ``LOSES``, ``UNCHANGED``, or
            ``ONLY_BASE``/``ONLY_SCENARIO`` when the two runs do not list the same units.
        before, after: the award in each run, in cents (0 when the run does not list it).
        binding_before, binding_after: the limit binding in each run ("" if absent).
        municipality: the unit's Comune (the base's, or the scenario's when only it has it).
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
    change: Change
    municipality: str = ""

    @property
    def delta(self) -> int:
        """Scenario award minus base award, in cents."""
        return self.after - self.before

    @property
    def binding_changed(self) -> bool:
        """True when a limit starts or stops binding (both runs list the unit)."""
        return self.change not in {Change.ONLY_BASE, Change.ONLY_SCENARIO} and (
            self.binding_before != self.binding_after
        )


@dataclass(frozen=True)
class LineChange:
    """A service line, an area (service ``TOTAL``) or the fund (both ``TOTAL``) in two runs.

    Budgets are set on area and fund rows only (a line's budget is its target); so is what
    stays unassigned, when the run says it for that row (an area is a residual pool of its own
    unless the scope is ``fondo``).
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
    residual_before: int = 0
    residual_after: int = 0
    unassigned_before: int | None = None
    unassigned_after: int | None = None


@dataclass(frozen=True)
class RunDiff:
    """Everything `diff_runs` finds, in the order the reports show it."""

    base: str
    scenario: str
    lines: tuple[LineChange, ...]
    units: tuple[UnitChange, ...]
    history_year: int | None = None
    names: Mapping[str, Mapping[str, str]] = field(default_factory=dict, compare=False)
    """The labels of the areas (``area``) and service lines (``service``) by code, when the
    rule set is known (whatif, the page); the reports for people show them. Saved runs
    (compare) carry only the codes."""

    def area_name(self, code: str) -> str:
        """An area as people read it: its label when known, else its code."""
        return self.names.get("area", {}).get(code, code)

    def line_name(self, code: str) -> str:
        """A service line as people read it: its label when known, else its code."""
        return self.names.get("service", {}).get(code, code)

    def count(self, change: Change) -> int:
        """Number of units with this ``change`` code."""
        return sum(1 for unit in self.units if unit.change == change)

    @property
    def binding_changes(self) -> int:
        """Units whose binding limit differs between the runs."""
        return sum(1 for unit in self.units if unit.binding_changed)


def _change(before: int | None, after: int | None) -> Change:
    if before is None:
        return Change.ONLY_SCENARIO
    if after is None:
        return Change.ONLY_BASE
    if before == 0 and after > 0:
        return Change.ENTERS
    if before > 0 and after == 0:
        return Change.LEAVES
    if after > before:
        return Change.GAINS
    if after < before:
        return Change.LOSES
    return Change.UNCHANGED


def _unit_changes(base: RunView, scenario: RunView) -> list[UnitChange]:
    """Base order first, then the units only the scenario lists, in its order.

    Units are matched by their ids as the units table compares them (`normalize_id`), so a
    run whose ids a spreadsheet re-cased still lines up with the other.
    """
    after = {normalize_id(unit.unit_id): unit for unit in scenario.units}
    before_ids = {normalize_id(unit.unit_id) for unit in base.units}
    changes = []
    for unit in base.units:
        other = after.get(normalize_id(unit.unit_id))
        changes.append(UnitChange(
            unit.unit_id, unit.name, unit.operator, unit.area, unit.service, unit.award,
            other.award if other else 0, unit.binding, other.binding if other else "",
            _change(unit.award, other.award if other else None),
            unit.municipality or (other.municipality if other else ""),
        ))
    for unit in scenario.units:
        if normalize_id(unit.unit_id) not in before_ids:
            changes.append(UnitChange(
                unit.unit_id, unit.name, unit.operator, unit.area, unit.service, 0, unit.award,
                "", unit.binding, Change.ONLY_SCENARIO, unit.municipality,
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
    fund = [0] * 12
    for area in areas:
        keys = [k for k in _ordered_keys(list(by_before), list(by_after)) if k[0] == area]
        sums = [0] * 10
        for key in keys:
            one, two = by_before.get(key, empty), by_after.get(key, empty)
            values = (one.target, two.target, one.awarded, two.awarded, one.distance,
                      two.distance, one.funded, two.funded, one.residual, two.residual)
            rows.append(LineChange(area, key[1], None, None, *values))
            sums = [s + v for s, v in zip(sums, values, strict=True)]
        budgets = (base.budgets.get(area, 0), scenario.budgets.get(area, 0))
        rows.append(replace(LineChange(area, TOTAL, *budgets, *budgets, *sums[2:]),
                            unassigned_before=base.unassigned.get(area),
                            unassigned_after=scenario.unassigned.get(area)))
        fund = [f + v for f, v in zip(fund, [*budgets, *budgets, *sums[2:]], strict=True)]
    rows.append(replace(LineChange(TOTAL, TOTAL, *fund),
                        unassigned_before=base.unassigned.get(TOTAL),
                        unassigned_after=scenario.unassigned.get(TOTAL)))
    return rows


def diff_runs(base: RunView, scenario: RunView) -> RunDiff:
    """Compare two runs: every area and service line, and every unit of either run."""
    return RunDiff(base.label, scenario.label, tuple(_line_changes(base, scenario)),
                   tuple(_unit_changes(base, scenario)),
                   base.history_year or scenario.history_year)


DIFF_COLUMNS = (
    "unit_id", "name", "operator", "area", "service", "change", "award_base",
    "award_scenario", "award_change", "binding_base", "binding_scenario", "binding_changed",
)
DIFF_NUMERIC = ("award_base", "award_scenario", "award_change")
DIFF_SUMMARY_COLUMNS = (
    "area", "service", "budget_base", "budget_scenario", "budget_change", "target_base",
    "target_scenario", "awarded_base", "awarded_scenario", "awarded_change", "distance_base",
    "distance_scenario", "distance_change", "units_funded_base", "units_funded_scenario",
    "units_funded_change", "residual_base", "residual_scenario", "unassigned_base",
    "unassigned_scenario", "unassigned_change",
)
DIFF_SUMMARY_NUMERIC = DIFF_SUMMARY_COLUMNS[2:]


def diff_rows(diff: RunDiff) -> list[list[str]]:
    """The rows of whatif.csv / compare.csv: one per unit, in the base's order."""
    return [
        [unit.unit_id, unit.name, unit.operator, unit.area, unit.service, unit.change.value,
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
            format_cents(line.residual_before), format_cents(line.residual_after),
            *_unassigned_cells(line),
        ])
    return rows


def _unassigned_cells(line: LineChange) -> list[str]:
    """What stays unassigned in both runs and its change ("" where a run does not say)."""
    before, after = line.unassigned_before, line.unassigned_after
    return ["" if before is None else format_cents(before),
            "" if after is None else format_cents(after),
            "" if before is None or after is None else format_cents(after - before)]


def _binding_word(code: str | None, lang: str) -> str:
    """A binding code as people read it (``AREA_BUDGET``: budget dell'area); ``-`` for none."""
    return binding_label(code, lang) if code else "-"


def _named(diff: RunDiff, change: Change, heading: str, lang: str, limit: int,
           file: str) -> list[str]:
    """The units entering (or leaving) funding by id, name and Comune: `limit` at most.

    More than `limit` are counted, and `file` named as where the whole list is.
    """
    units = [unit for unit in diff.units if unit.change == change]
    if not units:
        return []
    lines = [heading.format(n=len(units))]
    for unit in units[:limit]:
        where = f" ({unit.municipality})" if unit.municipality else ""
        lines.append(f"  {unit.unit_id} {unit.name}{where}: {money(unit.before, lang)} -> "
                     f"{money(unit.after, lang)}")
    if len(units) > limit:
        lines.append(text("diff.more_named", lang).format(n=len(units) - limit, file=file))
    return lines


def diff_text(diff: RunDiff, *, lang: str = "it", top: int = 8, file: str = "whatif.csv",
              named: int = 10) -> str:
    """One screen: the areas and lines before and after, then the units that move most.

    The units entering and leaving funding are named (id, name, Comune), `named` of each at
    most; unit ids are shown in full.
    """
    w = phrases("diff", lang)
    width = 13
    # the first column fits every area and service line code (never cut)
    label = max([20, *(len(line.service) for line in diff.lines),
                 *(len(line.area) - 2 for line in diff.lines)]) + 2
    distance = (with_year(w("distance"), diff.history_year) if diff.history_year
                else w("distance_historical"))
    lines = [
        w("title").format(base=diff.base, scenario=diff.scenario),
        "",
        f"{'':<{label}}{w('awarded'):^{3 * width}}{distance:^{2 * width}}",
        f"{w('area'):<{label}}{w('base'):>{width}}{w('scenario'):>{width}}"
        f"{w('change'):>{width}}{w('base'):>{width}}{w('scenario'):>{width}}"
        + (f"  {translate('name', lang)}" if diff.names else ""),
    ]

    def with_name(row: str, code: str, name: str) -> str:
        """The row and, after its figures, the label (the code leads it: --share uses it)."""
        return f"{row}  {name}" if name != code else row
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
            pending.append(with_name(f"  {line.service:<{label - 2}}{numbers(line)}", line.service,
                                     diff.line_name(line.service)))
            continue
        area = text("word.TOTAL", lang) if line.area == TOTAL else line.area
        lines.append(with_name(f"{area:<{label}}{numbers(line)}", line.area,
                               line.area if line.area == TOTAL else diff.area_name(line.area)))
        if line.budget_before is not None and line.budget_after is not None:
            lines.append("  " + w("budget").format(
                before=money(line.budget_before, lang), after=money(line.budget_after, lang),
                delta=signed_money(line.budget_after - line.budget_before, lang)))
        lines += pending
        pending = []
    fund = diff.lines[-1]
    lines += ["", text("residual.diff", lang).format(
        before=money(fund.unassigned_before or 0, lang),
        after=money(fund.unassigned_after or 0, lang),
        delta=signed_money((fund.unassigned_after or 0) - (fund.unassigned_before or 0), lang),
        residual_before=money(fund.residual_before, lang),
        residual_after=money(fund.residual_after, lang))]
    counts = {change.value: diff.count(change) for change in Change}
    lines += ["", w("units").format(binding=diff.binding_changes, **counts)]
    if counts["ONLY_BASE"] or counts["ONLY_SCENARIO"]:
        lines.append(w("only").format(**counts))
    for change, key in ((Change.ENTERS, "entering"), (Change.LEAVES, "leaving")):
        lines += _named(diff, change, w(key), lang, named, file)
    moved = sorted((u for u in diff.units if u.delta or u.binding_changed),
                   key=lambda u: (-abs(u.delta), u.unit_id))
    if not moved:
        lines.append(w("none"))
        return "\n".join(lines)
    lines.append(w("largest"))
    id_width = max(len(unit.unit_id) for unit in moved[:top])  # ids in full, never cut
    for unit in moved[:top]:
        binding = _binding_word(unit.binding_after, lang) if not unit.binding_changed else (
            f"{_binding_word(unit.binding_before, lang)} -> "
            f"{_binding_word(unit.binding_after, lang)}")
        lines.append(
            f"  {unit.unit_id[:id_width]:<{id_width}} {_shortened(unit.name, _NAME_WIDTH)} "
            f"{money(unit.before, lang):>10} -> "
            f"{money(unit.after, lang):>10} {signed_money(unit.delta, lang):>10}  {binding}"
        )
    if len(moved) > top:
        lines.append(w("more").format(n=len(moved) - top, file=file))
    return "\n".join(lines)


# The width of a unit's name in the list of largest changes: enough to tell "Asilo nido
# comunale Loreto" from "Asilo nido comunale Valtesse", still one line of a terminal.
_NAME_WIDTH = 30


def _shortened(name: str, width: int) -> str:
    """The name in `width` characters, padded, or cut with an ellipsis that says so."""
    name = " ".join(name.split())
    if len(name) > width:
        name = name[:width - 1].rstrip() + "…"
    return f"{name:<{width}}"
