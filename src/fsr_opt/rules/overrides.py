"""Command-line overrides: put new values into a rule-set document before it is validated.

An override is applied to the document, not to the `RuleSet`, so that `parse_rule_set`
checks it exactly as it checks the file: an override can never slip past a rule.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from datetime import date
from decimal import Decimal, InvalidOperation
from fractions import Fraction
from typing import Any

from fsr_opt.core.errors import ErrorCode, InputError, Problem, RuleSetError, suggest
from fsr_opt.core.i18n import _
from fsr_opt.core.money import largest_remainder
from fsr_opt.io.cells import CellProblem, Dialect, foreign_digits, parse_decimal
from fsr_opt.rules.formats import FORMAT_1_KEYS, document_year, in_force
from fsr_opt.rules.values import RuleValueError, read_date_key

__all__ = ["apply_overrides", "override_pairs", "parameter_paths"]

_OPTION_NAMES = {"budget": "fund", "min_award": "minimum_award"}
"""Command-line option names people also try as ``--set`` keys; suggested as their path."""


def _join(path: str, key: object) -> str:
    return f"{path}.{key}" if path else str(key)


def _is_parameter(node: object) -> bool:
    return isinstance(node, Mapping) and ("value" in node or "values" in node)


def _plain(node: Any) -> Any:
    """Deep-copy a YAML tree into plain dicts and lists (the caller's document stays intact)."""
    if isinstance(node, Mapping):
        return {key: _plain(value) for key, value in node.items()}
    if isinstance(node, list | tuple):
        return [_plain(value) for value in node]
    return node


def parameter_paths(document: Mapping[str, Any]) -> list[str]:
    """Return the dotted path of every parameter (a mapping with ``value`` or ``values``).

    These are the keys `apply_overrides` accepts, in document order, and the paths reports
    show.
    """
    paths: list[str] = []

    def walk(node: object, path: str) -> None:
        if not isinstance(node, Mapping):
            return
        if path and _is_parameter(node):
            paths.append(path)
            return
        for key, child in node.items():
            walk(child, _join(path, key))

    walk(document, "")
    return paths


def _override_value(text: str) -> Any:
    """Read an override's text as a rule file's value, keeping numbers as their exact text.

    The strict loader of rule files reads it (`load_yaml_value`: ``0x10``, ``1_000`` or
    ``1:30`` are refused with the reason, as in the file). ``15.5`` would become a binary
    float; keeping the text lets `parse_rule_set` read the decimal exactly (it accepts quoted
    decimals), so ``--budget 1234567890123.45`` stays exact.
    """
    from fsr_opt.io.yamlrules import load_yaml_value  # noqa: PLC0415 - PyYAML when needed

    value = load_yaml_value(text)
    if isinstance(value, int | float) and not isinstance(value, bool):
        try:
            number = Decimal(text.strip())
        except InvalidOperation:
            return value
        if number.is_finite():
            return text.strip()
    return value


def _entry_in_force(dated: Mapping[Any, Any], year: int) -> Any:
    """The entry of a dated ``values`` mapping in force on 1 January of `year` (None if none).

    Keys that are not dates are skipped: they are the rule set's validation to report.
    """
    days: dict[date, Any] = {}
    for key in dated:
        try:
            days[read_date_key(key)] = key
        except RuleValueError:
            continue
    day = in_force(days, year)
    return dated.get(days[day]) if day is not None else None


def _put(node: dict[str, Any], value: Any, year: int | None) -> None:
    """Replace the value the rule set's year uses, keeping its description and reference.

    For values keyed by date that is the entry in force on 1 January of the year (a new entry
    keyed that day if none applies yet); the other years' values stay as they are.
    """
    dated = node.get("values")
    if "value" in node or not isinstance(dated, dict) or year is None:
        if "value" not in node:
            node.pop("values", None)  # unusable anyway: its problem is the year's or its own
        node["value"] = value
        return
    entry = _entry_in_force(dated, year)
    if isinstance(entry, dict):
        entry["value"] = value
    else:
        dated[date(year, 1, 1)] = {"value": value}


def _format_1_path(path: str) -> str:
    """The same parameter as format 1 spells it (``...historical`` -> ``...historical_2024``).

    The year-free names work on either format, so a script or the web page need not know
    which format a rule file is written in.
    """
    head, _, last = path.rpartition(".")
    spelled = FORMAT_1_KEYS.get(last, last)
    return f"{head}.{spelled}" if head else spelled


def apply_overrides(
    document: Mapping[str, Any], overrides: Sequence[tuple[str, str]]
) -> dict[str, Any]:
    """Return a deep copy of `document` with each override's value put in place.

    An override names a parameter by its dotted path (``fund``, ``areas.disabili.share``,
    ``eligibility.require_application``, ``formula_classes.cag.rate_per_user``,
    ``areas.minori.services.adm.historical``, ``municipalities``...) and gives the new value
    as text, read with YAML rules (``15``, ``15.5``, ``true``, ``[a, b]``). For a parameter
    with values keyed by date, the value the rule set's year uses is replaced. Nothing is
    validated here beyond the path: `parse_rule_set` checks the result exactly as it checks a
    file. Later overrides of the same path win.

    Args:
        document: the rule-set document as read from YAML; left unchanged.
        overrides: (dotted path, value text) pairs, in command-line order.

    Returns:
        A new document.

    Raises:
        RuleSetError: ``UNKNOWN_PARAMETER`` for a path that names no parameter (with the
            nearest known path and the full list), ``BAD_OVERRIDE`` for unreadable value text;
            all bad overrides are reported together.
    """
    import yaml  # noqa: PLC0415 - only overrides read YAML text; `override_pairs` needs none

    result: dict[str, Any] = _plain(document)
    known = parameter_paths(result)
    year = document_year(result)
    problems: list[Problem] = []
    for key, text in overrides:
        path = key.strip()
        node = _find_parameter(result, path) or _find_parameter(result, _format_1_path(path))
        if node is None:
            guess = _OPTION_NAMES.get(path.replace("-", "_"))
            if guess not in known:
                guess = suggest(path, known, cutoff=0.5)
            hint = _("; did you mean '{guess}'?").format(guess=guess) if guess else "."
            problems.append(Problem(
                _("unknown parameter '{path}'{hint} Known parameters: {known}").format(
                    path=path, hint=hint, known=", ".join(known)),
                code=ErrorCode.UNKNOWN_PARAMETER,
            ))
            continue
        try:
            _put(node, _override_value(text), year)
        except RecursionError:
            problems.append(Problem(
                _("{path}: the value '{value}...' nests brackets too deeply; write a number "
                  "such as 15.5, true/false, or a list such as [Bergamo, Gorle]").format(
                    path=path, value=text[:40]),
                code=ErrorCode.BAD_OVERRIDE,
            ))
        except (yaml.YAMLError, ValueError) as exc:  # ValueError: the date 2024-02-30
            reason = " ".join(str(exc).split())
            problems.append(Problem(
                _("{path}: cannot read the value '{value}' ({reason}); write a number such as "
                  "15.5, true/false, or a list such as [Bergamo, Gorle]").format(
                    path=path, value=text, reason=reason),
                code=ErrorCode.BAD_OVERRIDE,
            ))
    if problems:
        raise RuleSetError(problems)
    _rescale_other_shares(result, [key.strip() for key, _text in overrides], year)
    return result


SHARE_PLACES = 6
"""Decimals of a percent the rescaled shares are rounded to (as a share sweep does)."""


def _value_in_force(node: Mapping[str, Any], year: int | None) -> Any:
    """The value of a parameter that the rule set's year uses (None if none can be read)."""
    if "value" in node:
        return node["value"]
    dated = node.get("values")
    if not isinstance(dated, Mapping) or year is None:
        return None
    entry = _entry_in_force(dated, year)
    return entry.get("value") if isinstance(entry, Mapping) else None


def _percent(value: Any) -> Fraction | None:
    if isinstance(value, bool) or not isinstance(value, int | float | str | Decimal):
        return None
    try:
        number = Decimal(str(value).strip())
    except InvalidOperation:
        return None
    return Fraction(number) if number.is_finite() else None


def _rescale_other_shares(document: dict[str, Any], paths: Sequence[str],
                          year: int | None) -> None:
    """Give the areas whose share no override set the rest of 100%, in their proportions.

    ``--share disabili=15`` alone moves the other areas as a share sweep does: they keep
    their proportions among themselves, each rounded to `SHARE_PLACES` decimals by largest
    remainder, so the shares still total exactly 100. When every area is set, or the shares
    cannot be read, nothing changes: `parse_rule_set` reports what is wrong.
    """
    areas = document.get("areas")
    if not isinstance(areas, dict):
        return
    nodes: dict[str, dict[str, Any]] = {
        code: area["share"] for code, area in areas.items()
        if isinstance(area, Mapping) and isinstance(area.get("share"), dict)}
    given = {code for code in nodes if f"areas.{code}.share" in paths}
    others = [code for code in nodes if code not in given]
    if not given or not others:
        return
    shares = {code: _percent(_value_in_force(node, year)) for code, node in nodes.items()}
    if any(share is None or share < 0 for share in shares.values()):
        return
    read = {code: share for code, share in shares.items() if share is not None}
    scale = 10**SHARE_PLACES
    rest = (100 - sum((read[code] for code in given), Fraction(0))) * scale
    weight = sum((read[code] for code in others), Fraction(0))
    if rest < 0 or rest.denominator != 1 or (rest and not weight):
        return
    quotas = [(code, rest * read[code] / weight if weight else Fraction(0)) for code in others]
    parts = largest_remainder(int(rest), quotas, tie_key=others)
    for code in others:
        _put(nodes[code], format(Decimal(parts[code]) / scale, "f"), year)


def _find_parameter(document: dict[str, Any], path: str) -> dict[str, Any] | None:
    node: Any = document
    for part in path.split("."):
        if not isinstance(node, dict) or part not in node:
            return None
        node = node[part]
    return node if isinstance(node, dict) and _is_parameter(node) else None


def override_pairs(
    budget: Decimal | str | None,
    shares: Sequence[str],
    min_award: Decimal | str | None,
    sets: Sequence[str],
) -> list[tuple[str, str]]:
    """Turn the command-line overrides into (dotted path, value text) pairs.

    ``--budget EUR`` sets ``fund``, ``--share AREA=PERCENT`` sets ``areas.AREA.share``,
    ``--min-award EUR`` sets ``minimum_award`` and ``--set KEY=VALUE`` sets any parameter;
    the pairs come in that order, so a ``--set`` of the same path has the last word.
    Whether AREA or KEY exists is checked by `apply_overrides`, which can suggest a spelling.

    Raises:
        InputError: ``BAD_OVERRIDE`` for every option whose text is not ``KEY=VALUE`` with a
            non-empty key and value, ``BAD_OPTION`` for an amount that cannot be read (or could
            be read two ways: ``1.000``).
    """
    pairs: list[tuple[str, str]] = []
    problems: list[Problem] = []
    if budget is not None and (amount := _amount_text(budget, "--budget", problems)):
        pairs.append(("fund", amount))
    for item in shares:
        split = _split_option(item, "--share", "AREA=PERCENT", "minori=45", problems)
        if split is not None:
            pairs.append((f"areas.{split[0]}.share", _percent_text(split[1])))
    if min_award is not None and (amount := _amount_text(min_award, "--min-award", problems)):
        pairs.append(("minimum_award", amount))
    for item in sets:
        split = _split_option(item, "--set", "KEY=VALUE", "areas.disabili.share=15", problems)
        if split is not None:
            pairs.append((split[0], _figure_text(split[1], f"--set {item}", problems)))
    if problems:
        raise InputError(problems)  # the option's text, not the rule file
    return pairs


def _amount_text(value: Decimal | str, option: str, problems: list[Problem]) -> str | None:
    """An amount of the command line (or a manifest, or the page) as exact decimal text.

    Read by the cells' reader (`fsr_opt.io.cells.parse_decimal`, numbers of any locale):
    ``850000.00``, ``850.000,00`` and ``850 000`` are read; ``1.000`` could be a thousand or
    one, so it is refused with both readings; the range is the rule set's to check.
    """
    if isinstance(value, Decimal):
        return format(value, "f")
    number = parse_decimal(value, Dialect.AUTO, currency=True)
    if not isinstance(number, CellProblem):
        return format(number, "f")
    if number.code is ErrorCode.AMBIGUOUS_NUMBER or foreign_digits(value):
        reason = number.message
    else:
        reason = _("'{value}' is not an amount in euros; write it like 850.000,00 or "
                   "850000.00").format(value=value.strip())
    problems.append(Problem(f"{option} {reason}", code=ErrorCode.BAD_OPTION))
    return None


_PERCENT = re.compile(r"[+-]?[0-9]+[.,][0-9]+")
"""A percent with one decimal mark: ``45,5`` or ``45.5`` (a percent has no thousands)."""


def _percent_text(value: str) -> str:
    """A ``--share`` percent in plain decimal text: ``45,5`` is 45.5, as the screen writes it.

    A percent is at most 100, so its one mark, comma or point, can only be the decimal one;
    any other text goes to the rule file's reader, which says what is wrong with it.
    """
    text = value.strip()
    return text.replace(",", ".") if _PERCENT.fullmatch(text) else value


_FIGURE = re.compile(r"[+-]?[0-9][0-9 .,]*")
"""A figure with marks, as people type it: ``1.000``, ``12,5``, ``850.000,00``."""


def _figure_text(value: str, option: str, problems: list[Problem]) -> str:
    """A ``--set`` value: a figure in the Italian or the plain form as plain decimal text.

    YAML would read ``1.000`` as one and refuse ``850.000,00``; a figure is read as the
    amounts of ``--budget`` are (both forms; ``1.000`` refused with both readings). Any
    other value (``true``, ``[Bergamo, Gorle]``, a date) is left to the rule file's reader.
    """
    text = value.strip()
    if not _FIGURE.fullmatch(text) or not any(mark in text for mark in ".,"):
        return value
    number = parse_decimal(text, Dialect.AUTO)
    if isinstance(number, CellProblem):
        if number.code is ErrorCode.AMBIGUOUS_NUMBER:
            problems.append(Problem(f"{option}: {number.message}", code=ErrorCode.BAD_OPTION))
        return value
    return format(number, "f")


def _split_option(
    text: str, option: str, shape: str, example: str, problems: list[Problem]
) -> tuple[str, str] | None:
    key, equals, value = text.partition("=")
    key, value = key.strip(), value.strip()
    if not equals or not key or not value:
        what = _("no '='") if not equals else _("an empty key") if not key else _(
            "an empty value")
        problems.append(Problem(
            _("{option} '{text}' has {what}; write {option} {shape}, e.g. {option} {example}"
              ).format(option=option, text=text, what=what, shape=shape, example=example),
            code=ErrorCode.BAD_OVERRIDE,
        ))
        return None
    return key, value
