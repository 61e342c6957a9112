"""Shared fixtures: Hypothesis profiles, builders of tiny rule sets and unit tables, and the
audit of every run folder the suite writes."""

from __future__ import annotations

import os
from collections.abc import Iterator, Sequence
from dataclasses import replace
from datetime import date
from fractions import Fraction
from pathlib import Path
from typing import Any

import pytest
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


# The suite reads messages in English, as most of its assertions do; fsr-opt speaks Italian by
# default, and the tests of the language (tests/test_language.py) remove the variable, or give
# --lang, to check it. Set for the whole session: fixtures of any scope see it.
os.environ["FSR_OPT_LANG"] = "en"

# Every test validates its rule file anew: a validated rule set kept in the cache
# (fsr_opt.io.rulecache) would hide a change of the validation from the mutation runs, whose
# mutants switch at run time without touching the source files, and the suite must not write
# into the developer's home. tests/io/test_rulecache.py turns it on in a temporary folder.
os.environ["FSR_OPT_CACHE"] = "off"


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


# ---------------------------------------------------------------------------------------------
# Every run folder the suite writes passes `fsr-opt audit RUN_DIR` (issue 12)
# ---------------------------------------------------------------------------------------------

# The audit wraps `pipeline.run_solve` once, when this conftest loads: before any test module
# is imported (a module that imports run_solve by name, such as web.downloads, region or a test
# module, binds the wrapper) and before any fixture runs, so the folders of module-scoped
# fixtures are audited too. A folder written by a subprocess or a worker process is not seen.
_FAILED_AUDITS: list[str] = []


def _solve_and_audit(real: Any) -> Any:
    def solve_and_audit(inputs: Any, out_dir: Path, **options: Any) -> Any:
        from fsr_opt.app import pipeline  # noqa: PLC0415

        run = real(inputs, out_dir, **options)
        folder = pipeline.load_run_folder(Path(out_dir))
        report = pipeline.run_audit(folder.inputs, folder.allocation,
                                    record=folder.record).report
        if not report.is_ok:
            _FAILED_AUDITS.append(
                f"{out_dir}: {[(v.check, v.subject) for v in report.violations]}")
        return run

    solve_and_audit.audits_run_folders = True  # type: ignore[attr-defined]
    return solve_and_audit


def _audit_every_run_folder() -> None:
    """Audit each folder `run_solve` writes, as `fsr-opt audit RUN_DIR` does, when written.

    Called when this conftest loads, which is before the conftests below it (tests/web's
    imports web.downloads) and before any test module.
    """
    from fsr_opt.app import pipeline  # noqa: PLC0415

    if not getattr(pipeline.run_solve, "audits_run_folders", False):
        pipeline.run_solve = _solve_and_audit(pipeline.run_solve)  # type: ignore[assignment]


_audit_every_run_folder()


@pytest.fixture(autouse=True)
def every_run_folder_passes_its_audit() -> Iterator[None]:
    """Fail the test during which (or during whose fixtures) a run folder failed its audit.

    The folder is audited at once, before the test may edit it on purpose: the rule set, the
    inputs and the overrides come from its run.json, the hashes are compared with the files.
    """
    yield
    failed = list(_FAILED_AUDITS)
    _FAILED_AUDITS.clear()
    assert not failed, "a run folder fails fsr-opt audit RUN_DIR: " + "; ".join(failed)
