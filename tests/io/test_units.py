"""Tests of fsr_opt.io.units: loading units tables (CSV in three dialects, XLSX)."""

from __future__ import annotations

from datetime import date, datetime
from pathlib import Path
from typing import Any

import openpyxl
import pytest
import yaml

from fsr_opt.core.errors import ErrorCode, InputError
from fsr_opt.core.schema import INPUT_COLUMNS, Ownership, UnitRecord
from fsr_opt.io.cells import fold_heading
from fsr_opt.io.source import sha256_file
from fsr_opt.io.tables import TableCache
from fsr_opt.io.units import (
    AMBITO_COLUMN,
    COLUMN_LOOKUP,
    UNITS_SHEET,
    has_units_headings,
    load_units,
)

from tests.conftest import ROOT

BAD_INPUTS = ROOT / "tests" / "bad_inputs"

HEADER = [spec.name for spec in INPUT_COLUMNS]
ROWS = [
    ["U1", "Asilo Nido Il Girasole", "Coop. Alfa", "Bergamo", "asilo_nido ", "private", "30",
     "1234.56", "1000.00", "2010-09-01", "", "true", "true", "false", "", "", "yes"],
    ["U2", "CSE Comunale, sede 1", "Comune di Bergamo", "Bergamo", "CSE", "public", "12",
     "250000.00", "100000.50", "2005-01-15", "2025-06-30", "yes", "si", "no", "", "yes", "1"],
    ["U3", "SAD Orio", "", "Orio al Serio", "SAD", "pubblica", "0", "0", "0", "1999-03-02", "",
     "0", "1", "0", "no", "", "true"],
]
EXPECTED = (
    UnitRecord(2, "U1", "Asilo Nido Il Girasole", "Coop. Alfa", "Bergamo", "ASILO_NIDO",
               Ownership.PRIVATE, 30, 123456, 100000, date(2010, 9, 1), None, True, True, False,
               None, None, True),
    UnitRecord(3, "U2", "CSE Comunale, sede 1", "Comune di Bergamo", "Bergamo", "CSE",
               Ownership.PUBLIC, 12, 25000000, 10000050, date(2005, 1, 15), date(2025, 6, 30),
               True, True, False, None, True, True),
    UnitRecord(4, "U3", "SAD Orio", "", "Orio al Serio", "SAD", Ownership.PUBLIC, 0, 0, 0,
               date(1999, 3, 2), None, False, True, False, False, None, True),
)


def _csv_text(header: list[str], rows: list[list[str]], sep: str = ",") -> str:
    def cell(value: str) -> str:
        return f'"{value}"' if sep in value or '"' in value else value

    return "".join(sep.join(cell(v) for v in line) + "\n" for line in [header, *rows])


def _write_xlsx(path: Path, header: list[Any], rows: list[list[Any]], title: str = "Unità"
                ) -> Path:
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


# --- the same table in three dialects ---------------------------------------------------------


def test_good_csv(tmp_path: Path) -> None:
    path = tmp_path / "units.csv"
    path.write_text(_csv_text(HEADER, ROWS), encoding="utf-8")
    table = load_units(path)
    assert table.units == EXPECTED
    assert table.source == str(path)
    assert table.sha256 == sha256_file(path)
    assert len(table.sha256) == 64


def test_a_column_of_usual_amounts_is_read_whole_and_still_checked_against_the_others(
    tmp_path: Path,
) -> None:
    # costs all "1234.56" (read as one column, `parse_plain_amounts`), revenues with a comma:
    # the file mixes two formats, and the cells of the less common mark are the ones named
    rows = [[*row[:7], cost, revenue, *row[9:]] for row, cost, revenue in zip(
        ROWS, ["1234.56", "250000.00", "0.00"], ["1000,00", "100000.50", "0.00"], strict=True)]
    path = tmp_path / "units.csv"
    path.write_text(_csv_text(HEADER, rows), encoding="utf-8")
    with pytest.raises(InputError) as caught:
        load_units(path)
    problems = caught.value.problems
    assert [(p.row, p.column, p.code) for p in problems] == [
        (2, "revenues", ErrorCode.MIXED_NUMBER_FORMAT)]
    assert "'1000,00'" in problems[0].message and "row 2 (column 'costs'" in problems[0].message
    # read whole, the costs are what each cell reads as
    rows[0][8] = "1000.00"
    path.write_text(_csv_text(HEADER, rows), encoding="utf-8")
    assert [unit.costs for unit in load_units(path).units] == [123456, 25000000, 0]


def test_italian_csv_loads_the_same(tmp_path: Path) -> None:
    italian_rows = [
        ["U1", "Asilo Nido Il Girasole", "Coop. Alfa", "Bergamo", "asilo_nido", "privata", "30",
         "1.234,56", "1.000,00", "01/09/2010", "", "sì", "Sì", "no", "", "", "SI"],
        ["U2", "CSE Comunale, sede 1", "Comune di Bergamo", "Bergamo", "CSE", "pubblico", "12",
         "€ 250.000,00", "100.000,50", "15/01/2005", "30/06/2025", "vero", "s", "falso", "",
         "sì", "1"],
        ["U3", "SAD Orio", "", "Orio al Serio", "SAD", "Pubblica", "0", "0", "0,00",
         "2/3/1999", "", "no", "si", "n", "no", "", "sì"],
    ]
    headings = [spec.heading_it for spec in INPUT_COLUMNS]
    path = tmp_path / "unita.csv"
    # Excel's Italian CSV: ';', cp1252 would also do, here UTF-8 with a BOM and CRLF.
    text = _csv_text(headings, italian_rows, sep=";").replace("\n", "\r\n")
    path.write_bytes(b"\xef\xbb\xbf" + text.encode("utf-8"))
    assert load_units(path).units == EXPECTED


@pytest.mark.parametrize("year", [None, 2024, 2031])
def test_the_accounts_columns_may_name_any_year(tmp_path: Path, year: int | None) -> None:
    # the template of each riparto heads its figures with the accounts' year: no code change
    headings = [spec.heading_it if year is None else spec.heading(year) for spec in INPUT_COLUMNS]
    assert ("Costi 2031" in headings) == (year == 2031)
    dated, plain = tmp_path / "dated.csv", tmp_path / "plain.csv"
    dated.write_text(_csv_text(headings, ROWS), encoding="utf-8")
    plain.write_text(_csv_text(HEADER, ROWS), encoding="utf-8")
    assert load_units(dated).units == load_units(plain).units


def test_a_year_does_not_make_any_heading_a_column(tmp_path: Path) -> None:
    headings = [*HEADER[:1], "name 2024", *HEADER[2:]]
    path = tmp_path / "units.csv"
    path.write_text(_csv_text(headings, ROWS), encoding="utf-8")
    with pytest.raises(InputError, match="'name' is missing"):
        load_units(path)


def test_cp1252_csv_is_read_with_a_warning(tmp_path: Path, caplog: pytest.LogCaptureFixture
                                           ) -> None:
    path = tmp_path / "units.csv"
    rows = [[*ROWS[0][:1], "Nido Città", *ROWS[0][2:]]]
    path.write_bytes(_csv_text(HEADER, rows).encode("cp1252"))
    table = load_units(path)
    assert table.units[0].name == "Nido Città"
    assert "cp1252" in caplog.text


def test_xlsx_with_italian_headings_loads_the_same(tmp_path: Path) -> None:
    headings = [spec.heading_it for spec in INPUT_COLUMNS]
    rows: list[list[Any]] = [
        ["U1", "Asilo Nido Il Girasole", "Coop. Alfa", "Bergamo", "ASILO_NIDO", "privato", 30,
         1234.56, 1000, datetime(2010, 9, 1), None, True, "sì", False, None, None, "sì"],
        ["U2", "CSE Comunale, sede 1", "Comune di Bergamo", "Bergamo", "CSE", "public", 12.0,
         250000, "100000,50", date(2005, 1, 15), "30/06/2025", 1, True, "no", None, True, 1],
        ["U3", "SAD Orio", None, "Orio al Serio", "SAD", "pubblica", 0, 0.0, 0, "1999-03-02",
         None, 0, 1, 0, "no", "", True],
    ]
    path = tmp_path / "units.xlsx"
    workbook = openpyxl.Workbook()
    notes = workbook.active
    assert notes is not None
    notes.title = "Note"
    notes.append(["Fondo Sociale Regionale 2025"])
    sheet = workbook.create_sheet("Unità")
    sheet.append(headings)
    for row in rows:
        sheet.append(row)
    workbook.save(path)
    assert load_units(path).units == EXPECTED


def test_xlsx_sheet_found_by_its_headings(tmp_path: Path) -> None:
    path = tmp_path / "units.xlsx"
    workbook = openpyxl.Workbook()
    first = workbook.active
    assert first is not None
    first.append(["notes"])
    data = workbook.create_sheet("Foglio2")
    data.append(HEADER)
    for row in ROWS:
        data.append(row)
    workbook.save(path)
    assert load_units(path).units == EXPECTED


def test_headings_are_matched_loosely_and_extra_columns_ignored(
        tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    header = [" Unit-ID ", "NOME", "gestore", "Comune", "TIPO", "natura", "utenti", "costi",
              "ricavi", "data_inizio", "DATA FINE", "AFAM", "cpe", "sperimentale",
              "mantiene requisiti", "minori web", "Istanza", "Note"]
    path = tmp_path / "units.csv"
    path.write_text(_csv_text(header, [[*r, "a note"] for r in ROWS]), encoding="utf-8")
    assert load_units(path).units == EXPECTED
    assert "Note" in caplog.text


def test_optional_columns_may_be_absent(tmp_path: Path) -> None:
    optional = {s.name for s in INPUT_COLUMNS if not s.required}
    keep = [i for i, name in enumerate(HEADER) if name not in optional]
    path = tmp_path / "units.csv"
    path.write_text(_csv_text([HEADER[i] for i in keep], [[r[i] for i in keep] for r in ROWS]),
                    encoding="utf-8")
    unit = load_units(path).units[1]
    assert (unit.operator, unit.end_date, unit.keeps_requirements, unit.data_declared) == (
        "", None, None, None)


def test_blank_rows_are_skipped_and_rows_keep_their_file_numbers(tmp_path: Path) -> None:
    path = tmp_path / "units.csv"
    text = _csv_text(HEADER, ROWS[:1]) + ",,,\n\n" + _csv_text(HEADER, ROWS[1:]).split("\n", 1)[1]
    path.write_text(text, encoding="utf-8")
    assert [u.row for u in load_units(path).units] == [2, 5, 6]


def test_semicolon_sep_line_and_tab_separator(tmp_path: Path) -> None:
    sep_file = tmp_path / "sep.csv"
    sep_file.write_text("sep=;\n" + _csv_text(HEADER, ROWS, sep=";"), encoding="utf-8")
    assert load_units(sep_file).units == EXPECTED
    tab_file = tmp_path / "units.txt"
    tab_file.write_text(_csv_text(HEADER, ROWS, sep="\t"), encoding="utf-16")
    assert load_units(tab_file).units == EXPECTED


def test_heading_aliases_do_not_collide() -> None:
    names = [fold_heading(n) for s in INPUT_COLUMNS for n in {s.name, s.heading_it, *s.aliases}]
    assert len(names) == len(set(names))
    assert set(COLUMN_LOOKUP) == set(names)
    assert has_units_headings([spec.heading_it for spec in INPUT_COLUMNS if spec.required])
    assert not has_units_headings([spec.name for spec in INPUT_COLUMNS][1:])


# --- every problem at once ---------------------------------------------------------------------


def test_every_problem_is_reported_at_once(tmp_path: Path) -> None:
    rows = [list(r) for r in ROWS]
    rows[0][HEADER.index("costs")] = "1.234"            # row 2: ambiguous
    rows[1][HEADER.index("applied")] = "forse"          # row 3: not a boolean
    rows[2][HEADER.index("start_date")] = "2024-13-01"  # row 4: not a date
    path = tmp_path / "units.csv"
    path.write_text(_csv_text(HEADER, rows), encoding="utf-8")
    with pytest.raises(InputError) as exc:
        load_units(path)
    assert _problems(exc) == [
        (2, "costs", "AMBIGUOUS_NUMBER"),
        (3, "applied", "NOT_A_BOOLEAN"),
        (4, "start_date", "NOT_A_DATE"),
    ]
    assert all(p.file == str(path) for p in exc.value.problems)


def test_missing_columns_and_bad_cells_together(tmp_path: Path) -> None:
    drop = {HEADER.index("costs"), HEADER.index("applied")}
    keep = [i for i in range(len(HEADER)) if i not in drop]
    rows = [[r[i] for i in keep] for r in ROWS]
    rows[0][0] = ""
    path = tmp_path / "units.csv"
    path.write_text(_csv_text([HEADER[i] for i in keep], rows), encoding="utf-8")
    with pytest.raises(InputError) as exc:
        load_units(path)
    assert _problems(exc) == [
        (1, "costs", "MISSING_COLUMN"),
        (1, "applied", "MISSING_COLUMN"),
        (2, "unit_id", "EMPTY_VALUE"),
    ]


def test_xlsx_cells_report_the_heading_as_written(tmp_path: Path) -> None:
    headings = [spec.heading(2024) for spec in INPUT_COLUMNS]
    row: list[Any] = list(ROWS[0])
    row[HEADER.index("costs")] = "=1+1"
    row[HEADER.index("users")] = 3.5
    path = _write_xlsx(tmp_path / "units.xlsx", headings, [row])
    with pytest.raises(InputError) as exc:
        load_units(path)
    assert _problems(exc) == [(2, "Utenti 2024", "NOT_AN_INTEGER"),
                              (2, "Costi 2024", "FORMULA_CELL")]


def test_unreadable_paths(tmp_path: Path) -> None:
    cases = {
        tmp_path / "missing.csv": "FILE_NOT_FOUND",
        tmp_path: "NOT_A_FILE",
        tmp_path / "units.json": "UNSUPPORTED_FORMAT",
    }
    folder_csv = tmp_path / "folder.csv"
    folder_csv.mkdir()
    cases[folder_csv] = "NOT_A_FILE"
    for path, code in cases.items():
        with pytest.raises(InputError) as exc:
            load_units(path)
        assert [p.code for p in exc.value.problems] == [code]


# --- the bad-inputs folder ---------------------------------------------------------------------

_EXPECTED_WORDS: dict[str, list[str]] = yaml.safe_load(
    (BAD_INPUTS / "expected.yaml").read_text(encoding="utf-8"))


def test_bad_inputs_folder_is_complete() -> None:
    present = {p.name for p in BAD_INPUTS.iterdir() if p.name != "expected.yaml"}
    assert present == set(_EXPECTED_WORDS)
    assert len(present) >= 12


@pytest.mark.parametrize("name", sorted(_EXPECTED_WORDS))
def test_bad_input_gives_a_clear_message(name: str) -> None:
    path = BAD_INPUTS / name
    with pytest.raises(InputError) as exc:  # any other exception type fails the test
        load_units(path)
    message = str(exc.value)
    assert str(path) in message
    missing = [word for word in _EXPECTED_WORDS[name] if word not in message]
    assert not missing, f"{missing} not in: {message}"


# --- one Ambito of a shared table ---------------------------------------------------------------


def _shared_table(tmp_path: Path) -> Path:
    rows = [["A1", *ROWS[0]], ["b2", *ROWS[1]], ["B2", *ROWS[2]]]
    rows[2][1] = "U1"  # the id of row 2's unit: ids need only be unique within an Ambito
    path = tmp_path / "shared.csv"
    path.write_text(_csv_text([AMBITO_COLUMN, *HEADER], rows), encoding="utf-8")
    return path


def test_an_ambito_takes_its_rows_of_a_shared_table(tmp_path: Path) -> None:
    path = _shared_table(tmp_path)
    assert [(u.row, u.unit_id) for u in load_units(path, ambito="B2").units] == [
        (3, "U2"), (4, "U1")]
    assert [u.row for u in load_units(path, ambito="a1").units] == [2]
    with pytest.raises(InputError) as several:
        load_units(path)
    assert _problems(several) == [(1, AMBITO_COLUMN, "SEVERAL_AMBITI")]
    with pytest.raises(InputError) as none:
        load_units(path, ambito="c3")
    assert _problems(none) == [(1, AMBITO_COLUMN, "NO_ROWS")]
    with pytest.raises(InputError) as no_column:
        load_units(ROOT / "data" / "bergamo-2025" / "units.csv",
                   ambito="a1")
    assert [p.code for p in no_column.value.problems] == ["NO_AMBITO_COLUMN"]


def test_a_shared_table_is_parsed_once_through_a_cache(tmp_path: Path) -> None:
    path = _shared_table(tmp_path)
    cache = TableCache()
    first = load_units(path, ambito="a1", cache=cache)
    kept = cache.get(str(path), first.sha256, UNITS_SHEET)
    assert kept is not None and len(kept.rows) == 3
    assert load_units(path, ambito="b2", cache=cache).units[0].unit_id == "U2"
    assert cache.get(str(path), first.sha256, UNITS_SHEET) is kept  # parsed once, kept
    assert load_units(path, ambito="a1", cache=cache) == first
