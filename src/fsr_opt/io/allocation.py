"""Any table read by its headings, with the checks of the units table: an allocation to audit.

The audit and the comparison of saved runs read allocation.csv or allocation.xlsx as
fsr-opt wrote them or as a person re-saved them (another locale, Excel's own formats). The
cells come back as the file holds them (text from a CSV, typed values from a workbook) with
the file's number `Dialect`, so that every reader parses them with `fsr_opt.io.cells`, as the
units table is read: a figure means the same in every file of fsr-opt.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from pathlib import Path
from typing import Any, NamedTuple

from fsr_opt.core.errors import ErrorCode, InputError, Problem
from fsr_opt.core.i18n import LANGUAGES, _
from fsr_opt.core.words import text
from fsr_opt.io.cells import CellProblem, Dialect, RawCell, cell_text, fold_heading
from fsr_opt.io.source import MAX_INPUT_BYTES, MAX_OUTPUT_UNPACKED_BYTES, read_bytes
from fsr_opt.io.tables import RawTable, match_headings, read_sheets, read_table
from fsr_opt.io.units import COLUMN_LOOKUP
from fsr_opt.io.xlsx import SheetChoice


def has_unit_id_heading(headings: Sequence[str]) -> bool:
    """True when one heading is the unit id (the allocation table's key)."""
    return any(COLUMN_LOOKUP.get(fold_heading(heading)) == "unit_id" for heading in headings)


ALLOCATION_SHEET = SheetChoice(frozenset({"allocation", "allocazione", "riparto"}),
                               has_unit_id_heading, "Allocazione")
"""An allocation's sheet: ``Allocation``, ``Allocazione`` or ``Riparto``, else by its headings."""


ROW_KEY = "__row__"
"""The key of a row's 1-based number in the file, in each row `load_allocation_table` gives."""


class AllocationTable(NamedTuple):
    """A table read by its headings.

    Attributes:
        headings: the headings as written.
        rows: one mapping heading -> cell per data row (the cell as the file holds it, for
            `fsr_opt.io.cells`), each with `ROW_KEY` -> its 1-based row in the file.
        sha256: the SHA-256 of the file's bytes.
        dialect: how the file writes numbers (``ITALIAN`` for Excel's ';' CSV).
    """

    headings: list[str]
    rows: list[dict[str, RawCell]]
    sha256: str
    dialect: Dialect


def load_allocation_table(path: str | Path) -> AllocationTable:
    """Read any table (an allocation to audit, a saved run), with the checks of `load_units`.

    Args:
        path: a ``.csv``/``.txt`` or ``.xlsx``/``.xlsm`` file.

    Returns:
        The headings, the rows (cells as the file holds them: text from a CSV, numbers,
        dates and booleans from a workbook), the file's hash and its number dialect.

    Raises:
        InputError: the file cannot be read, a heading repeats, or a cell holds a formula
            without a saved result or an Excel error.
    """
    table = read_table(path, ALLOCATION_SHEET)
    problems = list(table.problems)
    problems.extend(match_headings(table).problems)
    rows: list[dict[str, RawCell]] = []
    for number, cells in table.rows:
        record: dict[str, RawCell] = {ROW_KEY: number}
        for heading, raw in zip(table.headings, cells, strict=True):
            text = cell_text(raw)
            if isinstance(text, CellProblem):
                problems.append(Problem(text.message, file=table.file, row=number,
                                        column=heading, code=text.code))
            else:
                record.setdefault(heading, raw)
        rows.append(record)
    if problems:
        raise InputError(sorted(problems, key=lambda p: p.row or 0))
    return AllocationTable(list(table.headings), rows, table.sha256, table.dialect)



RUN_RECORD = "run.json"
"""The file `fsr-opt solve` writes in its folder with what it ran on (rules, inputs, hashes)."""


def load_run_record(run_dir: str | Path) -> dict[str, Any]:
    """Read a run folder's run.json, as `fsr-opt audit RUN_DIR` needs it.

    Raises:
        InputError: no run.json (``FILE_NOT_FOUND``: not a folder written by ``solve``), or
            one that is not a JSON object (``BAD_RUN_RECORD``).
    """
    folder = Path(run_dir)
    if not folder.exists():
        raise InputError(_("{folder}: folder not found; check the path and the folder's "
                           "name").format(folder=run_dir), ErrorCode.FILE_NOT_FOUND)
    if not folder.is_dir():
        raise InputError(_("{folder} is a file, not a run folder: to audit an allocation "
                           "file, give it with --allocation and the inputs with "
                           "--units/--rules").format(folder=run_dir), ErrorCode.FILE_NOT_FOUND)
    path = folder / RUN_RECORD
    if not path.exists():
        raise InputError(_("{folder} is not a run folder: it has no {record} (the record "
                           "fsr-opt solve writes with its outputs); give the allocation with "
                           "--allocation and the inputs with --units/--rules").format(
                               folder=run_dir, record=RUN_RECORD), ErrorCode.FILE_NOT_FOUND)
    # as every input: a regular file only (a FIFO or a device is named as such), size-capped
    data = read_bytes(path, str(path), InputError, limit=MAX_INPUT_BYTES)
    try:
        document = json.loads(data.decode("utf-8"))
    except (UnicodeDecodeError, ValueError) as exc:
        raise InputError([Problem(_("cannot read it as JSON ({reason}); run solve again").format(
                                      reason=exc),
                                  file=str(path), code=ErrorCode.BAD_RUN_RECORD)]) from None
    if not isinstance(document, dict):
        raise InputError([Problem(_("it is not a JSON object; run solve again"), file=str(path),
                                  code=ErrorCode.BAD_RUN_RECORD)])
    return document


# ---------------------------------------------------------------------------------------------
# The other outputs of a run folder, read back for the audit
# ---------------------------------------------------------------------------------------------

PAYMENTS_FILE = "payments.csv"
SUMMARY_FILE = "summary.csv"
WORKBOOK_FILE = "allocation.xlsx"
RUN_OUTPUTS = (PAYMENTS_FILE, SUMMARY_FILE, WORKBOOK_FILE)
"""The outputs of `fsr-opt solve` that the audit of a run folder compares with its allocation."""


def _words(key: str) -> frozenset[str]:
    """The folded words of a catalogue key in every language (a sheet's name, a heading)."""
    return frozenset(fold_heading(text(key, lang)) for lang in LANGUAGES)


def _payments_headings(headings: Sequence[str]) -> bool:
    """True when the headings are those of the Pagamenti sheet (its ente and total award)."""
    folded = {fold_heading(heading) for heading in headings}
    return bool(folded & (_words("workbook.column.operator") | {"operator"})
                and folded & (_words("workbook.column.total_award") | {"totalaward"}))


def payments_sheet() -> SheetChoice:
    """allocation.xlsx's sheet of the payments per ente: Pagamenti, or Payments in English."""
    return SheetChoice(_words("workbook.sheet.payments"), _payments_headings,
                       text("workbook.sheet.payments"))


class OutputSheet(NamedTuple):
    """A table of a run folder's output, as read back: its file, its sheet, its cells.

    Attributes:
        file: the path, as messages name it.
        sheet: the workbook's sheet the table was read from; None for a CSV file.
        table: the table (cells as the file holds them); None when it cannot be read.
        problems: why it cannot be read (empty when it was).
    """

    file: str
    sheet: str | None
    table: RawTable | None
    problems: tuple[Problem, ...] = ()


class RunOutputs(NamedTuple):
    """The outputs of a run folder besides its allocation, as read back for the audit.

    Attributes:
        present: which of `RUN_OUTPUTS` the folder holds (a missing one is not checked).
        payments, summary: payments.csv and summary.csv; None when the folder lacks them.
        riparto, pagamenti: allocation.xlsx's Riparto and Pagamenti sheets; None when the
            folder has no workbook (`riparto` also when the workbook is the allocation
            audited, read already).
    """

    present: frozenset[str]
    payments: OutputSheet | None = None
    summary: OutputSheet | None = None
    riparto: OutputSheet | None = None
    pagamenti: OutputSheet | None = None


def _read(path: Path, choices: Sequence[SheetChoice]) -> list[OutputSheet]:
    """Read the tables of one output file, each file once; a table unread says why."""
    try:  # fsr-opt's own workbook of a large Ambito unpacks beyond a typed table's limit
        found = read_sheets(path, choices, unpacked_limit=MAX_OUTPUT_UNPACKED_BYTES)
    except InputError as error:
        return [OutputSheet(str(path), None, None, tuple(error.problems)) for _ in choices]
    return [OutputSheet(str(path), None, None, tuple(item.problems))
            if isinstance(item, InputError) else OutputSheet(str(path), item[0], item[1])
            for item in found]


def load_run_outputs(folder: str | Path, audited: str | Path) -> RunOutputs:
    """Read payments.csv, summary.csv and allocation.xlsx of a run folder, those it holds.

    A file that cannot be read, or a sheet missing, is not an error here: the audit names it
    as a disagreement (`OutputSheet.problems`), and goes on with the rest.

    Args:
        folder: the run folder.
        audited: the allocation file the audit reads (allocation.csv, or allocation.xlsx:
            then its Riparto sheet is not read a second time).
    """
    folder = Path(folder)
    present = frozenset(name for name in RUN_OUTPUTS if (folder / name).is_file())
    payments = summary = riparto = pagamenti = None
    if PAYMENTS_FILE in present:
        (payments,) = _read(folder / PAYMENTS_FILE, [payments_sheet()])
    if SUMMARY_FILE in present:
        (summary,) = _read(folder / SUMMARY_FILE, [ALLOCATION_SHEET])
    if WORKBOOK_FILE in present:
        workbook = folder / WORKBOOK_FILE
        if Path(audited).resolve() == workbook.resolve():
            (pagamenti,) = _read(workbook, [payments_sheet()])
        else:
            riparto, pagamenti = _read(workbook, [ALLOCATION_SHEET, payments_sheet()])
    return RunOutputs(present, payments, summary, riparto, pagamenti)
