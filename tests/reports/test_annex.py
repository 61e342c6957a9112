"""The deliberation's annex: allocation.xlsx's print set-up and totals, report.html's unit list.

allocation.xlsx is read back with openpyxl (a reader that is not ours): every sheet prints A4
landscape, one page wide, its heading row repeated, with a footer naming the rule set and the
units' SHA-256; every sheet ends with a TOTALE row equal, to the cent, to the sum of its rows;
the readers of an allocation (the audit, compare) skip that row.
"""

from __future__ import annotations

import io
import re
from decimal import Decimal
from pathlib import Path

import openpyxl
import pytest
from openpyxl.worksheet.worksheet import Worksheet
from typer.testing import CliRunner

from fsr_opt.app.pipeline import load_inputs, run_solve
from fsr_opt.audit.allocation import parse_allocation
from fsr_opt.cli import app
from fsr_opt.core.money import format_cents
from fsr_opt.core.words import money, phrases, text
from fsr_opt.engine.outcomes import unit_outcomes
from fsr_opt.engine.solve import solve_riparto
from fsr_opt.io.allocation import load_allocation_table
from fsr_opt.io.cells import is_total_label
from fsr_opt.reports import html, workbook
from fsr_opt.reports.annex import (
    Annex,
    AnnexRow,
    GroupTotal,
    annex_rows,
    build_annex,
    by_municipality,
    by_operator,
    reason_text,
    shown_name,
    total,
)
from fsr_opt.reports.tables import allocation_rows
from fsr_opt.whatif.saved import view_from_rows

from tests.conftest import tiny_rules, unit
from tests.whatif.runs import solve

SHEETS = ["Riparto", "Allegato", "Per Comune", "Per ente", "Pagamenti", "Esclusioni",
          "Riepilogo", "Verifiche"]


@pytest.fixture(scope="module")
def run_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("annex")
    result = CliRunner().invoke(app, ["solve", "--out", str(out), "-q", "--lang", "it"])
    assert result.exit_code == 0, result.output
    return out


@pytest.fixture(scope="module")
def book(run_dir: Path) -> openpyxl.Workbook:
    return openpyxl.load_workbook(io.BytesIO((run_dir / "allocation.xlsx").read_bytes()))


def cents(value: object) -> int:
    return int(Decimal(str(value)) * 100)


def body_and_total(sheet: Worksheet) -> tuple[list[tuple[object, ...]], tuple[object, ...]]:
    """The rows under the heading, up to the blank row; and the TOTALE row after it."""
    rows = list(sheet.iter_rows(min_row=2, values_only=True))
    blank = next(i for i, row in enumerate(rows) if all(v is None for v in row))
    total = rows[blank + 1]
    assert total[0] == "TOTALE", sheet.title
    return rows[:blank], total


def test_every_sheet_prints_landscape_fit_to_width_with_titles_and_footer(
    book: openpyxl.Workbook, run_dir: Path
) -> None:
    assert book.sheetnames == SHEETS
    units_hash = load_inputs(None, None).table.sha256
    for sheet in book.worksheets:
        assert sheet.page_setup.orientation == "landscape", sheet.title
        assert sheet.page_setup.paperSize == 9  # A4
        assert sheet.sheet_properties.pageSetUpPr.fitToPage is True
        assert (sheet.page_setup.fitToWidth, sheet.page_setup.fitToHeight) == (1, 0)
        footer = sheet.oddFooter
        assert "fsr-2025-bergamo" in footer.left.text
        assert footer.center.text == f"SHA-256 unità: {units_hash}"
        assert footer.right.text == "Pagina &P di &N"
        if sheet.title != "Verifiche" or sheet["A1"].value == "Verifica":
            assert sheet.print_title_rows == "$1:$1", sheet.title


@pytest.mark.parametrize("name", ["Riparto", "Allegato", "Per Comune", "Per ente", "Pagamenti",
                                  "Esclusioni"])
def test_totale_is_the_sum_of_the_rows_to_the_cent(book: openpyxl.Workbook, name: str) -> None:
    sheet = book[name]
    rows, total = body_and_total(sheet)
    money = [i for i, cell in enumerate(sheet[2]) if cell.number_format == "#,##0.00"]
    assert money, name
    for index in money:
        assert cents(total[index]) == sum(cents(r[index]) for r in rows if r[index] is not None)
    counts = [i for i, cell in enumerate(sheet[2]) if cell.number_format == "0"]
    for index in counts:
        assert total[index] == sum(r[index] for r in rows), (name, index)
    if name != "Esclusioni":
        award = [c.value for c in sheet[1]].index(
            "Contributo totale" if name == "Pagamenti" else "Contributo")
        assert cents(total[award]) == 89249535


def test_verifiche_and_riepilogo_total_rows(book: openpyxl.Workbook) -> None:
    rows, total = body_and_total(book["Verifiche"])
    # the violations are added up; the things checked (units, areas, lines...) are not
    assert total[3] is None and total[4] == sum(r[4] for r in rows) == 0
    summary = list(book["Riepilogo"].iter_rows(min_row=2, values_only=True))
    areas = [r for r in summary if r[1] == "TOTALE" and r[0] != "TOTALE"]
    fund = next(r for r in summary if r[0] == "TOTALE" and r[1] == "TOTALE")
    assert cents(fund[6]) == sum(cents(r[6]) for r in areas) == 89249535


def test_the_annex_lists_every_unit_by_comune_with_its_shortfall(
    book: openpyxl.Workbook, run_dir: Path
) -> None:
    rows, _ = body_and_total(book["Allegato"])
    headings = [c.value for c in book["Allegato"][1]]
    assert headings == ["Comune", "Ente gestore", "Codice unità", "Denominazione", "Area",
                        "Linea di servizio", "Spettanza", "Contributo", "Contributo dai residui",
                        "Prima tranche", "Seconda tranche", "Motivo o limite",
                        "Importo mancante"]
    riparto, _ = body_and_total(book["Riparto"])
    assert sorted(r[2] for r in rows) == sorted(r[0] for r in riparto)  # every unit, once
    comuni = [str(r[0]).casefold() for r in rows]
    assert comuni == sorted(comuni)
    for row in rows:
        entitlement, award, short = cents(row[6]), cents(row[7]), cents(row[12])
        assert short == max(0, entitlement - award)
        assert row[11]  # a reason or a limit, always
    below = next(r for r in rows if cents(r[7]) == 0 and cents(r[6]) > 0)
    assert cents(below[12]) == cents(below[6]) and "minimo" in below[11]
    # one Comune spelled two ways in the units table is one group
    assert [r[0] for r in book["Per Comune"].iter_rows(min_row=2, values_only=True)
            ].count("Bergamo") == 1


def test_the_audit_and_compare_skip_the_totale_row(run_dir: Path) -> None:
    loaded = load_allocation_table(run_dir / "allocation.xlsx")
    assert any(is_total_label(r.get("Codice unità")) for r in loaded.rows)
    provided = parse_allocation(loaded.headings, loaded.rows, "allocation.xlsx",
                                dialect=loaded.dialect)
    assert len(provided.rows) == len(loaded.rows) - 1
    assert "TOTALE" not in {r.unit_id for r in provided.rows}
    code = CliRunner().invoke(app, ["audit", "--allocation", str(run_dir / "allocation.xlsx")])
    assert code.exit_code == 0, code.output
    csv_rows = load_allocation_table(run_dir / "allocation.csv").rows
    summary = load_allocation_table(run_dir / "summary.csv").rows
    total = {**csv_rows[0], "unit_id": "TOTALE", "name": "", "award": "892495.35"}
    view = view_from_rows("run", [*csv_rows, total], summary)
    assert len(view.units) == len(csv_rows) and view.units[0].municipality


def test_is_total_label() -> None:
    assert is_total_label("TOTALE") and is_total_label(" Total ") and is_total_label("totale")
    assert not is_total_label("UDO123") and not is_total_label(None) and not is_total_label(3)


def test_groups_and_shortfall_on_a_tiny_riparto() -> None:
    rules = tiny_rules({"s": ("a", 100)}, {"a": 100}, fund=100000)
    units = [unit("U1", "s", 80000, operator="Op U"),
             unit("U2", "s", 50000, municipality="BERGAMO ", operator="Ente B"),
             unit("U3", "s", 20000, operator="Ente B")]
    run = solve(rules, units)
    rows = annex_rows(run.outcomes)
    assert [r.unit_id for r in rows] == ["U2", "U3", "U1"]  # one Comune, then by ente
    for row in rows:
        assert row.shortfall == max(0, row.entitlement - row.award)
    assert sum(r.shortfall for r in rows) == 150000 - 100000
    comuni = by_municipality(rows)
    assert [(g.name, g.units) for g in comuni] == [("Bergamo", 3)]  # its usual spelling
    assert [(g.name, g.units) for g in by_operator(rows)] == [("Ente B", 2), ("Op U", 1)]
    assert sum(g.award for g in comuni) == sum(g.award for g in by_operator(rows)) == 100000


def _naive_groups(rows: list[AnnexRow], field: str) -> list[GroupTotal]:
    """The group totals written the obvious way (the one-pass code must agree)."""
    groups: dict[str, list[AnnexRow]] = {}
    for row in rows:
        groups.setdefault(" ".join(getattr(row, field).casefold().split()), []).append(row)
    out = []
    for members in groups.values():
        names = [getattr(r, field) for r in members]
        name = min(set(names), key=lambda n: (-names.count(n), n.casefold(), n))
        out.append(GroupTotal(name, len(members), sum(1 for r in members if r.award > 0),
                              *(sum(getattr(r, f) for r in members) for f in (
                                  "entitlement", "award", "residual_award", "tranche_1",
                                  "tranche_2", "shortfall")),
                              sum(1 for r in members if "OUTSIDE_AMBITO" in r.reasons)))
    return sorted(out, key=lambda g: (g.name.casefold(), g.name))


def test_build_annex_adds_up_as_the_obvious_code() -> None:
    rules = tiny_rules({"s": ("a", 100)}, {"a": 100}, fund=90000)
    spellings = ["Bergamo", "BERGAMO ", "bergamo", "Treviglio", " treviglio", "Dalmine"]
    units = [unit(f"U{n}", "s", 5000 + 1000 * n, municipality=spellings[n % 6],
                  operator=["Ente B", "ente  b", "Op U"][n % 3]) for n in range(30)]
    run = solve(rules, units)
    annex = build_annex(run.outcomes)
    raw = annex_rows(run.outcomes)
    # the same rows, each Comune and ente spelled as its group is (BERGAMO under Bergamo)
    assert [r._replace(municipality="", operator="") for r in annex.rows] == [
        r._replace(municipality="", operator="") for r in raw]
    groups = {" ".join(g.name.casefold().split()): g.name for g in annex.municipalities}
    enti = {" ".join(g.name.casefold().split()): g.name for g in annex.operators}
    assert [(r.municipality, r.operator) for r in annex.rows] == [
        (groups[" ".join(r.municipality.casefold().split())],
         enti[" ".join(r.operator.casefold().split())]) for r in raw]
    assert {r.municipality for r in annex.rows} == {g.name for g in annex.municipalities}
    assert annex.municipalities == by_municipality(raw) == by_municipality(annex.rows)
    assert annex.operators == by_operator(raw) == by_operator(annex.rows)
    assert annex.municipalities == _naive_groups(raw, "municipality")
    assert annex.operators == _naive_groups(raw, "operator")
    # five units each way: a tie, won by the first spelling in name order
    assert [g.name for g in annex.municipalities] == [" treviglio", "Bergamo", "Dalmine"]
    assert annex.whole == total("", annex.rows)
    assert annex.whole.units == 30
    assert annex.whole.award == sum(o.award for o in run.outcomes) > 0
    assert annex.whole.shortfall == sum(r.shortfall for r in annex.rows)
    assert build_annex([]).whole == total("", []) == GroupTotal("", 0, 0, 0, 0, 0, 0, 0, 0)
    assert total("x", []) == GroupTotal("x", 0, 0, 0, 0, 0, 0, 0, 0)


def test_report_html_lists_every_unit_once_under_its_comune_and_ente(run_dir: Path) -> None:
    page = (run_dir / "report.html").read_text(encoding="utf-8")
    assert "Allegato: elenco delle unità" in page and "Importo mancante" in page
    assert "Totali per Comune" in page and "Totali per ente gestore" in page
    annex = page[page.index('id="allegato"'):page.index("Unità non finanziate, per motivo")]
    rows = load_allocation_table(run_dir / "allocation.csv").rows
    # each unit once in the whole page: the units not funded are counted per reason, not
    # listed again
    assert all(page.count(f">{r['unit_id']}<") == annex.count(f">{r['unit_id']}<") == 1
               for r in rows)
    pairs = {(" ".join(r["municipality"].casefold().split()),
              " ".join(r["operator"].casefold().split())) for r in rows}
    assert annex.count('<tr class="group">') == len(pairs)  # each Comune and ente once
    assert annex.count("<tr") == len(rows) + len(pairs) + 2  # heading, units, TOTALE
    assert "<th>Comune</th>" not in annex and "Comune: Bergamo &#8212; Ente gestore: " in annex
    # a line by its code, its label once in the legend
    assert '<td class="id">prima_infanzia</td>' in annex
    assert annex.count("Prima infanzia (asili nido") == 1
    # no unit receives residuals in the example: no column of zeros
    assert "di cui residui" not in annex and "non ne ha la colonna" in annex
    unfunded = page[page.index("Unità non finanziate, per motivo"):]
    unfunded = unfunded[:unfunded.index("</table>")]
    assert "<td>ubicata fuori dall&#x27;Ambito</td><td class=\"n\">2</td>" in unfunded
    assert (f'<td>TOTALE</td><td class="n">{sum(1 for r in rows if r["award"] == "0.00")}</td>'
            in unfunded)
    assert "spettanza" in page  # the note says what the shortfall is
    css = re.search(r"<style>(.*)</style>", page, re.S)
    assert css is not None
    for rule in ("@page{size:A4 landscape", "thead{display:table-header-group}",
                 "break-inside:avoid", "h2.page{break-before:page}", "tr.group{break-after:avoid}"):
        assert rule in css.group(1)


def test_english_annex(tmp_path: Path) -> None:
    inputs = load_inputs(None, None)
    run_solve(inputs, tmp_path, lang="en")
    book = openpyxl.load_workbook(tmp_path / "allocation.xlsx")
    assert book.sheetnames[1:4] == ["Annex", "By municipality", "By operator"]
    assert book["Annex"]["M1"].value == "Shortfall"
    assert book["Annex"].oddFooter.right.text == "Page &P of &N"
    page = (tmp_path / "report.html").read_text(encoding="utf-8")
    assert "Annex: list of the units" in page and "Totals by municipality" in page


def _hostile_annex() -> Annex:
    rows = [AnnexRow(f"U<{n}>&", f'Nome "{n}" l\'unità', ["Bérgamo & Co", "", "<b>x</b>"][n % 3],
                     ["Ente 'A'", "", "Op U"][n % 2], "A1", "S<1>", 100000 + n, 1000 * (n % 4),
                     0, 500 * (n % 4), 500 * (n % 4),
                     ("BELOW_MINIMUM",) if n % 4 == 0 else ("SHARE",),
                     max(0, 100000 + n - 1000 * (n % 4)), n)
            for n in range(12)]
    return Annex(rows, by_municipality(rows), by_operator(rows), total("", rows))


@pytest.mark.parametrize(("lang", "residual"), [("it", True), ("en", True), ("it", False)])
def test_the_html_annex_rows_are_what_the_generic_table_writes(lang: str,
                                                               residual: bool) -> None:
    annex = _hostile_annex()
    if not residual:  # no unit receives residuals: their column is left out
        assert annex.whole.residual_award == 0
    else:
        rows = [r._replace(residual_award=r.award // 2) for r in annex.rows]
        annex = Annex(rows, by_municipality(rows), by_operator(rows), total("", rows))
    lines = {"S<1>": "Linea 'S' <1> & co", "S2": "unused"}  # a line by its code, escaped
    w = phrases("html", lang)
    unknown = w("not_given")
    width = 10 if residual else 9
    rows: list[str] = []
    group: tuple[str, str] | None = None
    for r in annex.rows:
        if (r.municipality, r.operator) != group:
            group = r.municipality, r.operator
            rows.append(f'<tr class="group"><th colspan="{width}">{html._e(w("municipality"))}: '
                        f"{html._e(r.municipality or unknown)} &#8212; "
                        f"{html._e(w('operator'))}: {html._e(r.operator or unknown)}</th></tr>")
        residuals = [html._n(money(r.residual_award, lang))] if residual else []
        rows.append(html._tr([(r.unit_id, "id"), html._t(r.name), (r.service, "id"),
                              *(html._n(money(v, lang)) for v in (r.entitlement, r.award)),
                              *residuals,
                              *(html._n(money(v, lang)) for v in (r.tranche_1, r.tranche_2)),
                              (reason_text(r, lang, 2024), "why"),
                              html._n(money(r.shortfall, lang))]))
    whole = annex.whole
    residuals = [html._n(money(whole.residual_award, lang))] if residual else []
    rows.append(html._tr([html._t(text("word.TOTAL", lang)),
                          html._t(f"{whole.units} ({w('funded')} {whole.funded})"), html._t(""),
                          *(html._n(money(v, lang)) for v in (whole.entitlement, whole.award)),
                          *residuals,
                          *(html._n(money(v, lang)) for v in (whole.tranche_1,
                                                               whole.tranche_2)),
                          html._t(""), html._n(money(whole.shortfall, lang))], total=True))
    table = html._table_of(rows, [w(k) for k in (
        "unit", "name", "line", "entitlement", "awarded",
        *(("residual_part",) if residual else ()), "first", "second", "reason", "shortfall")],
        css="annex")
    shown = "".join(html._annex_section(annex, lines, w, lang, 2024))
    assert table in shown
    assert ("Linea &#x27;S&#x27; &lt;1&gt; &amp; co" in shown and "unused" not in shown
            and "S&lt;1&gt;" in table)
    assert "U&lt;3&gt;&amp;" in table and "&quot;3&quot;" in table and "<b>" not in table
    assert "&lt;b&gt;x&lt;/b&gt;" in table and "Bérgamo &amp; Co" in table
    # the units that get nothing, counted per reason: each unit is listed above only
    short = [r for r in annex.rows if not r.funded]
    assert short and all(r.reasons == ("BELOW_MINIMUM",) for r in short)
    counted = html._table([w("reasons"), w("count"), w("shortfall")], [
        [html._t(reason_text(short[0], lang, 2024)), html._n(str(len(short))),
         html._n(money(sum(r.shortfall for r in short), lang))],
        [html._t(text("word.TOTAL", lang)), html._n(str(len(short))),
         html._n(money(sum(r.shortfall for r in short), lang))]], totals=[1])
    assert shown.endswith(counted)
    assert all(shown.count(f">{html._e(r.unit_id)}<") == 1 for r in annex.rows)
    # the totals per Comune and per ente
    for groups, first in ((annex.municipalities, "municipality"), (annex.operators, "operator")):
        rows = [[html._t(g.name or unknown), html._n(str(g.units)), html._n(str(g.funded)),
                 *(html._n(money(v, lang)) for v in (g.entitlement, g.award, g.residual_award,
                                                      g.tranche_1, g.tranche_2, g.shortfall))]
                for g in groups]
        rows.append([html._t(text("word.TOTAL", lang)), html._n(str(annex.whole.units)),
                     html._n(str(annex.whole.funded)),
                     *(html._n(money(v, lang)) for v in (
                         annex.whole.entitlement, annex.whole.award, annex.whole.residual_award,
                         annex.whole.tranche_1, annex.whole.tranche_2, annex.whole.shortfall))])
        assert len(groups) > 1
        table = html._table([w(k) for k in (first, "count", "funded", "entitlement", "awarded",
                                             "residual_part", "first", "second", "shortfall")],
                            rows, totals=[len(rows) - 1])
        assert html._groups_table(groups, first, w, lang) == table


def test_the_page_is_encoded_block_by_block_as_one_text() -> None:
    parts = ["a", "€", "b" * 3, "<è>", ""] * 7
    for block in (1, 2, 3, 1000):
        page = html._Page()
        page.write(parts[:3], block)
        page.write(iter(parts[3:]), block)  # a section's rows as it makes them
        assert page.encode() == "".join(parts).encode("utf-8")
    assert html._Page().encode() == b""


def test_e_escapes_only_what_needs_it() -> None:
    assert html._e("a & b <c> \"d\" 'e'") == "a &amp; b &lt;c&gt; &quot;d&quot; &#x27;e&#x27;"
    assert html._e("1.234,56") == "1.234,56" and html._e(12) == "12"


def test_the_allegato_takes_allocation_csv_amounts_or_writes_them() -> None:
    rules = tiny_rules({"s": ("a", 100)}, {"a": 100}, fund=90000)
    units = [unit(f"U{n}", "s", 5000 + 7001 * n, municipality=["B", "A"][n % 2])
             for n in range(9)]
    run = solve(rules, units)
    rows = annex_rows(run.outcomes)
    riparto = workbook._allocation(rules, "it", allocation_rows(run.outcomes))
    taken = workbook._annex(rows, rules, "it", riparto)
    written = workbook._annex([r._replace(position=-1) for r in rows], rules, "it", riparto)
    assert list(map(list, taken)) == list(map(list, written))
    assert list(taken[2]) == [r.unit_id for r in rows]
    award = [column.key for column in workbook.ANNEX_SHEET].index("award")
    assert list(taken[award]) == [format_cents(r.award) for r in rows]
    # the area and the service line by their labels, as the Assemblea knows them
    area, line = rules.areas[0], rules.areas[0].services[0]
    assert set(zip(taken[4], taken[5], strict=True)) == {(area.label, line.label)}
    assert workbook._annex([], rules, "it", riparto) == [() for _ in workbook.ANNEX_SHEET]


def test_a_comune_outside_the_ambito_is_marked_where_its_totals_are_shown() -> None:
    """The bundled example has units in Dalmine and Seriate, outside the Ambito: excluded, and
    their Comuni's rows say why they are listed at all (report.html, the Per Comune sheet)."""
    inputs = load_inputs(None, None)
    result = solve_riparto(inputs.assessments, inputs.rules)
    assert result.allocation is not None
    annex = build_annex(unit_outcomes(inputs.assessments, result.allocation, inputs.rules))
    shown = {group.name: shown_name(group, "-", "it") for group in annex.municipalities}
    assert shown["Dalmine"] == "Dalmine (fuori dall'Ambito)"
    assert shown["Seriate"] == "Seriate (fuori dall'Ambito)"
    assert shown["Bergamo"] == "Bergamo"
    assert shown_name(next(g for g in annex.municipalities if g.name == "Dalmine"), "-",
                      "en") == "Dalmine (outside the Ambito)"
