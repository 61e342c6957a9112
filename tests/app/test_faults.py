"""Faults around a correct input: the solver, the output folder, the disk, an interruption.

Whatever goes wrong, the contract holds: the right exit code (3 solver, 2 output folder or
disk, 130 interrupted), a message on stderr and no traceback, no partial output file left
behind, and the previous run's outputs byte for byte as they were.
"""

from __future__ import annotations

import csv
import errno
import glob
import os
import re
import signal
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import openpyxl
import pulp
import pytest
from typer.testing import CliRunner

from fsr_opt.cli import app
from fsr_opt.core.schema import SolveStatus
from fsr_opt.engine import solve
from fsr_opt.engine.lp import highs_solver_class
from fsr_opt.engine.solve import CBC_PATH_VARIABLE
from fsr_opt.io import outputs

from tests.conftest import ROOT
from tests.hostile.make_corpus import BASE, COL, HEADER, csv_text

FSR_OPT = Path(sys.executable).parent / "fsr-opt"
EXAMPLE_UNITS = ROOT / "data" / "bergamo-2025" / "units.csv"
OUTPUT_NAMES = ("allocation.csv", "summary.csv", "payments.csv", "run.json")
_PLAIN_NUMBER = re.compile(r"-?[0-9]+(?:\.[0-9]+)?")


def run(*args: str) -> tuple[int, str, str]:
    """Run the CLI in-process; a traceback anywhere fails the test."""
    result = CliRunner().invoke(app, list(args))
    stdout, stderr = result.stdout, result.stderr or ""
    assert "Traceback" not in stdout and "Traceback" not in stderr, stderr
    return result.exit_code, stdout, stderr


@pytest.fixture
def units(tmp_path: Path) -> Path:
    """Four valid units of the bundled rule set: solved in a fraction of a second."""
    path = tmp_path / "units.csv"
    path.write_text(csv_text(HEADER, BASE), encoding="utf-8")
    return path


@pytest.fixture
def previous(tmp_path: Path) -> Path:
    """An output folder holding a previous run's outputs (and a file of the user's)."""
    out = tmp_path / "out"
    out.mkdir()
    for name in (*OUTPUT_NAMES, "notes.txt"):
        (out / name).write_bytes(f"previous {name}\n".encode())
    return out


def snapshot(folder: Path) -> dict[str, bytes]:
    """Every file of a folder (hidden temporaries included), name -> bytes."""
    return {p.name: p.read_bytes() for p in folder.iterdir()}


def solve_into(units: Path, out: Path, *extra: str) -> tuple[int, str, str]:
    return run("solve", "--units", str(units), "--out", str(out), "-q", *extra)


# --- the solver --------------------------------------------------------------------------------


@pytest.mark.parametrize(("solver", "hint"), [
    ("cbc", "reinstall pulp"),
    ("highs", "pip install highspy"),
])
def test_solver_missing(solver: str, hint: str, units: Path, previous: Path,
                        monkeypatch: pytest.MonkeyPatch) -> None:
    before = snapshot(previous)
    cls = pulp.PULP_CBC_CMD if solver == "cbc" else highs_solver_class()  # the class solve uses
    monkeypatch.setattr(cls, "available", lambda self: False)
    code, _, stderr = solve_into(units, previous, "--solver", solver)
    assert code == 3
    assert f"solver '{solver}' is not available" in stderr and hint in stderr
    assert snapshot(previous) == before


def test_solver_crash(units: Path, previous: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    before = snapshot(previous)

    def crash(self: Any, lp: Any, **kwargs: Any) -> int:
        raise pulp.PulpSolverError("Pulp: Error while executing cbc (killed by signal 11)")

    monkeypatch.setattr(pulp.PULP_CBC_CMD, "actualSolve", crash)
    code, _, stderr = solve_into(units, previous)
    assert code == 3
    assert "solver failure" in stderr and "'cbc' failed at stage 'spend'" in stderr
    assert "signal 11" in stderr
    assert snapshot(previous) == before


def test_solver_binary_broken(units: Path, previous: Path,
                              monkeypatch: pytest.MonkeyPatch) -> None:
    """The solver executable exists but cannot run: still exit 3 with the system's reason."""
    before = snapshot(previous)

    def broken(self: Any, lp: Any, **kwargs: Any) -> int:
        raise OSError(errno.ENOEXEC, "Exec format error")

    monkeypatch.setattr(pulp.PULP_CBC_CMD, "actualSolve", broken)
    code, _, stderr = solve_into(units, previous)
    assert code == 3
    assert "Exec format error" in stderr
    assert snapshot(previous) == before


def test_solver_returns_no_status(units: Path, previous: Path,
                                  monkeypatch: pytest.MonkeyPatch) -> None:
    """A solver that ends without a solution (killed, out of memory) is never read as optimal."""
    before = snapshot(previous)
    monkeypatch.setattr(pulp.PULP_CBC_CMD, "actualSolve", lambda self, lp, **kw: 0)
    code, _, stderr = solve_into(units, previous)
    assert code == 3
    assert "solver failure" in stderr and "stage 'spend'" in stderr
    assert snapshot(previous) == before


def test_time_limit_zero(units: Path, previous: Path) -> None:
    before = snapshot(previous)
    code, _, stderr = solve_into(units, previous, "--time-limit", "0")
    assert code == 3
    assert "time limit" in stderr and "--time-limit" in stderr
    assert snapshot(previous) == before


def test_time_limit_reached_while_solving(units: Path, previous: Path,
                                          monkeypatch: pytest.MonkeyPatch) -> None:
    before = snapshot(previous)
    monkeypatch.setattr(solve, "read_status", lambda *args: SolveStatus.TIME_LIMIT)
    code, _, stderr = solve_into(units, previous)
    assert code == 3
    assert "time limit reached at stage 'spend'" in stderr and "not proven optimal" in stderr
    assert snapshot(previous) == before


# --- the output folder and the disk ----------------------------------------------------------


def test_output_folder_read_only(units: Path, previous: Path,
                                 monkeypatch: pytest.MonkeyPatch) -> None:
    """Simulated (tests run as root): the first move into place is refused."""
    before = snapshot(previous)

    def refuse(src: Any, dst: Any) -> None:
        raise PermissionError(errno.EACCES, "Permission denied", str(dst))

    monkeypatch.setattr(outputs.os, "replace", refuse)
    code, _, stderr = solve_into(units, previous)
    assert code == 2
    assert str(previous) in stderr and "not writable" in stderr
    assert "nothing was changed" in stderr
    assert snapshot(previous) == before


def test_output_folder_refuses_new_files(units: Path, tmp_path: Path,
                                         monkeypatch: pytest.MonkeyPatch) -> None:
    """A read-only folder refuses even the temporary files: nothing is created in it."""
    out = tmp_path / "ro"
    out.mkdir()

    def refuse(*args: Any, **kwargs: Any) -> Any:
        raise PermissionError(errno.EROFS, "Read-only file system")

    monkeypatch.setattr(outputs.tempfile, "mkstemp", refuse)
    code, _, stderr = solve_into(units, out)
    assert code == 2
    assert "not writable" in stderr and "read-only" in stderr
    assert list(out.iterdir()) == []


def test_output_path_is_a_file(units: Path, tmp_path: Path) -> None:
    blocker = tmp_path / "out"
    blocker.write_bytes(b"my notes\n")
    code, _, stderr = solve_into(units, blocker)
    assert code == 2
    assert str(blocker) in stderr and "is a file, not a folder" in stderr
    assert blocker.read_bytes() == b"my notes\n"
    code, _, stderr = solve_into(units, blocker / "sub")
    assert code == 2
    assert "cannot create the output folder" in stderr
    assert blocker.read_bytes() == b"my notes\n"


def test_a_report_that_fails_half_way_leaves_the_previous_outputs(
    units: Path, previous: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The tables and the workbook are already on disk, hidden, when report.html fails.

    Nothing of the run is left: not in the previous folder, and a new folder is removed.
    """
    from fsr_opt.app import pipeline  # noqa: PLC0415

    def broken(*args: object, **kwargs: object) -> bytes:
        raise RuntimeError("the page could not be made")

    monkeypatch.setattr(pipeline, "html_report", broken)
    before = snapshot(previous)
    code, _, stderr = solve_into(units, previous)
    assert code == 3 and "internal error" in stderr and "Traceback" not in stderr
    assert snapshot(previous) == before
    fresh = tmp_path / "fresh"
    assert solve_into(units, fresh)[0] == 3
    assert not fresh.exists()


def test_disk_full_half_way(units: Path, previous: Path,
                            monkeypatch: pytest.MonkeyPatch) -> None:
    """The disk fills while the second output is written: half a file is on disk, then ENOSPC.

    Exit 2: like a read-only folder, the place given with --out cannot take the outputs; the
    inputs and the rules were fine (docs/errors.md).
    """
    before = snapshot(previous)
    real_fdopen = os.fdopen
    opened: list[str] = []

    class FullDisk:
        def __init__(self, stream: Any) -> None:
            self.stream = stream

        def __enter__(self) -> FullDisk:
            return self

        def __exit__(self, *exc: object) -> None:
            self.stream.close()

        def write(self, data: bytes) -> int:
            self.stream.write(data[: len(data) // 2])
            self.stream.flush()
            raise OSError(errno.ENOSPC, "No space left on device")

        def __getattr__(self, name: str) -> Any:
            return getattr(self.stream, name)

    def fdopen(fd: int, *args: Any, **kwargs: Any) -> Any:
        stream = real_fdopen(fd, *args, **kwargs)
        target = os.readlink(f"/proc/self/fd/{fd}") if sys.platform == "linux" else ""
        if target.startswith(str(previous)):
            opened.append(target)
            if len(opened) == 2:
                return FullDisk(stream)
        return stream

    monkeypatch.setattr(outputs.os, "fdopen", fdopen)
    code, _, stderr = solve_into(units, previous)
    if sys.platform == "linux":
        assert len(opened) == 2  # the fault did happen, on the second output
    assert code == 2
    assert "the disk is full" in stderr and "nothing was changed" in stderr
    assert snapshot(previous) == before  # no temporary file, no half file, old bytes


def test_interrupt_while_moving_outputs_restores_the_old_ones(
        units: Path, previous: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Ctrl-C between two moves into place: the moved files are put back."""
    before = snapshot(previous)
    real_replace = os.replace
    moves: list[Any] = []

    def interrupted(src: Any, dst: Any) -> None:
        if str(src).endswith(".tmp"):
            moves.append(dst)
            if len(moves) == 3:
                raise KeyboardInterrupt
        real_replace(src, dst)

    monkeypatch.setattr(outputs.os, "replace", interrupted)
    code, _, stderr = solve_into(units, previous)
    assert len(moves) == 3
    assert code == 130
    assert "interrupted" in stderr
    assert snapshot(previous) == before


# --- an interrupted run (SIGINT), as a real process ------------------------------------------


def _children(pid: int) -> list[str]:
    """Names of the processes whose parent is `pid` (Linux /proc)."""
    names = []
    for stat in glob.glob("/proc/[0-9]*/stat"):
        try:
            text = Path(stat).read_text()
        except OSError:
            continue
        name, rest = text[text.index("(") + 1: text.rindex(")")], text[text.rindex(")") + 2:]
        if int(rest.split()[1]) == pid:
            names.append(name)
    return names


def _group_alive(pgid: int) -> bool:
    try:
        os.killpg(pgid, 0)
    except ProcessLookupError:
        return False
    return True


@pytest.fixture
def slow_cbc(tmp_path: Path) -> Path:
    """A `cbc` that waits before running the real one: the solve takes 0.1 s otherwise."""
    real = solve.make_solver("cbc", 1).path
    script = tmp_path / "bin" / "cbc"
    script.parent.mkdir()
    script.write_text(f'#!/bin/sh\nsleep 60\nexec "{real}" "$@"\n', encoding="utf-8")
    script.chmod(0o755)
    return script


_SIGINT_DEFAULT_THEN_EXEC = ("import os, signal, sys; "
                             "signal.signal(signal.SIGINT, signal.SIG_DFL); "
                             "os.execv(sys.argv[1], sys.argv[1:])")


@pytest.mark.skipif(sys.platform != "linux", reason="finds the solver process in /proc")
@pytest.mark.skipif(not FSR_OPT.exists(), reason="the fsr-opt console script is not installed")
def test_sigint_while_solving(slow_cbc: Path, previous: Path) -> None:
    """Ctrl-C while CBC runs: exit 130, a message, no traceback, nothing written, no orphan."""
    before = snapshot(previous)
    process = subprocess.Popen(
        # run as a terminal runs it, with Ctrl-C's default: these tests may run where SIGINT
        # is ignored (a shell's background job), which every child would inherit
        [sys.executable, "-c", _SIGINT_DEFAULT_THEN_EXEC, str(FSR_OPT), "solve", "--out",
         str(previous)],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
        start_new_session=True,  # its own process group, as a terminal's Ctrl-C reaches
        env={**os.environ, CBC_PATH_VARIABLE: str(slow_cbc), "PYTHONFAULTHANDLER": "1"},
    )
    try:
        deadline = time.monotonic() + 60
        while "cbc" not in _children(process.pid):
            assert process.poll() is None, process.communicate()
            assert time.monotonic() < deadline, "the solver never started"
            time.sleep(0.05)
        os.killpg(process.pid, signal.SIGINT)  # the whole group, solver included
        try:
            stdout, stderr = process.communicate(timeout=30)
        except subprocess.TimeoutExpired:
            # the stack of every thread (faulthandler) says where the run was when the Ctrl-C
            # was lost
            os.kill(process.pid, signal.SIGABRT)
            stdout, stderr = process.communicate(timeout=10)
            pytest.fail(f"no exit 30 s after the Ctrl-C; the run was at:\n{stderr}")
        deadline = time.monotonic() + 20
        while _group_alive(process.pid) and time.monotonic() < deadline:
            time.sleep(0.1)
        orphan = _group_alive(process.pid)
    finally:
        if process.poll() is None or _group_alive(process.pid):
            os.killpg(process.pid, signal.SIGKILL)
            process.wait()
    assert process.returncode == 130, stderr
    assert "interrupted" in stderr and "no output was written" in stderr
    assert "Traceback" not in stderr + stdout
    assert not orphan, "the solver outlived the interrupted run"
    assert snapshot(previous) == before


# --- formula injection, end to end ---------------------------------------------------------------

INJECTIONS = {
    "name": ['=HYPERLINK("http://example.com/x","clic")', "@SUM(A1:A9)"],
    "operator": ["+cmd|' /C calc'!A0", "-2+3"],
}


def test_formula_like_text_is_written_inert(tmp_path: Path) -> None:
    rows = [list(r) for r in BASE]
    rows[0][COL["name"]], rows[1][COL["name"]] = INJECTIONS["name"]
    rows[2][COL["operator"]], rows[3][COL["operator"]] = INJECTIONS["operator"]
    rows[0][COL["unit_id"]] = "=1+1"
    path = tmp_path / "units.csv"
    path.write_text(csv_text(HEADER, rows), encoding="utf-8")
    out = tmp_path / "out"
    code, _, stderr = solve_into(path, out)
    assert code == 0, stderr
    with (out / "allocation.csv").open(encoding="utf-8", newline="") as handle:
        allocation = list(csv.DictReader(handle))
    assert [r["unit_id"] for r in allocation] == ["'=1+1", "UDO1002", "SAD-TB", "UDO1004"]
    assert allocation[0]["name"] == "'" + INJECTIONS["name"][0]
    assert allocation[1]["name"] == "'" + INJECTIONS["name"][1]
    assert allocation[2]["operator"] == "'" + INJECTIONS["operator"][0]
    assert allocation[3]["operator"] == "'" + INJECTIONS["operator"][1]
    with (out / "payments.csv").open(encoding="utf-8", newline="") as handle:
        operators = {r["operator"] for r in csv.DictReader(handle)}
    assert {"'" + text for text in INJECTIONS["operator"]} <= operators
    for name in ("allocation.csv", "summary.csv", "payments.csv"):
        with (out / name).open(encoding="utf-8", newline="") as handle:
            for row in csv.reader(handle):
                for cell in row:
                    assert not cell.startswith(("=", "+", "-", "@")) or _PLAIN_NUMBER.fullmatch(
                        cell), (name, cell)
    workbooks = sorted(out.glob("*.xlsx"))
    if not workbooks:
        pytest.skip("solve writes no workbook: the CSV outputs were checked")
    for book_path in workbooks:  # when solve also writes a workbook, no cell may be a formula
        book = openpyxl.load_workbook(book_path)
        for sheet in book.worksheets:
            for line in sheet.iter_rows():
                for cell in line:
                    assert cell.data_type != "f", (book_path.name, sheet.title, cell.coordinate)


def test_a_cbc_of_ones_own(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    """FSR_OPT_CBC picks the CBC executable; a wrong path is a clear solver error (exit 3)."""
    monkeypatch.setenv(CBC_PATH_VARIABLE, solve.make_solver("cbc", 1).path)
    assert solve.make_solver("cbc", 10).path == os.environ[CBC_PATH_VARIABLE]
    monkeypatch.setenv(CBC_PATH_VARIABLE, str(tmp_path / "no-cbc-here"))
    result = CliRunner().invoke(app, ["solve", "--out", str(tmp_path / "out")])
    assert result.exit_code == 3
    assert "FSR_OPT_CBC" in result.output and "Traceback" not in result.output
