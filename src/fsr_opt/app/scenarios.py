"""The what-if commands, from file paths to written outputs: whatif, compare, explain, sweep.

Apart from `fsr_opt.app.pipeline` (solve and audit) so that a ``solve`` does not import the
comparison, the sweep's worker pool and the scenario reports it never uses.
"""

from __future__ import annotations

import functools
import json
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, replace
from decimal import Decimal
from fractions import Fraction
from pathlib import Path

from fsr_opt.app.pipeline import Inputs, load_inputs, load_rules, solve_inputs
from fsr_opt.core.errors import ErrorCode, FsrOptError, InputError
from fsr_opt.core.i18n import _, resolve
from fsr_opt.core.schema import Allocation, RuleSet
from fsr_opt.core.words import percent, text
from fsr_opt.engine.outcomes import unit_outcomes
from fsr_opt.engine.solve import solve_riparto
from fsr_opt.engine.solvers import DEFAULT_TIME_LIMIT
from fsr_opt.io.allocation import load_allocation_table
from fsr_opt.io.bundled import default_rules_path, default_units_path
from fsr_opt.io.outputs import csv_bytes, write_outputs
from fsr_opt.io.source import sha256_file
from fsr_opt.reports.charts import sweep_chart_png
from fsr_opt.reports.parameters import override_words
from fsr_opt.reports.scenario import scenario_html, scenario_workbook
from fsr_opt.whatif.diff import (
    DIFF_COLUMNS,
    DIFF_NUMERIC,
    DIFF_SUMMARY_COLUMNS,
    DIFF_SUMMARY_NUMERIC,
    RunDiff,
    diff_rows,
    diff_runs,
    diff_summary_rows,
    diff_text,
)
from fsr_opt.whatif.explain import explain_unit, find_unit
from fsr_opt.whatif.saved import view_from_rows
from fsr_opt.whatif.sweep import (
    SweepAxis,
    SweepOutcome,
    SweepRow,
    failed_row,
    parse_range,
    point_overrides,
    run_sweep,
    sweep_columns,
    sweep_row,
    sweep_rows,
)
from fsr_opt.whatif.view import RunView, view_from_outcomes


def run_view(label: str, inputs: Inputs, allocation: Allocation) -> RunView:
    """A run solved in memory as the comparison sees it, from its typed outcomes.

    `saved_view` gives the same view of the same run read back from its folder, so a
    what-if in memory and a ``compare`` of the saved folders give the same differences.
    """
    outcomes = unit_outcomes(inputs.assessments, allocation, inputs.rules)
    return view_from_outcomes(label, outcomes, allocation, inputs.rules)


def saved_view(run_dir: Path) -> RunView:
    """Read a run folder written by ``solve`` (its allocation.csv and summary.csv).

    Raises:
        InputError: a file is missing or unreadable, or a cell cannot be read.
    """
    units = load_allocation_table(run_dir / "allocation.csv")
    lines = load_allocation_table(run_dir / "summary.csv")
    return view_from_rows(str(run_dir), units.rows, lines.rows,
                          allocation_source=str(run_dir / "allocation.csv"),
                          summary_source=str(run_dir / "summary.csv"),
                          allocation_dialect=units.dialect, summary_dialect=lines.dialect)


SCENARIO_XLSX = "scenario.xlsx"
SCENARIO_HTML = "scenario.html"
"""What whatif and compare write beside their CSV files, for people (`fsr_opt.reports.scenario`)."""


@dataclass(frozen=True)
class DiffRun:
    """A comparison of two runs, the files written and the screen to print."""

    diff: RunDiff
    written: tuple[Path, ...]
    text: str


def _write_diff(
    diff: RunDiff, out_dir: Path, stem: str, lang: str, inputs: Sequence[str | Path]
) -> DiffRun:
    files = {
        f"{stem}.csv": csv_bytes(DIFF_COLUMNS, diff_rows(diff), numeric_columns=DIFF_NUMERIC),
        f"{stem}_summary.csv": csv_bytes(DIFF_SUMMARY_COLUMNS, diff_summary_rows(diff),
                                         numeric_columns=DIFF_SUMMARY_NUMERIC),
        # the same comparison for people, in `lang`: side by side, units entering and leaving
        SCENARIO_XLSX: scenario_workbook(diff, lang=lang),
        SCENARIO_HTML: scenario_html(diff, lang=lang),
    }
    written = write_outputs(out_dir, files, inputs=inputs)
    return DiffRun(diff, tuple(written), diff_text(
        diff, lang=lang, file=f"{stem}.csv, {SCENARIO_XLSX}, {SCENARIO_HTML}"))


def run_whatif(
    units_path: Path | None,
    rules_path: Path | None,
    overrides: Sequence[tuple[str, str]],
    out_dir: Path,
    *,
    solver: str = "cbc",
    time_limit: float = DEFAULT_TIME_LIMIT,
    lang: str | None = None,
) -> DiffRun:
    """Solve the baseline (no overrides) and the scenario; write whatif.csv and its summary.

    Raises:
        InputError: no override given (the scenario would be the baseline), or bad input.
    """
    lang = resolve(lang)
    if not overrides:
        raise InputError(_("whatif needs at least one override (--budget, --share, "
                           "--min-award or --set): the scenario would be the baseline"),
                         ErrorCode.BAD_OPTION)
    base = load_inputs(units_path, rules_path)
    scenario = load_inputs(units_path, rules_path, overrides)
    _base_result, base_allocation = solve_inputs(base, solver=solver, time_limit=time_limit)
    _scenario_result, scenario_allocation = solve_inputs(scenario, solver=solver,
                                                         time_limit=time_limit)
    # the runs named for people: the baseline, and the scenario by its changes in words
    label = "; ".join(override_words(f"{key}={value}", scenario.rules, lang)
                      for key, value in overrides)
    diff = replace(diff_runs(run_view(text("scenario.baseline", lang), base, base_allocation),
                             run_view(label, scenario, scenario_allocation)),
                   names=rule_names(scenario.rules))
    run = _write_diff(diff, out_dir, "whatif", lang,
                      (scenario.table.source, scenario.rules.source))
    if any(key.strip().startswith("areas.") and key.strip().endswith(".share")
           for key, _value in overrides):
        return replace(run, text=share_split(scenario.rules) + "\n\n" + run.text)
    return run


def rule_names(*rule_sets: RuleSet) -> dict[str, dict[str, str]]:
    """The labels of the rule sets' areas and service lines, by column (area, service) and code.

    By column: an area and its one service line may share a code (``anziani``).
    """
    names: dict[str, dict[str, str]] = {"area": {}, "service": {}}
    for rules in rule_sets:
        names["area"].update(rules.area_labels)
        names["service"].update(rules.line_labels)
    return names


def saved_rule_names(*folders: Path) -> dict[str, dict[str, str]] | None:
    """The labels of the rule sets saved runs were made with (`rule_names`), when known.

    A run folder keeps only codes in its tables; its run.json names the rule set's file and
    its SHA-256. The file, still there with the same bytes, gives the labels; one moved or
    changed since gives none, and a run without run.json neither (the codes are shown then).
    """
    found = []
    for folder in folders:
        try:
            record = json.loads((folder / "run.json").read_text(encoding="utf-8"))
            source = Path(record["rule_set"]["source"])
            if sha256_file(source) == record["rule_set"]["sha256"]:
                found.append(load_rules(source))
        except (OSError, ValueError, KeyError, TypeError, FsrOptError):
            continue
    return rule_names(*found) if found else None


def share_split(rules: RuleSet) -> str:
    """Every area's share in one line (after ``--share``: the others rescaled in proportion).

    Each area by its label, with the code that ``--share`` takes in brackets.
    """
    return _("shares of the areas: {split}").format(split=", ".join(
        f"{area.label} ({area.code}) {percent(area.share_percent)}" for area in rules.areas))


def run_compare(
    first: Path,
    second: Path,
    out_dir: Path,
    *,
    lang: str | None = None,
    labels: tuple[str, str] | None = None,
    names: Mapping[str, Mapping[str, str]] | None = None,
) -> DiffRun:
    """Compare two saved runs (the first is the base); write compare.csv and its summary.

    Args:
        first: the base's run folder.
        second: the scenario's run folder.
        out_dir: where the comparison is written.
        lang: the language of the files for people.
        labels: how the two runs are called in them (the page's scenario names); by default
            their folders.
        names: the areas' and lines' labels (`rule_names`), when the caller knows the rule
            sets; else those of the rule sets the runs' run.json name (`saved_rule_names`).
    """
    lang = resolve(lang)
    diff = diff_runs(saved_view(first), saved_view(second))
    if labels is not None:
        diff = replace(diff, base=labels[0], scenario=labels[1])
    if names is None:
        names = saved_rule_names(first, second)
    if names is not None:
        diff = replace(diff, names=names)
    inputs = [folder / name for folder in (first, second)
              for name in ("allocation.csv", "summary.csv")]
    return _write_diff(diff, out_dir, "compare", lang, inputs)


def run_explain(
    unit_id: str,
    units_path: Path | None,
    rules_path: Path | None,
    overrides: Sequence[tuple[str, str]] = (),
    *,
    solver: str = "cbc",
    time_limit: float = DEFAULT_TIME_LIMIT,
    lang: str | None = None,
) -> str:
    """Solve in memory and explain one unit's award on one screen.

    Raises:
        InputError: no unit has this id (the message suggests the nearest).
    """
    lang = resolve(lang)
    inputs = load_inputs(units_path, rules_path, overrides)
    _, allocation = solve_inputs(inputs, solver=solver, time_limit=time_limit)
    outcomes = unit_outcomes(inputs.assessments, allocation, inputs.rules)
    outcome = find_unit(unit_id, outcomes, inputs.table.source)
    area = outcome.assessment.area
    spent = sum(r.awarded for r in allocation.services.values() if r.area == area)
    return explain_unit(outcome, allocation.services[outcome.assessment.service], inputs.rules,
                        area_budget=allocation.area_budgets.get(area, 0),
                        area_spent=spent, lang=lang)


@dataclass(frozen=True)
class SweepSpec:
    """What every point of a sweep needs; picklable, so that worker processes can use it."""

    units: Path | None
    rules: Path | None
    overrides: tuple[tuple[str, str], ...]
    axis: SweepAxis
    shares: dict[str, Fraction]
    solver: str
    time_limit: float


def plan_sweep(
    units_path: Path | None,
    rules_path: Path | None,
    fixed: Sequence[tuple[str, str]],
    *,
    budget_range: str | None,
    share_ranges: Sequence[str],
    fixed_shares: bool = False,
    solver: str = "cbc",
    time_limit: float = DEFAULT_TIME_LIMIT,
) -> tuple[SweepSpec, Inputs]:
    """Check the swept range and the fixed overrides before any point is solved.

    Exactly one range is swept: ``--budget FROM:TO:STEP`` or ``--share AREA=FROM:TO:STEP``.
    In a share sweep the other areas keep their proportions (`whatif.share_overrides`), so
    a fixed ``--share`` would be overwritten and is refused. The end points are loaded once,
    so that a range that breaks a rule fails at once (exit 2), not in every worker.

    Args:
        units_path: the units table (None: the bundled example).
        rules_path: the rule set (None: the bundled one).
        fixed: the overrides every point shares (parsed options without a range).
        budget_range: the text of a ``--budget`` range, if the fund is swept.
        share_ranges: the ``AREA=FROM:TO:STEP`` texts of ``--share`` ranges.
        fixed_shares: whether a ``--share AREA=PERCENT`` without range was given too.
        solver: the MILP solver of every point.
        time_limit: seconds allowed to each point.

    Raises:
        InputError: no range or two ranges, bad range text, a fixed --share with a share sweep.
        RuleSetError: the overrides, or an end point of the range, break a rule.
    """
    ranged = (budget_range is not None) + len(share_ranges)
    if ranged != 1:
        raise InputError(
            _("sweep needs exactly one range: --budget FROM:TO:STEP or --share "
              "AREA=FROM:TO:STEP (got {count})").format(count=ranged), ErrorCode.BAD_OPTION)
    if share_ranges:
        if fixed_shares:
            raise InputError(_("a share sweep sets the other areas' shares itself (they keep "
                               "their proportions); drop the fixed --share options"),
                             ErrorCode.BAD_OPTION)
        area, equals, text = share_ranges[0].partition("=")
        if not equals or not area.strip():
            raise InputError(_("--share '{text}' is not a range; write --share "
                               "AREA=FROM:TO:STEP, e.g. --share disabili=5:20:2.5").format(
                                   text=share_ranges[0]), ErrorCode.BAD_OPTION)
        axis = SweepAxis("--share", area.strip(),
                         parse_range(text, f"--share {area.strip()}=", places=4,
                                     upper=Decimal(100)))
    else:
        assert budget_range is not None
        axis = SweepAxis("--budget", None, parse_range(budget_range, "--budget", places=2))
    inputs = load_inputs(units_path, rules_path, fixed)
    current = {area.code: area.share_percent for area in inputs.rules.areas}
    for value in sorted({axis.values[0], axis.values[-1]}):
        load_rules(rules_path, [*fixed, *point_overrides(axis, value, current)])
    spec = SweepSpec(units_path, rules_path, tuple(fixed), axis, current, solver, time_limit)
    return spec, inputs


def sweep_point(spec: SweepSpec, value: Decimal) -> SweepRow:
    """Solve one point of a sweep; a point whose rules cannot hold is kept with its reason."""
    try:
        overrides = [*spec.overrides, *point_overrides(spec.axis, value, spec.shares)]
        inputs = load_inputs(spec.units, spec.rules, overrides)
        result = solve_riparto(inputs.assessments, inputs.rules, solver=spec.solver,
                               time_limit=spec.time_limit)
        return sweep_row(value, result, inputs.rules)
    except FsrOptError as exc:
        return failed_row(value, exc)


@dataclass(frozen=True)
class SweepRun:
    """A finished (or interrupted) sweep and the files written."""

    outcome: SweepOutcome
    written: tuple[Path, ...]


def run_sweep_points(
    spec: SweepSpec,
    rules: RuleSet,
    out_dir: Path,
    *,
    workers: int,
    progress: Callable[[SweepRow], None] | None = None,
    lang: str | None = None,
) -> SweepRun:
    """Solve every point (in parallel), then write sweep.csv and sweep.png atomically.

    An interrupted sweep still writes the points it finished; `SweepRun.outcome` says so.

    Args:
        spec: the checked sweep (`plan_sweep`).
        rules: the rule set of the fixed overrides (areas and service lines of the columns).
        out_dir: where sweep.csv and sweep.png go.
        workers: processes to solve the points (1: in this process).
        progress: called with each finished point (the command line's progress bar).
        lang: labels of the chart.
    """
    lang = resolve(lang)
    outcome = run_sweep(spec.axis.values, functools.partial(_point, spec), workers=workers,
                        progress=progress)
    files = {"sweep.csv": csv_bytes(sweep_columns(spec.axis, rules), sweep_rows(outcome, rules),
                                    numeric_columns=sweep_columns(spec.axis, rules)[:-2])}
    if outcome.rows:
        files["sweep.png"] = sweep_chart_png(outcome, spec.axis, rules, lang)
    written = write_outputs(out_dir, files, inputs=(
        spec.units or default_units_path(), spec.rules or default_rules_path()))
    return SweepRun(outcome, tuple(written))


def _point(spec: SweepSpec, value: Decimal) -> SweepRow:
    """Look `sweep_point` up at call time, so that tests can replace it."""
    return sweep_point(spec, value)
