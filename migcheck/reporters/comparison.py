"""``migcheck diff``'s own formats: the diff as text, and its JSON document. Its other
formats are the reports of ``Comparison.report`` (MC303), as ``check`` writes them."""

from __future__ import annotations

import json
from typing import Any

import click

from migcheck import __version__
from migcheck.diff import render_all
from migcheck.findings import Comparison
from migcheck.reporters.text import diff_lines

_COLOURS = {"+": "green", "-": "red", "~": "yellow"}


def render_text(comparison: Comparison, *, colour: bool = False) -> str:
    """``--- old``, ``+++ new``, a line per difference (coloured by its sign when
    ``colour``), or ``no differences``."""
    lines = [f"--- {comparison.old}", f"+++ {comparison.new}"]
    for line in render_all(comparison.differences):
        lines.append(click.style(line, fg=_COLOURS.get(line[:1])) if colour else line)
    if not comparison.differences:
        lines.append("no differences")
    return "\n".join(lines) + "\n"


def as_dict(comparison: Comparison) -> dict[str, Any]:
    return {
        "migcheck": __version__,
        "result": "different" if comparison.differences else "equal",
        "old": comparison.old,
        "new": comparison.new,
        "differences": list(render_all(comparison.differences)),
        "findings": [
            {
                "code": finding.code,
                "severity": finding.severity,
                "title": finding.title,
                "revision": finding.revision,
                "message": finding.message,
                "diff": list(diff_lines(finding)),
            }
            for finding in comparison.report.findings
        ],
    }


def render_json(comparison: Comparison) -> str:
    return json.dumps(as_dict(comparison), indent=2, ensure_ascii=False) + "\n"
