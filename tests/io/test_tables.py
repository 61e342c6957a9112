"""Tests of fsr_opt.io.tables: a file -> raw cells under its headings; headings matched."""

from __future__ import annotations

from pathlib import Path
from unittest import mock

import openpyxl
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from fsr_opt.core.errors import InputError, collecting_warnings
from fsr_opt.io import tables
from fsr_opt.io.allocation import ALLOCATION_SHEET
from fsr_opt.io.cells import Dialect
from fsr_opt.io.tables import TableCache, column_letter, match_headings, read_table
from fsr_opt.io.units import COLUMN_LOOKUP, UNITS_SHEET


def test_a_table_is_parsed_once_for_the_same_bytes_through_a_cache(tmp_path: Path) -> None:
    # region reads a table shared by several Ambiti once per Ambito: the same bytes give the
    # same table, any change of the bytes (even of the same size, in the same instant) a new one
    path = tmp_path / "units.csv"
    path.write_text("unit_id,costs\nA,10\n", encoding="utf-8")
    cache = TableCache()
    first = read_table(path, UNITS_SHEET, cache=cache)
    assert read_table(path, UNITS_SHEET, cache=cache) is first
    uncached = read_table(path, UNITS_SHEET)
    assert uncached == first and uncached is not first  # a read without the cache reads anew
    other_choice = read_table(path, ALLOCATION_SHEET, cache=cache)
    assert other_choice is not first and other_choice == first
    assert read_table(path, UNITS_SHEET, cache=cache) is not first  # only the last is kept
    path.write_text("unit_id,costs\nB,20\n", encoding="utf-8")
    changed = read_table(path, UNITS_SHEET, cache=cache)
    assert changed.rows[0][1] == ("B", "20")
    assert read_table(path, UNITS_SHEET, cache=cache) is changed
    cache.clear()
    assert read_table(path, UNITS_SHEET, cache=cache) is not changed


def test_a_table_keeps_row_numbers_headings_and_dialect(tmp_path: Path) -> None:
    path = tmp_path / "units.csv"
    path.write_text("\n unit_id ;;costs;\n\nA;x;1,5;\n;;;\nB;;2;\n", encoding="utf-8")
    table = read_table(path, UNITS_SHEET)
    assert (table.header_row, table.headings, table.dialect) == (2, ("unit_id", "costs"),
                                                                 Dialect.ITALIAN)
    assert table.rows == ((4, ("A", "1,5")), (6, ("B", "2")))
    assert table.problems == ()
    assert table.file == str(path) and len(table.sha256) == 64


def test_a_workbook_table_comes_with_its_typed_cells(tmp_path: Path) -> None:
    book = openpyxl.Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.append(["unit_id", "costs", None, "ok"])
    sheet.append(["U1", 1234.5, None, True])
    path = tmp_path / "units.xlsx"
    book.save(path)
    table = read_table(path, UNITS_SHEET)
    assert table.dialect is Dialect.AUTO
    assert table.headings == ("unit_id", "costs", "ok")
    assert table.rows == ((2, ("U1", 1234.5, True)),)


@pytest.mark.parametrize(("text", "code", "row"), [
    ("Fondo 2025\nunit_id,name,municipality,unit_type,ownership,users,cost,revenue,"
     "begin,in_registry,authorized,experimental,applied\n", "HEADER_NOT_FIRST", 2),
    ("unit_id,costs\nA,1,extra\n", "ROW_TOO_LONG", 2),
    (",,\n\n,\n", "EMPTY_FILE", None),
])
def test_what_cannot_be_a_table_is_reported(tmp_path: Path, text: str, code: str,
                                            row: int | None) -> None:
    path = tmp_path / "units.csv"
    path.write_text(text, encoding="utf-8")
    try:
        table = read_table(path, UNITS_SHEET)
    except InputError as exc:
        problems = exc.problems
    else:
        problems = list(table.problems)
    assert [(p.code, p.row) for p in problems] == [(code, row)]


def test_a_repeated_header_row_is_reported(tmp_path: Path) -> None:
    header = ("unit_id,name,municipality,unit_type,ownership,users,costs,revenues,start_date,"
              "in_registry,authorized,experimental,applied")
    path = tmp_path / "units.csv"
    path.write_text(f"{header}\n{'x,' * 12}x\n{header}\n", encoding="utf-8")
    table = read_table(path, UNITS_SHEET)
    assert [(p.code, p.row) for p in table.problems] == [("REPEATED_HEADER", 3)]
    assert [row for row, _ in table.rows] == [2]


def test_match_headings(tmp_path: Path) -> None:
    path = tmp_path / "units.csv"
    path.write_text("Codice unità,COSTS,Costi 2024,note,costs\n", encoding="utf-8")
    table = read_table(path, UNITS_SHEET)
    columns, problems, unknown = match_headings(table, COLUMN_LOOKUP)
    assert columns == {"unit_id": 0, "costs": 1}
    assert unknown == ["note"]
    assert [(p.column, p.code, p.row) for p in problems] == [
        ("Costi 2024", "DUPLICATE_COLUMN", 1), ("costs", "DUPLICATE_COLUMN", 1)]
    assert problems[0].message == ("this column repeats column 'COSTS' (both are 'costs'); "
                                   "keep only one")
    assert problems[1].message == "this column repeats column 'COSTS'; keep only one"
    every = match_headings(table)  # every heading its own column
    assert every.columns == {"codice unita": 0, "costs": 1, "costi 2024": 2, "note": 3}
    assert [p.column for p in every.problems] == ["costs"]


def test_column_letters() -> None:
    assert [column_letter(i) for i in (0, 25, 26, 27, 701, 702)] == [
        "A", "Z", "AA", "AB", "ZZ", "AAA"]


_CELLS = st.sampled_from(["unit_id", "UNIT_ID ", "unit\u200b_id", "name", "x", "", " "])


@settings(max_examples=300)
@given(rows=st.lists(st.lists(_CELLS, min_size=1, max_size=4), max_size=6),
       header=st.sampled_from([["unit_id", "name"], ["unit_id", "name", ""], ["x", "unit_id"]]))
def test_rows_taken_whole_are_those_the_row_by_row_look_keeps(
    rows: list[list[str]], header: list[str]
) -> None:
    # A body whose rows are all as wide as the headings, none repeating them, is taken
    # without a look per row (`_plain_body`): the table and the problems are those of the look.
    records = list(enumerate([header, *rows], start=1))

    def frame() -> object:
        try:
            with collecting_warnings() as said:
                table = tables._frame("t.csv", "sha", Dialect.AUTO, records, [],
                                      lambda texts: "unit_id" in texts)
            return table, said.lines()
        except InputError as exc:
            return [(p.code, p.row, p.message) for p in exc.problems]

    quick = frame()
    with mock.patch.object(tables, "_plain_body", return_value=False):
        assert frame() == quick
