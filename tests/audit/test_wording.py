"""Figures in violations are exact, so that an auditor can redo them by hand."""

from __future__ import annotations

from fractions import Fraction

from fsr_opt.audit.wording import euros, exact_euros, ratio, unit_subject


def test_cents_are_euros_with_two_decimals() -> None:
    assert (euros(0), euros(5), euros(123456), euros(-150)) == ("0.00", "0.05", "1234.56",
                                                                 "-1.50")


def test_fractions_of_a_cent_get_six_decimals() -> None:
    assert exact_euros(Fraction(123456)) == "1234.56"
    assert exact_euros(Fraction(1, 3)) == "0.003333"
    assert exact_euros(Fraction(200, 3)) == "0.666667"  # half up
    assert exact_euros(Fraction(-1, 3)) == "-0.003333"


def test_shares_are_ratios_with_six_decimals() -> None:
    assert (ratio(Fraction(0)), ratio(Fraction(1)), ratio(Fraction(2, 3))) == (
        "0.000000", "1.000000", "0.666667")


def test_a_unit_is_named_with_its_row_when_it_has_one() -> None:
    assert unit_subject("UDO1", 7) == "unit UDO1 (row 7)"
    assert unit_subject("UDO1", None) == "unit UDO1"


def test_fractions_of_a_cent_above_one_euro_and_below_the_sixth_decimal() -> None:
    # Whole euros and the six decimals split at 10**6 millionths; what rounds to zero has no
    # sign (never "-0.000000").
    assert exact_euros(Fraction(1234567, 3)) == "4115.223333"
    assert exact_euros(Fraction(-1234567, 3)) == "-4115.223333"
    assert exact_euros(Fraction(1, 10**5)) == "0.000000"
    assert exact_euros(Fraction(-1, 10**5)) == "0.000000"
