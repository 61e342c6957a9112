"""report.html: the riparto as one self-contained page for the Assemblea dei Sindaci.

The page is meant to be attached to the deliberation and read without fsr-opt: one file, no
network, no script. Styles are inline CSS and the charts are inline SVG drawn here (the area
split, each service line against its 2024 amount, the distribution of the awards, the limits
that bind), each with its figures in a table next to it, so that nothing is shown only as a
picture. The deliberation's annex follows (every unit once, under a heading of its Comune and
ente, with the reason it gets nothing or the limit on its award, and the amount that fell
short; then the units not funded counted per reason; the totals per Comune and per ente:
`fsr_opt.reports.annex`). Its warnings are statements for the reader of the deliberation (what
was found, how it was treated); the run's advice to whoever prepares the data shows on screen
only. It ends with the rule set's legal references and the
SHA-256 of every input, so that a reader can tell exactly which data and which rules produced
it. Printed (``@media print``), it is A4 landscape, the big sections start a page, table heads
repeat on every page and no row is cut between two pages (tests/reports/test_print.py).

Everything comes from `fsr_opt.reports.tables` (the same rows as the CSV files) and the run document
of run.json; the page holds no clock reading of its own, so the same run gives the same bytes.
Italian by default; ``lang="en"`` for English.
"""

from __future__ import annotations

import bisect
import io
import itertools
import math
import operator
import re
import string
from collections import Counter
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from fractions import Fraction
from pathlib import PurePath
from typing import Any

from fsr_opt import __version__
from fsr_opt.audit.report import AuditReport
from fsr_opt.core.i18n import resolve, translate
from fsr_opt.core.money import CentsTexts
from fsr_opt.core.schema import Allocation, Binding, ExclusionReason, RuleSet
from fsr_opt.core.words import (
    binding_label,
    describe,
    money,
    money_writer,
    percent,
    phrases,
    ratio,
    text,
)
from fsr_opt.core.words import count as count_text
from fsr_opt.engine.outcomes import UnitOutcome
from fsr_opt.reports.annex import (
    Annex,
    GroupTotal,
    build_annex,
    line_labels,
    reason_text,
    reason_words,
    shown_name,
)
from fsr_opt.reports.parameters import override_words, parameter_name, parameter_value
from fsr_opt.reports.tables import OperatorPayments, operator_payments, residual_lines
from fsr_opt.rules.budgets import distributable, set_aside_amounts

PALETTE = ("#1f5f8b", "#d9822b", "#3a8f5c", "#8e5ea2", "#c0392b", "#7f8c8d", "#b7950b")
# Award brackets of the distribution chart, in euros (the last is open-ended).
BRACKETS = (0, 1000, 2500, 5000, 10000, 25000)

_CSS = """
body{font-family:Georgia,'Times New Roman',serif;color:#222;max-width:62rem;margin:2rem auto;
padding:0 1rem;line-height:1.45}
h1{font-size:1.6rem;margin-bottom:.2rem}h2{font-size:1.25rem;border-bottom:2px solid #1f5f8b;
padding-bottom:.2rem;margin-top:2.2rem}h3{font-size:1.05rem}
.sub{color:#555;margin-top:0}
table{border-collapse:collapse;width:100%;margin:.6rem 0 1rem;font-size:.9rem}
th,td{border:1px solid #ccd;padding:.25rem .45rem;vertical-align:top}
th{background:#e8eef5;text-align:left}
td.n{text-align:right;font-variant-numeric:tabular-nums;white-space:nowrap}
tr.total td{font-weight:bold;background:#f4f6f9}
.code{font-family:Menlo,Consolas,monospace;font-size:.82rem;word-break:break-all}
.ok{color:#1e7b34;font-weight:bold}.ko{color:#b03a2e;font-weight:bold}
.kpi{display:flex;flex-wrap:wrap;gap:.8rem;margin:1rem 0}
.kpi div{border:1px solid #ccd;border-radius:4px;padding:.5rem .8rem;min-width:10rem}
.kpi b{display:block;font-size:1.15rem}
figure{margin:1rem 0}figcaption{font-size:.85rem;color:#555}
details summary{cursor:pointer;font-weight:bold;margin:.5rem 0}
.warn{background:#fff4e5;border-left:4px solid #d9822b;padding:.4rem .8rem}
.warn+.warn{margin-top:.8rem}
table.annex{font-size:.8rem;line-height:1.25}table.annex th,table.annex td{padding:.15rem .3rem}
table.annex{table-layout:fixed}table.annex thead th{width:5.6%}
table.annex thead th:first-child{width:7.5%}table.annex thead th:nth-child(2){width:19%}
table.annex thead th:nth-child(3){width:11%}table.annex thead th:nth-last-child(2){width:auto}
.id{white-space:nowrap}table.annex td.id{white-space:normal;overflow-wrap:anywhere}
table.annex tr.group th{background:#f4f6f9;padding-top:.35rem}
.note{font-size:.85rem;color:#444}.legend .id{font-weight:bold}
@page{size:A4 landscape;margin:12mm 10mm 14mm}
@media print{
body{max-width:none;margin:0;padding:0;font-size:10pt}
table{font-size:8.5pt}table.annex{font-size:8pt;line-height:1.15}
table.annex th,table.annex td{padding:.5pt 3pt}tr.group{break-after:avoid}
table.annex thead th:nth-child(3){width:9%}
.code{font-size:.88em;word-break:normal;overflow-wrap:anywhere}
table.params th:last-child,table.params td:last-child,.cli{display:none}
.screen{display:none}table.annex tr.group th{background:#f4f6f9 !important;padding-top:2pt}
thead{display:table-header-group}tfoot{display:table-footer-group}
tr,figure,.kpi div,li,.warn{break-inside:avoid}
svg.ring{max-width:140mm !important}
h1,h2,h3{break-after:avoid}h2.page{break-before:page}
details{display:block}details>summary{display:none}
details::details-content{content-visibility:visible;display:contents}
th{background:#e8eef5 !important;-webkit-print-color-adjust:exact;print-color-adjust:exact}
}
"""

_SPECIAL = re.compile("[&<>\"']")


def escape(text: str) -> str:
    """`text` with ``&<>"'`` as HTML entities, as `html.escape` writes them.

    Written out because the `html` package loads its table of 2,231 named entities on import,
    which every solve would pay for five replacements.
    """
    return (text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
            .replace('"', "&quot;").replace("'", "&#x27;"))


def _e(value: object) -> str:
    """`value` as HTML text: escaped only when it holds one of ``&<>"'`` (one regex search)."""
    text = value if type(value) is str else str(value)
    return escape(text) if _SPECIAL.search(text) else text


def _escaped_column(rows: Sequence[object], field: str) -> Sequence[str]:
    """`_e` of one text field of each row: the texts as they are when none needs it.

    One search of the joined texts instead of one per row: the annex of a large Ambito
    lists 100,000 unit ids and names, a special character among them is rare.
    """
    texts = list(map(operator.attrgetter(field), rows))
    return list(map(_e, texts)) if _SPECIAL.search("".join(texts)) else texts


class _Escaped(dict[str, str]):
    """`_e`, remembered: the Comuni, enti and reasons of an annex repeat on many rows."""

    def __missing__(self, text: str) -> str:
        escaped = self[text] = _e(text)
        return escaped


_CSS_SPECIAL = re.compile(r'[\\"<>\n]')


def _css_string(text: str) -> str:
    """`text` as a quoted CSS string, safe inside ``<style>`` (no ``</style>`` can close it)."""
    return '"' + _CSS_SPECIAL.sub(lambda m: f"\\{ord(m.group()):x} ", text) + '"'


def print_frame(rules: RuleSet, document: Mapping[str, Any], lang: str) -> str:
    """The running footer of every printed page: the riparto, its rules and input, the page.

    A page of the annex separated from the others still says which riparto, rule set and
    units file it belongs to, and can be cited by its number ("Pagina 12 di 59"), as each
    page of the workbook's sheets can. CSS margin boxes of ``@page``: on screen nothing shows.
    """
    footer = text("html.running_footer", lang).format(
        year=rules.year, ambito=rules.ambito, rule_set=rules.rule_set_id, version=rules.version)
    units = document.get("input_files", {}).get("units")
    if units and units.get("sha256"):
        footer += " - " + text("html.running_input", lang).format(
            file=PurePath(units.get("path", "")).name, sha=units["sha256"][:12] + "…")
    return page_footer_css(footer, lang)


def page_footer_css(footer: str, lang: str) -> str:
    """The ``@page`` rule that prints `footer` at the left foot and "Pagina N di M" at the right."""
    counters = {"page": "counter(page)", "pages": "counter(pages)"}
    number = " ".join(
        part for literal, field, _, _ in string.Formatter().parse(
            text("html.page_number", lang))
        for part in (_css_string(literal) if literal else "", counters.get(field or "", ""))
        if part)
    box = "font:7.5pt Georgia,'Times New Roman',serif;color:#444"
    return (f"@page{{@bottom-left{{content:{_css_string(footer)};{box}}}"
            f"@bottom-right{{content:{number};{box}}}}}")


def _tr(row: Sequence[tuple[str, str]], total: bool = False) -> str:
    """One table row; each cell is (text, css class)."""
    cells = "".join([f'<td class="{cls}">{_e(text)}</td>' if cls else f"<td>{_e(text)}</td>"
                     for text, cls in row])
    return f'<tr class="total">{cells}</tr>' if total else f"<tr>{cells}</tr>"


def _table(headings: Sequence[str], rows: Sequence[Sequence[tuple[str, str]]],
           totals: Sequence[int] = (), css: str = "") -> str:
    """An HTML table; each cell is (text, css class); rows listed in `totals` are bold.

    Printed, the heading row repeats on every page and no row is cut between two (`_CSS`).
    """
    bold = set(totals)
    return _table_of([_tr(row, index in bold) for index, row in enumerate(rows)], headings,
                     css)


def _table_of(body: Iterable[str], headings: Sequence[str], css: str = "") -> str:
    """An HTML table of rows already written (`_tr`), under `headings`."""
    return "".join(_table_parts(body, headings, css))


def _table_parts(body: Iterable[str], headings: Sequence[str], css: str = "") -> Iterator[str]:
    """`_table_of`'s text in pieces, its rows as `body` gives them (`_Page`)."""
    head = "".join(f"<th>{_e(h)}</th>" for h in headings)
    open_tag = f'<table class="{css}">' if css else "<table>"
    yield f"{open_tag}<thead><tr>{head}</tr></thead><tbody>"
    yield from body
    yield "</tbody></table>"


class _Page:
    """The page as UTF-8, written a block of pieces at a time as the sections make them.

    The annex of a large Ambito is tens of megabytes of text: its rows are made one block at
    a time (the sections that list every unit are generators) and turned into bytes at once,
    so that the page is never held both as text and as bytes, nor as several copies of its
    text (a "€" makes Python store a text's every character in two bytes).
    """

    def __init__(self) -> None:
        self._out = io.BytesIO()

    def write(self, pieces: Iterable[str], block: int = 2000) -> None:
        """Add `pieces` to the page, `block` of them at a time."""
        remaining = iter(pieces)
        while chunk := list(itertools.islice(remaining, block)):
            self._out.write("".join(chunk).encode("utf-8"))

    def encode(self) -> bytes:
        """The page written so far."""
        return self._out.getvalue()


PAGE_CSS = _CSS
"""The report's styles, screen and print, for the other pages of the reports (scenario.html)."""


def html_table(headings: Sequence[str], rows: Sequence[Sequence[tuple[str, str]]],
               totals: Sequence[int] = (), css: str = "") -> str:
    """A table as report.html draws it (cells are (text, css class)), for the other pages."""
    return _table(headings, rows, totals, css)


def _n(text: str) -> tuple[str, str]:
    return text, "n"


def _t(text: str) -> tuple[str, str]:
    return text, ""


# ---------------------------------------------------------------------------------------------
# Charts (inline SVG)
# ---------------------------------------------------------------------------------------------


def _svg(width: int, height: int, body: str, title: str, css_class: str = "") -> str:
    kind = f' class="{css_class}"' if css_class else ""
    return (f'<svg xmlns="http://www.w3.org/2000/svg"{kind} viewBox="0 0 {width} {height}" '
            f'width="100%" role="img" aria-label="{_e(title)}" '
            f'style="max-width:{width}px;font-family:sans-serif;font-size:12px">'
            f"<title>{_e(title)}</title>{body}</svg>")


def donut_chart(parts: Sequence[tuple[str, int]], title: str, lang: str) -> str:
    """A ring split in proportion to `parts` (label, cents), with a legend."""
    total = sum(value for _, value in parts)
    cx, cy, outer, inner = 110, 110, 100, 55
    pieces = []
    angle = -math.pi / 2
    for index, (label, value) in enumerate(parts):
        colour = PALETTE[index % len(PALETTE)]
        fraction = value / total if total else 0
        tip = f"<title>{_e(label)}: {_e(money(value, lang))}</title>"
        if fraction >= 0.9999:
            pieces.append(f'<circle cx="{cx}" cy="{cy}" r="{(outer + inner) / 2}" fill="none" '
                          f'stroke="{colour}" stroke-width="{outer - inner}">{tip}</circle>')
        elif fraction > 0:
            end = angle + 2 * math.pi * fraction
            large = 1 if fraction > 0.5 else 0
            points = [
                (cx + outer * math.cos(angle), cy + outer * math.sin(angle)),
                (cx + outer * math.cos(end), cy + outer * math.sin(end)),
                (cx + inner * math.cos(end), cy + inner * math.sin(end)),
                (cx + inner * math.cos(angle), cy + inner * math.sin(angle)),
            ]
            (x1, y1), (x2, y2), (x3, y3), (x4, y4) = points
            pieces.append(
                f'<path d="M{x1:.2f},{y1:.2f} A{outer},{outer} 0 {large} 1 {x2:.2f},{y2:.2f} '
                f"L{x3:.2f},{y3:.2f} A{inner},{inner} 0 {large} 0 {x4:.2f},{y4:.2f} Z\" "
                f'fill="{colour}">{tip}</path>')
            angle = end
        y = 30 + index * 26
        share = percent(Fraction(value * 100, total) if total else Fraction(0), lang)
        pieces.append(f'<rect x="240" y="{y - 11}" width="14" height="14" fill="{colour}"/>'
                      f'<text x="262" y="{y}">{_e(label)}: {_e(money(value, lang))} '
                      f"({_e(share)})</text>")
    height = max(220, 40 + 26 * len(parts))
    return _svg(640, height, "".join(pieces), title, "ring")


def paired_bars(rows: Sequence[tuple[str, int, int]], legends: tuple[str, str], title: str,
                lang: str) -> str:
    """Horizontal bars, two per row (e.g. 2024 and now), on one scale."""
    label_width, bar_width, row_height = 270, 330, 34
    largest = max([max(a, b) for _, a, b in rows] + [1])
    parts = [
        f'<rect x="{label_width}" y="4" width="12" height="10" fill="#9fb8cc"/>'
        f'<text x="{label_width + 16}" y="13">{_e(legends[0])}</text>'
        f'<rect x="{label_width + 150}" y="4" width="12" height="10" fill="{PALETTE[0]}"/>'
        f'<text x="{label_width + 166}" y="13">{_e(legends[1])}</text>'
    ]
    for index, (label, first, second) in enumerate(rows):
        y = 24 + index * row_height
        parts.append(f'<text x="{label_width - 6}" y="{y + 16}" text-anchor="end">'
                     f"{_e(_short(label, 40))}</text>")
        for offset, (value, colour) in enumerate(((first, "#9fb8cc"), (second, PALETTE[0]))):
            width = bar_width * value / largest
            top = y + 2 + offset * 14
            parts.append(f'<rect x="{label_width}" y="{top}" width="{width:.1f}" height="12" '
                         f'fill="{colour}"><title>{_e(label)}: {_e(money(value, lang))}</title>'
                         f'</rect><text x="{label_width + width + 4:.1f}" y="{top + 10}" '
                         f'font-size="10">{_e(money(value, lang))}</text>')
    return _svg(label_width + bar_width + 110, 30 + row_height * len(rows), "".join(parts),
                title)


def column_bars(rows: Sequence[tuple[str, int]], title: str, lang: str | None = None) -> str:
    """Vertical bars of counts with their labels underneath; counts written in `lang`."""
    width, height, base = 104, 160, 180
    largest = max([number for _, number in rows] + [1])
    parts = []
    for index, (label, number) in enumerate(rows):
        x = 20 + index * (width + 14)
        bar = height * number / largest
        shown = count_text(number, lang)
        parts.append(
            f'<rect x="{x}" y="{base - bar:.1f}" width="{width}" height="{bar:.1f}" '
            f'fill="{PALETTE[index % len(PALETTE)]}"><title>{_e(label)}: {shown}</title></rect>'
            f'<text x="{x + width / 2}" y="{base - bar - 4:.1f}" text-anchor="middle">{shown}'
            f'</text><text x="{x + width / 2}" y="{base + 16}" text-anchor="middle" '
            f'font-size="10">{_e(_short(label, 22))}</text>')
    return _svg(40 + len(rows) * (width + 14), base + 30, "".join(parts), title)


def _short(text: str, length: int) -> str:
    """Cut a label to fit a chart (the table next to it has it in full)."""
    return text if len(text) <= length else text[: length - 1].rstrip() + "…"


def _figure(svg: str, caption: str) -> str:
    return f"<figure>{svg}<figcaption>{_e(caption)}</figcaption></figure>"


# ---------------------------------------------------------------------------------------------
# Sections
# ---------------------------------------------------------------------------------------------


def _area_section(outcomes: Sequence[UnitOutcome], allocation: Allocation, rules: RuleSet,
                  w: Callable[[str], str], lang: str) -> str:
    """Per area: budget, the riparto, the residual phase and what stays unassigned."""
    residual: Counter[str] = Counter()
    for outcome in outcomes:
        residual[outcome.assessment.area] += outcome.residual_award
    rows = []
    parts = []
    totals = [0, 0, 0]
    for area in rules.areas:
        budget = allocation.area_budgets[area.code]
        spent = sum(allocation.services[s.code].awarded for s in area.services)
        given = residual[area.code]
        totals = [totals[0] + budget, totals[1] + spent, totals[2] + given]
        parts.append((area.label, budget))
        rows.append([_t(area.label), _n(percent(area.share_percent, lang)),
                     _n(money(budget, lang)), _n(money(spent, lang)),
                     _n(money(given, lang)), _n(money(spent + given, lang)),
                     _n(money(budget - spent - given, lang))])
    rows.append([_t(text("word.TOTAL", lang)), _n("100%"), _n(money(totals[0], lang)),
                 _n(money(totals[1], lang)), _n(money(totals[2], lang)),
                 _n(money(totals[1] + totals[2], lang)),
                 _n(money(totals[0] - totals[1] - totals[2], lang))])
    # "Totale assegnato" is what the units receive, as in the summary above: the riparto's
    # part and the residual phase's are the two columns before it
    table = _table([w("area"), w("share"), w("budget"), w("from_riparto"), w("residual"),
                    w("awarded"), w("left")], rows, totals=[len(rows) - 1])
    chart = _figure(donut_chart(parts, w("area_chart"), lang), w("area_chart"))
    lines = "".join(f"<li>{_e(line)}</li>" for line in residual_lines(allocation, lang, rules))
    return (f"<h2>{_e(w('areas'))}</h2>{chart}{table}"
            f"<h3>{_e(text('residual.title', lang))}</h3><ul>{lines}</ul>")


def line_bars(outcomes: Sequence[UnitOutcome], allocation: Allocation,
              rules: RuleSet) -> list[tuple[str, int, int]]:
    """Each service line's chart bars: its label, its historical amount, what it receives now.

    Now is the riparto's part and the residual phase's, what the units of the line receive
    (the page's "Assegnato"); the report's and the page's charts are drawn from this.
    """
    residual: Counter[str] = Counter()
    for outcome in outcomes:
        if outcome.residual_award:
            residual[outcome.assessment.service] += outcome.residual_award
    return [(service.label, service.historical,
             allocation.services[service.code].awarded + residual[service.code])
            for area in rules.areas for service in area.services]


def _service_section(outcomes: Sequence[UnitOutcome], allocation: Allocation, rules: RuleSet,
                     w: Callable[[str], str], lang: str) -> str:
    funded: Counter[str] = Counter()
    unfunded: Counter[str] = Counter()
    for outcome in outcomes:
        (funded if outcome.award > 0 else unfunded)[outcome.assessment.service] += 1
    year = str(rules.history_year)

    def say(name: str) -> str:  # the section's headings name the reference year
        return w(name).replace("{history_year}", year)

    rows = []
    totals: list[int] = []
    for area in rules.areas:
        for service in area.services:
            result = allocation.services[service.code]
            target = allocation.target_cents[service.code]
            rows.append([_t(area.label), _t(service.label),
                         _n(money(service.historical, lang)), _n(money(target, lang)),
                         _n(money(result.awarded, lang)),
                         _n(money(result.awarded - target, lang)),
                         _n(ratio(result.share * 100, 4, lang) + "%"),  # as the workbook
                         _n(count_text(funded[service.code], lang)),
                         _n(count_text(unfunded[service.code], lang))])
        historical = sum(s.historical for s in area.services)
        awarded = sum(allocation.services[s.code].awarded for s in area.services)
        budget = allocation.area_budgets[area.code]
        totals.append(len(rows))
        rows.append([_t(area.label), _t(text("word.TOTAL", lang)), _n(money(historical, lang)),
                     _n(money(budget, lang)), _n(money(awarded, lang)),
                     _n(money(awarded - budget, lang)), _n(""),
                     _n(count_text(sum(funded[s.code] for s in area.services), lang)),
                     _n(count_text(sum(unfunded[s.code] for s in area.services), lang))])
    # a line's amount is the riparto's (its target and deviation are about it): the residual
    # phase's part is in the table of the areas
    table = _table([say("area"), say("service"), say("historical"), say("target"),
                    say("from_riparto"), say("deviation"), say("lambda"), say("funded"),
                    say("not_funded")], rows, totals)
    chart = _figure(paired_bars(line_bars(outcomes, allocation, rules),
                                (say("legend_hist"), say("legend_now")),
                                say("service_chart"), lang), say("service_chart"))
    return f"<h2>{_e(say('services'))}</h2>{chart}{table}"


def award_brackets(
    outcomes: Sequence[UnitOutcome], lang: str
) -> tuple[list[str], list[int], list[int]]:
    """The funded units per award bracket (`BRACKETS`): labels, counts and cents awarded.

    The report's table and chart and the web page's chart show the same brackets.
    """
    w = phrases("html", lang)
    edges = [euros * 100 for euros in BRACKETS]
    counts = [0] * len(edges)
    sums = [0] * len(edges)
    for outcome in outcomes:
        if outcome.award <= 0:
            continue
        index = bisect.bisect_left(edges, outcome.award) - 1  # the last edge below the award
        counts[index] += 1
        sums[index] += outcome.award
    labels = []
    for index, low in enumerate(edges):
        if index == 0:
            labels.append(w("up_to").format(high=money(edges[1], lang)[:-3]))
        elif index + 1 < len(edges):
            labels.append(w("from_to").format(low=money(low, lang)[:-3],
                                              high=money(edges[index + 1], lang)[:-3]))
        else:
            labels.append(w("over").format(low=money(low, lang)[:-3]))
    return labels, counts, sums


def _distribution_section(outcomes: Sequence[UnitOutcome], w: Callable[[str], str],
                          lang: str) -> str:
    labels, counts, sums = award_brackets(outcomes, lang)
    rows = [[_t(label), _n(count_text(number, lang)), _n(money(total, lang))]
            for label, number, total in zip(labels, counts, sums, strict=True)]
    rows.append([_t(text("word.TOTAL", lang)), _n(count_text(sum(counts), lang)),
                 _n(money(sum(sums), lang))])
    table = _table([w("bracket"), w("count"), w("awarded")], rows, totals=[len(rows) - 1])
    chart = _figure(column_bars(list(zip(labels, counts, strict=True)), w("distribution_chart"),
                                lang),
                    w("distribution_chart"))
    return f"<h2>{_e(w('distribution'))}</h2>{chart}{table}"


def binding_counts(outcomes: Sequence[UnitOutcome], lang: str) -> list[tuple[str, str, int]]:
    """The units per binding limit, in `Binding` order, those with none left out.

    Each is (code, the limit's name in `lang`, count): the report's table and chart and the
    web page's chart show the same bars, named in the reader's language.
    """
    counts = Counter(outcome.binding.value for outcome in outcomes)
    return [(code, binding_label(code, lang), counts[code])
            for code in (b.value for b in Binding) if counts[code]]


def _binding_section(outcomes: Sequence[UnitOutcome], w: Callable[[str], str], lang: str,
                     year: int) -> str:
    bindings = binding_counts(outcomes, lang)
    rows = [[_t(label), _t(describe("binding", code, lang, history_year=year)),
             _n(count_text(number, lang))] for code, label, number in bindings]
    table = _table([w("binding"), w("meaning"), w("count")], rows)
    chart = _figure(column_bars([(label, number) for _, label, number in bindings],
                                w("binding_chart"), lang), w("binding_chart"))
    return f"<h2>{_e(w('bindings'))}</h2>{chart}{table}"


def _payments_section(payments: Sequence[OperatorPayments], rules: RuleSet,
                      w: Callable[[str], str], lang: str) -> str:
    """What each ente gestore is paid, with a TOTALE row.

    Its rows are written as `_table` would (the same bytes), each in one f-string: a large
    Ambito has thousands of enti.
    """
    money_of = _amounts(lang)
    body = [f"<tr><td>{_e(paid.operator)}</td><td class=\"n\">{count_text(paid.units, lang)}</td>"
            f'<td class="n">{money_of[paid.award]}</td>'
            f'<td class="n">{money_of[paid.tranche_1]}</td>'
            f'<td class="n">{money_of[paid.tranche_2]}</td></tr>' for paid in payments]
    totals = (sum(p.award for p in payments), sum(p.tranche_1 for p in payments),
              sum(p.tranche_2 for p in payments))
    body.append(_tr([_t(text("word.TOTAL", lang)),
                     _n(count_text(sum(p.units for p in payments), lang)),
                     *(_n(money_of[cents]) for cents in totals)], total=True))
    note = w("payments_note").format(first=ratio(rules.first_tranche_percent, 0, lang),
                                     threshold=money(rules.single_payment_threshold, lang))
    table = _table_of(body, [w("operator"), w("funded"), w("awarded"), w("first"), w("second")])
    return (f"<h2 class=\"page\">{_e(w('payments'))}</h2><p>{_e(note)}</p><details open>"
            "<summary>"
            f"{_e(w('show').format(n=len(payments)))}</summary>{table}</details>")


def found_statements(annex: Annex, allocation: Allocation, rules: RuleSet,
                     lang: str) -> list[str]:
    """What the run found that the reader of the deliberation must know, and how it was treated.

    Said from the outcomes themselves, in the page's language: the Comuni outside the Ambito
    whose units are excluded, and money left unassigned. The run's warnings (run.json) say
    the same to whoever prepares the data, with what to check: they are not the deliberation's
    words (`_warnings_box`).
    """
    w = phrases("html", lang)
    found = []
    outside = [group for group in annex.municipalities if group.outside_ambito]
    if outside:
        units: dict[str, list[str]] = {}
        for row in annex.rows:
            if _OUTSIDE in row.reasons:
                units.setdefault(row.municipality, []).append(row.unit_id)
        reason = describe("reason", _OUTSIDE, lang, history_year=rules.history_year)
        for group in outside:
            ids = units.get(group.name, [])
            listed = ", ".join(ids[:_LISTED])
            if len(ids) > _LISTED:
                listed += " " + w("and_others").format(n=count_text(len(ids) - _LISTED, lang))
            found.append(w("found_outside_one" if len(ids) == 1 else "found_outside_many")
                         .format(municipality=group.name or w("not_given"), units=listed,
                                 count=count_text(len(ids), lang), reason=reason))
        found.append(w("ambito_municipalities").format(
            municipalities=", ".join(rules.municipalities)))
    if allocation.unassigned > 0:
        found.append(w("found_unassigned").format(left=money(allocation.unassigned, lang),
                                                  section=text("residual.title", lang)))
    return found


_OUTSIDE = ExclusionReason.OUTSIDE_AMBITO.value
_LISTED = 10  # units named in a statement, the others counted (the annex lists them all)


def _warnings_box(annex: Annex, allocation: Allocation, rules: RuleSet, warnings: Iterable[str],
                  w: Callable[[str], str], lang: str) -> str:
    """The summary's warnings: statements for the reader, the run's advice on screen only.

    The page is printed as the annex of a deliberation: what it says there is what was found
    and how it was treated (`found_statements`). The run's own warnings, as run.json keeps
    them, tell the planner what to check ("check the spelling"): they are shown on screen,
    under their own heading, and left off the paper.
    """
    found = found_statements(annex, allocation, rules, lang)
    advice = list(warnings)
    parts = []
    if found:
        parts.append(f"<div class=\"warn\"><b>{_e(w('warnings'))}</b><ul>"
                     + "".join(f"<li>{_e(line)}</li>" for line in found) + "</ul></div>")
    if advice:
        parts.append(f"<div class=\"warn screen\"><b>{_e(w('for_planner'))}</b><ul>"
                     + "".join(f"<li>{_e(line)}</li>" for line in advice) + "</ul></div>")
    return "".join(parts)


def _amounts(lang: str) -> CentsTexts:
    """`fsr_opt.core.words.money` in `lang`, as HTML text, each distinct amount once."""
    write = money_writer(resolve(lang))
    if _e(write(-123456789)) == write(-123456789):
        return CentsTexts(write)  # nothing to escape
    return CentsTexts(lambda cents: _e(write(cents)))


def _annex_section(annex: Annex, lines: Mapping[str, str], w: Callable[[str], str], lang: str,
                   year: int) -> Iterator[str]:
    """The deliberation's annex: every unit, by Comune and ente, with a TOTALE row.

    Printed, it is most of the page count, so it is written to be compact: each Comune and
    ente heads its units once (a row of its own), a unit names its service line by code
    (`_line_legend` gives the labels), and the column of the residuals is left out when no
    unit receives any. In pieces, its rows made as the page takes them (`_Page`). Its rows
    are written here cell by cell, each in one f-string: a large Ambito lists 100,000 units
    (benchmarks/RESULTS.md, "The annex").
    """
    unknown = w("not_given")
    cells = _Escaped()
    why: dict[tuple[bool, tuple[str, ...]], str] = {}
    money_of = _amounts(lang)
    residual = annex.whole.residual_award > 0
    headings = [w("unit"), w("name"), w("line"), w("entitlement"), w("awarded"),
                *([w("residual_part")] if residual else []), w("first"), w("second"),
                w("reason"), w("shortfall")]
    comuni = {group.name: shown_name(group, unknown, lang) for group in annex.municipalities}
    group_of = (f'<tr class="group"><th colspan="{len(headings)}">'
                f"{_e(w('municipality'))}: {{}} &#8212; {_e(w('operator'))}: {{}}</th></tr>")

    def body() -> Iterator[str]:
        group: tuple[str, str] | None = None
        for row, unit_id, name in zip(annex.rows, _escaped_column(annex.rows, "unit_id"),
                                      _escaped_column(annex.rows, "name"), strict=True):
            if (row.municipality, row.operator) != group:
                group = row.municipality, row.operator
                yield group_of.format(_e(comuni.get(row.municipality, row.municipality)
                                         or unknown), cells[row.operator or unknown])
            funded = row.award > 0
            reason = why.get((funded, row.reasons))
            if reason is None:
                reason = why[funded, row.reasons] = _e(reason_text(row, lang, year))
            yield (f'<tr><td class="id">{unit_id}</td><td>{name}</td>'
                   f'<td class="id">{cells[row.service]}</td>'
                   f'<td class="n">{money_of[row.entitlement]}</td>'
                   f'<td class="n">{money_of[row.award]}</td>'
                   + (f'<td class="n">{money_of[row.residual_award]}</td>' if residual else "")
                   + f'<td class="n">{money_of[row.tranche_1]}</td>'
                   f'<td class="n">{money_of[row.tranche_2]}</td>'
                   f'<td class="why">{reason}</td><td class="n">{money_of[row.shortfall]}</td>'
                   "</tr>")
        whole = annex.whole
        yield _tr([_t(text("word.TOTAL", lang)),
                   _t(f"{count_text(whole.units, lang)} "
                      f"({w('funded')} {count_text(whole.funded, lang)})"), _t(""),
                   *(_n(money_of[value]) for value in (
                       whole.entitlement, whole.award,
                       *((whole.residual_award,) if residual else ()), whole.tranche_1,
                       whole.tranche_2)), _t(""), _n(money_of[whole.shortfall])], total=True)

    note = w("annex_note") + ("" if residual else " " + w("annex_no_residual"))
    yield (f"<h2 class=\"page\" id=\"allegato\">{_e(w('annex'))}</h2>"
           f"<p class=\"note\">{_e(note)}</p>{_line_legend(annex, lines, w)}")
    yield from _table_parts(body(), headings, "annex")
    yield _not_funded_table(annex, w, lang, year)


def _line_legend(annex: Annex, lines: Mapping[str, str], w: Callable[[str], str]) -> str:
    """The service lines the annex names by code, with their labels (rule set's order).

    A label written on every row took two or three lines of it: the code takes one.
    """
    used = {row.service for row in annex.rows}
    items = "; ".join(f'<span class="id">{_e(code)}</span> {_e(label)}'
                      for code, label in lines.items() if code in used)
    others = "; ".join(_e(code) for code in sorted(used - lines.keys()))
    items = "; ".join(part for part in (items, others) if part)
    return f'<p class="note legend"><b>{_e(w("lines_legend"))}:</b> {items}</p>' if items else ""


def _not_funded_table(annex: Annex, w: Callable[[str], str], lang: str, year: int) -> str:
    """The units that get nothing, counted per reason, with what fell short.

    Each unit and its reason are in the annex above, once: this says how many units each
    reason leaves out (a unit with several reasons counts under the set of them).
    """
    counts: Counter[tuple[str, ...]] = Counter()
    short: Counter[tuple[str, ...]] = Counter()
    for row in annex.rows:
        if row.award <= 0:
            counts[row.reasons] += 1
            short[row.reasons] += row.shortfall
    if not counts:
        return ""
    # why a unit that gets nothing gets nothing, in words (as the annex's rows say it)
    said = {reasons: reason_words(False, reasons, lang, year) for reasons in counts}
    order = sorted(counts, key=lambda r: (-counts[r], said[r], r))
    rows = [[_t(said[r]), _n(count_text(counts[r], lang)), _n(money(short[r], lang))]
            for r in order]
    rows.append([_t(text("word.TOTAL", lang)), _n(count_text(sum(counts.values()), lang)),
                 _n(money(sum(short.values()), lang))])
    return (f"<h3>{_e(w('exclusions'))}</h3><p class=\"note\">{_e(w('exclusions_note'))}</p>"
            + _table([w("reasons"), w("count"), w("shortfall")], rows, totals=[len(rows) - 1]))


def _groups_table(groups: Sequence[GroupTotal], first: str, w: Callable[[str], str],
                  lang: str) -> str:
    """The groups (Comuni or enti) and their TOTALE row.

    Each row is written in one f-string as `_table` would write it (the same bytes): a large
    Ambito has thousands of enti.
    """
    unknown = w("not_given")
    money_of = _amounts(lang)
    comuni = first == "municipality"  # a Comune outside the Ambito is marked as such
    body = [f"<tr><td>{_e(shown_name(group, unknown, lang) if comuni else group.name or unknown)}"
            "</td>"
            f'<td class="n">{count_text(group.units, lang)}</td>'
            f'<td class="n">{count_text(group.funded, lang)}</td>'
            f'<td class="n">{money_of[group.entitlement]}</td>'
            f'<td class="n">{money_of[group.award]}</td>'
            f'<td class="n">{money_of[group.residual_award]}</td>'
            f'<td class="n">{money_of[group.tranche_1]}</td>'
            f'<td class="n">{money_of[group.tranche_2]}</td>'
            f'<td class="n">{money_of[group.shortfall]}</td></tr>' for group in groups]
    units = sum(g.units for g in groups)
    funded = sum(g.funded for g in groups)
    sums = [sum(getattr(g, name) for g in groups) for name in (
        "entitlement", "award", "residual_award", "tranche_1", "tranche_2", "shortfall")]
    body.append(_tr([_t(text("word.TOTAL", lang)), _n(count_text(units, lang)),
                     _n(count_text(funded, lang)),
                     *(_n(money_of[value]) for value in sums)], total=True))
    return _table_of(body, [w(first), w("count"), w("funded"), w("entitlement"), w("awarded"),
                            w("residual_part"), w("first"), w("second"), w("shortfall")])


def _groups_section(annex: Annex, w: Callable[[str], str], lang: str) -> str:
    """Totals per Comune and per ente gestore, each with its TOTALE row."""
    return (f"<h2 class=\"page\">{_e(w('municipalities'))}</h2>"
            + _groups_table(annex.municipalities, "municipality", w, lang)
            + f"<h2>{_e(w('operators'))}</h2>"
            + _groups_table(annex.operators, "operator", w, lang))


def _checks_section(audit: AuditReport | None, w: Callable[[str], str], lang: str,
                    year: int) -> str:
    if audit is None:
        return f"<h2 class=\"page\">{_e(w('checks'))}</h2><p>{_e(w('checks_none'))}</p>"
    rows = [[_t(r.code), _t(describe("check", r.code, lang, default=r.description,
                                   history_year=year)),
             _n(count_text(r.checked, lang)), _n(count_text(r.failed, lang)),
             (w("passed"), "ok") if r.passed else (w("failed"), "ko")]
            for r in audit.results]
    note = w("checks_note").format(passed=audit.passed, run=audit.checks_run)
    table = _table([w("check"), w("description"), w("checked"), w("violations"),
                    w("outcome")], rows)
    details = ""
    if audit.violations:
        details = _table([w("check"), w("unit"), w("description")],
                         [[_t(v.check), _t(v.subject), _t(v.message)]
                          for v in audit.violations[:200]])
    return f"<h2 class=\"page\">{_e(w('checks'))}</h2><p>{_e(note)}</p>{table}{details}"


def _references_section(rules: RuleSet, w: Callable[[str], str], lang: str) -> str:
    rows = [[_t(parameter_name(p.path, rules, lang)), _t(parameter_value(p.value, lang, p.path)),
             _t(p.description_in(lang)), _t(p.reference), ("" + p.path, "code")]
            for p in rules.parameters]
    return (f"<h2>{_e(w('references'))}</h2>"
            + _table([w("parameter"), w("value"), w("description"), w("reference"),
                      translate("key (--set)", lang)], rows, css="params"))


def _hashes_section(document: Mapping[str, Any], w: Callable[[str], str]) -> str:
    inputs: Mapping[str, str] = document.get("inputs", {})
    # each file by its name: the page is published, the folders of a computer are not (run.json
    # keeps the paths); the SHA-256 is what identifies the file
    rows = [[(PurePath(name).name, "code"), (digest, "code")] for name, digest in inputs.items()]
    return f"<h2>{_e(w('hashes'))}</h2>" + _table([w("file"), w("sha")], rows)


def html_report(
    outcomes: Sequence[UnitOutcome],
    allocation: Allocation,
    rules: RuleSet,
    document: Mapping[str, Any],
    *,
    audit: AuditReport | None = None,
    lang: str = "it",
    annex: Annex | None = None,
    payments: Sequence[OperatorPayments] | None = None,
) -> bytes:
    """Build report.html.

    Args:
        outcomes: every unit with its award (`fsr_opt.engine.outcomes.unit_outcomes`), input order.
        allocation: the solved allocation.
        rules: the rule set of the run (labels, parameters and their legal references).
        document: the run document of run.json (`fsr_opt.reports.tables.run_document`): input
            hashes, overrides, warnings, solver.
        audit: the audit of this allocation; None says none was run.
        lang: ``it`` (default) or ``en``.
        annex: the run's annex (`fsr_opt.reports.annex.build_annex`), if already made.
        payments: what each ente is paid (`fsr_opt.reports.tables.operator_payments`), if
            already made.

    Returns:
        The page as UTF-8 bytes.
    """
    w = phrases("html", lang)
    if annex is None:
        annex = build_annex(outcomes)
    eligible = sum(1 for o in outcomes if o.assessment.eligible)
    funded = sum(1 for o in outcomes if o.award > 0)
    awarded = sum(o.award for o in outcomes)
    title = w("title").format(year=rules.year)
    kpis = [
        (w("fund"), money(rules.fund, lang) + " EUR"),
        (w("distributable"), money(distributable(rules), lang) + " EUR"),
        (w("awarded"), money(awarded, lang) + " EUR"),
        (w("minimum"), money(rules.minimum_award, lang) + " EUR"),
        (w("units"), f"{count_text(len(outcomes), lang)}; "
                     f"{w('eligible')} {count_text(eligible, lang)}; "
                     f"{w('funded')} {count_text(funded, lang)}"),
    ]
    head = "".join(f"<div>{_e(label)}<b>{_e(value)}</b></div>" for label, value in kpis)
    extra = []
    set_asides = set_aside_amounts(rules)
    if any(set_asides.values()):
        extra.append(f"<p>{_e(w('set_asides'))}: "
                     + _e(", ".join(money(v, lang) for v in set_asides.values())) + " EUR</p>")
    overrides = list(document.get("overrides", []))
    # each change in words, as the table of parameters names it, then as typed (--set)
    # on paper only the words: the key as typed is for whoever runs the command
    changes = [f"<li>{_e(words)} <span class=\"code cli\">({_e(item)})</span></li>"
               if (words := override_words(item, rules, lang)) != item else f"<li>{_e(item)}</li>"
               for item in overrides]
    fund_from = document.get("fund_from")
    if fund_from:  # a region's fund from the ATS split: which split, by its name and hash
        said = w("fund_from").format(file=PurePath(fund_from["path"]).name,
                                     sha256=fund_from["sha256"])
        changes.append(f"<li>{_e(said)}</li>")
    if changes:
        extra.append(f"<div class=\"warn\"><b>{_e(w('overrides'))}</b><ul>"
                     + "".join(changes) + "</ul></div>")
    extra.append(_warnings_box(annex, allocation, rules, document.get("warnings", []), w,
                               lang))
    solver = document.get("solver", {})
    solver_text = f"{solver.get('name', '?')} {solver.get('version', '')}".strip()
    page = _Page()
    page.write([
        f"<!DOCTYPE html>\n<html lang=\"{lang}\"><head><meta charset=\"utf-8\">"
        f"<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">"
        f"<title>{_e(title)} - {_e(rules.ambito)}</title><style>{_CSS}"
        f"{print_frame(rules, document, lang)}</style></head><body>",
        f"<h1>{_e(title)}</h1>",
        "<p class=\"sub\">" + _e(w("subtitle_criteria" if rules.reference else "subtitle").format(
            ambito=rules.ambito, reference=rules.reference, rule_set=rules.rule_set_id,
            version=rules.version)) + "</p>",
        f"<h2>{_e(w('summary'))}</h2><div class=\"kpi\">{head}</div>",
        *extra,
        _area_section(outcomes, allocation, rules, w, lang),
        _service_section(outcomes, allocation, rules, w, lang),
        _distribution_section(outcomes, w, lang),
        _binding_section(outcomes, w, lang, rules.history_year),
    ])
    lines = line_labels(rules)
    page.write(_annex_section(annex, lines, w, lang, rules.history_year))
    page.write([_groups_section(annex, w, lang), _payments_section(
        operator_payments(outcomes) if payments is None else payments, rules, w, lang)])
    page.write([
        _checks_section(audit, w, lang, rules.history_year),
        _references_section(rules, w, lang),
        _hashes_section(document, w),
        "<footer><p class=\"sub\">"
        + _e(w("footer").format(version=__version__, solver=solver_text)) + "</p></footer>",
        "</body></html>\n",
    ])
    return page.encode()

