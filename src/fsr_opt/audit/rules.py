"""The rule checks: what every allocation must satisfy, whoever made it.

Each check is a function of the shared `Evidence` returning its `Findings`; the registry
(`fsr_opt.audit.registry`) gives each its code, its description and the criteria's section,
and runs them in order. Awards are compared in integer cents and shares in exact fractions,
so no rounding noise can hide or invent a violation.
"""

from __future__ import annotations

from fractions import Fraction

from fsr_opt.audit.codes import CheckCode
from fsr_opt.audit.evidence import Evidence, Findings
from fsr_opt.audit.recomputed import distributable_fund, payments
from fsr_opt.audit.report import Violation
from fsr_opt.audit.wording import (
    area_subject,
    column,
    euros,
    exact_euros,
    labelled,
    ratio,
    share,
    unit_subject,
    within_a_cent,
)
from fsr_opt.core.i18n import _, ngettext
from fsr_opt.core.schema import Assessment, ResidualScope
from fsr_opt.core.words import percent, yes_no

__all__ = [
    "above_entitlement",
    "area_budget",
    "award_parts",
    "below_minimum",
    "budgets_add_up",
    "eligible_mismatch",
    "entitlement_mismatch",
    "equal_share",
    "ineligible_paid",
    "input_changed",
    "left_out",
    "residual_above_deficit",
    "residual_equal_share",
    "residual_left_out",
    "residual_pool",
    "residual_scope",
    "residual_share_mismatch",
    "share_mismatch",
    "tranches",
    "unit_duplicated",
    "unit_missing",
    "unit_unknown",
]

# ---------------------------------------------------------------------------------------------
# The inputs are the run's, and the allocation covers each unit once
# ---------------------------------------------------------------------------------------------


def input_changed(evidence: Evidence) -> Findings:
    """The inputs are the bytes the run read: run.json's hashes match the files audited."""
    record = evidence.allocation.record
    if record is None:
        return Findings(0, [])
    found = [
        Violation(CheckCode.INPUT_CHANGED, f"{_input_role(item.role)} {item.used}",
                  f"SHA-256 {item.recorded_sha256[:12]}...", f"SHA-256 {item.sha256[:12]}...",
                  _("{what} {used} is not the file the run read ({recorded}, SHA-256 "
                    "{recorded_sha256} in {record}); it now has SHA-256 {sha256}: the audit "
                    "checks the allocation against the files as they are now, not as the run "
                    "saw them").format(what=_input_role(item.role),
                                       used=item.used, recorded=item.recorded,
                                       recorded_sha256=item.recorded_sha256,
                                       record=record.path, sha256=item.sha256))
        for item in record.inputs if item.changed
    ]
    return Findings(len(record.inputs), found)


def _input_role(role: str) -> str:
    """What an input file of the run is, in words (``units`` -> ``units table``)."""
    if role == "units":
        return _("units table")
    if role == "rules":
        return _("rule set")
    return role


def award_parts(evidence: Evidence) -> Findings:
    """An award is its riparto part plus its residual part, neither below 0."""
    rows = [row for row in evidence.allocation.rows
            if row.criteria_award is not None or row.residual_award is not None]
    headings = evidence.allocation.headings
    criteria, residual = column(headings, "criteria_award"), column(headings, "residual_award")
    found = []
    for row in rows:
        if row.criteria >= 0 and row.residual >= 0 and row.criteria + row.residual == row.award:
            continue
        shown = labelled([(name, "-" if value is None else euros(value)) for name, value
                          in ((criteria, row.criteria_award), (residual, row.residual_award))])
        found.append(Violation(
            CheckCode.AWARD_PARTS, unit_subject(row.unit_id, row.row),
            f"{criteria} + {residual} = {euros(row.award)}", shown,
            _("unit {unit}: the award of {award} EUR is paid as its riparto part plus its "
              "residual part ({criteria} + {residual}); the allocation gives {shown}"
              ).format(unit=row.unit_id, award=euros(row.award), criteria=criteria,
                       residual=residual, shown=shown),
            unit=row.unit_id, row=row.row,
            area=(evidence.known[known].area
                  if (known := evidence.unit_id_of(row.unit_id)) is not None else None)))
    return Findings(len(rows), found)




def unit_missing(evidence: Evidence) -> Findings:
    """Every unit of the units table has a row; a unit without one counts as awarded 0."""
    found = [
        Violation(CheckCode.UNIT_MISSING, unit_subject(item.unit.unit_id, None),
                  _("a row with its award"), _("no row"),
                  _("unit {unit} (row {row} of the units table) has no row in the "
                    "allocation; it is counted as awarded 0").format(unit=item.unit.unit_id,
                                                                     row=item.unit.row),
                  unit=item.unit.unit_id, area=item.area, service=item.service)
        for item in evidence.assessments if item.unit.unit_id not in evidence.first_rows
    ]
    return Findings(len(evidence.assessments), found)


def unit_duplicated(evidence: Evidence) -> Findings:
    """No unit has two rows: a repeated row would be paid twice, so the rows are added up."""
    found = []
    for unit_id in evidence.first_rows:
        if unit_id in evidence.repeated:
            rows = evidence.rows_of(unit_id)
            where = ", ".join(str(r.row) for r in rows if r.row is not None)
            total = sum(r.award for r in rows)
            found.append(Violation(
                CheckCode.UNIT_DUPLICATED, unit_subject(unit_id, rows[1].row), _rows(1),
                _rows(len(rows)) + (f" ({where})" if where else ""),
                _("unit {unit} is listed {count} times; its rows add up to {total} EUR, which "
                  "is what would be paid").format(unit=unit_id, count=len(rows),
                                                  total=euros(total)),
                unit=unit_id, row=rows[1].row))
    return Findings(len(evidence.first_rows), found)


def _rows(count: int) -> str:
    """A number of rows in words: ``1 riga``, ``2 righe``."""
    return ngettext("{count} row", "{count} rows", count).format(count=count)


def unit_unknown(evidence: Evidence) -> Findings:
    """Every row names a unit of the units table; an unknown unit's award is in no area."""
    found = [
        Violation(CheckCode.UNIT_UNKNOWN, unit_subject(row.unit_id, row.row),
                  _("a unit id of the units table"), f"'{row.unit_id}'",
                  _("unit '{unit}' is not in the units table; its award of {award} EUR is not "
                    "counted in any area").format(unit=row.unit_id, award=euros(row.award)),
                  unit=row.unit_id,
                  row=row.row)
        for row in evidence.unknown_rows
    ]
    return Findings(len(evidence.allocation.rows), found)


# ---------------------------------------------------------------------------------------------
# Who may be paid, and how much at most
# ---------------------------------------------------------------------------------------------


def ineligible_paid(evidence: Evidence) -> Findings:
    """A unit failing an access criterion gets 0; the violation names its reason codes."""
    ineligible = [item for item in evidence.assessments if not item.eligible]
    found = []
    for item in ineligible:
        award = evidence.awards[item.unit.unit_id]
        if award > 0:
            reasons = ";".join(reason.value for reason in item.reasons)
            found.append(Violation(
                CheckCode.INELIGIBLE_PAID, unit_subject(item.unit.unit_id,
                                                        evidence.first_row(item.unit.unit_id)),
                _("{zero} (excluded: {reasons})").format(zero=euros(0), reasons=reasons),
                euros(award),
                _("unit {unit} fails the access criteria {reasons} but is awarded {award} EUR"
                  ).format(unit=item.unit.unit_id, reasons=reasons, award=euros(award)),
                unit=item.unit.unit_id, area=item.area,
                service=item.service, row=evidence.first_row(item.unit.unit_id)))
    return Findings(len(ineligible), found)


def eligible_mismatch(evidence: Evidence) -> Findings:
    """The allocation's ``eligible`` column agrees with the access criteria."""
    rows = [(row, item) for row, item in evidence.known_rows() if row.eligible is not None]
    found = []
    for row, item in rows:
        if row.eligible != item.eligible:
            reasons = ";".join(reason.value for reason in item.reasons)
            found.append(Violation(
                CheckCode.ELIGIBLE_MISMATCH, unit_subject(row.unit_id, row.row),
                yes_no(True) if item.eligible else f"{yes_no(False)} ({reasons})",
                yes_no(bool(row.eligible)),
                _("unit {unit} is {judged} by the access criteria of the rule set, but the "
                  "allocation says {said}").format(
                    unit=row.unit_id,
                    judged=_("eligible") if item.eligible else _("excluded ({reasons})").format(
                        reasons=reasons),
                    said=_("eligible") if row.eligible else _("not eligible")),
                unit=row.unit_id, area=item.area, service=item.service, row=row.row))
    return Findings(len(rows), found)


def entitlement_mismatch(evidence: Evidence) -> Findings:
    """The allocation's ``entitlement`` column agrees with the cap recomputed from the units."""
    rows = [(row, item) for row, item in evidence.known_rows() if row.entitlement is not None]
    found = [
        Violation(CheckCode.ENTITLEMENT_MISMATCH, unit_subject(row.unit_id, row.row),
                  euros(item.entitlement), euros(row.entitlement),
                  _("unit {unit}: the entitlement recomputed from the units table is "
                    "{expected} EUR ({cap}), the allocation says {actual} EUR").format(
                      unit=row.unit_id, expected=euros(item.entitlement), cap=_cap_text(item),
                      actual=euros(row.entitlement)), unit=row.unit_id, area=item.area,
                  service=item.service, row=row.row)
        for row, item in rows
        if row.entitlement is not None and row.entitlement != item.entitlement
    ]
    return Findings(len(rows), found)


def below_minimum(evidence: Evidence) -> Findings:
    """An eligible unit's award is 0 or at least the minimum award (no "pioggia").

    Both the whole award and its riparto part: the residual phase may add any amount to a
    unit the riparto funded, never lift one from below the minimum.
    """
    minimum = evidence.rules.minimum_award
    eligible = [item for item in evidence.assessments if item.eligible]
    found = []
    for item in eligible:
        award = evidence.awards[item.unit.unit_id]
        part = evidence.criteria[item.unit.unit_id]
        if 0 < award < minimum or 0 < part < minimum:
            row = evidence.first_row(item.unit.unit_id)
            what = (_("is awarded {award} EUR").format(award=euros(award))
                    if 0 < award < minimum else
                    _("is awarded {part} EUR by the riparto (plus {residual} EUR of residuals)"
                      ).format(part=euros(part), residual=euros(award - part)))
            found.append(Violation(
                CheckCode.BELOW_MINIMUM, unit_subject(item.unit.unit_id, row),
                _("{zero} or at least {minimum}").format(zero=euros(0), minimum=euros(minimum)),
                euros(award if 0 < award < minimum else part),
                _("unit {unit} {what}, below the minimum award of {minimum} EUR").format(
                    unit=item.unit.unit_id, what=what, minimum=euros(minimum)),
                unit=item.unit.unit_id,
                area=item.area, service=item.service, row=row))
    return Findings(len(eligible), found)


def above_entitlement(evidence: Evidence) -> Findings:
    """No eligible unit gets more than its entitlement by the riparto; the violation names the cap.

    The residual phase may go beyond the formula, up to the deficit (`residual_above_deficit`).
    """
    eligible = [item for item in evidence.assessments if item.eligible]
    found = []
    for item in eligible:
        award = evidence.criteria[item.unit.unit_id]
        if award > item.entitlement:
            row = evidence.first_row(item.unit.unit_id)
            found.append(Violation(
                CheckCode.ABOVE_ENTITLEMENT, unit_subject(item.unit.unit_id, row),
                _("at most {amount} (cap: {cap})").format(amount=euros(item.entitlement),
                                                          cap="+".join(_caps(item))),
                euros(award),
                _("unit {unit} is awarded {award} EUR by the riparto, above its entitlement "
                  "of {entitlement} EUR ({cap})").format(
                    unit=item.unit.unit_id, award=euros(award),
                    entitlement=euros(item.entitlement), cap=_cap_text(item)),
                unit=item.unit.unit_id, area=item.area, service=item.service, row=row))
    return Findings(len(eligible), found)


def _caps(item: Assessment) -> list[str]:
    caps = [item.cap_source.value]
    if item.proration < 1:
        caps.append("PRORATION")
    return caps


def _cap_text(item: Assessment) -> str:
    """Explain an entitlement: which cap, with the deficit, the formula and the proration."""
    parts = [_("deficit {amount}").format(amount=euros(item.deficit))]
    if item.formula_amount is not None:
        parts.append(_("formula {amount}").format(amount=euros(item.formula_amount)))
    if item.proration < 1:
        parts.append(_("proration {part}/{whole} of the year").format(
            part=item.proration.numerator, whole=item.proration.denominator))
    if not item.eligible:
        parts.append(_("0 because excluded"))
    return _("cap {caps}: {parts}").format(caps="+".join(_caps(item)), parts=", ".join(parts))


# ---------------------------------------------------------------------------------------------
# Areas and budgets
# ---------------------------------------------------------------------------------------------


def area_budget(evidence: Evidence) -> Findings:
    """Each area's riparto awards, excluded units included if paid, add up to at most its budget.

    The residual phase has its own limit (`residual_pool`).
    """
    found = [
        Violation(CheckCode.AREA_BUDGET, area_subject(total.area), _at_most(total.budget),
                  euros(total.awarded),
                  _("area {area}: the riparto's awards add up to {awarded} EUR, {over} EUR "
                    "over its budget of {budget} EUR").format(
                      area=total.area, awarded=euros(total.awarded),
                      over=euros(total.awarded - total.budget), budget=euros(total.budget)),
                  area=total.area)
        for total in evidence.area_totals() if total.awarded > total.budget
    ]
    return Findings(len(evidence.budgets), found)


def _at_most(cents: int) -> str:
    """An upper limit: ``at most 1,234.56``."""
    return _("at most {amount}").format(amount=euros(cents))


def _about(exact: Fraction) -> str:
    """What is due, exactly, before rounding: ``about 7,473.401992``."""
    return _("about {amount}").format(amount=exact_euros(exact))


def budgets_add_up(evidence: Evidence) -> Findings:
    """The budgets add up to the distributable fund, each its share rounded to the cent.

    Meaningful when the budgets are given (a published table): those the rule set derives
    hold by construction.
    """
    fund = distributable_fund(evidence.rules)
    found = []
    total = sum(evidence.budgets.values())
    if total != fund:
        found.append(Violation(
            CheckCode.BUDGETS_ADD_UP, _("the area budgets"), euros(fund), euros(total),
            _("the area budgets add up to {total} EUR, the distributable fund is {fund} EUR "
              "({difference} EUR of difference)").format(
                total=euros(total), fund=euros(fund), difference=euros(total - fund))))
    for area in evidence.rules.areas:
        budget = evidence.budgets.get(area.code, 0)
        quota = Fraction(fund) * area.share_percent / 100
        if abs(budget - quota) >= 1:
            found.append(Violation(
                CheckCode.BUDGETS_ADD_UP, area_subject(area.code),
                _("{amount} rounded to the cent").format(amount=exact_euros(quota)),
                euros(budget),
                _("area {area}: {share} of {fund} EUR is {quota} EUR; a budget of {budget} "
                  "EUR is not that amount rounded to the cent").format(
                    area=area.code, share=percent(area.share_percent), fund=euros(fund),
                    quota=exact_euros(quota), budget=euros(budget)), area=area.code))
    return Findings(len(evidence.rules.areas) + 1, found)


# ---------------------------------------------------------------------------------------------
# Equal treatment inside a service line
# ---------------------------------------------------------------------------------------------


def equal_share(evidence: Evidence) -> Findings:
    """The funded units of a line get one share lambda_s of their entitlement, within a cent."""
    found = []
    checked = 0
    for code, line in evidence.lines.items():
        line_share = evidence.shares[code]
        top, bottom = line_share.numerator, line_share.denominator
        for item, award in line.units:
            if award == 0:
                continue
            checked += 1
            # |award - share * e| > 1 cent, in integers: no Fraction per unit on large Ambiti.
            if abs(award * bottom - top * item.entitlement) > bottom:
                exact = line_share * item.entitlement
                row = evidence.first_row(item.unit.unit_id)
                found.append(Violation(
                    CheckCode.EQUAL_SHARE, unit_subject(item.unit.unit_id, row),
                    within_a_cent(exact), euros(award),
                    _("service line {line}: the funded units share {total} EUR at {share} of "
                      "their entitlements; unit {unit} (entitlement {entitlement} EUR) should "
                      "get {exact} EUR within one cent, not {award} EUR").format(
                        line=code, total=euros(line.total), share=share(line_share),
                        unit=item.unit.unit_id, entitlement=euros(item.entitlement),
                        exact=exact_euros(exact), award=euros(award)),
                    unit=item.unit.unit_id, area=line.area,
                    service=code, row=row))
    return Findings(checked, found)


def left_out(evidence: Evidence) -> Findings:
    """No eligible unit gets 0 while its line's share of its entitlement reaches the minimum.

    A rule of equal treatment, not a certificate: leaving such a unit out pays its equals a
    share it is denied.
    """
    threshold = max(evidence.rules.minimum_award, 1)
    found = []
    checked = 0
    for code, line in evidence.lines.items():
        line_share = evidence.shares[code]
        top, bottom = line_share.numerator, line_share.denominator
        for item, award in line.units:
            if award != 0 or item.entitlement <= 0:
                continue
            checked += 1
            if top * item.entitlement >= threshold * bottom:
                exact = line_share * item.entitlement
                row = evidence.first_row(item.unit.unit_id)
                found.append(Violation(
                    CheckCode.LEFT_OUT, unit_subject(item.unit.unit_id, row),
                    _about(exact), euros(0),
                    _("service line {line} funds its units at {share} of their entitlements; "
                      "for unit {unit} (entitlement {entitlement} EUR) that is {exact} EUR, at "
                      "least the minimum of {minimum} EUR, yet it gets 0").format(
                        line=code, share=share(line_share), unit=item.unit.unit_id,
                        entitlement=euros(item.entitlement), exact=exact_euros(exact),
                        minimum=euros(evidence.rules.minimum_award)),
                    unit=item.unit.unit_id, area=line.area,
                    service=code, row=row))
    return Findings(checked, found)


_NONE = Fraction(0)  # the share expected of a unit without award


def _share_agrees(written: Fraction, places: int | None, expected: Fraction) -> bool:
    """Whether a share column's value is the expected share, at the precision it was written.

    Exact when `places` is None; else within half a unit of its last decimal:
    |written - expected| <= 1 / (2 * 10**places), compared as cross-multiplied integers
    (no Fraction arithmetic per row: the column has one value per unit).
    """
    gap = abs(written.numerator * expected.denominator - expected.numerator * written.denominator)
    if places is None:
        return gap == 0
    inverse_tolerance: int = 2 * 10**places  # the tolerance is 1 / inverse_tolerance
    return gap * inverse_tolerance <= written.denominator * expected.denominator


def _shown_places(written: int | None) -> int:
    """The decimals a share is shown with: six, or as many as the column was written with.

    So that the expected share and the one written differ where the comparison saw them
    differ (an exact share, `written` None, is shown with six).
    """
    return max(6, written or 6)


def share_mismatch(evidence: Evidence) -> Findings:
    """The ``share`` column is lambda_s (0 without award), compared at the precision written."""
    found = []
    checked = 0
    for row, item in evidence.known_rows():
        if row.share is None:
            continue
        checked += 1
        award = evidence.criteria[item.unit.unit_id]
        expected = evidence.shares.get(item.service, _NONE) if award > 0 else _NONE
        if not _share_agrees(row.share, row.share_places, expected):
            places = _shown_places(row.share_places)
            found.append(Violation(
                CheckCode.SHARE_MISMATCH, unit_subject(row.unit_id, row.row),
                share(expected, places), share(row.share, places),
                _("unit {unit}: its service line {line} is funded at {expected} of the "
                  "entitlements (0 for a unit without award); the allocation says {actual}"
                  ).format(unit=row.unit_id, line=item.service,
                           expected=share(expected, places), actual=share(row.share, places)),
                unit=row.unit_id, area=item.area, service=item.service, row=row.row,
                expected_exact=ratio(expected, places), actual_exact=ratio(row.share, places)))
    return Findings(checked, found)


# ---------------------------------------------------------------------------------------------
# Payments
# ---------------------------------------------------------------------------------------------


def tranches(evidence: Evidence) -> Findings:
    """The tranches given are the rule set's split of the award: a percent then the rest.

    An award up to the single-payment threshold is paid at once. A tranche left empty is
    not checked.
    """
    rows = [row for row in evidence.allocation.rows
            if row.tranche_1 is not None or row.tranche_2 is not None]
    first_percent = evidence.rules.first_tranche_percent
    headings = evidence.allocation.headings
    names = (column(headings, "tranche_1"), column(headings, "tranche_2"))
    threshold = evidence.rules.single_payment_threshold
    found = []
    for row in rows:
        first, second = payments(row.award, evidence.rules)
        given = (row.tranche_1, row.tranche_2)
        if given[0] not in (None, first) or given[1] not in (None, second):
            rule = (_("up to {threshold} EUR paid at once").format(threshold=euros(threshold))
                    if row.award <= threshold
                    else _("{percent} rounded half up, then the rest").format(
                        percent=percent(first_percent)))
            shown = labelled([(name, "-" if v is None else euros(v))
                              for name, v in zip(names, given, strict=True)])
            found.append(Violation(
                CheckCode.TRANCHES, unit_subject(row.unit_id, row.row),
                labelled([(names[0], euros(first)), (names[1], euros(second))]), shown,
                _("unit {unit}: an award of {award} EUR is paid {first} + {second} EUR "
                  "({rule}); the allocation says {shown}").format(
                    unit=row.unit_id, award=euros(row.award), first=euros(first),
                    second=euros(second), rule=rule, shown=shown),
                unit=row.unit_id, row=row.row))
    return Findings(len(rows), found)


# ---------------------------------------------------------------------------------------------
# The residual phase (criteria, "quote residui"): what the riparto left, given after it to the
# units that applied at one share mu of what each still lacks (deficit, prorated, less the
# riparto's award), a unit's award staying 0 or at least the minimum.
# ---------------------------------------------------------------------------------------------


def residual_scope(evidence: Evidence) -> Findings:
    """Residual awards go only where the rule set's scope sends them: to units that applied.

    Nothing with scope ``none``; otherwise only eligible units that applied (an excluded unit
    is `INELIGIBLE_PAID` already).
    """
    found = []
    given = [(unit_id, residual) for unit_id, residual in evidence.residual.items()
             if residual > 0]
    for unit_id, residual in given:
        item = evidence.known[unit_id]
        row = evidence.first_row(unit_id)
        if evidence.scope is ResidualScope.NONE:
            why = _("the rule set has no residual phase (residui.scope none): what the "
                    "riparto leaves stays unassigned")
        elif item.eligible and not item.unit.applied:
            why = _("it did not apply: the residuals go to the units that applied (\"alle "
                    "UDOS che hanno presentato istanza\")")
        else:
            continue
        found.append(Violation(
            CheckCode.RESIDUAL_SCOPE, unit_subject(unit_id, row), euros(0), euros(residual),
            _("unit {unit} receives {residual} EUR of residuals, but {why}").format(
                unit=unit_id, residual=euros(residual), why=why),
            unit=unit_id, area=item.area, service=item.service, row=row))
    return Findings(len(given), found)


def residual_above_deficit(evidence: Evidence) -> Findings:
    """No unit's residual award takes it beyond its deficit (prorated for the days active)."""
    found = []
    checked = 0
    for pool in evidence.pools:
        for item, need, _funded, residual in pool.units:
            if residual == 0:
                continue
            checked += 1
            if residual > need:
                row = evidence.first_row(item.unit.unit_id)
                found.append(Violation(
                    CheckCode.RESIDUAL_ABOVE_DEFICIT, unit_subject(item.unit.unit_id, row),
                    _at_most(need), euros(residual),
                    _("unit {unit} still lacked {need} EUR after its riparto award of "
                      "{award} EUR (deficit {deficit} EUR{prorated}), but receives {residual} "
                      "EUR of residuals").format(
                        unit=item.unit.unit_id, need=euros(need),
                        award=euros(evidence.criteria[item.unit.unit_id]),
                        deficit=euros(item.deficit),
                        prorated=_(", prorated {part}/{whole}").format(
                            part=item.proration.numerator, whole=item.proration.denominator)
                        if item.proration < 1 else "", residual=euros(residual)),
                    unit=item.unit.unit_id, area=item.area, service=item.service, row=row))
    return Findings(checked, found)


def residual_pool(evidence: Evidence) -> Findings:
    """The residual awards of a pool add up to at most what the riparto left in it."""
    found = [
        Violation(CheckCode.RESIDUAL_POOL, pool.subject, _at_most(pool.available),
                  euros(pool.given),
                  _("{pool}: the riparto leaves {available} EUR, but the residual awards add "
                    "up to {given} EUR").format(pool=pool.subject,
                                                available=euros(pool.available),
                                                given=euros(pool.given)), area=pool.code)
        for pool in evidence.pools if pool.given > pool.available
    ]
    return Findings(len(evidence.pools), found)


def residual_equal_share(evidence: Evidence) -> Findings:
    """A pool's recipients get one share mu of what each still lacked, within one cent."""
    found = []
    checked = 0
    for pool in evidence.pools:
        top, bottom = pool.share.numerator, pool.share.denominator
        for item, need, _funded, residual in pool.units:
            if residual == 0:
                continue
            checked += 1
            if abs(residual * bottom - top * need) > bottom:
                exact = pool.share * need
                row = evidence.first_row(item.unit.unit_id)
                found.append(Violation(
                    CheckCode.RESIDUAL_EQUAL_SHARE, unit_subject(item.unit.unit_id, row),
                    within_a_cent(exact), euros(residual),
                    _("{pool}: the residuals are given at {share} of what each unit still "
                      "lacks; unit {unit} lacked {need} EUR and should get {exact} EUR within "
                      "one cent, not {residual} EUR").format(
                        pool=pool.subject, share=share(pool.share), unit=item.unit.unit_id,
                        need=euros(need), exact=exact_euros(exact), residual=euros(residual)),
                    unit=item.unit.unit_id,
                    area=item.area, service=item.service, row=row))
    return Findings(checked, found)


def residual_left_out(evidence: Evidence) -> Findings:
    """No unit that applied gets no residual while the pool's share of its need is due to it.

    A unit the riparto funded is due any share of a cent or more; an unfunded one when the
    share of its need reaches the minimum award (then leaving it out pays its equals what it
    is denied).
    """
    minimum = evidence.rules.minimum_award
    found = []
    checked = 0
    for pool in evidence.pools:
        if pool.share == 0:
            continue
        for item, need, funded, residual in pool.units:
            if residual != 0 or need <= 0 or not item.unit.applied:
                continue
            checked += 1
            threshold = 1 if funded else max(minimum, 1)
            exact = pool.share * need
            if exact >= threshold:
                row = evidence.first_row(item.unit.unit_id)
                found.append(Violation(
                    CheckCode.RESIDUAL_LEFT_OUT, unit_subject(item.unit.unit_id, row),
                    _about(exact), euros(0),
                    _("{pool}: the residuals are given at {share} of what each unit still "
                      "lacks; unit {unit} lacked {need} EUR, so {exact} EUR{minimum} is due "
                      "to it, yet it gets no residual").format(
                        pool=pool.subject, share=share(pool.share), unit=item.unit.unit_id,
                        need=euros(need), exact=exact_euros(exact),
                        minimum="" if funded else _(", at least the minimum of {minimum} EUR,"
                                                    ).format(minimum=euros(minimum))),
                    unit=item.unit.unit_id,
                    area=item.area, service=item.service, row=row))
    return Findings(checked, found)


def residual_share_mismatch(evidence: Evidence) -> Findings:
    """The ``residual_share`` column is the pool's share mu (0 without a residual award)."""
    pool_of = {area: pool for pool in evidence.pools for area in pool.areas}
    found = []
    checked = 0
    for row, item in evidence.known_rows():
        if row.residual_share is None:
            continue
        checked += 1
        pool = pool_of.get(item.area)
        expected = (pool.share if pool is not None and evidence.residual[item.unit.unit_id] > 0
                    else _NONE)
        if not _share_agrees(row.residual_share, row.residual_places, expected):
            places = _shown_places(row.residual_places)
            found.append(Violation(
                CheckCode.RESIDUAL_SHARE_MISMATCH, unit_subject(row.unit_id, row.row),
                share(expected, places), share(row.residual_share, places),
                _("unit {unit}: its residual pool gives {expected} of what each unit still "
                  "lacks (0 for a unit without residual); the allocation says {actual}"
                  ).format(unit=row.unit_id, expected=share(expected, places),
                           actual=share(row.residual_share, places)),
                unit=row.unit_id, area=item.area, service=item.service, row=row.row,
                expected_exact=ratio(expected, places),
                actual_exact=ratio(row.residual_share, places)))
    return Findings(checked, found)
