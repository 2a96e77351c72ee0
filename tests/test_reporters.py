"""Reporters on hand-built reports; --output, merge and the CI files on real servers."""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
import xml.etree.ElementTree as ET
from dataclasses import replace
from pathlib import Path
from typing import Any

import jsonschema
import pytest
import yaml
from servers import Servers

from migcheck import check, cli
from migcheck.cli import reports as cli_reports
from migcheck.codes import Stage, of_stage
from migcheck.config import Config
from migcheck.diff import Added
from migcheck.errors import UsageError
from migcheck.findings import CODES, Finding, Report, Run, Suppression
from migcheck.reporters import REPORTERS, github, json_format, junit, located, markdown, sarif
from migcheck.reporters import text as text_format
from migcheck.shards import merge
from migcheck.snapshot import Key, SchemaObject

ROOT = Path(__file__).parent.parent
PROJECTS = Path(__file__).parent / "projects"
SARIF_SCHEMA = json.loads(
    (Path(__file__).parent / "schemas" / "sarif-schema-2.1.0.json").read_text()
)
ENUM = PROJECTS / "enum_type_not_dropped"
ENUM_FILE = "migrations/versions/0002_add_user_mood.py"
NULLS = PROJECTS / "matrix_nulls_not_distinct"

V2 = "versions/0002_mood.py"
REPORT = Report(
    runs=(
        Run(16, "16.4", "local", 2.5, 3, ("0001", "0002", "0003"), ("a note",), (("server", 1.0),)),
        Run(17, "17.2", "docker", 3.0, 3, ("0001", "0002", "0003")),
    ),
    findings=(
        Finding("MC401", "two heads: 0003, 0004"),
        Finding("MC405", "upgrade() of 0003 does nothing", "0003", "versions/0003.py", 7),
        Finding("MC201", "not restored", "0002", V2, 20, 16, ("+ enum type mood ('a', 'b')",)),
        Finding("MC204", "columns moved", "0002", V2, 20, 16, ("~ column t.c position: 1 -> 2",)),
        Finding("MC203", "left at base", None, None, None, 16, ("+ table t",)),
        Finding("MC201", "kept on purpose", "0002", V2, 20, 17, ("+ enum",), "old clients"),
        Finding("MC302", "differs from 16", None, None, None, 17, ("~ column c type: a -> b",)),
        Finding("MC104", "fails on PostgreSQL 16; passes on 17", "0003", "versions/0003.py", 9),
    ),
)

NOTE = "no revision changed since main (merge base 1a2b3c4d): nothing to walk"
# Accepted by a comment in the revision file, and by the settings.
IN_SOURCE = Finding("MC201", "kept", "0002", V2, 20, 16, (), "old clients", "comment")
IN_SETTINGS = Finding("MC302", "differs", None, None, None, 17, (), "moving", "settings")


def run(args: list[str], capsys: pytest.CaptureFixture[str]) -> tuple[int, str, str]:
    code = cli.run(args)
    out, err = capsys.readouterr()
    return code, out, err


def validate_sarif(document: dict[str, Any]) -> None:
    validator = jsonschema.validators.validator_for(SARIF_SCHEMA)
    validator(SARIF_SCHEMA, format_checker=validator.FORMAT_CHECKER).validate(document)


def def_line(path: Path, name: str) -> int:
    lines = path.read_text().splitlines()
    return next(i for i, line in enumerate(lines, 1) if line.startswith(f"def {name}("))


# --- text and JSON ------------------------------------------------------------------


def test_text_marks_suppressed_findings_and_does_not_count_them() -> None:
    rendered = text_format.render(REPORT)
    assert (
        f"{V2}:20: MC201 error: downgrade did not restore the schema (revision 0002, " in rendered
    )
    assert "PostgreSQL 17)\n    suppressed: old clients\n    kept on purpose\n" in rendered
    assert rendered.endswith("FAIL: 5 error(s), 2 warning(s), 1 suppressed\n")
    only_suppressed = Report(findings=(REPORT.findings[5],))
    assert text_format.render(only_suppressed).endswith(
        "OK: 0 error(s), 0 warning(s), 1 suppressed\n"
    )


def test_json_loads_back_what_it_renders() -> None:
    assert json_format.load(json_format.render(REPORT)) == REPORT
    assert json_format.load(json_format.render(Report())) == Report()
    noted = Report(notes=(NOTE,), findings=(IN_SOURCE,))
    document = json.loads(json_format.render(noted))
    assert document["notes"] == [NOTE]
    assert document["findings"][0]["suppressed_by"] == "comment"
    assert json_format.load(json_format.render(noted)) == noted


def test_json_loader_refuses_an_unknown_suppression_origin() -> None:
    document = json.loads(json_format.render(Report(findings=(IN_SOURCE,))))
    document["findings"][0]["suppressed_by"] = "email"
    with pytest.raises(ValueError, match="'suppressed_by' is 'email', expected comment or"):
        json_format.load(json.dumps(document))


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("{", "not JSON"),
        ("[]", "'migcheck' key expected"),
        ('{"migcheck": "0.1.0", "runs": []}', "report: no 'findings'"),
        (
            '{"migcheck": "0.1.0", "runs": [], "findings": [{"code": "MC999", "message": ""}]}',
            "unknown code 'MC999'",
        ),
        (
            '{"migcheck": "0.1.0", "runs": [], '
            '"findings": [{"code": "MC201", "message": "m", "line": "3"}]}',
            "findings[0]: 'line' is '3', expected int",
        ),
        (
            '{"migcheck": "0.1.0", "runs": [{"pg_version": true}], "findings": []}',
            "runs[0]: 'pg_version' is True",
        ),
        ('{"migcheck": "0.1.0", "runs": [1], "findings": []}', "runs[0] is not an object"),
    ],
)
def test_json_loader_says_what_is_wrong(text: str, message: str) -> None:
    with pytest.raises(ValueError, match=re.escape(message)):
        json_format.load(text)


# --- JUnit --------------------------------------------------------------------------


def cases(root: ET.Element, suite: str) -> dict[str, ET.Element]:
    (found,) = [s for s in root.iter("testsuite") if s.get("name") == suite]
    return {case.get("name", ""): case for case in found.iter("testcase")}


def test_junit_has_a_test_case_per_version_and_revision() -> None:
    root = ET.fromstring(junit.render(REPORT))
    assert root.tag == "testsuites"
    suites = [s.get("name") for s in root.iter("testsuite")]
    assert suites == ["revision graph", "PostgreSQL 16", "PostgreSQL 17", "all versions"]
    pg16 = cases(root, "PostgreSQL 16")
    assert list(pg16) == ["revision 0001", "revision 0002", "revision 0003", junit.HISTORY]
    assert pg16["revision 0001"].find("failure") is None
    failure = pg16["revision 0002"].find("failure")
    assert failure is not None
    assert (failure.get("type"), failure.get("message")) == (
        "MC201",
        "MC201 downgrade did not restore the schema",
    )
    assert "+ enum type mood ('a', 'b')" in (failure.text or "")
    assert pg16["revision 0002"].get("file") == V2
    # The warning of the same step: in system-out, not a failure.
    assert "~ column t.c position: 1 -> 2" in (pg16["revision 0002"].findtext("system-out") or "")
    assert "~ column t.c position" not in (failure.text or "")
    history = pg16[junit.HISTORY].find("failure")
    assert history is not None
    assert history.get("type") == "MC203"
    (pg16_suite,) = [s for s in root.iter("testsuite") if s.get("name") == "PostgreSQL 16"]
    properties = {p.get("name"): p.get("value") for p in pg16_suite.iter("property")}
    assert properties == {"server_version": "16.4", "backend": "local"}
    assert pg16_suite.get("time") == "2.500"
    assert pg16_suite.findtext("system-out") == "a note\n"


def test_junit_suppressed_findings_are_no_failure_but_are_shown() -> None:
    root = ET.fromstring(junit.render(REPORT))
    case = cases(root, "PostgreSQL 17")["revision 0002"]
    assert case.find("failure") is None
    out = case.findtext("system-out") or ""
    assert "suppressed: old clients\n    kept on purpose" in out
    assert cases(root, "PostgreSQL 17")[junit.HISTORY].find("failure") is not None  # MC302


def test_junit_graph_checks_and_cross_version_findings_have_their_own_cases() -> None:
    root = ET.fromstring(junit.render(REPORT))
    graph = cases(root, "revision graph")
    assert list(graph) == [f"{c} {CODES[c].title}" for c in of_stage(Stage.GRAPH)]
    assert graph["MC401 more than one head"].find("failure") is not None
    assert graph["MC405 empty migration"].find("failure") is None  # a warning
    assert "does nothing" in (graph["MC405 empty migration"].findtext("system-out") or "")
    across = cases(root, "all versions")
    assert list(across) == ["revision 0003"]
    assert across["revision 0003"].find("failure") is not None
    counts = [(s.get("tests"), s.get("failures")) for s in root.iter("testsuite")]
    assert counts == [("6", "1"), ("4", "2"), ("4", "1"), ("1", "1")]
    assert (root.get("tests"), root.get("failures")) == ("15", "5")


def test_junit_revisions_not_checked_are_skipped_test_cases() -> None:
    run_ = Run(
        16,
        "16.4",
        "local",
        1.0,
        1,
        ("0001", "0002"),
        ("0003 not checked: it needs 0002, which failed", "a note"),
    )
    failed = Finding("MC101", "boom", "0002", "2.py", 3, 16)
    root = ET.fromstring(junit.render(Report(runs=(run_,), findings=(failed,), notes=(NOTE,))))
    pg16 = cases(root, "PostgreSQL 16")
    assert list(pg16) == ["revision 0001", "revision 0002", "revision 0003", junit.HISTORY]
    skipped = pg16["revision 0003"].find("skipped")
    assert skipped is not None
    assert skipped.get("message") == "it needs 0002, which failed"
    assert pg16["revision 0002"].find("skipped") is None
    (suite,) = [s for s in root.iter("testsuite") if s.get("name") == "PostgreSQL 16"]
    assert (suite.get("tests"), suite.get("failures"), suite.get("skipped")) == ("4", "1", "1")
    assert root.get("skipped") == "1"
    # The check's own notes: with the revision graph's suite, which every report has.
    (graph,) = [s for s in root.iter("testsuite") if s.get("name") == "revision graph"]
    assert graph.findtext("system-out") == NOTE + "\n"


def test_junit_of_a_diff_has_the_live_databases_suite_only() -> None:
    """migcheck diff checks no revision graph: one suite, a test case per code of its
    stage, failing when the live database differs."""
    mc303 = Finding("MC303", "postgresql://h/app differs", "0002", diff=("+ index ix on t",))
    for findings, failures in (((mc303,), "1"), ((), "0")):
        root = ET.fromstring(junit.render(Report(findings=findings, stages=(Stage.DIFF,))))
        assert [s.get("name") for s in root.iter("testsuite")] == ["live database"]
        (case,) = cases(root, "live database").values()
        assert case.get("name") == "MC303 live database differs from the migrations"
        assert (root.get("tests"), root.get("failures")) == ("1", failures)
        assert ("+ index ix on t" in (case.findtext("failure") or "")) == bool(findings)


def test_junit_survives_characters_xml_cannot_carry() -> None:
    report = Report(findings=(Finding("MC101", "bad \x00 byte \x1b[0m", "1", "1.py", 1, 16),))
    root = ET.fromstring(junit.render(report))
    assert "bad \ufffd byte \ufffd[0m" in (root.findtext(".//failure") or "")


# --- SARIF --------------------------------------------------------------------------


def test_sarif_is_valid_with_a_rule_per_code() -> None:
    document = json.loads(sarif.render(located(REPORT, folder="", anchor="alembic.ini")))
    validate_sarif(document)
    (sarif_run,) = document["runs"]
    rules = sarif_run["tool"]["driver"]["rules"]
    assert [rule["id"] for rule in rules] == list(CODES)
    by_id = {rule["id"]: rule for rule in rules}
    assert by_id["MC204"]["defaultConfiguration"] == {"level": "warning"}
    assert by_id["MC201"]["shortDescription"]["text"] == CODES["MC201"].title
    assert by_id["MC201"]["fullDescription"]["text"] == CODES["MC201"].help
    results = sarif_run["results"]
    assert len(results) == len(REPORT.findings)
    for result in results:
        assert rules[result["ruleIndex"]]["id"] == result["ruleId"]


def test_sarif_results_point_at_the_migration_line() -> None:
    document = json.loads(sarif.render(REPORT))
    first = document["runs"][0]["results"][2]
    assert (first["ruleId"], first["level"]) == ("MC201", "error")
    (location,) = first["locations"]
    assert location["physicalLocation"] == {
        "artifactLocation": {"uri": V2, "uriBaseId": "%SRCROOT%"},
        "region": {"startLine": 20},
    }
    assert first["message"]["text"].endswith("not restored\n+ enum type mood ('a', 'b')")
    assert first["properties"] == {
        "diff": ["+ enum type mood ('a', 'b')"],
        "revision": "0002",
        "pgVersion": 16,
    }
    assert "suppressions" not in first
    # Without a file, no location (SARIF allows it; located() gives one for GitHub).
    assert "locations" not in document["runs"][0]["results"][0]


def test_sarif_suppressions_carry_the_reason() -> None:
    document = json.loads(sarif.render(REPORT))
    suppressed = document["runs"][0]["results"][5]
    assert suppressed["suppressions"] == [
        {"kind": "external", "status": "accepted", "justification": "old clients"}
    ]


def test_sarif_suppressions_say_where_they_are_written() -> None:
    document = json.loads(sarif.render(Report(runs=REPORT.runs, findings=(IN_SOURCE, IN_SETTINGS))))
    validate_sarif(document)
    kinds = [r["suppressions"][0]["kind"] for r in document["runs"][0]["results"]]
    assert kinds == ["inSource", "external"]
    properties = document["runs"][0]["properties"]
    assert properties["pgVersions"] == [16, 17]
    assert properties["serverVersions"] == ["16.4", "17.2"]


def test_sarif_uris_are_encoded_and_absolute_paths_are_file_uris(tmp_path: Path) -> None:
    report = Report(
        findings=(
            Finding("MC101", "x", "1", "my versions/1 #a.py", 3, 16),
            Finding("MC101", "x", "2", str(tmp_path / "2.py"), None, 16),
        )
    )
    document = json.loads(sarif.render(report))
    validate_sarif(document)
    first, second = (r["locations"][0]["physicalLocation"] for r in document["runs"][0]["results"])
    assert first["artifactLocation"] == {
        "uri": "my%20versions/1%20%23a.py",
        "uriBaseId": "%SRCROOT%",
    }
    assert second["artifactLocation"] == {"uri": (tmp_path / "2.py").as_uri()}
    assert second["region"] == {"startLine": 1}


def test_located_names_files_from_the_repository_root() -> None:
    moved = located(REPORT, folder="backend/db", anchor="alembic.ini")
    files = [f.file for f in moved.findings]
    assert files[0] == "backend/db/alembic.ini"  # MC401: about the whole history
    assert files[2] == f"backend/db/{V2}"
    assert files[4] == "backend/db/alembic.ini"  # MC203
    assert [f.file for f in located(REPORT, folder=".", anchor="x.toml").findings][2] == V2
    absolute = Report(findings=(Finding("MC101", "m", "1", "/elsewhere/1.py", 1, 16),))
    assert located(absolute, folder="db", anchor="a.ini").findings[0].file == "/elsewhere/1.py"


# --- GitHub and Markdown ------------------------------------------------------------


def test_github_escapes_data_and_properties() -> None:
    assert github.escape_data("100% done\r\nnext: a, b") == "100%25 done%0D%0Anext: a, b"
    assert github.escape_property("100% done\r\nnext: a, b") == "100%25 done%0D%0Anext%3A a%2C b"


def test_github_annotates_the_migration_line() -> None:
    lines = github.render(REPORT).splitlines()
    commands = [line for line in lines if line.startswith("::")]
    assert len(commands) == len(REPORT.findings)
    assert commands[2] == (
        f"::error file={V2},line=20,title=MC201 downgrade did not restore the schema "
        "(revision 0002%2C PostgreSQL 16)::not restored%0A+ enum type mood ('a', 'b')"
        f"%0Ahelp: {CODES['MC201'].fix}%0Asee {CODES['MC201'].docs}"
    )
    assert commands[0] == (
        "::error title=MC401 more than one head::two heads: 0003, 0004"
        f"%0Ahelp: {github.escape_data(CODES['MC401'].fix)}%0Asee {CODES['MC401'].docs}"
    )
    assert commands[3].startswith(f"::warning file={V2},line=20,title=MC204 column order")
    assert commands[5].startswith("::notice file=")
    assert commands[5].endswith("::suppressed: old clients%0Akept on purpose%0A+ enum")
    # The human report comes first, for people reading the log.
    assert lines[0] == text_format.render(REPORT).splitlines()[0]
    assert "FAIL: 5 error(s), 2 warning(s), 1 suppressed" in lines


def test_markdown_summary() -> None:
    report = Report(
        runs=REPORT.runs,
        findings=(
            Finding("MC201", "default `x` <b>kept</b> *", "0002", V2, 20, 16, ("+ a ```b```",)),
            REPORT.findings[5],
        ),
    )
    rendered = markdown.render(report)
    assert rendered.startswith("## migcheck: fail\n\n1 error(s), 0 warning(s), 1 suppressed\n")
    assert "| 16.4 | local | 3 | 2.5 |" in rendered
    assert "### MC201 error: downgrade did not restore the schema" in rendered
    assert f"`{V2}:20` · revision `0002` · PostgreSQL 16" in rendered
    assert "default \\`x\\` \\<b\\>kept\\</b\\> \\*" in rendered
    assert "\n````diff\n+ a ```b```\n````\n" in rendered  # the fence outgrows the content
    noted = markdown.render(Report(notes=("nothing_to walk",)))
    assert "### Notes\n\n- nothing\\_to walk\n" in noted
    assert "### MC201 error (suppressed): downgrade" in rendered
    assert "Suppressed: old clients" in rendered
    assert "- PostgreSQL 16: a note" in rendered


def test_every_format_renders_an_empty_report() -> None:
    for name, render in REPORTERS.items():
        assert render(Report()), name
    assert set(REPORTERS) == {"text", "json", "junit", "sarif", "github", "markdown"}


# --- merge, on records --------------------------------------------------------------


def shard(version: int, *found: Finding, walked: tuple[str, ...] = ("1", "2", "3")) -> Report:
    graph = Finding("MC405", "upgrade() of 3 does nothing", "3", "3.py", 5)
    run_ = Run(version, f"{version}.1", "docker", 1.0, len(walked), walked)
    return Report(runs=(run_,), findings=(graph, *found))


def test_merge_does_not_widen_a_failure_accepted_on_one_version() -> None:
    """13's failure is accepted on 13 only; the shard of 13 and 14 passes. Merged with a
    shard where 15 fails too, 15's failure is nobody's accepted one: the merge fails, as
    one check of 13-15 would."""
    failed = {v: Finding("MC101", "[42601] syntax error", "2", "2.py", 9, v) for v in (13, 15)}
    only_13 = Suppression("MC101", "13 only ok", "2", pg_version=13)
    both = merge({"13": shard(13, failed[13], walked=("1", "2")), "14": shard(14)}, (only_13,))
    assert both.exit_code == 0
    merged = merge({"a": both, "b": shard(15, failed[15], walked=("1", "2"))}, (only_13,))
    assert merged.exit_code == 1


def test_merge_keeps_shared_findings_once_and_recomputes_mc104() -> None:
    failed = Finding("MC101", "[42601] syntax error", "2", "2.py", 9, 14)
    other = Finding("MC201", "not restored", "1", "1.py", 12, 16)
    merged = merge({"b.json": shard(16, other), "a.json": shard(14, failed, walked=("1", "2"))})
    assert [r.pg_version for r in merged.runs] == [14, 16]
    codes = [(f.code, f.pg_version) for f in merged.findings]
    assert codes == [("MC405", None), ("MC201", 16), ("MC104", None)]
    mc104 = merged.findings[-1]
    assert (
        mc104.message
        == "fails on PostgreSQL 14; passes on 16: upgrade failed: [42601] syntax error"
    )
    assert (mc104.revision, mc104.file, mc104.line) == ("2", "2.py", 9)
    assert merged.exit_code == 1


def test_merge_keeps_failures_on_every_version() -> None:
    reports = {
        f"{v}.json": shard(v, Finding("MC101", "boom", "2", "2.py", 9, v), walked=("1", "2"))
        for v in (14, 16)
    }
    # One finding per defect: the same failure on both versions.
    merged = merge(reports).findings
    assert [(f.code, f.pg_version, f.versions) for f in merged] == [
        ("MC405", None, ()),
        ("MC101", 14, (14, 16)),
    ]


def test_merge_of_suppressed_errors_passes() -> None:
    accepted = Finding("MC201", "kept", "1", "1.py", 12, 16, suppressed="old clients")
    assert merge({"a": shard(14), "b": shard(16, accepted)}).exit_code == 0


def test_merge_applies_the_projects_suppressions_to_what_it_recomputes() -> None:
    failed = Finding("MC101", "[42601] syntax error", "2", "2.py", 9, 14)
    accepted = Finding(
        "MC201", "kept", "1", "1.py", 12, 16, suppressed="old", suppressed_by="settings"
    )
    shards = {"a.json": shard(14, failed, walked=("1", "2")), "b.json": shard(16, accepted)}
    assert merge(shards).exit_code == 1
    comment = Suppression("MC104", "15 and later only", "2", source="2.py:3", comment=True)
    merged = merge(shards, (comment,))
    assert merged.exit_code == 0
    (mc104,) = [f for f in merged.findings if f.code == "MC104"]
    assert (mc104.suppressed, mc104.suppressed_by) == ("15 and later only", "comment")
    # What a shard suppressed stays as it was.
    assert accepted in merged.findings


def test_merge_gives_back_what_a_shard_of_several_versions_compared() -> None:
    """Its MC104 replaced each version's failures: merged with another version, they are
    compared again, as one check of all three versions would."""
    fails = {v: Finding("MC101", "[42601] syntax error", "2", "2.py", 9, v) for v in (13, 14)}
    alone = {
        "13.json": shard(13, fails[13], walked=("1", "2")),
        "14.json": shard(14, fails[14], walked=("1", "2")),
        "15.json": shard(15),
    }
    one_check = merge(alone)
    (mc104,) = [f for f in one_check.findings if f.code == "MC104"]
    assert mc104.message.startswith("fails on PostgreSQL 13, 14; passes on 15: ")
    assert mc104.replaces == (fails[13], fails[14])
    two = merge({"14.json": alone["14.json"], "15.json": alone["15.json"]})
    assert [f.code for f in two.findings] == ["MC405", "MC104"]
    both = json_format.load(json_format.render(two))  # as a CI job hands it on
    merged = merge({"a.json": both, "b.json": alone["13.json"]})
    assert merged == one_check
    # A shard's own suppression of its MC104 holds for the one made again.
    accepted = replace(two.findings[1], suppressed="15 and later", suppressed_by="comment")
    kept = merge(
        {"a.json": replace(two, findings=(two.findings[0], accepted)), "b.json": alone["13.json"]}
    )
    assert kept.exit_code == 0
    assert kept.findings[-1].suppressed_by == "comment"


def test_merge_refuses_an_mc104_without_what_it_replaced() -> None:
    old = Report(runs=shard(14).runs, findings=(Finding("MC104", "fails on PostgreSQL 14", "2"),))
    with pytest.raises(UsageError, match=r"a\.json holds an MC104 \(revision 2\) without the"):
        merge({"a.json": old, "b.json": shard(13)})
    assert merge({"a.json": old}).findings == old.findings  # alone: nothing to redo


def test_mc302_is_suppressed_by_the_version_that_differs() -> None:
    """MC302 names the version whose schema differs from the lowest one's: ``pg`` is that
    version (the example of docs/configuration.md's Suppressions)."""
    differs = Finding("MC302", "on 15 differs from 13", pg_version=15)
    assert Suppression("MC302", "r", pg_version=15).matches(differs)
    assert not Suppression("MC302", "r", pg_version=13).matches(differs)
    suppressions = (ROOT / "docs" / "configuration.md").read_text()
    assert '{ code = "MC302", pg = 15, reason = ' in suppressions


def test_merge_refuses_a_version_walked_twice() -> None:
    with pytest.raises(UsageError, match=r"a\.json and b\.json both walk PostgreSQL 16"):
        merge({"a.json": shard(16), "b.json": shard(16)})


# --- the command line ---------------------------------------------------------------


def test_output_that_cannot_be_written_is_exit_2(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    missing = tmp_path / "no" / "such" / "folder" / "r.sarif"
    args = ["check", "--static", "-c", str(ENUM / "alembic.ini"), "--output", f"sarif:{missing}"]
    code, _, err = run(args, capsys)
    assert code == 2
    assert f"--output {missing}: No such file or directory" in err


def test_output_without_a_known_format_takes_format(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("GITHUB_ACTIONS", raising=False)
    monkeypatch.delenv("GITHUB_STEP_SUMMARY", raising=False)
    monkeypatch.chdir(tmp_path)
    args = ["check", "--static", "-c", str(ENUM / "alembic.ini"), "--format", "json"]
    code, out, _ = run([*args, "-o", "plain.json", "--output", "markdown:summary.md"], capsys)
    assert code == 0
    assert json_format.load((tmp_path / "plain.json").read_text()) == Report()
    assert (tmp_path / "summary.md").read_text().startswith("## migcheck: pass")
    assert out == "OK: 0 error(s), 0 warning(s)\n"  # the text summary, as before
    # Only FORMAT:FILE outputs: standard output keeps --format's report.
    code, out, _ = run([*args, "--output", "junit:r.xml"], capsys)
    assert json.loads(out)["result"] == "pass"
    ET.parse(tmp_path / "r.xml")
    # A colon in a file name is no format, when what precedes it is no word.
    code, out, _ = run([*args, "--output", "./weird:name.json"], capsys)
    assert json_format.load((tmp_path / "weird:name.json").read_text()) == Report()


@pytest.mark.parametrize(
    ("value", "message"),
    [
        (
            "sarf:r.sarif",
            "--output sarf:r.sarif: 'sarf' is not a report format (github, json, junit, "
            "markdown, sarif, text); write FORMAT:FILE (a file of that name: ./sarf:r.sarif)",
        ),
        ("sarif:", "--output sarif:: give the FILE to write after sarif:"),
        ("", "--output '': give a FILE or FORMAT:FILE"),
    ],
)
def test_output_with_an_unknown_format_or_no_file_is_exit_2(
    value: str,
    message: str,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.chdir(tmp_path)
    code, out, err = run(
        ["check", "--static", "-c", str(ENUM / "alembic.ini"), "-o", value], capsys
    )
    assert (code, out, err) == (2, "", f"migcheck: {message}\n")
    assert list(tmp_path.iterdir()) == []


def test_output_after_a_drive_letter_is_a_file(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("GITHUB_ACTIONS", raising=False)
    monkeypatch.delenv("GITHUB_STEP_SUMMARY", raising=False)
    args = ["check", "--static", "-c", str(ENUM / "alembic.ini"), "-o", "C:r.txt"]
    code, _, err = run(args, capsys)
    assert code == 0, err
    assert (tmp_path / "C:r.txt").read_text().startswith("OK: ")


def test_reports_that_cannot_be_written_stop_the_check_before_the_walk(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    """No server at that URL: had the walk started, the exit code would be 3."""
    monkeypatch.delenv("GITHUB_STEP_SUMMARY", raising=False)
    args = ["check", "-c", str(ENUM / "alembic.ini"), "--url", "postgresql://127.0.0.1:9/x"]
    missing = tmp_path / "nonexistent" / "r.xml"
    code, out, err = run([*args, "--output", f"junit:{missing}"], capsys)
    assert (code, out, err) == (2, "", f"migcheck: --output {missing}: No such file or directory\n")
    code, out, err = run([*args, "--output", str(tmp_path)], capsys)
    assert (code, err) == (2, f"migcheck: --output {tmp_path}: Is a directory\n")
    monkeypatch.setenv("GITHUB_STEP_SUMMARY", str(missing))
    code, out, err = run(args, capsys)
    assert (code, out) == (2, "")
    assert err == f"migcheck: $GITHUB_STEP_SUMMARY {missing}: No such file or directory\n"


def test_a_report_that_fails_to_be_written_after_the_walk_comes_after_the_terminal_report(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """The folder went away during the walk: the findings are shown all the same."""
    gone = tmp_path / "gone" / "r.json"
    good = tmp_path / "r.xml"
    outputs = cli_reports.Outputs((("json", gone), ("junit", good)), "text", None)
    with pytest.raises(UsageError, match=f"--output {re.escape(str(gone))}: No such file"):
        cli_reports.emit(REPORT, outputs, Path("alembic.ini"))
    assert capsys.readouterr().out == text_format.render(REPORT)
    ET.parse(good)  # the other reports are written


def test_merge_names_a_file_it_cannot_read(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    good = tmp_path / "good.json"
    good.write_text(json_format.render(shard(16)))
    (tmp_path / "bad.json").write_text('{"migcheck": "0.1.0", "runs": [], "findings": 3}')
    (tmp_path / "binary.json").write_bytes(b"\xff\xfe\x00")
    cases_ = {
        "missing.json": "missing.json: No such file or directory",
        "bad.json": "bad.json: not a migcheck JSON report: report: 'findings' is 3, expected list",
        "binary.json": "binary.json: not a migcheck JSON report (not UTF-8 text)",
    }
    for name, message in cases_.items():
        code, _, err = run(["merge", str(good), str(tmp_path / name)], capsys)
        assert code == 2, err
        assert message in err
        assert len(err.strip().splitlines()) == 1
    code, out, _ = run(["merge", str(good), "--format", "json"], capsys)
    assert code == 0
    assert json_format.load(out) == shard(16)


def test_merge_reads_its_settings_and_the_projects_suppressions(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    """[tool.migcheck.merge] sets its options; the revision files' comments and the
    settings' ignore entries apply to the MC104 merge recomputes, as check applies them."""
    monkeypatch.delenv("GITHUB_ACTIONS", raising=False)
    monkeypatch.delenv("GITHUB_STEP_SUMMARY", raising=False)
    project = tmp_path / "project"
    shutil.copytree(NULLS, project)
    revision = project / "migrations" / "versions" / "0002_unique_email_per_tenant.py"
    text = revision.read_text()
    revision.write_text(
        text.replace("def upgrade", "# migcheck: ignore MC104 -- 15+ only\ndef upgrade", 1)
    )
    report = tmp_path / "merged.md"
    (project / "pyproject.toml").write_text(
        f'[tool.migcheck.merge]\nformat = "json"\noutput = ["markdown:{report}"]\n'
        'ignore = [{code = "MC201", revision = "0001", reason = "kept for old clients"}]\n'
    )
    failed = Finding("MC101", "[42601] syntax error", "0002", "2.py", 9, 14)
    kept = Finding("MC201", "not restored", "0001", "1.py", 12, 16)
    for version, found, walked in (
        (14, failed, ("0001", "0002")),
        (16, kept, ("0001", "0002", "0003")),
    ):
        shard_ = Report(
            runs=(Run(version, f"{version}.1", "local", 1.0, len(walked), walked),),
            findings=(found,),
        )
        (tmp_path / f"{version}.json").write_text(json_format.render(shard_))
    shards = [str(tmp_path / "14.json"), str(tmp_path / "16.json")]
    code, out, err = run(["merge", *shards, "-c", str(project / "alembic.ini")], capsys)
    assert code == 0, err
    merged = json_format.load(out)  # format = "json"
    by_code = {f.code: f for f in merged.findings}
    assert (by_code["MC104"].suppressed, by_code["MC104"].suppressed_by) == ("15+ only", "comment")
    assert by_code["MC201"].suppressed_by == "settings"
    assert report.read_text().startswith("## migcheck: pass")
    # Without the project (no -c, no Alembic configuration here): nothing is suppressed.
    monkeypatch.chdir(tmp_path)
    (tmp_path / "pyproject.toml").write_text('[project]\nname = "app"\n')
    code, out, err = run(["merge", *shards], capsys)
    assert code == 1, err
    assert "FAIL: 2 error(s)" in out
    code, _, err = run(["merge", *shards, "-c", "nope.ini"], capsys)
    assert code == 2
    assert err.startswith("migcheck: nope.ini: no such file")
    # An option the settings of merge cannot hold is named.
    (project / "pyproject.toml").write_text("[tool.migcheck.merge]\npg = 16\n")
    code, _, err = run(["merge", *shards, "-c", str(project / "alembic.ini")], capsys)
    assert code == 2
    assert "'pg' is not an option of migcheck merge" in err


@pytest.mark.server
def test_one_run_writes_every_report(
    url_config: Config,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Under GitHub Actions: annotations on standard output, the job summary appended,
    JUnit and SARIF files; files named from the repository's root."""
    assert url_config.urls
    summary = tmp_path / "summary.md"
    summary.write_text("before\n")
    monkeypatch.setenv("GITHUB_ACTIONS", "true")
    monkeypatch.setenv("GITHUB_STEP_SUMMARY", str(summary))
    monkeypatch.setenv("GITHUB_WORKSPACE", str(ROOT))
    args = ["check", "-c", str(ENUM / "alembic.ini"), "--url", url_config.urls[0]]
    reports = [
        f"junit:{tmp_path / 'r.xml'}",
        f"sarif:{tmp_path / 'r.sarif'}",
        f"json:{tmp_path / 'r.json'}",
    ]
    code, out, _ = run([*args, *(a for r in reports for a in ("--output", r))], capsys)
    assert code == 1
    line = def_line(ENUM / ENUM_FILE, "downgrade")
    in_repository = f"tests/projects/enum_type_not_dropped/{ENUM_FILE}"
    assert f"::error file={in_repository},line={line},title=MC201 " in out
    # 0002 adds a column to users and drops it without lock_timeout: a warning each way,
    # at the statement's line.
    assert f"::warning file={in_repository},line=23,title=MC506 " in out
    assert "FAIL: 1 error(s), 2 warning(s)" in out
    assert summary.read_text().startswith("before\n## migcheck: fail\n")

    document = json.loads((tmp_path / "r.sarif").read_text())
    validate_sarif(document)
    results = document["runs"][0]["results"]
    levels = sorted((r["ruleId"], r["level"]) for r in results)
    assert levels == [("MC201", "error"), ("MC506", "warning"), ("MC506", "warning")]
    (result,) = [r for r in results if r["ruleId"] == "MC201"]
    assert result["locations"][0]["physicalLocation"] == {
        "artifactLocation": {"uri": in_repository, "uriBaseId": "%SRCROOT%"},
        "region": {"startLine": line},
    }

    root = ET.parse(tmp_path / "r.xml").getroot()
    (pg,) = [s for s in root.iter("testsuite") if s.get("name", "").startswith("PostgreSQL")]
    names = [case.get("name") for case in pg.iter("testcase")]
    assert names == ["revision 0001", "revision 0002", junit.HISTORY]
    failures = [
        case.get("name") for case in pg.iter("testcase") if case.find("failure") is not None
    ]
    assert failures == ["revision 0002"]
    assert "+ enum type mood ('happy', 'sad')" in (pg.findtext(".//failure") or "")

    # JSON keeps the project's own names, for merge.
    found = json_format.load((tmp_path / "r.json").read_text()).findings
    (finding,) = [f for f in found if f.code == "MC201"]
    assert (finding.file, finding.line) == (ENUM_FILE, line)


@pytest.mark.server
def test_merge_of_shards_equals_one_check_of_all_their_versions(
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
    pg_servers: Servers,
) -> None:
    """Shards of a CI matrix, each on its own servers: 0002 needs PostgreSQL 15. The
    shard of 14 and 16 reports MC104 itself; merged with 13's, it is made again."""
    monkeypatch.delenv("GITHUB_ACTIONS", raising=False)
    monkeypatch.delenv("GITHUB_STEP_SUMMARY", raising=False)
    ini = str(NULLS / "alembic.ini")
    for versions in ((13,), (14, 16)):
        name = ",".join(str(version) for version in versions)
        servers = [f"--url={url}" for url in pg_servers.urls(*versions)]
        output = f"json:{tmp_path / f'{name}.json'}"
        code, _, err = run(["check", "-c", ini, "--pg", name, *servers, "--output", output], capsys)
        assert code == 1, err
    sarif_file = tmp_path / "merged.sarif"
    code, out, _ = run(
        [
            "merge",
            str(tmp_path / "13.json"),
            str(tmp_path / "14,16.json"),
            "--format",
            "json",
            "--output",
            f"sarif:{sarif_file}",
        ],
        capsys,
    )
    assert code == 1
    merged = json_format.load(out)
    (found,) = [f for f in merged.findings if f.severity == "error"]  # and lock warnings
    assert (found.code, found.revision, found.pg_version) == ("MC104", "0002", None)
    assert found.message.startswith(
        "fails on PostgreSQL 13, 14; passes on 16: upgrade failed: [42601]"
    )
    validate_sarif(json.loads(sarif_file.read_text()))
    together = check(pg_servers.config(13, 14, 16, project_dir=NULLS, jobs=1))
    assert merged.findings == together.findings
    assert [r.walked for r in merged.runs] == [r.walked for r in together.runs]


# --- docs/ci.md and action.yml ------------------------------------------------------


def yaml_blocks() -> list[str]:
    return re.findall(r"```yaml\n(.*?)```", (ROOT / "docs" / "ci.md").read_text(), re.DOTALL)


def schema_check(schema: str, path: Path) -> None:
    done = subprocess.run(
        [sys.executable, "-m", "check_jsonschema", "--builtin-schema", schema, str(path)],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 0, done.stdout + done.stderr


def test_ci_files_are_valid_for_github_and_gitlab(tmp_path: Path) -> None:
    schema_check("vendor.github-actions", ROOT / "action.yml")
    blocks = yaml_blocks()
    assert len(blocks) == 5
    for index, block in enumerate(blocks):
        path = tmp_path / f"{index}.yml"
        path.write_text(block)
        gitlab = block.startswith("# .gitlab-ci.yml")
        schema_check("vendor.gitlab-ci" if gitlab else "vendor.github-workflows", path)


def test_workflows_give_the_action_only_its_inputs() -> None:
    inputs = set(yaml.safe_load((ROOT / "action.yml").read_text())["inputs"])
    used = [
        step
        for block in yaml_blocks()[:2]
        for job in yaml.safe_load(block)["jobs"].values()
        for step in job["steps"]
        if step.get("uses", "").startswith("alembic-migcheck/migcheck@")
    ]
    assert len(used) == 3
    for step in used:
        assert set(step.get("with", {})) <= inputs, step


def action_script() -> tuple[str, dict[str, str]]:
    """The action's step that runs migcheck: its script and its env (input -> variable)."""
    steps = yaml.safe_load((ROOT / "action.yml").read_text())["runs"]["steps"]
    (step,) = [s for s in steps if s.get("name") == "Run migcheck"]
    names = {var: re.fullmatch(r"\$\{\{ inputs\.(.+) \}\}", v)[1] for var, v in step["env"].items()}  # type: ignore[index]
    return step["run"], names


@pytest.mark.server
def test_the_sharded_workflow_runs_as_written(tmp_path: Path) -> None:
    """docs/ci.md's matrix, job by job: each shard's and the merge's `with:` through the
    action's own script (in bash, as GitHub runs it), on local servers instead of Docker."""
    script, variables = action_script()
    workflow = yaml.safe_load(yaml_blocks()[1])
    project = tmp_path / "repository"
    shutil.copytree(NULLS, project)
    base = {k: v for k, v in os.environ.items() if not k.startswith("GITHUB_")}
    base |= {"GITHUB_ACTIONS": "true", "GITHUB_WORKSPACE": str(project)}
    defaults = {
        name: str(spec.get("default", ""))
        for name, spec in yaml.safe_load((ROOT / "action.yml").read_text())["inputs"].items()
    }

    def action(with_: dict[str, str], summary: Path) -> subprocess.CompletedProcess[str]:
        values = defaults | with_
        env = base | {var: values[name] for var, name in variables.items()}
        env["ARGS"] += " --backend local" if values["command"] == "check" else ""
        env["GITHUB_STEP_SUMMARY"] = str(summary)
        env["PATH"] = f"{Path(sys.executable).parent}{os.pathsep}{env['PATH']}"
        return subprocess.run(
            ["bash", "--noprofile", "--norc", "-eo", "pipefail", "-c", script],
            cwd=project / values["working-directory"],
            env=env,
            capture_output=True,
            text=True,
            timeout=600,
        )

    action_name = "alembic-migcheck/migcheck@"
    (shard_step,) = [
        s for s in workflow["jobs"]["walk"]["steps"] if action_name in s.get("uses", "")
    ]
    for version in ("14", "16"):  # two of the matrix's versions
        with_ = {
            k: str(v).replace("${{ matrix.pg }}", version) for k, v in shard_step["with"].items()
        }
        done = action(with_, tmp_path / f"summary-{version}.md")
        assert done.returncode == (1 if version == "14" else 0), done.stdout + done.stderr
        assert "::error" not in done.stdout  # --format text: the merge annotates
        assert (project / f"migcheck-{version}.json").is_file()
    (merge_step,) = [
        s for s in workflow["jobs"]["report"]["steps"] if action_name in s.get("uses", "")
    ]
    summary = tmp_path / "summary.md"
    done = action({k: str(v) for k, v in merge_step["with"].items()}, summary)
    assert done.returncode == 1, done.stdout + done.stderr
    assert "::error file=migrations/versions/0002_unique_email_per_tenant.py,line=" in done.stdout
    assert "title=MC104 fails on some PostgreSQL versions only" in done.stdout
    assert "### MC104 error" in summary.read_text()
    (upload,) = [
        s for s in workflow["jobs"]["report"]["steps"] if "upload-sarif" in s.get("uses", "")
    ]
    document = json.loads((project / upload["with"]["sarif_file"]).read_text())
    validate_sarif(document)
    results = document["runs"][0]["results"]
    assert [r["ruleId"] for r in results if r["level"] == "error"] == ["MC104"]
    assert {r["ruleId"] for r in results if r["level"] != "error"} <= {f"MC50{n}" for n in range(7)}
    ET.parse(project / "migcheck.xml")


@pytest.mark.server
def test_the_gitlab_job_runs_as_written(url_config: Config, tmp_path: Path) -> None:
    """The job's migcheck command, on the session's server in place of the service."""
    assert url_config.urls
    job = yaml.safe_load(yaml_blocks()[2])["migcheck"]
    (command,) = [line for line in job["script"] if line.startswith("migcheck ")]
    service = "postgresql://postgres:migcheck@postgres/postgres"
    assert service in command
    project = tmp_path / "repository"
    shutil.copytree(ENUM, project)
    env = {k: v for k, v in os.environ.items() if not k.startswith("GITHUB_")} | {"PG": "16"}
    env["PATH"] = f"{Path(sys.executable).parent}{os.pathsep}{env['PATH']}"
    done = subprocess.run(
        ["bash", "-c", command.replace(service, url_config.urls[0])],
        cwd=project,
        env=env,
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert done.returncode == 1, done.stdout + done.stderr
    root = ET.parse(project / job["artifacts"]["reports"]["junit"]).getroot()
    assert root.get("failures") == "1"


# The pull-request comment recipes (docs/ci.md, yaml_blocks()[3] and [4]), run as written
# against stand-ins of the code hosts: a `gh` that serves a canned list of comments, and
# an HTTP server that answers GitLab's notes API to the real curl. migcheck is real:
# --static checks the revision graph only, so graph_two_heads exits 1 (MC401) without a
# server, and an empty folder exits 2.

MARKER = "<!-- migcheck-report -->"
HEAD_SHA = "4b825dc642cb6eb9a060e54bf8d69288fbee4904"
TWO_HEADS = PROJECTS / "graph_two_heads"

FAKE_GH = """\
import json, os, subprocess, sys

args = sys.argv[1:]
assert args[0] == "api", args
method, path, query, body, paginate = None, None, None, None, False
rest = iter(args[1:])
for arg in rest:
    if arg == "--paginate":
        paginate = True
    elif arg == "--method":
        method = next(rest)
    elif arg == "--jq":
        query = next(rest)
    elif arg == "-F":
        key, _, value = next(rest).partition("=")
        assert key == "body" and value.startswith("@"), value
        with open(value[1:], encoding="utf-8") as file:
            body = file.read()
    else:
        assert path is None and not arg.startswith("-"), f"unexpected {arg!r} in {args}"
        path = arg
method = method or ("GET" if body is None else "POST")
call = {"method": method, "path": path, "paginate": paginate, "body": body}
call["token"] = os.environ.get("GH_TOKEN")
with open(os.environ["FAKE_GH_LOG"], "a", encoding="utf-8") as log:
    log.write(json.dumps(call) + "\\n")
if method == "GET":
    with open(os.environ["FAKE_GH_COMMENTS"], encoding="utf-8") as file:
        comments = file.read()
    # gh --jq prints strings raw, as jq -r does
    jq = ["jq", "-r", query] if query else ["cat"]
    sys.stdout.write(subprocess.run(jq, input=comments, capture_output=True, text=True,
                                    check=True).stdout)
else:
    print(json.dumps({"id": 1}))
"""

FAKE_GITLAB = """\
import json, os, urllib.parse
from http.server import BaseHTTPRequestHandler, HTTPServer


class Notes(BaseHTTPRequestHandler):
    def answer(self):
        url = urllib.parse.urlsplit(self.path)
        size = int(self.headers.get("Content-Length") or 0)
        form = urllib.parse.parse_qs(self.rfile.read(size).decode(), keep_blank_values=True)
        call = {"method": self.command, "path": url.path, "form": form}
        call["query"] = dict(urllib.parse.parse_qsl(url.query))
        call["token"] = self.headers.get("PRIVATE-TOKEN")
        with open(os.environ["FAKE_GITLAB_LOG"], "a", encoding="utf-8") as log:
            log.write(json.dumps(call) + "\\n")
        if self.command == "GET":
            with open(os.environ["FAKE_GITLAB_NOTES"], "rb") as file:
                data = file.read()
        else:
            data = b'{"id": 1}'
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    do_GET = do_PUT = do_POST = answer

    def log_message(self, *args):
        pass


server = HTTPServer(("127.0.0.1", 0), Notes)
print(server.server_address[1], flush=True)
server.serve_forever()
"""


def bash(script: str, cwd: Path, env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    """``script`` as GitHub's `run:` and GitLab's bash run it: errexit and pipefail."""
    return subprocess.run(
        ["bash", "--noprofile", "--norc", "-eo", "pipefail", "-c", script],
        cwd=cwd,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )


def clean_env(tmp_path: Path) -> dict[str, str]:
    """This process's environment without CI's own variables and proxies (curl would
    send the stand-in server's requests to a proxy), the stand-ins and migcheck first."""
    env = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith(("GITHUB_", "CI_", "MIGCHECK_")) and "proxy" not in k.lower()
    }
    folders = (tmp_path / "bin", Path(sys.executable).parent)
    env["PATH"] = os.pathsep.join((*map(str, folders), env["PATH"]))
    return env


def logged(path: Path) -> list[dict[str, Any]]:
    return [json.loads(line) for line in path.read_text().splitlines()] if path.exists() else []


def github_comment_steps() -> tuple[dict[str, Any], dict[str, Any]]:
    """The comment workflow's migcheck step (the action) and its comment step."""
    job = yaml.safe_load(yaml_blocks()[3])["jobs"]["migcheck"]
    (action_step,) = [s for s in job["steps"] if "alembic-migcheck/migcheck@" in s.get("uses", "")]
    (comment,) = [s for s in job["steps"] if s.get("name") == "Comment on the pull request"]
    return action_step, comment


def test_the_comment_workflow_may_comment_after_findings() -> None:
    """What the runs below cannot show: GitHub's side of the workflow."""
    workflow = yaml.safe_load(yaml_blocks()[3])
    assert list(workflow[True]) == ["pull_request"]  # YAML 1.1 reads `on` as true
    assert workflow["jobs"]["migcheck"]["permissions"]["pull-requests"] == "write"
    _, comment = github_comment_steps()
    # Without `if`, a step is skipped once migcheck's has failed (exit 1).
    assert comment["if"] == "${{ !cancelled() }}"


GITHUB_COMMENTS = [
    {"id": 101, "user": {"login": "octocat"}, "body": f"{MARKER}\nquoted by a person"},
    {"id": 102, "user": {"login": "github-actions[bot]"}, "body": "coverage: 93%"},
    {"id": 103, "user": {"login": "github-actions[bot]"}, "body": f"{MARKER}\n## migcheck: pass"},
    {"id": 104, "user": {"login": "github-actions[bot]"}, "body": f"{MARKER}\nof a race"},
]


@pytest.mark.parametrize(
    ("case", "written"),
    [
        ("marked", ("PATCH", "repos/octo/shop/issues/comments/103")),
        ("unmarked", ("POST", "repos/octo/shop/issues/12/comments")),
        ("long", ("PATCH", "repos/octo/shop/issues/comments/103")),
        ("fork", None),
        ("exit 2", None),
    ],
)
def test_the_github_comment_step_posts_one_comment(
    tmp_path: Path, case: str, written: tuple[str, str] | None
) -> None:
    """The workflow's two steps as GitHub runs them: the action's script, then the
    comment step's, with a stand-in gh that records what it is asked."""
    if shutil.which("jq") is None:
        pytest.skip("jq is not installed: the stand-in gh filters with it, as gh --jq does")
    (tmp_path / "bin").mkdir()
    fake_gh = tmp_path / "bin" / "gh"
    fake_gh.write_text(f"#!{sys.executable}\n{FAKE_GH}")
    fake_gh.chmod(0o755)
    comments = GITHUB_COMMENTS if case != "unmarked" else GITHUB_COMMENTS[:2]
    (tmp_path / "comments.json").write_text(json.dumps(comments))
    project = tmp_path / "repository"
    if case == "exit 2":
        project.mkdir()  # no alembic.ini
    else:
        shutil.copytree(TWO_HEADS, project)
    env = clean_env(tmp_path) | {
        "GITHUB_ACTIONS": "true",
        "GITHUB_WORKSPACE": str(project),
        "GITHUB_STEP_SUMMARY": str(tmp_path / "summary.md"),
        "GITHUB_REPOSITORY": "octo/shop",
        "GITHUB_SERVER_URL": "https://github.com",
        "GITHUB_RUN_ID": "99",
    }

    action_step, comment = github_comment_steps()
    script, variables = action_script()
    inputs = yaml.safe_load((ROOT / "action.yml").read_text())["inputs"]
    values = {name: str(spec.get("default", "")) for name, spec in inputs.items()}
    values |= {k: str(v) for k, v in action_step["with"].items()}
    values["args"] += " --static"  # the revision graph only: no server
    migcheck = bash(script, project, env | {var: values[name] for var, name in variables.items()})
    assert migcheck.returncode == (2 if case == "exit 2" else 1), migcheck.stdout + migcheck.stderr
    report = project / "migcheck.md"
    if case == "long":  # more than a GitHub comment holds
        report.write_text("## migcheck: fail\n\n" + ("é" * 99 + "\n") * 1000)

    context = {
        "github.token": "a-token",
        "github.event.pull_request.number": "12",
        "github.event.pull_request.head.repo.full_name": "someone/shop"
        if case == "fork"
        else "octo/shop",
        "github.event.pull_request.head.sha": HEAD_SHA,
    }
    step_env = {}
    for name, value in comment["env"].items():
        expression = re.fullmatch(r"\$\{\{ (.+) \}\}", value)
        assert expression, value
        step_env[name] = context[expression[1]]
    log = tmp_path / "gh.jsonl"
    fakes = {"FAKE_GH_LOG": str(log), "FAKE_GH_COMMENTS": str(tmp_path / "comments.json")}
    done = bash(comment["run"], project, env | step_env | fakes)
    assert done.returncode == 0, done.stdout + done.stderr
    calls = logged(log)
    if written is None:
        assert calls == []
        shown = "::notice::A pull request from a fork" if case == "fork" else "nothing to post"
        assert shown in done.stdout
        return
    listed, write = calls
    assert listed == {
        "method": "GET",
        "path": "repos/octo/shop/issues/12/comments",
        "paginate": True,
        "body": None,
        "token": "a-token",
    }
    assert (write["method"], write["path"], write["token"]) == (*written, "a-token")
    footer = f"\nCommit {HEAD_SHA}, [workflow run](https://github.com/octo/shop/actions/runs/99)\n"
    if case == "long":
        head, cut, tail = write["body"].partition(
            "\n\n(cut here: the whole report is in the job summary)\n"
        )
        assert cut, write["body"]
        assert len(write["body"]) <= 65536
        assert tail == footer
        kept = head.split("\n")
        assert kept[:3] == [MARKER, "## migcheck: fail", ""]
        assert 300 <= len(kept[3:]) < 1000  # whole lines, not a character cut in two
        assert set(kept[3:]) == {"é" * 99}
    else:
        assert "## migcheck: fail" in report.read_text()
        assert write["body"] == f"{MARKER}\n{report.read_text()}{footer}"


GITLAB_NOTES = [
    {"id": 301, "system": True, "body": "added 1 commit"},
    {"id": 302, "system": False, "body": f"{MARKER}\n## migcheck: pass"},
    {"id": 303, "system": False, "body": "LGTM"},
]
NOTES = "/api/v4/projects/42/merge_requests/7/notes"  # of merge request 7 in project 42


@pytest.mark.parametrize(
    ("case", "written"),
    [
        ("marked", ("PUT", f"{NOTES}/302")),
        ("unmarked", ("POST", NOTES)),
        ("fork", None),
        ("exit 2", None),
    ],
)
def test_the_gitlab_job_posts_one_note(
    tmp_path: Path, case: str, written: tuple[str, str] | None
) -> None:
    """The job's script as GitLab runs it (one bash, errexit and pipefail), the real curl
    against a stand-in of GitLab's notes API; pip install left out."""
    if shutil.which("curl") is None:
        pytest.skip("curl is not installed")
    job = yaml.safe_load(yaml_blocks()[4])["migcheck"]
    script = "\n".join(line for line in job["script"] if not line.startswith("pip install "))
    assert script.count("migcheck check ") == 1
    script = script.replace("migcheck check ", "migcheck check --static ")
    (tmp_path / "bin").mkdir()
    notes = GITLAB_NOTES if case != "unmarked" else [GITLAB_NOTES[0], GITLAB_NOTES[2]]
    (tmp_path / "notes.json").write_text(json.dumps(notes))
    (tmp_path / "gitlab.py").write_text(FAKE_GITLAB)
    project = tmp_path / "repository"
    if case == "exit 2":
        project.mkdir()  # no alembic.ini
    else:
        shutil.copytree(TWO_HEADS, project)
    log = tmp_path / "gitlab.jsonl"
    env = clean_env(tmp_path)
    fakes = {"FAKE_GITLAB_LOG": str(log), "FAKE_GITLAB_NOTES": str(tmp_path / "notes.json")}
    job_url = "https://gitlab.example.com/shop/-/jobs/5"
    with subprocess.Popen(
        [sys.executable, str(tmp_path / "gitlab.py")],
        stdout=subprocess.PIPE,
        text=True,
        env=env | fakes,
    ) as server:
        try:
            assert server.stdout
            port = int(server.stdout.readline())
            env |= {
                "CI_API_V4_URL": f"http://127.0.0.1:{port}/api/v4",
                "CI_PROJECT_ID": "42",
                "CI_MERGE_REQUEST_IID": "7",
                "CI_COMMIT_SHA": HEAD_SHA,
                "CI_JOB_URL": job_url,
            }
            if case != "fork":  # a fork's pipeline has none of the project's variables
                env["MIGCHECK_GITLAB_TOKEN"] = "glpat-secret"
            done = bash(script, project, env)
        finally:
            server.terminate()
    assert done.returncode == (2 if case == "exit 2" else 1), done.stdout + done.stderr
    calls = logged(log)
    if written is None:
        assert calls == []
        assert ("is not set" if case == "fork" else "exited 2: no report") in done.stdout
        return
    listed, write = calls
    assert (listed["method"], listed["path"]) == ("GET", NOTES)
    assert listed["query"] == {"sort": "asc", "order_by": "created_at", "per_page": "100"}
    assert (write["method"], write["path"]) == written
    assert listed["token"] == write["token"] == "glpat-secret"
    report = (project / "migcheck.md").read_text()
    assert "## migcheck: fail" in report
    footer = f"\nCommit {HEAD_SHA}, [job]({job_url})\n"
    assert write["form"] == {"body": [f"{MARKER}\n{report}{footer}"]}


def test_every_format_shows_what_the_downgrade_is_missing() -> None:
    mood = SchemaObject(
        Key("enum", "public", "mood", ""), (("acl", None), ("comment", None), ("labels", ("a",)))
    )
    finding = Finding("MC201", "not restored", "2", "2.py", 9, 16, changes=(Added(mood),))
    report = Report(findings=(finding,))
    paste = 'op.execute("DROP TYPE mood")'
    assert text_format.render(report).splitlines()[3:5] == [
        "    the downgrade is missing (paste at the end of downgrade()):",
        f"        {paste}",
    ]
    assert json.loads(json_format.render(report))["findings"][0]["downgrade_missing"] == [paste]
    (result,) = json.loads(sarif.render(report))["runs"][0]["results"]
    assert result["properties"]["downgradeMissing"] == [paste]
    assert f"```python\n{paste}\n```" in markdown.render(report)
    assert f"%0A    {paste}%0A" in github.render(report)
    accepted = Report(findings=(replace(finding, suppressed="kept on purpose"),))
    assert paste not in text_format.render(accepted)
