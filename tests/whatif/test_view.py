"""A run seen from its typed outcomes equals the same run read back from its CSV rows."""

from __future__ import annotations

from dataclasses import replace
from datetime import date
from fractions import Fraction

import pytest

from fsr_opt.core.schema import Ownership, RuleSet, UnitRecord
from fsr_opt.whatif.diff import diff_rows, diff_runs, diff_summary_rows

from tests.conftest import tiny_rules, unit
from tests.whatif.runs import ONE_LINE, THREE_UNITS, saved, view

# Two equal lines sharing an odd budget: each target ends in half a cent.
HALVES = tiny_rules({"s": ("a", 1), "t": ("a", 1)}, {"a": 100}, fund=100001)
CASES: dict[str, tuple[RuleSet, list[UnitRecord]]] = {
    "area budget binds": (ONE_LINE, THREE_UNITS),
    "cut": (replace(ONE_LINE, fund=60000), THREE_UNITS),
    "caps bind": (replace(ONE_LINE, fund=150000), THREE_UNITS),
    "minimum 0": (replace(ONE_LINE, minimum_award=0), THREE_UNITS),
    "excluded and prorated": (ONE_LINE, [
        *THREE_UNITS, unit("X1", "s", 90000, applied=False, municipality="Milano"),
        unit("P1", "s", 900000, ownership=Ownership.PRIVATE, users=4,
             end_date=date(2025, 6, 30))]),
    "half-cent targets": (HALVES, [unit("U1", "s", 80000), unit("V1", "t", 40000)]),
}


@pytest.mark.parametrize("case", list(CASES))
def test_typed_view_equals_the_view_read_back_from_the_csv_rows(case: str) -> None:
    rules, units = CASES[case]
    assert view("run", rules, units) == saved("run", rules, units)


def test_targets_and_deviations_are_rounded_as_summary_csv_prints_them() -> None:
    rules, units = CASES["half-cent targets"]
    run = view("run", rules, units)
    lines = {line.service: line for line in run.lines}
    # 50000.5 cents each: rounded by largest remainder, the area's targets add up to its
    # budget (the tie goes to the first code), where rounding each half up gave 100002
    assert (lines["s"].target, lines["t"].target) == (50001, 50000)
    assert sum(line.target for line in run.lines) == run.budgets["a"] == 100001
    # V1 gets its whole deficit, U1 the rest; the deviation is the awarded amount minus the
    # printed target, to the cent, so that a reader can redo it from the two columns
    assert (lines["s"].awarded, lines["s"].deviation, lines["s"].distance) == (60001, 10000, 10000)
    assert (lines["t"].awarded, lines["t"].deviation, lines["t"].distance) == (
        40000, -10000, 10000)


def test_unit_view_holds_the_allocation_row() -> None:
    rules, units = CASES["excluded and prorated"]
    run = view("run", rules, units)
    assert [u.unit_id for u in run.units] == ["U1", "U2", "U3", "X1", "P1"]
    units_by_id = {u.unit_id: u for u in run.units}
    excluded = units_by_id["X1"]
    assert not excluded.eligible and excluded.reasons == ("OUTSIDE_AMBITO", "NOT_APPLIED")
    assert (excluded.award, excluded.binding, excluded.share) == (0, "EXCLUDED", 0)
    funded = units_by_id["U1"]
    assert (funded.award, funded.binding) == (44648, "AREA_BUDGET")
    # lambda = 50000/89589 exactly; the view keeps it as allocation.csv prints it
    assert funded.share == Fraction(558104, 10**6)
    assert (funded.tranche_1, funded.tranche_2) == (44648, 0)  # below the single payment


def test_a_whatif_and_a_compare_give_the_same_difference() -> None:
    cut = replace(ONE_LINE, fund=60000)
    in_memory = diff_runs(view("base", ONE_LINE, THREE_UNITS), view("cut", cut, THREE_UNITS))
    read_back = diff_runs(saved("base", ONE_LINE, THREE_UNITS), saved("cut", cut, THREE_UNITS))
    assert in_memory == read_back
    assert diff_rows(in_memory) == diff_rows(read_back)
    assert diff_summary_rows(in_memory) == diff_summary_rows(read_back)
