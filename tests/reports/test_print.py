"""report.html printed by Chromium: the page count, repeated table heads, and no row cut.

How "no row is cut" is checked, robustly: Chromium prints a *tagged* PDF (``tagged=True``), whose
structure tree has one ``/TR`` element per table row, and each piece of a row's content names
the page it is drawn on (``/Pg``). A row cut by a page break is drawn on two pages, so every
body row must name exactly one page. Heading rows may name several: they are the repeated
table heads (``thead {display: table-header-group}``), and the annex's must repeat. This reads
the printed result itself, not the CSS that asks for it; the PDF is parsed with a few regular
expressions (Chromium writes its objects uncompressed; pypdf is not needed).

Screenshots of the first page and of the per-unit list go to a temporary folder (the planners'
guide's pictures, docs/guida/report-*.png, come from scripts/guida_screenshots.py). Skipped,
saying why, without Chromium.
"""

from __future__ import annotations

import itertools
import math
import os
import re
import shutil
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from fsr_opt.app.pipeline import load_inputs, run_solve
from fsr_opt.core.words import text

ROOT = Path(__file__).resolve().parents[2]
CHROMIUM = Path(os.environ.get("FSR_OPT_CHROMIUM", "/usr/bin/chromium"))
if not CHROMIUM.is_file():
    pytest.skip(f"print tests skipped: no Chromium at {CHROMIUM} (apt-get install chromium, "
                "or set FSR_OPT_CHROMIUM)", allow_module_level=True)
sync_api = pytest.importorskip("playwright.sync_api", reason="print tests skipped: the "
                               "playwright package is missing (pip install -e '.[test]')")

# A4 landscape less the report's @page margins (10 mm each side, 12 mm top, 14 mm bottom),
# in CSS pixels (96 per inch)
MM = 96 / 25.4
PRINT_WIDTH = (297 - 20) * MM
PAGE_HEIGHT = (210 - 12 - 14) * MM
_OBJECT = re.compile(rb"(\d+) 0 obj\s*(.*?)\s*endobj", re.S)
_PAGE = re.compile(rb"/Type\s*/Page(?![s\w])")


def _browser(p: Any) -> Any:
    return p.chromium.launch(executable_path=str(CHROMIUM), args=["--no-sandbox"])


@pytest.fixture(scope="module")
def report(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("print")
    run_solve(load_inputs(None, None), out)
    return out / "report.html"


@pytest.fixture(scope="module")
def printed(report: Path) -> Iterator[tuple[bytes, dict[str, Any]]]:
    """The report's PDF as Chromium prints it, and its print layout measured in the page."""
    with sync_api.sync_playwright() as p:
        browser = _browser(p)
        page = browser.new_page()
        page.goto(report.as_uri())
        pdf = page.pdf(prefer_css_page_size=True, print_background=True, tagged=True)
        page.set_viewport_size({"width": round(PRINT_WIDTH), "height": round(PAGE_HEIGHT)})
        page.emulate_media(media="print")
        layout = page.evaluate("""() => {
            const rows = [...document.querySelectorAll('tr')];
            return {
                rows: rows.length,
                tallest: Math.max(...rows.map(r => r.getBoundingClientRect().height)),
                avoid: rows.every(r => getComputedStyle(r).breakInside === 'avoid'),
                heads: [...document.querySelectorAll('thead')].every(
                    h => getComputedStyle(h).display === 'table-header-group'),
                height: document.documentElement.scrollHeight,
                breaks: [...document.querySelectorAll('h2.page')].filter(
                    h => getComputedStyle(h).breakBefore === 'page').length,
                hidden: [...document.querySelectorAll('details tr')].filter(
                    r => r.getBoundingClientRect().height === 0).length,
                // a cell whose text runs past its edge prints over its neighbour's
                overflowing: [...document.querySelectorAll('td')].filter(
                    c => c.scrollWidth > c.clientWidth + 1).map(c => c.textContent),
            };
        }""")
        browser.close()
    yield pdf, layout


def structure_rows(pdf: bytes) -> tuple[int, list[tuple[bool, set[int]]]]:
    """The PDF's page count, and per table row of its structure tree: heading?, its pages."""
    objects = {int(m.group(1)): m.group(2) for m in _OBJECT.finditer(pdf)}
    pages = sum(1 for body in objects.values() if _PAGE.search(body))

    def kids(body: bytes) -> list[int]:
        found = re.search(rb"/K\s*(\[.*?\]|\d+ 0 R|\d+)", body, re.S)
        return [int(n) for n in re.findall(rb"(\d+) 0 R", found.group(1))] if found else []

    def kind(body: bytes) -> bytes:
        found = re.search(rb"/S\s*/(\w+)", body)
        return found.group(1) if found else b""

    def pages_of(number: int) -> set[int]:
        body = objects[number]
        seen = {int(n) for n in re.findall(rb"/Pg\s*(\d+) 0 R", body)}
        for child in kids(body):
            if b"/StructElem" in objects.get(child, b""):
                seen |= pages_of(child)
        return seen

    rows = []
    for number, body in objects.items():
        if b"/StructElem" in body and kind(body) == b"TR":
            cells = [kind(objects[c]) for c in kids(body) if c in objects]
            rows.append((bool(cells) and all(c == b"TH" for c in cells), pages_of(number)))
    return pages, rows


def test_no_table_row_is_cut_between_two_pages(printed: tuple[bytes, dict[str, Any]]) -> None:
    pdf, layout = printed
    pages, rows = structure_rows(pdf)
    assert pages == len(_PAGE.findall(pdf)) > 1
    assert len(rows) == layout["rows"]  # every row of the page is in the PDF's structure
    cut = [sorted(on) for heading, on in rows if not heading and len(on) != 1]
    assert cut == [], f"{len(cut)} rows drawn on two pages"
    # the heads repeat: the annex's heading row is on every page the annex takes (> 1)
    repeated = max(len(on) for heading, on in rows if heading)
    assert repeated >= 5


def test_the_annex_is_compact_and_its_group_headings_stay_with_their_units(
        printed: tuple[bytes, dict[str, Any]]) -> None:
    """Over 22 units a page (about 12 before), each Comune and ente never alone at a foot."""
    pdf, _ = printed
    _, rows = structure_rows(pdf)
    # the annex's head is the heading row printed on the most pages (it repeats there)
    annex_pages = max(len(on) for heading, on in rows if heading)
    assert 308 / annex_pages >= 22, annex_pages
    # a heading row on one page (a group's Comune and ente, or a table's head that did not
    # repeat) is on the page of the row after it
    alone = [(index, sorted(on)) for index, ((heading, on), (_, after))
             in enumerate(itertools.pairwise(rows)) if heading and len(on) == 1 and on != after]
    assert alone == []


def test_page_count_and_print_layout(printed: tuple[bytes, dict[str, Any]]) -> None:
    pdf, layout = printed
    pages = len(_PAGE.findall(pdf))
    # What the print CSS asks for: rows kept whole, heads repeated, breaks before big sections,
    # every row (the closed lists of units not funded too) printed, none taller than a page.
    assert layout["avoid"] and layout["heads"] and layout["breaks"] >= 4
    assert layout["hidden"] == 0
    assert layout["overflowing"] == []  # long unit codes (COM-BERGAMO-...) wrap in their cell
    assert layout["tallest"] < PAGE_HEIGHT / 3
    # The content needs at least its height in pages; keeping rows whole and starting the big
    # sections on a new page adds at most a row per page and a page per forced break.
    least = math.ceil(layout["height"] / PAGE_HEIGHT)
    most = math.ceil(layout["height"] / (PAGE_HEIGHT - layout["tallest"])) + layout["breaks"]
    assert least <= pages <= most, (least, pages, most)
    assert 20 <= pages <= 45  # the bundled example: about 35 A4 landscape pages (55 when
    # the annex wrote each unit's Comune, ente and service line in full)


def test_every_page_is_numbered_and_names_the_riparto(
        printed: tuple[bytes, dict[str, Any]], tmp_path: Path) -> None:
    """The @page margin boxes as printed: "Pagina N di M" and the running footer (pdftotext)."""
    pdftotext = shutil.which("pdftotext")
    if pdftotext is None:
        pytest.skip("pdftotext (poppler-utils) is missing")
    pdf = tmp_path / "report.pdf"
    pdf.write_bytes(printed[0])
    pages = subprocess.run([pdftotext, "-layout", str(pdf), "-"], capture_output=True,
                           text=True, check=True).stdout.split("\f")[:-1]
    assert len(pages) == len(_PAGE.findall(printed[0]))
    # in the language the report was written in (FSR_OPT_LANG, Italian by default)
    footer = text("html.running_footer").format(
        year=2025, ambito="Bergamo", rule_set="fsr-2025-bergamo", version="2025.2")
    for number, page in enumerate(pages, 1):
        assert text("html.page_number").format(page=number, pages=len(pages)) in page, number
        assert footer in page and "units.csv SHA-256 " in page, number


def screenshots(report: Path, folder: Path) -> tuple[Path, Path]:
    """The report's first screen and its per-unit list, as a reader sees them on screen."""
    first, units = folder / "report-riepilogo.png", folder / "report-unita.png"
    with sync_api.sync_playwright() as p:
        browser = _browser(p)
        page = browser.new_page(viewport={"width": 1280, "height": 900})
        page.goto(report.as_uri())
        page.screenshot(path=str(first))
        page.evaluate("document.getElementById('allegato').scrollIntoView()")
        page.screenshot(path=str(units))
        browser.close()
    return first, units


def test_screenshots_of_the_summary_and_the_unit_list(report: Path, tmp_path: Path) -> None:
    for shot in screenshots(report, tmp_path):
        data = shot.read_bytes()
        assert data[:8] == b"\x89PNG\r\n\x1a\n" and len(data) > 20_000, shot



def test_the_ats_split_report_shows_its_chart_on_the_first_page(tmp_path: Path) -> None:
    # The split's ring chart and its legend follow the fund's figures on the first printed
    # page (at full width it went to the second, leaving the first mostly empty): printed,
    # a ring chart is at most 140 mm wide.
    done = subprocess.run([sys.executable, "-m", "fsr_opt", "ats", "split", "--out",
                           str(tmp_path)], capture_output=True, text=True, check=False)
    assert done.returncode == 0, done.stderr
    with sync_api.sync_playwright() as p:
        browser = _browser(p)
        page = browser.new_page()
        page.goto((tmp_path / "ats-report.html").as_uri())
        page.set_viewport_size({"width": round(PRINT_WIDTH), "height": round(PAGE_HEIGHT)})
        page.emulate_media(media="print")
        bottom = page.evaluate(
            "() => document.querySelector('figure').getBoundingClientRect().bottom")
        browser.close()
    assert bottom <= PAGE_HEIGHT
