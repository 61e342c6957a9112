"""Take the pictures of report.html that docs/guida.md shows (docs/guida/*.png).

Solves the bundled example as `fsr-opt solve` does, opens its report.html in Chromium
(Playwright, Debian's /usr/bin/chromium or $FSR_OPT_CHROMIUM) and saves one picture per part
of the report, cut from one heading to the next. Nothing leaves the machine: the report is a
self-contained file.

Usage::

    .venv/bin/python scripts/guida_screenshots.py              # writes docs/guida/*.png
    .venv/bin/python scripts/guida_screenshots.py --out DIR    # or anywhere else
"""

from __future__ import annotations

import argparse
import os
import tempfile
from pathlib import Path

from playwright import sync_api
from typer.testing import CliRunner

from fsr_opt.cli import app

ROOT = Path(__file__).resolve().parent.parent
CHROMIUM = Path(os.environ.get("FSR_OPT_CHROMIUM", "/usr/bin/chromium"))
WIDTH = 1100

# picture -> (first heading, None: the page's title; the heading it stops at; most pixels)
PARTS = {
    "report-riepilogo.png": (None, "Linee di servizio e andamento storico", 1100),
    "report-linee.png": ("Linee di servizio e andamento storico", "Distribuzione dei contributi",
                         1100),
    "report-unita.png": ("Unità non finanziate", "Verifiche", 640),
    "report-verifiche.png": ("Verifiche", "Riferimenti normativi e parametri", 1100),
}


def _top(page: sync_api.Page, heading: str | None) -> float:
    locator = (page.locator("h1") if heading is None
               else page.locator("h2", has_text=heading))
    box = locator.first.bounding_box()
    assert box is not None, f"no heading {heading!r} in report.html"
    return float(box["y"]) + page.evaluate("window.scrollY")


def shoot(report: Path, out: Path) -> list[Path]:
    """One picture per part of `report`, in `out`."""
    out.mkdir(parents=True, exist_ok=True)
    written = []
    with sync_api.sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM),
                                             args=["--no-sandbox", "--disable-gpu"])
        page = browser.new_page(viewport={"width": WIDTH, "height": 900}, locale="it-IT")
        page.route("**/*", lambda route: route.continue_() if route.request.url.startswith(
            ("file:", "data:")) else route.abort())
        page.goto(report.as_uri())
        page.evaluate("document.querySelectorAll('details').forEach(d => d.open = true)")
        for name, (first, stop, most) in PARTS.items():
            top = max(_top(page, first) - 12, 0)
            bottom = min(_top(page, stop) - 8, top + most)
            path = out / name
            page.screenshot(path=str(path), full_page=True,
                            clip={"x": 0, "y": top, "width": WIDTH, "height": bottom - top})
            written.append(path)
        browser.close()
    return written


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=ROOT / "docs" / "guida")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        result = CliRunner().invoke(app, ["solve", "--out", tmp, "--quiet"])
        assert result.exit_code == 0, result.output
        for path in shoot(Path(tmp) / "report.html", args.out):
            print(path)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
