"""Downloads are what ``solve`` and ``compare`` write; a downloaded riparto passes the audit."""

from __future__ import annotations

import io
import shlex
import shutil
import zipfile
from pathlib import Path

import openpyxl
from typer.testing import CliRunner

from fsr_opt.app.pipeline import run_solve
from fsr_opt.app.scenarios import run_compare
from fsr_opt.cli import app
from fsr_opt.web.downloads import Downloads, comparison_workbook, run_zip
from fsr_opt.web.parameters import Parameters
from fsr_opt.web.workspace import DataSource, SolveSettings, Start, Workspace

from tests.conftest import ROOT


def unzip(data: bytes, into: Path) -> Path:
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        archive.extractall(into)
        (folder,) = {name.split("/", 1)[0] for name in archive.namelist()}
    return into / folder


def test_the_run_folder_is_solves_and_passes_the_audit(
    start: Start, tmp_path: Path, monkeypatch
) -> None:
    workspace = Workspace.open(tmp_path / "w", start)
    workspace.change(Parameters(fund="850000.00", minimum_award="500.00"))
    downloads = Downloads(SolveSettings())
    made = downloads.run(workspace.current, "it")
    assert downloads.run(workspace.current, "it") is made  # made once
    cli = run_solve(workspace.current.inputs, tmp_path / "cli", lang="it")
    for path in cli.written:
        if path.name != "run.json":  # run.json has the clock readings
            assert made.files[path.name] == path.read_bytes(), path.name
    name, data = run_zip(made)
    assert name == "riparto-Bergamo-2025-Scenario corrente.zip"
    folder = unzip(data, tmp_path / "unzipped")
    assert {"allocation.csv", "allocation.xlsx", "report.html", "audit.json", "run.json",
            "LEGGIMI.txt", "dati"} <= {path.name for path in folder.iterdir()}
    readme = (folder / "LEGGIMI.txt").read_text(encoding="utf-8")
    (command,) = [line.strip() for line in readme.splitlines()
                  if line.strip().startswith("fsr-opt audit")]
    assert "--budget 850000.00 --min-award 500.00" in command
    monkeypatch.chdir(folder)
    result = CliRunner().invoke(app, shlex.split(command)[1:])
    assert result.exit_code == 0, result.output
    assert "failed: 0" in result.output


def test_a_downloaded_run_folder_of_an_upload_passes_audit_run_dir_once_the_server_is_gone(
    start: Start, tmp_path: Path
) -> None:
    """run.json records the upload's private path, gone with the server: the copy in dati/
    is read instead, and its hash still decides (issue 12's `fsr-opt audit RUN_DIR`)."""
    workspace = Workspace.open(tmp_path / "w", start)
    uploaded = workspace.upload_path("mie-unita.xlsx")
    shutil.copyfile(ROOT / "data" / "bergamo-2025" / "units.xlsx", uploaded)
    workspace.replace_source(DataSource(uploaded, None, uploaded.name, ""))
    workspace.change(Parameters(fund="840000.00"))
    _, data = run_zip(Downloads(SolveSettings()).run(workspace.current, "it"))
    folder = unzip(data, tmp_path / "unzipped")
    shutil.rmtree(tmp_path / "w")  # the server stopped: its uploads are gone
    result = CliRunner().invoke(app, ["audit", str(folder)])
    assert result.exit_code == 0, result.output
    assert "failed: 0" in result.output
    copy = folder / "dati" / "mie-unita.xlsx"
    copy.write_bytes(copy.read_bytes() + b"\0")  # a changed copy is named, not trusted
    result = CliRunner().invoke(app, ["audit", str(folder)])
    assert result.exit_code != 0


def test_the_comparison_is_compares(start: Start, tmp_path: Path) -> None:
    workspace = Workspace.open(tmp_path / "w", start, "en")
    workspace.change(Parameters(fund="850000.00"))
    saved = workspace.save("cut")
    name, data = Downloads(SolveSettings()).comparison(workspace.baseline, saved, "en")
    assert name == "comparison-Baseline-cut.zip"
    folder = unzip(data, tmp_path / "unzipped")
    assert sorted(path.name for path in folder.iterdir()) == [
        "compare.csv", "compare_summary.csv", "comparison.txt", "comparison.xlsx",
        "scenario.html", "scenario.xlsx"]
    first = run_solve(workspace.baseline.inputs, tmp_path / "a")
    second = run_solve(saved.inputs, tmp_path / "b")
    cli = run_compare(first.out_dir, second.out_dir, tmp_path / "out", lang="en")
    for path in cli.written:
        if path.name.startswith("scenario."):
            continue  # they name the two folders compared, which differ here
        assert (folder / path.name).read_bytes() == path.read_bytes()
    book = openpyxl.load_workbook(folder / "comparison.xlsx", read_only=True)
    units, lines = book.worksheets
    assert units.max_row == len(workspace.baseline.outcomes) + 1
    last = list(lines.iter_rows(values_only=True))[-1]
    assert last[:4] == ("TOTAL", "TOTAL", 892495.35, 850000)
    assert comparison_workbook(cli.diff, "it")[:2] == b"PK"


def test_the_comparison_names_the_scenarios_and_speaks_the_page_s_language(
    start: Start, tmp_path: Path
) -> None:
    # confronto.txt began "Scenario a confronto: /tmp/fsr-opt-compare-.../1-riparto-...-Base
    # -> /tmp/.../2-riparto-...-D20" and confronto.xlsx had compare.csv's English headings and
    # codes (award_base, LOSES, AREA_BUDGET, false).
    workspace = Workspace.open(tmp_path / "w", start, "it")
    workspace.change(Parameters(fund="850000.00"))
    saved = workspace.save("D20")
    _, data = Downloads(SolveSettings()).comparison(workspace.baseline, saved, "it")
    folder = unzip(data, tmp_path / "unzipped")
    first_line = (folder / "confronto.txt").read_text(encoding="utf-8").splitlines()[0]
    assert "Base" in first_line and "D20" in first_line and "/" not in first_line, first_line
    assert "fsr-opt-compare" not in (folder / "scenario.html").read_text(encoding="utf-8")
    book = openpyxl.load_workbook(folder / "confronto.xlsx", read_only=True)
    units, lines = (list(sheet.iter_rows(values_only=True)) for sheet in book.worksheets)
    assert units[0][:3] == ("Codice unità", "Denominazione", "Ente gestore")
    assert units[0][-1] == "Limite cambiato"
    words = {cell for row in units[1:] for cell in row if isinstance(cell, str)}
    assert {"diminuisce", "budget dell'area", "no"} <= words, words
    assert not {"LOSES", "AREA_BUDGET", "false", "minori"} & words
    assert lines[0][:3] == ("Area", "Linea di servizio", "Budget base")
    assert "budget_base" not in lines[0] and "awarded_change" not in lines[0]
    assert lines[-1][:2] == ("TOTALE", "TOTALE")
    assert lines[1][0] == "Area Minori e Famiglia"
    # an area and its one line share the code 'anziani': each is named by its own label
    anziani = [row[:2] for row in lines[1:] if row[0] == "Area Anziani"]
    assert anziani and all(line == "TOTALE" or line.startswith("Servizi per anziani")
                           for _area, line in anziani), anziani
