"""The units table (docs/reference.md, 2.1): a CSV or XLSX file -> checked `UnitRecord`s.

Everything a planner hands us arrives here, so this is where a spreadsheet's quirks (Italian
decimal commas, Excel date cells, formulas without a saved result, a BOM, cp1252) become
typed records, or `Problem`s naming file, row and column. Every problem of the file (missing
columns, unreadable cells, duplicate ids, an end before the start, amounts written in two
locales) is collected before one `InputError` is raised, so a planner fixes the table in one
pass.
"""

from __future__ import annotations

import logging
import re
from collections import Counter
from collections.abc import Collection, Hashable, Iterable, Iterator, Mapping, Sequence
from dataclasses import fields, replace
from datetime import date
from functools import partial
from operator import itemgetter
from pathlib import Path
from typing import Any, NamedTuple

from fsr_opt.core.collector import cycle_collection_paused
from fsr_opt.core.errors import ErrorCode, InputError, Problem, suggest, warn, warn_each
from fsr_opt.core.i18n import LANGUAGES, _
from fsr_opt.core.schema import INPUT_COLUMNS, ColumnSpec, RuleSet, UnitRecord, UnitsTable
from fsr_opt.core.words import date_text, text
from fsr_opt.io.cells import (
    KIND_WANTED,
    CellProblem,
    Dialect,
    RawCell,
    cell_text,
    clip,
    decimal_mark,
    fold_heading,
    fold_id_text,
    is_blank,
    is_total_label,
    normalize_id,
    parse_cell,
    parse_figure,
    parse_plain_amounts,
    parse_plain_dates,
    plain_texts,
    unquote,
)
from fsr_opt.io.tables import (
    RawTable,
    TableCache,
    match_headings,
    read_table,
    warn_hidden_rows,
)
from fsr_opt.io.xlsx import SheetChoice

logger = logging.getLogger(__name__)

AMBITO_COLUMN = "ambito"
"""The column of a units table that says which Ambito each row belongs to (region runs)."""



_DATED_HEADING = re.compile(r"(.+) ([12][0-9]{3})")
"""A folded heading followed by a year (``costi 2024``)."""

_ACCENT_APOSTROPHE = re.compile(r"(?<=\w)['\u2019`\u00b4](?=\s|$)")
_NOT_A_WORD = re.compile(r"[^\w\s]+")
_FILLERS = frozenset({"di", "del", "della", "in", "n", "nr", "num", "numero", "eur", "euro"})


def _loose(folded: str) -> str:
    """A folded heading without what people add to it: ``CODICE UNITA'`` -> ``codice unita``.

    The accent typed as an apostrophe (``attivita'``), dots (``A.F.A.M.``, ``N.``),
    punctuation and the currency (``Costi 2024 (€)``, ``Autorizzazione CPE``), and the small
    words ``di``, ``in``, ``N.`` (``Data di inizio attività``, ``N. utenti 2024``).
    """
    text = _ACCENT_APOSTROPHE.sub("", folded).replace(".", "")
    return " ".join(word for word in _NOT_A_WORD.sub(" ", text).split()
                    if word not in _FILLERS)


class _ColumnLookup(Mapping[str, str]):
    """Folded heading -> column name: every name, Italian heading and alias of the contract.

    A column of the accounts' figures (`ColumnSpec.dated`) is also found by its heading
    followed by any year, so the template of a new year ("Costi 2025") needs no code change.
    With the accounts' year of the rule set (`year`), a heading of another year is the
    column's name and that year (``costs 2023``): last year's table is told apart.
    """

    def __init__(self, year: int | None = None) -> None:
        self._year = year
        self._names: dict[str, str] = {}
        for spec in INPUT_COLUMNS:
            for name in (spec.name, spec.heading_it, *spec.aliases):
                self._names.setdefault(fold_heading(name), spec.name)
        self._dated = {fold_heading(spec.heading_it): spec.name
                       for spec in INPUT_COLUMNS if spec.dated}
        # the same, loosely (`_loose`): a loose form two columns share is no one's
        loose: dict[str, set[str]] = {}
        for folded, name in self._names.items():
            loose.setdefault(_loose(folded), set()).add(name)
        self._loose = {key: names.pop() for key, names in loose.items()
                       if len(names) == 1 and key}
        self._loose_dated = {_loose(folded): name for folded, name in self._dated.items()}

    def __getitem__(self, folded: str) -> str:
        if folded in self._names:
            return self._names[folded]
        found = self._dated_column(folded, self._dated)
        if found is not None:
            return found
        loose = _loose(folded)
        if loose in self._loose:
            return self._loose[loose]
        found = self._dated_column(loose, self._loose_dated)
        if found is not None:
            return found
        raise KeyError(folded)

    def _dated_column(self, heading: str, dated_names: Mapping[str, str]) -> str | None:
        """The column of a heading followed by a year; with another year than `_year`, marked."""
        dated = _DATED_HEADING.fullmatch(heading)
        if not dated or dated.group(1) not in dated_names:
            return None
        name = dated_names[dated.group(1)]
        if self._year is None or int(dated.group(2)) == self._year:
            return name
        return f"{name} {dated.group(2)}"

    def __iter__(self) -> Iterator[str]:
        return iter(self._names)

    def __len__(self) -> int:
        return len(self._names)


COLUMN_LOOKUP: Mapping[str, str] = _ColumnLookup()
"""Every folded name, Italian heading and alias of the contract -> its column name."""


def _required_found(headings: Sequence[str]) -> tuple[int, int]:
    """How many required columns of the units table the headings name, and how many there are."""
    names = {COLUMN_LOOKUP.get(fold_heading(heading)) for heading in headings}
    required = [spec.name for spec in INPUT_COLUMNS if spec.required]
    return sum(name in names for name in required), len(required)


def has_units_headings(headings: Sequence[str]) -> bool:
    """True when the headings include every required column of the units table."""
    found, required = _required_found(headings)
    return found == required


def resembles_units_headings(headings: Sequence[str]) -> bool:
    """True when the headings name at least half the required columns: a units table's."""
    found, required = _required_found(headings)
    return found * 2 >= required


def _folded_words(*keys: str) -> frozenset[str]:
    """The folded words of catalogue keys, in every language."""
    return frozenset(fold_heading(text(key, lang)) for key in keys for lang in LANGUAGES)


_RESULT_SHEETS = ("allocation", "annex", "municipalities", "operators", "payments",
                  "exclusions", "summary", "checks")
"""The sheets of allocation.xlsx (``workbook.sheet.<sheet>``), which fsr-opt writes."""
_RESULT_COLUMNS = ("eligible", "exclusion_reasons", "entitlement", "award")
"""Columns of fsr-opt's allocation (allocation.csv and the sheet Riparto), never of a units
table: by their names and by their headings (``workbook.column.<column>``)."""


def _result_message() -> str:
    """Say that fsr-opt's own allocation was given as the units table, and what to give."""
    return _("this is a result of fsr-opt (the riparto it wrote: allocation.xlsx or "
             "allocation.csv), not the units table; give the units table: one row per unit, "
             "headed as the Excel template (on the page of fsr-opt serve: '{button}'; in a "
             "copy of the project, data/bergamo-2025/units.xlsx)").format(
                 button=text("web.data.template"))


def is_result_of_fsr_opt(headings: Sequence[str]) -> bool:
    """True for the headings of fsr-opt's own allocation (two of its columns, in any form)."""
    marks = _folded_words(*(f"workbook.column.{name}" for name in _RESULT_COLUMNS)) | {
        fold_heading(name) for name in _RESULT_COLUMNS}
    return len({fold_heading(heading) for heading in headings} & marks) >= 2


def _identify_workbook(sheets: Sequence[str]) -> tuple[ErrorCode, str] | None:
    """Recognise allocation.xlsx by its sheets (three of fsr-opt's names), when no sheet fits."""
    names = _folded_words(*(f"workbook.sheet.{sheet}" for sheet in _RESULT_SHEETS))
    if len({fold_heading(sheet) for sheet in sheets} & names) >= 3:
        return ErrorCode.RESULT_AS_UNITS, _result_message()
    return None


UNITS_SHEET = SheetChoice(frozenset({"unita", "units"}), has_units_headings, "Unità",
                          alone=True, identify=_identify_workbook,
                          resembles=resembles_units_headings)
"""The units table's sheet in a workbook: ``Unità`` or ``Units``, else the one with its headings."""


def load_units(
    path: str | Path, *, ambito: str | None = None, cache: TableCache | None = None,
    unit_types: Collection[str] | None = None, rules: RuleSet | None = None,
) -> UnitsTable:
    """Load and type-check the units table (docs/reference.md, 2.1) from a CSV or XLSX file.

    Every problem of the file (missing columns, unreadable cells, duplicate ids, end before
    start) is collected first, so the user sees them all at once.

    Args:
        path: a ``.csv``/``.txt`` or ``.xlsx``/``.xlsm`` file.
        ambito: keep only the rows whose ``ambito`` column holds this code (ignoring case):
            one Ambito of a table that lists the units of several (see `load_manifest`).
            Rows keep their numbers in the file, and ids need only be unique among the kept
            rows.
        cache: where the raw table may already be, and is kept (a table shared by several
            Ambiti, read once per Ambito).
        unit_types: the rule set's unit type codes, when known: a row of another type is a
            problem reported with the others (``UNKNOWN_TYPE``), not after they are fixed.
        rules: the rule set, when known: its unit types (as `unit_types`), the year of the
            accounts the headings must carry (``Costi 2024``), and which units need the
            optional columns ``Mantiene i requisiti`` and ``Dichiarazione Minori Web``.

    Returns:
        The units in file order, with the file's SHA-256.

    Raises:
        InputError: the file cannot be read, or at least one cell is wrong; one `Problem` each.
            With `ambito`, also a table without an ``ambito`` column or without its rows.
    """
    with cycle_collection_paused():
        table = read_table(path, UNITS_SHEET, cache=cache, warn_hidden=ambito is None)
        if ambito is not None:
            table = _rows_of_ambito(table, ambito)
            warn_hidden_rows(table)  # of this Ambito's rows only
        else:
            _refuse_several_ambiti(table)
        if unit_types is None and rules is not None:
            unit_types = rules.unit_types
        return _units(table, expected=() if ambito is None else (AMBITO_COLUMN,),
                      unit_types=unit_types, rules=rules)


def _units(table: RawTable, expected: Sequence[str],
           unit_types: Collection[str] | None = None,
           rules: RuleSet | None = None) -> UnitsTable:
    """Parse and check the rows of a raw table into units, or raise all the problems."""
    columns, problems = _map_headings(table, expected,
                                      None if rules is None else rules.history_year)
    problems.extend(table.problems)
    table, totals = _without_total_rows(table, columns)
    problems.extend(totals)
    # Column by column: a column of plain cells (ids, names, dates) is read at once, and the
    # distinct texts of any other (types, yes/no) are few, each parsed once; rows are put
    # together afterwards, in file order.
    by_column = (list(zip(*(cells for _, cells in table.rows), strict=True))
                 or [()] * len(table.headings))
    parsed = [_parse_column(spec, None if (index := columns.get(spec.name)) is None
                            else by_column[index], len(table.rows), table.dialect)
              for spec in INPUT_COLUMNS]
    bad_rows = set().union(*(column.bad_rows for column in parsed))
    suspects, id_keys = _rows_to_check(parsed)
    first_row_of: dict[str, tuple[int, str]] = {}
    for position in sorted(bad_rows | suspects):  # in file order: an id's first row is kept
        number, values = table.rows[position][0], [column.values[position] for column in parsed]
        if position in bad_rows:
            problems.extend(_cell_problems(table, columns, number, values))
        if position in suspects:
            problems.extend(_row_checks(table, columns, number, values, id_keys[position],
                                        first_row_of))
    rows = zip(table.rows, zip(*(column.values for column in parsed), strict=True), strict=True)
    units = [UnitRecord(number, *values) for position, ((number, _cells), values)
             in enumerate(rows) if position not in bad_rows]
    problems.extend(_mixed_marks(table.file, _marks_in_file_order(table, columns, parsed)))
    if unit_types is not None:
        problems.extend(_unknown_types(table, columns, units, unit_types))
    if rules is not None:
        problems.extend(_declarations(table, columns, units, rules))
    if not table.rows and not problems:
        problems.append(Problem(_("the table has headings but no units; add one row per unit"),
                                file=table.file, row=table.header_row, code=ErrorCode.NO_ROWS))
    if problems:
        raise InputError(sorted(problems, key=lambda p: p.row or 0))
    return UnitsTable(source=table.file, sha256=table.sha256, units=tuple(units))


def _map_headings(
    table: RawTable, expected: Sequence[str] = (), year: int | None = None
) -> tuple[dict[str, int], list[Problem]]:
    """Match the file's headings to the contract's columns.

    Args:
        table: the table read.
        expected: folded headings of other columns the caller uses (``ambito``), not warned of.
        year: the year of the accounts the rule set uses, when known: the year the headings
            of the figures (``Costi 2024``) must carry, if they carry one.

    Returns:
        (column name -> index in the table's cells, problems: missing or repeated columns,
        figures of another year). Unknown headings are ignored with a logged warning, so a
        planner may keep notes.
    """
    found, problems, unknown = match_headings(
        table, COLUMN_LOOKUP if year is None else _ColumnLookup(year),
        {spec.name: spec.heading_it if year is None else spec.heading(year)
         for spec in INPUT_COLUMNS})
    required = [spec for spec in INPUT_COLUMNS if spec.required]
    missing = [spec for spec in required if spec.name not in found]
    if missing and is_result_of_fsr_opt(table.headings):  # its many columns: no warnings
        return {}, [Problem(_result_message(), file=table.file, row=table.header_row,
                            code=ErrorCode.RESULT_AS_UNITS)]
    if year is not None:
        problems.extend(_other_years(table, found, year))
    ignored = (heading for heading in unknown if fold_heading(heading) not in expected)
    warn_each((Problem(_("not a column of the units table; it is ignored"), file=table.file,
                       row=table.header_row, column=clip(heading),
                       code=ErrorCode.UNKNOWN_COLUMN) for heading in ignored),
              lambda more: Problem(_("and {count} more columns are not columns of the units "
                                     "table; they are ignored").format(count=more),
                                   file=table.file,
                                   row=table.header_row, code=ErrorCode.UNKNOWN_COLUMN))
    # again: `_other_years` has dropped the columns headed with another year
    missing = [spec for spec in required if spec.name not in found]
    # a missing column is named as the file heads the others: the technical names of the
    # contract (unit_id, costs) or, by default, the Italian template's headings (Costi 2024)
    english = sum(fold_heading(table.headings[index]) == name
                  for name, index in found.items()) * 2 > len(found) > 0

    def heading(spec: ColumnSpec) -> str:
        if english:
            return spec.name
        return spec.heading_it if year is None else spec.heading(year)

    if len(missing) > len(required) // 2:
        headings = ", ".join(f"'{clip(h)}'" for h in table.headings[:12])
        more = _(" and {count} more").format(count=len(table.headings) - 12) if len(
            table.headings) > 12 else ""
        problems.append(Problem(
            _("this is not a units table: only {found} of its {required} required columns were "
              "found among the headings ({headings}); missing: {missing}. Check that this is "
              "the right file, and head its columns as the template of the units table "
              "does").format(found=len(required) - len(missing), required=len(required),
                             headings=headings + more,
                             missing=", ".join(heading(spec) for spec in missing)),
            file=table.file, row=table.header_row, code=ErrorCode.WRONG_COLUMNS))
        return found, problems
    for spec in missing:
        problems.append(Problem(
            _("the required column '{column}' is missing; add a column headed '{column}'").format(
                column=heading(spec))
            + (_(" (the template adds the year of the accounts)")
               if spec.dated and year is None and not english else ""),
            file=table.file,
            row=table.header_row, column=heading(spec), code=ErrorCode.MISSING_COLUMN))
    return found, problems


def _other_years(table: RawTable, found: dict[str, int], year: int) -> list[Problem]:
    """Refuse figures headed with another year than the accounts' year of the rule set.

    ``Costi 2023`` for a riparto judged on the 2024 accounts is nearly always last year's
    table sent again: read, it would fund units on old figures without a word. A column of
    another year next to the right one (``Costi 2023`` and ``Costi 2024``) is ignored with a
    warning. `found` maps the figures of another year as ``costs 2023`` (`_ColumnLookup`);
    they are taken out of it, or put in place of the column they stand for.
    """
    other = {name: index for name, index in found.items() if " " in name}
    wrong: list[int] = []
    for name, index in other.items():
        del found[name]
        column = name.split(" ", 1)[0]
        if column in found:
            warn(Problem(
                _("the column is of year {found}, but the rule set uses the accounts of "
                  "{year} (column '{used}'); it is ignored").format(
                      found=name.split(" ", 1)[1], year=year,
                      used=table.headings[found[column]]),
                file=table.file, row=table.header_row, column=clip(table.headings[index]),
                code=ErrorCode.UNKNOWN_COLUMN))
        else:
            found[column] = index
            wrong.append(index)
    if not wrong:
        return []
    years = sorted({fold_heading(table.headings[index]).rsplit(" ", 1)[1] for index in wrong})
    headings = ", ".join(f"'{clip(table.headings[index])}'" for index in wrong)
    last = (_("; it is probably last year's table") if years == [str(year - 1)] else "")
    return [Problem(
        _("the headings {headings} carry the year {found}, but the rule set of the {fund} "
          "riparto uses the accounts of {year}{last}: put in the {year} figures and head "
          "their columns with {year} (as '{example}')").format(
              headings=headings, found=", ".join(years), fund=year + 1, year=year, last=last,
              example=f"{next(s for s in INPUT_COLUMNS if s.dated).heading_it} {year}"),
        file=table.file, row=table.header_row, column=clip(table.headings[wrong[0]]),
        code=ErrorCode.WRONG_YEAR)]


# ---------------------------------------------------------------------------------------------
# The Ambito of each row (tables shared by several Ambiti)
# ---------------------------------------------------------------------------------------------


def ambito_index(headings: Sequence[str]) -> int | None:
    """Return the index of the ``ambito`` heading, if there is one."""
    return next((i for i, heading in enumerate(headings)
                 if fold_heading(heading) == AMBITO_COLUMN), None)


def ambito_key(cell: RawCell) -> str:
    """Return an ``ambito`` cell folded for comparison ("" when empty or unreadable)."""
    text = cell_text(cell)
    return "" if isinstance(text, CellProblem) else text.casefold()


def _rows_of_ambito(table: RawTable, ambito: str) -> RawTable:
    """Keep the rows of one Ambito, by the table's ``ambito`` column.

    Raises:
        InputError: the table has no ``ambito`` column, or no row of this Ambito.
    """
    index = ambito_index(table.headings)
    if index is None:
        raise InputError([Problem(
            _("the table has no '{column}' column, so the rows of Ambito '{ambito}' cannot be "
              "told apart; add a column '{column}' with each row's Ambito code").format(
                  column=AMBITO_COLUMN, ambito=ambito),
            file=table.file, row=table.header_row, code=ErrorCode.NO_AMBITO_COLUMN)])
    wanted = ambito.casefold()
    rows = tuple((number, cells) for number, cells in table.rows
                 if ambito_key(cells[index]) == wanted)
    if table.rows and not rows:
        raise InputError([Problem(
            _("no row of the table has '{ambito}' in column '{column}'; check the Ambito's "
              "code").format(ambito=ambito, column=table.headings[index]), file=table.file,
            row=table.header_row,
            column=table.headings[index], code=ErrorCode.NO_ROWS)])
    return replace(table, rows=rows)


def _refuse_several_ambiti(table: RawTable) -> None:
    """Refuse a table holding several Ambiti's units when no Ambito is chosen.

    Solving them together would pool their budgets and their units: a silent wrong riparto.

    Raises:
        InputError: the ``ambito`` column holds more than one code.
    """
    index = ambito_index(table.headings)
    if index is None:
        return
    codes = sorted({key for _, cells in table.rows if (key := ambito_key(cells[index]))})
    if len(codes) > 1:
        shown_codes = ", ".join(codes[:6]) + (", ..." if len(codes) > 6 else "")
        raise InputError([Problem(
            _("the table holds the units of {count} Ambiti ({codes}) in column '{column}': "
              "one riparto per Ambito; solve them with 'fsr-opt region --manifest' (one "
              "manifest row per Ambito, see docs/region.md) or keep one Ambito's rows per "
              "table").format(count=len(codes), codes=shown_codes,
                              column=table.headings[index]),
            file=table.file, row=table.header_row,
            column=table.headings[index], code=ErrorCode.SEVERAL_AMBITI)])


# ---------------------------------------------------------------------------------------------
# Columns and rows
# ---------------------------------------------------------------------------------------------

# `_units` builds records from the values in column order: the two must agree.
if [f.name for f in fields(UnitRecord)] != ["row", *(spec.name for spec in INPUT_COLUMNS)]:
    raise RuntimeError("UnitRecord's fields are not 'row' and then INPUT_COLUMNS, in order")


class _Column(NamedTuple):
    """One column of the units table, parsed.

    Attributes:
        values: per data row, the value, "" or None for an empty optional cell, or a
            `CellProblem` (which makes its row bad).
        bad_rows: positions in ``table.rows`` of the rows whose cell is a `CellProblem`.
        marks: per data row, the decimal mark a number cell written as text was read with
            (empty for a column of another kind).
        mark_kinds: the distinct marks in `marks`.
    """

    values: Sequence[Any]
    bad_rows: frozenset[int]
    marks: Sequence[str | None]
    mark_kinds: frozenset[str]


# The value of a required column missing from the file: its rows are not built into units,
# and the missing column is reported once (by `_map_headings`), not in every row.
_MISSING = CellProblem(ErrorCode.MISSING_COLUMN, "the column is missing")


def _parse_column(
    spec: ColumnSpec, raws: Sequence[RawCell] | None, count: int, dialect: Dialect
) -> _Column:
    """Parse one column of every data row; a missing column gives its empty value (or a bad).

    A column whose cells are all plain is read at once (`_parse_plain_column`); any other one
    distinct cell at a time: types, municipalities, yes/no, dates and counts repeat a lot.
    Typed XLSX cells are told apart by their type too, as True, 1 and 1.0 are equal keys that
    read differently.

    Args:
        spec: the column.
        raws: its cell in each data row, or None when the file lacks the column.
        count: the number of data rows.
        dialect: how the file writes numbers.
    """
    if raws is None:
        empty: object = _MISSING if spec.required else "" if spec.kind == "text" else None
        bad = frozenset(range(count)) if spec.required else frozenset()
        return _Column([empty] * count, bad, (), frozenset())
    plain = _parse_plain_column(spec, raws, dialect)
    if plain is not None:
        return plain
    numeric = spec.kind in ("money", "int")
    distinct: Iterable[tuple[Hashable, RawCell]]
    keys: Sequence[Hashable]
    if set(map(type, raws)) <= {str, type(None)}:
        keys = raws
        distinct = ((raw, raw) for raw in dict.fromkeys(raws))
    else:
        typed = list(zip(map(type, raws), raws, strict=True))
        keys, distinct = typed, ((key, key[1]) for key in dict.fromkeys(typed))
    value_of: dict[Hashable, object] = {}
    mark_of: dict[Hashable, str] = {}
    bad_keys: set[Hashable] = set()
    for key, raw in distinct:
        value_of[key], mark = _read_cell(spec, raw, dialect, numeric)
        if mark is not None:
            mark_of[key] = mark
        elif isinstance(value_of[key], CellProblem):
            bad_keys.add(key)
    bad_rows = frozenset(position for position, key in enumerate(keys) if key in bad_keys
                         ) if bad_keys else frozenset()
    return _Column(list(map(value_of.__getitem__, keys)), bad_rows,
                   list(map(mark_of.get, keys)) if mark_of else [],
                   frozenset(mark_of.values()))


def _parse_plain_column(
    spec: ColumnSpec, raws: Sequence[RawCell], dialect: Dialect
) -> _Column | None:
    """Parse a column at once when all its cells are plain, else None (read cell by cell).

    Ids, names, dates and amounts are mostly distinct, so reading them one distinct cell at a
    time saves nothing; the column readers of `fsr_opt.io.cells` check and convert a whole
    column whose every cell is written the usual way.
    """
    if spec.kind == "text" and (texts := plain_texts(raws)) is not None:
        return _Column(texts, frozenset(), [], frozenset())
    if spec.kind == "date" and (dates := parse_plain_dates(raws)) is not None:
        return _Column(dates, frozenset(), [], frozenset())
    if spec.kind == "money" and (amounts := parse_plain_amounts(raws, dialect)) is not None:
        return _Column(amounts, frozenset(), ["."] * len(amounts), frozenset("."))
    return None


def _read_cell(
    spec: ColumnSpec, raw: RawCell, dialect: Dialect, numeric: bool
) -> tuple[object, str | None]:
    """Read one cell: (value, "" or None when empty and allowed, or a problem; decimal mark)."""
    if type(raw) is str and raw.isascii():  # the shortcuts of the usual cells of a CSV
        text = raw.strip()
        if text and spec.kind == "text":
            return unquote(text), None
        if numeric and text:
            number, mark = parse_figure(text, spec.kind, dialect)
            if not isinstance(number, CellProblem):
                return number, mark
    value = parse_cell(spec.kind, raw, dialect)
    if value is None:
        if spec.required:
            return CellProblem(ErrorCode.EMPTY_VALUE,
                               _("the cell is empty; fill in {wanted}").format(
                                   wanted=_(KIND_WANTED[spec.kind]))), None
        return ("" if spec.kind == "text" else None), None
    if numeric and not isinstance(value, CellProblem):
        return value, decimal_mark(raw, dialect)
    return value, None


def _cell_problems(
    table: RawTable, columns: Mapping[str, int], number: int, values: Sequence[object]
) -> list[Problem]:
    """The problems of a row's unreadable cells, in column order."""
    return [Problem(value.message, file=table.file, row=number,
                    column=table.headings[columns[spec.name]], code=value.code)
            for spec, value in zip(INPUT_COLUMNS, values, strict=True)
            if isinstance(value, CellProblem) and value is not _MISSING]


def _marks_in_file_order(
    table: RawTable, columns: Mapping[str, int], parsed: Sequence[_Column]
) -> list[tuple[int, str, str, str]]:
    """Return (row, heading, text, decimal mark) of every number cell with a mark, row by row.

    Only a file that uses both marks needs them (see `_mixed_marks`); for any other file the
    list is empty, which spares building a tuple for each of its amounts.
    """
    if len(frozenset().union(*(column.mark_kinds for column in parsed))) < 2:
        return []
    marks: list[tuple[int, str, str, str]] = []
    for position, (number, cells) in enumerate(table.rows):
        for spec, column in zip(INPUT_COLUMNS, parsed, strict=True):
            if column.mark_kinds and (mark := column.marks[position]) is not None:
                index = columns[spec.name]
                marks.append((number, table.headings[index], str(cells[index]).strip(), mark))
    return marks


_SPACES = re.compile(r"[^\S\n]+")
"""Whitespace but the newline that `_id_keys` joins the ids with."""
_ASCII_SPACES = (" ", "\t", "\r", "\x0b", "\x0c", "\x1c", "\x1d", "\x1e", "\x1f")
"""What `_SPACES` matches in an ASCII text: each looked for in C before the regex runs."""
# (a zero first, then the look back: the regex engine then jumps from zero to zero)
_LEADING_ZEROS = re.compile(r"0(?<![0-9]0)0*(?=[0-9])")
"""The zeros that open a run of digits (``UDO0142207``, ``007``): Excel drops them."""


def _id_keys(ids: Sequence[object]) -> list[str]:
    """The key of each unit id that two rows of one unit share ("" for no id).

    `normalize_id` (case, Unicode forms, invisible characters), then without any space and
    without the zeros that open a number: ``UDO 142207``, ``udo142207`` and ``UDO0142207``
    are one unit typed three ways, which the riparto would count (and fund) three times.
    Done on the ids joined in one text, so a large table costs no regex call per row.
    """
    if not ids:
        return []
    texts = [unit_id if isinstance(unit_id, str) else "" for unit_id in ids]
    joined = "\n".join(texts)
    if joined.count("\n") == len(texts) - 1:  # no id of several lines: folded in one call
        folded = fold_id_text(joined)
        if not folded.isascii() or any(space in folded for space in _ASCII_SPACES):
            folded = _SPACES.sub("", folded)
    else:
        folded = "\n".join(normalize_id(text) if text else "" for text in texts).replace(" ", "")
    return _LEADING_ZEROS.sub("", folded).split("\n")


def _rows_to_check(parsed: Sequence[_Column]) -> tuple[set[int], list[str]]:
    """Return the positions of the rows that `_row_checks` may find wrong, and the id keys.

    Those are the rows whose id is also another row's (by `_id_keys`, returned too), and
    those whose end date is before their start date; every other row passes, and checking
    only these saves a call per row.
    """
    keys = _id_keys(parsed[_UNIT_ID].values)
    shared = {key for key, count in Counter(keys).items() if count > 1 and key}
    suspects = {position for position, key in enumerate(keys) if key in shared} if shared else set()
    starts, ends = parsed[_START_DATE].values, parsed[_END_DATE].values
    suspects.update(position for position, end in enumerate(ends)
                    if isinstance(end, date) and isinstance(start := starts[position], date)
                    and end < start)
    return suspects, keys


_TOTAL_WORDS = re.compile(r"(?i)\s*total[ei]?\b")
"""A name that starts a total row: ``TOTALE``, ``Totale generale``, ``Totali``."""


# In the ids, or the names, of a table joined a line each: a line that could be a total's.
_TOTAL_ID_LINE = re.compile(r"(?mi)^[^\S\n]*total[e]?[^\S\n]*$")
_TOTAL_NAME_LINE = re.compile(r"(?mi)^[^\S\n]*total")


def _may_hold_total(table: RawTable, id_index: int | None, name_index: int | None) -> bool:
    """False when no row of the table can be a total: a search in C, not a check a row.

    A total row's id folds to ``totale`` or ``total`` (`is_total_label`); a row without an
    id is one if its name starts with Total (`_TOTAL_WORDS`). The ids, and the names of the
    rows whose id is not a plain code (a blank one never is), are folded as ids are
    (`fold_id_text`) and searched; each row's own check decides.
    """
    rows = [cells for _, cells in table.rows]
    ids: list[RawCell] = ([None] * len(rows) if id_index is None
                          else list(map(itemgetter(id_index), rows)))
    folded = fold_id_text("\n".join(unit_id for unit_id in ids if isinstance(unit_id, str)))
    if "total" in folded and _TOTAL_ID_LINE.search(folded):
        return True
    if name_index is None:
        return False
    names = [name for unit_id, name in zip(ids, map(itemgetter(name_index), rows), strict=True)
             if isinstance(name, str) and not (isinstance(unit_id, str) and unit_id.isalnum())]
    folded = fold_id_text("\n".join(names))
    return "total" in folded and _TOTAL_NAME_LINE.search(folded) is not None


def _without_total_rows(
    table: RawTable, columns: Mapping[str, int]
) -> tuple[RawTable, list[Problem]]:
    """Take out the total rows, each reported once: a sum is never a unit.

    A row whose id says TOTALE, or without an id and whose name starts with Totale, is the
    sum a planner adds at the bottom of the sheet; read as a unit it would give one "fill in
    the cell" message per empty cell, which leads the planner to fill it in.
    """
    id_index, name_index = columns.get("unit_id"), columns.get("name")
    if id_index is None and name_index is None:
        return table, []

    def is_total(cells: Sequence[RawCell]) -> bool:
        unit_id = None if id_index is None else cells[id_index]
        if unit_id is not None and is_total_label(unit_id):
            return True
        name = None if name_index is None else cells[name_index]
        return ((unit_id is None or is_blank(unit_id)) and isinstance(name, str)
                and _TOTAL_WORDS.match(name) is not None)

    if not _may_hold_total(table, id_index, name_index):
        return table, []
    totals = [number for number, cells in table.rows if is_total(cells)]
    if not totals:
        return table, []
    wanted = set(totals)
    problems = [Problem(_("this looks like a total row, not a unit: delete it (fsr-opt adds "
                          "up the table itself)"), file=table.file, row=number,
                        code=ErrorCode.TOTAL_ROW) for number in totals]
    return replace(table, rows=tuple(row for row in table.rows if row[0] not in wanted)), problems


def _declarations(table: RawTable, columns: Mapping[str, int], units: Sequence[UnitRecord],
                  rules: RuleSet) -> list[Problem]:
    """Make visible the units the optional yes/no columns exclude when left empty.

    ``Mantiene i requisiti`` and ``Dichiarazione Minori Web`` matter only to some types (an
    experimental SFA minori, a CEM...), and an empty value excludes such a unit, as the
    criteria say. A column missing (or headed otherwise) while the table has such units would
    exclude them all without a word: it is refused. An empty cell of such a unit is a warning
    naming the unit: its exclusion stays, as the rules make it.
    """
    types = rules.unit_types

    def needs_requirements(unit: UnitRecord) -> bool:
        kind = types[unit.unit_type]
        return kind.experimental_allowed and rules.judged_experimental(unit, kind)

    def needs_declaration(unit: UnitRecord) -> bool:
        return rules.needs_data_declaration(types[unit.unit_type])

    checks = (
        ("keeps_requirements", needs_requirements, text("reason.EXPERIMENTAL"),
         _("the cell is empty: the unit will be excluded as experimental, since it is not said "
           "to keep its requirements; write sì or no")),
        ("data_declared", needs_declaration, text("reason.MISSING_DATA_DECLARATION"),
         _("the cell is empty: the unit will be excluded, since the declaration is missing; "
           "write sì or no")),
    )
    known = [unit for unit in units if unit.unit_type in types]
    problems: list[Problem] = []
    for name, needs, reason, empty in checks:
        spec = INPUT_COLUMNS[_COLUMN_ORDER[name]]
        needing = [unit for unit in known if needs(unit)]
        if not needing:
            continue
        if name not in columns:
            counts = Counter(unit.unit_type for unit in needing)
            problems.append(Problem(
                _("the column '{heading}' is missing (or its heading is not recognised), but "
                  "{count} units need it ({types}): without it every one of them is excluded "
                  "({reason}); add a column headed '{heading}' with sì or no").format(
                      heading=spec.heading_it, count=len(needing),
                      types=", ".join(f"{code} {count}" for code, count in sorted(counts.items())),
                      reason=reason),
                file=table.file, row=table.header_row, column=spec.heading_it,
                code=ErrorCode.MISSING_COLUMN))
            continue
        heading = clip(table.headings[columns[name]])
        warn_each((Problem(empty, file=table.file, row=unit.row, column=heading,
                           code=ErrorCode.EMPTY_DECLARATION)
                   for unit in needing if getattr(unit, name) is None),
                  partial(_more_empty, table.file, heading))
    return problems


def _more_empty(file: str, heading: str, count: int) -> Problem:
    """The warning that counts the empty cells `_declarations` does not name one by one."""
    return Problem(_("and {count} more units of the table have an empty cell in this column; "
                     "they will be excluded").format(count=count),
                   file=file, column=heading, code=ErrorCode.EMPTY_DECLARATION)


def _unknown_types(table: RawTable, columns: Mapping[str, int], units: Sequence[UnitRecord],
                   unit_types: Collection[str]) -> list[Problem]:
    """One problem per unit whose type the rule set does not know (`engine.eligibility` too)."""
    unknown = {unit.unit_type for unit in units} - set(unit_types)
    if not unknown or "unit_type" not in columns:
        return []
    codes = ", ".join(sorted(unit_types))
    message = {code: _("unknown unit type '{type}'; use one of the rule set's codes: {codes}"
                       ).format(type=code, codes=codes) for code in unknown}
    for code in unknown:
        if (guess := suggest(code, unit_types)) is not None:
            message[code] = _("unknown unit type '{type}' (did you mean '{guess}'?); use one "
                              "of the rule set's codes: {codes}").format(
                                  type=code, guess=guess, codes=codes)
    return [Problem(message[unit.unit_type], file=table.file, row=unit.row,
                    column=table.headings[columns["unit_type"]], code=ErrorCode.UNKNOWN_TYPE)
            for unit in units if unit.unit_type in unknown]


def _row_checks(
    table: RawTable,
    columns: Mapping[str, int],
    number: int,
    values: Sequence[object],
    key: str,
    first_row_of: dict[str, tuple[int, str]],
) -> list[Problem]:
    """Checks across cells of a row: the id is unique, the end is not before the start.

    Ids are compared by `_id_keys`, ignoring case, spaces and the zeros that open a number:
    ``UDO 1234`` and ``udo1234`` name the same unit in the registry, and two rows for one
    unit would fund it twice. An error, not a warning: which row is right is the planner's
    call.

    Args:
        table: the table, for messages.
        columns: column name -> index in the table's cells.
        number: the row's number in the file.
        values: the row's values in `INPUT_COLUMNS` order (problems for unreadable cells).
        key: the row's id key (`_id_keys`).
        first_row_of: the first (row, id) of each id key seen so far; updated.
    """
    problems: list[Problem] = []
    unit_id, start, end = (values[_UNIT_ID], values[_START_DATE], values[_END_DATE])
    if isinstance(unit_id, str) and unit_id:
        if key in first_row_of:
            row, seen = first_row_of[key]
            same = (_("is already used in row {row}").format(row=row) if seen == unit_id else
                    _("is the same as '{seen}' in row {row} (ids are compared ignoring case, "
                      "spaces and leading zeros)").format(
                          seen=clip(seen), row=row))
            problems.append(Problem(
                _("the unit id '{id}' {same}; give every unit its own id").format(
                    id=clip(unit_id), same=same),
                file=table.file, row=number, column=table.headings[columns["unit_id"]],
                code=ErrorCode.DUPLICATE_ID))
        else:
            first_row_of[key] = (number, unit_id)
    if isinstance(start, date) and isinstance(end, date) and end < start:
        problems.append(Problem(
            _("the end date {end} is before the start date {start}; correct one of them").format(
                end=date_text(end), start=date_text(start)), file=table.file, row=number,
            column=table.headings[columns["end_date"]], code=ErrorCode.END_BEFORE_START))
    return problems


_COLUMN_ORDER = {spec.name: order for order, spec in enumerate(INPUT_COLUMNS)}
_UNIT_ID, _START_DATE, _END_DATE = (_COLUMN_ORDER[name]
                                    for name in ("unit_id", "start_date", "end_date"))


def _mixed_marks(file: str, marks: Sequence[tuple[int, str, str, str]]) -> list[Problem]:
    """Refuse a file whose amounts use both '.' and ',' as the decimal mark.

    Each such cell can be read on its own, but a file that writes ``1.234,56`` in one row and
    ``1,234.56`` or ``12.50`` in another was pasted together from two locales, and a figure
    such as ``1.234`` in it could mean either 1234 or 1.234: nothing is guessed, the cells that
    disagree with the file's more common mark (on a tie, with its first) are reported.
    """
    counts = {mark: sum(1 for m in marks if m[3] == mark) for mark in (".", ",")}
    if not all(counts.values()):
        return []
    first = marks[0]
    usual = max((".", ","), key=lambda mark: (counts[mark], mark == first[3]))
    example = next(m for m in marks if m[3] == usual)
    others = counts[usual] - 1
    where = _("row {row} (column '{column}': {how})").format(
        row=example[0], column=example[1], how=_how(example[2], usual))
    if others:
        where += (_(" and {count} other cells") if others > 1 else
                  _(" and one other cell")).format(count=others)
    return [Problem(
        _("{how}, but {where} the other way; the file mixes two number formats, so no amount "
          "can be read with certainty: write every amount the same way, e.g. 1234.56").format(
              how=_how(text, mark), where=where),
        file=file, row=row, column=heading, code=ErrorCode.MIXED_NUMBER_FORMAT)
        for row, heading, text, mark in marks if mark != usual]


def _how(text: str, mark: str) -> str:
    """Say how a figure shows its decimal mark: written, or told by thousands separators.

    In a ';' CSV (Excel's Italian dialect) ``1.500`` is one thousand five hundred: its '.'
    separates thousands, so ',' would be its decimal mark, though none is written.
    """
    shown = clip(text)
    if mark in text:
        return _("'{shown}' has '{mark}' as the decimal mark").format(shown=shown, mark=mark)
    group = "." if mark == "," else ","
    return _("'{shown}' has '{group}' between thousands, as a file with '{mark}' decimals "
             "writes").format(shown=shown, group=group, mark=mark)
