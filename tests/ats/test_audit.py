"""The ATS audit: it passes our results and catches every mutation of them."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import openpyxl
import pytest

from fsr_opt.app.ats import run_audit
from fsr_opt.audit.ats import SplitAmount, audit_split, audit_transfers, render_audit
from fsr_opt.core.ats import Transfer
from fsr_opt.engine.ats_monitor import monitor
from fsr_opt.engine.ats_rebalance import rebalance
from fsr_opt.engine.ats_split import split_fund
from fsr_opt.io.ats import default_ats_example, load_indicators, load_monitoring

from .helpers import bundled_rules

RULES = bundled_rules()
INDICATORS = load_indicators(default_ats_example("indicators.csv"), RULES)
SPLIT = split_fund(RULES, INDICATORS)
AMOUNTS = [SplitAmount(x.ambito, x.total, x.main, x.set_aside) for x in SPLIT.lines]
REPORTS = load_monitoring(default_ats_example("monitoring.csv"), RULES)
TRANSFERS = rebalance(monitor(REPORTS), minimum=RULES.minimum_transfer,
                      max_transfers=RULES.max_transfers).transfers


def test_our_results_pass() -> None:
    assert audit_split(RULES, INDICATORS, AMOUNTS).is_ok
    assert audit_transfers(RULES, REPORTS, TRANSFERS).is_ok
    assert "OK       SPLIT_TOTAL" in render_audit(audit_split(RULES, INDICATORS, AMOUNTS))


def _split_codes(amounts: list[SplitAmount], **kwargs: object) -> set[str]:
    return {f.code for f in audit_split(RULES, INDICATORS, amounts, **kwargs).findings}


def test_split_mutations_are_caught() -> None:
    one_more = [replace(AMOUNTS[0], total=AMOUNTS[0].total + 1), *AMOUNTS[1:]]
    assert {"SPLIT_TOTAL", "SPLIT_AMOUNT"} <= _split_codes(one_more)
    moved = [replace(AMOUNTS[0], total=AMOUNTS[0].total + 1, main=AMOUNTS[0].main + 1),
             replace(AMOUNTS[1], total=AMOUNTS[1].total - 1, main=AMOUNTS[1].main - 1),
             *AMOUNTS[2:]]
    assert _split_codes(moved) == {"SPLIT_AMOUNT"}  # the total still holds: found per Ambito
    aside = [replace(AMOUNTS[0], set_aside=AMOUNTS[0].set_aside + 100,
                     main=AMOUNTS[0].main - 100), *AMOUNTS[1:]]
    assert "SPLIT_SET_ASIDE" in _split_codes(aside)
    assert "SPLIT_TOTAL" in _split_codes(AMOUNTS, fund=RULES.fund + 1)
    floored = replace(RULES, floor=20_000_00)
    assert "SPLIT_FLOOR" in {f.code for f in audit_split(floored, INDICATORS, AMOUNTS).findings}


def _transfer_codes(transfers: list[Transfer], rules=RULES) -> set[str]:
    return {f.code for f in audit_transfers(rules, REPORTS, transfers).findings}


@pytest.mark.parametrize(("mutate", "code"), [
    (lambda t: [replace(t[0], amount=RULES.minimum_transfer - 1), *t[1:]], "TRANSFER_MINIMUM"),
    (lambda t: [*t, Transfer("BERGAMO", "BERGAMO", 1000_00)], "TRANSFER_PAIR"),
    (lambda t: [*t, t[0]], "TRANSFER_PAIR"),
    (lambda t: [replace(t[0], amount=t[0].amount + 1), *t[1:]], "TRANSFER_SURPLUS"),
    (lambda t: [*t, Transfer("VALLE_IMAGNA", "BERGAMO", 1000_00)], "TRANSFER_COMMITTED"),
    (lambda t: [*t, Transfer("DALMINE", "VALLE_IMAGNA", 1000_00)], "TRANSFER_NEED"),
    (lambda t: t[1:], "TRANSFER_IMPROVABLE"),
])
def test_transfer_mutations_are_caught(mutate, code: str) -> None:
    assert code in _transfer_codes(list(mutate(list(TRANSFERS))))


def test_too_many_transfers() -> None:
    assert "TRANSFER_COUNT" in _transfer_codes(list(TRANSFERS),
                                               rules=replace(RULES, max_transfers=3))


def test_a_split_made_by_hand_in_excel_is_audited(tmp_path: Path) -> None:
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.title = "Riparto"
    sheet.append(["Codice Ambito", "Denominazione", "Importo"])
    for amount in AMOUNTS:
        sheet.append([amount.ambito.lower(), RULES.ambiti[amount.ambito], amount.total / 100])
    sheet.append(["TOTALE", "", RULES.fund / 100])
    path = tmp_path / "riparto.xlsx"
    book.save(path)
    assert all(audit.is_ok for audit in run_audit(None, split_path=path))
    sheet.cell(2, 3).value = AMOUNTS[0].total / 100 + 5  # five euros more to Bergamo
    book.save(path)
    (audit,) = run_audit(None, split_path=path)
    assert {f.code for f in audit.findings} == {"SPLIT_TOTAL", "SPLIT_AMOUNT"}
