"""Tests of fsr_opt.io.csvfile: CSV bytes in any Excel dialect -> numbered text records."""

from __future__ import annotations

import csv
import io
from unittest import mock

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from fsr_opt.core.errors import InputError
from fsr_opt.io import csvfile, source
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


def _outcome(data: bytes) -> object:
    try:
        return read_csv_records(data, "units.csv")
    except InputError as exc:
        return [(p.code, p.row, p.message) for p in exc.problems]


_LINE = st.lists(st.sampled_from(["a", " ", ";", ",", "\t", '"', "sep=", "x"]),
                 max_size=8).map("".join)
_BREAK = st.sampled_from(["\n", "\r\n", "\r", "\x0c", "\x85", "\u2028", "\u2029"])


@settings(max_examples=300)  # cheap, and a cut that changes the header is a narrow case
@given(lines=st.lists(st.tuples(_LINE, _BREAK), min_size=1, max_size=8), data=st.data())
def test_the_header_is_found_in_the_first_characters_as_in_the_whole_text(
    lines: list[tuple[str, str]], data: st.DataObject
) -> None:
    # The separator and the header are looked for in the first characters of the file
    # (`_HEAD_CHARS` of them), the whole text only when they hold no complete line that is
    # not blank: whatever the lines, their breaks and where the cut falls, the records and
    # the dialect (or the problems) are those of a search in the whole text.
    text = "".join(line + end for line, end in lines)
    head = data.draw(st.integers(min_value=0, max_value=len(text)), label="head")
    encoded = text.encode("utf-8")
    with mock.patch.object(csvfile, "_HEAD_CHARS", 10**9):
        whole = _outcome(encoded)
    with mock.patch.object(csvfile, "_HEAD_CHARS", head):
        assert _outcome(encoded) == whole


_CELL_TEXT = st.lists(st.sampled_from(["a", " ", ";", ",", "\t", "\n", "\r\n", "\r", "\x0c",
                                       "\x85", "\u2028", "è", "1,5"]), max_size=12).map("".join)


@settings(max_examples=400)
@given(text=_CELL_TEXT, delimiter=st.sampled_from([";", ",", "\t"]))
def test_a_text_without_quotes_is_split_as_the_csv_reader_reads_it(
    text: str, delimiter: str
) -> None:
    # The split of a text without quotes (`_plain_records`) gives the csv module's records,
    # numbered alike, whatever its line ends and blank lines; or leaves the text to it.
    plain = csvfile._plain_records(text, delimiter)
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter, strict=True)
    if plain is None:
        assert not text or "\r" in text.replace("\r\n", "")
    else:
        assert plain == list(enumerate(reader, start=1))


def test_a_text_with_quotes_a_long_cell_or_many_rows_is_left_to_the_reader(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    assert csvfile._plain_records('a,"b"\n', ",") is None
    assert csvfile._plain_records("a," + "x" * source.MAX_CELL_CHARS + "\n", ",") is None
    monkeypatch.setattr(source, "MAX_ROWS", 2)
    assert csvfile._plain_records("h\n1\n2\n", ",") is not None
    assert csvfile._plain_records("h\n1\n2\n3\n", ",") is None
    monkeypatch.setattr(source, "MAX_COLUMNS", 3)
    assert csvfile._plain_records("a,b,c\n", ",") is not None
    assert csvfile._plain_records("a,b,c,d\n", ",") is None
