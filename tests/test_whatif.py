"""What-if: differences on golden cases, ranges, share overrides, sweeps and their interruption,
and the explain screen."""

from __future__ import annotations

from dataclasses import replace
from datetime import date
from decimal import Decimal
from fractions import Fraction

import pytest

from fsr_opt.core.errors import ErrorCode, InfeasibleError, InputError
from fsr_opt.core.schema import Ownership, RuleSet, UnitRecord
from fsr_opt.engine.eligibility import assess
from fsr_opt.engine.solve import solve_riparto
from fsr_opt.reports.tables import (
    ALLOCATION_COLUMNS,
    SUMMARY_COLUMNS,
    allocation_rows,
    summary_rows,
    unit_outcomes,
)
from fsr_opt.whatif.core import (
    RunView,
    SweepRow,
    diff_rows,
    diff_runs,
    diff_summary_rows,
    diff_text,
    explain_unit,
    failed_row,
    find_unit,
    parse_range,
    run_sweep,
    share_overrides,
    view_from_tables,
)

from tests.conftest import table, tiny_rules, unit


def view(label: str, rules: RuleSet, units: list[UnitRecord]) -> RunView:
    """Solve and read the run back the way `compare` reads saved folders: as text rows."""
    assessments = assess(table(units), rules)
    result = solve_riparto(assessments, rules)
    assert result.allocation is not None
    outcomes = unit_outcomes(assessments, result.allocation, rules)
    allocation = [dict(zip(ALLOCATION_COLUMNS, row, strict=True))
                  for row in allocation_rows(outcomes)]
    summary = [dict(zip(SUMMARY_COLUMNS, row, strict=True))
               for row in summary_rows(outcomes, result.allocation, rules)]
    return view_from_tables(label, allocation, summary)


ONE_LINE = tiny_rules({"s": ("a", 100)}, {"a": 100}, fund=100000)
THREE_UNITS = [unit("U1", "s", 80000), unit("U2", "s", 50000), unit("U3", "s", 20000)]


def by_id(diff):  # type: ignore[no-untyped-def]
    return {u.unit_id: u for u in diff.units}


def test_budget_cut_makes_a_unit_leave_and_a_limit_stop_binding() -> None:
    # Base (golden): 1000 EUR, U1 615.38, U2 384.62, the area budget binds.
    # Cut to 600: U1 479.99 alone (the top of its segment), U2 falls out; 120.01 stays unspent.
    base = view("base", ONE_LINE, THREE_UNITS)
    cut = view("cut", replace(ONE_LINE, fund=60000), THREE_UNITS)
    diff = diff_runs(base, cut)
    units = by_id(diff)
    assert (units["U1"].before, units["U1"].after, units["U1"].change) == (61538, 47999, "LOSES")
    assert (units["U2"].before, units["U2"].after, units["U2"].change) == (38462, 0, "LEAVES")
    assert units["U3"].change == "UNCHANGED" and not units["U3"].binding_changed
    assert (units["U1"].binding_before, units["U1"].binding_after) == (
        "AREA_BUDGET", "EQUAL_SHARE")
    assert (units["U2"].binding_before, units["U2"].binding_after) == (
        "AREA_BUDGET", "BELOW_MINIMUM")
    assert diff.binding_changes == 2
    area = next(line for line in diff.lines if line.area == "a" and line.service == "TOTAL")
    assert (area.budget_before, area.budget_after) == (100000, 60000)
    assert (area.awarded_before, area.awarded_after) == (100000, 47999)
    # One line: its target is the whole budget, the distance is what is left unspent.
    assert (area.distance_before, area.distance_after) == (0, 12001)
    assert (area.funded_before, area.funded_after) == (2, 1)


def test_budget_rise_funds_everyone_up_to_the_cap() -> None:
    # 1500 EUR: both fundable units get their whole deficit (1300), the cap binds.
    base = view("base", ONE_LINE, THREE_UNITS)
    rise = view("rise", replace(ONE_LINE, fund=150000), THREE_UNITS)
    units = by_id(diff_runs(base, rise))
    assert (units["U1"].after, units["U1"].change, units["U1"].binding_after) == (
        80000, "GAINS", "DEFICIT")
    assert (units["U2"].after, units["U2"].change) == (50000, "GAINS")


def test_minimum_zero_lets_the_small_unit_enter() -> None:
    # Minimum 0: one segment, lambda = 1000 / 1500: 533.33, 333.33, 133.33 plus one cent.
    base = view("base", ONE_LINE, THREE_UNITS)
    scenario = view("min0", replace(ONE_LINE, minimum_award=0), THREE_UNITS)
    diff = diff_runs(base, scenario)
    units = by_id(diff)
    assert units["U3"].change == "ENTERS" and units["U3"].after in (13333, 13334)
    assert units["U1"].change == "LOSES" and units["U2"].change == "LOSES"
    assert sum(u.after for u in diff.units) == 100000
    assert diff.count("ENTERS") == 1 and diff.count("LOSES") == 2


def test_share_change_moves_money_between_areas() -> None:
    rules = tiny_rules({"x": ("a", 1), "y": ("b", 1)}, {"a": 50, "b": 50}, fund=200000)
    units = [unit("X1", "x", 500000), unit("Y1", "y", 500000)]
    base = view("base", rules, units)
    areas = tuple(replace(area, share_percent=Fraction(70 if area.code == "a" else 30))
                  for area in rules.areas)
    scenario = view("70/30", replace(rules, areas=areas), units)
    diff = diff_runs(base, scenario)
    assert {u.unit_id: u.delta for u in diff.units} == {"X1": 40000, "Y1": -40000}
    rows = {(r[0], r[1]): r for r in diff_summary_rows(diff)}
    assert rows[("a", "TOTAL")][2:5] == ["1000.00", "1400.00", "400.00"]
    assert rows[("TOTAL", "TOTAL")][2:5] == ["2000.00", "2000.00", "0.00"]
    assert rows[("b", "y")][7:10] == ["1000.00", "600.00", "-400.00"]


def test_diff_tables_and_screen() -> None:
    base = view("base", ONE_LINE, THREE_UNITS)
    cut = view("cut", replace(ONE_LINE, fund=60000), THREE_UNITS)
    diff = diff_runs(base, cut)
    rows = diff_rows(diff)
    assert [r[0] for r in rows] == ["U1", "U2", "U3"]
    assert rows[1][5:] == ["LEAVES", "384.62", "0.00", "-384.62", "AREA_BUDGET",
                           "BELOW_MINIMUM", "true"]
    text = diff_text(diff)
    assert "615,38" in text and "479,99" in text and "-135,39" in text
    assert "1 diminuiscono" in text and "ne escono" in text
    assert "AREA_BUDGET -> BELOW_MINIMUM" in text
    english = diff_text(diff, lang="en")
    assert "1 lose" in english and "1 leave" in english and "615.38" in english
    assert len(text.splitlines()) < 40


def test_identical_runs_have_no_change() -> None:
    base = view("a", ONE_LINE, THREE_UNITS)
    diff = diff_runs(base, view("b", ONE_LINE, THREE_UNITS))
    assert all(u.change == "UNCHANGED" and not u.binding_changed for u in diff.units)
    assert "nessuna unità cambia" in diff_text(diff)


def test_units_in_one_run_only() -> None:
    base = view("a", ONE_LINE, THREE_UNITS)
    other = view("b", ONE_LINE, [*THREE_UNITS[:2], unit("U9", "s", 20000)])
    units = by_id(diff_runs(base, other))
    assert units["U3"].change == "ONLY_BASE" and units["U9"].change == "ONLY_SCENARIO"
    assert not units["U3"].binding_changed


def test_bad_saved_rows_name_file_row_and_column() -> None:
    good = view("a", ONE_LINE, THREE_UNITS)
    assert good.units[0].award == 61538
    allocation = [{"__row__": "2", "unit_id": "U1", "name": "n", "area": "a", "service": "s",
                   "eligible": "maybe", "award": "1.234,56", "binding": "DEFICIT"}]
    summary = [{"area": "a", "service": "TOTAL", "budget": "10", "target": "", "awarded": "",
                "historical_2024": "", "deviation": "", "units_funded": "0"}]
    with pytest.raises(InputError) as caught:
        view_from_tables("x", allocation, summary, allocation_source="run/allocation.csv")
    text = caught.value.render()
    assert "run/allocation.csv, row 2, column 'award'" in text
    assert "column 'eligible'" in text
    with pytest.raises(InputError, match="column 'binding' is missing"):
        view_from_tables("x", [{"unit_id": "U1"}], summary)


# --- ranges and sweeps -------------------------------------------------------------------


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
        ("0:1000000:1", ["1000001 points"]),
        ("0:120:10", ["above 100"]),
    ],
)
def test_bad_ranges(text: str, words: list[str]) -> None:
    with pytest.raises(InputError) as caught:
        parse_range(text, "--budget", places=2, upper=Decimal(100) if "120" in text else None)
    for word in words:
        assert word in caught.value.render()


def test_share_overrides_keep_the_others_in_proportion_and_total_100() -> None:
    shares = {"minori": Fraction(50), "disabili": Fraction(10), "anziani": Fraction(40)}
    pairs = dict(share_overrides("disabili", Decimal(15), shares))
    assert pairs == {"areas.disabili.share": "15", "areas.minori.share": "47.222222",
                     "areas.anziani.share": "37.777778"}
    assert sum(Decimal(v) for v in pairs.values()) == 100
    with pytest.raises(InputError, match="unknown area"):
        share_overrides("giovani", Decimal(15), shares)


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


def test_failed_point_keeps_its_reason() -> None:
    row = failed_row(Decimal(1), InfeasibleError("area_budget__a conflicts",
                                                         ErrorCode.INFEASIBLE))
    assert row.status == "infeasible" and "area_budget__a" in row.message


# --- explain ------------------------------------------------------------------------------


def explain(units: list[UnitRecord], unit_id: str, rules: RuleSet = ONE_LINE,
            lang: str = "it") -> str:
    assessments = assess(table(units), rules)
    result = solve_riparto(assessments, rules)
    assert result.allocation is not None
    run = view("run", rules, units)
    target = find_unit(unit_id, run.units, "units.csv")
    item = next(a for a in assessments if a.unit.unit_id == target.unit_id)
    spent = sum(r.awarded for r in result.allocation.services.values() if r.area == item.area)
    return explain_unit(item, target, result.allocation.services[item.service], rules,
                        area_budget=result.allocation.area_budgets[item.area],
                        area_spent=spent, lang=lang)


def test_explain_a_funded_unit() -> None:
    text = explain(THREE_UNITS, "U1")
    assert "Unità U1" in text
    assert "[ ok ] NOT_IN_REGISTRY" in text and "[ NO ]" not in text
    assert "esito: ammessa" in text
    assert "disavanzo 2024 = costi 1.800,00 - ricavi 1.000,00 = 800,00 EUR" in text
    assert "lambda = 0,769231" in text  # 1000 / 1300
    assert "contributo = 615,38 EUR" in text
    assert "AREA_BUDGET" in text and "budget area a: 1.000,00 EUR" in text
    assert "prima tranche 615,38 EUR, seconda tranche 0,00 EUR" in text
    assert "un'unica soluzione" in text
    assert len(text.splitlines()) <= 35


def test_explain_an_excluded_unit_shows_each_failed_test_with_its_data() -> None:
    units = [*THREE_UNITS, unit("X1", "s", 90000, applied=False, municipality="Milano")]
    text = explain(units, "X1")
    assert "[ NO ] OUTSIDE_AMBITO" in text and "comune Milano" in text
    assert "[ NO ] NOT_APPLIED" in text and "istanza presentata: no" in text
    assert "esito: esclusa (OUTSIDE_AMBITO, NOT_APPLIED)" in text
    assert "contributo = 0,00 EUR" in text and "EXCLUDED" in text
    english = explain(units, "X1", lang="en")
    assert "result: excluded" in english and "application submitted: no" in english


def test_explain_a_formula_capped_private_unit_prorated() -> None:
    units = [unit("P1", "s", 900000, ownership=Ownership.PRIVATE, users=4,
                  end_date=date(2025, 6, 30)), *THREE_UNITS]
    text = explain(units, "P1")
    assert "base 1.000,00 + 250,00 x 4 utenti = 2.000,00 EUR" in text
    assert "181/365" in text and "FORMULA" in text


def test_unknown_unit_suggests_the_nearest() -> None:
    run = view("run", ONE_LINE, THREE_UNITS)
    with pytest.raises(InputError, match="did you mean U1"):
        find_unit("U1x", run.units, "units.csv")
    assert find_unit("u1", run.units, "units.csv").unit_id == "U1"
