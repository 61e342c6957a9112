"""Shared fixtures: Hypothesis profiles and builders of tiny rule sets and unit tables."""

from __future__ import annotations

import os
from collections.abc import Sequence
from dataclasses import replace
from datetime import date
from fractions import Fraction
from pathlib import Path

from hypothesis import HealthCheck, settings

from fsr_opt.core.schema import (
    Area,
    EligibilitySwitches,
    FormulaClass,
    Ownership,
    RuleSet,
    ServiceLine,
    UnitRecord,
    UnitsTable,
    UnitType,
)

settings.register_profile(
    "dev", max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow]
)
settings.register_profile(
    "ci", max_examples=60, deadline=None, derandomize=True,
    suppress_health_check=[HealthCheck.too_slow],
)
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "dev"))

ROOT = Path(__file__).resolve().parents[1]


def tiny_rules(
    services: dict[str, tuple[str, int]],
    shares: dict[str, int],
    *,
    fund: int,
    minimum: int = 30000,
    year: int = 2025,
) -> RuleSet:
    """A rule set with one unit type per service line (type code = service code upper-cased).

    Args:
        services: service code -> (area code, historical 2024 cents), in priority order.
        shares: area code -> percent (total 100).
        fund: cents.
        minimum: minimum award in cents.
    """
    areas = tuple(
        Area(
            code=area,
            label=area,
            share_percent=Fraction(share),
            services=tuple(
                ServiceLine(code, code, area, hist, (code.upper(),))
                for code, (a, hist) in services.items()
                if a == area
            ),
        )
        for area, share in shares.items()
    )
    types = {
        code.upper(): UnitType(code.upper(), code, area, code, "residenziale", False, False, False)
        for code, (area, _) in services.items()
    }
    return RuleSet(
        rule_set_id="tiny",
        version="test",
        ambito="Test",
        year=year,
        fund=fund,
        reserve_percent=Fraction(0),
        other_services_percent=Fraction(0),
        minimum_award=minimum,
        first_tranche_percent=Fraction(70),
        single_payment_threshold=100000,
        municipalities=("Bergamo",),
        areas=areas,
        unit_types=types,
        formula_classes={"residenziale": FormulaClass("residenziale", "r", 100000, 25000)},
        eligibility=EligibilitySwitches(),
    )


def unit(
    unit_id: str,
    service: str,
    deficit: int,
    *,
    row: int = 2,
    ownership: Ownership = Ownership.PUBLIC,
    users: int = 10,
    end_date: date | None = None,
    **changes: object,
) -> UnitRecord:
    """A public unit (entitlement = deficit) of the given service line, eligible by default."""
    fields: dict[str, object] = dict(
        row=row, unit_id=unit_id, name=f"Unit {unit_id}", operator=f"Op {unit_id[:1]}",
        municipality="Bergamo", unit_type=service.upper(), ownership=ownership, users=users,
        costs=deficit + 100000, revenues=100000, start_date=date(2010, 1, 1), end_date=end_date,
        in_registry=True, authorized=True, experimental=False, keeps_requirements=None,
        data_declared=None, applied=True,
    )
    fields.update(changes)
    return UnitRecord(**fields)  # type: ignore[arg-type]


def table(units: Sequence[UnitRecord], source: str = "units.csv") -> UnitsTable:
    """Wrap units in a table, numbering rows from 2 as a spreadsheet does."""
    numbered = tuple(replace(u, row=i + 2) for i, u in enumerate(units))
    return UnitsTable(source=source, sha256="0" * 64, units=numbered)
