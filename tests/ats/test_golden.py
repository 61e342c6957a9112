"""The ATS outputs of the bundled example, pinned byte for byte (SHA-256).

After a deliberate change, rewrite the pins and say why in the commit:

    .venv/bin/python -m tests.ats.test_golden --write
"""

from __future__ import annotations

import hashlib
import json
import sys
import tempfile
from pathlib import Path

from fsr_opt.app.ats import run_rebalance, run_split

PINS = Path(__file__).with_name("golden.json")
FILES = {"split": ("split.csv", "ats-report.xlsx", "ats-report.html"),
         "rebalance": ("transfers.csv", "after-rebalance.csv", "ats-report.xlsx",
                       "ats-report.html")}


def digests(folder: Path) -> dict[str, str]:
    run_split(None, None, folder / "split")
    run_rebalance(None, None, folder / "split" / "split.csv", folder / "rebalance")
    return {f"{run}/{name}": hashlib.sha256((folder / run / name).read_bytes()).hexdigest()
            for run, names in FILES.items() for name in names}


def test_the_bundled_outputs_are_pinned(tmp_path: Path) -> None:
    assert digests(tmp_path) == json.loads(PINS.read_text(encoding="utf-8"))


if __name__ == "__main__" and "--write" in sys.argv:
    with tempfile.TemporaryDirectory() as folder:
        PINS.write_text(json.dumps(digests(Path(folder)), indent=2, sort_keys=True) + "\n",
                        encoding="utf-8")
