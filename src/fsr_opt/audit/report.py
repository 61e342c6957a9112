"""What the audit reports: each check's result, every violation, the areas' totals.

These are the fields of ``audit.json`` (`fsr_opt.audit.render`) and of the Verifiche sheet and
section of the reports for people; they are kept stable for the scripts that read them.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from fsr_opt.audit.codes import CheckCode

if TYPE_CHECKING:
    from fsr_opt.audit.findings import Finding

__all__ = ["FORMATS", "AreaTotal", "AuditReport", "CheckResult", "Violation"]

FORMATS = ("text", "json", "md")
"""The formats `audit.render.render_audit` writes a report in."""


@dataclass(frozen=True)
class Violation:
    """One thing wrong with the allocation.

    Attributes:
        check: the code of the failed check.
        subject: who is concerned, in words (``unit UDO1 (row 7)``, ``area minori``...).
        expected: what the rules require, as text (euros with two decimals).
        actual: what the allocation says.
        message: the explanation, with the figures an auditor needs to verify it by hand.
        unit, area, service: the unit id, area and service line concerned, when they apply
            (for a transfer, `service` gives the cent and `to_service` receives it).
        row: the 1-based row of the allocation file (header = row 1), when there is one.
        related: for a violation about no one unit (a row of payments.csv, a total), the
            units whose awards it adds up: it is a consequence of a finding about one of
            them (`fsr_opt.audit.findings`). Not part of audit.json.
        expected_exact, actual_exact: `expected` and `actual` as the check compared them,
            when people read them in another form (a share: the ratio ``0,090154``, shown
            as ``9,0154%``); audit.json writes these in their place.
    """

    check: CheckCode
    subject: str
    expected: str
    actual: str
    message: str
    unit: str | None = None
    area: str | None = None
    service: str | None = None
    row: int | None = None
    to_service: str | None = None
    related: frozenset[str] = frozenset()
    expected_exact: str | None = None
    actual_exact: str | None = None


@dataclass(frozen=True)
class CheckResult:
    """The outcome of one check.

    Attributes:
        code: the check's code.
        description: what the check verifies, in one line (`fsr_opt.audit.registry.Check`).
        checked: how many items (units, rows, areas, service lines) the check examined.
        failed: how many violations it found.
    """

    code: CheckCode
    description: str
    checked: int
    failed: int

    @property
    def passed(self) -> bool:
        """True when the check found no violation."""
        return self.failed == 0


@dataclass(frozen=True)
class AreaTotal:
    """An area's budget and what the allocation awards in it (cents).

    Attributes:
        awarded: the riparto's awards to the area's units (by the criteria).
        residual: the residual phase's awards to the area's units.
        label: the area's name in the rule set, for the screen (the code leads its row).
    """

    area: str
    budget: int
    awarded: int
    residual: int = 0
    label: str = field(default="", compare=False)

    @property
    def left(self) -> int:
        """Budget minus all awards: what stays unassigned in the area.

        Negative when the area receives more than its budget: over it, or given other areas'
        leftovers by a residual pool of the fund.
        """
        return self.budget - self.awarded - self.residual


@dataclass(frozen=True)
class AuditReport:
    """Everything the audit found, ready to render.

    Attributes:
        source: the allocation audited (a file name, or ``solve`` for our own result).
        sha256: the hash of the allocation file, if it came from a file.
        rule_set: ``id vVERSION`` of the rule set the allocation was checked against.
        units: number of units in the units table.
        rows: number of rows in the allocation.
        areas: budget and awards per area, in rule-set order.
        results: one result per check run, in running order (`registry.CHECKS`).
        skipped: the checks not run because the allocation lacks their column.
        violations: every violation, grouped by check in running order (`registry.CHECKS`).
        findings: the violations grouped by cause (`fsr_opt.audit.findings`): one per edited
            cell, its consequences counted under it.
        notes: what an auditor should know that breaks no rule: money left unassigned, and
            why, per residual pool.
    """

    source: str
    sha256: str
    rule_set: str
    units: int
    rows: int
    areas: tuple[AreaTotal, ...]
    results: tuple[CheckResult, ...]
    skipped: tuple[CheckCode, ...]
    violations: tuple[Violation, ...]
    findings: tuple[Finding, ...] = ()
    notes: tuple[str, ...] = ()

    @property
    def checks_run(self) -> int:
        """How many checks ran."""
        return len(self.results)

    @property
    def passed(self) -> int:
        """How many checks found no violation."""
        return sum(1 for result in self.results if result.passed)

    @property
    def failed(self) -> int:
        """How many checks found at least one violation."""
        return self.checks_run - self.passed

    @property
    def is_ok(self) -> bool:
        """True when every check passed (exit 0); False means exit 1."""
        return self.failed == 0

    @property
    def failed_codes(self) -> tuple[CheckCode, ...]:
        """The codes of the failed checks, in running order (`registry.CHECKS`)."""
        return tuple(result.code for result in self.results if not result.passed)

