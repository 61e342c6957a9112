"""Reading a file's bytes safely: size limits, what kind of file it is, its text encoding.

Everything fsr-opt reads goes through `read_bytes` first, so that every OS failure becomes a
`Problem` in plain words, and a wrong file (a database dump, a zip bomb, a log) is refused
before it is read or unpacked, with a clear message instead of an exhausted memory.

The limits are module constants (docs/errors.md lists them); readers look them up here at
call time, so that a benchmark may lift `MAX_ROWS` for its run.
"""

from __future__ import annotations

import hashlib
import io
import logging
import zipfile
from pathlib import Path

from fsr_opt.core.errors import ErrorCode, FsrOptError, InputError, Problem, warn

logger = logging.getLogger(__name__)

CSV_EXTENSIONS = frozenset({".csv", ".txt"})
XLSX_EXTENSIONS = frozenset({".xlsx", ".xlsm"})
TABLE_EXTENSIONS = CSV_EXTENSIONS | XLSX_EXTENSIONS
RULE_EXTENSIONS = frozenset({".yaml", ".yml", ".toml"})

# A units table has one row per unit of offer or municipal service line: an Ambito has
# hundreds, the whole of Lombardy a few thousand; the limits leave room for region-size tables.
MAX_INPUT_BYTES = 50 * 1024 * 1024
"""Largest units table or allocation file read (bytes on disk)."""
MAX_XLSX_UNPACKED_BYTES = 128 * 1024 * 1024
"""Largest total of the unpacked parts of a workbook (a reader may hold them in memory)."""
MAX_ROWS = 150_000
"""Largest number of data rows (non-empty rows below the headings) read from a table."""

ZIP_MAGIC = b"PK\x03\x04"
"""The first bytes of a zip archive, such as an .xlsx workbook."""
OLE_MAGIC = b"\xd0\xcf\x11\xe0"
"""The first bytes of an OLE compound file, such as an Excel 97-2003 .xls workbook."""
UTF16_BOMS = (b"\xff\xfe", b"\xfe\xff")


def fail(error: type[FsrOptError], file: str, code: ErrorCode, message: str) -> FsrOptError:
    """Build the one-problem error of a file that cannot be read at all."""
    return error([Problem(message, file=file, code=code)])


def megabytes(size: int) -> str:
    """Show a size in bytes as megabytes for a message (``100.0 MB``)."""
    return f"{size / (1024 * 1024):.1f} MB"


def read_bytes(
    path: Path, file: str, error: type[FsrOptError], *, limit: int | None = None,
    what: str = "the file",
) -> bytes:
    """Read a whole file, turning every OS failure into `error` with a plain-words message.

    Args:
        path: the file.
        file: the path as the user gave it, for messages.
        error: the error class to raise (`InputError` or `RuleSetError`).
        limit: refuse a file larger than this many bytes, before reading it.
        what: how the message names the file ("the rule set").
    """
    if path.is_dir():
        raise fail(error, file, ErrorCode.NOT_A_FILE,
                   "is a folder, not a file; give the path of a file")
    try:
        if limit is not None and (size := path.stat().st_size) > limit:
            raise fail(error, file, ErrorCode.FILE_TOO_LARGE,
                       f"{what} is {megabytes(size)}, more than the limit of "
                       f"{megabytes(limit)}; this is not a table of units or rules "
                       "(those are well under 1 MB): check that you gave the right file")
        return path.read_bytes()
    except FileNotFoundError:
        raise fail(error, file, ErrorCode.FILE_NOT_FOUND,
                   "file not found; check the path and the file name") from None
    except PermissionError:
        raise fail(error, file, ErrorCode.UNREADABLE,
                   "cannot be read (permission denied); check the file's permissions") from None
    except OSError as exc:
        raise fail(error, file, ErrorCode.UNREADABLE,
                   f"cannot be read ({exc.strerror or exc}); check the file") from None


def read_table_bytes(path: str | Path) -> tuple[bytes, str]:
    """Read a table file (CSV or XLSX by its extension): its bytes and their SHA-256.

    Raises:
        InputError: an extension that is not a table's, an unreadable, too large or empty file.
    """
    file = str(path)
    suffix = Path(path).suffix.lower()
    if suffix not in TABLE_EXTENSIONS and not Path(path).is_dir():
        hint = "save it as .xlsx" if suffix in {".xls", ".ods"} else "use a .csv or .xlsx file"
        raise fail(InputError, file, ErrorCode.UNSUPPORTED_FORMAT,
                   f"files of type '{suffix or 'without extension'}' are not read; {hint}")
    data = read_bytes(Path(path), file, InputError, limit=MAX_INPUT_BYTES)
    if not data.strip():
        raise fail(InputError, file, ErrorCode.EMPTY_FILE,
                   "the file is empty; it needs a header row and one row per unit")
    return data, hashlib.sha256(data).hexdigest()


def is_csv(path: str | Path) -> bool:
    """True when the file's extension says CSV (``.csv``, ``.txt``)."""
    return Path(path).suffix.lower() in CSV_EXTENSIONS


def decode_text(data: bytes, file: str) -> str:
    """Decode text bytes: UTF-16 with a BOM, UTF-8 (BOM or not), else cp1252 with a warning.

    Raises:
        InputError: the bytes are none of these encodings.
    """
    try:
        if data.startswith(UTF16_BOMS):
            return data.decode("utf-16")
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        pass
    try:
        text = data.decode("cp1252")
    except UnicodeDecodeError:
        raise fail(InputError, file, ErrorCode.ENCODING,
                   "the file is neither UTF-8 nor Windows-1252 text; in Excel choose "
                   "'Save as' > 'CSV UTF-8'") from None
    warn(Problem("the file is not UTF-8: it was read as Windows-1252 (cp1252); check the "
                 "accented letters, or save it as 'CSV UTF-8'", file=file,
                 code=ErrorCode.READ_AS_CP1252))
    return text


def check_workbook_bytes(data: bytes, file: str) -> None:
    """Refuse bytes that are not a zip (an .xls, a text file) or that unpack too large.

    A small .xlsx can hold a huge sheet (formatting applied to whole columns, or a zip bomb)
    that a reader would hold in memory: the unpacked sizes are added up before any reading. A
    zip that cannot be listed is left to the readers, which report it.

    Raises:
        InputError: not a workbook, or more than `MAX_XLSX_UNPACKED_BYTES` unpacked.
    """
    if not data.startswith(ZIP_MAGIC):
        if data.startswith(OLE_MAGIC):
            message = "this is an old Excel 97-2003 workbook (.xls); save it as .xlsx"
        else:
            message = ("the file is not an Excel workbook (it looks like text); save it as "
                       ".xlsx, or give it a .csv name if it is a CSV")
        raise fail(InputError, file, ErrorCode.NOT_A_SPREADSHEET, message)
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            unpacked = sum(max(info.file_size, 0) for info in archive.infolist())
    except Exception:  # any zip trouble is reported by the reader
        return
    if unpacked > MAX_XLSX_UNPACKED_BYTES:
        raise fail(InputError, file, ErrorCode.FILE_TOO_LARGE,
                   f"the workbook unpacks to {megabytes(unpacked)}, more than the limit of "
                   f"{megabytes(MAX_XLSX_UNPACKED_BYTES)}; check that this is the right "
                   "file, or copy just the table into a new workbook (formatting applied to "
                   "whole columns also makes a workbook this large)")


def sha256_file(path: str | Path) -> str:
    """Return the SHA-256 hex digest of a file's bytes (for run.json and audits).

    Raises:
        InputError: the file cannot be read.
    """
    return hashlib.sha256(read_bytes(Path(path), str(path), InputError)).hexdigest()
