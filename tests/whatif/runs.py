"""Tiny riparti solved for the what-if tests, seen the two ways a comparison sees a run."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from fsr_opt.core.schema import Allocation, RuleSet, UnitRecord
from fsr_opt.engine.eligibility import assess
from fsr_opt.engine.outcomes import UnitOutcome, unit_outcomes
from fsr_opt.engine.solve import solve_riparto
from fsr_opt.reports.tables import (
    ALLOCATION_COLUMNS,
    allocation_rows,
    summary_headings,
    summary_rows,
)
from fsr_opt.whatif.saved import view_from_rows
from fsr_opt.whatif.view import RunView, view_from_outcomes

from tests.conftest import table, tiny_rules, unit

ONE_LINE = tiny_rules({"s": ("a", 100)}, {"a": 100}, fund=100000)
THREE_UNITS = [unit("U1", "s", 80000), unit("U2", "s", 50000), unit("U3", "s", 20000)]


@dataclass(frozen=True)
class Solved:
    """A solved riparto: the rule set, each unit's outcome and the allocation."""

    rules: RuleSet
    outcomes: list[UnitOutcome]
    allocation: Allocation


def solve(rules: RuleSet, units: Sequence[UnitRecord]) -> Solved:
    assessments = assess(table(units), rules)
    result = solve_riparto(assessments, rules)
    assert result.allocation is not None
    return Solved(rules, unit_outcomes(assessments, result.allocation, rules), result.allocation)


def view(label: str, rules: RuleSet, units: Sequence[UnitRecord]) -> RunView:
    """A run as a what-if sees it: from the typed outcomes."""
    run = solve(rules, units)
    return view_from_outcomes(label, run.outcomes, run.allocation, rules)


def saved(label: str, rules: RuleSet, units: Sequence[UnitRecord]) -> RunView:
    """A run as ``compare`` sees it: read back from the rows of allocation.csv and summary.csv."""
    run = solve(rules, units)
    allocation = [dict(zip(ALLOCATION_COLUMNS, row, strict=True))
                  for row in allocation_rows(run.outcomes)]
    summary = [dict(zip(summary_headings(rules), row, strict=True))  # as summary.csv heads them
               for row in summary_rows(run.outcomes, run.allocation, rules)]
    return view_from_rows(label, allocation, summary)
