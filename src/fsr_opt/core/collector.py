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
