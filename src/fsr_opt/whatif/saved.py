"""A saved run read back: the rows of its allocation.csv and summary.csv into a `RunView`.

``compare`` of two run folders goes through here; a what-if in memory goes through
`fsr_opt.whatif.view.view_from_outcomes`. Both give the same view of the same run (tested),
hence the same differences. `view_from_rows` is the one entry point: it takes the rows as
text and never touches a file (the pipeline reads them).
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from fractions import Fraction

from fsr_opt.core.errors import ErrorCode, InputError, Problem
from fsr_opt.core.i18n import _
from fsr_opt.io.cells import (
    CellProblem,
    Dialect,
    RawCell,
    cell_text,
    is_blank,
    is_total_label,
    normalize_id,
    parse_bool,
    parse_count,
    parse_money,
    parse_share,
)
from fsr_opt.whatif.view import TOTAL, LineView, RunView, UnitView

ALLOCATION_NEEDS = ("unit_id", "name", "area", "service", "eligible", "award", "binding")
SUMMARY_NEEDS = ("area", "service", "budget", "target", "historical", "awarded",
                 "deviation", "units_funded")
_HISTORICAL = re.compile(r"historical(_[0-9]{4})?")
"""summary.csv heads the reference year's amounts with that year (``historical_2024``)."""


class _Reader:
    """Reads the cells of a saved file with `fsr_opt.io.cells`, collecting every problem.

    The cells are those of the file (text from a CSV, typed values from a workbook), read in
    the file's number dialect, exactly as the units table and the audit read theirs.
    """

    def __init__(self, source: str, dialect: Dialect) -> None:
        self.source = source
        self.dialect = dialect
        self.problems: list[Problem] = []

    def where(self, record: Mapping[str, RawCell]) -> int | None:
        number = record.get("__row__")
        if isinstance(number, int) and not isinstance(number, bool):
            return number
        return int(number) if isinstance(number, str) and number.isascii() and \
            number.isdigit() else None

    def _value(self, record: Mapping[str, RawCell], column: str, value: object) -> object:
        if isinstance(value, CellProblem):
            self.problems.append(Problem(value.message, file=self.source,
                                         row=self.where(record), column=column,
                                         code=value.code))
            return None
        return value

    def text(self, record: Mapping[str, RawCell], column: str) -> str:
        value = self._value(record, column, cell_text(record.get(column)))
        return value if isinstance(value, str) else ""

    def cents(self, record: Mapping[str, RawCell], column: str, *, blank: int | None = 0
              ) -> int:
        cell = record.get(column)
        if is_blank(cell) and blank is not None:
            return blank
        value = self._value(record, column, parse_money(cell, self.dialect, negative=True))
        return value if isinstance(value, int) else 0

    def count(self, record: Mapping[str, RawCell], column: str) -> int:
        value = self._value(record, column, parse_count(record.get(column), self.dialect,
                                                        noun="units"))
        return value if isinstance(value, int) else 0

    def fraction(self, record: Mapping[str, RawCell], column: str) -> Fraction:
        cell = record.get(column)
        if is_blank(cell):
            return Fraction(0)
        value = self._value(record, column, parse_share(cell, self.dialect, percent=False))
        return value if isinstance(value, Fraction) else Fraction(0)

    def boolean(self, record: Mapping[str, RawCell], column: str) -> bool:
        value = self._value(record, column, parse_bool(record.get(column)))
        return value is True


def _missing_columns(
    headings: Sequence[str], needed: Sequence[str], source: str
) -> list[Problem]:
    return [
        Problem(_("column '{name}' is missing: is this an allocation of fsr-opt?").format(
            name=name), file=source, column=name, code=ErrorCode.MISSING_COLUMN)
        for name in needed if name not in headings
    ]


def _units(allocation: Sequence[Mapping[str, RawCell]], reader: _Reader) -> list[UnitView]:
    units = []
    seen: dict[str, str] = {}
    for record in allocation:
        if is_total_label(record.get("unit_id")):
            continue  # a TOTALE row (allocation.xlsx's last) adds the units up
        unit_id = reader.text(record, "unit_id")
        key = normalize_id(unit_id)
        if key in seen:
            message = (_("the unit id '{unit}' appears twice").format(unit=unit_id)
                       if seen[key] == unit_id else
                       _("the unit id '{unit}' appears twice (as '{first}'; ids are compared "
                         "ignoring case, spaces and invisible characters)").format(
                             unit=unit_id, first=seen[key]))
            reader.problems.append(Problem(
                message, file=reader.source,
                row=reader.where(record), column="unit_id", code=ErrorCode.DUPLICATE_ID))
        seen.setdefault(key, unit_id)
        reasons = reader.text(record, "exclusion_reasons")
        units.append(UnitView(
            unit_id=unit_id,
            name=reader.text(record, "name"),
            operator=reader.text(record, "operator"),
            area=reader.text(record, "area"),
            service=reader.text(record, "service"),
            eligible=reader.boolean(record, "eligible"),
            reasons=tuple(r for r in reasons.split(";") if r),
            entitlement=reader.cents(record, "entitlement"),
            share=reader.fraction(record, "share"),
            award=reader.cents(record, "award", blank=None),
            binding=reader.text(record, "binding"),
            tranche_1=reader.cents(record, "tranche_1"),
            tranche_2=reader.cents(record, "tranche_2"),
            residual_award=reader.cents(record, "residual_award"),
            municipality=reader.text(record, "municipality"),
        ))
    return units


def _lines(
    summary: Sequence[Mapping[str, RawCell]], reader: _Reader
) -> tuple[list[LineView], dict[str, int], dict[str, int]]:
    """The service lines, the area budgets, and what stays unassigned (per pool and TOTAL).

    A summary.csv written before the residual phase has no ``unassigned`` column: its areas
    then leave their budget less their awards.
    """
    lines = []
    budgets: dict[str, int] = {}
    unassigned: dict[str, int] = {}
    has_unassigned = bool(summary) and "unassigned" in summary[0]
    for record in summary:
        area = reader.text(record, "area")
        service = reader.text(record, "service")
        if service == TOTAL and has_unassigned and reader.text(record, "unassigned"):
            unassigned[area] = reader.cents(record, "unassigned")
        if area == TOTAL:
            continue
        if service == TOTAL:
            budgets[area] = reader.cents(record, "budget", blank=None)
            if not has_unassigned:
                unassigned[area] = budgets[area] - reader.cents(record, "awarded")
            continue
        lines.append(LineView(
            area=area,
            service=service,
            target=reader.cents(record, "target"),
            historical=reader.cents(record, "historical"),
            awarded=reader.cents(record, "awarded"),
            deviation=reader.cents(record, "deviation"),
            funded=reader.count(record, "units_funded"),
            residual=reader.cents(record, "residual"),
        ))
    for line in lines:
        if line.area not in budgets:
            reader.problems.append(Problem(
                _("area '{area}' has service lines but no TOTAL row with its budget").format(
                    area=line.area),
                file=reader.source, column="area", code=ErrorCode.MISSING_TOTAL))
            budgets[line.area] = 0
    if not has_unassigned:
        unassigned[TOTAL] = sum(unassigned.values())
    return lines, budgets, unassigned


def view_from_rows(
    label: str,
    allocation: Sequence[Mapping[str, RawCell]],
    summary: Sequence[Mapping[str, RawCell]],
    *,
    allocation_source: str = "allocation.csv",
    summary_source: str = "summary.csv",
    allocation_dialect: Dialect = Dialect.AUTO,
    summary_dialect: Dialect = Dialect.AUTO,
) -> RunView:
    """Read a run from the rows of its allocation.csv and summary.csv (cells by heading).

    Rows may carry ``"__row__"`` (their row in the file) for messages, as
    `fsr_opt.io.allocation.load_allocation_table` gives them, with each file's dialect: a
    run folder whose files Excel re-saved in Italian (``;``, ``1.234,56``, ``VERO``) reads
    as the one fsr-opt wrote.

    Raises:
        InputError: a column is missing or a cell cannot be read; every problem at once, each
            naming the file, row and column.
    """
    problems: list[Problem] = []
    dated = next((found for key in (summary[0] if summary else ())
                  if (found := _HISTORICAL.fullmatch(key))), None)
    history_year = int(dated.group(1)[1:]) if dated and dated.group(1) else None
    summary = [{("historical" if _HISTORICAL.fullmatch(key) else key): value
                for key, value in record.items()} for record in summary]
    if allocation:
        problems += _missing_columns(list(allocation[0]), ALLOCATION_NEEDS, allocation_source)
    if summary:
        problems += _missing_columns(list(summary[0]), SUMMARY_NEEDS, summary_source)
    else:
        problems.append(Problem(_("the summary has no rows"), file=summary_source,
                                code=ErrorCode.EMPTY_FILE))
    if problems:
        raise InputError(problems)
    units_reader = _Reader(allocation_source, allocation_dialect)
    units = _units(allocation, units_reader)
    lines_reader = _Reader(summary_source, summary_dialect)
    lines, budgets, unassigned = _lines(summary, lines_reader)
    problems = units_reader.problems + lines_reader.problems
    if problems:
        raise InputError(problems)
    return RunView(label, tuple(units), tuple(lines), budgets, history_year, unassigned)
