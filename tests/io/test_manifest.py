"""Tests of fsr_opt.io.manifest: what the region run's manifest check keeps for the solves.

The manifest's rules (codes, paths, budgets, shared tables) are tested end to end in
tests/app/test_region.py; here, the table cache that the check fills for the solves.
"""

from __future__ import annotations

import csv
from pathlib import Path

import openpyxl
import pytest

from fsr_opt.core.errors import InputError
from fsr_opt.core.i18n import use_language
from fsr_opt.io.manifest import MANIFEST_SHEET, load_manifest
from fsr_opt.io.tables import TableCache, read_table
from fsr_opt.io.units import UNITS_SHEET, load_units

from tests.conftest import ROOT

EXAMPLE = ROOT / "data" / "bergamo-2025" / "units.csv"


def _write(path: Path, rows: list[list[str]]) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("w", encoding="utf-8", newline="") as handle:
        csv.writer(handle, lineterminator="\n").writerows(rows)
    return path


def _example_rows() -> tuple[list[str], list[list[str]]]:
    with EXAMPLE.open(encoding="utf-8", newline="") as handle:
        rows = list(csv.reader(handle))
    return rows[0], rows[1:]


def test_the_check_keeps_a_shared_table_for_the_solves(tmp_path: Path) -> None:
    header, rows = _example_rows()
    shared = _write(tmp_path / "all.csv",
                    [["ambito", *header], *(["a" if k % 2 else "b", *row]
                                            for k, row in enumerate(rows))])
    own = _write(tmp_path / "own.csv", [header, *rows[:5]])
    manifest = _write(tmp_path / "region.csv", [
        ["ambito", "units"], ["a", "all.csv"], ["b", "all.csv"], ["c", "own.csv"]])
    cache = TableCache()
    entries = load_manifest(manifest, cache=cache).entries
    assert [(e.ambito, e.split) for e in entries] == [("a", True), ("b", True), ("c", False)]
    # the table last read was the Ambito's own table, which its solve reads whole: not kept
    assert cache.get(str(own), load_units(own).sha256, UNITS_SHEET) is None
    manifest = _write(tmp_path / "region.csv", [
        ["ambito", "units"], ["c", "own.csv"], ["a", "all.csv"], ["b", "all.csv"]])
    load_manifest(manifest, cache=cache)
    kept = cache.get(str(shared), load_units(shared, ambito="b").sha256, UNITS_SHEET)
    assert kept is not None  # read by the check
    assert read_table(shared, UNITS_SHEET, cache=cache) is kept
    a = load_units(shared, ambito="a", cache=cache)
    assert read_table(shared, UNITS_SHEET, cache=cache) is kept  # the solve used it
    assert len(a.units) == len(rows) // 2


def test_the_manifest_sheet_is_found_by_name() -> None:
    assert {"ambiti", "region", "regione", "manifest"} == MANIFEST_SHEET.names
    assert MANIFEST_SHEET.looks_right(["Codice Ambito", "Tabella unità"])
    assert not MANIFEST_SHEET.looks_right(["ambito", "rules"])


@pytest.mark.parametrize(("lang", "said"), [
    ("it", ["'1.234,567' ha più di due decimali", "'-12.500,5' non è un fondo in euro",
            "'1,234' ha più di due decimali"]),
    ("en", ["'1,234.567' has more than two decimals", "'-12,500.5' is not a fund in euros",
            "'1.234' has more than two decimals"]),
])
def test_a_budget_typed_as_an_excel_number_is_quoted_in_the_language_of_the_message(
    tmp_path: Path, lang: str, said: list[str]
) -> None:
    # Excel shows a number cell in the planner's locale: the message quotes it so, and a
    # typed 1.234 is the number 1.234, never 1234 with its thousands grouped; a formula's
    # float noise is the cent it stands for (the cell reader of every amount, `parse_money`).
    header, rows = _example_rows()
    _write(tmp_path / "a.csv", [header, *rows[:3]])
    book = openpyxl.Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.append(["ambito", "units", "rules", "budget"])
    for code, budget in (("a", 1234.567), ("b", -12500.5), ("c", 1.234),
                         ("d", 595000.0000000001)):  # d: Excel's float noise, 595000.00
        sheet.append([code, "a.csv", "", budget])
    book.save(tmp_path / "region.xlsx")
    with use_language(lang), pytest.raises(InputError) as exc:
        load_manifest(tmp_path / "region.xlsx")
    budgets = [p.message for p in exc.value.problems if p.column == "budget"]
    assert [message.split(";")[0] for message in budgets] == said
