"""Tests of fsr_opt.io.cells: the one cell parser (numbers in three dialects, dates, words)."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, datetime, time, timedelta
from decimal import Decimal
from fractions import Fraction
from typing import Any

import pytest
from hypothesis import example, given
from hypothesis import strategies as st

from fsr_opt.core.errors import ErrorCode
from fsr_opt.core.i18n import use_language
from fsr_opt.core.money import format_cents, format_cents_it
from fsr_opt.core.schema import Ownership
from fsr_opt.io.cells import (
    KINDS,
    MAX_CENTS,
    CellProblem,
    Dialect,
    ExcelError,
    Formula,
    cell_text,
    clip,
    decimal_mark,
    fold_heading,
    heading_text,
    is_blank,
    is_blank_row,
    normalize_id,
    parse_bool,
    parse_cell,
    parse_code,
    parse_count,
    parse_date,
    parse_decimal,
    parse_figure,
    parse_money,
    parse_ownership,
    parse_plain_amounts,
    parse_plain_dates,
    parse_share,
    parse_text,
    plain_texts,
    read_decimal,
    render,
    shown,
    unquote,
)

AUTO, ITALIAN, PLAIN = Dialect.AUTO, Dialect.ITALIAN, Dialect.PLAIN


def _code(result: object) -> ErrorCode | None:
    return result.code if isinstance(result, CellProblem) else None


# --- money -------------------------------------------------------------------------------------

MONEY_CASES = [
    # cell, dialect, cents or error code
    ("1234.56", AUTO, 123456),
    ("1234,56", AUTO, 123456),
    ("1.234,56", AUTO, 123456),
    ("1,234.56", AUTO, 123456),
    ("1234", AUTO, 123400),
    ("€ 1.234,56", AUTO, 123456),
    ("1.234,56 €", ITALIAN, 123456),
    ("1 234,5", AUTO, 123450),
    ("1\u00a0234.50", AUTO, 123450),
    ("1.234.567", AUTO, 123456700),
    ("1,234,567.8", AUTO, 123456780),
    ("0,5", AUTO, 50),
    ("1.234", ITALIAN, 123400),
    ("1234.56", ITALIAN, 123456),
    ("1.234", AUTO, "AMBIGUOUS_NUMBER"),
    ("1,234", AUTO, "AMBIGUOUS_NUMBER"),
    ("1,234", ITALIAN, "TOO_MANY_DECIMALS"),  # ',' is Italian Excel's decimal mark
    ("1234.567", AUTO, "TOO_MANY_DECIMALS"),
    ("1.234,567", ITALIAN, "TOO_MANY_DECIMALS"),
    ("-5", AUTO, "NEGATIVE"),
    ("-1.234,56", ITALIAN, "NEGATIVE"),
    ("abc", AUTO, "NOT_A_NUMBER"),
    ("nan", AUTO, "NOT_A_NUMBER"),
    ("inf", AUTO, "NOT_A_NUMBER"),
    ("1e5", AUTO, "NOT_A_NUMBER"),
    ("12,34,56", AUTO, "NOT_A_NUMBER"),
    ("1,23.45", AUTO, "NOT_A_NUMBER"),
    ("1.234,56,7", AUTO, "NOT_A_NUMBER"),
    ("12 34", AUTO, "NOT_A_NUMBER"),
    ("200000000000", AUTO, "TOO_LARGE"),
    (1234.56, AUTO, 123456),
    (0.1 + 0.2, AUTO, 30),
    (1234.5678, AUTO, "TOO_MANY_DECIMALS"),
    (1500, AUTO, 150000),
    (-1.0, AUTO, "NEGATIVE"),
    (1e308, AUTO, "TOO_LARGE"),
    (float("nan"), AUTO, "NOT_A_NUMBER"),
    (True, AUTO, "NOT_A_NUMBER"),
    (date(2024, 1, 1), AUTO, "NOT_A_NUMBER"),
    (timedelta(days=1), AUTO, "NOT_A_NUMBER"),
    # the plain dialect: what a program writes, '.' as decimal mark and nothing else
    ("1234.56", PLAIN, 123456),
    ("1.000", PLAIN, 100),
    ("-12.05", PLAIN, "NEGATIVE"),
    ("1234,56", PLAIN, "NOT_A_NUMBER"),
    ("1,234.56", PLAIN, "NOT_A_NUMBER"),
    ("€ 12", PLAIN, "NOT_A_NUMBER"),
    ("1.234", PLAIN, "TOO_MANY_DECIMALS"),
]


@pytest.mark.parametrize(("cell", "dialect", "expected"), MONEY_CASES)
def test_money_parsing(cell: Any, dialect: Dialect, expected: int | str) -> None:
    result = parse_money(cell, dialect)
    if isinstance(expected, int):
        assert result == expected
    else:
        assert _code(result) == expected


def test_money_may_be_negative_when_asked() -> None:
    assert parse_money("-12.05", PLAIN, negative=True) == -1205
    assert parse_money("-1.234,56", ITALIAN, negative=True) == -123456
    assert parse_money(-0.5, negative=True) == -50
    assert _code(parse_money(-1e308, negative=True)) == "TOO_LARGE"
    assert _code(parse_money("-200000000000", negative=True)) == "TOO_LARGE"


def test_an_ambiguous_number_shows_both_readings() -> None:
    result = parse_decimal("1.234")
    assert isinstance(result, CellProblem)
    assert result.message == ("'1.234' can be read two ways: 1234 if '.' separates thousands, "
                              "or 1.234 if '.' is the decimal mark; write 1234 or 1.2340, "
                              "without thousands separators")
    # an amount or a count is offered only a way the column accepts: not 1.2340 euros
    # (fractions of a cent), nor 1,2 users
    for read, text, meant in ((parse_money, "173.496", "173496"), (parse_count, "1.200", "1200")):
        problem = read(text)
        assert isinstance(problem, CellProblem) and problem.code == "AMBIGUOUS_NUMBER"
        assert problem.message.endswith(
            f"which this column cannot hold; if {meant} is meant, write {meant}, without "
            "thousands separators")
        with use_language("it"):
            assert read(text).message.endswith(  # type: ignore[union-attr]
                f"che questa colonna non può contenere; se intendi {meant}, scrivi {meant}, "
                "senza separatori delle migliaia")
    # the advice never repeats the text refused: three decimals get a fourth, 0
    with use_language("it"):
        assert parse_money("1.000").message == (  # type: ignore[union-attr]
            "'1.000' si può leggere in due modi: 1000 se '.' separa le migliaia, oppure 1 se "
            "'.' separa i decimali; scrivi 1000 oppure 1, senza separatori delle migliaia")
    # in Italian Excel's dialect ',' can only be the decimal mark: not two ways, but too many
    # decimals for an amount
    assert _code(parse_money("533,834", ITALIAN)) == "TOO_MANY_DECIMALS"
    assert parse_money("533.834", ITALIAN) == 53383400
    comma = parse_count("1,200")
    assert isinstance(comma, CellProblem) and comma.code == "AMBIGUOUS_NUMBER"
    assert "1200 if ',' separates thousands, or 1.2 if ',' is the decimal mark" in comma.message
    assert parse_count("1.000").message.endswith(  # type: ignore[union-attr]
        "write 1000 or 1, without thousands separators")


@pytest.mark.parametrize("word", ["Si'", "si'", "SI'", "Sì", "si\u2019"])
def test_si_with_the_accent_typed_as_an_apostrophe_is_yes(word: str) -> None:
    assert parse_bool(word) is True


def test_the_yes_no_hint_is_italian_in_italian() -> None:
    with use_language("it"):
        problem = parse_bool("forse")
    assert isinstance(problem, CellProblem)
    assert problem.message == "'forse' non è sì o no; scrivi sì o no (anche vero/falso, 1/0)"


def test_read_decimal_says_which_mark_it_read() -> None:
    assert read_decimal("1.234,56") == (Decimal("1234.56"), ",")
    assert read_decimal("1,234,567") == (Decimal("1234567"), ".")
    assert read_decimal("12") == (Decimal("12"), None)
    assert read_decimal("-3,5") == (Decimal("-3.5"), ",")
    assert read_decimal("€ 3", currency=True) == (Decimal("3"), None)
    assert _code(read_decimal("€ 3")) == "NOT_A_NUMBER"
    assert read_decimal("-0.125", PLAIN) == (Decimal("-0.125"), ".")
    assert decimal_mark("1234,5") == "," and decimal_mark("1.234,56 €") == ","
    assert decimal_mark("12") is None and decimal_mark(12.5) is None
    assert decimal_mark("abc") is None
    assert decimal_mark("1234.5", PLAIN) == "."


@pytest.mark.parametrize(("cell", "kind", "dialect", "expected"), [
    ("1234.56", "money", AUTO, (123456, ".")), ("1.234,5", "money", AUTO, (123450, ",")),
    ("12", "money", AUTO, (1200, None)), ("1.234", "money", ITALIAN, (123400, ",")),
    (1234.5, "money", AUTO, (123450, None)), ("12", "int", AUTO, (12, None)),
    ("1.200", "int", ITALIAN, (1200, ",")), ("12,0", "int", AUTO, (12, ",")),
    ("1234,5", "money", PLAIN, ("NOT_A_NUMBER", None)), ("-1", "int", AUTO, ("NEGATIVE", None)),
])
def test_a_figure_comes_with_the_decimal_mark_it_was_read_with(
        cell: Any, kind: str, dialect: Dialect, expected: tuple[Any, str | None]) -> None:
    value, mark = parse_figure(cell, kind, dialect)
    assert (_code(value) or value, mark) == expected
    direct = parse_money(cell, dialect) if kind == "money" else parse_count(cell, dialect)
    assert value == direct and mark == (None if _code(value) else decimal_mark(cell, dialect))


# --- counts, decimals, shares ------------------------------------------------------------------


@pytest.mark.parametrize(("cell", "expected"), [
    ("12", 12), ("12.0", 12), (12.0, 12), (7, 7), ("0", 0), ("1.234", "AMBIGUOUS_NUMBER"),
    ("12.5", "NOT_AN_INTEGER"), (12.5, "NOT_AN_INTEGER"), ("-1", "NEGATIVE"),
    ("tanti", "NOT_A_NUMBER"), (False, "NOT_A_NUMBER"), ("1000001", "TOO_LARGE"),
    (float("inf"), "NOT_A_NUMBER"), (None, "NOT_A_NUMBER"),
])
def test_count_parsing(cell: Any, expected: int | str) -> None:
    result = parse_count(cell)
    if isinstance(expected, int):
        assert result == expected
    else:
        assert _code(result) == expected


def test_count_limit_and_noun_are_the_callers() -> None:
    assert parse_count("150", maximum=200, noun="units") == 150
    result = parse_count("201", maximum=200, noun="units")
    assert isinstance(result, CellProblem)
    assert "more than 200 units" in result.message
    assert "more than 1,000,000 users" in str(parse_count(10**7))


@pytest.mark.parametrize(("cell", "dialect", "expected"), [
    ("0.125", AUTO, Decimal("0.125")), ("0,125", AUTO, Decimal("0.125")),
    ("1.000", PLAIN, Decimal("1.000")), ("1.000", ITALIAN, Decimal("1000")),
    (0.1, AUTO, Decimal("0.1")), (7, AUTO, Decimal(7)), (Decimal("2.50"), AUTO, Decimal("2.50")),
    ("1.000", AUTO, "AMBIGUOUS_NUMBER"), (True, AUTO, "NOT_A_NUMBER"),
    (float("nan"), AUTO, "NOT_A_NUMBER"), (Decimal("NaN"), AUTO, "NOT_A_NUMBER"),
    ("€ 5", AUTO, "NOT_A_NUMBER"), (Decimal("1e999999999"), AUTO, "NOT_A_NUMBER"),
    (Decimal("1e-31"), AUTO, "NOT_A_NUMBER"), (Decimal("0e-99"), AUTO, Decimal("0e-99")),
])
def test_decimal_parsing(cell: Any, dialect: Dialect, expected: Decimal | str) -> None:
    result = parse_decimal(cell, dialect)
    if isinstance(expected, Decimal):
        assert result == expected
        assert str(result) == str(expected)  # the decimals as written: 2.50 stays 2.50
    else:
        assert _code(result) == expected


@pytest.mark.parametrize(("cell", "dialect", "expected"), [
    ("0.125", AUTO, Fraction(1, 8)), ("0,090154", AUTO, Fraction(90154, 10**6)),
    ("9,0154%", AUTO, Fraction(90154, 10**6)), ("12.5 %", AUTO, Fraction(1, 8)),
    (0.1, AUTO, Fraction(1, 10)), ("1", PLAIN, Fraction(1)), ("0.125", PLAIN, Fraction(1, 8)),
    ("-0.1", AUTO, "NEGATIVE"), ("abc", AUTO, "NOT_A_NUMBER"), ("12%", PLAIN, "NOT_A_NUMBER"),
    ("1,125", AUTO, "AMBIGUOUS_NUMBER"),
])
def test_share_parsing(cell: Any, dialect: Dialect, expected: Fraction | str) -> None:
    result = parse_share(cell, dialect, percent=dialect is not PLAIN)
    if isinstance(expected, Fraction):
        assert result == expected
    else:
        assert _code(result) == expected


# --- dates, yes/no, ownership, text ------------------------------------------------------------


@pytest.mark.parametrize(("cell", "expected"), [
    ("2024-01-31", date(2024, 1, 31)), ("31/01/2024", date(2024, 1, 31)),
    ("1/2/2024", date(2024, 2, 1)), (datetime(2024, 1, 31, 0, 0), date(2024, 1, 31)),
    (date(2024, 1, 31), date(2024, 1, 31)), ("31-01-2024", None), ("2024/01/31", None),
    ("30/02/2024", None), ("31.01.2024", None), (45321, None), ("01/01/0024", None),
    (time(8, 0), None), (timedelta(days=2), None),
])
def test_date_parsing(cell: Any, expected: date | None) -> None:
    result = parse_date(cell)
    if expected is None:
        assert _code(result) == "NOT_A_DATE"
    else:
        assert result == expected


def test_a_month_first_date_is_refused_with_a_warning_about_the_others() -> None:
    result = parse_date("09/13/2000")
    assert isinstance(result, CellProblem) and "MM/DD/YYYY" in result.message


@pytest.mark.parametrize(("cell", "expected"), [
    ("true", True), ("FALSE", False), ("Yes", True), ("no", False), ("sì", True), ("SI", True),
    ("1", True), ("0", False), ("vero", True), ("falso", False), ("y", True), ("N", False),
    ("s", True), (True, True), (0, False), (1.0, True), ("forse", None), ("2", None), (2, None),
])
def test_bool_parsing(cell: Any, expected: bool | None) -> None:
    result = parse_bool(cell)
    if expected is None:
        assert _code(result) == "NOT_A_BOOLEAN"
    else:
        assert result is expected


@pytest.mark.parametrize(("cell", "expected"), [
    ("public", Ownership.PUBLIC), (" Pubblica ", Ownership.PUBLIC), ("PRIVATO", Ownership.PRIVATE),
    ("privata", Ownership.PRIVATE), ("mista", None), (1, None), (None, None),
])
def test_ownership_parsing(cell: Any, expected: Ownership | None) -> None:
    result = parse_ownership(cell)
    if expected is None:
        assert _code(result) == "BAD_OWNERSHIP"
    else:
        assert result is expected


def test_text_cells() -> None:
    assert parse_text("  Nido\u200b Città ") == "Nido Città"
    assert parse_text("'=cmd()") == "=cmd()"  # the neutralisation of written CSV is undone
    assert parse_text("'quoted") == "'quoted"
    assert parse_text(None) == "" and parse_text(12.0) == "12" and parse_text(True) == "true"
    assert parse_code(" asilo_nido ") == "ASILO_NIDO"
    assert _code(parse_text(Formula("=A1"))) == "FORMULA_CELL"
    assert _code(parse_code(ExcelError("#N/A"))) == "EXCEL_ERROR"
    assert cell_text(datetime(2025, 6, 30)) == "2025-06-30"
    assert cell_text(datetime(2025, 6, 30, 8, 30)) == "2025-06-30T08:30:00"
    assert unquote("'+39") == "+39" and unquote("'") == "'"


def test_render_and_shown() -> None:
    assert render(1234.56) == "1234.56" and render(2469.0) == "2469" and render(7) == "7"
    assert render(1e-7) == "0.0000001" and render(False) == "false"
    assert render(time(8, 30)) == "08:30:00" and render(timedelta(days=1)) == "1 day, 0:00:00"
    assert shown(1e308) == "1e+308" and shown(None) == "" and shown(Formula("=A1")) == "=A1"
    assert shown("x" * 100) == "x" * 57 + "..."
    assert clip(" a \n  b ") == "a b"


def test_blank_cells_and_rows() -> None:
    assert is_blank(None) and is_blank("") and is_blank(" \t") and not is_blank(0)
    assert is_blank_row(["", " ", None]) and is_blank_row(["", ""]) and is_blank_row([])
    assert not is_blank_row(["", 0.0]) and not is_blank_row([" x"])


def test_heading_folding() -> None:
    assert fold_heading(" Data_inizio-Attività ") == "data inizio attivita"
    assert fold_heading("UNITÀ") == "unita" == fold_heading("unita\u200b")
    assert heading_text("  Costi 2024\ufeff ") == "Costi 2024"
    assert heading_text(2024) == "2024" and heading_text(None) == ""
    assert heading_text(ExcelError("#REF!")) == "#REF!"


def test_ids_are_normalized_for_comparison() -> None:
    assert normalize_id("UDO  1234") == normalize_id("udo 1234") == "udo 1234"
    assert normalize_id("\uff35\uff24\uff2f1") == "udo1"  # full-width letters
    assert normalize_id("U1") != normalize_id("U2")


# --- one cell of a column ----------------------------------------------------------------------


def test_parse_cell_by_kind() -> None:
    assert parse_cell("money", " 1.234,56 ", ITALIAN) == 123456
    assert parse_cell("int", "12", AUTO) == 12
    assert parse_cell("date", "2024-01-31") == date(2024, 1, 31)
    assert parse_cell("bool", "sì") is True
    assert parse_cell("ownership", "pubblica") is Ownership.PUBLIC
    assert parse_cell("code", "sad") == "SAD"
    assert parse_cell("text", "\u200b ") is None  # only invisible characters: empty
    assert parse_cell("money", None) is None
    assert _code(parse_cell("money", "=SUM(A1:A3)")) == "FORMULA_CELL"
    assert parse_cell("text", "=SUM(A1:A3)") == "=SUM(A1:A3)"  # a name may start with '='
    assert _code(parse_cell("bool", Formula("=A1"))) == "FORMULA_CELL"
    assert _code(parse_cell("date", ExcelError("#VALUE!"))) == "EXCEL_ERROR"
    assert {"text", "code", "ownership", "int", "money", "date", "bool"} == KINDS


# --- properties -------------------------------------------------------------------------------


def _english(cents: int) -> str:
    """1,234.56: English Excel's thousands separators."""
    whole, rest = divmod(cents, 100)
    return f"{whole:,}.{rest:02d}"


@given(st.integers(0, MAX_CENTS))
@example(0)
@example(99999)
@example(100000)
@example(MAX_CENTS)
def test_an_amount_written_in_any_dialect_reads_back_to_itself(cents: int) -> None:
    plain, italian = format_cents(cents), format_cents_it(cents)
    for dialect in Dialect:
        assert parse_money(plain, dialect) == cents, (plain, dialect)
    assert parse_money(italian, ITALIAN) == cents
    assert parse_money(italian, AUTO) == cents
    assert parse_money(f"€ {italian}", ITALIAN) == cents
    assert parse_money(_english(cents), AUTO) == cents
    assert parse_money(-cents / 100, negative=True) == -cents
    assert parse_money("-" + plain, PLAIN, negative=True) == -cents


@given(st.integers(0, 10**6))
def test_a_count_written_in_any_dialect_reads_back_to_itself(count: int) -> None:
    for dialect in Dialect:
        assert parse_count(str(count), dialect) == count
    assert parse_count(f"{count:,}".replace(",", "."), ITALIAN) == count
    assert parse_count(float(count)) == count


@given(head=st.integers(1, 999), tail=st.integers(0, 999), mark=st.sampled_from(".,"),
       sign=st.sampled_from(["", "-", "€ "]))
def test_a_thousands_like_figure_is_refused_in_auto(head: int, tail: int, mark: str,
                                                   sign: str) -> None:
    text = f"{sign}{head}{mark}{tail:03d}"
    for parse in (parse_money, parse_count, parse_decimal, parse_share):
        result = parse(text, AUTO)
        if sign == "€ " and parse is not parse_money:
            assert _code(result) == "NOT_A_NUMBER"
            continue
        assert _code(result) == "AMBIGUOUS_NUMBER", (parse, text)
        assert isinstance(result, CellProblem)
        assert f"{head}{tail:03d} if '{mark}' separates thousands" in result.message
        decimal = format(Decimal(f"{head}.{tail:03d}").normalize(), "f")
        assert f"or {decimal} if '{mark}' is the decimal mark" in result.message
    if mark == ".":
        assert parse_decimal(text.removeprefix("€ "), ITALIAN) == Decimal(
            f"{sign.strip('€ ')}{head}{tail:03d}")


@given(units=st.integers(0, 10**12), places=st.integers(0, 6))
def test_a_share_is_the_exact_fraction_of_its_decimals(units: int, places: int) -> None:
    text = format(Decimal(units).scaleb(-places), "f")
    exact = Fraction(units, 10**places)
    whole, _, decimals = text.partition(".")
    ambiguous = len(decimals) == 3 and 1 <= int(whole) <= 999  # 1.234: thousands?
    assert parse_share(text, PLAIN) == exact
    assert parse_share(f"{text}%", PLAIN) == exact / 100
    for dialect, written in ((AUTO, text), (AUTO, text.replace(".", ",")),
                             (ITALIAN, text.replace(".", ","))):
        result = parse_share(written, dialect)
        if ambiguous and dialect is not ITALIAN:  # there ',' can only be the decimal mark
            assert _code(result) == "AMBIGUOUS_NUMBER"
        else:
            assert result == exact


CELLS = st.one_of(
    st.text(), st.none(), st.booleans(), st.integers(), st.floats(),
    st.dates(), st.datetimes(), st.times(), st.timedeltas(), st.decimals(),
    st.builds(Formula, st.text()), st.builds(ExcelError, st.text()),
    st.text(alphabet="0123456789.,- €eE%\u00a0\u2212+", max_size=20),
)


@given(cell=CELLS, dialect=st.sampled_from(Dialect))
def test_any_cell_never_raises(cell: Any, dialect: Dialect) -> None:
    for parse in (parse_money, parse_count, parse_decimal, parse_share):
        result = parse(cell, dialect)
        assert isinstance(result, CellProblem | int | Decimal | Fraction)
    for kind in ("money", "int"):
        assert parse_figure(cell, kind, dialect)[0] == (
            parse_money(cell, dialect) if kind == "money" else parse_count(cell, dialect))
    assert isinstance(parse_money(cell, dialect, negative=True), CellProblem | int)
    for one in (parse_bool, parse_date, parse_ownership, parse_text, parse_code, cell_text):
        one(cell)
    for kind in KINDS:
        parse_cell(kind, cell, dialect)
    if isinstance(cell, str):
        read_decimal(cell, dialect, currency=True)
        decimal_mark(cell, dialect)
        fold_heading(cell)
        normalize_id(cell)
        heading_text(cell)
    shown(cell)


# --- whole columns: the same meaning as cell by cell -------------------------------------------

ISO_DATES = st.dates().map(date.isoformat)
DATE_CELLS = st.one_of(
    ISO_DATES, st.from_regex(r"[0-9]{4}-[0-9]{2}-[0-9]{2}", fullmatch=True),
    st.text(alphabet="0123456789-/ \n", max_size=12), st.dates(), st.none(),
)
TEXT_CELLS = st.one_of(
    st.text(alphabet=st.characters(max_codepoint=127), min_size=1),
    st.text(), st.sampled_from(["", " ", "'=1+1", "'x", "L'Approdo", "\u200bU1"]), st.none(),
)


@given(cells=st.lists(DATE_CELLS, max_size=6))
def test_a_column_of_dates_read_at_once_means_what_each_cell_means(cells: list[Any]) -> None:
    dates = parse_plain_dates(cells)
    if dates is not None:
        assert [parse_cell("date", cell) for cell in cells] == dates


@given(cells=st.lists(ISO_DATES, min_size=1))
def test_a_column_of_iso_dates_of_plausible_years_is_read_at_once(cells: list[str]) -> None:
    plausible = all(1900 <= int(cell[:4]) <= 2100 for cell in cells)
    assert (parse_plain_dates(cells) is not None) == plausible


@given(cells=st.lists(TEXT_CELLS, max_size=6))
def test_a_column_of_text_read_at_once_means_what_each_cell_means(cells: list[Any]) -> None:
    texts = plain_texts(cells)
    if texts is not None:
        assert [parse_cell("text", cell) for cell in cells] == texts


AMOUNT_CELLS = st.one_of(
    st.from_regex(r"[0-9]{1,15}\.[0-9]{2}", fullmatch=True),
    st.from_regex(r" ?[0-9]{1,17}([.,][0-9]{0,3})? ?", fullmatch=True),
    st.sampled_from(["", "-1.00", "1.234,56", "99999999999.99", "100000000000.00",
                     "100000000000.01", "0.00", "\uff10.00"]),
    st.integers(min_value=0), st.none(),
)


@given(cells=st.lists(AMOUNT_CELLS, max_size=6), dialect=st.sampled_from(Dialect))
def test_a_column_of_amounts_read_at_once_means_what_each_cell_means(
    cells: list[Any], dialect: Dialect
) -> None:
    amounts = parse_plain_amounts(cells, dialect)
    if amounts is not None:
        assert [parse_figure(cell, "money", dialect) for cell in cells] == [
            (cents, ".") for cents in amounts]
        assert [parse_cell("money", cell, dialect) for cell in cells] == amounts


@given(cells=st.lists(st.from_regex(r"[0-9]{1,11}\.[0-9]{2}", fullmatch=True), min_size=1),
       dialect=st.sampled_from([Dialect.AUTO, Dialect.ITALIAN]))
def test_a_column_of_usual_amounts_is_read_at_once(cells: list[str], dialect: Dialect) -> None:
    assert parse_plain_amounts(cells, dialect) is not None


def test_a_column_that_is_not_plain_is_read_cell_by_cell() -> None:
    assert parse_plain_dates([]) is None
    assert parse_plain_dates(["2024-02-30"]) is None
    assert parse_plain_dates(["1899-12-31"]) is None
    assert parse_plain_dates(["2024-01-31", date(2024, 1, 31)]) is None
    assert plain_texts(["U1", ""]) is None
    assert plain_texts(["U1", "'=1"]) is None
    assert plain_texts(["U1\u200b"]) is None
    assert plain_texts([" U1 ", "L'Approdo"]) == ["U1", "L'Approdo"]
    assert parse_plain_amounts([], Dialect.AUTO) is None
    assert parse_plain_amounts(["12.50"], Dialect.PLAIN) is None  # the plain reader's rules
    assert parse_plain_amounts(["12.50", " 3.00"], Dialect.AUTO) is None
    assert parse_plain_amounts(["12.50", "3,00"], Dialect.AUTO) is None
    assert parse_plain_amounts(["12.50", "3"], Dialect.AUTO) is None
    assert parse_plain_amounts(["100000000000.01"], Dialect.AUTO) is None  # over MAX_CENTS
    assert parse_plain_amounts(["100000000000.00", "0.05"], Dialect.ITALIAN) == [
        10**13, 5]


# --- what a problem says: the cell as written, and how to fix it -------------------------------

HINT = "write it as YYYY-MM-DD (2024-01-31) or DD/MM/YYYY (31/01/2024)"
AMERICAN = ("is not a day of the calendar read as DD/MM/YYYY; it looks like the American order "
            "MM/DD/YYYY, in which case the other dates of the file written with '/' were read "
            "with day and month swapped: write every date as YYYY-MM-DD")
DIGITS = ("is written with digits other than 0-9 (such as Arabic-Indic or mathematical digits); "
          "type it with the digits 0-9")
LONG_DECIMAL = Decimal("1234567890" * 7 + "E+100")


@pytest.mark.parametrize(("read", "code", "message"), [
    (lambda: parse_money("-5"), "NEGATIVE", "'-5' is negative; amounts must be 0 or more"),
    (lambda: parse_money(-5), "NEGATIVE", "'-5' is negative; amounts must be 0 or more"),
    (lambda: parse_money("200000000000"), "TOO_LARGE",
     "'200000000000' is implausibly large (more than 100 billion euros); check the figure"),
    (lambda: parse_money("1234.567"), "TOO_MANY_DECIMALS",
     "'1234.567' has more than two decimals; round it to the cent"),
    (lambda: parse_money(1234.5678), "TOO_MANY_DECIMALS",
     "'1,234.5678' has more than two decimals; round it to the cent"),
    (lambda: parse_money(-12.5), "NEGATIVE", "'-12.5' is negative; amounts must be 0 or more"),
    (lambda: parse_money(-(0.1 + 0.2)), "NEGATIVE",
     "'-0.30000000000000004' is negative; amounts must be 0 or more"),
    (lambda: parse_money(-1e308), "NEGATIVE", "'-1e+308' is negative; amounts must be 0 or more"),
    (lambda: parse_money(1e308), "TOO_LARGE",
     "'1e+308' is implausibly large (more than 100 billion euros); check the figure"),
    (lambda: parse_money(150000000000.123), "TOO_LARGE",  # too large first, whatever its decimals
     "'150,000,000,000.123' is implausibly large (more than 100 billion euros); check the figure"),
    (lambda: parse_money("abc"), "NOT_A_NUMBER",
     "'abc' is not a number; write it like 1234.56 or 1.234,56"),
    (lambda: parse_money("X12"), "NOT_A_NUMBER",
     "'X12' is not a number; write it like 1234.56 or 1.234,56"),
    (lambda: parse_money("1.234,567.8"), "NOT_A_NUMBER",  # the last mark is the decimal one: twice
     "'1.234,567.8' is not a number; write it like 1234.56 or 1.234,56"),
    (lambda: parse_money("1,234.567,8"), "NOT_A_NUMBER",
     "'1,234.567,8' is not a number; write it like 1234.56 or 1.234,56"),
    (lambda: parse_money("1e5"), "NOT_A_NUMBER",
     "'1e5' is in scientific notation, which Excel uses when a number is too long for the "
     "column and which loses digits; format the column as a number with two decimals, export "
     "the file again and check the figure"),
    (lambda: parse_money("12,34,56"), "NOT_A_NUMBER",
     "'12,34,56' is not a valid number: thousands separators must separate groups of three "
     "digits; write it like 1234.56 or 1.234,56"),
    (lambda: parse_money("1 234,567"), "AMBIGUOUS_NUMBER",
     "'1 234,567' can be read two ways: 1234567 if ',' separates thousands, or 1234.567 if ',' "
     "is the decimal mark, which this column cannot hold; if 1234567 is meant, write 1234567, "
     "without thousands separators"),
    (lambda: cell_text(Formula("=A1")), "FORMULA_CELL",
     "holds the formula =A1 but the file has no saved result for it; open the file in Excel "
     "and save it, or type the value instead"),
    (lambda: cell_text(ExcelError("#N/A")), "EXCEL_ERROR",
     "shows the Excel error #N/A; correct the formula or type the value"),
    (lambda: parse_money("1234,56", PLAIN), "NOT_A_NUMBER",
     "'1234,56' is not a number; write it like 1234.56, with '.' as decimal mark and no "
     "thousands separators"),
    (lambda: parse_money("\u0661\u0662", PLAIN), "NOT_A_NUMBER", f"'\u0661\u0662' {DIGITS}"),
    (lambda: parse_money(float("inf")), "NOT_A_NUMBER", "'inf' is not an amount in euros"),
    (lambda: parse_money(True), "NOT_A_NUMBER",
     "'true' is not an amount in euros; write it like 1234.56"),
    (lambda: parse_count("tanti"), "NOT_A_NUMBER",
     "'tanti' is not a number; write a whole number such as 12"),
    (lambda: parse_count(False), "NOT_A_NUMBER",
     "'false' is not a number; write a whole number such as 12"),
    (lambda: parse_count(date(2024, 1, 31)), "NOT_A_NUMBER",
     "'2024-01-31' is not a number; write a whole number such as 12"),
    (lambda: parse_count("\u0661\u0662"), "NOT_A_NUMBER", f"'\u0661\u0662' {DIGITS}"),
    (lambda: parse_count("-1"), "NEGATIVE", "'-1' is negative; write 0 or more"),
    (lambda: parse_count("12.5"), "NOT_AN_INTEGER",
     "'12.5' is not a whole number; write a whole number such as 12"),
    (lambda: parse_count("1000001"), "TOO_LARGE",
     "'1000001' is implausibly large (more than 1,000,000 users); check the figure"),
    (lambda: parse_decimal(True), "NOT_A_NUMBER", "'true' is not a number; write it like 1234.56"),
    (lambda: parse_decimal(Decimal("NaN")), "NOT_A_NUMBER",
     "'NaN' is not a number; write it like 1234.56"),
    (lambda: parse_decimal(LONG_DECIMAL), "NOT_A_NUMBER",  # a program's Decimal, quoted whole
     f"'{LONG_DECIMAL}' is not a number; write it like 1234.56"),
    (lambda: parse_share("abc"), "NOT_A_NUMBER",
     "'abc' is not a share; write it like 0.125 or 12.5%"),
    (lambda: parse_share("abc", percent=False), "NOT_A_NUMBER",
     "'abc' is not a share; write it like 0.125"),
    (lambda: parse_share("-0.1"), "NEGATIVE", "'-0.1' is negative; shares are 0 or more"),
    (lambda: parse_date(45321), "NOT_A_DATE",
     f"the cell holds the number 45,321, not a date; format the cell as a date or {HINT}"),
    (lambda: parse_date(time(8, 0)), "NOT_A_DATE", f"'08:00:00' is not a date; {HINT}"),
    (lambda: parse_date("2024/01/31"), "NOT_A_DATE", f"'2024/01/31' is not a date; {HINT}"),
    (lambda: parse_date("\u0662\u0660\u0662\u0664-01-31"), "NOT_A_DATE",
     f"'\u0662\u0660\u0662\u0664-01-31' {DIGITS}"),
    (lambda: parse_date("30/02/2024"), "NOT_A_DATE",
     f"'30/02/2024' is not a day of the calendar; {HINT}"),
    (lambda: parse_date("01/13/2024"), "NOT_A_DATE", f"'01/13/2024' {AMERICAN}"),
    (lambda: parse_date("1899-12-31"), "NOT_A_DATE",
     "the year 1899 is implausible; check the date"),
    (lambda: parse_ownership("mista"), "BAD_OWNERSHIP",
     "'mista' is not an ownership; write public or private (pubblica/privata)"),
    (lambda: parse_bool("forse"), "NOT_A_BOOLEAN",
     "'forse' is not yes or no; write yes/no (also sì/no, true/false, 1/0)"),
    (lambda: parse_cell("money", "=SUM(A1)"), "FORMULA_CELL",
     "holds the formula '=SUM(A1)' as text where an amount in euros such as 1234.56 is "
     "expected; type the value itself"),
])
def test_each_problem_quotes_the_cell_and_says_how_to_fix_it(
        read: Callable[[], object], code: str, message: str) -> None:
    """The message is all a person sees of a refused cell: the cell as written, and the fix."""
    assert read() == CellProblem(ErrorCode(code), message)


@pytest.mark.parametrize(("cell", "american"), [
    ("01/13/2024", True), ("12/13/2024", True), ("12/31/2024", True),  # day 1-12, month 13-31
    ("13/13/2024", False), ("01/32/2024", False), ("30/02/2024", False),
    ("2024-13-05", False),  # the order of an ISO date is never in doubt
])
def test_only_a_day_that_reads_month_first_warns_of_the_american_order(
        cell: str, american: bool) -> None:
    result = parse_date(cell)
    assert isinstance(result, CellProblem) and result.code == "NOT_A_DATE"
    assert (AMERICAN in result.message) is american


def test_the_first_and_last_plausible_years_are_read() -> None:
    assert parse_date("1900-01-01") == date(1900, 1, 1)
    assert parse_date("2100-12-31") == date(2100, 12, 31)
    assert parse_plain_dates(["1900-01-01", "2100-12-31"]) == [date(1900, 1, 1),
                                                              date(2100, 12, 31)]
    assert parse_plain_dates(["2101-01-01"]) is None


def test_a_message_quotes_a_float_as_typed_and_a_huge_or_tiny_one_as_python_writes_it() -> None:
    # within [1e-6, 1e15) the figure as typed; beyond, Python's exponent notation
    assert shown(1.0) == "1" and shown(1e-6) == "0.000001" and shown(1e-5) == "0.00001"
    assert shown(999999999999999.0) == "999999999999999"
    assert shown(1e15) == "1000000000000000.0" and shown(1e16) == "1e+16"
    assert shown(9e-7) == "9e-07"
    assert shown(7) == "7" and shown(date(2024, 1, 31)) == "2024-01-31"
    assert render(float("nan")) == "NaN" and render(float("-inf")) == "-Infinity"


def test_unusual_spaces_and_minus_signs_are_read_as_excel_writes_them() -> None:
    assert parse_money("1\u202f234,56") == 123456  # narrow no-break space (French Excel)
    assert parse_money("1\u00a0234,56") == 123456
    assert _code(parse_money("\u22125")) == "NEGATIVE"  # the minus sign U+2212
    assert parse_money("\u221212,5", negative=True) == -1250


def test_thousands_groups_lead_with_one_to_three_digits() -> None:
    assert parse_money("1.234.567,89") == 123456789
    assert _code(parse_money("1234.567,89")) == "NOT_A_NUMBER"


def test_a_plain_figure_shows_a_decimal_mark_only_when_it_has_one() -> None:
    assert read_decimal("12", PLAIN) == (Decimal(12), None)
    assert decimal_mark("12", PLAIN) is None
    assert decimal_mark("1234,5", PLAIN) is None  # not a figure of a program
    assert parse_figure("1234,5", "money", PLAIN) == (parse_money("1234,5", PLAIN), None)


def test_a_figure_read_in_one_match_keeps_its_decimals_in_place() -> None:
    assert parse_figure("1234,5", "money") == (123450, ",")
    assert parse_figure("1234.05", "money") == (123405, ".")
    assert parse_figure("12,5", "int") == (parse_count("12,5"), None)  # a problem: no mark


def test_decimals_with_a_currency_and_at_the_exponent_limit() -> None:
    assert parse_decimal("€ 5", currency=True) == Decimal(5)
    assert parse_decimal(Decimal("1e30")) == Decimal("1e30")
    assert parse_decimal(Decimal("1e-30")) == Decimal("1e-30")
    assert _code(parse_decimal(Decimal("1e31"))) == "NOT_A_NUMBER"


def test_parse_cell_reads_in_the_dialect_of_the_file() -> None:
    assert parse_cell("money", "1.234", ITALIAN) == 123400
    assert _code(parse_cell("money", "1.234", AUTO)) == "AMBIGUOUS_NUMBER"
    assert _code(parse_cell("money", "1234,56", PLAIN)) == "NOT_A_NUMBER"
    assert parse_cell("int", "1.200", ITALIAN) == 1200
    assert parse_cell("code", "=x") == "=X"  # a code, like a text, may start with '='


def test_negative_amounts_when_asked_in_every_path_of_a_float_or_an_integer() -> None:
    assert parse_money(-5, negative=True) == -500
    assert parse_money(-(0.1 + 0.2), negative=True) == -30  # within a millionth of a cent
    assert parse_money("-€ 5", negative=True) == -500  # the sign before the euro sign


def test_a_float_a_millionth_of_a_euro_from_a_cent_is_that_cent() -> None:
    assert parse_money(1e-6) == 0  # exactly the tolerance: still the cent
    assert _code(parse_money(2e-6)) == "TOO_MANY_DECIMALS"


def test_a_message_quotes_a_cell_of_sixty_characters_whole() -> None:
    assert clip("x" * 60) == "x" * 60
    assert clip("x" * 61) == "x" * 57 + "..."
