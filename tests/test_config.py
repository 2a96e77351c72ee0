"""Pure parts of the configuration, and the findings table the docs are derived from."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from migcheck.config import SUPPORTED_VERSIONS, parse_pg_versions
from migcheck.errors import UsageError
from migcheck.findings import CODES


@pytest.mark.parametrize(
    ("spec", "versions"),
    [
        ("16", (16,)),
        ("17,14, 16", (14, 16, 17)),
        ("13-15", (13, 14, 15)),
        ("13-14,18", (13, 14, 18)),
        ("supported", SUPPORTED_VERSIONS),
    ],
)
def test_pg_specs(spec: str, versions: tuple[int, ...]) -> None:
    assert parse_pg_versions(spec) == versions


@pytest.mark.parametrize("spec", ["sixteen", "18-13", "16-", "1000"])
def test_bad_pg_specs(spec: str) -> None:
    with pytest.raises(UsageError, match="--pg"):
        parse_pg_versions(spec)


def test_readme_lists_every_code_with_its_severity() -> None:
    readme = (Path(__file__).parent.parent / "docs" / "codes" / "index.md").read_text()
    rows = dict(re.findall(r"^\| (MC\d{3}) \| (\w+) \|", readme, flags=re.MULTILINE))
    assert rows == {code.code: code.severity for code in CODES.values()}
