"""A deliberately plain PuLP formulation of the riparto: the baseline of the benchmarks.

This is the formulation one writes first, straight from the contract, with no use of the
structure that `fsr_opt.engine.model` exploits (the funded units of a service line are always its
largest entitlements). Money is in cents. For every fundable unit i (eligible, entitlement
e_i >= minimum m and > 0) of service line s:

* a binary ``z_i`` (funded or not) and a continuous award ``a_i >= 0``;
* one continuous share ``lambda_s`` in [0, 1] per service line;
* big-M links making ``a_i = lambda_s * e_i`` when funded and 0 otherwise::

      a_i <= e_i z_i                       a_i <= lambda_s e_i
      a_i >= lambda_s e_i - e_i (1 - z_i)  a_i >= m z_i
      lambda_s e_i <= m - eps_s + (e_i - m + eps_s) z_i
                                           ("must fund": a share reaching m is funded)

  (the big-M of "must fund" is e_i - m + eps_s, not e_i: with z_i = 1 the row must allow
  lambda_s = 1 even when the minimum is 0);

* a service total ``S_s = sum_i a_i``, an integer number of cents in stage 1 (below);
* area budgets ``sum_{s in a} S_s <= B_a``, deviations ``d_s >= |S_s - T_s|`` and the
  excess ratio ``S_s - T_s <= rho_a T_s`` (``rho_a >= -1``, lines with T_s > 0).

The stages are those of `fsr_opt.engine.solve`: (1) maximise spend, (2) minimise sum of d_s,
(3) minimise sum of rho_a, (4) maximise sum (n - position_s) S_s; each stage is fixed per area
for the next one with a small tolerance (0.001 cent, 0.01 cent, 1e-7), plus what CBC's
printing may have lost: CBC writes its solution with 8 significant digits, so PuLP reads a
10-digit amount of cents back only that precisely.

Two details keep the baseline *the same policy* as ours, to the cent:

* ``S_s`` is integer in stage 1. Our segment bounds are whole cents: the largest total at
  which the next unit is still unfunded is ``ceil(m F / v) - 1`` cents (F the funded
  entitlement, v the next entitlement). With a continuous total the plain stage-1 optimum at
  such a gap would be the supremum ``m F / v``, which no amount of cents reaches. Once the
  spend is fixed, S_s is continuous again, as our own later stages are (they are rounded to
  cents afterwards): integer totals there only make CBC branch on general integers for a
  fraction of a cent, and CBC was seen never finishing stage 2 so on a 4-binary instance.
* ``eps_s`` is ``1 / E_s`` cents, E_s the sum of the line's fundable entitlements (floored at
  1e-7 cent for the solver's sake). With integer totals, "unfunded" means ``S v < m F`` in
  integers, i.e. ``lambda v <= m - 1/F``; any margin in (0, 1/E_s] gives exactly that. A flat
  one-cent margin (``m - 0.01`` EUR) would cut off up to ``F / v`` cents at a gap.

Solved with CBC through PuLP (``PULP_CBC_CMD(msg=False, gapRel=0, timeLimit=...)``). The time
limit is for the whole solve: a stage that reaches it is reported as ``time_limit`` (with the
incumbent's value, if CBC had one) and the later stages as ``skipped``. CBC's preprocessing
was seen declaring a fixed later stage of this model infeasible although it is not (the
bundled example, stage 3); such a stage is run once more with ``preprocess off`` and the
time of both runs is counted.
"""

from __future__ import annotations

import math
import time
import warnings
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from fractions import Fraction
from typing import Any

import pulp

from fsr_opt.core.schema import Assessment, RuleSet
from fsr_opt.rules.budgets import area_budgets, service_targets

STAGES = ("spend", "deviation", "proportional_excess", "priority")
TOLERANCE = {"spend": 0.001, "deviation": 0.01, "proportional_excess": 1e-7}
PRINTED_DIGITS = 8  # CBC writes its solution with 8 significant digits
MIN_EPS = 1e-7


@dataclass
class PlainStage:
    """One stage of the plain formulation: status, objective (None if unknown), seconds."""

    name: str
    status: str  # optimal | time_limit | infeasible | error | skipped
    objective: float | None
    seconds: float
    per_area: dict[str, float] = field(default_factory=dict)
    retried_without_preprocessing: bool = False


@dataclass
class PlainResult:
    """What the plain formulation reached."""

    stages: list[PlainStage]
    totals: dict[str, float]  # service code -> S_s (cents), after the last stage solved
    build_seconds: float
    binaries: int
    variables: int
    constraints: int

    @property
    def status(self) -> str:
        """``optimal`` when every stage was proven optimal, else the first other status."""
        for stage in self.stages:
            if stage.status != "optimal":
                return stage.status
        return "optimal"

    @property
    def solve_seconds(self) -> float:
        """Seconds spent in the stages (writing the problem, CBC, reading its answer)."""
        return sum(stage.seconds for stage in self.stages)

    def stage(self, name: str) -> PlainStage:
        """The stage with this name."""
        return next(s for s in self.stages if s.name == name)


@dataclass
class PlainModel:
    """The PuLP problem and the expressions the stages need."""

    problem: Any
    areas: dict[str, list[str]]  # area -> service codes, in rule-set order
    totals: dict[str, Any]  # service -> S_s (integer variable), or 0 if nothing is fundable
    deviations: dict[str, Any]  # area -> sum of d_s
    excess: dict[str, Any]  # area -> rho_a
    priority: Any
    binaries: int

    def objective(self, stage: str) -> tuple[Any, int, dict[str, Any]]:
        """(objective, sense, per-area expressions) of a stage."""
        if stage == "spend":
            parts = {a: pulp.lpSum(self.totals[s] for s in ss) for a, ss in self.areas.items()}
            return pulp.lpSum(parts.values()), pulp.LpMaximize, parts
        if stage == "deviation":
            return pulp.lpSum(self.deviations.values()), pulp.LpMinimize, self.deviations
        if stage == "proportional_excess":
            parts = {a: 1 * rho for a, rho in self.excess.items()}
            return pulp.lpSum(parts.values()), pulp.LpMinimize, parts
        if stage == "priority":
            return self.priority, pulp.LpMaximize, {}
        raise ValueError(stage)


def fundable(assessments: Sequence[Assessment], minimum: int) -> dict[str, list[tuple[str, int]]]:
    """Service code -> (unit id, entitlement) of the units that can ever be funded."""
    by_service: dict[str, list[tuple[str, int]]] = {}
    for item in assessments:
        if item.eligible and item.entitlement > 0 and item.entitlement >= minimum:
            by_service.setdefault(item.service, []).append((item.unit.unit_id, item.entitlement))
    return by_service


def build_plain(assessments: Sequence[Assessment], rules: RuleSet) -> PlainModel:
    """Build the plain big-M model from the assessed units and the rules."""
    budgets = area_budgets(rules)
    targets: Mapping[str, Fraction] = service_targets(rules, budgets)
    minimum = rules.minimum_award
    units = fundable(assessments, minimum)
    problem = pulp.LpProblem("fsr_plain", pulp.LpMaximize)
    areas: dict[str, list[str]] = {}
    totals: dict[str, Any] = {}
    deviations: dict[str, Any] = {}
    excess: dict[str, Any] = {}
    priority_terms = []
    count = sum(len(area.services) for area in rules.areas)
    position = 0
    binaries = 0
    for area in rules.areas:
        areas[area.code] = [s.code for s in area.services]
        rho = None
        if any(targets[s.code] > 0 for s in area.services):
            rho = problem.add_variable(f"rho__{area.code}", lowBound=-1)
            excess[area.code] = rho
        area_devs = []
        for service in area.services:
            code = service.code
            members = units.get(code, [])
            if members:
                share = problem.add_variable(f"lambda__{code}", lowBound=0, upBound=1)
                total = problem.add_variable(f"S__{code}", lowBound=0, cat="Integer")
                eps = max(1.0 / sum(e for _, e in members), MIN_EPS)
                awards = []
                for index, (_, e) in enumerate(members):
                    z = problem.add_variable(f"z__{code}__{index}", cat="Binary")
                    a = problem.add_variable(f"a__{code}__{index}", lowBound=0)
                    problem += (a <= e * z, f"cap__{code}__{index}")
                    problem += (a <= e * share, f"share_up__{code}__{index}")
                    problem += (a >= e * share - e * (1 - z), f"share_down__{code}__{index}")
                    problem += (a >= minimum * z, f"minimum__{code}__{index}")
                    problem += (
                        e * share <= minimum - eps + (e - minimum + eps) * z,
                        f"must_fund__{code}__{index}",
                    )
                    awards.append(a)
                    binaries += 1
                problem += (total == pulp.lpSum(awards), f"total__{code}")
                totals[code] = total
            else:
                totals[code] = 0
            target = float(targets[code])
            dev = problem.add_variable(f"d__{code}", lowBound=0)
            problem += (dev >= totals[code] - target, f"dev_above__{code}")
            problem += (dev >= target - totals[code], f"dev_below__{code}")
            area_devs.append(dev)
            if rho is not None and targets[code] > 0:
                problem += (totals[code] - target <= target * rho, f"excess__{code}")
            priority_terms.append((count - position) * totals[code])
            position += 1
        problem += (
            pulp.lpSum(totals[s] for s in areas[area.code]) <= budgets[area.code],
            f"budget__{area.code}",
        )
        deviations[area.code] = pulp.lpSum(area_devs)
    return PlainModel(problem, areas, totals, deviations, excess,
                      pulp.lpSum(priority_terms), binaries)


def _status(problem: Any, elapsed: float, limit: float) -> str:
    if problem.status == pulp.LpStatusOptimal and problem.sol_status == pulp.LpSolutionOptimal:
        return "optimal"
    if problem.sol_status == pulp.LpSolutionIntegerFeasible or elapsed >= limit * 0.98:
        return "time_limit"
    if problem.status == pulp.LpStatusNotSolved:
        return "time_limit"  # CBC's "Stopped on time" with no solution: the only limit set
    if problem.status == pulp.LpStatusInfeasible:
        return "infeasible"
    return "error"


def _relax_totals(model: PlainModel) -> None:
    """After stage 1, let the service totals be continuous again (see the module doc)."""
    for total in model.totals.values():
        if isinstance(total, pulp.LpVariable):
            total.cat = pulp.LpContinuous


def _run_cbc(problem: Any, limit: float, options: list[str]) -> tuple[str, float]:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DeprecationWarning)
        solver = pulp.PULP_CBC_CMD(msg=False, gapRel=0, timeLimit=limit, options=options)
    begun = time.perf_counter()
    try:
        problem.solve(solver)
    except pulp.PulpSolverError:
        elapsed = time.perf_counter() - begun
        return ("time_limit" if elapsed >= limit * 0.98 else "error"), elapsed
    elapsed = time.perf_counter() - begun
    return _status(problem, elapsed, limit), elapsed


def _printed_error(expression: Any) -> float:
    """Bound on how far the value PuLP read back may be from CBC's, for an expression."""
    error = 0.0
    for variable, coefficient in expression.items():
        value = abs(variable.value() or 0.0)
        if value == 0.0 or (variable.cat != pulp.LpContinuous and value < 10**PRINTED_DIGITS):
            continue  # zero and integers below 10^8 are printed exactly
        error += abs(coefficient) * 0.5 * 10 ** (math.floor(math.log10(value)) - PRINTED_DIGITS + 1)
    return error


def _value(expression: Any) -> float:
    value = pulp.value(expression)
    return float(value) if value is not None else 0.0


def solve_plain(
    assessments: Sequence[Assessment], rules: RuleSet, *, time_limit: float = 300.0
) -> PlainResult:
    """Build and solve the plain formulation stage by stage with CBC, within `time_limit` s."""
    started = time.perf_counter()
    model = build_plain(assessments, rules)
    build_seconds = time.perf_counter() - started
    deadline = time.perf_counter() + time_limit
    stages: list[PlainStage] = []
    stopped = False
    for name in STAGES:
        objective, sense, parts = model.objective(name)
        if stopped:
            stages.append(PlainStage(name, "skipped", None, 0.0))
            continue
        if not pulp.lpSum(objective).keys():  # nothing fundable: nothing to decide
            stages.append(PlainStage(name, "optimal", _value(objective), 0.0,
                                     {a: _value(p) for a, p in parts.items()}))
            continue
        limit = deadline - time.perf_counter()
        if limit <= 0:
            stages.append(PlainStage(name, "time_limit", None, 0.0))
            stopped = True
            continue
        model.problem.sense = sense
        model.problem.setObjective(objective)
        status, elapsed = _run_cbc(model.problem, limit, [])
        retried = False
        if status == "infeasible" and name != STAGES[0] and limit - elapsed > 0:
            # CBC's preprocessing (Cgl) was seen declaring a fixed later stage infeasible
            # on this big-M model ("Pre-processing says infeasible"); without it CBC solves
            # the same problem. Retry once, and count both runs.
            status, again = _run_cbc(model.problem, limit - elapsed, ["preprocess off"])
            elapsed += again
            retried = True
        has_values = status in ("optimal", "time_limit") and model.problem.sol_status in (
            pulp.LpSolutionOptimal, pulp.LpSolutionIntegerFeasible)
        values = {a: _value(p) for a, p in parts.items()} if has_values else {}
        stages.append(PlainStage(name, status, _value(objective) if has_values else None,
                                 elapsed, values, retried))
        if status != "optimal":
            stopped = True
            continue
        number = STAGES.index(name) + 1
        for area, expression in parts.items():
            tolerance = TOLERANCE[name] + _printed_error(expression)
            if sense == pulp.LpMaximize:
                constraint = expression >= values[area] - tolerance
            else:
                constraint = expression <= values[area] + tolerance
            if constraint.keys():
                model.problem += (constraint, f"stage{number}_{name}__{area}")
        if name == "spend":
            _relax_totals(model)
    totals = {code: _value(total) for code, total in model.totals.items()}
    return PlainResult(
        stages=stages,
        totals=totals,
        build_seconds=build_seconds,
        binaries=model.binaries,
        variables=len(model.problem.variables()),
        constraints=model.problem.numConstraints(),
    )
