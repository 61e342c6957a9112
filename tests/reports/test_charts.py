"""sweep.png: a PNG drawn for a budget sweep and a share sweep, points without a riparto kept."""

from __future__ import annotations

from decimal import Decimal

import pytest

from fsr_opt.reports.charts import sweep_chart_png
from fsr_opt.whatif.sweep import SweepAxis, SweepOutcome, SweepRow

from tests.conftest import tiny_rules

RULES = tiny_rules({"x": ("a", 1), "y": ("b", 1)}, {"a": 50, "b": 50}, fund=200000)
PNG = b"\x89PNG\r\n\x1a\n"


def outcome(interrupted: bool) -> SweepOutcome:
    rows = (
        SweepRow(Decimal(1000), "optimal", {"x": 50000, "y": 50000}, {"a": 50000, "b": 50000}, 2),
        SweepRow(Decimal(1500), "infeasible", message="no riparto"),
        SweepRow(Decimal(2000), "optimal", {"x": 100000, "y": 100000}, {"a": 1, "b": 1}, 2),
    )
    return SweepOutcome(rows, 4 if interrupted else 3, interrupted)


@pytest.mark.parametrize(("option", "area", "lang"), [("--budget", None, "it"),
                                                       ("--share", "a", "en")])
def test_a_chart_for_each_kind_of_sweep(option: str, area: str | None, lang: str) -> None:
    axis = SweepAxis(option, area, (Decimal(1000), Decimal(1500), Decimal(2000)))
    data = sweep_chart_png(outcome(interrupted=area is None), axis, RULES, lang)
    assert data[:8] == PNG and len(data) > 10_000


def test_the_same_chart_for_the_same_sweep() -> None:
    axis = SweepAxis("--budget", None, (Decimal(1000), Decimal(1500), Decimal(2000)))
    assert sweep_chart_png(outcome(False), axis, RULES) == sweep_chart_png(outcome(False), axis,
                                                                           RULES)
