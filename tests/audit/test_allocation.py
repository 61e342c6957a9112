"""Reading an allocation to audit: Italian headings and amounts, every bad cell named."""

from __future__ import annotations

from fractions import Fraction

import pytest

from fsr_opt.audit.allocation import parse_allocation
from fsr_opt.core.errors import InputError
from fsr_opt.io.cells import Dialect


def test_italian_headings_and_amounts() -> None:
    rows = [
        {"__row__": "2", "Codice unità": "A", "Importo assegnato": "1.234,56"},
        {"__row__": "3", "Codice unità": "B", "Importo assegnato": "1234,56"},
        {"__row__": "4", "Codice unità": "C", "Importo assegnato": "€ 300"},
        {"__row__": "8", "Codice unità": "G", "Importo assegnato": "1 234,56 euro"},
        {"__row__": "5", "Codice unità": "D", "Importo assegnato": ""},
        {"__row__": "6", "Codice unità": "E", "Importo assegnato": "1,234,567.8"},
        {"__row__": "7", "Codice unità": "F", "Importo assegnato": 864.1900000000001},
    ]
    allocation = parse_allocation(["Codice unità", "Importo assegnato"], rows, "r.csv")
    assert sorted((r.unit_id, r.award, r.row) for r in allocation.rows) == [
        ("A", 123456, 2), ("B", 123456, 3), ("C", 30000, 4), ("D", 0, 5),
        ("E", 123456780, 6), ("F", 86419, 7), ("G", 123456, 8),
    ]
    assert allocation.columns == frozenset()


def test_a_float_of_excel_is_a_cent_but_the_same_figure_typed_is_refused() -> None:
    # A workbook's =B2*0,7 holds the binary float 864.1900000000001: that is 864.19. The same
    # digits written as text are a figure with 13 decimals, which is never rounded.
    rows = [{"__row__": 2, "unit_id": "A", "award": "864.1900000000001"}]
    with pytest.raises(InputError) as caught:
        parse_allocation(["unit_id", "award"], rows, "r.csv")
    assert [p.code for p in caught.value.problems] == ["TOO_MANY_DECIMALS"]


def test_the_italian_excel_dialect_reads_thousands_and_vero() -> None:
    rows = [{"__row__": 2, "unit_id": "A", "award": "1.000", "eligible": "VERO",
             "share": "0,5"},
            {"__row__": 3, "unit_id": "B", "award": "1.234,56", "eligible": "FALSO",
             "share": "0"}]
    allocation = parse_allocation(["unit_id", "award", "eligible", "share"], rows, "r.csv",
                                  dialect=Dialect.ITALIAN)
    assert [(r.award, r.eligible, r.share) for r in allocation.rows] == [
        (100000, True, Fraction(1, 2)), (123456, False, 0)]
    # outside that dialect, 1.000 is refused
    with pytest.raises(InputError, match="can be read two ways"):
        parse_allocation(["unit_id", "award"], rows[:1], "r.csv")


def test_optional_columns_are_read_when_present() -> None:
    headings = ["id", "Contributo", "Ammessa", "Spettanza", "Acconto", "Saldo", "Percentuale"]
    rows = [{"__row__": "2", "id": "A", "Contributo": "1.500,00", "Ammessa": "sì",
             "Spettanza": "2000", "Acconto": "1050", "Saldo": "450", "Percentuale": "75%"},
            {"__row__": "3", "id": "B", "Contributo": "0", "Ammessa": "no", "Spettanza": "",
             "Acconto": "", "Saldo": "", "Percentuale": "0,090154"}]
    allocation = parse_allocation(headings, rows, "r.xlsx", sha256="abc")
    first, second = allocation.rows
    assert (first.award, first.eligible, first.entitlement, first.tranche_1,
            first.tranche_2) == (150000, True, 200000, 105000, 45000)
    assert (first.share, first.share_places) == (Fraction(3, 4), 2)  # 75% is 0.75
    assert (second.eligible, second.entitlement, second.share_places) == (False, None, 6)
    assert allocation.columns == {"eligible", "entitlement", "tranche_1", "tranche_2", "share"}
    assert allocation.sha256 == "abc"


def test_every_bad_cell_is_reported_with_row_and_column() -> None:
    headings = ["unit_id", "Contributo", "ammissibile", "tranche_1"]
    rows = [
        {"__row__": "2", "unit_id": "A", "Contributo": "1.234", "ammissibile": "sì",
         "tranche_1": "1"},
        {"__row__": "3", "unit_id": "B", "Contributo": "300.0049", "ammissibile": "forse",
         "tranche_1": "-5"},
        {"__row__": "4", "unit_id": "", "Contributo": "abc", "ammissibile": "no",
         "tranche_1": ""},
    ]
    with pytest.raises(InputError) as caught:
        parse_allocation(headings, rows, "riparto.xlsx")
    found = {(p.row, p.column, p.code) for p in caught.value.problems}
    assert found == {
        (2, "Contributo", "AMBIGUOUS_NUMBER"),
        (3, "Contributo", "TOO_MANY_DECIMALS"),
        (3, "ammissibile", "NOT_A_BOOLEAN"),
        (3, "tranche_1", "NEGATIVE"),
        (4, "Contributo", "NOT_A_NUMBER"),
        (4, "unit_id", "EMPTY_VALUE"),
    }
    assert all(p.file == "riparto.xlsx" for p in caught.value.problems)


def test_missing_and_repeated_columns() -> None:
    with pytest.raises(InputError) as caught:
        parse_allocation(["Codice", "note"], [], "r.csv")
    assert [(p.column, p.code) for p in caught.value.problems] == [("award", "MISSING_COLUMN")]
    with pytest.raises(InputError) as caught:
        parse_allocation(["unit_id", "award", "Contributo"], [], "r.csv")
    assert [(p.column, p.code) for p in caught.value.problems] == [
        ("Contributo", "DUPLICATE_COLUMN")]


def test_what_a_missing_or_repeated_column_says() -> None:
    """Each problem names the file and the column, and says what to write instead.

    A repeated column does not stop the reading of the headings after it.
    """
    with pytest.raises(InputError) as caught:
        parse_allocation(["Codice", "note"], [], "r.csv")
    assert [(p.file, p.column, p.message) for p in caught.value.problems] == [
        ("r.csv", "award", "the required column 'award' is missing; add a column headed "
                           "'award' or 'contributo'")]
    with pytest.raises(InputError) as caught:
        parse_allocation(["award", "Contributo", "unit_id"], [], "r.csv")
    assert [(p.file, p.column, p.message) for p in caught.value.problems] == [
        ("r.csv", "Contributo", "this column repeats column 'award' (both are 'award'); keep "
                                "only one")]


def test_rows_without_a_row_number_are_read_without_one() -> None:
    """Rows given by a program (no ``__row__``) have no row number; no file, no hash."""
    allocation = parse_allocation(["unit_id", "award"], [{"unit_id": "U1", "award": "1.00"}],
                                  "mine")
    assert [(row.unit_id, row.award, row.row) for row in allocation.rows] == [("U1", 100, None)]
    assert (allocation.source, allocation.sha256) == ("mine", "")


@pytest.mark.parametrize(("cell", "dialect", "share", "places"), [
    ("1.000", Dialect.PLAIN, Fraction(1), 3),  # a program's file: no thousands to fear
    ("9,0154%", Dialect.AUTO, Fraction("0.090154"), 6),  # a percent has two places more
    ("9,0154 %", Dialect.AUTO, Fraction("0.090154"), 6),
    (0.5, Dialect.AUTO, Fraction(1, 2), 1),  # a number cell of a workbook
])
def test_a_share_is_read_with_the_places_it_was_written_with(
    cell: object, dialect: Dialect, share: Fraction, places: int
) -> None:
    """The share column is compared at its own precision, read in the file's dialect."""
    allocation = parse_allocation(
        ["unit_id", "award", "share"],
        [{"__row__": "2", "unit_id": "U1", "award": "10.00", "share": cell}],  # type: ignore[dict-item]
        "a.csv", dialect=dialect)
    (row,) = allocation.rows
    assert (row.share, row.share_places) == (share, places)


def test_the_totale_row_is_no_unit_and_the_residual_share_is_kept() -> None:
    """allocation.xlsx's TOTALE row is skipped wherever it is; rows after it are read."""
    rows = [{"__row__": 2, "unit_id": "U1", "award": "1.00", "residual_share": "0.25"},
            {"__row__": 3, "unit_id": "TOTALE", "award": "1.00", "residual_share": ""},
            {"__row__": 4, "unit_id": "U2", "award": "2.00", "residual_share": "0,5"}]
    allocation = parse_allocation(["unit_id", "award", "residual_share"], rows, "r.csv")
    assert [(r.row, r.unit_id, r.award, r.residual_share, r.residual_places)
            for r in allocation.rows] == [(2, "U1", 100, Fraction(1, 4), 2),
                                          (4, "U2", 200, Fraction(1, 2), 1)]


def test_an_empty_unit_id_is_named_by_file_row_and_column() -> None:
    with pytest.raises(InputError) as caught:
        parse_allocation(["unit_id", "award"], [{"__row__": 2, "unit_id": "  ", "award": "1"}],
                         "r.csv")
    assert [(p.file, p.row, p.column, p.message) for p in caught.value.problems] == [
        ("r.csv", 2, "unit_id", "the unit id is empty; every row needs the unit's code")]
