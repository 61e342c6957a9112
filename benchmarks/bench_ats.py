"""The ATS level's timings: the split and the rebalance of the 14 Ambiti, CBC and HiGHS.

    python -m benchmarks.bench_ats [--repeat 5]

Prints a Markdown table (medians of wall-clock and CPU seconds, CBC's child process
included): the split of the bundled example, the rebalance of its
reports with each solver, the same with a limit on transfers that binds, and random
instances of 14 Ambiti.
"""

from __future__ import annotations

import argparse
import random
import resource
import statistics
import time

from fsr_opt.app.ats import load_ats_rules
from fsr_opt.core.ats import AmbitoReport
from fsr_opt.core.errors import SolverError
from fsr_opt.engine.ats_monitor import monitor
from fsr_opt.engine.ats_rebalance import rebalance
from fsr_opt.engine.ats_split import split_fund
from fsr_opt.io.ats import default_ats_example, load_indicators, load_monitoring


def _cpu() -> float:
    """CPU seconds of this process and of its finished children (CBC runs as a child)."""
    own = resource.getrusage(resource.RUSAGE_SELF)
    children = resource.getrusage(resource.RUSAGE_CHILDREN)
    return own.ru_utime + own.ru_stime + children.ru_utime + children.ru_stime


def _median(action, repeat: int) -> tuple[float, float, object]:
    times, cpus, result = [], [], None
    for _ in range(repeat):
        started, cpu = time.perf_counter(), _cpu()
        result = action()
        times.append(time.perf_counter() - started)
        cpus.append(_cpu() - cpu)
    return statistics.median(times), statistics.median(cpus), result


def _random_reports(seed: int, rules) -> list[AmbitoReport]:
    rng = random.Random(seed)
    reports = []
    for code in rules.ambiti:
        assigned = rng.randint(8_000, 55_000) * 100
        committed = rng.randint(assigned // 200, assigned // 100) * 100
        unmet = rng.choice([0, 0, rng.randint(1_000, 20_000) * 100])
        if unmet:
            committed = assigned
        reports.append(AmbitoReport(code, assigned, committed, committed, 1 if unmet else 0,
                                    unmet))
    return reports


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--time-limit", type=float, default=20.0)
    args = parser.parse_args()
    rules = load_ats_rules()
    indicators = load_indicators(default_ats_example("indicators.csv"), rules)
    seconds, cpu, _ = _median(lambda: split_fund(rules, indicators), args.repeat)
    print("| case | solver | transfers | wall s (median) | CPU s (median) |")
    print("|---|---|---:|---:|---:|")
    print(f"| split, 14 Ambiti (bundled) | - | - | {seconds:.4f} | {cpu:.4f} |")
    lines = monitor(load_monitoring(default_ats_example("monitoring.csv"), rules))
    cases = [("rebalance, bundled reports, limit 12", lines, rules.max_transfers)]
    cases += [(f"rebalance, random 14 Ambiti (seed {seed}), limit 13",
               monitor(_random_reports(seed, rules)), 13) for seed in range(3)]
    cases.append(("rebalance, bundled reports, limit 10 (binds)", lines, 10))
    for name, case, limit in cases:
        for solver in ("cbc", "highs"):
            try:
                def run(case=case, limit=limit, solver=solver):
                    return rebalance(case, minimum=rules.minimum_transfer, max_transfers=limit,
                                     solver=solver, time_limit=args.time_limit)

                seconds, cpu, result = _median(run, args.repeat if limit != 10 else 1)
                count = str(len(result.transfers))  # type: ignore[attr-defined]
            except SolverError:
                seconds, cpu, count = args.time_limit, float("nan"), "time limit"
            print(f"| {name} | {solver} | {count} | {seconds:.3f} | {cpu:.3f} |")


if __name__ == "__main__":
    main()
