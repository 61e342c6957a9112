"""A finished riparto as a comparison sees it, built from the typed outcomes of a solve.

A what-if compares two solves held in memory; ``compare`` compares two folders written by
``solve``. Both reach `RunView`: `view_from_outcomes` builds it from the typed results, and
`fsr_opt.whatif.saved.view_from_rows` from the rows of allocation.csv and summary.csv. The view
holds the figures as those files print them (amounts in cents, targets and deviations rounded
to the cent, shares to 6 decimals), so that the two routes give equal views and the same
differences.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from fractions import Fraction

from fsr_opt.core.money import round_half_up
from fsr_opt.core.schema import Allocation, RuleSet
from fsr_opt.engine.outcomes import UnitOutcome

TOTAL = "TOTAL"
# allocation.csv prints a unit's share with this many decimals; the view keeps it so.
SHARE_PLACES = 6


@dataclass(frozen=True)
class UnitView:
    """One unit of a run, as its row of allocation.csv says (amounts in cents).

    Attributes:
        reasons: the exclusion reason codes, in the assessment's order.
        share: the service line's share given to the unit, rounded to `SHARE_PLACES`
            decimals as printed.
        binding: the code of the limit that binds the award (``AREA_BUDGET``...).
        municipality: the unit's Comune ("" when the run does not say it).
    """

    unit_id: str
    name: str
    operator: str
    area: str
    service: str
    eligible: bool
    reasons: tuple[str, ...]
    entitlement: int
    share: Fraction
    award: int
    binding: str
    tranche_1: int
    tranche_2: int
    residual_award: int = 0
    municipality: str = ""


@dataclass(frozen=True)
class LineView:
    """One service line of a run, as its row of summary.csv says (cents, rounded as printed).

    Attributes:
        deviation: awarded minus target; its absolute value is the line's distance from the
            historical pattern (the quantity stage 2 of the objective minimises).
        funded: units of the line with an award above 0.
        residual: what the residual phase gives the line's units (``awarded`` is the
            riparto's, which the target and the deviation are about).
    """

    area: str
    service: str
    target: int
    historical: int
    awarded: int
    deviation: int
    funded: int
    residual: int = 0

    @property
    def distance(self) -> int:
        """Distance from the historical pattern, |awarded - target|, in cents."""
        return abs(self.deviation)


@dataclass(frozen=True)
class RunView:
    """A finished riparto as a comparison needs it.

    Attributes:
        label: how the run is called in messages (``base``, a folder name...).
        units: in the run's row order.
        lines: service lines in rule-set order.
        budgets: area budget per area, in area order.
        history_year: the year of the historical amounts the targets follow, when known.
        unassigned: cents nobody receives: per area when each area is a residual pool of its
            own (scopes none and area), and the fund's under ``TOTAL``.
    """

    label: str
    units: tuple[UnitView, ...]
    lines: tuple[LineView, ...]
    budgets: Mapping[str, int]
    history_year: int | None = None
    unassigned: Mapping[str, int] = field(default_factory=dict)


def _printed_share(share: Fraction) -> Fraction:
    """The share as allocation.csv prints it: rounded half up to `SHARE_PLACES` decimals."""
    scale = 10**SHARE_PLACES
    return Fraction(round_half_up(share * scale), scale)


def view_from_outcomes(
    label: str, outcomes: Sequence[UnitOutcome], allocation: Allocation, rules: RuleSet
) -> RunView:
    """The view of a solved run, from its typed outcomes (no text in between).

    Args:
        label: the run's name in messages.
        outcomes: every unit's outcome (`fsr_opt.engine.outcomes.unit_outcomes`), input order.
        allocation: the solved allocation.
        rules: the rule set of the run (areas and service lines, in order).
    """
    units = tuple(
        UnitView(
            unit_id=outcome.assessment.unit.unit_id,
            name=outcome.assessment.unit.name,
            operator=outcome.assessment.unit.operator,
            area=outcome.assessment.area,
            service=outcome.assessment.service,
            eligible=outcome.assessment.eligible,
            reasons=tuple(reason.value for reason in outcome.assessment.reasons),
            entitlement=outcome.assessment.entitlement,
            share=_printed_share(outcome.share),
            award=outcome.award,
            binding=outcome.binding.value,
            tranche_1=outcome.tranche_1,
            tranche_2=outcome.tranche_2,
            residual_award=outcome.residual_award,
            municipality=outcome.assessment.unit.municipality,
        )
        for outcome in outcomes
    )
    funded: dict[str, int] = {}
    residual: dict[str, int] = {}
    for outcome in outcomes:
        code = outcome.assessment.service
        residual[code] = residual.get(code, 0) + outcome.residual_award
        if outcome.award > 0:
            funded[code] = funded.get(code, 0) + 1
    lines = []
    for area in rules.areas:
        for service in area.services:
            result = allocation.services[service.code]
            lines.append(LineView(
                area=area.code,
                service=service.code,
                target=allocation.target_cents[service.code],
                historical=service.historical,
                awarded=result.awarded,
                deviation=result.awarded - allocation.target_cents[service.code],
                funded=funded.get(service.code, 0),
                residual=residual.get(service.code, 0),
            ))
    budgets = {area.code: allocation.area_budgets[area.code] for area in rules.areas}
    unassigned = {pool.code: pool.left for pool in allocation.residual_pools
                  if pool.code in budgets}
    unassigned[TOTAL] = allocation.unassigned
    return RunView(label, units, tuple(lines), budgets, rules.history_year, unassigned)
