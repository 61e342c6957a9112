"""Who may be funded, how much at most, and what totals each service line can take.

Two steps, both exact integer arithmetic:

* `assess` applies the access criteria (each failing test gives its contract reason code;
  all failing codes are kept) and computes the entitlement: ``min(deficit, formula)`` for
  private units of offer, the deficit for public units and municipal services, prorated by the
  days a unit ceased during the year was active.
* `plan_services` turns the entitlements of a service line into its *segments*. With one share
  ``lambda`` per service line and the 0-or-minimum rule, the funded units are always the ones
  with the largest entitlements: ``lambda * e_i >= minimum`` holds for every ``e_i`` above a
  threshold. So a service total ``S`` fixes the funded set, and the totals a service line can
  take form a union of intervals, one per number of funded entitlement groups. The model picks
  one interval per service line; it needs no per-unit binary (see docs/model.md).
"""

from __future__ import annotations

import calendar
from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from fractions import Fraction
from operator import itemgetter

from fsr_opt.core.errors import ErrorCode, InputError, Problem
from fsr_opt.core.i18n import _
from fsr_opt.core.money import largest_remainder_over
from fsr_opt.core.schema import (
    Assessment,
    CapSource,
    ExclusionReason,
    LineReading,
    Ownership,
    RuleSet,
    UnitRecord,
    UnitsTable,
    UnitType,
)
from fsr_opt.rules.budgets import service_targets
from fsr_opt.rules.lookup import normalize_name


def assess(table: UnitsTable, rules: RuleSet) -> tuple[Assessment, ...]:
    """Judge every unit of the table, in table order.

    Raises:
        InputError: one problem per unit whose type the rule set does not know
            (``UNKNOWN_TYPE`` is an input error, not an exclusion).
    """
    problems = [
        Problem(
            _("unknown unit type '{type}'; use one of the rule set's codes: {codes}").format(
                type=unit.unit_type, codes=", ".join(sorted(rules.unit_types))),
            file=table.source,
            row=unit.row,
            column="unit_type",
            code=ErrorCode.UNKNOWN_TYPE,
        )
        for unit in table.units
        if unit.unit_type not in rules.unit_types
    ]
    if problems:
        raise InputError(problems)
    municipalities = {normalize_name(name) for name in rules.municipalities}
    return tuple(
        assess_unit(unit, rules.unit_types[unit.unit_type], rules, municipalities)
        for unit in table.units
    )


def exclusion_reasons(
    unit: UnitRecord, unit_type: UnitType, rules: RuleSet, municipalities: set[str]
) -> tuple[ExclusionReason, ...]:
    """Return every access criterion the unit fails, in the contract's order."""
    switches = rules.eligibility
    reasons: list[ExclusionReason] = []
    if (switches.require_registry and not unit_type.municipal_service
            and not unit.in_registry):
        reasons.append(ExclusionReason.NOT_IN_REGISTRY)
    if (switches.require_authorization and not unit_type.municipal_service
            and not unit.authorized):
        reasons.append(ExclusionReason.NOT_AUTHORIZED)
    if switches.require_in_ambito and normalize_name(unit.municipality) not in municipalities:
        reasons.append(ExclusionReason.OUTSIDE_AMBITO)
    if switches.exclude_started_in_year and unit.start_date.year >= rules.year:
        reasons.append(ExclusionReason.STARTED_IN_YEAR)
    if (switches.exclude_ceased_before_year and unit.end_date is not None
            and unit.end_date.year < rules.year):
        reasons.append(ExclusionReason.CEASED_BEFORE_YEAR)
    if (rules.judged_experimental(unit, unit_type)
            and not (unit_type.experimental_allowed and unit.keeps_requirements is True)):
        reasons.append(ExclusionReason.EXPERIMENTAL)
    if rules.needs_data_declaration(unit_type) and unit.data_declared is not True:
        reasons.append(ExclusionReason.MISSING_DATA_DECLARATION)
    if switches.require_deficit and unit.deficit <= 0:
        reasons.append(ExclusionReason.NO_DEFICIT)
    if switches.require_application and not unit.applied:
        reasons.append(ExclusionReason.NOT_APPLIED)
    return tuple(reasons)


_WHOLE_YEAR = Fraction(1)
"""The proration of a unit active all year (most units; a `Fraction` is immutable)."""


def proration(unit: UnitRecord, year: int) -> Fraction:
    """Share of the year a unit was active: days up to its cessation, if it ceased in the year.

    The criteria modulate the contribution "in base al periodo di attività svolta nel corso del
    2025": the days from 1 January to the end date, both included, over the days of the year.
    """
    if unit.end_date is None or unit.end_date.year != year:
        return _WHOLE_YEAR
    days_in_year = 366 if calendar.isleap(year) else 365
    active = (unit.end_date - date(year, 1, 1)).days + 1
    return Fraction(active, days_in_year)


def formula_amount(unit: UnitRecord, unit_type: UnitType, rules: RuleSet) -> int | None:
    """Base plus rate per user, for private units of offer only (criteria, points b and c)."""
    if unit.ownership is not Ownership.PRIVATE or unit_type.formula_class is None:
        return None
    formula = rules.formula_classes[unit_type.formula_class]
    return formula.base + formula.rate_per_user * unit.users


def assess_unit(
    unit: UnitRecord, unit_type: UnitType, rules: RuleSet, municipalities: set[str]
) -> Assessment:
    """Judge one unit: reasons, entitlement (floored to the cent, so never above the cap)."""
    reasons = exclusion_reasons(unit, unit_type, rules, municipalities)
    prorate = proration(unit, rules.year)
    formula = formula_amount(unit, unit_type, rules)
    deficit = unit.deficit
    if formula is not None and formula < deficit:
        cap, source = formula, CapSource.FORMULA
    else:
        cap, source = max(deficit, 0), CapSource.DEFICIT
    entitlement = 0 if reasons else (cap * prorate.numerator) // prorate.denominator
    return Assessment(
        unit=unit,
        area=unit_type.area,
        service=unit_type.service,
        reasons=reasons,
        deficit=deficit,
        formula_amount=formula,
        proration=prorate,
        entitlement=entitlement,
        cap_source=source,
    )


# ---------------------------------------------------------------------------------------------
# Segments: the totals a service line can take
# ---------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Segment:
    """Service totals at which the same units are funded.

    With ``groups`` entitlement groups funded (the largest entitlements first), the share is
    ``lambda = S / funded_entitlement``. The total must be at least `lower` (the smallest funded
    unit reaches the minimum) and at most `upper` (the next unit still falls short of it, and
    ``lambda <= 1``). Both bounds are integer cents, so any total in between is a valid award.
    """

    groups: int
    funded_units: int
    funded_entitlement: int
    lower: int
    upper: int


# "Nothing funded" as a segment of its own (total 0), so that the bounds of `engine.bounds`
# can rule it out like any funded set: a line that must be funded gets a better conditioned
# model (`engine.model`). It is never among a plan's `segments`.
NOTHING = Segment(groups=0, funded_units=0, funded_entitlement=0, lower=0, upper=0)


@dataclass(frozen=True)
class ServicePlan:
    """What the model needs to know of one service line.

    Attributes:
        priority: position of the service line in the rule set (0 first); the last
            tie-break prefers earlier service lines.
        ranked: (unit_id, entitlement) of the units that can ever be funded
            (entitlement >= minimum and > 0), largest entitlement first, then unit id.
        segments: the non-empty segments, by number of funded groups.
        weight: what the tie-break (stage 3) spreads the excess over targets in proportion
            to, when a reading of the criteria says other than the target
            (`fsr_opt.core.schema.LineReading`); None means the target.
    """

    area: str
    service: str
    priority: int
    target: Fraction
    ranked: tuple[tuple[str, int], ...]
    segments: tuple[Segment, ...]
    weight: Fraction | None = None

    @property
    def excess_weight(self) -> Fraction:
        """The line's weight in the tie-break: S_s - T_s <= rho * weight."""
        return self.target if self.weight is None else self.weight

    @property
    def capacity(self) -> int:
        """Largest total the service line can take (every fundable unit at full entitlement)."""
        return self.segments[-1].upper if self.segments else 0

    def segment_for(self, total: int) -> Segment | None:
        """Return the segment containing `total`, or None if no funded set gives it."""
        for segment in self.segments:
            if segment.lower <= total <= segment.upper:
                return segment
        return None


def _ceil_div(numerator: int, denominator: int) -> int:
    return -((-numerator) // denominator)


def service_segments(entitlements: Sequence[int], minimum: int) -> tuple[Segment, ...]:
    """Return the segments of a service line whose fundable units have these entitlements.

    Units with equal entitlements form one group: they cross the minimum together, so no
    segment funds part of a group (funding some of a group of equals breaks equal treatment).

    Args:
        entitlements: cents, only those >= minimum and > 0.
        minimum: the minimum award in cents (0 allowed).
    """
    counts = Counter(entitlements)
    values = sorted(counts, reverse=True)
    if minimum == 0:
        total = sum(entitlements)
        return (Segment(len(values), len(entitlements), total, 0, total),) if total else ()
    segments = []
    funded_total = 0
    funded_units = 0
    for index, value in enumerate(values):
        funded_total += value * counts[value]
        funded_units += counts[value]
        lower = _ceil_div(minimum * funded_total, value)
        if index + 1 < len(values):
            next_value = values[index + 1]
            upper = min(funded_total, _ceil_div(minimum * funded_total, next_value) - 1)
        else:
            upper = funded_total
        if lower <= upper:
            segments.append(Segment(index + 1, funded_units, funded_total, lower, upper))
    return tuple(segments)


def plan_services(
    assessments: Sequence[Assessment], rules: RuleSet, budgets: Mapping[str, int]
) -> tuple[ServicePlan, ...]:
    """Build one plan per service line of the rule set, in rule-set order.

    The plans depend on the set of units, never on their order in the table. With the reading
    ``istanze`` of `LineReading`, each line's weight in the tie-break is what its eligible units
    that applied are entitled to ("proporzionalmente alle istanze ricevute").
    """
    targets = service_targets(rules, budgets)
    by_service: dict[str, list[tuple[str, int]]] = {}
    requested: dict[str, int] = {}
    for item in assessments:
        if not item.eligible:
            continue
        if item.entitlement > 0 and item.entitlement >= rules.minimum_award:
            by_service.setdefault(item.service, []).append(
                (item.unit.unit_id, item.entitlement)
            )
        if item.unit.applied:
            requested[item.service] = requested.get(item.service, 0) + item.entitlement
    by_applications = rules.line_without_applications is LineReading.ISTANZE
    plans = []
    priority = 0
    for area in rules.areas:
        for service in area.services:
            # largest entitlement first, then unit id: by id, then (stable) by entitlement
            by_id = sorted(by_service.get(service.code, []))
            ranked = tuple(sorted(by_id, key=itemgetter(1), reverse=True))
            plans.append(
                ServicePlan(
                    area=area.code,
                    service=service.code,
                    priority=priority,
                    target=targets[service.code],
                    ranked=ranked,
                    segments=service_segments([e for _, e in ranked], rules.minimum_award),
                    weight=(Fraction(requested.get(service.code, 0)) if by_applications
                            else None),
                )
            )
            priority += 1
    return tuple(plans)


def split_service_total(plan: ServicePlan, total: int) -> dict[str, int]:
    """Split a service total among its funded units: same share, largest remainder to the cent.

    Each award is the floor or the ceiling of ``lambda * e_i``, so it stays within one cent of
    the equal share, at least the minimum (the exact share reaches it and the minimum is whole
    cents) and at most the entitlement.

    Raises:
        ValueError: if `total` lies in no segment of the plan.
    """
    if total == 0:
        return {}
    segment = plan.segment_for(total)
    if segment is None:
        raise ValueError(f"service {plan.service}: total {total} is not reachable")
    funded = plan.ranked[: segment.funded_units]
    numerators = [(unit_id, total * e) for unit_id, e in funded]
    return largest_remainder_over(total, numerators, segment.funded_entitlement)


def tranches(award: int, rules: RuleSet) -> tuple[int, int]:
    """Split an award into the two payments (criteria, "Erogazione").

    70% after the Assemblea approves the plan, 30% after ATS approves the data return;
    an award up to the single-payment threshold (1,000 EUR) is paid at once. The first
    tranche is rounded half up to the cent, the second takes the rest.
    """
    if award <= rules.single_payment_threshold:
        return award, 0
    percent = rules.first_tranche_percent
    # award * percent / 100 in integers: this runs for every unit, twice per solve.
    numerator = award * percent.numerator
    denominator = 100 * percent.denominator
    first = (2 * numerator + denominator) // (2 * denominator)
    return first, award - first
