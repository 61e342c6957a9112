"""The ATS rule set's parser: each field from the document, and each problem whole.

The command-line and report tests of the ATS level are in tests/ats; these parse the document
inside each test, with the bundled rule set edited in one way.
"""

from __future__ import annotations

import copy
from collections.abc import Callable
from fractions import Fraction
from pathlib import Path
from typing import Any

import pytest
import yaml

from fsr_opt.core.ats import AtsIndicator
from fsr_opt.core.errors import ErrorCode, RuleSetError
from fsr_opt.rules.ats import parse_ats_rules, read_count
from fsr_opt.rules.values import RuleValueError

BUNDLED = Path(__file__).resolve().parents[2] / "models" / "ats-bergamo-2025.yaml"


def _document(edit: Callable[[dict[str, Any]], None] | None = None) -> dict[str, Any]:
    document = copy.deepcopy(yaml.safe_load(BUNDLED.read_text(encoding="utf-8")))
    if edit is not None:
        edit(document)
    return document  # type: ignore[no-any-return]


def _problems(edit: Callable[[dict[str, Any]], None]) -> list[tuple[ErrorCode, str, str]]:
    with pytest.raises(RuleSetError) as caught:
        parse_ats_rules(_document(edit), source="ats.yaml", sha256="ab")
    return [(p.code, p.file, p.message) for p in caught.value.problems]


def test_the_rule_set_is_built_field_by_field_from_the_document() -> None:
    rules = parse_ats_rules(_document(), source="ats.yaml", sha256="ab")
    assert (rules.rule_set_id, rules.version, rules.ats, rules.year) == (
        "ats-bergamo-2025", "2025.2", "ATS Bergamo", 2025)
    assert rules.title == ("Bonus Assistenti Familiari e registri/sportelli - riparto ATS "
                           "Bergamo tra gli Ambiti")
    assert (rules.fund, rules.floor, rules.minimum_transfer, rules.max_transfers) == (
        330_774_00, 0, 1_000_00, 12)
    assert [(i.code, i.label, i.weight) for i in rules.indicators] == [
        ("population_65", "Popolazione residente di 65 anni e oltre", 30),
        ("admitted_applications", "Domande ammesse e finanziate (storico)", 70)]
    assert rules.indicators[0].source.startswith("ISTAT, popolazione residente")
    assert (rules.set_aside_percent, rules.set_aside_max, rules.set_aside_indicator) == (
        10, 10, "desks")
    assert rules.set_aside_label == ("Potenziamento dei registri territoriali e degli "
                                     "sportelli per l'assistenza familiare")
    assert rules.set_aside_indicator_label == "Sportelli per l'assistenza familiare attivi"
    assert len(rules.ambiti) == 14
    assert list(rules.ambiti.items())[:2] == [("BERGAMO", "Bergamo"), ("DALMINE", "Dalmine")]
    assert (rules.source, rules.sha256) == ("ats.yaml", "ab")
    assert [p.path for p in rules.parameters] == [
        "fund", "indicators.population_65.weight", "indicators.admitted_applications.weight",
        "set_aside.percent", "floor", "rebalance.minimum_transfer", "rebalance.max_transfers"]
    assert isinstance(rules.indicators[0], AtsIndicator)


def test_a_dated_value_in_force_in_the_rule_set_s_year() -> None:
    def edit(document: dict[str, Any]) -> None:
        floor = document["floor"]
        del floor["value"]
        floor["values"] = {"2025-01-01": {"value": 100}, "2026-01-01": {"value": 200}}

    rules = parse_ats_rules(_document(edit))
    assert rules.floor == 100_00
    assert (rules.source, rules.sha256) == ("", "")  # no file named, no hash given


def test_format_1_has_no_dated_values_and_a_bad_format_is_named_in_its_file() -> None:
    def older(document: dict[str, Any]) -> None:
        document["format"] = "fsr-opt/rules/1"
        del document["floor"]["value"]
        document["floor"]["values"] = {"2025-01-01": {"value": 100}}

    assert _problems(older) == [
        (ErrorCode.UNKNOWN_KEY, "ats.yaml",
         "floor.values: unknown key; values keyed by date need format: fsr-opt/rules/2; did you "
         "mean 'value'? Allowed here: description, reference, unit, value"),
        (ErrorCode.MISSING_KEY, "ats.yaml",
         "floor.value: required key is missing; add it: the value itself")]
    assert _problems(lambda document: document.update(format="bogus")) == [
        (ErrorCode.BAD_FORMAT, "ats.yaml",
         "format: expected 'fsr-opt/rules/2' (or the older 'fsr-opt/rules/1'), got the text "
         "'bogus'; this program reads these formats only (see docs/rules-format.md)")]


def test_each_cross_section_problem_whole() -> None:
    def edit(document: dict[str, Any]) -> None:
        document["indicators"]["population_65"]["weight"]["value"] = 40  # 40 + 70
        document["set_aside"]["percent"]["value"] = 12  # above its max of 10
        document["set_aside"]["indicator"] = "population_65"
        document["ambiti"]["bergamo"] = {"label": "again"}
        document["ambiti"]["Bergamo"] = {"label": "and again"}

    assert _problems(edit) == [
        (ErrorCode.SHARES_NOT_100, "ats.yaml",
         "indicators: the weights total 110%, not 100%; make them total exactly 100"),
        (ErrorCode.SET_ASIDE_TOO_LARGE, "ats.yaml",
         "set_aside.percent: value 12% is above its maximum 10%; lower it"),
        (ErrorCode.BAD_VALUE, "ats.yaml",
         "set_aside.indicator: 'population_65' is already a weighted indicator; the set-aside "
         "needs a column of its own (e.g. desks)"),
        (ErrorCode.DUPLICATE_NAME, "ats.yaml",
         "ambiti.bergamo: 'bergamo' and 'BERGAMO' differ only in case; Ambito codes are "
         "compared ignoring case"),
        (ErrorCode.DUPLICATE_NAME, "ats.yaml",  # named after the first spelling, not the last
         "ambiti.Bergamo: 'Bergamo' and 'BERGAMO' differ only in case; Ambito codes are "
         "compared ignoring case")]


def test_a_set_aside_above_the_whole_fund() -> None:
    def edit(document: dict[str, Any]) -> None:
        document["set_aside"]["percent"].update(value=101, max=100)

    assert _problems(edit) == [
        (ErrorCode.SET_ASIDE_TOO_LARGE, "ats.yaml",
         "set_aside.percent: value 101% is above its maximum 100%; lower it"),
        (ErrorCode.SET_ASIDE_TOO_LARGE, "ats.yaml",
         "set_aside.percent: a set-aside cannot exceed 100% of the fund")]


def test_a_set_aside_of_the_whole_fund_at_its_maximum_is_accepted() -> None:
    def edit(document: dict[str, Any]) -> None:
        document["set_aside"]["percent"].update(value=100, max=100)

    assert parse_ats_rules(_document(edit)).set_aside_percent == 100


def test_what_could_not_be_read_is_not_checked_across_sections() -> None:
    # An indicator or a set-aside that is no mapping: its own problem, and no total or
    # comparison with what is missing.
    def unreadable(document: dict[str, Any]) -> None:
        document["indicators"]["population_65"] = 5
        document["set_aside"] = 5

    assert _problems(unreadable) == [
        (ErrorCode.BAD_VALUE, "ats.yaml",
         "indicators.population_65: must be a mapping (a weighted indicator: a column of the "
         "indicators table and its weight), got the number 5"),
        (ErrorCode.BAD_VALUE, "ats.yaml",
         "set_aside: must be a mapping (the set-aside: label, percent, indicator, "
         "indicator_label and source), got the number 5")]

    def unread_values(document: dict[str, Any]) -> None:
        document["indicators"]["population_65"]["weight"]["value"] = "abc"
        document["set_aside"]["percent"] = 5

    assert _problems(unread_values) == [
        (ErrorCode.BAD_VALUE, "ats.yaml",
         "indicators.population_65.weight: value must be a percent written as a plain number "
         "such as 50 or 12.5 (no '%' sign), got the text 'abc'"),
        (ErrorCode.BAD_VALUE, "ats.yaml",
         "set_aside.percent: must be a mapping (the percent of the fund set aside, up to its "
         "legal maximum: {value, max, unit: percent, description, reference}), got the number "
         "5")]


def test_unknown_keys_and_bad_counts_are_named_by_their_path() -> None:
    def edit(document: dict[str, Any]) -> None:
        document["unknown"] = 1
        document["rebalance"]["max_transfers"]["value"] = 10001

    assert _problems(edit) == [
        (ErrorCode.BAD_VALUE, "ats.yaml",
         "rebalance.max_transfers: value must be a whole number from 0 to 10000, got the "
         "number 10001"),
        (ErrorCode.UNKNOWN_KEY, "ats.yaml",
         "unknown: unknown key; Allowed here: format, metadata, fund, indicators, set_aside, "
         "floor, rebalance, ambiti")]


def test_a_count_is_a_whole_number_from_0_to_10000() -> None:
    assert (read_count(0), read_count(10000)) == (0, 10000)
    for raw, shown in ((-1, "the number -1"), (10001, "the number 10001"),
                       (True, "the boolean true"), (1.5, "the number 1.5"),
                       ("3", "the text '3'")):
        with pytest.raises(RuleValueError) as caught:
            read_count(raw)
        assert (caught.value.code, str(caught.value)) == (
            ErrorCode.BAD_VALUE, f"value must be a whole number from 0 to 10000, got {shown}")


def test_a_document_that_is_no_mapping() -> None:
    with pytest.raises(RuleSetError) as caught:
        parse_ats_rules([1], source="x.yaml")  # type: ignore[arg-type]
    assert [(p.code, p.file, p.message) for p in caught.value.problems] == [
        (ErrorCode.BAD_VALUE, "x.yaml",
         "(document): an ATS rule set must be a YAML mapping, got a list")]


def test_the_weights_are_totalled_as_exact_fractions() -> None:
    def edit(document: dict[str, Any]) -> None:
        document["indicators"]["population_65"]["weight"]["value"] = 29.5
        document["indicators"]["admitted_applications"]["weight"]["value"] = 70.5

    assert [i.weight for i in parse_ats_rules(_document(edit)).indicators] == [
        Fraction(59, 2), Fraction(141, 2)]
