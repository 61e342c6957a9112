"""scenario.xlsx and scenario.html of whatif and compare, and the screen's named units.

The workbook is read back with openpyxl: base and scenario side by side per area, line and
unit, TOTALE rows equal to the sum of their rows to the cent, the units entering and leaving
funding named with their Comune, and the print set-up of allocation.xlsx.
"""

from __future__ import annotations

import csv
import html
import io
from dataclasses import replace
from decimal import Decimal
from pathlib import Path

import openpyxl
import pytest
from typer.testing import CliRunner

from fsr_opt.cli import app
from fsr_opt.reports.scenario import scenario_html, scenario_workbook
from fsr_opt.whatif.diff import Change, LineChange, RunDiff, UnitChange, diff_runs, diff_text

from tests.whatif.runs import ONE_LINE, THREE_UNITS, view

LONG_ID = "COM-TORRE-BOLDONE-INSERIMENTO-COMUNITA"


def cents(value: object) -> int:
    return int(Decimal(str(value)) * 100)


@pytest.fixture(scope="module")
def cut() -> RunDiff:
    """A budget cut on the tiny riparto: U1 loses, U2 leaves funding, U3 stays out."""
    units = [replace(THREE_UNITS[0], unit_id=LONG_ID), *THREE_UNITS[1:]]
    base = view("base", ONE_LINE, units)
    return diff_runs(base, view("fund=600", replace(ONE_LINE, fund=60000), units))


def test_the_workbook_sets_base_and_scenario_side_by_side(cut: RunDiff) -> None:
    book = openpyxl.load_workbook(io.BytesIO(scenario_workbook(cut)))
    assert book.sheetnames == ["Aree", "Linee", "Unità", "Entrano ed escono"]
    areas = list(book["Aree"].iter_rows(values_only=True))
    assert areas[0][:4] == ("Area", "Budget base", "Budget scenario", "Budget differenza")
    assert areas[1][0] == "a" and areas[-1][0] == "TOTALE"
    assert [cents(v) for v in areas[1][1:7]] == [100000, 60000, -40000, 100000, 47999, -52001]
    units = list(book["Unità"].iter_rows(values_only=True))
    assert units[0][:7] == ("Codice unità", "Denominazione", "Comune", "Ente gestore", "Area",
                            "Linea di servizio", "Variazione")
    assert units[1][0] == LONG_ID and units[1][6] == "diminuisce"
    body, total = units[1:4], units[-1]
    assert total[0] == "TOTALE" and units[-2] == (None,) * len(total)
    for column in (7, 8, 9):
        assert cents(total[column]) == sum(cents(row[column]) for row in body)
    moves = list(book["Entrano ed escono"].iter_rows(values_only=True))
    assert [(row[0], row[1], row[2], row[6]) for row in moves[1:2]] == [
        ("U2", "Unit U2", "Bergamo", "esce")]
    for sheet in book.worksheets:
        assert sheet.page_setup.orientation == "landscape"
        assert (sheet.page_setup.fitToWidth, sheet.page_setup.fitToHeight) == (1, 0)
        assert sheet.print_title_rows == "$1:$1"
        assert sheet.oddFooter.left.text == "Base: base"
        assert sheet.oddFooter.center.text == "Scenario: fund=600"


def test_the_lines_sheet_adds_up(cut: RunDiff) -> None:
    book = openpyxl.load_workbook(io.BytesIO(scenario_workbook(cut)))
    rows = list(book["Linee"].iter_rows(values_only=True))
    body, total = [r for r in rows[1:] if r[0] not in (None, "TOTALE")], rows[-1]
    assert total[0] == "TOTALE"
    for column in range(2, 13):
        assert cents(total[column]) == sum(cents(r[column]) for r in body), column


def test_the_page_names_the_units_entering_and_leaving(cut: RunDiff) -> None:
    page = scenario_html(cut).decode("utf-8")
    assert '<html lang="it">' in page and "Scenario a confronto: base → fund=600" in page
    leaving = page[page.index("Unità che escono dal finanziamento (1)"):]
    assert "U2" in leaving and "Unit U2" in leaving and "Bergamo" in leaving
    assert "Unità che entrano nel finanziamento (0)" in page
    # the areas' and lines' amounts are the riparto's (the residuals apart): said so
    assert ">Dal riparto, base<" in page and ">Assegnato base<" not in page
    assert f'<td class="code">{LONG_ID}</td>' in page  # ids in full
    assert "thead{display:table-header-group}" in page and "<script" not in page
    english = scenario_html(cut, lang="en").decode("utf-8")
    assert "Units leaving funding (1)" in english and '<html lang="en">' in english
    assert openpyxl.load_workbook(io.BytesIO(scenario_workbook(cut, lang="en"))).sheetnames == [
        "Areas", "Lines", "Units", "Entering and leaving"]


def test_the_limits_are_named_for_people_in_the_workbook_and_the_page(cut: RunDiff) -> None:
    # whatif.csv keeps the codes (AREA_BUDGET) for programs; the reports name the limits
    named = [("budget dell'area", "quota comune"),
             ("budget dell'area", "sotto il minimo"), ("sotto il minimo", "sotto il minimo")]
    units = list(openpyxl.load_workbook(io.BytesIO(scenario_workbook(cut)))["Unità"]
                 .iter_rows(min_row=2, max_row=4, values_only=True))
    assert [(row[10], row[11]) for row in units] == named
    page = scenario_html(cut).decode("utf-8")
    for before, after in named:
        assert (f"<td>{html.escape(before)}</td><td>{html.escape(after)}</td>") in page
    assert "AREA_BUDGET" not in page and "BELOW_MINIMUM" not in page
    english = scenario_html(cut, lang="en").decode("utf-8")
    assert "<td>area budget</td><td>below the minimum</td>" in english


def test_the_same_difference_gives_the_same_bytes(cut: RunDiff) -> None:
    assert scenario_workbook(cut) == scenario_workbook(cut)
    assert scenario_html(cut) == scenario_html(cut)


def test_the_screen_shows_full_ids_and_names_who_leaves(cut: RunDiff) -> None:
    screen = diff_text(cut)
    assert LONG_ID in screen  # never cut to 16 characters
    assert "escono dal finanziamento (1):" in screen
    assert "  U2 Unit U2 (Bergamo): 384,62 -> 0,00" in screen


def test_the_screen_bounds_the_named_lists() -> None:
    units = tuple(UnitChange(f"UDO{n:03d}", f"Nido {n}", "Op", "a", "s", 0, 50000, "", "",
                             Change.ENTERS, "Gorle") for n in range(15))
    diff = RunDiff("base", "scenario", cut_lines(), units)
    screen = diff_text(diff, named=10, file="whatif.csv, scenario.xlsx")
    assert "entrano nel finanziamento (15):" in screen
    assert "UDO009 Nido 9 (Gorle)" in screen and "UDO010 Nido 10" not in screen
    assert "... e altre 5 (elenco completo in whatif.csv, scenario.xlsx)" in screen


def cut_lines() -> tuple[LineChange, ...]:
    base = view("base", ONE_LINE, THREE_UNITS)
    return diff_runs(base, base).lines


def run(*args: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(app, list(args))
    assert "Traceback" not in result.output
    return result.exit_code, result.stdout, result.stderr


def test_whatif_and_compare_write_the_scenario_reports(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.delenv("FSR_OPT_LANG", raising=False)  # Italian, the default
    code, stdout, _ = run("whatif", "--budget", "800000", "--out", str(tmp_path / "w"))
    assert code == 0
    for name in ("scenario.xlsx", "scenario.html"):
        assert (tmp_path / "w" / name).is_file() and name in stdout
    leaving = [r for r in csv.DictReader((tmp_path / "w" / "whatif.csv").open(encoding="utf-8"))
               if r["change"] == "LEAVES"]
    assert leaving and f"escono dal finanziamento ({len(leaving)}):" in stdout
    assert f"  {leaving[0]['unit_id']} {leaving[0]['name']} (" in stdout
    page = (tmp_path / "w" / "scenario.html").read_text(encoding="utf-8")
    assert "Per area" in page and "Per linea di servizio" in page and "Per unità" in page
    assert all(r["unit_id"] in page for r in leaving)
    book = openpyxl.load_workbook(tmp_path / "w" / "scenario.xlsx")
    moves = [r[0] for r in book["Entrano ed escono"].iter_rows(min_row=2, values_only=True)
             if r[0] not in (None, "TOTALE")]
    assert moves == [r["unit_id"] for r in leaving]

    assert run("solve", "--out", str(tmp_path / "a"), "-q")[0] == 0
    assert run("solve", "--budget", "800000", "--out", str(tmp_path / "b"), "-q")[0] == 0
    code, stdout, _ = run("compare", str(tmp_path / "a"), str(tmp_path / "b"), "--out",
                          str(tmp_path / "c"), "--lang", "en")
    assert code == 0 and "leaving funding" in stdout
    assert (tmp_path / "c" / "scenario.xlsx").is_file()
    assert '<html lang="en">' in (tmp_path / "c" / "scenario.html").read_text(encoding="utf-8")
