"""benchmarks/bench_cli.py: the section it writes into benchmarks/RESULTS.md."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

from benchmarks.bench_cli import SECTION, Probe, markdown, rewrite_section, speed_probe


def _figures(median: float, peak: float) -> dict[str, float]:
    return {"median_s": median, "max_s": median + 0.05, "cpu_s": median - 0.01,
            "peak_mb": peak, "runs": 11}


def test_the_table_says_which_targets_are_met_and_how_fast_the_machine_was() -> None:
    probe = Probe(0.171, 0.183, datetime(2026, 12, 3, 6, 46, tzinfo=UTC),
                  datetime(2026, 12, 3, 6, 50, tzinfo=UTC))
    text = markdown({"help": _figures(0.06, 19), "n100000": _figures(8.07, 318),
                     "n100000-xlsx": _figures(9.88, 450)}, probe)
    rows = [line for line in text.splitlines() if line.startswith("| `")]
    assert rows == [
        "| `fsr-opt --help` | 0.06 | 0.11 | 0.05 | 19 | < 0.2 s (met) |",
        # a time over its target, and a peak under it: not met
        "| `fsr-opt solve`, 100,000 units (CSV) | 8.07 | 8.12 | 8.06 | 318 | < 8 s and "
        "< 400 MB |",
        "| `fsr-opt solve`, 100,000 units (XLSX) | 9.88 | 9.93 | 9.87 | 450 | < 12 s (met) |",
    ]
    assert ("Measured on 2026-12-03 from 06:46 to 06:50 UTC. The machine's speed then "
            "(`PROBE`, a fixed pure-Python loop, median of 5 runs in fresh processes): "
            "0.171 s before the cases, 0.183 s after.") in text
    assert "Measured on" not in markdown({"help": _figures(0.06, 19)})


def test_the_section_is_replaced_and_the_rest_of_the_file_kept(tmp_path: Path) -> None:
    results = tmp_path / "RESULTS.md"
    results.write_text(f"# R\n\n{SECTION}\n\nold table\n\n## Analysis\n\nby hand\n",
                       encoding="utf-8")
    rewrite_section(results, f"{SECTION}\n\nnew table\n")
    assert results.read_text(encoding="utf-8") == (
        f"# R\n\n{SECTION}\n\nnew table\n\n## Analysis\n\nby hand\n")


def test_the_probe_times_its_loop() -> None:
    assert 0 < speed_probe(runs=1) < 60
