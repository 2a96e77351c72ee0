"""check --changed: changed files from real git repositories, mapped to revisions, and
walks of the changed revisions only, whose findings must equal a full walk's."""

from __future__ import annotations

import itertools
import json
import shutil
import subprocess
from dataclasses import replace
from pathlib import Path

import pytest

from migcheck import UsageError, changes, check, cli, settings
from migcheck.config import Config
from migcheck.findings import Finding, Report
from migcheck.project import Revision, load
from migcheck.walk import narrow

PROJECTS = Path(__file__).parent / "projects"
# A URL where no server answers: a run that needed a server would exit 3.
NOWHERE = ["--backend", "url", "--url", "postgresql://migcheck@127.0.0.1:9/none"]


def git(folder: Path, *args: str) -> str:
    done = subprocess.run(
        ["git", "-c", "user.name=migcheck", "-c", "user.email=tests@migcheck.invalid", *args],
        cwd=folder,
        capture_output=True,
        text=True,
        check=True,
    )
    return done.stdout.strip()


def repository(tmp_path: Path, case: str = "clean_linear_history", branch: str = "main") -> Path:
    """A git repository holding a copy of a fixture project, committed on ``branch``."""
    folder = tmp_path / case
    shutil.copytree(PROJECTS / case, folder, ignore=shutil.ignore_patterns("__pycache__"))
    git(folder, "init", "-q", "-b", branch)
    git(folder, "add", "-A")
    git(folder, "commit", "-q", "-m", "initial")
    return folder


def touch(path: Path) -> None:
    path.write_text(path.read_text() + "\n# edited\n")


def changed(folder: Path, base: str | None = None) -> tuple[str, ...]:
    project = load(Config(project_dir=folder))
    return changes.revisions(project, changes.from_git(folder, base).files)


def revision(id: str, *parents: str) -> Revision:
    return Revision(id, parents, (), f"/{id}.py", "")


# Mapping files to revisions, and the part of the history a changed walk needs: pure.


def test_only_revision_files_of_the_project_select_revisions() -> None:
    folder = PROJECTS / "clean_linear_history"
    project = load(Config(project_dir=folder))
    versions = folder / "migrations" / "versions"
    files = [
        versions / "0003_open_orders_view_and_domain.py",
        folder
        / "migrations"
        / ".."
        / "migrations"
        / "versions"
        / "0001_create_customers_and_orders.py",
        folder / "migrations" / "env.py",
        folder / "alembic.ini",
        versions / "0009_deleted.py",
    ]
    assert changes.revisions(project, files) == ("0001", "0003")
    assert changes.revisions(project, []) == ()


def test_narrow_upgrades_what_comes_before_in_one_run() -> None:
    a, b, c = revision("a"), revision("b", "a"), revision("c", "b")
    d, e = revision("d", "c"), revision("e", "d")
    # The parent right before the first revision to check stays, to be upgraded alone.
    assert narrow([], [a, b, c, d, e], {"d"}) == ([a, b], [c, d])
    assert narrow([], [a, b, c, d, e], {"b", "d"}) == ([], [a, b, c, d])
    assert narrow([], [a, b, c, d, e], {"a"}) == ([], [a])
    assert narrow([a], [b, c, d, e], {"e"}) == ([a, b, c], [d, e])
    assert narrow([], [a, b, c], {"x"}) == ([], [])


def test_narrow_keeps_a_parent_only_if_it_comes_right_before() -> None:
    base, left, right = revision("base"), revision("left", "base"), revision("right", "base")
    merge = revision("merge", "left", "right")
    order = [base, left, right, merge]
    assert narrow([], order, {"merge"}) == ([base, left], [right, merge])
    assert narrow([], order, {"right"}) == ([base, left], [right])


# Changed files from git, on real repositories.


def test_uncommitted_staged_and_untracked_changes_count(tmp_path: Path) -> None:
    folder = repository(tmp_path)
    versions = folder / "migrations" / "versions"
    assert changed(folder) == ()
    touch(versions / "0002_order_numbers_and_updated_at.py")
    assert changed(folder) == ("0002",)
    touch(versions / "0004_tighten_customers.py")
    git(folder, "add", "migrations/versions/0004_tighten_customers.py")
    assert changed(folder) == ("0002", "0004")
    new = versions / "0005_notes.py"
    new.write_text('revision = "0005"\ndown_revision = "0004"\n')
    assert new.resolve() in changes.from_git(folder).files
    assert changed(folder) == ("0002", "0004", "0005")
    touch(folder / "migrations" / "env.py")  # not a revision
    assert changed(folder) == ("0002", "0004", "0005")


def test_commits_since_the_merge_base_with_the_default_branch_count(tmp_path: Path) -> None:
    folder = repository(tmp_path)
    versions = folder / "migrations" / "versions"
    git(folder, "checkout", "-q", "-b", "feature")
    touch(versions / "0003_open_orders_view_and_domain.py")
    git(folder, "commit", "-q", "-am", "feature work")
    git(folder, "checkout", "-q", "main")
    touch(versions / "0001_create_customers_and_orders.py")
    git(folder, "commit", "-q", "-am", "main moved on")
    git(folder, "checkout", "-q", "feature")
    # Against the merge base: what main did since is not this branch's change.
    assert changed(folder) == ("0003",)
    found = changes.from_git(folder)
    assert found.against.startswith("changed since main (merge base ")
    # Against main itself: its own change shows (reverted here), and this branch's.
    assert changed(folder, "main") == ("0001", "0003")
    assert changed(folder, "HEAD") == ()


def test_default_branch_is_origin_head_then_main_then_master(tmp_path: Path) -> None:
    trunk = repository(tmp_path / "server", branch="trunk")
    assert changes.default_branch(trunk) is None
    with pytest.raises(UsageError, match=r"no origin/HEAD, main or master branch.*--base REF"):
        changes.from_git(trunk)
    clone = tmp_path / "clone"
    git(tmp_path, "clone", "-q", str(trunk), str(clone))
    assert changes.default_branch(clone) == "origin/trunk"
    touch(clone / "migrations" / "versions" / "0004_tighten_customers.py")
    assert changed(clone) == ("0004",)
    master = repository(tmp_path / "old", branch="master")
    assert changes.default_branch(master) == "master"
    git(master, "branch", "main")
    assert changes.default_branch(master) == "main"


def test_unknown_base_and_no_repository_are_usage_errors(tmp_path: Path) -> None:
    folder = repository(tmp_path)
    with pytest.raises(UsageError, match="--base nope: no such commit, branch or tag"):
        changes.from_git(folder, "nope")
    plain = tmp_path / "plain"
    shutil.copytree(PROJECTS / "clean_linear_history", plain)
    with pytest.raises(UsageError, match=r"--changed: .* is not in a git repository"):
        changes.from_git(plain)


# The command line: no server unless a revision changed.


def run(args: list[str], capsys: pytest.CaptureFixture[str]) -> tuple[int, str, str]:
    code = cli.run(args)
    out, err = capsys.readouterr()
    return code, out, err


def test_nothing_changed_exits_0_without_a_server(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    folder = repository(tmp_path)
    ini = str(folder / "alembic.ini")
    code, out, err = run(["check", "-c", ini, "--changed", *NOWHERE], capsys)
    assert code == 0, err
    (line,) = err.splitlines()
    assert line.startswith("migcheck: no revision changed since main (merge base ")
    assert line.endswith("): nothing to walk")
    assert "OK" in out
    code, _, err = run(
        ["check", "-c", ini, "--changed", *NOWHERE, str(folder / "migrations" / "env.py")],
        capsys,
    )
    assert (code, err) == (0, "migcheck: no revision among the files given: nothing to walk\n")
    # The same URL does need a server once a revision changed.
    touch(folder / "migrations" / "versions" / "0004_tighten_customers.py")
    code, _, err = run(["check", "-c", ini, "--changed", *NOWHERE], capsys)
    assert code == 3, err


def test_nothing_changed_still_checks_the_graph(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    folder = repository(tmp_path, "graph_empty_migration")
    code, out, err = run(
        ["check", "-c", str(folder / "alembic.ini"), "--changed", *NOWHERE], capsys
    )
    assert code == 0, err
    assert "MC405 warning" in out
    assert "nothing to walk" in err
    folder = repository(tmp_path, "graph_two_heads")
    code, out, _ = run(["check", "-c", str(folder / "alembic.ini"), "--changed", *NOWHERE], capsys)
    assert code == 1
    assert "MC401 error" in out


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--changed", "--base", "nope"], "migcheck: --base nope: no such commit, branch or tag"),
        (["--base", "main"], "migcheck: --base REF applies to --changed only"),
        (["migrations/versions/0001_create_customers_and_orders.py"], "migcheck: FILES are read"),
    ],
)
def test_usage_errors_name_the_option(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], args: list[str], message: str
) -> None:
    folder = repository(tmp_path)
    code, _, err = run(["check", "-c", str(folder / "alembic.ini"), *args], capsys)
    assert code == 2
    (line,) = err.splitlines()
    assert line.startswith(message)


def test_outside_a_repository_is_exit_2(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    shutil.copytree(PROJECTS / "clean_linear_history", tmp_path / "plain")
    code, _, err = run(
        ["check", "-c", str(tmp_path / "plain" / "alembic.ini"), "--changed"], capsys
    )
    assert code == 2
    (line,) = err.splitlines()
    assert "--changed" in line
    assert "is not in a git repository" in line


# A changed walk finds what a full walk finds for the changed revisions.

# Failures, findings and skips of each kind: failing upgrades that block descendants,
# a value added to an enum and used by the next revision (upgraded together), branches,
# merges and dependencies, SET LOCAL needed by the next revision, MC102 to MC204, COMMIT
# inside a migration, one transaction per migration.
EQUIVALENCE_CASES = [
    "branches_labels_and_dependencies",
    "clean_branch_and_merge",
    "column_moved_to_end",
    "commit_inside_migration",
    "downgrade_not_implemented",
    "enum_leftover_breaks_reupgrade",
    "enum_value_used_in_same_transaction",
    "search_path_leaks_into_next_revision",
    "set_local_needed_by_next_revision",
    "transaction_per_migration",
    "upgrade_fails",
]
WHOLE_HISTORY = ("MC203",)


def per_revision(finding: Finding, revisions: set[str]) -> bool:
    """A finding of a revision's own steps (not of the steps over the whole history)."""
    return (
        finding.revision in revisions
        and finding.code not in WHOLE_HISTORY
        and "the whole history" not in finding.message
    )


def notes(report: Report) -> list[str]:
    return [note for run in report.runs for note in run.notes]


@pytest.mark.server
@pytest.mark.parametrize("case", EQUIVALENCE_CASES)
def test_changed_walk_equals_full_walk_on_changed_revisions(case: str, url_config: Config) -> None:
    folder = PROJECTS / case
    expected = json.loads((folder / "expected.json").read_text())
    assert "config" not in expected
    assert "env" not in expected
    # Exactly as in the full walk on empty tables. With rows, the tables of a --changed
    # walk get theirs when it starts, not before each revision of the prefix (upgraded in
    # one run): the same defects, found on other rows (below, by code).
    config = settings.apply(replace(url_config, project_dir=folder, rows=0))
    full = check(config)
    with_rows = check(replace(config, rows=url_config.rows))
    project = load(config)
    revisions = project.revisions
    # Each alone, in pairs (with gaps), every other one, all (none unchecked).
    subsets = [(r,) for r in revisions]
    subsets += list(itertools.combinations(revisions, 2)) if len(revisions) <= 4 else []
    subsets += [revisions[::2], revisions]
    for subset in subsets:
        ids = {r.id for r in subset}
        run = check(
            replace(config, changed=True, changed_files=tuple(Path(r.path) for r in subset))
        )
        (walked,) = (set(r.walked) for r in run.runs)
        assert walked == set(full.runs[0].walked) & ids, ids
        wanted = sorted((f for f in full.findings if per_revision(f, ids)), key=repr)
        found = sorted((f for f in run.findings if f.revision in ids), key=repr)
        assert found == wanted, ids
        # Besides: only the upgrade failure of an unchanged revision that kept a changed
        # one from being checked, as the full walk reports it.
        for finding in run.findings:
            if finding.revision not in ids:
                assert finding.code == "MC101", ids
                assert finding in full.findings, ids
        skipped = [n for n in notes(full) if n.split(" ")[0] in ids and "not checked" in n]
        assert [n for n in notes(run) if "not checked" in n] == skipped, ids
        assert any("only some revisions were checked" in n for n in notes(run))
    # With rows, every other revision: the ones between are passed over, with rows too.
    subset = revisions[::2]
    ids = {r.id for r in subset}
    files = tuple(Path(r.path) for r in subset)
    run = check(replace(config, rows=url_config.rows, changed=True, changed_files=files))
    assert codes(run, ids) == codes(with_rows, ids), ids


def codes(report: Report, ids: set[str]) -> list[tuple[str, str | None]]:
    return sorted((f.code, f.revision) for f in report.findings if per_revision(f, ids))


@pytest.mark.server
def test_a_revision_passed_over_that_fails_only_with_rows_lets_the_walk_go_on(
    tmp_path: Path, url_config: Config
) -> None:
    """Unchecked, 0002 (a NOT NULL column without default) fails with rows and passes
    without, as the full walk finds (MC105 there): 0003 after it is still checked, and
    nothing is said of 0002, which was not."""
    folder = tmp_path / "rows"
    shutil.copytree(PROJECTS / "rows_not_null_column_without_default", folder)
    changed = folder / "migrations" / "versions" / "0003_nickname.py"
    changed.write_text(
        'revision = "0003"\ndown_revision = "0002"\n\n'
        "import sqlalchemy as sa\nfrom alembic import op\n\n\n"
        "def upgrade():\n"
        '    op.add_column("users", sa.Column("nickname", sa.Text()))\n\n\n'
        "def downgrade():\n"
        '    op.drop_column("users", "nickname")\n'
    )
    config = replace(url_config, project_dir=folder, locks=False)
    full = check(config)
    assert [(f.code, f.revision) for f in full.findings] == [("MC105", "0002")]
    report = check(replace(config, changed=True, changed_files=(changed,)))
    assert report.findings == ()
    assert report.runs[0].walked == ("0003",)


@pytest.mark.server
def test_a_failure_before_the_changed_revisions_is_a_finding(
    tmp_path: Path, url_config: Config
) -> None:
    folder = tmp_path / "upgrade_fails"
    shutil.copytree(PROJECTS / "upgrade_fails", folder)
    (folder / "migrations" / "versions" / "0004_index_note_author.py").write_text(
        'revision = "0004"\ndown_revision = "0003"\n\n'
        "from alembic import op\n\n\n"
        "def upgrade():\n"
        '    op.create_index("ix_order_notes_author", "order_notes", ["author"])\n\n\n'
        "def downgrade():\n"
        '    op.drop_index("ix_order_notes_author", table_name="order_notes")\n'
    )
    config = replace(url_config, project_dir=folder, changed=True)
    # 0004 changed: 0001 and 0002 are upgraded in one run, and 0002 fails there.
    report = check(replace(config, changed_files=(folder / "migrations/versions/0004_x.py",)))
    assert report.notes == ("no revision among the files given: nothing to walk",)
    assert report.runs == ()
    files = (folder / "migrations" / "versions" / "0004_index_note_author.py",)
    report = check(replace(config, changed_files=files))
    (finding,) = report.findings
    assert (finding.code, finding.revision) == ("MC101", "0002")
    assert finding.message == (
        '[42P01] relation "order" does not exist while upgrading the revisions before 0003 '
        "in one run (nothing was checked)"
    )
    assert report.exit_code == 1
    assert report.runs[0].walked == ()
