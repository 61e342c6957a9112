"""A file -> its table of raw cells under its headings, whatever the format (CSV or XLSX).

The readers of units tables, allocations and manifests all start here: `read_table` finds
the header row (the first non-empty row), drops empty rows, checks row widths and refuses
what cannot be a table, so that each reader only maps headings (`match_headings`) and parses
cells (`fsr_opt.io.cells`).

A `TableCache`, owned by the caller, keeps the last table read: a region run reads a units
table shared by several Ambiti once to check the manifest and once per Ambito, and the same
bytes always give the same (immutable) table.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, replace
from operator import itemgetter
from pathlib import Path
from typing import NamedTuple, cast

from fsr_opt.core.errors import (
    MAX_WARNINGS_PER_KIND,
    ErrorCode,
    InputError,
    Problem,
    warn,
    warn_each,
)
from fsr_opt.core.i18n import _
from fsr_opt.io import source
from fsr_opt.io.cells import (
    Dialect,
    RawCell,
    Record,
    clip,
    fold_heading,
    heading_text,
    is_blank,
    is_blank_row,
    visible,
)
from fsr_opt.io.csvfile import read_csv_records, too_many_columns, too_many_rows
from fsr_opt.io.xlsx import (
    HEADER_SEARCH_ROWS,
    SheetChoice,
    read_xlsx_sheets,
    read_xlsx_table,
)

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class RawTable:
    """A file read into raw cells, format-independent.

    Attributes:
        file: the path as the user gave it (used in every message).
        sha256: hex digest of the file bytes.
        dialect: how the file writes numbers: ``ITALIAN`` for a ';' CSV (Excel's Italian
            dialect), else ``AUTO``.
        header_row: the 1-based row holding the headings.
        headings: the non-empty headings as written (surrounding spaces removed).
        rows: (1-based row, cells aligned with `headings`) of every non-empty data row.
        problems: problems found while reading (rows too long, merged cells).
        columns: the 0-based column of the file of each heading (a column without a
            heading is left out of `headings` and of the rows' cells), to name a cell as a
            spreadsheet does (`column_letter`).
        hidden: the rows hidden in Excel (by a filter, or by hand), which are read as the
            others (`warn_hidden_rows`).
    """

    file: str
    sha256: str
    dialect: Dialect
    header_row: int
    headings: tuple[str, ...]
    rows: tuple[tuple[int, tuple[RawCell, ...]], ...]
    problems: tuple[Problem, ...]
    columns: tuple[int, ...] = ()
    hidden: frozenset[int] = frozenset()


class TableCache:
    """The last table read through it, by file name, bytes (SHA-256) and sheet choice.

    The caller decides what is worth keeping and for how long: a region run keeps the table
    that several Ambiti share; a single solve keeps nothing (a table of 100,000 rows is large).
    """

    def __init__(self) -> None:
        self._key: tuple[str, str, SheetChoice] | None = None
        self._table: RawTable | None = None

    def get(self, file: str, sha256: str, choice: SheetChoice) -> RawTable | None:
        """The table kept for these bytes read this way, or None."""
        return self._table if self._key == (file, sha256, choice) else None

    def put(self, table: RawTable, choice: SheetChoice) -> None:
        """Keep `table` (and forget the one kept before)."""
        self._key, self._table = (table.file, table.sha256, choice), table

    def clear(self) -> None:
        """Forget the table kept."""
        self._key = self._table = None


def read_table(
    path: str | Path, choice: SheetChoice, *, cache: TableCache | None = None,
    warn_hidden: bool = True,
) -> RawTable:
    """Read a CSV or XLSX file into raw cells under its headings.

    Args:
        path: the file; its extension decides the format.
        choice: which sheet of a workbook holds the table.
        cache: where to look for the table first, and to keep it; None: nothing kept.
        warn_hidden: warn of the rows hidden in Excel (`warn_hidden_rows`) when the file is
            read; False for a caller that keeps some rows only and warns of those.

    Raises:
        InputError: the file cannot be read as a table at all.
    """
    file = str(path)
    data, sha = source.read_table_bytes(path)
    if cache is not None and (kept := cache.get(file, sha, choice)) is not None:
        return kept
    records: Sequence[Record]
    hidden: frozenset[int] = frozenset()
    if source.is_csv(path):
        dialect, records = read_csv_records(data, file)
        extra: list[Problem] = []
    else:
        dialect = Dialect.AUTO
        records, extra, hidden = read_xlsx_table(data, file, choice)
    table = _frame(file, sha, dialect, records, extra, choice.looks_right, choice.resembles)
    if hidden:
        table = replace(table, hidden=hidden)
        if warn_hidden:
            warn_hidden_rows(table)
    if cache is not None:
        cache.put(table, choice)
    return table


def read_sheets(
    path: str | Path, choices: Sequence[SheetChoice], *,
    unpacked_limit: int | None = None,
) -> list[tuple[str | None, RawTable] | InputError]:
    """Read several tables of one file, its bytes once: one per sheet choice of a workbook.

    A CSV file holds one table: every choice gets it. A table that cannot be read (a sheet
    missing, no table in it) does not stop the others: its place holds the error. A workbook
    may unpack to `unpacked_limit` (`source.check_workbook_bytes`).

    Returns:
        Per choice, in their order: (the sheet's name, None for a CSV file; the table), or
        the `InputError` that says why it cannot be read.

    Raises:
        InputError: the file itself cannot be read (missing, too large, not a workbook).
    """
    file = str(path)
    data, sha = source.read_table_bytes(path)
    if source.is_csv(path):
        try:
            dialect, records = read_csv_records(data, file)
            table = _frame(file, sha, dialect, records, [], lambda _headings: True)
        except InputError as error:
            return [error for _choice in choices]
        return [(None, table) for _choice in choices]
    found: list[tuple[str | None, RawTable] | InputError] = []
    sheets = read_xlsx_sheets(data, file, choices, unpacked_limit=unpacked_limit)
    for choice, sheet in zip(choices, sheets, strict=True):
        if isinstance(sheet, InputError):
            found.append(sheet)
            continue
        name, records, extra = sheet
        try:
            found.append((name, _frame(file, sha, Dialect.AUTO, records, extra,
                                       choice.looks_right, choice.resembles)))
        except InputError as error:
            found.append(error)
    return found


def _frame(
    file: str,
    sha: str,
    dialect: Dialect,
    records: Iterable[Record],
    extra: list[Problem],
    looks_right: Callable[[Sequence[str]], bool],
    resembles: Callable[[Sequence[str]], bool] | None = None,
) -> RawTable:
    """Find the header, drop empty rows and check row widths.

    The header is the first non-empty row, or, under titles or notes, the first of the next
    `HEADER_SEARCH_ROWS` that `looks_right`: the rows above it are skipped with a warning
    (``ROWS_ABOVE_HEADINGS``) that names them. Rows keep their numbers in the file.

    Raises:
        InputError: no table at all, more than `source.MAX_ROWS` rows, or a row below the
            first `resembles` the headings but does not clearly hold them (not guessed: the
            message names both rows).
    """
    rows = [(number, cells if isinstance(cells, list) else list(cells))
            for number, cells in records if not is_blank_row(cells)]
    if not rows:
        raise source.fail(InputError, file, ErrorCode.EMPTY_FILE,
                          _("the file holds no table; it needs a header row and one row per "
                            "unit"))
    if len(rows) > source.MAX_ROWS + 1:
        raise too_many_rows(file)
    widest = max(rows, key=lambda row: len(row[1]))
    if len(widest[1]) > source.MAX_COLUMNS:
        raise too_many_columns(file, widest[0], len(widest[1]))
    rows = _below_titles(file, rows, looks_right, resembles)
    header_row, header = rows[0]
    texts = [heading_text(cell) for cell in header]
    while texts and not texts[-1]:
        texts.pop()
    width = len(texts)
    kept = [i for i, text in enumerate(texts) if text]
    problems = list(extra)
    data: list[tuple[int, tuple[RawCell, ...]]] = []
    first = kept[0] if kept and looks_right(texts) else None
    first_heading = texts[first].casefold() if first is not None else ""
    unnamed = [i for i in range(width) if not texts[i]]
    unnamed_values: list[tuple[int, int]] = []  # (row, column index): the first few, counted
    unnamed_count = 0
    body = rows[1:]
    if not unnamed and _plain_body(body, width, first, first_heading):
        # every row as wide as the headings, none repeating them: nothing to look at per row
        data = list(zip(map(itemgetter(0), body), map(tuple, map(itemgetter(1), body)),
                        strict=True))
        body = []
    for number, cells in body:
        if (first is not None and first < len(cells) and isinstance(cells[first], str)
                and heading_text(cells[first]).casefold() == first_heading
                and looks_right([heading_text(cell) for cell in cells])):
            problems.append(Problem(
                _("this row repeats the headings of row {row} (two tables pasted together?); "
                  "delete it, and check that no unit is listed twice").format(row=header_row),
                file=file, row=number, code=ErrorCode.REPEATED_HEADER))
            continue
        overflow = ([i for i in range(width, len(cells)) if not is_blank(cells[i])]
                    if len(cells) > width else None)
        if overflow:
            problems.append(Problem(
                _("there is a value in column {column}, beyond the last of the {count} "
                  "headings; if a value contains the separator, quote it, else give that column "
                  "a heading or delete the value").format(column=column_letter(overflow[0]),
                                                          count=width),
                file=file, row=number, code=ErrorCode.ROW_TOO_LONG))
            continue
        for i in unnamed:
            if i < len(cells) and not is_blank(cells[i]):
                unnamed_count += 1
                if len(unnamed_values) < MAX_WARNINGS_PER_KIND:
                    unnamed_values.append((number, i))
        padded = cells if len(cells) == width else cells[:width] + [None] * (width - len(cells))
        data.append((number, tuple(padded) if not unnamed else tuple(padded[i] for i in kept)))
    warn_each((Problem(_("this column has a value but no heading; it is ignored"), file=file,
                       row=number, column=column_letter(index), code=ErrorCode.UNNAMED_VALUE)
               for number, index in unnamed_values),
              lambda more: Problem(_("and {count} more cells have a value but no heading; they "
                                     "are ignored").format(
                                         count=unnamed_count - MAX_WARNINGS_PER_KIND + more),
                                   file=file, code=ErrorCode.UNNAMED_VALUE))
    return RawTable(file, sha, dialect, header_row, tuple(texts[i] for i in kept), tuple(data),
                    tuple(problems), tuple(kept))


def _plain_body(rows: Sequence[tuple[int, Sequence[RawCell]]], width: int, first: int | None,
                first_heading: str) -> bool:
    """Whether no row below the headings needs a look of its own (`_frame`'s loop).

    True when every row has exactly `width` cells and none can repeat the headings: the
    first heading's column, its texts joined, does not hold the heading at all (a cell
    repeating it would, its invisible characters and case aside). A CSV of 100,000 units is
    then taken as it is, without a step per row.
    """
    if set(map(len, map(itemgetter(1), rows))) - {width}:
        return False
    if first is None or not rows:
        return True
    column = list(map(itemgetter(first), map(itemgetter(1), rows)))
    if set(map(type, column)) - {str}:
        return False  # a workbook's typed cells: looked at row by row
    return first_heading not in visible("\n".join(cast("list[str]", column))).casefold()


def warn_hidden_rows(table: RawTable) -> None:
    """Warn that rows of the table hidden in Excel (by a filter, or by hand) were read.

    They are read as any other row, since data is data: but the planner who filtered the
    sheet to look at some units cannot see them, and must know that they count. Only the
    table's rows are named: of a table shared by several Ambiti, those of the one read.
    """
    rows = [number for number, _cells in table.rows if number in table.hidden]
    if not rows:
        return
    shown = ", ".join(map(str, rows[:_HIDDEN_ROWS_SHOWN]))
    if len(rows) > _HIDDEN_ROWS_SHOWN:
        shown += _(" and {count} more").format(count=len(rows) - _HIDDEN_ROWS_SHOWN)
    warn(Problem(
        (_("{count} rows hidden in Excel (by a filter, or by hand) were read, and count as "
           "the others: rows {rows}; show them (Data > Clear for a filter, else right-click > "
           "Unhide) to check them, and delete those that must not count") if len(rows) > 1 else
         _("one row hidden in Excel (by a filter, or by hand) was read, and counts as the "
           "others: row {rows}; show it (Data > Clear for a filter, else right-click > Unhide) "
           "to check it, and delete it if it must not count")).format(count=len(rows), rows=shown),
        file=table.file, code=ErrorCode.HIDDEN_ROWS))


_HIDDEN_ROWS_SHOWN = 10
"""Hidden rows a warning names by number; the rest are counted."""


def _below_titles(
    file: str, rows: list[tuple[int, list[RawCell]]],
    looks_right: Callable[[Sequence[str]], bool],
    resembles: Callable[[Sequence[str]], bool] | None,
) -> list[tuple[int, list[RawCell]]]:
    """The rows from the headings on: past the title rows above them, when there are some.

    A title (``FSR 2025 - Ambito di Bergamo``) or a note above the headings is what a
    planner's sheet often has; the headings below it are read when they are clearly the
    table's (`looks_right`), and the warning names the rows skipped.

    Raises:
        InputError: no row clearly holds the headings, but one below the first `resembles`
            them (``HEADER_NOT_FIRST``).
    """
    first_row, first = rows[0]
    first_texts = [heading_text(cell) for cell in first]
    if looks_right(first_texts):
        return rows
    below = [(position, number, [heading_text(cell) for cell in cells])
             for position, (number, cells) in enumerate(rows[1:1 + HEADER_SEARCH_ROWS], 1)]
    title = clip(" ".join(t for t in first_texts if t))
    for position, number, texts in below:
        if looks_right(texts):
            skipped = rows[:position]
            shown = "; ".join(
                _("row {row}: '{text}'").format(
                    row=row, text=clip(" ".join(filter(None, map(heading_text, cells)))))
                for row, cells in skipped[:3])
            if len(skipped) > 3:
                shown += _("; and {count} more").format(count=len(skipped) - 3)
            warn(Problem(
                _("the headings of the table are in this row, and the table is read from "
                  "here: the rows above were skipped ({rows}); check that they hold no "
                  "unit").format(rows=shown),
                file=file, row=number, code=ErrorCode.ROWS_ABOVE_HEADINGS))
            return rows[position:]
    if resembles is not None and not resembles(first_texts):
        for _position, number, texts in below:
            if resembles(texts):
                raise InputError([Problem(
                    _("this row looks like the headings of the table ({headings}), but row "
                      "{first} comes before it ('{text}'), and not all the headings of this row "
                      "are the template's: delete the rows above the headings (titles, notes), "
                      "and head the columns as the template does").format(
                          headings=_quoted_headings(texts),
                          first=first_row, text=title),
                    file=file, row=number, code=ErrorCode.HEADER_NOT_FIRST)])
    return rows


def _quoted_headings(texts: Sequence[str], count: int = 5) -> str:
    """The first few headings of a row, quoted (``'Codice unità', 'Denominazione', ...``)."""
    filled = [f"'{clip(text)}'" for text in texts if text]
    return ", ".join(filled[:count]) + (", ..." if len(filled) > count else "")


def column_letter(index: int) -> str:
    """Return the spreadsheet letter of a 0-based column index (0 -> A, 27 -> AB)."""
    letters = ""
    index += 1
    while index:
        index, rest = divmod(index - 1, 26)
        letters = chr(ord("A") + rest) + letters
    return letters


class HeadingMatch(NamedTuple):
    """The headings of a table matched to columns.

    Attributes:
        columns: column name -> index of its heading in the table's cells (the first, when
            several headings name the column).
        problems: a `DUPLICATE_COLUMN` problem for each heading that repeats a column.
        unknown: the headings that name no column, as written.
    """

    columns: dict[str, int]
    problems: list[Problem]
    unknown: list[str]


def match_headings(
    table: RawTable, lookup: Mapping[str, str] | None = None,
    template: Mapping[str, str] | None = None,
) -> HeadingMatch:
    """Match a table's headings to column names, ignoring case, accents, spaces, `_` and `-`.

    Args:
        table: the table read.
        lookup: folded heading or alias (`fold_heading`) -> column name; None: every heading
            is its own column (its folded text), to find repeated headings.
        template: column name -> its heading in the template, which a message about two
            headings of one column names (a planner never sees the internal ``costs``).
    """
    columns: dict[str, int] = {}
    problems: list[Problem] = []
    unknown: list[str] = []
    for index, heading in enumerate(table.headings):
        folded = fold_heading(heading)
        name = folded if lookup is None else lookup.get(folded)
        if name is None:
            unknown.append(heading)
        elif name in columns:
            first = table.headings[columns[name]]
            if fold_heading(first) == folded:
                both = ""
            elif template is None:
                both = _(" (both are '{name}')").format(name=name)
            else:
                both = _(" (both mean the template's column '{name}')").format(
                    name=template.get(name, name))
            problems.append(Problem(
                _("this column repeats column '{first}'{both}; keep only one").format(
                    first=first, both=both),
                file=table.file, row=table.header_row, column=heading,
                code=ErrorCode.DUPLICATE_COLUMN))
        else:
            columns[name] = index
    return HeadingMatch(columns, problems, unknown)
