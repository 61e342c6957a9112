"""Finding things in a rule set: a municipality by its spelling, a unit type by its code."""

from __future__ import annotations

import functools
import unicodedata

from fsr_opt.core.schema import RuleSet, UnitType

_APOSTROPHES = "'\u2018\u2019\u201b\u02bc\u02b9\u0060\u00b4\u2032"
_HYPHENS = "-\u2010\u2011\u2012\u2013\u2014\u2015\u2212"
_SEPARATORS = str.maketrans({c: " " for c in _APOSTROPHES + _HYPHENS})


@functools.lru_cache(maxsize=4096)
def normalize_name(text: str) -> str:
    """Return a matching key for a place name: 'TORRE BOLDONE' and 'Torre  Boldone' agree.

    Case is folded, accents are dropped (NFKD, combining marks removed), apostrophes and
    hyphens of every typographic kind become spaces, and runs of spaces collapse, so
    "Villa d'Almè", "VILLA D\u2019ALME" (typographic apostrophe) and "Villa d' Alme" give the
    same key. Used to match the municipality of a unit against the Ambito's list, and to find
    duplicates in that list. Memoised: a units table names its few municipalities on every row.
    """
    decomposed = unicodedata.normalize("NFKD", text.casefold())
    stripped = "".join(c for c in decomposed if not unicodedata.combining(c))
    return " ".join(stripped.translate(_SEPARATORS).split())


def unit_type(rules: RuleSet, code: str) -> UnitType | None:
    """Return the unit type with this code, or None if the rule set does not define it.

    The exact code is tried first; then the code written the way spreadsheets often do
    (``asilo nido``, ``Asilo-Nido``): upper case, spaces and hyphens as underscores.
    """
    found = rules.unit_types.get(code)
    if found is not None:
        return found
    canonical = "_".join(code.strip().upper().replace("-", " ").split())
    return rules.unit_types.get(canonical)
