from fractions import Fraction

import pytest
from hypothesis import given
from hypothesis import strategies as st

from fsr_opt.core.money import (
    euros_to_cents,
    format_cents,
    format_cents_it,
    largest_remainder,
    largest_remainder_over,
    round_half_up,
)


def test_format_cents() -> None:
    assert format_cents(0) == "0.00"
    assert format_cents(89249535) == "892495.35"
    assert format_cents(-1205) == "-12.05"
    assert format_cents_it(89249535) == "892.495,35"


def test_euros_to_cents_refuses_fractions_of_cent() -> None:
    assert euros_to_cents("892495.35") == 89249535
    with pytest.raises(ValueError):
        euros_to_cents("1.234")


@pytest.mark.parametrize(
    ("value", "expected"),
    [(Fraction(5, 2), 3), (Fraction(3, 2), 2), (Fraction(7, 10), 1), (Fraction(-5, 2), -3),
     (Fraction(2), 2), (Fraction(249, 100), 2)],
)
def test_round_half_up(value: Fraction, expected: int) -> None:
    assert round_half_up(value) == expected


def test_largest_remainder_area_split_of_2025() -> None:
    fund = 89249535
    quotas = [("minori", Fraction(fund * 50, 100)), ("disabili", Fraction(fund * 10, 100)),
              ("anziani", Fraction(fund * 40, 100))]
    parts = largest_remainder(fund, quotas)
    # Both minori and disabili have remainder 0.5: the larger quota (minori) takes the cent.
    assert parts == {"minori": 44624768, "disabili": 8924953, "anziani": 35699814}
    assert sum(parts.values()) == fund


@given(st.lists(st.integers(1, 10**6), min_size=1, max_size=12), st.integers(0, 10**7))
def test_largest_remainder_properties(weights: list[int], total: int) -> None:
    weight_sum = sum(weights)
    quotas = [(i, Fraction(total * w, weight_sum)) for i, w in enumerate(weights)]
    parts = largest_remainder(total, quotas)
    assert sum(parts.values()) == total
    for key, quota in quotas:
        assert abs(parts[key] - quota) < 1
    # Order of the input does not matter.
    assert largest_remainder(total, list(reversed(quotas))) == parts


@given(
    st.lists(st.tuples(st.text(min_size=1, max_size=3), st.integers(0, 10**6)), max_size=12,
             unique_by=lambda item: item[0]),
    st.integers(1, 10**5),
)
def test_split_over_a_common_denominator_is_largest_remainder(
    items: list[tuple[str, int]], denominator: int
) -> None:
    total_quota = sum(n for _, n in items)
    for total in {total_quota // denominator, -(-total_quota // denominator)}:
        try:
            expected = largest_remainder(total, [(k, Fraction(n, denominator)) for k, n in items])
        except ValueError:
            with pytest.raises(ValueError):
                largest_remainder_over(total, items, denominator)
            continue
        assert largest_remainder_over(total, items, denominator) == expected


@given(st.fractions(max_denominator=10**9), st.integers(-10**12, 10**12))
def test_round_half_up_of_integers_and_fractions(value: Fraction, whole: int) -> None:
    assert round_half_up(whole) == whole
    expected = int((abs(value) + Fraction(1, 2)) // 1) * (1 if value >= 0 else -1)
    assert round_half_up(value) == expected
