"""The machine-readable report (documented in docs/findings.md)."""

from __future__ import annotations

import json
from typing import Any

from migcheck import __version__
from migcheck.findings import Report


def as_dict(report: Report) -> dict[str, Any]:
    return {
        "migcheck": __version__,
        "result": report.result,
        "runs": [
            {
                "pg_version": run.pg_version,
                "server_version": run.server_version,
                "backend": run.backend,
                "seconds": run.seconds,
                "revisions": run.revisions,
                "walked": list(run.walked),
                "timings": dict(run.timings),
                "notes": list(run.notes),
            }
            for run in report.runs
        ],
        "findings": [
            {
                "code": finding.code,
                "severity": finding.severity,
                "title": finding.title,
                "revision": finding.revision,
                "file": finding.file,
                "line": finding.line,
                "pg_version": finding.pg_version,
                "message": finding.message,
                "diff": list(finding.diff),
                "suppressed": finding.suppressed,
            }
            for finding in report.findings
        ],
    }


def render(report: Report) -> str:
    return json.dumps(as_dict(report), indent=2, ensure_ascii=False) + "\n"
