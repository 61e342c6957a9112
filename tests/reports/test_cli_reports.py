"""The reports of solve through the command line: allocation.xlsx and report.html."""

from __future__ import annotations

import csv
import io
from pathlib import Path

import openpyxl
import pytest
from typer.testing import CliRunner

from fsr_opt.cli import app


def run(*args: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(app, list(args), env={"FSR_OPT_LANG": None})  # Italian
    assert "Traceback" not in result.output
    assert "Traceback" not in (result.stderr or "")
    return result.exit_code, result.stdout, result.stderr


def read_csv(path: Path) -> list[dict[str, str]]:
    with path.open(encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle))


@pytest.fixture(scope="module")
def base(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The bundled example solved as is."""
    out = tmp_path_factory.mktemp("base")
    assert run("solve", "--out", str(out), "-q")[0] == 0
    return out


def test_solve_writes_the_workbook_and_the_report(base: Path) -> None:
    book = openpyxl.load_workbook(io.BytesIO((base / "allocation.xlsx").read_bytes()))
    assert book.sheetnames == ["Riparto", "Allegato", "Per Comune", "Per ente", "Pagamenti",
                               "Esclusioni", "Riepilogo", "Verifiche"]
    # the units, a blank row, then the TOTALE row
    assert book["Riparto"].max_row == len(read_csv(base / "allocation.csv")) + 3
    assert book["Riparto"].cell(row=book["Riparto"].max_row, column=1).value == "TOTALE"
    page = (base / "report.html").read_text(encoding="utf-8")
    assert '<html lang="it">' in page and "892.495,35" in page


def test_solve_lang_en_and_bad_lang(tmp_path: Path) -> None:
    code, _, _ = run("solve", "--lang", "en", "--out", str(tmp_path / "en"), "-q")
    assert code == 0
    book = openpyxl.load_workbook(tmp_path / "en" / "allocation.xlsx")
    assert book.sheetnames[0] == "Allocation"
    assert '<html lang="en">' in (tmp_path / "en" / "report.html").read_text(encoding="utf-8")
    code, _, stderr = run("solve", "--lang", "fr", "--out", str(tmp_path / "fr"))
    assert code == 2 and "--lang 'fr'" in stderr and not (tmp_path / "fr").exists()


def test_report_html_is_the_same_for_the_same_run(base: Path, tmp_path: Path) -> None:
    assert run("solve", "--out", str(tmp_path), "-q")[0] == 0
    assert (tmp_path / "report.html").read_bytes() == (base / "report.html").read_bytes()
