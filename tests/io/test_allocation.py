"""Tests of fsr_opt.io.allocation: any table read as text, with the units table's checks."""

from __future__ import annotations

import contextlib
from datetime import datetime
from pathlib import Path
from typing import Any

import openpyxl
import pytest

from fsr_opt.core.errors import InputError
from fsr_opt.io.allocation import ALLOCATION_SHEET, has_unit_id_heading, load_allocation_table
from fsr_opt.io.cells import Dialect, cell_text, is_blank
from fsr_opt.io.outputs import csv_bytes
from fsr_opt.io.source import sha256_file

from tests.conftest import ROOT

BAD_INPUTS = ROOT / "tests" / "bad_inputs"


def _write_xlsx(path: Path, header: list[Any], rows: list[list[Any]], title: str) -> Path:
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    assert sheet is not None
    sheet.title = title
    sheet.append(header)
    for row in rows:
        sheet.append(row)
    workbook.save(path)
    return path


def _problems(exc: pytest.ExceptionInfo[InputError]) -> list[tuple[int | None, str | None, str]]:
    return [(p.row, p.column, p.code) for p in exc.value.problems]


@pytest.mark.parametrize("name", sorted(p.name for p in BAD_INPUTS.iterdir()
                                        if p.name != "expected.yaml"))
def test_bad_input_never_escapes_the_allocation_reader(name: str) -> None:
    with contextlib.suppress(InputError):  # any other exception type fails the test
        load_allocation_table(BAD_INPUTS / name)


def test_the_allocation_sheet_is_found_by_name_or_by_its_unit_id_heading() -> None:
    assert {"allocazione", "allocation", "riparto"} == ALLOCATION_SHEET.names
    assert has_unit_id_heading(["Codice unità", "award"])
    assert not has_unit_id_heading(["name", "award"])


def test_allocation_table_csv_round_trip(tmp_path: Path) -> None:
    header = ["unit_id", "name", "award"]
    data = csv_bytes(header, [["U1", "=cmd()", "-12.05"], ["U2", "Nido", "300.00"]],
                     numeric_columns={"award"})
    path = tmp_path / "allocation.csv"
    path.write_bytes(data)
    headings, rows, sha, dialect = load_allocation_table(path)
    assert headings == header
    assert rows == [
        {"__row__": 2, "unit_id": "U1", "name": "'=cmd()", "award": "-12.05"},
        {"__row__": 3, "unit_id": "U2", "name": "Nido", "award": "300.00"},
    ]
    assert sha == sha256_file(path)
    assert dialect is Dialect.AUTO


def test_allocation_table_tells_the_italian_dialect(tmp_path: Path) -> None:
    path = tmp_path / "allocation.csv"
    path.write_text("unit_id;award\nU1;1.234,56\n", encoding="utf-8")
    table = load_allocation_table(path)
    assert table.dialect is Dialect.ITALIAN
    assert table.rows == [{"__row__": 2, "unit_id": "U1", "award": "1.234,56"}]


def test_allocation_table_xlsx_keeps_the_typed_cells(tmp_path: Path) -> None:
    path = _write_xlsx(tmp_path / "allocation.xlsx", ["unit_id", "award", "date", "eligible"],
                       [[12345, 1234.56, datetime(2025, 6, 30), True], ["U2", 300, None, False]],
                       title="allocation")
    headings, rows, _, _ = load_allocation_table(path)
    assert headings == ["unit_id", "award", "date", "eligible"]
    assert [cell_text(rows[0][h]) for h in headings] == ["12345", "1234.56", "2025-06-30",
                                                         "true"]
    assert is_blank(rows[1]["date"])


def test_allocation_table_reports_formulas_and_duplicate_headings(tmp_path: Path) -> None:
    path = _write_xlsx(tmp_path / "allocation.xlsx", ["unit_id", "award", "Award"],
                       [["U1", "=B3", 1], ["U2", 2, 2]], "Riparto")
    with pytest.raises(InputError) as exc:
        load_allocation_table(path)
    assert _problems(exc) == [(1, "Award", "DUPLICATE_COLUMN"), (2, "award", "FORMULA_CELL")]
