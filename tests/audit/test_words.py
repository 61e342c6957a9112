"""The findings an auditor reads are in the language of the run, amounts in its form.

An Italian auditor read `atteso at most 446247.68, trovato 446247.69`, `1 violazioni`, the
allocation.csv column names of a file headed in Italian, and a note explaining away money
that a failed check said belonged to a unit. Each test edits the bundled example's run folder
as an auditor might (a cent, a row deleted or repeated, the award's parts apart, Italian
headings) and reads `fsr-opt audit RUN_DIR` in Italian and in English.
"""

from __future__ import annotations

import csv
import json
import re
import shutil
from collections.abc import Callable
from pathlib import Path

import pytest
from typer.testing import CliRunner

from fsr_opt.cli import app

Rows = list[list[str]]


def tampered(solved: Path, tmp_path: Path, change: Callable[[Rows], Rows]) -> Path:
    """A copy of the solved run folder whose allocation.csv `change` edited."""
    folder = tmp_path / "run"
    shutil.copytree(solved, folder)
    path = folder / "allocation.csv"
    with path.open(encoding="utf-8", newline="") as handle:
        rows = list(csv.reader(handle))
    with path.open("w", encoding="utf-8", newline="") as handle:
        csv.writer(handle, lineterminator="\n").writerows(change(rows))
    return folder


def audit(folder: Path, lang: str, fmt: str = "text") -> str:
    result = CliRunner().invoke(app, ["audit", str(folder), "--lang", lang, "--format", fmt])
    assert result.exit_code == 1, result.output
    return result.stdout


def first_award_up_a_cent(rows: Rows) -> Rows:
    """The first unit's award one cent above its two parts (415.20 -> 415.21)."""
    award = rows[0].index("award")
    rows[1][award] = f"{float(rows[1][award]) + 0.01:.2f}"
    return rows


def unit_of(rows: Rows, row: int) -> str:
    return rows[row][0]


@pytest.fixture(scope="module")
def example_rows(solved: Path) -> Rows:
    with (solved / "allocation.csv").open(encoding="utf-8", newline="") as handle:
        return list(csv.reader(handle))


def _amounts(line: str) -> list[str]:
    """Every amount with decimals in a line of the report."""
    return re.findall(r"-?\d[\d.,]*[.,]\d{2}\d*", line)


def test_a_cent_more_reads_in_italian_with_italian_amounts(
        solved: Path, tmp_path: Path, example_rows: Rows) -> None:
    unit = unit_of(example_rows, 1)
    folder = tampered(solved, tmp_path, first_award_up_a_cent)
    text = audit(folder, "it")
    # AREA_BUDGET and TRANCHES, and the folder's files that still show the award of 415,20:
    # payments.csv's ente, the workbook's cell, its Pagamenti row and both sheets' totals
    assert "rilievo (1, che spiega 8 violazioni):" in text
    assert "      e 7 conseguenze:" in text
    cause = next(line for line in text.splitlines() if "1. AWARD_PARTS" in line)
    assert cause.startswith(f"  1. AWARD_PARTS  unità {unit} (riga 2): atteso criteria_award "
                            "+ residual_award = ")
    assert "trovato criteria_award " in cause and "; residual_award 0,00" in cause
    budget = next(line for line in text.splitlines() if "- AREA_BUDGET" in line)
    assert re.fullmatch(r"        - AREA_BUDGET  area minori: atteso al massimo "
                        r"\d{1,3}(\.\d{3})*,\d\d, trovato \d{1,3}(\.\d{3})*,\d\d", budget)
    assert "446.247,68" in budget  # the bundled area budget, grouped the Italian way
    tranches = next(line for line in text.splitlines() if "- TRANCHES" in line)
    assert "atteso tranche_1 " in tranches and "; tranche_2 0,00, trovato tranche_1 " in tranches
    # no English and no machine amount in a finding
    # (payments.csv's column total_award is named as the file heads it, in every language)
    findings = text.split("rilievo (", 1)[1].replace("colonna total_award", "")
    for word in ("at most", "unit ", "row ", "expected", "actual", "about", "a total"):
        assert word not in findings
    assert not re.search(r"\b\d+\.\d\d\b", findings)
    assert "(1 violazione su " in text  # singular, in the checks' list


def test_a_cent_more_reads_in_english_with_english_amounts(
        solved: Path, tmp_path: Path, example_rows: Rows) -> None:
    unit = unit_of(example_rows, 1)
    text = audit(tampered(solved, tmp_path, first_award_up_a_cent), "en")
    assert "finding (1, explaining 8 violations):" in text
    # the workbook's sheet and heading as the workbook names them (the suite's runs are English)
    assert re.search(r"- WORKBOOK_MISMATCH  allocation\.xlsx, sheet (Riparto|Allocation), cell "
                     rf"P2 \((Contributo|Award)\), unit {unit}: expected 415\.21, actual "
                     r"415\.20", text)
    assert (f"  1. AWARD_PARTS  unit {unit} (row 2): expected criteria_award + residual_award"
            in text)
    assert "- AREA_BUDGET  area minori: expected at most 446,247.68, actual 446,247.69" in text
    assert "(1 violation in " in text


def test_italian_headings_are_named_as_the_file_names_them(
        solved: Path, tmp_path: Path) -> None:
    def italian(rows: Rows) -> Rows:
        rows = first_award_up_a_cent(rows)
        headings = rows[0]
        headings[headings.index("criteria_award")] = "Contributo criteri"
        headings[headings.index("residual_award")] = "Contributo residui"
        return rows

    folder = tampered(solved, tmp_path, italian)
    for lang in ("it", "en"):
        cause = next(line for line in audit(folder, lang).splitlines()
                     if "1. AWARD_PARTS" in line)
        assert "Contributo criteri + Contributo residui = 415" in cause
        assert "criteria_award" not in cause and "residual_award" not in cause


def test_a_missing_row_is_told_in_words_and_the_note_does_not_explain_its_money_away(
        solved: Path, tmp_path: Path, example_rows: Rows) -> None:
    unit = unit_of(example_rows, 2)
    folder = tampered(solved, tmp_path, lambda rows: [r for r in rows if r[0] != unit])
    text = audit(folder, "it")
    assert f"  1. UNIT_MISSING  unità {unit}: atteso una riga con il suo contributo, trovato " \
           "nessuna riga" in text
    assert "- LEFT_OUT  unità " in text and "atteso circa 7.473,401992, trovato 0,00" in text
    assert re.search(r"- MONEY_LEFT  linea adm \(area minori\): atteso un totale fino a "
                     r"74\.646,16, trovato 67\.172,76", text)
    assert "- RESIDUAL_LEFT  area minori: atteso residui fino a 7.473,40, trovato 0,00" in text
    (note,) = [line for line in text.splitlines() if line.startswith("nota: area minori")]
    # The money RESIDUAL_LEFT and LEFT_OUT claim is not explained away: it is contested.
    assert "contributo minimo" not in note
    assert "7.473,40 EUR non assegnati" in note and "contestato" in note
    assert "LEFT_OUT" in note and "RESIDUAL_LEFT" in note
    english = audit(folder, "en")
    (note,) = [line for line in english.splitlines() if line.startswith("note: area minori")]
    assert "minimum award keeps" not in note and "contested" in note
    assert "- RESIDUAL_LEFT  area minori: expected residuals up to 7,473.40, actual 0.00" \
        in english
    # the other areas' notes, about which no check fails, still explain their money
    document = json.loads(audit(folder, "it", "json"))
    assert all("contestato" not in n for n in document["notes"] if "minori" not in n)


def test_a_repeated_row_counts_rows_in_the_plural_and_the_singular(
        solved: Path, tmp_path: Path, example_rows: Rows) -> None:
    unit = unit_of(example_rows, 2)
    folder = tampered(solved, tmp_path, lambda rows: [*rows[:3], rows[2], *rows[3:]])
    assert (f"  1. UNIT_DUPLICATED  unità {unit} (riga 4): atteso 1 riga, trovato 2 righe "
            "(3, 4)") in audit(folder, "it")
    assert (f"  1. UNIT_DUPLICATED  unit {unit} (row 4): expected 1 row, actual 2 rows "
            "(3, 4)") in audit(folder, "en")
    md = audit(folder, "it", "md")
    assert (f"| 1 | `UNIT_DUPLICATED` | unità {unit} (riga 4) | 1 riga | 2 righe (3, 4) | "
            f"l'unità {unit} compare 2 volte; le sue righe sommano 14.946,80 EUR") in md


def test_audit_json_keeps_machine_totals_and_writes_findings_for_people(
        solved: Path, tmp_path: Path) -> None:
    folder = tampered(solved, tmp_path, first_award_up_a_cent)
    italian = json.loads(audit(folder, "it", "json"))
    english = json.loads(audit(folder, "en", "json"))
    # the areas' totals and the codes are machine formats, the same in every language
    assert italian["areas"] == english["areas"]
    assert {"area": "minori", "budget": "446247.68"}.items() <= italian["areas"][0].items()
    assert [v["check"] for v in italian["violations"]] == [
        v["check"] for v in english["violations"]]
    budget = next(v for v in italian["violations"] if v["check"] == "AREA_BUDGET")
    assert (budget["subject"], budget["expected"], budget["actual"]) == (
        "area minori", "al massimo 446.247,68", "446.247,69")
    budget = next(v for v in english["violations"] if v["check"] == "AREA_BUDGET")
    assert (budget["expected"], budget["actual"]) == ("at most 446,247.68", "446,247.69")
    assert all(_amounts(v["message"]) for v in italian["violations"])
