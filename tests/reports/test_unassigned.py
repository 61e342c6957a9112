"""Whatever stays unassigned is never silent: screen, files, reports, what-if, sweep (issue 12).

`--min-award 100000` leaves the whole disabili area unassigned (no unit of it lacks 100,000
EUR); the shares of issue 12 leave 165,111.65 EUR of disabili that the residual phase gives to
its units that applied.
"""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

import openpyxl
import pytest
from typer.testing import CliRunner

from fsr_opt.cli import app

SHARES = ["--share", "minori=30", "--share", "disabili=30", "--share", "anziani=40"]


def run(*args: str) -> tuple[int, str, str]:
    # the default language: Italian screens and reports (the suite's FSR_OPT_LANG=en aside)
    result = CliRunner().invoke(app, list(args), env={"FSR_OPT_LANG": None})
    assert "Traceback" not in result.output
    return result.exit_code, result.stdout, result.stderr


def read_csv(path: Path) -> list[dict[str, str]]:
    with path.open(encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle))


@pytest.fixture(scope="module")
def left(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, str]:
    out = tmp_path_factory.mktemp("left")
    code, stdout, stderr = run("solve", "--min-award", "100000", "--out", str(out))
    assert code == 0, stderr
    return out, stdout


def test_the_screen_says_what_stays_unassigned_and_why(left: tuple[Path, str]) -> None:
    _, stdout = left
    assert "fase dei residui (entro la stessa area): 0,00 EUR a 0 unità" in stdout
    assert "  Area Disabili (disabili): disponibili 89.249,53, dati 0,00" in stdout
    assert [line.split() for line in stdout.splitlines() if line.startswith("non assegnato")] == [
        ["non", "assegnato", "89.249,53"]]
    assert ("avviso: area disabili: il riparto ha lasciato 89.249,53 EUR; 89.249,53 EUR restano "
            "non assegnati (il contributo minimo tiene il resto") in stdout


def test_the_files_say_it(left: tuple[Path, str]) -> None:
    out, _ = left
    document = json.loads((out / "run.json").read_text(encoding="utf-8"))
    assert document["unassigned"] == "89249.53"
    assert document["awarded"] == document["awarded_criteria"] == "803245.82"
    pools = {pool["pool"]: pool for pool in document["residual"]["pools"]}
    assert pools["disabili"]["unassigned"] == "89249.53" and document["residual"]["scope"] == "area"
    # run.json's warnings are in the language of the run (its keys and codes never change)
    assert any(w.startswith("area disabili: il riparto ha lasciato")
               for w in document["warnings"])
    # and what it said about the units table (two units outside the Ambito), first: whoever
    # receives the folder reads them too, and so does report.html
    assert [w.split(": ", 1)[0].rsplit(", ", 1)[-1] for w in document["warnings"][:2]] == [
        "riga 221", "riga 267"]
    assert document["warnings"][0].startswith(
        "units.csv, riga 221: l'unità UDO356205 è a 'Dalmine'")
    assert "UDO356205 è a &#x27;Dalmine&#x27;" in (out / "report.html").read_text(
        encoding="utf-8")
    summary = {(r["area"], r["service"]): r for r in read_csv(out / "summary.csv")}
    assert summary[("disabili", "TOTAL")]["unassigned"] == "89249.53"
    assert summary[("TOTAL", "TOTAL")]["unassigned"] == "89249.53"
    audit = json.loads((out / "audit.json").read_text(encoding="utf-8"))
    assert audit["ok"] and any(n.startswith("area disabili:") for n in audit["notes"])
    page = (out / "report.html").read_text(encoding="utf-8")
    assert "Residui e fondi non assegnati" in page and "Non assegnato: 89.249,53 EUR" in page
    book = openpyxl.load_workbook(io.BytesIO((out / "allocation.xlsx").read_bytes()))
    column_a = [cell.value for cell in book["Riepilogo"]["A"]]
    assert "Non assegnato: 89.249,53 EUR" in column_a


def test_the_residual_phase_gives_the_issues_leftover(tmp_path: Path) -> None:
    code, stdout, _ = run("solve", *SHARES, "--out", str(tmp_path))
    assert code == 0
    assert "fase dei residui (entro la stessa area): 165.111,65 EUR a 18 unità" in stdout
    rows = read_csv(tmp_path / "allocation.csv")
    given = [r for r in rows if r["residual_award"] != "0.00"]
    assert len(given) == 18 and {r["area"] for r in given} == {"disabili"}
    for row in rows:  # the award is the total paid, its two parts add up to it
        parts = float(row["criteria_award"]) + float(row["residual_award"])
        assert abs(float(row["award"]) - parts) < 0.005
    assert {r["residual_share"] for r in given} == {"0.414039"}
    assert {r["binding"] for r in given} <= {"RESIDUAL", "DEFICIT"}
    summary = {(r["area"], r["service"]): r for r in read_csv(tmp_path / "summary.csv")}
    assert summary[("disabili", "TOTAL")]["residual"] == "165111.65"
    assert summary[("disabili", "TOTAL")]["total_awarded"] == "267748.61"
    assert summary[("TOTAL", "TOTAL")]["unassigned"] == "0.00"
    payments = read_csv(tmp_path / "payments.csv")
    assert f"{sum(float(p['total_award']) for p in payments):.2f}" == "892495.35"


def test_sweep_and_whatif_say_it(tmp_path: Path) -> None:
    code, stdout, _ = run("sweep", "--min-award", "100000", "--budget", "800000:900000:100000",
                          "--workers", "1", "--out", str(tmp_path / "sweep"))
    assert code == 0, stdout
    rows = read_csv(tmp_path / "sweep" / "sweep.csv")
    assert [r["unassigned"] for r in rows] == ["80000.00", "90000.00"]  # disabili's 10%
    assert "non assegnato" in stdout
    code, stdout, _ = run("whatif", "--set", "residui.scope=none", *SHARES,
                          "--out", str(tmp_path / "whatif"))
    assert code == 0
    assert ("Non assegnato: base 0,00 EUR, scenario 165.111,65 EUR (+165.111,65); residui: "
            "base 0,00 EUR, scenario 0,00 EUR") in stdout
    summary = {(r["area"], r["service"]): r
               for r in read_csv(tmp_path / "whatif" / "whatif_summary.csv")}
    fund = summary[("TOTAL", "TOTAL")]
    assert (fund["unassigned_base"], fund["unassigned_scenario"], fund["unassigned_change"]) == (
        "0.00", "165111.65", "165111.65")
    assert summary[("disabili", "TOTAL")]["unassigned_scenario"] == "165111.65"


def test_compare_reads_the_same_from_the_saved_folders(tmp_path: Path) -> None:
    assert run("solve", *SHARES, "--out", str(tmp_path / "a"), "-q")[0] == 0
    assert run("solve", *SHARES, "--set", "residui.scope=fondo", "--out",
               str(tmp_path / "b"), "-q")[0] == 0
    code, _, _ = run("compare", str(tmp_path / "a"), str(tmp_path / "b"), "--out",
                    str(tmp_path / "c"))
    assert code == 0
    summary = {(r["area"], r["service"]): r
               for r in read_csv(tmp_path / "c" / "compare_summary.csv")}
    # the residuals move from disabili to the whole fund; nothing is left in either run
    assert summary[("disabili", "TOTAL")]["residual_base"] == "165111.65"
    assert summary[("disabili", "TOTAL")]["residual_scenario"] == "6250.57"
    assert summary[("minori", "TOTAL")]["residual_scenario"] == "139845.98"
    assert summary[("disabili", "TOTAL")]["unassigned_scenario"] == ""  # one pool: the fund's
    assert summary[("TOTAL", "TOTAL")]["unassigned_scenario"] == "0.00"
