"""One finding per defect: consequences under their cause, a defect of several versions
once (pure functions, then a real walk of two versions in every format)."""

from __future__ import annotations

import json
import xml.etree.ElementTree as ET
from dataclasses import replace
from pathlib import Path

import pytest
from servers import Servers

from migcheck import check
from migcheck.diff import Added
from migcheck.findings import Finding, Report
from migcheck.grouping import AT_BASE, DEPENDENTS, across, consequences, expand, versions_text
from migcheck.reporters import REPORTERS, json_format
from migcheck.snapshot import Key, SchemaObject

PROJECTS = Path(__file__).parent / "projects"


def found(code: str, version: int | None, revision: str = "2", message: str = "m") -> Finding:
    return Finding(code, message, revision=revision, file=f"{revision}.py", pg_version=version)


def test_versions_read_as_ranges_and_lists() -> None:
    assert versions_text([13, 14, 15, 16, 17, 18]) == "13-18"
    assert versions_text([14, 13]) == "13, 14"
    assert versions_text([13, 14, 15, 17]) == "13-15, 17"
    assert versions_text([16]) == "16"


def test_a_second_upgrade_failing_on_a_leftover_goes_under_it() -> None:
    leftover, failed = found("MC201", 16), found("MC103", 16, message="type exists")
    other = found("MC103", 16, revision="3")  # another revision's: its own
    (cause, alone) = consequences([leftover, failed, other])
    assert cause.consequences == (failed,)
    assert alone == other
    # Without the leftover, the failure is a finding of its own.
    assert consequences([failed]) == (failed,)


def test_a_defect_on_several_versions_is_one_finding() -> None:
    graph = Finding("MC401", "two heads")
    findings = [graph, *(found("MC201", v) for v in (13, 14, 15)), found("MC102", 14)]
    grouped = across(findings)
    assert [(f.code, f.pg_version, f.versions) for f in grouped] == [
        ("MC401", None, ()),
        ("MC201", 13, (13, 14, 15)),
        ("MC102", 14, (14,)),
    ]
    assert expand(grouped) == tuple(findings)


def test_findings_that_say_different_things_stay_apart() -> None:
    findings = [found("MC103", 13, message="type exists"), found("MC103", 14, message="other")]
    assert across(findings) == tuple(findings)
    suppressed = Finding("MC201", "m", "2", "2.py", pg_version=14, suppressed="old clients")
    assert len(across([found("MC201", 13), suppressed])) == 2


@pytest.mark.server
def test_every_format_reports_a_defect_of_two_versions_once(pg_servers: Servers) -> None:
    config = pg_servers.config(
        16, 17, project_dir=PROJECTS / "enum_leftover_breaks_reupgrade", locks=False
    )
    report = check(config)
    (finding,) = report.findings
    assert (finding.code, finding.pg_version, finding.versions) == ("MC201", 16, (16, 17))
    assert [then.code for then in finding.consequences] == ["MC103"]
    assert report.exit_code == 1

    text = REPORTERS["text"](report)
    assert text.count(" MC201 error: ") == 1
    assert "MC103" not in text.split("then MC103", 1)[0]  # only under the MC201
    assert "downgrade did not restore the schema (revision 0002, PostgreSQL 16, 17)" in text
    assert text.endswith("FAIL: 1 error(s), 0 warning(s)\n")

    annotations = [line for line in REPORTERS["github"](report).splitlines() if line[:2] == "::"]
    assert len(annotations) == 1
    assert "(revision 0002%2C PostgreSQL 16%2C 17)" in annotations[0]

    document = json.loads(REPORTERS["json"](report))
    (record,) = document["findings"]
    assert (record["pg_version"], record["pg_versions"]) == (16, [16, 17])
    assert [then["code"] for then in record["consequences"]] == ["MC103"]
    assert json_format.load(REPORTERS["json"](report)).findings == report.findings

    (result,) = json.loads(REPORTERS["sarif"](report))["runs"][0]["results"]
    assert result["properties"]["pgVersions"] == [16, 17]

    root = ET.fromstring(REPORTERS["junit"](report))
    assert root.get("failures") == "1"
    (failure,) = root.iter("failure")
    assert failure.get("type") == "MC201"

    markdown = REPORTERS["markdown"](report)
    assert markdown.count("### MC201 error") == 1
    assert "PostgreSQL 16, 17" in markdown


def test_a_report_of_one_version_keeps_its_findings_as_they_are() -> None:
    report = Report(findings=(found("MC201", 16),))
    assert json.loads(REPORTERS["json"](report))["findings"][0]["pg_versions"] == [16]


def test_a_downgrade_to_base_refused_by_a_later_leftover_goes_under_it() -> None:
    view = SchemaObject(Key("view", "public", "v", ""), (("columns", ("id integer",)),))
    leftover = replace(found("MC201", 16, revision="2"), changes=(Added(view),))
    refused = found(
        "MC102", 16, revision="1", message=f"{DEPENDENTS} cannot drop table t ...{AT_BASE}"
    )
    (cause,) = consequences([leftover, refused])
    assert cause.consequences == (refused,)
    # Two revisions left objects behind: which one is in the way is not known.
    other = replace(leftover, revision="3")
    assert consequences([leftover, other, refused]) == (leftover, other, refused)
    # A downgrade of the per-revision walk refused so is the revision's own defect.
    own = found("MC102", 16, revision="1", message=f"{DEPENDENTS} cannot drop table t")
    assert consequences([leftover, own]) == (leftover, own)
