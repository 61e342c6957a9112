"""The audit report as text (terminal), JSON (scripts) or Markdown (minutes).

Text and Markdown end with the line ``checks run: N, passed: P, failed: F``; JSON is
deterministic (sorted keys, no clock), so the same allocation always gives the same
``audit.json`` bytes.
"""

from __future__ import annotations

import json
from typing import Any

from fsr_opt.audit.registry import CHECKS, check_of
from fsr_opt.audit.report import FORMATS, AuditReport
from fsr_opt.audit.wording import euros

__all__ = ["FORMATS", "render_audit"]



def _last_line(report: AuditReport) -> str:
    return f"checks run: {report.checks_run}, passed: {report.passed}, failed: {report.failed}"


def _document(report: AuditReport) -> dict[str, Any]:
    return {
        "allocation": {"source": report.source, "sha256": report.sha256, "rows": report.rows},
        "rule_set": report.rule_set,
        "units": report.units,
        "areas": [
            {"area": t.area, "budget": euros(t.budget), "awarded": euros(t.awarded),
             "left": euros(t.left)}
            for t in report.areas
        ],
        "checks": [
            {"code": r.code, "description": r.description, "checked": r.checked,
             "failed": r.failed, "passed": r.passed,
             "certificate": check_of(r.code).certificate}
            for r in report.results
        ],
        "skipped": [
            {"code": code, "reason": f"the allocation has no {check_of(code).column} column"}
            for code in report.skipped
        ],
        "violations": [
            {"check": v.check, "subject": v.subject, "expected": v.expected, "actual": v.actual,
             "message": v.message, "unit": v.unit, "area": v.area, "service": v.service,
             "to_service": v.to_service, "row": v.row}
            for v in report.violations
        ],
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
        f"{'area':<20}{'budget':>14}{'awarded':>14}{'left':>14}",
    ]
    lines += [f"{t.area:<20}{euros(t.budget):>14}{euros(t.awarded):>14}{euros(t.left):>14}"
              for t in report.areas]
    lines.append("")
    width = max(len(check.code) for check in CHECKS)
    for result in report.results:
        status = "PASS" if result.passed else "FAIL"
        count = (f"{result.checked} checked" if result.passed
                 else f"{result.failed} violation{'s' if result.failed != 1 else ''} in "
                 f"{result.checked} checked")
        lines.append(f"{status}  {result.code:<{width}}  {result.description} ({count})")
    for code in report.skipped:
        lines.append(
            f"SKIP  {code:<{width}}  no {check_of(code).column} column in the allocation")
    if report.violations:
        lines += ["", f"violations ({len(report.violations)}):"]
        for v in report.violations:
            lines.append(f"  {v.check}  {v.subject}: expected {v.expected}, actual {v.actual}")
            lines.append(f"      {v.message}")
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
        "| area | budget | awarded | left |",
        "|---|---:|---:|---:|",
    ]
    lines += [f"| {t.area} | {euros(t.budget)} | {euros(t.awarded)} | {euros(t.left)} |"
              for t in report.areas]
    lines += ["", "## Checks", "", "| check | result | checked | violations | rule |",
              "|---|---|---:|---:|---|"]
    for result in report.results:
        lines.append(f"| `{result.code}` | {'pass' if result.passed else '**FAIL**'} | "
                     f"{result.checked} | {result.failed} | {_md_cell(result.description)} |")
    for code in report.skipped:
        lines.append(f"| `{code}` | skipped | | | no `{check_of(code).column}` column |")
    if report.violations:
        lines += ["", "## Violations", "", "| check | subject | expected | actual | detail |",
                  "|---|---|---|---|---|"]
        lines += [f"| `{v.check}` | {_md_cell(v.subject)} | {_md_cell(v.expected)} | "
                  f"{_md_cell(v.actual)} | {_md_cell(v.message)} |" for v in report.violations]
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
