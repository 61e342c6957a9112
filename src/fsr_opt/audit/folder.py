"""The other outputs of a run folder, as the audit reads them back: payments, summary, workbook.

`fsr-opt solve` writes, beside allocation.csv, what the Assemblea publishes and the offices
pay from: payments.csv (per ente gestore), summary.csv (per area and service line) and
allocation.xlsx (its Riparto and Pagamenti sheets). The audit of a run folder compares them
with the allocation it audited (`fsr_opt.audit.agreement`); this module turns the tables
`fsr_opt.io.allocation.load_run_outputs` read into columns found by their headings (in either
language of the workbook), and reads their figures with `fsr_opt.io.cells`, as every other
file of fsr-opt. It reads no file itself.

The grouping of payments.csv is `fsr_opt.reports.tables.operator_payments`'s, copied here
(the audit imports no report): the funded units of each ente gestore, an ente without a name
under `NO_OPERATOR`; a test holds the two to the same rows.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from functools import cache
from typing import NamedTuple

from fsr_opt.audit.allocation import column_of_heading
from fsr_opt.core.i18n import LANGUAGES, _
from fsr_opt.core.words import money, text
from fsr_opt.io.allocation import (
    PAYMENTS_FILE,
    SUMMARY_FILE,
    WORKBOOK_FILE,
    OutputSheet,
    RunOutputs,
)
from fsr_opt.io.cells import (
    CellProblem,
    Dialect,
    RawCell,
    cell_text,
    fold_heading,
    is_blank,
    parse_count,
    parse_money,
    shown,
)
from fsr_opt.io.tables import column_letter

__all__ = ["NO_OPERATOR", "Figure", "FolderOutputs", "OutputColumn", "OutputTable", "Paid",
           "figure", "operator_of", "operator_order", "operator_payments", "parse_outputs",
           "read_amount", "read_count", "read_text"]

NO_OPERATOR = "(not given)"
"""How payments.csv names the ente of units whose operator is empty (as the reports write it)."""


def operator_of(operator: str) -> str:
    """The ente gestore a unit's payments go to in payments.csv: its name, or `NO_OPERATOR`."""
    return operator.strip() or NO_OPERATOR


def operator_order(name: str) -> tuple[str, str]:
    """The order of payments.csv's rows: by name without case, then as written."""
    return name.casefold(), name


class OutputColumn(NamedTuple):
    """A column of an output's table: where its cells are, and how the file names it.

    Attributes:
        position: its place in the table's cells (`fsr_opt.io.tables.RawTable`).
        heading: its heading as written.
        letter: its column in the spreadsheet (``C``), to name a cell of a workbook.
    """

    position: int
    heading: str
    letter: str


@dataclass(frozen=True)
class OutputTable:
    """An output of the run folder read back: its columns by name and its rows.

    Attributes:
        file: the path read, as the findings name it.
        name: the output's file name (``payments.csv``).
        sheet: the workbook's sheet read (``Pagamenti``); None for a CSV file.
        columns: the columns found, by name (``operator``, ``total_award``...).
        rows: (1-based row of the file, cells) of every data row.
        dialect: how the file writes numbers.
        missing: the required columns the table lacks (then its rows are not compared).
        unreadable: why the table cannot be read at all (the reader's messages).
    """

    file: str
    name: str
    sheet: str | None
    columns: dict[str, OutputColumn] = field(default_factory=dict)
    rows: tuple[tuple[int, tuple[RawCell, ...]], ...] = ()
    dialect: Dialect = Dialect.AUTO
    missing: tuple[str, ...] = ()
    unreadable: tuple[str, ...] = ()

    @property
    def usable(self) -> bool:
        """Whether its rows can be compared: read, with every required column."""
        return not self.unreadable and not self.missing

    def cell(self, cells: Sequence[RawCell], name: str) -> RawCell:
        """The cell of column `name` in a row ('' when the table lacks the column)."""
        column = self.columns.get(name)
        return cells[column.position] if column is not None else ""

    def heading(self, name: str) -> str:
        """A column as the file heads it (its name when the table lacks it)."""
        column = self.columns.get(name)
        return column.heading if column is not None else name

    def place(self, row: int | None = None, name: str | None = None) -> str:
        """Where in the output, in words: the file, its sheet, the row or the cell.

        ``payments.csv, riga 3, colonna total_award``; ``allocation.xlsx, foglio Pagamenti,
        cella C3 (Contributo totale)``.
        """
        if self.sheet is None:
            if row is None:
                return self.name
            if name is None:
                return _("{file}, row {row}").format(file=self.name, row=row)
            return _("{file}, row {row}, column {column}").format(
                file=self.name, row=row, column=self.heading(name))
        where = _("{file}, sheet {sheet}").format(file=self.name, sheet=self.sheet)
        if row is None:
            return where
        column = self.columns.get(name) if name is not None else None
        if column is None:
            return _("{where}, row {row}").format(where=where, row=row)
        return _("{where}, cell {cell} ({column})").format(
            where=where, cell=f"{column.letter}{row}", column=column.heading)


@dataclass(frozen=True)
class FolderOutputs:
    """What the audit of a run folder compares with its allocation, as read back.

    Attributes:
        present: the outputs the folder holds (a missing one is skipped, not a violation).
        payments, summary: payments.csv and summary.csv, when the folder has them.
        riparto, pagamenti: allocation.xlsx's Riparto and Pagamenti sheets, when the folder
            has the workbook; `riparto` is None when the workbook is the allocation audited.
    """

    present: frozenset[str]
    payments: OutputTable | None = None
    summary: OutputTable | None = None
    riparto: OutputTable | None = None
    pagamenti: OutputTable | None = None


def _words(key: str) -> set[str]:
    """The folded words of a catalogue key in every language (a heading of the workbook)."""
    return {fold_heading(text(key, lang)) for lang in LANGUAGES}


@cache
def _payment_headings() -> dict[str, str]:
    """payments.csv's headings and the Pagamenti sheet's (both languages) -> column name."""
    names = {
        "operator": {"operator"} | _words("workbook.column.operator"),
        "units": {"units"} | _words("workbook.column.units_funded"),
        "total_award": {"total_award"} | _words("workbook.column.total_award"),
        "tranche_1": ({"tranche_1"} | _words("workbook.column.tranche_1_when")
                      | _words("workbook.column.tranche_1")),
        "tranche_2": ({"tranche_2"} | _words("workbook.column.tranche_2_when")
                      | _words("workbook.column.tranche_2")),
    }
    return {fold_heading(word): name for name, words in names.items() for word in words}


_SUMMARY_COLUMNS = ("area", "service", "budget", "awarded", "units_funded", "units_excluded",
                    "residual", "total_awarded")
_RIPARTO_COLUMNS = ("unit_id", "award", "tranche_1", "tranche_2", "criteria_award",
                    "residual_award")


@cache
def _riparto_headings() -> dict[str, str]:
    """The Riparto sheet's headings (both languages) -> column name."""
    return {fold_heading(word): name for name in _RIPARTO_COLUMNS
            for word in {name} | _words(f"workbook.column.{name}")}


def _riparto_column(heading: str) -> str | None:
    name = _riparto_headings().get(fold_heading(heading)) or column_of_heading(heading)
    return name if name in _RIPARTO_COLUMNS else None


def _payment_column(heading: str) -> str | None:
    return _payment_headings().get(fold_heading(heading))


def _summary_column(heading: str) -> str | None:
    folded = fold_heading(heading)
    return next((name for name in _SUMMARY_COLUMNS if fold_heading(name) == folded), None)


def _table(
    sheet: OutputSheet | None, name: str, column_of: Callable[[str], str | None],
    required: Sequence[str],
) -> OutputTable | None:
    """An output's table with its columns found by heading (None when the folder lacks it)."""
    if sheet is None:
        return None
    if sheet.table is None:
        return OutputTable(sheet.file, name, sheet.sheet,
                           unreadable=tuple(str(problem) for problem in sheet.problems))
    table = sheet.table
    columns: dict[str, OutputColumn] = {}
    places = table.columns or tuple(range(len(table.headings)))
    for index, heading in enumerate(table.headings):
        column = column_of(heading)
        if column is not None and column not in columns:
            columns[column] = OutputColumn(index, heading, column_letter(places[index]))
    return OutputTable(sheet.file, name, sheet.sheet, columns, table.rows, table.dialect,
                       tuple(column for column in required if column not in columns))


def parse_outputs(outputs: RunOutputs) -> FolderOutputs:
    """The outputs of a run folder, as read back, with their columns found by heading."""
    return FolderOutputs(
        present=outputs.present,
        payments=_table(outputs.payments, PAYMENTS_FILE, _payment_column,
                        ("operator", "units", "total_award", "tranche_1", "tranche_2")),
        summary=_table(outputs.summary, SUMMARY_FILE, _summary_column,
                       _SUMMARY_COLUMNS),
        riparto=_table(outputs.riparto, WORKBOOK_FILE, _riparto_column,
                       ("unit_id", "award")),
        pagamenti=_table(outputs.pagamenti, WORKBOOK_FILE, _payment_column,
                         ("operator", "units", "total_award", "tranche_1", "tranche_2")),
    )


Figure = int | str
"""A figure read from an output: its value, or the cell's text when it holds none."""


def read_amount(cell: RawCell, dialect: Dialect) -> Figure:
    """Cents of an amount cell; its text when it is empty or not an amount."""
    if is_blank(cell):
        return ""
    value = parse_money(cell, dialect, negative=True)
    return shown(cell) if isinstance(value, CellProblem) else value


def read_count(cell: RawCell, dialect: Dialect) -> Figure:
    """A count cell's whole number; its text when it is empty or not a count."""
    if is_blank(cell):
        return ""
    value = parse_count(cell, dialect, maximum=10**9, noun="units")
    return shown(cell) if isinstance(value, CellProblem) else value


def read_text(cell: RawCell) -> str:
    """A text cell (a name, a code) as read everywhere: stripped, formula quote undone."""
    value = cell_text(cell)
    return shown(cell) if isinstance(value, CellProblem) else value


def figure(value: Figure, *, amount: bool = True) -> str:
    """A figure as a finding writes it: an amount in the run's form, a count, or the text.

    ``1.234,56`` for an amount, ``12`` for a count, ``'abc'`` for a cell that holds no
    figure, ``''`` for an empty one.
    """
    if isinstance(value, str):
        return f"'{value}'"
    if amount:
        return money(value)
    return str(value)


@dataclass
class Paid:
    """What one ente gestore is paid, as payments.csv must say: its funded rows added up.

    Attributes:
        units, award, tranche_1, tranche_2: the count of its funded rows and their sums.
        unit_ids: its funded units (a finding about its row is a consequence of theirs).
    """

    units: int = 0
    award: int = 0
    tranche_1: int = 0
    tranche_2: int = 0
    unit_ids: list[str] = field(default_factory=list)


def operator_payments(
    rows: Iterable[tuple[str, str, int, int, int]],
) -> dict[str, Paid]:
    """The funded rows grouped by ente gestore, in payments.csv's order.

    The rule of `fsr_opt.reports.tables.operator_payments`, redone: a row with an award of
    0 is not paid; the ente is the unit's operator (`operator_of`); the entes come in name
    order (`operator_order`).

    Args:
        rows: (operator, unit id, award, tranche_1, tranche_2) per row of the allocation.
    """
    by_operator: dict[str, Paid] = {}
    for operator, unit_id, award, first, second in rows:
        if award == 0:
            continue
        name = operator_of(operator)
        paid = by_operator.get(name)
        if paid is None:
            paid = by_operator[name] = Paid()
        paid.units += 1
        paid.award += award
        paid.tranche_1 += first
        paid.tranche_2 += second
        paid.unit_ids.append(unit_id)
    return {name: by_operator[name] for name in sorted(by_operator, key=operator_order)}
