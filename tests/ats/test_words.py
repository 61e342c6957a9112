"""What an ATS officer reads: file names, parameters, figures, totals and Ambiti in words.

Each test runs in Italian (the default: FSR_OPT_LANG cleared) and in English (--lang en).
"""

from __future__ import annotations

import hashlib
import html
import json
from pathlib import Path

from typer.testing import CliRunner

from fsr_opt.cli import app
from fsr_opt.io.ats import (
    default_ats_rules_path,
)

DEFAULT = {"FSR_OPT_LANG": None}


def run(*args: str) -> tuple[int, str]:
    result = CliRunner().invoke(app, list(args), env=DEFAULT)
    assert "Traceback" not in result.output
    return result.exit_code, result.output


def page_text(path: Path) -> str:
    return html.unescape(path.read_text(encoding="utf-8"))


# 1. The rule set is named by its path -------------------------------------------------------


def test_a_rule_file_is_named_by_its_path_in_errors_and_records(tmp_path: Path) -> None:
    bundled = default_ats_rules_path().read_text(encoding="utf-8")
    bad = tmp_path / "copy.yaml"
    bad.write_text(bundled.replace("      value: 30\n", "      value: 35\n"), encoding="utf-8")
    digest = hashlib.sha256(bad.read_bytes()).hexdigest()
    for lang, words in (("it", "copy.yaml: indicators: i pesi sommano a 105%"),
                        ("en", "copy.yaml: indicators: the weights total 105%")):
        code, output = run("ats", "split", "--rules", str(bad), "--out", str(tmp_path / "o"),
                           "--lang", lang)
        assert code == 2 and words in output and digest not in output
    good = tmp_path / "good.yaml"
    good.write_text(bundled, encoding="utf-8")
    for command in ("split", "monitor", "rebalance"):
        code, _ = run("ats", command, "--rules", str(good), "--out", str(tmp_path / command))
        assert code == 0, command
        name = "split.json" if command == "split" else f"{command}.json"
        record = json.loads((tmp_path / command / name).read_text(encoding="utf-8"))
        assert record["rule_set"]["file"] == str(good)
        assert record["rule_set"]["sha256"] == hashlib.sha256(good.read_bytes()).hexdigest()


def test_no_output_replaces_the_rule_file(tmp_path: Path) -> None:
    rules = tmp_path / "rules.yaml"
    rules.write_bytes(default_ats_rules_path().read_bytes())
    out = tmp_path / "out"
    out.mkdir()
    (out / "split.json").symlink_to(rules)
    code, output = run("ats", "split", "--rules", str(rules), "--out", str(out))
    assert code == 2 and "rules.yaml" in output
    assert rules.read_bytes() == default_ats_rules_path().read_bytes()


# 8. The audit's total ----------------------------------------------------------------------


def test_the_audit_says_total_in_the_language(tmp_path: Path) -> None:
    assert run("ats", "split", "--out", str(tmp_path))[0] == 0
    edited = tmp_path / "edited.csv"
    edited.write_text((tmp_path / "split.csv").read_text(encoding="utf-8").replace(
        "53383.66", "63383.66"), encoding="utf-8")
    code, italian = run("ats", "audit", "--split", str(edited))
    assert code == 1 and "      - TOTALE: gli importi sommano a 340.774,00 EUR" in italian
    assert "- TOTAL:" not in italian
    code, english = run("ats", "audit", "--split", str(edited), "--lang", "en")
    assert code == 1 and "      - TOTAL: the amounts add up to 340,774.00 EUR" in english
