"""allocation.xlsx: the riparto as a workbook for the offices and the Assemblea dei Sindaci.

Five sheets, Italian by default: Riparto (one row per unit, the same cells as
allocation.csv), Pagamenti (per ente gestore), Esclusioni (units that get nothing, and why),
Riepilogo (per area and service line, as summary.csv) and Verifiche (the audit of the
result). The rows come from `fsr_opt.reports.tables`, so the workbook and the CSV files can never
disagree.

Spreadsheet rules kept here:

* amounts are numeric cells with the format ``#,##0.00``: Excel shows 1.234,56 in an Italian
  locale and 1,234.56 elsewhere, and the user can still add them up;
* the header row is frozen and filtered;
* no cell is ever a formula: a text starting with ``=``, ``+``, ``-`` or ``@`` (a unit named
  ``=SUM(A1)``) is stored as text with Excel's quote prefix, so neither opening nor editing the
  cell runs it.

The SpreadsheetML parts are written here as strings into a zip, not with openpyxl: openpyxl
spends about 16 microseconds per cell, most of a run at 100,000 units. Every cell is a number
(``<v>``, the exact decimal text) or a shared string, never ``<f>``; text is XML-escaped, the
characters XML 1.0 cannot carry are written as Excel's ``_xHHHH_`` escapes (ECMA-376
ST_Xstring), and a text longer than a cell can hold (32,767 characters) is cut, ending in
"…". Parts and zip entries come in a fixed order with fixed times, so the same riparto gives
the same bytes. openpyxl still reads workbooks (`fsr_opt.io.files`).

The workbook is built in memory and returned as bytes; `fsr_opt.io.files.write_outputs` writes
it together with the other outputs.
"""

from __future__ import annotations

import io
import re
import zipfile
from collections.abc import Sequence
from dataclasses import dataclass, replace
from datetime import datetime
from decimal import Decimal
from xml.sax.saxutils import escape

from fsr_opt.audit.checks import AuditReport
from fsr_opt.core.schema import Allocation, RuleSet
from fsr_opt.core.words import CHECKS_IT, REASONS, describe, yes_no
from fsr_opt.reports.tables import (
    ALLOCATION_COLUMNS,
    SUMMARY_COLUMNS,
    TOTAL,
    UnitOutcome,
    allocation_rows,
    payment_rows,
    summary_rows,
)

MONEY_FORMAT = "#,##0.00"
SHARE_FORMAT = "0.0000%"
RATIO_FORMAT = "0.000000"
COUNT_FORMAT = "0"
_FORMULA_TRIGGERS = ("=", "+", "-", "@")
_MAX_WIDTH = 60
# A fixed creation date keeps two workbooks of the same riparto alike (a writer would stamp
# the current time); run.json records when the run happened.
_CREATED = datetime(2000, 1, 1)


@dataclass(frozen=True)
class Column:
    """A column of a sheet: its heading per language and how its cells are stored.

    Attributes:
        kind: ``text``, ``money`` (euros), ``ratio`` (6 decimals), ``share`` (a 0..1 share
            shown as a percent), ``count``, ``bool`` (true/false shown as sì/no).
    """

    key: str
    it: str
    en: str
    kind: str = "text"

    def heading(self, lang: str) -> str:
        """The heading in `lang`."""
        return self.it if lang == "it" else self.en


# Headings chosen so that `fsr-opt audit --allocation allocation.xlsx` recognises the
# columns it checks (Codice unità, Ammessa, Spettanza, Quota percentuale, Contributo, ...).
ALLOCATION_SHEET: tuple[Column, ...] = (
    Column("unit_id", "Codice unità", "Unit id"),
    Column("name", "Denominazione", "Name"),
    Column("operator", "Ente gestore", "Operator"),
    Column("municipality", "Comune", "Municipality"),
    Column("unit_type", "Tipologia", "Unit type"),
    Column("ownership", "Natura giuridica", "Ownership"),
    Column("area", "Area", "Area"),
    Column("service", "Linea di servizio", "Service line"),
    Column("eligible", "Ammessa", "Eligible", "bool"),
    Column("exclusion_reasons", "Motivi di esclusione", "Exclusion reasons"),
    Column("deficit", "Disavanzo {history_year}", "{history_year} deficit", "money"),
    Column("formula_amount", "Importo da formula", "Formula amount", "money"),
    Column("proration", "Proporzione attività", "Proration", "ratio"),
    Column("entitlement", "Spettanza", "Entitlement", "money"),
    Column("share", "Quota percentuale", "Share", "share"),
    Column("award", "Contributo", "Award", "money"),
    Column("binding", "Limite vincolante", "Binding limit"),
    Column("tranche_1", "Prima tranche", "First tranche", "money"),
    Column("tranche_2", "Seconda tranche", "Second tranche", "money"),
)
assert tuple(c.key for c in ALLOCATION_SHEET) == ALLOCATION_COLUMNS

PAYMENTS_SHEET: tuple[Column, ...] = (
    Column("operator", "Ente gestore", "Operator"),
    Column("units", "Unità finanziate", "Units funded", "count"),
    Column("total_award", "Contributo totale", "Total award", "money"),
    Column("tranche_1", "Prima tranche (dopo l'approvazione)", "First tranche (on approval)",
           "money"),
    Column("tranche_2", "Seconda tranche (dopo il debito informativo)",
           "Second tranche (after the data return)", "money"),
)

EXCLUSIONS_SHEET: tuple[Column, ...] = (
    Column("unit_id", "Codice unità", "Unit id"),
    Column("name", "Denominazione", "Name"),
    Column("operator", "Ente gestore", "Operator"),
    Column("municipality", "Comune", "Municipality"),
    Column("unit_type", "Tipologia", "Unit type"),
    Column("area", "Area", "Area"),
    Column("service", "Linea di servizio", "Service line"),
    Column("codes", "Motivi", "Reasons"),
    Column("why", "Spiegazione", "Explanation"),
    Column("entitlement", "Spettanza", "Entitlement", "money"),
)

SUMMARY_SHEET: tuple[Column, ...] = (
    Column("area", "Area", "Area"),
    Column("service", "Linea di servizio", "Service line"),
    Column("label", "Descrizione", "Description"),
    Column("budget", "Budget area", "Area budget", "money"),
    Column("target", "Obiettivo (andamento storico)", "Target ({history_year} pattern)",
           "money"),
    Column("historical", "Assegnato {history_year}", "Assigned {history_year}", "money"),
    Column("awarded", "Assegnato", "Awarded", "money"),
    Column("deviation", "Scostamento dall'obiettivo", "Deviation from target", "money"),
    Column("share", "Quota percentuale della linea", "Share of the line", "share"),
    Column("units_funded", "Unità finanziate", "Units funded", "count"),
    Column("units_excluded", "Unità non finanziate", "Units not funded", "count"),
)

CHECKS_SHEET: tuple[Column, ...] = (
    Column("code", "Verifica", "Check"),
    Column("description", "Regola verificata", "Rule checked"),
    Column("kind", "Tipo", "Kind"),
    Column("checked", "Elementi verificati", "Items checked", "count"),
    Column("failed", "Violazioni", "Violations", "count"),
    Column("outcome", "Esito", "Outcome"),
)

VIOLATIONS_SHEET: tuple[Column, ...] = (
    Column("check", "Verifica", "Check"),
    Column("subject", "Oggetto", "Subject"),
    Column("expected", "Atteso", "Expected"),
    Column("actual", "Trovato", "Found"),
    Column("message", "Dettaglio", "Detail"),
)

SHEET_NAMES = {
    "it": ("Riparto", "Pagamenti", "Esclusioni", "Riepilogo", "Verifiche"),
    "en": ("Allocation", "Payments", "Exclusions", "Summary", "Checks"),
}

_TEXT = {
    "it": {"rule": "regola", "certificate": "certificato di ottimalità", "passed": "superata",
           "failed": "NON superata", "total": "TOTALE", "not_run":
           "Verifiche non eseguite per questo riparto.", "violations": "Violazioni",
           "summary": "Verifiche superate: {passed} su {run}; riparto controllato contro le "
                      "regole {rule_set}."},
    "en": {"rule": "rule", "certificate": "optimality certificate", "passed": "passed",
           "failed": "FAILED", "total": "TOTAL", "not_run": "No checks were run for this "
           "riparto.", "violations": "Violations",
           "summary": "Checks passed: {passed} of {run}; allocation checked against the "
                      "rules {rule_set}."},
}

# ---------------------------------------------------------------------------------------------
# SpreadsheetML writer
# ---------------------------------------------------------------------------------------------

_MAIN_NS = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
_REL_NS = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
_PKG_REL_NS = "http://schemas.openxmlformats.org/package/2006/relationships"
_DECLARATION = '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
_MAX_CELL_TEXT = 32767  # the most a cell holds in Excel, in UTF-16 units
# zlib level 1 deflates the 100,000-unit workbook about 5 times faster than the default 6,
# for a file about a quarter larger (still about the size openpyxl wrote).
_COMPRESS_LEVEL = 1

# Characters XML 1.0 cannot carry (C0 controls but tab, newline and CR; lone surrogates;
# U+FFFE/U+FFFF), and text that already looks like an ``_xHHHH_`` escape, whose ``_`` is
# itself escaped so that Excel reads the text back unchanged.
_UNSAFE = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]|_(?=x[0-9A-Fa-f]{4}_)")
_NEEDS_ESCAPE = re.compile("[&<>\"'\r\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]|_x")
_NEEDS_PRESERVE = re.compile(r"^\s|\s$|\s\s|[\t\n\r]")
_PLAIN_NUMBER = re.compile(r"-?[0-9]+(?:\.[0-9]+)?")
_PLAIN_INTEGER = re.compile(r"-?[0-9]+")
_ENTITIES = {'"': "&quot;", "'": "&apos;", "\r": "&#13;"}  # a raw CR would read back as LF

# Cell styles: the index of each (emphasis, kind, quote prefix) in styles.xml's cellXfs.
_NUMBER_FORMATS = {"text": 0, "money": 4, "ratio": 164, "share": 165, "count": 1}
_CUSTOM_FORMATS = {164: RATIO_FORMAT, 165: SHARE_FORMAT}  # 4 and 1 are built in
assert _NUMBER_FORMATS["money"] == 4 and MONEY_FORMAT == "#,##0.00"
assert _NUMBER_FORMATS["count"] == 1 and COUNT_FORMAT == "0"
_PLAIN, _BOLD, _HEADER = "plain", "bold", "header"
_STYLES: tuple[tuple[str, str, bool], ...] = (
    *((emphasis, kind, False) for emphasis in (_PLAIN, _BOLD, _HEADER) for kind in _NUMBER_FORMATS),
    *((emphasis, "text", True) for emphasis in (_PLAIN, _BOLD, _HEADER)),
)
_STYLE_INDEX = {style: index for index, style in enumerate(_STYLES)}
_NUMERIC = {"money", "ratio", "share", "count"}


def _xml_text(text: str) -> str:
    """Escape text for an element or attribute; XML-illegal characters become ``_xHHHH_``."""
    if not _NEEDS_ESCAPE.search(text):
        return text
    text = _UNSAFE.sub(lambda m: f"_x{ord(m.group()):04X}_", text)
    return escape(text, _ENTITIES)


def _clip(text: str) -> str:
    """Cut a text to Excel's cell limit (UTF-16 units), ending it with an ellipsis."""
    if len(text) * 2 <= _MAX_CELL_TEXT:
        return text
    units = text.encode("utf-16-le", "surrogatepass")
    if len(units) <= 2 * _MAX_CELL_TEXT:
        return text
    units = units[:2 * (_MAX_CELL_TEXT - 1)]
    if 0xD800 <= int.from_bytes(units[-2:], "little") <= 0xDBFF:
        units = units[:-2]  # never split an emoji (a surrogate pair)
    return units.decode("utf-16-le", "surrogatepass") + "…"


def _number(value: object, kind: str) -> str:
    """The ``<v>`` text of a numeric cell: the exact decimal, never a float's rounding."""
    if kind == "count":
        return str(int(str(value)))
    if isinstance(value, str) and _PLAIN_NUMBER.fullmatch(value):
        return value  # the CSV's own text, e.g. 1234.56
    if isinstance(value, int):
        return str(int(value))  # int() also turns a bool into 0/1, never "True"
    number = value if isinstance(value, Decimal) else Decimal(str(value))
    if not number.is_finite():
        raise ValueError(f"a workbook cell cannot hold {number}")
    return format(number, "f")


def _numbers(values: Sequence[object], kind: str) -> list[str]:
    """`_number` of a column's cells, "" for an empty one.

    A plain decimal text (allocation.csv's cells) is checked by a regex and kept as it is.
    """
    match = (_PLAIN_INTEGER if kind == "count" else _PLAIN_NUMBER).fullmatch
    return [value if type(value) is str and match(value)
            else "" if value is None or value == "" else _number(value, kind)
            for value in values]


def _letter(col: int) -> str:
    """Column letters of a 1-based column number (1 -> A, 27 -> AA)."""
    letters = ""
    while col:
        col, rest = divmod(col - 1, 26)
        letters = chr(65 + rest) + letters
    return letters


class _SharedStrings:
    """xl/sharedStrings.xml: each text once (unit types, municipalities repeat a lot)."""

    def __init__(self) -> None:
        self.index: dict[str, int] = {}  # text -> its number, in order of first use
        self.count = 0  # cells that refer to a text

    def xml(self) -> str:
        """The part's text."""
        items = []
        for text in map(_clip, self.index):
            space = ' xml:space="preserve"' if _NEEDS_PRESERVE.search(text) else ""
            items.append(f"<si><t{space}>{_xml_text(text)}</t></si>")
        return (f'{_DECLARATION}<sst xmlns="{_MAIN_NS}" count="{self.count}" '
                f'uniqueCount="{len(self.index)}">{"".join(items)}</sst>')


class _Sheet:
    """One worksheet being filled: its cells row by row, column widths, filter and panes."""

    def __init__(self, name: str, strings: _SharedStrings) -> None:
        self.name = name
        self.strings = strings
        self.rows: dict[int, str] = {}  # row number -> its cells' XML, left to right
        self.widths: list[int] = []
        self.filter_ref: str | None = None
        self.frozen_rows = 0
        self.max_col = 0

    def put(self, row: int, col: int, kind: str, value: object, emphasis: str = _PLAIN) -> None:
        """Write one cell, right of the row's cells so far (a row's cells go left to right)."""
        numbers = range(row, row + 1)
        cell = self.column_cells(col, kind, [value], numbers, emphasis)[0]
        self.rows[row] = self.rows.get(row, "") + cell

    def put_rows(self, first_row: int, columns: Sequence[Sequence[str]]) -> None:
        """Add whole rows from `column_cells` lists, the first at `first_row`."""
        for number, cells in enumerate(zip(*columns, strict=True), start=first_row):
            self.rows[number] = "".join(cells)

    def column_cells(
        self,
        col: int,
        kind: str,
        values: Sequence[object],
        numbers: Sequence[int],
        emphasis: str = _PLAIN,
    ) -> list[str]:
        """The XML of a column's cells in rows `numbers` ("" for an empty cell).

        Numbers are numbers with their format; text is a shared string, with the quote
        prefix style when it starts like a formula.
        """
        letter = _letter(col)
        self.max_col = max(self.max_col, col)
        if kind in _NUMERIC:
            xf = _STYLE_INDEX[emphasis, kind, False]
            return [f'<c r="{letter}{n}" s="{xf}"><v>{text}</v></c>' if text else ""
                    for n, text in zip(numbers, _numbers(values, kind), strict=True)]
        plain = _STYLE_INDEX[emphasis, "text", False]
        style = f' s="{plain}"' if plain else ""
        quoted = f' s="{_STYLE_INDEX[emphasis, "text", True]}"'
        texts = [value if type(value) is str else "" if value is None else str(value)
                 for value in values]
        index = self.strings.index
        add = index.setdefault  # a new text takes the next number
        self.strings.count += len(texts) - texts.count("")
        return [f'<c r="{letter}{n}"{quoted if text.startswith(_FORMULA_TRIGGERS) else style}'
                f' t="s"><v>{add(text, len(index))}</v></c>' if text else ""
                for n, text in zip(numbers, texts, strict=True)]

    def xml(self, selected: bool) -> str:
        """The worksheet part's text, its elements in the order ECMA-376 requires."""
        last_row = max(self.rows, default=1)
        dimension = f"A1:{_letter(max(self.max_col, 1))}{last_row}"
        tab = ' tabSelected="1"' if selected else ""
        if self.frozen_rows:
            top = f"A{self.frozen_rows + 1}"
            view = (f'<sheetView{tab} workbookViewId="0"><pane ySplit="{self.frozen_rows}" '
                    f'topLeftCell="{top}" activePane="bottomLeft" state="frozen"/>'
                    f'<selection pane="bottomLeft" activeCell="{top}" sqref="{top}"/>'
                    "</sheetView>")
        else:
            view = f'<sheetView{tab} workbookViewId="0"/>'
        cols = "".join(f'<col min="{n}" max="{n}" width="{width}" customWidth="1"/>'
                       for n, width in enumerate(self.widths, start=1))
        rows = "".join(f'<row r="{n}">{self.rows[n]}</row>' for n in sorted(self.rows))
        return "".join((
            _DECLARATION, f'<worksheet xmlns="{_MAIN_NS}" xmlns:r="{_REL_NS}">',
            f'<dimension ref="{dimension}"/><sheetViews>{view}</sheetViews>',
            '<sheetFormatPr defaultRowHeight="15"/>',
            f"<cols>{cols}</cols>" if cols else "",
            f"<sheetData>{rows}</sheetData>",
            f'<autoFilter ref="{self.filter_ref}"/>' if self.filter_ref else "",
            '<pageMargins left="0.7" right="0.7" top="0.75" bottom="0.75" header="0.3" '
            'footer="0.3"/></worksheet>',
        ))

    def filter_name(self, index: int) -> str:
        """The hidden ``_FilterDatabase`` name Excel keeps for a sheet's autofilter."""
        assert self.filter_ref is not None
        first, last = (re.sub(r"([A-Z]+)([0-9]+)", r"$\1$\2", ref)
                       for ref in self.filter_ref.split(":"))
        quoted = self.name.replace("'", "''")
        target = _xml_text(f"'{quoted}'!{first}:{last}")
        return (f'<definedName name="_xlnm._FilterDatabase" localSheetId="{index}" hidden="1">'
                f"{target}</definedName>")


def _styles_xml() -> str:
    """xl/styles.xml: the number formats, a bold font, the header fill, one xf per style."""
    formats = "".join(f'<numFmt numFmtId="{n}" formatCode="{_xml_text(code)}"/>'
                      for n, code in _CUSTOM_FORMATS.items())
    font = '<sz val="11"/><name val="Calibri"/><family val="2"/>'
    xfs = []
    for emphasis, kind, quote in _STYLES:
        attributes = (f'numFmtId="{_NUMBER_FORMATS[kind]}" fontId="{int(emphasis != _PLAIN)}" '
                      f'fillId="{2 if emphasis == _HEADER else 0}" borderId="0" xfId="0"')
        if kind != "text":
            attributes += ' applyNumberFormat="1"'
        if emphasis != _PLAIN:
            attributes += ' applyFont="1"'
        if quote:
            attributes += ' quotePrefix="1"'
        if emphasis == _HEADER:
            xfs.append(f'<xf {attributes} applyFill="1" applyAlignment="1">'
                       '<alignment vertical="top" wrapText="1"/></xf>')
        else:
            xfs.append(f"<xf {attributes}/>")
    return "".join((
        _DECLARATION, f'<styleSheet xmlns="{_MAIN_NS}">',
        f'<numFmts count="{len(_CUSTOM_FORMATS)}">{formats}</numFmts>',
        f'<fonts count="2"><font>{font}</font><font><b/>{font}</font></fonts>',
        '<fills count="3"><fill><patternFill patternType="none"/></fill>'
        '<fill><patternFill patternType="gray125"/></fill>'
        '<fill><patternFill patternType="solid"><fgColor rgb="FFDDE5F0"/>'
        '<bgColor indexed="64"/></patternFill></fill></fills>',
        '<borders count="1"><border><left/><right/><top/><bottom/><diagonal/></border>'
        "</borders>",
        '<cellStyleXfs count="1"><xf numFmtId="0" fontId="0" fillId="0" borderId="0"/>'
        "</cellStyleXfs>",
        f'<cellXfs count="{len(xfs)}">{"".join(xfs)}</cellXfs>',
        '<cellStyles count="1"><cellStyle name="Normal" xfId="0" builtinId="0"/></cellStyles>',
        '<dxfs count="0"/><tableStyles count="0"/></styleSheet>',
    ))


def _package(sheets: Sequence[_Sheet], strings: _SharedStrings, title: str) -> bytes:
    """Zip the parts of the workbook, in a fixed order with fixed times."""
    doc = "http://schemas.openxmlformats.org/officeDocument/2006"
    package = "http://schemas.openxmlformats.org/package/2006"
    types = "application/vnd.openxmlformats-officedocument.spreadsheetml"
    stamp = _CREATED.strftime("%Y-%m-%dT%H:%M:%SZ")
    overrides = [
        ("/xl/workbook.xml", f"{types}.sheet.main+xml"),
        *((f"/xl/worksheets/sheet{n}.xml", f"{types}.worksheet+xml")
          for n in range(1, len(sheets) + 1)),
        ("/xl/styles.xml", f"{types}.styles+xml"),
        ("/xl/sharedStrings.xml", f"{types}.sharedStrings+xml"),
        ("/docProps/core.xml", "application/vnd.openxmlformats-package.core-properties+xml"),
        ("/docProps/app.xml",
         "application/vnd.openxmlformats-officedocument.extended-properties+xml"),
    ]
    content_types = "".join((
        _DECLARATION, f'<Types xmlns="{package}/content-types">',
        '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.'
        'relationships+xml"/><Default Extension="xml" ContentType="application/xml"/>',
        *(f'<Override PartName="{name}" ContentType="{kind}"/>' for name, kind in overrides),
        "</Types>",
    ))
    root_rels = "".join((
        _DECLARATION, f'<Relationships xmlns="{_PKG_REL_NS}">',
        f'<Relationship Id="rId1" Type="{doc}/relationships/officeDocument" '
        'Target="xl/workbook.xml"/>',
        f'<Relationship Id="rId2" Type="{package}/relationships/metadata/core-properties" '
        'Target="docProps/core.xml"/>',
        f'<Relationship Id="rId3" Type="{doc}/relationships/extended-properties" '
        'Target="docProps/app.xml"/>',
        "</Relationships>",
    ))
    core = "".join((
        _DECLARATION,
        f'<cp:coreProperties xmlns:cp="{package}/metadata/core-properties" '
        'xmlns:dc="http://purl.org/dc/elements/1.1/" xmlns:dcterms="http://purl.org/dc/terms/" '
        'xmlns:dcmitype="http://purl.org/dc/dcmitype/" '
        'xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance">',
        f"<dc:title>{_xml_text(title)}</dc:title><dc:creator>fsr-opt</dc:creator>",
        f'<dcterms:created xsi:type="dcterms:W3CDTF">{stamp}</dcterms:created>',
        f'<dcterms:modified xsi:type="dcterms:W3CDTF">{stamp}</dcterms:modified>',
        "</cp:coreProperties>",
    ))
    app = (f'{_DECLARATION}<Properties xmlns="{doc}/extended-properties" '
           f'xmlns:vt="{doc}/docPropsVTypes"><Application>fsr-opt</Application></Properties>')
    sheet_list = "".join(
        f'<sheet name="{_xml_text(sheet.name)}" sheetId="{n}" r:id="rId{n}"/>'
        for n, sheet in enumerate(sheets, start=1))
    names = "".join(sheet.filter_name(n) for n, sheet in enumerate(sheets) if sheet.filter_ref)
    workbook = "".join((
        _DECLARATION, f'<workbook xmlns="{_MAIN_NS}" xmlns:r="{_REL_NS}">',
        '<bookViews><workbookView activeTab="0"/></bookViews>',
        f"<sheets>{sheet_list}</sheets>",
        f"<definedNames>{names}</definedNames>" if names else "",
        "</workbook>",
    ))
    count = len(sheets)
    workbook_rels = "".join((
        _DECLARATION, f'<Relationships xmlns="{_PKG_REL_NS}">',
        *(f'<Relationship Id="rId{n}" Type="{doc}/relationships/worksheet" '
          f'Target="worksheets/sheet{n}.xml"/>' for n in range(1, count + 1)),
        f'<Relationship Id="rId{count + 1}" Type="{doc}/relationships/styles" '
        'Target="styles.xml"/>',
        f'<Relationship Id="rId{count + 2}" Type="{doc}/relationships/sharedStrings" '
        'Target="sharedStrings.xml"/>',
        "</Relationships>",
    ))
    # The sheets first: writing them fills the shared strings.
    worksheets = [(f"xl/worksheets/sheet{n}.xml", sheet.xml(selected=n == 1))
                  for n, sheet in enumerate(sheets, start=1)]
    parts = [
        ("[Content_Types].xml", content_types),
        ("_rels/.rels", root_rels),
        ("docProps/app.xml", app),
        ("docProps/core.xml", core),
        ("xl/workbook.xml", workbook),
        ("xl/_rels/workbook.xml.rels", workbook_rels),
        ("xl/styles.xml", _styles_xml()),
        ("xl/sharedStrings.xml", strings.xml()),
        *worksheets,
    ]
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, text in parts:
            archive.writestr(_zip_entry(name, _CREATED), text.encode("utf-8"),
                             compresslevel=_COMPRESS_LEVEL)
    return out.getvalue()


def _zip_entry(name: str, stamp: datetime) -> zipfile.ZipInfo:
    """A zip entry that carries `stamp`, not the time of writing (same input, same bytes)."""
    zip_time = (max(stamp.year, 1980), stamp.month, stamp.day, stamp.hour, stamp.minute,
                stamp.second)
    entry = zipfile.ZipInfo(name, date_time=zip_time)
    entry.compress_type = zipfile.ZIP_DEFLATED
    entry.create_system = 3
    entry.external_attr = 0o644 << 16
    return entry


def _table(
    sheet: _Sheet,
    columns: Sequence[Column],
    rows: Sequence[Sequence[object]],
    lang: str,
    *,
    first_row: int = 1,
    freeze: bool = True,
) -> int:
    """Write a heading and rows, with filters (and a frozen header); return the next free row.

    Column by column: a cell costs a few list-comprehension steps, not a call.
    """
    for col, column in enumerate(columns, start=1):
        sheet.put(first_row, col, "text", column.heading(lang), _HEADER)
    values = list(zip(*rows, strict=True)) if rows else [() for _ in columns]
    numbers = range(first_row + 1, first_row + 1 + len(rows))
    sheet.put_rows(first_row + 1, [
        sheet.column_cells(col, column.kind, cells, numbers)
        for col, (column, cells) in enumerate(zip(columns, values, strict=True), start=1)
    ])
    # Width: the longest text as str() shows it (amounts get room for separators), capped.
    sheet.widths = [
        min(max(len(column.heading(lang)),
                max(map(len, map(str, cells)), default=0)
                + (4 if column.kind == "money" and cells else 0)) + 2, _MAX_WIDTH)
        for column, cells in zip(columns, values, strict=True)
    ]
    last = first_row + len(rows)
    sheet.filter_ref = f"A{first_row}:{_letter(len(columns))}{max(last, first_row)}"
    if freeze:
        sheet.frozen_rows = first_row
    return last + 1


def _allocation(
    outcomes: Sequence[UnitOutcome], lang: str, table: Sequence[Sequence[str]] | None
) -> list[list[object]]:
    """allocation.csv's cells, translated where a reader needs words (eligible, ownership)."""
    eligible = ALLOCATION_COLUMNS.index("eligible")
    ownership = ALLOCATION_COLUMNS.index("ownership")
    words = {"true": yes_no(True, lang), "false": yes_no(False, lang)}
    owners = {"public": "pubblica", "private": "privata"} if lang == "it" else {}
    rows: list[list[object]] = []
    # ALLOCATION_SHEET has allocation.csv's order
    for cells in allocation_rows(outcomes) if table is None else table:
        row: list[object] = list(cells)
        row[eligible] = words.get(cells[eligible], words["false"])
        row[ownership] = owners.get(cells[ownership], cells[ownership])
        rows.append(row)
    return rows


def _exclusions(outcomes: Sequence[UnitOutcome], lang: str) -> list[list[object]]:
    rows: list[list[object]] = []
    for outcome in outcomes:
        if outcome.award > 0:
            continue
        item = outcome.assessment
        codes = [r.value for r in item.reasons] or [outcome.binding.value]
        rows.append([
            item.unit.unit_id, item.unit.name, item.unit.operator, item.unit.municipality,
            item.unit.unit_type, item.area, item.service, ";".join(codes),
            "; ".join(describe(REASONS, code, lang) for code in codes),
            Decimal(item.entitlement) / 100,
        ])
    return rows


def _summary(
    outcomes: Sequence[UnitOutcome], allocation: Allocation, rules: RuleSet, lang: str
) -> list[list[object]]:
    labels = {s.code: s.label for a in rules.areas for s in a.services}
    labels.update({a.code: a.label for a in rules.areas})
    total = _TEXT[lang]["total"]
    rows: list[list[object]] = []
    for cells in summary_rows(outcomes, allocation, rules):
        record = dict(zip(SUMMARY_COLUMNS, cells, strict=True))
        area, service = record["area"], record["service"]
        label = labels.get(service if service != TOTAL else area, "")
        record["label"] = "" if area == TOTAL else label
        record["area"] = total if area == TOTAL else area
        record["service"] = total if service == TOTAL else service
        rows.append([record[column.key] for column in SUMMARY_SHEET])
    return rows


def _with_year(columns: Sequence[Column], rules: RuleSet) -> tuple[Column, ...]:
    """The columns with ``{history_year}`` in their headings set from the rule set."""
    return tuple(replace(column, it=column.it.format(history_year=rules.history_year),
                         en=column.en.format(history_year=rules.history_year))
                 for column in columns)


def _payments(outcomes: Sequence[UnitOutcome]) -> list[list[object]]:
    return [list(row) for row in payment_rows(outcomes)]


def _checks(sheet: _Sheet, audit: AuditReport | None, lang: str) -> None:
    words = _TEXT[lang]
    if audit is None:
        sheet.put(1, 1, "text", words["not_run"])
        return
    certificates = {"MONEY_LEFT", "TRANSFER_IMPROVES"}
    rows: list[list[object]] = [
        [result.code,
         CHECKS_IT.get(result.code, result.description) if lang == "it" else result.description,
         words["certificate" if result.code in certificates else "rule"],
         result.checked, result.failed, words["passed" if result.passed else "failed"]]
        for result in audit.results
    ]
    after = _table(sheet, CHECKS_SHEET, rows, lang)
    sheet.put(after + 1, 1, "text", words["summary"].format(
        passed=audit.passed, run=audit.checks_run, rule_set=audit.rule_set))
    if audit.violations:
        sheet.put(after + 3, 1, "text", words["violations"], _BOLD)
        details = [[v.check, v.subject, v.expected, v.actual, v.message]
                   for v in audit.violations]
        for offset, row in enumerate(details, start=1):
            for col, (column, value) in enumerate(zip(VIOLATIONS_SHEET, row, strict=True),
                                                  start=1):
                sheet.put(after + 3 + offset, col, column.kind, value)


def allocation_workbook(
    outcomes: Sequence[UnitOutcome],
    allocation: Allocation,
    rules: RuleSet,
    *,
    audit: AuditReport | None = None,
    lang: str = "it",
    table: Sequence[Sequence[str]] | None = None,
) -> bytes:
    """Build allocation.xlsx in memory.

    Args:
        outcomes: every unit with its award (`fsr_opt.reports.tables.unit_outcomes`), input order.
        allocation: the solved allocation.
        rules: the rule set of the run (labels of the areas and service lines).
        audit: the audit of this allocation for the Verifiche sheet; None says none was run.
        lang: ``it`` (default) or ``en``, for sheet names, headings and words.
        table: allocation.csv's rows (`fsr_opt.reports.tables.allocation_rows`), if already made.

    Returns:
        The .xlsx file's bytes, the same for the same arguments.
    """
    strings = _SharedStrings()
    riparto, payments, exclusions, summary, checks = (
        _Sheet(name, strings) for name in SHEET_NAMES[lang])
    _table(riparto, _with_year(ALLOCATION_SHEET, rules), _allocation(outcomes, lang, table),
           lang)
    payment_data = _payments(outcomes)
    after = _table(payments, PAYMENTS_SHEET, payment_data, lang)
    totals: list[object] = [_TEXT[lang]["total"]]
    for index in range(1, len(PAYMENTS_SHEET)):
        totals.append(sum((Decimal(str(row[index])) for row in payment_data), Decimal(0)))
    for col, (column, value) in enumerate(zip(PAYMENTS_SHEET, totals, strict=True), start=1):
        # below the filter, after a blank row
        payments.put(after + 1, col, column.kind, value, _BOLD)
    _table(exclusions, EXCLUSIONS_SHEET, _exclusions(outcomes, lang), lang)
    _table(summary, _with_year(SUMMARY_SHEET, rules), _summary(outcomes, allocation, rules, lang),
           lang)
    _checks(checks, audit, lang)
    return _package((riparto, payments, exclusions, summary, checks), strings,
                    f"FSR {rules.year} - {rules.ambito}")


def reproducible_xlsx(data: bytes, stamp: datetime) -> bytes:
    """Rewrite an XLSX with fixed zip entry times and document dates.

    openpyxl (which writes the example's units.xlsx) stamps the save time on every zip entry
    and in docProps/core.xml; the same input must give byte-identical outputs, so both are
    pinned to `stamp`.
    """
    text_stamp = stamp.strftime("%Y-%m-%dT%H:%M:%SZ").encode()
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(data)) as source, \
            zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        for info in source.infolist():
            payload = source.read(info.filename)
            if info.filename == "docProps/core.xml":
                payload = re.sub(rb"(<dcterms:(?:created|modified)[^>]*>)[^<]*",
                                 rb"\g<1>" + text_stamp, payload)
            target.writestr(_zip_entry(info.filename, stamp), payload)
    return out.getvalue()
