"""The page in a real browser: Playwright driving Debian's Chromium against ``fsr-opt serve``.

Skipped, saying why, when no Chromium is found (``apt-get install chromium``; CI installs it,
see .ci/run) or when the playwright package is missing. Every test checks that no request left
127.0.0.1 and that the page logged no error. The main screens are saved as PNG files to
``build/screenshots/`` (or ``$FSR_OPT_SCREENSHOTS``) for review; docs/serve.md shows them.
"""

from __future__ import annotations

import csv
import io
import os
import shlex
import signal
import socket
import subprocess
import sys
import zipfile
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import urlparse

import pytest
from typer.testing import CliRunner

from fsr_opt.app.scenarios import run_explain
from fsr_opt.cli import app
from fsr_opt.core.words import money

from .conftest import EXAMPLE_XLSX, ROOT

CHROMIUM = Path(os.environ.get("FSR_OPT_CHROMIUM", "/usr/bin/chromium"))
if not CHROMIUM.is_file():
    pytest.skip(f"browser tests skipped: no Chromium at {CHROMIUM} (apt-get install chromium, "
                "or set FSR_OPT_CHROMIUM)", allow_module_level=True)
sync_api = pytest.importorskip("playwright.sync_api", reason="browser tests skipped: the "
                               "playwright package is missing (pip install -e '.[test]')")
expect = sync_api.expect

SCREENSHOTS = Path(os.environ.get("FSR_OPT_SCREENSHOTS", ROOT / "build" / "screenshots"))
ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking",
        "--disable-component-update", "--disable-sync", "--no-first-run"]
VIEWPORT = {"width": 1400, "height": 1000}
BAD = ROOT / "tests" / "bad_inputs" / "three_problems.csv"


@pytest.fixture(scope="module")
def server() -> Iterator[str]:
    """``fsr-opt serve`` on a free port of 127.0.0.1, as a planner starts it."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    # the page in its default language, Italian (the suite's FSR_OPT_LANG=en is not the page's)
    env = {name: value for name, value in os.environ.items() if name != "FSR_OPT_LANG"}
    process = subprocess.Popen([sys.executable, "-m", "fsr_opt", "serve", "--port", str(port)],
                               stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True,
                               cwd=ROOT, env=env)
    assert process.stdout is not None
    line = process.stdout.readline()
    assert line.startswith("fsr-opt serve: http://127.0.0.1:"), line
    yield f"http://127.0.0.1:{port}"
    process.send_signal(signal.SIGINT)
    process.communicate(timeout=30)


@pytest.fixture(scope="module")
def browser() -> Iterator[object]:
    with sync_api.sync_playwright() as playwright:
        launched = playwright.chromium.launch(executable_path=str(CHROMIUM), args=ARGS)
        yield launched
        launched.close()


class Visitor:
    """One browser window on the page, recording what it asks for and what it logs."""

    def __init__(self, browser: object, server: str) -> None:
        self.context = browser.new_context(viewport=VIEWPORT, accept_downloads=True,  # type: ignore[attr-defined]
                                           locale="it-IT")
        self.outside: list[str] = []
        self.errors: list[str] = []
        self.context.route("**/*", self._only_here)
        self.page = self.context.new_page()
        self.page.on("console", lambda m: self.errors.append(m.text) if m.type == "error" else None)
        self.page.on("pageerror", lambda e: self.errors.append(str(e)))
        self.page.goto(server + "/")
        expect(self.page.locator("#kpi-0 b")).to_contain_text("EUR")

    def _only_here(self, route: object) -> None:
        url = route.request.url  # type: ignore[attr-defined]
        if urlparse(url).hostname != "127.0.0.1" and not url.startswith(("data:", "blob:")):
            self.outside.append(url)
            route.abort()  # type: ignore[attr-defined]
        else:
            route.continue_()  # type: ignore[attr-defined]

    def set_fund(self, typed: str, shown: str) -> None:
        self.page.fill("#fund", typed)
        self.page.press("#fund", "Enter")
        expect(self.page.locator("#kpi-0 b")).to_have_text(f"{shown} EUR")

    def shot(self, name: str, *, full_page: bool = False) -> None:
        SCREENSHOTS.mkdir(parents=True, exist_ok=True)
        self.page.screenshot(path=str(SCREENSHOTS / name), full_page=full_page)

    def close(self) -> None:
        self.context.close()
        assert self.outside == [], "requests left 127.0.0.1"
        assert self.errors == [], "the page logged errors"


@pytest.fixture
def visitor(browser: object, server: str) -> Iterator[Visitor]:
    opened = Visitor(browser, server)
    yield opened
    opened.close()


def cli(*args: str) -> str:
    result = CliRunner().invoke(app, list(args))
    assert result.exit_code == 0, result.output
    return result.output


def test_upload_the_workbook_change_the_fund_and_get_solves_totals(
    visitor: Visitor, tmp_path: Path
) -> None:
    page = visitor.page
    visitor.shot("1-riparto.png", full_page=True)
    page.set_input_files("#units-file", str(EXAMPLE_XLSX))
    expect(page.locator("#units-now")).to_have_text("units.xlsx (308 unità)")
    visitor.set_fund("850.000,00", "850.000,00")
    cli("solve", "--units", str(EXAMPLE_XLSX), "--budget", "850000", "--out", str(tmp_path),
        "--quiet")
    with (tmp_path / "summary.csv").open(encoding="utf-8") as handle:
        summary = list(csv.DictReader(handle))
    areas = [row for row in summary if row["service"] == "TOTAL" and row["area"] != "TOTAL"]
    (fund,) = [row for row in summary if row["area"] == "TOTAL"]

    def shown(euros: str) -> str:
        return money(round(float(euros) * 100), "it")  # the page speaks Italian

    expect(page.locator("#kpi-2 b")).to_have_text(f"{shown(fund['awarded'])} EUR")
    cells = page.locator("#areas-table tbody tr")
    for index, row in enumerate(areas):
        expect(cells.nth(index).locator("td").nth(2)).to_have_text(shown(row["budget"]))
        expect(cells.nth(index).locator("td").nth(3)).to_have_text(shown(row["awarded"]))
    lines = [row for row in summary if row["service"] != "TOTAL"]
    awarded = page.locator("#lines-table tbody tr td:nth-child(4)")  # the riparto's
    expect(awarded).to_have_text([shown(row["awarded"]) for row in lines])


def test_moving_a_share_shows_how_the_others_move(visitor: Visitor) -> None:
    page = visitor.page
    page.fill("#share-disabili", "20")
    page.press("#share-disabili", "Enter")
    expect(page.locator("#share-moves")).to_have_text(
        "Area Disabili portata a 20%; le altre aree in proporzione: "
        "Area Minori e Famiglia 50% → 44,44%, Area Anziani 40% → 35,56%.")
    expect(page.locator("#share-minori")).to_have_value("44,44")
    expect(page.locator("#command")).to_contain_text(
        "--share minori=44.44 --share disabili=20 --share anziani=35.56")
    page.locator("#switches-box summary").click()
    page.locator("#switches input[data-name=require_application]").uncheck()
    expect(page.locator("#command")).to_contain_text("eligibility.require_application=false")
    page.locator("#params-card").screenshot(path=str(SCREENSHOTS / "2-parametri.png"))
    page.click("#reset")
    expect(page.locator("#command")).to_have_text("nessuna modifica: le regole approvate")


def test_a_units_explanation_is_explains(visitor: Visitor) -> None:
    page = visitor.page
    visitor.set_fund("850000", "850.000,00")
    page.click("#tab-units-button")
    page.select_option("#filter-funded", "no")
    expect(page.locator("#units-count")).to_contain_text("su 308")
    page.select_option("#filter-funded", "")
    page.fill("#search", "coccinella sorisole")  # every word, in any column
    expect(page.locator("#units-table tbody tr")).to_have_count(2)
    page.fill("#search", "")
    page.locator("button.sort[data-sort=delta]").click()
    visitor.shot("3-unita.png")
    page.fill("#search", "UDO109263")  # below the minimum: its limit named in Italian
    expect(page.locator("#units-table tbody tr td").last).to_have_text("sotto il minimo")
    page.fill("#search", "UDO681697")
    expect(page.locator("#units-table tbody tr")).to_have_count(1)
    page.locator("#units-table button.unit-link").click()
    expect(page.locator("#explain")).to_be_visible()
    expected = run_explain("UDO681697", None, None, [("fund", "850000.00")], lang="it")
    expect(page.locator("#explain-text")).to_have_text(expected)
    visitor.shot("4-spiegazione.png")
    page.click("#explain-close")
    expect(page.locator("#explain")).to_be_hidden()


def test_scenarios_side_by_side_compared_and_downloaded(visitor: Visitor, tmp_path: Path) -> None:
    page = visitor.page
    visitor.set_fund("850000", "850.000,00")
    page.fill("#scenario-name", "Fondo 850.000")
    page.click("#save-scenario")
    expect(page.locator("#scenario-cards .scenario")).to_have_count(3)
    page.fill("#minimum", "500")
    page.press("#minimum", "Enter")
    expect(page.locator("#minimum")).to_have_value("500,00")
    page.fill("#scenario-name", "Minimo 500")
    page.click("#save-scenario")
    expect(page.locator("#scenario-cards .scenario")).to_have_count(4)
    page.select_option("#compare-first", label="Fondo 850.000")
    page.select_option("#compare-second", label="Minimo 500")
    page.click("#compare-button")
    expect(page.locator("#comparison h3")).to_have_text("Fondo 850.000 → Minimo 500")
    expect(page.locator("#comparison-table tbody tr").last).to_contain_text("850.000,00")
    # the units whose limit changes: named in Italian, before and after
    expect(page.locator("#comparison")).to_contain_text("budget dell'area → sotto il minimo")
    visitor.shot("5-scenari.png", full_page=True)
    with page.expect_download() as download:
        page.click("#download-compare")
    saved = tmp_path / download.value.suggested_filename
    download.value.save_as(saved)
    names = zipfile.ZipFile(saved).namelist()
    assert {name.split("/", 1)[1] for name in names} == {
        "compare.csv", "compare_summary.csv", "confronto.txt", "confronto.xlsx",
        "scenario.html", "scenario.xlsx"}


def test_the_downloaded_workbook_and_run_folder_pass_the_audit(
    visitor: Visitor, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    page = visitor.page
    visitor.set_fund("850000", "850.000,00")
    with page.expect_download() as download:
        page.click("#download-xlsx")
    workbook = tmp_path / "allocation.xlsx"
    download.value.save_as(workbook)
    output = cli("audit", "--allocation", str(workbook), "--budget", "850000")
    assert "failed: 0" in output
    with page.expect_download() as download:
        page.click("#download-run")
    archive = io.BytesIO(Path(download.value.path()).read_bytes())
    zipfile.ZipFile(archive).extractall(tmp_path / "run")
    (folder,) = (tmp_path / "run").iterdir()
    readme = (folder / "LEGGIMI.txt").read_text(encoding="utf-8")
    (command,) = [line.strip() for line in readme.splitlines() if "fsr-opt audit" in line]
    monkeypatch.chdir(folder)
    assert "failed: 0" in cli(*shlex.split(command)[1:])


def test_a_bad_file_shows_every_problem_and_the_page_goes_on(visitor: Visitor) -> None:
    page = visitor.page
    page.set_input_files("#units-file", str(BAD))
    expect(page.locator("#errors h2")).to_have_text("Errore nei dati")
    rows = page.locator("#problems-table tbody tr")
    expect(rows).to_have_count(3)
    expect(rows.first.locator("td").nth(0)).to_have_text("three_problems.csv")
    expect(rows.first.locator("td").nth(4)).not_to_be_empty()
    visitor.shot("6-errori.png")
    expect(page.locator("#units-now")).to_have_text("units.csv (308 unità)")
    visitor.set_fund("800.000", "800.000,00")
    expect(page.locator("#errors")).to_be_hidden()


def test_the_warnings_of_reading_an_upload_are_shown_in_the_page_s_language(
    visitor: Visitor, tmp_path: Path
) -> None:
    lines = (ROOT / "data" / "bergamo-2025" / "units.csv").read_text("utf-8").splitlines()
    table = tmp_path / "unità.csv"  # as Excel saves an Italian CSV: Windows-1252, with notes
    table.write_bytes(("\n".join([lines[0] + ",Note"] + [line + ",da sentire" for line in
                                   lines[1:]]) + "\n").encode("cp1252"))
    page = visitor.page
    page.set_input_files("#units-file", str(table))
    expect(page.locator("#units-now")).to_have_text("unità.csv (308 unità)")
    notes = page.locator("#warnings li")
    expect(notes.nth(0)).to_have_text(
        "unità.csv: il file non è UTF-8: è stato letto come Windows-1252 (cp1252); controlla "
        "le lettere accentate, o salvalo come 'CSV UTF-8'")
    expect(notes.nth(1)).to_have_text("unità.csv, riga 1, colonna 'Note': non è una colonna "
                                      "della tabella delle unità; viene ignorata")
    expect(notes.nth(2)).to_contain_text("unità.csv, riga 221: l'unità UDO356205 è a 'Dalmine'")
    visitor.shot("8-avvisi.png")
    page.click(".lang button[data-lang=en]")
    expect(notes.nth(1)).to_have_text("unità.csv, row 1, column 'Note': not a column of the "
                                      "units table; it is ignored")
    page.click(".lang button[data-lang=it]")
    expect(notes.nth(1)).to_contain_text("viene ignorata")
    page.click("#use-example")
    expect(page.locator("#units-now")).to_have_text("units.csv (308 unità)")
    expect(notes.first).to_contain_text("units.csv, riga 221")


def test_two_browsers_at_once_keep_their_own_data(browser: object, server: str) -> None:
    first, second = Visitor(browser, server), Visitor(browser, server)
    try:
        first.set_fund("850000", "850.000,00")
        second.set_fund("800000", "800.000,00")
        first.page.fill("#scenario-name", "solo mio")
        first.page.click("#save-scenario")
        for visitor, fund in ((first, "850.000,00"), (second, "800.000,00")):
            visitor.page.reload()
            expect(visitor.page.locator("#kpi-0 b")).to_have_text(f"{fund} EUR")
        expect(first.page.locator("#scenario-cards .scenario")).to_have_count(3)
        expect(second.page.locator("#scenario-cards .scenario")).to_have_count(2)
    finally:
        first.close()
        second.close()


def test_english_by_a_switch(visitor: Visitor) -> None:
    page = visitor.page
    page.click(".lang button[data-lang=en]")
    expect(page.locator("h1")).to_have_text("FSR riparto: what-if")
    expect(page.locator("#kpi-0 b")).to_have_text("892,495.35 EUR")
    # the warnings of the files follow the switch too, though the files were loaded before
    expect(page.locator("#warnings li").first).to_contain_text(
        "units.csv, row 221: unit UDO356205 is in 'Dalmine'")
    visitor.shot("7-english.png")
    page.click(".lang button[data-lang=it]")
    expect(page.locator("h1")).to_have_text("Riparto FSR: simulazioni")
    expect(page.locator("#warnings li").first).to_contain_text(
        "units.csv, riga 221: l'unità UDO356205 è a 'Dalmine'")


def test_a_unit_of_a_comparison_is_explained_in_the_compared_scenario(visitor: Visitor) -> None:
    # A click on a unit in a comparison's list explained it in the scenario being edited: the
    # button's own listener asked for it too, and the two answers raced.
    page = visitor.page
    asked: list[str] = []
    page.on("request", lambda request: asked.append(request.url)
            if "/api/unit" in request.url else None)
    visitor.set_fund("850000", "850.000,00")
    page.fill("#scenario-name", "Fondo 850.000")
    page.click("#save-scenario")
    expect(page.locator("#scenario-cards .scenario")).to_have_count(3)
    visitor.set_fund("800000", "800.000,00")  # the scenario being edited is another one
    page.select_option("#compare-first", "base")
    page.select_option("#compare-second", label="Fondo 850.000")
    page.click("#compare-button")
    button = page.locator("#comparison button.unit-link").first
    unit = button.get_attribute("data-unit")
    assert unit
    button.click()
    expect(page.locator("#explain")).to_be_visible()
    expect(page.locator("#explain-title")).to_contain_text("(Fondo 850.000)")
    expected = run_explain(unit, None, None, [("fund", "850000.00")], lang="it")
    expect(page.locator("#explain-text")).to_have_text(expected)
    page.wait_for_timeout(300)  # a second request, if any, would have left by now
    assert [url.split("?", 1)[1] for url in asked] == [f"scenario=s1&id={unit}"]


def test_the_comparison_offers_the_base_and_the_latest_scenario(visitor: Visitor) -> None:
    # Confronta compared Base with Base by default, before and after a scenario was saved.
    page = visitor.page
    page.click("#tab-scenarios-button")
    first, second = page.locator("#compare-first"), page.locator("#compare-second")
    expect(first).to_have_value("base")
    expect(second).to_have_value("base")  # nothing else yet
    visitor.set_fund("850000", "850.000,00")
    expect(second).to_have_value("current")  # the scenario being edited differs
    page.fill("#scenario-name", "Fondo 850.000")
    page.click("#save-scenario")
    expect(first).to_have_value("base")
    expect(second).to_have_value("s1")  # the one just saved
    page.select_option("#compare-first", "s1")  # the planner's choice is kept...
    page.click("#tab-riparto-button")
    visitor.set_fund("800000", "800.000,00")
    page.fill("#scenario-name", "Fondo 800.000")
    page.click("#save-scenario")
    expect(page.locator("#scenario-cards .scenario")).to_have_count(4)
    expect(first).to_have_value("s1")
    expect(second).to_have_value("s2")  # ...and the newest saved scenario comes second
    page.click("#compare-button")
    expect(page.locator("#comparison h3")).to_have_text("Fondo 850.000 → Fondo 800.000")


def test_a_refused_value_is_never_saved_as_a_scenario(visitor: Visitor) -> None:
    # Salva right after a refused fund saved the figures shown before and hid the error.
    page = visitor.page
    page.fill("#fund", "800.000,123")
    page.press("#fund", "Enter")
    expect(page.locator("#errors")).to_be_visible()
    page.fill("#scenario-name", "Fondo 800")
    page.click("#save-scenario")
    page.wait_for_timeout(300)
    expect(page.locator("#errors")).to_be_visible()
    expect(page.locator("#errors")).to_contain_text("800.000,123")
    expect(page.locator("#scenario-cards .scenario")).to_have_count(1)  # the base only
    expect(page.locator("#scenario-name")).to_have_value("Fondo 800")
    # a valid value typed without Enter is applied before the scenario is saved
    page.fill("#fund", "800.000")
    page.click("#save-scenario")
    card = page.locator("#scenario-cards .scenario[data-key=s1]")
    expect(card).to_contain_text("Fondo 800")
    expect(card.locator("dd").first).to_have_text("800.000,00")
    expect(page.locator("#errors")).to_be_hidden()


def test_the_comune_filter_merges_spellings_and_lines_show_their_labels(visitor: Visitor) -> None:
    # The filter offered "Bergamo" and "BERGAMO", "Torre Boldone" and "torre boldone" apart;
    # the Linea di servizio column showed the code "prima_infanzia".
    page = visitor.page
    page.click("#tab-units-button")
    offered = page.locator("#filter-municipality option").all_text_contents()
    assert "Bergamo" in offered and "Torre Boldone" in offered
    assert "BERGAMO" not in offered and "torre boldone" not in offered
    page.select_option("#filter-municipality", "Torre Boldone")
    spelled = set(page.locator("#units-table tbody tr td:nth-child(4)").all_text_contents())
    assert {"Torre Boldone", "torre boldone"} <= spelled  # both spellings, one Comune
    page.fill("#search", "UDO164769")
    cell = page.locator("#units-table tbody tr td:nth-child(5)")
    expect(cell).to_contain_text("Prima infanzia")
    expect(cell).to_have_attribute("title", "prima_infanzia")
    page.click("#tab-riparto-button")
    expect(page.locator("#lines-table tr.group").first).to_be_visible()
    cells = page.locator("#lines-table td, #lines-table th").all_text_contents()
    assert not {"minori", "disabili", "anziani", "prima_infanzia"} & set(cells)
    expect(page.locator("#lines-table tr.group").first).to_have_text("Area Minori e Famiglia")


def test_the_upload_buttons_show_the_keyboard_s_focus(visitor: Visitor) -> None:
    # The file inputs are invisible (opacity 0): tabbing to them showed nothing.
    page = visitor.page
    for field in ("#units-file", "#rules-file"):
        page.focus(field)
        style = page.eval_on_selector(
            field, "input => getComputedStyle(input.closest('label')).outlineStyle")
        assert style == "solid", field
    page.focus("#fund")
    assert page.eval_on_selector(
        "#units-file", "input => getComputedStyle(input.closest('label')).outlineStyle") == "none"
    page.focus("#units-file")
    page.locator("#data-card").screenshot(path=str(SCREENSHOTS / "focus-upload.png"))
