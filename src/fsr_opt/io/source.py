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
import os
import stat
import zipfile
from pathlib import Path

from fsr_opt.core.errors import ErrorCode, FsrOptError, InputError, Problem, warn
from fsr_opt.core.i18n import N_, _

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
MAX_OUTPUT_UNPACKED_BYTES = 512 * 1024 * 1024
"""The same limit for allocation.xlsx of a run folder, read back by its audit: fsr-opt's own
workbook has eight sheets, two of them a row per unit, and unpacks to about 1.2 kB per unit
(about 180 MB at `MAX_ROWS` units), beyond what a table typed by hand needs."""
MAX_ROWS = 150_000
"""Largest number of data rows (non-empty rows below the headings) read from a table."""
MAX_COLUMNS = 16_384
"""Most columns of a table: Excel's own limit (column XFD); a units table has 17."""
MAX_CELL_CHARS = 131_072
"""Longest cell of a CSV (the csv module's field limit); Excel's own cells hold 32,767."""

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
    what: str = N_("the file"),
) -> bytes:
    """Read a whole regular file, turning every OS failure into `error` in plain words.

    Only a regular file is read: a FIFO would block forever and a device such as /dev/zero
    (behind a ``.csv`` name) never ends, and both report a size of 0. The kind is checked on
    the path before opening it and again on the open file (which cannot then be swapped),
    and the read itself stops at `limit` + 1 bytes, whatever size the file reports.

    Args:
        path: the file.
        file: the path as the user gave it, for messages.
        error: the error class to raise (`InputError` or `RuleSetError`).
        limit: refuse a file larger than this many bytes, before and while reading it.
        what: how the message names the file ("the rule set").
    """
    try:
        _check_regular(os.stat(path).st_mode, file, error)
        handle = os.open(path, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0)
                         | getattr(os, "O_NOCTTY", 0))
        with os.fdopen(handle, "rb") as stream:
            status = os.fstat(stream.fileno())
            _check_regular(status.st_mode, file, error)
            if limit is not None and status.st_size > limit:
                raise _too_large(error, file, what, status.st_size, limit)
            data = stream.read() if limit is None else stream.read(limit + 1)
            if limit is not None and len(data) > limit:
                raise _too_large(error, file, what, None, limit)
            return data
    except FileNotFoundError:
        raise fail(error, file, ErrorCode.FILE_NOT_FOUND,
                   _("file not found; check the path and the file name")) from None
    except PermissionError:
        raise fail(error, file, ErrorCode.UNREADABLE,
                   _("cannot be read (permission denied); check the file's permissions")
                   ) from None
    except OSError as exc:
        raise fail(error, file, ErrorCode.UNREADABLE,
                   _("cannot be read ({reason}); check the file").format(
                       reason=exc.strerror or exc)) from None


def _check_regular(mode: int, file: str, error: type[FsrOptError]) -> None:
    """Refuse a folder, a FIFO, a device or a socket: only a regular file is read."""
    if stat.S_ISREG(mode):
        return
    if stat.S_ISDIR(mode):
        raise fail(error, file, ErrorCode.NOT_A_FILE,
                   _("is a folder, not a file; give the path of a file"))
    kind = (_("a named pipe (FIFO)") if stat.S_ISFIFO(mode)
            else _("a character device") if stat.S_ISCHR(mode)
            else _("a block device") if stat.S_ISBLK(mode)
            else _("a socket") if stat.S_ISSOCK(mode) else _("not a regular file"))
    raise fail(error, file, ErrorCode.NOT_A_REGULAR_FILE,
               _("is {kind}, not a regular file: it is not read (it could block or never "
                 "end); save the data to a file and give its path").format(kind=kind))


def _too_large(
    error: type[FsrOptError], file: str, what: str, size: int | None, limit: int
) -> FsrOptError:
    shown = megabytes(size) if size is not None else _("more than {size}").format(
        size=megabytes(limit))
    return fail(error, file, ErrorCode.FILE_TOO_LARGE,
                _("{what} is {size}, more than the limit of {limit}; this is not a table of "
                  "units or rules (those are well under 1 MB): check that you gave the right "
                  "file").format(what=_(what), size=shown, limit=megabytes(limit)))


def read_table_bytes(path: str | Path) -> tuple[bytes, str]:
    """Read a table file (CSV or XLSX by its extension): its bytes and their SHA-256.

    Raises:
        InputError: an extension that is not a table's, an unreadable, too large or empty file.
    """
    file = str(path)
    suffix = Path(path).suffix.lower()
    if suffix not in TABLE_EXTENSIONS and not Path(path).is_dir():
        hint = _("save it as .xlsx") if suffix in {".xls", ".ods"} else _(
            "use a .csv or .xlsx file")
        raise fail(InputError, file, ErrorCode.UNSUPPORTED_FORMAT,
                   _("files of type '{type}' are not read; {hint}").format(
                       type=suffix or _("without extension"), hint=hint))
    data = read_bytes(Path(path), file, InputError, limit=MAX_INPUT_BYTES)
    if not data.strip():
        raise fail(InputError, file, ErrorCode.EMPTY_FILE,
                   _("the file is empty; it needs a header row and one row per unit"))
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
                   _("the file is neither UTF-8 nor Windows-1252 text; in Excel choose "
                     "'Save as' > 'CSV UTF-8'")) from None
    warn(Problem(_("the file is not UTF-8: it was read as Windows-1252 (cp1252); check the "
                   "accented letters, or save it as 'CSV UTF-8'"), file=file,
                 code=ErrorCode.READ_AS_CP1252))
    return text


def is_encrypted(data: bytes) -> bool:
    """Whether OLE bytes are an encrypted (password-protected) Office document.

    Excel saves a workbook with a password to open as an OLE compound file holding the
    streams ``EncryptionInfo`` and ``EncryptedPackage`` (their names are UTF-16 in the
    file's directory), not as a zip.
    """
    return data.startswith(OLE_MAGIC) and "EncryptedPackage".encode("utf-16-le") in data


def workbook_kind(data: bytes) -> str:
    """What kind of workbook some bytes are, for a message ("an Excel workbook (.xlsx)")."""
    if data.startswith(ZIP_MAGIC):
        return _("an Excel workbook (.xlsx)")
    if is_encrypted(data):
        return _("an Excel workbook protected by a password (encrypted)")
    return _("an old Excel 97-2003 workbook (.xls)")


def workbook_advice(data: bytes) -> str:
    """How to turn these workbook bytes into a file fsr-opt reads."""
    if data.startswith(ZIP_MAGIC):
        return _("rename it to .xlsx")
    if is_encrypted(data):
        return _("open it in Excel, remove the password (File > Info > Protect Workbook > "
                 "Encrypt with Password, leave it empty) and save it as .xlsx")
    return _("open it in Excel and save it as .xlsx")


def check_workbook_bytes(data: bytes, file: str, limit: int | None = None) -> None:
    """Refuse bytes that are not a zip (an .xls, a text file) or that unpack too large.

    A small .xlsx can hold a huge sheet (formatting applied to whole columns, or a zip bomb)
    that a reader would hold in memory: the unpacked sizes are added up before any reading. A
    zip that cannot be listed is left to the readers, which report it.

    Args:
        data: the file's bytes.
        file: its name, for the messages.
        limit: the largest unpacked total accepted; None: `MAX_XLSX_UNPACKED_BYTES`
            (`MAX_OUTPUT_UNPACKED_BYTES` for a workbook fsr-opt wrote, read back by the
            audit).

    Raises:
        InputError: not a workbook, or more than `limit` unpacked.
    """
    if not data.startswith(ZIP_MAGIC):
        if data.startswith(OLE_MAGIC):
            code = (ErrorCode.PASSWORD_PROTECTED if is_encrypted(data)
                    else ErrorCode.NOT_A_SPREADSHEET)
            raise fail(InputError, file, code,
                       _("this is {kind}; {advice}").format(kind=workbook_kind(data),
                                                          advice=workbook_advice(data)))
        else:
            message = _("the file is not an Excel workbook (it looks like text); save it as "
                        ".xlsx, or give it a .csv name if it is a CSV")
        raise fail(InputError, file, ErrorCode.NOT_A_SPREADSHEET, message)
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            unpacked = sum(max(info.file_size, 0) for info in archive.infolist())
    except Exception:  # any zip trouble is reported by the reader
        return
    if limit is None:
        limit = MAX_XLSX_UNPACKED_BYTES
    if unpacked > limit:
        raise fail(InputError, file, ErrorCode.FILE_TOO_LARGE,
                   _("the workbook unpacks to {size}, more than the limit of {limit}; check "
                     "that this is the right file, or copy just the table into a new workbook "
                     "(formatting applied to whole columns also makes a workbook this "
                     "large)").format(size=megabytes(unpacked),
                                      limit=megabytes(limit)))


def sha256_file(path: str | Path) -> str:
    """Return the SHA-256 hex digest of a file's bytes (for run.json and audits).

    Raises:
        InputError: the file cannot be read.
    """
    data = read_bytes(Path(path), str(path), InputError, limit=MAX_INPUT_BYTES)
    return hashlib.sha256(data).hexdigest()
