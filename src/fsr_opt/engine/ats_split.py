"""The ATS split: a fund among the Ambiti by weighted indicators, exact to the cent.

docs/ats.md, "The split", gives the formulation and ties it to the regional act:

1. the set-aside (registers and desks) is ``round_half_up(fund * percent / 100)``; the rest,
   the main part, is split by the weighted indicators;
2. each Ambito's share of the main part is ``sum_i w_i * x_ai / sum_b x_bi`` (the weights
   total 100%); with a floor, the Ambiti whose quota would fall below it are raised to it and
   the others scaled down in proportion, repeated until no quota is below the floor;
3. the set-aside is split in proportion to its own indicator (no floor);
4. each part is brought to cents by largest remainder: the quotas' floors, then one cent each
   to the largest remainders; ties go to the larger quota, then to the Ambito code that sorts
   first. The result never depends on row order.

No solver: the split is closed-form rational arithmetic.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from fractions import Fraction

from fsr_opt.core.ats import AmbitoIndicators, AtsRules, Split, SplitLine
from fsr_opt.core.errors import ErrorCode, InfeasibleError, InputError, Problem
from fsr_opt.core.i18n import _
from fsr_opt.core.money import largest_remainder, round_half_up
from fsr_opt.core.words import money


def set_aside_amount(rules: AtsRules, fund: int | None = None) -> int:
    """The set-aside in cents: the fund's percent, rounded half up to the cent."""
    fund = rules.fund if fund is None else fund
    return round_half_up(Fraction(fund) * rules.set_aside_percent / 100)


def indicator_shares(
    rules: AtsRules, indicators: Sequence[AmbitoIndicators]
) -> dict[str, Fraction]:
    """Each Ambito's exact share of the main part (the shares total 1).

    Raises:
        InputError: an indicator with a positive weight is 0 everywhere (`ATS_ZERO_INDICATOR`).
    """
    problems = []
    shares = {row.ambito: Fraction(0) for row in indicators}
    for indicator in rules.indicators:
        if not indicator.weight:
            continue
        total = sum((row.values[indicator.code] for row in indicators), Fraction(0))
        if not total:
            problems.append(Problem(
                _("the indicator '{indicator}' is 0 for every Ambito, so its {weight}% cannot "
                  "be split in proportion to it; fill in its figures or set its weight to "
                  "0").format(indicator=indicator.code, weight=indicator.weight),
                code=ErrorCode.ATS_ZERO_INDICATOR))
            continue
        for row in indicators:
            shares[row.ambito] += indicator.weight / 100 * row.values[indicator.code] / total
    if problems:
        raise InputError(problems)
    return shares


def floored_quotas(
    main: int, shares: Mapping[str, Fraction], floor: int
) -> tuple[dict[str, Fraction], frozenset[str]]:
    """Exact quotas of `main` in proportion to `shares`, none below `floor`; those raised.

    Those below the floor are raised to it and the rest of the money is split among the others
    in proportion to their shares; raising some lowers the others, so this repeats until no
    quota is below the floor (at most once per Ambito).

    Raises:
        InfeasibleError: the floors alone exceed `main` (`ATS_FLOORS_ABOVE_FUND`).
    """
    if floor * len(shares) > main:
        raise InfeasibleError([Problem(
            _("floor: {count} Ambiti at {floor} EUR each need {needed} EUR, more than the "
              "{main} EUR the indicators split; lower the floor").format(
                  count=len(shares), floor=money(floor),
                  needed=money(floor * len(shares)), main=money(main)),
            code=ErrorCode.ATS_FLOORS_ABOVE_FUND)])
    floored: set[str] = set()
    while True:
        free = main - floor * len(floored)
        weight = sum((s for a, s in shares.items() if a not in floored), Fraction(0))
        quotas = {a: Fraction(floor) if a in floored
                  else (free * s / weight if weight else Fraction(0))
                  for a, s in shares.items()}
        below = {a for a, q in quotas.items() if a not in floored and q < floor}
        if not below:
            if not weight and free:  # every Ambito floored: the rest goes equally
                quotas = {a: Fraction(main, len(shares)) for a in shares}
            return quotas, frozenset(floored)
        floored |= below


def split_fund(
    rules: AtsRules, indicators: Sequence[AmbitoIndicators], *, fund: int | None = None
) -> Split:
    """Split the fund of `rules` (or `fund`, in cents) among the Ambiti; exact cents.

    Args:
        rules: the ATS rule set (weights, set-aside, floor, the Ambiti).
        indicators: one row per Ambito of the rule set (`fsr_opt.io.ats.load_indicators`).
        fund: the fund to split instead of the rule set's (a what-if), in cents.

    Raises:
        InputError: an indicator is 0 everywhere.
        InfeasibleError: the floors exceed the main part.
    """
    fund = rules.fund if fund is None else fund
    by_code = {row.ambito: row for row in indicators}
    ordered = [by_code[code] for code in rules.ambiti if code in by_code]
    set_aside = set_aside_amount(rules, fund)
    main = fund - set_aside
    quotas, floored = floored_quotas(main, indicator_shares(rules, ordered), rules.floor)
    codes = [row.ambito for row in ordered]
    main_cents = largest_remainder(main, [(a, quotas[a]) for a in codes])
    desks = {row.ambito: row.values[rules.set_aside_indicator] for row in ordered}
    desks_total = sum(desks.values(), Fraction(0))
    if set_aside and not desks_total:
        raise InputError([Problem(
            _("the indicator '{indicator}' of the set-aside is 0 for every Ambito, so the "
              "set-aside cannot be split; fill in its figures or set the set-aside to "
              "0").format(indicator=rules.set_aside_indicator),
            code=ErrorCode.ATS_ZERO_INDICATOR)])
    aside_quotas = {a: set_aside * desks[a] / desks_total if desks_total else Fraction(0)
                    for a in codes}
    aside_cents = largest_remainder(set_aside, [(a, aside_quotas[a]) for a in codes])
    lines = tuple(
        SplitLine(a, rules.ambiti[a], quotas[a], main_cents[a], aside_quotas[a],
                  aside_cents[a], floored=a in floored)
        for a in codes)
    return Split(fund=fund, set_aside=set_aside, main=main, lines=lines)

