"""Outputs stay byte-identical: the SHA-256 of every output of a set of runs, kept in a file.

The runs cover the bundled example (CSV and workbook, both languages, overrides, HiGHS) and
generated benchmark instances. A change that alters any output fails here; when the change is
meant (a new column, a corrected wording), rewrite the file and say why in the commit:

    .venv/bin/python -m tests.test_golden_outputs --write

run.json is compared without its timestamps and timings (started_at, finished_at, seconds);
the paths of a run's inputs and outputs are replaced by placeholders before hashing.
"""

from __future__ import annotations

import hashlib
import json
import re
import sys
from collections.abc import Iterator
from pathlib import Path

from benchmarks.generate import fund_for, generate, write_instance
from typer.testing import CliRunner

from fsr_opt.cli import app

ROOT = Path(__file__).resolve().parents[1]
GOLDEN = Path(__file__).resolve().parent / "golden" / "outputs.sha256.json"
EXAMPLE = ROOT / "data" / "bergamo-2025"

# name -> command-line arguments after "solve" (the units table of a generated instance is
# written first; "{units}" stands for its path)
RUNS: dict[str, list[str]] = {
    "example": [],
    "example-en": ["--lang", "en"],
    "example-xlsx": ["--units", str(EXAMPLE / "units.xlsx")],
    "budget-850000": ["--budget", "850000"],
    "shares-min-award": ["--share", "minori=45", "--share", "disabili=15", "--min-award", "500"],
    "highs": ["--solver", "highs"],
    "set-application-off": ["--set", "eligibility.require_application=false"],
    "generated-2000": ["--units", "{units}", "--budget", str(fund_for(2000))],
}
_TIMESTAMP = re.compile(rb'"(started_at|finished_at|seconds)": ("[^"]*"|[0-9.e-]+)')


def _canonical(name: str, data: bytes, places: dict[str, str]) -> bytes:
    """The bytes that must not change: without timestamps and run-specific paths."""
    for path, placeholder in places.items():
        data = data.replace(path.encode(), placeholder.encode())
    if name == "run.json":
        data = _TIMESTAMP.sub(rb'"\1": "T"', data)
        # run.json sorts its keys, and the input paths are keys: sort again once they are
        # placeholders, or the order would depend on where the checkout and the temporary
        # folder are
        data = json.dumps(json.loads(data), indent=2, sort_keys=True).encode()
    return data


def run_all(work: Path) -> Iterator[tuple[str, str, str]]:
    """Solve every run into `work`; yield (run, output name, SHA-256)."""
    units = write_instance(generate(2000, 1), work / "generated-2000")
    runner = CliRunner()
    for run, arguments in RUNS.items():
        out = work / run / "out"
        args = ["solve", "--out", str(out), *(a.replace("{units}", str(units)) for a in arguments)]
        # the default language (Italian): the suite's FSR_OPT_LANG=en is not theirs
        result = runner.invoke(app, args, env={"FSR_OPT_LANG": None})
        assert result.exit_code == 0, (run, result.output)
        places = {str(out): "OUT", str(units): "UNITS", str(ROOT): "ROOT"}
        for path in sorted(out.iterdir()):
            digest = hashlib.sha256(_canonical(path.name, path.read_bytes(), places)).hexdigest()
            yield run, path.name, digest


def test_outputs_are_byte_identical(tmp_path: Path) -> None:
    expected = json.loads(GOLDEN.read_text(encoding="utf-8"))
    found: dict[str, dict[str, str]] = {}
    for run, name, digest in run_all(tmp_path):
        found.setdefault(run, {})[name] = digest
    changed = [f"{run}/{name}" for run in expected for name in expected[run]
               if found.get(run, {}).get(name) != expected[run][name]]
    assert not changed, f"outputs changed: {changed} (see this module's docstring)"
    assert set(found) == set(expected)


if __name__ == "__main__":  # python -m tests.test_golden_outputs --write
    if sys.argv[1:] != ["--write"]:
        sys.exit(__doc__)
    import tempfile

    with tempfile.TemporaryDirectory() as folder:
        table: dict[str, dict[str, str]] = {}
        for run, name, digest in run_all(Path(folder)):
            table.setdefault(run, {})[name] = digest
    GOLDEN.write_text(json.dumps(table, indent=2, sort_keys=True) + "\n", encoding="utf-8")
    print(f"wrote {GOLDEN}")
