"""Command-line overrides: parameter paths, values put in place, every bad override at once."""

from __future__ import annotations

import re
from datetime import date
from decimal import Decimal
from typing import Any

import pytest
import yaml

from fsr_opt.core.errors import InputError, RuleSetError
from fsr_opt.rules.budgets import area_budgets
from fsr_opt.rules.overrides import apply_overrides, override_pairs, parameter_paths
from fsr_opt.rules.validate import parse_rule_set

from tests.rules.support import BUNDLED, MINIMAL_DATED, load, problems_of, rolled_over


@pytest.fixture(scope="module")
def document() -> dict[str, Any]:
    doc: dict[str, Any] = load(BUNDLED)
    return doc


def test_parameter_paths_are_those_of_the_reports(document: dict[str, Any]) -> None:
    paths = parameter_paths(document)
    assert paths == [p.path for p in parse_rule_set(document).parameters]
    dated = rolled_over(document, 2026)
    assert parameter_paths(dated) == [p.path for p in parse_rule_set(dated).parameters]
    assert "areas.minori.services.adm.historical" in parameter_paths(dated)


def test_overrides_change_values_and_leave_the_document_alone(
    document: dict[str, Any],
) -> None:
    before = yaml.safe_dump(document)
    pairs = override_pairs(Decimal("1000000.00"), ["minori=45", "disabili=15"], "250",
                           ["eligibility.require_application=false",
                            "formula_classes.cag.rate_per_user=65.5",
                            "municipalities=[Bergamo, Gorle]",
                            "areas.minori.services.adm.historical_2024=70000"])
    assert pairs[:4] == [("fund", "1000000.00"), ("areas.minori.share", "45"),
                         ("areas.disabili.share", "15"), ("minimum_award", "250")]
    rules = parse_rule_set(apply_overrides(document, pairs))
    assert yaml.safe_dump(document) == before
    assert rules.fund == 100_000_000 and rules.minimum_award == 25_000
    assert [a.share_percent for a in rules.areas] == [45, 15, 40]
    assert rules.eligibility.require_application is False
    assert rules.formula_classes["cag"].rate_per_user == 6_550
    assert rules.municipalities == ("Bergamo", "Gorle")
    assert rules.service("adm").historical == 7_000_000
    assert area_budgets(rules) == {"minori": 45_000_000, "disabili": 15_000_000,
                                   "anziani": 40_000_000}


def test_an_override_of_dated_values_replaces_the_one_in_force(document: dict[str, Any]) -> None:
    dated = rolled_over(document, 2026)
    result = apply_overrides(dated, [("fund", "950000"),
                                     ("areas.minori.services.adm.historical", "1")])
    fund = result["fund"]["values"]
    assert fund[date(2026, 1, 1)]["value"] == "950000"
    assert fund[date(2025, 1, 1)] == dated["fund"]["values"][date(2025, 1, 1)]
    rules = parse_rule_set(result)
    assert (rules.fund, rules.service("adm").historical) == (95_000_000, 100)
    shown = {p.path: p.value for p in rules.parameters}
    assert shown["fund"] == "950000.00 EUR (from 2026-01-01)"


def test_an_override_before_any_dated_value_adds_one_for_the_year() -> None:
    doc = load(MINIMAL_DATED)
    doc["metadata"]["year"] = 2023
    result = apply_overrides(doc, [("minimum_award", "100")])
    assert result["minimum_award"]["values"][date(2023, 1, 1)] == {"value": "100"}
    # the other dated parameters have nothing in force in 2023; the overridden one has
    places = {p.message.split(":")[0] for p in problems_of(result)}
    assert "fund.values" in places and not any(p.startswith("minimum_award") for p in places)


def test_override_amounts_stay_exact(document: dict[str, Any]) -> None:
    doc = apply_overrides(document, [("fund", "12345678901234.57"),
                                     ("areas.minori.share", "33.3333333333333333"),
                                     ("areas.anziani.share", "56.6666666666666667")])
    rules = parse_rule_set(doc)
    assert rules.fund == 1_234_567_890_123_457
    assert rules.areas[0].share_percent == Decimal("33.3333333333333333")


def test_override_shares_must_still_total_100(document: dict[str, Any]) -> None:
    # every area given: nothing is rescaled, and the total must be 100
    doc = apply_overrides(document, override_pairs(
        None, ["minori=50", "disabili=15", "anziani=40"], None, []))
    problems = problems_of(doc)
    assert [p.code for p in problems] == ["SHARES_NOT_100"]
    assert "105%" in problems[0].message


def test_one_share_alone_rescales_the_others_in_proportion(document: dict[str, Any]) -> None:
    # minori 50, disabili 10, anziani 40: disabili at 15 leaves 85 to share 50:40
    doc = apply_overrides(document, override_pairs(None, ["disabili=15"], None, []))
    rules = parse_rule_set(doc, source="x.yaml")
    assert {a.code: a.share_percent for a in rules.areas} == {
        "minori": Decimal("47.222222"), "disabili": 15, "anziani": Decimal("37.777778")}
    assert sum(a.share_percent for a in rules.areas) == 100
    # two given, the third takes the rest; the same through --set
    doc = apply_overrides(document, [("areas.disabili.share", "15"),
                                     ("areas.minori.share", "45")])
    assert {a.code: a.share_percent for a in parse_rule_set(doc, source="x.yaml").areas} == {
        "minori": 45, "disabili": 15, "anziani": 40}
    # more than 100 given: nothing to rescale, the rules say what is wrong
    doc = apply_overrides(document, override_pairs(None, ["disabili=60", "minori=60"], None, []))
    assert [p.code for p in problems_of(doc)] == ["SHARES_NOT_100"]


def test_override_with_too_many_decimals_is_refused(document: dict[str, Any]) -> None:
    doc = apply_overrides(document, override_pairs("900000.005", [], None, []))
    problems = problems_of(doc)
    assert problems[0].message.startswith("fund: ")
    assert "more than two decimals" in problems[0].message
    # Beyond Decimal's 28 digits too: the check is exact, never rounded first.
    long_amount = "1234567890123456789012345678901.005"
    problems = problems_of(apply_overrides(document, [("fund", long_amount)]))
    assert f"value {long_amount} has more than two decimals" in problems[0].message


def test_unknown_parameter_suggests_the_nearest(document: dict[str, Any]) -> None:
    with pytest.raises(RuleSetError) as info:
        apply_overrides(document, [("areas.disabli.share", "15"), ("budget", "3")])
    first, second = info.value.problems
    assert first.code == second.code == "UNKNOWN_PARAMETER"
    assert first.message.startswith("unknown parameter 'areas.disabli.share'; did you mean "
                                    "'areas.disabili.share'? Known parameters: fund, ")
    assert second.message.startswith("unknown parameter 'budget'; did you mean 'fund'?")


def test_unknown_area_in_share_option(document: dict[str, Any]) -> None:
    with pytest.raises(RuleSetError, match=re.escape("did you mean 'areas.anziani.share'")):
        apply_overrides(document, override_pairs(None, ["anzian=40"], None, []))


def test_override_of_a_non_parameter_is_unknown(document: dict[str, Any]) -> None:
    with pytest.raises(RuleSetError, match=re.escape("unknown parameter 'areas.minori.label'")):
        apply_overrides(document, [("areas.minori.label", "x")])
    with pytest.raises(RuleSetError, match=re.escape("unknown parameter 'fund.values'")):
        apply_overrides(rolled_over(document, 2026), [("fund.values", "1")])


def test_unreadable_override_value(document: dict[str, Any]) -> None:
    with pytest.raises(RuleSetError) as info:
        apply_overrides(document, [("municipalities", "[Bergamo, Gorle")])
    assert info.value.problems[0].code == "BAD_OVERRIDE"
    assert info.value.problems[0].message.startswith("municipalities: cannot read")


def test_malformed_options_are_all_reported() -> None:
    with pytest.raises(InputError) as info:  # the options' fault, not the rule file's
        override_pairs(None, ["minori", "=50", "disabili="], None, ["fund"])
    messages = [p.message for p in info.value.problems]
    assert len(messages) == 4
    assert "has no '='" in messages[0] and "--share AREA=PERCENT" in messages[0]
    assert "empty key" in messages[1]
    assert "empty value" in messages[2]
    assert "--set KEY=VALUE" in messages[3]
    assert {p.code for p in info.value.problems} == {"BAD_OVERRIDE"}


def test_later_override_wins(document: dict[str, Any]) -> None:
    pairs = override_pairs("100", [], None, ["fund=200"])
    assert parse_rule_set(apply_overrides(document, pairs)).fund == 20_000
