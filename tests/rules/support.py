"""What the tests of the rule set share: the bundled document, the fixtures, format-2 variants."""

from __future__ import annotations

import copy
from datetime import date
from pathlib import Path
from typing import Any

import pytest
import yaml

from fsr_opt.core.errors import Problem, RuleSetError
from fsr_opt.rules.formats import FORMAT_2
from fsr_opt.rules.validate import parse_rule_set

ROOT = Path(__file__).resolve().parents[2]
BUNDLED = ROOT / "models" / "fsr-2025-bergamo.yaml"
BAD = Path(__file__).resolve().parent / "bad_rules"
MINIMAL = BAD / "minimal_valid.yaml"
MINIMAL_DATED = BAD / "minimal_valid_dated.yaml"


def load(path: Path) -> Any:
    return yaml.safe_load(path.read_text("utf-8"))


def problems_of(document: Any, source: str = "rules.yaml") -> list[Problem]:
    with pytest.raises(RuleSetError) as info:
        parse_rule_set(document, source=source)
    return info.value.problems


def to_format_2(document: dict[str, Any]) -> dict[str, Any]:
    """A format-1 document in format 2: the same values, the year-free key `historical`."""
    result = copy.deepcopy(document)
    result["format"] = FORMAT_2
    for area in result["areas"].values():
        for line in area["services"].values():
            line["historical"] = line.pop("historical_2024")
    return result


def dated(parameter: dict[str, Any], values: dict[date, Any]) -> None:
    """Replace a parameter's value by values keyed by date, each with the parameter's reference.

    Args:
        parameter: the parameter mapping, changed in place.
        values: day -> value; the value of `None` days is the parameter's current value.
    """
    value, reference = parameter.pop("value"), parameter.pop("reference")
    parameter["values"] = {
        day: {"value": value if new is None else new, "reference": reference}
        for day, new in values.items()
    }


def rolled_over(document: dict[str, Any], year: int) -> dict[str, Any]:
    """The bundled 2025 rule set rewritten as a rule set that rolls over by data.

    Format 2; the fund, the minimum award and every service line's amount of the year before
    keyed by date, with their 2025 value from 2025-01-01 and a new one from 2026-01-01;
    `year` picks which applies. Nothing else changes.
    """
    result = to_format_2(document)
    result["metadata"]["year"] = year
    result["metadata"]["id"] = f"fsr-{year}-bergamo-test"
    jan_2025, jan_2026 = date(2025, 1, 1), date(2026, 1, 1)
    dated(result["fund"], {jan_2025: None, jan_2026: "900000.00"})
    dated(result["minimum_award"], {jan_2025: None, jan_2026: 350})
    for area in result["areas"].values():
        for line in area["services"].values():
            old = line["historical"]["value"]
            dated(line["historical"], {jan_2025: None, jan_2026: round(old + 1000, 2)})
    return result
