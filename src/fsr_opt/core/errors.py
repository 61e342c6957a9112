"""The one error hierarchy of fsr-opt, and the codes of every problem it reports.

    FsrOptError                 base; never raised directly
    ├── InputError              bad units table, allocation, command-line value, output folder
    ├── RuleSetError            bad rule-set file or override
    ├── InfeasibleError         the rules cannot all hold
    └── SolverError             solver missing, crashed, timed out

Every error carries a list of `Problem`s so that all problems of a file are reported at once
(pandera's lazy validation is the model): a user fixes their spreadsheet in one pass, not in
twenty runs. Each problem has an `ErrorCode`; docs/errors.md explains every code (a test
keeps the two in step). An error's `kind` says what failed; only the command line turns a
kind into an exit code.

Warnings are `Problem`s too, of what loads but deserves a look (a column ignored, a file read
as Windows-1252): `warn` sends one to the logger `WARNINGS_LOGGER`, whose records the command
line prints as ``warning: FILE, row N, column C: message``, at most `MAX_WARNINGS_PER_KIND`
of each code and then their count; `collecting_warnings` keeps them instead (a region's
Ambito, solved in another process, hands its warnings back with its outcome).
"""

from __future__ import annotations

import contextlib
import difflib
import logging
from collections import Counter
from collections.abc import Callable, Iterable, Iterator, Sequence
from contextvars import ContextVar
from dataclasses import dataclass, field
from enum import StrEnum
from typing import ClassVar, overload

from fsr_opt.core.i18n import N_, _

MAX_RENDERED = 50
"""Problems of an error listed in its message; the rest are counted."""
MAX_WARNINGS_PER_KIND = 10
"""Warnings of one code printed (or kept) in a run; the rest are counted."""
WARNINGS_LOGGER = "fsr_opt.warnings"
"""The logger of every warning: the command line prints its records in the one form."""


def suggest(word: str, choices: Iterable[str], cutoff: float = 0.6) -> str | None:
    """The nearest of `choices` to a mistyped `word`, for a "did you mean"; None if none is near.

    The one helper of every such hint (rule keys, parameters, unit types of a units table).
    """
    matches = difflib.get_close_matches(word, list(choices), n=1, cutoff=cutoff)
    return matches[0] if matches else None


class ErrorCode(StrEnum):
    """The stable code of every problem; programs match codes, people read the sentence."""

    # A file as a whole (units table, allocation, manifest, rule set).
    FILE_NOT_FOUND = "FILE_NOT_FOUND"
    NOT_A_FILE = "NOT_A_FILE"
    UNREADABLE = "UNREADABLE"
    UNSUPPORTED_FORMAT = "UNSUPPORTED_FORMAT"
    NOT_A_SPREADSHEET = "NOT_A_SPREADSHEET"
    ENCODING = "ENCODING"
    EMPTY_FILE = "EMPTY_FILE"
    FILE_TOO_LARGE = "FILE_TOO_LARGE"
    TOO_MANY_ROWS = "TOO_MANY_ROWS"
    CSV_SYNTAX = "CSV_SYNTAX"
    SHEET_NOT_FOUND = "SHEET_NOT_FOUND"
    SHEET_COPIES = "SHEET_COPIES"
    MERGED_HEADER = "MERGED_HEADER"
    # Headings of a table.
    WRONG_COLUMNS = "WRONG_COLUMNS"
    MISSING_COLUMN = "MISSING_COLUMN"
    DUPLICATE_COLUMN = "DUPLICATE_COLUMN"
    WRONG_YEAR = "WRONG_YEAR"
    HEADER_NOT_FIRST = "HEADER_NOT_FIRST"
    RESULT_AS_UNITS = "RESULT_AS_UNITS"
    REPEATED_HEADER = "REPEATED_HEADER"
    ROW_TOO_LONG = "ROW_TOO_LONG"
    # One cell.
    EMPTY_VALUE = "EMPTY_VALUE"
    MERGED_CELL = "MERGED_CELL"
    NOT_A_NUMBER = "NOT_A_NUMBER"
    AMBIGUOUS_NUMBER = "AMBIGUOUS_NUMBER"
    MIXED_NUMBER_FORMAT = "MIXED_NUMBER_FORMAT"
    TOO_MANY_DECIMALS = "TOO_MANY_DECIMALS"
    NEGATIVE = "NEGATIVE"
    TOO_LARGE = "TOO_LARGE"
    NOT_AN_INTEGER = "NOT_AN_INTEGER"
    NOT_A_DATE = "NOT_A_DATE"
    NOT_A_BOOLEAN = "NOT_A_BOOLEAN"
    BAD_OWNERSHIP = "BAD_OWNERSHIP"
    FORMULA_CELL = "FORMULA_CELL"
    EXCEL_ERROR = "EXCEL_ERROR"
    # Across the rows of a table.
    DUPLICATE_ID = "DUPLICATE_ID"
    END_BEFORE_START = "END_BEFORE_START"
    NO_ROWS = "NO_ROWS"
    TOTAL_ROW = "TOTAL_ROW"
    UNKNOWN_TYPE = "UNKNOWN_TYPE"
    SEVERAL_AMBITI = "SEVERAL_AMBITI"
    # A saved run read back (compare, explain).
    MISSING_TOTAL = "MISSING_TOTAL"
    UNKNOWN_UNIT = "UNKNOWN_UNIT"
    BAD_RUN_RECORD = "BAD_RUN_RECORD"
    # The rule-set document.
    SYNTAX = "SYNTAX"
    TOO_DEEP = "TOO_DEEP"
    NOT_A_MAPPING = "NOT_A_MAPPING"
    MISSING_KEY = "MISSING_KEY"
    UNKNOWN_KEY = "UNKNOWN_KEY"
    MISSING_DESCRIPTION = "MISSING_DESCRIPTION"
    MISSING_REFERENCE = "MISSING_REFERENCE"
    BAD_VALUE = "BAD_VALUE"
    NEGATIVE_FUND = "NEGATIVE_FUND"
    SHARES_NOT_100 = "SHARES_NOT_100"
    SET_ASIDE_TOO_LARGE = "SET_ASIDE_TOO_LARGE"
    BAD_UNIT = "BAD_UNIT"
    BAD_FORMAT = "BAD_FORMAT"
    BAD_CODE = "BAD_CODE"
    DUPLICATE_NAME = "DUPLICATE_NAME"
    DUPLICATE_SERVICE = "DUPLICATE_SERVICE"
    TYPE_IN_TWO_SERVICES = "TYPE_IN_TWO_SERVICES"
    TYPE_WITHOUT_SERVICE = "TYPE_WITHOUT_SERVICE"
    UNKNOWN_UNIT_TYPE = "UNKNOWN_UNIT_TYPE"
    UNKNOWN_FORMULA_CLASS = "UNKNOWN_FORMULA_CLASS"
    INCONSISTENT_UNIT_TYPE = "INCONSISTENT_UNIT_TYPE"
    NO_VALUE_IN_FORCE = "NO_VALUE_IN_FORCE"
    VALUE_STARTS_IN_YEAR = "VALUE_STARTS_IN_YEAR"
    # The command line.
    BAD_OPTION = "BAD_OPTION"
    BAD_OVERRIDE = "BAD_OVERRIDE"
    UNKNOWN_PARAMETER = "UNKNOWN_PARAMETER"
    UNKNOWN_SOLVER = "UNKNOWN_SOLVER"
    # Rules that cannot all hold.
    MINIMUM_ABOVE_ENTITLEMENTS = "MINIMUM_ABOVE_ENTITLEMENTS"
    AREA_BUDGET = "AREA_BUDGET"
    INFEASIBLE = "INFEASIBLE"
    NUMERICAL = "NUMERICAL"
    # The solver.
    SOLVER_MISSING = "SOLVER_MISSING"
    SOLVER_CRASHED = "SOLVER_CRASHED"
    TIME_LIMIT = "TIME_LIMIT"
    NOT_OPTIMAL = "NOT_OPTIMAL"
    WRONG_ANSWER = "WRONG_ANSWER"
    OWN_AUDIT_FAILED = "OWN_AUDIT_FAILED"
    # The output folder.
    OUTPUT_NOT_A_FOLDER = "OUTPUT_NOT_A_FOLDER"
    OUTPUT_UNWRITABLE = "OUTPUT_UNWRITABLE"
    # A region manifest.
    BAD_AMBITO_CODE = "BAD_AMBITO_CODE"
    DUPLICATE_AMBITO = "DUPLICATE_AMBITO"
    BAD_BUDGET = "BAD_BUDGET"
    NO_AMBITO_COLUMN = "NO_AMBITO_COLUMN"
    UNKNOWN_AMBITO = "UNKNOWN_AMBITO"
    # Hostile input (issue 16): what is refused before reading, and the warnings (the run
    # goes on).
    NOT_A_REGULAR_FILE = "NOT_A_REGULAR_FILE"
    OUTPUT_IS_INPUT = "OUTPUT_IS_INPUT"
    HIDDEN_SHEET = "HIDDEN_SHEET"
    PASSWORD_PROTECTED = "PASSWORD_PROTECTED"
    TOO_MANY_COLUMNS = "TOO_MANY_COLUMNS"
    CELL_TOO_LONG = "CELL_TOO_LONG"
    READ_AS_CP1252 = "READ_AS_CP1252"
    UNKNOWN_COLUMN = "UNKNOWN_COLUMN"
    UNNAMED_VALUE = "UNNAMED_VALUE"
    SHEET_IGNORED = "SHEET_IGNORED"
    EMPTY_DECLARATION = "EMPTY_DECLARATION"
    ROWS_ABOVE_HEADINGS = "ROWS_ABOVE_HEADINGS"
    HIDDEN_ROWS = "HIDDEN_ROWS"
    UNIT_OUTSIDE_AMBITO = "UNIT_OUTSIDE_AMBITO"
    MINIMUM_ABOVE_SOME_ENTITLEMENTS = "MINIMUM_ABOVE_SOME_ENTITLEMENTS"
    # The ATS level (issue 15, docs/ats.md): its tables and its rules.
    ATS_UNKNOWN_AMBITO = "ATS_UNKNOWN_AMBITO"
    ATS_MISSING_AMBITO = "ATS_MISSING_AMBITO"
    ATS_ZERO_INDICATOR = "ATS_ZERO_INDICATOR"
    ATS_FLOORS_ABOVE_FUND = "ATS_FLOORS_ABOVE_FUND"
    ATS_SPLIT_MISMATCH = "ATS_SPLIT_MISMATCH"


@dataclass(frozen=True)
class Problem:
    """One thing wrong, located as precisely as the source allows.

    Attributes:
        message: what is wrong and how to fix it, in one sentence.
        file: the file it was found in, if any.
        row: the 1-based row of the file (the header is row 1), if any.
        column: the column name as written in the file, if any.
        code: its stable code (docs/errors.md).
    """

    message: str
    file: str | None = None
    row: int | None = None
    column: str | None = None
    code: ErrorCode = field(kw_only=True)

    def __post_init__(self) -> None:
        if not isinstance(self.code, ErrorCode):  # a bare string would escape docs/errors.md
            raise TypeError(f"a Problem's code must be an ErrorCode, not {self.code!r}")

    def __str__(self) -> str:
        where = []
        if self.file:
            where.append(self.file)
        if self.row is not None:
            where.append(_("row {row}").format(row=self.row))
        if self.column:
            where.append(_("column '{column}'").format(column=self.column))
        prefix = ", ".join(where)
        return f"{prefix}: {self.message}" if prefix else self.message


class FsrOptError(Exception):
    """Base of every error fsr-opt raises on purpose; carries its problems.

    Attributes:
        kind: what failed, for the command line's exit code and region.json's status.
        title: the first word of the message a user reads.
    """

    kind: ClassVar[str] = "error"
    title: ClassVar[str] = N_("error")

    @overload
    def __init__(self, problems: Sequence[Problem]) -> None: ...

    @overload
    def __init__(self, problems: str, code: ErrorCode) -> None: ...

    def __init__(self, problems: Sequence[Problem] | str, code: ErrorCode | None = None) -> None:
        if isinstance(problems, str):
            if code is None:
                raise TypeError("a message needs its ErrorCode")
            problems = [Problem(problems, code=code)]
        self.problems: list[Problem] = list(problems)
        super().__init__(self.render())

    def __reduce__(self) -> tuple[type[FsrOptError], tuple[list[Problem]]]:
        """Pickle by the problems (Exception's default passes the rendered text back)."""
        return type(self), (self.problems,)

    @property
    def codes(self) -> tuple[ErrorCode, ...]:
        """The codes of the problems, in order, each once."""
        return tuple(dict.fromkeys(problem.code for problem in self.problems))

    def render(self, limit: int = MAX_RENDERED) -> str:
        """Return the message a user reads: a title line and one line per problem.

        A spreadsheet with a wrong column can produce thousands of problems; past `limit`
        the rest are counted, not listed (they are usually the same mistake).
        """
        title = _(self.title)
        if len(self.problems) == 1:
            return f"{title}: {self.problems[0]}"
        lines = [_("{title}: {count} problems").format(title=title, count=len(self.problems))]
        lines.extend(f"  - {p}" for p in self.problems[:limit])
        if len(self.problems) > limit:
            lines.append(_("  ... and {count} more").format(count=len(self.problems) - limit))
        return "\n".join(lines)


class InputError(FsrOptError):
    """The units table, an allocation or a command-line value cannot be used as given."""

    kind = "input_error"
    title = N_("input error")


class RuleSetError(FsrOptError):
    """The rule set (file or override) is malformed or inconsistent."""

    kind = "rule_set_error"
    title = N_("rule-set error")


class InfeasibleError(FsrOptError):
    """The rules cannot all hold at once; the problems name the rules in conflict."""

    kind = "infeasible"
    title = N_("infeasible")


class SolverError(FsrOptError):
    """The solver is missing, crashed, or stopped before proving optimality."""

    kind = "solver_failure"
    title = N_("solver failure")


# ---------------------------------------------------------------------------------------------
# Warnings
# ---------------------------------------------------------------------------------------------


class WarningLog:
    """Warnings kept in constant memory: the first `limit` of each code, and how many in all.

    Attributes:
        counts: how many warnings of each code were given, in the order codes first came.
        kept: the first `limit` warnings of each code, in the order they were given.
    """

    def __init__(self, limit: int = MAX_WARNINGS_PER_KIND) -> None:
        self.limit = limit
        self.counts: Counter[ErrorCode] = Counter()
        self.kept: list[Problem] = []

    def add(self, problem: Problem) -> bool:
        """Count a warning; keep it and return True while its code is within the limit."""
        self.counts[problem.code] += 1
        if self.counts[problem.code] > self.limit:
            return False
        self.kept.append(problem)
        return True

    def omitted(self) -> list[Problem]:
        """One warning per code past the limit: how many more of it were not shown."""
        return [Problem(_("{count} more warnings of this kind ({code}) are not shown").format(
                        count=count - self.limit, code=code.value), code=code)
                for code, count in self.counts.items() if count > self.limit]

    def lines(self) -> list[str]:
        """Every warning kept, then the counts of those not kept, as text."""
        return [str(problem) for problem in (*self.kept, *self.omitted())]


_COLLECTOR: ContextVar[WarningLog | None] = ContextVar("fsr_opt_warnings", default=None)


def warn(problem: Problem) -> None:
    """Give a warning: what loads but deserves a look; the run goes on.

    It goes to the `WarningLog` of the innermost `collecting_warnings`, else to the logger
    `WARNINGS_LOGGER` (the record carries the `Problem` as ``record.problem``).
    """
    collector = _COLLECTOR.get()
    if collector is not None:
        collector.add(problem)
        return
    logging.getLogger(WARNINGS_LOGGER).warning("%s", problem, extra={"problem": problem})


def warn_each(
    problems: Iterable[Problem], more: Callable[[int], Problem],
    limit: int = MAX_WARNINGS_PER_KIND,
) -> None:
    """Warn of the first `limit` - 1 problems of a loop, then of how many more (`more`).

    Capped at the source, in constant memory: a header of 200,000 unknown columns gives ten
    warnings, not 200,000 (the iterable is consumed lazily, only counted past the limit).
    """
    rest = 0
    for number, problem in enumerate(problems, start=1):
        if number < limit:
            warn(problem)
        else:
            rest += 1
    if rest:
        warn(more(rest))


@contextlib.contextmanager
def collecting_warnings(limit: int = MAX_WARNINGS_PER_KIND) -> Iterator[WarningLog]:
    """Keep the warnings given inside the block in a `WarningLog` instead of logging them."""
    log = WarningLog(limit)
    token = _COLLECTOR.set(log)
    try:
        yield log
    finally:
        _COLLECTOR.reset(token)
