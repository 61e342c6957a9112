"""`fsr-opt audit RUN_DIR`: the rule set, the inputs and the overrides come from run.json.

Issue 12: `fsr-opt solve --budget 850000 --out o` then `fsr-opt audit --allocation
o/allocation.csv` gave 6 violations on a correct run, because the audit ignored the overrides
the run recorded. Every override kind is solved and audited here; a changed input is named;
explicit options still win.
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
from typer.testing import CliRunner

from fsr_opt.cli import app

from tests.conftest import ROOT

EXAMPLE = ROOT / "data" / "bergamo-2025" / "units.csv"


def run(*args: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(app, list(args))
    assert "Traceback" not in result.output
    return result.exit_code, result.stdout, result.stderr


def last_line(stdout: str) -> str:
    return stdout.strip().splitlines()[-1]


OVERRIDES = {
    "budget": ["--budget", "850000"],
    "share": ["--share", "minori=30", "--share", "disabili=30", "--share", "anziani=40"],
    "min_award": ["--min-award", "100000"],
    "set_switch": ["--set", "eligibility.require_application=false"],
    "set_residual_fondo": ["--set", "residui.scope=fondo", "--share", "disabili=30",
                           "--share", "minori=30", "--share", "anziani=40"],
    "set_residual_none": ["--set", "residui.scope=none", "--min-award", "20000"],
    "set_reading": ["--set", "readings.line_without_applications=istanze"],
    "set_historical": ["--set", "areas.minori.services.adm.historical_2024=5000"],
}


@pytest.mark.parametrize("kind", sorted(OVERRIDES))
def test_a_run_folder_passes_with_its_own_overrides(kind: str, tmp_path: Path) -> None:
    out = tmp_path / kind
    code, _, stderr = run("solve", "--out", str(out), "-q", *OVERRIDES[kind])
    assert code == 0, stderr
    code, stdout, _ = run("audit", str(out))
    assert code == 0, stdout
    assert last_line(stdout) == "checks run: 28, passed: 28, failed: 0"
    # --allocation inside the folder reads the same record
    code, stdout, _ = run("audit", "--allocation", str(out / "allocation.csv"))
    assert code == 0 and "INPUT_CHANGED" in stdout


def test_the_issues_case_without_the_record_fails_with_it_passes(tmp_path: Path) -> None:
    out = tmp_path / "o"
    assert run("solve", "--budget", "850000", "--out", str(out), "-q")[0] == 0
    moved = tmp_path / "elsewhere"
    moved.mkdir()
    shutil.copy(out / "allocation.csv", moved / "allocation.csv")  # no run.json beside it
    code, stdout, _ = run("audit", "--allocation", str(moved / "allocation.csv"))
    assert code == 1 and "MONEY_LEFT" in stdout
    code, stdout, _ = run("audit", "--allocation", str(moved / "allocation.csv"),
                          "--budget", "850000")
    assert code == 0
    assert run("audit", str(out))[0] == 0


def test_explicit_options_win_over_the_record(tmp_path: Path) -> None:
    out = tmp_path / "o"
    assert run("solve", "--budget", "850000", "--out", str(out), "-q")[0] == 0
    # the rule set's own fund, given explicitly after the recorded 850,000
    code, stdout, _ = run("audit", str(out), "--budget", "892495.35")
    assert code == 1 and "MONEY_LEFT" in stdout
    code, stdout, _ = run("audit", str(out), "--format", "json")
    assert code == 0 and json.loads(stdout)["ok"] is True


def test_a_changed_input_is_named_first(tmp_path: Path) -> None:
    units = tmp_path / "units.csv"
    shutil.copy(EXAMPLE, units)
    out = tmp_path / "o"
    assert run("solve", "--units", str(units), "--out", str(out), "-q")[0] == 0
    text = units.read_text(encoding="utf-8").replace(",Bergamo,", ",Gorle,", 1)
    units.write_text(text, encoding="utf-8")
    code, stdout, _ = run("audit", str(out))
    assert code == 1
    findings = stdout.split("\nfinding", 1)[1]
    assert findings.splitlines()[1].startswith(f"  1. INPUT_CHANGED  units table {units}")
    # explicit files win: the bundled table is the one the run read (same bytes)
    code, stdout, _ = run("audit", str(out), "--units", str(EXAMPLE))
    assert code == 0, stdout


def test_a_folder_without_its_record_or_inputs_is_an_input_error(tmp_path: Path) -> None:
    code, _, stderr = run("audit", str(tmp_path))
    assert code == 2 and "not a run folder" in stderr and "FILE_NOT_FOUND" not in stderr
    # a path that does not exist is named so; a file is not mistaken for a folder
    code, _, stderr = run("audit", str(tmp_path / "missing"))
    assert code == 2 and "folder not found" in stderr and "not a run folder" not in stderr
    (tmp_path / "allocation.csv").write_text("unit_id,award\n", encoding="utf-8")
    code, _, stderr = run("audit", str(tmp_path / "allocation.csv"))
    assert code == 2 and "is a file, not a run folder" in stderr and "--allocation" in stderr
    (tmp_path / "allocation.csv").unlink()
    units = tmp_path / "units.csv"
    shutil.copy(EXAMPLE, units)
    out = tmp_path / "o"
    assert run("solve", "--units", str(units), "--out", str(out), "-q")[0] == 0
    units.unlink()
    code, _, stderr = run("audit", str(out))
    assert code == 2 and "no longer there" in stderr and "--units" in stderr
    assert run("audit", str(out), "--units", str(EXAMPLE))[0] == 0
    (out / "run.json").write_text("{not json", encoding="utf-8")
    code, _, stderr = run("audit", str(out))
    assert code == 2 and "cannot read it as JSON" in stderr
    code, _, stderr = run("audit")
    assert code == 2 and "give a run folder" in stderr


def test_a_run_json_written_before_input_files_still_works(tmp_path: Path) -> None:
    out = tmp_path / "o"
    assert run("solve", "--out", str(out), "-q", "--budget", "850000")[0] == 0
    document = json.loads((out / "run.json").read_text(encoding="utf-8"))
    del document["input_files"]  # the record as earlier versions wrote it
    (out / "run.json").write_text(json.dumps(document), encoding="utf-8")
    code, stdout, _ = run("audit", str(out))
    assert code == 0 and last_line(stdout) == "checks run: 28, passed: 28, failed: 0"


def test_every_run_folder_the_suite_writes_is_audited() -> None:
    """tests/conftest.py wraps run_solve before any module binds it, fixtures included."""
    from fsr_opt.app import pipeline, region  # noqa: PLC0415
    from fsr_opt.web import downloads  # noqa: PLC0415

    for module in (pipeline, region, downloads):
        assert getattr(module.run_solve, "audits_run_folders", False), module.__name__


def test_a_folder_carried_elsewhere_reads_its_inputs_from_dati(tmp_path: Path) -> None:
    """Inputs no longer at their recorded paths are taken from the folder's dati/, by name."""
    given = tmp_path / "given"
    given.mkdir()
    units = given / "mie-unita.csv"
    shutil.copyfile(EXAMPLE, units)
    out = tmp_path / "run"
    assert run("solve", "--units", str(units), "--budget", "850000", "--out", str(out),
               "-q")[0] == 0
    (out / "dati").mkdir()
    shutil.move(units, out / "dati" / units.name)
    code, stdout, _ = run("audit", str(out))
    assert code == 0, stdout
    assert last_line(stdout) == "checks run: 28, passed: 28, failed: 0"
    (out / "dati" / units.name).write_text(EXAMPLE.read_text(encoding="utf-8") + "\n",
                                           encoding="utf-8")
    code, stdout, _ = run("audit", str(out))
    assert code == 1 and "INPUT_CHANGED" in stdout
