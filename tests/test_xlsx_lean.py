"""The lean XLSX reader gives exactly what openpyxl's full read gives, or leaves it the sheet."""

from __future__ import annotations

import io
import warnings
import zipfile
from datetime import date, datetime, time, timedelta
from pathlib import Path
from typing import Any

import openpyxl
import pytest
from hypothesis import given
from hypothesis import strategies as st
from openpyxl.cell.rich_text import CellRichText, TextBlock
from openpyxl.cell.text import InlineFont

from fsr_opt.core.errors import InputError
from fsr_opt.io import files

ROOT = Path(__file__).resolve().parents[1]
CORPUS = sorted([*ROOT.glob("tests/**/*.xlsx"), *ROOT.glob("data/**/*.xlsx")])
SHEET_NAMES = [files._UNITS_SHEETS, files._ALLOCATION_SHEETS, files._MANIFEST_SHEETS]


def _typed(records: list[tuple[int, list[Any]]]) -> list[tuple[int, list[tuple[str, Any]]]]:
    """Records with each value's type, so that 1 != 1.0 != True and error != formula."""
    return [(row, [(type(value).__name__, value) for value in cells]) for row, cells in records]


def _full(data: bytes, names: frozenset[str]) -> tuple[list[Any], list[Any]] | InputError:
    try:
        return files._full_xlsx_records(data, "book.xlsx", names, files._has_units_headings)
    except InputError as exc:
        return exc


def _check_same(data: bytes, names: frozenset[str]) -> bool:
    """Assert the lean reader agrees with the full read; return whether it read the sheet."""
    lean = files._lean_xlsx_records(data, names)
    if lean is None:
        return False
    full = _full(data, names)
    assert not isinstance(full, InputError), f"lean read what the full read refuses: {full}"
    records, problems = full
    assert problems == []
    assert _typed(lean) == _typed(records)
    return True


@pytest.mark.parametrize("path", CORPUS, ids=[p.name for p in CORPUS])
def test_lean_reader_agrees_on_every_workbook_of_the_tests(path: Path) -> None:
    data = path.read_bytes()
    for names in SHEET_NAMES:
        _check_same(data, names)


def test_lean_reader_reads_the_bundled_workbook_and_leaves_the_special_ones() -> None:
    def lean_reads(name: str) -> bool:
        data = next(p for p in CORPUS if p.name == name).read_bytes()
        return _check_same(data, files._UNITS_SHEETS)

    assert lean_reads("units.xlsx")
    assert lean_reads("excel_error.xlsx")
    assert not lean_reads("formula_no_cache.xlsx")  # its formula text comes from the full read
    assert not lean_reads("merged_data_cells.xlsx")  # merged cells are reported by the full read
    assert not lean_reads("merged_header.xlsx")
    assert not lean_reads("zip_not_workbook.xlsx")


def test_lean_reader_agrees_on_our_own_allocation_workbook(tmp_path: Path) -> None:
    from fsr_opt.app.pipeline import load_inputs, run_solve  # noqa: PLC0415

    run_solve(load_inputs(None, None, []), tmp_path / "out")
    data = (tmp_path / "out" / "allocation.xlsx").read_bytes()
    assert _check_same(data, files._ALLOCATION_SHEETS)


TEXT = st.text(st.characters(codec="utf-8", exclude_categories=("Cs", "Cc")), max_size=12)
FORMATS = ["General", "0.00", "yyyy-mm-dd", "dd/mm/yyyy hh:mm", "hh:mm:ss", "[h]:mm:ss", "@"]
VALUES = st.one_of(
    st.none(), TEXT, st.sampled_from([" lead", "trail ", "a\nb", "_x0041_", "x005F_y", "#N/A"]),
    st.integers(-(10**12), 10**12), st.floats(allow_nan=False, allow_infinity=False),
    st.booleans(), st.dates(date(1900, 3, 1), date(2100, 1, 1)),
    st.datetimes(datetime(1900, 3, 1), datetime(2100, 1, 1)), st.times(),
    st.timedeltas(timedelta(0), timedelta(days=3)), st.just("=SUM(A1:A2)"),
    st.just("rich"),
)


RICH_TEXT = CellRichText(["a ", TextBlock(InlineFont(b=True), "bold"), " z"])


@st.composite
def workbooks(draw: st.DrawFn) -> bytes:
    """A workbook of 1 to 3 sheets, cells of every kind anywhere, some formatted as dates."""
    write_only = draw(st.booleans())
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
def test_lean_reader_agrees_with_openpyxl_on_random_workbooks(data: bytes) -> None:
    for names in SHEET_NAMES:
        _check_same(data, names)


def test_lean_reader_reads_plain_random_workbooks() -> None:
    # the property above must not pass by the lean reader declining everything
    book = openpyxl.Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.append(["unit_id", "costs", "start_date", "at", "ok", "note"])
    sheet.append(["U1", 1234.5, date(2025, 1, 31), time(8, 30), True, "#N/A"])
    sheet.append([None, None, None, None, None, CellRichText(["a", TextBlock(InlineFont(), "b")])])
    sheet["H5"] = 7
    sheet["C3"].number_format = "yyyy-mm-dd"
    buffer = io.BytesIO()
    book.save(buffer)
    assert _check_same(buffer.getvalue(), files._UNITS_SHEETS)
    records = files._lean_xlsx_records(buffer.getvalue(), files._UNITS_SHEETS)
    assert records is not None and len(records) == 5 and len(records[0][1]) == 8
    assert records[1][1][:6] == ["U1", 1234.5, datetime(2025, 1, 31), time(8, 30), True,
                                 files._ExcelError("#N/A")]


def _package(sheet_xml: str, *, date1904: bool = False) -> bytes:
    """A workbook written the way Excel and LibreOffice write them (not openpyxl)."""
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
            '<si><r><rPr><b/></rPr><t>Asilo </t></r><r><t>nido</t></r>'
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
def test_lean_reader_agrees_on_a_workbook_written_as_excel_writes_them(date1904: bool) -> None:
    data = _package(EXCEL_ROWS, date1904=date1904)
    assert _check_same(data, files._UNITS_SHEETS)
    records = files._lean_xlsx_records(data, files._UNITS_SHEETS)
    assert records is not None
    assert [row for row, _ in records] == [1, 2, 3, 4]
    assert records[1][1] == [None] * 12
    assert records[2][1][:9] == [
        "Asilo nido", 1234.5, datetime(2029 if date1904 else 2025, 2 if date1904 else 1,
                                       1 if date1904 else 31), records[2][1][3], True,
        files._ExcelError("#DIV/0!"), "Asilo nidox", 2469, "inline "]
    assert records[2][1][10] == files._ExcelError("#VALUE!")  # a date beyond any calendar


@pytest.mark.parametrize("cells", [
    '<c t="n"><v>1</v></c>',  # no reference: openpyxl counts columns
    '<c r="A1"><f>1+1</f></c>',  # a formula Excel never computed
    '<c r="A1" s="9"><v>1</v></c>',  # a style the workbook does not have
    '<c r="A1" s=""><v>1</v></c>',  # an empty style (openpyxl's full read refuses it)
    '<c r="A1" t="x"><v>1</v></c>',  # an unknown cell type
    '<c r="A1"><v>abc</v></c>',  # a number that is not one
])
def test_lean_reader_leaves_what_it_does_not_know_to_openpyxl(cells: str) -> None:
    data = _package(f'<row r="1">{cells}</row>')
    assert files._lean_xlsx_records(data, files._UNITS_SHEETS) is None


def test_lean_reader_pads_a_table_that_starts_further_down_and_right() -> None:
    data = _package('<row r="3"><c r="C3" t="s"><v>0</v></c><c r="E3"><v>1</v></c></row>')
    assert _check_same(data, files._UNITS_SHEETS)
    assert files._lean_xlsx_records(data, files._UNITS_SHEETS) == [
        (1, [None] * 5), (2, [None] * 5), (3, [None, None, "unit_id", None, 1])]


def test_openpyxl_notes_never_reach_the_user() -> None:
    # an uncomputed formula sends the sheet to the full read, whose streaming formula pass
    # parsed the out-of-range date again and let openpyxl's UserWarning out onto stderr
    data = _package('<row r="1"><c r="A1" t="s"><v>0</v></c><c r="B1"><f>1+1</f></c>'
                    '<c r="C1" s="1"><v>1E+300</v></c></row>')
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        records, _ = files._xlsx_records(data, "book.xlsx", files._UNITS_SHEETS,
                                         files._has_units_headings)
    assert [str(w.message) for w in caught] == []
    assert records == [(1, ["unit_id", files._Formula("=1+1"), files._ExcelError("#VALUE!")])]
