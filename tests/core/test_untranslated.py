"""No sentence a person reads is given to an error or a problem without a translation.

The catalogue test (test_catalogue.py) checks that every ``_()`` msgid has its Italian; this
one checks the other half: that the messages of the project's errors, problems, audit
violations and ATS findings go through ``_()`` (or `fsr_opt.core.words.text`, or a variable
built from them) at all. It scans the source with `ast` and fails on a string literal, an
f-string, or ``"...".format(...)`` passed directly as such a message. A message that is not
prose (a bare code) goes in `ALLOWED` with its reason.
"""

from __future__ import annotations

import ast
import re
from collections.abc import Iterator
from pathlib import Path

SOURCE = Path(__file__).resolve().parents[2] / "src" / "fsr_opt"

MESSAGE_ARGUMENTS: dict[str, tuple[int | None, str | None]] = {
    # callee name: (position of the message, its keyword)
    "Problem": (0, "message"),
    "FsrOptError": (0, None),
    "InputError": (0, None),
    "RuleSetError": (0, None),
    "InfeasibleError": (0, None),
    "SolverError": (0, None),
    "CellProblem": (1, "message"),
    "RuleValueError": (1, "message"),
    "Violation": (4, "message"),
    "Finding": (2, "message"),
    "fail": (3, "message"),
    "problem": (2, "message"),  # rules/validate.py's Checker.problem(path, code, message)
}
"""The constructors and helpers whose argument is a sentence a person reads."""

SHOWN_ARGUMENTS: dict[str, tuple[tuple[int, str], ...]] = {
    # callee name: the other arguments a person reads, (position, keyword)
    "Violation": ((1, "subject"), (2, "expected"), (3, "actual")),
}
"""Words beside the message: an audit finding's subject, expected and actual value."""

ALLOWED: dict[tuple[str, str], str] = {
    # (file under src/fsr_opt, the literal as written): why it may stay untranslated
    ("io/units.py", '"the column is missing"'):
        "the stand-in of a missing column's cells, never shown (the column is reported once, "
        "by _map_headings)",
    ("audit/rules.py", 'f"SHA-256 {item.recorded_sha256[:12]}..."'):
        "INPUT_CHANGED's expected value: the name of a hash and its first digits, no word",
    ("audit/rules.py", 'f"SHA-256 {item.sha256[:12]}..."'):
        "INPUT_CHANGED's actual value: the name of a hash and its first digits, no word",
}
"""Literal messages that may stay: keyed by file and text, not line, so edits elsewhere in the
file do not break the list; each entry says why."""


def _callee(call: ast.Call) -> str | None:
    if isinstance(call.func, ast.Name):
        return call.func.id
    if isinstance(call.func, ast.Attribute):
        return call.func.attr
    return None


_WORD = re.compile(r"[A-Za-z]{2,}")
"""A word: a literal without one (``f"{path}: {message}"``) only joins translated parts."""


def _untranslated(node: ast.expr) -> bool:
    """A literal sentence: a string, an f-string, a literal's ``.format``, or a mix of them."""
    if isinstance(node, ast.Constant):
        return isinstance(node.value, str) and bool(_WORD.search(node.value))
    if isinstance(node, ast.JoinedStr):
        return any(_untranslated(part) for part in node.values
                   if isinstance(part, ast.Constant))
    if isinstance(node, ast.BinOp):
        return _untranslated(node.left) or _untranslated(node.right)
    if isinstance(node, ast.IfExp):
        return _untranslated(node.body) or _untranslated(node.orelse)
    if (isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute)
            and node.func.attr in {"format", "join"}):
        return _untranslated(node.func.value) and node.func.attr == "format"
    return False


def _messages(call: ast.Call) -> Iterator[ast.expr]:
    position, keyword = MESSAGE_ARGUMENTS[_callee(call) or ""]
    if position is not None and len(call.args) > position:
        yield call.args[position]
    for given in call.keywords:
        if keyword is not None and given.arg == keyword:
            yield given.value
    for shown_position, shown_keyword in SHOWN_ARGUMENTS.get(_callee(call) or "", ()):
        if len(call.args) > shown_position:
            yield call.args[shown_position]
        yield from (given.value for given in call.keywords if given.arg == shown_keyword)


def untranslated_messages() -> dict[tuple[str, str], int]:
    """Every literal sentence given as a message: (file, the literal) -> its line."""
    found = {}
    for path in sorted(SOURCE.rglob("*.py")):
        text = path.read_text(encoding="utf-8")
        for node in ast.walk(ast.parse(text)):
            if not (isinstance(node, ast.Call) and _callee(node) in MESSAGE_ARGUMENTS):
                continue
            for message in _messages(node):
                if _untranslated(message):
                    literal = ast.get_source_segment(text, message) or ""
                    found[(path.relative_to(SOURCE).as_posix(), literal)] = message.lineno
    return found


def test_every_message_goes_through_the_catalogue() -> None:
    """A literal message would read in English whatever the language of the run."""
    found = [f"{file}:{line}: {literal}" for (file, literal), line
             in untranslated_messages().items() if (file, literal) not in ALLOWED]
    assert not found, (
        f"{len(found)} messages are literal English, not _('...'): wrap them in _() and run "
        "`make catalogue`:\n" + "\n".join(found))


def test_the_allow_list_names_only_literal_messages() -> None:
    """An allowed entry that is no longer a literal message is stale: remove it."""
    assert set(ALLOWED) <= set(untranslated_messages())


def test_the_scan_sees_a_literal_message() -> None:
    """The scan works: an f-string, a literal, a literal's format are caught; _() and a
    literal with no word (joining translated parts) are not."""
    tree = ast.parse('Problem(f"bad {y}", code=c)\nInputError("plain", c)\n'
                     'Violation(a, b, c, d, message="n is {n}".format(n=1))\n'
                     'Problem(_("ok"), code=c)\nProblem(f"{path}: {message}", code=c)\n'
                     'Violation(a, f"area {a}", _("ok"), x, _("ok"))\n'
                     'Violation(a, s, _("ok"), x, _("ok"))')
    calls = [node for node in ast.walk(tree) if isinstance(node, ast.Call)
             and _callee(node) in MESSAGE_ARGUMENTS]
    flagged = [any(_untranslated(m) for m in _messages(call)) for call in calls]
    assert sorted(flagged) == [False, False, False, True, True, True, True]
