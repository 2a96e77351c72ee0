"""The documentation: a page per finding code, and each page's example true.

A code's page (``docs/codes/<CODE>.md``) has its title and the table's severity and stage,
and the sections below. Its example is the ``python`` blocks that begin with the file's
path (``# migrations/versions/0001_users.py``, ``# models.py``): written into a project
made by ``alembic init`` (the generic template, as a new user has it) and walked on the
session's server, the page's code must be found, and every line of the page's "What
migcheck prints" block must be a line of the text report, in the same order.
"""

from __future__ import annotations

import re
from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest
from alembic import command
from alembic.config import Config as AlembicConfig

from migcheck import check
from migcheck.codes import CODES, Code
from migcheck.config import Config
from migcheck.options import settings_keys
from migcheck.reporters.text import render

ROOT = Path(__file__).parent.parent
DOCS = ROOT / "docs"
SITE = "https://alembic-migcheck.github.io/migcheck/"
SECTIONS = (
    "What it means",
    "A migration that triggers it",
    "What migcheck prints",
    "How to fix it",
    "How to suppress it",
)
# The pages whose example is not one walk on one server: their printed text was pasted
# from a run of the command the page names.
NOT_WALKED = {
    Code.MC104: "needs several PostgreSQL versions (--pg 14,15)",
    Code.MC302: "needs several PostgreSQL versions (--pg 13,14)",
    Code.MC303: "needs a live database (migcheck diff URL)",
    Code.MC701: "needs a git repository of two releases (--deploy-from REF)",
}
# What a page's command line adds to the walk.
OPTIONS: dict[Code, dict[str, Any]] = {
    Code.MC301: {"models": "models:Base"},
    # With rows, the row the downgrade left is the finding (MC601), and this its consequence.
    Code.MC103: {"rows": 0},
}
# The version the pages' printed text was made on.
PAGES_VERSION = 18


def page(code: Code) -> str:
    return (DOCS / "codes" / f"{code}.md").read_text()


def section(text: str, title: str) -> str:
    return text.split(f"\n## {title}\n", 1)[1].split("\n## ", 1)[0]


def project_files(text: str) -> dict[str, str]:
    """The example's files by path: the ``python`` blocks that begin with a path."""
    blocks = re.findall(r"```python\n(# [\w/.]+\.py\n.*?)```", text, re.DOTALL)
    return {block.split("\n", 1)[0][2:]: block for block in blocks}


def printed(text: str) -> list[str]:
    (block,) = re.findall(r"```text\n(.*?)```", section(text, "What migcheck prints"), re.DOTALL)
    return block.splitlines()


def in_order(wanted: list[str], lines: list[str]) -> bool:
    found = iter(lines)
    return all(line in found for line in wanted)


def test_every_code_has_a_page_and_the_index_lists_them_all() -> None:
    pages = sorted(p.stem for p in (DOCS / "codes").glob("MC*.md"))
    assert pages == sorted(Code)
    index = (DOCS / "codes" / "index.md").read_text()
    rows = re.findall(r"^\| (MC\d{3}) \| \w+ \| [a-z ]+ \| \[.+?\]\((MC\d{3})\.md\)", index, re.M)
    assert rows == [(code, code) for code in Code]


@pytest.mark.parametrize("code", list(Code))
def test_a_page_has_every_section(code: Code) -> None:
    text = page(code)
    rule = CODES[code]
    assert text.startswith(f"# {code}: {rule.title}\n")
    assert re.search(rf"\*\*Severity\*\*: {rule.severity}\.", text), code
    assert re.search(rf"\*\*Stage\*\*: {rule.stage}[ .]", text), code
    assert re.findall(r"^## (.+)$", text, re.MULTILINE) == list(SECTIONS)
    assert any(path.startswith("migrations/versions/") for path in project_files(text))
    assert printed(text)
    assert section(text, "How to fix it").strip()
    assert section(text, "How to suppress it").strip()


@pytest.mark.server
@pytest.mark.parametrize("code", [code for code in Code if code not in NOT_WALKED])
def test_the_example_finds_its_code(code: Code, url_config: Config, tmp_path: Path) -> None:
    text = page(code)
    command.init(AlembicConfig(str(tmp_path / "alembic.ini")), str(tmp_path / "migrations"))
    for path, content in project_files(text).items():
        (tmp_path / path).write_text(content)
    report = check(replace(url_config, project_dir=tmp_path, **OPTIONS.get(code, {})))
    assert code in [finding.code for finding in report.findings]
    wanted = printed(text)
    if report.runs and report.runs[0].pg_version != PAGES_VERSION:
        version = f"PostgreSQL {report.runs[0].pg_version}"
        wanted = [line.replace(f"PostgreSQL {PAGES_VERSION}", version) for line in wanted]
    report_text = render(report)
    # The page's block, made anew: paste it when the report's wording changed.
    assert in_order(wanted, report_text.splitlines()), report_text


def test_the_pages_not_walked_say_which_command_printed_them() -> None:
    for code in NOT_WALKED:
        assert re.search(
            r"`migcheck (check|diff) [^`]+`", section(page(code), "What migcheck prints")
        )


def _anchors(path: Path) -> set[str]:
    """MkDocs' anchors of a page's headings (its toc extension's slugify)."""
    headings = re.findall(r"^#+ (.+)$", path.read_text(), re.MULTILINE)
    return {re.sub(r"[^\w\- ]", "", h.strip().lower()).replace(" ", "-") for h in headings}


def test_the_readme_links_into_pages_that_exist() -> None:
    """The README links to the site (PyPI shows it too); mkdocs build --strict checks the
    links between pages, this the README's."""
    readme = (ROOT / "README.md").read_text()
    links = re.findall(re.escape(SITE) + r"([\w/-]*?)/?(?:#([\w-]+))?\)", readme)
    assert len(links) >= 8
    for path, anchor in links:
        target = DOCS / f"{path}.md" if path else DOCS / "index.md"
        if not target.exists():
            target = DOCS / path / "index.md"
        assert target.exists(), path
        assert not anchor or anchor in _anchors(target), (path, anchor)


def test_the_readme_example_is_the_mc201_page_s() -> None:
    readme = (ROOT / "README.md").read_text()
    example = re.findall(r"```\n(.*?)```", readme, re.DOTALL)[0].splitlines()
    assert in_order(example, printed(page(Code.MC201)))


def test_every_settings_key_is_in_the_configuration_page() -> None:
    text = (DOCS / "configuration.md").read_text()
    table = section(text, "Settings files")
    listed = {
        key
        for row in re.findall(r"^\| (`.+?`) \|", table, re.M)
        for key in re.findall(r"`(\w+)`", row)
    }
    assert listed == set(settings_keys())
