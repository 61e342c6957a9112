"""The units table read with its rule set: what the rules make of a column or a heading.

The rule set says which units need ``Mantiene i requisiti`` and ``Dichiarazione Minori Web``
(without a value they are excluded) and which year the accounts' headings carry; a table that
would be read into a silently wrong riparto is refused, or warned of unit by unit.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import openpyxl
import pytest

from fsr_opt.app.pipeline import load_rules
from fsr_opt.core.errors import ErrorCode, InputError, Problem, collecting_warnings
from fsr_opt.core.i18n import use_language
from fsr_opt.core.schema import RuleSet
from fsr_opt.io.units import load_units

HEADINGS = ["Codice unità", "Denominazione", "Comune", "Tipologia", "Natura giuridica",
            "Utenti 2024", "Costi 2024", "Ricavi 2024", "Data inizio attività",
            "Presente in AFAM", "Autorizzazione/CPE", "Sperimentale", "Mantiene i requisiti",
            "Dichiarazione Minori Web", "Istanza presentata"]
ROWS = [
    ["U1", "Asilo nido", "Bergamo", "ASILO_NIDO", "privata", 30, 1000, 500, "01/09/2010",
     "sì", "sì", "no", "", "", "sì"],
    ["U2", "CEM Il Faro", "Bergamo", "CEM", "privata", 8, 2000, 500, "01/09/2010",
     "sì", "sì", "no", "", "sì", "sì"],
    ["U3", "Comunità La Casa", "Gorle", "COMUNITA_FAMILIARE", "privata", 5, 2000, 500,
     "01/09/2010", "sì", "sì", "no", "", "sì", "sì"],
    ["U4", "SFA minori", "Bergamo", "SFA_MINORI_SPERIMENTALE", "privata", 5, 2000, 500,
     "01/09/2010", "sì", "sì", "sì", "sì", "", "sì"],
]


@pytest.fixture(scope="module")
def rules() -> RuleSet:
    return load_rules(None)


def _write(path: Path, headings: list[str], rows: list[list[Any]], *,
           drop: str | None = None) -> Path:
    """Write the table as the only sheet 'Unità', without the column `drop`."""
    keep = [i for i, heading in enumerate(headings) if heading != drop]
    book = openpyxl.Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.title = "Unità"
    for row in [headings, *rows]:
        sheet.append([row[i] for i in keep])
    book.save(path)
    return path


def _error(path: Path, rules: RuleSet, lang: str) -> InputError:
    with use_language(lang), pytest.raises(InputError) as caught:
        load_units(path, rules=rules)
    return caught.value


def test_the_table_as_written_loads(tmp_path: Path, rules: RuleSet) -> None:
    table = load_units(_write(tmp_path / "u.xlsx", HEADINGS, ROWS), rules=rules)
    assert [unit.data_declared for unit in table.units] == [None, True, True, None]


@pytest.mark.parametrize(("drop", "words_en", "words_it"), [
    ("Dichiarazione Minori Web",
     ["'Dichiarazione Minori Web' is missing", "2 units need it", "CEM 1",
      "COMUNITA_FAMILIARE 1", "excluded"],
     ["manca la colonna 'Dichiarazione Minori Web'", "serve a 2 unità", "CEM 1",
      "COMUNITA_FAMILIARE 1", "escluse"]),
    ("Mantiene i requisiti",
     ["'Mantiene i requisiti' is missing", "1 units need it", "SFA_MINORI_SPERIMENTALE 1"],
     ["manca la colonna 'Mantiene i requisiti'", "serve a 1 unità",
      "SFA_MINORI_SPERIMENTALE 1"]),
])
def test_a_missing_column_that_units_need_is_refused(
    tmp_path: Path, rules: RuleSet, drop: str, words_en: list[str], words_it: list[str],
) -> None:
    path = _write(tmp_path / "u.xlsx", HEADINGS, ROWS, drop=drop)
    for lang, words in (("en", words_en), ("it", words_it)):
        error = _error(path, rules, lang)
        assert [(p.row, p.column, p.code) for p in error.problems] == [
            (1, drop, ErrorCode.MISSING_COLUMN)]
        message = str(error)
        assert all(word in message for word in words), message


def test_a_column_with_another_heading_is_refused_too(tmp_path: Path, rules: RuleSet) -> None:
    headings = [h if h != "Dichiarazione Minori Web" else "Dichiarazione Minori-Web 2024"
                for h in HEADINGS]
    error = _error(_write(tmp_path / "u.xlsx", headings, ROWS), rules, "en")
    assert "'Dichiarazione Minori Web' is missing (or its heading is not recognised)" in str(
        error)


def test_a_missing_column_no_unit_needs_is_fine(tmp_path: Path, rules: RuleSet) -> None:
    path = _write(tmp_path / "u.xlsx", HEADINGS, ROWS[:1], drop="Dichiarazione Minori Web")
    assert len(load_units(path, rules=rules).units) == 1
    assert len(load_units(path).units) == 1  # without the rules nothing can be told


def test_an_empty_cell_a_unit_needs_is_a_warning_naming_it(
    tmp_path: Path, rules: RuleSet
) -> None:
    rows = [list(row) for row in ROWS]
    rows[1][13] = ""  # U2, the CEM, row 3
    rows[3][12] = None  # U4, the SFA minori sperimentale, row 5
    path = _write(tmp_path / "u.xlsx", HEADINGS, rows)
    for lang, words in (("en", ["the unit will be excluded, since the declaration is missing",
                                "excluded as experimental"]),
                        ("it", ["l'unità sarà esclusa: manca la dichiarazione",
                                "esclusa come sperimentale"])):
        with use_language(lang), collecting_warnings() as log:
            table = load_units(path, rules=rules)
        assert [u.data_declared for u in table.units] == [None, None, True, None]
        found: list[Problem] = log.kept
        assert [(p.file, p.row, p.column, p.code) for p in found] == [
            (str(path), 5, "Mantiene i requisiti", ErrorCode.EMPTY_DECLARATION),
            (str(path), 3, "Dichiarazione Minori Web", ErrorCode.EMPTY_DECLARATION)]
        text = " ".join(str(p) for p in found)
        assert all(word in text for word in words), text


@pytest.mark.parametrize(("year", "last"), [(2023, True), (2025, False)])
def test_headings_of_another_year_are_refused(
    tmp_path: Path, rules: RuleSet, year: int, last: bool
) -> None:
    headings = [h.replace("2024", str(year)) for h in HEADINGS]
    path = _write(tmp_path / "u.xlsx", headings, ROWS)
    english, italian = _error(path, rules, "en"), _error(path, rules, "it")
    assert [p.code for p in english.problems] == [ErrorCode.WRONG_YEAR]
    assert f"carry the year {year}" in str(english)
    assert "uses the accounts of 2024" in str(english)
    assert ("probably last year's table" in str(english)) is last
    assert f"riportano l'anno {year}" in str(italian) and "conti del 2024" in str(italian)
    assert ("probabilmente la tabella dell'anno scorso" in str(italian)) is last


def test_headings_without_a_year_or_of_the_rules_year_load(
    tmp_path: Path, rules: RuleSet
) -> None:
    headings = [h.replace(" 2024", "") for h in HEADINGS]
    assert len(load_units(_write(tmp_path / "u.xlsx", headings, ROWS), rules=rules).units) == 4
    # without the rules, any year is read (the year is not known)
    headings = [h.replace("2024", "2023") for h in HEADINGS]
    assert len(load_units(_write(tmp_path / "v.xlsx", headings, ROWS)).units) == 4


def test_last_years_column_next_to_this_years_is_ignored(tmp_path: Path, rules: RuleSet) -> None:
    headings = [*HEADINGS, "Costi 2023"]
    rows = [[*row, 999999] for row in ROWS]
    with collecting_warnings() as log:
        table = load_units(_write(tmp_path / "u.xlsx", headings, rows), rules=rules)
    assert [unit.costs for unit in table.units] == [100000, 200000, 200000, 200000]
    assert [(p.column, p.code) for p in log.kept] == [("Costi 2023", ErrorCode.UNKNOWN_COLUMN)]
    assert "of year 2023" in str(log.kept[0])


@pytest.mark.parametrize(("unit_id", "name"), [("TOTALE", None), ("Totale", ""),
                                               (None, "Totale generale"), ("", "TOTALI"),
                                               # spelled as only Unicode folding tells
                                               ("\uff34\uff2f\uff34\uff21\uff2c\uff25", None),
                                               (" Tot\u200bale\u00a0", "Città"),
                                               (None, "  TOTALE attività")])
def test_a_total_row_is_one_problem_saying_to_delete_it(
    tmp_path: Path, unit_id: str | None, name: str | None
) -> None:
    total = [unit_id, name, None, None, None, 48, 7000, 2000, *[None] * 7]
    path = _write(tmp_path / "u.xlsx", HEADINGS, [*ROWS, [None] * 15, total])
    for lang, words in (("en", "this looks like a total row, not a unit: delete it"),
                        ("it", "sembra una riga di totale, non un'unità: cancellala")):
        with use_language(lang), pytest.raises(InputError) as caught:
            load_units(path)
        assert [(p.row, p.code) for p in caught.value.problems] == [(7, ErrorCode.TOTAL_ROW)]
        assert words in str(caught.value)


def test_a_unit_named_totale_something_with_an_id_is_a_unit(tmp_path: Path) -> None:
    rows = [*ROWS, ["U5", "Totale assistenza", *ROWS[0][2:]]]
    assert len(load_units(_write(tmp_path / "u.xlsx", HEADINGS, rows)).units) == 5


def test_common_spellings_of_the_headings_are_read(tmp_path: Path, rules: RuleSet) -> None:
    spelled = {"Codice unità": "CODICE UNITA'",
               "Data inizio attività": "Data di inizio attivita'",
               "Presente in AFAM": "Presente in A.F.A.M.",
               "Autorizzazione/CPE": "Autorizzazione CPE",
               "Costi 2024": "Costi 2024 (€)", "Ricavi 2024": "Ricavi 2024 (euro)",
               "Utenti 2024": "N. utenti 2024", "Istanza presentata": "Istanza presentata?"}
    headings = [spelled.get(h, h) for h in HEADINGS]
    with collecting_warnings() as log:
        table = load_units(_write(tmp_path / "u.xlsx", headings, ROWS), rules=rules)
    assert not log.kept
    assert table.units[0].costs == 100000 and table.units[0].users == 30


def test_a_missing_column_is_named_as_the_file_heads_the_others(
    tmp_path: Path, rules: RuleSet
) -> None:
    path = _write(tmp_path / "u.xlsx", HEADINGS, ROWS, drop="Ricavi 2024")
    for lang, words in (("en", "the required column 'Ricavi 2024' is missing; add a column "
                               "headed 'Ricavi 2024'"),
                        ("it", "manca la colonna obbligatoria 'Ricavi 2024'; aggiungi una "
                               "colonna intestata 'Ricavi 2024'")):
        error = _error(path, rules, lang)
        assert [(p.column, p.code) for p in error.problems] == [
            ("Ricavi 2024", ErrorCode.MISSING_COLUMN)]
        assert words in str(error) and "revenues" not in str(error)
    # a file headed with the technical names is told the technical name
    english = ["unit_id", "name", "municipality", "unit_type", "ownership", "users", "costs",
               "revenues", "start_date", "in_registry", "authorized", "experimental",
               "keeps_requirements", "data_declared", "applied"]
    path = _write(tmp_path / "e.xlsx", english, ROWS, drop="revenues")
    assert "the required column 'revenues' is missing" in str(_error(path, rules, "en"))
