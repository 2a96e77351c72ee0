"""A password reaches the server byte for byte, and nothing migcheck prints or writes
holds it: every command and report format, ``--debug`` and ``-v`` included, and the
error paths (a wrong password, a missing database, a role without CREATEDB, a mistyped
URL). The server asks for the password (md5/SCRAM), so a password that was mangled on
its way fails the run instead of passing unnoticed."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import quote

import psycopg
import pytest
from psycopg import sql

from migcheck import urls
from migcheck.config import Config
from migcheck.provision import Server, local

pytestmark = pytest.mark.server

PROJECT = Path(__file__).parent / "projects" / "url_from_environment"
# Each holds a marker no other text has, so that any piece of it that leaks is found.
PASSWORDS = {
    "url_specials": "Zq7marker p@ss:w/rd%?&=#x y+z",
    "quotes_and_escapes": "Zq7marker'\"\\;,[]{}<>!$^*()~`|%41%zz",
    "unicode": "Zq7marker-ünï©ødé ß €",
}
MARKER = "Zq7marker"
FORMATS = ("json", "junit", "sarif", "markdown", "github")


@pytest.fixture(scope="module")
def secured() -> Iterator[Server]:
    """A server of its own that checks passwords for every role but its superuser."""
    with local.start(Config(), None) as server:
        folder = urls.parse(server.url).param("host")
        assert folder
        hba = Path(folder) / "data" / "pg_hba.conf"
        hba.write_text("local all postgres trust\nlocal all all md5\n")
        with psycopg.connect(server.url, autocommit=True) as admin:
            admin.execute("SELECT pg_reload_conf()")
            for number, password in enumerate(PASSWORDS.values()):
                for role, createdb in ((f"secret{number}", True), (f"plain{number}", False)):
                    admin.execute(
                        sql.SQL("CREATE ROLE {} LOGIN {} PASSWORD {}").format(
                            sql.Identifier(role),
                            sql.SQL("CREATEDB" if createdb else "NOCREATEDB"),
                            sql.Literal(password),
                        )
                    )
        yield server


def _url(server: Server, role: str, password: str, database: str = "postgres") -> str:
    folder = urls.parse(server.url).param("host")
    return f"postgresql://{role}:{quote(password, safe='')}@/{database}?host={folder}"


def _migcheck(project: Path, *args: str) -> subprocess.CompletedProcess[str]:
    environment = {**os.environ, "COLUMNS": "200"}
    environment.pop("GITHUB_ACTIONS", None)
    return subprocess.run(
        [sys.executable, "-m", "migcheck", *args],
        cwd=project,
        capture_output=True,
        text=True,
        env=environment,
        timeout=300,
    )


def _leaks(password: str, *texts: str) -> list[str]:
    """The lines of ``texts`` that hold the password in any spelling, or a piece of it."""
    spellings = {password, quote(password, safe=""), quote(password), MARKER}
    return [
        line
        for text in texts
        for line in text.splitlines()
        if any(spelling in line for spelling in spellings)
    ]


@pytest.fixture
def project(tmp_path: Path) -> Path:
    copy = tmp_path / "project"
    shutil.copytree(PROJECT, copy)
    return copy


@pytest.mark.parametrize("name", PASSWORDS)
def test_check_in_every_format_never_shows_the_password(
    name: str, secured: Server, project: Path
) -> None:
    number = list(PASSWORDS).index(name)
    password = PASSWORDS[name]
    url = _url(secured, f"secret{number}", password)
    reports = [f"{fmt}:{project / ('report.' + fmt)}" for fmt in FORMATS]
    args = ["--debug", "check", "--backend", "url", "--url", url, "-v"]
    done = _migcheck(project, *args, *(arg for r in reports for arg in ("-o", r)))

    # The walk ran (the password got through): the fixture's own two findings.
    assert done.returncode == 1, done.stderr
    assert "MC201" in done.stdout
    assert "MC103" in done.stdout
    written = [(project / f"report.{fmt}").read_text() for fmt in FORMATS]
    assert _leaks(password, done.stdout, done.stderr, *written) == []


@pytest.mark.parametrize("name", PASSWORDS)
def test_snapshot_diff_config_and_cleanup_never_show_the_password(
    name: str, secured: Server, project: Path
) -> None:
    number = list(PASSWORDS).index(name)
    password = PASSWORDS[name]
    url = _url(secured, f"secret{number}", password)
    server = ["--backend", "url", "--url", url]
    runs = {
        "snapshot": _migcheck(project, "--debug", "snapshot", *server),
        "snapshot of a live database": _migcheck(project, "snapshot", url, "--format", "json"),
        "diff with a live database": _migcheck(project, "--debug", "diff", "head", url, *server),
        "config": _migcheck(project, "config", "check", *server),
        "config json": _migcheck(project, "config", "--format", "json", "check", *server),
        "cleanup": _migcheck(project, "--debug", "cleanup", "--url", url),
    }
    for what, done in runs.items():
        assert done.returncode in (0, 1), (what, done.stderr)
        assert _leaks(password, done.stdout, done.stderr) == [], what
    # The live database was read with the password: the snapshot names its tables.
    assert runs["snapshot"].returncode == 0
    assert "book" in runs["snapshot"].stdout


@pytest.mark.parametrize(
    ("what", "args", "code", "says"),
    [
        ("wrong password", ["check", "--backend", "url", "--url", "{wrong}"], 3, "password"),
        ("missing database", ["check", "--backend", "url", "--url", "{nodb}"], 3, "nosuchdb"),
        ("no CREATEDB", ["check", "--backend", "url", "--url", "{plain}"], 3, "CREATEDB"),
        ("port not a number", ["check", "--url", "{badport}"], 2, "not a number"),
        ("mistyped scheme", ["snapshot", "{mistyped}"], 2, "not a URL"),
        ("mistyped scheme for diff", ["diff", "head", "{mistyped}"], 2, "not a URL"),
        ("mysql", ["check", "--url", "{mysql}"], 2, "not mysql"),
        ("unreachable", ["check", "--backend", "url", "--url", "{nowhere}"], 3, "cannot connect"),
    ],
)
@pytest.mark.parametrize("debug", [False, True], ids=["plain", "debug"])
def test_error_paths_never_show_the_password(
    what: str, args: list[str], code: int, says: str, debug: bool, secured: Server, project: Path
) -> None:
    password = PASSWORDS["url_specials"]
    encoded = quote(password, safe="")
    folder = urls.parse(secured.url).param("host")
    places = {
        "wrong": _url(secured, "secret0", password + "x"),
        "nodb": _url(secured, "secret0", password, "nosuchdb"),
        "plain": _url(secured, "plain0", password),
        "badport": f"postgresql://secret0:{encoded}@localhost:port/db",
        "mistyped": f"postgresql//secret0:{password}@localhost/db",
        "mysql": f"mysql://secret0:{encoded}@localhost/db",
        "nowhere": f"postgresql://secret0:{encoded}@/postgres?host={folder}-nowhere",
    }
    given = [arg.format(**places) for arg in args]
    done = _migcheck(project, *(["--debug"] if debug else []), *given)

    assert done.returncode == code, done.stderr
    assert says in done.stderr
    assert _leaks(password, done.stdout, done.stderr) == [], what
    if not debug:
        assert len(done.stderr.splitlines()) == 1, done.stderr
