"""allocation.xlsx: read back with openpyxl and compared cell by cell with allocation.csv."""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path

import openpyxl
import pytest

from fsr_opt.app.pipeline import load_inputs, load_rules
from fsr_opt.audit.allocation import parse_allocation
from fsr_opt.audit.run import audit, audit_solution
from fsr_opt.core.schema import Allocation, Assessment, RuleSet
from fsr_opt.core.words import describe
from fsr_opt.core.words import text as words_text
from fsr_opt.engine.eligibility import assess
from fsr_opt.engine.outcomes import unit_outcomes
from fsr_opt.engine.solve import solve_riparto
from fsr_opt.io.allocation import load_allocation_table
from fsr_opt.reports.annex import area_labels, line_labels
from fsr_opt.reports.tables import ALLOCATION_COLUMNS, render_tables
from fsr_opt.reports.workbook import ALLOCATION_SHEET, allocation_workbook, sheet_names

from tests.conftest import table, tiny_rules, unit


@dataclass
class Run:
    assessments: tuple[Assessment, ...]
    rules: RuleSet
    allocation: Allocation
    csv_rows: list[dict[str, str]]
    book: openpyxl.Workbook
    data: bytes


def make_run(assessments: tuple[Assessment, ...], rules: RuleSet, lang: str = "it") -> Run:
    result = solve_riparto(assessments, rules)
    assert result.allocation is not None
    outcomes = unit_outcomes(assessments, result.allocation, rules)
    report = audit_solution(
        assessments, rules, result.allocation.awards,
        payments={o.assessment.unit.unit_id: (o.tranche_1, o.tranche_2) for o in outcomes},
    )
    data = allocation_workbook(outcomes, result.allocation, rules, audit=report, lang=lang)
    text = render_tables(assessments, result.allocation, rules)["allocation.csv"].decode()
    rows = list(csv.DictReader(io.StringIO(text)))
    return Run(assessments, rules, result.allocation, rows,
               openpyxl.load_workbook(io.BytesIO(data)), data)


@pytest.fixture(scope="module")
def example() -> Run:
    inputs = load_inputs(None, None)
    return make_run(inputs.assessments, inputs.rules)


def unquote(text: str) -> str:
    """Undo the CSV's formula neutralisation (the XLSX stores such text as text instead)."""
    return text[1:] if text[:1] == "'" and text[1:2] in ("=", "+", "-", "@") else text


def test_sheets_in_order(example: Run) -> None:
    assert example.book.sheetnames == ["Riparto", "Allegato", "Per Comune", "Per ente",
                                       "Pagamenti", "Esclusioni", "Riepilogo", "Verifiche"]


def test_riparto_matches_allocation_csv_cell_by_cell(example: Run) -> None:
    sheet = example.book["Riparto"]
    headings = [cell.value for cell in sheet[1]]
    assert headings[0] == "Codice unità" and "Contributo" in headings
    assert sheet.max_row == len(example.csv_rows) + 3  # a blank row, then TOTALE
    kinds = {column.key: column.kind for column in ALLOCATION_SHEET}
    rules = load_rules(None)
    labels = {"area": area_labels(rules), "service": line_labels(rules)}
    for row_number, expected in enumerate(example.csv_rows, start=2):
        cells = [cell for cell in sheet[row_number]]
        assert len(cells) == len(ALLOCATION_COLUMNS)
        for name, cell in zip(ALLOCATION_COLUMNS, cells, strict=True):
            text = unquote(expected[name])
            kind = kinds[name]
            if kind in {"money", "ratio", "share"}:
                if text == "":
                    assert cell.value is None, (row_number, name)
                else:
                    assert cell.data_type == "n", (row_number, name)
                    assert Decimal(str(cell.value)) == Decimal(text), (row_number, name)
            elif name == "eligible":
                assert cell.value == {"true": "sì", "false": "no"}[text]
            elif name == "ownership":
                assert cell.value == {"public": "pubblica", "private": "privata"}[text]
            elif name == "binding":  # the limit in words, as the report shows it
                assert cell.value == words_text(f"binding_label.{text}", "it")
            elif name == "exclusion_reasons":  # the reasons in words, as explain says them
                assert (cell.value or "") == "; ".join(
                    describe("reason", code, "it", history_year=2024)
                    for code in text.split(";") if code), (row_number, name)
            elif name in ("area", "service"):  # by label, as the Allegato names them
                assert cell.value == labels[name][text], (row_number, name)
            else:
                assert (cell.value or "") == text, (row_number, name)


def test_riparto_totals_are_the_sums_of_allocation_csv_columns(example: Run) -> None:
    # The TOTALE row's amounts are added up from the units' outcomes in cents: each is the
    # exact sum of its column as allocation.csv writes it, and only the amounts are summed.
    sheet = example.book["Riparto"]
    totals = next(sheet.iter_rows(min_row=sheet.max_row, values_only=True))
    assert totals[0] == "TOTALE"
    kinds = {column.key: column.kind for column in ALLOCATION_SHEET}
    for name, total in zip(ALLOCATION_COLUMNS[1:], totals[1:], strict=True):
        if kinds[name] != "money":
            assert total is None, name
            continue
        expected = sum((Decimal(row[name]) for row in example.csv_rows if row[name]),
                       Decimal(0))
        assert Decimal(str(total)) == expected, name
    assert sum(1 for name in ALLOCATION_COLUMNS if kinds[name] == "money") == 8


def test_number_formats_frozen_headers_and_filters(example: Run) -> None:
    riparto = example.book["Riparto"]
    award = riparto.cell(row=2, column=ALLOCATION_COLUMNS.index("award") + 1)
    assert award.number_format == "#,##0.00" and award.data_type == "n"
    share = riparto.cell(row=2, column=ALLOCATION_COLUMNS.index("share") + 1)
    assert share.number_format == "0.0000%"
    for name in example.book.sheetnames:
        sheet = example.book[name]
        assert sheet.freeze_panes == "A2", name
        assert sheet.auto_filter.ref and sheet.auto_filter.ref.startswith("A1:"), name
        assert sheet["A1"].font.bold, name


def test_payments_exclusions_summary_and_checks(example: Run) -> None:
    payments = example.book["Pagamenti"]
    awards = [payments.cell(row=r, column=3).value for r in range(2, payments.max_row + 1)]
    assert payments.cell(row=payments.max_row, column=1).value == "TOTALE"
    assert Decimal(str(awards[-1])) == Decimal("892495.35")
    assert sum(Decimal(str(a)) for a in awards[:-1] if a is not None) == Decimal("892495.35")
    exclusions = example.book["Esclusioni"]
    unpaid = [r for r in example.csv_rows if r["award"] == "0.00"]
    assert exclusions.max_row == len(unpaid) + 3  # a blank row, then TOTALE
    reasons = {exclusions.cell(row=r, column=1).value: exclusions.cell(row=r, column=9).value
               for r in range(2, exclusions.max_row - 1)}
    excluded = next(r for r in unpaid if "NOT_APPLIED" in r["exclusion_reasons"])
    assert "istanza di contributo non presentata" in reasons[excluded["unit_id"]]
    # the area and the line by their labels, as in the Allegato
    row = next(r for r in range(2, exclusions.max_row - 1)
               if exclusions.cell(row=r, column=1).value == excluded["unit_id"])
    assert exclusions.cell(row=row, column=6).value == area_labels(load_rules(None))[
        excluded["area"]]
    summary = example.book["Riepilogo"]
    total = next(row for row in summary.iter_rows(values_only=True)
                 if row[0] == "TOTALE" and row[1] == "TOTALE")
    assert Decimal(str(total[6])) == Decimal("892495.35")
    # below the table, whatever stays unassigned: here nothing, and it says so
    assert summary.cell(row=summary.max_row, column=1).value == "Non assegnato: 0,00 EUR"
    assert any(cell.value == "Residui e fondi non assegnati" for cell in summary["A"])
    minori = next(row for row in summary.iter_rows(values_only=True)
                  if row[0] == "minori" and row[1] == "TOTALE")
    assert Decimal(str(minori[3])) == Decimal("446247.68")
    # the line 'anziani' by the line's label, its area's TOTALE by the area's (one code, two)
    labels = {row[1]: row[2] for row in summary.iter_rows(values_only=True)
              if row[0] == "anziani"}
    assert labels["anziani"].startswith("Servizi per anziani") and labels["TOTALE"] == (
        "Area Anziani")
    checks = example.book["Verifiche"]
    outcomes = [checks.cell(row=r, column=6).value for r in range(2, checks.max_row + 1)]
    outcomes = [o for o in outcomes if o]
    assert outcomes and set(outcomes) == {"superata"}
    assert any("Verifiche superate" in str(c.value) for c in checks["A"])


def test_the_workbook_can_be_audited(example: Run, tmp_path: Path) -> None:
    path = tmp_path / "allocation.xlsx"
    path.write_bytes(example.data)
    table = load_allocation_table(path)
    provided = parse_allocation(table.headings, table.rows, str(path), sha256=table.sha256,
                                dialect=table.dialect)
    assert {"eligible", "entitlement", "share", "tranche_1", "tranche_2"} <= set(
        provided.columns)
    report = audit(example.assessments, example.rules, provided)
    assert report.is_ok, report.failed_codes


HOSTILE = ["=SUM(A1)", "+39 035 123", "-1", "@cmd", "=HYPERLINK(\"http://x\")"]


def test_no_cell_is_ever_a_formula() -> None:
    rules = tiny_rules({"s": ("a", 100)}, {"a": 100}, fund=100000)
    units = [
        unit(f"U{i}", "s", 50000 + i * 10000, name=text, operator=text,
             municipality="Bergamo" if i % 2 else text)
        for i, text in enumerate(HOSTILE)
    ]
    run = make_run(assess(table(units), rules), rules)
    seen = set()
    for sheet in run.book.worksheets:
        for row in sheet.iter_rows():
            for cell in row:
                assert cell.data_type != "f", (sheet.title, cell.coordinate, cell.value)
                if isinstance(cell.value, str):
                    seen.add(cell.value)
    assert set(HOSTILE) <= seen  # stored as the text itself, not a neutralised copy
    riparto = run.book["Riparto"]
    assert riparto["B2"].value == "=SUM(A1)" and riparto["B2"].quotePrefix


def test_english_labels() -> None:
    inputs = load_inputs(None, None)
    run = make_run(inputs.assessments, inputs.rules, lang="en")
    assert run.book.sheetnames == list(sheet_names("en")) == [
        "Allocation", "Annex", "By municipality", "By operator", "Payments", "Exclusions",
        "Summary", "Checks"]
    assert run.book["Allocation"]["A1"].value == "Unit id"
    assert run.book["Allocation"].cell(row=2, column=9).value in {"yes", "no"}
