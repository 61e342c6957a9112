"""The ATS audit's own arithmetic and words: each finding whole, worked out by hand.

The ATS audit's passes over our results and the bundled example are in tests/ats/test_audit.py;
here tiny rule sets put each check on its limits.
"""

from __future__ import annotations

from dataclasses import replace
from fractions import Fraction

from fsr_opt.audit.ats import (
    SPLIT_CHECKS,
    TRANSFER_CHECKS,
    AtsAudit,
    Finding,
    SplitAmount,
    audit_split,
    audit_transfers,
    render_audit,
)
from fsr_opt.core.ats import Transfer

from tests.ats.helpers import bundled_rules, indicators, report, tiny_rules

# Shares 0.1, 0.25, 0.65 by both indicators; the set-aside (10%) by desks 1 : 1 : 2, D none.
RULES = tiny_rules(["A", "B", "C", "D"], floor=22_000_00)
ROWS = indicators({"A": (10, 10, 1), "B": (25, 25, 1), "C": (65, 65, 2), "D": (0, 0, 0)})


# the set-aside and its indicator, as the findings name them: by their labels
ASIDE = bundled_rules().set_aside_label
ASIDE_INDICATOR = bundled_rules().set_aside_indicator_label


def _found(audit: AtsAudit) -> list[tuple[str, str, str]]:
    return [(f.code, f.subject, f.message) for f in audit.findings]


def test_a_split_raises_each_ambito_below_the_floor_round_by_round() -> None:
    # Main part 90,000 EUR: A's 9,000 and D's 0 (no share) are below the floor of 22,000, so
    # both get 22,000 and the other 46,000 go by the shares; B's 46,000 x 0.25 / 0.9 =
    # 12,777.78 is now below the floor too: B gets 22,000, and C the 24,000 left.
    # Set-aside 10,000 by desks: 2,500, 2,500, 5,000, 0.
    amounts = [SplitAmount("A", 24_500_00, 22_000_00, 2_500_00),
               SplitAmount("B", 24_500_00, 22_000_00, 2_500_00),
               SplitAmount("C", 29_000_00, 24_000_00, 5_000_00),
               SplitAmount("D", 22_000_00, 22_000_00, 0)]
    assert audit_split(RULES, ROWS, amounts).is_ok
    # On the floor is not below it.
    assert audit_split(replace(RULES, floor=9_000_00), ROWS[:3], [
        SplitAmount("A", 11_500_00, 9_000_00, 2_500_00),
        SplitAmount("B", 25_000_00, 22_500_00, 2_500_00),
        SplitAmount("C", 63_500_00, 58_500_00, 5_000_00)]).is_ok


def test_the_floor_is_applied_until_no_ambito_is_below_it() -> None:
    # Three Ambiti: A raised, then B, then C keeps the 46,000 left: three rounds.
    assert audit_split(RULES, ROWS[:3], [
        SplitAmount("A", 24_500_00, 22_000_00, 2_500_00),
        SplitAmount("B", 24_500_00, 22_000_00, 2_500_00),
        SplitAmount("C", 51_000_00, 46_000_00, 5_000_00)]).is_ok


def test_a_fund_of_zero_is_split_into_zeros_whatever_the_indicators() -> None:
    # Every indicator and the desks 0: no share, no set-aside share, and nothing to split.
    rules = tiny_rules(["A", "B"], fund=0)
    rows = indicators({"A": (0, 0, 0), "B": (0, 0, 0)})
    assert audit_split(rules, rows, [SplitAmount("A", 0, 0, 0), SplitAmount("B", 0, 0, 0)]).is_ok


def test_a_set_aside_of_zero_needs_no_desks() -> None:
    rules = tiny_rules(["A", "B"], set_aside=0)
    rows = indicators({"A": (10, 10, 0), "B": (30, 30, 0)})
    assert audit_split(rules, rows, [SplitAmount("A", 25_000_00, 25_000_00, 0),
                                     SplitAmount("B", 75_000_00, 75_000_00, 0)]).is_ok


def test_an_indicator_that_weighs_but_is_0_everywhere_leaves_no_split_to_follow() -> None:
    # No one has admitted applications: the engine refuses the rules (ATS_ZERO_INDICATOR), so
    # no split is right, whatever its figures; the amounts are compared with nothing.
    rows = indicators({"A": (10, 0, 1), "B": (30, 0, 1)})
    rules = tiny_rules(["A", "B"])
    audit = audit_split(rules, rows, [SplitAmount("A", 27_500_00), SplitAmount("B", 72_500_00)])
    assert _found(audit) == [(
        "SPLIT_AMOUNT", "apps",  # the indicator by its label
        "the indicator 'apps' weighs 70% but is 0 for every Ambito: no split "
        "can give that part in proportion to it")]
    # weighing nothing, it is no matter: the population splits the 90,000 EUR as 1 : 3, the
    # desks the 10,000 of the set-aside as 1 : 1
    population, applications = rules.indicators
    by_population = replace(rules, indicators=(replace(population, weight=Fraction(100)),
                                               replace(applications, weight=Fraction(0))))
    assert audit_split(by_population, rows, [SplitAmount("A", 27_500_00),
                                             SplitAmount("B", 72_500_00)]).is_ok


def test_floors_above_what_the_indicators_split_leave_no_split_to_follow() -> None:
    # Main part 90,000 EUR; two Ambiti at a floor of 45,000.01 need 90,000.02: the engine
    # refuses (ATS_FLOORS_ABOVE_FUND); the audit says why instead of failing.
    rules = tiny_rules(["A", "B"], floor=45_000_01)
    rows = indicators({"A": (10, 10, 1), "B": (30, 30, 1)})
    audit = audit_split(rules, rows, [SplitAmount("A", 50_000_00), SplitAmount("B", 50_000_00)])
    assert _found(audit) == [(
        "SPLIT_FLOOR", "TOTAL",
        "2 Ambiti at the floor of 45,000.01 EUR need 90,000.02 EUR, more than the 90,000.00 EUR "
        "the indicators split: no split can respect the floor")]
    # floors that take the whole main part exactly: a split to follow
    assert audit_split(replace(rules, floor=45_000_00), rows, [
        SplitAmount("A", 50_000_00, 45_000_00, 5_000_00),
        SplitAmount("B", 50_000_00, 45_000_00, 5_000_00)]).is_ok


def test_a_set_aside_whose_indicator_is_0_everywhere_leaves_no_split_to_follow() -> None:
    rows = indicators({"A": (10, 10, 0), "B": (30, 30, 0)})
    audit = audit_split(tiny_rules(["A", "B"]), rows, [SplitAmount("A", 27_500_00),
                                                       SplitAmount("B", 72_500_00)])
    assert _found(audit) == [(
        "SPLIT_SET_ASIDE", ASIDE,
        f"the indicator '{ASIDE_INDICATOR}' of the set-aside is 0 for every Ambito: no split "
        "can give the set-aside in proportion to it")]


def test_every_split_finding_whole() -> None:
    amounts = [SplitAmount("ZZ", 0, 0, 0),  # no Ambito of the rules: not checked, not a stop
               SplitAmount("A", 24_500_01, 22_000_01, 2_500_00),  # one cent more, in the main
               SplitAmount("B", 24_500_00, 22_000_01, 2_499_99),  # the right total, split wrong
               SplitAmount("C", 29_000_00, 24_000_00, 5_000_00),
               SplitAmount("D", 0, 0, 0)]  # nothing: below the floor
    audit = audit_split(replace(RULES, set_aside_percent=Fraction(11)), ROWS, amounts,
                        fund=100_000_00)
    assert audit.checks == SPLIT_CHECKS
    # An 11% set-aside: 11,000 EUR, and 89,000 for the main part; the floors as above give
    # C 89,000 - 66,000 = 23,000; desks split 11,000 as 2,750, 2,750, 5,500.
    assert _found(audit) == [
        ("SPLIT_TOTAL", "TOTAL", "the amounts add up to 78,000.01 EUR, the fund is 100,000.00 "
                                 "EUR (-21,999.99)"),
        ("SPLIT_SET_ASIDE", ASIDE, "the set-aside percent is above its maximum"),
        ("SPLIT_SET_ASIDE", ASIDE, "the set-aside parts add up to 9,999.99 EUR, not "
                                         "11,000.00 EUR"),
        ("SPLIT_AMOUNT", "A", "24,500.01 EUR, the rules give 24,750.00 EUR (-249.99)"),
        ("SPLIT_AMOUNT", "B", "24,500.00 EUR, the rules give 24,750.00 EUR (-250.00)"),
        ("SPLIT_AMOUNT", "C", "29,000.00 EUR, the rules give 28,500.00 EUR (500.00)"),
        ("SPLIT_AMOUNT", "D", "0.00 EUR, the rules give 22,000.00 EUR (-22,000.00)"),
        ("SPLIT_FLOOR", "D", "0.00 EUR from the indicators, below the floor 22,000.00 EUR")]


def test_a_wrong_indicator_part_and_a_floor_read_from_the_total() -> None:
    amounts = [SplitAmount("A", 24_500_00, 22_000_01, 2_500_00),  # the total right
               SplitAmount("B", 24_500_00, 22_000_00, 2_500_00),
               SplitAmount("C", 29_000_00, 24_000_00, 5_000_00),
               SplitAmount("D", 22_000_00)]  # no parts: the main part is the total less 0
    assert _found(audit_split(RULES, ROWS, amounts)) == [
        ("SPLIT_AMOUNT", "A", "indicator part 22,000.01 EUR, the rules give 22,000.00 EUR")]
    # Without parts, the indicators' part is the total less the recomputed set-aside.
    low = replace(RULES, floor=24_000_01)
    found = _found(audit_split(low, ROWS[:3], [SplitAmount("C", 29_000_00)]))
    assert ("SPLIT_FLOOR", "C", "24,000.00 EUR from the indicators, below the floor "
                                "24,000.01 EUR") in found


# Surplus: A 4,000 (10,000 assigned, 6,000 committed), C 500 (1,000 residual, 500 unmet).
# Need: B 3,000 (nothing left), D 2,000 (committed 1,000 beyond what it was assigned).
REPORTS = [report("A", 10_000_00, 6_000_00, 0), report("B", 10_000_00, 10_000_00, 3_000_00),
           report("C", 10_000_00, 9_000_00, 500_00), report("D", 10_000_00, 11_000_00, 2_000_00)]


def test_every_transfer_finding_whole() -> None:
    rules = tiny_rules(["A", "B", "C", "D"], minimum=100_00, max_transfers=3)
    transfers = [Transfer("A", "B", 3_000_00), Transfer("A", "D", 1_450_00),
                 Transfer("A", "B", 50_00), Transfer("C", "C", 100_00),
                 Transfer("B", "D", 100_00)]
    audit = audit_transfers(rules, REPORTS, transfers)
    assert audit.checks == TRANSFER_CHECKS
    assert _found(audit) == [
        ("TRANSFER_MINIMUM", "A → B", "50.00 EUR, below the minimum 100.00 EUR"),
        ("TRANSFER_PAIR", "C → C", "an Ambito gives to itself"),
        ("TRANSFER_PAIR", "A → B", "2 transfers for one pair; make them one"),
        ("TRANSFER_PAIR", "B", "this Ambito both gives and receives"),
        ("TRANSFER_PAIR", "C", "this Ambito both gives and receives"),
        ("TRANSFER_COUNT", "TOTAL", "5 transfers, the limit is 3"),
        # A gives 4,500: it ends at 5,500, below its 6,000 committed.
        ("TRANSFER_COMMITTED", "A", "ends at 5,500.00 EUR, below its commitments 6,000.00 EUR"),
        ("TRANSFER_SURPLUS", "A", "gives 4,500.00 EUR, its surplus is 4,000.00 EUR"),
        # B receives 3,050 and gives 100: it ends at 12,950, above its commitments.
        ("TRANSFER_SURPLUS", "B", "gives 100.00 EUR, its surplus is 0.00 EUR"),
        ("TRANSFER_NEED", "B", "receives 3,050.00 EUR, its need is 3,000.00 EUR"),
        ("TRANSFER_NEED", "C", "receives 100.00 EUR, its need is 0.00 EUR")]


def test_transfers_on_each_limit_pass() -> None:
    # A gives its whole surplus, ending on its commitments... and B receives its whole need;
    # C gives 500 (its surplus) to D, exactly the minimum; 3 transfers of 3.
    rules = tiny_rules(["A", "B", "C", "D"], minimum=500_00, max_transfers=3)
    exact = [Transfer("A", "B", 3_000_00), Transfer("A", "D", 1_000_00),
             Transfer("C", "D", 500_00)]
    assert audit_transfers(rules, REPORTS, exact).is_ok
    # A gives 4,000 and ends at 6,000 = committed; a larger surplus would end below it.
    committed = [report("A", 10_000_00, 6_000_00, 0), report("B", 0, 0, 4_000_00)]
    assert audit_transfers(rules, committed, [Transfer("A", "B", 4_000_00)]).is_ok
    # A minimum of 0 still asks for one cent.
    free = tiny_rules(["A", "B"], minimum=0)
    assert [code for code, _, _ in _found(audit_transfers(free, committed, [
        Transfer("A", "B", 1)]))] == ["TRANSFER_IMPROVABLE"]
    assert _found(audit_transfers(free, committed, [Transfer("A", "B", 0)]))[0] == (
        "TRANSFER_MINIMUM", "A → B", "0.00 EUR, below the minimum 0.00 EUR")


def test_a_transfer_left_undone_is_named_with_the_first_ambiti_that_could_make_it() -> None:
    rules = tiny_rules(["A", "B", "C", "D"], minimum=100_00, max_transfers=3)
    # After A -> B 3,000, A still has 1,000 and C 500; D still needs 2,000.
    assert _found(audit_transfers(rules, REPORTS, [Transfer("A", "B", 3_000_00)])) == [
        ("TRANSFER_IMPROVABLE", "A → D",
         "1,000.00 EUR still unused and 2,000.00 EUR of need uncovered, with 2 transfers to "
         "spare")]
    # What is left below the minimum, or no transfer to spare, leaves nothing to do.
    tight = replace(rules, minimum_transfer=1_000_01)
    assert audit_transfers(tight, REPORTS, [Transfer("A", "B", 3_000_00)]).is_ok
    assert audit_transfers(replace(rules, max_transfers=1), REPORTS,
                           [Transfer("A", "B", 3_000_00)]).is_ok
    # What is uncovered is the need less what was received already.
    assert _found(audit_transfers(rules, REPORTS, [Transfer("A", "B", 1_000_00)])) == [
        ("TRANSFER_IMPROVABLE", "A → B",
         "3,000.00 EUR still unused and 2,000.00 EUR of need uncovered, with 2 transfers to "
         "spare")]
    # A need left of exactly the minimum can still be met; a surplus of one cent, with a
    # minimum of 0, can still be given.
    assert _found(audit_transfers(replace(rules, minimum_transfer=2_000_00), REPORTS,
                                  [Transfer("A", "B", 2_000_00)]))[0][1] == "A → D"
    cent = [report("A", 10_000_00, 9_999_99, 0), report("B", 0, 0, 4_000_00)]
    assert _found(audit_transfers(replace(rules, minimum_transfer=0), cent, [])) == [
        ("TRANSFER_IMPROVABLE", "A → B",
         "0.01 EUR still unused and 4,000.00 EUR of need uncovered, with 3 transfers to spare")]
    # A surplus left of exactly the minimum can still be given.
    assert _found(audit_transfers(replace(rules, minimum_transfer=1_000_00), REPORTS,
                                  [Transfer("A", "B", 3_000_00)]))[0][1] == "A → D"


def test_the_audit_as_text() -> None:
    ok = AtsAudit(("SPLIT_TOTAL", "SPLIT_FLOOR"), ())
    assert render_audit(ok, "en") == (
        "Audit: all 2 rules hold.\n"
        "PASS  SPLIT_TOTAL  the split's amounts add up to the fund, to the cent\n"
        "PASS  SPLIT_FLOOR  no Ambito receives less than the floor\n")
    failed = AtsAudit(("SPLIT_TOTAL", "SPLIT_FLOOR"),
                      (Finding("SPLIT_FLOOR", "A", "one"), Finding("SPLIT_FLOOR", "B", "two")))
    assert render_audit(failed, "en") == (
        "Audit: violations found: 2.\n"
        "PASS  SPLIT_TOTAL  the split's amounts add up to the fund, to the cent\n"
        "FAIL  SPLIT_FLOOR  no Ambito receives less than the floor\n"
        "      - A: one\n"
        "      - B: two\n")


def test_the_audit_as_text_in_the_language_asked() -> None:
    ok = AtsAudit(("SPLIT_TOTAL",), ())
    assert render_audit(ok, "it") == (
        "Verifica: tutte le 1 regole sono rispettate.\n"
        "OK       SPLIT_TOTAL  gli importi del riparto sommano al fondo, al centesimo\n")
