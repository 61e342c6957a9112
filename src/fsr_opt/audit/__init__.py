"""The audit: re-check any allocation, to the cent, without the solver (`fsr-opt audit`).

Auditors (ATS, revisori dei conti) and planners who compare their own Excel riparto must be
able to check an allocation without trusting our solver: everything an allocation depends on
is recomputed from the inputs, and no solver is imported (an import-linter contract keeps it
so). This package imports nothing; callers import from its modules:

    run           `audit` (an allocation read from a file), `audit_solution` (our own solve)
    allocation    `parse_allocation`: typed rows from a table read as text
    registry      `CHECKS`: every check with its code, kind, rule in words and criteria
    rules         the rule checks every allocation must satisfy
    certificates  the optimality certificates: a failure proves a better allocation exists
    agreement     a run folder's payments.csv, summary.csv and allocation.xlsx against its
                  allocation (folder: those files read back, by heading)
    evidence      what the checks share, computed once per audit
    recomputed    the arithmetic the checks compare with, apart from the engine's code
    report        `AuditReport` and its parts; codes: `CheckCode`
    render        `render_audit` in text, JSON (audit.json) and Markdown
    wording       how amounts and subjects are written in violations
"""
