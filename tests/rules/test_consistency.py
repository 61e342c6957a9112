"""The checks across sections, on documents the walk could read only in part."""

from __future__ import annotations

from fractions import Fraction
from typing import Any

from fsr_opt.core.errors import ErrorCode
from fsr_opt.rules.consistency import check_document


def share(percent: int | None) -> dict[str, Any]:
    return {} if percent is None else {"value": Fraction(percent)}


def line(*types: str) -> dict[str, Any]:
    return {"unit_types": types}


def kind(formula: str | None, *, municipal: bool | None = False) -> dict[str, Any]:
    node: dict[str, Any] = {"formula_class": formula}
    if municipal is not None:
        node["municipal_service"] = municipal
    return node


DOCUMENT: dict[str, Any] = {
    "set_asides": {"reserve_percent": {"value": Fraction(0), "max": Fraction(5)},
                   "other_services_percent": {"value": Fraction(0), "max": Fraction(10)}},
    "formula_classes": {"residenziale": {}},
    "areas": {"a": {"share": share(60), "services": {"home": line("SAD")}},
              "b": {"share": share(40), "services": {"homes": line("CAD")}}},
    "unit_types": {"SAD": kind(None, municipal=True), "CAD": kind("residenziale")},
}


def findings(**changes: Any) -> list[tuple[str, ErrorCode]]:
    return [(path, code) for path, code, _ in check_document({**DOCUMENT, **changes})]


def test_a_consistent_document_has_no_finding() -> None:
    assert findings() == []


def test_the_shares_are_totalled_only_when_all_were_read() -> None:
    areas = {"a": {"share": share(60), "services": {}}, "b": {"share": share(30), "services": {}}}
    assert ("areas", ErrorCode.SHARES_NOT_100) in findings(areas=areas)
    areas["b"] = {"share": share(None), "services": {}}
    assert ("areas", ErrorCode.SHARES_NOT_100) not in findings(areas=areas)
    areas["b"] = None  # not a mapping: its own problem is reported
    assert ("areas", ErrorCode.SHARES_NOT_100) not in findings(areas=areas)


def test_a_set_aside_above_its_max_and_above_the_fund() -> None:
    set_asides = {"reserve_percent": {"value": Fraction(60), "max": Fraction(100)},
                  "other_services_percent": {"value": Fraction(50), "max": Fraction(10)}}
    assert findings(set_asides=set_asides) == [
        ("set_asides.other_services_percent", ErrorCode.SET_ASIDE_TOO_LARGE),
        ("set_asides", ErrorCode.SET_ASIDE_TOO_LARGE),
    ]
    set_asides["other_services_percent"] = {"value": Fraction(50)}  # max unreadable
    assert findings(set_asides=set_asides) == [("set_asides", ErrorCode.SET_ASIDE_TOO_LARGE)]


def test_each_unit_type_in_exactly_one_line() -> None:
    areas = {"a": {"share": share(60), "services": {"home": line("SAD", "SAD", "CAD")}},
             "b": {"share": share(40), "services": {"home": line("CAD", "CSS")}}}
    assert findings(areas=areas) == [
        ("areas.b.services.home", ErrorCode.DUPLICATE_SERVICE),
        ("areas.a.services.home.unit_types", ErrorCode.TYPE_IN_TWO_SERVICES),
        ("areas.b.services.home.unit_types", ErrorCode.TYPE_IN_TWO_SERVICES),
        ("areas.b.services.home.unit_types", ErrorCode.UNKNOWN_UNIT_TYPE),
    ]
    assert findings(unit_types={**DOCUMENT["unit_types"], "CSS": None}) == [
        ("unit_types.CSS", ErrorCode.TYPE_WITHOUT_SERVICE)]


def test_a_line_of_an_unreadable_area_still_lists_its_types() -> None:
    areas = {"a": {"services": {"home": line("SAD")}}, "b": {"services": {"homes": line("CAD")}}}
    assert findings(areas=areas) == []  # no share read: nothing to total, nothing else wrong


def test_formula_classes_of_unit_types() -> None:
    unit_types = {"SAD": kind("residenziale", municipal=True), "CAD": kind(None),
                  "CSS": kind("residenzale"), "CDD": kind("x", municipal=None)}
    found = check_document({**DOCUMENT, "unit_types": unit_types})
    assert [(path, code) for path, code, _ in found if path.endswith(".formula_class")] == [
        ("unit_types.SAD.formula_class", ErrorCode.INCONSISTENT_UNIT_TYPE),
        ("unit_types.CAD.formula_class", ErrorCode.INCONSISTENT_UNIT_TYPE),
        ("unit_types.CSS.formula_class", ErrorCode.UNKNOWN_FORMULA_CLASS),
        ("unit_types.CDD.formula_class", ErrorCode.UNKNOWN_FORMULA_CLASS),
    ]
    css = next(message for path, _, message in found if path == "unit_types.CSS.formula_class")
    assert "did you mean 'residenziale'?" in css


def messages(**changes: Any) -> list[str]:
    """Each finding as the rule-set error shows it after the file: the key, then the message."""
    return [f"{path}: {message}" for path, _, message in check_document({**DOCUMENT, **changes})]


def test_shares_that_do_not_total_100_are_listed_area_by_area() -> None:
    areas = {"a": {"share": share(60), "services": {"home": line("SAD")}},
             "b": {"share": {"value": Fraction(81, 2)}, "services": {"homes": line("CAD")}}}
    assert messages(areas=areas) == [
        "areas: the area shares add up to 100.5%, not 100% (a 60%, b 40.5%); change "
        "areas.<area>.share so that they total exactly 100"]
    areas["b"]["share"] = {"value": Fraction(799, 20)}  # 39.95: 99.95 in all
    assert messages(areas=areas)[0].startswith(
        "areas: the area shares add up to 99.95%, not 100% (a 60%, b 39.95%)")


def test_no_areas_read_means_no_total_and_no_line_to_miss() -> None:
    assert findings(areas={}) == []
    assert findings(areas=None) == []


def test_a_set_aside_may_equal_its_max_and_the_set_asides_the_whole_fund() -> None:
    set_asides = {"reserve_percent": {"value": Fraction(50), "max": Fraction(50)},
                  "other_services_percent": {"value": Fraction(50), "max": Fraction(50)}}
    assert findings(set_asides=set_asides) == []
    set_asides["reserve_percent"] = {"value": Fraction(101, 2), "max": Fraction(50)}
    assert messages(set_asides=set_asides) == [
        "set_asides.reserve_percent: value 50.5% exceeds the maximum 50% allowed by "
        "set_asides.reserve_percent.max; lower it to at most 50%",
        "set_asides: the set-asides add up to 100.5%, more than the whole fund; lower them so "
        "that they total at most 100",
    ]


def test_the_set_asides_are_totalled_only_when_both_were_read() -> None:
    set_asides = {"reserve_percent": {"value": Fraction(101), "max": Fraction(200)},
                  "other_services_percent": {"max": Fraction(10)}}
    assert findings(set_asides=set_asides) == []
    set_asides["other_services_percent"] = None
    assert findings(set_asides=set_asides) == []


def test_each_cross_section_problem_says_what_to_change() -> None:
    areas = {"a": {"share": share(60), "services": {"home": line("SAD", "SAD", "CAD")}},
             "b": {"share": share(40), "services": {"home": line("CAD", "CSS1", "XYZ")}}}
    assert messages(areas=areas, unit_types={**DOCUMENT["unit_types"], "CSS": kind("residenziale")}
                    ) == [
        "areas.b.services.home: service code 'home' is already used by areas.a.services.home; "
        "service codes must be unique across areas, rename one of them",
        "areas.a.services.home.unit_types: unit type SAD is listed twice; list it once",
        "areas.b.services.home.unit_types: unit type CAD is already listed in "
        "areas.a.services.home.unit_types; a unit type belongs to exactly one service line, "
        "remove one of the two",
        "areas.b.services.home.unit_types: unit type 'CSS1' is not defined in unit_types (did you "
        "mean 'CSS'?); define it there or fix the spelling",
        "areas.b.services.home.unit_types: unit type 'XYZ' is not defined in unit_types; define "
        "it there or fix the spelling",
        "unit_types.CSS: this unit type is not listed in any service line; add it to the "
        "unit_types of one service line under areas, or remove it",
    ]


def test_a_type_listed_twice_in_one_line_is_named_once_per_repeat() -> None:
    areas = {"a": {"share": share(60), "services": {"home": line("SAD", "SAD", "SAD")}},
             "b": {"share": share(40), "services": {"homes": line("CAD")}}}
    assert messages(areas=areas) == [
        "areas.a.services.home.unit_types: unit type SAD is listed twice; list it once"] * 2


def test_unit_types_unread_leave_the_lines_types_unchecked() -> None:
    areas = {"a": {"share": share(60), "services": {"home": line("SAD", "CSD")}},
             "b": {"share": share(40), "services": {"homes": line("CAD")}}}
    assert findings(areas=areas, unit_types=None) == []
    assert findings(areas=areas, unit_types={}) == []


def test_a_municipal_service_and_a_unit_of_offer_and_their_formula_class() -> None:
    unit_types = {"SAD": kind("residenziale", municipal=True), "CAD": kind(None),
                  "CSS": {"municipal_service": False}, "CDD": kind(None, municipal=None)}
    assert messages(unit_types=unit_types) == [
        "unit_types.CSS: this unit type is not listed in any service line; add it to the "
        "unit_types of one service line under areas, or remove it",
        "unit_types.CDD: this unit type is not listed in any service line; add it to the "
        "unit_types of one service line under areas, or remove it",
        "unit_types.SAD.formula_class: a municipal service is funded in proportion to its "
        "deficit and takes no formula class; write formula_class: null or municipal_service: "
        "false (got 'residenziale')",
        "unit_types.CAD.formula_class: a unit of offer needs a formula class (the cap of "
        "private units, criteria points b and c); write formula_class: <one of "
        "formula_classes> or set municipal_service: true",
    ]


def test_an_unknown_formula_class_lists_the_defined_ones() -> None:
    classes = {"residenziale": {}, "diurno": {}}
    unit_types = {"SAD": kind(None, municipal=True), "CAD": kind("residenzale"),
                  "CSE": kind("xyz")}
    areas = {"a": {"share": share(60), "services": {"home": line("SAD")}},
             "b": {"share": share(40), "services": {"homes": line("CAD", "CSE")}}}
    assert messages(formula_classes=classes, unit_types=unit_types, areas=areas) == [
        "unit_types.CAD.formula_class: 'residenzale' is not defined in formula_classes; did you "
        "mean 'residenziale'? Defined: residenziale, diurno",
        "unit_types.CSE.formula_class: 'xyz' is not defined in formula_classes; Defined: "
        "residenziale, diurno",
    ]
    assert findings(formula_classes={}, unit_types=unit_types, areas=areas) == []
    assert findings(formula_classes=None, unit_types=unit_types, areas=areas) == []


def test_a_set_aside_read_after_an_unreadable_one_is_still_checked() -> None:
    set_asides = {"reserve_percent": {"max": Fraction(5)},
                  "other_services_percent": {"value": Fraction(11), "max": Fraction(10)}}
    assert messages(set_asides=set_asides) == [
        "set_asides.other_services_percent: value 11% exceeds the maximum 10% allowed by "
        "set_asides.other_services_percent.max; lower it to at most 10%"]


def test_a_unit_type_read_after_an_unreadable_one_is_still_checked() -> None:
    unit_types = {"SAD": {"formula_class": None}, "CAD": kind(None)}
    assert messages(unit_types=unit_types) == [
        "unit_types.CAD.formula_class: a unit of offer needs a formula class (the cap of "
        "private units, criteria points b and c); write formula_class: <one of "
        "formula_classes> or set municipal_service: true"]
    unit_types = {"SAD": {"municipal_service": True}, "CAD": kind(None)}
    assert findings(unit_types=unit_types) == [
        ("unit_types.CAD.formula_class", ErrorCode.INCONSISTENT_UNIT_TYPE)]
