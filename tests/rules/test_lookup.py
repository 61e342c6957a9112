"""Finding a municipality by its spelling and a unit type by its code."""

from __future__ import annotations

import pytest

from fsr_opt.rules.lookup import normalize_name, unit_type
from fsr_opt.rules.validate import parse_rule_set

from tests.rules.support import BUNDLED, load


@pytest.mark.parametrize(("a", "b"), [
    ("TORRE BOLDONE", "Torre Boldone"),
    ("Orio al serio", "  Orio   al Serio "),
    ("Villa d'Almè", "VILLA D\u2019ALME"),
    ("Villa d' Alme", "villa d\u00b4alme"),
    ("Sant\u2019Omobono-Terme", "Sant'Omobono Terme"),
    ("Ponteranica\u00a0", "ponteranica"),
])
def test_normalize_name(a: str, b: str) -> None:
    assert normalize_name(a) == normalize_name(b)


def test_normalize_name_keeps_different_names_apart() -> None:
    assert normalize_name("Gorle") != normalize_name("Gorla")
    assert normalize_name("TORRE BOLDONE") == "torre boldone"


def test_unit_type_lookup() -> None:
    rules = parse_rule_set(load(BUNDLED))
    found = unit_type(rules, "ASILO_NIDO")
    assert found is not None and found.service == "prima_infanzia"
    assert unit_type(rules, "asilo nido") is found
    assert unit_type(rules, "Asilo-Nido") is found
    assert unit_type(rules, "NIDO") is None


def test_unit_type_exact_code_first_even_when_not_upper_case() -> None:
    # Codes may hold lower-case letters (the schema: a letter, then letters, digits and '_');
    # a unit type defined as 'Adm_Minori' is found by that very code, which the spreadsheet
    # spelling (upper case) would miss.
    document = load(BUNDLED)
    document["unit_types"]["Adm_Minori"] = document["unit_types"].pop("ADM")
    for area in document["areas"].values():
        for line in area["services"].values():
            line["unit_types"] = ["Adm_Minori" if code == "ADM" else code
                                  for code in line["unit_types"]]
    rules = parse_rule_set(document)
    found = unit_type(rules, "Adm_Minori")
    assert found is not None and found.code == "Adm_Minori"
    assert unit_type(rules, "ADM_MINORI") is None
