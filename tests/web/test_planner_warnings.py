"""The warnings of a planner's workbook reach the page, as the command line prints them.

A title above the headings and rows hidden by a filter are read, and the page says so, in
its language; last year's result of fsr-opt uploaded as the units table is named as such.
"""

from __future__ import annotations

import io

import openpyxl
from starlette.testclient import TestClient

from .conftest import CHANGE, EXAMPLE_XLSX, ROOT


def _planner_workbook() -> bytes:
    """The template with a title above its headings and two rows hidden by a filter."""
    book = openpyxl.load_workbook(EXAMPLE_XLSX)
    sheet = book["Unità"]
    sheet.insert_rows(1, 2)
    sheet["A1"] = "FSR 2025 - Ambito di Bergamo"
    for number in (5, 6):
        sheet.row_dimensions[number].hidden = True
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def test_a_title_and_hidden_rows_are_warned_on_the_page(client: TestClient) -> None:
    client.post("/api/language", json={"lang": "it"}, headers=CHANGE)
    answer = client.post("/api/upload/units?name=unita.xlsx", content=_planner_workbook(),
                         headers=CHANGE).json()
    warnings = answer["warnings"]
    assert ("unita.xlsx: 2 righe nascoste in Excel (da un filtro, o a mano) sono state lette, "
            "e contano come le altre: righe 5, 6;") in " ".join(warnings)
    assert ("unita.xlsx, riga 3: le intestazioni della tabella sono in questa riga, e la "
            "tabella si legge da qui: le righe sopra sono state saltate (riga 1: 'FSR 2025 - "
            "Ambito di Bergamo')") in " ".join(warnings)
    client.post("/api/language", json={"lang": "en"}, headers=CHANGE)
    english = " ".join(client.get("/api/state").json()["warnings"])
    assert "2 rows hidden in Excel (by a filter, or by hand) were read" in english


def test_last_years_result_uploaded_as_units_is_named(client: TestClient) -> None:
    workbook = ROOT / "tests" / "bad_inputs" / "last_year_allocation.xlsx"
    client.post("/api/language", json={"lang": "it"}, headers=CHANGE)
    answer = client.post("/api/upload/units?name=allocation.xlsx",
                         content=workbook.read_bytes(), headers=CHANGE)
    [problem] = answer.json()["error"]["problems"]
    assert problem["code"] == "RESULT_AS_UNITS" and problem["file"] == "allocation.xlsx"
    assert problem["message"].startswith("questo è un risultato di fsr-opt")
    assert "non un risultato di fsr-opt" in problem["fix"]
