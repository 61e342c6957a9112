"""The audit's own arithmetic: hand-checked on its limits, and equal to the engine's."""

from __future__ import annotations

from dataclasses import replace
from datetime import date
from fractions import Fraction
from itertools import combinations_with_replacement

from hypothesis import given
from hypothesis import strategies as st

from fsr_opt.audit.recomputed import (
    FundedSet,
    consensus_share,
    distributable_fund,
    funded_sets,
    payments,
    residual_sets,
    service_targets,
    still_lacks,
)
from fsr_opt.engine.eligibility import assess, service_segments, tranches
from fsr_opt.rules import budgets as rule_budgets

from tests.conftest import table, tiny_rules, unit

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
    assert funded_sets([1, 0], 0) == (FundedSet(1, 1, 1, 0, 1),)  # one cent is an entitlement
    # A minimum of one cent can leave a unit out: 3 and 2, both from a total of 3.
    assert funded_sets([3, 2], 1) == (FundedSet(1, 3, 3, 1, 1), FundedSet(2, 2, 5, 3, 5))
    # 10 and 7, minimum 5: at 7 the second gets 4.9 (out), at 8 it gets 5.6: the last total
    # of the first set is 7, where S * 7 = 49 is one below 5 * 10.
    assert funded_sets([10, 7], 5) == (FundedSet(1, 10, 10, 5, 7), FundedSet(2, 7, 17, 13, 17))


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


# ---------------------------------------------------------------------------------------------
# The residual phase and the consensus share, by hand
# ---------------------------------------------------------------------------------------------


def test_still_lacks_is_the_prorated_deficit_floored_less_the_award() -> None:
    rules = tiny_rules({"s0": ("a0", 1)}, {"a0": 100}, fund=1000000)
    full, one, ceased, two_days, excluded = assess(table([
        unit("F", "s0", 100000), unit("O", "s0", 1),
        unit("C", "s0", 100000, end_date=date(2025, 1, 1)),  # active 1 day of 365
        unit("T", "s0", 100000, end_date=date(2025, 1, 2)),  # 2 days of 365
        unit("X", "s0", 100000, in_registry=False)]), rules)
    assert [still_lacks(full, award) for award in (0, 30000, 99999, 100000, 100001)] == [
        100000, 70000, 1, 0, 0]
    assert still_lacks(one, 0) == 1  # a deficit of one cent
    # 100,000 cents x 1/365 = 273.97: 273 cents, floored; x 2/365 = 547.9: 547.
    assert [still_lacks(ceased, award) for award in (0, 100, 273, 274)] == [273, 173, 0, 0]
    assert still_lacks(two_days, 47) == 500
    assert still_lacks(excluded, 0) == 0  # excluded: nothing to make up
    # Without the deficit requirement a unit without deficit is eligible, and lacks nothing
    # even when a file's riparto part is below 0 (its residual part above its award).
    lenient = replace(rules, eligibility=replace(rules.eligibility, require_deficit=False))
    even, surplus = assess(table([unit("E", "s0", 0), unit("S", "s0", 0, revenues=100001)]),
                           lenient)
    assert not even.reasons and not surplus.reasons
    assert [still_lacks(even, -5), still_lacks(surplus, -5), still_lacks(even, 0)] == [0, 0, 0]


def test_residual_sets_by_hand() -> None:
    # The funded units (needs 2,995 and 700 EUR) are always in; C (500 EUR) from the total
    # at which 30% of the pool's share of C's need reaches 300 EUR.
    assert residual_sets([299500, 70000], [50000], 30000) == (
        FundedSet(0, 0, 369500, 0, 221699), FundedSet(1, 50000, 419500, 251700, 419500))
    # Needs below the minimum, or of 0, never reach it; equal needs go together.
    assert residual_sets([1000], [40, 60, 0], 50) == (
        FundedSet(0, 0, 1000, 0, 833), FundedSet(1, 60, 1060, 884, 1060))
    assert residual_sets([1000], [60, 60], 50) == (
        FundedSet(0, 0, 1000, 0, 833), FundedSet(2, 60, 1120, 934, 1120))
    # On the threshold: 5 x 10 - 1 = 49 = 7 x 7, so 7 is the last total that leaves 7 out.
    assert residual_sets([10], [7], 5) == (FundedSet(0, 0, 10, 0, 7),
                                           FundedSet(1, 7, 17, 13, 17))
    # ... and inside the loop: 2 x 13 - 1 = 25 = 5 x 5.
    assert residual_sets([6], [7, 5], 2) == (FundedSet(0, 0, 6, 0, 1), FundedSet(1, 7, 13, 4, 5),
                                             FundedSet(2, 5, 18, 8, 18))
    # Nobody funded by the riparto: the pool funds no set without another unit.
    assert residual_sets([], [100, 60], 50) == (FundedSet(1, 100, 100, 50, 83),
                                                FundedSet(2, 60, 160, 134, 160))
    assert residual_sets([], [], 50) == () and residual_sets([0], [], 50) == ()
    assert residual_sets([10], [], 50) == (FundedSet(0, 0, 10, 0, 10),)
    # A minimum of 0: every unit with a need, from a total of 0.
    assert residual_sets([100], [50, 0, 20, 30], 0) == (FundedSet(3, 20, 200, 0, 200),)
    assert residual_sets([100], [], 0) == (FundedSet(0, 0, 100, 0, 100),)


def _plain_residual_sets(funded: list[int], others: list[int], minimum: int) -> list[tuple[
        int, int, int, int]]:
    """Which others each total funds, total by total: (others funded, E, first, last total)."""
    base = sum(funded)
    candidates = sorted((n for n in others if n > 0 and n >= minimum), reverse=True)
    found: dict[int, list[int]] = {}
    for count in range(len(candidates) + 1):
        inside, outside = candidates[:count], candidates[count:]
        if outside and inside and outside[0] == inside[-1]:
            continue  # equal needs go together
        needs = base + sum(inside)
        for total in range(needs + 1):
            share = Fraction(total, needs) if needs else None
            if share is None or (not inside and base == 0):
                continue
            if all(share * n >= minimum for n in inside) and all(
                    share * n < minimum for n in outside):
                found.setdefault(count, []).append(total)
    return [(count, base + sum(candidates[:count]), totals[0], totals[-1])
            for count, totals in sorted(found.items())]


def test_residual_sets_are_the_totals_that_fund_each_set() -> None:
    # Every small case: the bounds are exactly the first and last total that funds the set.
    for minimum in (1, 2, 3, 5):
        for base in (0, 1, 4, 9):
            for others in combinations_with_replacement((1, 2, 3, 5, 8), 3):
                sets = residual_sets([base], list(others), minimum)
                assert [(s.units, s.entitlement, s.lower, s.upper) for s in sets] == (
                    _plain_residual_sets([base], list(others), minimum)), (base, others, minimum)


def test_consensus_share_of_awards_that_agree() -> None:
    assert consensus_share([]) == 0 and consensus_share([(5, 0)]) == 0  # no base, no share
    assert consensus_share([(10, 100)]) == Fraction(1, 10)
    assert consensus_share([(1, 1)]) == 1  # a base of one cent is a base
    assert consensus_share([(25, 100), (50, 200), (7, 0)]) == Fraction(75, 300)
    # Each award one cent from the average still agrees: the plain average.
    assert consensus_share([(27, 100), (25, 100)]) == Fraction(52, 200)
    assert consensus_share([(26, 100), (50, 200)]) == Fraction(76, 300)
    # The silent units' bases count: the line's total over every entitlement, as long as
    # each award stays within a cent of its part of it (25 of 101: 24.75 cents)...
    assert consensus_share([(25, 100)], silent=1) == Fraction(25, 101)
    # ... beyond, the awards' region ([0.24, 0.26]) bounds the share.
    assert consensus_share([(25, 100)], silent=100) == Fraction(24, 100)


def test_consensus_share_leaves_out_an_award_that_disagrees() -> None:
    awards = [(25, 100), (25, 100), (25, 100), (90, 100)]
    assert consensus_share(awards) == Fraction(1, 4)
    # With silent units the centre is the agreeing awards over their bases and the silent
    # ones, brought into the region the three agree on ([0.24, 0.26]).
    assert consensus_share(awards, silent=1) == Fraction(75, 301)
    assert consensus_share(awards, silent=100) == Fraction(24, 100)
    # Only awards whose own interval covers the region agree: 1 of 10 cents ([0, 0.2]) and
    # 4 of 10 ([0.3, 0.5]) are not counted in the centre.
    assert consensus_share([*awards[:3], (1, 10)]) == Fraction(1, 4)
    assert consensus_share([*awards[:3], (4, 10)]) == Fraction(1, 4)
    # Two of 0 cents agree on a share of 0 (up to one cent each), 3 of 1 does not: 0, not
    # the plain average 1.
    assert consensus_share([(0, 1), (0, 1), (3, 1)]) == 0
    # All three agree on 1/3 (1 cent for 1/3 of one, 0 for one cent of three), and on no
    # share up to the plain average 2/5, where the third would be 1.2 cents off.
    assert consensus_share([(1, 1), (1, 1), (0, 3)]) == Fraction(1, 3)
    # Two awards that do not agree: no consensus, the plain average.
    assert consensus_share([(10, 100), (50, 100)]) == Fraction(60, 200)
    assert consensus_share([(10, 100), (50, 100)], silent=100) == Fraction(60, 300)


def test_consensus_share_between_two_equal_groups() -> None:
    awards = [(25, 100), (25, 100), (100, 200), (100, 200)]
    # The nearer the plain average (250 / 600) wins; the printed shares vote first.
    assert consensus_share(awards) == Fraction(1, 2)
    assert consensus_share(awards, [Fraction(1, 4)]) == Fraction(1, 4)
    assert consensus_share(awards, [Fraction(1, 4), Fraction(1, 2)]) == Fraction(1, 2)
    assert consensus_share(awards, [Fraction(1, 4), Fraction(1, 4), Fraction(1, 2)]) == (
        Fraction(1, 4))
    # A printed share votes for a region it is within a millionth of.
    assert consensus_share(awards, [Fraction(26, 100) + Fraction(1, 10**6)]) == Fraction(1, 4)
    assert consensus_share(awards, [Fraction(24, 100) - Fraction(1, 10**6)]) == Fraction(1, 4)
    assert consensus_share(awards, [Fraction(26, 100) + Fraction(2, 10**6)]) == Fraction(1, 2)
    assert consensus_share(awards, [Fraction(24, 100) - Fraction(2, 10**6)]) == Fraction(1, 2)
    # As far from the average on either side, with no vote: no consensus, the plain average.
    even = [(20, 100), (20, 100), (40, 100), (40, 100)]
    assert consensus_share(even) == Fraction(120, 400)
    assert consensus_share(even, [Fraction(2, 10)]) == Fraction(2, 10)
    assert consensus_share(even, [Fraction(4, 10)]) == Fraction(4, 10)
