"""The ATS split: the bundled case by hand, floors, errors all at once, and its properties."""

from __future__ import annotations

import random
from fractions import Fraction
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from fsr_opt.audit.ats import SplitAmount, audit_split
from fsr_opt.core.errors import ErrorCode, InfeasibleError, InputError
from fsr_opt.engine.ats_split import floored_quotas, split_fund
from fsr_opt.io.ats import default_ats_example, load_indicators

from .helpers import bundled_rules, indicators, tiny_rules


def test_the_bundled_split_by_hand() -> None:
    rules = bundled_rules()
    split = split_fund(rules, load_indicators(default_ats_example("indicators.csv"), rules))
    assert split.fund == 330_774_00
    assert split.set_aside == 33_077_40  # 10% of 330,774.00, exact
    assert split.main == 297_696_60
    assert sum(line.total for line in split.lines) == split.fund
    assert sum(line.set_aside for line in split.lines) == split.set_aside
    by = {line.ambito: line for line in split.lines}
    # Bergamo: 0.3 * 38500/252100 + 0.7 * 98/567 of the main part
    quota = Fraction(297_696_60) * (Fraction(3, 10) * Fraction(38500, 252100)
                                    + Fraction(7, 10) * Fraction(98, 567))
    assert by["BERGAMO"].quota == quota
    assert by["BERGAMO"].main in (quota.numerator // quota.denominator,
                                  quota.numerator // quota.denominator + 1)
    # desks: 5 of 71 each for five Ambiti, quota 232939.436...; ties of equal remainders go
    # to the code that sorts first: SERIATE gets the spare cent, the others do not
    fives = sorted(a for a in by if by[a].set_aside_quota == Fraction(3_307_740 * 5, 71))
    assert fives == sorted(["SERIATE", "VALLE_CAVALLINA", "VALLE_SERIANA_SUPERIORE",
                            "VALLE_BREMBANA", "TREVIGLIO"])
    assert by["SERIATE"].set_aside == 232_940
    assert {by[a].set_aside for a in fives if a != "SERIATE"} == {232_939}


def test_a_floor_raises_the_small_and_scales_the_others() -> None:
    quotas, raised = floored_quotas(1000, {"A": Fraction(1, 100), "B": Fraction(49, 100),
                                           "C": Fraction(1, 2)}, 100)
    assert raised == {"A"}
    assert quotas == {"A": 100, "B": Fraction(900 * 49, 99), "C": Fraction(900 * 50, 99)}
    assert sum(quotas.values()) == 1000


def test_floors_above_the_fund_are_infeasible() -> None:
    rules = tiny_rules(["A", "B"], floor=60_000_00)
    with pytest.raises(InfeasibleError) as caught:
        split_fund(rules, indicators({"A": (1, 1, 1), "B": (1, 1, 1)}))
    assert caught.value.codes == (ErrorCode.ATS_FLOORS_ABOVE_FUND,)


def test_an_indicator_zero_everywhere_is_named() -> None:
    rules = tiny_rules(["A", "B"])
    with pytest.raises(InputError) as caught:
        split_fund(rules, indicators({"A": (0, 1, 1), "B": (0, 2, 1)}))
    assert caught.value.codes == (ErrorCode.ATS_ZERO_INDICATOR,)
    assert "population_65" in str(caught.value)


def test_every_problem_of_the_indicators_file_at_once(tmp_path: Path) -> None:
    path = tmp_path / "ind.csv"
    path.write_text("ambito,population_65,admitted_applications,desks\n"
                    "BERGAMO,abc,1,1\nNOWHERE,1,1,1\nbergamo,1,1,1\nDALMINE,-5,1,\n",
                    encoding="utf-8")
    with pytest.raises(InputError) as caught:
        load_indicators(path, bundled_rules())
    codes = set(caught.value.codes)
    assert {ErrorCode.NOT_A_NUMBER, ErrorCode.ATS_UNKNOWN_AMBITO, ErrorCode.DUPLICATE_ID,
            ErrorCode.NEGATIVE, ErrorCode.EMPTY_VALUE, ErrorCode.ATS_MISSING_AMBITO} <= codes
    assert "row 3" in str(caught.value) and "column 'ambito'" in str(caught.value)


codes_st = st.lists(st.sampled_from("ABCDEFGHIJKLMN"), min_size=1, max_size=8, unique=True)


@given(codes=codes_st, data=st.data())
def test_properties_of_the_split(codes: list[str], data: st.DataObject) -> None:
    fund = data.draw(st.integers(1, 10**9))
    floor = data.draw(st.integers(0, fund // (2 * len(codes))))
    rules = tiny_rules(codes, floor=floor, set_aside=data.draw(st.integers(0, 10)), fund=fund)
    rows = {c: (data.draw(st.integers(1, 10**5)), data.draw(st.integers(1, 500)),
                data.draw(st.integers(1, 20))) for c in codes}
    split = split_fund(rules, indicators(rows))
    # money conserved to the cent, every part within a cent of its quota, floors hold
    assert sum(line.total for line in split.lines) == fund
    assert all(abs(line.main - line.quota) < 1 for line in split.lines)
    assert all(line.main >= floor for line in split.lines)
    # row order never matters
    shuffled = list(indicators(rows))
    random.Random(data.draw(st.integers(0, 99))).shuffle(shuffled)
    assert split_fund(rules, shuffled) == split
    # the audit agrees with the engine
    amounts = [SplitAmount(x.ambito, x.total, x.main, x.set_aside) for x in split.lines]
    assert audit_split(rules, indicators(rows), amounts).is_ok
