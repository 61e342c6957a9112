"""Every check code is documented in docs/audit.md, and everything documented there exists."""

from __future__ import annotations

from fsr_opt.audit.codes import CheckCode

from tests.audit.conftest import documented_checks


def test_every_check_code_is_documented() -> None:
    missing = {code.value for code in CheckCode} - set(documented_checks())
    assert not missing, f"docs/audit.md has no table row for {sorted(missing)}"


def test_every_documented_check_exists() -> None:
    unknown = set(documented_checks()) - {code.value for code in CheckCode}
    assert not unknown, f"docs/audit.md documents checks the audit never runs: {sorted(unknown)}"


def test_the_pattern_finds_rows() -> None:
    # the scan itself must see the tables, or the two tests above would pass on nothing
    documented = documented_checks()
    assert {"UNIT_MISSING", "TRANCHES", "TRANSFER_IMPROVES"} <= set(documented)
    assert documented["TRANCHES"].section == "Payments"
    assert documented["TRANCHES"].reference == "§ Erogazione"


def test_a_code_is_its_own_text() -> None:
    # scripts and the reports compare codes with plain strings, and use them as dict keys
    for code in CheckCode:
        assert code == code.name == str(code) == f"{code}"
        assert hash(code) == hash(code.name)
