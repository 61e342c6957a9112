"""The what-if page through HTTP: a parameter changed, the updated page received.

For each case a real ``fsr-opt serve`` starts on a free port of 127.0.0.1; one client (one
browser: its own cookie, one kept-alive connection) loads the page, then warms the server with a
few changes, then sends ``--changes`` changes of the fund, each to a value not tried before (no
cache can answer), timing each from the request sent to the whole JSON of the updated page read
and parsed. p50 and p95 are compared with the issue's targets.

Usage::

    python -m benchmarks.bench_serve                          # both cases, 40 changes each
    python -m benchmarks.bench_serve --cases example --changes 100
    python -m benchmarks.bench_serve --markdown benchmarks/RESULTS.md   # append its section
"""

from __future__ import annotations

import argparse
import http.client
import json
import os
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path

from benchmarks.generate import fund_for, generate, write_instance

ROOT = Path(__file__).resolve().parents[1]
SECTION = "## The what-if page through HTTP (`benchmarks/bench_serve.py`)"
WARM_CHANGES = 5
TARGETS = {"example": 0.3, "2000": 1.5}


@dataclass(frozen=True)
class Timing:
    """One case's measurements, in seconds, and the size of the answers."""

    case: str
    units: int
    seconds: list[float]
    answer_bytes: int
    solve_seconds: list[float]

    def quantile(self, q: float) -> float:
        ordered = sorted(self.seconds)
        return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))]


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


class Browser:
    """One visitor: a kept-alive connection and the workspace cookie the server gave it."""

    def __init__(self, port: int) -> None:
        self.connection = http.client.HTTPConnection("127.0.0.1", port, timeout=120)
        self.cookie = ""

    def request(self, method: str, path: str, body: dict[str, object] | None = None) -> bytes:
        headers = {"x-fsr-opt": "1"}
        if self.cookie:
            headers["cookie"] = self.cookie
        data = None
        if body is not None:
            data = json.dumps(body).encode("utf-8")
            headers["content-type"] = "application/json"
        self.connection.request(method, path, body=data, headers=headers)
        response = self.connection.getresponse()
        answer = response.read()
        cookies = [value.split(";", 1)[0] for key, value in response.getheaders()
                   if key.lower() == "set-cookie"]
        if cookies and not self.cookie:
            self.cookie = "; ".join(cookies)
        if response.status != 200:
            raise RuntimeError(f"{method} {path}: HTTP {response.status}")
        return answer


def measure(case: str, units_file: Path | None, fund: Decimal, changes: int) -> Timing:
    """Start ``fsr-opt serve`` on the units, warm it, then time `changes` changes of the fund."""
    port = _free_port()
    command = [sys.executable, "-m", "fsr_opt", "serve", "--port", str(port)]
    if units_file is not None:
        command += ["--units", str(units_file)]
    server = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL,
                              text=True, cwd=ROOT)
    try:
        assert server.stdout is not None
        if not server.stdout.readline().startswith("fsr-opt serve:"):
            raise RuntimeError("fsr-opt serve did not start")
        browser = Browser(port)
        browser.request("GET", "/")
        state = json.loads(browser.request("GET", "/api/state"))
        count = state["source"]["count"]
        values = [fund * (Decimal("0.90") + Decimal(i) / 1000) for i in range(WARM_CHANGES
                                                                           + changes)]
        seconds, solved, size = [], [], 0
        for index, value in enumerate(values):
            body = {"fund": format(value.quantize(Decimal("0.01")), "f")}
            started = time.perf_counter()
            answer = browser.request("POST", "/api/change", body)
            page = json.loads(answer)
            elapsed = time.perf_counter() - started
            if "error" in page:
                raise RuntimeError(page["error"]["title"])
            if index >= WARM_CHANGES:
                seconds.append(elapsed)
                solved.append(page["result"]["seconds"])
                size = len(answer)
        return Timing(case, count, seconds, size, solved)
    finally:
        server.send_signal(signal.SIGINT)
        server.communicate(timeout=60)


def _markdown(timings: list[Timing], changes: int) -> str:
    cpu = next((line.split(":", 1)[1].strip() for line in Path("/proc/cpuinfo").read_text(
        ).splitlines() if line.startswith("model name")), "?") if Path("/proc/cpuinfo").exists() \
        else "?"
    load = os.getloadavg()[0] if hasattr(os, "getloadavg") else float("nan")
    lines = [
        "", SECTION, "",
        f"Written by `python -m benchmarks.bench_serve --changes {changes}` on "
        f"{time.strftime('%Y-%m-%d %H:%M UTC', time.gmtime())}; {cpu}, {os.cpu_count()} cores, "
        f"load average {load:.1f} when it ended (the cores were shared with other work).",
        "",
        "One browser, a warm server (the page loaded and 5 changes made first), each change a "
        "fund never tried before; timed from the request sent to the updated page's JSON "
        "parsed. `solve s`: the server's own time from the parameters to the outcomes (rules, "
        "assessment, MILP).",
        "",
        "| case | units | changes | p50 s | p95 s | max s | target s | solve p50 s | answer kB |",
        "|---|---:|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for timing in timings:
        target = TARGETS[timing.case]
        lines.append(
            f"| {timing.case} | {timing.units:,} | {len(timing.seconds)} | "
            f"{timing.quantile(0.5):.3f} | {timing.quantile(0.95):.3f} | "
            f"{max(timing.seconds):.3f} | < {target} | "
            f"{statistics.median(timing.solve_seconds):.3f} | {timing.answer_bytes / 1024:.0f} |")
    return "\n".join(lines) + "\n"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--cases", default="example,2000", help="example and/or 2000")
    parser.add_argument("--changes", type=int, default=40, help="timed changes per case")
    parser.add_argument("--markdown", type=Path, help="append the section to this file")
    args = parser.parse_args()
    timings = []
    with tempfile.TemporaryDirectory(prefix="bench-serve-") as work:
        for case in args.cases.split(","):
            if case == "example":
                timing = measure(case, None, Decimal("892495.35"), args.changes)
            else:
                units = int(case)
                table = write_instance(generate(units, 1), Path(work) / f"n{units}")
                timing = measure(case, table, fund_for(units), args.changes)
            timings.append(timing)
            print(f"{case}: p50 {timing.quantile(0.5):.3f} s, p95 {timing.quantile(0.95):.3f} s "
                  f"(target < {TARGETS[case]} s), {timing.answer_bytes / 1024:.0f} kB",
                  flush=True)
    section = _markdown(timings, args.changes)
    print(section)
    if args.markdown:
        with args.markdown.open("a", encoding="utf-8") as handle:
            handle.write(section)


if __name__ == "__main__":
    main()
