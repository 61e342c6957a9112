"""allocation.xlsx: the riparto as a workbook for the offices and the Assemblea dei Sindaci.

Five sheets, Italian by default: Riparto (one row per unit, the same cells as
allocation.csv), Pagamenti (per ente gestore), Esclusioni (units that get nothing, and why),
Riepilogo (per area and service line, as summary.csv) and Verifiche (the audit of the
result). The rows come from `fsr_opt.report`, so the workbook and the CSV files can never
disagree.

Spreadsheet rules kept here:

* amounts are numeric cells with the format ``#,##0.00``: Excel shows 1.234,56 in an Italian
  locale and 1,234.56 elsewhere, and the user can still add them up;
* the header row is frozen and filtered;
* no cell is ever a formula: a text starting with ``=``, ``+``, ``-`` or ``@`` (a unit named
  ``=SUM(A1)``) is stored as text with Excel's quote prefix, so neither opening nor editing the
  cell runs it.

The workbook is built in memory and returned as bytes; `fsr_opt.files.write_outputs` writes
it together with the other outputs.
"""

from __future__ import annotations

import io
import re
import zipfile
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal

from openpyxl import Workbook
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.worksheet import Worksheet

from fsr_opt.audit import AuditReport
from fsr_opt.labels import CHECKS_IT, REASONS, describe, yes_no
from fsr_opt.report import (
    ALLOCATION_COLUMNS,
    SUMMARY_COLUMNS,
    TOTAL,
    UnitOutcome,
    allocation_rows,
    payment_rows,
    summary_rows,
)
from fsr_opt.schema import Allocation, RuleSet

MONEY_FORMAT = "#,##0.00"
SHARE_FORMAT = "0.0000%"
RATIO_FORMAT = "0.000000"
COUNT_FORMAT = "0"
_FORMULA_TRIGGERS = ("=", "+", "-", "@")
_MAX_WIDTH = 60
# A fixed creation date keeps two workbooks of the same riparto alike (openpyxl would stamp
# the current time); run.json records when the run happened.
_CREATED = datetime(2000, 1, 1)


@dataclass(frozen=True)
class Column:
    """A column of a sheet: its heading per language and how its cells are stored.

    Attributes:
        kind: ``text``, ``money`` (euros), ``ratio`` (6 decimals), ``share`` (a 0..1 share
            shown as a percent), ``count``, ``bool`` (true/false shown as sì/no).
    """

    key: str
    it: str
    en: str
    kind: str = "text"

    def heading(self, lang: str) -> str:
        """The heading in `lang`."""
        return self.it if lang == "it" else self.en


# Headings chosen so that `fsr-opt audit --allocation allocation.xlsx` recognises the
# columns it checks (Codice unità, Ammessa, Spettanza, Quota percentuale, Contributo, ...).
ALLOCATION_SHEET: tuple[Column, ...] = (
    Column("unit_id", "Codice unità", "Unit id"),
    Column("name", "Denominazione", "Name"),
    Column("operator", "Ente gestore", "Operator"),
    Column("municipality", "Comune", "Municipality"),
    Column("unit_type", "Tipologia", "Unit type"),
    Column("ownership", "Natura giuridica", "Ownership"),
    Column("area", "Area", "Area"),
    Column("service", "Linea di servizio", "Service line"),
    Column("eligible", "Ammessa", "Eligible", "bool"),
    Column("exclusion_reasons", "Motivi di esclusione", "Exclusion reasons"),
    Column("deficit", "Disavanzo 2024", "2024 deficit", "money"),
    Column("formula_amount", "Importo da formula", "Formula amount", "money"),
    Column("proration", "Proporzione attività", "Proration", "ratio"),
    Column("entitlement", "Spettanza", "Entitlement", "money"),
    Column("share", "Quota percentuale", "Share", "share"),
    Column("award", "Contributo", "Award", "money"),
    Column("binding", "Limite vincolante", "Binding limit"),
    Column("tranche_1", "Prima tranche", "First tranche", "money"),
    Column("tranche_2", "Seconda tranche", "Second tranche", "money"),
)
assert tuple(c.key for c in ALLOCATION_SHEET) == ALLOCATION_COLUMNS

PAYMENTS_SHEET: tuple[Column, ...] = (
    Column("operator", "Ente gestore", "Operator"),
    Column("units", "Unità finanziate", "Units funded", "count"),
    Column("total_award", "Contributo totale", "Total award", "money"),
    Column("tranche_1", "Prima tranche (dopo l'approvazione)", "First tranche (on approval)",
           "money"),
    Column("tranche_2", "Seconda tranche (dopo il debito informativo)",
           "Second tranche (after the data return)", "money"),
)

EXCLUSIONS_SHEET: tuple[Column, ...] = (
    Column("unit_id", "Codice unità", "Unit id"),
    Column("name", "Denominazione", "Name"),
    Column("operator", "Ente gestore", "Operator"),
    Column("municipality", "Comune", "Municipality"),
    Column("unit_type", "Tipologia", "Unit type"),
    Column("area", "Area", "Area"),
    Column("service", "Linea di servizio", "Service line"),
    Column("codes", "Motivi", "Reasons"),
    Column("why", "Spiegazione", "Explanation"),
    Column("entitlement", "Spettanza", "Entitlement", "money"),
)

SUMMARY_SHEET: tuple[Column, ...] = (
    Column("area", "Area", "Area"),
    Column("service", "Linea di servizio", "Service line"),
    Column("label", "Descrizione", "Description"),
    Column("budget", "Budget area", "Area budget", "money"),
    Column("target", "Obiettivo (andamento storico)", "Target (2024 pattern)", "money"),
    Column("historical_2024", "Assegnato 2024", "Assigned 2024", "money"),
    Column("awarded", "Assegnato", "Awarded", "money"),
    Column("deviation", "Scostamento dall'obiettivo", "Deviation from target", "money"),
    Column("share", "Quota percentuale della linea", "Share of the line", "share"),
    Column("units_funded", "Unità finanziate", "Units funded", "count"),
    Column("units_excluded", "Unità non finanziate", "Units not funded", "count"),
)

CHECKS_SHEET: tuple[Column, ...] = (
    Column("code", "Verifica", "Check"),
    Column("description", "Regola verificata", "Rule checked"),
    Column("kind", "Tipo", "Kind"),
    Column("checked", "Elementi verificati", "Items checked", "count"),
    Column("failed", "Violazioni", "Violations", "count"),
    Column("outcome", "Esito", "Outcome"),
)

VIOLATIONS_SHEET: tuple[Column, ...] = (
    Column("check", "Verifica", "Check"),
    Column("subject", "Oggetto", "Subject"),
    Column("expected", "Atteso", "Expected"),
    Column("actual", "Trovato", "Found"),
    Column("message", "Dettaglio", "Detail"),
)

SHEET_NAMES = {
    "it": ("Riparto", "Pagamenti", "Esclusioni", "Riepilogo", "Verifiche"),
    "en": ("Allocation", "Payments", "Exclusions", "Summary", "Checks"),
}

_TEXT = {
    "it": {"rule": "regola", "certificate": "certificato di ottimalità", "passed": "superata",
           "failed": "NON superata", "total": "TOTALE", "not_run":
           "Verifiche non eseguite per questo riparto.", "violations": "Violazioni",
           "summary": "Verifiche superate: {passed} su {run}; riparto controllato contro le "
                      "regole {rule_set}."},
    "en": {"rule": "rule", "certificate": "optimality certificate", "passed": "passed",
           "failed": "FAILED", "total": "TOTAL", "not_run": "No checks were run for this "
           "riparto.", "violations": "Violations",
           "summary": "Checks passed: {passed} of {run}; allocation checked against the "
                      "rules {rule_set}."},
}

_HEADER_FONT = Font(bold=True)
_HEADER_FILL = PatternFill("solid", fgColor="DDE5F0")


def _put(sheet: Worksheet, row: int, column: Column | None, col: int, value: object) -> None:
    """Write one cell: numbers as numbers with their format, text never as a formula."""
    cell = sheet.cell(row=row, column=col)
    kind = column.kind if column else "text"
    if value is None or value == "":
        cell.value = None
        return
    if kind == "count":
        cell.value = int(str(value))
        cell.number_format = COUNT_FORMAT
        return
    if kind in {"money", "ratio", "share"}:
        number = value if isinstance(value, int | Decimal) else Decimal(str(value))
        cell.value = number
        cell.number_format = {"money": MONEY_FORMAT, "ratio": RATIO_FORMAT,
                              "share": SHARE_FORMAT}[kind]
        return
    text = str(value)
    cell.value = text
    if text.startswith(_FORMULA_TRIGGERS):
        cell.data_type = "s"  # openpyxl would store it as a formula
        cell.quotePrefix = True  # and Excel keeps it text when the cell is edited


def _table(
    sheet: Worksheet,
    columns: Sequence[Column],
    rows: Sequence[Sequence[object]],
    lang: str,
    *,
    first_row: int = 1,
    freeze: bool = True,
) -> int:
    """Write a heading and rows, with filters (and a frozen header); return the next free row."""
    widths = [len(column.heading(lang)) for column in columns]
    for col, column in enumerate(columns, start=1):
        _put(sheet, first_row, None, col, column.heading(lang))
        cell = sheet.cell(row=first_row, column=col)
        cell.font = _HEADER_FONT
        cell.fill = _HEADER_FILL
        cell.alignment = Alignment(wrap_text=True, vertical="top")
    for offset, row in enumerate(rows, start=1):
        for col, (column, value) in enumerate(zip(columns, row, strict=True), start=1):
            _put(sheet, first_row + offset, column, col, value)
            shown = len(str(value)) + (4 if column.kind == "money" else 0)
            widths[col - 1] = max(widths[col - 1], shown)
    for col, width in enumerate(widths, start=1):
        sheet.column_dimensions[get_column_letter(col)].width = min(width + 2, _MAX_WIDTH)
    last = first_row + len(rows)
    sheet.auto_filter.ref = f"A{first_row}:{get_column_letter(len(columns))}{max(last, first_row)}"
    if freeze:
        sheet.freeze_panes = f"A{first_row + 1}"
    return last + 1


def _allocation(outcomes: Sequence[UnitOutcome], lang: str) -> list[list[object]]:
    """allocation.csv's cells, translated where a reader needs words (eligible, ownership)."""
    rows: list[list[object]] = []
    for cells in allocation_rows(outcomes):
        record = dict(zip(ALLOCATION_COLUMNS, cells, strict=True))
        record["eligible"] = yes_no(record["eligible"] == "true", lang)
        if lang == "it":
            record["ownership"] = {"public": "pubblica", "private": "privata"}.get(
                record["ownership"], record["ownership"])
        rows.append([record[column.key] for column in ALLOCATION_SHEET])
    return rows


def _exclusions(outcomes: Sequence[UnitOutcome], lang: str) -> list[list[object]]:
    rows: list[list[object]] = []
    for outcome in outcomes:
        if outcome.award > 0:
            continue
        item = outcome.assessment
        codes = [r.value for r in item.reasons] or [outcome.binding.value]
        rows.append([
            item.unit.unit_id, item.unit.name, item.unit.operator, item.unit.municipality,
            item.unit.unit_type, item.area, item.service, ";".join(codes),
            "; ".join(describe(REASONS, code, lang) for code in codes),
            Decimal(item.entitlement) / 100,
        ])
    return rows


def _summary(
    outcomes: Sequence[UnitOutcome], allocation: Allocation, rules: RuleSet, lang: str
) -> list[list[object]]:
    labels = {s.code: s.label for a in rules.areas for s in a.services}
    labels.update({a.code: a.label for a in rules.areas})
    total = _TEXT[lang]["total"]
    rows: list[list[object]] = []
    for cells in summary_rows(outcomes, allocation, rules):
        record = dict(zip(SUMMARY_COLUMNS, cells, strict=True))
        area, service = record["area"], record["service"]
        label = labels.get(service if service != TOTAL else area, "")
        record["label"] = "" if area == TOTAL else label
        record["area"] = total if area == TOTAL else area
        record["service"] = total if service == TOTAL else service
        rows.append([record[column.key] for column in SUMMARY_SHEET])
    return rows


def _payments(outcomes: Sequence[UnitOutcome]) -> list[list[object]]:
    return [list(row) for row in payment_rows(outcomes)]


def _checks(sheet: Worksheet, audit: AuditReport | None, lang: str) -> None:
    words = _TEXT[lang]
    if audit is None:
        _put(sheet, 1, None, 1, words["not_run"])
        return
    certificates = {"MONEY_LEFT", "TRANSFER_IMPROVES"}
    rows: list[list[object]] = [
        [result.code,
         CHECKS_IT.get(result.code, result.description) if lang == "it" else result.description,
         words["certificate" if result.code in certificates else "rule"],
         result.checked, result.failed, words["passed" if result.passed else "failed"]]
        for result in audit.results
    ]
    after = _table(sheet, CHECKS_SHEET, rows, lang)
    _put(sheet, after + 1, None, 1, words["summary"].format(
        passed=audit.passed, run=audit.checks_run, rule_set=audit.rule_set))
    if audit.violations:
        _put(sheet, after + 3, None, 1, words["violations"])
        sheet.cell(row=after + 3, column=1).font = _HEADER_FONT
        details = [[v.check, v.subject, v.expected, v.actual, v.message]
                   for v in audit.violations]
        for offset, row in enumerate(details, start=1):
            for col, (column, value) in enumerate(zip(VIOLATIONS_SHEET, row, strict=True),
                                                  start=1):
                _put(sheet, after + 3 + offset, column, col, value)


def allocation_workbook(
    outcomes: Sequence[UnitOutcome],
    allocation: Allocation,
    rules: RuleSet,
    *,
    audit: AuditReport | None = None,
    lang: str = "it",
) -> bytes:
    """Build allocation.xlsx in memory.

    Args:
        outcomes: every unit with its award (`fsr_opt.report.unit_outcomes`), input order.
        allocation: the solved allocation.
        rules: the rule set of the run (labels of the areas and service lines).
        audit: the audit of this allocation for the Verifiche sheet; None says none was run.
        lang: ``it`` (default) or ``en``, for sheet names, headings and words.

    Returns:
        The .xlsx file's bytes.
    """
    names = SHEET_NAMES[lang]
    book = Workbook()
    book.properties.creator = "fsr-opt"
    book.properties.title = f"FSR {rules.year} - {rules.ambito}"
    book.properties.created = _CREATED
    book.properties.modified = _CREATED
    riparto = book.active
    assert riparto is not None
    riparto.title = names[0]
    _table(riparto, ALLOCATION_SHEET, _allocation(outcomes, lang), lang)
    payments = book.create_sheet(names[1])
    payment_data = _payments(outcomes)
    after = _table(payments, PAYMENTS_SHEET, payment_data, lang)
    totals: list[object] = [_TEXT[lang]["total"]]
    for index in range(1, len(PAYMENTS_SHEET)):
        totals.append(sum((Decimal(str(row[index])) for row in payment_data), Decimal(0)))
    for col, (column, value) in enumerate(zip(PAYMENTS_SHEET, totals, strict=True), start=1):
        _put(payments, after + 1, column, col, value)  # below the filter, after a blank row
        payments.cell(row=after + 1, column=col).font = _HEADER_FONT
    _table(book.create_sheet(names[2]), EXCLUSIONS_SHEET, _exclusions(outcomes, lang), lang)
    _table(book.create_sheet(names[3]), SUMMARY_SHEET,
           _summary(outcomes, allocation, rules, lang), lang)
    _checks(book.create_sheet(names[4]), audit, lang)
    buffer = io.BytesIO()
    book.save(buffer)
    return reproducible_xlsx(buffer.getvalue(), _CREATED)


def reproducible_xlsx(data: bytes, stamp: datetime) -> bytes:
    """Rewrite an XLSX with fixed zip entry times and document dates.

    openpyxl stamps the save time on every zip entry and in docProps/core.xml; the same
    input must give byte-identical outputs, so both are pinned to `stamp`.
    """
    text_stamp = stamp.strftime("%Y-%m-%dT%H:%M:%SZ").encode()
    zip_time = (max(stamp.year, 1980), stamp.month, stamp.day, stamp.hour, stamp.minute,
                stamp.second)
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(data)) as source, \
            zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        for info in source.infolist():
            payload = source.read(info.filename)
            if info.filename == "docProps/core.xml":
                payload = re.sub(rb"(<dcterms:(?:created|modified)[^>]*>)[^<]*",
                                 rb"\g<1>" + text_stamp, payload)
            entry = zipfile.ZipInfo(info.filename, date_time=zip_time)
            entry.compress_type = zipfile.ZIP_DEFLATED
            entry.create_system = 3
            entry.external_attr = 0o644 << 16
            target.writestr(entry, payload)
    return out.getvalue()
