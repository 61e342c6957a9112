"""The gettext catalogue: every word a person reads has its Italian, and the .mo is the .po's."""

from __future__ import annotations

import ast
import re
import string
from pathlib import Path

import pytest
from babel.messages.extract import extract_from_dir
from scripts.catalogue import (
    CLDR_PATH,
    PO_PATH,
    SOURCE,
    cldr_text,
    extracted,
    mo_bytes,
    read_catalogue,
)
from scripts.words_to_po import move

from fsr_opt.core import i18n
from fsr_opt.core.words import CATALOGUE, WORDS, money, text

# The reference year is always supplied where a text may name it; a language may leave it out.
OPTIONAL_PLACEHOLDERS = {"history_year"}


def placeholders(words: str) -> set[str]:
    return {name for _, name, _, _ in string.Formatter().parse(words) if name}


def entries() -> list[tuple[str, str, str | None, bool]]:
    """(msgid, msgstr, msgctxt, fuzzy) of every entry of the .po but its header."""
    found = []
    for message in read_catalogue(PO_PATH):
        if not message.id:
            continue
        ids = [message.id] if isinstance(message.id, str) else list(message.id)
        strings = [message.string] if isinstance(message.string, str) else list(message.string)
        for msgid in ids:
            for msgstr in strings:
                found.append((msgid, msgstr or "", message.context, message.fuzzy))
    return found


def test_every_word_of_the_code_has_its_italian() -> None:
    translated = {(msgid, context) for msgid, msgstr, context, fuzzy in entries()
                  if msgstr.strip() and not fuzzy}
    missing = [f"{where}: {message!r}" for message, context, where in extracted()
               if ((message if isinstance(message, str) else message[0]), context)
               not in translated]
    assert not missing, "translate them in the .po (make catalogue adds them):\n" + "\n".join(
        missing)


def test_a_translation_takes_the_same_placeholders() -> None:
    differ = [(msgid, msgstr) for msgid, msgstr, _, _ in entries()
              if placeholders(msgid) - OPTIONAL_PLACEHOLDERS
              != placeholders(msgstr) - OPTIONAL_PLACEHOLDERS]
    assert not differ


def test_the_compiled_catalogue_is_the_po() -> None:
    assert PO_PATH.with_suffix(".mo").read_bytes() == mo_bytes(PO_PATH), "run make catalogue"


def test_the_compiled_separators_are_babels() -> None:
    assert CLDR_PATH.read_text(encoding="utf-8") == cldr_text(), "run make catalogue"


def test_no_word_waits_in_dict_form() -> None:
    assert not CATALOGUE, "python scripts/words_to_po.py src/fsr_opt/core/words.py"


KEY = re.compile(r"[a-z_]+(\.[A-Za-z0-9_]+)+")
"""A key of `text` (other functions named text take other strings)."""


def test_every_literal_key_read_by_the_code_exists() -> None:
    unknown = [f"{name}:{line}: {key}" for name, line, key, _, _ in extract_from_dir(
        str(SOURCE), method_map=[("**.py", "python")], keywords={"text": None},
        comment_tags=(), strip_comment_tags=True)
        if isinstance(key, str) and KEY.fullmatch(key) and key not in WORDS]
    assert not unknown


def test_the_language_of_the_run(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv(i18n.LANGUAGE_ENV, raising=False)
    assert i18n.current_language() == "it"
    assert text("word.yes") == "sì" and money(89249535) == "892.495,35"
    monkeypatch.setenv(i18n.LANGUAGE_ENV, "en")
    assert i18n.current_language() == "en"
    assert text("word.yes") == "yes" and money(89249535) == "892,495.35"
    with i18n.use_language("it"):
        assert text("word.yes") == "sì"
        assert i18n.translate("yes", "en") == "yes"
    assert i18n.current_language() == "en"
    monkeypatch.setenv(i18n.LANGUAGE_ENV, "fr")
    assert i18n.current_language() == "it"  # the command line refuses it, naming the variable
    with pytest.raises(i18n.LanguageError, match="it, en"):
        i18n.environment_language()


def test_a_keyed_word_in_both_languages() -> None:
    assert i18n.keyed_text("reason.NOT_APPLIED", "it") == "istanza di contributo non presentata"
    assert i18n.keyed_text("reason.NOT_APPLIED", "en") == "no application submitted"
    assert i18n.keyed_text("reason.NOTHING", "it") is None


def test_words_in_dict_form_move_into_the_po(tmp_path: Path) -> None:
    module = tmp_path / "words.py"
    module.write_text(
        '"""Words."""\n\nKEPT = {"a": 1}\nCATALOGUE = {\n    # a comment\n'
        '    "ats.title": {"it": "Riparto dell\'ATS", "en": "The ATS riparto"},\n'
        '    "ats.count": {\n        "it": "{count} unità",\n        "en": "{count} units",\n'
        '    },\n}\nMIXED = {\n    "plain": 1,\n    "ats.more": {"it": "più", "en": "more"},\n'
        '    "other": 2,\n}\n', encoding="utf-8")
    po = tmp_path / "it" / "fsr_opt.po"
    assert move([module], po_path=po) == 3
    moved = {(m.context, m.id): m.string for m in read_catalogue(po) if m.id}
    assert moved == {("ats.title", "The ATS riparto"): "Riparto dell'ATS",
                     ("ats.count", "{count} units"): "{count} unità",
                     ("ats.more", "more"): "più"}
    assert module.read_text(encoding="utf-8") == (
        '"""Words."""\n\nKEPT = {"a": 1}\nCATALOGUE = {}\nMIXED = {\n    "plain": 1,\n'
        '    "other": 2,\n}\n')
    assert po.with_suffix(".mo").read_bytes() == mo_bytes(po)
    # a word changed in dict form replaces the entry of the same key
    module.write_text('W = {"ats.more": {"it": "di più", "en": "more of it"}}\n',
                      encoding="utf-8")
    move([module], po_path=po)
    assert [(m.id, m.string) for m in read_catalogue(po) if m.context == "ats.more"] == [
        ("more of it", "di più")]


def test_a_word_asked_for_inside_an_f_string_is_extracted_too() -> None:
    # Babel's extractor reads an f-string as one token and misses a `_("...")` inside it:
    # the AST sees every call of `_` and `N_` with a literal msgid, wherever it stands
    known = {msgid for msgid, _context, _where in extracted() if isinstance(msgid, str)}
    missed = []
    for path in sorted(SOURCE.rglob("*.py")):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if (isinstance(node, ast.Call) and isinstance(node.func, ast.Name)
                    and node.func.id in ("_", "N_") and node.args
                    and isinstance(node.args[0], ast.Constant)
                    and isinstance(node.args[0].value, str)
                    and node.args[0].value not in known):
                missed.append(f"{path.relative_to(SOURCE)}:{node.lineno}: {node.args[0].value}")
    assert missed == []
