"""The optimality certificates: each edit that leaves a better allocation is caught."""

from __future__ import annotations

import pytest

from fsr_opt.audit import certificates
from fsr_opt.audit.allocation import parse_allocation
from fsr_opt.audit.evidence import Evidence
from fsr_opt.audit.render import render_audit
from fsr_opt.audit.report import Violation
from fsr_opt.audit.run import audit_solution
from fsr_opt.core.schema import RuleSet, UnitRecord
from fsr_opt.engine.eligibility import assess
from fsr_opt.engine.solve import solve_riparto
from fsr_opt.rules.budgets import area_budgets

from tests.audit.conftest import COLUMNS, Example, failed, mutate, resplit, text_rows
from tests.conftest import table, tiny_rules, unit


def test_the_optimum_has_no_certificate_against_it(example: Example) -> None:
    allocation = parse_allocation(list(COLUMNS), text_rows(example, example.awards), "x.csv")
    evidence = Evidence(example.inputs.assessments, example.rules, allocation,
                        area_budgets(example.rules))
    for check in (certificates.money_left, certificates.transfer_improves):
        findings = check(evidence)
        # both examine every service line
        assert (findings.checked, list(findings.violations)) == (len(example.plans), [])


def test_a_transfer_improvable_pair(example: Example) -> None:
    # adm drops one euro below its target; affidi (above its own) takes the difference. A cent
    # back from affidi to adm brings both closer to their targets.
    plan = example.plans["adm"]

    def change(awards: dict[str, int]) -> None:
        before = example.total(awards, "adm")
        after = plan.target.numerator // plan.target.denominator - 100
        resplit(example, awards, "adm", after)
        resplit(example, awards, "affidi", example.total(awards, "affidi") + before - after)

    report = mutate(example, change)
    assert failed(report) == {"TRANSFER_IMPROVES"}
    # Every line above its target could give the cent, and only adm can take it. In the
    # bundled example every line of minori sits at its target (to the cent), so the only line
    # above it is affidi, which took adm's euro.
    assert {v.to_service for v in report.violations} == {"adm"}
    assert {v.service for v in report.violations} == {"affidi"}
    assert {v.area for v in report.violations} == {"minori"}


def test_money_left(example: Example) -> None:
    # cse (disabili) gives back 100 EUR at an equal share and stays above its target: the
    # area leaves money that cse itself could take again.
    def change(awards: dict[str, int]) -> None:
        resplit(example, awards, "cse", example.total(awards, "cse") - 10000)

    report = mutate(example, change)
    # The bundled rules give what an area leaves to its units as residuals (residui.scope
    # area): the 100 EUR could go there too.
    assert failed(report) == {"MONEY_LEFT", "RESIDUAL_LEFT"}
    # Every line of disabili below its full entitlement could take it (sfa, autonomia and
    # residenziali_disabili are funded in full already).
    assert {v.service for v in report.violations if v.check == "MONEY_LEFT"} == {
        "cse", "sadh"}
    assert report.areas[1].left == 10000


# ---------------------------------------------------------------------------------------------
# A known defect of the solver's cent rounding, found by the transfer certificate
# ---------------------------------------------------------------------------------------------


def test_the_solver_rounding_leaves_no_one_cent_transfer() -> None:
    # Regression: rounding the exact totals by remainder alone gave s0 (0.45 cent above its
    # target) the cent that s6 (30 EUR below its own) should get; exact.round_area now gives
    # spare cents to the lines whose ceiling is nearest their target.
    history = (154052, 358477, 95766, 603684, 49516, 577329, 917501)
    services = {f"s{i}": ("a0", h) for i, h in enumerate(history)}
    deficits = {
        "s0": (524708,), "s1": (760016,), "s2": (861641, 925631, 645949, 438043),
        "s3": (856136, 532969, 901253), "s4": (649774, 372696, 202902, 425968),
        "s5": (710431, 916919, 833750, 50807, 547604), "s6": (890083, 344154, 489469),
    }
    rules = tiny_rules(services, {"a0": 100}, fund=1703325, minimum=30000)
    units = [unit(f"{s}u{k}", s, d) for s, ds in deficits.items() for k, d in enumerate(ds)]
    assessments = assess(table(units), rules)
    result = solve_riparto(assessments, rules)
    assert result.allocation is not None
    report = audit_solution(assessments, rules, result.allocation.awards)
    assert report.is_ok, render_audit(report, "text")
    # The old rounding's answer: that cent on s0 (one unit) instead of s6 (its largest award).
    awards = dict(result.allocation.awards)
    awards["s0u0"] += 1
    awards[max(("s6u0", "s6u1", "s6u2"), key=awards.__getitem__)] -= 1
    report = audit_solution(assessments, rules, awards)
    assert failed(report) == {"TRANSFER_IMPROVES"}
    assert [(v.service, v.to_service) for v in report.violations] == [("s0", "s6")]


# ---------------------------------------------------------------------------------------------
# Each certificate on its threshold, on small hand-made Ambiti
# ---------------------------------------------------------------------------------------------


def certified(code: str, rules: RuleSet, units: list[UnitRecord],
              awards: dict[str, int]) -> list[Violation]:
    report = audit_solution(assess(table(units), rules), rules, awards)
    return [v for v in report.violations if v.check == code]


def test_money_left_flags_a_single_cent_a_line_could_take() -> None:
    rules = tiny_rules({"s": ("a", 1)}, {"a": 100}, fund=1_000_000, minimum=30000)
    units = [unit("A", "s", 2_000_000)]
    (violation,) = certified("MONEY_LEFT", rules, units, {"A": 999_999})
    assert (violation.subject, violation.expected, violation.actual) == (
        "service s (area a)", "a total up to 10,000.00", "9,999.99")
    assert (violation.area, violation.service) == ("a", "s")
    assert violation.message == (
        "area a leaves 0.01 EUR unspent, and service line s could take a total of 10,000.00 EUR "
        "instead of 9,999.99 EUR (1 unit funded at an equal share) without breaking any rule")
    assert certified("MONEY_LEFT", rules, units, {"A": 1_000_000}) == []


@pytest.mark.parametrize(("budget", "flagged"), [(133, False), (134, True)])
def test_money_left_counts_a_funded_set_starting_at_the_money_left(
    budget: int, flagged: bool
) -> None:
    # 100 and 60 cents, minimum 50: one unit funded from 50 to 83 cents, both from 134. At 83
    # the area leaves budget - 83; the line can take it only if that reaches 134.
    rules = tiny_rules({"s": ("a", 1)}, {"a": 100}, fund=budget, minimum=50)
    units = [unit("A", "s", 100), unit("B", "s", 60)]
    violations = certified("MONEY_LEFT", rules, units, {"A": 83, "B": 0})
    assert [v.expected for v in violations] == (["a total up to 1.34"] if flagged else [])


def test_transfer_improves_needs_both_lines_strictly_closer() -> None:
    # Targets 500 and 500 cents: 501/499 is one cent off each. Targets 500.5 each: from
    # 501/500 a cent moved leaves the donor as far from its target as before.
    units = [unit("S", "s", 10000), unit("T", "t", 10000)]
    rules = tiny_rules({"s": ("a", 1), "t": ("a", 1)}, {"a": 100}, fund=1000, minimum=0)
    (violation,) = certified("TRANSFER_IMPROVES", rules, units, {"S": 501, "T": 499})
    assert (violation.service, violation.to_service, violation.area) == ("s", "t", "a")
    # the allocation after the move, and as it is
    assert (violation.subject, violation.expected, violation.actual) == (
        "services s -> t (area a)", "s 5.00; t 5.00", "s 5.01; t 4.99")
    assert violation.message == (
        "area a: s gets 5.01 EUR against a target of 5.00 EUR and t 4.99 EUR against 5.00 EUR; "
        "moving one cent from s to t brings both closer to their 2024 targets, keeping their "
        "funded units")
    assert certified("TRANSFER_IMPROVES", rules, units, {"S": 500, "T": 500}) == []
    rules = tiny_rules({"s": ("a", 1), "t": ("a", 1)}, {"a": 100}, fund=1001, minimum=0)
    assert certified("TRANSFER_IMPROVES", rules, units, {"S": 501, "T": 500}) == []


@pytest.mark.parametrize(("given", "flagged"), [(300, False), (301, True)])
def test_transfer_improves_keeps_the_donor_in_its_funded_set(given: int, flagged: bool) -> None:
    # s funds its 600-cent unit from 300 cents (minimum 300): at 300 it cannot give a cent
    # without leaving it out. Targets 100 and 900 cents.
    rules = tiny_rules({"s": ("a", 1), "t": ("a", 9)}, {"a": 100}, fund=1000, minimum=300)
    units = [unit("S", "s", 600), unit("T", "t", 10000)]
    violations = certified("TRANSFER_IMPROVES", rules, units, {"S": given, "T": 1000 - given})
    assert len(violations) == (1 if flagged else 0)


@pytest.mark.parametrize(("entitlement", "flagged"), [(700, False), (701, True)])
def test_transfer_improves_keeps_the_receiver_within_its_entitlements(
    entitlement: int, flagged: bool
) -> None:
    # t at 700 cents, below its target of 900.9: it can take a cent only below its full
    # entitlement (share 1).
    rules = tiny_rules({"s": ("a", 1), "t": ("a", 9)}, {"a": 100}, fund=1001, minimum=300)
    units = [unit("S", "s", 600), unit("T", "t", entitlement)]
    violations = certified("TRANSFER_IMPROVES", rules, units, {"S": 301, "T": 700})
    assert len(violations) == (1 if flagged else 0)


@pytest.mark.parametrize(("awards", "fund"), [
    ({"S": 501, "T": 499}, 1001),  # s's cent would leave it as far from 500.5 as before
    ({"S": 503, "T": 501}, 1003),  # t's new cent would leave it as far from 501.5
])
def test_transfer_improves_ignores_a_cent_that_leaves_a_line_as_far_as_before(
    awards: dict[str, int], fund: int
) -> None:
    """A line is a donor (a receiver) only if the cent brings it strictly closer to its target.

    Targets half a cent off: one line gains by the move and the other only keeps its distance.
    """
    units = [unit("S", "s", 10000), unit("T", "t", 10000)]
    rules = tiny_rules({"s": ("a", 1), "t": ("a", 1)}, {"a": 100}, fund=fund, minimum=0)
    assert certified("TRANSFER_IMPROVES", rules, units, awards) == []


def test_transfer_improves_looks_past_a_line_in_no_funded_set() -> None:
    """A line whose total funds no valid set (a rule check reports it) does not hide the rest.

    r, first of the area, gives 1 EUR to its unit entitled to 6 EUR under a 3 EUR minimum;
    s and t then form a pair a cent apart from their 10 EUR targets.
    """
    rules = tiny_rules({"r": ("a", 1), "s": ("a", 1), "t": ("a", 1)}, {"a": 100}, fund=3000,
                       minimum=300)
    units = [unit("R", "r", 600), unit("S", "s", 10000), unit("T", "t", 10000)]
    violations = certified("TRANSFER_IMPROVES", rules, units, {"R": 100, "S": 1001, "T": 999})
    assert [(v.service, v.to_service) for v in violations] == [("s", "t")]
