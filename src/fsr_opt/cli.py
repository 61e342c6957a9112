"""The `fsr-opt` command line: parse options, call the pipeline, print, exit with a code.

Exit codes (contract, section 3): 0 success; 1 the audit found violations; 2 bad input or
usage; 3 infeasible rules or solver failure. Users see messages, never tracebacks.
"""

from __future__ import annotations

import logging
import sys
from collections.abc import Callable
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import Annotated, TypeVar

import typer

from fsr_opt import __version__
from fsr_opt.audit import FORMATS, render_audit
from fsr_opt.errors import FsrOptError, InputError
from fsr_opt.pipeline import load_inputs, run_audit, run_solve
from fsr_opt.rules import override_pairs
from fsr_opt.solve import DEFAULT_TIME_LIMIT, SOLVERS

app = typer.Typer(
    add_completion=False,
    no_args_is_help=True,
    help="Riparto of the Fondo Sociale Regionale as an exact mixed-integer programme.",
)

T = TypeVar("T")

UnitsOption = Annotated[
    Path | None,
    typer.Option("--units", help="Units table (CSV or XLSX); default: the bundled example."),
]
RulesOption = Annotated[
    Path | None,
    typer.Option("--rules", help="Rule-set file (YAML/TOML); default: the bundled 2025 rules."),
]
BudgetOption = Annotated[
    str | None, typer.Option("--budget", help="Override the fund, in euros (e.g. 850000).")
]
ShareOption = Annotated[
    list[str] | None,
    typer.Option("--share", help="Override an area share, AREA=PERCENT (repeatable)."),
]
MinAwardOption = Annotated[
    str | None, typer.Option("--min-award", help="Override the minimum award, in euros.")
]
SetOption = Annotated[
    list[str] | None,
    typer.Option("--set", help="Override any rule-set parameter, KEY=VALUE (repeatable)."),
]


def _fail(exc: FsrOptError) -> typer.Exit:
    typer.echo(exc.render(), err=True)
    return typer.Exit(exc.exit_code)


def _guarded(action: Callable[[], T]) -> T:
    """Run `action`, turning every failure into a message and the contract's exit code."""
    try:
        return action()
    except typer.Exit:
        raise
    except FsrOptError as exc:
        raise _fail(exc) from None
    except KeyboardInterrupt:
        typer.echo("interrupted: no output was written", err=True)
        raise typer.Exit(130) from None
    except Exception as exc:
        logging.getLogger(__name__).debug("internal error", exc_info=True)
        typer.echo(f"internal error: {type(exc).__name__}: {exc} (please report it; "
                   "run with --verbose for details)", err=True)
        raise typer.Exit(3) from None


def _euros(text: str | None, option: str) -> str | None:
    if text is None:
        return None
    try:
        Decimal(text)
    except InvalidOperation:
        raise _fail(
            InputError(f"{option} '{text}' is not an amount in euros (e.g. 850000.00)")
        ) from None
    return text


def _overrides(
    budget: str | None, share: list[str] | None, min_award: str | None, sets: list[str] | None
) -> list[tuple[str, str]]:
    return _guarded(lambda: override_pairs(
        _euros(budget, "--budget"), share or [], _euros(min_award, "--min-award"), sets or []
    ))


@app.callback()
def main_options(
    verbose: Annotated[bool, typer.Option("--verbose", "-v", help="Log progress.")] = False,
) -> None:
    """Riparto of the Lombardy Fondo Sociale Regionale (FSR) among an Ambito's units."""
    logging.basicConfig(
        level=logging.DEBUG if verbose else logging.WARNING,
        format="%(levelname)s %(name)s: %(message)s",
        stream=sys.stderr,
    )


@app.command()
def solve(
    units: UnitsOption = None,
    rules: RulesOption = None,
    out: Annotated[Path, typer.Option("--out", help="Output folder.")] = Path("out"),
    budget: BudgetOption = None,
    share: ShareOption = None,
    min_award: MinAwardOption = None,
    set_: SetOption = None,
    solver: Annotated[
        str, typer.Option("--solver", help=f"MILP solver: {' or '.join(SOLVERS)}.")
    ] = "cbc",
    time_limit: Annotated[
        float, typer.Option("--time-limit", help="Seconds before giving up (exit 3).")
    ] = DEFAULT_TIME_LIMIT,
    quiet: Annotated[bool, typer.Option("--quiet", "-q", help="Print only the paths.")] = False,
) -> None:
    """Compute the riparto and write allocation.csv, summary.csv, payments.csv, run.json."""
    overrides = _overrides(budget, share, min_award, set_)
    inputs = _guarded(lambda: load_inputs(units, rules, overrides))
    run = _guarded(lambda: run_solve(inputs, out, solver=solver, time_limit=time_limit))
    if not quiet:
        typer.echo(run.summary)
        typer.echo("")
        typer.echo(f"solved with {run.result.solver} {run.result.solver_version} in "
                   f"{run.result.seconds:.2f}s; outputs in {out}/:")
    for path in run.written:
        typer.echo(f"  {path}")


@app.command()
def audit(
    allocation: Annotated[
        Path,
        typer.Option("--allocation", help="Allocation to check (CSV or XLSX): ours, or an "
                     "Excel riparto with at least unit_id and award columns."),
    ],
    units: UnitsOption = None,
    rules: RulesOption = None,
    fmt: Annotated[
        str, typer.Option("--format", help=f"Report format: {', '.join(FORMATS)}.")
    ] = "text",
    budget: BudgetOption = None,
    share: ShareOption = None,
    min_award: MinAwardOption = None,
    set_: SetOption = None,
) -> None:
    """Re-check an allocation against every rule, to the cent, without the solver.

    Exit 0 when every check holds, 1 when any fails, 2 on bad input.
    """
    if fmt not in FORMATS:
        raise _fail(InputError(f"--format '{fmt}' is not a report format; use one of "
                               f"{', '.join(FORMATS)}"))
    overrides = _overrides(budget, share, min_award, set_)
    inputs = _guarded(lambda: load_inputs(units, rules, overrides))
    run = _guarded(lambda: run_audit(inputs, allocation))
    typer.echo(render_audit(run.report, fmt), nl=False)
    if not run.report.is_ok:
        raise typer.Exit(1)


@app.command()
def validate(
    units: UnitsOption = None,
    rules: RulesOption = None,
    budget: BudgetOption = None,
    share: ShareOption = None,
    min_award: MinAwardOption = None,
    set_: SetOption = None,
) -> None:
    """Check the units table and the rule set without solving; report every problem."""
    overrides = _overrides(budget, share, min_award, set_)
    inputs = _guarded(lambda: load_inputs(units, rules, overrides))
    eligible = sum(1 for item in inputs.assessments if item.eligible)
    typer.echo(
        f"{inputs.table.source}: {len(inputs.assessments)} units, {eligible} eligible; "
        f"rule set {inputs.rules.rule_set_id} v{inputs.rules.version} ({inputs.rules.source}): "
        "valid"
    )


@app.command()
def version() -> None:
    """Print the version."""
    typer.echo(f"fsr-opt {__version__}")


def main() -> None:
    """Console-script entry point."""
    app(prog_name="fsr-opt")
