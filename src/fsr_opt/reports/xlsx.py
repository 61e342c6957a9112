"""A SpreadsheetML (.xlsx) writer: each sheet streamed into its zip entry, same input same bytes.

`Workbook` holds sheets; a `Sheet` gets one table (a heading row, then rows of cells, filtered,
the heading frozen) and loose cells. Nothing is rendered until `Workbook.write`: each
worksheet's XML then goes into its zip entry a block of rows at a time, so the memory a
workbook needs does not grow with the text of its largest sheet. The texts are numbered (the
shared strings) when the cells are given, in the order they are given, so the shared-strings
part can be written before the sheets that refer to it: parts and zip entries keep a fixed
order with fixed times, and the bytes do not depend on how the XML is cut into blocks.

Cells are written by hand, not with openpyxl (far slower per cell; benchmarks/RESULTS.md). A
table's cell that follows the previous cell of its row leaves out its reference (``r="B7"``,
optional in ECMA-376: a reader places it next), which halves a large workbook.
Every cell is a number (``<v>``, the exact decimal text) or a shared string, never ``<f>``:
a text starting with ``=``, ``+``, ``-`` or ``@`` is stored as text with Excel's quote
prefix, so neither opening nor editing the cell runs it. Text is
XML-escaped, the characters XML 1.0 cannot carry are written as Excel's ``_xHHHH_`` escapes
(ECMA-376 ST_Xstring), and a text longer than a cell can hold (32,767 characters) is cut,
ending in "…".

Cell kinds: ``money`` (format ``#,##0.00``: Excel shows 1.234,56 in an Italian locale and
1,234.56 elsewhere, and the user can still add them up), ``ratio`` (``0.000000``), ``share``
(a 0..1 share shown as ``0.0000%``), ``rate`` (a 0..1 share a person reads at a glance, a
spend rate: ``0.0%``), ``count`` (``0``); any other kind is text.

Print set-up (`Workbook.set_footer`, on every sheet): A4 landscape, fit to one page wide and
as many tall as needed (``fitToPage``), the table's heading row repeated on every printed page
(the ``_xlnm.Print_Titles`` defined name), its grid lines, and a footer, so that a sheet printed
as the annex of a deliberation names its rule set and input on every page. A column of long
texts wraps them within a bounded width (`_column_width`), so that such a sheet printed one
page wide is not shrunk to a quarter of its size; the style is the column's, not the cell's.
Widths and the height of each row of wrapped texts are worked out from Calibri's letter widths
(`_CHAR_WIDTHS`): LibreOffice does not size such rows itself, and printed their lines on top
of each other; a code of capitals gets the room it needs.
"""

from __future__ import annotations

import io
import re
import sys
import zipfile
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from itertools import chain, compress, filterfalse, repeat
from typing import BinaryIO, cast

MONEY_FORMAT = "#,##0.00"
SHARE_FORMAT = "0.0000%"
RATE_FORMAT = "0.0%"
RATIO_FORMAT = "0.000000"
COUNT_FORMAT = "0"
PLAIN, BOLD, HEADER = "plain", "bold", "header"
# A body cell of a column of long texts: plain, wrapped within the column's bounded width.
WRAP = "wrap"
# A fixed creation date keeps two workbooks of the same content alike (a writer would stamp
# the current time); run.json records when a run happened.
CREATED = datetime(2000, 1, 1)

_FORMULA_TRIGGERS = ("=", "+", "-", "@")
_MAX_WIDTH = 60
# A column of texts longer than this wraps them at this width (names, service lines, reasons),
# so that a sheet printed one page wide keeps a readable scale; a code column whose few long
# outliers pass it is as wide as its usual codes (`_TYPICAL`), the outliers wrapped.
_WRAP_WIDTH = 30
_TYPICAL = 0.9  # the share of a column's distinct texts its width shows whole
_MIN_WIDTH = 7
# One line of the default font (Calibri 11) is 15 points tall, Excel's default row height.
_LINE_POINTS = 15
# A column's width counts the default font's digits (7 pixels at 96 dpi), which are 7.4
# pixels wide in Calibri 11, and a cell keeps a few pixels of padding: a line of wrapped text
# holds `_LINE_SHARE` of the width less `_PADDING` digits (a little less than it does).
_LINE_SHARE = 0.93
_PADDING = 0.5
# Calibri's advance widths (Carlito's, its metric twin), as multiples of a digit's, rounded
# up to a twentieth; any other character counts as `_WIDEST` (an unknown letter is never
# narrower than it is taken to be).
_CHAR_WIDTHS = {char: width for chars, width in (
    ("' ", 0.45), ("ijlI,.ìÌ\u2018\u2019", 0.5), (":;", 0.55), ("()`", 0.6), ("fJ!-[]{}", 0.65),
    ("rt°", 0.7), ('sz"/\\', 0.8), ("cL“”", 0.85), ("kvxy", 0.9), ("agFSZ?|à", 0.95),
    ("0123456789eETY#$*+<=>^_~èéÈÉ€\u2013", 1.0), ("bdhnopquKPXòù«»", 1.05), ("BCR", 1.1),
    ("AVÀ", 1.15), ("DGH", 1.25), ("NUÙ", 1.3), ("OQ&Ò", 1.35), ("…", 1.4), ("w%", 1.45),
    ("m", 1.6), ("M", 1.7), ("W@", 1.8),
) for char in chars}
_WIDEST = 1.8
_BOLD = 1.06  # Calibri bold against regular, on average
_MAIN_NS = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
_REL_NS = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
_PKG_REL_NS = "http://schemas.openxmlformats.org/package/2006/relationships"
_DECLARATION = '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
_MAX_CELL_TEXT = 32767  # the most a cell holds in Excel, in UTF-16 units
# zlib's fastest level: much faster than the default for a somewhat larger file
# (benchmarks/RESULTS.md).
_COMPRESS_LEVEL = 1
# Rows (or shared strings) rendered at a time by default: bounds the text held in memory.
BLOCK_ROWS = 2000

# Characters XML 1.0 cannot carry (C0 controls but tab, newline and CR; lone surrogates;
# U+FFFE/U+FFFF), and text that already looks like an ``_xHHHH_`` escape, whose ``_`` is
# itself escaped so that Excel reads the text back unchanged.
_UNSAFE = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]|_(?=x[0-9A-Fa-f]{4}_)")
_NEEDS_ESCAPE = re.compile("[&<>\"'\r\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]|_x")
_NEEDS_PRESERVE = re.compile(r"^\s|\s$|\s\s|[\t\n\r]")
_PLAIN_NUMBER = re.compile(r"-?[0-9]+(?:\.[0-9]+)?")
_PLAIN_INTEGER = re.compile(r"-?[0-9]+")
# XML's five entities, and CR as a character reference (a raw CR would read back as LF).
# A table, not xml.sax.saxutils: that module imports urllib and http for nothing here.
_ENTITIES = str.maketrans({"&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;",
                           "'": "&apos;", "\r": "&#13;"})

# Cell styles: the index of each (emphasis, kind, quote prefix) in styles.xml's cellXfs.
_NUMBER_FORMATS = {"text": 0, "money": 4, "ratio": 164, "share": 165, "count": 1, "rate": 166}
_CUSTOM_FORMATS = {164: RATIO_FORMAT, 165: SHARE_FORMAT, 166: RATE_FORMAT}  # 4, 1 built in
assert _NUMBER_FORMATS["money"] == 4 and MONEY_FORMAT == "#,##0.00"
assert _NUMBER_FORMATS["count"] == 1 and COUNT_FORMAT == "0"
_STYLES: tuple[tuple[str, str, bool], ...] = (
    *((emphasis, kind, False) for emphasis in (PLAIN, BOLD, HEADER) for kind in _NUMBER_FORMATS),
    *((emphasis, "text", True) for emphasis in (PLAIN, BOLD, HEADER)),
    (WRAP, "text", False), (WRAP, "text", True),
)
_STYLE_INDEX = {style: index for index, style in enumerate(_STYLES)}
_NUMERIC = {"money", "ratio", "share", "count", "rate"}


def _xml_text(text: str) -> str:
    """Escape text for an element or attribute; XML-illegal characters become ``_xHHHH_``."""
    if not _may_need_escape(text) or not _NEEDS_ESCAPE.search(text):
        return text
    text = _UNSAFE.sub(lambda m: f"_x{ord(m.group()):04X}_", text)
    return text.translate(_ENTITIES)


def _may_need_escape(text: str) -> bool:
    """Whether `_NEEDS_ESCAPE` could match: always for a text with a character not printable.

    The characters XML cannot carry are none of them printable (`str.isprintable`), so a
    printable text needs escaping only for one of five characters or ``_x``: searches for one
    character each, which CPython runs many times faster than the regex's scan. A workbook
    of a large Ambito writes over a hundred thousand texts.
    """
    return (not text.isprintable() or "&" in text or "<" in text or ">" in text
            or '"' in text or "'" in text or "_x" in text)


def _needs_preserve(text: str) -> bool:
    """Whether a text's spaces must be kept (``xml:space``): `_NEEDS_PRESERVE`, quicker.

    A printable text holds no whitespace but the plain space (`str.isprintable`), so only
    its ends and a double space are looked at; any other text goes to the regex.
    """
    if text.isprintable():
        return text.startswith(" ") or text.endswith(" ") or "  " in text
    return _NEEDS_PRESERVE.search(text) is not None


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


def _all_text(values: Sequence[object]) -> bool:
    """True when every cell is a `str` (checked in C: a column holds 100,000 cells)."""
    return not values or set(map(type, values)) == {str}


def _numbers(values: Sequence[object], kind: str) -> list[str]:
    """`_number` of a column's cells, "" for an empty one.

    A plain decimal text (allocation.csv's cells) is checked by a regex and kept as it is; a
    column of such texts is checked by one regex over the whole column (`_plain_column`).
    """
    if _all_text(values) and _plain_column(texts := cast("Sequence[str]", values), kind):
        return list(texts)
    match = (_PLAIN_INTEGER if kind == "count" else _PLAIN_NUMBER).fullmatch
    return [value if type(value) is str and match(value)
            else "" if value is None or value == "" else _number(value, kind)
            for value in values]


# Possessive (``++``, ``?+``): nothing matched is ever given back, as a line can match in one
# way only, which makes the match several times faster than with backtracking.
_PLAIN_LINES = re.compile(r"(?:-?[0-9]++(?:\.[0-9]++)?+)?+(?:\n(?:-?[0-9]++(?:\.[0-9]++)?+)?+)*+")
_INTEGER_LINES = re.compile(r"(?:-?[0-9]++)?+(?:\n(?:-?[0-9]++)?+)*+")


def _plain_column(values: Sequence[str], kind: str) -> bool:
    """True when each text is "" or a plain number `_numbers` keeps: one regex for them all.

    A plain number is `_PLAIN_NUMBER` (`_PLAIN_INTEGER` for a count). The texts are joined
    with newlines, so the count of newlines tells that no text holds one of its own.
    """
    joined = "\n".join(values)
    lines = _INTEGER_LINES if kind == "count" else _PLAIN_LINES
    return joined.count("\n") == len(values) - 1 and lines.fullmatch(joined) is not None


def _texts(values: Sequence[object]) -> list[str]:
    """A text column's cells as strings, "" for an empty one."""
    if _all_text(values):
        return list(cast("Sequence[str]", values))
    return [value if type(value) is str else "" if value is None else str(value)
            for value in values]


def _any_formula_like(texts: Iterable[str]) -> bool:
    """True when a text (or a line of one) starts like a formula: a few scans in C."""
    lines = "\n" + "\n".join(texts)
    return any("\n" + trigger in lines for trigger in _FORMULA_TRIGGERS)


def _interleave(pieces: Sequence[str | Sequence[str]]) -> str:
    """Join pieces row by row: a `str` is the same in every row, a sequence one text a row.

    A row of a table is its fixed XML with the row number and the cells' values between:
    joining such pieces in one `str.join` writes a block of rows without a step per cell.
    """
    merged: list[str | Sequence[str]] = []
    for piece in pieces:
        if isinstance(piece, str) and merged and isinstance(merged[-1], str):
            merged[-1] += piece  # fixed texts side by side are one piece
        else:
            merged.append(piece)
    # strict=False: a fixed text repeats without end, the row texts say how many rows
    rows = zip(*(repeat(piece) if isinstance(piece, str) else piece for piece in merged),
               strict=False)
    return "".join(chain.from_iterable(rows))


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
        # text -> its number as a cell's <v> writes it, in order of first use
        self.index: dict[str, str] = {}
        self.count = 0  # cells that refer to a text
        # (text, column width) -> its lines when wrapped (`_line_count`), for every sheet
        self.line_counts: dict[tuple[str, int], int] = {}
        self.sizes: dict[str, int] = {}  # text -> its `_sizes`, for every sheet

    def add(self, texts: Sequence[str]) -> dict[str, None]:
        """Number the new texts of a column of cells ("" is an empty cell).

        Returns:
            The column's distinct texts, in order of first use ("" too if a cell is empty):
            a column repeats its texts a lot, so they are what the caller looks at.
        """
        index = self.index
        distinct = dict.fromkeys(texts)
        new = list(filterfalse(index.__contains__, distinct))
        if "" in distinct:
            new.remove("")  # an empty cell is no text
            self.count -= texts.count("")
        numbers = range(len(index), len(index) + len(new))
        index.update(zip(new, map(str, numbers), strict=True))
        self.count += len(texts)
        return distinct

    def chunks(self, block_rows: int) -> Iterator[str]:
        """The part's text, `block_rows` strings at a time."""
        yield (f'{_DECLARATION}<sst xmlns="{_MAIN_NS}" count="{self.count}" '
               f'uniqueCount="{len(self.index)}">')
        texts = list(self.index)
        for start in range(0, len(texts), block_rows):
            yield _string_items(texts[start:start + block_rows])
        yield "</sst>"


def _string_items(texts: Sequence[str]) -> str:
    """The ``<si>`` elements of these shared strings, in one `str.join` when none needs work.

    Nearly every text of a workbook is short, printable, with no character to escape and
    no space to keep (names, codes): the whole block is checked in C, and only a block
    with one that needs its own care (`_clip`, `_needs_preserve`, `_xml_text`) is written
    text by text. A large Ambito's workbook has over a hundred thousand strings.
    """
    joined = "".join(texts)
    lines = "\n".join(texts)  # a space at a text's end shows next to a newline
    if (max(map(len, texts), default=0) * 2 <= _MAX_CELL_TEXT and not _may_need_escape(joined)
            and not (lines.startswith(" ") or lines.endswith(" ") or "  " in lines
                     or " \n" in lines or "\n " in lines)):
        return "<si><t>" + "</t></si><si><t>".join(texts) + "</t></si>" if texts else ""
    items = []
    for text in map(_clip, texts):
        space = ' xml:space="preserve"' if _needs_preserve(text) else ""
        items.append(f"<si><t{space}>{_xml_text(text)}</t></si>")
    return "".join(items)


@dataclass(frozen=True)
class _Table:
    """A sheet's table body: its cells by column, written only when the sheet is.

    By column: what is worked out of a table (widths, shared strings, line counts) goes
    column by column, and a block of rows is written as a slice of each column.
    """

    first_row: int  # the row of the first body row (the heading is the row above)
    kinds: tuple[str, ...]
    columns: tuple[Sequence[object], ...]
    # per column: each cell is a text written as it is (a plain number, a shared string
    # that needs no quote prefix), none empty; checked once, not for each block of rows
    uniform: tuple[bool, ...]
    wraps: tuple[bool, ...]  # per column: its texts wrap (`_column_width`)
    count: int
    # per row: its lines of wrapped text (`_line_count`); None when every row has one
    lines: tuple[int, ...] | None = None

    @property
    def last_row(self) -> int:
        return self.first_row + self.count - 1


class Sheet:
    """One worksheet: its cells, column widths, filter and frozen heading.

    Give the cells with `table` (at most once) and `cell`; `Workbook.write` renders them.
    """

    def __init__(self, name: str, strings: _SharedStrings) -> None:
        self.name = name
        self._strings = strings
        self._cells: dict[int, str] = {}  # row number -> the XML of its loose cells
        self._lines: dict[int, int] = {}  # row number -> its lines, for a loose row of several
        self._table: _Table | None = None
        self._widths: list[int] = []
        self._filter_ref: str | None = None
        self._frozen_rows = 0
        self._max_col = 0
        self._heading_row: int | None = None  # repeated on each printed page
        self.footer = ""  # the oddFooter's codes (`footer_codes`); "" for none

    def cell(self, row: int, col: int, kind: str, value: object, emphasis: str = PLAIN) -> None:
        """Write one cell, right of the row's cells so far (a row's cells go left to right).

        Raises:
            ValueError: the row is one of the table's body rows.
        """
        if self._table is not None and self._table.first_row <= row <= self._table.last_row:
            raise ValueError(f"row {row} of sheet '{self.name}' belongs to its table")
        self._register(kind, [value])
        xml = _interleave(self._column(col, kind, [value], [str(row)], emphasis))
        self._cells[row] = self._cells.get(row, "") + xml

    def table(
        self,
        headings: Sequence[str],
        kinds: Sequence[str],
        rows: Sequence[Sequence[object]],
        *,
        first_row: int = 1,
        freeze: bool = True,
    ) -> int:
        """Write a heading row and the rows under it, filtered; return the next free row.

        Args:
            headings: the text of each column's heading.
            kinds: each column's cell kind (see the module's docstring).
            rows: the cells, one sequence per row, as many as the headings.
            first_row: the heading's row.
            freeze: keep the heading (and the rows above it) in view when scrolling.

        Raises:
            ValueError: the sheet already has a table, or a cell in the rows it would take.
        """
        if rows and set(map(len, rows)) != {len(headings)}:
            raise ValueError(f"sheet '{self.name}': a row does not have as many cells as the "
                             f"{len(headings)} headings")
        columns = list(zip(*rows, strict=True)) if rows else [() for _ in headings]
        return self.table_columns(headings, kinds, columns, first_row=first_row, freeze=freeze)

    def table_columns(
        self,
        headings: Sequence[str],
        kinds: Sequence[str],
        columns: Sequence[Sequence[object]],
        *,
        first_row: int = 1,
        freeze: bool = True,
    ) -> int:
        """`table`, its cells given by column: each column's cells, top to bottom.

        Raises:
            ValueError: the sheet already has a table, or a cell in the rows it would take.
        """
        count = len(columns[0]) if columns else 0
        if self._table is not None:
            raise ValueError(f"sheet '{self.name}' already has a table")
        if any(first_row < row <= first_row + count for row in self._cells):
            raise ValueError(f"sheet '{self.name}' has cells in the rows of the table")
        if (len(kinds) != len(headings) or len(columns) != len(headings)
                or any(len(column) != count for column in columns)):
            raise ValueError(f"sheet '{self.name}': the columns or the kinds are not as many "
                             f"as the {len(headings)} headings, or not as long")
        for col, heading in enumerate(headings, start=1):
            self.cell(first_row, col, "text", heading, HEADER)
        self._widths = []
        uniform: list[bool] = []
        wraps: list[bool] = []
        column_lines: list[list[int]] = []  # per column of texts of several lines: per row
        for heading, kind, cells in zip(headings, kinds, columns, strict=True):
            texts = cast("Sequence[str]", cells) if _all_text(cells) else None
            if kind in _NUMERIC:
                uniform.append(texts is not None and "" not in texts
                               and _plain_column(texts, kind))
                # as wide as its longest number as str() shows it
                shown = map(str, cells) if texts is None else texts
                self._widths.append(_column_width(heading, kind, list(map(len, shown)))[0])
                wraps.append(False)
                continue
            column_texts = _texts(cells) if texts is None else texts
            distinct = self._strings.add(column_texts)
            uniform.append(texts is not None and "" not in distinct
                           and not _any_formula_like(distinct))
            distinct_texts = list(distinct)  # the width needs each text once
            # each text measured once in the workbook: its sheets show the same names
            known = self._strings.sizes
            new = list(filterfalse(known.__contains__, distinct_texts))
            known.update(zip(new, _sizes(new), strict=True))
            sizes = list(map(known.__getitem__, distinct_texts))
            width, wrap = _column_width(heading, kind, list(sizes))
            self._widths.append(width)
            wraps.append(wrap)
            if wrap:
                # each distinct text laid out once; the rows look their counts up
                counts = _line_counts(distinct_texts, sizes, width, self._strings.line_counts)
                if counts:
                    column_lines.append(list(map(counts.get, column_texts, repeat(1))))
        heading_lines = max((_line_count(heading, width, bold=True)
                             for heading, width in zip(headings, self._widths, strict=True)),
                            default=1)
        if heading_lines > 1:
            self._lines[first_row] = heading_lines
        self._max_col = max(self._max_col, len(headings))
        self._table = _Table(first_row + 1, tuple(kinds), tuple(columns), tuple(uniform),
                             tuple(wraps), count,
                             tuple(map(max, *column_lines)) if len(column_lines) > 1
                             else tuple(column_lines[0]) if column_lines else None)
        last = first_row + count
        self._filter_ref = f"A{first_row}:{_letter(len(headings))}{max(last, first_row)}"
        if freeze:
            self._frozen_rows = first_row
        self._heading_row = first_row
        return last + 1

    def _register(self, kind: str, values: Sequence[object]) -> None:
        """Number the texts of these cells now: the shared strings go before the sheets."""
        if kind not in _NUMERIC:
            self._strings.add(_texts(values))

    def _column(
        self,
        col: int,
        kind: str,
        values: Sequence[object],
        rows: Sequence[str],
        emphasis: str = PLAIN,
        *,
        uniform: bool = False,
        follows: bool = False,
    ) -> list[str | Sequence[str]]:
        """A column's cells in `rows` (row numbers), as the pieces `_interleave` joins.

        When each cell of the column has the same style (the usual case), the pieces are the
        cell's fixed XML around its row number and its value, so no cell is rendered on its
        own; when some cell is empty (no cell at all) or a text needs the quote prefix, the
        one piece is each cell's whole XML ("" for an empty one). `uniform` says that the
        cells are known to be of the first case (`_Table.uniform`), so are not checked.
        `follows` says that each row's cell comes right after the row's previous one (or
        first in the row), so that a cell of the first case leaves out its reference
        (``r="B7"``): a reader places it next, as ECMA-376 allows. At a large Ambito the
        references were half of allocation.xlsx's bytes.

        Numbers are numbers with their format; text is a shared string (numbered by
        `_register`), with the quote prefix style when it starts like a formula.
        """
        letter = _letter(col)
        self._max_col = max(self._max_col, col)
        if kind in _NUMERIC:
            style = f' s="{_STYLE_INDEX[emphasis, kind, False]}"'
            texts = cast("Sequence[str]", values) if uniform else _numbers(values, kind)
            if uniform or "" not in texts:
                if follows:
                    return [f"<c{style}><v>", texts, "</v></c>"]
                return [f'<c r="{letter}', rows, f'"{style}><v>', texts, "</v></c>"]
            return [[f'<c r="{letter}{n}"{style}><v>{text}</v></c>' if text else ""
                     for n, text in zip(rows, texts, strict=True)]]
        plain = _STYLE_INDEX[emphasis, "text", False]
        style = f' s="{plain}"' if plain else ""
        quoted = f' s="{_STYLE_INDEX[emphasis, "text", True]}"'
        index = self._strings.index
        texts = cast("Sequence[str]", values) if uniform else _texts(values)
        if uniform or ("" not in texts and not _any_formula_like(texts)):
            # no empty cell and none to quote (most columns): the same style for every cell
            numbers = list(map(index.__getitem__, texts))
            if follows:
                return [f'<c{style} t="s"><v>', numbers, "</v></c>"]
            return [f'<c r="{letter}', rows, f'"{style} t="s"><v>', numbers, "</v></c>"]
        return [[f'<c r="{letter}{n}"{quoted if text.startswith(_FORMULA_TRIGGERS) else style}'
                 f' t="s"><v>{index[text]}</v></c>' if text else ""
                 for n, text in zip(rows, texts, strict=True)]]

    def _body_rows(self, table: _Table, block_rows: int) -> Iterator[str]:
        """The table's body as ``<row>`` elements, `block_rows` rows at a time."""
        heights = {lines: _height_attributes(lines) for lines in set(table.lines or ())}
        for start in range(0, table.count, block_rows):
            stop = min(start + block_rows, table.count)
            rows = list(map(str, range(table.first_row + start, table.first_row + stop)))
            columns = [column[start:stop] for column in table.columns]
            pieces: list[str | Sequence[str]] = ['<row r="', rows, '"']
            if table.lines is not None:  # the height of each row of wrapped texts
                pieces.append(list(map(heights.__getitem__, table.lines[start:stop])))
            pieces.append(">")
            # a column's cells follow the row's previous ones when that column has a cell
            # in every row (a uniform one; the first column follows the row's start)
            follows = (True, *table.uniform)
            for col, (kind, values, uniform, wrap) in enumerate(
                    zip(table.kinds, columns, table.uniform, table.wraps, strict=True), start=1):
                pieces += self._column(col, kind, values, rows, WRAP if wrap else PLAIN,
                                       uniform=uniform, follows=follows[col - 1])
            pieces.append("</row>")
            yield _interleave(pieces)

    def _rows(self, block_rows: int) -> Iterator[str]:
        """Every row in row order: the loose cells' rows around the table's body."""
        table = self._table
        loose = sorted(self._cells)
        before = [n for n in loose if table is None or n < table.first_row]
        yield "".join(self._loose_row(n) for n in before)
        if table is not None:
            yield from self._body_rows(table, block_rows)
            yield "".join(self._loose_row(n) for n in loose if n > table.last_row)

    def _loose_row(self, row: int) -> str:
        """A row of loose cells (a heading, a TOTALE), as tall as its lines."""
        height = _height_attributes(self._lines.get(row, 1))
        return f'<row r="{row}"{height}>{self._cells[row]}</row>'

    def _chunks(self, selected: bool, block_rows: int) -> Iterator[str]:
        """The worksheet part's text, its elements in the order ECMA-376 requires."""
        table = self._table
        last_row = max([*self._cells, table.last_row if table else 0, 1])
        dimension = f"A1:{_letter(max(self._max_col, 1))}{last_row}"
        tab = ' tabSelected="1"' if selected else ""
        if self._frozen_rows:
            top = f"A{self._frozen_rows + 1}"
            view = (f'<sheetView{tab} workbookViewId="0"><pane ySplit="{self._frozen_rows}" '
                    f'topLeftCell="{top}" activePane="bottomLeft" state="frozen"/>'
                    f'<selection pane="bottomLeft" activeCell="{top}" sqref="{top}"/>'
                    "</sheetView>")
        else:
            view = f'<sheetView{tab} workbookViewId="0"/>'
        cols = "".join(f'<col min="{n}" max="{n}" width="{width}" customWidth="1"/>'
                       for n, width in enumerate(self._widths, start=1))
        yield "".join((
            _DECLARATION, f'<worksheet xmlns="{_MAIN_NS}" xmlns:r="{_REL_NS}">',
            '<sheetPr><pageSetUpPr fitToPage="1"/></sheetPr>',
            f'<dimension ref="{dimension}"/><sheetViews>{view}</sheetViews>',
            '<sheetFormatPr defaultRowHeight="15"/>',
            f"<cols>{cols}</cols>" if cols else "",
            "<sheetData>",
        ))
        yield from self._rows(block_rows)
        yield "".join((
            "</sheetData>",
            f'<autoFilter ref="{self._filter_ref}"/>' if self._filter_ref else "",
            # the table's lines on paper (the cells have no borders: no style per cell)
            '<printOptions gridLines="1"/>'
            '<pageMargins left="0.5" right="0.5" top="0.6" bottom="0.75" header="0.3" '
            'footer="0.3"/>',
            # A4 (paperSize 9), landscape, one page wide and as many tall as the rows need
            '<pageSetup paperSize="9" orientation="landscape" fitToWidth="1" fitToHeight="0"/>',
            f"<headerFooter><oddFooter>{_xml_text(self.footer)}</oddFooter></headerFooter>"
            if self.footer else "",
            "</worksheet>",
        ))

    def _print_titles_name(self, index: int) -> str | None:
        """The ``Print_Titles`` name that repeats the heading row on every printed page."""
        if self._heading_row is None:
            return None
        quoted = self.name.replace("'", "''")
        row = self._heading_row
        target = _xml_text(f"'{quoted}'!${row}:${row}")
        return (f'<definedName name="_xlnm.Print_Titles" localSheetId="{index}">'
                f"{target}</definedName>")

    def _filter_name(self, index: int) -> str | None:
        """The hidden ``_FilterDatabase`` name Excel keeps for a sheet's autofilter, if any."""
        if self._filter_ref is None:
            return None
        first, last = (re.sub(r"([A-Z]+)([0-9]+)", r"$\1$\2", ref)
                       for ref in self._filter_ref.split(":"))
        quoted = self.name.replace("'", "''")
        target = _xml_text(f"'{quoted}'!{first}:{last}")
        return (f'<definedName name="_xlnm._FilterDatabase" localSheetId="{index}" hidden="1">'
                f"{target}</definedName>")


def _column_width(heading: str, kind: str, lengths: list[int]) -> tuple[int, bool]:
    """A column's width in characters, and whether its texts wrap, from its texts' sizes.

    `lengths` are a numeric column's lengths in characters, a text column's widths in
    twentieths of a digit (`_sizes`): a code of capitals is wider than as many digits. A
    column is as wide as its longest text (amounts get room for their separators) and the
    longest word of its heading, which wraps. A column of texts wider than `_WRAP_WIDTH`
    is at most that wide, or as wide as `_TYPICAL` of its texts if less, its wider texts
    wrapped: a sheet as wide as its longest name, service line and reason printed one page
    wide at a quarter of its size.
    """
    if kind in _NUMERIC:
        word = max(map(len, heading.split()), default=0)
        longest = max(lengths, default=0) + (4 if kind == "money" and lengths else 0)
        return min(max(word, longest, _MIN_WIDTH - 2) + 2, _MAX_WIDTH), False
    word = _fit(max(map(_bold_size, heading.split()), default=0.0))
    longest = _fit(max(lengths, default=0) / 20)
    if longest <= _WRAP_WIDTH:
        return min(max(word, longest, _MIN_WIDTH), _MAX_WIDTH), False
    lengths.sort()
    typical = _fit(lengths[min(int(len(lengths) * _TYPICAL), len(lengths) - 1)] / 20)
    return max(min(typical, _WRAP_WIDTH), word, _MIN_WIDTH), True


def _fit(size: float) -> int:
    """The narrowest column whose line holds a text `size` digits wide (`_line_count`)."""
    return -int(-(size + _PADDING) // _LINE_SHARE)


def _size(text: str) -> float:
    """A text's width in digits (`_CHAR_WIDTHS`)."""
    return sum(map(_CHAR_WIDTHS.get, text, repeat(_WIDEST)))


def _bold_size(text: str) -> float:
    """A heading's word in bold, a little wider than in the body's font."""
    return _size(text) * _BOLD


def _sizes(texts: Sequence[str]) -> list[int]:
    """Each text's width in twentieths of a digit, its widest line's: summed in C.

    A column of codes or names has as many distinct texts as units (100,000 at a large
    Ambito): their widths are summed from their UTF-8 bytes (`_BYTE_WIDTHS`, never less
    than `_CHAR_WIDTHS`), a text of several lines alone by its lines.
    """
    data = "\n".join(texts).encode("utf-8", "surrogatepass").translate(_BYTE_WIDTHS)
    sizes = list(map(sum, data.split(bytes((_NEWLINE_MARK,)))))
    if len(sizes) == len(texts):
        return sizes
    return [max(round(_size(line) * 20) for line in text.split("\n")) for text in texts]


def _line_count(text: str, width: float, *, bold: bool = False) -> int:
    """The lines a wrapped text takes in a column `width` characters wide: at least 1.

    Written as ``ht`` on the row, as Excel's autofit would size it: LibreOffice does not
    size a row of wrapped cells itself when it opens a file, and would print the lines of
    each cell on top of each other. Words are laid out greedily by the font's widths
    (`_CHAR_WIDTHS`); a word longer than a line is cut, as Excel does. The line is taken a
    little shorter than it is (`_LINE_SHARE`), so that a row errs on the tall side.
    """
    capacity = max(width * _LINE_SHARE - _PADDING, 1.0) / (_BOLD if bold else 1.0)
    if len(text) * _WIDEST <= capacity and "\n" not in text:
        return 1  # short enough whatever its letters
    space = _CHAR_WIDTHS[" "]
    lines = 0
    for paragraph in text.split("\n"):
        lines += 1
        used = 0.0
        for word in paragraph.split():
            size = _size(word)
            if used and used + space + size > capacity:  # to the next line
                lines += 1
                used = 0.0
            if not used and size > capacity:  # a word wider than a line is cut
                more = int(-(-size // capacity)) - 1
                lines += more
                used = size - more * capacity
            else:
                used += size + (space if used else 0)
    return lines


# `_CHAR_WIDTHS` by byte of a UTF-8 text, in twentieths of a digit: the first byte of a
# character outside ASCII counts as the widest letter, its other bytes as nothing; a newline
# is the mark that `_sizes` splits the joined texts at.
_NEWLINE_MARK = 255
_BYTE_WIDTHS = bytes(
    _NEWLINE_MARK if byte == 0x0A
    else round(_CHAR_WIDTHS.get(chr(byte), _WIDEST) * 20) if byte < 0x80
    else 0 if byte < 0xC0 else round(_WIDEST * 20)
    for byte in range(256))


def _line_counts(texts: Sequence[str], sizes: Sequence[int], width: int,
                 known: dict[tuple[str, int], int]) -> dict[str, int]:
    """`_line_count` of the texts of more than one line, given their `_sizes`.

    Only the texts wider than a line are laid out word by word (a column's texts are
    nearly all one line, picked out in C); `known` keeps the counts of the workbook's other
    sheets, which show the same names again.
    """
    line = (width * _LINE_SHARE - _PADDING) * 20
    counts: dict[str, int] = {}
    for text in compress(texts, map(line.__lt__, sizes)):
        count = known.get((text, width))
        if count is None:
            count = known[text, width] = _line_count(text, width)
        if count > 1:
            counts[text] = count
    return counts


def _height_attributes(lines: int) -> str:
    """A ``<row>``'s height for `lines` lines of text ("" for one: the default).

    Without ``customHeight``, as Excel writes a row it sized itself: Excel sizes it again
    when it opens the file, LibreOffice takes the height as written.
    """
    if lines <= 1:
        return ""
    return f' ht="{lines * _LINE_POINTS}"'


def _styles_xml() -> str:
    """xl/styles.xml: the number formats, a bold font, the header fill, one xf per style."""
    formats = "".join(f'<numFmt numFmtId="{n}" formatCode="{_xml_text(code)}"/>'
                      for n, code in _CUSTOM_FORMATS.items())
    font = '<sz val="11"/><name val="Calibri"/><family val="2"/>'
    xfs = []
    for emphasis, kind, quote in _STYLES:
        attributes = (f'numFmtId="{_NUMBER_FORMATS[kind]}" '
                      f'fontId="{int(emphasis in (BOLD, HEADER))}" '
                      f'fillId="{2 if emphasis == HEADER else 0}" borderId="0" xfId="0"')
        if kind != "text":
            attributes += ' applyNumberFormat="1"'
        if emphasis in (BOLD, HEADER):
            attributes += ' applyFont="1"'
        if quote:
            attributes += ' quotePrefix="1"'
        if emphasis == HEADER:
            attributes += ' applyFill="1"'
        # every cell at the top of its row: a row of wrapped texts is several lines tall
        wrap = ' wrapText="1"' if emphasis in (HEADER, WRAP) else ""
        xfs.append(f'<xf {attributes} applyAlignment="1"><alignment vertical="top"{wrap}/>'
                   "</xf>")
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
        # the Normal style at the top too: LibreOffice gives a cell without a style this one
        '<cellStyleXfs count="1"><xf numFmtId="0" fontId="0" fillId="0" borderId="0" '
        'applyAlignment="1"><alignment vertical="top"/></xf></cellStyleXfs>',
        f'<cellXfs count="{len(xfs)}">{"".join(xfs)}</cellXfs>',
        '<cellStyles count="1"><cellStyle name="Normal" xfId="0" builtinId="0"/></cellStyles>',
        '<dxfs count="0"/><tableStyles count="0"/></styleSheet>',
    ))


def footer_codes(left: str, centre: str, right: str) -> str:
    """A page footer's codes: three texts, left, centre and right (ECMA-376 headerFooter).

    ``&`` starts a code in a footer, so the texts' own ``&`` are doubled; ``{page}`` and
    ``{pages}`` in a text become the page number and the page count.
    """
    def codes(words: str) -> str:
        return words.replace("&", "&&").replace("{page}", "&P").replace("{pages}", "&N")

    return f"&L{codes(left)}&C{codes(centre)}&R{codes(right)}"


class Workbook:
    """A workbook being filled: sheets in order, their shared strings, a title."""

    def __init__(self, title: str) -> None:
        self.title = title
        self._strings = _SharedStrings()
        self._sheets: list[Sheet] = []
        self._footer = ""

    def add_sheet(self, name: str) -> Sheet:
        """A new empty sheet after the others (the first is the one shown on opening)."""
        sheet = Sheet(name, self._strings)
        sheet.footer = self._footer
        self._sheets.append(sheet)
        return sheet

    def set_footer(self, footer: str) -> None:
        """Print `footer` (`footer_codes`) at the foot of every page of every sheet."""
        self._footer = footer
        for sheet in self._sheets:
            sheet.footer = footer

    def to_bytes(self, *, block_rows: int = BLOCK_ROWS) -> bytes:
        """The .xlsx file's bytes, the same for the same content (see `write`)."""
        out = io.BytesIO()
        self.write(out, block_rows=block_rows)
        return out.getvalue()

    def write(self, target: BinaryIO, *, block_rows: int = BLOCK_ROWS) -> None:
        """Write the .xlsx file, each part into its zip entry as it is rendered.

        Args:
            target: a seekable binary file: each entry's sizes are then written in its
                header, as a whole part written at once would have them.
            block_rows: rows (and shared strings) rendered at a time; the bytes written do
                not depend on it, the memory used does.
        """
        with zipfile.ZipFile(target, "w", zipfile.ZIP_DEFLATED) as archive:
            for name, chunks in self._parts(block_rows):
                with archive.open(_entry(name), "w") as entry:
                    for chunk in chunks:
                        if chunk:
                            entry.write(chunk.encode("utf-8"))

    def _parts(self, block_rows: int) -> Iterator[tuple[str, Iterable[str]]]:
        """The parts in a fixed order: package, workbook, styles, shared strings, sheets."""
        sheets = self._sheets
        doc = "http://schemas.openxmlformats.org/officeDocument/2006"
        package = "http://schemas.openxmlformats.org/package/2006"
        types = "application/vnd.openxmlformats-officedocument.spreadsheetml"
        stamp = CREATED.strftime("%Y-%m-%dT%H:%M:%SZ")
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
        yield "[Content_Types].xml", ("".join((
            _DECLARATION, f'<Types xmlns="{package}/content-types">',
            '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.'
            'relationships+xml"/><Default Extension="xml" ContentType="application/xml"/>',
            *(f'<Override PartName="{name}" ContentType="{kind}"/>' for name, kind in overrides),
            "</Types>",
        )),)
        yield "_rels/.rels", ("".join((
            _DECLARATION, f'<Relationships xmlns="{_PKG_REL_NS}">',
            f'<Relationship Id="rId1" Type="{doc}/relationships/officeDocument" '
            'Target="xl/workbook.xml"/>',
            f'<Relationship Id="rId2" Type="{package}/relationships/metadata/core-properties" '
            'Target="docProps/core.xml"/>',
            f'<Relationship Id="rId3" Type="{doc}/relationships/extended-properties" '
            'Target="docProps/app.xml"/>',
            "</Relationships>",
        )),)
        yield "docProps/app.xml", (
            f'{_DECLARATION}<Properties xmlns="{doc}/extended-properties" '
            f'xmlns:vt="{doc}/docPropsVTypes"><Application>fsr-opt</Application></Properties>',)
        yield "docProps/core.xml", ("".join((
            _DECLARATION,
            f'<cp:coreProperties xmlns:cp="{package}/metadata/core-properties" '
            'xmlns:dc="http://purl.org/dc/elements/1.1/" '
            'xmlns:dcterms="http://purl.org/dc/terms/" '
            'xmlns:dcmitype="http://purl.org/dc/dcmitype/" '
            'xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance">',
            f"<dc:title>{_xml_text(self.title)}</dc:title><dc:creator>fsr-opt</dc:creator>",
            f'<dcterms:created xsi:type="dcterms:W3CDTF">{stamp}</dcterms:created>',
            f'<dcterms:modified xsi:type="dcterms:W3CDTF">{stamp}</dcterms:modified>',
            "</cp:coreProperties>",
        )),)
        sheet_list = "".join(
            f'<sheet name="{_xml_text(sheet.name)}" sheetId="{n}" r:id="rId{n}"/>'
            for n, sheet in enumerate(sheets, start=1))
        # Excel's order: by name without case (_xlnm._FilterDatabase before Print_Titles)
        names = "".join([*(name for n, sheet in enumerate(sheets)
                           if (name := sheet._filter_name(n)) is not None),
                         *(name for n, sheet in enumerate(sheets)
                           if (name := sheet._print_titles_name(n)) is not None)])
        yield "xl/workbook.xml", ("".join((
            _DECLARATION, f'<workbook xmlns="{_MAIN_NS}" xmlns:r="{_REL_NS}">',
            '<bookViews><workbookView activeTab="0"/></bookViews>',
            f"<sheets>{sheet_list}</sheets>",
            f"<definedNames>{names}</definedNames>" if names else "",
            "</workbook>",
        )),)
        count = len(sheets)
        yield "xl/_rels/workbook.xml.rels", ("".join((
            _DECLARATION, f'<Relationships xmlns="{_PKG_REL_NS}">',
            *(f'<Relationship Id="rId{n}" Type="{doc}/relationships/worksheet" '
              f'Target="worksheets/sheet{n}.xml"/>' for n in range(1, count + 1)),
            f'<Relationship Id="rId{count + 1}" Type="{doc}/relationships/styles" '
            'Target="styles.xml"/>',
            f'<Relationship Id="rId{count + 2}" Type="{doc}/relationships/sharedStrings" '
            'Target="sharedStrings.xml"/>',
            "</Relationships>",
        )),)
        yield "xl/styles.xml", (_styles_xml(),)
        yield "xl/sharedStrings.xml", self._strings.chunks(block_rows)
        for n, sheet in enumerate(sheets, start=1):
            yield f"xl/worksheets/sheet{n}.xml", sheet._chunks(n == 1, block_rows)


def zip_entry(name: str, stamp: datetime) -> zipfile.ZipInfo:
    """A zip entry that carries `stamp`, not the time of writing (same input, same bytes)."""
    zip_time = (max(stamp.year, 1980), stamp.month, stamp.day, stamp.hour, stamp.minute,
                stamp.second)
    entry = zipfile.ZipInfo(name, date_time=zip_time)
    entry.compress_type = zipfile.ZIP_DEFLATED
    entry.create_system = 3
    entry.external_attr = 0o644 << 16
    return entry


def _entry(name: str) -> zipfile.ZipInfo:
    """A part's zip entry: fixed time, the writer's compression level."""
    entry = zip_entry(name, CREATED)
    # ZipFile.open takes the level from the entry: ZipInfo.compress_level from Python 3.13,
    # _compresslevel before (still an alias after).
    setattr(entry, "compress_level" if sys.version_info >= (3, 13) else "_compresslevel",
            _COMPRESS_LEVEL)
    return entry


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
            target.writestr(zip_entry(info.filename, stamp), payload)
    return out.getvalue()
