"""The riparto's arithmetic redone by the audit, apart from the code it audits.

A check that called the engine's own function (the tranche split, the segments of a service
line, the targets) would agree with any bug in it. So what the checks compare an allocation
with is recomputed here from the rule set's values, in exact integers and fractions, written
from the criteria rather than copied from the engine: the tests hold the two to the same
answers.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from fractions import Fraction

from fsr_opt.core.schema import RuleSet

__all__ = ["FundedSet", "distributable_fund", "funded_sets", "payments", "service_targets"]


def payments(award: int, rules: RuleSet) -> tuple[int, int]:
    """The two payments of an award (criteria, "Erogazione"): a percent, then the rest.

    An award up to the single-payment threshold is paid at once; otherwise the first tranche
    is the percent of the award rounded half up to the cent: up when the remainder of the
    division is at least half the divisor.
    """
    if award <= rules.single_payment_threshold:
        return award, 0
    percent = rules.first_tranche_percent
    divisor = 100 * percent.denominator
    whole, remainder = divmod(award * percent.numerator, divisor)
    first = whole + 1 if 2 * remainder >= divisor else whole
    return first, award - first


def _half_up(value: Fraction) -> int:
    """A non-negative amount rounded to the cent, a half cent up."""
    whole, part = divmod(value, 1)
    return int(whole) + (1 if part >= Fraction(1, 2) else 0)


def distributable_fund(rules: RuleSet) -> int:
    """The cents split among the areas: the fund less the reserve and the other services.

    Each set-aside is its percent of the fund rounded half up on its own (each is a separate
    fund); the areas get what is left.
    """
    fund = Fraction(rules.fund)
    set_aside = (_half_up(fund * rules.reserve_percent / 100)
                 + _half_up(fund * rules.other_services_percent / 100))
    return rules.fund - set_aside


def service_targets(rules: RuleSet, budgets: Mapping[str, int]) -> dict[str, Fraction]:
    """Each service line's target: its area's budget in proportion to the 2024 amounts.

    An area whose 2024 amounts are all 0 has no pattern to follow: its lines share the budget
    equally. An area without a budget has target 0.
    """
    targets: dict[str, Fraction] = {}
    for area in rules.areas:
        budget = budgets.get(area.code, 0)
        history = sum(service.historical for service in area.services)
        for service in area.services:
            weight = Fraction(service.historical, history) if history else Fraction(
                1, len(area.services))
            targets[service.code] = budget * weight
    return targets


@dataclass(frozen=True)
class FundedSet:
    """The totals of a service line at which the same units are funded.

    Attributes:
        units: how many units are funded: every unit whose entitlement is at least `smallest`.
        smallest: the smallest funded entitlement, cents.
        entitlement: the funded units' entitlements added up, cents.
        lower, upper: the least and the greatest total that funds exactly these units, cents.
    """

    units: int
    smallest: int
    entitlement: int
    lower: int
    upper: int

    def holds(self, total: int) -> bool:
        """Whether `total` funds exactly these units."""
        return self.lower <= total <= self.upper


def funded_sets(entitlements: Iterable[int], minimum: int) -> tuple[FundedSet, ...]:
    """Every set of units a service line can fund, with the totals that fund it.

    With one share lambda = S / E for the funded units (E their entitlements), a total S funds
    exactly the units with entitlement at least v when: lambda <= 1 (S <= E); the smallest
    funded unit reaches the minimum (S * v >= minimum * E); and the largest unit left out
    does not (S * w < minimum * E, w its entitlement), else leaving it out breaks equal
    treatment. Units with equal entitlements are funded together. A set no total satisfies
    is left out.

    Args:
        entitlements: of the line's eligible units; only those at least the minimum and
            above 0 can ever be funded.
        minimum: the minimum award, cents.
    """
    fundable = sorted((e for e in entitlements if e >= minimum and e > 0), reverse=True)
    found = []
    funded = 0
    for index, value in enumerate(fundable):
        funded += value
        following = fundable[index + 1] if index + 1 < len(fundable) else None
        if following == value:
            continue  # equal entitlements: never one without the other
        lower = -(-minimum * funded // value)  # least S with S * value >= minimum * funded
        upper = funded
        if following is not None:
            if minimum == 0:
                continue  # every unit reaches a minimum of 0: none can be left out
            upper = min(upper, (minimum * funded - 1) // following)  # S * following < m * E
        if lower <= upper:
            found.append(FundedSet(index + 1, value, funded, lower, upper))
    return tuple(found)
