"""Tests of fsr_opt.io.bundled: the shipped rule sets and example, found from the package."""

from __future__ import annotations

from pathlib import Path

from fsr_opt.io import bundled
from fsr_opt.io.bundled import default_rules_path, default_units_path


def test_default_paths_point_into_the_repository() -> None:
    root = Path(bundled.__file__).resolve().parents[3]
    assert default_rules_path() == root / "models" / "fsr-2025-bergamo.yaml"
    assert default_units_path() == root / "data" / "bergamo-2025" / "units.csv"
