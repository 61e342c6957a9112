"""The checks that span sections of a rule set: they run on whatever the walk could read.

`fsr_opt.rules.validate` leaves out a field it cannot read and goes on; each check here uses
only what it needs and stays silent when some of that is missing (its own problem is already
reported), so a bad value in one place never causes a misleading problem in another. Each
problem names the exact key to change, not the section that holds it.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from fractions import Fraction
from typing import Any

from fsr_opt.core.errors import ErrorCode, suggest
from fsr_opt.core.i18n import _
from fsr_opt.rules.values import said_percent

Finding = tuple[str, ErrorCode, str]
"""A problem as (dotted path, code, message)."""


def check_document(document: Mapping[str, Any]) -> list[Finding]:
    """Every cross-section problem of a document read by the walk (fields it could read)."""
    return [
        *_shares(document),
        *_set_asides(document),
        *_service_codes(document),
        *_type_membership(document),
        *_unit_types(document),
        *_formula_references(document),
    ]


def _mapping(node: object) -> Mapping[str, Any]:
    return node if isinstance(node, Mapping) else {}


def _services(document: Mapping[str, Any]) -> Iterator[tuple[str, str, Mapping[str, Any]]]:
    """(area code, service code, service line) of every line read, in document order."""
    for area_code, area in _mapping(document.get("areas")).items():
        for code, line in _mapping(_mapping(area).get("services")).items():
            yield area_code, code, _mapping(line)


def _shares(document: Mapping[str, Any]) -> Iterator[Finding]:
    shares: dict[str, Fraction] = {}
    for code, area in _mapping(document.get("areas")).items():
        share = _mapping(_mapping(area).get("share")).get("value")
        if share is None:
            return  # unreadable: already reported
        shares[code] = share
    if not shares:
        return
    total = sum(shares.values(), Fraction(0))
    if total != 100:
        listed = ", ".join(f"{code} {said_percent(share)}" for code, share in shares.items())
        yield ("areas", ErrorCode.SHARES_NOT_100,
               _("the area shares add up to {total}, not 100% ({listed}); change "
                 "areas.<area>.share so that they total exactly 100").format(
                   total=said_percent(total), listed=listed))


def _set_asides(document: Mapping[str, Any]) -> Iterator[Finding]:
    values: list[Fraction] = []
    for key, parameter in _mapping(document.get("set_asides")).items():
        value: Fraction | None = _mapping(parameter).get("value")
        limit: Fraction | None = _mapping(parameter).get("max")
        if value is None:
            continue
        values.append(value)
        if limit is not None and value > limit:
            path = f"set_asides.{key}"
            yield (path, ErrorCode.SET_ASIDE_TOO_LARGE,
                   _("value {value} exceeds the maximum {limit} allowed by {path}.max; lower "
                     "it to at most {limit}").format(value=said_percent(value),
                                                     limit=said_percent(limit), path=path))
    if len(values) == 2 and sum(values) > 100:
        yield ("set_asides", ErrorCode.SET_ASIDE_TOO_LARGE,
               _("the set-asides add up to {total}, more than the whole fund; lower them so "
                 "that they total at most 100").format(
                   total=said_percent(sum(values, Fraction(0)))))


def _service_codes(document: Mapping[str, Any]) -> Iterator[Finding]:
    first: dict[str, str] = {}
    for area, code, _service in _services(document):
        path = f"areas.{area}.services.{code}"
        if code in first:
            yield (path, ErrorCode.DUPLICATE_SERVICE,
                   _("service code '{code}' is already used by {first}; service codes must be "
                     "unique across areas, rename one of them").format(code=code,
                                                                      first=first[code]))
        else:
            first[code] = path


def _type_membership(document: Mapping[str, Any]) -> Iterator[Finding]:
    """Each unit type is defined and listed in exactly one service line."""
    defined = list(_mapping(document.get("unit_types")))
    where: dict[str, str] = {}
    for area, code, line in _services(document):
        path = f"areas.{area}.services.{code}.unit_types"
        for kind in line.get("unit_types", ()):
            if where.get(kind) == path:
                yield (path, ErrorCode.TYPE_IN_TWO_SERVICES,
                       _("unit type {kind} is listed twice; list it once").format(kind=kind))
                continue
            if kind in where:
                yield (path, ErrorCode.TYPE_IN_TWO_SERVICES,
                       _("unit type {kind} is already listed in {where}; a unit type belongs "
                         "to exactly one service line, remove one of the two").format(
                             kind=kind, where=where[kind]))
                continue
            where[kind] = path
            if defined and kind not in defined:
                guess = suggest(kind, defined)
                hint = _(" (did you mean '{guess}'?)").format(guess=guess) if guess else ""
                yield (path, ErrorCode.UNKNOWN_UNIT_TYPE,
                       _("unit type '{kind}' is not defined in unit_types{hint}; define it "
                         "there or fix the spelling").format(kind=kind, hint=hint))
    if not _mapping(document.get("areas")):
        return
    for kind in defined:
        if kind not in where:
            yield (f"unit_types.{kind}", ErrorCode.TYPE_WITHOUT_SERVICE,
                   _("this unit type is not listed in any service line; add it to the "
                     "unit_types of one service line under areas, or remove it"))


def _unit_types(document: Mapping[str, Any]) -> Iterator[Finding]:
    """A municipal service takes no formula class; a unit of offer needs one."""
    for code, entry in _mapping(document.get("unit_types")).items():
        kind = _mapping(entry)
        municipal = kind.get("municipal_service")
        if municipal is None or "formula_class" not in kind:
            continue  # unreadable: already reported
        formula = kind["formula_class"]
        path = f"unit_types.{code}.formula_class"
        if municipal and formula is not None:
            yield (path, ErrorCode.INCONSISTENT_UNIT_TYPE,
                   _("a municipal service is funded in proportion to its deficit and takes no "
                     "formula class; write formula_class: null or municipal_service: false "
                     "(got '{formula}')").format(formula=formula))
        elif not municipal and formula is None:
            yield (path, ErrorCode.INCONSISTENT_UNIT_TYPE,
                   _("a unit of offer needs a formula class (the cap of private units, "
                     "criteria points b and c); write formula_class: <one of formula_classes> "
                     "or set municipal_service: true"))


def _formula_references(document: Mapping[str, Any]) -> Iterator[Finding]:
    defined = list(_mapping(document.get("formula_classes")))
    if not defined:
        return
    for code, kind in _mapping(document.get("unit_types")).items():
        formula = _mapping(kind).get("formula_class")
        if formula is not None and formula not in defined:
            guess = suggest(formula, defined)
            hint = _("did you mean '{guess}'? ").format(guess=guess) if guess else ""
            yield (f"unit_types.{code}.formula_class", ErrorCode.UNKNOWN_FORMULA_CLASS,
                   _("'{formula}' is not defined in formula_classes; {hint}Defined: "
                     "{defined}").format(formula=formula, hint=hint, defined=", ".join(defined)))

