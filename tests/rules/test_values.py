"""The readers of rule-set values: strict numbers, exact amounts, texts, codes and dates."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from fractions import Fraction

import pytest
from hypothesis import given
from hypothesis import strategies as st

from fsr_opt.core.errors import ErrorCode
from fsr_opt.io.rulefile import YamlGuess
from fsr_opt.rules.values import (
    MAX_AMOUNT_CENTS,
    RuleValueError,
    decimal_text,
    describe,
    read_amount,
    read_choice,
    read_code,
    read_date_key,
    read_description,
    read_flag,
    read_formula_class,
    read_fund,
    read_names,
    read_percent,
    read_reference,
    read_set_aside,
    read_switch,
    read_text,
    read_type_codes,
    read_unit,
    read_version,
    read_year,
    show_money,
    show_percent,
    suggest,
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
    # one text per language, each collapsed; a language fsr-opt does not speak is named
    assert read_description({"it": " due\n righe ", "en": "two lines"}) == {
        "it": "due righe", "en": "two lines"}
    assert "'fr' is not a language" in refused(read_description, {"fr": "texte"}).message
    assert refused(read_description, {"it": ""}).code is ErrorCode.MISSING_DESCRIPTION
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


def message(read: object, raw: object) -> tuple[ErrorCode, str]:
    error = refused(read, raw)
    return error.code, error.message


def test_each_refused_value_gets_its_whole_message() -> None:
    """The code and the whole sentence a person reads after the key (the readers are called
    here, not in a parametrize list, so that a mutation testing run sees them)."""
    amount = ("; write a plain number with '.' as decimal mark and no thousands separator")
    cases: list[tuple[object, object, ErrorCode, str]] = [
        (read_amount, "1.000,50", ErrorCode.BAD_VALUE,
         "value must be an amount in euros such as 1234.56, got the text '1.000,50'" + amount),
        (read_amount, "1.005", ErrorCode.BAD_VALUE,
         "value 1.005 has more than two decimals; amounts are in euros and cents, round it to "
         "the cent"),
        (read_amount, 10**15 + 1, ErrorCode.TOO_LARGE,
         "value 1000000000000001 EUR is implausibly large (more than 10^15 euros); check the "
         "figure"),
        (read_amount, -1, ErrorCode.BAD_VALUE,
         "value -1.00 EUR is below the minimum 0.00 EUR; use a value of at least 0.00 EUR"),
        (lambda raw: read_amount(raw, minimum=200), "1.99", ErrorCode.BAD_VALUE,
         "value 1.99 EUR is below the minimum 2.00 EUR; use a value of at least 2.00 EUR"),
        (read_fund, "-5.5", ErrorCode.NEGATIVE_FUND,
         "value -5.50 EUR must be greater than 0; write the amount assigned to the Ambito by "
         "the regional act"),
        (read_percent, "40%", ErrorCode.BAD_VALUE,
         "value must be a percent written as a plain number such as 50 or 12.5 (no '%' sign), "
         "got the text '40%'"),
        (read_percent, "-0.5", ErrorCode.BAD_VALUE,
         "value -0.5% is below the minimum 0%; use a value of at least 0%"),
        (read_percent, "100.01", ErrorCode.BAD_VALUE,
         "value 100.01% is above the maximum 100%; use a value of at most 100%"),
        (lambda raw: read_percent(raw, maximum=Fraction(25, 2)), 13, ErrorCode.BAD_VALUE,
         "value 13% is above the maximum 12.5%; use a value of at most 12.5%"),
        (read_set_aside, -2.5, ErrorCode.BAD_VALUE,
         "value -2.5% is negative; write 0 when no set-aside is made"),
        (read_set_aside, "x", ErrorCode.BAD_VALUE,
         "value must be a percent written as a plain number such as 50 or 12.5 (no '%' sign), "
         "got the text 'x'"),
        (read_switch, "si", ErrorCode.BAD_VALUE, "value must be true or false, got the text 'si'"),
        (lambda raw: read_choice(raw, ["targets", "applications"]), "targt", ErrorCode.BAD_VALUE,
         "value must be one of targets, applications, got the text 'targt'; did you mean "
         "'targets'?"),
        (lambda raw: read_choice(raw, ["targets", "applications"]), "zzz", ErrorCode.BAD_VALUE,
         "value must be one of targets, applications, got the text 'zzz'"),
        (lambda raw: read_choice(raw, ["targets", "applications"]), 5, ErrorCode.BAD_VALUE,
         "value must be one of targets, applications, got the number 5"),
        (read_flag, 1, ErrorCode.BAD_VALUE, "must be true or false, got the number 1"),
        (read_text, " ", ErrorCode.BAD_VALUE, "must be non-empty text, got the text ' '"),
        (read_text, 5, ErrorCode.BAD_VALUE, "must be non-empty text, got the number 5"),
        (read_description, None, ErrorCode.MISSING_DESCRIPTION,
         "is empty or not text (nothing (null)); write a sentence that says what the value is "
         "and why, or one per language ({it: ..., en: ...})"),
        (read_description, [], ErrorCode.MISSING_DESCRIPTION,
         "is empty or not text (an empty list); write a sentence that says what the value is "
         "and why, or one per language ({it: ..., en: ...})"),
        (read_reference, ["Act 1", 2], ErrorCode.MISSING_REFERENCE,
         "is empty or not text (a list); cite the legal source (act, date and section), or give "
         "a list of them"),
        (read_version, 2025.1, ErrorCode.BAD_VALUE,
         "must be quoted text such as \"2025.1\", got the number 2025.1; quote it so that "
         "2025.10 is not read as the number 2025.1"),
        (read_version, " ", ErrorCode.BAD_VALUE,
         "must be quoted text such as \"2025.1\", got the text ' '; quote it so that "
         "2025.10 is not read as the number 2025.1"),
        (read_year, "2025", ErrorCode.BAD_VALUE,
         "must be a year written as an integer such as 2025, got the text '2025'"),
        (read_code, "a.b", ErrorCode.BAD_CODE,
         "'a.b' is not a valid code; use letters, digits and '_', starting with a letter "
         "(codes appear in dotted override paths)"),
        (read_formula_class, " ", ErrorCode.BAD_VALUE,
         "must be a formula class code or null, got the text ' '"),
        (read_formula_class, 5, ErrorCode.BAD_VALUE,
         "must be a formula class code or null, got the number 5"),
        (read_type_codes, "CSE", ErrorCode.BAD_VALUE,
         "must be a non-empty list of unit type codes such as [CSE], got the text 'CSE'"),
        (read_type_codes, ["CSE", " ", 5], ErrorCode.BAD_VALUE,
         "every entry must be a unit type code, got the text ' '"),
        (read_type_codes, ["CSE", 5], ErrorCode.BAD_VALUE,
         "every entry must be a unit type code, got the number 5"),
        (read_names, "Bergamo", ErrorCode.BAD_VALUE,
         "value must be a non-empty list of names such as [Bergamo, Gorle], got the text "
         "'Bergamo'"),
        (read_names, [], ErrorCode.BAD_VALUE,
         "value must be a non-empty list of names such as [Bergamo, Gorle], got an empty list"),
        (read_names, ["Gorle", " "], ErrorCode.BAD_VALUE,
         "every name must be non-empty text, got the text ' '"),
        (read_names, ["Gorle", 3], ErrorCode.BAD_VALUE,
         "every name must be non-empty text, got the number 3"),
        (read_names, ["Torre  Boldone", "TORRE-BOLDONE"], ErrorCode.DUPLICATE_NAME,
         "'TORRE-BOLDONE' repeats 'Torre Boldone' (names are compared ignoring case, accents, "
         "apostrophes and hyphens); list it once"),
        (lambda raw: read_unit(raw, "percent"), "%", ErrorCode.BAD_UNIT,
         "must be 'percent', got the text '%'; write unit: percent"),
        (read_date_key, 2026, ErrorCode.BAD_VALUE,
         "'2026' is not a date such as 2026-01-01 (the day from which the value applies); "
         "write 2026-01-01 for a value that applies from the 2026 fund"),
        (read_date_key, True, ErrorCode.BAD_VALUE,
         "'True' is not a date such as 2026-01-01 (the day from which the value applies)"),
        (read_date_key, "1 gennaio", ErrorCode.BAD_VALUE,
         "'1 gennaio' is not a date such as 2026-01-01 (the day from which the value applies)"),
    ]
    for read, raw, code, text in cases:
        assert message(read, raw) == (code, text), raw


def test_describe_says_what_yaml_read() -> None:
    guess = YamlGuess("1:30", "YAML 1.1 reads it as a number in base 60 (1:30 is 90)")
    assert [describe(value) for value in (
        None, guess, True, False, "x", 5, 1.5, {}, {"a": 1}, [], [1], (1,))] == [
        "nothing (null)", "'1:30' (YAML 1.1 reads it as a number in base 60 (1:30 is 90))",
        "the boolean true", "the boolean false", "the text 'x'", "the number 5",
        "the number 1.5", "an empty mapping", "a mapping", "an empty list", "a list",
        "a tuple"]


def test_a_yaml_guess_is_never_read_as_a_number() -> None:
    # "017" is also a plain decimal: only its being a guess keeps it from reading as 17
    guess = YamlGuess("017", "YAML 1.1 reads a number with a leading 0 as octal (017 is 15)")
    assert message(read_amount, guess) == (
        ErrorCode.BAD_VALUE, "value must be an amount in euros such as 1234.56, got '017' "
        "(YAML 1.1 reads a number with a leading 0 as octal (017 is 15)); write a plain number "
        "with '.' as decimal mark and no thousands separator")
    assert refused(read_percent, guess).code is ErrorCode.BAD_VALUE
    assert refused(read_set_aside, guess).code is ErrorCode.BAD_VALUE
    assert refused(read_switch, YamlGuess("yes", "boolean")).message == (
        "value must be true or false, got 'yes' (boolean)")


def test_the_exponent_limit_is_30_either_way() -> None:
    assert read_percent("1e-30") == Fraction(1, 10**30)
    assert read_percent("0e-99") == 0  # zero has no magnitude to check
    with pytest.raises(RuleValueError):
        read_percent("1e-31")
    assert read_amount("1e14") == 10**16
    assert read_amount(Decimal("1e14")) == 10**16
    assert refused(read_amount, "1e31").code is ErrorCode.BAD_VALUE  # unread, not TOO_LARGE
    assert refused(read_amount, "1e30").code is ErrorCode.TOO_LARGE
    assert refused(read_amount, Decimal("1e31")).code is ErrorCode.BAD_VALUE
    assert refused(read_amount, Decimal("NaN")).code is ErrorCode.BAD_VALUE


def test_numbers_are_read_as_written() -> None:
    assert read_amount(0.1) == 10  # the float's shortest text, not its binary value
    assert read_amount(" 0.10 ") == 10
    assert read_amount("+5") == 500 and read_amount(".5") == 50 and read_amount("5.") == 500
    for raw in ("1_000", "Infinity", "\u0661", "1 000", (5,), b"5"):
        assert refused(read_amount, raw).code is ErrorCode.BAD_VALUE, raw
    assert read_amount("-3", minimum=None) == -300
    assert read_amount("2.00", minimum=200) == 200  # the minimum itself is allowed
    assert read_fund("0.01") == 1 and refused(read_fund, "-0.01").code is ErrorCode.NEGATIVE_FUND


def test_percents_on_their_bounds() -> None:
    assert read_percent(0) == 0 and read_percent(100) == 100
    assert read_percent("100.5", maximum=None) == Fraction(201, 2)
    assert read_percent(50, maximum=Fraction(50)) == 50
    assert read_set_aside(0) == 0 and read_set_aside("0.0") == 0


def test_years_from_1900_to_2999() -> None:
    assert (read_year(1900), read_year(2999)) == (1900, 2999)
    for raw in (1899, 3000, True, None):
        assert refused(read_year, raw).code is ErrorCode.BAD_VALUE, raw


def test_texts_are_stripped_and_collapsed() -> None:
    assert read_text("  CSE ") == "CSE"
    assert read_choice(" targets ", ["targets", "applications"]) == "targets"
    assert read_version(" 2025.10 ") == "2025.10"
    assert read_reference("  Act\n 1  ") == "Act 1"
    assert read_reference([" Act\n1 "]) == "Act 1"
    assert read_formula_class(" residenziale ") == "residenziale"
    assert read_formula_class(None) is None
    assert read_flag(True) is True and read_flag(False) is False
    assert read_switch(True) is True
    assert read_names(["Gorle", "Torre\n Boldone"]) == ("Gorle", "Torre Boldone")
    assert read_date_key(" 2026-01-01 ") == date(2026, 1, 1)
    assert read_code("A_1") == "A_1"
    assert refused(read_code, "a b").code is ErrorCode.BAD_CODE
    assert refused(read_code, "ab.").code is ErrorCode.BAD_CODE


def test_suggest_takes_the_nearest_from_a_ratio_of_0_6() -> None:
    assert suggest("abc12", ["zzzzz", "abcxy"]) == "abcxy"  # ratio 2 x 3 / 10 = 0.6
    assert suggest("abcd", ["abxy"]) is None  # 0.5
    assert suggest("abcd", ["abxy"], cutoff=0.5) == "abxy"
    assert suggest("abcde", ["abcdx", "abcxx"]) == "abcdx"


def test_decimal_text_and_percents_as_shown() -> None:
    assert [decimal_text(Decimal(text)) for text in (
        "1.50", "100", "1E+2", "-0.00", "-0", "0.000", "12.0", "0.05")] == [
        "1.5", "100", "100", "0", "0", "0", "12", "0.05"]
    assert show_percent(Fraction(1, 8)) == "0.125%"
    assert show_percent(Fraction(-1, 2)) == "-0.5%"
    assert show_percent(Fraction(1, 3)) == "0.3333333333333333333333333333%"
    assert show_money(-5) == "-0.05 EUR"


def test_a_whole_percent_is_shown_with_every_digit() -> None:
    # 29 digits: a Decimal division (28 digits) would round the last one
    assert show_percent(Fraction(12345678901234567890123456789)) == (
        "12345678901234567890123456789%")
    assert refused(read_percent, "12345678901234567890123456789").message == (
        "value 12345678901234567890123456789% is above the maximum 100%; use a value of at "
        "most 100%")
