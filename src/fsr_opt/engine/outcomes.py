"""What a solved riparto means for each unit: its award, share, binding limit and payments.

Every output (the CSV tables, the workbook, the HTML report, the what-if differences, the
explain screen) and the own audit of a solve start from these outcomes, so they can never
disagree about a unit. This module sits below `fsr_opt.whatif` and `fsr_opt.reports` and
imports no solver: it reads the typed `Allocation` only.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from fractions import Fraction

from fsr_opt.core.schema import Allocation, Assessment, Binding, RuleSet
from fsr_opt.engine.eligibility import tranches
from fsr_opt.engine.residual import residual_need


@dataclass(frozen=True)
class UnitOutcome:
    """One unit's result: its assessment, award (cents), share, binding limit and payments.

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
    residual_share: Fraction = Fraction(0)

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
    for service in allocation.services.values():
        spent[service.area] = spent.get(service.area, 0) + service.awarded
    pool_share = {area: pool.share for pool in allocation.residual_pools for area in pool.areas}
    outcomes = []
    for item in assessments:
        criteria = allocation.awards.get(item.unit.unit_id, 0)
        residual = allocation.residual_awards.get(item.unit.unit_id, 0)
        award = criteria + residual
        result = allocation.services.get(item.service)
        share = result.share if (result is not None and criteria > 0) else Fraction(0)
        if not item.eligible:
            binding = Binding.EXCLUDED
        elif award == 0:
            binding = Binding.BELOW_MINIMUM
        elif residual > 0:
            binding = (Binding.DEFICIT if residual_need(item, award) == 0
                       else Binding.RESIDUAL)
        elif share == 1:
            binding = Binding(item.cap_source.value)
        elif spent.get(item.area, 0) >= allocation.area_budgets.get(item.area, 0):
            binding = Binding.AREA_BUDGET
        else:
            binding = Binding.EQUAL_SHARE
        first, second = tranches(award, rules)
        outcomes.append(UnitOutcome(
            item, award, share, binding, first, second, residual,
            pool_share.get(item.area, Fraction(0)) if residual else Fraction(0)))
    return outcomes
