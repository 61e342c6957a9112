"""CSV bytes -> numbered records of text cells, in whatever dialect Excel or a program wrote.

Excel writes CSV differently by locale: Italian Excel separates with ``;`` and writes decimal
commas, English Excel ``,``; either may add a ``sep=`` line, a BOM, or save as cp1252 or
UTF-16 ("Unicode text", tab-separated). The separator tells the dialect of the numbers.
"""

from __future__ import annotations

import csv
import io
import logging
import re
from collections.abc import Sequence
from itertools import repeat
from pathlib import Path

from fsr_opt.core.errors import ErrorCode, InputError, Problem
from fsr_opt.core.i18n import _
from fsr_opt.io import source
from fsr_opt.io.cells import Dialect, RawCell, is_blank_row

logger = logging.getLogger(__name__)

Record = tuple[int, Sequence[RawCell]]
"""A row of a file: its 1-based number as a spreadsheet shows it, and its cells."""

# Control characters no text file holds (tab, line breaks, form feed and Ctrl-Z aside); each
# is looked for on its own, as `in` searches a string many times faster than a regex class.
_BINARY_CHARS = "".join(map(chr, (*range(0x00, 0x09), 0x0B, *range(0x0E, 0x1A),
                                  *range(0x1B, 0x20))))
_SEP_LINE = re.compile(r'"?sep=(.)"?', re.IGNORECASE)
_DELIMITERS = (";", "\t", ",")  # in this order on a tie: ';' only ever means the Excel dialect
_HEAD_CHARS = 65536  # where the sep= line and the header are looked for first


def too_many_rows(file: str) -> InputError:
    """The error of a table with more than `source.MAX_ROWS` data rows."""
    return InputError([Problem(
        _("the table has more than {count} rows; a units table has one row per unit of offer "
          "or municipal service line (an Ambito has hundreds): check that this is the right "
          "file, or split it").format(count=source.MAX_ROWS), file=file,
        code=ErrorCode.TOO_MANY_ROWS)])


def too_many_columns(file: str, row: int, count: int) -> InputError:
    """The error of a row with more than `source.MAX_COLUMNS` cells."""
    return InputError([Problem(
        _("the row has {count} columns, more than the limit of {limit} (Excel's own); a units "
          "table has 17: check that this is the right file").format(
            count=count, limit=source.MAX_COLUMNS),
        file=file, row=row, code=ErrorCode.TOO_MANY_COLUMNS)])


def _leading_lines(text: str) -> list[str]:
    """The text's first lines, as `str.splitlines` cuts them: enough to find the header.

    The lines of the first `_HEAD_CHARS` characters but the last (which may be cut), when
    one of them is not blank; else every line. Splitting a large file whole makes a string
    per line only to look at the first ones.
    """
    head = text[:_HEAD_CHARS]
    if len(head) == len(text):
        return text.splitlines()
    lines = head.splitlines()[:-1]
    return lines if any(line.strip() for line in lines) else text.splitlines()


def read_csv_records(data: bytes, file: str) -> tuple[Dialect, list[Record]]:
    """Split CSV bytes into numbered records; return (the dialect of its numbers, records).

    The separator is read from an Excel ``sep=`` line when there is one, else sniffed from the
    header line among ``,`` ``;`` and tab; ``;`` means Excel's Italian dialect (decimal comma,
    '.' groups thousands). Records are numbered as Excel shows them (a quoted value spanning
    lines is one row). Reading stops past `source.MAX_ROWS` non-empty rows.

    Raises:
        InputError: a workbook or binary data named .csv, an unknown encoding, a broken quote,
            too many rows.
    """
    if data.startswith(source.ZIP_MAGIC) or data.startswith(source.OLE_MAGIC):
        suffix = Path(file).suffix or "no extension"
        code = (ErrorCode.PASSWORD_PROTECTED if source.is_encrypted(data)
                else ErrorCode.NOT_A_SPREADSHEET)
        raise source.fail(InputError, file, code,
                          _("this is {kind} with a '{suffix}' name, not CSV text; "
                            "{advice}").format(kind=source.workbook_kind(data), suffix=suffix,
                                               advice=source.workbook_advice(data)))
    if b"\x00" in data and not data.startswith(source.UTF16_BOMS):
        text = "\x00"  # binary data: reported below, before any decoding error
    else:
        text = source.decode_text(data, file).rstrip("\x1a")
    if any(char in text for char in _BINARY_CHARS):
        raise source.fail(InputError, file, ErrorCode.NOT_A_SPREADSHEET,
                          _("the file holds binary data, not CSV text; export the sheet from "
                            "Excel with 'Save as' > 'CSV UTF-8'"))
    lines = _leading_lines(text)
    sep_line = _SEP_LINE.fullmatch(lines[0].strip()) if lines else None
    if sep_line:
        delimiter = sep_line.group(1)
        text = text.split("\n", 1)[1] if "\n" in text else ""
    else:
        header = next((line for line in lines if line.strip()), "")
        counts = {d: header.count(d) for d in _DELIMITERS}
        delimiter = max(_DELIMITERS, key=lambda d: counts[d]) if any(counts.values()) else ","
    dialect = Dialect.ITALIAN if delimiter == ";" else Dialect.AUTO
    plain = _plain_records(text, delimiter)
    if plain is not None:
        logger.debug("%s: CSV with separator %r, no quotes", file, delimiter)
        return dialect, plain
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter, strict=True)
    records: list[Record] = []
    filled = 0
    limit = source.MAX_ROWS
    try:
        for number, record in enumerate(reader, start=1):
            if len(record) > source.MAX_COLUMNS:
                raise too_many_columns(file, number, len(record))
            records.append((number, record))
            filled += not is_blank_row(record)
            if filled > limit + 1:  # stop reading: a huge file must not fill the memory
                raise too_many_rows(file)
    except csv.Error as exc:
        if "field larger than field limit" in str(exc):
            raise InputError([Problem(
                _("a cell is longer than {limit} characters, which no table of units has: a "
                  "quote opened and never closed makes the rest of the file one cell; check "
                  "the quotes").format(limit=source.MAX_CELL_CHARS), file=file,
                row=len(records) + 1,
                code=ErrorCode.CELL_TOO_LONG)]) from None
        raise InputError([Problem(
            _("the CSV cannot be read near line {line} ({reason}); check the quotes around that "
              "value").format(line=reader.line_num, reason=exc),
            file=file, row=len(records) + 1, code=ErrorCode.CSV_SYNTAX)]) from None
    logger.debug("%s: CSV with separator %r", file, delimiter)
    return dialect, records


def _plain_records(text: str, delimiter: str) -> list[Record] | None:
    """The records of a CSV text without quotes, as `csv.reader` reads them; None if it has any.

    Without a quote, a record is a line and a cell what lies between separators: the text is
    split by `str.split`, several times faster than the reader's walk (a large Ambito's table
    is 100,000 lines). None too for whatever `read_csv_records` must report on (a lone CR, a
    line too long for a cell, too many rows or columns): its reader then finds it.
    """
    if not text or '"' in text:
        return None
    if "\r" in text:
        if text.count("\r") != text.count("\r\n"):
            return None  # a CR alone ends a record too
        text = text.replace("\r\n", "\n")
    lines = text.split("\n")
    if lines[-1] == "":
        lines.pop()  # the last line's end, not an empty record
    if (len(lines) > source.MAX_ROWS + 1
            or max(map(len, lines), default=0) > source.MAX_CELL_CHARS
            or max(map(str.count, lines, repeat(delimiter)), default=0) >= source.MAX_COLUMNS):
        return None
    cells: list[Sequence[RawCell]] = [line.split(delimiter) if line else [] for line in lines]
    return list(enumerate(cells, start=1))
