"""The what-if commands through the command line: whatif, compare, sweep, explain, exit codes."""

from __future__ import annotations

import csv
from decimal import Decimal
from pathlib import Path

import pytest
from typer.testing import CliRunner

from fsr_opt.app import scenarios
from fsr_opt.cli import app
from fsr_opt.whatif.diff import DIFF_COLUMNS, DIFF_SUMMARY_COLUMNS
from fsr_opt.whatif.sweep import SweepRow


def run(*args: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(app, list(args), env={"FSR_OPT_LANG": None})  # Italian
    assert "Traceback" not in result.output
    assert "Traceback" not in (result.stderr or "")
    return result.exit_code, result.stdout, result.stderr


def read_csv(path: Path) -> list[dict[str, str]]:
    with path.open(encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle))


@pytest.fixture(scope="module")
def runs(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    """The bundled example solved as is, and with a fund of 850,000 EUR."""
    base = tmp_path_factory.mktemp("base")
    cut = tmp_path_factory.mktemp("cut")
    assert run("solve", "--out", str(base), "-q")[0] == 0
    assert run("solve", "--budget", "850000", "--out", str(cut), "-q")[0] == 0
    return base, cut


def test_whatif_equals_compare_of_the_saved_runs(runs: tuple[Path, Path], tmp_path: Path) -> None:
    code, stdout, _ = run("whatif", "--budget", "850000", "--out", str(tmp_path / "w"))
    assert code == 0
    assert "Confronto: riparto di base → Fondo: 850.000,00 EUR" in stdout and "whatif.csv" in stdout
    rows = read_csv(tmp_path / "w" / "whatif.csv")
    assert tuple(rows[0]) == DIFF_COLUMNS and len(rows) == 308
    summary = read_csv(tmp_path / "w" / "whatif_summary.csv")
    assert tuple(summary[0]) == DIFF_SUMMARY_COLUMNS
    fund = summary[-1]
    assert (fund["budget_base"], fund["budget_scenario"], fund["budget_change"]) == (
        "892495.35", "850000.00", "-42495.35")
    assert all(r["change"] in {"LOSES", "LEAVES", "UNCHANGED"} for r in rows)

    code, stdout, _ = run("compare", str(runs[0]), str(runs[1]), "--out", str(tmp_path / "c"))
    assert code == 0 and "compare.csv" in stdout
    # Two solves in memory and two folders read back give the same difference.
    assert (tmp_path / "c" / "compare.csv").read_bytes() == (
        tmp_path / "w" / "whatif.csv").read_bytes()
    assert (tmp_path / "c" / "compare_summary.csv").read_bytes() == (
        tmp_path / "w" / "whatif_summary.csv").read_bytes()
    # whatif knows the rule set: its page for people names areas and lines by their labels;
    # compare reads two folders, whose run.json name the rule set that gives the same labels
    for folder in ("w", "c"):
        page = (tmp_path / folder / "scenario.html").read_text(encoding="utf-8")
        assert ">Area Minori e Famiglia<" in page and ">Assistenza domiciliare minori<" in page
        assert ">minori<" not in page and ">adm<" not in page


def test_whatif_needs_an_override(tmp_path: Path) -> None:
    code, _, stderr = run("whatif", "--out", str(tmp_path / "w"))
    assert code == 2 and "almeno una modifica" in stderr


def test_compare_a_missing_run(runs: tuple[Path, Path], tmp_path: Path) -> None:
    code, _, stderr = run("compare", str(runs[0]), str(tmp_path / "nowhere"),
                          "--out", str(tmp_path / "c"))
    assert code == 2 and "allocation.csv" in stderr


@pytest.mark.parametrize(
    ("args", "words"),
    [
        (["--budget", "10:5:0"], ["STEP 0 must be greater than 0"]),
        (["--budget", "900000:800000:1000"], ["FROM 900000 is above TO 800000"]),
        ([], ["exactly one range"]),
        (["--budget", "1:2:1", "--share", "disabili=5:10:5"], ["exactly one range"]),
        (["--share", "disabili=5:10:5", "--share", "minori=50"], ["drop the fixed --share"]),
        (["--share", "giovani=5:10:5"], ["giovani"]),
        (["--share", "disabili=90:101:1"], ["above 100"]),
    ],
)
def test_bad_sweeps_exit_2(args: list[str], words: list[str], tmp_path: Path) -> None:
    code, _, stderr = run("sweep", *args, "--out", str(tmp_path / "s"), "--lang", "en")
    assert code == 2, stderr
    for word in words:
        assert word in stderr
    assert not (tmp_path / "s").exists()


def test_sweep_writes_one_row_per_point_and_a_chart(tmp_path: Path) -> None:
    code, stdout, stderr = run("sweep", "--budget", "800000:850000:50000", "--min-award", "300",
                               "--out", str(tmp_path))
    assert code == 0, stdout
    assert "punti risolti" not in stderr  # the progress bar is for a terminal, not a log
    rows = read_csv(tmp_path / "sweep.csv")
    assert [r["budget"] for r in rows] == ["800000", "850000"]
    assert all(r["status"] == "optimal" for r in rows)
    assert rows[1]["spent_anziani"] == "340000.00" and rows[1]["units_funded"]
    assert sum(Decimal(rows[0][f"spent_{a}"]) for a in ("minori", "disabili", "anziani")) == (
        Decimal(800000))
    assert (tmp_path / "sweep.png").read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    assert "800.000,00" in stdout


def test_share_sweep(tmp_path: Path) -> None:
    code, _, stderr = run("sweep", "--share", "disabili=10:15:5", "--workers", "1",
                          "--out", str(tmp_path))
    assert code == 0, stderr
    rows = read_csv(tmp_path / "sweep.csv")
    assert [r["share_disabili"] for r in rows] == ["10", "15"]
    assert rows[0]["spent_anziani"] == "356998.14"  # 40% at the start, as in the rule set


def test_interrupted_sweep_writes_the_points_it_finished(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    calls: list[Decimal] = []

    def fake_point(spec: scenarios.SweepSpec, value: Decimal) -> SweepRow:
        calls.append(value)
        if len(calls) == 3:
            raise KeyboardInterrupt
        return SweepRow(value, "optimal", {"adm": 100}, {"minori": 100}, 1)

    monkeypatch.setattr(scenarios, "sweep_point", fake_point)
    code, stdout, stderr = run("sweep", "--budget", "100000:500000:100000", "--workers", "1",
                               "--out", str(tmp_path))
    assert code == 130
    assert "interrotto: 2 punti su 5" in stderr
    assert "INTERROTTO" in stdout
    rows = read_csv(tmp_path / "sweep.csv")
    assert [r["budget"] for r in rows] == ["100000", "200000"]


def test_explain(tmp_path: Path) -> None:
    # a private asilo nido at its formula, 300 + 120 x 36 users = 4,620.00 EUR, funded at the
    # line's share 150,888.06 / 1,678,950.97 of its funded entitlements: 415.2014 EUR
    code, stdout, _ = run("explain", "UDO133687")
    assert code == 0
    assert "Unità UDO133687" in stdout and "lambda" not in stdout
    assert "centri prima infanzia): 8,9870% (150.888,06 su 1.678.950,97" in stdout
    assert "(tetto della formula)" in stdout
    assert "contributo = 415,20 EUR" in stdout and "budget dell'area" in stdout
    excluded = next(r for r in read_csv(Path("data/bergamo-2025/units.csv"))
                    if r["applied"].lower() in {"false", "no", "0"})
    code, stdout, _ = run("explain", excluded["unit_id"], "--lang", "en")
    assert code == 0 and "[ NO ] application submitted: no" in stdout
    assert "result: excluded" in stdout


def test_explain_unknown_unit_exit_2() -> None:
    code, _, stderr = run("explain", "UDO13368")
    assert code == 2 and "nessuna unità con codice 'UDO13368'" in stderr  # Italian: the default
    assert "UDO133687" in stderr


def test_whatif_compares_two_readings_of_the_criteria(tmp_path: Path) -> None:
    # docs/model.md, "A line without applications": by istanze, cse (which asked for most)
    # takes 804.23 EUR more of the quota sfa and autonomia cannot take; same distance.
    code, stdout, stderr = run("whatif", "--set", "readings.line_without_applications=istanze",
                               "--out", str(tmp_path))
    assert code == 0, stderr
    rows = {(r["area"], r["service"]): r for r in read_csv(tmp_path / "whatif_summary.csv")}
    assert rows[("disabili", "cse")]["awarded_change"] == "804.23"
    assert rows[("disabili", "sadh")]["awarded_change"] == "-431.34"
    assert rows[("disabili", "TOTAL")]["distance_change"] == "0.00"
    # the scenario named by its change in words, not by the rule file's key
    assert ("Confronto: riparto di base → Letture dei criteri / linea senza istanze: in "
            "proporzione alle istanze ricevute dalle altre linee") in stdout
    assert "readings.line_without_applications" not in stdout
