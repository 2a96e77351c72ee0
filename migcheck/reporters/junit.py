"""JUnit XML, for the test-report views of CI systems (GitLab, Jenkins, Azure, ...).

One test suite per PostgreSQL version with one test case per revision walked (up, down,
up again) and one for the whole history (the downgrade to base, the upgrade in one run,
the models, the comparison with other versions); one suite for the revision graph with a
test case per static check; one, "all versions", for what fails on some versions only
(MC104) and for each defect found alike on several versions (one test case, not one per
version). A report of
``migcheck diff`` has one suite, "live database", with a test case per code of its stage
(MC303). A revision not walked because one it needs failed is a skipped test case. An
error-level finding fails its test case; warnings and suppressed findings do not, and
are written to its system-out.
"""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from collections.abc import Sequence

from migcheck.codes import CODES, Code, Stage, of_stage
from migcheck.findings import Finding, Report, Run
from migcheck.reporters.text import finding_lines

HISTORY = "whole history"
# The stages whose suite has a test case per code, each passing when no finding has it.
_BY_CODE = {Stage.GRAPH: "revision graph", Stage.DIFF: "live database"}

# Characters XML 1.0 cannot carry at all, even escaped (control characters but tab and
# newlines): a database message may quote them.
_NOT_CHECKED = re.compile(r"(\S+) not checked: (.*)")
_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")


def _clean(text: str) -> str:
    return _NOT_XML.sub("\ufffd", text)


def _block(finding: Finding) -> str:
    return "\n".join(finding_lines(finding, output=False))


def _fails(finding: Finding) -> bool:
    return finding.severity == "error" and finding.suppressed is None


def _case(
    suite: ET.Element, classname: str, name: str, findings: Sequence[Finding], skipped: str | None
) -> None:
    case = ET.SubElement(suite, "testcase", classname=classname, name=name)
    if skipped is not None:
        ET.SubElement(case, "skipped", message=_clean(skipped))
    files = [f.file for f in findings if f.file]
    if files:
        case.set("file", files[0])
    failing = [f for f in findings if _fails(f)]
    printed = [line for f in findings for line in f.output]
    if failing:
        failure = ET.SubElement(
            case,
            "failure",
            type=" ".join(dict.fromkeys(f.code for f in failing)),
            message=_clean("; ".join(f"{f.code} {f.title}" for f in failing)),
        )
        failure.text = _clean("\n".join(_block(f) for f in failing)) + "\n"
    other = [f for f in findings if not _fails(f)]
    if other or printed:
        # What the project printed in the failed step, as test runners show a test's output.
        text = "\n".join([*(_block(f) for f in other), *printed])
        ET.SubElement(case, "system-out").text = _clean(text) + "\n"


def _skipped(run: Run | None) -> dict[str, str]:
    """The revisions of a run not checked because one they need failed, and why (its notes
    say "0003 not checked: it needs 0002, which failed")."""
    found = (_NOT_CHECKED.match(note) for note in (run.notes if run else ()))
    return {_named(match[1]): match[2] for match in found if match}


def _named(revision: str) -> str:
    """A revision's test case: ``revision 0002``, as the text report names it."""
    return f"revision {revision}"


def _suite(
    root: ET.Element,
    name: str,
    cases: dict[str, list[Finding]],
    run: Run | None = None,
    notes: Sequence[str] = (),
) -> tuple[int, int, int]:
    """One test suite; (tests, failures, skipped)."""
    skipped = {r: why for r, why in _skipped(run).items() if not cases.get(r)}
    cases = {**cases, **{r: [] for r in skipped if r not in cases}}
    if HISTORY in cases:  # the whole history's case last
        cases[HISTORY] = cases.pop(HISTORY)
    failures = sum(1 for found in cases.values() if any(_fails(f) for f in found))
    suite = ET.SubElement(
        root,
        "testsuite",
        name=name,
        tests=str(len(cases)),
        failures=str(failures),
        errors="0",
        skipped=str(len(skipped)),
    )
    if run is not None:
        suite.set("time", f"{run.seconds:.3f}")
        properties = ET.SubElement(suite, "properties")
        values = (
            ("server_version", run.server_version),
            ("backend", run.backend),
            ("python", run.python),
        )
        for key, value in values:
            if value:
                ET.SubElement(properties, "property", name=key, value=_clean(value))
    for case, found in cases.items():
        _case(suite, name, case, found, skipped.get(case))
    notes = [*notes, *(run.notes if run else ())]
    if notes:
        ET.SubElement(suite, "system-out").text = _clean("\n".join(notes)) + "\n"
    return len(cases), failures, len(skipped)


def _by_revision(findings: Sequence[Finding], walked: Sequence[str]) -> dict[str, list[Finding]]:
    """Test cases of one version: each revision walked, then the whole history."""
    cases: dict[str, list[Finding]] = {_named(revision): [] for revision in walked}
    for finding in findings:
        if finding.revision is not None:
            cases.setdefault(_named(finding.revision), []).append(finding)
    cases[HISTORY] = [f for f in findings if f.revision is None]
    return cases


def _by_code(findings: Sequence[Finding], codes: Sequence[Code]) -> dict[str, list[Finding]]:
    return {
        f"{code} {CODES[code].title}": [f for f in findings if f.code == code] for code in codes
    }


def render(report: Report) -> str:
    root = ET.Element("testsuites", name="migcheck")
    counted: list[tuple[int, int, int]] = []
    by_code = [stage for stage in _BY_CODE if stage in report.stages]
    for stage in by_code:
        codes = of_stage(stage)
        found = [f for f in report.findings if f.pg_version is None and f.code in codes]
        # The command's own notes ("nothing to walk") go with the suite every report has.
        notes = report.notes if stage is by_code[0] else ()
        counted.append(_suite(root, _BY_CODE[stage], _by_code(found, codes), notes=notes))
    runs = {run.pg_version: run for run in report.runs}
    versions = sorted(runs.keys() | {f.pg_version for f in report.findings if f.pg_version})
    for version in versions:
        run = runs.get(version)
        mine = [f for f in report.findings if f.versions == (version,)]
        cases = _by_revision(mine, run.walked if run else ())
        counted.append(_suite(root, f"PostgreSQL {version}", cases, run))
    # A defect found alike on several versions is one test case there, not one per version.
    across = [
        f
        for f in report.findings
        if (f.pg_version is None and f.stage not in by_code) or len(f.versions) > 1
    ]
    if across:
        cases = _by_revision(across, ())
        if not cases[HISTORY]:
            del cases[HISTORY]
        counted.append(_suite(root, "all versions", cases))
    root.set("tests", str(sum(tests for tests, _, _ in counted)))
    root.set("failures", str(sum(failures for _, failures, _ in counted)))
    root.set("errors", "0")
    root.set("skipped", str(sum(skipped for _, _, skipped in counted)))
    root.set("time", f"{sum(run.seconds for run in report.runs):.3f}")
    ET.indent(root)
    return '<?xml version="1.0" encoding="UTF-8"?>\n' + ET.tostring(root, "unicode") + "\n"
