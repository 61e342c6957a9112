"""The SpreadsheetML writer: the parts of allocation.xlsx themselves, hostile text, same bytes.

tests/reports/test_workbook.py reads the workbook back with openpyxl (what `fsr-opt audit`
does); these tests also read the XML parts directly, as Excel would, so that an escape openpyxl
happens to tolerate cannot hide a file Excel would have to repair.
"""

from __future__ import annotations

import hashlib
import io
import os
import re
import subprocess
import sys
import zipfile
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from pathlib import Path
from typing import Any
from xml.etree import ElementTree

import openpyxl
import pytest
import python_calamine
from hypothesis import given
from hypothesis import strategies as st
from openpyxl.utils import column_index_from_string, get_column_letter

from fsr_opt.app.pipeline import load_inputs
from fsr_opt.audit.run import audit_solution
from fsr_opt.core.schema import Assessment, RuleSet
from fsr_opt.engine.eligibility import assess
from fsr_opt.engine.outcomes import unit_outcomes
from fsr_opt.engine.solve import solve_riparto
from fsr_opt.reports import xlsx
from fsr_opt.reports.workbook import ALLOCATION_SHEET, allocation_workbook, decimal_sum
from fsr_opt.reports.xlsx import (
    BOLD,
    Workbook,
    _all_text,
    _plain_column,
    _texts,
    reproducible_xlsx,
)

from tests.conftest import table, tiny_rules, unit

NS = "{http://schemas.openxmlformats.org/spreadsheetml/2006/main}"
PARTS = [
    "[Content_Types].xml", "_rels/.rels", "docProps/app.xml", "docProps/core.xml",
    "xl/workbook.xml", "xl/_rels/workbook.xml.rels", "xl/styles.xml", "xl/sharedStrings.xml",
    *(f"xl/worksheets/sheet{n}.xml" for n in range(1, 9)),
]
# CT_Worksheet's sequence (ECMA-376 Part 1, 18.3.1.99): Excel repairs a file that breaks it.
WORKSHEET_ORDER = [
    "sheetPr", "dimension", "sheetViews", "sheetFormatPr", "cols", "sheetData", "sheetCalcPr",
    "sheetProtection", "protectedRanges", "scenarios", "autoFilter", "sortState",
    "dataConsolidate", "customSheetViews", "mergeCells", "phoneticPr", "conditionalFormatting",
    "dataValidations", "hyperlinks", "printOptions", "pageMargins", "pageSetup", "headerFooter",
]
STYLESHEET_ORDER = ["numFmts", "fonts", "fills", "borders", "cellStyleXfs", "cellXfs",
                    "cellStyles", "dxfs", "tableStyles", "colors", "extLst"]


def build(assessments: tuple[Assessment, ...], rules: RuleSet, *, audited: bool = True,
          tamper: bool = False) -> bytes:
    result = solve_riparto(assessments, rules)
    assert result.allocation is not None
    outcomes = unit_outcomes(assessments, result.allocation, rules)
    awards = dict(result.allocation.awards)
    if tamper:  # one cent too many for a funded unit: the audit reports violations
        funded = next(unit_id for unit_id, award in awards.items() if award > 0)
        awards[funded] += 1
    report = audit_solution(assessments, rules, awards) if audited else None
    return allocation_workbook(outcomes, result.allocation, rules, audit=report)


@pytest.fixture(scope="module")
def example() -> bytes:
    inputs = load_inputs(None, None)
    return build(inputs.assessments, inputs.rules)


def parts(data: bytes) -> dict[str, bytes]:
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        return {info.filename: archive.read(info) for info in archive.infolist()}


def excel_text(text: str) -> str:
    """What Excel shows for a stored string: ``_xHHHH_`` escapes decoded (ST_Xstring)."""
    return re.sub(r"_x([0-9A-Fa-f]{4})_", lambda m: chr(int(m.group(1), 16)), text)


@dataclass
class Cell:
    value: str
    kind: str  # t attribute: "s", or "n" for a number
    style: ElementTree.Element


def read_sheet(data: bytes, number: int) -> dict[str, Cell]:
    """The cells of a sheet as Excel reads them, straight from the XML."""
    files = parts(data)
    strings = [excel_text("".join(si.itertext()))
               for si in ElementTree.fromstring(files["xl/sharedStrings.xml"])]
    styles = ElementTree.fromstring(files["xl/styles.xml"])
    xfs = list(next(styles.iter(f"{NS}cellXfs")))
    sheet = ElementTree.fromstring(files[f"xl/worksheets/sheet{number}.xml"])
    cells = {}
    row_number = 0
    for row in sheet.iter(f"{NS}row"):
        row_number = int(row.get("r", row_number + 1))
        col = 0
        for c in row.iter(f"{NS}c"):
            # ECMA-376: a cell without its reference is the one after the row's previous cell
            ref = c.get("r") or f"{get_column_letter(col + 1)}{row_number}"
            letters = ref.rstrip("0123456789")
            assert ref == f"{letters}{row_number}", ref
            col = column_index_from_string(letters)
            assert c.find(f"{NS}f") is None, ref  # never a formula
            kind = c.get("t", "n")
            raw = c.findtext(f"{NS}v") or ""
            value = strings[int(raw)] if kind == "s" else raw
            cells[ref] = Cell(value, kind, xfs[int(c.get("s", "0"))])
    return cells


def test_every_part_is_well_formed_xml_in_schema_order(example: bytes) -> None:
    files = parts(example)
    assert list(files) == PARTS  # a fixed order, [Content_Types].xml first
    for name, payload in files.items():
        ElementTree.fromstring(payload)  # raises on malformed XML
        assert payload.startswith(b'<?xml version="1.0" encoding="UTF-8"'), name
    for n in range(1, 9):
        root = ElementTree.fromstring(files[f"xl/worksheets/sheet{n}.xml"])
        tags = [child.tag.removeprefix(NS) for child in root]
        assert tags == sorted(tags, key=WORKSHEET_ORDER.index), tags
    styles = [c.tag.removeprefix(NS) for c in ElementTree.fromstring(files["xl/styles.xml"])]
    assert styles == sorted(styles, key=STYLESHEET_ORDER.index)


def test_workbook_parts_filters_and_document_properties(example: bytes) -> None:
    files = parts(example)
    book = ElementTree.fromstring(files["xl/workbook.xml"])
    names = [(d.get("name"), d.get("localSheetId"), d.get("hidden"), d.text)
             for d in book.iter(f"{NS}definedName")]
    assert [n[:3] for n in names] == [
        *(("_xlnm._FilterDatabase", str(i), "1") for i in range(8)),
        *(("_xlnm.Print_Titles", str(i), None) for i in range(8))]
    assert names[8][3] == "'Riparto'!$1:$1"
    assert names[0][3] is not None and names[0][3].startswith("'Riparto'!$A$1:$V$")
    sheet = ElementTree.fromstring(files["xl/worksheets/sheet1.xml"])
    pane = sheet.find(f"{NS}sheetViews/{NS}sheetView/{NS}pane")
    assert pane is not None and pane.attrib == {
        "ySplit": "1", "topLeftCell": "A2", "activePane": "bottomLeft", "state": "frozen"}
    last = names[0][3].rsplit("$", 1)[1]
    assert sheet.find(f"{NS}autoFilter") is not None
    assert sheet.find(f"{NS}autoFilter").get("ref") == f"A1:V{last}"  # type: ignore[union-attr]
    core = files["docProps/core.xml"].decode()
    assert "<dc:creator>fsr-opt</dc:creator>" in core
    assert "<dc:title>FSR 2025 - Bergamo</dc:title>" in core
    assert core.count(">2000-01-01T00:00:00Z</dcterms:") == 2
    with zipfile.ZipFile(io.BytesIO(example)) as archive:
        assert {info.date_time for info in archive.infolist()} == {(2000, 1, 1, 0, 0, 0)}
    loaded = openpyxl.load_workbook(io.BytesIO(example))
    assert loaded.properties.title == "FSR 2025 - Bergamo"
    assert loaded.properties.creator == "fsr-opt"
    assert loaded.properties.created == datetime(2000, 1, 1)


def test_header_style_and_number_cells(example: bytes) -> None:
    cells = read_sheet(example, 1)
    header = cells["A1"].style
    styles = ElementTree.fromstring(parts(example)["xl/styles.xml"])
    fonts = list(next(styles.iter(f"{NS}fonts")))
    fills = list(next(styles.iter(f"{NS}fills")))
    assert fonts[int(header.get("fontId", "0"))].find(f"{NS}b") is not None
    fill = fills[int(header.get("fillId", "0"))].find(f"{NS}patternFill/{NS}fgColor")
    assert fill is not None and fill.get("rgb", "").endswith("DDE5F0")
    alignment = header.find(f"{NS}alignment")
    assert alignment is not None and alignment.get("wrapText") == "1"
    award = cells[f"P{2}"]  # Contributo
    assert award.kind == "n" and award.style.get("numFmtId") == "4"  # #,##0.00, built in
    formats = {f.get("numFmtId"): f.get("formatCode") for f in styles.iter(f"{NS}numFmt")}
    assert formats[cells["O2"].style.get("numFmtId")] == "0.0000%"
    assert formats[cells["M2"].style.get("numFmtId")] == "0.000000"
    book = openpyxl.load_workbook(io.BytesIO(example))
    assert book["Riparto"]["A1"].fill.fgColor.rgb.endswith("DDE5F0")
    assert book["Riparto"]["A1"].alignment.wrap_text
    assert book["Pagamenti"]["B2"].number_format == "0"
    assert book["Riparto"].column_dimensions["B"].width <= 60


def test_cells_left_without_reference_are_where_excel_libraries_put_them(
    example: bytes,
) -> None:
    # A table's cell that follows the row's previous one leaves out its reference (r="B7"),
    # as ECMA-376 allows; a cell after an empty one keeps it. openpyxl and calamine (what
    # pandas reads with) find every cell of every sheet where the reader of this module does.
    calamine = python_calamine.CalamineWorkbook.from_filelike(io.BytesIO(example))
    book = openpyxl.load_workbook(io.BytesIO(example))
    sheet_xml = parts(example)["xl/worksheets/sheet1.xml"].decode("utf-8")
    assert sheet_xml.count("<c ") > 2 * sheet_xml.count(' r="', sheet_xml.index("<sheetData>"))
    for number, name in enumerate(calamine.sheet_names, start=1):
        ours = {ref: cell.value for ref, cell in read_sheet(example, number).items()}
        theirs = {f"{get_column_letter(col)}{row}": value
                  for row, values in enumerate(calamine.get_sheet_by_name(name).to_python(),
                                               start=1)
                  for col, value in enumerate(values, start=1) if value != ""}
        assert theirs.keys() == ours.keys(), name
        opened = {cell.coordinate for row in book[name].iter_rows() for cell in row
                  if cell.value is not None}
        assert opened == ours.keys(), name


def test_a_cell_after_an_empty_one_keeps_its_reference() -> None:
    book = xlsx.Workbook("t")
    sheet = book.add_sheet("S")
    sheet.table(["a", "b", "c"], ["text", "text", "money"],
                [["x", "", "1.00"], ["y", "z", "2.00"]])
    cells = read_sheet(book.to_bytes(), 1)
    assert {ref: cell.value for ref, cell in cells.items()} == {
        "A1": "a", "B1": "b", "C1": "c", "A2": "x", "C2": "1.00", "A3": "y", "B3": "z",
        "C3": "2.00"}
    loaded = openpyxl.load_workbook(io.BytesIO(book.to_bytes()))["S"]
    assert [[c.value for c in row] for row in loaded.iter_rows(min_row=2)] == [
        ["x", None, 1], ["y", "z", 2]]


def test_two_builds_are_byte_identical(example: bytes) -> None:
    inputs = load_inputs(None, None)
    assert build(inputs.assessments, inputs.rules) == example


def test_same_bytes_whatever_the_hash_seed(example: bytes) -> None:
    """Nothing in the workbook may follow a set's (hash-seeded) order."""
    script = (
        "import hashlib, sys\n"
        "from tests.reports.test_xlsx import build\n"
        "from fsr_opt.app.pipeline import load_inputs\n"
        "inputs = load_inputs(None, None)\n"
        "print(hashlib.sha256(build(inputs.assessments, inputs.rules)).hexdigest())\n"
    )
    digests = set()
    for seed in ("1", "2"):
        env = {**os.environ, "PYTHONHASHSEED": seed}
        done = subprocess.run([sys.executable, "-c", script], env=env, capture_output=True,
                              text=True, check=True, cwd=Path(__file__).parents[2])
        digests.add(done.stdout.strip())
    assert digests == {hashlib.sha256(example).hexdigest()}


# Excel reads each of these back exactly (the escapes of ST_Xstring decoded).
HOSTILE = [
    "=SUM(A1)*2",
    "+39 035 123",
    "-1",
    "@cmd",
    "=cmd|' /C calc'!A0",
    "<b>Tom & \"Jerry\"</b> 'x' ]]> &amp;",
    "  leading and trailing  ",
    "line1\nline2\r\nline3\ttab",
    "Coop 👩‍👩‍👧 € ñ 中文",
    "_x0041_ stays as typed, _x005F_ too",
    "bell\x07 vt\x0b ff\x0c esc\x1b nul\x00",
    "lone \ud800 surrogate",
    "L" * 40_000,
    "😀" * 20_000,
    "\ud800" + "M" * 40_000,
]


def shown(text: str) -> str:
    """The text a cell holds: cut to Excel's 32,767 UTF-16 units, with an ellipsis."""
    if len(text.encode("utf-16-le", "surrogatepass")) // 2 <= 32_767:
        return text
    cut = {"L": "L" * 32_766, "😀": "😀" * 16_383, "\ud800": "\ud800" + "M" * 32_765}
    return cut[text[0]] + "…"


@pytest.fixture(scope="module")
def hostile() -> bytes:
    rules = tiny_rules({"s": ("a", 100)}, {"a": 100}, fund=10_000_000)
    units = [unit(f"U{i:02d}", "s", 50_000 + i * 10_000, name=text, operator=text)
             for i, text in enumerate(HOSTILE)]
    return build(assess(table(units), rules), rules)


def test_hostile_text_reaches_excel_intact(hostile: bytes) -> None:
    cells = read_sheet(hostile, 1)
    for row, text in enumerate(HOSTILE, start=2):
        for column in ("B", "C"):  # name, operator
            cell = cells[f"{column}{row}"]
            assert cell.kind == "s" and cell.value == shown(text), (row, column)
            quoted = cell.style.get("quotePrefix") == "1"
            assert quoted == text.startswith(("=", "+", "-", "@")), (row, text[:20])
    for payload in parts(hostile).values():
        ElementTree.fromstring(payload)


def test_hostile_text_reads_back_with_openpyxl(hostile: bytes) -> None:
    """openpyxl, the reader of `fsr-opt audit`, gets the text too; it leaves the control
    characters' ``_xHHHH_`` escapes as they are."""
    book = openpyxl.load_workbook(io.BytesIO(hostile))
    sheet = book["Riparto"]
    for row, text in enumerate(HOSTILE, start=2):
        cell = sheet.cell(row=row, column=2)
        assert cell.data_type == "s", row
        if "\x07" in text:
            assert cell.value == "bell_x0007_ vt_x000B_ ff_x000C_ esc_x001B_ nul_x0000_"
        elif "\ud800" in text:
            assert cell.value.replace("_xD800_", "\ud800") == shown(text)
        elif "_x005F_" in text:
            assert cell.value.startswith("_x0041_ stays as typed, ")
        else:
            assert cell.value == shown(text), row
        assert bool(cell.quotePrefix) == text.startswith(("=", "+", "-", "@"))
    for ws in book.worksheets:
        for cells in ws.iter_rows():
            assert all(c.data_type != "f" for c in cells)


def test_verifiche_without_an_audit_and_with_violations() -> None:
    inputs = load_inputs(None, None)
    data = build(inputs.assessments, inputs.rules, audited=False)
    cells = read_sheet(data, 8)
    assert list(cells) == ["A1"] and "non eseguite" in cells["A1"].value
    files = parts(data)
    sheet = ElementTree.fromstring(files["xl/worksheets/sheet8.xml"])
    assert sheet.find(f"{NS}autoFilter") is None and sheet.find(f"{NS}cols") is None
    assert b'localSheetId="7"' not in files["xl/workbook.xml"]

    failing = build(inputs.assessments, inputs.rules, tamper=True)
    book = openpyxl.load_workbook(io.BytesIO(failing))
    checks = book["Verifiche"]
    column_a = [c.value for c in checks["A"]]
    assert "NON superata" in [c.value for c in checks["F"]]
    heading = column_a.index("Violazioni") + 1
    assert checks.cell(row=heading, column=1).font.bold
    assert checks.cell(row=heading + 1, column=1).value  # the first violation's check


def test_a_large_table_builds_and_reads_back() -> None:
    rows = [
        [f"UDO{n:07d}", f"Unità {n} <{n % 7}> &", f"=Ente {n % 500}", f"Comune {n % 40}", "NIDO",
         "pubblica", "minori", "prima_infanzia", "sì", "" if n % 3 else "NO_DEFICIT",
         f"{n * 3}.{n % 100:02d}", "", "1", f"{n}.50", "0.086872", f"{n}.25", "AREA_BUDGET",
         f"-{n}.10", "0.00", f"{n}.25", "0.00", "0.000000"]
        for n in range(20_000)
    ]
    book = Workbook("FSR 2025 - test")
    book.add_sheet("Riparto").table([c.heading("it") for c in ALLOCATION_SHEET],
                                    [c.kind for c in ALLOCATION_SHEET], rows)
    data = book.to_bytes()
    for payload in parts(data).values():
        ElementTree.fromstring(payload)
    book = openpyxl.load_workbook(io.BytesIO(data), read_only=True)
    values = list(book["Riparto"].iter_rows(values_only=True))
    assert len(values) == 20_001
    last = values[-1]
    assert last[0] == "UDO0019999" and last[2] == "=Ente 499" and last[11] is None
    assert Decimal(str(last[10])) == Decimal("59997.99")
    assert last[17] == pytest.approx(-19999.10) and last[18] == 0
    book.close()


def test_reproducible_xlsx_pins_openpyxl_files() -> None:
    """scripts/make_bergamo_example.py writes units.xlsx with openpyxl, then this."""
    saved = []
    for created in (datetime(2021, 5, 6, 7, 8, 9), datetime(2024, 1, 2, 3, 4, 5)):
        book = openpyxl.Workbook()
        book.active.append(["Codice unità", 1])  # type: ignore[union-attr]
        book.properties.created = created
        raw = io.BytesIO()
        book.save(raw)
        saved.append(reproducible_xlsx(raw.getvalue(), datetime(2025, 9, 8)))
    assert saved[0] == saved[1]
    with zipfile.ZipFile(io.BytesIO(saved[0])) as archive:
        assert {i.date_time for i in archive.infolist()} == {(2025, 9, 8, 0, 0, 0)}
        assert archive.read("docProps/core.xml").count(b">2025-09-08T00:00:00Z<") == 2


def small_book(block_rows: int) -> bytes:
    book = Workbook("test")
    sheet = book.add_sheet("Dati")
    sheet.cell(1, 1, "text", "Titolo", BOLD)
    rows = [[f"U{n}", f"=x{n % 3}", f"{n}.{n % 100:02d}", str(n % 7)] for n in range(25)]
    after = sheet.table(["id", "testo", "importo", "conta"], ["text", "text", "money", "count"],
                        rows, first_row=3)
    sheet.cell(after + 1, 1, "text", "Totale", BOLD)
    sheet.cell(after + 1, 3, "money", Decimal("12.50"), BOLD)
    book.add_sheet("Vuoto").cell(1, 1, "text", "niente")
    return book.to_bytes(block_rows=block_rows)


def test_the_bytes_do_not_depend_on_the_block_size() -> None:
    one_block = small_book(10**6)
    assert small_book(1) == one_block and small_book(7) == one_block


def test_loose_cells_around_a_table_and_a_sheet_without_one() -> None:
    data = small_book(4)
    sheet = ElementTree.fromstring(parts(data)["xl/worksheets/sheet1.xml"])
    rows = [int(r.get("r", "0")) for r in sheet.iter(f"{NS}row")]
    assert rows == [1, 3, *range(4, 29), 30]  # title, heading, 25 rows, blank, total
    dimension = sheet.find(f"{NS}dimension")
    assert dimension is not None and dimension.get("ref") == "A1:D30"
    pane = sheet.find(f"{NS}sheetViews/{NS}sheetView/{NS}pane")
    assert pane is not None and pane.get("ySplit") == "3"
    cells = read_sheet(data, 1)
    assert cells["B4"].value == "=x0" and cells["B4"].style.get("quotePrefix") == "1"
    assert (cells["C30"].kind, cells["C30"].value) == ("n", "12.50")
    empty = read_sheet(data, 2)
    assert list(empty) == ["A1"] and empty["A1"].value == "niente"
    assert ElementTree.fromstring(parts(data)["xl/worksheets/sheet2.xml"]).find(
        f"{NS}autoFilter") is None
    book = openpyxl.load_workbook(io.BytesIO(data))
    assert book["Dati"].auto_filter.ref == "A3:D28"
    assert book["Vuoto"]["A1"].value == "niente"


def test_a_sheet_takes_one_table_and_no_cell_inside_it() -> None:
    sheet = Workbook("test").add_sheet("Dati")
    sheet.table(["a"], ["text"], [["x"], ["y"]])
    with pytest.raises(ValueError, match="already has a table"):
        sheet.table(["a"], ["text"], [])
    with pytest.raises(ValueError, match="belongs to its table"):
        sheet.cell(3, 1, "text", "z")
    other = Workbook("test").add_sheet("Altro")
    other.cell(5, 1, "text", "sotto")
    with pytest.raises(ValueError, match="cells in the rows of the table"):
        other.table(["a"], ["text"], [["x"]] * 10)


# The column-at-once ways (`_numbers`, `_texts`, `_render`) must write what the cell-by-cell
# ways write: a column falls back to them as soon as one cell needs it.
COLUMNS = [
    ["1.50", "-2", "", "3.25"],
    ["1.50", "1e5", "2"],  # not plain: the slow way decides
    ["1.50", "2\n3"],  # a newline of its own
    ["12", "-3", ""],
    [],
    ["1.50", 2, Decimal("3.10"), None],
]


@pytest.mark.parametrize("values", COLUMNS)
@pytest.mark.parametrize("kind", ["money", "count", "ratio"])
def test_numbers_by_column_equal_numbers_by_cell(values: list[object], kind: str) -> None:
    def by_cell(value: object) -> str:
        if value is None or value == "":
            return ""
        if isinstance(value, str) and (xlsx._PLAIN_INTEGER if kind == "count"
                                       else xlsx._PLAIN_NUMBER).fullmatch(value):
            return value
        return xlsx._number(value, kind)

    try:
        expected: list[str] | type[Exception] = [by_cell(v) for v in values]
    except (ValueError, ArithmeticError) as exc:
        expected = type(exc)
    if isinstance(expected, list):
        assert xlsx._numbers(values, kind) == expected
    else:
        with pytest.raises(expected):
            xlsx._numbers(values, kind)


def test_plain_column_and_texts() -> None:
    assert _plain_column(["1", "-2.50", ""], "money")
    assert not _plain_column(["1", "2\n3"], "money") and not _plain_column(["1.5"], "count")
    assert not _plain_column(["+1"], "money") and not _plain_column(["1."], "money")
    assert _all_text([]) and _all_text(["a", ""]) and not _all_text(["a", None])
    assert _texts(["a", None, 3]) == ["a", "", "3"] and _texts(("a", "b")) == ["a", "b"]


def test_a_formula_like_text_is_quoted_wherever_it_sits_in_its_column() -> None:
    book = Workbook("t")
    sheet = book.add_sheet("s")
    texts = ["plain", "also plain", "=1+1", "x\n-2", "", "@SUM(A1)"]
    sheet.table(["h"], ["text"], [[t] for t in texts])
    cells = read_sheet(book.to_bytes(), 1)
    quoted = {ref for ref, cell in cells.items() if cell.style.get("quotePrefix") == "1"}
    assert quoted == {"A4", "A7"}
    assert "A6" not in cells  # the empty cell is no cell


def test_decimal_sum_is_exact_for_texts_and_numbers() -> None:
    assert decimal_sum(["0.10", "0.20", "", None, "-0.05"]) == Decimal("0.25")
    assert str(decimal_sum(["1.50", "2.00"])) == "3.50"
    assert str(decimal_sum([])) == "0"
    assert decimal_sum([Decimal("1.10"), 2, "", "0.01"]) == Decimal("3.11")


def test_a_table_refuses_rows_or_kinds_of_another_width() -> None:
    for kinds, rows in ((["text"], [["a", "b"]]), (["text", "text"], [["a", "b"], ["c"]]),
                        (["text"], [["a"]])):
        sheet = Workbook("t").add_sheet("s")
        with pytest.raises(ValueError, match="headings"):
            sheet.table(["h1", "h2"], kinds, rows)


def test_plain_lines_match_line_by_line() -> None:
    # the possessive regexes of `_plain_column` against the plain-number regex, line by line
    lines = ["", "0", "-0", "12.50", "-3.1", "1.", ".5", "-", "1-2", "1..2", "1.2.3", "+1",
             "1e5", " 1", "١٢"]
    for first in lines:
        for second in lines:
            column = [first, second]
            expected = all(xlsx._PLAIN_NUMBER.fullmatch(v) or v == "" for v in column)
            assert _plain_column(column, "money") == bool(expected), column
            integers = all(xlsx._PLAIN_INTEGER.fullmatch(v) or v == "" for v in column)
            assert _plain_column(column, "count") == bool(integers), column


def test_every_character_xml_cannot_carry_and_every_space_but_one_is_not_printable() -> None:
    # what the quick tests `_may_need_escape` and `_needs_preserve` stand on, for every code
    # point: a printable text needs the regexes only for the characters they look for
    for point in range(0x110000):
        character = chr(point)
        if character.isprintable():
            assert not xlsx._UNSAFE.match(character), hex(point)
            assert character == " " or not character.isspace(), hex(point)
            assert character in "&<>\"'" or not xlsx._NEEDS_ESCAPE.match(character), hex(point)


_ODD_TEXT = st.text(st.sampled_from(list(" \t\n\r\x0b\x1f\xa0\u2003_xX0aF&<>\"'é\ud800\ufffe")),
                    max_size=8)


@given(st.one_of(_ODD_TEXT, st.text()))
def test_the_quick_tests_agree_with_the_regexes(text: str) -> None:
    if xlsx._NEEDS_ESCAPE.search(text):
        assert xlsx._may_need_escape(text)
    assert xlsx._needs_preserve(text) == bool(xlsx._NEEDS_PRESERVE.search(text))


def printed_scale(sheet: Any) -> float:
    """The scale a sheet set to fit one A4 landscape page wide prints at (Excel's arithmetic:
    a column of width w is 7w + 5 pixels of Calibri 11, 0.75 pt each)."""
    margins = sheet.page_margins
    columns = [(7 * (sheet.column_dimensions[get_column_letter(c)].width or 8.43) + 5) * 0.75
               for c in range(1, sheet.max_column + 1)]
    return min(1.0, (297 / 25.4 - margins.left - margins.right) * 72 / sum(columns))


def test_the_sheets_for_paper_print_with_lines_at_a_readable_scale(example: bytes) -> None:
    """Long texts wrap in a bounded width, codes are as wide as most codes, lines print."""
    book = openpyxl.load_workbook(io.BytesIO(example))
    # before: Allegato 35%, Esclusioni 41%, Riepilogo 42%, Riparto 25% (columns up to 60 wide)
    for name, least in (("Allegato", 0.5), ("Esclusioni", 0.5), ("Riepilogo", 0.5),
                        ("Riparto", 0.33)):
        assert printed_scale(book[name]) >= least, name
    for sheet in book.worksheets:
        assert sheet.print_options.gridLines, sheet.title
    annex = book["Allegato"]
    heads = {annex.cell(1, c).value: get_column_letter(c) for c in range(1, annex.max_column + 1)}
    for heading in ("Denominazione", "Linea di servizio", "Motivo o limite", "Ente gestore"):
        letter = heads[heading]
        assert annex.column_dimensions[letter].width <= 30, heading
        assert annex[f"{letter}2"].alignment.wrap_text, heading
        assert annex[f"{letter}2"].alignment.vertical == "top"
    # the unit codes: a few are 38 characters long, most 9
    assert annex.column_dimensions[heads["Codice unità"]].width <= 20
    assert not annex[f"{heads['Comune']}2"].alignment.wrap_text  # short texts stay on a line


def test_a_column_s_width_from_its_texts() -> None:
    def width(heading: str, texts: list[str]) -> tuple[int, bool]:
        return xlsx._column_width(heading, "text", xlsx._sizes(texts))

    # as wide as its widest text in Calibri: 'Torre Boldone' is 11.7 digits, 14 with padding
    assert width("Comune", ["Bergamo", "Torre Boldone", "Sorisole"]) == (14, False)
    # a long heading wraps at its words: the column is as wide as its longest word
    assert xlsx._column_width("Contributo dalla fase dei residui", "money", [4]) == (12, False)
    # codes of capitals are wider than as many digits: 'UDO123456' needs 12, not 11
    codes = [f"UDO{n:06d}" for n in range(95)] + ["COM-BERGAMO-INSERIMENTO-COMUNITA"] * 5
    assert width("Codice unità", codes) == (12, True)
    assert all(xlsx._line_count(code, 12) == 1 for code in codes[:95])
    assert xlsx._line_count(codes[-1], 12) == 4  # an outlier code is cut across lines
    assert width("Denominazione", ["a" * 20, "b" * 40, "c" * 75, "d" * 60]) == (30, True)
    assert width("Area", []) == (7, False)


def test_a_wrapped_text_s_lines_are_counted_by_the_font_s_widths() -> None:
    line = "Prima infanzia (asili nido, micronidi, nidi famiglia, centri prima infanzia)"
    # 'Prima infanzia (asili nido, micronidi,' is 28.4 digits of Calibri: more than a
    # column 30 wide holds (210 pixels, 205 for the text), so Excel lays it on 3 lines
    assert xlsx._line_count(line, 30) == 3
    assert xlsx._line_count(line, 45) == 2
    assert xlsx._line_count("Bergamo", 10) == 1
    assert xlsx._line_count("WWWWWWWWWW", 10) == 3  # ten capitals W: 18 digits, 8 a line
    assert xlsx._line_count("due\nrighe", 30) == 2
    assert xlsx._line_count("Contributo dai residui", 12, bold=True) == 2


@given(st.text(max_size=80), st.integers(min_value=1, max_value=60))
def test_a_text_takes_at_least_a_line_each_of_its_lines_and_fewer_in_a_wider_column(
    text: str, width: int
) -> None:
    lines = xlsx._line_count(text, width)
    assert lines >= max(1, len(text.split("\n")))
    assert xlsx._line_count(text, width + 10) <= lines
    if "\n" not in text:  # the prefilter in C never says one line for a text of more
        (size,) = xlsx._sizes([text])
        if lines > 1:
            assert size > (width * xlsx._LINE_SHARE - xlsx._PADDING) * 20


def test_rows_of_wrapped_texts_are_as_tall_as_their_lines(example: bytes) -> None:
    """LibreOffice does not size rows itself: each row says its height (Excel's autofit)."""
    book = openpyxl.load_workbook(io.BytesIO(example))
    annex = book["Allegato"]
    heads = {annex.cell(1, c).value: c for c in range(1, annex.max_column + 1)}
    wrapped = [c for heading, c in heads.items()
               if annex.cell(2, c).alignment.wrap_text and heading]
    tall = 0
    for row in range(2, annex.max_row + 1):
        texts = [(annex.cell(row, c).value, annex.column_dimensions[get_column_letter(c)].width)
                 for c in wrapped]
        lines = max((xlsx._line_count(str(v), w) for v, w in texts if v), default=1)
        height = annex.row_dimensions[row].height
        if lines > 1:
            tall += 1
            assert height == 15 * lines, row
        else:
            assert height is None, row
    assert tall > 50
    # the heading row too, its words in bold
    assert annex.row_dimensions[1].height in (30, 45)


@given(st.lists(st.lists(st.sampled_from(["a", "è", " ", "  ", "_", "x", "_x0041_", "&", "<",
                                          "\n", "\t", "\x01", "😀", "'"]),
                         max_size=6).map("".join), max_size=6))
def test_a_block_of_shared_strings_is_written_as_each_string_alone(texts: list[str]) -> None:
    # The block's quick path (one join when no text needs care) writes what the string by
    # string path writes: clipped, spaces kept, escaped.
    def alone(text: str) -> str:
        text = xlsx._clip(text)
        space = ' xml:space="preserve"' if xlsx._needs_preserve(text) else ""
        return f"<si><t{space}>{xlsx._xml_text(text)}</t></si>"

    assert xlsx._string_items(texts) == "".join(map(alone, texts))


def test_a_block_with_a_text_too_long_for_a_cell_is_clipped() -> None:
    written = xlsx._string_items(["b", "a" * 40000])
    assert written.startswith("<si><t>b</t></si><si><t>aaa") and written.endswith("a…</t></si>")
    assert len(written) == len("<si><t>b</t></si><si><t></t></si>") + xlsx._MAX_CELL_TEXT
