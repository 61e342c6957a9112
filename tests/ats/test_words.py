"""What an ATS officer reads: file names, parameters, figures, totals and Ambiti in words.

Each test runs in Italian (the default: FSR_OPT_LANG cleared) and in English (--lang en).
"""

from __future__ import annotations

import csv
import hashlib
import html
import json
from pathlib import Path

from typer.testing import CliRunner

from fsr_opt.app.ats import load_ats_rules
from fsr_opt.cli import app
from fsr_opt.core.ats import AtsRules, Split
from fsr_opt.engine.ats_split import split_fund
from fsr_opt.io.ats import (
    default_ats_example,
    default_ats_rules_path,
    load_indicators,
)
from fsr_opt.reports.ats import report_html

DEFAULT = {"FSR_OPT_LANG": None}


def run(*args: str) -> tuple[int, str]:
    result = CliRunner().invoke(app, list(args), env=DEFAULT)
    assert "Traceback" not in result.output
    return result.exit_code, result.output


def _split(fund: int | None = None) -> tuple[AtsRules, Split]:
    rules = load_ats_rules()
    return rules, split_fund(rules, load_indicators(default_ats_example("indicators.csv"),
                                                    rules), fund=fund)


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


# 4. Indicators are numbers ------------------------------------------------------------------


def test_a_bad_indicator_is_told_as_a_number_naming_the_column(tmp_path: Path) -> None:
    rows = list(csv.reader(default_ats_example("indicators.csv").open(encoding="utf-8")))
    heading = rows[0]
    rows[1][heading.index("population_65")] = "trentamila"
    rows[2][heading.index("admitted_applications")] = "-21"
    rows[3][heading.index("population_65")] = ""
    bad = tmp_path / "indicators.csv"
    with bad.open("w", encoding="utf-8", newline="") as file:
        csv.writer(file).writerows(rows)
    code, italian = run("ats", "split", "--indicators", str(bad), "--out", str(tmp_path / "o"))
    assert code == 2
    assert "'trentamila' non è un numero; scrivi una cifra come 38500" in italian
    assert "'-21' è negativo; un indicatore vale 0 o più" in italian
    assert "indicare il valore della colonna 'population_65'" in italian
    assert "quot" not in italian and "population 65" not in italian
    _code, english = run("ats", "split", "--indicators", str(bad), "--out", str(tmp_path / "o"),
                         "--lang", "en")
    assert "'trentamila' is not a number; write a figure such as 38500" in english
    assert "'-21' is negative; an indicator is 0 or more" in english
    assert "write the value of the column 'population_65'" in english
    assert "share" not in english


def test_an_indicator_under_an_italian_heading_is_named_by_it(tmp_path: Path) -> None:
    text = default_ats_example("indicators.csv").read_text(encoding="utf-8")
    lines = text.splitlines()
    lines[0] = lines[0].replace("population_65", "popolazione 65+")
    lines[1] = lines[1].replace(",38500,", ",,")
    bad = tmp_path / "indicators.csv"
    bad.write_text("\n".join(lines) + "\n", encoding="utf-8")
    _code, output = run("ats", "split", "--indicators", str(bad), "--out", str(tmp_path / "o"))
    assert "indicare il valore della colonna 'popolazione 65+'" in output


# 6. and 9. The screens name the Ambiti and list the flagged reports -------------------------


def _flagged_reports(tmp_path: Path) -> Path:
    text = default_ats_example("monitoring.csv").read_text(encoding="utf-8")
    lines = text.splitlines()
    lines[1] = "BERGAMO,Bergamo,53000.00,53383.66,41200.00,9,18450.00"  # committed > assigned
    path = tmp_path / "flags.csv"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def test_the_rebalance_screen_names_the_ambiti_and_lists_the_flagged_reports(
    tmp_path: Path,
) -> None:
    reports = _flagged_reports(tmp_path)
    code, italian = run("ats", "rebalance", "--reports", str(reports), "--out",
                        str(tmp_path / "it"))
    assert code == 0
    assert "  Monte Bronzone - Basso Sebino → Bergamo: " in italian
    assert "BASSO_SEBINO" not in italian and "->" not in italian
    assert "Rendicontazioni che non tornano, usate così come sono: 1" in italian
    assert "  Bergamo: impegnato superiore all'assegnato" in italian
    code, english = run("ats", "rebalance", "--reports", str(reports), "--out",
                        str(tmp_path / "en"), "--lang", "en")
    assert code == 0 and "  Monte Bronzone - Basso Sebino → Bergamo: " in english
    assert "Reports that do not add up, used as they are: 1" in english
    assert "  Bergamo: committed above assigned" in english
    _code, clean = run("ats", "rebalance", "--out", str(tmp_path / "clean"))
    assert "Rendicontazioni che non tornano" not in clean


def test_the_monitor_screen_names_the_ambiti(tmp_path: Path) -> None:
    reports = _flagged_reports(tmp_path)
    for lang, words in (("it", "  Bergamo: impegnato superiore all'assegnato"),
                        ("en", "  Bergamo: committed above assigned")):
        code, output = run("ats", "monitor", "--reports", str(reports), "--out",
                           str(tmp_path / lang), "--lang", lang)
        assert code == 0 and words in output and "BERGAMO" not in output


# 7. The set-aside's indicator by its label --------------------------------------------------


def test_the_split_rule_names_the_set_aside_indicator_by_its_label() -> None:
    rules, split = _split()
    italian = html.unescape(report_html(rules, split=split).decode())
    english = html.unescape(report_html(rules, split=split, lang="en").decode())
    assert "in proporzione all'indicatore «Sportelli per l'assistenza familiare attivi»" \
        in italian
    assert 'in proportion to the indicator "Sportelli per l\'assistenza familiare attivi"' \
        in english
    assert "'desks'" not in italian and "'desks'" not in english


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
