"""The ATS level in the language of the run: Italian by default, English with --lang en.

The rest of the suite runs with FSR_OPT_LANG=en (tests/conftest.py); these tests clear it.
"""

from __future__ import annotations

from pathlib import Path

from typer.testing import CliRunner

from fsr_opt.app.ats import load_ats_rules
from fsr_opt.audit.ats import audit_transfers
from fsr_opt.cli import app
from fsr_opt.core.ats import Transfer
from fsr_opt.core.i18n import use_language

DEFAULT = {"FSR_OPT_LANG": None}
BAD_REPORT = ("ambito,assigned,committed,spent,unmet_applications,unmet_amount\n"
              "ATLANTIDE,1000,10,10,0,0\n")


def run(*args: str) -> tuple[int, str]:
    result = CliRunner().invoke(app, list(args), env=DEFAULT)
    assert "Traceback" not in result.output
    return result.exit_code, result.output


def test_an_unknown_ambito_is_told_in_italian_by_default(tmp_path: Path) -> None:
    reports = tmp_path / "bad.csv"
    reports.write_text(BAD_REPORT, encoding="utf-8")
    code, output = run("ats", "monitor", "--reports", str(reports), "--out", str(tmp_path / "o"))
    assert code != 0
    assert "'ATLANTIDE' non è un Ambito dell'insieme di regole; usare uno tra BERGAMO" in output
    assert "nessuna riga per gli Ambiti BERGAMO" in output
    assert "rendiconto di un Ambito" in output
    assert "is not an Ambito" not in output


def test_an_unknown_ambito_is_told_in_english_when_asked(tmp_path: Path) -> None:
    reports = tmp_path / "bad.csv"
    reports.write_text(BAD_REPORT, encoding="utf-8")
    _code, output = run("ats", "monitor", "--reports", str(reports), "--out",
                        str(tmp_path / "o"), "--lang", "en")
    assert "'ATLANTIDE' is not an Ambito of the rule set; use one of BERGAMO" in output
    assert "no row for the Ambiti BERGAMO" in output


def test_audit_without_inputs_is_told_in_italian() -> None:
    code, output = run("ats", "audit")
    assert code != 0
    assert "indicare un riparto (--split PERCORSO)" in output


def test_the_audit_findings_follow_the_language() -> None:
    rules = load_ats_rules()
    with use_language("it"):
        found = audit_transfers(rules, [], [Transfer("BERGAMO", "BERGAMO", 1)])
    messages = [f.message for f in found.findings]
    assert "un Ambito cede a sé stesso" in messages
    assert any("sotto il minimo di" in m for m in messages)
