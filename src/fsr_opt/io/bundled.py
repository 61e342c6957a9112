"""The rule sets and the example shipped with fsr-opt, found wherever the package is installed.

The repository keeps them in its top-level ``models/`` and ``data/`` folders; the wheel ships
them as the package data ``fsr_opt.models`` and ``fsr_opt.examples`` (``pyproject.toml`` maps
the folders), read with `importlib.resources`, so an installed ``fsr-opt`` runs from any
directory. An editable install of a checkout has no such packages (setuptools does not map
data-only folders in editable mode), so the checkout's folders are used there.
"""

from __future__ import annotations

import importlib.resources
from pathlib import Path

DEFAULT_RULE_SET = "fsr-2025-bergamo.yaml"
DEFAULT_EXAMPLE = "bergamo-2025"
_CHECKOUT = Path(__file__).resolve().parents[3]
_CHECKOUT_FOLDERS = {"models": "models", "examples": "data"}


def _file(package: str, *parts: str) -> Path:
    """A bundled file of `package` (``models`` or ``examples``), installed or in the checkout."""
    try:
        found = importlib.resources.files(f"fsr_opt.{package}")
    except ModuleNotFoundError:
        return _CHECKOUT.joinpath(_CHECKOUT_FOLDERS[package], *parts)
    for part in parts:  # one part at a time: Python 3.11's MultiplexedPath takes one
        found = found.joinpath(part)
    return Path(str(found))  # installed wheels are unpacked: the resource is a file on disk


def default_rules_path() -> Path:
    """The bundled rule set (Ambito di Bergamo, FSR 2025), used when none is given."""
    return _file("models", DEFAULT_RULE_SET)


def rule_sets_folder() -> Path:
    """The folder of the bundled rule sets (one YAML file per Ambito and year)."""
    return default_rules_path().parent


def default_units_path() -> Path:
    """The bundled example units table, used when none is given."""
    return _file("examples", DEFAULT_EXAMPLE, "units.csv")


def examples_folder() -> Path:
    """The folder of the bundled examples (one folder per Ambito and year)."""
    return default_units_path().parent.parent
