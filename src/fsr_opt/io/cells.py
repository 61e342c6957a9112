"""The one cell parser: a spreadsheet or CSV cell -> a typed value, or why it cannot be read.

Every reader of fsr-opt (units tables, allocations to audit, saved runs, rule overrides) reads
its cells here, so that a figure means the same everywhere. A cell is what a reader hands
over (`RawCell`): text from a CSV, a typed value from a workbook (int, float, bool, date,
datetime, time), `None` when empty, or the markers `Formula` (a formula Excel never
computed) and `ExcelError` (``#DIV/0!``). Text is cleaned first: invisible characters that
copy-paste leaves (zero-width spaces, BOMs, direction marks) are removed.

Each ``parse_*`` function returns the value or a `CellProblem` (a stable `ErrorCode` and a
message saying how to fix the cell); none raises, whatever the input. The caller adds file,
row and column and collects the problems of a whole file.

Numbers are read in a `Dialect`:

- ``AUTO``: written by a person or by Excel in any locale (``1234.56``, ``1.234,56``,
  ``1,234.56``, ``1 234,5``, ``€ 1.234,56``). A single mark followed by exactly three digits
  (``1.000``, ``1,234``) could separate thousands or mark decimals, so it is refused with a
  message that shows both readings.
- ``ITALIAN``: as ``AUTO``, but ``1.000`` is one thousand, as in Excel's Italian CSV
  (``;``-separated, decimal comma).
- ``PLAIN``: written by a program: ``1234.56`` or ``-12.05``, ``.`` as decimal mark, no
  thousands separators, no currency.

API:

- `parse_money` (euros -> integer cents), `parse_count` (a whole number >= 0),
  `parse_decimal` (an exact `Decimal`), `read_decimal` and `parse_figure` (also the decimal
  mark read), `decimal_mark`, `parse_share` (an exact `Fraction`, ``%`` allowed);
- `parse_bool` (yes/no words in Italian and English), `parse_date` (Excel dates,
  ``YYYY-MM-DD``, ``DD/MM/YYYY``), `parse_ownership`, `parse_text`, `parse_code`;
- `parse_cell`: one of the above by column kind, with the checks every column shares;
- text helpers: `visible`, `fold_heading`, `normalize_id`, `clip`, `unquote`, `cell_text`,
  `heading_text`, `render`, `shown`, `is_blank`, `is_blank_row`.
"""

from __future__ import annotations

import math
import re
import unicodedata
from collections.abc import Callable, Mapping, Sequence
from datetime import date, datetime, time, timedelta
from decimal import Decimal
from enum import Enum
from fractions import Fraction
from operator import methodcaller
from typing import TYPE_CHECKING, NamedTuple, cast

from fsr_opt.core.cldr import SYMBOLS
from fsr_opt.core.errors import ErrorCode
from fsr_opt.core.i18n import N_, _, current_language
from fsr_opt.core.money import CENTS_PER_EURO
from fsr_opt.core.words import count, ratio

if TYPE_CHECKING:
    from fsr_opt.core.schema import Ownership


class Dialect(Enum):
    """How the numbers of a file are written (see the module docstring)."""

    AUTO = "auto"
    ITALIAN = "italian"
    PLAIN = "plain"


class Formula(NamedTuple):
    """An XLSX formula whose result Excel never saved (a value-only read sees it empty)."""

    text: str


class ExcelError(NamedTuple):
    """An XLSX cell that shows an error such as ``#DIV/0!`` or ``#N/A``."""

    text: str


RawCell = str | int | float | bool | date | time | timedelta | Formula | ExcelError | None
"""What a cell can hold before parsing: CSV gives text only, XLSX typed values.

An empty cell is None or "" (the XLSX readers differ); `is_blank` tells both.
"""
Record = tuple[int, Sequence[RawCell]]
"""A row of a file: its 1-based number as a spreadsheet shows it, and its cells."""


class CellProblem(NamedTuple):
    """A cell that could not be read: a stable code and a message that says how to fix it."""

    code: ErrorCode
    message: str


MAX_CENTS = 10**11 * CENTS_PER_EURO
"""Above this an amount is a typing error, not a budget (100 billion euros)."""
MAX_USERS = 10**6
"""Above this a count of users is a typing error (a service of a whole city has fewer)."""
FORMULA_TRIGGERS = ("=", "+", "-", "@", "\t", "\r")
"""First characters that make a spreadsheet read a text cell as a formula (CWE-1236)."""
KIND_WANTED: Mapping[str, str] = {
    "text": N_("a value"),
    "code": N_("a unit type code such as ASILO_NIDO"),
    "ownership": N_("public or private"),
    "int": N_("a whole number such as 12"),
    "money": N_("an amount in euros such as 1234.56"),
    "date": N_("a date such as 2024-01-31 or 31/01/2024"),
    "bool": N_("yes or no"),
}
"""What a column of each kind expects, for messages ("fill in a whole number such as 12");
in English, the msgids: read them through `_`."""

# The default-ignorable code points of Unicode (the property Default_Ignorable_Code_Point of
# DerivedCoreProperties.txt, Unicode 14.0 as Python 3.11's unicodedata; unchanged in 15 and
# 16): zero-width spaces and joiners, BOMs, direction marks, soft hyphens, the combining
# grapheme joiner, variation selectors, Hangul fillers, tag characters and the code points kept
# for more. A renderer shows none of them, so they carry no meaning in a table, and would
# make 'U1' and 'U1' + a tag character two ids. `unicodedata` has no such flag and its
# category Cf misses some (U+034F is Mn, U+3164 Lo); tests/io/test_cells.py checks the ranges
# against the `regex` module's \p{Default_Ignorable_Code_Point}.
DEFAULT_IGNORABLE_RANGES: tuple[tuple[int, int], ...] = (
    (0x00AD, 0x00AD), (0x034F, 0x034F), (0x061C, 0x061C), (0x115F, 0x1160),
    (0x17B4, 0x17B5), (0x180B, 0x180F), (0x200B, 0x200F), (0x202A, 0x202E),
    (0x2060, 0x206F), (0x3164, 0x3164), (0xFE00, 0xFE0F), (0xFEFF, 0xFEFF),
    (0xFFA0, 0xFFA0), (0xFFF0, 0xFFF8), (0x1BCA0, 0x1BCA3), (0x1D173, 0x1D17A),
    (0xE0000, 0xE0FFF),
)
"""Every default-ignorable code point, as (first, last) ranges: what `visible` removes."""
_INVISIBLE = re.compile("[" + "".join(
    re.escape(chr(first)) + ("" if first == last else "-" + re.escape(chr(last)))
    for first, last in DEFAULT_IGNORABLE_RANGES) + "]")
_MESSAGE_CELL_CHARS = 60
# A float from Excel is accepted as cents when it is this close to a whole cent (1e-6 euros).
_CENT_TOLERANCE = 1e-6 * CENTS_PER_EURO
_MIN_YEAR, _MAX_YEAR = 1900, 2100
# A Decimal handed over by a program beyond 10^+-30 is no figure of a riparto, and its exact
# Fraction (1e999999999) would never finish.
_MAX_EXPONENT = 30

# Patterns compiled once: a table of 100,000 rows has over a million cells.
_WORD_BREAKS = re.compile(r"[\s_\-]+")
_ISO_DATE = re.compile(r"([0-9]{4})-([0-9]{2})-([0-9]{2})")
_DMY_DATE = re.compile(r"([0-9]{1,2})/([0-9]{1,2})/([0-9]{4})")
_CURRENCY_AROUND = re.compile(r"^(?:€|euro|eur)\s*|\s*(?:€|euro|eur)$", re.IGNORECASE)
_CURRENCY_BEFORE = re.compile(r"^(?:€|euro|eur)\s*", re.IGNORECASE)
_NUMBER_CHARS = re.compile(r"[0-9 .,]*[0-9][0-9 .,]*")
_SCIENTIFIC = re.compile(r"[0-9]+(?:[.,][0-9]*)?[eE][+-]?[0-9]+")
_PLAIN_FIGURE = re.compile(r"-?[0-9]+(?:\.[0-9]+)?")
# An integer part that could stand before a thousands separator: 1 to 3 digits, no leading 0.
_LEADING_GROUPS = re.compile(r"[1-9][0-9]{0,2}(?: [0-9]{3})*")
# The common figure, digits with at most one mark and one or two decimals (``1234.56``,
# ``1234,5``, ``12``): no reading of it is ambiguous, so it skips `read_decimal`.
_SIMPLE_FIGURE = re.compile(r"([0-9]{1,15})(?:([.,])([0-9]{1,2}))?")
# An amount as a CSV usually writes it: euros, a point, two decimals (`parse_plain_amounts`)
_PLAIN_AMOUNT = re.compile(r"[0-9]{1,15}\.[0-9]{2}")

_TRUE_WORDS = frozenset({"true", "yes", "si", "1", "vero", "y", "s",
                         "si'", "si\u2019", "si`"})  # Si' : the accent typed as an apostrophe
_FALSE_WORDS = frozenset({"false", "no", "0", "falso", "n"})
# The value of `Ownership` each word means: the enum is looked up when a cell is read, so that
# the command line, which reads numbers with this module, does not import the whole schema.
_OWNERSHIP_WORDS: Mapping[str, str] = {
    "public": "public",
    "pubblica": "public",
    "pubblico": "public",
    "private": "private",
    "privata": "private",
    "privato": "private",
}


# ---------------------------------------------------------------------------------------------
# Text
# ---------------------------------------------------------------------------------------------


def visible(text: str) -> str:
    """Remove the invisible formatting characters (none of them ASCII) from a text."""
    return text if text.isascii() else _INVISIBLE.sub("", text)


def foreign_digits(text: str) -> bool:
    """True when a text holds decimal digits other than 0-9 (Arabic-Indic, fullwidth, bold).

    One rule everywhere (cells, dates, command-line values, rule sets): figures are written
    with the digits 0-9. Python's int(), float() and Decimal() read any Unicode digit, and a
    mathematical bold 1 looks like a 1; nothing typed on a keyboard in Italy needs them, so
    they are refused, never converted.
    """
    return not text.isascii() and any(ch.isdecimal() and not ch.isascii() for ch in text)


def _digits_problem(text: str, code: ErrorCode = ErrorCode.NOT_A_NUMBER) -> CellProblem:
    return CellProblem(code, _("'{text}' is written with digits other than 0-9 (such as "
                               "Arabic-Indic or mathematical digits); type it with the digits "
                               "0-9").format(text=clip(text)))


def fold_heading(text: str) -> str:
    """Fold a heading or a word for matching: no case, no accents, `_`, `-` and spaces alike."""
    decomposed = unicodedata.normalize("NFKD", visible(text))
    plain = "".join(ch for ch in decomposed if not unicodedata.combining(ch))
    return " ".join(part for part in _WORD_BREAKS.split(plain.casefold()) if part)


def normalize_id(text: str) -> str:
    """Fold an identifier for comparison, as every reader of fsr-opt compares ids.

    Unicode compatibility normalisation and case folding (NFKC, casefold, NFKC again: the
    compatibility caseless match of the Unicode standard), every default-ignorable code point
    removed (`visible`), surrounding spaces dropped and runs of spaces as one: ``UDO1234``,
    `` udo1234`` and ``UDO1234`` followed by a zero-width space or a tag character name the
    same unit, as they do in the registry. The units table refuses two rows with one key; the
    audit, the comparison of runs and ``explain`` match ids by it.

    An ASCII id, the usual one, needs only lower case: NFKC leaves ASCII alone, its case
    folding is `str.lower`, and it holds no invisible character.
    """
    return " ".join(fold_id_text(text).split())


def fold_id_text(text: str) -> str:
    """`normalize_id` but for its spaces: ids joined a line each are folded in one call."""
    if text.isascii():
        return text.lower()
    folded = unicodedata.normalize("NFKC", unicodedata.normalize("NFKC", visible(text)).casefold())
    return visible(folded)


def clip(text: str) -> str:
    """Shorten a cell's text for a message, so that a huge cell cannot flood the terminal."""
    text = " ".join(text.split())
    if len(text) <= _MESSAGE_CELL_CHARS:
        return text
    return text[:_MESSAGE_CELL_CHARS - 3] + "..."


def unquote(text: str) -> str:
    """Undo the formula neutralisation of written CSV (``'=x`` -> ``=x``), for round trips."""
    if text.startswith("'") and text[1:2] in FORMULA_TRIGGERS and text[1:2]:
        return text[1:]
    return text


def is_blank(cell: RawCell) -> bool:
    """True for an empty cell or one holding only spaces."""
    return cell is None or (isinstance(cell, str) and not cell.strip())


def is_blank_row(cells: Sequence[RawCell]) -> bool:
    """True for a row of empty cells (`is_blank`), at C speed for a row of text (CSV)."""
    try:
        return not "".join(cells).strip()  # type: ignore[arg-type]  # TypeError: not all str
    except TypeError:
        return all(is_blank(cell) for cell in cells)


def render(cell: str | int | float | bool | date | time | timedelta) -> str:
    """Render a typed cell as plain text: ``1234.56``, ``2024-01-31``, ``true``."""
    if isinstance(cell, bool):
        return "true" if cell else "false"
    if isinstance(cell, int):
        return str(cell)
    if isinstance(cell, float):
        if cell.is_integer():
            return str(int(cell))
        return format(Decimal(repr(cell)), "f")
    if isinstance(cell, datetime):
        return cell.date().isoformat() if cell.time() == time() else cell.isoformat()
    if isinstance(cell, date | time):
        return cell.isoformat()
    return cell if isinstance(cell, str) else str(cell)  # a duration: "1 day, 0:00:00"


def heading_text(cell: RawCell) -> str:
    """Return a heading cell as text, without surrounding spaces or invisible characters."""
    if isinstance(cell, str):
        return visible(cell).strip()
    if isinstance(cell, Formula | ExcelError):
        return cell.text.strip()
    return "" if cell is None else visible(render(cell)).strip()


def shown(cell: RawCell) -> str:
    """Return a cell as a message quotes it (clipped; a huge float as ``1e+308``)."""
    if cell is None:
        return ""
    if isinstance(cell, Formula | ExcelError):
        return clip(cell.text)
    if isinstance(cell, float) and cell and not 1e-6 <= abs(cell) < 1e15:
        return repr(cell)  # 1e+308, not three hundred digits
    return clip(cell) if isinstance(cell, str) else clip(render(cell))


def quoted(cell: RawCell) -> str:
    """Return a cell as a message quotes it, a typed number in the language's form.

    A number cell of a workbook has no written form of its own: Excel shows ``173.496,685``
    to an Italian planner, so the Italian message quotes that, the English one
    ``173,496.685``. Text is quoted as written (`shown`), whatever it says.
    """
    if (isinstance(cell, int | float) and not isinstance(cell, bool) and math.isfinite(cell)
            and (not cell or 1e-6 <= abs(cell) < 1e15)):
        minus, group, mark = SYMBOLS[current_language()]
        digits = render(abs(cell))
        whole, _point, decimals = digits.partition(".")
        text = f"{int(whole):,}".replace(",", group) + (mark + decimals if decimals else "")
        return minus + text if cell < 0 else text
    return shown(cell)


def cell_text(cell: RawCell) -> str | CellProblem:
    """Read any cell as text (empty -> ""); a formula without result or an error is a problem."""
    if isinstance(cell, Formula):
        return CellProblem(ErrorCode.FORMULA_CELL,
                           _("holds the formula {formula} but the file has no saved result "
                             "for it; open the file in Excel and save it, or type the value "
                             "instead").format(formula=cell.text))
    if isinstance(cell, ExcelError):
        return CellProblem(ErrorCode.EXCEL_ERROR, _("shows the Excel error {error}; correct "
                                                    "the formula or type the value").format(
                                                        error=cell.text))
    if cell is None:
        return ""
    if isinstance(cell, str):
        return unquote(visible(cell).strip())
    return render(cell)


# ---------------------------------------------------------------------------------------------
# Words: text, codes, ownership, yes/no, dates
# ---------------------------------------------------------------------------------------------


def parse_text(cell: RawCell) -> str | CellProblem:
    """Parse a text cell: cleaned and stripped (`cell_text`)."""
    return cell_text(cell)


def parse_code(cell: RawCell) -> str | CellProblem:
    """Parse a code (a unit type): stripped, upper case; whether it exists is the rules' call."""
    text = cell_text(cell)
    return text if isinstance(text, CellProblem) else text.upper()


def parse_ownership(cell: RawCell) -> Ownership | CellProblem:
    """Parse public/private, also in Italian (pubblica/pubblico, privata/privato)."""
    from fsr_opt.core.schema import Ownership  # noqa: PLC0415  (see _OWNERSHIP_WORDS)

    word = _OWNERSHIP_WORDS.get(fold_heading(cell)) if isinstance(cell, str) else None
    if word is None:
        return CellProblem(ErrorCode.BAD_OWNERSHIP, _("'{value}' is not an ownership; write "
                                                      "public or private (pubblica/privata)"
                                                      ).format(value=quoted(cell)))
    return Ownership(word)


def parse_bool(cell: RawCell) -> bool | CellProblem:
    """Parse a yes/no cell: Excel TRUE/FALSE, 1/0, or a yes/no word in Italian or English."""
    if isinstance(cell, bool):
        return cell
    if isinstance(cell, int | float) and cell in (0, 1):
        return bool(cell)
    if isinstance(cell, str):
        word = fold_heading(cell)
        if word in _TRUE_WORDS:
            return True
        if word in _FALSE_WORDS:
            return False
    return CellProblem(ErrorCode.NOT_A_BOOLEAN,
                       _("'{value}' is not yes or no; write yes/no (also sì/no, true/false, "
                         "1/0)").format(value=quoted(cell)))


def parse_date(cell: RawCell) -> date | CellProblem:
    """Parse a date: an Excel date cell, ``YYYY-MM-DD`` or ``DD/MM/YYYY`` (also ``D/M/YYYY``).

    The day comes first with ``/``, as in Italy; a date that only reads month first
    (``09/13/2000``) is refused with a warning about the other dates of the file.
    """
    hint = _("write it as YYYY-MM-DD (2024-01-31) or DD/MM/YYYY (31/01/2024)")
    if isinstance(cell, datetime):
        value = cell.date()
    elif isinstance(cell, date):
        value = cell
    elif isinstance(cell, str):
        text = cell.strip()
        dmy = None
        if iso := _ISO_DATE.fullmatch(text):
            year, month, day = (int(g) for g in iso.groups())
        elif dmy := _DMY_DATE.fullmatch(text):
            day, month, year = (int(g) for g in dmy.groups())
        elif foreign_digits(text):
            return _digits_problem(text, ErrorCode.NOT_A_DATE)
        else:
            return CellProblem(ErrorCode.NOT_A_DATE, _("'{value}' is not a date; {hint}").format(
                value=clip(text), hint=hint))
        try:
            value = date(year, month, day)
        except ValueError:
            if dmy and 1 <= day <= 12 and 13 <= month <= 31:
                return CellProblem(
                    ErrorCode.NOT_A_DATE, _("'{value}' is not a day of the calendar read as "
                                            "DD/MM/YYYY; it looks like the American order "
                                            "MM/DD/YYYY, in which case the other dates of the "
                                            "file written with '/' were read with day and month "
                                            "swapped: write every date as YYYY-MM-DD").format(
                                                value=text))
            return CellProblem(ErrorCode.NOT_A_DATE,
                               _("'{value}' is not a day of the calendar; {hint}").format(
                                   value=text, hint=hint))
    elif isinstance(cell, int | float):
        return CellProblem(ErrorCode.NOT_A_DATE, _(
            "the cell holds the number {number}, not a date; format the cell as a date or "
            "{hint}").format(number=quoted(cell), hint=hint))
    else:
        return CellProblem(ErrorCode.NOT_A_DATE, _("'{value}' is not a date; {hint}").format(
            value=quoted(cell), hint=hint))
    if not _MIN_YEAR <= value.year <= _MAX_YEAR:
        return CellProblem(ErrorCode.NOT_A_DATE,
                           _("the year {year} is implausible; check the date").format(
                               year=value.year))
    return value


# ---------------------------------------------------------------------------------------------
# Numbers
# ---------------------------------------------------------------------------------------------


def _ungroup(part: str, group_mark: str | None) -> str | None:
    """Remove thousands separators from an integer part; None unless groups are of 3 digits."""
    separators = {ch for ch in part if not ch.isdigit()}
    if not separators:
        return part
    if len(separators) > 1 or not separators <= {" ", group_mark}:
        return None
    groups = part.split(separators.pop())
    if 1 <= len(groups[0]) <= 3 and all(len(g) == 3 for g in groups[1:]) and all(
            g.isdigit() for g in groups):
        return "".join(groups)
    return None


def read_decimal(
    text: str, dialect: Dialect = Dialect.AUTO, *, currency: bool = False,
    places: int | None = None,
) -> tuple[Decimal, str | None] | CellProblem:
    """Read a number written as text in `dialect`, refusing what could be read two ways.

    In ``AUTO`` and ``ITALIAN`` the last of ``.`` and ``,`` is the decimal mark when both
    occur; the other, spaces and no-break spaces separate groups of three digits. A single
    mark followed by exactly three digits (``1.234``) separates thousands only in ``ITALIAN``
    and for ``.``; elsewhere it is refused. ``PLAIN`` reads only ``-1234.56``.

    Args:
        text: the cell as written (invisible characters already removed).
        dialect: how the file writes numbers.
        currency: allow a euro sign or ``EUR`` before or after the figure (not in ``PLAIN``).
        places: the most decimals the column holds (2 for euros, 0 for a count), when known:
            the advice for ``1.234`` then offers only a reading the column accepts.

    Returns:
        (the exact value with its sign, the decimal mark the reading assumed: ``.`` or ``,``,
        also when only thousands separators show it, or None for a number without marks), or
        why it cannot be read.
    """
    original = text.strip()
    shown_text = clip(original)
    if dialect is Dialect.PLAIN:
        if not _PLAIN_FIGURE.fullmatch(original):
            if foreign_digits(original):
                return _digits_problem(original)
            return CellProblem(ErrorCode.NOT_A_NUMBER, _(
                "'{value}' is not a number; write it like 1234.56, with '.' as decimal mark and "
                "no thousands separators").format(value=shown_text))
        return Decimal(original), "." if "." in original else None
    s = original.replace("\u00a0", " ").replace("\u202f", " ").replace("\u2212", "-")
    if currency:
        s = _CURRENCY_AROUND.sub("", s)
    negative = s[:1] == "-"
    s = s[1:].strip() if s[:1] in "+-" and s else s
    if currency:
        s = _CURRENCY_BEFORE.sub("", s)
    not_a_number = CellProblem(ErrorCode.NOT_A_NUMBER, _(
        "'{value}' is not a number; write it like 1234.56 or 1.234,56").format(value=shown_text))
    if not _NUMBER_CHARS.fullmatch(s):
        if foreign_digits(s):
            return _digits_problem(original)
        if _SCIENTIFIC.fullmatch(s):
            return CellProblem(ErrorCode.NOT_A_NUMBER, _(
                "'{value}' is in scientific notation, which Excel uses when a number is too "
                "long for the column and which loses digits; format the column as a number "
                "with two decimals, export the file again and check the figure").format(
                    value=shown_text))
        return not_a_number
    marks = [ch for ch in s if ch in ".,"]
    decimal_mark: str | None = None
    group_mark: str | None = None
    if len(set(marks)) == 2:
        decimal_mark = s[max(s.rfind("."), s.rfind(","))]
        group_mark = "," if decimal_mark == "." else "."
    elif len(marks) > 1:
        group_mark = marks[0]
    elif marks:
        mark = marks[0]
        head, _mark, tail = s.partition(mark)
        if (len(tail) == 3 and tail.isdigit() and _LEADING_GROUPS.fullmatch(head)
                and dialect is not Dialect.ITALIAN):
            return _ambiguous(shown_text, mark, head.replace(" ", ""), tail, places)
        if len(tail) == 3 and tail.isdigit() and mark == "." and _LEADING_GROUPS.fullmatch(head):
            group_mark = mark  # the Italian dialect: '.' groups thousands, ',' is the decimal mark
        else:
            decimal_mark = mark
    if decimal_mark is not None:
        if s.count(decimal_mark) != 1:
            return not_a_number
        whole, _mark, fraction = s.partition(decimal_mark)
    else:
        whole, fraction = s, ""
    digits = _ungroup(whole, group_mark) if whole else "0"
    if digits is None or (fraction and not fraction.isdigit()):
        return CellProblem(ErrorCode.NOT_A_NUMBER, _(
            "'{value}' is not a valid number: thousands separators must separate groups of "
            "three digits; write it like 1234.56 or 1.234,56").format(value=shown_text))
    value = Decimal(f"{digits}.{fraction}" if fraction else digits)  # the decimals written
    if decimal_mark is None and group_mark in (".", ","):
        decimal_mark = "," if group_mark == "." else "."
    return (-value if negative else value), decimal_mark


def _ambiguous(
    shown_text: str, mark: str, head: str, tail: str, allowed: int | None = None
) -> CellProblem:
    """The problem of ``1.234``: both readings, and how to write the one meant.

    With the decimals the column holds (`allowed`), a decimal reading it would refuse
    (173,496 euros, 1,2 users) is not offered as the way to write it.
    """
    thousands = str(int(head + tail))
    decimal = Decimal(f"{head}.{tail}").normalize()  # 1.000 -> 1, 1.250 -> 1.25
    places = len(format(decimal, "f").partition(".")[2])
    if allowed is not None and places > allowed:
        return CellProblem(ErrorCode.AMBIGUOUS_NUMBER, _(
            "'{value}' can be read two ways: {thousands} if '{mark}' separates thousands, or "
            "{decimal} if '{mark}' is the decimal mark, which this column cannot hold; if "
            "{thousands} is meant, write {thousands}, without thousands separators").format(
                value=shown_text, mark=mark, thousands=thousands,
                decimal=ratio(Fraction(decimal), places)))
    # three decimals would be read two ways again (1.234): a fourth, 0, makes it a decimal
    written = ratio(Fraction(decimal), 4 if places == 3 else places)
    return CellProblem(ErrorCode.AMBIGUOUS_NUMBER, _(
        "'{value}' can be read two ways: {thousands} if '{mark}' separates thousands, or "
        "{decimal} if '{mark}' is the decimal mark; write {thousands} or {written}, without "
        "thousands separators").format(value=shown_text, mark=mark, thousands=thousands,
                                       decimal=ratio(Fraction(decimal), places),
                                       written=written))


def decimal_mark(cell: RawCell, dialect: Dialect = Dialect.AUTO) -> str | None:
    """Return the decimal mark a number written as text was read with, if the text shows one.

    A file whose amounts use both marks was pasted together from two locales; its readers
    compare the marks of all its cells. Typed cells (XLSX numbers) show none.
    """
    if not isinstance(cell, str):
        return None
    if dialect is not Dialect.PLAIN and (simple := _SIMPLE_FIGURE.fullmatch(cell.strip())):
        return simple.group(2)
    reading = read_decimal(visible(cell), dialect, currency=True)
    return None if isinstance(reading, CellProblem) else reading[1]


def parse_decimal(
    cell: RawCell | Decimal, dialect: Dialect = Dialect.AUTO, *, currency: bool = False,
    places: int | None = None,
) -> Decimal | CellProblem:
    """Read a number exactly: text in `dialect` (`read_decimal`), or a typed number.

    A float is read through its shortest text (``repr``): the figure typed into the
    spreadsheet, for any figure of up to 15 significant digits.
    """
    if isinstance(cell, str):
        reading = read_decimal(visible(cell), dialect, currency=currency, places=places)
        return reading if isinstance(reading, CellProblem) else reading[0]
    if isinstance(cell, Decimal) and cell.is_finite() and (
            cell.is_zero() or abs(cell.adjusted()) <= _MAX_EXPONENT):
        return cell
    if isinstance(cell, int) and not isinstance(cell, bool):
        return Decimal(cell)
    if isinstance(cell, float) and math.isfinite(cell):
        return Decimal(repr(cell))
    text = str(cell) if isinstance(cell, Decimal) else quoted(cell)
    return CellProblem(ErrorCode.NOT_A_NUMBER,
                       _("'{value}' is not a number; write it like 1234.56").format(value=text))


def _check_amount(cents: int, cell: RawCell, negative: bool) -> int | CellProblem:
    """Refuse a negative (unless allowed) or implausibly large amount."""
    if cents < 0 and not negative:
        return CellProblem(ErrorCode.NEGATIVE,
                           _("'{value}' is negative; amounts must be 0 or more").format(
                               value=quoted(cell)))
    if abs(cents) > MAX_CENTS:
        return CellProblem(ErrorCode.TOO_LARGE, _(
            "'{value}' is implausibly large (more than 100 billion euros); check the figure"
        ).format(value=quoted(cell)))
    return cents


def _too_many_decimals(cell: RawCell) -> CellProblem:
    return CellProblem(ErrorCode.TOO_MANY_DECIMALS,
                       _("'{value}' has more than two decimals; round it to the cent").format(
                           value=quoted(cell)))


def parse_money(
    cell: RawCell, dialect: Dialect = Dialect.AUTO, *, negative: bool = False
) -> int | CellProblem:
    """Parse euros into integer cents: an Excel number, or text such as ``1.234,56 €``.

    Fractions of a cent are refused, never rounded; a float within a millionth of a euro of a
    whole cent (what Excel saves for ``=B2*0,7``) is that cent.

    Args:
        cell: the cell.
        dialect: how the file writes numbers.
        negative: accept amounts below 0 (differences, deviations).
    """
    if (dialect is not Dialect.PLAIN and isinstance(cell, str)
            and (simple := _SIMPLE_FIGURE.fullmatch(cell.strip()))):
        whole, _mark, decimals = simple.groups()
        cents = int(whole + decimals.ljust(2, "0")) if decimals else int(whole) * CENTS_PER_EURO
        if cents <= MAX_CENTS:
            return cents
    if isinstance(cell, bool) or not isinstance(cell, int | float | str):
        return CellProblem(ErrorCode.NOT_A_NUMBER, _(
            "'{value}' is not an amount in euros; write it like 1234.56").format(
                value=quoted(cell)))
    if isinstance(cell, int):
        return _check_amount(cell * CENTS_PER_EURO, cell, negative)
    if isinstance(cell, float):
        if not math.isfinite(cell):
            return CellProblem(ErrorCode.NOT_A_NUMBER,
                               _("'{value}' is not an amount in euros").format(value=quoted(cell)))
        if abs(cell) > MAX_CENTS / CENTS_PER_EURO:  # before multiplying: 1e308 * 100 is inf
            return _check_amount(MAX_CENTS + 1 if cell > 0 else -MAX_CENTS - 1, cell, negative)
        written = Decimal(repr(cell)) * CENTS_PER_EURO  # the figure typed (shortest text)
        if written == written.to_integral_value():
            return _check_amount(int(written), cell, negative)
        cents = round(cell * CENTS_PER_EURO)
        if abs(cell * CENTS_PER_EURO - cents) > _CENT_TOLERANCE:
            return _too_many_decimals(cell)
        return _check_amount(cents, cell, negative)
    reading = read_decimal(visible(cell), dialect, currency=True, places=2)
    if isinstance(reading, CellProblem):
        return reading
    value = reading[0] * CENTS_PER_EURO
    if value != value.to_integral_value():
        return _too_many_decimals(cell)
    return _check_amount(int(value), cell, negative)


def parse_count(
    cell: RawCell, dialect: Dialect = Dialect.AUTO, *, maximum: int = MAX_USERS,
    noun: str = "users",
) -> int | CellProblem:
    """Parse a count: a whole number from 0 to `maximum` (``12.0`` from Excel is 12).

    Args:
        cell: the cell.
        dialect: how the file writes numbers.
        maximum: the largest plausible count.
        noun: what is counted, for the message of a count above `maximum`.
    """
    if (dialect is not Dialect.PLAIN and isinstance(cell, str)
            and (simple := _SIMPLE_FIGURE.fullmatch(cell.strip()))):
        whole, mark, _decimals = simple.groups()
        if mark is None and int(whole) <= maximum:
            return int(whole)
    if type(cell) is float and cell.is_integer() and 0 <= cell <= maximum:
        return int(cell)  # what Excel gives for 12
    value = _count_value(cell, dialect)
    if value is None and isinstance(cell, str) and foreign_digits(cell):
        return _digits_problem(cell)
    if value is None:
        return CellProblem(ErrorCode.NOT_A_NUMBER,
                           _("'{value}' is not a number; write a whole number such as 12").format(
                               value=quoted(cell)))
    if isinstance(value, CellProblem):
        return value
    if value < 0:
        return CellProblem(ErrorCode.NEGATIVE, _("'{value}' is negative; write 0 or more").format(
            value=quoted(cell)))
    if value != value.to_integral_value():
        return CellProblem(ErrorCode.NOT_AN_INTEGER, _(
            "'{value}' is not a whole number; write a whole number such as 12").format(
                value=quoted(cell)))
    if value > maximum:
        return CellProblem(ErrorCode.TOO_LARGE, _(
            "'{value}' is implausibly large (more than {maximum} {noun}); check the figure"
        ).format(value=quoted(cell), maximum=count(maximum), noun=noun))
    return int(value)


def _count_value(cell: RawCell, dialect: Dialect) -> Decimal | CellProblem | None:
    """The number a count cell holds, why it cannot be read, or None when it holds none."""
    if isinstance(cell, str):
        value = parse_decimal(cell, dialect, places=0)
        unreadable = isinstance(value, CellProblem) and value.code is ErrorCode.NOT_A_NUMBER
        return None if unreadable else value
    if (isinstance(cell, float) and math.isfinite(cell)) or (
            isinstance(cell, int) and not isinstance(cell, bool)):
        return parse_decimal(cell)
    return None


def parse_figure(
    cell: RawCell, kind: str, dialect: Dialect = Dialect.AUTO
) -> tuple[int | CellProblem, str | None]:
    """Parse a money (``kind`` "money") or count ("int") cell with the decimal mark it shows.

    The mark (`decimal_mark`) lets a reader refuse a file whose figures mix two locales. The
    common figure (``1234.56``, ``12``) is read with a single match.
    """
    if dialect is not Dialect.PLAIN and type(cell) is str and (
            simple := _SIMPLE_FIGURE.fullmatch(cell.strip())):
        whole, mark, decimals = simple.groups()
        if kind == "money":
            cents = int(whole + decimals.ljust(2, "0")) if decimals else int(whole) * 100
            if cents <= MAX_CENTS:
                return cents, mark
        elif mark is None and int(whole) <= MAX_USERS:
            return int(whole), None
    value = parse_money(cell, dialect) if kind == "money" else parse_count(cell, dialect)
    return value, None if isinstance(value, CellProblem) else decimal_mark(cell, dialect)


def parse_share(
    cell: RawCell, dialect: Dialect = Dialect.AUTO, *, percent: bool = True
) -> Fraction | CellProblem:
    """Parse a share or a proportion exactly: ``0.125``, ``0,125`` or (with `percent`) ``12.5%``.

    The value is the exact `Fraction` of the decimal written, never a float's neighbour.
    """
    text = cell.strip() if isinstance(cell, str) else ""
    is_percent = percent and text.endswith("%")
    number = parse_decimal(text[:-1].rstrip() if is_percent else cell, dialect)
    if isinstance(number, CellProblem):
        if number.code is ErrorCode.NOT_A_NUMBER:
            example = "0.125 or 12.5%" if percent else "0.125"
            return CellProblem(ErrorCode.NOT_A_NUMBER,
                               _("'{value}' is not a share; write it like {example}").format(
                                   value=quoted(cell), example=example))
        return number
    if number < 0:
        return CellProblem(ErrorCode.NEGATIVE, _("'{value}' is negative; shares are 0 or more"
                                                 ).format(value=quoted(cell)))
    value = Fraction(number)
    return value / 100 if is_percent else value


# ---------------------------------------------------------------------------------------------
# One cell of a column of a given kind
# ---------------------------------------------------------------------------------------------


def _texts(cells: Sequence[RawCell]) -> Sequence[str] | None:
    """The cells when every one is text (as a CSV gives them), else None."""
    return cast("Sequence[str]", cells) if set(map(type, cells)) == {str} else None


def parse_plain_dates(cells: Sequence[RawCell]) -> list[date] | None:
    """Read a whole column of dates at once, when every cell is a YYYY-MM-DD date.

    Then each cell means what `parse_date` reads; for any other column (another format, an
    empty cell, a day not in the calendar, an implausible year) None: the caller reads its
    cells one by one, and says what is wrong with each.
    """
    texts = _texts(cells)
    if texts is None or not all(map(_ISO_DATE.fullmatch, texts)):
        return None
    distinct = list(dict.fromkeys(texts))
    try:
        day_of = dict(zip(distinct, map(date.fromisoformat, distinct), strict=True))
    except ValueError:  # a day not in the calendar
        return None
    if min(day_of.values()).year < _MIN_YEAR or max(day_of.values()).year > _MAX_YEAR:
        return None
    return list(map(day_of.__getitem__, texts))  # rows of one day share its date


def parse_plain_amounts(cells: Sequence[RawCell], dialect: Dialect) -> list[int] | None:
    """Read a whole column of amounts at once, when every cell is written like ``1234.56``.

    Then each cell means what `parse_figure` reads (its cents, its decimal mark the point),
    with no step per cell in Python: the costs and revenues of a large table are nearly all
    distinct, so reading them one distinct cell at a time saves nothing. For any other
    column (a plain file's dialect, a cell with spaces, a comma, other decimals, an amount
    over `MAX_CENTS`) None: the caller reads its cells one by one.
    """
    texts = _texts(cells)
    if dialect is Dialect.PLAIN or texts is None or not all(map(_PLAIN_AMOUNT.fullmatch, texts)):
        return None
    cents = list(map(int, map(methodcaller("replace", ".", ""), texts)))
    return cents if max(cents) <= MAX_CENTS else None


def plain_texts(cells: Sequence[RawCell]) -> list[str] | None:
    """Read a whole column of text at once, when every cell is plain text.

    Plain text is ASCII (so nothing invisible to remove), not empty, and not a quoted formula
    (``'=x``): then each cell means what `parse_text` reads, its text without surrounding
    spaces. For any other column None: the caller reads its cells one by one.
    """
    texts = _texts(cells)
    if texts is None or not all(map(str.isascii, texts)):
        return None
    stripped = list(map(str.strip, texts))
    if not all(stripped) or any(text.startswith("'") for text in stripped):
        return None
    # one object per distinct text, shared by its rows: a table repeats names and places
    one_of = dict(zip(stripped, stripped, strict=True))
    return list(map(one_of.__getitem__, stripped))


_PARSERS: Mapping[str, Callable[[RawCell, Dialect], object]] = {
    "text": lambda cell, _dialect: parse_text(cell),
    "code": lambda cell, _dialect: parse_code(cell),
    "ownership": lambda cell, _dialect: parse_ownership(cell),
    "int": parse_count,
    "money": parse_money,
    "date": lambda cell, _dialect: parse_date(cell),
    "bool": lambda cell, _dialect: parse_bool(cell),
}
KINDS = frozenset(_PARSERS)
"""The kinds of column `parse_cell` reads (`fsr_opt.core.schema.ColumnSpec.kind`)."""


def parse_cell(kind: str, cell: RawCell, dialect: Dialect = Dialect.AUTO) -> object:
    """Parse one cell of a column of `kind`: None when empty, else its value or a `CellProblem`.

    A formula typed as text (``=SUM(A1)`` in a CSV) where a number, date or word is expected
    is refused, as are formulas without a saved result and Excel errors.
    """
    if isinstance(cell, Formula | ExcelError):
        return cell_text(cell)
    if isinstance(cell, str):
        cell = visible(cell)
    if is_blank(cell):
        return None
    if kind not in ("text", "code") and isinstance(cell, str) and cell.strip()[:1] == "=":
        return CellProblem(ErrorCode.FORMULA_CELL, _(
            "holds the formula '{formula}' as text where {wanted} is expected; type the value "
            "itself").format(formula=cell.strip(), wanted=_(KIND_WANTED[kind])))
    return _PARSERS[kind](cell, dialect)


TOTAL_LABELS = frozenset({"totale", "total"})
"""What the first cell of a total row says (allocation.xlsx ends each sheet with TOTALE)."""


def is_total_label(cell: RawCell) -> bool:
    """True for a cell reading TOTALE or TOTAL (any case): a total row, never a unit.

    allocation.xlsx adds up each sheet in a last row whose unit id cell says TOTALE; the
    audit and the comparison of saved runs read that sheet back and skip the row.
    """
    return isinstance(cell, str) and normalize_id(cell) in TOTAL_LABELS
