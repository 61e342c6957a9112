"""The checks of a run folder's other outputs: they say what the allocation audited says.

The Assemblea publishes allocation.xlsx (and report.html), the offices pay from payments.csv,
and summary.csv gives the totals per area and service line: an edited cell in any of them
would go unnoticed by the checks of the allocation. These checks redo, from the allocation's
rows and the units table, what `fsr-opt solve` writes in each file (no report module is
imported: the audit keeps its own arithmetic), and name every cell that disagrees: the file,
the row (or the sheet and the cell), what the allocation says and what the file says.

They run on a run folder's files only (`fsr-opt audit RUN_DIR`, or `--allocation` of a file
in one): a solve's own audit has no files to compare, and a file the folder lacks is skipped.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping, Sequence
from pathlib import PurePath

from fsr_opt.audit.allocation import ProvidedRow
from fsr_opt.audit.codes import CheckCode
from fsr_opt.audit.evidence import Evidence, Findings
from fsr_opt.audit.folder import (
    Figure,
    OutputTable,
    Paid,
    figure,
    read_amount,
    read_count,
    read_text,
)
from fsr_opt.audit.report import Violation
from fsr_opt.core.i18n import _, ngettext
from fsr_opt.core.words import money
from fsr_opt.io.cells import RawCell, is_blank, is_total_label, normalize_id

__all__ = ["payments_mismatch", "summary_mismatch", "workbook_mismatch"]

_TOTAL = "TOTAL"  # how summary.csv heads its totals, in every language (a machine format)


def _allocation_name(evidence: Evidence) -> str:
    """The allocation audited, as the findings name it: its file name."""
    return PurePath(evidence.allocation.source).name


def _units(count: int) -> str:
    return ngettext("{count} unit", "{count} units", count).format(count=count)


def _unusable(evidence: Evidence, table: OutputTable, code: CheckCode) -> list[Violation]:
    """A table that cannot be compared: unreadable, or without a column it needs."""
    where = table.place()
    allocation = _allocation_name(evidence)
    if table.unreadable:
        reasons = "; ".join(table.unreadable)
        return [Violation(code, where, _("a table to compare"), _("cannot be read"),
                          _("{place} cannot be read, so it cannot be compared with "
                            "{allocation}: {reasons}").format(place=where,
                                                              allocation=allocation,
                                                              reasons=reasons))]
    return [Violation(code, where, _("a column {column}").format(column=column),
                      _("no such column"),
                      _("{place} has no column {column}, so its figures cannot be compared "
                        "with {allocation}").format(place=where, column=column,
                                                    allocation=allocation))
            for column in table.missing]


# ---------------------------------------------------------------------------------------------
# payments.csv and the Pagamenti sheet
# ---------------------------------------------------------------------------------------------

_PAID = (("units", False), ("total_award", True), ("tranche_1", True), ("tranche_2", True))


def _paid_figures(paid: Paid) -> dict[str, int]:
    return {"units": paid.units, "total_award": paid.award, "tranche_1": paid.tranche_1,
            "tranche_2": paid.tranche_2}


def _payments(evidence: Evidence, table: OutputTable, code: CheckCode) -> list[Violation]:
    """A table of payments per ente gestore against the allocation's funded rows."""
    if not table.usable:
        return _unusable(evidence, table, code)
    expected = evidence.paid_by_operator
    allocation = _allocation_name(evidence)
    found: list[Violation] = []
    seen: dict[str, int] = {}
    total: tuple[int, Sequence[RawCell]] | None = None
    for number, cells in table.rows:
        cell = table.cell(cells, "operator")
        if table.sheet is not None and is_total_label(cell):
            total = (number, cells)  # the workbook's TOTALE row
            continue
        name = read_text(cell)
        first = seen.get(name)
        if first is not None:
            found.append(Violation(
                code, _("{place}, operator {operator}").format(place=table.place(number),
                                                               operator=name),
                _("one row (row {row})").format(row=first), _("a second row"),
                _("{place} lists the ente gestore {operator} a second time (first in row "
                  "{first}): its units would be paid twice").format(
                    place=table.place(number), operator=name, first=first),
                related=frozenset(expected[name].unit_ids) if name in expected
                else frozenset()))
            continue
        seen[name] = number
        paid = expected.get(name)
        if paid is None:
            shown = figure(read_amount(table.cell(cells, "total_award"), table.dialect))
            found.append(Violation(
                code, _("{place}, operator {operator}").format(place=table.place(number),
                                                               operator=name),
                _("no row"), shown,
                _("{place} pays the ente gestore {operator} {amount}, but no unit of that "
                  "ente is funded in {allocation}").format(
                    place=table.place(number), operator=name, amount=shown,
                    allocation=allocation)))
            continue
        for place, want, got in _differences(table, cells, number, _paid_figures(paid),
                                              _PAID):
            found.append(Violation(
                code, _("{place}, operator {operator}").format(place=place, operator=name),
                want, got,
                _("{place}: the ente gestore {operator} is given {actual}, but the funded "
                  "rows of its units in {allocation} add up to {expected} ({units})").format(
                    place=place, operator=name, actual=got, allocation=allocation,
                    expected=want, units=_units(paid.units)),
                related=frozenset(paid.unit_ids)))
    for name, paid in expected.items():
        if name in seen:
            continue
        found.append(Violation(
            code, _("{place}, operator {operator}").format(place=table.place(), operator=name),
            _("a row: {units}, {award} EUR").format(units=_units(paid.units),
                                                   award=money(paid.award)),
            _("no row"),
            _("{place} has no row for the ente gestore {operator}, whose {units} in "
              "{allocation} are awarded {award} EUR in all").format(
                place=table.place(), operator=name, units=_units(paid.units),
                allocation=allocation, award=money(paid.award)),
            related=frozenset(paid.unit_ids)))
    if total is not None:
        whole = Paid()
        for paid in expected.values():
            whole.units += paid.units
            whole.award += paid.award
            whole.tranche_1 += paid.tranche_1
            whole.tranche_2 += paid.tranche_2
        everyone = frozenset(unit for paid in expected.values() for unit in paid.unit_ids)
        found += _totals(evidence, table, code, total, _paid_figures(whole), _PAID, everyone)
    return found


def _read(table: OutputTable, cells: Sequence[RawCell], column: str, amount: bool) -> Figure:
    cell = table.cell(cells, column)
    return read_amount(cell, table.dialect) if amount else read_count(cell, table.dialect)


def _differences(
    table: OutputTable, cells: Sequence[RawCell], number: int, figures: Mapping[str, int],
    columns: Iterable[tuple[str, bool]],
) -> Iterator[tuple[str, str, str]]:
    """Each cell of a row that differs from its expected figure: (place, expected, found)."""
    for column, amount in columns:
        want = figures[column]
        got = _read(table, cells, column, amount)
        if got != want:
            yield (table.place(number, column), figure(want, amount=amount),
                   figure(got, amount=amount))


def _totals(
    evidence: Evidence, table: OutputTable, code: CheckCode,
    total: tuple[int, Sequence[RawCell]], wanted: dict[str, int],
    columns: Sequence[tuple[str, bool]], related: frozenset[str],
) -> list[Violation]:
    """A workbook sheet's TOTALE row against the sums of the allocation."""
    number, cells = total
    found = []
    for column, amount in columns:
        if column not in table.columns:
            continue
        want, got = wanted[column], _read(table, cells, column, amount)
        if got == want:
            continue
        place = _("{place}, total").format(place=table.place(number, column))
        found.append(Violation(
            code, place, figure(want, amount=amount), figure(got, amount=amount),
            _("{place}: the sheet's total is {actual}, but the rows of {allocation} add up to "
              "{expected}").format(place=place, actual=figure(got, amount=amount),
                                   allocation=_allocation_name(evidence),
                                   expected=figure(want, amount=amount)),
            related=related))
    return found


def payments_mismatch(evidence: Evidence) -> Findings:
    """payments.csv pays each ente gestore what the allocation's funded rows add up to."""
    outputs = evidence.outputs
    if outputs is None or outputs.payments is None:
        return Findings(0, [])
    return Findings(len(evidence.paid_by_operator),
                    _payments(evidence, outputs.payments, CheckCode.PAYMENTS_MISMATCH))


# ---------------------------------------------------------------------------------------------
# summary.csv
# ---------------------------------------------------------------------------------------------

# summary.csv's columns compared: (column, an amount?) ; budget only on the totals' rows
_LINE = (("awarded", True), ("residual", True), ("total_awarded", True),
         ("units_funded", False), ("units_excluded", False))
_AREA = (("budget", True), *_LINE)


def summary_mismatch(evidence: Evidence) -> Findings:
    """summary.csv gives each service line, area and the fund the sums of their units."""
    outputs = evidence.outputs
    table = outputs.summary if outputs is not None else None
    if table is None:
        return Findings(0, [])
    code = CheckCode.SUMMARY_MISMATCH
    lines = {service.code: [0, 0, 0, 0] for area in evidence.rules.areas
             for service in area.services}
    # one pass each: a large Ambito has 100,000 units. The parts as summary.csv adds them up:
    # the riparto's as criteria_award gives it (else the award less its residual part).
    for row, item in evidence.known_rows():
        sums = lines.get(item.service)
        if sums is not None:
            sums[0] += row.criteria
            sums[1] += row.residual
    for item in evidence.assessments:
        sums = lines.get(item.service)
        if sums is not None:
            sums[2 if evidence.awards[item.unit.unit_id] > 0 else 3] += 1
    # (area, service) as summary.csv writes them -> (figures, what, area, line)
    wanted: dict[tuple[str, str], tuple[dict[str, int], str, str | None, str | None]] = {}
    fund = dict.fromkeys(("budget", "awarded", "residual", "total_awarded", "units_funded",
                          "units_excluded"), 0)
    for area_rules in evidence.rules.areas:
        area_code = area_rules.code
        whole = dict.fromkeys(fund, 0)
        whole["budget"] = evidence.budgets.get(area_code, 0)
        for line in area_rules.services:
            awarded, residual, funded, excluded = lines[line.code]
            figures = {"awarded": awarded, "residual": residual,
                       "total_awarded": awarded + residual, "units_funded": funded,
                       "units_excluded": excluded}
            wanted[area_code, line.code] = (
                figures, _("service line {service}, area {area}").format(
                    service=line.code, area=area_code), area_code, line.code)
            for name, value in figures.items():
                whole[name] += value
        wanted[area_code, _TOTAL] = (whole, _("area {area}, total").format(area=area_code),
                                     area_code, None)
        for name, value in whole.items():
            fund[name] += value
    wanted[_TOTAL, _TOTAL] = (fund, _("the fund, total"), None, None)
    if not table.usable:
        return Findings(len(wanted), _unusable(evidence, table, code))
    allocation = _allocation_name(evidence)
    everyone = frozenset(evidence.known)
    found: list[Violation] = []
    seen: dict[tuple[str, str], int] = {}
    for number, cells in table.rows:
        key = (read_text(table.cell(cells, "area")), read_text(table.cell(cells, "service")))
        entry = wanted.get(key)
        if entry is None or key in seen:
            what = f"{key[0]}, {key[1]}"
            found.append(Violation(
                code, f"{table.place(number)}, {what}",
                _("no row") if entry is None else _("one row (row {row})").format(
                    row=seen[key]),
                _("a row") if entry is None else _("a second row"),
                _("{place} has a row for {what}, which the rule set does not have").format(
                    place=table.place(number), what=what) if entry is None else
                _("{place} repeats the row of {what} (first in row {first})").format(
                    place=table.place(number), what=what, first=seen[key]),
                area=entry[2] if entry is not None else None,
                service=entry[3] if entry is not None else None,
                related=everyone if entry is not None and entry[2] is None else frozenset()))
            continue
        seen[key] = number
        figures, what, area, service = entry
        for place, want, got in _differences(table, cells, number, figures,
                                              _LINE if key[1] != _TOTAL else _AREA):
            found.append(Violation(
                code, f"{place}, {what}", want, got,
                _("{place} says {actual} for {what}; the units' rows of {allocation} give "
                  "{expected}").format(place=place, actual=got, what=what,
                                       allocation=allocation, expected=want),
                area=area, service=service, related=everyone if area is None else frozenset()))
    for key, (_figures, what, area, service) in wanted.items():
        if key in seen:
            continue
        found.append(Violation(
            code, f"{table.place()}, {what}",
            _("a row"), _("no row"),
            _("{place} has no row for {what}").format(place=table.place(), what=what),
            area=area, service=service, related=everyone if area is None else frozenset()))
    return Findings(len(wanted), found)


# ---------------------------------------------------------------------------------------------
# allocation.xlsx: the Riparto and Pagamenti sheets
# ---------------------------------------------------------------------------------------------

_AMOUNTS = ("award", "tranche_1", "tranche_2", "criteria_award", "residual_award")


def workbook_mismatch(evidence: Evidence) -> Findings:
    """allocation.xlsx's Riparto sheet is the allocation, its Pagamenti sheet its payments."""
    outputs = evidence.outputs
    if outputs is None:
        return Findings(0, [])
    checked, found = 0, list[Violation]()
    if outputs.riparto is not None:
        checked, found = _riparto(evidence, outputs.riparto)
    pagamenti = outputs.pagamenti
    if (pagamenti is not None and outputs.riparto is not None and pagamenti.unreadable
            and pagamenti.unreadable == outputs.riparto.unreadable):
        pagamenti = None  # the workbook itself cannot be read: said once
    if pagamenti is not None:
        checked += len(evidence.paid_by_operator)
        found += _payments(evidence, pagamenti, CheckCode.WORKBOOK_MISMATCH)
    return Findings(checked, found)


class _Riparto:
    """The comparison of the Riparto sheet's rows with the allocation's, one pair at a time."""

    def __init__(self, evidence: Evidence, table: OutputTable) -> None:
        self.evidence = evidence
        self.table = table
        self.allocation = _allocation_name(evidence)
        columns = evidence.allocation.columns
        self.columns = [(name, table.columns[name].position) for name in _AMOUNTS
                        if name in table.columns and (name == "award" or name in columns)]
        self.found: list[Violation] = []

    def _unit(self, unit_id: str) -> tuple[str | None, str | None]:
        known = self.evidence.unit_id_of(unit_id)
        return known, self.evidence.known[known].area if known is not None else None

    def pair(self, number: int, cells: Sequence[RawCell], row: ProvidedRow) -> None:
        """Compare a sheet row with the allocation's row of the same unit."""
        for name, index in self.columns:
            want = getattr(row, name)
            cell = cells[index]
            if want is None:
                if is_blank(cell):
                    continue
                want_figure: Figure = ""
            else:
                # the usual case, without parsing: Excel's number is the amount written
                if type(cell) is float and cell == want / 100:
                    continue
                want_figure = want
            got = read_amount(cell, self.table.dialect)
            if got == want_figure or (got == "" and want_figure == 0 and name == "award"):
                continue
            place = self.table.place(number, name)
            unit, area = self._unit(row.unit_id)
            self.found.append(Violation(
                CheckCode.WORKBOOK_MISMATCH,
                _("{place}, unit {unit}").format(place=place, unit=row.unit_id),
                figure(want_figure), figure(got),
                _("{place} gives unit {unit} {actual}; {allocation} gives it {expected} (row "
                  "{row})").format(place=place, unit=row.unit_id, actual=figure(got),
                                   allocation=self.allocation, expected=figure(want_figure),
                                   row=row.row),
                unit=unit, area=area, row=row.row))

    def extra(self, number: int, unit_id: str, cells: Sequence[RawCell]) -> None:
        """A sheet row of a unit the allocation does not list (or lists fewer times)."""
        place = self.table.place(number)
        award = figure(read_amount(self.table.cell(cells, "award"), self.table.dialect))
        unit, area = self._unit(unit_id)
        self.found.append(Violation(
            CheckCode.WORKBOOK_MISMATCH, _("{place}, unit {unit}").format(place=place,
                                                                           unit=unit_id),
            _("no row"), award,
            _("{place} lists unit {unit} with {award}, but {allocation} has no (further) row "
              "for it").format(place=place, unit=unit_id, award=award,
                               allocation=self.allocation),
            unit=unit, area=area))

    def missing(self, row: ProvidedRow) -> None:
        """An allocation row of a unit the sheet does not list."""
        place = self.table.place()
        unit, area = self._unit(row.unit_id)
        self.found.append(Violation(
            CheckCode.WORKBOOK_MISMATCH, _("{place}, unit {unit}").format(place=place,
                                                                          unit=row.unit_id),
            _("a row (row {row} of {allocation})").format(row=row.row,
                                                          allocation=self.allocation),
            _("no row"),
            _("{place} has no row for unit {unit}, which {allocation} awards {award} EUR (row "
              "{row})").format(place=place, unit=row.unit_id, allocation=self.allocation,
                               award=money(row.award), row=row.row),
            unit=unit, area=area, row=row.row))


def _riparto(evidence: Evidence, table: OutputTable) -> tuple[int, list[Violation]]:
    """The Riparto sheet against the allocation: the same units, awards and tranches."""
    if not table.usable:
        return 0, _unusable(evidence, table, CheckCode.WORKBOOK_MISMATCH)
    compare = _Riparto(evidence, table)
    index = table.columns["unit_id"].position
    sheet: list[tuple[int, Sequence[RawCell]]] = []
    total: tuple[int, Sequence[RawCell]] | None = None
    number: int
    cells: Sequence[RawCell]
    for number, cells in table.rows:
        if is_total_label(cells[index]):
            total = (number, cells)
        else:
            sheet.append((number, cells))
    rows = evidence.allocation.rows
    # The sheet has the allocation's rows in their order: pair them while the ids agree,
    # then match what is left by unit id (a row deleted, added or moved).
    paired = 0
    for (number, cells), row in zip(sheet, rows, strict=False):
        if read_text(cells[index]) != row.unit_id:
            break
        compare.pair(number, cells, row)
        paired += 1
    left: dict[str, list[ProvidedRow]] = {}
    for row in rows[paired:]:
        left.setdefault(normalize_id(row.unit_id), []).append(row)
    for number, cells in sheet[paired:]:
        unit_id = read_text(cells[index])
        waiting = left.get(normalize_id(unit_id))
        if waiting:
            compare.pair(number, cells, waiting.pop(0))
        else:
            compare.extra(number, unit_id, cells)
    for waiting in left.values():
        for row in waiting:
            compare.missing(row)
    if total is not None:
        sums = {name: sum(getattr(row, name) or 0 for row in rows)
                for name, _index in compare.columns}
        compare.found += _totals(evidence, table, CheckCode.WORKBOOK_MISMATCH, total, sums,
                                 [(name, True) for name, _index in compare.columns],
                                 frozenset(evidence.known))
    return len(sheet) + sum(map(len, left.values())), compare.found
