"""Saved runs read back: every bad cell and missing column named, all at once."""

from __future__ import annotations

import pytest

from fsr_opt.core.errors import ErrorCode, InputError
from fsr_opt.whatif.saved import view_from_rows

from tests.whatif.runs import ONE_LINE, THREE_UNITS, saved

SUMMARY = [{"area": "a", "service": "TOTAL", "budget": "10", "target": "", "awarded": "",
            "historical_2024": "", "deviation": "", "units_funded": "0"}]


def test_reads_the_rows_of_a_run() -> None:
    run = saved("a", ONE_LINE, THREE_UNITS)
    assert run.label == "a"
    assert [(u.unit_id, u.award, u.binding) for u in run.units] == [
        ("U1", 61538, "AREA_BUDGET"), ("U2", 38462, "AREA_BUDGET"), ("U3", 0, "BELOW_MINIMUM")]
    assert run.budgets == {"a": 100000}
    assert [(line.service, line.awarded, line.funded) for line in run.lines] == [
        ("s", 100000, 2)]


def test_bad_saved_rows_name_file_row_and_column() -> None:
    allocation = [{"__row__": "2", "unit_id": "U1", "name": "n", "area": "a", "service": "s",
                   "eligible": "maybe", "award": "1.234", "binding": "DEFICIT"}]
    with pytest.raises(InputError) as caught:
        view_from_rows("x", allocation, SUMMARY, allocation_source="run/allocation.csv")
    text = caught.value.render()
    assert "run/allocation.csv, row 2, column 'award'" in text
    assert "column 'eligible'" in text
    assert {p.code for p in caught.value.problems} == {ErrorCode.AMBIGUOUS_NUMBER,
                                                       ErrorCode.NOT_A_BOOLEAN}


def test_missing_columns_and_an_empty_summary() -> None:
    with pytest.raises(InputError, match="column 'binding' is missing"):
        view_from_rows("x", [{"unit_id": "U1"}], SUMMARY)
    with pytest.raises(InputError) as caught:
        view_from_rows("x", [], [], summary_source="run/summary.csv")
    assert [p.code for p in caught.value.problems] == [ErrorCode.EMPTY_FILE]


def test_a_repeated_unit_and_an_area_without_its_total() -> None:
    row = {"unit_id": "U1", "name": "n", "area": "a", "service": "s", "eligible": "true",
           "award": "1.00", "binding": "DEFICIT"}
    line = {"area": "b", "service": "t", "budget": "", "target": "1.00", "awarded": "1.00",
            "historical_2024": "1.00", "deviation": "0.00", "units_funded": "x"}
    with pytest.raises(InputError) as caught:
        view_from_rows("x", [{**row, "__row__": "2"}, {**row, "__row__": "3"}], [line])
    codes = [p.code for p in caught.value.problems]
    assert codes == [ErrorCode.DUPLICATE_ID, ErrorCode.NOT_A_NUMBER, ErrorCode.MISSING_TOTAL]
    assert caught.value.problems[0].row == 3
