"""How a run of one Ambito can end, as region.json records it and the command line maps it.

An Ambito that failed carries the `kind` of its error (`fsr_opt.core.errors`); the others
are below. Kept apart from `app.region` so that the command line's table of exit codes does
not import the whole pipeline.
"""

from __future__ import annotations

SOLVED = "optimal"
NOT_RUN = "not_run"
INTERRUPTED = "interrupted"
INTERNAL_ERROR = "internal_error"
