"""Every word people read in the reports and screens, in Italian and English, and the formats.

The CSV files stay in the contract's machine format (codes, ``1234.56``). What a person reads
(the screens, the workbook, the HTML report, the charts, the audit, the errors) comes in the
language of the run (`fsr_opt.core.i18n`: ``--lang``, ``FSR_OPT_LANG``, Italian by default).
Sentences are wrapped in ``_()`` where they are written; the words kept under a stable key
(``reason.NOT_APPLIED``, ``workbook.column.award``) are read through `text`. Both live in one
gettext catalogue (``fsr_opt/locale/it/LC_MESSAGES/fsr_opt.po``: msgctxt = the key, msgid =
the English, msgstr = the Italian). Codes such as ``AREA_BUDGET`` never change, only their
explanations (`describe`). Numbers and dates follow the language's CLDR locale
(``it_IT``: ``892.495,35`` and ``02/12/2026``): its separators are compiled from Babel into
`fsr_opt.core.cldr` by ``make catalogue``, like the .mo from the .po, so that a command does
not load Babel's locale data to print a total (tests compare the layout with Babel's own).

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
from dataclasses import dataclass
from datetime import date
from fractions import Fraction

from fsr_opt.core.cldr import SYMBOLS
from fsr_opt.core.i18n import (
    DEFAULT_LANGUAGE,
    LANGUAGES,
    check_language,
    current_language,
    keyed_text,
    keys,
    resolve,
    translate,
)
from fsr_opt.core.money import round_half_up

__all__ = [
    "CATALOGUE", "DATE_PATTERNS", "DEFAULT_LANGUAGE", "LANGUAGES", "LOCALES", "MONEY_PATTERN",
    "WORDS", "Amount", "Message", "check_language", "date_text", "describe", "has_text",
    "money", "percent", "phrases", "ratio", "signed_money", "text", "with_year", "written_in",
    "yes_no",
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


def binding_label(code: str, lang: str | None = None) -> str:
    """A binding limit's name as people read it (``AREA_BUDGET``: budget dell'area).

    allocation.csv writes the code; every report and page for people shows this name. A code
    without one (added later to the engine) shows itself.
    """
    key = f"binding_label.{code}"
    return text(key, lang) if has_text(key) else code


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

MONEY_PATTERN = "#,##0.00"
"""The CLDR pattern of an amount in euros: thousands grouped by three, two decimals."""

DATE_PATTERNS = {"it": "dd/MM/yyyy", "en": "yyyy-MM-dd"}
"""The CLDR pattern of a date in each language."""


def _signed(negative: bool, digits: str, lang: str) -> str:
    return f"{SYMBOLS[lang][0]}{digits}" if negative else digits


def money(cents: int, lang: str | None = None) -> str:
    """Render cents for people: ``1.234,56`` in Italian, ``1,234.56`` in English.

    What Babel writes with `MONEY_PATTERN`, with the separators of `fsr_opt.core.cldr`
    (tests compare both on random amounts): reports show an amount for every unit, and
    Babel's general layout costs a hundred times more per amount.
    """
    return money_writer(resolve(lang))(cents)


def money_writer(lang: str) -> Callable[[int], str]:
    """`money` in `lang` (a resolved language), as a function of the cents alone.

    For a table of amounts: the separators are looked up once, not once per amount.
    """
    minus, group, decimal = SYMBOLS[lang]

    def write(cents: int) -> str:
        whole, hundredths = divmod(abs(cents), 100)
        digits = f"{whole:,}".replace(",", group) + f"{decimal}{hundredths:02d}"
        return f"{minus}{digits}" if cents < 0 else digits

    return write


def count(number: int, lang: str | None = None) -> str:
    """Render a count for people, thousands grouped: ``100.001`` in Italian, ``100,001``."""
    group = SYMBOLS[resolve(lang)][1]
    return _signed(number < 0, f"{abs(number):,}".replace(",", group), resolve(lang))


def signed_money(cents: int, lang: str | None = None) -> str:
    """Render a difference with its sign (``+1.234,56``, ``-5,00``, ``0,00``)."""
    return ("+" if cents > 0 else "") + money(cents, lang)


def ratio(value: Fraction, places: int = 4, lang: str | None = None) -> str:
    """Render an exact ratio with fixed decimals, rounded half up (``0,0902``)."""
    lang = resolve(lang)
    scaled = round_half_up(value * 10**places)
    whole, part = divmod(abs(scaled), 10**places)
    digits = f"{whole}{SYMBOLS[lang][2]}{part:0{places}d}" if places else str(whole)
    return _signed(scaled < 0, digits, lang)


def percent(value: Fraction, lang: str | None = None) -> str:
    """Render a percentage as written in the criteria (``50%``, ``12,5%``)."""
    digits = ratio(value, 4, lang).rstrip("0").rstrip(",.")
    return f"{digits}%"


def date_text(day: date, lang: str | None = None) -> str:
    """Render a date for people: ``30/06/2025`` in Italian, ``2025-06-30`` in English.

    The layout of `DATE_PATTERNS` (Latin digits in both languages; tests compare it with
    Babel's `format_date`).
    """
    if resolve(lang) == "it":
        return f"{day.day:02d}/{day.month:02d}/{day.year:04d}"
    return f"{day.year:04d}-{day.month:02d}-{day.day:02d}"


@dataclass(frozen=True)
class Amount:
    """Cents in a `Message`: written as `money` writes them, in the message's language."""

    cents: int


class Message(str):
    """A sentence of the catalogue that can be written again in another language.

    It is the sentence in the current language, as `_` gives it, so that it prints, joins
    and goes into a JSON file as any text; `render` writes it in another one. A message kept
    beyond the request that made it (a scenario of the page, solved in Italian, shown later
    to a visitor who switched to English) is rendered in the reader's language.

    Args:
        template: the English sentence (the msgid, marked with ``N_`` for the catalogue),
            with ``{placeholders}``.
        values: the placeholders' values; an `Amount` is written in the message's language.
    """

    template: str
    values: dict[str, object]

    def __new__(cls, template: str, /, **values: object) -> Message:
        """Write the sentence in the current language."""
        return cls._made(template, values, _fill(template, values, current_language()))

    @classmethod
    def _made(cls, template: str, values: dict[str, object], written: str) -> Message:
        message = str.__new__(cls, written)
        message.template = template
        message.values = values
        return message

    def render(self, lang: str | None = None) -> str:
        """The sentence in `lang` (None: the current language)."""
        return _fill(self.template, self.values, resolve(lang))

    def __reduce__(self) -> tuple[Callable[..., Message], tuple[str, dict[str, object], str]]:
        """Pickle the template and values, not only the text: worker processes return it."""
        return (Message._made, (self.template, self.values, str(self)))


def _fill(template: str, values: Mapping[str, object], lang: str) -> str:
    written = {name: money(value.cents, lang) if isinstance(value, Amount) else value
               for name, value in values.items()}
    return translate(template, lang).format(**written)


def written_in(message: str, lang: str) -> str:
    """`message` in `lang` if it is a `Message`; any other text as it is."""
    return message.render(lang) if isinstance(message, Message) else message
