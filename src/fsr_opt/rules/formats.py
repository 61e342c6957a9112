"""The rule-file formats, and the year whose values a document's riparto uses.

Apart from `fsr_opt.rules.document` (the pydantic models) so that reading a format or a year,
as command-line overrides do, does not import pydantic.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import date
from typing import Any

from fsr_opt.core.errors import ErrorCode
from fsr_opt.core.i18n import _
from fsr_opt.rules import values as read
from fsr_opt.rules.values import RuleValueError, describe

__all__ = ["FORMATS", "FORMAT_1", "FORMAT_1_KEYS", "FORMAT_2", "FORMAT_2_ONLY", "document_year",
           "in_force", "read_format"]

FORMAT_1 = "fsr-opt/rules/1"
"""The first layout: one value per parameter, service lines' amounts keyed ``historical_2024``."""

FORMAT_2 = "fsr-opt/rules/2"
"""The current layout: values may be keyed by date, and no key carries a year."""

FORMATS = (FORMAT_1, FORMAT_2)

FORMAT_1_KEYS = {"historical": "historical_2024"}
"""Fields that format 1 spells with a year (read as the same field)."""

FORMAT_2_ONLY = frozenset({"values"})
"""Fields that format 1 does not have."""


def read_format(raw: object) -> str:
    """The ``format`` key: one of `FORMATS`."""
    if raw in FORMATS:
        return str(raw)
    raise RuleValueError(
        ErrorCode.BAD_FORMAT,
        _("expected '{format}' (or the older '{older}'), got {value}; this program reads "
          "these formats only (see docs/rules-format.md)").format(
              format=FORMAT_2, older=FORMAT_1, value=describe(raw)))


def document_year(document: Mapping[str, Any]) -> int | None:
    """The year that picks dated values (``metadata.year``); None if it cannot be read."""
    metadata = document.get("metadata")
    try:
        return read.read_year(metadata.get("year")) if isinstance(metadata, Mapping) else None
    except RuleValueError:
        return None


def in_force(days: Iterable[date], year: int) -> date | None:
    """The day of the dated value that the riparto of `year` uses, or None if none applies yet.

    That is the latest day on or before 1 January of the year. The fund, its shares and its
    amounts are fixed once for the whole year, so the value must already apply when the year
    begins; a value keyed later in the year would apply to part of a year that has one riparto,
    and the validation refuses it (`ErrorCode.VALUE_STARTS_IN_YEAR`).
    """
    start = date(year, 1, 1)
    return max((day for day in days if day <= start), default=None)
