"""Tests of fsr_opt.io.outputs: deterministic, formula-safe CSV and JSON, atomic writes."""

from __future__ import annotations

import errno
import json
import os
from datetime import date
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from fsr_opt.core.errors import InputError
from fsr_opt.io.outputs import (
    _BLOCK,
    _NEEDS_CARE,
    _PLAIN_NUMBER,
    StagedOutputs,
    _csv_line,
    _may_need_care,
    csv_bytes,
    json_bytes,
    neutralise,
    write_outputs,
)


def test_neutralise_quotes_what_a_spreadsheet_would_run() -> None:
    assert [neutralise(c) for c in ["=1+1", "+39", "-", "@x", "\tx", "\rx", "a=b", ""]] == [
        "'=1+1", "'+39", "'-", "'@x", "'\tx", "'\rx", "a=b", ""]


def test_csv_bytes_is_deterministic_and_formula_safe() -> None:
    header = ["unit_id", "name", "award", "note"]
    rows = [
        ["U1", "=HYPERLINK(\"x\")", "-12.05", "+39 035"],
        ["U2", "@SUM(A1)", "=1+1", "-"],
        ["U3", "\tTab", "", "a,b"],
        ["U4", "Città \"Alta\"", "300.00", "\rcr"],
    ]
    data = csv_bytes(header, rows, numeric_columns={"award"})
    assert data == csv_bytes(header, rows, numeric_columns=["award"])
    assert data.decode("utf-8") == (
        "unit_id,name,award,note\n"
        "U1,\"'=HYPERLINK(\"\"x\"\")\",-12.05,'+39 035\n"
        "U2,'@SUM(A1),'=1+1,'-\n"
        "U3,'\tTab,,\"a,b\"\n"
        "U4,\"Città \"\"Alta\"\"\",300.00,\"'\rcr\"\n"
    )
    assert not data.startswith(b"\xef\xbb\xbf")
    with pytest.raises(ValueError, match="row 1"):
        csv_bytes(header, [["too", "short"]])


def test_csv_bytes_of_a_large_table_is_its_rows_one_by_one() -> None:
    # more rows than one block (`_BLOCK`), those to take care of at and around its edges
    header = ["unit_id", "name", "award"]
    cells = [["U", "Città", "1.00"], ["U", "=1", "-2.00"], ["U", "a,b", "x"], ["-U", "è", ""]]
    rows = [[f"{n}", *cells[n % 4][1:]] if n % 7 else cells[n % 4]
            for n in range(2 * _BLOCK + 3)]
    one_by_one = [csv_bytes(header, [row]).split(b"\n", 1)[1] for row in rows]
    assert csv_bytes(header, rows) == b"unit_id,name,award\n" + b"".join(one_by_one)
    assert csv_bytes(header, []) == b"unit_id,name,award\n"


def test_json_bytes_is_deterministic() -> None:
    obj = {"b": [1, 2], "a": {"z": "Città", "y": date(2025, 1, 1), "x": Decimal("1.50")}}
    data = json_bytes(obj)
    assert data.endswith(b"}\n")
    assert data.decode("utf-8").index('"a"') < data.decode("utf-8").index('"b"')
    assert json.loads(data) == {"a": {"x": "1.50", "y": "2025-01-01", "z": "Città"},
                                "b": [1, 2]}
    assert "Città" in data.decode("utf-8")
    with pytest.raises(ValueError):
        json_bytes({"x": float("nan")})


def test_write_outputs_writes_all_in_order(tmp_path: Path) -> None:
    out = tmp_path / "deep" / "out"
    paths = write_outputs(out, {"b.csv": b"b\n", "a.json": b"{}\n"})
    assert paths == [out / "b.csv", out / "a.json"]
    assert (out / "b.csv").read_bytes() == b"b\n"
    assert sorted(p.name for p in out.iterdir()) == ["a.json", "b.csv"]
    write_outputs(out, {"b.csv": b"new\n"})
    assert (out / "b.csv").read_bytes() == b"new\n"
    assert sorted(p.name for p in out.iterdir()) == ["a.json", "b.csv"]


def test_write_outputs_disk_full_leaves_old_outputs(tmp_path: Path,
                                                    monkeypatch: pytest.MonkeyPatch) -> None:
    out = tmp_path / "out"
    write_outputs(out, {"allocation.csv": b"old allocation\n", "run.json": b"old run\n"})
    real_fsync = os.fsync
    calls = []

    def failing_fsync(fd: int) -> None:
        calls.append(fd)
        if len(calls) == 2:  # the second temporary file: the first is already written
            raise OSError(errno.ENOSPC, "No space left on device")
        real_fsync(fd)

    monkeypatch.setattr(os, "fsync", failing_fsync)
    with pytest.raises(InputError, match="disk is full") as exc:
        write_outputs(out, {"allocation.csv": b"new\n", "run.json": b"new\n", "x.csv": b"x"})
    assert exc.value.problems[0].file == str(out)
    assert (out / "allocation.csv").read_bytes() == b"old allocation\n"
    assert (out / "run.json").read_bytes() == b"old run\n"
    assert sorted(p.name for p in out.iterdir()) == ["allocation.csv", "run.json"]


def test_write_outputs_failed_move_restores_old_outputs(tmp_path: Path,
                                                        monkeypatch: pytest.MonkeyPatch) -> None:
    out = tmp_path / "out"
    write_outputs(out, {"allocation.csv": b"old allocation\n", "run.json": b"old run\n"})
    real_replace = os.replace
    moves = []

    def failing_replace(src: Any, dst: Any) -> None:
        moves.append(dst)
        if len(moves) == 3:  # allocation and summary moved, run.json fails
            raise OSError(errno.EACCES, "Permission denied")
        real_replace(src, dst)

    monkeypatch.setattr(os, "replace", failing_replace)
    with pytest.raises(InputError, match="not writable"):
        write_outputs(out, {"allocation.csv": b"new\n", "summary.csv": b"new\n",
                            "run.json": b"new\n"})
    assert (out / "allocation.csv").read_bytes() == b"old allocation\n"
    assert (out / "run.json").read_bytes() == b"old run\n"
    assert sorted(p.name for p in out.iterdir()) == ["allocation.csv", "run.json"]


def test_write_outputs_refuses_a_file_in_the_way(tmp_path: Path) -> None:
    blocker = tmp_path / "out"
    blocker.write_text("not a folder")
    with pytest.raises(InputError, match="not a folder"):
        write_outputs(blocker, {"a.csv": b""})
    with pytest.raises(InputError, match="cannot create"):
        write_outputs(blocker / "sub", {"a.csv": b""})
    with pytest.raises(ValueError, match="plain file name"):
        write_outputs(tmp_path / "ok", {"../a.csv": b""})


def test_staged_outputs_land_together_at_the_commit(tmp_path: Path) -> None:
    """Each output goes to a hidden temporary file when added; the old ones stay until then."""
    out = tmp_path / "out"
    write_outputs(out, {"a.csv": b"old a\n", "b.json": b"old b\n"})
    with StagedOutputs(out, ["a.csv", "b.json"]) as staged:
        staged.add("a.csv", b"new a\n")
        assert (out / "a.csv").read_bytes() == b"old a\n"
        hidden = [p.name for p in out.iterdir() if p.name.startswith(".")]
        assert len(hidden) == 1 and hidden[0].startswith(".a.csv.")
        staged.add("b.json", b"new b\n")
        assert staged.commit() == [out / "a.csv", out / "b.json"]
    assert {p.name: p.read_bytes() for p in out.iterdir()} == {
        "a.csv": b"new a\n", "b.json": b"new b\n"}


def test_staged_outputs_left_without_a_commit_change_nothing(tmp_path: Path) -> None:
    """An error after some outputs were added: the old outputs stay, no temporary is left."""
    out = tmp_path / "out"
    write_outputs(out, {"a.csv": b"old a\n"})
    with pytest.raises(RuntimeError), StagedOutputs(out, ["a.csv", "b.json"]) as staged:
        staged.add("a.csv", b"new a\n")
        raise RuntimeError("the report could not be made")
    assert {p.name: p.read_bytes() for p in out.iterdir()} == {"a.csv": b"old a\n"}


def test_staged_outputs_remove_the_folder_they_made_when_not_committed(tmp_path: Path) -> None:
    out = tmp_path / "new"
    with pytest.raises(KeyboardInterrupt), StagedOutputs(out, ["a.csv", "b.csv"]) as staged:
        staged.add("a.csv", b"a\n")
        assert out.is_dir()
        raise KeyboardInterrupt
    assert not out.exists()


def test_staged_outputs_refuse_what_is_not_in_the_set(tmp_path: Path) -> None:
    with StagedOutputs(tmp_path / "out", ["a.csv", "b.csv"]) as staged:
        staged.add("a.csv", b"a\n")
        with pytest.raises(ValueError, match="still to add"):
            staged.add("a.csv", b"again\n")
        with pytest.raises(ValueError, match="still to add"):
            staged.add("c.csv", b"c\n")
        with pytest.raises(ValueError, match=r"never added: \['b.csv'\]"):
            staged.commit()
    with pytest.raises(ValueError, match="repeat"):
        StagedOutputs(tmp_path / "out", ["a.csv", "a.csv"])
    assert not (tmp_path / "out").exists()


def test_staged_outputs_check_the_folder_before_writing(tmp_path: Path) -> None:
    """A file in the way, or an output that would replace an input: refused, nothing made."""
    blocker = tmp_path / "out"
    blocker.write_text("not a folder")
    with pytest.raises(InputError, match="not a folder"):
        StagedOutputs(blocker, ["a.csv"])
    units = tmp_path / "run" / "units.csv"
    units.parent.mkdir()
    units.write_text("unit_id\n")
    with pytest.raises(InputError, match="would replace the input"):
        StagedOutputs(units.parent, ["units.csv"], inputs=[units])
    assert units.read_text() == "unit_id\n"


# cells made of what matters to CSV: separators, quotes, line ends, formula starts, digits
_CELLS = st.text(alphabet=st.sampled_from(list('ab1-0.,"\r\n\t=+@ ')), max_size=6)


@given(st.lists(st.lists(_CELLS, min_size=3, max_size=3), max_size=6))
def test_rows_written_as_they_are_only_when_the_cell_by_cell_way_agrees(
    rows: list[list[str]],
) -> None:
    header = ["t", "n", "u"]
    expected = _csv_line(header) + "".join(_csv_line([
        cell if number and (not cell or _PLAIN_NUMBER.fullmatch(cell)) else neutralise(cell)
        for cell, number in zip(row, (False, True, False), strict=True)]) for row in rows)
    assert csv_bytes(header, rows, numeric_columns=["n"]) == expected.encode("utf-8")


@given(st.text(alphabet=st.sampled_from(list('ab1-0.,"\r\n\t=+@ ')), max_size=12))
def test_a_row_the_regex_would_catch_is_never_passed_over_by_the_quick_test(line: str) -> None:
    if _NEEDS_CARE.search(line):
        assert _may_need_care(line)
    assert not _may_need_care("UDO1,Asilo,Bergamo,3180.00,0.000000")
