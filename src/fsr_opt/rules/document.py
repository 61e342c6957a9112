"""The rule-set document as pydantic models: one class per section, one per kind of parameter.

These models are the one declaration of the format: the keys of each mapping, which are
required, the type of each value (a reader of `fsr_opt.rules.values`, so messages are the
project's) and what each key means. A field's description is at once the hint of a "missing
key" message, the help an editor shows, and part of the published JSON Schema
(`rule_set_json_schema`). `fsr_opt.rules.validate` walks a document with these models field
by field, so that one bad value never hides another problem.

A parameter (OpenFisca's parameters are the model) is a value with its ``description`` and
``reference``, written either as one ``value`` or, from format 2, as ``values`` keyed by the
day from which each applies; the riparto of a year uses the value in force on 1 January of
that year (`fsr_opt.rules.formats.in_force`). Adding a parameter is one field here and its
use where the `RuleSet` is built.
"""

from __future__ import annotations

import json
from datetime import date
from fractions import Fraction
from typing import Annotated, Any

from pydantic import BaseModel, ConfigDict, Field, PlainValidator, WithJsonSchema
from pydantic.json_schema import SkipJsonSchema

from fsr_opt.core.i18n import LANGUAGES, N_
from fsr_opt.core.schema import LineReading, ResidualScope
from fsr_opt.rules import values as read
from fsr_opt.rules.formats import FORMAT_1, FORMAT_1_KEYS, FORMAT_2, FORMAT_2_ONLY, read_format
from fsr_opt.rules.values import show_money, show_percent

SCHEMA_FILE = "fsr-opt-rules.schema.json"
"""The JSON Schema's file name, next to the bundled rule sets."""


# ---------------------------------------------------------------------------------------------
# Value types: a reader for validation, a JSON Schema for editors
# ---------------------------------------------------------------------------------------------

_NUMBER_TEXT = r"^\s*-?[0-9]+(\.[0-9]+)?\s*$"


def _decimal_schema(**limits: float) -> WithJsonSchema:
    return WithJsonSchema({"anyOf": [
        {"type": "number", **limits},
        {"type": "string", "pattern": _NUMBER_TEXT, "description": "a decimal in quotes"},
    ]})


Text = Annotated[str, PlainValidator(read.read_text),
                 WithJsonSchema({"type": "string", "minLength": 1})]
Note = Text
"""Free notes (an area's or a unit type's ``description``): text, but no parameter's."""
Description = Annotated[str | dict[str, str], PlainValidator(read.read_description),
                        WithJsonSchema({"anyOf": [
                            {"type": "string", "minLength": 1},
                            {"type": "object", "minProperties": 1, "additionalProperties": False,
                             "properties": {lang: {"type": "string", "minLength": 1}
                                            for lang in LANGUAGES}},
                        ]})]
Reference = Annotated[str, PlainValidator(read.read_reference), WithJsonSchema({"anyOf": [
    {"type": "string", "minLength": 1},
    {"type": "array", "items": {"type": "string", "minLength": 1}, "minItems": 1},
]})]
Version = Annotated[str, PlainValidator(read.read_version), WithJsonSchema({"type": "string"})]
Year = Annotated[int, PlainValidator(read.read_year),
                 WithJsonSchema({"type": "integer", "minimum": 1900, "maximum": 2999})]
Code = Annotated[str, PlainValidator(read.read_code),
                 WithJsonSchema({"type": "string", "pattern": "^[A-Za-z][A-Za-z0-9_]*$"})]
DateKey = Annotated[date, PlainValidator(read.read_date_key),
                    WithJsonSchema({"type": "string", "pattern": r"^[0-9]{4}-[0-9]{2}-[0-9]{2}$"})]
FormatName = Annotated[str, PlainValidator(read_format),
                       WithJsonSchema({"type": "string", "const": FORMAT_2})]
Flag = Annotated[bool, PlainValidator(read.read_flag), WithJsonSchema({"type": "boolean"})]
FormulaClassRef = Annotated[str | None, PlainValidator(read.read_formula_class),
                            WithJsonSchema({"anyOf": [{"type": "string"}, {"type": "null"}]})]
TypeCodes = Annotated[tuple[str, ...], PlainValidator(read.read_type_codes), WithJsonSchema(
    {"type": "array", "items": {"type": "string", "minLength": 1}, "minItems": 1})]

Amount = Annotated[int, PlainValidator(read.read_amount), _decimal_schema(minimum=0)]
Fund = Annotated[int, PlainValidator(read.read_fund), _decimal_schema(exclusiveMinimum=0)]
Percent = Annotated[Fraction, PlainValidator(read.read_percent),
                    _decimal_schema(minimum=0, maximum=100)]
SetAsidePercent = Annotated[Fraction, PlainValidator(read.read_set_aside),
                            _decimal_schema(minimum=0, maximum=100)]
Switch = Annotated[bool, PlainValidator(read.read_switch), WithJsonSchema({"type": "boolean"})]
Names = Annotated[tuple[str, ...], PlainValidator(read.read_names), WithJsonSchema(
    {"type": "array", "items": {"type": "string", "minLength": 1}, "minItems": 1,
     "uniqueItems": True})]
RESIDUAL_SCOPES = tuple(scope.value for scope in ResidualScope)
READINGS = tuple(reading.value for reading in LineReading)
Scope = Annotated[str, PlainValidator(lambda raw: read.read_choice(raw, RESIDUAL_SCOPES)),
                  WithJsonSchema({"type": "string", "enum": list(RESIDUAL_SCOPES)})]
Reading = Annotated[str, PlainValidator(lambda raw: read.read_choice(raw, READINGS)),
                    WithJsonSchema({"type": "string", "enum": list(READINGS)})]
EurUnit = Annotated[str, PlainValidator(lambda raw: read.read_unit(raw, "EUR")),
                    WithJsonSchema({"type": "string", "const": "EUR"})]
PercentUnit = Annotated[str, PlainValidator(lambda raw: read.read_unit(raw, "percent")),
                        WithJsonSchema({"type": "string", "const": "percent"})]


class _Model(BaseModel):
    # The validation reads the fields (`fsr_opt.rules.validate`) and never calls a model:
    # building each model's validator at import would only delay every command.
    model_config = ConfigDict(extra="forbid", frozen=True, arbitrary_types_allowed=True,
                              defer_build=True)


# ---------------------------------------------------------------------------------------------
# Parameters
# ---------------------------------------------------------------------------------------------

_REFERENCE = N_("The legal source: act, date and section, or a list of them. Required here unless "
              "every dated value gives its own.")
_DATED_REFERENCE = N_("The act that set this value, if not (only) the parameter's reference.")
_VALUES = N_("Instead of value, the values keyed by the day from which each applies "
           "(YYYY-MM-DD); the riparto of a year uses the one in force on 1 January.")
_EUR = N_("EUR: the amount is in euros.")
_PERCENT = N_("percent: the value is a percent (50 means half).")


class Parameter(_Model):
    """A value with what it is and which act decided it."""

    model_config = ConfigDict(
        json_schema_extra={"oneOf": [{"required": ["value"]}, {"required": ["values"]}]})

    @classmethod
    def show(cls, value: Any) -> str:
        """The value as reports show it."""
        return str(value)

    description: Description = Field(
        description=N_("What the value is and why it has this value: one text, or one per "
                       "language ({it: ..., en: ...}), which reports show in theirs."))
    reference: Reference | SkipJsonSchema[None] = Field(None, description=_REFERENCE)


class DatedValue(_Model):
    """One entry of a parameter's ``values``: the value from its day on."""


class DatedAmount(DatedValue):
    """An amount and, optionally, the act that set it."""

    value: Amount = Field(description=N_("The amount in euros, at most two decimals."))
    reference: Reference | SkipJsonSchema[None] = Field(None, description=_DATED_REFERENCE)


class AmountParameter(Parameter):
    """An amount in euros, at least 0."""

    @classmethod
    def show(cls, value: Any) -> str:  # noqa: D102
        return show_money(value)
    unit: EurUnit = Field(description=_EUR)
    value: Amount | SkipJsonSchema[None] = Field(
        None, description=N_("The amount in euros, at most two decimals."))
    values: dict[DateKey, DatedAmount] | SkipJsonSchema[None] = Field(
        None, description=_VALUES, min_length=1)


class DatedFund(DatedValue):
    """The fund and, optionally, the act that assigned it."""

    value: Fund = Field(description=N_("The amount in euros, greater than 0."))
    reference: Reference | SkipJsonSchema[None] = Field(None, description=_DATED_REFERENCE)


class FundParameter(Parameter):
    """The amount assigned to the Ambito, greater than 0."""

    @classmethod
    def show(cls, value: Any) -> str:  # noqa: D102
        return show_money(value)
    unit: EurUnit = Field(description=_EUR)
    value: Fund | SkipJsonSchema[None] = Field(
        None, description=N_("The amount in euros, greater than 0."))
    values: dict[DateKey, DatedFund] | SkipJsonSchema[None] = Field(
        None, description=_VALUES, min_length=1)


class DatedPercent(DatedValue):
    """A percent and, optionally, the act that set it."""

    value: Percent = Field(description=N_("The percent, from 0 to 100, without a '%' sign."))
    reference: Reference | SkipJsonSchema[None] = Field(None, description=_DATED_REFERENCE)


class PercentParameter(Parameter):
    """A percent from 0 to 100."""

    @classmethod
    def show(cls, value: Any) -> str:  # noqa: D102
        return show_percent(value)
    unit: PercentUnit = Field(description=_PERCENT)
    value: Percent | SkipJsonSchema[None] = Field(
        None, description=N_("The percent, from 0 to 100, without a '%' sign."))
    values: dict[DateKey, DatedPercent] | SkipJsonSchema[None] = Field(
        None, description=_VALUES, min_length=1)


class DatedSetAside(DatedValue):
    """A set-aside percent and, optionally, the act that set it."""

    value: SetAsidePercent = Field(description=N_("The percent taken from the fund, at least 0."))
    reference: Reference | SkipJsonSchema[None] = Field(None, description=_DATED_REFERENCE)


class SetAsideParameter(Parameter):
    """A percent of the fund taken before the split among areas, up to its legal maximum."""

    @classmethod
    def show(cls, value: Any) -> str:  # noqa: D102
        return show_percent(value)
    unit: PercentUnit = Field(description=_PERCENT)
    max: Percent = Field(description=N_("The largest percent the law allows, from 0 to 100."))
    value: SetAsidePercent | SkipJsonSchema[None] = Field(
        None, description=N_("The percent taken from the fund, at least 0 and at most max."))
    values: dict[DateKey, DatedSetAside] | SkipJsonSchema[None] = Field(
        None, description=_VALUES, min_length=1)


class DatedSwitch(DatedValue):
    """A switch's setting and, optionally, the act that set it."""

    value: Switch = Field(description=N_("true or false."))
    reference: Reference | SkipJsonSchema[None] = Field(None, description=_DATED_REFERENCE)


class SwitchParameter(Parameter):
    """An access criterion applied (true) or not (false)."""

    @classmethod
    def show(cls, value: Any) -> str:  # noqa: D102
        return "true" if value else "false"
    value: Switch | SkipJsonSchema[None] = Field(None, description=N_("true or false."))
    values: dict[DateKey, DatedSwitch] | SkipJsonSchema[None] = Field(
        None, description=_VALUES, min_length=1)


class DatedNames(DatedValue):
    """A list of names and, optionally, the act that set it."""

    value: Names = Field(description=N_("The names, each once."))
    reference: Reference | SkipJsonSchema[None] = Field(None, description=_DATED_REFERENCE)


class NamesParameter(Parameter):
    """A list of names, none repeated (ignoring case, accents, apostrophes and hyphens)."""

    @classmethod
    def show(cls, value: Any) -> str:  # noqa: D102
        return ", ".join(value)
    value: Names | SkipJsonSchema[None] = Field(
        None, description=N_("The names, such as [Bergamo, Gorle], each once."))
    values: dict[DateKey, DatedNames] | SkipJsonSchema[None] = Field(
        None, description=_VALUES, min_length=1)


class DatedScope(DatedValue):
    """A residual scope and, optionally, the act that set it."""

    value: Scope = Field(description=N_("none, area or fondo."))
    reference: Reference | SkipJsonSchema[None] = Field(None, description=_DATED_REFERENCE)


class ScopeParameter(Parameter):
    """Where the residual phase takes what the riparto leaves: none, area or fondo."""

    value: Scope | SkipJsonSchema[None] = Field(None, description=N_(
        "none (what is left stays unassigned), area (each area's leftover to the units of "
        "that area) or fondo (all leftovers to the units of the whole fund)."))
    values: dict[DateKey, DatedScope] | SkipJsonSchema[None] = Field(
        None, description=_VALUES, min_length=1)


class DatedReading(DatedValue):
    """A reading of the criteria and, optionally, the act that chose it."""

    value: Reading = Field(description=N_("targets or istanze."))
    reference: Reference | SkipJsonSchema[None] = Field(None, description=_DATED_REFERENCE)


class ReadingParameter(Parameter):
    """Which reading of a sentence of the criteria the riparto follows."""

    value: Reading | SkipJsonSchema[None] = Field(None, description=N_(
        "targets (in proportion to the other lines' targets) or istanze (in proportion to "
        "the applications they received)."))
    values: dict[DateKey, DatedReading] | SkipJsonSchema[None] = Field(
        None, description=_VALUES, min_length=1)


# ---------------------------------------------------------------------------------------------
# Sections
# ---------------------------------------------------------------------------------------------


class Metadata(_Model):
    """Which rule set this is, for which Ambito and year, and the act it implements."""

    id: Text = Field(description=N_("The rule set's identifier, e.g. fsr-2025-bergamo."))
    version: Version = Field(
        description=N_('The rule set\'s version as quoted text, e.g. "2025.1".'))
    ambito: Text = Field(description=N_("The name of the Ambito territoriale, e.g. Bergamo."))
    year: Year = Field(description=N_(
        "The year of the fund, an integer such as 2025: dated values are taken as in force on "
        "1 January of it, and reports name the year before as the reference year."))
    title: Text = Field(description=N_("A one-line title of the rule set."))
    reference: Text = Field(description=N_(
        "The legal source of the whole rule set, e.g. 'DGR n. XII/4793 del 28/07/2025'."))
    description: Note | SkipJsonSchema[None] = Field(None, description=N_("Free notes."))


class SetAsides(_Model):
    """The funds taken from the fund before the split among the areas."""

    reserve_percent: SetAsideParameter = Field(
        description=N_("The reserve fund (fondo di riserva): {value, max, unit: percent, ...}."))
    other_services_percent: SetAsideParameter = Field(
        description=N_("The fund for other services: {value, max, unit: percent, ...}."))


class Payments(_Model):
    """How awards are paid."""

    first_tranche_percent: PercentParameter = Field(
        description=N_("The percent of an award paid after approval: {value, unit: percent, ...}."))
    single_payment_threshold: AmountParameter = Field(
        description=N_("Awards up to this amount are paid at once: {value, unit: EUR, ...}."))


class Eligibility(_Model):
    """One switch per access criterion; each decides whether its exclusion reason applies."""

    require_registry: SwitchParameter = Field(
        description=N_("Units of offer must be in the regional registry AFAM (NOT_IN_REGISTRY)."))
    require_authorization: SwitchParameter = Field(
        description=N_("Units of offer must be authorised or have sent the CPE (NOT_AUTHORIZED)."))
    require_in_ambito: SwitchParameter = Field(
        description=N_("Units must be in a municipality of the Ambito (OUTSIDE_AMBITO)."))
    exclude_started_in_year: SwitchParameter = Field(
        description=N_("Units that started in the fund's year are excluded (STARTED_IN_YEAR)."))
    exclude_ceased_before_year: SwitchParameter = Field(
        description=N_("Units that ceased before the fund's year are excluded "
                    "(CEASED_BEFORE_YEAR)."))
    exclude_experimental: SwitchParameter = Field(
        description=N_("Experimental units are excluded, except the allowed types (EXPERIMENTAL)."))
    require_data_declaration: SwitchParameter = Field(
        description=N_("Types that require it must declare their data (MISSING_DATA_DECLARATION)."))
    require_deficit: SwitchParameter = Field(
        description=N_("Only units with a deficit are funded (NO_DEFICIT)."))
    require_application: SwitchParameter = Field(
        description=N_("Only units that applied are funded (NOT_APPLIED)."))


class Residui(_Model):
    """The residual phase: what the riparto leaves, given after it to the units that applied."""

    scope: ScopeParameter = Field(description=N_(
        "Where the money the riparto leaves goes: {value: none | area | fondo, description, "
        "reference}."))


class Readings(_Model):
    """The readings of the criteria where a sentence allows more than one."""

    line_without_applications: ReadingParameter = Field(description=N_(
        "How the quota of a service line that cannot take it (no or too few applications) "
        "goes to the other lines of its area: {value: targets | istanze, description, "
        "reference}."))


class FormulaClassEntry(_Model):
    """The cap of private units of offer: base + rate_per_user x users."""

    label: Text = Field(description=N_("A human-readable name."))
    base: AmountParameter = Field(
        description=N_("The base amount: {value, unit: EUR, description, reference}."))
    rate_per_user: AmountParameter = Field(
        description=N_("The amount per user: {value, unit: EUR, description, reference}."))
    description: Note | SkipJsonSchema[None] = Field(None, description=N_("Free notes."))
    reference: Reference | SkipJsonSchema[None] = Field(None, description=N_("The legal source."))


class ServiceLineEntry(_Model):
    """Unit types sharing one reference-year amount, one target and one share of entitlement."""

    label: Text = Field(description=N_("A human-readable name."))
    unit_types: TypeCodes = Field(
        description=N_("The list of the unit type codes of the service line, e.g. [CSE]."))
    historical: AmountParameter = Field(description=N_(
        "The amount assigned to the line in the reference year (the year before the fund's): "
        "{value, unit: EUR, description, reference}; it sets the line's target."))
    description: Note | SkipJsonSchema[None] = Field(None, description=N_("Free notes."))


class AreaEntry(_Model):
    """A macro area: its share of the distributable fund and its service lines."""

    label: Text = Field(description=N_("A human-readable name."))
    share: PercentParameter = Field(description=N_(
        "The area's percent of the distributable fund: {value, unit: percent, ...}."))
    services: dict[Code, ServiceLineEntry] = Field(min_length=1, description=N_(
        "The area's service lines, keyed by code; every area needs at least one service line "
        "to receive its budget."))
    description: Note | SkipJsonSchema[None] = Field(None, description=N_("Free notes."))


class UnitTypeEntry(_Model):
    """A unit type code of the units table and how the rules treat it."""

    label: Text = Field(description=N_("A human-readable name."))
    formula_class: FormulaClassRef = Field(None, description=N_(
        "The code of the formula class of its private units; null or absent for a municipal "
        "service."))
    municipal_service: Flag = Field(description=N_(
        "true for a service run or bought by a municipality, false for a unit of offer."))
    requires_data_declaration: Flag = Field(
        False, description=N_("The Minori Web declaration is required."))
    experimental_allowed: Flag = Field(
        False, description=N_("An experimental unit stays eligible if it keeps its requirements."))
    experimental_by_nature: Flag = Field(False, description=N_(
        "The type is itself an experimentation (SFA minori, d.g.r. 694/2010): every unit of it "
        "is judged experimental, whatever its experimental flag says."))
    description: Note | SkipJsonSchema[None] = Field(None, description=N_("Free notes."))
    reference: Reference | SkipJsonSchema[None] = Field(None, description=N_("The legal source."))


class RuleDocument(_Model):
    """A rule set: everything the riparto of one year and one Ambito depends on."""

    model_config = ConfigDict(title="fsr-opt rule set")

    format: FormatName = Field(
        description=N_("The format identifier, exactly 'fsr-opt/rules/2'."))
    metadata: Metadata = Field(
        description=N_("A mapping with id, version, ambito, year, title and reference."))
    fund: FundParameter = Field(description=N_(
        "The amount assigned to the Ambito: {value, unit: EUR, description, reference}."))
    set_asides: SetAsides = Field(description=N_("reserve_percent and other_services_percent."))
    minimum_award: AmountParameter = Field(description=N_(
        "The minimum award, below which a unit gets nothing: {value, unit: EUR, description, "
        "reference}."))
    payments: Payments = Field(
        description=N_("The payment rules: first_tranche_percent and single_payment_threshold."))
    municipalities: NamesParameter = Field(description=N_(
        "The Ambito's municipalities: {value: [..], description, reference}."))
    eligibility: Eligibility = Field(description=N_(
        "One switch per access criterion: require_registry, require_authorization, "
        "require_in_ambito, exclude_started_in_year, exclude_ceased_before_year, "
        "exclude_experimental, require_data_declaration, require_deficit, "
        "require_application."))
    formula_classes: dict[Code, FormulaClassEntry] = Field(min_length=1, description=N_(
        "The formula classes (base + rate per user), keyed by code."))
    areas: dict[Code, AreaEntry] = Field(min_length=1, description=N_(
        "The macro areas, keyed by code, each with label, share and services."))
    unit_types: dict[Code, UnitTypeEntry] = Field(min_length=1, description=N_(
        "The unit types, keyed by the code used in the units table."))
    readings: Readings | SkipJsonSchema[None] = Field(None, description=N_(
        "Optional: the readings of the criteria where they allow more than one "
        "(line_without_applications); without it, the quota of a line goes to the others in "
        "proportion to their targets."))
    residui: Residui | SkipJsonSchema[None] = Field(None, description=N_(
        "Optional: the residual phase (scope); without it, what the riparto leaves stays "
        "unassigned (and is reported)."))


def document_keys(model: type[BaseModel], fmt: str) -> dict[str, str]:
    """The keys a mapping of `model` has in format `fmt`, each with the name of its field."""
    keys: dict[str, str] = {}
    for name in model.model_fields:
        if fmt == FORMAT_1 and name in FORMAT_2_ONLY:
            continue
        keys[FORMAT_1_KEYS.get(name, name) if fmt == FORMAT_1 else name] = name
    return keys


def rule_set_json_schema() -> dict[str, Any]:
    """The JSON Schema of a format-2 rule file, for editors (see docs/rules-format.md)."""
    schema = RuleDocument.model_json_schema()
    _close_keyed_mappings(schema)
    return {"$schema": "https://json-schema.org/draft/2020-12/schema", **schema}


def json_schema_text() -> str:
    """`rule_set_json_schema` as the text of the committed schema file."""
    return json.dumps(rule_set_json_schema(), indent=2, ensure_ascii=False) + "\n"


def _close_keyed_mappings(node: object) -> None:
    """Make a mapping keyed by code or date refuse keys of another shape, as validation does."""
    if isinstance(node, dict):
        if "patternProperties" in node:
            node["additionalProperties"] = False
        for child in node.values():
            _close_keyed_mappings(child)
    elif isinstance(node, list):
        for child in node:
            _close_keyed_mappings(child)
