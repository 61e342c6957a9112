"""The data of the ATS level (docs/ats.md): its rules, the split, the reports and the transfers.

An ATS (Agenzia di Tutela della Salute) passes a regional fund to its Ambiti, monitors how
they use it and may move residual money between them ("compensazione"). These frozen
dataclasses are what the readers, the engine, the audit and the reports hand each other;
like `fsr_opt.core.schema` this module imports nothing of the package but `schema`, so every
layer can use it. Money is integer cents; indicator values and weights are exact `Fraction`s.
"""

from __future__ import annotations

from dataclasses import dataclass
from fractions import Fraction

from fsr_opt.core.schema import ParameterInfo


@dataclass(frozen=True)
class AtsIndicator:
    """One indicator of the split and its weight (``population_65``: 30%).

    Attributes:
        code: the column of the indicators table.
        label: a human-readable name.
        weight: the percent of the fund (after the set-aside) split by this indicator.
        source: where the real figures come from.
    """

    code: str
    label: str
    weight: Fraction
    source: str


@dataclass(frozen=True)
class AtsRules:
    """An ATS rule set (``models/ats-*.yaml``), validated.

    Attributes:
        rule_set_id: the rule set's id.
        version: its version.
        ats: the ATS's name.
        year: the year of the fund.
        title: a one-line title.
        fund: the whole fund, in cents.
        indicators: the weighted indicators of the main split, weights totalling 100.
        set_aside_percent: the percent of the fund set aside (registers and desks).
        set_aside_max: the legal maximum of that percent.
        set_aside_indicator: the indicator (column) that splits the set-aside.
        set_aside_label: what the set-aside is for.
        floor: the least each Ambito receives from the main split, in cents (0: none).
        minimum_transfer: a transfer of the rebalance is 0 or at least this, in cents.
        max_transfers: the most transfers a rebalance may make.
        ambiti: code -> label of every Ambito of the ATS, in rule-set order.
        parameters: every parameter with its description and legal reference.
        source: the file read.
        sha256: the hash of its bytes.
        set_aside_indicator_label: a human-readable name of the set-aside's indicator.
    """

    rule_set_id: str
    version: str
    ats: str
    year: int
    title: str
    fund: int
    indicators: tuple[AtsIndicator, ...]
    set_aside_percent: Fraction
    set_aside_max: Fraction
    set_aside_indicator: str
    set_aside_label: str
    floor: int
    minimum_transfer: int
    max_transfers: int
    ambiti: dict[str, str]
    parameters: tuple[ParameterInfo, ...] = ()
    source: str = ""
    sha256: str = ""
    set_aside_indicator_label: str = ""

    @property
    def columns(self) -> tuple[str, ...]:
        """The indicator columns the indicators table must hold, in rule-set order."""
        codes = [i.code for i in self.indicators]
        return tuple(dict.fromkeys([*codes, self.set_aside_indicator]))


@dataclass(frozen=True)
class AmbitoIndicators:
    """One row of the indicators table: an Ambito and its figures.

    Attributes:
        ambito: the Ambito's code (as the rule set spells it).
        values: indicator code -> its value (exact, at least 0).
        row: the row of the file (for messages).
    """

    ambito: str
    values: dict[str, Fraction]
    row: int = 0


@dataclass(frozen=True)
class SplitLine:
    """One Ambito's part of the split.

    Attributes:
        ambito: the Ambito's code.
        label: its name.
        quota: its exact quota of the main split (cents, a Fraction), floors applied.
        main: its main part in cents (the quota rounded by largest remainder).
        set_aside_quota: its exact quota of the set-aside (cents).
        set_aside: its set-aside part in cents.
        floored: the floor raised its main part.
    """

    ambito: str
    label: str
    quota: Fraction
    main: int
    set_aside_quota: Fraction
    set_aside: int
    floored: bool

    @property
    def total(self) -> int:
        """What the Ambito receives: the main part plus the set-aside part."""
        return self.main + self.set_aside


@dataclass(frozen=True)
class Split:
    """The split of an ATS fund among its Ambiti.

    Attributes:
        fund: the fund (cents).
        set_aside: the part set aside for registers and desks (cents).
        main: the part split by the weighted indicators (cents).
        lines: one line per Ambito, in rule-set order.
    """

    fund: int
    set_aside: int
    main: int
    lines: tuple[SplitLine, ...]


@dataclass(frozen=True)
class AmbitoReport:
    """One Ambito's report (rendicontazione) of the fund's use.

    Attributes:
        ambito: the Ambito's code.
        assigned: what it was assigned (cents).
        committed: what it has committed (cents).
        spent: what it has spent (cents).
        unmet_applications: applications admitted but not funded.
        unmet_amount: their amount (cents).
        row: the row of the file.
    """

    ambito: str
    assigned: int
    committed: int
    spent: int
    unmet_applications: int
    unmet_amount: int
    row: int = 0


@dataclass(frozen=True)
class MonitorLine:
    """What the monitoring says of one Ambito.

    Attributes:
        report: the report read.
        spend_rate: spent / assigned (0 when nothing was assigned).
        residual: assigned - committed (negative when it committed more than it had).
        unmet: the unmet demand (the amount of admitted, unfunded applications).
        surplus: residual money it will not use: residual beyond its own unmet demand.
        need: unmet demand beyond its own residual.
        flags: what does not add up in the report (codes, see docs/ats.md).
    """

    report: AmbitoReport
    spend_rate: Fraction
    residual: int
    unmet: int
    surplus: int
    need: int
    flags: tuple[str, ...]


@dataclass(frozen=True)
class Transfer:
    """Money moved from one Ambito to another by the rebalance.

    Attributes:
        donor: the Ambito that gives (it will not use the money).
        receiver: the Ambito that receives (it has unmet demand).
        amount: cents, at least the minimum transfer.
    """

    donor: str
    receiver: str
    amount: int


@dataclass(frozen=True)
class RebalanceStage:
    """One stage of the lexicographic rebalance and its exact optimum.

    Attributes:
        name: ``min_coverage``, ``total``, ``transfers`` or ``tie_break``.
        value: the stage's optimum, exact (a coverage ratio, cents or a count).
        seconds: the solver's time.
    """

    name: str
    value: Fraction
    seconds: float


@dataclass(frozen=True)
class Rebalance:
    """The result of a rebalance.

    Attributes:
        transfers: the transfers, sorted by donor then receiver.
        stages: each stage with its optimum.
        solver: the solver's name.
        solver_version: its version.
        seconds: the whole solve.
    """

    transfers: tuple[Transfer, ...]
    stages: tuple[RebalanceStage, ...]
    solver: str
    solver_version: str
    seconds: float
