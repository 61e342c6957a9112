"""Each visitor's data and scenarios, solved as ``fsr-opt solve`` would solve them."""

from __future__ import annotations

from pathlib import Path

import pytest

from fsr_opt.app.pipeline import input_warnings, load_inputs, solve_inputs
from fsr_opt.core.errors import ErrorCode, InputError, RuleSetError
from fsr_opt.web.parameters import Parameters
from fsr_opt.web.workspace import (
    BASE,
    CURRENT,
    MAX_SCENARIOS,
    DataSource,
    SolveSettings,
    Start,
    Workspace,
    Workspaces,
    clean_file_name,
    solve_scenario,
)

from .conftest import EXAMPLE_XLSX

BUNDLED = DataSource(None, None, "", "")


def test_a_scenario_is_the_command_lines_riparto(start: Start) -> None:
    parameters = Parameters(fund="850000.00", minimum_award="500.00",
                            switches={"require_application": False})
    scenario = solve_scenario(CURRENT, CURRENT, start.inputs, start.source, parameters,
                              SolveSettings())
    overrides = [("fund", "850000.00"), ("minimum_award", "500.00"),
                 ("eligibility.require_application", "false")]
    cli = load_inputs(None, None, overrides)
    assert scenario.inputs == cli  # the same rules, assessments and overrides
    _, allocation = solve_inputs(cli)
    assert scenario.allocation == allocation
    assert [o.award for o in scenario.outcomes] == [allocation.awards.get(u.unit_id, 0)
                                                    for u in cli.table.units]


def test_start_names_the_bundled_files(start: Start) -> None:
    assert (start.source.units_name, start.source.rules_name) == (
        "units.csv", "fsr-2025-bergamo.yaml")
    assert start.baseline.key == BASE and start.baseline.parameters.is_baseline
    assert any("located outside the Ambito" in line for line in input_warnings(start.inputs))


def test_changes_saves_and_errors(start: Start, tmp_path: Path) -> None:
    workspace = Workspace.open(tmp_path, start)
    assert workspace.current is workspace.baseline
    workspace.change(Parameters(fund="850000.00"))
    assert workspace.current.key == CURRENT and workspace.current.inputs.rules.fund == 85000000
    saved = workspace.save("  Fondo   ridotto ")
    assert (saved.key, saved.name) == ("s1", "Fondo ridotto")
    assert [s.key for s in workspace.scenarios()] == [BASE, CURRENT, "s1"]
    assert workspace.scenario("s1") is saved and workspace.scenario(BASE) is workspace.baseline
    for name, words in (("", "nome"), ("fondo RIDOTTO", "esiste già"), ("x" * 61, "60")):
        with pytest.raises(InputError, match=words):
            workspace.save(name)
    with pytest.raises(InputError, match="s9"):
        workspace.scenario("s9")
    before = workspace.current
    with pytest.raises(RuleSetError):  # shares beyond 100% together break the 100% rule
        workspace.change(Parameters(shares={"minori": 60, "disabili": 50, "anziani": 40}))
    assert workspace.current is before  # nothing changed
    workspace.forget("s1")
    workspace.forget("s1")  # twice: the page may be out of date
    assert [s.key for s in workspace.scenarios()] == [BASE, CURRENT]
    workspace.change(Parameters())
    assert workspace.current is workspace.baseline


def test_at_most_so_many_saved(start: Start, tmp_path: Path) -> None:
    workspace = Workspace.open(tmp_path, start)
    for index in range(MAX_SCENARIOS):
        workspace.save(f"s{index}")
    with pytest.raises(InputError, match=str(MAX_SCENARIOS)) as caught:
        workspace.save("one more")
    assert caught.value.codes == (ErrorCode.BAD_OPTION,)


def test_new_files_replace_the_data_only_when_they_load(start: Start, tmp_path: Path) -> None:
    workspace = Workspace.open(tmp_path, start)
    workspace.change(Parameters(fund="850000.00"))
    workspace.save("old data")
    bad = workspace.upload_path("../../etc/bad units.csv")
    assert bad.parent.parent == tmp_path and bad.name == "bad units.csv"
    bad.write_text("unit_id,name\nA,B\n", encoding="utf-8")
    with pytest.raises(InputError):
        workspace.replace_source(DataSource(bad, None, bad.name, ""))
    assert workspace.source.units is None and workspace.current.inputs.rules.fund == 85000000
    good = workspace.upload_path("units.xlsx")
    good.write_bytes(EXAMPLE_XLSX.read_bytes())
    workspace.replace_source(DataSource(good, None, good.name, ""))
    assert workspace.source.units_name == "units.xlsx"
    assert workspace.source.rules_name == "fsr-2025-bergamo.yaml"
    assert workspace.current is workspace.baseline  # parameters back to the rules
    assert [s.name for s in workspace.saved.values()] == ["old data"]  # kept, with its data
    assert workspace.saved["s1"].source.units is None


def test_visitors_are_kept_apart_and_the_oldest_is_forgotten(start: Start) -> None:
    visitors = Workspaces(start, limit=2)
    try:
        first_id, first = visitors.create()
        second_id, second = visitors.create("en")
        assert first_id != second_id and first is not second and second.lang == "en"
        first.change(Parameters(fund="850000.00"))
        assert second.current is second.baseline
        assert visitors.get(first_id) is first  # first is now the most recent
        visitors.create()
        assert visitors.get(second_id) is None and not second.folder.exists()
        assert visitors.get(first_id) is first and first.folder.is_dir()
        assert visitors.get(None) is None and visitors.get("made-up") is None
        assert len(visitors) == 2
    finally:
        visitors.close()
    assert not first.folder.exists()


def test_clean_file_names() -> None:
    assert clean_file_name("C:\\Users\\ufficio\\Unità 2025.xlsx") == "Unità 2025.xlsx"
    assert clean_file_name("../..") == "file" and clean_file_name("a<b>|c.csv") == "a_b__c.csv"
    assert len(clean_file_name("x" * 500)) == 120
