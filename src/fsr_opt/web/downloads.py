"""The files a planner downloads: a scenario's run folder, its workbook and report, a comparison.

A download is made by the command line's own functions, so it is what ``fsr-opt solve`` and
``fsr-opt compare`` write: `run_solve` writes the scenario's run folder (allocation.csv and
.xlsx, report.html, audit.json, run.json...) and `run_compare` compares two such folders. The
folder is zipped with the units table and the rule set it was computed from and a LEGGIMI.txt
giving the ``fsr-opt audit`` command that re-checks it, so a downloaded riparto can be audited
on another machine with nothing else.

Files are made in a private temporary folder when first asked for, and kept in memory for
the next download of the same scenario.
"""

from __future__ import annotations

import io
import shlex
import tempfile
import zipfile
from collections import OrderedDict
from collections.abc import Mapping
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path

from fsr_opt.app.pipeline import RUN_INPUTS_FOLDER, run_solve
from fsr_opt.app.scenarios import rule_names, run_compare
from fsr_opt.core.words import binding_label, has_text, phrases, text, yes_no
from fsr_opt.reports.xlsx import Workbook
from fsr_opt.web.page import scenario_name
from fsr_opt.web.parameters import command_line
from fsr_opt.web.workspace import Scenario, SolveSettings, clean_file_name
from fsr_opt.whatif.diff import (
    DIFF_COLUMNS,
    DIFF_NUMERIC,
    DIFF_SUMMARY_COLUMNS,
    DIFF_SUMMARY_NUMERIC,
    RunDiff,
    diff_rows,
    diff_summary_rows,
)

DATA_FOLDER = RUN_INPUTS_FOLDER  # where `fsr-opt audit RUN_DIR` looks for moved inputs
# Scenarios whose files are kept in memory per visitor (a run folder is a few hundred kB).
KEPT = 6


@dataclass(frozen=True)
class RunFiles:
    """A scenario's run folder: each file's name and bytes, and the folder's name."""

    folder: str
    files: dict[str, bytes]


class Downloads:
    """One visitor's downloads, made on demand and remembered for the last `KEPT` scenarios."""

    def __init__(self, settings: SolveSettings) -> None:
        self.settings = settings
        self._runs: OrderedDict[tuple[int, str], tuple[Scenario, RunFiles]] = OrderedDict()

    def run(self, scenario: Scenario, lang: str) -> RunFiles:
        """The scenario's run folder, as ``fsr-opt solve`` writes it, plus its inputs.

        Raises:
            FsrOptError: the solve or its own audit fails (as on the command line).
        """
        key = (id(scenario), lang)
        kept = self._runs.get(key)
        if kept is not None and kept[0] is scenario:
            self._runs.move_to_end(key)
            return kept[1]
        made = _run_files(scenario, self.settings, lang)
        self._runs[key] = (scenario, made)
        while len(self._runs) > KEPT:
            self._runs.popitem(last=False)
        return made

    def comparison(self, first: Scenario, second: Scenario, lang: str) -> tuple[str, bytes]:
        """The zip of ``fsr-opt compare`` on the two scenarios' run folders, plus a workbook.

        Returns:
            (file name, zip bytes).
        """
        one, two = self.run(first, lang), self.run(second, lang)
        with tempfile.TemporaryDirectory(prefix="fsr-opt-compare-") as temporary:
            root = Path(temporary)
            paths = []
            for index, made in enumerate((one, two), start=1):
                folder = root / f"{index}-{made.folder}"
                folder.mkdir()
                for name, data in made.files.items():
                    if "/" not in name:
                        (folder / name).write_bytes(data)
                paths.append(folder)
            # the files name the scenarios as the page does, not the temporary folders
            compared = run_compare(paths[0], paths[1], root / "out", lang=lang, labels=(
                scenario_name(first, lang), scenario_name(second, lang)),
                names=rule_names(first.inputs.rules, second.inputs.rules))
            files = {path.name: path.read_bytes() for path in compared.written}
        files["confronto.txt" if lang == "it" else "comparison.txt"] = (
            compared.text + "\n").encode("utf-8")
        files["confronto.xlsx" if lang == "it" else "comparison.xlsx"] = comparison_workbook(
            compared.diff, lang, names=compared.diff.names)
        name = clean_file_name(f"{text('web.download.compare_stem', lang)}-"
                               f"{scenario_name(first, lang)}-{scenario_name(second, lang)}")
        return f"{name}.zip", _zip(name, files)


def _run_files(scenario: Scenario, settings: SolveSettings, lang: str) -> RunFiles:
    """Write the run folder with `run_solve`, read it back, add the inputs and LEGGIMI.txt."""
    inputs = scenario.inputs
    rules = inputs.rules
    folder = clean_file_name(f"riparto-{rules.ambito}-{rules.year}-{scenario_name(scenario, lang)}")
    with tempfile.TemporaryDirectory(prefix="fsr-opt-run-") as temporary:
        run = run_solve(inputs, Path(temporary) / "run", solver=settings.solver,
                        time_limit=settings.time_limit, lang=lang)
        files = {path.name: path.read_bytes() for path in run.written}
    units = Path(inputs.table.source)
    rule_file = Path(rules.source)
    files[f"{DATA_FOLDER}/{units.name}"] = units.read_bytes()
    files[f"{DATA_FOLDER}/{rule_file.name}"] = rule_file.read_bytes()
    command = ["fsr-opt", "audit", "--allocation", "allocation.csv", "--units",
               f"{DATA_FOLDER}/{units.name}", "--rules", f"{DATA_FOLDER}/{rule_file.name}"]
    options = command_line(scenario.overrides)
    audit = shlex.join(command) + (f" {options}" if options else "")
    files["LEGGIMI.txt"] = text("web.download.readme", lang).format(
        scenario=scenario_name(scenario, lang), ambito=rules.ambito, year=rules.year,
        units=units.name, rules=rule_file.name, options=options or "-", audit=audit,
        solve=shlex.join(["fsr-opt", "solve", "--units", f"{DATA_FOLDER}/{units.name}",
                          "--rules", f"{DATA_FOLDER}/{rule_file.name}"])
        + (f" {options}" if options else ""),
    ).encode("utf-8")
    return RunFiles(folder, files)


def run_zip(made: RunFiles) -> tuple[str, bytes]:
    """The run folder as one zip, its files inside a folder of the same name."""
    return f"{made.folder}.zip", _zip(made.folder, made.files)


def _zip(folder: str, files: dict[str, bytes]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, data in files.items():
            archive.writestr(f"{folder}/{name}", data)
    return buffer.getvalue()


# The headings of compare.csv's columns in words: scenario.xlsx's (`fsr_opt.reports.scenario`),
# or the workbook's own (web.book.<column>) for the two it has not.
_HEADINGS = {"change": "scenario.change_code", "units_funded_base": "scenario.funded_base",
             "units_funded_scenario": "scenario.funded_scenario",
             "units_funded_change": "scenario.funded_change",
             "binding_changed": "web.book.binding_changed",
             "distance_change": "web.book.distance_change"}


def comparison_workbook(
    diff: RunDiff, lang: str, names: Mapping[str, Mapping[str, str]] | None = None
) -> bytes:
    """compare.csv and compare_summary.csv as one workbook for people.

    The same rows and columns, with headings in `lang`, the codes in words (an area or a line
    by its label from `names`, by column then code; a change and a binding limit by their
    names; true/false as yes/no) and the amounts as numbers Excel can add.
    """
    w = phrases("web.book", lang)
    total = {"TOTAL": text("word.TOTAL", lang)}
    labels = {column: {**(names or {}).get(column, {}), **total}
              for column in ("area", "service")}
    book = Workbook(w("title").format(base=diff.base, scenario=diff.scenario))
    units = book.add_sheet(w("units"))
    units.table(_headings(DIFF_COLUMNS, lang),
                ["money" if column in DIFF_NUMERIC else "text" for column in DIFF_COLUMNS],
                [_cells(row, DIFF_COLUMNS, DIFF_NUMERIC, labels, lang)
                 for row in diff_rows(diff)])
    lines = book.add_sheet(w("lines"))
    lines.table(_headings(DIFF_SUMMARY_COLUMNS, lang),
                ["money" if column in DIFF_SUMMARY_NUMERIC and not column.startswith("units")
                 else "count" if column.startswith("units") else "text"
                 for column in DIFF_SUMMARY_COLUMNS],
                [_cells(row, DIFF_SUMMARY_COLUMNS, DIFF_SUMMARY_NUMERIC, labels, lang)
                 for row in diff_summary_rows(diff)])
    return book.to_bytes()


def _headings(columns: tuple[str, ...], lang: str) -> list[str]:
    return [text(_HEADINGS.get(column, f"scenario.{column}"), lang) for column in columns]


def _cells(row: list[str], columns: tuple[str, ...], numeric: tuple[str, ...],
           labels: Mapping[str, Mapping[str, str]], lang: str) -> list[object]:
    """A CSV row's cells for the workbook: numbers as exact decimals, codes in words."""
    cells: list[object] = []
    for column, value in zip(columns, row, strict=True):
        if column in numeric:
            cells.append(Decimal(value) if value else None)
        elif column in ("area", "service"):
            cells.append(labels[column].get(value, value))
        elif column == "change":
            key = f"scenario.change.{value}"
            cells.append(text(key, lang) if has_text(key) else value)
        elif column.startswith("binding_"):
            cells.append(yes_no(value == "true", lang) if column == "binding_changed"
                         else binding_label(value, lang) if value else "")
        else:
            cells.append(value)
    return cells
