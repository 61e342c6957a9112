"""The strict YAML loader of rule-set files and command-line overrides.

PyYAML follows YAML 1.1, which guesses: ``1:30`` is 90 (base 60), ``0xD9E5F`` 892511, ``017``
15 (octal), ``3_00`` 300, ``.inf`` infinity, ``yes``/``off`` booleans. Here bools and numbers
resolve as in YAML 1.2, and a scalar YAML 1.1 alone reads as a number or a boolean is kept as
text marked `YamlGuess`, with what YAML 1.1 would have made of it. A key written twice in one
mapping is an error (YAML would silently keep the last).

Apart from `fsr_opt.io.rulefile` so that PyYAML is imported only when a YAML text is read: a run
whose rule set comes from the cache of validated rule sets (`fsr_opt.io.rulecache`) never needs
it.
"""

from __future__ import annotations

import math
import re
from typing import Any

import yaml

from fsr_opt.core.errors import ErrorCode, Problem, RuleSetError
from fsr_opt.core.i18n import N_, _
from fsr_opt.io.rulefile import YamlGuess

__all__ = ["load_yaml_value", "parse_yaml"]

_GUESSES: tuple[tuple[re.Pattern[str], str], ...] = (
    (re.compile(r"[-+]?[0-9][0-9_]*(?::[0-5]?[0-9])+(?:\.[0-9_]*)?"),
     N_("YAML 1.1 reads it as a number in base 60 (1:30 is 90)")),
    (re.compile(r"[-+]?0x[0-9a-fA-F_]+"), N_("YAML 1.1 reads it as a hexadecimal number")),
    (re.compile(r"[-+]?0b[01_]+"), N_("YAML 1.1 reads it as a binary number")),
    (re.compile(r"[-+]?0o?[0-7_]+"),
     N_("YAML 1.1 reads a number with a leading 0 as octal (017 is 15)")),
    (re.compile(r"[-+]?0[0-9]+(?:\.[0-9]*)?"), N_("a number does not start with 0")),
    (re.compile(r"[-+]?(?:[0-9][0-9_]*_[0-9_]*(?:\.[0-9_]*)?|[0-9]*\.[0-9_]*_[0-9_]*)"
                r"(?:[eE][-+]?[0-9]+)?"),
     N_("YAML 1.1 reads '_' between digits as nothing (3_00 is 300)")),
    (re.compile(r"[-+]?\.(?:inf|Inf|INF)|\.(?:nan|NaN|NAN)"),
     N_("YAML 1.1 reads it as infinity or not-a-number")),
    (re.compile(r"yes|Yes|YES|no|No|NO|on|On|ON|off|Off|OFF"),
     N_("YAML 1.1 reads it as a boolean; write true or false")),
)
_GUESS_TAG = "tag:fsr-opt,2025:yaml-guess"
_PLAIN_INT = re.compile(r"[-+]?(?:0|[1-9][0-9]*)")
_PLAIN_FLOAT = re.compile(
    r"[-+]?(?:(?:0|[1-9][0-9]*)(?:\.[0-9]*)?|\.[0-9]+)(?:[eE][-+]?[0-9]+)?")


try:  # libyaml's parser, when PyYAML has it, is several times faster than the pure-Python
    # one (benchmarks/RESULTS.md); the constructors and resolvers below are the same code
    from yaml import CSafeLoader as _SafeBase
except ImportError:  # pragma: no cover - a PyYAML built without libyaml
    from yaml import SafeLoader as _SafeBase  # type: ignore[assignment]


class _UniqueKeyLoader(_SafeBase):
    """The safe loader, refusing a key that appears twice in one mapping.

    A scalar that matches a YAML type but is not a valid value of it (the date ``2024-02-30``,
    ``!!int 1.5``) makes PyYAML raise a bare ValueError; here it becomes a located YAML error.
    """

    def construct_object(self, node: yaml.Node, deep: bool = False) -> Any:
        """Construct one node, locating any value error at the node."""
        try:
            return super().construct_object(node, deep=deep)
        except ValueError as exc:
            raise yaml.constructor.ConstructorError(
                None, None, _("the value '{value}' cannot be read ({error}); quote it if it is "
                              "text").format(value=node.value, error=exc),
                node.start_mark) from None


def _construct_unique_mapping(loader: _UniqueKeyLoader, node: yaml.MappingNode) -> dict[Any, Any]:
    """Build a mapping, raising a located error on a duplicate key."""
    loader.flatten_mapping(node)
    seen: set[Any] = set()
    for key_node, _value in node.value:
        key = loader.construct_object(key_node, deep=True)
        if isinstance(key, list | dict):  # unhashable keys: leave them to the default error
            continue
        if key in seen:
            raise yaml.constructor.ConstructorError(
                None, None, _("the key '{key}' appears twice in the same mapping").format(
                    key=key),
                key_node.start_mark)
        seen.add(key)
    return loader.construct_mapping(node, deep=True)


_UniqueKeyLoader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_MAPPING_TAG,
                                 _construct_unique_mapping)


def _plain_scalars(loader: type[_SafeBase]) -> None:
    """Resolve bools and numbers as YAML 1.2 does; mark YAML 1.1's other readings as guesses.

    The safe loader's resolvers for bool, int and float are replaced: ``true``/``false``, plain
    integers and decimals (an exponent allowed) keep their types; what YAML 1.1 alone reads as
    a number or a boolean gets the guess tag (constructed as `YamlGuess`). Dates, nulls and
    the rest resolve as before.
    """
    resolvers: dict[str | None, list[tuple[str, re.Pattern[str]]]] = {}
    for first, entries in yaml.SafeLoader.yaml_implicit_resolvers.items():
        kept = [(tag, regexp) for tag, regexp in entries
                if tag not in ("tag:yaml.org,2002:bool", "tag:yaml.org,2002:int",
                               "tag:yaml.org,2002:float")]
        if kept:
            resolvers[first] = kept
    loader.yaml_implicit_resolvers = resolvers
    plain = [
        ("tag:yaml.org,2002:bool", re.compile(r"^(?:true|True|TRUE|false|False|FALSE)$"),
         list("tTfF")),
        ("tag:yaml.org,2002:int", re.compile(f"^(?:{_PLAIN_INT.pattern})$"),
         list("-+0123456789")),
        ("tag:yaml.org,2002:float", re.compile(f"^(?:{_PLAIN_FLOAT.pattern})$"),
         list("-+0123456789.")),
        (_GUESS_TAG, re.compile("^(?:" + "|".join(p.pattern for p, _ in _GUESSES) + ")$"),
         list("-+0123456789.yYnNoO")),  # o: on, off
    ]
    for tag, regexp, first_chars in plain:
        loader.add_implicit_resolver(tag, regexp, first_chars)


def _construct_guess(loader: yaml.SafeLoader, node: yaml.ScalarNode) -> YamlGuess:
    text = str(loader.construct_scalar(node))
    reason = next(reason for pattern, reason in _GUESSES if pattern.fullmatch(text))
    return YamlGuess(text, reason)


def _construct_float(loader: yaml.SafeLoader, node: yaml.ScalarNode) -> float | str:
    """A plain decimal as a float; one too large for a float (``1e999999999``) stays text."""
    text = str(loader.construct_scalar(node))
    value = float(text)
    return value if math.isfinite(value) else text


_plain_scalars(_UniqueKeyLoader)
_UniqueKeyLoader.add_constructor(_GUESS_TAG, _construct_guess)
_UniqueKeyLoader.add_constructor("tag:yaml.org,2002:float", _construct_float)


def load_yaml_value(text: str) -> Any:
    """Read one YAML value (a command-line override) as a rule-set file's values are read.

    Raises:
        yaml.YAMLError: the text is not valid YAML.
        ValueError: a scalar of a YAML type that is not a value of it (``2024-02-30``).
    """
    return _load(text)


def _load(text: str) -> Any:
    """Load YAML text with the strict loader; too deep a nesting is a `RecursionError`.

    The pure-Python parser recurses until Python stops it, libyaml stops at its own depth
    limit with a YAML error: both are the same problem for the callers.
    """
    try:
        return yaml.load(text, Loader=_UniqueKeyLoader)  # a safe loader subclass: safe
    except yaml.YAMLError as exc:
        if "maximum nesting depth" in str(getattr(exc, "problem", "") or ""):
            raise RecursionError(str(exc)) from None
        raise


def parse_yaml(text: str, file: str) -> Any:
    """Parse YAML text; a syntax error becomes a `RuleSetError` with its line."""
    try:
        return _load(text)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        line = mark.line + 1 if mark is not None else None
        reason = getattr(exc, "problem", None) or str(exc)
        message = (_("invalid YAML (column {column}): {reason}; fix the syntax").format(
            column=mark.column + 1, reason=reason) if mark is not None else
            _("invalid YAML: {reason}; fix the syntax").format(reason=reason))
        raise RuleSetError([Problem(message, file=file, row=line,
                                    code=ErrorCode.SYNTAX)]) from None
