"""Write the hostile corpus of this folder (run from the repository root).

    .venv/bin/python -m tests.hostile.make_corpus

Every file is written from this script, so the corpus can be reviewed and rebuilt; the
files are committed so that the tests do not depend on this script, on openpyxl's writer or
on the date. `expected.yaml` (written by hand) says what each file must give. The 100 MB file
and the over-long table are NOT here: tests/test_hostile.py makes them in a temporary folder.
"""

from __future__ import annotations

import csv
import io
import zipfile
from datetime import date
from pathlib import Path
from typing import Any

import openpyxl

HERE = Path(__file__).parent
SUPPORT = HERE / "support"
ROOT = HERE.parents[1]

HEADER = ["unit_id", "name", "operator", "municipality", "unit_type", "ownership", "users",
          "costs", "revenues", "start_date", "end_date", "in_registry", "authorized",
          "experimental", "keeps_requirements", "data_declared", "applied"]
HEADER_IT = ["Codice unità", "Denominazione", "Ente gestore", "Comune", "Tipologia",
             "Natura giuridica", "Utenti 2024", "Costi 2024", "Ricavi 2024",
             "Data inizio attività", "Data cessazione", "Presente in AFAM",
             "Autorizzazione/CPE", "Sperimentale", "Mantiene i requisiti",
             "Dichiarazione Minori Web", "Istanza presentata"]
# Four valid units of the bundled rule set (one per area, one municipal service line).
BASE = [
    ["UDO1001", "Asilo nido Il Girasole", "Cooperativa Sociale Alfa", "Bergamo", "ASILO_NIDO",
     "private", "30", "400000.00", "350000.00", "2004-09-21", "", "true", "true", "false", "",
     "", "true"],
    ["UDO1002", "CSE Il Ponte", "Cooperativa Sociale Beta", "Gorle", "CSE", "private", "20",
     "300000.00", "270000.00", "1991-10-09", "", "true", "true", "false", "", "", "true"],
    ["SAD-TB", "SAD Torre Boldone", "Comune di Torre Boldone", "Torre Boldone", "SAD", "public",
     "40", "120000.00", "30000.00", "2000-01-01", "", "true", "true", "false", "", "", "true"],
    ["UDO1004", "Centro diurno anziani Il Faro", "Comune di Sorisole", "Sorisole",
     "CENTRO_DIURNO_ANZIANI", "public", "25", "150000.00", "90000.00", "2012-03-01", "",
     "true", "true", "false", "", "", "true"],
]
COL = {name: i for i, name in enumerate(HEADER)}


def rows(*changes: dict[str, str]) -> list[list[str]]:
    """The base rows, the i-th changed by the i-th mapping (column -> text)."""
    out = [list(r) for r in BASE]
    for row, change in zip(out, changes, strict=False):
        for column, value in change.items():
            row[COL[column]] = value
    return out


def extra_row(**change: str) -> list[str]:
    """A fifth unit (a copy of the first with its own id), changed by `change`."""
    row = [*BASE[0]]
    row[COL["unit_id"]], row[COL["name"]] = "UDO1005", "Asilo nido Bis"
    for column, value in change.items():
        row[COL[column]] = value
    return row


def csv_text(header: list[str], body: list[list[str]], sep: str = ",") -> str:
    """CSV text as Excel writes it: minimal quoting, LF line ends."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=sep, lineterminator="\n")
    writer.writerow(header)
    writer.writerows(body)
    return buffer.getvalue()


def write(name: str, data: str | bytes, encoding: str = "utf-8") -> None:
    """Write one corpus file."""
    (HERE / name).write_bytes(data if isinstance(data, bytes) else data.encode(encoding))


def typed(row: list[str]) -> list[Any]:
    """A base row with XLSX types: numbers, dates and booleans."""
    out: list[Any] = list(row)
    for column in ("users",):
        out[COL[column]] = int(row[COL[column]])
    for column in ("costs", "revenues"):
        out[COL[column]] = float(row[COL[column]])
    out[COL["start_date"]] = date.fromisoformat(row[COL["start_date"]])
    for column in ("end_date", "keeps_requirements", "data_declared"):
        out[COL[column]] = None
    for column in ("in_registry", "authorized", "applied"):
        out[COL[column]] = True
    out[COL["experimental"]] = False
    return out


def workbook(sheets: dict[str, list[list[Any]]]) -> openpyxl.Workbook:
    """A workbook with these sheets, in order."""
    book = openpyxl.Workbook()
    first = book.active
    assert first is not None
    book.remove(first)
    for title, table in sheets.items():
        sheet = book.create_sheet(title)
        for line in table:
            sheet.append(line)
    return book


def units_files() -> None:
    """The bad (and the awkward but good) units tables."""
    base = csv_text(HEADER, rows())
    body = base.split("\n", 1)[1]
    write("wrong_columns.csv", "id,title,city,kind,cost\n1,Nido,Bergamo,nido,1000\n")
    write("title_row_above_header.csv", "Fondo Sociale Regionale 2025 - elenco unità,,\n" + base)
    write("repeated_header.csv", base + csv_text(HEADER, [
        [f"UDO20{i}", *r[1:]] for i, r in enumerate(rows())]))
    write("duplicate_id_case.csv", csv_text(HEADER, rows({}, {"unit_id": "udo1001 "})))
    write("duplicate_id_invisible.csv",
          csv_text(HEADER, rows({}, {"unit_id": "UDO1001\u200b"})))
    lines = body.splitlines()
    write("empty_rows.csv", base.splitlines()[0] + "\n" + lines[0] + "\n\n" + "," * 16 + "\n"
          + " , ,\t,\n" + "UDO9999" + "," * 16 + "\n" + "\n".join(lines[1:]) + "\n")
    italian = [[c.replace(".", ",") if i in (COL["costs"], COL["revenues"]) else c
                for i, c in enumerate(r)] for r in rows()]
    italian[0][COL["revenues"]] = "-1.234,56"
    write("negative_revenues_italian.csv", csv_text(HEADER_IT, italian, sep=";"))
    write("money_not_numeric.csv", csv_text(HEADER, [*rows(
        {"costs": "n.d."}, {"costs": "circa 1000"}, {"revenues": "12%"},
        {"costs": "(1234.56)"}), extra_row(costs="€ mille")]))
    write("mixed_number_formats.csv", csv_text(HEADER, rows(
        {"costs": "1.234,56", "revenues": "1.000,00"}, {"costs": "2.500,00"},
        {"costs": "1,234.56", "revenues": "0"}, {"revenues": "0"})))
    write("italian_with_dot_decimals.csv", csv_text(HEADER_IT, rows(
        {"costs": "400.000,00", "revenues": "350.000,00"},
        {"costs": "300.000,00", "revenues": "12.50"},
        {"costs": "120.000,00", "revenues": "30.000,00"},
        {"costs": "150.000,00", "revenues": "90.000,00"}), sep=";"))
    write("ambiguous_comma_thousands.csv", csv_text(HEADER, rows(
        {"costs": "401,234"}, {"users": "1,200"})))
    write("dates_three_formats.csv", csv_text(HEADER, [*rows(
        {"start_date": "2004-09-21"}, {"start_date": "09/10/1991"},
        {"start_date": "09/13/2000"}, {"start_date": "2012.03.01"}),
        extra_row(start_date="01/09/10")]))
    write("nan_inf.csv", csv_text(HEADER, rows(
        {"costs": "NaN"}, {"costs": "inf"}, {"revenues": "-inf"}, {"users": "nan"})))
    write("huge_values.csv", csv_text(HEADER, rows(
        {"costs": "100000000000000000000"}, {"users": "100000000000000000000"},
        {"costs": "1e20"}, {"revenues": "1.23457E+11"})))
    big = [typed(r) for r in rows()]
    big[0][COL["costs"]] = 1e20
    big[1][COL["revenues"]] = 1e308
    big[2][COL["users"]] = 1e20
    workbook({"Unità": [HEADER, *big]}).save(HERE / "huge_values.xlsx")
    write("unknown_unit_type.csv", csv_text(HEADER, rows(
        {"unit_type": "ASILO_LUNARE"}, {"unit_type": "Centro socio educativo"})))
    write("municipality_spelling.csv", csv_text(HEADER, rows(
        {"municipality": "BERGAMO"}, {"municipality": "  gorlè  "},
        {"municipality": "Torre-Boldone"}, {"municipality": "Sorisole\u00a0"})))
    write("outside_ambito.csv", csv_text(HEADER, rows({}, {"municipality": "Milano"})))
    write("booleans_maybe.csv", csv_text(HEADER, rows(
        {"applied": "forse"}, {"in_registry": "boh"}, {"authorized": "2"},
        {"experimental": "n.d."})))
    write("formula_in_cell.csv", csv_text(HEADER, rows(
        {"costs": "=SUM(H3:H4)"}, {"users": "=A1"}, {"start_date": "=OGGI()"})))
    with_formula = [typed(r) for r in rows()]
    with_formula[0][COL["costs"]] = "=SUM(H3:H4)"
    workbook({"Unità": [HEADER, *with_formula]}).save(HERE / "formula_sum.xlsx")
    workbook({"2024": [HEADER, *[typed(r) for r in rows()]],
              "2025": [HEADER, *[typed(r) for r in rows()]]}).save(HERE / "two_unit_sheets.xlsx")
    merged = workbook({"Unità": [HEADER, *[typed(r) for r in rows(
        {}, {"municipality": "Bergamo"}, {"municipality": "Bergamo"})]]})
    merged["Unità"].merge_cells("D2:D4")
    merged.save(HERE / "merged_data_cells.xlsx")
    write("pdf_renamed.csv", b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n1 0 obj\n<< /Type /Catalog >>\n"
          b"endobj\nstream\n\x00\x01\x02\x03\x89PNG\nendstream\n%%EOF\n")
    archive = io.BytesIO()
    with zipfile.ZipFile(archive, "w") as bundle:
        bundle.writestr("units.csv", base)
    write("zip_not_workbook.xlsx", archive.getvalue())
    write("html_as_xlsx.xlsx", "<html><body><table><tr><td>unit_id</td><td>name</td></tr>"
          "</table></body></html>\n")
    write("json_as_csv.csv", '[{"unit_id": "UDO1001", "name": "Asilo nido"}]\n')
    accents = rows({"name": "Asilo nido Città Alta", "operator": "Società Cooperativa Perché"},
                   {"name": "CSE L'Àncora"})
    write("utf8_bom.csv", b"\xef\xbb\xbf" + csv_text(HEADER, accents).encode("utf-8"))
    write("latin1.csv", csv_text(HEADER, accents), encoding="latin-1")
    write("utf16_tab.txt", csv_text(HEADER_IT, accents, sep="\t"), encoding="utf-16")
    write("double_bom.csv", "\ufeff\ufeff" + csv_text(HEADER, accents))
    write("negative_users.csv", csv_text(HEADER, rows({"users": "-3"})))


def rule_files() -> None:
    """The bad rule sets, each the minimal valid one of tests/rules/bad_rules with one mistake."""
    minimal = (ROOT / "tests" / "rules" / "bad_rules" / "minimal_valid.yaml").read_text(
        encoding="utf-8")
    body = minimal.split("\n", 1)[1]  # drop the comment line

    def variant(name: str, old: str, new: str) -> None:
        assert body.count(old) == 1, (name, old)
        write(name, body.replace(old, new))

    text = body.replace("share: {value: 60,", "share: {value: 0.6,")
    write("shares_as_fractions.yaml", text.replace("share: {value: 40,", "share: {value: 0.4,"))
    variant("fund_negative_text.yaml", "value: 1000.00", "value: '-892.495,35'")
    variant("fund_1e20.yaml", "value: 1000.00", "value: 1.0e+20")
    variant("fund_exponent_bomb.yaml", "value: 1000.00", "value: '1e999999999'")
    variant("fund_nan.yaml", "value: 1000.00", "value: .nan")
    variant("minimum_above_entitlements.yaml",
            "minimum_award: {value: 300,", "minimum_award: {value: 100000,")
    variant("reference_typo.yaml", "description: Share of A., reference: Test act art. 8}",
            "description: Share of A., refrence: Test act art. 8}")
    variant("missing_reference_switch.yaml",
            "require_registry: {value: true, description: AFAM., reference: Test act art. 6}",
            "require_registry: {value: true, description: AFAM.}")
    variant("duplicate_key.yaml", "minimum_award: {",
            "fund: {value: 2000, unit: EUR, description: Again., reference: Test}\n"
            "minimum_award: {")
    variant("yaml_tabs.yaml", "metadata:\n  id: minimal", "metadata:\n\tid: minimal")
    write("yaml_deep_nesting.yaml", body + "notes: " + "[" * 5000 + "]" * 5000 + "\n")
    aliases = ["lol0: &lol0 [lol, lol, lol, lol, lol, lol, lol, lol, lol]"]
    aliases += [f"lol{i}: &lol{i} [" + ", ".join([f"*lol{i - 1}"] * 9) + "]" for i in range(1, 9)]
    write("yaml_alias_bomb.yaml", body.replace(
        "municipalities: {value: [Alpha, Torre Boldone],",
        "municipalities: {value: *lol8,").replace("format:", "\n".join(aliases) + "\nformat:",
                                                   1))
    write("toml_deep_nesting.toml", "format = 'fsr-opt/rules/1'\nnotes = "
          + "[" * 5000 + "]" * 5000 + "\n")
    write("empty_rules.yaml", "# nothing here yet\n")
    write("rules_latin1.yaml", body.replace("Test act art. 1", "Delibera n. 12, art. 1 - città"),
          encoding="latin-1")
    write("units_given_as_rules.csv", csv_text(HEADER, rows()))
    # YAML 1.1 guesses: each would be a number nobody wrote
    variant("fund_base_60.yaml", "value: 1000.00", "value: 1:30")
    variant("fund_hexadecimal.yaml", "value: 1000.00", "value: 0xD9E5F")
    variant("fund_underscores.yaml", "value: 1000.00", "value: 3_00")
    variant("fund_octal.yaml", "value: 1000.00", "value: 0300")
    variant("fund_infinity.yaml", "value: 1000.00", "value: .inf")
    variant("switch_yes.yaml",
            "require_registry: {value: true,", "require_registry: {value: yes,")
    variant("fund_quoted_underscores.yaml", "value: 1000.00", "value: '1_000'")
    variant("fund_arabic_digits.yaml", "value: 1000.00", "value: '\u0661\u0660\u0660\u0660'")
    write("fund_hexadecimal.toml", "format = 'fsr-opt/rules/2'\nfund = 0xD9E5F\n")


def round_two_files() -> None:
    """Issue 16's classes: hidden sheets, misleading files, invisible ids, digits, YAML 1.1."""
    base = [typed(r) for r in rows()]
    older = [typed(r) for r in rows()]
    older[0][COL["costs"]] = 999999.0  # an older copy: every deficit would be wrong
    book = workbook({"Foglio1": [HEADER, *base], "Unità": [HEADER, *older]})
    book["Unità"].sheet_state = "hidden"
    book.active = 0
    book.save(HERE / "hidden_sheet_older_copy.xlsx")
    book = workbook({"Note": [["Dati FSR 2025: vedi l'altro foglio"]], "Unità": [HEADER, *older]})
    book["Unità"].sheet_state = "veryHidden"
    book.save(HERE / "only_a_very_hidden_sheet.xlsx")
    # Excel saves a workbook with a password as an OLE file with these streams (names UTF-16)
    write("password_protected.xlsx", b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 504
          + "EncryptionInfo".encode("utf-16-le") + b"\x00" * 50
          + "EncryptedPackage".encode("utf-16-le") + b"\x00" * 512)
    buffer = io.BytesIO()
    workbook({"Unità": [HEADER, *base]}).save(buffer)
    write("workbook_named_txt.txt", buffer.getvalue())
    write("semicolon_dot_decimals.csv", csv_text(HEADER, rows(
        {"costs": "1.500"}, {"revenues": "12.50"}), sep=";"))
    for name, mark in (("id_tag_character.csv", "\U000e0041"),
                       ("id_grapheme_joiner.csv", "\u034f"),
                       ("id_variation_selector.csv", "\ufe0f"),
                       ("id_hangul_filler.csv", "\u3164")):
        write(name, csv_text(HEADER, rows({}, {"unit_id": "UDO1001" + mark})))
    write("date_arabic_digits.csv", csv_text(HEADER, rows(
        {"start_date": "\u0662\u0660\u0660\u0664-\u0660\u0669-\u0662\u0661"})))
    write("money_bold_digits.csv", csv_text(HEADER, rows(
        {"costs": "\U0001d7d2\U0001d7ce\U0001d7ce\U0001d7ce\U0001d7ce\U0001d7ce"})))
    write("users_fullwidth_digits.csv", csv_text(HEADER, rows({"users": "\uff13\uff10"})))


def round_three_files() -> None:
    """A planner's sheet: a merged title above the headings, rows hidden by a filter, a typo."""
    base = [typed(r) for r in rows()]
    book = workbook({"Unità": [["Fondo Sociale Regionale 2025 - Ambito di Bergamo"],
                               [], HEADER_IT, *base]})
    book["Unità"].merge_cells("A1:Q1")
    book.save(HERE / "title_rows_merged.xlsx")
    book = workbook({"Unità": [HEADER_IT, *base]})
    sheet = book["Unità"]
    sheet.auto_filter.ref = f"A1:Q{len(base) + 1}"
    for number in (3, 4):
        sheet.row_dimensions[number].hidden = True
    book.save(HERE / "hidden_rows_filter.xlsx")
    write("unknown_type_typo.csv", csv_text(HEADER, rows({"unit_type": "ASILO_NIDDO"})))


def support_files() -> None:
    """Valid inputs the bad files are paired with."""
    SUPPORT.mkdir(exist_ok=True)
    (SUPPORT / "minimal_units.csv").write_text(csv_text(HEADER, [
        ["S1", "SAD Alpha", "Comune di Alpha", "Alpha", "SAD", "public", "40", "6000.00",
         "1000.00", "2000-01-01", "", "true", "true", "false", "", "", "true"],
        ["C1", "CAD Torre", "Cooperativa Gamma", "Torre Boldone", "CAD", "private", "10",
         "20000.00", "10000.00", "2000-01-01", "", "true", "true", "false", "", "", "true"],
    ]), encoding="utf-8")


if __name__ == "__main__":
    units_files()
    rule_files()
    round_two_files()
    round_three_files()
    support_files()
