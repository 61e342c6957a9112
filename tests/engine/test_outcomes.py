"""Each unit's outcome: award, share, binding limit and payments from a solved allocation."""

from __future__ import annotations

from dataclasses import replace
from fractions import Fraction

from fsr_opt.core.schema import Binding, Ownership
from fsr_opt.engine.eligibility import assess
from fsr_opt.engine.outcomes import UnitOutcome, unit_outcomes
from fsr_opt.engine.solve import solve_riparto

from tests.conftest import table, tiny_rules, unit

# Area a (1000 EUR): U1 800 and U2 500 share 1000 (lambda 10/13), U3 (200) below minimum,
# X excluded (no application). Area b (1000 EUR): V1 400 at full entitlement.
RULES = tiny_rules({"s": ("a", 1), "t": ("b", 1)}, {"a": 50, "b": 50}, fund=200000)
UNITS = [
    unit("U1", "s", 80000), unit("U2", "s", 50000), unit("U3", "s", 20000),
    unit("X", "s", 90000, applied=False), unit("V1", "t", 40000),
]


def outcomes(rules=RULES, units=UNITS) -> dict[str, UnitOutcome]:  # type: ignore[no-untyped-def]
    assessments = assess(table(units), rules)
    result = solve_riparto(assessments, rules)
    assert result.allocation is not None
    listed = unit_outcomes(assessments, result.allocation, rules)
    assert [o.assessment.unit.unit_id for o in listed] == [u.unit_id for u in units]
    return {o.assessment.unit.unit_id: o for o in listed}


def test_binding_limits() -> None:
    found = outcomes()
    assert found["U1"].binding == "AREA_BUDGET" and found["U1"].award == 61538
    assert found["U1"].share == Fraction(10, 13)
    assert found["U3"].binding == Binding.BELOW_MINIMUM and found["U3"].share == 0
    assert found["X"].binding == Binding.EXCLUDED and found["X"].award == 0
    assert found["V1"].binding == Binding.DEFICIT and found["V1"].share == 1


def test_a_private_unit_capped_by_its_formula() -> None:
    # formula 1000 + 250 x 1 user = 1250 EUR, below its deficit and its area's 2000 EUR
    rules = tiny_rules({"t": ("b", 1)}, {"b": 100}, fund=200000)
    found = outcomes(rules, [unit("P1", "t", 900000, ownership=Ownership.PRIVATE, users=1)])
    assert (found["P1"].binding, found["P1"].award, found["P1"].share) == (
        Binding.FORMULA, 125000, 1)


def test_equal_share_when_the_budget_is_not_spent() -> None:
    # 600 EUR: U1 alone at the top of its segment (479.99), 120.01 left in the area.
    rules = tiny_rules({"s": ("a", 100)}, {"a": 100}, fund=60000)
    found = outcomes(rules, UNITS[:3])
    assert (found["U1"].award, found["U1"].binding) == (47999, Binding.EQUAL_SHARE)


def test_payments_split_above_the_single_payment_threshold() -> None:
    found = outcomes(replace(RULES, single_payment_threshold=10000))
    funded = found["U1"]
    assert (funded.tranche_1, funded.tranche_2) == (43077, 18461)  # 70% half up, the rest
    assert (found["X"].tranche_1, found["X"].tranche_2) == (0, 0)
