"""Writing outputs: deterministic CSV and JSON bytes, written atomically (all files or none).

Every output goes to a temporary file next to its destination first, flushed to disk, and is
moved into place only when all of them are written, so a failure (an interruption included)
never leaves a half-written set of outputs. CSV cells that a spreadsheet would run as
formulas are neutralised (CWE-1236).
"""

from __future__ import annotations

import contextlib
import errno
import io
import json
import logging
import os
import re
import shutil
import tempfile
from collections.abc import Collection, Iterable, Mapping, Sequence
from datetime import date, time
from decimal import Decimal
from enum import Enum
from pathlib import Path
from typing import Any

from fsr_opt.core.errors import ErrorCode, FsrOptError, InputError
from fsr_opt.core.i18n import _
from fsr_opt.io.cells import FORMULA_TRIGGERS
from fsr_opt.io.source import fail

logger = logging.getLogger(__name__)

_NEEDS_QUOTES = re.compile(r'[,"\r\n]')
_PLAIN_NUMBER = re.compile(r"-?[0-9]+(?:\.[0-9]+)?")
# In a row joined with commas that has no comma of its own: a cell to quote (",", '"', CR,
# LF) or one that starts like a formula (`FORMULA_TRIGGERS`, a negative number included);
# a row without any is written as it is, the others cell by cell (`csv_bytes`). The first
# cell is looked at apart (`_CELL_NEEDS_CARE`): a regex without a "^" alternative scans
# several times faster.
_CELL_NEEDS_CARE = ("=", "+", "-", "@", "\t")
_NEEDS_CARE = re.compile(',[=+\\-@\t]|["\r\n]')
_BLOCK = 2000  # rows turned into UTF-8 at a time (`csv_bytes`)


def neutralise(cell: str) -> str:
    """Prefix a quote to a text cell a spreadsheet would run as a formula."""
    return "'" + cell if cell.startswith(FORMULA_TRIGGERS) else cell


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
    out = io.BytesIO()
    lines = [_csv_line([neutralise(name) for name in header])]
    commas = len(header) - 1
    for number, row in enumerate(rows, start=1):
        if len(row) != len(header):
            raise ValueError(f"row {number} has {len(row)} cells, the header {len(header)}")
        if len(lines) == _BLOCK:  # a large table's text is never held whole (its bytes are)
            out.write("".join(lines).encode("utf-8"))
            lines.clear()
        line = ",".join(row)
        if (line.count(",") == commas and not line.startswith(_CELL_NEEDS_CARE)
                and not (_may_need_care(line) and _NEEDS_CARE.search(line))):
            lines.append(line + "\n")  # no cell to quote or neutralise: the row as it is
            continue
        lines.append(_csv_line([
            cell if is_number and (not cell or _PLAIN_NUMBER.fullmatch(cell))
            else neutralise(cell)
            for cell, is_number in zip(row, numeric, strict=True)
        ]))
    out.write("".join(lines).encode("utf-8"))
    return out.getvalue()


def _may_need_care(line: str) -> bool:
    """Whether `_NEEDS_CARE` could match `line`: one of its characters, or ``,-``, is in it.

    Each test is a search for one character (two for ``,-``), which CPython runs many times
    faster than the regex's scan; most rows of a table hold none of them.
    """
    return ("=" in line or "+" in line or "@" in line or "\t" in line or '"' in line
            or "\r" in line or "\n" in line or ",-" in line)


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


def _identity(path: Path) -> tuple[int, int] | None:
    """The (device, inode) of the file a path leads to; None when nothing is there."""
    try:
        status = path.stat()
    except (OSError, ValueError):
        return None
    return status.st_dev, status.st_ino


def check_not_inputs(
    out_dir: str | Path, names: Iterable[str], inputs: Iterable[str | Path]
) -> None:
    """Refuse outputs that would land on an input of the run, by path or by inode.

    ``--units out/allocation.csv --out out`` would replace the units table with the run's
    own allocation: the data are lost and the next run fails. An output is refused when its
    path is an input's (symbolic links resolved) or when both lead to the same file (a hard
    link).

    Raises:
        InputError: ``OUTPUT_IS_INPUT``, naming the output and the input.
    """
    folder = Path(out_dir)
    sources = [(str(given), Path(given).resolve(), _identity(Path(given)))
               for given in inputs if str(given)]
    for name in names:
        target = folder / name
        resolved, identity = target.resolve(), _identity(target)
        for given, path, same in sources:
            if resolved == path or (identity is not None and identity == same):
                raise fail(InputError, str(target), ErrorCode.OUTPUT_IS_INPUT,
                           _("this output would replace the input '{input}' of the run, "
                             "which would be lost; choose another output folder (--out) or "
                             "move the input elsewhere. Nothing was written").format(
                                 input=given))


def write_outputs(
    out_dir: str | Path, files: Mapping[str, bytes], *, inputs: Iterable[str | Path] = ()
) -> list[Path]:
    """Write a set of output files atomically: all of them, or none (the old ones stay).

    Every file is first written and fsynced to a temporary file in `out_dir`; only then is
    each moved into place with `os.replace`. If a move fails half-way, the files already moved
    are put back from backups (hard links to the previous outputs), so a failure never leaves
    a mix of old and new outputs. `StagedOutputs` does the same for outputs made one by one.

    Args:
        out_dir: the output folder, created if needed.
        files: file name (no folders) -> bytes, in the order to report them.
        inputs: the run's input files, which no output may replace (`check_not_inputs`).

    Returns:
        The written paths, in the order of `files`.

    Raises:
        InputError: the folder cannot be created or written (the message says why: disk full,
            not writable, a file in the way, a symbolic link that loops or leads nowhere), or
            an output would replace an input.
        ValueError: a name is not a plain file name (a programming error).
    """
    with StagedOutputs(out_dir, list(files), inputs=inputs) as staged:
        for name, data in files.items():
            staged.add(name, data)
        return staged.commit()


class StagedOutputs:
    """A set of outputs written one at a time, moved into place together (all or none).

    Each output goes to its temporary file as soon as it is made, so that a run holds one
    output's bytes at a time, not the whole set: at a large Ambito report.html and
    allocation.xlsx are tens of megabytes each (benchmarks/RESULTS.md). `commit` moves them
    into place as `write_outputs` does. Leaving the ``with`` block without a commit (an error,
    Ctrl-C) removes the temporary files, and the folder when this set created it: the
    previous outputs stay as they were.
    """

    def __init__(
        self, out_dir: str | Path, names: Sequence[str], *, inputs: Iterable[str | Path] = ()
    ) -> None:
        """Check the folder and the names before anything is written.

        Args:
            out_dir: the output folder, created with the first output.
            names: the file names (no folders) of the set, in the order to report them.
            inputs: the run's input files, which no output may replace (`check_not_inputs`).

        Raises:
            InputError: the folder is a file or a broken link, or an output would replace
                an input.
            ValueError: a name is not a plain file name, or comes twice (a programming error).
        """
        for name in names:
            if not name or name in {".", ".."} or Path(name).name != name:
                raise ValueError(f"output name {name!r} is not a plain file name")
        if len(set(names)) != len(names):
            raise ValueError(f"output names repeat: {list(names)}")
        self._folder = Path(out_dir)
        self._where = str(out_dir)
        self._names = tuple(names)
        self._temps: dict[str, Path] = {}
        self._created = False
        folder = self._folder
        if folder.is_symlink() and not folder.exists():
            raise fail(InputError, self._where, ErrorCode.OUTPUT_UNWRITABLE,
                       _broken_link(folder))
        if folder.exists() and not folder.is_dir():
            raise fail(InputError, self._where, ErrorCode.OUTPUT_NOT_A_FOLDER,
                       _("the output path is a file, not a folder; choose another output "
                         "folder"))
        check_not_inputs(folder, names, inputs)

    def __enter__(self) -> StagedOutputs:
        return self

    def __exit__(self, *_exc: object) -> None:
        self.discard()

    def add(self, name: str, data: bytes) -> None:
        """Write one output of the set to its temporary file (the folder made if needed).

        Raises:
            InputError: the folder cannot be created or written; nothing was changed.
            ValueError: `name` is not one of the set's, or was added already.
        """
        if name not in self._names or name in self._temps:
            raise ValueError(f"output {name!r} is not one of {list(self._names)} still to add")
        if not self._folder.is_dir():
            try:
                self._folder.mkdir(parents=True, exist_ok=True)
            except OSError as exc:
                raise fail(InputError, self._where, ErrorCode.OUTPUT_UNWRITABLE,
                           _("cannot create the output folder: {error}").format(
                               error=_os_message(exc))) from None
            self._created = True
        try:
            self._temps[name] = _write_temp(self._folder, name, data)
        except OSError as exc:
            raise self._unwritable(exc) from None

    def commit(self) -> list[Path]:
        """Move every output into place; return their paths in the order of the names.

        Raises:
            InputError: a move failed; the previous outputs were put back.
            ValueError: an output of the set was never added (a programming error).
        """
        missing = [name for name in self._names if name not in self._temps]
        if missing:
            raise ValueError(f"outputs never added: {missing}")
        try:
            _move_into_place(self._folder, {name: self._temps[name] for name in self._names})
        except OSError as exc:
            raise self._unwritable(exc) from None
        self._temps.clear()
        self._created = False  # the folder now holds the outputs
        _fsync_folder(self._folder)
        return [self._folder / name for name in self._names]

    def discard(self) -> None:
        """Remove the temporary files written so far (and the folder if this set made it)."""
        for temp in self._temps.values():
            temp.unlink(missing_ok=True)
        self._temps.clear()
        if self._created:
            with contextlib.suppress(OSError):  # not empty: something else was put there
                self._folder.rmdir()
            self._created = False

    def _unwritable(self, exc: OSError) -> FsrOptError:
        return fail(InputError, self._where, ErrorCode.OUTPUT_UNWRITABLE,
                    _("cannot write the outputs, nothing was changed: {error}").format(
                        error=_os_message(exc)))


def _broken_link(folder: Path) -> str:
    """Say why a symbolic link cannot be the output folder: it loops, or leads nowhere."""
    try:
        folder.resolve(strict=True)
    except RuntimeError:  # Python 3.11 reports a loop so
        return ("the output path is a symbolic link that loops (it leads back to itself); "
                "remove the link or choose another output folder")
    except OSError as exc:
        if exc.errno == errno.ELOOP:
            return ("the output path is a symbolic link that loops (it leads back to "
                    "itself); remove the link or choose another output folder")
    return (f"the output path is a symbolic link to '{os.readlink(folder)}', which does not "
            "exist; create that folder, remove the link or choose another output folder")


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
