"""`fsr-opt audit` and `fsr-opt solve`'s own audit: reports, exit codes, no traceback."""

from __future__ import annotations

import csv
import json
from pathlib import Path

import openpyxl
import pytest
from typer.testing import CliRunner

from fsr_opt.audit.registry import CHECKS
from fsr_opt.cli import app


def run(*args: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(app, list(args))
    assert "Traceback" not in result.output
    assert "Traceback" not in (result.stderr or "")
    return result.exit_code, result.stdout, result.stderr


def _write_allocation(path: Path, rows: list[dict[str, str]]) -> Path:
    """An allocation.csv edited by hand: `rows` with their columns, in their order."""
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=list(rows[0]))
        writer.writeheader()
        writer.writerows(rows)
    return path


def test_solve_writes_a_passing_audit(solved: Path) -> None:
    document = json.loads((solved / "audit.json").read_text(encoding="utf-8"))
    assert document["ok"] is True
    # no eligible/entitlement columns in memory, no run.json to compare the inputs with, and
    # no folder whose payments.csv, summary.csv and allocation.xlsx to compare with it
    assert document["checks_run"] == len(CHECKS) - 6
    assert {"PAYMENTS_MISMATCH", "SUMMARY_MISMATCH", "WORKBOOK_MISMATCH"} <= {
        skipped["code"] for skipped in document["skipped"]}
    assert document["violations"] == []


@pytest.mark.parametrize("fmt", ["text", "json", "md"])
def test_cli_audits_our_allocation(solved: Path, fmt: str) -> None:
    code, stdout, _ = run("audit", "--allocation", str(solved / "allocation.csv"),
                          "--format", fmt)
    assert code == 0
    if fmt == "json":
        assert json.loads(stdout)["ok"] is True
    else:
        n = len(CHECKS)
        assert stdout.splitlines()[-1] == f"checks run: {n}, passed: {n}, failed: 0"


def test_cli_exit_1_names_the_violation(solved: Path, tmp_path: Path) -> None:
    with (solved / "allocation.csv").open(encoding="utf-8", newline="") as handle:
        rows = list(csv.DictReader(handle))
    excluded = next(r for r in rows if r["eligible"] == "false")
    excluded["award"] = excluded["tranche_1"] = "300.00"
    path = _write_allocation(tmp_path / "allocation.csv", rows)
    code, stdout, _ = run("audit", "--allocation", str(path))
    assert code == 1
    assert f"INELIGIBLE_PAID  unit {excluded['unit_id']} (row " in stdout
    # also AREA_BUDGET, SHARE_MISMATCH and AWARD_PARTS (the award's parts were not edited)
    assert stdout.splitlines()[-1].endswith("failed: 4")


def test_cli_audits_a_hand_made_excel_riparto(solved: Path, tmp_path: Path) -> None:
    with (solved / "allocation.csv").open(encoding="utf-8", newline="") as handle:
        rows = list(csv.DictReader(handle))
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    assert sheet is not None
    sheet.title = "Riparto"
    sheet.append(["Codice unità", "Contributo"])
    for row in rows:
        sheet.append([row["unit_id"], float(row["award"])])
    path = tmp_path / "riparto.xlsx"
    workbook.save(path)
    code, stdout, _ = run("audit", "--allocation", str(path))
    assert code == 0, stdout
    # only unit_id and award, and no run folder (nor its payments, summary and workbook)
    assert stdout.splitlines()[-1] == (
        f"checks run: {len(CHECKS) - 10}, passed: {len(CHECKS) - 10}, failed: 0")
    sheet.cell(row=5, column=2).value = "dodici euro"
    workbook.save(path)
    code, stdout, stderr = run("audit", "--allocation", str(path))
    assert code == 2
    assert "riparto.xlsx, row 5, column 'Contributo'" in stderr
    assert stdout == ""


def test_cli_bad_input_exits_2(solved: Path, tmp_path: Path) -> None:
    assert run("audit", "--allocation", str(tmp_path / "none.csv"))[0] == 2
    code, _, stderr = run("audit", "--allocation", str(solved / "allocation.csv"),
                          "--format", "pdf")
    assert code == 2 and "--format 'pdf'" in stderr
    code, _, stderr = run("audit", "--allocation", str(solved / "allocation.csv"),
                          "--share", "minori")
    assert code == 2 and "--share" in stderr


def test_cli_overrides_apply_to_the_audit(solved: Path) -> None:
    # With a larger fund, our 2025 allocation leaves money in every area.
    code, stdout, _ = run("audit", "--allocation", str(solved / "allocation.csv"),
                          "--budget", "900000", "--format", "json")
    assert code == 1
    assert "MONEY_LEFT" in {c["code"] for c in json.loads(stdout)["checks"] if not c["passed"]}


def test_the_text_writes_tolerances_and_shares_as_people_read_them(
    solved: Path, tmp_path: Path
) -> None:
    # a funded unit paid 5 cents more, its share column edited: EQUAL_SHARE and SHARE_MISMATCH
    with (solved / "allocation.csv").open(encoding="utf-8", newline="") as handle:
        rows = list(csv.DictReader(handle))
    funded = next(r for r in rows if r["award"] not in ("", "0.00") and r["share"])
    expected_share = funded["share"]
    for column in ("award", "criteria_award", "tranche_1"):
        funded[column] = f"{float(funded[column]) + 0.05:.2f}"
    funded["share"] = "0.100000"
    path = _write_allocation(tmp_path / "allocation.csv", rows)
    code, english, _ = run("audit", "--allocation", str(path))
    assert code == 1 and "+/-" not in english
    assert " ± 0.01 EUR, actual " in english
    percent = f"{float(expected_share) * 100:.4f}%"
    assert f"expected {percent}, actual 10.0000%" in english
    italian = CliRunner().invoke(app, ["audit", "--allocation", str(path), "--lang", "it"],
                                 env={"FSR_OPT_LANG": None}).stdout
    assert " ± 0,01 EUR, trovato " in italian
    assert f"atteso {percent.replace('.', ',')}, trovato 10,0000%" in italian
    # the scripts' format keeps the ratio the check compared
    _code, stdout, _ = run("audit", "--allocation", str(path), "--format", "json")
    (mismatch,) = [v for v in json.loads(stdout)["violations"]
                   if v["check"] == "SHARE_MISMATCH"]
    assert (mismatch["expected"], mismatch["actual"]) == (expected_share, "0.100000")
