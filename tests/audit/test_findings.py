"""One edited cell, one finding: the first finding names what was edited.

Each test edits one cell of the bundled example's riparto (an award raised or lowered by
1,000 EUR, set to 0, given to an excluded unit), as allocation.csv has it or as a hand-made
riparto with only unit_id and award, and checks that the audit's first finding names the
edited unit, with the other violations counted under it. A riparto made with another fund
gives one finding per area.
"""

from __future__ import annotations

import csv
from pathlib import Path

import pytest

from fsr_opt.app.pipeline import load_inputs
from fsr_opt.audit.allocation import parse_allocation
from fsr_opt.audit.codes import CheckCode
from fsr_opt.audit.findings import Finding, group_findings
from fsr_opt.audit.render import render_audit
from fsr_opt.audit.report import AuditReport, Violation
from fsr_opt.audit.run import audit
from fsr_opt.core.money import format_cents

from tests.audit.conftest import Example


def _rows(path: Path) -> list[dict[str, str]]:
    with path.open(encoding="utf-8", newline="") as handle:
        return [{"__row__": str(n), **row}
                for n, row in enumerate(csv.DictReader(handle), start=2)]


def _cents(text: str) -> int:
    whole, _, part = text.partition(".")
    return int(whole) * 100 + int(part or 0)


def _edited(rows: list[dict[str, str]], unit_id: str, award: int) -> list[dict[str, str]]:
    """The rows with one cell changed: the unit's award (its parts and tranches untouched)."""
    return [{**row, "award": format_cents(award)} if row["unit_id"] == unit_id else row
            for row in rows]


def _audit(example: Example, rows: list[dict[str, str]], columns: list[str]) -> AuditReport:
    chosen = [{"__row__": row["__row__"], **{c: row[c] for c in columns}} for row in rows]
    return audit(example.inputs.assessments, example.rules,
                 parse_allocation(columns, chosen, "allocation.csv"))


@pytest.fixture(scope="module")
def rows(solved: Path) -> list[dict[str, str]]:
    return _rows(solved / "allocation.csv")


def _edits(rows: list[dict[str, str]]) -> list[tuple[str, int]]:
    """One edit of each kind per service line: +1,000 EUR, -1,000 EUR (or to 0), to 0; and an
    excluded unit paid 500 EUR."""
    edits: list[tuple[str, int]] = []
    lines: dict[str, list[dict[str, str]]] = {}
    for row in rows:
        if _cents(row["award"]) > 0:
            lines.setdefault(row["service"], []).append(row)
    for funded in lines.values():
        row = funded[len(funded) // 2]
        award = _cents(row["award"])
        edits += [(row["unit_id"], award + 100_000),
                  (row["unit_id"], award - 100_000 if award > 130_000 else 0),
                  (row["unit_id"], 0)]
    excluded = next(row for row in rows if row["eligible"] == "false")
    edits.append((excluded["unit_id"], 50_000))
    return sorted(set(edits))


@pytest.mark.parametrize("columns", [
    "ours", ["unit_id", "award"], ["unit_id", "award", "share", "tranche_1", "tranche_2"]])
def test_each_single_edit_is_the_first_finding(
    example: Example, rows: list[dict[str, str]], columns: str | list[str]
) -> None:
    headings = [h for h in rows[0] if h != "__row__"] if columns == "ours" else list(columns)
    assert _audit(example, rows, headings).is_ok
    edits = _edits(rows)
    assert len(edits) >= 30
    for unit_id, award in edits:
        report = _audit(example, _edited(rows, unit_id, award), headings)
        assert not report.is_ok, (unit_id, award)
        first = report.findings[0]
        assert first.cause.unit == unit_id, (unit_id, award, render_audit(report, "text"))
        # every violation is in one finding, and the edit is one finding but for the units
        # that a changed line total now lets in or keeps out (never more than a few)
        assert sum(f.violations for f in report.findings) == len(report.violations)
        assert len(report.findings) <= 3, (unit_id, award, render_audit(report, "text"))


def test_raising_one_award_by_1000_euros_is_one_finding(
    example: Example, rows: list[dict[str, str]]
) -> None:
    # The case: one award of a large line raised by 1,000 EUR, in a riparto with only
    # unit_id and award. Before: 86 violations of EQUAL_SHARE and SHARE_MISMATCH on untouched
    # units. Now: the unit's EQUAL_SHARE, its area over budget counted under it.
    line = [r for r in rows if r["service"] == "prima_infanzia" and _cents(r["award"]) > 0]
    unit_id = line[len(line) // 2]["unit_id"]
    edited = _edited(rows, unit_id, _cents(line[len(line) // 2]["award"]) + 100_000)
    report = _audit(example, edited, ["unit_id", "award"])
    assert len(report.findings) == 1
    (finding,) = report.findings
    assert (finding.cause.check, finding.cause.unit) == ("EQUAL_SHARE", unit_id)
    assert [v.check for v in finding.consequences] == ["AREA_BUDGET"]
    text = render_audit(report, "text")
    assert "finding (1, explaining 2 violations):" in text
    assert f"1. EQUAL_SHARE  unit {unit_id}" in text and "- AREA_BUDGET  area minori" in text


def test_a_riparto_made_with_another_fund_is_one_finding_per_area(tmp_path: Path) -> None:
    # Solved with --budget 850000 and audited against the rule set's fund: every area leaves
    # money (a changed area total); its lines that could take it are counted under it.
    inputs = load_inputs(None, None, [("fund", "850000")])
    from fsr_opt.app.pipeline import run_solve  # noqa: PLC0415

    run = run_solve(inputs, tmp_path / "cut")
    bundled = load_inputs(None, None)
    rows = _rows(run.out_dir / "allocation.csv")
    headings = [h for h in rows[0] if h != "__row__"]
    chosen = [{"__row__": r["__row__"], **{c: r[c] for c in headings}} for r in rows]
    report = audit(bundled.assessments, bundled.rules,
                   parse_allocation(headings, chosen, "allocation.csv"))
    assert [f.cause.area for f in report.findings] == ["minori", "disabili", "anziani"]
    assert all(f.cause.unit is None for f in report.findings)
    assert all(v.area == f.cause.area for f in report.findings for v in f.consequences)
    assert sum(f.violations for f in report.findings) == len(report.violations) > 3


def _violation(check: CheckCode, *, unit: str | None = None, area: str | None = None,
               service: str | None = None, to_service: str | None = None) -> Violation:
    return Violation(check, "x", "e", "a", "m", unit=unit, area=area, service=service,
                     to_service=to_service)


def test_grouping_rules() -> None:
    changed = _violation(CheckCode.INPUT_CHANGED)
    budget = _violation(CheckCode.BUDGETS_ADD_UP)
    over = _violation(CheckCode.AREA_BUDGET, area="a")
    off = _violation(CheckCode.EQUAL_SHARE, unit="U", area="a", service="s")
    other = _violation(CheckCode.EQUAL_SHARE, unit="V", area="a", service="t")
    pays = _violation(CheckCode.TRANCHES, unit="U")
    transfer = _violation(CheckCode.TRANSFER_IMPROVES, area="a", service="u", to_service="t")
    left_b = _violation(CheckCode.MONEY_LEFT, area="b", service="w")
    left_b2 = _violation(CheckCode.RESIDUAL_LEFT, area="b")
    found = group_findings([changed, over, budget, off, other, transfer, pays, left_b,
                            left_b2])
    assert found == (
        Finding(changed),
        Finding(off, (over, pays)),          # U's own violations; its area's under the first
        Finding(other, (transfer,)),         # a transfer naming V's line goes to V
        Finding(left_b, (left_b2,)),         # no unit in area b: one finding for the area
        Finding(budget),                     # about no unit and no area
    )
    assert [f.violations for f in found] == [1, 3, 2, 2, 1]
    assert group_findings([]) == ()
