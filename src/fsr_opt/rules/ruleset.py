"""The rule set: validate a parsed rule-set document and compute what follows from it alone.

A rule set is data, not code (OpenFisca's parameter files are the model): every value that the
riparto depends on sits in one YAML document with a ``description`` that says what it is and a
``reference`` that says which act decided it. This module

* validates such a document (`parse_rule_set`), collecting *every* problem before raising one
  `RuleSetError`, each message starting with the dotted path of the offending key and saying
  how to fix it;
* applies command-line overrides to a document before validation (`apply_overrides`,
  `override_pairs`), so an override is checked exactly like the file;
* derives the money that depends on the rules only: set-asides, the distributable amount, the
  area budgets (integer cents, largest remainder) and the service-line targets (exact
  fractions of a cent).

No file I/O happens here: `fsr_opt.io.files` reads the YAML and hands over the mapping. The format
is documented in ``docs/rules-format.md``.
"""

from __future__ import annotations

import difflib
import re
import unicodedata
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, fields
from decimal import Decimal, InvalidOperation
from fractions import Fraction
from typing import Any

import yaml

from fsr_opt.core.errors import ErrorCode, Problem, RuleSetError
from fsr_opt.core.money import format_cents, largest_remainder, round_half_up
from fsr_opt.core.schema import (
    Area,
    EligibilitySwitches,
    FormulaClass,
    ParameterInfo,
    RuleSet,
    ServiceLine,
    UnitType,
)

__all__ = [
    "DEFAULT_RULE_SET_ID",
    "FORMAT",
    "apply_overrides",
    "area_budgets",
    "distributable",
    "normalize_name",
    "override_pairs",
    "parameter_paths",
    "parse_rule_set",
    "service_targets",
    "set_aside_amounts",
    "unit_type",
]

DEFAULT_RULE_SET_ID = "fsr-2025-bergamo"
"""The rule set used when the command line names none (Ambito di Bergamo, FSR 2025)."""

FORMAT = "fsr-opt/rules/1"
"""The value of the ``format`` key this module reads; a new layout gets a new number."""

# ---------------------------------------------------------------------------------------------
# The layout of a document
# ---------------------------------------------------------------------------------------------

_TOP_KEYS = (
    "format", "metadata", "fund", "set_asides", "minimum_award", "payments", "municipalities",
    "eligibility", "formula_classes", "areas", "unit_types",
)
_METADATA_KEYS = ("id", "version", "ambito", "year", "title", "reference")
_METADATA_OPTIONAL = ("description",)
_SET_ASIDE_KEYS = {"reserve_percent": "reserve", "other_services_percent": "other_services"}
_PAYMENT_KEYS = ("first_tranche_percent", "single_payment_threshold")
_SWITCH_KEYS = tuple(f.name for f in fields(EligibilitySwitches))
_FORMULA_KEYS = ("label", "base", "rate_per_user")
_AREA_KEYS = ("label", "share", "services")
_SERVICE_KEYS = ("label", "unit_types", "historical_2024")
_UNIT_TYPE_KEYS = ("label", "municipal_service")
_UNIT_TYPE_OPTIONAL = ("formula_class", "requires_data_declaration", "experimental_allowed")
"""Optional: an absent formula_class means null (TOML, which has no null, simply omits it)."""
_DOC_KEYS = ("description", "reference")
_PARAMETER_KEYS = ("value", "description", "reference")

_UNITS = {"money": "EUR", "percent": "percent"}

_CODE = re.compile(r"^[A-Za-z][A-Za-z0-9_]*$")
"""Area, service, formula-class and unit-type codes: they appear in dotted override paths."""

_KEY_HINTS = {
    "format": f"the format identifier, exactly '{FORMAT}'",
    "metadata": "a mapping with id, version, ambito, year, title and reference",
    "id": "the rule set's identifier, e.g. fsr-2025-bergamo",
    "version": 'the rule set\'s version as quoted text, e.g. "2025.1"',
    "ambito": "the name of the Ambito territoriale, e.g. Bergamo",
    "year": "the year of the fund, an integer such as 2025",
    "title": "a one-line title of the rule set",
    "reference": "the legal source (act, date and section), e.g. 'DGR n. XII/4793 del 28/07/2025'",
    "description": "a sentence saying what the value is and why it has this value",
    "value": "the value itself",
    "unit": "the unit of the value",
    "label": "a human-readable name",
    "fund": "the amount assigned to the Ambito: {value, unit: EUR, description, reference}",
    "set_asides": "reserve_percent and other_services_percent",
    "minimum_award": "the minimum award: {value, unit: EUR, description, reference}",
    "payments": "first_tranche_percent and single_payment_threshold",
    "municipalities": "the Ambito's municipalities: {value: [..], description, reference}",
    "eligibility": "one switch per access criterion: " + ", ".join(_SWITCH_KEYS),
    "formula_classes": "the base + rate per user classes, keyed by code",
    "areas": "the macro areas, keyed by code, each with label, share and services",
    "unit_types": "the unit types, keyed by code",
    "share": "the area's percent of the distributable fund: {value, unit: percent, ...}",
    "services": "the area's service lines, keyed by code",
    "unit_types_list": "the list of unit type codes of the service line",
    "historical_2024": "the amount assigned in 2024: {value, unit: EUR, description, reference}",
    "base": "the base amount: {value, unit: EUR, description, reference}",
    "rate_per_user": "the amount per user: {value, unit: EUR, description, reference}",
    "formula_class": "the code of a formula class, or null for a municipal service",
    "municipal_service": "true for a service run by a municipality, false for a unit of offer",
    "max": "the largest percent the law allows",
    "first_tranche_percent": "the percent paid after approval: {value, unit: percent, ...}",
    "single_payment_threshold": "awards up to this are paid at once: {value, unit: EUR, ...}",
    **{key: "a switch: {value: true or false, description, reference}"
       for key in _SWITCH_KEYS},
    "reserve_percent": "the reserve fund: {value, max, unit: percent, description, reference}",
    "other_services_percent": "the other-services fund: {value, max, unit: percent, ...}",
}


def _join(path: str, key: object) -> str:
    return f"{path}.{key}" if path else str(key)


def _suggest(word: str, choices: Sequence[str], cutoff: float = 0.6) -> str | None:
    matches = difflib.get_close_matches(word, list(choices), n=1, cutoff=cutoff)
    return matches[0] if matches else None


def _decimal_text(value: Decimal) -> str:
    """Render a Decimal without exponent or trailing zeros (``50``, ``15.5``), exactly.

    ``Decimal.normalize`` would round to the context's 28 digits, so the zeros are stripped
    from the text instead.
    """
    text = format(value, "f")
    if "." in text:
        text = text.rstrip("0").rstrip(".")
    return "0" if text in {"-0", ""} else text


def _percent_text(value: Fraction) -> str:
    if value.denominator == 1:
        return str(value.numerator)
    decimal = Decimal(value.numerator) / Decimal(value.denominator)
    return _decimal_text(decimal)


_MAX_EXPONENT = 30
"""Decimal exponents beyond +-30 are refused: ``1e999999999`` would take forever to expand."""

MAX_AMOUNT_CENTS = 10**15 * 100
"""Above 10^15 euros an amount of a rule set is a typing error (``1e20``), not a fund.

Far above any real fund, so that exactness can still be tested on 16-digit amounts; the
solver's own numerical range is narrower (see docs/errors.md).
"""


def _to_decimal(value: object) -> Decimal | None:
    """Read a YAML number (or a quoted decimal) exactly; None if it is not a finite number.

    Floats go through ``repr``, the shortest text that reads back as the same float, which is
    the text written in the file for any value with at most 15 significant digits. A number
    whose exponent lies beyond +-30 (``"1e999999999"``) is refused too: no fund, share or
    amount is that large or that small, and turning it into an exact fraction would not end.
    """
    if isinstance(value, bool):
        return None
    if isinstance(value, int | Decimal):
        number = Decimal(value)
        if not number.is_finite():
            return None
        return number if number.is_zero() or abs(number.adjusted()) <= _MAX_EXPONENT else None
    if isinstance(value, float):
        text = repr(value)
    elif isinstance(value, str):
        text = value.strip()
    else:
        return None
    try:
        number = Decimal(text)
    except InvalidOperation:
        return None
    if not number.is_finite():
        return None
    return number if number.is_zero() or abs(number.adjusted()) <= _MAX_EXPONENT else None


# ---------------------------------------------------------------------------------------------
# Validation
# ---------------------------------------------------------------------------------------------


@dataclass
class _ServiceDraft:
    code: str
    label: str
    area: str
    path: str
    historical: int | None
    unit_types: list[str]


@dataclass
class _AreaDraft:
    code: str
    label: str
    path: str
    share: Fraction | None
    services: list[_ServiceDraft]


@dataclass
class _UnitTypeDraft:
    code: str
    label: str
    path: str
    formula_class: str | None
    municipal_service: bool
    requires_data_declaration: bool
    experimental_allowed: bool


class _Parser:
    """Walks a document once, in document order, collecting values, parameters and problems."""

    def __init__(self, source: str) -> None:
        self.source = source
        self.problems: list[Problem] = []
        self.parameters: list[ParameterInfo] = []
        self.metadata: dict[str, Any] = {}
        self.fund: int | None = None
        self.set_asides: dict[str, Fraction | None] = {}
        self.minimum_award: int | None = None
        self.first_tranche: Fraction | None = None
        self.single_payment: int | None = None
        self.municipalities: tuple[str, ...] | None = None
        self.switches: dict[str, bool] = {}
        self.formula_classes: dict[str, FormulaClass] = {}
        self.formula_class_codes: list[str] = []
        self.areas: list[_AreaDraft] = []
        self.unit_types: dict[str, _UnitTypeDraft] = {}
        self.seen: set[str] = set()

    # -- reporting -----------------------------------------------------------------------------

    def problem(self, path: str, code: ErrorCode, message: str) -> None:
        self.problems.append(Problem(f"{path}: {message}", file=self.source, code=code))

    def mapping(
        self,
        node: object,
        path: str,
        required: Sequence[str],
        optional: Sequence[str] = (),
        *,
        missing_codes: Mapping[str, ErrorCode] | None = None,
    ) -> Mapping[Any, Any] | None:
        """Check that `node` is a mapping with exactly the allowed keys; report what is not."""
        if not isinstance(node, Mapping):
            hint = _KEY_HINTS.get(path.rsplit(".", 1)[-1])
            self.problem(path, ErrorCode.BAD_VALUE,
                         f"must be a mapping{' (' + hint + ')' if hint else ''}, "
                         f"got {_describe(node)}")
            return None
        allowed = [*required, *optional]
        for key in node:
            if key not in allowed:
                self.unknown_key(_join(path, key), str(key), allowed)
        for key in required:
            if key not in node:
                code = (missing_codes or {}).get(key, ErrorCode.MISSING_KEY)
                self.missing(_join(path, key), key, code)
        return node

    def unknown_key(self, path: str, key: str, allowed: Sequence[str]) -> None:
        guess = _suggest(key, allowed)
        hint = f"did you mean '{guess}'? " if guess else ""
        self.problem(path, ErrorCode.UNKNOWN_KEY,
                     f"unknown key; {hint}Allowed here: {', '.join(allowed)}")

    def missing(self, path: str, key: str, code: ErrorCode = ErrorCode.MISSING_KEY) -> None:
        if code is ErrorCode.MISSING_DESCRIPTION:
            self.problem(path, code, "missing; every parameter needs a description that says "
                         "what the value is and why it has this value")
        elif code is ErrorCode.MISSING_REFERENCE:
            self.problem(path, code, "missing; every parameter needs a reference to its legal "
                         "source (act, date and section), e.g. 'DGR n. XII/4793 del 28/07/2025'")
        else:
            hint = _KEY_HINTS.get(key)
            if key == "unit_types" and path != "unit_types":
                hint = _KEY_HINTS["unit_types_list"]
            detail = f": {hint}" if hint else ""
            self.problem(path, code, f"required key is missing; add it{detail}")

    # -- leaves --------------------------------------------------------------------------------

    def text(self, node: Mapping[Any, Any], key: str, path: str) -> str:
        """A required non-empty string; the missing case is reported by `mapping`."""
        if key not in node:
            return ""
        value = node[key]
        if not isinstance(value, str) or not value.strip():
            hint = _KEY_HINTS.get(key, "text")
            self.problem(_join(path, key), ErrorCode.BAD_VALUE,
                         f"must be non-empty text ({hint}), got {_describe(value)}")
            return ""
        return value.strip()

    def flag(self, node: Mapping[Any, Any], key: str, path: str, default: bool) -> bool:
        if key not in node:
            return default
        value = node[key]
        if not isinstance(value, bool):
            self.problem(_join(path, key), ErrorCode.BAD_VALUE,
                         f"must be true or false, got {_describe(value)}")
            return default
        return value

    def documentation(self, node: Mapping[Any, Any], path: str) -> tuple[str, str]:
        """Read the description and reference of a parameter (both required, both text).

        A reference may also be a list of texts when a value rests on more than one act; they
        are joined with '; ' for reports.
        """
        description = ""
        if "description" in node:
            value = node["description"]
            if isinstance(value, str) and value.strip():
                description = " ".join(value.split())
            else:
                self.problem(_join(path, "description"), ErrorCode.MISSING_DESCRIPTION,
                             f"is empty or not text ({_describe(value)}); write a sentence "
                             "that says what the value is and why")
        reference = ""
        if "reference" in node:
            value = node["reference"]
            if isinstance(value, str) and value.strip():
                reference = " ".join(value.split())
            elif (isinstance(value, list) and value
                  and all(isinstance(v, str) and v.strip() for v in value)):
                reference = "; ".join(" ".join(v.split()) for v in value)
            else:
                self.problem(_join(path, "reference"), ErrorCode.MISSING_REFERENCE,
                             f"is empty or not text ({_describe(value)}); cite the legal "
                             "source (act, date and section), or give a list of them")
        return description, reference

    def parameter(
        self,
        node: object,
        path: str,
        kind: str,
        extra: Sequence[str] = (),
    ) -> tuple[Mapping[Any, Any] | None, Any]:
        """Validate a parameter node and return (node, parsed value or None).

        Kinds: ``money`` (EUR, becomes cents), ``percent`` (becomes a Fraction), ``bool`` and
        ``names`` (a list of texts). The parameter is recorded for reports when it is valid.
        """
        required = [*_PARAMETER_KEYS, *(["unit"] if kind in _UNITS else [])]
        node_map = self.mapping(
            node, path, required, extra,
            missing_codes={"description": ErrorCode.MISSING_DESCRIPTION,
                           "reference": ErrorCode.MISSING_REFERENCE},
        )
        if node_map is None:
            return None, None
        description, reference = self.documentation(node_map, path)
        if kind in _UNITS and "unit" in node_map and node_map["unit"] != _UNITS[kind]:
            self.problem(_join(path, "unit"), ErrorCode.BAD_UNIT,
                         f"must be '{_UNITS[kind]}', got {_describe(node_map['unit'])}; "
                         f"write unit: {_UNITS[kind]}")
        if "value" not in node_map:
            return node_map, None
        value, shown = self.read_value(node_map["value"], path, kind)
        if value is not None and description and reference:
            self.parameters.append(ParameterInfo(path, shown, description, reference))
        return node_map, value

    def read_value(self, raw: object, path: str, kind: str) -> tuple[Any, str]:
        if kind == "money":
            cents = self.money(raw, path)
            return cents, ("" if cents is None else f"{format_cents(cents)} EUR")
        if kind == "percent":
            percent = self.percent(raw, path)
            return percent, ("" if percent is None else f"{_percent_text(percent)}%")
        if kind == "bool":
            if isinstance(raw, bool):
                return raw, "true" if raw else "false"
            self.problem(path, ErrorCode.BAD_VALUE,
                         f"value must be true or false, got {_describe(raw)}")
            return None, ""
        names = self.names(raw, path)
        return names, ("" if names is None else ", ".join(names))

    def money(self, raw: object, path: str) -> int | None:
        number = _to_decimal(raw)
        if number is None:
            self.problem(path, ErrorCode.BAD_VALUE,
                         f"value must be an amount in euros such as 1234.56, got "
                         f"{_describe(raw)}; write a plain number with '.' as decimal mark "
                         "and no thousands separator")
            return None
        cents = Fraction(number) * 100  # exact at any length, unlike Decimal's 28 digits
        if cents.denominator != 1:
            self.problem(path, ErrorCode.BAD_VALUE,
                         f"value {_decimal_text(number)} has more than two decimals; "
                         "amounts are in euros and cents, round it to the cent")
            return None
        if abs(cents.numerator) > MAX_AMOUNT_CENTS:
            self.problem(path, ErrorCode.TOO_LARGE,
                         f"value {_decimal_text(number)} EUR is implausibly large (more than "
                         "10^15 euros); check the figure")
            return None
        return cents.numerator

    def percent(self, raw: object, path: str) -> Fraction | None:
        number = _to_decimal(raw)
        if number is None:
            self.problem(path, ErrorCode.BAD_VALUE,
                         f"value must be a percent written as a plain number such as 50 or "
                         f"12.5 (no '%' sign), got {_describe(raw)}")
            return None
        return Fraction(number)

    def names(self, raw: object, path: str) -> tuple[str, ...] | None:
        if not isinstance(raw, list) or not raw:
            self.problem(path, ErrorCode.BAD_VALUE,
                         f"value must be a non-empty list of names such as [Bergamo, Gorle], "
                         f"got {_describe(raw)}")
            return None
        result: list[str] = []
        seen: dict[str, str] = {}
        ok = True
        for item in raw:
            if not isinstance(item, str) or not item.strip():
                self.problem(path, ErrorCode.BAD_VALUE,
                             f"every name must be non-empty text, got {_describe(item)}")
                ok = False
                continue
            name = " ".join(item.split())
            key = normalize_name(name)
            if key in seen:
                self.problem(path, ErrorCode.DUPLICATE_NAME,
                             f"'{name}' repeats '{seen[key]}' (names are compared ignoring "
                             "case, accents, apostrophes and hyphens); list it once")
                ok = False
                continue
            seen[key] = name
            result.append(name)
        return tuple(result) if ok else None

    def code_key(self, key: object, path: str) -> str:
        """Check a code used as a key; report a bad one but still return it.

        Reading on keeps the checks across sections (shares, memberships) from adding
        misleading problems; no RuleSet is built while any problem stands.
        """
        if not isinstance(key, str) or not _CODE.match(key):
            self.problem(_join(path, key), ErrorCode.BAD_CODE,
                         f"'{key}' is not a valid code; use letters, digits and '_', "
                         "starting with a letter (codes appear in dotted override paths)")
        return str(key)

    def annotate(self, path: str, note: str) -> None:
        """Append a note to the shown value of a recorded parameter (e.g. a set-aside's max)."""
        for index, info in enumerate(self.parameters):
            if info.path == path:
                self.parameters[index] = ParameterInfo(
                    info.path, f"{info.value} {note}", info.description, info.reference)

    def within_100(self, value: Fraction | None, path: str) -> None:
        self.range_check(value, path, low=Fraction(0), high=Fraction(100), shown=_show_percent)

    def non_negative(self, value: int | None, path: str) -> None:
        self.range_check(value, path, low=0, high=None, shown=_show_money)

    def range_check(
        self,
        value: int | Fraction | None,
        path: str,
        *,
        low: int | Fraction | None,
        high: int | Fraction | None,
        shown: Callable[[Any], str],
        code: ErrorCode = ErrorCode.BAD_VALUE,
    ) -> None:
        if value is None:
            return
        if low is not None and value < low:
            self.problem(path, code, f"value {shown(value)} is below the minimum "
                         f"{shown(low)}; use a value of at least {shown(low)}")
        elif high is not None and value > high:
            self.problem(path, code, f"value {shown(value)} is above the maximum "
                         f"{shown(high)}; use a value of at most {shown(high)}")

    # -- sections ------------------------------------------------------------------------------

    def run(self, document: object) -> None:
        if not isinstance(document, Mapping):
            self.problem("(document)", ErrorCode.BAD_VALUE,
                         f"a rule set must be a YAML mapping with the keys "
                         f"{', '.join(_TOP_KEYS)}; got {_describe(document)}")
            return
        handlers: dict[str, Callable[[object], None]] = {
            "format": self.section_format,
            "metadata": self.section_metadata,
            "fund": self.section_fund,
            "set_asides": self.section_set_asides,
            "minimum_award": self.section_minimum_award,
            "payments": self.section_payments,
            "municipalities": self.section_municipalities,
            "eligibility": self.section_eligibility,
            "formula_classes": self.section_formula_classes,
            "areas": self.section_areas,
            "unit_types": self.section_unit_types,
        }
        for key, node in document.items():
            handler = handlers.get(key) if isinstance(key, str) else None
            if handler is None:
                self.unknown_key(str(key), str(key), _TOP_KEYS)
            else:
                self.seen.add(key)
                handler(node)
        for key in _TOP_KEYS:
            if key not in self.seen:
                self.missing(key, key)
        self.cross_checks()

    def section_format(self, node: object) -> None:
        if node != FORMAT:
            self.problem("format", ErrorCode.BAD_FORMAT,
                         f"expected '{FORMAT}', got {_describe(node)}; this program reads "
                         f"format '{FORMAT}' only (see docs/rules-format.md)")

    def section_metadata(self, node: object) -> None:
        meta = self.mapping(node, "metadata", _METADATA_KEYS, _METADATA_OPTIONAL)
        if meta is None:
            return
        for key in ("id", "ambito", "title", "reference"):
            self.metadata[key] = self.text(meta, key, "metadata")
        if "version" in meta:
            version = meta["version"]
            if isinstance(version, str) and version.strip():
                self.metadata["version"] = version.strip()
            else:
                self.problem("metadata.version", ErrorCode.BAD_VALUE,
                             f"must be quoted text such as \"2025.1\", got {_describe(version)}"
                             "; quote it so that 2025.10 is not read as the number 2025.1")
        if "year" in meta:
            year = meta["year"]
            if isinstance(year, int) and not isinstance(year, bool) and 1900 <= year <= 2999:
                self.metadata["year"] = year
            else:
                self.problem("metadata.year", ErrorCode.BAD_VALUE,
                             f"must be a year written as an integer such as 2025, got "
                             f"{_describe(year)}")
        if "description" in meta:
            self.text(meta, "description", "metadata")

    def section_fund(self, node: object) -> None:
        _, self.fund = self.parameter(node, "fund", "money")
        if self.fund is not None and self.fund <= 0:
            self.problem("fund", ErrorCode.NEGATIVE_FUND,
                         f"value {format_cents(self.fund)} EUR must be greater than 0; write "
                         "the amount assigned to the Ambito by the regional act")

    def section_set_asides(self, node: object) -> None:
        block = self.mapping(node, "set_asides", tuple(_SET_ASIDE_KEYS))
        if block is None:
            return
        for key in block:
            if key not in _SET_ASIDE_KEYS:
                continue
            path = f"set_asides.{key}"
            param, value = self.parameter(block[key], path, "percent", extra=("max",))
            limit: Fraction | None = None
            if param is not None:
                if "max" in param:
                    limit = self.percent(param["max"], f"{path}.max")
                    self.within_100(limit, f"{path}.max")
                else:
                    self.missing(f"{path}.max", "max")
            self.set_asides[_SET_ASIDE_KEYS[key]] = value
            if value is None:
                continue
            if limit is not None:
                self.annotate(path, f"(max {_show_percent(limit)})")
            if value < 0:
                self.problem(path, ErrorCode.BAD_VALUE,
                             f"value {_show_percent(value)} is negative; "
                             "write 0 when no set-aside is made")
            elif limit is not None and 0 <= limit <= 100 and value > limit:
                self.problem(path, ErrorCode.SET_ASIDE_TOO_LARGE,
                             f"value {_show_percent(value)} exceeds the maximum "
                             f"{_show_percent(limit)} allowed by {path}.max; lower it to at "
                             f"most {_show_percent(limit)}")

    def section_minimum_award(self, node: object) -> None:
        _, self.minimum_award = self.parameter(node, "minimum_award", "money")
        self.non_negative(self.minimum_award, "minimum_award")

    def section_payments(self, node: object) -> None:
        block = self.mapping(node, "payments", _PAYMENT_KEYS)
        if block is None:
            return
        for key in block:
            path = f"payments.{key}"
            if key == "first_tranche_percent":
                _, self.first_tranche = self.parameter(block[key], path, "percent")
                self.within_100(self.first_tranche, path)
            elif key == "single_payment_threshold":
                _, self.single_payment = self.parameter(block[key], path, "money")
                self.non_negative(self.single_payment, path)

    def section_municipalities(self, node: object) -> None:
        _, self.municipalities = self.parameter(node, "municipalities", "names")

    def section_eligibility(self, node: object) -> None:
        block = self.mapping(node, "eligibility", _SWITCH_KEYS)
        if block is None:
            return
        for key in block:
            if key in _SWITCH_KEYS:
                _, value = self.parameter(block[key], f"eligibility.{key}", "bool")
                if value is not None:
                    self.switches[key] = value

    def section_formula_classes(self, node: object) -> None:
        if not isinstance(node, Mapping) or not node:
            self.problem("formula_classes", ErrorCode.BAD_VALUE,
                         f"must be a non-empty mapping of formula classes keyed by code, got "
                         f"{_describe(node)}")
            return
        for key, body in node.items():
            path = _join("formula_classes", key)
            code = self.code_key(key, "formula_classes")
            self.formula_class_codes.append(code)
            block = self.mapping(body, path, _FORMULA_KEYS, _DOC_KEYS)
            if block is None:
                continue
            label = self.text(block, "label", path)
            amounts: dict[str, int | None] = {"base": None, "rate_per_user": None}
            for part in block:
                if part in amounts:
                    _, amounts[part] = self.parameter(block[part], f"{path}.{part}", "money")
                    self.non_negative(amounts[part], f"{path}.{part}")
            base, rate = amounts["base"], amounts["rate_per_user"]
            if base is not None and rate is not None and base >= 0 and rate >= 0 and label:
                self.formula_classes[code] = FormulaClass(code, label, base, rate)

    def section_areas(self, node: object) -> None:
        if not isinstance(node, Mapping) or not node:
            self.problem("areas", ErrorCode.BAD_VALUE,
                         f"must be a non-empty mapping of areas keyed by code, got "
                         f"{_describe(node)}")
            return
        for key, body in node.items():
            path = _join("areas", key)
            code = self.code_key(key, "areas")
            block = self.mapping(body, path, _AREA_KEYS, ("description",))
            if block is None:
                continue
            area = _AreaDraft(code, self.text(block, "label", path), path, None, [])
            self.areas.append(area)
            for part in block:
                if part == "share":
                    _, area.share = self.parameter(block[part], f"{path}.share", "percent")
                    self.within_100(area.share, f"{path}.share")
                elif part == "services":
                    self.services(block[part], area)

    def services(self, node: object, area: _AreaDraft) -> None:
        path = f"{area.path}.services"
        if not isinstance(node, Mapping) or not node:
            self.problem(path, ErrorCode.BAD_VALUE,
                         f"must be a non-empty mapping of service lines keyed by code, got "
                         f"{_describe(node)}; every area needs at least one service line to "
                         "receive its budget")
            return
        for key, body in node.items():
            spath = _join(path, key)
            code = self.code_key(key, path)
            block = self.mapping(body, spath, _SERVICE_KEYS, ("description",))
            if block is None:
                continue
            service = _ServiceDraft(code, self.text(block, "label", spath), area.code, spath,
                                    None, [])
            area.services.append(service)
            for part in block:
                if part == "historical_2024":
                    _, service.historical = self.parameter(
                        block[part], f"{spath}.historical_2024", "money")
                    self.non_negative(service.historical, f"{spath}.historical_2024")
                elif part == "unit_types":
                    service.unit_types = self.type_list(block[part], f"{spath}.unit_types")

    def type_list(self, node: object, path: str) -> list[str]:
        if not isinstance(node, list) or not node:
            self.problem(path, ErrorCode.BAD_VALUE,
                         f"must be a non-empty list of unit type codes such as [CSE], got "
                         f"{_describe(node)}")
            return []
        codes: list[str] = []
        for item in node:
            if not isinstance(item, str) or not item.strip():
                self.problem(path, ErrorCode.BAD_VALUE,
                             f"every entry must be a unit type code, got {_describe(item)}")
                continue
            codes.append(item.strip())
        return codes

    def section_unit_types(self, node: object) -> None:
        if not isinstance(node, Mapping) or not node:
            self.problem("unit_types", ErrorCode.BAD_VALUE,
                         f"must be a non-empty mapping of unit types keyed by code, got "
                         f"{_describe(node)}")
            return
        for key, body in node.items():
            path = _join("unit_types", key)
            code = self.code_key(key, "unit_types")
            block = self.mapping(body, path, _UNIT_TYPE_KEYS, (*_UNIT_TYPE_OPTIONAL, *_DOC_KEYS))
            if block is None:
                continue
            label = self.text(block, "label", path)
            formula: str | None = None
            if "formula_class" in block:
                raw = block["formula_class"]
                if raw is None or (isinstance(raw, str) and raw.strip()):
                    formula = raw.strip() if isinstance(raw, str) else None
                else:
                    self.problem(f"{path}.formula_class", ErrorCode.BAD_VALUE,
                                 f"must be a formula class code or null, got {_describe(raw)}")
            municipal = self.flag(block, "municipal_service", path, False)
            if "municipal_service" in block and isinstance(block["municipal_service"], bool):
                if municipal and formula is not None:
                    self.problem(f"{path}.formula_class", ErrorCode.INCONSISTENT_UNIT_TYPE,
                                 f"a municipal service is funded in proportion to its deficit "
                                 f"and takes no formula class; write formula_class: null or "
                                 f"municipal_service: false (got '{formula}')")
                elif not municipal and block.get("formula_class") is None:
                    self.problem(f"{path}.formula_class", ErrorCode.INCONSISTENT_UNIT_TYPE,
                                 "a unit of offer needs a formula class (the cap of private "
                                 "units, criteria points b and c); write formula_class: <one of "
                                 "formula_classes> or set municipal_service: true")
            self.unit_types[code] = _UnitTypeDraft(
                code, label, path, formula, municipal,
                self.flag(block, "requires_data_declaration", path, False),
                self.flag(block, "experimental_allowed", path, False),
            )
            if "description" in block:
                self.text(block, "description", path)
            if "reference" in block:
                self.documentation({"reference": block["reference"]}, path)

    # -- consistency across sections -----------------------------------------------------------

    def cross_checks(self) -> None:
        self.check_shares()
        self.check_set_aside_total()
        self.check_service_codes()
        self.check_type_membership()
        self.check_formula_references()

    def check_shares(self) -> None:
        if not self.areas or any(a.share is None for a in self.areas):
            return
        total = sum((a.share for a in self.areas if a.share is not None), Fraction(0))
        if total != 100:
            listed = ", ".join(f"{a.code} {_show_percent(a.share)}" for a in self.areas
                               if a.share is not None)
            self.problem("areas", ErrorCode.SHARES_NOT_100,
                         f"the area shares add up to {_show_percent(total)}, not 100% "
                         f"({listed}); change areas.<area>.share so that they total exactly "
                         "100")

    def check_set_aside_total(self) -> None:
        values = [v for v in self.set_asides.values() if v is not None]
        if len(values) == len(_SET_ASIDE_KEYS) and sum(values) > 100:
            self.problem("set_asides", ErrorCode.SET_ASIDE_TOO_LARGE,
                         f"the set-asides add up to {_show_percent(sum(values, Fraction(0)))}, "
                         "more than the whole fund; lower them so that they total at most 100")

    def check_service_codes(self) -> None:
        first: dict[str, str] = {}
        for area in self.areas:
            for service in area.services:
                if service.code in first:
                    self.problem(service.path, ErrorCode.DUPLICATE_SERVICE,
                                 f"service code '{service.code}' is already used by "
                                 f"{first[service.code]}; service codes must be unique across "
                                 "areas, rename one of them")
                else:
                    first[service.code] = service.path

    def check_type_membership(self) -> None:
        where: dict[str, str] = {}
        defined = list(self.unit_types)
        for area in self.areas:
            for service in area.services:
                path = f"{service.path}.unit_types"
                for code in service.unit_types:
                    if where.get(code) == path:
                        self.problem(path, ErrorCode.TYPE_IN_TWO_SERVICES,
                                     f"unit type {code} is listed twice; list it once")
                        continue
                    if code in where:
                        self.problem(path, ErrorCode.TYPE_IN_TWO_SERVICES,
                                     f"unit type {code} is already listed in {where[code]}; a "
                                     "unit type belongs to exactly one service line, remove "
                                     "one of the two")
                        continue
                    where[code] = path
                    if code not in self.unit_types and self.unit_types:
                        guess = _suggest(code, defined)
                        hint = f" (did you mean '{guess}'?)" if guess else ""
                        self.problem(path, ErrorCode.UNKNOWN_UNIT_TYPE,
                                     f"unit type '{code}' is not defined in unit_types{hint}; "
                                     "define it there or fix the spelling")
        if not self.areas:
            return
        for code, draft in self.unit_types.items():
            if code not in where:
                self.problem(draft.path, ErrorCode.TYPE_WITHOUT_SERVICE,
                             "this unit type is not listed in any service line; add it to the "
                             "unit_types of one service line under areas, or remove it")

    def check_formula_references(self) -> None:
        if not self.formula_class_codes:
            return
        for draft in self.unit_types.values():
            code = draft.formula_class
            if code is not None and code not in self.formula_class_codes:
                guess = _suggest(code, self.formula_class_codes)
                hint = f"did you mean '{guess}'? " if guess else ""
                self.problem(f"{draft.path}.formula_class", ErrorCode.UNKNOWN_FORMULA_CLASS,
                             f"'{code}' is not defined in formula_classes; {hint}Defined: "
                             f"{', '.join(self.formula_class_codes) or '(none)'}")

    # -- result --------------------------------------------------------------------------------

    def build(self, sha256: str) -> RuleSet:
        """Assemble the RuleSet; only called when no problem was found."""
        where: dict[str, tuple[str, str]] = {}
        areas: list[Area] = []
        for area in self.areas:
            services: list[ServiceLine] = []
            for s in area.services:
                assert s.historical is not None
                services.append(ServiceLine(s.code, s.label, area.code, s.historical,
                                            tuple(s.unit_types)))
                for code in s.unit_types:
                    where[code] = (area.code, s.code)
            assert area.share is not None
            areas.append(Area(area.code, area.label, area.share, tuple(services)))
        unit_types = {
            code: UnitType(code, d.label, where[code][0], where[code][1], d.formula_class,
                           d.municipal_service, d.requires_data_declaration,
                           d.experimental_allowed)
            for code, d in self.unit_types.items()
        }
        assert self.fund is not None and self.minimum_award is not None
        assert self.first_tranche is not None and self.single_payment is not None
        assert self.municipalities is not None
        reserve, other = self.set_asides["reserve"], self.set_asides["other_services"]
        assert reserve is not None and other is not None
        return RuleSet(
            rule_set_id=self.metadata["id"],
            version=self.metadata["version"],
            ambito=self.metadata["ambito"],
            year=self.metadata["year"],
            fund=self.fund,
            reserve_percent=reserve,
            other_services_percent=other,
            minimum_award=self.minimum_award,
            first_tranche_percent=self.first_tranche,
            single_payment_threshold=self.single_payment,
            municipalities=self.municipalities,
            areas=tuple(areas),
            unit_types=unit_types,
            formula_classes={c: self.formula_classes[c] for c in self.formula_class_codes},
            eligibility=EligibilitySwitches(**self.switches),
            parameters=tuple(self.parameters),
            source=self.source,
            sha256=sha256,
        )


def _describe(value: object) -> str:
    """Show a bad value in a message: its text and, when that could mislead, its YAML type."""
    if value is None:
        return "nothing (null)"
    if isinstance(value, bool):
        return f"the boolean {'true' if value else 'false'}"
    if isinstance(value, str):
        return f"the text '{value}'"
    if isinstance(value, int | float):
        return f"the number {value}"
    if isinstance(value, Mapping):
        return "a mapping" if value else "an empty mapping"
    if isinstance(value, list):
        return "a list" if value else "an empty list"
    return f"a {type(value).__name__}"


def _show_percent(value: Fraction | int | None) -> str:
    return "?" if value is None else f"{_percent_text(Fraction(value))}%"


def _show_money(value: int | None) -> str:
    return "?" if value is None else f"{format_cents(value)} EUR"


def parse_rule_set(
    document: Mapping[str, Any], *, source: str = "", sha256: str = ""
) -> RuleSet:
    """Validate a rule-set document (already read from YAML) and build the `RuleSet`.

    Every problem is collected before anything is raised, so that whoever edits the file fixes
    it in one pass. Money (``unit: EUR``) becomes integer cents through exact decimals, so a
    value with more than two decimals is refused rather than rounded; percents become exact
    fractions. The parameters are recorded in document order for reports.

    Args:
        document: the mapping `yaml.safe_load` returned (possibly with overrides applied).
        source: the file name, put in every problem so that messages say where to look.
        sha256: the hash of the file's bytes, kept in the RuleSet for run records.

    Returns:
        The validated rule set.

    Raises:
        RuleSetError: one `Problem` per thing wrong, each message starting with the dotted path
            of the key (``areas.minori.share: ...``) and saying how to fix it.
    """
    parser = _Parser(source)
    parser.run(document)
    if parser.problems:
        raise RuleSetError(parser.problems)
    return parser.build(sha256)


# ---------------------------------------------------------------------------------------------
# Overrides
# ---------------------------------------------------------------------------------------------


def _plain(node: Any) -> Any:
    """Deep-copy a YAML tree into plain dicts and lists (the caller's document stays intact)."""
    if isinstance(node, Mapping):
        return {key: _plain(value) for key, value in node.items()}
    if isinstance(node, list | tuple):
        return [_plain(value) for value in node]
    return node


def parameter_paths(document: Mapping[str, Any]) -> list[str]:
    """Return the dotted path of every parameter (a mapping with ``value``), in document order.

    These are the keys `apply_overrides` accepts, and the paths `parse_rule_set` records.
    """
    paths: list[str] = []

    def walk(node: object, path: str) -> None:
        if not isinstance(node, Mapping):
            return
        if path and "value" in node:
            paths.append(path)
            return
        for key, child in node.items():
            walk(child, _join(path, key))

    walk(document, "")
    return paths


_OPTION_NAMES = {"budget": "fund", "min_award": "minimum_award"}
"""Command-line option names people also try as ``--set`` keys; suggested as their path."""


def _override_value(text: str) -> Any:
    """Read an override's text like YAML, keeping numbers as their exact decimal text.

    ``15.5`` would become a binary float; keeping the text lets `parse_rule_set` read the
    decimal exactly (it accepts quoted decimals), so ``--budget 1234567890123.45`` stays exact.
    """
    value = yaml.safe_load(text)
    if isinstance(value, int | float) and not isinstance(value, bool):
        try:
            number = Decimal(text.strip())
        except InvalidOperation:
            return value
        if number.is_finite():
            return text.strip()
    return value


def apply_overrides(
    document: Mapping[str, Any], overrides: Sequence[tuple[str, str]]
) -> dict[str, Any]:
    """Return a deep copy of `document` with each override's value put in place.

    An override names a parameter by its dotted path (``fund``, ``areas.disabili.share``,
    ``eligibility.require_application``, ``formula_classes.cag.rate_per_user``,
    ``areas.minori.services.adm.historical_2024``, ``municipalities``...) and gives the new
    ``value`` as text, read with YAML rules (``15``, ``15.5``, ``true``, ``[a, b]``). Nothing
    is validated here beyond the path: `parse_rule_set` checks the result exactly as it checks
    a file, so an override can never slip past a rule. Later overrides of the same path win.

    Args:
        document: the rule-set document as read from YAML; left unchanged.
        overrides: (dotted path, value text) pairs, in command-line order.

    Returns:
        A new document.

    Raises:
        RuleSetError: ``UNKNOWN_PARAMETER`` for a path that names no parameter (with the
            nearest known path and the full list), ``BAD_OVERRIDE`` for unreadable value text;
            all bad overrides are reported together.
    """
    result: dict[str, Any] = _plain(document)
    known = parameter_paths(result)
    problems: list[Problem] = []
    for key, text in overrides:
        path = key.strip()
        node = _find_parameter(result, path)
        if node is None:
            guess = _OPTION_NAMES.get(path.replace("-", "_"))
            guess = guess if guess in known else _suggest(path, known, cutoff=0.5)
            hint = f"; did you mean '{guess}'?" if guess else ";"
            problems.append(Problem(
                f"unknown parameter '{path}'{hint} Known parameters: {', '.join(known)}",
                code=ErrorCode.UNKNOWN_PARAMETER,
            ))
            continue
        try:
            node["value"] = _override_value(text)
        except RecursionError:
            problems.append(Problem(
                f"{path}: the value '{text[:40]}...' nests brackets too deeply; write a "
                "number such as 15.5, true/false, or a list such as [Bergamo, Gorle]",
                code=ErrorCode.BAD_OVERRIDE,
            ))
        except (yaml.YAMLError, ValueError) as exc:  # ValueError: the date 2024-02-30
            reason = " ".join(str(exc).split())
            problems.append(Problem(
                f"{path}: cannot read the value '{text}' ({reason}); write a number such as "
                "15.5, true/false, or a list such as [Bergamo, Gorle]",
                code=ErrorCode.BAD_OVERRIDE,
            ))
    if problems:
        raise RuleSetError(problems)
    return result


def _find_parameter(document: dict[str, Any], path: str) -> dict[str, Any] | None:
    node: Any = document
    for part in path.split("."):
        if not isinstance(node, dict) or part not in node:
            return None
        node = node[part]
    if isinstance(node, dict) and "value" in node:
        return node
    return None


def override_pairs(
    budget: Decimal | str | None,
    shares: Sequence[str],
    min_award: Decimal | str | None,
    sets: Sequence[str],
) -> list[tuple[str, str]]:
    """Turn the command-line overrides into (dotted path, value text) pairs.

    ``--budget EUR`` sets ``fund``, ``--share AREA=PERCENT`` sets ``areas.AREA.share``,
    ``--min-award EUR`` sets ``minimum_award`` and ``--set KEY=VALUE`` sets any parameter;
    the pairs come in that order, so a ``--set`` of the same path has the last word.
    Whether AREA or KEY exists is checked by `apply_overrides`, which can suggest a spelling.

    Raises:
        RuleSetError: ``BAD_OVERRIDE`` for every option whose text is not ``KEY=VALUE`` with a
            non-empty key and value.
    """
    pairs: list[tuple[str, str]] = []
    problems: list[Problem] = []
    if budget is not None:
        pairs.append(("fund", _amount_text(budget)))
    for item in shares:
        split = _split_option(item, "--share", "AREA=PERCENT", "minori=45", problems)
        if split is not None:
            pairs.append((f"areas.{split[0]}.share", split[1]))
    if min_award is not None:
        pairs.append(("minimum_award", _amount_text(min_award)))
    for item in sets:
        split = _split_option(item, "--set", "KEY=VALUE", "areas.disabili.share=15", problems)
        if split is not None:
            pairs.append(split)
    if problems:
        raise RuleSetError(problems)
    return pairs


def _amount_text(value: Decimal | str) -> str:
    if isinstance(value, Decimal):
        return format(value, "f")
    return value.strip()


def _split_option(
    text: str, option: str, shape: str, example: str, problems: list[Problem]
) -> tuple[str, str] | None:
    key, equals, value = text.partition("=")
    key, value = key.strip(), value.strip()
    if not equals or not key or not value:
        what = "no '='" if not equals else "an empty key" if not key else "an empty value"
        problems.append(Problem(
            f"{option} '{text}' has {what}; write {option} {shape}, e.g. {option} {example}",
            code=ErrorCode.BAD_OVERRIDE,
        ))
        return None
    return key, value


# ---------------------------------------------------------------------------------------------
# What follows from the rules alone
# ---------------------------------------------------------------------------------------------


def set_aside_amounts(rules: RuleSet) -> dict[str, int]:
    """Return the set-asides in cents: round-half-up(fund * percent / 100) each.

    Rounded one by one (not split by largest remainder) because each is a separate fund with
    its own legal cap; the distributable amount takes whatever the roundings leave.
    """
    return {
        "reserve": round_half_up(Fraction(rules.fund) * rules.reserve_percent / 100),
        "other_services": round_half_up(
            Fraction(rules.fund) * rules.other_services_percent / 100),
    }


def distributable(rules: RuleSet) -> int:
    """Return the cents split among the areas: the fund minus the set-asides."""
    return rules.fund - sum(set_aside_amounts(rules).values())


def area_budgets(rules: RuleSet) -> dict[str, int]:
    """Split the distributable amount among the areas by share, in cents, exactly.

    Each budget is the floor or ceiling of its exact quota (distributable * share / 100) and
    the budgets add up to the distributable amount to the cent (largest remainder). Equal
    remainders go to the larger share, then to the smaller area code, so that the result never
    depends on the order of the areas in the file. For 2025 the two half-cents of minori and
    disabili tie; the cent goes to minori (the larger share), which the published table, with
    both rounded up, cannot do.

    Returns:
        Cents per area code, in document order.
    """
    total = distributable(rules)
    weights = [(area.code, Fraction(total) * area.share_percent / 100) for area in rules.areas]
    split = largest_remainder(total, weights, tie_key=[area.code for area in rules.areas])
    return {area.code: split[area.code] for area in rules.areas}


def service_targets(rules: RuleSet, budgets: Mapping[str, int]) -> dict[str, Fraction]:
    """Return each service line's target T_s = B_a * h_s / sum(h in a), in exact cents.

    The target is the area budget divided in proportion to the 2024 amounts (the criteria:
    "tenuto conto dell'andamento storico delle assegnazioni"). When every 2024 amount of an
    area is 0 there is no history to follow, and the budget is split equally among its lines.

    Args:
        rules: the rule set (areas, service lines and their 2024 amounts).
        budgets: cents per area code, normally `area_budgets(rules)`.

    Returns:
        Exact cents per service code, in document order.
    """
    targets: dict[str, Fraction] = {}
    for area in rules.areas:
        budget = budgets[area.code]
        history = sum(service.historical_2024 for service in area.services)
        for service in area.services:
            if history > 0:
                targets[service.code] = Fraction(budget * service.historical_2024, history)
            else:
                targets[service.code] = Fraction(budget, len(area.services))
    return targets


# ---------------------------------------------------------------------------------------------
# Lookups
# ---------------------------------------------------------------------------------------------

_APOSTROPHES = "'\u2018\u2019\u201b\u02bc\u02b9\u0060\u00b4\u2032"
_HYPHENS = "-\u2010\u2011\u2012\u2013\u2014\u2015\u2212"
_SEPARATORS = str.maketrans({c: " " for c in _APOSTROPHES + _HYPHENS})


def normalize_name(text: str) -> str:
    """Return a matching key for a place name: 'TORRE BOLDONE' and 'Torre  Boldone' agree.

    Case is folded, accents are dropped (NFKD, combining marks removed), apostrophes and
    hyphens of every typographic kind become spaces, and runs of spaces collapse, so
    "Villa d'Almè", "VILLA D\u2019ALME" (typographic apostrophe) and "Villa d' Alme" give the
    same key. Used to match the municipality of a unit against the Ambito's list, and to find
    duplicates in that list.
    """
    decomposed = unicodedata.normalize("NFKD", text.casefold())
    stripped = "".join(c for c in decomposed if not unicodedata.combining(c))
    return " ".join(stripped.translate(_SEPARATORS).split())


def unit_type(rules: RuleSet, code: str) -> UnitType | None:
    """Return the unit type with this code, or None if the rule set does not define it.

    The exact code is tried first; then the code written the way spreadsheets often do
    (``asilo nido``, ``Asilo-Nido``): upper case, spaces and hyphens as underscores.
    """
    found = rules.unit_types.get(code)
    if found is not None:
        return found
    canonical = "_".join(code.strip().upper().replace("-", " ").split())
    return rules.unit_types.get(canonical)
