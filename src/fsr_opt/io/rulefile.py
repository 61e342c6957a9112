"""Rule-set files (YAML or TOML) -> a plain mapping, read strictly and within limits.

The rules layer validates the document; here it is only read, safely: YAML with the safe
loader and a key written twice refused (YAML would silently keep the last, so an edited
share could be ignored), and a document too large or too deeply nested (a "billion laughs"
of aliases) refused before anything walks it.
"""

from __future__ import annotations

import hashlib
import re
import tomllib
from pathlib import Path
from typing import Any

import yaml

from fsr_opt.core.errors import ErrorCode, Problem, RuleSetError
from fsr_opt.io.source import RULE_EXTENSIONS, fail, read_bytes

MAX_RULE_BYTES = 5 * 1024 * 1024
"""Largest rule-set file read: far above any real rule set, far below a memory risk."""
MAX_RULE_NODES = 100_000
"""Largest number of values in a rule-set document, counting each use of a YAML alias."""
MAX_RULE_DEPTH = 40
"""Deepest nesting of mappings and lists in a rule-set document (the format needs 6)."""


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
                    f"rule sets are .yaml, .yml or .toml files, not '{suffix or 'no extension'}'")
    data = read_bytes(Path(path), file, RuleSetError, limit=MAX_RULE_BYTES,
                       what="the rule set")
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise fail(RuleSetError, file, ErrorCode.ENCODING,
                    "the rule set is not UTF-8 text; save it as UTF-8") from None
    try:
        document = _parse_toml(text, file) if suffix == ".toml" else _parse_yaml(text, file)
    except RecursionError:
        raise fail(RuleSetError, file, ErrorCode.TOO_DEEP,
                    f"the rule set nests lists or mappings too deeply (the format needs about "
                    f"6 levels, at most {MAX_RULE_DEPTH} are read); check the brackets and the "
                    "indentation") from None
    _check_document_size(document, file)
    if not isinstance(document, dict):
        kind = "empty" if document is None else f"a {type(document).__name__}"
        raise fail(RuleSetError, file, ErrorCode.NOT_A_MAPPING,
                    f"the rule set is {kind}; its top level must be a mapping of keys to values")
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
                        f"the rule set holds more than {MAX_RULE_NODES} values (counting every "
                        "use of a YAML alias); a rule set has a few hundred, check the file")
        if depth > MAX_RULE_DEPTH:
            raise fail(RuleSetError, file, ErrorCode.TOO_DEEP,
                        f"the rule set nests lists or mappings more than {MAX_RULE_DEPTH} "
                        "levels deep (the format needs about 6); check the brackets and the "
                        "indentation")
        if isinstance(node, dict):
            stack.extend((child, depth + 1) for child in node.values())
        elif isinstance(node, list):
            stack.extend((child, depth + 1) for child in node)


class _UniqueKeyLoader(yaml.SafeLoader):
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
                None, None, f"the value '{node.value}' cannot be read ({exc}); quote it if it "
                "is text", node.start_mark) from None


def _construct_unique_mapping(loader: _UniqueKeyLoader, node: yaml.MappingNode) -> dict[Any, Any]:
    """Build a mapping, raising a located error on a duplicate key."""
    loader.flatten_mapping(node)
    seen: set[Any] = set()
    for key_node, _ in node.value:
        key = loader.construct_object(key_node, deep=True)
        if isinstance(key, list | dict):  # unhashable keys: leave them to the default error
            continue
        if key in seen:
            raise yaml.constructor.ConstructorError(
                None, None, f"the key '{key}' appears twice in the same mapping",
                key_node.start_mark)
        seen.add(key)
    return loader.construct_mapping(node, deep=True)


_UniqueKeyLoader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_MAPPING_TAG,
                                 _construct_unique_mapping)


def _parse_yaml(text: str, file: str) -> Any:
    """Parse YAML text; a syntax error becomes a `RuleSetError` with its line."""
    try:
        return yaml.load(text, Loader=_UniqueKeyLoader)  # a SafeLoader subclass: safe
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        line = mark.line + 1 if mark is not None else None
        where = f" (column {mark.column + 1})" if mark is not None else ""
        reason = getattr(exc, "problem", None) or str(exc)
        raise RuleSetError([Problem(f"invalid YAML{where}: {reason}; fix the syntax",
                                    file=file, row=line, code=ErrorCode.SYNTAX)]) from None


def _parse_toml(text: str, file: str) -> Any:
    """Parse TOML text; a syntax error becomes a `RuleSetError` with its line."""
    try:
        return tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        found = re.search(r"line (\d+)", str(exc))
        raise RuleSetError([Problem(f"invalid TOML: {exc}; fix the syntax", file=file,
                                    row=int(found.group(1)) if found else None,
                                    code=ErrorCode.SYNTAX)]) from None
