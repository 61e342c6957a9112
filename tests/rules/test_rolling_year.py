"""A new year is a new rule file, not a code change: a 2026 rule set solved end to end.

There are no 2026 criteria yet, so the test writes one: the bundled 2025 rule set in format 2,
with the fund, the minimum award and the service lines' amounts of the year before keyed by
date. Its 2026 riparto runs through the real command line; its 2025 values give the bundled
riparto to the byte (the bundled file itself is kept byte-identical by
tests/test_golden_outputs.py).
"""

from __future__ import annotations

import csv
import json
from pathlib import Path
from typing import Any

import pytest
import yaml
from typer.testing import CliRunner

from fsr_opt.cli import app

from tests.rules.support import BUNDLED, load, rolled_over

TABLES = ("allocation.csv", "summary.csv", "payments.csv")


def solve(out: Path, *args: str) -> Path:
    result = CliRunner().invoke(app, ["solve", "--out", str(out), *args])
    assert result.exit_code == 0, result.output
    return out


def write(document: dict[str, Any], path: Path) -> Path:
    path.write_text(yaml.safe_dump(document, allow_unicode=True, sort_keys=False), "utf-8")
    return path


@pytest.fixture(scope="module")
def bundled_run(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return solve(tmp_path_factory.mktemp("bundled"))


def test_a_2026_rule_set_solves_end_to_end(tmp_path: Path) -> None:
    rules = write(rolled_over(load(BUNDLED), 2026), tmp_path / "fsr-2026-test.yaml")
    out = solve(tmp_path / "out", "--rules", str(rules), "--lang", "it")
    run = json.loads((out / "run.json").read_text("utf-8"))
    assert run["rule_set"]["year"] == 2026
    assert (run["fund"], run["minimum_award"]) == ("900000.00", "350.00")
    with (out / "summary.csv").open(encoding="utf-8", newline="") as handle:
        lines = list(csv.DictReader(handle))
    assert "historical_2025" in lines[0] and "historical_2024" not in lines[0]
    adm = next(line for line in lines if line["service"] == "adm")
    assert adm["historical_2025"] == "68000.00"  # the value keyed 2026-01-01
    total = next(line for line in lines if line["area"] == "TOTAL")
    assert total["budget"] == "900000.00"
    report = (out / "report.html").read_text("utf-8")
    assert "Assegnato 2025" in report and "Assegnato 2024" not in report
    assert "areas.minori.services.adm.historical" in report
    assert "900.000,00 EUR (dal 01/01/2026)" in report and "assegnato 2025" in report


def test_a_dated_rule_set_for_2025_gives_the_bundled_riparto(
    tmp_path: Path, bundled_run: Path
) -> None:
    rules = write(rolled_over(load(BUNDLED), 2025), tmp_path / "fsr-2025-dated.yaml")
    out = solve(tmp_path / "out", "--rules", str(rules))
    for name in TABLES:
        assert (out / name).read_bytes() == (bundled_run / name).read_bytes(), name
