"""What each `fsr-opt ats` command does, from paths to written outputs (docs/ats.md).

- `run_split`: rule set + indicators -> split.csv, split.json, ats-report.xlsx/.html;
- `run_monitor`: rule set + the Ambiti's reports (+ a split to compare with) -> monitor.csv,
  monitor.json and the report;
- `run_rebalance`: the same inputs -> the MILP's transfers.csv, after-rebalance.csv,
  rebalance.json and the report, audited before anything is written;
- `run_audit`: a split and/or a transfer table, ours or made by hand, checked without solver.

Files are read by `io.ats` and written atomically by `io.outputs` (never over an input).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from fractions import Fraction
from pathlib import Path
from typing import Any

from fsr_opt.audit.ats import AtsAudit, SplitAmount, audit_split, audit_transfers
from fsr_opt.core.ats import AtsRules, MonitorLine, Rebalance, Split
from fsr_opt.core.errors import ErrorCode, Problem, SolverError
from fsr_opt.core.i18n import _
from fsr_opt.core.money import format_cents
from fsr_opt.core.words import money, percent, phrases
from fsr_opt.io import ats as files
from fsr_opt.io.outputs import json_bytes, write_outputs
from fsr_opt.io.rulefile import read_rule_document
from fsr_opt.io.source import sha256_file
from fsr_opt.reports import ats as reports
from fsr_opt.rules.ats import parse_ats_rules


@dataclass(frozen=True)
class AtsRun:
    """What an ATS command produced: the screen text and the files written."""

    summary: str
    written: tuple[Path, ...]
    audit: AtsAudit | None = None


def load_ats_rules(path: Path | None = None) -> AtsRules:
    """Read and validate an ATS rule set (the bundled one when `path` is None).

    Raises:
        RuleSetError: every problem of the file at once.
    """
    path = files.default_ats_rules_path() if path is None else path
    document, digest = read_rule_document(path)
    return parse_ats_rules(document, source=str(path), sha256=digest)


_rules = load_ats_rules


def _input(path: Path | None, default: str) -> Path:
    return files.default_ats_example(default) if path is None else path


def _hashes(**paths: Path | None) -> dict[str, tuple[str, str]]:
    return {name: (str(path), sha256_file(path)) for name, path in paths.items()
            if path is not None}


def compute_split(rules: AtsRules, indicators_path: Path, fund: int | None = None) -> Split:
    """Read the indicators and split the fund (no output)."""
    from fsr_opt.engine.ats_split import split_fund  # noqa: PLC0415  (only this command)

    return split_fund(rules, files.load_indicators(indicators_path, rules), fund=fund)


def split_summary(split: Split, rules: AtsRules, lang: str) -> str:
    """The screen of `ats split`: the totals, then one line per Ambito."""
    w = phrases("ats", lang)
    lines = [w("screen_split").format(
        ats=rules.ats, year=rules.year, fund=money(split.fund, lang), count=len(split.lines),
        main=money(split.main, lang), set_aside=money(split.set_aside, lang))]
    width = max(len(line.label) for line in split.lines)
    lines += [f"  {line.label:<{width}}  {money(line.total, lang):>12}" for line in split.lines]
    return "\n".join(lines)


def run_split(
    rules_path: Path | None, indicators_path: Path | None, out: Path, *,
    fund: int | None = None, lang: str = "it",
) -> AtsRun:
    """`fsr-opt ats split`: split the fund, check the split, write it with its report."""
    rules = _rules(rules_path)
    indicators_path = _input(indicators_path, "indicators.csv")
    split = compute_split(rules, indicators_path, fund)
    indicators = files.load_indicators(indicators_path, rules)
    audit = audit_split(rules, indicators, [SplitAmount(x.ambito, x.total, x.main, x.set_aside)
                                            for x in split.lines], fund=split.fund)
    _own_audit(audit)
    document = reports.record(
        rules, _hashes(indicators=indicators_path),
        split={"fund": format_cents(split.fund), "set_aside": format_cents(split.set_aside),
               "main": format_cents(split.main),
               "ambiti": {x.ambito: format_cents(x.total) for x in split.lines}},
        audit={"ok": audit.is_ok, "checks": list(audit.checks)})
    outputs = {
        "split.csv": reports.split_csv(split),
        "split.json": json_bytes(document),
        "ats-report.xlsx": reports.report_workbook(rules, split=split, lang=lang),
        "ats-report.html": reports.report_html(rules, split=split, lang=lang),
    }
    written = write_outputs(out, outputs, inputs=[indicators_path, rules.source])
    return AtsRun(split_summary(split, rules, lang), tuple(written), audit)


def _own_audit(audit: AtsAudit) -> None:
    if not audit.is_ok:
        raise SolverError([Problem(_("our own result fails the audit: {code} {subject}: "
                                     "{message}").format(code=f.code, subject=f.subject,
                                                         message=f.message),
                                   code=ErrorCode.OWN_AUDIT_FAILED)
                           for f in audit.findings])


def load_monitoring(
    rules: AtsRules, reports_path: Path, split_path: Path | None
) -> tuple[MonitorLine, ...]:
    """Read the reports (and the split to compare them with) and monitor them."""
    from fsr_opt.engine.ats_monitor import monitor  # noqa: PLC0415

    split = None
    if split_path is not None:
        split = {row.ambito: row.total for row in files.load_split(split_path, rules.ambiti)}
    return monitor(files.load_monitoring(reports_path, rules), split)


def flagged_lines(lines: Sequence[MonitorLine], rules: AtsRules, lang: str) -> list[str]:
    """One screen line per flagged report: the Ambito's name, then what does not add up."""
    w = phrases("ats", lang)
    return [f"  {rules.ambiti.get(m.report.ambito, m.report.ambito)}: "
            + "; ".join(w(f"flag.{f}") for f in m.flags) for m in lines if m.flags]


def monitor_summary(lines: Sequence[MonitorLine], rules: AtsRules, lang: str) -> str:
    """The screen of `ats monitor`: the totals and the flagged reports."""
    w = phrases("ats", lang)
    assigned = sum(m.report.assigned for m in lines)
    spent = sum(m.report.spent for m in lines)
    rate = reports.rate_text(Fraction(spent, assigned) if assigned else Fraction(0), lang)
    text = w("screen_monitor").format(
        count=len(lines), assigned=money(assigned, lang), spent=money(spent, lang), rate=rate,
        surplus=money(sum(m.surplus for m in lines), lang),
        need=money(sum(m.need for m in lines), lang),
        flagged=sum(1 for m in lines if m.flags))
    return "\n".join([text, *flagged_lines(lines, rules, lang)])


def _monitor_part(lines: Sequence[MonitorLine]) -> dict[str, Any]:
    return {m.report.ambito: {"surplus": format_cents(m.surplus), "need": format_cents(m.need),
                              "residual": format_cents(m.residual), "flags": list(m.flags)}
            for m in lines}


def run_monitor(
    rules_path: Path | None, reports_path: Path | None, split_path: Path | None, out: Path, *,
    lang: str = "it",
) -> AtsRun:
    """`fsr-opt ats monitor`: spend rate, residual and unmet demand per Ambito; flags."""
    rules = _rules(rules_path)
    reports_path = _input(reports_path, "monitoring.csv")
    lines = load_monitoring(rules, reports_path, split_path)
    document = reports.record(rules, _hashes(reports=reports_path, split=split_path),
                              monitoring=_monitor_part(lines))
    outputs = {
        "monitor.csv": reports.monitor_csv(lines, rules),
        "monitor.json": json_bytes(document),
        "ats-report.xlsx": reports.report_workbook(rules, lines=lines, lang=lang),
        "ats-report.html": reports.report_html(rules, lines=lines, lang=lang),
    }
    inputs = [p for p in (reports_path, split_path, rules.source) if p is not None]
    written = write_outputs(out, outputs, inputs=inputs)
    return AtsRun(monitor_summary(lines, rules, lang), tuple(written))


def rebalance_summary(
    result: Rebalance, rules: AtsRules, lang: str, monitored: Sequence[MonitorLine] = ()
) -> str:
    """The screen of `ats rebalance`: the count, the money moved, then each transfer.

    The reports that do not add up (`monitored` with flags) follow, as `ats monitor` lists
    them: the transfers were computed from them, and the officer sees them before acting.
    """
    w = phrases("ats", lang)
    coverage = result.stages[0].value if result.stages else Fraction(0)
    lines = [w("screen_rebalance").format(
        count=len(result.transfers), total=money(sum(t.amount for t in result.transfers), lang),
        coverage=percent(coverage * 100, lang))]
    name = rules.ambiti.get
    lines += [f"  {name(t.donor, t.donor)} → {name(t.receiver, t.receiver)}: "
              f"{money(t.amount, lang)}" for t in result.transfers]
    flagged = flagged_lines(monitored, rules, lang)
    if flagged:
        lines += [w("screen_rebalance_flagged").format(count=len(flagged)), *flagged]
    return "\n".join(lines)


def run_rebalance(
    rules_path: Path | None, reports_path: Path | None, split_path: Path | None, out: Path, *,
    solver: str = "cbc", time_limit: float = 60.0, lang: str = "it",
) -> AtsRun:
    """`fsr-opt ats rebalance`: the compensazione MILP, audited, then written."""
    from fsr_opt.engine.ats_rebalance import rebalance  # noqa: PLC0415  (PuLP: only here)

    rules = _rules(rules_path)
    reports_path = _input(reports_path, "monitoring.csv")
    lines = load_monitoring(rules, reports_path, split_path)
    result = rebalance(lines, minimum=rules.minimum_transfer,
                       max_transfers=rules.max_transfers, solver=solver,
                       time_limit=time_limit)
    audit = audit_transfers(rules, [m.report for m in lines], result.transfers)
    _own_audit(audit)
    document = reports.record(
        rules, _hashes(reports=reports_path, split=split_path),
        monitoring=_monitor_part(lines),
        rebalance={
            "solver": {"name": result.solver, "version": result.solver_version},
            "stages": [{"name": s.name, "value": str(s.value)} for s in result.stages],
            "transfers": [{"donor": t.donor, "receiver": t.receiver,
                           "amount": format_cents(t.amount)} for t in result.transfers]},
        audit={"ok": audit.is_ok, "checks": list(audit.checks)})
    outputs = {
        "transfers.csv": reports.transfers_csv(result, lines),
        "after-rebalance.csv": reports.final_csv(result, lines, rules),
        "rebalance.json": json_bytes(document),
        "ats-report.xlsx": reports.report_workbook(rules, lines=lines, result=result,
                                                   lang=lang),
        "ats-report.html": reports.report_html(rules, lines=lines, result=result, lang=lang),
    }
    inputs = [p for p in (reports_path, split_path, rules.source) if p is not None]
    written = write_outputs(out, outputs, inputs=inputs)
    return AtsRun(rebalance_summary(result, rules, lang, lines), tuple(written), audit)


def run_audit(
    rules_path: Path | None, *, split_path: Path | None = None,
    indicators_path: Path | None = None, transfers_path: Path | None = None,
    reports_path: Path | None = None, fund: int | None = None,
) -> list[AtsAudit]:
    """`fsr-opt ats audit`: check a split and/or transfers without the solver.

    The split is checked with its indicators, the transfers with the Ambiti's reports; one
    `AtsAudit` per table given.
    """
    rules = _rules(rules_path)
    audits = []
    if split_path is not None:
        indicators = files.load_indicators(_input(indicators_path, "indicators.csv"), rules)
        rows = files.load_split(split_path, rules.ambiti)
        audits.append(audit_split(rules, indicators, [
            SplitAmount(r.ambito, r.total, r.main, r.set_aside) for r in rows], fund=fund))
    if transfers_path is not None:
        reports_ = files.load_monitoring(_input(reports_path, "monitoring.csv"), rules)
        audits.append(audit_transfers(rules, reports_,
                                      files.load_transfers(transfers_path, rules)))
    return audits
