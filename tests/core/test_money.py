from decimal import Decimal
from fractions import Fraction

import pytest
from hypothesis import given
from hypothesis import strategies as st

from fsr_opt.core.money import (
    CentsTexts,
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


def test_cents_texts_write_each_amount_once() -> None:
    written: list[int] = []

    def write(cents: int) -> str:
        written.append(cents)
        return format_cents_it(cents)

    texts = CentsTexts(write)
    assert [texts[c] for c in (100000, -5, 100000, -5)] == ["1.000,00", "-0,05"] * 2
    assert written == [100000, -5]
    assert CentsTexts()[-1205] == "-12.05"  # format_cents unless told otherwise


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


# ---------------------------------------------------------------------------------------------
# Ties and limits, constructed (random draws almost never hit them)
# ---------------------------------------------------------------------------------------------


def test_largest_remainder_gives_equal_remainders_to_the_larger_quota() -> None:
    # Quotas 1.25 and 2.25: one spare cent, equal remainders; the larger quota ("b") takes it,
    # although "a" comes first by key.
    assert largest_remainder(4, [("a", Fraction(5, 4)), ("b", Fraction(9, 4))]) == {
        "a": 1, "b": 3}
    assert largest_remainder_over(4, [("a", 5), ("b", 9)], 4) == {"a": 1, "b": 3}


def test_largest_remainder_over_breaks_ties_like_largest_remainder() -> None:
    # Equal remainders with quotas in both orders, and equal quotas decided by the key.
    cases = [
        (7, [("c", 13), ("a", 5), ("b", 9)], 4),  # 3.25, 1.25, 2.25: the cent to c, the largest
        (3, [("b", 6), ("a", 6)], 4),  # 1.5 each: the smaller key, "a"
        (5, [("k1", 7), ("k2", 7), ("k3", 7)], 5),  # 1.4 each: two cents, k1 and k2
    ]
    expected = [{"c": 4, "a": 1, "b": 2}, {"b": 1, "a": 2}, {"k1": 2, "k2": 2, "k3": 1}]
    for (total, numerators, denominator), want in zip(cases, expected, strict=True):
        fractions = [(k, Fraction(n, denominator)) for k, n in numerators]
        assert largest_remainder(total, fractions) == want
        assert largest_remainder_over(total, numerators, denominator) == want


def test_largest_remainder_tie_key_decides_among_equal_quotas() -> None:
    quotas = [("first", Fraction(3, 2)), ("second", Fraction(3, 2))]
    assert largest_remainder(3, quotas) == {"first": 2, "second": 1}
    assert largest_remainder(3, quotas, tie_key=["b", "a"]) == {"first": 1, "second": 2}


def test_largest_remainder_accepts_exactly_the_totals_between_floors_and_ceilings() -> None:
    # Quotas 1.5, 1.5 and 2: floors add to 4, ceilings to 6.
    quotas = [("a", Fraction(3, 2)), ("b", Fraction(3, 2)), ("c", Fraction(2))]
    numerators = [("a", 3), ("b", 3), ("c", 4)]
    for total in (4, 5, 6):
        assert sum(largest_remainder(total, quotas).values()) == total
        assert largest_remainder_over(total, numerators, 2) == largest_remainder(total, quotas)
    for total in (3, 7):
        with pytest.raises(ValueError, match=f"^cannot split {total} cents among quotas adding "
                                             "to 5.0$"):
            largest_remainder(total, quotas)
        with pytest.raises(ValueError, match=f"^cannot split {total} cents among quotas adding "
                                             "to 5.0$"):
            largest_remainder_over(total, numerators, 2)
    with pytest.raises(ValueError, match=r"^the common denominator must be positive$"):
        largest_remainder_over(0, [], 0)
    assert largest_remainder_over(0, [], 1) == {}


@pytest.mark.parametrize(
    ("value", "expected"),
    [(Fraction(1, 2), 1), (Fraction(-1, 2), -1), (Fraction(-3, 2), -2), (Fraction(-7, 10), -1),
     (Fraction(-249, 100), -2), (Fraction(0), 0), (Fraction(1, 3), 0), (Fraction(-1, 3), 0)],
)
def test_round_half_up_rounds_halves_away_from_zero(value: Fraction, expected: int) -> None:
    assert round_half_up(value) == expected


def test_euros_to_cents_at_the_cent() -> None:
    assert euros_to_cents("0.01") == 1
    assert euros_to_cents(Decimal("1.50")) == 150
    assert euros_to_cents(7) == 700
    assert euros_to_cents("-0.01") == -1
    with pytest.raises(ValueError, match=r"^0\.001 has more than two decimals$"):
        euros_to_cents("0.001")
    with pytest.raises(ValueError):
        euros_to_cents("0.015")


def test_format_cents_below_one_euro_and_negative() -> None:
    assert format_cents(5) == "0.05"
    assert format_cents(-5) == "-0.05"
    assert format_cents(100) == "1.00"
    assert format_cents_it(-100) == "-1,00"
    assert format_cents_it(99999) == "999,99"
    assert format_cents_it(100000) == "1.000,00"
    assert format_cents_it(5) == "0,05"
    assert (format_cents(0), format_cents_it(0)) == ("0.00", "0,00")  # zero has no sign


@given(st.integers(min_value=-(10**15), max_value=10**15))
def test_format_cents_is_the_exact_decimal(cents: int) -> None:
    text = format_cents(cents)
    assert Decimal(text) * 100 == cents and text == f"{Decimal(cents) / 100:.2f}"
    assert text.split(".")[1].isdigit() and len(text.split(".")[1]) == 2
