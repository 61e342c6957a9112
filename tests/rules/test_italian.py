"""The rule file's structure told in the language of the run (Italian by default).

The rest of the suite runs with FSR_OPT_LANG=en (tests/conftest.py) and checks the English.
"""

from __future__ import annotations

import copy
from pathlib import Path

import pytest

from fsr_opt.core.errors import RuleSetError
from fsr_opt.core.i18n import use_language
from fsr_opt.io.rulefile import read_rule_document

from tests.rules.support import MINIMAL, load, problems_of


def messages(document: object) -> list[str]:
    with use_language("it"):
        return [problem.message for problem in problems_of(document)]


def test_an_unknown_key_is_told_in_italian_with_its_guess() -> None:
    document = copy.deepcopy(load(MINIMAL))
    document["fund"]["valeu"] = document["fund"].pop("value")
    found = messages(document)
    assert any("chiave sconosciuta; forse si intendeva 'value'? Ammesse qui:" in m
               for m in found), found
    assert any("manca una chiave obbligatoria" in m for m in found), found


def test_a_bad_value_is_told_in_italian() -> None:
    document = copy.deepcopy(load(MINIMAL))
    document["metadata"]["year"] = "duemila"
    found = messages(document)
    assert any("deve essere un anno scritto come numero intero" in m and
               "trovato il testo 'duemila'" in m for m in found), found


def test_a_yaml_syntax_error_is_told_in_italian(tmp_path: Path) -> None:
    path = tmp_path / "rules.yaml"
    path.write_text("fund: [1, 2\nformat: x\n", encoding="utf-8")
    with use_language("it"), pytest.raises(RuleSetError) as caught:
        read_rule_document(path)
    assert "YAML non valido (colonna" in str(caught.value)
    assert "correggere la sintassi" in str(caught.value)


def test_a_key_twice_is_told_in_italian(tmp_path: Path) -> None:
    path = tmp_path / "rules.yaml"
    path.write_text("fund: 1\nfund: 2\n", encoding="utf-8")
    with use_language("it"), pytest.raises(RuleSetError) as caught:
        read_rule_document(path)
    assert "la chiave 'fund' compare due volte nella stessa mappa" in str(caught.value)
