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
from fsr_opt.core.i18n import _
from fsr_opt.io.cells import CellProblem, Dialect, RawCell, cell_text, fold_heading
from fsr_opt.io.source import MAX_INPUT_BYTES, read_bytes
from fsr_opt.io.tables import match_headings, read_table
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
