"""Property-based fuzzing of the loaders: a valid result or a clean error, nothing else.

Random bytes named .csv or .xlsx, damaged workbooks, CSV files of every shape built from the
real headings with random cell text, workbooks with random typed cells, and rule-set
documents with a random value put anywhere: `load_units` returns a `UnitsTable` or raises
`InputError`, `read_rule_document` and `parse_rule_set` return a document / `RuleSet` or raise
`RuleSetError`. Any other exception (or a hang, caught by the time budget) fails the test.
The number of examples comes from the profiles registered in conftest.py.
"""

from __future__ import annotations

import contextlib
import io
from datetime import date, datetime
from pathlib import Path
from typing import Any

import openpyxl
import pytest
import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from fsr_opt.core.errors import InputError, RuleSetError
from fsr_opt.core.schema import INPUT_COLUMNS, RuleSet, UnitsTable
from fsr_opt.engine.eligibility import assess
from fsr_opt.io.rulefile import read_rule_document
from fsr_opt.io.source import ZIP_MAGIC
from fsr_opt.io.units import load_units
from fsr_opt.rules.overrides import apply_overrides
from fsr_opt.rules.validate import parse_rule_set

from tests.conftest import ROOT

BUNDLED_RULES = ROOT / "models" / "fsr-2025-bergamo.yaml"
MINIMAL_RULES = ROOT / "tests" / "rules" / "bad_rules" / "minimal_valid.yaml"
HEADER = [spec.name for spec in INPUT_COLUMNS]
HEADER_IT = [spec.heading_it for spec in INPUT_COLUMNS]
GOOD_ROW = ["U1", "Asilo nido", "Coop", "Bergamo", "ASILO_NIDO", "private", "30", "1234.56",
            "1000.00", "2010-09-01", "", "true", "true", "false", "", "", "true"]
# Cell texts that have broken spreadsheet readers before, mixed with random text below.
TRICKY = [
    "", " ", "0", "-0", "1", "-1", "12", "1.234", "1,234", "1.234,56", "1,234.56", "1 234,5",
    "€ 1.234,56", "1234.567", "1e20", "1E+308", "NaN", "inf", "-inf", "=SUM(A1:A3)", "@x",
    "+1", "'=1", "sì", "SI", "no", "forse", "TRUE", "vero", "2024-02-30", "31/12/2024",
    "12/31/2024", "2024-01-01T00:00", "0001-01-01", "9999-12-31", "pubblica", "privato", "mista",
    "ASILO_NIDO", "asilo nido", "SAD", "CSE", "Bergamo", "TORRE-BOLDONE", "Milano", "\ufeff",
    "\u200bU1", "U1", "u1", "\x00", "\x1a", '"', '""', "a\nb", "a\rb", ";", ",", "\t",
    "1" * 5000, "9" * 30, "0." + "0" * 40 + "1", "\u2212" + "5", "\uff11\uff12\uff13", "\u0663",
]


def _check_units_outcome(path: Path, rules: RuleSet) -> None:
    """The only outcomes: a sound UnitsTable (which `assess` accepts or refuses cleanly)."""
    try:
        table = load_units(path)
    except InputError as exc:
        assert exc.problems and str(exc)
        assert all(p.file == str(path) or p.file is None for p in exc.problems)
        return
    assert isinstance(table, UnitsTable) and table.units
    keys = set()
    for unit in table.units:
        assert 0 <= unit.costs <= 10**13 and 0 <= unit.revenues <= 10**13
        assert 0 <= unit.users <= 10**6
        assert unit.unit_id and unit.unit_id == unit.unit_id.strip()
        keys.add(unit.unit_id.casefold())
        assert unit.end_date is None or unit.end_date >= unit.start_date
    assert len(keys) == len(table.units)
    try:
        assess(table, rules)
    except InputError as exc:
        assert {p.code for p in exc.problems} == {"UNKNOWN_TYPE"}


@pytest.fixture(scope="module")
def rules() -> RuleSet:
    document, digest = read_rule_document(BUNDLED_RULES)
    return parse_rule_set(document, source=str(BUNDLED_RULES), sha256=digest)


@pytest.fixture(scope="module")
def workdir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("fuzz")


# --- random bytes ---------------------------------------------------------------------------------


@settings(max_examples=100)
@given(data=st.binary(max_size=4000), suffix=st.sampled_from([".csv", ".txt", ".xlsx"]))
def test_random_bytes(data: bytes, suffix: str, workdir: Path, rules: RuleSet) -> None:
    path = workdir / f"random{suffix}"
    path.write_bytes(data)
    _check_units_outcome(path, rules)


@settings(max_examples=100)
@given(data=st.binary(max_size=2000))
def test_random_bytes_that_look_like_a_zip(data: bytes, workdir: Path, rules: RuleSet) -> None:
    path = workdir / "zipish.xlsx"
    path.write_bytes(ZIP_MAGIC + data)
    _check_units_outcome(path, rules)


def _good_workbook() -> bytes:
    book = openpyxl.Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.title = "Unità"
    sheet.append(HEADER)
    sheet.append([*GOOD_ROW[:6], 30, 1234.56, 1000, date(2010, 9, 1), None, True, True, False,
                  None, None, True])
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


GOOD_WORKBOOK = _good_workbook()


@settings(max_examples=100)
@given(changes=st.lists(st.tuples(st.integers(0, len(GOOD_WORKBOOK) - 1), st.integers(0, 255)),
                        min_size=1, max_size=8),
       cut=st.none() | st.integers(0, len(GOOD_WORKBOOK)))
def test_damaged_workbook(changes: list[tuple[int, int]], cut: int | None, workdir: Path,
                          rules: RuleSet) -> None:
    data = bytearray(GOOD_WORKBOOK)
    for position, value in changes:
        data[position] = value
    path = workdir / "damaged.xlsx"
    path.write_bytes(bytes(data[:cut]))
    _check_units_outcome(path, rules)


# --- random CSV shapes from the real headings ----------------------------------------------------

# Control characters make a file binary (refused whole); random bytes above cover that case.
cells = st.one_of(
    st.sampled_from([t for t in TRICKY if t not in ("\x00", "\x1a")]),
    st.text(alphabet=st.characters(blacklist_categories=("Cc", "Cs")), max_size=30),
    st.sampled_from(GOOD_ROW),
)


NAME_OF = {h: name for headings in (HEADER, HEADER_IT, [h.upper() for h in HEADER])
           for h, name in zip(headings, HEADER, strict=True)}


@st.composite
def csv_files(draw: st.DrawFn) -> bytes:
    headings = draw(st.sampled_from([HEADER, HEADER_IT, [h.upper() for h in HEADER]]))
    order = draw(st.permutations(range(len(headings))))
    dropped = draw(st.sampled_from([set(), set(), set(), {draw(st.integers(0, 16))}]))
    header = [headings[i] for i in order if i not in dropped]
    if draw(st.integers(0, 4)) == 0:
        header.append(draw(st.sampled_from(["Note", "", "unit_id", "costi"])))
    rows = []
    for number in range(draw(st.integers(0, 6))):
        width = len(header) + draw(st.sampled_from([0, 0, 0, 0, 0, -1, 1, -len(header)]))
        kind = draw(st.sampled_from(["good", "good", "one bad cell", "random"]))
        bad = draw(st.integers(0, len(header) - 1))
        row = []
        for i, heading in enumerate((header + [""] * 3)[:max(width, 0)]):
            name = NAME_OF.get(heading)
            if kind == "random" or (kind == "one bad cell" and i == bad) or name is None:
                row.append(draw(cells))
            elif name == "unit_id":
                row.append(f"U{number}")
            else:
                row.append(GOOD_ROW[HEADER.index(name)])
        rows.append(row)
    separator = draw(st.sampled_from([",", ";", "\t", "|"]))
    quote_all = draw(st.booleans())

    def cell(text: str) -> str:
        if quote_all or any(c in text for c in (separator, '"', "\n", "\r")):
            return '"' + text.replace('"', '""') + '"'
        return text

    ending = draw(st.sampled_from(["\n", "\r\n", "\r"]))
    lines = [separator.join(cell(c) for c in line) for line in [header, *rows]]
    if draw(st.booleans()):
        lines.insert(draw(st.integers(0, len(lines))), draw(st.sampled_from(
            ["", separator * 5, "sep=;", "Fondo Sociale Regionale 2025", ",".join(HEADER)])))
    text = ending.join(lines) + draw(st.sampled_from(["", ending, "\x1a"]))
    encoding = draw(st.sampled_from(["utf-8", "utf-8-sig", "cp1252", "utf-16", "latin-1"]))
    return text.encode(encoding, errors="replace")


@settings(max_examples=100)
@given(data=csv_files())
def test_random_csv_shapes(data: bytes, workdir: Path, rules: RuleSet) -> None:
    path = workdir / "shaped.csv"
    path.write_bytes(data)
    _check_units_outcome(path, rules)


def test_a_clean_csv_from_the_strategy_loads(workdir: Path, rules: RuleSet) -> None:
    """The fuzzed shapes start from a table that loads: the strategy is not all noise."""
    path = workdir / "clean.csv"
    path.write_text(",".join(HEADER) + "\n" + ",".join(GOOD_ROW) + "\n", encoding="utf-8")
    assert load_units(path).units[0].costs == 123456


# --- random typed workbooks -------------------------------------------------------------

typed_cells = st.one_of(
    st.none(), st.booleans(), st.integers(-(10**20), 10**20),
    st.floats(allow_nan=True, allow_infinity=True),
    st.dates(min_value=date(1900, 3, 1), max_value=date(9999, 12, 31)),
    st.datetimes(min_value=datetime(1900, 3, 1), max_value=datetime(9999, 12, 31)),
    st.times(), st.sampled_from(TRICKY).filter(lambda t: "\x00" not in t and "\x1a" not in t),
    st.text(alphabet=st.characters(blacklist_categories=("Cc", "Cs")), max_size=20),
)


@settings(max_examples=60, suppress_health_check=[HealthCheck.too_slow])
@given(rows=st.lists(st.lists(typed_cells, min_size=15, max_size=18), min_size=1, max_size=4),
       title=st.sampled_from(["Unità", "Foglio1", "units"]))
def test_random_typed_workbook(rows: list[list[Any]], title: str, workdir: Path,
                               rules: RuleSet) -> None:
    book = openpyxl.Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.title = title
    sheet.append(HEADER)
    for row in rows:
        sheet.append(row)
    path = workdir / "typed.xlsx"
    try:
        book.save(path)
    except Exception:  # openpyxl cannot write this value: not an input we can get
        return
    _check_units_outcome(path, rules)


# --- rule sets ---------------------------------------------------------------------------

leaves = st.one_of(
    st.none(), st.booleans(), st.integers(-(10**30), 10**30),
    st.floats(allow_nan=True, allow_infinity=True), st.text(max_size=20),
    st.sampled_from(["1e999999999", "-1e999999999", "1E-999999", "12.5%", "1.234,56",
                     "892495.35", "0.001", "NaN", "Infinity", "fsr-opt/rules/1"]),
    st.dates(), st.times(),
)
values = st.recursive(leaves, lambda inner: st.lists(inner, max_size=4)
                      | st.dictionaries(st.text(max_size=8) | st.integers(), inner, max_size=4),
                      max_leaves=12)


def _paths(node: Any, prefix: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
    found = [prefix]
    if isinstance(node, dict):
        for key, child in node.items():
            found += _paths(child, (*prefix, key))
    elif isinstance(node, list):
        for index, child in enumerate(node):
            found += _paths(child, (*prefix, index))
    return found


MINIMAL_DOCUMENT = yaml.safe_load(MINIMAL_RULES.read_text(encoding="utf-8"))
MINIMAL_PATHS = _paths(MINIMAL_DOCUMENT)[1:]


def _copy(node: Any) -> Any:
    if isinstance(node, dict):
        return {k: _copy(v) for k, v in node.items()}
    if isinstance(node, list):
        return [_copy(v) for v in node]
    return node


@settings(max_examples=100)
@given(where=st.lists(st.sampled_from(MINIMAL_PATHS), min_size=1, max_size=3),
       new=st.lists(values, min_size=3, max_size=3), drop=st.booleans())
def test_rule_set_with_random_values(where: list[tuple[Any, ...]], new: list[Any],
                                     drop: bool) -> None:
    document = _copy(MINIMAL_DOCUMENT)
    for path, value in zip(where, new, strict=False):
        node = document
        for key in path[:-1]:
            if not isinstance(node, dict | list):
                break
            try:
                node = node[key]
            except (KeyError, IndexError, TypeError):
                break
        else:
            if isinstance(node, dict) and drop:
                node.pop(path[-1], None)
            elif isinstance(node, dict | list):
                with contextlib.suppress(IndexError, TypeError):
                    node[path[-1]] = value
    try:
        rules = parse_rule_set(document, source="fuzz.yaml")
    except RuleSetError as exc:
        assert exc.problems and str(exc)
        return
    assert rules.fund > 0 and sum(a.share_percent for a in rules.areas) == 100


@settings(max_examples=60)
@given(overrides=st.lists(st.tuples(
    st.sampled_from(["fund", "minimum_award", "areas.a.share", "areas.b.share",
                     "municipalities", "eligibility.require_registry", "nope", "fund.value"]),
    st.one_of(st.sampled_from(TRICKY).filter(lambda t: "\x00" not in t), st.text(max_size=15))),
    min_size=1, max_size=3))
def test_overrides_with_random_text(overrides: list[tuple[str, str]]) -> None:
    try:
        parse_rule_set(apply_overrides(MINIMAL_DOCUMENT, overrides), source="fuzz.yaml")
    except RuleSetError as exc:
        assert exc.problems and str(exc)


@settings(max_examples=100)
@given(text=st.one_of(
    st.text(max_size=300),
    st.lists(st.sampled_from(MINIMAL_RULES.read_text(encoding="utf-8").splitlines()),
             max_size=40).map("\n".join),
    st.binary(max_size=300).map(lambda b: b.decode("latin-1"))),
    suffix=st.sampled_from([".yaml", ".toml"]))
def test_random_rule_documents(text: str, suffix: str, workdir: Path) -> None:
    path = workdir / f"rules{suffix}"
    path.write_text(text, encoding="utf-8", errors="surrogatepass")
    try:
        document, _ = read_rule_document(path)
        parse_rule_set(document, source=str(path))
    except RuleSetError as exc:
        assert exc.problems and str(exc)
