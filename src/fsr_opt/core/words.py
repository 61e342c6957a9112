"""Every word people read in the reports and screens, in Italian and English, and the formats.

The CSV files stay in the contract's machine format (codes, ``1234.56``). What a planner or the
Assemblea dei Sindaci reads (the workbook, the HTML report, the sweep chart, the what-if,
compare, sweep and explain screens) comes in Italian by default, with ``--lang en`` for
everyone else. Every such word is an entry of `CATALOGUE` (a stable key -> its text per
language) and is read through `text`, the one lookup: a corrected wording, or a new language,
touches this file only, and a later move to a gettext catalogue replaces `text` alone. Codes
such as ``AREA_BUDGET`` never change, only their explanations (`describe`).

Keys are ``namespace.name``: ``word``, ``ownership``, ``reason``, ``binding`` and ``check``
are shared; ``workbook``, ``html``, ``chart``, ``diff``, ``sweep``, ``explain`` and
``criterion`` belong to one report or screen. Texts with ``{placeholders}`` are filled with
`str.format`; both languages of a key take the same placeholders (tested).
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
