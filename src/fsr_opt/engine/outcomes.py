"""What a solved riparto means for each unit: its award, share, binding limit and payments.

Every output (the CSV tables, the workbook, the HTML report, the what-if differences, the
explain screen) and the own audit of a solve start from these outcomes, so they can never
disagree about a unit. This module sits below `fsr_opt.whatif` and `fsr_opt.reports` and
imports no solver: it reads the typed `Allocation` only.
"""

from __future__ import annotations

from collections.abc import Sequence
from fractions import Fraction
from typing import NamedTuple

from fsr_opt.core.schema import Allocation, Assessment, Binding, CapSource, RuleSet
from fsr_opt.engine.eligibility import tranches
from fsr_opt.engine.residual import residual_need

_NO_SHARE = Fraction(0)  # one shared zero: a large Ambito has tens of thousands of them


class UnitOutcome(NamedTuple):
    """One unit's result: its assessment, award (cents), share, binding limit and payments.

    A named tuple, not a frozen dataclass: a run makes one per unit, and a frozen dataclass
    takes several times longer to build (like `fsr_opt.reports.annex.AnnexRow`).

    Attributes:
        award: what the unit is paid in all: its riparto award plus its residual award.
        share: the service line's share lambda given to the unit (0 when the riparto gives it
            nothing).
        tranche_1, tranche_2: the two payments of the award, in cents
            (`fsr_opt.engine.eligibility.tranches`).
        residual_award: the part of `award` given by the residual phase.
        residual_share: mu, the residual pool's share of what the unit still lacked (0 when
            it received no residual).
    """

    assessment: Assessment
    award: int
    share: Fraction
    binding: Binding
    tranche_1: int
    tranche_2: int
    residual_award: int = 0
    residual_share: Fraction = _NO_SHARE

    @property
    def criteria_award(self) -> int:
        """The part of `award` given by the riparto (the criteria's lines and shares)."""
        return self.award - self.residual_award


def unit_outcomes(
    assessments: Sequence[Assessment], allocation: Allocation, rules: RuleSet
) -> list[UnitOutcome]:
    """Pair each assessed unit (input order) with its award, share, binding limit, payments.

    The payments split the whole award (riparto plus residual phase). A unit with a residual
    award is bound by its deficit when the residual covered all it lacked, else by the
    residual pool (``RESIDUAL``).
    """
    spent: dict[str, int] = {}
    for line in allocation.services.values():
        spent[line.area] = spent.get(line.area, 0) + line.awarded
    pool_share = {area: pool.share for pool in allocation.residual_pools for area in pool.areas}
    # per service line and per area, what every unit of it shares: worked out once, not per unit
    shares = {code: result.share for code, result in allocation.services.items()}
    full_share = {code for code, share in shares.items() if share == 1}
    cap_binding = {source: Binding(source.value) for source in CapSource}
    budgets = allocation.area_budgets
    # an area neither budgeted nor spent from counts as spent up, as 0 >= 0
    spent_up = {area: spent.get(area, 0) >= budgets.get(area, 0) for area in {*spent, *budgets}}
    awards, residual_awards = allocation.awards, allocation.residual_awards
    outcomes = []
    for item in assessments:
        unit_id, service, area = item.unit.unit_id, item.service, item.area
        criteria = awards.get(unit_id, 0)
        residual = residual_awards.get(unit_id, 0)
        award = criteria + residual
        share = shares.get(service, _NO_SHARE) if criteria > 0 else _NO_SHARE
        if not item.eligible:
            binding = Binding.EXCLUDED
        elif award == 0:
            binding = Binding.BELOW_MINIMUM
        elif residual > 0:
            binding = (Binding.DEFICIT if residual_need(item, award) == 0
                       else Binding.RESIDUAL)
        elif criteria > 0 and service in full_share:
            binding = cap_binding[item.cap_source]
        elif spent_up.get(area, True):
            binding = Binding.AREA_BUDGET
        else:
            binding = Binding.EQUAL_SHARE
        first, second = tranches(award, rules)
        outcomes.append(UnitOutcome(
            item, award, share, binding, first, second, residual,
            pool_share.get(area, _NO_SHARE) if residual else _NO_SHARE))
    return outcomes
