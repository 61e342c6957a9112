"""One unit explained: access tests with their data, cap arithmetic, share, payments."""

from __future__ import annotations

from dataclasses import replace
from datetime import date

import pytest

from fsr_opt.app.scenarios import run_explain
from fsr_opt.core.errors import ErrorCode, InputError
from fsr_opt.core.schema import EligibilitySwitches, ExclusionReason, Ownership, RuleSet, UnitRecord
from fsr_opt.whatif.explain import criterion_checks, explain_unit, find_unit

from tests.conftest import unit
from tests.whatif.runs import ONE_LINE, THREE_UNITS, solve


def explain(units: list[UnitRecord], unit_id: str, rules: RuleSet = ONE_LINE,
            lang: str = "it") -> str:
    run = solve(rules, units)
    outcome = find_unit(unit_id, run.outcomes, "units.csv")
    area = outcome.assessment.area
    spent = sum(r.awarded for r in run.allocation.services.values() if r.area == area)
    return explain_unit(outcome, run.allocation.services[outcome.assessment.service], rules,
                        area_budget=run.allocation.area_budgets[area], area_spent=spent,
                        lang=lang)


def test_explain_a_funded_unit() -> None:
    text = explain(THREE_UNITS, "U1")
    assert "Unità U1" in text
    assert "[ ok ] presente in AFAM: sì" in text and "[ NO ]" not in text
    assert "esito: ammessa" in text
    assert "disavanzo 2024 = costi 1.800,00 - ricavi 1.000,00 = 800,00 EUR" in text
    assert ": 76,9231% (" in text and "lambda" not in text  # 1000 / 1300
    assert "contributo = 615,38 EUR" in text
    assert "limite vincolante: budget dell'area" in text and "budget di a: 1.000,00 EUR" in text
    assert "prima tranche 615,38 EUR, seconda tranche 0,00 EUR" in text
    assert "un'unica soluzione" in text
    assert len(text.splitlines()) <= 35


def test_explain_an_excluded_unit_shows_each_failed_test_with_its_data() -> None:
    units = [*THREE_UNITS, unit("X1", "s", 90000, applied=False, municipality="Milano")]
    text = explain(units, "X1")
    assert "[ NO ] comune Milano" in text
    assert "[ NO ] istanza presentata: no" in text
    assert ("esito: esclusa (ubicata fuori dall'Ambito; istanza di contributo non presentata)"
            in text)
    assert "contributo = 0,00 EUR" in text and "limite vincolante: esclusa" in text
    assert "istanza di contributo non presentata" in text  # the reason explained
    english = explain(units, "X1", lang="en")
    assert "result: excluded" in english and "application submitted: no" in english
    assert "municipality Milano not among the Ambito's municipalities" in english


def test_explain_a_formula_capped_private_unit_prorated() -> None:
    units = [unit("P1", "s", 900000, ownership=Ownership.PRIVATE, users=4,
                  end_date=date(2025, 6, 30)), *THREE_UNITS]
    text = explain(units, "P1")
    assert "base 1.000,00 + 250,00 x 4 utenti = 2.000,00 EUR" in text
    assert "181/365" in text and "(tetto della formula)" in text
    assert "cessata il 30/06/2025" in text
    assert "ceased on 2025-06-30" in explain(units, "P1", lang="en")


def test_paid_in_two_tranches_above_the_threshold() -> None:
    rules = replace(ONE_LINE, fund=1000000, single_payment_threshold=10000)
    text = explain([unit("U1", "s", 500000)], "U1", rules)
    assert "prima tranche 3.500,00 EUR, seconda tranche 1.500,00 EUR" in text
    assert "un'unica soluzione" not in text


def test_criterion_checks_switched_off_or_not_applicable() -> None:
    rules = replace(ONE_LINE, eligibility=EligibilitySwitches(require_application=False))
    run = solve(rules, [unit("U1", "s", 80000, applied=False)])
    checks = {c.reason: c for c in criterion_checks(run.outcomes[0].assessment, rules)}
    assert checks[ExclusionReason.NOT_APPLIED].status == "off"
    assert "criterio non applicato dalle regole" in checks[ExclusionReason.NOT_APPLIED].data
    declaration = checks[ExclusionReason.MISSING_DATA_DECLARATION]
    assert declaration.status == "off" and "non richiesto" in declaration.data
    assert checks[ExclusionReason.NO_DEFICIT].status == "pass"
    assert [c.reason for c in checks.values()] == list(ExclusionReason)


def test_unknown_unit_suggests_the_nearest() -> None:
    outcomes = solve(ONE_LINE, THREE_UNITS).outcomes
    with pytest.raises(InputError, match="did you mean U1") as caught:
        find_unit("U1x", outcomes, "units.csv")
    assert caught.value.problems[0].code is ErrorCode.UNKNOWN_UNIT
    assert find_unit("u1", outcomes, "units.csv").assessment.unit.unit_id == "U1"


def test_the_explanation_names_area_and_line_by_their_labels() -> None:
    # a planner reads the rule set's names; the codes (what --share and the CSV files say)
    # follow in brackets
    text = run_explain("UDO681697", None, None, lang="it")
    assert ("area: Area Minori e Famiglia (minori); linea di servizio: Prima infanzia (asili "
            "nido, micronidi, nidi famiglia, centri prima infanzia) (prima_infanzia)") in text
    assert "budget di Area Minori e Famiglia: 446.247,68 EUR" in text
    assert "Quota della linea Prima infanzia (asili nido" in text


def test_an_eligible_unit_left_out_shows_what_the_line_share_would_give_it() -> None:
    """U3's entitlement (200,00) at the line's share (1000/1300) is less than the minimum."""
    text = explain(THREE_UNITS, "U3")
    assert "esito: ammessa" in text and "contributo = 0,00 EUR" in text
    assert ("quota della linea x spettanza = 153,8462 EUR, meno del minimo 300,00 EUR: "
            "la linea non la finanzia") in text
    assert "limite vincolante: sotto il minimo" in text
    english = explain(THREE_UNITS, "U3", lang="en")
    assert "line share x entitlement = 153.8462 EUR, less than the minimum 300.00 EUR" in english
    # a funded unit shows its exact share instead
    assert "meno del minimo" not in explain(THREE_UNITS, "U1")
