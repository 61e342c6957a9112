"""The report's three formats: text for the terminal, JSON for scripts, Markdown for minutes."""

from __future__ import annotations

import json

import pytest

from fsr_opt.audit.codes import CheckCode
from fsr_opt.audit.registry import CHECKS
from fsr_opt.audit.render import FORMATS, render_audit
from fsr_opt.audit.run import audit_solution

from tests.audit.conftest import Example, audit_rows, failed, text_rows

ALL_CODES = set(CheckCode)


def test_the_three_formats(example: Example) -> None:
    awards = dict(example.awards)
    excluded = next(a for a in example.inputs.assessments if not a.eligible)
    awards[excluded.unit.unit_id] = 100
    report = audit_rows(example, text_rows(example, awards))
    last = f"checks run: {report.checks_run}, passed: {report.passed}, failed: {report.failed}"
    text = render_audit(report, "text")
    md = render_audit(report, "md")
    assert text.splitlines()[-1] == last == md.splitlines()[-1]
    assert "FAIL  INELIGIBLE_PAID" in text and excluded.unit.unit_id in text
    assert "| `INELIGIBLE_PAID` | **FAIL** |" in md
    document = json.loads(render_audit(report, "json"))
    assert render_audit(report, "json") == json.dumps(document, sort_keys=True, indent=2,
                                                      ensure_ascii=False) + "\n"
    assert (document["checks_run"], document["failed"], document["ok"]) == (
        report.checks_run, report.failed, False)
    assert {v["check"] for v in document["violations"]} == failed(report)
    assert {c["code"] for c in document["checks"]} | set(report.skipped) == ALL_CODES
    with pytest.raises(ValueError, match="unknown audit report format"):
        render_audit(report, "html")
    assert FORMATS == ("text", "json", "md")


def test_kinds_and_skipped_columns_come_from_the_registry(example: Example) -> None:
    report = audit_solution(example.inputs.assessments, example.rules, example.awards)
    document = json.loads(render_audit(report, "json"))
    certificates = {c.code for c in CHECKS if c.certificate}
    assert {c["code"] for c in document["checks"] if c["certificate"]} == certificates
    year = str(example.rules.history_year)
    assert {c["code"]: c["description"] for c in document["checks"]} == {
        c.code: c.description.replace("{history_year}", year)
        for c in CHECKS if c.code not in report.skipped}
    assert {s["code"]: s["reason"] for s in document["skipped"]} == {
        "ELIGIBLE_MISMATCH": "the allocation has no eligible column",
        "ENTITLEMENT_MISMATCH": "the allocation has no entitlement column",
        "SHARE_MISMATCH": "the allocation has no share column",
        "TRANCHES": "the allocation has no tranches column",
        "AWARD_PARTS": "the allocation has no parts column",
        "RESIDUAL_SHARE_MISMATCH": "the allocation has no residual_share column",
        "INPUT_CHANGED": "not a run folder: no run.json records the inputs",
    }
    text = render_audit(report, "text")
    width = max(len(code) for code in CheckCode)
    assert f"SKIP  {'TRANCHES':<{width}}  no tranches column in the allocation" in text
    assert "| `TRANCHES` | skipped | | | no `tranches` column |" in render_audit(report, "md")
