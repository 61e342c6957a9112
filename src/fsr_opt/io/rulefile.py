"""Rule-set files (YAML or TOML) -> a plain mapping, read strictly and within limits.

The rules layer validates the document; here it is only read, safely: YAML with the safe
loader and a key written twice refused (YAML would silently keep the last, so an edited
share could be ignored), and a document too large or too deeply nested (a "billion laughs"
of aliases) refused before anything walks it.

Numbers are plain decimals (``892495.35``, ``50``, ``1.0e+3``), booleans ``true``/``false``,
as in YAML 1.2. PyYAML follows YAML 1.1, which guesses: ``1:30`` is 90 (base 60), ``0xD9E5F``
892511, ``017`` 15 (octal), ``3_00`` 300, ``.inf`` infinity, ``yes``/``off`` booleans. Such
a scalar is read as text marked `YamlGuess`, with what YAML 1.1 would have made of it, so
that the rules layer refuses it with the reason instead of using a number nobody wrote (the
loader is `fsr_opt.io.yamlrules`, imported only when a YAML text is read).
In TOML, whose numbers are typed, hexadecimal, octal, binary, ``1_000``, ``inf`` and ``nan``
are refused at reading, with their line.
"""

from __future__ import annotations

import hashlib
import re
from pathlib import Path
from typing import Any

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
    data, digest = read_rule_bytes(path)
    return parse_rule_bytes(data, path), digest


def read_rule_bytes(path: str | Path) -> tuple[bytes, str]:
    """Read a rule-set file's bytes, refusing a name that is not a rule set's or a huge file.

    Returns:
        (the bytes, their SHA-256): what identifies the rule set in run records and in the
        cache of validated rule sets, before anything parses it.

    Raises:
        RuleSetError: not a ``.yaml``/``.yml``/``.toml`` name, missing, unreadable or too large.
    """
    file = str(path)
    suffix = Path(path).suffix.lower()
    if suffix not in RULE_EXTENSIONS:
        raise fail(RuleSetError, file, ErrorCode.UNSUPPORTED_FORMAT,
                    _("rule sets are .yaml, .yml or .toml files, not '{suffix}'").format(
                        suffix=suffix or _("no extension")))
    data = read_bytes(Path(path), file, RuleSetError, limit=MAX_RULE_BYTES,
                       what=N_("the rule set"))
    return data, hashlib.sha256(data).hexdigest()


def parse_rule_bytes(data: bytes, path: str | Path) -> dict[str, Any]:
    """Parse a rule-set file's bytes (from `read_rule_bytes`) into its top-level mapping.

    Args:
        data: the file's bytes.
        path: the file, named in problems; its suffix says YAML or TOML.

    Raises:
        RuleSetError: not UTF-8, not valid YAML/TOML, too large or deep, or not a mapping.
    """
    file = str(path)
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise fail(RuleSetError, file, ErrorCode.ENCODING,
                    _("the rule set is not UTF-8 text; save it as UTF-8")) from None
    try:
        if Path(path).suffix.lower() == ".toml":
            document = _parse_toml(text, file)
        else:
            from fsr_opt.io.yamlrules import parse_yaml  # noqa: PLC0415 - PyYAML when needed

            document = parse_yaml(text, file)
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
    return document


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
