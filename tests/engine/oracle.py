"""An independent oracle: the riparto of a small instance, recomputed by the plainest code.

The properties (`tests/engine/test_properties.py`) compare the product's results with these.
So that a bug in the product cannot also be in its check, the oracle reads only the rule
set's values (`RuleSet`) and the units' records (`UnitRecord`) and imports nothing of
`fsr_opt.engine` nor the money helpers of `fsr_opt.core.money`; it is written from the
criteria, favouring the obvious over the fast (fractions everywhere, every combination of
funded sets enumerated), and phrased differently from the product where it can be (a year
compared instead of a date, a share of the year in days counted between two dates).
"""

from __future__ import annotations

import itertools
import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from fractions import Fraction

from fsr_opt.core.schema import Ownership, RuleSet, UnitRecord

# ---------------------------------------------------------------------------------------------
# Who may be funded, and how much at most
# ---------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Judged:
    """A unit judged by the oracle: its failed criteria (contract codes, in contract order)."""

    unit_id: str
    area: str
    service: str
    reasons: tuple[str, ...]
    proration: Fraction
    entitlement: int

    @property
    def eligible(self) -> bool:
        return not self.reasons


def _place(name: str) -> str:
    """Municipality names as the instances write them: case and spaces do not matter."""
    return " ".join(name.split()).casefold()


def reasons(unit: UnitRecord, rules: RuleSet) -> tuple[str, ...]:
    """Every access criterion the unit fails, as the contract names them (section 1.4)."""
    switch = rules.eligibility
    kind = rules.unit_types[unit.unit_type]
    offer = not kind.municipal_service  # a unit of offer, not a municipality's service
    failed = []
    if switch.require_registry and offer and not unit.in_registry:
        failed.append("NOT_IN_REGISTRY")
    if switch.require_authorization and offer and not unit.authorized:
        failed.append("NOT_AUTHORIZED")
    if switch.require_in_ambito and _place(unit.municipality) not in {
            _place(m) for m in rules.municipalities}:
        failed.append("OUTSIDE_AMBITO")
    if switch.exclude_started_in_year and unit.start_date.year >= rules.year:
        failed.append("STARTED_IN_YEAR")
    if switch.exclude_ceased_before_year and unit.end_date and unit.end_date.year < rules.year:
        failed.append("CEASED_BEFORE_YEAR")
    exempt = kind.experimental_allowed and unit.keeps_requirements is True
    # a type that is an experimentation itself (the SFA minori, l.78) is experimental whatever
    # the row says
    experimental = unit.experimental or kind.experimental_by_nature
    if switch.exclude_experimental and experimental and not exempt:
        failed.append("EXPERIMENTAL")
    if (switch.require_data_declaration and kind.requires_data_declaration
            and unit.data_declared is not True):
        failed.append("MISSING_DATA_DECLARATION")
    if switch.require_deficit and unit.costs <= unit.revenues:
        failed.append("NO_DEFICIT")
    if switch.require_application and not unit.applied:
        failed.append("NOT_APPLIED")
    return tuple(failed)


def proration(unit: UnitRecord, year: int) -> Fraction:
    """Days active in the year (1 January to the end date, both counted) over its days."""
    if unit.end_date is None or unit.end_date.year != year:
        return Fraction(1)
    first = date(year, 1, 1)
    days_of_year = (date(year + 1, 1, 1) - first).days
    return Fraction((unit.end_date - first).days + 1, days_of_year)


def judge(unit: UnitRecord, rules: RuleSet) -> Judged:
    """Eligibility and entitlement: the deficit, capped by the formula for private units,
    prorated and floored to the cent; 0 when excluded or in surplus."""
    kind = rules.unit_types[unit.unit_type]
    failed = reasons(unit, rules)
    cap = max(unit.costs - unit.revenues, 0)
    if unit.ownership == Ownership.PRIVATE and kind.formula_class is not None:
        formula = rules.formula_classes[kind.formula_class]
        cap = min(cap, formula.base + formula.rate_per_user * unit.users)
    share = proration(unit, rules.year)
    entitlement = 0 if failed else math.floor(cap * share)
    return Judged(unit.unit_id, kind.area, kind.service, failed, share, entitlement)


# ---------------------------------------------------------------------------------------------
# Budgets and targets
# ---------------------------------------------------------------------------------------------


def _half_up(value: Fraction) -> int:
    return math.floor(value + Fraction(1, 2))


def budgets(rules: RuleSet) -> dict[str, int]:
    """The area budgets: set-asides rounded half up, the rest split by share to the cent.

    The split gives each area the floor of its quota, then one cent each to the largest
    remainders; equal remainders go to the larger quota, then to the smaller area code.
    """
    fund = Fraction(rules.fund)
    rest = rules.fund - _half_up(fund * rules.reserve_percent / 100) - _half_up(
        fund * rules.other_services_percent / 100)
    quotas = {area.code: rest * area.share_percent / 100 for area in rules.areas}
    return split(rest, quotas)


def split(total: int, quotas: Mapping[str, Fraction]) -> dict[str, int]:
    """Whole cents adding to `total`, each the floor or the ceiling of its quota.

    The spare cents go to the largest remainders; equal remainders to the larger quota, then
    to the smaller key.
    """
    parts = {key: math.floor(quota) for key, quota in quotas.items()}
    spare = total - sum(parts.values())
    assert 0 <= spare <= sum(1 for q in quotas.values() if q != math.floor(q))
    order = sorted(quotas, key=lambda key: (-(quotas[key] - parts[key]), -quotas[key], key))
    for key in order[:spare]:
        parts[key] += 1
    return parts


def targets(rules: RuleSet, area_budgets: Mapping[str, int]) -> dict[str, Fraction]:
    """T_s: the area budget in proportion to the 2024 amounts; equal parts without history."""
    found = {}
    for area in rules.areas:
        history = [service.historical for service in area.services]
        for service in area.services:
            weight = (Fraction(service.historical, sum(history)) if sum(history)
                      else Fraction(1, len(history)))
            found[service.code] = area_budgets[area.code] * weight
    return found


# ---------------------------------------------------------------------------------------------
# Funded sets (the product's segments) and the optimum
# ---------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class FundedSet:
    """Units a service line funds (those with entitlement >= `smallest`) and its totals."""

    smallest: int
    funded: tuple[tuple[str, int], ...]
    lower: int
    upper: int

    @property
    def entitlement(self) -> int:
        return sum(e for _, e in self.funded)


def fundable(judged: Sequence[Judged], service: str, minimum: int) -> list[tuple[str, int]]:
    """(unit id, entitlement) of the eligible units of a line that can ever get an award."""
    return [(j.unit_id, j.entitlement) for j in judged
            if j.service == service and j.eligible and j.entitlement >= max(minimum, 1)]


def funds_exactly(total: int, units: Sequence[tuple[str, int]], smallest: int,
                  minimum: int) -> bool:
    """Whether `total` may be shared by the units with entitlement >= `smallest`, alone.

    One share for all (at most 1); every funded unit's part reaches the minimum; no unit
    left out would reach it at that share (it would have to be funded too).
    """
    entitlement = sum(e for _, e in units if e >= smallest)
    share = Fraction(total, entitlement)
    return (share <= 1
            and all(share * e >= minimum for _, e in units if e >= smallest)
            and all(share * e < minimum for _, e in units if e < smallest))


def funded_sets(units: Sequence[tuple[str, int]], minimum: int) -> list[FundedSet]:
    """Each set of units with the largest entitlements that some total funds, and those totals.

    The totals solve the inequalities of `funds_exactly`: at least minimum * E / smallest,
    at most E and, if a unit is left out, below minimum * E / its entitlement.
    """
    found = []
    for smallest in sorted({e for _, e in units}, reverse=True):
        funded = tuple(sorted(((u, e) for u, e in units if e >= smallest),
                              key=lambda item: (-item[1], item[0])))
        entitlement = sum(e for _, e in funded)
        left_out = [e for _, e in units if e < smallest]
        lower = math.ceil(Fraction(minimum * entitlement, smallest))
        upper = entitlement
        if left_out:
            upper = min(upper, math.ceil(Fraction(minimum * entitlement, max(left_out))) - 1)
        if lower <= upper:
            found.append(FundedSet(smallest, funded, lower, upper))
    return found


def area_optimum(
    lines: Sequence[tuple[Fraction, Sequence[FundedSet]]], budget: int
) -> tuple[int, Fraction]:
    """(most money awarded, least deviation from the targets at that amount) in one area.

    Every combination of funded sets (or none) per line is tried. With the sets fixed, a
    line's total S_s can be anything in [lower, upper]: the best spend is min(budget, sum of
    uppers) when the lowers fit, and the least sum |S_s - T_s| at spend X starts from
    c_s = T_s clamped into the bounds and pays one cent for each cent X needs beyond sum c_s.
    """
    best: tuple[int, Fraction] | None = None
    for combo in itertools.product(*[[None, *sets] for _, sets in lines]):
        lows = sum(s.lower for s in combo if s is not None)
        if lows > budget:
            continue
        spend = min(budget, sum(s.upper for s in combo if s is not None))
        nearest = []
        deviation = Fraction(0)
        for (target, _), chosen in zip(lines, combo, strict=True):
            low, high = (chosen.lower, chosen.upper) if chosen else (0, 0)
            clamped = min(max(target, Fraction(low)), Fraction(high))
            nearest.append(clamped)
            deviation += abs(clamped - target)
        deviation += abs(spend - sum(nearest))
        if best is None or spend > best[0] or (spend == best[0] and deviation < best[1]):
            best = (spend, deviation)
    assert best is not None
    return best


def awards_of_line(total: int, units: Sequence[tuple[str, int]],
                   minimum: int) -> dict[str, int]:
    """The awards of a line given its total: one share for its funded set, to the cent.

    Each funded unit gets the floor or ceiling of share * entitlement; the spare cents go
    to the largest remainders, then the larger entitlement, then the smaller unit id.
    """
    if total == 0:
        return {}
    (chosen,) = [s for s in funded_sets(units, minimum) if s.lower <= total <= s.upper]
    quotas = {u: Fraction(total * e, chosen.entitlement) for u, e in chosen.funded}
    return split(total, quotas)


# ---------------------------------------------------------------------------------------------
# Payments
# ---------------------------------------------------------------------------------------------


def payments(award: int, rules: RuleSet) -> tuple[int, int]:
    """70% (the rule set's percent) rounded half up, then the rest; small awards at once."""
    if award <= rules.single_payment_threshold:
        return award, 0
    first = _half_up(award * rules.first_tranche_percent / 100)
    return first, award - first


# ---------------------------------------------------------------------------------------------
# The residual phase (criteria, "quote residui")
# ---------------------------------------------------------------------------------------------


def lacking(unit: UnitRecord, judged: Judged, award: int) -> int:
    """What an eligible unit still lacks after its award: its deficit for the days it was
    active (whole cents, rounded down) less the award."""
    if not judged.eligible or unit.costs <= unit.revenues:
        return 0
    return max(math.floor((unit.costs - unit.revenues) * judged.proration) - award, 0)


def residual_pool(
    members: Sequence[tuple[str, int, bool]], available: int, minimum: int
) -> tuple[int, dict[str, int]]:
    """Give a pool to its members (id, need, funded by the riparto): total and awards.

    A share mu in [0, 1] of each need; a member the riparto funded takes any amount, another
    is in exactly when mu * need reaches the minimum. Whichever members are in, the others
    in are those with the larger needs (mu * need grows with need), so every candidate is
    "the funded ones and every other with need at least t": t is each need, or nobody. For
    each, the totals T = mu * E that keep exactly those in are tried from the largest down;
    the largest within `available` over all candidates wins, split by largest remainder.
    """
    others = sorted({need for _, need, funded in members if not funded}, reverse=True)
    best_total, best_in = 0, []
    for threshold in [None, *others]:
        chosen = [(u, n) for u, n, funded in members
                  if funded or (threshold is not None and n >= threshold)]
        entitlement = sum(n for _, n in chosen)
        if entitlement == 0:
            continue
        out = [n for _, n, funded in members
               if not funded and (threshold is None or n < threshold)]
        new = [n for u, n, funded in members if not funded and threshold is not None
               and n >= threshold]
        top = min(available, entitlement)  # mu <= 1
        if out:  # T * max(out) < minimum * E
            top = min(top, math.ceil(Fraction(minimum * entitlement, max(out))) - 1)
        bottom = math.ceil(Fraction(minimum * entitlement, min(new))) if new else 0
        if bottom <= top and top > best_total:
            best_total, best_in = top, chosen
    if best_total == 0:
        return 0, {}
    entitlement = sum(n for _, n in best_in)
    awards = split(best_total, {u: Fraction(best_total * n, entitlement) for u, n in best_in})
    return best_total, {u: a for u, a in awards.items() if a > 0}


def residual_awards(
    units: Sequence[UnitRecord], rules: RuleSet, awards: Mapping[str, int],
    area_budgets: Mapping[str, int],
) -> dict[str, int]:
    """The residual phase of an instance: each area's leftover to its units that applied
    (scope area), or all leftovers to all of them (scope fondo); nothing with scope none."""
    if rules.residual_scope == "none":
        return {}
    judged = {u.unit_id: judge(u, rules) for u in units}
    left = dict(area_budgets)
    members: dict[str, list[tuple[str, int, bool]]] = {area: [] for area in area_budgets}
    for unit in units:
        item = judged[unit.unit_id]
        award = awards.get(unit.unit_id, 0)
        left[item.area] -= award
        need = lacking(unit, item, award)
        if unit.applied and need > 0:
            members[item.area].append((unit.unit_id, need, award > 0))
    if rules.residual_scope == "fondo":
        pools = [(sum(left.values()), [m for area in members for m in members[area]])]
    else:
        pools = [(left[area], members[area]) for area in members]
    given: dict[str, int] = {}
    for available, pool in pools:
        if available > 0:
            given.update(residual_pool(pool, available, rules.minimum_award)[1])
    return given
