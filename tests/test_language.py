"""One language for everything a person reads: Italian by default, English with --lang en or
FSR_OPT_LANG=en; amounts in both forms; options named in their errors; one pass of problems.

The rest of the suite runs with FSR_OPT_LANG=en (tests/conftest.py); these tests give the
environment each command runs in.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from typer.testing import CliRunner

from fsr_opt.cli import app

from tests.conftest import ROOT

EXAMPLE = ROOT / "data" / "bergamo-2025" / "units.csv"
DEFAULT = {"FSR_OPT_LANG": None}
ENGLISH = {"FSR_OPT_LANG": "en"}


def run(*args: str, env: dict[str, str | None] | None = None) -> tuple[int, str, str]:
    # (CliRunner names the program "root" in usage lines)
    result = CliRunner().invoke(app, list(args), env=DEFAULT if env is None else env)
    assert "Traceback" not in result.output
    return result.exit_code, result.stdout, result.stderr


@pytest.fixture(scope="module")
def run_folder(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("out")
    assert run("solve", "--out", str(out), "-q")[0] == 0
    return out


# --- one language, three ways to choose it --------------------------------------------------


def test_solve_speaks_italian_by_default_and_english_when_asked(tmp_path: Path) -> None:
    code, stdout, stderr = run("solve", "--out", str(tmp_path / "it"))
    assert code == 0
    assert "Riparto FSR 2025, Ambito di Bergamo" in stdout
    assert "fondo 892.495,35 EUR" in stdout and "TOTALE" in stdout
    assert "risolto con cbc" in stdout
    assert stderr.startswith("avviso: ") and "non è un comune dell'Ambito" in stderr
    for english in (run("solve", "--out", str(tmp_path / "en"), "--lang", "en"),
                    run("solve", "--out", str(tmp_path / "env"), env=ENGLISH)):
        assert english[0] == 0
        assert "FSR 2025 riparto, Ambito di Bergamo" in english[1]
        assert "fund 892,495.35 EUR" in english[1] and "solved with cbc" in english[1]
        assert english[2].startswith("warning: ")
    # --lang wins over the environment
    assert "Riparto FSR" in run("solve", "--out", str(tmp_path / "x"), "--lang", "it",
                                env=ENGLISH)[1]


def test_the_solve_summary_names_areas_and_lines_with_code_and_label(tmp_path: Path) -> None:
    code, stdout, _ = run("solve", "--out", str(tmp_path / "it"), "--share", "minori=45",
                          "--share", "disabili=15")
    assert code == 0
    lines = stdout.splitlines()
    heading = next(line for line in lines if line.startswith("area / linea (codice)"))
    assert heading.split("  ")[-1] == "nome" and "dal riparto" in heading
    assert "quota della linea" in heading and "assegnato  " not in heading
    area = next(line for line in lines if line.startswith("minori "))
    assert area.endswith("  Area Minori e Famiglia")
    adm = next(line for line in lines if line.startswith("  adm "))
    assert adm.endswith("  Assistenza domiciliare minori") and "13,0239%" in adm
    # the columns stay aligned whatever the label's length
    total = next(line for line in lines if line.startswith("TOTALE"))
    assert adm.index("13,0239%") > len(total) - 1 and area.index("401.622,91") == total.index(
        "892.495,35")
    assert "  Area Disabili (disabili): disponibili " in stdout and "quota dei residui" in stdout
    assert any(line.startswith("assegnato (riparto + residui)") for line in lines)
    assert "pagato" not in stdout and "rimasto" not in stdout


def test_validate_in_both_languages() -> None:
    code, stdout, _ = run("validate")
    assert code == 0 and "308 unità, 287 ammesse" in stdout and "valide" in stdout
    code, stdout, _ = run("validate", "--lang", "en")
    assert code == 0 and "308 units, 287 eligible" in stdout and "valid" in stdout


def test_audit_in_both_languages(run_folder: Path) -> None:
    code, stdout, _ = run("audit", str(run_folder))
    assert code == 0
    assert "verifica di" in stdout and "446.247,68" in stdout
    assert "ogni contributo è 0 oppure almeno il contributo minimo" in stdout
    assert "verifiche eseguite: 28, superate: 28" in stdout
    for english in (run("audit", str(run_folder), "--lang", "en"),
                    run("audit", str(run_folder), env=ENGLISH)):
        assert english[0] == 0
        assert "every award is 0 or at least the minimum award" in english[1]
        assert "checks run: 28, passed: 28" in english[1] and "446,247.68" in english[1]


def test_whatif_in_both_languages(tmp_path: Path) -> None:
    code, stdout, _ = run("whatif", "--budget", "850.000,00", "--out", str(tmp_path / "it"))
    assert code == 0 and "Confronto" in stdout and "446.247,68" in stdout
    code, stdout, _ = run("whatif", "--budget", "850000", "--out", str(tmp_path / "en"),
                          env=ENGLISH)
    assert code == 0 and "Comparison" in stdout and "446,247.68" in stdout


def test_region_in_both_languages(tmp_path: Path) -> None:
    manifest = tmp_path / "region.csv"
    manifest.write_text(f'ambito,units,budget\nbg,{EXAMPLE},"850.000,00"\n', encoding="utf-8")
    code, stdout, stderr = run("region", "--manifest", str(manifest), "--out",
                               str(tmp_path / "it"))
    assert code == 0
    assert "Calcolo regionale FSR" in stdout and "850.000,00" in stdout and "risolto" in stdout
    # the riparto's part is "dal riparto", as in report.html; no English on the log (the
    # progress bar, Italian at a terminal, is not drawn on a log: tests/test_cli.py)
    assert "dal riparto" in stdout.splitlines()[2]
    assert "Ambiti" not in stderr and "region" not in stderr
    code, stdout, _ = run("region", "--manifest", str(manifest), "--out", str(tmp_path / "en"),
                          "--lang", "en")
    assert code == 0 and "FSR region run" in stdout and "850,000.00" in stdout


def test_errors_and_their_locations_in_both_languages(tmp_path: Path) -> None:
    lines = EXAMPLE.read_text(encoding="utf-8").splitlines()
    lines[2] = lines[2].replace(",256654.20,", ",molti,")
    bad = tmp_path / "units.csv"
    bad.write_text("\n".join(lines) + "\n", encoding="utf-8")
    code, _, stderr = run("validate", "--units", str(bad))
    assert code == 2
    assert "errore nei dati: " in stderr and "riga 3, colonna 'costs'" in stderr
    assert "'molti' non è un numero" in stderr
    code, _, stderr = run("validate", "--units", str(bad), "--lang", "en")
    assert "input error: " in stderr and "row 3, column 'costs'" in stderr


@pytest.mark.parametrize(("args", "env", "named"), [
    (["--lang", "fr"], DEFAULT, "--lang 'fr'"),
    ([], {"FSR_OPT_LANG": "fr"}, "FSR_OPT_LANG='fr'"),
])
def test_an_unknown_language_is_a_usage_error_naming_where_it_came_from(
    args: list[str], env: dict[str, str | None], named: str
) -> None:
    for command in (["validate"], ["audit", "out"], ["region", "--manifest", "m.csv"]):
        code, _, stderr = run(*command, *args, env=env)
        assert code == 2, command
        assert named in stderr and "it, en" in stderr


# --- amounts, options, one pass -----------------------------------------------------------


@pytest.mark.parametrize("budget", ["850.000,00", "850000", "850000.00", "850 000", "850,000.00"])
def test_an_amount_in_the_italian_or_the_plain_form(budget: str) -> None:
    assert run("validate", "--budget", budget, "--lang", "en")[0] == 0


@pytest.mark.parametrize("args", [["--budget", "1.000"], ["--min-award", "1.000"],
                                  ["--set", "fund=1.000"]])
def test_an_ambiguous_amount_is_refused_with_both_readings(args: list[str]) -> None:
    code, _, stderr = run("validate", *args, "--lang", "en")
    assert code == 2
    assert args[0] in stderr and "can be read two ways" in stderr
    assert "1000 if '.' separates thousands" in stderr and "or 1 if '.' is the decimal mark" in (
        stderr)
    code, _, stderr = run("validate", *args)
    assert "1000 se '.' separa le migliaia, oppure 1 se '.' separa i decimali" in stderr


def test_a_set_figure_in_the_italian_form() -> None:
    code, stdout, _ = run("validate", "--set", "minimum_award=1.000,00", "--lang", "en")
    assert code == 0, stdout


def test_one_share_alone_rescales_the_others_and_prints_the_split(tmp_path: Path) -> None:
    code, stdout, _ = run("solve", "--share", "disabili=15", "--out", str(tmp_path / "s"),
                          "--lang", "en")
    assert code == 0
    assert ("shares of the areas: Area Minori e Famiglia (minori) 47.2222%, Area Disabili "
            "(disabili) 15%, Area Anziani (anziani) 37.7778%") in stdout
    # the motivating example of docs/whatif.md
    code, stdout, _ = run("whatif", "--share", "disabili=15", "--out", str(tmp_path / "w"))
    assert code == 0
    assert stdout.startswith(
        "quote delle aree: Area Minori e Famiglia (minori) 47,2222%, Area Disabili (disabili) "
        "15%, Area Anziani (anziani) 37,7778%")


@pytest.mark.parametrize(("args", "starts"), [
    (["--budget", "-5"], "input error: --budget -5: value -5.00 EUR must be greater than 0"),
    (["--set", "minimum_award=abc"], "input error: --set minimum_award=abc: value must be "),
    (["--min-award", "-300"], "input error: --min-award -300: value -300.00 EUR is below "),
    (["--share", "disabili=150"], "input error: --share disabili=150: value 150% is above "),
])
def test_an_error_an_option_caused_names_the_option_not_the_rule_file(
    args: list[str], starts: str
) -> None:
    code, _, stderr = run("validate", *args, "--lang", "en")
    assert code == 2
    error = [line for line in stderr.splitlines() if not line.startswith("warning")]
    assert error[0].startswith(starts), error
    assert ".yaml" not in "\n".join(error)


def test_validate_reports_an_unknown_type_with_the_other_problems(tmp_path: Path) -> None:
    lines = EXAMPLE.read_text(encoding="utf-8").splitlines()
    lines[1] = lines[1].replace(",ASILO_NIDO,", ",ASILO_NIDOX,")
    lines[2] = lines[2].replace(",256654.20,", ",molti,")
    bad = tmp_path / "units.csv"
    bad.write_text("\n".join(lines) + "\n", encoding="utf-8")
    code, _, stderr = run("validate", "--units", str(bad), "--lang", "en")
    assert code == 2
    assert "2 problems" in stderr
    assert "row 2, column 'unit_type': unknown unit type 'ASILO_NIDOX'" in stderr
    assert "row 3, column 'costs': 'molti' is not a number" in stderr
    # the rule set's problems come with the table's (the types need a valid rule set)
    code, _, stderr = run("validate", "--units", str(bad), "--budget", "-5", "--lang", "en")
    assert code == 2 and "2 problems" in stderr
    assert "--budget -5: value -5.00 EUR" in stderr and "'molti' is not a number" in stderr


def test_each_warning_is_printed_once(tmp_path: Path) -> None:
    code, stdout, stderr = run("solve", "--min-award", "40000", "--out", str(tmp_path),
                               "--lang", "en")
    assert code == 0
    everything = stdout + stderr
    assert everything.count("the minimum award, 40,000.00 EUR, is above every entitlement") == 1
    assert "area_budget__" not in everything and "WARNING" not in everything
    outside = [line for line in stderr.splitlines() if "not a municipality" in line]
    assert len(outside) == 2 and all(line.startswith("warning: ") for line in outside)


@pytest.mark.parametrize(("args", "italian"), [
    (["--budget", "-5"], "errore nei dati: --budget -5: il valore -5,00 EUR deve essere "
     "maggiore di 0"),
    (["--set", "minimum_award=-1"], "errore nei dati: --set minimum_award=-1: il valore -1,00 "
     "EUR è sotto il minimo 0,00 EUR; usa un valore di almeno 0,00 EUR"),
    (["--set", "set_asides.reserve_percent=12.5"], "il valore 12,5% supera il massimo di 5%"),
    (["--share", "minori=abc"], "come 50 o 12,5 (senza il segno '%')"),
    (["--set", "foo.bar=1"], "parametro 'foo.bar' sconosciuto. Parametri noti: fund"),
])
def test_an_italian_message_writes_its_numbers_the_italian_way(
    args: list[str], italian: str
) -> None:
    code, _, stderr = run("validate", *args)
    assert code == 2 and italian in stderr, stderr


def test_a_share_with_a_decimal_comma() -> None:
    code, stdout, stderr = run("validate", "--share", "minori=45,5")
    assert code == 0, stderr
    assert "(minori) 45,5%" in stdout
    assert run("validate", "--share", "minori=45.5")[1] == stdout


def test_a_bad_time_limit_speaks_the_language_asked_for() -> None:
    code, _, stderr = run("solve", "--lang", "en", "--time-limit", "abc")
    assert code == 2 and "input error: --time-limit 'abc' is not a number of seconds" in stderr
    code, _, stderr = run("solve", "--time-limit", "-3")
    assert code == 2 and "--time-limit '-3' non è un numero di secondi" in stderr


def test_lang_before_the_command_and_on_the_ats_group(tmp_path: Path) -> None:
    code, stdout, _ = run("--lang", "en", "--help")
    assert code == 0 and stdout.startswith("Usage: root [OPTIONS]") and "Commands:" in stdout
    code, stdout, _ = run("ats", "--help", "--lang", "en")
    assert code == 0 and stdout.startswith("Usage: root ats [OPTIONS]"), stdout
    assert run("--lang", "en", "version")[1].startswith("fsr-opt ")
    code, _, stderr = run("--lang", "en", "validate", "--budget", "-5")
    assert code == 2 and "input error: --budget -5" in stderr
    code, _, stderr = run("ats", "--lang", "en", "audit")
    assert code == 2 and "give a split" in stderr, stderr
    assert run("--lang", "xx", "version")[0] == 2


def test_help_speaks_italian_by_default_and_english_on_request() -> None:
    code, stdout, _ = run("solve", "--help")
    assert code == 0
    assert stdout.startswith("Uso: root solve [OPZIONI]")
    assert "Calcola il riparto" in stdout and "Opzioni:" in stdout
    assert "[predefinito: out]" in stdout and "Mostra questo aiuto ed esce." in stdout
    assert "Override" not in stdout and "Show this message" not in stdout
    for english in (run("solve", "--help", "--lang", "en")[1],
                    run("solve", "--lang=en", "--help")[1],
                    run("solve", "--help", env=ENGLISH)[1]):
        assert english.startswith("Usage: root solve [OPTIONS]")
        assert "Compute the riparto" in english and "[default: out]" in english
    # --lang wins over the environment, also on a command's help
    assert run("compare", "--help", "--lang", "it", env=ENGLISH)[1].startswith("Uso: ")
    code, stdout, _ = run("--help")
    assert "Comandi:" in stdout and "Il livello ATS" in stdout and "Stampa la versione." in stdout
    code, stdout, _ = run("compare", "--help")
    assert "Argomenti:" in stdout and "[obbligatorio]" in stdout
    assert run("ats", "rebalance", "--help")[1].startswith("Uso: root ats rebalance")


def test_help_placeholders_and_defaults_in_the_language_of_the_page() -> None:
    stdout = run("solve", "--help")[1]
    assert "--units PERCORSO" in stdout and "--budget TESTO" in stdout
    assert "--time-limit SECONDI" in stdout and "60.0" not in stdout
    assert "<path>" not in stdout and "<str>" not in stdout and "SECONDS" not in stdout
    assert "[predefinito: 0; almeno 0]" in " ".join(run("sweep", "--help")[1].split())
    assert "da 1 a 65535" in " ".join(run("serve", "--help")[1].split())
    english = run("solve", "--help", "--lang", "en")[1]
    assert "--units PATH" in english and "--time-limit SECONDS" in english
    assert "[default: 60]" in " ".join(english.split())
    # the arguments as their help texts name them (audit says RUN_DIR)
    assert run("audit", "--help")[1].startswith("Uso: root audit [OPZIONI] [RUN_DIR]")
    assert run("compare", "--help")[1].startswith("Uso: root compare [OPZIONI] BASE OTHER")
    assert run("explain", "--help")[1].startswith("Uso: root explain [OPZIONI] UNIT_ID")


def test_every_help_text_has_its_italian() -> None:
    """Every command's and option's help is a msgid of the catalogue, translated."""
    from scripts.cli_reference import walk  # noqa: PLC0415

    from fsr_opt.core.i18n import translate  # noqa: PLC0415

    untranslated = []
    for name, command, ctx in walk(app):
        texts = [command.help, *(getattr(param, "help", None) for param in
                                 command.get_params(ctx))]
        untranslated += [f"{name or 'fsr-opt'}: {text!r}" for text in texts
                         if text and translate(text, "it") == text]
    assert not untranslated


def test_a_rule_file_missing_a_key_is_told_what_the_key_is_in_italian(tmp_path: Path) -> None:
    text = (ROOT / "models" / "fsr-2025-bergamo.yaml").read_text(encoding="utf-8")
    broken = tmp_path / "rules.yaml"
    broken.write_text(text.replace("\nminimum_award:", "\nminimum_awardx:", 1), encoding="utf-8")
    code, _, stderr = run("validate", "--rules", str(broken))
    assert code == 2
    assert ("minimum_award: manca una chiave obbligatoria; aggiungerla: il contributo minimo, "
            "sotto il quale un'unità non riceve nulla") in stderr


def test_every_description_of_the_rule_schemas_has_its_italian() -> None:
    """The key descriptions and model docstrings the rule-file messages quote."""
    import inspect  # noqa: PLC0415

    from pydantic import BaseModel  # noqa: PLC0415

    from fsr_opt.core.i18n import translate  # noqa: PLC0415
    from fsr_opt.rules import ats, document  # noqa: PLC0415

    models = {model for module in (ats, document) for model in vars(module).values()
              if isinstance(model, type) and issubclass(model, BaseModel)
              and model.__module__ == module.__name__}
    texts = {inspect.cleandoc(model.__doc__) for model in models if model.__doc__}
    texts |= {info.description for model in models for info in model.model_fields.values()
              if info.description}
    assert len(texts) > 100
    assert not [text for text in texts if translate(text, "it") == text]


@pytest.mark.parametrize(("args", "command", "italian", "english"), [
    (["solve", "--bogus"], "root solve",
     "Errore: l'opzione --bogus non esiste (opzioni possibili: --out)",
     "Error: no such option: --bogus (possible options: --out)"),
    (["solv"], "root", "Errore: il comando 'solv' non esiste; forse si intendeva 'solve'?",
     "Error: no such command 'solv'; did you mean 'solve'?"),
    (["compare"], "root compare", "Errore: manca l'argomento 'base'",
     "Error: missing argument 'base'"),
    (["serve", "--port", "0"], "root serve",
     "Errore: valore non valido per '--port': 0 non è compreso tra 1 e 65535",
     "Error: invalid value for '--port': 0 is not between 1 and 65535"),
    (["serve", "--max-upload-mb", "99"], "root serve",
     "Errore: valore non valido per '--max-upload-mb': 99 non è compreso tra 1 e 50",
     "Error: invalid value for '--max-upload-mb': 99 is not between 1 and 50"),
    (["sweep", "--workers", "-1"], "root sweep",
     "Errore: valore non valido per '--workers': -1 è sotto il minimo ammesso, 0",
     "Error: invalid value for '--workers': -1 is below the least allowed, 0"),
    (["region", "--manifest", "m.csv", "--jobs", "0"], "root region",
     "Errore: valore non valido per '--jobs': 0 è sotto il minimo ammesso, 1",
     "Error: invalid value for '--jobs': 0 is below the least allowed, 1"),
    (["serve", "--port", "abc"], "root serve",
     "Errore: valore non valido per '--port': 'abc' non è un numero intero",
     "Error: invalid value for '--port': 'abc' is not a whole number"),
    (["ats", "rebalanc"], "root ats",
     "Errore: il comando 'rebalanc' non esiste; forse si intendeva 'rebalance'?",
     "Error: no such command 'rebalanc'; did you mean 'rebalance'?"),
])
def test_usage_errors_speak_the_language_of_the_run(
    args: list[str], command: str, italian: str, english: str
) -> None:
    """click's own usage errors: usage line, hint and message, exit 2, in both languages."""
    code, _, stderr = run(*args)
    assert code == 2 and italian in stderr, stderr
    assert stderr.startswith(f"Uso: {command} [OPZIONI]")
    assert f"Per l'aiuto: '{command} --help'." in stderr
    code, _, stderr = run(*args, "--lang", "en")
    assert code == 2 and english in stderr, stderr
    assert stderr.startswith(f"Usage: {command} [OPTIONS]")
    assert f"Try '{command} --help' for help." in stderr
