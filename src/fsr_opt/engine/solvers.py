"""The solvers fsr-opt can use and their defaults, without importing any of them.

Kept apart from `engine.solve` (which imports PuLP) so that the command line can list the
choices in its help and check an option without paying for the solver's import.
"""

from __future__ import annotations

SOLVERS = ("cbc", "highs")
# A CBC of one's own (e.g. where PuLP bundles none for the platform) instead of PuLP's.
CBC_PATH_VARIABLE = "FSR_OPT_CBC"
DEFAULT_TIME_LIMIT = 60.0
