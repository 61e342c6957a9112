"""A brute-force oracle for small instances: the exact optimum of stages 1 and 2 per area.

It enumerates every combination of segments (funded sets) of an area's service lines. For a
fixed combination, the best spend is min(budget, sum of upper bounds) when the lower bounds
fit, and the least deviation at total X is sum|c_s - T_s| + |X - sum c_s| with
c_s = T_s clamped into the segment (each cent moved away from c_s costs one cent).
"""

from __future__ import annotations

import itertools
from collections.abc import Mapping, Sequence
from fractions import Fraction

from fsr_opt.engine.eligibility import Segment, ServicePlan


def area_optimum(plans: Sequence[ServicePlan], budget: int) -> tuple[int, Fraction]:
    """Return (max spend, least deviation at that spend) over all segment combinations."""
    options: list[list[Segment | None]] = [[None, *plan.segments] for plan in plans]
    best: tuple[int, Fraction] | None = None
    for combo in itertools.product(*options):
        lows = sum(s.lower for s in combo if s is not None)
        if lows > budget:
            continue
        highs = sum(s.upper for s in combo if s is not None)
        spend = min(budget, highs)
        clamped = []
        deviation = Fraction(0)
        for plan, segment in zip(plans, combo, strict=True):
            low, high = (segment.lower, segment.upper) if segment else (0, 0)
            c = min(max(plan.target, Fraction(low)), Fraction(high))
            clamped.append(c)
            deviation += abs(c - plan.target)
        deviation += abs(spend - sum(clamped))
        candidate = (spend, deviation)
        if best is None or (candidate[0], -candidate[1]) > (best[0], -best[1]):
            best = candidate
    assert best is not None
    return best


def optimum(
    plans: Sequence[ServicePlan], budgets: Mapping[str, int]
) -> dict[str, tuple[int, Fraction]]:
    """Per area: (max spend, least deviation)."""
    return {
        area: area_optimum([p for p in plans if p.area == area], budget)
        for area, budget in budgets.items()
    }
