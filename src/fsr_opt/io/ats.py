"""The files of the ATS level: its rule set, the indicators, the reports, a split, transfers.

Every table is read through `fsr_opt.io.tables` (CSV or XLSX, the same header checks) and
every cell through `fsr_opt.io.cells` (Italian and plain numbers, amounts in exact cents), and
every problem of a file is collected before raising, each naming file, row and column. Ambito
codes are matched to the rule set's ignoring case, accents and spaces (`normalize_id`), and
each Ambito must appear once (docs/ats.md, "Inputs").
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from fractions import Fraction
from pathlib import Path

from fsr_opt.core.ats import AmbitoIndicators, AmbitoReport, AtsRules, Transfer
from fsr_opt.core.errors import ErrorCode, InputError, Problem
from fsr_opt.core.i18n import N_, _
from fsr_opt.io.bundled import _file
from fsr_opt.io.cells import (
    CellProblem,
    RawCell,
    cell_text,
    clip,
    fold_heading,
    normalize_id,
    parse_count,
    parse_decimal,
    parse_money,
    quoted,
)
from fsr_opt.io.tables import RawTable, match_headings, read_table
from fsr_opt.io.xlsx import SheetChoice

DEFAULT_ATS_RULES = "ats-bergamo-2025.yaml"
DEFAULT_ATS_EXAMPLE = "ats-bergamo-2025"
MAX_INDICATOR = 10**9
"""Above this an indicator is a typing error (a region has about 10 million people)."""


def default_ats_rules_path() -> Path:
    """The bundled ATS rule set (ATS Bergamo, Bonus Assistenti Familiari 2025)."""
    return _file("models", DEFAULT_ATS_RULES)


def default_ats_example(name: str) -> Path:
    """A file of the bundled ATS example (``indicators.csv``, ``monitoring.csv``)."""
    return _file("examples", DEFAULT_ATS_EXAMPLE, name)


# ---------------------------------------------------------------------------------------------
# A table of Ambiti: one row per Ambito of the rule set
# ---------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Column:
    """A column of an ATS table: its name, how its cells read, and other headings for it."""

    name: str
    kind: str  # "ambito", "text", "money", "count", "figure"
    required: bool = True
    aliases: tuple[str, ...] = ()


AMBITO = Column("ambito", "ambito", aliases=("codice ambito", "ambito territoriale", "cod"))
NAME = Column("name", "text", required=False, aliases=("nome", "denominazione"))


def _choice(columns: Sequence[Column], names: Sequence[str], suggested: str) -> SheetChoice:
    wanted = {fold_heading(c.name) for c in columns if c.required}
    lookup = _lookup(columns)

    def looks_right(headings: Sequence[str]) -> bool:
        return wanted <= {lookup.get(fold_heading(h), "") for h in headings}

    return SheetChoice(frozenset(fold_heading(n) for n in names), looks_right, suggested)


def _lookup(columns: Sequence[Column]) -> dict[str, str]:
    lookup: dict[str, str] = {}
    for column in columns:
        for heading in (column.name, *column.aliases):
            lookup[fold_heading(heading)] = column.name
    return lookup


_Value = str | int | Fraction
TOTAL_ROWS = frozenset({"total", "totale"})
"""A row of a table of Ambiti whose Ambito cell says this is a total: skipped."""


def read_ambito_table(
    path: str | Path,
    columns: Sequence[Column],
    *,
    ambiti: Mapping[str, str] | None,
    what: str,
    sheet_names: Sequence[str] = (),
    every_ambito: bool = True,
    one_row_each: bool = True,
) -> tuple[RawTable, list[tuple[int, dict[str, _Value]]]]:
    """Read a table whose rows name an Ambito; every problem at once.

    Args:
        path: the CSV or XLSX file.
        columns: its columns (the ``ambito`` column first).
        ambiti: the rule set's Ambiti (code -> label) to match codes to; None: any code.
        what: what one row is, for messages (``N_("indicators of an Ambito")``).
        sheet_names: the names of the sheet to prefer in a workbook.
        every_ambito: every Ambito of the rule set must have a row.
        one_row_each: an Ambito may have one row only.

    Returns:
        The raw table and, per data row, its number and its values by column name (the
        ``ambito`` value is the rule set's spelling of the code).

    Raises:
        InputError: one `Problem` per bad heading, cell, unknown or repeated Ambito.
    """
    table = read_table(path, _choice(columns, sheet_names, sheet_names[0] if sheet_names
                                     else "Ambiti"))
    found, duplicates, _unknown = match_headings(table, _lookup(columns))
    problems = [*table.problems, *duplicates]
    for column in columns:
        if column.required and column.name not in found:
            names = ", ".join(c.name for c in columns if c.required)
            problems.append(Problem(
                _("the required column '{column}' is missing; the table needs the columns "
                  "{names}").format(column=column.name, names=names), file=table.file,
                row=table.header_row, column=column.name, code=ErrorCode.MISSING_COLUMN))
    if problems:
        raise InputError(problems)
    if not table.rows:
        raise InputError([Problem(_("the table has headings but no rows; add one row per "
                                    "{what}").format(what=_(what)), file=table.file,
                                  row=table.header_row,
                                  code=ErrorCode.NO_ROWS)])
    known = {normalize_id(code): code for code in (ambiti or {})}
    seen: dict[str, int] = {}
    rows: list[tuple[int, dict[str, _Value]]] = []
    for number, cells in table.rows:
        first = cell_text(cells[found[AMBITO.name]]) if AMBITO.name in found else ""
        if isinstance(first, str) and normalize_id(first) in TOTAL_ROWS:
            continue  # a total row under the Ambiti (ours end with none; hand-made ones may)
        values: dict[str, _Value] = {}
        for column in columns:
            if column.name not in found:
                continue
            heading = table.headings[found[column.name]]
            value = _read(column, cells[found[column.name]], table, heading)
            if isinstance(value, CellProblem):
                problems.append(Problem(value.message, file=table.file, row=number,
                                        column=heading, code=value.code))
                continue
            if column.kind == "ambito":
                assert isinstance(value, str)
                key = normalize_id(value)
                if ambiti is not None and key not in known:
                    listed = ", ".join(ambiti)
                    problems.append(Problem(
                        _("'{value}' is not an Ambito of the rule set; use one of "
                          "{listed}").format(value=clip(value), listed=listed),
                        file=table.file, row=number, column=heading,
                        code=ErrorCode.ATS_UNKNOWN_AMBITO))
                    continue
                value = known.get(key, value)
                if one_row_each and key in seen:
                    problems.append(Problem(
                        _("the Ambito '{ambito}' is already in row {row}; give each Ambito one "
                          "row").format(ambito=value, row=seen[key]), file=table.file,
                        row=number, column=heading,
                        code=ErrorCode.DUPLICATE_ID))
                    continue
                seen.setdefault(key, number)
            if value is not None:
                values[column.name] = value
        rows.append((number, values))
    if ambiti is not None and every_ambito:
        missing = [code for code in ambiti if normalize_id(code) not in seen]
        if missing:
            problems.append(Problem(
                _("no row for the Ambiti {missing} of the rule set; add one row for each "
                  "({what})").format(missing=", ".join(missing), what=_(what)),
                file=table.file, code=ErrorCode.ATS_MISSING_AMBITO))
    if problems:
        raise InputError(problems)
    return table, rows


def _read(
    column: Column, cell: RawCell, table: RawTable, heading: str
) -> _Value | CellProblem | None:
    """One cell of `column`: its value, None when empty and optional, or why it is unreadable.

    A message names the column by its heading in the file (``population_65``, or
    ``popolazione 65+`` when the file says so), never by the program's own code for it.
    """
    shown = cell_text(cell)
    if isinstance(shown, CellProblem) or (column.kind in ("ambito", "text") and shown):
        return shown
    if not shown:
        if column.required:
            return CellProblem(ErrorCode.EMPTY_VALUE, _(
                "the cell is empty; write the value of the column '{column}'").format(
                    column=clip(heading)))
        return None
    if column.kind == "money":
        return parse_money(cell, table.dialect)
    if column.kind == "count":
        return parse_count(cell, table.dialect, maximum=MAX_INDICATOR, noun=_("applications"))
    value = _figure(cell, table)
    if isinstance(value, Fraction) and value > MAX_INDICATOR:
        return CellProblem(ErrorCode.TOO_LARGE, _(
            "'{value}' is implausibly large for an indicator; check the figure").format(
                value=quoted(cell)))
    return value


def _figure(cell: RawCell, table: RawTable) -> Fraction | CellProblem:
    """An indicator's figure (residents, applications, desks): a number, 0 or more, exact."""
    number = parse_decimal(cell, table.dialect)
    if isinstance(number, CellProblem):
        if number.code is ErrorCode.NOT_A_NUMBER:
            return CellProblem(ErrorCode.NOT_A_NUMBER, _(
                "'{value}' is not a number; write a figure such as 38500").format(
                    value=quoted(cell)))
        return number
    if number < 0:
        return CellProblem(ErrorCode.NEGATIVE, _(
            "'{value}' is negative; an indicator is 0 or more").format(value=quoted(cell)))
    return Fraction(number)


# ---------------------------------------------------------------------------------------------
# The tables
# ---------------------------------------------------------------------------------------------

_INDICATOR_ALIASES: Mapping[str, tuple[str, ...]] = {
    "population_65": ("popolazione 65+", "popolazione over 65", "over 65", "pop 65"),
    "admitted_applications": ("domande ammesse", "domande ammesse e finanziate"),
    "desks": ("sportelli", "sportelli attivi"),
}


def load_indicators(path: str | Path, rules: AtsRules) -> tuple[AmbitoIndicators, ...]:
    """Read the indicators table: one row per Ambito, one column per indicator of the rules.

    Raises:
        InputError: every problem of the file at once.
    """
    columns = [AMBITO, NAME, *(Column(code, "figure", aliases=_INDICATOR_ALIASES.get(code, ()))
                               for code in rules.columns)]
    _table, rows = read_ambito_table(path, columns, ambiti=rules.ambiti,
                                     what=N_("indicators of an Ambito"),
                                     sheet_names=("indicatori", "indicators"))
    result = []
    for number, values in rows:
        figures = {code: values[code] for code in rules.columns}
        result.append(AmbitoIndicators(
            str(values["ambito"]),
            {code: value for code, value in figures.items() if isinstance(value, Fraction)},
            number))
    return tuple(result)


MONITOR_COLUMNS = (
    AMBITO, NAME,
    Column("assigned", "money", aliases=("assegnato", "importo assegnato", "risorse assegnate")),
    Column("committed", "money", aliases=("impegnato", "importo impegnato", "impegni")),
    Column("spent", "money", aliases=("speso", "liquidato", "spesa effettiva", "spesa")),
    Column("unmet_applications", "count", aliases=(
        "domande non finanziate", "domande ammesse non finanziate")),
    Column("unmet_amount", "money", aliases=(
        "importo domande non finanziate", "fabbisogno non coperto", "domanda non coperta")),
)


def load_monitoring(path: str | Path, rules: AtsRules) -> tuple[AmbitoReport, ...]:
    """Read the Ambiti's reports: assigned, committed, spent and unmet demand per Ambito.

    Every Ambito of the rule set must report (an Ambito without a report cannot be monitored,
    nor give or receive in a rebalance).

    Raises:
        InputError: every problem of the file at once.
    """
    _table, rows = read_ambito_table(path, MONITOR_COLUMNS, ambiti=rules.ambiti,
                                     what=N_("report of an Ambito"),
                                     sheet_names=("monitoraggio", "monitoring"))
    return tuple(
        AmbitoReport(str(v["ambito"]), _int(v["assigned"]), _int(v["committed"]),
                     _int(v["spent"]), _int(v["unmet_applications"]), _int(v["unmet_amount"]),
                     number)
        for number, v in rows)


def _int(value: _Value) -> int:
    assert isinstance(value, int), value
    return value


SPLIT_COLUMNS = (
    AMBITO, NAME,
    Column("total", "money", aliases=("importo", "totale", "assegnato", "amount", "fund")),
    Column("main", "money", required=False, aliases=("quota indicatori",)),
    Column("set_aside", "money", required=False, aliases=("quota registri e sportelli",)),
)


@dataclass(frozen=True)
class SplitRow:
    """One row of a split table as written (ours, or one made by hand)."""

    ambito: str
    total: int
    main: int | None
    set_aside: int | None
    row: int


def load_split(path: str | Path, ambiti: Mapping[str, str] | None) -> tuple[SplitRow, ...]:
    """Read a split (``split.csv`` of `fsr-opt ats split`, or one made by hand).

    Columns: ``ambito`` and ``total`` (euros); optional ``main`` and ``set_aside``. A row
    ``TOTAL`` (our own files end with one) is skipped.

    Args:
        path: the file.
        ambiti: the rule set's Ambiti to match codes to (every one must have a row); None
            for any code (the region manifest's flow matches its own codes).

    Raises:
        InputError: every problem of the file at once.
    """
    _table, rows = read_ambito_table(path, SPLIT_COLUMNS, ambiti=ambiti,
                                     what=N_("Ambito of the split"),
                                     sheet_names=("riparto", "split"))
    return tuple(SplitRow(str(v["ambito"]), _int(v["total"]),
                          _opt(v.get("main")), _opt(v.get("set_aside")), number)
                 for number, v in rows)


def _opt(value: _Value | None) -> int | None:
    return None if value is None else _int(value)


TRANSFER_COLUMNS = (
    Column("donor", "ambito", aliases=("da", "cedente", "ambito cedente", "from")),
    Column("receiver", "ambito", aliases=("a", "ricevente", "ambito ricevente", "to")),
    Column("amount", "money", aliases=("importo",)),
)


def load_transfers(path: str | Path, rules: AtsRules) -> tuple[Transfer, ...]:
    """Read a transfer table (``transfers.csv`` of `fsr-opt ats rebalance`, or by hand).

    Raises:
        InputError: every problem of the file at once.
    """
    table = read_table(path, _choice(TRANSFER_COLUMNS, ("trasferimenti", "transfers"),
                                     "Trasferimenti"))
    found, duplicates, _unknown = match_headings(table, _lookup(TRANSFER_COLUMNS))
    problems = [*table.problems, *duplicates]
    for column in TRANSFER_COLUMNS:
        if column.name not in found:
            problems.append(Problem(
                _("the required column '{column}' is missing; the table needs the columns "
                  "donor, receiver and amount").format(column=column.name), file=table.file,
                row=table.header_row,
                column=column.name, code=ErrorCode.MISSING_COLUMN))
    if problems:
        raise InputError(problems)
    known = {normalize_id(code): code for code in rules.ambiti}
    transfers = []
    for number, cells in table.rows:
        values: dict[str, _Value] = {}
        for column in TRANSFER_COLUMNS:
            heading = table.headings[found[column.name]]
            value = _read(column, cells[found[column.name]], table, heading)
            if isinstance(value, str) and column.kind == "ambito":
                if normalize_id(value) in TOTAL_ROWS:
                    break
                if normalize_id(value) not in known:
                    value = CellProblem(ErrorCode.ATS_UNKNOWN_AMBITO, _(
                        "'{value}' is not an Ambito of the rule set; use one of "
                        "{listed}").format(value=clip(value), listed=", ".join(rules.ambiti)))
                else:
                    value = known[normalize_id(value)]
            if isinstance(value, CellProblem):
                problems.append(Problem(value.message, file=table.file, row=number,
                                        column=heading, code=value.code))
            elif value is not None:
                values[column.name] = value
        if len(values) == len(TRANSFER_COLUMNS):
            transfers.append(Transfer(str(values["donor"]), str(values["receiver"]),
                                      _int(values["amount"])))
    if problems:
        raise InputError(problems)
    return tuple(transfers)

