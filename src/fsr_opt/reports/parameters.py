"""A rule set's parameters in words, for the reports of the riparto and of the ATS.

A parameter is kept by its dotted path (``areas.disabili.share``, ``rebalance.minimum_transfer``)
and its value as the rules layer shows it (``1000.00 EUR``, ``10% (max 10%)``). People read
neither: `parameter_name` says the path in words (the catalogue's ``param.<part>``, or the rule
set's label of a code), `parameter_value` writes the value in the forms of the language
(``1.000,00 EUR``), `override_words` says a change of the command line. report.html, the page
of `serve`, the comparison of scenarios and the ATS report (workbook and page) all use them.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from datetime import date
from decimal import Decimal
from fractions import Fraction

from fsr_opt.core.ats import AtsRules
from fsr_opt.core.i18n import translate
from fsr_opt.core.schema import RuleSet
from fsr_opt.core.words import date_text, has_text, money, percent, text, yes_no

__all__ = ["ParameterRow", "override_words", "parameter_name", "parameter_rows",
           "parameter_value"]

_HISTORICAL = re.compile(r"historical_([12][0-9]{3})")
_SHOWN_MONEY = re.compile(r"(-?[0-9]+\.[0-9]{2}) EUR")
_SHOWN_PERCENT = re.compile(r"(-?[0-9]+(?:\.[0-9]+)?)%")
_SHOWN_FROM = re.compile(r"\(from ([0-9]{4}-[0-9]{2}-[0-9]{2})\)")


def _section_labels(rules: RuleSet | AtsRules) -> dict[str, Mapping[str, str]]:
    """The rule set's labels of the codes a path may hold, by the section that names them."""
    if isinstance(rules, AtsRules):
        return {"indicators": {i.code: i.label for i in rules.indicators}}
    # A code is read after the section that names it: an area and its one service line may
    # share a code (``anziani``), each with its own label.
    return {
        "areas": rules.area_labels,
        "services": rules.line_labels,
        "formula_classes": {code: formula.label
                            for code, formula in rules.formula_classes.items()},
    }


def parameter_name(path: str, rules: RuleSet | AtsRules, lang: str | None = None) -> str:
    """A parameter's path in words: ``areas.disabili.share``, ``Aree / Area Disabili / ...``.

    A part without words of its own (a code of the rule set) shows the rule set's label, or
    the code as written.
    """
    labels = _section_labels(rules)
    parts = []
    section = ""
    for part in path.split("."):
        if found := _HISTORICAL.fullmatch(part):
            parts.append(text("param.historical", lang).format(year=found.group(1)))
        elif part in labels.get(section, {}):
            parts.append(labels[section][part])
        elif has_text(f"param.{part}"):
            parts.append(text(f"param.{part}", lang))
        else:
            parts.append(part)
        section = part
    return " / ".join(parts)


def override_words(override: str, rules: RuleSet | AtsRules, lang: str | None = None) -> str:
    """A change of the command line (``areas.minori.share=45``) in words, with its value now.

    The value is the rule set's after the change (a share moved by ``--share`` says the
    percent it ends at); a path the rule set does not list as a parameter shows as typed.
    """
    path = override.partition("=")[0].strip()
    found = next((p for p in rules.parameters if p.path == path), None)
    if found is None:
        return override
    return (f"{parameter_name(path, rules, lang)}: "
            f"{parameter_value(found.value, lang, found.path)}")


def parameter_value(shown: str, lang: str | None = None, path: str = "") -> str:
    """A parameter's value as the rules layer shows it, in the words and forms of `lang`.

    A choice among words (``residui.scope``: ``area``) is said in words when the catalogue
    has them (``param.value.<last part of the path>.<value>``).
    """
    if shown in ("true", "false"):
        return yes_no(shown == "true", lang)
    key = f"param.value.{path.rsplit('.', 1)[-1]}.{shown}"
    if path and has_text(key):
        return text(key, lang)
    shown = _SHOWN_FROM.sub(lambda m: "(" + translate("from {day}", lang).format(
        day=date_text(date.fromisoformat(m.group(1)), lang)) + ")", shown)
    shown = _SHOWN_MONEY.sub(lambda m: money(int(Decimal(m.group(1)) * 100), lang) + " EUR",
                             shown)
    shown = _SHOWN_PERCENT.sub(lambda m: percent(Fraction(Decimal(m.group(1))), lang), shown)
    return shown.replace("(max ", "(" + translate("max", lang) + " ")


ParameterRow = tuple[str, str, str, str]
"""A parameter for people: (its name in words, its value, its description, its reference)."""


def parameter_rows(rules: RuleSet | AtsRules, lang: str) -> list[ParameterRow]:
    """Every parameter of the rule set in words, in the rule set's order."""
    return [(parameter_name(p.path, rules, lang), parameter_value(p.value, lang, p.path),
             p.description_in(lang), p.reference) for p in rules.parameters]
