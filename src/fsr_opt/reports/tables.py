"""The outputs of a run: the contract's CSV tables, run.json, and the terminal summary.

Everything here is a pure function of the assessments, the result and the rule set, so the
same input gives byte-identical tables; the only clock readings go to ``run.json``.
"""

from __future__ import annotations

import functools
from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from enum import Enum
from fractions import Fraction
from operator import attrgetter, sub
from typing import Any, NamedTuple

from fsr_opt import __version__
from fsr_opt.core.i18n import _
from fsr_opt.core.money import CentsTexts, format_cents, round_half_up
from fsr_opt.core.schema import (
    FONDO,
    Allocation,
    Assessment,
    ResidualPool,
    ResidualScope,
    RuleSet,
    SolveResult,
)
from fsr_opt.core.words import money, percent, phrases, ratio, text
from fsr_opt.engine.outcomes import UnitOutcome, unit_outcomes
from fsr_opt.io.outputs import csv_bytes, json_bytes
from fsr_opt.rules.budgets import distributable, set_aside_amounts

# The contract's columns, then the award's two parts (the riparto by the criteria, the residual
# phase) and the residual pool's share: ``award`` is always the total paid.
ALLOCATION_COLUMNS = (
    "unit_id", "name", "operator", "municipality", "unit_type", "ownership", "area", "service",
    "eligible", "exclusion_reasons", "deficit", "formula_amount", "proration", "entitlement",
    "share", "award", "binding", "tranche_1", "tranche_2", "criteria_award", "residual_award",
    "residual_share",
)
ALLOCATION_NUMERIC = (
    "deficit", "formula_amount", "proration", "entitlement", "share", "award", "tranche_1",
    "tranche_2", "criteria_award", "residual_award", "residual_share",
)
# ``awarded`` is the riparto's (what the targets and the deviation are about); ``residual``
# what the residual phase adds, ``total_awarded`` both; a pool's ``residual_share`` and
# ``unassigned`` sit on its row (an area's, or the fund's TOTAL with scope fondo).
SUMMARY_COLUMNS = (
    "area", "service", "budget", "target", "historical", "awarded", "deviation", "share",
    "units_funded", "units_excluded", "residual", "total_awarded", "residual_share",
    "unassigned",
)
SUMMARY_NUMERIC = SUMMARY_COLUMNS[2:]
PAYMENT_COLUMNS = ("operator", "units", "total_award", "tranche_1", "tranche_2")
PAYMENT_NUMERIC = PAYMENT_COLUMNS[1:]
TOTAL = "TOTAL"
NO_OPERATOR = "(not given)"


def format_ratio(value: Fraction, places: int = 6) -> str:
    """Render an exact ratio (share, proration) with fixed decimals, rounded half up."""
    return _format_ratio(value.numerator, value.denominator, places)


@functools.lru_cache(maxsize=4096)
def _format_ratio(numerator: int, denominator: int, places: int) -> str:
    """`format_ratio`, cached by the ratio's integers: a Fraction hashes slowly.

    A share is the same for every funded unit of a service line, a proration 1 for nearly
    every unit: allocation.csv asks for a handful of ratios hundreds of thousands of times.
    """
    scaled = round_half_up(Fraction(numerator * 10**places, denominator))
    whole, frac = divmod(scaled, 10**places)
    return f"{whole}.{frac:0{places}d}"


def summary_headings(rules: RuleSet) -> tuple[str, ...]:
    """summary.csv's headings: the reference-year amount is headed with its year.

    ``historical_2024`` for the 2025 rules: the year comes from the rule set, not the code.
    """
    return tuple(f"historical_{rules.history_year}" if name == "historical" else name
                 for name in SUMMARY_COLUMNS)


def format_fraction_cents(value: Fraction) -> str:
    """Render exact (possibly fractional) cents as euros, rounded half up to the cent."""
    return format_cents(round_half_up(value))


def allocation_rows(outcomes: Sequence[UnitOutcome]) -> list[tuple[str, ...]]:
    """The rows of allocation.csv, in input order.

    Tuples of texts, not lists: the cycle collector stops looking at such a tuple once it has
    seen it, and a run keeps these rows, one per unit, until its last output is written.
    Made a column at a time (the outcomes are named tuples, turned into columns at once):
    a large Ambito has 100,000 units, and a column's codes, ratios and amounts repeat.
    """
    if not outcomes:
        return []
    (items, awards, shares, bindings, first, second, residuals,
     residual_shares) = zip(*outcomes, strict=True)
    units = list(map(attrgetter("unit"), items))
    reasons = list(map(attrgetter("reasons"), items))
    said = {codes: ";".join(reason.value for reason in codes) for codes in dict.fromkeys(reasons)}
    euros = CentsTexts()  # the amounts of a unit repeat across units; its deficit rarely does
    amounts = euros.__getitem__
    formulas = [amounts(amount) if amount is not None else ""
                for amount in map(attrgetter("formula_amount"), items)]
    columns = (
        *(map(attrgetter(name), units)
          for name in ("unit_id", "name", "operator", "municipality", "unit_type")),
        _values(map(attrgetter("ownership"), units)),
        map(attrgetter("area"), items), map(attrgetter("service"), items),
        map({False: "true", True: "false"}.__getitem__, map(bool, reasons)),
        map(said.__getitem__, reasons),
        map(format_cents, map(attrgetter("deficit"), items)),
        formulas,
        _ratios(list(map(attrgetter("proration"), items))),
        map(amounts, map(attrgetter("entitlement"), items)),
        _ratios(shares),
        map(amounts, awards),
        _values(bindings),
        map(amounts, first), map(amounts, second),
        map(amounts, map(sub, awards, residuals)),  # the riparto's part
        map(amounts, residuals),
        _ratios(residual_shares),
    )
    return list(zip(*columns, strict=True))


def _values(members: Iterable[Enum]) -> list[str]:
    """Each enum member's value (``private``, ``AREA_BUDGET``): each distinct member asked once."""
    column = list(members)
    values = {member: member.value for member in dict.fromkeys(column)}
    return list(map(values.__getitem__, column))


def _ratios(values: Sequence[Fraction]) -> list[str]:
    """`format_ratio` of each value; each distinct object written once, found by its identity.

    A column shares a few ratio objects among all its units (a line's share, the whole
    year's proration): a `Fraction` hashes slowly, its identity at once. The values are
    alive for the whole call, so no identity is reused.
    """
    ids = list(map(id, values))
    texts = {key: format_ratio(value) for key, value in dict(zip(ids, values, strict=True)).items()}
    return list(map(texts.__getitem__, ids))


@dataclass
class _Tally:
    """Sums of a group of service lines for summary.csv."""

    budget: int = 0
    target: int = 0  # the printed targets' sum (`Allocation.target_cents`)
    historical: int = 0
    awarded: int = 0
    funded: int = 0
    unfunded: int = 0
    residual: int = 0

    def add(self, other: _Tally) -> None:
        self.target += other.target
        self.historical += other.historical
        self.awarded += other.awarded
        self.funded += other.funded
        self.unfunded += other.unfunded
        self.residual += other.residual

    def total_row(self, area: str, pool: ResidualPool | None) -> list[str]:
        return [
            area, TOTAL, format_cents(self.budget), format_cents(self.target),
            format_cents(self.historical), format_cents(self.awarded),
            format_cents(self.awarded - self.target), "", str(self.funded),
            str(self.unfunded), format_cents(self.residual),
            format_cents(self.awarded + self.residual),
            format_ratio(pool.share) if pool else "", format_cents(pool.left) if pool else "",
        ]


def summary_rows(
    outcomes: Sequence[UnitOutcome], allocation: Allocation, rules: RuleSet
) -> list[list[str]]:
    """The rows of summary.csv: each service line, then its area's total, then the fund's.

    ``units_excluded`` counts the units of the line that get nothing, whether an access
    criterion excludes them or their share stays below the minimum award.
    """
    funded: dict[str, int] = {}
    unfunded: dict[str, int] = {}
    residual: dict[str, int] = {}
    for outcome in outcomes:
        code = outcome.assessment.service
        counter = funded if outcome.award > 0 else unfunded
        counter[code] = counter.get(code, 0) + 1
        residual[code] = residual.get(code, 0) + outcome.residual_award
    pools = {pool.code: pool for pool in allocation.residual_pools}
    rows = []
    grand = _Tally()
    for area in rules.areas:
        area_tally = _Tally(budget=allocation.area_budgets[area.code])
        for service in area.services:
            result = allocation.services[service.code]
            target = allocation.target_cents[service.code]
            line = _Tally(0, target, service.historical, result.awarded,
                          funded.get(service.code, 0), unfunded.get(service.code, 0),
                          residual.get(service.code, 0))
            rows.append([
                area.code, service.code, "", format_cents(target),
                format_cents(service.historical), format_cents(result.awarded),
                format_cents(result.awarded - target),
                format_ratio(result.share), str(line.funded), str(line.unfunded),
                format_cents(line.residual), format_cents(line.awarded + line.residual), "", "",
            ])
            area_tally.add(line)
        rows.append(area_tally.total_row(area.code, pools.get(area.code)))
        grand.budget += area_tally.budget
        grand.add(area_tally)
    row = grand.total_row(TOTAL, pools.get(FONDO))
    row[-1] = format_cents(allocation.unassigned)
    rows.append(row)
    return rows


class OperatorPayments(NamedTuple):
    """One row of payments.csv in cents: what an ente gestore's funded units receive."""

    operator: str
    units: int
    award: int
    tranche_1: int
    tranche_2: int


def operator_payments(outcomes: Sequence[UnitOutcome]) -> list[OperatorPayments]:
    """Funded units grouped by operator (ente gestore), operators in name order."""
    by_operator: dict[str, list[int]] = {}
    for outcome in outcomes:
        award = outcome.award
        if award == 0:
            continue
        operator = outcome.assessment.unit.operator.strip() or NO_OPERATOR
        sums = by_operator.get(operator)
        if sums is None:
            sums = by_operator[operator] = [0, 0, 0, 0]
        sums[0] += 1
        sums[1] += award
        sums[2] += outcome.tranche_1
        sums[3] += outcome.tranche_2
    return [OperatorPayments(operator, *by_operator[operator])
            for operator in sorted(by_operator, key=lambda name: (name.casefold(), name))]


def payment_rows(payments: Sequence[OperatorPayments]) -> list[list[str]]:
    """The rows of payments.csv: what each operator (ente gestore) is paid (`operator_payments`)."""
    euros = CentsTexts()
    return [[paid.operator, str(paid.units), euros[paid.award], euros[paid.tranche_1],
             euros[paid.tranche_2]] for paid in payments]


def exact_objectives(allocation: Allocation, rules: RuleSet) -> dict[str, dict[str, str]]:
    """The stage objectives recomputed from the integer result, per area (what we report)."""
    values: dict[str, dict[str, str]] = {}
    for area in rules.areas:
        results = [allocation.services[s.code] for s in area.services]
        spend = sum(r.awarded for r in results)
        deviation = sum((abs(r.awarded - r.target) for r in results), Fraction(0))
        ratios = [(r.awarded - r.target) / r.excess_weight for r in results
                  if r.excess_weight > 0]
        values[area.code] = {
            "spend": format_cents(spend),
            "deviation": format_fraction_cents(deviation),
            "proportional_excess": format_ratio(max(ratios), 9) if ratios else "",
        }
    return values


def run_document(
    *,
    result: SolveResult,
    rules: RuleSet,
    inputs: Mapping[str, str],
    overrides: Sequence[tuple[str, str]],
    started_at: str,
    finished_at: str,
    units: tuple[str, str] | None = None,
    ambito: str | None = None,
    input_warnings: Sequence[str] = (),
    fund_from: tuple[str, str] | None = None,
) -> dict[str, Any]:
    """The content of run.json: what was run, on what, with which outcome.

    `units` is the units table's (path, SHA-256), recorded apart from `inputs` so that
    ``fsr-opt audit RUN_DIR`` knows which input is which; `ambito`, the Ambito whose rows a
    region took from a shared table, so that the audit takes the same rows.
    `input_warnings` are what the run said about its input files (a unit located outside
    the Ambito): whoever receives the folder reads them with the solver's. `fund_from` is
    the ATS split (path, SHA-256) the fund was taken from (``fsr-opt region --fund-from``).
    """
    allocation = result.allocation
    budgets = allocation.area_budgets if allocation else {}
    awarded = allocation.total if allocation else 0
    files: dict[str, Any] = {"rules": {"path": rules.source, "sha256": rules.sha256}}
    if units is not None:
        files["units"] = {"path": units[0], "sha256": units[1]}
        if ambito is not None:
            files["units"]["ambito"] = ambito
    return {
        "tool": {"name": "fsr-opt", "version": __version__},
        "status": result.status.value,
        "fund": format_cents(rules.fund),
        "set_asides": {k: format_cents(v) for k, v in set_aside_amounts(rules).items()},
        "distributable": format_cents(distributable(rules)),
        "area_budgets": {area: format_cents(cents) for area, cents in budgets.items()},
        "area_budgets_cents": dict(budgets),
        "awarded": format_cents(awarded),
        "awarded_criteria": format_cents(allocation.criteria_total if allocation else 0),
        "residual": residual_document(allocation, rules) if allocation else {},
        "unassigned": format_cents(allocation.unassigned if allocation else 0),
        "readings": {"line_without_applications": rules.line_without_applications.value},
        "minimum_award": format_cents(rules.minimum_award),
        "objectives": exact_objectives(allocation, rules) if allocation else {},
        "stages": [
            {"name": s.name, "sense": s.sense, "solver_objective": s.objective,
             "status": s.status.value, "seconds": round(s.seconds, 4)}
            for s in result.stages
        ],
        "solver": {"name": result.solver, "version": result.solver_version},
        "rule_set": {"id": rules.rule_set_id, "version": rules.version, "ambito": rules.ambito,
                     "year": rules.year, "source": rules.source, "sha256": rules.sha256},
        "inputs": dict(inputs),
        "input_files": files,
        "overrides": [f"{key}={value}" for key, value in overrides],
        **({"fund_from": {"path": fund_from[0], "sha256": fund_from[1]}} if fund_from else {}),
        "warnings": [*input_warnings, *result.messages,
                     *(unassigned_warnings(allocation, rules) if allocation else [])],
        "started_at": started_at,
        "finished_at": finished_at,
        "seconds": round(result.seconds, 4),
    }


def residual_document(allocation: Allocation, rules: RuleSet) -> dict[str, Any]:
    """run.json's ``residual``: the scope and, per pool, what was left, given and unassigned."""
    return {
        "scope": allocation.residual_scope.value,
        "distributed": format_cents(allocation.residual_total),
        "pools": [
            {"pool": pool.code, "areas": list(pool.areas),
             "left_by_riparto": format_cents(pool.available),
             "still_lacking": format_cents(pool.need),
             "distributed": format_cents(pool.distributed), "share": format_ratio(pool.share),
             "recipients": pool.recipients, "unassigned": format_cents(pool.left)}
            for pool in allocation.residual_pools
        ],
    }


def unassigned_warnings(allocation: Allocation, rules: RuleSet) -> list[str]:
    """One warning per residual pool that leaves money unassigned: never silent.

    Each says how much, why (no residual phase, the units that applied lack nothing more,
    or the minimum award), and what the residual phase gave; in the language of the run.
    """
    warnings = []
    for pool in allocation.residual_pools:
        if pool.left <= 0:
            continue
        where = _("the fund") if pool.code == FONDO else _("area {area}").format(area=pool.code)
        if allocation.residual_scope is ResidualScope.NONE:
            warnings.append(_(
                "{where}: {left} EUR stay unassigned: the caps and the minimum award leave it, "
                "and the rule set has no residual phase (residui.scope none); its units that "
                "applied still lack {need} EUR (--set residui.scope=area would give it to them "
                "in proportion)").format(where=where, left=money(pool.left),
                                          need=money(pool.need)))
            continue
        given = _("the residual phase gave {given} EUR to {units} units ({share} of what they "
                  "still lacked); ").format(given=money(pool.distributed), units=pool.recipients,
                                            share=ratio(pool.share, 4)) if pool.distributed else ""
        why = (_("its units that applied lack nothing more") if pool.distributed >= pool.need
               else _("the minimum award keeps the rest from the units that lack less"))
        warnings.append(_("{where}: the riparto left {available} EUR; {given}{left} EUR stay "
                          "unassigned ({why})").format(
            where=where, available=money(pool.available), given=given, left=money(pool.left),
            why=why))
    return warnings


def residual_lines(allocation: Allocation, lang: str, rules: RuleSet | None = None) -> list[str]:
    """The residual phase and the money left unassigned, for people, in `lang`.

    One line for the scope, one per pool that the riparto left money in (an area named by
    its label in `rules`, else by its code), and the total unassigned.
    """
    w = phrases("residual", lang)
    labels = rules.area_labels if rules is not None else {}
    lines = [w(f"scope.{allocation.residual_scope.value}")]
    for pool in allocation.residual_pools:
        if pool.available <= 0:
            continue
        where = (w("fund") if pool.code == FONDO else labels.get(pool.code)
                 or w("area").format(area=pool.code))
        if allocation.residual_scope is ResidualScope.NONE:
            lines.append(w("pool_none").format(where=where, left=money(pool.left, lang),
                                               need=money(pool.need, lang)))
            continue
        line = w("pool").format(
            where=where, available=money(pool.available, lang),
            given=money(pool.distributed, lang), units=pool.recipients,
            share=percent(pool.share * 100, lang), left=money(pool.left, lang))
        if pool.left > 0:
            line += " (" + w("why_covered" if pool.distributed >= pool.need
                             else "why_minimum") + ")"
        lines.append(line)
    if len(lines) == 1 and allocation.unassigned == 0:
        lines.append(w("nothing_left"))
    lines.append(w("unassigned").format(left=money(allocation.unassigned, lang)))
    return lines


def render_tables(
    assessments: Sequence[Assessment],
    allocation: Allocation,
    rules: RuleSet,
    *,
    outcomes: Sequence[UnitOutcome] | None = None,
    table: Sequence[Sequence[str]] | None = None,
    payments: Sequence[OperatorPayments] | None = None,
) -> dict[str, bytes]:
    """allocation.csv, summary.csv and payments.csv as bytes, ready to be written together.

    `outcomes` (`fsr_opt.engine.outcomes.unit_outcomes`), `table` (`allocation_rows`) and
    `payments` (`operator_payments`) may be given when the caller already has them: each
    costs time in proportion to the units.
    """
    if outcomes is None:
        outcomes = unit_outcomes(assessments, allocation, rules)
    return {
        "allocation.csv": csv_bytes(ALLOCATION_COLUMNS,
                                    allocation_rows(outcomes) if table is None else table,
                                    numeric_columns=ALLOCATION_NUMERIC),
        "summary.csv": csv_bytes(summary_headings(rules),
                                 summary_rows(outcomes, allocation, rules),
                                 numeric_columns=summary_headings(rules)[2:]),
        "payments.csv": csv_bytes(PAYMENT_COLUMNS, payment_rows(
            operator_payments(outcomes) if payments is None else payments),
                                  numeric_columns=PAYMENT_NUMERIC),
    }


def render_run_json(document: Mapping[str, Any]) -> bytes:
    """run.json as bytes."""
    return json_bytes(document)


def _named(code: str, label: str | None) -> str:
    """An area or line as a sentence names it: its label and, for ``--share``, its code."""
    return f"{label} ({code})" if label and label != code else code


def _labelled(row: str, code: str, label: str) -> str:
    """A row of the terminal table with its label after the figures (the code leads the row).

    The code is what ``--share`` and ``--set`` are typed with; the label is how report.html
    and the page name it. At the end of the row, a long label keeps the columns aligned.
    """
    return f"{row}  {label}" if label and label != code else row.rstrip()


def summary_text(
    assessments: Sequence[Assessment],
    allocation: Allocation,
    rules: RuleSet,
    warnings: Sequence[str] = (),
    *,
    outcomes: Sequence[UnitOutcome] | None = None,
) -> str:
    """A one-screen summary for the terminal, in the language of the run.

    It ends with the warnings of the run not already printed as they happened: `warnings`
    (those of the caller) and the money left unassigned.
    """
    if outcomes is None:
        outcomes = unit_outcomes(assessments, allocation, rules)
    eligible = sum(1 for o in outcomes if o.assessment.eligible)
    # units funded per service line, in one pass: a large Ambito has 100,000 units
    funded_in = Counter(o.assessment.service for o in outcomes if o.award > 0)
    funded = funded_in.total()
    lines = [
        _("FSR {year} riparto, Ambito di {ambito} (rule set {rule_set} v{version})").format(
            year=rules.year, ambito=rules.ambito, rule_set=rules.rule_set_id,
            version=rules.version),
        _("fund {fund} EUR; units {units}, eligible {eligible}, funded {funded}; minimum award "
          "{minimum} EUR").format(fund=money(rules.fund), units=len(outcomes), eligible=eligible,
                                  funded=funded, minimum=money(rules.minimum_award)),
        "",
        "".join(f"{heading:{width}}" for heading, width in (
            (_("area / service (code)"), "<30"), (_("target"), ">14"),
            (_("from the riparto"), ">17"), (_("line share"), ">19"), (_("funded"), ">12"),
            ("", "2"), (_("name"), ""))).rstrip(),
    ]
    for area in rules.areas:
        budget = allocation.area_budgets[area.code]
        spent = sum(allocation.services[s.code].awarded for s in area.services)
        lines.append(_labelled(f"{area.code:<30}{money(budget):>14}{money(spent):>17}"
                               f"{'':>31}", area.code, area.label))
        for service in area.services:
            result = allocation.services[service.code]
            count = funded_in[service.code]
            lines.append(_labelled(
                f"  {service.code:<28}{money(allocation.target_cents[service.code]):>14}"
                f"{money(result.awarded):>17}{ratio(result.share * 100, 4) + '%':>19}"
                f"{count:>12}", service.code, service.label))
    lines.append(f"{text('word.TOTAL'):<30}{money(distributable(rules)):>14}"
                 f"{money(allocation.criteria_total):>17}")
    lines.append("")
    # the scope in the words of the page's choice; its code is for --set residui.scope=...
    lines.append(_("residual phase ({scope}): {total} EUR to {units} units").format(
        scope=text(f"residual.scope_name.{allocation.residual_scope.value}"),
        total=money(allocation.residual_total), units=len(allocation.residual_awards)))
    labels = rules.area_labels
    for pool in allocation.residual_pools:
        if pool.available > 0:
            where = _("fund") if pool.code == FONDO else _named(pool.code, labels.get(pool.code))
            lines.append(f"  {where}: " + _(
                "left {available}, given {given} (share {share}), unassigned {left}").format(
                available=money(pool.available), given=money(pool.distributed),
                share=percent(pool.share * 100), left=money(pool.left)))
    paid, unassigned = _("assigned (riparto + residuals)"), _("unassigned")
    lines.append(f"{paid:<30}{'':>14}{money(allocation.total):>17}")
    lines.append(f"{unassigned:<30}{'':>14}{money(allocation.unassigned):>17}")
    lines.extend(_("warning: {message}").format(message=warning) for warning in
                 [*warnings, *unassigned_warnings(allocation, rules)])
    return "\n".join(lines)
