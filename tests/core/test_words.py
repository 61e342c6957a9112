"""The catalogue of words: both languages for every key, the same placeholders, one lookup."""

from __future__ import annotations

import pickle
import string
from datetime import date
from decimal import Decimal
from fractions import Fraction

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from fsr_opt.audit.registry import CHECKS
from fsr_opt.core.i18n import use_language
from fsr_opt.core.money import round_half_up
from fsr_opt.core.schema import Binding, ExclusionReason, Ownership
from fsr_opt.core.words import (
    DATE_PATTERNS,
    LANGUAGES,
    LOCALES,
    MONEY_PATTERN,
    WORDS,
    Amount,
    Message,
    binding_label,
    check_language,
    count,
    date_text,
    describe,
    money,
    percent,
    phrases,
    ratio,
    signed_money,
    text,
    written_in,
    yes_no,
)


@pytest.fixture(autouse=True)
def default_language(monkeypatch: pytest.MonkeyPatch) -> None:
    """These tests read the default language: Italian (the suite sets FSR_OPT_LANG=en)."""
    monkeypatch.delenv("FSR_OPT_LANG", raising=False)


def placeholders(words: str) -> set[str]:
    return {name for _, name, _, _ in string.Formatter().parse(words) if name is not None}


def test_every_key_has_every_language() -> None:
    incomplete = [key for key, texts in WORDS.items()
                  if set(texts) != set(LANGUAGES) or not all(texts.values())]
    assert not incomplete


# The reference year is always supplied where a text may name it; a language may leave it out
# ("Obiettivo (andamento storico)" next to "Target (2024 pattern)").
OPTIONAL_PLACEHOLDERS = {"history_year"}


def test_both_languages_of_a_key_take_the_same_placeholders() -> None:
    differ = [key for key, texts in WORDS.items()
              if len({frozenset(placeholders(texts[lang]) - OPTIONAL_PLACEHOLDERS)
                      for lang in LANGUAGES}) != 1]
    assert not differ


def test_no_text_names_a_year() -> None:
    # the year comes from the rule set ({history_year}), so a new year needs no code change
    dated = [key for key, texts in WORDS.items()
             if any(year in texts[lang] for lang in LANGUAGES for year in ("2024", "2025"))]
    assert not dated


def test_keys_are_namespaced() -> None:
    namespaces = {key.split(".", 1)[0] for key in WORDS}
    assert namespaces == {"word", "ownership", "reason", "binding", "check", "workbook",
                          "html", "chart", "diff", "sweep", "explain", "criterion", "web",
                          "residual", "scenario", "ats", "binding_label", "param"}


def test_every_code_people_read_is_explained() -> None:
    for reason in ExclusionReason:
        assert f"reason.{reason.value}" in WORDS
        assert f"criterion.{reason.value}" in WORDS
    assert "reason.BELOW_MINIMUM" in WORDS
    for binding in Binding:
        assert f"binding.{binding.value}" in WORDS
    for owner in Ownership:
        assert f"ownership.{owner.value}" in WORDS


def test_checks_in_english_are_the_audits_own_words() -> None:
    assert {f"check.{c.code}" for c in CHECKS} == {k for k in WORDS if k.startswith("check.")}
    for check in CHECKS:
        assert text(f"check.{check.code}", "en") == check.description, check.code


def test_lookup() -> None:
    assert text("reason.NOT_APPLIED") == "istanza di contributo non presentata"
    assert text("reason.NOT_APPLIED", "en") == "no application submitted"
    with pytest.raises(KeyError, match=r"html\.nothing"):
        text("html.nothing", "it")
    with pytest.raises(KeyError, match="'fr'"):
        text("word.yes", "fr")
    assert phrases("diff", "en")("largest") == "largest changes:"


def test_describe_a_code_and_one_without_words() -> None:
    assert describe("binding", "AREA_BUDGET", "en", history_year=2024).startswith(
        "the area budget is spent")
    assert describe("reason", "SOMETHING_NEW", history_year=2024) == "SOMETHING_NEW"
    assert describe("check", "NEW_CHECK", "it", default="its own text",
                    history_year=2024) == "its own text"
    assert describe("reason", "NO_DEFICIT", history_year=2030) == (
        "nessun disavanzo nel 2030 (costi non superiori ai ricavi)")


def test_formats() -> None:
    assert (money(123456789), money(123456789, "en"), money(-5)) == (
        "1.234.567,89", "1,234,567.89", "-0,05")
    assert (signed_money(100), signed_money(-100, "en"), signed_money(0)) == (
        "+1,00", "-1.00", "0,00")
    assert ratio(Fraction(10, 13), 6) == "0,769231" and ratio(Fraction(-1, 8), 2, "en") == "-0.13"
    assert (percent(Fraction(25, 2)), percent(Fraction(50), "en")) == ("12,5%", "50%")
    assert (yes_no(True), yes_no(False), yes_no(True, "en")) == ("sì", "no", "yes")
    assert (date_text(date(2025, 6, 30)), date_text(date(2025, 6, 30), "en")) == (
        "30/06/2025", "2025-06-30")


@settings(max_examples=300)
@given(cents=st.integers(-(10**15), 10**15), lang=st.sampled_from(["it", "en"]))
def test_money_writes_what_babel_writes(cents: int, lang: str) -> None:
    """The fast layout of `money` against Babel's own layout of the CLDR pattern."""
    from babel import Locale  # noqa: PLC0415
    from babel.numbers import parse_pattern  # noqa: PLC0415

    babel = parse_pattern(MONEY_PATTERN).apply(Decimal(cents).scaleb(-2),
                                               Locale.parse(LOCALES[lang]))
    assert money(cents, lang) == babel


@pytest.mark.parametrize("cents", [0, 1, 99, 100, 99999, 100000, 123456, -1, -100000, -99999])
def test_money_at_the_grouping_boundaries(cents: int) -> None:
    """Around the first thousands separator, in both languages, both signs."""
    from babel.numbers import format_decimal  # noqa: PLC0415

    for lang, locale in LOCALES.items():
        assert money(cents, lang) == format_decimal(Decimal(cents).scaleb(-2), MONEY_PATTERN,
                                                    locale=locale)


@settings(max_examples=300)
@given(value=st.fractions(min_value=-(10**9), max_value=10**9), places=st.integers(0, 6),
       lang=st.sampled_from(["it", "en"]))
def test_ratio_writes_what_babel_writes(value: Fraction, places: int, lang: str) -> None:
    from babel import Locale  # noqa: PLC0415
    from babel.numbers import parse_pattern  # noqa: PLC0415

    scaled = Decimal(round_half_up(value * 10**places)).scaleb(-places)
    babel = parse_pattern("0." + "0" * places if places else "0").apply(
        scaled, Locale.parse(LOCALES[lang]))
    assert ratio(value, places, lang) == babel


@given(day=st.dates(min_value=date(1, 1, 1)), lang=st.sampled_from(["it", "en"]))
def test_dates_are_laid_out_as_babel_lays_them_out(day: date, lang: str) -> None:
    from babel.dates import format_date  # noqa: PLC0415

    assert date_text(day, lang) == format_date(day, DATE_PATTERNS[lang], locale=LOCALES[lang])


def test_check_language() -> None:
    assert check_language("en") == "en"
    with pytest.raises(ValueError, match="it, en"):
        check_language("fr")


def test_a_binding_limit_is_named_in_each_language_and_a_new_code_shows_itself() -> None:
    # every limit the engine can report has its name in both languages
    for code in Binding:
        assert binding_label(code.value, "it") != code.value != binding_label(code.value, "en")
    assert binding_label("AREA_BUDGET", "it") == "budget dell'area"
    assert binding_label("BELOW_MINIMUM", "en") == "below the minimum"
    assert binding_label("NOT_YET_NAMED", "it") == "NOT_YET_NAMED"


_MINIMUM_ABOVE = ("area '{area}': the minimum award, {minimum} EUR, is above every entitlement "
                  "of the area (largest {largest} EUR), so its budget of {budget} EUR cannot be "
                  "awarded; lower the minimum award (--min-award) or review the entitlements")


def test_a_message_is_written_in_the_language_of_its_making_and_again_in_another() -> None:
    values = {"area": "disabili", "minimum": Amount(4_000_000), "largest": Amount(123_456),
              "budget": Amount(8_924_953)}
    with use_language("it"):
        message = Message(_MINIMUM_ABOVE, **values)
    assert isinstance(message, str)
    assert message.startswith("area 'disabili': il contributo minimo, 40.000,00 EUR")
    assert message == message.render("it") == written_in(message, "it")
    english = written_in(message, "en")
    assert english == _MINIMUM_ABOVE.format(area="disabili", minimum="40,000.00",
                                            largest="1,234.56", budget="89,249.53")
    assert written_in("a plain text", "en") == "a plain text"


def test_a_message_crosses_to_a_worker_process_whole() -> None:
    # A region's Ambiti and a sweep's points are solved in worker processes: their messages
    # come back pickled, and must still be writable in another language.
    with use_language("en"):
        message = Message(_MINIMUM_ABOVE, area="minori", minimum=Amount(100),
                          largest=Amount(99), budget=Amount(5))
    again = pickle.loads(pickle.dumps(message))
    assert type(again) is Message and again == message
    assert again.render("it") == message.render("it") != message


def test_a_count_has_its_thousands_grouped_in_the_language() -> None:
    assert [count(n, "it") for n in (0, 999, 1314, 100001, -2500)] == [
        "0", "999", "1.314", "100.001", "-2.500"]
    assert count(1314, "en") == "1,314"
