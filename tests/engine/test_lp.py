"""PuLP is imported without highspy (and numpy) until a HiGHS solve needs it."""

from __future__ import annotations

import subprocess
import sys

SCRIPT = """
import sys
from fsr_opt.engine import solve
assert "highspy" not in sys.modules and "numpy" not in sys.modules, "imported at start"
first = solve.make_solver("{first}", 5)
second = solve.make_solver("{second}", 5)
assert first.available() and second.available()
print("highspy" in sys.modules)
"""


def run(first: str, second: str) -> str:
    result = subprocess.run([sys.executable, "-c", SCRIPT.format(first=first, second=second)],
                            capture_output=True, text=True, check=False)
    assert result.returncode == 0, result.stderr
    return result.stdout.strip()


def test_a_cbc_run_never_imports_highspy() -> None:
    assert run("cbc", "cbc") == "False"


def test_highs_is_available_after_a_cbc_solve_in_the_same_process() -> None:
    assert run("cbc", "highs") == "True"
    assert run("highs", "cbc") == "True"
