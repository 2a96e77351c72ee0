"""Report -> text. One module per format; this dict is the registry."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
from pathlib import PurePath, PurePosixPath

from migcheck.findings import Report
from migcheck.reporters import github, json_format, junit, markdown, sarif, text

Reporter = Callable[[Report], str]

REPORTERS: dict[str, Reporter] = {
    "text": text.render,
    "json": json_format.render,
    "junit": junit.render,
    "sarif": sarif.render,
    "github": github.render,
    "markdown": markdown.render,
}

FOR_REPOSITORY = frozenset({"junit", "sarif", "github", "markdown"})
"""Formats read on a code host, which takes a finding's file relative to the repository."""


def located(report: Report, *, folder: str, anchor: str) -> Report:
    """The report with files as a code host names them.

    Findings name files relative to the project's folder: ``folder`` (that folder relative
    to the repository's root, "" at the root) goes before each. A finding about the whole
    history has no file; it points at ``anchor`` (the Alembic configuration), since GitHub
    rejects a SARIF file with a result that has no location.
    """
    prefix = PurePosixPath(PurePath(folder).as_posix()) if folder not in ("", ".") else None
    findings = []
    for finding in report.findings:
        file = finding.file if finding.file is not None else anchor
        if prefix is not None and not PurePath(file).is_absolute():
            file = str(prefix / PurePath(file).as_posix())
        findings.append(replace(finding, file=file))
    return replace(report, findings=tuple(findings))
