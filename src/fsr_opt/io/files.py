"""The one module of fsr-opt that touches the file system: reading inputs, writing outputs.

Everything a planner hands us arrives here first, so this is where a spreadsheet's quirks
(Italian decimal commas, Excel date cells, formulas without a saved result, a BOM, cp1252) are
turned into clean typed records, or into `Problem`s that name file, row and column. All the
problems of a file are collected before one `InputError` is raised, so a user fixes their
spreadsheet in one pass. No other exception type escapes on bad input.

Reading is split into small steps that both public readers share:

1. `_read_table`: bytes -> raw cells, ``(row number, cells)`` under the headings, whatever the
   format (CSV or XLSX);
2. `_map_headings`: the headings as written -> the contract's columns;
3. the per-kind cell parsers (`_PARSERS`): one raw cell -> a value or a `_Bad`.

Writing is atomic: every output goes to a temporary file first and is moved into place only
when all of them are written, so a failure (an interruption included) never leaves a
half-written set of outputs.

Hostile files are refused before they can hurt: size limits (`MAX_INPUT_BYTES`, `MAX_ROWS`,
`MAX_XLSX_UNPACKED_BYTES`, and for rule sets `MAX_RULE_BYTES`, `MAX_RULE_NODES`,
`MAX_RULE_DEPTH`) are checked before a file is read or walked, and docs/errors.md lists every
message.
"""

from __future__ import annotations

import contextlib
import csv
import errno
import functools
import gc
import hashlib
import io
import json
import logging
import math
import os
import re
import shutil
import tempfile
import tomllib
import unicodedata
import warnings
import zipfile
from collections import Counter
from collections.abc import Callable, Collection, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, fields, replace
from datetime import date, datetime, time
from decimal import Decimal, InvalidOperation
from enum import Enum
from pathlib import Path
from typing import Any, NamedTuple
from xml.etree import ElementTree

import openpyxl
import yaml
from openpyxl.reader.excel import ExcelReader
from openpyxl.styles.stylesheet import apply_stylesheet
from openpyxl.utils.cell import column_index_from_string
from openpyxl.utils.datetime import from_excel, from_ISO8601
from openpyxl.workbook.workbook import Workbook
from openpyxl.worksheet.worksheet import Worksheet

from fsr_opt.core.errors import ErrorCode, FsrOptError, InputError, Problem, RuleSetError
from fsr_opt.core.money import CENTS_PER_EURO, euros_to_cents
from fsr_opt.core.schema import INPUT_COLUMNS, ColumnSpec, Ownership, UnitRecord, UnitsTable
from fsr_opt.io.bundled import rule_sets_folder

logger = logging.getLogger(__name__)


CSV_EXTENSIONS = frozenset({".csv", ".txt"})
XLSX_EXTENSIONS = frozenset({".xlsx", ".xlsm"})
RULE_EXTENSIONS = frozenset({".yaml", ".yml", ".toml"})

_ZIP_MAGIC = b"PK\x03\x04"
_OLE_MAGIC = b"\xd0\xcf\x11\xe0"  # Excel 97-2003 .xls and other OLE compound files
_UTF16_BOMS = (b"\xff\xfe", b"\xfe\xff")
_BINARY_CHARS = re.compile(r"[\x00-\x08\x0b\x0e-\x19\x1b-\x1f]")
# Invisible formatting characters (Unicode category Cf: zero-width spaces, BOMs, direction
# marks, soft hyphens) that copy-paste leaves in cells; they carry no meaning in a units table
# and would make 'U1' and 'U1\u200b' two different ids, or hide a heading.
_INVISIBLE = re.compile(
    "[\u00ad\u061c\u180e\u200b-\u200f\u202a-\u202e\u2060-\u2064\u2066-\u206f\ufeff"
    "\ufff9-\ufffb]"
)
_MESSAGE_CELL_CHARS = 60
_DELIMITERS = (";", "\t", ",")  # in this order on a tie: ';' only ever means the Excel dialect
_UNITS_SHEETS = frozenset({"unita", "units"})
AMBITO_COLUMN = "ambito"
"""The column of a units table that says which Ambito each row belongs to (region runs)."""
_ALLOCATION_SHEETS = frozenset({"allocation", "allocazione", "riparto"})

# Above this a figure is a typing error, not a budget (1e11 euros).
_MAX_CENTS = 10**11 * CENTS_PER_EURO
# Above this a count of users is a typing error (a municipal service of a whole city has fewer).
_MAX_USERS = 10**6

# Size limits, so that a wrong file (a database dump, a zip bomb, a log) is refused at once with
# a clear message instead of exhausting memory. A units table has one row per unit of offer or
# municipal service line: an Ambito has hundreds, the whole of Lombardy a few thousand. At the
# limits a CSV loads in about 3 seconds and an XLSX in about 30, within 1 GB of memory.
MAX_INPUT_BYTES = 50 * 1024 * 1024
"""Largest units table or allocation file read (bytes on disk)."""
MAX_XLSX_UNPACKED_BYTES = 128 * 1024 * 1024
"""Largest total of the unpacked parts of a workbook (what openpyxl holds in memory).

The allocation.xlsx of a 100,000-unit riparto unpacks to 81 MB: `fsr-opt audit` reads it in
about 50 s and 1.2 GB (its allocation.csv: 11 s).
"""
MAX_ROWS = 150_000
"""Largest number of data rows (non-empty rows below the headings) read from a table."""
MAX_RULE_BYTES = 5 * 1024 * 1024
"""Largest rule-set file read; the bundled one is about 30 kB."""
MAX_RULE_NODES = 100_000
"""Largest number of values in a rule-set document, counting each use of a YAML alias."""
MAX_RULE_DEPTH = 40
"""Deepest nesting of mappings and lists in a rule-set document (the format needs 6)."""
# Title rows above the headings are looked for (and reported, not skipped) this far down.
_HEADER_SEARCH_ROWS = 10
# A float from Excel is accepted as cents when it is this close to a whole cent (1e-6 euros).
_CENT_TOLERANCE = 1e-6 * CENTS_PER_EURO
_MIN_YEAR, _MAX_YEAR = 1900, 2100

# Characters that make a spreadsheet read a text cell as a formula (CWE-1236).
_FORMULA_TRIGGERS = ("=", "+", "-", "@", "\t", "\r")
_NEEDS_QUOTES = re.compile(r'[,"\r\n]')
_PLAIN_NUMBER = re.compile(r"-?[0-9]+(?:\.[0-9]+)?")
# An integer part that could stand before a thousands separator: 1 to 3 digits, no leading 0.
_LEADING_GROUPS = re.compile(r"[1-9][0-9]{0,2}(?: [0-9]{3})*")
# Patterns of the cell parsers, compiled once: a table of 100,000 rows has over a million cells.
_WORD_BREAKS = re.compile(r"[\s_\-]+")
_SEP_LINE = re.compile(r'"?sep=(.)"?', re.IGNORECASE)
_ISO_DATE = re.compile(r"(\d{4})-(\d{2})-(\d{2})")
_DMY_DATE = re.compile(r"(\d{1,2})/(\d{1,2})/(\d{4})")
_CURRENCY_AROUND = re.compile(r"^(?:€|eur)\s*|\s*(?:€|eur)$", re.IGNORECASE)
_CURRENCY_BEFORE = re.compile(r"^(?:€|eur)\s*", re.IGNORECASE)
_NUMBER_CHARS = re.compile(r"[0-9 .,]*[0-9][0-9 .,]*")
_SCIENTIFIC = re.compile(r"[0-9]+(?:[.,][0-9]*)?[eE][+-]?[0-9]+")
# The common figure, digits with at most one mark and one or two decimals (``1234.56``,
# ``1234,5``, ``12``): no reading of it is ambiguous, so it skips `_read_decimal`.
_SIMPLE_FIGURE = re.compile(r"([0-9]{1,15})(?:([.,])([0-9]{1,2}))?")

_TRUE_WORDS = frozenset({"true", "yes", "si", "1", "vero", "y", "s"})
_FALSE_WORDS = frozenset({"false", "no", "0", "falso", "n"})
_BOOL_HINT = "true/false, yes/no, sì/no, 1/0, vero/falso, y/n, s/n"
_OWNERSHIP_WORDS: Mapping[str, Ownership] = {
    "public": Ownership.PUBLIC,
    "pubblica": Ownership.PUBLIC,
    "pubblico": Ownership.PUBLIC,
    "private": Ownership.PRIVATE,
    "privata": Ownership.PRIVATE,
    "privato": Ownership.PRIVATE,
}
_WHAT: Mapping[str, str] = {
    "text": "a value",
    "code": "a unit type code such as ASILO_NIDO",
    "ownership": "public or private",
    "int": "a whole number such as 12",
    "money": "an amount in euros such as 1234.56",
    "date": "a date such as 2024-01-31 or 31/01/2024",
    "bool": "yes or no",
}


# ---------------------------------------------------------------------------------------------
# Raw cells
# ---------------------------------------------------------------------------------------------


class _Formula(NamedTuple):
    """An XLSX formula whose result Excel never saved (``data_only`` reads it as empty)."""

    text: str


class _ExcelError(NamedTuple):
    """An XLSX cell that shows an error such as ``#DIV/0!`` or ``#N/A``."""

    text: str


# What a cell can hold before parsing: CSV gives str only, XLSX gives typed values.
_Raw = str | int | float | bool | date | time | _Formula | _ExcelError | None


class _Bad(NamedTuple):
    """A cell that could not be read: a stable code and a message that says how to fix it."""

    code: ErrorCode
    message: str


@dataclass(frozen=True)
class _Table:
    """A file read into raw cells, format-independent.

    Attributes:
        file: the path as the user gave it (used in every message).
        sha256: hex digest of the file bytes.
        italian: True for a ';' CSV, the Excel dialect of Italian locales (decimal comma).
        header_row: the 1-based row holding the headings.
        headings: the non-empty headings as written (surrounding spaces removed).
        rows: (1-based row, cells aligned with `headings`) of every non-empty data row.
        problems: problems found while reading (rows too long, merged cells).
    """

    file: str
    sha256: str
    italian: bool
    header_row: int
    headings: tuple[str, ...]
    rows: tuple[tuple[int, tuple[_Raw, ...]], ...]
    problems: tuple[Problem, ...]


def _fail(error: type[FsrOptError], file: str, code: ErrorCode, message: str) -> FsrOptError:
    """Build the one-problem error of a file that cannot be read at all."""
    return error([Problem(message, file=file, code=code)])


def _is_blank(raw: _Raw) -> bool:
    """True for an empty cell or one holding only spaces."""
    return raw is None or (isinstance(raw, str) and not raw.strip())


def _visible(text: str) -> str:
    """Remove the invisible formatting characters (`_INVISIBLE`, none of them ASCII)."""
    return text if text.isascii() else _INVISIBLE.sub("", text)


def _is_blank_row(cells: Sequence[_Raw]) -> bool:
    """True for a row of empty cells (`_is_blank`), at C speed for a row of text (CSV)."""
    try:
        return not "".join(cells).strip()  # type: ignore[arg-type]  # TypeError: not all str
    except TypeError:
        return all(_is_blank(cell) for cell in cells)


def _norm(text: str) -> str:
    """Fold a heading or word for matching: no case, no accents, `_`, `-` and spaces alike."""
    decomposed = unicodedata.normalize("NFKD", _visible(text))
    plain = "".join(ch for ch in decomposed if not unicodedata.combining(ch))
    return " ".join(part for part in _WORD_BREAKS.split(plain.casefold()) if part)


def _column_letter(index: int) -> str:
    """Return the spreadsheet letter of a 0-based column index (0 -> A, 27 -> AB)."""
    letters = ""
    index += 1
    while index:
        index, rest = divmod(index - 1, 26)
        letters = chr(ord("A") + rest) + letters
    return letters


def _megabytes(size: int) -> str:
    """Show a size in bytes as megabytes for a message (``100.0 MB``)."""
    return f"{size / (1024 * 1024):.1f} MB"


def _read_bytes(
    path: Path, file: str, error: type[FsrOptError], *, limit: int | None = None,
    what: str = "the file",
) -> bytes:
    """Read a whole file, turning every OS failure into `error` with a plain-words message.

    Args:
        path: the file.
        file: the path as the user gave it, for messages.
        error: the error class to raise (`InputError` or `RuleSetError`).
        limit: refuse a file larger than this many bytes, before reading it.
        what: how the message names the file ("the units table").
    """
    if path.is_dir():
        raise _fail(error, file, ErrorCode.NOT_A_FILE,
                    "is a folder, not a file; give the path of a file")
    try:
        if limit is not None and (size := path.stat().st_size) > limit:
            raise _fail(error, file, ErrorCode.FILE_TOO_LARGE,
                        f"{what} is {_megabytes(size)}, more than the limit of "
                        f"{_megabytes(limit)}; this is not a table of units or rules "
                        "(those are well under 1 MB): check that you gave the right file")
        return path.read_bytes()
    except FileNotFoundError:
        raise _fail(error, file, ErrorCode.FILE_NOT_FOUND,
                    "file not found; check the path and the file name") from None
    except PermissionError:
        raise _fail(error, file, ErrorCode.UNREADABLE,
                    "cannot be read (permission denied); check the file's permissions") from None
    except OSError as exc:
        raise _fail(error, file, ErrorCode.UNREADABLE,
                    f"cannot be read ({exc.strerror or exc}); check the file") from None


def _read_table(
    path: str | Path,
    *,
    sheet_names: Collection[str],
    looks_right: Callable[[Sequence[str]], bool],
    remember: bool = False,
) -> _Table:
    """Read a CSV or XLSX file into raw cells under its headings.

    Args:
        path: the file; its extension decides the format.
        sheet_names: folded (`_norm`) names of the sheet to prefer in a workbook.
        looks_right: tells whether a sheet's headings are those of the wanted table, to pick a
            sheet in a workbook with several sheets and none of the preferred names.
        remember: keep the table for the next read of the same bytes (`_last_table`): for
            tables that hold several Ambiti, read again for each.

    Raises:
        InputError: the file cannot be read as a table at all.
    """
    file = str(path)
    suffix = Path(path).suffix.lower()
    if suffix not in CSV_EXTENSIONS | XLSX_EXTENSIONS and not Path(path).is_dir():
        hint = "save it as .xlsx" if suffix in {".xls", ".ods"} else "use a .csv or .xlsx file"
        raise _fail(InputError, file, ErrorCode.UNSUPPORTED_FORMAT,
                    f"files of type '{suffix or 'without extension'}' are not read; {hint}")
    data = _read_bytes(Path(path), file, InputError, limit=MAX_INPUT_BYTES)
    sha = hashlib.sha256(data).hexdigest()
    if not data.strip():
        raise _fail(InputError, file, ErrorCode.EMPTY_FILE,
                    "the file is empty; it needs a header row "
                    "and one row per unit")
    key = (file, suffix, sha, frozenset(sheet_names), looks_right)
    if _last_table is not None and _last_table[0] == key:
        return _last_table[1]
    records: Sequence[tuple[int, Sequence[_Raw]]]
    if suffix in CSV_EXTENSIONS:
        italian, records = _csv_records(data, file)
        extra: list[Problem] = []
    else:
        italian = False
        records, extra = _xlsx_records(data, file, sheet_names, looks_right)
    table = _frame(file, sha, italian, records, extra, looks_right)
    if remember:
        _remember_table(key, table)
    return table


# The last table read with ``remember``, by its name, bytes (SHA-256) and how it was read:
# `region` reads a table shared by several Ambiti once to check the manifest, then once per
# Ambito; the same bytes always give the same (immutable) table. 12 Ambiti of one
# 138,000-row workbook: 68 s -> 21 s. Other reads keep nothing (a single solve would hold the
# raw table in memory for nothing: 100 MB at 100,000 rows).
_last_table: tuple[tuple[object, ...], _Table] | None = None


def _remember_table(key: tuple[object, ...], table: _Table) -> None:
    global _last_table  # noqa: PLW0603 - a one-entry cache, per process
    _last_table = (key, table)


def _frame(
    file: str,
    sha: str,
    italian: bool,
    records: Iterable[tuple[int, Sequence[_Raw]]],
    extra: list[Problem],
    looks_right: Callable[[Sequence[str]], bool],
) -> _Table:
    """Find the header (first non-empty row), drop empty rows and check row widths.

    Raises:
        InputError: no table at all, more than `MAX_ROWS` rows, or the headings stand below
            some title rows (they are found, but not guessed past: the user deletes the rows).
    """
    rows = [(number, cells if isinstance(cells, list) else list(cells))
            for number, cells in records if not _is_blank_row(cells)]
    if not rows:
        raise _fail(InputError, file, ErrorCode.EMPTY_FILE,
                    "the file holds no table; it needs a header row and one row per unit")
    if len(rows) > MAX_ROWS + 1:
        raise _too_many_rows(file)
    header_row, header = rows[0]
    texts = [_heading_text(cell) for cell in header]
    if not looks_right(texts):
        for number, cells in rows[1:1 + _HEADER_SEARCH_ROWS]:
            if looks_right([_heading_text(cell) for cell in cells]):
                raise InputError([Problem(
                    f"the headings of the table are in row {number}, but row {header_row} "
                    f"comes first ('{_clip(' '.join(t for t in texts if t))}'); delete the "
                    f"rows above the headings (titles, notes) so that the headings come first",
                    file=file, row=header_row, code=ErrorCode.HEADER_NOT_FIRST)])
    while texts and not texts[-1]:
        texts.pop()
    width = len(texts)
    kept = [i for i, text in enumerate(texts) if text]
    problems = list(extra)
    data: list[tuple[int, tuple[_Raw, ...]]] = []
    first = kept[0] if kept and looks_right(texts) else None
    first_heading = texts[first].casefold() if first is not None else ""
    unnamed = [i for i in range(width) if not texts[i]]
    for number, cells in rows[1:]:
        if (first is not None and first < len(cells) and isinstance(cells[first], str)
                and _heading_text(cells[first]).casefold() == first_heading
                and looks_right([_heading_text(cell) for cell in cells])):
            problems.append(Problem(
                f"this row repeats the headings of row {header_row} (two tables pasted "
                "together?); delete it, and check that no unit is listed twice",
                file=file, row=number, code=ErrorCode.REPEATED_HEADER))
            continue
        overflow = ([i for i in range(width, len(cells)) if not _is_blank(cells[i])]
                    if len(cells) > width else None)
        if overflow:
            problems.append(Problem(
                f"there is a value in column {_column_letter(overflow[0])}, beyond the last of "
                f"the {width} headings; if a value contains the separator, quote it, else "
                "give that column a heading or delete the value",
                file=file, row=number, code=ErrorCode.ROW_TOO_LONG))
            continue
        for i in unnamed:
            if i < len(cells) and not _is_blank(cells[i]):
                logger.warning("%s: row %d, column %s has a value but no heading; it is ignored",
                               file, number, _column_letter(i))
        padded = cells if len(cells) == width else cells[:width] + [None] * (width - len(cells))
        data.append((number, tuple(padded) if not unnamed else tuple(padded[i] for i in kept)))
    return _Table(file, sha, italian, header_row, tuple(texts[i] for i in kept), tuple(data),
                  tuple(problems))


def _heading_text(cell: _Raw) -> str:
    """Return a header cell as text, without surrounding spaces or invisible characters."""
    if isinstance(cell, str):
        return _visible(cell).strip()
    if isinstance(cell, _Formula | _ExcelError):
        return cell.text.strip()
    return "" if cell is None else _visible(_render(cell)).strip()


def _too_many_rows(file: str) -> InputError:
    """The error of a table with more than `MAX_ROWS` data rows."""
    return InputError([Problem(
        f"the table has more than {MAX_ROWS} rows; a units table has one row per unit of "
        "offer or municipal service line (an Ambito has hundreds): check that this is the "
        "right file, or split it", file=file, code=ErrorCode.TOO_MANY_ROWS)])


def _clip(text: str) -> str:
    """Shorten a cell's text for a message, so that a huge cell cannot flood the terminal."""
    text = " ".join(text.split())
    if len(text) <= _MESSAGE_CELL_CHARS:
        return text
    return text[:_MESSAGE_CELL_CHARS - 3] + "..."


# ---------------------------------------------------------------------------------------------
# CSV
# ---------------------------------------------------------------------------------------------


def _decode(data: bytes, file: str) -> str:
    """Decode CSV bytes: UTF-16 with a BOM, UTF-8 (BOM or not), else cp1252 with a warning."""
    try:
        if data.startswith(_UTF16_BOMS):
            return data.decode("utf-16")
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        pass
    try:
        text = data.decode("cp1252")
    except UnicodeDecodeError:
        raise _fail(InputError, file, ErrorCode.ENCODING,
                    "the file is neither UTF-8 nor Windows-1252 text; in Excel choose "
                    "'Save as' > 'CSV UTF-8'") from None
    logger.warning("%s is not UTF-8; read it as Windows-1252 (cp1252). Check accented letters, "
                   "or save it as 'CSV UTF-8'", file)
    return text


def _csv_records(data: bytes, file: str) -> tuple[bool, list[tuple[int, Sequence[_Raw]]]]:
    """Split CSV bytes into numbered records; return (Italian dialect?, records).

    The separator is read from an Excel ``sep=`` line when there is one, else sniffed from the
    header line among ``,`` ``;`` and tab. Records are numbered as Excel shows them (a quoted
    value spanning lines is one row).
    """
    if data.startswith(_ZIP_MAGIC):
        raise _fail(InputError, file, ErrorCode.NOT_A_SPREADSHEET,
                    "this is an Excel workbook with a .csv name; rename it to .xlsx")
    if b"\x00" in data and not data.startswith(_UTF16_BOMS):
        text = "\x00"  # binary data: reported below, before any decoding error
    else:
        text = _decode(data, file).rstrip("\x1a")
    if _BINARY_CHARS.search(text):
        raise _fail(InputError, file, ErrorCode.NOT_A_SPREADSHEET,
                    "the file holds binary data, not CSV text; export the sheet from Excel "
                    "with 'Save as' > 'CSV UTF-8'")
    lines = text.splitlines()
    sep_line = _SEP_LINE.fullmatch(lines[0].strip()) if lines else None
    if sep_line:
        delimiter = sep_line.group(1)
        text = text.split("\n", 1)[1] if "\n" in text else ""
    else:
        header = next((line for line in lines if line.strip()), "")
        counts = {d: header.count(d) for d in _DELIMITERS}
        delimiter = max(_DELIMITERS, key=lambda d: counts[d]) if any(counts.values()) else ","
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter, strict=True)
    records: list[tuple[int, Sequence[_Raw]]] = []
    filled = 0
    try:
        for number, record in enumerate(reader, start=1):
            records.append((number, record))
            filled += not _is_blank_row(record)
            if filled > MAX_ROWS + 1:  # stop reading: a huge file must not fill the memory
                raise _too_many_rows(file)
    except csv.Error as exc:
        raise InputError([Problem(
            f"the CSV cannot be read near line {reader.line_num} ({exc}); check the quotes "
            "around that value",
            file=file, row=len(records) + 1, code=ErrorCode.CSV_SYNTAX)]) from None
    logger.debug("%s: CSV with separator %r", file, delimiter)
    return delimiter == ";", records


# ---------------------------------------------------------------------------------------------
# XLSX
# ---------------------------------------------------------------------------------------------


def _check_unpacked_size(data: bytes, file: str) -> None:
    """Refuse a workbook whose parts unpack to more than `MAX_XLSX_UNPACKED_BYTES`.

    A small .xlsx can hold a huge sheet (formatting applied to whole columns, or a zip bomb);
    openpyxl would hold all of it in memory. A file that is not a zip is left to openpyxl.
    """
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            unpacked = sum(max(info.file_size, 0) for info in archive.infolist())
    except Exception:  # any zip trouble is reported by _open_workbook
        return
    if unpacked > MAX_XLSX_UNPACKED_BYTES:
        raise _fail(InputError, file, ErrorCode.FILE_TOO_LARGE,
                    f"the workbook unpacks to {_megabytes(unpacked)}, more than the limit of "
                    f"{_megabytes(MAX_XLSX_UNPACKED_BYTES)}; check that this is the right "
                    "file, or copy just the table into a new workbook (formatting applied to "
                    "whole columns also makes a workbook this large)")


# A formula element, with or without a namespace prefix (<f>, <f t="shared" .../>, <x:f>).
_FORMULA_TAG = re.compile(rb"<(?:[A-Za-z_][\w.-]*:)?f[\s>/]")
_SCAN_CHUNK = 1 << 20


def _may_hold_formulas(data: bytes) -> bool:
    """Tell whether any worksheet part of a workbook has a formula element.

    The formula pass of `_xlsx_records` costs as much as reading the values (openpyxl takes
    about 20 s for 150,000 rows); most tables hold no formula, and a scan of the raw XML
    settles that in a fraction of a second. Any doubt (a zip openpyxl may still read) says yes.
    """
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            for info in archive.infolist():
                name = info.filename.lower()
                if not (name.startswith("xl/worksheets/") and name.endswith(".xml")):
                    continue
                with archive.open(info) as part:
                    tail = b""
                    while chunk := part.read(_SCAN_CHUNK):
                        if _FORMULA_TAG.search(tail + chunk):
                            return True
                        tail = chunk[-32:]
    except Exception:  # the real read reports it; here it only means "maybe"
        return True
    return False


def _open_workbook(
    data: bytes, file: str, *, data_only: bool, read_only: bool = False
) -> Workbook:
    """Open workbook bytes with openpyxl, turning any failure into one `InputError`."""
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # openpyxl's notes on unsupported extensions
            return openpyxl.load_workbook(io.BytesIO(data), data_only=data_only,
                                          read_only=read_only)
    except Exception as exc:  # openpyxl raises anything (KeyError, zipfile...) on a bad file
        raise _fail(InputError, file, ErrorCode.NOT_A_SPREADSHEET,
                    f"the file is not a readable Excel workbook ({type(exc).__name__}); open it "
                    "in Excel and save it again as .xlsx") from None


# The lean reader: openpyxl reads the package (sheets, shared strings, styles, date formats),
# ElementTree the cells of the one sheet, as openpyxl's `WorkSheetParser` does with
# ``data_only`` but without a Python object per cell: `load_units` of 150,000 rows takes 10 s
# instead of 33 s, and 0.4 GB of memory instead of 1.3 GB. What it does not read exactly as
# openpyxl's full read would (merged cells, an uncomputed formula, cells without a reference,
# several candidate sheets...) goes to that full read. tests/test_xlsx_lean.py compares them.
_MAIN_NS = "{http://schemas.openxmlformats.org/spreadsheetml/2006/main}"
_ROW_TAG, _CELL_TAG, _VALUE_TAG = f"{_MAIN_NS}row", f"{_MAIN_NS}c", f"{_MAIN_NS}v"
_FORMULA_ELEMENT, _INLINE_TAG = f"{_MAIN_NS}f", f"{_MAIN_NS}is"
_TEXT_TAG, _RUN_TAG = f"{_MAIN_NS}t", f"{_MAIN_NS}r"
_MERGE_TAGS = frozenset({f"{_MAIN_NS}mergeCells", f"{_MAIN_NS}mergeCell"})
_CELL_REFERENCE = re.compile(r"([A-Z]{1,3})([1-9][0-9]{0,6})")
_MAX_XLSX_COLUMN, _MAX_XLSX_ROW = 16_384, 1_048_576


class _NotLeanError(Exception):
    """A sheet the lean reader leaves to openpyxl's full read."""


def _lean_xlsx_records(
    data: bytes, sheet_names: Collection[str]
) -> list[tuple[int, list[_Raw]]] | None:
    """Read the table's sheet the fast way, or return None to have openpyxl read it fully.

    openpyxl's `ExcelReader` reads the package as `load_workbook` does, all but the sheets
    (its read-only sheets would each parse their whole XML just to size it, when the sheet
    does not say its dimension, as files written by scripts do not).
    """
    try:
        # Any: the lean reader uses openpyxl's inner parts (reader, strings, formats), which
        # its stubs do not declare; any change there falls back to the full read.
        reader: Any = ExcelReader(io.BytesIO(data), read_only=True, data_only=True)
    except Exception:  # not a zip: the full read reports it
        return None
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            for step in (reader.read_manifest, reader.read_strings, reader.read_workbook,
                         reader.read_properties, reader.read_custom, reader.read_theme):
                step()
            apply_stylesheet(reader.archive, reader.wb)
        # the worksheets `load_workbook` would make: every sheet but the chartsheets
        sheets = [(sheet.name, rel.target) for sheet, rel in reader.parser.find_sheets()
                  if rel.target in reader.valid_files and "chartsheet" not in rel.Type]
        named = [sheet for sheet in sheets if _norm(sheet[0]) in sheet_names]
        if len(named) == 1:
            _, part = named[0]
        elif len(sheets) == 1 and not named:
            _, part = sheets[0]
        else:  # choosing needs the headings of every sheet: `_choose_sheet`
            return None
        with reader.archive.open(part) as source:
            return _lean_sheet_records(source, _LeanCells(reader))
    except Exception:  # _NotLeanError, or anything openpyxl's full read would judge
        return None
    finally:
        reader.archive.close()


def _lean_sheet_records(source: Any, lookup: _LeanCells) -> list[tuple[int, list[_Raw]]]:
    """Every row from 1 to the last, padded to the last column, as openpyxl's `iter_rows`."""
    rows: dict[int, dict[int, _Raw]] = {}
    last_column = 0
    for _, element in ElementTree.iterparse(source):
        if element.tag == _ROW_TAG:
            for cell in element:
                if cell.tag != _CELL_TAG:
                    raise _NotLeanError
                row, column, value = lookup.cell(cell)
                rows.setdefault(row, {})[column] = value
                last_column = max(last_column, column)
            element.clear()
        elif element.tag in _MERGE_TAGS:
            raise _NotLeanError  # the full read empties them, `_merged_problems` reports
    columns = range(1, last_column + 1)
    return [(row, [cells.get(column) for column in columns])
            for row in range(1, max(rows, default=0) + 1)
            for cells in (rows.get(row, {}),)]


@functools.lru_cache(maxsize=1024)
def _column_index(letters: str) -> int:
    return column_index_from_string(letters)


class _LeanCells:
    """openpyxl's `WorkSheetParser.parse_cell` with ``data_only``, then `_xlsx_records`' typing."""

    def __init__(self, reader: Any) -> None:
        workbook = reader.wb
        self.strings: Sequence[str] = reader.shared_strings
        self.dates: Collection[int] = workbook._date_formats
        self.durations: Collection[int] = workbook._timedelta_formats
        self.epoch: datetime = workbook.epoch
        self.styles = len(workbook._cell_styles)

    def cell(self, element: ElementTree.Element) -> tuple[int, int, _Raw]:
        reference = _CELL_REFERENCE.fullmatch(element.get("r", ""))
        if reference is None:
            raise _NotLeanError
        column, row = _column_index(reference[1]), int(reference[2])
        style_text = element.get("s")
        style = 0 if style_text is None else int(style_text)  # s="": openpyxl fails, so do we
        if column > _MAX_XLSX_COLUMN or row > _MAX_XLSX_ROW or not 0 <= style < self.styles:
            raise _NotLeanError
        return row, column, self.value(element, style)

    def value(self, element: ElementTree.Element, style: int) -> _Raw:
        kind = element.get("t", "n")
        text = None if kind == "inlineStr" else element.findtext(_VALUE_TAG) or None
        value: object = text
        if text is not None:
            if kind == "n":
                number = float(text) if "." in text or "E" in text or "e" in text else int(text)
                value = number
                if style in self.dates:
                    try:
                        value = from_excel(number, self.epoch,
                                           timedelta=style in self.durations)
                    except (OverflowError, ValueError):
                        return _ExcelError("#VALUE!")
            elif kind == "s":
                value = self.strings[int(text)]
            elif kind == "b":
                value = bool(int(text))
            elif kind == "d":
                value = from_ISO8601(text)  # type: ignore[no-untyped-call]
            elif kind not in {"str", "e"}:
                raise _NotLeanError
        elif kind == "inlineStr":
            inline = element.find(_INLINE_TAG)
            if inline is not None:
                value = _inline_text(inline)
        if kind == "e":
            return _ExcelError(str(value))
        if value is None and element.find(_FORMULA_ELEMENT) is not None:
            raise _NotLeanError  # an uncomputed formula: its text comes from the formula pass
        if value is None or isinstance(value, str | int | float | date | time):
            return value
        return str(value)


def _inline_text(element: ElementTree.Element) -> str:
    """The text of an inline string without its formatting, as openpyxl's `Text.content`."""
    plain = element.find(_TEXT_TAG)
    snippets = [plain.text] if plain is not None and plain.text is not None else []
    for run in element.findall(_RUN_TAG):
        text = run.find(_TEXT_TAG)
        if text is not None and text.text is not None:
            snippets.append(text.text)
    return "".join(snippets)


def _xlsx_records(
    data: bytes,
    file: str,
    sheet_names: Collection[str],
    looks_right: Callable[[Sequence[str]], bool],
) -> tuple[list[tuple[int, list[_Raw]]], list[Problem]]:
    """Read the table's sheet into numbered records, marking formulas without a saved result.

    The lean reader takes the plain sheets; `_full_xlsx_records` the others.
    """
    if not data.startswith(_ZIP_MAGIC):
        if data.startswith(_OLE_MAGIC):
            message = "this is an old Excel 97-2003 workbook (.xls); save it as .xlsx"
        else:
            message = ("the file is not an Excel workbook (it looks like text); save it as "
                       ".xlsx, or give it a .csv name if it is a CSV")
        raise _fail(InputError, file, ErrorCode.NOT_A_SPREADSHEET, message)
    _check_unpacked_size(data, file)
    lean = _lean_xlsx_records(data, sheet_names)
    if lean is not None:
        return lean, []
    return _full_xlsx_records(data, file, sheet_names, looks_right)


def _full_xlsx_records(
    data: bytes,
    file: str,
    sheet_names: Collection[str],
    looks_right: Callable[[Sequence[str]], bool],
) -> tuple[list[tuple[int, list[_Raw]]], list[Problem]]:
    """Read the table's sheet with openpyxl's full reader.

    The workbook is opened twice when it holds formulas: with cached values (what the user
    sees) and with formulas, to tell a really empty cell from a formula Excel never computed
    (files written by scripts).
    """
    values = _choose_sheet(_open_workbook(data, file, data_only=True), file, sheet_names,
                           looks_right)
    formula_text = (_formula_cells(data, file, values.title) if _may_hold_formulas(data)
                    else {})
    records: list[tuple[int, list[_Raw]]] = []
    for row in values.iter_rows():
        cells: list[_Raw] = []
        for cell in row:
            value = cell.value
            if cell.data_type == "e":
                cells.append(_ExcelError(str(value)))
            elif value is None and (cell.row, cell.column) in formula_text:
                cells.append(_Formula(formula_text[(cell.row, cell.column)]))
            elif value is None or isinstance(value, str | int | float | date | time):
                cells.append(value)
            else:
                cells.append(str(value))
        if cells:
            records.append((row[0].row or 0, cells))
    return records, _merged_problems(values, file, records)


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
        raise _fail(InputError, file, ErrorCode.NOT_A_SPREADSHEET,
                    f"the workbook cannot be read ({type(exc).__name__}); open it in Excel "
                    "and save it again as .xlsx") from None
    finally:
        workbook.close()


def _merged_problems(
    sheet: Worksheet, file: str, records: list[tuple[int, list[_Raw]]]
) -> list[Problem]:
    """Refuse merged headings (fatal) and report merged data cells (their copies read empty)."""
    header_row = next((n for n, cells in records if not all(_is_blank(c) for c in cells)), 1)
    problems: list[Problem] = []
    for merged in sorted(sheet.merged_cells.ranges, key=lambda r: (r.min_row, r.min_col)):
        if merged.min_row <= header_row <= merged.max_row:
            raise InputError([Problem(
                f"the heading cells {merged.coord} are merged; unmerge them so that every "
                "column has its own heading",
                file=file, row=header_row, code=ErrorCode.MERGED_HEADER)])
        problems.append(Problem(
            f"the cells {merged.coord} are merged, so all but the first read as empty; "
            "unmerge them and fill in every cell", file=file, row=merged.min_row,
            code=ErrorCode.MERGED_CELL))
    return problems


def _first_headings(sheet: Worksheet) -> list[str]:
    """Return the headings of a sheet: its first non-empty row, as text."""
    for row in sheet.iter_rows(values_only=True):
        texts = [_heading_text(v) if isinstance(v, str | int | float) else "" for v in row]
        if any(texts):
            return texts
    return []


def _choose_sheet(
    workbook: Workbook,
    file: str,
    sheet_names: Collection[str],
    looks_right: Callable[[Sequence[str]], bool],
) -> Worksheet:
    """Pick the table's sheet: by name, else the only sheet, else the one with its headings."""
    sheets = [ws for ws in workbook.worksheets if isinstance(ws, Worksheet)]
    named = [ws for ws in sheets if _norm(ws.title) in sheet_names]
    if len(named) == 1:
        return named[0]
    if len(sheets) == 1 and not named:
        return sheets[0]
    if not named:
        matching = [ws for ws in sheets if looks_right(_first_headings(ws))]
        if len(matching) == 1:
            return matching[0]
    found = ", ".join(f"'{ws.title}'" for ws in sheets) or "none"
    raise _fail(InputError, file, ErrorCode.SHEET_NOT_FOUND,
                f"cannot tell which sheet holds the table (sheets: {found}); keep the table in "
                "a single sheet, or name its sheet 'Unità'")


# ---------------------------------------------------------------------------------------------
# Headings
# ---------------------------------------------------------------------------------------------


def _column_lookup() -> dict[str, ColumnSpec]:
    """Map every folded name, Italian heading and alias to its column."""
    lookup: dict[str, ColumnSpec] = {}
    for spec in INPUT_COLUMNS:
        for name in (spec.name, spec.heading_it, *spec.aliases):
            lookup.setdefault(_norm(name), spec)
    return lookup


_COLUMNS = _column_lookup()


def _map_headings(
    table: _Table, expected: Collection[str] = ()
) -> tuple[dict[str, int], list[Problem]]:
    """Match the file's headings to the contract's columns.

    Args:
        table: the table read.
        expected: folded headings of other columns the caller uses (``ambito``), not warned of.

    Returns:
        (column name -> index in the table's cells, problems: missing or repeated columns).
        Unknown headings are ignored with a logged warning, so a planner may keep notes.
    """
    found: dict[str, int] = {}
    problems: list[Problem] = []
    for index, heading in enumerate(table.headings):
        spec = _COLUMNS.get(_norm(heading))
        if spec is None and _norm(heading) in expected:
            continue
        if spec is None:
            logger.warning("%s: column '%s' is not a column of the units table; it is ignored",
                           table.file, heading)
        elif spec.name in found:
            first = table.headings[found[spec.name]]
            problems.append(Problem(
                f"this column repeats column '{first}' (both are '{spec.name}'); keep only one",
                file=table.file, row=table.header_row, column=heading,
                code=ErrorCode.DUPLICATE_COLUMN))
        else:
            found[spec.name] = index
    required = [spec for spec in INPUT_COLUMNS if spec.required]
    missing = [spec for spec in required if spec.name not in found]
    if len(missing) > len(required) // 2:
        headings = ", ".join(f"'{_clip(h)}'" for h in table.headings[:12])
        more = f" and {len(table.headings) - 12} more" if len(table.headings) > 12 else ""
        problems.append(Problem(
            f"this is not a units table: only {len(required) - len(missing)} of its "
            f"{len(required)} required columns were found among the headings ({headings}{more}); "
            f"missing: {', '.join(spec.name for spec in missing)}. Check that this is the right "
            "file, and head its columns as the contract or the Italian template does",
            file=table.file, row=table.header_row, code=ErrorCode.WRONG_COLUMNS))
        return found, problems
    for spec in missing:
        problems.append(Problem(
            f"the required column '{spec.name}' is missing; add a column headed "
            f"'{spec.name}' or '{spec.heading_it}'", file=table.file,
            row=table.header_row, column=spec.name, code=ErrorCode.MISSING_COLUMN))
    return found, problems


def _has_units_headings(headings: Sequence[str]) -> bool:
    """True when the headings include every required column of the units table."""
    names = {spec.name for h in headings if (spec := _COLUMNS.get(_norm(h)))}
    return all(spec.name in names for spec in INPUT_COLUMNS if spec.required)


def _has_unit_id_heading(headings: Sequence[str]) -> bool:
    """True when one heading is the unit id (the allocation table's key)."""
    return any((spec := _COLUMNS.get(_norm(h))) is not None and spec.name == "unit_id"
               for h in headings)


# ---------------------------------------------------------------------------------------------
# Cell parsers: raw cell -> value or _Bad
# ---------------------------------------------------------------------------------------------


def _render(raw: str | int | float | bool | date | time) -> str:
    """Render a typed cell as plain text: ``1234.56``, ``2024-01-31``, ``true``."""
    if isinstance(raw, bool):
        return "true" if raw else "false"
    if isinstance(raw, int):
        return str(raw)
    if isinstance(raw, float):
        if raw.is_integer():
            return str(int(raw))
        return format(Decimal(repr(raw)), "f")
    if isinstance(raw, datetime):
        return raw.date().isoformat() if raw.time() == time() else raw.isoformat()
    if isinstance(raw, date | time):
        return raw.isoformat()
    return raw


def _unquote(text: str) -> str:
    """Undo the formula neutralisation of `csv_bytes` (``'=x`` -> ``=x``), for round trips."""
    if text.startswith("'") and text[1:2] in _FORMULA_TRIGGERS and text[1:2]:
        return text[1:]
    return text


def _as_text(raw: _Raw) -> str | _Bad:
    """Read any cell as text (None -> ""); formulas without result and errors are bad."""
    if isinstance(raw, _Formula):
        return _Bad(ErrorCode.FORMULA_CELL,
                    f"holds the formula {raw.text} but the file has no saved result for it; "
                    "open the file in Excel and save it, or type the value instead")
    if isinstance(raw, _ExcelError):
        return _Bad(ErrorCode.EXCEL_ERROR,
                    f"shows the Excel error {raw.text}; correct the formula or type the value")
    if raw is None:
        return ""
    if isinstance(raw, str):
        return _unquote(_visible(raw).strip())
    return _render(raw)


def _parse_text(raw: _Raw, italian: bool) -> str | _Bad:
    """Parse a text cell: stripped."""
    return _as_text(raw)


def _parse_code(raw: _Raw, italian: bool) -> str | _Bad:
    """Parse a unit type code: stripped, upper case (the rule set checks it exists)."""
    text = _as_text(raw)
    return text if isinstance(text, _Bad) else text.upper()


def _parse_ownership(raw: _Raw, italian: bool) -> Ownership | _Bad:
    """Parse public/private, also in Italian (pubblica/pubblico, privata/privato)."""
    word = _OWNERSHIP_WORDS.get(_norm(raw)) if isinstance(raw, str) else None
    if word is None:
        return _Bad(ErrorCode.BAD_OWNERSHIP,
                    f"'{_shown(raw)}' is not an ownership; write public or "
                    "private (pubblica/privata)")
    return word


def _parse_bool(raw: _Raw, italian: bool) -> bool | _Bad:
    """Parse a yes/no cell: Excel TRUE/FALSE, 1/0, or one of the accepted words."""
    if isinstance(raw, bool):
        return raw
    if isinstance(raw, int | float) and raw in (0, 1):
        return bool(raw)
    if isinstance(raw, str):
        word = _norm(raw)
        if word in _TRUE_WORDS:
            return True
        if word in _FALSE_WORDS:
            return False
    return _Bad(ErrorCode.NOT_A_BOOLEAN,
                f"'{_shown(raw)}' is not yes or no; write one of {_BOOL_HINT}")


def _parse_date(raw: _Raw, italian: bool) -> date | _Bad:
    """Parse a date: an Excel date cell, ``YYYY-MM-DD`` or ``DD/MM/YYYY`` (also ``D/M/YYYY``)."""
    hint = "write it as YYYY-MM-DD (2024-01-31) or DD/MM/YYYY (31/01/2024)"
    if isinstance(raw, datetime):
        value = raw.date()
    elif isinstance(raw, date):
        value = raw
    elif isinstance(raw, str):
        text = raw.strip()
        dmy = None
        if iso := _ISO_DATE.fullmatch(text):
            year, month, day = (int(g) for g in iso.groups())
        elif dmy := _DMY_DATE.fullmatch(text):
            day, month, year = (int(g) for g in dmy.groups())
        else:
            return _Bad(ErrorCode.NOT_A_DATE, f"'{_clip(text)}' is not a date; {hint}")
        try:
            value = date(year, month, day)
        except ValueError:
            if dmy and 1 <= day <= 12 and 13 <= month <= 31:
                return _Bad(ErrorCode.NOT_A_DATE, f"'{text}' is not a day of the calendar read as "
                            "DD/MM/YYYY; it looks like the American order MM/DD/YYYY, in which "
                            "case the other dates of the file written with '/' were read with "
                            "day and month swapped: write every date as YYYY-MM-DD")
            return _Bad(ErrorCode.NOT_A_DATE, f"'{text}' is not a day of the calendar; {hint}")
    elif isinstance(raw, int | float):
        return _Bad(ErrorCode.NOT_A_DATE, f"the cell holds the number {_render(raw)}, not a date; "
                    f"format the cell as a date or {hint}")
    else:
        return _Bad(ErrorCode.NOT_A_DATE, f"'{_shown(raw)}' is not a date; {hint}")
    if not _MIN_YEAR <= value.year <= _MAX_YEAR:
        return _Bad(ErrorCode.NOT_A_DATE, f"the year {value.year} is implausible; check the date")
    return value


def _shown(raw: _Raw) -> str:
    """Return a cell as it appears in a message."""
    if raw is None:
        return ""
    if isinstance(raw, _Formula | _ExcelError):
        return _clip(raw.text)
    if isinstance(raw, float) and raw and not 1e-6 <= abs(raw) < 1e15:
        return repr(raw)  # 1e+308, not three hundred digits
    return _clip(raw) if isinstance(raw, str) else _clip(_render(raw))


def _ungroup(part: str, group_mark: str | None) -> str | None:
    """Remove thousands separators from an integer part; None unless groups are of 3 digits."""
    separators = {ch for ch in part if not ch.isdigit()}
    if not separators:
        return part
    if len(separators) > 1 or not separators <= {" ", group_mark}:
        return None
    groups = part.split(separators.pop())
    if 1 <= len(groups[0]) <= 3 and all(len(g) == 3 for g in groups[1:]) and all(
            g.isdigit() for g in groups):
        return "".join(groups)
    return None


def _parse_decimal(text: str, italian: bool, *, currency: bool) -> Decimal | _Bad:
    """Read a number written by a person or by Excel in any locale, refusing ambiguity.

    See `_read_decimal`, which also says which decimal mark the reading assumed.
    """
    reading = _read_decimal(text, italian, currency=currency)
    return reading if isinstance(reading, _Bad) else reading[0]


def _read_decimal(
    text: str, italian: bool, *, currency: bool
) -> tuple[Decimal, str | None] | _Bad:
    """Read a number written by a person or by Excel in any locale, refusing ambiguity.

    The last of ``.`` and ``,`` is the decimal mark when both occur; the other, spaces and
    no-break spaces separate groups of three digits. A single mark followed by exactly three
    digits (``1.234``) is a thousands separator only in the Italian dialect and for ``.``;
    elsewhere it could mean either, so it is refused rather than guessed.

    Args:
        text: the cell as written.
        italian: the file is a ';' CSV (decimal comma, '.' groups thousands).
        currency: allow a euro sign or ``EUR`` before or after the figure.

    Returns:
        (the exact value with its sign, the decimal mark the reading assumed: ``.`` or ``,``,
        also when only thousands separators show it, or None for a number without marks), or
        why it cannot be read.
    """
    original = text.strip()
    s = original.replace("\u00a0", " ").replace("\u202f", " ").replace("\u2212", "-")
    if currency:
        s = _CURRENCY_AROUND.sub("", s)
    negative = s[:1] == "-"
    s = s[1:].strip() if s[:1] in "+-" and s else s
    if currency:
        s = _CURRENCY_BEFORE.sub("", s)
    shown = _clip(original)
    not_a_number = _Bad(ErrorCode.NOT_A_NUMBER, f"'{shown}' is not a number; write it like 1234.56 "
                        "or 1.234,56")
    if not _NUMBER_CHARS.fullmatch(s):
        if _SCIENTIFIC.fullmatch(s):
            return _Bad(ErrorCode.NOT_A_NUMBER, f"'{shown}' is in scientific notation, which Excel "
                        "uses when a number is too long for the column and which loses "
                        "digits; format the column as a number with two decimals, export the "
                        "file again and check the figure")
        return not_a_number
    marks = [ch for ch in s if ch in ".,"]
    decimal_mark: str | None = None
    group_mark: str | None = None
    if len(set(marks)) == 2:
        decimal_mark = s[max(s.rfind("."), s.rfind(","))]
        group_mark = "," if decimal_mark == "." else "."
    elif len(marks) > 1:
        group_mark = marks[0]
    elif marks:
        mark = marks[0]
        head, _, tail = s.partition(mark)
        if len(tail) == 3 and tail.isdigit() and _LEADING_GROUPS.fullmatch(head):
            if not (italian and mark == "."):
                plain = (head + tail).replace(" ", "")
                return _Bad(ErrorCode.AMBIGUOUS_NUMBER,
                            f"'{shown}' is ambiguous ('{mark}' may separate thousands or mark "
                            f"decimals); write {plain} or {plain}.00, without thousands "
                            "separators")
            group_mark = mark
        else:
            decimal_mark = mark
    if decimal_mark is not None:
        if s.count(decimal_mark) != 1:
            return not_a_number
        whole, _, fraction = s.partition(decimal_mark)
    else:
        whole, fraction = s, ""
    digits = _ungroup(whole, group_mark) if whole else "0"
    if digits is None or (fraction and not fraction.isdigit()):
        return _Bad(ErrorCode.NOT_A_NUMBER,
                    f"'{shown}' is not a valid number: thousands separators "
                    "must separate groups of three digits; write it like 1234.56 or 1.234,56")
    value = Decimal(f"{digits}.{fraction or '0'}")
    if decimal_mark is None and group_mark in (".", ","):
        decimal_mark = "," if group_mark == "." else "."
    return (-value if negative else value), decimal_mark


def _decimal_mark(raw: _Raw, italian: bool) -> str | None:
    """Return the decimal mark a number cell written as text was read with, if it shows one."""
    if not isinstance(raw, str):
        return None
    if simple := _SIMPLE_FIGURE.fullmatch(raw.strip()):
        return simple.group(2)
    reading = _read_decimal(_visible(raw), italian, currency=True)
    return None if isinstance(reading, _Bad) else reading[1]


def _check_amount(cents: int, shown: str) -> int | _Bad:
    """Refuse a negative or implausibly large amount."""
    if cents < 0:
        return _Bad(ErrorCode.NEGATIVE, f"'{shown}' is negative; amounts must be 0 or more")
    if cents > _MAX_CENTS:
        return _Bad(ErrorCode.TOO_LARGE, f"'{shown}' is implausibly large (more than 100 billion "
                    "euros); check the figure")
    return cents


def _simple_cents(simple: re.Match[str]) -> int | None:
    """Return the cents of a `_SIMPLE_FIGURE` match, or None when it is implausibly large."""
    whole, _, decimals = simple.groups()
    cents = int(whole + decimals.ljust(2, "0")) if decimals else int(whole) * CENTS_PER_EURO
    return cents if cents <= _MAX_CENTS else None


def _simple_count(simple: re.Match[str]) -> int | None:
    """Return the whole number of a `_SIMPLE_FIGURE` match; None if it has decimals or is huge."""
    whole, mark, _ = simple.groups()
    return int(whole) if mark is None and int(whole) <= _MAX_USERS else None


def _parse_money(raw: _Raw, italian: bool) -> int | _Bad:
    """Parse euros into cents: an Excel number or text such as ``1.234,56 €``."""
    if (isinstance(raw, str) and (simple := _SIMPLE_FIGURE.fullmatch(raw.strip()))
            and (cents := _simple_cents(simple)) is not None):
        return cents
    shown = _shown(raw)
    if isinstance(raw, bool) or not isinstance(raw, int | float | str):
        return _Bad(ErrorCode.NOT_A_NUMBER, f"'{shown}' is not an amount in euros; write it like "
                    "1234.56")
    if isinstance(raw, int):
        return _check_amount(raw * CENTS_PER_EURO, shown)
    if isinstance(raw, float):
        if not math.isfinite(raw):
            return _Bad(ErrorCode.NOT_A_NUMBER, f"'{shown}' is not an amount in euros")
        if abs(raw) > _MAX_CENTS / CENTS_PER_EURO:  # before multiplying: 1e308 * 100 is inf
            return _check_amount(_MAX_CENTS + 1 if raw > 0 else -1, shown)
        cents = round(raw * CENTS_PER_EURO)
        if abs(raw * CENTS_PER_EURO - cents) > _CENT_TOLERANCE:
            return _Bad(ErrorCode.TOO_MANY_DECIMALS,
                        f"'{shown}' has more than two decimals; round it "
                        "to the cent")
        return _check_amount(cents, shown)
    value = _parse_decimal(raw, italian, currency=True)
    if isinstance(value, _Bad):
        return value
    try:
        cents = euros_to_cents(value)
    except ValueError:
        return _Bad(ErrorCode.TOO_MANY_DECIMALS,
                    f"'{shown}' has more than two decimals; round it to "
                    "the cent")
    return _check_amount(cents, shown)


def _parse_int(raw: _Raw, italian: bool) -> int | _Bad:
    """Parse a count (users): a whole number, 0 or more (``12.0`` from Excel is 12)."""
    if (isinstance(raw, str) and (simple := _SIMPLE_FIGURE.fullmatch(raw.strip()))
            and (count := _simple_count(simple)) is not None):
        return count
    shown = _shown(raw)
    not_a_number = _Bad(ErrorCode.NOT_A_NUMBER, f"'{shown}' is not a number; write a whole number "
                        "such as 12")
    value: Decimal | _Bad
    if isinstance(raw, str):
        value = _parse_decimal(raw, italian, currency=False)
        if isinstance(value, _Bad) and value.code is ErrorCode.NOT_A_NUMBER:
            return not_a_number
    elif isinstance(raw, float) and math.isfinite(raw):
        value = Decimal(repr(raw))
    elif isinstance(raw, int) and not isinstance(raw, bool):
        value = Decimal(raw)
    else:
        return not_a_number
    if isinstance(value, _Bad):
        return value
    if value < 0:
        return _Bad(ErrorCode.NEGATIVE, f"'{shown}' is negative; write 0 or more")
    if value != value.to_integral_value():
        return _Bad(ErrorCode.NOT_AN_INTEGER,
                    f"'{shown}' is not a whole number; write a whole number "
                    "such as 12")
    if value > _MAX_USERS:
        return _Bad(ErrorCode.TOO_LARGE,
                    f"'{shown}' is implausibly large (more than {_MAX_USERS:,} "
                    "users); check the figure")
    return int(value)


_PARSERS: Mapping[str, Callable[[_Raw, bool], object]] = {
    "text": _parse_text,
    "code": _parse_code,
    "ownership": _parse_ownership,
    "int": _parse_int,
    "money": _parse_money,
    "date": _parse_date,
    "bool": _parse_bool,
}


def _parse_cell(spec: ColumnSpec, raw: _Raw, italian: bool) -> object:
    """Parse one cell of a units-table column; None for an empty cell, else a value or _Bad."""
    if isinstance(raw, _Formula | _ExcelError):
        return _as_text(raw)
    if isinstance(raw, str):
        raw = _visible(raw)
    if _is_blank(raw):
        return None
    if spec.kind not in ("text", "code") and isinstance(raw, str) and raw.strip()[:1] == "=":
        return _Bad(ErrorCode.FORMULA_CELL, f"holds the formula '{raw.strip()}' as text where "
                    f"{_WHAT[spec.kind]} is expected; type the value itself")
    return _PARSERS[spec.kind](raw, italian)


# ---------------------------------------------------------------------------------------------
# Public readers
# ---------------------------------------------------------------------------------------------


def load_units(path: str | Path, *, ambito: str | None = None) -> UnitsTable:
    """Load and type-check the units table (contract section 2) from a CSV or XLSX file.

    Every problem of the file (missing columns, unreadable cells, duplicate ids, end before
    start) is collected first, so the user sees them all at once.

    Args:
        path: a ``.csv``/``.txt`` or ``.xlsx``/``.xlsm`` file.
        ambito: keep only the rows whose ``ambito`` column holds this code (ignoring case):
            one Ambito of a table that lists the units of several (see `load_manifest`).
            Rows keep their numbers in the file, and ids need only be unique among the kept
            rows.

    Returns:
        The units in file order, with the file's SHA-256.

    Raises:
        InputError: the file cannot be read, or at least one cell is wrong; one `Problem` each.
            With `ambito`, also a table without an ``ambito`` column or without its rows.
    """
    with _no_cycle_collection():
        return _load_units(path, ambito)


@contextlib.contextmanager
def _no_cycle_collection() -> Iterator[None]:
    """Pause Python's cycle collector while a table's objects are built.

    Reading 100,000 rows makes millions of lists, tuples and records, none of which form a
    cycle; the collector would walk them all again and again (a quarter of the loading time).
    Memory is still freed by reference counting, and the collector resumes afterwards.
    """
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


def _load_units(path: str | Path, ambito: str | None) -> UnitsTable:
    """Do the work of `load_units`."""
    table = _read_table(path, sheet_names=_UNITS_SHEETS, looks_right=_has_units_headings,
                        remember=ambito is not None)
    if ambito is not None:
        table = _rows_of_ambito(table, ambito)
    else:
        _refuse_several_ambiti(table)
    columns, problems = _map_headings(table, () if ambito is None else (AMBITO_COLUMN,))
    problems.extend(table.problems)
    # Column by column: a column's distinct texts (types, municipalities, yes/no, dates) are
    # few, and each is parsed once; rows are put together afterwards, in file order.
    by_column = (list(zip(*(cells for _, cells in table.rows), strict=True))
                 or [()] * len(table.headings))
    parsed = [_parse_column(spec, None if (index := columns.get(spec.name)) is None
                            else by_column[index], len(table.rows), table.italian)
              for spec in INPUT_COLUMNS]
    bad_rows = set().union(*(column.bad_rows for column in parsed))
    suspects = _rows_to_check(parsed)
    units: list[UnitRecord] = []
    first_row_of: dict[str, tuple[int, str]] = {}
    for position, ((number, _), values) in enumerate(
            zip(table.rows, zip(*(column.values for column in parsed), strict=True),
                strict=True)):
        if position in bad_rows:
            problems.extend(_cell_problems(table, columns, number, values))
        if position in suspects:
            problems.extend(_row_checks(table, columns, number, values, first_row_of))
        if position not in bad_rows:
            units.append(UnitRecord(number, *values))
    problems.extend(_mixed_marks(table.file, _marks_in_file_order(table, columns, parsed)))
    if not table.rows and not problems:
        problems.append(Problem("the table has headings but no units; add one row per unit",
                                file=table.file, row=table.header_row, code=ErrorCode.NO_ROWS))
    if problems:
        raise InputError(sorted(problems, key=lambda p: p.row or 0))
    return UnitsTable(source=table.file, sha256=table.sha256, units=tuple(units))


def _rows_of_ambito(table: _Table, ambito: str) -> _Table:
    """Keep the rows of one Ambito, by the table's ``ambito`` column.

    Raises:
        InputError: the table has no ``ambito`` column, or no row of this Ambito.
    """
    index = _ambito_index(table.headings)
    if index is None:
        raise InputError([Problem(
            f"the table has no '{AMBITO_COLUMN}' column, so the rows of Ambito '{ambito}' "
            f"cannot be told apart; add a column '{AMBITO_COLUMN}' with each row's Ambito code",
            file=table.file, row=table.header_row, code=ErrorCode.NO_AMBITO_COLUMN)])
    wanted = ambito.casefold()
    rows = tuple((number, cells) for number, cells in table.rows
                 if _ambito_key(cells[index]) == wanted)
    if table.rows and not rows:
        raise InputError([Problem(
            f"no row of the table has '{ambito}' in column '{table.headings[index]}'; check "
            "the Ambito's code", file=table.file, row=table.header_row,
            column=table.headings[index], code=ErrorCode.NO_ROWS)])
    return replace(table, rows=rows)


def _refuse_several_ambiti(table: _Table) -> None:
    """Refuse a table holding several Ambiti's units when no Ambito is chosen.

    Solving them together would pool their budgets and their units: a silent wrong riparto.

    Raises:
        InputError: the ``ambito`` column holds more than one code.
    """
    index = _ambito_index(table.headings)
    if index is None:
        return
    codes = sorted({key for _, cells in table.rows if (key := _ambito_key(cells[index]))})
    if len(codes) > 1:
        shown = ", ".join(codes[:6]) + (", ..." if len(codes) > 6 else "")
        raise InputError([Problem(
            f"the table holds the units of {len(codes)} Ambiti ({shown}) in column "
            f"'{table.headings[index]}': one riparto per Ambito; solve them with "
            "'fsr-opt region --manifest' (one manifest row per Ambito, see docs/region.md) or "
            "keep one Ambito's rows per table", file=table.file, row=table.header_row,
            column=table.headings[index], code=ErrorCode.SEVERAL_AMBITI)])


def _ambito_index(headings: Sequence[str]) -> int | None:
    """Return the index of the ``ambito`` heading, if there is one."""
    return next((i for i, heading in enumerate(headings) if _norm(heading) == AMBITO_COLUMN),
                None)


def _ambito_key(raw: _Raw) -> str:
    """Return an ``ambito`` cell folded for comparison ("" when empty or unreadable)."""
    text = _as_text(raw)
    return "" if isinstance(text, _Bad) else text.casefold()


# `load_units` builds records from the values in column order: the two must agree.
if [f.name for f in fields(UnitRecord)] != ["row", *(spec.name for spec in INPUT_COLUMNS)]:
    raise RuntimeError("UnitRecord's fields are not 'row' and then INPUT_COLUMNS, in order")


class _Column(NamedTuple):
    """One column of the units table, parsed.

    Attributes:
        values: per data row, the value, "" or None for an empty optional cell, or a `_Bad`
            (which makes its row bad).
        bad_rows: positions in ``table.rows`` of the rows whose cell is a `_Bad`.
        marks: per data row, the decimal mark a number cell written as text was read with
            (empty for a column of another kind).
        mark_kinds: the distinct marks in `marks`.
    """

    values: Sequence[Any]
    bad_rows: frozenset[int]
    marks: Sequence[str | None]
    mark_kinds: frozenset[str]


def _parse_column(
    spec: ColumnSpec, raws: Sequence[_Raw] | None, count: int, italian: bool
) -> _Column:
    """Parse one column of every data row; a missing column gives its empty value (or a bad).

    A column of text cells (any CSV) is read one distinct text at a time: types,
    municipalities, yes/no and dates repeat a lot. Typed XLSX cells are read one by one, as
    True, 1 and 1.0 are equal keys that read differently.

    Args:
        spec: the column.
        raws: its cell in each data row, or None when the file lacks the column.
        count: the number of data rows.
        italian: the file is a ';' CSV (decimal comma).
    """
    if raws is None:
        empty: object = _MISSING if spec.required else "" if spec.kind == "text" else None
        bad = frozenset(range(count)) if spec.required else frozenset()
        return _Column([empty] * count, bad, (), frozenset())
    numeric = spec.kind in ("money", "int")
    if set(map(type, raws)) <= {str, type(None)}:
        value_of: dict[_Raw, object] = {}
        mark_of: dict[_Raw, str] = {}
        bad_raws: set[_Raw] = set()
        for raw in dict.fromkeys(raws):
            value_of[raw], mark = _read_cell(spec, raw, italian, numeric)
            if mark is not None:
                mark_of[raw] = mark
            elif isinstance(value_of[raw], _Bad):
                bad_raws.add(raw)
        bad_rows = frozenset(position for position, raw in enumerate(raws) if raw in bad_raws
                             ) if bad_raws else frozenset()
        return _Column(list(map(value_of.__getitem__, raws)), bad_rows,
                       list(map(mark_of.get, raws)) if mark_of else [],
                       frozenset(mark_of.values()))
    pairs = [_read_cell(spec, raw, italian, numeric) for raw in raws]
    values = [value for value, _ in pairs]
    marks = [mark for _, mark in pairs]
    bad_rows = frozenset(position for position, value in enumerate(values)
                         if isinstance(value, _Bad))
    return _Column(values, bad_rows, marks, frozenset(mark for mark in marks if mark))


# The value of a required column missing from the file: its rows are not built into units,
# and the missing column is reported once (by `_map_headings`), not in every row.
_MISSING = _Bad(ErrorCode.MISSING_COLUMN, "the column is missing")


def _read_cell(
    spec: ColumnSpec, raw: _Raw, italian: bool, numeric: bool
) -> tuple[object, str | None]:
    """Read one cell: (value, "" or None when empty and allowed, or a `_Bad`; decimal mark)."""
    if type(raw) is str and raw.isascii():  # the shortcuts of the usual cells of a CSV
        text = raw.strip()
        if text and spec.kind == "text":
            return _unquote(text), None
        if numeric and (simple := _SIMPLE_FIGURE.fullmatch(text)):
            number = _simple_cents(simple) if spec.kind == "money" else _simple_count(simple)
            if number is not None:
                return number, simple.group(2)
    value = _parse_cell(spec, raw, italian)
    if value is None:
        if spec.required:
            return _Bad(ErrorCode.EMPTY_VALUE,
                        f"the cell is empty; fill in {_WHAT[spec.kind]}"), None
        return ("" if spec.kind == "text" else None), None
    if numeric and not isinstance(value, _Bad):
        return value, _decimal_mark(raw, italian)
    return value, None


def _cell_problems(
    table: _Table, columns: Mapping[str, int], number: int, values: Sequence[object]
) -> list[Problem]:
    """The problems of a row's unreadable cells, in column order."""
    return [Problem(value.message, file=table.file, row=number,
                    column=table.headings[columns[spec.name]], code=value.code)
            for spec, value in zip(INPUT_COLUMNS, values, strict=True)
            if isinstance(value, _Bad) and value is not _MISSING]


def _marks_in_file_order(
    table: _Table, columns: Mapping[str, int], parsed: Sequence[_Column]
) -> list[tuple[int, str, str, str]]:
    """Return (row, heading, text, decimal mark) of every number cell with a mark, row by row.

    Only a file that uses both marks needs them (see `_mixed_marks`); for any other file the
    list is empty, which spares building a tuple for each of its amounts.
    """
    if len(frozenset().union(*(column.mark_kinds for column in parsed))) < 2:
        return []
    marks: list[tuple[int, str, str, str]] = []
    for position, (number, cells) in enumerate(table.rows):
        for spec, column in zip(INPUT_COLUMNS, parsed, strict=True):
            if column.mark_kinds and (mark := column.marks[position]) is not None:
                index = columns[spec.name]
                marks.append((number, table.headings[index], str(cells[index]).strip(), mark))
    return marks


def _rows_to_check(parsed: Sequence[_Column]) -> set[int]:
    """Return the positions of the rows that `_row_checks` may find wrong.

    Those are the rows whose id is also another row's, and those whose end date is before
    their start date; every other row passes, and checking only these saves a call per row.
    """
    keys = [_id_key(unit_id) if isinstance(unit_id, str) and unit_id else None
            for unit_id in parsed[_UNIT_ID].values]
    shared = {key for key, count in Counter(keys).items() if count > 1 and key is not None}
    suspects = {position for position, key in enumerate(keys) if key in shared} if shared else set()
    starts, ends = parsed[_START_DATE].values, parsed[_END_DATE].values
    suspects.update(position for position, end in enumerate(ends)
                    if isinstance(end, date) and isinstance(start := starts[position], date)
                    and end < start)
    return suspects


def _id_key(unit_id: str) -> str:
    """Fold a unit id for comparison: no case, runs of spaces as one, compatibility forms."""
    return " ".join(unicodedata.normalize("NFKC", unit_id).casefold().split())


def _row_checks(
    table: _Table,
    columns: Mapping[str, int],
    number: int,
    values: Sequence[object],
    first_row_of: dict[str, tuple[int, str]],
) -> list[Problem]:
    """Checks across cells of a row: the id is unique, the end is not before the start.

    Ids are compared ignoring case and runs of spaces: ``UDO1234`` and ``udo1234`` name the
    same unit in the registry, and two rows for one unit would fund it twice.

    Args:
        table: the table, for messages.
        columns: column name -> index in the table's cells.
        number: the row's number in the file.
        values: the row's values in `INPUT_COLUMNS` order (`_Bad` for unreadable cells).
        first_row_of: the first (row, id) of each folded id seen so far; updated.
    """
    problems: list[Problem] = []
    unit_id, start, end = (values[_UNIT_ID], values[_START_DATE], values[_END_DATE])
    if isinstance(unit_id, str) and unit_id:
        key = _id_key(unit_id)
        if key in first_row_of:
            row, seen = first_row_of[key]
            same = (f"is already used in row {row}" if seen == unit_id else
                    f"is the same as '{seen}' in row {row} (ids are compared ignoring case "
                    "and spaces)")
            problems.append(Problem(
                f"the unit id '{_clip(unit_id)}' {same}; give every unit its own id",
                file=table.file, row=number, column=table.headings[columns["unit_id"]],
                code=ErrorCode.DUPLICATE_ID))
        else:
            first_row_of[key] = (number, unit_id)
    if isinstance(start, date) and isinstance(end, date) and end < start:
        problems.append(Problem(
            f"the end date {end.isoformat()} is before the start date {start.isoformat()}; "
            "correct one of them", file=table.file, row=number,
            column=table.headings[columns["end_date"]], code=ErrorCode.END_BEFORE_START))
    return problems


_COLUMN_ORDER = {spec.name: order for order, spec in enumerate(INPUT_COLUMNS)}
_UNIT_ID, _START_DATE, _END_DATE = (_COLUMN_ORDER[name]
                                    for name in ("unit_id", "start_date", "end_date"))


def _mixed_marks(file: str, marks: Sequence[tuple[int, str, str, str]]) -> list[Problem]:
    """Refuse a file whose amounts use both '.' and ',' as the decimal mark.

    Each such cell can be read on its own, but a file that writes ``1.234,56`` in one row and
    ``1,234.56`` or ``12.50`` in another was pasted together from two locales, and a figure
    such as ``1.234`` in it could mean either 1234 or 1.234: nothing is guessed, the cells that
    disagree with the file's more common mark (on a tie, with its first) are reported.
    """
    counts = {mark: sum(1 for m in marks if m[3] == mark) for mark in (".", ",")}
    if not all(counts.values()):
        return []
    first = marks[0]
    usual = max((".", ","), key=lambda mark: (counts[mark], mark == first[3]))
    example = next(m for m in marks if m[3] == usual)
    others = counts[usual] - 1
    where = (f"row {example[0]} ('{_clip(example[2])}', column '{example[1]}')"
             + (f" and {others} other cell{'s' if others > 1 else ''} use" if others else " uses"))
    return [Problem(
        f"'{_clip(text)}' uses '{mark}' as the decimal mark, but {where} '{usual}'; the file "
        "mixes two number formats, so no amount can be read with certainty: write every "
        "amount the same way, e.g. 1234.56",
        file=file, row=row, column=heading, code=ErrorCode.MIXED_NUMBER_FORMAT)
        for row, heading, text, mark in marks if mark != usual]


def load_allocation_table(path: str | Path) -> tuple[list[str], list[dict[str, str]], str]:
    """Read any table (an allocation to audit) as text, with the same checks as `load_units`.

    Args:
        path: a ``.csv``/``.txt`` or ``.xlsx``/``.xlsm`` file.

    Returns:
        (headings as written, one dict heading -> text per row, SHA-256 of the file). XLSX
        numbers come as plain text (``1234.56``), dates as ``YYYY-MM-DD``; each row also has
        ``"__row__"``, its 1-based row in the file, for messages.

    Raises:
        InputError: the file cannot be read, a heading repeats, or a cell is unreadable.
    """
    table = _read_table(path, sheet_names=_ALLOCATION_SHEETS, looks_right=_has_unit_id_heading)
    problems = list(table.problems)
    seen: dict[str, str] = {}
    for heading in table.headings:
        if _norm(heading) in seen:
            problems.append(Problem(
                f"this column repeats column '{seen[_norm(heading)]}'; keep only one",
                file=table.file, row=table.header_row, column=heading,
                code=ErrorCode.DUPLICATE_COLUMN))
        seen.setdefault(_norm(heading), heading)
    rows: list[dict[str, str]] = []
    for number, cells in table.rows:
        record = {"__row__": str(number)}
        for heading, raw in zip(table.headings, cells, strict=True):
            text = _as_text(raw)
            if isinstance(text, _Bad):
                problems.append(Problem(text.message, file=table.file, row=number,
                                        column=heading, code=text.code))
            else:
                record.setdefault(heading, text)
        rows.append(record)
    if problems:
        raise InputError(sorted(problems, key=lambda p: p.row or 0))
    return list(table.headings), rows, table.sha256


# ---------------------------------------------------------------------------------------------
# Region manifest: one row per Ambito
# ---------------------------------------------------------------------------------------------

_MANIFEST_SHEETS = frozenset({"region", "regione", "manifest", "ambiti"})
# Folded headings of the manifest -> its columns (Italian aliases for the planner's sheets).
_MANIFEST_HEADINGS: Mapping[str, str] = {
    "ambito": "ambito", "codice ambito": "ambito",
    "units": "units", "unita": "units", "tabella unita": "units",
    "rules": "rules", "regole": "rules", "rule set": "rules",
    "budget": "budget", "fondo": "budget", "fund": "budget",
}
# An Ambito code names its output folder: letters, digits, '-' and '_' only, so that it is
# safe on every file system and can never be '..' or clash with region-summary.csv.
_AMBITO_CODE = re.compile(r"[A-Za-z0-9][A-Za-z0-9_-]{0,63}")
_RESERVED_NAMES = frozenset({"con", "prn", "aux", "nul", *(f"com{i}" for i in range(10)),
                             *(f"lpt{i}" for i in range(10))})  # folder names Windows refuses


@dataclass(frozen=True)
class ManifestEntry:
    """One Ambito of a region run, as the manifest names it, with its paths resolved.

    Attributes:
        row: the manifest row (for messages).
        ambito: the Ambito's code (also the name of its output folder).
        units: its units table.
        rules: its rule set; None for the bundled one.
        budget: the fund that overrides the rule set's, as written (euros), or None.
        split: the units table has an ``ambito`` column: this Ambito's units are its rows
            with this code (``load_units(units, ambito=...)``).
    """

    row: int
    ambito: str
    units: Path
    rules: Path | None
    budget: str | None
    split: bool


@dataclass(frozen=True)
class Manifest:
    """A checked region manifest: its Ambiti sorted by code."""

    source: str
    sha256: str
    entries: tuple[ManifestEntry, ...]


def load_manifest(path: str | Path) -> Manifest:
    """Read and check the manifest of a region run (CSV or XLSX, one row per Ambito).

    Columns (case-insensitive; others, such as ``rows``, are ignored): ``ambito`` (code,
    required and unique), ``units`` (the Ambito's units table, relative to the manifest's
    folder), ``rules`` (its rule set: relative to the manifest's folder, else to the bundled
    rule sets' project folder, as in ``models/fsr-2025-bergamo.yaml``; empty for the bundled
    one) and ``budget`` (euros, overriding the rule set's fund; empty to keep it).

    Several rows may name one units table with an ``ambito`` column: each Ambito then takes
    its rows. Every problem is collected before raising: of the manifest (a missing file, a
    repeated or unsafe code, a bad budget) and of each shared table's ``ambito`` column (a
    row whose Ambito the manifest does not give that table, an Ambito with no rows).

    Raises:
        InputError: one `Problem` per problem, naming file, row and column.
    """
    table = _read_table(path, sheet_names=_MANIFEST_SHEETS, looks_right=_has_manifest_headings)
    folder = Path(path).parent
    problems = list(table.problems)
    columns: dict[str, int] = {}
    for index, heading in enumerate(table.headings):
        name = _MANIFEST_HEADINGS.get(_norm(heading))
        if name is None:
            logger.debug("%s: column '%s' is not a manifest column; ignored", table.file, heading)
        elif name in columns:
            problems.append(Problem(
                f"this column repeats column '{table.headings[columns[name]]}'; keep only one",
                file=table.file, row=table.header_row, column=heading,
                code=ErrorCode.DUPLICATE_COLUMN))
        else:
            columns[name] = index
    for name in ("ambito", "units"):
        if name not in columns:
            problems.append(Problem(
                f"the required column '{name}' is missing; the manifest needs the columns "
                "ambito, units and, optionally, rules and budget", file=table.file,
                row=table.header_row, column=name, code=ErrorCode.MISSING_COLUMN))
    if problems:
        raise InputError(problems)
    if not table.rows:
        raise InputError([Problem("the manifest has headings but no Ambito; add one row per "
                                  "Ambito", file=table.file, row=table.header_row,
                                  code=ErrorCode.NO_ROWS)])
    entries: list[ManifestEntry] = []  # every row with a good code and table, for the checks
    valid: set[int] = set()  # the rows without any problem
    first_row_of: dict[str, tuple[int, str]] = {}
    for number, cells in table.rows:
        before = len(problems)
        problem = functools.partial(_manifest_problem, table, columns, number, problems)
        texts: dict[str, str | None] = {}  # None: unreadable, already reported
        for name in ("ambito", "units", "rules", "budget"):
            text = _as_text(cells[columns[name]]) if name in columns else ""
            if isinstance(text, _Bad):
                problem(name, text.code, text.message)
            texts[name] = None if isinstance(text, _Bad) else text
        ambito = (None if texts["ambito"] is None else
                  _check_ambito_code(texts["ambito"], number, first_row_of, problem))
        units = None if texts["units"] is None else _manifest_path(
            texts["units"], folder, CSV_EXTENSIONS | XLSX_EXTENSIONS, "units table", problem,
            "units")
        rules = _manifest_path(texts["rules"], folder, RULE_EXTENSIONS, "rule set", problem,
                               "rules", bundled=True) if texts["rules"] else None
        budget = _check_budget(texts["budget"], problem) if texts["budget"] else None
        if ambito is not None and units is not None:
            entries.append(ManifestEntry(number, ambito, units, rules, budget, split=False))
            if len(problems) == before:
                valid.add(number)
    entries = [entry for entry in _split_shared_tables(table, columns, entries, problems)
               if entry.row in valid]
    if problems:
        raise InputError(sorted(problems, key=lambda p: (p.file != table.file, p.file or "",
                                                         p.row or 0)))
    return Manifest(table.file, table.sha256,
                    tuple(sorted(entries, key=lambda e: (e.ambito.casefold(), e.ambito))))


def _manifest_problem(
    table: _Table, columns: Mapping[str, int], number: int, problems: list[Problem],
    name: str, code: ErrorCode, message: str,
) -> None:
    """Report a problem of a manifest cell (bound to one row with `functools.partial`)."""
    problems.append(Problem(message, file=table.file, row=number,
                            column=table.headings[columns[name]], code=code))


def _has_manifest_headings(headings: Sequence[str]) -> bool:
    """True when the headings include the manifest's ``ambito`` and ``units`` columns."""
    names = {_MANIFEST_HEADINGS.get(_norm(heading)) for heading in headings}
    return {"ambito", "units"} <= names


def _check_ambito_code(
    text: str,
    number: int,
    first_row_of: dict[str, tuple[int, str]],
    problem: Callable[[str, ErrorCode, str], None],
) -> str | None:
    """Return a valid, new Ambito code, or None after reporting why it is not."""
    if not text:
        problem("ambito", ErrorCode.EMPTY_VALUE, "the cell is empty; write the Ambito's code")
        return None
    if not _AMBITO_CODE.fullmatch(text) or text.casefold() in _RESERVED_NAMES:
        problem("ambito", ErrorCode.BAD_AMBITO_CODE,
                f"'{_clip(text)}' cannot be an Ambito code: the code names the Ambito's output "
                "folder, so write 1 to 64 letters, digits, '-' or '_' (e.g. ambito-01)")
        return None
    if text.casefold() in first_row_of:
        row, seen = first_row_of[text.casefold()]
        same = "" if seen == text else f" ('{seen}': codes are compared ignoring case)"
        problem("ambito", ErrorCode.DUPLICATE_AMBITO,
                f"the Ambito '{text}' is already in row {row}{same}; give each Ambito one row")
        return None
    first_row_of[text.casefold()] = (number, text)
    return text


def _manifest_path(
    text: str,
    folder: Path,
    extensions: Collection[str],
    what: str,
    problem: Callable[[str, ErrorCode, str], None],
    column: str,
    *,
    bundled: bool = False,
) -> Path | None:
    """Resolve a path of the manifest (relative to its folder); None after reporting a problem.

    With `bundled`, a relative path missing next to the manifest is also looked for in the
    project folder of the bundled rule sets (``models/fsr-2025-bergamo.yaml``).
    """
    if not text:
        problem(column, ErrorCode.EMPTY_VALUE, f"the cell is empty; write the path of the {what}")
        return None
    given = Path(text)
    if given.suffix.lower() not in extensions:
        problem(column, ErrorCode.UNSUPPORTED_FORMAT,
                f"'{_clip(text)}' is not a {what} file: use a "
                f"{', '.join(sorted(extensions))} file")
        return None
    # Normalised (``a/../b`` -> ``b``) so that run.json names the file plainly.
    places = [Path(os.path.normpath(given if given.is_absolute() else folder / given))]
    if bundled and not given.is_absolute():
        # "models/fsr-2025-bergamo.yaml" names a bundled rule set, in a checkout or installed
        places.append(Path(os.path.normpath(rule_sets_folder().parent / given)))
    for place in places:
        if place.is_file():
            return place
        if place.is_dir():
            problem(column, ErrorCode.NOT_A_FILE, f"'{place}' is a folder, not a {what} file")
            return None
    where = " or ".join(f"'{place}'" for place in places)
    problem(column, ErrorCode.FILE_NOT_FOUND,
            f"the {what} '{_clip(text)}' is not found (looked for {where}); paths are "
            "relative to the manifest's folder")
    return None


def _check_budget(text: str, problem: Callable[[str, ErrorCode, str], None]) -> str | None:
    """Return a fund read as ``--budget`` reads it, or None after reporting why it is bad."""
    try:
        value = Decimal(text)
    except InvalidOperation:
        value = None
    if value is None or not value.is_finite() or value <= 0:
        problem("budget", ErrorCode.BAD_BUDGET, f"'{_clip(text)}' is not a fund in euros; write a "
                "positive amount with '.' as decimal mark, e.g. 850000.00, or leave the cell "
                "empty to keep the rule set's fund")
        return None
    if value != value.quantize(Decimal("0.01")):
        problem("budget", ErrorCode.BAD_BUDGET,
                f"'{_clip(text)}' has more than two decimals; round it to the cent")
        return None
    return text


def _split_shared_tables(
    manifest: _Table,
    columns: Mapping[str, int],
    entries: Sequence[ManifestEntry],
    problems: list[Problem],
) -> list[ManifestEntry]:
    """Check the ``ambito`` column of the units tables that carry one; mark their entries.

    A table named by several Ambiti must have the column; every row of a table with the
    column must name an Ambito that the manifest gives this table, and each such Ambito must
    have at least one row. The table is read here only for its headings and that column.
    """
    by_table: dict[Path, list[ManifestEntry]] = {}
    for entry in entries:
        by_table.setdefault(entry.units.resolve(), []).append(entry)
    codes = {entry.ambito.casefold(): entry for entry in entries}
    result: list[ManifestEntry] = []
    for group in by_table.values():
        shared = len(group) > 1
        try:
            table = _read_table(group[0].units, sheet_names=_UNITS_SHEETS,
                                looks_right=_has_units_headings, remember=True)
        except InputError as exc:  # one Ambito's own table: its solve reports it, alone
            if shared:
                problems.extend(exc.problems)
            else:
                result.extend(group)
            continue
        index = _ambito_index(table.headings)
        if index is None:
            if shared:
                problems.extend(Problem(
                    f"{len(group)} Ambiti name the units table '{entry.units}', which has no "
                    f"'{AMBITO_COLUMN}' column to tell their rows apart; add that column, or "
                    "give each Ambito its own table", file=manifest.file, row=entry.row,
                    column=manifest.headings[columns["units"]], code=ErrorCode.NO_AMBITO_COLUMN)
                    for entry in group)
            else:
                result.extend(group)
            continue
        if shared:  # a broken shared table would fail each of its Ambiti: report it once
            problems.extend(table.problems)
        heading = table.headings[index]
        mine = {entry.ambito.casefold(): entry for entry in group}
        counts = dict.fromkeys(mine, 0)
        for number, cells in table.rows:
            key = _ambito_key(cells[index])
            if key in mine:
                counts[key] += 1
                continue
            shown = _clip(str(_as_text(cells[index]) if key else ""))
            if not key:
                message = "the cell is empty; write the code of the row's Ambito"
            elif key in codes:
                message = (f"the row is of Ambito '{shown}', but the manifest gives that Ambito "
                           f"the table '{codes[key].units}'; move the row, or name this table "
                           "in its manifest row")
            else:
                message = (f"'{shown}' is not an Ambito of the manifest "
                           f"({', '.join(entry.ambito for entry in group)} use this table); "
                           "correct the code or add the Ambito to the manifest")
            problems.append(Problem(message, file=table.file, row=number, column=heading,
                                    code=(ErrorCode.UNKNOWN_AMBITO if key
                                          else ErrorCode.EMPTY_VALUE)))
        for key, count in counts.items():
            if not count:
                entry = mine[key]
                problems.append(Problem(
                    f"the units table '{entry.units}' has no row of Ambito '{entry.ambito}' in "
                    f"its column '{heading}'", file=manifest.file, row=entry.row,
                    column=manifest.headings[columns["ambito"]], code=ErrorCode.NO_ROWS))
        result.extend(replace(entry, split=True) for entry in group)
    return result


def read_rule_document(path: str | Path) -> tuple[dict[str, Any], str]:
    """Read a rule-set file (YAML or TOML) into a mapping, without interpreting it.

    YAML is read with the safe loader, and a key written twice in one mapping is an error
    (YAML would silently keep the last, so an edited share could be ignored).

    Args:
        path: a ``.yaml``/``.yml`` or ``.toml`` file.

    Returns:
        (the top-level mapping, SHA-256 of the file bytes).

    Raises:
        RuleSetError: the file is missing, unreadable, not valid YAML/TOML, or not a mapping.
    """
    file = str(path)
    suffix = Path(path).suffix.lower()
    if suffix not in RULE_EXTENSIONS:
        raise _fail(RuleSetError, file, ErrorCode.UNSUPPORTED_FORMAT,
                    f"rule sets are .yaml, .yml or .toml files, not '{suffix or 'no extension'}'")
    data = _read_bytes(Path(path), file, RuleSetError, limit=MAX_RULE_BYTES,
                       what="the rule set")
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise _fail(RuleSetError, file, ErrorCode.ENCODING,
                    "the rule set is not UTF-8 text; save it as UTF-8") from None
    try:
        document = _parse_toml(text, file) if suffix == ".toml" else _parse_yaml(text, file)
    except RecursionError:
        raise _fail(RuleSetError, file, ErrorCode.TOO_DEEP,
                    f"the rule set nests lists or mappings too deeply (the format needs about "
                    f"6 levels, at most {MAX_RULE_DEPTH} are read); check the brackets and the "
                    "indentation") from None
    _check_document_size(document, file)
    if not isinstance(document, dict):
        kind = "empty" if document is None else f"a {type(document).__name__}"
        raise _fail(RuleSetError, file, ErrorCode.NOT_A_MAPPING,
                    f"the rule set is {kind}; its top level must be a mapping of keys to values")
    return document, hashlib.sha256(data).hexdigest()


def _check_document_size(document: Any, file: str) -> None:
    """Refuse a document nested deeper than `MAX_RULE_DEPTH` or larger than `MAX_RULE_NODES`.

    Values are counted as the program will walk them: a YAML alias counts each time it is used,
    so a small file of nested aliases (a "billion laughs") is refused before anything copies
    or walks it.
    """
    stack: list[tuple[Any, int]] = [(document, 1)]
    nodes = 0
    while stack:
        node, depth = stack.pop()
        nodes += 1
        if nodes > MAX_RULE_NODES:
            raise _fail(RuleSetError, file, ErrorCode.TOO_LARGE,
                        f"the rule set holds more than {MAX_RULE_NODES} values (counting every "
                        "use of a YAML alias); a rule set has a few hundred, check the file")
        if depth > MAX_RULE_DEPTH:
            raise _fail(RuleSetError, file, ErrorCode.TOO_DEEP,
                        f"the rule set nests lists or mappings more than {MAX_RULE_DEPTH} "
                        "levels deep (the format needs about 6); check the brackets and the "
                        "indentation")
        if isinstance(node, dict):
            stack.extend((child, depth + 1) for child in node.values())
        elif isinstance(node, list):
            stack.extend((child, depth + 1) for child in node)


class _UniqueKeyLoader(yaml.SafeLoader):
    """The safe loader, refusing a key that appears twice in one mapping.

    A scalar that matches a YAML type but is not a valid value of it (the date ``2024-02-30``,
    ``!!int 1.5``) makes PyYAML raise a bare ValueError; here it becomes a located YAML error.
    """

    def construct_object(self, node: yaml.Node, deep: bool = False) -> Any:
        """Construct one node, locating any value error at the node."""
        try:
            return super().construct_object(node, deep=deep)
        except ValueError as exc:
            raise yaml.constructor.ConstructorError(
                None, None, f"the value '{node.value}' cannot be read ({exc}); quote it if it "
                "is text", node.start_mark) from None


def _construct_unique_mapping(loader: _UniqueKeyLoader, node: yaml.MappingNode) -> dict[Any, Any]:
    """Build a mapping, raising a located error on a duplicate key."""
    loader.flatten_mapping(node)
    seen: set[Any] = set()
    for key_node, _ in node.value:
        key = loader.construct_object(key_node, deep=True)
        if isinstance(key, list | dict):  # unhashable keys: leave them to the default error
            continue
        if key in seen:
            raise yaml.constructor.ConstructorError(
                None, None, f"the key '{key}' appears twice in the same mapping",
                key_node.start_mark)
        seen.add(key)
    return loader.construct_mapping(node, deep=True)


_UniqueKeyLoader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_MAPPING_TAG,
                                 _construct_unique_mapping)


def _parse_yaml(text: str, file: str) -> Any:
    """Parse YAML text; a syntax error becomes a `RuleSetError` with its line."""
    try:
        return yaml.load(text, Loader=_UniqueKeyLoader)  # a SafeLoader subclass: safe
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        line = mark.line + 1 if mark is not None else None
        where = f" (column {mark.column + 1})" if mark is not None else ""
        reason = getattr(exc, "problem", None) or str(exc)
        raise RuleSetError([Problem(f"invalid YAML{where}: {reason}; fix the syntax",
                                    file=file, row=line, code=ErrorCode.SYNTAX)]) from None


def _parse_toml(text: str, file: str) -> Any:
    """Parse TOML text; a syntax error becomes a `RuleSetError` with its line."""
    try:
        return tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        found = re.search(r"line (\d+)", str(exc))
        raise RuleSetError([Problem(f"invalid TOML: {exc}; fix the syntax", file=file,
                                    row=int(found.group(1)) if found else None,
                                    code=ErrorCode.SYNTAX)]) from None


def sha256_file(path: str | Path) -> str:
    """Return the SHA-256 hex digest of a file's bytes (for run.json and audits).

    Raises:
        InputError: the file cannot be read.
    """
    return hashlib.sha256(_read_bytes(Path(path), str(path), InputError)).hexdigest()




# ---------------------------------------------------------------------------------------------
# Writers
# ---------------------------------------------------------------------------------------------


def _neutralise(cell: str) -> str:
    """Prefix a quote to a text cell a spreadsheet would run as a formula."""
    return "'" + cell if cell.startswith(_FORMULA_TRIGGERS) else cell


def csv_bytes(
    header: Sequence[str],
    rows: Iterable[Sequence[str]],
    *,
    numeric_columns: Collection[str] = (),
) -> bytes:
    """Render a table as deterministic, formula-safe CSV bytes (UTF-8, ',', LF, few quotes).

    Text cells that a spreadsheet would read as a formula (starting with ``=``, ``+``, ``-``,
    ``@``, tab or CR) get a leading ``'``. Cells of `numeric_columns` are written as given when
    they are plain numbers such as ``-12.05``, so that negative amounts stay numbers; anything
    else in them is neutralised like text.

    Args:
        header: the column names.
        rows: the cells of each row, already formatted as text, as many as the header.
        numeric_columns: names (in `header`) of the columns holding formatted numbers.

    Raises:
        ValueError: a row does not have as many cells as the header (a programming error).
    """
    numeric = [name in numeric_columns for name in header]
    lines = [_csv_line([_neutralise(name) for name in header])]
    for number, row in enumerate(rows, start=1):
        if len(row) != len(header):
            raise ValueError(f"row {number} has {len(row)} cells, the header {len(header)}")
        lines.append(_csv_line([
            cell if is_number and (not cell or _PLAIN_NUMBER.fullmatch(cell))
            else _neutralise(cell)
            for cell, is_number in zip(row, numeric, strict=True)
        ]))
    return "".join(lines).encode("utf-8")


def _csv_line(cells: Sequence[str]) -> str:
    """Join cells into one CSV line, quoting only cells with ``,``, ``"``, CR or LF.

    Written by hand because the csv module leaves a lone CR unquoted with a LF terminator,
    which breaks the row for every reader.
    """
    return ",".join(
        '"' + cell.replace('"', '""') + '"' if _NEEDS_QUOTES.search(cell) else cell
        for cell in cells
    ) + "\n"


def _json_default(obj: object) -> object:
    """Serialise the few non-JSON types reports use, deterministically."""
    if isinstance(obj, date | time):
        return obj.isoformat()
    if isinstance(obj, Enum):
        return obj.value
    if isinstance(obj, Decimal | Path):
        return str(obj)
    if isinstance(obj, set | frozenset):
        return sorted(obj, key=str)
    raise TypeError(f"{type(obj).__name__} is not JSON serialisable")


def json_bytes(obj: Any) -> bytes:
    """Render an object as deterministic JSON bytes: sorted keys, indent 2, UTF-8, final LF.

    Dates become ISO text, Decimals and Paths text, sets sorted lists; NaN is refused (it is
    not JSON).
    """
    text = json.dumps(obj, sort_keys=True, indent=2, ensure_ascii=False, allow_nan=False,
                      default=_json_default)
    return (text + "\n").encode("utf-8")


def _os_message(exc: OSError) -> str:
    """Say in plain words why writing failed."""
    if exc.errno in (errno.ENOSPC, errno.EDQUOT):
        return "the disk is full"
    if exc.errno in (errno.EACCES, errno.EPERM, errno.EROFS):
        return "the folder is not writable (permission denied or read-only disk)"
    return f"{exc.strerror or exc}"


def _write_temp(folder: Path, name: str, data: bytes) -> Path:
    """Write bytes to a new temporary file next to their destination and flush them to disk."""
    handle, temp = tempfile.mkstemp(prefix=f".{name}.", suffix=".tmp", dir=folder)
    path = Path(temp)
    try:
        with os.fdopen(handle, "wb") as stream:
            stream.write(data)
            stream.flush()
            os.fsync(stream.fileno())
        path.chmod(0o644)
    except BaseException:
        path.unlink(missing_ok=True)
        raise
    return path


def write_outputs(out_dir: str | Path, files: Mapping[str, bytes]) -> list[Path]:
    """Write a set of output files atomically: all of them, or none (the old ones stay).

    Every file is first written and fsynced to a temporary file in `out_dir`; only then is
    each moved into place with `os.replace`. If a move fails half-way, the files already moved
    are put back from backups (hard links to the previous outputs), so a failure never leaves
    a mix of old and new outputs.

    Args:
        out_dir: the output folder, created if needed.
        files: file name (no folders) -> bytes, in the order to report them.

    Returns:
        The written paths, in the order of `files`.

    Raises:
        InputError: the folder cannot be created or written (the message says why: disk full,
            not writable, a file in the way).
        ValueError: a name is not a plain file name (a programming error).
    """
    folder = Path(out_dir)
    where = str(out_dir)
    for name in files:
        if not name or name in {".", ".."} or Path(name).name != name:
            raise ValueError(f"output name {name!r} is not a plain file name")
    if folder.exists() and not folder.is_dir():
        raise _fail(InputError, where, ErrorCode.OUTPUT_NOT_A_FOLDER,
                    "the output path is a file, not a folder; choose another output folder")
    try:
        folder.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise _fail(InputError, where, ErrorCode.OUTPUT_UNWRITABLE,
                    f"cannot create the output folder: {_os_message(exc)}") from None
    temps: dict[str, Path] = {}
    try:
        for name, data in files.items():
            temps[name] = _write_temp(folder, name, data)
        _move_into_place(folder, temps)
    except OSError as exc:
        raise _fail(InputError, where, ErrorCode.OUTPUT_UNWRITABLE,
                    f"cannot write the outputs, nothing was changed: {_os_message(exc)}"
                    ) from None
    finally:
        for temp in temps.values():
            temp.unlink(missing_ok=True)
    _fsync_folder(folder)
    return [folder / name for name in files]


def _move_into_place(folder: Path, temps: Mapping[str, Path]) -> None:
    """Replace each output by its temporary file; on failure restore the previous outputs.

    A failure is any exception, an interruption (Ctrl-C, `KeyboardInterrupt`) included.
    """
    backups: dict[str, Path | None] = {}
    try:
        for name in temps:
            final = folder / name
            backup: Path | None = None
            if final.exists():
                backup = folder / f".{name}.{os.getpid()}.bak"
                backup.unlink(missing_ok=True)
                try:
                    os.link(final, backup)
                except OSError:  # no hard links on this file system: copy instead
                    shutil.copy2(final, backup)
            backups[name] = backup
        moved: list[str] = []
        try:
            for name, temp in temps.items():
                os.replace(temp, folder / name)
                moved.append(name)
        except BaseException:  # also Ctrl-C half-way: never leave a mix of old and new outputs
            for name in moved:
                previous = backups[name]
                if previous is None:
                    (folder / name).unlink(missing_ok=True)
                else:
                    os.replace(previous, folder / name)
            raise
    finally:
        for previous in backups.values():
            if previous is not None:
                previous.unlink(missing_ok=True)


def _fsync_folder(folder: Path) -> None:
    """Flush the folder entry so that the renames survive a crash (POSIX; best effort)."""
    try:
        handle = os.open(folder, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(handle)
    except OSError:
        logger.debug("cannot fsync folder %s", folder)
    finally:
        os.close(handle)
