"""Validated rule sets kept between runs, so that an unchanged rule file is not parsed again.

Reading a rule file takes PyYAML and validating it pydantic: together about a third of a
bundled ``fsr-opt solve``, nearly all of it their imports (benchmarks/RESULTS.md). The same
code builds the same `RuleSet` from the same bytes, overrides and language, so the first run
keeps it, pickled, in the user's cache folder, and the next runs load it instead.

The key is the SHA-256 of: the program (the path, size and modification time of each of its
modules and catalogues of words, and the Python version), the rule file's name as given (the
rule set records it), the SHA-256 of its bytes, the overrides and the language. A rule set
that fails validation is never kept: its problems are found again on every run.

Where: ``FSR_OPT_CACHE`` (a folder, or ``off``), else ``$XDG_CACHE_HOME/fsr-opt``, else
``~/.cache/fsr-opt``. Loading a pickle runs code, so a folder that is not the user's own, or
that others may write to, is not used. Any failure to read or write the cache is logged and
the run goes on as if there were none. The folder keeps the `MAX_ENTRIES` newest rule sets.
"""

from __future__ import annotations

import contextlib
import functools
import hashlib
import logging
import os
import pickle
import sys
import tempfile
from collections.abc import Sequence
from pathlib import Path

from fsr_opt.core.i18n import current_language
from fsr_opt.core.schema import RuleSet

__all__ = ["CACHE_ENV", "MAX_ENTRIES", "cache_folder", "cached_rule_set", "keep_rule_set",
           "rule_set_key"]

log = logging.getLogger(__name__)

CACHE_ENV = "FSR_OPT_CACHE"
"""The environment variable naming the cache folder; ``off`` (or empty) turns the cache off."""
MAX_ENTRIES = 64
"""Rule sets kept; the least recently used go first (a what-if sweep adds one per point)."""
_SUFFIX = ".ruleset"
_OFF = frozenset({"", "off", "0", "no", "false"})


def cache_folder() -> Path | None:
    """The cache folder the environment chooses, or None when the cache is off."""
    setting = os.environ.get(CACHE_ENV)
    if setting is not None:
        return None if setting.strip().lower() in _OFF else Path(setting).expanduser()
    base = os.environ.get("XDG_CACHE_HOME", "")
    if not base:
        try:
            base = str(Path.home() / ".cache")
        except RuntimeError:  # no home folder: nowhere to keep anything
            return None
    return Path(base) / "fsr-opt"


@functools.cache
def _code_fingerprint() -> str:
    """What identifies this program: each module's and catalogue's path, size and mtime.

    A changed module (a new version, an edit in a development checkout) changes the key, so a
    rule set built by other code is never loaded; the catalogues of words (``.mo``) count too,
    in case a later version puts translated words into a rule set.
    """
    package = Path(__file__).resolve().parent.parent
    digest = hashlib.sha256(sys.version.encode())
    for folder, folders, files in os.walk(package):
        folders.sort()
        for name in sorted(files):
            if name.endswith((".py", ".mo")):
                status = os.stat(os.path.join(folder, name))
                relative = os.path.relpath(os.path.join(folder, name), package)
                digest.update(f"{relative}\0{status.st_size}\0{status.st_mtime_ns}\n".encode())
    return digest.hexdigest()


def rule_set_key(source: str, sha256: str, overrides: Sequence[tuple[str, str]] = ()) -> str:
    """The cache key of the rule set read from `source`, whose bytes hash to `sha256`."""
    digest = hashlib.sha256()
    for part in (_code_fingerprint(), current_language(), source, sha256,
                 *(f"{key}={value}" for key, value in overrides)):
        digest.update(part.encode("utf-8", "surrogatepass"))
        digest.update(b"\0")
    return digest.hexdigest()


def cached_rule_set(key: str) -> RuleSet | None:
    """The rule set kept under `key`, or None (no cache, not kept, or unreadable)."""
    folder = cache_folder()
    if folder is None:
        return None
    file = folder / f"{key}{_SUFFIX}"
    try:
        if not _is_private(folder):
            return None
        data = file.read_bytes()
    except FileNotFoundError:
        return None
    except OSError as exc:
        log.debug("rule-set cache %s not read: %s", file, exc)
        return None
    try:
        rules = pickle.loads(data)  # our own file, in a folder only this user may write
    except Exception as exc:  # a damaged or stale file is only a miss
        log.debug("rule-set cache %s not loaded: %s", file, exc)
        return None
    if not isinstance(rules, RuleSet):
        return None
    with contextlib.suppress(OSError):
        os.utime(file)  # recently used: kept longest
    return rules


def keep_rule_set(key: str, rules: RuleSet) -> None:
    """Keep a validated rule set under `key`, replacing the file atomically; never fails."""
    folder = cache_folder()
    if folder is None:
        return
    temporary: str | None = None
    try:
        folder.mkdir(mode=0o700, parents=True, exist_ok=True)
        if not _is_private(folder):
            log.debug("rule-set cache %s not used: not private to this user", folder)
            return
        handle, temporary = tempfile.mkstemp(dir=folder, prefix=".", suffix=".tmp")
        with os.fdopen(handle, "wb") as out:
            pickle.dump(rules, out, protocol=pickle.HIGHEST_PROTOCOL)
        os.replace(temporary, folder / f"{key}{_SUFFIX}")
        temporary = None
        _prune(folder)
    except (OSError, pickle.PicklingError) as exc:
        log.debug("rule-set cache %s not written: %s", folder, exc)
    finally:
        if temporary is not None:
            Path(temporary).unlink(missing_ok=True)


def _is_private(folder: Path) -> bool:
    """Whether only this user may write in `folder` (always true where there are no uids)."""
    if not hasattr(os, "getuid"):
        return True
    status = folder.stat()
    return status.st_uid == os.getuid() and not status.st_mode & 0o022


def _prune(folder: Path) -> None:
    """Remove all but the `MAX_ENTRIES` most recently used rule sets."""
    entries = []
    for entry in folder.glob(f"*{_SUFFIX}"):
        try:
            entries.append((entry.stat().st_mtime_ns, entry.name, entry))
        except FileNotFoundError:  # removed by a run alongside
            continue
    for _mtime, _name, entry in sorted(entries)[:-MAX_ENTRIES]:
        entry.unlink(missing_ok=True)
