"""The entry points of the audit: check an allocation read from a file, or one held in memory.

Both run every check of the registry (`fsr_opt.audit.registry.CHECKS`) in its order, skip
those whose optional column the allocation lacks, and report every violation, not only the
first.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from fractions import Fraction

from fsr_opt.audit.allocation import ProvidedAllocation, ProvidedRow
from fsr_opt.audit.codes import OUTPUT_CHECKS, CheckCode
from fsr_opt.audit.evidence import Evidence, Pool
from fsr_opt.audit.findings import group_findings
from fsr_opt.audit.folder import FolderOutputs
from fsr_opt.audit.registry import CHECKS
from fsr_opt.audit.report import AuditReport, CheckResult, Violation
from fsr_opt.audit.wording import share
from fsr_opt.core.i18n import _, ngettext
from fsr_opt.core.schema import Assessment, ResidualScope, RuleSet
from fsr_opt.core.words import money
from fsr_opt.rules.budgets import area_budgets

__all__ = ["audit", "audit_solution"]


def audit(
    assessments: Sequence[Assessment],
    rules: RuleSet,
    allocation: ProvidedAllocation,
    *,
    budgets: Mapping[str, int] | None = None,
    outputs: FolderOutputs | None = None,
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
        outputs: the other outputs of the allocation's run folder, read back
            (`fsr_opt.audit.folder.parse_outputs`): the checks that compare them with the
            allocation run for those the folder holds, and are skipped without them.

    Returns:
        The report: one result per check run, and every violation.
    """
    evidence = Evidence(assessments, rules, allocation,
                        area_budgets(rules) if budgets is None else budgets, outputs)
    results: list[CheckResult] = []
    skipped: list[CheckCode] = []
    violations: list[Violation] = []
    present = allocation.columns | (outputs.present if outputs is not None else frozenset())
    for check in CHECKS:
        if not check.runs_on(present):
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
        findings=group_findings(violations),
        notes=tuple(note for pool in evidence.pools
                    if (note := pool_note(pool, evidence, violations))),
    )


def _contested_by(pool: Pool, violations: Sequence[Violation]) -> list[str]:
    """The codes of the failed checks about a pool's money, in running order.

    Any violation in one of the pool's areas (a unit's award, the area's total, a line's or
    the pool's money) changes or disputes what the pool leaves; a run folder's file that
    disagrees with the allocation (`OUTPUT_CHECKS`) does not.
    """
    places = {*pool.areas, pool.code}
    return list(dict.fromkeys(v.check.value for v in violations
                              if v.area in places and v.check not in OUTPUT_CHECKS))


def pool_note(pool: Pool, evidence: Evidence, violations: Sequence[Violation] = ()) -> str:
    """What a residual pool leaves unassigned, and why, in one sentence ("" if nothing).

    Money left is no violation when no rule lets anyone take it, but it is never silent.
    When checks fail about the pool's areas (`violations`), the note says the money is
    contested and names them, instead of explaining it away: a failed check may say that
    this very money belongs to a unit.
    """
    left = pool.available - pool.given
    if left <= 0:
        return ""
    where = _("the fund") if pool.code == "fondo" else _("area {area}").format(area=pool.code)
    contested = _contested_by(pool, violations)
    if contested:
        return _("{where}: the allocation leaves {left} EUR unassigned, but the checks "
                 "{checks} fail here: whether that money may stay unassigned is contested "
                 "(see the findings)").format(where=where, left=money(left),
                                              checks=", ".join(contested))
    need = sum(need for _item, need, _funded, _residual in pool.units)
    if evidence.scope is ResidualScope.NONE:
        return _("{where}: {left} EUR stay unassigned: the riparto cannot award more within "
                 "the caps and the minimum award, and the rule set has no residual phase "
                 "(residui.scope none); its units that applied still lack {need} EUR").format(
            where=where, left=money(left), need=money(need))
    receiving = sum(1 for *_rest, residual in pool.units if residual > 0)
    given = _("residuals of {given} EUR go to {units} at {share} of what they still "
              "lacked; ").format(
        given=money(pool.given),
        units=ngettext("{count} unit", "{count} units", receiving).format(count=receiving),
        share=share(pool.share)) if pool.given else ""
    why = (_("its units that applied lack nothing more") if pool.given >= need
           else _("the minimum award keeps the rest from the units that lack less"))
    return _("{where}: the riparto leaves {available} EUR; {given}{left} EUR stay unassigned "
             "({why})").format(where=where, available=money(pool.available), given=given,
                               left=money(left), why=why)


def audit_solution(
    assessments: Sequence[Assessment],
    rules: RuleSet,
    awards: Mapping[str, int],
    *,
    residual: Mapping[str, int] | None = None,
    payments: Mapping[str, tuple[int, int]] | None = None,
    shares: Mapping[str, Fraction] | None = None,
    residual_shares: Mapping[str, Fraction] | None = None,
    source: str = "solve",
) -> AuditReport:
    """Audit an allocation held in memory (our own solve), without writing or reading a file.

    Args:
        assessments: every unit, in table order; a unit absent from `awards` is awarded 0.
        rules: the rule set.
        awards: the riparto's cents per unit id (phase one; the whole award without
            `residual`).
        residual: the residual phase's cents per unit id, when there is one.
        payments: (tranche_1, tranche_2) cents per unit id, when the tranches are to be
            checked too.
        shares: the exact share reported per unit id, when it is to be checked too.
        residual_shares: the exact residual share reported per unit id, likewise.
        source: the name the report gives the allocation.

    Returns:
        The report, as `audit` makes it.
    """
    ids = [item.unit.unit_id for item in assessments]
    ids += sorted((set(awards) | set(residual or {})) - set(ids))
    rows = []
    for unit_id in ids:
        first, second = payments.get(unit_id, (None, None)) if payments else (None, None)
        criteria = awards.get(unit_id, 0)
        extra = residual.get(unit_id, 0) if residual is not None else None
        rows.append(ProvidedRow(
            row=None, unit_id=unit_id, award=criteria + (extra or 0), tranche_1=first,
            tranche_2=second, share=shares.get(unit_id) if shares else None,
            criteria_award=criteria if residual is not None else None, residual_award=extra,
            residual_share=residual_shares.get(unit_id) if residual_shares else None))
    columns = set()
    if payments is not None:
        columns |= {"tranche_1", "tranche_2"}
    if shares is not None:
        columns.add("share")
    if residual is not None:
        columns |= {"criteria_award", "residual_award"}
    if residual_shares is not None:
        columns.add("residual_share")
    return audit(assessments, rules,
                 ProvidedAllocation(source=source, rows=tuple(rows), columns=frozenset(columns)))
