"""parse_rule_set: the bundled rule set, every problem at once, the bad-file fixtures, format 2."""

from __future__ import annotations

import copy
from datetime import date
from fractions import Fraction
from typing import Any, NewType

import pytest
import yaml
from annotated_types import Ge
from hypothesis import given, settings
from hypothesis import strategies as st
from pydantic import PlainValidator

from fsr_opt.core.errors import ErrorCode, RuleSetError
from fsr_opt.core.schema import (
    Area,
    EligibilitySwitches,
    FormulaClass,
    LineReading,
    ResidualScope,
    RuleSet,
    ServiceLine,
    UnitType,
)
from fsr_opt.rules.budgets import area_budgets
from fsr_opt.rules.document import FORMAT_2
from fsr_opt.rules.overrides import apply_overrides
from fsr_opt.rules.validate import _INVALID, _hint, _Walk, parse_rule_set
from fsr_opt.rules.values import read_amount

from tests.rules.support import (
    BAD,
    BUNDLED,
    MINIMAL,
    MINIMAL_DATED,
    dated,
    load,
    problems_of,
    rolled_over,
    to_format_2,
)

EXPECTED: dict[str, list[str]] = yaml.safe_load((BAD / "expected.yaml").read_text("utf-8"))

CONTRACT_TYPES = {
    "minori": ["ASILO_NIDO", "MICRONIDO", "NIDO_FAMIGLIA", "CENTRO_PRIMA_INFANZIA", "CRD", "CAG",
               "CEM", "COMUNITA_FAMILIARE", "ADM", "AFFIDO", "INSERIMENTO_COMUNITA"],
    "disabili": ["SADH", "ALLOGGIO_AUTONOMIA", "SED", "CSE", "SFA", "SFA_MINORI_SPERIMENTALE",
                 "CAD", "CSS"],
    "anziani": ["SAD", "ALLOGGIO_PROTETTO_ANZIANI", "CENTRO_DIURNO_ANZIANI", "CASA"],
}
# The municipal services that point a) of the criteria names (issue 12), each in the area of
# the 2024 line it is read with: progetti with affidi, CDM with the day services for minors,
# ADH with SADH, SADAH with SAD.
POINT_A_TYPES = {"minori": ["PROGETTI", "CDM"], "disabili": ["ADH"], "anziani": ["SADAH"]}


@pytest.fixture(scope="module")
def document() -> dict[str, Any]:
    doc: dict[str, Any] = load(BUNDLED)
    return doc


@pytest.fixture(scope="module")
def rules(document: dict[str, Any]) -> RuleSet:
    return parse_rule_set(document, source=str(BUNDLED), sha256="abc")


# ---------------------------------------------------------------------------------------------
# The bundled 2025 rule set (format 1)
# ---------------------------------------------------------------------------------------------


def test_bundled_rule_set_parses(rules: RuleSet) -> None:
    assert rules.rule_set_id == "fsr-2025-bergamo"
    assert (rules.version, rules.ambito, rules.year, rules.history_year) == (
        "2025.2", "Bergamo", 2025, 2024)
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
        s.code: (a.code, s.unit_types, s.historical)
        for a in rules.areas for s in a.services
    }
    assert lines == {
        "adm": ("minori", ("ADM",), 6_700_000),
        "affidi": ("minori", ("AFFIDO", "INSERIMENTO_COMUNITA", "PROGETTI"), 14_300_000),
        "prima_infanzia": ("minori", ("ASILO_NIDO", "MICRONIDO", "NIDO_FAMIGLIA",
                                      "CENTRO_PRIMA_INFANZIA"), 15_050_000),
        "diurni_minori": ("minori", ("CRD", "CAG", "CDM"), 4_260_000),
        "residenziali_minori": ("minori", ("CEM", "COMUNITA_FAMILIARE"), 4_200_000),
        "sadh": ("disabili", ("SADH", "ADH"), 1_790_000),
        "autonomia": ("disabili", ("ALLOGGIO_AUTONOMIA", "SED"), 1_050_000),
        "cse": ("disabili", ("CSE",), 2_500_000),
        "sfa": ("disabili", ("SFA", "SFA_MINORI_SPERIMENTALE"), 3_600_000),
        "residenziali_disabili": ("disabili", ("CAD", "CSS"), 700_000),
        "anziani": ("anziani", ("SAD", "SADAH", "ALLOGGIO_PROTETTO_ANZIANI",
                                "CENTRO_DIURNO_ANZIANI", "CASA"), 36_265_073),
    }


def test_every_contract_unit_type_is_defined(rules: RuleSet) -> None:
    defined = {area: CONTRACT_TYPES[area] + POINT_A_TYPES[area] for area in CONTRACT_TYPES}
    assert set(rules.unit_types) == {c for codes in defined.values() for c in codes}
    for area, codes in defined.items():
        for code in codes:
            found = rules.unit_types[code]
            assert found.code == code and found.area == area and found.label
            assert code in rules.service(found.service).unit_types


def test_unit_type_attributes(rules: RuleSet) -> None:
    municipal = {c for c, t in rules.unit_types.items() if t.municipal_service}
    assert municipal == {"ADM", "AFFIDO", "INSERIMENTO_COMUNITA", "SADH", "SAD", "PROGETTI",
                         "CDM", "ADH", "SADAH"}
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
    # the SFA minori are an experimentation by definition (d.g.r. 694/2010): criteria l.78
    assert {c for c, t in rules.unit_types.items() if t.experimental_by_nature} == {
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
    assert len(paths) == len(set(paths)) == 42
    assert paths[:3] == ["fund", "set_asides.reserve_percent",
                         "set_asides.other_services_percent"]
    # format 1 keeps its key with the year: the paths (and so the reports) stay as they were
    assert paths[-3] == "areas.anziani.services.anziani.historical_2024"
    # then the readings of the criteria and the residual phase (issue 12)
    assert paths[-2:] == ["readings.line_without_applications", "residui.scope"]
    for info in rules.parameters:
        assert info.value and len(info.description) > 20, info.path
        assert any(act in info.reference for act in ("Criteri di riparto", "DGR", "d.g.r.")), \
            info.path
    shown = {p.path: p.value for p in rules.parameters}
    assert shown["fund"] == "892495.35 EUR"
    assert shown["set_asides.reserve_percent"] == "0% (max 5%)"
    assert shown["areas.minori.share"] == "50%"
    assert shown["eligibility.require_application"] == "true"
    assert shown["residui.scope"] == "area"
    assert shown["readings.line_without_applications"] == "targets"
    assert shown["municipalities"].startswith("Bergamo, Gorle, ")


def test_area_order_is_the_document_order(document: dict[str, Any]) -> None:
    reordered = dict(document)
    reordered["areas"] = dict(reversed(list(document["areas"].items())))
    assert [a.code for a in parse_rule_set(reordered).areas] == ["anziani", "disabili", "minori"]


# ---------------------------------------------------------------------------------------------
# Every problem at once, in the project's words
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


def test_a_bad_field_hides_no_cross_section_problem(document: dict[str, Any]) -> None:
    doc = apply_overrides(document, [("areas.disabili.share", "fifteen")])
    doc["areas"]["anziani"]["services"]["anziani"]["unit_types"].append("CSE")
    problems = problems_of(doc)
    # the bad share keeps its area's lines in the membership check, and stops only the total
    assert [(p.code, p.message.split(":")[0]) for p in problems] == [
        ("BAD_VALUE", "areas.disabili.share"),
        ("TYPE_IN_TWO_SERVICES", "areas.anziani.services.anziani.unit_types"),
    ]


def test_the_messages_are_not_pydantic_s(document: dict[str, Any]) -> None:
    doc = copy.deepcopy(document)
    doc["fund"]["value"] = [1]
    doc["metadata"]["title"] = {}
    doc["areas"]["minori"]["label"] = 5
    messages = [p.message for p in problems_of(doc)]
    assert messages == [
        "metadata.title: must be non-empty text, got an empty mapping",
        "fund: value must be an amount in euros such as 1234.56, got a list; write a plain "
        "number with '.' as decimal mark and no thousands separator",
        "areas.minori.label: must be non-empty text, got the number 5",
    ]


def test_not_a_mapping_is_one_problem() -> None:
    problems = problems_of(["not", "a", "mapping"])
    assert len(problems) == 1 and problems[0].message.startswith("(document): ")


@pytest.mark.parametrize("node", [None, "text", 5, []])
def test_a_section_that_is_not_a_mapping(document: dict[str, Any], node: object) -> None:
    doc = copy.deepcopy(document)
    doc["payments"] = node
    problems = problems_of(doc)
    assert [p.code for p in problems] == ["BAD_VALUE"]
    assert problems[0].message.startswith(
        "payments: must be a mapping (the payment rules: first_tranche_percent and ")


def test_an_empty_section_misses_each_of_its_keys(document: dict[str, Any]) -> None:
    doc = copy.deepcopy(document)
    doc["payments"] = {}
    assert [p.message.split(":")[0] for p in problems_of(doc)] == [
        "payments.first_tranche_percent", "payments.single_payment_threshold"]


def test_minimal_valid_rule_set_parses() -> None:
    rules = parse_rule_set(load(MINIMAL))
    assert area_budgets(rules) == {"a": 60_000, "b": 40_000}
    assert rules.unit_types["CAD"].requires_data_declaration is False
    assert rules.eligibility.require_application is False


def test_absent_formula_class_means_null(document: dict[str, Any]) -> None:
    # TOML has no null: a municipal service may simply omit formula_class.
    doc = copy.deepcopy(document)
    del doc["unit_types"]["SAD"]["formula_class"]
    assert parse_rule_set(doc).unit_types["SAD"].formula_class is None
    del doc["unit_types"]["CSE"]["formula_class"]
    assert [p.code for p in problems_of(doc)] == ["INCONSISTENT_UNIT_TYPE"]


def test_every_bad_file_is_listed() -> None:
    minimal = {"expected.yaml", MINIMAL.name, MINIMAL_DATED.name}
    files = {p.name for p in BAD.glob("*.yaml")} - minimal
    assert files == set(EXPECTED)
    assert len(files) >= 40


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_bad_rule_set(name: str) -> None:
    source = f"tests/rules/bad_rules/{name}"
    problems = problems_of(load(BAD / name), source=source)
    text = str(RuleSetError(problems)) + "\n" + " ".join(p.code for p in problems)
    for word in EXPECTED[name]:
        assert word in text, f"{name}: {word!r} not in\n{text}"
    assert all(p.file == source for p in problems)


WHOLE_MESSAGES: dict[str, list[str]] = {
    "bad_code.yaml": [
        "BAD_CODE: areas.area.b: 'area.b' is not a valid code; use letters, digits and '_', "
        "starting with a letter (codes appear in dotted override paths)",
    ],
    "bad_format.yaml": [
        "BAD_FORMAT: format: expected 'fsr-opt/rules/2' (or the older 'fsr-opt/rules/1'), got"
        " the text 'fsr-opt/rules/3'; this program reads these formats only (see "
        "docs/rules-format.md)",
    ],
    "bad_percent_text.yaml": [
        "BAD_VALUE: areas.b.share: value must be a percent written as a plain number such as "
        "50 or 12.5 (no '%' sign), got the text '40%'",
    ],
    "bad_reading.yaml": [
        "BAD_VALUE: readings.line_without_applications: value must be one of targets, "
        "istanze, got the text 'proportional'",
        "MISSING_REFERENCE: residui.scope.reference: missing; every parameter needs a "
        "reference to its legal source (act, date and section), e.g. 'DGR n. XII/4793 del "
        "28/07/2025'",
    ],
    "bad_residual_scope.yaml": [
        "BAD_VALUE: residui.scope: value must be one of none, area, fondo, got the text "
        "'aera'; did you mean 'area'?",
    ],
    "bad_unit.yaml": [
        "BAD_UNIT: minimum_award.unit: must be 'EUR', got the text 'euro'; write unit: EUR",
    ],
    "bad_year.yaml": [
        "BAD_VALUE: metadata.year: must be a year written as an integer such as 2025, got the"
        " text '2025'",
    ],
    "dated_bad_date_key.yaml": [
        "BAD_VALUE: fund.values.1 gennaio 2026: '1 gennaio 2026' is not a date such as "
        "2026-01-01 (the day from which the value applies)",
    ],
    "dated_bad_old_value.yaml": [
        "BAD_VALUE: areas.a.share.values.2024-01-01: value must be a percent written as a "
        "plain number such as 50 or 12.5 (no '%' sign), got the text '50%'",
    ],
    "dated_empty_values.yaml": [
        "BAD_VALUE: minimum_award.values: must be a non-empty mapping (instead of value, the "
        "values keyed by the day from which each applies (YYYY-MM-DD); the riparto of a year "
        "uses the one in force on 1 January), got an empty mapping",
    ],
    "dated_historical_2024.yaml": [
        "UNKNOWN_KEY: areas.b.services.homes.historical_2024: unknown key; format "
        "fsr-opt/rules/2 names it without the year; did you mean 'historical'? Allowed here: "
        "label, unit_types, historical, description",
        "MISSING_KEY: areas.b.services.homes.historical: required key is missing; add it: the"
        " amount assigned to the line in the reference year (the year before the fund's): "
        "{value, unit: EUR, description, reference}; it sets the line's target",
    ],
    "dated_missing_reference.yaml": [
        "MISSING_REFERENCE: fund.values.2026-01-01.reference: missing; every parameter needs "
        "a reference to its legal source (act, date and section), e.g. 'DGR n. XII/4793 del "
        "28/07/2025' (here, or once for all values next to description)",
    ],
    "dated_no_value_in_force.yaml": [
        "NO_VALUE_IN_FORCE: fund.values: no value applies on 1 January 2026 (metadata.year), "
        "the first starts on 2027-01-01; add a value keyed 2026-01-01 or earlier",
    ],
    "dated_residual_scope_starts_in_year.yaml": [
        "VALUE_STARTS_IN_YEAR: residui.scope.values.2026-07-01: this value starts during "
        "2026, but the riparto of 2026 uses one value for the whole year, the one in force on"
        " 1 January; key it 2026-01-01 if it applies to the 2026 fund, or 2027-01-01 if it "
        "applies from the next",
    ],
    "dated_starts_in_year.yaml": [
        "VALUE_STARTS_IN_YEAR: fund.values.2026-09-08: this value starts during 2026, but the"
        " riparto of 2026 uses one value for the whole year, the one in force on 1 January; "
        "key it 2026-01-01 if it applies to the 2026 fund, or 2027-01-01 if it applies from "
        "the next",
    ],
    "dated_value_and_values.yaml": [
        "BAD_VALUE: fund: has both value and values; give one value for every year, or values"
        " keyed by the day from which each applies, not both",
    ],
    "dated_year_as_key.yaml": [
        "BAD_VALUE: areas.a.share.values.2026: '2026' is not a date such as 2026-01-01 (the "
        "day from which the value applies); write 2026-01-01 for a value that applies from "
        "the 2026 fund",
    ],
    "duplicate_municipality.yaml": [
        "DUPLICATE_NAME: municipalities: 'TORRE-BOLDONE' repeats 'Torre Boldone' (names are "
        "compared ignoring case, accents, apostrophes and hyphens); list it once",
    ],
    "duplicate_service.yaml": [
        "DUPLICATE_SERVICE: areas.b.services.home: service code 'home' is already used by "
        "areas.a.services.home; service codes must be unique across areas, rename one of them",
    ],
    "empty_reference.yaml": [
        "MISSING_REFERENCE: fund.reference: is empty or not text (the text ''); cite the "
        "legal source (act, date and section), or give a list of them",
    ],
    "empty_services.yaml": [
        "BAD_VALUE: areas.b.services: must be a non-empty mapping (the area's service lines, "
        "keyed by code; every area needs at least one service line to receive its budget), "
        "got an empty mapping",
        "TYPE_WITHOUT_SERVICE: unit_types.CAD: this unit type is not listed in any service "
        "line; add it to the unit_types of one service line under areas, or remove it",
        "TYPE_WITHOUT_SERVICE: unit_types.CSS: this unit type is not listed in any service "
        "line; add it to the unit_types of one service line under areas, or remove it",
    ],
    "first_tranche_above_100.yaml": [
        "BAD_VALUE: payments.first_tranche_percent: value 120% is above the maximum 100%; use"
        " a value of at most 100%",
    ],
    "missing_description.yaml": [
        "MISSING_DESCRIPTION: areas.a.share.description: missing; every parameter needs a "
        "description that says what the value is and why it has this value",
    ],
    "missing_format.yaml": [
        "MISSING_KEY: format: required key is missing; add it: format: fsr-opt/rules/2",
    ],
    "missing_reference.yaml": [
        "MISSING_REFERENCE: fund.reference: missing; every parameter needs a reference to its"
        " legal source (act, date and section), e.g. 'DGR n. XII/4793 del 28/07/2025'",
    ],
    "missing_section.yaml": [
        "MISSING_KEY: payments: required key is missing; add it: the payment rules: "
        "first_tranche_percent and single_payment_threshold",
    ],
    "municipal_with_formula.yaml": [
        "INCONSISTENT_UNIT_TYPE: unit_types.SAD.formula_class: a municipal service is funded "
        "in proportion to its deficit and takes no formula class; write formula_class: null "
        "or municipal_service: false (got 'residenziale')",
    ],
    "negative_fund.yaml": [
        "NEGATIVE_FUND: fund: value -1000.00 EUR must be greater than 0; write the amount "
        "assigned to the Ambito by the regional act",
    ],
    "negative_history.yaml": [
        "BAD_VALUE: areas.a.services.home.historical_2024: value -100.50 EUR is below the "
        "minimum 0.00 EUR; use a value of at least 0.00 EUR",
    ],
    "non_boolean_switch.yaml": [
        "BAD_VALUE: eligibility.require_registry: value must be true or false, got the text "
        "'si'",
    ],
    "not_a_mapping.yaml": [
        "BAD_VALUE: (document): a rule set must be a YAML mapping with the keys format, "
        "metadata, fund, set_asides, minimum_award, payments, municipalities, eligibility, "
        "formula_classes, areas, unit_types, readings, residui; got a list",
    ],
    "offer_without_formula.yaml": [
        "INCONSISTENT_UNIT_TYPE: unit_types.CAD.formula_class: a unit of offer needs a "
        "formula class (the cap of private units, criteria points b and c); write "
        "formula_class: <one of formula_classes> or set municipal_service: true",
    ],
    "set_aside_too_large.yaml": [
        "SET_ASIDE_TOO_LARGE: set_asides.reserve_percent: value 7% exceeds the maximum 5% "
        "allowed by set_asides.reserve_percent.max; lower it to at most 5%",
    ],
    "shares_not_100.yaml": [
        "SHARES_NOT_100: areas: the area shares add up to 90%, not 100% (a 50%, b 40%); "
        "change areas.<area>.share so that they total exactly 100",
    ],
    "too_many_decimals.yaml": [
        "BAD_VALUE: fund: value 1000.005 has more than two decimals; amounts are in euros and"
        " cents, round it to the cent",
    ],
    "type_in_two_services.yaml": [
        "TYPE_IN_TWO_SERVICES: areas.b.services.homes.unit_types: unit type CAD is already "
        "listed in areas.a.services.home.unit_types; a unit type belongs to exactly one "
        "service line, remove one of the two",
    ],
    "type_without_service.yaml": [
        "TYPE_WITHOUT_SERVICE: unit_types.CSS: this unit type is not listed in any service "
        "line; add it to the unit_types of one service line under areas, or remove it",
    ],
    "unknown_formula_class.yaml": [
        "UNKNOWN_FORMULA_CLASS: unit_types.CAD.formula_class: 'residenzale' is not defined in"
        " formula_classes; did you mean 'residenziale'? Defined: residenziale",
    ],
    "unknown_key.yaml": [
        "UNKNOWN_KEY: minimum_awrd: unknown key; did you mean 'minimum_award'? Allowed here: "
        "format, metadata, fund, set_asides, minimum_award, payments, municipalities, "
        "eligibility, formula_classes, areas, unit_types, readings, residui",
        "MISSING_KEY: minimum_award: required key is missing; add it: the minimum award, "
        "below which a unit gets nothing: {value, unit: EUR, description, reference}",
    ],
    "unknown_nested_key.yaml": [
        "UNKNOWN_KEY: fund.descripton: unknown key; did you mean 'description'? Allowed here:"
        " description, reference, unit, value",
        "MISSING_DESCRIPTION: fund.description: missing; every parameter needs a description "
        "that says what the value is and why it has this value",
    ],
    "unknown_unit_type.yaml": [
        "UNKNOWN_UNIT_TYPE: areas.b.services.homes.unit_types: unit type 'CDD' is not defined"
        " in unit_types (did you mean 'CAD'?); define it there or fix the spelling",
    ],
    "unquoted_version.yaml": [
        "BAD_VALUE: metadata.version: must be quoted text such as \"2025.1\", got the number "
        "1.1; quote it so that 2025.10 is not read as the number 2025.1",
    ],
    "values_in_format_1.yaml": [
        "UNKNOWN_KEY: fund.values: unknown key; values keyed by date need format: "
        "fsr-opt/rules/2; did you mean 'value'? Allowed here: description, reference, unit, "
        "value",
        "MISSING_KEY: fund.value: required key is missing; add it: the value itself",
    ],
}
"""Each bad file's problems, code and whole message after the file name (a word list in
expected.yaml would let a word added or dropped elsewhere in the sentence pass)."""


def test_each_bad_file_gets_its_whole_messages_naming_file_and_key() -> None:
    assert set(WHOLE_MESSAGES) == set(EXPECTED)
    for name, expected in WHOLE_MESSAGES.items():
        source = f"tests/rules/bad_rules/{name}"
        problems = problems_of(load(BAD / name), source=source)
        assert [f"{p.code}: {p.message}" for p in problems] == expected, name
        assert [str(p) for p in problems] == [f"{source}: {p.message}" for p in problems]


# ---------------------------------------------------------------------------------------------
# Format 2: values keyed by date, year-free keys
# ---------------------------------------------------------------------------------------------


def test_the_dated_minimal_rule_set_takes_the_values_in_force_on_1_january() -> None:
    rules = parse_rule_set(load(MINIMAL_DATED))
    assert rules.year == 2026
    assert rules.fund == 100_000  # from 2026-01-01, not the 2025 value
    assert rules.minimum_award == 30_000  # 2026-01-01; the 2027 value is not in force yet
    assert rules.eligibility.require_application is False
    assert [a.share_percent for a in rules.areas] == [60, 40]
    assert rules.service("home").historical == 10_050
    shown = {p.path: (p.value, p.reference) for p in rules.parameters}
    assert shown["fund"] == ("1000.00 EUR (from 2026-01-01)", "Test act 2026 art. 1")
    assert shown["minimum_award"] == ("300.00 EUR (from 2026-01-01)", "Test act art. 3")
    assert shown["areas.a.services.home.historical"] == (
        "100.50 EUR (from 2026-01-01)", "Test table 2025")


def test_a_parameter_and_its_dated_value_give_both_references() -> None:
    doc = load(MINIMAL_DATED)
    doc["fund"]["reference"] = "Law 1/2000"
    rules = parse_rule_set(doc)
    assert next(p.reference for p in rules.parameters if p.path == "fund") == (
        "Law 1/2000; Test act 2026 art. 1")


def test_the_year_picks_the_values_of_the_dated_rule_set() -> None:
    doc = load(MINIMAL_DATED)
    doc["metadata"]["year"] = 2025
    rules = parse_rule_set(doc)
    assert (rules.fund, rules.minimum_award) == (90_000, 25_000)  # 2025-01-01 and 2024-01-01
    assert [a.share_percent for a in rules.areas] == [50, 50]
    assert rules.service("home").historical == 9_000
    assert rules.eligibility.require_application is True


def test_a_format_1_document_reads_the_same_in_format_2(document: dict[str, Any]) -> None:
    before = parse_rule_set(document)
    after = parse_rule_set(to_format_2(document))
    assert after.areas == before.areas
    assert [p.path.replace("historical_2024", "historical") for p in before.parameters] == [
        p.path for p in after.parameters]
    assert [p.value for p in before.parameters] == [p.value for p in after.parameters]


def test_the_rolled_over_bundled_rule_set(document: dict[str, Any]) -> None:
    bundled = parse_rule_set(document)
    same = parse_rule_set(rolled_over(document, 2025))
    assert (same.fund, same.minimum_award, same.areas) == (
        bundled.fund, bundled.minimum_award, bundled.areas)
    later = parse_rule_set(rolled_over(document, 2026))
    assert (later.fund, later.minimum_award, later.history_year) == (90_000_000, 35_000, 2025)
    assert later.service("adm").historical == bundled.service("adm").historical + 100_000


def test_a_year_before_every_dated_value_has_nothing_in_force(document: dict[str, Any]) -> None:
    problems = problems_of(rolled_over(document, 2024))
    assert {p.code for p in problems} == {ErrorCode.NO_VALUE_IN_FORCE}
    assert len(problems) == 2 + 11  # fund, minimum_award and the 11 service lines
    assert problems[0].message == (
        "fund.values: no value applies on 1 January 2024 (metadata.year), the first starts on "
        "2025-01-01; add a value keyed 2024-01-01 or earlier")


def test_dated_values_with_an_unreadable_year_report_the_year_only() -> None:
    doc = load(MINIMAL_DATED)
    doc["metadata"]["year"] = "2026"
    assert [p.message.split(":")[0] for p in problems_of(doc)] == ["metadata.year"]


def test_an_override_of_the_year_picks_other_values(document: dict[str, Any]) -> None:
    doc = rolled_over(document, 2026)
    doc["metadata"]["year"] = 2025
    assert parse_rule_set(doc).fund == 89_249_535


# ---------------------------------------------------------------------------------------------
# Properties
# ---------------------------------------------------------------------------------------------


DAYS = st.dates(min_value=date(2000, 1, 1), max_value=date(2040, 12, 31))


@settings(max_examples=100)
@given(days=st.dictionaries(DAYS, st.integers(1, 10**9), min_size=1, max_size=6),
       year=st.integers(2000, 2041))
def test_a_value_keyed_by_several_dates_picks_the_one_in_force(
    days: dict[date, int], year: int
) -> None:
    doc = to_format_2(load(MINIMAL))
    doc["metadata"]["year"] = year
    dated(doc["fund"], {day: f"{cents / 100:.2f}" for day, cents in days.items()})
    start = date(year, 1, 1)
    if any(day.year == year and day != start for day in days):
        codes = {p.code for p in problems_of(doc)}
        assert ErrorCode.VALUE_STARTS_IN_YEAR in codes
        return
    before = [day for day in days if day <= start]
    if not before:
        assert [p.code for p in problems_of(doc)] == [ErrorCode.NO_VALUE_IN_FORCE]
        return
    assert parse_rule_set(doc).fund == days[max(before)]


def _node_paths(node: Any, path: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
    paths = [path] if path else []
    if isinstance(node, dict):
        for key, child in node.items():
            paths += _node_paths(child, (*path, key))
    elif isinstance(node, list):
        for index, child in enumerate(node):
            paths += _node_paths(child, (*path, index))
    return paths


BUNDLED_DOCUMENT = load(BUNDLED)
DOCUMENTS = {"format 1": BUNDLED_DOCUMENT, "format 2": rolled_over(BUNDLED_DOCUMENT, 2026)}
PATHS = {name: _node_paths(doc) for name, doc in DOCUMENTS.items()}
ODD_VALUES = st.one_of(
    st.none(), st.booleans(), st.integers(-(10**20), 10**20),
    st.floats(allow_nan=True, allow_infinity=True), st.text(max_size=12), st.dates(),
    st.sampled_from(["40%", "-892.495,35", "1e999999999", ".nan", "2026-01-01", "historical",
                     "values", "value", "fsr-opt/rules/1", "fsr-opt/rules/2", "CSE", "cag"]),
    st.lists(st.one_of(st.text(max_size=5), st.integers()), max_size=3),
    st.dictionaries(st.one_of(st.text(max_size=8), st.dates(), st.integers()),
                    st.one_of(st.integers(), st.text(max_size=5)), max_size=3),
)


@settings(max_examples=150)
@given(name=st.sampled_from(sorted(DOCUMENTS)), data=st.data())
def test_random_edits_give_a_rule_set_or_a_rule_set_error(name: str, data: st.DataObject) -> None:
    document = copy.deepcopy(DOCUMENTS[name])
    edits = data.draw(st.lists(st.tuples(st.sampled_from(PATHS[name]),
                                         st.sampled_from(["set", "drop", "rename"]),
                                         ODD_VALUES), min_size=1, max_size=4))
    for path, action, value in edits:
        node: Any = document
        for key in path[:-1]:
            node = node.get(key) if isinstance(node, dict) else (
                node[key] if isinstance(node, list) and isinstance(key, int)
                and key < len(node) else None)
        last = path[-1]
        if isinstance(node, dict) and last in node:
            if action == "drop":
                del node[last]
            elif action == "rename":
                node[f"{last}x" if isinstance(last, str) else str(value)] = node.pop(last)
            else:
                node[last] = value
        elif isinstance(node, list) and isinstance(last, int) and last < len(node):
            node[last] = value
    try:
        rules = parse_rule_set(document, source="edited.yaml")
    except RuleSetError as exc:
        assert exc.problems
        assert all(p.file == "edited.yaml" and isinstance(p.code, ErrorCode) and p.message
                   for p in exc.problems)
        return
    assert rules.fund > 0 and sum(a.share_percent for a in rules.areas) == 100
    listed = [code for a in rules.areas for s in a.services for code in s.unit_types]
    assert sorted(listed) == sorted(rules.unit_types)


# ---------------------------------------------------------------------------------------------
# The optional sections of issue 12: the readings of the criteria and the residual phase
# ---------------------------------------------------------------------------------------------


def test_without_the_sections_the_defaults_are_the_criteria_as_before() -> None:
    rules = parse_rule_set(load(MINIMAL))
    assert rules.residual_scope == "none" and rules.line_without_applications == "targets"
    assert not {p.path for p in rules.parameters} & {"residui.scope",
                                                     "readings.line_without_applications"}
    # an override cannot invent a parameter the file does not have
    with pytest.raises(RuleSetError) as caught:
        apply_overrides(load(MINIMAL), [("residui.scope", "area")])
    assert [p.code for p in caught.value.problems] == [ErrorCode.UNKNOWN_PARAMETER]


def test_the_sections_dated_in_format_2_take_the_value_in_force() -> None:
    for year, scope in ((2025, "area"), (2026, "fondo")):
        document = rolled_over(load(BUNDLED), year)
        dated(document["residui"]["scope"], {date(2025, 1, 1): "area",
                                             date(2026, 1, 1): "fondo"})
        rules = parse_rule_set(document)
        assert rules.residual_scope == scope
        shown = {p.path: p.value for p in rules.parameters}
        assert shown["residui.scope"] == f"{scope} (from {year}-01-01)"
    changed = apply_overrides(load(BUNDLED), [("residui.scope", "fondo"),
                                              ("readings.line_without_applications", "istanze")])
    rules = parse_rule_set(changed)
    assert (rules.residual_scope, rules.line_without_applications) == ("fondo", "istanze")


# ---------------------------------------------------------------------------------------------
# Each kind of problem of the walk, word for word
# ---------------------------------------------------------------------------------------------


def whole(document: Any) -> list[str]:
    """Each problem as a person reads it after the file name, with its code."""
    problems = problems_of(document, source="r.yaml")
    assert all(str(p) == f"r.yaml: {p.message}" for p in problems)
    return [f"{p.code}: {p.message}" for p in problems]


def test_a_mapping_expected_says_what_it_holds() -> None:
    doc = load(MINIMAL)
    doc["metadata"] = 5
    doc["unit_types"]["CAD"] = 5
    doc["areas"]["a"]["services"]["home"]["historical_2024"] = "100"
    assert whole(doc) == [
        "BAD_VALUE: metadata: must be a mapping (a mapping with id, version, ambito, year, "
        "title and reference), got the number 5",
        "BAD_VALUE: areas.a.services.home.historical_2024: must be a mapping (the amount "
        "assigned to the line in the reference year (the year before the fund's): {value, "
        "unit: EUR, description, reference}; it sets the line's target), got the text '100'",
        "BAD_VALUE: unit_types.CAD: must be a mapping (a unit type code of the units table "
        "and how the rules treat it), got the number 5",
    ]


def test_an_empty_or_unreadable_mapping_of_codes() -> None:
    doc = load(MINIMAL)
    doc["areas"] = []
    doc["formula_classes"] = {}
    assert whole(doc) == [
        "BAD_VALUE: formula_classes: must be a non-empty mapping (the formula classes (base + "
        "rate per user), keyed by code), got an empty mapping",
        "BAD_VALUE: areas: must be a non-empty mapping (the macro areas, keyed by code, each "
        "with label, share and services), got an empty list",
    ]


def test_unknown_and_missing_keys_at_every_depth() -> None:
    doc = load(MINIMAL)
    doc[5] = 1
    doc["metadata"]["extra"] = 1
    doc["fund"]["valeu"] = doc["fund"].pop("value")
    del doc["fund"]["unit"]
    del doc["set_asides"]["reserve_percent"]["max"]
    doc["eligibility"]["require_registr"] = doc["eligibility"].pop("require_registry")
    assert whole(doc) == [
        "UNKNOWN_KEY: metadata.extra: unknown key; Allowed here: id, version, ambito, year, "
        "title, reference, description",
        "UNKNOWN_KEY: fund.valeu: unknown key; did you mean 'value'? Allowed here: "
        "description, reference, unit, value",
        "MISSING_KEY: fund.unit: required key is missing; add it: EUR: the amount is in euros",
        "MISSING_KEY: fund.value: required key is missing; add it: the value itself",
        "MISSING_KEY: set_asides.reserve_percent.max: required key is missing; add it: the "
        "largest percent the law allows, from 0 to 100",
        "UNKNOWN_KEY: eligibility.require_registr: unknown key; did you mean "
        "'require_registry'? Allowed here: require_registry, require_authorization, "
        "require_in_ambito, exclude_started_in_year, exclude_ceased_before_year, "
        "exclude_experimental, require_data_declaration, require_deficit, require_application",
        "MISSING_KEY: eligibility.require_registry: required key is missing; add it: "
        "units of offer must be in the regional registry AFAM (NOT_IN_REGISTRY)",
        "UNKNOWN_KEY: 5: unknown key; Allowed here: format, metadata, fund, set_asides, "
        "minimum_award, payments, municipalities, eligibility, formula_classes, areas, "
        "unit_types, readings, residui",
    ]


def test_each_field_reports_its_own_reader_s_words() -> None:
    doc = load(MINIMAL)
    doc["fund"]["unit"] = None
    doc["set_asides"]["reserve_percent"]["max"] = "x"
    doc["areas"]["a"]["services"]["home"]["label"] = None
    doc["unit_types"]["CAD"]["municipal_service"] = "no"
    assert whole(doc) == [
        "BAD_UNIT: fund.unit: must be 'EUR', got nothing (null); write unit: EUR",
        "BAD_VALUE: set_asides.reserve_percent.max: value must be a percent written as a "
        "plain number such as 50 or 12.5 (no '%' sign), got the text 'x'",
        "BAD_VALUE: areas.a.services.home.label: must be non-empty text, got nothing (null)",
        "BAD_VALUE: unit_types.CAD.municipal_service: must be true or false, got the text 'no'",
    ]


def test_the_dated_values_problems_word_for_word() -> None:
    doc = load(MINIMAL_DATED)
    del doc["fund"]["values"]
    doc["minimum_award"]["values"][date(2026, 1, 1)] = 5
    doc["payments"]["first_tranche_percent"]["values"] = [70]
    del doc["payments"]["first_tranche_percent"]["value"]
    doc["municipalities"]["values"] = {date(2026, 1, 1): {"value": ["Alpha"], "valeu": 1}}
    del doc["municipalities"]["value"]
    assert whole(doc) == [
        "MISSING_KEY: fund.value: required key is missing; add it: the value itself, or "
        "values: keyed by the day from which each applies",
        "BAD_VALUE: minimum_award.values.2026-01-01: must be a mapping (an amount and, "
        "optionally, the act that set it), got the number 5",
        "BAD_VALUE: payments.first_tranche_percent.values: must be a non-empty mapping "
        "(instead of value, the values keyed by the day from which each applies (YYYY-MM-DD); "
        "the riparto of a year uses the one in force on 1 January), got a list",
        "UNKNOWN_KEY: municipalities.values.2026-01-01.valeu: unknown key; did you mean "
        "'value'? Allowed here: value, reference",
    ]


def test_a_type_without_a_reader_of_its_own_is_read_by_pydantic_in_our_sentence() -> None:
    # Every field of the rule sets has a reader; the walk still reads any other type, with
    # pydantic's words for what is wrong and the value as the project describes it.
    walk = _Walk("r.yaml", FORMAT_2, 2026)
    assert walk.leaf(int, (), "12", "a.b") == 12
    assert walk.leaf(str, (), "x", "a.c") == "x"  # an adapter per type, not one for all
    # a type never read before (adapters are kept per type: this one is built here, also in
    # a process where the others already were)
    assert walk.leaf(NewType("Whole", int), (), "12", "a.l") == 12
    assert walk.leaf(int, (), "x", "a.d") is _INVALID
    assert walk.leaf(int, (Ge(0),), 3, "a.e") == 3
    assert walk.leaf(int, (Ge(0),), -1, "a.f") is _INVALID
    amount = (PlainValidator(read_amount), Ge(0))  # not a reader alone: through pydantic
    assert walk.leaf(int, amount, "1.5", "a.g") == 150
    assert walk.leaf(int, amount, "x", "a.h") is _INVALID
    # the reader and the other constraints, both: 1.50 is read, then refused as below 2.00
    assert walk.leaf(int, (PlainValidator(read_amount), Ge(200)), "1.5", "a.k") is _INVALID
    loose = (PlainValidator(int),)  # a reader whose error is no RuleValueError
    assert walk.leaf(int, loose, "7", "a.i") == 7
    assert walk.leaf(int, loose, "x", "a.j") is _INVALID
    assert [f"{p.code}: {p}" for p in walk.problems] == [
        "BAD_VALUE: r.yaml: a.d: Input should be a valid integer, unable to parse string as an "
        "integer, got the text 'x'",
        "BAD_VALUE: r.yaml: a.f: Input should be greater than or equal to 0, got the number -1",
        "BAD_VALUE: r.yaml: a.h: value must be an amount in euros such as 1234.56, got the "
        "text 'x'; write a plain number with '.' as decimal mark and no thousands separator",
        "BAD_VALUE: r.yaml: a.k: Input should be greater than or equal to 200, got the text "
        "'1.5'",
        "BAD_VALUE: r.yaml: a.j: Value error, invalid literal for int() with base 10: 'x', got "
        "the text 'x'",
    ]


def test_the_rule_set_is_built_field_by_field_from_the_document() -> None:
    # parsed inside the test (the module's `rules` fixture is built once, before a mutant runs)
    doc = load(MINIMAL)
    doc["unit_types"]["CAD"].update(requires_data_declaration=True, experimental_allowed=False,
                                    experimental_by_nature=True)
    doc["unit_types"]["CSS"].update(experimental_allowed=True)
    rules = parse_rule_set(doc, source="m.yaml", sha256="f00")
    assert rules.areas == (
        Area("a", "Area A", Fraction(60), (
            ServiceLine("home", "Home care", "a", 10_050, ("SAD",)),)),
        Area("b", "Area B", Fraction(40), (
            ServiceLine("homes", "Residential homes", "b", 0, ("CAD", "CSS")),)),
    )
    assert rules.unit_types == {
        "SAD": UnitType("SAD", "Home care", "a", "home", None, True, False, False, False),
        "CAD": UnitType("CAD", "Residential home", "b", "homes", "residenziale", False, True,
                        False, True),
        "CSS": UnitType("CSS", "Social-health home", "b", "homes", "residenziale", False,
                        False, True, False),
    }
    assert rules.formula_classes == {
        "residenziale": FormulaClass("residenziale", "Residential", 100_000, 25_000)}
    assert (rules.rule_set_id, rules.version, rules.ambito, rules.year, rules.source,
            rules.sha256) == ("minimal", "1", "Test", 2025, "m.yaml", "f00")
    assert (rules.fund, rules.reserve_percent, rules.other_services_percent,
            rules.minimum_award, rules.first_tranche_percent,
            rules.single_payment_threshold) == (100_000, 0, 0, 30_000, 70, 100_000)
    assert rules.municipalities == ("Alpha", "Torre Boldone")
    assert rules.residual_scope is ResidualScope.NONE
    assert rules.line_without_applications is LineReading.TARGETS


def test_the_keys_after_an_unknown_key_are_still_read() -> None:
    doc = load(MINIMAL)
    doc["metadata"] = {"idd": "x", **doc["metadata"], "year": "2025"}
    assert whole(doc) == [
        "UNKNOWN_KEY: metadata.idd: unknown key; did you mean 'id'? Allowed here: id, version, "
        "ambito, year, title, reference, description",
        "BAD_VALUE: metadata.year: must be a year written as an integer such as 2025, got the "
        "text '2025'",
    ]


def test_an_area_with_a_bad_code_is_still_checked_under_its_own_name() -> None:
    doc = load(MINIMAL)
    doc["areas"]["area.b"] = doc["areas"].pop("b")
    doc["areas"]["area.b"]["services"]["homes"]["unit_types"] = ["CAD", "CSS", "CAD"]
    assert whole(doc) == [
        "BAD_CODE: areas.area.b: 'area.b' is not a valid code; use letters, digits and '_', "
        "starting with a letter (codes appear in dotted override paths)",
        "TYPE_IN_TWO_SERVICES: areas.area.b.services.homes.unit_types: unit type CAD is listed "
        "twice; list it once",
    ]


@pytest.mark.parametrize(("description", "hint"), [
    ("The fund.", "the fund"),
    ("A mapping with id and year.", "a mapping with id and year"),
    ("È la quota.", "è la quota"),
    ("L'importo assegnato.", "l'importo assegnato"),
    ("ISEE threshold.", "ISEE threshold"),
    ("FSR-2025 rule set", "FSR-2025 rule set"),
    ("IDs of the units.", "IDs of the units"),
    ("The\tFund.", "the\tFund"),
    ("...", ""),
    ("A", "a"),
    ("", ""),
    (None, ""),
])
def test_a_description_ends_a_sentence_lowered_unless_it_starts_with_an_acronym(
    description: str | None, hint: str,
) -> None:
    assert _hint(description) == hint


def test_each_parameter_is_recorded_as_the_reports_show_it() -> None:
    # parsed inside the test; a set-aside shows its maximum, every parameter its description
    rules = parse_rule_set(load(MINIMAL))
    assert [(p.path, p.value, p.description, p.reference) for p in rules.parameters[:4]] == [
        ("fund", "1000.00 EUR", "Fund to split.", "Test act art. 1"),
        ("set_asides.reserve_percent", "0% (max 5%)", "Reserve fund.", "Test act art. 2"),
        ("set_asides.other_services_percent", "0% (max 10%)", "Other services fund.",
         "Test act art. 2"),
        ("minimum_award", "300.00 EUR", "Smallest award.", "Test act art. 3")]
    assert len(rules.parameters) == 22
    assert (rules.source, rules.sha256) == ("", "")  # no file named, no hash given


def test_a_dated_value_in_force_that_cannot_be_read_is_reported_not_used() -> None:
    doc = load(MINIMAL_DATED)
    doc["fund"]["values"][date(2025, 1, 1)]["value"] = "abc"
    assert whole(doc) == [
        "BAD_VALUE: fund.values.2025-01-01: value must be an amount in euros such as 1234.56, "
        "got the text 'abc'; write a plain number with '.' as decimal mark and no thousands "
        "separator"]
    del doc["fund"]["values"][date(2025, 1, 1)]["value"]
    assert whole(doc) == [
        "MISSING_KEY: fund.values.2025-01-01.value: required key is missing; add it: the "
        "amount in euros, greater than 0"]
    # A set-aside shows its maximum beside its value: only beside a value that was read.
    doc = load(MINIMAL_DATED)
    reserve = doc["set_asides"]["reserve_percent"]
    del reserve["value"]
    reserve["values"] = {date(2025, 1, 1): {"value": "abc"}}
    assert whole(doc) == [
        "BAD_VALUE: set_asides.reserve_percent.values.2025-01-01: value must be a percent "
        "written as a plain number such as 50 or 12.5 (no '%' sign), got the text 'abc'"]


def test_a_document_that_is_no_mapping_lists_the_keys_of_format_2() -> None:
    with pytest.raises(RuleSetError) as caught:
        parse_rule_set(5)  # type: ignore[arg-type]
    assert [(p.code, p.file, p.message) for p in caught.value.problems] == [
        (ErrorCode.BAD_VALUE, "",
         "(document): a rule set must be a YAML mapping with the keys format, metadata, fund, "
         "set_asides, minimum_award, payments, municipalities, eligibility, formula_classes, "
         "areas, unit_types, readings, residui; got the number 5")]
