"""Tests of fsr_opt.io.source: reading bytes within limits, what a file is, its encoding."""

from __future__ import annotations

from pathlib import Path

import pytest

from fsr_opt.core.errors import InputError, RuleSetError
from fsr_opt.io import source
from fsr_opt.io.source import (
    check_workbook_bytes,
    decode_text,
    read_bytes,
    read_table_bytes,
    sha256_file,
)

from tests.conftest import ROOT


def test_sha256_file_missing(tmp_path: Path) -> None:
    with pytest.raises(InputError, match="not found"):
        sha256_file(tmp_path / "missing.csv")


def test_read_bytes_names_each_failure(tmp_path: Path) -> None:
    big = tmp_path / "big.yaml"
    big.write_bytes(b"x" * 2048)
    with pytest.raises(RuleSetError) as exc:
        read_bytes(big, "big.yaml", RuleSetError, limit=1024, what="the rule set")
    [problem] = exc.value.problems
    assert (problem.code, problem.file) == ("FILE_TOO_LARGE", "big.yaml")
    assert "the rule set is 0.0 MB, more than the limit of 0.0 MB" in problem.message
    with pytest.raises(InputError) as folder:
        read_bytes(tmp_path, "out", InputError)
    assert [p.code for p in folder.value.problems] == ["NOT_A_FILE"]
    assert read_bytes(big, "big.yaml", InputError) == b"x" * 2048


@pytest.mark.parametrize(("name", "content", "code"), [
    ("units.ods", b"x", "UNSUPPORTED_FORMAT"),
    ("units", b"x", "UNSUPPORTED_FORMAT"),
    ("units.csv", b" \n\t", "EMPTY_FILE"),
    ("missing.csv", None, "FILE_NOT_FOUND"),
])
def test_read_table_bytes_refuses_what_is_no_table(tmp_path: Path, name: str,
                                                  content: bytes | None, code: str) -> None:
    path = tmp_path / name
    if content is not None:
        path.write_bytes(content)
    with pytest.raises(InputError) as exc:
        read_table_bytes(path)
    assert [p.code for p in exc.value.problems] == [code]


def test_read_table_bytes_gives_the_bytes_and_their_digest(tmp_path: Path) -> None:
    path = tmp_path / "units.CSV"
    path.write_bytes(b"unit_id\nU1\n")
    assert read_table_bytes(path) == (b"unit_id\nU1\n", sha256_file(path))
    assert source.is_csv(path) and not source.is_csv(tmp_path / "units.xlsx")


def test_decode_text_reads_the_encodings_excel_writes(caplog: pytest.LogCaptureFixture) -> None:
    assert decode_text("Città".encode("utf-16"), "f") == "Città"
    assert decode_text(b"\xef\xbb\xbfCitt\xc3\xa0", "f") == "Città"
    assert "cp1252" not in caplog.text
    assert decode_text("Città".encode("cp1252"), "f") == "Città"
    assert "cp1252" in caplog.text
    with pytest.raises(InputError, match="neither UTF-8 nor Windows-1252"):
        decode_text(b"\x81\x8d\x8f", "f")


def test_check_workbook_bytes(monkeypatch: pytest.MonkeyPatch) -> None:
    for data, words in [(source.OLE_MAGIC + b"x", "97-2003"), (b"<html>", "looks like text")]:
        with pytest.raises(InputError, match=words):
            check_workbook_bytes(data, "book.xlsx")
    check_workbook_bytes(source.ZIP_MAGIC + b"not really a zip", "book.xlsx")  # the reader's
    workbook = (ROOT / "data" / "bergamo-2025" / "units.xlsx").read_bytes()
    check_workbook_bytes(workbook, "units.xlsx")
    monkeypatch.setattr(source, "MAX_XLSX_UNPACKED_BYTES", 1000)
    with pytest.raises(InputError) as exc:
        check_workbook_bytes(workbook, "units.xlsx")
    assert [p.code for p in exc.value.problems] == ["FILE_TOO_LARGE"]
