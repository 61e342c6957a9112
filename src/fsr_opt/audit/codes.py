"""The stable code of every audit check.

Scripts match these codes in ``audit.json`` and in the exit-1 report, so they are part of the
interface: a code is never renamed, and docs/audit.md documents each one (a test keeps the two
in step). The members are in the order the checks run (`fsr_opt.audit.registry.CHECKS`).
"""

from __future__ import annotations

from enum import StrEnum

__all__ = ["OUTPUT_CHECKS", "CheckCode"]


class CheckCode(StrEnum):
    """The code of one audit check; its value is its name, so it compares equal to the text."""

    # Rules: every allocation must satisfy them.
    INPUT_CHANGED = "INPUT_CHANGED"
    UNIT_MISSING = "UNIT_MISSING"
    UNIT_DUPLICATED = "UNIT_DUPLICATED"
    UNIT_UNKNOWN = "UNIT_UNKNOWN"
    AWARD_PARTS = "AWARD_PARTS"
    INELIGIBLE_PAID = "INELIGIBLE_PAID"
    ELIGIBLE_MISMATCH = "ELIGIBLE_MISMATCH"
    ENTITLEMENT_MISMATCH = "ENTITLEMENT_MISMATCH"
    BELOW_MINIMUM = "BELOW_MINIMUM"
    ABOVE_ENTITLEMENT = "ABOVE_ENTITLEMENT"
    AREA_BUDGET = "AREA_BUDGET"
    BUDGETS_ADD_UP = "BUDGETS_ADD_UP"
    EQUAL_SHARE = "EQUAL_SHARE"
    LEFT_OUT = "LEFT_OUT"
    SHARE_MISMATCH = "SHARE_MISMATCH"
    RESIDUAL_SCOPE = "RESIDUAL_SCOPE"
    RESIDUAL_ABOVE_DEFICIT = "RESIDUAL_ABOVE_DEFICIT"
    RESIDUAL_POOL = "RESIDUAL_POOL"
    RESIDUAL_EQUAL_SHARE = "RESIDUAL_EQUAL_SHARE"
    RESIDUAL_LEFT_OUT = "RESIDUAL_LEFT_OUT"
    RESIDUAL_SHARE_MISMATCH = "RESIDUAL_SHARE_MISMATCH"
    TRANCHES = "TRANCHES"
    # The run folder's other outputs agree with its allocation.
    PAYMENTS_MISMATCH = "PAYMENTS_MISMATCH"
    SUMMARY_MISMATCH = "SUMMARY_MISMATCH"
    WORKBOOK_MISMATCH = "WORKBOOK_MISMATCH"
    # Optimality certificates: a failure proves that a better allocation exists.
    MONEY_LEFT = "MONEY_LEFT"
    TRANSFER_IMPROVES = "TRANSFER_IMPROVES"
    RESIDUAL_LEFT = "RESIDUAL_LEFT"


OUTPUT_CHECKS = frozenset({CheckCode.PAYMENTS_MISMATCH, CheckCode.SUMMARY_MISMATCH,
                           CheckCode.WORKBOOK_MISMATCH})
"""The checks about a run folder's other files: they say what a file shows, not what the
allocation gives, so they neither explain nor contest the money an allocation leaves."""
