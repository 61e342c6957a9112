"""The registry of audit checks: each one's code, kind, rule in words, criteria and function.

`CHECKS` is the one list the audit runs, in its order, and the one place a new check is
added (with its code in `CheckCode` and its row in docs/audit.md; tests keep the three in
step). A check is a *rule* every allocation must satisfy, or a *certificate* of optimality
whose failure proves that a better allocation exists.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from enum import StrEnum

from fsr_opt.audit import agreement, certificates, rules
from fsr_opt.audit.codes import CheckCode
from fsr_opt.audit.evidence import Evidence, Findings
from fsr_opt.io.allocation import PAYMENTS_FILE, RUN_OUTPUTS, SUMMARY_FILE, WORKBOOK_FILE

__all__ = ["CHECKS", "OUTPUT_FILES", "RUN_RECORD", "Check", "CheckKind", "check_of"]


class CheckKind(StrEnum):
    """What a failure means: a rule broken, or a better allocation shown to exist."""

    RULE = "rule"
    CERTIFICATE = "certificate"


# A column name the report uses for several allocation columns, any of which lets a check run.
_COLUMNS_NAMED = {"tranches": frozenset({"tranche_1", "tranche_2"}),
                  "parts": frozenset({"criteria_award", "residual_award"})}

RUN_RECORD = "run.json"
"""The `Check.column` of a check that needs the run folder's record of its inputs."""

OUTPUT_FILES = frozenset(RUN_OUTPUTS)
"""The `Check.column` of a check that compares one of the run folder's other outputs
(payments.csv, summary.csv, allocation.xlsx): it runs when the folder holds the file."""


@dataclass(frozen=True)
class Check:
    """One registered check.

    Attributes:
        code: the stable code, part of the interface (``audit.json``, exit-1 reports).
        kind: a rule, or an optimality certificate.
        description: the rule in one line, as the report shows it.
        reference: the section of the criteria di riparto the rule comes from (the act the
            rule set's metadata cites; docs/audit.md quotes it).
        run: the function that checks the allocation, given the audit's evidence.
        column: the optional allocation column the check compares, as the report names it
            (``tranches`` stands for ``tranche_1`` and ``tranche_2``); without it the check
            is skipped. None for a check that reads only ``unit_id`` and ``award``.
    """

    code: CheckCode
    kind: CheckKind
    description: str
    reference: str
    run: Callable[[Evidence], Findings]
    column: str | None = None

    @property
    def certificate(self) -> bool:
        """True for an optimality certificate, False for a rule."""
        return self.kind is CheckKind.CERTIFICATE

    @property
    def skip_reason(self) -> str:
        """Why the check did not run on an allocation without its column (audit.json)."""
        if self.column == RUN_RECORD:
            return "not a run folder: no run.json records the inputs"
        if self.column in OUTPUT_FILES:
            return f"no {self.column} beside the allocation in a run folder"
        return f"the allocation has no {self.column} column"

    @property
    def skip_line(self) -> str:
        """The same, as the text report's SKIP line ends."""
        if self.column == RUN_RECORD or self.column in OUTPUT_FILES:
            return self.skip_reason
        return f"no {self.column} column in the allocation"

    def runs_on(self, columns: frozenset[str]) -> bool:
        """Whether an allocation with these optional columns has what the check compares."""
        if self.column is None:
            return True
        return bool(_COLUMNS_NAMED.get(self.column, frozenset({self.column})) & columns)


_ACCESS = "§ Criteri di accesso"
_FEES = "§ Criteri generali - Contenimento delle rette"
_BY_AREA = "§ Criteri specifici per area"
_ENTITLEMENT = f"{_FEES}; {_BY_AREA}, lettere a), b), c); § Criteri di accesso - Attività"
_RULE, _CERTIFICATE = CheckKind.RULE, CheckKind.CERTIFICATE

_RESIDUAL = f"{_BY_AREA}, quote residue; {_FEES}"

CHECKS: tuple[Check, ...] = (
    Check(CheckCode.INPUT_CHANGED, _RULE,
          "the units table and the rule set are the files the run read (run.json's SHA-256)",
          "premessa", rules.input_changed, column=RUN_RECORD),
    Check(CheckCode.UNIT_MISSING, _RULE,
          "every unit of the units table has a row in the allocation",
          _FEES, rules.unit_missing),
    Check(CheckCode.UNIT_DUPLICATED, _RULE,
          "no unit has more than one row (a repeated row is paid twice)",
          _FEES, rules.unit_duplicated),
    Check(CheckCode.UNIT_UNKNOWN, _RULE,
          "every row names a unit of the units table",
          _FEES, rules.unit_unknown),
    Check(CheckCode.AWARD_PARTS, _RULE,
          "an award is its riparto part plus its residual part",
          _RESIDUAL, rules.award_parts, column="parts"),
    Check(CheckCode.INELIGIBLE_PAID, _RULE,
          "a unit failing an access criterion gets 0",
          _ACCESS, rules.ineligible_paid),
    Check(CheckCode.ELIGIBLE_MISMATCH, _RULE,
          "the eligible column agrees with the access criteria",
          _ACCESS, rules.eligible_mismatch, column="eligible"),
    Check(CheckCode.ENTITLEMENT_MISMATCH, _RULE,
          "the entitlement column agrees with the recomputed cap",
          _ENTITLEMENT, rules.entitlement_mismatch, column="entitlement"),
    Check(CheckCode.BELOW_MINIMUM, _RULE,
          "every award is 0 or at least the minimum award",
          _FEES, rules.below_minimum),
    Check(CheckCode.ABOVE_ENTITLEMENT, _RULE,
          "no award exceeds the unit's entitlement (deficit, formula, proration)",
          _ENTITLEMENT, rules.above_entitlement),
    Check(CheckCode.AREA_BUDGET, _RULE,
          "the awards of each area add up to at most its budget",
          _BY_AREA, rules.area_budget),
    Check(CheckCode.BUDGETS_ADD_UP, _RULE,
          "the area budgets add up exactly to the distributable fund, each within a cent of "
          "its share",
          f"premessa; {_BY_AREA}, tabella di ripartizione", rules.budgets_add_up),
    Check(CheckCode.EQUAL_SHARE, _RULE,
          "the funded units of a service line get the same share of their entitlement, "
          "within 1 cent",
          _BY_AREA, rules.equal_share),
    Check(CheckCode.LEFT_OUT, _RULE,
          "no eligible unit gets 0 while its service line's share would reach the minimum",
          f"{_BY_AREA}; {_FEES}", rules.left_out),
    Check(CheckCode.SHARE_MISMATCH, _RULE,
          "the share column is the service line's share",
          _BY_AREA, rules.share_mismatch, column="share"),
    Check(CheckCode.RESIDUAL_SCOPE, _RULE,
          "residual awards only where the rule set's scope sends them, to units that applied",
          _RESIDUAL, rules.residual_scope),
    Check(CheckCode.RESIDUAL_ABOVE_DEFICIT, _RULE,
          "no residual award takes a unit beyond its deficit (prorated)",
          _RESIDUAL, rules.residual_above_deficit),
    Check(CheckCode.RESIDUAL_POOL, _RULE,
          "the residual awards of a pool add up to at most what the riparto left in it",
          _RESIDUAL, rules.residual_pool),
    Check(CheckCode.RESIDUAL_EQUAL_SHARE, _RULE,
          "a pool's recipients get one share of what each still lacked, within 1 cent",
          _RESIDUAL, rules.residual_equal_share),
    Check(CheckCode.RESIDUAL_LEFT_OUT, _RULE,
          "no unit that applied is left without residual while the pool's share is due to it",
          _RESIDUAL, rules.residual_left_out),
    Check(CheckCode.RESIDUAL_SHARE_MISMATCH, _RULE,
          "the residual_share column is the pool's share",
          _RESIDUAL, rules.residual_share_mismatch, column="residual_share"),
    Check(CheckCode.TRANCHES, _RULE,
          "payments: 70% rounded half up then the rest, or all at once up to the threshold",
          "§ Erogazione", rules.tranches, column="tranches"),
    Check(CheckCode.PAYMENTS_MISMATCH, _RULE,
          "(a run folder) payments.csv pays each ente gestore the sums of its funded units",
          "§ Erogazione", agreement.payments_mismatch, column=PAYMENTS_FILE),
    Check(CheckCode.SUMMARY_MISMATCH, _RULE,
          "(a run folder) summary.csv gives each service line and area the sums of its units",
          _BY_AREA, agreement.summary_mismatch, column=SUMMARY_FILE),
    Check(CheckCode.WORKBOOK_MISMATCH, _RULE,
          "(a run folder) allocation.xlsx's Riparto and Pagamenti sheets say what the "
          "allocation and its payments say",
          "premessa; § Erogazione", agreement.workbook_mismatch, column=WORKBOOK_FILE),
    Check(CheckCode.MONEY_LEFT, _CERTIFICATE,
          "no area leaves money that one of its service lines could take within the rules",
          f"{_FEES}; {_BY_AREA}", certificates.money_left),
    Check(CheckCode.TRANSFER_IMPROVES, _CERTIFICATE,
          "no 1-cent transfer between two service lines of an area brings both closer to their "
          "{history_year} targets",
          _BY_AREA, certificates.transfer_improves),
    Check(CheckCode.RESIDUAL_LEFT, _CERTIFICATE,
          "no residual pool leaves money that its units that applied could take within the "
          "rules",
          _RESIDUAL, certificates.residual_left),
)

_BY_CODE = {check.code: check for check in CHECKS}


def check_of(code: CheckCode) -> Check:
    """The registered check of a code."""
    return _BY_CODE[code]
