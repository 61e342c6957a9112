"""The data fsr-opt passes between layers: frozen dataclasses and status enums.

This module imports nothing of the package but `errors` and `money`, so every layer can use
it (linopy's `constants.py` is the model). Money fields are integer cents; shares and
prorations are exact `Fraction`s so that the audit can re-check them without rounding noise.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date
from enum import StrEnum
from fractions import Fraction
from functools import cached_property

from fsr_opt.core.money import largest_remainder, round_half_up

# ---------------------------------------------------------------------------------------------
# Input: the units table
# ---------------------------------------------------------------------------------------------


class Ownership(StrEnum):
    """Who runs the unit; decides between the per-user formula and the deficit rule."""

    PUBLIC = "public"
    PRIVATE = "private"


@dataclass(frozen=True)
class ColumnSpec:
    """One column of the units table.

    Attributes:
        name: the contract's column name (``unit_id``...).
        heading_it: the Italian heading of the project's Excel template, without a year.
        kind: ``text``, ``code``, ``ownership``, ``int``, ``money``, ``date`` or ``bool``.
        required: whether the column must be present.
        aliases: other accepted headings (matched case- and accent-insensitively).
        dated: a figure of the accounts' year: the template heads it with that year
            ("Costi 2024" for the 2025 riparto), and any ``HEADING YYYY`` is accepted.
    """

    name: str
    heading_it: str
    kind: str
    required: bool = True
    aliases: tuple[str, ...] = ()
    dated: bool = False

    def heading(self, history_year: int) -> str:
        """The template's heading for a riparto whose accounts are of `history_year`."""
        return f"{self.heading_it} {history_year}" if self.dated else self.heading_it


INPUT_COLUMNS: tuple[ColumnSpec, ...] = (
    ColumnSpec("unit_id", "Codice unità", "text", aliases=("codice", "codice udo", "id")),
    ColumnSpec("name", "Denominazione", "text", aliases=("nome",)),
    ColumnSpec("operator", "Ente gestore", "text", required=False, aliases=("gestore",)),
    ColumnSpec("municipality", "Comune", "text", aliases=("comune sede",)),
    ColumnSpec("unit_type", "Tipologia", "code", aliases=("tipo", "tipologia udo")),
    ColumnSpec("ownership", "Natura giuridica", "ownership", aliases=("natura",)),
    ColumnSpec("users", "Utenti", "int", dated=True),
    ColumnSpec("costs", "Costi", "money", dated=True),
    ColumnSpec("revenues", "Ricavi", "money", dated=True),
    ColumnSpec("start_date", "Data inizio attività", "date", aliases=("data inizio",)),
    ColumnSpec("end_date", "Data cessazione", "date", required=False,
               aliases=("data fine", "data cessazione attività")),
    ColumnSpec("in_registry", "Presente in AFAM", "bool", aliases=("afam",)),
    ColumnSpec("authorized", "Autorizzazione/CPE", "bool",
               aliases=("autorizzata", "autorizzazione", "cpe")),
    ColumnSpec("experimental", "Sperimentale", "bool"),
    ColumnSpec("keeps_requirements", "Mantiene i requisiti", "bool", required=False,
               aliases=("mantiene requisiti",)),
    ColumnSpec("data_declared", "Dichiarazione Minori Web", "bool", required=False,
               aliases=("minori web",)),
    ColumnSpec("applied", "Istanza presentata", "bool", aliases=("istanza", "domanda")),
)


@dataclass(frozen=True)
class UnitRecord:
    """One row of the units table, parsed and type-checked (not yet judged eligible).

    Attributes:
        row: 1-based row in the source file, the header being row 1 (for messages).
        costs, revenues: cents.
        keeps_requirements, data_declared: None when the column or cell is empty.
    """

    row: int
    unit_id: str
    name: str
    operator: str
    municipality: str
    unit_type: str
    ownership: Ownership
    users: int
    costs: int
    revenues: int
    start_date: date
    end_date: date | None
    in_registry: bool
    authorized: bool
    experimental: bool
    keeps_requirements: bool | None
    data_declared: bool | None
    applied: bool

    @property
    def deficit(self) -> int:
        """Costs minus revenues in cents (negative for a surplus)."""
        return self.costs - self.revenues


@dataclass(frozen=True)
class UnitsTable:
    """A loaded units table, in file order, with the hash of the bytes it came from."""

    source: str
    sha256: str
    units: tuple[UnitRecord, ...]


# ---------------------------------------------------------------------------------------------
# The rule set
# ---------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class ParameterInfo:
    """A rule-set parameter as reports show it: where it is, its value, why and by what law.

    Attributes:
        description: as the rule file writes it: its one text, or the text of its first
            language when it gives one per language (`descriptions`).
        descriptions: language -> text, when the rule file gives the description per language.
    """

    path: str
    value: str
    description: str
    reference: str
    descriptions: Mapping[str, str] = field(default_factory=dict)

    def description_in(self, lang: str) -> str:
        """The description in `lang` when the rule file gives one, else as written."""
        return self.descriptions.get(lang, self.description)


@dataclass(frozen=True)
class FormulaClass:
    """Base amount plus a rate per user, the cap of private units (criteria, points b and c)."""

    code: str
    label: str
    base: int
    rate_per_user: int


@dataclass(frozen=True)
class UnitType:
    """A unit type code and how the rules treat it.

    Attributes:
        formula_class: code of its `FormulaClass`; None for municipal service lines, which are
            always funded in proportion to their deficit.
        municipal_service: a service run or bought by a municipality (SAD, ADM, affidi...),
            not a unit of offer: not in AFAM, no authorisation.
        requires_data_declaration: residential units for minors (Minori Web declaration).
        experimental_allowed: an experimental unit of this type stays eligible when it keeps
            its requirements (experimental SFA minori, DGR 694/2010).
        experimental_by_nature: the type is itself an experimentation (the SFA minori of
            d.g.r. 694/2010): every unit of it is judged as experimental, whatever the row's
            ``experimental`` flag says, so its requirements are always checked.
    """

    code: str
    label: str
    area: str
    service: str
    formula_class: str | None
    municipal_service: bool
    requires_data_declaration: bool
    experimental_allowed: bool
    experimental_by_nature: bool = False


@dataclass(frozen=True)
class ServiceLine:
    """A group of unit types sharing one reference-year amount and one share lambda.

    Attributes:
        historical: cents assigned to the line in the reference year (`RuleSet.history_year`).
    """

    code: str
    label: str
    area: str
    historical: int
    unit_types: tuple[str, ...]


@dataclass(frozen=True)
class Area:
    """A macro area with its share of the fund (percent, exact) and its service lines."""

    code: str
    label: str
    share_percent: Fraction
    services: tuple[ServiceLine, ...]


@dataclass(frozen=True)
class EligibilitySwitches:
    """Which access criteria are applied; each maps to one exclusion reason."""

    require_registry: bool = True
    require_authorization: bool = True
    require_in_ambito: bool = True
    exclude_started_in_year: bool = True
    exclude_ceased_before_year: bool = True
    exclude_experimental: bool = True
    require_data_declaration: bool = True
    require_deficit: bool = True
    require_application: bool = True


class ResidualScope(StrEnum):
    """Where the residual phase takes the money the riparto leaves (rule set ``residui.scope``).

    ``none``: it stays unassigned (and is reported); ``area``: each area's leftover goes to the
    units of that area, so the areas' split stays exact; ``fondo``: the leftovers of all areas
    form one pool for the units of the whole fund.
    """

    NONE = "none"
    AREA = "area"
    FONDO = "fondo"


class LineReading(StrEnum):
    """How the quota a service line cannot take goes to the other lines of its area.

    The rule set's ``readings.line_without_applications``: in proportion to the other lines'
    targets (``targets``), or to the applications they received (``istanze``: the
    entitlements of their eligible units that applied). Criteria, "Criteri specifici per area".
    """

    TARGETS = "targets"
    ISTANZE = "istanze"


@dataclass(frozen=True)
class RuleSet:
    """A validated rule set: everything the riparto of one year and one Ambito depends on.

    Attributes:
        fund: cents assigned to the Ambito.
        reserve_percent, other_services_percent: set-asides taken before the split.
        minimum_award: cents; an award is 0 or at least this.
        first_tranche_percent: percent of an award paid after approval (70).
        single_payment_threshold: cents; awards up to this are paid at once.
        municipalities: the Ambito's municipalities, as written in the rule set.
        parameters: every parameter with its description and legal reference, for reports.
        residual_scope: where the residual phase takes what the riparto leaves unassigned.
        line_without_applications: how a line's quota it cannot take goes to the others.
        reference: the act the whole rule set applies (``metadata.reference``: the approved
            criteria and the DGR), named on the first page of the printed report.
    """

    rule_set_id: str
    version: str
    ambito: str
    year: int
    fund: int
    reserve_percent: Fraction
    other_services_percent: Fraction
    minimum_award: int
    first_tranche_percent: Fraction
    single_payment_threshold: int
    municipalities: tuple[str, ...]
    areas: tuple[Area, ...]
    unit_types: Mapping[str, UnitType]
    formula_classes: Mapping[str, FormulaClass]
    eligibility: EligibilitySwitches
    parameters: tuple[ParameterInfo, ...] = ()
    source: str = ""
    sha256: str = ""
    residual_scope: ResidualScope = ResidualScope.NONE
    line_without_applications: LineReading = LineReading.TARGETS
    reference: str = ""

    @property
    def history_year(self) -> int:
        """The reference year: the riparto follows its assignments and uses its accounts.

        The year before the fund's: the 2025 criteria split the fund by the 2024 amounts and
        judge units on their 2024 costs and users. Reports name it in their headings.
        """
        return self.year - 1

    @property
    def area_labels(self) -> dict[str, str]:
        """The label of every area, by code: what people read where the CSV files say the code."""
        return {area.code: area.label for area in self.areas}

    @property
    def line_labels(self) -> dict[str, str]:
        """The label of every service line, by code.

        Kept apart from `area_labels`: an area and its one line may share a code (``anziani``).
        """
        return {line.code: line.label for area in self.areas for line in area.services}

    def area(self, code: str) -> Area:
        """Return the area with this code (KeyError if unknown)."""
        for area in self.areas:
            if area.code == code:
                return area
        raise KeyError(code)

    def judged_experimental(self, unit: UnitRecord, unit_type: UnitType) -> bool:
        """Whether the experimental-units criterion looks at this unit at all.

        The unit is said experimental, or its type is experimental by nature, and the rule
        set excludes experimental units. Such a unit is excluded unless its type may stay
        experimental and it keeps its requirements (`fsr_opt.engine.eligibility`); the
        reader of the units table warns when that answer is left empty.
        """
        return (self.eligibility.exclude_experimental
                and (unit.experimental or unit_type.experimental_by_nature))

    def needs_data_declaration(self, unit_type: UnitType) -> bool:
        """Whether units of this type are excluded without the Minori Web declaration."""
        return self.eligibility.require_data_declaration and unit_type.requires_data_declaration

    def service(self, code: str) -> ServiceLine:
        """Return the service line with this code (KeyError if unknown)."""
        for area in self.areas:
            for service in area.services:
                if service.code == code:
                    return service
        raise KeyError(code)


# ---------------------------------------------------------------------------------------------
# Eligibility and entitlement
# ---------------------------------------------------------------------------------------------


class ExclusionReason(StrEnum):
    """Why a unit gets nothing; codes are part of the interface (docs/reference.md, 1.4)."""

    NOT_IN_REGISTRY = "NOT_IN_REGISTRY"
    NOT_AUTHORIZED = "NOT_AUTHORIZED"
    OUTSIDE_AMBITO = "OUTSIDE_AMBITO"
    STARTED_IN_YEAR = "STARTED_IN_YEAR"
    CEASED_BEFORE_YEAR = "CEASED_BEFORE_YEAR"
    EXPERIMENTAL = "EXPERIMENTAL"
    MISSING_DATA_DECLARATION = "MISSING_DATA_DECLARATION"
    NO_DEFICIT = "NO_DEFICIT"
    NOT_APPLIED = "NOT_APPLIED"


class CapSource(StrEnum):
    """Which limit sets a unit's entitlement."""

    DEFICIT = "DEFICIT"
    FORMULA = "FORMULA"


@dataclass(frozen=True)
class Assessment:
    """A unit judged against the rules: eligibility and entitlement, all exact.

    Attributes:
        deficit: cents, costs minus revenues (may be negative).
        formula_amount: cents, base + rate * users; None when no formula applies.
        proration: days active in the year / days in the year (1 unless ceased in the year).
        entitlement: cents, floor(min(deficit, formula) * proration); 0 when ineligible.
        cap_source: the limit that set the entitlement.
    """

    unit: UnitRecord
    area: str
    service: str
    reasons: tuple[ExclusionReason, ...]
    deficit: int
    formula_amount: int | None
    proration: Fraction
    entitlement: int
    cap_source: CapSource

    @property
    def eligible(self) -> bool:
        """True when no exclusion reason applies."""
        return not self.reasons


# ---------------------------------------------------------------------------------------------
# Solving
# ---------------------------------------------------------------------------------------------


class SolveStatus(StrEnum):
    """The status we read from the solver itself, never PuLP's optimistic summary alone."""

    OPTIMAL = "optimal"
    INFEASIBLE = "infeasible"
    TIME_LIMIT = "time_limit"
    UNBOUNDED = "unbounded"
    ERROR = "error"

    @property
    def is_ok(self) -> bool:
        """Only a proven optimum is reported as final."""
        return self is SolveStatus.OPTIMAL


class Binding(StrEnum):
    """What limits a unit's award (the ``binding`` column)."""

    EXCLUDED = "EXCLUDED"
    BELOW_MINIMUM = "BELOW_MINIMUM"
    DEFICIT = "DEFICIT"
    FORMULA = "FORMULA"
    AREA_BUDGET = "AREA_BUDGET"
    EQUAL_SHARE = "EQUAL_SHARE"
    RESIDUAL = "RESIDUAL"


@dataclass(frozen=True)
class StageResult:
    """One stage of the lexicographic objective and the value it reached."""

    name: str
    sense: str
    objective: float
    status: SolveStatus
    seconds: float


@dataclass(frozen=True)
class ServiceResult:
    """The outcome of one service line.

    Attributes:
        target: exact cents, T_s = B_a * h_s / sum(h in a).
        awarded: cents, sum of its awards.
        share: lambda_s, exact: awarded / sum of funded entitlements (0 if none funded).
        funded_entitlement: cents, sum of the entitlements of its funded units.
    """

    area: str
    service: str
    target: Fraction
    awarded: int
    share: Fraction
    funded_entitlement: int
    weight: Fraction | None = None

    @property
    def excess_weight(self) -> Fraction:
        """What the tie-break spreads excess in proportion to: the target unless a reading says."""
        return self.target if self.weight is None else self.weight


FONDO = "fondo"
"""The code of the one residual pool of scope ``fondo`` (area codes name the others)."""


@dataclass(frozen=True)
class ResidualPool:
    """One distribution of the residual phase: what the riparto left, and where it went.

    Attributes:
        code: the area's code (scopes ``none`` and ``area``), or `FONDO`.
        areas: the areas whose leftovers form the pool and whose units may receive from it.
        available: cents the riparto left unassigned in those areas.
        need: cents the pool's eligible units that applied still lack (prorated deficit
            minus their award), added up.
        distributed: cents given in the residual phase (0 with scope ``none``).
        share: mu, the common share of what each recipient still lacked (0 if nothing given).
        recipients: units that received a residual award.
    """

    code: str
    areas: tuple[str, ...]
    available: int
    need: int
    distributed: int
    share: Fraction
    recipients: int

    @property
    def left(self) -> int:
        """Cents that stay unassigned after the residual phase."""
        return self.available - self.distributed


@dataclass(frozen=True)
class Allocation:
    """Awards in cents per unit id, with the per-service outcome that produced them.

    Attributes:
        awards: the riparto by the criteria (the lexicographic MILP): phase one.
        residual_awards: the residual phase's awards (criteria l.115), only units above 0.
        residual_pools: where the money the riparto left went (one pool per area, or one
            for the fund); empty only for an allocation made without the residual phase.
    """

    awards: Mapping[str, int]
    services: Mapping[str, ServiceResult]
    area_budgets: Mapping[str, int]
    residual_scope: ResidualScope = ResidualScope.NONE
    residual_awards: Mapping[str, int] = field(default_factory=dict)
    residual_pools: tuple[ResidualPool, ...] = ()

    def paid(self, unit_id: str) -> int:
        """What the unit receives in all: its riparto award plus its residual award."""
        return self.awards.get(unit_id, 0) + self.residual_awards.get(unit_id, 0)

    @property
    def criteria_total(self) -> int:
        """Cents awarded by the riparto (phase one)."""
        return sum(self.awards.values())

    @property
    def residual_total(self) -> int:
        """Cents awarded by the residual phase."""
        return sum(self.residual_awards.values())

    @property
    def total(self) -> int:
        """Cents paid in all."""
        return self.criteria_total + self.residual_total

    @property
    def unassigned(self) -> int:
        """Cents of the area budgets that nobody receives."""
        return sum(self.area_budgets.values()) - self.total

    @cached_property
    def target_cents(self) -> dict[str, int]:
        """Each service line's target in whole cents, as every table for people prints it.

        Rounded by largest remainder within its area, so that the printed targets of an area
        add up to its exact total (its budget), and a line's deviation is its awarded amount
        minus the printed target, to the cent, in every output. The solver and run.json's
        objectives keep the exact targets.
        """
        by_area: dict[str, list[ServiceResult]] = {}
        for result in self.services.values():
            by_area.setdefault(result.area, []).append(result)
        cents: dict[str, int] = {}
        for lines in by_area.values():
            total = round_half_up(sum((line.target for line in lines), Fraction(0)))
            cents.update(largest_remainder(total, [(line.service, line.target) for line in lines],
                                           [line.service for line in lines]))
        return cents


@dataclass(frozen=True)
class SolveResult:
    """What a solve returns: its status, how it got there, and the allocation if optimal."""

    status: SolveStatus
    solver: str
    solver_version: str
    stages: tuple[StageResult, ...]
    allocation: Allocation | None
    seconds: float = 0.0
    messages: tuple[str, ...] = field(default_factory=tuple)

    @property
    def is_ok(self) -> bool:
        """True only for a proven optimum with an allocation."""
        return self.status.is_ok and self.allocation is not None
