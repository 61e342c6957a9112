"""Work in a process pool: every result reported once, in this process."""

from __future__ import annotations

from fsr_opt.whatif.pool import default_workers, run_in_pool


def square(value: int) -> int:
    """Module level, so that worker processes can unpickle it."""
    return value * value


def test_every_result_comes_back_once() -> None:
    results: list[int] = []
    interrupted = run_in_pool(list(range(6)), square, 2, results.append)
    assert not interrupted
    assert sorted(results) == [0, 1, 4, 9, 16, 25]


def test_default_workers_is_at_least_one() -> None:
    assert default_workers() >= 1
