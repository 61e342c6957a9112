"""The values a rule set is written with: exact numbers, texts, codes, dates, and their messages.

Each reader takes what YAML (or TOML) produced and returns the program's value, or raises
`RuleValueError` with the `ErrorCode` and the sentence a person needs to fix the file. The pydantic
models of `fsr_opt.rules.document` wrap these readers as field types, so that the message a
user reads is the project's, never pydantic's.

Numbers are strict: a plain decimal written as a YAML number or as quoted text (``15.5``,
``"892495.35"``), with the digits 0-9. A percent sign, Italian thousands separators, ``_``
between digits, hexadecimal or octal numbers, base 60 (``1:30``), booleans, ``.nan`` and
exponents beyond +-30 are refused, because each is a typing mistake or a YAML 1.1 guess
(`fsr_opt.io.rulefile.YamlGuess`, which says what YAML 1.1 would have read) that a reader
would otherwise turn into a wrong amount.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from datetime import date, datetime
from decimal import Decimal, InvalidOperation
from fractions import Fraction

from fsr_opt.core.errors import ErrorCode, suggest
from fsr_opt.core.i18n import LANGUAGES, _, current_language
from fsr_opt.core.money import format_cents
from fsr_opt.core.words import money
from fsr_opt.core.words import percent as percent_text
from fsr_opt.io.rulefile import YamlGuess
from fsr_opt.rules.lookup import normalize_name

MAX_AMOUNT_CENTS = 10**15 * 100
"""Above 10^15 euros an amount of a rule set is a typing error (``1e20``), not a fund.

Far above any real fund, so that exactness can still be tested on 16-digit amounts; the
solver's own numerical range is narrower (see docs/errors.md).
"""

_MAX_EXPONENT = 30
"""Decimal exponents beyond +-30 are refused: ``1e999999999`` would take forever to expand."""

_PLAIN_DECIMAL = re.compile(r"[-+]?(?:[0-9]+(?:\.[0-9]*)?|\.[0-9]+)(?:[eE][-+]?[0-9]+)?")
"""A decimal as a rule set writes it, also as quoted text: Decimal() alone would also read
``1_000``, ``Infinity`` and digits other than 0-9."""

_CODE = re.compile(r"^[A-Za-z][A-Za-z0-9_]*$")
"""Area, service, formula-class and unit-type codes: they appear in dotted override paths."""


class RuleValueError(ValueError):
    """A value that cannot be read, with the code and the message for the person fixing it."""

    def __init__(self, code: ErrorCode, message: str) -> None:
        super().__init__(message)
        self.code = code
        self.message = message


def describe(value: object) -> str:
    """Show a bad value in a message: its text and, when that could mislead, its YAML type."""
    if value is None:
        return _("nothing (null)")
    if isinstance(value, YamlGuess):
        return f"'{value}' ({_(value.reason)})"
    if isinstance(value, bool):
        return _("the boolean {value}").format(value="true" if value else "false")
    if isinstance(value, str):
        return _("the text '{value}'").format(value=value)
    if isinstance(value, int | float):
        return _("the number {value}").format(value=value)
    if isinstance(value, Mapping):
        return _("a mapping") if value else _("an empty mapping")
    if isinstance(value, list):
        return _("a list") if value else _("an empty list")
    return _("a {type}").format(type=type(value).__name__)


def decimal_text(value: Decimal) -> str:
    """Render a Decimal without exponent or trailing zeros (``50``, ``15.5``), exactly.

    ``Decimal.normalize`` would round to the context's 28 digits, so the zeros are stripped
    from the text instead.
    """
    text = format(value, "f")
    if "." in text:
        text = text.rstrip("0").rstrip(".")
    return "0" if text in {"-0", ""} else text


def show_percent(value: Fraction) -> str:
    """A percent as reports and messages show it: ``50%``, ``12.5%``."""
    if value.denominator == 1:
        return f"{value.numerator}%"
    return f"{decimal_text(Decimal(value.numerator) / Decimal(value.denominator))}%"


def show_money(cents: int) -> str:
    """An amount as reports and messages show it: ``892495.35 EUR``."""
    return f"{format_cents(cents)} EUR"


def said_percent(value: Fraction) -> str:
    """A percent in a message, in its language: ``12,5%`` in Italian, ``12.5%`` in English.

    English keeps the form the rule file is written in (`show_percent`).
    """
    return show_percent(value) if current_language() == "en" else percent_text(value)


def said_money(cents: int) -> str:
    """An amount in a message, in its language: ``-5,00 EUR`` in Italian, ``-5.00 EUR``."""
    return show_money(cents) if current_language() == "en" else f"{money(cents)} EUR"


def _decimal(value: object) -> Decimal | None:
    """Read a YAML number (or a quoted decimal) exactly; None if it is not a finite number.

    Floats go through ``repr``, the shortest text that reads back as the same float, which is
    the text written in the file for any value with at most 15 significant digits.
    """
    if isinstance(value, bool | YamlGuess):
        return None
    if isinstance(value, str) and not _PLAIN_DECIMAL.fullmatch(value.strip()):
        return None
    if isinstance(value, int | Decimal):
        number = Decimal(value)
    elif isinstance(value, float | str):
        try:
            number = Decimal(repr(value) if isinstance(value, float) else value.strip())
        except InvalidOperation:
            return None
    else:
        return None
    if not number.is_finite():
        return None
    return number if number.is_zero() or abs(number.adjusted()) <= _MAX_EXPONENT else None


def read_amount(raw: object, *, minimum: int | None = 0) -> int:
    """An amount in euros as integer cents; more than two decimals is refused, never rounded.

    Args:
        raw: the YAML value.
        minimum: the smallest allowed amount in cents (None: any).
    """
    number = _decimal(raw)
    if number is None:
        raise RuleValueError(
            ErrorCode.BAD_VALUE,
            _("value must be an amount in euros such as 1234.56, got {value}; write a plain "
              "number with '.' as decimal mark and no thousands separator").format(
                value=describe(raw)))
    cents = Fraction(number) * 100  # exact at any length, unlike Decimal's 28 digits
    if cents.denominator != 1:
        raise RuleValueError(
            ErrorCode.BAD_VALUE,
            _("value {value} has more than two decimals; amounts are in euros and cents, "
              "round it to the cent").format(value=decimal_text(number)))
    if abs(cents.numerator) > MAX_AMOUNT_CENTS:
        raise RuleValueError(
            ErrorCode.TOO_LARGE,
            _("value {value} EUR is implausibly large (more than 10^15 euros); check the "
              "figure").format(value=decimal_text(number)))
    if minimum is not None and cents.numerator < minimum:
        shown = said_money(minimum)
        raise RuleValueError(
            ErrorCode.BAD_VALUE,
            _("value {value} is below the minimum {minimum}; use a value of at least "
              "{minimum}").format(value=said_money(cents.numerator), minimum=shown))
    return cents.numerator


def read_fund(raw: object) -> int:
    """The fund: an amount greater than 0 (``NEGATIVE_FUND`` otherwise)."""
    cents = read_amount(raw, minimum=None)
    if cents <= 0:
        raise RuleValueError(
            ErrorCode.NEGATIVE_FUND,
            _("value {value} must be greater than 0; write the amount assigned to the "
              "Ambito by the regional act").format(value=said_money(cents)))
    return cents


def read_percent(raw: object, *, maximum: Fraction | None = Fraction(100)) -> Fraction:
    """A percent as an exact fraction, at least 0 and at most `maximum` (None: no maximum)."""
    number = _decimal(raw)
    if number is None:
        raise RuleValueError(
            ErrorCode.BAD_VALUE,
            _("value must be a percent written as a plain number such as 50 or {example} (no "
              "'%' sign), got {value}").format(example=said_percent(Fraction(25, 2))[:-1],
                                               value=describe(raw)))
    percent = Fraction(number)
    if percent < 0:
        shown = said_percent(Fraction(0))
        raise RuleValueError(
            ErrorCode.BAD_VALUE,
            _("value {value} is below the minimum {minimum}; use a value of at least "
              "{minimum}").format(value=said_percent(percent), minimum=shown))
    if maximum is not None and percent > maximum:
        shown = said_percent(maximum)
        raise RuleValueError(
            ErrorCode.BAD_VALUE,
            _("value {value} is above the maximum {maximum}; use a value of at most "
              "{maximum}").format(value=said_percent(percent), maximum=shown))
    return percent


def read_set_aside(raw: object) -> Fraction:
    """A set-aside percent: at least 0 (its ``max`` is checked against it by the validation)."""
    number = _decimal(raw)
    if number is not None and number < 0:
        raise RuleValueError(
            ErrorCode.BAD_VALUE,
            _("value {value} is negative; write 0 when no set-aside is made").format(
                value=said_percent(Fraction(number))))
    return read_percent(raw, maximum=None)


def read_switch(raw: object) -> bool:
    """A parameter's true or false."""
    if not isinstance(raw, bool):
        raise RuleValueError(
            ErrorCode.BAD_VALUE,
            _("value must be true or false, got {value}").format(value=describe(raw)))
    return raw


def read_choice(raw: object, choices: Sequence[str]) -> str:
    """A parameter's value that must be one of a few words (a reading, a scope)."""
    if isinstance(raw, str) and raw.strip() in choices:
        return raw.strip()
    guess = suggest(raw, choices) if isinstance(raw, str) else None
    hint = _("; did you mean '{guess}'?").format(guess=guess) if guess else ""
    raise RuleValueError(
        ErrorCode.BAD_VALUE,
        _("value must be one of {choices}, got {value}").format(
            choices=", ".join(choices), value=describe(raw)) + hint)


def read_flag(raw: object) -> bool:
    """A unit type's true or false (not a parameter: the message names no value)."""
    if not isinstance(raw, bool):
        raise RuleValueError(ErrorCode.BAD_VALUE, _(
            "must be true or false, got {value}").format(value=describe(raw)))
    return raw


def read_text(raw: object) -> str:
    """Non-empty text, stripped."""
    if not isinstance(raw, str) or not raw.strip():
        raise RuleValueError(ErrorCode.BAD_VALUE, _(
            "must be non-empty text, got {value}").format(value=describe(raw)))
    return raw.strip()


def read_description(raw: object) -> str | dict[str, str]:
    """A parameter's description, its runs of spaces and line breaks collapsed.

    Either one text, or a text per language (``{it: ..., en: ...}``): an annex in Italian
    shows the Italian one, an English report the English one.
    """
    if isinstance(raw, Mapping) and raw:
        unknown = [str(key) for key in raw if key not in LANGUAGES]
        if unknown:
            raise RuleValueError(
                ErrorCode.MISSING_DESCRIPTION,
                _("'{key}' is not a language fsr-opt speaks; give the description in "
                  "{languages}").format(key=unknown[0], languages=", ".join(LANGUAGES)))
        return {str(lang): _one_description(text) for lang, text in raw.items()}
    return _one_description(raw)


def _one_description(raw: object) -> str:
    if not isinstance(raw, str) or not raw.strip():
        raise RuleValueError(
            ErrorCode.MISSING_DESCRIPTION,
            _("is empty or not text ({value}); write a sentence that says what the value is "
              "and why, or one per language ({{it: ..., en: ...}})").format(value=describe(raw)))
    return " ".join(raw.split())


def read_reference(raw: object) -> str:
    """A legal reference, or a list of them joined with '; ' (a value may rest on several acts)."""
    if isinstance(raw, str) and raw.strip():
        return " ".join(raw.split())
    if isinstance(raw, list) and raw and all(isinstance(v, str) and v.strip() for v in raw):
        return "; ".join(" ".join(v.split()) for v in raw)
    raise RuleValueError(
        ErrorCode.MISSING_REFERENCE,
        _("is empty or not text ({value}); cite the legal source (act, date and section), or "
          "give a list of them").format(value=describe(raw)))


def read_version(raw: object) -> str:
    """The rule set's version: quoted text, so that 2025.10 does not become the number 2025.1."""
    if isinstance(raw, str) and raw.strip():
        return raw.strip()
    raise RuleValueError(
        ErrorCode.BAD_VALUE,
        _("must be quoted text such as \"2025.1\", got {value}; quote it so that 2025.10 is "
          "not read as the number 2025.1").format(value=describe(raw)))


def read_year(raw: object) -> int:
    """The year of the fund, an integer."""
    if isinstance(raw, int) and not isinstance(raw, bool) and 1900 <= raw <= 2999:
        return raw
    raise RuleValueError(
        ErrorCode.BAD_VALUE,
        _("must be a year written as an integer such as 2025, got {value}").format(
            value=describe(raw)))


def read_code(raw: object) -> str:
    """A code used as a key; it appears in dotted override paths, so it has no dots."""
    if isinstance(raw, str) and _CODE.match(raw):
        return raw
    raise RuleValueError(
        ErrorCode.BAD_CODE,
        _("'{value}' is not a valid code; use letters, digits and '_', starting with a letter "
          "(codes appear in dotted override paths)").format(value=raw))


def read_formula_class(raw: object) -> str | None:
    """A formula class code, or null for a municipal service."""
    if raw is None or (isinstance(raw, str) and raw.strip()):
        return raw.strip() if isinstance(raw, str) else None
    raise RuleValueError(
        ErrorCode.BAD_VALUE,
        _("must be a formula class code or null, got {value}").format(value=describe(raw)))


def read_type_codes(raw: object) -> tuple[str, ...]:
    """The unit type codes of a service line: a non-empty list."""
    if not isinstance(raw, list) or not raw:
        raise RuleValueError(
            ErrorCode.BAD_VALUE,
            _("must be a non-empty list of unit type codes such as [CSE], got {value}").format(
                value=describe(raw)))
    bad = [item for item in raw if not isinstance(item, str) or not item.strip()]
    if bad:
        raise RuleValueError(
            ErrorCode.BAD_VALUE,
            _("every entry must be a unit type code, got {value}").format(
                value=describe(bad[0])))
    return tuple(item.strip() for item in raw)


def read_names(raw: object) -> tuple[str, ...]:
    """A non-empty list of place names, none repeated (compared with `normalize_name`)."""
    if not isinstance(raw, list) or not raw:
        raise RuleValueError(
            ErrorCode.BAD_VALUE,
            _("value must be a non-empty list of names such as [Bergamo, Gorle], got "
              "{value}").format(value=describe(raw)))
    names: list[str] = []
    seen: dict[str, str] = {}
    for item in raw:
        if not isinstance(item, str) or not item.strip():
            raise RuleValueError(
                ErrorCode.BAD_VALUE,
                _("every name must be non-empty text, got {value}").format(
                    value=describe(item)))
        name = " ".join(item.split())
        key = normalize_name(name)
        if key in seen:
            raise RuleValueError(
                ErrorCode.DUPLICATE_NAME,
                _("'{name}' repeats '{first}' (names are compared ignoring case, accents, "
                  "apostrophes and hyphens); list it once").format(name=name, first=seen[key]))
        seen[key] = name
        names.append(name)
    return tuple(names)


def read_unit(raw: object, unit: str) -> str:
    """The ``unit`` of a parameter, which must be the one its kind requires."""
    if raw != unit:
        raise RuleValueError(
            ErrorCode.BAD_UNIT,
            _("must be '{unit}', got {value}; write unit: {unit}").format(
                unit=unit, value=describe(raw)))
    return unit


def read_date_key(raw: object) -> date:
    """The day from which a dated value applies: a YAML date or ``YYYY-MM-DD`` text."""
    if isinstance(raw, date) and not isinstance(raw, datetime):
        return raw
    if isinstance(raw, str):
        try:
            return date.fromisoformat(raw.strip())
        except ValueError:
            pass
    hint = (_("; write {year}-01-01 for a value that applies from the {year} fund").format(
        year=raw) if isinstance(raw, int) and not isinstance(raw, bool) else "")
    raise RuleValueError(
        ErrorCode.BAD_VALUE,
        _("'{value}' is not a date such as 2026-01-01 (the day from which the value "
          "applies)").format(value=raw) + hint)
