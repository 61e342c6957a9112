"""The entry points of the audit: check an allocation read from a file, or one held in memory.

Both run every check of the registry (`fsr_opt.audit.registry.CHECKS`) in its order, skip
those whose optional column the allocation lacks, and report every violation, not only the
first.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from fractions import Fraction

from fsr_opt.audit.allocation import ProvidedAllocation, ProvidedRow
from fsr_opt.audit.codes import CheckCode
from fsr_opt.audit.evidence import Evidence
from fsr_opt.audit.registry import CHECKS
from fsr_opt.audit.report import AuditReport, CheckResult, Violation
from fsr_opt.core.schema import Assessment, RuleSet
from fsr_opt.rules.budgets import area_budgets

__all__ = ["audit", "audit_solution"]


def audit(
    assessments: Sequence[Assessment],
    rules: RuleSet,
    allocation: ProvidedAllocation,
    *,
    budgets: Mapping[str, int] | None = None,
) -> AuditReport:
    """Check an allocation against every rule, in exact integer cents, without a solver.

    Eligibility, entitlements, segments (funded sets) and targets come from the assessed
    units and the rule set, never from the allocation: the optional columns of the
    allocation (eligible, entitlement, tranches, share) are compared with them, not used.

    Args:
        assessments: every unit of the units table, judged by `fsr_opt.engine.eligibility.assess`.
        rules: the rule set the allocation must follow.
        allocation: the awards to check (`parse_allocation` or `audit_solution`).
        budgets: the area budgets the allocation was made with; by default those the rule
            set gives (`fsr_opt.rules.budgets.area_budgets`). Passing a published table lets
            ``BUDGETS_ADD_UP`` check it.

    Returns:
        The report: one result per check run, and every violation.
    """
    evidence = Evidence(assessments, rules, allocation,
                        area_budgets(rules) if budgets is None else budgets)
    results: list[CheckResult] = []
    skipped: list[CheckCode] = []
    violations: list[Violation] = []
    for check in CHECKS:
        if not check.runs_on(allocation.columns):
            skipped.append(check.code)
            continue
        findings = check.run(evidence)
        description = check.description.replace("{history_year}", str(rules.history_year))
        results.append(CheckResult(check.code, description, findings.checked,
                                   len(findings.violations)))
        violations.extend(findings.violations)
    return AuditReport(
        source=allocation.source,
        sha256=allocation.sha256,
        rule_set=f"{rules.rule_set_id} v{rules.version}",
        units=len(evidence.assessments),
        rows=len(allocation.rows),
        areas=tuple(evidence.area_totals()),
        results=tuple(results),
        skipped=tuple(skipped),
        violations=tuple(violations),
    )


def audit_solution(
    assessments: Sequence[Assessment],
    rules: RuleSet,
    awards: Mapping[str, int],
    *,
    payments: Mapping[str, tuple[int, int]] | None = None,
    shares: Mapping[str, Fraction] | None = None,
    source: str = "solve",
) -> AuditReport:
    """Audit an allocation held in memory (our own solve), without writing or reading a file.

    Args:
        assessments: every unit, in table order; a unit absent from `awards` is awarded 0.
        rules: the rule set.
        awards: cents per unit id.
        payments: (tranche_1, tranche_2) cents per unit id, when the tranches are to be
            checked too.
        shares: the exact share reported per unit id, when it is to be checked too.
        source: the name the report gives the allocation.

    Returns:
        The report, as `audit` makes it.
    """
    ids = [item.unit.unit_id for item in assessments]
    ids += sorted(set(awards) - set(ids))
    rows = []
    for unit_id in ids:
        first, second = payments.get(unit_id, (None, None)) if payments else (None, None)
        rows.append(ProvidedRow(
            row=None, unit_id=unit_id, award=awards.get(unit_id, 0), tranche_1=first,
            tranche_2=second, share=shares.get(unit_id) if shares else None))
    columns = set()
    if payments is not None:
        columns |= {"tranche_1", "tranche_2"}
    if shares is not None:
        columns.add("share")
    return audit(assessments, rules,
                 ProvidedAllocation(source=source, rows=tuple(rows), columns=frozenset(columns)))
