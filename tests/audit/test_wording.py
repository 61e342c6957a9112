"""Figures in violations are exact, so that an auditor can redo them by hand, and written in
the language of the run (``1.234,56`` in Italian, ``1,234.56`` in English)."""

from __future__ import annotations

from fractions import Fraction

from fsr_opt.audit.wording import (
    area_subject,
    column,
    euros,
    exact_euros,
    labelled,
    ratio,
    unit_subject,
)
from fsr_opt.core.i18n import use_language


def test_cents_are_euros_with_two_decimals() -> None:
    assert (euros(0), euros(5), euros(123456), euros(-150)) == ("0.00", "0.05", "1,234.56",
                                                                 "-1.50")
    with use_language("it"):
        assert (euros(0), euros(44624768), euros(-150)) == ("0,00", "446.247,68", "-1,50")


def test_fractions_of_a_cent_get_six_decimals() -> None:
    assert exact_euros(Fraction(123456)) == "1,234.56"
    assert exact_euros(Fraction(1, 3)) == "0.003333"
    assert exact_euros(Fraction(200, 3)) == "0.666667"  # half up
    assert exact_euros(Fraction(-1, 3)) == "-0.003333"
    with use_language("it"):
        assert exact_euros(Fraction(123456)) == "1.234,56"
        assert exact_euros(Fraction(747340199, 1000)) == "7.473,401990"
        assert exact_euros(Fraction(-1, 3)) == "-0,003333"


def test_shares_are_ratios_with_six_decimals() -> None:
    assert (ratio(Fraction(0)), ratio(Fraction(1)), ratio(Fraction(2, 3))) == (
        "0.000000", "1.000000", "0.666667")
    with use_language("it"):
        assert ratio(Fraction(2, 3)) == "0,666667"


def test_a_unit_is_named_with_its_row_when_it_has_one() -> None:
    assert unit_subject("UDO1", 7) == "unit UDO1 (row 7)"
    assert unit_subject("UDO1", None) == "unit UDO1"
    assert area_subject("minori") == "area minori"
    with use_language("it"):
        assert unit_subject("UDO1", 7) == "unità UDO1 (riga 7)"
        assert unit_subject("UDO1", None) == "unità UDO1"


def test_a_column_is_named_as_the_file_heads_it_else_as_the_workbook_does() -> None:
    assert column({"criteria_award": "Contributo criteri"}, "criteria_award") == (
        "Contributo criteri")
    assert column({"tranche_1": "tranche_1"}, "tranche_1") == "tranche_1"
    assert column({}, "tranche_1") == "First tranche"
    with use_language("it"):
        assert column({}, "criteria_award") == "Contributo dai criteri"
        assert column({"tranche_1": "acconto"}, "tranche_1") == "acconto"
    assert labelled([("a", "1,50"), ("b", "-")]) == "a 1,50; b -"


def test_fractions_of_a_cent_above_one_euro_and_below_the_sixth_decimal() -> None:
    # Whole euros and the six decimals split at 10**6 millionths; what rounds to zero has no
    # sign (never "-0.000000").
    assert exact_euros(Fraction(1234567, 3)) == "4,115.223333"
    assert exact_euros(Fraction(-1234567, 3)) == "-4,115.223333"
    assert exact_euros(Fraction(1, 10**5)) == "0.000000"
    assert exact_euros(Fraction(-1, 10**5)) == "0.000000"
