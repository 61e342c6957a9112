"""The pruning bounds never drop a segment an optimum needs (checked by enumeration)."""

from __future__ import annotations

import itertools
from collections.abc import Sequence
from fractions import Fraction

import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st

from fsr_opt.engine.bounds import (
    capacity_spend,
    deviation_floor,
    deviation_window,
    excess_window,
    starting_picks,
    starting_solution,
    water_level_totals,
)
from fsr_opt.engine.eligibility import NOTHING, Segment, ServicePlan, service_segments
from fsr_opt.engine.exact import AreaOptimum, solve_area


def plan(service: str, priority: int, target: int, entitlements: Sequence[int],
         minimum: int) -> ServicePlan:
    fundable = sorted((e for e in entitlements if e >= minimum and e > 0), reverse=True)
    ranked = tuple((f"{service}u{i}", e) for i, e in enumerate(fundable))
    return ServicePlan(
        area="a", service=service, priority=priority, target=Fraction(target),
        ranked=ranked,
        segments=service_segments([e for _, e in ranked], minimum),
    )


@st.composite
def areas(draw: st.DrawFn) -> tuple[list[ServicePlan], int]:
    """One area: 1-3 service lines of up to 9 units; gaps of every size."""
    minimum = draw(st.sampled_from([0, 30_000, 100_000, draw(st.integers(1, 200_000))]))
    lines = draw(st.integers(1, 3))
    plans = []
    for index in range(lines):
        entitlements = draw(st.lists(st.integers(1, 600_000), max_size=9))
        if draw(st.booleans()):  # groups of equal entitlements
            entitlements += entitlements[: draw(st.integers(0, 3))]
        target = draw(st.integers(0, 2_000_000))
        plans.append(plan(f"s{index}", index, target, entitlements, minimum))
    budget = draw(st.integers(0, 3_000_000))
    # Targets are the budget split by the 2024 figures, as in `rules.service_targets`.
    # (`plan` keeps each line's 2024 figure as its target until here)
    historical = sum(p.target for p in plans)
    plans = [
        ServicePlan(p.area, p.service, p.priority,
                    budget * p.target / historical if historical else Fraction(0),
                    p.ranked, p.segments)
        for p in plans
    ]
    return plans, budget


def combinations(plans: Sequence[ServicePlan], budget: int
                 ) -> list[tuple[tuple[Segment | None, ...], AreaOptimum]]:
    """Every feasible choice of funded sets with its exact stage values."""
    found = []
    for combo in itertools.product(*[[None, *p.segments] for p in plans]):
        picks = {p.service: s for p, s in zip(plans, combo, strict=True)}
        try:
            found.append((combo, solve_area(plans, picks, budget)))
        except ValueError:
            continue
    return found


def optimal(found: list[tuple[tuple[Segment | None, ...], AreaOptimum]]
            ) -> tuple[int, Fraction, list[tuple[tuple[Segment | None, ...], AreaOptimum]]]:
    spend = max(o.spend for _, o in found)
    at_spend = [(c, o) for c, o in found if o.spend == spend]
    deviation = min(o.deviation for _, o in at_spend)
    return spend, deviation, [(c, o) for c, o in at_spend if o.deviation == deviation]


@settings(max_examples=300)
@given(areas())
def test_deviation_window_keeps_every_stage2_optimum(area: tuple[list[ServicePlan], int]) -> None:
    plans, budget = area
    start = starting_solution(plans, budget)
    assume(start is not None)
    assert start is not None
    start_deviation = float(start[1].deviation)
    found = combinations(plans, budget)
    spend, deviation, best = optimal(found)
    assert spend == capacity_spend(plans, budget)  # the start proves the best spend
    assert Fraction(start_deviation) >= deviation - Fraction(1, 10**6)
    window = deviation_window(plans, spend, start_deviation)
    for combo, _ in best:
        for plan_, segment in zip(plans, combo, strict=True):
            assert (segment or NOTHING) in window[plan_.service]


@settings(max_examples=300)
@given(areas())
def test_excess_window_keeps_every_stage3_optimum(area: tuple[list[ServicePlan], int]) -> None:
    plans, budget = area
    found = combinations(plans, budget)
    spend, _, best = optimal(found)
    ratios = [o.excess_ratio for _, o in best]
    assume(all(r is not None for r in ratios))
    least = min(r for r in ratios if r is not None)
    # The bound may come from any stage-2 optimum: the worst one is the hardest case.
    worst = max(r for r in ratios if r is not None)
    everything = {p.service: (NOTHING, *p.segments) for p in plans}
    window = excess_window(plans, everything, spend, float(worst))
    for combo, optimum in best:
        if optimum.excess_ratio != least:
            continue
        for plan_, segment in zip(plans, combo, strict=True):
            assert (segment or NOTHING) in window[plan_.service]


@given(areas())
def test_starting_solution_is_exact_and_feasible(area: tuple[list[ServicePlan], int]) -> None:
    plans, budget = area
    picks = starting_picks(plans, budget)
    lows = sum(s.lower for s in picks.values() if s is not None)
    start = starting_solution(plans, budget)
    if start is None:
        return
    assert lows <= budget
    optimum = solve_area(plans, start[0], budget)
    assert optimum.spend == capacity_spend(plans, budget)
    assert start[1] == optimum


def test_water_level_fills_in_proportion_to_targets() -> None:
    plans = [plan("s0", 0, 100, [1000], 0), plan("s1", 1, 300, [10_000], 0)]
    totals = water_level_totals(plans, 800)
    assert totals == {"s0": pytest.approx(200), "s1": pytest.approx(600)}
    # s0 is full at 1,000: the rest goes to s1.
    assert water_level_totals(plans, 5000) == {"s0": 1000, "s1": pytest.approx(4000)}


def test_far_segments_are_dropped() -> None:
    # 40 units of 1,000 EUR..; minimum 300 EUR: many segments, the target needs few.
    entitlements = [100_000 + 1_000 * k for k in range(40)]
    plans = [plan("s0", 0, 1_000_000, entitlements, 30_000),
             plan("s1", 1, 1_000_000, entitlements, 30_000)]
    budget = 2_000_000
    start = starting_solution(plans, budget)
    assert start is not None
    window = deviation_window(plans, capacity_spend(plans, budget), float(start[1].deviation))
    for p in plans:
        assert 0 < len(window[p.service]) < len(p.segments) // 4


@given(areas())
def test_deviation_floor_is_below_every_solution(area: tuple[list[ServicePlan], int]) -> None:
    plans, budget = area
    found = combinations(plans, budget)
    spend, deviation, _ = optimal(found)
    assert deviation_floor(plans, spend) <= deviation


# ---------------------------------------------------------------------------------------------
# Bounds on their limits
# ---------------------------------------------------------------------------------------------


def test_capacity_spend_of_one_line_reaches_a_segment_starting_at_the_budget() -> None:
    # Segments [50, 83] and [134, 160] (entitlements 100 and 60, minimum 50).
    line = [plan("s0", 0, 100, [100, 60], 50)]
    assert [capacity_spend(line, budget) for budget in (49, 50, 100, 133, 134, 500)] == [
        0, 50, 83, 83, 134, 160]


def test_capacity_spend_of_several_lines_is_the_budget_or_every_line_full() -> None:
    lines = [plan("s0", 0, 100, [100], 50), plan("s1", 1, 100, [60], 50)]
    assert capacity_spend(lines, 159) == 159
    assert capacity_spend(lines, 160) == 160
    assert capacity_spend(lines, 161) == 160


def test_starting_picks_take_a_segment_whose_lower_bound_is_the_water_level() -> None:
    # One line, budget 134: the water level is 134, the lower bound of the two-unit segment.
    (line,) = [plan("s0", 0, 134, [100, 60], 50)]
    picks = starting_picks([line], 134)
    assert picks["s0"] == line.segments[1]
    start = starting_solution([line], 134)
    assert start is not None and start[1].spend == 134


def test_starting_solution_stops_below_a_gap_in_the_totals() -> None:
    # Budget 100 falls in the gap (83, 134): the best spend is 83, and the start reaches it.
    line = plan("s0", 0, 100, [100, 60], 50)
    start = starting_solution([line], 100)
    assert start is not None and start[1].spend == 83


def test_starting_picks_never_fund_a_line_whose_minimum_would_pass_the_budget_by_a_cent() -> None:
    # s0 takes its unit (lower bound 50); s1's unit would bring the lower bounds to 100 > 99.
    lines = [plan("s0", 0, 90, [60], 50), plan("s1", 1, 9, [60], 50)]
    picks = starting_picks(lines, 99)
    assert picks == {"s0": lines[0].segments[0], "s1": None}
    # one cent more and both fit
    assert starting_picks(lines, 100) == {"s0": lines[0].segments[0], "s1": lines[1].segments[0]}


def test_starting_picks_move_a_line_up_from_its_first_funded_set() -> None:
    # s0's water-level total (100) sits in the gap (83, 134): it starts on [50, 83] and moves
    # up to [134, 160], since the lower bounds then take 134 + 50 = 184 of the 200.
    lines = [plan("s0", 0, 100, [100, 60], 50), plan("s1", 1, 100, [100], 50)]
    assert starting_picks(lines, 200) == {"s0": lines[0].segments[1], "s1": lines[1].segments[0]}
    start = starting_solution(lines, 200)
    assert start is not None and start[1].spend == 200


def test_the_deviation_floor_of_an_area_without_lines_is_the_spend() -> None:
    assert deviation_floor([], 500) == 500
    assert deviation_floor([], 0) == 0


def test_the_deviation_floor_sees_the_gap_between_nothing_and_the_first_funded_set() -> None:
    # s0 (target 10) funds nothing or 50..100; s1 (target 50) takes the rest of 60. Funding
    # nothing costs 10 + 10; the line's own floor sees that no total lies in (0, 50), where
    # the relaxation of the other line alone would allow a deviation of 0.
    lines = [plan("s0", 0, 10, [100], 50), plan("s1", 1, 50, [100], 50)]
    assert deviation_floor(lines, 60) == 20
    assert optimal(combinations(lines, 60))[1] == 20  # and it is the optimum


def test_the_deviation_floor_of_a_spend_no_funded_set_can_take() -> None:
    # s1 holds at most 5 of the 8, so s0 must take 3 or more: not nothing (0), and not a
    # total of its only funded set (50..100). No solution spends 8: the floor is 8 + 10.
    lines = [plan("s0", 0, 10, [100], 50), plan("s1", 1, 5, [5], 0)]
    assert deviation_floor(lines, 8) == 18
    assert max(optimum.spend for _, optimum in combinations(lines, 8)) == 5


def test_a_funded_set_reaching_across_the_targets_adds_nothing_to_the_deviation_floor() -> None:
    # Both lines can take any total between their targets (s0 60..80 within 50..100, s1 20..40
    # within 0..100): the floor is the 20 the two targets leave apart, never less.
    lines = [plan("s0", 0, 60, [100], 50), plan("s1", 1, 20, [100], 0)]
    assert deviation_floor(lines, 100) == 20
    assert optimal(combinations(lines, 100))[1] == 20


def test_the_deviation_floor_of_a_line_forced_above_its_target() -> None:
    # s1 holds at most 30 of the 60, so s0 (target 10) takes 30 or more: its first funded
    # set, from 50. At 50 the deviation is 40 + 20 (s1 at 10 of its 30): the floor sees it.
    lines = [plan("s0", 0, 10, [100], 50), plan("s1", 1, 30, [30], 0)]
    assert deviation_floor(lines, 60) == 60
    assert optimal(combinations(lines, 60))[1] == 60


def _span(lower: int, upper: int) -> Segment:
    """A funded set given by its bounds alone (what the windows read of it)."""
    return Segment(groups=1, funded_units=1, funded_entitlement=upper, lower=lower, upper=upper)


def test_the_excess_window_keeps_what_lies_within_its_margin_and_drops_the_rest() -> None:
    # One line, target (and weight) 200,000, at spend 450,000 with a known excess ratio of 1:
    # the limit is 1 + 1e-5 x (1 + 1) = 1.00002. A set starting at 400,003 has its own ratio
    # 1.000015 (kept), at 400,005 1.000025 (dropped); one ending a cent below the spend leaves
    # nothing to the others (kept), two cents below it leaves a cent no line can take.
    (line,) = [plan("s0", 0, 200_000, [500_000], 0)]
    within, beyond = _span(400_003, 500_000), _span(400_005, 500_000)
    reaches, short = _span(0, 449_999), _span(0, 449_998)
    window = excess_window([line], {"s0": [within, beyond, reaches, short]}, 450_000, 1.0)
    assert window == {"s0": (within, reaches)}


def test_the_excess_window_weighs_a_line_whose_target_is_one_cent() -> None:
    # s1's target and weight are 1 cent: it is a weighted line like any other. Its set from 10
    # has its own ratio 9 (dropped); s0's set ending 51 cents below the spend leaves s1 50
    # cents, which it reaches only at a ratio of 49 (dropped).
    lines = [plan("s0", 0, 200_000, [500_000], 0), plan("s1", 1, 1, [100], 0)]
    assert lines[1].excess_weight == 1
    kept, far = _span(0, 300_000), _span(0, 299_949)
    own_ratio_nine = _span(10, 100)
    window = excess_window(lines, {"s0": [kept, far], "s1": [own_ratio_nine]}, 300_000, 1.0)
    assert window == {"s0": (kept,), "s1": ()}


def _line_of(service: str, priority: int, target: int | Fraction, *segments: Segment
             ) -> ServicePlan:
    """A service line given by its target and funded sets alone (what the windows read)."""
    return ServicePlan(area="a", service=service, priority=priority, target=Fraction(target),
                       ranked=(), segments=segments)


def test_the_excess_window_keeps_a_set_exactly_on_its_limit() -> None:
    # This ratio's limit, ratio + 1e-5 x (1 + ratio), is exactly 1.0 in floating point. s0's
    # set from 200,000 has its own ratio (200,000 - 100,000) / 100,000 = 1.0; ending at
    # 300,000 it leaves 200,000 of the 500,001 (less a cent) to s1, reached at ratio 1.0.
    ratio = 0.999980000199998
    assert ratio + 1e-5 * (1 + ratio) == 1.0
    on_limit = _span(200_000, 300_000)
    lines = [_line_of("s0", 0, 100_000, _span(0, 500_000)),
             _line_of("s1", 1, 100_000, _span(0, 500_000))]
    window = excess_window(lines, {"s0": [on_limit], "s1": []}, 500_001, ratio)
    assert window == {"s0": (on_limit,), "s1": ()}


def test_the_deviation_window_keeps_what_lies_within_its_margin() -> None:
    # Targets 1,000 and 1,000 at spend 2,000: s0's own floor is 0. Given a deviation of 1,000
    # the limit is 1,000 + 2 + 0.001; a set from 1,501 costs at least 2 x 501 - 1 = 1,001
    # (kept), one from 1,502 costs 1,003 (dropped), funding nothing 1,999 (dropped).
    within, beyond = _span(1_501, 4_000), _span(1_502, 4_000)
    lines = [_line_of("s0", 0, 1_000, within, beyond), _line_of("s1", 1, 1_000, _span(0, 5_000))]
    assert deviation_window(lines, 2_000, 1_000.0)["s0"] == (within,)


def test_the_deviation_window_drops_a_set_that_cannot_make_up_the_spend() -> None:
    # s1 holds at most 500 of the 2,000: s0 must take 1,500 to 2,000. Its set ending at 1,498
    # (two cents short, beyond the cent of margin) is dropped, as is funding nothing, and so
    # is a set from 2,002; one from 2,001 is within the margin (and the deviation allowed).
    short, enough = _span(1_000, 1_498), _span(1_499, 1_999)
    a_cent_over, two_cents_over = _span(2_001, 5_000), _span(2_002, 5_000)
    lines = [_line_of("s0", 0, 1_500, short, enough, a_cent_over, two_cents_over),
             _line_of("s1", 1, 500, _span(0, 500))]
    assert deviation_window(lines, 2_000, 2_000.0)["s0"] == (enough, a_cent_over)


def test_the_deviation_window_counts_the_gap_between_target_and_the_others_share() -> None:
    # s0's target is 1,000 but the others at their target leave it 1,500: its floor is 500.
    # Given a deviation of 600 (limit 602.0006) a set from 1,551 costs 500 + 2 x 51 - 1 = 601
    # (kept), one from 1,552 costs 603 (dropped).
    within, beyond = _span(1_551, 4_000), _span(1_552, 4_000)
    lines = [_line_of("s0", 0, 1_000, within, beyond), _line_of("s1", 1, 500, _span(0, 5_000))]
    assert deviation_window(lines, 2_000, 600.0)["s0"] == (within,)


def test_the_deviation_window_keeps_a_set_exactly_on_its_limit() -> None:
    # Targets of half cents (exact in floating point): s0's share with s1 at target is 1,000.5,
    # its floor 0; given a deviation of 0 the limit is 2, and a set from 1,002 costs exactly
    # 2 x 1.5 - 1 = 2.
    on_limit = _span(1_002, 4_000)
    lines = [_line_of("s0", 0, Fraction(2001, 2), on_limit),
             _line_of("s1", 1, Fraction(1999, 2), _span(0, 5_000))]
    assert deviation_window(lines, 2_000, 0.0)["s0"] == (on_limit,)


def test_starting_picks_stop_once_the_funded_sets_can_reach_the_spend() -> None:
    # Each line's water-level total is 50, in its first set; their tops add up to the spend
    # of 100 exactly, so s0 is not moved up to its second set though its lower bound would fit.
    first, second = _span(10, 50), _span(60, 100)
    lines = [_line_of("s0", 0, 50, first, second), _line_of("s1", 1, 50, _span(10, 50))]
    assert capacity_spend(lines, 100) == 100
    assert starting_picks(lines, 100) == {"s0": first, "s1": lines[1].segments[0]}


@pytest.mark.parametrize(("s1_top", "moved"), [(40, "s0"), (25, "s0"), (20, "s1")])
def test_starting_picks_move_up_the_line_furthest_below_its_water_level_first(
        s1_top: int, moved: str) -> None:
    # Water-level totals 45 (s0) and 50 (s1), both lines in their first set, one move needed:
    # s0's first set ends 25 below its total; s1's 10, 25 (a tie: s0 comes first) or 30 below.
    s0 = _line_of("s0", 0, 45, _span(10, 20), _span(46, 100))
    s1 = _line_of("s1", 1, 50, _span(10, s1_top), _span(51, 100))
    picks = starting_picks([s0, s1], 95)
    assert picks == {"s0": s0.segments[moved == "s0"], "s1": s1.segments[moved == "s1"]}


def test_starting_picks_count_every_lower_bound_already_taken() -> None:
    # s0 sits full in its set; s1 and s2 (water level 35 each) start with nothing. Moving s1
    # up takes the lower bounds to 100; s2's would bring them to 150, past the budget of 130.
    lines = [_line_of("s0", 0, 1_000, _span(50, 60)), _line_of("s1", 1, 10, _span(50, 60)),
             _line_of("s2", 2, 10, _span(50, 60))]
    assert starting_picks(lines, 130) == {"s0": _span(50, 60), "s1": _span(50, 60), "s2": None}


def test_starting_picks_move_a_line_up_twice_trading_one_lower_bound_for_the_next() -> None:
    # Spend 22: water-level totals 10.1 (s0: its set from 17 is out of reach) and 11.9 (s1:
    # first set). s1 moves up to [18, 19], then to [22, 24]: the lower bounds are 18, then 22,
    # each move replacing the previous set's lower bound, not adding to it.
    s0 = _line_of("s0", 0, 35, _span(17, 24))
    s1 = _line_of("s1", 1, 41, _span(6, 16), _span(18, 19), _span(22, 24))
    assert starting_picks([s0, s1], 22) == {"s0": None, "s1": _span(22, 24)}


def test_starting_picks_count_a_line_funding_nothing_as_reaching_nothing() -> None:
    # Spend 18: s0 (water level 6.7) takes its set [4, 17]; s1 (11.3) starts with nothing.
    # The tops reach 17 of the 18, so s1 is moved up to [14, 19] (lower bounds 4 + 14 = 18).
    s0, s1 = _line_of("s0", 0, 17, _span(4, 17)), _line_of("s1", 1, 29, _span(14, 19))
    assert starting_picks([s0, s1], 18) == {"s0": _span(4, 17), "s1": _span(14, 19)}


def test_water_level_weighs_a_line_whose_target_is_one_cent() -> None:
    # Targets 100 and 1 cent: at 202 the water level is 1, each line at twice its target.
    lines = [plan("s0", 0, 100, [1_000], 0), plan("s1", 1, 1, [100], 0)]
    assert water_level_totals(lines, 202) == {"s0": pytest.approx(200), "s1": pytest.approx(2)}


def test_water_level_gives_a_line_without_target_its_capacity_first() -> None:
    lines = [plan("s0", 0, 100, [1_000], 0), plan("s1", 1, 0, [50], 0)]
    assert water_level_totals(lines, 250) == {"s0": pytest.approx(200), "s1": 50}


def test_water_level_past_a_line_that_fills_on_the_way() -> None:
    # s0 (target 100) is full at 1,000, at level 9; s1 (target 300) takes the rest: at 4,300
    # the level is 10, s1 at 3,300.
    lines = [plan("s0", 0, 100, [1_000], 0), plan("s1", 1, 300, [10_000], 0)]
    assert water_level_totals(lines, 4_300) == {"s0": 1_000, "s1": pytest.approx(3_300)}


def test_water_level_of_a_line_weighed_otherwise_than_by_its_target() -> None:
    # s0's weight is twice its target: it starts to fill only at level -0.5, where s1 (weight
    # = target = 100) already holds 50.
    s0 = ServicePlan(area="a", service="s0", priority=0, target=Fraction(100), ranked=(),
                     segments=(_span(0, 1_000),), weight=Fraction(200))
    s1 = plan("s1", 1, 100, [1_000], 0)
    assert water_level_totals([s0, s1], 50) == {"s0": 0, "s1": pytest.approx(50)}


def test_the_excess_window_keeps_a_set_that_leaves_the_others_exactly_full() -> None:
    # s0's set ending at 100,000 leaves 500,000 of the 600,001 (less a cent) to s1, its whole
    # capacity, reached at level 4: kept with a ratio of 4.
    kept = _span(0, 100_000)
    lines = [_line_of("s0", 0, 100_000, _span(0, 500_000)),
             _line_of("s1", 1, 100_000, _span(0, 500_000))]
    assert excess_window(lines, {"s0": [kept], "s1": []}, 600_001, 4.0) == {"s0": (kept,),
                                                                            "s1": ()}


def test_water_level_rises_with_a_line_of_weight_one_alone() -> None:
    # s0 is full at level 0; s1 (target and weight 1 cent) alone takes the other 49 cents.
    lines = [plan("s0", 0, 100, [100], 0), plan("s1", 1, 1, [100], 0)]
    assert water_level_totals(lines, 150) == {"s0": 100, "s1": pytest.approx(50)}
