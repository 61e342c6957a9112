"""Tests of fsr_opt.io.files: reading units tables and rule sets, writing outputs atomically."""

from __future__ import annotations

import contextlib
import errno
import json
import os
from datetime import date, datetime
from decimal import Decimal
from pathlib import Path
from typing import Any

import openpyxl
import pytest
import yaml

from fsr_opt.core.errors import InputError, RuleSetError
from fsr_opt.core.schema import INPUT_COLUMNS, Ownership, UnitRecord
from fsr_opt.io import files
from fsr_opt.io.bundled import default_rules_path, default_units_path
from fsr_opt.io.files import (
    csv_bytes,
    json_bytes,
    load_allocation_table,
    load_units,
    read_rule_document,
    sha256_file,
    write_outputs,
)

BAD_INPUTS = Path(__file__).parent / "bad_inputs"

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


# --- numbers, dates, booleans ------------------------------------------------------------------

MONEY_CASES = [
    # text, Italian dialect, cents or error code
    ("1234.56", False, 123456),
    ("1234,56", False, 123456),
    ("1.234,56", False, 123456),
    ("1,234.56", False, 123456),
    ("1234", False, 123400),
    ("€ 1.234,56", False, 123456),
    ("1.234,56 €", True, 123456),
    ("1 234,5", False, 123450),
    ("1\u00a0234.50", False, 123450),
    ("1.234.567", False, 123456700),
    ("1,234,567.8", False, 123456780),
    ("0,5", False, 50),
    ("1.234", True, 123400),
    ("1234.56", True, 123456),
    ("1.234", False, "AMBIGUOUS_NUMBER"),
    ("1,234", False, "AMBIGUOUS_NUMBER"),
    ("1,234", True, "AMBIGUOUS_NUMBER"),
    ("1234.567", False, "TOO_MANY_DECIMALS"),
    ("1.234,567", True, "TOO_MANY_DECIMALS"),
    ("-5", False, "NEGATIVE"),
    ("-1.234,56", True, "NEGATIVE"),
    ("abc", False, "NOT_A_NUMBER"),
    ("nan", False, "NOT_A_NUMBER"),
    ("inf", False, "NOT_A_NUMBER"),
    ("1e5", False, "NOT_A_NUMBER"),
    ("12,34,56", False, "NOT_A_NUMBER"),
    ("1,23.45", False, "NOT_A_NUMBER"),
    ("1.234,56,7", False, "NOT_A_NUMBER"),
    ("12 34", False, "NOT_A_NUMBER"),
    ("200000000000", False, "TOO_LARGE"),
    (1234.56, False, 123456),
    (0.1 + 0.2, False, 30),
    (1234.5678, False, "TOO_MANY_DECIMALS"),
    (1500, False, 150000),
    (-1.0, False, "NEGATIVE"),
    (True, False, "NOT_A_NUMBER"),
    (date(2024, 1, 1), False, "NOT_A_NUMBER"),
]


@pytest.mark.parametrize(("raw", "italian", "expected"), MONEY_CASES)
def test_money_parsing(raw: Any, italian: bool, expected: int | str) -> None:
    result = files._parse_money(raw, italian)
    if isinstance(expected, int):
        assert result == expected
    else:
        assert isinstance(result, files._Bad)
        assert result.code == expected


@pytest.mark.parametrize(("raw", "expected"), [
    ("12", 12), ("12.0", 12), (12.0, 12), (7, 7), ("0", 0), ("1.234", "AMBIGUOUS_NUMBER"),
    ("12.5", "NOT_AN_INTEGER"), (12.5, "NOT_AN_INTEGER"), ("-1", "NEGATIVE"),
    ("tanti", "NOT_A_NUMBER"), (False, "NOT_A_NUMBER"),
])
def test_users_parsing(raw: Any, expected: int | str) -> None:
    result = files._parse_int(raw, False)
    if isinstance(expected, int):
        assert result == expected
    else:
        assert isinstance(result, files._Bad)
        assert result.code == expected


@pytest.mark.parametrize(("raw", "expected"), [
    ("2024-01-31", date(2024, 1, 31)), ("31/01/2024", date(2024, 1, 31)),
    ("1/2/2024", date(2024, 2, 1)), (datetime(2024, 1, 31, 0, 0), date(2024, 1, 31)),
    (date(2024, 1, 31), date(2024, 1, 31)), ("31-01-2024", None), ("2024/01/31", None),
    ("30/02/2024", None), ("31.01.2024", None), (45321, None), ("01/01/0024", None),
])
def test_date_parsing(raw: Any, expected: date | None) -> None:
    result = files._parse_date(raw, False)
    if expected is None:
        assert isinstance(result, files._Bad)
        assert result.code == "NOT_A_DATE"
    else:
        assert result == expected


@pytest.mark.parametrize(("raw", "expected"), [
    ("true", True), ("FALSE", False), ("Yes", True), ("no", False), ("sì", True), ("SI", True),
    ("1", True), ("0", False), ("vero", True), ("falso", False), ("y", True), ("N", False),
    ("s", True), (True, True), (0, False), (1.0, True), ("forse", None), ("2", None), (2, None),
])
def test_bool_parsing(raw: Any, expected: bool | None) -> None:
    result = files._parse_bool(raw, False)
    if expected is None:
        assert isinstance(result, files._Bad)
        assert result.code == "NOT_A_BOOLEAN"
    else:
        assert result is expected


def test_heading_aliases_do_not_collide() -> None:
    names = [files._norm(n) for s in INPUT_COLUMNS for n in {s.name, s.heading_it, *s.aliases}]
    assert len(names) == len(set(names))


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
    headings = [spec.heading_it for spec in INPUT_COLUMNS]
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


@pytest.mark.parametrize("name", sorted(_EXPECTED_WORDS))
def test_bad_input_never_escapes_the_allocation_reader(name: str) -> None:
    with contextlib.suppress(InputError):  # any other exception type fails the test
        load_allocation_table(BAD_INPUTS / name)


# --- the allocation reader ----------------------------------------------------------------------


def test_allocation_table_csv_round_trip(tmp_path: Path) -> None:
    header = ["unit_id", "name", "award"]
    data = csv_bytes(header, [["U1", "=cmd()", "-12.05"], ["U2", "Nido", "300.00"]],
                     numeric_columns={"award"})
    path = tmp_path / "allocation.csv"
    path.write_bytes(data)
    headings, rows, sha = load_allocation_table(path)
    assert headings == header
    assert rows == [
        {"__row__": "2", "unit_id": "U1", "name": "=cmd()", "award": "-12.05"},
        {"__row__": "3", "unit_id": "U2", "name": "Nido", "award": "300.00"},
    ]
    assert sha == sha256_file(path)


def test_allocation_table_xlsx_renders_plain_text(tmp_path: Path) -> None:
    path = _write_xlsx(tmp_path / "allocation.xlsx", ["unit_id", "award", "date", "eligible"],
                       [[12345, 1234.56, datetime(2025, 6, 30), True], ["U2", 300, None, False]],
                       title="allocation")
    headings, rows, _ = load_allocation_table(path)
    assert headings == ["unit_id", "award", "date", "eligible"]
    assert rows[0] == {"__row__": "2", "unit_id": "12345", "award": "1234.56",
                       "date": "2025-06-30", "eligible": "true"}
    assert rows[1]["date"] == ""


def test_allocation_table_reports_formulas_and_duplicate_headings(tmp_path: Path) -> None:
    path = _write_xlsx(tmp_path / "allocation.xlsx", ["unit_id", "award", "Award"],
                       [["U1", "=B3", 1], ["U2", 2, 2]])
    with pytest.raises(InputError) as exc:
        load_allocation_table(path)
    assert _problems(exc) == [(1, "Award", "DUPLICATE_COLUMN"), (2, "award", "FORMULA_CELL")]


# --- rule documents -----------------------------------------------------------------------------


def test_read_rule_document_yaml_and_toml(tmp_path: Path) -> None:
    yaml_file = tmp_path / "rules.yaml"
    yaml_file.write_text("fund: 892495.35\nareas:\n  minori: 50\n", encoding="utf-8")
    document, sha = read_rule_document(yaml_file)
    assert document == {"fund": 892495.35, "areas": {"minori": 50}}
    assert sha == sha256_file(yaml_file)
    toml_file = tmp_path / "rules.toml"
    toml_file.write_text('fund = "892495.35"\n[areas]\nminori = 50\n', encoding="utf-8")
    assert read_rule_document(toml_file)[0] == {"fund": "892495.35", "areas": {"minori": 50}}


@pytest.mark.parametrize(("name", "content", "code", "row"), [
    ("bad.yaml", "fund: 1\nareas: [minori\n", "SYNTAX", 3),
    ("dup.yaml", "fund: 1\nareas:\n  a: 1\n  a: 2\n", "SYNTAX", 4),
    ("list.yaml", "- 1\n- 2\n", "NOT_A_MAPPING", None),
    ("empty.yml", "", "NOT_A_MAPPING", None),
    ("bad.toml", "fund = 1\nfund = 2\n", "SYNTAX", 2),
    ("rules.json", "{}", "UNSUPPORTED_FORMAT", None),
])
def test_read_rule_document_errors(tmp_path: Path, name: str, content: str, code: str,
                                   row: int | None) -> None:
    path = tmp_path / name
    path.write_text(content, encoding="utf-8")
    with pytest.raises(RuleSetError) as exc:
        read_rule_document(path)
    [problem] = exc.value.problems
    assert (problem.code, problem.row, problem.file) == (code, row, str(path))


def test_read_rule_document_missing_file(tmp_path: Path) -> None:
    with pytest.raises(RuleSetError, match="not found"):
        read_rule_document(tmp_path / "nope.yaml")


def test_default_paths_point_into_the_repository() -> None:
    root = Path(files.__file__).resolve().parents[3]
    assert default_rules_path() == root / "models" / "fsr-2025-bergamo.yaml"
    assert default_units_path() == root / "data" / "bergamo-2025" / "units.csv"


# --- writers ------------------------------------------------------------------------------------


def test_csv_bytes_is_deterministic_and_formula_safe() -> None:
    header = ["unit_id", "name", "award", "note"]
    rows = [
        ["U1", "=HYPERLINK(\"x\")", "-12.05", "+39 035"],
        ["U2", "@SUM(A1)", "=1+1", "-"],
        ["U3", "\tTab", "", "a,b"],
        ["U4", "Città \"Alta\"", "300.00", "\rcr"],
    ]
    data = csv_bytes(header, rows, numeric_columns={"award"})
    assert data == csv_bytes(header, rows, numeric_columns=["award"])
    assert data.decode("utf-8") == (
        "unit_id,name,award,note\n"
        "U1,\"'=HYPERLINK(\"\"x\"\")\",-12.05,'+39 035\n"
        "U2,'@SUM(A1),'=1+1,'-\n"
        "U3,'\tTab,,\"a,b\"\n"
        "U4,\"Città \"\"Alta\"\"\",300.00,\"'\rcr\"\n"
    )
    assert not data.startswith(b"\xef\xbb\xbf")
    with pytest.raises(ValueError, match="row 1"):
        csv_bytes(header, [["too", "short"]])


def test_json_bytes_is_deterministic() -> None:
    obj = {"b": [1, 2], "a": {"z": "Città", "y": date(2025, 1, 1), "x": Decimal("1.50")}}
    data = json_bytes(obj)
    assert data.endswith(b"}\n")
    assert data.decode("utf-8").index('"a"') < data.decode("utf-8").index('"b"')
    assert json.loads(data) == {"a": {"x": "1.50", "y": "2025-01-01", "z": "Città"},
                                "b": [1, 2]}
    assert "Città" in data.decode("utf-8")
    with pytest.raises(ValueError):
        json_bytes({"x": float("nan")})


def test_write_outputs_writes_all_in_order(tmp_path: Path) -> None:
    out = tmp_path / "deep" / "out"
    paths = write_outputs(out, {"b.csv": b"b\n", "a.json": b"{}\n"})
    assert paths == [out / "b.csv", out / "a.json"]
    assert (out / "b.csv").read_bytes() == b"b\n"
    assert sorted(p.name for p in out.iterdir()) == ["a.json", "b.csv"]
    write_outputs(out, {"b.csv": b"new\n"})
    assert (out / "b.csv").read_bytes() == b"new\n"
    assert sorted(p.name for p in out.iterdir()) == ["a.json", "b.csv"]


def test_write_outputs_disk_full_leaves_old_outputs(tmp_path: Path,
                                                    monkeypatch: pytest.MonkeyPatch) -> None:
    out = tmp_path / "out"
    write_outputs(out, {"allocation.csv": b"old allocation\n", "run.json": b"old run\n"})
    real_fsync = os.fsync
    calls = []

    def failing_fsync(fd: int) -> None:
        calls.append(fd)
        if len(calls) == 2:  # the second temporary file: the first is already written
            raise OSError(errno.ENOSPC, "No space left on device")
        real_fsync(fd)

    monkeypatch.setattr(os, "fsync", failing_fsync)
    with pytest.raises(InputError, match="disk is full") as exc:
        write_outputs(out, {"allocation.csv": b"new\n", "run.json": b"new\n", "x.csv": b"x"})
    assert exc.value.problems[0].file == str(out)
    assert (out / "allocation.csv").read_bytes() == b"old allocation\n"
    assert (out / "run.json").read_bytes() == b"old run\n"
    assert sorted(p.name for p in out.iterdir()) == ["allocation.csv", "run.json"]


def test_write_outputs_failed_move_restores_old_outputs(tmp_path: Path,
                                                        monkeypatch: pytest.MonkeyPatch) -> None:
    out = tmp_path / "out"
    write_outputs(out, {"allocation.csv": b"old allocation\n", "run.json": b"old run\n"})
    real_replace = os.replace
    moves = []

    def failing_replace(src: Any, dst: Any) -> None:
        moves.append(dst)
        if len(moves) == 3:  # allocation and summary moved, run.json fails
            raise OSError(errno.EACCES, "Permission denied")
        real_replace(src, dst)

    monkeypatch.setattr(os, "replace", failing_replace)
    with pytest.raises(InputError, match="not writable"):
        write_outputs(out, {"allocation.csv": b"new\n", "summary.csv": b"new\n",
                            "run.json": b"new\n"})
    assert (out / "allocation.csv").read_bytes() == b"old allocation\n"
    assert (out / "run.json").read_bytes() == b"old run\n"
    assert sorted(p.name for p in out.iterdir()) == ["allocation.csv", "run.json"]


def test_write_outputs_refuses_a_file_in_the_way(tmp_path: Path) -> None:
    blocker = tmp_path / "out"
    blocker.write_text("not a folder")
    with pytest.raises(InputError, match="not a folder"):
        write_outputs(blocker, {"a.csv": b""})
    with pytest.raises(InputError, match="cannot create"):
        write_outputs(blocker / "sub", {"a.csv": b""})
    with pytest.raises(ValueError, match="plain file name"):
        write_outputs(tmp_path / "ok", {"../a.csv": b""})


def test_sha256_file_missing(tmp_path: Path) -> None:
    with pytest.raises(InputError, match="not found"):
        sha256_file(tmp_path / "missing.csv")


def _zip_bytes(parts: dict[str, bytes]) -> bytes:
    import io  # noqa: PLC0415
    import zipfile  # noqa: PLC0415

    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, content in parts.items():
            archive.writestr(name, content)
    return buffer.getvalue()


def _saved_workbook(tmp_path: Path, rows: list[list[Any]]) -> bytes:
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    assert sheet is not None
    for row in rows:
        sheet.append(row)
    path = tmp_path / "book.xlsx"
    workbook.save(path)
    return path.read_bytes()


def test_formula_scan_tells_workbooks_with_and_without_formulas(tmp_path: Path) -> None:
    assert not files._may_hold_formulas(_saved_workbook(tmp_path, [["costs"], [1], ["fill"]]))
    assert files._may_hold_formulas(_saved_workbook(tmp_path, [["costs"], [1], ["=SUM(A2)"]]))


@pytest.mark.parametrize("element", [b"<f>SUM(A1)</f>", b'<f t="shared" si="0"/>',
                                     b"<x:f>A1</x:f>", b"<f\n>A1</f>"])
def test_formula_scan_finds_every_spelling_of_a_formula(element: bytes) -> None:
    sheet = b"<worksheet><sheetData><row><c r='A1'>" + element + b"</c></row></sheetData>"
    assert files._may_hold_formulas(_zip_bytes({"xl/worksheets/sheet1.xml": sheet}))
    # the same text outside a worksheet part, or look-alike tags, are no formula
    assert not files._may_hold_formulas(_zip_bytes({"xl/sharedStrings.xml": sheet}))
    assert not files._may_hold_formulas(_zip_bytes(
        {"xl/worksheets/sheet1.xml": b"<worksheet><font/><fill/><formula1>1</formula1>"}))


def test_formula_scan_finds_a_tag_across_read_chunks(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(files, "_SCAN_CHUNK", 64)
    for offset in range(60, 68):
        sheet = b" " * offset + b"<f>A1</f>" + b" " * 200
        assert files._may_hold_formulas(_zip_bytes({"xl/worksheets/sheet1.xml": sheet}))


def test_formula_scan_says_maybe_when_the_zip_is_unreadable() -> None:
    assert files._may_hold_formulas(b"PK\x03\x04 not really a zip")


def test_a_table_is_parsed_once_for_the_same_bytes(tmp_path: Path) -> None:
    # region reads a table shared by several Ambiti once per Ambito: the same bytes give the
    # same table, any change of the bytes (even of the same size, in the same instant) a new one
    path = tmp_path / "units.csv"
    path.write_text("unit_id,costs\nA,10\n", encoding="utf-8")

    def read(sheet_names: frozenset[str] = files._UNITS_SHEETS,
             remember: bool = True) -> Any:
        return files._read_table(path, sheet_names=sheet_names,
                                 looks_right=files._has_units_headings, remember=remember)

    first = read()
    assert read() is first
    assert read(remember=False) is first  # any read uses the kept table
    other_sheets = read(files._ALLOCATION_SHEETS)
    assert other_sheets is not first and other_sheets == first
    assert read() is not first  # only the last table is kept
    path.write_text("unit_id,costs\nB,20\n", encoding="utf-8")
    changed = read()
    assert changed.rows[0][1] == ("B", "20")
    plain = read(remember=False)
    assert plain == changed and plain is changed
    path.write_text("unit_id,costs\nC,30\n", encoding="utf-8")
    assert read(remember=False).rows[0][1] == ("C", "30")
    assert read(remember=False) is not read(remember=False)  # a plain read keeps nothing
