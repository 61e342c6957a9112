"""The documentation is self-contained and tells the truth about the program.

Every relative link and image of the README and docs/ resolves inside the repository (anchors
too); nothing points at files a clone does not have; docs/reference.md documents every command
and option of `fsr-opt`, and only those, and every column of the units table.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest
import typer.main
from scripts.cli_reference import BEGIN, END, generate, walk

from fsr_opt.cli import app
from fsr_opt.core.schema import INPUT_COLUMNS

ROOT = Path(__file__).resolve().parents[1]
REFERENCE = ROOT / "docs" / "reference.md"
PAGES = sorted([ROOT / "README.md", ROOT / "data" / "README.md",
                *(ROOT / "docs").rglob("*.md")])
# What a clone does not have: the spec and the source documents the project was built from.
OUTSIDE = ("../shared", "shared/spec", "shared/seeds", "contract section", "contract's section")
# Markdown links and images, [text](target) and ![alt](target); the target without a title.
LINK = re.compile(r"!?\[(?:[^\]\[]|\[[^\]]*\])*\]\(\s*<?([^)\s>]+)>?(?:\s+\"[^\"]*\")?\s*\)")
HTML_IMG = re.compile(r"<img\s[^>]*src=\"([^\"]+)\"")
FENCE = re.compile(r"^(```|~~~).*?^\1", re.MULTILINE | re.DOTALL)
CODE_SPAN = re.compile(r"`[^`\n]*`")


def _prose(text: str) -> str:
    """The text without fenced blocks and code spans, where brackets are not links."""
    return CODE_SPAN.sub("", FENCE.sub("", text))


def _slug(heading: str) -> str:
    """The anchor GitHub gives a heading: lower case, punctuation dropped, spaces to '-'."""
    text = re.sub(r"[`*_]|<[^>]+>", "", heading).strip().lower()
    text = re.sub(r"\[([^\]]*)\]\([^)]*\)", r"\1", text)
    return re.sub(r"[^\w\- ]", "", text).replace(" ", "-")


def _anchors(path: Path) -> set[str]:
    anchors: set[str] = set()
    seen: dict[str, int] = {}
    for line in FENCE.sub("", path.read_text(encoding="utf-8")).splitlines():
        match = re.match(r"#{1,6}\s+(.*?)\s*#*\s*$", line)
        if match:
            slug = _slug(match.group(1))
            count = seen.get(slug, 0)
            seen[slug] = count + 1
            anchors.add(slug if count == 0 else f"{slug}-{count}")
    return anchors


def _targets(path: Path) -> list[str]:
    prose = _prose(path.read_text(encoding="utf-8"))
    return [*LINK.findall(prose), *HTML_IMG.findall(prose)]


def _local(target: str) -> bool:
    return not re.match(r"[a-z][a-z0-9+.-]*:", target, re.IGNORECASE)


@pytest.mark.parametrize("page", PAGES, ids=lambda p: str(p.relative_to(ROOT)))
def test_every_link_and_image_resolves_inside_the_repository(page: Path) -> None:
    broken = []
    for target in filter(_local, _targets(page)):
        file_part, _, anchor = target.partition("#")
        file = (page.parent / file_part).resolve() if file_part else page
        if not file.is_relative_to(ROOT) or not file.exists():
            broken.append(f"{target}: no such file in the repository")
        elif anchor and file.suffix == ".md" and anchor not in _anchors(file):
            broken.append(f"{target}: no heading '#{anchor}' in {file.relative_to(ROOT)}")
    assert not broken, f"{page.relative_to(ROOT)}: " + "; ".join(broken)


def test_the_link_checker_sees_links_images_and_anchors(tmp_path: Path) -> None:
    page = tmp_path / "p.md"
    page.write_text("# A title, with `code` (and l.96)\n\n[x](q.md#b) ![i](img/a.png)\n"
                    "`[not](a-link.md)`\n```\n[nor](this.md)\n# nor a heading\n```\n"
                    "[web](https://example.org) [self](#a-title-with-code-and-l96)\n",
                    encoding="utf-8")
    assert _targets(page) == ["q.md#b", "img/a.png", "https://example.org",
                              "#a-title-with-code-and-l96"]
    assert _anchors(page) == {"a-title-with-code-and-l96"}


@pytest.mark.parametrize("page", [*PAGES, *sorted((ROOT / "models").glob("*"))],
                         ids=lambda p: str(p.relative_to(ROOT)))
def test_nothing_points_outside_the_repository(page: Path) -> None:
    text = page.read_text(encoding="utf-8").lower()
    found = [needle for needle in OUTSIDE if needle in text]
    assert not found, f"{page.relative_to(ROOT)} mentions {found}: link docs/reference.md instead"


def _cli(typer_app: typer.Typer = app) -> dict[str, set[str]]:
    """Every command of `fsr-opt` (`ats split` for a sub-command) with its options' names."""
    return {name: {name for param in command.params if param.name != "help"
                   for name in (*param.opts, *param.secondary_opts)}
            for name, command, _ in walk(typer_app)}


def _documented(text: str | None = None) -> dict[str, str]:
    """docs/reference.md: each `### fsr-opt NAME` section's text, by command name."""
    text = REFERENCE.read_text(encoding="utf-8") if text is None else text
    parts = re.split(r"^### `fsr-opt ([a-z -]+)`\s*$", text, flags=re.MULTILINE)
    return {name: body.split("\n## ")[0] for name, body in zip(parts[1::2], parts[2::2],
                                                                strict=True)}


def test_every_command_is_documented_and_every_documented_command_exists() -> None:
    cli, documented = _cli(), _documented()
    assert sorted(documented) == sorted(cli), (
        "docs/reference.md and the program differ: run scripts/cli_reference.py --write")


def test_every_option_is_documented_under_its_command() -> None:
    documented = _documented()
    missing = {name: sorted(option for option in options
                            if f"`{option}" not in documented.get(name, "")
                            and f", {option}" not in documented.get(name, ""))
               for name, options in _cli().items()}
    assert not {k: v for k, v in missing.items() if v}, missing


def test_the_command_line_section_is_the_programs_help() -> None:
    text = REFERENCE.read_text(encoding="utf-8")
    section = text[text.index(BEGIN):text.index(END) + len(END) + 1]
    assert section == generate(), (
        "the command-line section of docs/reference.md is out of date: "
        "run .venv/bin/python scripts/cli_reference.py --write")


def test_every_column_of_the_units_table_is_documented() -> None:
    text = REFERENCE.read_text(encoding="utf-8")
    units_section = text[text.index("### 2.1 "):text.index("### 2.2 ")]  # not the CLI's tables
    rows = {match.group(1): match.group(0) for match in
            re.finditer(r"^\| `([a-z_]+)` \|.*$", units_section, re.MULTILINE)}
    for column in INPUT_COLUMNS:
        assert column.name in rows, f"column {column.name} missing from docs/reference.md"
        row = rows[column.name]
        assert column.heading_it in row, (column.name, column.heading_it)
        assert all(alias in row for alias in column.aliases), (column.name, column.aliases)
        assert ("| yes |" in row) == column.required, (column.name, "required")


def test_the_generator_documents_sub_commands() -> None:
    toy = typer.Typer()
    group = typer.Typer(help="The ATS level.")
    toy.add_typer(group, name="ats")

    @toy.command()
    def solve(out: str = typer.Option("out", "--out", help="Output folder.")) -> None:
        """Solve."""

    @group.command()
    def split(manifest: str = typer.Option(..., "--manifest", help="The manifest.")) -> None:
        """Split the fund among the Ambiti."""

    assert _cli(toy) == {"solve": {"--out"}, "ats": set(), "ats split": {"--manifest"}}
    documented = _documented(generate(toy))
    assert sorted(documented) == ["ats", "ats split", "solve"]
    assert "fsr-opt ats split [OPTIONS]" in documented["ats split"]
    assert "`--manifest TEXT` | The manifest. [required]" in documented["ats split"]
