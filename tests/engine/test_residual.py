"""The residual phase (engine.residual) and the readings of the criteria, checked by hand."""

from __future__ import annotations

from dataclasses import replace
from datetime import date
from fractions import Fraction

import pytest

from fsr_opt.core.schema import FONDO, LineReading, Ownership, ResidualScope
from fsr_opt.engine.eligibility import assess, plan_services
from fsr_opt.engine.outcomes import unit_outcomes
from fsr_opt.engine.residual import (
    PoolUnit,
    residual_need,
    residual_segments,
    residual_total,
    split_pool,
)
from fsr_opt.engine.solve import solve_riparto
from fsr_opt.rules.budgets import area_budgets

from tests.conftest import table, tiny_rules, unit

MINIMUM = 30000  # 300 EUR

# A unit the riparto funded (A, lacking 1,000 EUR) and two it did not (B 2,000, C 500 EUR).
POOL = [PoolUnit("A", 100_000, True), PoolUnit("B", 200_000, False),
        PoolUnit("C", 50_000, False)]


def test_the_segments_of_a_pool() -> None:
    # 0 to 149.99 EUR: only A (mu < 300/2000, so B stays below the minimum); from 450 EUR, A
    # and B (mu >= 300/2000) up to mu < 300/500; from 2,100 EUR, everyone, up to every need.
    segments = residual_segments(POOL, MINIMUM)
    assert [(s.groups, s.funded_units, s.funded_entitlement, s.lower, s.upper)
            for s in segments] == [(0, 1, 100_000, 0, 14_999),
                                   (1, 2, 300_000, 45_000, 179_999),
                                   (2, 3, 350_000, 210_000, 350_000)]


@pytest.mark.parametrize(("available", "total", "groups"), [
    (0, 0, None), (10_000, 10_000, 0), (40_000, 14_999, 0), (45_000, 45_000, 1),
    (200_000, 179_999, 1), (210_000, 210_000, 2), (400_000, 350_000, 2)])
def test_the_largest_total_a_pool_can_give(available: int, total: int, groups: int | None) -> None:
    found, segment = residual_total(residual_segments(POOL, MINIMUM), available)
    assert found == total
    assert (segment.groups if segment and total else None) == groups


def test_a_pool_is_split_at_one_share_of_the_needs() -> None:
    # 1,000 EUR: mu = 1/3; A 333.33..., B 666.66...: the spare cent to B's larger remainder.
    awards, mu = split_pool(POOL, 100_000, MINIMUM)
    assert (awards, mu) == ({"A": 33_333, "B": 66_667}, Fraction(1, 3))
    # 2,000 EUR: B's group reaches no more (C at mu 0.6 would be 299.99...): 1,799.99 EUR given,
    # C left out since mu * 500 EUR stays below 300 EUR.
    awards, mu = split_pool(POOL, 200_000, MINIMUM)
    assert awards == {"A": 60_000, "B": 119_999} and mu == Fraction(179_999, 300_000)
    assert mu * 50_000 < MINIMUM
    # 400 EUR fall in the gap: only A can take money, 149.99 EUR of it.
    assert split_pool(POOL, 40_000, MINIMUM) == ({"A": 14_999}, Fraction(14_999, 100_000))
    # More than every need: each unit gets all it lacks.
    assert split_pool(POOL, 10**7, MINIMUM) == ({"A": 100_000, "B": 200_000, "C": 50_000},
                                                Fraction(1))


def test_equal_needs_cross_the_minimum_together() -> None:
    twins = [PoolUnit("X", 60_000, False), PoolUnit("Y", 60_000, False)]
    # 300 EUR for two needs of 600: mu 1/4 gives 150 each, below the minimum, and funding one
    # of two equals is not allowed: nothing. 600 EUR: 300 each.
    assert split_pool(twins, 30_000, MINIMUM) == ({}, Fraction(0))
    assert split_pool(twins, 60_000, MINIMUM) == ({"X": 30_000, "Y": 30_000}, Fraction(1, 2))


def test_minimum_zero_funds_every_unit_that_lacks_something() -> None:
    units = [PoolUnit("A", 300, False), PoolUnit("B", 100, False)]
    assert split_pool(units, 200, 0) == ({"A": 150, "B": 50}, Fraction(1, 2))


def test_what_a_unit_still_lacks() -> None:
    rules = tiny_rules({"s": ("a", 1)}, {"a": 100}, fund=100_000)
    units = [unit("P", "s", 100_000, end_date=date(2025, 6, 30)),  # 181 days of 365
             unit("Q", "s", 100_000, applied=False), unit("R", "s", -500)]
    prorated, unapplied, surplus = assess(table(units), rules)
    assert residual_need(prorated, 30_000) == 100_000 * 181 // 365 - 30_000 == 19_589
    assert residual_need(prorated, 10**6) == 0
    assert residual_need(unapplied, 0) == 0  # excluded (NOT_APPLIED)
    assert residual_need(surplus, 0) == 0


def two_areas(scope: ResidualScope):  # type: ignore[no-untyped-def]
    # Area a (1,000 EUR): A's line pays its 400 EUR entitlement, a private unit whose formula
    # (1,000 + 250 x 10 users = 3,500 EUR) is below its deficit of 5,000 EUR: 600 EUR left.
    # Area b (1,000 EUR): B lacks 2,000 EUR and takes it all at a share of 1/2.
    rules = replace(tiny_rules({"s": ("a", 1), "t": ("b", 1)}, {"a": 50, "b": 50},
                               fund=200_000), residual_scope=scope)
    units = [unit("A", "s", 40_000), unit("P", "s", 500_000, ownership=Ownership.PRIVATE),
             unit("B", "t", 200_000)]
    assessments = assess(table(units), rules)
    result = solve_riparto(assessments, rules)
    assert result.allocation is not None
    return assessments, result.allocation, rules


def test_scope_area_keeps_each_areas_leftover_in_it() -> None:
    _, allocation, _ = two_areas(ResidualScope.AREA)
    # Riparto: area a funds A 400 and P at its formula 3,500 (capped by the 1,000 budget:
    # A and P share 1,000 EUR at 1000/3900); area b gives B 1,000 of its 2,000.
    assert sum(allocation.awards.values()) == 200_000
    assert allocation.residual_awards == {} and allocation.unassigned == 0
    pools = {pool.code: pool for pool in allocation.residual_pools}
    assert set(pools) == {"a", "b"} and all(p.available == 0 for p in pools.values())


def test_the_residual_goes_beyond_the_formula_never_beyond_the_deficit() -> None:
    rules = replace(tiny_rules({"s": ("a", 1)}, {"a": 100}, fund=1_000_000),
                    residual_scope=ResidualScope.AREA)
    # P's formula caps its riparto at 3,500 EUR; its deficit is 5,000 EUR. A lacks nothing
    # after the riparto (a public unit funded in full). Of the 10,000 EUR, 3,900 go by the
    # criteria and 1,500 as P's residual: 4,600 EUR stay unassigned.
    units = [unit("A", "s", 40_000), unit("P", "s", 500_000, ownership=Ownership.PRIVATE)]
    assessments = assess(table(units), rules)
    allocation = solve_riparto(assessments, rules).allocation
    assert allocation is not None
    assert dict(allocation.awards) == {"A": 40_000, "P": 350_000}
    assert dict(allocation.residual_awards) == {"P": 150_000}
    (pool,) = allocation.residual_pools
    assert (pool.available, pool.need, pool.distributed, pool.share, pool.recipients) == (
        610_000, 150_000, 150_000, Fraction(1), 1)
    assert pool.left == allocation.unassigned == 460_000
    outcome = {o.assessment.unit.unit_id: o for o in unit_outcomes(assessments, allocation,
                                                                   rules)}["P"]
    assert (outcome.award, outcome.criteria_award, outcome.residual_award) == (
        500_000, 350_000, 150_000)
    assert outcome.binding.value == "DEFICIT" and outcome.residual_share == 1
    # the payments split the total paid
    assert (outcome.tranche_1, outcome.tranche_2) == (350_000, 150_000)


def test_scope_none_gives_nothing_but_says_what_is_left() -> None:
    rules = tiny_rules({"s": ("a", 1)}, {"a": 100}, fund=1_000_000)  # no residui section
    assert rules.residual_scope is ResidualScope.NONE
    units = [unit("A", "s", 40_000), unit("P", "s", 500_000, ownership=Ownership.PRIVATE)]
    allocation = solve_riparto(assess(table(units), rules), rules).allocation
    assert allocation is not None and allocation.residual_awards == {}
    (pool,) = allocation.residual_pools
    assert (pool.available, pool.need, pool.distributed) == (610_000, 150_000, 0)
    assert allocation.unassigned == 610_000


def test_scope_fondo_pools_every_areas_leftover() -> None:
    # Area a leaves 700 EUR that nobody of a can take (its one unit is paid its 300 EUR in
    # full); area b's unit lacks 3,000 EUR after its 1,000. Within the areas the 700 EUR stay
    # unassigned; across the fund they go to B (funded already, so any amount keeps it above
    # the minimum).
    base = tiny_rules({"s": ("a", 1), "t": ("b", 1)}, {"a": 50, "b": 50}, fund=200_000)
    units = [unit("A", "s", 30_000), unit("B", "t", 400_000)]
    area = replace(base, residual_scope=ResidualScope.AREA)
    fondo = replace(base, residual_scope=ResidualScope.FONDO)
    by_area = solve_riparto(assess(table(units), area), area).allocation
    by_fund = solve_riparto(assess(table(units), fondo), fondo).allocation
    assert by_area is not None and by_fund is not None
    assert by_area.residual_awards == {} and by_area.unassigned == 70_000
    assert dict(by_fund.residual_awards) == {"B": 70_000} and by_fund.unassigned == 0
    (pool,) = by_fund.residual_pools
    assert (pool.code, pool.areas, pool.available, pool.share) == (
        FONDO, ("a", "b"), 70_000, Fraction(70_000, 300_000))


def test_only_units_that_applied_receive_residuals() -> None:
    rules = replace(tiny_rules({"s": ("a", 1)}, {"a": 100}, fund=1_000_000),
                    residual_scope=ResidualScope.AREA)
    rules = replace(rules, eligibility=replace(rules.eligibility, require_application=False))
    units = [unit("P", "s", 500_000, ownership=Ownership.PRIVATE),
             unit("Q", "s", 500_000, ownership=Ownership.PRIVATE, applied=False)]
    allocation = solve_riparto(assess(table(units), rules), rules).allocation
    assert allocation is not None
    assert set(allocation.awards) == {"P", "Q"}  # both eligible without the application rule
    assert set(allocation.residual_awards) == {"P"}  # "alle UDOS che hanno presentato istanza"


# ---------------------------------------------------------------------------------------------
# The readings: a line's quota it cannot take goes to the others by targets or by istanze
# ---------------------------------------------------------------------------------------------


def readings_instance(reading: LineReading):  # type: ignore[no-untyped-def]
    # 1,000 EUR, minimum 0; 2024 amounts 2:1:1, so targets 500, 250, 250 EUR. s0 received no
    # application: its 500 EUR go to s1 and s2, which asked for 10,000 and 2,000 EUR.
    rules = replace(tiny_rules({"s0": ("a", 2), "s1": ("a", 1), "s2": ("a", 1)}, {"a": 100},
                               fund=100_000, minimum=0), line_without_applications=reading)
    units = [unit("X", "s1", 1_000_000), unit("Y", "s2", 150_000), unit("Z", "s2", 50_000)]
    assessments = assess(table(units), rules)
    return assessments, rules


def test_by_targets_the_other_lines_share_the_quota_as_their_targets() -> None:
    assessments, rules = readings_instance(LineReading.TARGETS)
    plans = plan_services(assessments, rules, area_budgets(rules))
    assert [p.excess_weight for p in plans] == [50_000, 25_000, 25_000]  # the targets
    allocation = solve_riparto(assessments, rules).allocation
    assert allocation is not None
    assert [allocation.services[s].awarded for s in ("s0", "s1", "s2")] == [0, 50_000, 50_000]


def test_by_istanze_they_share_it_as_the_applications_they_received() -> None:
    assessments, rules = readings_instance(LineReading.ISTANZE)
    plans = plan_services(assessments, rules, area_budgets(rules))
    assert [p.excess_weight for p in plans] == [0, 1_000_000, 200_000]  # what they asked for
    # S_s = T_s + rho w_s: 250 + rho 10,000 and 250 + rho 2,000 EUR add up to 1,000 EUR, so
    # rho = 1/24: 666.67 and 333.33 EUR (the spare cent to the larger remainder).
    for prune in (True, False):
        allocation = solve_riparto(assessments, rules, prune=prune).allocation
        assert allocation is not None
        assert [allocation.services[s].awarded for s in ("s0", "s1", "s2")] == [
            0, 66_667, 33_333]
    result = solve_riparto(assessments, rules, solver="highs")
    assert result.allocation is not None
    assert result.allocation.services["s1"].awarded == 66_667
    assert result.allocation.services["s1"].excess_weight == 1_000_000
