"""The audit's test bench: the bundled example solved once, and ways to edit its allocation.

A mutation test edits the solved allocation in one way and expects exactly the named check
to fail; the helpers here keep such edits inside the rules they do not target (same funded
units, one equal share), so that no other check fails by accident.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from fractions import Fraction
from pathlib import Path

import pytest
from typer.testing import CliRunner

from fsr_opt.app.pipeline import Inputs, load_inputs
from fsr_opt.audit.allocation import parse_allocation
from fsr_opt.audit.report import AuditReport
from fsr_opt.audit.run import audit
from fsr_opt.cli import app
from fsr_opt.core.money import format_cents, largest_remainder
from fsr_opt.core.schema import Assessment, RuleSet
from fsr_opt.engine.eligibility import ServicePlan, plan_services, tranches
from fsr_opt.engine.solve import solve_riparto
from fsr_opt.rules.budgets import area_budgets

COLUMNS = ("unit_id", "award", "eligible", "entitlement", "tranche_1", "tranche_2")
AUDIT_DOC = Path(__file__).resolve().parents[2] / "docs" / "audit.md"


@dataclass(frozen=True)
class Example:
    inputs: Inputs
    awards: dict[str, int]
    plans: dict[str, ServicePlan]

    @property
    def rules(self) -> RuleSet:
        return self.inputs.rules

    def unit(self, unit_id: str) -> Assessment:
        return next(a for a in self.inputs.assessments if a.unit.unit_id == unit_id)

    def total(self, awards: Mapping[str, int], service: str) -> int:
        return sum(awards.get(a.unit.unit_id, 0) for a in self.inputs.assessments
                   if a.service == service and a.eligible)

    def funded(self, awards: Mapping[str, int], service: str) -> list[Assessment]:
        return [a for a in self.inputs.assessments
                if a.service == service and awards.get(a.unit.unit_id, 0) > 0]


@pytest.fixture(scope="package")
def example() -> Example:
    inputs = load_inputs(None, None)
    result = solve_riparto(inputs.assessments, inputs.rules)
    assert result.allocation is not None
    awards = {a.unit.unit_id: result.allocation.awards.get(a.unit.unit_id, 0)
              for a in inputs.assessments}
    plans = plan_services(inputs.assessments, inputs.rules, area_budgets(inputs.rules))
    return Example(inputs, awards, {p.service: p for p in plans})


@pytest.fixture(scope="package")
def solved(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The folder `fsr-opt solve` writes for the bundled example (allocation.csv, audit.json)."""
    out = tmp_path_factory.mktemp("solved")
    assert CliRunner().invoke(app, ["solve", "--out", str(out), "-q"]).exit_code == 0
    return out


def resplit(example: Example, awards: dict[str, int], service: str, total: int) -> None:
    """Give `service` a new total, split at one equal share among the same funded units."""
    plan = example.plans[service]
    segment = plan.segment_for(total)
    before = plan.segment_for(example.total(awards, service))
    assert segment is not None and segment == before, "the mutation must keep the funded set"
    funded = plan.ranked[: segment.funded_units]
    quotas = [(uid, Fraction(total * e, segment.funded_entitlement)) for uid, e in funded]
    awards.update(largest_remainder(total, quotas))


def text_rows(
    example: Example, awards: Mapping[str, int], columns: Iterable[str] = COLUMNS
) -> list[dict[str, str]]:
    """The allocation as `load_allocation_table` returns it: text cells, row numbers."""
    rows = []
    for number, item in enumerate(example.inputs.assessments, start=2):
        award = awards[item.unit.unit_id]
        first, second = tranches(award, example.rules)
        cells = {
            "unit_id": item.unit.unit_id,
            "award": format_cents(award),
            "eligible": "true" if item.eligible else "false",
            "entitlement": format_cents(item.entitlement),
            "tranche_1": format_cents(first),
            "tranche_2": format_cents(second),
        }
        rows.append({"__row__": str(number), **{c: cells[c] for c in columns}})
    return rows


def audit_rows(
    example: Example, rows: list[dict[str, str]], columns: Iterable[str] = COLUMNS
) -> AuditReport:
    allocation = parse_allocation(list(columns), rows, "riparto.csv")
    return audit(example.inputs.assessments, example.rules, allocation)


def failed(report: AuditReport) -> set[str]:
    """The failed checks; each violation is filed under a failed check, and only there."""
    codes = set(report.failed_codes)
    assert {v.check for v in report.violations} == codes
    return codes


def mutate(example: Example, change: Callable[[dict[str, int]], None]) -> AuditReport:
    awards = dict(example.awards)
    change(awards)
    return audit_rows(example, text_rows(example, awards))


# A table row of docs/audit.md that documents a check: "| `CODE` | what it checks | criteria |".
_CHECK_ROW = re.compile(r"^\|\s*`([A-Z][A-Z0-9_]*)`\s*\|(.*)\|\s*$", re.MULTILINE)
_SECTION = re.compile(r"^### (.+)$", re.MULTILINE)


@dataclass(frozen=True)
class DocumentedCheck:
    section: str
    reference: str


def documented_checks() -> dict[str, DocumentedCheck]:
    """Each check documented in docs/audit.md: the section it is under, its criteria cell."""
    text = AUDIT_DOC.read_text(encoding="utf-8")
    sections = [(m.start(), m.group(1)) for m in _SECTION.finditer(text)]
    found: dict[str, DocumentedCheck] = {}
    for row in _CHECK_ROW.finditer(text):
        code, cells = row.group(1), row.group(2).split(" | ")
        assert code not in found, f"docs/audit.md documents {code} twice"
        section = [name for start, name in sections if start < row.start()][-1]
        found[code] = DocumentedCheck(section, cells[-1].strip())
    return found
