"""Solve the riparto: the lexicographic stages, the real solver status, and exact cents.

The stages, per area (areas share no constraint, so all areas are solved in one model):

1. ``spend``: maximise the money awarded, within the area budget;
2. ``deviation``: minimise sum over service lines of |S_s - T_s|, the distance from the 2024
   pattern, keeping stage 1 at its optimum;
3. ``proportional_excess``: minimise rho with S_s - T_s <= rho * T_s, so that money some
   service lines cannot absorb is spread over the others in proportion to their targets;
4. ``priority``: any freedom left goes to earlier service lines of the rule set.

Then the residual phase (`engine.residual`, no solver) gives what the riparto left to the
units that applied, as the rule set's ``residui.scope`` says; the riparto's awards stay as
they are.

A stage is accepted only if the solver itself proves it optimal: CBC's solution status (not
PuLP's summary) and HiGHS's own model status are read; a time limit, an infeasibility or a
crash raises `SolverError` / `InfeasibleError`. The solver's values then cross to cents once:
only the picked segments (funded sets) are read; the totals are then computed exactly in
rational arithmetic (`engine.exact`) and rounded by largest remainder within their segments,
so every constraint holds to the cent and CBC and HiGHS give the same awards.
"""

from __future__ import annotations

import contextlib
import logging
import os
import re
import signal
import subprocess
import sys
import threading
import time
import warnings
from collections.abc import Iterator, Mapping, Sequence
from fractions import Fraction
from typing import Any

from fsr_opt.core.errors import (
    ErrorCode,
    InfeasibleError,
    InputError,
    Problem,
    SolverError,
    warn,
)
from fsr_opt.core.i18n import N_, _
from fsr_opt.core.schema import (
    Allocation,
    Assessment,
    RuleSet,
    ServiceResult,
    SolveResult,
    SolveStatus,
    StageResult,
)
from fsr_opt.core.words import Amount, Message, money, ratio
from fsr_opt.engine.bounds import (
    deviation_floor,
    deviation_window,
    excess_window,
    starting_solution,
)
from fsr_opt.engine.eligibility import (
    NOTHING,
    Segment,
    ServicePlan,
    plan_services,
    split_service_total,
)
from fsr_opt.engine.exact import AreaOptimum, round_area, solve_area
from fsr_opt.engine.lp import highs_solver_class, pulp
from fsr_opt.engine.model import STAGES, RipartoModel, build_model
from fsr_opt.engine.residual import residual_phase
from fsr_opt.engine.solvers import CBC_PATH_VARIABLE, DEFAULT_TIME_LIMIT, SOLVERS
from fsr_opt.rules.budgets import area_budgets

log = logging.getLogger(__name__)


# How far a later stage may let an earlier optimum slip, in the stage's own unit (cents, or a
# ratio for the excess). The values fixed are exact (`engine.exact`); the tolerance only
# absorbs the solver's floating point, and stays below what could change a funded set.
STAGE_TOLERANCE = {"spend": 0.5, "deviation": 0.01, "proportional_excess": 1e-9}
RETRY_TOLERANCE = {"spend": 0.5, "deviation": 0.1, "proportional_excess": 1e-6}


def make_solver(name: str, time_limit: float) -> Any:
    """Return a configured PuLP solver: exact gaps, no presolve of the MIP.

    HiGHS 1.15 with presolve on was seen returning a wrong "Optimal" on this problem family.
    CBC's preprocessing was seen declaring a feasible later stage infeasible, and fixing a
    binary wrongly so that stage 3 returned a ratio 1.4% above the optimum as "Optimal" (20,000
    units, 30% of the fund): both on nearly tight stage-fixing rows. With the bounds of
    `engine.bounds` the models have a few dozen binaries, so it has nothing to gain.

    CBC gets no ``-threads`` option: it then runs one thread, deterministically. With
    ``-threads 1`` the bundled CBC 2.10.3 stalled for 10 s on about 1 run in 200, even on a
    model of two variables (`tests/engine/test_solve.py`).
    """
    limit = max(time_limit, 0.01)
    if name == "cbc":
        path = os.environ.get(CBC_PATH_VARIABLE) or None
        with warnings.catch_warnings():  # pulp<4 is pinned on purpose: its bundled CBC
            warnings.simplefilter("ignore", DeprecationWarning)
            # PULP_CBC_CMD is COIN_CMD fixed to the bundled executable.
            kind = pulp.COIN_CMD if path else pulp.PULP_CBC_CMD
            solver = kind(
                **({"path": path} if path else {}), msg=False, timeLimit=limit, gapRel=0,
                gapAbs=0, options=["preprocess off"],
            )
        if path and not solver.available():
            raise SolverError(_("{variable}={path} is not an executable CBC; unset it to use "
                                "the CBC bundled with PuLP").format(variable=CBC_PATH_VARIABLE,
                                                                    path=path),
                              ErrorCode.SOLVER_MISSING)
    elif name == "highs":
        solver = highs_solver_class()(
            msg=False, timeLimit=limit, gapRel=0, gapAbs=0, threads=1, presolve="off"
        )
    else:
        raise InputError(_("unknown solver '{name}': use --solver with one of {choices}").format(
            name=name, choices=", ".join(SOLVERS)), ErrorCode.UNKNOWN_SOLVER)
    if not solver.available():
        hint = _("reinstall pulp") if name == "cbc" else _("pip install highspy")
        raise SolverError(_("solver '{name}' is not available on this machine: {hint}").format(
            name=name, hint=hint), ErrorCode.SOLVER_MISSING)
    return solver


_VERSIONS: dict[str, str] = {}
"""The solvers' versions already read in this process (they do not change while it runs)."""


def solver_version(name: str) -> str:
    """Return the solver's own version string (best effort; never fails)."""
    return VersionQuery(name).result()


class VersionQuery:
    """The solver's version, asked when a solve starts and read when it ends (best effort).

    CBC tells its version only by running: ``cbc -quit`` is started here and read when the
    answer is wanted, so it runs while the stages are built and solved instead of adding its
    start-up to a small solve's wall time. A solve that fails `cancel`s it.
    """

    def __init__(self, name: str) -> None:
        self.name = name
        self._process: subprocess.Popen[str] | None = None
        if name != "cbc" or name in _VERSIONS:
            return  # HiGHS tells its version in-process; another name is refused by the solve
        with contextlib.suppress(OSError, SolverError):  # the solve says what is wrong
            self._process = subprocess.Popen(
                [make_solver("cbc", 1).path, "-quit"], stdout=subprocess.PIPE,
                stderr=subprocess.DEVNULL, stdin=subprocess.DEVNULL, text=True)

    def result(self) -> str:
        """The version (``unknown`` when it cannot be read); a version read is remembered."""
        if self.name in _VERSIONS:
            return _VERSIONS[self.name]
        if self.name == "highs":
            version = _highs_version()
        elif self._process is None:
            return "unknown"
        else:
            version = _cbc_version(self._process)
        if version != "unknown":
            _VERSIONS[self.name] = version
        return version

    def cancel(self) -> None:
        """Stop the query without waiting for its answer (the solve failed).

        Its output is not read: a process the query started (a wrapper script's) could hold
        the pipe open long after the query itself is gone.
        """
        process = self._process
        if process is not None:
            if process.poll() is None:
                process.kill()
                process.wait()
            if process.stdout is not None:
                process.stdout.close()


def _children_of_this_thread() -> set[int]:
    """The processes this thread started that have not been reaped; empty where unknown.

    Linux lists them in ``/proc/self/task/<thread>/children``; a solve runs in one thread
    (the web server runs several), so the list is that solve's own.
    """
    try:
        with open(f"/proc/self/task/{threading.get_native_id()}/children",
                  encoding="ascii") as listing:
            return {int(pid) for pid in listing.read().split()}
    except OSError:
        return set()


def _process_tree(root: int) -> list[int]:
    """`root` and every process under it, as ``/proc`` lists them at this moment."""
    tree, pending = [], [root]
    while pending:
        pid = pending.pop()
        tree.append(pid)
        with contextlib.suppress(OSError):  # it ended since it was listed
            for task in os.listdir(f"/proc/{pid}/task"):
                with open(f"/proc/{pid}/task/{task}/children", encoding="ascii") as listing:
                    pending += [int(child) for child in listing.read().split()]
    return tree


def _stop_processes_started_since(running: set[int]) -> None:
    """Kill the processes this thread started since `running` was listed, and theirs.

    A Ctrl-C reaches the terminal's whole process group, the solver included, but a solver
    (or the version query) started between the signal and Python raising KeyboardInterrupt
    misses it and would run on alone, to its time limit. Only Linux says which processes
    a thread started; elsewhere the group's signal is all there is.
    """
    for child in sorted(_children_of_this_thread() - running):
        for pid in _process_tree(child):
            with contextlib.suppress(OSError):
                os.kill(pid, signal.SIGKILL)


def _highs_version() -> str:
    try:
        import highspy  # noqa: PLC0415  (only needed for its version)
    except ImportError:
        return "unknown"
    # Read the version without creating a Highs object: that prints a banner.
    return ".".join(str(getattr(highspy, f"HIGHS_VERSION_{part}"))
                    for part in ("MAJOR", "MINOR", "PATCH"))


def _cbc_version(query: subprocess.Popen[str]) -> str:
    try:
        out, _unused = query.communicate(timeout=10)
    except subprocess.SubprocessError:
        query.kill()
        query.communicate()
        return "unknown"
    match = re.search(r"Version:\s*(\S+)", out)
    return match.group(1) if match else "unknown"


@contextlib.contextmanager
def _native_stdout_silenced(active: bool) -> Iterator[None]:
    """Silence the banner HiGHS's C++ core prints on stdout even with output off.

    Scripts read our stdout; a solver banner there would corrupt it.
    """
    if not active:
        yield
        return
    sys.stdout.flush()
    saved = os.dup(1)
    try:
        with open(os.devnull, "wb") as sink:
            os.dup2(sink.fileno(), 1)
        yield
    finally:
        os.dup2(saved, 1)
        os.close(saved)


def read_status(problem: Any, solver_name: str, elapsed: float, limit: float) -> SolveStatus:
    """Read what the solver itself says, not PuLP's optimistic summary.

    PuLP maps a HiGHS time limit to "Optimal" and a CBC time limit with an incumbent to
    "Optimal" with solution status "integer feasible": both are refused here.
    """
    if solver_name == "highs":
        import highspy  # noqa: PLC0415

        model_status = problem.solverModel.getModelStatus()
        statuses = highspy.HighsModelStatus
        if model_status == statuses.kOptimal:
            return SolveStatus.OPTIMAL
        if model_status in (statuses.kTimeLimit, statuses.kIterationLimit, statuses.kInterrupt):
            return SolveStatus.TIME_LIMIT
        if model_status in (statuses.kInfeasible, statuses.kUnboundedOrInfeasible):
            return SolveStatus.INFEASIBLE
        if model_status == statuses.kUnbounded:
            return SolveStatus.UNBOUNDED
        return SolveStatus.ERROR
    if problem.status == pulp.LpStatusOptimal and problem.sol_status == pulp.LpSolutionOptimal:
        return SolveStatus.OPTIMAL
    if problem.sol_status == pulp.LpSolutionIntegerFeasible or elapsed >= limit:
        return SolveStatus.TIME_LIMIT
    if problem.status == pulp.LpStatusInfeasible:
        return SolveStatus.INFEASIBLE
    if problem.status == pulp.LpStatusUnbounded:
        return SolveStatus.UNBOUNDED
    return SolveStatus.ERROR


def solve_stage(problem: Any, objective: Any, sense: int, solver_name: str,
                deadline: float, stage: str) -> tuple[SolveStatus, float]:
    """Solve `problem` for one stage's objective within what is left until `deadline`.

    Shared by the riparto's and the ATS rebalance's lexicographic stages, so both read the
    solver's real status the same way; what a status means is the caller's to say.

    Returns:
        The status read off the solver (never its bare word) and the seconds it took.

    Raises:
        SolverError: no time left before the stage (TIME_LIMIT), or the solver crashed.
    """
    problem.sense = sense
    problem.setObjective(objective)
    limit = deadline - time.monotonic()
    if limit <= 0:
        raise SolverError(_("time limit reached before stage '{stage}'; raise --time-limit"
                            ).format(stage=stage), ErrorCode.TIME_LIMIT)
    solver = make_solver(solver_name, limit)
    started = time.monotonic()
    running = _children_of_this_thread()
    try:
        with _native_stdout_silenced(solver_name == "highs"):
            problem.solve(solver)
    except (pulp.PulpSolverError, OSError) as exc:
        raise SolverError(_("solver '{solver}' failed at stage '{stage}': {reason}").format(
            solver=solver_name, stage=stage, reason=exc), ErrorCode.SOLVER_CRASHED) from exc
    except BaseException:  # Ctrl-C included: the riparto's and the ATS rebalance's stages
        _stop_processes_started_since(running)
        raise
    elapsed = time.monotonic() - started
    status = read_status(problem, solver_name, elapsed, limit)
    log.debug("stage %s: %s in %.3fs", stage, status, elapsed)
    return status, elapsed


def _run_stage(
    model: RipartoModel, stage: str, solver_name: str, deadline: float
) -> StageResult:
    objective, sense, _ignored = model.stage_objective(stage)
    if not pulp.lpSum(objective).keys():
        # Nothing to decide (no fundable unit): CBC rejects a model without variables.
        return StageResult(stage, "max" if sense == pulp.LpMaximize else "min",
                           float(pulp.value(objective) or 0.0), SolveStatus.OPTIMAL, 0.0)
    status, elapsed = solve_stage(model.problem, objective, sense, solver_name, deadline, stage)
    if status is SolveStatus.TIME_LIMIT:
        raise SolverError(
            _("time limit reached at stage '{stage}' after {seconds} s: the result is not "
              "proven optimal and is not reported; raise --time-limit").format(
                stage=stage, seconds=ratio(Fraction(elapsed), 1)), ErrorCode.TIME_LIMIT
        )
    if status is SolveStatus.INFEASIBLE:
        raise InfeasibleError(_infeasibility_problems(model, stage))
    if not status.is_ok:
        raise SolverError(_("solver '{solver}' ended stage '{stage}' with status {status}"
                            ).format(solver=solver_name, stage=stage, status=status),
                          ErrorCode.NOT_OPTIMAL)
    value = pulp.value(objective)
    return StageResult(
        name=stage,
        sense="max" if sense == pulp.LpMaximize else "min",
        objective=float(value or 0.0),
        status=status,
        seconds=elapsed,
    )


def _infeasibility_problems(model: RipartoModel, stage: str) -> list[Problem]:
    if stage != STAGES[0]:
        return [Problem(
            _("stage '{stage}' became infeasible after fixing the earlier stages: a numerical "
              "problem of the solver; try the other solver (--solver)").format(stage=stage),
            code=ErrorCode.NUMERICAL,
        )]
    problems = [
        Problem(_("area '{area}': its budget, {budget} EUR, is negative").format(
            area=area, budget=money(budget)), code=ErrorCode.AREA_BUDGET)
        for area, budget in model.budgets.items()
        if budget < 0
    ]
    return problems or [Problem(
        _("the rules cannot all hold: the area budgets, the minimum award and the units that "
          "must be funded conflict"),
        code=ErrorCode.INFEASIBLE,
    )]


def check_minimum_reachable(
    assessments: Sequence[Assessment],
    plans: Sequence[ServicePlan],
    rules: RuleSet,
    budgets: Mapping[str, int],
) -> list[str]:
    """Flag areas whose budget no eligible unit can receive because of the minimum award.

    Everyone at 0 is "feasible", but it leaves a budget unspent for a reason a planner must
    see. If that happens in every area with money, nothing at all can be awarded: the rules
    conflict and the run is refused (exit 3). Otherwise the areas are returned as warnings.
    """
    problems = []
    for area, budget in budgets.items():
        eligible = [a.entitlement for a in assessments if a.area == area and a.eligible]
        fundable = any(p.segments for p in plans if p.area == area)
        if budget > 0 and eligible and not fundable:
            problems.append(Problem(
                Message(N_("area '{area}': the minimum award, {minimum} EUR, is above every "
                           "entitlement of the area (largest {largest} EUR), so its budget of "
                           "{budget} EUR cannot be awarded; lower the minimum award "
                           "(--min-award) or review the entitlements"),
                        area=area, minimum=Amount(rules.minimum_award),
                        largest=Amount(max(eligible)), budget=Amount(budget)),
                code=ErrorCode.MINIMUM_ABOVE_ENTITLEMENTS,
            ))
    funded_areas = {p.area for p in plans if p.segments}
    if problems and not funded_areas:
        raise InfeasibleError(problems)
    return [p.message for p in problems]


def solve_riparto(
    assessments: Sequence[Assessment],
    rules: RuleSet,
    *,
    solver: str = "cbc",
    time_limit: float = DEFAULT_TIME_LIMIT,
    prune: bool = True,
) -> SolveResult:
    """Compute the riparto of `rules` for the assessed units.

    The model offers each service line only the segments that can be optimal
    (`engine.bounds`): those of a solution at least as good as a starting one for stages 1-2,
    then, once stage 2 is solved, those that can still reach its excess ratio. With `prune`
    off every segment is offered (same result, slower: kept for cross-checks and benchmarks).

    Raises:
        SolverError: solver missing, crashed or stopped by the time limit.
        InfeasibleError: the rules cannot all hold (the message names them).
    """
    started = time.monotonic()
    running = _children_of_this_thread()
    version: VersionQuery | None = None
    try:
        version = VersionQuery(solver)
        run, allocation = _solve_stages(assessments, rules, solver, started + time_limit, prune)
    except BaseException:  # Ctrl-C included: no process outlives the run (the version
        # query's and its children; each stage stops its own solver, `solve_stage`)
        _stop_processes_started_since(running)
        if version is not None:
            version.cancel()
        raise
    return SolveResult(
        status=SolveStatus.OPTIMAL,
        solver=solver,
        solver_version=version.result(),
        stages=tuple(run.stages),
        allocation=allocation,
        seconds=time.monotonic() - started,
        messages=tuple(run.warnings),
    )


def _solve_stages(
    assessments: Sequence[Assessment], rules: RuleSet, solver: str, deadline: float, prune: bool
) -> tuple[_StageRun, Allocation]:
    budgets = area_budgets(rules)
    plans = plan_services(assessments, rules, budgets)
    warnings_ = check_minimum_reachable(assessments, plans, rules, budgets)
    for warning in warnings_:
        warn(Problem(warning, code=ErrorCode.MINIMUM_ABOVE_SOME_ENTITLEMENTS))
    starts = starting_solutions(plans, budgets) if prune else {}
    candidates = (candidate_segments(plans, budgets, starts) if prune
                  else {p.service: (NOTHING, *p.segments) for p in plans})
    run = _StageRun(build_model(plans, budgets, candidates), solver, deadline, warnings_)
    for stage in STAGES[:2]:
        run.solve(stage)
    narrowed = (narrow_by_excess(plans, budgets, candidates, run.optima, starts) if prune
                else candidates)
    if _count(narrowed) < _count(candidates):
        log.info("excess bound: %d of %d segments left", _count(narrowed), _count(candidates))
        run = _StageRun(build_model(plans, budgets, narrowed), solver, deadline, warnings_)
        for stage in STAGES[:2]:
            run.solve(stage)
    for stage in STAGES[2:]:
        if not run.solve(stage):
            break
    totals: dict[str, int] = {}
    for area, optimum in run.optima.items():
        totals.update(round_area([p for p in plans if p.area == area], optimum))
    allocation = residual_phase(assessments, rules,
                                allocation_from_totals(plans, budgets, totals))
    return run, allocation


def _count(candidates: Mapping[str, Sequence[Segment]]) -> int:
    return sum(len(segments) for segments in candidates.values())


def starting_solutions(
    plans: Sequence[ServicePlan], budgets: Mapping[str, int]
) -> dict[str, tuple[dict[str, Segment | None], AreaOptimum]]:
    """Per area, the starting solution of `engine.bounds`, when it reaches the best spend."""
    starts = {}
    for area, budget in budgets.items():
        start = starting_solution([p for p in plans if p.area == area], budget)
        if start is None:
            log.info("area %s: no starting solution at the best spend; all segments", area)
        else:
            starts[area] = start
    return starts


def candidate_segments(
    plans: Sequence[ServicePlan],
    budgets: Mapping[str, int],
    starts: Mapping[str, tuple[dict[str, Segment | None], AreaOptimum]] | None = None,
) -> dict[str, tuple[Segment, ...]]:
    """Per service line, the segments that can be part of a stage-2 optimum.

    `fsr_opt.engine.bounds.NOTHING` among them says that funding nothing in the line can be too.

    An area whose starting solution (`starting_solutions`) reaches the best possible spend
    keeps the segments whose deviation bound does not exceed the start's (and, when the start
    is provably stage-2 optimal, whose excess bound does not exceed its ratio); an area where
    it does not (large gaps between funded sets) keeps every segment.
    """
    if starts is None:
        starts = starting_solutions(plans, budgets)
    candidates: dict[str, tuple[Segment, ...]] = {}
    for area in budgets:
        area_plans = [p for p in plans if p.area == area]
        if area not in starts:
            candidates.update({p.service: (NOTHING, *p.segments) for p in area_plans})
            continue
        picks, start = starts[area]
        window = deviation_window(area_plans, start.spend, float(start.deviation))
        if start.excess_ratio is not None and start.deviation == deviation_floor(
                area_plans, start.spend):
            # The start is a stage-2 optimum already: its ratio bounds stage 3 at once.
            window = excess_window(area_plans, window, start.spend, float(start.excess_ratio))
        for plan in area_plans:
            kept = set(window[plan.service]) | {picks[plan.service] or NOTHING}
            candidates[plan.service] = tuple(s for s in (NOTHING, *plan.segments) if s in kept)
    return candidates


def narrow_by_excess(
    plans: Sequence[ServicePlan],
    budgets: Mapping[str, int],
    candidates: Mapping[str, tuple[Segment, ...]],
    optima: Mapping[str, AreaOptimum],
    starts: Mapping[str, tuple[dict[str, Segment | None], AreaOptimum]] | None = None,
) -> dict[str, tuple[Segment, ...]]:
    """Keep the candidates that can reach the excess ratio of a stage-2 optimum.

    `optima` must come from a model holding every stage-2-optimal segment (the candidates of
    `candidate_segments`): its excess ratio then bounds stage 3's optimum. So does the
    starting solution's when its deviation is the same optimum: it sits at the water level,
    so its ratio is usually far lower (a line with no requests leaves a whole range of
    stage-2 optima, and the stage-2 solver may return any of them).
    """
    narrowed = dict(candidates)
    for area in budgets:
        optimum = optima.get(area)
        if optimum is None or optimum.excess_ratio is None:
            continue
        ratio = optimum.excess_ratio
        start = (starts or {}).get(area)
        if (start is not None and start[1].excess_ratio is not None
                and start[1].spend == optimum.spend and start[1].deviation == optimum.deviation):
            ratio = min(ratio, start[1].excess_ratio)
        area_plans = [p for p in plans if p.area == area]
        window = excess_window(area_plans, candidates, optimum.spend, float(ratio))
        narrowed.update(window)
    return narrowed


class _StageRun:
    """The lexicographic stages on one model: each solved, checked, and fixed for the next."""

    def __init__(
        self, model: RipartoModel, solver: str, deadline: float, warnings_: list[str]
    ) -> None:
        self.model = model
        self.solver = solver
        self.deadline = deadline
        self.warnings = warnings_
        self.stages: list[StageResult] = []
        self.optima: dict[str, AreaOptimum] = {}

    def solve(self, stage: str) -> bool:
        """Solve `stage`; False when the last tie-break had to be skipped (with a warning)."""
        model, solver = self.model, self.solver
        try:
            result = _run_stage(model, stage, solver, self.deadline)
        except InfeasibleError:
            if not model.fixes:
                raise
            log.info("stage %s infeasible with tight fixes; retrying with wider ones", stage)
            model.relax_fixes(RETRY_TOLERANCE)
            try:
                result = _run_stage(model, stage, solver, self.deadline)
            except InfeasibleError:
                if stage != STAGES[-1]:
                    raise
                # The last stage only breaks ties: the funded sets of stage 3 already satisfy
                # every rule and the three real objectives. Keep them, and say so.
                self.warnings.append(Message(N_(
                    "the final tie-break (stage '{stage}') was numerically infeasible for "
                    "{solver}; the funded sets of the previous stage are kept (every rule and "
                    "stages 1-3 hold; another solver may break the remaining ties differently)"
                ), stage=stage, solver=solver))
                return False
        self.stages.append(result)
        self.optima = exact_optima(model)
        if stage in STAGE_TOLERANCE:
            model.fix_stage(stage, _stage_values(stage, self.optima), STAGE_TOLERANCE[stage])
        return True


def picked_segments(model: RipartoModel) -> dict[str, Segment | None]:
    """The segment (funded set) the solver picked for each service line; binaries > 0.5."""
    picked: dict[str, Segment | None] = {}
    for plan in model.plans:
        choice = next(
            (c for c in model.choices[plan.service]
             if c.pick is not None and (c.pick.value() or 0.0) > 0.5),
            None,
        )
        if choice is None and model.choices[plan.service]:
            only = model.choices[plan.service][0]
            if only.pick is None:  # minimum 0: one segment from 0, no binary
                choice = only
        picked[plan.service] = choice.segment if choice else None
    return picked


def exact_optima(model: RipartoModel) -> dict[str, AreaOptimum]:
    """Exact stage values of every area for the funded sets the solver picked."""
    picked = picked_segments(model)
    optima = {}
    for area, budget in model.budgets.items():
        plans = [p for p in model.plans if p.area == area]
        try:
            optima[area] = solve_area(plans, picked, budget)
        except ValueError as exc:
            raise SolverError(_("area '{area}': the solver's answer breaks a rule: {reason}"
                                ).format(area=area, reason=exc),
                              ErrorCode.WRONG_ANSWER) from exc
    return optima


def _stage_values(stage: str, optima: Mapping[str, AreaOptimum]) -> dict[str, float]:
    if stage == "spend":
        return {a: float(o.spend) for a, o in optima.items()}
    if stage == "deviation":
        return {a: float(o.deviation) for a, o in optima.items()}
    return {a: float(o.excess_ratio) for a, o in optima.items() if o.excess_ratio is not None}


def allocation_from_totals(
    plans: Sequence[ServicePlan], budgets: Mapping[str, int], totals: Mapping[str, int]
) -> Allocation:
    """Turn integer service totals into awards per unit and per-service results."""
    awards: dict[str, int] = {}
    services: dict[str, ServiceResult] = {}
    for plan in plans:
        total = totals.get(plan.service, 0)
        awards.update(split_service_total(plan, total))
        segment = plan.segment_for(total) if total else None
        funded = segment.funded_entitlement if segment else 0
        services[plan.service] = ServiceResult(
            area=plan.area,
            service=plan.service,
            target=plan.target,
            awarded=total,
            share=Fraction(total, funded) if funded else Fraction(0),
            funded_entitlement=funded,
            weight=plan.weight,
        )
    return Allocation(awards=awards, services=services, area_budgets=dict(budgets))
