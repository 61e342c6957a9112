"""Validate a rule-set document and build the `RuleSet`, reporting every problem at once.

The document is walked with the models of `fsr_opt.rules.document`, one field at a time: a
mapping's unknown keys (with "did you mean"), its missing keys (with what they hold), each
value through its reader. A field that fails is left out and the walk goes on, so the
cross-section checks of `fsr_opt.rules.consistency` still run on everything that was read,
and whoever edits the file fixes it in one pass. Whole-model validation would stop a
section at its first bad field and word its errors by pydantic's ``loc`` and ``type``.

Every problem is a `Problem` with the project's `ErrorCode`, its message starting with the
dotted path of the key (``areas.minori.share: ...``). No file I/O happens here:
`fsr_opt.io.rulefile.read_rule_document` reads the YAML or TOML and hands over the mapping.
"""

from __future__ import annotations

import inspect
import types
from collections.abc import Callable, Mapping, Sequence
from datetime import date
from typing import Annotated, Any, Union, get_args, get_origin

from pydantic import BaseModel, PlainValidator, TypeAdapter, ValidationError, WithJsonSchema

from fsr_opt.core.errors import ErrorCode, Problem, RuleSetError, suggest
from fsr_opt.core.i18n import N_, _
from fsr_opt.core.schema import (
    Area,
    EligibilitySwitches,
    FormulaClass,
    LineReading,
    ParameterInfo,
    ResidualScope,
    RuleSet,
    ServiceLine,
    UnitType,
)
from fsr_opt.rules.consistency import check_document
from fsr_opt.rules.document import (
    DatedValue,
    Parameter,
    RuleDocument,
    SetAsideParameter,
    document_keys,
)
from fsr_opt.rules.formats import FORMAT_1, FORMAT_2, document_year, in_force, read_format
from fsr_opt.rules.values import RuleValueError, describe, show_percent

__all__ = ["parse_rule_set"]

_FORMAT_NOTES = {
    (FORMAT_1, "values"): N_("values keyed by date need format: {format}; "),
    (FORMAT_2, "historical_2024"): N_("format {format} names it without the year; "),
}
"""Unknown keys that are known in the other format, and what to do about them."""

_MISSING_REFERENCE = N_("missing; every parameter needs a reference to its legal source (act, "
                        "date and section), e.g. 'DGR n. XII/4793 del 28/07/2025'")


def parse_rule_set(
    document: Mapping[str, Any], *, source: str = "", sha256: str = ""
) -> RuleSet:
    """Validate a rule-set document (already read from YAML or TOML) and build the `RuleSet`.

    Money (``unit: EUR``) becomes integer cents through exact decimals, so a value with more
    than two decimals is refused rather than rounded; percents become exact fractions. A
    parameter given as ``values`` keyed by date takes the value in force on 1 January of
    ``metadata.year``. The parameters are recorded in document order for reports.

    Args:
        document: the mapping the reader returned (possibly with overrides applied).
        source: the file name, put in every problem so that messages say where to look.
        sha256: the hash of the file's bytes, kept in the RuleSet for run records.

    Returns:
        The validated rule set.

    Raises:
        RuleSetError: one `Problem` per thing wrong, each message starting with the dotted
            path of the key and saying how to fix it.
    """
    if not isinstance(document, Mapping):
        keys = ", ".join(document_keys(RuleDocument, FORMAT_2))
        raise RuleSetError([Problem(
            _("(document): a rule set must be a YAML mapping with the keys {keys}; got "
              "{value}").format(keys=keys, value=describe(document)), file=source,
            code=ErrorCode.BAD_VALUE)])
    fmt = _format(document, source)
    walk = _Walk(source, fmt, document_year(document))
    fields = walk.model(RuleDocument, document, "", "")
    problems = walk.problems
    if fields is not None:
        problems += [Problem(f"{path}: {message}", file=source, code=code)
                     for path, code, message in check_document(fields)]
    if problems:
        raise RuleSetError(problems)
    assert fields is not None
    return _build(fields, walk.parameters, source, sha256)


def _format(document: Mapping[str, Any], source: str) -> str:
    """The document's format; without a known one nothing else can be judged."""
    if "format" not in document:
        raise RuleSetError([Problem(
            _("format: required key is missing; add it: format: {format}").format(
                format=FORMAT_2), file=source,
            code=ErrorCode.MISSING_KEY)])
    try:
        return read_format(document["format"])
    except RuleValueError as exc:
        raise RuleSetError([Problem(": ".join(("format", exc.message)), file=source,
                                    code=exc.code)]) from None


def _join(path: str, key: object) -> str:
    return f"{path}.{key}" if path else str(key)


def _hint(text: str | None) -> str:
    """A field's description as the end of a sentence: 'The fund.' -> 'the fund'.

    The first letter is lowered unless the first word is an acronym ('ISEE', 'FSR'): a word
    of one letter ('A mapping', 'È') or with an apostrophe ("L'importo") is lowered too.
    """
    text = _(text).rstrip(".") if text else ""
    rest_of_word = next(iter(text.split()), "")[1:]
    return text[:1].lower() + text[1:] if rest_of_word == rest_of_word.lower() else text


def _present_type(annotation: Any) -> Any:
    """The type a present value must have: ``X | None`` means the key may be absent."""
    if get_origin(annotation) in (Union, types.UnionType):
        members = [a for a in get_args(annotation) if _base(a) is not type(None)]
        if len(members) == 1:
            return members[0]
    return annotation


def _base(annotation: Any) -> Any:
    return get_args(annotation)[0] if get_origin(annotation) is Annotated else annotation


def _model_class(annotation: Any) -> type[BaseModel] | None:
    is_model = isinstance(annotation, type) and issubclass(annotation, BaseModel)
    return annotation if is_model else None


_ADAPTERS: dict[tuple[int, ...], TypeAdapter[Any]] = {}


def _adapter(annotation: Any, metadata: tuple[Any, ...]) -> TypeAdapter[Any]:
    """One adapter per field type, kept: building one costs more than a validation.

    Keyed by identity, since the types carry unhashable JSON Schema dicts; they are module
    constants of `fsr_opt.rules.document`, alive as long as the program.
    """
    key = (id(annotation), *map(id, metadata))
    if key not in _ADAPTERS:
        _ADAPTERS[key] = TypeAdapter(Annotated[(annotation, *metadata)] if metadata
                                     else annotation)
    return _ADAPTERS[key]


def _plain_reader(annotation: Any, metadata: tuple[Any, ...]) -> Callable[..., Any] | None:
    """The reader of a type that is only a `PlainValidator` (and its JSON Schema), if it is.

    Such a type's adapter would call the reader and nothing else, and building the adapter
    costs more than the whole walk of a rule set: every command reads one.
    """
    if get_origin(annotation) is Annotated:
        metadata = (*get_args(annotation)[1:], *metadata)
    readers = [item.func for item in metadata if isinstance(item, PlainValidator)]
    rest = [item for item in metadata if not isinstance(item, PlainValidator | WithJsonSchema)]
    return readers[0] if len(readers) == 1 and not rest else None


class _Walk:
    """One pass over a document: the problems found and the parameters read, in order."""

    def __init__(self, source: str, fmt: str, year: int | None) -> None:
        self.source = source
        self.fmt = fmt
        self.year = year
        self.problems: list[Problem] = []
        self.parameters: list[ParameterInfo] = []

    def problem(self, path: str, code: ErrorCode, message: str) -> None:
        self.problems.append(Problem(f"{path}: {message}", file=self.source, code=code))

    # -- mappings --------------------------------------------------------------------------

    def model(
        self, model: type[BaseModel], node: object, path: str, hint: str | None
    ) -> dict[str, Any] | None:
        """Read a mapping of `model`: the fields that are valid, absent ones at their default.

        Returns None when `node` is not a mapping, or when a parameter has no usable value.
        """
        if not isinstance(node, Mapping):
            about = _hint(hint or inspect.cleandoc(model.__doc__ or ""))
            self.problem(path, ErrorCode.BAD_VALUE,
                         (_("must be a mapping ({about}), got {value}") if about else
                          _("must be a mapping, got {value}")).format(
                              about=about, value=describe(node)))
            return None
        keys = document_keys(model, self.fmt)
        fields: dict[str, Any] = {}
        for key, raw in node.items():
            name = keys.get(key) if isinstance(key, str) else None
            if name is None:
                self.unknown_key(_join(path, key), key, list(keys))
                continue
            value = self.field(model, name, raw, _join(path, key))
            if value is not _INVALID:
                fields[name] = value
        for key, name in keys.items():
            info = model.model_fields[name]
            if key in node:
                continue
            if info.is_required():
                self.missing(model, name, _join(path, key))
            else:
                fields[name] = info.default
        if issubclass(model, Parameter):
            return self.parameter(model, node, fields, path)
        return fields

    def field(self, model: type[BaseModel], name: str, raw: object, path: str) -> Any:
        info = model.model_fields[name]
        annotation = _present_type(info.annotation)
        inner = _model_class(annotation)
        if inner is not None:
            fields = self.model(inner, raw, path, info.description)
            return _INVALID if fields is None else fields
        if get_origin(annotation) is dict:
            key_type, value_type = get_args(annotation)
            return self.entries(key_type, value_type, raw, path, info.description)
        # A parameter's value is reported at the parameter's path ("fund: value must be...").
        where = path.rsplit(".", 1)[0] if name == "value" else path
        return self.leaf(annotation, tuple(info.metadata), raw, where)

    def entries(
        self, key_type: Any, value_type: Any, node: object, path: str, hint: str | None
    ) -> Any:
        """Read a mapping keyed by code or date; an entry that is not a mapping maps to None."""
        if not isinstance(node, Mapping) or not node:
            self.problem(path, ErrorCode.BAD_VALUE,
                         _("must be a non-empty mapping ({about}), got {value}").format(
                             about=_hint(hint), value=describe(node)))
            return _INVALID
        model = _model_class(value_type)
        assert model is not None, value_type
        result: dict[Any, dict[str, Any] | None] = {}
        for key, body in node.items():
            entry_path = _join(path, key)
            read_key = self.leaf(key_type, (), key, entry_path)
            fields = self.model(model, body, entry_path, None)
            if read_key is not _INVALID:
                result[read_key] = fields
            elif not issubclass(model, DatedValue):
                # Reading on under a bad code keeps the checks across sections from adding
                # misleading problems; no RuleSet is built while any problem stands.
                result[str(key)] = fields
        return result

    def leaf(self, annotation: Any, metadata: tuple[Any, ...], raw: object, path: str) -> Any:
        reader = _plain_reader(annotation, metadata)
        if reader is not None:
            try:
                return reader(raw)
            except RuleValueError as refused:
                self.problem(path, refused.code, refused.message)
                return _INVALID
            except (ValueError, AssertionError):
                pass  # pydantic's words for it, from the adapter below
        try:
            return _adapter(annotation, metadata).validate_python(raw)
        except ValidationError as exc:
            for error in exc.errors():
                cause = error.get("ctx", {}).get("error")
                if isinstance(cause, RuleValueError):
                    self.problem(path, cause.code, cause.message)
                else:  # a type without a reader of its own: pydantic's words
                    self.problem(path, ErrorCode.BAD_VALUE,
                                 _("{error}, got {value}").format(error=error["msg"],
                                                                  value=describe(raw)))
            return _INVALID

    def unknown_key(self, path: str, key: object, allowed: Sequence[str]) -> None:
        note = _FORMAT_NOTES.get((self.fmt, str(key)))
        guess = suggest(str(key), allowed)
        self.problem(path, ErrorCode.UNKNOWN_KEY, _(
            "unknown key; {note}{hint}Allowed here: {allowed}").format(
                note=_(note).format(format=FORMAT_2) if note else "",
                hint=_("did you mean '{guess}'? ").format(guess=guess) if guess else "",
                allowed=", ".join(allowed)))

    def missing(self, model: type[BaseModel], name: str, path: str) -> None:
        if issubclass(model, Parameter) and name == "description":
            self.problem(path, ErrorCode.MISSING_DESCRIPTION,
                         _("missing; every parameter needs a description that says what the "
                           "value is and why it has this value"))
            return
        hint = _hint(model.model_fields[name].description)
        self.problem(path, ErrorCode.MISSING_KEY,
                     _("required key is missing; add it: {hint}").format(hint=hint) if hint
                     else _("required key is missing; add it"))

    # -- parameters ------------------------------------------------------------------------

    def parameter(
        self,
        model: type[Parameter],
        node: Mapping[Any, Any],
        fields: dict[str, Any],
        path: str,
    ) -> dict[str, Any] | None:
        """Pick the value that applies and record the parameter; None if there is none.

        A parameter has ``value`` or (format 2) ``values`` keyed by date; each value needs a
        reference, its own or the parameter's.
        """
        dated = "values" in node and self.fmt != FORMAT_1
        if "value" in node and dated:
            self.problem(path, ErrorCode.BAD_VALUE,
                         _("has both value and values; give one value for every year, or "
                           "values keyed by the day from which each applies, not both"))
            return None
        if "value" not in node and not dated:
            self.problem(_join(path, "value"), ErrorCode.MISSING_KEY, _(
                "required key is missing; add it: the value itself, or values: keyed by the day "
                "from which each applies") if self.fmt != FORMAT_1 else _(
                "required key is missing; add it: the value itself"))
            return None
        references = [fields.get("reference")]
        since: date | None = None
        if not dated:
            if "reference" not in node:
                self.problem(_join(path, "reference"), ErrorCode.MISSING_REFERENCE,
                             _(_MISSING_REFERENCE))
            value = fields.get("value", _INVALID)
        else:
            self.dated_references(node, path)
            values = fields.get("values")
            if not isinstance(values, dict) or len(values) != len(node["values"]):
                return None  # a day could not be read: it might have been the one in force
            entry = self.entry_in_force(values, path)
            if entry is None:
                return None
            since, chosen = entry
            references.append(chosen.get("reference"))
            value = chosen.get("value", _INVALID)
        if value is _INVALID:
            return None
        shown = model.show(value)
        if issubclass(model, SetAsideParameter) and "max" in fields:
            shown += f" (max {show_percent(fields['max'])})"
        if since is not None:
            shown += f" (from {since.isoformat()})"
        reference = "; ".join(text for text in references if text)
        description = fields.get("description")
        if description and reference:
            texts = description if isinstance(description, dict) else {}
            self.parameters.append(ParameterInfo(
                path, shown, next(iter(texts.values())) if texts else description, reference,
                texts))
        return {**fields, "value": value}

    def dated_references(self, node: Mapping[Any, Any], path: str) -> None:
        """Without a reference of the parameter, each dated value must give its own."""
        if "reference" in node or not isinstance(node["values"], Mapping):
            return
        for key, entry in node["values"].items():
            if isinstance(entry, Mapping) and "reference" not in entry:
                self.problem(f"{path}.values.{key}.reference", ErrorCode.MISSING_REFERENCE,
                             _(_MISSING_REFERENCE) + _(" (here, or once for all values next to "
                                                       "description)"))

    def entry_in_force(
        self, values: dict[date, Any], path: str
    ) -> tuple[date, dict[str, Any]] | None:
        """The dated entry the rule set's year uses; None (reported) if there is none."""
        if self.year is None:
            return None  # metadata.year is reported
        year = self.year
        for day in values:
            if day.year == year and (day.month, day.day) != (1, 1):
                self.problem(f"{path}.values.{day}", ErrorCode.VALUE_STARTS_IN_YEAR,
                             _("this value starts during {year}, but the riparto of {year} "
                               "uses one value for the whole year, the one in force on 1 "
                               "January; key it {year}-01-01 if it applies to the {year} fund, "
                               "or {next}-01-01 if it applies from the next").format(
                                   year=year, next=year + 1))
        chosen = in_force(values, year)
        if chosen is None:
            if values:
                self.problem(f"{path}.values", ErrorCode.NO_VALUE_IN_FORCE,
                             _("no value applies on 1 January {year} (metadata.year), the "
                               "first starts on {first}; add a value keyed {year}-01-01 or "
                               "earlier").format(year=year, first=min(values)))
            return None
        entry = values[chosen]
        return None if entry is None else (chosen, entry)


_INVALID: Any = object()
"""A field whose value could not be read (its problem is already reported)."""


def _build(
    document: Mapping[str, Any],
    parameters: Sequence[ParameterInfo],
    source: str,
    sha256: str,
) -> RuleSet:
    """Assemble the RuleSet from a document read without any problem."""
    areas: list[Area] = []
    lines: dict[str, tuple[str, str]] = {}
    for area_code, area in document["areas"].items():
        services = []
        for code, line in area["services"].items():
            services.append(ServiceLine(code, line["label"], area_code,
                                        line["historical"]["value"], line["unit_types"]))
            lines.update(dict.fromkeys(line["unit_types"], (area_code, code)))
        areas.append(Area(area_code, area["label"], area["share"]["value"], tuple(services)))
    unit_types = {
        code: UnitType(code, kind["label"], *lines[code], kind["formula_class"],
                       kind["municipal_service"], kind["requires_data_declaration"],
                       kind["experimental_allowed"], kind["experimental_by_nature"])
        for code, kind in document["unit_types"].items()
    }
    formula_classes = {
        code: FormulaClass(code, entry["label"], entry["base"]["value"],
                           entry["rate_per_user"]["value"])
        for code, entry in document["formula_classes"].items()
    }
    metadata, set_asides, payments = (
        document["metadata"], document["set_asides"], document["payments"])
    residui, readings = document.get("residui"), document.get("readings")
    return RuleSet(
        rule_set_id=metadata["id"],
        version=metadata["version"],
        ambito=metadata["ambito"],
        year=metadata["year"],
        fund=document["fund"]["value"],
        reserve_percent=set_asides["reserve_percent"]["value"],
        other_services_percent=set_asides["other_services_percent"]["value"],
        minimum_award=document["minimum_award"]["value"],
        first_tranche_percent=payments["first_tranche_percent"]["value"],
        single_payment_threshold=payments["single_payment_threshold"]["value"],
        municipalities=document["municipalities"]["value"],
        areas=tuple(areas),
        unit_types=unit_types,
        formula_classes=formula_classes,
        eligibility=EligibilitySwitches(
            **{name: switch["value"] for name, switch in document["eligibility"].items()}),
        parameters=tuple(parameters),
        source=source,
        sha256=sha256,
        residual_scope=ResidualScope(residui["scope"]["value"]) if residui
        else ResidualScope.NONE,
        line_without_applications=LineReading(
            readings["line_without_applications"]["value"]) if readings
        else LineReading.TARGETS,
        reference=metadata["reference"],
    )
