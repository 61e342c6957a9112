"""Move words kept in dict form in a Python module into the gettext catalogue.

    python scripts/words_to_po.py src/fsr_opt/core/words.py [MORE.py ...] [--keep]

Every mapping literal of the form ``{"key": {"it": "...", "en": "..."}, ...}`` found in the
modules (at any depth) becomes entries of ``src/fsr_opt/locale/it/LC_MESSAGES/fsr_opt.po``:
msgctxt = the key, msgid = the English, msgstr = the Italian (an entry with the same key is
replaced: the dict's words win). The entries are then removed from the module (a mapping left
with none becomes ``{}``), unless ``--keep``; the ``.mo`` is compiled again. Run it after
merging a branch that added words in dict form; ``fsr_opt.core.words.text`` reads both forms
meanwhile, and tests/core/test_catalogue.py fails until the dict is empty.
"""

from __future__ import annotations

import argparse
import ast
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from scripts.catalogue import PO_PATH, compile_mo, read_catalogue, write_catalogue  # noqa: E402


def _string(node: ast.expr) -> str | None:
    return node.value if isinstance(node, ast.Constant) and isinstance(node.value, str) else None


def _entry(key: ast.expr | None, value: ast.expr) -> tuple[str, dict[str, str]] | None:
    """The key and the words of one dict item, when it has the catalogue's form."""
    name = None if key is None else _string(key)
    if name is None or not isinstance(value, ast.Dict):
        return None
    words: dict[str, str] = {}
    for lang, text in zip(value.keys, value.values, strict=True):
        code = None if lang is None else _string(lang)
        found = _string(text)
        if code is None or found is None:
            return None
        words[code] = found
    return (name, words) if {"it", "en"} <= set(words) else None


def _line_starts(source: bytes) -> list[int]:
    starts = [0]
    for index, byte in enumerate(source):
        if byte == ord("\n"):
            starts.append(index + 1)
    return starts


def _cut_item(source: bytes, start: int, end: int) -> tuple[int, int]:
    """Widen [start, end) of a dict item to its comma and, when alone on its lines, the lines."""
    after = end
    while after < len(source) and source[after:after + 1] in (b" ", b"\t"):
        after += 1
    if source[after:after + 1] == b",":
        end = after + 1
    line_start = source.rfind(b"\n", 0, start) + 1
    line_end = source.find(b"\n", end)
    line_end = len(source) if line_end < 0 else line_end + 1
    if not source[line_start:start].strip() and not source[end:line_end].strip():
        return line_start, line_end
    return start, end


def find_words(source: bytes) -> tuple[dict[str, dict[str, str]], list[tuple[int, int, bytes]]]:
    """The words in dict form in `source`, and the edits (start, end, replacement) removing them."""
    tree = ast.parse(source)
    starts = _line_starts(source)

    def offset(line: int, column: int) -> int:
        return starts[line - 1] + column  # ast columns count UTF-8 bytes, as `source` does

    found: dict[str, dict[str, str]] = {}
    edits: list[tuple[int, int, bytes]] = []
    for node in ast.walk(tree):
        if not isinstance(node, ast.Dict) or not node.keys:
            continue
        entries = [_entry(key, value) for key, value in zip(node.keys, node.values, strict=True)]
        if not any(entries):
            continue
        for item in entries:
            if item is not None:
                found[item[0]] = item[1]
        if all(entries):
            assert node.end_lineno is not None and node.end_col_offset is not None
            edits.append((offset(node.lineno, node.col_offset),
                          offset(node.end_lineno, node.end_col_offset), b"{}"))
            continue
        for key, value, item in zip(node.keys, node.values, entries, strict=True):
            if item is None or key is None:
                continue
            assert value.end_lineno is not None and value.end_col_offset is not None
            start, end = _cut_item(source, offset(key.lineno, key.col_offset),
                                   offset(value.end_lineno, value.end_col_offset))
            edits.append((start, end, b""))
    return found, edits


def apply_edits(source: bytes, edits: list[tuple[int, int, bytes]]) -> bytes:
    """`source` with the edits made, last first (the offsets stay right)."""
    for start, end, replacement in sorted(edits, reverse=True):
        source = source[:start] + replacement + source[end:]
    return source


def move(paths: list[Path], *, keep: bool = False, po_path: Path = PO_PATH) -> int:
    """Move the words of `paths` into the catalogue; return how many entries moved."""
    catalogue = read_catalogue(po_path)
    moved = 0
    for path in paths:
        source = path.read_bytes()
        found, edits = find_words(source)
        for key, words in found.items():
            for message in [m for m in catalogue if m.context == key]:
                catalogue.delete(message.id, context=key)
            catalogue.add(words["en"], words["it"], context=key)
        moved += len(found)
        if found and not keep:
            path.write_bytes(apply_edits(source, edits))
        print(f"{path}: {len(found)} entries moved to {po_path}")
    write_catalogue(catalogue, po_path)
    compile_mo(po_path)
    return moved


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("modules", nargs="+", type=Path)
    parser.add_argument("--keep", action="store_true", help="leave the modules unchanged")
    parser.add_argument("--po", type=Path, default=PO_PATH)
    args = parser.parse_args(argv)
    move(args.modules, keep=args.keep, po_path=args.po)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
