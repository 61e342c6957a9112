"""The Unicode rules of the cell parser: invisible characters and digits, one rule each."""

from __future__ import annotations

import sys
import unicodedata

import pytest
from hypothesis import given
from hypothesis import strategies as st

from fsr_opt.io.cells import (
    DEFAULT_IGNORABLE_RANGES,
    foreign_digits,
    normalize_id,
    parse_count,
    parse_date,
    parse_money,
    visible,
)
from fsr_opt.io.rulefile import YamlGuess, _toml_values
from fsr_opt.io.yamlrules import load_yaml_value


def test_the_ranges_are_the_unicode_property_default_ignorable_code_point() -> None:
    regex = pytest.importorskip("regex")
    prop = regex.compile(r"\p{Default_Ignorable_Code_Point}")
    expected = {c for c in range(sys.maxunicode + 1) if prop.match(chr(c))}
    ours = {c for first, last in DEFAULT_IGNORABLE_RANGES for c in range(first, last + 1)}
    assert ours == expected


def test_visible_removes_every_default_ignorable_code_point() -> None:
    for first, last in DEFAULT_IGNORABLE_RANGES:
        for code in {first, last}:
            assert visible(f"U{chr(code)}1") == "U1", hex(code)
    assert visible("Città\u00a0Alta") == "Città\u00a0Alta"  # a no-break space is a space


@pytest.mark.parametrize("odd", ["\u200b", "\U000e0041", "\u034f", "\ufe0f", "\u3164",
                                 "\uffa0", "\u115f", "\u00ad", "\u2066"])
def test_ids_differing_by_an_invisible_character_are_one_id(odd: str) -> None:
    assert normalize_id(f"UDO{odd}1001") == normalize_id("udo1001 ") == "udo1001"


@given(st.text(alphabet=st.characters(max_codepoint=127)))
def test_an_ascii_id_folds_as_the_full_unicode_folding_does(text: str) -> None:
    # A zero-width space, removed by `visible`, sends the id through NFKC and case folding.
    assert normalize_id(text) == normalize_id(text + "\u200b")


def test_ids_are_compared_after_compatibility_normalisation() -> None:
    assert normalize_id("\uff35\uff24\uff2f\uff11\uff10\uff10\uff11") == normalize_id("UDO1001")
    assert normalize_id("Straße") == normalize_id("STRASSE")
    assert normalize_id("UDO 1001") != normalize_id("UDO1001")  # a visible space is kept


def test_digits_other_than_0_9_are_refused_everywhere() -> None:
    for text in ("\u0661\u0662", "\uff13\uff10", "\U0001d7cf\U0001d7ce", "१२"):
        assert foreign_digits(text)
        assert unicodedata.digit(text[0]) >= 0  # Python would read them as numbers
        for parsed in (parse_money(text), parse_count(text), parse_date(f"{text}-01-01")):
            assert not isinstance(parsed, int) and "digits other than 0-9" in parsed.message
    assert not foreign_digits("2024-01-01") and not foreign_digits("²")


@pytest.mark.parametrize(("text", "reason"), [
    ("1:30", "base 60"), ("0xD9E5F", "hexadecimal"), ("017", "octal"), ("3_00", "'_'"),
    (".inf", "infinity"), (".NaN", "not-a-number"), ("yes", "boolean"), ("Off", "boolean"),
    ("0b101", "binary"), ("012.5", "does not start with 0"),
])
def test_yaml_1_1_guesses_stay_text_with_their_reason(text: str, reason: str) -> None:
    value = load_yaml_value(text)
    assert isinstance(value, YamlGuess) and value == text and reason in value.reason


@pytest.mark.parametrize(("text", "value"), [
    ("892495.35", 892495.35), ("50", 50), ("-3", -3), ("1.0e+3", 1000.0), ("true", True),
    ("False", False), ("y", "y"), ("Norway", "Norway"), ("1e999999999", "1e999999999"),
])
def test_plain_values_keep_their_yaml_1_2_types(text: str, value: object) -> None:
    read = load_yaml_value(text)
    assert read == value and type(read) is type(value)


def test_the_toml_scan_sees_numbers_only_outside_strings_and_comments() -> None:
    masked = _toml_values('a = "0x10" # 0x10\nb = \'\'\'\n1_000\n\'\'\'\nc = 0x10\n')
    assert "0x10" in masked.splitlines()[4] and masked.count("0x10") == 1
    assert "1_000" not in masked and masked.count("\n") == 5
