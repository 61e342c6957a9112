"""Tests of fsr_opt.io.csvfile: CSV bytes in any Excel dialect -> numbered text records."""

from __future__ import annotations

import pytest

from fsr_opt.core.errors import InputError
from fsr_opt.io import source
from fsr_opt.io.cells import Dialect
from fsr_opt.io.csvfile import read_csv_records


@pytest.mark.parametrize(("data", "dialect", "records"), [
    (b"a,b\n1,2\n", Dialect.AUTO, [(1, ["a", "b"]), (2, ["1", "2"])]),
    (b"a;b\r\n1,5;2\r\n", Dialect.ITALIAN, [(1, ["a", "b"]), (2, ["1,5", "2"])]),
    (b"sep=;\na;b\n", Dialect.ITALIAN, [(1, ["a", "b"])]),
    (b'"sep=,"\na;b\n', Dialect.AUTO, [(1, ["a;b"])]),
    ("a\tb\n\n1\t2\n".encode("utf-16"), Dialect.AUTO, [(1, ["a", "b"]), (2, []),
                                                      (3, ["1", "2"])]),
    (b'a,b\n"x\ny",2\n3,4\n', Dialect.AUTO, [(1, ["a", "b"]), (2, ["x\ny", "2"]),
                                             (3, ["3", "4"])]),
    (b"a\n1\n\x1a", Dialect.AUTO, [(1, ["a"]), (2, ["1"])]),  # a DOS end-of-file mark
])
def test_separator_dialect_and_rows(data: bytes, dialect: Dialect,
                                    records: list[tuple[int, list[str]]]) -> None:
    assert read_csv_records(data, "units.csv") == (dialect, records)


@pytest.mark.parametrize(("data", "code"), [
    (source.ZIP_MAGIC + b"rest", "NOT_A_SPREADSHEET"),
    (b"a,b\n\x00\x01", "NOT_A_SPREADSHEET"),
    (b'a,b\n"open,2\n', "CSV_SYNTAX"),
    (b"\x81\x8d\x8f\x90", "ENCODING"),
])
def test_what_is_no_csv_is_refused(data: bytes, code: str) -> None:
    with pytest.raises(InputError) as exc:
        read_csv_records(data, "units.csv")
    assert [p.code for p in exc.value.problems] == [code]


def test_reading_stops_past_the_row_limit(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(source, "MAX_ROWS", 3)
    assert len(read_csv_records(b"h\n1\n2\n\n\n3\n", "units.csv")[1]) == 6
    with pytest.raises(InputError, match="more than 3 rows"):
        read_csv_records(b"h\n1\n2\n3\n4\n", "units.csv")
