"""Units tables as a planner prepares them in Excel, and the messages that lead to the fix.

A title above the headings, rows hidden by a filter, number cells quoted as Excel shows them,
a misspelt unit type, last year's result of fsr-opt given as the units table, ids typed two
ways, a repeated column: each is read or refused with a message naming the real rows.
"""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import Any

import openpyxl
import pytest

from fsr_opt.core.errors import InputError, suggest
from fsr_opt.core.i18n import use_language
from fsr_opt.io.units import load_units

HEADER_IT = ["Codice unità", "Denominazione", "Ente gestore", "Comune", "Tipologia",
             "Natura giuridica", "Utenti 2024", "Costi 2024", "Ricavi 2024",
             "Data inizio attività", "Data cessazione", "Presente in AFAM",
             "Autorizzazione/CPE", "Sperimentale", "Mantiene i requisiti",
             "Dichiarazione Minori Web", "Istanza presentata"]


def _unit(number: int, **change: Any) -> list[Any]:
    row: list[Any] = [f"UDO{1000 + number}", f"Asilo nido {number}", "Coop Alfa", "Bergamo",
                      "ASILO_NIDO", "privata", 30, 273541.93, 240882.98, date(2010, 9, 1), None,
                      "sì", "sì", "no", None, None, "sì"]
    for index, value in change.items():
        row[int(index.lstrip("c"))] = value
    return row


def _book(path: Path, lines: list[list[Any]], *, merge: str | None = None,
          hidden: tuple[int, ...] = ()) -> Path:
    book = openpyxl.Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.title = "Unità"
    for line in lines:
        sheet.append(line)
    if merge:
        sheet.merge_cells(merge)
    for number in hidden:
        sheet.row_dimensions[number].hidden = True
    book.save(path)
    return path


# --- 3. a misspelt unit type ------------------------------------------------------------------


def test_an_unknown_unit_type_suggests_the_nearest_code(tmp_path: Path) -> None:
    path = _book(tmp_path / "units.xlsx", [HEADER_IT, _unit(1, c4="ASILO_NIDDO"),
                                           _unit(2, c4="Asilo nido"), _unit(3, c4="LUNARE")])
    types = ("ASILO_NIDO", "CSE", "SAD")
    with pytest.raises(InputError) as exc:
        load_units(path, unit_types=types)
    messages = [p.message for p in exc.value.problems]
    assert "unknown unit type 'ASILO_NIDDO' (did you mean 'ASILO_NIDO'?)" in messages[0]
    assert "unknown unit type 'ASILO NIDO' (did you mean 'ASILO_NIDO'?)" in messages[1]
    assert "did you mean" not in messages[2] and "ASILO_NIDO, CSE, SAD" in messages[2]
    with use_language("it"), pytest.raises(InputError) as italian:
        load_units(path, unit_types=types)
    assert "(forse intendevi 'ASILO_NIDO'?)" in str(italian.value)


def test_the_one_did_you_mean_helper_is_shared_with_the_rule_set() -> None:
    from fsr_opt.rules import values  # noqa: PLC0415

    assert values.suggest is suggest
    assert suggest("refernce", ["reference", "value"]) == "reference"
