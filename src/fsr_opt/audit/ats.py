"""The audit of the ATS level: a split and a transfer table, ours or made by hand.

Like the riparto's audit it imports no solver and nothing of the engine: it redoes the
arithmetic it checks (the indicator quotas, the floors, the largest remainder) with its own
code, so that a mistake in `engine.ats_split` or `engine.ats_rebalance` cannot hide itself.
Each check has a code (docs/ats.md, "The audit"), and the words of each are in the
catalogue (``ats.check.CODE``). A finding names the Ambito (or the transfer) and says what is
off in cents.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from fractions import Fraction

from fsr_opt.core.ats import AmbitoIndicators, AmbitoReport, AtsRules, Transfer
from fsr_opt.core.i18n import _, translate
from fsr_opt.core.money import largest_remainder, round_half_up
from fsr_opt.core.words import money, phrases, text

SPLIT_CHECKS = ("SPLIT_TOTAL", "SPLIT_SET_ASIDE", "SPLIT_AMOUNT", "SPLIT_FLOOR")
TRANSFER_CHECKS = ("TRANSFER_MINIMUM", "TRANSFER_COUNT", "TRANSFER_PAIR", "TRANSFER_COMMITTED",
                   "TRANSFER_SURPLUS", "TRANSFER_NEED", "TRANSFER_IMPROVABLE")


@dataclass(frozen=True)
class Finding:
    """One violation: the check, what it is about, and what is off."""

    code: str
    subject: str
    message: str


@dataclass(frozen=True)
class AtsAudit:
    """The checks run and what they found (empty: every rule holds)."""

    checks: tuple[str, ...]
    findings: tuple[Finding, ...]

    @property
    def is_ok(self) -> bool:
        """True when no check found anything."""
        return not self.findings


@dataclass(frozen=True)
class SplitAmount:
    """An Ambito's amounts in a split as written: the total, and its parts if given."""

    ambito: str
    total: int
    main: int | None = None
    set_aside: int | None = None


def _named(rules: AtsRules, code: str) -> str:
    """An Ambito as a finding names it: its name, and its code (the files' key) in brackets."""
    name = rules.ambiti.get(code, code)
    return f"{name} ({code})" if name != code else code


def _set_aside(rules: AtsRules, fund: int) -> int:
    """The set-aside in cents: the fund's percent, rounded half up."""
    return round_half_up(Fraction(fund) * rules.set_aside_percent / 100)


def _no_split(
    rules: AtsRules, indicators: Sequence[AmbitoIndicators], fund: int
) -> list[Finding]:
    """Why no split at all can follow the rules: then there are no amounts to compare with.

    An indicator that weighs but is 0 for every Ambito (its part, if any, has nothing to
    follow), floors that need more than the indicators split, a set-aside whose indicator is
    0 for every Ambito: the engine refuses each (``ATS_ZERO_INDICATOR``, ``ATS_FLOORS_ABOVE_FUND``),
    and a split made by hand for such rules is wrong whatever its figures.
    """
    set_aside = _set_aside(rules, fund)
    main = fund - set_aside
    rows = {row.ambito: row.values for row in indicators}
    codes = [code for code in rules.ambiti if code in rows]
    findings = [
        Finding("SPLIT_AMOUNT", indicator.label, _(
            "the indicator '{indicator}' weighs {weight}% but is 0 for every Ambito: no split "
            "can give that part in proportion to it").format(
                indicator=indicator.label, weight=indicator.weight))
        for indicator in rules.indicators
        if indicator.weight and main and not any(rows[c][indicator.code] for c in codes)]
    if rules.floor * len(codes) > main:
        findings.append(Finding("SPLIT_FLOOR", text("word.TOTAL"), _(
            "{count} Ambiti at the floor of {floor} EUR need {needed} EUR, more than the "
            "{main} EUR the indicators split: no split can respect the floor").format(
                count=len(codes), floor=money(rules.floor),
                needed=money(rules.floor * len(codes)), main=money(main))))
    if set_aside and not any(rows[c][rules.set_aside_indicator] for c in codes):
        findings.append(Finding("SPLIT_SET_ASIDE", rules.set_aside_label, _(
            "the indicator '{indicator}' of the set-aside is 0 for every Ambito: no split can "
            "give the set-aside in proportion to it").format(
                indicator=rules.set_aside_indicator_label)))
    return findings


def _expected_split(
    rules: AtsRules, indicators: Sequence[AmbitoIndicators], fund: int
) -> tuple[int, dict[str, int], dict[str, int]]:
    """The split recomputed here: (set-aside, main part per Ambito, set-aside per Ambito)."""
    set_aside = _set_aside(rules, fund)
    main = fund - set_aside
    rows = {row.ambito: row.values for row in indicators}
    codes = [code for code in rules.ambiti if code in rows]
    share = dict.fromkeys(codes, Fraction(0))
    for indicator in rules.indicators:
        total = sum((rows[c][indicator.code] for c in codes), Fraction(0))
        if indicator.weight and total:
            for code in codes:
                share[code] += indicator.weight / 100 * rows[code][indicator.code] / total
    raised: set[str] = set()
    quota: dict[str, Fraction] = {}
    for _round in range(len(codes) + 1):  # raise those below the floor until none is
        rest = main - rules.floor * len(raised)
        weight = sum((share[c] for c in codes if c not in raised), Fraction(0))
        quota = {c: Fraction(rules.floor) if c in raised else
                 (rest * share[c] / weight if weight else Fraction(0)) for c in codes}
        below = {c for c in codes if c not in raised and quota[c] < rules.floor}
        if not below:
            break
        raised |= below
    main_cents = largest_remainder(main, [(c, quota[c]) for c in codes])
    desks = {c: rows[c][rules.set_aside_indicator] for c in codes}
    desks_total = sum(desks.values(), Fraction(0))
    aside = largest_remainder(set_aside, [
        (c, set_aside * desks[c] / desks_total if desks_total else Fraction(0)) for c in codes])
    return set_aside, main_cents, aside


def audit_split(
    rules: AtsRules, indicators: Sequence[AmbitoIndicators], amounts: Sequence[SplitAmount],
    *, fund: int | None = None, lang: str = "it",
) -> AtsAudit:
    """Check a split against the rule set and the indicators, to the cent.

    Args:
        rules: the ATS rule set.
        indicators: the indicators the split should follow.
        amounts: the split as written, one per Ambito.
        fund: the fund split, if not the rule set's.
        lang: the language of the findings.
    """
    del lang  # the findings follow the language of the run (`_`), as every message does
    fund = rules.fund if fund is None else fund
    findings: list[Finding] = []
    total = sum(a.total for a in amounts)
    if total != fund:
        findings.append(Finding("SPLIT_TOTAL", text("word.TOTAL"), _(
            "the amounts add up to {total} EUR, the fund is {fund} EUR ({difference})").format(
                total=money(total), fund=money(fund),
                difference=money(total - fund))))
    impossible = _no_split(rules, indicators, fund)
    set_aside, main, aside = (
        (_set_aside(rules, fund), {}, {}) if impossible
        else _expected_split(rules, indicators, fund))
    if rules.set_aside_percent > rules.set_aside_max:
        findings.append(Finding("SPLIT_SET_ASIDE", rules.set_aside_label,
                                _("the set-aside percent is above its maximum")))
    given_aside = [a.set_aside for a in amounts]
    if None not in given_aside and sum(x or 0 for x in given_aside) != set_aside:
        findings.append(Finding(
            "SPLIT_SET_ASIDE", rules.set_aside_label,
            _("the set-aside parts add up to {total} EUR, not {expected} EUR").format(
                total=money(sum(x or 0 for x in given_aside)),
                expected=money(set_aside))))
    findings += impossible  # then no Ambito has an amount the rules give (`main` is empty)
    for amount in amounts:
        code = amount.ambito
        if code not in main:
            continue
        expected = main[code] + aside[code]
        if amount.total != expected:
            findings.append(Finding("SPLIT_AMOUNT", _named(rules, code), _(
                "{amount} EUR, the rules give {expected} EUR ({difference})").format(
                    amount=money(amount.total), expected=money(expected),
                    difference=money(amount.total - expected))))
        elif amount.main is not None and amount.main != main[code]:
            findings.append(Finding("SPLIT_AMOUNT", _named(rules, code), _(
                "indicator part {amount} EUR, the rules give {expected} EUR").format(
                    amount=money(amount.main), expected=money(main[code]))))
        own_main = amount.main if amount.main is not None else amount.total - aside[code]
        if own_main < rules.floor:
            findings.append(Finding("SPLIT_FLOOR", _named(rules, code), _(
                "{amount} EUR from the indicators, below the floor {floor} EUR").format(
                    amount=money(own_main), floor=money(rules.floor))))
    return AtsAudit(SPLIT_CHECKS, tuple(findings))


def audit_transfers(
    rules: AtsRules, reports: Sequence[AmbitoReport], transfers: Sequence[Transfer],
) -> AtsAudit:
    """Check a transfer table against the reports and the rule set's limits.

    Recomputes each Ambito's surplus (residual beyond its own unmet demand) and need (unmet
    demand beyond its own residual) from its report, then checks every transfer and every
    Ambito's end amount; and certifies that no transfer is left undone while one could still
    be made (a surplus and a need of at least the minimum, and a transfer to spare).
    """
    by_code: Mapping[str, AmbitoReport] = {r.ambito: r for r in reports}
    findings: list[Finding] = []
    surplus, need = {}, {}
    for r in reports:
        residual = r.assigned - r.committed
        surplus[r.ambito] = max(0, residual - r.unmet_amount)
        need[r.ambito] = max(0, r.unmet_amount - max(0, residual))
    given: Counter[str] = Counter()
    received: Counter[str] = Counter()
    pairs: Counter[tuple[str, str]] = Counter()
    for t in transfers:
        subject = f"{_named(rules, t.donor)} → {_named(rules, t.receiver)}"
        pairs[(t.donor, t.receiver)] += 1
        if t.amount < max(rules.minimum_transfer, 1):
            findings.append(Finding("TRANSFER_MINIMUM", subject, _(
                "{amount} EUR, below the minimum {minimum} EUR").format(
                    amount=money(t.amount),
                    minimum=money(rules.minimum_transfer))))
        if t.donor == t.receiver:
            findings.append(Finding("TRANSFER_PAIR", subject, _("an Ambito gives to itself")))
        given[t.donor] += t.amount
        received[t.receiver] += t.amount
    for (donor, receiver), count in sorted(pairs.items()):
        if count > 1:
            findings.append(Finding("TRANSFER_PAIR",
                                    f"{_named(rules, donor)} → {_named(rules, receiver)}",
                                    _("{count} transfers for one pair; make them "
                                      "one").format(count=count)))
    for code in sorted(set(given) & set(received)):
        findings.append(Finding("TRANSFER_PAIR", _named(rules, code),
                                _("this Ambito both gives and receives")))
    if len(transfers) > rules.max_transfers:
        findings.append(Finding("TRANSFER_COUNT", text("word.TOTAL"), _(
            "{count} transfers, the limit is {limit}").format(
                count=len(transfers), limit=rules.max_transfers)))
    for code, report in by_code.items():
        final = report.assigned - given[code] + received[code]
        if given[code] and final < report.committed:
            findings.append(Finding("TRANSFER_COMMITTED", _named(rules, code), _(
                "ends at {amount} EUR, below its commitments {committed} EUR").format(
                    amount=money(final), committed=money(report.committed))))
        if given[code] > surplus[code]:
            findings.append(Finding("TRANSFER_SURPLUS", _named(rules, code), _(
                "gives {amount} EUR, its surplus is {surplus} EUR").format(
                    amount=money(given[code]), surplus=money(surplus[code]))))
        if received[code] > need[code]:
            findings.append(Finding("TRANSFER_NEED", _named(rules, code), _(
                "receives {amount} EUR, its need is {need} EUR").format(
                    amount=money(received[code]), need=money(need[code]))))
    floor = max(rules.minimum_transfer, 1)
    spare = [c for c in by_code if surplus[c] - given[c] >= floor and not received[c]]
    short = [c for c in by_code if need[c] - received[c] >= floor and not given[c]]
    if not findings and spare and short and len(transfers) < rules.max_transfers:
        findings.append(Finding(
            "TRANSFER_IMPROVABLE", f"{_named(rules, spare[0])} → {_named(rules, short[0])}",
            _("{unused} EUR still unused and {uncovered} EUR of need uncovered, with {spare} "
              "transfers to spare").format(
                  unused=money(surplus[spare[0]] - given[spare[0]]),
                  uncovered=money(need[short[0]] - received[short[0]]),
                  spare=rules.max_transfers - len(transfers))))
    return AtsAudit(TRANSFER_CHECKS, tuple(findings))


def render_audit(audit: AtsAudit, lang: str = "it") -> str:
    """The audit as text: the verdict, then each rule and the findings under the one broken.

    Each rule's line as in the riparto's audit (`fsr_opt.audit.render`): the verdict's word
    (``OK``/``VIOLATA``, ``PASS``/``FAIL``), the code, the rule in words.
    """
    w = phrases("ats", lang)
    if audit.is_ok:
        lines = [w("audit_ok").format(count=len(audit.checks))]
    else:
        lines = [w("audit_failed").format(count=len(audit.findings))]
    passed, failed = translate("PASS", lang), translate("FAIL", lang)
    status_width = max(len(passed), len(failed))
    width = max((len(code) for code in audit.checks), default=0)
    for code in audit.checks:
        found = [f for f in audit.findings if f.code == code]
        status = failed if found else passed
        lines.append(f"{status:<{status_width}}  {code:<{width}}  {w(f'check.{code}')}")
        lines.extend(f"      - {f.subject}: {f.message}" for f in found)
    return "\n".join(lines) + "\n"
