"""The document models: the keys of each format, the value in force, the published JSON Schema.

The schema file is generated from the models; when a model changes, write it again with

    .venv/bin/python -m tests.rules.test_document --write
"""

from __future__ import annotations

import sys
from dataclasses import fields
from datetime import date
from typing import Any

import jsonschema
import pytest

from fsr_opt.core.schema import EligibilitySwitches
from fsr_opt.rules.document import (
    FORMAT_1,
    FORMAT_2,
    SCHEMA_FILE,
    AmountParameter,
    Eligibility,
    RuleDocument,
    ServiceLineEntry,
    document_keys,
    json_schema_text,
    rule_set_json_schema,
)
from fsr_opt.rules.overrides import apply_overrides
from fsr_opt.rules.validate import parse_rule_set

from tests.rules.support import BUNDLED, MINIMAL_DATED, ROOT, load, rolled_over

SCHEMA = ROOT / "models" / SCHEMA_FILE


def as_json(node: Any) -> Any:
    """A YAML document as an editor's YAML server sees it: dates are text."""
    if isinstance(node, dict):
        return {str(key): as_json(value) for key, value in node.items()}
    if isinstance(node, list):
        return [as_json(value) for value in node]
    return node.isoformat() if isinstance(node, date) else node


def test_the_keys_of_each_format() -> None:
    assert list(document_keys(ServiceLineEntry, FORMAT_1)) == [
        "label", "unit_types", "historical_2024", "description"]
    assert list(document_keys(ServiceLineEntry, FORMAT_2)) == [
        "label", "unit_types", "historical", "description"]
    assert "values" not in document_keys(AmountParameter, FORMAT_1)
    assert document_keys(AmountParameter, FORMAT_2)["values"] == "values"


def test_one_switch_per_access_criterion() -> None:
    assert list(Eligibility.model_fields) == [f.name for f in fields(EligibilitySwitches)]


def test_the_models_read_a_format_2_document() -> None:
    document = RuleDocument.model_validate(load(MINIMAL_DATED))
    assert document.fund.values is not None
    assert document.fund.values[date(2026, 1, 1)].value == 100_000
    assert document.areas["a"].services["home"].historical.values is not None


def test_the_schema_file_is_up_to_date() -> None:
    assert SCHEMA.read_text(encoding="utf-8") == json_schema_text(), (
        f"{SCHEMA} is out of date: write it again with "
        "`.venv/bin/python -m tests.rules.test_document --write`")


def test_the_schema_accepts_format_2_documents() -> None:
    validator = jsonschema.Draft202012Validator(rule_set_json_schema())
    validator.check_schema(rule_set_json_schema())
    for document in (load(MINIMAL_DATED), rolled_over(load(BUNDLED), 2026)):
        errors = [error.message for error in validator.iter_errors(as_json(document))]
        assert errors == []


@pytest.mark.parametrize(("change", "words"), [
    (lambda d: d.update(minimum_awrd=d.pop("minimum_award")), "'minimum_awrd' was unexpected"),
    (lambda d: d["fund"].update(value=5), "is valid under each of"),
    (lambda d: d["areas"]["a"]["share"]["values"].update({"2026": {"value": 1}}), "'2026'"),
    (lambda d: d["areas"]["a"]["share"].update(unit="%"), "'percent' was expected"),
    (lambda d: d.update(format=FORMAT_1), "'fsr-opt/rules/2' was expected"),
])
def test_the_schema_shows_an_editor_the_mistakes(change: Any, words: str) -> None:
    document = as_json(load(MINIMAL_DATED))
    change(document)
    validator = jsonschema.Draft202012Validator(rule_set_json_schema())
    messages = [error.message for error in validator.iter_errors(document)]
    messages += [c.message for e in validator.iter_errors(document) for c in e.context or ()]
    assert any(words in message for message in messages), messages


if __name__ == "__main__":  # python -m tests.rules.test_document --write
    if sys.argv[1:] != ["--write"]:
        sys.exit(__doc__)
    SCHEMA.write_text(json_schema_text(), encoding="utf-8")
    print(f"wrote {SCHEMA}")


def test_each_kind_of_parameter_is_shown_as_the_reports_show_it() -> None:
    # The parameters table of the reports: euros with two decimals, percents with their cap,
    # switches as true/false, the municipalities as a list separated by commas.
    document = apply_overrides(load(BUNDLED), [("eligibility.require_deficit", "false")])
    shown = {p.path: p.value for p in parse_rule_set(document).parameters}
    assert shown["fund"] == "892495.35 EUR"
    assert shown["set_asides.reserve_percent"] == "0% (max 5%)"
    assert shown["eligibility.require_registry"] == "true"
    assert shown["eligibility.require_deficit"] == "false"
    assert shown["municipalities"] == ("Bergamo, Gorle, Orio al Serio, Ponteranica, Sorisole, "
                                       "Torre Boldone")
