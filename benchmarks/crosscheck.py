"""Cross-check the fast path at sizes the property tests cannot reach (SYNTHETIC data).

The Hypothesis properties (tests/engine/test_properties.py, tests/engine/test_plain_crosscheck.py)
compare the pruned model with the full one on random areas of a few dozen units. This script does
the same on generated Ambiti of hundreds to thousands of units, over a grid of funds and minimum
awards drawn at random, and checks on each instance that:

* the pruned model (`solve_riparto`, bounds on) gives the same awards as the full model
  (every funded set offered, `prune=False`), both with CBC;
* HiGHS gives the same awards as CBC on the pruned model;
* the audit `fsr-opt solve` runs on its result (exact integers, no solver) passes.

Usage::

    python -m benchmarks.crosscheck --instances 40 --max-units 1500 --seed 7

It prints one line per instance and exits 1 if any check fails. A few minutes for 40
instances of up to 1,500 units (the full model is the slow part).
"""

from __future__ import annotations

import argparse
import random
import sys
import tempfile
import time
from decimal import Decimal
from pathlib import Path

from benchmarks.generate import generate, write_instance
from fsr_opt.app.pipeline import audit_result, load_inputs
from fsr_opt.core.errors import FsrOptError
from fsr_opt.engine.solve import solve_riparto

FUND_FACTORS = ("0.05", "0.2", "0.5", "0.8", "1", "1.5", "3", "10")
MINIMUM_AWARDS = (None, "0", "500", "2000", "5000")


def check_instance(units: int, seed: int, fund_factor: str, minimum: str | None,
                   work: Path) -> list[str]:
    """Solve one generated instance four ways; return what disagrees (empty: all agree)."""
    instance = generate(units, seed)
    path = write_instance(instance, work / f"n{units}-s{seed}")
    fund = (instance.budget * Decimal(fund_factor)).quantize(Decimal("0.01"))
    overrides = [("fund", str(fund))]
    if minimum is not None:
        overrides.append(("minimum_award", minimum))
    inputs = load_inputs(path, None, overrides)
    runs = {
        "cbc": solve_riparto(inputs.assessments, inputs.rules, solver="cbc"),
        "cbc-full": solve_riparto(inputs.assessments, inputs.rules, solver="cbc", prune=False),
        "highs": solve_riparto(inputs.assessments, inputs.rules, solver="highs"),
    }
    problems: list[str] = []
    reference = runs["cbc"].allocation
    assert reference is not None
    for name, result in runs.items():
        assert result.allocation is not None
        if dict(result.allocation.awards) != dict(reference.awards):
            changed = sum(1 for unit, award in result.allocation.awards.items()
                          if reference.awards.get(unit) != award)
            problems.append(f"{name}: {changed} awards differ from the pruned CBC run")
    try:
        audit_result(inputs, reference)  # what `fsr-opt solve` runs before writing anything
    except FsrOptError as exc:
        problems.append("audit: " + ", ".join(sorted({p.code or "?" for p in exc.problems})))
    return problems


def main(argv: list[str] | None = None) -> int:
    """Run the cross-check; exit 1 if any instance disagrees."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--instances", type=int, default=40)
    parser.add_argument("--min-units", type=int, default=200)
    parser.add_argument("--max-units", type=int, default=1500)
    parser.add_argument("--seed", type=int, default=7)
    args = parser.parse_args(argv)
    draw = random.Random(args.seed)
    failures = 0
    with tempfile.TemporaryDirectory(prefix="fsr-crosscheck-") as tmp:
        for index in range(args.instances):
            units = draw.randint(args.min_units, args.max_units)
            seed = draw.randint(1, 10**6)
            fund_factor = draw.choice(FUND_FACTORS)
            minimum = draw.choice(MINIMUM_AWARDS)
            started = time.perf_counter()
            try:
                problems = check_instance(units, seed, fund_factor, minimum, Path(tmp))
            except FsrOptError as exc:
                problems = [f"failed: {str(exc).splitlines()[0]}"]
            verdict = "ok" if not problems else "; ".join(problems)
            failures += bool(problems)
            print(f"{index + 1:3d} units={units:5d} seed={seed:7d} fund x{fund_factor:>4} "
                  f"minimum={minimum or 'rules':>5}  {time.perf_counter() - started:6.1f} s  "
                  f"{verdict}", flush=True)
    print(f"{args.instances - failures} of {args.instances} instances agree", flush=True)
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
