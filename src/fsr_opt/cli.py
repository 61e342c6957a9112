"""The `fsr-opt` command line: parse options, call the pipeline, print, exit with a code.

Exit codes (docs/errors.md): 0 success; 1 the audit found violations; 2 bad input or usage;
3 infeasible rules or solver failure; 130 interrupted. This module is the only place that
turns an error into an exit code (`EXIT_CODES`). Users see messages, never tracebacks.

Each command imports the part of fsr-opt it needs when it runs: `fsr-opt --help` or
`fsr-opt version` should not pay for PuLP, the readers and the reports (benchmarks/bench_cli.py
measures it). Only light modules are imported here at the top.
"""

from __future__ import annotations

import contextlib
import copy
import difflib
import logging
import os
import re
import sys
from collections.abc import Callable, Iterator, Sequence
from dataclasses import replace
from fractions import Fraction
from pathlib import Path
from typing import IO, TYPE_CHECKING, Annotated, Any, TypeVar

import typer
from typer._click.exceptions import (  # Typer's copy of click: its usage errors
    BadParameter,
    MissingParameter,
    NoArgsIsHelpError,
    NoSuchOption,
    UsageError,
)
from typer._click.globals import get_current_context
from typer._click.types import IntParamType, IntRange
from typer.main import get_command_name
from typer.models import CommandInfo

from fsr_opt import __version__
from fsr_opt.app.status import INTERNAL_ERROR, NOT_RUN, SOLVED
from fsr_opt.app.status import INTERRUPTED as REGION_INTERRUPTED
from fsr_opt.core.collector import spare_collection_at_exit
from fsr_opt.core.errors import (
    WARNINGS_LOGGER,
    ErrorCode,
    FsrOptError,
    InfeasibleError,
    InputError,
    Problem,
    RuleSetError,
    SolverError,
    WarningLog,
)
from fsr_opt.core.i18n import (
    DEFAULT_LANGUAGE,
    LANGUAGE_ENV,
    LANGUAGES,
    N_,
    LanguageError,
    _,
    clear_language,
    environment_language,
    set_language,
    use_language,
)
from fsr_opt.core.words import ratio
from fsr_opt.engine.solvers import DEFAULT_TIME_LIMIT
from fsr_opt.io.cells import CellProblem, Dialect, parse_decimal

if TYPE_CHECKING:
    # Typer's own copy of click: the types its command classes are written with
    from typer._click import Command as ClickCommand
    from typer._click import Context as ClickContext
    from typer._click import HelpFormatter

    from fsr_opt.app.pipeline import Inputs
    from fsr_opt.core.schema import RuleSet

_ARGUMENTS = "fsr_opt.arguments"
"""Where the top group keeps the words typed after ``fsr-opt``, for the language of --help."""
_TYPER_WORDS = (N_("Show this message and exit."),)
"""Typer's own help texts that the ``--help`` pages translate (`_translated_help`)."""
_HELP_EXTRAS = re.compile(r"\[(default: (?P<default>.*)|(?P<required>required))\]$")
_METAVARS = {"<path>": N_("PATH"), "<str>": N_("TEXT"), "SECONDS": N_("SECONDS"),
             "<int range>": N_("NUMBER"), "<int>": N_("NUMBER")}
"""The placeholders of the options' values on the --help pages, said in the page's language."""
_RANGE = re.compile(r"^(?:(?P<low>-?\d+)<=x<=(?P<high>-?\d+)|x>=(?P<least>-?\d+)|"
                    r"x<=(?P<most>-?\d+))$")
"""click's description of a whole number's range in a default's brackets (``1<=x<=50``)."""
_CLICK_NUMBER = re.compile(r"^'?(?P<value>.*?)'? is not (in the range|a valid)")
"""The value in click's reason for a number refused (its words are said again translated)."""


def _help_language(ctx: ClickContext) -> str:
    """The language of a ``--help`` page: ``--lang`` typed anywhere, else as for a run.

    ``--help`` is answered while the options are read, before ``--lang`` is acted on, so
    the words typed are searched for it here; an unknown language leaves the default (the
    command refuses it when it runs).
    """
    words: tuple[str, ...] = ctx.find_root().meta.get(_ARGUMENTS, ())
    return _typed_language(words)


def _typed_language(words: Sequence[str]) -> str:
    """The language of the last ``--lang`` among `words`, else the environment's, else Italian."""
    for index, word in enumerate(words):
        value: str | None = (word.partition("=")[2] if word.startswith("--lang=") else
                 words[index + 1] if word == "--lang" and index + 1 < len(words) else None)
        if value in LANGUAGES:
            return value
    try:
        return environment_language() or DEFAULT_LANGUAGE
    except LanguageError:
        return DEFAULT_LANGUAGE


def _translated_help(command: typer.core.TyperCommand | typer.core.TyperGroup) -> None:
    """Put the command's help and usage words in the current language (gettext msgids).

    Typer builds the command objects anew for every call of the application, so the English
    texts of the code are what is translated each time.
    """
    command.help = _(command.help) if command.help else command.help
    command.options_metavar = _("[OPTIONS]")
    if isinstance(command, typer.core.TyperGroup):
        command.subcommand_metavar = _("COMMAND [ARGS]...")


def _translated_record(record: tuple[str, str]) -> tuple[str, str]:
    """A row of the options' table in the page's language.

    The value's placeholder (``PATH``) and Typer's ``[default: ...]``/``[required]`` are
    translated, a whole number's range said in words (``from 1 to 50``).
    """
    names, text = record
    option, space, metavar = names.partition(" ")
    if space and metavar in _METAVARS:
        names = f"{option} {_(_METAVARS[metavar])}"
    extra = _HELP_EXTRAS.search(text)
    if extra is None:
        return names, text
    words = (_("default: {default}").format(default="; ".join(
        _default_words(part) for part in extra["default"].split("; ")))
             if extra["default"] is not None else _("required"))
    return names, f"{text[:extra.start()]}[{words}]"


def _default_words(part: str) -> str:
    """A default or a range as people read it: ``60`` for 60.0, ``da 1 a 50`` for 1<=x<=50."""
    if re.fullmatch(r"\d+\.0", part):
        return part[:-2]
    found = _RANGE.match(part)
    if found is None:
        return part
    if found["low"] is not None:
        return _("from {low} to {high}").format(low=found["low"], high=found["high"])
    if found["least"] is not None:
        return _("at least {low}").format(low=found["least"])
    return _("at most {high}").format(high=found["most"])


_ARGUMENT_METAVAR = re.compile(r"^(?P<open>[\[{]?)(?P<name>[a-z_]+)(?P<close>[\]}]?)$")


def _argument_metavar(piece: str) -> str:
    """An argument on the usage line as its help text names it: ``RUN_DIR``, ``[RUN_DIR]``.

    Typer writes a required argument ``{base}`` and an optional one ``[run_dir]``.
    """
    found = _ARGUMENT_METAVAR.match(piece)
    if found is None:
        return piece
    name = found["name"].upper()
    return f"[{name}]" if found["open"] == "[" else name


def _format_usage(
    command: typer.core.TyperCommand | typer.core.TyperGroup,
    ctx: ClickContext,
    formatter: HelpFormatter,
) -> None:
    pieces = [_argument_metavar(piece) for piece in command.collect_usage_pieces(ctx)]
    formatter.write_usage(ctx.command_path, " ".join(pieces), prefix=_("Usage: "))


def _format_parameters(
    command: typer.core.TyperCommand | typer.core.TyperGroup,
    ctx: ClickContext,
    formatter: HelpFormatter,
) -> None:
    """The Arguments and Options sections, in the current language."""
    params = command.get_params(ctx)  # with the --help option click adds
    for param in params:
        help_text = getattr(param, "help", None)
        if help_text:
            param.help = _(help_text)  # type: ignore[attr-defined]
    for kind, title in (("argument", _("Arguments")), ("option", _("Options"))):
        rows = [_translated_record(record) for param in params
                if param.param_type_name == kind and (record := param.get_help_record(ctx))]
        if rows:
            with formatter.section(title):
                formatter.write_dl(rows)


def _usage_message(error: UsageError, unknown_command: str | None) -> str:
    """What went wrong on the command line, in the current language.

    Typer's copy of click writes its messages in English; the common ones are said again
    here from the exception's fields, the rest (a reason of click's own types, such as a
    number out of range) keep click's words after the translated name of the option.
    """
    if unknown_command is not None:
        guesses = difflib.get_close_matches(unknown_command, _command_names(error.ctx))
        return _("no such command '{name}'").format(name=unknown_command) + (
            "; " + _("did you mean {guesses}?").format(
                guesses=", ".join(f"'{guess}'" for guess in guesses)) if guesses else "")
    if isinstance(error, NoSuchOption):
        possible = sorted(error.possibilities or ())
        return _("no such option: {name}").format(name=error.option_name) + (
            " " + _("(possible options: {names})").format(names=", ".join(possible))
            if possible else "")
    if isinstance(error, MissingParameter) and error.param is not None:
        name = error.param.get_error_hint(error.ctx) if error.ctx else error.param.name
        return (_("missing argument {name}") if error.param.param_type_name == "argument"
                else _("missing option {name}")).format(name=name)
    if isinstance(error, BadParameter) and error.param is not None and error.ctx is not None:
        return _("invalid value for {name}: {reason}").format(
            name=error.param.get_error_hint(error.ctx), reason=_number_reason(error))
    return error.format_message()


def _number_reason(error: BadParameter) -> str:
    """Click's reason for a refused whole number, in the current language; others as they are."""
    kind = error.param.type if error.param is not None else None
    found = _CLICK_NUMBER.match(error.message)
    if not isinstance(kind, IntParamType) or found is None:
        return error.message
    value = found["value"]
    if not isinstance(kind, IntRange) or "is not a valid" in error.message:
        return _("'{value}' is not a whole number").format(value=value)
    if kind.min is not None and kind.max is not None:
        return _("{value} is not between {low} and {high}").format(
            value=value, low=kind.min, high=kind.max)
    if kind.min is not None:
        return _("{value} is below the least allowed, {low}").format(value=value, low=kind.min)
    return _("{value} is above the most allowed, {high}").format(value=value, high=kind.max)


def _command_names(ctx: ClickContext | None) -> list[str]:
    command = ctx.command if ctx is not None else None
    return list(command.commands) if isinstance(command, typer.core.TyperGroup) else []


class _TranslatedUsageError(UsageError):
    """A usage error printed in the run's language: usage line, hint and message."""

    def __init__(self, original: UsageError, unknown_command: str | None = None) -> None:
        super().__init__(original.message, original.ctx)
        self.original = original
        self.unknown_command = unknown_command

    def show(self, file: IO[Any] | None = None) -> None:
        """Print like click does (usage, hint, then the error), in the run's language."""
        ctx = self.ctx
        with use_language(_help_language(ctx) if ctx is not None else None):
            lines = []
            if ctx is not None:
                if isinstance(ctx.command, typer.core.TyperCommand | typer.core.TyperGroup):
                    _translated_help(ctx.command)  # the usage line's words
                lines.append(ctx.get_usage())
                if ctx.command.get_help_option(ctx) is not None:
                    lines.append(_("Try '{command} {option}' for help.").format(
                        command=ctx.command_path, option=ctx.help_option_names[0]))
                lines.append("")
            lines.append(_("Error: {message}").format(
                message=_usage_message(self.original, self.unknown_command)))
        typer.echo(_printable("\n".join(lines)), err=True)


def _in_language(error: UsageError) -> UsageError:
    """`error` as a `_TranslatedUsageError`, unless it already is one or is a page of help."""
    if isinstance(error, _TranslatedUsageError | NoArgsIsHelpError):
        return error
    return _TranslatedUsageError(error)


class _Command(typer.core.TyperCommand):
    """A command whose ``--help`` speaks the language of the run (Italian by default)."""

    format_usage = _format_usage
    format_options = _format_parameters

    def parse_args(self, ctx: ClickContext, args: list[str]) -> list[str]:
        try:
            return super().parse_args(ctx, args)
        except UsageError as error:
            raise _in_language(error) from error

    def format_help(self, ctx: ClickContext, formatter: HelpFormatter) -> None:
        with use_language(_help_language(ctx)):
            _translated_help(self)
            super().format_help(ctx, formatter)


class _Group(typer.core.TyperGroup):
    """`_Command`'s ``--help`` for a group, with its commands' summaries translated too."""

    def parse_args(self, ctx: ClickContext, args: list[str]) -> list[str]:
        if ctx.parent is None:
            ctx.meta[_ARGUMENTS] = tuple(args)
        try:
            return super().parse_args(ctx, args)
        except UsageError as error:
            raise _in_language(error) from error

    def resolve_command(
        self, ctx: ClickContext, args: list[str]
    ) -> tuple[str | None, ClickCommand | None, list[str]]:
        try:
            return super().resolve_command(ctx, args)
        except UsageError as error:
            unknown = args[0] if args and self.get_command(ctx, args[0]) is None else None
            raise _TranslatedUsageError(error, unknown_command=unknown) from error

    def format_help(self, ctx: ClickContext, formatter: HelpFormatter) -> None:
        with use_language(_help_language(ctx)):
            _translated_help(self)
            for name in self.list_commands(ctx):
                command = self.get_command(ctx, name)
                if command is not None and command.help:
                    command.help = _(command.help)
            super().format_help(ctx, formatter)

    format_usage = _format_usage

    def format_options(self, ctx: ClickContext, formatter: HelpFormatter) -> None:
        _format_parameters(self, ctx, formatter)
        self.format_commands(ctx, formatter)

    def format_commands(
        self, ctx: ClickContext, formatter: HelpFormatter
    ) -> None:
        commands = [(name, command) for name in self.list_commands(ctx)
                    if (command := self.get_command(ctx, name)) is not None
                    and not command.hidden]
        if commands:  # the layout of Typer's own list, with its title translated
            limit = formatter.width - 6 - max(len(name) for name, _command in commands)
            with formatter.section(_("Commands")):
                formatter.write_dl([(name, command.get_short_help_str(limit))
                                    for name, command in commands])


app = typer.Typer(
    cls=_Group,
    add_completion=False,
    no_args_is_help=True,
    help=N_("Riparto of the Fondo Sociale Regionale as an exact mixed-integer programme."),
    # Plain help and usage errors: Rich's formatting costs about as much as the rest of the
    # start-up (benchmarks/bench_cli.py), and scripts read our output.
    rich_markup_mode=None,
    pretty_exceptions_enable=False,
)

T = TypeVar("T")

AUDIT_FAILED = 1
INTERRUPTED = 130
# The exit code of each way a run can end: an error's `kind`, or a region Ambito's status.
EXIT_CODES: dict[str, int] = {
    SOLVED: 0,
    InputError.kind: 2,
    RuleSetError.kind: 2,
    FsrOptError.kind: 2,
    InfeasibleError.kind: 3,
    SolverError.kind: 3,
    INTERNAL_ERROR: 3,
    NOT_RUN: INTERRUPTED,
    REGION_INTERRUPTED: INTERRUPTED,
}

UnitsOption = Annotated[
    Path | None,
    typer.Option("--units", help=N_("Units table (CSV or XLSX); default: the bundled example.")),
]
RulesOption = Annotated[
    Path | None,
    typer.Option("--rules", help=N_("Rule-set file (YAML/TOML); default: the bundled 2025 rules.")),
]
BudgetOption = Annotated[
    str | None, typer.Option("--budget", help=N_("Override the fund, in euros (e.g. 850000)."))
]
ShareOption = Annotated[
    list[str] | None,
    typer.Option("--share", help=N_("Override an area share, AREA=PERCENT (repeatable).")),
]
MinAwardOption = Annotated[
    str | None, typer.Option("--min-award", help=N_("Override the minimum award, in euros."))
]
SetOption = Annotated[
    list[str] | None,
    typer.Option("--set", help=N_("Override any rule-set parameter, KEY=VALUE (repeatable).")),
]

SolverOption = Annotated[
    str, typer.Option("--solver", help=N_("MILP solver: cbc or highs."))
]
_TERMINAL_UNSAFE = re.compile(
    "[\x00-\x08\x0b-\x1f\x7f-\x9f\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]")
"""Characters a terminal obeys instead of showing: C0 controls but tab and line feed (ESC
starts the sequences that move the cursor or retitle the window), DEL, the C1 controls
(U+009B is a one-character ESC [) and the direction marks and overrides that reorder what
a line shows."""


def _printable(text: str) -> str:
    """Text for the terminal: every control character shown escaped (as JSON does), not obeyed.

    A rule set or a cell may carry an escape sequence (an OSC sequence in an Ambito's name
    retitles the terminal); fsr-opt prints names and values from its inputs, so everything
    it prints goes through here. ESC shows as a backslash, ``u001b``: JSON's form, so
    ``--format json`` stays JSON.
    """
    return _TERMINAL_UNSAFE.sub(lambda found: f"\\u{ord(found.group()):04x}", text)


def _say(message: str, *, err: bool = False, nl: bool = True) -> None:
    """Print a line (on stderr with `err`), its control characters escaped (`_printable`)."""
    typer.echo(_printable(message), err=err, nl=nl)


def _seconds(value: str | float, option: str) -> float:
    """Read a number of seconds, 0 or more, in ASCII digits, as ``60`` or ``2.5``.

    Raises:
        typer.Exit: exit 2, after a ``BAD_OPTION`` message naming the option (``nan``,
            ``-1``, ``inf``, ``1e3``, digits other than 0-9 are refused).
    """
    if isinstance(value, int | float):
        return float(value)
    number = parse_decimal(value, Dialect.PLAIN)
    if isinstance(number, CellProblem) or number < 0:
        # read while the options are parsed, before ``--lang`` is acted on: the words typed say
        context = get_current_context(silent=True)
        words = context.find_root().meta.get(_ARGUMENTS, ()) if context is not None else ()
        with use_language(_typed_language(words)):
            raise _fail(InputError(_("{option} '{value}' is not a number of seconds (0 or "
                                     "more); write it like 60 or 2.5").format(
                                         option=option, value=value), ErrorCode.BAD_OPTION))
    return float(number)


def _time_limit(value: str | float) -> float:
    return _seconds(value, "--time-limit")


TimeLimitOption = Annotated[
    float, typer.Option("--time-limit", help=N_("Seconds before giving up (exit 3)."),
                        parser=_time_limit, metavar="SECONDS")
]
LangOption = Annotated[
    str | None,
    typer.Option("--lang", show_default=False,
                 help=N_("Language of everything printed and written for people: it or en "
                         "(default: FSR_OPT_LANG, else it)."))
]
OutOption = Annotated[Path, typer.Option("--out", help=N_("Output folder."))]


class _Session:
    """What one invocation of the command line keeps, reset by `main_options`.

    Attributes:
        options: the override options given (dotted path -> as typed), to name them in the
            rule-set problems they cause.
        warnings: the warnings printed, at most `MAX_WARNINGS_PER_KIND` of each code; the
            others are counted and their number printed when the command ends.
        lang: ``--lang`` given before the command (``fsr-opt --lang en solve``), the
            language of a command not given its own.
    """

    def __init__(self) -> None:
        self.options: dict[str, str] = {}
        self.warnings = WarningLog()
        self.lang: str | None = None

    def reset(self) -> None:
        """Forget the last invocation's options, warnings and group ``--lang``."""
        self.options = {}
        self.warnings = WarningLog()
        self.lang = None

    def omitted(self) -> None:
        """Print how many warnings of each code were not shown."""
        for problem in self.warnings.omitted():
            _say(_("warning: {message}").format(message=problem), err=True)


_SESSION = _Session()


class _WarningPrinter(logging.Handler):
    """Prints each warning (`fsr_opt.core.errors.warn`) once: ``warning: FILE, row N: ...``."""

    def emit(self, record: logging.LogRecord) -> None:
        """Print the record's `Problem`, unless its code has had its share."""
        problem = getattr(record, "problem", None)
        if not isinstance(problem, Problem):
            _say(_("warning: {message}").format(message=record.getMessage()), err=True)
        elif _SESSION.warnings.add(problem):
            _say(_("warning: {message}").format(message=problem), err=True)


class _LogPrinter(logging.Handler):
    """Prints logger records on stderr (only with --verbose: otherwise it shows none)."""

    def emit(self, record: logging.LogRecord) -> None:
        """Print the record as ``LEVEL logger: message``."""
        _say(self.format(record), err=True)


def _configure_logging(verbose: bool) -> Callable[[], None]:
    """Route warnings to `_WarningPrinter` and logger records to stderr with --verbose only.

    Returns:
        What undoes it, for the end of the command (tests invoke many commands in one
        process, and the library's callers keep their own logging).
    """
    root = logging.getLogger()
    warnings_logger = logging.getLogger(WARNINGS_LOGGER)
    for logger, kind in ((root, _LogPrinter), (warnings_logger, _WarningPrinter)):
        for handler in [h for h in logger.handlers if isinstance(h, kind)]:
            logger.removeHandler(handler)
    log_printer = _LogPrinter(logging.DEBUG if verbose else logging.CRITICAL + 1)
    log_printer.setFormatter(logging.Formatter("%(levelname)s %(name)s: %(message)s"))
    root.addHandler(log_printer)  # also keeps Python's last-resort printer quiet
    root_level = root.level
    root.setLevel(logging.DEBUG if verbose else logging.WARNING)
    warning_printer = _WarningPrinter(logging.WARNING)
    warnings_logger.addHandler(warning_printer)
    warnings_logger.propagate = False  # printed once, in the one form, not as a log record

    def undo() -> None:
        root.removeHandler(log_printer)
        root.setLevel(root_level)
        warnings_logger.removeHandler(warning_printer)
        warnings_logger.propagate = True

    return undo


def _fail(exc: FsrOptError) -> typer.Exit:
    _say(_name_options(exc).render(), err=True)
    return typer.Exit(EXIT_CODES[exc.kind])


def _name_options(exc: FsrOptError) -> FsrOptError:
    """Blame the command-line option, not the rule file, for a problem an override caused.

    An override is checked as the file is, so its problem names the rule file and the
    parameter's path (``FILE: fund: value -5.00 EUR must be greater than 0``); the user typed
    ``--budget -5``, so the message starts with that, without the file. When every problem
    comes from an option the error is the input's (the rule file is not at fault).
    """
    given = _SESSION.options
    if not given or not isinstance(exc, RuleSetError | InputError):
        return exc
    problems = []
    for found in exc.problems:
        path = found.message.split(":", 1)[0] if ":" in found.message else ""
        options = [typed for key, typed in given.items() if path and (
            key == path or key.startswith(path + ".") or path.startswith(key + "."))]
        named = options and not found.message.startswith("-")
        # the option names the parameter: its key (``fund:``) is not what the user typed
        said = found.message.removeprefix(f"{path}: ") if named else found.message
        problems.append(replace(found, file=None, row=None, column=None,
                                message=_("{options}: {message}").format(
                                    options=", ".join(options), message=said))
                        if named else found)
    if isinstance(exc, InputError) or all(problem.file is None for problem in problems):
        return InputError(problems)
    return RuleSetError(problems)


@contextlib.contextmanager
def _progress(total: int, label: str) -> Iterator[Callable[[object], None]]:
    """A progress bar on stderr for a person at a terminal; a call per item done moves it.

    A script's log would get the bar's label alone on a line, so none is drawn there.
    """
    if not sys.stderr.isatty():
        yield lambda _done: None
        return
    with typer.progressbar(length=total, label=label, file=sys.stderr) as bar:
        yield lambda _done: bar.update(1)


def _guarded(action: Callable[[], T]) -> T:
    """Run `action`, turning every failure into a message and the contract's exit code."""
    try:
        return action()
    except typer.Exit:
        raise
    except FsrOptError as exc:
        raise _fail(exc) from None
    except KeyboardInterrupt:
        _say(_("interrupted: no output was written"), err=True)
        raise typer.Exit(INTERRUPTED) from None
    except Exception as exc:
        logging.getLogger(__name__).debug("internal error", exc_info=True)
        _say(_("internal error: {error}: {reason} (please report it; run with --verbose for "
               "details)").format(error=type(exc).__name__, reason=exc), err=True)
        raise typer.Exit(EXIT_CODES[INTERNAL_ERROR]) from None


def _load(
    units: Path | None, rules: Path | None, overrides: list[tuple[str, str]]
) -> Inputs:
    """Load and check the inputs; print on stderr what loads but deserves a look."""
    from fsr_opt.app.pipeline import input_warnings, load_inputs

    inputs = _guarded(lambda: load_inputs(units, rules, overrides))
    for warning in input_warnings(inputs):
        _say(_("warning: {message}").format(message=warning), err=True)
    return inputs


def _share_split(rules: RuleSet, share: list[str] | None) -> None:
    """After ``--share``: print every area's share, the others rescaled in proportion."""
    if share:
        from fsr_opt.app.scenarios import share_split

        _say(share_split(rules))


def _overrides(
    budget: str | None, share: list[str] | None, min_award: str | None, sets: list[str] | None
) -> list[tuple[str, str]]:
    from fsr_opt.rules.overrides import override_pairs

    given = {"fund": f"--budget {budget}"} if budget is not None else {}
    given.update({f"areas.{item.partition('=')[0].strip()}.share": f"--share {item}"
                  for item in share or []})
    if min_award is not None:
        given["minimum_award"] = f"--min-award {min_award}"
    given.update({item.partition("=")[0].strip(): f"--set {item}" for item in sets or []})
    _SESSION.options = given
    return _guarded(lambda: override_pairs(budget, share or [], min_award, sets or []))


def _language(lang: str | None) -> str:
    """Set the language of this run: ``--lang``, else ``FSR_OPT_LANG``, else Italian.

    Raises:
        typer.Exit: exit 2, naming ``--lang`` or ``FSR_OPT_LANG``, for a language fsr-opt
            does not speak.
    """
    lang = lang if lang is not None else _SESSION.lang
    if lang is None:
        try:
            lang = environment_language() or DEFAULT_LANGUAGE
        except LanguageError:
            raise _fail(InputError(_(
                "{variable}={value!r} is not a language of fsr-opt; use one of {choices}"
            ).format(variable=LANGUAGE_ENV, value=os.environ.get(LANGUAGE_ENV, ""),
                     choices=", ".join(LANGUAGES)), ErrorCode.BAD_OPTION)) from None
    elif lang not in LANGUAGES:
        raise _fail(InputError(_(
            "--lang '{lang}' is not a language of fsr-opt; use one of {choices}"
        ).format(lang=lang, choices=", ".join(LANGUAGES)), ErrorCode.BAD_OPTION))
    set_language(lang)
    return lang


@app.callback()
def main_options(
    context: typer.Context,
    verbose: Annotated[bool, typer.Option("--verbose", "-v", help=N_("Log progress."))] = False,
    lang: LangOption = None,
) -> None:
    """Riparto of the Lombardy Fondo Sociale Regionale (FSR) among an Ambito's units."""
    _SESSION.reset()
    _SESSION.lang = lang  # checked by the command (`_language`), as its own --lang
    clear_language()  # a command sets it (`_language`); tests run many in one process
    context.call_on_close(clear_language)
    context.call_on_close(_configure_logging(verbose))
    context.call_on_close(_SESSION.omitted)  # runs first: closing calls back in reverse


@app.command(cls=_Command)
def solve(
    units: UnitsOption = None,
    rules: RulesOption = None,
    out: Annotated[Path, typer.Option("--out", help=N_("Output folder."))] = Path("out"),
    budget: BudgetOption = None,
    share: ShareOption = None,
    min_award: MinAwardOption = None,
    set_: SetOption = None,
    solver: SolverOption = "cbc",
    time_limit: TimeLimitOption = DEFAULT_TIME_LIMIT,
    lang: LangOption = None,
    quiet: Annotated[bool, typer.Option("--quiet", "-q", help=N_("Print only the paths."))] = False,
) -> None:
    """Compute the riparto; write the CSV tables, run.json, allocation.xlsx and report.html."""
    lang = _language(lang)
    overrides = _overrides(budget, share, min_award, set_)
    inputs = _load(units, rules, overrides)
    if not quiet:
        _share_split(inputs.rules, share)
    from fsr_opt.app.pipeline import run_solve

    run = _guarded(lambda: run_solve(inputs, out, solver=solver, time_limit=time_limit,
                                     lang=lang))
    if not quiet:
        _say(run.summary)
        _say("")
        _say(_("solved with {solver} {version} in {seconds} s; outputs in {folder}/:").format(
            solver=run.result.solver, version=run.result.solver_version,
            seconds=ratio(Fraction(run.result.seconds), 2), folder=out))
    for path in run.written:
        _say(f"  {path}")


@app.command(cls=_Command)
def audit(
    run_dir: Annotated[
        Path | None,
        typer.Argument(help=N_("A folder written by solve: its allocation.csv is audited with "
                       "the rule set, inputs and overrides its run.json records."),
                       show_default=False),
    ] = None,
    allocation: Annotated[
        Path | None,
        typer.Option("--allocation", help=N_("Allocation to check (CSV or XLSX): ours, or an "
                     "Excel riparto with at least unit_id and award columns.")),
    ] = None,
    units: UnitsOption = None,
    rules: RulesOption = None,
    fmt: Annotated[
        str, typer.Option("--format", help=N_("Report format: text, json or md."))
    ] = "text",
    budget: BudgetOption = None,
    share: ShareOption = None,
    min_award: MinAwardOption = None,
    set_: SetOption = None,
    lang: LangOption = None,
) -> None:
    """Re-check an allocation against every rule, to the cent, without the solver.

    Give a run folder (RUN_DIR), or --allocation: an allocation inside a run folder is audited
    with what its run.json records (rule set, units, overrides, hashes); explicit --units,
    --rules and overrides win. Exit 0 when every check holds, 1 when any fails, 2 on bad input.
    """
    _language(lang)
    from fsr_opt.audit.report import FORMATS

    if fmt not in FORMATS:
        raise _fail(InputError(_("--format '{format}' is not a report format; use one of "
                                 "{choices}").format(format=fmt, choices=", ".join(FORMATS)),
                               ErrorCode.BAD_OPTION))
    if run_dir is None and allocation is None:
        raise _fail(InputError(_("give a run folder (fsr-opt audit out/) or an allocation "
                                 "(--allocation PATH)"), ErrorCode.BAD_OPTION))
    overrides = _overrides(budget, share, min_award, set_)
    from fsr_opt.app.pipeline import input_warnings, load_run_folder, run_audit, run_folder_of
    from fsr_opt.audit.render import render_audit

    folder = run_dir if run_dir is not None else run_folder_of(allocation or Path())
    if folder is not None:
        loaded = _guarded(lambda: load_run_folder(folder, allocation=allocation, units=units,
                                                  rules=rules, overrides=overrides))
        for warning in input_warnings(loaded.inputs):
            _say(_("warning: {message}").format(message=warning), err=True)
        run = _guarded(lambda: run_audit(loaded.inputs, loaded.allocation,
                                         record=loaded.record))
    else:
        assert allocation is not None
        inputs = _load(units, rules, overrides)
        run = _guarded(lambda: run_audit(inputs, allocation))
    _say(render_audit(run.report, fmt), nl=False)
    if not run.report.is_ok:
        raise typer.Exit(AUDIT_FAILED)


@app.command(cls=_Command)
def validate(
    units: UnitsOption = None,
    rules: RulesOption = None,
    budget: BudgetOption = None,
    share: ShareOption = None,
    min_award: MinAwardOption = None,
    set_: SetOption = None,
    lang: LangOption = None,
) -> None:
    """Check the units table and the rule set without solving; report every problem."""
    _language(lang)
    overrides = _overrides(budget, share, min_award, set_)
    inputs = _load(units, rules, overrides)
    _share_split(inputs.rules, share)
    eligible = sum(1 for item in inputs.assessments if item.eligible)
    _say(_("{file}: {units} units, {eligible} eligible; rule set {rule_set} v{version} "
           "({rules_file}): valid").format(
        file=inputs.table.source, units=len(inputs.assessments), eligible=eligible,
        rule_set=inputs.rules.rule_set_id, version=inputs.rules.version,
        rules_file=inputs.rules.source))


@app.command(cls=_Command)
def whatif(
    units: UnitsOption = None,
    rules: RulesOption = None,
    out: OutOption = Path("out"),
    budget: BudgetOption = None,
    share: ShareOption = None,
    min_award: MinAwardOption = None,
    set_: SetOption = None,
    solver: SolverOption = "cbc",
    time_limit: TimeLimitOption = DEFAULT_TIME_LIMIT,
    lang: LangOption = None,
) -> None:
    """Solve the baseline and the scenario of the overrides; show and write the difference.

    Per area and service line (budget, awarded, distance from the 2024 pattern) and per unit
    (who gains, who loses, who enters or leaves funding, which limit starts or stops binding):
    whatif.csv and whatif_summary.csv; scenario.xlsx and scenario.html for people.
    """
    lang = _language(lang)
    overrides = _overrides(budget, share, min_award, set_)
    from fsr_opt.app.scenarios import run_whatif

    run = _guarded(lambda: run_whatif(units, rules, overrides, out, solver=solver,
                                      time_limit=time_limit, lang=lang))
    _say(run.text)
    _say("")
    for path in run.written:
        _say(f"  {path}")


@app.command(cls=_Command)
def compare(
    base: Annotated[Path, typer.Argument(help=N_("Folder of the first run (the base)."))],
    other: Annotated[Path, typer.Argument(help=N_("Folder of the second run."))],
    out: OutOption = Path("out"),
    lang: LangOption = None,
) -> None:
    """Compare two saved runs (their allocation.csv and summary.csv), as whatif does.

    Writes compare.csv and compare_summary.csv; scenario.xlsx and scenario.html for people.
    """
    lang = _language(lang)
    from fsr_opt.app.scenarios import run_compare

    run = _guarded(lambda: run_compare(base, other, out, lang=lang))
    _say(run.text)
    _say("")
    for path in run.written:
        _say(f"  {path}")


@app.command(cls=_Command)
def sweep(
    units: UnitsOption = None,
    rules: RulesOption = None,
    out: OutOption = Path("out"),
    budget: Annotated[
        str | None,
        typer.Option("--budget", help=N_("Sweep the fund, FROM:TO:STEP in euros (or fix it).")),
    ] = None,
    share: Annotated[
        list[str] | None,
        typer.Option("--share", help=N_("Sweep an area share, AREA=FROM:TO:STEP in percent; "
                     "the other areas keep their proportions.")),
    ] = None,
    min_award: MinAwardOption = None,
    set_: SetOption = None,
    solver: SolverOption = "cbc",
    time_limit: TimeLimitOption = DEFAULT_TIME_LIMIT,
    workers: Annotated[
        int, typer.Option("--workers", min=0, help=N_("Processes solving points; 0: one per core."))
    ] = 0,
    lang: LangOption = None,
) -> None:
    """Solve one riparto per value of a range; write sweep.csv and the chart sweep.png.

    Points are solved in parallel. Ctrl-C stops the sweep and still writes the points that
    finished (exit 130).
    """
    lang = _language(lang)
    shares = share or []
    budget_range = budget if budget is not None and ":" in budget else None
    share_ranges = [item for item in shares if ":" in item]
    fixed_shares = [item for item in shares if ":" not in item]
    fixed = _overrides(None if budget_range else budget, fixed_shares, min_award, set_)
    from fsr_opt.app.scenarios import plan_sweep, run_sweep_points
    from fsr_opt.whatif.pool import default_workers
    from fsr_opt.whatif.sweep import sweep_text

    spec, inputs = _guarded(lambda: plan_sweep(
        units, rules, fixed, budget_range=budget_range, share_ranges=share_ranges,
        fixed_shares=bool(fixed_shares), solver=solver, time_limit=time_limit))
    total = len(spec.axis.values)
    with _progress(total, _("points solved")) as advance:
        run = _guarded(lambda: run_sweep_points(
            spec, inputs.rules, out, workers=workers or default_workers(), progress=advance,
            lang=lang))
    _say(sweep_text(run.outcome, spec.axis, inputs.rules, lang=lang))
    _say("")
    for path in run.written:
        _say(f"  {path}")
    if run.outcome.interrupted:
        _say(_("interrupted: {done} of {total} points finished and written to {folder}/"
               ).format(done=len(run.outcome.rows), total=total, folder=out), err=True)
        raise typer.Exit(INTERRUPTED)


@app.command(cls=_Command)
def region(
    manifest: Annotated[
        Path,
        typer.Option("--manifest", help=N_("Region manifest (CSV or XLSX): one row per Ambito with "
                     "ambito, units and, optionally, rules and budget (docs/region.md).")),
    ],
    out: OutOption = Path("out"),
    solver: SolverOption = "cbc",
    jobs: Annotated[
        int | None,
        typer.Option("--jobs", min=1, help=N_("Ambiti solved at once; default: one per core, at "
                     "most one per Ambito.")),
    ] = None,
    time_limit: TimeLimitOption = DEFAULT_TIME_LIMIT,
    lang: LangOption = None,
    fund_from: Annotated[
        Path | None,
        typer.Option("--fund-from", help=N_("An ATS split (split.csv of fsr-opt ats split): each "
                     "Ambito's fund is its amount there (docs/ats.md).")),
    ] = None,
) -> None:
    """Solve several Ambiti, each as solve would, in parallel; write one folder per Ambito.

    Also writes region-summary.csv (per Ambito and area) and region.json. An Ambito that
    fails does not stop the others; the exit code is the worst Ambito's. Ctrl-C stops the
    run, keeping the Ambiti already solved (exit 130).
    """
    lang = _language(lang)
    from fsr_opt.app.region import default_jobs, plan_region, run_region

    plan = _guarded(lambda: plan_region(manifest, out, solver=solver, time_limit=time_limit,
                                        lang=lang, fund_from=fund_from))
    workers = jobs or default_jobs(len(plan.tasks))
    with _progress(len(plan.tasks), _("Ambiti solved")) as advance:
        run = _guarded(lambda: run_region(plan, jobs=workers, exit_codes=EXIT_CODES,
                                          progress=advance))
    for outcome in run.outcomes:
        for warning in outcome.warnings:
            _say(_("warning: {message}").format(message=f"{outcome.ambito}: {warning}"),
                 err=True)
        if outcome.message and outcome.status != NOT_RUN:
            _say(f"{outcome.ambito}: {outcome.message}", err=True)
    _say(run.text)
    _say("")
    _say(_("outputs in {folder}/:").format(folder=out))
    for path in run.written:
        _say(f"  {path}")
    for outcome in run.outcomes:
        if outcome.solved:
            _say(f"  {outcome.out_dir}/")
    if run.interrupted:
        stopped = [outcome.ambito for outcome in run.outcomes if outcome.status == NOT_RUN]
        _say(_("interrupted: {stopped} of {total} Ambiti not solved ({names}); the others are "
               "written").format(stopped=len(stopped), total=len(run.outcomes),
                                 names=", ".join(stopped)), err=True)
    if run.exit_code:
        raise typer.Exit(run.exit_code)


@app.command(cls=_Command)
def explain(
    unit_id: Annotated[str, typer.Argument(help=N_("The unit's id (unit_id column)."))],
    units: UnitsOption = None,
    rules: RulesOption = None,
    budget: BudgetOption = None,
    share: ShareOption = None,
    min_award: MinAwardOption = None,
    set_: SetOption = None,
    solver: SolverOption = "cbc",
    time_limit: TimeLimitOption = DEFAULT_TIME_LIMIT,
    lang: LangOption = None,
) -> None:
    """One screen about one unit: access tests, entitlement, share, binding limit, payments."""
    lang = _language(lang)
    overrides = _overrides(budget, share, min_award, set_)
    from fsr_opt.app.scenarios import run_explain

    text = _guarded(lambda: run_explain(unit_id, units, rules, overrides, solver=solver,
                                        time_limit=time_limit, lang=lang))
    _say(text)


@app.command(cls=_Command)
def serve(
    units: UnitsOption = None,
    rules: RulesOption = None,
    port: Annotated[int, typer.Option("--port", min=1, max=65535, help=N_("Port to listen on."))
                    ] = 8765,
    host: Annotated[
        str, typer.Option("--host", help=N_("Address to listen on; other than 127.0.0.1 (this "
                          "machine only), an access token is printed and required."))
    ] = "127.0.0.1",
    open_browser: Annotated[
        bool, typer.Option("--open", help=N_("Open the page in the default browser."))] = False,
    solver: SolverOption = "cbc",
    time_limit: TimeLimitOption = DEFAULT_TIME_LIMIT,
    lang: Annotated[
        str | None, typer.Option("--lang", show_default=False,
                                 help=N_("Language of the page: it or en (default: "
                                         "FSR_OPT_LANG, else it; a switch on the page "
                                         "changes it)."))
    ] = None,
    max_upload_mb: Annotated[
        int, typer.Option("--max-upload-mb", min=1, max=50, help=N_("Largest upload accepted."))
    ] = 20,
) -> None:
    """The what-if page in the browser: load data, change parameters, compare scenarios.

    Serves http://127.0.0.1:8765/ until Ctrl-C. Starts from the units and rules given (the
    bundled example by default); each browser has its own data and scenarios (docs/serve.md).
    """
    lang = _language(lang)
    # The server's libraries load for serve only: the other commands start as fast as before.
    from fsr_opt.app.pipeline import input_warnings
    from fsr_opt.web.server import (
        ServeConfig,
        check_port,
        is_loopback,
        new_token,
        prepare,
        run,
    )
    from fsr_opt.web.workspace import SolveSettings

    token = None if is_loopback(host) else new_token()
    config = ServeConfig(units=units, rules=rules, host=host, port=port, token=token,
                         max_upload_bytes=max_upload_mb * 1024 * 1024,
                         settings=SolveSettings(solver, time_limit), lang=lang)
    _guarded(lambda: check_port(host, port))
    start = _guarded(lambda: prepare(config))
    for warning in input_warnings(start.inputs):
        _say(_("warning: {message}").format(message=warning), err=True)
    if token is not None:
        _say(_("warning: {message}").format(message=_(
            "listening on {host}: other machines can reach the page; every request needs the "
            "access token of the link below. The data travel unencrypted (plain HTTP) on the "
            "network.").format(host=host)), err=True)

    def listening() -> None:
        """Say where the page is only once it answers (and open it, with --open)."""
        _say(f"fsr-opt serve: {config.url}")
        _say(_("Ctrl-C stops the server."))
        if open_browser:
            import webbrowser

            webbrowser.open(config.url)

    def serve_until_stopped() -> None:
        with contextlib.suppress(KeyboardInterrupt):  # Ctrl-C is how a server stops
            run(config, start, on_ready=listening)
        _say(_("fsr-opt serve stopped."))

    _guarded(serve_until_stopped)


@app.command(cls=_Command)
def version(lang: LangOption = None) -> None:
    """Print the version."""
    _language(lang)  # accepted as on every command: a script may pass it to all of them
    _say(f"fsr-opt {__version__}")


# ---------------------------------------------------------------------------------------------
# The ATS level (issue 15, docs/ats.md): fsr-opt ats split | monitor | rebalance | audit
# ---------------------------------------------------------------------------------------------

ats_app = typer.Typer(
    cls=_Group, no_args_is_help=True, rich_markup_mode=None, pretty_exceptions_enable=False,
    help=N_("The ATS level: split a fund among the Ambiti, monitor, rebalance, audit."))
app.add_typer(ats_app, name="ats")


@ats_app.callback()
def ats_options(lang: LangOption = None) -> None:
    """The ATS level: split a fund among the Ambiti, monitor, rebalance, audit."""
    if lang is not None:  # ``fsr-opt ats --lang en split``: as the command's own --lang
        _SESSION.lang = lang

AtsRulesOption = Annotated[
    Path | None, typer.Option("--rules", help=N_("ATS rule set (YAML/TOML); default: the bundled "
                              "ATS Bergamo 2025 rules."))]
IndicatorsOption = Annotated[
    Path | None, typer.Option("--indicators", help=N_("Indicators per Ambito (CSV or XLSX); "
                              "default: the bundled example."))]
ReportsOption = Annotated[
    Path | None, typer.Option("--reports", help=N_("The Ambiti's reports (CSV or XLSX): assigned, "
                              "committed, spent, unmet demand; default: the bundled example."))]
SplitOption = Annotated[
    Path | None, typer.Option("--split", help=N_("A split (split.csv of ats split, or by hand) to "
                              "compare the reports with, or to audit."))]


def _amount(value: str | None, option: str) -> int | None:
    """An amount in euros typed on the command line, in cents (None when not given)."""
    if value is None:
        return None
    from fsr_opt.io.cells import parse_money

    cents = parse_money(value.strip())
    if isinstance(cents, CellProblem) and cents.code is ErrorCode.AMBIGUOUS_NUMBER:
        raise _fail(InputError(" ".join((option, cents.message)), ErrorCode.BAD_OPTION))
    if isinstance(cents, CellProblem) or cents <= 0:
        raise _fail(InputError(_("{option} '{value}' is not an amount in euros greater than 0; "
                                 "write it like 330774.00 or 330.774,00").format(
                                     option=option, value=value), ErrorCode.BAD_OPTION))
    return cents


@ats_app.command("split", cls=_Command)
def ats_split(
    rules: AtsRulesOption = None,
    indicators: IndicatorsOption = None,
    out: OutOption = Path("out-ats"),
    fund: Annotated[str | None, typer.Option("--fund", help=N_("Split this fund (euros) instead "
                                             "of the rule set's."))] = None,
    lang: LangOption = None,
) -> None:
    """Split the ATS fund among the Ambiti by weighted indicators; write split.csv and a report."""
    lang = _language(lang)
    cents = _amount(fund, "--fund")
    from fsr_opt.app.ats import run_split

    run = _guarded(lambda: run_split(rules, indicators, out, fund=cents, lang=lang))
    _say(run.summary)
    for path in run.written:
        _say(f"  {path}")


@ats_app.command("monitor", cls=_Command)
def ats_monitor(
    rules: AtsRulesOption = None,
    reports: ReportsOption = None,
    split: SplitOption = None,
    out: OutOption = Path("out-ats"),
    lang: LangOption = None,
) -> None:
    """Per Ambito: spend rate, residual and unmet demand; flag a report that does not add up."""
    lang = _language(lang)
    from fsr_opt.app.ats import run_monitor

    run = _guarded(lambda: run_monitor(rules, reports, split, out, lang=lang))
    _say(run.summary)
    for path in run.written:
        _say(f"  {path}")


@ats_app.command("rebalance", cls=_Command)
def ats_rebalance(
    rules: AtsRulesOption = None,
    reports: ReportsOption = None,
    split: SplitOption = None,
    out: OutOption = Path("out-ats"),
    solver: SolverOption = "cbc",
    time_limit: TimeLimitOption = DEFAULT_TIME_LIMIT,
    lang: LangOption = None,
) -> None:
    """Move residual money to Ambiti with unmet demand (MILP); write transfers.csv and a report."""
    lang = _language(lang)
    from fsr_opt.app.ats import run_rebalance

    run = _guarded(lambda: run_rebalance(rules, reports, split, out, solver=solver,
                                         time_limit=time_limit, lang=lang))
    _say(run.summary)
    for path in run.written:
        _say(f"  {path}")


@ats_app.command("audit", cls=_Command)
def ats_audit(
    rules: AtsRulesOption = None,
    split: SplitOption = None,
    indicators: IndicatorsOption = None,
    transfers: Annotated[Path | None, typer.Option("--transfers", help=N_("A transfer table "
                         "(transfers.csv of ats rebalance, or by hand) to audit."))] = None,
    reports: ReportsOption = None,
    fund: Annotated[str | None, typer.Option("--fund", help=N_("The fund the split divides, if "
                                             "not the rule set's (euros)."))] = None,
    lang: LangOption = None,
) -> None:
    """Re-check a split and/or a transfer table, to the cent, without the solver (exit 1 if not)."""
    lang = _language(lang)
    if split is None and transfers is None:
        raise _fail(InputError(_("give a split (--split PATH) or transfers (--transfers "
                                 "PATH)"), ErrorCode.BAD_OPTION))
    cents = _amount(fund, "--fund")
    from fsr_opt.app.ats import run_audit
    from fsr_opt.audit.ats import render_audit

    audits = _guarded(lambda: run_audit(rules, split_path=split, indicators_path=indicators,
                                        transfers_path=transfers, reports_path=reports,
                                        fund=cents))
    for audit_ in audits:
        _say(render_audit(audit_, lang), nl=False)
    if not all(audit_.is_ok for audit_ in audits):
        raise typer.Exit(AUDIT_FAILED)


def app_for(words: Sequence[str]) -> typer.Typer:
    """The application holding only the command (or group) that `words` name, when they do.

    Typer builds every command's options, reading each function's annotations, before it runs
    one: about a tenth of a bundled solve (benchmarks/RESULTS.md). The command that runs is
    the same object either way. Without a command, or with a word that names none (a typing
    error), it is the whole application, so that the list of commands and "No such command"
    read as they always do. The global options are flags (`-v`), so the command is the first
    word that is not an option (nor the value of ``--lang``).
    """
    values = {index + 1 for index, word in enumerate(words) if word == "--lang"}
    name = next((word for index, word in enumerate(words)
                 if not word.startswith("-") and index not in values), None)
    commands = [info for info in app.registered_commands if _command_name(info) == name]
    groups = [info for info in app.registered_groups if info.name == name]
    if not commands and not groups:
        return app
    chosen = copy.copy(app)
    chosen.registered_commands = commands
    chosen.registered_groups = groups
    return chosen


def _command_name(info: CommandInfo) -> str | None:
    """The name a registered command is typed as (Typer's rule: the function's, dashed)."""
    if info.name:
        return info.name
    return get_command_name(info.callback.__name__) if info.callback else None


def main() -> None:
    """Console-script entry point."""
    try:
        app_for(sys.argv[1:])(prog_name="fsr-opt")
    finally:  # the process ends here, with the status the command set
        spare_collection_at_exit()
