"""PuLP, imported without its HiGHS interface until a HiGHS solve asks for it.

``import pulp`` imports highspy (and with it numpy) to offer HiGHS, whatever solver is then
used; that is most of the start-up of a CBC run, the default (benchmarks/bench_cli.py). So
PuLP is imported here with highspy hidden, and `highs_solver_class` imports PuLP's HiGHS
module again, with highspy, the first time HiGHS is wanted in the process. Where highspy was
imported before PuLP (by another library), nothing is hidden.
"""

from __future__ import annotations

import importlib
import sys
from types import ModuleType
from typing import Any


def _import_pulp() -> ModuleType:
    if "pulp" not in sys.modules:
        hidden = "highspy" not in sys.modules
        if hidden:
            sys.modules["highspy"] = None  # type: ignore[assignment]  # import -> ImportError
        try:
            importlib.import_module("pulp")
        finally:
            if hidden:
                del sys.modules["highspy"]
    return sys.modules["pulp"]


pulp = _import_pulp()


def highs_solver_class() -> Any:
    """PuLP's ``HiGHS`` class, built with highspy (re-importing its module if it was hidden)."""
    from pulp.apis import highs_api  # noqa: PLC0415

    if highs_api.highspy is None:  # PuLP's module saw no highspy when first imported
        try:
            importlib.import_module("highspy")
        except ImportError:
            return highs_api.HiGHS  # not installed: its `available()` says so
        highs_api = importlib.reload(highs_api)
    return highs_api.HiGHS
