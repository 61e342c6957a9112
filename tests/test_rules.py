"""Tests of the rule-set format, its validation, overrides and the money it determines."""

from __future__ import annotations

import re
from decimal import Decimal
from fractions import Fraction
from pathlib import Path
from typing import Any

import pytest
import yaml

from fsr_opt.core.errors import RuleSetError
from fsr_opt.core.schema import EligibilitySwitches, RuleSet
from fsr_opt.rules.ruleset import (
    DEFAULT_RULE_SET_ID,
    apply_overrides,
    area_budgets,
    distributable,
    normalize_name,
    override_pairs,
    parse_rule_set,
    service_targets,
    set_aside_amounts,
    unit_type,
)

ROOT = Path(__file__).resolve().parent.parent
BUNDLED = ROOT / "models" / f"{DEFAULT_RULE_SET_ID}.yaml"
BAD = Path(__file__).resolve().parent / "bad_rules"
EXPECTED: dict[str, list[str]] = yaml.safe_load((BAD / "expected.yaml").read_text("utf-8"))

CONTRACT_TYPES = {
    "minori": ["ASILO_NIDO", "MICRONIDO", "NIDO_FAMIGLIA", "CENTRO_PRIMA_INFANZIA", "CRD", "CAG",
               "CEM", "COMUNITA_FAMILIARE", "ADM", "AFFIDO", "INSERIMENTO_COMUNITA"],
    "disabili": ["SADH", "ALLOGGIO_AUTONOMIA", "SED", "CSE", "SFA", "SFA_MINORI_SPERIMENTALE",
                 "CAD", "CSS"],
    "anziani": ["SAD", "ALLOGGIO_PROTETTO_ANZIANI", "CENTRO_DIURNO_ANZIANI", "CASA"],
}


def load(path: Path) -> Any:
    return yaml.safe_load(path.read_text("utf-8"))


@pytest.fixture(scope="module")
def document() -> dict[str, Any]:
    doc: dict[str, Any] = load(BUNDLED)
    return doc


@pytest.fixture(scope="module")
def rules(document: dict[str, Any]) -> RuleSet:
    return parse_rule_set(document, source=str(BUNDLED), sha256="abc")


def problems_of(document: Any, source: str = "rules.yaml") -> list[Any]:
    with pytest.raises(RuleSetError) as info:
        parse_rule_set(document, source=source)
    return info.value.problems


# ---------------------------------------------------------------------------------------------
# The bundled 2025 rule set
# ---------------------------------------------------------------------------------------------


def test_bundled_rule_set_parses(rules: RuleSet) -> None:
    assert rules.rule_set_id == DEFAULT_RULE_SET_ID
    assert (rules.version, rules.ambito, rules.year) == ("2025.1", "Bergamo", 2025)
    assert rules.fund == 89_249_535
    assert rules.reserve_percent == 0 and rules.other_services_percent == 0
    assert rules.minimum_award == 30_000
    assert rules.first_tranche_percent == 70
    assert rules.single_payment_threshold == 100_000
    assert rules.municipalities == ("Bergamo", "Gorle", "Orio al Serio", "Ponteranica",
                                    "Sorisole", "Torre Boldone")
    assert rules.eligibility == EligibilitySwitches()
    assert (rules.source, rules.sha256) == (str(BUNDLED), "abc")
    assert [a.code for a in rules.areas] == ["minori", "disabili", "anziani"]
    assert [a.share_percent for a in rules.areas] == [50, 10, 40]
    assert all(isinstance(a.share_percent, Fraction) for a in rules.areas)


def test_service_lines_follow_the_default_reading(rules: RuleSet) -> None:
    lines = {
        s.code: (a.code, s.unit_types, s.historical_2024)
        for a in rules.areas for s in a.services
    }
    assert lines == {
        "adm": ("minori", ("ADM",), 6_700_000),
        "affidi": ("minori", ("AFFIDO", "INSERIMENTO_COMUNITA"), 14_300_000),
        "prima_infanzia": ("minori", ("ASILO_NIDO", "MICRONIDO", "NIDO_FAMIGLIA",
                                      "CENTRO_PRIMA_INFANZIA"), 15_050_000),
        "diurni_minori": ("minori", ("CRD", "CAG"), 4_260_000),
        "residenziali_minori": ("minori", ("CEM", "COMUNITA_FAMILIARE"), 4_200_000),
        "sadh": ("disabili", ("SADH",), 1_790_000),
        "autonomia": ("disabili", ("ALLOGGIO_AUTONOMIA", "SED"), 1_050_000),
        "cse": ("disabili", ("CSE",), 2_500_000),
        "sfa": ("disabili", ("SFA", "SFA_MINORI_SPERIMENTALE"), 3_600_000),
        "residenziali_disabili": ("disabili", ("CAD", "CSS"), 700_000),
        "anziani": ("anziani", ("SAD", "ALLOGGIO_PROTETTO_ANZIANI", "CENTRO_DIURNO_ANZIANI",
                                "CASA"), 36_265_073),
    }


def test_every_contract_unit_type_is_defined(rules: RuleSet) -> None:
    assert set(rules.unit_types) == {c for codes in CONTRACT_TYPES.values() for c in codes}
    for area, codes in CONTRACT_TYPES.items():
        for code in codes:
            found = rules.unit_types[code]
            assert found.code == code and found.area == area and found.label
            assert code in rules.service(found.service).unit_types


def test_unit_type_attributes(rules: RuleSet) -> None:
    municipal = {c for c, t in rules.unit_types.items() if t.municipal_service}
    assert municipal == {"ADM", "AFFIDO", "INSERIMENTO_COMUNITA", "SADH", "SAD"}
    assert all(rules.unit_types[c].formula_class is None for c in municipal)
    classes = {c: t.formula_class for c, t in rules.unit_types.items() if c not in municipal}
    assert classes == {
        "ASILO_NIDO": "prima_infanzia", "MICRONIDO": "prima_infanzia",
        "NIDO_FAMIGLIA": "prima_infanzia", "CENTRO_PRIMA_INFANZIA": "prima_infanzia",
        "CRD": "centro_ricreativo", "CAG": "cag",
        "CSE": "semiresidenziale", "SFA": "semiresidenziale",
        "SFA_MINORI_SPERIMENTALE": "semiresidenziale", "SED": "semiresidenziale",
        "CENTRO_DIURNO_ANZIANI": "semiresidenziale",
        "CEM": "residenziale", "COMUNITA_FAMILIARE": "residenziale",
        "ALLOGGIO_AUTONOMIA": "residenziale", "CAD": "residenziale", "CSS": "residenziale",
        "ALLOGGIO_PROTETTO_ANZIANI": "residenziale", "CASA": "residenziale",
    }
    assert {c for c, t in rules.unit_types.items() if t.requires_data_declaration} == {
        "CEM", "COMUNITA_FAMILIARE"}
    assert {c for c, t in rules.unit_types.items() if t.experimental_allowed} == {
        "SFA_MINORI_SPERIMENTALE"}


def test_formula_classes(rules: RuleSet) -> None:
    amounts = {c: (f.base, f.rate_per_user) for c, f in rules.formula_classes.items()}
    assert amounts == {
        "prima_infanzia": (30_000, 12_000),
        "centro_ricreativo": (30_000, 1_200),
        "semiresidenziale": (100_000, 7_000),
        "residenziale": (100_000, 25_000),
        "cag": (100_000, 6_000),
    }


def test_every_parameter_is_documented_in_document_order(rules: RuleSet) -> None:
    paths = [p.path for p in rules.parameters]
    assert len(paths) == len(set(paths)) == 40
    assert paths[:3] == ["fund", "set_asides.reserve_percent",
                         "set_asides.other_services_percent"]
    assert paths[-1] == "areas.anziani.services.anziani.historical_2024"
    for info in rules.parameters:
        assert info.value and len(info.description) > 20, info.path
        assert any(act in info.reference for act in ("Criteri di riparto", "DGR", "d.g.r.")), \
            info.path
    shown = {p.path: p.value for p in rules.parameters}
    assert shown["fund"] == "892495.35 EUR"
    assert shown["set_asides.reserve_percent"] == "0% (max 5%)"
    assert shown["areas.minori.share"] == "50%"
    assert shown["eligibility.require_application"] == "true"


# ---------------------------------------------------------------------------------------------
# Budgets and targets
# ---------------------------------------------------------------------------------------------


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


# ---------------------------------------------------------------------------------------------
# Overrides
# ---------------------------------------------------------------------------------------------


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
    assert rules.service("adm").historical_2024 == 7_000_000
    assert area_budgets(rules) == {"minori": 45_000_000, "disabili": 15_000_000,
                                   "anziani": 40_000_000}


def test_override_amounts_stay_exact(document: dict[str, Any]) -> None:
    doc = apply_overrides(document, [("fund", "12345678901234.57"),
                                     ("areas.minori.share", "33.3333333333333333"),
                                     ("areas.anziani.share", "56.6666666666666667")])
    rules = parse_rule_set(doc)
    assert rules.fund == 1_234_567_890_123_457
    assert rules.areas[0].share_percent == Fraction("33.3333333333333333")


def test_override_shares_must_still_total_100(document: dict[str, Any]) -> None:
    doc = apply_overrides(document, override_pairs(None, ["disabili=15"], None, []))
    problems = problems_of(doc)
    assert [p.code for p in problems] == ["SHARES_NOT_100"]
    assert "105%" in problems[0].message


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


def test_unreadable_override_value(document: dict[str, Any]) -> None:
    with pytest.raises(RuleSetError) as info:
        apply_overrides(document, [("municipalities", "[Bergamo, Gorle")])
    assert info.value.problems[0].code == "BAD_OVERRIDE"
    assert info.value.problems[0].message.startswith("municipalities: cannot read")


def test_malformed_options_are_all_reported() -> None:
    with pytest.raises(RuleSetError) as info:
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


# ---------------------------------------------------------------------------------------------
# Validation: every problem at once, and the bad-file fixtures
# ---------------------------------------------------------------------------------------------


def test_every_problem_is_reported_at_once(document: dict[str, Any]) -> None:
    doc = apply_overrides(document, [("fund", "-5"), ("areas.disabili.share", "fifteen"),
                                     ("eligibility.require_registry", "'yes'"),
                                     ("set_asides.reserve_percent", "6")])
    doc["minimum_awrd"] = doc.pop("minimum_award")
    del doc["areas"]["minori"]["share"]["reference"]
    doc["unit_types"]["CAG"]["formula_class"] = "cga"
    problems = problems_of(doc, source="models/x.yaml")
    codes = {p.code for p in problems}
    assert codes >= {"NEGATIVE_FUND", "BAD_VALUE", "UNKNOWN_KEY", "MISSING_KEY",
                     "MISSING_REFERENCE", "UNKNOWN_FORMULA_CLASS", "SET_ASIDE_TOO_LARGE"}
    assert all(p.file == "models/x.yaml" and p.row is None and p.column is None
               for p in problems)
    assert str(problems[0]).startswith("models/x.yaml: fund: ")


def test_not_a_mapping_is_one_problem() -> None:
    problems = problems_of(["not", "a", "mapping"])
    assert len(problems) == 1 and problems[0].message.startswith("(document): ")


def test_minimal_valid_rule_set_parses() -> None:
    rules = parse_rule_set(load(BAD / "minimal_valid.yaml"))
    assert area_budgets(rules) == {"a": 60_000, "b": 40_000}
    assert rules.unit_types["CAD"].requires_data_declaration is False
    assert rules.eligibility.require_application is False


def test_every_bad_file_is_listed() -> None:
    files = {p.name for p in BAD.glob("*.yaml")} - {"expected.yaml", "minimal_valid.yaml"}
    assert files == set(EXPECTED)
    assert len(files) >= 11


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_bad_rule_set(name: str) -> None:
    source = f"tests/bad_rules/{name}"
    problems = problems_of(load(BAD / name), source=source)
    text = str(RuleSetError(problems)) + "\n" + " ".join(p.code for p in problems)
    for word in EXPECTED[name]:
        assert word in text, f"{name}: {word!r} not in\n{text}"
    assert all(p.file == source for p in problems)


# ---------------------------------------------------------------------------------------------
# Lookups
# ---------------------------------------------------------------------------------------------


@pytest.mark.parametrize(("a", "b"), [
    ("TORRE BOLDONE", "Torre Boldone"),
    ("Orio al serio", "  Orio   al Serio "),
    ("Villa d'Almè", "VILLA D\u2019ALME"),
    ("Villa d' Alme", "villa d\u00b4alme"),
    ("Sant\u2019Omobono-Terme", "Sant'Omobono Terme"),
    ("Ponteranica\u00a0", "ponteranica"),
])
def test_normalize_name(a: str, b: str) -> None:
    assert normalize_name(a) == normalize_name(b)


def test_normalize_name_keeps_different_names_apart() -> None:
    assert normalize_name("Gorle") != normalize_name("Gorla")
    assert normalize_name("TORRE BOLDONE") == "torre boldone"


def test_unit_type_lookup(rules: RuleSet) -> None:
    found = unit_type(rules, "ASILO_NIDO")
    assert found is not None and found.service == "prima_infanzia"
    assert unit_type(rules, "asilo nido") is found
    assert unit_type(rules, "Asilo-Nido") is found
    assert unit_type(rules, "NIDO") is None


def test_absent_formula_class_means_null(document: dict[str, Any]) -> None:
    # TOML has no null: a municipal service may simply omit formula_class.
    doc = apply_overrides(document, [])
    del doc["unit_types"]["SAD"]["formula_class"]
    assert parse_rule_set(doc).unit_types["SAD"].formula_class is None
    del doc["unit_types"]["CSE"]["formula_class"]
    assert [p.code for p in problems_of(doc)] == ["INCONSISTENT_UNIT_TYPE"]
