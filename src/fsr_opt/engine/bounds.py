"""Bounds that prove which funded sets can be optimal, so the MILP only sees those.

A service line of N fundable units has up to N segments (funded sets), but the optimum of an
area sits near its targets: a segment whose every total is provably worse than a known
solution can be left out of the model without changing the result. This is what makes
100,000 units solvable in seconds: the solver still decides, on the segments that can win.

The bounds relax every *other* line of the area to its convex hull [0, capacity_s]:

* **deviation** (stage 2). With the area's spend X fixed, the others' least deviation at a
  total R is ``base + |R - C|`` (C = sum of their targets clamped to capacity, base = what
  capacity leaves uncovered) for R in [0, sum of capacities]. A line at total S therefore
  costs at least ``base + |S - T_s| + |S - (X - C)|``: minimised over a segment in closed
  form. A segment whose bound exceeds a known solution's deviation is never stage-2 optimal.
* **excess ratio** (stage 3). At total S the line's own ratio is ``(S - T_s) / w_s`` and the
  others need a water level rho with ``sum_s' min(cap, max(0, T_s' + rho w_s')) >= X - S``
  (w_s the line's weight in the tie-break: its target, ``(1 + rho) T_s``, unless a reading of
  the criteria says otherwise). A segment
  whose bound exceeds the excess ratio of a *stage-2-optimal* solution is never stage-3
  optimal (and so never part of the lexicographic optimum).

"Nothing funded" (`eligibility.NOTHING`) is judged like any segment. A starting solution
whose exact deviation reaches `deviation_floor` is a stage-2 optimum before any solve, so its
excess ratio can narrow the model at once.

Bounds are computed in floating point, compared with a margin far larger than their rounding
error and than the solver's stage tolerances: a margin only keeps more segments than needed.
"""

from __future__ import annotations

import bisect
import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from fractions import Fraction

from fsr_opt.engine.eligibility import NOTHING, Segment, ServicePlan
from fsr_opt.engine.exact import AreaOptimum, solve_area


def deviation_margin(deviation: float) -> float:
    """Cents a bound may exceed the best known deviation and still keep its segment."""
    return 2.0 + 1e-6 * abs(deviation)


EXCESS_MARGIN = 1e-5


@dataclass(frozen=True)
class _Line:
    target: float
    capacity: float
    weight: float

    def at(self, level: float) -> float:
        """The line's total at a water level: its target plus level x weight, within [0, cap]."""
        return min(self.capacity, max(0.0, self.target + level * self.weight))


def _line(plan: ServicePlan) -> _Line:
    return _Line(float(plan.target), float(plan.capacity), float(plan.excess_weight))


def capacity_spend(plans: Sequence[ServicePlan], budget: int) -> int:
    """A spend no choice of funded sets can exceed (exact for a single service line).

    The budget, or every line at full capacity; an area of one line (anziani in the default
    rule set) can only reach the budget if a segment holds it, else the top of the segment
    below it.
    """
    if len(plans) == 1:
        reachable = [min(s.upper, budget) for s in plans[0].segments if s.lower <= budget]
        return max(reachable, default=0)
    return min(budget, sum(plan.capacity for plan in plans))


def water_level_totals(plans: Sequence[ServicePlan], spend: float) -> dict[str, float]:
    """Continuous relaxation of stages 1-3: each line at min(capacity, T_s + rho w_s).

    Lines with no weight take their capacity first (as the exact stage 3 does).
    """
    lines = {p.service: _line(p) for p in plans}
    fixed = {s: line.capacity for s, line in lines.items() if line.weight <= 0}
    weighted = {s: line for s, line in lines.items() if line.weight > 0}
    level = _level(list(weighted.values()), spend - sum(fixed.values()))
    totals = dict(fixed)
    for service, line in weighted.items():
        totals[service] = line.at(level)
    return totals


def _filled(lines: Sequence[_Line], level: float) -> float:
    return sum(line.at(level) for line in lines)


def _lowest(lines: Sequence[_Line]) -> float:
    """A water level no solution goes below: every line at 0.

    That is -1 when the weights are the targets; without a line, nothing bounds it.
    """
    return min((-line.target / line.weight for line in lines), default=-math.inf)


def _level(lines: Sequence[_Line], needed: float) -> float:
    """Least rho with sum min(cap, max(0, T + rho w)) >= needed; inf if capacity is short."""
    if needed <= 0 or not lines:
        return _lowest(lines) if needed <= 0 else math.inf
    if needed > sum(line.capacity for line in lines):
        return math.inf
    starts = {line: -line.target / line.weight for line in lines}
    ends = {line: (line.capacity - line.target) / line.weight for line in lines}
    previous = _lowest(lines)
    breaks = sorted({b for b in (*starts.values(), *ends.values()) if b > previous})
    for level in breaks:
        if _filled(lines, level) >= needed:
            break
        previous = level
    slope = sum(line.weight for line in lines if starts[line] <= previous < ends[line])
    if slope <= 0:
        return previous
    return previous + (needed - _filled(lines, previous)) / slope


def starting_picks(plans: Sequence[ServicePlan], budget: int) -> dict[str, Segment | None]:
    """A funded set per line near the continuous optimum, reaching the best spend if it can.

    Each line starts at the last segment starting at or below its water-level total, so the
    lower bounds usually fit in the budget: a line without target, given its capacity first,
    can start past it, and `starting_solution` then finds no start (the model is solved
    without that pruning: slower, never wrong). Lines are then moved up one segment at a
    time, those furthest below their water-level total first, while the spend falls short.
    """
    goal = capacity_spend(plans, budget)
    level = water_level_totals(plans, goal)
    picks: dict[str, int] = {}
    for plan in plans:
        lowers = [segment.lower for segment in plan.segments]
        picks[plan.service] = bisect.bisect_right(lowers, level[plan.service]) - 1
    by_service = {plan.service: plan for plan in plans}

    def uppers() -> int:
        return sum(_upper(by_service[s], k) for s, k in picks.items())

    lows = sum(by_service[s].segments[k].lower for s, k in picks.items() if k >= 0)
    while uppers() < goal:
        movable = [
            plan for plan in plans
            if picks[plan.service] + 1 < len(plan.segments)
            and lows - _lower(plan, picks[plan.service])
            + plan.segments[picks[plan.service] + 1].lower <= budget
        ]
        if not movable:
            break
        plan = max(movable, key=lambda p: (level[p.service] - _upper(p, picks[p.service]),
                                           -p.priority))
        lows += plan.segments[picks[plan.service] + 1].lower - _lower(plan, picks[plan.service])
        picks[plan.service] += 1
    return {
        plan.service: plan.segments[picks[plan.service]] if picks[plan.service] >= 0 else None
        for plan in plans
    }


def _lower(plan: ServicePlan, index: int) -> int:
    return plan.segments[index].lower if index >= 0 else 0


def _upper(plan: ServicePlan, index: int) -> int:
    return plan.segments[index].upper if index >= 0 else 0


def deviation_floor(plans: Sequence[ServicePlan], spend: int) -> Fraction:
    """A deviation no solution spending `spend` can beat, exact.

    For each line, the least deviation over its own funded sets (and 0) with every other line
    relaxed to its hull [0, capacity]; every solution uses one of them, so the largest of
    these minima bounds all solutions. A starting solution that reaches it is a stage-2
    optimum. It is tight when the only gaps that matter are one line's (a target in the wide
    gap left by a large group of equal entitlements, or a line with no fundable unit).
    """
    floor = Fraction(abs(spend)) if not plans else Fraction(0)
    for index in range(len(plans)):
        floor = max(floor, _line_floor(plans, index, spend))
    return floor


def _line_floor(plans: Sequence[ServicePlan], index: int, spend: int) -> Fraction:
    """Least deviation with line `index` at one of its funded sets (or 0), the others relaxed.

    The minimum is found in floating point and confirmed in exact arithmetic on the funded
    sets within one cent of it (the float values are far more precise than that).
    """
    plan = plans[index]
    others = [p for i, p in enumerate(plans) if i != index]
    clamped = [min(p.target, Fraction(p.capacity)) for p in others]
    base = sum((p.target - low for p, low in zip(others, clamped, strict=True)), Fraction(0))
    meet = spend - sum(clamped, Fraction(0))  # the line's total with the others at target
    low, high = min(plan.target, meet), max(plan.target, meet)
    reachable = spend - sum(p.capacity for p in others)
    options = [(0, 0)] + [(s.lower, s.upper) for s in plan.segments]
    spans = [(max(lower, reachable, 0), min(upper, spend)) for lower, upper in options]
    spans = [(lower, upper) for lower, upper in spans if lower <= upper]
    if not spans:
        return Fraction(abs(spend)) + plan.target  # no total fits: nothing is feasible here
    flow, fhigh = float(low), float(high)
    rough = [max(0.0, flow - upper, lower - fhigh) for lower, upper in spans]
    least = min(rough)
    exact = min(max(Fraction(0), low - upper, lower - high)
                for (lower, upper), value in zip(spans, rough, strict=True)
                if value <= least + 1.0)
    return base + (high - low) + 2 * exact


def deviation_window(
    plans: Sequence[ServicePlan], spend: int, deviation: float
) -> dict[str, tuple[Segment, ...]]:
    """Segments that can be part of a solution at `spend` with a deviation up to `deviation`.

    Given the deviation of a known solution at the best spend, this keeps every segment of
    every stage-2 optimum (and a margin more); `NOTHING` among them if funding nothing can be.
    """
    lines = {p.service: _line(p) for p in plans}
    clamped = {s: min(line.target, line.capacity) for s, line in lines.items()}
    total_clamped = sum(clamped.values())
    total_base = sum(line.target - clamped[s] for s, line in lines.items())
    total_capacity = sum(line.capacity for line in lines.values())
    limit = deviation + deviation_margin(deviation)
    window: dict[str, tuple[Segment, ...]] = {}
    for plan in plans:
        line = lines[plan.service]
        base = total_base - (line.target - clamped[plan.service])
        others_at_target = total_clamped - clamped[plan.service]
        reachable_low = spend - 1.0 - (total_capacity - line.capacity)
        meet = spend - others_at_target  # the line's total when the others sit at target
        low, high = min(line.target, meet), max(line.target, meet)
        floor = base + (high - low)
        kept = []
        for segment in (NOTHING, *plan.segments):
            lower, upper = max(segment.lower, reachable_low), min(segment.upper, spend + 1.0)
            if lower > upper:
                continue
            outside = max(0.0, low - upper, lower - high)
            if floor + 2 * outside - 1.0 <= limit:
                kept.append(segment)
        window[plan.service] = tuple(kept)
    return window


def excess_window(
    plans: Sequence[ServicePlan],
    candidates: Mapping[str, Sequence[Segment]],
    spend: int,
    excess_ratio: float,
) -> dict[str, tuple[Segment, ...]]:
    """Candidates that can be part of a solution at `spend` with excess ratio <= `excess_ratio`.

    Given the ratio of a stage-2-optimal solution, this keeps every segment of every stage-3
    optimum (and a margin more).
    """
    lines = {p.service: _line(p) for p in plans}
    limit = excess_ratio + EXCESS_MARGIN * (1 + abs(excess_ratio))
    window: dict[str, tuple[Segment, ...]] = {}
    for plan in plans:
        line = lines[plan.service]
        others = [other for s, other in lines.items() if s != plan.service]
        weighted = [other for other in others if other.weight > 0]
        fixed = sum(other.capacity for other in others if other.weight <= 0)
        kept = []
        for segment in candidates[plan.service]:
            own = ((segment.lower - line.target) / line.weight if line.weight > 0
                   else -math.inf)
            needed = spend - 1.0 - segment.upper - fixed
            if own <= limit and _level(weighted, needed) <= limit:
                kept.append(segment)
        window[plan.service] = tuple(kept)
    return window


def starting_solution(
    plans: Sequence[ServicePlan], budget: int
) -> tuple[dict[str, Segment | None], AreaOptimum] | None:
    """Starting funded sets and their exact stage values, if they reach the best spend."""
    picks = starting_picks(plans, budget)
    try:
        optimum = solve_area(plans, picks, budget)
    except ValueError:
        return None
    if optimum.spend != capacity_spend(plans, budget):
        return None
    return picks, optimum
