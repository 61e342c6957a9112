"""The outputs of a run: the contract's CSV tables, run.json, and the terminal summary.

Everything here is a pure function of the assessments, the result and the rule set, so the
same input gives byte-identical tables; the only clock readings go to ``run.json``.
"""

from __future__ import annotations

import functools
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from fractions import Fraction
from typing import Any

from fsr_opt import __version__
from fsr_opt.core.money import format_cents, round_half_up
from fsr_opt.core.schema import Allocation, Assessment, RuleSet, SolveResult
from fsr_opt.engine.outcomes import UnitOutcome, unit_outcomes
from fsr_opt.io.outputs import csv_bytes, json_bytes
from fsr_opt.rules.budgets import distributable, set_aside_amounts

ALLOCATION_COLUMNS = (
    "unit_id", "name", "operator", "municipality", "unit_type", "ownership", "area", "service",
    "eligible", "exclusion_reasons", "deficit", "formula_amount", "proration", "entitlement",
    "share", "award", "binding", "tranche_1", "tranche_2",
)
ALLOCATION_NUMERIC = (
    "deficit", "formula_amount", "proration", "entitlement", "share", "award", "tranche_1",
    "tranche_2",
)
SUMMARY_COLUMNS = (
    "area", "service", "budget", "target", "historical", "awarded", "deviation", "share",
    "units_funded", "units_excluded",
)
SUMMARY_NUMERIC = SUMMARY_COLUMNS[2:]
PAYMENT_COLUMNS = ("operator", "units", "total_award", "tranche_1", "tranche_2")
PAYMENT_NUMERIC = PAYMENT_COLUMNS[1:]
TOTAL = "TOTAL"
NO_OPERATOR = "(not given)"


@functools.lru_cache(maxsize=4096)
def format_ratio(value: Fraction, places: int = 6) -> str:
    """Render an exact ratio (share, proration) with fixed decimals, rounded half up.

    Cached: a share is the same for every funded unit of a service line.
    """
    scaled = round_half_up(value * 10**places)
    whole, frac = divmod(scaled, 10**places)
    return f"{whole}.{frac:0{places}d}"


def summary_headings(rules: RuleSet) -> tuple[str, ...]:
    """summary.csv's headings: the reference-year amount is headed with its year.

    ``historical_2024`` for the 2025 rules: the year comes from the rule set, not the code.
    """
    return tuple(f"historical_{rules.history_year}" if name == "historical" else name
                 for name in SUMMARY_COLUMNS)


def format_fraction_cents(value: Fraction) -> str:
    """Render exact (possibly fractional) cents as euros, rounded half up to the cent."""
    return format_cents(round_half_up(value))


def allocation_rows(outcomes: Sequence[UnitOutcome]) -> list[list[str]]:
    """The rows of allocation.csv, in input order."""
    rows = []
    for outcome in outcomes:
        item = outcome.assessment
        unit = item.unit
        rows.append([
            unit.unit_id, unit.name, unit.operator, unit.municipality, unit.unit_type,
            unit.ownership.value, item.area, item.service,
            "true" if item.eligible else "false",
            ";".join(reason.value for reason in item.reasons),
            format_cents(item.deficit),
            "" if item.formula_amount is None else format_cents(item.formula_amount),
            format_ratio(item.proration),
            format_cents(item.entitlement),
            format_ratio(outcome.share),
            format_cents(outcome.award),
            outcome.binding.value,
            format_cents(outcome.tranche_1),
            format_cents(outcome.tranche_2),
        ])
    return rows


@dataclass
class _Tally:
    """Sums of a group of service lines for summary.csv."""

    budget: int = 0
    target: Fraction = Fraction(0)
    historical: int = 0
    awarded: int = 0
    funded: int = 0
    unfunded: int = 0

    def add(self, other: _Tally) -> None:
        self.target += other.target
        self.historical += other.historical
        self.awarded += other.awarded
        self.funded += other.funded
        self.unfunded += other.unfunded

    def total_row(self, area: str) -> list[str]:
        return [
            area, TOTAL, format_cents(self.budget), format_fraction_cents(Fraction(self.budget)),
            format_cents(self.historical), format_cents(self.awarded),
            format_fraction_cents(self.awarded - Fraction(self.budget)), "", str(self.funded),
            str(self.unfunded),
        ]


def summary_rows(
    outcomes: Sequence[UnitOutcome], allocation: Allocation, rules: RuleSet
) -> list[list[str]]:
    """The rows of summary.csv: each service line, then its area's total, then the fund's.

    ``units_excluded`` counts the units of the line that get nothing, whether an access
    criterion excludes them or their share stays below the minimum award.
    """
    funded: dict[str, int] = {}
    unfunded: dict[str, int] = {}
    for outcome in outcomes:
        counter = funded if outcome.award > 0 else unfunded
        counter[outcome.assessment.service] = counter.get(outcome.assessment.service, 0) + 1
    rows = []
    grand = _Tally()
    for area in rules.areas:
        area_tally = _Tally(budget=allocation.area_budgets[area.code])
        for service in area.services:
            result = allocation.services[service.code]
            line = _Tally(0, result.target, service.historical, result.awarded,
                          funded.get(service.code, 0), unfunded.get(service.code, 0))
            rows.append([
                area.code, service.code, "", format_fraction_cents(result.target),
                format_cents(service.historical), format_cents(result.awarded),
                format_fraction_cents(result.awarded - result.target),
                format_ratio(result.share), str(line.funded), str(line.unfunded),
            ])
            area_tally.add(line)
        rows.append(area_tally.total_row(area.code))
        grand.budget += area_tally.budget
        grand.add(area_tally)
    rows.append(grand.total_row(TOTAL))
    return rows


def payment_rows(outcomes: Sequence[UnitOutcome]) -> list[list[str]]:
    """The rows of payments.csv: funded units grouped by operator (ente gestore)."""
    by_operator: dict[str, list[int]] = {}
    for outcome in outcomes:
        if outcome.award == 0:
            continue
        operator = outcome.assessment.unit.operator.strip() or NO_OPERATOR
        sums = by_operator.setdefault(operator, [0, 0, 0, 0])
        for index, value in enumerate((1, outcome.award, outcome.tranche_1, outcome.tranche_2)):
            sums[index] += value
    rows = []
    for operator in sorted(by_operator, key=lambda name: (name.casefold(), name)):
        units, award, first, second = by_operator[operator]
        rows.append([operator, str(units), format_cents(award), format_cents(first),
                     format_cents(second)])
    return rows


def exact_objectives(allocation: Allocation, rules: RuleSet) -> dict[str, dict[str, str]]:
    """The stage objectives recomputed from the integer result, per area (what we report)."""
    values: dict[str, dict[str, str]] = {}
    for area in rules.areas:
        results = [allocation.services[s.code] for s in area.services]
        spend = sum(r.awarded for r in results)
        deviation = sum((abs(r.awarded - r.target) for r in results), Fraction(0))
        ratios = [(r.awarded - r.target) / r.target for r in results if r.target > 0]
        values[area.code] = {
            "spend": format_cents(spend),
            "deviation": format_fraction_cents(deviation),
            "proportional_excess": format_ratio(max(ratios), 9) if ratios else "",
        }
    return values


def run_document(
    *,
    result: SolveResult,
    rules: RuleSet,
    inputs: Mapping[str, str],
    overrides: Sequence[tuple[str, str]],
    started_at: str,
    finished_at: str,
) -> dict[str, Any]:
    """The content of run.json: what was run, on what, with which outcome."""
    allocation = result.allocation
    budgets = allocation.area_budgets if allocation else {}
    awarded = sum(allocation.awards.values()) if allocation else 0
    return {
        "tool": {"name": "fsr-opt", "version": __version__},
        "status": result.status.value,
        "fund": format_cents(rules.fund),
        "set_asides": {k: format_cents(v) for k, v in set_aside_amounts(rules).items()},
        "distributable": format_cents(distributable(rules)),
        "area_budgets": {area: format_cents(cents) for area, cents in budgets.items()},
        "area_budgets_cents": dict(budgets),
        "awarded": format_cents(awarded),
        "minimum_award": format_cents(rules.minimum_award),
        "objectives": exact_objectives(allocation, rules) if allocation else {},
        "stages": [
            {"name": s.name, "sense": s.sense, "solver_objective": s.objective,
             "status": s.status.value, "seconds": round(s.seconds, 4)}
            for s in result.stages
        ],
        "solver": {"name": result.solver, "version": result.solver_version},
        "rule_set": {"id": rules.rule_set_id, "version": rules.version, "ambito": rules.ambito,
                     "year": rules.year, "source": rules.source, "sha256": rules.sha256},
        "inputs": dict(inputs),
        "overrides": [f"{key}={value}" for key, value in overrides],
        "warnings": list(result.messages),
        "started_at": started_at,
        "finished_at": finished_at,
        "seconds": round(result.seconds, 4),
    }


def render_tables(
    assessments: Sequence[Assessment],
    allocation: Allocation,
    rules: RuleSet,
    *,
    outcomes: Sequence[UnitOutcome] | None = None,
    table: Sequence[Sequence[str]] | None = None,
) -> dict[str, bytes]:
    """allocation.csv, summary.csv and payments.csv as bytes, ready to be written together.

    `outcomes` (`fsr_opt.engine.outcomes.unit_outcomes`) and `table` (`allocation_rows`) may
    be given when the caller already has them: each costs time in proportion to the units.
    """
    if outcomes is None:
        outcomes = unit_outcomes(assessments, allocation, rules)
    return {
        "allocation.csv": csv_bytes(ALLOCATION_COLUMNS,
                                    allocation_rows(outcomes) if table is None else table,
                                    numeric_columns=ALLOCATION_NUMERIC),
        "summary.csv": csv_bytes(summary_headings(rules),
                                 summary_rows(outcomes, allocation, rules),
                                 numeric_columns=summary_headings(rules)[2:]),
        "payments.csv": csv_bytes(PAYMENT_COLUMNS, payment_rows(outcomes),
                                  numeric_columns=PAYMENT_NUMERIC),
    }


def render_run_json(document: Mapping[str, Any]) -> bytes:
    """run.json as bytes."""
    return json_bytes(document)


def summary_text(
    assessments: Sequence[Assessment],
    allocation: Allocation,
    rules: RuleSet,
    warnings: Sequence[str] = (),
    *,
    outcomes: Sequence[UnitOutcome] | None = None,
) -> str:
    """A one-screen summary for the terminal, ending with any warning of the run."""
    if outcomes is None:
        outcomes = unit_outcomes(assessments, allocation, rules)
    eligible = sum(1 for o in outcomes if o.assessment.eligible)
    funded = sum(1 for o in outcomes if o.award > 0)
    lines = [
        f"FSR {rules.year} riparto, Ambito di {rules.ambito} (rule set {rules.rule_set_id} "
        f"v{rules.version})",
        f"fund {format_cents(rules.fund)} EUR; units {len(outcomes)}, eligible {eligible}, "
        f"funded {funded}; minimum award {format_cents(rules.minimum_award)} EUR",
        "",
        f"{'area / service':<28}{'target':>14}{'awarded':>14}{'share':>10}{'funded':>8}",
    ]
    for area in rules.areas:
        budget = allocation.area_budgets[area.code]
        spent = sum(allocation.services[s.code].awarded for s in area.services)
        lines.append(f"{area.code:<28}{format_cents(budget):>14}{format_cents(spent):>14}")
        for service in area.services:
            result = allocation.services[service.code]
            count = sum(1 for o in outcomes if o.award > 0 and o.assessment.service == service.code)
            lines.append(
                f"  {service.code:<26}{format_fraction_cents(result.target):>14}"
                f"{format_cents(result.awarded):>14}{format_ratio(result.share, 4):>10}"
                f"{count:>8}"
            )
    total = sum(allocation.awards.values())
    lines.append(f"{TOTAL:<28}{format_cents(distributable(rules)):>14}{format_cents(total):>14}")
    lines.extend(f"warning: {warning}" for warning in warnings)
    return "\n".join(lines)
