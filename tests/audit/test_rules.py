"""The rule checks: the solved example keeps them; each edit breaks exactly the named rule."""

from __future__ import annotations

from fractions import Fraction

import pytest

from fsr_opt.audit import rules
from fsr_opt.audit.allocation import parse_allocation
from fsr_opt.audit.evidence import Evidence
from fsr_opt.audit.run import audit
from fsr_opt.core.money import format_cents, largest_remainder
from fsr_opt.engine.eligibility import tranches
from fsr_opt.rules.budgets import area_budgets

from tests.audit.conftest import (
    COLUMNS,
    Example,
    audit_rows,
    failed,
    mutate,
    resplit,
    text_rows,
)

# ---------------------------------------------------------------------------------------------
# Called directly: what each rule examines
# ---------------------------------------------------------------------------------------------


def test_each_rule_examines_its_items(example: Example) -> None:
    rows = text_rows(example, example.awards)
    for row in rows:  # a share on five rows, those of unfunded units (share 0)
        row["share"] = ""
    for row in [r for r in rows if example.awards[r["unit_id"]] == 0][:5]:
        row["share"] = "0"
    allocation = parse_allocation([*COLUMNS, "share"], rows, "riparto.csv")
    evidence = Evidence(example.inputs.assessments, example.rules, allocation,
                        area_budgets(example.rules))
    units = len(example.inputs.assessments)
    eligible = sum(1 for a in example.inputs.assessments if a.eligible)
    funded = sum(1 for a in example.inputs.assessments if example.awards[a.unit.unit_id] > 0)
    zero = sum(1 for a in example.inputs.assessments
               if a.eligible and a.entitlement > 0 and example.awards[a.unit.unit_id] == 0)
    examined = {
        rules.unit_missing: units, rules.unit_duplicated: units, rules.unit_unknown: units,
        rules.ineligible_paid: units - eligible, rules.eligible_mismatch: units,
        rules.entitlement_mismatch: units, rules.below_minimum: eligible,
        rules.above_entitlement: eligible, rules.area_budget: 3, rules.budgets_add_up: 4,
        rules.equal_share: funded, rules.left_out: zero, rules.share_mismatch: 5,
        rules.tranches: units,
    }
    assert set(examined) == {getattr(rules, name) for name in rules.__all__}
    for check, count in examined.items():
        findings = check(evidence)
        assert (findings.checked, list(findings.violations)) == (count, []), check.__name__
    assert funded > 0 and zero > 0  # equal_share and left_out examine real units


# ---------------------------------------------------------------------------------------------
# Mutations: break one rule at a time
# ---------------------------------------------------------------------------------------------


def test_one_cent_over_an_area_budget(example: Example) -> None:
    # anziani has one service line: one more cent, split at an equal share, breaks only the
    # area budget (no other line to transfer to, nobody left out in it).
    def change(awards: dict[str, int]) -> None:
        resplit(example, awards, "anziani", example.total(awards, "anziani") + 1)

    report = mutate(example, change)
    assert failed(report) == {"AREA_BUDGET"}
    (violation,) = report.violations
    assert violation.area == "anziani"
    assert (violation.expected, violation.actual) == ("at most 356998.14", "356998.15")


def test_an_award_of_299_99(example: Example) -> None:
    # diurni_minori is lowered until its smallest funded unit's equal share is 299.99 EUR;
    # the money goes to adm (above its target, nobody left out), so nothing else breaks.
    # (Lowering diurni_minori below its segment leaves it with no valid funded set, so it is
    # no candidate for a transfer either.)
    awards = dict(example.awards)
    funded = example.funded(awards, "diurni_minori")
    smallest = min(funded, key=lambda a: (a.entitlement, a.unit.unit_id))
    entitlements = sum(a.entitlement for a in funded)
    before = example.total(awards, "diurni_minori")
    after = -(-29999 * entitlements // smallest.entitlement)
    quotas = [(a.unit.unit_id, Fraction(after * a.entitlement, entitlements)) for a in funded]
    awards.update(largest_remainder(after, quotas))
    assert awards[smallest.unit.unit_id] == 29999
    resplit(example, awards, "adm", example.total(awards, "adm") + before - after)
    report = audit_rows(example, text_rows(example, awards))
    assert failed(report) == {"BELOW_MINIMUM"}
    assert {v.unit for v in report.violations} >= {smallest.unit.unit_id}
    assert all(v.actual == "299.99" for v in report.violations)


def test_unequal_shares_in_a_service_line(example: Example) -> None:
    def change(awards: dict[str, int]) -> None:
        first, second = sorted(example.funded(awards, "prima_infanzia"),
                               key=lambda a: -awards[a.unit.unit_id])[:2]
        awards[first.unit.unit_id] -= 1000
        awards[second.unit.unit_id] += 1000

    report = mutate(example, change)
    assert failed(report) == {"EQUAL_SHARE"}
    assert len(report.violations) == 2
    assert {v.service for v in report.violations} == {"prima_infanzia"}


def test_a_missing_unit(example: Example) -> None:
    rows = text_rows(example, example.awards)
    excluded = next(a for a in example.inputs.assessments if not a.eligible)
    rows = [r for r in rows if r["unit_id"] != excluded.unit.unit_id]
    report = audit_rows(example, rows)
    assert failed(report) == {"UNIT_MISSING"}
    assert [v.unit for v in report.violations] == [excluded.unit.unit_id]


def test_a_duplicated_unit(example: Example) -> None:
    rows = text_rows(example, example.awards)
    excluded = next(a for a in example.inputs.assessments if not a.eligible)
    copy = next(r for r in rows if r["unit_id"] == excluded.unit.unit_id)
    rows.append({**copy, "__row__": str(len(rows) + 2)})
    report = audit_rows(example, rows)
    assert failed(report) == {"UNIT_DUPLICATED"}
    (violation,) = report.violations
    assert violation.unit == excluded.unit.unit_id
    assert violation.row == len(rows) + 1


def test_a_duplicated_funded_unit_is_paid_twice(example: Example) -> None:
    # the rows of a unit listed twice add up, so its area is over budget too
    rows = text_rows(example, example.awards)
    funded = next(r for r in rows if example.awards[r["unit_id"]] > 0
                  and example.unit(r["unit_id"]).area == "anziani")
    rows.append({**funded, "__row__": str(len(rows) + 2)})
    report = audit_rows(example, rows)
    assert {"UNIT_DUPLICATED", "AREA_BUDGET"} <= failed(report)
    over = next(v for v in report.violations if v.check == "AREA_BUDGET")
    assert over.area == "anziani"
    assert over.actual == format_cents(example.total(example.awards, "anziani")
                                       + example.awards[funded["unit_id"]])


def test_an_unknown_unit(example: Example) -> None:
    rows = text_rows(example, example.awards)
    rows.append({"__row__": str(len(rows) + 2), "unit_id": "UDO-NOT-THERE", "award": "500.00",
                 "eligible": "true", "entitlement": "500.00", "tranche_1": "500.00",
                 "tranche_2": "0.00"})
    report = audit_rows(example, rows)
    assert failed(report) == {"UNIT_UNKNOWN"}
    assert report.violations[0].unit == "UDO-NOT-THERE"


@pytest.mark.parametrize("large", [True, False])
def test_a_wrong_tranche(example: Example, large: bool) -> None:
    rows = text_rows(example, example.awards)
    threshold = example.rules.single_payment_threshold
    row = next(r for r in rows if (example.awards[r["unit_id"]] > threshold) == large
               and example.awards[r["unit_id"]] > 0)
    award = example.awards[row["unit_id"]]
    # Large: one cent moved from the first tranche to the second. Small: 70/30 although an
    # award up to 1,000 EUR is paid at once.
    first = tranches(award, example.rules)[0] - 1 if large else award * 7 // 10
    row["tranche_1"], row["tranche_2"] = format_cents(first), format_cents(award - first)
    report = audit_rows(example, rows)
    assert failed(report) == {"TRANCHES"}
    assert report.violations[0].unit == row["unit_id"]


def test_an_excluded_unit_paid(example: Example) -> None:
    # The 300 EUR come out of affidi (well above its target, at an equal share), so the
    # minori budget still holds and only the exclusion is broken.
    excluded = next(a for a in example.inputs.assessments
                    if not a.eligible and a.area == "minori")

    def change(awards: dict[str, int]) -> None:
        awards[excluded.unit.unit_id] = 30000
        resplit(example, awards, "affidi", example.total(awards, "affidi") - 30000)

    report = mutate(example, change)
    assert failed(report) == {"INELIGIBLE_PAID"}
    (violation,) = report.violations
    assert violation.unit == excluded.unit.unit_id
    assert all(reason.value in violation.expected for reason in excluded.reasons)


def test_an_eligible_unit_left_out(example: Example) -> None:
    # One funded unit of prima_infanzia gets 0; its money is shared by the others at one
    # (higher) equal share, so only the exclusion by choice is wrong.
    def change(awards: dict[str, int]) -> None:
        funded = example.funded(awards, "prima_infanzia")
        dropped = min(funded, key=lambda a: (a.entitlement, a.unit.unit_id))
        total = example.total(awards, "prima_infanzia")
        rest = [a for a in funded if a is not dropped]
        entitlements = sum(a.entitlement for a in rest)
        awards[dropped.unit.unit_id] = 0
        awards.update(largest_remainder(
            total, [(a.unit.unit_id, Fraction(total * a.entitlement, entitlements))
                    for a in rest]))

    report = mutate(example, change)
    assert failed(report) == {"LEFT_OUT"}
    assert {v.service for v in report.violations} == {"prima_infanzia"}


def test_an_award_above_the_entitlement_names_the_cap(example: Example) -> None:
    # residenziali_minori is funded in full (share 1): one more cent for one unit exceeds its
    # cap while the share stays equal within a cent; the cent comes out of affidi.
    def change(awards: dict[str, int]) -> None:
        unit = example.funded(awards, "residenziali_minori")[0]
        awards[unit.unit.unit_id] += 1
        resplit(example, awards, "affidi", example.total(awards, "affidi") - 1)

    report = mutate(example, change)
    assert failed(report) == {"ABOVE_ENTITLEMENT"}
    (violation,) = report.violations
    cap = example.unit(violation.unit or "").cap_source.value
    assert f"cap: {cap}" in violation.expected
    assert cap in violation.message


def test_eligible_and_entitlement_columns_are_checked(example: Example) -> None:
    rows = text_rows(example, example.awards)
    rows[0]["eligible"] = "false" if rows[0]["eligible"] == "true" else "true"
    rows[1]["entitlement"] = format_cents(example.unit(rows[1]["unit_id"]).entitlement + 1)
    report = audit_rows(example, rows)
    assert failed(report) == {"ELIGIBLE_MISMATCH", "ENTITLEMENT_MISMATCH"}
    assert [v.row for v in report.violations] == [2, 3]


def test_the_published_budgets_do_not_add_up(example: Example) -> None:
    # The criteria's table: 446,247.68 + 89,249.54 + 356,998.14 = 892,495.36, one cent more
    # than the fund. The extra cent of disabili is also money that cse could still take, so
    # MONEY_LEFT fails with it.
    published = {"minori": 44624768, "disabili": 8924954, "anziani": 35699814}
    allocation = parse_allocation(list(COLUMNS), text_rows(example, example.awards), "x.csv")
    report = audit(example.inputs.assessments, example.rules, allocation, budgets=published)
    assert failed(report) == {"BUDGETS_ADD_UP", "MONEY_LEFT"}
    budget = next(v for v in report.violations if v.check == "BUDGETS_ADD_UP")
    assert (budget.expected, budget.actual) == ("892495.35", "892495.36")


def test_the_share_column_is_checked_at_its_own_precision(example: Example) -> None:
    columns = (*COLUMNS, "share")
    rows = text_rows(example, example.awards)
    shares = {}
    for service in example.plans:
        funded = example.funded(example.awards, service)
        total = sum(example.awards[a.unit.unit_id] for a in funded)
        entitlements = sum(a.entitlement for a in funded)
        shares[service] = Fraction(total, entitlements) if entitlements else Fraction(0)
    for row in rows:
        item = example.unit(row["unit_id"])
        share = shares[item.service] if example.awards[row["unit_id"]] > 0 else Fraction(0)
        row["share"] = f"{float(share):.4f}"
    assert audit_rows(example, rows, columns).is_ok
    funded_row = next(r for r in rows if example.awards[r["unit_id"]] > 0)
    funded_row["share"] = "0.5"
    report = audit_rows(example, rows, columns)
    assert failed(report) == {"SHARE_MISMATCH"}
