"""The cycle collector is paused inside the block and left as it was found after it."""

from __future__ import annotations

import gc
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from fsr_opt.core.collector import cycle_collection_paused


@pytest.fixture(autouse=True)
def _collector_restored() -> Iterator[None]:
    enabled = gc.isenabled()
    yield
    if enabled:
        gc.enable()
    else:
        gc.disable()


def test_paused_inside_and_resumed_after_even_when_nested() -> None:
    gc.enable()
    with cycle_collection_paused():
        assert not gc.isenabled()
        with cycle_collection_paused():
            assert not gc.isenabled()
        assert not gc.isenabled()  # the inner block leaves it as the outer one set it
    assert gc.isenabled()


def test_resumed_after_an_error() -> None:
    gc.enable()
    with pytest.raises(RuntimeError), cycle_collection_paused():
        raise RuntimeError
    assert gc.isenabled()


def test_a_collector_that_was_off_stays_off() -> None:
    gc.disable()
    with cycle_collection_paused():
        pass
    assert not gc.isenabled()


def test_a_solve_runs_with_the_collector_paused(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    """The pipeline's large stages run inside the pause (the unit outcomes, for one)."""
    from fsr_opt.app import pipeline  # noqa: PLC0415

    seen: list[bool] = []
    real = pipeline.unit_outcomes

    def watched(*args: object, **kwargs: object) -> object:
        seen.append(gc.isenabled())
        return real(*args, **kwargs)  # type: ignore[arg-type]

    gc.enable()
    monkeypatch.setattr(pipeline, "unit_outcomes", watched)
    inputs = pipeline.load_inputs(None, None)
    pipeline.run_solve(inputs, tmp_path)
    assert seen == [False] and gc.isenabled()


@pytest.mark.parametrize("arguments", [["version"], ["solve", "--units", "missing.csv"]])
def test_the_command_line_leaves_every_object_out_of_the_last_collections(
    arguments: list[str], tmp_path: Path
) -> None:
    """`main` freezes the heap as it ends, whatever the exit status (0 here, 2 on bad input).

    An exit hook registered before `main` runs after it, and sees the objects frozen.
    """
    script = ("import atexit, gc, sys\n"
              "atexit.register(lambda: print('frozen', gc.get_freeze_count() > 0))\n"
              "from fsr_opt.cli import main\n"
              f"sys.argv = ['fsr-opt', *{arguments!r}]\n"
              "main()\n")
    done = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True,
                          cwd=tmp_path, check=False, timeout=60)
    assert done.stdout.splitlines()[-1] == "frozen True"
    assert done.returncode == (0 if arguments == ["version"] else 2)
