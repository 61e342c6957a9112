"""What the page shows: the same figures as the command line's outputs, in the visitor's words."""

from __future__ import annotations

import html
import json
from fractions import Fraction
from pathlib import Path

from fsr_opt.app.scenarios import run_explain
from fsr_opt.core.errors import ErrorCode, FsrOptError, InputError, Problem, SolverError
from fsr_opt.core.i18n import use_language
from fsr_opt.core.words import WORDS
from fsr_opt.reports.annex import annex_rows, by_municipality
from fsr_opt.reports.html import binding_counts
from fsr_opt.web.page import (
    UNIT_COLUMNS,
    comparison,
    explanation,
    municipality_groups,
    problems,
    state,
)
from fsr_opt.web.parameters import Parameters
from fsr_opt.web.workspace import Start, Workspace


def test_every_error_code_has_its_advice_in_both_languages() -> None:
    assert {f"web.fix.{code.value}" for code in ErrorCode} <= set(WORDS)


def test_a_bad_file_is_a_table_of_problems_with_the_advice() -> None:
    error = InputError([
        Problem("'tanti' is not a number", file="/private/tmp/x/units.csv", row=4,
                column="Utenti 2024", code=ErrorCode.NOT_A_NUMBER),
        Problem("no such column", file="/private/tmp/x/units.csv",
                code=ErrorCode.MISSING_COLUMN),
    ])
    shown = problems(error, "it")
    assert shown["title"] == "Errore nei dati" and shown["count"] == 2
    first = shown["problems"][0]
    assert first == {"file": "units.csv", "row": 4, "column": "Utenti 2024",
                     "message": "'tanti' is not a number",
                     "fix": WORDS["web.fix.NOT_A_NUMBER.int"]["it"], "code": "NOT_A_NUMBER"}
    assert shown["problems"][1]["row"] is None
    assert problems(error, "en")["title"] == "Error in the data"


def test_the_advice_fits_the_kind_of_column() -> None:
    def fix(column: str | None, code: ErrorCode) -> str:
        error = InputError([Problem("bad", row=2, column=column, code=code)])
        return str(problems(error, "it")["problems"][0]["fix"])

    users = fix("Utenti 2024", ErrorCode.NOT_A_NUMBER)
    assert "numero intero" in users and "due decimali" not in users  # users are whole
    assert fix("UTENTI", ErrorCode.NOT_A_NUMBER) == users  # any spelling of the heading
    assert "due decimali" in fix("Costi 2024", ErrorCode.NOT_A_NUMBER)
    assert "(1200)" in fix("Utenti 2024", ErrorCode.AMBIGUOUS_NUMBER)
    assert "(1234,00)" in fix("Ricavi 2024", ErrorCode.AMBIGUOUS_NUMBER)
    assert fix(None, ErrorCode.NOT_A_NUMBER) == WORDS["web.fix.NOT_A_NUMBER"]["it"]
    assert fix("Note", ErrorCode.NOT_A_NUMBER) == WORDS["web.fix.NOT_A_NUMBER"]["it"]


def test_each_failure_has_its_own_title() -> None:
    timed_out = SolverError("CBC stopped at the time limit", ErrorCode.TIME_LIMIT)
    assert problems(timed_out, "it")["title"].startswith("Il calcolo ha superato il tempo")
    crashed = SolverError("CBC crashed", ErrorCode.SOLVER_CRASHED)
    assert problems(crashed, "it")["title"] == "Il calcolo non è riuscito"
    other = FsrOptError("something", ErrorCode.BAD_OPTION)
    assert problems(other, "it")["title"] == "Errore"


def test_the_state_adds_up_as_the_riparto_does(start: Start, tmp_path: Path) -> None:
    workspace = Workspace.open(tmp_path, start)
    workspace.change(Parameters(fund="850000.00"))
    page = state(workspace)
    result = page["result"]
    allocation = workspace.current.allocation
    assert result["awarded"] == sum(allocation.awards.values())
    assert result["distributable"] == 85000000
    assert result["unassigned"] == result["distributable"] - result["awarded"]
    for area in result["areas"]:
        assert area["budget"] == allocation.area_budgets[area["area"]]
        assert area["unassigned"] == area["budget"] - area["awarded"]
        assert area["budget_base"] == workspace.baseline.allocation.area_budgets[area["area"]]
    assert sum(line["awarded"] for line in result["lines"]) == result["awarded"]
    assert len(result["rows"]) == len(start.inputs.table.units)
    rows = [dict(zip(UNIT_COLUMNS, row, strict=True)) for row in result["rows"]]
    assert sum(row["award"] for row in rows) == result["awarded"]
    assert sum(row["base_award"] for row in rows) == result["base_awarded"] == 89249535
    assert {row["change"] for row in rows} <= {"ENTERS", "LEAVES", "GAINS", "LOSES", "UNCHANGED"}
    counts = result["difference"]["counts"]
    assert sum(counts.values()) == len(rows) and counts["LOSES"] > 0
    assert [chart["svg"][:4] for chart in result["charts"]] == ["<svg"] * 4
    assert page["controls"]["command"] == "--budget 850000.00"
    assert page["controls"]["fund"] == 85000000 and page["controls"]["base_fund"] == 89249535
    assert [s["name"] for s in page["scenarios"]] == ["Base", "Scenario corrente"]
    # the file by its name only, in the workspace's language (Italian by default)
    assert page["warnings"][0].startswith("units.csv, riga ")


def test_the_explanation_is_the_explain_command(start: Start, tmp_path: Path) -> None:
    workspace = Workspace.open(tmp_path, start, "en")
    workspace.change(Parameters(fund="850000.00"))
    shown = explanation(workspace.current, "udo681697", "en")  # as explain, any case
    assert shown["id"] == "UDO681697" and shown["scenario"] == "Current scenario"
    assert shown["text"] == run_explain("UDO681697", None, None, [("fund", "850000.00")],
                                        lang="en")


def test_a_comparison_lists_every_area_and_unit(start: Start, tmp_path: Path) -> None:
    workspace = Workspace.open(tmp_path, start)
    workspace.change(Parameters(fund="850000.00"))
    saved = workspace.save("850")
    compared = comparison(workspace.baseline, saved, "it")
    assert (compared["first"]["name"], compared["second"]["name"]) == ("Base", "850")
    fund = compared["lines"][-1]
    assert (fund["area"], fund["service"]) == ("TOTAL", "TOTAL")
    assert fund["budget_before"] == 89249535 and fund["budget_after"] == 85000000
    assert fund["awarded_after"] == compared["second"]["awarded"]
    assert compared["difference"]["counts"]["LOSES"] == state(workspace)["result"][
        "difference"]["counts"]["LOSES"]


def test_no_placeholder_is_left_in_the_page(start: Start, tmp_path: Path) -> None:
    """The page's words name the reference year, as report.html does ("Assegnato 2024")."""
    for lang in ("it", "en"):
        workspace = Workspace.open(tmp_path / lang, start, lang)
        page = json.dumps(state(workspace), ensure_ascii=False)
        assert "{history_year}" not in page and "{year}" not in page, lang
        titles = [chart["title"] for chart in state(workspace)["result"]["charts"]]
        assert any("2024" in title for title in titles), titles


def test_the_charts_name_the_binding_limits_in_the_page_s_language(
    start: Start, tmp_path: Path
) -> None:
    # The page's charts are report.html's: the bars of the binding limits carry their names
    # in the visitor's language ("sotto il minimo"), never the codes of allocation.csv.
    for lang, below_minimum in (("it", "sotto il minimo"), ("en", "below the minimum")):
        workspace = Workspace.open(tmp_path / lang, start, lang)
        page = state(workspace)
        svg = page["result"]["charts"][3]["svg"]
        names = binding_counts(workspace.current.outcomes, lang)
        assert [name for _, name, _ in names if name == below_minimum] == [below_minimum]
        for code, name, count in names:
            assert f">{html.escape(name)}<" in svg and f">{count}<" in svg
            assert code == name or f">{code}<" not in svg


def test_the_warnings_of_the_files_are_in_the_visitor_s_language(
    start: Start, tmp_path: Path
) -> None:
    # The server loads its files once, in its own language; a visitor who switches to the
    # other language reads the warnings (units outside the Ambito) in that one.
    workspace = Workspace.open(tmp_path, start, "it")
    italian = state(workspace)["warnings"]
    workspace.lang = "en"
    english = state(workspace)["warnings"]
    assert len(italian) == len(english) == 2
    assert italian[0].startswith("units.csv, riga 221: l'unità UDO356205 è a 'Dalmine'")
    assert english[0].startswith("units.csv, row 221: unit UDO356205 is in 'Dalmine'")


def test_the_solver_s_messages_follow_the_visitor_s_language(
    start: Start, tmp_path: Path
) -> None:
    # A scenario is solved once, in the language of the visitor who made it; one who then
    # switches language reads its messages (a minimum award above some entitlements) in the
    # new one, amounts written its way.
    workspace = Workspace.open(tmp_path, start, "it")
    with use_language("it"):
        workspace.change(Parameters(minimum_award="40000.00"))
    italian = state(workspace)["result"]["messages"]
    workspace.lang = "en"
    english = state(workspace)["result"]["messages"]
    assert italian and len(italian) == len(english)
    assert all("contributo minimo" in message for message in italian), italian
    assert all("minimum award, 40,000.00 EUR, is above every entitlement" in message
               for message in english), english


def test_assegnato_is_the_same_amount_in_the_summary_the_tables_and_the_comparison(
    start: Start, tmp_path: Path
) -> None:
    # A planner set the fund to 850.000,00 and Area Disabili to 20%: the residual phase pays
    # 67.363,04 EUR. The summary said Assegnato 850.000,00 (-42.495,35 against the base) while
    # the areas' TOTALE said 782.636,96 (-109.858,39), the riparto without the residuals, and
    # so did the comparison. Assegnato is now what the units receive everywhere; the riparto's
    # part and the residuals' have their own columns.
    workspace = Workspace.open(tmp_path, start)
    shares = {"minori": Fraction("4444/100"), "disabili": Fraction(20),
              "anziani": Fraction("3556/100")}
    workspace.change(Parameters(fund="850000.00", shares=shares))
    result = state(workspace)["result"]
    areas, lines = result["areas"], result["lines"]
    assert result["awarded"] == 85000000 and result["base_awarded"] == 89249535
    assert sum(a["awarded"] for a in areas) == sum(line["awarded"] for line in lines) == 85000000
    assert sum(a["residual"] for a in areas) == sum(line["residual"] for line in lines) == 6736304
    assert sum(a["riparto"] for a in areas) == sum(line["riparto"] for line in lines) == 78263696
    assert sum(a["awarded_base"] for a in areas) == result["base_awarded"]
    assert sum(line["awarded_base"] for line in lines) == result["base_awarded"]
    for area in areas:
        assert area["awarded"] == area["riparto"] + area["residual"]
        assert area["unassigned"] == area["budget"] - area["awarded"]
    for line in lines:
        assert line["deviation"] == line["riparto"] - line["target"]
    compared = comparison(workspace.baseline, workspace.save("D20"), "it")
    fund = compared["lines"][-1]
    assert fund["awarded_before"] == result["base_awarded"] == compared["first"]["awarded"]
    assert fund["awarded_after"] == 85000000 == compared["second"]["awarded"]
    assert fund["residual_after"] == 6736304


def test_the_outside_ambito_warning_is_true_for_the_scenario_shown(
    start: Start, tmp_path: Path
) -> None:
    # The warning said "esclusa (ubicata fuori dall'Ambito)" after the planner switched that
    # criterion off, while the unit was funded.
    workspace = Workspace.open(tmp_path, start, "it")
    assert all("esclusa (ubicata fuori dall'Ambito)" in line
               for line in state(workspace)["warnings"])
    workspace.change(Parameters(switches={"require_in_ambito": False}))
    outcome = next(o for o in workspace.current.outcomes
                   if o.assessment.unit.unit_id == "UDO356205")
    assert outcome.assessment.eligible
    warnings = state(workspace)["warnings"]
    assert len(warnings) == 2
    assert all("esclusa (ubicata" not in line for line in warnings), warnings
    assert warnings[0].startswith("units.csv, riga 221: l'unità UDO356205 è a 'Dalmine'")
    assert "«Ubicazione nell'Ambito» è spento" in warnings[0], warnings[0]
    workspace.lang = "en"
    assert "'Located in the Ambito' is off in this scenario" in state(workspace)["warnings"][0]


def test_areas_and_lines_are_named_by_the_rule_set_s_labels(start: Start, tmp_path: Path) -> None:
    # The lines table and the comparison showed the area's code ("minori"); the page now has
    # the rule set's labels for the area and the line (the codes stay for tooltips).
    workspace = Workspace.open(tmp_path, start)
    workspace.change(Parameters(fund="850000.00"))
    line = state(workspace)["result"]["lines"][0]
    assert (line["area"], line["area_label"]) == ("minori", "Area Minori e Famiglia")
    compared = comparison(workspace.baseline, workspace.current, "it")
    labels = {(row["area"], row["service"]): (row["area_label"], row["label"])
              for row in compared["lines"]}
    assert labels[("minori", "prima_infanzia")] == (
        "Area Minori e Famiglia", start.inputs.rules.service("prima_infanzia").label)
    assert labels[("minori", "TOTAL")][0] == "Area Minori e Famiglia"


def test_the_comuni_are_grouped_as_the_workbook_groups_them(start: Start, tmp_path: Path) -> None:
    # The Comune filter offered "Bergamo" and "BERGAMO", "Torre Boldone" and "torre boldone";
    # allocation.xlsx's Per Comune sheet has one of each.
    workspace = Workspace.open(tmp_path, start)
    rows = [dict(zip(UNIT_COLUMNS, row, strict=True)) for row in state(workspace)["result"]["rows"]]
    spelled = {row["municipality"] for row in rows}
    assert {"Bergamo", "BERGAMO", "Torre Boldone", "torre boldone"} <= spelled
    places = {row["place"] for row in rows}
    outcomes = workspace.current.outcomes
    assert places == {group.name for group in by_municipality(annex_rows(outcomes))}
    assert {"Bergamo", "Torre Boldone"} <= places and "BERGAMO" not in places
    assert municipality_groups(["A b", "a  B", "a B", "A b"]) == {
        "A b": "A b", "a  B": "A b", "a B": "A b"}
