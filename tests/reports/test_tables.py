"""Output tables: formats, binding limits, totals."""

from __future__ import annotations

import csv
import io
import zipfile
from fractions import Fraction

from fsr_opt.engine.eligibility import assess
from fsr_opt.engine.outcomes import unit_outcomes
from fsr_opt.engine.solve import solve_riparto
from fsr_opt.reports.tables import (
    ALLOCATION_COLUMNS,
    OperatorPayments,
    format_fraction_cents,
    format_ratio,
    operator_payments,
    payment_rows,
    render_tables,
    summary_rows,
    summary_text,
)
from fsr_opt.reports.workbook import allocation_workbook

from tests.conftest import table, tiny_rules, unit


def test_format_ratio_and_fraction_cents() -> None:
    assert format_ratio(Fraction(10, 13)) == "0.769231"
    assert format_ratio(Fraction(1)) == "1.000000"
    assert format_fraction_cents(Fraction(4462476750, 100)) == "446247.68"  # half up


def solved():  # type: ignore[no-untyped-def]
    # Area a (1000 EUR): U1 800 and U2 500 share 1000 (lambda 10/13), U3 (200) below minimum,
    # X excluded (no application). Area b (1000 EUR): V1 400 at full entitlement.
    rules = tiny_rules({"s": ("a", 1), "t": ("b", 1)}, {"a": 50, "b": 50}, fund=200000)
    units = [
        unit("U1", "s", 80000, operator="Coop A"), unit("U2", "s", 50000, operator="Coop A"),
        unit("U3", "s", 20000), unit("X", "s", 90000, applied=False),
        unit("V1", "t", 40000, operator="=cmd"),
    ]
    assessments = assess(table(units), rules)
    result = solve_riparto(assessments, rules)
    assert result.allocation is not None
    return assessments, result.allocation, rules


def test_the_terminal_summary_counts_the_units_funded_per_service_line() -> None:
    # U1 and U2 funded in s (U3 below the minimum, X excluded), V1 in t: 5 units, 4 eligible
    assessments, allocation, rules = solved()
    lines = summary_text(assessments, allocation, rules).splitlines()
    assert "units 5, eligible 4, funded 3;" in lines[1]
    counts = {line.split()[0]: line.split()[-1] for line in lines if line.startswith("  ")
              and line.split()[0] in ("s", "t")}
    assert counts == {"s": "2", "t": "1"}


def test_summary_and_payments() -> None:
    assessments, allocation, rules = solved()
    outcomes = unit_outcomes(assessments, allocation, rules)
    rows = summary_rows(outcomes, allocation, rules)
    assert rows[0][:8] == ["a", "s", "", "1000.00", "0.01", "1000.00", "0.00", "0.769231"]
    # then the residual phase's columns: none here (tiny rules have no residual phase)
    assert rows[0][8:] == ["2", "2", "0.00", "1000.00", "", ""]
    # area b leaves 600 EUR its only unit cannot take: its pool's row says so, and the total
    assert rows[3] == ["b", "TOTAL", "1000.00", "1000.00", "0.01", "400.00", "-600.00", "", "1",
                       "0", "0.00", "400.00", "0.000000", "600.00"]
    assert rows[-1][:6] == ["TOTAL", "TOTAL", "2000.00", "2000.00", "0.02", "1400.00"]
    assert rows[-1][10:] == ["0.00", "1400.00", "", "600.00"]
    assert operator_payments(outcomes) == [OperatorPayments("=cmd", 1, 40000, 40000, 0),
                                           OperatorPayments("Coop A", 2, 100000, 100000, 0)]
    assert payment_rows(operator_payments(outcomes)) == [
        ["=cmd", "1", "400.00", "400.00", "0.00"],
        ["Coop A", "2", "1000.00", "1000.00", "0.00"],
    ]


def test_the_payments_given_are_the_ones_every_report_shows() -> None:
    # a run makes the payments once and gives them to payments.csv, the workbook and the page
    assessments, allocation, rules = solved()
    outcomes = unit_outcomes(assessments, allocation, rules)
    given = [OperatorPayments("Ente dato", 7, 123456, 100000, 23456)]
    payments = render_tables(assessments, allocation, rules, outcomes=outcomes,
                             payments=given)["payments.csv"].decode("utf-8")
    assert payments.splitlines()[1:] == ["Ente dato,7,1234.56,1000.00,234.56"]
    book = zipfile.ZipFile(io.BytesIO(allocation_workbook(outcomes, allocation, rules,
                                                          payments=given)))
    assert "<t>Ente dato</t>" in book.read("xl/sharedStrings.xml").decode("utf-8")


def test_rendered_csv_neutralises_formulas() -> None:
    assessments, allocation, rules = solved()
    tables = render_tables(assessments, allocation, rules)
    rows = list(csv.reader(io.StringIO(tables["allocation.csv"].decode("utf-8"))))
    assert tuple(rows[0]) == ALLOCATION_COLUMNS
    assert rows[5][ALLOCATION_COLUMNS.index("operator")] == "'=cmd"
    payments = tables["payments.csv"].decode("utf-8")
    assert "'=cmd" in payments and "\n=cmd" not in payments


def test_summary_targets_add_up_and_deviations_are_redone_from_the_columns() -> None:
    # Three equal lines sharing 100 EUR: each target is 33.333... EUR. Rounded each on its
    # own they would add up to 99.99; by largest remainder, to the area's 100.00.
    rules = tiny_rules({"s": ("a", 1), "t": ("a", 1), "u": ("a", 1)}, {"a": 100}, fund=10000)
    assessments = assess(table([unit("S1", "s", 500000), unit("T1", "t", 500000),
                                unit("U1", "u", 500000)]), rules)
    allocation = solve_riparto(assessments, rules).allocation
    assert allocation is not None
    rows = summary_rows(unit_outcomes(assessments, allocation, rules), allocation, rules)
    lines, total = rows[:3], rows[3]
    assert [row[3] for row in lines] == ["33.34", "33.33", "33.33"]
    assert total[1] == "TOTAL" and total[3] == "100.00" == total[2]
    for row in lines:
        assert Fraction(row[6]) == Fraction(row[5]) - Fraction(row[3])
    assert allocation.target_cents == {"s": 3334, "t": 3333, "u": 3333}
    # the terminal's summary prints the same targets
    screen = summary_text(assessments, allocation, rules)
    assert [line.split()[1] for line in screen.splitlines()
            if line.startswith("  ") and line.split()[0] in "stu"] == ["33.34", "33.33", "33.33"]
