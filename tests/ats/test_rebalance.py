"""The rebalance MILP: a case by hand, the bundled example, and its properties."""

from __future__ import annotations

import random
from dataclasses import replace
from fractions import Fraction

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from fsr_opt.audit.ats import audit_transfers
from fsr_opt.core.ats import AmbitoReport, Transfer
from fsr_opt.engine.ats_monitor import monitor, surplus_and_need
from fsr_opt.engine.ats_rebalance import rebalance
from fsr_opt.io.ats import default_ats_example, load_monitoring

from .helpers import bundled_rules, report, tiny_rules


def test_a_case_by_hand() -> None:
    # A has 1,000.00 it will not use; B lacks 600.00, C lacks 1,400.00: both covered to
    # 50% at best (1000 / 2000), and with a minimum of 100.00 both get a transfer.
    lines = monitor([report("A", 5000_00, 4000_00, 0), report("B", 1000_00, 1000_00, 600_00),
                     report("C", 2000_00, 2000_00, 1400_00)])
    result = rebalance(lines, minimum=100_00, max_transfers=5)
    assert result.transfers == (Transfer("A", "B", 300_00), Transfer("A", "C", 700_00))
    assert result.stages[0].value == Fraction(1, 2)
    assert result.stages[1].value == 1000_00


def test_the_minimum_and_the_limit_bind() -> None:
    lines = monitor([report("A", 5000_00, 4000_00, 0), report("B", 1000_00, 1000_00, 600_00),
                     report("C", 2000_00, 2000_00, 1400_00)])
    one = rebalance(lines, minimum=100_00, max_transfers=1)
    assert len(one.transfers) == 1 and one.stages[0].value == 0
    assert one.transfers[0].amount == 1000_00  # the whole surplus, to one Ambito
    big_minimum = rebalance(lines, minimum=800_00, max_transfers=5)
    assert [t.receiver for t in big_minimum.transfers] == ["C"]  # B cannot take 800.00


def test_the_bundled_example_with_both_solvers() -> None:
    rules = bundled_rules()
    lines = monitor(load_monitoring(default_ats_example("monitoring.csv"), rules))
    cbc = rebalance(lines, minimum=rules.minimum_transfer, max_transfers=rules.max_transfers)
    highs = rebalance(lines, minimum=rules.minimum_transfer, max_transfers=rules.max_transfers,
                      solver="highs")
    assert cbc.transfers == highs.transfers
    assert [s.value for s in cbc.stages] == [s.value for s in highs.stages]
    assert sum(t.amount for t in cbc.transfers) == sum(m.surplus for m in lines)
    assert audit_transfers(rules, [m.report for m in lines], cbc.transfers).is_ok


@st.composite
def instances(draw: st.DrawFn) -> list[AmbitoReport]:
    count = draw(st.integers(2, 6))
    reports = []
    for index in range(count):
        assigned = draw(st.integers(0, 20_000)) * 100
        committed = draw(st.integers(0, assigned // 100)) * 100
        unmet = draw(st.sampled_from([0, 0, draw(st.integers(1, 15_000)) * 100]))
        reports.append(report(f"A{index}", assigned, committed, unmet))
    return reports


def _final(reports: list[AmbitoReport], transfers: tuple[Transfer, ...]) -> dict[str, int]:
    final = {r.ambito: r.assigned for r in reports}
    for t in transfers:
        final[t.donor] -= t.amount
        final[t.receiver] += t.amount
    return final


@settings(max_examples=25)
@given(reports=instances(), minimum=st.sampled_from([0, 100_00, 1000_00]),
       limit=st.integers(1, 6), seed=st.integers(0, 99))
def test_properties_of_the_rebalance(reports: list[AmbitoReport], minimum: int, limit: int,
                                     seed: int) -> None:
    lines = monitor(reports)
    result = rebalance(lines, minimum=minimum, max_transfers=limit)
    final = _final(reports, result.transfers)
    assert sum(final.values()) == sum(r.assigned for r in reports)  # conserved to the cent
    for r in reports:  # no Ambito below what it has committed (when it gives)
        if any(t.donor == r.ambito for t in result.transfers):
            assert final[r.ambito] >= r.committed
    assert all(t.amount >= max(minimum, 1) for t in result.transfers)  # 0 or the minimum
    assert len(result.transfers) <= limit
    rules = replace(tiny_rules([r.ambito for r in reports]), minimum_transfer=minimum,
                    max_transfers=limit)
    assert audit_transfers(rules, reports, result.transfers).is_ok
    # row order never matters
    shuffled = list(reports)
    random.Random(seed).shuffle(shuffled)
    assert rebalance(monitor(shuffled), minimum=minimum,
                     max_transfers=limit).transfers == result.transfers
    # a larger residual never lowers the first objective's optimum
    donors = [r for r in reports if surplus_and_need(r.assigned, r.committed,
                                                     r.unmet_amount)[0] > 0]
    if donors:
        richer = [replace(r, assigned=r.assigned + 500_00) if r is donors[0] else r
                  for r in reports]
        more = rebalance(monitor(richer), minimum=minimum, max_transfers=limit)
        assert more.stages[0].value >= result.stages[0].value


@pytest.mark.parametrize("seed", range(6))
def test_cbc_and_highs_agree(seed: int) -> None:
    rng = random.Random(seed)
    reports = []
    for index in range(rng.randint(3, 7)):
        assigned = rng.randint(1_000, 40_000) * 100
        committed = rng.randint(0, assigned // 100) * 100
        unmet = rng.choice([0, rng.randint(1, 20_000) * 100])
        reports.append(report(f"AMB{index}", assigned, committed, unmet))
    lines = monitor(reports)
    cbc = rebalance(lines, minimum=500_00, max_transfers=8)
    highs = rebalance(lines, minimum=500_00, max_transfers=8, solver="highs")
    assert cbc.transfers == highs.transfers
    assert [s.value for s in cbc.stages] == [s.value for s in highs.stages]


def test_the_lowest_coverage_is_reachable_in_whole_cents() -> None:
    # 10.01 EUR for two needs of 10.00: in fractions of a cent both could get 50.05%, whose
    # whole-cent bounds (5.01 + 5.01) exceed the 10.01; in whole cents the best is 50.00%
    lines = monitor([report("A", 20_01, 10_00, 0), report("B", 0, 0, 10_00),
                     report("C", 0, 0, 10_00)])
    for solver in ("cbc", "highs"):
        result = rebalance(lines, minimum=0, max_transfers=5, solver=solver)
        assert result.stages[0].value == Fraction(1, 2)
        assert result.stages[1].value == 10_01
        assert sorted(t.amount for t in result.transfers) == [5_00, 5_01]
