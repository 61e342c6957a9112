"""parse_rule_set: the bundled rule set, every problem at once, the bad-file fixtures, format 2."""

from __future__ import annotations

import copy
from datetime import date
from fractions import Fraction
from typing import Any

import pytest
import yaml
from hypothesis import given, settings
from hypothesis import strategies as st

from fsr_opt.core.errors import ErrorCode, RuleSetError
from fsr_opt.core.schema import EligibilitySwitches, RuleSet
from fsr_opt.rules.budgets import area_budgets
from fsr_opt.rules.overrides import apply_overrides
from fsr_opt.rules.validate import parse_rule_set

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
        "2025.1", "Bergamo", 2025, 2024)
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
