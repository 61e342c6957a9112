from dataclasses import replace
from datetime import date
from fractions import Fraction

import pytest

from fsr_opt.core.errors import ErrorCode, InputError
from fsr_opt.core.schema import (
    Assessment,
    CapSource,
    ExclusionReason,
    Ownership,
    RuleSet,
    UnitRecord,
    UnitType,
)
from fsr_opt.engine.eligibility import (
    ServicePlan,
    assess,
    plan_services,
    proration,
    service_segments,
    split_service_total,
    tranches,
)

from tests.conftest import table, tiny_rules, unit

RULES = tiny_rules({"res": ("a", 100000)}, {"a": 100}, fund=100000)


def test_segments_hand_checked() -> None:
    # Entitlements 800 and 500 EUR, minimum 300 EUR.
    # k=1: only the 800 unit: S in [300.00, 479.99] (at 480 the 500 unit reaches 300).
    # k=2: both: S in [300*1300/500 = 780.00, 1300.00].
    s1, s2 = service_segments([80000, 50000], 30000)
    assert (s1.groups, s1.funded_units, s1.lower, s1.upper) == (1, 1, 30000, 47999)
    assert (s2.groups, s2.funded_units, s2.lower, s2.upper) == (2, 2, 78000, 130000)


def test_equal_entitlements_form_one_group() -> None:
    (segment,) = service_segments([40000, 40000, 40000], 30000)
    assert segment.funded_units == 3
    assert (segment.lower, segment.upper) == (90000, 120000)


def test_minimum_zero_gives_one_segment_from_zero() -> None:
    (segment,) = service_segments([100, 250, 250], 0)
    assert (segment.lower, segment.upper, segment.funded_units) == (0, 600, 3)


def test_segment_with_entitlement_equal_to_minimum() -> None:
    # The 300 unit reaches the minimum only at lambda = 1, where the first segment ends.
    s1, s2 = service_segments([60000, 30000], 30000)
    assert (s1.lower, s1.upper) == (30000, 59999)
    assert (s2.lower, s2.upper) == (90000, 90000)


def test_split_keeps_equal_share_within_a_cent() -> None:
    rules = tiny_rules({"res": ("a", 1)}, {"a": 100}, fund=100000)
    units = [unit("U1", "res", 80000), unit("U2", "res", 50000), unit("U3", "res", 20000)]
    plans = plan_services(assess(table(units), rules), rules, {"a": 100000})
    awards = split_service_total(plans[0], 100000)
    # lambda = 1000/1300: 615.3846 and 384.6154; the spare cent goes to the larger remainder.
    assert awards == {"U1": 61538, "U2": 38462}
    with pytest.raises(ValueError, match="service res: total 50000 is not reachable"):
        split_service_total(plans[0], 50000)  # in the gap between the two segments


def test_every_exclusion_reason() -> None:
    base = dict(service="res", deficit=50000)
    cases = {
        ExclusionReason.NOT_IN_REGISTRY: unit("A", **base, in_registry=False),
        ExclusionReason.NOT_AUTHORIZED: unit("B", **base, authorized=False),
        ExclusionReason.OUTSIDE_AMBITO: unit("C", **base, municipality="Seriate"),
        ExclusionReason.STARTED_IN_YEAR: unit("D", **base, start_date=date(2025, 3, 1)),
        ExclusionReason.CEASED_BEFORE_YEAR: unit("E", **base, end_date=date(2024, 12, 31)),
        ExclusionReason.EXPERIMENTAL: unit("F", **base, experimental=True),
        ExclusionReason.NO_DEFICIT: unit("G", "res", 0),
        ExclusionReason.NOT_APPLIED: unit("H", **base, applied=False),
    }
    results = assess(table(list(cases.values())), RULES)
    for (reason, _), item in zip(cases.items(), results, strict=True):
        assert item.reasons == (reason,)
        assert item.entitlement == 0


def test_all_failing_reasons_are_kept() -> None:
    item = assess(table([unit("A", "res", -5, applied=False, in_registry=False)]), RULES)[0]
    assert item.reasons == (
        ExclusionReason.NOT_IN_REGISTRY, ExclusionReason.NO_DEFICIT, ExclusionReason.NOT_APPLIED
    )


def test_municipality_matched_ignoring_case_and_accents() -> None:
    item = assess(table([unit("A", "res", 50000, municipality="  BÈRGAMO ")]), RULES)[0]
    assert item.eligible


def test_data_declaration_and_experimental_exception() -> None:
    types = dict(RULES.unit_types)
    types["RES"] = UnitType("RES", "r", "a", "res", "residenziale", False, True, True)
    rules = type(RULES)(**{**RULES.__dict__, "unit_types": types})
    items = assess(table([
        unit("A", "res", 50000, data_declared=None),
        unit("B", "res", 50000, data_declared=True, experimental=True, keeps_requirements=True),
        unit("C", "res", 50000, data_declared=True, experimental=True, keeps_requirements=False),
    ]), rules)
    assert [i.reasons for i in items] == [
        (ExclusionReason.MISSING_DATA_DECLARATION,), (), (ExclusionReason.EXPERIMENTAL,)
    ]


def test_an_sfa_minori_keeps_its_requirements_whatever_its_experimental_flag_says() -> None:
    # Criteria l.78: the SFA minori of d.g.r. 694/2010 are an experimentation by definition;
    # they may be funded only if they kept the requirements of d.g.r. 11263/2010. A row that
    # says experimental=false and keeps_requirements=false was funded before: now excluded.
    types = dict(RULES.unit_types)
    types["RES"] = UnitType("RES", "SFA minori", "a", "res", "residenziale", False, False, True,
                            experimental_by_nature=True)
    rules = replace(RULES, unit_types=types)
    items = assess(table([
        unit("A", "res", 50000, experimental=False, keeps_requirements=False),
        unit("B", "res", 50000, experimental=False, keeps_requirements=None),
        unit("C", "res", 50000, experimental=False, keeps_requirements=True),
        unit("D", "res", 50000, experimental=True, keeps_requirements=True),
    ]), rules)
    assert [i.reasons for i in items] == [
        (ExclusionReason.EXPERIMENTAL,), (ExclusionReason.EXPERIMENTAL,), (), ()]
    # the access criterion switched off, nothing is checked
    off = replace(rules, eligibility=replace(rules.eligibility, exclude_experimental=False))
    assert assess(table([unit("A", "res", 50000, keeps_requirements=False)]), off)[0].eligible


def test_private_formula_and_proration() -> None:
    # Private residential unit, 10 users: formula 1000 + 250*10 = 3500 EUR < deficit 5000.
    # Ceased on 30 June 2025: 181 days of 365; entitlement floor(350000 * 181 / 365) = 173561.
    item = assess(table([unit("A", "res", 500000, ownership=Ownership.PRIVATE,
                              end_date=date(2025, 6, 30))]), RULES)[0]
    assert item.formula_amount == 350000
    assert item.cap_source is CapSource.FORMULA
    assert item.proration == Fraction(181, 365)
    assert item.entitlement == 173561


def test_public_unit_takes_the_deficit() -> None:
    item = assess(table([unit("A", "res", 500000)]), RULES)[0]
    assert (item.formula_amount, item.entitlement, item.cap_source) == (
        None, 500000, CapSource.DEFICIT
    )


def test_proration_leap_year() -> None:
    assert proration(unit("A", "res", 1, end_date=date(2024, 1, 31)), 2024) == Fraction(31, 366)


def test_unknown_type_is_an_input_error_naming_row_and_column() -> None:
    with pytest.raises(InputError) as info:
        assess(table([unit("A", "res", 1), unit("B", "res", 1, unit_type="NIDO_X")]), RULES)
    text = str(info.value)
    assert "row 3" in text and "unit_type" in text and "NIDO_X" in text


@pytest.mark.parametrize(
    ("award", "expected"),
    [(0, (0, 0)), (30000, (30000, 0)), (100000, (100000, 0)), (100001, (70001, 30000)),
     (123457, (86420, 37037))],
)
def test_tranches(award: int, expected: tuple[int, int]) -> None:
    # 70% of 1000.01 = 700.007 -> 700.01; of 1234.57 = 864.199 -> 864.20.
    assert tranches(award, RULES) == expected


# ---------------------------------------------------------------------------------------------
# Each threshold of the rules, tested on the threshold
# ---------------------------------------------------------------------------------------------


def judge(*units: UnitRecord, rules: RuleSet = RULES) -> list[Assessment]:
    return list(assess(table(list(units)), rules))


def test_started_in_year_excludes_a_unit_started_on_1_january() -> None:
    started, before = judge(unit("A", "res", 50000, start_date=date(2025, 1, 1)),
                            unit("B", "res", 50000, start_date=date(2024, 12, 31)))
    assert started.reasons == (ExclusionReason.STARTED_IN_YEAR,)
    assert before.eligible and before.entitlement == 50000


def test_ceased_before_year_excludes_31_december_and_prorates_1_january() -> None:
    before, first_day = judge(unit("A", "res", 50000, end_date=date(2024, 12, 31)),
                              unit("B", "res", 365 * 1000 + 364, end_date=date(2025, 1, 1)))
    assert before.reasons == (ExclusionReason.CEASED_BEFORE_YEAR,)
    # One day of activity: 1/365 of the year, floored to the cent.
    assert first_day.eligible
    assert first_day.proration == Fraction(1, 365)
    assert first_day.entitlement == 1000


@pytest.mark.parametrize(
    ("end", "year", "share"),
    [(date(2025, 12, 31), 2025, Fraction(1)), (date(2026, 1, 1), 2025, Fraction(1)),
     (None, 2025, Fraction(1)), (date(2024, 1, 1), 2024, Fraction(1, 366)),
     (date(2024, 12, 30), 2024, Fraction(365, 366)), (date(2025, 12, 30), 2025,
                                                      Fraction(364, 365))],
)
def test_proration_counts_both_the_first_and_the_last_day(
    end: date | None, year: int, share: Fraction
) -> None:
    assert proration(unit("A", "res", 1, end_date=end), year) == share


def test_no_deficit_excludes_a_balanced_unit_and_admits_one_cent() -> None:
    balanced, one_cent = judge(unit("A", "res", 0), unit("B", "res", 1))
    assert balanced.reasons == (ExclusionReason.NO_DEFICIT,)
    assert one_cent.eligible and one_cent.entitlement == 1


def test_no_deficit_switched_off_gives_a_surplus_no_entitlement() -> None:
    rules = replace(RULES, eligibility=replace(RULES.eligibility, require_deficit=False))
    surplus, private = judge(
        unit("A", "res", -5000),
        unit("B", "res", -5000, ownership=Ownership.PRIVATE),  # formula 3,500 EUR
        rules=rules,
    )
    for item in (surplus, private):
        assert item.eligible
        assert (item.entitlement, item.cap_source) == (0, CapSource.DEFICIT)
    assert plan_services([surplus, private], rules, {"a": 100000})[0].ranked == ()


def test_formula_caps_only_an_amount_below_the_deficit() -> None:
    # Formula 1000 + 250 * 10 = 3,500 EUR: equal to the deficit, the deficit is the cap.
    equal, above = judge(unit("A", "res", 350000, ownership=Ownership.PRIVATE),
                         unit("B", "res", 350001, ownership=Ownership.PRIVATE))
    assert (equal.entitlement, equal.cap_source) == (350000, CapSource.DEFICIT)
    assert (above.entitlement, above.cap_source) == (350000, CapSource.FORMULA)


def test_an_entitlement_equal_to_the_minimum_can_be_funded() -> None:
    rules = tiny_rules({"res": ("a", 1)}, {"a": 100}, fund=100000, minimum=30000)
    items = judge(unit("AT", "res", 30000), unit("BELOW", "res", 29999), rules=rules)
    (plan,) = plan_services(items, rules, {"a": 100000})
    assert plan.ranked == (("AT", 30000),)
    assert split_service_total(plan, 30000) == {"AT": 30000}


def test_minimum_zero_never_funds_a_zero_entitlement() -> None:
    rules = tiny_rules({"res": ("a", 1)}, {"a": 100}, fund=100000, minimum=0)
    rules = replace(rules, eligibility=replace(rules.eligibility, require_deficit=False))
    items = judge(unit("ZERO", "res", 0), unit("ONE", "res", 1), rules=rules)
    (plan,) = plan_services(items, rules, {"a": 100000})
    assert plan.ranked == (("ONE", 1),)
    assert service_segments([], 0) == ()


def test_segment_bounds_are_the_totals_where_the_minimum_is_reached() -> None:
    # Entitlements 100 and 60, minimum 50. One unit funded: from 50 (its share reaches the
    # minimum) to 83 (at 84 the 60 unit's share, 84 * 60 / 100 = 50.4, reaches it too). Both
    # funded: from 134 (133 * 60 / 160 = 49.875 falls short) to 160 (share 1).
    one, both = service_segments([100, 60], 50)
    assert (one.funded_units, one.lower, one.upper) == (1, 50, 83)
    assert (both.funded_units, both.lower, both.upper) == (2, 134, 160)
    plan = ServicePlan("a", "res", 0, Fraction(0), (("A", 100), ("B", 60)), (one, both))
    assert [plan.segment_for(total) for total in (49, 50, 83, 84, 133, 134, 160, 161)] == [
        None, one, one, None, None, both, both, None]
    assert split_service_total(plan, 83) == {"A": 83}
    assert split_service_total(plan, 134) == {"A": 84, "B": 50}
    assert split_service_total(plan, 0) == {}
    with pytest.raises(ValueError, match="service res: total 84 is not reachable"):
        split_service_total(plan, 84)


def test_a_minimum_of_one_cent_is_a_minimum() -> None:
    """Only a minimum of 0 funds every unit from the first cent; 1 cent already splits.

    Entitlements 100 and 50, minimum 1: one unit alone takes 1 cent (at 2 the other's share,
    2 * 50 / 100, reaches the minimum); both need 3 (at 2, 2 * 50 / 150 falls short).
    """
    assert [(s.funded_units, s.lower, s.upper) for s in service_segments([100, 50], 1)] == [
        (1, 1, 1), (2, 3, 150)]
    assert [(s.funded_units, s.lower, s.upper) for s in service_segments([100, 50], 0)] == [
        (2, 0, 150)]


def test_service_lines_are_numbered_in_rule_set_order_from_zero() -> None:
    """`ServicePlan.priority` is the line's position; the last tie-break weighs lines by it."""
    rules = tiny_rules({"first": ("a", 1), "second": ("a", 1), "third": ("b", 1)},
                       {"a": 50, "b": 50}, fund=100000)
    units = [unit("U1", "first", 80000), unit("U2", "third", 50000)]
    plans = plan_services(assess(table(units), rules), rules, {"a": 50000, "b": 50000})
    assert [(plan.service, plan.priority) for plan in plans] == [
        ("first", 0), ("second", 1), ("third", 2)]


def test_a_funded_set_whose_bounds_cross_is_no_segment() -> None:
    # 100.00, 99.99 and 99.98 EUR, minimum 10 EUR. Two units funded need a total of at least
    # 20.01 EUR (20.00 * 9999 / 19999 = 9.9995 falls short for the second), but at 20.01 the
    # third's share is 10.0030: no total funds exactly two units.
    segments = service_segments([10000, 9999, 9998], 1000)
    assert [(s.groups, s.funded_units, s.lower, s.upper) for s in segments] == [
        (1, 1, 1000, 1000), (3, 3, 3001, 29997)]


def test_first_tranche_rounds_half_up() -> None:
    # 70% of 1,000.15 EUR is 700.105: half a cent, rounded up (half-even would give 700.10).
    assert tranches(100015, RULES) == (70011, 30004)
    assert tranches(100025, RULES) == (70018, 30007)  # 700.175 -> 700.18
    assert tranches(100016, RULES) == (70011, 30005)  # 700.112 -> 700.11


def test_single_payment_threshold_pays_the_threshold_at_once() -> None:
    threshold = RULES.single_payment_threshold
    assert tranches(threshold, RULES) == (threshold, 0)
    assert tranches(threshold + 1, RULES) == (70001, 30000)


def test_first_tranche_with_a_fractional_percent() -> None:
    rules = replace(RULES, first_tranche_percent=Fraction(705, 10))
    # 70.5% of 1,000.10 EUR = 705.0705 -> 705.07; of 1,000.30 EUR = 705.2115 -> 705.21;
    # of 1,000.70 EUR = 705.4935 -> 705.49; of 2,000.00 EUR exactly 1,410.00.
    assert tranches(100010, rules) == (70507, 29503)
    assert tranches(200000, rules) == (141000, 59000)
    # 70.5% of 1,001.00 EUR = 705.705 -> 705.71 (half up).
    assert tranches(100100, rules) == (70571, 29529)


def test_assess_refuses_a_type_the_rules_do_not_know_naming_file_row_and_column() -> None:
    """`assess` reports every unknown type itself (a table loaded without the rule set's types)."""
    rules = tiny_rules({"s": ("a", 100), "t": ("a", 100)}, {"a": 100}, fund=10000)
    units = table([unit("U1", "s", 500), replace(unit("U2", "s", 500), unit_type="NIDOX"),
                   replace(unit("U3", "s", 500), unit_type="ALTRO")])
    with pytest.raises(InputError) as caught:
        assess(units, rules)
    problems = caught.value.problems
    assert [(p.file, p.row, p.column, p.code) for p in problems] == [
        ("units.csv", 3, "unit_type", ErrorCode.UNKNOWN_TYPE),
        ("units.csv", 4, "unit_type", ErrorCode.UNKNOWN_TYPE)]
    assert sorted(rules.unit_types) == ["S", "T"]
    assert problems[0].message == (
        "unknown unit type 'NIDOX'; use one of the rule set's codes: S, T")
