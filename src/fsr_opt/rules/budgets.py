"""The money that follows from the rule set alone: set-asides, area budgets, service targets.

All of it is exact: set-asides and area budgets in integer cents, targets in exact fractions
of a cent, so that the solver, the audit and the reports start from the same figures.
"""

from __future__ import annotations

from collections.abc import Mapping
from fractions import Fraction

from fsr_opt.core.money import largest_remainder, round_half_up
from fsr_opt.core.schema import RuleSet

__all__ = ["area_budgets", "distributable", "service_targets", "set_aside_amounts"]


def set_aside_amounts(rules: RuleSet) -> dict[str, int]:
    """Return the set-asides in cents: round-half-up(fund * percent / 100) each.

    Rounded one by one (not split by largest remainder) because each is a separate fund with
    its own legal cap; the distributable amount takes whatever the roundings leave.
    """
    return {
        "reserve": round_half_up(Fraction(rules.fund) * rules.reserve_percent / 100),
        "other_services": round_half_up(
            Fraction(rules.fund) * rules.other_services_percent / 100),
    }


def distributable(rules: RuleSet) -> int:
    """Return the cents split among the areas: the fund minus the set-asides."""
    return rules.fund - sum(set_aside_amounts(rules).values())


def area_budgets(rules: RuleSet) -> dict[str, int]:
    """Split the distributable amount among the areas by share, in cents, exactly.

    Each budget is the floor or ceiling of its exact quota (distributable * share / 100) and
    the budgets add up to the distributable amount to the cent (largest remainder). Equal
    remainders go to the larger share, then to the smaller area code, so that the result never
    depends on the order of the areas in the file. For 2025 the two half-cents of minori and
    disabili tie; the cent goes to minori (the larger share), which the published table, with
    both rounded up, cannot do.

    Returns:
        Cents per area code, in document order.
    """
    total = distributable(rules)
    weights = [(area.code, Fraction(total) * area.share_percent / 100) for area in rules.areas]
    split = largest_remainder(total, weights, tie_key=[area.code for area in rules.areas])
    return {area.code: split[area.code] for area in rules.areas}


def service_targets(rules: RuleSet, budgets: Mapping[str, int]) -> dict[str, Fraction]:
    """Return each service line's target T_s = B_a * h_s / sum(h in a), in exact cents.

    The target is the area budget divided in proportion to the amounts of the reference year
    (the criteria: "tenuto conto dell'andamento storico delle assegnazioni"). When every such
    amount of an area is 0 there is no history to follow, and the budget is split equally
    among its lines.

    Args:
        rules: the rule set (areas, service lines and their reference-year amounts).
        budgets: cents per area code, normally `area_budgets(rules)`.

    Returns:
        Exact cents per service code, in document order.
    """
    targets: dict[str, Fraction] = {}
    for area in rules.areas:
        budget = budgets[area.code]
        history = sum(service.historical for service in area.services)
        for service in area.services:
            if history > 0:
                targets[service.code] = Fraction(budget * service.historical, history)
            else:
                targets[service.code] = Fraction(budget, len(area.services))
    return targets
