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
UNIT_TYPES = {
    "ASILO_NIDO", "MICRONIDO", "NIDO_FAMIGLIA", "CENTRO_PRIMA_INFANZIA", "CRD", "CAG", "CEM",
    "COMUNITA_FAMILIARE", "ADM", "AFFIDO", "INSERIMENTO_COMUNITA", "SADH",
    "ALLOGGIO_AUTONOMIA", "SED", "CSE", "SFA", "SFA_MINORI_SPERIMENTALE", "CAD", "CSS", "SAD",
    "ALLOGGIO_PROTETTO_ANZIANI", "CENTRO_DIURNO_ANZIANI", "CASA",
}
# The criteria's table "TOTALE UDOS ATTIVE AL 31.12.2024": (public, private).
ACTIVE_2024 = {
    "bergamo": (22, 146),
    "gorle": (2, 5),
    "orio al serio": (4, 1),
    "ponteranica": (3, 5),
    "sorisole": (0, 9),
    "torre boldone": (3, 11),
}

# unit id -> every reason code the rules must give it (see data/README.md).
EXCLUSION_CASES = {
    "UDO629696": {"NOT_IN_REGISTRY"},
    "UDO233587": {"NOT_IN_REGISTRY"},
    "UDO541980": {"NOT_AUTHORIZED"},
    "UDO917187": {"NOT_AUTHORIZED"},
    "UDO378422": {"OUTSIDE_AMBITO"},
    "UDO163567": {"OUTSIDE_AMBITO"},
    "UDO635176": {"STARTED_IN_YEAR"},
    "UDO374240": {"STARTED_IN_YEAR", "NO_DEFICIT"},
    "UDO596927": {"CEASED_BEFORE_YEAR"},
    "UDO555904": {"CEASED_BEFORE_YEAR"},
    "UDO989883": {"EXPERIMENTAL"},
    "UDO958753": {"EXPERIMENTAL"},
    "UDO483535": {"EXPERIMENTAL"},
    "UDO340182": {"MISSING_DATA_DECLARATION"},
    "UDO977558": {"MISSING_DATA_DECLARATION"},
    "UDO232288": {"NO_DEFICIT"},
    "UDO170123": {"NO_DEFICIT"},
    "UDO782317": {"NO_DEFICIT"},
    "UDO754109": {"NOT_APPLIED"},
    "UDO302191": {"NOT_APPLIED"},
    "UDO445605": {"NOT_APPLIED"},
}
EXPERIMENTAL_ELIGIBLE = "UDO250503"  # experimental SFA minori that keeps its requirements
PRORATED = "UDO712980"  # ceases on 2025-06-30
TINY_DEFICITS = {"UDO439287": "185.40", "UDO935969": "240.00", "UDO727339": "96.50"}
OTHER_CASE = {"UDO904882": "BERGAMO", "UDO841326": "torre boldone"}


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
    municipal = row["unit_type"] in MUNICIPAL_SERVICES
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
    if row["experimental"] == "true" and not (
        row["unit_type"] == "SFA_MINORI_SPERIMENTALE" and row["keeps_requirements"] == "true"
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
        assert (row["keeps_requirements"] != "") == (row["experimental"] == "true")
        residential = row["unit_type"] in {"CEM", "COMUNITA_FAMILIARE"}
        assert (row["data_declared"] != "") == residential


def test_unit_ids_unique(rows: list[dict[str, str]]) -> None:
    ids = [row["unit_id"] for row in rows]
    assert len(ids) == len(set(ids))


def test_active_units_match_the_criteria_table(rows: list[dict[str, str]]) -> None:
    counts: Counter[tuple[str, str]] = Counter()
    for row in rows:
        if (
            row["in_registry"] == "true"
            and row["start_date"] < "2025-01-01"
            and (not row["end_date"] or row["end_date"] >= "2025-01-01")
            and row["municipality"].casefold() in ACTIVE_2024
            and row["unit_type"] not in MUNICIPAL_SERVICES
        ):
            counts[(row["municipality"].casefold(), row["ownership"])] += 1
    for municipality, (public, private) in ACTIVE_2024.items():
        assert counts[(municipality, "public")] == public, municipality
        assert counts[(municipality, "private")] == private, municipality
    assert sum(counts.values()) == 211


def test_municipal_service_lines(rows: list[dict[str, str]]) -> None:
    lines = {(r["municipality"], r["unit_type"]): r for r in rows
             if r["unit_type"] in MUNICIPAL_SERVICES}
    assert len(lines) == 6 * 5
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
                    *OTHER_CASE]:
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
