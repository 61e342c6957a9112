"""Units tables as a planner prepares them in Excel, and the messages that lead to the fix.

A title above the headings, rows hidden by a filter, number cells quoted as Excel shows them,
a misspelt unit type, last year's result of fsr-opt given as the units table, ids typed two
ways, a repeated column: each is read or refused with a message naming the real rows.
"""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import Any

import openpyxl
import pytest
from hypothesis import given
from hypothesis import strategies as st

from fsr_opt.core.errors import ErrorCode, InputError, Problem, collecting_warnings, suggest
from fsr_opt.core.i18n import use_language
from fsr_opt.io.cells import normalize_id, parse_count, parse_date, parse_money, quoted
from fsr_opt.io.tables import TableCache, read_table
from fsr_opt.io.units import (
    UNITS_SHEET,
    is_result_of_fsr_opt,
    load_units,
    resembles_units_headings,
)
from fsr_opt.io.xlsx import read_with_calamine, read_xlsx_table

from tests.conftest import ROOT

HEADER_IT = ["Codice unità", "Denominazione", "Ente gestore", "Comune", "Tipologia",
             "Natura giuridica", "Utenti 2024", "Costi 2024", "Ricavi 2024",
             "Data inizio attività", "Data cessazione", "Presente in AFAM",
             "Autorizzazione/CPE", "Sperimentale", "Mantiene i requisiti",
             "Dichiarazione Minori Web", "Istanza presentata"]


def _unit(number: int, **change: Any) -> list[Any]:
    row: list[Any] = [f"UDO{1000 + number}", f"Asilo nido {number}", "Coop Alfa", "Bergamo",
                      "ASILO_NIDO", "privata", 30, 273541.93, 240882.98, date(2010, 9, 1), None,
                      "sì", "sì", "no", None, None, "sì"]
    for index, value in change.items():
        row[int(index.lstrip("c"))] = value
    return row


def _book(path: Path, lines: list[list[Any]], *, merge: str | None = None,
          hidden: tuple[int, ...] = ()) -> Path:
    book = openpyxl.Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.title = "Unità"
    for line in lines:
        sheet.append(line)
    if merge:
        sheet.merge_cells(merge)
    for number in hidden:
        sheet.row_dimensions[number].hidden = True
    book.save(path)
    return path


def _warnings(read: Any) -> tuple[Any, list[Problem]]:
    with collecting_warnings() as log:
        result = read()
    return result, log.kept


# --- 1. a title above the headings ------------------------------------------------------------


@pytest.mark.parametrize("merge", [None, "A1:Q1"])  # calamine reads one, openpyxl the other
def test_the_headings_below_a_title_are_found_and_rows_keep_their_numbers(
        tmp_path: Path, merge: str | None) -> None:
    path = _book(tmp_path / "units.xlsx", [["FSR 2025 - Ambito di Bergamo"], [], HEADER_IT,
                                           _unit(1), _unit(2, c7=-5.0)], merge=merge)
    with pytest.raises(InputError) as exc, collecting_warnings() as log:
        load_units(path)
    # the bad cell is named by its row in Excel, the title's rows not counted out
    assert [(p.row, p.column, p.code) for p in exc.value.problems] == [
        (5, "Costi 2024", ErrorCode.NEGATIVE)]
    [warning] = log.kept
    assert (warning.row, warning.code) == (3, ErrorCode.ROWS_ABOVE_HEADINGS)
    assert "row 1: 'FSR 2025 - Ambito di Bergamo'" in warning.message
    assert "rows above were skipped" in warning.message


def test_a_title_above_a_csv_table_is_skipped_with_a_warning(tmp_path: Path) -> None:
    path = tmp_path / "units.csv"
    text = (ROOT / "tests" / "bad_inputs" / "duplicate_id.csv").read_text(encoding="utf-8")
    header, first, _second = text.splitlines()
    path.write_text(f"Riparto FSR,,\nNote: dati 2024,,\n{header}\n{first}\n", encoding="utf-8")
    table, warnings = _warnings(lambda: load_units(path))
    assert [unit.row for unit in table.units] == [4]
    assert [(w.row, w.code) for w in warnings] == [(3, ErrorCode.ROWS_ABOVE_HEADINGS)]
    assert "(row 1: 'Riparto FSR'; row 2: 'Note: dati 2024')" in warnings[0].message


def test_headings_that_only_resemble_the_templates_are_not_guessed_past_a_title(
        tmp_path: Path) -> None:
    headings = [*HEADER_IT]
    headings[7] = "Costi sostenuti"
    path = _book(tmp_path / "units.xlsx", [["FSR 2025"], headings, _unit(1)])
    with pytest.raises(InputError) as exc:
        read_table(path, UNITS_SHEET)
    [problem] = exc.value.problems
    assert (problem.row, problem.code) == (2, ErrorCode.HEADER_NOT_FIRST)
    assert "this row looks like the headings of the table ('Codice unità'," in problem.message
    assert "row 1 comes before it ('FSR 2025')" in problem.message
    with use_language("it"), pytest.raises(InputError) as italian:
        read_table(path, UNITS_SHEET)
    assert "questa riga sembra quella delle intestazioni" in str(italian.value)


def test_what_resembles_the_headings_of_a_units_table() -> None:
    assert resembles_units_headings(HEADER_IT[:8])  # 7 of the 13 required columns
    assert not resembles_units_headings(HEADER_IT[:7])  # 6 (Ente gestore is optional)
    assert not resembles_units_headings(["FSR 2025 - Ambito di Bergamo"])


def test_a_title_row_does_not_hide_the_units_sheet_among_others(tmp_path: Path) -> None:
    book = openpyxl.Workbook()
    notes = book.active
    assert notes is not None
    notes.title = "Note"
    notes.append(["Istruzioni"])
    sheet = book.create_sheet("Dati 2025")
    for line in [["FSR 2025"], HEADER_IT, _unit(1)]:
        sheet.append(line)
    book.save(tmp_path / "units.xlsx")
    table, _warned = _warnings(lambda: load_units(tmp_path / "units.xlsx"))
    assert [unit.unit_id for unit in table.units] == ["UDO1001"]


# --- 2. numbers quoted in the language of the run ---------------------------------------------


@pytest.mark.parametrize(("cell", "italian", "english"), [
    (173496.685, "173.496,685", "173,496.685"),
    (-1234.5, "-1.234,5", "-1,234.5"),
    (12.0, "12", "12"),
    (45321, "45.321", "45,321"),
    (0.5, "0,5", "0.5"),
    (1e20, "1e+20", "1e+20"),  # beyond Excel's 15 digits: as Python writes it
    ("1234.5", "1234.5", "1234.5"),  # text is quoted as written
    (True, "true", "true"),
])
def test_a_number_cell_is_quoted_as_excel_shows_it(cell: Any, italian: str,
                                                   english: str) -> None:
    with use_language("it"):
        assert quoted(cell) == italian
    with use_language("en"):
        assert quoted(cell) == english


def test_the_messages_of_number_cells_are_in_the_italian_form() -> None:
    with use_language("it"):
        assert "'173.496,685' ha più di due decimali" in parse_money(173496.685).message
        assert "'12,5' non è un numero intero" in parse_count(12.5).message
        assert "1.000.000" in parse_count(2_000_000).message
        assert "il numero 45.321" in parse_date(45321).message


def test_an_italian_run_quotes_a_workbook_amount_the_italian_way(tmp_path: Path) -> None:
    path = _book(tmp_path / "units.xlsx", [HEADER_IT, _unit(1, c7=173496.685)])
    with use_language("it"), pytest.raises(InputError) as exc:
        load_units(path)
    assert "'173.496,685' ha più di due decimali" in str(exc.value)
    assert "173496.685" not in str(exc.value)


# --- 3. a misspelt unit type ------------------------------------------------------------------


def test_an_unknown_unit_type_suggests_the_nearest_code(tmp_path: Path) -> None:
    path = _book(tmp_path / "units.xlsx", [HEADER_IT, _unit(1, c4="ASILO_NIDDO"),
                                           _unit(2, c4="Asilo nido"), _unit(3, c4="LUNARE")])
    types = ("ASILO_NIDO", "CSE", "SAD")
    with pytest.raises(InputError) as exc:
        load_units(path, unit_types=types)
    messages = [p.message for p in exc.value.problems]
    assert "unknown unit type 'ASILO_NIDDO' (did you mean 'ASILO_NIDO'?)" in messages[0]
    assert "unknown unit type 'ASILO NIDO' (did you mean 'ASILO_NIDO'?)" in messages[1]
    assert "did you mean" not in messages[2] and "ASILO_NIDO, CSE, SAD" in messages[2]
    with use_language("it"), pytest.raises(InputError) as italian:
        load_units(path, unit_types=types)
    assert "(forse intendevi 'ASILO_NIDO'?)" in str(italian.value)


def test_the_one_did_you_mean_helper_is_shared_with_the_rule_set() -> None:
    from fsr_opt.rules import values  # noqa: PLC0415

    assert values.suggest is suggest
    assert suggest("refernce", ["reference", "value"]) == "reference"


# --- 4. last year's result of fsr-opt ---------------------------------------------------------


@pytest.mark.parametrize("name", ["last_year_allocation.xlsx", "last_year_allocation.csv"])
def test_fsr_opts_own_allocation_is_named_as_such(name: str) -> None:
    with pytest.raises(InputError) as exc, collecting_warnings() as log:
        load_units(ROOT / "tests" / "bad_inputs" / name)
    assert exc.value.codes == (ErrorCode.RESULT_AS_UNITS,)
    assert not log.kept  # not twenty "not a column of the units table"
    with use_language("it"), pytest.raises(InputError) as italian:
        load_units(ROOT / "tests" / "bad_inputs" / name)
    assert ("questo è un risultato di fsr-opt" in str(italian.value)
            and "'Scarica il modello Excel'" in str(italian.value))


def test_a_units_table_with_notes_headed_like_the_result_is_still_read(tmp_path: Path) -> None:
    # a planner may keep last year's award beside the units: the table is still a units table
    path = _book(tmp_path / "units.xlsx", [[*HEADER_IT, "Spettanza", "Contributo"],
                                           [*_unit(1), 100.0, 90.0]])
    assert is_result_of_fsr_opt([*HEADER_IT, "Spettanza", "Contributo"])
    table, warnings = _warnings(lambda: load_units(path))
    assert len(table.units) == 1
    assert {w.code for w in warnings} == {ErrorCode.UNKNOWN_COLUMN}


# --- 5. ids typed two ways --------------------------------------------------------------------


def test_ids_equal_but_for_spaces_case_or_leading_zeros_are_refused(tmp_path: Path) -> None:
    path = _book(tmp_path / "units.xlsx", [
        HEADER_IT, _unit(1, c0="UDO142207"), _unit(2, c0="UDO 142207"),
        _unit(3, c0="udo0142207"), _unit(4, c0="UDO14220"), _unit(5, c0="UDO1422070"),
        _unit(6, c0="0"), _unit(7, c0="00")])
    with pytest.raises(InputError) as exc:
        load_units(path)
    problems = exc.value.problems
    assert [(p.row, p.code) for p in problems] == [(3, ErrorCode.DUPLICATE_ID),
                                                   (4, ErrorCode.DUPLICATE_ID),
                                                   (8, ErrorCode.DUPLICATE_ID)]
    assert ("the unit id 'UDO 142207' is the same as 'UDO142207' in row 2 (ids are compared "
            "ignoring case, spaces and leading zeros)") in problems[0].message
    assert "'udo0142207' is the same as 'UDO142207' in row 2" in problems[1].message


# --- 6. rows hidden by a filter ---------------------------------------------------------------


def test_hidden_rows_are_read_and_named_in_a_warning(tmp_path: Path) -> None:
    lines = [HEADER_IT, *(_unit(n) for n in range(1, 6)), [], [], *(_unit(n) for n in (6, 7))]
    path = _book(tmp_path / "units.xlsx", lines, hidden=(3, 5, 7, 9))  # 7: an empty row
    table, warnings = _warnings(lambda: load_units(path))
    assert len(table.units) == 7  # data is data: every unit is read
    [warning] = warnings
    assert (warning.code, warning.row) == (ErrorCode.HIDDEN_ROWS, None)
    assert warning.message == (
        "3 rows hidden in Excel (by a filter, or by hand) were read, and count as the others: "
        "rows 3, 5, 9; show them (Data > Clear for a filter, else right-click > Unhide) to "
        "check them, and delete those that must not count")


def test_many_hidden_rows_are_counted_past_ten(tmp_path: Path) -> None:
    lines = [HEADER_IT, *(_unit(n) for n in range(1, 16))]
    path = _book(tmp_path / "units.xlsx", lines, hidden=tuple(range(2, 16)))
    _table, [warning] = _warnings(lambda: load_units(path))
    assert "rows 2, 3, 4, 5, 6, 7, 8, 9, 10, 11 and 4 more;" in warning.message


def test_a_shared_table_names_only_the_hidden_rows_of_the_ambito_read(tmp_path: Path) -> None:
    # A table of several Ambiti (an `ambito` column), filtered by one: the warning names the
    # hidden rows of that Ambito, not those of the others, which it does not read.
    lines = [[*HEADER_IT, "ambito"],
             *([*_unit(n), "A" if n % 2 else "B"] for n in range(1, 7))]
    path = _book(tmp_path / "units.xlsx", lines, hidden=(2, 3, 5))  # A: 2, 4, 6; B: 3, 5, 7
    cache = TableCache()
    table, [warning] = _warnings(lambda: load_units(path, ambito="A", cache=cache))
    assert [unit.row for unit in table.units] == [2, 4, 6]
    assert "row 2;" in warning.message
    table, [warning] = _warnings(lambda: load_units(path, ambito="B", cache=cache))
    assert "rows 3, 5;" in warning.message


def test_both_readers_find_the_same_hidden_rows(tmp_path: Path) -> None:
    lines = [HEADER_IT, *(_unit(n) for n in range(1, 4))]
    plain = _book(tmp_path / "plain.xlsx", lines, hidden=(2, 4))
    merged = _book(tmp_path / "merged.xlsx", lines, merge="A3:B3", hidden=(2, 4))
    data = merged.read_bytes()
    assert read_with_calamine(data, UNITS_SHEET) is None  # openpyxl reads merged cells
    assert read_xlsx_table(plain.read_bytes(), "plain.xlsx", UNITS_SHEET)[2] == {2, 4}
    assert read_xlsx_table(data, "merged.xlsx", UNITS_SHEET)[2] == {2, 4}


def test_one_hidden_row_is_named_in_italian(tmp_path: Path) -> None:
    path = _book(tmp_path / "units.xlsx", [HEADER_IT, _unit(1), _unit(2)], hidden=(3,))
    with use_language("it"):
        _table, warnings = _warnings(lambda: load_units(path))
    [warning] = warnings
    assert warning.message.startswith("una riga nascosta in Excel (da un filtro, o a mano) è "
                                      "stata letta, e conta come le altre: riga 3;")


def test_a_sheet_without_hidden_rows_gives_no_warning(tmp_path: Path) -> None:
    path = _book(tmp_path / "units.xlsx", [HEADER_IT, _unit(1)])
    _table, warnings = _warnings(lambda: load_units(path))
    assert warnings == []


# --- 7. a repeated column ---------------------------------------------------------------------


def test_a_repeated_column_is_named_by_the_headings_written_and_the_templates(
        tmp_path: Path) -> None:
    path = _book(tmp_path / "units.xlsx", [[*HEADER_IT, "Costi"], [*_unit(1), 1.0]])
    with pytest.raises(InputError) as exc:
        load_units(path)
    [problem] = exc.value.problems
    assert (problem.column, problem.code) == ("Costi", ErrorCode.DUPLICATE_COLUMN)
    assert problem.message == ("this column repeats column 'Costi 2024' (both mean the "
                               "template's column 'Costi'); keep only one")
    assert "costs" not in str(exc.value)


def test_id_keys_ignore_case_spaces_and_leading_zeros_one_per_row() -> None:
    from fsr_opt.io.units import _id_keys  # noqa: PLC0415

    assert _id_keys([]) == []
    assert _id_keys(["UDO 142207", "udo0142207", "", None, "A 0 07", "0", "00", "U10"]) == [
        "udo142207", "udo142207", "", "", "a7", "0", "0", "u10"]
    # folded in one call for the whole column, as normalize_id folds each id
    fullwidth = "\uff35\uff24\uff2f\uff11\uff14\uff12\uff12\uff10\uff17"  # UDO142207
    assert _id_keys([fullwidth, "Udo\u200b142207", "UDO\u00a0142207", "a\nb"]) == [
        "udo142207", "udo142207", "udo142207", "ab"]


@given(st.lists(st.one_of(st.none(), st.text(max_size=12)), max_size=20))
def test_id_keys_fold_each_id_as_normalize_id_does(ids: list[str | None]) -> None:
    from fsr_opt.io.units import _LEADING_ZEROS, _id_keys  # noqa: PLC0415

    expected = [_LEADING_ZEROS.sub("", normalize_id(unit_id).replace(" ", ""))
                if isinstance(unit_id, str) and unit_id else "" for unit_id in ids]
    assert _id_keys(ids) == expected
