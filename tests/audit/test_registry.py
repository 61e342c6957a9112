"""The registry runs every check once, in the order of the codes, as docs/audit.md says."""

from __future__ import annotations

import pytest

from fsr_opt.audit import agreement, certificates, rules
from fsr_opt.audit.codes import OUTPUT_CHECKS, CheckCode
from fsr_opt.audit.registry import CHECKS, CheckKind, check_of

from tests.audit.conftest import documented_checks

CERTIFICATES_SECTION = "Optimality certificates"


def test_every_code_is_registered_once_in_the_order_of_the_enum() -> None:
    assert [check.code for check in CHECKS] == list(CheckCode)


def test_check_of_finds_each_registered_check() -> None:
    assert all(check_of(check.code) is check for check in CHECKS)


def test_the_kinds_are_the_sections_of_the_documentation() -> None:
    documented = documented_checks()
    for check in CHECKS:
        in_certificates = documented[check.code].section == CERTIFICATES_SECTION
        assert in_certificates == check.certificate, check.code
    assert {c.code for c in CHECKS if c.kind is CheckKind.CERTIFICATE} == {
        "MONEY_LEFT", "TRANSFER_IMPROVES", "RESIDUAL_LEFT"}


def test_the_criteria_are_those_documented() -> None:
    documented = documented_checks()
    for check in CHECKS:
        assert check.reference == documented[check.code].reference, check.code


def test_rules_and_certificates_live_in_their_modules() -> None:
    # the rules about a run folder's other files (OUTPUT_CHECKS) live in agreement.py
    for check in CHECKS:
        module = (certificates if check.certificate
                  else agreement if check.code in OUTPUT_CHECKS else rules)
        assert getattr(module, check.run.__name__) is check.run, check.code
    assert {c.run.__name__ for c in CHECKS
            if not c.certificate and c.code not in OUTPUT_CHECKS} == set(rules.__all__)
    assert {c.run.__name__ for c in CHECKS if c.code in OUTPUT_CHECKS} == set(
        agreement.__all__)
    assert {c.run.__name__ for c in CHECKS if c.certificate} == set(certificates.__all__)
    assert all(check_of(code).kind is CheckKind.RULE for code in OUTPUT_CHECKS)


def test_every_check_says_what_it_verifies() -> None:
    for check in CHECKS:
        assert check.description and check.reference, check.code
        assert check.description == check.description.strip()


@pytest.mark.parametrize(("columns", "runs"), [
    (frozenset(), {"ELIGIBLE_MISMATCH": False, "TRANCHES": False, "UNIT_MISSING": True}),
    (frozenset({"tranche_2"}), {"TRANCHES": True, "SHARE_MISMATCH": False}),
    (frozenset({"tranche_1", "share"}), {"TRANCHES": True, "SHARE_MISMATCH": True}),
    (frozenset({"eligible", "entitlement"}),
     {"ELIGIBLE_MISMATCH": True, "ENTITLEMENT_MISMATCH": True, "TRANCHES": False}),
    (frozenset({"residual_award"}), {"AWARD_PARTS": True, "RESIDUAL_SHARE_MISMATCH": False}),
    (frozenset({"criteria_award", "residual_share", "run.json"}),
     {"AWARD_PARTS": True, "RESIDUAL_SHARE_MISMATCH": True, "INPUT_CHANGED": True,
      "PAYMENTS_MISMATCH": False}),
    (frozenset({"run.json", "payments.csv", "allocation.xlsx"}),
     {"PAYMENTS_MISMATCH": True, "SUMMARY_MISMATCH": False, "WORKBOOK_MISMATCH": True}),
])
def test_a_check_with_an_optional_column_runs_only_when_it_is_there(
    columns: frozenset[str], runs: dict[str, bool]
) -> None:
    for code, expected in runs.items():
        assert check_of(CheckCode(code)).runs_on(columns) is expected, code
    optional = {c.code for c in CHECKS if c.column is not None}
    assert optional == {"ELIGIBLE_MISMATCH", "ENTITLEMENT_MISMATCH", "SHARE_MISMATCH",
                        "TRANCHES", "INPUT_CHANGED", "AWARD_PARTS", "RESIDUAL_SHARE_MISMATCH",
                        "PAYMENTS_MISMATCH", "SUMMARY_MISMATCH", "WORKBOOK_MISMATCH"}
