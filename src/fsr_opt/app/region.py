"""Several Ambiti in one run: a manifest, one independent solve per Ambito, one summary.

An ATS (or the Region) computes the riparto of all its Ambiti at once. The manifest
(`files.load_manifest`) names each Ambito's units table, rule set and fund, and is checked
whole before anything is solved. Each Ambito is then solved exactly as ``fsr-opt solve``
solves it (`pipeline.run_solve`: its own audit, its own folder of outputs written
atomically), in a pool of processes. An Ambito that fails (bad input, infeasible rules, a
solver failure) is recorded with its status and message while the others go on; the exit code
is the worst of them. region-summary.csv and region.json list the Ambiti by code, whatever
the order in which they finished, so that the same manifest gives the same files (only the
clock readings of region.json, and the solve times, change).
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime
from fractions import Fraction
from pathlib import Path
from typing import Any

from fsr_opt import __version__
from fsr_opt.app.pipeline import SolveRun, input_warnings, load_inputs, run_solve
from fsr_opt.app.status import INTERNAL_ERROR, INTERRUPTED, NOT_RUN, SOLVED
from fsr_opt.core.errors import (
    ErrorCode,
    FsrOptError,
    InputError,
    Problem,
    WarningLog,
    collecting_warnings,
)
from fsr_opt.core.i18n import N_, _, ngettext, resolve, use_language
from fsr_opt.core.money import format_cents
from fsr_opt.core.words import count, money, ratio
from fsr_opt.engine.outcomes import unit_outcomes
from fsr_opt.engine.solvers import DEFAULT_TIME_LIMIT, SOLVERS
from fsr_opt.io.bundled import default_rules_path
from fsr_opt.io.manifest import Manifest, load_manifest
from fsr_opt.io.outputs import csv_bytes, json_bytes, write_outputs
from fsr_opt.io.source import sha256_file
from fsr_opt.io.tables import TableCache
from fsr_opt.reports.tables import TOTAL, unassigned_warnings
from fsr_opt.rules.overrides import override_pairs
from fsr_opt.whatif.pool import default_workers, run_in_pool

log = logging.getLogger(__name__)

# A units table shared by several Ambiti, read to check the manifest, is kept for their solves:
# the pool's processes inherit it when forked, and each keeps the last one it reads.
_SHARED_TABLES = TableCache()

SUMMARY_FILE = "region-summary.csv"
JSON_FILE = "region.json"
SUMMARY_COLUMNS = (
    "ambito", "area", "fund", "budget", "awarded", "deviation", "units", "units_funded",
    "units_excluded", "residual", "unassigned", "status", "message",
)
# No clock reading here: the same manifest gives the same file (seconds are in region.json).
SUMMARY_NUMERIC = ("fund", "budget", "awarded", "deviation", "units", "units_funded",
                   "units_excluded", "residual", "unassigned")


@dataclass(frozen=True)
class AmbitoTask:
    """What one worker needs to solve one Ambito (picklable)."""

    ambito: str
    units: Path
    rules: Path | None
    budget: str | None
    split: bool
    out_dir: Path
    solver: str
    time_limit: float
    lang: str
    fund_from: tuple[str, str] | None = None
    """The ATS split the fund came from (``--fund-from``): its path and SHA-256."""


@dataclass(frozen=True)
class AreaFigures:
    """One area of a solved Ambito, as region-summary.csv shows it.

    Attributes:
        budget, awarded: cents.
        deviation: cents, the sum over the area's service lines of |awarded - target|, each
            target as summary.csv prints it (`Allocation.target_cents`): the distance from
            the historical pattern, as every other output shows it.
        units, funded: the area's units, and those with an award.
        residual: what the residual phase gives the area's units (awarded is the riparto's).
        unassigned: what nobody receives: on an area's row when the area is a residual pool
            of its own, on the Ambito's total always; None where it does not apply.
    """

    area: str
    budget: int
    awarded: int
    deviation: int
    units: int
    funded: int
    residual: int = 0
    unassigned: int | None = None


@dataclass(frozen=True)
class AmbitoOutcome:
    """How one Ambito ended: solved (with its figures) or failed (with its message).

    Attributes:
        status: ``optimal``, or the failure: ``input_error``, ``rule_set_error``,
            ``infeasible``, ``solver_failure``, ``internal_error``, ``not_run`` (the run was
            interrupted before it finished).
        message: the error as ``solve`` prints it; empty when solved.
        inputs: (path, SHA-256, or None when unreadable) of the units table and rule set.
        split: the units are the table's rows with this Ambito's code in its ``ambito`` column.
        rule_set: id, version, source and sha256 of the rule set, once it loaded.
        fund: cents, once the rule set loaded.
        seconds: wall-clock seconds of the whole Ambito (load, solve, audit, write).
        solve_seconds: the solver's seconds, when it ran to the end.
        warnings: what loads but deserves a look (units outside the Ambito), and the
            solver's warnings.
        written: the files written in the Ambito's folder.
    """

    ambito: str
    status: str
    message: str
    out_dir: Path
    inputs: tuple[tuple[str, str | None], ...]
    split: bool
    overrides: tuple[str, ...]
    rule_set: Mapping[str, str] = field(default_factory=dict)
    fund: int | None = None
    areas: tuple[AreaFigures, ...] = ()
    solver: str = ""
    seconds: float = 0.0
    solve_seconds: float | None = None
    warnings: tuple[str, ...] = ()
    written: tuple[Path, ...] = ()

    @property
    def solved(self) -> bool:
        """True for an Ambito with a riparto."""
        return self.status == SOLVED

    @property
    def awarded(self) -> int:
        """Cents awarded in the Ambito by the riparto (0 unless solved)."""
        return sum(area.awarded for area in self.areas)

    @property
    def residual(self) -> int:
        """Cents the residual phase gives the Ambito's units (0 unless solved)."""
        return sum(area.residual for area in self.areas)

    @property
    def unassigned(self) -> int:
        """Cents of the Ambito's area budgets that nobody receives (0 unless solved)."""
        return sum(area.budget - area.awarded - area.residual for area in self.areas)


@dataclass(frozen=True)
class RegionPlan:
    """A checked manifest turned into one task per Ambito, in code order."""

    manifest: Manifest
    out_dir: Path
    tasks: tuple[AmbitoTask, ...]
    solver: str
    time_limit: float
    fund_from: tuple[str, str] | None = None
    """The ATS split the funds came from (``--fund-from``): its path and SHA-256."""


@dataclass(frozen=True)
class RegionRun:
    """A finished (or interrupted) region run and the files it wrote.

    Attributes:
        outcomes: one per Ambito, in code order (``not_run`` for those an interruption
            stopped before they started).
        exit_code: the worst Ambito's exit code (0 when every Ambito is solved), or the
            code of an interruption.
        written: region-summary.csv and region.json.
        text: the combined summary for the terminal.
    """

    plan: RegionPlan
    outcomes: tuple[AmbitoOutcome, ...]
    interrupted: bool
    exit_code: int
    seconds: float
    written: tuple[Path, ...]
    text: str


def default_jobs(ambiti: int) -> int:
    """One process per core, but no more than there are Ambiti."""
    return max(1, min(default_workers(), ambiti))


def plan_region(
    manifest_path: Path,
    out_dir: Path,
    *,
    solver: str = "cbc",
    time_limit: float = DEFAULT_TIME_LIMIT,
    lang: str | None = None,
    fund_from: Path | None = None,
) -> RegionPlan:
    """Check the options and the whole manifest before any Ambito is solved.

    With `fund_from` (an ATS split, ``split.csv`` of ``fsr-opt ats split``), each Ambito's
    fund is its amount in the split (docs/ats.md, "From the ATS split to the riparti").

    Raises:
        InputError: an unknown solver, a time limit that is not positive, or any problem of
            the manifest (all of them at once, naming file, row and column).
    """
    lang = resolve(lang)
    if solver not in SOLVERS:
        raise InputError(_("unknown solver '{solver}': use --solver with one of "
                           "{choices}").format(solver=solver, choices=", ".join(SOLVERS)),
                         ErrorCode.UNKNOWN_SOLVER)
    if not time_limit > 0:
        raise InputError(_("--time-limit {value} is not a time: give the seconds each Ambito "
                           "may take, more than 0").format(value=f"{time_limit:g}"),
                         ErrorCode.BAD_OPTION)
    manifest = load_manifest(manifest_path, cache=_SHARED_TABLES)
    if fund_from is not None:
        manifest = funds_from_split(manifest, fund_from)
    split = None if fund_from is None else (str(fund_from), sha256_file(fund_from))
    tasks = tuple(
        AmbitoTask(entry.ambito, entry.units, entry.rules, entry.budget, entry.split,
                   out_dir / entry.ambito, solver, time_limit, lang, split)
        for entry in manifest.entries
    )
    return RegionPlan(manifest, out_dir, tasks, solver, time_limit, split)


def funds_from_split(manifest: Manifest, split_path: Path) -> Manifest:
    """The manifest with each Ambito's fund taken from an ATS split (codes ignoring case).

    Raises:
        InputError: an Ambito of the manifest has no amount in the split, or has a budget of
            its own as well (`ATS_SPLIT_MISMATCH`); every one at once.
    """
    from fsr_opt.io.ats import load_split  # noqa: PLC0415  (only with --fund-from)

    amounts = {row.ambito.casefold(): row.total for row in load_split(split_path, None)}
    problems = []
    entries = []
    for entry in manifest.entries:
        total = amounts.get(entry.ambito.casefold())
        if total is None:
            problems.append(Problem(
                _("the Ambito '{ambito}' has no amount in the split {split}; make the "
                  "manifest's ambito codes those of the split").format(
                      ambito=entry.ambito, split=split_path), file=manifest.source,
                row=entry.row, column="ambito", code=ErrorCode.ATS_SPLIT_MISMATCH))
        elif entry.budget is not None:
            problems.append(Problem(
                _("the Ambito '{ambito}' has a budget in the manifest and one in the split; "
                  "empty the manifest's budget to take the split's").format(
                      ambito=entry.ambito), file=manifest.source,
                row=entry.row, column="budget", code=ErrorCode.ATS_SPLIT_MISMATCH))
        else:
            entries.append(replace(entry, budget=format_cents(total)))
    if problems:
        raise InputError(problems)
    return replace(manifest, entries=tuple(entries))


def solve_ambito(task: AmbitoTask) -> AmbitoOutcome:
    """Solve one Ambito as ``fsr-opt solve`` would, writing its folder; never raise on failure.

    Expected failures (`FsrOptError`) become the outcome's status, exit code and message; any
    other exception too (``internal_error``, exit 3), so that one Ambito never loses the
    others. A KeyboardInterrupt is left to the caller.
    """
    clock = time.perf_counter()
    overrides: list[tuple[str, str]] = []
    with use_language(task.lang):  # a process of its own: the run's language goes along
        try:
            # The Ambito's warnings come back with its outcome, printed once by the caller.
            with collecting_warnings() as given:
                overrides = override_pairs(task.budget, [], None, [])
                inputs = load_inputs(task.units, task.rules, overrides,
                                     ambito=task.ambito if task.split else None,
                                     cache=_SHARED_TABLES if task.split else None)
                run = run_solve(inputs, task.out_dir, solver=task.solver,
                                time_limit=task.time_limit, lang=task.lang,
                                fund_from=task.fund_from)
            return _solved(task, overrides, run, clock, given)
        except FsrOptError as exc:
            return _failed(task, overrides, exc.kind, exc.render(), clock)
        except Exception as exc:  # a bug in one Ambito must not cost the others theirs
            log.debug("internal error in Ambito %s", task.ambito, exc_info=True)
            return _failed(task, overrides, INTERNAL_ERROR,
                           _("internal error: {error}: {reason} (please report it; run with "
                             "--verbose for details)").format(error=type(exc).__name__,
                                                              reason=exc), clock)


def _solved(
    task: AmbitoTask, overrides: Sequence[tuple[str, str]], run: SolveRun, clock: float,
    given: WarningLog,
) -> AmbitoOutcome:
    """The outcome of a solved Ambito: its figures per area."""
    rules, result = run.inputs.rules, run.result
    assert result.allocation is not None  # run_solve raises without one
    allocation = result.allocation
    outcomes = unit_outcomes(run.inputs.assessments, allocation, rules)
    areas = []
    pools = {pool.code: pool for pool in allocation.residual_pools}
    for area in rules.areas:
        lines = [allocation.services[service.code] for service in area.services]
        mine = [o for o in outcomes if o.assessment.area == area.code]
        pool = pools.get(area.code)
        areas.append(AreaFigures(
            area.code, allocation.area_budgets.get(area.code, 0),
            sum(line.awarded for line in lines),
            sum(abs(line.awarded - allocation.target_cents[line.service]) for line in lines),
            len(mine), sum(1 for o in mine if o.award > 0),
            sum(o.residual_award for o in mine), pool.left if pool else None))
    table = run.inputs.table
    return AmbitoOutcome(
        ambito=task.ambito, status=SOLVED, message="", out_dir=task.out_dir,
        inputs=((table.source, table.sha256), (rules.source, rules.sha256)), split=task.split,
        overrides=tuple(f"{key}={value}" for key, value in overrides),
        rule_set={"id": rules.rule_set_id, "version": rules.version, "ambito": rules.ambito,
                  "source": rules.source, "sha256": rules.sha256},
        fund=rules.fund, areas=tuple(areas),
        solver=f"{result.solver} {result.solver_version}".strip(),
        seconds=time.perf_counter() - clock, solve_seconds=result.seconds,
        warnings=(*_read_warnings(given), *input_warnings(run.inputs), *result.messages,
                  *unassigned_warnings(allocation, rules)),
        written=run.written)


def _read_warnings(given: WarningLog) -> list[str]:
    """The warnings of reading an Ambito's files (the solver's are in its result already)."""
    solver_code = ErrorCode.MINIMUM_ABOVE_SOME_ENTITLEMENTS
    return [str(problem) for problem in (*given.kept, *given.omitted())
            if problem.code is not solver_code]


def _failed(
    task: AmbitoTask,
    overrides: Sequence[tuple[str, str]],
    status: str,
    message: str,
    clock: float | None,
) -> AmbitoOutcome:
    """The outcome of an Ambito without a riparto, with the hashes of its input files."""
    paths = [str(task.units), str(task.rules or default_rules_path())]
    return AmbitoOutcome(
        ambito=task.ambito, status=status, message=message,
        out_dir=task.out_dir, inputs=tuple((path, _sha256_or_none(path)) for path in paths),
        split=task.split,
        overrides=tuple(f"{key}={value}" for key, value in overrides),
        seconds=0.0 if clock is None else time.perf_counter() - clock)


def _sha256_or_none(path: str) -> str | None:
    """The file's SHA-256, or None when it cannot be read (the message says why)."""
    try:
        return sha256_file(path)
    except FsrOptError:
        return None


def _solve(task: AmbitoTask) -> AmbitoOutcome:
    """Look `solve_ambito` up at call time, so that tests can replace it."""
    return solve_ambito(task)


def run_region(
    plan: RegionPlan,
    *,
    jobs: int,
    exit_codes: Mapping[str, int],
    progress: Callable[[AmbitoOutcome], None] | None = None,
) -> RegionRun:
    """Solve every Ambito (in parallel), then write region-summary.csv and region.json.

    Ctrl-C stops the run: the Ambiti not started are listed as ``not_run``, the running ones
    finish and write their folders, and the region's files are still written (exit 130).

    Args:
        plan: the checked manifest (`plan_region`).
        jobs: processes solving Ambiti (1: one after the other, in this process).
        exit_codes: the exit code of each status (``optimal``, an error's kind,
            ``internal_error``, ``not_run``, ``interrupted``); the command line owns them.
        progress: called in this process with each finished Ambito.
    """
    started_at = datetime.now(UTC).isoformat(timespec="seconds")
    clock = time.perf_counter()
    done: dict[str, AmbitoOutcome] = {}

    def finished(outcome: AmbitoOutcome) -> None:
        done[outcome.ambito] = outcome
        if progress is not None:
            progress(outcome)

    interrupted = False
    if jobs <= 1 or len(plan.tasks) <= 1:
        try:
            for task in plan.tasks:
                finished(_solve(task))
        except KeyboardInterrupt:
            interrupted = True
    else:
        interrupted = run_in_pool(plan.tasks, _solve, min(jobs, len(plan.tasks)), finished)
    outcomes = tuple(
        done.get(task.ambito) or _failed(task, [], NOT_RUN,
                                         "not solved: the run was interrupted", None)
        for task in plan.tasks)
    interrupted = interrupted and len(done) < len(plan.tasks)
    exit_code = (exit_codes[INTERRUPTED] if interrupted
                 else max((exit_codes[outcome.status] for outcome in outcomes), default=0))
    seconds = time.perf_counter() - clock
    document = _region_document(plan, outcomes, exit_codes, jobs=jobs, exit_code=exit_code,
                                interrupted=interrupted, started_at=started_at,
                                seconds=seconds)
    written = write_outputs(plan.out_dir, {
        SUMMARY_FILE: csv_bytes(SUMMARY_COLUMNS, summary_rows(outcomes),
                                numeric_columns=SUMMARY_NUMERIC),
        JSON_FILE: json_bytes(document),
    }, inputs=(plan.manifest.source, *(path for task in plan.tasks
                                        for path in (task.units, task.rules) if path)))
    text = region_text(plan, outcomes, jobs=jobs, seconds=seconds)
    return RegionRun(plan, outcomes, interrupted, exit_code, seconds, tuple(written), text)


def _one_line(message: str) -> str:
    """A multi-line error message on one line, for a spreadsheet cell."""
    return "; ".join(line.strip().removeprefix("- ") for line in message.splitlines()
                     if line.strip())


def summary_rows(outcomes: Sequence[AmbitoOutcome]) -> list[list[str]]:
    """The rows of region-summary.csv: per Ambito, each area then its total.

    An Ambito without a riparto has its total row only, with its status and message.
    ``units_excluded`` counts the units that get nothing, as summary.csv does.
    """
    rows = []
    for outcome in outcomes:
        fund = "" if outcome.fund is None else format_cents(outcome.fund)
        if not outcome.solved:
            rows.append([outcome.ambito, TOTAL, fund, "", "", "", "", "", "", "", "",
                         outcome.status, _one_line(outcome.message)])
            continue
        areas = outcome.areas
        budget, awarded = sum(a.budget for a in areas), sum(a.awarded for a in areas)
        residual = sum(a.residual for a in areas)
        total = AreaFigures(TOTAL, budget, awarded,
                            sum(a.deviation for a in areas),
                            sum(a.units for a in areas), sum(a.funded for a in areas),
                            residual, budget - awarded - residual)
        rows.extend([
            outcome.ambito, area.area, fund, format_cents(area.budget),
            format_cents(area.awarded), format_cents(area.deviation),
            str(area.units), str(area.funded), str(area.units - area.funded),
            format_cents(area.residual),
            "" if area.unassigned is None else format_cents(area.unassigned),
            outcome.status, "",
        ] for area in (*areas, total))
    return rows


def _region_document(
    plan: RegionPlan,
    outcomes: Sequence[AmbitoOutcome],
    exit_codes: Mapping[str, int],
    *,
    jobs: int,
    exit_code: int,
    interrupted: bool,
    started_at: str,
    seconds: float,
) -> dict[str, Any]:
    """The content of region.json: the run, then each Ambito in code order."""
    solved = [outcome for outcome in outcomes if outcome.solved]
    return {
        "tool": {"name": "fsr-opt", "version": __version__},
        "manifest": {"path": plan.manifest.source, "sha256": plan.manifest.sha256},
        # where each Ambito's fund came from, when an ATS split gave them (--fund-from)
        **({"fund_from": {"path": plan.fund_from[0], "sha256": plan.fund_from[1]}}
           if plan.fund_from else {}),
        "solver": plan.solver,
        "time_limit": plan.time_limit,
        "jobs": jobs,
        "status": ("interrupted" if interrupted else "failed" if exit_code else SOLVED),
        "exit_code": exit_code,
        "counts": {"ambiti": len(outcomes), "solved": len(solved),
                   "failed": sum(1 for o in outcomes if not o.solved and o.status != NOT_RUN),
                   "not_run": sum(1 for o in outcomes if o.status == NOT_RUN)},
        "fund_solved": format_cents(sum(o.fund or 0 for o in solved)),
        "awarded": format_cents(sum(o.awarded for o in solved)),
        "ambiti": [_ambito_document(outcome, exit_codes[outcome.status])
                   for outcome in outcomes],
        "started_at": started_at,
        "finished_at": datetime.now(UTC).isoformat(timespec="seconds"),
        "seconds": round(seconds, 4),
    }


def _ambito_document(outcome: AmbitoOutcome, exit_code: int) -> dict[str, Any]:
    """One Ambito of region.json."""
    return {
        "ambito": outcome.ambito,
        "status": outcome.status,
        "exit_code": exit_code,
        "message": outcome.message,
        "out_dir": str(outcome.out_dir),
        "outputs": [path.name for path in outcome.written],
        "inputs": dict(outcome.inputs),
        "units_rows": f"ambito = {outcome.ambito}" if outcome.split else "all",
        "rule_set": dict(outcome.rule_set),
        "overrides": list(outcome.overrides),
        "fund": None if outcome.fund is None else format_cents(outcome.fund),
        "awarded": format_cents(outcome.awarded) if outcome.solved else None,
        "units": sum(area.units for area in outcome.areas) if outcome.solved else None,
        "units_funded": sum(area.funded for area in outcome.areas) if outcome.solved else None,
        "solver": outcome.solver,
        "warnings": list(outcome.warnings),
        "seconds": round(outcome.seconds, 4),
        "solve_seconds": None if outcome.solve_seconds is None else round(outcome.solve_seconds,
                                                                           4),
    }


STATUS_WORDS = {
    "optimal": N_("solved"), "input_error": N_("input error"),
    "rule_set_error": N_("rule-set error"),
    "infeasible": N_("infeasible"), "solver_failure": N_("solver failure"),
    "internal_error": N_("internal error"), "not_run": N_("not run"),
    "interrupted": N_("interrupted"),
}
"""How each status of an Ambito reads on the screen (region.json keeps the codes)."""


def region_text(
    plan: RegionPlan, outcomes: Sequence[AmbitoOutcome], *, jobs: int, seconds: float
) -> str:
    """The combined summary for the terminal: one line per Ambito and the solved total.

    In the language of the run (region.json and region-summary.csv keep the codes).
    """
    solved = [outcome for outcome in outcomes if outcome.solved]
    lines = [
        ngettext("FSR region run: {count} Ambito from {manifest} (solver {solver}, jobs {jobs})",
                 "FSR region run: {count} Ambiti from {manifest} (solver {solver}, jobs {jobs})",
                 len(outcomes)).format(count=count(len(outcomes)), manifest=plan.manifest.source,
                                       solver=plan.solver, jobs=jobs),
        # where the column fund came from: with --fund-from, the ATS split, for every Ambito
        *([_("fund of each Ambito: its amount in the ATS split {split} (SHA-256 {sha})").format(
            split=plan.fund_from[0], sha=plan.fund_from[1][:12] + "…")]
          if plan.fund_from else []),
        "",
        "".join(f"{heading:{width}}" for heading, width in (
            (_("ambito"), "<20"), (_("units"), ">8"), (_("funded"), ">12"), (_("fund"), ">16"),
            (_("from the riparto"), ">16"), (_("residuals"), ">14"), (_("unassigned"), ">14"),
            ("", "2"),
            (_("status"), "<16"),
            (_("seconds"), ">8"))),
    ]
    for outcome in outcomes:
        units = sum(area.units for area in outcome.areas)
        funded = sum(area.funded for area in outcome.areas)
        status = _(STATUS_WORDS[outcome.status]) if outcome.status in STATUS_WORDS else (
            outcome.status)
        lines.append(
            f"{outcome.ambito:<20}"
            f"{count(units) if outcome.solved else '-':>8}"
            f"{count(funded) if outcome.solved else '-':>12}"
            f"{money(outcome.fund) if outcome.fund is not None else '-':>16}"
            f"{money(outcome.awarded) if outcome.solved else '-':>16}"
            f"{money(outcome.residual) if outcome.solved else '-':>14}"
            f"{money(outcome.unassigned) if outcome.solved else '-':>14}  "
            f"{status:<16}{ratio(Fraction(outcome.seconds), 2):>8}")
    total = _("TOTAL (solved)")
    counted = _("{solved} of {total}").format(solved=count(len(solved)),
                                              total=count(len(outcomes)))
    lines.append(
        f"{total:<20}"
        f"{count(sum(area.units for o in solved for area in o.areas)):>8}"
        f"{count(sum(area.funded for o in solved for area in o.areas)):>12}"
        f"{money(sum(o.fund or 0 for o in solved)):>16}"
        f"{money(sum(o.awarded for o in solved)):>16}"
        f"{money(sum(o.residual for o in solved)):>14}"
        f"{money(sum(o.unassigned for o in solved)):>14}  "
        f"{counted:<16}{ratio(Fraction(seconds), 2):>8}")
    return "\n".join(lines)
