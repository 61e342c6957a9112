"""Tests of fsr_opt.io.allocation: any table read as text, with the units table's checks."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path
from typing import Any

import openpyxl
import pytest

from fsr_opt.core.errors import InputError
from fsr_opt.io.allocation import (
    ALLOCATION_SHEET,
    ROW_KEY,
    has_unit_id_heading,
    load_allocation_table,
)
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


# What the allocation reader refuses in tests/bad_inputs: the file itself (its format, encoding,
# CSV syntax, sheet, merged or repeated headings, formulas without a result, Excel errors), with
# each problem's row, column and code. The values are the audit's to judge, not the reader's: a
# file whose only fault is a cell the units table refuses (a date, a number, a missing column)
# is accepted, that cell handed back as written.
REFUSED_BAD_INPUTS: dict[str, list[tuple[int | None, str | None, str]]] = {
    "bad_encoding.csv": [(None, None, "ENCODING")],
    "bad_quotes.csv": [(3, None, "CSV_SYNTAX")],
    "binary_garbage.csv": [(None, None, "NOT_A_SPREADSHEET")],
    "empty.csv": [(None, None, "EMPTY_FILE")],
    "excel_error.xlsx": [(2, "users", "EXCEL_ERROR")],
    "formula_no_cache.xlsx": [(2, "costs", "FORMULA_CELL")],
    "many_sheets.xlsx": [(None, None, "SHEET_NOT_FOUND")],
    "merged_header.xlsx": [(1, None, "MERGED_HEADER")],
    "not_a_spreadsheet.xlsx": [(None, None, "NOT_A_SPREADSHEET")],
    "old_excel.xlsx": [(None, None, "NOT_A_SPREADSHEET")],
    "row_too_long.csv": [(3, None, "ROW_TOO_LONG")],
    "units.ods": [(None, None, "UNSUPPORTED_FORMAT")],
    "xlsx_renamed.csv": [(None, None, "NOT_A_SPREADSHEET")],
}
ACCEPTED_BAD_INPUTS: dict[str, tuple[int, dict[str, str | float]]] = {
    # file -> (data rows, {heading: the first row's cell as written})
    "ambiguous_number.csv": (1, {"costs": "1,234"}),
    "bad_date.csv": (1, {"start_date": "2010.09.01"}),
    "boolean_forse.csv": (1, {"applied": "forse"}),
    "duplicate_column.csv": (1, {"costs": "1234.56", "Costi 2024": "5"}),
    "duplicate_id.csv": (2, {"unit_id": "U1"}),
    "empty_required.csv": (1, {"name": "  "}),
    "end_before_start.csv": (1, {"end_date": "2009-12-31"}),
    "formula_text.csv": (1, {"costs": "=H3*2"}),
    "header_only.csv": (0, {}),
    "impossible_date.csv": (1, {"start_date": "31/02/2010"}),
    "missing_column.csv": (1, {"revenues": "1000.00"}),
    "negative_costs.csv": (2, {"costs": "1234.56"}),
    "three_problems.csv": (3, {"users": "tanti"}),
    "total_row.csv": (3, {"unit_id": "U1"}),
    "too_many_decimals.csv": (2, {"revenues": "1000.00"}),
    "unknown_ownership.csv": (1, {"ownership": "mista"}),
    "users_fraction.csv": (1, {"users": "12.5"}),
    "id_spaces_zeros.csv": (3, {"unit_id": "UDO1001"}),
    "title_row_unclear.csv": (1, {"unit_id": "U1"}),  # 'unit_id' heads it clearly: row 2
    "number_cells.xlsx": (2, {"Costi 2024": 173496.685}),
    "repeated_column.xlsx": (1, {"Costi 2024": 273541.93, "Costi": 273541.93}),
    "last_year_allocation.csv": (4, {"unit_id": "UDO1001"}),
    "last_year_allocation.xlsx": (5, {"Codice unità": "UDO1001"}),  # its Riparto sheet
}
# The rows of the accepted files that do not start at row 2 and run on without a gap.
ACCEPTED_ROWS = {"title_row_unclear.csv": [3], "last_year_allocation.xlsx": [2, 3, 4, 5, 7]}


def test_every_bad_input_is_either_accepted_or_refused_by_the_allocation_reader() -> None:
    names = {p.name for p in BAD_INPUTS.iterdir() if p.name != "expected.yaml"}
    assert set(REFUSED_BAD_INPUTS) | set(ACCEPTED_BAD_INPUTS) == names
    assert not set(REFUSED_BAD_INPUTS) & set(ACCEPTED_BAD_INPUTS)


@pytest.mark.parametrize("name", sorted(REFUSED_BAD_INPUTS))
def test_the_allocation_reader_refuses_a_file_it_cannot_read(name: str) -> None:
    with pytest.raises(InputError) as exc:
        load_allocation_table(BAD_INPUTS / name)
    assert _problems(exc) == REFUSED_BAD_INPUTS[name]
    assert all(p.file is not None and p.file.endswith(name) for p in exc.value.problems)


@pytest.mark.parametrize("name", sorted(ACCEPTED_BAD_INPUTS))
def test_the_allocation_reader_hands_back_the_cells_the_audit_judges(name: str) -> None:
    count, cells = ACCEPTED_BAD_INPUTS[name]
    table = load_allocation_table(BAD_INPUTS / name)
    assert len(table.rows) == count
    assert [row[ROW_KEY] for row in table.rows] == ACCEPTED_ROWS.get(
        name, list(range(2, count + 2)))
    assert table.headings[0] in ("unit_id", "Codice unità")
    for heading, text in cells.items():
        assert table.rows[0][heading] == text


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
