"""The machine-readable report (its contract: docs/reports.md), and its loader.

A finding's ``diff`` is its lines as every format shows them. A finding whose
differences are records also has ``changes``, the records themselves, so that a report
read back (``migcheck merge``) holds the same findings as the report written: equal
differences, not equal text.
"""

from __future__ import annotations

import json
from typing import Any, Literal, TypeVar

from migcheck import __version__
from migcheck.diff import Added, Changed, Difference, Removed, render_all
from migcheck.findings import CODES, Code, Finding, Report, Run
from migcheck.reporters.text import diff_lines, missing
from migcheck.snapshot import Key, SchemaObject, Value

T = TypeVar("T")


def as_dict(report: Report) -> dict[str, Any]:
    return {
        "migcheck": __version__,
        "result": report.result,
        "runs": [
            {
                "pg_version": run.pg_version,
                "server_version": run.server_version,
                "backend": run.backend,
                "python": run.python,
                "seconds": run.seconds,
                "revisions": run.revisions,
                "walked": list(run.walked),
                "rows": run.rows,
                "timings": dict(run.timings),
                "notes": list(run.notes),
            }
            for run in report.runs
        ],
        "findings": [_finding_dict(finding) for finding in report.findings],
        "notes": list(report.notes),
    }


def _finding_dict(finding: Finding) -> dict[str, Any]:
    item = {
        "code": finding.code,
        "severity": finding.severity,
        "title": finding.title,
        "revision": finding.revision,
        "file": finding.file,
        "line": finding.line,
        "pg_version": finding.pg_version,
        "pg_versions": list(finding.versions),
        "message": finding.message,
        "diff": list(diff_lines(finding)),
        "output": list(finding.output),
        "suppressed": finding.suppressed,
        "suppressed_by": finding.suppressed_by,
        "replaces": [_finding_dict(replaced) for replaced in finding.replaces],
        "consequences": [_finding_dict(then) for then in finding.consequences],
        # What the downgrade is missing, ready to paste (derived: not read back).
        "downgrade_missing": list(missing(finding)),
    }
    if finding.changes:
        item["changes"] = [_change(change) for change in finding.changes]
    return item


def _json_value(value: Value) -> Any:
    return list(value) if isinstance(value, tuple) else value


def _change(change: Difference) -> dict[str, Any]:
    """A record as JSON: its object's key, then what was added, removed or changed."""
    key = change.key
    where = {"kind": key.kind, "schema": key.schema, "name": key.name, "parent": key.parent}
    if isinstance(change, Changed):
        return {
            "change": "changed",
            **where,
            "attribute": change.attribute,
            "old": _json_value(change.old),
            "new": _json_value(change.new),
            "materialized": change.materialized,
        }
    return {
        "change": "added" if isinstance(change, Added) else "removed",
        **where,
        "attributes": {name: _json_value(value) for name, value in change.obj.attributes},
    }


def render(report: Report) -> str:
    return json.dumps(as_dict(report), indent=2, ensure_ascii=False) + "\n"


def _check(value: object, kind: type[T], key: str, where: str) -> T:
    # bool is an int in Python, but never a version, a line or a count.
    if not isinstance(value, kind) or (isinstance(value, bool) and kind is not bool):
        raise ValueError(f"{where}: {key!r} is {value!r}, expected {kind.__name__}")
    return value


def _required(item: dict[str, Any], key: str, kind: type[T], where: str) -> T:
    if key not in item:
        raise ValueError(f"{where}: no {key!r}")
    return _check(item[key], kind, key, where)


def _optional(item: dict[str, Any], key: str, kind: type[T], where: str) -> T | None:
    value = item.get(key)
    return None if value is None else _check(value, kind, key, where)


def _strings(item: dict[str, Any], key: str, where: str) -> tuple[str, ...]:
    values = _optional(item, key, list, where) or []
    if not all(isinstance(value, str) for value in values):
        raise ValueError(f"{where}: {key!r} must be a list of strings")
    return tuple(values)


def _seconds(value: object, key: str, where: str) -> float:
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise ValueError(f"{where}: {key!r} is {value!r}, expected seconds")
    return float(value)


def _objects(
    document: dict[str, Any], key: str, where: str = "report", *, required: bool = True
) -> list[dict[str, Any]]:
    if required:
        items = _required(document, key, list, where)
    else:
        items = _optional(document, key, list, where) or []
    prefix = "" if where == "report" else f"{where}."
    for index, item in enumerate(items):
        if not isinstance(item, dict):
            raise ValueError(f"{prefix}{key}[{index}] is not an object")
    return items


def _run(item: dict[str, Any], where: str) -> Run:
    timings = _optional(item, "timings", dict, where) or {}
    return Run(
        pg_version=_required(item, "pg_version", int, where),
        server_version=_required(item, "server_version", str, where),
        backend=_required(item, "backend", str, where),
        python=_optional(item, "python", str, where) or "",
        seconds=_seconds(item.get("seconds"), "seconds", where),
        revisions=_optional(item, "revisions", int, where) or 0,
        walked=_strings(item, "walked", where),
        rows=_optional(item, "rows", str, where) or "",
        notes=_strings(item, "notes", where),
        timings=tuple(
            (str(name), _seconds(value, f"timings.{name}", where))
            for name, value in timings.items()
        ),
    )


def _value(value: object, key: str, where: str) -> Value:
    if isinstance(value, list) and all(isinstance(item, str) for item in value):
        return tuple(value)
    if value is None or isinstance(value, str | int | bool):
        return value
    raise ValueError(f"{where}: {key!r} is {value!r}, expected a value of the catalog")


def _difference(item: dict[str, Any], where: str) -> Difference:
    key = Key(*(_required(item, name, str, where) for name in ("kind", "schema", "name", "parent")))
    change = item.get("change")
    if change == "changed":
        return Changed(
            key,
            _required(item, "attribute", str, where),
            _value(item.get("old"), "old", where),
            _value(item.get("new"), "new", where),
            materialized=_optional(item, "materialized", bool, where) or False,
        )
    if change not in ("added", "removed"):
        raise ValueError(f"{where}: 'change' is {change!r}, expected added, removed or changed")
    attributes = _required(item, "attributes", dict, where)
    obj = SchemaObject(
        key, tuple((str(name), _value(v, name, where)) for name, v in attributes.items())
    )
    return Added(obj) if change == "added" else Removed(obj)


def _finding(item: dict[str, Any], where: str) -> Finding:
    code = _required(item, "code", str, where)
    if code not in CODES:
        raise ValueError(f"{where}: unknown code {code!r} (a report of a newer migcheck?)")
    changes = tuple(
        _difference(change, f"{where}.changes[{i}]")
        for i, change in enumerate(_objects(item, "changes", where, required=False))
    )
    # ``diff`` holds the lines known only as text, then the lines of ``changes``.
    lines = _strings(item, "diff", where)
    rendered = len(render_all(changes))
    if rendered > len(lines):
        raise ValueError(f"{where}: 'diff' has fewer lines than 'changes' has differences")
    return Finding(
        code=Code(code),
        message=_required(item, "message", str, where),
        revision=_optional(item, "revision", str, where),
        file=_optional(item, "file", str, where),
        line=_optional(item, "line", int, where),
        pg_version=_optional(item, "pg_version", int, where),
        diff=lines[: len(lines) - rendered],
        changes=changes,
        output=_strings(item, "output", where),
        suppressed=_optional(item, "suppressed", str, where),
        suppressed_by=_suppressed_by(item, where),
        replaces=tuple(
            _finding(replaced, f"{where}.replaces[{i}]")
            for i, replaced in enumerate(_objects(item, "replaces", where, required=False))
        ),
        pg_versions=_versions(item, where),
        consequences=tuple(
            _finding(then, f"{where}.consequences[{i}]")
            for i, then in enumerate(_objects(item, "consequences", where, required=False))
        ),
    )


def _versions(item: dict[str, Any], where: str) -> tuple[int, ...]:
    """``pg_versions`` as Finding keeps it: empty for a finding of one version or none."""
    versions = _optional(item, "pg_versions", list, where) or []
    if not all(isinstance(v, int) and not isinstance(v, bool) for v in versions):
        raise ValueError(f"{where}: 'pg_versions' is {versions!r}, expected major versions")
    return tuple(versions) if len(versions) > 1 else ()


def _suppressed_by(item: dict[str, Any], where: str) -> Literal["comment", "settings"] | None:
    value = _optional(item, "suppressed_by", str, where)
    if value is None:
        return None
    if value == "comment":
        return "comment"
    if value == "settings":
        return "settings"
    raise ValueError(f"{where}: 'suppressed_by' is {value!r}, expected comment or settings")


def load(text: str) -> Report:
    """The Report a JSON report of check or merge holds: ``load(render(report)) ==
    report``.

    Raises ValueError saying what is wrong: not JSON, not a report, a field of the wrong
    kind. Severity and title are the table of codes', not the file's.
    """
    try:
        document = json.loads(text)
    except json.JSONDecodeError as error:
        raise ValueError(f"not JSON: {error}") from None
    if not isinstance(document, dict) or "migcheck" not in document:
        raise ValueError("an object with a 'migcheck' key expected")
    return Report(
        runs=tuple(_run(item, f"runs[{i}]") for i, item in enumerate(_objects(document, "runs"))),
        findings=tuple(
            _finding(item, f"findings[{i}]")
            for i, item in enumerate(_objects(document, "findings"))
        ),
        notes=_strings(document, "notes", "report"),
    )
