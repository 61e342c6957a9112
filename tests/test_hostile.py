"""Hostile inputs through the real command line: a clear message and exit code, never a crash.

Every file of tests/hostile (see its expected.yaml), tests/bad_inputs and tests/rules/bad_rules is
given to ``fsr-opt solve``; the test checks the exit code, the words of the message on stderr,
that no traceback is printed and that no output folder is created when the run fails. The
awkward but valid files (BOM, Latin-1, UTF-16, municipality spellings) must load and solve,
with their accented letters intact. The oversized inputs are made here, in a temporary folder.
"""

from __future__ import annotations

import csv
import io
import os
import re
import time
import tracemalloc
from pathlib import Path
from typing import Any

import pytest
import yaml
from typer.testing import CliRunner

from fsr_opt.cli import app
from fsr_opt.core.errors import MAX_RENDERED, MAX_WARNINGS_PER_KIND
from fsr_opt.io import source

from tests.conftest import ROOT

HOSTILE = ROOT / "tests" / "hostile"
BAD_INPUTS = ROOT / "tests" / "bad_inputs"
BAD_RULES = ROOT / "tests" / "rules" / "bad_rules"
EXAMPLE_UNITS = ROOT / "data" / "bergamo-2025" / "units.csv"
NOT_CORPUS = {"expected.yaml", "make_corpus.py", "support", "__pycache__", "__init__.py"}

EXPECTED: dict[str, dict[str, Any]] = yaml.safe_load(
    (HOSTILE / "expected.yaml").read_text(encoding="utf-8"))
BAD_INPUT_WORDS: dict[str, list[str]] = yaml.safe_load(
    (BAD_INPUTS / "expected.yaml").read_text(encoding="utf-8"))
BAD_RULE_WORDS: dict[str, list[str]] = yaml.safe_load(
    (BAD_RULES / "expected.yaml").read_text(encoding="utf-8"))
# The CLI reads a rule set through rulefile.read_rule_document, which refuses a document that is
# not a mapping before parse_rule_set (what tests/test_rules.py calls) sees it.
CLI_RULE_WORDS = {"not_a_mapping.yaml": ["the rule set is a list", "mapping of keys to values"]}
_CODE = re.compile(r"^[A-Z][A-Z0-9]*(?:_[A-Z0-9]+)+$")  # SHARES_NOT_100: a code, not message text


def run(*args: str) -> tuple[int, str, str]:
    """Run the CLI in-process; a traceback anywhere fails the test."""
    result = CliRunner().invoke(app, list(args))
    stdout, stderr = result.stdout, result.stderr or ""
    assert "Traceback" not in stdout and "Traceback" not in stderr, stderr
    assert not isinstance(result.exception, Exception) or isinstance(
        result.exception, SystemExit), repr(result.exception)
    return result.exit_code, stdout, stderr


def read_allocation(out: Path) -> dict[str, dict[str, str]]:
    with (out / "allocation.csv").open(encoding="utf-8", newline="") as handle:
        return {row["unit_id"]: row for row in csv.DictReader(handle)}


def solve_args(name: str, case: dict[str, Any], out: Path) -> list[str]:
    """The command line of one corpus file: as units or as rules, with its partner file."""
    path = HOSTILE / name
    kind = case.get("as") or ("rules" if path.suffix in source.RULE_EXTENSIONS else "units")
    args = ["solve", "--out", str(out)]
    if kind == "rules":
        args += ["--rules", str(path)]
        if "units" in case:
            args += ["--units", str(HOSTILE / case["units"])]
    else:
        args += ["--units", str(path)]
    return args


# --- the corpus -------------------------------------------------------------------------


def test_the_corpus_is_complete_and_large_enough() -> None:
    present = {p.name for p in HOSTILE.iterdir()} - NOT_CORPUS
    assert present == set(EXPECTED)
    assert len(present) >= 40
    assert len(present) + len(BAD_INPUT_WORDS) + len(BAD_RULE_WORDS) >= 100
    for name, case in EXPECTED.items():
        assert case["exit"] in (0, 2, 3), name
        assert case.get("words") or case["exit"] == 0, name


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_hostile_file(name: str, tmp_path: Path) -> None:
    case = EXPECTED[name]
    out = tmp_path / "out"
    code, _, stderr = run(*solve_args(name, case, out))
    assert code == case["exit"], stderr
    missing = [word for word in case.get("words", []) if word not in stderr]
    assert not missing, f"{missing} not in:\n{stderr}"
    if code != 0:
        assert not out.exists(), "a failed run created its output folder"
        return
    allocation = read_allocation(out)
    for unit_id, cells in case.get("allocation", {}).items():
        for column, text in cells.items():
            assert allocation[unit_id][column] == text, (unit_id, column)


def test_outside_ambito_is_warned(tmp_path: Path) -> None:
    name = "outside_ambito.csv"
    code, _, stderr = run(*solve_args(name, EXPECTED[name], tmp_path / "out"))
    assert code == 0
    assert "warning" in stderr.lower()
    for word in EXPECTED[name]["warning"]:
        assert word in stderr


def test_municipality_spellings_are_matched_by_validate() -> None:
    code, stdout, _ = run("validate", "--units", str(HOSTILE / "municipality_spelling.csv"))
    assert code == 0
    assert "4 units, 4 eligible" in stdout


@pytest.mark.parametrize("name", sorted(BAD_INPUT_WORDS))
def test_bad_input_through_the_cli(name: str, tmp_path: Path) -> None:
    out = tmp_path / "out"
    code, _, stderr = run("solve", "--units", str(BAD_INPUTS / name), "--out", str(out))
    assert code == 2, stderr
    assert name in stderr
    missing = [word for word in BAD_INPUT_WORDS[name] if word not in stderr]
    assert not missing, f"{missing} not in:\n{stderr}"
    assert not out.exists()


@pytest.mark.parametrize("name", sorted(BAD_RULE_WORDS))
def test_bad_rule_set_through_the_cli(name: str, tmp_path: Path) -> None:
    out = tmp_path / "out"
    code, _, stderr = run("solve", "--rules", str(BAD_RULES / name), "--out", str(out))
    assert code == 2, stderr
    assert name in stderr
    words = CLI_RULE_WORDS.get(name) or [w for w in BAD_RULE_WORDS[name] if not _CODE.match(w)]
    missing = [word for word in words if word not in stderr]
    assert not missing, f"{missing} not in:\n{stderr}"
    assert not out.exists()


# --- oversized inputs, made here ---------------------------------------------------------


def test_a_100_mb_file_is_refused_at_once_without_reading_it(tmp_path: Path) -> None:
    header, row = EXAMPLE_UNITS.read_text(encoding="utf-8").splitlines()[:2]
    block = ((row + "\n") * 10_000).encode("utf-8")
    big = tmp_path / "units.csv"
    with big.open("wb") as handle:
        handle.write((header + "\n").encode("utf-8"))
        while handle.tell() < 100 * 1024 * 1024:
            handle.write(block)
        handle.truncate(100 * 1024 * 1024)
    assert big.stat().st_size == 100 * 1024 * 1024
    tracemalloc.start()
    started = time.monotonic()
    try:
        code, _, stderr = run("solve", "--units", str(big), "--out", str(tmp_path / "out"))
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert code == 2
    assert "units.csv" in stderr and "100.0 MB" in stderr and "50.0 MB" in stderr
    assert time.monotonic() - started < 10
    assert peak < 20 * 1024 * 1024  # the file was never read into memory
    assert not (tmp_path / "out").exists()


def test_a_table_with_too_many_rows_is_refused(tmp_path: Path) -> None:
    header, row = EXAMPLE_UNITS.read_text(encoding="utf-8").splitlines()[:2]
    path = tmp_path / "units.csv"
    path.write_text(header + "\n" + (row + "\n") * (source.MAX_ROWS + 1), encoding="utf-8")
    assert path.stat().st_size < source.MAX_INPUT_BYTES
    started = time.monotonic()
    code, _, stderr = run("validate", "--units", str(path))
    assert code == 2
    assert f"more than {source.MAX_ROWS} rows" in stderr and "units.csv" in stderr
    assert time.monotonic() - started < 10  # reading stops at the limit


def test_a_workbook_that_unpacks_too_large_is_refused(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(source, "MAX_XLSX_UNPACKED_BYTES", 10_000)
    code, _, stderr = run("validate", "--units", str(HOSTILE / "formula_sum.xlsx"))
    assert code == 2
    assert "formula_sum.xlsx" in stderr and "unpacks to" in stderr


def test_a_workbook_with_too_many_rows_is_refused(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(source, "MAX_ROWS", 2)
    code, _, stderr = run("validate", "--units", str(HOSTILE / "huge_values.xlsx"))
    assert code == 2
    assert "more than 2 rows" in stderr


def test_an_oversized_rule_set_is_refused(tmp_path: Path) -> None:
    rules = tmp_path / "rules.yaml"
    text = (BAD_RULES / "minimal_valid.yaml").read_text(encoding="utf-8")
    rules.write_text(text + ("# " + "x" * 98 + "\n") * 60_000, encoding="utf-8")
    code, _, stderr = run("validate", "--rules", str(rules))
    assert code == 2
    assert "rules.yaml" in stderr and "5.0 MB" in stderr


# --- hostile command-line values ---------------------------------------------------------


@pytest.mark.parametrize(("args", "words"), [
    (["--budget", "1e999999999"], ["--budget", "1e999999999", "not an amount in euros"]),
    (["--budget", "1e20"], ["--budget", "1e20", "850.000,00"]),
    (["--budget", "NaN"], ["--budget", "NaN"]),
    (["--budget", "1.000"], ["--budget", "two ways", "1000 if '.' separates thousands",
                             "1 if '.' is the decimal mark"]),
    (["--budget", "\u0661\u0662\u0663"], ["--budget", "digits other than 0-9"]),
    (["--budget", "99999999999999999"], ["implausibly large", "--budget"]),
    (["--min-award", "1,5055"], ["more than two decimals", "--min-award 1,5055"]),
    (["--set", "fund=0xD9E5F"], ["fund", "hexadecimal", "--set fund=0xD9E5F"]),
    (["--set", "fund=1:30"], ["fund", "base 60"]),
    (["--set", "fund=3_00"], ["fund", "'_' between digits"]),
    (["--set", "eligibility.require_registry=yes"], ["require_registry", "write true or false"]),
    (["--time-limit", "nan"], ["--time-limit", "'nan'", "number of seconds"]),
    (["--time-limit", "-1"], ["--time-limit", "'-1'"]),
    (["--time-limit", "\U0001d7cf\U0001d7ce"], ["--time-limit"]),
    (["--time-limit", "inf"], ["--time-limit", "'inf'"]),
    (["--min-award", "-300"], ["below the minimum", "--min-award -300"]),
    (["--share", "minori=60", "--share", "disabili=60"], ["shares add up to", "--share"]),
    (["--set", "municipalities=" + "[" * 3000 + "]" * 3000], ["municipalities", "too deeply"]),
])
def test_hostile_overrides_exit_2_at_once(
    args: list[str], words: list[str], tmp_path: Path
) -> None:
    started = time.monotonic()
    code, _, stderr = run("solve" if "--time-limit" in args else "validate", *args,
                          *(("--out", str(tmp_path / "out")) if "--time-limit" in args else ()))
    assert code == 2, stderr
    for word in words:
        assert word in stderr
    assert time.monotonic() - started < 10


# --- one reader of numbers and ids (issue 11's end, issue 16) ------------------------------

_FIGURE = re.compile(r"(-?)([0-9]+)\.([0-9]+)")


def italian_excel(text: str) -> str:
    """A CSV of fsr-opt as Excel re-saves it in Italian: ';', 1.234,56, VERO/FALSO."""

    def cell(value: str) -> str:
        if figure := _FIGURE.fullmatch(value):
            sign, whole, decimals = figure.groups()
            return f"{sign}{int(whole):,}".replace(",", ".") + "," + decimals
        return {"true": "VERO", "false": "FALSO"}.get(value, value)

    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=";", lineterminator="\r\n")
    writer.writerows([cell(value) for value in row] for row in csv.reader(text.splitlines()))
    return buffer.getvalue()


@pytest.fixture(scope="module")
def solved(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("solved") / "run"
    code, _, stderr = run("solve", "--out", str(out), "-q")
    assert code == 0, stderr
    return out


def test_an_allocation_resaved_by_italian_excel_passes_audit_and_compare(
    solved: Path, tmp_path: Path
) -> None:
    resaved = tmp_path / "resaved"
    resaved.mkdir()
    for name in ("allocation.csv", "summary.csv"):
        text = (solved / name).read_text(encoding="utf-8")
        (resaved / name).write_text(italian_excel(text), encoding="utf-8")
    assert "VERO" in (resaved / "allocation.csv").read_text(encoding="utf-8")
    assert "446.247,68" in (resaved / "summary.csv").read_text(encoding="utf-8")
    code, stdout, stderr = run("audit", "--allocation", str(resaved / "allocation.csv"))
    assert code == 0, stdout + stderr
    code, stdout, stderr = run("compare", str(solved), str(resaved), "--out",
                               str(tmp_path / "cmp"), "--lang", "en")
    assert code == 0, stderr
    with (tmp_path / "cmp" / "compare.csv").open(encoding="utf-8") as handle:
        changes = {row["change"] for row in csv.DictReader(handle)}
    assert changes == {"UNCHANGED"}


def test_ids_are_matched_by_the_audit_as_the_units_table_compares_them(
    solved: Path, tmp_path: Path
) -> None:
    text = (solved / "allocation.csv").read_text(encoding="utf-8")
    header, *lines = text.splitlines()
    changed = [line.split(",", 1) for line in lines]
    odd = ["\u200b", "\U000e0041", "\u034f", "\ufe0f", "\u3164", " "]
    lowered = tmp_path / "allocation.csv"
    lowered.write_text("\n".join([header, *(
        f"{unit_id.lower()}{odd[i % len(odd)]},{rest}" for i, (unit_id, rest) in
        enumerate(changed))]) + "\n", encoding="utf-8")
    code, stdout, stderr = run("audit", "--allocation", str(lowered), "--format", "json")
    assert code == 0, stdout[-2000:] + stderr
    assert "UNIT_UNKNOWN" not in stdout.replace('"UNIT_UNKNOWN"', "")


# --- round two: files that are not files, outputs on inputs, limits, the terminal ----------


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="no FIFOs on this system")
@pytest.mark.parametrize("option", ["--units", "--rules"])
def test_a_fifo_is_refused_before_reading(option: str, tmp_path: Path) -> None:
    fifo = tmp_path / ("units.csv" if option == "--units" else "rules.yaml")
    os.mkfifo(fifo)  # nobody writes to it: reading would block forever
    started = time.monotonic()
    code, _, stderr = run("validate", option, str(fifo))
    assert code == 2
    assert str(fifo) in stderr and "named pipe (FIFO), not a regular file" in stderr
    assert time.monotonic() - started < 10


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="no FIFOs on this system")
def test_a_run_record_that_is_not_a_file_is_named_as_such(solved: Path, tmp_path: Path) -> None:
    """`audit RUN_DIR` reads run.json as every input: a FIFO is refused, not waited on nor
    called missing, and /dev/zero behind the name is not read until memory runs out."""
    folder = tmp_path / "run"
    folder.mkdir()
    (folder / "allocation.csv").write_bytes((solved / "allocation.csv").read_bytes())
    os.mkfifo(folder / "run.json")
    started = time.monotonic()
    code, _, stderr = run("audit", str(folder))
    assert code == 2 and "named pipe (FIFO), not a regular file" in stderr, stderr
    assert time.monotonic() - started < 10
    if Path("/dev/zero").exists():
        (folder / "run.json").unlink()
        (folder / "run.json").symlink_to("/dev/zero")
        code, _, stderr = run("audit", str(folder))
        assert code == 2 and "character device" in stderr, stderr


@pytest.mark.skipif(not Path("/dev/zero").exists(), reason="no /dev/zero")
def test_a_device_behind_a_table_name_is_refused_before_reading(tmp_path: Path) -> None:
    for name in ("units.csv", "rules.yaml"):
        (tmp_path / name).symlink_to("/dev/zero")
    code, _, stderr = run("validate", "--units", str(tmp_path / "units.csv"))
    assert code == 2 and "character device, not a regular file" in stderr
    code, _, stderr = run("validate", "--rules", str(tmp_path / "rules.yaml"))
    assert code == 2 and "character device" in stderr


def test_reading_stops_at_the_byte_limit_whatever_the_size_reported(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = tmp_path / "units.csv"
    path.write_text("x" * 5000, encoding="utf-8")
    real_fstat = os.fstat

    def zero_size(fd: int) -> os.stat_result:  # a file that says it is empty, as /proc does
        status = list(real_fstat(fd))
        status[6] = 0
        return os.stat_result(status)

    monkeypatch.setattr(source, "MAX_INPUT_BYTES", 1000)
    monkeypatch.setattr(os, "fstat", zero_size)
    code, _, stderr = run("validate", "--units", str(path))
    assert code == 2 and "more than" in stderr and "the limit of" in stderr


def test_no_output_replaces_an_input_by_path_or_by_inode(tmp_path: Path) -> None:
    out = tmp_path / "out"
    out.mkdir()
    units = out / "allocation.csv"
    units.write_bytes(EXAMPLE_UNITS.read_bytes())
    code, _, stderr = run("solve", "--units", str(units), "--out", str(out))
    assert code == 2, stderr
    assert "would replace the input" in stderr and "allocation.csv" in stderr
    assert units.read_bytes() == EXAMPLE_UNITS.read_bytes()  # the input is intact
    assert sorted(p.name for p in out.iterdir()) == ["allocation.csv"]  # nothing written
    linked = tmp_path / "units.csv"
    os.link(units, linked)  # the same file under another name: the same inode
    code, _, stderr = run("solve", "--units", str(linked), "--out", str(out))
    assert code == 2 and "would replace the input" in stderr


def test_an_out_symlink_loop_is_named_as_such(tmp_path: Path) -> None:
    loop = tmp_path / "out"
    loop.symlink_to(loop)
    code, _, stderr = run("solve", "--out", str(loop))
    assert code == 2 and "symbolic link that loops" in stderr and "File exists" not in stderr
    dangling = tmp_path / "gone"
    dangling.symlink_to(tmp_path / "nowhere")
    code, _, stderr = run("solve", "--out", str(dangling))
    assert code == 2 and "does not exist" in stderr


def test_a_table_with_too_many_columns_is_refused_at_once(tmp_path: Path) -> None:
    header, row = EXAMPLE_UNITS.read_text(encoding="utf-8").splitlines()[:2]
    extra = source.MAX_COLUMNS
    path = tmp_path / "units.csv"
    path.write_text(header + "," + ",".join(f"x{i}" for i in range(extra)) + "\n" + row + "\n",
                    encoding="utf-8")
    started = time.monotonic()
    code, _, stderr = run("validate", "--units", str(path))
    assert code == 2 and f"more than the limit of {source.MAX_COLUMNS}" in stderr
    assert time.monotonic() - started < 10


def test_unknown_columns_give_a_few_warnings_then_a_count(tmp_path: Path) -> None:
    header, row = EXAMPLE_UNITS.read_text(encoding="utf-8").splitlines()[:2]
    unknown = source.MAX_COLUMNS - 100
    path = tmp_path / "units.csv"
    path.write_text(header + "," + ",".join(f"x{i}" for i in range(unknown)) + "\n" + row
                    + "," * unknown + "\n", encoding="utf-8")
    tracemalloc.start()
    started = time.monotonic()
    try:
        code, _, stderr = run("validate", "--units", str(path))
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert code == 0, stderr
    lines = [line for line in stderr.splitlines() if "not a column of the units table" in line
             or "more columns are not columns" in line]
    assert len(lines) == MAX_WARNINGS_PER_KIND
    assert lines[0] == f"warning: {path}, row 1, column 'x0': not a column of the units table; " \
        "it is ignored"
    assert f"and {unknown - MAX_WARNINGS_PER_KIND + 1} more columns" in lines[-1]
    assert "WARNING" not in stderr  # one form: no logger record besides the warning lines
    assert time.monotonic() - started < 10 and peak < 100 * 1024 * 1024


def test_a_csv_cell_longer_than_the_limit_is_named(tmp_path: Path) -> None:
    header, row = EXAMPLE_UNITS.read_text(encoding="utf-8").splitlines()[:2]
    path = tmp_path / "units.csv"
    path.write_text(header + "\n" + row + ',"' + "x" * (source.MAX_CELL_CHARS + 1) + '"\n',
                    encoding="utf-8")
    code, _, stderr = run("validate", "--units", str(path))
    assert code == 2 and f"longer than {source.MAX_CELL_CHARS} characters" in stderr


def test_warnings_of_one_kind_are_capped_when_printed(tmp_path: Path) -> None:
    header, *rows = EXAMPLE_UNITS.read_text(encoding="utf-8").splitlines()
    path = tmp_path / "units.csv"
    path.write_text("\n".join([header, *(line.replace(",Bergamo,", ",Milano,", 1)
                                         for line in rows)]) + "\n", encoding="utf-8")
    code, _, stderr = run("validate", "--units", str(path))
    assert code == 0
    outside = [line for line in stderr.splitlines()
               if "outside the Ambito" in line or "UNIT_OUTSIDE_AMBITO" in line]
    assert len(outside) == MAX_WARNINGS_PER_KIND + 1
    assert all(line.startswith(f"warning: {path}, row ") for line in outside[:-1])
    assert "more warnings of this kind (UNIT_OUTSIDE_AMBITO)" in outside[-1]


OSC = "\x1b]0;pwned\x07"
C1 = "\x9b31m"


def test_escape_sequences_from_a_rule_set_reach_the_terminal_escaped(tmp_path: Path) -> None:
    text = (BAD_RULES / "minimal_valid.yaml").read_text(encoding="utf-8")
    rules = tmp_path / "rules.yaml"
    rules.write_text(text.replace("ambito: Test", 'ambito: "Test\\e]0;pwned\\a\\x9b31m"'),
                     encoding="utf-8")
    code, stdout, stderr = run("solve", "--rules", str(rules), "--units",
                               str(HOSTILE / "support" / "minimal_units.csv"), "--out",
                               str(tmp_path / "out"))
    assert code == 0, stderr
    assert "Test\\u001b]0;pwned\\u0007\\u009b31m" in stdout
    for raw in ("\x1b", "\x07", "\x9b"):
        assert raw not in stdout and raw not in stderr


def test_escape_sequences_from_a_cell_reach_the_terminal_escaped(tmp_path: Path) -> None:
    header, row = EXAMPLE_UNITS.read_text(encoding="utf-8").splitlines()[:2]
    unit_id = row.split(",", 1)[0]
    path = tmp_path / "units.csv"
    path.write_text(header + "\n" + row.replace(",Bergamo,", f",Milano{C1},", 1) + "\n",
                    encoding="utf-8")
    code, stdout, stderr = run("explain", unit_id, "--units", str(path), "--lang", "en")
    assert code == 0 and "\x9b" not in stdout + stderr and "\\u009b" in stdout + stderr


def test_an_error_lists_50_problems_then_counts_the_rest(tmp_path: Path) -> None:
    header, *rows = EXAMPLE_UNITS.read_text(encoding="utf-8").splitlines()
    path = tmp_path / "units.csv"
    path.write_text("\n".join([header, *(f"{line},x" for line in rows[:80])]) + "\n",
                    encoding="utf-8")
    code, _, stderr = run("validate", "--units", str(path))
    assert code == 2
    assert "input error: 80 problems" in stderr and "  ... and 30 more" in stderr
    assert sum(1 for line in stderr.splitlines() if line.startswith("  - ")) == MAX_RENDERED
