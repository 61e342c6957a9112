"""From violations to findings: one cause, and the violations it explains counted under it.

One edited cell breaks several rules at once: an award raised by 1,000 EUR is off its line's
share (the cause), and so its area goes over budget and its tranches no longer split it (the
consequences). The checks report each broken rule; a finding groups them, so that the report
says *one thing is wrong, here* rather than listing its echoes as if they were independent:

* the violations of one unit form one finding, the first in running order being the cause
  (an award off its share before the tranches that no longer split it);
* a violation about an area, a service line or a residual pool (over budget, money left, a
  better transfer) is a consequence of the first unit's finding in that area, preferably in
  the same service line: a changed award changes its area's total;
* without such a unit, the violations of one area form one finding (a changed area total:
  an allocation made with another budget leaves money in every line of the area);
* a disagreement of a run folder's other output (a row of payments.csv, a total) that adds
  up the awards of some units is a consequence of the first finding about one of them; of
  the first unit's finding in its area when it names one (a line of summary.csv); else it
  is a finding of its own. A finding about a unit's award in the allocation comes first as
  the owner; without one, a unit whose workbook cell disagrees (an award edited in
  allocation.csv, kept by the workbook) owns the other files' disagreements, never a rule's;
* a changed input file, and anything concerning no unit or area, stands alone.

Findings come in that order: changed inputs, units (in the order of their first violation),
areas, the rest. The violations themselves stay in the report, each exactly once.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from fsr_opt.audit.codes import OUTPUT_CHECKS, CheckCode
from fsr_opt.audit.report import Violation

__all__ = ["Finding", "group_findings"]


@dataclass(frozen=True)
class Finding:
    """One thing wrong with the allocation and the broken rules it explains.

    Attributes:
        cause: the violation that names what to fix (a unit's award, an area's total, an
            input file).
        consequences: the other violations it explains, in running order.
    """

    cause: Violation
    consequences: tuple[Violation, ...] = ()

    @property
    def violations(self) -> int:
        """How many violations the finding accounts for."""
        return 1 + len(self.consequences)


def group_findings(violations: Sequence[Violation]) -> tuple[Finding, ...]:
    """Group violations (in running order) into findings; every violation is in exactly one."""
    inputs: list[list[Violation]] = []
    units: dict[str, list[Violation]] = {}
    areas: dict[str, list[Violation]] = {}
    alone: list[list[Violation]] = []
    pending: list[Violation] = []
    related: list[Violation] = []
    for violation in violations:
        if violation.check is CheckCode.INPUT_CHANGED:
            inputs.append([violation])
        elif violation.unit is not None:
            units.setdefault(violation.unit, []).append(violation)
        elif violation.related:
            related.append(violation)
        elif violation.area is not None:
            pending.append(violation)
        else:
            alone.append([violation])
    # A finding about the allocation's own award explains the rest first. A unit whose only
    # violations are cells of another file (the workbook's) explains only other files' cells:
    # an award edited in allocation.csv shows first as the workbook's cell that kept it.
    owners_of = {unit: found for unit, found in units.items()
                 if any(v.check not in OUTPUT_CHECKS for v in found)}
    unrelated: list[Violation] = []
    for violation in related:  # once every unit's own violations are known
        owner = next((unit for unit in owners_of if unit in violation.related),
                     next((unit for unit in units if unit in violation.related), None))
        if owner is not None:
            units[owner].append(violation)
        elif violation.area is not None:
            pending.append(violation)
        else:
            unrelated.append(violation)
    alone += [[violation] for violation in unrelated]
    by_area: dict[str, list[str]] = {}
    by_area_any: dict[str, list[str]] = {}
    for unit, found in units.items():
        area = next((v.area for v in found if v.area is not None), None)
        if area is not None:
            by_area_any.setdefault(area, []).append(unit)
            if unit in owners_of:
                by_area.setdefault(area, []).append(unit)
    for violation in pending:
        assert violation.area is not None
        candidates = by_area.get(violation.area, [])
        if not candidates and violation.check in OUTPUT_CHECKS:
            candidates = by_area_any.get(violation.area, [])
        services = {violation.service, violation.to_service} - {None}
        same_line = [u for u in candidates if any(v.service in services for v in units[u])]
        owners = same_line or candidates
        if owners:
            units[owners[0]].append(violation)
        else:
            areas.setdefault(violation.area, []).append(violation)
    order = {id(violation): index for index, violation in enumerate(violations)}
    groups = [*inputs, *units.values(), *areas.values(), *alone]
    return tuple(Finding(group[0], tuple(sorted(group[1:], key=lambda v: order[id(v)])))
                 for group in groups)
