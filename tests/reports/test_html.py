"""report.html: self-contained, Italian by default, and showing every figure it must show."""

from __future__ import annotations

import json
import re
from dataclasses import replace
from decimal import Decimal
from html import escape
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from fsr_opt.app.pipeline import Inputs, load_inputs
from fsr_opt.audit.run import audit_solution
from fsr_opt.core.schema import RuleSet, SolveResult
from fsr_opt.core.words import money, phrases, text
from fsr_opt.engine.eligibility import assess
from fsr_opt.engine.outcomes import unit_outcomes
from fsr_opt.engine.solve import solve_riparto
from fsr_opt.reports import html
from fsr_opt.reports.annex import Annex, AnnexRow, by_municipality, by_operator, total
from fsr_opt.reports.html import html_report, line_bars, parameter_name, parameter_value
from fsr_opt.reports.tables import (
    OperatorPayments,
    operator_payments,
    payment_rows,
    run_document,
)

from tests.conftest import table, tiny_rules, unit


def render(inputs: Inputs, result: SolveResult, lang: str = "it",
           overrides: tuple[str, ...] = (),
           payments: list[OperatorPayments] | None = None) -> str:
    assert result.allocation is not None
    outcomes = unit_outcomes(inputs.assessments, result.allocation, inputs.rules)
    document = run_document(
        result=result, rules=inputs.rules,
        inputs={inputs.table.source: inputs.table.sha256,
                inputs.rules.source: inputs.rules.sha256},
        overrides=[tuple(o.split("=", 1)) for o in overrides],  # type: ignore[misc]
        started_at="", finished_at="",
    )
    report = audit_solution(inputs.assessments, inputs.rules, result.allocation.awards)
    return html_report(outcomes, result.allocation, inputs.rules, document, audit=report,
                       lang=lang, payments=payments).decode("utf-8")


@pytest.fixture(scope="module")
def example() -> tuple[Inputs, SolveResult, str]:
    inputs = load_inputs(None, None)
    result = solve_riparto(inputs.assessments, inputs.rules)
    return inputs, result, render(inputs, result)


def test_self_contained_page(example: tuple[Inputs, SolveResult, str]) -> None:
    page = example[2]
    assert page.startswith("<!DOCTYPE html>") and '<html lang="it">' in page
    assert "<style>" in page and "<svg" in page
    assert "<script" not in page and "<link" not in page and "<img" not in page
    # The only URL is the SVG namespace: nothing is fetched from the network.
    assert set(re.findall(r"https?://[^\"' <]+", page)) == {"http://www.w3.org/2000/svg"}
    assert page.count("<table") == page.count("</table>") >= 8
    assert page.count("<svg") == page.count("</svg>") == 4


def test_every_figure_is_shown(example: tuple[Inputs, SolveResult, str]) -> None:
    inputs, result, page = example
    rules = inputs.rules
    assert result.allocation is not None
    assert "Riparto del Fondo Sociale Regionale 2025" in page
    assert "892.495,35" in page  # fund and total awarded
    for budget in ("446.247,68", "89.249,53", "356.998,14"):  # area budgets
        assert budget in page
    for area in rules.areas:
        assert escape(area.label) in page
        for service in area.services:
            awarded = result.allocation.services[service.code].awarded
            assert money(awarded, "it") in page, service.code
            assert money(service.historical, "it") in page, service.code
            assert escape(service.label) in page
    assert "300,00" in page  # minimum award
    # the binding limits in words, not as codes (the codes stay in the CSV files)
    for code in ("AREA_BUDGET", "BELOW_MINIMUM", "EXCLUDED", "FORMULA"):
        assert f">{escape(text(f'binding_label.{code}', 'it'))}<" in page
    assert ">EXCLUDED<" not in page and ">FORMULA<" not in page  # (the others are checks too)


def test_legal_references_and_input_hashes(example: tuple[Inputs, SolveResult, str]) -> None:
    inputs, _, page = example
    assert inputs.rules.parameters
    for parameter in inputs.rules.parameters:
        assert escape(parameter.path) in page
        assert escape(parameter.reference) in page, parameter.path
        assert escape(parameter_value(parameter.value, "it", parameter.path)) in page
        assert escape(parameter_name(parameter.path, inputs.rules, "it")) in page
    # in words and in the forms of the language, not as the rule file writes them
    assert "Aree / Area Disabili / quota del fondo" in page and "892.495,35 EUR" in page
    # an area and its one service line share the code 'anziani': each has its own label
    assert "Aree / Area Anziani / quota del fondo" in page
    assert parameter_name("areas.anziani.services.anziani.historical_2024", inputs.rules,
                          "it").startswith("Aree / Area Anziani / linee di servizio / Servizi ")
    assert ">true<" not in page and ">sì<" in page
    # a choice among words is said in words, not as the rule file's code
    assert ">in proporzione agli obiettivi delle altre linee (ripartizione storica)<" in page
    assert ">entro la stessa area<" in page and ">targets<" not in page
    # the share of a line as a percent, as the workbook shows it (adm: lambda 0.144710)
    assert ">14,4710%<" in page and ">0,144710<" not in page
    assert inputs.table.sha256 in page and inputs.rules.sha256 in page
    # the input files by their names, not by the folders of the computer that made the page
    assert ">units.csv<" in page and escape(inputs.table.source) not in page


def test_checks_and_payments(example: tuple[Inputs, SolveResult, str]) -> None:
    page = example[2]
    assert "Verifiche" in page and "NON superata" not in page
    assert re.search(r"(\d+) verifiche superate su \1", page)
    assert "Pagamenti per ente gestore" in page and "Prima tranche" in page


def test_english(example: tuple[Inputs, SolveResult, str]) -> None:
    inputs, result, _ = example
    page = render(inputs, result, lang="en", overrides=("minimum_award=300",))
    assert '<html lang="en">' in page and "Split by area" in page
    assert "446,247.68" in page and "892,495.35" in page
    assert "minimum_award=300" in page  # overrides are shown, in words and as typed
    assert ("<li>Minimum award: 300.00 EUR <span class=\"code cli\">(minimum_award=300)</span>"
            in page)



def test_the_parameters_are_described_in_the_page_s_language(
    example: tuple[Inputs, SolveResult, str]
) -> None:
    # The annex of an Italian deliberation describes the rules in Italian: the bundled rule
    # set gives each description in both languages.
    inputs, result, italian = example
    english = render(inputs, result, lang="en")
    for parameter in inputs.rules.parameters:
        assert escape(parameter.description_in("it")) in italian, parameter.path
        assert escape(parameter.description_in("en")) in english, parameter.path
        assert parameter.description_in("it") != parameter.description_in("en"), parameter.path
    assert escape("L'intero fondo è ripartito tra le aree") in italian
    assert "The whole fund is split among the areas" not in italian


def test_the_payments_rows_are_what_the_generic_table_writes() -> None:
    rules: RuleSet = tiny_rules({"s": ("a", 100)}, {"a": 100}, fund=300000)
    units = [unit(f"U{n}", "s", 40000 + 1000 * n, operator=["A & B <b>", " Op", "Op", ""][n % 4])
             for n in range(9)]
    tab = table(units)
    inputs = Inputs(tab, rules, assess(tab, rules), ())
    result = solve_riparto(inputs.assessments, rules)
    assert result.allocation is not None
    outcomes = unit_outcomes(inputs.assessments, result.allocation, rules)
    paid = payment_rows(operator_payments(outcomes))
    cents = [[round(Decimal(cell) * 100) for cell in row[2:]] for row in paid]
    rows = [[html._t(row[0]), html._n(row[1]), *(html._n(money(v, "it")) for v in values)]
            for row, values in zip(paid, cents, strict=True)]
    rows.append([html._t(text("word.TOTAL", "it")), html._n(str(sum(int(r[1]) for r in paid))),
                 *(html._n(money(sum(v[i] for v in cents), "it")) for i in range(3))])
    w = phrases("html", "it")
    expected = html._table([w("operator"), w("funded"), w("awarded"), w("first"), w("second")],
                           rows, totals=[len(rows) - 1])
    assert len(paid) == 3 and "A &amp; B &lt;b&gt;" in expected
    assert f"{expected}</details>" in html._payments_section(
        operator_payments(outcomes), rules, w, "it")


def test_the_page_shows_the_payments_it_is_given(
    example: tuple[Inputs, SolveResult, str],
) -> None:
    # a run makes the payments once (`operator_payments`) for payments.csv, workbook and page
    inputs, result, page = example
    given = [OperatorPayments("Ente Zeta di prova", 7, 123456, 100000, 23456)]
    shown = render(inputs, result, payments=given)
    row = ('<tr><td>Ente Zeta di prova</td><td class="n">7</td><td class="n">1.234,56</td>'
           '<td class="n">1.000,00</td><td class="n">234,56</td></tr>')
    assert "Ente Zeta" not in page and shown.count("Ente Zeta") == 1 and row in shown


def test_text_from_the_data_is_escaped() -> None:
    rules: RuleSet = tiny_rules({"s": ("a", 100)}, {"a": 100}, fund=100000)
    units = [unit("U1", "s", 80000, name="<script>alert(1)</script>", applied=False),
             unit("U2", "s", 50000, operator="A & B <b>"), unit("U3", "s", 100)]
    tab = table(units)
    inputs = Inputs(tab, rules, assess(tab, rules), ())
    page = render(inputs, solve_riparto(inputs.assessments, rules))
    assert "<script" not in page and "A & B <b>" not in page
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page
    assert "A &amp; B &lt;b&gt;" in page


@given(st.text())
def test_escape_writes_what_the_standard_library_writes(text: str) -> None:
    # our own five replacements spare every solve the import of html's entity table
    assert html.escape(text) == escape(text, quote=True)


def test_the_chart_of_the_lines_shows_what_they_receive_with_the_residuals() -> None:
    # Disabili at 20%: its units receive 67,363.04 EUR from the residual phase; the chart's
    # "now" bars are the page's Assegnato (riparto and residuals), adding up to the fund paid
    inputs = load_inputs(None, None, [("fund", "850000"), ("areas.minori.share", "44.44"),
                                      ("areas.disabili.share", "20")])
    result = solve_riparto(inputs.assessments, inputs.rules)
    assert result.allocation is not None
    outcomes = unit_outcomes(inputs.assessments, result.allocation, inputs.rules)
    bars = line_bars(outcomes, result.allocation, inputs.rules)
    assert result.allocation.residual_total > 0
    assert sum(now for _, _, now in bars) == result.allocation.total == sum(
        o.award for o in outcomes)


def test_every_printed_page_names_the_riparto_its_rules_and_its_page() -> None:
    """@page margin boxes: a page cut from the annex still says what it belongs to (H1)."""
    inputs = load_inputs(None, None)
    rules = inputs.rules
    document = {"input_files": {"units": {"path": "/some/folder/units.csv",
                                          "sha256": "02163e0dcb9a6ecc1f2b"}}}
    frame = html.print_frame(rules, document, "it")
    assert frame.startswith("@page{@bottom-left{content:")
    assert ('"Riparto FSR 2025 - Ambito di Bergamo - regole fsr-2025-bergamo v2025.2 - '
            'units.csv SHA-256 02163e0dcb9a…"') in frame  # the file's name, not its folders
    assert '@bottom-right{content:"Pagina " counter(page) " di " counter(pages);' in frame
    english = html.print_frame(rules, document, "en")
    assert '"Page " counter(page) " of " counter(pages)' in english
    assert "Ambito of Bergamo - rules fsr-2025-bergamo" in english
    # a name that would end the CSS string or the <style> is written as CSS escapes
    odd = html.print_frame(replace(rules, ambito='A"</style>\\'), {}, "it")
    assert '"' not in odd.split("content:", 1)[1].split(";", 1)[0][1:-1]
    assert "</style>" not in odd and "\\\\" not in odd


def test_the_printed_page_carries_its_frame_and_the_approved_criteria(
        example: tuple[Inputs, SolveResult, str]) -> None:
    inputs, _, page = example
    style = page.split("<style>", 1)[1].split("</style>", 1)[0]
    assert html.print_frame(inputs.rules, {}, "it") in style
    # page 1 says which approved criteria it applies, in words, then the rule set's id
    assert inputs.rules.reference.startswith("Criteri di riparto FSR 2025")
    subtitle = page.split('<p class="sub">', 1)[1].split("</p>", 1)[0]
    assert "criteri applicati: Criteri di riparto FSR 2025" in subtitle
    assert "DGR n. XII/4793 del 28/07/2025" in subtitle and "fsr-2025-bergamo" in subtitle
    # a rule set without a reference keeps the id alone
    result = solve_riparto(inputs.assessments, replace(inputs.rules, reference=""))
    bare = render(replace(inputs, rules=replace(inputs.rules, reference="")), result)
    assert "criteri applicati" not in bare and "regole fsr-2025-bergamo v2025.2" in bare


def test_on_paper_the_cli_keys_are_left_out_and_the_warnings_kept_whole(
        example: tuple[Inputs, SolveResult, str]) -> None:
    inputs, result, _ = example
    page = render(inputs, result, overrides=("minimum_award=300",))
    style = page.split("<style>", 1)[1].split("</style>", 1)[0]
    printed = style.split("@media print{", 1)[1]
    # the warnings box is not split between two pages
    assert re.search(r"[{}][^{}]*\.warn[^{}]*\{break-inside:avoid\}", printed)
    assert "table.params th:last-child,table.params td:last-child,.cli{display:none}" in printed
    assert '<table class="params">' in page
    # the override in words, its key=value as typed only on screen
    assert '<span class="code cli">(minimum_award=300)</span>' in page
    # the codes are printed at the table's size, broken only where they must be
    assert ".code{font-size:.88em;word-break:normal;overflow-wrap:anywhere}" in printed


def test_counts_of_thousands_are_grouped_in_the_report_s_language(tmp_path: Path) -> None:
    """An Ambito of 2,000 units reads "2.000" in Italian, "2,000" in English: never "2000"."""
    from benchmarks.generate import fund_for, generate, write_instance  # noqa: PLC0415

    units = write_instance(generate(2000, 1), tmp_path)
    inputs = load_inputs(units, None, [("fund", str(fund_for(2000)))])
    result = solve_riparto(inputs.assessments, inputs.rules)
    italian, english = render(inputs, result, "it"), render(inputs, result, "en")
    assert "2.000; ammesse " in italian and "2,000; eligible " in english
    assert not re.search(r">\d{4,}<", italian)  # no count cell of four digits ungrouped


def _boxes(page: str) -> tuple[str, str]:
    """The summary's warnings as printed, and the run's advice shown on screen only."""
    printed = re.search(r'<div class="warn"><b>Avvertenze</b>.*?</div>', page, re.S)
    screen = re.search(r'<div class="warn screen">.*?</div>', page, re.S)
    return printed.group() if printed else "", screen.group() if screen else ""


def test_on_paper_the_warnings_say_what_was_found_the_advice_stays_on_screen(
        tmp_path: Path) -> None:
    """The deliberation's reader is told what was found and how it was treated, not what to
    check: "controlla come è scritto" is for whoever prepares the data (screen only)."""
    from fsr_opt.app.pipeline import run_solve  # noqa: PLC0415

    run_solve(load_inputs(None, None), tmp_path / "it", lang="it")
    page = (tmp_path / "it" / "report.html").read_text(encoding="utf-8")
    printed, screen = _boxes(page)
    assert ("<li>Dalmine non è un comune dell&#x27;Ambito: la sua unità UDO356205 è esclusa dal "
            "riparto (ubicata fuori dall&#x27;Ambito).</li>") in printed
    assert "Seriate non è un comune" in printed and "I comuni dell&#x27;Ambito sono: Bergamo, " \
        in printed
    assert "controlla" not in printed and "units.csv" not in printed
    # the run's warnings, as run.json keeps them, on screen under their own heading
    warnings = json.loads((tmp_path / "it" / "run.json").read_bytes())["warnings"]
    assert "Per chi prepara i dati" in screen and len(warnings) == 2
    assert all(f"<li>{escape(line)}</li>" in screen for line in warnings)
    style = page.split("<style>", 1)[1].split("</style>", 1)[0]
    assert ".screen{display:none}" in style.split("@media print{", 1)[1]
    # in English, the same statements in English words
    inputs = load_inputs(None, None)
    result = solve_riparto(inputs.assessments, inputs.rules)
    english = render(inputs, result, lang="en")
    assert ("Dalmine is not a municipality of the Ambito: its unit UDO356205 is excluded from "
            "the riparto (located outside the Ambito).") in english


def test_money_left_unassigned_is_stated_for_the_reader() -> None:
    inputs = load_inputs(None, None, [("fund", "850000"), ("areas.minori.share", "44.44"),
                                      ("areas.disabili.share", "20"), ("residui.scope", "none")])
    result = solve_riparto(inputs.assessments, inputs.rules)
    assert result.allocation is not None and result.allocation.unassigned > 0
    printed, screen = _boxes(render(inputs, result))
    left = money(result.allocation.unassigned, "it")
    assert (f"<li>{left} EUR del fondo restano non assegnati: il perché, area per area, è in "
            "«Residui e fondi non assegnati».</li>") in printed
    assert "--set" not in printed and "--set residui.scope=area" in screen


def test_many_units_outside_the_ambito_are_counted_after_the_first_ten() -> None:
    inputs = load_inputs(None, None)
    result = solve_riparto(inputs.assessments, inputs.rules)
    assert result.allocation is not None
    rows = [AnnexRow(f"U{n:02}", "", "Treviglio", "Ente", "a", "s", 0, 0, 0, 0, 0,
                     ("OUTSIDE_AMBITO",), 0) for n in range(13)]
    annex = Annex(rows, by_municipality(rows), by_operator(rows), total("", rows))
    found = html.found_statements(annex, result.allocation, inputs.rules, "it")
    assert found[0] == ("Treviglio non è un comune dell'Ambito: le sue 13 unità (U00, U01, U02, "
                        "U03, U04, U05, U06, U07, U08, U09 e altre 3) sono escluse dal riparto "
                        "(ubicata fuori dall'Ambito).")
    assert html.found_statements(Annex([], [], [], total("", [])), result.allocation,
                                 inputs.rules, "en") == []
