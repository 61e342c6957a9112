"""Rule-set files (YAML or TOML) -> a plain mapping, read strictly and within limits.

The rules layer validates the document; here it is only read, safely: YAML with the safe
loader and a key written twice refused (YAML would silently keep the last, so an edited
share could be ignored), and a document too large or too deeply nested (a "billion laughs"
of aliases) refused before anything walks it.

Numbers are plain decimals (``892495.35``, ``50``, ``1.0e+3``), booleans ``true``/``false``,
as in YAML 1.2. PyYAML follows YAML 1.1, which guesses: ``1:30`` is 90 (base 60), ``0xD9E5F``
892511, ``017`` 15 (octal), ``3_00`` 300, ``.inf`` infinity, ``yes``/``off`` booleans. Such
a scalar is read here as text marked `YamlGuess`, with what YAML 1.1 would have made of it,
so that the rules layer refuses it with the reason instead of using a number nobody wrote.
In TOML, whose numbers are typed, hexadecimal, octal, binary, ``1_000``, ``inf`` and ``nan``
are refused at reading, with their line.
"""

from __future__ import annotations

import hashlib
import math
import re
from pathlib import Path
from typing import Any

import yaml

from fsr_opt.core.errors import ErrorCode, Problem, RuleSetError
from fsr_opt.core.i18n import N_, _
from fsr_opt.io.source import RULE_EXTENSIONS, fail, read_bytes

MAX_RULE_BYTES = 5 * 1024 * 1024
"""Largest rule-set file read: far above any real rule set, far below a memory risk."""
MAX_RULE_NODES = 100_000
"""Largest number of values in a rule-set document, counting each use of a YAML alias."""
MAX_RULE_DEPTH = 40
"""Deepest nesting of mappings and lists in a rule-set document (the format needs 6)."""


class YamlGuess(str):
    """A YAML scalar that YAML 1.1 reads as a number or a boolean nobody wrote plainly.

    It stays text (a description may say ``1:30``); a reader of numbers or switches refuses it
    with `reason`.

    Attributes:
        reason: what YAML 1.1 would have made of it, and how to write the value instead (the
            English msgid: a message translates it).
    """

    reason: str

    def __new__(cls, text: str, reason: str) -> YamlGuess:
        """Keep the text as written, with the reason."""
        guess = super().__new__(cls, text)
        guess.reason = reason
        return guess


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
_TOML_GUESSES = re.compile(
    r"(?<![\w.:-])[-+]?(?:0[xob][0-9a-fA-F_]+|[0-9]+(?:_[0-9]+)+(?:\.[0-9_]+)?"
    r"|[0-9]+\.[0-9]*_[0-9_]*|inf|nan)(?![\w.:-])")


def read_rule_document(path: str | Path) -> tuple[dict[str, Any], str]:
    """Read a rule-set file (YAML or TOML) into a mapping, without interpreting it.

    YAML is read with the safe loader, and a key written twice in one mapping is an error
    (YAML would silently keep the last, so an edited share could be ignored).

    Args:
        path: a ``.yaml``/``.yml`` or ``.toml`` file.

    Returns:
        (the top-level mapping, SHA-256 of the file bytes).

    Raises:
        RuleSetError: the file is missing, unreadable, not valid YAML/TOML, or not a mapping.
    """
    file = str(path)
    suffix = Path(path).suffix.lower()
    if suffix not in RULE_EXTENSIONS:
        raise fail(RuleSetError, file, ErrorCode.UNSUPPORTED_FORMAT,
                    _("rule sets are .yaml, .yml or .toml files, not '{suffix}'").format(
                        suffix=suffix or _("no extension")))
    data = read_bytes(Path(path), file, RuleSetError, limit=MAX_RULE_BYTES,
                       what=N_("the rule set"))
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise fail(RuleSetError, file, ErrorCode.ENCODING,
                    _("the rule set is not UTF-8 text; save it as UTF-8")) from None
    try:
        document = _parse_toml(text, file) if suffix == ".toml" else _parse_yaml(text, file)
    except RecursionError:
        raise fail(RuleSetError, file, ErrorCode.TOO_DEEP,
                    _("the rule set nests lists or mappings too deeply (the format needs about "
                      "6 levels, at most {depth} are read); check the brackets and the "
                      "indentation").format(depth=MAX_RULE_DEPTH)) from None
    _check_document_size(document, file)
    if not isinstance(document, dict):
        message = (_("the rule set is empty; its top level must be a mapping of keys to values")
                   if document is None else
                   _("the rule set is a {kind}; its top level must be a mapping of keys to "
                     "values").format(kind=type(document).__name__))
        raise fail(RuleSetError, file, ErrorCode.NOT_A_MAPPING, message)
    return document, hashlib.sha256(data).hexdigest()


def _check_document_size(document: Any, file: str) -> None:
    """Refuse a document nested deeper than `MAX_RULE_DEPTH` or larger than `MAX_RULE_NODES`.

    Values are counted as the program will walk them: a YAML alias counts each time it is used,
    so a small file of nested aliases (a "billion laughs") is refused before anything copies
    or walks it.
    """
    stack: list[tuple[Any, int]] = [(document, 1)]
    nodes = 0
    while stack:
        node, depth = stack.pop()
        nodes += 1
        if nodes > MAX_RULE_NODES:
            raise fail(RuleSetError, file, ErrorCode.TOO_LARGE,
                        _("the rule set holds more than {count} values (counting every use of "
                          "a YAML alias); a rule set has a few hundred, check the file").format(
                              count=MAX_RULE_NODES))
        if depth > MAX_RULE_DEPTH:
            raise fail(RuleSetError, file, ErrorCode.TOO_DEEP,
                        _("the rule set nests lists or mappings more than {depth} levels deep "
                          "(the format needs about 6); check the brackets and the "
                          "indentation").format(depth=MAX_RULE_DEPTH))
        if isinstance(node, dict):
            stack.extend((child, depth + 1) for child in node.values())
        elif isinstance(node, list):
            stack.extend((child, depth + 1) for child in node)


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


def _parse_yaml(text: str, file: str) -> Any:
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


def _parse_toml(text: str, file: str) -> Any:
    """Parse TOML text; a syntax error or a number that is not a plain decimal is refused.

    Raises:
        RuleSetError: invalid TOML (with its line), or hexadecimal, octal or binary numbers,
            ``_`` between digits, ``inf`` or ``nan`` (with the line of the first).
    """
    masked = _toml_values(text)
    found = _TOML_GUESSES.search(masked)
    if found:
        line = masked.count("\n", 0, found.start()) + 1
        raise RuleSetError([Problem(
            _("the number '{number}' is not a plain decimal (hexadecimal, octal and binary "
              "numbers, '_' between digits, inf and nan are refused); write it like "
              "892495.35").format(number=found.group(0)), file=file, row=line,
            code=ErrorCode.BAD_VALUE)])
    import tomllib  # noqa: PLC0415 - only TOML files need it; importing it compiles regexes

    try:
        return tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        found = re.search(r"line (\d+)", str(exc))
        raise RuleSetError([Problem(_("invalid TOML: {error}; fix the syntax").format(
                                        error=exc), file=file,
                                    row=int(found.group(1)) if found else None,
                                    code=ErrorCode.SYNTAX)]) from None


def _toml_values(text: str) -> str:
    """The TOML text with its strings and comments blanked (line breaks kept), for a scan.

    What remains are keys, punctuation and the values TOML types itself: numbers, booleans
    and dates. A broken string is left to tomllib, which reports it.
    """
    out: list[str] = []
    i, size = 0, len(text)
    while i < size:
        ch = text[i]
        if ch == "#":
            end = text.find("\n", i)
            end = size if end < 0 else end
        elif ch in "\"'":
            quote = text[i:i + 3] if text[i:i + 3] in ('"""', "'''") else ch
            end, j = size, i + len(quote)
            while j < size:
                if quote[0] == '"' and text[j] == "\\":
                    j += 2
                    continue
                if text.startswith(quote, j) or (len(quote) == 1 and text[j] == "\n"):
                    end = j + len(quote)
                    break
                j += 1
        else:
            out.append(ch)
            i += 1
            continue
        out.append("".join(c if c == "\n" else " " for c in text[i:end]))
        i = end
    return "".join(out)
