"""The rule checks: the solved example keeps them; each edit breaks exactly the named rule."""

from __future__ import annotations

from dataclasses import replace
from datetime import date
from fractions import Fraction

import pytest

from fsr_opt.audit import rules
from fsr_opt.audit.allocation import (
    ProvidedAllocation,
    ProvidedRow,
    RecordedInput,
    RunRecord,
    parse_allocation,
)
from fsr_opt.audit.codes import CheckCode
from fsr_opt.audit.evidence import Evidence, Findings
from fsr_opt.audit.report import Violation
from fsr_opt.audit.run import audit
from fsr_opt.audit.wording import unit_subject
from fsr_opt.core.money import format_cents, largest_remainder
from fsr_opt.core.schema import Ownership, ResidualScope, RuleSet, UnitRecord
from fsr_opt.core.words import money
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
    assert (violation.expected, violation.actual) == ("at most 356,998.14", "356,998.15")


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
    assert over.actual == money(example.total(example.awards, "anziani")
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
    assert (budget.expected, budget.actual) == ("892,495.35", "892,495.36")


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
    assert violation.expected == "First tranche 700.11; Second tranche 300.04"
    # Up to the threshold at once; one cent more in two tranches.
    assert paid(100000, 0, award=100000) == []
    assert len(paid(70000, 30000, award=100000)) == 1
    assert paid(70001, 30000, award=100001) == []
    assert len(paid(100001, 0, award=100001)) == 1


# ---------------------------------------------------------------------------------------------
# Each violation field by field, its message word for word: what an auditor reads and
# re-computes by hand (the checks called directly, on small hand-made Ambiti)
# ---------------------------------------------------------------------------------------------

# One line, one area, budget 10,000.00 EUR, minimum 300.00 EUR; with a residual phase per area.
RESIDUAL_AREA = replace(ONE_LINE, residual_scope=ResidualScope.AREA)
PRIVATE = Ownership.PRIVATE  # formula 1,000.00 + 10 users x 250.00 = 3,500.00 EUR


def evidence_of(
    units: list[UnitRecord],
    rows: list[ProvidedRow],
    *,
    rules: RuleSet = ONE_LINE,
    budgets: dict[str, int] | None = None,
    record: RunRecord | None = None,
) -> Evidence:
    """What the checks read, for `units` (rows numbered from 2) and an allocation of `rows`."""
    return Evidence(assess(table(units), rules), rules,
                    ProvidedAllocation("x.csv", tuple(rows), record=record),
                    area_budgets(rules) if budgets is None else budgets)


def test_a_changed_input_is_named_with_both_hashes_and_the_run_record() -> None:
    recorded, now = "0123456789ab" + "c" * 52, "fedcba987654" + "d" * 52
    record = RunRecord("out/run.json", (
        RecordedInput("rules", "models/r.yaml", "e" * 64, "r.yaml", "e" * 64),
        RecordedInput("units", "data/units.csv", recorded, "units.csv", now),
    ))
    units = [unit("A", "s", 60000)]
    findings = rules.input_changed(evidence_of(units, [], record=record))
    assert findings == Findings(2, [Violation(
        CheckCode.INPUT_CHANGED, "units table units.csv", "SHA-256 0123456789ab...",
        "SHA-256 fedcba987654...",
        f"units table units.csv is not the file the run read (data/units.csv, SHA-256 "
        f"{recorded} in out/run.json); it now has SHA-256 {now}: the audit checks the "
        f"allocation against the files as they are now, not as the run saw them")])
    assert rules.input_changed(evidence_of(units, [])) == Findings(0, [])


def test_award_parts_must_add_up_and_neither_be_below_zero() -> None:
    units = [unit("A", "s", 60000), unit("B", "s", 60000), unit("C", "s", 60000),
             unit("D", "s", 60000), unit("E", "s", 60000)]
    rows = [
        ProvidedRow(2, "A", 40000, criteria_award=30000, residual_award=10000),  # fine
        ProvidedRow(3, "B", 20000, criteria_award=0, residual_award=20000),  # 0 is no part below 0
        ProvidedRow(4, "C", 30000, criteria_award=30000, residual_award=0),
        ProvidedRow(5, "D", 30000, criteria_award=30000, residual_award=100),  # one EUR too many
        ProvidedRow(6, "E", 50, residual_award=100),  # the riparto part is -0.50
        ProvidedRow(7, "Z", 100, criteria_award=-100, residual_award=200),  # unknown: no area
        ProvidedRow(8, "Y", 100),  # no parts: not examined
    ]
    findings = rules.award_parts(evidence_of(units, rows))

    def broken(unit_id: str, row: int, award: str, shown: str, area: str | None) -> Violation:
        return Violation(
            CheckCode.AWARD_PARTS, f"unit {unit_id} (row {row})",
            f"Award by the criteria + Residual award = {award}", shown,
            f"unit {unit_id}: the award of {award} EUR is paid as its riparto part plus its "
            f"residual part (Award by the criteria + Residual award); the allocation gives "
            f"{shown}",
            unit=unit_id, row=row, area=area)

    def parts(criteria: str, residual: str) -> str:
        return f"Award by the criteria {criteria}; Residual award {residual}"

    assert findings == Findings(6, [broken("D", 5, "300.00", parts("300.00", "1.00"), "a"),
                                    broken("E", 6, "0.50", parts("-", "1.00"), "a"),
                                    broken("Z", 7, "1.00", parts("-1.00", "2.00"), None)])


def test_a_missing_unit_is_named_with_its_row_of_the_units_table() -> None:
    units = [unit("A", "s", 60000), unit("B", "s", 60000), unit("C", "s", 60000)]
    findings = rules.unit_missing(evidence_of(units, [ProvidedRow(2, "B", 0)]))
    assert findings == Findings(3, [
        Violation(CheckCode.UNIT_MISSING, f"unit {uid}", "a row with its award", "no row",
                  f"unit {uid} (row {row} of the units table) has no row in the allocation; "
                  f"it is counted as awarded 0", unit=uid, area="a", service="s")
        for uid, row in (("A", 2), ("C", 4))])


def test_a_unit_listed_more_than_once_names_its_rows_and_what_they_add_up_to() -> None:
    units = [unit("A", "s", 60000), unit("B", "s", 60000)]
    rows = [ProvidedRow(2, "A", 30000), ProvidedRow(3, "B", 0), ProvidedRow(4, "A", 30001),
            ProvidedRow(None, "A", 1), ProvidedRow(6, "A", 100)]
    findings = rules.unit_duplicated(evidence_of(units, rows))
    assert findings == Findings(2, [Violation(
        CheckCode.UNIT_DUPLICATED, "unit A (row 4)", "1 row", "4 rows (2, 4, 6)",
        "unit A is listed 4 times; its rows add up to 601.02 EUR, which is what would be paid",
        unit="A", row=4)])
    # an allocation without row numbers (a solve's own) names no rows
    rows = [ProvidedRow(None, "A", 30000), ProvidedRow(None, "A", 30000)]
    assert rules.unit_duplicated(evidence_of(units, rows)).violations == [Violation(
        CheckCode.UNIT_DUPLICATED, "unit A", "1 row", "2 rows",
        "unit A is listed 2 times; its rows add up to 600.00 EUR, which is what would be paid",
        unit="A", row=None)]


def test_an_unknown_unit_is_named_as_written_with_its_award() -> None:
    units = [unit("A", "s", 60000)]
    rows = [ProvidedRow(2, "A", 30000), ProvidedRow(3, "UDO 9", 50001)]
    assert rules.unit_unknown(evidence_of(units, rows)) == Findings(2, [Violation(
        CheckCode.UNIT_UNKNOWN, "unit UDO 9 (row 3)", "a unit id of the units table",
        "'UDO 9'", "unit 'UDO 9' is not in the units table; its award of 500.01 EUR is not "
        "counted in any area", unit="UDO 9", row=3)])


def test_an_excluded_unit_paid_a_cent_is_named_with_every_reason() -> None:
    units = [unit("A", "s", 60000), unit("X", "s", 60000, in_registry=False, authorized=False),
             unit("Y", "s", 60000, applied=False)]
    rows = [ProvidedRow(2, "A", 30000), ProvidedRow(7, "X", 1), ProvidedRow(8, "Y", 0)]
    reasons = "NOT_IN_REGISTRY;NOT_AUTHORIZED"
    assert rules.ineligible_paid(evidence_of(units, rows)) == Findings(2, [Violation(
        CheckCode.INELIGIBLE_PAID, "unit X (row 7)", f"0.00 (excluded: {reasons})", "0.01",
        f"unit X fails the access criteria {reasons} but is awarded 0.01 EUR",
        unit="X", area="a", service="s", row=7)])


def test_the_eligible_column_is_compared_both_ways_with_the_reasons() -> None:
    units = [unit("A", "s", 60000), unit("X", "s", 60000, in_registry=False, authorized=False),
             unit("B", "s", 60000), unit("C", "s", 60000)]
    rows = [ProvidedRow(2, "A", 0, eligible=False), ProvidedRow(3, "X", 0, eligible=True),
            ProvidedRow(4, "B", 0, eligible=True), ProvidedRow(5, "C", 0)]
    reasons = "NOT_IN_REGISTRY;NOT_AUTHORIZED"
    assert rules.eligible_mismatch(evidence_of(units, rows)) == Findings(3, [
        Violation(CheckCode.ELIGIBLE_MISMATCH, "unit A (row 2)", "yes", "no",
                  "unit A is eligible by the access criteria of the rule set, but the "
                  "allocation says not eligible", unit="A", area="a", service="s", row=2),
        Violation(CheckCode.ELIGIBLE_MISMATCH, "unit X (row 3)", f"no ({reasons})",
                  "yes", f"unit X is excluded ({reasons}) by the access criteria of the "
                  "rule set, but the allocation says eligible",
                  unit="X", area="a", service="s", row=3)])


def test_an_entitlement_mismatch_explains_the_cap_with_its_figures() -> None:
    # P: deficit 4,500.00, formula 3,500.00. Q ceased on 30 June: 181/365 of its formula's
    # 3,500.00 is 1,735.616..., floored 1,735.61. X is excluded: 0.
    units = [unit("A", "s", 60000), unit("P", "s", 450000, ownership=PRIVATE),
             unit("Q", "s", 500000, ownership=PRIVATE, end_date=date(2025, 6, 30)),
             unit("X", "s", 60000, in_registry=False), unit("B", "s", 60000)]
    rows = [ProvidedRow(2, "A", 0, entitlement=60001), ProvidedRow(3, "P", 0, entitlement=1),
            ProvidedRow(4, "Q", 0, entitlement=350000), ProvidedRow(5, "X", 0, entitlement=60000),
            ProvidedRow(6, "B", 0, entitlement=60000), ProvidedRow(7, "B", 0)]

    def wrong(uid: str, row: int, expected: str, cap: str, actual: str) -> Violation:
        return Violation(CheckCode.ENTITLEMENT_MISMATCH, f"unit {uid} (row {row})", expected,
                         actual, f"unit {uid}: the entitlement recomputed from the units table "
                         f"is {expected} EUR ({cap}), the allocation says {actual} EUR",
                         unit=uid, area="a", service="s", row=row)

    assert rules.entitlement_mismatch(evidence_of(units, rows)) == Findings(5, [
        wrong("A", 2, "600.00", "cap DEFICIT: deficit 600.00", "600.01"),
        wrong("P", 3, "3,500.00", "cap FORMULA: deficit 4,500.00, formula 3,500.00", "0.01"),
        wrong("Q", 4, "1,735.61", "cap FORMULA+PRORATION: deficit 5,000.00, formula 3,500.00, "
              "proration 181/365 of the year", "3,500.00"),
        wrong("X", 5, "0.00", "cap DEFICIT: deficit 600.00, 0 because excluded", "600.00")])


def test_below_minimum_says_whether_the_whole_award_or_its_riparto_part_falls_short() -> None:
    # B a cent short, G one cent in all, H one cent all of residuals; the riparto parts of
    # D, F (whose whole award is exactly the minimum) and I (one cent) are short of the
    # minimum, and J's 1.00 EUR with -1.00 of residuals (AWARD_PARTS's case) too; A and E are
    # at it, C gets nothing.
    units = [unit(uid, "s", 90000) for uid in "ABCDEFGHIJ"] + [
        unit("X", "s", 90000, in_registry=False)]
    rows = [ProvidedRow(2, "A", 30000), ProvidedRow(3, "B", 29999),
            ProvidedRow(4, "C", 0), ProvidedRow(5, "D", 40000, criteria_award=20000),
            ProvidedRow(6, "E", 30001, criteria_award=30000),
            ProvidedRow(7, "F", 30000, criteria_award=20000), ProvidedRow(8, "G", 1),
            ProvidedRow(9, "H", 1, criteria_award=0),
            ProvidedRow(10, "I", 30000, criteria_award=1),
            ProvidedRow(11, "J", 0, criteria_award=100, residual_award=-100),
            ProvidedRow(12, "X", 1)]

    def short(uid: str, row: int, actual: str, what: str) -> Violation:
        return Violation(CheckCode.BELOW_MINIMUM, f"unit {uid} (row {row})",
                         "0.00 or at least 300.00", actual,
                         f"unit {uid} {what}, below the minimum award of 300.00 EUR",
                         unit=uid, area="a", service="s", row=row)

    assert rules.below_minimum(evidence_of(units, rows)) == Findings(10, [
        short("B", 3, "299.99", "is awarded 299.99 EUR"),
        short("D", 5, "200.00", "is awarded 200.00 EUR by the riparto (plus 200.00 EUR of "
              "residuals)"),
        short("F", 7, "200.00", "is awarded 200.00 EUR by the riparto (plus 100.00 EUR of "
              "residuals)"),
        short("G", 8, "0.01", "is awarded 0.01 EUR"),
        short("H", 9, "0.01", "is awarded 0.01 EUR"),
        short("I", 10, "0.01", "is awarded 0.01 EUR by the riparto (plus 299.99 EUR of "
              "residuals)"),
        short("J", 11, "1.00", "is awarded 1.00 EUR by the riparto (plus -1.00 EUR of "
              "residuals)")])


def test_above_entitlement_reads_the_riparto_part_and_names_the_cap() -> None:
    # A: 1 cent over its deficit. Q: its prorated formula (1,735.61) by a cent. B is paid
    # more than its entitlement only with its residual part, which may go up to the deficit.
    units = [unit("A", "s", 50000), unit("Q", "s", 500000, ownership=PRIVATE,
                                         end_date=date(2025, 6, 30)),
             unit("B", "s", 50000), unit("C", "s", 50000)]
    rows = [ProvidedRow(2, "A", 50001), ProvidedRow(3, "Q", 173562),
            ProvidedRow(4, "B", 60000, criteria_award=50000), ProvidedRow(5, "C", 50000)]
    assert rules.above_entitlement(evidence_of(units, rows)) == Findings(4, [
        Violation(CheckCode.ABOVE_ENTITLEMENT, "unit A (row 2)", "at most 500.00 (cap: DEFICIT)",
                  "500.01", "unit A is awarded 500.01 EUR by the riparto, above its entitlement "
                  "of 500.00 EUR (cap DEFICIT: deficit 500.00)",
                  unit="A", area="a", service="s", row=2),
        Violation(CheckCode.ABOVE_ENTITLEMENT, "unit Q (row 3)",
                  "at most 1,735.61 (cap: FORMULA+PRORATION)", "1,735.62",
                  "unit Q is awarded 1,735.62 EUR by the riparto, above its entitlement of "
                  "1,735.61 EUR (cap FORMULA+PRORATION: deficit 5,000.00, formula 3,500.00, "
                  "proration 181/365 of the year)", unit="Q", area="a", service="s", row=3)])


def test_an_area_over_budget_says_by_how_much() -> None:
    rules_two = tiny_rules({"s": ("a0", 1), "t": ("a1", 1)}, {"a0": 60, "a1": 40},
                           fund=1_000_000)
    units = [unit("A", "s", 2_000_000), unit("B", "t", 2_000_000)]
    rows = [ProvidedRow(2, "A", 600_000), ProvidedRow(3, "B", 400_002)]
    assert rules.area_budget(evidence_of(units, rows, rules=rules_two)) == Findings(2, [
        Violation(CheckCode.AREA_BUDGET, "area a1", "at most 4,000.00", "4,000.02",
                  "area a1: the riparto's awards add up to 4,000.02 EUR, 0.02 EUR over its "
                  "budget of 4,000.00 EUR", area="a1")])


def test_budgets_that_do_not_add_up_give_the_total_the_fund_and_each_area_s_quota() -> None:
    # 60/40 of 10,000.00 EUR with a reserve of 10%: 9,000.00 EUR to split, 5,400 + 3,600.
    # The published a0 is 5,400.01 and a1 is missing (0).
    rules_two = replace(tiny_rules({"s": ("a0", 1), "t": ("a1", 1)}, {"a0": 60, "a1": 40},
                                   fund=1_000_000), reserve_percent=Fraction(10))
    units = [unit("A", "s", 1000)]
    findings = rules.budgets_add_up(evidence_of(units, [], rules=rules_two,
                                                budgets={"a0": 540_001}))
    assert findings == Findings(3, [
        Violation(CheckCode.BUDGETS_ADD_UP, "the area budgets", "9,000.00", "5,400.01",
                  "the area budgets add up to 5,400.01 EUR, the distributable fund is 9,000.00 "
                  "EUR (-3,599.99 EUR of difference)"),
        Violation(CheckCode.BUDGETS_ADD_UP, "area a0", "5,400.00 rounded to the cent", "5,400.01",
                  "area a0: 60% of 9,000.00 EUR is 5,400.00 EUR; a budget of 5,400.01 EUR is not "
                  "that amount rounded to the cent", area="a0"),
        Violation(CheckCode.BUDGETS_ADD_UP, "area a1", "3,600.00 rounded to the cent", "0.00",
                  "area a1: 40% of 9,000.00 EUR is 3,600.00 EUR; a budget of 0.00 EUR is not "
                  "that amount rounded to the cent", area="a1")])
    # a quota of a fraction of a cent is written with six decimals
    halves = tiny_rules({"s": ("a0", 1), "t": ("a1", 1)}, {"a0": 50, "a1": 50}, fund=101)
    (violation,) = rules.budgets_add_up(evidence_of(units, [], rules=halves,
                                                    budgets={"a0": 49, "a1": 52})).violations[:1]
    assert (violation.expected, violation.message) == (
        "0.505000 rounded to the cent",
        "area a0: 50% of 1.01 EUR is 0.505000 EUR; a budget of 0.49 EUR is not that amount "
        "rounded to the cent")


def test_equal_share_names_the_line_its_total_share_and_the_exact_award() -> None:
    # 400.00 EUR for A and B (400.00 EUR each) and C (200.00): share 1/2 of 1,000.00 EUR,
    # exact awards 200, 200 and 100 EUR. B is one cent off (fine), A two and C minus two.
    # D, first, gets nothing: not examined, and no reason to stop.
    units = [unit("D", "s", 60000), unit("A", "s", 40000), unit("B", "s", 40000),
             unit("C", "s", 20000)]
    rows = [ProvidedRow(2, "D", 0), ProvidedRow(3, "A", 20002), ProvidedRow(4, "B", 20001),
            ProvidedRow(5, "C", 9997)]
    findings = rules.equal_share(evidence_of(units, rows, rules=replace(ONE_LINE,
                                                                        minimum_award=5000)))
    assert findings.checked == 3
    assert [v.unit for v in findings.violations] == ["C"]  # the share most agree with: A, B
    units = [unit("A", "s", 40000), unit("B", "s", 40000)]
    rows = [ProvidedRow(2, "A", 20002), ProvidedRow(None, "B", 19998)]
    findings = rules.equal_share(evidence_of(units, rows))

    def off(uid: str, row: int | None, award: str) -> Violation:
        return Violation(
            CheckCode.EQUAL_SHARE, unit_subject(uid, row), "200.00 ± 0.01 EUR", award,
            f"service line s: the funded units share 400.00 EUR at 50.0000% of their "
            f"entitlements; unit {uid} (entitlement 400.00 EUR) should get 200.00 EUR within "
            f"one cent, not {award} EUR", unit=uid, area="a", service="s", row=row)

    assert findings == Findings(2, [off("A", 2, "200.02"), off("B", None, "199.98")])


def test_left_out_names_the_share_the_exact_amount_and_the_minimum() -> None:
    # A gets 300.00 of 600.00 EUR: share 1/2. B's half of 600.00 is the minimum; C's half of
    # 599.99 is not; D, eligible with a surplus (require_deficit off), has no entitlement and
    # is not examined.
    surplus_ok = replace(ONE_LINE, eligibility=replace(ONE_LINE.eligibility,
                                                       require_deficit=False))
    units = [unit("A", "s", 60000), unit("B", "s", 60000), unit("C", "s", 59999),
             unit("D", "s", -100)]
    rows = [ProvidedRow(2, "A", 30000), ProvidedRow(3, "B", 0), ProvidedRow(4, "C", 0),
            ProvidedRow(5, "D", 0)]
    evidence = evidence_of(units, rows, rules=surplus_ok)
    assert [(a.eligible, a.entitlement) for a in evidence.assessments][3] == (True, 0)
    assert rules.left_out(evidence) == Findings(2, [Violation(
        CheckCode.LEFT_OUT, "unit B (row 3)", "about 300.00", "0.00",
        "service line s funds its units at 50.0000% of their entitlements; for unit B "
        "(entitlement 600.00 EUR) that is 300.00 EUR, at least the minimum of 300.00 EUR, yet "
        "it gets 0", unit="B", area="a", service="s", row=3)])
    # With a minimum of one cent, a line funded in full owes a unit of one cent its cent.
    units = [unit("A", "s", 10000), unit("B", "s", 1)]
    rows = [ProvidedRow(2, "A", 10000), ProvidedRow(3, "B", 0)]
    cent = replace(ONE_LINE, minimum_award=1)
    assert [(v.unit, v.expected) for v in rules.left_out(
        evidence_of(units, rows, rules=cent)).violations] == [("B", "about 0.01")]


def test_a_share_mismatch_gives_the_line_and_both_shares() -> None:
    # A and B share 600.00 EUR of 800.00 + 400.00: 1/2. C has no award: its share is 0.
    units = [unit("A", "s", 80000), unit("B", "s", 40000), unit("C", "s", 10000)]
    rows = [ProvidedRow(None, "C", 0),
            ProvidedRow(2, "A", 40000, share=Fraction(2, 5), share_places=1),
            ProvidedRow(3, "B", 20000, share=Fraction(1, 2), share_places=None),
            ProvidedRow(4, "C", 0, share=Fraction(1, 2), share_places=1)]
    violations = rules.share_mismatch(evidence_of(units, rows))
    assert violations == Findings(3, [
        Violation(CheckCode.SHARE_MISMATCH, "unit A (row 2)", "50.0000%", "40.0000%",
                  "unit A: its service line s is funded at 50.0000% of the entitlements (0 for "
                  "a unit without award); the allocation says 40.0000%",
                  unit="A", area="a", service="s", row=2, expected_exact="0.500000",
                  actual_exact="0.400000"),
        Violation(CheckCode.SHARE_MISMATCH, "unit C (row 4)", "0.0000%", "50.0000%",
                  "unit C: its service line s is funded at 0.0000% of the entitlements (0 for "
                  "a unit without award); the allocation says 50.0000%",
                  unit="C", area="a", service="s", row=4, expected_exact="0.000000",
                  actual_exact="0.500000")])
    # A share written with eight decimals is shown with them (six of the percentage).
    rows = [ProvidedRow(None, "C", 0),
            ProvidedRow(2, "A", 40000, share=Fraction(50000001, 10**8), share_places=8)]
    (eight,) = rules.share_mismatch(evidence_of(units, rows)).violations
    assert (eight.expected, eight.actual) == ("50.000000%", "50.000001%")
    assert (eight.expected_exact, eight.actual_exact) == ("0.50000000", "0.50000001")
    # With a minimum of one cent, an award of one cent (B's half of 2 cents) has the share too.
    units = [unit("A", "s", 80000), unit("B", "s", 2)]
    rows = [ProvidedRow(2, "A", 40000), ProvidedRow(3, "B", 1, share=Fraction(1, 2))]
    cent = replace(ONE_LINE, minimum_award=1)
    assert rules.share_mismatch(evidence_of(units, rows, rules=cent)) == Findings(1, [])


def test_wrong_tranches_give_the_rule_and_both_splits() -> None:
    def split(first: str, second: str) -> str:  # a solve's allocation: the workbook's words
        return f"First tranche {first}; Second tranche {second}"

    units = [unit("A", "s", 200000), unit("B", "s", 200000), unit("C", "s", 200000)]
    rows = [ProvidedRow(2, "A", 100015, tranche_1=70010, tranche_2=30005),
            ProvidedRow(3, "B", 100000, tranche_1=70000),
            ProvidedRow(4, "C", 100001, tranche_2=29999), ProvidedRow(5, "C", 5)]
    assert rules.tranches(evidence_of(units, rows)) == Findings(3, [
        Violation(CheckCode.TRANCHES, "unit A (row 2)", split("700.11", "300.04"),
                  split("700.10", "300.05"),
                  "unit A: an award of 1,000.15 EUR is paid 700.11 + 300.04 EUR (70% rounded "
                  "half up, then the rest); the allocation says " + split("700.10", "300.05"),
                  unit="A", row=2),
        Violation(CheckCode.TRANCHES, "unit B (row 3)", split("1,000.00", "0.00"),
                  split("700.00", "-"),
                  "unit B: an award of 1,000.00 EUR is paid 1,000.00 + 0.00 EUR (up to 1,000.00 "
                  "EUR paid at once); the allocation says " + split("700.00", "-"),
                  unit="B", row=3),
        Violation(CheckCode.TRANCHES, "unit C (row 4)", split("700.01", "300.00"),
                  split("-", "299.99"),
                  "unit C: an award of 1,000.01 EUR is paid 700.01 + 300.00 EUR (70% rounded "
                  "half up, then the rest); the allocation says " + split("-", "299.99"),
                  unit="C", row=4)])


def test_residuals_outside_the_scope_say_why_they_are_not_due() -> None:
    # Scope none: no residual is due. Scope area: Q did not apply (and need not have, for the
    # riparto); Y is excluded for not applying (INELIGIBLE_PAID's case, not this one's).
    units = [unit("A", "s", 60000), unit("B", "s", 60000)]
    rows = [ProvidedRow(2, "A", 30001, criteria_award=30000), ProvidedRow(3, "B", 30000)]
    assert rules.residual_scope(evidence_of(units, rows)) == Findings(1, [Violation(
        CheckCode.RESIDUAL_SCOPE, "unit A (row 2)", "0.00", "0.01",
        "unit A receives 0.01 EUR of residuals, but the rule set has no residual phase "
        "(residui.scope none): what the riparto leaves stays unassigned",
        unit="A", area="a", service="s", row=2)])
    optional = replace(RESIDUAL_AREA, eligibility=replace(RESIDUAL_AREA.eligibility,
                                                          require_application=False))
    units = [unit("A", "s", 60000), unit("Q", "s", 60000, applied=False)]
    rows = [ProvidedRow(2, "A", 40000, criteria_award=30000),
            ProvidedRow(3, "Q", 40000, criteria_award=30000)]
    assert rules.residual_scope(evidence_of(units, rows, rules=optional)) == Findings(2, [
        Violation(CheckCode.RESIDUAL_SCOPE, "unit Q (row 3)", "0.00", "100.00",
                  "unit Q receives 100.00 EUR of residuals, but it did not apply: the "
                  "residuals go to the units that applied (\"alle UDOS che hanno presentato "
                  "istanza\")", unit="Q", area="a", service="s", row=3)])
    units = [unit("A", "s", 60000), unit("Y", "s", 60000, applied=False)]
    rows = [ProvidedRow(2, "A", 40000, criteria_award=30000),
            ProvidedRow(3, "Y", 100, criteria_award=0)]
    assert rules.residual_scope(evidence_of(units, rows, rules=RESIDUAL_AREA)) == Findings(2, [])


def test_a_residual_beyond_the_deficit_gives_the_need_the_award_and_the_proration() -> None:
    # P: deficit 4,500.00, riparto 3,500.00 (its formula): it lacks 1,000.00. Q ceased on
    # 30 June: 181/365 of its 5,000.00 deficit is 2,479.45; after its 1,735.61 it lacks 743.84.
    # S, first, gets no residual: not examined. R gets exactly what it lacks.
    units = [unit("S", "s", 450000, ownership=PRIVATE), unit("P", "s", 450000, ownership=PRIVATE),
             unit("Q", "s", 500000, ownership=PRIVATE, end_date=date(2025, 6, 30)),
             unit("R", "s", 450000, ownership=PRIVATE)]
    rows = [ProvidedRow(1, "S", 350000, criteria_award=350000),
            ProvidedRow(2, "P", 450001, criteria_award=350000),
            ProvidedRow(3, "Q", 173561 + 74385, criteria_award=173561),
            ProvidedRow(4, "R", 450000, criteria_award=350000)]
    assert rules.residual_above_deficit(evidence_of(units, rows, rules=RESIDUAL_AREA)) == (
        Findings(3, [
            Violation(CheckCode.RESIDUAL_ABOVE_DEFICIT, "unit P (row 2)", "at most 1,000.00",
                      "1,000.01", "unit P still lacked 1,000.00 EUR after its riparto award of "
                      "3,500.00 EUR (deficit 4,500.00 EUR), but receives 1,000.01 EUR of residuals",
                      unit="P", area="a", service="s", row=2),
            Violation(CheckCode.RESIDUAL_ABOVE_DEFICIT, "unit Q (row 3)", "at most 743.84",
                      "743.85", "unit Q still lacked 743.84 EUR after its riparto award of "
                      "1,735.61 EUR (deficit 5,000.00 EUR, prorated 181/365), but receives 743.85 "
                      "EUR of residuals", unit="Q", area="a", service="s", row=3)]))


def test_a_pool_given_more_than_it_holds_says_both_amounts() -> None:
    # The riparto gives 3,500.00 of 10,000.00 EUR: the area's pool holds 6,500.00.
    units = [unit("P", "s", 1_500_000, ownership=PRIVATE)]
    at_most = [ProvidedRow(2, "P", 1_000_000, criteria_award=350000)]
    assert rules.residual_pool(evidence_of(units, at_most, rules=RESIDUAL_AREA)) == Findings(
        1, [])
    over = [ProvidedRow(2, "P", 1_000_001, criteria_award=350000)]
    assert rules.residual_pool(evidence_of(units, over, rules=RESIDUAL_AREA)) == Findings(1, [
        Violation(CheckCode.RESIDUAL_POOL, "area a", "at most 6,500.00", "6,500.01",
                  "area a: the riparto leaves 6,500.00 EUR, but the residual awards add up to "
                  "6,500.01 EUR", area="a")])


def test_residual_equal_share_names_the_pool_its_share_and_the_exact_residual() -> None:
    # P and Q each lack 1,000.00 EUR after 3,500.00: 1,000.00 EUR of residuals are mu = 1/2,
    # 500.00 EUR each. One cent off each way is fine; two is not.
    # R, first in the units table, gets no residual: not examined.
    units = [unit("R", "s", 450000, ownership=PRIVATE), unit("P", "s", 450000, ownership=PRIVATE),
             unit("Q", "s", 450000, ownership=PRIVATE)]
    fine = [ProvidedRow(2, "P", 400001, criteria_award=350000),
            ProvidedRow(3, "Q", 399999, criteria_award=350000),
            ProvidedRow(4, "R", 350000, criteria_award=350000)]
    evidence = evidence_of(units, fine, rules=RESIDUAL_AREA)
    assert rules.residual_equal_share(evidence) == Findings(2, [])
    off = [ProvidedRow(2, "P", 400002, criteria_award=350000),
           ProvidedRow(3, "Q", 399998, criteria_award=350000)]

    def wrong(uid: str, row: int, residual: str) -> Violation:
        return Violation(
            CheckCode.RESIDUAL_EQUAL_SHARE, f"unit {uid} (row {row})", "500.00 ± 0.01 EUR",
            residual, f"area a: the residuals are given at 50.0000% of what each unit still "
            f"lacks; unit {uid} lacked 1,000.00 EUR and should get 500.00 EUR within one cent, "
            f"not {residual} EUR", unit=uid, area="a", service="s", row=row)

    assert rules.residual_equal_share(evidence_of(units, off, rules=RESIDUAL_AREA)) == Findings(
        2, [wrong("P", 2, "500.02"), wrong("Q", 3, "499.98")])


def test_residual_left_out_names_what_is_due_and_the_minimum_for_an_unfunded_unit() -> None:
    # P gets 500.00 EUR of residuals for the 1,000.00 it lacks: mu = 1/2. Q (funded, lacking
    # 1,000.00) is due 500.00; T (funded, lacking 0.02) one cent; U (lacking 0.01) half a cent,
    # nothing. R (unfunded, lacking 600.00) is due 300.00, the minimum; S (599.99) falls short.
    # V did not apply.
    optional = replace(RESIDUAL_AREA, eligibility=replace(RESIDUAL_AREA.eligibility,
                                                          require_application=False))
    units = [unit("P", "s", 450000, ownership=PRIVATE), unit("Q", "s", 450000, ownership=PRIVATE),
             unit("T", "s", 350002, ownership=PRIVATE), unit("U", "s", 350001, ownership=PRIVATE),
             unit("R", "s", 60000), unit("S", "s", 59999),
             unit("V", "s", 450000, ownership=PRIVATE, applied=False)]
    rows = [ProvidedRow(2, "P", 400000, criteria_award=350000),
            ProvidedRow(3, "Q", 350000, criteria_award=350000),
            ProvidedRow(4, "T", 350000, criteria_award=350000),
            ProvidedRow(5, "U", 350000, criteria_award=350000),
            ProvidedRow(6, "R", 0), ProvidedRow(7, "S", 0),
            ProvidedRow(8, "V", 350000, criteria_award=350000)]

    def due(uid: str, row: int, need: str, exact: str, minimum: str = "") -> Violation:
        return Violation(
            CheckCode.RESIDUAL_LEFT_OUT, f"unit {uid} (row {row})", f"about {exact}", "0.00",
            f"area a: the residuals are given at 50.0000% of what each unit still lacks; unit "
            f"{uid} lacked {need} EUR, so {exact} EUR{minimum} is due to it, yet it gets no "
            f"residual", unit=uid, area="a", service="s", row=row)

    assert rules.residual_left_out(evidence_of(units, rows, rules=optional)) == Findings(5, [
        due("Q", 3, "1,000.00", "500.00"), due("T", 4, "0.02", "0.01"),
        due("R", 6, "600.00", "300.00", ", at least the minimum of 300.00 EUR,")])
    # a pool whose share is 0 (nothing given) leaves nobody out of it
    nothing = [row._replace(award=row.criteria_award or 0) for row in rows]
    assert rules.residual_left_out(evidence_of(units, nothing, rules=optional)) == Findings(0, [])
    # ... and does not stop the check of the next pool: area a0 gives nothing, a1 gives P
    # half of what it lacks and Q nothing.
    two = replace(tiny_rules({"s": ("a0", 1), "t": ("a1", 1)}, {"a0": 50, "a1": 50},
                             fund=2_000_000), residual_scope=ResidualScope.AREA)
    units = [unit("A", "s", 450000, ownership=PRIVATE), unit("P", "t", 450000, ownership=PRIVATE),
             unit("Q", "t", 450000, ownership=PRIVATE)]
    rows = [ProvidedRow(2, "A", 350000), ProvidedRow(3, "P", 400000, criteria_award=350000),
            ProvidedRow(4, "Q", 350000, criteria_award=350000)]
    assert rules.residual_left_out(evidence_of(units, rows, rules=two)) == Findings(1, [
        Violation(CheckCode.RESIDUAL_LEFT_OUT, "unit Q (row 4)", "about 500.00", "0.00",
                  "area a1: the residuals are given at 50.0000% of what each unit still lacks; "
                  "unit Q lacked 1,000.00 EUR, so 500.00 EUR is due to it, yet it gets no "
                  "residual", unit="Q", area="a1", service="t", row=4)])
    # With a minimum of 0, an unfunded unit is due a share of one cent: R lacks 2 cents.
    free = replace(RESIDUAL_AREA, minimum_award=0)
    units = [unit("P", "s", 450000, ownership=PRIVATE), unit("R", "s", 2)]
    rows = [ProvidedRow(2, "P", 400000, criteria_award=350000), ProvidedRow(3, "R", 0)]
    assert rules.residual_left_out(evidence_of(units, rows, rules=free)) == Findings(1, [
        due("R", 3, "0.02", "0.01", ", at least the minimum of 0.00 EUR,")])


def test_the_residual_share_column_is_mu_for_recipients_and_0_for_the_others() -> None:
    # P and Q get a third of the 3,000.00 EUR each lacks, S 1 cent of its 3: mu = 1/3, which
    # P's column gives to six decimals (within half a millionth) and S's exactly.
    units = [unit("P", "s", 650000, ownership=PRIVATE), unit("Q", "s", 650000, ownership=PRIVATE),
             unit("R", "s", 650000, ownership=PRIVATE), unit("S", "s", 350003, ownership=PRIVATE)]
    rows = [ProvidedRow(None, "R", 0),
            ProvidedRow(2, "P", 450000, criteria_award=350000,
                        residual_share=Fraction(333333, 10**6), residual_places=6),
            ProvidedRow(3, "Q", 450000, criteria_award=350000,
                        residual_share=Fraction(34, 100), residual_places=2),
            ProvidedRow(4, "R", 350000, criteria_award=350000,
                        residual_share=Fraction(3, 10), residual_places=1),
            ProvidedRow(6, "S", 350001, criteria_award=350000,
                        residual_share=Fraction(1, 3), residual_places=None)]
    assert rules.residual_share_mismatch(evidence_of(units, rows, rules=RESIDUAL_AREA)) == (
        Findings(4, [
            Violation(CheckCode.RESIDUAL_SHARE_MISMATCH, "unit Q (row 3)", "33.3333%",
                      "34.0000%", "unit Q: its residual pool gives 33.3333% of what each unit "
                      "still lacks (0 for a unit without residual); the allocation says 34.0000%",
                      unit="Q", area="a", service="s", row=3, expected_exact="0.333333",
                      actual_exact="0.340000"),
            Violation(CheckCode.RESIDUAL_SHARE_MISMATCH, "unit R (row 4)", "0.0000%",
                      "30.0000%", "unit R: its residual pool gives 0.0000% of what each unit "
                      "still lacks (0 for a unit without residual); the allocation says 30.0000%",
                      unit="R", area="a", service="s", row=4, expected_exact="0.000000",
                      actual_exact="0.300000")]))
