from datetime import date
from fractions import Fraction

import pytest

from fsr_opt.core.errors import InputError
from fsr_opt.core.schema import CapSource, ExclusionReason, Ownership, UnitType
from fsr_opt.engine.eligibility import (
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
    with pytest.raises(ValueError):
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
