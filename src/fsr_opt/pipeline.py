"""What each command does, from file paths to written outputs; the CLI only parses and prints.

Loading applies the overrides to the rule-set document *before* validation, so an override
that breaks a rule (shares not totalling 100, a negative fund) is caught like a bad file.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from fsr_opt.audit import (
    AuditReport,
    ProvidedAllocation,
    audit,
    audit_solution,
    parse_allocation,
    render_audit,
)
from fsr_opt.eligibility import assess
from fsr_opt.errors import Problem, SolverError
from fsr_opt.files import (
    default_rules_path,
    default_units_path,
    load_allocation_table,
    load_units,
    read_rule_document,
    write_outputs,
)
from fsr_opt.report import (
    render_run_json,
    render_tables,
    run_document,
    summary_text,
    unit_outcomes,
)
from fsr_opt.rules import apply_overrides, parse_rule_set
from fsr_opt.schema import Allocation, Assessment, RuleSet, SolveResult, UnitsTable
from fsr_opt.solve import DEFAULT_TIME_LIMIT, solve_riparto

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Inputs:
    """A validated units table and rule set, with the assessment of every unit."""

    table: UnitsTable
    rules: RuleSet
    assessments: tuple[Assessment, ...]
    overrides: tuple[tuple[str, str], ...]


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
    """Read, override and validate a rule set (the bundled one when no path is given)."""
    path = rules_path or default_rules_path()
    document, digest = read_rule_document(path)
    if overrides:
        document = apply_overrides(document, overrides)
    return parse_rule_set(document, source=str(path), sha256=digest)


def load_inputs(
    units_path: Path | None,
    rules_path: Path | None,
    overrides: Sequence[tuple[str, str]] = (),
) -> Inputs:
    """Load and check everything a solve needs; raise the first layer's errors all at once."""
    rules = load_rules(rules_path, overrides)
    table = load_units(units_path or default_units_path())
    return Inputs(table, rules, assess(table, rules), tuple(overrides))


def run_solve(
    inputs: Inputs,
    out_dir: Path,
    *,
    solver: str = "cbc",
    time_limit: float = DEFAULT_TIME_LIMIT,
) -> SolveRun:
    """Solve, audit the result, then write the tables, run.json and audit.json atomically.

    The result is audited exactly as an allocation from a file would be (`audit_result`),
    so the outputs never report an allocation that our own checks reject.
    """
    started_at = datetime.now(UTC).isoformat(timespec="seconds")
    result = solve_riparto(inputs.assessments, inputs.rules, solver=solver, time_limit=time_limit)
    if result.allocation is None:  # solve_riparto raises first; never report a non-optimum
        raise SolverError(f"the solver ended with status {result.status}")
    report = audit_result(inputs, result.allocation)
    files = render_tables(inputs.assessments, result.allocation, inputs.rules)
    files["audit.json"] = render_audit(report, "json").encode("utf-8")
    document = run_document(
        result=result,
        rules=inputs.rules,
        inputs={inputs.table.source: inputs.table.sha256, inputs.rules.source: inputs.rules.sha256},
        overrides=inputs.overrides,
        started_at=started_at,
        finished_at=datetime.now(UTC).isoformat(timespec="seconds"),
    )
    files["run.json"] = render_run_json(document)
    written = write_outputs(out_dir, files)
    summary = summary_text(inputs.assessments, result.allocation, inputs.rules, result.messages)
    return SolveRun(inputs, result, out_dir, tuple(written), summary, report)


def audit_result(inputs: Inputs, allocation: Allocation) -> AuditReport:
    """Audit our own allocation, with the tranches and shares that allocation.csv reports.

    Raises:
        SolverError: any check fails; one problem per violation, naming the check. A solver
            answer that breaks a rule (or that a one-cent move would improve) is a failure
            of the solve, never an output.
    """
    outcomes = unit_outcomes(inputs.assessments, allocation, inputs.rules)
    report = audit_solution(
        inputs.assessments,
        inputs.rules,
        allocation.awards,
        payments={o.assessment.unit.unit_id: (o.tranche_1, o.tranche_2) for o in outcomes},
        shares={o.assessment.unit.unit_id: o.share for o in outcomes},
    )
    if not report.is_ok:
        raise SolverError([
            Problem(f"our own audit of the result fails {v.check}: {v.subject}: expected "
                    f"{v.expected}, actual {v.actual}; nothing was written", code=v.check)
            for v in report.violations
        ])
    return report


def run_audit(inputs: Inputs, allocation_path: Path) -> AuditRun:
    """Read an allocation (ours, or an Excel riparto) and audit it against the inputs.

    Raises:
        InputError: the allocation cannot be read; every bad cell named by row and column.
    """
    headings, rows, digest = load_allocation_table(allocation_path)
    provided = parse_allocation(headings, rows, str(allocation_path), sha256=digest)
    return AuditRun(inputs, provided, audit(inputs.assessments, inputs.rules, provided))
