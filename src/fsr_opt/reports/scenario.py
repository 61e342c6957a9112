"""scenario.xlsx and scenario.html: a what-if or a comparison of two runs, for people.

whatif.csv and compare.csv are the machine's tables; these two files show the same
`fsr_opt.whatif.diff.RunDiff` to the planners and the Assemblea: per area, per service line
and per unit, the base and the scenario side by side with the difference, and the units that
enter or leave funding named (id, name, Comune, ente). Italian by default, ``lang="en"`` for
English; every word from `fsr_opt.core.words`. Amounts are exact cents, shown in euros; each
table ends with a TOTALE row; both print on A4 landscape like the riparto's workbook and report
(`fsr_opt.reports.xlsx`, `fsr_opt.reports.html`). The same difference gives the same bytes.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from decimal import Decimal

from fsr_opt import __version__
from fsr_opt.core.words import binding_label, money, phrases, text
from fsr_opt.reports.html import PAGE_CSS, escape, html_table
from fsr_opt.reports.xlsx import BOLD, Sheet, Workbook, footer_codes
from fsr_opt.whatif.diff import Change, LineChange, RunDiff, UnitChange
from fsr_opt.whatif.view import TOTAL

# The footer holds at most 255 characters: a label (a folder's path) is cut to this.
_LABEL_LENGTH = 60


def _euros(cents: int | None) -> Decimal | str:
    return "" if cents is None else Decimal(cents) / 100


def _pair(before: int | None, after: int | None) -> list[Decimal | str]:
    """Base, scenario and their difference ("" where a run does not say it)."""
    change = None if before is None or after is None else after - before
    return [_euros(before), _euros(after), _euros(change)]


def _count_pair(before: int, after: int) -> list[int]:
    return [before, after, after - before]


def _area_rows(diff: RunDiff, total: str) -> list[list[object]]:
    """One row per area and the fund's TOTALE: budget, awarded, units funded, unassigned."""
    return [[total if line.area == TOTAL else diff.area_name(line.area),
             *_pair(line.budget_before, line.budget_after),
             *_pair(line.awarded_before, line.awarded_after),
             *_pair(line.residual_before, line.residual_after),
             *_count_pair(line.funded_before, line.funded_after),
             *_pair(line.unassigned_before, line.unassigned_after)]
            for line in diff.lines if line.service == TOTAL]


def _line_rows(diff: RunDiff) -> list[LineChange]:
    return [line for line in diff.lines if line.service != TOTAL]


def _moves(diff: RunDiff) -> list[UnitChange]:
    """The units entering funding, then those leaving it, each in the base's order."""
    return ([u for u in diff.units if u.change == Change.ENTERS]
            + [u for u in diff.units if u.change == Change.LEAVES])


def _short(label: str) -> str:
    return label if len(label) <= _LABEL_LENGTH else "…" + label[-(_LABEL_LENGTH - 1):]


# ---------------------------------------------------------------------------------------------
# scenario.xlsx
# ---------------------------------------------------------------------------------------------


def _sheet(sheet: Sheet, headings: Sequence[str], kinds: Sequence[str],
           rows: Sequence[Sequence[object]], totals: Sequence[object] | None,
           lang: str) -> None:
    """A table; then, after a blank row (out of the filter), its TOTALE row in bold."""
    after = sheet.table(headings, kinds, rows)
    if totals is None:
        return
    sheet.cell(after + 1, 1, "text", text("word.TOTAL", lang), BOLD)
    for col, (kind, value) in enumerate(zip(kinds, totals, strict=True), start=1):
        if col > 1 and value not in ("", None):
            sheet.cell(after + 1, col, kind, value, BOLD)


def _sums(rows: Sequence[Sequence[object]], kinds: Sequence[str]) -> list[object]:
    """Each money and count column of `rows` added up; "" for the others."""
    sums: list[object] = []
    for col, kind in enumerate(kinds):
        cells = [row[col] for row in rows if row[col] not in ("", None)]
        if kind == "money":
            sums.append(sum((Decimal(str(v)) for v in cells), Decimal(0)))
        elif kind == "count":
            sums.append(sum(int(str(v)) for v in cells))
        else:
            sums.append("")
    return sums


def scenario_workbook(diff: RunDiff, *, lang: str = "it") -> bytes:
    """Build scenario.xlsx: sheets Aree, Linee, Unità, Entrano ed escono.

    Args:
        diff: the comparison (`fsr_opt.whatif.diff.diff_runs`).
        lang: ``it`` (default) or ``en``.

    Returns:
        The .xlsx file's bytes, the same for the same comparison.
    """
    w = phrases("scenario", lang)
    total = text("word.TOTAL", lang)
    book = Workbook(w("title").format(base=_short(diff.base), scenario=_short(diff.scenario)))
    book.set_footer(footer_codes(
        f"{w('base')}: {_short(diff.base)}", f"{w('scenario')}: {_short(diff.scenario)}",
        text("workbook.footer_page", lang)))
    areas, lines, units, moves = (book.add_sheet(w(f"sheet.{name}"))
                                  for name in ("areas", "lines", "units", "moves"))
    triple = ["money"] * 3
    area_kinds = ["text", *triple, *triple, "money", "money", "money", "count", "count",
                  "count", *triple]
    areas.table([w("area"), w("budget_base"), w("budget_scenario"), w("budget_change"),
                 w("awarded_base"), w("awarded_scenario"), w("awarded_change"),
                 w("residual_base"), w("residual_scenario"), w("residual_change"),
                 w("funded_base"), w("funded_scenario"), w("funded_change"),
                 w("unassigned_base"), w("unassigned_scenario"), w("unassigned_change")],
                area_kinds, _area_rows(diff, total))  # its last row is the fund's TOTALE
    line_kinds = ["text", "text", *triple, *triple, "money", "money", "count", "count", "count"]
    line_rows: list[list[object]] = [
        [diff.area_name(line.area), diff.line_name(line.service),
         *_pair(line.target_before, line.target_after),
         *_pair(line.awarded_before, line.awarded_after),
         _euros(line.distance_before), _euros(line.distance_after),
         *_count_pair(line.funded_before, line.funded_after)]
        for line in _line_rows(diff)]
    _sheet(lines, [w("area"), w("service"), w("target_base"), w("target_scenario"),
                   w("target_change"), w("awarded_base"), w("awarded_scenario"),
                   w("awarded_change"), w("distance_base"), w("distance_scenario"),
                   w("funded_base"), w("funded_scenario"), w("funded_change")],
           line_kinds, line_rows, _sums(line_rows, line_kinds), lang)
    unit_kinds = ["text"] * 7 + triple + ["text", "text"]
    unit_rows: list[list[object]] = [
        [u.unit_id, u.name, u.municipality, u.operator, diff.area_name(u.area),
         diff.line_name(u.service),
         w(f"change.{u.change.value}"), *_pair(u.before, u.after),
         _limit(u.binding_before, lang), _limit(u.binding_after, lang)] for u in diff.units]
    unit_headings = [w("unit_id"), w("name"), w("municipality"), w("operator"), w("area"),
                     w("service"), w("change_code"), w("award_base"), w("award_scenario"),
                     w("award_change"), w("binding_base"), w("binding_scenario")]
    _sheet(units, unit_headings, unit_kinds, unit_rows, _sums(unit_rows, unit_kinds), lang)
    move_rows: list[list[object]] = [
        [u.unit_id, u.name, u.municipality, u.operator, diff.area_name(u.area),
         diff.line_name(u.service),
         w(f"change.{u.change.value}"), *_pair(u.before, u.after),
         _limit(u.binding_before, lang), _limit(u.binding_after, lang)] for u in _moves(diff)]
    _sheet(moves, unit_headings, unit_kinds, move_rows, _sums(move_rows, unit_kinds), lang)
    return book.to_bytes()


def _limit(code: str, lang: str) -> str:
    """A binding limit as people read it; "" for a unit absent from one of the two runs."""
    return binding_label(code, lang) if code else ""


# ---------------------------------------------------------------------------------------------
# scenario.html
# ---------------------------------------------------------------------------------------------


def _e(value: object) -> str:
    return escape(str(value))


def _signed(cents: int, lang: str) -> str:
    return ("+" if cents > 0 else "") + money(cents, lang)


def _cells(values: Sequence[int | None], lang: str, *, signed: bool = False
           ) -> list[tuple[str, str]]:
    """Amounts as `fsr_opt.core.words.money` writes them."""
    say = _signed if signed else money
    return [("" if v is None else say(v, lang), "n") for v in values]


def _triple(before: int | None, after: int | None, lang: str) -> list[tuple[str, str]]:
    change = None if before is None or after is None else after - before
    return [*_cells([before, after], lang), *_cells([change], lang, signed=True)]


def _counts(before: int, after: int) -> list[tuple[str, str]]:
    change = after - before
    return [(str(before), "n"), (str(after), "n"), (("+" if change > 0 else "") + str(change), "n")]


def _areas_html(diff: RunDiff, w: Callable[[str], str], lang: str) -> str:
    rows = [[(text("word.TOTAL", lang) if line.area == TOTAL else diff.area_name(line.area), ""),
             *_triple(line.budget_before, line.budget_after, lang),
             *_triple(line.awarded_before, line.awarded_after, lang),
             *_counts(line.funded_before, line.funded_after),
             *_triple(line.unassigned_before, line.unassigned_after, lang)]
            for line in diff.lines if line.service == TOTAL]
    return (f"<h2>{_e(w('areas'))}</h2>" + html_table(
        [w("area"), w("budget_base"), w("budget_scenario"), w("budget_change"),
         w("awarded_base"), w("awarded_scenario"), w("awarded_change"), w("funded_base"),
         w("funded_scenario"), w("funded_change"), w("unassigned_base"),
         w("unassigned_scenario"), w("unassigned_change")], rows, totals=[len(rows) - 1],
        css="annex"))


def _lines_html(diff: RunDiff, w: Callable[[str], str], lang: str) -> str:
    lines = _line_rows(diff)
    rows = [[(diff.area_name(line.area), ""), (diff.line_name(line.service), ""),
             *_triple(line.awarded_before, line.awarded_after, lang),
             *_cells([line.distance_before, line.distance_after], lang),
             *_counts(line.funded_before, line.funded_after)] for line in lines]
    before = sum(line.awarded_before for line in lines)
    after = sum(line.awarded_after for line in lines)
    rows.append([(text("word.TOTAL", lang), ""), ("", ""), *_triple(before, after, lang),
                 *_cells([sum(line.distance_before for line in lines),
                          sum(line.distance_after for line in lines)], lang),
                 *_counts(sum(line.funded_before for line in lines),
                          sum(line.funded_after for line in lines))])
    return (f"<h2>{_e(w('lines'))}</h2>" + html_table(
        [w("area"), w("service"), w("awarded_base"), w("awarded_scenario"),
         w("awarded_change"), w("distance_base"), w("distance_scenario"), w("funded_base"),
         w("funded_scenario"), w("funded_change")], rows, totals=[len(rows) - 1]))


def _units_table(units: Sequence[UnitChange], w: Callable[[str], str], lang: str,
                 line_name: Callable[[str], str] = str) -> str:
    rows = [[(u.unit_id, "code"), (u.name, ""), (u.municipality, ""), (u.operator, ""),
             (line_name(u.service), ""), (w(f"change.{u.change.value}"), ""),
             *_triple(u.before, u.after, lang), (_limit(u.binding_before, lang), ""),
             (_limit(u.binding_after, lang), "")]
            for u in units]
    rows.append([(text("word.TOTAL", lang), ""), (str(len(units)), ""), ("", ""), ("", ""),
                 ("", ""), ("", ""), *_triple(sum(u.before for u in units),
                                             sum(u.after for u in units), lang),
                 ("", ""), ("", "")])
    return html_table([w("unit_id"), w("name"), w("municipality"), w("operator"),
                       w("service"), w("change_code"), w("award_base"), w("award_scenario"),
                       w("award_change"), w("binding_base"), w("binding_scenario")], rows,
                      totals=[len(rows) - 1], css="annex")


def _moves_html(diff: RunDiff, w: Callable[[str], str], lang: str) -> str:
    parts = []
    for change, key in ((Change.ENTERS, "entering"), (Change.LEAVES, "leaving")):
        units = [u for u in diff.units if u.change == change]
        parts.append(f"<h2>{_e(w(key))} ({len(units)})</h2>")
        parts.append(_units_table(units, w, lang, diff.line_name) if units
                     else f"<p>{_e(w('none'))}</p>")
    return "".join(parts)


def scenario_html(diff: RunDiff, *, lang: str = "it") -> bytes:
    """Build scenario.html: areas, service lines, units entering and leaving, every unit.

    Args:
        diff: the comparison (`fsr_opt.whatif.diff.diff_runs`).
        lang: ``it`` (default) or ``en``.

    Returns:
        The page as UTF-8 bytes, one file with no script and no network.
    """
    w = phrases("scenario", lang)
    title = w("title").format(base=diff.base, scenario=diff.scenario)
    body = "".join([
        f"<h1>{_e(title)}</h1><p class=\"sub\">{_e(w('subtitle'))}</p>",
        _areas_html(diff, w, lang),
        _lines_html(diff, w, lang),
        _moves_html(diff, w, lang),
        f"<h2 class=\"page\">{_e(w('units'))}</h2>",
        _units_table(diff.units, w, lang, diff.line_name),
        "<footer><p class=\"sub\">" + _e(w("footer").format(
            version=__version__, base=diff.base, scenario=diff.scenario)) + "</p></footer>",
    ])
    page = (f"<!DOCTYPE html>\n<html lang=\"{lang}\"><head><meta charset=\"utf-8\">"
            f"<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">"
            f"<title>{_e(title)}</title><style>{PAGE_CSS}</style></head>"
            f"<body>{body}</body></html>\n")
    return page.encode("utf-8")
