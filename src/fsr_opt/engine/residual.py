"""The residual phase: what the riparto leaves unassigned, given to the units that applied.

The criteria end their rules for the areas with *"Le eventuali quote residui del Fondo Sociale
Regionale saranno ripartiti proporzionalmente alle UDOS che hanno presentato istanza"* (l.115;
also l.90 and l.113). After the riparto, whose area budgets stay hard and whose awards do not
change, the money it could not assign (caps reached, minimum-award gaps) forms one *pool* per
area (scope ``area``) or one for the whole fund (scope ``fondo``); with scope ``none`` it stays
unassigned, and the pools only report it. A pool goes to its eligible units that applied:

* in proportion to what each still lacks, ``n_i = prorated deficit - award`` (never beyond the
  deficit: a private unit's formula caps the riparto, not the residual);
* at one common share ``mu`` of that need, in ``[0, 1]``;
* a unit's total stays 0 or at least the minimum award: a unit the riparto funded stays funded
  and may receive any amount; an unfunded one is funded exactly when ``mu * n_i`` reaches the
  minimum (never left out by choice, as in a service line).

So the totals a pool can give form a union of intervals, exactly like a service line's segments
(`fsr_opt.engine.eligibility.service_segments`), the funded units' needs acting as a group that
is always in. The segments are ordered (each lies above the previous one), so the largest total
the pool can give is found in closed form, without a solver: the highest segment starting at or
below the pool, capped by the pool. No other total can be larger (`residual_total`). Cents are
given by largest remainder of ``total * n_i / E`` (ties to the smaller unit id), so each
residual award is the floor or ceiling of ``mu * n_i``, at least the minimum for a new unit
(the exact share reaches it and the minimum is whole cents) and at most its need.
Deterministic: nothing depends on row order.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace
from fractions import Fraction

from fsr_opt.core.money import largest_remainder_over
from fsr_opt.core.schema import (
    FONDO,
    Allocation,
    Assessment,
    ResidualPool,
    ResidualScope,
    RuleSet,
)
from fsr_opt.engine.eligibility import Segment

__all__ = [
    "PoolUnit",
    "residual_need",
    "residual_phase",
    "residual_pools",
    "residual_segments",
    "residual_total",
    "split_pool",
]


@dataclass(frozen=True)
class PoolUnit:
    """A unit that may receive from a pool.

    Attributes:
        need: cents it still lacks: prorated deficit minus its riparto award (> 0).
        funded: whether the riparto funded it (then any residual keeps it above the minimum).
    """

    unit_id: str
    need: int
    funded: bool


def residual_need(item: Assessment, award: int) -> int:
    """What an eligible unit still lacks after its riparto award, in cents (0 if nothing).

    The deficit, prorated for a unit that ceased during the year (*"il finanziamento è modulato
    in base al periodo di attività"*) and floored to the cent, minus the award.
    """
    deficit = item.deficit
    if deficit <= 0 or item.reasons:  # excluded, or nothing to cover
        return 0
    prorate = item.proration
    # most units were active all year: no Fraction arithmetic for them (100,000 units)
    cap = deficit if prorate == 1 else deficit * prorate.numerator // prorate.denominator
    return cap - award if cap > award else 0


def _ceil_div(numerator: int, denominator: int) -> int:
    return -((-numerator) // denominator)


def residual_segments(units: Sequence[PoolUnit], minimum: int) -> tuple[Segment, ...]:
    """The totals a pool can give, one segment per number of newly funded need groups.

    Segment k funds the units the riparto funded plus the k largest groups of equal needs of
    the others (equal needs cross the minimum together). With E_k their needs added up and
    v_k the k-th largest need, ``mu = S / E_k`` must satisfy ``mu v_k >= minimum`` (the new
    units reach it), ``mu v_{k+1} < minimum`` (the next one does not, else it must be funded)
    and ``mu <= 1``: ``S`` in ``[ceil(m E_k / v_k), min(E_k, ceil(m E_k / v_{k+1}) - 1)]``.
    Segment 0 starts at 0. Needs below the minimum can never be funded. `Segment.groups` is
    k, `funded_units` counts the funded units, `funded_entitlement` is E_k.
    """
    base = sum(unit.need for unit in units if unit.funded)
    base_units = sum(1 for unit in units if unit.funded)
    new = sorted((unit.need for unit in units
                  if not unit.funded and unit.need >= minimum and unit.need > 0), reverse=True)
    if minimum == 0:
        total = base + sum(new)
        return (Segment(len(set(new)), base_units + len(new), total, 0, total),)
    values = sorted(set(new), reverse=True)
    counts = {value: new.count(value) for value in values}
    segments = []
    funded_total, funded_units = base, base_units
    for index in range(len(values) + 1):
        if index > 0:
            value = values[index - 1]
            funded_total += value * counts[value]
            funded_units += counts[value]
            lower = _ceil_div(minimum * funded_total, value)
        else:
            lower = 0
        if index < len(values):
            upper = min(funded_total, _ceil_div(minimum * funded_total, values[index]) - 1)
        else:
            upper = funded_total
        if lower <= upper:
            segments.append(Segment(index, funded_units, funded_total, lower, upper))
    return tuple(segments)


def residual_total(segments: Sequence[Segment], available: int) -> tuple[int, Segment | None]:
    """The largest total a pool can give within `available`, and its segment.

    Segments are ordered and disjoint, each above the previous one (the upper bound of one is
    below ``m E_k / v_{k+1}``, the lower bound of the next at least that). Any feasible total
    up to `available` lies in a segment starting at or below it, hence at or below the
    highest such segment's ``min(upper, available)``, which is itself feasible: the optimum.
    """
    best: Segment | None = None
    for segment in segments:
        if segment.lower <= available:
            best = segment
    if best is None or best.funded_entitlement == 0:
        return 0, None
    return min(best.upper, available), best


def split_pool(
    units: Sequence[PoolUnit], available: int, minimum: int
) -> tuple[dict[str, int], Fraction]:
    """Give a pool to its units: the largest feasible total, split at one share of the needs.

    Returns:
        The residual award of each unit that gets more than 0, and mu (total / E).
    """
    total, segment = residual_total(residual_segments(units, minimum), available)
    if segment is None or total == 0:
        return {}, Fraction(0)
    new = sorted({unit.need for unit in units
                  if not unit.funded and unit.need >= minimum and unit.need > 0}, reverse=True)
    threshold = new[segment.groups - 1] if segment.groups else None
    funded = [unit for unit in units
              if unit.funded or (threshold is not None and unit.need >= threshold
                                 and unit.need >= minimum)]
    numerators = [(unit.unit_id, total * unit.need) for unit in funded]
    split = largest_remainder_over(total, numerators, segment.funded_entitlement)
    return ({unit_id: cents for unit_id, cents in split.items() if cents > 0},
            Fraction(total, segment.funded_entitlement))


def residual_pools(
    assessments: Sequence[Assessment], rules: RuleSet, allocation: Allocation
) -> dict[str, tuple[tuple[str, ...], int, int, list[PoolUnit]]]:
    """Each pool's areas, money left by the riparto, need of its units, and units to give to.

    One pool per area, or one for the fund with scope ``fondo``. Its units are the eligible
    units that applied and still lack something, in (area, unit id) order: never row order.
    They are listed only for a pool with money to give (a residual phase and money left);
    every pool reports what they lack.
    """
    spent: dict[str, int] = {}
    for result in allocation.services.values():
        spent[result.area] = spent.get(result.area, 0) + result.awarded
    left = {area.code: allocation.area_budgets.get(area.code, 0) - spent.get(area.code, 0)
            for area in rules.areas}
    if rules.residual_scope is ResidualScope.FONDO:
        groups = {FONDO: tuple(area.code for area in rules.areas)}
    else:
        groups = {code: (code,) for code in left}
    available = {code: sum(left[area] for area in areas) for code, areas in groups.items()}
    gives = {area for code, areas in groups.items() for area in areas
             if rules.residual_scope is not ResidualScope.NONE and available[code] > 0}
    needs = dict.fromkeys(left, 0)
    units: dict[str, list[PoolUnit]] = {area.code: [] for area in rules.areas}
    for item in assessments:
        award = allocation.awards.get(item.unit.unit_id, 0)
        need = residual_need(item, award)
        if item.unit.applied and need > 0 and item.area in units:
            needs[item.area] += need
            if item.area in gives:
                units[item.area].append(PoolUnit(item.unit.unit_id, need, award > 0))
    for members in units.values():
        members.sort(key=lambda unit: unit.unit_id)
    return {code: (areas, available[code], sum(needs[area] for area in areas),
                   [unit for area in areas for unit in units[area]])
            for code, areas in groups.items()}


def residual_phase(
    assessments: Sequence[Assessment], rules: RuleSet, allocation: Allocation
) -> Allocation:
    """The allocation with its residual phase: the riparto's awards unchanged, plus the pools.

    With scope ``none`` nothing is given, but the pools still say what was left and what
    the units that applied still lack, so that no money stays unassigned silently.
    """
    awards: dict[str, int] = {}
    pools = []
    pooled = residual_pools(assessments, rules, allocation)
    for code, (areas, available, need, units) in pooled.items():
        given: Mapping[str, int] = {}
        share = Fraction(0)
        if units:  # listed only for a pool with money to give
            given, share = split_pool(units, available, rules.minimum_award)
        awards.update(given)
        pools.append(ResidualPool(
            code=code, areas=areas, available=available,
            need=need, distributed=sum(given.values()),
            share=share, recipients=len(given)))
    return replace(allocation, residual_scope=rules.residual_scope, residual_awards=awards,
                   residual_pools=tuple(pools))
