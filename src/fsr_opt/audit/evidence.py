"""What every check reads, computed once per audit, and what each check returns.

The allocation contributes its awards and nothing else: eligibility and entitlements come from
the assessed units, the funded sets and targets are recomputed from them and the rule set
(`fsr_opt.audit.recomputed`, not the engine's code), so an allocation cannot vouch for itself.
The optional columns it carries (eligible, entitlement, tranches, share) are only compared
with what is recomputed here.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from fractions import Fraction

from fsr_opt.audit.allocation import ProvidedAllocation, ProvidedRow
from fsr_opt.audit.recomputed import FundedSet, funded_sets, service_targets
from fsr_opt.audit.report import AreaTotal, Violation
from fsr_opt.core.schema import Assessment, RuleSet
from fsr_opt.io.cells import normalize_id

__all__ = ["Evidence", "Findings", "ServiceLine", "line_share"]


@dataclass(frozen=True)
class Findings:
    """What one check returns: how many items it examined, and every violation it found."""

    checked: int
    violations: Sequence[Violation]


@dataclass(frozen=True)
class ServiceLine:
    """A service line as the checks see it: units, awards, target and what it can fund.

    Attributes:
        code, area: the line's code and its area's.
        target: T_s, exact cents: the area budget in proportion to the 2024 amounts.
        units: the line's eligible units, in table order, with their awards.
        funded_sets: the sets of units it can fund, fewest units first (`funded_sets`).
    """

    code: str
    area: str
    target: Fraction
    units: tuple[tuple[Assessment, int], ...]
    funded_sets: tuple[FundedSet, ...]

    @property
    def total(self) -> int:
        """What the allocation gives the line's eligible units together (cents)."""
        return sum(award for _, award in self.units)

    def funded_set_at(self, total: int) -> FundedSet | None:
        """The set of units a total funds; None when no set can take exactly that total."""
        return next((option for option in self.funded_sets if option.holds(total)), None)


class Evidence:
    """The facts the checks share, so that each check states only its rule.

    Attributes:
        assessments: every unit of the units table, judged by the access criteria.
        rules: the rule set the allocation must follow.
        allocation: the allocation audited.
        budgets: the area budgets the allocation must keep to, cents per area.
        known: the assessment of each unit id of the units table.
        rows_of: the allocation's rows of each unit it names, in file order: by the units
            table's id when the row names a unit of it, else by the id as first written.
            Ids are matched as the units table compares them (`normalize_id`: case, spaces,
            invisible characters and compatibility forms aside), so ``udo1001`` is
            ``UDO1001``.
        awards: what each unit of the units table receives: the sum of its rows, since a
            unit listed twice is paid twice; 0 for a unit without a row.
        lines: the service lines by code, in rule-set order.
        shares: the share lambda_s of each service line (see `line_share`).
    """

    def __init__(
        self,
        assessments: Sequence[Assessment],
        rules: RuleSet,
        allocation: ProvidedAllocation,
        budgets: Mapping[str, int],
    ) -> None:
        self.assessments = tuple(assessments)
        self.rules = rules
        self.allocation = allocation
        self.budgets = dict(budgets)
        self.known = {item.unit.unit_id: item for item in self.assessments}
        self._ids = {normalize_id(unit_id): unit_id for unit_id in self.known}
        self.rows_of: dict[str, list[ProvidedRow]] = {}
        for row in allocation.rows:
            key = normalize_id(row.unit_id)
            self._ids.setdefault(key, row.unit_id)
            self.rows_of.setdefault(self._ids[key], []).append(row)
        self.awards = {
            unit_id: sum(row.award for row in self.rows_of.get(unit_id, ()))
            for unit_id in self.known
        }
        self.lines = self._service_lines()
        self.shares = {code: line_share(line, rules.minimum_award)
                       for code, line in self.lines.items()}

    def _service_lines(self) -> dict[str, ServiceLine]:
        targets = service_targets(self.rules, self.budgets)
        units: dict[str, list[tuple[Assessment, int]]] = {code: [] for code in targets}
        for item in self.assessments:
            if item.eligible and item.service in units:
                units[item.service].append((item, self.awards[item.unit.unit_id]))
        minimum = self.rules.minimum_award
        return {
            service.code: ServiceLine(
                service.code, area.code, targets[service.code], tuple(units[service.code]),
                funded_sets([item.entitlement for item, _ in units[service.code]], minimum))
            for area in self.rules.areas for service in area.services
        }

    def unit_id_of(self, written: str) -> str | None:
        """The units table's id of the unit an allocation row names; None for an unknown id."""
        unit_id = self._ids.get(normalize_id(written))
        return unit_id if unit_id in self.known else None

    def first_row(self, unit_id: str) -> int | None:
        """The file row of a unit's first allocation row; None without a row or a file."""
        rows = self.rows_of.get(unit_id)
        return rows[0].row if rows else None

    def known_rows(self) -> list[tuple[ProvidedRow, Assessment]]:
        """The allocation's rows that name a unit of the units table, with its assessment."""
        return [(row, self.known[unit_id]) for row in self.allocation.rows
                if (unit_id := self.unit_id_of(row.unit_id)) is not None]

    def area_totals(self) -> list[AreaTotal]:
        """Each area's budget and awards, in rule-set order; excluded units count if paid."""
        spent: dict[str, int] = {}
        for item in self.assessments:
            spent[item.area] = spent.get(item.area, 0) + self.awards[item.unit.unit_id]
        return [AreaTotal(area, budget, spent.get(area, 0))
                for area, budget in self.budgets.items()]


def line_share(line: ServiceLine, minimum_award: int) -> Fraction:
    """The share lambda_s of a service line: its total over its funded entitlements.

    With a positive minimum the funded units are those with an award. With a minimum of
    0 every eligible unit is funded, an award of 0 being the rounding of a share below
    one cent, so all entitlements count.
    """
    funded = [(item, award) for item, award in line.units
              if (award > 0 if minimum_award > 0 else item.entitlement > 0)]
    entitlement = sum(item.entitlement for item, _ in funded)
    total = sum(award for _, award in funded)
    return Fraction(total, entitlement) if entitlement > 0 else Fraction(0)
