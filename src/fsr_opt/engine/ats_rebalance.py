"""The compensazione: move residual money between Ambiti, as an exact MILP (PuLP).

ATS may carry out "l'eventuale compensazione delle risorse tra Ambiti, in base ai bisogni
emergenti del territorio" (comunicato ATS del 22/12/2025). docs/ats.md, "The rebalance",
gives the model; in short, with s_i the surplus of donor i and n_j the need of receiver j
(`fsr_opt.engine.ats_monitor`), integer cents t_ij and binaries y_ij:

- ``give__{i}``: sum_j t_ij <= s_i, so no Ambito ends below what it has committed;
- ``take__{j}``: sum_i t_ij <= n_j, so no Ambito receives beyond its unmet demand;
- ``minimum__{i}__{j}`` and ``open__{i}__{j}``: m y_ij <= t_ij <= min(s_i, n_j) y_ij, so a
  transfer is 0 or at least the minimum m;
- ``max_transfers``: sum y_ij <= K;

and three lexicographic stages, each fixed exactly before the next:

1. ``min_coverage``: maximise z, an integer number of hundredths of a percent, with
   t_j >= z n_j / 10000 for every receiver j (the lowest share of unmet demand covered).
   An integer objective has an exact optimum z*; it is fixed as t_j >= ceil(z* n_j / 10000),
   in integers, and a finer difference is left to stage 2;
2. ``total``: maximise sum t_ij (the demand covered); fixed as sum t_ij >= T*. Stage 1
   solves in integer cents (so its solution proves the bounds of the fix reachable); from
   here the amounts are continuous: once the binaries are fixed the constraints are those of
   a network flow with whole-cent bounds, so the optimum is a vertex in whole cents (checked),
   and HiGHS solves the tie-break ten times faster than with integer amounts;
3. ``tie_break``: minimise sum w_ij t_ij with w_ij = 1000 (1 + rank_i)(1 + rank_j) + h_ij,
   donors ranked by surplus and receivers by need (largest first, then code), h_ij in
   0..999 from a hash of the two codes (`tie_weight`): the larger surpluses give first, to
   the larger needs, and a cycle of transfers that left the cost unchanged would need the
   hashed parts to cancel exactly: in practice the optimum is one point, and CBC and HiGHS
   return the same cents (tested).

"Fewest transfers" is not a stage of its own: proving the fewest count is a subset-sum
search that took CBC and HiGHS over 20 s on the 14 Ambiti of the bundled example (measured,
docs/ats.md); the count is bounded by ``max_transfers`` instead, a hard limit.

The solver's own status is read after each stage (`engine.solve.read_status`); the values
are integers, re-checked exactly against every constraint before they are returned.
"""

from __future__ import annotations

import hashlib
import logging
import math
import time
from collections.abc import Sequence
from fractions import Fraction
from typing import Any

from fsr_opt.core.ats import MonitorLine, Rebalance, RebalanceStage, Transfer
from fsr_opt.core.errors import ErrorCode, InfeasibleError, Problem, SolverError
from fsr_opt.core.i18n import _
from fsr_opt.core.schema import SolveStatus
from fsr_opt.engine.lp import pulp
from fsr_opt.engine.model import constraint_name
from fsr_opt.engine.solve import solve_stage, solver_version
from fsr_opt.engine.solvers import DEFAULT_TIME_LIMIT

log = logging.getLogger(__name__)

COVERAGE_POINTS = 10_000
"""The lowest coverage is maximised in hundredths of a percent: an integer, so its optimum is
exact, and a finer difference is left to the next stage (the total covered)."""
INTEGRALITY = 1e-4
"""How far from a whole cent a transfer the solver returns may be (its floating point)."""
STAGES = ("min_coverage", "total", "tie_break")


class _Model:
    """The MILP of one rebalance: variables, named constraints, and the stage fixes."""

    def __init__(self, donors: Sequence[MonitorLine], receivers: Sequence[MonitorLine],
                 minimum: int, limit: int) -> None:
        self.donors, self.receivers = donors, receivers
        self.problem = pulp.LpProblem("ats_rebalance", pulp.LpMaximize)
        self.t: dict[tuple[str, str], Any] = {}
        self.y: dict[tuple[str, str], Any] = {}
        for donor in donors:
            for receiver in receivers:
                key = (donor.report.ambito, receiver.report.ambito)
                cap = min(donor.surplus, receiver.need)
                if cap < minimum:
                    continue
                name = constraint_name(*key)
                t = self.problem.add_variable(f"t__{name}", lowBound=0, upBound=cap,
                                              cat="Integer")
                y = self.problem.add_variable(f"y__{name}", lowBound=0, upBound=1,
                                              cat="Binary")
                self.t[key], self.y[key] = t, y
                self.problem += (t - minimum * y >= 0, f"minimum__{name}")
                self.problem += (t - cap * y <= 0, f"open__{name}")
        for donor in donors:
            code = donor.report.ambito
            given = [t for (d, _r), t in self.t.items() if d == code]
            if given:
                self.problem += (pulp.lpSum(given) <= donor.surplus,
                                 constraint_name("give", code))
        self.z = self.problem.add_variable("min_coverage", lowBound=0, upBound=COVERAGE_POINTS,
                                           cat="Integer")
        for receiver in receivers:
            code = receiver.report.ambito
            self.problem += (self.received(code) <= receiver.need, constraint_name("take", code))
            self.problem += (self.received(code) - receiver.need / COVERAGE_POINTS * self.z
                             >= 0, constraint_name("coverage", code))
        if self.y:
            self.problem += (pulp.lpSum(self.y.values()) <= limit, "max_transfers")

    def received(self, code: str) -> Any:
        """What receiver `code` gets, as an expression."""
        return pulp.lpSum(t for (_d, r), t in self.t.items() if r == code)

    def values(self) -> dict[tuple[str, str], int]:
        """The transfers of the solution, in integer cents (0 left out).

        Raises:
            SolverError: a transfer is not a whole number of cents (not a vertex).
        """
        raw = {key: t.value() or 0.0 for key, t in self.t.items()}
        found = {key: round(value) for key, value in raw.items()}
        if any(abs(raw[key] - found[key]) > INTEGRALITY for key in raw):
            raise SolverError(_("the solver returned transfers that are not whole cents; try "
                                "the other solver (--solver)"), ErrorCode.WRONG_ANSWER)
        return {key: amount for key, amount in found.items() if amount}


def rebalance(
    lines: Sequence[MonitorLine],
    *,
    minimum: int,
    max_transfers: int,
    solver: str = "cbc",
    time_limit: float = DEFAULT_TIME_LIMIT,
) -> Rebalance:
    """Move residual money from Ambiti that will not use it to Ambiti with unmet demand.

    Args:
        lines: the monitoring of every Ambito (surplus and need).
        minimum: a transfer is 0 or at least this (cents).
        max_transfers: the most transfers.
        solver: ``cbc`` or ``highs``.
        time_limit: seconds for the whole rebalance.

    Raises:
        SolverError: the solver is missing, crashed, stopped by the time limit, or answered
            something that breaks a rule.
    """
    started = time.monotonic()
    floor = max(minimum, 1)
    donors = sorted((line for line in lines if line.surplus >= floor),
                    key=lambda line: (-line.surplus, line.report.ambito))
    receivers = sorted((line for line in lines if line.need >= floor),
                       key=lambda line: (-line.need, line.report.ambito))
    model = _Model(donors, receivers, minimum, max_transfers)
    stages: list[RebalanceStage] = []
    version = solver_version(solver)
    if not model.t or max_transfers == 0:
        nothing = [RebalanceStage(name, Fraction(0), 0.0) for name in STAGES]
        return Rebalance((), tuple(nothing), solver, version, time.monotonic() - started)
    deadline = started + time_limit
    rank_d = {line.report.ambito: i for i, line in enumerate(donors)}
    rank_r = {line.report.ambito: j for j, line in enumerate(receivers)}
    needs = {line.report.ambito: line.need for line in receivers}
    # 1. the lowest coverage of unmet demand
    seconds = _time(_solve(model, model.z, pulp.LpMaximize, solver, deadline, STAGES[0]))
    points = round(model.z.value() or 0.0)  # an integer variable: its optimum is exact
    coverage = Fraction(points, COVERAGE_POINTS)
    stages.append(RebalanceStage(STAGES[0], coverage, seconds))
    for code, need in needs.items():
        model.problem += (model.received(code) >= math.ceil(coverage * need),
                          constraint_name("stage1", code))
    model.z.upBound = 0  # its rows now only say received >= 0: no fractional bound is left
    for amount in model.t.values():  # whole cents from here on by the network structure
        amount.cat = pulp.LpContinuous
    # 2. the demand covered (with the binaries fixed, a network flow: whole cents)
    seconds = _time(_solve(model, pulp.lpSum(model.t.values()), pulp.LpMaximize, solver,
                           deadline, STAGES[1]))
    found = _checked(model, minimum, max_transfers)
    if min(Fraction(_received(found, c), n) for c, n in needs.items()) < coverage:
        raise SolverError(_("the solver's lowest coverage does not hold in whole cents; try "
                            "the other solver (--solver)"), ErrorCode.WRONG_ANSWER)
    total = sum(found.values())
    stages.append(RebalanceStage(STAGES[1], Fraction(total), seconds))
    model.problem += (pulp.lpSum(model.t.values()) >= total, "stage2")
    # 3. the tie-break
    weights = {key: tie_weight(rank_d[key[0]], rank_r[key[1]], *key) for key in model.t}
    seconds = _time(_solve(model, pulp.lpSum(weights[key] * t for key, t in model.t.items()),
                           pulp.LpMinimize, solver, deadline, STAGES[2]))
    found = _checked(model, minimum, max_transfers)
    if (sum(found.values()) != total
            or min(Fraction(_received(found, c), n) for c, n in needs.items()) < coverage):
        raise SolverError(_("the tie-break stage lost an earlier stage's optimum; try the "
                            "other solver (--solver)"), ErrorCode.WRONG_ANSWER)
    stages.append(RebalanceStage(
        STAGES[2], Fraction(sum(weights[key] * amount for key, amount in found.items())),
        seconds))
    transfers = tuple(Transfer(d, r, amount) for (d, r), amount in sorted(found.items()))
    return Rebalance(transfers, tuple(stages), solver, version, time.monotonic() - started)


def tie_weight(donor_rank: int, receiver_rank: int, donor: str, receiver: str) -> int:
    """The tie-break's cost of a cent moved from `donor` to `receiver`.

    (1 + rank) products put the larger surpluses with the larger needs; the last three digits,
    from a hash of the two codes (never of row order), make a cycle of transfers that costs
    nothing (a tie between two optima) need an exact cancellation, so both solvers find the
    same cents (the products alone tie on some cycles of transfers).
    """
    digest = hashlib.sha256(f"{donor}\x00{receiver}".encode()).digest()
    return (1 + donor_rank) * (1 + receiver_rank) * 1000 + int.from_bytes(digest[:4]) % 1000


def _time(seconds: float | None) -> float:
    assert seconds is not None  # only a stage that may be infeasible returns None
    return seconds


def _received(found: dict[tuple[str, str], int], code: str) -> int:
    return sum(amount for (_d, r), amount in found.items() if r == code)


def _solve(model: _Model, objective: Any, sense: int, solver_name: str, deadline: float,
           stage: str, *, may_be_infeasible: bool = False) -> float | None:
    """Solve one stage; only a proven optimum passes (None: proven infeasible, if allowed)."""
    status, elapsed = solve_stage(model.problem, objective, sense, solver_name, deadline,
                                  stage)
    if status is SolveStatus.TIME_LIMIT:
        raise SolverError(_("time limit reached at rebalance stage '{stage}': the result is "
                            "not proven optimal and is not reported; raise --time-limit, or "
                            "the rule set's rebalance.max_transfers (a limit below donors + "
                            "receivers - 1 makes the search combinatorial, "
                            "docs/ats.md)").format(stage=stage), ErrorCode.TIME_LIMIT)
    if status is SolveStatus.INFEASIBLE and may_be_infeasible:
        return None
    if status is SolveStatus.INFEASIBLE:
        raise InfeasibleError([Problem(
            _("rebalance stage '{stage}' is infeasible: give__*, take__*, minimum__* and "
              "max_transfers conflict (a numerical problem of the solver: try "
              "--solver)").format(stage=stage),
            code=ErrorCode.NUMERICAL)])
    if not status.is_ok:
        raise SolverError(_("solver '{solver}' ended rebalance stage '{stage}' with status "
                            "{status}").format(solver=solver_name, stage=stage, status=status),
                          ErrorCode.NOT_OPTIMAL)
    return elapsed


def _checked(model: _Model, minimum: int, limit: int) -> dict[tuple[str, str], int]:
    """The solution in cents, checked exactly against every rule; a breach is the solver's."""
    found = model.values()
    problems = []
    for (donor, receiver), amount in found.items():
        if amount < minimum:
            problems.append(_("transfer {donor} -> {receiver} of {amount} cents is below the "
                              "minimum {minimum}").format(donor=donor, receiver=receiver,
                                                          amount=amount, minimum=minimum))
    for line in model.donors:
        given = sum(a for (d, _r), a in found.items() if d == line.report.ambito)
        if given > line.surplus:
            problems.append(_("{ambito} gives {given} cents, above its surplus").format(
                ambito=line.report.ambito, given=given))
    for line in model.receivers:
        if _received(found, line.report.ambito) > line.need:
            problems.append(_("{ambito} receives above its need").format(
                ambito=line.report.ambito))
    if len(found) > limit:
        problems.append(_("{count} transfers, above the limit {limit}").format(
            count=len(found), limit=limit))
    if problems:
        raise SolverError(_("the solver's answer breaks a rule of the rebalance: "
                            "{problems}").format(problems="; ".join(problems)),
                          ErrorCode.WRONG_ANSWER)
    return found
