"""The continuous part of the riparto, solved exactly once the funded sets are known.

The MILP's job is combinatorial: which segment (funded set) each service line takes. Once
those are fixed, every stage of the objective has a closed form in rational arithmetic, so the
totals are computed here rather than read back from a floating-point solver. This makes the
result exact to the cent and identical for CBC and HiGHS, and gives the stage values that are
fixed for the next stage (CBC prints its solution with about 8 significant digits: solver
values alone cannot pin a 10-digit amount of cents).

For segment bounds [L_s, U_s], targets T_s and the area's budget B:

* spend X = min(B, sum U_s) (stage 1; all bounds are integers);
* c_s = T_s clamped into [L_s, U_s]; every cent moved away from c_s costs one cent of
  deviation, so the least deviation is sum |c_s - T_s| + |X - sum c_s| (stage 2), reached by
  moving totals only in the direction of X - sum c_s;
* the excess ratio rho (stage 3) is the least water level with
  sum_s clamp(T_s + rho w_s, lo_s, hi_s) >= X over lines with w_s > 0, w_s being the line's
  weight (its target T_s, or what its units asked for under the reading ``istanze``): with
  w_s = T_s that is clamp((1 + rho) T_s, lo_s, hi_s);
* what is still free goes to the earliest service lines (stage 4).
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from fractions import Fraction

from fsr_opt.engine.eligibility import Segment, ServicePlan


@dataclass(frozen=True)
class AreaOptimum:
    """Exact stage values and service totals of one area for given funded sets.

    Attributes:
        spend: cents awarded in the area.
        deviation: sum over service lines of |S_s - T_s|, exact cents.
        excess_ratio: max over lines with w_s > 0 of (S_s - T_s) / w_s (w_s the line's
            `ServicePlan.excess_weight`; -1 or more when it is the target); None when no line
            has a positive weight.
        totals: exact service totals (they add up to `spend`).
    """

    spend: int
    deviation: Fraction
    excess_ratio: Fraction | None
    totals: dict[str, Fraction]


def _clamp(value: Fraction, low: Fraction, high: Fraction) -> Fraction:
    return min(max(value, low), high)


def solve_area(
    plans: Sequence[ServicePlan], picked: Mapping[str, Segment | None], budget: int
) -> AreaOptimum:
    """Solve stages 1 to 4 of one area exactly, the funded set of each line being given.

    Raises:
        ValueError: if the picked segments' lower bounds do not fit in the budget.
    """
    bounds: dict[str, tuple[Fraction, Fraction]] = {}
    for plan in plans:
        segment = picked.get(plan.service)
        low, high = (segment.lower, segment.upper) if segment else (0, 0)
        bounds[plan.service] = (Fraction(low), Fraction(high))
    if sum(low for low, _ in bounds.values()) > budget:
        raise ValueError("the picked funded sets do not fit in the area budget")
    spend = min(budget, int(sum(high for _, high in bounds.values())))
    nearest = {p.service: _clamp(p.target, *bounds[p.service]) for p in plans}
    gap = spend - sum(nearest.values(), Fraction(0))
    deviation = sum((abs(nearest[p.service] - p.target) for p in plans), Fraction(0)) + abs(gap)
    # Stage 2 allows moving only towards X: up from c_s when short, down to L_s when over.
    lo = {s: (nearest[s] if gap >= 0 else bounds[s][0]) for s in nearest}
    hi = {s: (bounds[s][1] if gap >= 0 else nearest[s]) for s in nearest}
    weighted = [p for p in plans if p.excess_weight > 0]
    unweighted = sum((hi[p.service] for p in plans if p.excess_weight <= 0), Fraction(0))
    ratio = _water_level(weighted, lo, hi, spend - unweighted)
    upper = dict(hi)
    if ratio is not None:
        for plan in weighted:
            upper[plan.service] = _clamp(plan.target + ratio * plan.excess_weight,
                                         lo[plan.service], hi[plan.service])
    totals = dict(lo)
    left = spend - sum(lo.values())
    for plan in sorted(plans, key=lambda p: p.priority):
        step = min(left, upper[plan.service] - totals[plan.service])
        totals[plan.service] += step
        left -= step
    return AreaOptimum(spend, deviation, ratio, totals)


def _water_level(
    weighted: Sequence[ServicePlan],
    lo: Mapping[str, Fraction],
    hi: Mapping[str, Fraction],
    needed: Fraction,
) -> Fraction | None:
    """Least rho >= max((lo_s - T_s) / w_s) with sum clamp(T_s + rho w_s, lo, hi) >= needed.

    With w_s = T_s the floor is at least -1 (every lo_s is 0 or more), the model's lower bound.
    """
    if not weighted:
        return None

    def level_of(plan: ServicePlan, total: Fraction) -> Fraction:
        return (total - plan.target) / plan.excess_weight

    floor_level = max(level_of(p, lo[p.service]) for p in weighted)

    def filled(level: Fraction) -> Fraction:
        return sum(
            (_clamp(p.target + level * p.excess_weight, lo[p.service], hi[p.service])
             for p in weighted),
            Fraction(0),
        )

    if filled(floor_level) >= needed:
        return floor_level
    breaks = sorted({
        b for p in weighted
        for b in (level_of(p, lo[p.service]), level_of(p, hi[p.service]))
        if b > floor_level
    })
    previous = floor_level
    for level in breaks:
        if filled(level) >= needed:
            break
        previous = level
    else:
        return breaks[-1] if breaks else floor_level  # every line full: the last breakpoint
    # filled() is linear between `previous` and `level`: solve for the crossing exactly.
    slope = sum(
        (p.excess_weight for p in weighted
         if lo[p.service] <= p.target + previous * p.excess_weight < hi[p.service]),
        Fraction(0),
    )
    if slope == 0:
        return level
    return previous + (needed - filled(previous)) / slope


def round_area(plans: Sequence[ServicePlan], optimum: AreaOptimum) -> dict[str, int]:
    """Round the exact service totals to cents adding up to the spend, closest to the targets.

    Each total becomes its floor or its ceiling (segment bounds are whole cents, so both stay
    inside them). The spare cents go first to the lines whose ceiling is nearest their
    target, then to the larger remainder, then to the earlier line: rounding by remainder
    alone could leave a cent where moving it would bring two lines closer to their targets.
    """
    floors = {p.service: math.floor(optimum.totals[p.service]) for p in plans}
    spare = optimum.spend - sum(floors.values())

    def preference(plan: ServicePlan) -> tuple[Fraction, Fraction, int]:
        low = floors[plan.service]
        gain = abs(low + 1 - plan.target) - abs(low - plan.target)
        return gain, -(optimum.totals[plan.service] - low), plan.priority

    fractional = [p for p in plans if optimum.totals[p.service] != floors[p.service]]
    for plan in sorted(fractional, key=preference)[:spare]:
        floors[plan.service] += 1
    return floors
