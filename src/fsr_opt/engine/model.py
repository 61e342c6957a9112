"""The riparto as a PuLP mixed-integer programme, every constraint named after its rule.

Per service line ``s`` the model chooses one segment ``k`` (how many entitlement groups are
funded; see `engine.eligibility`) with a binary ``pick[s,k]`` and a total ``part[s,k]`` in
``[lower_k, upper_k]`` when picked, 0 otherwise. The service total is ``S_s = sum_k part[s,k]``.
This is the disaggregated (convex-hull) formulation of a union of intervals: as tight as a
single service line allows, with one binary per entitlement group rather than one per unit
plus big-M links to a share variable.

Constraint names (quoted by infeasibility messages):

* ``area_budget__<area>``: sum of the area's service totals <= area budget;
* ``one_segment__<service>``: at most one funded set per service line (exactly one when the
  bounds rule out funding nothing: the parts are then offsets from the lowest offered total);
* ``minimum__<service>__k<k>``: the smallest funded unit reaches the minimum award;
* ``must_fund__<service>__k<k>``: the next unit's share stays below the minimum (else it
  would have to be funded);
* ``cap__<service>``: share <= 1, i.e. every award <= its entitlement;
* ``deviation_above__<service>`` / ``deviation_below__<service>``: |S_s - T_s|;
* ``proportional_excess__<service>``: S_s - T_s <= rho_area * w_s (the tie-break; w_s is the
  line's target, or its applications under the reading ``istanze``);
* ``stage<N>__<area>``: fixes the optimum of an earlier stage.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from fractions import Fraction
from typing import Any

from fsr_opt.engine.eligibility import NOTHING, Segment, ServicePlan
from fsr_opt.engine.lp import pulp

STAGES = ("spend", "deviation", "proportional_excess", "priority")
EXCESS_SCALE = 1e6
RELATIVE_TOLERANCE = 1e-9


def add_constraint(problem: Any, constraint: Any, name: str) -> None:
    """Add a named constraint; one without variables is checked here instead.

    A service line with no fundable unit has the constant total 0; CBC rejects rows without
    variables, and such a row is either trivially true or a modelling bug.
    """
    if not constraint.keys():
        if not constraint.valid(eps=1e-9):
            raise ValueError(f"constant constraint {name} is violated")
        return
    problem += (constraint, name)


def constraint_name(*parts: str) -> str:
    """Join parts with ``__`` and keep only characters every LP file format accepts."""
    return "__".join(re.sub(r"[^A-Za-z0-9_]", "_", part) for part in parts)


@dataclass
class SegmentChoice:
    """The variables of one segment of one service line."""

    segment: Segment
    pick: Any  # pulp.LpVariable, or None when the segment is the only one and starts at 0
    part: Any  # pulp.LpVariable


@dataclass
class RipartoModel:
    """A built PuLP problem with handles on what the stages need.

    Attributes:
        totals: service code -> affine expression of S_s (cents).
        area_totals: area code -> expression of the area's spend.
        deviations: area code -> expression of sum |S_s - T_s| over its service lines.
        excess: area code -> the variable rho_area of the tie-break.
        priority: the last tie-break, earlier service lines first.
        fixes: name of each stage-fixing row -> (the stage's value, whether the stage
            maximises, the constant of the fixed expression), for `relax_fixes`.
    """

    problem: Any
    plans: tuple[ServicePlan, ...]
    budgets: Mapping[str, int]
    choices: dict[str, list[SegmentChoice]] = field(default_factory=dict)
    totals: dict[str, Any] = field(default_factory=dict)
    area_totals: dict[str, Any] = field(default_factory=dict)
    deviations: dict[str, Any] = field(default_factory=dict)
    excess: dict[str, Any] = field(default_factory=dict)
    priority: Any = None
    fixes: dict[str, tuple[float, bool, float]] = field(default_factory=dict)

    def stage_objective(self, stage: str) -> tuple[Any, int, dict[str, Any]]:
        """Return (objective expression, pulp sense, per-area expressions) of a stage."""
        if stage == "spend":
            return pulp.lpSum(self.area_totals.values()), pulp.LpMaximize, self.area_totals
        if stage == "deviation":
            return pulp.lpSum(self.deviations.values()), pulp.LpMinimize, self.deviations
        if stage == "proportional_excess":
            parts = {a: 1 * v for a, v in self.excess.items()}
            # In millionths: CBC stops about 0.005 short on an objective of order 1 (seen on
            # the bundled example: 0.4874 for a true 0.4820), not on one of order 10^5.
            objective = pulp.lpSum(EXCESS_SCALE * v for v in self.excess.values())
            return objective, pulp.LpMinimize, parts
        if stage == "priority":
            return self.priority, pulp.LpMaximize, {}
        raise ValueError(stage)

    def fix_stage(self, stage: str, values: Mapping[str, float], tolerance: float) -> None:
        """Add ``stage<N>__<area>`` constraints keeping each area at its optimum of `stage`."""
        _, sense, parts = self.stage_objective(stage)
        number = STAGES.index(stage) + 1
        for area, expression in parts.items():
            if area not in values:
                continue
            name = constraint_name(f"stage{number}_{stage}", area)
            maximise = sense == pulp.LpMaximize
            slack = _slack(stage, values[area], tolerance)
            bound = values[area] - slack if maximise else values[area] + slack
            constraint = expression >= bound if maximise else expression <= bound
            if constraint.keys():
                self.fixes[name] = (values[area], maximise, float(expression.constant))
            add_constraint(self.problem, constraint, name)

    def relax_fixes(self, tolerances: Mapping[str, float]) -> None:
        """Widen every stage-fixing constraint to the given tolerance of its stage.

        CBC's preprocessing can declare a later stage infeasible when an earlier optimum is
        fixed tighter than its own feasibility tolerance; the caller retries once, wider.
        """
        for name, (value, maximise, constant) in self.fixes.items():
            stage = name.split("__")[0].split("_", 1)[1]
            slack = _slack(stage, value, tolerances[stage], relative=100 * RELATIVE_TOLERANCE)
            bound = value - slack if maximise else value + slack
            # PuLP keeps `expression >= bound` as `terms + (constant - bound) >= 0`, and
            # changeRHS replaces that whole constant: the expression's own (the lower bound of
            # a line offered one segment) must stay on the left
            self.problem.get_constraint_by_name(name).changeRHS(bound - constant)


def _slack(
    stage: str, value: float, tolerance: float, relative: float = RELATIVE_TOLERANCE
) -> float:
    """How far a fixed stage may slip: absolute, plus a relative part except for the spend.

    The deviation row sums thousands of terms of up to 10^8 cents: it is only as exact as the
    solvers' feasibility tolerance allows. The spend keeps its half cent, which the exact
    integer argument of `engine.exact` needs.
    """
    return tolerance if stage == "spend" else tolerance + relative * abs(value)


def build_model(
    plans: Sequence[ServicePlan],
    budgets: Mapping[str, int],
    candidates: Mapping[str, Sequence[Segment]] | None = None,
) -> RipartoModel:
    """Build the MILP for all areas at once (they share no constraint, so the stages separate).

    Money is in cents inside the model too; the solution is brought back to exact integers by
    `engine.solve`. `candidates` limits each service line to the segments that can be optimal
    (`engine.bounds`; `bounds.NOTHING` among them when funding nothing can be); by default
    every segment is in the model, and funding nothing too.
    """
    problem = pulp.LpProblem("fsr_riparto", pulp.LpMaximize)
    model = RipartoModel(problem=problem, plans=tuple(plans), budgets=dict(budgets))
    for plan in plans:
        offered = ((NOTHING, *plan.segments) if candidates is None
                   else tuple(candidates[plan.service]))
        model.choices[plan.service], model.totals[plan.service] = _add_service(
            problem, plan, offered)
    priority_terms = []
    count = len(plans)
    for area, budget in budgets.items():
        area_plans = [p for p in plans if p.area == area]
        spend = pulp.lpSum(model.totals[p.service] for p in area_plans)
        model.area_totals[area] = spend
        add_constraint(problem, spend <= budget, constraint_name("area_budget", area))
        deviations = []
        weighted = [p for p in area_plans if p.excess_weight > 0]
        if weighted:
            # Only areas with a positive weight get rho: a variable in no row breaks CBC's MPS.
            # Its lowest value puts every line at 0: -1 when the weights are the targets.
            lowest = min([Fraction(-1)] + [-p.target / p.excess_weight for p in weighted])
            rho = problem.add_variable(constraint_name("excess_ratio", area),
                                       lowBound=float(lowest))
            model.excess[area] = rho
        for plan in area_plans:
            total = model.totals[plan.service]
            target = float(plan.target)
            dev = problem.add_variable(constraint_name("deviation", plan.service), lowBound=0)
            problem += (dev >= total - target, constraint_name("deviation_above", plan.service))
            problem += (dev >= target - total, constraint_name("deviation_below", plan.service))
            deviations.append(dev)
            if plan.excess_weight > 0:
                add_constraint(
                    problem,
                    total - target <= float(plan.excess_weight) * rho,
                    constraint_name("proportional_excess", plan.service),
                )
            priority_terms.append((count - plan.priority) * total)
        model.deviations[area] = pulp.lpSum(deviations)
    model.priority = pulp.lpSum(priority_terms)
    return model


def _add_service(
    problem: Any, plan: ServicePlan, offered: Sequence[Segment]
) -> tuple[list[SegmentChoice], Any]:
    """Add a service line's choice of segment; return the choices and the total S_s."""
    segments = [segment for segment in offered if segment.groups > 0]
    optional = len(segments) < len(offered) or not segments  # `bounds.NOTHING` offered
    choices: list[SegmentChoice] = []
    if len(plan.segments) == 1 and plan.segments[0].lower == 0 and segments:
        # Minimum award 0: every fundable unit is funded as soon as lambda > 0; no binary.
        segment = segments[0]
        part = problem.add_variable(constraint_name("total", plan.service), lowBound=0)
        problem += (part <= segment.upper, constraint_name("cap", plan.service))
        return [SegmentChoice(segment, None, part)], 1 * part
    # A line that must be funded (the bounds rule out funding nothing) is written as offsets
    # from its lowest offered total: its rows then hold numbers the size of the window of
    # offered totals, not the totals themselves (up to 10^9 cents). CBC's cuts were seen
    # cutting off the stage-3 optimum of the plain totals (100,000 units, 5% of the fund).
    reference = 0 if optional else min(segment.lower for segment in segments)
    for segment in segments:
        suffix = f"k{segment.groups}"
        pick = problem.add_variable(
            constraint_name("pick", plan.service, suffix), lowBound=0, upBound=1, cat="Binary"
        )
        part = problem.add_variable(constraint_name("part", plan.service, suffix), lowBound=0)
        problem += (part >= (segment.lower - reference) * pick,
                    constraint_name("minimum", plan.service, suffix))
        last = segment.groups == plan.segments[-1].groups
        upper_name = (
            constraint_name("cap", plan.service)
            if last
            else constraint_name("must_fund", plan.service, suffix)
        )
        problem += (part <= (segment.upper - reference) * pick, upper_name)
        choices.append(SegmentChoice(segment, pick, part))
    if choices:
        picks = pulp.lpSum(c.pick for c in choices)
        problem += (picks <= 1 if optional else picks == 1,
                    constraint_name("one_segment", plan.service))
    return choices, pulp.lpSum(c.part for c in choices) + reference
