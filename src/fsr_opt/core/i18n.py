"""The language of the current run, and the translations of every word a person reads.

One setting: `current_language` is the language of the run in a `ContextVar` (a web request
or a test sets its own without touching the others'); unset, it is ``FSR_OPT_LANG`` from the
environment, else Italian. The command line's ``--lang`` sets it (`use_language`).

Words come from a gettext catalogue shipped with the package
(``fsr_opt/locale/it/LC_MESSAGES/fsr_opt.po``, compiled to ``.mo``; docs/architecture.md,
"Languages"). In the code a sentence is written in English, the msgid, and wrapped in `_`;
a word kept under a stable key (``reason.NOT_APPLIED``, read with `fsr_opt.core.words.text`)
is an entry whose msgctxt is the key. English needs no catalogue: it is the msgid. Reading
the compiled catalogue with the standard library's `gettext` keeps the start-up cheap; Babel
is imported only where numbers and dates are formatted (`fsr_opt.core.words`).

Reading the shipped ``.mo`` is the one file this module opens: package data, as Python reads
its modules, not a user's file (those go through `fsr_opt.io`).
"""

from __future__ import annotations

import contextlib
import gettext
import os
from collections.abc import Iterator
from contextvars import ContextVar
from functools import cache
from pathlib import Path

LANGUAGES = ("it", "en")
"""The languages people can read fsr-opt in; the first is the default."""
DEFAULT_LANGUAGE = "it"
SOURCE_LANGUAGE = "en"
"""The language of the msgids: it needs no catalogue."""
LANGUAGE_ENV = "FSR_OPT_LANG"
"""The environment variable that sets the language when ``--lang`` is not given."""
DOMAIN = "fsr_opt"
LOCALE_DIR = Path(__file__).resolve().parent.parent / "locale"
"""Where ``<lang>/LC_MESSAGES/fsr_opt.mo`` ship, inside the package."""

_CONTEXT_GLUE = "\x04"
"""How gettext joins a msgctxt to its msgid in a compiled catalogue."""

_LANGUAGE: ContextVar[str | None] = ContextVar("fsr_opt_language", default=None)


class LanguageError(ValueError):
    """A language fsr-opt does not speak (the command line turns it into a usage error)."""


def check_language(lang: str) -> str:
    """Return `lang` if supported; raise `LanguageError` naming the choices otherwise."""
    if lang not in LANGUAGES:
        raise LanguageError(f"unknown language '{lang}': use one of {', '.join(LANGUAGES)}")
    return lang


def environment_language() -> str | None:
    """The language ``FSR_OPT_LANG`` asks for, None when unset or empty.

    Raises:
        LanguageError: the variable names a language fsr-opt does not speak.
    """
    value = os.environ.get(LANGUAGE_ENV, "").strip()
    return check_language(value) if value else None


def current_language() -> str:
    """The language of this run: set by `use_language`, else ``FSR_OPT_LANG``, else Italian.

    An unknown ``FSR_OPT_LANG`` falls back to Italian here (the command line refuses it
    before any work starts, naming the variable).
    """
    lang = _LANGUAGE.get()
    if lang is not None:
        return lang
    try:
        return environment_language() or DEFAULT_LANGUAGE
    except LanguageError:
        return DEFAULT_LANGUAGE


def resolve(lang: str | None) -> str:
    """`lang` when given (checked), else the current language."""
    return current_language() if lang is None else check_language(lang)


def set_language(lang: str) -> None:
    """Make `lang` the language of the rest of this context (the command line's ``--lang``)."""
    _LANGUAGE.set(check_language(lang))


def clear_language() -> None:
    """Forget the language set in this context: back to ``FSR_OPT_LANG``, else Italian."""
    _LANGUAGE.set(None)


@contextlib.contextmanager
def use_language(lang: str | None) -> Iterator[str]:
    """Run a block in `lang` (None: the current language), restoring the previous one after."""
    token = _LANGUAGE.set(resolve(lang))
    try:
        yield current_language()
    finally:
        _LANGUAGE.reset(token)


@cache
def translations(lang: str) -> gettext.NullTranslations:
    """The compiled catalogue of `lang`, read once; English (the msgids) needs none."""
    check_language(lang)
    if lang == SOURCE_LANGUAGE:
        return gettext.NullTranslations()
    with (LOCALE_DIR / lang / "LC_MESSAGES" / f"{DOMAIN}.mo").open("rb") as compiled:
        return gettext.GNUTranslations(compiled)


def _(message: str) -> str:
    """`message` (English, the msgid) in the current language."""
    return translations(current_language()).gettext(message)


def N_(message: str) -> str:  # noqa: N802 - gettext's name for "mark, translate later"
    """Mark `message` for the catalogue without translating it (a constant read later)."""
    return message


def translate(message: str, lang: str | None = None) -> str:
    """`message` (English, the msgid) in `lang` (None: the current language)."""
    return translations(resolve(lang)).gettext(message)


def ngettext(singular: str, plural: str, count: int, lang: str | None = None) -> str:
    """The singular or plural form for `count`, in `lang` (None: the current language)."""
    return translations(resolve(lang)).ngettext(singular, plural, count)


def pgettext(context: str, message: str, lang: str | None = None) -> str:
    """`message` as the translation of `context` says (one English word, two meanings)."""
    return translations(resolve(lang)).pgettext(context, message)


@cache
def keys() -> dict[str, str]:
    """Every keyed entry of the catalogue: key (msgctxt) -> its English words (msgid).

    `fsr_opt.core.words.text` looks a key up here, then translates the English words under
    that context: the key alone finds every language.
    """
    catalogue: dict[object, str] = vars(translations(DEFAULT_LANGUAGE))["_catalog"]
    return {key: english for key, english in (
        entry.split(_CONTEXT_GLUE, 1) for entry in catalogue
        if isinstance(entry, str) and _CONTEXT_GLUE in entry)}


def keyed_text(key: str, lang: str) -> str | None:
    """The words of `key` in `lang`, None for a key the catalogue does not have."""
    english = keys().get(key)
    return None if english is None else translations(check_language(lang)).pgettext(
        key, english)
