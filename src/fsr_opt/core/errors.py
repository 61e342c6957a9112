"""The one error hierarchy of fsr-opt, and the exit code each error maps to.

    FsrOptError                 base; never raised directly      exit 2
    ├── InputError              bad units table, allocation, CLI  exit 2
    ├── RuleSetError            bad rule-set file or override     exit 2
    ├── InfeasibleError         the rules cannot all hold         exit 3
    └── SolverError             solver missing, crashed, timed out exit 3

Every error carries a list of `Problem`s so that all problems of a file are reported at once
(pandera's lazy validation is the model): a user fixes their spreadsheet in one pass, not in
twenty runs.
"""

from __future__ import annotations

from dataclasses import dataclass

MAX_RENDERED = 50


@dataclass(frozen=True)
class Problem:
    """One thing wrong, located as precisely as the source allows.

    Attributes:
        message: what is wrong and how to fix it, in one sentence.
        file: the file it was found in, if any.
        row: the 1-based row of the file (the header is row 1), if any.
        column: the column name as written in the file, if any.
        code: a stable machine-readable code (e.g. ``MISSING_COLUMN``).
    """

    message: str
    file: str | None = None
    row: int | None = None
    column: str | None = None
    code: str = "INVALID"

    def __str__(self) -> str:
        where = []
        if self.file:
            where.append(self.file)
        if self.row is not None:
            where.append(f"row {self.row}")
        if self.column:
            where.append(f"column '{self.column}'")
        prefix = ", ".join(where)
        return f"{prefix}: {self.message}" if prefix else self.message


class FsrOptError(Exception):
    """Base of every error fsr-opt raises on purpose; carries its problems."""

    exit_code = 2
    title = "error"

    def __init__(self, problems: list[Problem] | str) -> None:
        if isinstance(problems, str):
            problems = [Problem(problems)]
        self.problems: list[Problem] = list(problems)
        super().__init__(self.render())

    def render(self, limit: int = MAX_RENDERED) -> str:
        """Return the message a user reads: a title line and one line per problem.

        A spreadsheet with a wrong column can produce thousands of problems; past `limit`
        the rest are counted, not listed (they are usually the same mistake).
        """
        if len(self.problems) == 1:
            return f"{self.title}: {self.problems[0]}"
        lines = [f"{self.title}: {len(self.problems)} problems"]
        lines.extend(f"  - {p}" for p in self.problems[:limit])
        if len(self.problems) > limit:
            lines.append(f"  ... and {len(self.problems) - limit} more")
        return "\n".join(lines)


class InputError(FsrOptError):
    """The units table, an allocation or a command-line value cannot be used as given."""

    title = "input error"


class RuleSetError(FsrOptError):
    """The rule set (file or override) is malformed or inconsistent."""

    title = "rule-set error"


class InfeasibleError(FsrOptError):
    """The rules cannot all hold at once; the problems name the rules in conflict."""

    exit_code = 3
    title = "infeasible"


class SolverError(FsrOptError):
    """The solver is missing, crashed, or stopped before proving optimality."""

    exit_code = 3
    title = "solver failure"
