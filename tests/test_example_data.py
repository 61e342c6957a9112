"""The bundled Ambito di Bergamo 2025 example: shape, counts, special cases, reproducibility.

Reads the files with `csv` and `openpyxl` only (independent of the package's loaders).
"""

from __future__ import annotations

import csv
import subprocess
import sys
from collections import Counter
from pathlib import Path

import openpyxl
import pytest

ROOT = Path(__file__).resolve().parents[1]
DATA = ROOT / "data" / "bergamo-2025"
CSV_PATH = DATA / "units.csv"
XLSX_PATH = DATA / "units.xlsx"
SCRIPT = ROOT / "scripts" / "make_bergamo_example.py"
README = ROOT / "data" / "README.md"

HEADER = [
    "unit_id", "name", "operator", "municipality", "unit_type", "ownership", "users", "costs",
    "revenues", "start_date", "end_date", "in_registry", "authorized", "experimental",
    "keeps_requirements", "data_declared", "applied",
]
MUNICIPAL_SERVICES = {"SAD", "SADH", "ADM", "AFFIDO", "INSERIMENTO_COMUNITA"}
# The other municipal services of point a) of the criteria, run by one municipality each.
POINT_A_SERVICES = {("Bergamo", "PROGETTI"), ("Bergamo", "CDM"), ("Ponteranica", "ADH"),
                    ("Torre Boldone", "SADAH")}
MUNICIPAL_TYPES = MUNICIPAL_SERVICES | {code for _, code in POINT_A_SERVICES}
UNIT_TYPES = {
    "ASILO_NIDO", "MICRONIDO", "NIDO_FAMIGLIA", "CENTRO_PRIMA_INFANZIA", "CRD", "CAG", "CEM",
    "COMUNITA_FAMILIARE", "ADM", "AFFIDO", "INSERIMENTO_COMUNITA", "SADH",
    "ALLOGGIO_AUTONOMIA", "SED", "CSE", "SFA", "SFA_MINORI_SPERIMENTALE", "CAD", "CSS", "SAD",
    "ALLOGGIO_PROTETTO_ANZIANI", "CENTRO_DIURNO_ANZIANI", "CASA", "PROGETTI", "CDM", "ADH",
    "SADAH",
}
# The criteria's table "TOTALE UDOS ATTIVE AL 31.12.2024": (public, private). It counts the
# centri ricreativi diurni per minori apart ("escludendo dal calcolo ... Centro Ricreativo
# Diurno per Minori", l.15); the example has these CRD besides, per municipality.
ACTIVE_2024 = {
    "bergamo": (22, 146),
    "gorle": (2, 5),
    "orio al serio": (4, 1),
    "ponteranica": (3, 5),
    "sorisole": (0, 9),
    "torre boldone": (3, 11),
}
CRD_APART = {
    "bergamo": (1, 40),
    "gorle": (0, 2),
    "orio al serio": (1, 1),
    "ponteranica": (1, 2),
    "sorisole": (0, 3),
    "torre boldone": (1, 3),
}

# unit id -> every reason code the rules must give it (see data/README.md).
EXCLUSION_CASES = {
    "UDO623526": {"NOT_IN_REGISTRY"},
    "UDO832791": {"NOT_IN_REGISTRY"},
    "UDO212636": {"NOT_AUTHORIZED"},
    "UDO161068": {"NOT_AUTHORIZED"},
    "UDO898145": {"OUTSIDE_AMBITO"},
    "UDO356205": {"OUTSIDE_AMBITO"},
    "UDO379508": {"STARTED_IN_YEAR"},
    "UDO391067": {"STARTED_IN_YEAR", "NO_DEFICIT"},
    "UDO462735": {"CEASED_BEFORE_YEAR"},
    "UDO271619": {"CEASED_BEFORE_YEAR"},
    "UDO862380": {"EXPERIMENTAL"},
    "UDO920396": {"EXPERIMENTAL"},
    "UDO940466": {"EXPERIMENTAL"},  # SFA minori not flagged experimental: excluded all the same
    "UDO256611": {"MISSING_DATA_DECLARATION"},
    "UDO233587": {"MISSING_DATA_DECLARATION"},
    "UDO313985": {"NO_DEFICIT"},
    "UDO421452": {"NO_DEFICIT"},
    "UDO488349": {"NO_DEFICIT"},
    "UDO446236": {"NOT_APPLIED"},
    "UDO954238": {"NOT_APPLIED"},
    "UDO508657": {"NOT_APPLIED"},
}
EXPERIMENTAL_ELIGIBLE = "UDO296053"  # experimental SFA minori that keeps its requirements
SFA_NOT_FLAGGED = "UDO940466"  # SFA minori, experimental false, keeps_requirements false (l.78)
PRORATED = "UDO681697"  # ceases on 2025-06-30
TINY_DEFICITS = {"UDO935459": "185.40", "UDO822115": "240.00", "UDO367266": "96.50"}
OTHER_CASE = {"UDO839902": "BERGAMO", "UDO435661": "torre boldone"}


def read_csv(path: Path) -> list[dict[str, str]]:
    with path.open(newline="", encoding="utf-8") as handle:
        return list(csv.DictReader(handle))


@pytest.fixture(scope="module")
def rows() -> list[dict[str, str]]:
    return read_csv(CSV_PATH)


@pytest.fixture(scope="module")
def by_id(rows: list[dict[str, str]]) -> dict[str, dict[str, str]]:
    return {row["unit_id"]: row for row in rows}


def cents(text: str) -> int:
    whole, _, frac = text.partition(".")
    assert len(frac) == 2, text
    return int(whole) * 100 + int(frac)


def reasons(row: dict[str, str]) -> set[str]:
    """A small re-statement of the contract's eligibility tests, for these files only."""
    municipal = row["unit_type"] in MUNICIPAL_TYPES
    found = set()
    if not municipal and row["in_registry"] != "true":
        found.add("NOT_IN_REGISTRY")
    if not municipal and row["authorized"] != "true":
        found.add("NOT_AUTHORIZED")
    if row["municipality"].casefold() not in ACTIVE_2024:
        found.add("OUTSIDE_AMBITO")
    if row["start_date"] >= "2025-01-01":
        found.add("STARTED_IN_YEAR")
    if row["end_date"] and row["end_date"] < "2025-01-01":
        found.add("CEASED_BEFORE_YEAR")
    # the SFA minori are experimental by definition (l.78), whatever the row's flag says
    sfa_minori = row["unit_type"] == "SFA_MINORI_SPERIMENTALE"
    if (row["experimental"] == "true" or sfa_minori) and not (
        sfa_minori and row["keeps_requirements"] == "true"
    ):
        found.add("EXPERIMENTAL")
    if row["unit_type"] in {"CEM", "COMUNITA_FAMILIARE"} and row["data_declared"] != "true":
        found.add("MISSING_DATA_DECLARATION")
    if cents(row["costs"]) - cents(row["revenues"]) <= 0:
        found.add("NO_DEFICIT")
    if row["applied"] != "true":
        found.add("NOT_APPLIED")
    return found


def test_header_is_the_contract() -> None:
    with CSV_PATH.open(newline="", encoding="utf-8") as handle:
        assert next(csv.reader(handle)) == HEADER


def test_cells_are_well_formed(rows: list[dict[str, str]]) -> None:
    for row in rows:
        assert row["unit_type"] in UNIT_TYPES
        assert row["ownership"] in {"public", "private"}
        assert int(row["users"]) >= 0
        assert cents(row["costs"]) >= 0 and cents(row["revenues"]) >= 0
        for column in ("in_registry", "authorized", "experimental", "applied"):
            assert row[column] in {"true", "false"}
        for column in ("keeps_requirements", "data_declared"):
            assert row[column] in {"", "true", "false"}
        assert (row["keeps_requirements"] != "") == (
            row["experimental"] == "true" or row["unit_type"] == "SFA_MINORI_SPERIMENTALE")
        residential = row["unit_type"] in {"CEM", "COMUNITA_FAMILIARE"}
        assert (row["data_declared"] != "") == residential


def test_unit_ids_unique(rows: list[dict[str, str]]) -> None:
    ids = [row["unit_id"] for row in rows]
    assert len(ids) == len(set(ids))


def test_active_units_match_the_criteria_table(rows: list[dict[str, str]]) -> None:
    counts: Counter[tuple[str, str]] = Counter()
    crd: Counter[tuple[str, str]] = Counter()
    for row in rows:
        if (
            row["in_registry"] == "true"
            and row["start_date"] < "2025-01-01"
            and (not row["end_date"] or row["end_date"] >= "2025-01-01")
            and row["municipality"].casefold() in ACTIVE_2024
            and row["unit_type"] not in MUNICIPAL_TYPES
        ):
            counter = crd if row["unit_type"] == "CRD" else counts
            counter[(row["municipality"].casefold(), row["ownership"])] += 1
    for municipality, (public, private) in ACTIVE_2024.items():
        assert counts[(municipality, "public")] == public, municipality
        assert counts[(municipality, "private")] == private, municipality
    assert sum(counts.values()) == 211
    # the CRD, counted apart as the criteria do: all of them active and in AFAM but the one
    # extra row not in the registry
    for municipality, (public, private) in CRD_APART.items():
        assert crd[(municipality, "public")] == public, municipality
        assert crd[(municipality, "private")] == private, municipality
    assert sum(crd.values()) == 55
    assert sum(1 for row in rows if row["unit_type"] == "CRD") == 56


def test_municipal_service_lines(rows: list[dict[str, str]]) -> None:
    lines = {(r["municipality"], r["unit_type"]): r for r in rows
             if r["unit_type"] in MUNICIPAL_TYPES}
    assert len(lines) == 6 * 5 + 4
    assert set(lines) >= POINT_A_SERVICES
    for (municipality, _), row in lines.items():
        assert row["ownership"] == "public"
        assert row["operator"] == f"Comune di {municipality}"
        assert row["in_registry"] == row["authorized"] == row["experimental"] == "false"
        assert row["applied"] == "true"
        assert not reasons(row)


def test_exclusion_cases_are_present(by_id: dict[str, dict[str, str]]) -> None:
    for unit_id, expected in EXCLUSION_CASES.items():
        assert unit_id in by_id, unit_id
        assert reasons(by_id[unit_id]) == expected, unit_id
    covered = set().union(*EXCLUSION_CASES.values())
    assert len(covered) == 9


def test_no_other_row_is_excluded(rows: list[dict[str, str]]) -> None:
    excluded = {row["unit_id"] for row in rows if reasons(row)}
    assert excluded == set(EXCLUSION_CASES)


def test_other_special_cases(by_id: dict[str, dict[str, str]]) -> None:
    sfa = by_id[EXPERIMENTAL_ELIGIBLE]
    assert sfa["unit_type"] == "SFA_MINORI_SPERIMENTALE" and sfa["experimental"] == "true"
    assert sfa["keeps_requirements"] == "true" and not reasons(sfa)
    unflagged = by_id[SFA_NOT_FLAGGED]
    assert unflagged["unit_type"] == "SFA_MINORI_SPERIMENTALE"
    assert unflagged["experimental"] == unflagged["keeps_requirements"] == "false"
    ceasing = [r for r in by_id.values() if r["end_date"] >= "2025-01-01"]
    assert [r["unit_id"] for r in ceasing] == [PRORATED]
    assert by_id[PRORATED]["end_date"] == "2025-06-30" and not reasons(by_id[PRORATED])
    for unit_id, deficit in TINY_DEFICITS.items():
        row = by_id[unit_id]
        assert row["ownership"] == "private" and not reasons(row)
        assert cents(row["costs"]) - cents(row["revenues"]) == cents(deficit)
    for unit_id, spelling in OTHER_CASE.items():
        assert by_id[unit_id]["municipality"] == spelling and not reasons(by_id[unit_id])


def test_readme_lists_the_cases() -> None:
    text = README.read_text(encoding="utf-8")
    assert "SYNTHETIC" in text
    for unit_id in [*EXCLUSION_CASES, EXPERIMENTAL_ELIGIBLE, PRORATED, *TINY_DEFICITS,
                    *OTHER_CASE, "COM-BERGAMO-PROGETTI", "COM-BERGAMO-CDM",
                    "COM-PONTERANICA-ADH", "COM-TORRE-BOLDONE-SADAH"]:
        assert unit_id in text, unit_id


def test_script_regenerates_identical_files(tmp_path: Path) -> None:
    subprocess.run([sys.executable, str(SCRIPT), "--out", str(tmp_path), "--quiet"],
                   check=True, cwd=ROOT, timeout=120)
    assert (tmp_path / "units.csv").read_bytes() == CSV_PATH.read_bytes()
    assert (tmp_path / "units.xlsx").read_bytes() == XLSX_PATH.read_bytes()


def test_xlsx_has_the_same_rows(rows: list[dict[str, str]]) -> None:
    workbook = openpyxl.load_workbook(XLSX_PATH)
    assert workbook.sheetnames[0] == "Unità"
    sheet = workbook["Unità"]
    values = list(sheet.iter_rows(values_only=True))
    assert len(values) - 1 == len(rows)
    assert [v[0] for v in values[1:]] == [row["unit_id"] for row in rows]
    assert sheet.freeze_panes == "A2"
    assert sheet.auto_filter.ref
    assert all(cell.font.bold for cell in sheet[1])
    header = [str(v) for v in values[0]]
    column = {name: header.index(name) for name in ("Costi 2024", "Data inizio attività",
                                                   "Presente in AFAM")}
    for value, row in zip(values[1:], rows, strict=True):
        assert round(value[column["Costi 2024"]] * 100) == cents(row["costs"])
        assert value[column["Data inizio attività"]].date().isoformat() == row["start_date"]
        assert value[column["Presente in AFAM"]] == ("sì" if row["in_registry"] == "true"
                                                     else "no")
    first = sheet.cell(row=2, column=column["Costi 2024"] + 1)
    assert first.number_format == "#,##0.00"
