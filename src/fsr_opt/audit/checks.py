"""Re-check any allocation, to the cent, without the solver (`fsr-opt audit`).

Auditors (ATS, revisori dei conti) and planners who compare their own Excel riparto must be
able to check an allocation without trusting our solver. This module recomputes everything
an allocation depends on from the inputs alone (eligibility and entitlements with
`engine.eligibility`, area budgets and targets with `rules`) and checks the awards against
every rule of the criteria, in integer cents and exact fractions. It imports no solver
(an import-linter contract enforces it), so a wrong solver cannot hide a wrong allocation.

Two kinds of checks run:

* **rules**: each award must satisfy them (unit present once, ineligible units at 0, the
  minimum award, the entitlement cap, the area budgets, equal shares within a service line,
  nobody left out, payments);
* **optimality certificates**: a failing certificate *proves* that a better allocation exists
  (money left that a service line could take; a one-cent transfer that brings two service
  lines closer to the 2024 pattern). They are necessary conditions of the lexicographic
  optimum, checked one service line or one pair at a time; they do not re-solve the MILP.

Every check has a stable code (`CHECKS`), every violation names the check, the unit, area or
service line, the expected and the actual value, and all violations are reported, not only
the first. The allocation comes either from a file (`parse_allocation` on the text rows that
`fsr_opt.io.files.load_allocation_table` reads) or straight from a solve (`audit_solution`).
"""

from __future__ import annotations

import json
import re
import unicodedata
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from fractions import Fraction
from typing import Any

from fsr_opt.core.errors import ErrorCode, InputError, Problem
from fsr_opt.core.money import CENTS_PER_EURO, format_cents, round_half_up
from fsr_opt.core.schema import Assessment, RuleSet
from fsr_opt.engine.eligibility import ServicePlan, plan_services, tranches
from fsr_opt.rules.budgets import area_budgets, distributable

__all__ = [
    "CHECKS",
    "FORMATS",
    "AreaTotal",
    "AuditReport",
    "Check",
    "CheckResult",
    "ProvidedAllocation",
    "ProvidedRow",
    "Violation",
    "audit",
    "audit_solution",
    "parse_allocation",
    "render_audit",
]

FORMATS = ("text", "json", "md")
"""The report formats `render_audit` writes."""

# ---------------------------------------------------------------------------------------------
# The checks
# ---------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Check:
    """One check: a stable code, what it enforces, and the column it needs (if optional).

    Attributes:
        code: the stable machine-readable code (``AREA_BUDGET``...), part of the interface.
        description: the rule in one line, as the report shows it.
        column: the allocation column this check reads besides ``unit_id`` and ``award``;
            the check is skipped when the allocation has no such column.
        certificate: True for the optimality certificates (a failure proves that a better
            allocation exists), False for the rules every allocation must satisfy.
    """

    code: str
    description: str
    column: str | None = None
    certificate: bool = False


CHECKS: tuple[Check, ...] = (
    Check("UNIT_MISSING", "every unit of the units table has a row in the allocation"),
    Check("UNIT_DUPLICATED", "no unit has more than one row (a repeated row is paid twice)"),
    Check("UNIT_UNKNOWN", "every row names a unit of the units table"),
    Check("INELIGIBLE_PAID", "a unit failing an access criterion gets 0"),
    Check("ELIGIBLE_MISMATCH", "the eligible column agrees with the access criteria",
          column="eligible"),
    Check("ENTITLEMENT_MISMATCH", "the entitlement column agrees with the recomputed cap",
          column="entitlement"),
    Check("BELOW_MINIMUM", "every award is 0 or at least the minimum award"),
    Check("ABOVE_ENTITLEMENT",
          "no award exceeds the unit's entitlement (deficit, formula, proration)"),
    Check("AREA_BUDGET", "the awards of each area add up to at most its budget"),
    Check("BUDGETS_ADD_UP",
          "the area budgets add up exactly to the distributable fund, each within a cent of "
          "its share"),
    Check("EQUAL_SHARE",
          "the funded units of a service line get the same share of their entitlement, "
          "within 1 cent"),
    Check("LEFT_OUT",
          "no eligible unit gets 0 while its service line's share would reach the minimum"),
    Check("SHARE_MISMATCH", "the share column is the service line's share", column="share"),
    Check("TRANCHES",
          "payments: 70% rounded half up then the rest, or all at once up to the threshold",
          column="tranches"),
    Check("MONEY_LEFT",
          "no area leaves money that one of its service lines could take within the rules",
          certificate=True),
    Check("TRANSFER_IMPROVES",
          "no 1-cent transfer between two service lines of an area brings both closer to their "
          "2024 targets", certificate=True),
)
_CHECK = {check.code: check for check in CHECKS}


@dataclass(frozen=True)
class Violation:
    """One thing wrong with the allocation.

    Attributes:
        check: the code of the failed check.
        subject: who is concerned, in words (``unit UDO1 (row 7)``, ``area minori``...).
        expected: what the rules require, as text (euros with two decimals).
        actual: what the allocation says.
        message: the explanation, with the figures an auditor needs to verify it by hand.
        unit, area, service: the unit id, area and service line concerned, when they apply
            (for a transfer, `service` gives the cent and `to_service` receives it).
        row: the 1-based row of the allocation file (header = row 1), when there is one.
    """

    check: str
    subject: str
    expected: str
    actual: str
    message: str
    unit: str | None = None
    area: str | None = None
    service: str | None = None
    row: int | None = None
    to_service: str | None = None


@dataclass(frozen=True)
class CheckResult:
    """The outcome of one check.

    Attributes:
        checked: how many items (units, rows, areas, service lines) the check examined.
        failed: how many violations it found.
    """

    code: str
    description: str
    checked: int
    failed: int

    @property
    def passed(self) -> bool:
        """True when the check found no violation."""
        return self.failed == 0


@dataclass(frozen=True)
class AreaTotal:
    """An area's budget and what the allocation awards in it (cents)."""

    area: str
    budget: int
    awarded: int

    @property
    def left(self) -> int:
        """Budget minus awards (negative when the budget is exceeded)."""
        return self.budget - self.awarded


@dataclass(frozen=True)
class AuditReport:
    """Everything the audit found, ready to render.

    Attributes:
        source: the allocation audited (a file name, or ``solve`` for our own result).
        sha256: the hash of the allocation file, if it came from a file.
        rule_set: ``id vVERSION`` of the rule set the allocation was checked against.
        units: number of units in the units table.
        rows: number of rows in the allocation.
        areas: budget and awards per area, in rule-set order.
        results: one result per check run, in the order of `CHECKS`.
        skipped: the checks not run because the allocation lacks their column.
        violations: every violation, grouped by check in the order of `CHECKS`.
    """

    source: str
    sha256: str
    rule_set: str
    units: int
    rows: int
    areas: tuple[AreaTotal, ...]
    results: tuple[CheckResult, ...]
    skipped: tuple[str, ...]
    violations: tuple[Violation, ...]

    @property
    def checks_run(self) -> int:
        """How many checks ran."""
        return len(self.results)

    @property
    def passed(self) -> int:
        """How many checks found no violation."""
        return sum(1 for result in self.results if result.passed)

    @property
    def failed(self) -> int:
        """How many checks found at least one violation."""
        return self.checks_run - self.passed

    @property
    def is_ok(self) -> bool:
        """True when every check passed (exit 0); False means exit 1."""
        return self.failed == 0

    @property
    def failed_codes(self) -> tuple[str, ...]:
        """The codes of the failed checks, in the order of `CHECKS`."""
        return tuple(result.code for result in self.results if not result.passed)


# ---------------------------------------------------------------------------------------------
# The allocation to audit
# ---------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class ProvidedRow:
    """One row of the allocation to audit, parsed; None where the column or cell is empty.

    Attributes:
        row: the 1-based row in the file (header = row 1); None for an in-memory allocation.
        award: cents; an empty award cell reads as 0 (nothing assigned).
        share: the share as written (0..1); `share_places` is its number of decimals, so
            that a rounded figure (``0.090154``) is compared at its own precision; None means
            exact.
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


@dataclass(frozen=True)
class ProvidedAllocation:
    """An allocation to audit: its rows in file order and which optional columns it has.

    Attributes:
        source: the file name (or ``solve``), for the report.
        columns: the optional columns present: ``eligible``, ``entitlement``, ``tranche_1``,
            ``tranche_2``, ``share``.
        sha256: the hash of the file's bytes, if it came from a file.
    """

    source: str
    rows: tuple[ProvidedRow, ...]
    columns: frozenset[str] = frozenset()
    sha256: str = ""


_REQUIRED = ("unit_id", "award")
_OPTIONAL = ("eligible", "entitlement", "tranche_1", "tranche_2", "share")
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
}
_TRUE = frozenset({"true", "yes", "si", "1", "vero", "y", "s"})
_FALSE = frozenset({"false", "no", "0", "falso", "n"})
_ROW_KEY = "__row__"


def _fold(text: str) -> str:
    """Fold a heading for matching: no case, no accents; ``_``, ``-`` and spaces alike."""
    decomposed = unicodedata.normalize("NFKD", text)
    plain = "".join(ch for ch in decomposed if not unicodedata.combining(ch))
    return " ".join(part for part in re.split(r"[\s_\-]+", plain.casefold()) if part)


_HEADINGS = {_fold(alias): name for name, aliases in _ALIASES.items() for alias in aliases}


class _CellError(ValueError):
    """A cell that cannot be read unambiguously; `code` is the Problem's code."""

    def __init__(self, code: ErrorCode, message: str) -> None:
        super().__init__(message)
        self.code = code


_GROUPED = re.compile(
    r"(?P<whole>[1-9][0-9]{0,2}(?P<g>[., ])[0-9]{3}(?:(?P=g)[0-9]{3})*)"
    r"(?:(?P<d>[.,])(?P<fraction>[0-9]+))?"
)
"""Thousands in groups of three (``1.234.567``, ``1,234``, ``1 234``), then decimals."""
_PLAIN = re.compile(r"[0-9]+(?:[.,][0-9]+)?")
_AMBIGUOUS = re.compile(r"[1-9][0-9]{0,2}[.,][0-9]{3}")
_FLOAT_DIGITS = 15
"""A figure with this many significant digits or more is a binary float written out."""


def _decimal(text: str) -> Decimal:
    """Read euros written by a person or a spreadsheet: ``1234.56``, ``1.234,56``, ``300 €``.

    The allocation may come from any locale, so a single mark followed by exactly three
    digits (``1.234``, ``1,500``) could be a thousands separator or decimals: it is refused
    rather than guessed.

    Raises:
        _CellError: the text is not a number, or is ambiguous.
    """
    s = text.strip().replace("\u00a0", " ").replace("\u202f", " ").replace("\u2212", "-")
    s = re.sub(r"^(?:€|euro|eur)\s*|\s*(?:€|euro|eur)$", "", s, flags=re.IGNORECASE).strip()
    if s.startswith("-"):
        raise _CellError(ErrorCode.NEGATIVE, f"'{text.strip()}' is negative; amounts are 0 or more")
    s = s.removeprefix("+")
    if _AMBIGUOUS.fullmatch(s):
        plain = s.replace(".", "").replace(",", "")
        raise _CellError(ErrorCode.AMBIGUOUS_NUMBER,
                         f"'{text.strip()}' is ambiguous (thousands or decimals?); write {plain} "
                         f"or {plain}.00, without thousands separators")
    if _PLAIN.fullmatch(s):
        return Decimal(s.replace(",", "."))
    grouped = _GROUPED.fullmatch(s)
    if grouped and grouped["d"] != grouped["g"]:
        digits = re.sub(r"[ .,]", "", grouped["whole"])
        return Decimal(f"{digits}.{grouped['fraction'] or '0'}")
    raise _CellError(ErrorCode.NOT_A_NUMBER,
                     f"'{text.strip()}' is not an amount in euros; write it "
                     "like 1234.56 or 1.234,56")


def _cents(text: str) -> int:
    """Read euros as integer cents, refusing fractions of a cent.

    A spreadsheet formula (``=B2*0,7``) saved by Excel holds a binary float such as
    ``864.1900000000001``; a figure with 15 or more significant digits within a millionth of
    a euro of a whole cent is read as that cent. Anything else with more than two decimals
    is refused, never rounded: the audit must not invent cents.
    """
    value = _decimal(text)
    cents = value * CENTS_PER_EURO
    if cents == cents.to_integral_value():
        return int(cents)
    nearest = cents.to_integral_value()
    digits = len(value.as_tuple().digits)
    if digits >= _FLOAT_DIGITS and abs(cents - nearest) <= Decimal("0.0001"):
        return int(nearest)
    raise _CellError(ErrorCode.TOO_MANY_DECIMALS,
                     f"'{text.strip()}' has more than two decimals; round it to the cent")


def _share(text: str) -> tuple[Fraction, int]:
    """Read a share as written (``0.090154``, ``0,090154``, ``9,0154%``) and its decimals."""
    s = text.strip().replace(" ", "")
    percent = s.endswith("%")
    s = s.removesuffix("%")
    if "," in s and "." not in s:
        s = s.replace(",", ".")
    if not re.fullmatch(r"[0-9]+(?:\.[0-9]+)?", s):
        raise _CellError(ErrorCode.NOT_A_NUMBER, f"'{text.strip()}' is not a share; write it like "
                         "0.090154 or 9.0154%")
    try:
        value = Fraction(Decimal(s))
    except InvalidOperation:  # pragma: no cover - the pattern above admits only decimals
        raise _CellError(ErrorCode.NOT_A_NUMBER, f"'{text.strip()}' is not a share") from None
    places = len(s.partition(".")[2])
    if percent:
        value, places = value / 100, places + 2
    return value, places


def _boolean(text: str) -> bool:
    word = _fold(text)
    if word in _TRUE:
        return True
    if word in _FALSE:
        return False
    raise _CellError(ErrorCode.NOT_A_BOOLEAN,
                     f"'{text.strip()}' is not yes or no; write true/false, "
                     "sì/no or 1/0")


def parse_allocation(
    headings: Sequence[str],
    rows: Sequence[Mapping[str, str]],
    source: str,
    *,
    sha256: str = "",
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
        headings: the headings as written, from `fsr_opt.io.files.load_allocation_table`.
        rows: one mapping heading -> text per row, each with ``"__row__"`` (its 1-based row).
        source: the file name, put in every problem.
        sha256: the file's hash, kept for the report.

    Returns:
        The parsed allocation.

    Raises:
        InputError: a required column is missing, two headings mean the same column, or a
            cell cannot be read; one `Problem` per cell, naming file, row and column.
    """
    problems: list[Problem] = []
    columns: dict[str, str] = {}
    for heading in headings:
        name = _HEADINGS.get(_fold(heading))
        if name is None:
            continue
        if name in columns:
            problems.append(Problem(
                f"this column repeats column '{columns[name]}' (both are '{name}'); keep "
                "only one", file=source, column=heading, code=ErrorCode.DUPLICATE_COLUMN))
            continue
        columns[name] = heading
    for name in _REQUIRED:
        if name not in columns:
            italian = _ALIASES[name][1]
            problems.append(Problem(
                f"the required column '{name}' is missing; add a column headed '{name}' or "
                f"'{italian}'", file=source, column=name, code=ErrorCode.MISSING_COLUMN))
    if problems:
        raise InputError(problems)
    parsed: list[ProvidedRow] = []
    for record in rows:
        number = int(record[_ROW_KEY]) if record.get(_ROW_KEY, "").isdigit() else None
        values: dict[str, Any] = {}
        for name, heading in columns.items():
            text = (record.get(heading) or "").strip()
            try:
                values[name] = _cell(name, text)
            except _CellError as bad:
                problems.append(Problem(str(bad), file=source, row=number, column=heading,
                                        code=bad.code))
        if "unit_id" in values and not values["unit_id"]:
            problems.append(Problem("the unit id is empty; every row needs the unit's code",
                                    file=source, row=number, column=columns["unit_id"],
                                    code=ErrorCode.EMPTY_VALUE))
        if len(values) == len(columns) and values["unit_id"]:
            share = values.get("share")
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
            ))
    if problems:
        raise InputError(sorted(problems, key=lambda p: p.row or 0))
    return ProvidedAllocation(source=source, rows=tuple(parsed),
                              columns=frozenset(c for c in columns if c in _OPTIONAL),
                              sha256=sha256)


def _cell(name: str, text: str) -> Any:
    """Parse one cell of column `name`; None for an empty cell of a numeric column."""
    if name == "unit_id":
        return text
    if not text:
        return None
    if name == "eligible":
        return _boolean(text)
    if name == "share":
        return _share(text)
    return _cents(text)


# ---------------------------------------------------------------------------------------------
# The audit
# ---------------------------------------------------------------------------------------------


def _euros(cents: int) -> str:
    return format_cents(cents)


def _exact_euros(value: Fraction) -> str:
    """Exact cents as euros: two decimals when whole, else six (targets are fractions)."""
    if value.denominator == 1:
        return format_cents(value.numerator)
    scaled = round_half_up(value * 10**4)
    sign = "-" if scaled < 0 else ""
    whole, frac = divmod(abs(scaled), 10**6)
    return f"{sign}{whole}.{frac:06d}"


def _ratio(value: Fraction) -> str:
    scaled = round_half_up(value * 10**6)
    whole, frac = divmod(scaled, 10**6)
    return f"{whole}.{frac:06d}"


def _unit_subject(unit_id: str, row: int | None) -> str:
    return f"unit {unit_id}" + (f" (row {row})" if row is not None else "")


@dataclass
class _Line:
    """What the audit knows of one service line: its plan and its eligible units' awards."""

    plan: ServicePlan
    units: list[tuple[Assessment, int]]

    @property
    def total(self) -> int:
        return sum(award for _, award in self.units)


class _Auditor:
    """Runs the checks in the order of `CHECKS`, collecting results and violations."""

    def __init__(
        self,
        assessments: Sequence[Assessment],
        rules: RuleSet,
        allocation: ProvidedAllocation,
        budgets: Mapping[str, int],
    ) -> None:
        self.assessments = tuple(assessments)
        self.rules = rules
        self.allocation = allocation
        self.budgets = dict(budgets)
        self.known = {item.unit.unit_id: item for item in self.assessments}
        self.rows_of: dict[str, list[ProvidedRow]] = {}
        for row in allocation.rows:
            self.rows_of.setdefault(row.unit_id, []).append(row)
        # A unit listed twice is paid twice: its award is the sum of its rows.
        self.awards = {
            unit_id: sum(row.award for row in self.rows_of.get(unit_id, ()))
            for unit_id in self.known
        }
        self.results: list[CheckResult] = []
        self.skipped: list[str] = []
        self.violations: list[Violation] = []
        self.lines = self._lines()
        self.shares = {code: self._share_of(line) for code, line in self.lines.items()}

    # -- bookkeeping ---------------------------------------------------------------------------

    def record(self, code: str, checked: int, found: list[Violation]) -> None:
        check = _CHECK[code]
        self.results.append(CheckResult(code, check.description, checked, len(found)))
        self.violations.extend(found)

    def has_column(self, code: str) -> bool:
        column = _CHECK[code].column
        if column is None:
            return True
        if column == "tranches":
            return bool({"tranche_1", "tranche_2"} & self.allocation.columns)
        return column in self.allocation.columns

    def _lines(self) -> dict[str, _Line]:
        plans = plan_services(self.assessments, self.rules, self.budgets)
        lines = {plan.service: _Line(plan, []) for plan in plans}
        for item in self.assessments:
            if item.eligible and item.service in lines:
                lines[item.service].units.append((item, self.awards[item.unit.unit_id]))
        return lines

    def _share_of(self, line: _Line) -> Fraction:
        """The share lambda_s of a service line: its total over its funded entitlements.

        With a positive minimum the funded units are those with an award. With a minimum of
        0 every eligible unit is funded, an award of 0 being the rounding of a share below
        one cent, so all entitlements count.
        """
        minimum = self.rules.minimum_award
        funded = [(item, award) for item, award in line.units
                  if (award > 0 if minimum > 0 else item.entitlement > 0)]
        entitlement = sum(item.entitlement for item, _ in funded)
        total = sum(award for _, award in funded)
        return Fraction(total, entitlement) if entitlement > 0 else Fraction(0)

    # -- checks --------------------------------------------------------------------------------

    def run(self) -> None:
        for check in CHECKS:
            if not self.has_column(check.code):
                self.skipped.append(check.code)
                continue
            method = getattr(self, "check_" + check.code.lower())
            method()

    def check_unit_missing(self) -> None:
        found = [
            Violation("UNIT_MISSING", f"unit {item.unit.unit_id}", "a row with its award",
                      "no row",
                      f"unit {item.unit.unit_id} (row {item.unit.row} of the units table) has "
                      "no row in the allocation; it is counted as awarded 0",
                      unit=item.unit.unit_id, area=item.area, service=item.service)
            for item in self.assessments if item.unit.unit_id not in self.rows_of
        ]
        self.record("UNIT_MISSING", len(self.assessments), found)

    def check_unit_duplicated(self) -> None:
        found = []
        for unit_id, rows in self.rows_of.items():
            if len(rows) > 1:
                where = ", ".join(str(r.row) for r in rows if r.row is not None)
                total = sum(r.award for r in rows)
                found.append(Violation(
                    "UNIT_DUPLICATED", _unit_subject(unit_id, rows[1].row), "1 row",
                    f"{len(rows)} rows" + (f" ({where})" if where else ""),
                    f"unit {unit_id} is listed {len(rows)} times; its rows add up to "
                    f"{_euros(total)} EUR, which is what would be paid",
                    unit=unit_id, row=rows[1].row))
        self.record("UNIT_DUPLICATED", len(self.rows_of), found)

    def check_unit_unknown(self) -> None:
        found = [
            Violation("UNIT_UNKNOWN", _unit_subject(row.unit_id, row.row),
                      "a unit id of the units table", f"'{row.unit_id}'",
                      f"unit '{row.unit_id}' is not in the units table; its award of "
                      f"{_euros(row.award)} EUR is not counted in any area", unit=row.unit_id,
                      row=row.row)
            for row in self.allocation.rows if row.unit_id not in self.known
        ]
        self.record("UNIT_UNKNOWN", len(self.allocation.rows), found)

    def _first_row(self, unit_id: str) -> int | None:
        rows = self.rows_of.get(unit_id)
        return rows[0].row if rows else None

    def check_ineligible_paid(self) -> None:
        ineligible = [item for item in self.assessments if not item.eligible]
        found = []
        for item in ineligible:
            award = self.awards[item.unit.unit_id]
            if award > 0:
                reasons = ";".join(reason.value for reason in item.reasons)
                found.append(Violation(
                    "INELIGIBLE_PAID", _unit_subject(item.unit.unit_id,
                                                     self._first_row(item.unit.unit_id)),
                    f"0.00 (excluded: {reasons})", _euros(award),
                    f"unit {item.unit.unit_id} fails the access criteria {reasons} but is "
                    f"awarded {_euros(award)} EUR", unit=item.unit.unit_id, area=item.area,
                    service=item.service, row=self._first_row(item.unit.unit_id)))
        self.record("INELIGIBLE_PAID", len(ineligible), found)

    def _known_rows(self) -> list[tuple[ProvidedRow, Assessment]]:
        return [(row, self.known[row.unit_id]) for row in self.allocation.rows
                if row.unit_id in self.known]

    def check_eligible_mismatch(self) -> None:
        rows = [(row, item) for row, item in self._known_rows() if row.eligible is not None]
        found = []
        for row, item in rows:
            if row.eligible != item.eligible:
                reasons = ";".join(reason.value for reason in item.reasons)
                found.append(Violation(
                    "ELIGIBLE_MISMATCH", _unit_subject(row.unit_id, row.row),
                    "true" if item.eligible else f"false ({reasons})",
                    "true" if row.eligible else "false",
                    f"unit {row.unit_id} is "
                    + ("eligible" if item.eligible else f"excluded ({reasons})")
                    + " by the access criteria of the rule set, but the allocation says "
                    + ("eligible" if row.eligible else "not eligible"),
                    unit=row.unit_id, area=item.area, service=item.service, row=row.row))
        self.record("ELIGIBLE_MISMATCH", len(rows), found)

    def check_entitlement_mismatch(self) -> None:
        rows = [(row, item) for row, item in self._known_rows() if row.entitlement is not None]
        found = [
            Violation("ENTITLEMENT_MISMATCH", _unit_subject(row.unit_id, row.row),
                      _euros(item.entitlement), _euros(row.entitlement),
                      f"unit {row.unit_id}: the entitlement recomputed from the units table is "
                      f"{_euros(item.entitlement)} EUR ({_cap_text(item)}), the allocation "
                      f"says {_euros(row.entitlement)} EUR", unit=row.unit_id, area=item.area,
                      service=item.service, row=row.row)
            for row, item in rows
            if row.entitlement is not None and row.entitlement != item.entitlement
        ]
        self.record("ENTITLEMENT_MISMATCH", len(rows), found)

    def check_below_minimum(self) -> None:
        minimum = self.rules.minimum_award
        eligible = [item for item in self.assessments if item.eligible]
        found = []
        for item in eligible:
            award = self.awards[item.unit.unit_id]
            if 0 < award < minimum:
                row = self._first_row(item.unit.unit_id)
                found.append(Violation(
                    "BELOW_MINIMUM", _unit_subject(item.unit.unit_id, row),
                    f"0.00 or at least {_euros(minimum)}", _euros(award),
                    f"unit {item.unit.unit_id} is awarded {_euros(award)} EUR, below the "
                    f"minimum award of {_euros(minimum)} EUR", unit=item.unit.unit_id,
                    area=item.area, service=item.service, row=row))
        self.record("BELOW_MINIMUM", len(eligible), found)

    def check_above_entitlement(self) -> None:
        eligible = [item for item in self.assessments if item.eligible]
        found = []
        for item in eligible:
            award = self.awards[item.unit.unit_id]
            if award > item.entitlement:
                row = self._first_row(item.unit.unit_id)
                found.append(Violation(
                    "ABOVE_ENTITLEMENT", _unit_subject(item.unit.unit_id, row),
                    f"at most {_euros(item.entitlement)} (cap: {'+'.join(_caps(item))})",
                    _euros(award),
                    f"unit {item.unit.unit_id} is awarded {_euros(award)} EUR, above its "
                    f"entitlement of {_euros(item.entitlement)} EUR ({_cap_text(item)})",
                    unit=item.unit.unit_id, area=item.area, service=item.service, row=row))
        self.record("ABOVE_ENTITLEMENT", len(eligible), found)

    def area_totals(self) -> list[AreaTotal]:
        spent: dict[str, int] = {}
        for item in self.assessments:
            spent[item.area] = spent.get(item.area, 0) + self.awards[item.unit.unit_id]
        return [AreaTotal(area, budget, spent.get(area, 0))
                for area, budget in self.budgets.items()]

    def check_area_budget(self) -> None:
        found = [
            Violation("AREA_BUDGET", f"area {total.area}", f"at most {_euros(total.budget)}",
                      _euros(total.awarded),
                      f"area {total.area}: the awards add up to {_euros(total.awarded)} EUR, "
                      f"{_euros(-total.left)} EUR over its budget of {_euros(total.budget)} EUR",
                      area=total.area)
            for total in self.area_totals() if total.left < 0
        ]
        self.record("AREA_BUDGET", len(self.budgets), found)

    def check_budgets_add_up(self) -> None:
        fund = distributable(self.rules)
        found = []
        total = sum(self.budgets.values())
        if total != fund:
            found.append(Violation(
                "BUDGETS_ADD_UP", "the area budgets", _euros(fund), _euros(total),
                f"the area budgets add up to {_euros(total)} EUR, the distributable fund is "
                f"{_euros(fund)} EUR ({_euros(total - fund)} EUR of difference)"))
        for area in self.rules.areas:
            budget = self.budgets.get(area.code, 0)
            quota = Fraction(fund) * area.share_percent / 100
            if abs(budget - quota) >= 1:
                found.append(Violation(
                    "BUDGETS_ADD_UP", f"area {area.code}",
                    f"{_exact_euros(quota)} rounded to the cent", _euros(budget),
                    f"area {area.code}: {area.share_percent}% of {_euros(fund)} EUR is "
                    f"{_exact_euros(quota)} EUR; a budget of {_euros(budget)} EUR is not that "
                    "amount rounded to the cent", area=area.code))
        self.record("BUDGETS_ADD_UP", len(self.rules.areas) + 1, found)

    def check_equal_share(self) -> None:
        found = []
        checked = 0
        for code, line in self.lines.items():
            share = self.shares[code]
            top, bottom = share.numerator, share.denominator
            for item, award in line.units:
                if award == 0:
                    continue
                checked += 1
                # |award - share * e| > 1 cent, in integers (100,000 units: no Fraction each).
                if abs(award * bottom - top * item.entitlement) > bottom:
                    exact = share * item.entitlement
                    row = self._first_row(item.unit.unit_id)
                    found.append(Violation(
                        "EQUAL_SHARE", _unit_subject(item.unit.unit_id, row),
                        f"{_exact_euros(exact)} +/- 0.01", _euros(award),
                        f"service line {code}: the funded units share {_euros(line.total)} EUR "
                        f"at {_ratio(share)} of their entitlements; unit "
                        f"{item.unit.unit_id} (entitlement {_euros(item.entitlement)} EUR) "
                        f"should get {_exact_euros(exact)} EUR within one cent, not "
                        f"{_euros(award)} EUR", unit=item.unit.unit_id, area=line.plan.area,
                        service=code, row=row))
        self.record("EQUAL_SHARE", checked, found)

    def check_left_out(self) -> None:
        threshold = max(self.rules.minimum_award, 1)
        found = []
        checked = 0
        for code, line in self.lines.items():
            share = self.shares[code]
            top, bottom = share.numerator, share.denominator
            for item, award in line.units:
                if award != 0 or item.entitlement <= 0:
                    continue
                checked += 1
                if top * item.entitlement >= threshold * bottom:
                    exact = share * item.entitlement
                    row = self._first_row(item.unit.unit_id)
                    found.append(Violation(
                        "LEFT_OUT", _unit_subject(item.unit.unit_id, row),
                        f"about {_exact_euros(exact)}", "0.00",
                        f"service line {code} funds its units at {_ratio(share)} of their "
                        f"entitlements; for unit {item.unit.unit_id} (entitlement "
                        f"{_euros(item.entitlement)} EUR) that is {_exact_euros(exact)} EUR, "
                        f"at least the minimum of {_euros(self.rules.minimum_award)} EUR, "
                        "yet it gets 0", unit=item.unit.unit_id, area=line.plan.area,
                        service=code, row=row))
        self.record("LEFT_OUT", checked, found)

    def check_share_mismatch(self) -> None:
        rows = [(row, item) for row, item in self._known_rows() if row.share is not None]
        found = []
        for row, item in rows:
            assert row.share is not None
            award = self.awards[row.unit_id]
            expected = self.shares.get(item.service, Fraction(0)) if award > 0 else Fraction(0)
            if row.share == expected:
                continue
            places = row.share_places
            tolerance = Fraction(0) if places is None else Fraction(1, 2 * 10**places)
            if abs(row.share - expected) > tolerance:
                found.append(Violation(
                    "SHARE_MISMATCH", _unit_subject(row.unit_id, row.row), _ratio(expected),
                    _ratio(row.share),
                    f"unit {row.unit_id}: its service line {item.service} is funded at "
                    f"{_ratio(expected)} of the entitlements (0 for a unit without award); the "
                    f"allocation says {_ratio(row.share)}", unit=row.unit_id, area=item.area,
                    service=item.service, row=row.row))
        self.record("SHARE_MISMATCH", len(rows), found)

    def check_tranches(self) -> None:
        rows = [row for row in self.allocation.rows
                if row.tranche_1 is not None or row.tranche_2 is not None]
        percent = self.rules.first_tranche_percent
        threshold = self.rules.single_payment_threshold
        found = []
        for row in rows:
            first, second = tranches(row.award, self.rules)
            given = (row.tranche_1, row.tranche_2)
            if given[0] not in (None, first) or given[1] not in (None, second):
                rule = (f"up to {_euros(threshold)} EUR paid at once" if row.award <= threshold
                        else f"{percent}% rounded half up, then the rest")
                shown = ", ".join("-" if v is None else _euros(v) for v in given)
                found.append(Violation(
                    "TRANCHES", _unit_subject(row.unit_id, row.row),
                    f"{_euros(first)}, {_euros(second)}", shown,
                    f"unit {row.unit_id}: an award of {_euros(row.award)} EUR is paid "
                    f"{_euros(first)} + {_euros(second)} EUR ({rule}); the allocation says "
                    f"tranche_1, tranche_2 = {shown}", unit=row.unit_id, row=row.row))
        self.record("TRANCHES", len(rows), found)

    def check_money_left(self) -> None:
        found = []
        for total in self.area_totals():
            if total.left < 1:
                continue
            for code, line in self.lines.items():
                if line.plan.area != total.area:
                    continue
                now = line.total
                for segment in line.plan.segments:
                    low = max(now + 1, segment.lower)
                    high = min(segment.upper, now + total.left)
                    if low <= high:
                        found.append(Violation(
                            "MONEY_LEFT", f"service {code} (area {total.area})",
                            f"a total up to {_euros(high)}", _euros(now),
                            f"area {total.area} leaves {_euros(total.left)} EUR unspent, and "
                            f"service line {code} could take a total of {_euros(high)} EUR "
                            f"instead of {_euros(now)} EUR ({segment.funded_units} units "
                            "funded at an equal share) without breaking any rule",
                            area=total.area, service=code))
                        break
        self.record("MONEY_LEFT", len(self.lines), found)

    def check_transfer_improves(self) -> None:
        """One cent from a line above its target to one below, both ending closer to target.

        Only lines whose total lies in a segment (a valid funded set) and stays in it after
        the move are considered: a line in no segment already fails a rule check. Each line's
        deviation |S_s - T_s| is convex in S_s, so if no one-cent move improves, no larger
        move of the same pair does.
        """
        found = []
        areas = {line.plan.area for line in self.lines.values()}
        for area in [a.code for a in self.rules.areas if a.code in areas]:
            lines = [line for line in self.lines.values() if line.plan.area == area]
            donors, receivers = [], []
            for line in lines:
                now, target = line.total, line.plan.target
                segment = line.plan.segment_for(now)
                if segment is None:
                    continue
                if now - 1 >= segment.lower and abs(now - 1 - target) < abs(now - target):
                    donors.append(line)
                if now + 1 <= segment.upper and abs(now + 1 - target) < abs(now - target):
                    receivers.append(line)
            for donor in donors:
                for receiver in receivers:
                    if donor is receiver:
                        continue
                    d, r = donor.plan, receiver.plan
                    found.append(Violation(
                        "TRANSFER_IMPROVES", f"services {d.service} -> {r.service} (area {area})",
                        f"{d.service} {_euros(donor.total - 1)}, "
                        f"{r.service} {_euros(receiver.total + 1)}",
                        f"{d.service} {_euros(donor.total)}, {r.service} {_euros(receiver.total)}",
                        f"area {area}: {d.service} gets {_euros(donor.total)} EUR against a "
                        f"target of {_exact_euros(d.target)} EUR and {r.service} "
                        f"{_euros(receiver.total)} EUR against {_exact_euros(r.target)} EUR; "
                        f"moving one cent from {d.service} to {r.service} brings both closer to "
                        "their 2024 targets, keeping their funded units",
                        area=area, service=d.service, to_service=r.service))
        self.record("TRANSFER_IMPROVES", len(self.lines), found)


def _caps(item: Assessment) -> list[str]:
    caps = [item.cap_source.value]
    if item.proration < 1:
        caps.append("PRORATION")
    return caps


def _cap_text(item: Assessment) -> str:
    """Explain an entitlement: which cap, with the deficit, the formula and the proration."""
    parts = [f"deficit {_euros(item.deficit)}"]
    if item.formula_amount is not None:
        parts.append(f"formula {_euros(item.formula_amount)}")
    if item.proration < 1:
        parts.append(f"proration {item.proration.numerator}/{item.proration.denominator} of "
                     "the year")
    if not item.eligible:
        parts.append("0 because excluded")
    return f"cap {'+'.join(_caps(item))}: " + ", ".join(parts)


def audit(
    assessments: Sequence[Assessment],
    rules: RuleSet,
    allocation: ProvidedAllocation,
    *,
    budgets: Mapping[str, int] | None = None,
) -> AuditReport:
    """Check an allocation against every rule, in exact integer cents, without a solver.

    Eligibility, entitlements, segments (funded sets) and targets come from the assessed
    units and the rule set, never from the allocation: the optional columns of the
    allocation (eligible, entitlement, tranches, share) are compared with them, not used.

    Args:
        assessments: every unit of the units table, judged by `fsr_opt.engine.eligibility.assess`.
        rules: the rule set the allocation must follow.
        allocation: the awards to check (`parse_allocation` or `audit_solution`).
        budgets: the area budgets the allocation was made with; by default those the rule
            set gives (`fsr_opt.rules.budgets.area_budgets`). Passing a published table lets
            ``BUDGETS_ADD_UP`` check it.

    Returns:
        The report: one result per check run, and every violation.
    """
    auditor = _Auditor(assessments, rules, allocation,
                       area_budgets(rules) if budgets is None else budgets)
    auditor.run()
    return AuditReport(
        source=allocation.source,
        sha256=allocation.sha256,
        rule_set=f"{rules.rule_set_id} v{rules.version}",
        units=len(auditor.assessments),
        rows=len(allocation.rows),
        areas=tuple(auditor.area_totals()),
        results=tuple(auditor.results),
        skipped=tuple(auditor.skipped),
        violations=tuple(auditor.violations),
    )


def audit_solution(
    assessments: Sequence[Assessment],
    rules: RuleSet,
    awards: Mapping[str, int],
    *,
    payments: Mapping[str, tuple[int, int]] | None = None,
    shares: Mapping[str, Fraction] | None = None,
    source: str = "solve",
) -> AuditReport:
    """Audit an allocation held in memory (our own solve), without writing or reading a file.

    Args:
        assessments: every unit, in table order; a unit absent from `awards` is awarded 0.
        rules: the rule set.
        awards: cents per unit id.
        payments: (tranche_1, tranche_2) cents per unit id, when the tranches are to be
            checked too.
        shares: the exact share reported per unit id, when it is to be checked too.
        source: the name the report gives the allocation.

    Returns:
        The report, as `audit` makes it.
    """
    ids = [item.unit.unit_id for item in assessments]
    ids += sorted(set(awards) - set(ids))
    rows = []
    for unit_id in ids:
        first, second = payments.get(unit_id, (None, None)) if payments else (None, None)
        rows.append(ProvidedRow(
            row=None, unit_id=unit_id, award=awards.get(unit_id, 0), tranche_1=first,
            tranche_2=second, share=shares.get(unit_id) if shares else None))
    columns = set()
    if payments is not None:
        columns |= {"tranche_1", "tranche_2"}
    if shares is not None:
        columns.add("share")
    return audit(assessments, rules,
                 ProvidedAllocation(source=source, rows=tuple(rows), columns=frozenset(columns)))


# ---------------------------------------------------------------------------------------------
# Rendering
# ---------------------------------------------------------------------------------------------


def _last_line(report: AuditReport) -> str:
    return f"checks run: {report.checks_run}, passed: {report.passed}, failed: {report.failed}"


def _document(report: AuditReport) -> dict[str, Any]:
    return {
        "allocation": {"source": report.source, "sha256": report.sha256, "rows": report.rows},
        "rule_set": report.rule_set,
        "units": report.units,
        "areas": [
            {"area": t.area, "budget": _euros(t.budget), "awarded": _euros(t.awarded),
             "left": _euros(t.left)}
            for t in report.areas
        ],
        "checks": [
            {"code": r.code, "description": r.description, "checked": r.checked,
             "failed": r.failed, "passed": r.passed, "certificate": _CHECK[r.code].certificate}
            for r in report.results
        ],
        "skipped": [
            {"code": code, "reason": f"the allocation has no {_CHECK[code].column} column"}
            for code in report.skipped
        ],
        "violations": [
            {"check": v.check, "subject": v.subject, "expected": v.expected, "actual": v.actual,
             "message": v.message, "unit": v.unit, "area": v.area, "service": v.service,
             "to_service": v.to_service, "row": v.row}
            for v in report.violations
        ],
        "checks_run": report.checks_run,
        "passed": report.passed,
        "failed": report.failed,
        "ok": report.is_ok,
    }


def _render_text(report: AuditReport) -> str:
    lines = [
        f"audit of {report.source} ({report.rows} rows) against rule set {report.rule_set}, "
        f"{report.units} units",
        "",
        f"{'area':<20}{'budget':>14}{'awarded':>14}{'left':>14}",
    ]
    lines += [f"{t.area:<20}{_euros(t.budget):>14}{_euros(t.awarded):>14}{_euros(t.left):>14}"
              for t in report.areas]
    lines.append("")
    width = max(len(check.code) for check in CHECKS)
    for result in report.results:
        status = "PASS" if result.passed else "FAIL"
        count = (f"{result.checked} checked" if result.passed
                 else f"{result.failed} violation{'s' if result.failed != 1 else ''} in "
                 f"{result.checked} checked")
        lines.append(f"{status}  {result.code:<{width}}  {result.description} ({count})")
    for code in report.skipped:
        lines.append(f"SKIP  {code:<{width}}  no {_CHECK[code].column} column in the allocation")
    if report.violations:
        lines += ["", f"violations ({len(report.violations)}):"]
        for v in report.violations:
            lines.append(f"  {v.check}  {v.subject}: expected {v.expected}, actual {v.actual}")
            lines.append(f"      {v.message}")
    lines += ["", _last_line(report)]
    return "\n".join(lines) + "\n"


def _md_cell(text: object) -> str:
    return str(text).replace("|", "\\|").replace("\n", " ")


def _render_md(report: AuditReport) -> str:
    lines = [
        f"# Audit of `{report.source}`",
        "",
        f"Rule set {report.rule_set}; {report.units} units; {report.rows} allocation rows.",
        "",
        "| area | budget | awarded | left |",
        "|---|---:|---:|---:|",
    ]
    lines += [f"| {t.area} | {_euros(t.budget)} | {_euros(t.awarded)} | {_euros(t.left)} |"
              for t in report.areas]
    lines += ["", "## Checks", "", "| check | result | checked | violations | rule |",
              "|---|---|---:|---:|---|"]
    for result in report.results:
        lines.append(f"| `{result.code}` | {'pass' if result.passed else '**FAIL**'} | "
                     f"{result.checked} | {result.failed} | {_md_cell(result.description)} |")
    for code in report.skipped:
        lines.append(f"| `{code}` | skipped | | | no `{_CHECK[code].column}` column |")
    if report.violations:
        lines += ["", "## Violations", "", "| check | subject | expected | actual | detail |",
                  "|---|---|---|---|---|"]
        lines += [f"| `{v.check}` | {_md_cell(v.subject)} | {_md_cell(v.expected)} | "
                  f"{_md_cell(v.actual)} | {_md_cell(v.message)} |" for v in report.violations]
    lines += ["", _last_line(report)]
    return "\n".join(lines) + "\n"


def render_audit(report: AuditReport, fmt: str) -> str:
    """Render the report as ``text`` (terminal), ``json`` (scripts) or ``md`` (minutes).

    Text and Markdown end with the line ``checks run: N, passed: P, failed: F``. JSON is
    deterministic (sorted keys, no clock), so the same allocation gives the same bytes.

    Raises:
        ValueError: for a format not in `FORMATS`.
    """
    if fmt == "text":
        return _render_text(report)
    if fmt == "md":
        return _render_md(report)
    if fmt == "json":
        return json.dumps(_document(report), sort_keys=True, indent=2, ensure_ascii=False) + "\n"
    raise ValueError(f"unknown audit report format '{fmt}': use one of {', '.join(FORMATS)}")
