"""The command line as a planner meets it: wall-clock time and peak memory, end to end.

Each case runs ``fsr-opt`` in a fresh process (start-up and imports included), ``--repeat``
times; the table gives the median and the slowest wall time and the largest peak RSS (the
process and the solver processes it waited for, as GNU time reports them).

Usage::

    python -m benchmarks.bench_cli                       # every case, 5 runs each
    python -m benchmarks.bench_cli --cases help,version,example --repeat 11
    python -m benchmarks.bench_cli --markdown benchmarks/RESULTS.md   # rewrite its CLI section

The 100,000-unit cases generate their instance (seed 1) into ``--work`` once, and the
workbook case writes that table as an .xlsx with openpyxl's write-only mode.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from benchmarks.generate import fund_for, generate, write_instance

ROOT = Path(__file__).resolve().parents[1]
FSR_OPT = Path(sys.executable).with_name("fsr-opt")
TIME = "/usr/bin/time"
SECTION = "## Command line, end to end (`benchmarks/bench_cli.py`)"


@dataclass(frozen=True)
class Case:
    """One command to time, with the target the issue set for it (seconds, MB)."""

    name: str
    what: str
    target_seconds: float | None
    target_mb: float | None
    prepare: Callable[[Path], list[str]]
    cache: bool = True
    """Whether the validated rule set may come from the cache (filled by the warm-up run)."""


def _instance(work: Path, units: int) -> tuple[Path, str]:
    folder = work / f"n{units}"
    table = folder / "units.csv"
    if not table.exists():
        write_instance(generate(units, 1), folder)
    return table, str(fund_for(units))


def _workbook(work: Path, units: int) -> tuple[Path, str]:
    import csv  # noqa: PLC0415 - only this case needs it

    from openpyxl import Workbook  # noqa: PLC0415

    table, fund = _instance(work, units)
    path = table.with_suffix(".xlsx")
    if not path.exists():
        book = Workbook(write_only=True)
        sheet = book.create_sheet("Unità")
        with table.open(encoding="utf-8", newline="") as handle:
            for row in csv.reader(handle):
                sheet.append(row)
        book.save(path)
    return path, fund


def _solve(work: Path, units: Path | None, fund: str | None) -> list[str]:
    out = work / "out"
    shutil.rmtree(out, ignore_errors=True)
    args = ["solve", "--out", str(out)]
    if units is not None:
        args += ["--units", str(units)]
    if fund is not None:
        args += ["--budget", fund]
    return args


CASES = (
    Case("help", "`fsr-opt --help`", 0.2, None, lambda work: ["--help"]),
    Case("version", "`fsr-opt version`", 0.2, None, lambda work: ["version"]),
    Case("example", "`fsr-opt solve`, bundled example (308 rows), every output", 0.4, None,
         lambda work: _solve(work, None, None)),
    Case("example-cold", "the same, the rule set validated anew (`FSR_OPT_CACHE=off`: a rule "
         "file's first run)", 0.4, None, lambda work: _solve(work, None, None), cache=False),
    Case("n2000", "`fsr-opt solve`, 2,000 units (CSV)", 0.7, None,
         lambda work: _solve(work, *_instance(work, 2000))),
    Case("n100000", "`fsr-opt solve`, 100,000 units (CSV)", 8.0, 400.0,
         lambda work: _solve(work, *_instance(work, 100_000))),
    Case("n100000-xlsx", "`fsr-opt solve`, 100,000 units (XLSX)", 12.0, None,
         lambda work: _solve(work, *_workbook(work, 100_000))),
)


def _environment(cache: Path | None) -> dict[str, str]:
    """This environment without PYTHONDONTWRITEBYTECODE, so that bytecode is cached.

    An installed fsr-opt has its bytecode compiled at install; with the variable set, a
    checkout would compile every module again on each run and measure that instead. The cache
    of validated rule sets is `cache` (None: off), not the user's.
    """
    environment = {name: value for name, value in os.environ.items()
                   if name != "PYTHONDONTWRITEBYTECODE"}
    environment["FSR_OPT_CACHE"] = str(cache) if cache is not None else "off"
    return environment


def run_once(args: list[str], cache: Path | None) -> tuple[float, float, float]:
    """Run ``fsr-opt ARGS`` once under GNU time: (wall s, CPU s user + system, peak MB)."""
    result = subprocess.run([TIME, "-f", "%e %U %S %M", str(FSR_OPT), *args],
                            capture_output=True, text=True, check=False,
                            env=_environment(cache))
    if result.returncode != 0:
        raise SystemExit(f"fsr-opt {' '.join(args)} failed:\n{result.stderr}")
    seconds, user, system, kilobytes = result.stderr.strip().splitlines()[-1].split()
    return float(seconds), float(user) + float(system), int(kilobytes) / 1024


def measure(case: Case, work: Path, repeat: int) -> dict[str, float]:
    """Median and slowest wall time, median CPU, largest peak RSS, over `repeat` runs.

    One warm-up run first (file cache, bytecode, the instance, the validated rule set).
    """
    cache = work / "cache" if case.cache else None
    run_once(case.prepare(work), cache)
    walls, cpus, peaks = [], [], []
    for _ in range(repeat):
        wall, cpu, peak = run_once(case.prepare(work), cache)
        walls.append(wall)
        cpus.append(cpu)
        peaks.append(peak)
    return {"median_s": statistics.median(walls), "max_s": max(walls),
            "cpu_s": statistics.median(cpus), "peak_mb": max(peaks), "runs": repeat}


# A fixed pure-Python workload: its time says how fast the machine runs Python at the moment.
PROBE = """\
import time
start = time.perf_counter()
total = 0
for number in range(2_000_000):
    total += number % 7
print(time.perf_counter() - start)
"""


@dataclass(frozen=True)
class Probe:
    """The machine's speed around a measurement: `PROBE`'s median seconds, and when."""

    before_s: float
    after_s: float
    started: datetime
    ended: datetime


def speed_probe(runs: int = 5) -> float:
    """Median seconds of `PROBE`, each run in a fresh process.

    This machine's speed changes from one hour to the next (benchmarks/RESULTS.md, sixth
    round): taken before and after the cases, the probe tells a slow hour from a slower
    program.
    """
    times = []
    for _ in range(runs):
        result = subprocess.run([sys.executable, "-c", PROBE], capture_output=True, text=True,
                                check=True)
        times.append(float(result.stdout))
    return statistics.median(times)


def markdown(results: dict[str, dict[str, float]], probe: Probe | None = None) -> str:
    """The section of RESULTS.md: one row per case, with its target, and the machine's speed."""
    lines = [SECTION, "",
             "| case | median s | slowest s | CPU s (median) | peak MB | target |",
             "|---|---:|---:|---:|---:|---|"]
    for case in CASES:
        if case.name not in results:
            continue
        found = results[case.name]
        target = " and ".join(
            text for text in (
                f"< {case.target_seconds:g} s" if case.target_seconds else "",
                f"< {case.target_mb:g} MB" if case.target_mb else "") if text)
        met = ((case.target_seconds is None or found["median_s"] < case.target_seconds)
               and (case.target_mb is None or found["peak_mb"] < case.target_mb))
        lines.append(f"| {case.what} | {found['median_s']:.2f} | {found['max_s']:.2f} | "
                     f"{found['cpu_s']:.2f} | {found['peak_mb']:.0f} | "
                     f"{target or '-'}{' (met)' if met else ''} |")
    runs = next(iter(results.values()))["runs"]
    lines += ["", f"{runs:g} runs per case after one warm-up, each a new process: "
              "`python -m benchmarks.bench_cli --repeat "
              f"{runs:g} --markdown benchmarks/RESULTS.md`. The solves but the cold one take "
              "their validated rule set from the cache (`fsr_opt.io.rulecache`) the warm-up "
              "run filled, as every run of a rule file after its first does."]
    if probe is not None:
        lines += ["", f"Measured on {probe.started:%Y-%m-%d} from {probe.started:%H:%M} to "
                  f"{probe.ended:%H:%M} UTC. The machine's speed then (`PROBE`, a fixed "
                  "pure-Python loop, median of 5 runs in fresh processes): "
                  f"{probe.before_s:.3f} s before the cases, {probe.after_s:.3f} s after."]
    lines.append("")
    return "\n".join(lines)


def rewrite_section(path: Path, text: str) -> None:
    """Replace this script's section of `path` (or add it before the Analysis section)."""
    document = path.read_text(encoding="utf-8")
    pattern = re.compile(re.escape(SECTION) + r".*?(?=\n## |\Z)", re.DOTALL)
    if pattern.search(document):
        document = pattern.sub(text.rstrip("\n") + "\n", document)
    elif "\n## Analysis" in document:
        document = document.replace("\n## Analysis", "\n" + text + "\n## Analysis", 1)
    else:
        document += "\n" + text
    path.write_text(document, encoding="utf-8")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--cases", default=",".join(case.name for case in CASES))
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--work", type=Path, default=None,
                        help="where generated instances are kept (default: a temporary folder)")
    parser.add_argument("--json", type=Path, default=None, help="write the figures as JSON")
    parser.add_argument("--markdown", type=Path, default=None,
                        help="rewrite this script's section of a RESULTS.md")
    args = parser.parse_args(argv)
    wanted = args.cases.split(",")
    unknown = set(wanted) - {case.name for case in CASES}
    if unknown:
        parser.error(f"unknown cases: {', '.join(sorted(unknown))}")
    started, before = datetime.now(UTC), speed_probe()
    with tempfile.TemporaryDirectory() as scratch:
        work = args.work or Path(scratch)
        work.mkdir(parents=True, exist_ok=True)
        results = {}
        for case in CASES:
            if case.name in wanted:
                results[case.name] = measure(case, work, args.repeat)
                print(f"{case.name}: {results[case.name]}", flush=True)
    probe = Probe(before, speed_probe(), started, datetime.now(UTC))
    if args.json:
        args.json.write_text(json.dumps({**results, "probe": {
            "before_s": probe.before_s, "after_s": probe.after_s,
            "started": probe.started.isoformat(timespec="seconds"),
            "ended": probe.ended.isoformat(timespec="seconds")}}, indent=2) + "\n",
            encoding="utf-8")
    if args.markdown:
        rewrite_section(args.markdown, markdown(results, probe))
    print(markdown(results, probe))
    return 0


if __name__ == "__main__":
    sys.exit(main())
