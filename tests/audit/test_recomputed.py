"""The audit's own arithmetic: hand-checked on its limits, and equal to the engine's."""

from __future__ import annotations

from dataclasses import replace
from fractions import Fraction

from hypothesis import given
from hypothesis import strategies as st

from fsr_opt.audit.recomputed import (
    FundedSet,
    distributable_fund,
    funded_sets,
    payments,
    service_targets,
)
from fsr_opt.engine.eligibility import service_segments, tranches
from fsr_opt.rules import budgets as rule_budgets

from tests.conftest import tiny_rules

RULES = tiny_rules({"s0": ("a0", 3), "s1": ("a0", 1), "t0": ("a1", 0), "t1": ("a1", 0)},
                   {"a0": 60, "a1": 40}, fund=1000000)


def test_payments_round_the_first_tranche_half_up() -> None:
    # 70% of 1,000.15 EUR is 700.105: 700.11 then 300.04, never 700.10 then 300.05.
    assert payments(100015, RULES) == (70011, 30004)
    assert payments(100016, RULES) == (70011, 30005)


def test_payments_up_to_the_threshold_are_made_at_once() -> None:
    threshold = RULES.single_payment_threshold
    assert payments(threshold, RULES) == (threshold, 0)
    assert payments(threshold + 1, RULES) == (70001, 30000)
    assert payments(0, RULES) == (0, 0)


def test_distributable_fund_takes_each_set_aside_rounded_half_up() -> None:
    # 1,000.01 EUR: a 5% reserve is 50.0005 -> 50.00; 2.5% for other services is 25.00025
    # -> 25.00. 0.5% of 1,000.01 is 5.00005 -> 5.00; of 1,001.00 it is 5.005 -> 5.01.
    rules = replace(RULES, fund=100001, reserve_percent=Fraction(5),
                    other_services_percent=Fraction(5, 2))
    assert distributable_fund(rules) == 100001 - 5000 - 2500
    rules = replace(RULES, fund=100100, reserve_percent=Fraction(1, 2),
                    other_services_percent=Fraction(0))
    assert distributable_fund(rules) == 100100 - 501
    assert distributable_fund(RULES) == RULES.fund


def test_targets_follow_the_2024_amounts_or_split_equally() -> None:
    targets = service_targets(RULES, {"a0": 600001, "a1": 400001})
    assert targets == {"s0": Fraction(3 * 600001, 4), "s1": Fraction(600001, 4),
                       "t0": Fraction(400001, 2), "t1": Fraction(400001, 2)}
    assert service_targets(RULES, {"a0": 100})["t0"] == 0  # no budget given for a1


def test_funded_sets_on_the_minimum() -> None:
    # 100 and 60, minimum 50: one unit from 50 to 83 (at 84 the second reaches 50.4); both
    # from 134 (133 * 60 / 160 = 49.875) to 160.
    assert funded_sets([60, 100, 20], 50) == (FundedSet(1, 100, 100, 50, 83),
                                               FundedSet(2, 60, 160, 134, 160))
    # An entitlement equal to the minimum can be funded, at share 1 only.
    assert funded_sets([60000, 30000], 30000)[1] == FundedSet(2, 30000, 90000, 90000, 90000)
    # Equal entitlements go together; no total funds two of 100.00, 99.99, 99.98 alone.
    assert funded_sets([40, 40, 40], 30) == (FundedSet(3, 40, 120, 90, 120),)
    assert [s.units for s in funded_sets([10000, 9999, 9998], 1000)] == [1, 3]
    # A minimum of 0 funds every unit with an entitlement, from a total of 0.
    assert funded_sets([100, 250, 250, 0], 0) == (FundedSet(3, 100, 600, 0, 600),)
    assert funded_sets([0], 0) == ()


def test_a_funded_set_holds_its_bounds() -> None:
    option = FundedSet(1, 100, 100, 50, 83)
    assert [option.holds(total) for total in (49, 50, 83, 84)] == [False, True, True, False]


# ---------------------------------------------------------------------------------------------
# The same answers as the engine's code, which the audit must not call
# ---------------------------------------------------------------------------------------------


@given(st.integers(0, 10**9), st.fractions(0, 100, max_denominator=1000),
       st.integers(0, 10**6))
def test_payments_are_the_engines_tranches(award: int, percent: Fraction,
                                           threshold: int) -> None:
    rules = replace(RULES, first_tranche_percent=percent, single_payment_threshold=threshold)
    assert payments(award, rules) == tranches(award, rules)


@given(st.lists(st.integers(0, 10**6), max_size=12), st.integers(0, 200_000))
def test_funded_sets_are_the_engines_segments(entitlements: list[int], minimum: int) -> None:
    ours = funded_sets(entitlements + entitlements[:2], minimum)
    theirs = service_segments([e for e in entitlements + entitlements[:2]
                               if e >= minimum and e > 0], minimum)
    assert [(s.units, s.entitlement, s.lower, s.upper) for s in ours] == [
        (s.funded_units, s.funded_entitlement, s.lower, s.upper) for s in theirs]


@given(st.integers(0, 10**10), st.fractions(0, 10, max_denominator=1000),
       st.fractions(0, 10, max_denominator=1000))
def test_distributable_fund_is_the_rules(fund: int, reserve: Fraction, other: Fraction) -> None:
    rules = replace(RULES, fund=fund, reserve_percent=reserve, other_services_percent=other)
    assert distributable_fund(rules) == rule_budgets.distributable(rules)


@given(st.integers(0, 10**9), st.integers(0, 10**9))
def test_targets_are_the_rules(first: int, second: int) -> None:
    budgets = {"a0": first, "a1": second}
    assert service_targets(RULES, budgets) == rule_budgets.service_targets(RULES, budgets)
