"""XLSX workbook -> the numbered records of the sheet that holds a table.

Two readers, one result. python-calamine (Rust) reads the cells of an ordinary sheet many
times faster than openpyxl. openpyxl reads the sheets that calamine reads differently, which
a cheap scan of the sheet's XML finds before any cell is read:

- cells showing an Excel error (``t="e"``): calamine reads ``#DIV/0!`` as an empty cell;
- formulas without a saved result (files written by scripts): calamine drops them, openpyxl
  gives their text, so that the message can quote the formula;
- merged cells: openpyxl tells which, for the messages;
- date cells that hold no day of the calendar (a negative serial, or one past the year
  9999): openpyxl shows ``#VALUE!``; calamine gives a time of day or the bare number, and
  panics on some;
- rich text with spaces at the end of a run not marked ``xml:space="preserve"``: calamine
  trims each run, so ``Asilo `` + ``nido`` would read ``Asilonido``;
- duration formats (``[h]:mm``): calamine panics on large values;
- escaped characters (``_x000D_``) in text: calamine decodes them, openpyxl does not.

Whatever calamine cannot open or read (a damaged package, a panic) also goes to openpyxl,
which reports what is wrong. The two agree cell by cell otherwise (tests/io/test_xlsx.py
compares them on every workbook of the tests and on Hypothesis-made ones), up to these
representations, which the cell parser (`fsr_opt.io.cells`) reads alike: an empty cell is ""
from calamine and None from openpyxl; a date cell is a `date` from calamine and a `datetime`
at midnight from openpyxl; a whole number is a float from calamine and an int from openpyxl.
Some damaged packages that openpyxl refuses (a style index the workbook lacks, a number cell
holding text) calamine reads as their cells say.
"""

from __future__ import annotations

import io
import logging
import posixpath
import re
import warnings
import zipfile
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass
from datetime import date, time
from functools import cache
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from openpyxl.workbook.workbook import Workbook
    from openpyxl.worksheet.worksheet import Worksheet
    from python_calamine import CalamineWorkbook

from fsr_opt.core.errors import ErrorCode, InputError, Problem, warn
from fsr_opt.core.i18n import _
from fsr_opt.io import source
from fsr_opt.io.cells import (
    ExcelError,
    Formula,
    RawCell,
    Record,
    fold_heading,
    heading_text,
    is_blank,
)

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class SheetChoice:
    """Which sheet of a workbook holds the table.

    The sheet named one of `names` (folded, `fold_heading`), else the only sheet, else the one
    sheet whose first non-empty row (or one of the next few, under a title) `looks_right`;
    among the visible sheets only. A hidden (or very hidden) sheet is never chosen: an older
    copy of the table often hides there. A hidden sheet named like the table is reported with
    a warning (``SHEET_IGNORED``); when only a hidden sheet could hold the table, reading
    stops (``HIDDEN_SHEET``).

    Attributes:
        names: folded names of the sheet to prefer (``unita``, ``units``).
        looks_right: tells whether a sheet's headings are those of the wanted table.
        suggested: the sheet name a message suggests when no sheet can be chosen.
        alone: the table's sheet chosen by its name must be the only visible sheet that looks
            right, or its identical copy (`SHEET_COPIES`): a workbook holds one units table,
            where allocation.xlsx repeats the unit id in every sheet.
        identify: when no sheet can be chosen, tells a workbook known to be another file by
            its sheet names: the code and message that say what it is, or None.
        resembles: tells headings that look like the table's, though not all are right: a
            row below a title that does is named in the message (``HEADER_NOT_FIRST``).
    """

    names: frozenset[str]
    looks_right: Callable[[Sequence[str]], bool]
    suggested: str
    alone: bool = False
    identify: Callable[[Sequence[str]], tuple[ErrorCode, str] | None] | None = None
    resembles: Callable[[Sequence[str]], bool] | None = None


def read_xlsx_records(
    data: bytes, file: str, choice: SheetChoice
) -> tuple[list[Record], list[Problem]]:
    """Read the table's sheet into records: every row from 1 to the last, with its number.

    Returns:
        (the records, problems found while reading: merged data cells).

    Raises:
        InputError: not a workbook, too large unpacked, unreadable, no sheet can be chosen,
            merged heading cells.
    """
    records, problems, _hidden = read_xlsx_table(data, file, choice)
    return records, problems


def read_xlsx_table(
    data: bytes, file: str, choice: SheetChoice
) -> tuple[list[Record], list[Problem], frozenset[int]]:
    """`read_xlsx_records`, and the numbers of the sheet's hidden rows (a filter's too).

    A hidden row is read as any other (data is data); the caller says so to the planner,
    who cannot see it in Excel.
    """
    source.check_workbook_bytes(data, file)
    found = _read_calamine(data, choice, file)
    if found is not None:
        return found[1], [], found[2]
    _name, records, problems, hidden = _openpyxl_sheet(data, file, choice)
    return records, problems, hidden


def read_xlsx_sheets(
    data: bytes, file: str, choices: Sequence[SheetChoice], *,
    unpacked_limit: int | None = None,
) -> list[tuple[str, list[Record], list[Problem]] | InputError]:
    """Read several tables of one workbook, each sheet as `read_xlsx_records` reads one.

    The workbook is opened once by calamine for all of them (a sheet calamine reads
    differently goes to openpyxl, as there). A sheet that cannot be read or chosen does not
    stop the others: its place in the list holds the `InputError` that says why.

    Returns:
        Per choice, in their order: (the sheet's name, its records, problems found while
        reading), or the error.

    Raises:
        InputError: not a workbook, or more than `unpacked_limit` unpacked.
    """
    from python_calamine import CalamineWorkbook  # noqa: PLC0415

    source.check_workbook_bytes(data, file, unpacked_limit)
    read: list[tuple[str, list[Record], list[Problem]] | InputError] = []
    try:
        workbook: CalamineWorkbook | None = CalamineWorkbook.from_filelike(io.BytesIO(data))
    except BaseException as exc:  # as in read_with_calamine: openpyxl will say what is wrong
        if isinstance(exc, KeyboardInterrupt | SystemExit | MemoryError):
            raise
        workbook = None
    try:
        for choice in choices:
            found = None
            if workbook is not None:
                try:
                    found = _calamine_records(workbook, data, choice, file)
                except BaseException as exc:
                    if isinstance(exc, KeyboardInterrupt | SystemExit | MemoryError):
                        raise
                    found = None
            if found is not None:
                read.append((found[0], found[1], []))
                continue
            try:
                read.append(_openpyxl_sheet(data, file, choice)[:3])
            except InputError as error:
                read.append(error)
    finally:
        if workbook is not None:
            workbook.close()
    return read


HEADER_SEARCH_ROWS = 10
"""Non-empty rows below the first where the headings are looked for (under titles, notes)."""


def leading_texts(
    rows: Iterator[Sequence[object]] | Sequence[Sequence[object]],
) -> Iterator[list[str]]:
    """The first non-empty rows of a sheet as text: the first and `HEADER_SEARCH_ROWS` more."""
    found = 0
    for row in rows:
        texts = [heading_text(v) if isinstance(v, str | int | float) else "" for v in row]
        if any(texts):
            yield texts
            found += 1
            if found > HEADER_SEARCH_ROWS:
                return


def first_headings(rows: Iterator[Sequence[object]] | Sequence[Sequence[object]]) -> list[str]:
    """Return the headings of a sheet: its first non-empty row, as text."""
    return next(leading_texts(rows), [])


def has_headings(
    rows: Iterator[Sequence[object]] | Sequence[Sequence[object]], choice: SheetChoice
) -> bool:
    """True when the first non-empty row of a sheet, or one of the next few, `looks_right`.

    A title or a note above the headings does not hide the table (`fsr_opt.io.tables`
    reads it from its headings, and says which rows it skipped).
    """
    return any(choice.looks_right(texts) for texts in leading_texts(rows))


# ---------------------------------------------------------------------------------------------
# calamine
# ---------------------------------------------------------------------------------------------


def read_with_calamine(
    data: bytes, choice: SheetChoice, *, file: str = ""
) -> list[Record] | None:
    """Read the table's sheet with calamine, or return None to leave it to openpyxl.

    None when calamine cannot open the workbook or read the sheet, when no sheet can be
    chosen (openpyxl's read says why), and when the scan of a sheet to read
    (`openpyxl_reason`) finds something calamine reads differently.
    """
    found = _read_calamine(data, choice, file)
    return None if found is None else found[1]


def _read_calamine(
    data: bytes, choice: SheetChoice, file: str
) -> tuple[str, list[Record], frozenset[int]] | None:
    """`read_with_calamine`, with the sheet's name and its hidden rows (`_calamine_records`)."""
    # imported here: a table read from CSV needs neither calamine nor ElementTree
    from python_calamine import CalamineWorkbook  # noqa: PLC0415

    try:
        with CalamineWorkbook.from_filelike(io.BytesIO(data)) as workbook:
            return _calamine_records(workbook, data, choice, file)
    except BaseException as exc:  # CalamineError, ZipError..., or a Rust panic, which is
        if isinstance(exc, KeyboardInterrupt | SystemExit | MemoryError):  # no Exception
            raise
        logger.debug("calamine cannot read the workbook (%s): read with openpyxl",
                     type(exc).__name__)
        return None


def _calamine_records(
    workbook: CalamineWorkbook, data: bytes, choice: SheetChoice, file: str
) -> tuple[str, list[Record], frozenset[int]] | None:
    """Choose the sheet as `SheetChoice` says and read it, each sheet scanned before reading.

    Returns:
        (the sheet's name, its records, the numbers of its hidden rows, which the scan
        finds); None to leave the sheet to openpyxl.
    """
    from python_calamine import SheetTypeEnum, SheetVisibleEnum  # noqa: PLC0415
    metas = [meta for meta in workbook.sheets_metadata if meta.typ == SheetTypeEnum.WorkSheet]
    sheets = [meta.name for meta in metas if meta.visible == SheetVisibleEnum.Visible]
    hidden = [meta.name for meta in metas if meta.visible != SheetVisibleEnum.Visible]
    named = [name for name in sheets if fold_heading(name) in choice.names]
    if len(named) == 1 or (len(sheets) == 1 and not named):
        candidates = named or sheets
    elif named:
        return None
    else:
        candidates = sheets
    read = []
    hidden_rows: dict[str, set[int]] = {}
    for name in candidates:
        reason = openpyxl_reason(data, name, hidden_rows.setdefault(name, set()))
        if reason is not None:
            logger.debug("sheet '%s' holds %s: read with openpyxl", name, reason)
            return None
        rows = workbook.get_sheet_by_name(name).to_python(skip_empty_area=False)
        # the only visible sheet is the table's, unless a hidden one may be (then: headings)
        alone = len(candidates) == 1 and (bool(named) or not hidden)
        if alone or has_headings(rows, choice):
            read.append((name, rows))
    if len(read) != 1:
        return None
    if named and choice.alone:
        _refuse_differing_copies(file, read[0][0], read[0][1], [
            (name, lambda name=name, nrows=None: workbook.get_sheet_by_name(name).to_python(
                skip_empty_area=False, nrows=nrows))
            for name in sheets if name != read[0][0]], choice)
    _warn_hidden(file, read[0][0], hidden, choice)
    return (read[0][0], list(enumerate(read[0][1], start=1)),
            frozenset(hidden_rows[read[0][0]]))


_HEADING_ROWS = 50
"""Rows of a sheet read to find its headings (notes may sit above them)."""


def _refuse_differing_copies(
    file: str, chosen: str, rows: Sequence[Sequence[object]],
    others: Sequence[tuple[str, Callable[..., Sequence[Sequence[object]]]]],
    choice: SheetChoice,
) -> None:
    """Refuse a workbook where another visible sheet holds a different copy of the table.

    Excel's *Move or copy > Create a copy* makes ``Unità (2)``, and the planner often edits
    the copy: reading ``Unità`` by its name would then fund units on the figures the planner
    replaced, without a word. An identical copy is only named in a warning.

    Args:
        file: the file, for messages.
        chosen: the sheet read, by its name.
        rows: its rows.
        others: the other visible sheets: (name, reader of its rows, ``nrows`` at most).
        choice: what the table's headings look like.

    Raises:
        InputError: another sheet has the table's headings and other contents.
    """
    mine: list[tuple[object, ...]] | None = None
    for name, read in others:
        if not has_headings(read(nrows=_HEADING_ROWS), choice):
            continue
        mine = mine if mine is not None else _contents(rows)
        if _contents(read()) != mine:
            raise source.fail(InputError, file, ErrorCode.SHEET_COPIES, _(
                "the sheets '{chosen}' and '{other}' both hold a units table, and their "
                "contents differ: it cannot be told which one is right; keep only one (delete "
                "the other sheet, or move it to another file)").format(chosen=chosen,
                                                                        other=name))
        warn(Problem(_("the sheet '{other}' is a copy of the sheet '{chosen}', which was read; "
                       "delete the copy to avoid editing the wrong one").format(
                           other=name, chosen=chosen), file=file, code=ErrorCode.SHEET_IGNORED))


def _contents(rows: Iterable[Sequence[object]]) -> list[tuple[object, ...]]:
    """The rows of a sheet without their trailing empty cells and trailing empty rows."""
    trimmed = []
    for row in rows:
        cells = list(row)
        while cells and cells[-1] in (None, ""):
            cells.pop()
        trimmed.append(tuple(cells))
    while trimmed and not trimmed[-1]:
        trimmed.pop()
    return trimmed


def _warn_hidden(file: str, chosen: str, hidden: Sequence[str], choice: SheetChoice) -> None:
    """Warn of each hidden sheet named like the table: the visible one was read instead."""
    for name in hidden:
        if fold_heading(name) in choice.names:
            warn(Problem(_("the hidden sheet '{name}' was not read; the table was read from "
                           "the visible sheet '{chosen}' (a hidden sheet is never read: unhide "
                           "it if it holds the right table)").format(name=name, chosen=chosen),
                         file=file,
                         code=ErrorCode.SHEET_IGNORED))


# ---------------------------------------------------------------------------------------------
# The scan: what calamine would read differently
# ---------------------------------------------------------------------------------------------

_SCAN_CHUNK = 4 << 20
_SCAN_OVERLAP = 64 << 10  # longer than any match the scan looks for (a cell's text included)
_ROOT_PREFIX = re.compile(rb"<(?:([A-Za-z_][\w.-]*):)?(?:worksheet|sst)\b")
_STYLE = re.compile(rb"\ss\s*=\s*[\"'](\d+)[\"']")
_TYPE = re.compile(rb"\st\s*=\s*[\"'](\w*)[\"']")
# Text escaped as OOXML writes characters XML cannot hold (_x000D_): calamine decodes it,
# openpyxl leaves it as written (but for _x005F_, an escaped '_').
_ESCAPE = re.compile(rb"_x005[Ff]_|(_x[0-9A-Fa-f]{4}_)")
_LAST_DAY = 2958465  # the serial of 9999-12-31, the last day a date cell can show


@cache
def _builtin_dates() -> frozenset[int]:
    """The built-in number formats that show dates or times.

    Those openpyxl knows, and the East Asian ones (27-36, 50-58) some readers treat as dates.
    """
    from openpyxl.styles.numbers import BUILTIN_FORMATS, is_date_format  # noqa: PLC0415

    return frozenset({i for i, code in BUILTIN_FORMATS.items() if is_date_format(code)}
                     | set(range(27, 37)) | set(range(50, 59)))
_PACKAGE_NS = "http://schemas.openxmlformats.org/package/2006/relationships"


class _Signs:
    """The patterns of the scan for one namespace prefix (``x:`` or none) of a part."""

    def __init__(self, window: bytes) -> None:
        root = _ROOT_PREFIX.search(window)
        prefix = (root.group(1) or b"") if root else b""
        tag = prefix + b":" if prefix else b""
        p = re.escape(tag)
        self.cell = b"<" + tag + b"c"
        self.formula = b"<" + tag + b"f"
        self.rich = b"<" + tag + b"r>"
        # a value that cannot be a day of the calendar: negative, seven digits, an exponent
        self.odd_value = re.compile(b"<" + p + rb"v>\s*(-|[0-9]{7}|[0-9.]*[eE])")
        value = b"(?:<" + p + rb"v\s*/>\s*|<" + p + rb"v>\s*</" + p + rb"v>\s*)?"
        self.uncomputed = re.compile(
            b"(?:</" + p + rb"f>|<" + p + rb"f\b[^>]*/>)\s*" + value + b"</" + p + b"c>")
        self.edge_space = re.compile(b"<" + p + rb"t>(?:\s|[^<]*\s</)")


def _chunks(archive: zipfile.ZipFile, part: str) -> Iterator[bytes]:
    """The bytes of a part, in overlapping windows, so that no short match is cut in two."""
    with archive.open(part) as stream:
        tail = b""
        while chunk := stream.read(_SCAN_CHUNK):
            window = tail + chunk
            yield window
            tail = window[-_SCAN_OVERLAP:]


def _beyond_the_calendar(
    window: bytes, signs: _Signs, date_styles: frozenset[int] | None
) -> bool:
    """Whether a number cell formatted as a date holds no day (negative, past 9999)."""
    for match in signs.odd_value.finditer(window):
        end = window.find(b"<", match.end())
        try:
            value = float(window[match.start(1):end if end >= 0 else None])
        except ValueError:
            continue  # not a number: both readers judge the cell
        if 0 <= value < _LAST_DAY + 1:
            continue
        start = window.rfind(signs.cell, 0, match.start())
        tag = window[start:window.find(b">", start)] if start >= 0 else b""
        kind = _TYPE.search(tag)
        if start >= 0 and kind is not None and kind.group(1) not in (b"", b"n"):
            continue  # a shared string's index, a boolean...
        style = _STYLE.search(tag)
        if start < 0 or date_styles is None or int(style.group(1) if style else 0) in date_styles:
            return True
    return False


def _escapes_characters(window: bytes) -> bool:
    """Whether text holds an escaped character other than ``_x005F_`` (both decode that)."""
    return any(match.group(1) for match in _ESCAPE.finditer(window))


_HIDDEN_ROW = re.compile(
    rb"<(?:[A-Za-z_][\w.-]*:)?row\s[^>]*?\bhidden\s*=\s*[\"'](?:1|true)[\"'][^>]*>")
_ROW_NUMBER = re.compile(rb"\sr\s*=\s*[\"'](\d+)[\"']")


def _hidden_rows(window: bytes) -> Iterator[int]:
    """The numbers of the rows a part's window marks hidden (by hand, or by a filter)."""
    for match in _HIDDEN_ROW.finditer(window):
        if number := _ROW_NUMBER.search(match.group(0)):
            yield int(number.group(1))


def _sheet_reason(
    archive: zipfile.ZipFile, part: str, date_styles: frozenset[int] | None,
    hidden: set[int] | None = None,
) -> str | None:
    """What in a worksheet part calamine would read differently, or None.

    Args:
        archive: the workbook.
        part: the worksheet's part.
        date_styles: the styles that show dates (`_date_styles`).
        hidden: where to add the numbers of the hidden rows, found in the same pass.
    """
    signs: _Signs | None = None
    for window in _chunks(archive, part):
        signs = signs or _Signs(window)
        if hidden is not None and b"hidden" in window:
            hidden.update(_hidden_rows(window))
        if b't="e"' in window or b"t='e'" in window:
            return "cells showing an Excel error"
        if b"mergeCell" in window:
            return "merged cells"
        if signs.formula in window and signs.uncomputed.search(window):
            return "formulas without a saved result"
        if signs.rich in window and signs.edge_space.search(window):
            return "rich text with unmarked spaces"
        if b"_x" in window and _escapes_characters(window):
            return "escaped characters in text"
        if _beyond_the_calendar(window, signs, date_styles):
            return "dates beyond the calendar"
    return None


def _strings_reason(archive: zipfile.ZipFile, part: str) -> str | None:
    """What in the shared strings calamine would read differently, or None."""
    signs: _Signs | None = None
    for window in _chunks(archive, part):
        signs = signs or _Signs(window)
        if signs.rich in window and signs.edge_space.search(window):
            return "rich text with unmarked spaces"
        if b"_x" in window and _escapes_characters(window):
            return "escaped characters in text"
    return None


def _date_styles(archive: zipfile.ZipFile, parts: Sequence[str]) -> frozenset[int] | None:
    """The cell styles (indexes of ``cellXfs``) that show dates or times; None: any may.

    Raises:
        _DurationsError: a style shows a duration (``[h]:mm``), on which calamine may panic.
    """
    from xml.etree import ElementTree  # noqa: PLC0415 - see read_with_calamine

    if len(parts) != 1:
        return frozenset() if not parts else None
    try:
        root = ElementTree.fromstring(archive.read(parts[0]))
    except (ElementTree.ParseError, KeyError):
        return None
    # openpyxl (a quarter of a second to import) is imported only when a workbook is read
    from openpyxl.styles.numbers import is_date_format, is_timedelta_format  # noqa: PLC0415

    codes = {int(element.get("numFmtId", "-1")): element.get("formatCode", "")
             for element in root.iter() if _local(element.tag) == "numFmt"}
    if any(is_timedelta_format(code) for code in codes.values()):
        raise _DurationsError
    dates: set[int] = set()
    for cell_styles in (e for e in root.iter() if _local(e.tag) == "cellXfs"):
        for index, style in enumerate(e for e in cell_styles if _local(e.tag) == "xf"):
            number_format = int(style.get("numFmtId", "0"))
            if number_format == 46:  # [h]:mm:ss
                raise _DurationsError
            if (is_date_format(codes[number_format]) if number_format in codes
                    else number_format in _builtin_dates()):
                dates.add(index)
    return frozenset(dates)


class _DurationsError(Exception):
    """The workbook has duration formats: openpyxl reads it."""


def _local(tag: str) -> str:
    """An XML tag without its namespace."""
    return tag.rsplit("}", 1)[-1]


def openpyxl_reason(data: bytes, sheet: str, hidden: set[int] | None = None) -> str | None:
    """Say why a sheet must be read with openpyxl (see the module docstring), or None.

    The sheet's part and the shared strings are scanned as raw bytes, without parsing the
    XML; the (small) styles part is parsed, to know which cells show dates. Where the package
    does not say which part is the sheet's, every worksheet part is scanned; any doubt (a
    damaged zip) answers "openpyxl".

    Args:
        data: the workbook's bytes.
        sheet: the sheet's name.
        hidden: where to add the numbers of the sheet's hidden rows, found by the same scan
            (complete when the answer is None and the package says which part is the sheet's).
    """
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            parts = _package_parts(archive, sheet)
            try:
                date_styles = _date_styles(archive, parts.styles)
            except _DurationsError:
                return "duration formats"
            rows = hidden if len(parts.sheets) == 1 else None
            for part in parts.sheets:
                if reason := _sheet_reason(archive, part, date_styles, rows):
                    return reason
            for part in parts.strings:
                if reason := _strings_reason(archive, part):
                    return reason
    except Exception:  # the readers report a damaged package
        return "a package that cannot be scanned"
    return None


@dataclass(frozen=True)
class _Parts:
    sheets: tuple[str, ...]
    strings: tuple[str, ...]
    styles: tuple[str, ...]


def _package_parts(archive: zipfile.ZipFile, sheet: str) -> _Parts:
    """Find the parts of a sheet, the shared strings and the styles from the relationships.

    Falls back to every part that looks like one, by its name, when the relationships do not
    say (or say something odd).
    """
    from xml.etree import ElementTree  # noqa: PLC0415 - see read_with_calamine

    names = set(archive.namelist())
    try:
        workbook = _target(_relationships(archive, "_rels/.rels"), "/officeDocument", "")
        relations = _relationships(archive, posixpath.join(
            posixpath.dirname(workbook), "_rels", posixpath.basename(workbook) + ".rels"))
        base = posixpath.dirname(workbook)
        ids: set[str] = set()
        for element in ElementTree.fromstring(archive.read(workbook)).iter():
            if _local(element.tag) == "sheet" and element.get("name") == sheet:
                ids = {value for key, value in element.attrib.items()
                       if key.endswith("}id")}
        sheets = tuple(_resolve(base, target) for rel_id, (_kind, target) in relations.items()
                       if rel_id in ids)
        strings = tuple(_resolve(base, target) for kind, target in relations.values()
                        if kind.endswith("/sharedStrings"))
        styles = tuple(_resolve(base, target) for kind, target in relations.values()
                       if kind.endswith("/styles"))
        if len(sheets) == 1 and set(sheets + strings + styles) <= names:
            return _Parts(sheets, strings, styles)
    except Exception:  # odd relationships: scan by names below
        logger.debug("cannot follow the relationships of the workbook; scanning every part")
    lowered = sorted(names)
    return _Parts(
        tuple(n for n in lowered if n.lower().startswith("xl/worksheets/")
              and n.lower().endswith(".xml")),
        tuple(n for n in lowered if n.lower().endswith("sharedstrings.xml")),
        tuple(n for n in lowered if n.lower().endswith("styles.xml")))


def _relationships(archive: zipfile.ZipFile, part: str) -> dict[str, tuple[str, str]]:
    """Read a relationships part: id -> (type, target)."""
    from xml.etree import ElementTree  # noqa: PLC0415 - see read_with_calamine

    root = ElementTree.fromstring(archive.read(part))
    return {element.get("Id", ""): (element.get("Type", ""), element.get("Target", ""))
            for element in root.iter(f"{{{_PACKAGE_NS}}}Relationship")}


def _target(relations: dict[str, tuple[str, str]], kind: str, base: str) -> str:
    """The one target of a relationship type (by the end of its URI)."""
    [target] = [_resolve(base, target) for rel_type, target in relations.values()
                if rel_type.endswith(kind)]
    return target


def _resolve(base: str, target: str) -> str:
    """A relationship target as a part name: absolute (``/xl/...``) or relative to `base`."""
    if target.startswith("/"):
        return target.lstrip("/")
    return posixpath.normpath(posixpath.join(base, target))


# A formula element, with or without a namespace prefix (<f>, <f t="shared" .../>, <x:f>).
_FORMULA_TAG = re.compile(rb"<(?:[A-Za-z_][\w.-]*:)?f[\s>/]")


def may_hold_formulas(data: bytes) -> bool:
    """Tell whether any worksheet part of a workbook has a formula element.

    openpyxl's formula pass costs as much as reading the values; most tables hold no formula,
    and a scan of the raw XML settles that. Any doubt (a zip openpyxl may still read) says yes.
    """
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            for info in archive.infolist():
                name = info.filename.lower()
                if not (name.startswith("xl/worksheets/") and name.endswith(".xml")):
                    continue
                for window in _chunks(archive, info.filename):
                    if _FORMULA_TAG.search(window):
                        return True
    except Exception:  # the real read reports it; here it only means "maybe"
        return True
    return False


# ---------------------------------------------------------------------------------------------
# openpyxl
# ---------------------------------------------------------------------------------------------


def _open_workbook(
    data: bytes, file: str, *, data_only: bool, read_only: bool = False
) -> Workbook:
    """Open workbook bytes with openpyxl, turning any failure into one `InputError`."""
    import openpyxl  # noqa: PLC0415  (only for the sheets calamine reads differently)

    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # openpyxl's notes on unsupported extensions
            return openpyxl.load_workbook(io.BytesIO(data), data_only=data_only,
                                          read_only=read_only)
    except Exception as exc:  # openpyxl raises anything (KeyError, zipfile...) on a bad file
        raise source.fail(InputError, file, ErrorCode.NOT_A_SPREADSHEET,
                          _("the file is not a readable Excel workbook ({error}); open it in "
                            "Excel and save it again as .xlsx").format(
                                error=type(exc).__name__)) from None


def read_with_openpyxl(
    data: bytes, file: str, choice: SheetChoice
) -> tuple[list[Record], list[Problem]]:
    """Read the table's sheet with openpyxl: errors, uncomputed formulas and merges marked.

    The workbook is opened twice when it holds formulas: with cached values (what the user
    sees) and with formulas, to tell a really empty cell from a formula Excel never computed.

    Returns:
        (every row from 1 to the last, padded to the last column; a `MERGED_CELL` problem per
        merged range of data cells).

    Raises:
        InputError: unreadable, no sheet can be chosen, merged heading cells.
    """
    return _openpyxl_sheet(data, file, choice)[1:3]


def _openpyxl_sheet(
    data: bytes, file: str, choice: SheetChoice
) -> tuple[str, list[Record], list[Problem], frozenset[int]]:
    """`read_with_openpyxl`, with the name of the sheet read first and its hidden rows last."""
    values = _choose_sheet(_open_workbook(data, file, data_only=True), file, choice)
    formula_text = _formula_cells(data, file, values.title) if may_hold_formulas(data) else {}
    records: list[Record] = []
    for row in values.iter_rows():
        cells: list[RawCell] = []
        for cell in row:
            value = cell.value
            if cell.data_type == "e":
                cells.append(ExcelError(str(value)))
            elif value is None and (cell.row, cell.column) in formula_text:
                cells.append(Formula(formula_text[(cell.row, cell.column)]))
            elif value is None or isinstance(value, str | int | float | date | time):
                cells.append(value)
            else:
                cells.append(str(value))
        if cells:
            records.append((row[0].row or 0, cells))
    hidden = frozenset(number for number, row in values.row_dimensions.items() if row.hidden)
    return values.title, records, _merged_problems(values, file, records, choice), hidden


def _formula_cells(
    data: bytes, file: str, title: str
) -> dict[tuple[int | None, int | None], str]:
    """Return the formula of every formula cell of a sheet, by (row, column).

    Read in openpyxl's streaming mode: this second pass needs only the formulas, not a second
    copy of the whole workbook in memory.
    """
    workbook = _open_workbook(data, file, data_only=False, read_only=True)
    try:
        with warnings.catch_warnings():  # streaming parses here: openpyxl's notes (a date
            warnings.simplefilter("ignore")  # out of range...) are the values pass's to report
            return {(cell.row, cell.column): str(cell.value)
                    for row in workbook[title].iter_rows() for cell in row
                    if cell.data_type == "f"}
    except Exception as exc:  # a sheet that the first pass read but streaming cannot
        raise source.fail(InputError, file, ErrorCode.NOT_A_SPREADSHEET,
                          _("the workbook cannot be read ({error}); open it in Excel and save "
                            "it again as .xlsx").format(error=type(exc).__name__)) from None
    finally:
        workbook.close()


def _merged_problems(
    sheet: Worksheet, file: str, records: Sequence[Record], choice: SheetChoice
) -> list[Problem]:
    """Refuse merged headings (fatal) and report merged data cells (their copies read empty).

    The headings are the row `fsr_opt.io.tables` reads them from: the first non-empty one,
    or the one below titles that `looks_right`; cells merged above it (a title across the
    table) are not read at all.
    """
    filled = [(n, [heading_text(c) for c in cells]) for n, cells in records[:_HEADING_ROWS]
              if not all(is_blank(c) for c in cells)][:HEADER_SEARCH_ROWS + 1]
    header_row = next((n for n, texts in filled if choice.looks_right(texts)),
                      filled[0][0] if filled else 1)
    problems: list[Problem] = []
    for merged in sorted(sheet.merged_cells.ranges, key=lambda r: (r.min_row, r.min_col)):
        if merged.max_row < header_row:
            continue
        if merged.min_row <= header_row <= merged.max_row:
            raise InputError([Problem(
                _("the heading cells {cells} are merged; unmerge them so that every column "
                  "has its own heading").format(cells=merged.coord),
                file=file, row=header_row, code=ErrorCode.MERGED_HEADER)])
        problems.append(Problem(
            _("the cells {cells} are merged, so all but the first read as empty; unmerge them "
              "and fill in every cell").format(cells=merged.coord), file=file,
            row=merged.min_row,
            code=ErrorCode.MERGED_CELL))
    return problems


def _choose_sheet(workbook: Workbook, file: str, choice: SheetChoice) -> Worksheet:
    """Pick the table's sheet as `SheetChoice` says, or say which sheets there are.

    Only visible sheets are candidates; a hidden one that would have been chosen stops the
    reading with ``HIDDEN_SHEET``.
    """
    from openpyxl.worksheet.worksheet import Worksheet  # noqa: PLC0415

    every = [ws for ws in workbook.worksheets if isinstance(ws, Worksheet)]
    sheets = [ws for ws in every if ws.sheet_state == "visible"]
    hidden = [ws for ws in every if ws.sheet_state != "visible"]
    chosen = _pick(sheets, choice, by_headings=bool(hidden))
    if chosen is not None:
        if choice.alone and fold_heading(chosen.title) in choice.names and len(sheets) > 1:
            _refuse_differing_copies(
                file, chosen.title, list(chosen.iter_rows(values_only=True)),
                [(ws.title, lambda ws=ws, nrows=None: list(
                    ws.iter_rows(values_only=True, max_row=nrows)))
                 for ws in sheets if ws is not chosen], choice)
        _warn_hidden(file, chosen.title, [ws.title for ws in hidden], choice)
        return chosen
    if choice.identify is not None and (known := choice.identify([ws.title for ws in every])):
        raise source.fail(InputError, file, *known)
    would = _pick(every, choice)
    if would is not None and would in hidden:
        raise source.fail(InputError, file, ErrorCode.HIDDEN_SHEET,
                          _("the table is in the hidden sheet '{sheet}', and a hidden sheet is "
                            "never read (it often keeps an older copy); unhide it in Excel "
                            "(right-click a sheet tab > Unhide) if it holds the right table, or "
                            "copy the table to a visible sheet").format(sheet=would.title))
    found = ", ".join(f"'{ws.title}'" + ("" if ws.sheet_state == "visible" else _(" (hidden)"))
                      for ws in every) or _("none")
    raise source.fail(InputError, file, ErrorCode.SHEET_NOT_FOUND,
                      _("cannot tell which sheet holds the table (sheets: {found}); keep the "
                        "table in a single sheet, or name its sheet '{suggested}'").format(
                            found=found, suggested=choice.suggested))


def _pick(
    sheets: Sequence[Worksheet], choice: SheetChoice, *, by_headings: bool = False
) -> Worksheet | None:
    """The sheet `choice` takes among `sheets`: by name, the only one, or by headings.

    With `by_headings` (hidden sheets exist) the only sheet must also have the headings.
    """
    named = [ws for ws in sheets if fold_heading(ws.title) in choice.names]
    if len(named) == 1:
        return named[0]
    if len(sheets) == 1 and not named and not by_headings:
        return sheets[0]
    if not named:
        matching = [ws for ws in sheets
                    if has_headings(ws.iter_rows(values_only=True), choice)]
        if len(matching) == 1:
            return matching[0]
    return None
