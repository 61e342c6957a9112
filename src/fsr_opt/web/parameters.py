"""What a planner can change on the page, and how it becomes the command line's overrides.

The page never edits a rule set: like ``fsr-opt solve --budget ... --share ... --set ...``, it
sends `(dotted path, value)` overrides through `override_pairs`, and the pipeline applies them
to the rule-set document before validation. A scenario of the page and a command line with the
same overrides are therefore the same riparto, checked by the same rules.

Amounts are typed the Italian way (``850.000,00``) or the machine way (``850000.00``); shares
are kept at exactly 100% by `rebalance_shares`, which moves the other areas in proportion.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, fields
from decimal import Decimal
from fractions import Fraction

from fsr_opt.core.errors import ErrorCode, InputError, Problem
from fsr_opt.core.money import largest_remainder
from fsr_opt.core.schema import EligibilitySwitches, ResidualScope, RuleSet
from fsr_opt.core.words import money, percent, text
from fsr_opt.io.cells import CellProblem, Dialect, parse_decimal
from fsr_opt.rules.overrides import override_pairs

# Shares are set to the hundredth of a percent: on a fund of a million euros, 100 EUR.
SHARE_PLACES = 2
_SHARE_SCALE = 10**SHARE_PLACES
HUNDRED = Fraction(100)

ELIGIBILITY_SWITCHES: tuple[str, ...] = tuple(item.name for item in fields(EligibilitySwitches))
"""The access criteria a planner can switch off, in the rule set's order."""

# The residual phase (money an area cannot spend, criteria l.115): when a rule set has this
# parameter (the bundled one does), the page offers its scopes; a rule set without the section
# only shows the money left unassigned per area. The scopes are the rule set's
# (`fsr_opt.core.schema.ResidualScope`), each with its words `web.residual.<scope>`.
RESIDUAL_PARAMETER = "residui.scope"
RESIDUAL_SCOPES: tuple[str, ...] = tuple(scope.value for scope in ResidualScope)



@dataclass(frozen=True)
class Parameters:
    """The planner's changes to the rule set; an empty one is the baseline.

    Attributes:
        fund: the fund in euros as exact decimal text (``850000.00``), or None to keep it.
        shares: area code -> percent, all areas (totalling 100), or empty to keep them.
        minimum_award: euros as decimal text, or None to keep it.
        switches: eligibility switch name -> on/off, only those changed.
        historical: service line code -> its historical figure in euros as decimal text.
        residual_scope: one of `RESIDUAL_SCOPES`, or None to keep the rule set's.
    """

    fund: str | None = None
    shares: Mapping[str, Fraction] = field(default_factory=dict)
    minimum_award: str | None = None
    switches: Mapping[str, bool] = field(default_factory=dict)
    historical: Mapping[str, str] = field(default_factory=dict)
    residual_scope: str | None = None

    @property
    def is_baseline(self) -> bool:
        """True when nothing is changed."""
        return not (self.fund or self.shares or self.minimum_award or self.switches
                    or self.historical or self.residual_scope)


def _dialect(lang: str) -> Dialect:
    """How the page reads figures: as it shows them (``850.000,00`` in Italian).

    The Italian page shows ``.`` between thousands, so ``850.000`` there is what it shows
    for eight hundred and fifty thousand (Excel's Italian dialect); elsewhere ``850.000`` or
    ``850,000`` could be read two ways, and is refused, as on the command line.
    """
    return Dialect.ITALIAN if lang == "it" else Dialect.AUTO


def parse_euros(
    value: str, label: str, lang: str, *, approved: int | None = None, positive: bool = False
) -> str:
    """Read an amount typed by a person; return its exact decimal text (``850000.00``).

    Read by the cells' parser (`fsr_opt.io.cells`, as every amount of fsr-opt) in the page's
    dialect (`_dialect`): ``850.000,00``, ``850000,5``, ``850000.50``, ``850 000`` and
    ``€ 850.000`` are read on the Italian page; a figure that reads two ways is refused.

    Args:
        value: the text typed.
        label: the field's name on the page, for the messages.
        lang: the page's language.
        approved: the approved rules' value in cents, named when the field is left empty.
        positive: whether 0 is refused too (the fund).

    Raises:
        InputError: ``BAD_OPTION`` when the text is empty, not an amount with at most two
            decimals, negative, or 0 where `positive`; the message names the field.
    """
    if not value.strip():
        raise InputError([Problem(text("web.error.amount_empty", lang).format(
            label=label, approved=money(approved or 0, lang)), code=ErrorCode.BAD_OPTION)])
    number = parse_decimal(value, _dialect(lang), currency=True)
    if not isinstance(number, CellProblem) and number.is_signed():
        raise InputError([Problem(text("web.error.amount_negative", lang).format(
            label=label, value=value), code=ErrorCode.BAD_OPTION)])
    if isinstance(number, CellProblem) or number != number.quantize(Decimal("0.01")):
        raise InputError([Problem(text("web.error.amount", lang).format(
            label=label, value=value), code=ErrorCode.BAD_OPTION)])
    if positive and number == 0:
        raise InputError([Problem(text("web.error.amount_zero", lang).format(
            label=label), code=ErrorCode.BAD_OPTION)])
    return format(number.quantize(Decimal("0.01")), "f")


def parse_percent(value: str, label: str, lang: str) -> Fraction:
    """Read a share typed by a person (``12,5`` or ``12.5``, at most two decimals, 0 to 100).

    Raises:
        InputError: ``BAD_OPTION`` naming the field.
    """
    cleaned = value.strip().removesuffix("%").strip()
    number = parse_decimal(cleaned, _dialect(lang))
    if (isinstance(number, CellProblem) or not 0 <= number <= 100
            or number != number.quantize(Decimal(1).scaleb(-SHARE_PLACES))):
        raise InputError([Problem(text("web.error.percent", lang).format(
            label=label, value=value), code=ErrorCode.BAD_OPTION)])
    return Fraction(number)


@dataclass(frozen=True)
class ShareMove:
    """One area's share before and after a rebalance (percent, exact)."""

    area: str
    before: Fraction
    after: Fraction


def rebalance_shares(
    current: Mapping[str, Fraction], area: str, percent: Fraction
) -> tuple[dict[str, Fraction], tuple[ShareMove, ...]]:
    """Set one area's share and move the others in proportion, so the total stays 100%.

    The others keep their proportions among themselves (as ``fsr-opt sweep --share`` does);
    each is rounded to `SHARE_PLACES` decimals by largest remainder, so the total is exactly
    100. When the others all had 0%, the rest is split equally among them.

    Args:
        current: area code -> percent, in the rule set's order, totalling 100.
        area: the area the planner moved.
        percent: its new share, 0 to 100.

    Returns:
        The new shares (same order) and every area's move, the moved one first.

    Raises:
        KeyError: `area` is not one of `current`.
    """
    if area not in current:
        raise KeyError(area)
    others = [code for code in current if code != area]
    rest = (HUNDRED - percent) * _SHARE_SCALE
    if rest.denominator != 1:
        raise ValueError(f"{percent} has more than {SHARE_PLACES} decimals")
    weights = [(code, current[code]) for code in others]
    if sum((weight for _, weight in weights), Fraction(0)) == 0:
        weights = [(code, Fraction(1)) for code in others]
    total = sum((weight for _, weight in weights), Fraction(0))
    quotas = [(code, rest * weight / total) for code, weight in weights]
    parts = largest_remainder(int(rest), quotas, tie_key=others) if others else {}
    shares = {code: percent if code == area else Fraction(parts[code], _SHARE_SCALE)
              for code in current}
    moves = [ShareMove(area, current[area], percent)]
    moves += [ShareMove(code, current[code], shares[code]) for code in others]
    return shares, tuple(moves)


def rule_shares(rules: RuleSet) -> dict[str, Fraction]:
    """Each area's share in the rule set, in its order."""
    return {area.code: area.share_percent for area in rules.areas}


def share_field(value: Fraction) -> str:
    """A share as its input field shows it: ``50``, ``44.44``, ``33.3333`` (rounded to 4)."""
    return percent(value, "en").rstrip("%")


def same_share(typed: str, value: Fraction) -> bool:
    """Whether the field's text is still the share it showed (so it was not edited)."""
    cleaned = typed.replace("%", "").replace(" ", "").replace(",", ".").strip()
    return cleaned == share_field(value)


def share_text(value: Fraction) -> str:
    """A share as override text: exact decimals, no trailing zeros (``42.35``, ``50``)."""
    if (value * _SHARE_SCALE).denominator == 1:
        number = Decimal(value.numerator) / Decimal(value.denominator)
        return format(number.normalize(), "f")
    return f"{value.numerator}/{value.denominator}"


def scenario_overrides(parameters: Parameters, rules: RuleSet) -> list[tuple[str, str]]:
    """The overrides of a scenario, as the command line would give them.

    Shares equal to the rule set's are left out, so a scenario that changes nothing is the
    baseline; the order follows ``solve``'s options (``--budget``, ``--share``,
    ``--min-award``, then ``--set``).
    """
    baseline = rule_shares(rules)
    shares = [f"{code}={share_text(value)}" for code, value in parameters.shares.items()
              if baseline.get(code) != value]
    sets = [f"eligibility.{name}={'true' if on else 'false'}"
            for name, on in parameters.switches.items()]
    for code, euros in parameters.historical.items():
        service = rules.service(code)
        sets.append(f"areas.{service.area}.services.{code}.historical={euros}")
    if parameters.residual_scope is not None:
        sets.append(f"{RESIDUAL_PARAMETER}={parameters.residual_scope}")
    return override_pairs(parameters.fund, shares, parameters.minimum_award, sets)


def has_residual_rules(rules: RuleSet) -> bool:
    """Whether the rule set has the residual phase's scope (its optional ``residui`` section)."""
    return any(item.path == RESIDUAL_PARAMETER for item in rules.parameters)


def command_line(overrides: Sequence[tuple[str, str]]) -> str:
    """The ``fsr-opt`` options that give the same overrides (shown and saved with a run)."""
    options = []
    for key, value in overrides:
        if key == "fund":
            options.append(f"--budget {value}")
        elif key == "minimum_award":
            options.append(f"--min-award {value}")
        elif key.startswith("areas.") and key.endswith(".share") and key.count(".") == 2:
            options.append(f"--share {key.split('.')[1]}={value}")
        else:
            options.append(f"--set {key}={value}")
    return " ".join(options)
