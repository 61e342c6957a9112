"""Each visitor's own data and scenarios, solved in memory exactly as ``fsr-opt solve`` would.

A `Workspace` belongs to one browser (a cookie names it): the units table and rule set it
loaded, the baseline (the rules as written), the scenario being edited and the scenarios
saved by name. Two browsers never share one; `Workspaces` keeps them, forgets the least
recently used past a limit, and removes their uploaded files.

A scenario is solved as the command line solves one: the overrides go through the same
`override_pairs`, the rule set is loaded and validated by `load_rules`, and the units table,
read once with `load_inputs` (the command line's validating reader), is assessed again
against the new rules. Nothing is written: files are made only when a planner downloads them.
The warnings of reading the files (a column ignored, a CSV read as Windows-1252...) are kept
for the page (`ReadingWarnings`), which the command line would print.
"""

from __future__ import annotations

import functools
import logging
import secrets
import shutil
import tempfile
import threading
import time
from collections import OrderedDict
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field, replace
from pathlib import Path

from fsr_opt.app.pipeline import Inputs, load_inputs, load_rules, solve_inputs
from fsr_opt.core.errors import (
    ErrorCode,
    FsrOptError,
    InputError,
    Problem,
    WarningLog,
    collecting_warnings,
)
from fsr_opt.core.i18n import current_language, use_language
from fsr_opt.core.schema import Allocation, RuleSet, SolveResult
from fsr_opt.core.words import DEFAULT_LANGUAGE, text
from fsr_opt.engine.eligibility import assess
from fsr_opt.engine.outcomes import UnitOutcome, unit_outcomes
from fsr_opt.engine.solvers import DEFAULT_TIME_LIMIT
from fsr_opt.web.parameters import Parameters, scenario_overrides
from fsr_opt.whatif.view import RunView, view_from_outcomes

log = logging.getLogger(__name__)

BASE = "base"
CURRENT = "current"
MAX_SCENARIOS = 20
MAX_NAME = 60
# One solve at a time for the whole server: the solvers write their own temporary files and
# HiGHS silences the process's standard output while it runs; the machine has few cores.
_SOLVER_LOCK = threading.Lock()


@dataclass(frozen=True)
class SolveSettings:
    """How every scenario of the server is solved (``fsr-opt serve --solver --time-limit``)."""

    solver: str = "cbc"
    time_limit: float = DEFAULT_TIME_LIMIT


@dataclass(frozen=True)
class DataSource:
    """The files a workspace reads: paths for the loaders, names for people.

    Attributes:
        units: the units table (None: the bundled example).
        rules: the rule set (None: the bundled rule set).
        units_name, rules_name: the file names shown on the page ("": the loaded file's).
    """

    units: Path | None
    rules: Path | None
    units_name: str
    rules_name: str


@dataclass(frozen=True)
class Scenario:
    """A riparto solved in memory, with everything the page shows about it.

    Attributes:
        key: how URLs name it (``base``, ``current``, ``s1``...).
        name: how people call it; the baseline and the current scenario are named by the
            page in its language (their name is their key).
        seconds: wall time from the parameters to the outcomes (rules, assessment, solve).
    """

    key: str
    name: str
    parameters: Parameters
    source: DataSource
    inputs: Inputs
    result: SolveResult
    allocation: Allocation
    outcomes: tuple[UnitOutcome, ...]
    seconds: float

    @property
    def overrides(self) -> tuple[tuple[str, str], ...]:
        """The overrides of the command line that gives the same riparto."""
        return self.inputs.overrides

    def view(self, label: str | None = None) -> RunView:
        """The scenario as a comparison sees it (`fsr_opt.whatif.view`)."""
        return view_from_outcomes(label or self.name, self.outcomes, self.allocation,
                                  self.inputs.rules)


@functools.lru_cache(maxsize=64)
def _cached_rules(path: Path | None, overrides: tuple[tuple[str, str], ...]) -> RuleSet:
    """`load_rules` remembered: going back to a value already tried costs nothing.

    Safe because a rule set is immutable and an uploaded file is never rewritten (each upload
    gets a new folder).
    """
    return load_rules(path, overrides)


def load_source(source: DataSource) -> Inputs:
    """Read and validate a workspace's files with the command line's readers.

    Raises:
        InputError, RuleSetError: every problem of the files, at once.
    """
    return load_inputs(source.units, source.rules)


class ReadingWarnings:
    """The warnings of reading a workspace's files, for the page in any of its languages.

    `fsr_opt.io` writes a warning's sentence when it finds it, in the language of the read;
    the page can switch language later, so another language reads the files again, once,
    when first asked (only files that gave warnings: the others give none in any language).
    Each language keeps `MAX_WARNINGS_PER_KIND` of each kind and the count of the rest, as
    the command line prints them.
    """

    def __init__(self, source: DataSource, given: WarningLog, lang: str) -> None:
        self.source = source
        self._logs = {lang: given}
        self._lock = threading.Lock()  # the server's files are read by every visitor's page

    @property
    def problems(self) -> tuple[Problem, ...]:
        """The warnings as first given, then those counted past the limit of their kind."""
        log = next(iter(self._logs.values()))
        return (*log.kept, *log.omitted())

    def lines(self, lang: str) -> list[str]:
        """Each warning in `lang`, naming the file by its name (not the server's path)."""
        with use_language(lang):
            given = self._log(lang)
            return [str(replace(problem, file=Path(problem.file).name if problem.file else None))
                    for problem in (*given.kept, *given.omitted())]

    def _log(self, lang: str) -> WarningLog:
        with self._lock:
            known = self._logs.get(lang)
            if known is not None:
                return known
            first = next(iter(self._logs.values()))
            if not first.counts:
                return first
            try:
                with collecting_warnings() as again:
                    load_source(self.source)
            except (FsrOptError, OSError):  # gone or changed since: the first language's
                log.debug("the files of %s cannot be read again", self.source, exc_info=True)
                return first
            self._logs[lang] = again
            return again


def read_source(source: DataSource) -> tuple[Inputs, ReadingWarnings]:
    """`load_source`, keeping its warnings for the page instead of the server's terminal.

    Raises:
        InputError, RuleSetError: every problem of the files, at once.
    """
    with collecting_warnings() as given:
        inputs = load_source(source)
    return inputs, ReadingWarnings(source, given, current_language())


def solve_scenario(
    key: str,
    name: str,
    base: Inputs,
    source: DataSource,
    parameters: Parameters,
    settings: SolveSettings,
) -> Scenario:
    """Apply the parameters to the base's rule set, assess the units again and solve.

    Raises:
        RuleSetError: the parameters break a rule (shares, a negative amount...).
        InfeasibleError, SolverError: no riparto satisfies the rules, or the solver failed.
    """
    started = time.perf_counter()
    overrides = tuple(scenario_overrides(parameters, base.rules))
    rules = _cached_rules(source.rules, overrides) if overrides else base.rules
    assessments = assess(base.table, rules) if overrides else base.assessments
    inputs = Inputs(base.table, rules, assessments, overrides)
    with _SOLVER_LOCK:
        result, allocation = solve_inputs(inputs, solver=settings.solver,
                                          time_limit=settings.time_limit)
    outcomes = tuple(unit_outcomes(inputs.assessments, allocation, rules))
    seconds = time.perf_counter() - started
    log.debug("scenario %s solved in %.3f s (%s)", name, seconds, overrides)
    return Scenario(key, name, parameters, source, inputs, result, allocation, outcomes, seconds)


@dataclass(frozen=True)
class Start:
    """Files loaded and their baseline solved: what a new workspace begins with.

    The server's own files are loaded once, at start, and shared by every new visitor (all of
    it is immutable); an upload makes a new one for its visitor only.
    """

    source: DataSource
    settings: SolveSettings
    inputs: Inputs
    baseline: Scenario
    reading: ReadingWarnings

    @classmethod
    def load(cls, source: DataSource, settings: SolveSettings) -> Start:
        """Read and validate the files, then solve the rules as written.

        Raises:
            FsrOptError: every problem of the files at once, or the baseline's failure.
        """
        inputs, reading = read_source(source)
        source = DataSource(source.units, source.rules,
                            source.units_name or Path(inputs.table.source).name,
                            source.rules_name or Path(inputs.rules.source).name)
        baseline = solve_scenario(BASE, BASE, inputs, source, Parameters(), settings)
        return cls(source, settings, inputs, baseline, reading)


@dataclass
class Workspace:
    """One visitor's data and scenarios; change it only inside `Workspace.lock`.

    Attributes:
        folder: a private folder for this visitor's uploads (removed with the workspace).
        base_inputs: the validated files, without overrides.
        baseline: the riparto of the rules as written.
        current: the scenario being edited (the baseline until something changes).
        saved: the scenarios saved by name, by key, in the order saved.
        reading: the warnings of reading the files in use, shown until other files replace them.
    """

    folder: Path
    settings: SolveSettings
    source: DataSource
    base_inputs: Inputs
    baseline: Scenario
    current: Scenario
    reading: ReadingWarnings
    lang: str = DEFAULT_LANGUAGE
    saved: OrderedDict[str, Scenario] = field(default_factory=OrderedDict)
    uploads: int = 0
    last_used: float = field(default_factory=time.monotonic)
    lock: threading.RLock = field(default_factory=threading.RLock)
    _next_key: int = 1

    @classmethod
    def open(cls, folder: Path, start: Start, lang: str = DEFAULT_LANGUAGE) -> Workspace:
        """A workspace on the server's files, already loaded and solved (`Start`)."""
        return cls(folder, start.settings, start.source, start.inputs, start.baseline,
                   start.baseline, start.reading, lang)

    def replace_source(self, source: DataSource) -> None:
        """Load other files; on success they replace the current data, on failure nothing does.

        The scenario being edited goes back to the new baseline; saved scenarios stay (they
        keep their own data, so one made on the old table can be compared with the new one).

        Raises:
            FsrOptError: the files are bad, or their baseline cannot be solved.
        """
        start = Start.load(source, self.settings)
        self.source, self.base_inputs, self.baseline, self.current, self.reading = (
            start.source, start.inputs, start.baseline, start.baseline, start.reading)

    def upload_path(self, file_name: str) -> Path:
        """A new private path for an uploaded file, keeping its (cleaned) name and extension.

        The loaders decide the format by the extension and name the file in their messages.
        """
        self.uploads += 1
        folder = self.folder / f"upload-{self.uploads}"
        folder.mkdir(mode=0o700, parents=True, exist_ok=True)
        return folder / clean_file_name(file_name)

    def change(self, parameters: Parameters) -> Scenario:
        """Solve the scenario of these parameters; it becomes the current one.

        Raises:
            FsrOptError: the parameters break a rule, or the solve fails; nothing changes.
        """
        if parameters.is_baseline:
            self.current = self.baseline
        else:
            self.current = solve_scenario(CURRENT, CURRENT, self.base_inputs, self.source,
                                          parameters, self.settings)
        return self.current

    def save(self, name: str) -> Scenario:
        """Keep the current scenario under `name`.

        Raises:
            InputError: the name is empty, too long or taken, or too many are saved.
        """
        name = " ".join(name.split())
        problem = None
        if not name:
            problem = text("web.error.name_empty", self.lang)
        elif len(name) > MAX_NAME:
            problem = text("web.error.name_long", self.lang).format(limit=MAX_NAME)
        elif name.casefold() in {s.name.casefold() for s in self.scenarios()}:
            problem = text("web.error.name_taken", self.lang).format(name=name)
        elif len(self.saved) >= MAX_SCENARIOS:
            problem = text("web.error.too_many", self.lang).format(limit=MAX_SCENARIOS)
        if problem:
            raise InputError([Problem(problem, code=ErrorCode.BAD_OPTION)])
        key = f"s{self._next_key}"
        self._next_key += 1
        kept = Scenario(key, name, self.current.parameters, self.current.source,
                        self.current.inputs, self.current.result, self.current.allocation,
                        self.current.outcomes, self.current.seconds)
        self.saved[key] = kept
        return kept

    def forget(self, key: str) -> None:
        """Drop a saved scenario (unknown keys are ignored: the page may be out of date)."""
        self.saved.pop(key, None)

    def scenarios(self) -> list[Scenario]:
        """The baseline, the current scenario (when it differs) and the saved ones."""
        listed = [self.baseline]
        if self.current is not self.baseline:
            listed.append(self.current)
        return listed + list(self.saved.values())

    def scenario(self, key: str) -> Scenario:
        """The scenario a URL names.

        Raises:
            InputError: ``UNKNOWN_UNIT``-like ``BAD_OPTION`` when no scenario has this key.
        """
        if key == BASE:
            return self.baseline
        if key == CURRENT:
            return self.current
        if key in self.saved:
            return self.saved[key]
        raise InputError([Problem(text("web.error.no_scenario", self.lang).format(key=key),
                                  code=ErrorCode.BAD_OPTION)])

    def close(self) -> None:
        """Remove the visitor's uploaded files."""
        shutil.rmtree(self.folder, ignore_errors=True)


def clean_file_name(name: str) -> str:
    """A file name safe to create: the last path part, letters, digits, ``.-_`` and spaces."""
    base = name.replace("\\", "/").rsplit("/", 1)[-1]
    kept = "".join(ch if ch.isalnum() or ch in ".-_ " else "_" for ch in base).strip(" .")
    return kept[:120] or "file"


class Workspaces:
    """Every visitor's workspace, by the random id of its cookie.

    At most `limit` are kept: past it, the least recently used is closed. Ids are random
    (`secrets`), so a visitor cannot guess another's.
    """

    def __init__(self, start: Start, *, root: Path | None = None, limit: int = 50) -> None:
        self._root = Path(tempfile.mkdtemp(prefix="fsr-opt-serve-", dir=root))
        self._root.chmod(0o700)
        self.start = start
        self.limit = limit
        self._items: OrderedDict[str, Workspace] = OrderedDict()
        self._lock = threading.Lock()

    def get(self, workspace_id: str | None) -> Workspace | None:
        """The workspace of this id, if it is still kept."""
        if not workspace_id:
            return None
        with self._lock:
            found = self._items.get(workspace_id)
            if found is not None:
                self._items.move_to_end(workspace_id)
                found.last_used = time.monotonic()
            return found

    def create(self, lang: str = DEFAULT_LANGUAGE) -> tuple[str, Workspace]:
        """A new workspace on the server's files, with a new random id."""
        workspace_id = secrets.token_urlsafe(24)
        folder = self._root / workspace_id
        folder.mkdir(mode=0o700)
        workspace = Workspace.open(folder, self.start, lang)
        with self._lock:
            self._items[workspace_id] = workspace
            while len(self._items) > self.limit:
                _, oldest = self._items.popitem(last=False)
                oldest.close()
        return workspace_id, workspace

    def __len__(self) -> int:
        return len(self._items)

    def close(self) -> None:
        """Remove every visitor's files (the server stops)."""
        with self._lock:
            self._items.clear()
        shutil.rmtree(self._root, ignore_errors=True)


@contextmanager
def locked(workspace: Workspace) -> Iterator[Workspace]:
    """Hold the workspace's lock: one change at a time per visitor."""
    with workspace.lock:
        workspace.last_used = time.monotonic()
        yield workspace
