"""The readers of rule-set values: strict numbers, exact amounts, texts, codes and dates."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from fractions import Fraction

import pytest
from hypothesis import given
from hypothesis import strategies as st

from fsr_opt.core.errors import ErrorCode
from fsr_opt.rules.values import (
    MAX_AMOUNT_CENTS,
    RuleValueError,
    describe,
    read_amount,
    read_code,
    read_date_key,
    read_description,
    read_fund,
    read_names,
    read_percent,
    read_reference,
    read_set_aside,
    read_switch,
    read_type_codes,
    read_unit,
    read_version,
    read_year,
    show_money,
    show_percent,
)


def refused(read: object, raw: object) -> RuleValueError:
    assert callable(read)
    with pytest.raises(RuleValueError) as info:
        read(raw)
    return info.value


@pytest.mark.parametrize(("raw", "cents"), [
    (892495.35, 89_249_535), ("892495.35", 89_249_535), (300, 30_000), ("  7.1 ", 710),
    (0, 0), ("1e3", 100_000), (Decimal("0.10"), 10), ("12345678901234.57", 1_234_567_890_123_457),
])
def test_amounts_are_exact_cents(raw: object, cents: int) -> None:
    assert read_amount(raw) == cents


@pytest.mark.parametrize(("raw", "code", "words"), [
    ("40%", ErrorCode.BAD_VALUE, "amount in euros"),
    ("-892.495,35", ErrorCode.BAD_VALUE, "no thousands separator"),
    (float("nan"), ErrorCode.BAD_VALUE, "got the number nan"),
    (float("inf"), ErrorCode.BAD_VALUE, "amount in euros"),
    ("1e999999999", ErrorCode.BAD_VALUE, "'1e999999999'"),
    (True, ErrorCode.BAD_VALUE, "the boolean true"),
    (None, ErrorCode.BAD_VALUE, "nothing (null)"),
    ([], ErrorCode.BAD_VALUE, "an empty list"),
    ("1000.005", ErrorCode.BAD_VALUE, "more than two decimals"),
    (1e20, ErrorCode.TOO_LARGE, "implausibly large"),
    (-1, ErrorCode.BAD_VALUE, "at least 0.00 EUR"),
])
def test_amounts_that_are_refused(raw: object, code: ErrorCode, words: str) -> None:
    error = refused(read_amount, raw)
    assert error.code is code and words in error.message


def test_the_largest_amount() -> None:
    assert read_amount(MAX_AMOUNT_CENTS // 100) == MAX_AMOUNT_CENTS
    assert refused(read_amount, MAX_AMOUNT_CENTS // 100 + 1).code is ErrorCode.TOO_LARGE


def test_the_fund_is_above_zero() -> None:
    assert read_fund("0.01") == 1
    error = refused(read_fund, 0)
    assert error.code is ErrorCode.NEGATIVE_FUND and "greater than 0" in error.message


@given(cents=st.integers(-MAX_AMOUNT_CENTS, MAX_AMOUNT_CENTS))
def test_an_amount_reads_back_from_its_text(cents: int) -> None:
    text = f"{'-' if cents < 0 else ''}{abs(cents) // 100}.{abs(cents) % 100:02d}"
    assert read_amount(text, minimum=None) == cents


def test_percents() -> None:
    assert read_percent(12.5) == Fraction(25, 2)
    assert read_percent("33.3333333333333333") == Fraction("33.3333333333333333")
    assert "no '%' sign" in refused(read_percent, "40%").message
    assert "at most 100%" in refused(read_percent, 120).message
    assert "at least 0%" in refused(read_percent, -1).message
    assert read_set_aside(150) == 150  # its max is checked against it elsewhere
    assert "write 0 when no set-aside is made" in refused(read_set_aside, -1).message


def test_switches_are_booleans_only() -> None:
    assert read_switch(False) is False
    for raw in ("si", "true", 1, 0, None):
        assert "true or false" in refused(read_switch, raw).message


def test_texts() -> None:
    assert read_description("  two\n lines ") == "two lines"
    assert refused(read_description, "").code is ErrorCode.MISSING_DESCRIPTION
    assert read_reference(["Act 1", " Act  2 "]) == "Act 1; Act 2"
    for raw in ("", [], ["ok", ""], 5):
        assert refused(read_reference, raw).code is ErrorCode.MISSING_REFERENCE
    assert read_version("2025.10") == "2025.10"
    assert "quote it" in refused(read_version, 2025.1).message
    assert read_year(2026) == 2026
    for raw in ("2025", True, 1800, 2025.0):
        assert "integer" in refused(read_year, raw).message


def test_codes_names_and_units() -> None:
    assert read_code("residenziali_minori") == "residenziali_minori"
    for raw in ("area.b", "1a", "", 5, None):
        assert refused(read_code, raw).code is ErrorCode.BAD_CODE
    assert read_type_codes([" CSE "]) == ("CSE",)
    assert "non-empty list" in refused(read_type_codes, []).message
    assert read_names(["Bergamo", " Torre  Boldone"]) == ("Bergamo", "Torre Boldone")
    error = refused(read_names, ["Torre Boldone", "TORRE-BOLDONE"])
    assert error.code is ErrorCode.DUPLICATE_NAME and "list it once" in error.message
    assert read_unit("EUR", "EUR") == "EUR"
    with pytest.raises(RuleValueError, match="write unit: percent"):
        read_unit("%", "percent")


def test_date_keys() -> None:
    assert read_date_key(date(2026, 1, 1)) == date(2026, 1, 1)
    assert read_date_key("2026-01-01") == date(2026, 1, 1)  # TOML keys are always text
    assert "write 2026-01-01" in refused(read_date_key, 2026).message
    for raw in ("1 gennaio 2026", "2026-02-30", datetime(2026, 1, 1), None):
        assert "not a date such as" in refused(read_date_key, raw).message


def test_shown_values() -> None:
    assert show_money(89_249_535) == "892495.35 EUR"
    assert show_percent(Fraction(1, 3)).startswith("0.333333")
    assert show_percent(Fraction(50)) == "50%"
    assert describe({}) == "an empty mapping" and describe(date(2026, 1, 1)) == "a date"
