"""What an ATS officer reads: file names, parameters, figures, totals and Ambiti in words.

Each test runs in Italian (the default: FSR_OPT_LANG cleared) and in English (--lang en).
"""

from __future__ import annotations

import csv
import hashlib
import html
import io
import json
from pathlib import Path

import openpyxl
import pytest
from typer.testing import CliRunner

from fsr_opt.app.ats import load_ats_rules
from fsr_opt.cli import app
from fsr_opt.core.ats import AtsRules, MonitorLine, Rebalance, Split
from fsr_opt.engine.ats_monitor import monitor
from fsr_opt.engine.ats_rebalance import rebalance
from fsr_opt.engine.ats_split import split_fund
from fsr_opt.io.ats import (
    default_ats_example,
    default_ats_rules_path,
    load_indicators,
    load_monitoring,
)
from fsr_opt.reports.ats import report_html, report_workbook

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


# 2. and 3. The parameters in words, the fund actually split ---------------------------------


def test_every_parameter_of_the_bundled_rules_is_described_in_both_languages() -> None:
    rules = load_ats_rules()
    assert rules.version == "2025.2"
    for parameter in rules.parameters:
        assert set(parameter.descriptions) == {"it", "en"}, parameter.path
        assert parameter.description_in("it") != parameter.description_in("en")


@pytest.mark.parametrize(("lang", "present", "absent"), [
    ("it", ["Compensazione / trasferimento minimo", "1.000,00 EUR", "Una compensazione sposta",
            "Indicatori / Popolazione residente di 65 anni e oltre / peso",
            "Soglia minima per Ambito", "Quota registri e sportelli / percentuale del fondo",
            "Compensazione / numero massimo di trasferimenti", "Fondo"],
     ["rebalance.minimum_transfer", "1000.00 EUR", "330774.00", "The amount ATS Bergamo",
      "population_65", "no floor is named"]),
    ("en", ["Rebalance / minimum transfer", "1,000.00 EUR", "A compensazione moves",
            "Indicators / Popolazione residente di 65 anni e oltre / weight",
            "Floor per Ambito", "Rebalance / most transfers"],
     ["rebalance.minimum_transfer", "1000.00 EUR", "330774.00", "L'importo che ATS",
      "population_65"]),
])
def test_the_parameters_are_named_and_written_in_the_language(
    lang: str, present: list[str], absent: list[str]
) -> None:
    rules, split = _split()
    page = html.unescape(report_html(rules, split=split, lang=lang).decode())
    references = page[page.index("<h2>", page.index("<svg")):]
    for words in present:
        assert words in references, words
    for words in absent:
        assert words not in references, words
    book = openpyxl.load_workbook(io.BytesIO(report_workbook(rules, split=split, lang=lang)))
    sheet = book["Parametri" if lang == "it" else "Parameters"]
    rows = [[cell.value for cell in row] for row in sheet.iter_rows()]
    assert len(rows) == 1 + len(rules.parameters)
    cells = " ".join(str(v) for row in rows for v in row)
    for words in present:
        assert words in cells, words
    assert "rebalance.minimum_transfer" not in cells


@pytest.mark.parametrize(("lang", "value", "note"), [
    ("it", "400.000,01 EUR",
     "Fondo: 400.000,01 EUR, indicato con --fund, al posto dei 330.774,00 EUR delle regole"),
    ("en", "400,000.01 EUR",
     "Fund: 400,000.01 EUR, given with --fund, in place of the rule set's 330,774.00 EUR"),
])
def test_the_parameters_show_the_fund_given_with_the_fund_option(
    lang: str, value: str, note: str
) -> None:
    rules, split = _split(fund=400_000_01)
    page = html.unescape(report_html(rules, split=split, lang=lang).decode())
    references = page[page.rindex("<h2>"):]
    assert f"<td>{'Fondo' if lang == 'it' else 'Fund'}</td><td>{value}</td>" in references
    assert "330.774,00" not in references and "330,774.00" not in references
    assert note in page
    book = openpyxl.load_workbook(io.BytesIO(report_workbook(rules, split=split, lang=lang)))
    sheet = book["Parametri" if lang == "it" else "Parameters"]
    assert sheet.cell(2, 2).value == value
    assert note in [sheet.cell(row, 1).value for row in range(1, sheet.max_row + 1)]
    rules, split = _split()  # the rule set's own fund: no note
    assert note not in report_html(rules, split=split, lang=lang).decode()


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


# 5. Tables end with TOTALE ------------------------------------------------------------------


def _rebalanced(
    lang: str,
) -> tuple[openpyxl.Workbook, str, tuple[tuple[MonitorLine, ...], Rebalance]]:
    rules = load_ats_rules()
    lines = monitor(load_monitoring(default_ats_example("monitoring.csv"), rules))
    result = rebalance(lines, minimum=rules.minimum_transfer,
                       max_transfers=rules.max_transfers)
    book = openpyxl.load_workbook(io.BytesIO(report_workbook(
        rules, lines=lines, result=result, lang=lang)))
    page = html.unescape(report_html(rules, lines=lines, result=result, lang=lang).decode())
    return book, page, (lines, result)


@pytest.mark.parametrize(("lang", "total", "sheets"), [
    ("it", "TOTALE", ("Monitoraggio", "Compensazione", "Dopo la compensazione")),
    ("en", "TOTAL", ("Monitoring", "Rebalance", "After the rebalance")),
])
def test_the_monitoring_and_the_transfers_end_with_a_total(
    lang: str, total: str, sheets: tuple[str, str, str]
) -> None:
    book, page, (lines, result) = _rebalanced(lang)
    monitoring, transfers, after = (book[name] for name in sheets)
    last = [cell.value for cell in monitoring[monitoring.max_row]]
    assert last[0] == total
    assert last[2] == pytest.approx(sum(m.report.assigned for m in lines) / 100)
    assert last[4] == pytest.approx(sum(m.report.spent for m in lines) / 100)
    assert last[7] == sum(m.report.unmet_applications for m in lines)
    assert last[10] == pytest.approx(sum(m.need for m in lines) / 100)
    assert last[11] in ("", None)  # flags do not add up
    moved = sum(t.amount for t in result.transfers) / 100
    row = next(r for r in transfers.iter_rows(values_only=True) if r[0] == total)
    assert row[2] == pytest.approx(moved) and row[3] in ("", None)
    row = next(r for r in after.iter_rows(values_only=True) if r[0] == total)
    assert row[2] == pytest.approx(row[5])  # money is conserved: assigned = after
    assert row[3] == pytest.approx(moved) and row[4] == pytest.approx(moved)
    # the page's monitoring and transfers, each with its bold total row
    assert page.count(f'<tr class="total"><td>{total}</td>') == 2


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
    # an Ambito by its name, its code (the files' key) in brackets
    assert "      - Bergamo (BERGAMO): 63.383,66 EUR, le regole assegnano 53.383,66 EUR" in italian
    assert "      - Bergamo (BERGAMO): 63,383.66 EUR" in english


# 10. On paper, in one term, with rates people compare ----------------------------------------


@pytest.mark.parametrize(("lang", "footer", "number"), [
    # the split alone: its title names what it holds, not monitoring and rebalance too
    ("it", '"ATS Bergamo: riparto tra gli Ambiti (2025) - regole '
     'ats-bergamo-2025 v2025.2"', '"Pagina " counter(page) " di " counter(pages);'),
    ("en", '"ATS Bergamo: split among the Ambiti (2025) - rules '
     'ats-bergamo-2025 v2025.2"', '"Page " counter(page) " of " counter(pages);'),
])
def test_every_printed_page_says_which_report_and_which_page(
    lang: str, footer: str, number: str
) -> None:
    rules, split = _split()
    page = report_html(rules, split=split, lang=lang).decode()
    style = page[page.index("<style>"):page.index("</style>")]
    assert f"@bottom-left{{content:{footer};" in style
    assert f"@bottom-right{{content:{number}" in style


def test_the_italian_report_calls_the_act_riparto() -> None:
    _book, page, _figures = _rebalanced("it")
    assert "monitoraggio e compensazione tra gli Ambiti (2025)</h1>" in html.unescape(page)
    rules, split = _split()
    split_page = html.unescape(report_html(rules, split=split).decode())
    assert "Riparto per indicatori: " in split_page
    for text in (page, split_page):
        assert "ipartizione" not in text


@pytest.mark.parametrize(("lang", "rate", "total"), [("it", "77,2%", "72,1%"),
                                                     ("en", "77.2%", "72.1%")])
def test_spend_rates_are_percentages_with_one_decimal(lang: str, rate: str, total: str) -> None:
    _book, page, _figures = _rebalanced(lang)
    assert '<td>Bergamo</td><td class="n">53' in page
    assert f'<td class="n">{rate}</td>' in page  # Bergamo's 77.1772...%
    assert f'<td class="n">{total}</td>' in page
    assert "77,1772%" not in page and "77.1772%" not in page


def test_the_monitor_screen_gives_the_spend_rate_with_one_decimal(tmp_path: Path) -> None:
    code, italian = run("ats", "monitor", "--out", str(tmp_path))
    assert code == 0 and "speso 238.450,00 EUR (72,1%)" in italian
    monitor_csv = (tmp_path / "monitor.csv").read_text(encoding="utf-8")
    assert "0.7718" in monitor_csv  # the file keeps the exact ratio
