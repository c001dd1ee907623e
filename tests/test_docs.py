"""The documentation: the MkDocs site under docs/ builds with --strict (a broken link, a link to a missing heading
or a page left out of nav fails), and README.md stays a short front page whose relative links resolve."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path
from urllib.parse import unquote, urlsplit

import yaml

ROOT = Path(__file__).resolve().parents[1]
README = ROOT / "README.md"
DOCS = ROOT / "docs"
README_LIMIT = 18_000  # characters: the measured tables (demo, minimal recipe, tool use, export, mixtures, RAG …)

_FENCE = re.compile(r"^(```|~~~).*?^\1[^\n]*$", re.MULTILINE | re.DOTALL)
_LINK = re.compile(r"!?\[[^\]]*\]\(\s*<?([^)\s>]+)>?(?:\s+[\"'][^\"']*[\"'])?\s*\)")
_HEADING = re.compile(r"^#{1,6}\s+(.+?)\s*#*\s*$", re.MULTILINE)


def _prose(text: str) -> str:
    """Markdown without its fenced code blocks (a `# comment` in a bash block is not a heading, nor a link)."""
    return _FENCE.sub("", text)


def _slug(heading: str) -> str:
    """A heading's anchor as GitHub and MkDocs' toc both make it for plain headings: lower case, punctuation
    dropped, spaces to hyphens."""
    text = re.sub(r"[`*_]|\[([^\]]*)\]\([^)]*\)", r"\1", heading).strip().lower()
    text = re.sub(r"[^\w\s-]", "", text)
    return re.sub(r"\s+", "-", text)


def _anchors(path: Path) -> set[str]:
    return {_slug(h) for h in _HEADING.findall(_prose(path.read_text(encoding="utf-8")))}


def _relative_links(path: Path) -> list[str]:
    """Every link target in `path` that is not a URL with a scheme (http:, mailto: …)."""
    links = _LINK.findall(_prose(path.read_text(encoding="utf-8")))
    return [link for link in links if not urlsplit(link).scheme]


def test_docs_build_strict(tmp_path):
    site = tmp_path / "site"
    result = subprocess.run(
        [sys.executable, "-m", "mkdocs", "build", "--strict", "--config-file", str(ROOT / "mkdocs.yml")]
        + ["--site-dir", str(site)],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert result.returncode == 0, f"mkdocs build --strict failed:\n{result.stdout}\n{result.stderr}"
    assert (site / "index.html").is_file()


def test_every_docs_page_is_in_nav():
    config = yaml.safe_load((ROOT / "mkdocs.yml").read_text(encoding="utf-8"))
    assert config["strict"] is True
    assert config["docs_dir"] == "docs"

    def pages(nav) -> list[str]:
        if isinstance(nav, str):
            return [nav]
        if isinstance(nav, dict):
            return [p for value in nav.values() for p in pages(value)]
        return [p for item in nav for p in pages(item)]

    listed = pages(config["nav"])
    assert len(listed) == len(set(listed)), f"a page is listed twice: {listed}"
    on_disk = sorted(p.relative_to(DOCS).as_posix() for p in DOCS.rglob("*.md"))
    assert sorted(listed) == on_disk


def test_readme_is_a_short_front_page():
    text = README.read_text(encoding="utf-8")
    assert len(text) < README_LIMIT, f"README.md has {len(text):,} characters; move reference material to docs/"
    for command in ("make demo", "make test"):
        assert command in text


def test_readme_relative_links_resolve():
    links = _relative_links(README)
    assert links, "README.md links to no docs page"
    broken = []
    for link in links:
        target, _, anchor = unquote(link).partition("#")
        path = (README.parent / target).resolve() if target else README
        if not path.exists():
            broken.append(f"{link}: no such file")
        elif anchor and path.suffix == ".md" and anchor not in _anchors(path):
            broken.append(f"{link}: no heading with anchor #{anchor} in {target or README.name}")
    assert not broken, "broken links in README.md:\n" + "\n".join(broken)
