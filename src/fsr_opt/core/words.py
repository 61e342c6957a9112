"""Every word people read in the reports and screens, in Italian and English, and the formats.

The CSV files stay in the contract's machine format (codes, ``1234.56``). What a planner or the
Assemblea dei Sindaci reads (the workbook, the HTML report, the sweep chart, the what-if,
compare, sweep and explain screens) comes in Italian by default, with ``--lang en`` for
everyone else. Every such word is an entry of `CATALOGUE` (a stable key -> its text per
language) and is read through `text`, the one lookup: a corrected wording, or a new language,
touches this file only, and a later move to a gettext catalogue replaces `text` alone. Codes
such as ``AREA_BUDGET`` never change, only their explanations (`describe`).

Keys are ``namespace.name``: ``word``, ``ownership``, ``reason``, ``binding``, ``check`` and
``residual`` (the residual phase and the money left unassigned, in every summary) are shared;
``workbook``, ``html``, ``chart``, ``diff``, ``sweep``, ``explain``, ``criterion`` and ``web``
(the page of ``fsr-opt serve``) belong to one report or screen.
Texts with ``{placeholders}`` are filled with `str.format`; both languages of a key take the
same placeholders (tested).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from datetime import date
from fractions import Fraction

from fsr_opt.core.money import CENTS_PER_EURO, round_half_up

LANGUAGES = ("it", "en")
DEFAULT_LANGUAGE = "it"


def check_language(lang: str) -> str:
    """Return `lang` if supported; raise ValueError naming the choices otherwise."""
    if lang not in LANGUAGES:
        raise ValueError(f"unknown language '{lang}': use one of {', '.join(LANGUAGES)}")
    return lang


# ---------------------------------------------------------------------------------------------
# The catalogue
# ---------------------------------------------------------------------------------------------

CATALOGUE: Mapping[str, Mapping[str, str]] = {
    # Shared words
    "word.yes": {"it": "sì", "en": "yes"},
    "word.no": {"it": "no", "en": "no"},
    "word.TOTAL": {"it": "TOTALE", "en": "TOTAL"},
    "ownership.public": {"it": "pubblica", "en": "public"},
    "ownership.private": {"it": "privata", "en": "private"},

    # Why a unit gets nothing (exclusion reason codes of allocation.csv)
    "reason.NOT_IN_REGISTRY": {
        "it": "non presente nel registro regionale AFAM",
        "en": "not in the regional AFAM registry",
    },
    "reason.NOT_AUTHORIZED": {
        "it": "priva di autorizzazione al funzionamento o CPE",
        "en": "no authorisation to operate or CPE",
    },
    "reason.OUTSIDE_AMBITO": {
        "it": "ubicata fuori dall'Ambito",
        "en": "located outside the Ambito",
    },
    "reason.STARTED_IN_YEAR": {
        "it": "attività avviata nell'anno del riparto",
        "en": "started in the year of the riparto",
    },
    "reason.CEASED_BEFORE_YEAR": {
        "it": "attività cessata prima dell'anno del riparto",
        "en": "ceased before the year of the riparto",
    },
    "reason.EXPERIMENTAL": {"it": "unità sperimentale", "en": "experimental unit"},
    "reason.MISSING_DATA_DECLARATION": {
        "it": "manca la dichiarazione di assolvimento del debito informativo (Minori Web)",
        "en": "no declaration that the data were entered in Minori Web",
    },
    "reason.NO_DEFICIT": {
        "it": "nessun disavanzo nel {history_year} (costi non superiori ai ricavi)",
        "en": "no deficit in {history_year} (costs not above revenues)",
    },
    "reason.NOT_APPLIED": {
        "it": "istanza di contributo non presentata",
        "en": "no application submitted",
    },
    "reason.BELOW_MINIMUM": {
        "it": "la quota spettante resta sotto il contributo minimo",
        "en": "its share stays below the minimum award",
    },

    # What limits an award (binding codes of allocation.csv)
    "binding.EXCLUDED": {
        "it": "esclusa dai criteri di accesso",
        "en": "excluded by the access criteria",
    },
    "binding.BELOW_MINIMUM": {
        "it": "quota sotto il contributo minimo: nessun contributo",
        "en": "share below the minimum award: nothing awarded",
    },
    "binding.DEFICIT": {
        "it": "riceve l'intero disavanzo (tetto raggiunto)",
        "en": "receives its whole deficit (cap reached)",
    },
    "binding.FORMULA": {
        "it": "riceve l'intero importo della formula quota base + quota per utente (tetto "
              "raggiunto)",
        "en": "receives the whole formula amount, base + rate per user (cap reached)",
    },
    "binding.AREA_BUDGET": {
        "it": "il budget dell'area è esaurito: riceve la quota comune della linea",
        "en": "the area budget is spent: receives the line's common share",
    },
    "binding.EQUAL_SHARE": {
        "it": "riceve la quota comune della linea, fissata dall'andamento storico",
        "en": "receives the line's common share, set by the {history_year} pattern",
    },

    # The audit's checks (English as the audit states them: tests/core/test_words.py)
    "check.UNIT_MISSING": {
        "it": "ogni unità della tabella ha una riga nel riparto",
        "en": "every unit of the units table has a row in the allocation",
    },
    "check.UNIT_DUPLICATED": {
        "it": "nessuna unità ha più di una riga (una riga ripetuta sarebbe pagata due volte)",
        "en": "no unit has more than one row (a repeated row is paid twice)",
    },
    "check.UNIT_UNKNOWN": {
        "it": "ogni riga corrisponde a un'unità della tabella",
        "en": "every row names a unit of the units table",
    },
    "check.INELIGIBLE_PAID": {
        "it": "un'unità che non soddisfa un criterio di accesso riceve 0",
        "en": "a unit failing an access criterion gets 0",
    },
    "check.ELIGIBLE_MISMATCH": {
        "it": "la colonna Ammessa concorda con i criteri di accesso",
        "en": "the eligible column agrees with the access criteria",
    },
    "check.ENTITLEMENT_MISMATCH": {
        "it": "la colonna Spettanza concorda con il tetto ricalcolato",
        "en": "the entitlement column agrees with the recomputed cap",
    },
    "check.BELOW_MINIMUM": {
        "it": "ogni contributo è 0 oppure almeno il contributo minimo",
        "en": "every award is 0 or at least the minimum award",
    },
    "check.ABOVE_ENTITLEMENT": {
        "it": "nessun contributo supera la spettanza (disavanzo, formula, proporzione)",
        "en": "no award exceeds the unit's entitlement (deficit, formula, proration)",
    },
    "check.AREA_BUDGET": {
        "it": "i contributi di ogni area non superano il suo budget",
        "en": "the awards of each area add up to at most its budget",
    },
    "check.BUDGETS_ADD_UP": {
        "it": "i budget delle aree sommano esattamente al fondo ripartibile",
        "en": "the area budgets add up exactly to the distributable fund, each within a cent of "
              "its share",
    },
    "check.EQUAL_SHARE": {
        "it": "le unità finanziate di una linea ricevono la stessa quota della spettanza, al "
              "centesimo",
        "en": "the funded units of a service line get the same share of their entitlement, within "
              "1 cent",
    },
    "check.LEFT_OUT": {
        "it": "nessuna unità ammessa resta a 0 se la quota della linea raggiunge il minimo",
        "en": "no eligible unit gets 0 while its service line's share would reach the minimum",
    },
    "check.SHARE_MISMATCH": {
        "it": "la colonna Quota è la quota della linea di servizio",
        "en": "the share column is the service line's share",
    },
    "check.TRANCHES": {
        "it": "pagamenti: 70% arrotondato al centesimo e il resto, o tutto subito fino alla soglia",
        "en": "payments: 70% rounded half up then the rest, or all at once up to the threshold",
    },
    "check.MONEY_LEFT": {
        "it": "nessuna area lascia fondi che una sua linea potrebbe ricevere",
        "en": "no area leaves money that one of its service lines could take within the rules",
    },
    "check.TRANSFER_IMPROVES": {
        "it": "nessuno spostamento di 1 centesimo tra due linee avvicina entrambe all'andamento "
              "storico",
        "en": "no 1-cent transfer between two service lines of an area brings both closer to "
              "their {history_year} targets",
    },

    # allocation.xlsx: sheet names, column headings, the Verifiche sheet
    "workbook.sheet.allocation": {"it": "Riparto", "en": "Allocation"},
    "workbook.sheet.payments": {"it": "Pagamenti", "en": "Payments"},
    "workbook.sheet.exclusions": {"it": "Esclusioni", "en": "Exclusions"},
    "workbook.sheet.summary": {"it": "Riepilogo", "en": "Summary"},
    "workbook.sheet.checks": {"it": "Verifiche", "en": "Checks"},
    "workbook.column.unit_id": {"it": "Codice unità", "en": "Unit id"},
    "workbook.column.name": {"it": "Denominazione", "en": "Name"},
    "workbook.column.operator": {"it": "Ente gestore", "en": "Operator"},
    "workbook.column.municipality": {"it": "Comune", "en": "Municipality"},
    "workbook.column.unit_type": {"it": "Tipologia", "en": "Unit type"},
    "workbook.column.ownership": {"it": "Natura giuridica", "en": "Ownership"},
    "workbook.column.area": {"it": "Area", "en": "Area"},
    "workbook.column.service": {"it": "Linea di servizio", "en": "Service line"},
    "workbook.column.eligible": {"it": "Ammessa", "en": "Eligible"},
    "workbook.column.exclusion_reasons": {"it": "Motivi di esclusione", "en": "Exclusion reasons"},
    "workbook.column.deficit": {"it": "Disavanzo {history_year}", "en": "{history_year} deficit"},
    "workbook.column.formula_amount": {"it": "Importo da formula", "en": "Formula amount"},
    "workbook.column.proration": {"it": "Proporzione attività", "en": "Proration"},
    "workbook.column.entitlement": {"it": "Spettanza", "en": "Entitlement"},
    "workbook.column.share": {"it": "Quota percentuale", "en": "Share"},
    "workbook.column.award": {"it": "Contributo", "en": "Award"},
    "workbook.column.binding": {"it": "Limite vincolante", "en": "Binding limit"},
    "workbook.column.tranche_1": {"it": "Prima tranche", "en": "First tranche"},
    "workbook.column.tranche_2": {"it": "Seconda tranche", "en": "Second tranche"},
    "workbook.column.units_funded": {"it": "Unità finanziate", "en": "Units funded"},
    "workbook.column.total_award": {"it": "Contributo totale", "en": "Total award"},
    "workbook.column.tranche_1_when": {
        "it": "Prima tranche (dopo l'approvazione)",
        "en": "First tranche (on approval)",
    },
    "workbook.column.tranche_2_when": {
        "it": "Seconda tranche (dopo il debito informativo)",
        "en": "Second tranche (after the data return)",
    },
    "workbook.column.codes": {"it": "Motivi", "en": "Reasons"},
    "workbook.column.why": {"it": "Spiegazione", "en": "Explanation"},
    "workbook.column.label": {"it": "Descrizione", "en": "Description"},
    "workbook.column.budget": {"it": "Budget area", "en": "Area budget"},
    "workbook.column.target": {
        "it": "Obiettivo (andamento storico)",
        "en": "Target ({history_year} pattern)",
    },
    "workbook.column.historical": {
        "it": "Assegnato {history_year}", "en": "Assigned {history_year}"},
    "workbook.column.awarded": {"it": "Assegnato", "en": "Awarded"},
    "workbook.column.deviation": {
        "it": "Scostamento dall'obiettivo",
        "en": "Deviation from target",
    },
    "workbook.column.line_share": {
        "it": "Quota percentuale della linea",
        "en": "Share of the line",
    },
    "workbook.column.units_excluded": {"it": "Unità non finanziate", "en": "Units not funded"},
    "workbook.column.check": {"it": "Verifica", "en": "Check"},
    "workbook.column.description": {"it": "Regola verificata", "en": "Rule checked"},
    "workbook.column.kind": {"it": "Tipo", "en": "Kind"},
    "workbook.column.checked": {"it": "Elementi verificati", "en": "Items checked"},
    "workbook.column.failed": {"it": "Violazioni", "en": "Violations"},
    "workbook.column.outcome": {"it": "Esito", "en": "Outcome"},
    "workbook.column.subject": {"it": "Oggetto", "en": "Subject"},
    "workbook.column.expected": {"it": "Atteso", "en": "Expected"},
    "workbook.column.actual": {"it": "Trovato", "en": "Found"},
    "workbook.column.message": {"it": "Dettaglio", "en": "Detail"},
    "workbook.rule": {"it": "regola", "en": "rule"},
    "workbook.certificate": {"it": "certificato di ottimalità", "en": "optimality certificate"},
    "workbook.passed": {"it": "superata", "en": "passed"},
    "workbook.failed": {"it": "NON superata", "en": "FAILED"},
    "workbook.not_run": {
        "it": "Verifiche non eseguite per questo riparto.",
        "en": "No checks were run for this riparto.",
    },
    "workbook.violations": {"it": "Violazioni", "en": "Violations"},
    "workbook.summary": {
        "it": "Verifiche superate: {passed} su {run}; riparto controllato contro le regole "
              "{rule_set}.",
        "en": "Checks passed: {passed} of {run}; allocation checked against the rules {rule_set}.",
    },

    # report.html
    "html.title": {
        "it": "Riparto del Fondo Sociale Regionale {year}",
        "en": "Riparto of the Fondo Sociale Regionale {year}",
    },
    "html.subtitle": {
        "it": "Ambito territoriale di {ambito} - regole {rule_set} v{version}",
        "en": "Ambito territoriale di {ambito} - rules {rule_set} v{version}",
    },
    "html.summary": {"it": "Sintesi", "en": "Summary"},
    "html.fund": {"it": "Fondo assegnato", "en": "Fund assigned"},
    "html.distributable": {"it": "Fondo ripartibile", "en": "Distributable fund"},
    "html.awarded": {"it": "Totale assegnato", "en": "Total awarded"},
    "html.minimum": {"it": "Contributo minimo", "en": "Minimum award"},
    "html.units": {"it": "Unità", "en": "Units"},
    "html.eligible": {"it": "ammesse", "en": "eligible"},
    "html.funded": {"it": "finanziate", "en": "funded"},
    "html.set_asides": {
        "it": "Accantonamenti (fondo di riserva, altri servizi)",
        "en": "Set-asides (reserve, other services)",
    },
    "html.overrides": {
        "it": "Parametri modificati rispetto alle regole",
        "en": "Parameters changed from the rule set",
    },
    "html.warnings": {"it": "Avvertenze", "en": "Warnings"},
    "html.areas": {"it": "Ripartizione per area", "en": "Split by area"},
    "html.area": {"it": "Area", "en": "Area"},
    "html.share": {"it": "Percentuale", "en": "Share"},
    "html.budget": {"it": "Budget", "en": "Budget"},
    "html.left": {"it": "Non assegnato", "en": "Not awarded"},
    "html.area_chart": {
        "it": "Ripartizione del fondo tra le aree",
        "en": "Split of the fund among the areas",
    },
    "html.services": {
        "it": "Linee di servizio e andamento storico",
        "en": "Service lines and the {history_year} pattern",
    },
    "html.service": {"it": "Linea di servizio", "en": "Service line"},
    "html.historical": {"it": "Assegnato {history_year}", "en": "Assigned {history_year}"},
    "html.target": {"it": "Obiettivo", "en": "Target"},
    "html.deviation": {"it": "Scostamento", "en": "Deviation"},
    "html.lambda": {"it": "Quota della linea", "en": "Share of the line"},
    "html.not_funded": {"it": "Non finanziate", "en": "Not funded"},
    "html.service_chart": {
        "it": "Ogni linea di servizio: assegnato {history_year} e assegnato ora",
        "en": "Each service line: assigned in {history_year} and awarded now",
    },
    "html.legend_hist": {"it": "assegnato {history_year}", "en": "assigned {history_year}"},
    "html.legend_now": {"it": "assegnato", "en": "awarded"},
    "html.distribution": {"it": "Distribuzione dei contributi", "en": "Distribution of the awards"},
    "html.bracket": {"it": "Contributo (EUR)", "en": "Award (EUR)"},
    "html.count": {"it": "Unità", "en": "Units"},
    "html.distribution_chart": {
        "it": "Numero di unità finanziate per fascia di contributo",
        "en": "Funded units per award bracket",
    },
    "html.up_to": {"it": "fino a {high}", "en": "up to {high}"},
    "html.from_to": {"it": "da {low} a {high}", "en": "from {low} to {high}"},
    "html.over": {"it": "oltre {low}", "en": "over {low}"},
    "html.bindings": {
        "it": "Limiti che vincolano i contributi",
        "en": "Limits that bind the awards",
    },
    "html.binding": {"it": "Limite", "en": "Limit"},
    "html.meaning": {"it": "Significato", "en": "Meaning"},
    "html.binding_chart": {
        "it": "Numero di unità per limite vincolante",
        "en": "Units per binding limit",
    },
    "html.payments": {"it": "Pagamenti per ente gestore", "en": "Payments per operator"},
    "html.operator": {"it": "Ente gestore", "en": "Operator"},
    "html.first": {"it": "Prima tranche", "en": "First tranche"},
    "html.second": {"it": "Seconda tranche", "en": "Second tranche"},
    "html.payments_note": {
        "it": "Prima tranche ({first}%) dopo l'approvazione del riparto, seconda dopo "
              "l'approvazione del debito informativo da parte di ATS; i contributi fino a "
              "{threshold} EUR sono erogati in un'unica soluzione.",
        "en": "First tranche ({first}%) after the riparto is approved, second after ATS approves "
              "the data return; awards up to {threshold} EUR are paid at once.",
    },
    "html.show": {"it": "Mostra l'elenco ({n})", "en": "Show the list ({n})"},
    "html.exclusions": {"it": "Unità non finanziate", "en": "Units not funded"},
    "html.unit": {"it": "Unità", "en": "Unit"},
    "html.reasons": {"it": "Motivi", "en": "Reasons"},
    "html.checks": {"it": "Verifiche", "en": "Checks"},
    "html.checks_note": {
        "it": "Il riparto è stato ricontrollato al centesimo, senza solutore: {passed} verifiche "
              "superate su {run}.",
        "en": "The riparto was re-checked to the cent without a solver: {passed} of {run} checks "
              "passed.",
    },
    "html.checks_none": {
        "it": "Nessuna verifica è stata eseguita per questo riparto.",
        "en": "No checks were run for this riparto.",
    },
    "html.check": {"it": "Verifica", "en": "Check"},
    "html.checked": {"it": "Verificati", "en": "Checked"},
    "html.violations": {"it": "Violazioni", "en": "Violations"},
    "html.outcome": {"it": "Esito", "en": "Outcome"},
    "html.passed": {"it": "superata", "en": "passed"},
    "html.failed": {"it": "NON superata", "en": "FAILED"},
    "html.references": {
        "it": "Riferimenti normativi e parametri",
        "en": "Legal references and parameters",
    },
    "html.parameter": {"it": "Parametro", "en": "Parameter"},
    "html.value": {"it": "Valore", "en": "Value"},
    "html.description": {"it": "Descrizione", "en": "Description"},
    "html.reference": {"it": "Riferimento", "en": "Reference"},
    "html.hashes": {
        "it": "Impronte dei file di input (SHA-256)",
        "en": "Fingerprints of the input files (SHA-256)",
    },
    "html.file": {"it": "File", "en": "File"},
    "html.sha": {"it": "SHA-256", "en": "SHA-256"},
    "html.footer": {
        "it": "Prodotto da fsr-opt {version}, solutore {solver}. Le cifre sono in euro; i calcoli "
              "sono esatti al centesimo.",
        "en": "Produced by fsr-opt {version}, solver {solver}. Figures in euros, exact to the "
              "cent.",
    },

    # sweep.png
    "chart.budget": {"it": "Fondo dell'Ambito (EUR)", "en": "Ambito fund (EUR)"},
    "chart.share": {"it": "Percentuale dell'area {area} (%)", "en": "Share of area {area} (%)"},
    "chart.awarded": {
        "it": "Assegnato per linea di servizio (EUR)",
        "en": "Awarded per service line (EUR)",
    },
    "chart.title": {
        "it": "Riparto FSR {year}, Ambito di {ambito}: assegnato al variare {what}",
        "en": "FSR {year} riparto, Ambito di {ambito}: awarded against {what}",
    },
    "chart.fund": {"it": "del fondo", "en": "the fund"},
    "chart.share_of": {"it": "della quota dell'area {area}", "en": "the {area} share"},
    "chart.interrupted": {
        "it": "interrotto: {done} punti su {total}",
        "en": "interrupted: {done} of {total} points",
    },

    # The what-if and compare screen
    "diff.title": {
        "it": "Confronto: {base} -> {scenario}",
        "en": "Comparison: {base} -> {scenario}",
    },
    "diff.awarded": {"it": "assegnato", "en": "awarded"},
    "diff.distance": {"it": "distanza dal {history_year}", "en": "distance from {history_year}"},
    "diff.distance_historical": {"it": "distanza dallo storico",
                                 "en": "distance from history"},
    "diff.area": {"it": "area / linea", "en": "area / line"},
    "diff.base": {"it": "base", "en": "base"},
    "diff.scenario": {"it": "scenario", "en": "scenario"},
    "diff.change": {"it": "differenza", "en": "change"},
    "diff.budget": {
        "it": "budget {before} -> {after} ({delta})",
        "en": "budget {before} -> {after} ({delta})",
    },
    "diff.units": {
        "it": "unità: {GAINS} aumentano, {LOSES} diminuiscono, {ENTERS} entrano nel "
              "finanziamento, {LEAVES} ne escono;\n  il limite vincolante cambia per {binding}",
        "en": "units: {GAINS} gain, {LOSES} lose, {ENTERS} enter funding, {LEAVES} leave it;\n  "
              "the binding limit changes for {binding}",
    },
    "diff.only": {
        "it": "{ONLY_BASE} unità solo nella base, {ONLY_SCENARIO} solo nello scenario",
        "en": "{ONLY_BASE} units only in the base, {ONLY_SCENARIO} only in the scenario",
    },
    "diff.largest": {"it": "variazioni maggiori:", "en": "largest changes:"},
    "diff.none": {"it": "nessuna unità cambia contributo", "en": "no unit's award changes"},
    "diff.more": {
        "it": "  ... e altre {n} (elenco completo in {file})",
        "en": "  ... and {n} more (full list in {file})",
    },

    # The sweep screen
    "sweep.title": {
        "it": "Sweep di {option}: {done} punti su {total}",
        "en": "Sweep of {option}: {done} of {total} points",
    },
    "sweep.funded": {"it": "finanziate", "en": "funded"},
    "sweep.status": {"it": "esito", "en": "status"},
    "sweep.more": {
        "it": "... e altri {n} punti (tabella completa in sweep.csv)",
        "en": "... and {n} more points (full table in sweep.csv)",
    },
    "sweep.interrupted": {
        "it": "INTERROTTO: conservati i {done} punti completati su {total}",
        "en": "INTERRUPTED: kept the {done} finished points of {total}",
    },

    # The explain screen
    "explain.title": {"it": "Unità {id}: {name}", "en": "Unit {id}: {name}"},
    "explain.who": {
        "it": "ente gestore {operator}\ncomune {municipality}; tipologia {type} ({label}), "
              "{ownership}",
        "en": "operator {operator}\nmunicipality {municipality}; type {type} ({label}), "
              "{ownership}",
    },
    "explain.where": {
        "it": "area {area}, linea di servizio {service}",
        "en": "area {area}, service line {service}",
    },
    "explain.access": {"it": "Criteri di accesso", "en": "Access criteria"},
    "explain.pass": {"it": "ok", "en": "ok"},
    "explain.fail": {"it": "NO", "en": "NO"},
    "explain.off": {"it": "--", "en": "--"},
    "explain.eligible": {"it": "esito: ammessa", "en": "result: eligible"},
    "explain.excluded": {"it": "esito: esclusa ({codes})", "en": "result: excluded ({codes})"},
    "explain.cap": {"it": "Importo spettante (tetto)", "en": "Entitlement (cap)"},
    "explain.deficit": {
        "it": "disavanzo {history_year} = costi {costs} - ricavi {revenues} = {deficit}",
        "en": "{history_year} deficit = costs {costs} - revenues {revenues} = {deficit}",
    },
    "explain.formula": {
        "it": "formula ({cls}) = base {base} + {rate} x {users} utenti = {amount}",
        "en": "formula ({cls}) = base {base} + {rate} x {users} users = {amount}",
    },
    "explain.no_formula": {
        "it": "nessuna formula: {why}; tetto = disavanzo",
        "en": "no formula: {why}; cap = deficit",
    },
    "explain.why_public": {
        "it": "unità pubblica o servizio comunale, quota proporzionale al costo",
        "en": "public unit or municipal service, funded in proportion to its cost",
    },
    "explain.cap_is": {
        "it": "tetto = {rule} = {cap} ({source})",
        "en": "cap = {rule} = {cap} ({source})",
    },
    "explain.proration": {
        "it": "proporzione attività {days}/{year_days} giorni (cessata il {end})",
        "en": "proration {days}/{year_days} days of activity (ceased on {end})",
    },
    "explain.full_year": {
        "it": "attiva tutto l'anno: proporzione 1",
        "en": "active all year: proration 1",
    },
    "explain.entitlement": {
        "it": "spettanza = {cap} x {proration}, per difetto al centesimo = {value}",
        "en": "entitlement = {cap} x {proration}, floored to the cent = {value}",
    },
    "explain.entitlement_zero": {
        "it": "spettanza 0: esclusa dai criteri di accesso",
        "en": "entitlement 0: excluded by the access criteria",
    },
    "explain.entitlement_full": {
        "it": "spettanza = tetto = {value}",
        "en": "entitlement = cap = {value}",
    },
    "explain.share": {
        "it": "Quota della linea {service}: lambda = {share} ({awarded} su {funded} di spettanze "
              "finanziate)",
        "en": "Share of line {service}: lambda = {share} ({awarded} of {funded} funded "
              "entitlements)",
    },
    "explain.no_share": {
        "it": "Linea {service}: nessuna unità finanziata",
        "en": "Line {service}: no unit funded",
    },
    "explain.award": {
        "it": "contributo = {award}; minimo {minimum}",
        "en": "award = {award}; minimum {minimum}",
    },
    "explain.exact": {
        "it": "  lambda x spettanza = {exact} EUR, arrotondato al centesimo",
        "en": "  lambda x entitlement = {exact} EUR, rounded to the cent",
    },
    "explain.binding": {
        "it": "limite vincolante: {code}\n    {text}",
        "en": "binding limit: {code}\n    {text}",
    },
    "explain.budget": {
        "it": "budget area {area}: {budget}, assegnato {spent}",
        "en": "area {area} budget: {budget}, awarded {spent}",
    },
    "explain.payments": {
        "it": "pagamenti: prima tranche {first}, seconda tranche {second}",
        "en": "payments: first tranche {first}, second tranche {second}",
    },
    "explain.single": {
        "it": "\n    importo fino a {threshold}: pagato in un'unica soluzione",
        "en": "\n    award up to {threshold}: paid at once",
    },
    "explain.formula_min": {"it": "min(disavanzo, formula)", "en": "min(deficit, formula)"},
    "explain.deficit_only": {"it": "disavanzo", "en": "deficit"},

    # The explain screen: each access criterion with the unit's data
    "criterion.NOT_IN_REGISTRY": {
        "it": "presente in AFAM: {registry}",
        "en": "in AFAM: {registry}",
    },
    "criterion.NOT_AUTHORIZED": {
        "it": "autorizzazione/CPE: {authorized}",
        "en": "authorisation/CPE: {authorized}",
    },
    "criterion.OUTSIDE_AMBITO": {
        "it": "comune {municipality} {inside} comuni dell'Ambito",
        "en": "municipality {municipality} {inside} the Ambito's municipalities",
    },
    "criterion.STARTED_IN_YEAR": {
        "it": "inizio attività {start}; escluse se dal {year_start}",
        "en": "started {start}; excluded from {year_start}",
    },
    "criterion.CEASED_BEFORE_YEAR": {"it": "cessazione: {end}", "en": "ceased: {end}"},
    "criterion.EXPERIMENTAL": {
        "it": "sperimentale: {experimental}; mantiene i requisiti: {keeps}",
        "en": "experimental: {experimental}; keeps requirements: {keeps}",
    },
    "criterion.MISSING_DATA_DECLARATION": {
        "it": "dichiarazione Minori Web: {declared}",
        "en": "Minori Web declaration: {declared}",
    },
    "criterion.NO_DEFICIT": {"it": "disavanzo {deficit}", "en": "deficit {deficit}"},
    "criterion.NOT_APPLIED": {
        "it": "istanza presentata: {applied}",
        "en": "application submitted: {applied}",
    },
    "criterion.switched_off": {
        "it": "criterio non applicato dalle regole",
        "en": "criterion switched off by the rules",
    },
    "criterion.not_applicable": {
        "it": "non richiesto per questa tipologia",
        "en": "not required for this type",
    },
    "criterion.none": {"it": "nessuna", "en": "none"},
    "criterion.among": {"it": "è tra i", "en": "among"},
    "criterion.not_among": {"it": "non è tra i", "en": "not among"},

    # fsr-opt serve: the planners' what-if page (fsr_opt.web). ``web.js.*`` are read by its
    # script; ``web.fix.<CODE>`` is the advice shown next to a problem with that code.
    "web.page.title": {"it": "Riparto FSR: simulazioni", "en": "FSR riparto: what-if"},
    "web.page.skip": {"it": "Vai ai risultati", "en": "Skip to the results"},
    "web.page.loading": {"it": "Caricamento…", "en": "Loading…"},
    "web.page.language": {"it": "Lingua", "en": "Language"},
    "web.page.busy": {"it": "Calcolo in corso…", "en": "Computing…"},
    "web.page.footer": {
        "it": "i dati restano su questo computer: la pagina non contatta nessun altro indirizzo",
        "en": "the data stay on this computer: the page contacts no other address",
    },
    "web.data.title": {"it": "Dati", "en": "Data"},
    "web.data.units": {"it": "Unità", "en": "Units"},
    "web.data.rules": {"it": "Regole", "en": "Rules"},
    "web.data.upload_units": {
        "it": "Carica la tabella delle unità (Excel o CSV)",
        "en": "Upload the units table (Excel or CSV)",
    },
    "web.data.upload_rules": {
        "it": "Carica un set di regole (YAML o TOML)",
        "en": "Upload a rule set (YAML or TOML)",
    },
    "web.data.example": {"it": "Usa l'esempio incluso", "en": "Use the bundled example"},
    "web.data.template": {"it": "Scarica il modello Excel", "en": "Download the Excel template"},
    "web.data.hint": {
        "it": "File fino a {mb} MB. Una tabella con errori non sostituisce quella in uso: "
              "la pagina elenca ogni problema con riga e colonna.",
        "en": "Files up to {mb} MB. A table with errors does not replace the one in use: the "
              "page lists every problem with its row and column.",
    },
    "web.params.title": {"it": "Parametri", "en": "Parameters"},
    "web.control.fund": {"it": "Fondo dell'Ambito", "en": "Ambito fund"},
    "web.control.minimum": {"it": "Contributo minimo", "en": "Minimum award"},
    "web.control.shares": {
        "it": "Quote per area (sempre 100%: spostandone una, le altre si riducono o crescono "
              "in proporzione)",
        "en": "Shares per area (always 100%: moving one moves the others in proportion)",
    },
    "web.control.historical": {
        "it": "Assegnato {history_year} per linea di servizio",
        "en": "{history_year} amount per service line",
    },
    "web.control.historical_hint": {
        "it": "Il riparto segue l'andamento storico: cambiare una cifra sposta gli obiettivi "
              "delle linee della stessa area.",
        "en": "The riparto follows the {history_year} pattern: changing a figure moves the "
              "targets of the lines of the same area.",
    },
    "web.control.switches": {"it": "Criteri di accesso", "en": "Access criteria"},
    "web.control.switches_hint": {
        "it": "Un criterio spento non esclude più nessuna unità.",
        "en": "A criterion switched off no longer excludes any unit.",
    },
    "web.control.residual": {"it": "Residui", "en": "Residuals"},
    "web.control.reset": {"it": "Torna alle regole approvate", "en": "Back to the approved rules"},
    "web.control.command": {"it": "Stesso riparto da riga di comando:",
                            "en": "Same riparto on the command line:"},
    "web.scenarios.title": {"it": "Scenari", "en": "Scenarios"},
    "web.scenarios.name": {"it": "Nome dello scenario", "en": "Scenario name"},
    "web.scenarios.placeholder": {"it": "es. Fondo ridotto 5%", "en": "e.g. Fund cut by 5%"},
    "web.scenarios.save": {"it": "Salva scenario", "en": "Save scenario"},
    "web.scenarios.hint": {
        "it": "Salva il riparto mostrato con un nome per confrontarlo con altri.",
        "en": "Save the riparto shown under a name to compare it with others.",
    },
    "web.scenarios.side_hint": {
        "it": "Base: le regole approvate. Scenario corrente: i parametri in modifica. Gli altri "
              "sono gli scenari salvati.",
        "en": "Baseline: the approved rules. Current scenario: the parameters being edited. The "
              "others are the saved scenarios.",
    },
    "web.tab.riparto": {"it": "Riparto", "en": "Riparto"},
    "web.tab.units": {"it": "Unità", "en": "Units"},
    "web.tab.scenarios": {"it": "Scenari e confronto", "en": "Scenarios and comparison"},
    "web.result.areas": {"it": "Aree", "en": "Areas"},
    "web.result.lines": {"it": "Linee di servizio", "en": "Service lines"},
    "web.result.difference": {"it": "Differenze dalla base", "en": "Difference from the baseline"},
    "web.result.charts": {"it": "Grafici del report", "en": "Charts of the report"},
    "web.units.search": {"it": "Cerca", "en": "Search"},
    "web.units.search_hint": {"it": "codice, nome, ente, comune…",
                              "en": "id, name, operator, municipality…"},
    "web.units.municipality": {"it": "Comune", "en": "Municipality"},
    "web.units.operator": {"it": "Ente gestore", "en": "Operator"},
    "web.units.service": {"it": "Linea di servizio", "en": "Service line"},
    "web.units.funded": {"it": "Finanziata", "en": "Funded"},
    "web.units.change": {"it": "Rispetto alla base", "en": "Against the baseline"},
    "web.units.previous": {"it": "Precedenti", "en": "Previous"},
    "web.units.next": {"it": "Successive", "en": "Next"},
    "web.compare.title": {"it": "Confronta due scenari", "en": "Compare two scenarios"},
    "web.compare.first": {"it": "Primo (riferimento)", "en": "First (reference)"},
    "web.compare.second": {"it": "Secondo", "en": "Second"},
    "web.compare.button": {"it": "Confronta", "en": "Compare"},
    "web.explain.close": {"it": "Chiudi", "en": "Close"},
    "web.scenario.base": {"it": "Base", "en": "Baseline"},
    "web.scenario.current": {"it": "Scenario corrente", "en": "Current scenario"},
    "web.switch.require_registry": {
        "it": "Presenza nel registro AFAM", "en": "Listed in the AFAM registry"},
    "web.switch.require_authorization": {
        "it": "Autorizzazione al funzionamento o CPE", "en": "Authorisation to operate or CPE"},
    "web.switch.require_in_ambito": {
        "it": "Ubicazione nell'Ambito", "en": "Located in the Ambito"},
    "web.switch.exclude_started_in_year": {
        "it": "Escludi le unità avviate nell'anno", "en": "Exclude units started in the year"},
    "web.switch.exclude_ceased_before_year": {
        "it": "Escludi le unità cessate prima dell'anno",
        "en": "Exclude units ceased before the year"},
    "web.switch.exclude_experimental": {
        "it": "Escludi le unità sperimentali", "en": "Exclude experimental units"},
    "web.switch.require_data_declaration": {
        "it": "Dichiarazione Minori Web", "en": "Minori Web declaration"},
    "web.switch.require_deficit": {"it": "Disavanzo nel {history_year}",
                                   "en": "A {history_year} deficit"},
    "web.switch.require_application": {
        "it": "Istanza di contributo presentata", "en": "Application submitted"},
    "web.residual.none": {"it": "Nessuna redistribuzione", "en": "No redistribution"},
    "web.residual.area": {"it": "Entro la stessa area", "en": "Within the same area"},
    "web.residual.fondo": {"it": "Sull'intero fondo", "en": "Across the whole fund"},
    "web.refused.host": {
        "it": "Richiesta rifiutata: questa pagina risponde solo dal computer su cui gira "
              "fsr-opt serve (indirizzo 127.0.0.1).",
        "en": "Request refused: this page answers only on the computer running fsr-opt serve "
              "(address 127.0.0.1).",
    },
    "web.refused.token": {
        "it": "Accesso negato: apri il link con il codice di accesso stampato all'avvio di "
              "fsr-opt serve.",
        "en": "Access denied: open the link with the access token printed when fsr-opt serve "
              "started.",
    },
    "web.refused.origin": {
        "it": "Richiesta rifiutata: le modifiche si fanno solo dalla pagina di fsr-opt serve.",
        "en": "Request refused: changes are made only from the fsr-opt serve page.",
    },
    "web.error.input": {"it": "Errore nei dati", "en": "Error in the data"},
    "web.error.rules": {"it": "Errore nelle regole o nei parametri",
                        "en": "Error in the rules or the parameters"},
    "web.error.infeasible": {
        "it": "Le regole non possono valere tutte insieme: nessun riparto le rispetta",
        "en": "The rules cannot all hold: no riparto satisfies them",
    },
    "web.error.solver": {"it": "Il calcolo non è riuscito", "en": "The computation failed"},
    "web.error.time_limit": {
        "it": "Il calcolo ha superato il tempo massimo e si è fermato senza un riparto certo",
        "en": "The computation reached its time limit and stopped without a proven riparto",
    },
    "web.error.other": {"it": "Errore", "en": "Error"},
    "web.error.internal": {
        "it": "Errore interno di fsr-opt: l'operazione non è stata eseguita (segnalalo, con il "
              "file usato)",
        "en": "Internal error of fsr-opt: nothing was done (please report it, with the file "
              "used)",
    },
    "web.error.kept": {
        "it": "I dati e il riparto mostrati restano quelli di prima.",
        "en": "The data and the riparto shown stay as they were.",
    },
    "web.error.too_large": {
        "it": "il file '{name}' supera il limite di {limit} MB; controlla che sia il file "
              "giusto",
        "en": "the file '{name}' is over the limit of {limit} MB; check it is the right file",
    },
    "web.error.no_template": {
        "it": "il modello Excel non è disponibile in questa installazione",
        "en": "the Excel template is not available in this installation",
    },
    "web.error.amount": {
        "it": "{label}: '{value}' non è un importo in euro con al massimo due decimali "
              "(es. 850.000,00)",
        "en": "{label}: '{value}' is not an amount in euros with at most two decimals "
              "(e.g. 850,000.00)",
    },
    "web.error.percent": {
        "it": "{label}: '{value}' non è una percentuale tra 0 e 100 con al massimo due "
              "decimali (es. 12,5)",
        "en": "{label}: '{value}' is not a percentage from 0 to 100 with at most two "
              "decimals (e.g. 12.5)",
    },
    "web.error.name_empty": {"it": "dai un nome allo scenario",
                             "en": "give the scenario a name"},
    "web.error.name_long": {"it": "il nome supera i {limit} caratteri",
                            "en": "the name is longer than {limit} characters"},
    "web.error.name_taken": {"it": "esiste già uno scenario '{name}': scegli un altro nome",
                             "en": "a scenario '{name}' exists already: choose another name"},
    "web.error.too_many": {
        "it": "al massimo {limit} scenari salvati: eliminane uno",
        "en": "at most {limit} saved scenarios: delete one",
    },
    "web.error.no_scenario": {
        "it": "lo scenario '{key}' non esiste più: ricarica la pagina",
        "en": "the scenario '{key}' no longer exists: reload the page",
    },
    "web.download.compare_stem": {"it": "confronto", "en": "comparison"},
    "web.download.readme": {
        "it": "Riparto FSR {year}, Ambito di {ambito}: scenario \"{scenario}\"\n"
              "Scaricato da fsr-opt serve.\n\n"
              "Dati: {units}; regole: {rules} (nella cartella dati/).\n"
              "Parametri cambiati rispetto alle regole: {options}\n\n"
              "Per verificare il riparto al centesimo, senza risolutore, da questa cartella:\n"
              "  {audit}\n\n"
              "Per ricalcolarlo da capo:\n"
              "  {solve}\n",
        "en": "FSR riparto {year}, Ambito of {ambito}: scenario \"{scenario}\"\n"
              "Downloaded from fsr-opt serve.\n\n"
              "Data: {units}; rules: {rules} (in the folder dati/).\n"
              "Parameters changed from the rules: {options}\n\n"
              "To audit the riparto to the cent, without a solver, from this folder:\n"
              "  {audit}\n\n"
              "To compute it again:\n"
              "  {solve}\n",
    },
    "web.book.title": {"it": "Confronto: {base} e {scenario}",
                       "en": "Comparison: {base} and {scenario}"},
    "web.book.units": {"it": "Unità", "en": "Units"},
    "web.book.lines": {"it": "Aree e linee", "en": "Areas and lines"},
    "web.js.error_unknown": {"it": "Errore", "en": "Error"},
    "web.js.error_network": {
        "it": "Il server di fsr-opt non risponde: è ancora in esecuzione?",
        "en": "The fsr-opt server does not answer: is it still running?",
    },
    "web.js.problems_one": {"it": "1 problema:", "en": "1 problem:"},
    "web.js.problems_many": {"it": "{n} problemi, tutti insieme:",
                             "en": "{n} problems, all at once:"},
    "web.js.file": {"it": "File", "en": "File"},
    "web.js.row": {"it": "Riga", "en": "Row"},
    "web.js.column": {"it": "Colonna", "en": "Column"},
    "web.js.message": {"it": "Problema", "en": "Problem"},
    "web.js.fix": {"it": "Come correggere", "en": "How to fix it"},
    "web.js.close": {"it": "Chiudi", "en": "Close"},
    "web.js.kept": {
        "it": "I dati e il riparto mostrati restano quelli di prima.",
        "en": "The data and the riparto shown stay as they were.",
    },
    "web.js.too_large": {
        "it": "Il file '{name}' supera il limite di {mb} MB",
        "en": "The file '{name}' is over the limit of {mb} MB",
    },
    "web.js.subtitle": {"it": "Ambito di {ambito}, anno {year}; regole {rule_set}",
                        "en": "Ambito of {ambito}, year {year}; rules {rule_set}"},
    "web.js.units_now": {"it": "{name} ({n} unità)", "en": "{name} ({n} units)"},
    "web.js.warnings": {"it": "Da controllare", "en": "To check"},
    "web.js.was": {"it": "regole: {value}", "en": "rules: {value}"},
    "web.js.moved": {
        "it": "{area} portata a {after}; le altre aree in proporzione: {others}.",
        "en": "{area} set to {after}; the other areas in proportion: {others}.",
    },
    "web.js.residual": {"it": "Residui", "en": "Residuals"},
    "web.js.residual_rules": {"it": "Come nelle regole", "en": "As in the rules"},
    "web.js.residual_missing": {
        "it": "Il set di regole non ha la sezione dei residui: il denaro che un'area non "
              "riesce ad assegnare resta non assegnato (colonna «Non assegnato»).",
        "en": "The rule set has no residual section: money an area cannot award stays "
              "unassigned (column \"Not assigned\").",
    },
    "web.js.no_changes": {"it": "nessuna modifica: le regole approvate",
                          "en": "no change: the approved rules"},
    "web.js.fund": {"it": "Fondo", "en": "Fund"},
    "web.js.distributable": {"it": "Ripartibile", "en": "Distributable"},
    "web.js.awarded": {"it": "Assegnato", "en": "Awarded"},
    "web.js.unassigned": {"it": "Non assegnato", "en": "Not assigned"},
    "web.js.funded_units": {"it": "Unità finanziate / ammesse / totali",
                            "en": "Units funded / eligible / all"},
    "web.js.funded_units_short": {"it": "Unità finanziate", "en": "Units funded"},
    "web.js.solved_in": {"it": "Calcolato in", "en": "Solved in"},
    "web.js.download": {"it": "Scarica", "en": "Download"},
    "web.js.run_folder": {"it": "cartella completa (zip)", "en": "whole run folder (zip)"},
    "web.js.total": {"it": "TOTALE", "en": "TOTAL"},
    "web.js.area": {"it": "Area", "en": "Area"},
    "web.js.share": {"it": "Quota", "en": "Share"},
    "web.js.shares": {"it": "Quote", "en": "Shares"},
    "web.js.budget": {"it": "Budget", "en": "Budget"},
    "web.js.vs_base": {"it": "Rispetto alla base", "en": "Against the baseline"},
    "web.js.service": {"it": "Linea di servizio", "en": "Service line"},
    "web.js.historical": {"it": "Assegnato {history_year}", "en": "Assigned {history_year}"},
    "web.js.target": {"it": "Obiettivo", "en": "Target"},
    "web.js.deviation": {"it": "Scostamento", "en": "Deviation"},
    "web.js.lambda": {"it": "Quota della linea", "en": "Share of the line"},
    "web.js.funded": {"it": "Finanziate", "en": "Funded"},
    "web.js.not_funded": {"it": "Non finanziate", "en": "Not funded"},
    "web.js.difference_none": {
        "it": "Stai guardando la base: cambia un parametro per vedere chi guadagna e chi perde.",
        "en": "This is the baseline: change a parameter to see who gains and who loses.",
    },
    "web.js.enters": {"it": "entrano nel finanziamento", "en": "enter funding"},
    "web.js.leaves": {"it": "escono dal finanziamento", "en": "leave funding"},
    "web.js.gains": {"it": "guadagnano", "en": "gain"},
    "web.js.loses": {"it": "perdono", "en": "lose"},
    "web.js.unchanged": {"it": "invariate", "en": "unchanged"},
    "web.js.binding_changes": {"it": "cambiano limite", "en": "change binding limit"},
    "web.js.unit": {"it": "Codice", "en": "Id"},
    "web.js.name": {"it": "Denominazione", "en": "Name"},
    "web.js.before": {"it": "Prima", "en": "Before"},
    "web.js.after": {"it": "Dopo", "en": "After"},
    "web.js.change_amount": {"it": "Variazione", "en": "Change"},
    "web.js.binding": {"it": "Limite", "en": "Limit"},
    "web.js.largest": {
        "it": "Le {n} variazioni maggiori (su {total} unità che cambiano; tutte nella scheda "
              "Unità):",
        "en": "The {n} largest changes (of {total} units that change; all in the Units tab):",
    },
    "web.js.operator": {"it": "Ente gestore", "en": "Operator"},
    "web.js.municipality": {"it": "Comune", "en": "Municipality"},
    "web.js.entitlement": {"it": "Spettanza", "en": "Entitlement"},
    "web.js.award": {"it": "Contributo", "en": "Award"},
    "web.js.base_award": {"it": "Contributo base", "en": "Baseline award"},
    "web.js.all": {"it": "tutti", "en": "all"},
    "web.js.funded_yes": {"it": "sì", "en": "yes"},
    "web.js.funded_no": {"it": "no", "en": "no"},
    "web.js.excluded": {"it": "esclusa dai criteri", "en": "excluded by the criteria"},
    "web.js.units_count": {"it": "{shown} unità su {total}", "en": "{shown} units of {total}"},
    "web.js.page_of": {"it": "pagina {page} di {pages}", "en": "page {page} of {pages}"},
    "web.js.minimum": {"it": "Contributo minimo", "en": "Minimum award"},
    "web.js.data": {"it": "Dati", "en": "Data"},
    "web.js.delete": {"it": "elimina", "en": "delete"},
    "web.js.compared": {"it": "{first} → {second}", "en": "{first} → {second}"},
    "web.js.download_compare": {
        "it": "Scarica il confronto (Excel e CSV, zip)",
        "en": "Download the comparison (Excel and CSV, zip)",
    },
    "web.fix.FILE_NOT_FOUND": {
        "it": "controlla il nome del file e caricalo di nuovo",
        "en": "check the file name and upload it again",
    },
    "web.fix.NOT_A_FILE": {
        "it": "carica un file, non una cartella",
        "en": "upload a file, not a folder",
    },
    "web.fix.UNREADABLE": {
        "it": "controlla che il file non sia aperto o protetto e riprova",
        "en": "check the file is not open or protected and try again",
    },
    "web.fix.UNSUPPORTED_FORMAT": {
        "it": "salva la tabella come .xlsx o CSV UTF-8; le regole come .yaml",
        "en": "save the table as .xlsx or CSV UTF-8; the rules as .yaml",
    },
    "web.fix.NOT_A_SPREADSHEET": {
        "it": "apri il file in Excel e salvalo di nuovo come .xlsx (o Salva con nome > CSV UTF-8)",
        "en": "open the file in Excel and save it again as .xlsx (or Save as > CSV UTF-8)",
    },
    "web.fix.ENCODING": {
        "it": "in Excel: Salva con nome > CSV UTF-8",
        "en": "in Excel: Save as > CSV UTF-8",
    },
    "web.fix.EMPTY_FILE": {"it": "esporta di nuovo la tabella", "en": "export the table again"},
    "web.fix.FILE_TOO_LARGE": {
        "it": "controlla che sia il file giusto; copia solo la tabella in una "
              "cartella di lavoro nuova",
        "en": "check it is the right file; copy just the table into a new workbook",
    },
    "web.fix.TOO_MANY_ROWS": {
        "it": "controlla che sia il file giusto, o dividilo",
        "en": "check it is the right file, or split it",
    },
    "web.fix.CSV_SYNTAX": {
        "it": "correggi le virgolette intorno al valore indicato",
        "en": "fix the quotes around the value named",
    },
    "web.fix.SHEET_NOT_FOUND": {
        "it": "tieni la tabella in un solo foglio, o chiama il foglio «Unità»",
        "en": "keep the table in one sheet, or name its sheet \"Unità\"",
    },
    "web.fix.MERGED_HEADER": {
        "it": "separa le celle unite: ogni colonna ha la sua intestazione",
        "en": "unmerge the cells: every column needs its own heading",
    },
    "web.fix.WRONG_COLUMNS": {
        "it": "usa le intestazioni del modello Excel (Codice unità, Denominazione, ...)",
        "en": "use the headings of the Excel template (Codice unità, Denominazione, ...)",
    },
    "web.fix.MISSING_COLUMN": {"it": "aggiungi la colonna indicata", "en": "add the column named"},
    "web.fix.DUPLICATE_COLUMN": {
        "it": "tieni una sola delle due colonne",
        "en": "keep one of the two columns",
    },
    "web.fix.HEADER_NOT_FIRST": {
        "it": "cancella le righe sopra le intestazioni",
        "en": "delete the rows above the headings",
    },
    "web.fix.REPEATED_HEADER": {
        "it": "cancella la riga ripetuta e controlla che nessuna unità sia elencata due volte",
        "en": "delete the repeated row and check no unit is listed twice",
    },
    "web.fix.ROW_TOO_LONG": {
        "it": "metti il valore tra virgolette, o dai un'intestazione alla colonna",
        "en": "quote the value, or give the column a heading",
    },
    "web.fix.EMPTY_VALUE": {"it": "compila la cella", "en": "fill in the cell"},
    "web.fix.MERGED_CELL": {
        "it": "separa le celle unite e compila ciascuna",
        "en": "unmerge and fill every cell",
    },
    "web.fix.NOT_A_NUMBER": {
        "it": "scrivi il numero; formatta la colonna come numero con due decimali",
        "en": "type the number; format the column as a number with two decimals",
    },
    "web.fix.AMBIGUOUS_NUMBER": {
        "it": "scrivi l'importo senza separatore delle migliaia (1234,00)",
        "en": "write the amount without thousands separators (1234.00)",
    },
    "web.fix.MIXED_NUMBER_FORMAT": {
        "it": "scrivi tutti gli importi nello stesso modo",
        "en": "write every amount the same way",
    },
    "web.fix.TOO_MANY_DECIMALS": {"it": "arrotonda al centesimo", "en": "round it to the cent"},
    "web.fix.NEGATIVE": {
        "it": "importi e utenti sono 0 o più; un avanzo è costi minori dei ricavi",
        "en": "amounts and users are 0 or more; a surplus is costs below revenues",
    },
    "web.fix.TOO_LARGE": {
        "it": "probabile errore di battitura: controlla la cifra",
        "en": "probably a typing error: check the figure",
    },
    "web.fix.NOT_AN_INTEGER": {"it": "scrivi un numero intero", "en": "write a whole number"},
    "web.fix.NOT_A_DATE": {
        "it": "scrivi la data come GG/MM/AAAA o AAAA-MM-GG",
        "en": "write the date as DD/MM/YYYY or YYYY-MM-DD",
    },
    "web.fix.NOT_A_BOOLEAN": {"it": "scrivi sì o no", "en": "write yes or no"},
    "web.fix.BAD_OWNERSHIP": {"it": "scrivi pubblica o privata", "en": "write public or private"},
    "web.fix.FORMULA_CELL": {
        "it": "apri e salva il file in Excel, o scrivi il valore",
        "en": "open and save the file in Excel, or type the value",
    },
    "web.fix.EXCEL_ERROR": {
        "it": "correggi la formula o scrivi il valore",
        "en": "correct the formula or type the value",
    },
    "web.fix.DUPLICATE_ID": {
        "it": "dai a ogni unità un codice diverso",
        "en": "give every unit its own id",
    },
    "web.fix.END_BEFORE_START": {
        "it": "correggi una delle due date",
        "en": "correct one of the two dates",
    },
    "web.fix.NO_ROWS": {"it": "aggiungi una riga per ogni unità", "en": "add one row per unit"},
    "web.fix.UNKNOWN_TYPE": {
        "it": "usa uno dei codici di tipologia elencati nel messaggio",
        "en": "use one of the unit type codes the message lists",
    },
    "web.fix.SEVERAL_AMBITI": {
        "it": "tieni le righe di un solo Ambito (più Ambiti: fsr-opt region)",
        "en": "keep one Ambito's rows (several Ambiti: fsr-opt region)",
    },
    "web.fix.MISSING_TOTAL": {"it": "ricalcola il riparto", "en": "solve again"},
    "web.fix.UNKNOWN_UNIT": {
        "it": "controlla il codice dell'unità (il messaggio suggerisce il più vicino)",
        "en": "check the unit's id (the message suggests the nearest)",
    },
    "web.fix.SYNTAX": {
        "it": "correggi la sintassi alla riga indicata; metti il testo tra virgolette",
        "en": "fix the syntax at the row given; quote text",
    },
    "web.fix.TOO_DEEP": {
        "it": "controlla parentesi e rientri",
        "en": "check brackets and indentation",
    },
    "web.fix.NOT_A_MAPPING": {
        "it": "il file deve associare chiavi a valori (vedi il set di regole incluso)",
        "en": "the file must map keys to values (see the bundled rule set)",
    },
    "web.fix.MISSING_KEY": {"it": "aggiungi la chiave indicata", "en": "add the key named"},
    "web.fix.UNKNOWN_KEY": {
        "it": "correggi il nome della chiave (il messaggio suggerisce il più vicino)",
        "en": "correct the key's name (the message suggests the nearest)",
    },
    "web.fix.MISSING_DESCRIPTION": {
        "it": "scrivi cos'è il valore e perché",
        "en": "say what the value is and why",
    },
    "web.fix.MISSING_REFERENCE": {
        "it": "cita l'atto, la data e il paragrafo",
        "en": "cite the act, date and section",
    },
    "web.fix.BAD_VALUE": {
        "it": "scrivi un numero nell'intervallo indicato",
        "en": "write a number in the range given",
    },
    "web.fix.NEGATIVE_FUND": {
        "it": "il fondo è l'importo assegnato all'Ambito, 0 o più",
        "en": "the fund is the amount assigned to the Ambito, 0 or more",
    },
    "web.fix.SHARES_NOT_100": {
        "it": "le quote delle aree devono sommare a 100%",
        "en": "the area shares must add up to 100%",
    },
    "web.fix.SET_ASIDE_TOO_LARGE": {"it": "riduci l'accantonamento", "en": "lower the set-aside"},
    "web.fix.BAD_UNIT": {
        "it": "scrivi l'unità di misura indicata nel messaggio",
        "en": "write the unit the message gives",
    },
    "web.fix.NO_VALUE_IN_FORCE": {
        "it": "aggiungi un valore con data 1 gennaio dell'anno del riparto, o precedente",
        "en": "add a value dated 1 January of the riparto's year, or earlier",
    },
    "web.fix.VALUE_STARTS_IN_YEAR": {
        "it": "data il valore 1 gennaio dell'anno a cui si applica",
        "en": "date the value 1 January of the year it applies to",
    },
    "web.fix.BAD_FORMAT": {
        "it": "parti dal set di regole incluso (docs/rules-format.md)",
        "en": "start from the bundled rule set (docs/rules-format.md)",
    },
    "web.fix.BAD_CODE": {
        "it": "rinomina il codice: lettere minuscole, cifre e _",
        "en": "rename the code: lower-case letters, digits and _",
    },
    "web.fix.DUPLICATE_NAME": {"it": "elencalo una volta sola", "en": "list it once"},
    "web.fix.DUPLICATE_SERVICE": {
        "it": "rinomina una delle due linee",
        "en": "rename one of the two lines",
    },
    "web.fix.TYPE_IN_TWO_SERVICES": {
        "it": "metti ogni tipologia in una sola linea di servizio",
        "en": "put each unit type in exactly one service line",
    },
    "web.fix.TYPE_WITHOUT_SERVICE": {
        "it": "metti ogni tipologia in una sola linea di servizio",
        "en": "put each unit type in exactly one service line",
    },
    "web.fix.UNKNOWN_UNIT_TYPE": {
        "it": "metti ogni tipologia in una sola linea di servizio",
        "en": "put each unit type in exactly one service line",
    },
    "web.fix.UNKNOWN_FORMULA_CLASS": {
        "it": "il messaggio indica cosa cambiare",
        "en": "the message says what to change",
    },
    "web.fix.INCONSISTENT_UNIT_TYPE": {
        "it": "il messaggio indica cosa cambiare",
        "en": "the message says what to change",
    },
    "web.fix.BAD_OPTION": {"it": "correggi il valore indicato", "en": "correct the value named"},
    "web.fix.BAD_OVERRIDE": {"it": "correggi il valore indicato", "en": "correct the value named"},
    "web.fix.UNKNOWN_PARAMETER": {
        "it": "questo set di regole non ha il parametro: usa un set di regole che lo preveda",
        "en": "this rule set has no such parameter: use a rule set that has it",
    },
    "web.fix.UNKNOWN_SOLVER": {
        "it": "riavvia fsr-opt serve con --solver cbc o highs",
        "en": "restart fsr-opt serve with --solver cbc or highs",
    },
    "web.fix.MINIMUM_ABOVE_ENTITLEMENTS": {
        "it": "abbassa il contributo minimo o rivedi le spettanze",
        "en": "lower the minimum award or review the entitlements",
    },
    "web.fix.AREA_BUDGET": {
        "it": "controlla il fondo e gli accantonamenti",
        "en": "check the fund and the set-asides",
    },
    "web.fix.INFEASIBLE": {
        "it": "rivedi i parametri cambiati: torna alle regole approvate e cambiane uno alla volta",
        "en": "review the changed parameters: go back to the approved rules and "
              "change one at a time",
    },
    "web.fix.NUMERICAL": {
        "it": "riavvia fsr-opt serve con --solver highs",
        "en": "restart fsr-opt serve with --solver highs",
    },
    "web.fix.SOLVER_MISSING": {
        "it": "reinstalla fsr-opt, o riavvia con l'altro --solver",
        "en": "reinstall fsr-opt, or restart with the other --solver",
    },
    "web.fix.SOLVER_CRASHED": {
        "it": "riprova, o riavvia fsr-opt serve con l'altro --solver",
        "en": "retry, or restart fsr-opt serve with the other --solver",
    },
    "web.fix.TIME_LIMIT": {
        "it": "riprova; se si ripete, riavvia fsr-opt serve con un --time-limit più alto",
        "en": "retry; if it happens again, restart fsr-opt serve with a higher --time-limit",
    },
    "web.fix.NOT_OPTIMAL": {"it": "riprova", "en": "retry"},
    "web.fix.WRONG_ANSWER": {
        "it": "riavvia con l'altro --solver e segnala il caso",
        "en": "restart with the other --solver and report it",
    },
    "web.fix.OWN_AUDIT_FAILED": {
        "it": "segnala il caso, con i file usati",
        "en": "report it, with the files used",
    },
    "web.fix.OUTPUT_NOT_A_FOLDER": {"it": "scegli una cartella", "en": "choose a folder"},
    "web.fix.OUTPUT_UNWRITABLE": {
        "it": "libera spazio sul disco temporaneo e riprova",
        "en": "free space on the temporary disk and try again",
    },
    "web.fix.BAD_AMBITO_CODE": {
        "it": "usa un codice semplice come bergamo",
        "en": "use a plain code such as bergamo",
    },
    "web.fix.DUPLICATE_AMBITO": {"it": "una riga per Ambito", "en": "one row per Ambito"},
    "web.fix.BAD_BUDGET": {
        "it": "scrivi l'importo come 892495.35",
        "en": "write it like 892495.35",
    },
    "web.fix.NO_AMBITO_COLUMN": {
        "it": "aggiungi la colonna con il codice dell'Ambito di ogni riga",
        "en": "add the column with each row's Ambito code",
    },
    "web.fix.UNKNOWN_AMBITO": {
        "it": "correggi il codice, o aggiungi l'Ambito al manifesto",
        "en": "correct the code, or add the Ambito to the manifest",
    },

    # Hostile input (issue 16): the page's advice for the codes of what is refused before
    # reading and of the warnings (keys web.fix.<CODE>, as the page looks them up).
    "web.fix.NOT_A_REGULAR_FILE": {
        "it": "indica un file vero e proprio (non una pipe, un dispositivo o una cartella)",
        "en": "give a regular file (not a pipe, a device or a folder)",
    },
    "web.fix.OUTPUT_IS_INPUT": {
        "it": "scegli una cartella dei risultati diversa da quella dei dati",
        "en": "choose an output folder apart from the input files",
    },
    "web.fix.HIDDEN_SHEET": {
        "it": "scopri il foglio in Excel (tasto destro su una scheda > Scopri) o copia la "
              "tabella in un foglio visibile",
        "en": "unhide the sheet in Excel (right-click a sheet tab > Unhide) or copy the table "
              "to a visible sheet",
    },
    "web.fix.PASSWORD_PROTECTED": {
        "it": "togli la password in Excel (File > Informazioni > Proteggi cartella di lavoro) "
              "e salva di nuovo",
        "en": "remove the password in Excel (File > Info > Protect Workbook) and save again",
    },
    "web.fix.TOO_MANY_COLUMNS": {
        "it": "tieni solo le colonne della tabella delle unità",
        "en": "keep only the columns of the units table",
    },
    "web.fix.CELL_TOO_LONG": {
        "it": "accorcia la cella indicata, o controlla le virgolette",
        "en": "shorten the cell named, or check the quotes",
    },
    "web.fix.READ_AS_CP1252": {
        "it": "controlla le lettere accentate, o salva come 'CSV UTF-8'",
        "en": "check the accented letters, or save as 'CSV UTF-8'",
    },
    "web.fix.UNKNOWN_COLUMN": {
        "it": "nessuna azione: la colonna è ignorata",
        "en": "nothing to do: the column is ignored",
    },
    "web.fix.UNNAMED_VALUE": {
        "it": "dai un'intestazione alla colonna, o cancella il valore",
        "en": "give the column a heading, or delete the value",
    },
    "web.fix.SHEET_IGNORED": {
        "it": "controlla che il foglio letto sia quello giusto",
        "en": "check that the sheet read is the right one",
    },
    "web.fix.UNIT_OUTSIDE_AMBITO": {
        "it": "controlla come è scritto il comune",
        "en": "check the spelling of the municipality",
    },
    "web.fix.MINIMUM_ABOVE_SOME_ENTITLEMENTS": {
        "it": "abbassa il contributo minimo, o rivedi i tetti dell'area",
        "en": "lower the minimum award, or review the area's entitlements",
    },
    # Issue 12: the residual phase, money left unassigned, the award's two parts, the checks
    # of the residual phase and of a run folder. (The check.*, binding.* and workbook.column.*
    # keys follow their namespaces' rules: tests/core/test_words.py.)
    "residual.title": {"it": "Residui e fondi non assegnati",
                       "en": "Residuals and money left unassigned"},
    "residual.scope.none": {
        "it": "nessuna fase dei residui (residui.scope none): ciò che il riparto lascia resta "
              "non assegnato",
        "en": "no residual phase (residui.scope none): what the riparto leaves stays "
              "unassigned",
    },
    "residual.scope.area": {
        "it": "residui entro ciascuna area (residui.scope area): la ripartizione tra le aree "
              "resta esatta",
        "en": "residuals within each area (residui.scope area): the split among the areas "
              "stays exact",
    },
    "residual.scope.fondo": {
        "it": "residui sull'intero fondo (residui.scope fondo): ciò che un'area lascia può "
              "andare alle unità di altre aree",
        "en": "residuals across the whole fund (residui.scope fondo): what an area leaves may "
              "go to units of other areas",
    },
    "residual.fund": {"it": "il fondo", "en": "the fund"},
    "residual.area": {"it": "area {area}", "en": "area {area}"},
    "residual.pool": {
        "it": "{where}: il riparto lascia {available} EUR; ai residui {given} EUR a {units} "
              "unità ({share} di quanto mancava loro); non assegnato {left} EUR",
        "en": "{where}: the riparto leaves {available} EUR; residuals {given} EUR to {units} "
              "units ({share} of what they still lacked); unassigned {left} EUR",
    },
    "residual.pool_none": {
        "it": "{where}: {left} EUR non assegnati; alle unità che hanno presentato istanza "
              "mancano ancora {need} EUR",
        "en": "{where}: {left} EUR unassigned; the units that applied still lack {need} EUR",
    },
    "residual.why_covered": {
        "it": "alle unità che hanno presentato istanza non manca altro",
        "en": "the units that applied lack nothing more",
    },
    "residual.why_minimum": {
        "it": "il contributo minimo esclude le unità cui manca meno",
        "en": "the minimum award keeps the rest from the units that lack less",
    },
    "residual.unassigned": {"it": "Non assegnato: {left} EUR", "en": "Unassigned: {left} EUR"},
    "residual.nothing_left": {
        "it": "Il riparto assegna tutti i budget delle aree: non resta nulla da assegnare.",
        "en": "The riparto awards every area budget: nothing is left to assign.",
    },
    "residual.diff": {
        "it": "Non assegnato: base {before} EUR, scenario {after} EUR ({delta}); residui: "
              "base {residual_before} EUR, scenario {residual_after} EUR",
        "en": "Unassigned: base {before} EUR, scenario {after} EUR ({delta}); residuals: "
              "base {residual_before} EUR, scenario {residual_after} EUR",
    },
    "residual.explain": {
        "it": "Fase dei residui: riceve {residual} EUR, {share} di quanto gli mancava ancora "
              "({need} EUR: disavanzo meno il contributo del riparto).",
        "en": "Residual phase: receives {residual} EUR, {share} of what it still lacked "
              "({need} EUR: its deficit less its riparto award).",
    },
    "residual.total": {"it": "Totale contributo", "en": "Total award"},
    "residual.column": {"it": "non assegnato", "en": "unassigned"},
    "binding.RESIDUAL": {
        "it": "riceve la quota comune dei residui di quanto gli mancava ancora",
        "en": "receives the residual pool's common share of what it still lacked",
    },
    "workbook.column.criteria_award": {"it": "Contributo criteri", "en": "Award by the criteria"},
    "workbook.column.residual_award": {"it": "Contributo residui", "en": "Residual award"},
    "workbook.column.residual_share": {"it": "Percentuale residui", "en": "Residual share"},
    "workbook.column.residual": {"it": "Residui", "en": "Residuals"},
    "workbook.column.total_awarded": {"it": "Assegnato con i residui",
                                      "en": "Awarded with residuals"},
    "workbook.column.unassigned": {"it": "Non assegnato", "en": "Unassigned"},
    "html.residual": {"it": "Residui", "en": "Residuals"},
    "web.fix.BAD_RUN_RECORD": {
        "it": "rifai il calcolo, o indica i file con --units e --rules",
        "en": "solve again, or give the files with --units and --rules",
    },
    "check.INPUT_CHANGED": {
        "it": "la tabella delle unità e le regole sono i file letti dal calcolo (SHA-256 di "
              "run.json)",
        "en": "the units table and the rule set are the files the run read (run.json's "
              "SHA-256)",
    },
    "check.AWARD_PARTS": {
        "it": "un contributo è la parte del riparto più la parte dei residui",
        "en": "an award is its riparto part plus its residual part",
    },
    "check.RESIDUAL_SCOPE": {
        "it": "i residui vanno solo dove le regole li mandano, alle unità che hanno presentato "
              "istanza",
        "en": "residual awards only where the rule set's scope sends them, to units that "
              "applied",
    },
    "check.RESIDUAL_ABOVE_DEFICIT": {
        "it": "nessun residuo porta un'unità oltre il suo disavanzo (in proporzione)",
        "en": "no residual award takes a unit beyond its deficit (prorated)",
    },
    "check.RESIDUAL_POOL": {
        "it": "i residui di un fondo non superano quanto il riparto vi ha lasciato",
        "en": "the residual awards of a pool add up to at most what the riparto left in it",
    },
    "check.RESIDUAL_EQUAL_SHARE": {
        "it": "le unità che ricevono residui ne ricevono la stessa quota di quanto mancava "
              "loro, al centesimo",
        "en": "a pool's recipients get one share of what each still lacked, within 1 cent",
    },
    "check.RESIDUAL_LEFT_OUT": {
        "it": "nessuna unità che ha presentato istanza resta senza residui se la quota le "
              "spetta",
        "en": "no unit that applied is left without residual while the pool's share is due "
              "to it",
    },
    "check.RESIDUAL_SHARE_MISMATCH": {
        "it": "la colonna Percentuale residui è la quota del fondo dei residui",
        "en": "the residual_share column is the pool's share",
    },
    "check.RESIDUAL_LEFT": {
        "it": "nessun fondo dei residui lascia denaro che le sue unità potrebbero ricevere",
        "en": "no residual pool leaves money that its units that applied could take within "
              "the rules",
    },
    # The ATS level (issue 15, docs/ats.md): reports, screens and the audit of `fsr-opt ats`.
    "web.fix.ATS_UNKNOWN_AMBITO": {
        "it": "correggi il codice: deve essere uno degli Ambiti delle regole dell'ATS",
        "en": "correct the code: it must be one of the ATS rule set's Ambiti",
    },
    "web.fix.ATS_MISSING_AMBITO": {
        "it": "aggiungi una riga per ogni Ambito delle regole dell'ATS",
        "en": "add a row for every Ambito of the ATS rule set",
    },
    "web.fix.ATS_ZERO_INDICATOR": {
        "it": "compila i valori dell'indicatore, o porta a 0 il suo peso nelle regole",
        "en": "fill in the indicator's figures, or set its weight to 0 in the rule set",
    },
    "web.fix.ATS_FLOORS_ABOVE_FUND": {
        "it": "abbassa la soglia minima per Ambito, o aumenta il fondo",
        "en": "lower the floor per Ambito, or raise the fund",
    },
    "web.fix.ATS_SPLIT_MISMATCH": {
        "it": "usa nel manifesto i codici Ambito del riparto dell'ATS, senza budget propri",
        "en": "use the ATS split's Ambito codes in the manifest, without budgets of their own",
    },
    "ats.title": {
        "it": "{ats}: riparto, monitoraggio e compensazione tra gli Ambiti ({year})",
        "en": "{ats}: split, monitoring and rebalance among the Ambiti ({year})",
    },
    "ats.sheet_split": {
        "it": "Riparto tra gli Ambiti",
        "en": "Split among the Ambiti",
    },
    "ats.sheet_monitor": {
        "it": "Monitoraggio",
        "en": "Monitoring",
    },
    "ats.sheet_transfers": {
        "it": "Compensazione",
        "en": "Rebalance",
    },
    "ats.sheet_final": {
        "it": "Dopo la compensazione",
        "en": "After the rebalance",
    },
    "ats.total": {
        "it": "TOTALE",
        "en": "TOTAL",
    },
    "ats.ambito": {
        "it": "Codice Ambito",
        "en": "Ambito code",
    },
    "ats.name": {
        "it": "Ambito",
        "en": "Ambito",
    },
    "ats.fund": {
        "it": "Fondo",
        "en": "Fund",
    },
    "ats.main": {
        "it": "Quota per indicatori",
        "en": "Indicator part",
    },
    "ats.set_aside": {
        "it": "Quota registri e sportelli",
        "en": "Registers and desks part",
    },
    "ats.total_amount": {
        "it": "Assegnato",
        "en": "Assigned",
    },
    "ats.share": {
        "it": "Quota del fondo",
        "en": "Share of the fund",
    },
    "ats.assigned": {
        "it": "Assegnato",
        "en": "Assigned",
    },
    "ats.committed": {
        "it": "Impegnato",
        "en": "Committed",
    },
    "ats.spent": {
        "it": "Speso",
        "en": "Spent",
    },
    "ats.spend_rate": {
        "it": "Tasso di spesa",
        "en": "Spend rate",
    },
    "ats.residual": {
        "it": "Residuo non impegnato",
        "en": "Uncommitted residual",
    },
    "ats.unmet_applications": {
        "it": "Domande ammesse non finanziate",
        "en": "Admitted applications not funded",
    },
    "ats.unmet_amount": {
        "it": "Importo domande non finanziate",
        "en": "Amount of unfunded applications",
    },
    "ats.surplus": {
        "it": "Eccedenza cedibile",
        "en": "Surplus that can be given",
    },
    "ats.need": {
        "it": "Fabbisogno non coperto",
        "en": "Uncovered need",
    },
    "ats.flags": {
        "it": "Segnalazioni",
        "en": "Flags",
    },
    "ats.flagged": {
        "it": "Rendicontazioni che non tornano",
        "en": "Reports that do not add up",
    },
    "ats.flag.COMMITTED_ABOVE_ASSIGNED": {
        "it": "impegnato superiore all'assegnato",
        "en": "committed above assigned",
    },
    "ats.flag.SPENT_ABOVE_COMMITTED": {
        "it": "speso superiore all'impegnato",
        "en": "spent above committed",
    },
    "ats.flag.ASSIGNED_NOT_AS_SPLIT": {
        "it": "assegnato diverso dal riparto dell'ATS",
        "en": "assigned differs from the ATS split",
    },
    "ats.flag.AMOUNT_WITHOUT_APPLICATIONS": {
        "it": "importo di domande non finanziate senza domande",
        "en": "an unfunded amount without applications",
    },
    "ats.flag.APPLICATIONS_WITHOUT_AMOUNT": {
        "it": "domande non finanziate senza importo",
        "en": "unfunded applications without an amount",
    },
    "ats.flag.UNMET_WITH_RESIDUAL": {
        "it": "domande non finanziate pur avendo un residuo non impegnato",
        "en": "unfunded applications while money is uncommitted",
    },
    "ats.donor": {
        "it": "Ambito che cede",
        "en": "Ambito giving",
    },
    "ats.receiver": {
        "it": "Ambito che riceve",
        "en": "Ambito receiving",
    },
    "ats.amount": {
        "it": "Importo",
        "en": "Amount",
    },
    "ats.why": {
        "it": "Motivo",
        "en": "Why",
    },
    "ats.why_text": {
        "it": "chi cede ha {donor_surplus} EUR che non userà; chi riceve ha {receiver_need} "
              "EUR di domande ammesse non finanziate",
        "en": "the donor has {donor_surplus} EUR it will not use; the receiver has "
              "{receiver_need} EUR of admitted applications not funded",
    },
    "ats.given": {
        "it": "Ceduto",
        "en": "Given",
    },
    "ats.received": {
        "it": "Ricevuto",
        "en": "Received",
    },
    "ats.final": {
        "it": "Dopo la compensazione",
        "en": "After the rebalance",
    },
    "ats.coverage": {
        "it": "Copertura del fabbisogno",
        "en": "Need covered",
    },
    "ats.objective": {
        "it": "Obiettivi, in ordine di priorità",
        "en": "Objectives, in order of priority",
    },
    "ats.stage.min_coverage": {
        "it": "1. copertura minima del fabbisogno tra gli Ambiti che ricevono",
        "en": "1. lowest share of need covered among the receiving Ambiti",
    },
    "ats.stage.total": {
        "it": "2. fabbisogno coperto in totale",
        "en": "2. need covered in all",
    },
    "ats.tie_break_done": {
        "it": "applicato (rebalance.json ne riporta il valore)",
        "en": "applied (rebalance.json records its value)",
    },
    "ats.stage.tie_break": {
        "it": "3. spareggio (eccedenze maggiori ai fabbisogni maggiori)",
        "en": "3. tie-break (larger surpluses to larger needs)",
    },
    "ats.split_rule": {
        "it": "Ripartizione per indicatori: {weights}; la quota per {set_aside} in proporzione"
              " all'indicatore '{indicator}'. Centesimi per resti maggiori; a parità di resto,"
              " quota maggiore e poi codice.",
        "en": "Split by indicators: {weights}; the part for {set_aside} in proportion to the "
              "indicator '{indicator}'. Cents by largest remainder; ties to the larger quota, "
              "then the code.",
    },
    "ats.rebalance_rule": {
        "it": "La compensazione sposta il residuo che un Ambito non userà (oltre alle proprie "
              "domande non finanziate) verso gli Ambiti con domande ammesse non finanziate; "
              "nessun Ambito scende sotto l'impegnato, ogni trasferimento è nullo o almeno "
              "pari al minimo, e il numero dei trasferimenti non supera il limite.",
        "en": "The rebalance moves the residual an Ambito will not use (beyond its own "
              "unfunded applications) to the Ambiti with admitted applications not funded; no "
              "Ambito ends below what it committed, each transfer is 0 or at least the "
              "minimum, and the number of transfers stays within the limit.",
    },
    "ats.no_transfers": {
        "it": "Nessun trasferimento: nessun Ambito ha un'eccedenza e un altro un fabbisogno di"
              " almeno il minimo.",
        "en": "No transfer: no Ambito has a surplus while another has a need of at least the "
              "minimum.",
    },
    "ats.chart_split": {
        "it": "Riparto del fondo tra gli Ambiti",
        "en": "The fund split among the Ambiti",
    },
    "ats.chart_monitor": {
        "it": "Assegnato e speso per Ambito",
        "en": "Assigned and spent per Ambito",
    },
    "ats.chart_final": {
        "it": "Assegnato prima e dopo la compensazione",
        "en": "Assigned before and after the rebalance",
    },
    "ats.references": {
        "it": "Parametri e riferimenti normativi",
        "en": "Parameters and legal references",
    },
    "ats.screen_split": {
        "it": "Riparto {ats} {year}: {fund} EUR tra {count} Ambiti ({main} per indicatori, "
              "{set_aside} per registri e sportelli)",
        "en": "Split {ats} {year}: {fund} EUR among {count} Ambiti ({main} by indicators, "
              "{set_aside} for registers and desks)",
    },
    "ats.screen_monitor": {
        "it": "Monitoraggio: {count} Ambiti, assegnato {assigned} EUR, speso {spent} EUR "
              "({rate}); eccedenze {surplus} EUR, fabbisogno non coperto {need} EUR; "
              "rendicontazioni segnalate: {flagged}",
        "en": "Monitoring: {count} Ambiti, assigned {assigned} EUR, spent {spent} EUR "
              "({rate}); surpluses {surplus} EUR, uncovered need {need} EUR; reports flagged: "
              "{flagged}",
    },
    "ats.screen_rebalance": {
        "it": "Compensazione: {count} trasferimenti, {total} EUR spostati; copertura minima "
              "{coverage}",
        "en": "Rebalance: {count} transfers, {total} EUR moved; lowest coverage {coverage}",
    },
    "ats.audit_ok": {
        "it": "Verifica: tutte le {count} regole sono rispettate.",
        "en": "Audit: all {count} rules hold.",
    },
    "ats.audit_failed": {
        "it": "Verifica: {count} violazioni.",
        "en": "Audit: {count} violations.",
    },
    "ats.check.SPLIT_TOTAL": {
        "it": "gli importi del riparto sommano al fondo, al centesimo",
        "en": "the split's amounts add up to the fund, to the cent",
    },
    "ats.check.SPLIT_SET_ASIDE": {
        "it": "la quota registri e sportelli è la percentuale del fondo e ne rispetta il massimo",
        "en": "the registers and desks part is the fund's percent, within its maximum",
    },
    "ats.check.SPLIT_AMOUNT": {
        "it": "ogni Ambito riceve la propria quota per indicatori, arrotondata per resti maggiori",
        "en": "each Ambito receives its indicator quota, rounded by largest remainder",
    },
    "ats.check.SPLIT_FLOOR": {
        "it": "nessun Ambito riceve meno della soglia minima",
        "en": "no Ambito receives less than the floor",
    },
    "ats.check.TRANSFER_MINIMUM": {
        "it": "ogni trasferimento è almeno pari al minimo",
        "en": "each transfer is at least the minimum",
    },
    "ats.check.TRANSFER_COUNT": {
        "it": "i trasferimenti non superano il limite",
        "en": "the transfers stay within the limit",
    },
    "ats.check.TRANSFER_PAIR": {
        "it": "un trasferimento va da un Ambito a un altro, una volta per coppia, e nessun "
              "Ambito cede e riceve insieme",
        "en": "a transfer goes from one Ambito to another, once per pair, and no Ambito both "
              "gives and receives",
    },
    "ats.check.TRANSFER_COMMITTED": {
        "it": "nessun Ambito scende sotto quanto ha impegnato",
        "en": "no Ambito ends below what it committed",
    },
    "ats.check.TRANSFER_SURPLUS": {
        "it": "nessun Ambito cede più della propria eccedenza (il residuo oltre le proprie "
              "domande non finanziate)",
        "en": "no Ambito gives more than its surplus (the residual beyond its own unfunded "
              "applications)",
    },
    "ats.check.TRANSFER_NEED": {
        "it": "nessun Ambito riceve più del proprio fabbisogno non coperto",
        "en": "no Ambito receives more than its uncovered need",
    },
    "ats.check.TRANSFER_IMPROVABLE": {
        "it": "nessun trasferimento possibile resta da fare: non c'è un'eccedenza e un "
              "fabbisogno di almeno il minimo con trasferimenti ancora disponibili",
        "en": "no possible transfer is left undone: no surplus and need of at least the "
              "minimum while transfers remain",
    },
}


def text(key: str, lang: str = DEFAULT_LANGUAGE) -> str:
    """The words of `key` in `lang`, from `CATALOGUE`.

    Raises:
        KeyError: no such key, or no text in `lang` (a wrong key must fail, not print).
    """
    try:
        return CATALOGUE[key][lang]
    except KeyError:
        raise KeyError(f"no words for '{key}' in language '{lang}'") from None


def describe(table: str, code: str, lang: str = DEFAULT_LANGUAGE,
             default: str | None = None, *, history_year: int) -> str:
    """The explanation of a code of `table` (``reason``, ``binding``, ``check``) in `lang`.

    A code without an entry (one added later to the rules or the audit) shows `default`, or
    the code itself. Some explanations name the reference year of the rule set (the year of
    the accounts the riparto reads: `RuleSet.history_year`).
    """
    key = f"{table}.{code}"
    found = text(key, lang) if key in CATALOGUE else (code if default is None else default)
    return with_year(found, history_year)


def with_year(words: str, history_year: int) -> str:
    """`words` with the rule set's reference year in place of ``{history_year}``."""
    return words.replace("{history_year}", str(history_year))


def phrases(namespace: str, lang: str) -> Callable[[str], str]:
    """`text` with one report's namespace and the language bound: ``w("title")``."""

    def lookup(name: str) -> str:
        return text(f"{namespace}.{name}", lang)

    return lookup


def yes_no(value: bool, lang: str = DEFAULT_LANGUAGE) -> str:
    """``sì``/``no`` or ``yes``/``no``."""
    return text("word.yes" if value else "word.no", lang)


# ---------------------------------------------------------------------------------------------
# Number and date formats
# ---------------------------------------------------------------------------------------------


def money(cents: int, lang: str = DEFAULT_LANGUAGE) -> str:
    """Render cents for people: ``1.234,56`` in Italian, ``1,234.56`` in English."""
    sign = "-" if cents < 0 else ""
    whole, frac = divmod(abs(cents), CENTS_PER_EURO)
    grouped = f"{whole:,}"
    if lang == "it":
        return f"{sign}{grouped.replace(',', '.')},{frac:02d}"
    return f"{sign}{grouped}.{frac:02d}"


def signed_money(cents: int, lang: str = DEFAULT_LANGUAGE) -> str:
    """Render a difference with its sign (``+1.234,56``, ``-5,00``, ``0,00``)."""
    return ("+" if cents > 0 else "") + money(cents, lang)


def ratio(value: Fraction, places: int = 4, lang: str = DEFAULT_LANGUAGE) -> str:
    """Render an exact ratio with fixed decimals, rounded half up (``0,0902``)."""
    scaled = round_half_up(value * 10**places)
    whole, frac = divmod(abs(scaled), 10**places)
    mark = "," if lang == "it" else "."
    return f"{'-' if scaled < 0 else ''}{whole}{mark}{frac:0{places}d}"


def percent(value: Fraction, lang: str = DEFAULT_LANGUAGE) -> str:
    """Render a percentage as written in the criteria (``50%``, ``12,5%``)."""
    digits = ratio(value, 4, lang).rstrip("0").rstrip(",.")
    return f"{digits}%"


def date_text(day: date, lang: str = DEFAULT_LANGUAGE) -> str:
    """Render a date for people: ``30/06/2025`` in Italian, ``2025-06-30`` in English."""
    return day.strftime("%d/%m/%Y") if lang == "it" else day.isoformat()
