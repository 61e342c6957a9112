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
