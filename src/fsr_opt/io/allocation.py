"""Any table read as text, with the checks of the units table: an allocation to audit.

The audit and the comparison of saved runs read allocation.csv or allocation.xlsx as
fsr-opt wrote them or as a person re-saved them (another locale, Excel's own formats). The
cells come back as text, numbers of a workbook as plain text (``1234.56``), so that every
reader parses them with `fsr_opt.io.cells` whatever the format.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from fsr_opt.core.errors import ErrorCode, InputError, Problem
from fsr_opt.io.cells import CellProblem, cell_text, fold_heading
from fsr_opt.io.tables import match_headings, read_table
from fsr_opt.io.units import COLUMN_LOOKUP
from fsr_opt.io.xlsx import SheetChoice


def has_unit_id_heading(headings: Sequence[str]) -> bool:
    """True when one heading is the unit id (the allocation table's key)."""
    return any(COLUMN_LOOKUP.get(fold_heading(heading)) == "unit_id" for heading in headings)


ALLOCATION_SHEET = SheetChoice(frozenset({"allocation", "allocazione", "riparto"}),
                               has_unit_id_heading, "Allocazione")
"""An allocation's sheet: ``Allocation``, ``Allocazione`` or ``Riparto``, else by its headings."""


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
    table = read_table(path, ALLOCATION_SHEET)
    problems = list(table.problems)
    problems.extend(match_headings(table).problems)
    rows: list[dict[str, str]] = []
    for number, cells in table.rows:
        record = {"__row__": str(number)}
        for heading, raw in zip(table.headings, cells, strict=True):
            text = cell_text(raw)
            if isinstance(text, CellProblem):
                problems.append(Problem(text.message, file=table.file, row=number,
                                        column=heading, code=text.code))
            else:
                record.setdefault(heading, text)
        rows.append(record)
    if problems:
        raise InputError(sorted(problems, key=lambda p: p.row or 0))
    return list(table.headings), rows, table.sha256


RUN_RECORD = "run.json"
"""The file `fsr-opt solve` writes in its folder with what it ran on (rules, inputs, hashes)."""


def load_run_record(run_dir: str | Path) -> dict[str, Any]:
    """Read a run folder's run.json, as `fsr-opt audit RUN_DIR` needs it.

    Raises:
        InputError: no run.json (``FILE_NOT_FOUND``: not a folder written by ``solve``), or
            one that is not a JSON object (``BAD_RUN_RECORD``).
    """
    path = Path(run_dir) / RUN_RECORD
    if not path.is_file():
        raise InputError(f"{run_dir} is not a run folder: it has no {RUN_RECORD} (the record "
                         "fsr-opt solve writes with its outputs); give the allocation with "
                         "--allocation and the inputs with --units/--rules",
                         ErrorCode.FILE_NOT_FOUND)
    try:
        document = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, ValueError) as exc:
        raise InputError([Problem(f"cannot read it as JSON ({exc}); run solve again",
                                  file=str(path), code=ErrorCode.BAD_RUN_RECORD)]) from None
    if not isinstance(document, dict):
        raise InputError([Problem("it is not a JSON object; run solve again", file=str(path),
                                  code=ErrorCode.BAD_RUN_RECORD)])
    return document
