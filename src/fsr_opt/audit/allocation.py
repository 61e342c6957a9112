"""The allocation to audit: typed rows from a table read as text, every bad cell reported.

Only ``unit_id`` and ``award`` are required, so that a riparto made by hand in Excel can be
audited; Italian headings and amounts written in either locale are accepted. Every cell is
read by `fsr_opt.io.cells`, the parser of the units table, in the file's number dialect: an
allocation re-saved by Excel in Italian (``;``, ``1.234,56``, ``VERO``) reads as written.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from fractions import Fraction
from typing import Any, NamedTuple

from fsr_opt.core.errors import ErrorCode, InputError, Problem
from fsr_opt.core.i18n import _
from fsr_opt.io.cells import (
    CellProblem,
    Dialect,
    RawCell,
    cell_text,
    fold_heading,
    is_blank,
    is_total_label,
    parse_bool,
    parse_decimal,
    parse_money,
    parse_share,
)

__all__ = ["ProvidedAllocation", "ProvidedRow", "RecordedInput", "RunRecord",
           "column_of_heading", "parse_allocation"]


class ProvidedRow(NamedTuple):
    """One row of the allocation to audit, parsed; None where the column or cell is empty.

    A named tuple rather than a frozen dataclass: an allocation has one per unit, and a
    tuple is far cheaper to make.

    Attributes:
        row: the 1-based row in the file (header = row 1); None for an in-memory allocation.
        award: cents; an empty award cell reads as 0 (nothing assigned).
        share: the share as written (0..1); `share_places` is its number of decimals, so
            that a rounded figure (``0.090154``) is compared at its own precision; None means
            exact.
        criteria_award, residual_award: the award's two parts (the riparto by the criteria,
            the residual phase), cents, when the allocation gives them.
        residual_share: the residual pool's share as written, with `residual_places`.
    """

    row: int | None
    unit_id: str
    award: int
    eligible: bool | None = None
    entitlement: int | None = None
    tranche_1: int | None = None
    tranche_2: int | None = None
    share: Fraction | None = None
    share_places: int | None = None
    criteria_award: int | None = None
    residual_award: int | None = None
    residual_share: Fraction | None = None
    residual_places: int | None = None

    @property
    def residual(self) -> int:
        """The residual part of the award: as given, or the award less its criteria part."""
        if self.residual_award is not None:
            return self.residual_award
        if self.criteria_award is not None:
            return self.award - self.criteria_award
        return 0

    @property
    def criteria(self) -> int:
        """The riparto's part of the award: as given, or the award less its residual part."""
        if self.criteria_award is not None:
            return self.criteria_award
        return self.award - self.residual


@dataclass(frozen=True)
class ProvidedAllocation:
    """An allocation to audit: its rows in file order and which optional columns it has.

    Attributes:
        source: the file name (or ``solve``), for the report.
        columns: the optional columns present: ``eligible``, ``entitlement``, ``tranche_1``,
            ``tranche_2``, ``share``, ``criteria_award``, ``residual_award``,
            ``residual_share`` (and ``run.json`` when the allocation comes with its run record).
        sha256: the hash of the file's bytes, if it came from a file.
        record: the run's own record of its inputs, when the allocation is in a run folder.
        headings: each column (``unit_id``, ``award``, ``criteria_award``...) as the file
            heads it (``Codice UDO``, ``Contributo criteri``), so that a finding names the
            column the auditor sees; empty for an allocation held in memory.
    """

    source: str
    rows: tuple[ProvidedRow, ...]
    columns: frozenset[str] = frozenset()
    sha256: str = ""
    record: RunRecord | None = None
    headings: dict[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class RecordedInput:
    """An input file as run.json records it, and as the audit found it.

    Attributes:
        role: ``units`` or ``rules``.
        recorded: the path the run read it from.
        recorded_sha256: the hash the run recorded.
        used: the path the audit read.
        sha256: the hash of what the audit read.
    """

    role: str
    recorded: str
    recorded_sha256: str
    used: str
    sha256: str

    @property
    def changed(self) -> bool:
        """True when the audit did not read the bytes the run read."""
        return self.sha256 != self.recorded_sha256


@dataclass(frozen=True)
class RunRecord:
    """What run.json says about a run folder's inputs (`fsr-opt audit RUN_DIR`).

    Attributes:
        path: the run.json read.
        inputs: each input of the run: where it was, its hash then and now.
        overrides: the overrides the run applied, as ``KEY=VALUE`` texts.
    """

    path: str
    inputs: tuple[RecordedInput, ...]
    overrides: tuple[str, ...] = ()


_REQUIRED = ("unit_id", "award")
_OPTIONAL = ("eligible", "entitlement", "tranche_1", "tranche_2", "share", "criteria_award",
             "residual_award", "residual_share")
_ALIASES: Mapping[str, tuple[str, ...]] = {
    "unit_id": ("unit_id", "codice unità", "codice", "codice udo", "codice unita di offerta",
                "id"),
    "award": ("award", "contributo", "importo assegnato", "contributo assegnato",
              "assegnato", "importo"),
    "eligible": ("eligible", "ammissibile", "ammessa", "ammesso"),
    "entitlement": ("entitlement", "contributo massimo", "tetto", "spettanza"),
    "tranche_1": ("tranche_1", "prima tranche", "prima quota", "acconto"),
    "tranche_2": ("tranche_2", "seconda tranche", "seconda quota", "saldo"),
    "share": ("share", "quota percentuale", "percentuale"),
    "criteria_award": ("criteria_award", "contributo dai criteri", "contributo criteri",
                       "contributo riparto", "quota criteri"),
    "residual_award": ("residual_award", "contributo dai residui", "contributo residui",
                       "residui", "quota residui"),
    "residual_share": ("residual_share", "quota residui percentuale",
                       "percentuale residui"),
}
_ROW_KEY = "__row__"
_HEADINGS = {fold_heading(alias): name for name, aliases in _ALIASES.items()
             for alias in aliases}


def column_of_heading(heading: str) -> str | None:
    """The allocation column a heading names (``Contributo`` -> ``award``), if any."""
    return _HEADINGS.get(fold_heading(heading))


def _share(cell: RawCell, dialect: Dialect) -> tuple[Fraction, int] | CellProblem:
    """Read a share as written (``0.090154``, ``0,090154``, ``9,0154%``) and its decimals.

    The decimals say how precisely the share was written, so that a rounded figure is
    compared at its own precision (a percent has two more than it shows).
    """
    value = parse_share(cell, dialect)
    if isinstance(value, CellProblem):
        return value
    text = cell.strip() if isinstance(cell, str) else ""
    percent = text.endswith("%")
    written = parse_decimal(text[:-1].rstrip() if percent else cell, dialect)
    exponent = written.as_tuple().exponent if isinstance(written, Decimal) else 0
    places = max(0, -exponent) if isinstance(exponent, int) else 0
    return value, places + (2 if percent else 0)


def parse_allocation(
    headings: Sequence[str],
    rows: Sequence[Mapping[str, RawCell]],
    source: str,
    *,
    sha256: str = "",
    dialect: Dialect = Dialect.AUTO,
) -> ProvidedAllocation:
    """Turn an allocation table read as text into typed rows, reporting every bad cell.

    Only ``unit_id`` and ``award`` are required, so that a riparto made by hand in Excel can
    be audited; the other columns of our ``allocation.csv`` (``eligible``, ``entitlement``,
    ``tranche_1``, ``tranche_2``, ``share``) are checked when present and ignored when absent.
    Headings are matched without case and accents, and Italian headings are accepted
    (``codice unità``, ``contributo``/``importo assegnato``, ``ammissibile``,
    ``prima tranche``/``saldo``...); other columns are ignored. An empty award cell means
    nothing assigned (0); an empty optional cell is not checked.

    Args:
        headings: the headings as written, from `fsr_opt.io.allocation.load_allocation_table`.
        rows: one mapping heading -> cell (text, or a workbook's typed value) per row, each
            with ``"__row__"`` (its 1-based row).
        source: the file name, put in every problem.
        sha256: the file's hash, kept for the report.
        dialect: how the file writes numbers (`fsr_opt.io.cells.Dialect`).

    Returns:
        The parsed allocation.

    Raises:
        InputError: a required column is missing, two headings mean the same column, or a
            cell cannot be read; one `Problem` per cell, naming file, row and column.
    """
    problems: list[Problem] = []
    columns: dict[str, str] = {}
    for heading in headings:
        name = _HEADINGS.get(fold_heading(heading))
        if name is None:
            continue
        if name in columns:
            problems.append(Problem(
                _("this column repeats column '{first}'{both}; keep only one").format(
                    first=columns[name], both=_(" (both are '{name}')").format(name=name)),
                file=source, column=heading, code=ErrorCode.DUPLICATE_COLUMN))
            continue
        columns[name] = heading
    for name in _REQUIRED:
        if name not in columns:
            italian = _ALIASES[name][1]
            problems.append(Problem(
                _("the required column '{column}' is missing; add a column headed '{column}' "
                  "or '{italian}'").format(column=name, italian=italian), file=source,
                column=name, code=ErrorCode.MISSING_COLUMN))
    if problems:
        raise InputError(problems)
    parsed: list[ProvidedRow] = []
    # A column repeats its texts (a line's share on each of its rows, 0.00 on most): each
    # distinct text of a column is read once.
    read: dict[str, dict[str, Any]] = {name: {} for name in columns}
    for record in rows:
        if is_total_label(record.get(columns["unit_id"])):
            continue  # allocation.xlsx's TOTALE row adds the units up: it is not one
        number = _row_number(record.get(_ROW_KEY))
        values: dict[str, Any] = {}
        for name, heading in columns.items():
            cell = record.get(heading)
            if isinstance(cell, str):
                known = read[name]
                if cell not in known:
                    known[cell] = _cell(name, cell, dialect)
                value = known[cell]
            else:
                value = _cell(name, cell, dialect)
            if isinstance(value, CellProblem):
                problems.append(Problem(value.message, file=source, row=number, column=heading,
                                        code=value.code))
            else:
                values[name] = value
        if "unit_id" in values and not values["unit_id"]:
            problems.append(Problem(_("the unit id is empty; every row needs the unit's code"),
                                    file=source, row=number, column=columns["unit_id"],
                                    code=ErrorCode.EMPTY_VALUE))
        if len(values) == len(columns) and values["unit_id"]:
            share = values.get("share")
            residual_share = values.get("residual_share")
            parsed.append(ProvidedRow(
                row=number,
                unit_id=values["unit_id"],
                award=values["award"] or 0,
                eligible=values.get("eligible"),
                entitlement=values.get("entitlement"),
                tranche_1=values.get("tranche_1"),
                tranche_2=values.get("tranche_2"),
                share=share[0] if share else None,
                share_places=share[1] if share else None,
                criteria_award=values.get("criteria_award"),
                residual_award=values.get("residual_award"),
                residual_share=residual_share[0] if residual_share else None,
                residual_places=residual_share[1] if residual_share else None,
            ))
    if problems:
        raise InputError(sorted(problems, key=lambda p: p.row or 0))
    return ProvidedAllocation(source=source, rows=tuple(parsed),
                              columns=frozenset(c for c in columns if c in _OPTIONAL),
                              sha256=sha256, headings=dict(columns))


def _row_number(cell: RawCell) -> int | None:
    """A row's number as the table reader gives it (an int, or text in older callers)."""
    if isinstance(cell, int) and not isinstance(cell, bool):
        return cell
    return int(cell) if isinstance(cell, str) and cell.isascii() and cell.isdigit() else None


def _cell(name: str, cell: RawCell, dialect: Dialect) -> Any:
    """Parse one cell of column `name`; None for an empty cell of another column than the id."""
    if name == "unit_id":
        return cell_text(cell)
    if is_blank(cell):
        return None
    if name == "eligible":
        return parse_bool(cell)
    if name in ("share", "residual_share"):
        return _share(cell, dialect)
    return parse_money(cell, dialect)
