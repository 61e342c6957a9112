"""The audit report as text (terminal), JSON (scripts) or Markdown (minutes).

Text and Markdown end with the line ``checks run: N, passed: P, failed: F``; JSON is
deterministic (sorted keys, no clock), so the same allocation always gives the same
``audit.json`` bytes. Violations are shown as findings (`fsr_opt.audit.findings`): each cause
with the violations it explains counted under it; JSON keeps the full list too.
"""

from __future__ import annotations

import json
from typing import Any

from fsr_opt.audit.codes import CheckCode
from fsr_opt.audit.registry import CHECKS, OUTPUT_FILES, RUN_RECORD, check_of
from fsr_opt.audit.report import FORMATS, AuditReport, Violation
from fsr_opt.core.i18n import SOURCE_LANGUAGE, _, current_language, ngettext
from fsr_opt.core.money import format_cents
from fsr_opt.core.words import has_text, money, text

__all__ = ["FORMATS", "render_audit"]


def _units(count: int) -> str:
    return ngettext("{count} unit", "{count} units", count).format(count=count)


def _violations(count: int) -> str:
    return ngettext("{count} violation", "{count} violations", count).format(count=count)


def _last_line(report: AuditReport) -> str:
    return _("checks run: {run}, passed: {passed}, failed: {failed}").format(
        run=report.checks_run, passed=report.passed, failed=report.failed)


def _description(code: str, description: str) -> str:
    """The rule of a check in the language of the run (the registry's English otherwise)."""
    key = f"check.{code}"
    if current_language() == SOURCE_LANGUAGE or not has_text(key):
        return description
    return text(key)


def _violation(v: Violation) -> dict[str, Any]:
    """A violation for audit.json: its figures as the check compared them (a share's ratio)."""
    expected = v.expected if v.expected_exact is None else v.expected_exact
    actual = v.actual if v.actual_exact is None else v.actual_exact
    return {"check": v.check, "subject": v.subject, "expected": expected, "actual": actual,
            "message": v.message, "unit": v.unit, "area": v.area, "service": v.service,
            "to_service": v.to_service, "row": v.row}


def _document(report: AuditReport) -> dict[str, Any]:
    return {
        "allocation": {"source": report.source, "sha256": report.sha256, "rows": report.rows},
        "rule_set": report.rule_set,
        "units": report.units,
        "areas": [
            {"area": t.area, "budget": format_cents(t.budget),
             "awarded": format_cents(t.awarded), "residual": format_cents(t.residual),
             "left": format_cents(t.left)}
            for t in report.areas
        ],
        "checks": [
            {"code": r.code, "description": _description(r.code, r.description),
             "checked": r.checked,
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
        _("audit of {source} ({rows}) against rule set {rule_set}, {units}").format(
            source=report.source,
            rows=ngettext("{count} row", "{count} rows", report.rows).format(count=report.rows),
            rule_set=report.rule_set, units=_units(report.units)),
        "",
        "".join(f"{heading:{width}}" for heading, width in (
            (_("area"), "<20"), (_("budget"), ">14"), (_("from the riparto"), ">17"),
            (_("residual"), ">14"), (_("unassigned"), ">15"))).rstrip()
        + (f"  {_('name')}" if any(t.label for t in report.areas) else ""),
    ]
    for t in report.areas:
        row = (f"{t.area:<20}{money(t.budget):>14}{money(t.awarded):>17}"
               f"{money(t.residual):>14}{money(t.left):>15}")
        # the code leads the row (the rule set's key), its name follows the figures
        lines.append(f"{row}  {t.label}" if t.label and t.label != t.area else row)
    lines += [_("note: {note}").format(note=note) for note in report.notes]
    lines.append("")
    width = max(len(check.code) for check in CHECKS)
    passed, failed, skipped = _("PASS"), _("FAIL"), _("SKIP")
    status_width = max(len(passed), len(failed), len(skipped))
    for result in report.results:
        status = passed if result.passed else failed
        checked = (ngettext("{count} checked", "{count} checked", result.checked).format(
            count=result.checked) if result.checked else _("nothing to check"))
        count = (checked if result.passed else _("{violations} in {checked}").format(
            violations=_violations(result.failed), checked=checked))
        lines.append(f"{status:<{status_width}}  {result.code:<{width}}  "
                     f"{_description(result.code, result.description)} ({count})")
    for code in report.skipped:
        lines.append(f"{skipped:<{status_width}}  {code:<{width}}  {_skip_line(code)}")
    if report.violations:
        lines += ["", ngettext("finding ({findings}, explaining {violations}):",
                               "findings ({findings}, explaining {violations}):",
                               len(report.findings)).format(
            findings=len(report.findings), violations=_violations(len(report.violations)))]
        for number, finding in enumerate(report.findings, 1):
            v = finding.cause
            lines.append(f"  {number}. {v.check}  " + _(
                "{subject}: expected {expected}, actual {actual}").format(
                subject=v.subject, expected=v.expected, actual=v.actual))
            lines.append(f"      {v.message}")
            if finding.consequences:
                lines.append("      " + ngettext(
                    "and {count} consequence:", "and {count} consequences:",
                    len(finding.consequences)).format(count=len(finding.consequences)))
                lines += [f"        - {c.check}  " + _(
                    "{subject}: expected {expected}, actual {actual}").format(
                    subject=c.subject, expected=c.expected, actual=c.actual)
                    for c in finding.consequences]
    lines += ["", _last_line(report)]
    return "\n".join(lines) + "\n"


def _skip_line(code: CheckCode) -> str:
    check = check_of(code)
    if check.column == RUN_RECORD:
        return _("not a run folder: no run.json records the inputs")
    if check.column in OUTPUT_FILES:
        return _("no {file} beside the allocation in a run folder").format(file=check.column)
    return _("no {column} column in the allocation").format(column=check.column)


def _md_cell(text: object) -> str:
    return str(text).replace("|", "\\|").replace("\n", " ")


def _render_md(report: AuditReport) -> str:
    named = any(t.label and t.label != t.area for t in report.areas)
    lines = [
        "# " + _("Audit of {source}").format(source=f"`{report.source}`"),
        "",
        _("Rule set {rule_set}; {units}; {rows}.").format(
            rule_set=report.rule_set,
            units=_units(report.units),
            rows=ngettext("{count} allocation row", "{count} allocation rows",
                          report.rows).format(count=report.rows)),
        "",
        "| " + " | ".join((_("area"), _("budget"), _("from the riparto"), _("residual"),
                           _("unassigned"), *((_("name"),) if named else ()))) + " |",
        "|---|---:|---:|---:|---:|" + ("---|" if named else ""),
    ]
    lines += [f"| {t.area} | {money(t.budget)} | {money(t.awarded)} | {money(t.residual)} | "
              f"{money(t.left)} |" + (f" {_md_cell(t.label or t.area)} |" if named else "")
              for t in report.areas]
    if report.notes:
        lines += ["", *[f"- {_md_cell(note)}" for note in report.notes]]
    lines += ["", "## " + _("Checks"), "",
              "| " + " | ".join((_("check"), _("result"), _("checked"), _("violations"),
                                 _("rule"))) + " |",
              "|---|---|---:|---:|---|"]
    for result in report.results:
        outcome = _("pass") if result.passed else "**" + _("FAIL") + "**"
        lines.append(f"| `{result.code}` | {outcome} | {result.checked} | {result.failed} | "
                     f"{_md_cell(_description(result.code, result.description))} |")
    for code in report.skipped:
        check = check_of(code)
        reason = (_("no `{column}` column").format(column=check.column)
                  if check.column != RUN_RECORD and check.column not in OUTPUT_FILES
                  else _skip_line(code))
        skipped_word = _("skipped")  # outside the f-string, where xgettext finds it
        lines.append(f"| `{code}` | {skipped_word} | | | {_md_cell(reason)} |")
    if report.violations:
        lines += ["", "## " + _("Findings"), "",
                  "| # | " + " | ".join((_("check"), _("subject"), _("expected"), _("actual"),
                                         _("detail"))) + " |",
                  "|---:|---|---|---|---|---|"]
        for number, finding in enumerate(report.findings, 1):
            v = finding.cause
            detail = v.message
            if finding.consequences:
                detail += "; " + _("consequences: {list}").format(list="; ".join(
                    f"{c.check} {c.subject}" for c in finding.consequences))
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
