"""The gettext catalogue of fsr-opt: extract the words from the code, update the .po, compile.

    python -m scripts.catalogue          # `make catalogue`

Babel's extractor reads every ``_("...")``, ``N_("...")``, ``ngettext`` and ``pgettext`` call
under src/fsr_opt; a msgid new to the code is added to the Italian ``.po`` with an empty
msgstr (tests/core/test_catalogue.py then fails until someone translates it), a msgid the code
no longer uses is dropped. Keyed entries (msgctxt = a key of `fsr_opt.core.words.text`, moved
in by scripts/words_to_po.py) are kept: the .po is their source. The ``.mo`` is compiled from
the ``.po``; both are package data. The CLDR separators of each language are compiled from
Babel's locale data into ``fsr_opt/core/cldr.py`` (`cldr_text`).
"""

from __future__ import annotations

import ast
import io
import json
import sys
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

from babel import Locale
from babel.messages.catalog import Catalog
from babel.messages.extract import extract_from_dir
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po, write_po
from babel.numbers import get_decimal_symbol, get_group_symbol, get_minus_sign_symbol

from fsr_opt.core.words import LOCALES

ROOT = Path(__file__).resolve().parent.parent
SOURCE = ROOT / "src" / "fsr_opt"
PO_PATH = SOURCE / "locale" / "it" / "LC_MESSAGES" / "fsr_opt.po"
CLDR_PATH = SOURCE / "core" / "cldr.py"
KEYWORDS = {
    "_": None,
    "N_": None,
    "translate": None,
    "ngettext": (1, 2),
    "pgettext": ((1, "c"), 2),
}
"""The calls whose literal arguments are msgids (Babel's keyword specifications)."""
FIXED_DATE = datetime(2026, 1, 1, tzinfo=UTC)
"""The dates of the .po header: fixed, so that the files change only when the words do."""


def new_catalogue() -> Catalog:
    return Catalog(locale="it", domain="fsr_opt", project="fsr-opt", version="0.1",
                   creation_date=FIXED_DATE, revision_date=FIXED_DATE,
                   language_team="fsr-opt", last_translator="fsr-opt",
                   copyright_holder="fsr-opt", msgid_bugs_address="", fuzzy=False,
                   header_comment="# The words of fsr-opt in Italian: msgid English (the code's), "
                   "msgstr Italian.\n# msgctxt, when present, is the key of "
                   "fsr_opt.core.words.text.\n# make catalogue updates this file from the "
                   "code; scripts/words_to_po.py moves words\n# kept in dict form here.")


def read_catalogue(path: Path = PO_PATH) -> Catalog:
    if not path.exists():
        return new_catalogue()
    with path.open("rb") as source:
        catalogue = read_po(source, locale="it", domain="fsr_opt")
    catalogue.creation_date = FIXED_DATE
    catalogue.revision_date = FIXED_DATE
    catalogue.fuzzy = False
    return catalogue


def write_catalogue(catalogue: Catalog, path: Path = PO_PATH) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    buffer = io.BytesIO()
    write_po(buffer, catalogue, width=100, omit_header=False, ignore_obsolete=True,
             include_lineno=False)
    path.write_bytes(buffer.getvalue())


def mo_bytes(path: Path = PO_PATH) -> bytes:
    """The compiled catalogue of the .po at `path` (fuzzy entries left out, as gettext does)."""
    buffer = io.BytesIO()
    write_mo(buffer, read_catalogue(path), use_fuzzy=False)
    return buffer.getvalue()


def compile_mo(path: Path = PO_PATH) -> Path:
    target = path.with_suffix(".mo")
    target.write_bytes(mo_bytes(path))
    return target


def cldr_text() -> str:
    """The source of ``fsr_opt/core/cldr.py``: each language's minus sign and separators."""
    symbols = {}
    for lang, name in sorted(LOCALES.items()):
        locale = Locale.parse(name)
        symbols[lang] = (get_minus_sign_symbol(locale), get_group_symbol(locale),
                         get_decimal_symbol(locale))
    entries = ", ".join(f"{json.dumps(lang)}: ({', '.join(map(json.dumps, three))})"
                        for lang, three in symbols.items())
    return (
        '"""The CLDR number symbols of each language, compiled from Babel by `make catalogue`.\n'
        "\n"
        "Do not edit: ``python -m scripts.catalogue`` writes this file from Babel's locale data\n"
        "(tests/core/test_catalogue.py fails when the two differ). `fsr_opt.core.words` lays out\n"
        "amounts, ratios and dates with them instead of loading Babel's data in every command.\n"
        '"""\n'
        "\n"
        f"SYMBOLS: dict[str, tuple[str, str, str]] = {{{entries}}}\n"
        '"""Per language: the minus sign, the thousands separator, the decimal separator."""\n')


def shown_docstrings(source: Path = SOURCE) -> Iterator[tuple[str, str]]:
    """The docstrings people read, each with where it is: they are msgids too.

    Typer shows a command's docstring as its ``--help`` (``inspect.getdoc``), and a rule
    file that has something else where a mapping belongs is told what the mapping is by the
    docstring of its schema model (`fsr_opt.rules.validate`); both are translated when shown.
    """
    shown = {"cli.py": ast.FunctionDef, "rules/document.py": ast.ClassDef,
             "rules/ats.py": ast.ClassDef}
    for name, kind in shown.items():
        for node in ast.walk(ast.parse((source / name).read_text(encoding="utf-8"))):
            if not isinstance(node, kind):
                continue
            is_command = any(isinstance(decorator, ast.Call)
                             and isinstance(decorator.func, ast.Attribute)
                             and decorator.func.attr == "command"
                             for decorator in node.decorator_list)
            docstring = ast.get_docstring(node)
            if docstring and (kind is ast.ClassDef or is_command):
                yield docstring, f"{name}:{node.lineno}"


def extracted(source: Path = SOURCE) -> Iterator[tuple[str | tuple[str, ...], str | None, str]]:
    """Every msgid of the code: (msgid or its singular and plural, msgctxt, where)."""
    for filename, lineno, message, _comments, context in extract_from_dir(
            str(source), method_map=[("**.py", "python")], keywords=KEYWORDS,
            comment_tags=(), strip_comment_tags=True):
        yield message, context, f"{filename}:{lineno}"
    for docstring, where in shown_docstrings(source):
        yield docstring, None, where


def update(po_path: Path = PO_PATH, source: Path = SOURCE) -> tuple[int, int]:
    """Bring the .po in step with the code; return (msgids added, msgids dropped)."""
    catalogue = read_catalogue(po_path)
    seen: set[tuple[str, str | None]] = set()
    added = 0
    for message, context, where in extracted(source):
        msgid = message if isinstance(message, str) else message[0]
        seen.add((msgid, context))
        entry = catalogue.get(message, context=context)
        if entry is None:
            catalogue.add(message, "" if isinstance(message, str) else ("", ""),
                          context=context, locations=[(where.rsplit(":", 1)[0], None)])
            added += 1
    dropped = 0
    for entry in list(catalogue):
        if not entry.id or (entry.context is not None and (entry.id, entry.context) not in seen):
            continue  # the header, and the keyed entries: the .po is their source
        msgid = entry.id if isinstance(entry.id, str) else entry.id[0]
        if (msgid, entry.context) not in seen:
            catalogue.delete(entry.id, context=entry.context)
            dropped += 1
    write_catalogue(catalogue, po_path)
    compile_mo(po_path)
    CLDR_PATH.write_text(cldr_text(), encoding="utf-8")
    return added, dropped


def main() -> int:
    added, dropped = update()
    print(f"{PO_PATH.relative_to(ROOT)}: {added} new msgids (translate them), {dropped} dropped;"
          f" {PO_PATH.with_suffix('.mo').relative_to(ROOT)} compiled")
    return 0


if __name__ == "__main__":
    sys.exit(main())
