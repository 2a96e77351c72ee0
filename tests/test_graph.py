"""Static checks of the revision graph, on revision files written to a temporary folder."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from migcheck import Finding, ProjectError, graph
from migcheck.cli import run
from migcheck.config import Config
from migcheck.project import Folders, load

ROOT = Path(__file__).parent.parent

TABLE = 'op.create_table("t", sa.Column("id", sa.Integer()))'
DROP = 'op.drop_table("t")'


def revision(
    rid: str,
    down: object = None,
    *,
    depends: object = None,
    labels: object = None,
    up: str = TABLE,
    down_body: str = DROP,
    annotated: bool = False,
) -> str:
    kind = ": str" if annotated else ""
    return (
        '"""a revision"""\nfrom alembic import op\nimport sqlalchemy as sa\n\n'
        f"revision{kind} = {rid!r}\ndown_revision = {down!r}\n"
        f"branch_labels = {labels!r}\ndepends_on = {depends!r}\n\n\n"
        f"def upgrade() -> None:\n    {up}\n\n\ndef downgrade() -> None:\n    {down_body}\n"
    )


def codes(tmp_path: Path, files: dict[str, str], *, recursive: bool = False) -> list[str]:
    return [f.code for f in found(tmp_path, files, recursive=recursive)]


def found(tmp_path: Path, files: dict[str, str], *, recursive: bool = False) -> tuple[Finding, ...]:
    versions = tmp_path / "versions"
    for name, text in files.items():
        (versions / name).parent.mkdir(parents=True, exist_ok=True)
        (versions / name).write_text(text)
    return graph.findings(Folders(tmp_path, (versions,), recursive))


def test_linear_history_is_clean(tmp_path: Path) -> None:
    files = {f"000{i}_r.py": revision(f"000{i}", f"000{i - 1}" if i > 1 else None) for i in (1, 2)}
    assert codes(tmp_path, files) == []


def test_two_heads_from_one_base(tmp_path: Path) -> None:
    files = {
        "0001_a.py": revision("0001"),
        "0002_b.py": revision("0002", "0001"),
        "0003_c.py": revision("0003", "0001"),
    }
    (finding,) = found(tmp_path, files)
    assert finding.code == "MC401"
    assert (finding.revision, finding.file) == (None, None)
    assert "0002 (versions/0002_b.py), 0003 (versions/0003_c.py)" in finding.message
    assert 'alembic merge heads -m "merge"' in finding.message


def test_heads_of_independent_labelled_trees_are_fine(tmp_path: Path) -> None:
    files = {
        "0001_a.py": revision("0001", labels=("core",)),
        "0002_b.py": revision("0002", "0001"),
        "0101_a.py": revision("0101", labels=("billing",), depends=("core",)),
    }
    assert codes(tmp_path, files) == []


def test_merged_heads_are_fine(tmp_path: Path) -> None:
    files = {
        "0001_a.py": revision("0001"),
        "0002_b.py": revision("0002", "0001"),
        "0003_c.py": revision("0003", "0001"),
        "0004_merge.py": revision("0004", ("0002", "0003"), up="pass", down_body="pass"),
    }
    assert codes(tmp_path, files) == []  # a merge's empty upgrade is no MC405


def test_missing_down_revision_names_file_and_line(tmp_path: Path) -> None:
    files = {"0001_a.py": revision("0001"), "0003_c.py": revision("0003", "0002")}
    (finding,) = found(tmp_path, files)
    assert (finding.code, finding.revision) == ("MC402", "0003")
    assert (finding.file, finding.line) == ("versions/0003_c.py", 6)
    assert "down_revision of 0003 names '0002'" in finding.message


def test_depends_on_a_label_or_prefix_resolves(tmp_path: Path) -> None:
    files = {
        "0001_a.py": revision("0001", labels="core"),
        "0002_b.py": revision("0002", "0001", depends=("core",)),
        "abcdef_c.py": revision("abcdef", "0002"),
        "0004_d.py": revision("0004", "abcdef", depends="abc"),
    }
    assert codes(tmp_path, files) == []


def test_missing_dependency(tmp_path: Path) -> None:
    files = {"0001_a.py": revision("0001"), "0002_b.py": revision("0002", "0001", depends="0009")}
    (finding,) = found(tmp_path, files)
    assert (finding.code, finding.line) == ("MC402", 8)
    assert "depends_on of 0002 names '0009'" in finding.message


def test_duplicate_id_names_both_files(tmp_path: Path) -> None:
    files = {
        "0001_a.py": revision("0001"),
        "0002_b.py": revision("0002", "0001"),
        "0002_copy.py": revision("0002", "0001"),
    }
    (finding,) = found(tmp_path, files)
    assert finding.code == "MC403"
    assert "versions/0002_b.py" in finding.message
    assert "versions/0002_copy.py" in finding.message


@pytest.mark.parametrize(
    ("files", "cycle"),
    [
        ({"0001_a.py": revision("0001", "0001")}, "0001"),
        (
            {
                "0001_a.py": revision("0001"),
                "0002_b.py": revision("0002", ("0001", "0003")),
                "0003_c.py": revision("0003", "0002"),
            },
            "0002, 0003",
        ),
        (
            {
                "0001_a.py": revision("0001", depends="0002"),
                "0002_b.py": revision("0002", "0001"),
            },
            "0001, 0002",
        ),
    ],
)
def test_cycle(tmp_path: Path, files: dict[str, str], cycle: str) -> None:
    found_cycles = [f for f in found(tmp_path, files) if f.code == "MC404"]
    assert len(found_cycles) == 1
    assert f"the revisions {cycle} depend on each other" in found_cycles[0].message


@pytest.mark.parametrize(
    "body",
    ["pass", '"""Nothing."""', "...", "# a comment\n    pass", '"""doc"""\n    pass'],
)
def test_empty_upgrade(tmp_path: Path, body: str) -> None:
    files = {"0001_a.py": revision("0001", up=body, down_body="pass")}
    (finding,) = found(tmp_path, files)
    assert (finding.code, finding.revision, finding.severity) == ("MC405", "0001", "warning")


@pytest.mark.parametrize(
    ("up", "expected"),
    [
        (TABLE, ["MC406"]),
        ('op.execute("CREATE TABLE t ()")', ["MC406"]),
        ('op.get_bind().exec_driver_sql("CREATE TABLE t ()")', ["MC406"]),
        ('op.execute(sa.text("/* why */  alter table t add c int"))', ["MC406"]),
        ('op.execute("UPDATE t SET c = 1; DROP INDEX i")', ["MC406"]),
        ('op.add_column("t", sa.Column("c", sa.Integer()))', ["MC406"]),
        ('op.create_index("i", "t", ["c"])', ["MC406"]),
        ('with op.batch_alter_table("t") as batch:\n        batch.drop_column("c")', ["MC406"]),
        ("print('no schema change')", []),
        # Data migrations: nothing to undo in the schema.
        ('op.get_bind().execute(sa.text("UPDATE t SET c = 1"))', []),
        ('op.execute("INSERT INTO t VALUES (1)")', []),
        ('op.execute("TRUNCATE t")', []),
        ('op.bulk_insert(table, [{"id": 1}])', []),
        ('conn = op.get_bind()\n    conn.exec_driver_sql("DELETE FROM t")', []),
        # SQL that cannot be read statically does not count: MC406 must not cry wolf.
        ("op.execute(statement)", []),
        ('op.execute(f"CREATE TABLE {name} ()")', []),
    ],
)
def test_empty_downgrade(tmp_path: Path, up: str, expected: list[str]) -> None:
    assert codes(tmp_path, {"0001_a.py": revision("0001", up=up, down_body="pass")}) == expected


def test_downgrade_that_raises_is_not_empty(tmp_path: Path) -> None:
    files = {"0001_a.py": revision("0001", down_body="raise NotImplementedError")}
    assert codes(tmp_path, files) == []


def test_annotated_assignments_and_recursive_folders(tmp_path: Path) -> None:
    files = {
        "2024/0001_a.py": revision("0001", annotated=True),
        "2025/0002_b.py": revision("0002", "0001", annotated=True),
        "__init__.py": "",
        "helpers.py": "VALUE = 1\n",  # no revision: not a revision file
    }
    assert codes(tmp_path, files, recursive=True) == []


def test_computed_revision_id_is_a_project_error(tmp_path: Path) -> None:
    with pytest.raises(ProjectError, match=r"0001_a\.py:5: .* string literals"):
        codes(tmp_path, {"0001_a.py": revision("0001").replace("'0001'", "'00' + '01'")})


def test_syntax_error_names_file_and_line(tmp_path: Path) -> None:
    with pytest.raises(ProjectError, match=r"0001_a\.py:2: cannot parse revision"):
        codes(tmp_path, {"0001_a.py": 'revision = "0001"\ndef upgrade(:\n'})


def test_static_check_imports_no_server_library() -> None:
    """`migcheck check --static` is a pre-commit hook: no docker, no testcontainers."""
    project = ROOT / "tests" / "projects" / "graph_two_heads"
    script = (
        "import sys\nfrom migcheck.cli import run\n"
        f"code = run(['check', '--static', '-c', {str(project / 'alembic.ini')!r}])\n"
        "assert 'docker' not in sys.modules and 'testcontainers' not in sys.modules\n"
        "sys.exit(code)\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, check=False
    )
    assert result.returncode == 1, result.stderr
    assert "MC401 error: more than one head" in result.stdout


def test_check_stops_before_any_server(capsys: pytest.CaptureFixture[str]) -> None:
    """A history that cannot be walked is reported without contacting the server."""
    project = ROOT / "tests" / "projects" / "graph_cycle"
    unreachable = "postgresql://nobody@127.0.0.1:1/nowhere"
    args = ["check", "--backend", "url", "--url", unreachable, "-c", str(project / "alembic.ini")]
    assert run(args) == 1
    out = capsys.readouterr().out
    assert "MC404 error: cycle in the revision graph (revision 0002)" in out
    assert "PostgreSQL" not in out


def test_coding_cookie_is_honoured(tmp_path: Path) -> None:
    """A latin-1 revision file is valid Python, which Alembic loads."""
    text = revision("0001", up="pass  # Caf\xe9", down_body="pass")
    text = "# -*- coding: latin-1 -*-\n" + text + "# migcheck: ignore MC405 -- caf\xe9 au lait\n"
    versions = tmp_path / "migrations" / "versions"
    versions.mkdir(parents=True)
    (versions / "0001_a.py").write_bytes(text.encode("latin-1"))
    (tmp_path / "migrations" / "env.py").write_text("")
    ini = tmp_path / "alembic.ini"
    ini.write_text("[alembic]\nscript_location = %(here)s/migrations\n")
    (finding,) = graph.check(Config(project_dir=tmp_path)).findings
    assert (finding.code, finding.suppressed) == ("MC405", "caf\xe9 au lait")
    assert [r.id for r in load(Config(project_dir=tmp_path)).revisions] == ["0001"]


def test_bytes_that_are_not_python_text_name_the_file(tmp_path: Path) -> None:
    versions = tmp_path / "versions"
    versions.mkdir()
    (versions / "0001_a.py").write_bytes(b'revision = "0001"\ndoc = "Caf\xe9"\n')  # no cookie
    with pytest.raises(ProjectError, match=r"0001_a\.py:2: cannot parse revision: .*utf-8"):
        graph.findings(Folders(tmp_path, (versions,), False))


def test_directories_are_skipped_and_dangling_links_named(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    versions = tmp_path / "migrations" / "versions"
    versions.mkdir(parents=True)
    (versions / "0001_a.py").write_text(revision("0001"))
    (versions / "old.py").mkdir()  # Alembic skips directories too
    (tmp_path / "alembic.ini").write_text("[alembic]\nscript_location = %(here)s/migrations\n")
    args = ["check", "--static", "-c", str(tmp_path / "alembic.ini")]
    assert run(args) == 0
    (versions / "0002_b.py").symlink_to(tmp_path / "nowhere.py")
    assert run(args) == 2
    err = capsys.readouterr().err
    assert f"{versions / '0002_b.py'}: cannot read: No such file or directory" in err


def test_debug_is_accepted_after_the_command(capsys: pytest.CaptureFixture[str]) -> None:
    project = ROOT / "tests" / "projects" / "graph_two_heads"
    args = ["check", "--static", "-c", str(project / "alembic.ini"), "--debug"]
    assert run(args) == 1
    assert "MC401" in capsys.readouterr().out
