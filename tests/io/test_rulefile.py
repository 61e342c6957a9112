"""Tests of fsr_opt.io.rulefile: rule-set documents read strictly and within limits."""

from __future__ import annotations

from pathlib import Path

import pytest

from fsr_opt.core.errors import RuleSetError
from fsr_opt.io import rulefile
from fsr_opt.io.rulefile import read_rule_document
from fsr_opt.io.source import sha256_file


def test_read_rule_document_yaml_and_toml(tmp_path: Path) -> None:
    yaml_file = tmp_path / "rules.yaml"
    yaml_file.write_text("fund: 892495.35\nareas:\n  minori: 50\n", encoding="utf-8")
    document, sha = read_rule_document(yaml_file)
    assert document == {"fund": 892495.35, "areas": {"minori": 50}}
    assert sha == sha256_file(yaml_file)
    toml_file = tmp_path / "rules.toml"
    toml_file.write_text('fund = "892495.35"\n[areas]\nminori = 50\n', encoding="utf-8")
    assert read_rule_document(toml_file)[0] == {"fund": "892495.35", "areas": {"minori": 50}}


@pytest.mark.parametrize(("name", "content", "code", "row"), [
    ("bad.yaml", "fund: 1\nareas: [minori\n", "SYNTAX", 3),
    ("dup.yaml", "fund: 1\nareas:\n  a: 1\n  a: 2\n", "SYNTAX", 4),
    ("list.yaml", "- 1\n- 2\n", "NOT_A_MAPPING", None),
    ("empty.yml", "", "NOT_A_MAPPING", None),
    ("bad.toml", "fund = 1\nfund = 2\n", "SYNTAX", 2),
    ("rules.json", "{}", "UNSUPPORTED_FORMAT", None),
])
def test_read_rule_document_errors(tmp_path: Path, name: str, content: str, code: str,
                                   row: int | None) -> None:
    path = tmp_path / name
    path.write_text(content, encoding="utf-8")
    with pytest.raises(RuleSetError) as exc:
        read_rule_document(path)
    [problem] = exc.value.problems
    assert (problem.code, problem.row, problem.file) == (code, row, str(path))


def test_read_rule_document_missing_file(tmp_path: Path) -> None:
    with pytest.raises(RuleSetError, match="not found"):
        read_rule_document(tmp_path / "nope.yaml")


@pytest.mark.parametrize(("content", "nodes", "code"), [
    ("a: &x [1, 2]\nb: [*x, *x, *x, *x]\n", 8, "TOO_LARGE"),  # each use of an alias counts
    ("a: " + "[" * 12 + "]" * 12 + "\n", 100, "TOO_DEEP"),
])
def test_a_document_beyond_the_limits_is_refused(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                                 content: str, nodes: int, code: str) -> None:
    monkeypatch.setattr(rulefile, "MAX_RULE_NODES", nodes)
    monkeypatch.setattr(rulefile, "MAX_RULE_DEPTH", 10)
    path = tmp_path / "rules.yaml"
    path.write_text(content, encoding="utf-8")
    with pytest.raises(RuleSetError) as exc:
        read_rule_document(path)
    assert [p.code for p in exc.value.problems] == [code]


def test_a_rule_set_that_is_not_utf8_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "rules.yaml"
    path.write_bytes("fund: 1 # città".encode("cp1252"))
    with pytest.raises(RuleSetError, match="UTF-8"):
        read_rule_document(path)
