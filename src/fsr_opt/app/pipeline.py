"""What each command does, from file paths to written outputs; the CLI only parses and prints.

Loading applies the overrides to the rule-set document *before* validation, so an override
that breaks a rule (shares not totalling 100, a negative fund) is caught like a bad file.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from dataclasses import dataclass, replace
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from fsr_opt.audit.allocation import (
    ProvidedAllocation,
    RecordedInput,
    RunRecord,
    parse_allocation,
)
from fsr_opt.audit.folder import parse_outputs
from fsr_opt.audit.render import render_audit
from fsr_opt.audit.report import AuditReport
from fsr_opt.audit.run import audit, audit_solution
from fsr_opt.core.collector import cycle_collection_paused
from fsr_opt.core.errors import (
    MAX_WARNINGS_PER_KIND,
    ErrorCode,
    InputError,
    Problem,
    RuleSetError,
    SolverError,
    WarningLog,
)
from fsr_opt.core.i18n import _, resolve
from fsr_opt.core.schema import (
    Allocation,
    Assessment,
    ExclusionReason,
    RuleSet,
    SolveResult,
    UnitsTable,
)
from fsr_opt.core.words import text
from fsr_opt.engine.eligibility import assess
from fsr_opt.engine.outcomes import UnitOutcome, unit_outcomes
from fsr_opt.engine.solve import solve_riparto
from fsr_opt.engine.solvers import DEFAULT_TIME_LIMIT
from fsr_opt.io.allocation import (
    RUN_RECORD,
    load_allocation_table,
    load_run_outputs,
    load_run_record,
)
from fsr_opt.io.bundled import default_rules_path, default_units_path
from fsr_opt.io.outputs import StagedOutputs
from fsr_opt.io.rulecache import cached_rule_set, keep_rule_set, rule_set_key
from fsr_opt.io.rulefile import parse_rule_bytes, read_rule_bytes
from fsr_opt.io.tables import TableCache
from fsr_opt.io.units import load_units
from fsr_opt.reports.annex import build_annex
from fsr_opt.reports.html import html_report
from fsr_opt.reports.tables import (
    allocation_rows,
    operator_payments,
    render_run_json,
    render_tables,
    run_document,
    summary_text,
)
from fsr_opt.reports.workbook import allocation_workbook

log = logging.getLogger(__name__)

SOLVE_REPORTS = ("audit.json", "run.json", "allocation.xlsx", "report.html")
"""What a solve writes after its CSV tables, in the order the command lists them."""


@dataclass(frozen=True)
class Inputs:
    """A validated units table and rule set, with the assessment of every unit.

    Attributes:
        ambito: the Ambito whose rows were taken from a table with an ``ambito`` column
            (`fsr-opt region`), or None for a table of one Ambito.
    """

    table: UnitsTable
    rules: RuleSet
    assessments: tuple[Assessment, ...]
    overrides: tuple[tuple[str, str], ...]
    ambito: str | None = None


@dataclass(frozen=True)
class SolveRun:
    """A finished solve and where its outputs went."""

    inputs: Inputs
    result: SolveResult
    out_dir: Path
    written: tuple[Path, ...]
    summary: str
    audit: AuditReport | None = None


@dataclass(frozen=True)
class AuditRun:
    """An allocation read from a file and the report of its audit."""

    inputs: Inputs
    allocation: ProvidedAllocation
    report: AuditReport


def load_rules(
    rules_path: Path | None, overrides: Sequence[tuple[str, str]] = ()
) -> RuleSet:
    """Read, override and validate a rule set (the bundled one when no path is given).

    A rule set this program already validated from the same bytes, overrides and language
    comes from the cache of validated rule sets (`fsr_opt.io.rulecache`): the same `RuleSet`,
    without importing PyYAML and pydantic.
    """
    path = rules_path or default_rules_path()
    data, digest = read_rule_bytes(path)
    key = rule_set_key(str(path), digest, overrides)
    rules = cached_rule_set(key)
    if rules is None:
        # pydantic and PyYAML: only a rule set not validated before needs them
        from fsr_opt.rules.overrides import apply_overrides  # noqa: PLC0415
        from fsr_opt.rules.validate import parse_rule_set  # noqa: PLC0415

        document = parse_rule_bytes(data, path)
        if overrides:
            document = apply_overrides(document, overrides)
        rules = parse_rule_set(document, source=str(path), sha256=digest)
        keep_rule_set(key, rules)
    return rules


def load_inputs(
    units_path: Path | None,
    rules_path: Path | None,
    overrides: Sequence[tuple[str, str]] = (),
    *,
    ambito: str | None = None,
    cache: TableCache | None = None,
) -> Inputs:
    """Load and check everything a solve needs; raise every problem of both files at once.

    The units table is read even when the rule set has problems (they are reported
    together); with a valid rule set, a unit of an unknown type is one of the table's
    problems.

    With `ambito`, the units are the table's rows of that Ambito (its ``ambito`` column); a
    `cache` keeps the raw table for the next Ambito that shares it.
    """
    with cycle_collection_paused():
        return _load_inputs(units_path, rules_path, overrides, ambito=ambito, cache=cache)


def _load_inputs(
    units_path: Path | None,
    rules_path: Path | None,
    overrides: Sequence[tuple[str, str]],
    *,
    ambito: str | None,
    cache: TableCache | None,
) -> Inputs:
    try:
        rules: RuleSet | None = load_rules(rules_path, overrides)
    except RuleSetError as exc:  # the units table's problems are reported with the rules'
        rules_error: RuleSetError | None = exc
        rules = None
    else:
        rules_error = None
    try:
        table = load_units(units_path or default_units_path(), ambito=ambito, cache=cache,
                           rules=rules)
    except InputError as exc:
        if rules_error is None:
            raise
        raise InputError([*rules_error.problems, *exc.problems]) from None
    if rules_error is not None:
        raise rules_error
    assert rules is not None
    return Inputs(table, rules, assess(table, rules), tuple(overrides), ambito)


def input_warnings(
    inputs: Inputs,
    limit: int = MAX_WARNINGS_PER_KIND,
    *,
    file: str | None = None,
    located: Sequence[Assessment] | None = None,
    criterion_off: str | None = None,
) -> list[str]:
    """Units that load but deserve a look: located outside the Ambito.

    A municipality outside the Ambito is excluded, not an input error, but it is often a
    misspelling (case and accents are already forgiven): the planner must see it. In the
    form of every warning (``FILE, row N: ...``), the first `limit` and then their count;
    `file` names the table instead of its path as given (the annex names it by its name).

    With the access criterion switched off (the page's scenarios), `inputs` cannot show where
    the units are: `located` are assessments made with it on, and `criterion_off` its name as
    the reader sees it; the units are then said not excluded for it.
    """
    log = WarningLog(limit)
    for item in inputs.assessments if located is None else located:
        if ExclusionReason.OUTSIDE_AMBITO not in item.reasons:
            continue
        unit = item.unit
        values = {"unit": unit.unit_id, "municipality": unit.municipality,
                  "municipalities": ", ".join(inputs.rules.municipalities)}
        message = (_("unit {unit} is in '{municipality}', not a municipality of the Ambito "
                     "({municipalities}): excluded ({reason}); check the spelling if it "
                     "belongs to the Ambito").format(
                         reason=text("reason.OUTSIDE_AMBITO"), **values)
                   if criterion_off is None else
                   _("unit {unit} is in '{municipality}', not a municipality of the Ambito "
                     "({municipalities}): not excluded for this, since the access criterion "
                     "'{criterion}' is off in this scenario; check the spelling if it belongs "
                     "to the Ambito").format(criterion=criterion_off, **values))
        log.add(Problem(message, file=file or inputs.table.source, row=unit.row,
                        code=ErrorCode.UNIT_OUTSIDE_AMBITO))
    return log.lines()


def run_solve(
    inputs: Inputs,
    out_dir: Path,
    *,
    solver: str = "cbc",
    time_limit: float = DEFAULT_TIME_LIMIT,
    lang: str | None = None,
    fund_from: tuple[str, str] | None = None,
) -> SolveRun:
    """Solve, audit the result, then write every output atomically.

    The tables, audit.json and run.json, then the reports for people: allocation.xlsx and
    report.html (labels in `lang`, Italian by default), whose Verifiche show the audit.
    The result is audited exactly as an allocation from a file would be (`audit_result`),
    so the outputs never report an allocation that our own checks reject. `fund_from` is
    the ATS split (path, SHA-256) the fund was taken from in a region run: run.json and
    report.html name it.
    """
    with cycle_collection_paused():
        return _run_solve(inputs, out_dir, solver=solver, time_limit=time_limit,
                          lang=resolve(lang), fund_from=fund_from)


def _run_solve(
    inputs: Inputs, out_dir: Path, *, solver: str, time_limit: float, lang: str,
    fund_from: tuple[str, str] | None,
) -> SolveRun:
    started_at = datetime.now(UTC).isoformat(timespec="seconds")
    result = solve_riparto(inputs.assessments, inputs.rules, solver=solver, time_limit=time_limit)
    if result.allocation is None:  # solve_riparto raises first; never report a non-optimum
        raise SolverError(_("the solver ended with status {status}").format(
            status=result.status), ErrorCode.NOT_OPTIMAL)
    # Each unit's outcome and allocation.csv's rows, made once for every output: at a large
    # Ambito each takes a noticeable share of the run (benchmarks/RESULTS.md).
    outcomes = unit_outcomes(inputs.assessments, result.allocation, inputs.rules)
    table = allocation_rows(outcomes)
    report = audit_result(inputs, result.allocation, outcomes=outcomes)
    payments = operator_payments(outcomes)
    tables = render_tables(inputs.assessments, result.allocation, inputs.rules,
                           outcomes=outcomes, table=table, payments=payments)
    # Each output is written to its temporary file as soon as it is made (`StagedOutputs`):
    # a large Ambito's outputs together would be the run's peak of memory.
    with StagedOutputs(out_dir, [*tables, *SOLVE_REPORTS],
                       inputs=(inputs.table.source, inputs.rules.source)) as staged:
        for name, data in tables.items():
            staged.add(name, data)
        del tables
        staged.add("audit.json", render_audit(report, "json").encode("utf-8"))
        document = run_document(
            result=result,
            rules=inputs.rules,
            inputs={inputs.table.source: inputs.table.sha256,
                    inputs.rules.source: inputs.rules.sha256},
            overrides=inputs.overrides,
            started_at=started_at,
            finished_at=datetime.now(UTC).isoformat(timespec="seconds"),
            units=(inputs.table.source, inputs.table.sha256),
            ambito=inputs.ambito,
            # by the table's name: report.html is published, the folders of a computer are not
            input_warnings=input_warnings(inputs, file=Path(inputs.table.source).name),
            fund_from=fund_from,
        )
        staged.add("run.json", render_run_json(document))
        annex = build_annex(outcomes)  # one annex for both reports
        staged.add("allocation.xlsx", allocation_workbook(
            outcomes, result.allocation, inputs.rules, audit=report, lang=lang, table=table,
            units_sha256=inputs.table.sha256, annex=annex, payments=payments))
        del table  # allocation.csv's rows: report.html does not need them
        staged.add("report.html", html_report(outcomes, result.allocation, inputs.rules,
                                              document, audit=report, lang=lang, annex=annex,
                                              payments=payments))
        written = staged.commit()
    # result.messages were printed as they happened (`warn`): the summary does not repeat them
    summary = summary_text(inputs.assessments, result.allocation, inputs.rules,
                           outcomes=outcomes)
    return SolveRun(inputs, result, out_dir, tuple(written), summary, report)


def audit_result(
    inputs: Inputs, allocation: Allocation, *, outcomes: Sequence[UnitOutcome] | None = None
) -> AuditReport:
    """Audit our own allocation, with the tranches and shares that allocation.csv reports.

    Raises:
        SolverError: any check fails; one problem per violation, naming the check. A solver
            answer that breaks a rule (or that a one-cent move would improve) is a failure
            of the solve, never an output.
    """
    if outcomes is None:
        outcomes = unit_outcomes(inputs.assessments, allocation, inputs.rules)
    report = audit_solution(
        inputs.assessments,
        inputs.rules,
        allocation.awards,
        residual=allocation.residual_awards,
        payments={o.assessment.unit.unit_id: (o.tranche_1, o.tranche_2) for o in outcomes},
        shares={o.assessment.unit.unit_id: o.share for o in outcomes},
        # the residual share of the units that received one (0 for the others by construction)
        residual_shares={o.assessment.unit.unit_id: o.residual_share for o in outcomes
                         if o.residual_award},
    )
    if not report.is_ok:
        raise SolverError([
            Problem(_("our own audit of the result fails {check}: {subject}: expected "
                      "{expected}, actual {actual}; nothing was written").format(
                          check=v.check, subject=v.subject, expected=v.expected,
                          actual=v.actual),
                    code=ErrorCode.OWN_AUDIT_FAILED)
            for v in report.violations
        ])
    return report


def run_audit(
    inputs: Inputs, allocation_path: Path, *, record: RunRecord | None = None
) -> AuditRun:
    """Read an allocation (ours, or an Excel riparto) and audit it against the inputs.

    With the `record` of its run folder, the audit also checks that the inputs are the files
    the run read (``INPUT_CHANGED``) and, when the allocation is the folder's own, that the
    folder's other outputs (payments.csv, summary.csv, allocation.xlsx) say what it says.

    Raises:
        InputError: the allocation cannot be read; every bad cell named by row and column.
    """
    with cycle_collection_paused():
        table = load_allocation_table(allocation_path)
        provided = parse_allocation(table.headings, table.rows, str(allocation_path),
                                    sha256=table.sha256, dialect=table.dialect)
        outputs = None
        if record is not None:
            provided = replace(provided, record=record,
                               columns=provided.columns | {RUN_RECORD})
            folder = Path(record.path).parent
            if allocation_path.parent.resolve() == folder.resolve():
                # the folder's other outputs are compared with its own allocation only
                outputs = parse_outputs(load_run_outputs(folder, allocation_path))
        return AuditRun(inputs, provided, audit(inputs.assessments, inputs.rules, provided,
                                                outputs=outputs))


@dataclass(frozen=True)
class RunFolder:
    """What `fsr-opt audit RUN_DIR` audits: the inputs as the run's record says, and where.

    Attributes:
        inputs: the units and rule set (with the run's overrides, then the explicit ones).
        allocation: the allocation file to audit.
        record: run.json's record of the inputs, with their hashes then and now.
    """

    inputs: Inputs
    allocation: Path
    record: RunRecord


def run_folder_of(allocation: Path) -> Path | None:
    """The run folder an allocation file sits in (its folder has a run.json), if any."""
    folder = allocation.parent
    return folder if (folder / RUN_RECORD).is_file() else None


def _recorded_path(document: dict[str, Any], role: str, source: Path) -> tuple[str, str]:
    """The path and hash run.json records for an input (``units`` or ``rules``)."""
    def mapping(value: object) -> dict[str, Any]:
        return value if isinstance(value, dict) else {}

    entry = mapping(mapping(document.get("input_files")).get(role))
    if entry:
        path, digest = entry.get("path"), entry.get("sha256")
    else:  # a run.json written before input_files: the rule set is named, the units not
        rule_set = mapping(document.get("rule_set"))
        inputs = mapping(document.get("inputs"))
        rules_path = rule_set.get("source")
        if role == "rules":
            path, digest = rules_path, rule_set.get("sha256")
        else:
            others = [(p, d) for p, d in inputs.items() if p != rules_path]
            path, digest = others[0] if len(others) == 1 else (None, None)
    if not isinstance(path, str) or not isinstance(digest, str) or not path:
        raise InputError([Problem(
            _("run.json does not record the {role} file of the run; give it with --{role} "
              "PATH").format(role=role), file=str(source), code=ErrorCode.BAD_RUN_RECORD)])
    return path, digest


RUN_INPUTS_FOLDER = "dati"
"""Where a run folder carries copies of its inputs (the run folder `fsr-opt serve` downloads):
a recorded input no longer at its path is looked for there, by its file name."""


def load_run_folder(
    run_dir: Path,
    *,
    allocation: Path | None = None,
    units: Path | None = None,
    rules: Path | None = None,
    overrides: Sequence[tuple[str, str]] = (),
) -> RunFolder:
    """Load what a run folder was solved with, as its run.json records it.

    The rule set, the units table and the overrides come from run.json (an input no longer
    at its recorded path is taken from the folder's `RUN_INPUTS_FOLDER`, if a file of that
    name is there); an explicit `units` or `rules` path wins over the recorded one, and
    explicit `overrides` are applied after the recorded ones (so they win for the same
    parameter). The hashes recorded are compared with what is read now: a changed file is
    named by the audit (``INPUT_CHANGED``).

    Raises:
        InputError: no run.json, a run.json without what it should record, or a recorded
            input that is no longer at its path (``BAD_RUN_RECORD``); bad inputs.
        RuleSetError: the rule set with the overrides breaks a rule.
    """
    document = load_run_record(run_dir)
    source = run_dir / RUN_RECORD
    recorded_overrides = document.get("overrides", [])
    if not isinstance(recorded_overrides, list) or not all(
            isinstance(item, str) and "=" in item for item in recorded_overrides):
        raise InputError([Problem(_("its overrides are not a list of KEY=VALUE texts; run "
                                    "solve again"), file=str(source),
                                  code=ErrorCode.BAD_RUN_RECORD)])
    pairs = [tuple(item.split("=", 1)) for item in recorded_overrides]
    chosen: dict[str, Path] = {}
    recorded: dict[str, tuple[str, str]] = {}
    for role, given in (("units", units), ("rules", rules)):
        recorded[role] = _recorded_path(document, role, source)
        if given is not None:
            chosen[role] = given
            continue
        path = Path(recorded[role][0])
        copy = run_dir / RUN_INPUTS_FOLDER / path.name
        if not path.is_file() and copy.is_file():
            path = copy  # a folder carried elsewhere with its inputs; the hashes still decide
        if not path.is_file():
            raise InputError([Problem(
                _("the run read its {role} from {path}, which is no longer there; give the "
                  "file with --{role} PATH").format(role=role, path=path), file=str(source),
                code=ErrorCode.BAD_RUN_RECORD)])
        chosen[role] = path
    files = document.get("input_files")
    units_entry = files.get("units") if isinstance(files, dict) else None
    ambito = units_entry.get("ambito") if isinstance(units_entry, dict) else None
    inputs = load_inputs(chosen["units"], chosen["rules"],
                         [*((k, v) for k, v in pairs), *overrides],
                         ambito=ambito if isinstance(ambito, str) and ambito else None)
    now = {"units": (inputs.table.source, inputs.table.sha256),
           "rules": (inputs.rules.source, inputs.rules.sha256)}
    record = RunRecord(
        path=str(source),
        inputs=tuple(RecordedInput(role, recorded[role][0], recorded[role][1], *now[role])
                     for role in ("units", "rules")),
        overrides=tuple(recorded_overrides))
    return RunFolder(inputs, allocation or run_dir / "allocation.csv", record)


# ---------------------------------------------------------------------------------------------
# Solving in memory (the what-if commands of `fsr_opt.app.scenarios` and the web page)
# ---------------------------------------------------------------------------------------------


def solve_inputs(
    inputs: Inputs, *, solver: str = "cbc", time_limit: float = DEFAULT_TIME_LIMIT
) -> tuple[SolveResult, Allocation]:
    """Solve in memory (nothing written) and return the result with its allocation."""
    result = solve_riparto(inputs.assessments, inputs.rules, solver=solver, time_limit=time_limit)
    if result.allocation is None:  # solve_riparto raises first; never report a non-optimum
        raise SolverError(_("the solver ended with status {status}").format(
            status=result.status), ErrorCode.NOT_OPTIMAL)
    return result, result.allocation
