"""The exact continuous stages for given funded sets (hand-checked)."""

from __future__ import annotations

from fractions import Fraction

import pytest

from fsr_opt.engine.eligibility import Segment, ServicePlan
from fsr_opt.engine.exact import AreaOptimum, round_area, solve_area


def plan(code: str, priority: int, target: Fraction | int, low: int, high: int) -> ServicePlan:
    segment = Segment(1, 1, high, low, high)
    return ServicePlan("a", code, priority, Fraction(target), (("u", high),), (segment,))


def picked(*plans: ServicePlan) -> dict[str, Segment | None]:
    return {p.service: p.segments[0] for p in plans}


def test_excess_spread_by_water_level() -> None:
    # Budget 1200, targets 400 each; A can take 100: B and C get 550 each (rho = 0.375).
    plans = [plan("A", 0, 400, 0, 100), plan("B", 1, 400, 0, 5000), plan("C", 2, 400, 0, 5000)]
    result = solve_area(plans, picked(*plans), 1200)
    assert result.spend == 1200
    assert result.totals == {"A": 100, "B": 550, "C": 550}
    assert result.deviation == 600
    assert result.excess_ratio == Fraction(3, 8)


def test_lower_bound_above_target_makes_others_give_way() -> None:
    # A's funded set needs at least 80 (target 50); budget 100: B must go down to 20.
    plans = [plan("A", 0, 50, 80, 200), plan("B", 1, 50, 0, 200)]
    result = solve_area(plans, picked(*plans), 100)
    assert result.totals == {"A": 80, "B": 20}
    assert result.deviation == 60
    assert result.excess_ratio == Fraction(3, 5)


def test_line_without_history_absorbs_what_others_cannot() -> None:
    plans = [plan("E", 0, 100, 0, 50), plan("D", 1, 0, 0, 1000)]
    result = solve_area(plans, picked(*plans), 100)
    assert result.totals == {"E": 50, "D": 50}
    assert result.excess_ratio == Fraction(-1, 2)


def test_capacity_below_budget_spends_all_caps() -> None:
    plans = [plan("A", 0, 500, 0, 120), plan("B", 1, 500, 30, 300)]
    result = solve_area(plans, picked(*plans), 1000)
    assert result.spend == 420 and result.totals == {"A": 120, "B": 300}


def test_unfunded_lines_get_zero() -> None:
    plans = [plan("A", 0, 500, 300, 900), plan("B", 1, 500, 300, 900)]
    result = solve_area(plans, {"A": plans[0].segments[0], "B": None}, 1000)
    assert result.totals == {"A": 900, "B": 0} and result.spend == 900


def test_rounding_keeps_the_spend_and_the_segments() -> None:
    # Targets 1000/3 each: totals 333.33.. each; one spare cent to the first line.
    plans = [plan(c, i, Fraction(1000, 3), 0, 1000) for i, c in enumerate("ABC")]
    result = solve_area(plans, picked(*plans), 1000)
    assert round_area(plans, result) == {"A": 334, "B": 333, "C": 333}


# ---------------------------------------------------------------------------------------------
# The order of round_area's spare cents, and the budget on its limit
# ---------------------------------------------------------------------------------------------


def optimum_of(totals: dict[str, Fraction], spend: int) -> AreaOptimum:
    return AreaOptimum(spend, Fraction(0), None, totals)


def test_round_area_gives_a_spare_cent_to_the_larger_remainder_next() -> None:
    # Both ceilings are a whole cent nearer their targets (far above): equal gain. The cent
    # goes to the larger remainder (B, 0.75), although A comes first.
    plans = [plan("A", 0, 1000, 0, 2000), plan("B", 1, 1000, 0, 2000)]
    totals = {"A": Fraction(41, 4), "B": Fraction(83, 4)}  # 10.25 and 20.75
    assert round_area(plans, optimum_of(totals, 31)) == {"A": 10, "B": 21}


def test_round_area_weighs_the_one_cent_step_and_the_remainder_not_the_total() -> None:
    # A's target 11.5: its ceiling 11 is 0.5 from it, its floor 10 is 1.5: a gain of one
    # cent, as for B (target far above). Equal gains: the larger remainder (A, 0.75) takes the
    # cent, although B's total is larger. Weighing a two-cent step would favour B (-2 against
    # -1), and so would ranking by the total instead of the remainder.
    plans = [plan("A", 0, Fraction(23, 2), 0, 2000), plan("B", 1, 1000, 0, 2000)]
    totals = {"A": Fraction(43, 4), "B": Fraction(81, 4)}  # 10.75 and 20.25
    assert round_area(plans, optimum_of(totals, 31)) == {"A": 11, "B": 20}


def test_round_area_gives_a_spare_cent_first_where_the_ceiling_is_nearest_the_target() -> None:
    # A's target 10.3: its ceiling 11 is 0.4 cent farther than its floor 10 is. B's target is
    # far above: its ceiling gains a whole cent. B takes the cent despite its smaller remainder.
    plans = [plan("A", 0, Fraction(103, 10), 0, 2000), plan("B", 1, 1000, 0, 2000)]
    totals = {"A": Fraction(43, 4), "B": Fraction(81, 4)}  # 10.75 and 20.25
    assert round_area(plans, optimum_of(totals, 31)) == {"A": 10, "B": 21}


def test_round_area_gives_a_spare_cent_to_the_earlier_line_last() -> None:
    plans = [plan("A", 1, 1000, 0, 2000), plan("B", 0, 1000, 0, 2000)]
    totals = {"A": Fraction(21, 2), "B": Fraction(41, 2)}  # 10.5 and 20.5: equal in all else
    assert round_area(plans, optimum_of(totals, 31)) == {"A": 10, "B": 21}


def test_round_area_leaves_whole_totals_alone() -> None:
    # A whole total is no candidate, even where its ceiling would gain most (A's target is
    # far above, B's ceiling gains nothing).
    plans = [plan("A", 0, 1000, 0, 2000), plan("B", 1, Fraction(41, 2), 0, 2000)]
    totals = {"A": Fraction(10), "B": Fraction(41, 2)}
    assert round_area(plans, optimum_of(totals, 31)) == {"A": 10, "B": 21}


def test_lower_bounds_filling_the_budget_exactly_are_feasible() -> None:
    plans = [plan("A", 0, 50, 60, 200), plan("B", 1, 50, 40, 200)]
    result = solve_area(plans, picked(*plans), 100)
    assert result.totals == {"A": 60, "B": 40} and result.spend == 100
    # The message reaches the user inside the solver error of a wrong answer.
    with pytest.raises(ValueError, match=r"^the picked funded sets do not fit in the area budget$"):
        solve_area(plans, picked(*plans), 99)


def test_targets_met_exactly_leave_no_deviation() -> None:
    plans = [plan("A", 0, 300, 0, 500), plan("B", 1, 700, 0, 900)]
    result = solve_area(plans, picked(*plans), 1000)
    assert result.totals == {"A": 300, "B": 700}
    assert (result.deviation, result.excess_ratio) == (0, 0)


def test_a_line_with_a_zero_target_is_filled_before_the_water_level() -> None:
    # No history for B: it takes what A, at most 100, cannot. The ratio is A's alone.
    plans = [plan("A", 0, 1000, 0, 100), plan("B", 1, 0, 0, 5000)]
    result = solve_area(plans, picked(*plans), 1000)
    assert result.totals == {"A": 100, "B": 900}
    assert result.excess_ratio == Fraction(-9, 10)


def test_a_budget_met_by_the_nearest_totals_moves_no_cent_to_a_line_without_history() -> None:
    # A's target 154 fits its bounds and uses the whole spend (gap 0): B, without history
    # (target 0), stays at 0. Moving cents from A to B would cost deviation on both lines.
    plans = [plan("A", 0, 154, 5, 260), plan("B", 1, 0, 0, 39)]
    result = solve_area(plans, picked(*plans), 154)
    assert result.totals == {"A": 154, "B": 0}
    assert (result.deviation, result.excess_ratio) == (0, 0)


def test_a_gap_below_one_cent_moves_only_that_fraction() -> None:
    # A's target 153.5 leaves half a cent of the spend 154 (gap 1/2): it goes to B, the line
    # without history (A above its target would raise the excess ratio); A keeps 153.5.
    plans = [plan("A", 0, Fraction(307, 2), 5, 260), plan("B", 1, 0, 0, 39)]
    result = solve_area(plans, picked(*plans), 154)
    assert result.totals == {"A": Fraction(307, 2), "B": Fraction(1, 2)}
    assert (result.deviation, result.excess_ratio) == (Fraction(1, 2), 0)


def test_a_line_without_history_absorbs_the_excess_before_an_earlier_line_with_room() -> None:
    # A (first, target 100) has room up to 1000; B has no history (target 0, weight 0). The
    # 50 above A's target go to B: the excess ratio stays 0 instead of A's 0.5.
    plans = [plan("A", 0, 100, 0, 1000), plan("B", 1, 0, 0, 50)]
    result = solve_area(plans, picked(*plans), 150)
    assert result.totals == {"A": 100, "B": 50}
    assert (result.deviation, result.excess_ratio) == (50, 0)


def test_the_water_level_rises_past_a_line_that_fills_on_the_way() -> None:
    # A and B aim at 100; A is full at 150 (level 1/2), then only B rises: 400 needs B at 250,
    # level 3/2. The slope after a breakpoint counts only the lines still rising there.
    plans = [plan("A", 0, 100, 0, 150), plan("B", 1, 100, 0, 1000)]
    result = solve_area(plans, picked(*plans), 400)
    assert result.totals == {"A": 150, "B": 250}
    assert (result.deviation, result.excess_ratio) == (200, Fraction(3, 2))


def test_the_water_level_of_a_line_of_weight_one() -> None:
    # A target of one cent: the slope of the water level is 1, and the level is exactly what
    # the line takes above its target (4 cents), not the breakpoint where it fills (9).
    plans = [plan("A", 0, 1, 0, 10)]
    result = solve_area(plans, picked(*plans), 5)
    assert result.totals == {"A": 5}
    assert result.excess_ratio == 4
