"""Every word people read in the reports and screens, in Italian and English, and the formats.

The CSV files stay in the contract's machine format (codes, ``1234.56``). What a person reads
(the screens, the workbook, the HTML report, the charts, the audit, the errors) comes in the
language of the run (`fsr_opt.core.i18n`: ``--lang``, ``FSR_OPT_LANG``, Italian by default).
Sentences are wrapped in ``_()`` where they are written; the words kept under a stable key
(``reason.NOT_APPLIED``, ``workbook.column.award``) are read through `text`. Both live in one
gettext catalogue (``fsr_opt/locale/it/LC_MESSAGES/fsr_opt.po``: msgctxt = the key, msgid =
the English, msgstr = the Italian). Codes such as ``AREA_BUDGET`` never change, only their
explanations (`describe`). Numbers and dates are formatted by Babel with the language's
locale (``it_IT``: ``892.495,35`` and ``02/12/2026``).

Keys are ``namespace.name``: ``word``, ``ownership``, ``reason``, ``binding``, ``check`` and
``residual`` (the residual phase and the money left unassigned, in every summary) are shared;
``workbook``, ``html``, ``chart``, ``diff``, ``sweep``, ``explain``, ``criterion``, ``web``
(the page of ``fsr-opt serve``) and ``scenario`` (scenario.xlsx and scenario.html of whatif
and compare) belong to one report or screen.
Texts with ``{placeholders}`` are filled with `str.format`; both languages of a key take the
same placeholders (tested).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping
from datetime import date
from decimal import Decimal
from fractions import Fraction
from functools import cache
from typing import TYPE_CHECKING

from fsr_opt.core.i18n import (
    DEFAULT_LANGUAGE,
    LANGUAGES,
    check_language,
    keyed_text,
    keys,
    resolve,
)
from fsr_opt.core.money import round_half_up

if TYPE_CHECKING:
    from babel import Locale
    from babel.numbers import NumberPattern

__all__ = [
    "CATALOGUE", "DEFAULT_LANGUAGE", "LANGUAGES", "LOCALES", "MONEY_PATTERN", "WORDS", "check_language",
    "date_text", "describe", "has_text", "money", "percent", "phrases", "ratio", "signed_money",
    "text", "with_year", "yes_no",
]

# ---------------------------------------------------------------------------------------------
# The catalogue
# ---------------------------------------------------------------------------------------------

CATALOGUE: dict[str, dict[str, str]] = {}
"""Words not yet in the gettext catalogue, in dict form (key -> {"it": ..., "en": ...}).

A branch may add words here; ``python scripts/words_to_po.py src/fsr_opt/core/words.py`` moves
them into the .po (tests/core/test_catalogue.py fails until it is empty). `text` reads both.
"""


class _Words(Mapping[str, Mapping[str, str]]):
    """Every keyed word, read-only: key -> {language: words} (the .po, then `CATALOGUE`)."""

    def __getitem__(self, key: str) -> Mapping[str, str]:
        if key in CATALOGUE:
            return CATALOGUE[key]
        if key not in keys():
            raise KeyError(key)
        return {lang: keyed_text(key, lang) or "" for lang in LANGUAGES}

    def __iter__(self) -> Iterator[str]:
        yield from keys()
        yield from (key for key in CATALOGUE if key not in keys())

    def __len__(self) -> int:
        return len(keys().keys() | CATALOGUE.keys())

    def __contains__(self, key: object) -> bool:
        return key in CATALOGUE or key in keys()


WORDS: Mapping[str, Mapping[str, str]] = _Words()
"""Every keyed word in every language (for the tests and the page's script)."""


def text(key: str, lang: str | None = None) -> str:
    """The words of `key` in `lang` (None: the language of the run).

    Raises:
        KeyError: no such key, or no such language (a wrong key must fail, not print).
    """
    if lang is not None and lang not in LANGUAGES:
        raise KeyError(f"no words for '{key}' in language '{lang}'")
    lang = resolve(lang)
    pending = CATALOGUE.get(key)
    found = pending.get(lang) if pending is not None else keyed_text(key, lang)
    if found is None:
        raise KeyError(f"no words for '{key}' in language '{lang}'")
    return found


def has_text(key: str) -> bool:
    """Whether `key` has words (a code added later may have none yet)."""
    return key in WORDS


def describe(table: str, code: str, lang: str | None = None,
             default: str | None = None, *, history_year: int) -> str:
    """The explanation of a code of `table` (``reason``, ``binding``, ``check``) in `lang`.

    A code without an entry (one added later to the rules or the audit) shows `default`, or
    the code itself. Some explanations name the reference year of the rule set (the year of
    the accounts the riparto reads: `RuleSet.history_year`).
    """
    key = f"{table}.{code}"
    found = text(key, lang) if has_text(key) else (code if default is None else default)
    return with_year(found, history_year)


def with_year(words: str, history_year: int) -> str:
    """`words` with the rule set's reference year in place of ``{history_year}``."""
    return words.replace("{history_year}", str(history_year))


def phrases(namespace: str, lang: str | None = None) -> Callable[[str], str]:
    """`text` with one report's namespace and the language bound: ``w("title")``."""

    def lookup(name: str) -> str:
        return text(f"{namespace}.{name}", lang)

    return lookup


def yes_no(value: bool, lang: str | None = None) -> str:
    """``sì``/``no`` or ``yes``/``no``."""
    return text("word.yes", lang) if value else text("word.no", lang)


# ---------------------------------------------------------------------------------------------
# Number and date formats
# ---------------------------------------------------------------------------------------------


LOCALES = {"it": "it_IT", "en": "en"}
"""The Babel locale of each language: its digits, separators and date patterns."""


@cache
def _locale(lang: str) -> Locale:
    from babel import Locale  # noqa: PLC0415 - Babel loads where numbers are formatted

    return Locale.parse(LOCALES[lang])


@cache
def _pattern(pattern: str) -> NumberPattern:
    from babel.numbers import parse_pattern  # noqa: PLC0415 - as above

    return parse_pattern(pattern)


def _number(value: Decimal, pattern: str, lang: str | None) -> str:
    """`value` laid out by the CLDR `pattern` with the separators of `lang` (Babel)."""
    laid_out: str = _pattern(pattern).apply(value, _locale(resolve(lang)))
    return laid_out


MONEY_PATTERN = "#,##0.00"
"""The CLDR pattern of an amount in euros: thousands grouped by three, two decimals."""


@cache
def _money_symbols(lang: str) -> tuple[str, str, str]:
    """The minus sign, thousands and decimal separators Babel writes in `lang`'s amounts."""
    sample = _number(Decimal(-123456789).scaleb(-2), MONEY_PATTERN, lang)  # -1.234.567,89
    minus = sample[:sample.index("1")]
    body = sample[len(minus):]
    return minus, body[1], body[-3]


def money(cents: int, lang: str | None = None) -> str:
    """Render cents for people: ``1.234,56`` in Italian, ``1,234.56`` in English.

    The text is what Babel writes with `MONEY_PATTERN` (tested on random amounts), laid out
    here with the separators Babel gives once per language: reports show an amount for every
    unit, and Babel's general layout costs a hundred times more per amount.
    """
    minus, group, decimal = _money_symbols(resolve(lang))
    whole, hundredths = divmod(abs(cents), 100)
    digits = f"{whole:,}".replace(",", group)
    return f"{minus if cents < 0 else ''}{digits}{decimal}{hundredths:02d}"


def signed_money(cents: int, lang: str | None = None) -> str:
    """Render a difference with its sign (``+1.234,56``, ``-5,00``, ``0,00``)."""
    return ("+" if cents > 0 else "") + money(cents, lang)


def ratio(value: Fraction, places: int = 4, lang: str | None = None) -> str:
    """Render an exact ratio with fixed decimals, rounded half up (``0,0902``)."""
    scaled = round_half_up(value * 10**places)
    return _number(Decimal(scaled).scaleb(-places), "0." + "0" * places if places else "0",
                   lang)


def percent(value: Fraction, lang: str | None = None) -> str:
    """Render a percentage as written in the criteria (``50%``, ``12,5%``)."""
    digits = ratio(value, 4, lang).rstrip("0").rstrip(",.")
    return f"{digits}%"


def date_text(day: date, lang: str | None = None) -> str:
    """Render a date for people: ``30/06/2025`` in Italian, ``2025-06-30`` in English."""
    from babel.dates import format_date  # noqa: PLC0415 - as above

    lang = resolve(lang)
    return format_date(day, "dd/MM/yyyy" if lang == "it" else "yyyy-MM-dd",
                       locale=_locale(lang))
