"""Hypothesis properties of the riparto on random small instances, checked by the oracle.

Every expectation (eligibility, entitlements, budgets, targets, funded sets, the optimum,
the split of a line's total, the payments) comes from `tests.engine.oracle`, which shares no
code with the product: a bug in `assess` or `plan_services` fails a property instead of
being repeated by it.
"""

from __future__ import annotations

import random
from dataclasses import dataclass, replace
from datetime import date
from fractions import Fraction

from hypothesis import assume, example, given, settings
from hypothesis import strategies as st

from fsr_opt.core.errors import InfeasibleError
from fsr_opt.core.schema import (
    Allocation,
    EligibilitySwitches,
    LineReading,
    Ownership,
    ResidualScope,
    RuleSet,
    UnitRecord,
    UnitType,
)
from fsr_opt.engine.eligibility import assess, plan_services, tranches
from fsr_opt.engine.residual import PoolUnit, split_pool
from fsr_opt.engine.solve import solve_riparto
from fsr_opt.rules.budgets import area_budgets

from tests.conftest import table, tiny_rules, unit
from tests.engine import oracle


@dataclass
class Instance:
    rules: RuleSet
    units: list[UnitRecord]


def _boundary_days(year: int) -> st.SearchStrategy[date]:
    """Days on the rules' edges (first and last of the year and around them), or any day."""
    edges = [date(year, 1, 1), date(year - 1, 12, 31), date(year, 12, 31), date(year + 1, 1, 1),
             date(year, 2, 28), date(year, 3, 1)]
    return st.one_of(st.sampled_from(edges), st.dates(date(year - 1, 1, 1), date(year + 1, 12, 31)))


@st.composite
def _unit_changes(draw: st.DrawFn, year: int) -> dict[str, object]:
    """Most units plain; the others differ in one respect an access criterion or cap reads."""
    kind = draw(st.sampled_from(["plain"] * 6 + [
        "started", "ceased", "private", "registry", "authorization", "experimental",
        "declaration", "place"]))
    if kind == "started":
        return {"start_date": draw(_boundary_days(year))}
    if kind == "ceased":
        return {"end_date": draw(_boundary_days(year))}
    if kind == "private":
        return {"ownership": Ownership.PRIVATE, "users": draw(st.integers(0, 20))}
    if kind == "registry":
        return {"in_registry": False}
    if kind == "authorization":
        return {"authorized": False}
    if kind == "experimental":
        return {"experimental": True,
                "keeps_requirements": draw(st.sampled_from([None, True, False]))}
    if kind == "declaration":
        return {"data_declared": draw(st.sampled_from([None, True, False]))}
    if kind == "place":
        return {"municipality": draw(st.sampled_from(["BERGAMO", "  bergamo ", "Seriate"]))}
    return {}


@st.composite
def _varied_rules(draw: st.DrawFn, rules: RuleSet) -> RuleSet:
    """The tiny rules with a year, set-asides, switches and unit-type flags drawn too."""
    types = {}
    for code, kind in rules.unit_types.items():
        municipal = draw(st.integers(0, 4)) == 0
        types[code] = UnitType(
            code, kind.label, kind.area, kind.service, None if municipal else kind.formula_class,
            municipal, draw(st.integers(0, 3)) == 0, draw(st.booleans()),
            draw(st.integers(0, 5)) == 0)
    switches = EligibilitySwitches(
        *[draw(st.integers(0, 5)) > 0 for _ in range(len(EligibilitySwitches.__dataclass_fields__))]
    )
    return replace(
        rules, year=draw(st.sampled_from([2024, 2025])), unit_types=types, eligibility=switches,
        reserve_percent=draw(st.sampled_from([Fraction(0), Fraction(0), Fraction(5),
                                              Fraction(1, 2)])),
        other_services_percent=draw(st.sampled_from([Fraction(0), Fraction(5, 2)])),
        residual_scope=draw(st.sampled_from(list(ResidualScope))),
        line_without_applications=draw(st.sampled_from(list(LineReading))),
    )


@st.composite
def instances(
    draw: st.DrawFn, minimum: int | None = None, units_per_line: int = 5
) -> Instance:
    n_areas = draw(st.integers(1, 2))
    areas = [f"a{i}" for i in range(n_areas)]
    if n_areas == 1:
        shares = {"a0": 100}
    else:
        first = draw(st.integers(0, 100))
        shares = {"a0": first, "a1": 100 - first}
    services: dict[str, tuple[str, int]] = {}
    for area in areas:
        for j in range(draw(st.integers(1, 3))):
            services[f"{area}s{j}"] = (area, draw(st.integers(0, 500_000)))
    fund = draw(st.integers(0, 1_500_000))
    if minimum is None:
        minimum = draw(st.sampled_from([0, 30000, draw(st.integers(1, 100_000))]))
    rules = tiny_rules(services, shares, fund=fund, minimum=minimum)
    if draw(st.booleans()):
        rules = draw(_varied_rules(rules))
    units = []
    # Some deficits on the minimum's edges or equal to an earlier one (a group of equals).
    edges = [minimum - 1, minimum, minimum + 1, 0, 1]
    for code in services:
        for k in range(draw(st.integers(0, units_per_line))):
            drawn = [u.deficit for u in units]
            deficit = draw(st.one_of(st.integers(-5000, 400_000), st.sampled_from(edges + drawn)))
            applied = draw(st.booleans()) or draw(st.booleans())
            changes = draw(_unit_changes(rules.year))
            units.append(unit(f"{code}u{k}", code, deficit, applied=applied, **changes))
    return Instance(rules, units)


def solve(instance: Instance, solver: str = "cbc", *, prune: bool = True) -> Allocation:
    assessments = assess(table(instance.units), instance.rules)
    try:
        result = solve_riparto(assessments, instance.rules, solver=solver, prune=prune)
    except InfeasibleError:
        # Refused only when the minimum is above every entitlement: nothing can be awarded.
        minimum = instance.rules.minimum_award
        judged = judged_units(instance)
        assert all(not oracle.fundable(judged, s.code, minimum)
                   for a in instance.rules.areas for s in a.services)
        assume(False)
        raise
    assert result.is_ok and result.allocation is not None
    return result.allocation


def judged_units(instance: Instance) -> list[oracle.Judged]:
    return [oracle.judge(u, instance.rules) for u in instance.units]


def richer(instance: Instance, extra: int) -> Instance:
    """The same instance with `extra` cents more to split and no set-aside."""
    rules = replace(instance.rules, fund=instance.rules.fund + extra,
                    reserve_percent=Fraction(0), other_services_percent=Fraction(0))
    return Instance(rules, instance.units)


def check_rules_hold(instance: Instance, allocation: Allocation) -> None:
    """Every rule, with the oracle's eligibility, entitlements, budgets and funded sets."""
    rules = instance.rules
    judged = judged_units(instance)
    budgets = oracle.budgets(rules)
    assert dict(allocation.area_budgets) == budgets
    spent: dict[str, int] = {}
    for item in judged:
        award = allocation.awards.get(item.unit_id, 0)
        spent[item.area] = spent.get(item.area, 0) + award
        if not item.eligible:
            assert award == 0
        assert award == 0 or rules.minimum_award <= award <= item.entitlement
    for area in rules.areas:
        assert spent.get(area.code, 0) <= budgets[area.code]
        for service in area.services:
            line = [j for j in judged if j.service == service.code and j.eligible]
            total = sum(allocation.awards.get(j.unit_id, 0) for j in line)
            result = allocation.services[service.code]
            assert result.awarded == total
            units = oracle.fundable(judged, service.code, rules.minimum_award)
            awards = oracle.awards_of_line(total, units, rules.minimum_award)
            # Equal share to the cent, nobody left out whose share reaches the minimum, the
            # spare cents by largest remainder: exactly the oracle's split of the total.
            assert {j.unit_id: allocation.awards.get(j.unit_id, 0) for j in line} == {
                j.unit_id: awards.get(j.unit_id, 0) for j in line}
            funded = sum(e for u, e in units if awards.get(u, 0) > 0 or (
                rules.minimum_award == 0 and total > 0))
            assert result.share == (Fraction(total, funded) if funded else 0)
            assert 0 <= result.share <= 1


@given(instances())
def test_every_rule_holds(instance: Instance) -> None:
    check_rules_hold(instance, solve(instance))


@given(instances())
def test_optimal_against_brute_force(instance: Instance) -> None:
    rules = instance.rules
    allocation = solve(instance)
    judged = judged_units(instance)
    budgets = oracle.budgets(rules)
    targets = oracle.targets(rules, budgets)
    for area in rules.areas:
        lines = [(targets[s.code],
                  oracle.funded_sets(oracle.fundable(judged, s.code, rules.minimum_award),
                                     rules.minimum_award))
                 for s in area.services]
        spend, deviation = oracle.area_optimum(lines, budgets[area.code])
        results = [allocation.services[s.code] for s in area.services]
        assert [r.target for r in results] == [targets[s.code] for s in area.services]
        assert sum(r.awarded for r in results) == spend
        ours = sum((abs(r.awarded - r.target) for r in results), Fraction(0))
        assert ours - deviation <= len(results)  # within a cent per service line (rounding)


@settings(max_examples=200)
@given(instances(units_per_line=8))
def test_assessment_is_the_oracles(instance: Instance) -> None:
    for item, judged in zip(assess(table(instance.units), instance.rules),
                            judged_units(instance), strict=True):
        assert tuple(reason.value for reason in item.reasons) == judged.reasons
        assert item.proration == judged.proration
        assert item.entitlement == judged.entitlement
        assert (item.area, item.service) == (judged.area, judged.service)


@settings(max_examples=200)
@given(instances(units_per_line=8))
def test_budgets_targets_and_segments_are_the_oracles(instance: Instance) -> None:
    rules = instance.rules
    budgets = area_budgets(rules)
    assert budgets == oracle.budgets(rules)
    judged = judged_units(instance)
    targets = oracle.targets(rules, budgets)
    for plan in plan_services(assess(table(instance.units), rules), rules, budgets):
        units = oracle.fundable(judged, plan.service, rules.minimum_award)
        expected = oracle.funded_sets(units, rules.minimum_award)
        assert plan.target == targets[plan.service]
        assert [(s.funded_units, s.funded_entitlement, s.lower, s.upper)
                for s in plan.segments] == [
            (len(s.funded), s.entitlement, s.lower, s.upper) for s in expected]
        for segment in expected:
            # The oracle's own bounds are the tight ones: inside they fund exactly the set,
            # one cent outside they do not.
            for total in (segment.lower, segment.upper):
                assert oracle.funds_exactly(total, units, segment.smallest, rules.minimum_award)
            for total in (segment.lower - 1, segment.upper + 1):
                assert total < 0 or not oracle.funds_exactly(
                    total, units, segment.smallest, rules.minimum_award)


@given(st.integers(0, 10**9), st.fractions(0, 100, max_denominator=2000), st.integers(0, 10**6))
@example(100015, Fraction(70), 100000)
def test_payments_are_the_oracles(award: int, percent: Fraction, threshold: int) -> None:
    rules = replace(tiny_rules({"s": ("a", 1)}, {"a": 100}, fund=1),
                    first_tranche_percent=percent, single_payment_threshold=threshold)
    assert tranches(award, rules) == oracle.payments(award, rules)


@given(instances(), st.randoms(use_true_random=False))
def test_row_order_changes_nothing(instance: Instance, rng: random.Random) -> None:
    shuffled = Instance(instance.rules, rng.sample(instance.units, len(instance.units)))
    assert dict(solve(shuffled).awards) == dict(solve(instance).awards)


@settings(max_examples=30)
@given(instances(units_per_line=20))
def test_pruned_model_gives_the_full_models_awards(instance: Instance) -> None:
    # The bounds of fsr_opt.engine.bounds only drop funded sets that cannot be optimal.
    pruned, full = solve(instance), solve(instance, prune=False)
    assert dict(pruned.awards) == dict(full.awards)
    assert {s: r.awarded for s, r in pruned.services.items()} == {
        s: r.awarded for s, r in full.services.items()}


@given(instances())
def test_cbc_and_highs_agree(instance: Instance) -> None:
    assert dict(solve(instance, "highs").awards) == dict(solve(instance, "cbc").awards)


@given(instances(), st.integers(1, 500_000))
def test_more_money_never_lowers_an_area(instance: Instance, extra: int) -> None:
    before, after = solve(instance), solve(richer(instance, extra))
    for area in before.area_budgets:
        spent_before = sum(r.awarded for r in before.services.values() if r.area == area)
        spent_after = sum(r.awarded for r in after.services.values() if r.area == area)
        assert spent_after >= spent_before


@given(instances(minimum=0), st.integers(1, 500_000))
@example(
    Instance(tiny_rules({"a0s0": ("a0", 1), "a0s1": ("a0", 1)}, {"a0": 100}, fund=1000, minimum=0),
             [unit("x", "a0s0", 100), unit("y", "a0s1", 5000)]),
    10_000,
)
def test_with_minimum_zero_no_award_falls(instance: Instance, extra: int) -> None:
    before, after = solve(instance), solve(richer(instance, extra))
    for unit_id, award in before.awards.items():
        # One cent of slack: the largest-remainder cent may move between equal units.
        assert after.awards.get(unit_id, 0) >= award - 1
    assume(True)


# ---------------------------------------------------------------------------------------------
# The residual phase: the oracle's pools, and its invariants
# ---------------------------------------------------------------------------------------------


@given(instances(), st.sampled_from(list(ResidualScope)))
def test_the_residual_phase_is_the_oracles(instance: Instance, scope: ResidualScope) -> None:
    rules = replace(instance.rules, residual_scope=scope)
    instance = Instance(rules, instance.units)
    allocation = solve(instance)
    expected = oracle.residual_awards(instance.units, rules, allocation.awards,
                                      oracle.budgets(rules))
    assert dict(allocation.residual_awards) == expected
    # never silent: the pools add up to what the budgets leave, given or not
    left = sum(allocation.area_budgets.values()) - sum(allocation.awards.values())
    assert sum(pool.available for pool in allocation.residual_pools) == left
    assert allocation.unassigned == left - sum(expected.values()) >= 0


@given(instances(), st.sampled_from([ResidualScope.AREA, ResidualScope.FONDO]))
def test_residuals_never_pass_a_deficit_keep_the_minimum_and_conserve_money(
    instance: Instance, scope: ResidualScope
) -> None:
    rules = replace(instance.rules, residual_scope=scope)
    instance = Instance(rules, instance.units)
    allocation = solve(instance)
    judged = {u.unit_id: (u, oracle.judge(u, rules)) for u in instance.units}
    for unit_id, residual in allocation.residual_awards.items():
        record, item = judged[unit_id]
        award = allocation.awards.get(unit_id, 0)
        assert item.eligible and record.applied and residual > 0
        assert residual <= oracle.lacking(record, item, award)  # never beyond the deficit
        assert award + residual >= rules.minimum_award  # 0 or at least the minimum
    for pool in allocation.residual_pools:
        assert 0 <= pool.distributed <= max(pool.available, 0)
        given = sum(allocation.residual_awards.get(u, 0) for u, (_, item) in judged.items()
                    if item.area in pool.areas)
        assert given == pool.distributed  # to the cent
    assert (sum(allocation.awards.values()) + sum(allocation.residual_awards.values())
            + allocation.unassigned == sum(allocation.area_budgets.values()))


@st.composite
def pools(draw: st.DrawFn) -> tuple[list[PoolUnit], int]:
    """A residual pool: needs on the minimum's edges, some equal, some funded already."""
    minimum = draw(st.sampled_from([0, 300, draw(st.integers(1, 5000))]))
    count = draw(st.integers(0, 9))
    needs: list[int] = []
    for _ in range(count):
        needs.append(draw(st.one_of(st.integers(1, 200_000),
                                    st.sampled_from([minimum - 1, minimum, minimum + 1,
                                                     *needs] if needs else [minimum + 1]))))
    members = [PoolUnit(f"u{k}", max(need, 1), draw(st.booleans()))
               for k, need in enumerate(needs)]
    return members, minimum


@given(pools(), st.integers(0, 400_000), st.integers(0, 400_000))
def test_a_larger_residual_never_lowers_a_unit(
    pool: tuple[list[PoolUnit], int], small: int, extra: int
) -> None:
    members, minimum = pool
    before, mu_before = split_pool(members, small, minimum)
    after, mu_after = split_pool(members, small + extra, minimum)
    assert mu_after >= mu_before  # the common share only grows
    for unit_id, cents in before.items():
        # one cent of slack: the largest-remainder cent may move, as in the riparto (with a
        # minimum of 0 a share below one cent may round to 0 either way)
        assert after.get(unit_id, 0) >= cents - 1
    # the oracle's largest total, and its split, are the product's
    total, awards = oracle.residual_pool([(u.unit_id, u.need, u.funded) for u in members],
                                         small + extra, minimum)
    assert (sum(after.values()), after) == (total, awards)
