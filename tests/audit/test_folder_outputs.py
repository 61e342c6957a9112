"""A run folder's other outputs must say what its allocation says (an auditor's review).

`fsr-opt audit RUN_DIR` read only allocation.csv: a copy of a run folder with one ente's
amount changed in payments.csv, one line's awarded in summary.csv, or a cell of
allocation.xlsx's Riparto or Pagamenti sheet still passed every check, and the annex the
Assemblea publishes could disagree with what was audited. Each edit here fails with its own
code, naming the file, the row or the cell, the figure allocation.csv gives and the one the
file shows, in Italian and in English.
"""

from __future__ import annotations

import csv
import json
import shutil
from collections.abc import Callable
from pathlib import Path

import openpyxl
import pytest
from typer.testing import CliRunner

from fsr_opt.app.pipeline import load_inputs
from fsr_opt.audit.folder import NO_OPERATOR, operator_payments
from fsr_opt.cli import app
from fsr_opt.engine.outcomes import unit_outcomes
from fsr_opt.engine.solve import solve_riparto
from fsr_opt.reports import tables

Rows = list[list[str]]
NEW = ("PAYMENTS_MISMATCH", "SUMMARY_MISMATCH", "WORKBOOK_MISMATCH")


def audit(folder: Path, lang: str = "it", fmt: str = "text") -> tuple[int, str]:
    result = CliRunner().invoke(app, ["audit", str(folder), "--lang", lang, "--format", fmt])
    assert "Traceback" not in result.output
    return result.exit_code, result.stdout


def copy(solved: Path, tmp_path: Path, name: str = "run") -> Path:
    folder = tmp_path / name
    shutil.copytree(solved, folder)
    return folder


def edit_csv(path: Path, change: Callable[[Rows], Rows]) -> None:
    with path.open(encoding="utf-8", newline="") as handle:
        rows = list(csv.reader(handle))
    with path.open("w", encoding="utf-8", newline="") as handle:
        csv.writer(handle, lineterminator="\n").writerows(change(rows))


def read_csv(path: Path) -> Rows:
    with path.open(encoding="utf-8", newline="") as handle:
        return list(csv.reader(handle))


def findings(stdout: str) -> list[str]:
    """The cause lines of the text report's findings."""
    return [line for line in stdout.splitlines() if line.startswith("  ") and ". " in line[:6]]


def test_a_fresh_run_folder_passes_with_the_new_checks_counted(solved: Path) -> None:
    code, stdout = audit(solved, "en")
    assert code == 0, stdout
    assert stdout.splitlines()[-1] == "checks run: 28, passed: 28, failed: 0"
    for check in NEW:
        assert f"PASS  {check}" in stdout
    document = json.loads(audit(solved, "en", "json")[1])
    checked = {c["code"]: c["checked"] for c in document["checks"]}
    payments = read_csv(solved / "payments.csv")
    assert checked["PAYMENTS_MISMATCH"] == len(payments) - 1  # one per ente
    assert checked["SUMMARY_MISMATCH"] == len(read_csv(solved / "summary.csv")) - 1
    units = len(read_csv(solved / "allocation.csv")) - 1
    assert checked["WORKBOOK_MISMATCH"] == units + len(payments) - 1


def test_an_ente_paid_another_amount_in_payments_csv(solved: Path, tmp_path: Path) -> None:
    folder = copy(solved, tmp_path)
    rows = read_csv(folder / "payments.csv")
    column = rows[0].index("total_award")
    ente, was = rows[2][0], rows[2][column]
    edit_csv(folder / "payments.csv",
             lambda r: [*r[:2], [*r[2][:column], "1000.00", *r[2][column + 1:]], *r[3:]])
    code, stdout = audit(folder, "it")
    assert code == 1
    italian_was = f"{float(was):,.2f}".replace(",", "X").replace(".", ",").replace("X", ".")
    assert findings(stdout) == [
        f"  1. PAYMENTS_MISMATCH  payments.csv, riga 3, colonna total_award, ente {ente}: "
        f"atteso {italian_was}, trovato 1.000,00"]
    assert (f"all'ente gestore {ente} va 1.000,00, ma le righe finanziate delle sue unità in "
            f"allocation.csv sommano {italian_was}") in stdout
    assert "non superate: 1" in stdout
    code, english = audit(folder, "en")
    assert code == 1
    assert findings(english) == [
        f"  1. PAYMENTS_MISMATCH  payments.csv, row 3, column total_award, operator {ente}: "
        f"expected {float(was):,.2f}, actual 1,000.00"]


def test_a_row_removed_from_payments_csv(solved: Path, tmp_path: Path) -> None:
    folder = copy(solved, tmp_path)
    ente = read_csv(folder / "payments.csv")[1][0]
    edit_csv(folder / "payments.csv", lambda rows: [rows[0], *rows[2:]])
    code, stdout = audit(folder, "it")
    assert code == 1
    (cause,) = findings(stdout)
    assert cause.startswith(f"  1. PAYMENTS_MISMATCH  payments.csv, ente {ente}: atteso una "
                            "riga: ")
    assert cause.endswith("trovato nessuna riga")
    code, english = audit(folder, "en")
    (cause,) = findings(english)
    assert cause.startswith(f"  1. PAYMENTS_MISMATCH  payments.csv, operator {ente}: expected "
                            "a row: ") and cause.endswith("actual no row")
    assert f"has no row for the ente gestore {ente}" in english


def test_a_line_awarded_otherwise_in_summary_csv(solved: Path, tmp_path: Path) -> None:
    folder = copy(solved, tmp_path)
    rows = read_csv(folder / "summary.csv")
    column = rows[0].index("awarded")
    area, line, was = rows[1][0], rows[1][1], rows[1][column]
    edit_csv(folder / "summary.csv",
             lambda r: [r[0], [*r[1][:column], "99.99", *r[1][column + 1:]], *r[2:]])
    code, stdout = audit(folder, "it")
    assert code == 1
    (cause,) = findings(stdout)
    expected = f"{float(was):,.2f}".replace(",", "X").replace(".", ",").replace("X", ".")
    assert cause == (f"  1. SUMMARY_MISMATCH  summary.csv, riga 2, colonna awarded, linea "
                     f"{line}, area {area}: atteso {expected}, trovato 99,99")
    # summary.csv says nothing about the money a pool leaves: no note calls it contested
    assert "contestato" not in stdout
    code, english = audit(folder, "en")
    (cause,) = findings(english)
    assert cause == (f"  1. SUMMARY_MISMATCH  summary.csv, row 2, column awarded, service line "
                     f"{line}, area {area}: expected {float(was):,.2f}, actual 99.99")


def _workbook(folder: Path) -> tuple[openpyxl.Workbook, str, str]:
    """The folder's workbook, and the names of its Riparto and Pagamenti sheets."""
    book = openpyxl.load_workbook(folder / "allocation.xlsx")
    riparto, pagamenti = book.sheetnames[0], book.sheetnames[4]
    return book, riparto, pagamenti


def test_an_award_changed_in_the_riparto_sheet(solved: Path, tmp_path: Path) -> None:
    folder = copy(solved, tmp_path)
    book, riparto, _pagamenti = _workbook(folder)
    sheet = book[riparto]
    headings = [cell.value for cell in sheet[1]]
    column = headings.index(headings[15]) + 1  # the award: Contributo / Award (column P)
    unit, was = sheet.cell(2, 1).value, sheet.cell(2, column).value
    sheet.cell(2, column).value = was + 100
    book.save(folder / "allocation.xlsx")
    for lang, words in (("it", ("foglio", "cella", "unità", "atteso", "trovato")),
                        ("en", ("sheet", "cell", "unit", "expected", "actual"))):
        code, stdout = audit(folder, lang)
        assert code == 1
        (cause,) = findings(stdout)
        sheet_word, cell_word, unit_word, expected, actual = words
        figure = f"{was:,.2f}" if lang == "en" else f"{was:,.2f}".replace(".", ";").replace(
            ",", ".").replace(";", ",")
        now = f"{was + 100:,.2f}" if lang == "en" else f"{was + 100:,.2f}".replace(
            ".", ";").replace(",", ".").replace(";", ",")
        assert cause == (f"  1. WORKBOOK_MISMATCH  allocation.xlsx, {sheet_word} {riparto}, "
                         f"{cell_word} P2 ({headings[15]}), {unit_word} {unit}: {expected} "
                         f"{figure}, {actual} {now}")
    document = json.loads(audit(folder, "en", "json")[1])
    (violation,) = document["violations"]
    assert (violation["check"], violation["unit"], violation["row"]) == (
        "WORKBOOK_MISMATCH", unit, 2)


def test_a_cell_changed_in_the_pagamenti_sheet(solved: Path, tmp_path: Path) -> None:
    folder = copy(solved, tmp_path)
    book, _riparto, pagamenti = _workbook(folder)
    sheet = book[pagamenti]
    ente, heading = sheet.cell(3, 1).value, sheet.cell(1, 4).value
    was = sheet.cell(3, 4).value
    sheet.cell(3, 4).value = 1
    book.save(folder / "allocation.xlsx")
    code, stdout = audit(folder, "it")
    assert code == 1
    (cause,) = findings(stdout)
    italian = f"{was:,.2f}".replace(".", ";").replace(",", ".").replace(";", ",")
    assert cause == (f"  1. WORKBOOK_MISMATCH  allocation.xlsx, foglio {pagamenti}, cella D3 "
                     f"({heading}), ente {ente}: atteso {italian}, trovato 1,00")
    code, english = audit(folder, "en")
    (cause,) = findings(english)
    assert cause == (f"  1. WORKBOOK_MISMATCH  allocation.xlsx, sheet {pagamenti}, cell D3 "
                     f"({heading}), operator {ente}: expected {was:,.2f}, actual 1.00")
    # payments.csv still agrees: only the workbook is named
    assert "PASS  PAYMENTS_MISMATCH" in english


def test_the_totals_of_the_workbook_are_compared(solved: Path, tmp_path: Path) -> None:
    folder = copy(solved, tmp_path)
    book, _riparto, pagamenti = _workbook(folder)
    sheet = book[pagamenti]
    last = sheet.max_row  # the TOTALE row, after a blank one
    assert str(sheet.cell(last, 1).value).upper() in ("TOTALE", "TOTAL")
    sheet.cell(last, 3).value = sheet.cell(last, 3).value + 1
    book.save(folder / "allocation.xlsx")
    code, english = audit(folder, "en")
    assert code == 1
    (cause,) = findings(english)
    assert f"allocation.xlsx, sheet {pagamenti}, cell C{last} (" in cause
    assert "), total: expected " in cause


def test_a_folder_without_the_other_outputs_skips_their_checks(
        solved: Path, tmp_path: Path) -> None:
    folder = tmp_path / "bare"
    folder.mkdir()
    for name in ("allocation.csv", "run.json"):
        shutil.copy(solved / name, folder / name)
    code, stdout = audit(folder, "en")
    assert code == 0, stdout
    assert stdout.splitlines()[-1] == "checks run: 25, passed: 25, failed: 0"
    for name, check in zip(("payments.csv", "summary.csv", "allocation.xlsx"), NEW,
                           strict=True):
        assert f"SKIP  {check:<23}  no {name} beside the allocation in a run folder" in stdout
    code, italian = audit(folder, "it")
    assert code == 0 and "nessun payments.csv accanto al riparto" in italian


def test_an_edited_award_counts_the_files_under_its_finding(
        solved: Path, tmp_path: Path) -> None:
    """allocation.csv edited: the other files disagree with it, as consequences of its edit."""
    folder = copy(solved, tmp_path)

    def raise_award(rows: Rows) -> Rows:
        for name in ("award", "criteria_award", "tranche_1"):
            column = rows[0].index(name)
            rows[1][column] = f"{float(rows[1][column]) + 100:.2f}"
        return rows

    edit_csv(folder / "allocation.csv", raise_award)
    code, english = audit(folder, "en")
    assert code == 1
    (cause,) = findings(english)
    assert cause.split()[1] == "EQUAL_SHARE"
    for check in NEW:
        assert f"        - {check}  " in english


def test_the_italian_excel_resave_of_allocation_csv_still_passes(
        solved: Path, tmp_path: Path) -> None:
    """';' separated, decimal commas, cp1252: the folder's other files still agree with it."""
    folder = copy(solved, tmp_path)
    rows = read_csv(folder / "allocation.csv")
    with (folder / "allocation.csv").open("w", encoding="cp1252", errors="replace",
                                          newline="") as handle:
        writer = csv.writer(handle, delimiter=";", lineterminator="\r\n")
        writer.writerow(rows[0])
        for row in rows[1:]:
            writer.writerow([cell.replace(".", ",") if cell.replace(".", "").isdigit()
                             and cell.count(".") == 1 else cell for cell in row])
    assert b";" in (folder / "allocation.csv").read_bytes()[:200]
    code, stdout = audit(folder, "en")
    assert "INPUT_CHANGED" in stdout
    assert code == 0, stdout
    assert stdout.splitlines()[-1] == "checks run: 28, passed: 28, failed: 0"


def test_the_audit_groups_operators_as_the_reports_do() -> None:
    """payments.csv's rows: the audit's own grouping is the reports' (which it cannot import)."""
    inputs = load_inputs(None, None)
    result = solve_riparto(inputs.assessments, inputs.rules)
    assert result.allocation is not None
    outcomes = unit_outcomes(inputs.assessments, result.allocation, inputs.rules)
    # an operator left empty, one with spaces around, and two that differ by case only
    names = ["", "  Ente Spazi  ", "ente minuscolo", "Ente minuscolo"]
    funded = [o for o in outcomes if o.award > 0]
    for outcome, name in zip(funded, names, strict=False):
        object.__setattr__(outcome.assessment.unit, "operator", name)
    theirs = tables.operator_payments(outcomes)
    ours = operator_payments((o.assessment.unit.operator, o.assessment.unit.unit_id, o.award,
                              o.tranche_1, o.tranche_2) for o in outcomes)
    assert [(p.operator, p.units, p.award, p.tranche_1, p.tranche_2) for p in theirs] == [
        (name, p.units, p.award, p.tranche_1, p.tranche_2) for name, p in ours.items()]
    assert NO_OPERATOR == tables.NO_OPERATOR and NO_OPERATOR in ours
    assert "Ente Spazi" in ours


@pytest.mark.parametrize("broken", ["payments.csv", "summary.csv"])
def test_an_unreadable_output_is_named_not_a_crash(
        solved: Path, tmp_path: Path, broken: str) -> None:
    folder = copy(solved, tmp_path)
    (folder / broken).write_bytes(b"")
    code, english = audit(folder, "en")
    assert code == 1
    (cause,) = findings(english)
    assert cause.startswith(f"  1. {NEW[0] if broken == 'payments.csv' else NEW[1]}  {broken}: "
                            "expected a table to compare, actual cannot be read")


def test_our_own_large_workbook_is_read_beyond_a_typed_tables_limit(
        solved: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """allocation.xlsx of 100,000 units unpacks to about 150 MB, more than an input may."""
    from fsr_opt.io import allocation, source  # noqa: PLC0415

    monkeypatch.setattr(source, "MAX_XLSX_UNPACKED_BYTES", 1000)
    code, stdout = audit(solved, "en")
    assert code == 0, stdout
    monkeypatch.setattr(allocation, "MAX_OUTPUT_UNPACKED_BYTES", 1000)
    code, stdout = audit(solved, "en")
    assert code == 1
    (cause,) = findings(stdout)
    assert cause == ("  1. WORKBOOK_MISMATCH  allocation.xlsx: expected a table to compare, "
                     "actual cannot be read")
    assert "more than the limit of" in stdout
