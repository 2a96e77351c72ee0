"""Findings carry their differences as records; reporters render them."""

from __future__ import annotations

import json
import re
from dataclasses import replace

import pytest

from migcheck.codes import Code, Stage
from migcheck.diff import Added, Changed, Removed, render_all
from migcheck.findings import CHECK_STAGES, Comparison, Finding, Report
from migcheck.reporters import REPORTERS, json_format
from migcheck.reporters import text as text_format
from migcheck.snapshot import Key, SchemaObject

TABLE = Key("table", "public", "t")
ID = Key("column", "public", "id", "t")
MOOD = Key("enum", "public", "mood")
# A table and its column (folded into one line), an enum type, a changed default.
CHANGES = (
    Added(SchemaObject(TABLE, (("kind", "table"),))),
    Added(SchemaObject(ID, (("not_null", True), ("position", 1), ("type", "integer")))),
    Removed(SchemaObject(MOOD, (("labels", ("happy", "sad")),))),
    Changed(Key("column", "public", "name", "users"), "default", "'anon'::text", None),
)
LINES = (
    "- enum type mood ('happy', 'sad')",
    "+ table t (id integer not null)",
    "~ column users.name default: 'anon'::text -> NULL",
)


def found(**fields: object) -> Finding:
    return replace(Finding(Code.MC201, "not restored", "0002", "2.py", 20, 16), **fields)


def test_records_are_rendered_by_the_reporters_as_lines_were() -> None:
    """A finding with records reads as the same finding with their lines as text, in
    every format; JSON adds the records themselves. (MC202: the records of an MC201 also
    give what its downgrade is missing, which lines of text cannot.)"""
    with_records = Report(findings=(found(code=Code.MC202, changes=CHANGES),))
    as_text = Report(findings=(found(code=Code.MC202, diff=LINES),))
    assert text_format.diff_lines(with_records.findings[0]) == LINES
    for name, render in REPORTERS.items():
        if name != "json":
            assert render(with_records) == render(as_text), name
    written, plain = (json.loads(json_format.render(r)) for r in (with_records, as_text))
    (changes,) = (f.pop("changes") for f in written["findings"])
    assert written == plain
    assert [c["change"] for c in changes] == ["added", "added", "removed", "changed"]
    assert changes[2]["attributes"] == {"labels": ["happy", "sad"]}
    missing = "    the downgrade is missing (paste at the end of downgrade()):"
    assert missing in text_format.render(Report(findings=(found(changes=CHANGES),)))
    assert missing not in text_format.render(Report(findings=(found(diff=LINES),)))


def test_text_lines_come_before_the_records_lines() -> None:
    mixed = found(diff=("+ autogenerate's own line",), changes=CHANGES[2:])
    assert text_format.diff_lines(mixed) == ("+ autogenerate's own line", *LINES[::2])


def test_json_gives_back_the_records() -> None:
    """merge reads JSON reports: what it reads back is equal to what was written."""
    report = Report(
        findings=(
            found(changes=CHANGES),
            found(diff=("+ autogenerate's own line",), changes=CHANGES[3:], pg_version=17),
            found(code=Code.MC204, diff=("~ column t.c position: 1 -> 2",)),
        )
    )
    loaded = json_format.load(json_format.render(report))
    assert loaded == report
    assert loaded.findings[0].changes == CHANGES
    assert hash(loaded.findings[0]) == hash(report.findings[0])


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"change": "moved"}, "findings[0].changes[0]: no 'kind'"),
        (
            {"change": "moved", "kind": "table", "schema": "public", "name": "t", "parent": ""},
            "'change' is 'moved', expected added, removed or changed",
        ),
        (
            {"change": "added", "kind": "table", "schema": "public", "name": "t", "parent": ""},
            "findings[0].changes[0]: no 'attributes'",
        ),
        (
            {
                "change": "changed",
                "kind": "column",
                "schema": "public",
                "name": "c",
                "parent": "t",
                "attribute": "default",
                "old": {"a": 1},
                "new": None,
            },
            "'old' is {'a': 1}, expected a value of the catalog",
        ),
    ],
)
def test_json_loader_says_what_is_wrong_with_a_record(
    change: dict[str, object], message: str
) -> None:
    document = json.loads(json_format.render(Report(findings=(found(changes=CHANGES[3:]),))))
    document["findings"][0]["changes"] = [change]
    with pytest.raises(ValueError, match=re.escape(message)):
        json_format.load(json.dumps(document))


def test_json_loader_refuses_records_without_their_lines() -> None:
    document = json.loads(json_format.render(Report(findings=(found(changes=CHANGES),))))
    document["findings"][0]["diff"] = []
    with pytest.raises(ValueError, match="'diff' has fewer lines than 'changes'"):
        json_format.load(json.dumps(document))


def test_equal_differences_make_equal_findings() -> None:
    """De-duplication (merge, the pytest plugin) compares records, not their text."""
    again = tuple(replace(c) for c in CHANGES)
    assert len({found(changes=CHANGES), found(changes=again)}) == 1
    other = found(changes=(replace(CHANGES[3], new="'x'::text"),))
    assert other != found(changes=CHANGES[3:])


def test_a_comparison_of_a_live_database_is_mc303() -> None:
    live = Comparison("migrations at 0002", "postgresql://h/app", CHANGES, True, ("0002",))
    (finding,) = live.report.findings
    assert (finding.code, finding.revision, finding.changes) == (Code.MC303, "0002", CHANGES)
    assert finding.message == "postgresql://h/app differs from the schema of migrations at 0002"
    assert live.report.stages == (Stage.DIFF,)
    assert live.report.exit_code == 1
    assert render_all(live.differences) == LINES
    # Two revisions, or a live database that does not differ: no finding.
    assert Comparison("head-1", "head", CHANGES).report.findings == ()
    assert replace(live, differences=()).report == Report(stages=(Stage.DIFF,))
    assert Report().stages == CHECK_STAGES
