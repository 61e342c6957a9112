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


@dataclass(frozen=True)
class UnitOutcome:
    """One unit's result: its assessment, award (cents), share, binding limit and payments.

    Attributes:
        share: the service line's share lambda given to the unit (0 when it gets nothing).
        tranche_1, tranche_2: the two payments in cents (`fsr_opt.engine.eligibility.tranches`).
    """

    assessment: Assessment
    award: int
    share: Fraction
    binding: Binding
    tranche_1: int
    tranche_2: int


def unit_outcomes(
    assessments: Sequence[Assessment], allocation: Allocation, rules: RuleSet
) -> list[UnitOutcome]:
    """Pair each assessed unit (input order) with its award, share, binding limit, payments."""
    spent: dict[str, int] = {}
    for service in allocation.services.values():
        spent[service.area] = spent.get(service.area, 0) + service.awarded
    outcomes = []
    for item in assessments:
        award = allocation.awards.get(item.unit.unit_id, 0)
        result = allocation.services.get(item.service)
        share = result.share if (result is not None and award > 0) else Fraction(0)
        if not item.eligible:
            binding = Binding.EXCLUDED
        elif award == 0:
            binding = Binding.BELOW_MINIMUM
        elif share == 1:
            binding = Binding(item.cap_source.value)
        elif spent.get(item.area, 0) >= allocation.area_budgets.get(item.area, 0):
            binding = Binding.AREA_BUDGET
        else:
            binding = Binding.EQUAL_SHARE
        first, second = tranches(award, rules)
        outcomes.append(UnitOutcome(item, award, share, binding, first, second))
    return outcomes
