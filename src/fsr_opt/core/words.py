"""Words and number formats of the reports meant for people, in Italian and English.

The CSV files stay in the contract's machine format (codes, ``1234.56``). What a planner or the
Assemblea dei Sindaci reads (the workbook, the HTML report, the what-if and explain screens)
comes in Italian by default, with ``--lang en`` for everyone else. Keeping every label here
means a new language, or a corrected wording, touches one file; codes such as
``AREA_BUDGET`` never change, only their explanations.
"""

from __future__ import annotations

from fractions import Fraction

from fsr_opt.core.money import CENTS_PER_EURO, round_half_up

LANGUAGES = ("it", "en")
DEFAULT_LANGUAGE = "it"


def check_language(lang: str) -> str:
    """Return `lang` if supported; raise ValueError naming the choices otherwise."""
    if lang not in LANGUAGES:
        raise ValueError(f"unknown language '{lang}': use one of {', '.join(LANGUAGES)}")
    return lang


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
    text = ratio(value, 4, lang).rstrip("0").rstrip(",.")
    return f"{text}%"


# Why a unit gets nothing (contract codes) and what limits an award (``binding`` codes).
REASONS: dict[str, dict[str, str]] = {
    "it": {
        "NOT_IN_REGISTRY": "non presente nel registro regionale AFAM",
        "NOT_AUTHORIZED": "priva di autorizzazione al funzionamento o CPE",
        "OUTSIDE_AMBITO": "ubicata fuori dall'Ambito",
        "STARTED_IN_YEAR": "attività avviata nell'anno del riparto",
        "CEASED_BEFORE_YEAR": "attività cessata prima dell'anno del riparto",
        "EXPERIMENTAL": "unità sperimentale",
        "MISSING_DATA_DECLARATION": "manca la dichiarazione di assolvimento del debito "
                                    "informativo (Minori Web)",
        "NO_DEFICIT": "nessun disavanzo nel 2024 (costi non superiori ai ricavi)",
        "NOT_APPLIED": "istanza di contributo non presentata",
        "BELOW_MINIMUM": "la quota spettante resta sotto il contributo minimo",
    },
    "en": {
        "NOT_IN_REGISTRY": "not in the regional AFAM registry",
        "NOT_AUTHORIZED": "no authorisation to operate or CPE",
        "OUTSIDE_AMBITO": "located outside the Ambito",
        "STARTED_IN_YEAR": "started in the year of the riparto",
        "CEASED_BEFORE_YEAR": "ceased before the year of the riparto",
        "EXPERIMENTAL": "experimental unit",
        "MISSING_DATA_DECLARATION": "no declaration that the data were entered in Minori Web",
        "NO_DEFICIT": "no deficit in 2024 (costs not above revenues)",
        "NOT_APPLIED": "no application submitted",
        "BELOW_MINIMUM": "its share stays below the minimum award",
    },
}

BINDINGS: dict[str, dict[str, str]] = {
    "it": {
        "EXCLUDED": "esclusa dai criteri di accesso",
        "BELOW_MINIMUM": "quota sotto il contributo minimo: nessun contributo",
        "DEFICIT": "riceve l'intero disavanzo (tetto raggiunto)",
        "FORMULA": "riceve l'intero importo della formula quota base + quota per utente "
                   "(tetto raggiunto)",
        "AREA_BUDGET": "il budget dell'area è esaurito: riceve la quota comune della linea",
        "EQUAL_SHARE": "riceve la quota comune della linea, fissata dall'andamento storico",
    },
    "en": {
        "EXCLUDED": "excluded by the access criteria",
        "BELOW_MINIMUM": "share below the minimum award: nothing awarded",
        "DEFICIT": "receives its whole deficit (cap reached)",
        "FORMULA": "receives the whole formula amount, base + rate per user (cap reached)",
        "AREA_BUDGET": "the area budget is spent: receives the line's common share",
        "EQUAL_SHARE": "receives the line's common share, set by the 2024 pattern",
    },
}

# How a unit's award moves between two runs (whatif.csv ``change`` column).
CHANGES: dict[str, dict[str, str]] = {
    "it": {
        "ENTERS": "entra nel finanziamento",
        "LEAVES": "esce dal finanziamento",
        "GAINS": "aumenta",
        "LOSES": "diminuisce",
        "UNCHANGED": "invariato",
        "ONLY_BASE": "solo nella base",
        "ONLY_SCENARIO": "solo nello scenario",
    },
    "en": {
        "ENTERS": "enters funding",
        "LEAVES": "leaves funding",
        "GAINS": "gains",
        "LOSES": "loses",
        "UNCHANGED": "unchanged",
        "ONLY_BASE": "only in the base",
        "ONLY_SCENARIO": "only in the scenario",
    },
}

# The audit's checks in Italian; a check the audit adds later falls back to its own text.
CHECKS_IT = {
    "UNIT_MISSING": "ogni unità della tabella ha una riga nel riparto",
    "UNIT_DUPLICATED": "nessuna unità ha più di una riga (una riga ripetuta sarebbe pagata "
                       "due volte)",
    "UNIT_UNKNOWN": "ogni riga corrisponde a un'unità della tabella",
    "INELIGIBLE_PAID": "un'unità che non soddisfa un criterio di accesso riceve 0",
    "ELIGIBLE_MISMATCH": "la colonna Ammessa concorda con i criteri di accesso",
    "ENTITLEMENT_MISMATCH": "la colonna Spettanza concorda con il tetto ricalcolato",
    "BELOW_MINIMUM": "ogni contributo è 0 oppure almeno il contributo minimo",
    "ABOVE_ENTITLEMENT": "nessun contributo supera la spettanza (disavanzo, formula, "
                         "proporzione)",
    "AREA_BUDGET": "i contributi di ogni area non superano il suo budget",
    "BUDGETS_ADD_UP": "i budget delle aree sommano esattamente al fondo ripartibile",
    "EQUAL_SHARE": "le unità finanziate di una linea ricevono la stessa quota della spettanza, "
                   "al centesimo",
    "LEFT_OUT": "nessuna unità ammessa resta a 0 se la quota della linea raggiunge il minimo",
    "SHARE_MISMATCH": "la colonna Quota è la quota della linea di servizio",
    "TRANCHES": "pagamenti: 70% arrotondato al centesimo e il resto, o tutto subito fino "
                "alla soglia",
    "MONEY_LEFT": "nessuna area lascia fondi che una sua linea potrebbe ricevere",
    "TRANSFER_IMPROVES": "nessuno spostamento di 1 centesimo tra due linee avvicina entrambe "
                         "all'andamento storico",
}


def describe(table: dict[str, dict[str, str]], code: str, lang: str = DEFAULT_LANGUAGE) -> str:
    """Return the explanation of a code in `lang`, or the code itself if it has none."""
    return table.get(lang, table["en"]).get(code, code)


def yes_no(value: bool, lang: str = DEFAULT_LANGUAGE) -> str:
    """``sì``/``no`` or ``yes``/``no``."""
    if lang == "it":
        return "sì" if value else "no"
    return "yes" if value else "no"
