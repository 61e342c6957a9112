"""The wheel: installed in a fresh environment outside the checkout, fsr-opt runs as documented.

The bundled rule set and example travel inside the package (``fsr_opt.models``,
``fsr_opt.examples``), so ``fsr-opt solve`` with no options works from any directory.
"""

from __future__ import annotations

import os
import subprocess
import sys
import sysconfig
import zipfile
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
PACKAGES = sorted(p.parent.relative_to(ROOT / "src").as_posix().replace("/", ".")
                  for p in (ROOT / "src").rglob("__init__.py"))
# Without the checkout's PYTHONPATH (a worktree's `src`): pip would see that fsr_opt as already
# installed, and the installed command would import it instead of the wheel's.
CLEAN_ENV = {key: value for key, value in os.environ.items() if key != "PYTHONPATH"}


@pytest.fixture(scope="module")
def wheel(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("wheel")
    subprocess.run([sys.executable, "-m", "pip", "wheel", "--quiet", "--no-deps", "-w", str(out),
                    str(ROOT)], check=True, capture_output=True, env=CLEAN_ENV)
    (found,) = out.glob("fsr_opt-*.whl")
    return found


@pytest.fixture(scope="module")
def installed(wheel: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A new environment holding the wheel; its dependencies come from this environment."""
    venv = tmp_path_factory.mktemp("venv")
    subprocess.run([sys.executable, "-m", "venv", "--without-pip", str(venv)], check=True,
                   env=CLEAN_ENV)
    python = venv / "bin" / "python"
    site = Path(subprocess.run(
        [str(python), "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"],
        check=True, capture_output=True, text=True, env=CLEAN_ENV).stdout.strip())
    # a path line, not a site dir: this environment's editable fsr_opt is not seen there
    (site / "dependencies.pth").write_text(sysconfig.get_paths()["purelib"] + "\n")
    subprocess.run([sys.executable, "-m", "pip", "--python", str(python), "install", "--quiet",
                    "--no-deps", "--no-index", str(wheel)], check=True, capture_output=True,
                   env=CLEAN_ENV)
    return venv


def test_the_wheel_holds_every_package_and_the_bundled_files(wheel: Path) -> None:
    names = set(zipfile.ZipFile(wheel).namelist())
    for package in PACKAGES:
        assert f"{package.replace('.', '/')}/__init__.py" in names, package
    assert "fsr_opt/models/fsr-2025-bergamo.yaml" in names
    # the words people read in Italian: the gettext catalogue and its compiled form
    assert {"fsr_opt/locale/it/LC_MESSAGES/fsr_opt.po",
            "fsr_opt/locale/it/LC_MESSAGES/fsr_opt.mo"} <= names
    assert {"fsr_opt/examples/bergamo-2025/units.csv",
            "fsr_opt/examples/bergamo-2025/units.xlsx"} <= names
    # the page of fsr-opt serve works offline: every asset in the source tree is in the wheel
    web = ROOT / "src" / "fsr_opt" / "web"
    assets = {f"fsr_opt/web/{path.relative_to(web).as_posix()}"
              for folder in ("templates", "static") for path in (web / folder).rglob("*")
              if path.is_file()}
    assert {"fsr_opt/web/templates/index.html", "fsr_opt/web/static/app.js",
            "fsr_opt/web/static/fonts/titillium-web-latin-400-normal.woff2"} <= assets
    assert assets <= names, sorted(assets - names)


def test_the_installed_command_solves_the_bundled_example_anywhere(
    installed: Path, tmp_path: Path
) -> None:
    command = installed / "bin" / "fsr-opt"
    result = subprocess.run([str(command), "solve", "--out", "out"], cwd=tmp_path, env=CLEAN_ENV,
                            capture_output=True, text=True, timeout=120, check=False)
    assert result.returncode == 0, result.stderr
    written = {path.name for path in (tmp_path / "out").iterdir()}
    assert {"allocation.csv", "run.json", "allocation.xlsx", "report.html"} <= written
    run = (tmp_path / "out" / "run.json").read_text(encoding="utf-8")
    assert str(ROOT) not in run  # the rule set and example came from the installed package
    assert "site-packages" in run
    # the checkout under test, with its PYTHONPATH if it has one
    mine = subprocess.run([sys.executable, "-m", "fsr_opt", "solve", "--out",
                           str(tmp_path / "checkout")], capture_output=True, text=True,
                          timeout=120, check=False)
    assert mine.returncode == 0, mine.stderr
    for name in ("allocation.csv", "summary.csv", "payments.csv"):
        assert (tmp_path / "out" / name).read_bytes() == (tmp_path / "checkout" / name).read_bytes()


def test_the_installed_command_reads_the_bundled_workbook(installed: Path, tmp_path: Path) -> None:
    python = installed / "bin" / "python"
    found = subprocess.run(
        [str(python), "-c", "from fsr_opt.io.bundled import examples_folder; "
         "print(examples_folder() / 'bergamo-2025' / 'units.xlsx')"],
        cwd=tmp_path, capture_output=True, text=True, check=True, env=CLEAN_ENV).stdout.strip()
    result = subprocess.run([str(installed / "bin" / "fsr-opt"), "validate", "--units", found],
                            cwd=tmp_path, capture_output=True, text=True, timeout=120, check=False,
                            env=CLEAN_ENV)
    assert result.returncode == 0, result.stderr
    assert "valid" in result.stdout
