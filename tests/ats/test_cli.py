"""fsr-opt ats from the command line, and the flow from the ATS split to the Ambiti's riparti."""

from __future__ import annotations

import csv
import hashlib
import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from fsr_opt.cli import app
from fsr_opt.io.ats import default_ats_rules_path
from fsr_opt.io.bundled import default_units_path

RUNNER = CliRunner()


def run(*args: str) -> tuple[int, str, str]:
    result = RUNNER.invoke(app, list(args))
    return result.exit_code, result.stdout, result.stderr


def test_split_monitor_rebalance_audit(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("FSR_OPT_LANG", raising=False)  # Italian, the default
    code, out, _ = run("ats", "split", "--out", str(tmp_path / "s"))
    assert code == 0 and "330.774,00 EUR tra 14 Ambiti" in out
    split = tmp_path / "s" / "split.csv"
    rows = list(csv.DictReader(split.open(encoding="utf-8")))
    assert sum(round(float(r["total"]) * 100) for r in rows) == 330_774_00
    html = (tmp_path / "s" / "ats-report.html").read_text(encoding="utf-8")
    assert "<svg" in html and "Riparto tra gli Ambiti" in html
    code, out, _ = run("ats", "monitor", "--split", str(split), "--out", str(tmp_path / "m"))
    assert code == 0 and "rendicontazioni segnalate: 0" in out
    code, out, _ = run("ats", "rebalance", "--out", str(tmp_path / "r"), "--lang", "en")
    assert code == 0 and "Rebalance: 12 transfers" in out
    record = json.loads((tmp_path / "r" / "rebalance.json").read_text(encoding="utf-8"))
    assert record["audit"]["ok"] and len(record["rebalance"]["transfers"]) == 12
    code, out, _ = run("ats", "audit", "--split", str(split), "--transfers",
                       str(tmp_path / "r" / "transfers.csv"))
    assert code == 0 and "KO" not in out


def test_outputs_are_byte_identical(tmp_path: Path) -> None:
    for folder in ("a", "b"):
        assert run("ats", "rebalance", "--out", str(tmp_path / folder))[0] == 0
    for name in ("transfers.csv", "after-rebalance.csv", "ats-report.xlsx", "ats-report.html",
                 "rebalance.json"):
        first = (tmp_path / "a" / name).read_bytes()
        assert first == (tmp_path / "b" / name).read_bytes(), name


def test_an_edited_split_fails_the_audit_with_exit_1(tmp_path: Path) -> None:
    assert run("ats", "split", "--out", str(tmp_path))[0] == 0
    split = tmp_path / "split.csv"
    text = split.read_text(encoding="utf-8").replace("53383.66", "53383.67")
    edited = tmp_path / "edited.csv"
    edited.write_text(text, encoding="utf-8")
    code, out, _ = run("ats", "audit", "--split", str(edited))
    assert code == 1 and "FAIL  SPLIT_TOTAL" in out and "BERGAMO" in out


def test_bad_inputs_exit_2_naming_file_row_column(tmp_path: Path) -> None:
    bad = tmp_path / "reports.csv"
    bad.write_text("ambito,assigned,committed,spent,unmet_applications,unmet_amount\n"
                   "BERGAMO,1.234,0,0,0,0\nATLANTIDE,1,1,1,1,1\n", encoding="utf-8")
    code, _, err = run("ats", "monitor", "--reports", str(bad), "--out", str(tmp_path / "o"))
    assert code == 2
    assert "row 3" in err and "ATS_UNKNOWN_AMBITO" not in err and "ATLANTIDE" in err
    assert "Traceback" not in err
    code, _, err = run("ats", "split", "--fund", "-5", "--out", str(tmp_path / "o"))
    assert code == 2 and "--fund" in err


def test_region_takes_each_fund_from_the_split(tmp_path: Path) -> None:
    assert run("ats", "split", "--out", str(tmp_path / "s"))[0] == 0
    manifest = tmp_path / "region.csv"
    units = default_units_path()
    copy = tmp_path / "units-dalmine.csv"
    copy.write_bytes(units.read_bytes())  # a small manifest: two Ambiti, each its own table
    manifest.write_text(f"ambito,units\nbergamo,{units}\nDALMINE,{copy}\n", encoding="utf-8")
    code, out, err = run("region", "--manifest", str(manifest), "--fund-from",
                         str(tmp_path / "s" / "split.csv"), "--out", str(tmp_path / "out"),
                         "--jobs", "1")
    assert code == 0, err
    # the screen says where the funds came from, before the Ambiti's lines
    digest = hashlib.sha256((tmp_path / "s" / "split.csv").read_bytes()).hexdigest()
    assert out.splitlines()[1] == (
        f"fund of each Ambito: its amount in the ATS split {tmp_path / 's' / 'split.csv'} "
        f"(SHA-256 {digest[:12]}…)")
    split = tmp_path / "s" / "split.csv"
    recorded = {"path": str(split), "sha256": digest}
    for ambito, fund in (("bergamo", "53383.66"), ("DALMINE", "37446.09")):
        run_json = json.loads((tmp_path / "out" / ambito / "run.json").read_text("utf-8"))
        assert json.dumps(run_json).count(fund) >= 1, ambito
        # each Ambito's run.json and report.html name the split its fund came from
        assert run_json["fund_from"] == recorded, ambito
        report = (tmp_path / "out" / ambito / "report.html").read_text("utf-8")
        assert (f"The fund is the Ambito&#x27;s share in the ATS split among the Ambiti "
                f"split.csv (SHA-256 {digest})") in report, ambito
    # region.json records where the funds came from, as monitor records the split it read
    region_json = json.loads((tmp_path / "out" / "region.json").read_text("utf-8"))
    assert region_json["fund_from"] == recorded
    missing = tmp_path / "missing.csv"
    missing.write_text(f"ambito,units\nATLANTIDE,{units}\n", encoding="utf-8")
    code, _, err = run("region", "--manifest", str(missing), "--fund-from",
                       str(tmp_path / "s" / "split.csv"), "--out", str(tmp_path / "o2"))
    assert code == 2 and "ATLANTIDE" in err


def test_a_rebalance_stopped_by_the_time_limit_exits_3(tmp_path: Path) -> None:
    rules = tmp_path / "ats.yaml"
    rules.write_text(default_ats_rules_path().read_text(encoding="utf-8").replace(
        "    value: 12\n", "    value: 10\n"), encoding="utf-8")
    code, _, err = run("ats", "rebalance", "--rules", str(rules), "--time-limit", "1",
                       "--out", str(tmp_path / "o"))
    assert code == 3 and "max_transfers" in err and "not proven optimal" in err
    assert not (tmp_path / "o").exists()


def test_the_fund_option_reads_both_forms_and_refuses_an_ambiguous_one(tmp_path: Path) -> None:
    code, out, _ = run("ats", "split", "--fund", "330.774,00", "--out", str(tmp_path / "it"))
    assert code == 0 and "330,774.00" in out  # the suite speaks English (FSR_OPT_LANG=en)
    code, _, err = run("ats", "split", "--fund", "1.000", "--out", str(tmp_path / "o"))
    assert code == 2 and "--fund" in err and "1000" in err and " 1 " in err
