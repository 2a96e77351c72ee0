"""Suppressions: read from revision comments and the settings, checked, applied to findings.

The walk's side is proven on a real server by the tests/projects/suppressed_* cases; here,
the pure matching, the comment reader, the revision graph's path (no server), and one
suppression run through every path that applies it, on real servers.
"""

from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path

import pytest
from servers import Servers

from migcheck import cli, graph, revision_files, settings, suppress
from migcheck.config import Config
from migcheck.errors import UsageError
from migcheck.findings import Finding, Report, Suppression
from migcheck.findings import suppress as suppressed

pytest_plugins = ["pytester"]

INI = "[alembic]\nscript_location = %(here)s/migrations\n"
REVISION = '''"""{doc}"""
from alembic import op

revision = "{rev}"
down_revision = {parent}


def upgrade():
{upgrade}


def downgrade():
    pass
'''


def project(folder: Path, revisions: dict[str, tuple[str, str]]) -> Path:
    """An Alembic project: {id: (upgrade body, comment lines before def upgrade)}."""
    (folder / "migrations" / "versions").mkdir(parents=True)
    (folder / "alembic.ini").write_text(INI)
    (folder / "migrations" / "env.py").write_text("")
    parent = None
    for rev, (body, comments) in revisions.items():
        text = REVISION.format(doc=rev, rev=rev, parent=repr(parent), upgrade=body)
        text = text.replace(
            "def upgrade():", f"{comments}\ndef upgrade():" if comments else "def upgrade():"
        )
        (folder / "migrations" / "versions" / f"{rev}_step.py").write_text(text)
        parent = rev
    return folder


def test_a_suppression_marks_the_findings_it_matches_only() -> None:
    findings = (
        Finding("MC201", "m", revision="ab12", pg_version=16),
        Finding("MC201", "m", revision="ab12", pg_version=17),
        Finding("MC201", "m", revision="cd34", pg_version=16),
        Finding("MC202", "m", revision="ab12", pg_version=16),
        Finding("MC302", "m", pg_version=15),
    )
    on_16 = Suppression("MC201", "kept on 16", revision="ab12", pg_version=16)
    everywhere = Suppression("MC302", "versions differ on purpose")
    result = suppressed(findings, [on_16, everywhere])
    assert [f.suppressed for f in result] == [
        "kept on 16",
        None,
        None,
        None,
        "versions differ on purpose",
    ]
    report = Report(findings=result)
    assert report.failed  # three findings still count
    accepted = Report(
        findings=suppressed(
            findings, [Suppression("MC201", "a"), Suppression("MC202", "b"), everywhere]
        )
    )
    assert not accepted.failed
    assert accepted.exit_code == 0
    assert len(accepted.findings) == len(findings)  # still reported


def test_the_first_matching_suppression_gives_the_reason() -> None:
    (found,) = suppressed(
        [Finding("MC204", "m", revision="ab12")],
        [Suppression("MC204", "in the file", revision="ab12"), Suppression("MC204", "settings")],
    )
    assert found.suppressed == "in the file"


def _declared(path: Path) -> list[Suppression]:
    return list(
        suppress.in_comments("0002", path, revision_files.comments(revision_files.read(path), path))
    )


def test_comments_list_codes_with_a_reason(tmp_path: Path) -> None:
    path = tmp_path / "0002_x.py"
    path.write_text(
        '"""# migcheck: ignore MC999 in a docstring is no comment"""\n'
        "x = 1  # migcheck: ignore MC201, mc204 -- enum kept for old clients\n"
        "#migcheck:ignore MC202 MC203 --  second -- dashes kept  \n"
        "# see migcheck's README about suppressions\n"
    )
    found = _declared(path)
    line2, line3 = f"{path}:2", f"{path}:3"
    assert found == [
        Suppression("MC201", "enum kept for old clients", "0002", source=line2, comment=True),
        Suppression("MC204", "enum kept for old clients", "0002", source=line2, comment=True),
        Suppression("MC202", "second -- dashes kept", "0002", source=line3, comment=True),
        Suppression("MC203", "second -- dashes kept", "0002", source=line3, comment=True),
    ]


@pytest.mark.parametrize(
    ("comment", "message"),
    [
        ("# migcheck: ignore MC201", ":2: a suppression needs a reason after --: "),
        ("# migcheck: ignore MC201 --   ", ":2: a suppression needs a reason after --"),
        ("# migcheck: ignore MC201 - old clients", ":2: '-' is not a migcheck finding code"),
        ("# migcheck: ignore MC2O1 -- typo", ":2: 'MC2O1' is not a migcheck finding code"),
        ("# migcheck: ignore -- no code", ":2: name the codes to ignore"),
        ("# migcheck: ingore MC201 -- typo", ":2: unknown migcheck comment 'ingore'"),
    ],
)
def test_bad_comments_are_errors_naming_file_and_line(
    tmp_path: Path, comment: str, message: str
) -> None:
    path = tmp_path / "0002_x.py"
    path.write_text(f"x = 1\n{comment}\n")
    with pytest.raises(UsageError) as raised:
        _declared(path)
    assert str(raised.value).startswith(f"{path}{message}")


def test_settings_revisions_are_unique_prefixes(tmp_path: Path) -> None:
    ids = []
    for revision in ("ab12cd", "ab34ef"):
        path = tmp_path / f"{revision}.py"
        path.write_text(f"revision = {revision!r}\ndown_revision = None\n")
        parsed = revision_files.parse(path)
        assert parsed is not None
        ids.append(parsed)
    entry = Suppression("MC201", "r", revision="ab3", source="pyproject.toml: ignore entry 1")
    (resolved,) = suppress.accepted(Config(ignore=(entry,)), ids)
    assert resolved.revision == "ab34ef"
    with pytest.raises(
        UsageError, match=r"ignore entry 1: revision 'ab' is the prefix of ab12cd, ab34ef"
    ):
        suppress.accepted(
            Config(ignore=(Suppression("MC201", "r", "ab", source=entry.source),)), ids
        )
    with pytest.raises(UsageError, match=r"ignore entry 1: revision 'ff' is not in the history"):
        suppress.accepted(
            Config(ignore=(Suppression("MC201", "r", "ff", source=entry.source),)), ids
        )


def test_the_graph_check_applies_comments_and_settings(tmp_path: Path) -> None:
    project(
        tmp_path,
        {
            "a1": ("    op.create_table('t')", ""),
            "b2": ("    pass", "# migcheck: ignore MC405 -- kept as a marker for the 2.0 release"),
            "c3": ("    pass", ""),
            "d4": ("    op.drop_table('t')", ""),
        },
    )
    (tmp_path / "migcheck.toml").write_text(
        'ignore = [{code = "MC406", reason = "the table is gone for good"}]\n'
    )
    report = graph.check(settings.apply(Config(project_dir=tmp_path)))
    by_revision = {(f.code, f.revision): f.suppressed for f in report.findings}
    assert by_revision == {
        ("MC406", "a1"): "the table is gone for good",
        ("MC405", "b2"): "kept as a marker for the 2.0 release",
        ("MC405", "c3"): None,  # warnings: the report passes either way
        ("MC406", "d4"): "the table is gone for good",
    }


def test_a_finding_that_stops_the_check_cannot_be_suppressed(tmp_path: Path) -> None:
    project(tmp_path, {"a1": ("    op.create_table('t')", "")})
    (tmp_path / "migcheck.toml").write_text('ignore = [{code = "MC401", reason = "two heads"}]\n')
    with pytest.raises(UsageError, match="MC401 cannot be suppressed"):
        graph.check(settings.apply(Config(project_dir=tmp_path)))


def test_static_check_on_the_command_line(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    project(
        tmp_path,
        {
            "a1": ("    op.create_table('t')", "# migcheck: ignore MC406 -- no way back"),
            "b2": ("    op.create_table('u')", "# migcheck: ignore MC406"),
        },
    )
    args = ["check", "--static", "-c", str(tmp_path / "alembic.ini")]
    assert cli.run(args) == 2
    err = capsys.readouterr().err
    assert "b2_step.py:8: a suppression needs a reason" in err
    path = tmp_path / "migrations" / "versions" / "b2_step.py"
    path.write_text(path.read_text().replace("MC406", "MC406 -- the same"))
    assert cli.run(args) == 0
    out = capsys.readouterr().out
    assert "    suppressed: no way back" in out
    assert out.endswith("OK: 0 error(s), 0 warning(s), 2 suppressed\n")


# --- one suppression, every path: check, check --changed, merge, the pytest plugin ------

# 0002 fails on PostgreSQL 14 (UNIQUE NULLS NOT DISTINCT needs 15), passes on 15.
NULLS_NOT_DISTINCT = Path(__file__).parent / "projects" / "matrix_nulls_not_distinct"
REVISIONS = Path("migrations") / "versions"
REASON = "tenants upgrade to PostgreSQL 15 first"
SUPPRESSIONS = {
    "settings": f'ignore = [{{code = "MC104", revision = "0002", reason = "{REASON}"}}]\n',
    "comment": f"# migcheck: ignore MC104 -- {REASON}\n",
    # A code of one version: its failure there is all the MC104 stands for.
    "per-version code": (
        f'ignore = [{{code = "MC101", revision = "0002", pg = 14, reason = "{REASON}"}}]\n'
    ),
}


def _git(folder: Path, *args: str) -> None:
    subprocess.run(
        ["git", "-c", "user.name=migcheck", "-c", "user.email=tests@migcheck.invalid", *args],
        cwd=folder,
        capture_output=True,
        check=True,
    )


def _findings(path: Path) -> list[tuple[str, str | None, str | None, str | None]]:
    """The errors of a report (0002's lock warnings aside, MC5xx: they count for nothing)."""
    report = json.loads(path.read_text())
    assert report["result"] == "pass"
    return [
        (f["code"], f["revision"], f["suppressed"], f["suppressed_by"])
        for f in report["findings"]
        if f["severity"] == "error"
    ]


@pytest.mark.server
@pytest.mark.parametrize("written", list(SUPPRESSIONS))
def test_one_suppression_holds_in_check_changed_merge_and_the_pytest_plugin(
    written: str,
    tmp_path: Path,
    pg_servers: Servers,
    request: pytest.FixtureRequest,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    folder = tmp_path / "project"
    shutil.copytree(NULLS_NOT_DISTINCT, folder)
    if written == "comment":
        path = folder / REVISIONS / "0002_unique_email_per_tenant.py"
        path.write_text(path.read_text() + SUPPRESSIONS[written])
    else:
        (folder / "migcheck.toml").write_text(SUPPRESSIONS[written])
    # The pre-commit case: a branch that only changes 0003.
    _git(folder, "init", "-q", "-b", "main")
    _git(folder, "add", "-A")
    _git(folder, "commit", "-q", "-m", "initial")
    _git(folder, "checkout", "-q", "-b", "display-name")
    later = folder / REVISIONS / "0003_add_display_name.py"
    later.write_text(later.read_text().replace("sa.Text()", "sa.Text(), comment='shown'"))
    _git(folder, "commit", "-q", "-am", "a comment on display_name")

    urls = pg_servers.urls(14, 15)
    project = ["-c", str(folder / "alembic.ini"), "--backend", "url", "--jobs", "1"]
    both = [*project, "--pg", "14,15", "--url", urls[0], "--url", urls[1]]
    out = tmp_path  # the reports
    # 0002 fails on 14 only: one MC104, which the suppression accepts.
    expected = [("MC104", "0002", REASON, "comment" if written == "comment" else "settings")]

    assert cli.run(["check", *both, "--output", f"json:{out / 'check.json'}"]) == 0
    assert _findings(out / "check.json") == expected

    changed = ["check", *both, "--changed", "--output", f"json:{out / 'changed.json'}"]
    assert cli.run(changed) == 0
    assert _findings(out / "changed.json") == expected
    walked = [run["walked"] for run in json.loads((out / "changed.json").read_text())["runs"]]
    assert walked == [[], ["0003"]]  # 0002 only upgraded on the way, and only failed on 14

    for version, url in zip((14, 15), urls, strict=True):
        shard = ["check", *project, "--pg", str(version), "--url", url]
        cli.run([*shard, "--output", f"json:{out / f'{version}.json'}"])
    merge = ["merge", "-c", str(folder / "alembic.ini"), str(out / "14.json")]
    assert cli.run([*merge, str(out / "15.json"), "--output", f"json:{out / 'merged.json'}"]) == 0
    assert _findings(out / "merged.json") == expected

    # Asked for only now: pytester gives back sys.modules as it found them when the test
    # ends, and sqlglot's dialects, which the walks above imported, register themselves
    # once per process.
    pytester: pytest.Pytester = request.getfixturevalue("pytester")
    monkeypatch.chdir(folder)  # where pytest runs
    result = pytester.runpytest_subprocess(
        "--migcheck", "--migcheck-pg", "14,15", *(f"--migcheck-url={url}" for url in urls), "-rA"
    )
    # graph; 0001, 0002 and history on each version (0003 on 14 needs 0002: skipped); the
    # versions item, which owns the MC104.
    result.assert_outcomes(passed=9, skipped=1)
    assert "PASSED alembic.ini::pg14::0002" in result.outlines
    result.stdout.fnmatch_lines(
        [
            "*_ pg14::0002 _*",
            "*migcheck suppressed*",
            "*MC101 error: upgrade failed*0002*14*",
            f"    suppressed: {REASON}",
            "*_ versions _*",
            "*migcheck suppressed*",
            "*MC104 error: fails on some PostgreSQL versions only*0002*",
            f"    suppressed: {REASON}",
        ]
    )
