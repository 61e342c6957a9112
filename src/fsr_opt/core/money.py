"""Money as integer cents, and the two roundings the riparto needs.

Everything outside the LP is an `int` of cents, so that sums are exact and an auditor can
re-add any column to the cent. The only fractional money lives inside the solver; it crosses
back through `largest_remainder`, which keeps totals exact.
"""

from __future__ import annotations

from collections.abc import Callable, Hashable, Sequence
from decimal import Decimal
from fractions import Fraction
from typing import TypeVar

K = TypeVar("K", bound=Hashable)

CENTS_PER_EURO = 100


def euros_to_cents(euros: Decimal | int | str) -> int:
    """Convert an exact euro amount to cents; refuse fractions of a cent."""
    value = Decimal(euros) * CENTS_PER_EURO
    if value != value.to_integral_value():
        raise ValueError(f"{euros} has more than two decimals")
    return int(value)


def format_cents(cents: int) -> str:
    """Render cents as euros with two decimals and '.' as decimal mark (e.g. ``-12.05``)."""
    if cents >= 0:  # the common case, without the sign's work: called for every cell
        return f"{cents // 100}.{cents % 100:02d}"
    sign = "-" if cents < 0 else ""
    whole, frac = divmod(abs(cents), CENTS_PER_EURO)
    return f"{sign}{whole}.{frac:02d}"


class CentsTexts(dict[int, str]):
    """Amounts already written, by cents: each distinct amount of a table is written once.

    The tables of a large Ambito show a few tens of thousands of distinct amounts, most of
    them many times over (every unit that gets nothing, the awards at a common cap):
    looking an amount up costs a fraction of writing it again. Made for one table or one
    run, not kept: it holds every amount it was asked for.
    """

    def __init__(self, write: Callable[[int], str] = format_cents) -> None:
        super().__init__()
        self.write = write

    def __missing__(self, cents: int) -> str:
        text = self[cents] = self.write(cents)
        return text


def format_cents_it(cents: int) -> str:
    """Render cents the Italian way (``1.234,56``) for reports meant for people."""
    sign = "-" if cents < 0 else ""
    whole, frac = divmod(abs(cents), CENTS_PER_EURO)
    return f"{sign}{whole:,}".replace(",", ".") + f",{frac:02d}"


def round_half_up(value: Fraction | int) -> int:
    """Round a rational to the nearest integer, halves away from zero (the payments rule)."""
    # floor(|n|/d + 1/2) in integers: called for every unit of a run, so no Fraction is built.
    numerator, denominator = value.numerator, value.denominator
    rounded = (2 * abs(numerator) + denominator) // (2 * denominator)
    return rounded if numerator >= 0 else -rounded


def largest_remainder(
    total: int,
    weights: Sequence[tuple[K, Fraction]],
    tie_key: Sequence[str] | None = None,
) -> dict[K, int]:
    """Split `total` cents in proportion to `weights`, each part the floor or ceil of its quota.

    Used for the area budgets (quota = fund * share) and for the awards inside a service line
    (quota = lambda * entitlement). Each part differs from its exact quota by less than one cent
    and the parts add up to `total` exactly. Ties among equal remainders go to the larger quota,
    then to the smaller `tie_key` (a stable identifier such as the unit id), never to row order.

    Args:
        total: cents to split; must lie between the sum of floors and the sum of ceilings.
        weights: (key, exact quota in cents) pairs; the quotas should add up to `total`.
        tie_key: optional stable identifiers, aligned with `weights`; defaults to ``str(key)``.

    Returns:
        Cents per key.
    """
    keys = [k for k, _ in weights]
    ties = list(tie_key) if tie_key is not None else [str(k) for k in keys]
    floors = {k: q.numerator // q.denominator for k, q in weights}
    left = total - sum(floors.values())
    if left < 0 or left > sum(1 for _, q in weights if q.denominator != 1):
        raise ValueError(f"cannot split {total} cents among quotas adding to "
                         f"{float(sum(q for _, q in weights))}")
    order = sorted(
        range(len(weights)),
        key=lambda i: (-(weights[i][1] - floors[keys[i]]), -weights[i][1], ties[i]),
    )
    result = dict(floors)
    for i in order[:left]:
        result[keys[i]] += 1
    return result


def largest_remainder_over(
    total: int, numerators: Sequence[tuple[K, int]], denominator: int
) -> dict[K, int]:
    """`largest_remainder` for quotas ``n / denominator`` sharing one denominator.

    The same split, ties and errors, in integers only: a service line of 30,000 units is
    split without building 30,000 fractions.
    """
    if denominator <= 0:
        raise ValueError("the common denominator must be positive")
    floors = {key: n // denominator for key, n in numerators}
    left = total - sum(floors.values())
    if left < 0 or left > sum(1 for _, n in numerators if n % denominator):
        raise ValueError(f"cannot split {total} cents among quotas adding to "
                         f"{sum(n for _, n in numerators) / denominator}")
    order = sorted(numerators, key=lambda item: (-(item[1] % denominator), -item[1], str(item[0])))
    result = dict(floors)
    for key, _ in order[:left]:
        result[key] += 1
    return result
