"""Generate the bundled example of the Ambito di Bergamo, FSR 2025: SYNTHETIC data.

The units are invented (names, codes, users, costs are generated, not real), but the
structure follows the criteria approved by the Assemblea dei Sindaci on 8 September 2025
(the criteria are summarised in docs/reference.md):

* 211 units of offer active at 31.12.2024 and present in AFAM, split by municipality and
  ownership exactly as the criteria's table "TOTALE UDOS ATTIVE AL 31.12.2024", which excludes
  the centri ricreativi diurni per minori from the count ("escludendo dal calcolo l'Unità di
  Offerta Sociale Centro Ricreativo Diurno per Minori"): the CRD are generated apart;
* the municipal service lines (SAD, SADH, ADM, AFFIDO, INSERIMENTO_COMUNITA) of the six
  municipalities, and a few of the other municipal services point a) names (progetti, CDM,
  ADH, SADAH);
* a few units caught by each exclusion rule, one unit ceasing in mid-2025 (prorated), a few
  private units whose deficit is below the 300 EUR minimum, two municipality spellings in
  another case.

Deterministic: ``random.Random(2025)``; running it twice gives byte-identical files (the XLSX
is re-zipped with fixed timestamps and fixed document dates).

Usage::

    .venv/bin/python scripts/make_bergamo_example.py            # writes data/bergamo-2025/
    .venv/bin/python scripts/make_bergamo_example.py --out DIR  # writes DIR/units.{csv,xlsx}

The entitlement figures printed at the end are a rough re-implementation of the entitlement
rule (docs/reference.md, 1.5), used only to check that demand exceeds the area budgets as intended.
"""

from __future__ import annotations

import argparse
import csv
import io
import random
import re
import sys
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any

from openpyxl import Workbook
from openpyxl.styles import Alignment, Font
from openpyxl.utils import get_column_letter

ROOT = Path(__file__).resolve().parents[1]

try:
    from fsr_opt.core.schema import INPUT_COLUMNS
    from fsr_opt.reports.xlsx import reproducible_xlsx
except ImportError:  # running without the package installed
    sys.path.insert(0, str(ROOT / "src"))
    from fsr_opt.core.schema import INPUT_COLUMNS
    from fsr_opt.reports.xlsx import reproducible_xlsx

Unit = dict[str, Any]  # one row: column name -> value (money in cents)

SEED = 2025
YEAR = 2025
DEFAULT_OUT = ROOT / "data" / "bergamo-2025"
DOC_DATE = datetime(2025, 9, 8, 0, 0, 0)  # the Assemblea dei Sindaci that approved the criteria

AMBITO = ("Bergamo", "Gorle", "Orio al Serio", "Ponteranica", "Sorisole", "Torre Boldone")

# Area budgets in cents (fund 892,495.35 split 50/10/40 by largest remainder).
BUDGETS = {"minori": 44_624_768, "disabili": 8_924_953, "anziani": 35_699_814}
DISABILI_DEMAND_RATIO = 1.15  # summed eligible entitlements / budget, by design

# Unit types in a fixed order (the rows are sorted by it), with their area.
TYPE_AREA = {
    "ASILO_NIDO": "minori",
    "MICRONIDO": "minori",
    "NIDO_FAMIGLIA": "minori",
    "CENTRO_PRIMA_INFANZIA": "minori",
    "CRD": "minori",
    "CAG": "minori",
    "CEM": "minori",
    "COMUNITA_FAMILIARE": "minori",
    "ADM": "minori",
    "AFFIDO": "minori",
    "INSERIMENTO_COMUNITA": "minori",
    "PROGETTI": "minori",
    "CDM": "minori",
    "SADH": "disabili",
    "ADH": "disabili",
    "ALLOGGIO_AUTONOMIA": "disabili",
    "SED": "disabili",
    "CSE": "disabili",
    "SFA": "disabili",
    "SFA_MINORI_SPERIMENTALE": "disabili",
    "CAD": "disabili",
    "CSS": "disabili",
    "SAD": "anziani",
    "SADAH": "anziani",
    "ALLOGGIO_PROTETTO_ANZIANI": "anziani",
    "CENTRO_DIURNO_ANZIANI": "anziani",
    "CASA": "anziani",
}
TYPE_ORDER = {code: i for i, code in enumerate(TYPE_AREA)}
MUNICIPAL_SERVICES = ("ADM", "AFFIDO", "INSERIMENTO_COMUNITA", "SADH", "SAD")
# The other municipal services point a) of the criteria names ("progetti", "SAD/SADAH, ADM,
# ADH e CDM"), run by some municipalities only.
POINT_A_SERVICES = (("Bergamo", "PROGETTI"), ("Bergamo", "CDM"), ("Ponteranica", "ADH"),
                    ("Torre Boldone", "SADAH"))
MUNICIPAL_TYPES = frozenset(MUNICIPAL_SERVICES) | {s for _, s in POINT_A_SERVICES}
RESIDENTIAL_MINORI = ("CEM", "COMUNITA_FAMILIARE")

# Cap of private units: base + rate * users, euros (criteria, points b and c).
_PRIMA_INFANZIA = (300, 120)
_SEMIRESIDENTIAL = (1000, 70)
_RESIDENTIAL = (1000, 250)
FORMULA = {
    "ASILO_NIDO": _PRIMA_INFANZIA,
    "MICRONIDO": _PRIMA_INFANZIA,
    "NIDO_FAMIGLIA": _PRIMA_INFANZIA,
    "CENTRO_PRIMA_INFANZIA": _PRIMA_INFANZIA,
    "CRD": (300, 12),
    "CAG": (1000, 60),
    "CEM": _RESIDENTIAL,
    "COMUNITA_FAMILIARE": _RESIDENTIAL,
    "ALLOGGIO_AUTONOMIA": _RESIDENTIAL,
    "SED": _SEMIRESIDENTIAL,
    "CSE": _SEMIRESIDENTIAL,
    "SFA": _SEMIRESIDENTIAL,
    "SFA_MINORI_SPERIMENTALE": _SEMIRESIDENTIAL,
    "CAD": _RESIDENTIAL,
    "CSS": _RESIDENTIAL,
    "ALLOGGIO_PROTETTO_ANZIANI": _RESIDENTIAL,
    "CENTRO_DIURNO_ANZIANI": _SEMIRESIDENTIAL,
    "CASA": _RESIDENTIAL,
}

# The 211 units of offer active at 31.12.2024, per municipality and ownership. The totals per
# cell are the criteria's table, which counts the centri ricreativi diurni apart (CRD below);
# the mix of types is invented but plausible.
COMPOSITION: dict[tuple[str, str], dict[str, int]] = {
    ("Bergamo", "public"): {
        "ASILO_NIDO": 11, "CENTRO_PRIMA_INFANZIA": 2, "CAG": 1, "CSE": 1,
        "ALLOGGIO_PROTETTO_ANZIANI": 2, "CENTRO_DIURNO_ANZIANI": 5,
    },
    ("Bergamo", "private"): {
        "ASILO_NIDO": 38, "MICRONIDO": 20, "NIDO_FAMIGLIA": 16, "CENTRO_PRIMA_INFANZIA": 8,
        "CAG": 15, "CEM": 11, "COMUNITA_FAMILIARE": 7,
        "ALLOGGIO_AUTONOMIA": 2, "SED": 1, "CSE": 5, "SFA": 4, "SFA_MINORI_SPERIMENTALE": 2,
        "CAD": 2,
        "ALLOGGIO_PROTETTO_ANZIANI": 4, "CENTRO_DIURNO_ANZIANI": 7, "CASA": 4,
    },
    ("Gorle", "public"): {"ASILO_NIDO": 1, "CENTRO_DIURNO_ANZIANI": 1},
    ("Gorle", "private"): {
        "ASILO_NIDO": 1, "MICRONIDO": 1, "NIDO_FAMIGLIA": 1, "CENTRO_PRIMA_INFANZIA": 1,
        "CAG": 1,
    },
    ("Orio al Serio", "public"): {
        "ASILO_NIDO": 1, "CAG": 1, "ALLOGGIO_PROTETTO_ANZIANI": 1, "CENTRO_DIURNO_ANZIANI": 1,
    },
    ("Orio al Serio", "private"): {"MICRONIDO": 1},
    ("Ponteranica", "public"): {"ASILO_NIDO": 1, "CAG": 1, "CENTRO_DIURNO_ANZIANI": 1},
    ("Ponteranica", "private"): {
        "ASILO_NIDO": 1, "MICRONIDO": 1, "NIDO_FAMIGLIA": 1, "CAG": 1, "CSS": 1,
    },
    ("Sorisole", "public"): {},
    ("Sorisole", "private"): {
        "ASILO_NIDO": 2, "MICRONIDO": 1, "NIDO_FAMIGLIA": 2, "CENTRO_PRIMA_INFANZIA": 1,
        "CAG": 1, "CSE": 1, "CENTRO_DIURNO_ANZIANI": 1,
    },
    ("Torre Boldone", "public"): {"ASILO_NIDO": 1, "CAG": 1, "CENTRO_DIURNO_ANZIANI": 1},
    ("Torre Boldone", "private"): {
        "ASILO_NIDO": 2, "MICRONIDO": 2, "NIDO_FAMIGLIA": 2, "CENTRO_PRIMA_INFANZIA": 1,
        "CAG": 1, "COMUNITA_FAMILIARE": 1, "ALLOGGIO_AUTONOMIA": 1, "CASA": 1,
    },
}

# The centri ricreativi diurni per minori (summer centres, CRE of the oratori), counted apart
# from the 211 as the criteria's table does: per municipality and ownership.
CRD_COMPOSITION: dict[tuple[str, str], int] = {
    ("Bergamo", "public"): 1, ("Bergamo", "private"): 40, ("Gorle", "private"): 2,
    ("Orio al Serio", "public"): 1, ("Orio al Serio", "private"): 1,
    ("Ponteranica", "public"): 1, ("Ponteranica", "private"): 2, ("Sorisole", "private"): 3,
    ("Torre Boldone", "public"): 1, ("Torre Boldone", "private"): 3,
}

# The criteria's table "TOTALE UDOS ATTIVE AL 31.12.2024" (CRD excluded): checked by `check`.
ACTIVE_UNITS = {
    ("Bergamo", "public"): 22, ("Bergamo", "private"): 146, ("Gorle", "public"): 2,
    ("Gorle", "private"): 5, ("Orio al Serio", "public"): 4, ("Orio al Serio", "private"): 1,
    ("Ponteranica", "public"): 3, ("Ponteranica", "private"): 5, ("Sorisole", "public"): 0,
    ("Sorisole", "private"): 9, ("Torre Boldone", "public"): 3, ("Torre Boldone", "private"): 11,
}

# users (min, max), cost per user in euros (min, max), revenues / costs for private and
# public units, first and last year of the activity start.
PROFILES: dict[str, tuple[tuple[int, int], tuple[int, int], tuple[float, float],
                          tuple[float, float], tuple[int, int]]] = {
    "ASILO_NIDO": ((20, 70), (7_500, 10_000), (0.72, 0.97), (0.62, 0.85), (1975, 2018)),
    "MICRONIDO": ((8, 10), (8_000, 10_500), (0.75, 0.96), (0.65, 0.85), (2004, 2022)),
    "NIDO_FAMIGLIA": ((3, 5), (5_500, 8_000), (0.80, 0.95), (0.70, 0.90), (2010, 2023)),
    "CENTRO_PRIMA_INFANZIA": ((15, 40), (1_500, 3_000), (0.55, 0.90), (0.30, 0.60),
                              (1995, 2021)),
    "CRD": ((30, 300), (160, 420), (0.55, 0.90), (0.35, 0.60), (1985, 2021)),
    "CAG": ((20, 80), (1_200, 2_200), (0.10, 0.45), (0.05, 0.25), (1990, 2020)),
    "CEM": ((6, 10), (45_000, 60_000), (0.86, 0.97), (0.80, 0.95), (1985, 2019)),
    "COMUNITA_FAMILIARE": ((3, 6), (25_000, 38_000), (0.82, 0.96), (0.80, 0.95),
                           (1995, 2020)),
    "ALLOGGIO_AUTONOMIA": ((2, 6), (12_000, 20_000), (0.65, 0.90), (0.60, 0.85), (2008, 2022)),
    "SED": ((10, 20), (8_000, 12_000), (0.75, 0.93), (0.70, 0.90), (2005, 2020)),
    "CSE": ((15, 30), (14_000, 20_000), (0.85, 0.96), (0.93, 0.96), (1985, 2015)),
    "SFA": ((10, 35), (7_000, 11_000), (0.78, 0.94), (0.75, 0.90), (2000, 2019)),
    "SFA_MINORI_SPERIMENTALE": ((8, 15), (7_000, 10_000), (0.75, 0.92), (0.70, 0.90),
                                (2011, 2016)),
    "CAD": ((5, 10), (35_000, 50_000), (0.88, 0.97), (0.85, 0.95), (1990, 2018)),
    "CSS": ((8, 10), (40_000, 55_000), (0.88, 0.97), (0.85, 0.95), (1995, 2015)),
    "ALLOGGIO_PROTETTO_ANZIANI": ((10, 25), (6_000, 10_000), (0.65, 0.90), (0.60, 0.85),
                                  (1990, 2018)),
    "CENTRO_DIURNO_ANZIANI": ((15, 40), (2_500, 5_000), (0.60, 0.88), (0.45, 0.75),
                              (1982, 2015)),
    "CASA": ((10, 20), (15_000, 22_000), (0.85, 0.96), (0.80, 0.95), (2000, 2020)),
}

# Municipal service lines, Bergamo figures: users, cost per user (euros), revenues / costs.
MUNICIPAL_PROFILE = {
    "ADM": (110, 3_300, (0.00, 0.03)),
    "AFFIDO": (85, 4_700, (0.03, 0.08)),
    "INSERIMENTO_COMUNITA": (40, 37_500, (0.05, 0.10)),
    "SADH": (14, 1_900, (0.05, 0.10)),
    "SAD": (320, 1_875, (0.08, 0.12)),
    "PROGETTI": (60, 1_500, (0.00, 0.05)),
    "CDM": (35, 6_000, (0.05, 0.12)),
    "ADH": (18, 2_200, (0.02, 0.06)),
    "SADAH": (45, 1_900, (0.08, 0.12)),
}
MUNICIPAL_LABEL = {
    "ADM": "Assistenza domiciliare minori (ADM)",
    "AFFIDO": "Affido familiare minori",
    "INSERIMENTO_COMUNITA": "Inserimenti di minori in comunità",
    "SADH": "Assistenza domiciliare disabili (SADH)",
    "SAD": "Servizio di assistenza domiciliare anziani (SAD)",
    "PROGETTI": "Progetti per minori e famiglie",
    "CDM": "Centro diurno minori (CDM)",
    "ADH": "Assistenza domiciliare handicap (ADH)",
    "SADAH": "Assistenza domiciliare anziani e disabili (SADAH)",
}
POPULATION = {
    "Bergamo": 120_000, "Gorle": 6_500, "Orio al Serio": 1_800, "Ponteranica": 6_700,
    "Sorisole": 9_100, "Torre Boldone": 8_800,
}

LABEL = {
    "ASILO_NIDO": "Asilo nido",
    "MICRONIDO": "Micronido",
    "NIDO_FAMIGLIA": "Nido famiglia",
    "CENTRO_PRIMA_INFANZIA": "Centro prima infanzia",
    "CRD": "Centro estivo",
    "CAG": "CAG",
    "CEM": "Comunità educativa",
    "COMUNITA_FAMILIARE": "Comunità familiare",
    "ALLOGGIO_AUTONOMIA": "Alloggio per l'autonomia",
    "SED": "Servizio educativo diurno",
    "CSE": "CSE",
    "SFA": "SFA",
    "SFA_MINORI_SPERIMENTALE": "SFA minori",
    "CAD": "Comunità alloggio disabili",
    "CSS": "CSS",
    "ALLOGGIO_PROTETTO_ANZIANI": "Alloggi protetti",
    "CENTRO_DIURNO_ANZIANI": "Centro diurno anziani",
    "CASA": "Comunità alloggio sociale anziani",
}

QUARTIERI = (
    "Boccaleone", "Borgo Palazzo", "Borgo Santa Caterina", "Campagnola", "Carnovali",
    "Celadina", "Città Alta", "Colli", "Colognola", "Conca Fiorita", "Grumello del Piano",
    "Loreto", "Longuelo", "Malpensata", "Monterosso", "Redona", "San Paolo", "San Tomaso",
    "Santa Lucia", "Sant'Alessandro", "Valtesse", "Valverde", "Villaggio degli Sposi",
    "Castagneta", "Fontana", "Pignolo", "San Leonardo", "Clementina", "Santa Caterina",
)
FRAZIONI = {
    "Gorle": ("Gorle",),
    "Orio al Serio": ("Orio al Serio",),
    "Ponteranica": ("Ponteranica Alta", "Ponteranica Bassa"),
    "Sorisole": ("Sorisole", "Petosino", "Azzonica"),
    "Torre Boldone": ("Torre Boldone",),
}

NICKS = {
    "infanzia": (
        "Il Girasole", "Arcobaleno", "Il Pulcino", "La Tana dei Cuccioli", "Il Trenino",
        "Pollicino", "Peter Pan", "Il Piccolo Principe", "Il Bosco Incantato",
        "La Casetta sull'Albero", "Gli Gnomi", "Il Melograno", "La Giostra", "Il Glicine",
        "Lo Scoiattolo", "Il Grillo Parlante", "Il Sole e la Luna", "Primi Passi",
        "La Trottola", "L'Albero delle Coccole", "Il Nido delle Rondini", "Bolle di Sapone",
        "Il Castello Incantato", "La Coccinella", "Il Bruco Verde", "Le Farfalle",
        "Il Cucciolo", "La Chiocciola", "Il Gomitolo", "Piccoli Passi",
        "Il Paese dei Balocchi", "La Nuvola", "Il Tulipano", "La Margherita", "Il Ciliegio",
        "Il Picchio", "Le Api Operose", "Il Pesciolino", "La Mongolfiera", "Il Pinguino",
        "Il Leprotto", "La Stella Cometa", "L'Aquilone", "Il Mulino a Vento", "Girotondo",
        "Tana Libera Tutti", "Il Folletto", "La Lucciola", "Il Veliero", "La Tartaruga",
        "Il Fiocco di Neve", "Le Briciole", "Il Canguro", "Il Riccio", "Il Gufetto",
        "L'Orsetto", "Ciuf Ciuf", "Il Sorriso", "Il Prato Fiorito", "La Libellula",
    ),
    "estate": (
        "Estate Insieme", "Sport e Natura", "Campus Multisport", "Estate in Città",
        "Giocaestate", "Green Camp", "English Summer Camp", "Estate al Parco", "Arte in Gioco",
        "Piccoli Esploratori", "Scienza in Gioco", "Campo Avventura", "Estate Ragazzi",
        "Musica e Movimento", "Ludoteca d'Estate", "Teatro Ragazzi", "Il Cortile Estivo",
        "Natura Amica",
    ),
    "giovani": (
        "Spazio Giovani", "Il Cortile", "Zona Franca", "La Piazzetta", "Officina Giovani",
        "Il Muretto", "Punto Giovani", "Crocevia", "Spazio Aperto", "Il Quadrato",
        "La Fucina", "Hangar", "Il Binario", "Controvento", "Il Ritrovo", "Skate Point",
        "La Bottega dei Ragazzi", "Il Faro Giovani", "Tempo Libero", "Il Graffio",
        "Il Campetto", "Spazio Ragazzi", "La Ciurma", "Il Cantiere", "Il Sottopasso",
        "La Rampa", "Il Portico",
    ),
    "comunita": (
        "Il Faro", "La Zattera", "Il Ponte", "La Bussola", "Casa del Sole", "L'Approdo",
        "Il Porto", "La Sorgente", "Il Timone", "Casa Aurora", "La Rosa dei Venti",
        "Il Mandorlo", "Casa Aperta", "La Tenda", "Il Focolare", "La Quercia", "Casa Nazareth",
        "Il Rifugio", "La Locanda", "Casa Emmaus",
    ),
    "disabili": (
        "Il Sentiero", "Il Quadrifoglio", "L'Arcobaleno", "Il Melo", "Il Tandem",
        "La Bottega", "Il Laboratorio", "La Meridiana", "Il Volo", "Il Mosaico", "Casa Amica",
        "La Vela", "Il Ponte", "La Fenice", "Il Gabbiano", "La Rondine", "L'Officina",
        "Il Filo d'Erba", "Passo dopo Passo", "Il Germoglio",
    ),
    "anziani": (
        "Villa Serena", "Casa Serena", "Il Focolare", "Le Querce", "Il Glicine",
        "La Meridiana", "Il Castagno", "Casa Letizia", "Il Tiglio", "Le Magnolie",
        "Villa dei Ciliegi", "Il Pozzo", "La Corte",
    ),
}
NICK_FAMILY = {
    "ASILO_NIDO": "infanzia", "MICRONIDO": "infanzia", "NIDO_FAMIGLIA": "infanzia",
    "CENTRO_PRIMA_INFANZIA": "infanzia", "CRD": "estate", "CAG": "giovani",
    "CEM": "comunita", "COMUNITA_FAMILIARE": "comunita",
    "ALLOGGIO_AUTONOMIA": "disabili", "SED": "disabili", "CSE": "disabili", "SFA": "disabili",
    "SFA_MINORI_SPERIMENTALE": "disabili", "CAD": "disabili", "CSS": "disabili",
    "ALLOGGIO_PROTETTO_ANZIANI": "anziani", "CENTRO_DIURNO_ANZIANI": "anziani",
    "CASA": "anziani",
}

# Operators of private units (invented names), with weights: several run more than one unit.
OPERATORS = {
    "infanzia": (
        ("Cooperativa Sociale Il Girotondo", 6), ("Cooperativa Sociale Bimbi in Cammino", 5),
        ("Cooperativa Sociale La Cicogna", 4), ("Cooperativa Sociale Piccoli Orizzonti", 4),
        ("Cooperativa Sociale Crescere Insieme", 3), ("Cooperativa Sociale Primavera", 2),
        ("Fondazione Asilo Infantile San Giuseppe Onlus", 1),
        ("Fondazione Scuola Materna Regina Margherita", 1),
    ),
    "nido_famiglia": (
        ("Associazione Nidi in Famiglia Bergamo", 5), ("Associazione La Casa dei Bimbi", 3),
        ("Cooperativa Sociale Crescere Insieme", 2),
    ),
    "estate": (
        ("Cooperativa Sociale L'Aquilone", 3), ("ASD Polisportiva Orobica", 2),
        ("Associazione Estate Ragazzi", 2), ("Cooperativa Sociale Tempo Libero", 2),
    ),
    "giovani": (
        ("Cooperativa Sociale Spazio Giovani", 4), ("Cooperativa Sociale L'Aquilone", 3),
        ("Associazione Giovani in Rete", 2),
    ),
    "comunita": (
        ("Cooperativa Sociale Casa Aperta", 4), ("Fondazione Il Focolare Onlus", 3),
        ("Cooperativa Sociale L'Approdo", 3), ("Associazione Famiglie Accoglienti", 2),
    ),
    "disabili": (
        ("Cooperativa Sociale Il Sentiero", 4), ("Cooperativa Sociale Oltre i Confini", 3),
        ("Fondazione Insieme per l'Autonomia Onlus", 2),
        ("Cooperativa Sociale Lavorare Insieme", 2),
    ),
    "anziani": (
        ("Cooperativa Sociale Argento Vivo", 3), ("Fondazione Casa Serena Onlus", 2),
    ),
}


def euros(cents: int) -> str:
    """Format non-negative cents as `1234.56`."""
    return f"{cents // 100}.{cents % 100:02d}"


class Generator:
    """Deterministic generator of units; every random draw goes through `self.rng`."""

    def __init__(self, seed: int) -> None:
        self.rng = random.Random(seed)
        self.ids: set[int] = set()
        self.nicks: dict[str, list[str]] = {}
        self.quartieri: dict[str, list[str]] = {}
        self.oratori: dict[str, list[str]] = {}

    # -- names ------------------------------------------------------------------------------

    def _pop(self, store: dict[str, list[str]], key: str, pool: tuple[str, ...]) -> str:
        if key not in store:
            items = list(pool)
            self.rng.shuffle(items)
            store[key] = items
        if not store[key]:
            raise RuntimeError(f"name pool exhausted: {key}")
        return store[key].pop()

    def nick(self, unit_type: str) -> str:
        return self._pop(self.nicks, unit_type, NICKS[NICK_FAMILY[unit_type]])

    def quartiere(self, unit_type: str) -> str:
        return self._pop(self.quartieri, unit_type, QUARTIERI)

    def operator(self, family: str) -> str:
        names = [name for name, _ in OPERATORS[family]]
        weights = [weight for _, weight in OPERATORS[family]]
        return self.rng.choices(names, weights)[0]

    def name_and_operator(self, municipality: str, ownership: str, unit_type: str
                          ) -> tuple[str, str]:
        label = LABEL[unit_type]
        if ownership == "public":
            operator = f"Comune di {municipality}"
            if unit_type == "CRD":
                return f"Centro estivo comunale di {municipality}", operator
            if unit_type == "CSE":
                return f"CSE comunale {self.nick(unit_type)}", operator
            if unit_type == "ALLOGGIO_PROTETTO_ANZIANI":
                place = self.quartiere(unit_type) if municipality == "Bergamo" else municipality
                return f"Alloggi protetti comunali per anziani di {place}", operator
            if municipality == "Bergamo":
                return f"{label} comunale {self.quartiere(unit_type)}", operator
            if unit_type == "CENTRO_DIURNO_ANZIANI":
                return f"{label} comunale di {municipality}", operator
            return f"{label} comunale {self.nick(unit_type)}", operator
        if unit_type == "CRD":
            if municipality not in self.oratori:
                # parish summer centres (CRE): about two thirds of those of the city, one per
                # parish (frazione) elsewhere; the others are run by cooperatives and clubs
                places = (self.rng.sample(QUARTIERI, 26) if municipality == "Bergamo"
                          else list(FRAZIONI[municipality]))
                self.oratori[municipality] = places
            if self.oratori[municipality]:
                place = self.oratori[municipality].pop()
                return f"CRE Oratorio di {place}", f"Parrocchia di {place}"
            return f"{label} {self.nick(unit_type)}", self.operator("estate")
        nick = self.nick(unit_type)
        family = NICK_FAMILY[unit_type]
        if unit_type == "NIDO_FAMIGLIA":
            return f"{label} {nick}", self.operator("nido_famiglia")
        if family == "infanzia" and self.rng.random() < 0.25:
            suffix = self.rng.choice(("S.r.l.", "S.n.c.", "S.r.l.s."))
            return f"{label} {nick}", f"{nick} {suffix}"
        if unit_type == "CAG" and self.rng.random() < 0.3:
            place = self.quartiere("PARISH") if municipality == "Bergamo" else municipality
            return f"{label} {nick}", f"Parrocchia di {place}"
        return f"{label} {nick}", self.operator(family)

    # -- figures ----------------------------------------------------------------------------

    def unit_id(self) -> str:
        while True:
            number = self.rng.randrange(100_000, 1_000_000)
            if number not in self.ids:
                self.ids.add(number)
                return f"UDO{number:06d}"

    def start_date(self, first: int, last: int) -> date:
        year = self.rng.randint(first, last)
        return date(year, 1, 1) + timedelta(days=self.rng.randrange(365))

    def unit(self, municipality: str, ownership: str, unit_type: str) -> Unit:
        users_range, cost_range, private_ratio, public_ratio, years = PROFILES[unit_type]
        if unit_type == "CRD" and municipality != "Bergamo":
            users_range = (30, 150)  # summer centres of a small town
        users = self.rng.randint(*users_range)
        per_user = self.rng.uniform(*cost_range)
        costs = round(users * per_user * 100)
        ratio = self.rng.uniform(*(public_ratio if ownership == "public" else private_ratio))
        revenues = round(costs * ratio)
        name, operator = self.name_and_operator(municipality, ownership, unit_type)
        experimental = unit_type == "SFA_MINORI_SPERIMENTALE"
        return {
            "unit_id": self.unit_id(),
            "name": name,
            "operator": operator,
            "municipality": municipality,
            "unit_type": unit_type,
            "ownership": ownership,
            "users": users,
            "costs": costs,
            "revenues": revenues,
            "start_date": self.start_date(*years),
            "end_date": None,
            "in_registry": True,
            "authorized": True,
            "experimental": experimental,
            "keeps_requirements": True if experimental else None,
            "data_declared": True if unit_type in RESIDENTIAL_MINORI else None,
            "applied": True,
        }

    def municipal(self, municipality: str, service: str) -> Unit:
        base_users, per_user, ratio_range = MUNICIPAL_PROFILE[service]
        scale = POPULATION[municipality] / POPULATION["Bergamo"]
        if municipality == "Bergamo":
            users = round(base_users * self.rng.uniform(0.95, 1.05))
        else:
            users = max(1, round(base_users * scale * self.rng.uniform(0.7, 1.4)))
        costs = round(users * per_user * self.rng.uniform(0.85, 1.15) * 100)
        revenues = round(costs * self.rng.uniform(*ratio_range))
        slug = re.sub(r"[^A-Z]+", "-", municipality.upper())
        return {
            "unit_id": f"COM-{slug}-{service.replace('_', '-')}",
            "name": f"{MUNICIPAL_LABEL[service]} - Comune di {municipality}",
            "operator": f"Comune di {municipality}",
            "municipality": municipality,
            "unit_type": service,
            "ownership": "public",
            "users": users,
            "costs": costs,
            "revenues": revenues,
            "start_date": date(self.rng.randint(1985, 2005), 1, 1),
            "end_date": None,
            "in_registry": False,
            "authorized": False,
            "experimental": False,
            "keeps_requirements": None,
            "data_declared": None,
            "applied": True,
        }


# ---------------------------------------------------------------------------------------------
# Rough check of eligibility and entitlement (docs/reference.md, 1.4-1.5), for the summary only
# ---------------------------------------------------------------------------------------------


def expected_reasons(unit: Unit) -> list[str]:
    """Exclusion codes the rules should give this row (a private re-implementation)."""
    unit_type = unit["unit_type"]
    municipal = unit_type in MUNICIPAL_TYPES
    start = unit["start_date"]
    end = unit["end_date"]
    assert isinstance(start, date)
    reasons = []
    if not municipal and not unit["in_registry"]:
        reasons.append("NOT_IN_REGISTRY")
    if not municipal and not unit["authorized"]:
        reasons.append("NOT_AUTHORIZED")
    if unit["municipality"].casefold() not in {m.casefold() for m in AMBITO}:
        reasons.append("OUTSIDE_AMBITO")
    if start.year >= YEAR:
        reasons.append("STARTED_IN_YEAR")
    if isinstance(end, date) and end.year < YEAR:
        reasons.append("CEASED_BEFORE_YEAR")
    # the SFA minori are an experimentation by definition (criteria l.78): their requirements
    # are checked whatever the row's experimental flag says
    sfa_minori = unit_type == "SFA_MINORI_SPERIMENTALE"
    if (unit["experimental"] or sfa_minori) and not (sfa_minori and unit["keeps_requirements"]):
        reasons.append("EXPERIMENTAL")
    if unit_type in RESIDENTIAL_MINORI and not unit["data_declared"]:
        reasons.append("MISSING_DATA_DECLARATION")
    if unit["costs"] - unit["revenues"] <= 0:
        reasons.append("NO_DEFICIT")
    if not unit["applied"]:
        reasons.append("NOT_APPLIED")
    return reasons


def entitlement(unit: Unit) -> int:
    """Cents: min(deficit, formula) for private units, the deficit otherwise, prorated."""
    if expected_reasons(unit):
        return 0
    deficit = unit["costs"] - unit["revenues"]
    cap = deficit
    if unit["ownership"] == "private":
        base, rate = FORMULA[unit["unit_type"]]
        cap = min(deficit, (base + rate * unit["users"]) * 100)
    end = unit["end_date"]
    if isinstance(end, date) and end.year == YEAR:
        days = (end - date(YEAR, 1, 1)).days + 1
        cap = cap * days // 365
    return cap


# ---------------------------------------------------------------------------------------------
# Building the table
# ---------------------------------------------------------------------------------------------


def build() -> list[Unit]:
    gen = Generator(SEED)
    units: list[Unit] = []
    for (municipality, ownership), types in COMPOSITION.items():
        for unit_type, count in types.items():
            for _ in range(count):
                units.append(gen.unit(municipality, ownership, unit_type))
    for (municipality, ownership), count in CRD_COMPOSITION.items():
        for _ in range(count):
            units.append(gen.unit(municipality, ownership, "CRD"))

    used: set[str] = set()

    def take(municipality: str, ownership: str, unit_type: str) -> Unit:
        """The first generated unit of this kind not yet used for a special case."""
        for unit in units:
            if (unit["municipality"], unit["ownership"], unit["unit_type"]) == (
                municipality, ownership, unit_type,
            ) and unit["unit_id"] not in used:
                used.add(unit["unit_id"])
                return unit
        raise LookupError((municipality, ownership, unit_type))

    def set_deficit(unit: Unit, cents: int) -> None:
        unit["revenues"] = unit["costs"] - cents

    # --- special cases among the 211 and the CRD -------------------------------------------
    take("Bergamo", "private", "NIDO_FAMIGLIA")["authorized"] = False
    take("Sorisole", "private", "CRD")["authorized"] = False

    cag = take("Bergamo", "private", "CAG")
    # keeping the requirements saves only experimental SFA minori, not a CAG
    cag.update(experimental=True, keeps_requirements=True)
    cpi = take("Bergamo", "private", "CENTRO_PRIMA_INFANZIA")
    cpi.update(experimental=True, keeps_requirements=False)
    # not flagged experimental, not keeping the requirements: excluded all the same (l.78)
    take("Bergamo", "private", "SFA_MINORI_SPERIMENTALE").update(
        experimental=False, keeps_requirements=False)
    take("Bergamo", "private", "SFA_MINORI_SPERIMENTALE")  # experimental, keeps requirements

    take("Bergamo", "private", "CEM")["data_declared"] = False
    take("Torre Boldone", "private", "COMUNITA_FAMILIARE")["data_declared"] = False

    nido = take("Bergamo", "private", "ASILO_NIDO")
    nido["revenues"] = round(nido["costs"] * 1.035)
    set_deficit(take("Bergamo", "private", "CEM"), 0)
    crd = take("Torre Boldone", "private", "CRD")
    crd["revenues"] = crd["costs"] + 41_250

    take("Bergamo", "private", "CRD")["applied"] = False
    take("Ponteranica", "private", "MICRONIDO")["applied"] = False
    take("Gorle", "private", "CAG")["applied"] = False

    take("Bergamo", "private", "ASILO_NIDO")["end_date"] = date(2025, 6, 30)

    set_deficit(take("Bergamo", "private", "CRD"), 18_540)
    set_deficit(take("Gorle", "private", "NIDO_FAMIGLIA"), 24_000)
    set_deficit(take("Sorisole", "private", "CRD"), 9_650)

    take("Bergamo", "private", "CRD")["municipality"] = "BERGAMO"
    take("Torre Boldone", "private", "MICRONIDO")["municipality"] = "torre boldone"

    # --- extra rows: not among the 211 -----------------------------------------------------
    extra = []
    row = gen.unit("Bergamo", "private", "CRD")
    row["in_registry"] = False
    extra.append(row)
    row = gen.unit("Sorisole", "private", "MICRONIDO")
    row["in_registry"] = False
    extra.append(row)
    extra.append(gen.unit("Seriate", "private", "ASILO_NIDO"))
    extra.append(gen.unit("Dalmine", "private", "CSE"))
    row = gen.unit("Bergamo", "private", "MICRONIDO")  # new in 2025: no 2024 activity
    row.update(start_date=date(2025, 2, 3), users=0, costs=0, revenues=0)
    extra.append(row)
    row = gen.unit("Gorle", "private", "CAG")  # reopened in 2025 under a new AFAM code
    row["start_date"] = date(2025, 1, 13)
    extra.append(row)
    row = gen.unit("Bergamo", "private", "CAG")  # closed in mid-2024: half a year of figures
    row.update(end_date=date(2024, 6, 30), users=row["users"] // 2,
               costs=row["costs"] // 2, revenues=row["revenues"] // 2)
    extra.append(row)
    row = gen.unit("Ponteranica", "private", "NIDO_FAMIGLIA")
    row["end_date"] = date(2024, 12, 31)
    extra.append(row)

    # --- municipal service lines ------------------------------------------------------------
    services = [gen.municipal(m, s) for m in AMBITO for s in MUNICIPAL_SERVICES]
    services += [gen.municipal(m, s) for m, s in POINT_A_SERVICES]

    rows = units + extra + services
    size_disabili_sadh(rows)
    rows.sort(key=lambda u: (u["municipality"].casefold(), TYPE_ORDER[u["unit_type"]],
                             u["unit_id"]))
    return rows


def size_disabili_sadh(rows: list[Unit]) -> None:
    """Size Bergamo's SADH line so that disabili demand is DISABILI_DEMAND_RATIO x budget."""
    sadh = next(u for u in rows if u["unit_id"] == "COM-BERGAMO-SADH")
    others = sum(entitlement(u) for u in rows
                 if TYPE_AREA[u["unit_type"]] == "disabili" and u is not sadh)
    deficit = round(BUDGETS["disabili"] * DISABILI_DEMAND_RATIO) - others
    if not 15_000_00 <= deficit <= 80_000_00:
        raise RuntimeError(f"implausible Bergamo SADH deficit {euros(max(deficit, 0))}")
    costs = round(deficit / 0.92)
    sadh.update(costs=costs, revenues=costs - deficit, users=max(1, round(costs / 1_900_00)))


# ---------------------------------------------------------------------------------------------
# Writers
# ---------------------------------------------------------------------------------------------


def csv_cell(value: object, kind: str) -> str:
    if value is None:
        return ""
    if kind == "bool":
        return "true" if value else "false"
    if kind == "money":
        return euros(int(value))
    if kind == "date":
        assert isinstance(value, date)
        return value.isoformat()
    return str(value)


def write_csv(rows: list[Unit], path: Path) -> None:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow([c.name for c in INPUT_COLUMNS])
    for row in rows:
        writer.writerow([csv_cell(row[c.name], c.kind) for c in INPUT_COLUMNS])
    path.write_bytes(buffer.getvalue().encode("utf-8"))


INSTRUCTIONS = {
    "unit_id": "Codice AFAM/CUDES dell'unità di offerta, oppure un codice della linea di "
               "servizio comunale (es. COM-BERGAMO-SAD). Deve essere univoco.",
    "name": "Denominazione dell'unità di offerta o del servizio.",
    "operator": "Ente gestore (facoltativo); i pagamenti sono raggruppati per ente gestore.",
    "municipality": "Comune sede dell'unità (maiuscole e minuscole indifferenti).",
    "unit_type": "Codice della tipologia (es. ASILO_NIDO, CRD, CEM, CSE, SFA, SAD, ADM): "
                 "vedi l'elenco delle tipologie del set di regole.",
    "ownership": "pubblica per le unità pubbliche e i servizi comunali, privata per le "
                 "unità private (il programma accetta anche public e private).",
    "users": "Numero di utenti nell'anno 2024 (intero, 0 o più).",
    "costs": "Costi dell'anno 2024 in euro, con due decimali.",
    "revenues": "Ricavi dell'anno 2024 in euro, con due decimali (disavanzo = costi - ricavi).",
    "start_date": "Data di inizio attività (GG/MM/AAAA).",
    "end_date": "Data di cessazione dell'attività; vuota se l'unità è attiva.",
    "in_registry": "sì se l'unità è presente nell'anagrafica regionale AFAM (no per i "
                   "servizi comunali, per i quali non è richiesta).",
    "authorized": "sì se l'unità ha l'autorizzazione al funzionamento o ha trasmesso la "
                  "Comunicazione Preventiva di Esercizio (CPE).",
    "experimental": "sì per le unità di offerta sperimentali.",
    "keeps_requirements": "Solo per le unità sperimentali: sì se lo SFA minori sperimentale "
                          "(d.g.r. 694/2010) mantiene i requisiti della d.g.r. 11263/2010.",
    "data_declared": "Solo per le comunità residenziali per minori (CEM, comunità familiari): "
                     "sì se è stata presentata la dichiarazione sui dati inseriti in Minori "
                     "Web per il 2024.",
    "applied": "sì se l'ente gestore ha presentato istanza di contributo.",
}

MONEY_FORMAT = "#,##0.00"
DATE_FORMAT = "DD/MM/YYYY"


def xlsx_value(value: object, kind: str) -> object:
    if value is None:
        return None
    if kind == "bool":
        return "sì" if value else "no"
    if kind == "ownership":  # the template is for Italian planners: the reader takes both
        return {"public": "pubblica", "private": "privata"}[str(value)]
    if kind == "money":
        return int(value) / 100
    return value


def display_width(value: object, kind: str) -> int:
    if value is None:
        return 0
    if kind == "money":
        return len(f"{int(value) / 100:,.2f}")
    if kind == "date":
        return 10
    return len(str(value))


def write_xlsx(rows: list[Unit], path: Path) -> None:
    wb = Workbook()
    ws = wb.active
    assert ws is not None
    ws.title = "Unità"
    bold = Font(bold=True)
    ws.append([c.heading(YEAR - 1) for c in INPUT_COLUMNS])
    for cell in ws[1]:
        cell.font = bold
        cell.alignment = Alignment(vertical="center", wrap_text=True)
    for row in rows:
        ws.append([xlsx_value(row[c.name], c.kind) for c in INPUT_COLUMNS])
    for index, column in enumerate(INPUT_COLUMNS, start=1):
        letter = get_column_letter(index)
        if column.kind in ("money", "date"):
            number_format = MONEY_FORMAT if column.kind == "money" else DATE_FORMAT
            for (cell,) in ws.iter_rows(min_row=2, min_col=index, max_col=index):
                cell.number_format = number_format
        widest = max([len(column.heading(YEAR - 1))]
                     + [display_width(r[column.name], column.kind) for r in rows])
        ws.column_dimensions[letter].width = min(max(widest + 2, 10), 55)
    ws.freeze_panes = "A2"
    ws.auto_filter.ref = ws.dimensions

    info = wb.create_sheet("Istruzioni")
    info.append(["Colonna", "Nome tecnico", "Obbligatoria", "Descrizione"])
    for cell in info[1]:
        cell.font = bold
    for column in INPUT_COLUMNS:
        info.append([column.heading(YEAR - 1), column.name, "sì" if column.required else "no",
                     INSTRUCTIONS[column.name]])
    info.append([])
    info.append(["Formati: importi in euro (numeri), date GG/MM/AAAA, valori sì/no; una riga "
                 "per unità di offerta o linea di servizio comunale. Dati di esempio SINTETICI."])
    for letter, width in zip("ABCD", (28, 20, 13, 110), strict=True):
        info.column_dimensions[letter].width = width
    info.freeze_panes = "A2"

    props = wb.properties
    props.creator = "fsr-opt scripts/make_bergamo_example.py"
    props.lastModifiedBy = "fsr-opt scripts/make_bergamo_example.py"
    props.title = "FSR 2025 - Ambito di Bergamo - unità (esempio sintetico)"
    props.created = DOC_DATE
    props.modified = DOC_DATE

    raw = io.BytesIO()
    wb.save(raw)
    path.write_bytes(normalise_zip(raw.getvalue()))


def normalise_zip(data: bytes) -> bytes:
    """Rewrite an XLSX with fixed entry timestamps and document dates (reproducible bytes)."""
    return reproducible_xlsx(data, DOC_DATE)


# ---------------------------------------------------------------------------------------------
# Summary
# ---------------------------------------------------------------------------------------------


def summary(rows: list[Unit]) -> str:
    lines = [f"{len(rows)} rows"]
    lines.append(f"{'area':<9} {'rows':>5} {'eligible':>8} {'entitlement':>14} "
                 f"{'budget':>12} {'ratio':>6}")
    for area, budget in BUDGETS.items():
        in_area = [u for u in rows if TYPE_AREA[u["unit_type"]] == area]
        eligible = [u for u in in_area if not expected_reasons(u)]
        total = sum(entitlement(u) for u in eligible)
        lines.append(f"{area:<9} {len(in_area):>5} {len(eligible):>8} {euros(total):>14} "
                     f"{euros(budget):>12} {total / budget:>6.2f}")
    lines.append("exclusion cases:")
    for u in rows:
        reasons = expected_reasons(u)
        if reasons:
            lines.append(f"  {u['unit_id']}  {u['unit_type']:<22} {u['municipality']:<14} "
                         f"{';'.join(reasons)}")
    lines.append("prorated:")
    for u in rows:
        end = u["end_date"]
        if isinstance(end, date) and end.year == YEAR:
            lines.append(f"  {u['unit_id']}  {u['unit_type']} end {end.isoformat()} "
                         f"entitlement {euros(entitlement(u))}")
    lines.append("eligible private units with entitlement below 300 EUR:")
    for u in rows:
        if u["ownership"] == "private" and not expected_reasons(u) and entitlement(u) < 300_00:
            lines.append(f"  {u['unit_id']}  {u['unit_type']:<22} {euros(entitlement(u))}")
    return "\n".join(lines)


def is_active_unit_of_offer(unit: Unit) -> bool:
    """One of the criteria's "UDOS attive al 31.12.2024" (CRD counted apart).

    In AFAM and in the Ambito, started before 2025, not ceased before it, neither a municipal
    service nor a centro ricreativo diurno.
    """
    start, end = unit["start_date"], unit["end_date"]
    assert isinstance(start, date)
    return (unit["in_registry"] and unit["unit_type"] not in MUNICIPAL_TYPES
            and unit["unit_type"] != "CRD"
            and unit["municipality"].casefold() in {m.casefold() for m in AMBITO}
            and start.year < YEAR and not (isinstance(end, date) and end.year < YEAR))


def check(rows: list[Unit]) -> None:
    """Fail loudly if the generated table drifts from what the example promises."""
    ids = [u["unit_id"] for u in rows]
    if len(ids) != len(set(ids)):
        raise RuntimeError("duplicate unit ids")
    active: dict[tuple[str, str], int] = dict.fromkeys(ACTIVE_UNITS, 0)
    canonical = {m.casefold(): m for m in AMBITO}
    for unit in rows:
        if is_active_unit_of_offer(unit):
            key = (canonical[unit["municipality"].casefold()], unit["ownership"])
            active[key] += 1
    if active != ACTIVE_UNITS:
        raise RuntimeError(f"active units differ from the criteria's table: {active}")
    for area in ("minori", "anziani"):
        total = sum(entitlement(u) for u in rows if TYPE_AREA[u["unit_type"]] == area)
        if total <= 1.3 * BUDGETS[area]:
            raise RuntimeError(f"{area}: demand not above 1.3 x budget")
    total = sum(entitlement(u) for u in rows if TYPE_AREA[u["unit_type"]] == "disabili")
    if not 0.9 * BUDGETS["disabili"] <= total <= 1.3 * BUDGETS["disabili"]:
        raise RuntimeError("disabili: demand outside 0.9-1.3 x budget")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=DEFAULT_OUT,
                        help="directory for units.csv and units.xlsx (default: %(default)s)")
    parser.add_argument("--quiet", action="store_true", help="do not print the summary")
    args = parser.parse_args(argv)
    rows = build()
    check(rows)
    args.out.mkdir(parents=True, exist_ok=True)
    write_csv(rows, args.out / "units.csv")
    write_xlsx(rows, args.out / "units.xlsx")
    if not args.quiet:
        print(summary(rows))
        print(f"written {args.out / 'units.csv'} and {args.out / 'units.xlsx'}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
