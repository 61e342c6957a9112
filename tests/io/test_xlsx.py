"""Tests of fsr_opt.io.xlsx: calamine reads what openpyxl reads, or leaves the sheet to it.

The differential tests compare the two readers cell by cell on every workbook of the tests,
on workbooks written as Excel writes them and on Hypothesis-made ones (`_same_cells` says
which representations count as the same value: see fsr_opt.io.xlsx's docstring).
"""

from __future__ import annotations

import io
import warnings
import zipfile
from collections.abc import Sequence
from datetime import date, datetime, time, timedelta
from pathlib import Path
from typing import Any

import openpyxl
import pytest
from hypothesis import given
from hypothesis import strategies as st
from openpyxl.cell.rich_text import CellRichText, TextBlock
from openpyxl.cell.text import InlineFont
from openpyxl.utils.datetime import CALENDAR_MAC_1904

from fsr_opt.core.errors import InputError
from fsr_opt.io.allocation import ALLOCATION_SHEET
from fsr_opt.io.cells import ExcelError, Formula, Record
from fsr_opt.io.manifest import MANIFEST_SHEET
from fsr_opt.io.units import UNITS_SHEET
from fsr_opt.io.xlsx import (
    SheetChoice,
    first_headings,
    may_hold_formulas,
    openpyxl_reason,
    read_with_calamine,
    read_with_openpyxl,
    read_xlsx_records,
)

from tests.conftest import ROOT

CORPUS = sorted([*ROOT.glob("tests/**/*.xlsx"), *ROOT.glob("data/**/*.xlsx")])
CHOICES = [UNITS_SHEET, ALLOCATION_SHEET, MANIFEST_SHEET]


def _canonical(value: Any) -> Any:
    """A cell as both readers' values compare: empty, number, date, text, marker."""
    if value is None or value == "":
        return None
    if isinstance(value, bool):
        return ("bool", value)
    if isinstance(value, int | float):
        return ("number", float(value))
    if isinstance(value, datetime):
        return ("date", value.date()) if value.time() == time() else ("datetime", value)
    if isinstance(value, date):
        return ("date", value)
    if isinstance(value, timedelta):  # openpyxl's read gives a duration's text
        return ("text", str(value))
    return (type(value).__name__, value)


def _same_cells(records: Sequence[Record]) -> dict[int, list[Any]]:
    """The non-empty rows by number, each cell canonical, trailing empty cells dropped."""
    rows = {}
    for number, cells in records:
        row = [_canonical(value) for value in cells]
        while row and row[-1] is None:
            row.pop()
        if row:
            rows[number] = row
    return rows


def _openpyxl(data: bytes, choice: SheetChoice) -> tuple[list[Record], list[Any]] | InputError:
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # openpyxl's notes on dates out of range
            return read_with_openpyxl(data, "book.xlsx", choice)
    except InputError as exc:
        return exc


def _check_same(data: bytes, choice: SheetChoice) -> bool:
    """Assert calamine agrees with openpyxl; return whether calamine read the sheet."""
    records = read_with_calamine(data, choice)
    if records is None:
        return False
    full = _openpyxl(data, choice)
    assert not isinstance(full, InputError), f"calamine read what openpyxl refuses: {full}"
    expected, problems = full
    assert problems == []
    assert _same_cells(records) == _same_cells(expected)
    return True


@pytest.mark.parametrize("path", CORPUS, ids=[p.name for p in CORPUS])
def test_calamine_agrees_on_every_workbook_of_the_tests(path: Path) -> None:
    data = path.read_bytes()
    for choice in CHOICES:
        _check_same(data, choice)


def test_calamine_reads_the_bundled_workbook_and_leaves_the_special_ones() -> None:
    def calamine_reads(name: str) -> bool:
        data = next(p for p in CORPUS if p.name == name).read_bytes()
        return _check_same(data, UNITS_SHEET)

    assert calamine_reads("units.xlsx")
    assert calamine_reads("huge_values.xlsx")
    assert calamine_reads("many_sheets.xlsx") is False  # no sheet to choose: openpyxl says so
    assert not calamine_reads("excel_error.xlsx")  # calamine reads #DIV/0! as empty
    assert not calamine_reads("formula_no_cache.xlsx")  # its formula text comes from openpyxl
    assert not calamine_reads("merged_data_cells.xlsx")  # merged cells are reported by openpyxl
    assert not calamine_reads("merged_header.xlsx")
    assert not calamine_reads("zip_not_workbook.xlsx")


def test_calamine_agrees_on_our_own_allocation_workbook(tmp_path: Path) -> None:
    from fsr_opt.app.pipeline import load_inputs, run_solve  # noqa: PLC0415

    run_solve(load_inputs(None, None, []), tmp_path / "out")
    data = (tmp_path / "out" / "allocation.xlsx").read_bytes()
    assert _check_same(data, ALLOCATION_SHEET)


TEXT = st.text(st.characters(codec="utf-8", exclude_categories=("Cs", "Cc")), max_size=12)
FORMATS = ["General", "0.00", "yyyy-mm-dd", "dd/mm/yyyy hh:mm", "hh:mm:ss", "[h]:mm:ss", "@",
           '#,##0.00 "€"', "d-mmm", "0%"]
VALUES = st.one_of(
    st.none(), TEXT, st.sampled_from([" lead", "trail ", "a\nb", "_x0041_", "x005F_y", "#N/A",
                                      "1234", "1.234,56", "0012", "TRUE"]),
    st.integers(-(10**12), 10**12), st.integers(0, 10**12),
    st.floats(allow_nan=False, allow_infinity=False), st.floats(0, 1e7),
    st.booleans(), st.dates(date(1904, 1, 2), date(2100, 1, 1)),
    st.datetimes(datetime(1904, 1, 2), datetime(2100, 1, 1)), st.times(),
    st.timedeltas(timedelta(0), timedelta(days=3)), st.just("=SUM(A1:A2)"),
    st.just("rich"),
)


RICH_TEXT = CellRichText(["a ", TextBlock(InlineFont(b=True), "bold"), " z"])


@st.composite
def workbooks(draw: st.DrawFn) -> bytes:
    """A workbook of 1 to 3 sheets, cells of every kind anywhere, some formatted as dates."""
    write_only = draw(st.booleans())
    mac_dates = draw(st.booleans())
    titles = draw(st.lists(st.sampled_from(["Unità", "Foglio1", "Dati", "units", "Note"]),
                           min_size=1, max_size=3, unique=True))
    sheets = [(title,
               draw(st.lists(st.lists(st.tuples(VALUES, st.sampled_from(FORMATS)), max_size=5),
                             max_size=6)),
               draw(st.booleans()))
              for title in titles]
    # built only once everything is drawn: an unsaved write-only sheet left behind by an
    # aborted draw would complain when it is collected
    book = openpyxl.Workbook(write_only=write_only)
    if mac_dates:
        book.epoch = CALENDAR_MAC_1904
    for index, (title, rows, merge) in enumerate(sheets):
        sheet = book.active if index == 0 and not write_only else book.create_sheet(title)
        assert sheet is not None
        sheet.title = title
        for row in rows:
            cells: list[Any] = []
            for drawn, number_format in row:
                value = RICH_TEXT if drawn == "rich" else drawn
                if write_only:
                    cell = openpyxl.cell.WriteOnlyCell(sheet, value=value)
                    cell.number_format = number_format
                    cells.append(cell)
                else:
                    cells.append(value)
            sheet.append(cells)
            if not write_only:
                for cell, (_, number_format) in zip(sheet[sheet.max_row], row, strict=False):
                    cell.number_format = number_format
        if not write_only and merge and sheet.max_row >= 2:
            sheet.merge_cells(start_row=1, start_column=1, end_row=2, end_column=1)
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


@given(workbooks())
def test_calamine_agrees_with_openpyxl_on_random_workbooks(data: bytes) -> None:
    for choice in CHOICES:
        _check_same(data, choice)


def test_calamine_reads_plain_workbooks() -> None:
    # the property above must not pass by calamine declining everything
    for epoch in (None, CALENDAR_MAC_1904):
        book = openpyxl.Workbook()
        if epoch is not None:
            book.epoch = epoch
        sheet = book.active
        assert sheet is not None
        sheet.append(["unit_id", "costs", "start_date", "at", "ok", "note"])
        sheet.append(["U1", 1234.5, date(2025, 1, 31), time(8, 30), True, "1.234,56"])
        sheet.append([None, None, None, None, None,
                      CellRichText(["a ", TextBlock(InlineFont(b=True), "b")])])
        sheet["H5"] = 7
        sheet["C3"].number_format = "yyyy-mm-dd"
        buffer = io.BytesIO()
        book.save(buffer)
        assert _check_same(buffer.getvalue(), UNITS_SHEET)
        records = read_with_calamine(buffer.getvalue(), UNITS_SHEET)
        assert records is not None and len(records) == 5 and len(records[0][1]) == 8
        assert list(records[1][1][:6]) == ["U1", 1234.5, date(2025, 1, 31), time(8, 30), True,
                                           "1.234,56"]
        assert records[2][1][5] == "a b"


def _package(sheet_xml: str, *, date1904: bool = False, marked: bool = True) -> bytes:
    """A workbook written the way Excel and LibreOffice write them (not openpyxl).

    Its rich text ``Asilo `` + ``nido`` marks its space ``xml:space="preserve"`` when `marked`.
    """
    space = ' xml:space="preserve"' if marked else ""
    main = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
    rel = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
    package = "http://schemas.openxmlformats.org/package/2006/relationships"
    content_types = (
        '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
        '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
        '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.'
        'relationships+xml"/><Default Extension="xml" ContentType="application/xml"/>'
        '<Override PartName="/xl/workbook.xml" ContentType="application/vnd.openxmlformats-'
        'officedocument.spreadsheetml.sheet.main+xml"/>'
        '<Override PartName="/xl/worksheets/sheet1.xml" ContentType="application/vnd.'
        'openxmlformats-officedocument.spreadsheetml.worksheet+xml"/>'
        '<Override PartName="/xl/styles.xml" ContentType="application/vnd.openxmlformats-'
        'officedocument.spreadsheetml.styles+xml"/>'
        '<Override PartName="/xl/sharedStrings.xml" ContentType="application/vnd.'
        'openxmlformats-officedocument.spreadsheetml.sharedStrings+xml"/></Types>')
    parts = {
        "[Content_Types].xml": content_types,
        "_rels/.rels": f'<Relationships xmlns="{package}"><Relationship Id="rId1" '
                       f'Type="{rel}/officeDocument" Target="xl/workbook.xml"/></Relationships>',
        "xl/workbook.xml": f'<workbook xmlns="{main}" xmlns:r="{rel}">'
                           f'<workbookPr date1904="{int(date1904)}"/><sheets>'
                           '<sheet name="Unità" sheetId="1" r:id="rId1"/></sheets></workbook>',
        "xl/_rels/workbook.xml.rels":
            f'<Relationships xmlns="{package}">'
            f'<Relationship Id="rId1" Type="{rel}/worksheet" Target="worksheets/sheet1.xml"/>'
            f'<Relationship Id="rId2" Type="{rel}/styles" Target="styles.xml"/>'
            f'<Relationship Id="rId3" Type="{rel}/sharedStrings" Target="sharedStrings.xml"/>'
            '</Relationships>',
        "xl/styles.xml": f'<styleSheet xmlns="{main}"><numFmts count="2">'
                         '<numFmt numFmtId="164" formatCode="dd/mm/yyyy"/>'
                         '<numFmt numFmtId="165" formatCode="#,##0.00 &quot;€&quot;"/>'
                         '</numFmts><fonts count="1"><font/></fonts><fills count="1">'
                         '<fill><patternFill/></fill></fills><borders count="1"><border/>'
                         '</borders><cellXfs count="4">'
                         '<xf numFmtId="0"/><xf numFmtId="164"/><xf numFmtId="165"/>'
                         '<xf numFmtId="14"/></cellXfs></styleSheet>',
        "xl/sharedStrings.xml":
            f'<sst xmlns="{main}" count="4" uniqueCount="4"><si><t>unit_id</t></si>'
            '<si><t xml:space="preserve"> costs </t></si>'
            f'<si><r><rPr><b/></rPr><t{space}>Asilo </t></r><r><t>nido</t></r>'
            '<rPh sb="0" eb="1"><t>ignored</t></rPh></si><si><t>a_x005F_x0041_b</t></si></sst>',
        "xl/worksheets/sheet1.xml": f'<worksheet xmlns="{main}"><sheetData>{sheet_xml}'
                                    '</sheetData></worksheet>',
    }
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for name, text in parts.items():
            archive.writestr(name, text)
    return buffer.getvalue()




EXCEL_ROWS = (
    '<row r="1" spans="1:4"><c r="A1" t="s"><v>0</v></c><c r="B1" t="s"><v>1</v></c></row>'
    '<row r="3"><c r="A3" t="s"><v>2</v></c><c r="B3" s="2"><v>1234.5</v></c>'
    '<c r="C3" s="1"><v>45688</v></c><c r="D3" s="3"><v>45688.5</v></c>'
    '<c r="E3" t="b"><v>1</v></c><c r="F3" t="e"><v>#DIV/0!</v></c>'
    '<c r="G3" t="str"><f>A3&amp;"x"</f><v>Asilo nidox</v></c>'
    '<c r="H3"><f t="shared" ref="H3:H4" si="0">B3*2</f><v>2469</v></c>'
    '<c r="I3" t="inlineStr"><is><r><t>in</t></r><r><t xml:space="preserve">line </t></r>'
    '</is></c><c r="J3" t="d"><v>2025-01-31T00:00:00</v></c><c r="K3" s="1"><v>1E+300</v></c>'
    '</row><row r="4"><c r="A4" t="s"><v>3</v></c><c r="H4"><f t="shared" si="0"/><v>0</v>'
    '</c><c r="L4" s="2"/></row>'
)


@pytest.mark.filterwarnings("ignore:Cell K3 is marked as a date")
@pytest.mark.parametrize("date1904", [False, True])
def test_a_workbook_written_as_excel_writes_them(date1904: bool) -> None:
    data = _package(EXCEL_ROWS, date1904=date1904, marked=False)
    assert openpyxl_reason(data, "Unità") == "cells showing an Excel error"
    assert read_with_calamine(data, UNITS_SHEET) is None
    records, problems = read_xlsx_records(data, "book.xlsx", UNITS_SHEET)
    assert problems == []
    assert [row for row, _ in records] == [1, 2, 3, 4]
    assert records[1][1] == [None] * 12
    assert records[2][1][:9] == [
        "Asilo nido", 1234.5, datetime(2029 if date1904 else 2025, 2 if date1904 else 1,
                                       1 if date1904 else 31), records[2][1][3], True,
        ExcelError("#DIV/0!"), "Asilo nidox", 2469, "inline "]
    assert records[2][1][10] == ExcelError("#VALUE!")  # a date beyond any calendar


# The same rows without the error cell and the date beyond the calendar: calamine reads
# them, as openpyxl does.
PLAIN_EXCEL_ROWS = EXCEL_ROWS.replace('<c r="F3" t="e"><v>#DIV/0!</v></c>', "").replace(
    '<c r="K3" s="1"><v>1E+300</v></c>', "")


@pytest.mark.parametrize("date1904", [False, True])
def test_calamine_reads_a_workbook_written_as_excel_writes_them(date1904: bool) -> None:
    data = _package(PLAIN_EXCEL_ROWS, date1904=date1904)
    assert openpyxl_reason(data, "Unità") is None
    assert _check_same(data, UNITS_SHEET)
    records = read_with_calamine(data, UNITS_SHEET)
    assert records is not None
    assert [row for row, _ in records] == [1, 2, 3, 4]
    day = date(2029, 2, 1) if date1904 else date(2025, 1, 31)
    assert list(records[2][1][:9]) == [
        "Asilo nido", 1234.5, day, datetime.combine(day, time(12)), True, "",
        "Asilo nidox", 2469, "inline "]
    assert records[3][1][0] == "a_x0041_b"
    beyond = _package(PLAIN_EXCEL_ROWS.replace("</row><row", '<c r="K3" s="1"><v>1E+300</v>'
                                               "</c></row><row", 1))
    assert openpyxl_reason(beyond, "Unità") == "dates beyond the calendar"


def test_rich_text_with_an_unmarked_space_goes_to_openpyxl() -> None:
    data = _package(PLAIN_EXCEL_ROWS, marked=False)  # calamine would read "Asilonido"
    assert openpyxl_reason(data, "Unità") == "rich text with unmarked spaces"
    assert read_with_calamine(data, UNITS_SHEET) is None
    records, _ = read_xlsx_records(data, "book.xlsx", UNITS_SHEET)
    assert records[2][1][0] == "Asilo nido"


@pytest.mark.parametrize(("cells", "reading"), [
    ('<c t="n"><v>1</v></c><c><v>2</v></c>', [1.0, 2.0]),  # no reference: columns counted
    ('<c r="A1"><f>1+1</f></c>', None),  # a formula Excel never computed
    ('<c r="A1" t="str"><f>A2</f><v></v></c>', None),  # ... or computed as nothing
    ('<c r="A1" t="x"><v>1</v></c>', None),  # an unknown cell type: calamine refuses it
    ('<c r="A1" t="s"><v>7</v></c>', None),  # a shared string that is not there
    # damaged packages that openpyxl refuses, read by calamine as their cells say
    ('<c r="A1" s="9"><v>1</v></c>', [1.0]),  # a style the workbook does not have
    ('<c r="A1" s=""><v>1</v></c>', [1.0]),  # an empty style
    ('<c r="A1"><v>abc</v></c>', ["abc"]),  # a number that is not one
])
def test_calamine_on_odd_packages(cells: str, reading: list[Any] | None) -> None:
    data = _package(f'<row r="1">{cells}</row>')
    records = read_with_calamine(data, UNITS_SHEET)
    assert records == (None if reading is None else [(1, reading)])
    full = _openpyxl(data, UNITS_SHEET)
    if not isinstance(full, InputError) and records is not None:
        assert _same_cells(records) == _same_cells(full[0])


def test_calamine_pads_a_table_that_starts_further_down_and_right() -> None:
    data = _package('<row r="3"><c r="C3" t="s"><v>0</v></c><c r="E3"><v>1</v></c></row>')
    assert _check_same(data, UNITS_SHEET)
    assert read_with_calamine(data, UNITS_SHEET) == [
        (1, [""] * 5), (2, [""] * 5), (3, ["", "", "unit_id", "", 1.0])]


def test_openpyxl_notes_never_reach_the_user() -> None:
    # an uncomputed formula sends the sheet to openpyxl, whose streaming formula pass
    # parsed the out-of-range date again and let openpyxl's UserWarning out onto stderr
    data = _package('<row r="1"><c r="A1" t="s"><v>0</v></c><c r="B1"><f>1+1</f></c>'
                    '<c r="C1" s="1"><v>1E+300</v></c></row>')
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        records, _ = read_xlsx_records(data, "book.xlsx", UNITS_SHEET)
    assert [str(w.message) for w in caught] == []
    assert records == [(1, ["unit_id", Formula("=1+1"), ExcelError("#VALUE!")])]


# --- the scan that routes a sheet to openpyxl ---------------------------------------------------


def _zip_bytes(parts: dict[str, bytes]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, content in parts.items():
            archive.writestr(name, content)
    return buffer.getvalue()


def _with_sheet(sheet_xml: bytes) -> bytes:
    """The package of `_package` with its sheet part replaced."""
    parts = {}
    with zipfile.ZipFile(io.BytesIO(_package(""))) as archive:
        for name in archive.namelist():
            parts[name] = archive.read(name)
    parts["xl/worksheets/sheet1.xml"] = sheet_xml
    return _zip_bytes(parts)


MAIN = b'xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"'


@pytest.mark.parametrize(("cells", "reason"), [
    (b'<c r="A1" t="e"><v>#N/A</v></c>', "cells showing an Excel error"),
    (b'<c r="A1" s="1"><v>-1</v></c>', "dates beyond the calendar"),  # dd/mm/yyyy
    (b'<c r="A1" s="3"><v>2958466</v></c>', "dates beyond the calendar"),  # built-in date
    (b'<c r="A1" s="1" t="n"><v>1E+300</v></c>', "dates beyond the calendar"),
    (b'<c r="A1" s="1"><f>-A2</f><v>-5</v></c>', "dates beyond the calendar"),
    (b'<c r="A1" s="1"><v>2958465.5</v></c>', None),  # 31/12/9999 at noon
    (b'<c r="A1" s="2"><v>-1E+300</v></c>', None),  # a negative amount in euros
    (b'<c r="A1"><v>-1</v></c>', None),
    (b'<c r="A1" s="1" t="s"><v>3</v></c>', None),
    (b'<c r="A1"><f>1+1</f></c>', "formulas without a saved result"),
    (b'<c r="A1"><f t="shared" si="0"/></c>', "formulas without a saved result"),
    (b'<c r="A1"><f>A2</f><v/></c>', "formulas without a saved result"),
    (b'<c r="A1" t="inlineStr"><is><r><t>a </t></r><r><t>b</t></r></is></c>',
     "rich text with unmarked spaces"),
    (b'<c r="A1" t="inlineStr"><is><t>a_x000D_b</t></is></c>', "escaped characters in text"),
    (b'<c r="A1" t="inlineStr"><is><t>a_x005F_x000D_b</t></is></c>', None),  # an escaped '_'
    (b'<c r="A1"><f>1+1</f><v>2</v></c>', None),  # a formula with its saved result
    (b'<c r="A1" t="inlineStr"><is><t> plain </t></is></c>', None),  # trimmed either way
    (b'<c r="A1"><v>12</v></c>', None),
])
def test_the_scan_finds_what_calamine_reads_differently(cells: bytes, reason: str | None) -> None:
    sheet = b"<worksheet " + MAIN + b"><sheetData><row r='1'>" + cells + b"</row></sheetData>"
    assert openpyxl_reason(_with_sheet(sheet + b"</worksheet>"), "Unità") == reason
    merged = sheet + b'<mergeCells count="1"><mergeCell ref="A1:B1"/></mergeCells></worksheet>'
    assert openpyxl_reason(_with_sheet(merged), "Unità") in (reason, "merged cells")
    prefixed = (sheet.replace(b"<", b"<x:").replace(b"<x:/", b"</x:").replace(
        b"xmlns=", b"xmlns:x=") + b"</x:worksheet>")
    assert openpyxl_reason(_with_sheet(prefixed), "Unità") == reason


def test_the_scan_finds_duration_formats_and_only_looks_at_the_sheet_read() -> None:
    with zipfile.ZipFile(io.BytesIO(_package(""))) as archive:
        parts = {name: archive.read(name) for name in archive.namelist()}
    durations = dict(parts)
    durations["xl/styles.xml"] = parts["xl/styles.xml"].replace(b"dd/mm/yyyy", b"[h]:mm")
    assert openpyxl_reason(_zip_bytes(durations), "Unità") == "duration formats"
    # an error cell in another sheet of the package does not matter
    other = dict(parts)
    other["xl/worksheets/sheet2.xml"] = b'<worksheet><c t="e"/></worksheet>'
    assert openpyxl_reason(_zip_bytes(other), "Unità") is None
    # without relationships to follow, every worksheet part is scanned
    del other["xl/_rels/workbook.xml.rels"]
    assert openpyxl_reason(_zip_bytes(other), "Unità") == "cells showing an Excel error"
    assert openpyxl_reason(b"PK\x03\x04 not really a zip", "Unità") is not None


def test_the_scan_finds_a_sign_across_read_chunks() -> None:
    chunk = 4 << 20  # the scan reads the part in windows of this size
    for offset in (chunk - 6, chunk - 3, chunk - 1):
        sheet = (b"<worksheet " + MAIN + b">" + b" " * offset + b'<c s="1"><v>-1</v></c>'
                 + b"</worksheet>")
        assert openpyxl_reason(_with_sheet(sheet), "Unità") == "dates beyond the calendar"
        assert may_hold_formulas(_zip_bytes({"xl/worksheets/sheet1.xml": sheet.replace(
            b"<v>-1</v>", b"<f>A1</f>")}))


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
    assert not may_hold_formulas(_saved_workbook(tmp_path, [["costs"], [1], ["fill"]]))
    assert may_hold_formulas(_saved_workbook(tmp_path, [["costs"], [1], ["=SUM(A2)"]]))


@pytest.mark.parametrize("element", [b"<f>SUM(A1)</f>", b'<f t="shared" si="0"/>',
                                     b"<x:f>A1</x:f>", b"<f\n>A1</f>"])
def test_formula_scan_finds_every_spelling_of_a_formula(element: bytes) -> None:
    sheet = b"<worksheet><sheetData><row><c r='A1'>" + element + b"</c></row></sheetData>"
    assert may_hold_formulas(_zip_bytes({"xl/worksheets/sheet1.xml": sheet}))
    # the same text outside a worksheet part, or look-alike tags, are no formula
    assert not may_hold_formulas(_zip_bytes({"xl/sharedStrings.xml": sheet}))
    assert not may_hold_formulas(_zip_bytes(
        {"xl/worksheets/sheet1.xml": b"<worksheet><font/><fill/><formula1>1</formula1>"}))


def test_formula_scan_says_maybe_when_the_zip_is_unreadable() -> None:
    assert may_hold_formulas(b"PK\x03\x04 not really a zip")


# --- choosing the sheet -------------------------------------------------------------------------


def test_both_readers_choose_the_same_sheet(tmp_path: Path) -> None:
    book = openpyxl.Workbook()
    notes = book.active
    assert notes is not None
    notes.title = "Note"
    notes.append(["Fondo Sociale Regionale 2025"])
    data_sheet = book.create_sheet("Foglio2")
    data_sheet.append(["unit_id", "name", "municipality", "unit_type", "ownership", "users",
                       "costs", "revenues", "start_date", "in_registry", "authorized",
                       "experimental", "applied"])
    data_sheet.append(["U1"])
    book.create_sheet("Chart helper")
    path = tmp_path / "book.xlsx"
    book.save(path)
    data = path.read_bytes()
    calamine = read_with_calamine(data, UNITS_SHEET)
    assert calamine is not None and calamine[1][1][0] == "U1"
    assert _check_same(data, UNITS_SHEET)
    assert read_xlsx_records(data, "book.xlsx", ALLOCATION_SHEET)[0] == calamine
    book.create_sheet("Copia").append(["unit_id"])
    book.save(path)
    with pytest.raises(InputError, match="name its sheet 'Allocazione'"):  # which of the two?
        read_xlsx_records(path.read_bytes(), "book.xlsx", ALLOCATION_SHEET)


_UNITS_HEADINGS = ["unit_id", "name", "municipality", "unit_type", "ownership", "users",
                   "costs", "revenues", "start_date", "in_registry", "authorized",
                   "experimental", "applied"]


def _book_with_copy(path: Path, copy_rows: list[list[Any]]) -> bytes:
    """A workbook with the sheet 'Unità', a notes sheet and Excel's copy 'Unità (2)'."""
    book = openpyxl.Workbook()
    units = book.active
    assert units is not None
    units.title = "Unità"
    for row in [_UNITS_HEADINGS, ["U1", "Nido", "Bergamo"]]:
        units.append(row)
    book.create_sheet("Istruzioni").append(["Colonna", "Descrizione"])
    copy = book.create_sheet("Unità (2)")
    for row in [_UNITS_HEADINGS, *copy_rows]:
        copy.append(row)
    book.save(path)
    return path.read_bytes()


@pytest.mark.parametrize("reader", ["calamine", "openpyxl"])
def test_a_copy_of_the_units_sheet_with_other_contents_is_refused(
    tmp_path: Path, reader: str
) -> None:
    from fsr_opt.core.errors import ErrorCode, collecting_warnings  # noqa: PLC0415
    from fsr_opt.core.i18n import use_language  # noqa: PLC0415

    def read(data: bytes) -> object:
        if reader == "calamine":
            return read_xlsx_records(data, "book.xlsx", UNITS_SHEET)
        return read_with_openpyxl(data, "book.xlsx", UNITS_SHEET)

    data = _book_with_copy(tmp_path / "book.xlsx", [["U1", "Nido", "Bergamo 2"]])
    for lang, words in (("en", "the sheets 'Unità' and 'Unità (2)' both hold a units table"),
                        ("it", "i fogli 'Unità' e 'Unità (2)' contengono entrambi")):
        with use_language(lang), pytest.raises(InputError) as caught:
            read(data)
        assert [p.code for p in caught.value.problems] == [ErrorCode.SHEET_COPIES]
        assert words in str(caught.value)
        assert ("keep only one" if lang == "en" else "tienine uno solo") in str(caught.value)
    # an identical copy (trailing empty cells aside) is named in a warning
    data = _book_with_copy(tmp_path / "same.xlsx", [["U1", "Nido", "Bergamo", None]])
    with collecting_warnings() as log:
        read(data)
    assert [p.code for p in log.kept] == [ErrorCode.SHEET_IGNORED]
    assert "'Unità (2)' is a copy of the sheet 'Unità', which was read" in str(log.kept[0])


def test_first_headings_are_the_first_non_empty_row() -> None:
    assert first_headings([["", None], [" unit_id ", 12, None, True, date(2025, 1, 1)]]) == [
        "unit_id", "12", "", "true", ""]
    assert first_headings([]) == []


def test_no_sheet_is_read_by_calamine_before_its_scan(capfd: pytest.CaptureFixture[str]) -> None:
    # choosing a sheet by its headings reads several sheets: each is scanned first, so that
    # a sheet calamine would panic on (a negative date serial) is never given to it
    book = openpyxl.Workbook()
    other = book.active
    assert other is not None
    other.title = "Altro"
    other["A1"] = -1e300
    other["A1"].number_format = "yyyy-mm-dd"
    book.create_sheet("Dati").append(["unit_id", "name", "municipality", "unit_type",
                                      "ownership", "users", "costs", "revenues", "start_date",
                                      "in_registry", "authorized", "experimental", "applied"])
    buffer = io.BytesIO()
    book.save(buffer)
    assert read_with_calamine(buffer.getvalue(), UNITS_SHEET) is None
    records, _ = read_xlsx_records(buffer.getvalue(), "book.xlsx", UNITS_SHEET)
    assert records[0][1][0] == "unit_id"
    assert "panicked" not in capfd.readouterr().err
