"""The money that follows from the rule set: set-asides, area budgets, service targets."""

from __future__ import annotations

from fractions import Fraction
from typing import Any

import pytest

from fsr_opt.core.schema import RuleSet
from fsr_opt.rules.budgets import area_budgets, distributable, service_targets, set_aside_amounts
from fsr_opt.rules.overrides import apply_overrides
from fsr_opt.rules.validate import parse_rule_set

from tests.rules.support import BUNDLED, load


@pytest.fixture(scope="module")
def document() -> dict[str, Any]:
    doc: dict[str, Any] = load(BUNDLED)
    return doc


@pytest.fixture(scope="module")
def rules(document: dict[str, Any]) -> RuleSet:
    return parse_rule_set(document)


def test_area_budgets_2025(rules: RuleSet) -> None:
    budgets = area_budgets(rules)
    assert budgets == {"minori": 44_624_768, "disabili": 8_924_953, "anziani": 35_699_814}
    assert list(budgets) == ["minori", "disabili", "anziani"]
    assert sum(budgets.values()) == distributable(rules) == 89_249_535
    assert set_aside_amounts(rules) == {"reserve": 0, "other_services": 0}


def test_area_budgets_do_not_depend_on_area_order(document: dict[str, Any]) -> None:
    reordered = dict(document)
    reordered["areas"] = dict(reversed(list(document["areas"].items())))
    rules = parse_rule_set(reordered)
    assert [a.code for a in rules.areas] == ["anziani", "disabili", "minori"]
    assert area_budgets(rules) == {
        "minori": 44_624_768, "disabili": 8_924_953, "anziani": 35_699_814}


def test_equal_shares_tie_goes_to_the_smaller_code(document: dict[str, Any]) -> None:
    # 25/25/50 of 2 cents: the quarters tie on remainder and on quota; the smaller code wins.
    doc = apply_overrides(document, [("fund", "0.02"), ("areas.minori.share", "25"),
                                     ("areas.disabili.share", "25"),
                                     ("areas.anziani.share", "50")])
    assert area_budgets(parse_rule_set(doc)) == {"minori": 0, "disabili": 1, "anziani": 1}


def test_service_targets(rules: RuleSet) -> None:
    budgets = area_budgets(rules)
    targets = service_targets(rules, budgets)
    assert targets["adm"] == Fraction(44_624_768 * 6_700_000, 44_510_000)
    assert targets["anziani"] == 35_699_814
    assert targets["cse"] == Fraction(8_924_953 * 2_500_000, 9_640_000)
    for area in rules.areas:
        assert sum(targets[s.code] for s in area.services) == budgets[area.code]
    assert all(isinstance(t, Fraction) for t in targets.values())


def test_service_targets_split_equally_without_history(document: dict[str, Any]) -> None:
    doc = apply_overrides(document, [
        (f"areas.disabili.services.{s}.historical_2024", "0")
        for s in document["areas"]["disabili"]["services"]
    ])
    rules = parse_rule_set(doc)
    targets = service_targets(rules, {"minori": 0, "disabili": 1000, "anziani": 0})
    assert {targets[s] for s in ("sadh", "autonomia", "cse", "sfa",
                                 "residenziali_disabili")} == {Fraction(200)}


def test_set_asides_round_half_up(document: dict[str, Any]) -> None:
    doc = apply_overrides(document, [("set_asides.reserve_percent", "5"),
                                     ("set_asides.other_services_percent", "10")])
    rules = parse_rule_set(doc)
    # 5% of 89,249,535 = 4,462,476.75 and 10% = 8,924,953.5 (a half, rounded up).
    assert set_aside_amounts(rules) == {"reserve": 4_462_477, "other_services": 8_924_954}
    assert distributable(rules) == 89_249_535 - 4_462_477 - 8_924_954
    assert sum(area_budgets(rules).values()) == distributable(rules)


def test_service_targets_follow_a_history_of_one_cent(document: dict[str, Any]) -> None:
    # A history of a single cent is a history: the line that had it takes the whole budget
    # (the equal split is only for an area whose every line had 0).
    services = list(document["areas"]["disabili"]["services"])
    doc = apply_overrides(document, [
        (f"areas.disabili.services.{s}.historical_2024", "0.01" if s == "cse" else "0")
        for s in services
    ])
    rules = parse_rule_set(doc)
    targets = service_targets(rules, {"minori": 0, "disabili": 1000, "anziani": 0})
    assert {s: targets[s] for s in services} == {
        s: Fraction(1000 if s == "cse" else 0) for s in services}
