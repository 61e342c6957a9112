"""The allocation to audit: typed rows from a table read as text, every bad cell reported.

Only ``unit_id`` and ``award`` are required, so that a riparto made by hand in Excel can be
audited; Italian headings and amounts written in either locale are accepted. The cell
readers here are the audit's own; they move to the io package's cell parser once it exists.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from fractions import Fraction
from typing import Any

from fsr_opt.core.errors import ErrorCode, InputError, Problem
from fsr_opt.core.money import CENTS_PER_EURO

__all__ = ["ProvidedAllocation", "ProvidedRow", "RecordedInput", "RunRecord",
           "parse_allocation"]


@dataclass(frozen=True)
class ProvidedRow:
    """One row of the allocation to audit, parsed; None where the column or cell is empty.

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
    """

    source: str
    rows: tuple[ProvidedRow, ...]
    columns: frozenset[str] = frozenset()
    sha256: str = ""
    record: RunRecord | None = None


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
    "criteria_award": ("criteria_award", "contributo criteri", "contributo riparto",
                       "quota criteri"),
    "residual_award": ("residual_award", "contributo residui", "residui", "quota residui"),
    "residual_share": ("residual_share", "quota residui percentuale",
                       "percentuale residui"),
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
        headings: the headings as written, from `fsr_opt.io.allocation.load_allocation_table`.
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
                              sha256=sha256)


def _cell(name: str, text: str) -> Any:
    """Parse one cell of column `name`; None for an empty cell of a numeric column."""
    if name == "unit_id":
        return text
    if not text:
        return None
    if name == "eligible":
        return _boolean(text)
    if name in ("share", "residual_share"):
        return _share(text)
    return _cents(text)
