"""What every check reads, computed once per audit, and what each check returns.

The allocation contributes its awards and nothing else: eligibility and entitlements come from
the assessed units, the funded sets and targets are recomputed from them and the rule set
(`fsr_opt.audit.recomputed`, not the engine's code), so an allocation cannot vouch for itself.
The optional columns it carries (eligible, entitlement, tranches, share) are only compared
with what is recomputed here.

An award has two parts: the riparto by the criteria (service lines, shares lambda_s, area
budgets) and the residual phase (what the riparto left, given at a share mu of what each unit
still lacks). Given the columns ``criteria_award``/``residual_award``, the checks of each phase
read its part; without them the whole award is the riparto's. The share of a line (or a pool)
is the one most of its awards agree with (`recomputed.consensus_share`): one edited award is
then one unit off, not a reason to find every other unit off.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from fractions import Fraction
from functools import cached_property

from fsr_opt.audit.allocation import ProvidedAllocation, ProvidedRow
from fsr_opt.audit.folder import FolderOutputs, Paid, operator_payments
from fsr_opt.audit.recomputed import (
    FundedSet,
    consensus_share,
    funded_sets,
    payments,
    residual_sets,
    service_targets,
    still_lacks,
)
from fsr_opt.audit.report import AreaTotal, Violation
from fsr_opt.core.i18n import _
from fsr_opt.core.schema import Assessment, ResidualScope, RuleSet
from fsr_opt.io.cells import normalize_id

__all__ = ["Evidence", "Findings", "Pool", "PoolMembers", "ServiceLine", "line_share"]


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
        items, awards: the line's eligible units, in table order, and their awards: side by
            side rather than in pairs, one object less per unit (`units` pairs them).
        funded_sets: the sets of units it can fund, fewest units first (`funded_sets`).
    """

    code: str
    area: str
    target: Fraction
    items: tuple[Assessment, ...]
    awards: tuple[int, ...]
    funded_sets: tuple[FundedSet, ...]

    @property
    def units(self) -> Iterator[tuple[Assessment, int]]:
        """The line's eligible units, in table order, each with its award."""
        return zip(self.items, self.awards, strict=True)

    @cached_property
    def total(self) -> int:
        """What the allocation gives the line's eligible units together (cents)."""
        return sum(self.awards)

    def funded_set_at(self, total: int) -> FundedSet | None:
        """The set of units a total funds; None when no set can take exactly that total."""
        return next((option for option in self.funded_sets if option.holds(total)), None)


@dataclass
class PoolMembers:
    """The units of a pool, side by side rather than one tuple each (one object less per unit).

    Attributes:
        items, needs, funded, residuals: each unit's assessment, what it still lacks after
            its riparto award (cents), whether the riparto funded it, its residual award.
    """

    items: list[Assessment] = field(default_factory=list)
    needs: list[int] = field(default_factory=list)
    funded: list[bool] = field(default_factory=list)
    residuals: list[int] = field(default_factory=list)

    def add(self, item: Assessment, need: int, funded: bool, residual: int) -> None:
        """List one more unit."""
        self.items.append(item)
        self.needs.append(need)
        self.funded.append(funded)
        self.residuals.append(residual)

    def extend(self, other: PoolMembers) -> None:
        """List the units of another group after these."""
        self.items += other.items
        self.needs += other.needs
        self.funded += other.funded
        self.residuals += other.residuals

    def units(self) -> Iterator[tuple[Assessment, int, bool, int]]:
        """The units one by one: (assessment, need, funded, residual award)."""
        return zip(self.items, self.needs, self.funded, self.residuals, strict=True)


@dataclass(frozen=True)
class Pool:
    """A residual pool as the checks see it: what the riparto left and who may receive it.

    Attributes:
        code: the area's code, or ``fondo`` for the one pool of the whole fund.
        areas: the areas whose leftovers it holds and whose units may receive.
        available: cents the riparto left in them (budgets less riparto awards, at least 0).
        members: its units, side by side as `PoolMembers` (`units` gives them one by one).
        share: mu, the share of their need most residual awards agree with.
    """

    code: str
    areas: tuple[str, ...]
    available: int
    members: PoolMembers
    share: Fraction

    @property
    def units(self) -> Iterator[tuple[Assessment, int, bool, int]]:
        """The pool's units one by one: (assessment, need, funded, residual award).

        Each eligible unit that applied and still lacks something after its riparto award,
        or that receives residuals, in table order.
        """
        return self.members.units()

    @cached_property
    def given(self) -> int:
        """What the allocation gives the pool's units in the residual phase (cents)."""
        return sum(self.members.residuals)

    def sets(self, minimum: int) -> tuple[FundedSet, ...]:
        """The sets of units the pool can fund (`recomputed.residual_sets`).

        Worked out only when asked: only a pool that leaves money needs them.
        """
        return residual_sets([need for _, need, funded, _ in self.units if funded],
                             [need for _, need, funded, _ in self.units if not funded], minimum)

    @property
    def subject(self) -> str:
        """How the pool is named in a violation: its area, or the fund's pool."""
        return (_("the fund's residual pool") if self.code == "fondo"
                else _("area {area}").format(area=self.code))


class Evidence:
    """The facts the checks share, so that each check states only its rule.

    Attributes:
        assessments: every unit of the units table, judged by the access criteria.
        rules: the rule set the allocation must follow.
        allocation: the allocation audited.
        budgets: the area budgets the allocation must keep to, cents per area.
        known: the assessment of each unit id of the units table.
        first_rows: the first row of each unit the allocation names, in file order: by the
            units table's id when the row names a unit of it, else by the id as first
            written. Ids are matched as the units table compares them (`normalize_id`: case,
            spaces, invisible characters and compatibility forms aside), so ``udo1001`` is
            ``UDO1001``.
        repeated: the later rows of each unit listed more than once, in file order (a list
            per unit only for those: most units have one row; see `rows_of`).
        unknown_rows: the allocation's rows that name no unit of the units table.
        awards: what each unit of the units table receives: the sum of its rows, since a
            unit listed twice is paid twice; 0 for a unit without a row.
        criteria, residual: the two parts of each unit's award (the riparto's, the residual
            phase's); without the parts' columns the whole award is the riparto's.
        lines: the service lines by code, in rule-set order, with their riparto awards.
        shares: the share lambda_s of each service line (see `line_share`).
        pools: the residual pools, in rule-set order of their areas.
        outputs: the run folder's other outputs read back (payments.csv, summary.csv,
            allocation.xlsx), when the allocation is a run folder's; None otherwise (a
            solve's own audit, an allocation outside a run folder).
    """

    def __init__(
        self,
        assessments: Sequence[Assessment],
        rules: RuleSet,
        allocation: ProvidedAllocation,
        budgets: Mapping[str, int],
        outputs: FolderOutputs | None = None,
    ) -> None:
        self.assessments = tuple(assessments)
        self.rules = rules
        self.allocation = allocation
        self.budgets = dict(budgets)
        self.outputs = outputs
        self.known = {item.unit.unit_id: item for item in self.assessments}
        self._folded: dict[str, str] | None = None
        self.first_rows: dict[str, ProvidedRow] = {}
        self.repeated: dict[str, list[ProvidedRow]] = {}
        self._row_units: list[str | None] = []  # the unit each row names, None if unknown
        self.unknown_rows: list[ProvidedRow] = []
        self.awards = dict.fromkeys(self.known, 0)
        self.residual = dict.fromkeys(self.known, 0)
        self.criteria = dict.fromkeys(self.known, 0)
        spent: dict[str, int] = {}  # the riparto's awards per area, excluded units included
        given: dict[str, int] = {}  # the residual awards per area
        unknown_ids: dict[str, str] = {}  # folded id -> as first written, for unknown units
        for row in allocation.rows:  # each row's id is matched once, here
            unit_id = self.unit_id_of(row.unit_id)
            self._row_units.append(unit_id)
            key = (unit_id if unit_id is not None
                   else unknown_ids.setdefault(normalize_id(row.unit_id), row.unit_id))
            if key in self.first_rows:
                self.repeated.setdefault(key, []).append(row)
            else:
                self.first_rows[key] = row
            if unit_id is None:
                self.unknown_rows.append(row)
                continue
            item = self.known[unit_id]
            residual = row.residual
            criteria = row.award - residual
            self.awards[unit_id] += row.award
            self.residual[unit_id] += residual
            self.criteria[unit_id] += criteria
            spent[item.area] = spent.get(item.area, 0) + criteria
            given[item.area] = given.get(item.area, 0) + residual
        labels = rules.area_labels
        self._area_totals = [AreaTotal(area, budget, spent.get(area, 0), given.get(area, 0),
                                       labels.get(area, ""))
                             for area, budget in self.budgets.items()]
        self.lines = self._service_lines()
        self.shares = {code: line_share(line, rules.minimum_award, self._printed(line))
                       for code, line in self.lines.items()}
        self.pools = self._pools()

    def _printed(self, line: ServiceLine) -> list[Fraction]:
        """The share column of the line's funded rows, as written (none without the column)."""
        return [row.share for item, award in line.units if award > 0
                for row in self.rows_of(item.unit.unit_id) if row.share is not None]

    def _service_lines(self) -> dict[str, ServiceLine]:
        targets = service_targets(self.rules, self.budgets)
        items: dict[str, list[Assessment]] = {code: [] for code in targets}
        awards: dict[str, list[int]] = {code: [] for code in targets}
        for item in self.assessments:
            if item.eligible and item.service in items:
                items[item.service].append(item)
                awards[item.service].append(self.criteria[item.unit.unit_id])
        minimum = self.rules.minimum_award
        return {
            service.code: ServiceLine(
                service.code, area.code, targets[service.code], tuple(items[service.code]),
                tuple(awards[service.code]),
                funded_sets([item.entitlement for item in items[service.code]], minimum))
            for area in self.rules.areas for service in area.services
        }

    @cached_property
    def paid_by_operator(self) -> dict[str, Paid]:
        """What each ente gestore is paid: the allocation's funded rows of its units added up.

        What payments.csv and the workbook's Pagamenti sheet must say (`operator_payments`);
        a row without its tranches is paid as the criteria say (`recomputed.payments`).
        Rows naming no unit of the units table have no ente and are left out.
        """
        rules = self.rules

        def rows() -> Iterator[tuple[str, str, int, int, int]]:
            for row, item in self.known_rows():
                first, second = row.tranche_1, row.tranche_2
                if first is None or second is None:
                    due = payments(row.award, rules)
                    first = due[0] if first is None else first
                    second = due[1] if second is None else second
                yield item.unit.operator, item.unit.unit_id, row.award, first, second

        return operator_payments(rows())

    def unit_id_of(self, written: str) -> str | None:
        """The units table's id of the unit an allocation row names; None for an unknown id.

        An id written exactly as in the units table is that unit (the table refuses two ids
        with one folded form); only another spelling is folded (`normalize_id`).
        """
        if written in self.known:
            return written
        if self._folded is None:
            self._folded = {normalize_id(unit_id): unit_id for unit_id in self.known}
        return self._folded.get(normalize_id(written))

    def known_rows(self) -> Iterator[tuple[ProvidedRow, Assessment]]:
        """The allocation's rows that name a unit of the units table, with its assessment.

        In file order; made as they are read, so that no check keeps a pair per row.
        """
        for row, unit_id in zip(self.allocation.rows, self._row_units, strict=True):
            if unit_id is not None:
                yield row, self.known[unit_id]

    def first_row(self, unit_id: str) -> int | None:
        """The file row of a unit's first allocation row; None without a row or a file."""
        first = self.first_rows.get(unit_id)
        return first.row if first is not None else None

    def rows_of(self, unit_id: str) -> list[ProvidedRow]:
        """The allocation's rows of a unit, in file order; none for a unit without a row."""
        first = self.first_rows.get(unit_id)
        if first is None:
            return []
        return [first, *self.repeated.get(unit_id, ())]

    def area_totals(self) -> list[AreaTotal]:
        """Each area's budget, riparto and residual awards, in rule-set order.

        Excluded units count if paid (their whole award in the riparto's part).
        """
        return list(self._area_totals)

    @property
    def scope(self) -> ResidualScope:
        """Where the rule set's residual phase takes the riparto's leftovers."""
        return self.rules.residual_scope

    def _pools(self) -> list[Pool]:
        """The residual pools: one per area, or one for the fund with scope ``fondo``."""
        left = {total.area: max(total.budget - total.awarded, 0) for total in self.area_totals()}
        members = {area: PoolMembers() for area in left}
        for item in self.assessments:
            if item.area not in members:
                continue
            unit_id = item.unit.unit_id
            criteria, residual = self.criteria[unit_id], self.residual[unit_id]
            need = still_lacks(item, criteria)
            if (item.unit.applied and need > 0) or residual > 0:
                members[item.area].add(item, need, criteria > 0, residual)
        areas = [area.code for area in self.rules.areas if area.code in left]
        if self.scope is ResidualScope.FONDO:
            groups = [("fondo", tuple(areas))]
            available = {"fondo": sum(left.values())}
        else:
            groups = [(area, (area,)) for area in areas]
            available = left
        pools = []
        for code, codes in groups:
            units = PoolMembers()
            for area in codes:
                units.extend(members[area])
            share = consensus_share(
                [(residual, need) for _, need, _, residual in units.units() if residual > 0],
                [row.residual_share for item, _, _, residual in units.units() if residual > 0
                 for row in self.rows_of(item.unit.unit_id)
                 if row.residual_share is not None])
            pools.append(Pool(code, codes, available[code], units, share))
        return pools


def line_share(line: ServiceLine, minimum_award: int, printed: Sequence[Fraction] = ()) -> Fraction:
    """The share lambda_s of a service line: the one most of its awards agree with.

    With a positive minimum the funded units are those with an award. With a minimum of
    0 every eligible unit is funded, an award of 0 being the rounding of a share below
    one cent, so all entitlements count. When every award agrees (a correct riparto) this is
    the line's total over its funded entitlements; one award off does not move it
    (`recomputed.consensus_share`, ties settled by the `printed` share column).
    """
    funded = [(award, item.entitlement) for item, award in line.units if award > 0]
    silent = (sum(item.entitlement for item, award in line.units if award == 0)
              if minimum_award == 0 else 0)
    return consensus_share(funded, printed, silent=silent)
