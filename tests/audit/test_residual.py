"""The residual phase's checks: a riparto with residuals passes, each mutation fails its check.

The scenario is the bundled example with the shares of issue 12 (minori 30, disabili 30,
anziani 40): the disabili units' caps leave part of their area's budget, which the bundled
rules (residui.scope area) give to the area's units that applied. Tiny instances cover the
limits that the example does not reach (a unit paid all it lacked, a pool given in full).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, replace
from fractions import Fraction

import pytest

from fsr_opt.app.pipeline import Inputs, load_inputs
from fsr_opt.audit.allocation import parse_allocation
from fsr_opt.audit.report import AuditReport
from fsr_opt.audit.run import audit, audit_solution
from fsr_opt.core.money import format_cents
from fsr_opt.core.schema import Allocation, Ownership, ResidualScope, RuleSet
from fsr_opt.engine.eligibility import assess
from fsr_opt.engine.solve import solve_riparto

from tests.audit.conftest import failed
from tests.conftest import table, tiny_rules, unit

SHARES = [("areas.minori.share", "30"), ("areas.disabili.share", "30"),
          ("areas.anziani.share", "40")]


@dataclass(frozen=True)
class Residuals:
    inputs: Inputs
    allocation: Allocation

    @property
    def rules(self) -> RuleSet:
        return self.inputs.rules

    def report(self, residual: Mapping[str, int] | None = None, *,
               rules: RuleSet | None = None,
               residual_shares: Mapping[str, Fraction] | None = None) -> AuditReport:
        given = dict(self.allocation.residual_awards if residual is None else residual)
        return audit_solution(self.inputs.assessments, rules or self.rules,
                              self.allocation.awards, residual=given,
                              residual_shares=residual_shares)

    def recipients(self) -> list[str]:
        """Units with a residual award, the largest first (then by id)."""
        given = self.allocation.residual_awards
        return sorted(given, key=lambda u: (-given[u], u))


@pytest.fixture(scope="module")
def shifted() -> Residuals:
    inputs = load_inputs(None, None, SHARES)
    result = solve_riparto(inputs.assessments, inputs.rules)
    assert result.allocation is not None
    return Residuals(inputs, result.allocation)


def test_the_example_with_residuals_passes_every_check(shifted: Residuals) -> None:
    (pool,) = [p for p in shifted.allocation.residual_pools if p.code == "disabili"]
    assert pool.available > 0 and pool.distributed > 0
    assert len(shifted.recipients()) >= 5
    shares = {uid: pool.share for uid in shifted.allocation.residual_awards}
    report = shifted.report(residual_shares=shares)
    assert report.is_ok, [v.message for v in report.violations]
    assert "RESIDUAL_SHARE_MISMATCH" not in report.skipped


def test_one_residual_off_its_share(shifted: Residuals) -> None:
    # Two recipients swap 2 EUR: the pool's total is the same, but both are off the share
    # that the other recipients agree on (and only they are).
    first, second = shifted.recipients()[:2]
    given = dict(shifted.allocation.residual_awards)
    given[first] += 200
    given[second] -= 200
    report = shifted.report(given)
    assert failed(report) == {"RESIDUAL_EQUAL_SHARE"}
    assert sorted(v.unit or "" for v in report.violations) == sorted([first, second])


def test_a_unit_left_out_of_the_residuals(shifted: Residuals) -> None:
    # The smallest recipient's residual goes to the largest: the largest is off the share,
    # the smallest is left out while the share of what it lacks is due to it.
    largest, smallest = shifted.recipients()[0], shifted.recipients()[-1]
    given = dict(shifted.allocation.residual_awards)
    given[largest] += given.pop(smallest)
    report = shifted.report(given)
    assert failed(report) == {"RESIDUAL_EQUAL_SHARE", "RESIDUAL_LEFT_OUT"}
    assert [v.unit for v in report.violations if v.check == "RESIDUAL_LEFT_OUT"] == [smallest]


def test_no_residual_given_leaves_money_the_units_could_take(shifted: Residuals) -> None:
    report = shifted.report({})
    assert failed(report) == {"RESIDUAL_LEFT"}
    (violation,) = report.violations
    assert violation.area == "disabili" and violation.subject == "area disabili"


def test_residuals_without_a_residual_phase(shifted: Residuals) -> None:
    rules = replace(shifted.rules, residual_scope=ResidualScope.NONE)
    report = shifted.report(rules=rules)
    assert failed(report) == {"RESIDUAL_SCOPE"}
    assert {v.unit for v in report.violations} == set(shifted.allocation.residual_awards)
    assert "residui.scope none" in report.violations[0].message
    # without residuals, the money left is no violation but a note
    quiet = shifted.report({}, rules=rules)
    assert quiet.is_ok
    assert any(note.startswith("area disabili:") and "residui.scope none" in note
               for note in quiet.notes)


def test_the_residual_share_column_is_checked(shifted: Residuals) -> None:
    (pool,) = [p for p in shifted.allocation.residual_pools if p.code == "disabili"]
    shares = {uid: pool.share for uid in shifted.allocation.residual_awards}
    first = shifted.recipients()[0]
    shares[first] = pool.share + Fraction(1, 1000)
    report = shifted.report(residual_shares=shares)
    assert failed(report) == {"RESIDUAL_SHARE_MISMATCH"}
    assert [v.unit for v in report.violations] == [first]


def test_an_award_is_its_two_parts(shifted: Residuals) -> None:
    rows = []
    for number, item in enumerate(shifted.inputs.assessments, start=2):
        uid = item.unit.unit_id
        criteria = shifted.allocation.awards.get(uid, 0)
        residual = shifted.allocation.residual_awards.get(uid, 0)
        rows.append({"__row__": str(number), "unit_id": uid,
                     "award": format_cents(criteria + residual),
                     "criteria_award": format_cents(criteria),
                     "residual_award": format_cents(residual)})
    columns = ["unit_id", "award", "criteria_award", "residual_award"]
    assert audit(shifted.inputs.assessments, shifted.rules,
                 parse_allocation(columns, rows, "a.csv")).is_ok
    recipient = shifted.recipients()[0]
    row = next(r for r in rows if r["unit_id"] == recipient)
    row["criteria_award"] = format_cents(shifted.allocation.awards[recipient] + 100)
    report = audit(shifted.inputs.assessments, shifted.rules,
                   parse_allocation(columns, rows, "a.csv"))
    assert failed(report) == {"AWARD_PARTS"}
    assert report.violations[0].unit == recipient


# ---------------------------------------------------------------------------------------------
# The limits, on tiny instances
# ---------------------------------------------------------------------------------------------


def _solved(rules: RuleSet, units: list) -> tuple[list, Allocation]:  # type: ignore[type-arg]
    assessments = list(assess(table(units), rules))
    allocation = solve_riparto(assessments, rules).allocation
    assert allocation is not None
    return assessments, allocation


def _report(assessments: list, rules: RuleSet, allocation: Allocation,  # type: ignore[type-arg]
            change: Callable[[dict[str, int]], None]) -> AuditReport:
    given = dict(allocation.residual_awards)
    change(given)
    return audit_solution(assessments, rules, allocation.awards, residual=given)


def test_a_residual_beyond_the_deficit() -> None:
    # P's formula caps its riparto at 3,500 EUR; its deficit of 5,000 is reached by 1,500 EUR
    # of residual (mu = 1). One cent more is beyond its deficit, and nothing else.
    rules = replace(tiny_rules({"s": ("a", 1)}, {"a": 100}, fund=1_000_000),
                    residual_scope=ResidualScope.AREA)
    assessments, allocation = _solved(
        rules, [unit("A", "s", 40_000), unit("P", "s", 500_000, ownership=Ownership.PRIVATE)])
    assert dict(allocation.residual_awards) == {"P": 150_000}
    assert audit_solution(assessments, rules, allocation.awards,
                          residual=allocation.residual_awards).is_ok

    def more(given: dict[str, int]) -> None:
        given["P"] += 1

    report = _report(assessments, rules, allocation, more)
    assert failed(report) == {"RESIDUAL_ABOVE_DEFICIT"}
    assert "5,000.00" in report.violations[0].message  # the deficit, for the auditor


def test_a_pool_given_more_than_the_riparto_left() -> None:
    # The fund's pool (scope fondo) holds the 700 EUR area a cannot give; B, funded already,
    # takes them all. One cent more is more than the pool.
    rules = replace(tiny_rules({"s": ("a", 1), "t": ("b", 1)}, {"a": 50, "b": 50},
                               fund=200_000), residual_scope=ResidualScope.FONDO)
    assessments, allocation = _solved(rules, [unit("A", "s", 30_000), unit("B", "t", 400_000)])
    assert dict(allocation.residual_awards) == {"B": 70_000}

    def more(given: dict[str, int]) -> None:
        given["B"] += 1

    report = _report(assessments, rules, allocation, more)
    assert failed(report) == {"RESIDUAL_POOL"}
    assert report.violations[0].subject == "the fund's residual pool"


def test_a_residual_to_a_unit_that_did_not_apply() -> None:
    rules = replace(tiny_rules({"s": ("a", 1)}, {"a": 100}, fund=1_000_000),
                    residual_scope=ResidualScope.AREA)
    rules = replace(rules, eligibility=replace(rules.eligibility, require_application=False))
    units = [unit("P", "s", 500_000, ownership=Ownership.PRIVATE),
             unit("Q", "s", 500_000, ownership=Ownership.PRIVATE, applied=False)]
    assessments, allocation = _solved(rules, units)

    def to_q(given: dict[str, int]) -> None:
        given["Q"] = given.pop("P")

    report = _report(assessments, rules, allocation, to_q)
    assert "RESIDUAL_SCOPE" in failed(report)
    assert [v.unit for v in report.violations if v.check == "RESIDUAL_SCOPE"] == ["Q"]
    assert "did not apply" in report.violations[0].message


def test_a_pool_that_leaves_money_says_how_much_and_who_could_take_it() -> None:
    """RESIDUAL_LEFT's figures: what the pool could give, what it gave, and what it leaves.

    Area a's budget is 10,000 EUR; the riparto gives A 400 EUR and P 3,500 (its formula), so
    the pool holds 6,100 EUR, of which P could take the 1,500 EUR it still lacks (P is funded
    already: no more units). It is given 1,000.
    """
    rules = replace(tiny_rules({"s": ("a", 1)}, {"a": 100}, fund=1_000_000),
                    residual_scope=ResidualScope.AREA)
    assessments, allocation = _solved(
        rules, [unit("A", "s", 40_000), unit("P", "s", 500_000, ownership=Ownership.PRIVATE)])
    report = _report(assessments, rules, allocation, lambda given: given.update(P=100_000))
    (violation,) = report.violations
    assert (violation.check, violation.subject, violation.area) == (
        "RESIDUAL_LEFT", "area a", "a")
    assert (violation.expected, violation.actual) == ("residuals up to 1,500.00", "1,000.00")
    assert violation.message == (
        "area a leaves 5,100.00 EUR unassigned after residuals of 1,000.00 EUR, yet its units "
        "that applied could receive 1,500.00 EUR at one share of what they still lack (0 more "
        "units funded) without breaking any rule")
    checked = {result.code: result.checked for result in report.results}
    assert checked["RESIDUAL_LEFT"] == 1  # one pool: the area's


def test_without_a_residual_phase_no_pool_is_checked() -> None:
    rules = tiny_rules({"s": ("a", 1)}, {"a": 100}, fund=1_000_000)
    assert rules.residual_scope is ResidualScope.NONE
    assessments, allocation = _solved(rules, [unit("A", "s", 40_000)])
    report = audit_solution(assessments, rules, allocation.awards)
    checked = {result.code: result.checked for result in report.results}
    assert report.is_ok and checked["RESIDUAL_LEFT"] == 0


PRIVATE = {"ownership": Ownership.PRIVATE}
ONE_AREA = ({"s": ("a", 1)}, {"a": 100}, 1_000_000)
TWO_AREAS = ({"s": ("a", 1), "t": ("b", 1)}, {"a": 50, "b": 50}, 200_000)


@pytest.mark.parametrize(("scope", "shape", "units", "note"), [
    pytest.param(ResidualScope.NONE, ONE_AREA,
                 [unit("A", "s", 40_000), unit("P", "s", 500_000, **PRIVATE)],
                 "area a: 6,100.00 EUR stay unassigned: the riparto cannot award more within the "
                 "caps and the minimum award, and the rule set has no residual phase "
                 "(residui.scope none); its units that applied still lack 1,500.00 EUR",
                 id="no residual phase"),
    pytest.param(ResidualScope.AREA, ONE_AREA,
                 [unit("A", "s", 40_000), unit("P", "s", 500_000, **PRIVATE)],
                 "area a: the riparto leaves 6,100.00 EUR; residuals of 1,500.00 EUR go to 1 "
                 "unit at 100.0000% of what they still lacked; 4,600.00 EUR stay unassigned (its "
                 "units that applied lack nothing more)", id="every need met"),
    pytest.param(ResidualScope.AREA, ONE_AREA,
                 [unit("A", "s", 40_000), unit("P", "s", 500_000, **PRIVATE),
                  unit("Q", "s", 20_000, **PRIVATE)],
                 "area a: the riparto leaves 6,100.00 EUR; residuals of 1,500.00 EUR go to 1 "
                 "unit at 100.0000% of what they still lacked; 4,600.00 EUR stay unassigned (the "
                 "minimum award keeps the rest from the units that lack less)",
                 id="a need below the minimum"),
    pytest.param(ResidualScope.AREA, ONE_AREA,
                 [unit("A", "s", 40_000), unit("Q", "s", 20_000, **PRIVATE)],
                 "area a: the riparto leaves 9,600.00 EUR; 9,600.00 EUR stay unassigned (the "
                 "minimum award keeps the rest from the units that lack less)",
                 id="no residual given"),
    pytest.param(ResidualScope.FONDO, TWO_AREAS,
                 [unit("A", "s", 30_000), unit("B", "t", 150_000)],
                 "the fund: the riparto leaves 700.00 EUR; residuals of 500.00 EUR go to 1 unit "
                 "at 100.0000% of what they still lacked; 200.00 EUR stay unassigned (its units "
                 "that applied lack nothing more)", id="the fund's pool"),
    pytest.param(ResidualScope.FONDO, TWO_AREAS,
                 [unit("A", "s", 30_000), unit("B", "t", 250_000)], None,
                 id="nothing left: no note"),
    pytest.param(ResidualScope.NONE, ({"s": ("a", 1)}, {"a": 100}, 40_001),
                 [unit("A", "s", 40_000)],
                 "area a: 0.01 EUR stay unassigned: the riparto cannot award more within the "
                 "caps and the minimum award, and the rule set has no residual phase "
                 "(residui.scope none); its units that applied still lack 0.00 EUR",
                 id="one cent left is told"),
    pytest.param(ResidualScope.AREA, ONE_AREA,
                 [unit("A", "s", 40_000), unit("P", "s", 350_001, **PRIVATE)],
                 "area a: the riparto leaves 6,100.00 EUR; residuals of 0.01 EUR go to 1 unit "
                 "at 100.0000% of what they still lacked; 6,099.99 EUR stay unassigned (its units "
                 "that applied lack nothing more)", id="a residual of one cent counts its unit"),
])
def test_what_a_pool_leaves_is_told_in_a_note(
    scope: ResidualScope, shape: tuple[dict[str, tuple[str, int]], dict[str, int], int],
    units: list, note: str | None,  # type: ignore[type-arg]
) -> None:
    """Money no rule lets anyone take breaks no rule, but the report always says it, and why."""
    services, shares, fund = shape
    rules = replace(tiny_rules(services, shares, fund=fund), residual_scope=scope)
    assessments, allocation = _solved(rules, units)
    report = audit_solution(
        assessments, rules, allocation.awards,
        residual=None if scope is ResidualScope.NONE else allocation.residual_awards)
    assert report.is_ok
    assert report.notes == (() if note is None else (note,))
