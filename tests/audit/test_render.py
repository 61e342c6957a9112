"""The report's three formats: text for the terminal, JSON for scripts, Markdown for minutes."""

from __future__ import annotations

import json
from dataclasses import replace

import pytest

from fsr_opt.audit import render
from fsr_opt.audit.codes import CheckCode
from fsr_opt.audit.findings import Finding
from fsr_opt.audit.registry import CHECKS
from fsr_opt.audit.render import FORMATS, render_audit
from fsr_opt.audit.report import AreaTotal, AuditReport, CheckResult, Violation
from fsr_opt.audit.run import audit_solution
from fsr_opt.core.i18n import use_language

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
        "PAYMENTS_MISMATCH": "no payments.csv beside the allocation in a run folder",
        "SUMMARY_MISMATCH": "no summary.csv beside the allocation in a run folder",
        "WORKBOOK_MISMATCH": "no allocation.xlsx beside the allocation in a run folder",
    }
    text = render_audit(report, "text")
    width = max(len(code) for code in CheckCode)
    assert f"SKIP  {'TRANCHES':<{width}}  no tranches column in the allocation" in text
    assert "| `TRANCHES` | skipped | | | no `tranches` column |" in render_audit(report, "md")
    assert (f"SKIP  {'SUMMARY_MISMATCH':<{width}}  no summary.csv beside the allocation in a "
            "run folder") in text
    assert ("| `SUMMARY_MISMATCH` | skipped | | | no summary.csv beside the allocation in a run "
            "folder |") in render_audit(report, "md")


# ---------------------------------------------------------------------------------------------
# A report made by hand, rendered whole: every heading, width, figure and word
# ---------------------------------------------------------------------------------------------


def _hand_made_report() -> AuditReport:
    """Two areas (one over its budget), three checks run (one failed), two skipped."""
    cause = Violation(CheckCode.BELOW_MINIMUM, "unit U1 (row 2)", "0.00 or at least 300.00",
                      "299.99", "unit U1 è sotto | il minimo", unit="U1", area="minori",
                      service="s", row=2)
    consequence = Violation(CheckCode.AREA_BUDGET, "area a", "at most 1.00", "1.50",
                            "area a: over", area="a", to_service="t")
    return AuditReport(
        source="riparto.csv", sha256="ab" * 32, rule_set="tiny vtest", units=3, rows=4,
        areas=(AreaTotal("minori", 123456789, 123000000, 456), AreaTotal("a", 100, 150)),
        results=(CheckResult(CheckCode.UNIT_MISSING, "every unit has a row", 3, 0),
                 CheckResult(CheckCode.BELOW_MINIMUM, "0 or the minimum", 3, 2),
                 CheckResult(CheckCode.MONEY_LEFT, "no money | left", 1, 0)),
        skipped=(CheckCode.TRANCHES, CheckCode.INPUT_CHANGED),
        violations=(cause, consequence),
        findings=(Finding(cause, (consequence,)),),
        notes=("area a: 0.50 EUR | stay\nunassigned",))


def test_the_text_report_lays_out_areas_checks_skips_and_findings() -> None:
    width = max(len(code) for code in CheckCode)  # 23, RESIDUAL_SHARE_MISMATCH

    def code(name: str) -> str:
        return f"{name:<{width}}"

    assert render_audit(_hand_made_report(), "text") == "\n".join([
        "audit of riparto.csv (4 rows) against rule set tiny vtest, 3 units",
        "",
        "area                        budget from the riparto      residual     unassigned",
        "minori                1,234,567.89     1,230,000.00          4.56       4,563.33",
        "a                             1.00             1.50          0.00          -0.50",
        "note: area a: 0.50 EUR | stay\nunassigned",
        "",
        f"PASS  {code('UNIT_MISSING')}  every unit has a row (3 checked)",
        f"FAIL  {code('BELOW_MINIMUM')}  0 or the minimum (2 violations in 3 checked)",
        f"PASS  {code('MONEY_LEFT')}  no money | left (1 checked)",
        f"SKIP  {code('TRANCHES')}  no tranches column in the allocation",
        f"SKIP  {code('INPUT_CHANGED')}  not a run folder: no run.json records the inputs",
        "",
        "finding (1, explaining 2 violations):",
        "  1. BELOW_MINIMUM  unit U1 (row 2): expected 0.00 or at least 300.00, actual 299.99",
        "      unit U1 è sotto | il minimo",
        "      and 1 consequence:",
        "        - AREA_BUDGET  area a: expected at most 1.00, actual 1.50",
        "",
        "checks run: 3, passed: 2, failed: 1",
    ]) + "\n"


def test_the_markdown_report_escapes_its_cells_and_lists_the_consequences() -> None:
    assert render_audit(_hand_made_report(), "md") == "\n".join([
        "# Audit of `riparto.csv`",
        "",
        "Rule set tiny vtest; 3 units; 4 allocation rows.",
        "",
        "| area | budget | from the riparto | residual | unassigned |",
        "|---|---:|---:|---:|---:|",
        "| minori | 1,234,567.89 | 1,230,000.00 | 4.56 | 4,563.33 |",
        "| a | 1.00 | 1.50 | 0.00 | -0.50 |",
        "",
        "- area a: 0.50 EUR \\| stay unassigned",
        "",
        "## Checks",
        "",
        "| check | result | checked | violations | rule |",
        "|---|---|---:|---:|---|",
        "| `UNIT_MISSING` | pass | 3 | 0 | every unit has a row |",
        "| `BELOW_MINIMUM` | **FAIL** | 3 | 2 | 0 or the minimum |",
        "| `MONEY_LEFT` | pass | 1 | 0 | no money \\| left |",
        "| `TRANCHES` | skipped | | | no `tranches` column |",
        "| `INPUT_CHANGED` | skipped | | | not a run folder: no run.json records the inputs |",
        "",
        "## Findings",
        "",
        "| # | check | subject | expected | actual | detail |",
        "|---:|---|---|---|---|---|",
        "| 1 | `BELOW_MINIMUM` | unit U1 (row 2) | 0.00 or at least 300.00 | 299.99 | unit U1 "
        "è sotto \\| il minimo; consequences: AREA_BUDGET area a |",
        "",
        "checks run: 3, passed: 2, failed: 1",
    ]) + "\n"


def test_an_area_row_ends_with_its_name_after_the_figures() -> None:
    report = replace(_hand_made_report(), areas=(
        AreaTotal("minori", 123456789, 123000000, 456, "Area Minori e Famiglia"),
        AreaTotal("a", 100, 150)))
    with use_language("it"):
        text = render_audit(report, "text").splitlines()
        md = render_audit(report, "md")
    assert text[2].split()[-4:] == ["residui", "non", "assegnato", "nome"]
    assert "rimasto" not in text[2] and "dal riparto" in text[2]
    assert text[3].endswith("4.563,33  Area Minori e Famiglia")
    assert text[4].endswith("-0,50")  # no name: the row ends with its figures
    assert len(text[3]) - len("  Area Minori e Famiglia") == len(text[4])
    assert "| 4.563,33 | Area Minori e Famiglia |" in md and "| -0,50 | a |" in md


def test_a_report_without_notes_or_violations_has_no_such_sections() -> None:
    report = replace(_hand_made_report(), violations=(), findings=(), notes=(), skipped=(),
                     results=(CheckResult(CheckCode.UNIT_MISSING, "every unit has a row", 3, 0),))
    text = render_audit(report, "text").splitlines()
    assert text[4:] == ["a                             1.00             1.50          0.00"
                        "          -0.50", "",
                        f"PASS  {'UNIT_MISSING':<23}  every unit has a row (3 checked)", "",
                        "checks run: 1, passed: 1, failed: 0"]
    md = render_audit(report, "md").splitlines()
    assert md[7:] == ["| a | 1.00 | 1.50 | 0.00 | -0.50 |", "", "## Checks", "",
                      "| check | result | checked | violations | rule |",
                      "|---|---|---:|---:|---|", "| `UNIT_MISSING` | pass | 3 | 0 | every unit "
                      "has a row |", "", "checks run: 1, passed: 1, failed: 0"]


def test_the_json_report_holds_every_field_sorted_and_unescaped() -> None:
    cause = {"check": "BELOW_MINIMUM", "subject": "unit U1 (row 2)",
             "expected": "0.00 or at least 300.00", "actual": "299.99",
             "message": "unit U1 è sotto | il minimo", "unit": "U1", "area": "minori",
             "service": "s", "to_service": None, "row": 2}
    consequence = {"check": "AREA_BUDGET", "subject": "area a", "expected": "at most 1.00",
                   "actual": "1.50", "message": "area a: over", "unit": None, "area": "a",
                   "service": None, "to_service": "t", "row": None}
    document = {
        "allocation": {"source": "riparto.csv", "sha256": "ab" * 32, "rows": 4},
        "rule_set": "tiny vtest",
        "units": 3,
        "areas": [{"area": "minori", "budget": "1234567.89", "awarded": "1230000.00",
                   "residual": "4.56", "left": "4563.33"},
                  {"area": "a", "budget": "1.00", "awarded": "1.50", "residual": "0.00",
                   "left": "-0.50"}],
        "checks": [
            {"code": "UNIT_MISSING", "description": "every unit has a row", "checked": 3,
             "failed": 0, "passed": True, "certificate": False},
            {"code": "BELOW_MINIMUM", "description": "0 or the minimum", "checked": 3,
             "failed": 2, "passed": False, "certificate": False},
            {"code": "MONEY_LEFT", "description": "no money | left", "checked": 1,
             "failed": 0, "passed": True, "certificate": True}],
        "skipped": [{"code": "TRANCHES", "reason": "the allocation has no tranches column"},
                    {"code": "INPUT_CHANGED",
                     "reason": "not a run folder: no run.json records the inputs"}],
        "violations": [cause, consequence],
        "findings": [{"cause": cause, "consequences": [consequence]}],
        "notes": ["area a: 0.50 EUR | stay\nunassigned"],
        "checks_run": 3,
        "passed": 2,
        "failed": 1,
        "ok": False,
    }
    rendered = render_audit(_hand_made_report(), "json")
    assert json.loads(rendered) == document
    assert rendered == json.dumps(document, sort_keys=True, indent=2, ensure_ascii=False) + "\n"


def test_the_rules_of_the_checks_are_in_the_language_of_the_run() -> None:
    # In English the report's own description (test above); in Italian the catalogue's words,
    # the statuses as wide as the widest ("SALTATA"); the report's description for a code
    # without words of its own.
    report = _hand_made_report()
    with use_language("it"):
        text = render_audit(report, "text").splitlines()
        md = render_audit(report, "md").splitlines()
    assert text[8:13] == [
        "OK       UNIT_MISSING             ogni unità della tabella ha una riga nel riparto "
        "(3 verificati)",
        "VIOLATA  BELOW_MINIMUM            ogni contributo è 0 oppure almeno il contributo "
        "minimo (2 violazioni su 3 verificati)",
        "OK       MONEY_LEFT               nessuna area lascia fondi che una sua linea potrebbe "
        "ricevere (1 verificato)",
        "SALTATA  TRANCHES                 il riparto non ha la colonna tranches",
        "SALTATA  INPUT_CHANGED            non è una cartella dei risultati: nessun run.json "
        "registra i dati usati",
    ]
    assert md[15:17] == [
        "| `UNIT_MISSING` | superata | 3 | 0 | ogni unità della tabella ha una riga nel riparto |",
        "| `BELOW_MINIMUM` | **VIOLATA** | 3 | 2 | ogni contributo è 0 oppure almeno il contributo "
        "minimo |",
    ]
    with use_language("it"), pytest.MonkeyPatch.context() as patch:
        patch.setattr(render, "has_text", lambda key: key != "check.UNIT_MISSING")
        text = render_audit(report, "text").splitlines()
    assert text[8] == "OK       UNIT_MISSING             every unit has a row (3 verificati)"


def test_an_unknown_format_is_refused_naming_the_three_known_ones() -> None:
    with pytest.raises(ValueError) as refused:
        render_audit(_hand_made_report(), "html")
    assert str(refused.value) == "unknown audit report format 'html': use one of text, json, md"


def test_the_consequences_of_a_finding_are_listed_in_one_markdown_cell() -> None:
    report = _hand_made_report()
    (finding,) = report.findings
    second = Violation(CheckCode.EQUAL_SHARE, "unit U2 (row 3)", "1.00 +/- 0.01", "2.00", "off")
    report = replace(report, findings=(Finding(finding.cause,
                                               (*finding.consequences, second)),))
    assert render_audit(report, "md").splitlines()[-3] == (
        "| 1 | `BELOW_MINIMUM` | unit U1 (row 2) | 0.00 or at least 300.00 | 299.99 | unit U1 "
        "è sotto \\| il minimo; consequences: AREA_BUDGET area a; EQUAL_SHARE unit U2 (row 3) |")


@pytest.mark.parametrize("longest", ["PASS", "FAIL", "SKIP"])
def test_the_statuses_are_as_wide_as_the_longest_word_for_any_of_them(longest: str) -> None:
    # A language whose word for one status is longer than the others' (Italian's SALTATA
    # for SKIP) pads the others to it, so the codes stay in one column.
    report = _hand_made_report()
    words = {longest: "LONGWORD"}
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(render, "_", lambda message: words.get(message, message))
        lines = render_audit(report, "text").splitlines()[8:13]
    status = {"PASS": "PASS", "FAIL": "FAIL", "SKIP": "SKIP", longest: "LONGWORD"}
    assert [line[:10] for line in lines] == [
        f"{status['PASS']:<8}  ", f"{status['FAIL']:<8}  ", f"{status['PASS']:<8}  ",
        f"{status['SKIP']:<8}  ", f"{status['SKIP']:<8}  "]
    assert all(line[10:].startswith(code) for line, code in zip(
        lines, ["UNIT_MISSING", "BELOW_MINIMUM", "MONEY_LEFT", "TRANCHES", "INPUT_CHANGED"],
        strict=True))


def test_the_json_report_describes_each_check_in_the_language_of_the_run() -> None:
    report = replace(_hand_made_report(), results=(
        CheckResult(CheckCode.UNIT_MISSING, "every unit has a row", 3, 0),))
    with use_language("it"):
        italian = json.loads(render_audit(report, "json"))["checks"][0]["description"]
    with use_language("en"):
        english = json.loads(render_audit(report, "json"))["checks"][0]["description"]
    assert english == "every unit has a row"
    assert italian != english and "unità" in italian


def test_a_check_with_nothing_to_check_says_so(example: Example) -> None:
    """The residual checks of a riparto that leaves nothing: not "(0 checked)"."""
    report = audit_rows(example, text_rows(example, dict(example.awards)))
    idle = [r.code for r in report.results if r.checked == 0]
    assert idle
    text = render_audit(report, "text")
    for code in idle:
        (line,) = [line for line in text.splitlines() if f" {code} " in line]
        assert line.endswith("(nothing to check)"), line
    assert "(0 checked)" not in text
    with use_language("it"):
        assert "(nessun caso da verificare)" in render_audit(report, "text")
