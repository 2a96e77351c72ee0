"""The table of finding codes: complete, consistent with the docs, the only place a
code is spelled."""

from __future__ import annotations

import ast
import json
import re
from pathlib import Path

import pytest

from migcheck.codes import CODES, DOCS, RULES, Code, Stage, of_stage
from migcheck.findings import Finding
from migcheck.graph import BLOCKING

ROOT = Path(__file__).parent.parent
PACKAGE = ROOT / "migcheck"
# Modules that still spell codes as strings, until they are rewritten to use Code:
# this list only shrinks.
STILL_SPELLED: set[str] = set()


def test_a_code_is_its_text() -> None:
    assert Code.MC101 == "MC101"
    assert str(Code.MC101) == f"{Code.MC101}" == "MC101"
    assert json.dumps({"code": Code.MC201}) == '{"code": "MC201"}'
    assert CODES["MC201"] is CODES[Code.MC201]


def test_every_code_has_one_row_in_code_order() -> None:
    assert [rule.code for rule in RULES] == list(Code)
    assert list(CODES) == list(Code)
    for rule in RULES:
        assert rule.title, rule.code
        assert rule.help.endswith("."), rule.code


def test_a_finding_takes_the_plain_spelling_and_refuses_an_unknown_code() -> None:
    finding = Finding("MC405", "empty")
    assert finding.code is Code.MC405
    assert finding == Finding(Code.MC405, "empty")
    assert (finding.severity, finding.stage) == ("warning", Stage.GRAPH)
    with pytest.raises(ValueError, match="MC999"):
        Finding("MC999", "no such code")


def test_stages_are_the_categories() -> None:
    """What reporters and the pytest plugin group by: the revision graph's checks (of which
    MC401-MC404 stop the check) and what only comparing versions shows."""
    graph = of_stage(Stage.GRAPH)
    assert graph == (Code.MC401, Code.MC402, Code.MC403, Code.MC404, Code.MC405, Code.MC406)
    assert set(BLOCKING) < set(graph)
    assert of_stage(Stage.ACROSS) == (Code.MC104, Code.MC302)
    assert of_stage(Stage.MODELS) == (Code.MC301,)
    assert of_stage(Stage.DIFF) == (Code.MC303,)
    # A finding of the walk of one revision points at the function it blames.
    for code in (Code.MC101, Code.MC102, Code.MC103, Code.MC201, Code.MC202, Code.MC204):
        assert CODES[code].blames in ("upgrade", "downgrade")


def test_every_code_links_to_its_page_of_the_published_docs() -> None:
    site = re.search(r"^site_url: (\S+)$", (ROOT / "mkdocs.yml").read_text(), re.MULTILINE)
    assert site is not None
    assert site[1] == DOCS
    for rule in RULES:
        page = ROOT / "docs" / "codes" / f"{rule.code}.md"
        assert page.is_file(), rule.code
        # MkDocs' directory URLs: docs/codes/MC201.md is published at codes/MC201/.
        assert rule.docs == f"{DOCS}codes/{page.stem}/"


def test_the_readme_table_says_what_the_table_says() -> None:
    readme = (ROOT / "docs" / "codes" / "index.md").read_text()
    rows = re.findall(r"^\| (MC\d{3}) \| (\w+) \|", readme, re.MULTILINE)
    assert rows == [(rule.code, rule.severity) for rule in RULES]


def _spelled(path: Path) -> list[tuple[int, str]]:
    """The string constants of a module that are exactly a code ("MC201")."""
    tree = ast.parse(path.read_text(), str(path))
    return [
        (node.lineno, node.value)
        for node in ast.walk(tree)
        if isinstance(node, ast.Constant)
        and isinstance(node.value, str)
        and re.fullmatch(r"MC\d{3}", node.value)
    ]


def test_codes_are_spelled_in_the_table_only() -> None:
    """Elsewhere a code is ``Code.MC201``: a typo is an AttributeError, not a finding
    nobody matches."""
    found = {
        str(path.relative_to(PACKAGE)): spelled
        for path in sorted(PACKAGE.rglob("*.py"))
        if path.relative_to(PACKAGE).as_posix() != "codes/rule.py" and (spelled := _spelled(path))
    }
    assert set(found) <= STILL_SPELLED, found
