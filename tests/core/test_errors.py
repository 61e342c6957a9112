"""Every problem code is documented in docs/errors.md, and everything documented there exists."""

from __future__ import annotations

import re
from pathlib import Path

from fsr_opt.core.errors import ErrorCode

DOC = Path(__file__).resolve().parents[2] / "docs" / "errors.md"
# A table row whose first cell names codes: "| `CODE` |" or "| `A`, `B` |".
_FIRST_CELL = re.compile(r"^\|\s*((?:`[A-Z][A-Z0-9_]*`(?:,\s*)?)+)[^|]*\|", re.MULTILINE)


def documented_codes() -> set[str]:
    return {code for cell in _FIRST_CELL.findall(DOC.read_text(encoding="utf-8"))
            for code in re.findall(r"`([A-Z][A-Z0-9_]*)`", cell)}


def test_every_error_code_is_documented() -> None:
    missing = {code.value for code in ErrorCode} - documented_codes()
    assert not missing, f"docs/errors.md has no table row for {sorted(missing)}"


def test_every_documented_code_exists() -> None:
    unknown = documented_codes() - {code.value for code in ErrorCode}
    assert not unknown, f"docs/errors.md documents codes fsr-opt never reports: {sorted(unknown)}"


def test_the_pattern_finds_rows() -> None:
    # the scan itself must see the tables, or the two tests above would pass on nothing
    assert {"FILE_NOT_FOUND", "SHARES_NOT_100", "TIME_LIMIT"} <= documented_codes()
