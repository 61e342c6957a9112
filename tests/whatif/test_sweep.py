"""Sweeps: ranges, share overrides, points solved in series or in parallel, their rows."""

from __future__ import annotations

from dataclasses import replace
from decimal import Decimal
from fractions import Fraction

import pytest

from fsr_opt.core.errors import ErrorCode, InfeasibleError, InputError, SolverError
from fsr_opt.core.i18n import use_language
from fsr_opt.engine.eligibility import assess
from fsr_opt.engine.solve import solve_riparto
from fsr_opt.whatif.sweep import (
    SweepAxis,
    SweepOutcome,
    SweepRow,
    failed_row,
    parse_range,
    point_overrides,
    run_sweep,
    share_overrides,
    sweep_columns,
    sweep_row,
    sweep_rows,
    sweep_text,
)

from tests.conftest import table, tiny_rules, unit
from tests.whatif.runs import ONE_LINE, THREE_UNITS

TWO_AREAS = tiny_rules({"x": ("a", 1), "y": ("b", 1)}, {"a": 50, "b": 50}, fund=200000)


def test_parse_range() -> None:
    assert parse_range("800000:900000:50000", "--budget", places=2) == (
        Decimal(800000), Decimal(850000), Decimal(900000))
    assert parse_range("10:12.5:1", "--share", places=4) == (
        Decimal(10), Decimal(11), Decimal(12))
    assert parse_range("5:5:1", "--budget", places=2) == (Decimal(5),)


@pytest.mark.parametrize(
    ("text", "words"),
    [
        ("10:5:0", ["STEP 0 must be greater than 0"]),
        ("10:5:1", ["FROM 10 is above TO 5"]),
        ("1:2", ["not a range"]),
        ("a:b:c", ["must be numbers"]),
        ("-1:5:1", ["negative"]),
        ("0:1:0.001", ["more than 2 decimals"]),
        ("0:1000000:1", ["1,000,001 points"]),
        ("0:120:10", ["above 100"]),
    ],
)
def test_bad_ranges(text: str, words: list[str]) -> None:
    with pytest.raises(InputError) as caught:
        parse_range(text, "--budget", places=2, upper=Decimal(100) if "120" in text else None)
    for word in words:
        assert word in caught.value.render()
    assert {p.code for p in caught.value.problems} == {ErrorCode.BAD_OPTION}


def test_share_overrides_keep_the_others_in_proportion_and_total_100() -> None:
    shares = {"minori": Fraction(50), "disabili": Fraction(10), "anziani": Fraction(40)}
    pairs = dict(share_overrides("disabili", Decimal(15), shares))
    assert pairs == {"areas.disabili.share": "15", "areas.minori.share": "47.222222",
                     "areas.anziani.share": "37.777778"}
    assert sum(Decimal(v) for v in pairs.values()) == 100
    with pytest.raises(InputError, match="unknown area"):
        share_overrides("giovani", Decimal(15), shares)
    with pytest.raises(InputError, match="no share to take"):
        share_overrides("a", Decimal(50), {"a": Fraction(100), "b": Fraction(0)})


def test_point_overrides() -> None:
    fund = SweepAxis("--budget", None, (Decimal(1),))
    assert point_overrides(fund, Decimal("850000.5"), {}) == [("fund", "850000.5")]
    assert fund.column == "budget"
    share = SweepAxis("--share", "a", (Decimal(60),))
    assert share.column == "share_a"
    assert point_overrides(share, Decimal(60), {"a": Fraction(50), "b": Fraction(50)}) == [
        ("areas.a.share", "60"), ("areas.b.share", "40")]


def test_sweep_row_of_a_solved_point_and_the_rows_of_the_file() -> None:
    rules = replace(TWO_AREAS, fund=150000)
    result = solve_riparto(assess(table([unit("X1", "x", 500000), unit("Y1", "y", 50000)]),
                                  rules), rules)
    row = sweep_row(Decimal(1500), result, rules)
    assert (row.status, dict(row.awarded), dict(row.spent), row.units_funded) == (
        "optimal", {"x": 75000, "y": 50000}, {"a": 75000, "b": 50000}, 2)
    axis = SweepAxis("--budget", None, (Decimal(1500), Decimal(1)))
    failed = failed_row(Decimal(1), InfeasibleError("no way", ErrorCode.INFEASIBLE))
    outcome = SweepOutcome((failed, row), 2, False)
    assert sweep_columns(axis, rules) == ("budget", "awarded_x", "awarded_y", "spent_a",
                                          "spent_b", "residual", "unassigned", "units_funded",
                                          "status", "message")
    # area b's 750 EUR leave 250 EUR its only unit cannot take (no residual phase): never silent
    assert (row.residual, row.unassigned) == (0, 25000)
    assert sweep_rows(outcome, rules) == [
        ["1", "", "", "", "", "", "", "", "infeasible", "no way"],
        ["1500", "750.00", "500.00", "750.00", "500.00", "0.00", "250.00", "2", "optimal", ""],
    ]


def test_sweep_text() -> None:
    axis = SweepAxis("--budget", None, tuple(Decimal(v) for v in range(30)))
    rows = tuple(SweepRow(Decimal(v), "optimal", {"x": 1}, {"a": v * 100, "b": 0}, v)
                 for v in range(25))
    text = sweep_text(SweepOutcome(rows, 30, True), axis, TWO_AREAS)
    lines = text.splitlines()
    assert lines[0] == "Variazione di --budget: 25 punti su 30"
    assert lines[2].split() == ["budget", "a", "b", "non", "assegnato", "finanziate", "esito"]
    assert lines[3].split() == ["0,00", "0,00", "0,00", "0,00", "0", "risolto"]
    assert "... e altri 5 punti (tabella completa in sweep.csv)" in text
    assert lines[-1] == "INTERROTTO: conservati i 25 punti completati su 30"
    share = SweepAxis("--share", "a", (Decimal("12.5"),))
    failed = SweepRow(Decimal("12.5"), "infeasible", message="x")
    english = sweep_text(SweepOutcome((failed,), 1, False), share, TWO_AREAS, lang="en")
    assert english.splitlines()[0] == "Sweep of --share a: 1 point of 1"
    assert english.splitlines()[3].split() == ["12.5000", "-", "-", "-", "-", "infeasible"]


def test_sweep_text_counts_in_italian_one_point_and_thousands() -> None:
    axis = SweepAxis("--budget", None, (Decimal(5),))
    row = SweepRow(Decimal(5), "optimal", {"x": 1}, {"a": 500, "b": 0}, 1)
    text = sweep_text(SweepOutcome((row,), 1, True), axis, TWO_AREAS)
    assert text.splitlines()[0] == "Variazione di --budget: 1 punto su 1"
    assert text.splitlines()[-1] == "INTERROTTO: conservato 1 punto completato su 1"
    rows = tuple(row for _ in range(21))
    assert "... e 1 punto in più (tabella completa" in sweep_text(
        SweepOutcome(rows, 1500, False), axis, TWO_AREAS)
    assert "21 punti su 1.500" in sweep_text(SweepOutcome(rows, 1500, False), axis, TWO_AREAS)


def test_sweep_text_names_the_areas_its_columns_head_by_code() -> None:
    rules = replace(TWO_AREAS, areas=tuple(replace(area, label=f"Area {area.code.upper()}")
                                           for area in TWO_AREAS.areas))
    axis = SweepAxis("--budget", None, (Decimal(5),))
    row = SweepRow(Decimal(5), "optimal", {"x": 1}, {"a": 500, "b": 0}, 1)
    lines = sweep_text(SweepOutcome((row,), 1, False), axis, rules).splitlines()
    assert lines[1] == "aree: a = Area A; b = Area B"
    assert lines[3].split()[:3] == ["budget", "a", "b"]
    assert sweep_text(SweepOutcome((row,), 1, False), axis, rules, lang="en").splitlines()[1] == (
        "areas: a = Area A; b = Area B")


def test_bad_ranges_in_italian_name_the_bounds_in_italian() -> None:
    with use_language("it"), pytest.raises(InputError) as caught:
        parse_range("900000:800000:abc", "--budget", places=2)
    assert "(PASSO: 'abc'" in str(caught.value) and "STEP" not in str(caught.value)
    with use_language("it"), pytest.raises(InputError) as caught:
        parse_range("1.5555:2:1", "--budget", places=2)
    assert "DA 1,5555 ha più di 2 decimali" in str(caught.value)
    with use_language("it"), pytest.raises(InputError) as caught:
        parse_range("800000:900000:1", "--budget", places=2)
    assert "dà 100.001 punti" in str(caught.value)


def test_failed_point_keeps_its_reason() -> None:
    row = failed_row(Decimal(1), InfeasibleError("area_budget__a conflicts",
                                                 ErrorCode.INFEASIBLE))
    assert row.status == "infeasible" and "area_budget__a" in row.message
    assert failed_row(Decimal(1), SolverError("x", ErrorCode.NOT_OPTIMAL)).status == (
        "solver_failure")
    assert failed_row(Decimal(1), InputError("x", ErrorCode.BAD_OPTION)).status == "input_error"


def _row(value: Decimal) -> SweepRow:
    return SweepRow(value, "optimal", {"s": int(value)}, {"a": int(value)}, 1)


class _StopAfter:
    """A point solver that raises KeyboardInterrupt at its k-th call (serial sweeps)."""

    def __init__(self, k: int) -> None:
        self.k = k
        self.calls = 0

    def __call__(self, value: Decimal) -> SweepRow:
        self.calls += 1
        if self.calls == self.k:
            raise KeyboardInterrupt
        return _row(value)


def test_serial_sweep_keeps_the_points_finished_before_an_interruption() -> None:
    values = [Decimal(v) for v in range(10)]
    seen: list[SweepRow] = []
    outcome = run_sweep(values, _StopAfter(4), workers=1, progress=seen.append)
    assert outcome.interrupted and outcome.total == 10
    assert [row.value for row in outcome.rows] == [Decimal(0), Decimal(1), Decimal(2)]
    assert seen == list(outcome.rows)


def test_an_interruption_after_the_last_point_loses_nothing() -> None:
    outcome = run_sweep([Decimal(0), Decimal(1)], _StopAfter(3), workers=1)
    assert not outcome.interrupted and len(outcome.rows) == 2


def interrupt_at_five(value: Decimal) -> SweepRow:
    """Module level, so that worker processes can unpickle it."""
    if value == 5:
        raise KeyboardInterrupt
    return _row(value)


def test_parallel_sweep_keeps_finished_points_when_a_point_is_interrupted() -> None:
    values = [Decimal(v) for v in range(8)]
    outcome = run_sweep(values, interrupt_at_five, workers=2)
    assert outcome.interrupted
    kept = [row.value for row in outcome.rows]
    assert Decimal(5) not in kept
    assert kept == sorted(kept) and set(kept) <= set(values)


def test_parallel_sweep_returns_every_point_in_value_order() -> None:
    values = [Decimal(v) for v in (3, 1, 2, 0)]
    outcome = run_sweep(values, _row, workers=2)
    assert not outcome.interrupted
    assert [row.value for row in outcome.rows] == [Decimal(0), Decimal(1), Decimal(2),
                                                    Decimal(3)]


def test_a_real_point_through_the_sweep() -> None:
    assessments = assess(table(THREE_UNITS), ONE_LINE)

    def point(value: Decimal) -> SweepRow:
        rules = replace(ONE_LINE, fund=int(value * 100))
        return sweep_row(value, solve_riparto(assessments, rules), rules)

    outcome = run_sweep([Decimal(1000), Decimal(600)], point, workers=1)
    assert [(row.value, row.spent["a"], row.units_funded) for row in outcome.rows] == [
        (Decimal(600), 47999, 1), (Decimal(1000), 100000, 2)]
