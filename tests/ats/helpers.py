"""Builders of tiny ATS rule sets, indicators and reports for the tests."""

from __future__ import annotations

from dataclasses import replace
from fractions import Fraction

from fsr_opt.app.ats import load_ats_rules
from fsr_opt.core.ats import AmbitoIndicators, AmbitoReport, AtsIndicator, AtsRules


def bundled_rules() -> AtsRules:
    return load_ats_rules()


def tiny_rules(codes: list[str], *, floor: int = 0, set_aside: int = 10, minimum: int = 100_00,
               max_transfers: int = 10, fund: int = 100_000_00) -> AtsRules:
    return replace(
        bundled_rules(), fund=fund, floor=floor, set_aside_percent=Fraction(set_aside),
        minimum_transfer=minimum, max_transfers=max_transfers,
        indicators=(AtsIndicator("population_65", "pop", Fraction(30), "x"),
                    AtsIndicator("admitted_applications", "apps", Fraction(70), "x")),
        ambiti={code: code.title() for code in codes})


def indicators(rows: dict[str, tuple[int, int, int]]) -> tuple[AmbitoIndicators, ...]:
    return tuple(AmbitoIndicators(code, {"population_65": Fraction(p),
                                         "admitted_applications": Fraction(a),
                                         "desks": Fraction(d)})
                 for code, (p, a, d) in rows.items())


def report(code: str, assigned: int, committed: int, unmet: int, spent: int | None = None,
           applications: int | None = None) -> AmbitoReport:
    return AmbitoReport(code, assigned, committed, committed if spent is None else spent,
                        (1 if unmet else 0) if applications is None else applications, unmet)
