"""allocation.xlsx: the riparto as a workbook for the offices and the Assemblea dei Sindaci.

Eight sheets, Italian by default: Riparto (one row per unit, the same cells as
allocation.csv), the deliberation's annex (Allegato: every unit by Comune and ente, with why
and what fell short, `fsr_opt.reports.annex`; Per Comune and Per ente: their totals),
Pagamenti (per ente gestore), Esclusioni (units that get nothing, and why), Riepilogo (per
area and service line, as summary.csv) and Verifiche (the audit of the result). The rows
come from `fsr_opt.reports.tables`, so the workbook and the CSV files can never disagree;
the headings and words come from the catalogue (`fsr_opt.core.words`).

Spreadsheet rules kept here: amounts are numeric cells (Excel shows them in the reader's
locale and can add them up), the header row is frozen and filtered, and no cell is ever a
formula, whatever the text of a unit (`fsr_opt.reports.xlsx` writes the parts). Every sheet
ends with a TOTALE row, after a blank row so that it stays out of the filter and of a sort
(readers of the Riparto sheet skip it: `fsr_opt.io.cells.is_total_label`), and prints on A4
landscape, one page wide, with its heading row on every page and a footer naming the rule
set and the SHA-256 of the units table.

The workbook is returned as bytes; `fsr_opt.io.outputs.write_outputs` writes it together with
the other outputs.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace
from decimal import Decimal
from itertools import repeat
from operator import attrgetter
from typing import cast

from fsr_opt.audit.registry import check_of
from fsr_opt.audit.report import AuditReport
from fsr_opt.core.money import CentsTexts, format_cents
from fsr_opt.core.schema import Allocation, Binding, Ownership, RuleSet
from fsr_opt.core.words import binding_label, describe, phrases, text, yes_no
from fsr_opt.engine.outcomes import UnitOutcome
from fsr_opt.reports.annex import (
    Annex,
    AnnexRow,
    GroupTotal,
    area_labels,
    build_annex,
    line_labels,
    reason_words,
    shown_name,
)
from fsr_opt.reports.tables import (
    ALLOCATION_COLUMNS,
    SUMMARY_COLUMNS,
    TOTAL,
    OperatorPayments,
    allocation_rows,
    operator_payments,
    payment_rows,
    residual_lines,
    summary_rows,
)
from fsr_opt.reports.xlsx import BOLD, Sheet, Workbook, footer_codes


@dataclass(frozen=True)
class Column:
    """A column of a sheet: its heading and how its cells are stored.

    Attributes:
        key: the column's name in the rows (allocation.csv's heading where it has one).
        words: the catalogue key of its heading (`fsr_opt.core.words`).
        kind: ``text``, ``money`` (euros), ``ratio`` (6 decimals), ``share`` (a 0..1 share
            shown as a percent), ``count``, ``bool`` (true/false shown as sì/no).
        history_year: the year a heading's ``{history_year}`` names (`_with_year`).
    """

    key: str
    words: str
    kind: str = "text"
    history_year: int | None = None

    def heading(self, lang: str) -> str:
        """The heading in `lang`."""
        words = text(self.words, lang)
        if self.history_year is None:
            return words
        return words.replace("{history_year}", str(self.history_year))


# Headings chosen so that `fsr-opt audit --allocation allocation.xlsx` recognises the
# columns it checks (Codice unità, Ammessa, Spettanza, Quota percentuale, Contributo, ...).
ALLOCATION_SHEET: tuple[Column, ...] = (
    Column("unit_id", "workbook.column.unit_id"),
    Column("name", "workbook.column.name"),
    Column("operator", "workbook.column.operator"),
    Column("municipality", "workbook.column.municipality"),
    Column("unit_type", "workbook.column.unit_type"),
    Column("ownership", "workbook.column.ownership"),
    Column("area", "workbook.column.area"),
    Column("service", "workbook.column.service"),
    Column("eligible", "workbook.column.eligible", "bool"),
    Column("exclusion_reasons", "workbook.column.exclusion_reasons"),
    Column("deficit", "workbook.column.deficit", "money"),
    Column("formula_amount", "workbook.column.formula_amount", "money"),
    Column("proration", "workbook.column.proration", "ratio"),
    Column("entitlement", "workbook.column.entitlement", "money"),
    Column("share", "workbook.column.share", "share"),
    Column("award", "workbook.column.award", "money"),
    Column("binding", "workbook.column.binding"),
    Column("tranche_1", "workbook.column.tranche_1", "money"),
    Column("tranche_2", "workbook.column.tranche_2", "money"),
    Column("criteria_award", "workbook.column.criteria_award", "money"),
    Column("residual_award", "workbook.column.residual_award", "money"),
    Column("residual_share", "workbook.column.residual_share", "share"),
)
assert tuple(c.key for c in ALLOCATION_SHEET) == ALLOCATION_COLUMNS

PAYMENTS_SHEET: tuple[Column, ...] = (
    Column("operator", "workbook.column.operator"),
    Column("units", "workbook.column.units_funded", "count"),
    Column("total_award", "workbook.column.total_award", "money"),
    Column("tranche_1", "workbook.column.tranche_1_when", "money"),
    Column("tranche_2", "workbook.column.tranche_2_when", "money"),
)

EXCLUSIONS_SHEET: tuple[Column, ...] = (
    Column("unit_id", "workbook.column.unit_id"),
    Column("name", "workbook.column.name"),
    Column("operator", "workbook.column.operator"),
    Column("municipality", "workbook.column.municipality"),
    Column("unit_type", "workbook.column.unit_type"),
    Column("area", "workbook.column.area"),
    Column("service", "workbook.column.service"),
    Column("codes", "workbook.column.codes"),
    Column("why", "workbook.column.why"),
    Column("entitlement", "workbook.column.entitlement", "money"),
    Column("shortfall", "workbook.column.shortfall", "money"),
)

SUMMARY_SHEET: tuple[Column, ...] = (
    Column("area", "workbook.column.area"),
    Column("service", "workbook.column.service"),
    Column("label", "workbook.column.label"),
    Column("budget", "workbook.column.budget", "money"),
    Column("target", "workbook.column.target", "money"),
    Column("historical", "workbook.column.historical", "money"),
    Column("awarded", "workbook.column.awarded", "money"),
    Column("deviation", "workbook.column.deviation", "money"),
    Column("share", "workbook.column.line_share", "share"),
    Column("units_funded", "workbook.column.units_funded", "count"),
    Column("units_excluded", "workbook.column.units_excluded", "count"),
    Column("residual", "workbook.column.residual", "money"),
    Column("total_awarded", "workbook.column.total_awarded", "money"),
    Column("residual_share", "workbook.column.residual_share", "share"),
    Column("unassigned", "workbook.column.unassigned", "money"),
)

CHECKS_SHEET: tuple[Column, ...] = (
    Column("code", "workbook.column.check"),
    Column("description", "workbook.column.description"),
    Column("kind", "workbook.column.kind"),
    Column("checked", "workbook.column.checked", "count"),
    Column("failed", "workbook.column.failed", "count"),
    Column("outcome", "workbook.column.outcome"),
)

VIOLATIONS_SHEET: tuple[Column, ...] = (
    Column("check", "workbook.column.check"),
    Column("subject", "workbook.column.subject"),
    Column("expected", "workbook.column.expected"),
    Column("actual", "workbook.column.actual"),
    Column("message", "workbook.column.message"),
)

ANNEX_SHEET: tuple[Column, ...] = (
    Column("municipality", "workbook.column.municipality"),
    Column("operator", "workbook.column.operator"),
    Column("unit_id", "workbook.column.unit_id"),
    Column("name", "workbook.column.name"),
    Column("area", "workbook.column.area"),
    Column("service", "workbook.column.service"),
    Column("entitlement", "workbook.column.entitlement", "money"),
    Column("award", "workbook.column.award", "money"),
    Column("residual_award", "workbook.column.residual_award", "money"),
    Column("tranche_1", "workbook.column.tranche_1", "money"),
    Column("tranche_2", "workbook.column.tranche_2", "money"),
    Column("reason", "workbook.column.reason"),
    Column("shortfall", "workbook.column.shortfall", "money"),
)


def _group_sheet(first: str) -> tuple[Column, ...]:
    """The columns of the totals per Comune or per ente (`first` names the group)."""
    return (
        Column(first, f"workbook.column.{first}"),
        Column("units", "workbook.column.units", "count"),
        Column("funded", "workbook.column.units_funded", "count"),
        Column("entitlement", "workbook.column.entitlement", "money"),
        Column("award", "workbook.column.award", "money"),
        Column("residual_award", "workbook.column.residual_award", "money"),
        Column("tranche_1", "workbook.column.tranche_1", "money"),
        Column("tranche_2", "workbook.column.tranche_2", "money"),
        Column("shortfall", "workbook.column.shortfall", "money"),
    )


MUNICIPALITIES_SHEET = _group_sheet("municipality")
OPERATORS_SHEET = _group_sheet("operator")

# The sheets in their order; their names are the catalogue's ``workbook.sheet.<sheet>``.
SHEETS = ("allocation", "annex", "municipalities", "operators", "payments", "exclusions",
          "summary", "checks")


def sheet_names(lang: str) -> tuple[str, ...]:
    """The names of the sheets in `lang`, in their order."""
    return tuple(text(f"workbook.sheet.{sheet}", lang) for sheet in SHEETS)


def _table(
    sheet: Sheet,
    columns: Sequence[Column],
    cells: Sequence[Sequence[object]],
    lang: str,
) -> int:
    """Write the headings in `lang` and the cells, by column; return the next free row."""
    return sheet.table_columns([column.heading(lang) for column in columns],
                               [column.kind for column in columns], cells)


def _by_column(rows: Sequence[Sequence[object]], width: int) -> list[Sequence[object]]:
    """A table's rows turned into its columns (`width` of them when there is no row)."""
    return list(zip(*rows, strict=True)) if rows else [() for _ in range(width)]


def _euros(cents: int) -> str:
    """Cents as the plain decimal text the writer stores as it is (``1234.56``): fast."""
    return format_cents(cents)


def _totals(
    sheet: Sheet,
    row: int,
    columns: Sequence[Column],
    cells: Sequence[Sequence[object]],
    lang: str,
    whole: object | None = None,
    *,
    not_summed: Sequence[str] = (),
) -> None:
    """The TOTALE row at `row`: each money and count column added up exactly, in bold.

    `whole`, for a sheet of a unit per row (the Allegato, the Riparto), has these sums
    already, in cents, as attributes named by the columns' keys (`GroupTotal`,
    `_AllocationTotals`): adding up 100,000 texts takes a step per cell. The columns in
    `not_summed` (by key) count things of different kinds, whose sum means nothing.
    """
    sheet.cell(row, 1, "text", text("word.TOTAL", lang), BOLD)
    for col, column in enumerate(columns, start=1):
        if col == 1 or column.kind not in ("money", "count") or column.key in not_summed:
            continue
        if whole is not None:
            total: int = getattr(whole, column.key)
            sheet.cell(row, col, column.kind,
                       total if column.kind == "count" else format_cents(total), BOLD)
            continue
        values = cells[col - 1]
        if column.kind == "count":
            sheet.cell(row, col, "count", sum(int(str(v)) for v in values if v != ""), BOLD)
        else:
            sheet.cell(row, col, "money", decimal_sum(values), BOLD)


@dataclass(frozen=True)
class _AllocationTotals:
    """The sums of the Riparto sheet's amounts, in cents, added up from the units' outcomes."""

    deficit: int
    formula_amount: int
    entitlement: int
    award: int
    tranche_1: int
    tranche_2: int
    criteria_award: int
    residual_award: int

    @classmethod
    def of(cls, outcomes: Sequence[UnitOutcome]) -> _AllocationTotals:
        def total(attribute: str) -> int:
            return sum(filter(None, map(attrgetter(attribute), outcomes)))

        return cls(total("assessment.deficit"), total("assessment.formula_amount"),
                   total("assessment.entitlement"), total("award"), total("tranche_1"),
                   total("tranche_2"), total("criteria_award"), total("residual_award"))


def decimal_sum(cells: Sequence[object]) -> Decimal:
    """The exact sum of a money column's cells (decimal texts, numbers; "" and None skipped).

    A column of texts (allocation.csv's cells, the annex's amounts) is added up without a
    Python step per cell: the Riparto and Allegato sheets each have 100,000 rows at a large
    Ambito.
    """
    if set(map(type, cells)) <= {str, type(None)}:
        return sum(map(Decimal, filter(None, cells)), Decimal(0))  # type: ignore[arg-type]
    return sum((Decimal(str(v)) for v in cells if v not in ("", None)), Decimal(0))


# allocation.csv's cells that the Allegato sheet shows too (the same amounts, as text)
_SHARED = tuple(ALLOCATION_COLUMNS.index(name) for name in (
    "entitlement", "award", "residual_award", "tranche_1", "tranche_2"))


def _annex(rows: Sequence[AnnexRow], rules: RuleSet, lang: str,
           riparto: Sequence[Sequence[object]]) -> list[Sequence[object]]:
    """The Allegato's cells by column; the amounts the Riparto shows are taken from its columns.

    A large Ambito has 100,000 units: each column is made in one pass of C (the rows are
    named tuples, turned into columns at once), the amounts not written again.
    """
    if not rows:
        return [() for _ in ANNEX_SHEET]
    unknown = text("workbook.not_given", lang)
    areas, lines = area_labels(rules), line_labels(rules)
    year = rules.history_year
    fields = dict(zip(AnnexRow._fields, zip(*rows, strict=True), strict=True))

    def named(column: Sequence[str]) -> Sequence[str]:
        return [name or unknown for name in column] if "" in column else column

    positions = cast("Sequence[int]", fields["position"])
    if min(positions) >= 0:  # each row is a unit of the outcomes the Riparto lists
        amounts = [list(map(riparto[index].__getitem__, positions)) for index in _SHARED]
    else:
        euros = CentsTexts()
        amounts = [list(map(euros.__getitem__, cast("Sequence[int]", fields[name])))
                   for name in ("entitlement", "award", "residual_award", "tranche_1",
                                "tranche_2")]
    funded = list(map((0).__lt__, cast("Sequence[int]", fields["award"])))
    keys = list(zip(funded, fields["reasons"], strict=True))
    # a handful of distinct reasons, each said once
    said = {key: reason_words(*key, lang, year) for key in dict.fromkeys(keys)}
    area_codes = cast("Sequence[str]", fields["area"])
    service_codes = cast("Sequence[str]", fields["service"])
    return [
        named(cast("Sequence[str]", fields["municipality"])),
        named(cast("Sequence[str]", fields["operator"])),
        fields["unit_id"], fields["name"],
        list(map(areas.get, area_codes, area_codes)),
        list(map(lines.get, service_codes, service_codes)),
        *amounts,
        list(map(said.__getitem__, keys)),
        list(map(CentsTexts().__getitem__, cast("Sequence[int]", fields["shortfall"]))),
    ]


def _groups(groups: Sequence[GroupTotal], lang: str, *, municipalities: bool = False
            ) -> list[list[object]]:
    unknown = text("workbook.not_given", lang)
    return [[shown_name(group, unknown, lang) if municipalities else group.name or unknown,
             group.units, group.funded, _euros(group.entitlement),
             _euros(group.award), _euros(group.residual_award), _euros(group.tranche_1),
             _euros(group.tranche_2), _euros(group.shortfall)] for group in groups]


def _allocation(
    rules: RuleSet, lang: str, table: Sequence[Sequence[str]]
) -> list[Sequence[object]]:
    """allocation.csv's cells by column, in words where a reader needs them.

    Eligible, ownership, the binding limit and the reasons of an exclusion in words; the area
    and the service line by their labels. allocation.csv keeps the codes (what the audit and
    compare read); the readers of this sheet are people.
    """
    eligible = ALLOCATION_COLUMNS.index("eligible")
    ownership = ALLOCATION_COLUMNS.index("ownership")
    words = {"true": yes_no(True, lang), "false": yes_no(False, lang)}
    owners = {owner.value: text(f"ownership.{owner.value}", lang) for owner in Ownership}
    binding = ALLOCATION_COLUMNS.index("binding")
    limits = {code.value: binding_label(code.value, lang) for code in Binding}
    area, service = ALLOCATION_COLUMNS.index("area"), ALLOCATION_COLUMNS.index("service")
    areas, lines = area_labels(rules), line_labels(rules)
    reasons = ALLOCATION_COLUMNS.index("exclusion_reasons")
    # ALLOCATION_SHEET has allocation.csv's order; each column of codes is said in words by
    # one look-up per cell, as a column holds a few distinct codes
    columns: list[Sequence[object]] = _by_column(table, len(ALLOCATION_COLUMNS))
    for index, said_as in ((ownership, owners), (binding, limits), (area, areas),
                           (service, lines)):
        column = cast("Sequence[str]", columns[index])
        columns[index] = list(map(said_as.get, column, column))
    columns[eligible] = list(map(words.get, cast("Sequence[str]", columns[eligible]),
                                 repeat(words["false"])))
    codes = cast("Sequence[str]", columns[reasons])
    said = {distinct: "; ".join(describe("reason", code, lang, history_year=rules.history_year)
                                for code in distinct.split(";")) if distinct else ""
            for distinct in dict.fromkeys(codes)}  # a few distinct sets of reasons
    columns[reasons] = list(map(said.__getitem__, codes))
    return columns


def _exclusions(outcomes: Sequence[UnitOutcome], rules: RuleSet, lang: str) -> list[list[object]]:
    """The units not funded: area and line by label, the reasons as codes and in words."""
    year = rules.history_year
    areas, lines = area_labels(rules), line_labels(rules)
    rows: list[list[object]] = []
    words: dict[tuple[str, ...], tuple[str, str]] = {}  # a few distinct sets of reasons
    for outcome in outcomes:
        if outcome.award > 0:
            continue
        item = outcome.assessment
        codes = tuple(r.value for r in item.reasons) or (outcome.binding.value,)
        said = words.get(codes)
        if said is None:
            said = words[codes] = (";".join(codes), "; ".join(
                describe("reason", code, lang, history_year=year) for code in codes))
        entitlement = _shortest_euros(item.entitlement)
        rows.append([
            item.unit.unit_id, item.unit.name, item.unit.operator, item.unit.municipality,
            item.unit.unit_type, areas.get(item.area, item.area),
            lines.get(item.service, item.service), *said, entitlement,
            # what fell short: all the entitlement, as the unit receives nothing (annex.py)
            entitlement,
        ])
    return rows


def _shortest_euros(cents: int) -> str:
    """Cents as ``Decimal(cents) / 100`` writes them (``3180``, ``3180.5``), as a text.

    The Esclusioni sheet has always shown its amounts so; a text is stored as it is, while
    a `Decimal` is turned into text cell by cell.
    """
    return format_cents(cents).rstrip("0").rstrip(".")


def _summary(
    outcomes: Sequence[UnitOutcome], allocation: Allocation, rules: RuleSet, lang: str
) -> list[list[object]]:
    areas, lines = rules.area_labels, rules.line_labels
    total = text("word.TOTAL", lang)
    rows: list[list[object]] = []
    for cells in summary_rows(outcomes, allocation, rules):
        record = dict(zip(SUMMARY_COLUMNS, cells, strict=True))
        area, service = record["area"], record["service"]
        # by column: the line 'anziani' is not the area 'anziani'
        label = lines.get(service, "") if service != TOTAL else areas.get(area, "")
        record["label"] = "" if area == TOTAL else label
        record["area"] = total if area == TOTAL else area
        record["service"] = total if service == TOTAL else service
        rows.append([record[column.key] for column in SUMMARY_SHEET])
    return rows


def _with_year(columns: Sequence[Column], rules: RuleSet) -> tuple[Column, ...]:
    """The columns with ``{history_year}`` in their headings set from the rule set."""
    return tuple(replace(column, history_year=rules.history_year) for column in columns)


def _payments(payments: Sequence[OperatorPayments]) -> list[list[object]]:
    return [list(row) for row in payment_rows(payments)]


def _checks(sheet: Sheet, audit: AuditReport | None, lang: str, year: int) -> None:
    w = phrases("workbook", lang)
    if audit is None:
        sheet.cell(1, 1, "text", w("not_run"))
        return
    rows: list[list[object]] = [
        [result.code,
         describe("check", result.code, lang, default=result.description,
                  history_year=year),
         w("certificate" if check_of(result.code).certificate else "rule"),
         result.checked, result.failed, w("passed" if result.passed else "failed")]
        for result in audit.results
    ]
    cells = _by_column(rows, len(CHECKS_SHEET))
    after = _table(sheet, CHECKS_SHEET, cells, lang)
    # the violations add up; what each check counts (units, areas, lines) does not
    _totals(sheet, after + 1, CHECKS_SHEET, cells, lang, not_summed=("checked",))
    after += 2
    sheet.cell(after + 1, 1, "text", w("summary").format(
        passed=audit.passed, run=audit.checks_run, rule_set=audit.rule_set))
    if audit.violations:
        sheet.cell(after + 3, 1, "text", w("violations"), BOLD)
        details = [[v.check, v.subject, v.expected, v.actual, v.message]
                   for v in audit.violations]
        for offset, row in enumerate(details, start=1):
            for col, (column, value) in enumerate(zip(VIOLATIONS_SHEET, row, strict=True),
                                                  start=1):
                sheet.cell(after + 3 + offset, col, column.kind, value)


def allocation_workbook(
    outcomes: Sequence[UnitOutcome],
    allocation: Allocation,
    rules: RuleSet,
    *,
    audit: AuditReport | None = None,
    lang: str = "it",
    table: Sequence[Sequence[str]] | None = None,
    units_sha256: str = "",
    annex: Annex | None = None,
    payments: Sequence[OperatorPayments] | None = None,
) -> bytes:
    """Build allocation.xlsx in memory.

    Args:
        outcomes: every unit with its award (`fsr_opt.engine.outcomes.unit_outcomes`), input order.
        allocation: the solved allocation.
        rules: the rule set of the run (labels of the areas and service lines).
        audit: the audit of this allocation for the Verifiche sheet; None says none was run.
        lang: ``it`` (default) or ``en``, for sheet names, headings and words.
        table: allocation.csv's rows (`fsr_opt.reports.tables.allocation_rows`), if already made.
        units_sha256: the SHA-256 of the units table, printed in every page's footer.
        annex: the run's annex (`fsr_opt.reports.annex.build_annex`), if already made.
        payments: what each ente is paid (`fsr_opt.reports.tables.operator_payments`), if
            already made.

    Returns:
        The .xlsx file's bytes, the same for the same arguments.
    """
    book = Workbook(f"FSR {rules.year} - {rules.ambito}")
    book.set_footer(footer_codes(
        text("workbook.footer_rules", lang).format(rule_set=rules.rule_set_id,
                                                  version=rules.version),
        text("workbook.footer_input", lang).format(sha=units_sha256) if units_sha256 else "",
        text("workbook.footer_page", lang)))
    (riparto, annex_sheet, municipalities, operators, payment_sheet, exclusions, summary,
     checks) = (book.add_sheet(name) for name in sheet_names(lang))
    columns = _with_year(ALLOCATION_SHEET, rules)
    if table is None:
        table = allocation_rows(outcomes)
    riparto_cells = _allocation(rules, lang, table)
    # each TOTALE below its table, after a blank row: out of the filter and of a sort
    _totals(riparto, _table(riparto, columns, riparto_cells, lang) + 1, columns, riparto_cells,
            lang, _AllocationTotals.of(outcomes))
    if annex is None:
        annex = build_annex(outcomes)
    for sheet, sheet_columns, cells in (
        (annex_sheet, ANNEX_SHEET, _annex(annex.rows, rules, lang, riparto_cells)),
        (municipalities, MUNICIPALITIES_SHEET,
         _by_column(_groups(annex.municipalities, lang, municipalities=True),
                    len(MUNICIPALITIES_SHEET))),
        (operators, OPERATORS_SHEET,
         _by_column(_groups(annex.operators, lang), len(OPERATORS_SHEET))),
    ):
        _totals(sheet, _table(sheet, sheet_columns, cells, lang) + 1, sheet_columns, cells,
                lang, annex.whole)
    cells = _by_column(_payments(operator_payments(outcomes) if payments is None else payments),
                       len(PAYMENTS_SHEET))
    after = _table(payment_sheet, PAYMENTS_SHEET, cells, lang)
    _totals(payment_sheet, after + 1, PAYMENTS_SHEET, cells, lang)
    cells = _by_column(_exclusions(outcomes, rules, lang), len(EXCLUSIONS_SHEET))
    after = _table(exclusions, EXCLUSIONS_SHEET, cells, lang)
    _totals(exclusions, after + 1, EXCLUSIONS_SHEET, cells, lang)
    after = _table(summary, _with_year(SUMMARY_SHEET, rules),
                   _by_column(_summary(outcomes, allocation, rules, lang), len(SUMMARY_SHEET)),
                   lang)
    # Whatever stays unassigned is never silent: below the table, after a blank row.
    summary.cell(after + 1, 1, "text", text("residual.title", lang), BOLD)
    for offset, line in enumerate(residual_lines(allocation, lang, rules), start=2):
        summary.cell(after + offset, 1, "text", line)
    _checks(checks, audit, lang, rules.history_year)
    return book.to_bytes()
