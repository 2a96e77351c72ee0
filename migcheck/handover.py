"""What a project's env.py is handed, and which driver it gets.

env.py finds its database in many ways: ``config.attributes["connection"]``, the
``sqlalchemy.url`` option, environment variables, ``-x`` arguments, or an application
object that must be set up first. migcheck hands the scratch database over in all the
forms the project's settings name (the runner does it, in the project's Python), with
the SQLAlchemy driver the project uses: the one its own URL names, else the one
SQLAlchemy picks for ``postgresql://`` (psycopg2) when the project has it, else psycopg.
"""

from __future__ import annotations

import configparser
import os
import re
from dataclasses import dataclass, replace
from pathlib import Path
from typing import TYPE_CHECKING, Any

from migcheck import urls
from migcheck.config import DRIVERS, Config, Driver
from migcheck.errors import ProjectError

if TYPE_CHECKING:
    from migcheck.runners import Interpreter

# Drivers without a synchronous connection to hand over: env.py builds its own engine.
ASYNC_DRIVERS = frozenset({"asyncpg"})
# psql meta-commands pg_dump (17.6, 16.10, ...) writes around a plain dump: not SQL.
_DUMP_MARKERS = ("\\restrict", "\\unrestrict")
_SCHEME = re.compile(r"^\s*postgres(?:ql)?(?:\+(\w+))?://")
# SQLSTATEs of a value the server got with another type than the column's: what
# changes from one driver to another (psycopg 3 sends typed parameters, psycopg2 text).
TYPE_MISMATCHES = frozenset({"42804", "42883", "42P08", "42P18", "42725"})


@dataclass(frozen=True, slots=True)
class Handover:
    """How the project's env.py expects its database (from Config; picklable)."""

    url_env: tuple[str, ...] = ()
    x_args: tuple[str, ...] = ()
    driver: Driver = "psycopg"
    # Whether the driver is the one the user or the project's URL named (not a guess).
    driver_named: bool = True
    # The driver of the connection env.py is handed and hooks get; None: none (an
    # async driver, and the project has no synchronous one).
    sync_driver: Driver | None = "psycopg"
    context: str | None = None
    bootstrap: str | None = None
    bootstrap_sql: Path | None = None
    # Folders the project's own modules are imported from (hooks, the application).
    roots: tuple[Path, ...] = ()
    # The project's Python, and what it had.
    python: str = ""
    interpreter: Interpreter | None = None

    @classmethod
    def from_config(
        cls,
        config: Config,
        directory: Path,
        *,
        interpreter: Interpreter | None = None,
        project_url: str | None = None,
    ) -> Handover:
        """``directory``: the folder of the project's Alembic configuration;
        ``project_url``: the ``sqlalchemy.url`` of that configuration."""
        roots = [directory.resolve()]
        if config.settings_file is not None:
            roots.insert(0, config.settings_file.resolve().parent)
        sql = config.bootstrap_sql
        driver, named = choose_driver(config, interpreter, project_url)
        if interpreter is not None and not interpreter.has(driver):
            where = f"--driver {driver}" if config.driver else f"the project's URL names {driver}"
            has = ", ".join(name for name, _ in interpreter.drivers) or "no PostgreSQL driver"
            raise ProjectError(
                f"{where}, which the project's Python {interpreter.executable} does not have "
                f"(it has {has}): install it there, or name another with --driver"
            )
        return cls(
            url_env=config.url_env,
            x_args=config.x_args,
            driver=driver,
            driver_named=named,
            sync_driver=_sync_driver(driver, interpreter),
            context=config.context,
            bootstrap=config.bootstrap,
            bootstrap_sql=(config.project_dir / sql).resolve() if sql else None,
            roots=tuple(dict.fromkeys(roots)),
            python=interpreter.executable if interpreter else "",
            interpreter=interpreter,
        )

    @property
    def hands_connection(self) -> bool:
        return self.driver not in ASYNC_DRIVERS and self.sync_driver is not None

    def forms(self) -> str:
        """The ways env.py is handed the scratch database, for messages."""
        forms = ["sqlalchemy.url"]
        if self.hands_connection:
            forms.insert(0, "config.attributes['connection']")
        forms += [f"${name}" for name in self.url_env]
        forms += [f"-x {arg}" for arg in self.x_args]
        return ", ".join(forms)

    def type_hint(self, sqlstate: str | None) -> str:
        """A hint for a failure that may come from the driver migcheck guessed."""
        if self.driver_named or sqlstate not in TYPE_MISMATCHES:
            return ""
        others = [d for d in DRIVERS if d != self.driver and d not in ASYNC_DRIVERS]
        return (
            f" (the project's URL names no driver and migcheck used {self.driver}; drivers "
            "send parameters with different types: if production uses another, name it "
            f"with --driver {' or '.join(others)})"
        )


def missing_module_hint(message: str, python: str) -> str:
    """For an import the project's Python cannot do: which Python that was."""
    if "No module named" not in message:
        return ""
    return (
        f" (the project's code ran in {python}: if the project has a virtualenv of its own, "
        "name its Python with --python, or keep it in .venv beside the Alembic configuration)"
    )


def named_driver(url: str | None) -> tuple[bool, Driver | None]:
    """(whether ``url`` is a PostgreSQL URL, the driver it names)."""
    found = _SCHEME.match(url or "")
    if found is None:
        return False, None
    driver = found.group(1)
    return True, next((d for d in DRIVERS if d == driver), None)


def configured_url(ini: Path | None, section: str) -> str | None:
    """The ``sqlalchemy.url`` of the project's ini file, as written (None: none)."""
    if ini is None:
        return None
    parser = configparser.RawConfigParser()
    try:
        parser.read(ini, encoding="utf-8")
        return parser.get(section, "sqlalchemy.url", fallback=None)
    except (configparser.Error, UnicodeDecodeError):
        return None


def choose_driver(
    config: Config, interpreter: Interpreter | None, project_url: str | None
) -> tuple[Driver, bool]:
    """(the driver env.py is handed, whether the user or the project named it)."""
    if config.driver is not None:
        return config.driver, True
    for url in [os.environ.get(name) for name in config.url_env] + [project_url]:
        postgres, driver = named_driver(url)
        if driver is not None:
            return driver, True
        if postgres:
            break  # postgresql:// names SQLAlchemy's default driver: as below
    if interpreter is None:
        return "psycopg", False
    # SQLAlchemy's own choice for postgresql://: psycopg2 up to 2.0, psycopg from 2.1.
    preferred: tuple[Driver, ...] = ("psycopg2", "psycopg", "pg8000", "asyncpg")
    if _at_least(interpreter.sqlalchemy, (2, 1)):
        preferred = ("psycopg", "psycopg2", "pg8000", "asyncpg")
    return next((d for d in preferred if interpreter.has(d)), "psycopg2"), False


def _at_least(version: str | None, wanted: tuple[int, ...]) -> bool:
    numbers = re.findall(r"\d+", version or "")[: len(wanted)]
    return tuple(int(n) for n in numbers) >= wanted


def _sync_driver(driver: Driver, interpreter: Interpreter | None) -> Driver | None:
    if driver not in ASYNC_DRIVERS:
        return driver
    if interpreter is None:
        return "psycopg"
    sync: tuple[Driver, ...] = ("psycopg", "psycopg2", "pg8000")
    return next((d for d in sync if interpreter.has(d)), None)


def driver_url(url: str, driver: Driver) -> str:
    """The libpq URL of a scratch database as a SQLAlchemy URL for ``driver``.

    A Unix socket is a ``host=/dir`` query parameter for libpq, psycopg2 and asyncpg,
    but pg8000 wants the socket file itself (``unix_sock=/dir/.s.PGSQL.5432``).
    """
    parsed = urls.parse(url).with_driver(driver)
    host, port = parsed.host, parsed.port
    query = [(k, v) for k, v in parsed.query if k not in ("host", "port")]
    if driver == "pg8000" and host and host.startswith("/"):
        query.append(("unix_sock", f"{host}/.s.PGSQL.{port or 5432}"))
        parsed = replace(parsed, hosts=())
    elif not parsed.hosts and host:
        parsed = replace(parsed, hosts=((host, port),))
    if driver == "asyncpg":
        query = [("ssl" if k == "sslmode" else k, v) for k, v in query]
    return replace(parsed, query=tuple(query)).sqlalchemy()


def libpq(url: str) -> dict[str, str | int | None]:
    """The parts of a libpq URL as libpq's environment variables name them."""
    parsed = urls.parse(url)
    return {
        "host": parsed.host,
        "port": parsed.port,
        "dbname": parsed.database,
        "user": parsed.user,
        "password": parsed.password,
    }


def display(path: str, roots: tuple[Path, ...]) -> str:
    """``path`` relative to the project's folder that holds it (as given, if none does):
    the runner's own rule, so that both processes name files alike."""
    from migcheck.runner import failures

    return failures.display(path, [str(root) for root in roots])


def project_spec(
    ini: Path | None, toml: Path | None, section: str, location: str | None, handover: Handover
) -> dict[str, Any]:
    """The project as the runner's requests carry it (``location``: None until the
    runner has read it)."""
    return {
        "named": str(ini or toml),
        "ini": str(ini) if ini else None,
        "toml": str(toml) if toml else None,
        "section": section,
        "script_location": location,
        "directory": str((ini or toml or Path(".")).resolve().parent),
        "roots": [str(root) for root in handover.roots],
    }


def _sql_line(text: str, position: str | None) -> str:
    return f":{text[: int(position)].count(chr(10)) + 1}" if position else ""


def run_script(url: str, text: str) -> tuple[str, str] | None:
    """Run ``text``, the statements of a SQL file, on a connection of its own, as psql
    would (what it SETs stays there; one implicit transaction). None, or where and why it
    failed: (":LINE" or "" when the server named no position, "[SQLSTATE] first line")."""
    import psycopg

    try:
        with psycopg.connect(url, autocommit=True) as session:
            session.execute(text.encode())
    except psycopg.Error as error:
        state = f"[{error.sqlstate}] " if error.sqlstate else ""
        first = (str(error).strip().splitlines() or [repr(error)])[0]
        return _sql_line(text, error.diag.statement_position), f"{state}{first}"
    return None


def run_bootstrap_sql(handover: Handover, url: str) -> None:
    """Bring a fresh database to where the history starts with ``bootstrap_sql`` (run on
    a connection of its own: dumps change session settings)."""
    if handover.bootstrap_sql is None:
        return
    path = handover.bootstrap_sql
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as error:
        raise ProjectError(f"bootstrap_sql {path}: {error.strerror}") from None
    text = "\n".join("" if line.startswith(_DUMP_MARKERS) else line for line in text.splitlines())
    failed = run_script(url, text)
    if failed is not None:
        line, why = failed
        where = display(str(path), handover.roots) + line
        raise ProjectError(f"{where}: bootstrap_sql failed: {why}")
