"""The manifest of a region run: one row per Ambito, checked whole before anything is solved.

Each row names an Ambito's units table, rule set and fund. Several rows may name one units
table with an ``ambito`` column: each Ambito then takes its rows, and that column is checked
here too, so that a row left without its Ambito is reported before any solve (docs/region.md).
"""

from __future__ import annotations

import functools
import logging
import os
import re
from collections.abc import Callable, Collection, Mapping, Sequence
from dataclasses import dataclass, replace
from decimal import Decimal
from pathlib import Path

from fsr_opt.core.errors import ErrorCode, InputError, Problem
from fsr_opt.core.i18n import N_, _
from fsr_opt.core.money import CENTS_PER_EURO
from fsr_opt.io.bundled import rule_sets_folder
from fsr_opt.io.cells import (
    CellProblem,
    Dialect,
    RawCell,
    cell_text,
    clip,
    fold_heading,
    foreign_digits,
    parse_decimal,
    parse_money,
    quoted,
)
from fsr_opt.io.source import RULE_EXTENSIONS, TABLE_EXTENSIONS
from fsr_opt.io.tables import RawTable, TableCache, match_headings, read_table
from fsr_opt.io.units import AMBITO_COLUMN, UNITS_SHEET, ambito_index, ambito_key
from fsr_opt.io.xlsx import SheetChoice

logger = logging.getLogger(__name__)

# Folded headings of the manifest -> its columns (Italian aliases for the planner's sheets).
_MANIFEST_HEADINGS: Mapping[str, str] = {
    "ambito": "ambito", "codice ambito": "ambito",
    "units": "units", "unita": "units", "tabella unita": "units",
    "rules": "rules", "regole": "rules", "rule set": "rules",
    "budget": "budget", "fondo": "budget", "fund": "budget",
}
# An Ambito code names its output folder: letters, digits, '-' and '_' only, so that it is
# safe on every file system and can never be '..' or clash with region-summary.csv.
_AMBITO_CODE = re.compile(r"[A-Za-z0-9][A-Za-z0-9_-]{0,63}")
_RESERVED_NAMES = frozenset({"con", "prn", "aux", "nul", *(f"com{i}" for i in range(10)),
                             *(f"lpt{i}" for i in range(10))})  # folder names Windows refuses


def _has_manifest_headings(headings: Sequence[str]) -> bool:
    """True when the headings include the manifest's ``ambito`` and ``units`` columns."""
    names = {_MANIFEST_HEADINGS.get(fold_heading(heading)) for heading in headings}
    return {"ambito", "units"} <= names


MANIFEST_SHEET = SheetChoice(frozenset({"region", "regione", "manifest", "ambiti"}),
                             _has_manifest_headings, "Ambiti")
"""The manifest's sheet: ``Ambiti``, ``Region``..., else the one with its headings."""


@dataclass(frozen=True)
class ManifestEntry:
    """One Ambito of a region run, as the manifest names it, with its paths resolved.

    Attributes:
        row: the manifest row (for messages).
        ambito: the Ambito's code (also the name of its output folder).
        units: its units table.
        rules: its rule set; None for the bundled one.
        budget: the fund that overrides the rule set's, as written (euros), or None.
        split: the units table has an ``ambito`` column: this Ambito's units are its rows
            with this code (``load_units(units, ambito=...)``).
    """

    row: int
    ambito: str
    units: Path
    rules: Path | None
    budget: str | None
    split: bool


@dataclass(frozen=True)
class Manifest:
    """A checked region manifest: its Ambiti sorted by code."""

    source: str
    sha256: str
    entries: tuple[ManifestEntry, ...]


_Report = Callable[[str, ErrorCode, str], None]


def load_manifest(path: str | Path, *, cache: TableCache | None = None) -> Manifest:
    """Read and check the manifest of a region run (CSV or XLSX, one row per Ambito).

    Columns (case-insensitive; others, such as ``rows``, are ignored): ``ambito`` (code,
    required and unique), ``units`` (the Ambito's units table, relative to the manifest's
    folder), ``rules`` (its rule set: relative to the manifest's folder, else to the bundled
    rule sets' project folder, as in ``models/fsr-2025-bergamo.yaml``; empty for the bundled
    one) and ``budget`` (euros, overriding the rule set's fund; empty to keep it).

    Several rows may name one units table with an ``ambito`` column: each Ambito then takes
    its rows. Every problem is collected before raising: of the manifest (a missing file, a
    repeated or unsafe code, a bad budget) and of each shared table's ``ambito`` column (a
    row whose Ambito the manifest does not give that table, an Ambito with no rows).

    Args:
        path: the manifest.
        cache: where the units tables read for the checks are kept, for the solves that
            follow (`load_units` with the same cache).

    Raises:
        InputError: one `Problem` per problem, naming file, row and column.
    """
    table = read_table(path, MANIFEST_SHEET)
    folder = Path(path).parent
    columns, duplicates, unknown = match_headings(table, _MANIFEST_HEADINGS)
    for heading in unknown:
        logger.debug("%s: column '%s' is not a manifest column; ignored", table.file, heading)
    problems = [*table.problems, *duplicates]
    for name in ("ambito", "units"):
        if name not in columns:
            problems.append(Problem(
                _("the required column '{column}' is missing; the manifest needs the columns "
                  "ambito, units and, optionally, rules and budget").format(column=name),
                file=table.file,
                row=table.header_row, column=name, code=ErrorCode.MISSING_COLUMN))
    if problems:
        raise InputError(problems)
    if not table.rows:
        raise InputError([Problem(_("the manifest has headings but no Ambito; add one row per "
                                    "Ambito"), file=table.file, row=table.header_row,
                                  code=ErrorCode.NO_ROWS)])
    entries: list[ManifestEntry] = []  # every row with a good code and table, for the checks
    valid: set[int] = set()  # the rows without any problem
    first_row_of: dict[str, tuple[int, str]] = {}
    for number, cells in table.rows:
        before = len(problems)
        problem = functools.partial(_manifest_problem, table, columns, number, problems)
        texts: dict[str, str | None] = {}  # None: unreadable, already reported
        for name in ("ambito", "units", "rules", "budget"):
            text = cell_text(cells[columns[name]]) if name in columns else ""
            if isinstance(text, CellProblem):
                problem(name, text.code, text.message)
            texts[name] = None if isinstance(text, CellProblem) else text
        ambito = (None if texts["ambito"] is None else
                  _check_ambito_code(texts["ambito"], number, first_row_of, problem))
        units = None if texts["units"] is None else _manifest_path(
            texts["units"], folder, TABLE_EXTENSIONS, N_("units table"), problem, "units")
        rules = _manifest_path(texts["rules"], folder, RULE_EXTENSIONS, N_("rule set"), problem,
                               "rules", bundled=True) if texts["rules"] else None
        budget = (_check_budget(cells[columns["budget"]], texts["budget"], problem,
                                table.dialect) if texts["budget"] else None)
        if ambito is not None and units is not None:
            entries.append(ManifestEntry(number, ambito, units, rules, budget, split=False))
            if len(problems) == before:
                valid.add(number)
    entries = [entry for entry in _split_shared_tables(table, columns, entries, problems, cache)
               if entry.row in valid]
    if problems:
        raise InputError(sorted(problems, key=lambda p: (p.file != table.file, p.file or "",
                                                         p.row or 0)))
    return Manifest(table.file, table.sha256,
                    tuple(sorted(entries, key=lambda e: (e.ambito.casefold(), e.ambito))))


def _manifest_problem(
    table: RawTable, columns: Mapping[str, int], number: int, problems: list[Problem],
    name: str, code: ErrorCode, message: str,
) -> None:
    """Report a problem of a manifest cell (bound to one row with `functools.partial`)."""
    problems.append(Problem(message, file=table.file, row=number,
                            column=table.headings[columns[name]], code=code))


def _check_ambito_code(
    text: str, number: int, first_row_of: dict[str, tuple[int, str]], problem: _Report
) -> str | None:
    """Return a valid, new Ambito code, or None after reporting why it is not."""
    if not text:
        problem("ambito", ErrorCode.EMPTY_VALUE, _("the cell is empty; write the Ambito's code"))
        return None
    if not _AMBITO_CODE.fullmatch(text) or text.casefold() in _RESERVED_NAMES:
        problem("ambito", ErrorCode.BAD_AMBITO_CODE,
                _("'{code}' cannot be an Ambito code: the code names the Ambito's output "
                  "folder, so write 1 to 64 letters, digits, '-' or '_' (e.g. ambito-01)"
                  ).format(code=clip(text)))
        return None
    if text.casefold() in first_row_of:
        row, seen = first_row_of[text.casefold()]
        same = "" if seen == text else _(" ('{seen}': codes are compared ignoring case)").format(
            seen=seen)
        problem("ambito", ErrorCode.DUPLICATE_AMBITO,
                _("the Ambito '{code}' is already in row {row}{same}; give each Ambito one row"
                  ).format(code=text, row=row, same=same))
        return None
    first_row_of[text.casefold()] = (number, text)
    return text


def _manifest_path(
    text: str,
    folder: Path,
    extensions: Collection[str],
    what: str,
    problem: _Report,
    column: str,
    *,
    bundled: bool = False,
) -> Path | None:
    """Resolve a path of the manifest (relative to its folder); None after reporting a problem.

    With `bundled`, a relative path missing next to the manifest is also looked for in the
    project folder of the bundled rule sets (``models/fsr-2025-bergamo.yaml``).
    """
    if not text:
        problem(column, ErrorCode.EMPTY_VALUE,
                _("the cell is empty; write the path of the {what}").format(what=_(what)))
        return None
    given = Path(text)
    if given.suffix.lower() not in extensions:
        problem(column, ErrorCode.UNSUPPORTED_FORMAT,
                _("'{path}' is not a {what} file: use a {extensions} file").format(
                    path=clip(text), what=_(what), extensions=", ".join(sorted(extensions))))
        return None
    # Normalised (``a/../b`` -> ``b``) so that run.json names the file plainly.
    places = [Path(os.path.normpath(given if given.is_absolute() else folder / given))]
    if bundled and not given.is_absolute():
        # "models/fsr-2025-bergamo.yaml" names a bundled rule set, in a checkout or installed
        places.append(Path(os.path.normpath(rule_sets_folder().parent / given)))
    for place in places:
        if place.is_file():
            return place
        if place.is_dir():
            problem(column, ErrorCode.NOT_A_FILE,
                    _("'{path}' is a folder, not a {what} file").format(path=place, what=_(what)))
            return None
    where = _(" or ").join(f"'{place}'" for place in places)
    problem(column, ErrorCode.FILE_NOT_FOUND,
            _("the {what} '{path}' is not found (looked for {where}); paths are relative to "
              "the manifest's folder").format(what=_(what), path=clip(text), where=where))
    return None


def _check_budget(cell: RawCell, text: str, problem: _Report, dialect: Dialect) -> str | None:
    """Return a fund as exact decimal text, read as every amount of fsr-opt is, or None.

    The cell parser reads it in the manifest's dialect (``850000.00``, ``850.000,00``); an
    amount that reads two ways (``1.000`` outside Excel's Italian CSV) is refused. An Excel
    number cell is the number it is (`parse_money`: a typed 1.234 is never 1234 with its
    thousands grouped, and Excel's float noise is the cent it stands for), quoted in the
    message's language.
    """
    def refused(reason: str) -> None:
        problem("budget", ErrorCode.BAD_BUDGET, _(
            "{reason}; write a positive amount such as 850.000,00 or 850000.00, or leave the "
            "cell empty to keep the rule set's fund").format(reason=reason))

    def not_a_fund(shown: str) -> None:
        refused(_("'{value}' is not a fund in euros").format(value=shown))

    if isinstance(cell, int | float) and not isinstance(cell, bool):
        cents = parse_money(cell, negative=True)
        if isinstance(cents, CellProblem) and cents.code is ErrorCode.TOO_MANY_DECIMALS:
            problem("budget", ErrorCode.BAD_BUDGET, cents.message)
        elif isinstance(cents, CellProblem) or cents <= 0:
            not_a_fund(quoted(cell))
        else:
            return format(Decimal(cents) / CENTS_PER_EURO, "f")
        return None
    value = parse_decimal(text, dialect, currency=True)
    if isinstance(value, CellProblem):
        if value.code is ErrorCode.AMBIGUOUS_NUMBER or foreign_digits(text):
            refused(value.message)
        else:
            not_a_fund(clip(text))
        return None
    if value <= 0:
        not_a_fund(clip(text))
        return None
    exponent = value.as_tuple().exponent
    if isinstance(exponent, int) and exponent < -2:
        problem("budget", ErrorCode.BAD_BUDGET,
                _("'{value}' has more than two decimals; round it to the cent").format(
                    value=clip(text)))
        return None
    return format(value, "f")


def _split_shared_tables(
    manifest: RawTable,
    columns: Mapping[str, int],
    entries: Sequence[ManifestEntry],
    problems: list[Problem],
    cache: TableCache | None,
) -> list[ManifestEntry]:
    """Check the ``ambito`` column of the units tables that carry one; mark their entries.

    A table named by several Ambiti must have the column; every row of a table with the
    column must name an Ambito that the manifest gives this table, and each such Ambito must
    have at least one row. The table is read here only for its headings and that column.
    """
    by_table: dict[Path, list[ManifestEntry]] = {}
    for entry in entries:
        by_table.setdefault(entry.units.resolve(), []).append(entry)
    codes = {entry.ambito.casefold(): entry for entry in entries}
    result: list[ManifestEntry] = []
    for group in by_table.values():
        shared = len(group) > 1
        try:
            # each Ambito's load warns of its own hidden rows (`load_units`)
            table = read_table(group[0].units, UNITS_SHEET, cache=cache, warn_hidden=False)
        except InputError as exc:  # one Ambito's own table: its solve reports it, alone
            if shared:
                problems.extend(exc.problems)
            else:
                result.extend(group)
            continue
        index = ambito_index(table.headings)
        if index is None:
            if cache is not None:  # its Ambito's solve reads it whole, without the cache
                cache.clear()
            if shared:
                problems.extend(Problem(
                    _("{count} Ambiti name the units table '{table}', which has no '{column}' "
                      "column to tell their rows apart; add that column, or give each Ambito "
                      "its own table").format(count=len(group), table=entry.units,
                                              column=AMBITO_COLUMN),
                    file=manifest.file, row=entry.row,
                    column=manifest.headings[columns["units"]], code=ErrorCode.NO_AMBITO_COLUMN)
                    for entry in group)
            else:
                result.extend(group)
            continue
        if shared:  # a broken shared table would fail each of its Ambiti: report it once
            problems.extend(table.problems)
        heading = table.headings[index]
        mine = {entry.ambito.casefold(): entry for entry in group}
        counts = dict.fromkeys(mine, 0)
        for number, cells in table.rows:
            key = ambito_key(cells[index])
            if key in mine:
                counts[key] += 1
                continue
            shown_code = clip(str(cell_text(cells[index]) if key else ""))
            if not key:
                message = _("the cell is empty; write the code of the row's Ambito")
            elif key in codes:
                message = _("the row is of Ambito '{code}', but the manifest gives that Ambito "
                            "the table '{table}'; move the row, or name this table in its "
                            "manifest row").format(code=shown_code, table=codes[key].units)
            else:
                message = _("'{code}' is not an Ambito of the manifest ({ambiti} use this "
                            "table); correct the code or add the Ambito to the manifest").format(
                    code=shown_code, ambiti=", ".join(entry.ambito for entry in group))
            problems.append(Problem(message, file=table.file, row=number, column=heading,
                                    code=(ErrorCode.UNKNOWN_AMBITO if key
                                          else ErrorCode.EMPTY_VALUE)))
        for key, count in counts.items():
            if not count:
                entry = mine[key]
                problems.append(Problem(
                    _("the units table '{table}' has no row of Ambito '{code}' in its column "
                      "'{column}'").format(table=entry.units, code=entry.ambito,
                                           column=heading), file=manifest.file, row=entry.row,
                    column=manifest.headings[columns["ambito"]], code=ErrorCode.NO_ROWS))
        result.extend(replace(entry, split=True) for entry in group)
    return result
