"""Tests of fsr_opt.rules.formats: the rule-file formats, and the year whose values a riparto
uses."""

from __future__ import annotations

from datetime import date

import pytest
from hypothesis import given
from hypothesis import strategies as st

from fsr_opt.rules.formats import FORMAT_1, FORMAT_2, document_year, in_force, read_format
from fsr_opt.rules.values import RuleValueError


@given(days=st.sets(st.dates(min_value=date(1990, 1, 1), max_value=date(2050, 12, 31)),
                    max_size=8),
       year=st.integers(1990, 2051))
def test_the_value_in_force_is_the_latest_on_or_before_1_january(
    days: set[date], year: int
) -> None:
    day = in_force(days, year)
    if day is None:
        assert all(d > date(year, 1, 1) for d in days)
    else:
        assert day in days and day <= date(year, 1, 1)
        assert not any(day < d <= date(year, 1, 1) for d in days)


def test_in_force_on_the_first_day() -> None:
    days = [date(2025, 1, 1), date(2026, 1, 1), date(2025, 9, 8)]
    assert in_force(days, 2026) == date(2026, 1, 1)
    assert in_force(days, 2025) == date(2025, 1, 1)
    assert in_force(days, 2024) is None


def test_a_value_keyed_on_2_january_is_not_in_force_that_year() -> None:
    # The riparto's values must apply on 1 January: a day later is too late for that year.
    assert in_force([date(2026, 1, 2)], 2026) is None
    assert in_force([date(2026, 1, 2)], 2027) == date(2026, 1, 2)


def test_an_unknown_format_names_both_known_ones_and_the_value_found() -> None:
    assert read_format(FORMAT_1) == FORMAT_1 and read_format(FORMAT_2) == FORMAT_2
    with pytest.raises(RuleValueError) as refused:
        read_format("fsr-opt/rules/3")
    assert refused.value.code == "BAD_FORMAT"
    assert refused.value.message == (
        "expected 'fsr-opt/rules/2' (or the older 'fsr-opt/rules/1'), got the text "
        "'fsr-opt/rules/3'; this program reads these formats only (see docs/rules-format.md)")


@pytest.mark.parametrize(("document", "year"), [
    ({"metadata": {"year": 2026}}, 2026),
    ({"metadata": {"year": "2026"}}, None),  # text: the validation reports it
    ({"metadata": {"year": "duemila"}}, None),
    ({"metadata": {"year": True}}, None),
    ({"metadata": {}}, None),
    ({"metadata": [2026]}, None),
    ({}, None),
])
def test_the_year_of_a_document_is_its_metadata_year_when_it_can_be_read(
        document: dict[str, object], year: int | None) -> None:
    assert document_year(document) == year
