"""Differences between two runs on golden cases: units, lines, areas, the fund, the screen."""

from __future__ import annotations

from dataclasses import replace
from fractions import Fraction

from fsr_opt.whatif.diff import (
    Change,
    RunDiff,
    UnitChange,
    diff_rows,
    diff_runs,
    diff_summary_rows,
    diff_text,
)

from tests.conftest import tiny_rules, unit
from tests.whatif.runs import ONE_LINE, THREE_UNITS, view


def by_id(diff: RunDiff) -> dict[str, UnitChange]:
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
    assert diff.count(Change.ENTERS) == 1 and diff.count(Change.LOSES) == 2


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
    assert rows[("b", "y")][2:5] == ["", "", ""]  # a line's budget is its target


def test_diff_tables_and_screen() -> None:
    base = view("base", ONE_LINE, THREE_UNITS)
    cut = view("cut", replace(ONE_LINE, fund=60000), THREE_UNITS)
    diff = diff_runs(base, cut)
    rows = diff_rows(diff)
    assert [r[0] for r in rows] == ["U1", "U2", "U3"]
    assert rows[1][5:] == ["LEAVES", "384.62", "0.00", "-384.62", "AREA_BUDGET",
                           "BELOW_MINIMUM", "true"]
    assert all(type(cell) is str for row in rows for cell in row)
    text = diff_text(diff)
    assert text.startswith("Confronto: base → cut")
    assert "615,38" in text and "479,99" in text and "-135,39" in text
    assert "1 in diminuzione" in text and "in uscita" in text
    assert "budget dell'area -> sotto il minimo" in text  # the binding limits in words
    assert "nome" not in text.splitlines()[3]  # compare: codes only, no rule set
    english = diff_text(diff, lang="en")
    assert "1 lose" in english and "1 leave" in english and "615.38" in english
    assert len(text.splitlines()) < 40


def test_the_screen_ends_each_row_with_its_label_when_the_rule_set_is_known() -> None:
    base = view("base", ONE_LINE, THREE_UNITS)
    diff = replace(diff_runs(base, view("cut", replace(ONE_LINE, fund=60000), THREE_UNITS)),
                   names={"area": {line.area: "Area Uno" for line in base.lines},
                          "service": {line.service: "Linea Uno" for line in base.lines}})
    lines = diff_text(diff).splitlines()
    assert lines[3].endswith("  nome")
    named = [line for line in lines if line.endswith(("  Area Uno", "  Linea Uno"))]
    assert len(named) >= 2 and not any(line.endswith("TOTALE") for line in lines[4:])
    # the code still leads each row, and the figures stay in their columns
    assert len({line.index(",") for line in named}) == 1


def test_the_screen_lists_the_largest_changes_and_points_to_the_file() -> None:
    units = [unit(f"U{n}", "s", 40000 + 1000 * n) for n in range(12)]
    base = view("base", ONE_LINE, units)
    rise = view("rise", replace(ONE_LINE, fund=200000), units)
    diff = diff_runs(base, rise)
    moved = [u for u in diff.units if u.delta or u.binding_changed]
    assert len(moved) > 3
    text = diff_text(diff, top=3, file="compare.csv")
    assert "variazioni maggiori:" in text
    assert f"... e altre {len(moved) - 3} (elenco completo in compare.csv)" in text
    largest = max(moved, key=lambda u: abs(u.delta))
    assert text.splitlines()[-4].lstrip().startswith(largest.unit_id)


def test_a_long_name_in_the_largest_changes_is_cut_with_an_ellipsis() -> None:
    long_name = "Servizio di assistenza domiciliare anziani del Comune"
    units = [unit("U1", "s", 80000, name=long_name), unit("U2", "s", 50000, name="Nido")]
    diff = diff_runs(view("base", ONE_LINE, units),
                     view("rise", replace(ONE_LINE, fund=120000), units))
    rows = {line.split()[0]: line for line in diff_text(diff).splitlines()
            if line.startswith("  U")}
    assert "Servizio di assistenza domici… " in rows["U1"]  # 30 characters, the cut shown
    assert long_name not in rows["U1"]
    # the amounts of both rows start in the same column
    assert rows["U1"].index(" -> ") == rows["U2"].index(" -> ")


def test_identical_runs_have_no_change() -> None:
    base = view("a", ONE_LINE, THREE_UNITS)
    diff = diff_runs(base, view("b", ONE_LINE, THREE_UNITS))
    assert all(u.change == "UNCHANGED" and not u.binding_changed for u in diff.units)
    assert "nessuna unità cambia" in diff_text(diff)
    assert "no unit's award changes" in diff_text(diff, lang="en")


def test_units_in_one_run_only() -> None:
    base = view("a", ONE_LINE, THREE_UNITS)
    other = view("b", ONE_LINE, [*THREE_UNITS[:2], unit("U9", "s", 20000)])
    diff = diff_runs(base, other)
    units = by_id(diff)
    assert units["U3"].change == "ONLY_BASE" and units["U9"].change == "ONLY_SCENARIO"
    assert not units["U3"].binding_changed
    assert [u.unit_id for u in diff.units] == ["U1", "U2", "U3", "U9"]
    assert "1 unità solo nella base, 1 solo nello scenario" in diff_text(diff)
