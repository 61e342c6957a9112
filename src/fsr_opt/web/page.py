"""What the page shows, as plain data: the controls, the riparto, its difference, the errors.

The server answers every change with `state`: one JSON document with everything the page
draws (the browser only lays it out, searches, sorts and filters). Amounts travel as integer
cents and are written by the page as `fsr_opt.core.words.money` writes them; labels come
from the catalogue of words in the visitor's language. The charts are the report's own SVG
(`fsr_opt.reports.html`), drawn here, so the page and report.html never disagree.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from fsr_opt.app.pipeline import input_warnings
from fsr_opt.core.errors import FsrOptError, Problem
from fsr_opt.core.i18n import use_language
from fsr_opt.core.schema import INPUT_COLUMNS, Binding, ExclusionReason
from fsr_opt.core.words import (
    WORDS,
    binding_label,
    describe,
    percent,
    phrases,
    ratio,
    text,
    with_year,
    written_in,
)
from fsr_opt.io.cells import fold_heading
from fsr_opt.io.units import COLUMN_LOOKUP
from fsr_opt.reports.annex import spelling_groups
from fsr_opt.reports.html import (
    award_brackets,
    binding_counts,
    column_bars,
    donut_chart,
    line_bars,
    paired_bars,
)
from fsr_opt.reports.tables import residual_lines
from fsr_opt.web.parameters import (
    ELIGIBILITY_SWITCHES,
    RESIDUAL_SCOPES,
    ShareMove,
    command_line,
    has_residual_rules,
    rule_shares,
    share_field,
)
from fsr_opt.web.workspace import BASE, CURRENT, Scenario, Workspace
from fsr_opt.whatif.diff import Change, RunDiff, diff_runs
from fsr_opt.whatif.explain import explain_unit, find_unit

# Units whose award moves most, listed under the difference (the table has them all).
TOP_MOVES = 15
# The columns of a unit's row in `units`, in order (the page reads them by name).
UNIT_COLUMNS = (
    "id", "name", "operator", "municipality", "service", "area", "eligible", "reasons",
    "entitlement", "award", "base_award", "change", "binding", "binding_base", "place",
)
ERROR_TITLES = {
    "input_error": "web.error.input",
    "rule_set_error": "web.error.rules",
    "infeasible": "web.error.infeasible",
    "solver_failure": "web.error.solver",
}


def scenario_name(scenario: Scenario, lang: str) -> str:
    """How people call a scenario: the baseline and the current one by their role."""
    if scenario.key == BASE:
        return text("web.scenario.base", lang)
    if scenario.key == CURRENT:
        return text("web.scenario.current", lang)
    return scenario.name


def problems(error: FsrOptError, lang: str) -> dict[str, Any]:
    """An error as the page shows it: a title in the visitor's language and a table.

    Each problem gives its file (name only), row, column, message and how to fix it (the
    catalogue's advice for its code, when there is one). A time limit gets its own title.
    """
    codes = set(error.codes)
    key = "web.error.time_limit" if "TIME_LIMIT" in codes else ERROR_TITLES.get(
        error.kind, "web.error.other")
    rows = [{
        "file": Path(problem.file).name if problem.file else "",
        "row": problem.row,
        "column": problem.column or "",
        "message": problem.message,
        "fix": advice(problem, lang),
        "code": problem.code.value,
    } for problem in error.problems]
    return {"title": text(key, lang), "count": len(rows), "problems": rows,
            "kept": text("web.error.kept", lang)}


COLUMN_KINDS = {spec.name: spec.kind for spec in INPUT_COLUMNS}


def advice(problem: Problem, lang: str) -> str:
    """How to fix a problem: the catalogue's advice for its code ("" when it has none).

    A column of the units table can have its own (``web.fix.CODE.KIND``): the users are a
    whole number, where an amount has two decimals.
    """
    name = COLUMN_LOOKUP.get(fold_heading(problem.column)) if problem.column else None
    code = problem.code.value
    keys = (f"web.fix.{code}.{COLUMN_KINDS[name]}",) if name else ()
    for key in (*keys, f"web.fix.{code}"):
        if key in WORDS:
            return text(key, lang)
    return ""


def _controls(workspace: Workspace, moves: Sequence[ShareMove]) -> dict[str, Any]:
    lang = workspace.lang
    base = workspace.baseline.inputs.rules
    current = workspace.current
    rules = current.inputs.rules
    parameters = current.parameters
    labels = rules.area_labels
    shares = rule_shares(rules)
    base_shares = rule_shares(base)
    return {
        "fund": rules.fund,
        "base_fund": base.fund,
        "minimum_award": rules.minimum_award,
        "base_minimum_award": base.minimum_award,
        "shares": [{"area": code, "label": labels[code], "value": share_field(value),
                    "text": percent(value, lang),
                    "base": percent(base_shares.get(code, value), lang),
                    "changed": base_shares.get(code) != value}
                   for code, value in shares.items()],
        "moves": [{"area": move.area, "label": labels.get(move.area, move.area),
                   "before": percent(move.before, lang), "after": percent(move.after, lang)}
                  for move in moves],
        "switches": [{"name": name,
                      "label": with_year(text(f"web.switch.{name}", lang), rules.history_year),
                      "on": bool(getattr(rules.eligibility, name)),
                      "changed": name in parameters.switches}
                     for name in ELIGIBILITY_SWITCHES],
        "services": [{"code": service.code, "label": service.label, "area": area.code,
                      "historical": service.historical,
                      "base": base.service(service.code).historical
                      if _has_service(base, service.code) else service.historical,
                      "changed": service.code in parameters.historical}
                     for area in rules.areas for service in area.services],
        "residual": {
            "available": has_residual_rules(rules),
            "scopes": [{"value": scope, "label": text(f"web.residual.{scope}", lang)}
                       for scope in RESIDUAL_SCOPES],
            "value": parameters.residual_scope or "",
        },
        "command": command_line(current.overrides),
        "changed": not parameters.is_baseline,
    }


def _has_service(rules: Any, code: str) -> bool:
    try:
        rules.service(code)
    except KeyError:
        return False
    return True


def _areas(scenario: Scenario, diff: RunDiff, lang: str) -> list[dict[str, Any]]:
    """Each area: the riparto's awards, the residual phase's, and their sum, ``awarded``.

    ``awarded`` is what the units receive (the summary's Assegnato adds these up), and
    ``awarded_base`` the same sum in the baseline: the two always compare like with like.
    """
    rules = scenario.inputs.rules
    allocation = scenario.allocation
    before = {line.area: line for line in diff.lines if line.service == "TOTAL"}
    residual: Counter[str] = Counter()
    for outcome in scenario.outcomes:
        residual[outcome.assessment.area] += outcome.residual_award
    rows = []
    for area in rules.areas:
        budget = allocation.area_budgets[area.code]
        riparto = sum(allocation.services[s.code].awarded for s in area.services)
        awarded = riparto + residual[area.code]
        change = before.get(area.code)
        rows.append({
            "area": area.code, "label": area.label, "share": percent(area.share_percent, lang),
            "budget": budget, "riparto": riparto, "residual": residual[area.code],
            "awarded": awarded, "unassigned": budget - awarded,
            "budget_base": change.budget_before if change else None,
            "awarded_base": (change.awarded_before + change.residual_before
                             if change else None),
        })
    return rows


def _lines(scenario: Scenario, diff: RunDiff, lang: str) -> list[dict[str, Any]]:
    """Each service line: the riparto's award, the residual phase's, and their sum ``awarded``.

    The target and the deviation are about the riparto's award; ``awarded`` is compared with
    the baseline's sum.
    """
    rules = scenario.inputs.rules
    allocation = scenario.allocation
    funded: Counter[str] = Counter()
    not_funded: Counter[str] = Counter()
    residual: Counter[str] = Counter()
    for outcome in scenario.outcomes:
        (funded if outcome.award > 0 else not_funded)[outcome.assessment.service] += 1
        residual[outcome.assessment.service] += outcome.residual_award
    before = {(line.area, line.service): line for line in diff.lines}
    rows = []
    for area in rules.areas:
        for service in area.services:
            result = allocation.services[service.code]
            target = allocation.target_cents[service.code]
            change = before.get((area.code, service.code))
            rows.append({
                "area": area.code, "area_label": area.label, "service": service.code,
                "label": service.label, "historical": service.historical, "target": target,
                "riparto": result.awarded, "deviation": result.awarded - target,
                "residual": residual[service.code],
                "awarded": result.awarded + residual[service.code],
                "share": ratio(result.share * 100, 4, lang) + "%", "funded": funded[service.code],
                "not_funded": not_funded[service.code],
                "awarded_base": (change.awarded_before + change.residual_before
                                 if change else None),
            })
    return rows


def charts(scenario: Scenario, lang: str) -> list[dict[str, str]]:
    """The charts of report.html for this scenario: areas, lines, awards, binding limits."""
    phrase = phrases("html", lang)
    rules = scenario.inputs.rules
    year = str(rules.history_year)

    def w(name: str) -> str:  # as report.html: the words name the reference year
        return phrase(name).replace("{history_year}", year)

    allocation = scenario.allocation
    areas = [(area.label, allocation.area_budgets[area.code]) for area in rules.areas]
    lines = line_bars(scenario.outcomes, allocation, rules)
    labels, counts, _ = award_brackets(scenario.outcomes, lang)
    return [
        {"title": w("area_chart"), "svg": donut_chart(areas, w("area_chart"), lang)},
        {"title": w("service_chart"), "svg": paired_bars(
            lines, (w("legend_hist"), w("legend_now")), w("service_chart"), lang)},
        {"title": w("distribution_chart"), "svg": column_bars(
            list(zip(labels, counts, strict=True)), w("distribution_chart"), lang)},
        {"title": w("binding_chart"), "svg": column_bars(
            [(label, count) for _, label, count in binding_counts(scenario.outcomes, lang)],
            w("binding_chart"), lang)},
    ]


def municipality_groups(names: Sequence[str]) -> dict[str, str]:
    """Each spelling of a Comune -> the spelling its group is shown under.

    As allocation.xlsx's Per Comune sheet groups them (`fsr_opt.reports.annex.group_totals`):
    names compared without case and extra spaces ("BERGAMO", "Bergamo "), a group shown under
    its most frequent spelling (`names` has one entry per unit), the first in name order on a
    tie.
    """
    return spelling_groups(Counter(names))


def _units(scenario: Scenario, diff: RunDiff) -> list[list[Any]]:
    """One row per unit (`UNIT_COLUMNS`), in the table's order, with the baseline's award.

    ``place`` is the unit's Comune as the filter offers it: spellings that differ only in
    case or spaces are one Comune (`municipality_groups`).
    """
    changes = {change.unit_id: change for change in diff.units}
    places = municipality_groups([o.assessment.unit.municipality for o in scenario.outcomes])
    rows = []
    for outcome in scenario.outcomes:
        item = outcome.assessment
        unit = item.unit
        change = changes.get(unit.unit_id)
        rows.append([
            unit.unit_id, unit.name, unit.operator, unit.municipality, item.service, item.area,
            item.eligible, [reason.value for reason in item.reasons], item.entitlement,
            outcome.award, change.before if change else 0,
            change.change.value if change else Change.UNCHANGED.value,
            outcome.binding.value, change.binding_before if change else "",
            places[unit.municipality],
        ])
    return rows


def _difference(diff: RunDiff) -> dict[str, Any]:
    counts = {change.value: diff.count(change) for change in Change}
    moved = sorted((u for u in diff.units if u.delta or u.binding_changed),
                   key=lambda u: (-abs(u.delta), u.unit_id))
    return {
        "counts": counts,
        "binding_changes": diff.binding_changes,
        "moved": len(moved),
        "top": [{"id": u.unit_id, "name": u.name, "before": u.before, "after": u.after,
                 "change": u.change.value, "binding_before": u.binding_before,
                 "binding_after": u.binding_after} for u in moved[:TOP_MOVES]],
    }


def result(scenario: Scenario, baseline: Scenario, lang: str) -> dict[str, Any]:
    """Everything the page shows about one scenario against the baseline."""
    diff = diff_runs(baseline.view(BASE), scenario.view(scenario.key))
    outcomes = scenario.outcomes
    awarded = sum(outcome.award for outcome in outcomes)
    distributable = sum(scenario.allocation.area_budgets.values())
    rules = scenario.inputs.rules
    return {
        "scenario": scenario.key,
        "name": scenario_name(scenario, lang),
        "seconds": round(scenario.seconds, 3),
        "solver": f"{scenario.result.solver} {scenario.result.solver_version}".strip(),
        "messages": [written_in(message, lang) for message in scenario.result.messages],
        "fund": rules.fund,
        "distributable": distributable,
        "awarded": awarded,
        "unassigned": distributable - awarded,
        "base_awarded": sum(unit.before for unit in diff.units),
        "units": len(outcomes),
        "eligible": sum(1 for o in outcomes if o.assessment.eligible),
        "funded": sum(1 for o in outcomes if o.award > 0),
        "areas": _areas(scenario, diff, lang),
        "residual_lines": residual_lines(scenario.allocation, lang, scenario.inputs.rules),
        "lines": _lines(scenario, diff, lang),
        "charts": charts(scenario, lang),
        "columns": UNIT_COLUMNS,
        "rows": _units(scenario, diff),
        "difference": _difference(diff),
    }


def _scenario_card(scenario: Scenario, lang: str) -> dict[str, Any]:
    rules = scenario.inputs.rules
    awarded = sum(outcome.award for outcome in scenario.outcomes)
    distributable = sum(scenario.allocation.area_budgets.values())
    return {
        "key": scenario.key,
        "name": scenario_name(scenario, lang),
        "units_file": scenario.source.units_name,
        "rules_file": scenario.source.rules_name,
        "fund": rules.fund,
        "minimum_award": rules.minimum_award,
        "shares": [{"label": area.label, "text": percent(area.share_percent, lang)}
                   for area in rules.areas],
        "awarded": awarded,
        "unassigned": distributable - awarded,
        "funded": sum(1 for o in scenario.outcomes if o.award > 0),
        "command": command_line(scenario.overrides),
    }


def scenario_warnings(workspace: Workspace) -> list[str]:
    """The units that deserve a look, as true for the scenario shown as for the baseline.

    A unit located outside the Ambito is excluded while the access criterion is on (the
    command line's warning); once the planner switches it off, the unit is no longer excluded
    for it, and the page says so (the Comune may still be misspelt).
    """
    current = workspace.current.inputs
    if current.rules.eligibility.require_in_ambito:
        return input_warnings(current)
    return input_warnings(
        current, located=workspace.base_inputs.assessments,
        criterion_off=with_year(text("web.switch.require_in_ambito"),
                                current.rules.history_year))


def state(workspace: Workspace, moves: Sequence[ShareMove] = ()) -> dict[str, Any]:
    """The whole page for one visitor: data, controls, result, saved scenarios."""
    lang = workspace.lang
    rules = workspace.current.inputs.rules
    table = workspace.base_inputs.table
    labels = rules.line_labels
    with use_language(lang):  # in the visitor's language, which can change after the load
        located = scenario_warnings(workspace)
    return {
        "lang": lang,
        "source": {
            "units": workspace.source.units_name, "rules": workspace.source.rules_name,
            "count": len(table.units), "rule_set": f"{rules.rule_set_id} v{rules.version}",
            "ambito": rules.ambito, "year": rules.year,
            "bundled": workspace.source.units is None,
        },
        # what reading the files said, then the units to look at; the files by name: the
        # page need not show where the server keeps them
        "warnings": [*workspace.reading.lines(lang),
                     *(line.replace(table.source, Path(table.source).name)
                       for line in located)],
        "controls": _controls(workspace, moves),
        "result": result(workspace.current, workspace.baseline, lang),
        "scenarios": [_scenario_card(s, lang) for s in workspace.scenarios()],
        "services": labels,
        "areas": rules.area_labels,
        "bindings": {b.value: describe("binding", b.value, lang,
                                       history_year=rules.history_year) for b in Binding},
        "binding_labels": {b.value: binding_label(b.value, lang) for b in Binding},
        "reasons": {reason.value: describe("reason", reason.value, lang,
                                           history_year=rules.history_year)
                    for reason in ExclusionReason},
    }


def explanation(scenario: Scenario, unit_id: str, lang: str) -> dict[str, str]:
    """One unit explained as ``fsr-opt explain`` does, for this scenario.

    Raises:
        InputError: no unit has this id.
    """
    outcome = find_unit(unit_id, scenario.outcomes, scenario.inputs.table.source)
    area = outcome.assessment.area
    allocation = scenario.allocation
    spent = sum(r.awarded for r in allocation.services.values() if r.area == area)
    body = explain_unit(outcome, allocation.services[outcome.assessment.service],
                        scenario.inputs.rules, area_budget=allocation.area_budgets.get(area, 0),
                        area_spent=spent, lang=lang)
    unit = outcome.assessment.unit
    return {"id": unit.unit_id, "name": unit.name, "scenario": scenario_name(scenario, lang),
            "text": body}


def _labels(scenario: Scenario) -> tuple[dict[str, str], dict[str, str]]:
    """The labels of a scenario's rule set: area code -> label, service code -> label."""
    rules = scenario.inputs.rules
    return rules.area_labels, rules.line_labels


def comparison(first: Scenario, second: Scenario, lang: str) -> dict[str, Any]:
    """Two scenarios compared as ``fsr-opt compare`` does (the first is the base)."""
    diff = diff_runs(first.view(scenario_name(first, lang)),
                     second.view(scenario_name(second, lang)))
    (areas_one, lines_one), (areas_two, lines_two) = _labels(first), _labels(second)
    areas, services = {**areas_one, **areas_two}, {**lines_one, **lines_two}  # either may lack one
    # awarded: what the units receive, the riparto's and the residual phase's (the cards'
    # Assegnato); the residual part is also given on its own.
    lines = [{"area": line.area, "service": line.service,
              "area_label": areas.get(line.area, line.area),
              "label": services.get(line.service, line.service),
              "budget_before": line.budget_before, "budget_after": line.budget_after,
              "awarded_before": line.awarded_before + line.residual_before,
              "awarded_after": line.awarded_after + line.residual_after,
              "residual_before": line.residual_before, "residual_after": line.residual_after,
              "distance_before": line.distance_before, "distance_after": line.distance_after,
              "funded_before": line.funded_before, "funded_after": line.funded_after}
             for line in diff.lines]
    return {"first": _scenario_card(first, lang), "second": _scenario_card(second, lang),
            "lines": lines, "difference": _difference(diff)}
