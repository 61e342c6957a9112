"""The entry points: every registered check runs in order, on a file's rows or on a solve."""

from __future__ import annotations

import hashlib
from fractions import Fraction
from pathlib import Path

import pytest
from hypothesis import given

from fsr_opt.app.pipeline import load_inputs, run_audit
from fsr_opt.audit.registry import CHECKS
from fsr_opt.audit.render import render_audit
from fsr_opt.audit.run import audit_solution
from fsr_opt.core.words import money
from fsr_opt.engine.eligibility import assess, tranches
from fsr_opt.engine.outcomes import unit_outcomes
from fsr_opt.engine.solve import solve_riparto

from tests.audit.conftest import AUDIT_DOC, Example, audit_rows, failed, text_rows
from tests.conftest import table
from tests.engine.test_properties import Instance, instances, solve

# the checks of a run folder's other files: skipped for rows in memory and solves alike
FOLDER_FILES = ("PAYMENTS_MISMATCH", "SUMMARY_MISMATCH", "WORKBOOK_MISMATCH")


def test_the_solved_example_passes_every_check(example: Example) -> None:
    report = audit_rows(example, text_rows(example, example.awards))
    assert report.is_ok, render_audit(report, "text")
    # rows in memory: no run folder, so no run.json and none of its other files
    assert report.skipped == ("INPUT_CHANGED", "AWARD_PARTS", "SHARE_MISMATCH",
                              "RESIDUAL_SHARE_MISMATCH", *FOLDER_FILES)
    assert report.checks_run == len(CHECKS) - 7 == report.passed
    assert report.violations == ()
    assert {t.area: t.left for t in report.areas} == {"minori": 0, "disabili": 0, "anziani": 0}


def test_audit_solution_needs_no_file(example: Example) -> None:
    report = audit_solution(example.inputs.assessments, example.rules, example.awards)
    assert report.is_ok and report.source == "solve"  # how the report names our own result
    assert set(report.skipped) == {"ELIGIBLE_MISMATCH", "ENTITLEMENT_MISMATCH",
                                   "SHARE_MISMATCH", "TRANCHES", "INPUT_CHANGED",
                                   "AWARD_PARTS", "RESIDUAL_SHARE_MISMATCH", *FOLDER_FILES}


def test_audit_solution_checks_the_payments_and_unknown_units(example: Example) -> None:
    payments = {uid: tranches(award, example.rules) for uid, award in example.awards.items()}
    paid = next(uid for uid, award in example.awards.items() if award > 100000)
    payments[paid] = (payments[paid][0] + 1, payments[paid][1] - 1)
    awards = {**example.awards, "GHOST": 0}
    report = audit_solution(example.inputs.assessments, example.rules, awards,
                            payments=payments, source="mine")
    assert failed(report) == {"TRANCHES", "UNIT_UNKNOWN"}
    assert [v.unit for v in report.violations] == ["GHOST", paid]  # in running order
    assert (report.source, report.rows, report.units) == (
        "mine", len(example.awards) + 1, len(example.awards))


@pytest.mark.parametrize("off", [(1, 0), (0, 1)])
def test_audit_solution_checks_each_tranche_on_its_own(
    example: Example, off: tuple[int, int]
) -> None:
    """One tranche a cent off, the other right: the pipeline's own audit still sees it."""
    payments = {uid: tranches(award, example.rules) for uid, award in example.awards.items()}
    paid = next(uid for uid, award in example.awards.items() if award > 100000)
    payments[paid] = (payments[paid][0] + off[0], payments[paid][1] + off[1])
    report = audit_solution(example.inputs.assessments, example.rules, example.awards,
                            payments=payments)
    assert failed(report) == {"TRANCHES"}
    assert [v.unit for v in report.violations] == [paid]


def test_audit_solution_checks_the_shares_it_is_given(example: Example) -> None:
    result = solve_riparto(example.inputs.assessments, example.rules)
    assert result.allocation is not None
    outcomes = unit_outcomes(example.inputs.assessments, result.allocation, example.rules)
    shares = {o.assessment.unit.unit_id: o.share for o in outcomes}
    report = audit_solution(example.inputs.assessments, example.rules, example.awards,
                            shares=shares)
    checked = {result.code: result.checked for result in report.results}
    assert report.is_ok and checked["SHARE_MISMATCH"] == len(example.awards)
    funded = next(uid for uid, award in example.awards.items() if award > 0)
    shares[funded] += Fraction(1, 1000)
    report = audit_solution(example.inputs.assessments, example.rules, example.awards,
                            shares=shares)
    assert failed(report) == {"SHARE_MISMATCH"}
    assert [v.unit for v in report.violations] == [funded]


def test_audit_solution_shows_both_parts_of_an_award_it_refuses(example: Example) -> None:
    """A part below 0: AWARD_PARTS names the unit and shows the two parts it was given.

    A unit without a residual has a residual part of 0, not an empty one.
    """
    paid = next(uid for uid, award in example.awards.items() if award > 0)
    other = next(uid for uid in example.awards if uid != paid)
    report = audit_solution(example.inputs.assessments, example.rules,
                            {**example.awards, other: -1}, residual={paid: -1})
    parts = {v.unit: v.actual for v in report.violations if v.check == "AWARD_PARTS"}
    def shown(criteria: str, residual: str) -> str:  # in memory: the workbook's headings
        return f"Award by the criteria {criteria}; Residual award {residual}"

    assert parts == {paid: shown(money(example.awards[paid]), "-0.01"),
                     other: shown("-0.01", "0.00")}


def test_the_report_names_the_file_by_its_hash_and_the_rule_set(solved: Path) -> None:
    inputs = load_inputs(None, None)
    report = run_audit(inputs, solved / "allocation.csv").report
    digest = hashlib.sha256((solved / "allocation.csv").read_bytes()).hexdigest()
    assert (report.sha256, report.rule_set) == (digest, "fsr-2025-bergamo v2025.2")


def test_only_unit_id_and_award_are_required(example: Example) -> None:
    report = audit_rows(example, text_rows(example, example.awards, ("unit_id", "award")),
                        ("unit_id", "award"))
    assert report.is_ok
    assert report.checks_run == len(CHECKS) - 10


def test_every_violation_is_reported_not_only_the_first(example: Example) -> None:
    rows = text_rows(example, example.awards)
    excluded = [a for a in example.inputs.assessments if not a.eligible]
    rows = [r for r in rows if r["unit_id"] != excluded[0].unit.unit_id]
    rows.append({**rows[0], "unit_id": "GHOST", "__row__": "999"})
    funded = next(r for r in rows if example.awards.get(r["unit_id"], 0) > 150000)
    funded["tranche_2"] = "0.00"
    report = audit_rows(example, rows)
    assert failed(report) == {"UNIT_MISSING", "UNIT_UNKNOWN", "TRANCHES"}
    assert report.failed == 3
    assert report.passed == report.checks_run - 3


def test_results_and_violations_follow_the_registry(example: Example) -> None:
    rows = text_rows(example, example.awards, ("unit_id", "award", "tranche_2"))
    excluded = next(a for a in example.inputs.assessments if not a.eligible)
    rows = [r for r in rows if r["unit_id"] != excluded.unit.unit_id]  # UNIT_MISSING
    rows[0]["tranche_2"] = "1.00"  # TRANCHES
    rows.append({**rows[0], "unit_id": "GHOST", "__row__": "999"})  # UNIT_UNKNOWN
    report = audit_rows(example, rows, ("unit_id", "award", "tranche_2"))
    order = [check.code for check in CHECKS]
    ran = [result.code for result in report.results]
    assert ran == [code for code in order if code not in report.skipped]
    assert list(report.skipped) == ["INPUT_CHANGED", "AWARD_PARTS", "ELIGIBLE_MISMATCH",
                                    "ENTITLEMENT_MISMATCH", "SHARE_MISMATCH",
                                    "RESIDUAL_SHARE_MISMATCH", *FOLDER_FILES]
    year = str(example.rules.history_year)
    assert [r.description for r in report.results] == [
        c.description.replace("{history_year}", year) for c in CHECKS if c.code in ran]
    assert [v.check for v in report.violations] == sorted(
        (v.check for v in report.violations), key=order.index)
    assert report.failed_codes == ("UNIT_MISSING", "UNIT_UNKNOWN", "TRANCHES")


def test_the_python_example_of_the_docs_runs(
    solved: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    section = AUDIT_DOC.read_text(encoding="utf-8").split("## From Python", 1)[1]
    code = section.split("```python\n", 1)[1].split("```", 1)[0]
    assert code.count('"riparto.xlsx"') == 2
    exec(code.replace('"riparto.xlsx"', repr(str(solved / "allocation.csv"))), {})
    # a file read from Python: no run record to compare the inputs with, and no other file
    # of its folder read (payments.csv, summary.csv, allocation.xlsx)
    n = len(CHECKS) - 4
    assert capsys.readouterr().out.endswith(f"checks run: {n}, passed: {n}, failed: 0\n ()\n")


# ---------------------------------------------------------------------------------------------
# Property: the audit of every solved instance passes
# ---------------------------------------------------------------------------------------------


@given(instances())
def test_the_audit_of_every_solved_instance_passes(instance: Instance) -> None:
    allocation = solve(instance)
    assessments = assess(table(instance.units), instance.rules)
    report = audit_solution(assessments, instance.rules, allocation.awards,
                            residual=allocation.residual_awards)
    assert report.is_ok, render_audit(report, "text")
