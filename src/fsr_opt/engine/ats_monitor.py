"""The monitoring of the Ambiti's reports: spend rate, residual, unmet demand, what is off.

ATS "garantisce ... il monitoraggio dell'utilizzo delle risorse, la verifica della spesa
effettiva e delle rendicontazioni" (comunicato ATS del 22/12/2025): per Ambito, from its
report, docs/ats.md "Monitoring" defines

- spend rate = spent / assigned;
- residual = assigned - committed (what it has not committed);
- unmet demand = the amount of the applications admitted but not funded;
- surplus = max(0, residual - unmet demand): money it will not use, even for its own
  applications, which a rebalance may move;
- need = max(0, unmet demand - max(0, residual)): demand its own residual cannot cover.

A report that does not add up is flagged (codes in `FLAGS`), never silently corrected.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from fractions import Fraction

from fsr_opt.core.ats import AmbitoReport, MonitorLine

FLAGS = (
    "COMMITTED_ABOVE_ASSIGNED",
    "SPENT_ABOVE_COMMITTED",
    "ASSIGNED_NOT_AS_SPLIT",
    "AMOUNT_WITHOUT_APPLICATIONS",
    "APPLICATIONS_WITHOUT_AMOUNT",
    "UNMET_WITH_RESIDUAL",
)
"""What can be off in a report, in the order they are listed (docs/ats.md)."""


def surplus_and_need(assigned: int, committed: int, unmet: int) -> tuple[int, int]:
    """What an Ambito will not use (surplus) and what it lacks (need), in cents."""
    residual = assigned - committed
    return max(0, residual - unmet), max(0, unmet - max(0, residual))


def report_flags(report: AmbitoReport, split_amount: int | None = None) -> tuple[str, ...]:
    """The codes of what does not add up in one report (empty: it adds up)."""
    flags = []
    if report.committed > report.assigned:
        flags.append("COMMITTED_ABOVE_ASSIGNED")
    if report.spent > report.committed:
        flags.append("SPENT_ABOVE_COMMITTED")
    if split_amount is not None and report.assigned != split_amount:
        flags.append("ASSIGNED_NOT_AS_SPLIT")
    if report.unmet_amount > 0 and report.unmet_applications == 0:
        flags.append("AMOUNT_WITHOUT_APPLICATIONS")
    if report.unmet_applications > 0 and report.unmet_amount == 0:
        flags.append("APPLICATIONS_WITHOUT_AMOUNT")
    if report.unmet_amount > 0 and report.assigned - report.committed > 0:
        flags.append("UNMET_WITH_RESIDUAL")
    return tuple(flags)


def monitor(
    reports: Sequence[AmbitoReport], split: Mapping[str, int] | None = None
) -> tuple[MonitorLine, ...]:
    """One `MonitorLine` per report, in the reports' order.

    Args:
        reports: the Ambiti's reports (`fsr_opt.io.ats.load_monitoring`).
        split: the amount each Ambito was assigned by the split, to compare with its report.
    """
    lines = []
    for report in reports:
        surplus, need = surplus_and_need(report.assigned, report.committed,
                                         report.unmet_amount)
        rate = Fraction(report.spent, report.assigned) if report.assigned else Fraction(0)
        lines.append(MonitorLine(
            report=report,
            spend_rate=rate,
            residual=report.assigned - report.committed,
            unmet=report.unmet_amount,
            surplus=surplus,
            need=need,
            flags=report_flags(report, None if split is None else split.get(report.ambito)),
        ))
    return tuple(lines)
