"""What a finding code is: the code itself, where its findings come from, and its row of
the table (severity, title, help, fix, documentation page)."""

from __future__ import annotations

import sys
from dataclasses import dataclass
from enum import Enum
from typing import Literal

if sys.version_info >= (3, 11):
    from enum import StrEnum
else:  # Python 3.10 has no StrEnum

    class StrEnum(str, Enum):
        """The 3.11 StrEnum's behaviour the codes rely on: str() and format() give the value."""

        def __str__(self) -> str:
            return str(self.value)


class Code(StrEnum):
    """A finding code. A str: ``Code.MC201 == "MC201"``, and JSON writes it as the text."""

    MC101 = "MC101"
    MC102 = "MC102"
    MC103 = "MC103"
    MC104 = "MC104"
    MC105 = "MC105"
    MC201 = "MC201"
    MC202 = "MC202"
    MC203 = "MC203"
    MC204 = "MC204"
    MC301 = "MC301"
    MC302 = "MC302"
    MC303 = "MC303"
    MC401 = "MC401"
    MC402 = "MC402"
    MC403 = "MC403"
    MC404 = "MC404"
    MC405 = "MC405"
    MC406 = "MC406"
    MC501 = "MC501"
    MC502 = "MC502"
    MC503 = "MC503"
    MC504 = "MC504"
    MC505 = "MC505"
    MC506 = "MC506"
    MC601 = "MC601"
    MC602 = "MC602"
    MC701 = "MC701"


class Stage(StrEnum):
    """Where a finding comes from."""

    GRAPH = "static graph"  # the revision files read as text, before any server starts
    WALK = "walk"  # one version's walk: up, down, up again, base, the history in one run
    MODELS = "models"  # the schema at head against the SQLAlchemy models
    ACROSS = "across versions"  # only comparing the walks of several versions shows it
    DEPLOY = "deployed release"  # the release at --deploy-from against the new schema
    DIFF = "diff"  # migcheck diff: a live database against its migrations


# Where the documentation is published (mkdocs.yml builds docs/ there).
DOCS = "https://alembic-migcheck.github.io/migcheck/"

Severity = Literal["error", "warning", "info"]
# The revision function a code blames: the walk's findings point at its ``def`` line when
# no traceback names a line.
Function = Literal["upgrade", "downgrade"]


@dataclass(frozen=True, slots=True)
class Rule:
    """One row of the table: what a code means and what to do about it (SARIF's name
    for it: a rule)."""

    code: Code
    severity: Severity
    stage: Stage
    title: str
    help: str  # one paragraph: what was found and why it matters
    fix: str  # what to do, when one thing usually does it; "" otherwise
    blames: Function | None = None

    @property
    def docs(self) -> str:
        """The code's page: what it means, a migration that triggers it, the fix, how to
        accept it (docs/codes/<code>.md)."""
        return f"{DOCS}codes/{self.code}/"
