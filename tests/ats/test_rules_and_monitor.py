"""The ATS rule set's checks, the monitoring's figures and flags, and the report's parts."""

from __future__ import annotations

import io
from pathlib import Path

import openpyxl
import pytest
import yaml

from fsr_opt.app.ats import load_ats_rules
from fsr_opt.core.errors import ErrorCode, RuleSetError
from fsr_opt.engine.ats_monitor import monitor
from fsr_opt.engine.ats_rebalance import rebalance
from fsr_opt.engine.ats_split import split_fund
from fsr_opt.io.ats import default_ats_example, default_ats_rules_path, load_indicators
from fsr_opt.reports.ats import report_html, report_workbook

from .helpers import bundled_rules, report


def _edited(tmp_path: Path, edit) -> Path:
    document = yaml.safe_load(default_ats_rules_path().read_text(encoding="utf-8"))
    edit(document)
    path = tmp_path / "ats.yaml"
    path.write_text(yaml.safe_dump(document, allow_unicode=True), encoding="utf-8")
    return path


def test_the_bundled_rule_set() -> None:
    rules = bundled_rules()
    assert rules.fund == 330_774_00 and len(rules.ambiti) == 14
    assert [i.weight for i in rules.indicators] == [30, 70]
    assert rules.set_aside_percent == 10 and rules.set_aside_max == 10
    assert all(p.description and p.reference for p in rules.parameters)


def test_every_problem_of_the_rule_set_at_once(tmp_path: Path) -> None:
    def edit(doc: dict) -> None:  # type: ignore[type-arg]
        doc["indicators"]["population_65"]["weight"]["value"] = 40  # 40 + 70
        doc["set_aside"]["percent"]["value"] = 12  # above max 10
        del doc["floor"]["reference"]
        doc["rebalance"]["max_transfers"]["value"] = -1
        doc["ambiti"]["bergamo"] = {"label": "again"}
        doc["unknown"] = 1

    with pytest.raises(RuleSetError) as caught:
        load_ats_rules(_edited(tmp_path, edit))
    codes = set(caught.value.codes)
    assert {ErrorCode.SHARES_NOT_100, ErrorCode.SET_ASIDE_TOO_LARGE,
            ErrorCode.MISSING_REFERENCE, ErrorCode.BAD_VALUE, ErrorCode.DUPLICATE_NAME,
            ErrorCode.UNKNOWN_KEY} <= codes
    assert "indicators: the weights total 110%" in str(caught.value)


def test_monitoring_figures_and_flags() -> None:
    lines = monitor([
        report("A", 1000_00, 600_00, 100_00, spent=500_00),  # residual 400, unmet 100
        report("B", 1000_00, 1200_00, 0, spent=1300_00),  # committed > assigned, spent > comm.
        report("C", 1000_00, 1000_00, 0, applications=3),  # applications without amount
    ], split={"A": 1000_00, "B": 999_00, "C": 1000_00})
    a, b, c = lines
    assert (a.spend_rate, a.residual, a.surplus, a.need) == (0.5, 400_00, 300_00, 0)
    assert a.flags == ("UNMET_WITH_RESIDUAL",)
    assert b.residual == -200_00 and b.surplus == 0
    assert b.flags == ("COMMITTED_ABOVE_ASSIGNED", "SPENT_ABOVE_COMMITTED",
                       "ASSIGNED_NOT_AS_SPLIT")
    assert c.flags == ("APPLICATIONS_WITHOUT_AMOUNT",)


def test_the_report_in_both_languages() -> None:
    rules = bundled_rules()
    split = split_fund(rules, load_indicators(default_ats_example("indicators.csv"), rules))
    lines = monitor([report(code, line.total, line.total - (100_000 if i % 2 else 0),
                            0 if i % 2 else 200_000)
                     for i, (code, line) in enumerate(zip(rules.ambiti, split.lines,
                                                          strict=True))])
    result = rebalance(lines, minimum=rules.minimum_transfer, max_transfers=20)
    book = openpyxl.load_workbook(io.BytesIO(report_workbook(
        rules, split=split, lines=lines, result=result)))
    assert book.sheetnames == ["Riparto tra gli Ambiti", "Monitoraggio", "Compensazione",
                               "Dopo la compensazione", "Parametri"]
    sheet = book["Riparto tra gli Ambiti"]
    assert sheet.cell(2, 5).value == pytest.approx(533_83.66)
    assert sheet.cell(16, 5).value == pytest.approx(330_774.00)
    italian = report_html(rules, split=split, lines=lines, result=result).decode()
    english = report_html(rules, split=split, lines=lines, result=result, lang="en").decode()
    assert "330.774,00 EUR" in italian and "330,774.00 EUR" in english
    assert "Ambito che cede" in italian and "Ambito giving" in english
    assert italian.count("<svg") == 3
    # the spend rate and the coverage read at a glance (77,2%); the split's shares exact
    heads = {cell.value: cell.column for cell in book["Monitoraggio"][1]}
    spend = book["Monitoraggio"].cell(2, heads["Tasso di spesa"])
    assert spend.number_format == "0.0%" and 0 < spend.value <= 1
    assert book["Dopo la compensazione"].cell(2, 9).number_format == "0.0%"
    assert sheet.cell(2, 6).number_format == "0.0000%"


def test_the_page_writes_every_spend_rate_with_one_decimal() -> None:
    # 50% and 2/3: a measured rate, so "50,0%" and "66,7%" in one column, where the
    # criteria's shares drop their zeros ("50%"); monitor.csv keeps the ratio
    rules = bundled_rules()
    codes = list(rules.ambiti)[:2]
    lines = monitor([report(codes[0], 1000_00, 1000_00, 0, spent=500_00),
                     report(codes[1], 3000_00, 3000_00, 0, spent=2000_00)])
    italian = report_html(rules, lines=lines).decode()
    english = report_html(rules, lines=lines, lang="en").decode()
    assert ">50,0%<" in italian and ">66,7%<" in italian
    assert ">50.0%<" in english and ">66.7%<" in english
