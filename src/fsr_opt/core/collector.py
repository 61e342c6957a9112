"""Python's cycle collector, paused while a run builds its objects by the hundred thousand.

A large Ambito's run makes millions of tuples, records and strings, none of them in a
reference cycle, and the collector would walk the growing heap again and again for nothing
(its share of a large solve: benchmarks/RESULTS.md). Reference counting still frees every
object; the collector resumes when the block ends.
"""

from __future__ import annotations

import contextlib
import gc
from collections.abc import Iterator


@contextlib.contextmanager
def cycle_collection_paused() -> Iterator[None]:
    """Run a block with the cycle collector off, restoring its state after (nesting is fine)."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


def spare_collection_at_exit() -> None:
    """Spare the ending process the collector's last walks over every object.

    As the interpreter ends it runs the cycle collector over the whole heap (every module,
    the rule schema, the run's records), only to free memory that the operating system takes
    back anyway: most of a small run's shutdown (benchmarks/RESULTS.md). `gc.freeze` puts
    every object out of the collector's sight; reference counting still frees them as the
    modules are torn down, and open files are still closed.
    """
    gc.freeze()
