"""The MILP's named constraints, the solver status we read, and failures of the solver."""

from __future__ import annotations

import re
import time
from types import SimpleNamespace
from typing import Any

import highspy
import pulp
import pytest

import fsr_opt.engine.solve as solve_module
from fsr_opt.core.errors import ErrorCode, InfeasibleError, SolverError
from fsr_opt.core.schema import SolveStatus
from fsr_opt.engine.eligibility import assess, plan_services
from fsr_opt.engine.lp import highs_solver_class
from fsr_opt.engine.model import build_model
from fsr_opt.engine.solve import _run_stage, read_status, solve_riparto
from fsr_opt.engine.solvers import CBC_PATH_VARIABLE
from fsr_opt.rules.budgets import area_budgets

from tests.conftest import table, tiny_rules, unit


def tiny_model(budget: int) -> Any:
    rules = tiny_rules({"s": ("a", 1)}, {"a": 100}, fund=100000)
    units = [unit("U1", "s", 80000), unit("U2", "s", 50000)]
    plans = plan_services(assess(table(units), rules), rules, area_budgets(rules))
    return build_model(plans, {"a": budget})


def test_every_constraint_is_named_after_its_rule() -> None:
    problem = tiny_model(100000).problem
    for name in (
        "area_budget__a", "one_segment__s", "minimum__s__k1", "must_fund__s__k1",
        "minimum__s__k2", "cap__s", "deviation_above__s", "deviation_below__s",
        "proportional_excess__s",
    ):
        assert problem.get_constraint_by_name(name) is not None, name


def test_infeasible_rules_are_named() -> None:
    model = tiny_model(-1)  # a negative budget: nothing, not even 0, fits
    with pytest.raises(InfeasibleError) as info:
        _run_stage(model, "spend", "cbc", time.monotonic() + 30)
    # the area in words, never the model's constraint name (area_budget__a)
    assert "area 'a': its budget, -0.01 EUR, is negative" in str(info.value)
    assert "area_budget__" not in str(info.value)
    assert info.value.codes == (ErrorCode.AREA_BUDGET,)


def test_minimum_above_every_entitlement_of_one_area_is_a_warning() -> None:
    rules = tiny_rules({"s": ("a", 1), "t": ("b", 1)}, {"a": 50, "b": 50}, fund=200000,
                       minimum=60000)
    units = [unit("U1", "s", 80000), unit("U2", "t", 50000)]
    result = solve_riparto(assess(table(units), rules), rules)
    assert result.allocation is not None and result.allocation.awards == {"U1": 80000}
    assert len(result.messages) == 1 and "'b'" in result.messages[0]


def test_minimum_above_every_entitlement_is_refused() -> None:
    rules = tiny_rules({"s": ("a", 1)}, {"a": 100}, fund=100000, minimum=90000)
    units = [unit("U1", "s", 80000), unit("U2", "s", 50000)]
    with pytest.raises(InfeasibleError) as info:
        solve_riparto(assess(table(units), rules), rules)
    assert "minimum award" in str(info.value) and "area 'a'" in str(info.value)
    assert "area_budget__" not in str(info.value)


def fake(status: int, sol_status: int) -> Any:
    return SimpleNamespace(status=status, sol_status=sol_status)


def test_cbc_time_limit_with_incumbent_is_not_optimal() -> None:
    # PuLP says "Optimal" (status 1) but the solution status is "integer feasible".
    problem = fake(pulp.LpStatusOptimal, pulp.LpSolutionIntegerFeasible)
    assert read_status(problem, "cbc", 1.0, 10.0) is SolveStatus.TIME_LIMIT
    problem = fake(pulp.LpStatusOptimal, pulp.LpSolutionOptimal)
    assert read_status(problem, "cbc", 1.0, 10.0) is SolveStatus.OPTIMAL
    assert read_status(fake(pulp.LpStatusInfeasible, -1), "cbc", 1.0, 10.0) is (
        SolveStatus.INFEASIBLE
    )


def test_highs_time_limit_reported_as_optimal_by_pulp_is_refused() -> None:
    model = SimpleNamespace(getModelStatus=lambda: highspy.HighsModelStatus.kTimeLimit)
    problem = SimpleNamespace(status=pulp.LpStatusOptimal, sol_status=2, solverModel=model)
    assert read_status(problem, "highs", 1.0, 10.0) is SolveStatus.TIME_LIMIT


def test_solver_crash_is_a_solver_error(monkeypatch: pytest.MonkeyPatch) -> None:
    def crash(self: Any, solver: Any = None, **kwargs: Any) -> int:
        raise pulp.PulpSolverError("Pulp: Error while executing cbc")

    monkeypatch.setattr(pulp.LpProblem, "solve", crash)
    rules = tiny_rules({"s": ("a", 1)}, {"a": 100}, fund=100000)
    with pytest.raises(SolverError) as info:
        solve_riparto(assess(table([unit("U1", "s", 80000)]), rules), rules)
    assert "failed at stage 'spend'" in str(info.value)


def test_solver_missing_is_a_solver_error(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(highs_solver_class(), "available", lambda self: False)
    rules = tiny_rules({"s": ("a", 1)}, {"a": 100}, fund=100000)
    with pytest.raises(SolverError) as info:
        solve_riparto(assess(table([unit("U1", "s", 80000)]), rules), rules, solver="highs")
    assert "not available" in str(info.value)


def test_cbc_preprocessing_false_infeasibility_is_retried() -> None:
    # Found by Hypothesis: CBC's preprocessing declared stage 4 infeasible although the
    # fixed stages admit the optimum (HiGHS and CBC without preprocessing solve it). The solve
    # retries once with wider stage tolerances and CBC preprocessing off.
    services = {"a0s0": ("a0", 1), "a0s1": ("a0", 0), "a0s2": ("a0", 0),
                "a1s0": ("a1", 0), "a1s1": ("a1", 0), "a1s2": ("a1", 0)}
    rules = tiny_rules(services, {"a0": 1, "a1": 99}, fund=251, minimum=1)
    units = [unit("a0s0u0", "a0s0", 2), unit("a0s1u1", "a0s1", 1), unit("a1s0u0", "a1s0", 2),
             unit("a1s1u0", "a1s1", 2), unit("a1s2u0", "a1s2", 1)]
    for solver in ("cbc", "highs"):
        result = solve_riparto(assess(table(units), rules), rules, solver=solver)
        assert result.allocation is not None
        assert dict(result.allocation.awards) == {
            "a0s0u0": 2, "a0s1u1": 1, "a1s0u0": 2, "a1s1u0": 2, "a1s2u0": 1
        }


def test_numerically_infeasible_tie_break_keeps_stage_3(monkeypatch: pytest.MonkeyPatch) -> None:
    # Seen with HiGHS at 20,000 units: the last stage (a pure tie-break) stays infeasible even
    # after the retry. Stages 1-3 and every rule already hold: keep them, with a warning.
    real = solve_module._run_stage

    def failing_priority(model: Any, stage: str, *args: Any, **kwargs: Any) -> Any:
        if stage == "priority":
            raise InfeasibleError("numerically infeasible", ErrorCode.NUMERICAL)
        return real(model, stage, *args, **kwargs)

    monkeypatch.setattr(solve_module, "_run_stage", failing_priority)
    rules = tiny_rules({"s": ("a", 1)}, {"a": 100}, fund=100000)
    units = [unit("U1", "s", 80000), unit("U2", "s", 50000)]
    result = solve_riparto(assess(table(units), rules), rules)
    assert result.allocation is not None
    assert dict(result.allocation.awards) == {"U1": 61538, "U2": 38462}
    assert [s.name for s in result.stages] == ["spend", "deviation", "proportional_excess"]
    assert "tie-break" in result.messages[0]


def test_cbc_runs_without_a_threads_option(tmp_path: Any) -> None:
    # The bundled CBC 2.10.3 given "-threads 1" stalled for 10 s on about 1 run in 200, even
    # on a model of two variables; without the option it runs one thread, deterministically.
    solver = solve_module.make_solver("cbc", 5)
    assert not any(option.startswith("threads") for option in solver.getOptions())
    problem = pulp.LpProblem("tiny", pulp.LpMaximize)
    x = problem.add_variable("x", lowBound=0, upBound=10, cat="Integer")
    y = problem.add_variable("y", cat="Binary")
    problem += x + 3 * y
    problem += x + 5 * y <= 7
    solver.keepFiles = False
    problem.solve(solver)
    assert pulp.LpStatus[problem.status] == "Optimal" and problem.objective.value() == 7


# ---------------------------------------------------------------------------------------------
# The solver's status on its limits
# ---------------------------------------------------------------------------------------------


def test_time_limit_is_told_even_when_cbc_reports_infeasible() -> None:
    # CBC stopped by its time limit before finding a solution reports "Infeasible": the limit,
    # not the rules, is what the user must hear about.
    problem = fake(pulp.LpStatusInfeasible, pulp.LpSolutionInfeasible)
    assert read_status(problem, "cbc", 10.0, 10.0) is SolveStatus.TIME_LIMIT
    assert read_status(problem, "cbc", 12.5, 10.0) is SolveStatus.TIME_LIMIT
    assert read_status(problem, "cbc", 9.99, 10.0) is SolveStatus.INFEASIBLE


def test_cbc_statuses_other_than_optimal_are_not_optimal() -> None:
    assert read_status(fake(pulp.LpStatusUnbounded, pulp.LpSolutionUnbounded), "cbc", 1.0,
                       10.0) is SolveStatus.UNBOUNDED
    assert read_status(fake(pulp.LpStatusNotSolved, pulp.LpSolutionNoSolutionFound), "cbc",
                       1.0, 10.0) is SolveStatus.ERROR
    # PuLP's "Optimal" without the solution status "optimal" is never taken as optimal.
    assert read_status(fake(pulp.LpStatusOptimal, pulp.LpSolutionNoSolutionFound), "cbc",
                       1.0, 10.0) is SolveStatus.ERROR


@pytest.mark.parametrize(
    ("status", "expected"),
    [("kOptimal", SolveStatus.OPTIMAL), ("kTimeLimit", SolveStatus.TIME_LIMIT),
     ("kIterationLimit", SolveStatus.TIME_LIMIT), ("kInterrupt", SolveStatus.TIME_LIMIT),
     ("kInfeasible", SolveStatus.INFEASIBLE),
     ("kUnboundedOrInfeasible", SolveStatus.INFEASIBLE),
     ("kUnbounded", SolveStatus.UNBOUNDED), ("kSolveError", SolveStatus.ERROR)],
)
def test_highs_status_is_read_from_highs(status: str, expected: SolveStatus) -> None:
    model = SimpleNamespace(getModelStatus=lambda: getattr(highspy.HighsModelStatus, status))
    problem = SimpleNamespace(status=pulp.LpStatusOptimal, sol_status=1, solverModel=model)
    assert read_status(problem, "highs", 1.0, 10.0) is expected


def test_a_deadline_already_past_is_a_time_limit() -> None:
    with pytest.raises(SolverError) as info:
        _run_stage(tiny_model(100000), "spend", "cbc", time.monotonic() - 1)
    assert info.value.codes == (ErrorCode.TIME_LIMIT,)


def test_an_area_without_money_is_not_warned_about_the_minimum() -> None:
    # The minimum is above every entitlement of b, but b has no budget: nothing is lost there.
    rules = tiny_rules({"s": ("a", 1), "t": ("b", 1)}, {"a": 100, "b": 0}, fund=200000,
                       minimum=60000)
    units = [unit("U1", "s", 80000), unit("U2", "t", 50000)]
    result = solve_riparto(assess(table(units), rules), rules)
    assert result.messages == ()
    assert result.allocation is not None and result.allocation.awards == {"U1": 80000}


def test_a_unit_whose_entitlement_is_the_minimum_gets_the_minimum() -> None:
    rules = tiny_rules({"s": ("a", 1)}, {"a": 100}, fund=100000, minimum=30000)
    units = [unit("AT", "s", 30000), unit("BELOW", "s", 29999)]
    result = solve_riparto(assess(table(units), rules), rules)
    assert result.allocation is not None and result.allocation.awards == {"AT": 30000}


# ---------------------------------------------------------------------------------------------
# The solver's version, asked while the stages run
# ---------------------------------------------------------------------------------------------


def test_the_version_is_the_solvers_own_and_remembered(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(solve_module, "_VERSIONS", {})
    rules = tiny_rules({"s": ("a", 1)}, {"a": 100}, fund=100000)
    result = solve_riparto(assess(table([unit("U1", "s", 80000)]), rules), rules)
    assert re.fullmatch(r"[0-9]+\.[0-9]+\.[0-9]+", result.solver_version)  # 2.10.3, say
    assert {"cbc": result.solver_version} == solve_module._VERSIONS
    assert solve_module.VersionQuery("cbc")._process is None  # never asked twice


def test_a_failed_solve_stops_the_version_query_without_waiting(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Any
) -> None:
    """A CBC that answers after 30 s: the failed solve ends at once and leaves no process."""
    slow = tmp_path / "cbc"
    slow.write_text("#!/bin/sh\nexec sleep 30\n", encoding="utf-8")
    slow.chmod(0o755)
    monkeypatch.setenv(CBC_PATH_VARIABLE, str(slow))
    monkeypatch.setattr(solve_module, "_VERSIONS", {})
    queries: list[solve_module.VersionQuery] = []
    real_init = solve_module.VersionQuery.__init__

    def remembered(self: solve_module.VersionQuery, name: str) -> None:
        real_init(self, name)
        queries.append(self)

    def fail(*args: object) -> None:
        raise SolverError("stage 'spend' failed", ErrorCode.SOLVER_CRASHED)

    monkeypatch.setattr(solve_module.VersionQuery, "__init__", remembered)
    monkeypatch.setattr(solve_module, "_solve_stages", fail)
    rules = tiny_rules({"s": ("a", 1)}, {"a": 100}, fund=100000)
    started = time.monotonic()
    with pytest.raises(SolverError):
        solve_riparto(assess(table([unit("U1", "s", 80000)]), rules), rules)
    assert time.monotonic() - started < 10
    (query,) = queries
    assert query._process is not None and query._process.returncode is not None  # reaped
    assert solve_module._VERSIONS == {}  # an unread version is not remembered
