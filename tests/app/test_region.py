"""Several Ambiti in one run: the manifest, per-Ambito outputs, failures, the command line.

The region is three small Ambiti cut from the bundled example (every third row each), with
different funds; each is solved exactly as ``fsr-opt solve`` solves it alone.
"""

from __future__ import annotations

import csv
import json
from decimal import Decimal
from pathlib import Path
from typing import Any

import openpyxl
import pytest
from typer.testing import CliRunner

from fsr_opt.app import region
from fsr_opt.app.region import plan_region, run_region
from fsr_opt.cli import EXIT_CODES, app
from fsr_opt.core.errors import ErrorCode, InputError, SolverError
from fsr_opt.io.manifest import load_manifest
from fsr_opt.io.units import load_units

from tests.conftest import ROOT

EXAMPLE = ROOT / "data" / "bergamo-2025" / "units.csv"
BUNDLED_RULES = "models/fsr-2025-bergamo.yaml"
CODES = ("bg-a", "bg-b", "bg-c")
BUDGETS = ("300000.00", "250000.50", "")  # the last keeps the rule set's fund
SOLVE_FILES = ("allocation.csv", "summary.csv", "payments.csv", "audit.json", "run.json",
               "allocation.xlsx", "report.html")
CLOCK_KEYS = ("started_at", "finished_at", "seconds")


def _example() -> tuple[list[str], list[list[str]]]:
    with EXAMPLE.open(encoding="utf-8", newline="") as handle:
        rows = list(csv.reader(handle))
    return rows[0], rows[1:]


# Each Ambito takes every third row of the example (308 rows: 103, 103, 102).
UNITS = {code: len(_example()[1][k::3]) for k, code in enumerate(CODES)}


def _write_csv(path: Path, rows: list[list[str]]) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("w", encoding="utf-8", newline="") as handle:
        csv.writer(handle, lineterminator="\n").writerows(rows)
    return path


def _manifest(folder: Path, rows: list[list[str]], name: str = "region.csv") -> Path:
    return _write_csv(folder / name, [["ambito", "units", "rules", "budget", "rows"], *rows])


@pytest.fixture(scope="module")
def folders(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """One folder per Ambito (manifest rows deliberately not in code order)."""
    root = tmp_path_factory.mktemp("region")
    header, rows = _example()
    for k, code in enumerate(CODES):
        _write_csv(root / code / "units.csv", [header, *rows[k::3]])
    order = [2, 0, 1]
    _manifest(root, [[CODES[k], f"{CODES[k]}/units.csv", BUNDLED_RULES if k else "",
                      BUDGETS[k], str(UNITS[CODES[k]])] for k in order])
    return root


@pytest.fixture(scope="module")
def shared(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The same three Ambiti as rows of one table with an ``ambito`` column."""
    root = tmp_path_factory.mktemp("shared")
    header, rows = _example()
    table = [["ambito", *header]]
    for k, row in enumerate(rows):  # interleaved: each Ambito's rows keep their order
        table.append([CODES[k % 3].upper() if k % 6 == 0 else CODES[k % 3], *row])
    _write_csv(root / "all" / "units.csv", table)
    _manifest(root, [[code, "all/units.csv", "", BUDGETS[k], ""]
                     for k, code in enumerate(CODES)])
    return root


@pytest.fixture(scope="module")
def solved(
    folders: Path, tmp_path_factory: pytest.TempPathFactory
) -> tuple[Path, region.RegionRun]:
    out = tmp_path_factory.mktemp("out")
    plan = plan_region(folders / "region.csv", out, solver="cbc", time_limit=60)
    return out, run_region(plan, jobs=2, exit_codes=EXIT_CODES)


def _read_csv(path: Path) -> list[dict[str, str]]:
    with path.open(encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle))


def _without_clock(path: Path) -> dict[str, Any]:
    """A JSON document without its clock readings (and the stages' seconds)."""
    document = json.loads(path.read_text(encoding="utf-8"))
    for key in CLOCK_KEYS:
        document.pop(key, None)
    for stage in document.get("stages", []):
        stage.pop("seconds", None)
    for item in document.get("ambiti", []):
        item.pop("seconds", None)
        item.pop("solve_seconds", None)
    return document


def _summary_without_seconds(path: Path) -> list[dict[str, str]]:
    rows = _read_csv(path)
    assert not any("seconds" in column for row in rows for column in row)  # reproducible
    return rows


# --- the manifest ---------------------------------------------------------------------------


def test_manifest_of_the_benchmark_generator_is_read_as_is(tmp_path: Path) -> None:
    from benchmarks.generate import main as generate  # noqa: PLC0415  (heavy, only here)

    assert generate(["--units", "20", "--seed", "3", "--ambiti", "2", "--out",
                     str(tmp_path)]) == 0
    manifest = load_manifest(tmp_path / "region.csv")
    assert [e.ambito for e in manifest.entries] == ["ambito-01", "ambito-02"]
    assert all(e.rules is not None and e.rules.is_file() for e in manifest.entries)
    assert all(e.units == tmp_path / e.ambito / "units.csv" for e in manifest.entries)
    assert all(e.budget and not e.split for e in manifest.entries)


def test_manifest_entries_are_sorted_by_code(folders: Path) -> None:
    manifest = load_manifest(folders / "region.csv")
    assert [e.ambito for e in manifest.entries] == list(CODES)
    assert [e.row for e in manifest.entries] == [3, 4, 2]
    assert manifest.entries[0].rules is None and manifest.entries[1].rules is not None
    assert [e.budget for e in manifest.entries] == ["300000.00", "250000.50", None]


def test_manifest_in_a_workbook(folders: Path, tmp_path: Path) -> None:
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    assert sheet is not None
    sheet.title = "Ambiti"
    sheet.append(["Ambito", "Unità", "Regole", "Fondo"])
    sheet.append(["bg-b", str(folders / "bg-b" / "units.csv"), None, 250000.5])
    workbook.save(tmp_path / "region.xlsx")
    [entry] = load_manifest(tmp_path / "region.xlsx").entries
    assert (entry.ambito, entry.budget, entry.rules) == ("bg-b", "250000.5", None)


# One bad manifest per kind of problem: (rows after the header, code, rows, column).
BAD_MANIFESTS = {
    "duplicate": ([["a", "u.csv", "", ""], ["A", "u.csv", "", ""]],
                  "DUPLICATE_AMBITO", [3], "ambito"),
    "unsafe code": ([["../x", "u.csv", "", ""]], "BAD_AMBITO_CODE", [2], "ambito"),
    "reserved code": ([["con", "u.csv", "", ""]], "BAD_AMBITO_CODE", [2], "ambito"),
    "empty code": ([["", "u.csv", "", ""]], "EMPTY_VALUE", [2], "ambito"),
    "missing units": ([["a", "missing.csv", "", ""]], "FILE_NOT_FOUND", [2], "units"),
    "units not a table": ([["a", "rules.yaml", "", ""]], "UNSUPPORTED_FORMAT", [2], "units"),
    "missing rules": ([["a", "u.csv", "nowhere.yaml", ""]], "FILE_NOT_FOUND", [2], "rules"),
    "ambiguous budget": ([["a", "u.csv", "", "1.000"]], "BAD_BUDGET", [2], "budget"),
    "negative budget": ([["a", "u.csv", "", "-5"]], "BAD_BUDGET", [2], "budget"),
    "budget in millicents": ([["a", "u.csv", "", "10.001"]], "BAD_BUDGET", [2], "budget"),
    "shared without column": ([["a", "u.csv", "", ""], ["b", "u.csv", "", ""]],
                              "NO_AMBITO_COLUMN", [2, 3], "units"),
    "no rows of an Ambito": ([["a", "s.csv", "", ""], ["b", "s.csv", "", ""],
                              ["c", "s.csv", "", ""]], "NO_ROWS", [4], "ambito"),
}


@pytest.mark.parametrize("case", sorted(BAD_MANIFESTS))
def test_each_manifest_problem_names_file_row_and_column(tmp_path: Path, case: str) -> None:
    rows, code, numbers, column = BAD_MANIFESTS[case]
    header, units = _example()
    _write_csv(tmp_path / "u.csv", [header, *units[:5]])
    _write_csv(tmp_path / "s.csv", [["ambito", *header], *(["a", *u] for u in units[:3]),
                                    *(["b", *u] for u in units[3:6])])
    (tmp_path / "rules.yaml").write_text("{}", encoding="utf-8")
    path = _manifest(tmp_path, [[*r, ""] for r in rows])
    with pytest.raises(InputError) as caught:
        load_manifest(path)
    found = [(p.code, p.file, p.row, p.column) for p in caught.value.problems]
    assert found == [(code, str(path), row, column) for row in numbers]


def test_every_problem_is_reported_at_once(tmp_path: Path) -> None:
    header, units = _example()
    _write_csv(tmp_path / "s.csv", [["ambito", *header], ["a", *units[0]], ["zz", *units[1]],
                                    ["", *units[2]]])
    path = _manifest(tmp_path, [
        ["a", "s.csv", "", "abc", ""],
        ["a", "s.csv", "", "", ""],
        ["b b", "missing.csv", "nope.toml", "", ""],
    ])
    with pytest.raises(InputError) as caught:
        load_manifest(path)
    found = {(p.code, Path(p.file or "").name, p.row, p.column) for p in caught.value.problems}
    assert found == {
        ("BAD_BUDGET", "region.csv", 2, "budget"),
        ("DUPLICATE_AMBITO", "region.csv", 3, "ambito"),
        ("BAD_AMBITO_CODE", "region.csv", 4, "ambito"),
        ("FILE_NOT_FOUND", "region.csv", 4, "units"),
        ("FILE_NOT_FOUND", "region.csv", 4, "rules"),
        ("UNKNOWN_AMBITO", "s.csv", 3, "ambito"),  # zz: not an Ambito of the manifest
        ("EMPTY_VALUE", "s.csv", 4, "ambito"),
    }


def test_manifest_without_its_columns(tmp_path: Path) -> None:
    path = _write_csv(tmp_path / "region.csv", [["ambito", "table"], ["a", "u.csv"]])
    with pytest.raises(InputError) as caught:
        load_manifest(path)
    assert [(p.code, p.column) for p in caught.value.problems] == [("MISSING_COLUMN", "units")]


def test_a_row_given_to_another_table_is_an_error(tmp_path: Path) -> None:
    header, units = _example()
    _write_csv(tmp_path / "s.csv", [["ambito", *header], ["a", *units[0]], ["b", *units[1]]])
    _write_csv(tmp_path / "b.csv", [header, units[2]])
    path = _manifest(tmp_path, [["a", "s.csv", "", "", ""], ["b", "b.csv", "", "", ""]])
    with pytest.raises(InputError) as caught:
        load_manifest(path)
    [problem] = caught.value.problems
    assert (problem.code, problem.row, problem.column) == ("UNKNOWN_AMBITO", 3, "ambito")
    assert "b.csv" in problem.message


def test_load_units_of_one_ambito_keeps_file_rows(shared: Path) -> None:
    table = load_units(shared / "all" / "units.csv", ambito="bg-b")
    assert len(table.units) == UNITS["bg-b"] == 103
    assert [u.row for u in table.units[:3]] == [3, 6, 9]
    with pytest.raises(InputError) as caught:
        load_units(EXAMPLE, ambito="bg-a")
    assert [p.code for p in caught.value.problems] == ["NO_AMBITO_COLUMN"]


# --- the run --------------------------------------------------------------------------------


def test_each_ambito_is_what_solve_writes_alone(
    solved: tuple[Path, region.RegionRun], folders: Path, tmp_path: Path
) -> None:
    out, run = solved
    assert run.exit_code == 0 and not run.interrupted
    assert [o.ambito for o in run.outcomes] == list(CODES)
    for k, code in enumerate(CODES):
        alone = tmp_path / code
        args = ["solve", "--units", str(folders / code / "units.csv"), "--out", str(alone)]
        if k:
            args += ["--rules", str(ROOT / BUNDLED_RULES)]
        if BUDGETS[k]:
            args += ["--budget", BUDGETS[k]]
        result = CliRunner().invoke(app, args)
        assert result.exit_code == 0, result.output
        for name in SOLVE_FILES:
            if name == "run.json":
                assert _without_clock(out / code / name) == _without_clock(alone / name)
            else:
                assert (out / code / name).read_bytes() == (alone / name).read_bytes(), name


def test_region_summary_and_json(solved: tuple[Path, region.RegionRun]) -> None:
    out, run = solved
    rows = _read_csv(out / "region-summary.csv")
    assert [(r["ambito"], r["area"]) for r in rows] == [
        (code, area) for code in CODES for area in ("minori", "disabili", "anziani", "TOTAL")]
    totals = {r["ambito"]: r for r in rows if r["area"] == "TOTAL"}
    assert totals["bg-a"]["fund"] == "300000.00" and totals["bg-b"]["fund"] == "250000.50"
    assert totals["bg-c"]["fund"] == "892495.35"  # the rule set's own
    assert totals["bg-a"]["budget"] == "300000.00"
    for code in CODES:
        summary = {(r["area"], r["service"]): r for r in _read_csv(out / code / "summary.csv")}
        assert totals[code]["awarded"] == summary[("TOTAL", "TOTAL")]["awarded"]
        assert int(totals[code]["units"]) == UNITS[code]
        assert (int(totals[code]["units_funded"]) + int(totals[code]["units_excluded"])
                == UNITS[code])
        areas = [r for r in rows if r["ambito"] == code and r["area"] != "TOTAL"]
        assert sum(int(r["units"]) for r in areas) == UNITS[code]
    document = json.loads((out / "region.json").read_text(encoding="utf-8"))
    assert document["status"] == "optimal" and document["exit_code"] == 0
    assert document["counts"] == {"ambiti": 3, "solved": 3, "failed": 0, "not_run": 0}
    first = document["ambiti"][0]
    assert first["ambito"] == "bg-a" and first["overrides"] == ["fund=300000.00"]
    assert len(first["inputs"]) == 2 and all(len(sha) == 64 for sha in first["inputs"].values())
    assert first["rule_set"]["id"] == "fsr-2025-bergamo" and first["units_rows"] == "all"
    assert "3 of 3" in run.text and "bg-c" in run.text


def test_same_manifest_same_outputs(
    solved: tuple[Path, region.RegionRun], folders: Path, tmp_path: Path
) -> None:
    out, _ = solved
    plan = plan_region(folders / "region.csv", tmp_path, solver="cbc", time_limit=60)
    run_region(plan, jobs=1, exit_codes=EXIT_CODES)
    assert (_summary_without_seconds(out / "region-summary.csv")
            == _summary_without_seconds(tmp_path / "region-summary.csv"))
    first, again = _without_clock(out / "region.json"), _without_clock(tmp_path / "region.json")
    for document in (first, again):
        document.pop("jobs")
        for item in document["ambiti"]:
            item.pop("out_dir")
    assert first == again


def test_ambito_column_gives_the_same_riparti(
    solved: tuple[Path, region.RegionRun], shared: Path, tmp_path: Path
) -> None:
    out, _ = solved
    plan = plan_region(shared / "region.csv", tmp_path, solver="cbc", time_limit=60)
    assert all(task.split for task in plan.tasks)
    run = run_region(plan, jobs=2, exit_codes=EXIT_CODES)
    assert run.exit_code == 0
    for code in CODES:  # run.json and report.html name the input file: they differ there
        for name in ("allocation.csv", "summary.csv", "payments.csv", "audit.json"):
            assert (tmp_path / code / name).read_bytes() == (out / code / name).read_bytes()
        # allocation.xlsx's page footer names the units table's SHA-256: its cells are equal
        books = [openpyxl.load_workbook(folder / code / "allocation.xlsx", read_only=True)
                 for folder in (tmp_path, out)]
        assert books[0].sheetnames == books[1].sheetnames
        for one, two in zip(books[0].worksheets, books[1].worksheets, strict=True):
            assert list(one.iter_rows(values_only=True)) == list(two.iter_rows(values_only=True))
    assert (_summary_without_seconds(tmp_path / "region-summary.csv")
            == _summary_without_seconds(out / "region-summary.csv"))
    document = json.loads((tmp_path / "region.json").read_text(encoding="utf-8"))
    assert document["ambiti"][1]["units_rows"] == "ambito = bg-b"


def test_a_failing_ambito_does_not_stop_the_others(folders: Path, tmp_path: Path) -> None:
    header, rows = _example()
    bad = [list(row) for row in rows[:6]]
    bad[2][header.index("costs")] = "twelve"
    _write_csv(tmp_path / "bad" / "units.csv", [header, *bad])
    _manifest(tmp_path, [
        ["bad", "bad/units.csv", "", "", ""],
        ["good", str(folders / "bg-a" / "units.csv"), "", "300000", ""],
    ])
    plan = plan_region(tmp_path / "region.csv", tmp_path / "out", solver="cbc", time_limit=60)
    run = run_region(plan, jobs=2, exit_codes=EXIT_CODES)
    assert run.exit_code == 2
    failed, good = run.outcomes
    assert failed.status == "input_error" and EXIT_CODES[failed.status] == 2
    assert "row 4, column 'costs'" in failed.message
    assert not (tmp_path / "out" / "bad").exists()
    assert (tmp_path / "out" / "good" / "allocation.csv").is_file() and good.solved
    rows_out = _read_csv(tmp_path / "out" / "region-summary.csv")
    assert [(r["ambito"], r["area"], r["status"]) for r in rows_out][:1] == [
        ("bad", "TOTAL", "input_error")]
    assert "costs" in rows_out[0]["message"] and rows_out[0]["awarded"] == ""
    document = json.loads((tmp_path / "out" / "region.json").read_text(encoding="utf-8"))
    assert document["ambiti"][0]["exit_code"] == 2 and document["status"] == "failed"
    assert document["ambiti"][0]["inputs"][str(tmp_path / "bad" / "units.csv")]


def test_exit_code_is_the_worst_ambitos(
    folders: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    real = region.run_solve

    def fails_for_b(inputs: object, out_dir: Path, **options: object) -> object:
        if out_dir.name == "bg-b":
            raise SolverError("time limit reached before stage 'spend'; raise --time-limit",
                              ErrorCode.TIME_LIMIT)
        return real(inputs, out_dir, **options)  # type: ignore[arg-type]

    monkeypatch.setattr(region, "run_solve", fails_for_b)
    plan = plan_region(folders / "region.csv", tmp_path, solver="cbc", time_limit=60)
    run = run_region(plan, jobs=1, exit_codes=EXIT_CODES)  # in this process, where the patch is
    assert run.exit_code == 3
    assert [o.status for o in run.outcomes] == ["optimal", "solver_failure", "optimal"]


def test_interrupted_run_keeps_what_finished(
    folders: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    real = region.solve_ambito

    def stop_at_b(task: region.AmbitoTask) -> region.AmbitoOutcome:
        if task.ambito == "bg-b":
            raise KeyboardInterrupt
        return real(task)

    monkeypatch.setattr(region, "solve_ambito", stop_at_b)
    plan = plan_region(folders / "region.csv", tmp_path, solver="cbc", time_limit=60)
    run = run_region(plan, jobs=1, exit_codes=EXIT_CODES)
    assert run.interrupted and run.exit_code == 130
    assert [o.status for o in run.outcomes] == ["optimal", "not_run", "not_run"]
    assert (tmp_path / "bg-a" / "allocation.csv").is_file()
    assert [r["status"] for r in _read_csv(tmp_path / "region-summary.csv")][-2:] == [
        "not_run", "not_run"]


# --- the command line -----------------------------------------------------------------------


def _cli(*args: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(app, list(args))
    assert "Traceback" not in result.output + (result.stderr or "")
    return result.exit_code, result.stdout, result.stderr


def test_cli_region(folders: Path, tmp_path: Path) -> None:
    code, stdout, stderr = _cli("region", "--manifest", str(folders / "region.csv"), "--out",
                                str(tmp_path), "--jobs", "2", "--lang", "en")
    assert code == 0
    assert "TOTAL (solved)" in stdout and "3 of 3" in stdout
    assert "Ambiti solved" not in stderr  # the progress bar is for a terminal, not a log
    assert str(tmp_path / "region-summary.csv") in stdout
    assert f"{tmp_path / 'bg-b'}/" in stdout


def test_cli_exit_codes(folders: Path, tmp_path: Path) -> None:
    bad = _manifest(tmp_path, [["a", "missing.csv", "", "", ""]], name="bad.csv")
    code, _, stderr = _cli("region", "--manifest", str(bad), "--out", str(tmp_path / "o"))
    assert code == 2 and "row 2, column 'units'" in stderr and "missing.csv" in stderr
    code, _, stderr = _cli("region", "--manifest", str(tmp_path / "nothing.csv"))
    assert code == 2 and "not found" in stderr
    code, _, stderr = _cli("region", "--manifest", str(folders / "region.csv"), "--solver",
                           "gurobi", "--out", str(tmp_path / "o"))
    assert code == 2 and "unknown solver" in stderr
    code, _, stderr = _cli("region", "--manifest", str(folders / "region.csv"), "--jobs", "0")
    assert code == 2
    header, rows = _example()
    _write_csv(tmp_path / "x" / "units.csv", [header, *rows[:3], ["U1", *rows[3][1:]],
                                              ["u1", *rows[4][1:]]])
    one = _manifest(tmp_path, [["x", "x/units.csv", "", "", ""]], name="one.csv")
    code, stdout, stderr = _cli("region", "--manifest", str(one), "--out", str(tmp_path / "o"))
    assert code == 2 and "x: input error" in stderr and "row 6, column 'unit_id'" in stderr
    assert "0 of 1" in stdout


def test_plain_solve_refuses_a_table_of_several_ambiti(shared: Path, tmp_path: Path) -> None:
    """Pooling several Ambiti's units and budgets in one riparto would be silently wrong."""
    result = CliRunner().invoke(app, ["solve", "--units", str(shared / "all" / "units.csv"),
                                      "--out", str(tmp_path / "out")])
    assert result.exit_code == 2
    assert "Ambiti" in result.output and "fsr-opt region" in result.output
    assert not (tmp_path / "out").exists()


def test_money_left_unassigned_is_in_the_region_summary(tmp_path: Path) -> None:
    # Two Ambiti given three times the example's fund: disabili's caps leave 165,111.64 EUR.
    # With the bundled rules (residui.scope area) the residual phase gives it to disabili's
    # units; with a copy of the rules without a residual phase it stays unassigned, and the
    # region's summary and warnings say so.
    header, rows = _example()
    _write_csv(tmp_path / "a" / "units.csv", [header, *rows])
    _write_csv(tmp_path / "b" / "units.csv", [header, *rows])
    bundled = (ROOT / BUNDLED_RULES).read_text(encoding="utf-8")
    marker = "residui:\n  scope:\n    value: area"
    assert marker in bundled
    (tmp_path / "none.yaml").write_text(bundled.replace(marker, marker[:-4] + "none"),
                                        encoding="utf-8")
    manifest = _manifest(tmp_path, [["area", "a/units.csv", "", "2677486.05", ""],
                                    ["none", "b/units.csv", "none.yaml", "2677486.05", ""]])
    run = run_region(plan_region(manifest, tmp_path / "out", solver="cbc", time_limit=60),
                     jobs=1, exit_codes=EXIT_CODES)
    assert run.exit_code == 0
    summary = {(r["ambito"], r["area"]): r
               for r in _read_csv(tmp_path / "out" / "region-summary.csv")}
    given = summary[("area", "disabili")]
    assert (given["residual"], given["unassigned"]) == ("165111.64", "0.00")
    left = summary[("none", "disabili")]
    assert (left["residual"], left["unassigned"]) == ("0.00", "165111.64")
    assert summary[("none", "TOTAL")]["unassigned"] == "165111.64"
    # the screen accounts for the whole fund: riparto, residuals, unassigned
    line = next(row.split() for row in run.text.splitlines() if row.startswith("area "))
    assert line[5:7] == ["165,111.64", "0.00"]  # residuals, unassigned
    assert sum(Decimal(v.replace(",", "")) for v in line[4:7]) == Decimal(line[3].replace(",", ""))
    document = json.loads((tmp_path / "out" / "region.json").read_text(encoding="utf-8"))
    warnings = {a["ambito"]: a["warnings"] for a in document["ambiti"]}
    assert not any("stay unassigned" in w for w in warnings["area"])
    assert any(w.startswith("area disabili: 165,111.64 EUR stay unassigned")
               for w in warnings["none"])
