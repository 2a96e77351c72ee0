"""Bad input, one row each: the exit code (2 usage or project, 3 environment) and the one
line on standard error that says what is wrong and what to do."""

from __future__ import annotations

import shutil
import uuid
from dataclasses import replace
from pathlib import Path

import psycopg
import pytest

from migcheck import urls
from migcheck.cli import run
from migcheck.provision import Server

FIXTURE = Path(__file__).parent / "projects" / "upgrade_fails"
VERSIONS = "migrations/versions"
NOWHERE = "postgresql://u@127.0.0.1:1/db"  # refuses connections: nothing gets that far


def row(
    name: str,
    args: list[str],
    code: int,
    first_line: str,
    files: dict[str, str | bytes] | None = None,
    *,
    server: bool = False,
) -> object:
    marks = [pytest.mark.server] if server else []
    return pytest.param(args, files or {}, code, first_line, id=name, marks=marks)


ROWS = [
    # Click's own usage errors: exit 2, one line, where the help is.
    row(
        "unknown option",
        ["check", "--no-such-option"],
        2,
        "migcheck: No such option '--no-such-option' (see migcheck check --help)",
    ),
    row("unknown command", ["nope"], 2, "migcheck: No such command 'nope' (see migcheck --help)"),
    row(
        "jobs zero",
        ["check", "-j", "0"],
        2,
        "migcheck: Invalid value for '-j' / '--jobs': 0 is not in the range x>=1 (see migcheck "
        "check --help)",
    ),
    row(
        "jobs negative",
        ["check", "--jobs", "-3"],
        2,
        "migcheck: Invalid value for '-j' / '--jobs': -3 is not in the range x>=1 (see migcheck "
        "check --help)",
    ),
    row(
        "jobs not a number",
        ["check", "--jobs", "many"],
        2,
        "migcheck: Invalid value for '-j' / '--jobs': 'many' is not a valid integer range (see "
        "migcheck check --help)",
    ),
    row(
        "unknown format",
        ["check", "--format", "xml"],
        2,
        "migcheck: Invalid value for '--format': 'xml' is not one of 'github', 'json', 'junit', "
        "'markdown', 'sarif', 'text' (see migcheck check --help)",
    ),
    row(
        "unknown format of config",
        ["config", "--format", "yaml"],
        2,
        "migcheck: Invalid value for '--format': 'yaml' is not one of 'text', 'json' (see "
        "migcheck config --help)",
    ),
    row(
        "unknown backend",
        ["check", "--backend", "cloud"],
        2,
        "migcheck: Invalid value for '--backend': 'cloud' is not one of 'auto', 'local', "
        "'docker', 'url' (see migcheck check --help)",
    ),
    row(
        "unknown driver",
        ["check", "--driver", "mysqldb"],
        2,
        "migcheck: Invalid value for '--driver': 'mysqldb' is not one of 'psycopg', 'psycopg2', "
        "'asyncpg', 'pg8000' (see migcheck check --help)",
    ),
    row(
        "negative step timeout",
        ["check", "--step-timeout", "-1"],
        2,
        "migcheck: Invalid value for '--step-timeout': -1.0 is not in the range x>=0 (see "
        "migcheck check --help)",
    ),
    row(
        "option without its value", ["check", "-x"], 2, "migcheck: Option '-x' requires an argument"
    ),
    row(
        "merge without reports",
        ["merge"],
        2,
        "migcheck: Missing argument 'REPORTS...' (see migcheck merge --help)",
    ),
    row(
        "diff without sides",
        ["diff"],
        2,
        "migcheck: Missing argument 'FIRST' (see migcheck diff --help)",
    ),
    # --pg
    row(
        "pg empty",
        ["check", "--pg", ""],
        2,
        "migcheck: --pg: no version given (try 16, 14,16,17, 13-18 or supported)",
    ),
    row(
        "pg trailing comma",
        ["check", "--pg", "16,"],
        2,
        "migcheck: --pg: '16,' has an empty item (try 16, 14,16,17, 13-18 or supported)",
    ),
    row(
        "pg double comma",
        ["snapshot", "--pg", "16,,17"],
        2,
        "migcheck: --pg: '16,,17' has an empty item (try 16, 14,16,17, 13-18 or supported)",
    ),
    row(
        "pg word",
        ["check", "--pg", "latest"],
        2,
        "migcheck: --pg: 'latest' is not a major version (try 16, 14,16,17, 13-18 or supported)",
    ),
    row(
        "pg unknown version",
        ["check", "--pg", "99"],
        2,
        "migcheck: --pg: '99' is not a range of PostgreSQL major versions",
    ),
    row(
        "pg reversed range",
        ["check", "--pg", "18-16"],
        2,
        "migcheck: --pg: '18-16' is not a range of PostgreSQL major versions",
    ),
    # --url
    row(
        "url not a url",
        ["check", "--url", "not a url"],
        2,
        "migcheck: --url: 'not a url' is not a URL (write postgresql://user@host:port/database)",
    ),
    row(
        "url port not a number",
        ["check", "--url", "postgresql://u:secret@h:notaport/db"],
        2,
        "migcheck: --url: 'postgresql://u:***@h:notaport/db': the port 'notaport' is not a number",
    ),
    row(
        "url of mysql",
        ["check", "--url", "mysql://u@h/db"],
        2,
        "migcheck: --url: migcheck needs a PostgreSQL URL (postgresql://...), not mysql",
    ),
    row(
        "url of sqlite",
        ["check", "--url", "sqlite:///app.db", "--backend", "url"],
        2,
        "migcheck: --url: migcheck needs a PostgreSQL URL (postgresql://...), not sqlite",
    ),
    row(
        "url in settings not a url",
        ["check"],
        2,
        "migcheck: {tmp}/migcheck.toml: url: 'nope' is not a URL (write "
        "postgresql://user@host:port/database)",
        {"migcheck.toml": 'url = "nope"\n'},
    ),
    row(
        "backend url without url",
        ["check", "--backend", "url"],
        2,
        "migcheck: --backend url needs --url postgresql://user@host/database",
    ),
    row(
        "reuse with local",
        ["check", "--reuse", "--backend", "local"],
        2,
        "migcheck: --reuse keeps Docker containers: not with --backend local",
    ),
    row(
        "empty image",
        ["check", "--image", "", "--backend", "docker"],
        2,
        "migcheck: --image: give an image name (default: postgres:{{version}})",
    ),
    # The Alembic configuration
    row(
        "missing config file",
        ["check", "-c", "{tmp}/none.ini"],
        2,
        "migcheck: {tmp}/none.ini: no such file (run migcheck in the folder of your alembic.ini "
        "or of a pyproject.toml with [tool.alembic], or name it with --config)",
    ),
    row(
        "config is a folder",
        ["check", "-c", "{tmp}/migrations"],
        2,
        "migcheck: {tmp}/migrations: a folder, not a file (name the Alembic configuration in it, "
        "e.g. --config {tmp}/migrations/alembic.ini)",
    ),
    row(
        "no alembic section",
        ["check", "--static", "-n", "nosection"],
        2,
        "migcheck: {tmp}/alembic.ini: no section [nosection] (name another with -n/--name)",
    ),
    row(
        "ini without section header",
        ["check", "--static"],
        2,
        "migcheck: {tmp}/alembic.ini:1: 'garbage here' comes before any [section] header (an ini "
        "file starts with one, e.g. [alembic])",
        {"alembic.ini": "garbage here\n[alembic]\n"},
    ),
    row(
        "ini with a stray line",
        ["check", "--static"],
        2,
        "migcheck: {tmp}/alembic.ini:3: 'junk line' is not a [section] header nor a key = value "
        "line",
        {"alembic.ini": "[alembic]\nscript_location = migrations\njunk line\n"},
    ),
    row(
        "ini with a key twice",
        ["check", "--static"],
        2,
        "migcheck: {tmp}/alembic.ini:3: option 'script_location' appears twice",
        {"alembic.ini": "[alembic]\nscript_location = migrations\nscript_location = x\n"},
    ),
    row(
        "script_location nowhere",
        ["check", "--static"],
        2,
        "migcheck: {tmp}/alembic.ini: script_location 'nowhere': Path doesn't exist: nowhere.  "
        "Please use the 'init' command to create a new scripts folder.",
        {"alembic.ini": "[alembic]\nscript_location = nowhere\n"},
    ),
    row(
        "script_location not a string in pyproject",
        ["check", "--static", "-c", "pyproject.toml"],
        2,
        "migcheck: {tmp}/pyproject.toml: [tool.alembic] script_location must be a string, found "
        'an integer (e.g. script_location = "migrations")',
        {"pyproject.toml": "[tool.alembic]\nscript_location = 42\n"},
    ),
    row(
        "pyproject without tool.alembic",
        ["check", "--static", "-c", "pyproject.toml"],
        2,
        "migcheck: pyproject.toml: no [tool.alembic] table",
        {"pyproject.toml": '[project]\nname = "app"\n'},
    ),
    # Revision files
    row(
        "revision file with a NUL byte",
        ["check", "--static"],
        2,
        "migcheck: {tmp}/migrations/versions/0009_nul.py:2: cannot parse revision: a NUL byte "
        "(save it as UTF-8 text)",
        {f"{VERSIONS}/0009_nul.py": b'"""doc"""\nrevision = "0009"\x00\ndown_revision = "0003"\n'},
    ),
    row(
        "revision file that does not parse",
        ["check", "--static"],
        2,
        "migcheck: {tmp}/migrations/versions/0009_bad.py:2: cannot parse revision: '(' was never "
        "closed",
        {f"{VERSIONS}/0009_bad.py": 'revision = "0009"\ndown_revision = (\n'},
    ),
    row(
        "revision id not a string",
        ["check", "--static"],
        2,
        "migcheck: {tmp}/migrations/versions/0009_int.py:1: expected a string, a tuple of "
        "strings or None",
        {f"{VERSIONS}/0009_int.py": "revision = 9\ndown_revision = None\n"},
    ),
    # Settings
    row(
        "unknown settings key",
        ["check", "--static"],
        2,
        "migcheck: {tmp}/migcheck.toml: unknown key 'colour' (known keys: config, name, "
        "url_env, x, driver, python, step_timeout, verbose, pg, backend, url, pg_bin, image, "
        "reuse, jobs, from, to, rows, seed, rows_hook, rows_sql, locks, models, deploy_from, "
        "deploy_models, deploy_role, no_models, format, output, static, changed, base, "
        "schema, exclude_table, context, bootstrap, bootstrap_sql, ignore, severity, check, "
        "snapshot, diff, merge)",
        {"migcheck.toml": "colour = 1\n"},
    ),
    row(
        "settings not TOML",
        ["check", "--static"],
        2,
        "migcheck: {tmp}/migcheck.toml: not valid TOML: Invalid value (at end of document)",
        {"migcheck.toml": "pg = [\n"},
    ),
    row(
        "settings jobs zero",
        ["check", "--static"],
        2,
        "migcheck: {tmp}/migcheck.toml: jobs: expected a whole number of 1 or more, found 0",
        {"migcheck.toml": "jobs = 0\n"},
    ),
    row(
        "settings pg word",
        ["check", "--static"],
        2,
        "migcheck: {tmp}/migcheck.toml: pg: 'latest' is not a major version (try 16, 14,16,17, "
        "13-18 or supported)",
        {"migcheck.toml": 'pg = "latest"\n'},
    ),
    row(
        "settings base not a string",
        ["check", "--static"],
        2,
        "migcheck: {tmp}/migcheck.toml: [check]: base: expected a non-empty string, found 1",
        {"migcheck.toml": "[check]\nbase = 1\n"},
    ),
    # Options that need one another, or exclude one another
    row(
        "files without --changed",
        ["check", "x.py"],
        2,
        "migcheck: FILES are read with --changed only: add --changed",
    ),
    row(
        "base without --changed",
        ["check", "--base", "HEAD"],
        2,
        "migcheck: --base REF applies to --changed only: add --changed",
    ),
    row(
        "static with --from",
        ["check", "--static", "--from", "0001"],
        2,
        "migcheck: --from applies to the walk, not to --static, which checks the revision graph "
        "only (drop --from, or give --no-static)",
    ),
    row(
        "static with --to",
        ["check", "--static", "--to", "0002"],
        2,
        "migcheck: --to applies to the walk, not to --static, which checks the revision graph "
        "only (drop --to, or give --no-static)",
    ),
    row(
        "static with --changed",
        ["check", "--static", "--changed"],
        2,
        "migcheck: --changed applies to the walk, not to --static, which checks the revision "
        "graph only (drop --changed, or give --no-static)",
    ),
    row(
        "static with --models",
        ["check", "--static", "--models", "app:Base"],
        2,
        "migcheck: --models applies to the walk, not to --static, which checks the revision "
        "graph only (drop --models, or give --no-static)",
    ),
    row(
        "models without a colon",
        ["check", "--models", " "],
        2,
        "migcheck: --models  : expected package.module:attribute (e.g. app.models:Base)",
    ),
    # Reports
    row(
        "output to a folder",
        ["check", "-o", "{tmp}/migrations"],
        2,
        "migcheck: --output {tmp}/migrations: Is a directory",
    ),
    row(
        "output without a file",
        ["check", "-o", "json:"],
        2,
        "migcheck: --output json:: give the FILE to write after json:",
    ),
    row(
        "output in an unknown format",
        ["check", "-o", "xml:out.xml"],
        2,
        "migcheck: --output xml:out.xml: 'xml' is not a report format (github, json, junit, "
        "markdown, sarif, text); write FORMAT:FILE (a file of that name: ./xml:out.xml)",
    ),
    row(
        "output empty", ["check", "-o", ""], 2, "migcheck: --output '': give a FILE or FORMAT:FILE"
    ),
    row(
        "merge of a missing report",
        ["merge", "{tmp}/none.json"],
        2,
        "migcheck: {tmp}/none.json: No such file or directory",
    ),
    row(
        "merge of a file that is no report",
        ["merge", "{tmp}/alembic.ini"],
        2,
        "migcheck: {tmp}/alembic.ini: not a migcheck JSON report: not JSON: Expecting value: "
        "line 1 column 2 (char 1)",
    ),
    # On a real server
    row(
        "from after to",
        ["check", "--url", "{url}", "--from", "0003", "--to", "0001"],
        2,
        "migcheck: --from 0003: not --to 0001 nor one of its ancestors, so nothing lies between "
        "them (swap them, or name revisions of one branch)",
        server=True,
    ),
    row(
        "from unknown",
        ["check", "--url", "{url}", "--from", "nope"],
        2,
        "migcheck: --from: no revision 'nope' in {tmp}/migrations",
        server=True,
    ),
    row(
        "to unknown",
        ["check", "--url", "{url}", "--to", "zzz"],
        2,
        "migcheck: --to: no revision 'zzz' in {tmp}/migrations",
        server=True,
    ),
    row(
        "settings key of no option of check",
        ["check", "--static"],
        2,
        "migcheck: {tmp}/migcheck.toml: [check]: 'schema' is not an option of migcheck check",
        {"migcheck.toml": '[check]\nschema = ["app"]\n'},
    ),
    row(
        "url without createdb",
        ["check", "--backend", "url", "--url", "{nocreatedb}"],
        3,
        "migcheck: --url {nocreatedb}: role '{role}' lacks CREATEDB, and migcheck creates a "
        "scratch database for each walk (ALTER ROLE {role} CREATEDB, or give the URL of a "
        "role that has it)",
        server=True,
    ),
    row(
        "url refusing connections",
        ["check", "--url", NOWHERE],
        3,
        "migcheck: cannot connect to postgresql://u@127.0.0.1:1/db: connection failed: "
        'connection to server at "127.0.0.1", port 1 failed: Connection refused',
    ),
]


def _role_without_createdb(server: Server) -> str:
    """The server's URL as a new role that may log in but not create databases."""
    role = f"nocreatedb_{uuid.uuid4().hex[:8]}"
    with psycopg.connect(server.url, autocommit=True) as admin:
        admin.execute(f"CREATE ROLE {role} LOGIN")
    return replace(urls.parse(server.url), user=role).libpq()


@pytest.mark.parametrize(("args", "files", "code", "first_line"), ROWS)
def test_bad_input(
    args: list[str],
    files: dict[str, str | bytes],
    code: int,
    first_line: str,
    tmp_path: Path,
    request: pytest.FixtureRequest,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    project = tmp_path / "p"
    shutil.copytree(FIXTURE, project)
    for name, content in files.items():
        path = project / name
        path.parent.mkdir(parents=True, exist_ok=True)
        if isinstance(content, bytes):
            path.write_bytes(content)
        else:
            path.write_text(content)
    monkeypatch.chdir(project)
    places = {"tmp": str(project)}
    if any("{url}" in a for a in args):
        places["url"] = request.getfixturevalue("pg_server").url
    if any("{nocreatedb}" in a for a in args):
        places["nocreatedb"] = _role_without_createdb(request.getfixturevalue("pg_server"))
        places["role"] = str(urls.parse(places["nocreatedb"]).user)
    given = [arg.format(**places) for arg in args]

    got = run(given)

    err = capsys.readouterr().err
    assert (got, err.splitlines()[0] if err else "") == (code, first_line.format(**places))
    assert len(err.splitlines()) == 1, err
    assert ":None:" not in err
    assert "PosixPath" not in err
    assert "secret" not in err  # the password in a URL


def test_debug_keeps_the_exit_code_of_an_internal_error(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    def broken(config: object) -> None:
        raise RuntimeError("a bug\nof migcheck")

    monkeypatch.setattr("migcheck.graph.check", broken)
    shutil.copytree(FIXTURE, tmp_path / "p")
    monkeypatch.chdir(tmp_path / "p")

    assert run(["check", "--static"]) == 4
    err = capsys.readouterr().err
    assert err.splitlines() == [
        "migcheck: internal error: RuntimeError: a bug (run with --debug for details)"
    ]

    assert run(["check", "--static", "--debug"]) == 4
    err = capsys.readouterr().err
    assert err.startswith("Traceback (most recent call last):")
    assert err.splitlines()[-1] == (
        "migcheck: internal error: RuntimeError: a bug (report it with the traceback above)"
    )
