"""An error crosses a process boundary whole: a worker's failure reaches the parent as raised."""

from __future__ import annotations

import pickle

import pytest

from fsr_opt.core.errors import (
    ErrorCode,
    FsrOptError,
    InfeasibleError,
    InputError,
    Problem,
    RuleSetError,
    SolverError,
)


@pytest.mark.parametrize("kind", [InputError, RuleSetError, InfeasibleError, SolverError])
def test_an_error_unpickles_with_its_class_problems_and_message(kind: type[FsrOptError]) -> None:
    error = kind([Problem("the cell is empty", file="units.csv", row=7, column="Utenti",
                          code=ErrorCode.EMPTY_VALUE),
                  Problem("no such unit", code=ErrorCode.UNKNOWN_UNIT)])
    again = pickle.loads(pickle.dumps(error))
    assert type(again) is kind
    assert again.problems == error.problems
    assert str(again) == str(error)
    assert again.codes == (ErrorCode.EMPTY_VALUE, ErrorCode.UNKNOWN_UNIT)


def test_an_error_made_from_one_message_unpickles() -> None:
    error = SolverError("the solver stopped", ErrorCode.NOT_OPTIMAL)
    again = pickle.loads(pickle.dumps(error))
    assert str(again) == str(error) and again.codes == (ErrorCode.NOT_OPTIMAL,)
