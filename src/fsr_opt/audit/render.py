"""The audit report as text (terminal), JSON (scripts) or Markdown (minutes).

Text and Markdown end with the line ``checks run: N, passed: P, failed: F``; JSON is
deterministic (sorted keys, no clock), so the same allocation always gives the same
``audit.json`` bytes. Violations are shown as findings (`fsr_opt.audit.findings`): each cause
with the violations it explains counted under it; JSON keeps the full list too.
"""

from __future__ import annotations

import json
from typing import Any

from fsr_opt.audit.registry import CHECKS, RUN_RECORD, check_of
from fsr_opt.audit.report import FORMATS, AuditReport, Violation
from fsr_opt.audit.wording import euros

__all__ = ["FORMATS", "render_audit"]



def _last_line(report: AuditReport) -> str:
    return f"checks run: {report.checks_run}, passed: {report.passed}, failed: {report.failed}"


def _violation(v: Violation) -> dict[str, Any]:
    return {"check": v.check, "subject": v.subject, "expected": v.expected, "actual": v.actual,
            "message": v.message, "unit": v.unit, "area": v.area, "service": v.service,
            "to_service": v.to_service, "row": v.row}


def _document(report: AuditReport) -> dict[str, Any]:
    return {
        "allocation": {"source": report.source, "sha256": report.sha256, "rows": report.rows},
        "rule_set": report.rule_set,
        "units": report.units,
        "areas": [
            {"area": t.area, "budget": euros(t.budget), "awarded": euros(t.awarded),
             "residual": euros(t.residual), "left": euros(t.left)}
            for t in report.areas
        ],
        "checks": [
            {"code": r.code, "description": r.description, "checked": r.checked,
             "failed": r.failed, "passed": r.passed,
             "certificate": check_of(r.code).certificate}
            for r in report.results
        ],
        "skipped": [
            {"code": code, "reason": check_of(code).skip_reason} for code in report.skipped
        ],
        "violations": [_violation(v) for v in report.violations],
        "findings": [
            {"cause": _violation(f.cause),
             "consequences": [_violation(v) for v in f.consequences]}
            for f in report.findings
        ],
        "notes": list(report.notes),
        "checks_run": report.checks_run,
        "passed": report.passed,
        "failed": report.failed,
        "ok": report.is_ok,
    }


def _render_text(report: AuditReport) -> str:
    lines = [
        f"audit of {report.source} ({report.rows} rows) against rule set {report.rule_set}, "
        f"{report.units} units",
        "",
        f"{'area':<20}{'budget':>14}{'awarded':>14}{'residual':>14}{'left':>14}",
    ]
    lines += [f"{t.area:<20}{euros(t.budget):>14}{euros(t.awarded):>14}"
              f"{euros(t.residual):>14}{euros(t.left):>14}" for t in report.areas]
    lines += [f"note: {note}" for note in report.notes]
    lines.append("")
    width = max(len(check.code) for check in CHECKS)
    for result in report.results:
        status = "PASS" if result.passed else "FAIL"
        count = (f"{result.checked} checked" if result.passed
                 else f"{result.failed} violation{'s' if result.failed != 1 else ''} in "
                 f"{result.checked} checked")
        lines.append(f"{status}  {result.code:<{width}}  {result.description} ({count})")
    for code in report.skipped:
        lines.append(f"SKIP  {code:<{width}}  {check_of(code).skip_line}")
    if report.violations:
        lines += ["", f"findings ({len(report.findings)}, explaining "
                  f"{len(report.violations)} violations):"]
        for number, finding in enumerate(report.findings, 1):
            v = finding.cause
            lines.append(f"  {number}. {v.check}  {v.subject}: expected {v.expected}, "
                         f"actual {v.actual}")
            lines.append(f"      {v.message}")
            if finding.consequences:
                lines.append(f"      and {len(finding.consequences)} consequence"
                             f"{'s' if len(finding.consequences) != 1 else ''}:")
                lines += [f"        - {c.check}  {c.subject}: expected {c.expected}, "
                          f"actual {c.actual}" for c in finding.consequences]
    lines += ["", _last_line(report)]
    return "\n".join(lines) + "\n"


def _md_cell(text: object) -> str:
    return str(text).replace("|", "\\|").replace("\n", " ")


def _render_md(report: AuditReport) -> str:
    lines = [
        f"# Audit of `{report.source}`",
        "",
        f"Rule set {report.rule_set}; {report.units} units; {report.rows} allocation rows.",
        "",
        "| area | budget | awarded | residual | left |",
        "|---|---:|---:|---:|---:|",
    ]
    lines += [f"| {t.area} | {euros(t.budget)} | {euros(t.awarded)} | {euros(t.residual)} | "
              f"{euros(t.left)} |" for t in report.areas]
    if report.notes:
        lines += ["", *[f"- {_md_cell(note)}" for note in report.notes]]
    lines += ["", "## Checks", "", "| check | result | checked | violations | rule |",
              "|---|---|---:|---:|---|"]
    for result in report.results:
        lines.append(f"| `{result.code}` | {'pass' if result.passed else '**FAIL**'} | "
                     f"{result.checked} | {result.failed} | {_md_cell(result.description)} |")
    for code in report.skipped:
        check = check_of(code)
        reason = (f"no `{check.column}` column" if check.column != RUN_RECORD
                  else check.skip_reason)
        lines.append(f"| `{code}` | skipped | | | {_md_cell(reason)} |")
    if report.violations:
        lines += ["", "## Findings", "",
                  "| # | check | subject | expected | actual | detail |",
                  "|---:|---|---|---|---|---|"]
        for number, finding in enumerate(report.findings, 1):
            v = finding.cause
            detail = v.message
            if finding.consequences:
                detail += "; consequences: " + "; ".join(
                    f"{c.check} {c.subject}" for c in finding.consequences)
            lines.append(f"| {number} | `{v.check}` | {_md_cell(v.subject)} | "
                         f"{_md_cell(v.expected)} | {_md_cell(v.actual)} | "
                         f"{_md_cell(detail)} |")
    lines += ["", _last_line(report)]
    return "\n".join(lines) + "\n"


def render_audit(report: AuditReport, fmt: str) -> str:
    """Render the report as ``text`` (terminal), ``json`` (scripts) or ``md`` (minutes).

    Raises:
        ValueError: for a format not in `FORMATS`.
    """
    if fmt == "text":
        return _render_text(report)
    if fmt == "md":
        return _render_md(report)
    if fmt == "json":
        return json.dumps(_document(report), sort_keys=True, indent=2, ensure_ascii=False) + "\n"
    raise ValueError(f"unknown audit report format '{fmt}': use one of {', '.join(FORMATS)}")
