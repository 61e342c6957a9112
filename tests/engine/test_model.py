"""Tests of fsr_opt.engine.model: the stage-fixing rows, and their widening for the retry."""

from __future__ import annotations

import pytest

from fsr_opt.engine import solve as solve_module
from fsr_opt.engine.eligibility import assess, plan_services
from fsr_opt.engine.model import RipartoModel, build_model, constraint_name
from fsr_opt.rules.budgets import area_budgets

from tests.conftest import table, tiny_rules, unit


def _single_segment_model() -> RipartoModel:
    """One line offered one segment: its spend expression starts at the segment's lower bound.

    Hand-checked: fund 1,000.00 EUR to one line; U1 is owed 800.00 EUR and U2 500.00 EUR, so
    the funded sets are {U1} and {U1, U2}; the bounds keep only {U1, U2}, whose share is at
    least the one at which U2 reaches the 300.00 EUR minimum: 780.00 EUR spent at the least.
    """
    rules = tiny_rules({"s": ("a", 1)}, {"a": 100}, fund=100000)
    budgets = area_budgets(rules)
    plans = plan_services(assess(table([unit("U1", "s", 80000), unit("U2", "s", 50000)]),
                                 rules), rules, budgets)
    candidates = solve_module.candidate_segments(plans, budgets)
    assert [segment.lower for segment in candidates["s"]] == [78000]
    return build_model(plans, budgets, candidates)


def test_a_widened_fix_keeps_the_constant_of_its_expression() -> None:
    model = _single_segment_model()
    spend = model.area_totals["a"]
    assert spend.constant == 78000
    model.fix_stage("spend", {"a": 100000.0}, 0.5)
    row = model.problem.get_constraint_by_name(constraint_name("stage1_spend", "a"))
    # terms + 78000 >= 100000 - 0.5, kept by PuLP as terms + (78000 - 99999.5) >= 0
    assert row.constant == pytest.approx(78000 - 99999.5)
    model.relax_fixes({"spend": 2.0, "deviation": 0.1, "proportional_excess": 1e-6})
    # before the fix PuLP's changeRHS left -99998.0: the segment's 78000 lost
    assert row.constant == pytest.approx(78000 - 99998.0)

