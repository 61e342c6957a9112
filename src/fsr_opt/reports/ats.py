"""The outputs of the ATS level: CSV tables, a JSON record, and a report as workbook and page.

The CSV files keep the machine format (codes, ``1234.56``, columns in English) so that a
split can be read back (`fsr_opt.io.ats.load_split`: the audit, `region --fund-from`); the
workbook (``ats-report.xlsx``) and the page (``ats-report.html``) are for people, Italian
by default, every word from the catalogue (`fsr_opt.core.words`, namespace ``ats``). The
report shows what the command had: the split, the monitoring, the transfers (who gives,
who receives, and why: the donor's surplus, the receiver's unmet demand), each with a chart
and the table of its figures. Same input, same bytes.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import replace
from decimal import Decimal
from fractions import Fraction
from typing import Any

from fsr_opt import __version__
from fsr_opt.core.ats import AtsRules, MonitorLine, Rebalance, Split
from fsr_opt.core.money import format_cents
from fsr_opt.core.words import money, percent, phrases, ratio, text
from fsr_opt.io.outputs import csv_bytes
from fsr_opt.reports.html import (
    _CSS,
    _e,
    _figure,
    _n,
    _t,
    _table,
    donut_chart,
    page_footer_css,
    paired_bars,
)
from fsr_opt.reports.parameters import parameter_rows
from fsr_opt.reports.xlsx import BOLD, Workbook

SPLIT_HEADER = ("ambito", "name", "quota_main", "main", "quota_set_aside", "set_aside", "total",
                "floored")
MONITOR_HEADER = ("ambito", "name", "assigned", "committed", "spent", "spend_rate", "residual",
                  "unmet_applications", "unmet_amount", "surplus", "need", "flags")
TRANSFER_HEADER = ("donor", "receiver", "amount", "donor_surplus", "receiver_need")
FINAL_HEADER = ("ambito", "name", "assigned", "given", "received", "final", "committed",
                "need", "coverage")


def _exact(value: Fraction, places: int = 4) -> str:
    """An exact ratio as a plain decimal for the CSV (rounded half up, `places` decimals)."""
    return ratio(value, places, "en")


def split_csv(split: Split) -> bytes:
    """split.csv: one row per Ambito, in the rule set's order; no total row."""
    rows = [(line.ambito, line.label, _exact(line.quota / 100, 6), format_cents(line.main),
             _exact(line.set_aside_quota / 100, 6), format_cents(line.set_aside),
             format_cents(line.total), "true" if line.floored else "false")
            for line in split.lines]
    money_columns = {"quota_main", "main", "quota_set_aside", "set_aside", "total"}
    return csv_bytes(SPLIT_HEADER, rows, numeric_columns=money_columns)


def monitor_csv(lines: Sequence[MonitorLine], rules: AtsRules) -> bytes:
    """monitor.csv: one row per report, with spend rate, residual, surplus, need and flags."""
    rows = [(m.report.ambito, rules.ambiti.get(m.report.ambito, ""),
             format_cents(m.report.assigned), format_cents(m.report.committed),
             format_cents(m.report.spent), _exact(m.spend_rate), format_cents(m.residual),
             str(m.report.unmet_applications), format_cents(m.unmet), format_cents(m.surplus),
             format_cents(m.need), ";".join(m.flags)) for m in lines]
    return csv_bytes(MONITOR_HEADER, rows, numeric_columns=set(MONITOR_HEADER[2:11]))


def transfers_csv(result: Rebalance, lines: Sequence[MonitorLine]) -> bytes:
    """transfers.csv: who gives, who receives, how much, and the figures behind it."""
    by_code = {m.report.ambito: m for m in lines}
    rows = [(t.donor, t.receiver, format_cents(t.amount), format_cents(by_code[t.donor].surplus),
             format_cents(by_code[t.receiver].need)) for t in result.transfers]
    return csv_bytes(TRANSFER_HEADER, rows, numeric_columns=set(TRANSFER_HEADER[2:]))


def final_amounts(
    result: Rebalance, lines: Sequence[MonitorLine]
) -> list[tuple[MonitorLine, int, int, int, Fraction]]:
    """Per Ambito: (its monitoring, given, received, final amount, coverage of its need)."""
    given = {m.report.ambito: 0 for m in lines}
    received = dict(given)
    for t in result.transfers:
        given[t.donor] += t.amount
        received[t.receiver] += t.amount
    return [(m, given[m.report.ambito], received[m.report.ambito],
             m.report.assigned - given[m.report.ambito] + received[m.report.ambito],
             Fraction(received[m.report.ambito], m.need) if m.need else Fraction(1))
            for m in lines]


def final_csv(result: Rebalance, lines: Sequence[MonitorLine], rules: AtsRules) -> bytes:
    """after-rebalance.csv: each Ambito's amount after the transfers (money conserved)."""
    rows = [(m.report.ambito, rules.ambiti.get(m.report.ambito, ""),
             format_cents(m.report.assigned), format_cents(given), format_cents(received),
             format_cents(final), format_cents(m.report.committed), format_cents(m.need),
             _exact(coverage)) for m, given, received, final, coverage
            in final_amounts(result, lines)]
    return csv_bytes(FINAL_HEADER, rows, numeric_columns=set(FINAL_HEADER[2:]))


def record(rules: AtsRules, inputs: Mapping[str, tuple[str, str]], **parts: Any) -> dict[str, Any]:
    """The JSON record of an ATS command: rule set, input hashes, the figures it produced."""
    return {
        "fsr_opt_version": __version__,
        "rule_set": {"id": rules.rule_set_id, "version": rules.version, "file": rules.source,
                     "sha256": rules.sha256},
        "inputs": {name: {"file": file, "sha256": sha} for name, (file, sha) in inputs.items()},
        **parts,
    }


# ---------------------------------------------------------------------------------------------
# For people: the workbook and the page
# ---------------------------------------------------------------------------------------------


def _euros(cents: int) -> str:
    return format_cents(cents)


def _decimal(value: Fraction) -> Decimal:
    return Decimal(value.numerator) / Decimal(value.denominator)


def _as_split(rules: AtsRules, split: Split | None) -> AtsRules:
    """The rule set with the fund the split divides (``ats split --fund`` replaces the rules')."""
    if split is None or split.fund == rules.fund:
        return rules
    shown = format_cents(split.fund) + " EUR"
    return replace(rules, fund=split.fund, parameters=tuple(
        replace(p, value=shown) if p.path == "fund" else p for p in rules.parameters))


def _changes(rules: AtsRules, split: Split | None, lang: str) -> list[str]:
    """The parameters the command changed from the rule set, in words (the fund of --fund)."""
    if split is None or split.fund == rules.fund:
        return []
    return [phrases("ats", lang)("fund_replaced").format(
        fund=money(split.fund, lang), rules_fund=money(rules.fund, lang))]


def _monitor_totals(lines: Sequence[MonitorLine]) -> dict[str, int]:
    """The sums of the monitoring's money columns and of the unfunded applications."""
    return {
        "assigned": sum(m.report.assigned for m in lines),
        "committed": sum(m.report.committed for m in lines),
        "spent": sum(m.report.spent for m in lines),
        "residual": sum(m.residual for m in lines),
        "unmet_applications": sum(m.report.unmet_applications for m in lines),
        "unmet": sum(m.unmet for m in lines),
        "surplus": sum(m.surplus for m in lines),
        "need": sum(m.need for m in lines),
    }


def _rate(part: int, whole: int) -> Fraction:
    """The spend rate of the totals (spent over assigned; 0 when nothing is assigned)."""
    return Fraction(part, whole) if whole else Fraction(0)


def rate_text(rate: Fraction, lang: str) -> str:
    """A spend rate as people compare them: a percentage with one decimal (``87,3%``).

    A measure of how far an Ambito has got, not a criterion: a tenth of a percent tells two
    Ambiti apart; monitor.csv keeps the ratio with four decimals.
    """
    return ratio(rate * 100, 1, lang) + "%"


def report_workbook(rules: AtsRules, *, split: Split | None = None,
                    lines: Sequence[MonitorLine] = (), result: Rebalance | None = None,
                    lang: str = "it") -> bytes:
    """ats-report.xlsx: a sheet per part the command produced, numbers as numbers."""
    w = phrases("ats", lang)
    changes = _changes(rules, split, lang)
    rules = _as_split(rules, split)
    book = Workbook(f"{rules.ats} {rules.year}")
    if split is not None:
        sheet = book.add_sheet(w("sheet_split"))
        rows: list[list[object]] = [
            [line.ambito, line.label, _euros(line.main), _euros(line.set_aside),
             _euros(line.total), Decimal(line.total) / Decimal(split.fund)]
            for line in split.lines]
        rows.append([w("total"), "", _euros(split.main), _euros(split.set_aside),
                     _euros(split.fund), Decimal(1)])
        sheet.table([w("ambito"), w("name"), w("main"), w("set_aside"), w("total_amount"),
                     w("share")], ["text", "text", "money", "money", "money", "share"], rows)
    if lines:
        sheet = book.add_sheet(w("sheet_monitor"))
        sheet.table(
            [w("ambito"), w("name"), w("assigned"), w("committed"), w("spent"), w("spend_rate"),
             w("residual"), w("unmet_applications"), w("unmet_amount"), w("surplus"),
             w("need"), w("flags")],
            ["text", "text", "money", "money", "money", "rate", "money", "count", "money",
             "money", "money", "text"],
            [[m.report.ambito, rules.ambiti.get(m.report.ambito, ""),
              _euros(m.report.assigned), _euros(m.report.committed), _euros(m.report.spent),
              Decimal(m.spend_rate.numerator) / Decimal(m.spend_rate.denominator),
              _euros(m.residual), m.report.unmet_applications, _euros(m.unmet),
              _euros(m.surplus), _euros(m.need),
              "; ".join(w(f"flag.{flag}") for flag in m.flags)] for m in lines]
            + [_monitor_total_row(lines, w("total"))])
    if result is not None:
        by_code = {m.report.ambito: m for m in lines}
        sheet = book.add_sheet(w("sheet_transfers"))
        sheet.table(
            [w("donor"), w("receiver"), w("amount"), w("why")],
            ["text", "text", "money", "text"],
            [[rules.ambiti.get(t.donor, t.donor), rules.ambiti.get(t.receiver, t.receiver),
              _euros(t.amount), _why(t.donor, t.receiver, by_code, lang)]
             for t in result.transfers]
            + [[w("total"), "", _euros(sum(t.amount for t in result.transfers)), ""]])
        finals = final_amounts(result, lines)
        sheet = book.add_sheet(w("sheet_final"))
        next_row = sheet.table(
            [w("ambito"), w("name"), w("assigned"), w("given"), w("received"), w("final"),
             w("committed"), w("need"), w("coverage")],
            ["text", "text", "money", "money", "money", "money", "money", "money", "rate"],
            [[m.report.ambito, rules.ambiti.get(m.report.ambito, ""),
              _euros(m.report.assigned), _euros(given), _euros(received), _euros(final),
              _euros(m.report.committed), _euros(m.need), _decimal(coverage)]
             for m, given, received, final, coverage in finals]
            + [_final_total_row(finals, w("total"))])
        sheet.cell(next_row + 1, 1, "text", w("objective"), BOLD)
        for offset, stage in enumerate(result.stages, start=2):
            sheet.cell(next_row + offset, 1, "text", w(f"stage.{stage.name}"))
            sheet.cell(next_row + offset, 2, "text", _stage_value(stage.name, stage.value, lang))
    html_words = phrases("html", lang)
    sheet = book.add_sheet(w("sheet_parameters"))
    next_row = sheet.table(
        [html_words("parameter"), html_words("value"), html_words("description"),
         html_words("reference")], ["text", "text", "text", "text"],
        [list(row) for row in parameter_rows(rules, lang)])
    if changes:
        sheet.cell(next_row + 1, 1, "text", html_words("overrides"), BOLD)
        for offset, change in enumerate(changes, start=2):
            sheet.cell(next_row + offset, 1, "text", change)
    return book.to_bytes()


def _monitor_total_row(lines: Sequence[MonitorLine], label: str) -> list[object]:
    """The monitoring's TOTALE: the sums, and the spend rate of the sums."""
    sums = _monitor_totals(lines)
    return [label, "", _euros(sums["assigned"]), _euros(sums["committed"]),
            _euros(sums["spent"]), _decimal(_rate(sums["spent"], sums["assigned"])),
            _euros(sums["residual"]), sums["unmet_applications"], _euros(sums["unmet"]),
            _euros(sums["surplus"]), _euros(sums["need"]), ""]


def _final_total_row(
    finals: Sequence[tuple[MonitorLine, int, int, int, Fraction]], label: str
) -> list[object]:
    """After the rebalance, TOTALE: the sums, and the share of all the need that is covered."""
    need = sum(m.need for m, *_rest in finals)
    received = sum(r for _m, _g, r, _f, _c in finals)
    return [label, "", _euros(sum(m.report.assigned for m, *_rest in finals)),
            _euros(sum(g for _m, g, _r, _f, _c in finals)), _euros(received),
            _euros(sum(f for _m, _g, _r, f, _c in finals)),
            _euros(sum(m.report.committed for m, *_rest in finals)), _euros(need),
            _decimal(Fraction(received, need) if need else Fraction(1))]


def _why(donor: str, receiver: str, by_code: Mapping[str, MonitorLine], lang: str) -> str:
    return phrases("ats", lang)("why_text").format(
        donor_surplus=money(by_code[donor].surplus, lang),
        receiver_need=money(by_code[receiver].need, lang))


def _stage_value(name: str, value: Fraction, lang: str) -> str:
    if name == "min_coverage":
        return percent(value * 100, lang)
    if name == "total":
        return money(int(value), lang) + " EUR"
    return phrases("ats", lang)("tie_break_done")


def _print_frame(rules: AtsRules, title: str, lang: str) -> str:
    """The running footer of every printed page: which report, which rules, which page.

    As report.html's (`fsr_opt.reports.html.print_frame`): a page separated from the others
    still says what it belongs to and can be cited by its number ("Pagina 2 di 4"). CSS
    margin boxes of ``@page``: on screen nothing shows.
    """
    return page_footer_css(text("ats.running_footer", lang).format(
        title=title, rule_set=rules.rule_set_id, version=rules.version), lang)


def _parts(split: bool, monitor: bool, rebalance: bool, w: Callable[[str], str]) -> str:
    """What the report holds, in words: 'riparto', 'monitoraggio e compensazione', ..."""
    parts = [w(f"part.{part}") for part, shown in (
        ("split", split), ("monitor", monitor), ("rebalance", rebalance)) if shown]
    if len(parts) < 2:
        return parts[0] if parts else w("part.split")
    return w("parts_and").format(first=", ".join(parts[:-1]), last=parts[-1])


def report_html(rules: AtsRules, *, split: Split | None = None,
                lines: Sequence[MonitorLine] = (), result: Rebalance | None = None,
                lang: str = "it") -> bytes:
    """ats-report.html: one self-contained page, inline SVG charts next to their tables."""
    w = phrases("ats", lang)
    html_words = phrases("html", lang)
    changes = _changes(rules, split, lang)
    rules = _as_split(rules, split)
    title = w("title").format(ats=rules.ats, year=rules.year,
                              parts=_parts(split is not None, bool(lines), result is not None, w))
    body = [f"<h1>{_e(title)}</h1>", f"<p class=\"sub\">{_e(rules.title)}</p>"]
    if changes:
        body.append(f"<div class=\"warn\"><b>{_e(html_words('overrides'))}</b><ul>"
                    + "".join(f"<li>{_e(change)}</li>" for change in changes) + "</ul></div>")
    if split is not None:
        body.append(f"<h2>{_e(w('sheet_split'))}</h2>")
        body.append("<div class=\"kpi\">" + "".join(
            f"<div>{_e(label)}<b>{_e(value)}</b></div>" for label, value in (
                (w("fund"), money(split.fund, lang) + " EUR"),
                (w("main"), money(split.main, lang) + " EUR"),
                (w("set_aside"), money(split.set_aside, lang) + " EUR"))) + "</div>")
        weights = ", ".join(f"{i.label} {percent(i.weight, lang)}" for i in rules.indicators)
        body.append(f"<p>{_e(w('split_rule').format(weights=weights, set_aside=rules.set_aside_label, indicator=rules.set_aside_indicator_label or rules.set_aside_indicator))}</p>")  # noqa: E501
        body.append(_figure(donut_chart([(line.label, line.total) for line in split.lines],
                                        w("chart_split"), lang), w("chart_split")))
        rows = [[_t(line.label), _n(money(line.main, lang)), _n(money(line.set_aside, lang)),
                 _n(money(line.total, lang))] for line in split.lines]
        rows.append([_t(w("total")), _n(money(split.main, lang)),
                     _n(money(split.set_aside, lang)), _n(money(split.fund, lang))])
        body.append(_table([w("name"), w("main"), w("set_aside"), w("total_amount")], rows,
                           totals=[len(rows) - 1]))
    if lines:
        body.append(f"<h2>{_e(w('sheet_monitor'))}</h2>")
        body.append(_figure(paired_bars(
            [(rules.ambiti.get(m.report.ambito, m.report.ambito), m.report.assigned,
              m.report.spent) for m in lines], (w("assigned"), w("spent")),
            w("chart_monitor"), lang), w("chart_monitor")))
        flagged = [m for m in lines if m.flags]
        if flagged:
            body.append("<div class=\"warn\"><b>" + _e(w("flagged")) + "</b><ul>" + "".join(
                f"<li>{_e(rules.ambiti.get(m.report.ambito, m.report.ambito))}: "
                + _e("; ".join(w(f"flag.{flag}") for flag in m.flags)) + "</li>"
                for m in flagged) + "</ul></div>")
        sums = _monitor_totals(lines)
        rows = [[_t(rules.ambiti.get(m.report.ambito, m.report.ambito)),
                 _n(money(m.report.assigned, lang)), _n(money(m.report.committed, lang)),
                 _n(money(m.report.spent, lang)), _n(rate_text(m.spend_rate, lang)),
                 _n(money(m.residual, lang)), _n(money(m.unmet, lang)),
                 _n(money(m.surplus, lang)), _n(money(m.need, lang))] for m in lines]
        rows.append([_t(w("total")), _n(money(sums["assigned"], lang)),
                     _n(money(sums["committed"], lang)), _n(money(sums["spent"], lang)),
                     _n(rate_text(_rate(sums["spent"], sums["assigned"]), lang)),
                     _n(money(sums["residual"], lang)), _n(money(sums["unmet"], lang)),
                     _n(money(sums["surplus"], lang)), _n(money(sums["need"], lang))])
        body.append(_table(
            [w("name"), w("assigned"), w("committed"), w("spent"), w("spend_rate"),
             w("residual"), w("unmet_amount"), w("surplus"), w("need")], rows,
            totals=[len(rows) - 1]))
    if result is not None:
        by_code = {m.report.ambito: m for m in lines}
        body.append(f"<h2>{_e(w('sheet_transfers'))}</h2>")
        body.append(f"<p>{_e(w('rebalance_rule'))}</p>")
        body.append(_table([w("objective"), ""], [
            [_t(w(f"stage.{s.name}")), _n(_stage_value(s.name, s.value, lang))]
            for s in result.stages]))
        if result.transfers:
            rows = [[_t(rules.ambiti.get(t.donor, t.donor)),
                     _t(rules.ambiti.get(t.receiver, t.receiver)), _n(money(t.amount, lang)),
                     _t(_why(t.donor, t.receiver, by_code, lang))] for t in result.transfers]
            rows.append([_t(w("total")), _t(""),
                         _n(money(sum(t.amount for t in result.transfers), lang)), _t("")])
            body.append(_table([w("donor"), w("receiver"), w("amount"), w("why")], rows,
                               totals=[len(rows) - 1]))
        else:
            body.append(f"<p>{_e(w('no_transfers'))}</p>")
        finals = final_amounts(result, lines)
        body.append(_figure(paired_bars(
            [(rules.ambiti.get(m.report.ambito, m.report.ambito), m.report.assigned, final)
             for m, _g, _r, final, _c in finals], (w("assigned"), w("final")),
            w("chart_final"), lang), w("chart_final")))
    body.append(f"<h2>{_e(w('references'))}</h2>" + _table(
        [html_words("parameter"), html_words("value"), html_words("description"),
         html_words("reference")],
        [[_t(name), _t(value), _t(description), _t(reference)]
         for name, value, description, reference in parameter_rows(rules, lang)]))
    body.append(f"<footer><p class=\"sub\">fsr-opt {_e(__version__)}</p></footer>")
    page = (f"<!DOCTYPE html>\n<html lang=\"{lang}\"><head><meta charset=\"utf-8\">"
            f"<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">"
            f"<title>{_e(title)}</title><style>{_CSS}{_print_frame(rules, title, lang)}"
            f"</style></head>"
            f"<body>{''.join(body)}</body></html>\n")
    return page.encode("utf-8")
