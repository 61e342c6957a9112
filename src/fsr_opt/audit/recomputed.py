"""The riparto's arithmetic redone by the audit, apart from the code it audits.

A check that called the engine's own function (the tranche split, the segments of a service
line, the targets) would agree with any bug in it. So what the checks compare an allocation
with is recomputed here from the rule set's values, in exact integers and fractions, written
from the criteria rather than copied from the engine: the tests hold the two to the same
answers.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from fractions import Fraction

from fsr_opt.core.schema import Assessment, RuleSet

__all__ = [
    "FundedSet",
    "consensus_share",
    "distributable_fund",
    "funded_sets",
    "payments",
    "residual_sets",
    "service_targets",
    "still_lacks",
]


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


# ---------------------------------------------------------------------------------------------
# The residual phase (criteria, "quote residui")
# ---------------------------------------------------------------------------------------------


def still_lacks(item: Assessment, award: int) -> int:
    """What a unit still lacks after its riparto award, in cents.

    Its deficit for the days it was active, floored to the cent, less the award; 0 for an
    excluded unit or one without deficit. Recomputed from the unit's costs and revenues, not
    from the entitlement: the residual phase may pay a private unit beyond its formula, never
    beyond its deficit.
    """
    deficit = item.unit.costs - item.unit.revenues
    if deficit <= 0 or item.reasons:
        return 0
    active = item.proration
    prorated = deficit if active == 1 else deficit * active.numerator // active.denominator
    return prorated - award if prorated > award else 0


def residual_sets(
    funded_needs: Iterable[int], other_needs: Iterable[int], minimum: int
) -> tuple[FundedSet, ...]:
    """The sets of units a residual pool can fund, with the totals that fund each.

    The units the riparto funded are always in (any residual keeps them above the minimum);
    another unit is in exactly when the pool's share of its need reaches the minimum. With E
    the needs of the funded units added up, a total S funds exactly the others whose need is
    at least v when S <= E (share at most 1), S * v >= minimum * E (they reach the minimum)
    and S * w < minimum * E for the largest need w left out. `FundedSet.units` counts the
    others funded; a set no total satisfies is left out.
    """
    base = sum(funded_needs)
    fundable = sorted((n for n in other_needs if n > 0 and n >= minimum), reverse=True)
    found = []
    if minimum == 0:
        total = base + sum(fundable)
        return (FundedSet(len(fundable), fundable[-1] if fundable else 0, total, 0, total),)
    first_out = fundable[0] if fundable else None
    upper = base if first_out is None else min(base, (minimum * base - 1) // first_out)
    if upper >= 0 and base > 0:
        found.append(FundedSet(0, 0, base, 0, upper))
    funded = base
    for index, value in enumerate(fundable):
        funded += value
        following = fundable[index + 1] if index + 1 < len(fundable) else None
        if following == value:
            continue
        lower = -(-minimum * funded // value)
        upper = funded if following is None else min(funded, (minimum * funded - 1) // following)
        if lower <= upper:
            found.append(FundedSet(index + 1, value, funded, lower, upper))
    return tuple(found)


def consensus_share(
    awards: Sequence[tuple[int, int]], printed: Sequence[Fraction] = (), *, silent: int = 0
) -> Fraction:
    """The share most of a group's awards agree with, within one cent: lambda or mu.

    Each (award, base) with base > 0 admits the shares s with |award - s * base| <= 1 cent:
    an interval. The share is taken in the region that the most intervals cover, so that one
    edited award is one unit off the share rather than moving the share of all the others.
    Among equally covered regions, the one holding the most `printed` shares (the share
    column, as written) wins, then the one nearest the plain average; when that leaves a tie,
    or when no two awards agree at all, there is no consensus and the plain average is the
    share. Inside the region, the share is the average of the awards that agree (with the
    bases of the `silent` units, funded at a share that rounds to 0 cents, counted in it),
    brought into the region. With no disagreement this is the plain average: the group's
    total over its bases, `silent` included.
    """
    pairs = [(award, base) for award, base in awards if base > 0]
    if not pairs:
        return Fraction(0)
    total, bases = sum(a for a, _ in pairs), sum(b for _, b in pairs) + silent
    # Every award within a cent of the plain average: a correct riparto, checked in integers
    # (no Fraction per unit: a line may have tens of thousands of units).
    if all(abs(a * bases - total * b) <= bases for a, b in pairs):
        return Fraction(total, bases)
    average = Fraction(total, bases)
    events: list[tuple[Fraction, int]] = []
    for award, base in pairs:
        events.append((Fraction(award - 1, base), 0))  # opens first: the intervals are closed
        events.append((Fraction(award + 1, base), 1))
    events.sort()
    regions: list[tuple[int, Fraction, Fraction]] = []
    depth = 0
    for index, (point, kind) in enumerate(events):
        depth += 1 if kind == 0 else -1
        if kind == 0:  # the depth only grows at an opening: the deepest region starts at one
            regions.append((depth, point, events[index + 1][0]))
    best = max(depth for depth, _, _ in regions)
    if best == 1 and len(pairs) > 1:
        return average  # no two awards agree: nothing to prefer

    def rank(region: tuple[Fraction, Fraction]) -> tuple[int, Fraction]:
        low, high = region
        votes = sum(1 for share in printed if low - Fraction(1, 10**6) <= share
                    <= high + Fraction(1, 10**6))
        return -votes, max(low - average, average - high, Fraction(0))

    ranked = sorted(((rank((low, high)), low, high) for depth, low, high in regions
                     if depth == best), key=lambda item: item[0])
    if len(ranked) > 1 and ranked[0][0] == ranked[1][0]:
        return average
    _, low, high = ranked[0]
    agreeing = [(a, b) for a, b in pairs
                if Fraction(a - 1, b) <= low and high <= Fraction(a + 1, b)]
    centre = Fraction(sum(a for a, _ in agreeing), sum(b for _, b in agreeing) + silent)
    return min(max(centre, low), high)
