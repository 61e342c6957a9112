"""What the checks share: awards per unit, service lines and their shares, area totals."""

from __future__ import annotations

from fractions import Fraction

from fsr_opt.audit.allocation import ProvidedAllocation, ProvidedRow
from fsr_opt.audit.evidence import Evidence, line_share
from fsr_opt.audit.report import AreaTotal
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
