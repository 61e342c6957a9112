"""Seeded generator of realistic riparto instances, for the benchmarks (SYNTHETIC data).

One Ambito of N units is a units table in the contract's column format (the same columns,
cell formats and sort order as ``data/bergamo-2025/units.csv``), meant to be solved with the
default rule set ``models/fsr-2025-bergamo.yaml``: every unit type and municipality is one of
that rule set's, so the default rules apply unchanged. The mix follows the bundled example:

* about 85% units of offer, drawn with the example's weights per (municipality, ownership,
  type): mostly private (CRD, nidi, CAG, comunità...), some public (asili nido comunali,
  centri diurni anziani...), with the example's users, cost per user and revenue ratios;
* about 12% municipal service lines (SAD, SADH, ADM, AFFIDO, INSERIMENTO_COMUNITA) of the six
  municipalities, sized by population as in the example;
* about 3% exclusion cases (each access rule of the criteria), a few units ceased during 2025
  (prorated), a few with a deficit below the minimum award.

The fund is scaled with the size: ``892,495.35 * N / 249`` euros (the example had 249 rows when
the benchmarks were set; the mix below is kept as it was then),
so that demand exceeds the budget in minori and anziani as in the example; pass it to the
solver as ``--budget`` (``fsr-opt solve --units DIR/units.csv --budget EUR``).

Usage::

    python -m benchmarks.generate --units 2000 --seed 1 --out /tmp/n2000
    python -m benchmarks.generate --units 2000 --seed 1 --ambiti 8 --out /tmp/region

With ``--ambiti K`` it writes a region: ``DIR/ambito-01/units.csv`` ... ``DIR/ambito-K/``,
each Ambito with its own size (around N, between N/3 and 3N), seed and fund, and
``DIR/region.csv`` listing ``ambito, units, rules, budget, rows``.
"""

from __future__ import annotations

import argparse
import csv
import importlib.util
import io
import json
import os
import random
import re
import sys
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import ROUND_HALF_UP, Decimal
from pathlib import Path
from typing import Any

from fsr_opt.core.schema import INPUT_COLUMNS

ROOT = Path(__file__).resolve().parents[1]
DEFAULT_RULES = ROOT / "models" / "fsr-2025-bergamo.yaml"
FUND_2025 = Decimal("892495.35")
EXAMPLE_ROWS = 249
YEAR = 2025

Unit = dict[str, Any]  # contract column name -> value (money in cents)


def _load_example_script() -> Any:
    """The example's generator: its tables of units are the realistic mix we scale up."""
    spec = importlib.util.spec_from_file_location(
        "make_bergamo_example", ROOT / "scripts" / "make_bergamo_example.py"
    )
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


_EXAMPLE = _load_example_script()
AMBITO: tuple[str, ...] = _EXAMPLE.AMBITO
POPULATION: dict[str, int] = _EXAMPLE.POPULATION
TYPE_ORDER: dict[str, int] = _EXAMPLE.TYPE_ORDER
MUNICIPAL_SERVICES: tuple[str, ...] = _EXAMPLE.MUNICIPAL_SERVICES
RESIDENTIAL_MINORI: tuple[str, ...] = _EXAMPLE.RESIDENTIAL_MINORI
MUNICIPAL_LABEL: dict[str, str] = _EXAMPLE.MUNICIPAL_LABEL
PROFILES: dict[str, Any] = _EXAMPLE.PROFILES
# The weights of the mix of units of offer per (municipality, ownership) and type: the bundled
# example's mix as it was when the benchmarks of benchmarks/RESULTS.md and the regressions of
# tests/test_scale.py were found (the 55 CRD among the 211). The example now counts the CRD
# apart, as the criteria do (data/README.md); these weights are kept as they were so that the
# same seed still gives the same instances and those figures stay comparable.
COMPOSITION: dict[tuple[str, str], dict[str, int]] = {
    key: mix for key, mix in {
    ("Bergamo", "public"): {
        "ASILO_NIDO": 11, "CENTRO_PRIMA_INFANZIA": 2, "CRD": 1, "CSE": 1,
        "ALLOGGIO_PROTETTO_ANZIANI": 2, "CENTRO_DIURNO_ANZIANI": 5,
    },
    ("Bergamo", "private"): {
        "ASILO_NIDO": 24, "MICRONIDO": 15, "NIDO_FAMIGLIA": 13, "CENTRO_PRIMA_INFANZIA": 5,
        "CRD": 40, "CAG": 11, "CEM": 9, "COMUNITA_FAMILIARE": 5,
        "ALLOGGIO_AUTONOMIA": 2, "SED": 1, "CSE": 6, "SFA": 4, "SFA_MINORI_SPERIMENTALE": 2,
        "CAD": 2, "CSS": 1,
        "ALLOGGIO_PROTETTO_ANZIANI": 2, "CENTRO_DIURNO_ANZIANI": 2, "CASA": 2,
    },
    ("Gorle", "public"): {"ASILO_NIDO": 1, "CENTRO_DIURNO_ANZIANI": 1},
    ("Gorle", "private"): {"MICRONIDO": 1, "NIDO_FAMIGLIA": 1, "CRD": 2, "CAG": 1},
    ("Orio al Serio", "public"): {
        "ASILO_NIDO": 1, "CRD": 1, "ALLOGGIO_PROTETTO_ANZIANI": 1, "CENTRO_DIURNO_ANZIANI": 1,
    },
    ("Orio al Serio", "private"): {"CRD": 1},
    ("Ponteranica", "public"): {"ASILO_NIDO": 1, "CRD": 1, "CENTRO_DIURNO_ANZIANI": 1},
    ("Ponteranica", "private"): {"MICRONIDO": 1, "NIDO_FAMIGLIA": 1, "CRD": 2, "CSS": 1},
    ("Sorisole", "public"): {},
    ("Sorisole", "private"): {
        "ASILO_NIDO": 1, "MICRONIDO": 1, "NIDO_FAMIGLIA": 2, "CRD": 3, "CAG": 1, "CSE": 1,
    },
    ("Torre Boldone", "public"): {"ASILO_NIDO": 1, "CRD": 1, "CENTRO_DIURNO_ANZIANI": 1},
    ("Torre Boldone", "private"): {
        "ASILO_NIDO": 1, "MICRONIDO": 2, "NIDO_FAMIGLIA": 1, "CRD": 3, "CAG": 1,
        "COMUNITA_FAMILIARE": 1, "ALLOGGIO_AUTONOMIA": 1, "CASA": 1,
    },
}.items() if mix
}
OUTSIDE = ("Seriate", "Dalmine", "Stezzano", "Curno", "Mozzo")


# Municipal service lines, Bergamo-sized: users, cost per user (euros), revenues / costs.
# SADH is sized up from the example's profile so that disabili demand lands near 1.15 x its
# budget, as the example's Bergamo SADH line does.
MUNICIPAL_PROFILE = {**_EXAMPLE.MUNICIPAL_PROFILE, "SADH": (20, 1_900, (0.05, 0.10))}
LABEL = {
    "ASILO_NIDO": "Asilo nido", "MICRONIDO": "Micronido", "NIDO_FAMIGLIA": "Nido famiglia",
    "CENTRO_PRIMA_INFANZIA": "Centro prima infanzia", "CRD": "Centro estivo", "CAG": "CAG",
    "CEM": "Comunità educativa", "COMUNITA_FAMILIARE": "Comunità familiare",
    "ALLOGGIO_AUTONOMIA": "Alloggio per l'autonomia", "SED": "Servizio educativo diurno",
    "CSE": "CSE", "SFA": "SFA", "SFA_MINORI_SPERIMENTALE": "SFA minori",
    "CAD": "Comunità alloggio disabili", "CSS": "CSS",
    "ALLOGGIO_PROTETTO_ANZIANI": "Alloggi protetti", "CENTRO_DIURNO_ANZIANI": "Centro diurno",
    "CASA": "Comunità alloggio sociale anziani",
}
NICKS = (
    "Il Girasole", "Arcobaleno", "Il Pulcino", "Il Trenino", "Pollicino", "Peter Pan",
    "Il Melograno", "La Giostra", "Il Glicine", "Primi Passi", "La Trottola", "La Coccinella",
    "Le Farfalle", "La Chiocciola", "Girotondo", "Il Faro", "La Zattera", "Il Ponte",
    "La Bussola", "Casa del Sole", "L'Approdo", "La Sorgente", "Il Timone", "Casa Aurora",
    "Il Sentiero", "Il Quadrifoglio", "Il Tandem", "La Meridiana", "Il Mosaico", "La Vela",
    "Villa Serena", "Le Querce", "Il Castagno", "Il Tiglio", "Le Magnolie", "La Corte",
    "Spazio Giovani", "Zona Franca", "La Piazzetta", "Officina", "Crocevia", "Il Binario",
)
OPERATOR_KINDS = (
    ("Cooperativa Sociale", 6), ("Associazione", 2), ("Fondazione", 1), ("Parrocchia di", 1),
)

# Exclusion cases: (weight, what to change). Each breaks one access rule of the criteria.
EXCLUSIONS = (
    "not_applied", "no_deficit", "not_in_registry", "not_authorized", "outside_ambito",
    "started_in_year", "ceased_before_year", "experimental", "missing_declaration",
)

SHARE_MUNICIPAL = 30 / EXAMPLE_ROWS  # the example: 30 municipal lines in 249 rows
SHARE_EXCLUDED = 0.03
SHARE_CEASED_IN_YEAR = 0.005
SHARE_BELOW_MINIMUM = 0.01


def euros(cents: int) -> str:
    """Format non-negative cents as ``1234.56``."""
    return f"{cents // 100}.{cents % 100:02d}"


def fund_for(units: int) -> Decimal:
    """The fund in euros for an Ambito of `units` rows: 892,495.35 * N / 249, to the cent."""
    return (FUND_2025 * units / EXAMPLE_ROWS).quantize(Decimal("0.01"), ROUND_HALF_UP)


@dataclass(frozen=True)
class Instance:
    """A generated Ambito: its rows (in file order) and the fund to pass as ``--budget``."""

    units: list[Unit]
    budget: Decimal
    seed: int

    def csv_bytes(self) -> bytes:
        """The units table as the contract's CSV (UTF-8, ``,``, ``.``, ISO dates)."""
        buffer = io.StringIO()
        writer = csv.writer(buffer, lineterminator="\n")
        writer.writerow([c.name for c in INPUT_COLUMNS])
        for row in self.units:
            writer.writerow([_cell(row[c.name], c.kind) for c in INPUT_COLUMNS])
        return buffer.getvalue().encode("utf-8")


def _cell(value: object, kind: str) -> str:
    if value is None:
        return ""
    if kind == "bool":
        return "true" if value else "false"
    if kind == "money":
        return euros(int(value))  # type: ignore[call-overload]
    if kind == "date":
        assert isinstance(value, date)
        return value.isoformat()
    return str(value)


class _Generator:
    """Every random draw goes through `self.rng`: same seed and size, same rows."""

    def __init__(self, seed: int, size: int) -> None:
        self.rng = random.Random(seed)
        self.size = size
        numbers = self.rng.sample(range(1_000_000, 10_000_000), size)
        self.ids = iter(numbers)
        kinds = [kind for kind, _ in OPERATOR_KINDS]
        weights = [weight for _, weight in OPERATOR_KINDS]
        self.operators = [
            f"{self.rng.choices(kinds, weights)[0]} {self.rng.choice(NICKS)} {i + 1}"
            for i in range(max(10, size // 8))
        ]
        cells = [(m, o, t, n) for (m, o), types in COMPOSITION.items() for t, n in types.items()]
        self.offer_kinds = [(m, o, t) for m, o, t, _ in cells]
        self.offer_weights = [n for *_, n in cells]
        self.line_counter: dict[tuple[str, str], int] = {}

    def start_date(self, first: int, last: int) -> date:
        year = self.rng.randint(first, last)
        return date(year, 1, 1) + timedelta(days=self.rng.randrange(365))

    def unit_of_offer(self) -> Unit:
        municipality, ownership, unit_type = self.rng.choices(
            self.offer_kinds, self.offer_weights
        )[0]
        users_range, cost_range, private_ratio, public_ratio, years = PROFILES[unit_type]
        if unit_type == "CRD" and municipality != "Bergamo":
            users_range = (30, 150)
        users = self.rng.randint(*users_range)
        costs = round(users * self.rng.uniform(*cost_range) * 100)
        ratio = self.rng.uniform(*(public_ratio if ownership == "public" else private_ratio))
        nick = self.rng.choice(NICKS)
        if ownership == "public":
            operator = f"Comune di {municipality}"
            name = f"{LABEL[unit_type]} comunale {nick}"
        else:
            operator = self.rng.choice(self.operators)
            name = f"{LABEL[unit_type]} {nick}"
        experimental = unit_type == "SFA_MINORI_SPERIMENTALE"
        return {
            "unit_id": f"UDO{next(self.ids)}",
            "name": name,
            "operator": operator,
            "municipality": municipality,
            "unit_type": unit_type,
            "ownership": ownership,
            "users": users,
            "costs": costs,
            "revenues": round(costs * ratio),
            "start_date": self.start_date(*years),
            "end_date": None,
            "in_registry": True,
            "authorized": True,
            "experimental": experimental,
            "keeps_requirements": True if experimental else None,
            "data_declared": True if unit_type in RESIDENTIAL_MINORI else None,
            "applied": True,
        }

    def municipal_line(self) -> Unit:
        municipality = self.rng.choice(AMBITO)
        service = self.rng.choice(MUNICIPAL_SERVICES)
        base_users, per_user, ratio_range = MUNICIPAL_PROFILE[service]
        scale = POPULATION[municipality] / POPULATION["Bergamo"]
        users = max(1, round(base_users * scale * self.rng.uniform(0.7, 1.4)))
        costs = round(users * per_user * self.rng.uniform(0.85, 1.15) * 100)
        key = (municipality, service)
        self.line_counter[key] = self.line_counter.get(key, 0) + 1
        slug = re.sub(r"[^A-Z]+", "-", municipality.upper())
        return {
            "unit_id": f"COM-{slug}-{service.replace('_', '-')}-{self.line_counter[key]:05d}",
            "name": f"{MUNICIPAL_LABEL[service]} - Comune di {municipality}",
            "operator": f"Comune di {municipality}",
            "municipality": municipality,
            "unit_type": service,
            "ownership": "public",
            "users": users,
            "costs": costs,
            "revenues": round(costs * self.rng.uniform(*ratio_range)),
            "start_date": date(self.rng.randint(1985, 2005), 1, 1),
            "end_date": None,
            "in_registry": False,
            "authorized": False,
            "experimental": False,
            "keeps_requirements": None,
            "data_declared": None,
            "applied": True,
        }

    def exclude(self, row: Unit, case: str) -> None:
        """Break one access rule of the criteria in `row`."""
        if case == "not_applied":
            row["applied"] = False
        elif case == "no_deficit":
            row["revenues"] = row["costs"] + self.rng.randrange(0, 5_000_00)
        elif case == "not_in_registry":
            row["in_registry"] = False
        elif case == "not_authorized":
            row["authorized"] = False
        elif case == "outside_ambito":
            row["municipality"] = self.rng.choice(OUTSIDE)
        elif case == "started_in_year":
            row["start_date"] = date(YEAR, 1, 1) + timedelta(days=self.rng.randrange(200))
        elif case == "ceased_before_year":
            row["end_date"] = date(YEAR - 1, 1, 1) + timedelta(days=self.rng.randrange(365))
        elif case == "experimental":
            row.update(experimental=True, keeps_requirements=self.rng.random() < 0.5)
        elif case == "missing_declaration":
            row["data_declared"] = False
        else:  # pragma: no cover - EXCLUSIONS lists every case
            raise ValueError(case)

    def build(self) -> list[Unit]:
        rows: list[Unit] = []
        municipal = round(self.size * SHARE_MUNICIPAL)
        offer = self.size - municipal
        rows.extend(self.unit_of_offer() for _ in range(offer))
        rows.extend(self.municipal_line() for _ in range(municipal))
        offer_rows = rows[:offer]
        special = self.rng.sample(offer_rows, min(offer, round(
            self.size * (SHARE_EXCLUDED + SHARE_CEASED_IN_YEAR + SHARE_BELOW_MINIMUM))))
        excluded = round(self.size * SHARE_EXCLUDED)
        ceased = round(self.size * SHARE_CEASED_IN_YEAR)
        for index, row in enumerate(special):
            if index < excluded:
                case = EXCLUSIONS[index % len(EXCLUSIONS)]
                if case == "missing_declaration" and row["unit_type"] not in RESIDENTIAL_MINORI:
                    row["unit_type"] = self.rng.choice(RESIDENTIAL_MINORI)
                if case == "experimental" and row["unit_type"] == "SFA_MINORI_SPERIMENTALE":
                    row["keeps_requirements"] = False
                self.exclude(row, case)
            elif index < excluded + ceased:
                row["end_date"] = date(YEAR, 1, 1) + timedelta(days=self.rng.randrange(364))
            else:  # a small deficit: the entitlement falls below the minimum award
                row["revenues"] = row["costs"] - self.rng.randrange(1_00, 300_00)
        rows.sort(key=lambda u: (u["municipality"].casefold(), TYPE_ORDER[u["unit_type"]],
                                 u["unit_id"]))
        return rows


def generate(units: int, seed: int) -> Instance:
    """Generate one Ambito of `units` rows with this seed (deterministic)."""
    if units < 1:
        raise ValueError("units must be at least 1")
    rows = _Generator(seed, units).build()
    return Instance(rows, fund_for(units), seed)


def write_instance(instance: Instance, out: Path) -> Path:
    """Write ``units.csv`` and ``instance.json`` (size, seed, budget) into `out`."""
    out.mkdir(parents=True, exist_ok=True)
    path = out / "units.csv"
    path.write_bytes(instance.csv_bytes())
    meta = {"units": len(instance.units), "seed": instance.seed,
            "budget": str(instance.budget), "rules": str(DEFAULT_RULES.relative_to(ROOT))}
    (out / "instance.json").write_text(json.dumps(meta, indent=2) + "\n", encoding="utf-8")
    return path


def generate_region(ambiti: int, units: int, seed: int) -> list[tuple[str, Instance]]:
    """K Ambiti of sizes around `units` (between a third and three times), seeds from `seed`."""
    rng = random.Random(seed)
    region = []
    for k in range(1, ambiti + 1):
        size = max(1, round(units * 3 ** rng.uniform(-1, 1)))
        region.append((f"ambito-{k:02d}", generate(size, seed * 1000 + k)))
    return region


def write_region(ambiti: int, units: int, seed: int, out: Path) -> Path:
    """Write a region: one folder per Ambito and the manifest ``region.csv`` naming them.

    The manifest is what ``fsr-opt region --manifest`` reads: paths relative to its folder.
    """
    out.mkdir(parents=True, exist_ok=True)
    rules = Path(os.path.relpath(DEFAULT_RULES, out.resolve())).as_posix()
    lines = ["ambito,units,rules,budget,rows"]
    for name, instance in generate_region(ambiti, units, seed):
        write_instance(instance, out / name)
        lines.append(f"{name},{name}/units.csv,{rules},{instance.budget},{len(instance.units)}")
    manifest = out / "region.csv"
    manifest.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return manifest


def demand_ratios(instance: Instance, units_path: Path) -> dict[str, float]:
    """Eligible entitlements / area budget per area, with the package's own rules."""
    from fsr_opt.app.pipeline import load_inputs  # noqa: PLC0415  (the package is only needed here)
    from fsr_opt.rules.budgets import area_budgets  # noqa: PLC0415

    inputs = load_inputs(units_path, None, [("fund", str(instance.budget))])
    budgets = area_budgets(inputs.rules)
    demand: dict[str, int] = {}
    for item in inputs.assessments:
        demand[item.area] = demand.get(item.area, 0) + item.entitlement
    return {area: demand.get(area, 0) / budget for area, budget in budgets.items() if budget}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--units", type=int, required=True, help="rows per Ambito")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--out", type=Path, required=True, help="output directory")
    parser.add_argument("--ambiti", type=int, default=0,
                        help="write a region of K Ambiti instead of one")
    parser.add_argument("--check", action="store_true",
                        help="also print demand / budget per area (runs the eligibility rules)")
    args = parser.parse_args(argv)
    if args.ambiti:
        manifest = write_region(args.ambiti, args.units, args.seed, args.out)
        print(f"written {args.ambiti} Ambiti and {manifest}")
        return 0
    instance = generate(args.units, args.seed)
    path = write_instance(instance, args.out)
    print(f"written {path} ({len(instance.units)} rows); solve with --budget {instance.budget}")
    if args.check:
        for area, ratio in demand_ratios(instance, path).items():
            print(f"  {area}: demand / budget = {ratio:.2f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
