"""The command line: exit codes of the contract, messages, never a traceback."""

from __future__ import annotations

import csv
import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from typer.testing import CliRunner

from fsr_opt.cli import app, app_for
from fsr_opt.reports.tables import ALLOCATION_COLUMNS, PAYMENT_COLUMNS, SUMMARY_COLUMNS

from tests.conftest import ROOT

EXAMPLE = ROOT / "data" / "bergamo-2025" / "units.csv"
RULES = ROOT / "models" / "fsr-2025-bergamo.yaml"


def run(*args: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(app, list(args))
    assert "Traceback" not in result.output
    assert "Traceback" not in (result.stderr or "")
    return result.exit_code, result.stdout, result.stderr


@pytest.fixture(scope="module")
def solved(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("out")
    code, stdout, _ = run("solve", "--out", str(out))
    assert code == 0
    assert "allocation.csv" in stdout
    return out


def read_csv(path: Path) -> list[dict[str, str]]:
    with path.open(encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle))


def test_solve_writes_the_contract_outputs(solved: Path) -> None:
    with (solved / "allocation.csv").open(encoding="utf-8") as handle:
        assert tuple(next(csv.reader(handle))) == ALLOCATION_COLUMNS
    with (solved / "summary.csv").open(encoding="utf-8") as handle:
        # the reference-year column is named after the rule set's year before (2025: 2024)
        assert tuple(next(csv.reader(handle))) == tuple(
            "historical_2024" if name == "historical" else name for name in SUMMARY_COLUMNS)
    with (solved / "payments.csv").open(encoding="utf-8") as handle:
        assert tuple(next(csv.reader(handle))) == PAYMENT_COLUMNS
    run_json = json.loads((solved / "run.json").read_text(encoding="utf-8"))
    assert run_json["status"] == "optimal"
    assert run_json["area_budgets_cents"] == {
        "minori": 44624768, "disabili": 8924953, "anziani": 35699814
    }
    assert sum(run_json["area_budgets_cents"].values()) == 89249535
    assert set(run_json["inputs"].values()) >= {run_json["rule_set"]["sha256"]}


def test_allocation_rows_follow_input_order_and_add_up(solved: Path) -> None:
    allocation = read_csv(solved / "allocation.csv")
    units = read_csv(EXAMPLE)
    assert [row["unit_id"] for row in allocation] == [row["unit_id"] for row in units]
    total = sum(round(float(row["award"]) * 100) for row in allocation)
    assert total == 89249535  # demand exceeds every area budget: the fund is spent
    for row in allocation:
        award = round(float(row["award"]) * 100)
        first, second = round(float(row["tranche_1"]) * 100), round(float(row["tranche_2"]) * 100)
        assert first + second == award
        if row["eligible"] == "false":
            assert award == 0 and row["binding"] == "EXCLUDED" and row["exclusion_reasons"]
        elif award == 0:
            assert row["binding"] == "BELOW_MINIMUM"
        else:
            assert award >= 30000


def test_payments_per_operator_add_up(solved: Path) -> None:
    payments = read_csv(solved / "payments.csv")
    total = sum(round(float(row["total_award"]) * 100) for row in payments)
    assert total == 89249535
    assert [row["operator"] for row in payments] == sorted(
        (row["operator"] for row in payments), key=lambda name: (name.casefold(), name)
    )


def test_outputs_are_byte_identical_and_row_order_free(solved: Path, tmp_path: Path) -> None:
    lines = EXAMPLE.read_text(encoding="utf-8").splitlines(keepends=True)
    shuffled = tmp_path / "shuffled.csv"
    shuffled.write_text(lines[0] + "".join(reversed(lines[1:])), encoding="utf-8")
    assert run("solve", "--units", str(shuffled), "--out", str(tmp_path / "b"), "-q")[0] == 0
    assert run("solve", "--out", str(tmp_path / "a"), "-q")[0] == 0
    for path in solved.iterdir():
        if path.name != "run.json":  # the only file with clock readings
            assert (tmp_path / "a" / path.name).read_bytes() == path.read_bytes(), path.name
    # Reversed input: the same award for every unit, rows in the (reversed) input order.
    first = {r["unit_id"]: r for r in read_csv(solved / "allocation.csv")}
    second = {r["unit_id"]: r for r in read_csv(tmp_path / "b" / "allocation.csv")}
    assert first == second
    assert (tmp_path / "b" / "summary.csv").read_bytes() == (solved / "summary.csv").read_bytes()
    assert (tmp_path / "b" / "payments.csv").read_bytes() == (solved / "payments.csv").read_bytes()


def test_highs_gives_the_same_awards(solved: Path, tmp_path: Path) -> None:
    assert run("solve", "--solver", "highs", "--out", str(tmp_path), "-q")[0] == 0
    for name in ("allocation.csv", "summary.csv", "payments.csv"):
        assert (tmp_path / name).read_bytes() == (solved / name).read_bytes()


def test_xlsx_input_gives_the_same_allocation(solved: Path, tmp_path: Path) -> None:
    xlsx = ROOT / "data" / "bergamo-2025" / "units.xlsx"
    assert run("solve", "--units", str(xlsx), "--out", str(tmp_path), "-q")[0] == 0
    assert (tmp_path / "allocation.csv").read_bytes() == (solved / "allocation.csv").read_bytes()


def test_validate_ok() -> None:
    code, stdout, _ = run("validate")
    assert code == 0 and "valid" in stdout


def test_bad_units_exit_2_naming_file_row_column(tmp_path: Path) -> None:
    bad = tmp_path / "units.csv"
    lines = EXAMPLE.read_text(encoding="utf-8").splitlines()
    header = lines[0].split(",")
    cells = lines[3].split(",")
    cells[header.index("costs")] = "molti"
    bad.write_text("\n".join([lines[0], lines[1], lines[2], ",".join(cells)]) + "\n",
                   encoding="utf-8")
    code, _, stderr = run("solve", "--units", str(bad), "--out", str(tmp_path / "o"))
    assert code == 2
    assert "units.csv" in stderr and "row 4" in stderr and "costs" in stderr
    assert not (tmp_path / "o").exists()


def test_unknown_unit_type_exit_2(tmp_path: Path) -> None:
    bad = tmp_path / "units.csv"
    lines = EXAMPLE.read_text(encoding="utf-8").splitlines()
    header = lines[0].split(",")
    cells = lines[1].split(",")
    cells[header.index("unit_type")] = "ASILO_LUNARE"
    bad.write_text("\n".join([lines[0], ",".join(cells)]) + "\n", encoding="utf-8")
    code, _, stderr = run("validate", "--units", str(bad))
    assert code == 2 and "ASILO_LUNARE" in stderr and "row 2" in stderr


@pytest.mark.parametrize(
    ("args", "words"),
    [
        # one share alone moves the others; shares given beyond 100% together are refused
        (["--share", "disabili=50", "--share", "minori=60"], ["150", "share", "--share"]),
        (["--set", "fnud=1"], ["fnud", "fund"]),
        (["--budget", "tanti"], ["--budget", "tanti"]),
        (["--set", "novalue"], ["KEY=VALUE"]),
        (["--solver", "gurobi"], ["gurobi", "cbc"]),
        (["--rules", "/nonexistent/rules.yaml"], ["rules.yaml"]),
        (["--units", "/nonexistent/units.csv"], ["units.csv"]),
    ],
)
def test_bad_options_exit_2(args: list[str], words: list[str], tmp_path: Path) -> None:
    code, _, stderr = run("solve", *args, "--out", str(tmp_path / "o"))
    assert code == 2, stderr
    for word in words:
        assert word in stderr


def test_overrides_change_the_riparto(tmp_path: Path) -> None:
    code, _, _ = run("solve", "--share", "disabili=15", "--share", "minori=45",
                     "--min-award", "500", "--budget", "850000", "--out", str(tmp_path), "-q")
    assert code == 0
    run_json = json.loads((tmp_path / "run.json").read_text(encoding="utf-8"))
    assert run_json["fund"] == "850000.00"
    assert run_json["area_budgets"]["disabili"] == "127500.00"
    assert "minimum_award=500" in run_json["overrides"]
    awards = [float(r["award"]) for r in read_csv(tmp_path / "allocation.csv")]
    assert all(a == 0 or a >= 500 for a in awards)


def test_time_limit_is_exit_3_and_writes_nothing(tmp_path: Path) -> None:
    code, _, stderr = run("solve", "--time-limit", "0", "--out", str(tmp_path / "o"))
    assert code == 3 and "time limit" in stderr
    assert not (tmp_path / "o").exists()


def test_rerun_keeps_previous_outputs_on_failure(solved: Path, tmp_path: Path) -> None:
    out = tmp_path / "o"
    shutil.copytree(solved, out)
    before = {p.name: p.read_bytes() for p in out.iterdir()}
    code, _, _ = run("solve", "--time-limit", "0", "--out", str(out))
    assert code == 3
    assert {p.name: p.read_bytes() for p in out.iterdir()} == before


def test_version_and_help() -> None:
    assert run("version")[0] == 0
    # --lang is accepted by every command, version included (a script passes it to all)
    assert run("version", "--lang", "en")[0] == 0
    assert run("version", "--lang", "xx")[0] == 2
    code, stdout, _ = run("--help")
    assert code == 0 and "solve" in stdout


# --- the command line builds only the command typed (`app_for`) ----------------------------------

_WORDS = [
    [], ["--help"], ["-v", "version"], ["version"], ["solve", "--help"], ["solve", "--bogus"],
    ["solv"], ["audit", "--help"], ["validate", "--help"], ["whatif", "--help"],
    ["compare", "--help"], ["sweep", "--help"], ["region", "--help"], ["explain", "--help"],
    ["serve", "--help"], ["ats", "--help"], ["ats", "split", "--help"], ["ats", "nope"],
    ["ats", "audit", "--help"], ["--lang", "en", "version"], ["--lang", "en", "--help"],
    ["solve", "--budget"],
]


@pytest.mark.parametrize("words", _WORDS, ids=lambda words: " ".join(words) or "(none)")
def test_the_application_built_for_the_words_answers_as_the_whole_one(words: list[str]) -> None:
    whole = CliRunner().invoke(app, words, prog_name="fsr-opt")
    built = CliRunner().invoke(app_for(words), words, prog_name="fsr-opt")
    assert (built.exit_code, built.output) == (whole.exit_code, whole.output)


def test_only_the_command_typed_is_built() -> None:
    def names(words: list[str]) -> tuple[list[str | None], list[str | None]]:
        chosen = app_for(words)
        return ([info.callback.__name__ if info.callback else None
                 for info in chosen.registered_commands],
                [info.name for info in chosen.registered_groups])

    assert names(["-v", "solve", "--out", "x"]) == (["solve"], [])
    assert names(["ats", "split"]) == ([], ["ats"])
    assert app_for(["solv"]) is app  # a typing error: the whole list, with "No such command"
    assert app_for(["--help"]) is app
    # every command alone, and the whole application left as it was
    typed = ["solve", "audit", "validate", "whatif", "compare", "sweep", "region", "explain",
             "serve", "version"]
    assert [names([word])[0] for word in typed] == [[word] for word in typed]
    assert len(app.registered_commands) == len(typed) and len(app.registered_groups) == 1


def test_a_solve_from_csv_imports_no_workbook_reader(tmp_path: Path) -> None:
    # calamine, ElementTree and the html package's entity table: start-up a CSV solve (the
    # bundled example's) has no use for (benchmarks/RESULTS.md, fifth round)
    probe = ("import runpy, sys\n"
             f"sys.argv = ['fsr-opt', 'solve', '--units', {str(EXAMPLE)!r}, "
             f"'--out', {str(tmp_path / 'out')!r}]\n"
             "try:\n    runpy.run_module('fsr_opt', run_name='__main__')\n"
             "except SystemExit as end:\n    code = end.code\n"
             "print('MODULES', code, sorted(m for m in sys.modules if m.split('.')[0] in "
             "('python_calamine', 'openpyxl', 'xml', 'html')))\n")
    done = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True,
                          check=True, env={**os.environ, "FSR_OPT_CACHE": "off"})
    assert done.stdout.splitlines()[-1] == "MODULES 0 []"
    assert (tmp_path / "out" / "allocation.xlsx").exists()


@pytest.mark.parametrize("words", [["--help"], ["version"], ["solve", "--help"]])
def test_help_and_version_import_neither_the_schema_nor_the_audit(words: list[str]) -> None:
    # the schema's sixteen dataclasses and the audit report's four took about a fifth of
    # `fsr-opt --help` (benchmarks/RESULTS.md, sixth round): only a command's work needs them
    probe = ("import runpy, sys\n"
             f"sys.argv = ['fsr-opt', *{words!r}]\n"
             "try:\n    runpy.run_module('fsr_opt', run_name='__main__')\n"
             "except SystemExit as end:\n    code = end.code\n"
             "print('MODULES', code, sorted(m for m in sys.modules if m.startswith("
             "('fsr_opt.core.schema', 'fsr_opt.audit.report', 'fsr_opt.app.pipeline', 'pulp'))))\n")
    done = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True,
                          check=True)
    assert done.stdout.splitlines()[-1] == "MODULES 0 []"


@pytest.mark.parametrize(("scope", "words"), [
    ("area", "residual phase (within the same area): 0.00 EUR to 0 units"),
    ("fondo", "residual phase (across the whole fund): 0.00 EUR to 0 units"),
    ("none", "residual phase (no redistribution): 0.00 EUR to 0 units"),
])
def test_the_summary_names_the_residual_scope_in_words(
    scope: str, words: str, tmp_path: Path
) -> None:
    # the scope's code is what --set residui.scope= takes; the summary says it in words
    code, stdout, _ = run("solve", "--set", f"residui.scope={scope}", "--out", str(tmp_path))
    assert code == 0 and words in stdout
    assert "residui.scope" not in stdout


def test_compare_names_the_areas_and_lines_by_the_rule_sets_labels(
    solved: Path, tmp_path: Path
) -> None:
    other = tmp_path / "other"
    assert run("solve", "--share", "minori=45", "--out", str(other))[0] == 0
    assert run("compare", str(solved), str(other), "--out", str(tmp_path / "cmp"))[0] == 0
    page = (tmp_path / "cmp" / "scenario.html").read_text(encoding="utf-8")
    assert "<td>Area Minori e Famiglia</td><td>Assistenza domiciliare minori</td>" in page
    assert "<td>minori</td>" not in page and "<td>adm</td>" not in page
    # a rule set changed since the run cannot vouch for its labels: the codes, as before
    copy = tmp_path / "rules.yaml"
    copy.write_bytes(RULES.read_bytes() + b"\n# edited\n")
    for folder in (solved, other):
        moved = tmp_path / f"moved-{folder.name}"
        shutil.copytree(folder, moved)
        document = json.loads((moved / "run.json").read_text(encoding="utf-8"))
        document["rule_set"]["source"] = str(copy)
        (moved / "run.json").write_text(json.dumps(document), encoding="utf-8")
    assert run("compare", str(tmp_path / f"moved-{solved.name}"),
               str(tmp_path / "moved-other"), "--out", str(tmp_path / "codes"))[0] == 0
    page = (tmp_path / "codes" / "scenario.html").read_text(encoding="utf-8")
    assert "<td>minori</td><td>adm</td>" in page


class _Terminal:
    """A stderr that says it is a terminal, keeping what is written to it."""

    def __init__(self, terminal: bool) -> None:
        self.terminal = terminal
        self.written: list[str] = []

    def isatty(self) -> bool:
        return self.terminal

    def write(self, text: str) -> int:
        self.written.append(text)
        return len(text)

    def flush(self) -> None:
        pass


@pytest.mark.parametrize("terminal", [True, False])
def test_the_progress_bar_is_drawn_at_a_terminal_only(
    monkeypatch: pytest.MonkeyPatch, terminal: bool
) -> None:
    """sweep and region show their progress to a person; a script's log gets nothing."""
    from fsr_opt import cli  # noqa: PLC0415

    screen = _Terminal(terminal)
    monkeypatch.setattr(sys, "stderr", screen)
    with cli._progress(2, "Ambiti risolti") as advance:
        advance(None)
        advance(None)
    shown = "".join(screen.written)
    if terminal:
        assert "Ambiti risolti" in shown and shown.rstrip().endswith("100%\x1b[?25h")
    else:
        assert shown == ""
