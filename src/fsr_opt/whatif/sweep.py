"""Sweeps: one riparto per value of a parameter, solved in parallel, as rows and a screen.

`parse_range` reads ``FROM:TO:STEP``; `point_overrides` turns a value into the rule-set
overrides of its point (a share sweep rescales the other areas, `share_overrides`);
`run_sweep` solves the points with the caller's point solver, in worker processes
(`fsr_opt.whatif.pool`), and keeps the finished points when interrupted; `sweep_rows` and
`sweep_text` render the outcome for sweep.csv and the screen.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from fractions import Fraction

from fsr_opt.core.cldr import SYMBOLS
from fsr_opt.core.errors import (
    ErrorCode,
    FsrOptError,
    InfeasibleError,
    InputError,
    SolverError,
)
from fsr_opt.core.i18n import N_, _, current_language, ngettext, translate
from fsr_opt.core.money import format_cents, largest_remainder
from fsr_opt.core.schema import RuleSet, SolveResult
from fsr_opt.core.words import count as count_text
from fsr_opt.core.words import money, phrases, ratio, text
from fsr_opt.io.cells import CellProblem, Dialect, parse_decimal
from fsr_opt.whatif.pool import run_in_pool

MAX_SWEEP_POINTS = 500


@dataclass(frozen=True)
class SweepAxis:
    """The parameter a sweep moves and the values it takes, smallest first.

    Attributes:
        option: ``--budget`` (the fund, euros) or ``--share`` (one area's percent).
        area: the area of a share sweep; None for the budget.
    """

    option: str
    area: str | None
    values: tuple[Decimal, ...]

    @property
    def column(self) -> str:
        """The name of the swept value's column in sweep.csv."""
        return "budget" if self.area is None else f"share_{self.area}"


def parse_range(text: str, option: str, *, places: int, upper: Decimal | None = None
                ) -> tuple[Decimal, ...]:
    """Read ``FROM:TO:STEP`` into the values FROM, FROM+STEP, ... up to TO (included).

    Args:
        text: the range as typed.
        option: the option's name, for messages.
        places: most decimals a value may have (2 for euros).
        upper: largest value allowed (100 for a percent).

    Raises:
        InputError: not three numbers, a negative or too precise value, FROM above TO,
            STEP not positive, or more than `MAX_SWEEP_POINTS` points.
    """
    shape = _("{option} FROM:TO:STEP, e.g. {option} 800000:900000:25000").format(option=option)
    parts = text.split(":")
    if len(parts) != 3:
        raise InputError(_("{option} '{text}' is not a range; write {shape}").format(
            option=option, text=text, shape=shape), ErrorCode.BAD_OPTION)
    read = [parse_decimal(part.strip(), Dialect.AUTO) for part in parts]
    names = (_("FROM"), _("TO"), _("STEP"))  # as the message's words name them
    unreadable = [(name, value) for name, value in zip(names, read, strict=True)
                  if isinstance(value, CellProblem)]
    if unreadable:
        reasons = "; ".join(f"{name}: {value.message}" for name, value in unreadable)
        raise InputError(_("{option} '{text}': FROM, TO and STEP must be numbers ({reasons}); "
                           "write {shape}").format(option=option, text=text, reasons=reasons,
                                                   shape=shape), ErrorCode.BAD_OPTION)
    start, stop, step = (value for value in read if isinstance(value, Decimal))
    problems = []
    for name, value in zip(names, (start, stop, step), strict=True):
        if not value.is_finite():
            problems.append(_("{name} {value} is not a number").format(name=name, value=value))
        elif value.as_tuple().exponent < -places:  # type: ignore[operator]
            problems.append(_("{name} {value} has more than {places} decimals").format(
                name=name, value=_said(value), places=places))
    if not problems:
        if start < 0:
            problems.append(_("FROM {start} is negative").format(start=_said(start)))
        if upper is not None and stop > upper:
            problems.append(_("TO {stop} is above {upper}").format(stop=_said(stop),
                                                                  upper=_said(upper)))
        if step <= 0:
            problems.append(_("STEP {step} must be greater than 0").format(step=_said(step)))
        elif stop < start:
            problems.append(_("FROM {start} is above TO {stop}").format(start=_said(start),
                                                                       stop=_said(stop)))
    if problems:
        raise InputError(f"{option} '{text}': " + "; ".join(problems), ErrorCode.BAD_OPTION)
    count = math.floor((stop - start) / step) + 1
    if count > MAX_SWEEP_POINTS:
        raise InputError(_("{option} '{text}' gives {count} points; at most {maximum}: use a "
                           "larger STEP").format(option=option, text=text,
                                                 count=count_text(count),
                                                 maximum=MAX_SWEEP_POINTS), ErrorCode.BAD_OPTION)
    return tuple(start + i * step for i in range(count))


def _said(value: Decimal) -> str:
    """A bound of a range in a message, with the decimal mark of its language (``1,5555``)."""
    return format(value, "f").replace(".", SYMBOLS[current_language()][2])


def share_overrides(
    area: str, value: Decimal, shares: Mapping[str, Fraction]
) -> list[tuple[str, str]]:
    """Overrides setting one area's share; the other areas share the rest as before.

    The other areas keep their proportions, each rounded to 6 decimals of a percent by largest
    remainder, so that the shares still total exactly 100 as the rules require.

    Raises:
        InputError: the area is unknown, or the others cannot take the rest (all at 0%).
    """
    if area not in shares:
        raise InputError(_("--share: unknown area '{area}'; areas: {areas}").format(
            area=area, areas=", ".join(shares)),
                         ErrorCode.BAD_OPTION)
    scale = 10**6
    others = {code: share for code, share in shares.items() if code != area}
    rest = (100 - Fraction(value)) * scale
    weight = sum(others.values(), Fraction(0))
    if rest and not weight:
        raise InputError(_("--share {area}={value}: the other areas have no share to take the "
                           "remaining {rest}%").format(area=area, value=value, rest=100 - value),
                         ErrorCode.BAD_OPTION)
    quotas = [(code, rest * share / weight if weight else Fraction(0))
              for code, share in others.items()]
    parts = largest_remainder(int(rest), quotas)
    pairs = [(f"areas.{area}.share", format(value, "f"))]
    pairs += [(f"areas.{code}.share", format(Decimal(parts[code]) / scale, "f"))
              for code in others]
    return pairs


def point_overrides(
    axis: SweepAxis, value: Decimal, shares: Mapping[str, Fraction]
) -> list[tuple[str, str]]:
    """The rule-set overrides of one sweep point (applied after the fixed ones)."""
    if axis.area is None:
        return [("fund", format(value, "f"))]
    return share_overrides(axis.area, value, shares)


@dataclass(frozen=True)
class SweepRow:
    """The outcome of one sweep point.

    Attributes:
        status: ``optimal``, or why the point has no riparto (``infeasible``,
            ``solver_failure``, ``input_error``), with the `message`.
        awarded: cents per service line; spent: cents per area, by the riparto (empty if not
            optimal).
        residual: cents given by the residual phase; unassigned: cents nobody receives.
    """

    value: Decimal
    status: str
    awarded: Mapping[str, int] = field(default_factory=dict)
    spent: Mapping[str, int] = field(default_factory=dict)
    units_funded: int = 0
    message: str = ""
    residual: int = 0
    unassigned: int = 0


def sweep_row(value: Decimal, result: SolveResult, rules: RuleSet) -> SweepRow:
    """Summarise a solved point: per line awarded, per area spent, units funded."""
    allocation = result.allocation
    if allocation is None or not result.is_ok:
        return SweepRow(value, result.status.value, message="; ".join(result.messages))
    awarded = {s.code: allocation.services[s.code].awarded for a in rules.areas
               for s in a.services}
    spent = {a.code: sum(awarded[s.code] for s in a.services) for a in rules.areas}
    paid = set(allocation.awards) | set(allocation.residual_awards)
    funded = sum(1 for unit_id in paid if allocation.paid(unit_id) > 0)
    return SweepRow(value, "optimal", awarded, spent, funded, "; ".join(result.messages),
                    allocation.residual_total, allocation.unassigned)


def failed_row(value: Decimal, error: FsrOptError) -> SweepRow:
    """A point whose rules cannot hold or whose solver failed: kept, with the reason."""
    if isinstance(error, InfeasibleError):
        status = "infeasible"
    elif isinstance(error, SolverError):
        status = "solver_failure"
    else:
        status = "input_error"
    return SweepRow(value, status, message=" | ".join(str(p) for p in error.problems))


@dataclass(frozen=True)
class SweepOutcome:
    """The finished points of a sweep (by value), and whether it was cut short."""

    rows: tuple[SweepRow, ...]
    total: int
    interrupted: bool


def run_sweep(
    values: Sequence[Decimal],
    solve_point: Callable[[Decimal], SweepRow],
    *,
    workers: int,
    progress: Callable[[SweepRow], None] | None = None,
) -> SweepOutcome:
    """Solve every point, in parallel when `workers` > 1, and keep all finished points.

    A KeyboardInterrupt (Ctrl-C in the parent, or raised by a point) stops the sweep: the
    points not started are cancelled, the running ones finish, and the outcome holds every
    finished point with ``interrupted`` set, so that the caller can still write them.

    Args:
        values: the swept values.
        solve_point: picklable when `workers` > 1 (a module-level function or a partial of
            one); returns the point's row, turning expected failures into a status.
        workers: processes to use; 1 solves in this process, in value order.
        progress: called in this process with each finished row (for a progress bar).
    """
    done: list[SweepRow] = []

    def finished(row: SweepRow) -> None:
        done.append(row)
        if progress is not None:
            progress(row)

    interrupted = False
    if workers <= 1 or len(values) <= 1:
        try:
            for value in values:
                finished(solve_point(value))
        except KeyboardInterrupt:
            interrupted = True
    else:
        interrupted = run_in_pool(values, solve_point, min(workers, len(values)), finished)
    rows = tuple(sorted(done, key=lambda row: row.value))
    # Stopped after the last point finished: nothing is missing, so nothing was interrupted.
    return SweepOutcome(rows, len(values), interrupted and len(rows) < len(values))


def sweep_columns(axis: SweepAxis, rules: RuleSet) -> tuple[str, ...]:
    """sweep.csv's heading: the value, each line's award, each area's spend, units, status.

    After the spends, the residual phase and what stays unassigned: never silent.
    """
    return (
        axis.column,
        *(f"awarded_{s.code}" for a in rules.areas for s in a.services),
        *(f"spent_{a.code}" for a in rules.areas),
        "residual", "unassigned", "units_funded", "status", "message",
    )


def sweep_rows(outcome: SweepOutcome, rules: RuleSet) -> list[list[str]]:
    """One row per finished point, by value; amounts empty for a point without a riparto."""
    services = [s.code for a in rules.areas for s in a.services]
    areas = [a.code for a in rules.areas]
    rows = []
    for row in outcome.rows:
        ok = row.status == "optimal"
        rows.append([
            format(row.value, "f"),
            *(format_cents(row.awarded.get(s, 0)) if ok else "" for s in services),
            *(format_cents(row.spent.get(a, 0)) if ok else "" for a in areas),
            format_cents(row.residual) if ok else "",
            format_cents(row.unassigned) if ok else "",
            str(row.units_funded) if ok else "",
            row.status,
            row.message,
        ])
    return rows



_STATUS = {"optimal": N_("solved"), "infeasible": N_("infeasible"),
           "solver_failure": N_("solver failure"), "input_error": N_("input error"),
           "rule_set_error": N_("rule-set error")}
"""How each status of a point reads on the screen (sweep.csv keeps the codes)."""


def _legend(rules: RuleSet, lang: str) -> list[str]:
    """The areas' names for the columns headed by their codes (the codes ``--share`` takes)."""
    named = [f"{area.code} = {area.label}" for area in rules.areas
             if area.label and area.label != area.code]
    return [translate("areas: {legend}", lang).format(legend="; ".join(named))] if named else []


def sweep_text(outcome: SweepOutcome, axis: SweepAxis, rules: RuleSet, *, lang: str = "it",
               limit: int = 20) -> str:
    """One screen: per point the swept value, each area's spend and the units funded."""
    w = phrases("sweep", lang)
    option = axis.option if axis.area is None else f"{axis.option} {axis.area}"
    areas = [area.code for area in rules.areas]
    lines = [
        ngettext("Sweep of {option}: {done} point of {total}",
                 "Sweep of {option}: {done} points of {total}", len(outcome.rows), lang).format(
                     option=option, done=count_text(len(outcome.rows), lang),
                     total=count_text(outcome.total, lang)),
        *_legend(rules, lang),
        "",
        f"{axis.column:>14}" + "".join(f"{code[:13]:>14}" for code in areas)
        + f"{text('residual.column', lang):>14}{w('funded'):>12}  {w('status')}",
    ]
    shown = outcome.rows if len(outcome.rows) <= limit else outcome.rows[:limit]
    for row in shown:
        value = money(int(row.value * 100), lang) if axis.area is None else (
            ratio(Fraction(row.value), 4, lang))
        ok = row.status == "optimal"
        spent = "".join(f"{money(row.spent.get(code, 0), lang) if ok else '-':>14}"
                        for code in areas)
        funded = count_text(row.units_funded, lang) if ok else "-"
        left = money(row.unassigned, lang) if ok else "-"
        status = translate(_STATUS[row.status], lang) if row.status in _STATUS else row.status
        lines.append(f"{value:>14}{spent}{left:>14}{funded:>12}  {status}")
    if len(outcome.rows) > limit:
        more = len(outcome.rows) - limit
        lines.append(ngettext("... and {n} more point (full table in sweep.csv)",
                              "... and {n} more points (full table in sweep.csv)", more,
                              lang).format(n=count_text(more, lang)))
    if outcome.interrupted:
        lines += ["", ngettext("INTERRUPTED: kept the {done} finished point of {total}",
                               "INTERRUPTED: kept the {done} finished points of {total}",
                               len(outcome.rows), lang).format(
                                   done=count_text(len(outcome.rows), lang),
                                   total=count_text(outcome.total, lang))]
    return "\n".join(lines)
