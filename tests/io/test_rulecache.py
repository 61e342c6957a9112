"""Tests of fsr_opt.io.rulecache and of `load_rules` with it: a validated rule set kept between
runs is the same rule set, never a stale or foreign one, and the cache never fails a run."""

from __future__ import annotations

import os
import pickle
import subprocess
import sys
from pathlib import Path

import pytest

from fsr_opt.app.pipeline import load_rules
from fsr_opt.core.errors import RuleSetError
from fsr_opt.core.i18n import use_language
from fsr_opt.core.schema import RuleSet
from fsr_opt.io import rulecache
from fsr_opt.io.bundled import default_rules_path
from fsr_opt.io.rulecache import cache_folder, cached_rule_set, keep_rule_set, rule_set_key

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture
def cache(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """The cache on, in a private temporary folder (the suite runs with it off)."""
    folder = tmp_path / "cache"
    monkeypatch.setenv("FSR_OPT_CACHE", str(folder))
    return folder


@pytest.fixture(scope="module")
def bundled() -> RuleSet:
    """The bundled rule set, validated with the cache off (module fixtures come first)."""
    assert os.environ["FSR_OPT_CACHE"] == "off"
    return load_rules(None)


@pytest.fixture
def rules_file(tmp_path: Path) -> Path:
    """A copy of the bundled rule set that a test may edit."""
    copy = tmp_path / "rules.yaml"
    copy.write_bytes(default_rules_path().read_bytes())
    return copy


def _kept(folder: Path) -> list[Path]:
    return sorted(folder.glob("*.ruleset"))


# --- where the cache is ------------------------------------------------------------------------


def test_the_environment_chooses_the_folder_or_turns_the_cache_off(
        monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv("FSR_OPT_CACHE", str(tmp_path / "here"))
    assert cache_folder() == tmp_path / "here"
    for off in ("off", "OFF", " ", "0", "no", "false"):
        monkeypatch.setenv("FSR_OPT_CACHE", off)
        assert cache_folder() is None
    monkeypatch.delenv("FSR_OPT_CACHE")
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "xdg"))
    assert cache_folder() == tmp_path / "xdg" / "fsr-opt"
    monkeypatch.setenv("XDG_CACHE_HOME", "")
    monkeypatch.setenv("HOME", str(tmp_path / "home"))
    assert cache_folder() == tmp_path / "home" / ".cache" / "fsr-opt"


# --- the key -----------------------------------------------------------------------------------


def test_the_key_changes_with_the_file_its_bytes_the_overrides_and_the_language() -> None:
    key = rule_set_key("rules.yaml", "ab" * 32, [("fund", "1000")])
    assert key == rule_set_key("rules.yaml", "ab" * 32, [("fund", "1000")])
    others = {
        rule_set_key("other.yaml", "ab" * 32, [("fund", "1000")]),
        rule_set_key("rules.yaml", "cd" * 32, [("fund", "1000")]),
        rule_set_key("rules.yaml", "ab" * 32, [("fund", "1001")]),
        rule_set_key("rules.yaml", "ab" * 32, []),
        rule_set_key("rules.yaml", "ab" * 32, [("fund", "1000"), ("minimum_award", "1")]),
    }
    with use_language("it"):
        others.add(rule_set_key("rules.yaml", "ab" * 32, [("fund", "1000")]))
    assert key not in others
    assert len(others) == 6
    # parts are separated: moving text from one part to the next is another key
    assert rule_set_key("a", "bc") != rule_set_key("ab", "c")


def test_the_key_changes_when_a_module_of_the_program_changes(
        monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    key = rule_set_key("rules.yaml", "ab" * 32)
    package = tmp_path / "fsr_opt"
    (package / "rules").mkdir(parents=True)
    module = package / "rules" / "validate.py"
    module.write_text("x = 1\n", encoding="utf-8")
    monkeypatch.setattr(rulecache, "__file__", str(package / "io" / "rulecache.py"))
    rulecache._code_fingerprint.cache_clear()
    try:
        first = rulecache._code_fingerprint()
        rulecache._code_fingerprint.cache_clear()
        module.write_text("x = 22\n", encoding="utf-8")  # a new size
        assert rulecache._code_fingerprint() != first
        rulecache._code_fingerprint.cache_clear()
        os.utime(module, ns=(1, 1))  # a new modification time only
        changed = rulecache._code_fingerprint()
        assert changed != first
        rulecache._code_fingerprint.cache_clear()
        (package / "rules" / "notes.txt").write_text("not code", encoding="utf-8")
        assert rulecache._code_fingerprint() == changed
        rulecache._code_fingerprint.cache_clear()
        (package / "fsr_opt.mo").write_bytes(b"a catalogue of words")
        assert rulecache._code_fingerprint() != changed
    finally:
        monkeypatch.undo()
        rulecache._code_fingerprint.cache_clear()
    assert rule_set_key("rules.yaml", "ab" * 32) == key


# --- keeping and loading -----------------------------------------------------------------------


def test_a_kept_rule_set_comes_back_equal(bundled: RuleSet, cache: Path) -> None:
    rules = bundled
    key = rule_set_key("somewhere.yaml", "ab" * 32)
    assert cached_rule_set(key) is None
    keep_rule_set(key, rules)
    assert cached_rule_set(key) == rules
    assert cached_rule_set(rule_set_key("somewhere.yaml", "cd" * 32)) is None
    assert (cache.stat().st_mode & 0o777) == 0o700
    assert not list(cache.glob(".*"))  # no temporary file left behind


def test_with_the_cache_off_nothing_is_kept_or_read(
        monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv("FSR_OPT_CACHE", "off")
    rules = load_rules(None)
    key = rule_set_key("rules.yaml", "ab" * 32)
    keep_rule_set(key, rules)
    assert cached_rule_set(key) is None
    assert not list(tmp_path.iterdir())


def test_a_folder_others_may_write_to_is_not_used(bundled: RuleSet, cache: Path) -> None:
    rules = bundled
    key = rule_set_key("rules.yaml", "ab" * 32)
    keep_rule_set(key, rules)
    cache.chmod(0o777)
    try:
        assert cached_rule_set(key) is None  # a pickle others could have planted
        keep_rule_set(rule_set_key("rules.yaml", "cd" * 32), rules)
        assert len(_kept(cache)) == 1
        cache.chmod(0o720)
        assert cached_rule_set(key) is None
    finally:
        cache.chmod(0o700)
    assert cached_rule_set(key) == rules


@pytest.mark.parametrize("content", [
    b"",
    b"not a pickle",
    pickle.dumps({"fund": 1}),  # a pickle, but not a rule set
    pickle.dumps(None),
])
def test_a_damaged_or_foreign_file_is_a_miss_and_is_replaced(bundled: RuleSet, cache: Path,
                                                             content: bytes) -> None:
    rules = bundled
    key = rule_set_key("rules.yaml", "ab" * 32)
    cache.mkdir(mode=0o700)
    (cache / f"{key}.ruleset").write_bytes(content)
    assert cached_rule_set(key) is None
    keep_rule_set(key, rules)
    assert cached_rule_set(key) == rules


def test_a_cache_that_cannot_be_written_never_fails_the_run(
        monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    blocker = tmp_path / "a-file"
    blocker.write_text("in the way", encoding="utf-8")
    monkeypatch.setenv("FSR_OPT_CACHE", str(blocker / "cache"))  # a folder under a file
    rules = load_rules(None)
    assert load_rules(None) == rules
    assert cached_rule_set(rule_set_key("rules.yaml", "ab" * 32)) is None


def test_only_the_most_recently_used_rule_sets_are_kept(
        bundled: RuleSet, cache: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(rulecache, "MAX_ENTRIES", 3)
    rules = bundled
    keys = [rule_set_key("rules.yaml", f"{n:064x}") for n in range(5)]
    for age, key in enumerate(keys[:3]):
        keep_rule_set(key, rules)
        os.utime(cache / f"{key}.ruleset", ns=(age * 10**9, age * 10**9))
    assert cached_rule_set(keys[0]) == rules  # used again: now the most recent
    keep_rule_set(keys[3], rules)  # the least recently used, keys[1], goes
    assert {path.stem for path in _kept(cache)} == {keys[0], keys[2], keys[3]}
    keep_rule_set(keys[4], rules)
    assert {path.stem for path in _kept(cache)} == {keys[0], keys[3], keys[4]}


# --- load_rules with the cache -----------------------------------------------------------------


def test_load_rules_validates_once_then_reads_the_cache(
        cache: Path, rules_file: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    first = load_rules(rules_file, [("fund", "900000")])
    assert first.fund == 90_000_000
    assert len(_kept(cache)) == 1

    def no_validation(*args: object, **kwargs: object) -> None:
        raise AssertionError("validated again")

    monkeypatch.setattr("fsr_opt.rules.validate.parse_rule_set", no_validation)
    assert load_rules(rules_file, [("fund", "900000")]) == first
    with pytest.raises(AssertionError, match="validated again"):
        load_rules(rules_file, [("fund", "900001")])  # other overrides: validated
    with pytest.raises(AssertionError, match="validated again"):
        load_rules(rules_file)


def test_an_edited_rule_file_is_validated_again(cache: Path, rules_file: Path) -> None:
    before = load_rules(rules_file)
    text = rules_file.read_text(encoding="utf-8")
    assert text.count("892495.35") == 1
    rules_file.write_text(text.replace("892495.35", "892495.36"), encoding="utf-8")
    after = load_rules(rules_file)
    assert after.fund == before.fund + 1
    assert after.sha256 != before.sha256
    assert len(_kept(cache)) == 2


def test_a_rule_file_that_fails_validation_is_never_kept(cache: Path, rules_file: Path) -> None:
    rules_file.write_text(rules_file.read_text(encoding="utf-8").replace(
        "format: fsr-opt/rules/1", "format: fsr-opt/rules/9"), encoding="utf-8")
    for _attempt in range(2):  # the same problem each time: found again, not remembered
        with pytest.raises(RuleSetError) as exc:
            load_rules(rules_file)
        assert [p.code.name for p in exc.value.problems] == ["BAD_FORMAT"]
    assert not _kept(cache)


def test_the_rule_set_names_the_file_as_given(cache: Path, rules_file: Path,
                                              tmp_path: Path) -> None:
    same_bytes = tmp_path / "copy.yaml"
    same_bytes.write_bytes(rules_file.read_bytes())
    assert load_rules(rules_file).source == str(rules_file)
    assert load_rules(same_bytes).source == str(same_bytes)
    assert load_rules(rules_file).source == str(rules_file)


def test_a_solve_with_the_cache_writes_the_same_outputs_without_pydantic_or_yaml(
        tmp_path: Path) -> None:
    """End to end, in fresh processes: the run that fills the cache and the run that reads it."""
    env = {**os.environ, "FSR_OPT_CACHE": str(tmp_path / "cache")}
    script = ("import sys\nfrom fsr_opt.cli import main\n"
              "sys.argv = ['fsr-opt', 'solve', '--out', sys.argv[1]]\n"
              "try:\n    main()\nexcept SystemExit as end:\n"
              "    code = end.code\n"
              "print('MODULES', 'pydantic' in sys.modules, 'yaml' in sys.modules, code)\n")
    modules = []
    for run in ("first", "second"):
        done = subprocess.run([sys.executable, "-c", script, str(tmp_path / run)], env=env,
                              cwd=ROOT, capture_output=True, text=True, check=False)
        modules.append(done.stdout.rsplit("MODULES", 1)[-1].split())
    assert modules == [["True", "True", "0"], ["False", "False", "0"]]
    first = {path.name: path.read_bytes() for path in (tmp_path / "first").iterdir()}
    second = {path.name: path.read_bytes() for path in (tmp_path / "second").iterdir()}
    assert first.keys() == second.keys()
    assert [name for name in first if first[name] != second[name]] == ["run.json"]

