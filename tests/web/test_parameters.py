"""What a planner changes on the page, read as people type it and turned into overrides."""

from __future__ import annotations

from fractions import Fraction

import pytest
from hypothesis import given
from hypothesis import strategies as st

from fsr_opt.app.pipeline import load_rules
from fsr_opt.core.errors import ErrorCode, InputError
from fsr_opt.rules.overrides import override_pairs
from fsr_opt.web.parameters import (
    ELIGIBILITY_SWITCHES,
    RESIDUAL_PARAMETER,
    RESIDUAL_SCOPES,
    Parameters,
    command_line,
    has_residual_rules,
    parse_euros,
    parse_percent,
    rebalance_shares,
    rule_shares,
    same_share,
    scenario_overrides,
    share_field,
    share_text,
)


@pytest.mark.parametrize(("typed", "read"), [
    ("850.000,00", "850000.00"), ("850000", "850000.00"), ("850000.5", "850000.50"),
    ("850000,5", "850000.50"), ("€ 850.000", "850000.00"), ("850 000,25", "850000.25"),
    ("1.234.567,89", "1234567.89"), ("0", "0.00"), ("300,00 EUR", "300.00"),
])
def test_amounts_are_read_the_italian_way_and_the_plain_way(typed: str, read: str) -> None:
    assert parse_euros(typed, "Fondo", "it") == read


@pytest.mark.parametrize("typed", ["tanti", "-5", "12,345", "1.2.3", "850000.001", "1e6", ""])
def test_what_is_not_an_amount_is_refused_naming_the_field(typed: str) -> None:
    with pytest.raises(InputError) as caught:
        parse_euros(typed, "Fondo dell'Ambito", "it")
    (problem,) = caught.value.problems
    assert problem.code is ErrorCode.BAD_OPTION
    assert problem.message.startswith("Fondo dell'Ambito:") and repr(typed)[1:-1] in problem.message


def test_percentages() -> None:
    assert parse_percent("12,5", "Disabili", "it") == Fraction(25, 2)
    assert parse_percent("40 %", "Anziani", "en") == 40
    for typed in ("101", "-1", "12,345", "metà"):
        with pytest.raises(InputError, match="Disabili"):
            parse_percent(typed, "Disabili", "it")


def test_moving_one_share_moves_the_others_in_proportion() -> None:
    shares, moves = rebalance_shares(
        {"minori": Fraction(50), "disabili": Fraction(10), "anziani": Fraction(40)},
        "disabili", Fraction(20))
    assert shares == {"minori": Fraction("44.44"), "disabili": 20, "anziani": Fraction("35.56")}
    assert [(m.area, m.before, m.after) for m in moves] == [
        ("disabili", 10, 20), ("minori", 50, Fraction("44.44")),
        ("anziani", 40, Fraction("35.56"))]


def test_when_the_others_had_nothing_the_rest_is_split_equally() -> None:
    shares, _ = rebalance_shares({"a": Fraction(100), "b": Fraction(0), "c": Fraction(0)},
                                 "a", Fraction("33.33"))
    assert shares == {"a": Fraction("33.33"), "b": Fraction("33.34"), "c": Fraction("33.33")}


@given(st.lists(st.integers(0, 10_000), min_size=2, max_size=6).filter(lambda w: sum(w) > 0),
       st.integers(0, 10_000), st.data())
def test_the_shares_always_total_100_with_two_decimals(
    weights: list[int], new: int, data: st.DataObject
) -> None:
    total = sum(weights)
    current = {f"a{i}": Fraction(weight * 100, total) for i, weight in enumerate(weights)}
    moved = data.draw(st.sampled_from(sorted(current)))
    shares, moves = rebalance_shares(current, moved, Fraction(new, 100))
    assert sum(shares.values()) == 100
    assert shares[moved] == Fraction(new, 100)
    assert all((value * 100).denominator == 1 and value >= 0 for value in shares.values())
    assert len(moves) == len(current) and moves[0].area == moved


def test_unknown_area() -> None:
    with pytest.raises(KeyError):
        rebalance_shares({"a": Fraction(100)}, "b", Fraction(1))


def test_the_overrides_are_the_command_lines() -> None:
    rules = load_rules(None)
    parameters = Parameters(
        fund="850000.00",
        shares={"minori": Fraction("44.44"), "disabili": Fraction(20),
                "anziani": Fraction("35.56")},
        minimum_award="500.00",
        switches={"require_application": False},
        historical={"adm": "90000.00"},
    )
    overrides = scenario_overrides(parameters, rules)
    assert overrides == override_pairs(
        "850000.00", ["minori=44.44", "disabili=20", "anziani=35.56"], "500.00",
        ["eligibility.require_application=false",
         "areas.minori.services.adm.historical=90000.00"])
    assert command_line(overrides) == (
        "--budget 850000.00 --share minori=44.44 --share disabili=20 --share anziani=35.56 "
        "--min-award 500.00 --set eligibility.require_application=false "
        "--set areas.minori.services.adm.historical=90000.00")
    load_rules(None, overrides)  # the rule set accepts them as the command line's


def test_shares_as_in_the_rules_are_no_override() -> None:
    rules = load_rules(None)
    assert scenario_overrides(Parameters(shares=rule_shares(rules)), rules) == []
    assert Parameters().is_baseline and not Parameters(fund="1.00").is_baseline


def test_share_fields() -> None:
    assert (share_field(Fraction(50)), share_field(Fraction("44.44")),
            share_field(Fraction(1, 3) * 100)) == ("50", "44.44", "33.3333")
    assert same_share("44,44", Fraction("44.44")) and same_share("50 %", Fraction(50))
    assert not same_share("45", Fraction("44.44"))
    assert share_text(Fraction("12.50")) == "12.5" and share_text(Fraction(100, 3)) == "100/3"


def test_the_switches_and_the_residual_scope_are_the_rule_sets() -> None:
    rules = load_rules(None)
    assert set(ELIGIBILITY_SWITCHES) == {
        p.path.split(".", 1)[1] for p in rules.parameters if p.path.startswith("eligibility.")}
    assert has_residual_rules(rules)  # the bundled rules have residui.scope (issue 12)
    assert set(RESIDUAL_SCOPES) == {"none", "area", "fondo"}
    overrides = scenario_overrides(Parameters(residual_scope="fondo"), rules)
    assert overrides == [(RESIDUAL_PARAMETER, "fondo")]
    assert load_rules(None, overrides).residual_scope == "fondo"
