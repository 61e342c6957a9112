"""The ATS rule set (``models/ats-*.yaml``): its document as pydantic models, validated whole.

An ATS rule set says how the ATS splits a regional fund among its Ambiti (weighted
indicators, a set-aside split by its own indicator, an optional floor) and how it may move
residual money between them (the minimum transfer and the most transfers). It is written in
the same format as the FSR rule sets (``fsr-opt/rules/2``: every parameter with its
description and legal reference, values possibly keyed by date) and walked by the same
validator (`fsr_opt.rules.validate`), so its messages read the same way and every problem is
reported at once. docs/ats.md describes each key.
"""

from __future__ import annotations

from collections.abc import Mapping
from fractions import Fraction
from typing import Annotated, Any

from pydantic import Field, PlainValidator, WithJsonSchema
from pydantic.json_schema import SkipJsonSchema

from fsr_opt.core.ats import AtsIndicator, AtsRules
from fsr_opt.core.errors import ErrorCode, Problem, RuleSetError
from fsr_opt.core.i18n import N_, _
from fsr_opt.rules import values as read
from fsr_opt.rules.document import (
    _VALUES,
    AmountParameter,
    Code,
    DatedValue,
    DateKey,
    FormatName,
    FundParameter,
    Note,
    Parameter,
    Reference,
    SetAsideParameter,
    Text,
    Version,
    Year,
    _Model,
)
from fsr_opt.rules.formats import document_year
from fsr_opt.rules.validate import _format, _Walk
from fsr_opt.rules.values import RuleValueError, describe, show_percent

__all__ = ["AtsDocument", "parse_ats_rules"]

MAX_TRANSFERS_LIMIT = 10_000
"""Above this a limit on the number of transfers is a typing error (14 Ambiti allow 49)."""


def read_count(raw: object) -> int:
    """A whole number from 0 to `MAX_TRANSFERS_LIMIT`."""
    if isinstance(raw, int) and not isinstance(raw, bool) and 0 <= raw <= MAX_TRANSFERS_LIMIT:
        return raw
    raise RuleValueError(
        ErrorCode.BAD_VALUE,
        _("value must be a whole number from 0 to {limit}, got {value}").format(
            limit=MAX_TRANSFERS_LIMIT, value=describe(raw)))


Count = Annotated[int, PlainValidator(read_count),
                  WithJsonSchema({"type": "integer", "minimum": 0})]


class DatedCount(DatedValue):
    """A count and, optionally, the act that set it."""

    value: Count = Field(description=N_("A whole number, 0 or more."))
    reference: Reference | SkipJsonSchema[None] = Field(None, description=N_("The act."))


class CountParameter(Parameter):
    """A whole number, 0 or more."""

    value: Count | SkipJsonSchema[None] = Field(None, description=N_("A whole number, 0 or more."))
    values: dict[DateKey, DatedCount] | SkipJsonSchema[None] = Field(
        None, description=_VALUES, min_length=1)


class WeightParameter(Parameter):
    """An indicator's weight: the percent of the main split it decides."""

    @classmethod
    def show(cls, value: Any) -> str:
        return show_percent(value)
    unit: Annotated[str, PlainValidator(lambda raw: read.read_unit(raw, "percent"))] = Field(
        description=N_("percent: the value is a percent (30 means 30%)."))
    value: Annotated[Fraction, PlainValidator(read.read_percent)] | SkipJsonSchema[None] = (
        Field(None, description=N_("The percent, from 0 to 100.")))


class AtsMetadata(_Model):
    """Which rule set this is, for which ATS and year, and the act it implements."""

    id: Text = Field(description=N_("The rule set's identifier, e.g. ats-bergamo-2025."))
    version: Version = Field(description=N_('The version as quoted text, e.g. "2025.1".'))
    ats: Text = Field(description=N_("The ATS's name, e.g. ATS Bergamo."))
    year: Year = Field(description=N_("The year of the fund, an integer such as 2025."))
    title: Text = Field(description=N_("A one-line title."))
    reference: Text = Field(description=N_("The legal source of the whole rule set."))
    description: Note | SkipJsonSchema[None] = Field(None, description=N_("Free notes."))


class IndicatorEntry(_Model):
    """A weighted indicator: a column of the indicators table and its weight."""

    label: Text = Field(description=N_("A human-readable name."))
    weight: WeightParameter = Field(description=N_(
        "The percent of the main split decided by this indicator: {value, unit: percent, "
        "description, reference}; the weights total 100."))
    source: Text = Field(description=N_("Where the real figures come from (office, dataset)."))


class SetAsideEntry(_Model):
    """The part of the fund set aside before the main split, split by its own indicator."""

    label: Text = Field(description=N_("What the set-aside is for."))
    percent: SetAsideParameter = Field(description=N_(
        "The percent of the fund set aside, up to its legal maximum: {value, max, unit: "
        "percent, description, reference}."))
    indicator: Code = Field(description=N_("The column of the indicators table that splits it."))
    indicator_label: Text = Field(description=N_("A human-readable name of that indicator."))
    source: Text = Field(description=N_("Where the real figures of that indicator come from."))


class RebalanceEntry(_Model):
    """The limits of the compensazione between Ambiti."""

    minimum_transfer: AmountParameter = Field(description=N_(
        "A transfer is 0 or at least this: {value, unit: EUR, description, reference}."))
    max_transfers: CountParameter = Field(description=N_(
        "The most transfers one rebalance may make: {value, description, reference}."))


class AmbitoEntry(_Model):
    """An Ambito of the ATS."""

    label: Text = Field(description=N_("The Ambito's name, e.g. Valle Seriana."))
    description: Note | SkipJsonSchema[None] = Field(None, description=N_("Free notes."))


class AtsDocument(_Model):
    """An ATS rule set: the split of a fund among the Ambiti and the limits of the rebalance."""

    format: FormatName = Field(description=N_("The format identifier, exactly 'fsr-opt/rules/2'."))
    metadata: AtsMetadata = Field(description=N_("id, version, ats, year, title and reference."))
    fund: FundParameter = Field(description=N_(
        "The fund the ATS passes to its Ambiti: {value, unit: EUR, description, reference}."))
    indicators: dict[Code, IndicatorEntry] = Field(min_length=1, description=N_(
        "The weighted indicators of the main split, keyed by their column."))
    set_aside: SetAsideEntry = Field(description=N_(
        "The set-aside: label, percent, indicator, indicator_label and source."))
    floor: AmountParameter = Field(description=N_(
        "The least each Ambito receives from the main split (0: no floor): {value, unit: EUR, "
        "description, reference}."))
    rebalance: RebalanceEntry = Field(description=N_("minimum_transfer and max_transfers."))
    ambiti: dict[Code, AmbitoEntry] = Field(min_length=1, description=N_(
        "The Ambiti of the ATS, keyed by code."))


def parse_ats_rules(
    document: Mapping[str, Any], *, source: str = "", sha256: str = ""
) -> AtsRules:
    """Validate an ATS rule-set document (read from YAML or TOML) and build `AtsRules`.

    Raises:
        RuleSetError: one `Problem` per thing wrong, each naming the dotted path of the key.
    """
    if not isinstance(document, Mapping):
        raise RuleSetError([Problem(
            _("(document): an ATS rule set must be a YAML mapping, got {value}").format(
                value=describe(document)),
            file=source, code=ErrorCode.BAD_VALUE)])
    fmt = _format(document, source)
    walk = _Walk(source, fmt, document_year(document))
    fields = walk.model(AtsDocument, document, "", "")
    problems = list(walk.problems)
    if fields is not None:
        problems += [Problem(f"{path}: {message}", file=source, code=code)
                     for path, code, message in _check(fields)]
    if problems:
        raise RuleSetError(problems)
    assert fields is not None
    metadata, set_aside, rebalance = fields["metadata"], fields["set_aside"], fields["rebalance"]
    return AtsRules(
        rule_set_id=metadata["id"],
        version=metadata["version"],
        ats=metadata["ats"],
        year=metadata["year"],
        title=metadata["title"],
        fund=fields["fund"]["value"],
        indicators=tuple(
            AtsIndicator(code, entry["label"], entry["weight"]["value"], entry["source"])
            for code, entry in fields["indicators"].items()),
        set_aside_percent=set_aside["percent"]["value"],
        set_aside_max=set_aside["percent"]["max"],
        set_aside_indicator=set_aside["indicator"],
        set_aside_label=set_aside["label"],
        floor=fields["floor"]["value"],
        minimum_transfer=rebalance["minimum_transfer"]["value"],
        max_transfers=rebalance["max_transfers"]["value"],
        ambiti={code: entry["label"] for code, entry in fields["ambiti"].items()},
        parameters=tuple(walk.parameters),
        source=source,
        sha256=sha256,
        set_aside_indicator_label=set_aside["indicator_label"],
    )


def _check(fields: Mapping[str, Any]) -> list[tuple[str, ErrorCode, str]]:
    """The checks across sections: weights total 100, set-aside within its maximum, floors."""
    problems: list[tuple[str, ErrorCode, str]] = []
    indicators = fields.get("indicators") or {}
    weights = [entry["weight"].get("value") for entry in indicators.values()
               if isinstance(entry, Mapping) and isinstance(entry.get("weight"), Mapping)]
    if weights and len(weights) == len(indicators) and None not in weights:
        total = sum(weights, Fraction(0))
        if total != 100:
            problems.append(("indicators", ErrorCode.SHARES_NOT_100,
                             _("the weights total {total}, not 100%; make them total exactly "
                               "100").format(total=show_percent(total))))
    set_aside = fields.get("set_aside")
    percent = set_aside.get("percent") if isinstance(set_aside, Mapping) else None
    if isinstance(percent, Mapping) and percent.get("value") is not None and "max" in percent:
        if percent["value"] > percent["max"]:
            problems.append(("set_aside.percent", ErrorCode.SET_ASIDE_TOO_LARGE,
                             _("value {value} is above its maximum {maximum}; lower it").format(
                                 value=show_percent(percent["value"]),
                                 maximum=show_percent(percent["max"]))))
        if percent["value"] > 100:
            problems.append(("set_aside.percent", ErrorCode.SET_ASIDE_TOO_LARGE,
                             _("a set-aside cannot exceed 100% of the fund")))
    if isinstance(set_aside, Mapping) and set_aside.get("indicator") in indicators:
        problems.append(("set_aside.indicator", ErrorCode.BAD_VALUE,
                         _("'{indicator}' is already a weighted indicator; the set-aside needs "
                           "a column of its own (e.g. desks)").format(
                               indicator=set_aside["indicator"])))
    ambiti = fields.get("ambiti") or {}
    folded: dict[str, str] = {}
    for code in ambiti:
        if code.casefold() in folded:
            problems.append((f"ambiti.{code}", ErrorCode.DUPLICATE_NAME,
                             _("'{code}' and '{other}' differ only in case; Ambito codes are "
                               "compared ignoring case").format(
                                   code=code, other=folded[code.casefold()])))
        folded.setdefault(code.casefold(), code)
    return problems
