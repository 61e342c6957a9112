"""The rule checks: the solved example keeps them; each edit breaks exactly the named rule."""

from __future__ import annotations

from dataclasses import replace
from fractions import Fraction

import pytest

from fsr_opt.audit import rules
from fsr_opt.audit.allocation import ProvidedAllocation, ProvidedRow, parse_allocation
from fsr_opt.audit.evidence import Evidence
from fsr_opt.audit.report import Violation
from fsr_opt.audit.run import audit
from fsr_opt.core.money import format_cents, largest_remainder
from fsr_opt.core.schema import RuleSet, UnitRecord
from fsr_opt.engine.eligibility import assess, tranches
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
from tests.conftest import table, tiny_rules, unit

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
        # No run record, no parts: nothing to compare; no residual awards in the allocation,
        # no pool leftover in the bundled example (every area spends its budget).
        rules.input_changed: 0, rules.award_parts: 0, rules.residual_scope: 0,
        rules.residual_above_deficit: 0, rules.residual_pool: 3, rules.residual_equal_share: 0,
        rules.residual_left_out: 0, rules.residual_share_mismatch: 0,
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
    # residenziali_disabili is funded in full (share 1): one more cent for one unit exceeds its
    # cap while the share stays equal within a cent; the cent comes out of sadh, which stays
    # above its target (so no transfer could bring two lines closer to theirs).
    def change(awards: dict[str, int]) -> None:
        unit = example.funded(awards, "residenziali_disabili")[0]
        awards[unit.unit.unit_id] += 1
        resplit(example, awards, "sadh", example.total(awards, "sadh") - 1)

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
    # MONEY_LEFT fails with it; and, the bundled rules giving an area's leftover to its units
    # (residui.scope area), a funded unit of disabili could take it as a residual.
    published = {"minori": 44624768, "disabili": 8924954, "anziani": 35699814}
    allocation = parse_allocation(list(COLUMNS), text_rows(example, example.awards), "x.csv")
    report = audit(example.inputs.assessments, example.rules, allocation, budgets=published)
    assert failed(report) == {"BUDGETS_ADD_UP", "MONEY_LEFT", "RESIDUAL_LEFT"}
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


# ---------------------------------------------------------------------------------------------
# Each rule on its threshold, on small hand-made Ambiti
# ---------------------------------------------------------------------------------------------

ONE_LINE = tiny_rules({"s": ("a", 1)}, {"a": 100}, fund=1_000_000, minimum=30000)


def found(
    code: str,
    units: list[UnitRecord],
    awards: dict[str, int],
    *,
    rules: RuleSet = ONE_LINE,
    budgets: dict[str, int] | None = None,
    rows: list[ProvidedRow] | None = None,
    columns: frozenset[str] = frozenset(),
) -> list[Violation]:
    """The violations of one check on an allocation of `units` (rows from `awards` by default)."""
    given = rows if rows is not None else [ProvidedRow(None, uid, a) for uid, a in awards.items()]
    report = audit(assess(table(units), rules), rules,
                   ProvidedAllocation("x.csv", tuple(given), columns), budgets=budgets)
    return [v for v in report.violations if v.check == code]


def test_left_out_flags_a_share_exactly_at_the_minimum() -> None:
    # A gets 300 EUR of 600: share 1/2. B's half of 600 EUR is exactly the minimum; C's half
    # of 599.99 EUR falls half a cent short.
    units = [unit("A", "s", 60000), unit("B", "s", 60000)]
    assert [v.unit for v in found("LEFT_OUT", units, {"A": 30000, "B": 0})] == ["B"]
    units = [unit("A", "s", 60000), unit("C", "s", 59999)]
    assert found("LEFT_OUT", units, {"A": 30000, "C": 0}) == []


def test_left_out_with_minimum_zero_flags_a_share_of_one_cent() -> None:
    # Minimum 0: a share rounding to 0 is allowed only below one cent. 1/100 of 100 cents
    # is 1 cent; of 99 cents 0.99.
    rules = replace(ONE_LINE, minimum_award=0)
    units = [unit("A", "s", 10000), unit("B", "s", 100), unit("C", "s", 99)]
    violations = found("LEFT_OUT", units, {"A": 102, "B": 0, "C": 0}, rules=rules)
    # The share counts every entitlement with a minimum of 0: 102 / 10199 of B's 100 cents.
    assert [v.unit for v in violations] == ["B"]


def test_below_minimum_flags_a_cent_short_and_accepts_the_minimum() -> None:
    units = [unit("A", "s", 90000), unit("B", "s", 90000), unit("C", "s", 90000)]
    violations = found("BELOW_MINIMUM", units, {"A": 30000, "B": 29999, "C": 1})
    assert [v.unit for v in violations] == ["B", "C"]


def test_above_entitlement_flags_a_cent_over_and_accepts_the_entitlement() -> None:
    units = [unit("A", "s", 50000), unit("B", "s", 50000)]
    violations = found("ABOVE_ENTITLEMENT", units, {"A": 50000, "B": 50001})
    assert [v.unit for v in violations] == ["B"]


def test_area_budget_flags_a_cent_over_and_accepts_the_budget() -> None:
    units = [unit("A", "s", 2_000_000)]
    assert found("AREA_BUDGET", units, {"A": 1_000_000}) == []
    assert [v.area for v in found("AREA_BUDGET", units, {"A": 1_000_001})] == ["a"]


def test_budgets_add_up_flags_a_budget_off_by_exactly_one_cent() -> None:
    # Shares 60/40 of 10,000.00 EUR: whole cents. One cent moved from a1 to a0 keeps the total
    # and puts each budget exactly one cent off its share.
    rules = tiny_rules({"s": ("a0", 1), "t": ("a1", 1)}, {"a0": 60, "a1": 40}, fund=1_000_000)
    units = [unit("A", "s", 1000)]
    moved = found("BUDGETS_ADD_UP", units, {}, rules=rules, budgets={"a0": 600001, "a1": 399999})
    assert [v.subject for v in moved] == ["area a0", "area a1"]
    assert found("BUDGETS_ADD_UP", units, {}, rules=rules,
                 budgets={"a0": 600000, "a1": 400000}) == []


def test_budgets_add_up_accepts_either_rounding_of_a_half_cent() -> None:
    # 50/50 of 1.01 EUR: 50.5 cents each. 51 + 50 is each share rounded (within a cent);
    # 52 + 49 is not, although the total is right.
    rules = tiny_rules({"s": ("a0", 1), "t": ("a1", 1)}, {"a0": 50, "a1": 50}, fund=101)
    units = [unit("A", "s", 1000)]
    assert found("BUDGETS_ADD_UP", units, {}, rules=rules, budgets={"a0": 51, "a1": 50}) == []
    assert [v.subject for v in found("BUDGETS_ADD_UP", units, {}, rules=rules,
                                     budgets={"a0": 52, "a1": 49})] == ["area a0", "area a1"]
    assert [v.subject for v in found("BUDGETS_ADD_UP", units, {}, rules=rules,
                                     budgets={"a0": 51, "a1": 51})] == ["the area budgets"]


def test_equal_share_accepts_one_cent_off_and_flags_two() -> None:
    # 400 EUR for two units of 400 EUR: share 1/2, exact awards 200 EUR each.
    units = [unit("A", "s", 40000), unit("B", "s", 40000)]
    assert found("EQUAL_SHARE", units, {"A": 20001, "B": 19999}) == []
    violations = found("EQUAL_SHARE", units, {"A": 20002, "B": 19998})
    assert [v.unit for v in violations] == ["A", "B"]


def test_share_mismatch_accepts_a_share_rounded_at_its_own_precision() -> None:
    # Share 1/8 = 0.125: written with two decimals, 0.12 and 0.13 are both within half a
    # hundredth; 0.11 is not. Written exactly, only 0.125 is.
    units = [unit("A", "s", 800000)]

    def share_rows(text: str) -> list[ProvidedRow]:
        places = len(text.partition(".")[2])
        return [ProvidedRow(2, "A", 100000, share=Fraction(text), share_places=places)]

    columns = frozenset({"share"})
    for written in ("0.12", "0.13", "0.125"):
        assert found("SHARE_MISMATCH", units, {}, rows=share_rows(written),
                     columns=columns) == [], written
    for written in ("0.11", "0.14", "0.124"):
        assert len(found("SHARE_MISMATCH", units, {}, rows=share_rows(written),
                         columns=columns)) == 1, written


def test_tranches_flag_the_half_even_split_of_a_half_cent() -> None:
    # 70% of 1,000.15 EUR = 700.105: the criteria round half up, 700.11 + 300.04.
    units = [unit("A", "s", 200000)]
    columns = frozenset({"tranche_1", "tranche_2"})

    def paid(first: int, second: int, award: int = 100015) -> list[Violation]:
        row = ProvidedRow(2, "A", award, tranche_1=first, tranche_2=second)
        return found("TRANCHES", units, {}, rows=[row], columns=columns)

    assert paid(70011, 30004) == []
    (violation,) = paid(70010, 30005)
    assert violation.expected == "700.11, 300.04"
    # Up to the threshold at once; one cent more in two tranches.
    assert paid(100000, 0, award=100000) == []
    assert len(paid(70000, 30000, award=100000)) == 1
    assert paid(70001, 30000, award=100001) == []
    assert len(paid(100001, 0, award=100001)) == 1
