"""One unit explained: everything that decided its award, on one screen.

The access criteria with the unit's data, the arithmetic of its cap and entitlement, its
service line's share, the binding limit, its area's budget and its payments. Pass or fail and
every amount are read from the typed outcome of the solve (`fsr_opt.engine.outcomes`), never
recomputed, so the screen can never disagree with the riparto.
"""

from __future__ import annotations

import difflib
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from fractions import Fraction

from fsr_opt.core.errors import ErrorCode, InputError, Problem
from fsr_opt.core.i18n import _
from fsr_opt.core.schema import (
    Assessment,
    ExclusionReason,
    RuleSet,
    ServiceResult,
)
from fsr_opt.core.words import (
    binding_label,
    date_text,
    describe,
    money,
    phrases,
    ratio,
    text,
    yes_no,
)
from fsr_opt.engine.outcomes import UnitOutcome
from fsr_opt.engine.residual import residual_need
from fsr_opt.io.cells import normalize_id
from fsr_opt.rules.lookup import normalize_name


@dataclass(frozen=True)
class CriterionCheck:
    """One access criterion applied to one unit, with the data it looked at.

    Attributes:
        status: ``pass``, ``fail``, or ``off`` (switched off, or not for this unit type).
    """

    reason: ExclusionReason
    status: str
    data: str



def _maybe(value: bool | None, lang: str) -> str:
    return "-" if value is None else yes_no(value, lang)


def criterion_checks(
    item: Assessment, rules: RuleSet, lang: str = "it"
) -> tuple[CriterionCheck, ...]:
    """Every access criterion with the unit's data; failures are exactly `item.reasons`.

    Only the wording is built here; pass or fail is read from the assessment, so the screen can
    never disagree with the riparto.
    """
    w = phrases("criterion", lang)
    unit = item.unit
    kind = rules.unit_types.get(unit.unit_type)
    switches = rules.eligibility
    municipal = kind.municipal_service if kind else False
    in_ambito = normalize_name(unit.municipality) in {
        normalize_name(name) for name in rules.municipalities}

    def day(value: date) -> str:
        return date_text(value, lang)

    data = {
        "registry": yes_no(unit.in_registry, lang),
        "authorized": yes_no(unit.authorized, lang),
        "municipality": unit.municipality,
        "inside": w("among" if in_ambito else "not_among"),
        "start": day(unit.start_date),
        "year_start": day(unit.start_date.replace(year=rules.year, month=1, day=1)),
        "end": day(unit.end_date) if unit.end_date else w("none"),
        "experimental": yes_no(unit.experimental, lang),
        "keeps": _maybe(unit.keeps_requirements, lang),
        "declared": _maybe(unit.data_declared, lang),
        "deficit": money(item.deficit, lang),
        "applied": yes_no(unit.applied, lang),
    }
    active = {
        ExclusionReason.NOT_IN_REGISTRY: (switches.require_registry, not municipal),
        ExclusionReason.NOT_AUTHORIZED: (switches.require_authorization, not municipal),
        ExclusionReason.OUTSIDE_AMBITO: (switches.require_in_ambito, True),
        ExclusionReason.STARTED_IN_YEAR: (switches.exclude_started_in_year, True),
        ExclusionReason.CEASED_BEFORE_YEAR: (switches.exclude_ceased_before_year, True),
        ExclusionReason.EXPERIMENTAL: (switches.exclude_experimental, True),
        ExclusionReason.MISSING_DATA_DECLARATION: (
            switches.require_data_declaration,
            bool(kind and kind.requires_data_declaration)),
        ExclusionReason.NO_DEFICIT: (switches.require_deficit, True),
        ExclusionReason.NOT_APPLIED: (switches.require_application, True),
    }
    checks = []
    for reason in ExclusionReason:
        switched_on, applies = active[reason]
        seen = w(reason.value).format(**data)
        if reason in item.reasons:
            checks.append(CriterionCheck(reason, "fail", seen))
        elif not switched_on:
            checks.append(CriterionCheck(reason, "off", f"{seen} ({w('switched_off')})"))
        elif not applies:
            checks.append(CriterionCheck(reason, "off", f"{seen} ({w('not_applicable')})"))
        else:
            checks.append(CriterionCheck(reason, "pass", seen))
    return tuple(checks)


def explain_unit(
    outcome: UnitOutcome,
    service: ServiceResult,
    rules: RuleSet,
    *,
    area_budget: int,
    area_spent: int,
    lang: str = "it",
) -> str:
    """One screen about one unit: access tests, cap arithmetic, share, binding, payments.

    Args:
        outcome: the unit's outcome: its assessment (exact data), award, binding limit and
            payments (`fsr_opt.engine.outcomes.unit_outcomes`).
        service: its service line's result (lambda, funded entitlements).
        rules: the rule set of the run.
        area_budget: cents, the budget of the unit's area.
        area_spent: cents awarded in the unit's area.
        lang: ``it`` or ``en``.
    """
    w = phrases("explain", lang)
    item = outcome.assessment
    award = outcome.award
    binding = outcome.binding.value
    unit = item.unit
    kind = rules.unit_types.get(unit.unit_type)

    def eur(cents: int) -> str:
        return f"{money(cents, lang)} EUR"

    # areas and lines by their labels, the code (what --share and the CSV files say) after
    area_label = rules.area_labels.get(item.area, "")
    line_label = rules.line_labels.get(item.service, "")
    area_name = (f"{area_label} ({item.area})" if area_label not in ("", item.area)
                 else item.area)
    line_name = (f"{line_label} ({item.service})" if line_label not in ("", item.service)
                 else item.service)

    lines = [
        w("title").format(id=unit.unit_id, name=unit.name),
        w("who").format(
            operator=unit.operator or "-", municipality=unit.municipality, type=unit.unit_type,
            label=kind.label if kind else "?",
            ownership=text(f"ownership.{unit.ownership.value}", lang)),
        w("where").format(area=area_name, service=line_name),
        "",
        w("access"),
    ]
    for check in criterion_checks(item, rules, lang):
        mark = w(check.status)
        lines.append(f"  [{mark:^4}] {check.data}")
    codes = "; ".join(describe("reason", r.value, lang, history_year=rules.history_year)
                      for r in item.reasons)
    lines.append("  " + (w("eligible") if item.eligible else
                         w("excluded").format(codes=codes)))
    lines += ["", w("cap")]
    lines.append("  " + w("deficit").format(
        history_year=rules.history_year, costs=money(unit.costs, lang),
        revenues=money(unit.revenues, lang),
        deficit=eur(item.deficit)))
    formula_class = rules.formula_classes.get(kind.formula_class) if (
        kind and kind.formula_class) else None
    if item.formula_amount is not None and formula_class is not None:
        lines.append("  " + w("formula").format(
            cls=formula_class.code, base=money(formula_class.base, lang),
            rate=money(formula_class.rate_per_user, lang), users=unit.users,
            amount=eur(item.formula_amount)))
        rule = w("formula_min")
        cap = min(item.formula_amount, max(item.deficit, 0))
    else:
        lines.append("  " + w("no_formula").format(why=w("why_public")))
        rule = w("deficit_only")
        cap = max(item.deficit, 0)
    lines.append("  " + w("cap_is").format(rule=rule, cap=eur(cap),
                                               source=binding_label(item.cap_source.value,
                                                                    lang)))
    if item.proration != 1 and unit.end_date is not None:
        lines.append("  " + w("proration").format(
            days=item.proration.numerator, year_days=item.proration.denominator,
            end=date_text(unit.end_date, lang)))
    else:
        lines.append("  " + w("full_year"))
    if item.eligible and item.proration == 1:
        lines.append("  " + w("entitlement_full").format(value=eur(item.entitlement)))
    elif item.eligible:
        lines.append("  " + w("entitlement").format(
            cap=money(cap, lang), proration=_proration_text(item.proration, lang),
            value=eur(item.entitlement)))
    else:
        lines.append("  " + w("entitlement_zero"))
    lines.append("")
    if service.funded_entitlement:
        lines.append(w("share").format(
            # as a percentage, as report.html and allocation.xlsx show it (same precision)
            service=line_label or item.service, share=ratio(service.share * 100, 4, lang) + "%",
            awarded=money(service.awarded, lang), funded=money(service.funded_entitlement, lang)))
    else:
        lines.append(w("no_share").format(service=line_label or item.service))
    lines.append("  " + w("award").format(award=eur(outcome.criteria_award),
                                              minimum=eur(rules.minimum_award)))
    if outcome.criteria_award and service.funded_entitlement:
        exact = service.share * item.entitlement
        lines.append(w("exact").format(exact=ratio(exact / 100, 4, lang)))
    elif item.eligible and item.entitlement > 0 and service.funded_entitlement:
        # why an eligible unit gets nothing: the line's share would give it less than the
        # minimum (equal treatment funds exactly the units it lifts to the minimum)
        exact = service.share * item.entitlement
        lines.append(w("below").format(exact=ratio(exact / 100, 4, lang),
                                       minimum=eur(rules.minimum_award)))
    if outcome.residual_award:
        need = residual_need(item, outcome.criteria_award)
        lines.append("  " + text("residual.explain", lang).format(
            residual=money(outcome.residual_award, lang),
            share=ratio(outcome.residual_share, 6, lang), need=money(need, lang)))
        lines.append("  " + text("residual.total", lang) + ": " + eur(award))
    lines.append("  " + w("binding").format(code=binding_label(binding, lang),
                                                text=describe("binding", binding, lang,
                                                              history_year=rules.history_year)))
    if not item.eligible:
        lines += [f"    {describe('reason', r.value, lang, history_year=rules.history_year)}"
                  for r in item.reasons]
    lines.append("  " + w("budget").format(
        area=area_label or item.area, budget=eur(area_budget),
        spent=eur(area_spent)))
    single = w("single").format(threshold=eur(rules.single_payment_threshold)) if (
        0 < award <= rules.single_payment_threshold) else ""
    lines.append("  " + w("payments").format(first=eur(outcome.tranche_1),
                                                 second=eur(outcome.tranche_2)) + single)
    return "\n".join(lines)


def _proration_text(value: Fraction, lang: str) -> str:
    if value == 1:
        return "1"
    return f"{value.numerator}/{value.denominator}"


def find_unit(unit_id: str, outcomes: Sequence[UnitOutcome], source: str) -> UnitOutcome:
    """Return the outcome of the unit with this id (exact, then ignoring case and spaces).

    Args:
        unit_id: the id as typed.
        outcomes: every unit's outcome.
        source: the units table, for the message.

    Raises:
        InputError: no such unit; the message suggests the nearest ids.
    """
    for outcome in outcomes:
        if outcome.assessment.unit.unit_id == unit_id:
            return outcome
    folded = normalize_id(unit_id)
    matches = [outcome for outcome in outcomes
               if normalize_id(outcome.assessment.unit.unit_id) == folded]
    if len(matches) == 1:
        return matches[0]
    ids = [outcome.assessment.unit.unit_id for outcome in outcomes]
    near = difflib.get_close_matches(unit_id, ids, n=3, cutoff=0.6)
    hint = _("; did you mean {near}?").format(near=", ".join(near)) if near else ""
    raise InputError([Problem(_("no unit with id '{unit}'").format(unit=unit_id) + hint,
                              file=source,
                              column="unit_id", code=ErrorCode.UNKNOWN_UNIT)])

