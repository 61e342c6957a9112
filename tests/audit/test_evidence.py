"""What the checks share: awards per unit, service lines and their shares, area totals."""

from __future__ import annotations

from dataclasses import replace
from fractions import Fraction

from fsr_opt.audit.allocation import ProvidedAllocation, ProvidedRow
from fsr_opt.audit.evidence import Evidence, Pool, line_share
from fsr_opt.audit.recomputed import FundedSet
from fsr_opt.audit.report import AreaTotal
from fsr_opt.core.schema import ResidualScope, UnitRecord
from fsr_opt.engine.eligibility import assess

from tests.conftest import table, tiny_rules, unit

SERVICES = {"s0": ("a0", 100000), "s1": ("a0", 100000), "t0": ("a1", 100000)}


def evidence(rows: list[ProvidedRow], minimum: int = 30000) -> Evidence:
    rules = tiny_rules(SERVICES, {"a0": 60, "a1": 40}, fund=1000000, minimum=minimum)
    units = [unit("A", "s0", 400000), unit("B", "s0", 100000), unit("C", "s1", 50000),
             unit("X", "t0", 80000, applied=False), unit("D", "t0", 2000)]
    return Evidence(assess(table(units), rules), rules,
                    ProvidedAllocation("x.csv", tuple(rows)), {"a0": 600000, "a1": 400000})


def test_a_unit_listed_twice_is_paid_twice_and_a_missing_one_nothing() -> None:
    found = evidence([ProvidedRow(2, "A", 100000), ProvidedRow(3, "B", 30000),
                      ProvidedRow(4, "A", 500), ProvidedRow(5, "GHOST", 9900)])
    assert found.awards == {"A": 100500, "B": 30000, "C": 0, "X": 0, "D": 0}
    assert [row.row for row in found.rows_of("A")] == [2, 4]
    assert (found.first_row("A"), found.first_row("C"), found.first_row("GHOST")) == (2, None, 5)
    assert [row.unit_id for row, _ in found.known_rows()] == ["A", "B", "A"]


def test_service_lines_hold_their_eligible_units_in_rule_set_order() -> None:
    found = evidence([ProvidedRow(2, "A", 100000), ProvidedRow(3, "X", 5000)])
    assert list(found.lines) == ["s0", "s1", "t0"]
    assert [(item.unit.unit_id, award) for item, award in found.lines["s0"].units] == [
        ("A", 100000), ("B", 0)]
    assert [item.unit.unit_id for item, _ in found.lines["t0"].units] == ["D"]  # X not applied
    assert found.lines["s0"].total == 100000


def test_excluded_units_count_in_their_area_when_paid() -> None:
    found = evidence([ProvidedRow(2, "A", 100000), ProvidedRow(3, "X", 5000),
                      ProvidedRow(4, "GHOST", 9900)])
    assert found.area_totals() == [AreaTotal("a0", 600000, 100000),
                                   AreaTotal("a1", 400000, 5000)]


def test_the_share_counts_funded_units_or_all_units_with_minimum_zero() -> None:
    rows = [ProvidedRow(2, "A", 100000), ProvidedRow(3, "B", 0)]
    # A positive minimum: B has no award, so it is not funded; s0's share is A's alone.
    assert evidence(rows).shares["s0"] == Fraction(100000, 400000)
    # Minimum 0: every eligible unit is funded, a 0 being a share that rounds to 0 cents. B's
    # 1,000 EUR cannot be that while A gets a quarter of its entitlement: A's award sets the
    # share (B is left out), B's entitlement pulling it only to the edge of what A agrees with.
    with_zero = evidence(rows, minimum=0)
    assert abs(with_zero.shares["s0"] * 400000 - 100000) <= 1
    assert line_share(with_zero.lines["s0"], 0) == with_zero.shares["s0"]
    assert with_zero.shares["s1"] == 0  # nothing awarded
    # A unit whose share is below a cent counts in the share: the line's total over all its
    # entitlements, as the engine splits it.
    tiny = Evidence(assess(table([unit("A", "s0", 400000), unit("B", "s0", 3)]),
                           tiny_rules(SERVICES, {"a0": 60, "a1": 40}, fund=1000000,
                                      minimum=0)),
                    tiny_rules(SERVICES, {"a0": 60, "a1": 40}, fund=1000000, minimum=0),
                    ProvidedAllocation("x.csv", tuple(rows)), {"a0": 600000, "a1": 400000})
    assert tiny.shares["s0"] == Fraction(100000, 400003)


def _with_parts() -> tuple[list[UnitRecord], list[ProvidedRow]]:
    """Units of every kind a pool must sort, and rows that give the award's two parts."""
    units = [unit("A", "s0", 400000), unit("B", "s0", 100000), unit("C", "s1", 50000),
             unit("X", "t0", 80000, applied=False), unit("D", "t0", 2000),
             unit("E", "t0", 3000), unit("F", "t0", 4000), unit("G", "t0", 5000),
             unit("H", "t0", 6000)]
    rows = [ProvidedRow(2, "GHOST", 9900),  # unknown, and first: the rows after it still count
            ProvidedRow(3, "a", 110000, criteria_award=100000, residual_award=10000),
            ProvidedRow(4, "B", 30000, criteria_award=30000),
            ProvidedRow(5, "D", 1), ProvidedRow(6, "E", 2999, residual_award=1),
            ProvidedRow(7, "F", 4001, criteria_award=4000), ProvidedRow(8, "G", 5000),
            ProvidedRow(9, "H", 5999), ProvidedRow(10, "OTHER", 5),
            ProvidedRow(11, "A", 600, criteria_award=500, residual_award=100)]
    return units, rows


def _parts_evidence(scope: ResidualScope, budgets: dict[str, int]) -> Evidence:
    rules = replace(tiny_rules(SERVICES, {"a0": 60, "a1": 40}, fund=1000000),
                    residual_scope=scope)
    units, rows = _with_parts()
    return Evidence(assess(table(units), rules), rules,
                    ProvidedAllocation("x.csv", tuple(rows)), budgets)


def test_each_unit_gets_both_parts_of_all_its_rows_matched_by_its_folded_id() -> None:
    found = _parts_evidence(ResidualScope.AREA, {"a0": 600000, "a1": 400000})
    assert found.awards == {"A": 110600, "B": 30000, "C": 0, "X": 0, "D": 1, "E": 2999,
                            "F": 4001, "G": 5000, "H": 5999}
    assert found.criteria == {"A": 100500, "B": 30000, "C": 0, "X": 0, "D": 1, "E": 2998,
                              "F": 4000, "G": 5000, "H": 5999}
    assert found.residual == {"A": 10100, "B": 0, "C": 0, "X": 0, "D": 0, "E": 1, "F": 1,
                              "G": 0, "H": 0}
    # "a" is A: its first row is row 3, under the units table's spelling; two unknown ids
    # are two units, each under its own spelling.
    assert [(key, row.row) for key, row in found.first_rows.items()] == [
        ("GHOST", 2), ("A", 3), ("B", 4), ("D", 5), ("E", 6), ("F", 7), ("G", 8), ("H", 9),
        ("OTHER", 10)]
    assert {key: [row.row for row in rows] for key, rows in found.repeated.items()} == {
        "A": [11]}
    assert [row.row for row in found.unknown_rows] == [2, 10]
    assert found.unit_id_of(" a ") == "A" and found.unit_id_of("GHOST") is None
    # The riparto's part and the residual part of each area; an area's parts add up its rows.
    assert found.area_totals() == [AreaTotal("a0", 600000, 100500 + 30000, 10100),
                                   AreaTotal("a1", 400000, 1 + 2998 + 4000 + 5000 + 5999,
                                             1 + 1)]
    assert _parts_evidence(ResidualScope.AREA, {"a0": 1, "a1": 2, "a9": 3}).area_totals()[
        2] == AreaTotal("a9", 3, 0, 0)


def test_a_service_line_holds_its_code_area_target_and_funded_sets() -> None:
    line = _parts_evidence(ResidualScope.AREA, {"a0": 600000, "a1": 400000}).lines["s0"]
    assert (line.code, line.area, line.target) == ("s0", "a0", 300000)
    # 4,000 and 1,000 EUR, minimum 300: A alone from 300 EUR to 1,199.99 (at 1,200 B would
    # reach 300), both from 1,500 (B's 300 of 5,000 EUR for both) to 5,000.
    assert line.funded_sets == (FundedSet(1, 400000, 400000, 30000, 119999),
                                FundedSet(2, 100000, 500000, 150000, 500000))
    assert [line.funded_set_at(total) for total in (29999, 30000, 119999, 130500, 150000,
                                                    500001)] == [
        None, line.funded_sets[0], line.funded_sets[0], None, line.funded_sets[1], None]


def test_each_area_pool_holds_what_its_area_left_and_each_unit_that_still_lacks_money() -> None:
    found = _parts_evidence(ResidualScope.AREA, {"a0": 600000, "a1": 400000})

    def members(pool: Pool) -> list[tuple[str, int, bool, int]]:
        return [(item.unit.unit_id, need, funded, residual)
                for item, need, funded, residual in pool.units]

    first, second = found.pools
    assert (first.code, first.areas, first.available) == ("a0", ("a0",), 600000 - 130500)
    # A still lacks 4,000 less 1,005 EUR; C, with no row, all its 500 EUR, and is not funded.
    assert members(first) == [("A", 299500, True, 10100), ("B", 70000, True, 0),
                              ("C", 50000, False, 0)]
    assert first.share == Fraction(10100, 299500)
    # X did not apply; G lacks nothing and gets no residual; F lacks nothing but gets one
    # cent; D's award of one cent funds it; H lacks one cent.
    assert (second.code, second.areas, second.available) == ("a1", ("a1",), 400000 - 17998)
    assert members(second) == [("D", 1999, True, 0), ("E", 2, True, 1), ("F", 0, True, 1),
                               ("H", 1, True, 0)]
    assert second.share == Fraction(1, 2)  # E's cent of its 2; F's cent has no need to share
    # The sets of the pool: A and B always in, C once the share of its need reaches 300 EUR.
    assert first.sets(30000) == (FundedSet(0, 0, 369500, 0, 221699),
                                 FundedSet(1, 50000, 419500, 251700, 419500))


def test_the_fund_pool_holds_every_area_s_units_and_what_each_left() -> None:
    # a1 is overspent: it leaves nothing (not less than nothing) to the fund's pool.
    found = _parts_evidence(ResidualScope.FONDO, {"a0": 600000, "a1": 10000})
    (pool,) = found.pools
    assert (pool.code, pool.areas, pool.available) == ("fondo", ("a0", "a1"), 600000 - 130500)
    assert [item.unit.unit_id for item, _, _, _ in pool.units] == ["A", "B", "C", "D", "E",
                                                                    "F", "H"]
    # A at 10,100 of 299,500 and E at 1 of 2 do not agree: the plain average.
    assert pool.share == Fraction(10100 + 1, 299500 + 2)


def test_printed_shares_settle_a_tie_between_two_groups_of_awards() -> None:
    rules = tiny_rules(SERVICES, {"a0": 60, "a1": 40}, fund=1000000)
    units = [unit("P1", "s0", 100000), unit("P2", "s0", 100000), unit("P3", "s0", 200000),
             unit("P4", "s0", 200000), unit("P5", "s0", 300000), unit("P6", "s0", 10),
             unit("C", "s1", 50000)]

    def shares(rows: list[ProvidedRow]) -> dict[str, Fraction]:
        return Evidence(assess(table(units), rules), rules,
                        ProvidedAllocation("x.csv", tuple(rows)),
                        {"a0": 600000, "a1": 400000}).shares

    # Two awards agree on 1/4, two on 1/2: equally many. 1/2 is nearer the plain average;
    # the share column's votes come first. P5 (no award) is not funded, so its printed share
    # does not vote; P6's award of one cent does.
    rows = [ProvidedRow(2, "P1", 25000, share=Fraction(1, 4)), ProvidedRow(3, "P2", 25000),
            ProvidedRow(4, "P3", 100000, share=Fraction(1, 2)), ProvidedRow(5, "P4", 100000),
            ProvidedRow(6, "P5", 0, share=Fraction(1, 2)),
            ProvidedRow(7, "P6", 1, share=Fraction(1, 4)), ProvidedRow(8, "C", 1)]
    found = shares(rows)
    assert found["s0"] == Fraction(1, 4)
    assert found["s1"] == Fraction(1, 50000)  # an award of one cent is an award
    assert shares([row._replace(share=None) for row in rows])["s0"] == Fraction(1, 2)


def test_printed_residual_shares_settle_a_tie_in_a_pool() -> None:
    rules = replace(tiny_rules(SERVICES, {"a0": 60, "a1": 40}, fund=1000000),
                    residual_scope=ResidualScope.AREA)
    units = [unit("Q1", "s0", 100000), unit("Q2", "s0", 100000), unit("Q3", "s0", 200000),
             unit("Q4", "s0", 200000), unit("Q5", "s0", 300000), unit("Q6", "s0", 10)]

    def share(rows: list[ProvidedRow]) -> Fraction:
        found = Evidence(assess(table(units), rules), rules,
                         ProvidedAllocation("x.csv", tuple(rows)), {"a0": 600000})
        return found.pools[0].share

    # As for a line's share: two residual awards agree on 1/4 of the need, two on 1/2, and
    # 1/2 is nearer the plain average. Q5 (no residual award) does not vote; Q6's cent does.
    rows = [ProvidedRow(2, "Q1", 25000, residual_award=25000, residual_share=Fraction(1, 4)),
            ProvidedRow(3, "Q2", 25000, residual_award=25000),
            ProvidedRow(4, "Q3", 100000, residual_award=100000, residual_share=Fraction(1, 2)),
            ProvidedRow(5, "Q4", 100000, residual_award=100000),
            ProvidedRow(6, "Q5", 0, residual_award=0, residual_share=Fraction(1, 2)),
            ProvidedRow(7, "Q6", 1, residual_award=1, residual_share=Fraction(1, 4))]
    assert share(rows) == Fraction(1, 4)
    assert share([row._replace(residual_share=None) for row in rows]) == Fraction(1, 2)


def test_units_of_an_area_without_a_budget_are_in_no_pool() -> None:
    # a0 has no budget: its units (listed first) are left out, a1's still make up its pool.
    (pool,) = _parts_evidence(ResidualScope.AREA, {"a1": 400000}).pools
    assert [item.unit.unit_id for item, _, _, _ in pool.units] == ["D", "E", "F", "H"]
